//! Applying and reverting migrations on a live database.
//!
//! Safety rules:
//! - one runner at a time per database: a session advisory lock taken with a
//!   try-lock loop (bounded by `advisory_lock_timeout`); the history is read
//!   again once the lock is held, so concurrent runners apply each migration
//!   exactly once;
//! - each migration runs in its own transaction together with its history
//!   row (a killed process leaves the previous version), except migrations
//!   marked `-- nzc:no-transaction`, which run statement by statement;
//! - `lock_timeout` is set for every migration so a busy table fails the
//!   migration fast instead of queueing production traffic behind it;
//! - an applied migration whose file changed stops the run (unless allowed).

use super::error::MigrateError;
use super::files::Migration;
use super::split::{line_col, split};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio_postgres::Client;

/// The history table.
pub const HISTORY_TABLE: &str = "nzc_migrations";
/// Key of the advisory lock (an arbitrary constant: "nzc" + "migrate").
pub const LOCK_KEY: i64 = 0x6e7a_635f_6d69_6772;

/// Runner settings.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// `SET lock_timeout` for each migration (PostgreSQL interval text, e.g. `5s`).
    pub lock_timeout: String,
    /// How long to wait for another runner's advisory lock.
    pub advisory_lock_timeout: Duration,
    /// Run even if an applied migration's file changed.
    pub allow_modified: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            lock_timeout: "5s".into(),
            advisory_lock_timeout: Duration::from_secs(300),
            allow_modified: false,
        }
    }
}

/// A row of the history table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub version: String,
    pub name: String,
    pub checksum: String,
    pub applied_at: String,
    pub execution_ms: i64,
}

/// Reads the history (empty when the table does not exist yet).
pub async fn history(client: &Client) -> Result<Vec<Applied>, MigrateError> {
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&HISTORY_TABLE])
        .await
        .map_err(db)?
        .get(0);
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            &format!(
                "SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', execution_ms FROM {HISTORY_TABLE}"
            ),
            &[],
        )
        .await
        .map_err(db)?;
    let mut out: Vec<Applied> = rows
        .iter()
        .map(|r| Applied {
            version: r.get(0),
            name: r.get(1),
            checksum: r.get(2),
            applied_at: r.get(3),
            execution_ms: r.get(4),
        })
        .collect();
    out.sort_by(|a, b| {
        super::files::version_key(&a.version).cmp(&super::files::version_key(&b.version))
    });
    Ok(out)
}

pub(crate) fn db(e: tokio_postgres::Error) -> MigrateError {
    MigrateError::Db(match e.as_db_error() {
        Some(d) => format!("{} (SQLSTATE {})", d.message(), d.code().code()),
        None => e.to_string(),
    })
}

async fn ensure_history_table(client: &Client) -> Result<(), MigrateError> {
    client
        .batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (
                version text PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                execution_ms bigint NOT NULL
            )"
        ))
        .await
        .map_err(db)
}

