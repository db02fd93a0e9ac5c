//! `nzc docs`: write (or, with --check, compare) the Markdown documentation of the schema
//! (`nzc_codegen::docs`): an index, a page and a diagram per table, the enums.

use nzc_codegen::docs::TABLES_DIR;
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
    let tables = args.out.join(TABLES_DIR);
    let kinds: &[&str] = &["md", "svg"];
    let plan = super::files::plan(&args.out, &files, &[(&args.out, kinds), (&tables, kinds)])?;
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
