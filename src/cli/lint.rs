//! `nzc lint`: checks migrations for statements that stall a busy table
//! (the rules of `nzc_lint`), and the lint `nzc compile` runs on the
//! migration it writes.

use super::db::Connection;
use nzc_migrate::{Migration, Migrations, Migrator, Script, State};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Migration directories to check (default: the migrations not yet applied to the
    /// database of DATABASE_URL; with --all: every migration).
    dirs: Vec<PathBuf>,
    /// Check every migration of the migrations directory.
    #[arg(long, conflicts_with = "dirs")]
    all: bool,
    /// The migrations directory (default: `migrations`, or nzc.toml's `[migrations] dir`).
    #[arg(long, value_name = "DIR")]
    migrations_dir: Option<PathBuf>,
    #[command(flatten)]
    connection: Connection,
}

/// What linting some files found.
#[derive(Debug, Default)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
    pub files: usize,
}

/// Lints `up.sql` and `down.sql` of a migration, printing the findings to
/// stderr; a file that does not parse counts as an error.
pub fn lint_migration(m: &Migration, tally: &mut Tally) {
    for script in [&m.up, &m.down] {
        tally.files += 1;
        let name = script.path.display().to_string();
        let options = nzc_lint::Options {
            in_transaction: !script.no_transaction,
            ..nzc_lint::Options::default()
        };
        match nzc_lint::lint(&script.sql, &name, &options) {
            Ok(findings) => {
                for f in &findings {
                    match f.level {
                        nzc_lint::Level::Error => tally.errors += 1,
                        nzc_lint::Level::Warning => tally.warnings += 1,
                    }
                }
                if !findings.is_empty() {
                    eprint!("{}", nzc_lint::render(&findings, &script.sql, &name));
                }
            }
            Err(e) => {
                tally.errors += 1;
                eprint!("{}", e.render(&script.sql));
            }
        }
    }
}

/// The lock each statement of a script takes, as notes for `--sql`
/// (statements that take none are left out; a DO block or CALL is said to
/// take locks not known; a file the parser rejects gets no notes — `nzc
/// lint` reports it).
pub fn lock_notes(script: &Script) -> Vec<((usize, usize), String)> {
    lock_notes_of(&script.sql, &script.path.display().to_string())
}

/// [`lock_notes`] of SQL text (`name`: for errors).
pub fn lock_notes_of(sql: &str, name: &str) -> Vec<((usize, usize), String)> {
    nzc_lint::locks(sql, name)
        .map(|locks| {
            locks
                .iter()
                .filter(|l| l.lock.is_some() || l.opaque)
                .map(|l| (l.span, format!("lock: {}", l.describe())))
                .collect()
        })
        .unwrap_or_default()
}

/// The review of a script: each part, how it runs, and the strongest lock
/// it takes (with what that lock does), one line each.
pub fn review(script: &Script) -> String {
    let name = script.path.display().to_string();
    let Ok(locks) = nzc_lint::locks(&script.sql, &name) else {
        return String::new();
    };
    let file = script
        .path
        .file_name()
        .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
    let parts = script.parts.len();
    let mut out = if parts == 1 {
        format!(
            "  {file}: {}\n",
            if script.is_single_transaction() {
                "one transaction"
            } else {
                "statement by statement, no transaction"
            }
        )
    } else {
        format!("  {file}: {parts} parts, each committed before the next starts\n")
    };
    for (k, part) in script.parts.iter().enumerate() {
        let mine: Vec<&nzc_lint::StatementLock> = locks.iter().filter(|l| l.part == k).collect();
        let strongest = mine
            .iter()
            .filter(|l| l.lock.is_some())
            .max_by_key(|l| (!l.new_table, l.lock, l.hold));
        let statements = part.statements.len();
        let mode = if part.transactional() {
            "transaction"
        } else {
            "no transaction"
        };
        let opaque = mine.iter().find(|l| l.opaque);
        let lock = match (strongest, opaque) {
            (Some(l), Some(_)) => format!(
                "{}; and a DO block or procedure whose locks are not known",
                l.describe()
            ),
            (Some(l), None) => l.describe(),
            (None, Some(o)) => o.describe(),
            (None, None) => "no table lock".to_string(),
        };
        out.push_str(&format!(
            "    {:>2}. {mode:<14} {statements} statement{}: {lock}\n",
            k + 1,
            if statements == 1 { " " } else { "s" },
        ));
    }
    out
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dir = super::config::migrations_dir(args.migrations_dir.as_deref());
    let migrations = if args.dirs.is_empty() {
        let source = Migrations::from_dir(&dir)?;
        let all = source.list()?;
        if args.all {
            all
        } else {
            let migrator = Migrator::new(&source);
            let pending: Vec<String> = super::db::block_on(&args.connection, async |client| {
                Ok(migrator
                    .status(client)
                    .await?
                    .into_iter()
                    .filter(|(_, s)| matches!(s, State::Pending | State::Failed { .. }))
                    .map(|(id, _)| id)
                    .collect())
            })?;
            all.into_iter()
                .filter(|m| pending.contains(&m.id()))
                .collect()
        }
    } else {
        let mut list = Vec::new();
        for d in &args.dirs {
            let read = |f: &str| {
                std::fs::read_to_string(d.join(f))
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", d.join(f).display()))
            };
            let snapshot = std::fs::read_to_string(d.join(nzc_migrate::SNAPSHOT)).ok();
            list.push(Migration::from_texts(
                d,
                &read("up.sql")?,
                &read("down.sql")?,
                snapshot.as_deref(),
            )?);
        }
        list
    };
    let mut tally = Tally::default();
    for m in &migrations {
        lint_migration(m, &mut tally);
    }
    println!(
        "linted {} migration(s), {} file(s): {} error(s), {} warning(s)",
        migrations.len(),
        tally.files,
        tally.errors,
        tally.warnings
    );
    Ok(if tally.errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
