//! `nzc migrate …`: apply, revert, inspect, check and adopt migrations on the
//! database named by `--database-url`, `DATABASE_URL` or `DB_URL`
//! (environment or `.env`). The work is `nzc_migrate::Migrator`'s; this file
//! parses arguments and prints.

use super::db::Connection;
use anyhow::Context as _;
use nzc_migrate::{
    AdoptOptions, Adoption, Direction, Migrations, Migrator, Progress, State, Target,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Exit status of `check` and `adopt` when the database differs from the schema.
pub const EXIT_DRIFT: u8 = 2;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Args)]
struct Global {
    #[command(flatten)]
    connection: Connection,
    /// The migrations directory (default: `migrations` next to the schema, or nzc.toml's `[migrations] dir`).
    #[arg(long, global = true, value_name = "DIR")]
    migrations_dir: Option<PathBuf>,
    /// lock_timeout set for every migration: a statement waiting longer for a lock fails the migration.
    #[arg(
        long,
        global = true,
        env = "NZC_LOCK_TIMEOUT",
        default_value = "5s",
        value_name = "DURATION"
    )]
    lock_timeout: String,
    /// How long to wait for another nzc migrating the same database.
    #[arg(
        long,
        global = true,
        env = "NZC_ADVISORY_LOCK_TIMEOUT",
        default_value_t = 300,
        value_name = "SECONDS"
    )]
    advisory_lock_timeout: u64,
    /// How long a runner killed during a no-transaction migration holds the others up (its lease, renewed after every statement).
    #[arg(
        long,
        global = true,
        env = "NZC_LEASE_TIMEOUT",
        default_value_t = 30,
        value_name = "SECONDS"
    )]
    lease_timeout: u64,
    /// How often a migration that waited longer than lock_timeout is tried again (fresh transaction, backoff 0.5 s, 1 s, 2 s…).
    #[arg(
        long,
        global = true,
        env = "NZC_LOCK_RETRIES",
        default_value_t = 3,
        value_name = "N"
    )]
    lock_retries: u32,
    /// Output of `status`, `history`, `current` and `check`: text, or one JSON document on stdout.
    #[arg(long, global = true, value_enum, default_value_t = super::report::Format::Text)]
    format: super::report::Format,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Apply migrations: `head` (all), `+N` (the next N), or up to a revision.
    Upgrade {
        /// head | +N | <revision>
        target: String,
        #[command(flatten)]
        offline: Offline,
        /// Run even if an applied migration's file was changed since.
        #[arg(long)]
        allow_modified: bool,
    },
    /// Revert migrations: `-1`/`-N` (the last N), down to a revision (kept), or `base` (all).
    Downgrade {
        /// -N | <revision> | base
        #[arg(allow_hyphen_values = true)]
        target: String,
        #[command(flatten)]
        offline: Offline,
        /// Run even if an applied migration's file was changed since.
        #[arg(long)]
        allow_modified: bool,
    },
    /// Print the revision the database is at.
    Current,
    /// List every migration, applied or not, with when it was applied.
    History,
    /// Show each migration's state: applied, pending, modified (changed after it was applied), missing or failed.
    Status,
    /// Compare the database with the schema it should have at its recorded revision.
    ///
    /// Exit status 0: in sync (pending migrations and comment-only
    /// differences are listed, not drift); 2: drift, one line per
    /// difference; 1: error.
    Check {
        /// Print the SQL that brings the database back to the expected schema instead.
        #[arg(long)]
        sql: bool,
    },
    /// Take over a database that another tool built (Alembic, sqlx, diesel, Flyway), running none of its SQL.
    ///
    /// Finds the latest migration whose schema snapshot equals the database
    /// and records it and every migration before it as applied. Exit status
    /// 2 when no snapshot matches (nothing is recorded).
    Adopt {
        /// Adopt at this revision (still verified) instead of the latest that matches.
        #[arg(long, value_name = "REVISION")]
        to: Option<String>,
        /// Show what would be recorded; record nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Record the database as being at a revision without running or checking anything.
    ///
    /// To take over a database another tool built, prefer `nzc migrate adopt`,
    /// which verifies the database first.
    Stamp {
        /// <revision> | head | base
        target: String,
    },
    /// Wait until the database is at the head of the migrations (e.g. in an app pod's initContainer while a Job migrates).
    ///
    /// Exits 0 as soon as every migration is applied; on timeout exits 1 and
    /// lists what is pending. Also waits for the database to accept
    /// connections.
    Wait {
        /// How long to wait: `60s`, `5m`, `90` (seconds), `500ms`.
        #[arg(long, default_value = "60s", value_parser = parse_duration)]
        timeout: Duration,
    },
    /// Record how a failed no-transaction migration was repaired by hand.
    ///
    /// `--applied`: its remaining statements were run by hand (or, for a
    /// failed downgrade, its reverted statements were restored), so it is
    /// applied. `--rolled-back`: its applied statements were undone by hand
    /// (or a failed downgrade was finished by hand), so it is not. An audit
    /// note is kept in the history.
    Resolve {
        /// The failed migration.
        revision: String,
        #[arg(
            long,
            conflicts_with = "rolled_back",
            required_unless_present = "rolled_back"
        )]
        applied: bool,
        #[arg(long)]
        rolled_back: bool,
    },
    /// Create an empty, hand-written migration pair.
    Revision {
        /// What the migration does; becomes its slug.
        #[arg(short, long)]
        message: String,
        /// The schema file whose current text is recorded as the state after this migration.
        #[arg(long, default_value_os_t = super::default_schema())]
        schema: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
struct Offline {
    /// Print the SQL instead of connecting (for review, or for a DBA to run).
    #[arg(long)]
    sql: bool,
    /// With --sql: the revision the database is at (default: base for upgrade, head for downgrade).
    #[arg(long, requires = "sql", value_name = "REVISION")]
    from: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dir = super::config::migrations_dir(args.global.migrations_dir.as_deref());
    if let Command::Revision { message, schema } = &args.command {
        return revision(&dir, message, schema);
    }
    let migrations = Migrations::from_dir(&dir)?;
    let migrator = Migrator::new(&migrations)
        .lock_timeout(args.global.lock_timeout.clone())
        .advisory_lock_timeout(Duration::from_secs(args.global.advisory_lock_timeout))
        .lease_timeout(Duration::from_secs(args.global.lease_timeout))
        .lock_retries(args.global.lock_retries)
        .on_progress(|p| match p {
            Progress::WaitingForLock => {
                eprintln!("waiting for another nzc that is migrating this database…")
            }
            Progress::StillWaiting(who) => eprintln!("still waiting: {who}"),
            Progress::DroppedInvalidIndex(ix) => eprintln!(
                "dropped the INVALID index {ix} left by a failed CREATE INDEX CONCURRENTLY, before building it again"
            ),
            Progress::LockRetry {
                id,
                attempt,
                of,
                table,
                wait,
            } => eprintln!(
                "{id}: a lock{} was not granted within lock_timeout; rolled back, retry {attempt} of {of} in {:.1} s",
                table.as_ref().map(|t| format!(" on {t}")).unwrap_or_default(),
                wait.as_secs_f64()
            ),
            Progress::Resuming { id, statement } => {
                println!("resuming {id} at statement {statement}")
            }
            Progress::Done(direction, d) => {
                let verb = match direction {
                    Direction::Up => "applied ",
                    Direction::Down => "reverted",
                };
                println!("{verb} {} ({})", d.id, ms(d.elapsed));
            }
            _ => {}
        });
    // Offline SQL needs no connection.
    if let Some((direction, target, offline, _)) = args.command.movement() {
        if offline.sql {
            let target: Target = target.parse()?;
            let from = offline.from.as_deref().map(str::parse).transpose()?;
            print!(
                "{}",
                migrator.offline_sql_annotated(
                    direction,
                    &target,
                    from.as_ref(),
                    &super::lint::lock_notes
                )?
            );
            return Ok(ExitCode::SUCCESS);
        }
    }
    let mut connection = args.global.connection;
    if let Command::Wait { timeout } = &args.command {
        connection = connection.waiting_at_least(*timeout);
    }
    let format = args.global.format;
    super::db::block_on(&connection, async move |client| {
        if let Some((direction, target, _, allow_modified)) = args.command.movement() {
            let migrator = migrator.allow_modified(allow_modified);
            let target: Target = target.parse()?;
            let report = match direction {
                Direction::Up => migrator.upgrade(client, target).await?,
                Direction::Down => migrator.downgrade(client, target).await?,
            };
            let now = super::report::describe_current(report.current.as_deref());
            match (direction, report.done.is_empty()) {
                (Direction::Up, true) => println!("already at {now}"),
                (Direction::Up, false) => {}
                (Direction::Down, true) => println!("nothing to revert; at {now}"),
                (Direction::Down, false) => println!("now at {now}"),
            }
            return Ok(ExitCode::SUCCESS);
        }
        match args.command {
            Command::Upgrade { .. } | Command::Downgrade { .. } | Command::Revision { .. } => {
                unreachable!("handled above")
            }
            Command::Current => {
                migrator.ensure_managed(client).await?;
                let current = migrator.current(client).await?;
                super::report::current(format, current.as_deref(), &migrator.status(client).await?);
            }
            Command::History => {
                migrator.ensure_managed(client).await?;
                let rows = migrator.history(client).await?;
                super::report::history(format, migrator.migrations()?, &rows);
            }
            Command::Status => {
                super::report::status(format, &migrator.status(client).await?);
            }
            Command::Check { sql } => {
                let drift = migrator.check(client).await?;
                if sql {
                    print!(
                        "{}",
                        drift.repair_sql_with(migrator.lock_timeout_setting(), &|sql| {
                            super::lint::lock_notes_of(sql, "nzc migrate check --sql")
                        })
                    );
                    return Ok(ExitCode::SUCCESS);
                }
                if !super::report::check(format, &drift) {
                    return Ok(ExitCode::from(EXIT_DRIFT));
                }
            }
            Command::Adopt { to, dry_run } => {
                let outcome = migrator
                    .adopt(client, &AdoptOptions { to, dry_run })
                    .await?;
                return Ok(print_adoption(&outcome, dry_run));
            }
            Command::Wait { timeout } => {
                let deadline = std::time::Instant::now() + timeout;
                loop {
                    let status = match migrator.status(client).await {
                        Ok(s) => Ok(s),
                        // Not adopted yet, or no history table yet: not at head.
                        Err(e @ nzc_migrate::Error::NotManaged(_)) => Err(e),
                        Err(e) => return Err(e.into()),
                    };
                    let pending: Vec<String> = match &status {
                        Ok(list) => list
                            .iter()
                            .filter(|(_, s)| {
                                !matches!(s, State::Applied | State::Modified | State::Missing)
                            })
                            .map(|(id, s)| match s {
                                State::Pending => id.clone(),
                                other => format!("{id}: {}", super::report::state_text(other)),
                            })
                            .collect(),
                        Err(e) => vec![e.to_string()],
                    };
                    if pending.is_empty() {
                        let at = migrator.current(client).await?;
                        println!(
                            "at head: {}",
                            super::report::describe_current(at.as_deref())
                        );
                        return Ok(ExitCode::SUCCESS);
                    }
                    if std::time::Instant::now() >= deadline {
                        eprintln!(
                            "error: the database is not at the head of the migrations after {}; pending:",
                            humanize(timeout)
                        );
                        for p in &pending {
                            eprintln!("  {p}");
                        }
                        return Ok(ExitCode::FAILURE);
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
            Command::Resolve {
                revision,
                applied,
                rolled_back: _,
            } => {
                let note = migrator.mark_resolved(client, &revision, applied).await?;
                println!("{note}");
            }
            Command::Stamp { target } => {
                let at = migrator.stamp(client, target.parse()?).await?;
                println!("stamped at {}", at.as_deref().unwrap_or("base"));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn print_adoption(outcome: &Adoption, dry_run: bool) -> ExitCode {
    let foreign_lines = |foreign: &[nzc_migrate::ForeignHistory]| {
        for f in foreign {
            println!("found {f}");
        }
    };
    match outcome {
        Adoption::AlreadyManaged { at, foreign } => {
            foreign_lines(foreign);
            println!(
                "already managed by nzc: at {}; nothing recorded",
                super::report::describe_current(at.as_deref())
            );
            if !foreign.is_empty() {
                println!("the other tool's history table is left in place; nzc ignores it");
            }
            ExitCode::SUCCESS
        }
        Adoption::Empty => {
            println!(
                "the database is empty: nothing to adopt (`nzc migrate upgrade head` builds it)"
            );
            ExitCode::SUCCESS
        }
        Adoption::Adopted {
            foreign,
            matched,
            recorded,
            would_record,
            cosmetic,
            unmanaged,
        } => {
            foreign_lines(foreign);
            if foreign.is_empty() {
                println!("found no other tool's history table");
            }
            println!("the database matches {matched}");
            for u in unmanaged {
                println!("unmanaged (left alone): {u}");
            }
            if !cosmetic.is_empty() {
                println!(
                    "{} comment difference(s) (cosmetic, not blocking): `nzc migrate check --sql` adds them",
                    cosmetic.len()
                );
            }
            if dry_run {
                for id in would_record {
                    println!("would record {id}");
                }
                println!("dry run: nothing recorded");
            } else {
                for id in recorded {
                    println!("recorded {id}");
                }
                println!("adopted at {matched}");
                if !foreign.is_empty() {
                    println!("the other tool's history table is left in place; drop it once nothing uses it");
                }
            }
            ExitCode::SUCCESS
        }
        Adoption::NoMatch {
            foreign,
            closest,
            differences,
        } => {
            foreign_lines(foreign);
            match closest {
                Some(id) => {
                    println!("no migration's schema matches the database; closest: {id}");
                    for d in differences {
                        println!("drift: {d}");
                    }
                }
                None => println!("no migration has a schema snapshot to compare with"),
            }
            println!("nothing recorded");
            ExitCode::from(EXIT_DRIFT)
        }
        _ => ExitCode::FAILURE,
    }
}

impl Command {
    /// For `upgrade` and `downgrade`: the direction, target, offline options
    /// and whether modified migrations are allowed.
    fn movement(&self) -> Option<(Direction, &str, &Offline, bool)> {
        match self {
            Command::Upgrade {
                target,
                offline,
                allow_modified,
            } => Some((Direction::Up, target, offline, *allow_modified)),
            Command::Downgrade {
                target,
                offline,
                allow_modified,
            } => Some((Direction::Down, target, offline, *allow_modified)),
            _ => None,
        }
    }
}

/// `60s`, `5m`, `1h`, `500ms`, or a number of seconds.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}`: expected a duration such as 60s, 5m or 500ms"))?;
    Ok(match unit {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" | "min" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (ms, s, m, h)")),
    })
}

fn humanize(d: Duration) -> String {
    if d.subsec_millis() != 0 || d.as_secs() == 0 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_secs())
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// The hint the CLI adds to a library error: which flag or command helps.
pub fn hint(e: &nzc_migrate::Error) -> Option<String> {
    use nzc_migrate::{ConnectFailure, Error};
    Some(match e {
        Error::NoUrl => format!(
            "set it (or DB_URL), put it in a .env file, or pass --database-url, e.g.\n        DATABASE_URL={}",
            nzc_migrate::url::EXAMPLE
        ),
        Error::Modified { .. } => {
            "restore the file as applied, or pass --allow-modified to run anyway".into()
        }
        Error::LockTimeout(_) => "wait for it, or raise --advisory-lock-timeout".into(),
        Error::ResumeChanged { id, .. } => format!(
            "restore the statements that ran, or repair by hand and record it with `nzc migrate resolve {id} --applied` or `--rolled-back`"
        ),
        Error::Failed(f) if !f.rolled_back => format!(
            "fix the statement and run the same `nzc migrate` command again to resume there, or repair by hand and run `nzc migrate resolve {} --applied | --rolled-back`",
            f.id
        ),
        Error::UnknownRevision(_) => "`nzc migrate history` lists them".into(),
        Error::NotManaged(n) => {
            if n.foreign.is_empty() {
                "if it holds the schema of one of the migrations, `nzc migrate adopt` records it; else migrate an empty database".into()
            } else {
                "`nzc migrate adopt` takes it over: it finds the migration whose schema the database has and records it, running nothing".into()
            }
        }
        Error::Failed(f) if f.code == "55P03" => format!(
            "a lock{} was not granted within lock_timeout: the table is busy. Retry later, or raise --lock-timeout or --lock-retries",
            nzc_migrate::runner::locked_table(&f.statement)
                .map(|t| format!(" on {t}"))
                .unwrap_or_default()
        ),
        Error::Connect { failure, dbname, .. } => match failure {
            ConnectFailure::Refused => {
                "is the server running? Locally: `docker compose up -d db`; in start-up races pass --wait 60".into()
            }
            ConnectFailure::Timeout => {
                "check host, port and firewall; raise DB_CONNECT_TIMEOUT or pass --wait".into()
            }
            ConnectFailure::Authentication => {
                "check the user name and password in DATABASE_URL".into()
            }
            ConnectFailure::NoSuchDatabase => format!(
                "create it (`createdb {dbname}`) or fix the database name in DATABASE_URL"
            ),
            ConnectFailure::StartingUp => "pass --wait 60 to retry".into(),
            _ => return None,
        },
        _ => return None,
    })
}

/// `nzc migrate revision -m "…"`: an empty pair, recording the current schema as its state.
fn revision(dir: &Path, message: &str, schema: &Path) -> anyhow::Result<ExitCode> {
    let files = Migrations::from_dir(dir)?.list()?;
    let version = super::compile::next_version(&files, None)?;
    let slug = nzc_codegen::migration::slug_from_message(message);
    let id = format!("{version}_{slug}");
    let path = dir.join(&id);
    let (up, down) = nzc_codegen::migration::empty(&id, message);
    let snapshot = match std::fs::read_to_string(schema) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", schema.display())),
    };
    std::fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
    super::files::write_atomic(&path.join("up.sql"), &up)?;
    super::files::write_atomic(&path.join("down.sql"), &down)?;
    if let Some(s) = snapshot {
        super::files::write_atomic(&path.join(nzc_migrate::SNAPSHOT), &s)?;
    }
    println!("created {}", path.display());
    Ok(ExitCode::SUCCESS)
}
