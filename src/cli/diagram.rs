//! `nzc diagram`: DBML (dbdiagram.io), Mermaid or an SVG drawing on stdout or into
//! a file.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use nzc_codegen::svg::Focus;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// DBML, for dbdiagram.io.
    Dbml,
    /// A Mermaid erDiagram (GitHub renders it in Markdown).
    Mermaid,
    /// An SVG ER diagram, laid out by nzc (self-contained; light and dark).
    Svg,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The schema file.
    #[arg(default_value_os_t = super::default_schema())]
    schema: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Dbml)]
    format: Format,
    /// With `--format svg`: draw only this group and the tables it references.
    #[arg(long, value_name = "NAME", conflicts_with = "table")]
    group: Option<String>,
    /// With `--format svg`: draw only this table and its neighbours (the tables it
    /// references and those that reference it).
    #[arg(long, value_name = "NAME")]
    table: Option<String>,
    /// Write to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(schema) = super::compile::load_schema(&args.schema)? else {
        return Ok(ExitCode::FAILURE);
    };
    let focus = match (&args.group, &args.table) {
        (Some(group), _) => Focus::Group(group.clone()),
        (None, Some(table)) => Focus::Table(table.clone()),
        (None, None) => Focus::All,
    };
    if focus != Focus::All && !matches!(args.format, Format::Svg) {
        anyhow::bail!("--group and --table work with --format svg only");
    }
    let text = match args.format {
        Format::Dbml => nzc_codegen::dbml::render(&schema),
        Format::Mermaid => nzc_codegen::mermaid::render(&schema),
        Format::Svg => nzc_codegen::svg::render(&schema, &focus).map_err(anyhow::Error::msg)?,
    };
    match &args.output {
        Some(path) => super::files::write_atomic(path, &text)?,
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