/// Takes the session advisory lock, polling `pg_try_advisory_lock` until
/// `timeout`. The server releases it when the session ends (e.g. the process
/// is killed); [`release_lock`] releases it earlier.
pub async fn acquire_lock(
    client: &Client,
    timeout: Duration,
    on_wait: impl Fn(),
) -> Result<(), MigrateError> {
    let deadline = Instant::now() + timeout;
    let mut told = false;
    loop {
        let got: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK_KEY])
            .await
            .map_err(db)?
            .get(0);
        if got {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(MigrateError::LockTimeout(timeout));
        }
        if !told {
            on_wait();
            told = true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn release_lock(client: &Client) -> Result<(), MigrateError> {
    client
        .query_one("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await
        .map_err(db)
        .map(|_| ())
}

/// Checks applied migrations against the files: a changed file stops the run.
pub fn verify_checksums(
    applied: &[Applied],
    files: &[Migration],
    allow_modified: bool,
) -> Result<(), MigrateError> {
    if allow_modified {
        return Ok(());
    }
    for a in applied {
        if let Some(m) = files.iter().find(|m| m.version == a.version) {
            if m.up.checksum != a.checksum {
                return Err(MigrateError::Modified {
                    id: m.id(),
                    file: m.up.path.clone(),
                });
            }
        }
    }
    Ok(())
}

/// What happened to one migration.
#[derive(Debug, Clone)]
pub struct Done {
    pub id: String,
    pub elapsed: Duration,
}

/// Direction of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// Applies `migrations` in order (Up) or reverts them in the given order
/// (Down), under the advisory lock, calling `report` after each.
///
/// `plan` is called with the history read under the lock and returns the
/// migrations to run; so a runner that waited for another one sees its work.
pub async fn run<'m>(
    client: &mut Client,
    files: &'m [Migration],
    direction: Direction,
    options: &RunOptions,
    plan: impl FnOnce(&[Applied]) -> Result<Vec<&'m Migration>, MigrateError>,
    mut report: impl FnMut(&Done),
    on_wait: impl Fn(),
) -> Result<Vec<Done>, MigrateError> {
    acquire_lock(client, options.advisory_lock_timeout, on_wait).await?;
    let result = async {
        ensure_history_table(client).await?;
        let applied = history(client).await?;
        verify_checksums(&applied, files, options.allow_modified)?;
        let todo = plan(&applied)?;
        let mut done = Vec::new();
        for m in todo {
            let d = apply_one(client, m, direction, options).await?;
            report(&d);
            done.push(d);
        }
        Ok(done)
    }
    .await;
    // Release even after an error; a failure to release is reported only if
    // nothing else failed (the server releases it at disconnect anyway).
    let released = release_lock(client).await;
    let done = result?;
    released?;
    Ok(done)
}

async fn apply_one(
    client: &mut Client,
    m: &Migration,
    direction: Direction,
    options: &RunOptions,
) -> Result<Done, MigrateError> {
    let script = match direction {
        Direction::Up => &m.up,
        Direction::Down => &m.down,
    };
    let started = Instant::now();
    let statements = split(&script.sql);
    let fail = |stmt_sql: &str, offset: usize, e: tokio_postgres::Error, rolled_back: bool| {
        let (line, column) = line_col(&script.sql, offset);
        let (message, code, position) = match e.as_db_error() {
            Some(d) => {
                let pos = match d.position() {
                    Some(tokio_postgres::error::ErrorPosition::Original(p)) => {
                        let byte = stmt_sql
                            .char_indices()
                            .nth((*p as usize).saturating_sub(1))
                            .map_or(stmt_sql.len(), |(i, _)| i);
                        Some(line_col(&script.sql, offset + byte))
                    }
                    _ => None,
                };
                (d.message().to_string(), d.code().code().to_string(), pos)
            }
            None => (e.to_string(), "08000".to_string(), None),
        };
        MigrateError::Failed(Box::new(super::error::Failure {
            id: m.id(),
            file: script.path.clone(),
            line,
            column,
            statement: stmt_sql.to_string(),
            message,
            code,
            position,
            rolled_back,
        }))
    };
    let set_lock_timeout = format!(
        "SET lock_timeout = {}",
        nzc_dsl::quote_literal(&options.lock_timeout)
    );

    if script.no_transaction {
        client.batch_execute(&set_lock_timeout).await.map_err(db)?;
        for st in &statements {
            client
                .batch_execute(st.sql)
                .await
                .map_err(|e| fail(st.sql, st.offset, e, false))?;
        }
        client
            .batch_execute("RESET lock_timeout")
            .await
            .map_err(db)?;
        let elapsed = started.elapsed();
        record(client, m, direction, elapsed).await?;
        return Ok(Done {
            id: m.id(),
            elapsed,
        });
    }

    let tx = client.transaction().await.map_err(db)?;
    tx.batch_execute(&set_lock_timeout.replacen("SET", "SET LOCAL", 1))
        .await
        .map_err(db)?;
    for st in &statements {
        if let Err(e) = tx.batch_execute(st.sql).await {
            let err = fail(st.sql, st.offset, e, true);
            // Dropping the transaction rolls it back; do it explicitly to surface errors.
            let _ = tx.rollback().await;
            return Err(err);
        }
    }
    let elapsed = started.elapsed();
    record(&tx, m, direction, elapsed).await?;
    tx.commit().await.map_err(db)?;
    Ok(Done {
        id: m.id(),
        elapsed,
    })
}

async fn record(
    client: &impl tokio_postgres::GenericClient,
    m: &Migration,
    direction: Direction,
    elapsed: Duration,
) -> Result<(), MigrateError> {
    match direction {
        Direction::Up => client
            .execute(
                &format!("INSERT INTO {HISTORY_TABLE} (version, name, checksum, execution_ms) VALUES ($1, $2, $3, $4)"),
                &[&m.version, &m.name, &m.up.checksum, &(elapsed.as_millis() as i64)],
            )
            .await
            .map_err(db)?,
        Direction::Down => client
            .execute(&format!("DELETE FROM {HISTORY_TABLE} WHERE version = $1"), &[&m.version])
            .await
            .map_err(db)?,
    };
    Ok(())
}

/// Makes the history say exactly `versions` are applied, without running
/// anything (`nzc migrate stamp`), under the advisory lock.
pub async fn stamp(
    client: &mut Client,
    files: &[Migration],
    target: &[&Migration],
    options: &RunOptions,
) -> Result<(), MigrateError> {
    acquire_lock(client, options.advisory_lock_timeout, || {}).await?;
    let result = async {
        ensure_history_table(client).await?;
        let tx = client.transaction().await.map_err(db)?;
        tx.execute(&format!("DELETE FROM {HISTORY_TABLE}"), &[]).await.map_err(db)?;
        for m in target {
            tx.execute(
                &format!("INSERT INTO {HISTORY_TABLE} (version, name, checksum, execution_ms) VALUES ($1, $2, $3, 0)"),
                &[&m.version, &m.name, &m.up.checksum],
            )
            .await
            .map_err(db)?;
        }
        let _ = files;
        tx.commit().await.map_err(db)
    }
    .await;
    let released = release_lock(client).await;
    result?;
    released
}

/// Status of one migration for `nzc migrate status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Applied,
    Pending,
    /// Applied, but the file changed since.
    Modified,
    /// Applied, but no file for it.
    Missing,
}

