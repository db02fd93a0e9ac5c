//! `nzc migrate …`: apply, revert and inspect migrations on the database
//! named by `--database-url`, `DATABASE_URL` or `DB_URL` (environment or `.env`).

use anyhow::Context as _;
use nzc::migrate::runner::{self, Applied, State};
use nzc::migrate::{self, files, url, Direction, MigrateError, Migration, RunOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Args)]
struct Global {
    /// Database URL (default: $DATABASE_URL, then $DB_URL, also read from ./.env).
    /// postgresql://, postgres:// and postgresql+psycopg:// URLs are accepted.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// The migrations directory (default: `migrations` next to the schema, or nzc.toml's `[migrations] dir`).
    #[arg(long, global = true, value_name = "DIR")]
    migrations_dir: Option<PathBuf>,
    /// Retry the first connection for up to this many seconds (start-up order in compose/Kubernetes).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 0)]
    wait: u64,
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
    /// Show each migration's state: applied, pending, modified (changed after it was applied) or missing.
    Status,
    /// Record the database as being at a revision without running anything (adopt an existing database).
    Stamp {
        /// <revision> | head | base
        target: String,
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
    let dir = args.global.migrations_dir.clone().unwrap_or_else(|| {
        super::config::load(Path::new(super::DEFAULT_SCHEMA))
            .map(|c| c.migrations.dir)
            .unwrap_or_else(|_| PathBuf::from("migrations"))
    });
    if let Command::Revision { message, schema } = &args.command {
        return revision(&dir, message, schema);
    }
    let files = migrate::load_dir(&dir)?;
    let options = RunOptions {
        lock_timeout: args.global.lock_timeout.clone(),
        advisory_lock_timeout: Duration::from_secs(args.global.advisory_lock_timeout),
        allow_modified: false,
    };
    // Offline SQL needs no connection.
    if let Some((direction, target, offline, _)) = args.command.movement() {
        if offline.sql {
            let applied = offline_applied(&files, offline.from.as_deref(), direction)?;
            let todo = plan(direction, &files, &applied, target)?;
            print!("{}", runner::offline_sql(&todo, direction, &options, &dir));
            return Ok(ExitCode::SUCCESS);
        }
    }
    let opts = connect_options(args.global.database_url.as_deref())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let mut client =
            migrate::connect::connect(&opts, Duration::from_secs(args.global.wait)).await?;
        let waiting = || eprintln!("waiting for another nzc that is migrating this database…");
        if let Some((direction, target, _, allow_modified)) = args.command.movement() {
            let options = RunOptions {
                allow_modified,
                ..options
            };
            let verb = match direction {
                Direction::Up => "applied ",
                Direction::Down => "reverted",
            };
            let done = runner::run(
                &mut client,
                &files,
                direction,
                &options,
                |applied| plan(direction, &files, applied, target),
                |d| println!("{verb} {} ({})", d.id, ms(d.elapsed)),
                waiting,
            )
            .await?;
            let now = describe_current(&runner::history(&client).await?);
            match (direction, done.is_empty()) {
                (Direction::Up, true) => println!("already at {now}"),
                (Direction::Up, false) => {}
                (Direction::Down, true) => println!("nothing to revert; at {now}"),
                (Direction::Down, false) => println!("now at {now}"),
            }
            return Ok(ExitCode::SUCCESS);
        }
        match args.command {
            Command::Upgrade { .. } | Command::Downgrade { .. } => unreachable!("handled above"),
            Command::Current => println!("{}", describe_current(&runner::history(&client).await?)),
            Command::History => {
                let applied = runner::history(&client).await?;
                for m in &files {
                    match applied.iter().find(|a| a.version == m.version) {
                        Some(a) => println!(
                            "{}  applied {} ({} ms)",
                            m.id(),
                            a.applied_at,
                            a.execution_ms
                        ),
                        None => println!("{}  pending", m.id()),
                    }
                }
                for a in applied
                    .iter()
                    .filter(|a| !files.iter().any(|m| m.version == a.version))
                {
                    println!(
                        "{}_{}  applied {} (file missing)",
                        a.version, a.name, a.applied_at
                    );
                }
            }
            Command::Status => {
                let applied = runner::history(&client).await?;
                for (id, state) in runner::status(&files, &applied) {
                    let s = match state {
                        State::Applied => "applied",
                        State::Pending => "pending",
                        State::Modified => "MODIFIED (changed after it was applied)",
                        State::Missing => "MISSING (applied, no file)",
                    };
                    println!("{s:<9} {id}");
                }
            }
            Command::Stamp { target } => {
                let upto: Vec<&Migration> = match target.as_str() {
                    "base" => Vec::new(),
                    "head" => files.iter().collect(),
                    rev => {
                        let m = migrate::resolve(&files, rev)?;
                        files
                            .iter()
                            .filter(|f| {
                                files::version_key(&f.version) <= files::version_key(&m.version)
                            })
                            .collect()
                    }
                };
                runner::stamp(&mut client, &files, &upto, &options).await?;
                println!(
                    "stamped at {}",
                    upto.last().map_or_else(|| "base".to_string(), |m| m.id())
                );
            }
            Command::Revision { .. } => unreachable!(),
        }
        Ok::<_, anyhow::Error>(ExitCode::SUCCESS)
    })
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

