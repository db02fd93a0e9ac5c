//! The history table `nzc_migrations` and the migration lock: their DDL
//! and every query on them, spelled once (the runner, `stamp`, `adopt` and
//! the offline `--sql` output all use these).

use crate::error::db;
use crate::files::{version_key, Migration};
use crate::Error;
use nzc_dsl::quote_literal;
use std::time::{Duration, Instant};
use tokio_postgres::GenericClient;

/// The history table.
pub const HISTORY_TABLE: &str = "nzc_migrations";

/// Key of the advisory lock (an arbitrary constant: "nzc" + "migrate").
pub const LOCK_KEY: i64 = 0x6e7a_635f_6d69_6772;

/// The history table's DDL.
pub const CREATE_HISTORY_TABLE: &str = "CREATE TABLE IF NOT EXISTS nzc_migrations (
    version text PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    execution_ms bigint NOT NULL
)";

const EXISTS: &str = "SELECT to_regclass('nzc_migrations') IS NOT NULL";
const SELECT: &str = "SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', execution_ms FROM nzc_migrations";
const INSERT: &str =
    "INSERT INTO nzc_migrations (version, name, checksum, execution_ms) VALUES ($1, $2, $3, $4)";
const DELETE: &str = "DELETE FROM nzc_migrations WHERE version = $1";
const DELETE_ALL: &str = "DELETE FROM nzc_migrations";

/// A row of the history table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub version: String,
    pub name: String,
    pub checksum: String,
    /// `YYYY-MM-DD HH:MM:SS UTC`
    pub applied_at: String,
    pub execution_ms: i64,
}

impl Applied {
    /// `<version>_<name>`
    pub fn id(&self) -> String {
        format!("{}_{}", self.version, self.name)
    }

    /// The row a migration would have once applied (for planning offline).
    pub fn of(m: &Migration) -> Applied {
        Applied {
            version: m.version.clone(),
            name: m.name.clone(),
            checksum: m.up.checksum.clone(),
            applied_at: String::new(),
            execution_ms: 0,
        }
    }
}

/// Whether the history table exists.
pub async fn exists(client: &impl GenericClient) -> Result<bool, Error> {
    Ok(client
        .query_one(EXISTS, &[])
        .await
        .map_err(db("cannot look for the history table"))?
        .get(0))
}

/// Reads the history, sorted by version (empty when the table does not exist).
pub async fn read(client: &impl GenericClient) -> Result<Vec<Applied>, Error> {
    if !exists(client).await? {
        return Ok(Vec::new());
    }
    let rows = client
        .query(SELECT, &[])
        .await
        .map_err(db("cannot read the history table nzc_migrations"))?;
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
    out.sort_by(|a, b| version_key(&a.version).cmp(&version_key(&b.version)));
    Ok(out)
}

pub(crate) async fn create(client: &impl GenericClient) -> Result<(), Error> {
    client
        .batch_execute(CREATE_HISTORY_TABLE)
        .await
        .map_err(db("cannot create the history table nzc_migrations"))
}

pub(crate) async fn insert(
    client: &impl GenericClient,
    m: &Migration,
    execution_ms: i64,
) -> Result<(), Error> {
    client
        .execute(
            INSERT,
            &[&m.version, &m.name, &m.up.checksum, &execution_ms],
        )
        .await
        .map_err(db("cannot record the migration in nzc_migrations"))
        .map(|_| ())
}

pub(crate) async fn delete(client: &impl GenericClient, version: &str) -> Result<(), Error> {
    client
        .execute(DELETE, &[&version])
        .await
        .map_err(db("cannot remove the migration from nzc_migrations"))
        .map(|_| ())
}

pub(crate) async fn delete_all(client: &impl GenericClient) -> Result<(), Error> {
    client
        .execute(DELETE_ALL, &[])
        .await
        .map_err(db("cannot clear nzc_migrations"))
        .map(|_| ())
}

/// The `INSERT` of `insert` with literal values, for offline SQL.
pub fn insert_sql(m: &Migration) -> String {
    format!(
        "INSERT INTO nzc_migrations (version, name, checksum, execution_ms) VALUES ({}, {}, {}, 0);",
        quote_literal(&m.version),
        quote_literal(&m.name),
        quote_literal(&m.up.checksum)
    )
}

/// The `DELETE` of `delete` with a literal value, for offline SQL.
pub fn delete_sql(m: &Migration) -> String {
    format!(
        "DELETE FROM nzc_migrations WHERE version = {};",
        quote_literal(&m.version)
    )
}

/// Takes the session advisory lock, polling `pg_try_advisory_lock` until
/// `timeout`, calling `on_wait` once if it has to wait. The server releases
/// it when the session ends (e.g. the process is killed); [`unlock`]
/// releases it earlier.
pub async fn lock(
    client: &impl GenericClient,
    timeout: Duration,
    on_wait: &(dyn Fn() + Send + Sync),
) -> Result<(), Error> {
    let deadline = Instant::now() + timeout;
    let mut told = false;
    loop {
        let got: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK_KEY])
            .await
            .map_err(db("cannot take the migration lock"))?
            .get(0);
        if got {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(Error::LockTimeout(timeout));
        }
        if !told {
            on_wait();
            told = true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Releases the advisory lock.
pub async fn unlock(client: &impl GenericClient) -> Result<(), Error> {
    client
        .query_one("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await
        .map_err(db("cannot release the migration lock"))
        .map(|_| ())
}
