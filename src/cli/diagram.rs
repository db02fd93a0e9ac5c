//! `nzc diagram`: DBML (dbdiagram.io) or Mermaid on stdout or into a file.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// DBML, for dbdiagram.io.
    Dbml,
    /// A Mermaid erDiagram (GitHub renders it in Markdown).
    Mermaid,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The schema file.
    #[arg(default_value_os_t = super::default_schema())]
    schema: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Dbml)]
    format: Format,
    /// Write to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(schema) = super::compile::load_schema(&args.schema)? else {
        return Ok(ExitCode::FAILURE);
    };
    let text = match args.format {
        Format::Dbml => nzc_codegen::dbml::render(&schema),
        Format::Mermaid => nzc_codegen::mermaid::render(&schema),
    };
    match &args.output {
        Some(path) => super::compile::write_atomic(path, &text)?,
        None => {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                // A closed pipe (`nzc diagram | head`) is not an error.
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e.into());
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