/// The migrations a move to `target` runs, in the order they run.
fn plan<'m>(
    direction: Direction,
    files: &'m [Migration],
    applied: &[Applied],
    target: &str,
) -> Result<Vec<&'m Migration>, MigrateError> {
    match direction {
        Direction::Up => plan_upgrade(files, applied, target),
        Direction::Down => plan_downgrade(files, applied, target),
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

fn describe_current(applied: &[Applied]) -> String {
    applied.last().map_or_else(
        || "base (no migration applied)".to_string(),
        |a| format!("{}_{}", a.version, a.name),
    )
}

/// The URL from the flag, the environment or `.env`, parsed.
fn connect_options(flag: Option<&str>) -> Result<url::ConnectOptions, MigrateError> {
    let from_env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let dotenv: Vec<(String, String)> = dotenvy::from_path_iter(".env")
        .map(|it| it.filter_map(Result::ok).collect())
        .unwrap_or_default();
    let from_dotenv = |name: &str| {
        dotenv
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let lookup = |name: &str| from_env(name).or_else(|| from_dotenv(name));
    let raw = flag
        .map(str::to_string)
        .or_else(|| lookup("DATABASE_URL"))
        .or_else(|| lookup("DB_URL"))
        .ok_or(MigrateError::NoUrl)?;
    let timeout = match lookup("DB_CONNECT_TIMEOUT") {
        Some(t) => Some(Duration::from_secs(
            t.trim()
                .parse::<u64>()
                .map_err(|_| {
                    MigrateError::Url(format!(
                        "DB_CONNECT_TIMEOUT must be a number of seconds, not `{t}`"
                    ))
                })?
                .max(1),
        )),
        None => None,
    };
    url::parse(&raw, timeout)
}

/// For `--sql`: the history as if the database were at `from`.
fn offline_applied(
    files: &[Migration],
    from: Option<&str>,
    direction: Direction,
) -> Result<Vec<Applied>, MigrateError> {
    let upto = match (from, direction) {
        (None, Direction::Up) | (Some("base"), _) => 0,
        (None, Direction::Down) | (Some("head"), _) => files.len(),
        (Some(rev), _) => {
            let m = migrate::resolve(files, rev)?;
            files
                .iter()
                .position(|f| f.version == m.version)
                .map_or(0, |i| i + 1)
        }
    };
    Ok(files[..upto]
        .iter()
        .map(|m| Applied {
            version: m.version.clone(),
            name: m.name.clone(),
            checksum: m.up.checksum.clone(),
            applied_at: String::new(),
            execution_ms: 0,
        })
        .collect())
}

fn is_applied(applied: &[Applied], m: &Migration) -> bool {
    applied.iter().any(|a| a.version == m.version)
}

/// The migrations `upgrade <target>` runs, in order.
pub fn plan_upgrade<'m>(
    files: &'m [Migration],
    applied: &[Applied],
    target: &str,
) -> Result<Vec<&'m Migration>, MigrateError> {
    let pending: Vec<&Migration> = files.iter().filter(|m| !is_applied(applied, m)).collect();
    Ok(match target {
        "head" => pending,
        t if t.starts_with('+') => {
            let n: usize = t[1..]
                .parse()
                .map_err(|_| MigrateError::Invalid(format!("`{t}`: expected +N, e.g. +1")))?;
            pending.into_iter().take(n).collect()
        }
        rev => {
            let m = migrate::resolve(files, rev)?;
            pending
                .into_iter()
                .filter(|p| files::version_key(&p.version) <= files::version_key(&m.version))
                .collect()
        }
    })
}

/// The migrations `downgrade <target>` reverts, in the order they are reverted.
pub fn plan_downgrade<'m>(
    files: &'m [Migration],
    applied: &[Applied],
    target: &str,
) -> Result<Vec<&'m Migration>, MigrateError> {
    let mut applied: Vec<&Applied> = applied.iter().collect();
    applied.reverse();
    let selected: Vec<&Applied> = match target {
        "base" => applied,
        t if t.starts_with('-') => {
            let n: usize = t[1..]
                .parse()
                .map_err(|_| MigrateError::Invalid(format!("`{t}`: expected -N, e.g. -1")))?;
            applied.into_iter().take(n).collect()
        }
        rev => {
            let m = migrate::resolve(files, rev)?;
            applied
                .into_iter()
                .filter(|a| files::version_key(&a.version) > files::version_key(&m.version))
                .collect()
        }
    };
    selected
        .into_iter()
        .map(|a| {
            files
                .iter()
                .find(|m| m.version == a.version)
                .ok_or_else(|| MigrateError::MissingFiles(format!("{}_{}", a.version, a.name)))
        })
        .collect()
}

/// `nzc migrate revision -m "…"`: an empty pair, recording the current schema as its state.
fn revision(dir: &Path, message: &str, schema: &Path) -> anyhow::Result<ExitCode> {
    let files = migrate::load_dir(dir)?;
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
    super::compile::write_atomic(&path.join("up.sql"), &up)?;
    super::compile::write_atomic(&path.join("down.sql"), &down)?;
    if let Some(s) = snapshot {
        super::compile::write_atomic(&path.join(files::SNAPSHOT), &s)?;
    }
    println!("created {}", path.display());
    Ok(ExitCode::SUCCESS)
}
