//! `nzc fmt`: canonical layout of schema files.

use super::output;
use anyhow::Context as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Schema files to format (default: schema.nzc).
    files: Vec<PathBuf>,
    /// Write nothing; exit 1 if a file is not formatted.
    #[arg(long)]
    check: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let files = if args.files.is_empty() {
        vec![super::default_schema()]
    } else {
        args.files
    };
    let mut failed = false;
    for path in &files {
        let source = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let formatted = match nzc_dsl::format(&source, &path.display().to_string()) {
            Ok(f) => f,
            Err(diags) => {
                output::print_diagnostics(&diags);
                failed = true;
                continue;
            }
        };
        if formatted == source {
            continue;
        }
        if args.check {
            eprintln!(
                "{} is not formatted; run `nzc fmt {}`",
                path.display(),
                path.display()
            );
            failed = true;
        } else {
            super::files::write_atomic(path, &formatted)?;
            println!("formatted {}", path.display());
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