/// Lines of `nzc migrate status`: each migration (files and history) with its state.
pub fn status(files: &[Migration], applied: &[Applied]) -> Vec<(String, State)> {
    let mut all: BTreeMap<(usize, String), (String, State)> = BTreeMap::new();
    for m in files {
        let state = match applied.iter().find(|a| a.version == m.version) {
            None => State::Pending,
            Some(a) if a.checksum != m.up.checksum => State::Modified,
            Some(_) => State::Applied,
        };
        let key = super::files::version_key(&m.version);
        all.insert((key.0, key.1.to_string()), (m.id(), state));
    }
    for a in applied {
        if !files.iter().any(|m| m.version == a.version) {
            let key = super::files::version_key(&a.version);
            all.insert(
                (key.0, key.1.to_string()),
                (format!("{}_{}", a.version, a.name), State::Missing),
            );
        }
    }
    all.into_values().collect()
}

/// Offline SQL (`--sql`): what the runner would execute, for review or for a
/// DBA to apply by hand.
pub fn offline_sql(
    todo: &[&Migration],
    direction: Direction,
    options: &RunOptions,
    dir: &Path,
) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "-- nzc migrate --sql ({}), migrations from {}\n\nCREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (\n    version text PRIMARY KEY,\n    name text NOT NULL,\n    checksum text NOT NULL,\n    applied_at timestamptz NOT NULL DEFAULT now(),\n    execution_ms bigint NOT NULL\n);\n",
        if direction == Direction::Up { "upgrade" } else { "downgrade" },
        dir.display()
    ));
    for m in todo {
        let script = if direction == Direction::Up {
            &m.up
        } else {
            &m.down
        };
        let tx = !script.no_transaction;
        out.push('\n');
        if tx {
            out.push_str("BEGIN;\n");
            out.push_str(&format!(
                "SET LOCAL lock_timeout = {};\n",
                nzc_dsl::quote_literal(&options.lock_timeout)
            ));
        }
        out.push_str(script.sql.trim_end());
        out.push('\n');
        match direction {
            Direction::Up => out.push_str(&format!(
                "INSERT INTO {HISTORY_TABLE} (version, name, checksum, execution_ms) VALUES ({}, {}, {}, 0);\n",
                nzc_dsl::quote_literal(&m.version),
                nzc_dsl::quote_literal(&m.name),
                nzc_dsl::quote_literal(&m.up.checksum)
            )),
            Direction::Down => out.push_str(&format!(
                "DELETE FROM {HISTORY_TABLE} WHERE version = {};\n",
                nzc_dsl::quote_literal(&m.version)
            )),
        }
        if tx {
            out.push_str("COMMIT;\n");
        }
    }
    out
}
