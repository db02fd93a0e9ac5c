//! Command-line interface: argument definitions (clap derive; doc comments are
//! the help text) and one function per command.

mod compile;
mod config;
mod db;
mod diagram;
mod docs;
mod files;
mod fmt;
mod lint;
mod migrate;
mod output;
mod report;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

pub use output::print_error;

/// nzc — one schema file for a PostgreSQL database: validated, turned into
/// Rust models, migrations and diagrams.
#[derive(Debug, Parser)]
#[command(name = "nzc", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate the schema and write the generated Rust model crate.
    ///
    /// Nothing is written when the schema has an error. With --check, nothing
    /// is written at all and the exit status is 1 when generated files are
    /// missing or stale (for CI).
    Compile(compile::Args),
    /// Print a diagram of the schema: DBML for dbdiagram.io, or a Mermaid erDiagram.
    Diagram(diagram::Args),
    /// Write Markdown documentation of the schema: an index, a page and a diagram per table.
    ///
    /// Into docs/schema by default. With --check, nothing is written and the exit status
    /// is 1 when files are missing, stale or no longer generated (for CI).
    Docs(docs::Args),
    /// Rewrite schema files in the canonical layout.
    Fmt(fmt::Args),
    /// Apply, revert, inspect, check and adopt migrations on a database.
    Migrate(migrate::Args),
    /// Read a live database: `nzc db pull` writes its schema file.
    Db(db::Args),
    /// Check migrations for statements that stall a busy table (locks, rewrites), fail, or lose data.
    ///
    /// Exit status 1 on an error-level finding. `-- nzc:allow(L008)` on the
    /// lines above a statement accepts a finding knowingly.
    Lint(lint::Args),
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

/// Default schema file, relative to the working directory.
pub const DEFAULT_SCHEMA: &str = "schema.nzc";

fn default_schema() -> PathBuf {
    PathBuf::from(DEFAULT_SCHEMA)
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Compile(args) => compile::run(args),
        Command::Diagram(args) => diagram::run(args),
        Command::Docs(args) => docs::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Migrate(args) => migrate::run(args),
        Command::Db(args) => db::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "nzc", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}
