//! `nzc compile`: validate the schema, then write (or, with --check, compare)
//! the generated Rust model crate.

use super::files::{self, Change, Planned};
use super::{config, output};
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The schema file.
    #[arg(default_value_os_t = super::default_schema())]
    schema: PathBuf,
    /// Write nothing; exit 1 if generated files are missing or stale.
    #[arg(long)]
    check: bool,
    /// Output directory of the Rust model crate (default: `out_dir` of nzc.toml, else `generated`).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Migrations directory (default: `[migrations] dir` of nzc.toml, else `migrations`).
    #[arg(long, value_name = "DIR")]
    migrations_dir: Option<PathBuf>,
    /// Message of the new migration, if the schema changed; becomes its slug.
    #[arg(short, long)]
    message: Option<String>,
    /// Accept a migration that destroys data (drops a table or column, narrows a type).
    #[arg(long)]
    allow_data_loss: bool,
    /// Change column types that rewrite a table (e.g. integer → bigint) online in the new
    /// migration: a new column kept in step by a trigger, filled in batches, swapped in by a
    /// brief transaction (where that is sound; see the README).
    #[arg(long)]
    online: bool,
    /// Version of the new migration (default: the current UTC time, YYYYMMDDHHMMSS).
    #[arg(long, value_name = "VERSION", hide = true)]
    migration_version: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some((source, schema)) = read_schema(&args.schema)? else {
        return Ok(ExitCode::FAILURE);
    };
    let config = config::load(&args.schema)?;
    let out_dir = args.out.clone().unwrap_or(config.rust.out_dir.clone());
    let options = nzc_codegen::rust::RustOptions {
        crate_name: config.rust.crate_name.clone(),
        nzc_dependency: config.rust.nzc_dependency.clone(),
        source_name: display_name(&args.schema),
    };
    let files = nzc_codegen::rust::render(&schema, &options);
    let mut plan = files::plan(&out_dir, &files, &[(&out_dir.join("src"), &["rs"])])?;
    let mut outputs = vec![out_dir.display().to_string()];
    if let Some(py) = &config.python {
        let options = nzc_codegen::python::PythonOptions {
            package: py.package.clone(),
            distribution: py
                .distribution
                .clone()
                .unwrap_or_else(|| py.package.replace('_', "-")),
            source_name: display_name(&args.schema),
        };
        let files = nzc_codegen::python::render(&schema, &options);
        plan.extend(files::plan(
            &py.out_dir,
            &files,
            &[(&py.out_dir.join(&py.package), &["py"])],
        )?);
        outputs.push(py.out_dir.display().to_string());
    }

    // Migration: the schema against the state the latest migration leads to.
    let migrations_dir = args
        .migrations_dir
        .clone()
        .unwrap_or(config.migrations.dir.clone());
    let existing = nzc_migrate::Migrations::from_dir(&migrations_dir)?.list()?;
    // A schema identical to the latest snapshot needs no diff (the common case).
    let snapshot = latest_snapshot_text(&existing)?;
    let previous = match &snapshot {
        Some((_, text)) if *text == source => None,
        Some((path, text)) => match nzc_dsl::compile(text, &display_name(path)) {
            Ok(s) => Some(s),
            Err(d) => {
                output::print_diagnostics(&d);
                eprintln!("error: the schema snapshot {} is invalid", path.display());
                return Ok(ExitCode::FAILURE);
            }
        },
        None => Some(nzc_dsl::Schema::default()),
    };
    let version = next_version(&existing, args.migration_version.as_deref())?;
    let migration = previous
        .as_ref()
        .and_then(|previous| nzc_codegen::migration::plan(previous, &schema))
        .map(|plan| {
            let slug = match args.message.as_deref() {
                Some(message) => nzc_codegen::migration::slug_from_message(message),
                None => plan.slug.clone(),
            };
            let id = format!("{version}_{slug}");
            let files = plan.render_with(
                &id,
                &nzc_codegen::plan::Options {
                    online_type_changes: args.online,
                },
            );
            (id, files)
        });
    if let Some((id, m)) = &migration {
        if !m.data_loss.is_empty() && !args.allow_data_loss && !args.check {
            eprintln!("error: the schema change destroys data; nothing was written:");
            for loss in &m.data_loss {
                eprintln!("  - {loss}");
            }
            eprintln!("  hint: if that is intended, run again with --allow-data-loss (the migration {id} will say so in a comment)");
            return Ok(ExitCode::FAILURE);
        }
        let dir = migrations_dir.join(id);
        for (name, contents) in [
            ("up.sql", &m.up),
            ("down.sql", &m.down),
            (nzc_migrate::SNAPSHOT, &source),
        ] {
            plan.push(Planned {
                path: dir.join(name),
                change: Change::Write(contents.clone()),
                exists: false,
            });
        }
    }

    if args.check {
        if plan.is_empty() {
            println!(
                "{} {} up to date with {}",
                outputs.join(" and "),
                if outputs.len() == 1 { "is" } else { "are" },
                args.schema.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        if migration.is_some() {
            eprintln!("error: the schema differs from the state of the latest migration: a new migration is needed");
        }
        eprintln!(
            "error: generated files are stale; run `nzc compile {}`",
            args.schema.display()
        );
        for change in &plan {
            eprintln!("  {} {}", change.verb(), change.path.display());
        }
        return Ok(ExitCode::FAILURE);
    }

    for change in &plan {
        change.apply()?;
    }
    if let Some((id, m)) = &migration {
        println!("new migration {}", migrations_dir.join(id).display());
        // What the new migration does to busy tables (advice: nothing is refused).
        let dir = migrations_dir.join(id);
        let written = nzc_migrate::Migration::from_texts(&dir, &m.up, &m.down, Some(&source))?;
        println!("how it runs, and the strongest lock of each part:");
        print!("{}", super::lint::review(&written.up));
        print!("{}", super::lint::review(&written.down));
        let mut tally = super::lint::Tally::default();
        super::lint::lint_migration(&written, &mut tally);
        if tally.errors + tally.warnings > 0 {
            eprintln!(
                "note: `nzc lint` finds {} error(s) and {} warning(s) in {id}: review its lock impact before applying it to a busy database",
                tally.errors, tally.warnings
            );
        }
    }
    println!(
        "compiled {}: {} tables, {} enums → {} ({} file{} changed)",
        args.schema.display(),
        schema.tables.len(),
        schema.enums.len(),
        outputs.join(", "),
        plan.len(),
        if plan.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

/// Reads and validates a schema; prints diagnostics and returns `None` on errors.
pub fn load_schema(path: &Path) -> anyhow::Result<Option<nzc_dsl::Schema>> {
    Ok(read_schema(path)?.map(|(_, schema)| schema))
}

/// Like [`load_schema`], also returning the source text.
fn read_schema(path: &Path) -> anyhow::Result<Option<(String, nzc_dsl::Schema)>> {
    let source = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read schema file {}", path.display()))?;
    match nzc_dsl::compile(&source, &display_name(path)) {
        Ok(schema) => Ok(Some((source, schema))),
        Err(diags) => {
            output::print_diagnostics(&diags);
            Ok(None)
        }
    }
}

pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// The path and text of the schema snapshot of the latest migration that has
/// one (`None` without migrations): the state the migrations lead to.
fn latest_snapshot_text(
    existing: &[nzc_migrate::Migration],
) -> anyhow::Result<Option<(PathBuf, String)>> {
    for m in existing.iter().rev() {
        let path = m.dir.join(nzc_migrate::SNAPSHOT);
        match std::fs::read_to_string(&path) {
            Ok(text) => return Ok(Some((path, text))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
    Ok(None)
}

/// The version of a new migration: `wanted`, or the current UTC time; always
/// after the latest existing version.
pub fn next_version(
    existing: &[nzc_migrate::Migration],
    wanted: Option<&str>,
) -> anyhow::Result<String> {
    use nzc_migrate::files::version_key;
    let version = match wanted {
        Some(v) => {
            anyhow::ensure!(
                !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()),
                "a migration version is digits only, not `{v}`"
            );
            v.to_string()
        }
        None => chrono::Utc::now().format("%Y%m%d%H%M%S").to_string(),
    };
    match existing.last() {
        Some(last) if version_key(&version) <= version_key(&last.version) => {
            anyhow::ensure!(
                wanted.is_none(),
                "version {version} is not after the latest migration {}",
                last.id()
            );
            // The clock is behind the latest migration: take the next number.
            let n: u128 = last
                .version
                .parse()
                .context("latest migration version is not a number")?;
            Ok((n + 1).to_string())
        }
        _ => Ok(version),
    }
}
