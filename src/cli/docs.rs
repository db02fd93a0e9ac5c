//! `nzc docs`: write (or, with --check, compare) the Markdown documentation of the schema
//! (`nzc_codegen::docs`): an index, a page and a diagram per table, the enums.

use anyhow::Context as _;
use nzc_codegen::docs::TABLES_DIR;
use nzc_codegen::GeneratedFile;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The schema file.
    #[arg(default_value_os_t = super::default_schema())]
    schema: PathBuf,
    /// Output directory.
    #[arg(long, value_name = "DIR", default_value = "docs/schema")]
    out: PathBuf,
    /// Write nothing; exit 1 if documentation files are missing, stale or no longer generated.
    #[arg(long)]
    check: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(schema) = super::compile::load_schema(&args.schema)? else {
        return Ok(ExitCode::FAILURE);
    };
    let options = nzc_codegen::docs::Options {
        source_name: super::compile::display_name(&args.schema),
    };
    let files = nzc_codegen::docs::render(&schema, &options);
    let plan = plan(&args.out, &files)?;
    if args.check {
        if plan.is_empty() {
            println!(
                "{} is up to date with {}",
                args.out.display(),
                args.schema.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "error: the schema docs in {} are stale; run `nzc docs {}{}`",
            args.out.display(),
            args.schema.display(),
            if args.out == Path::new(DEFAULT_OUT) {
                String::new()
            } else {
                format!(" --out {}", args.out.display())
            }
        );
        for change in &plan {
            eprintln!("  {} {}", change.verb(), change.path.display());
        }
        return Ok(ExitCode::FAILURE);
    }
    for change in &plan {
        change.apply()?;
    }
    println!(
        "documented {}: {} tables, {} enums → {} ({} file{} changed)",
        args.schema.display(),
        schema.tables.len(),
        schema.enums.len(),
        args.out.display(),
        plan.len(),
        if plan.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

const DEFAULT_OUT: &str = "docs/schema";

/// How many lines at the top of a file may hold the generated marker (an SVG's comment
/// comes after its XML declaration).
const MARKER_LINES: usize = 3;

enum Change {
    Write(String),
    Remove,
}

struct Planned {
    path: PathBuf,
    change: Change,
    exists: bool,
}

impl Planned {
    fn verb(&self) -> &'static str {
        match (&self.change, self.exists) {
            (Change::Remove, _) => "remove",
            (Change::Write(_), true) => "update",
            (Change::Write(_), false) => "create",
        }
    }

    fn apply(&self) -> anyhow::Result<()> {
        match &self.change {
            Change::Write(contents) => super::compile::write_atomic(&self.path, contents),
            Change::Remove => std::fs::remove_file(&self.path)
                .with_context(|| format!("cannot remove {}", self.path.display())),
        }
    }
}

/// What must change so `out` holds exactly `files`: files to create or update, and the
/// `.md` / `.svg` files in `out` and `out/tables` that carry the generated marker but are
/// no longer generated (a dropped table's page). A file without the marker is never touched.
fn plan(out: &Path, files: &[GeneratedFile]) -> anyhow::Result<Vec<Planned>> {
    let mut plan = Vec::new();
    for f in files {
        let path = out.join(&f.path);
        match std::fs::read_to_string(&path) {
            Ok(current) if current == f.contents => {}
            Ok(_) => plan.push(Planned {
                path,
                change: Change::Write(f.contents.clone()),
                exists: true,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => plan.push(Planned {
                path,
                change: Change::Write(f.contents.clone()),
                exists: false,
            }),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
    let expected: HashSet<PathBuf> = files.iter().map(|f| out.join(&f.path)).collect();
    let mut stale = Vec::new();
    for dir in [out.to_path_buf(), out.join(TABLES_DIR)] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry
                .with_context(|| format!("cannot list {}", dir.display()))?
                .path();
            let generated_kind = path.extension().is_some_and(|x| x == "md" || x == "svg");
            if generated_kind && !expected.contains(&path) && is_generated(&path) {
                stale.push(path);
            }
        }
    }
    stale.sort();
    plan.extend(stale.into_iter().map(|path| Planned {
        path,
        change: Change::Remove,
        exists: true,
    }));
    Ok(plan)
}

/// Whether the file carries the generated marker near its top.
fn is_generated(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| {
        t.lines()
            .take(MARKER_LINES)
            .any(|l| l.contains(nzc_types::contract::GENERATED_MARKER))
    })
}
