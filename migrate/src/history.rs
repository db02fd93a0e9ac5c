//! The history table `nzc_migrations` and the migration lock: their DDL
//! and every query on them, spelled once (the runner, `stamp`, `adopt`,
//! `resolve` and the offline `--sql` output all use these).
//!
//! # Safe behind connection poolers
//!
//! Every query here goes through the unnamed statement (`query_typed`) or
//! the simple protocol (`batch_execute`): no named prepared statement is
//! left on a server connection, which a transaction-mode pooler (PgBouncer,
//! RDS Proxy) would hand to another client.
//!
//! The migration lock is **transaction-scoped**: every transaction that
//! reads or writes the history first takes `pg_try_advisory_xact_lock`
//! ([`lock_in`]), which PostgreSQL releases at COMMIT or ROLLBACK — so it
//! can neither leak on a pooled server connection nor be split across two
//! of them. A migration that runs without a transaction spans several
//! transactions; while it runs, its history row is a **lease** (state
//! `running`, a holder id, `lease_until`), renewed after every statement;
//! other runners wait while the lease is live (see [`lease_is_live`]).

use crate::error::db;
use crate::files::{version_key, Migration};
use crate::Error;
use nzc_dsl::quote_literal;
use tokio_postgres::types::Type;
use tokio_postgres::GenericClient;

/// The history table.
pub const HISTORY_TABLE: &str = "nzc_migrations";

/// Key of the advisory lock (an arbitrary constant: "nzc" + "migrate").
pub const LOCK_KEY: i64 = 0x6e7a_635f_6d69_6772;

/// How long a no-transaction migration's lease lasts without renewal, by
/// default. A runner renews it after every statement; a statement that
/// runs longer keeps it alive by being visible in `pg_stat_activity` (see
/// [`lease_is_live`]). So a runner killed during such a migration holds
/// the others up for at most this long after its last statement.
pub const DEFAULT_LEASE_SECONDS: i32 = 30;

/// The history table's DDL.
pub const CREATE_HISTORY_TABLE: &str = "CREATE TABLE IF NOT EXISTS nzc_migrations (
    version text PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    execution_ms bigint NOT NULL,
    state text NOT NULL DEFAULT 'applied',
    statements_done integer,
    prefix_checksum text,
    error text,
    holder text,
    lease_until timestamptz,
    note text
)";

/// Brings a history table of nzc ≤ 0.1 (five columns) to the current layout.
const UPGRADE_HISTORY_TABLE: &str = "ALTER TABLE nzc_migrations
    ADD COLUMN IF NOT EXISTS state text NOT NULL DEFAULT 'applied',
    ADD COLUMN IF NOT EXISTS statements_done integer,
    ADD COLUMN IF NOT EXISTS prefix_checksum text,
    ADD COLUMN IF NOT EXISTS error text,
    ADD COLUMN IF NOT EXISTS holder text,
    ADD COLUMN IF NOT EXISTS lease_until timestamptz,
    ADD COLUMN IF NOT EXISTS note text";

const EXISTS: &str = "SELECT to_regclass('nzc_migrations') IS NOT NULL";
const HAS_STATE: &str = "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'nzc_migrations'::regclass AND attname = 'state' AND NOT attisdropped)";
const SELECT: &str = "SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', execution_ms, state, statements_done, prefix_checksum, error, holder, lease_until > now(), note FROM nzc_migrations";
const SELECT_OLD: &str = "SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', execution_ms, 'applied', NULL::integer, NULL::text, NULL::text, NULL::text, NULL::boolean, NULL::text FROM nzc_migrations";
const INSERT: &str =
    "INSERT INTO nzc_migrations (version, name, checksum, execution_ms) VALUES ($1, $2, $3, $4)";
const DELETE: &str = "DELETE FROM nzc_migrations WHERE version = $1";
const DELETE_ALL: &str = "DELETE FROM nzc_migrations";

/// The state of a history row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowState {
    /// Applied.
    Applied,
    /// A no-transaction migration being applied (its lease).
    Running,
    /// A no-transaction migration that failed part-way: `statements_done`
    /// of its statements are applied.
    Failed,
    /// A no-transaction down migration being run.
    Reverting,
    /// A no-transaction down migration that failed part-way.
    RevertFailed,
    /// Not applied: a failed migration that `nzc migrate resolve
    /// --rolled-back` recorded as undone by hand. The row stays for its
    /// audit note; the migration is pending again.
    RolledBack,
}

impl RowState {
    fn parse(s: &str) -> RowState {
        match s {
            "running" => RowState::Running,
            "failed" => RowState::Failed,
            "reverting" => RowState::Reverting,
            "revert_failed" => RowState::RevertFailed,
            "rolled_back" => RowState::RolledBack,
            _ => RowState::Applied,
        }
    }

    /// The spelling in the table.
    pub fn as_str(self) -> &'static str {
        match self {
            RowState::Applied => "applied",
            RowState::Running => "running",
            RowState::Failed => "failed",
            RowState::Reverting => "reverting",
            RowState::RevertFailed => "revert_failed",
            RowState::RolledBack => "rolled_back",
        }
    }

    /// Whether the migration counts as applied (for `current`, planning):
    /// applied, or applied and part-way through being reverted.
    pub fn counts_as_applied(self) -> bool {
        matches!(
            self,
            RowState::Applied | RowState::Reverting | RowState::RevertFailed
        )
    }

    /// Whether a runner is (or was, if its lease expired) in the middle of it.
    pub fn in_progress(self) -> bool {
        matches!(self, RowState::Running | RowState::Reverting)
    }
}

/// A row of the history table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub version: String,
    pub name: String,
    pub checksum: String,
    /// `YYYY-MM-DD HH:MM:SS UTC`
    pub applied_at: String,
    pub execution_ms: i64,
    pub state: RowState,
    /// Of a failed or running no-transaction migration: how many of its
    /// statements are applied.
    pub statements_done: Option<i32>,
    /// Checksum of those statements' text (see [`prefix_checksum`]).
    pub prefix_checksum: Option<String>,
    /// Of a failed one: PostgreSQL's message.
    pub error: Option<String>,
    /// Of a running one: the runner that holds the lease.
    pub holder: Option<String>,
    /// Of a running one: whether the lease has not expired yet.
    pub lease_live: bool,
    /// An audit note (`nzc migrate resolve`).
    pub note: Option<String>,
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
            state: RowState::Applied,
            statements_done: None,
            prefix_checksum: None,
            error: None,
            holder: None,
            lease_live: false,
            note: None,
        }
    }
}

/// Checksum of the first statements of a script (what a failed
/// no-transaction migration had applied), to tell whether they changed.
pub fn prefix_checksum(statements: &[&str]) -> String {
    crate::files::checksum(&statements.join("\n;\n"))
}

async fn one_bool(
    client: &impl GenericClient,
    sql: &str,
    context: &'static str,
) -> Result<bool, Error> {
    let rows = client.query_typed(sql, &[]).await.map_err(db(context))?;
    Ok(rows.first().is_some_and(|r| r.get::<_, bool>(0)))
}

/// Whether the history table exists.
pub async fn exists(client: &impl GenericClient) -> Result<bool, Error> {
    one_bool(client, EXISTS, "cannot look for the history table").await
}

/// Reads the history, sorted by version (empty when the table does not
/// exist). Rows of every state; see [`RowState::counts_as_applied`].
pub async fn read(client: &impl GenericClient) -> Result<Vec<Applied>, Error> {
    if !exists(client).await? {
        return Ok(Vec::new());
    }
    let current = one_bool(
        client,
        HAS_STATE,
        "cannot read the history table nzc_migrations",
    )
    .await?;
    if current {
        read_current(client).await
    } else {
        read_rows(client, SELECT_OLD).await
    }
}

/// Creates (or brings up to date) the history table and reads it: what a
/// locked step of the runner starts with, without looking twice whether the
/// table exists.
pub(crate) async fn create_and_read(client: &impl GenericClient) -> Result<Vec<Applied>, Error> {
    create(client).await?;
    read_current(client).await
}

/// Reads a history table known to exist in the current layout.
pub(crate) async fn read_current(client: &impl GenericClient) -> Result<Vec<Applied>, Error> {
    read_rows(client, SELECT).await
}

async fn read_rows(client: &impl GenericClient, sql: &str) -> Result<Vec<Applied>, Error> {
    let rows = client
        .query_typed(sql, &[])
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
            state: RowState::parse(r.get(5)),
            statements_done: r.get(6),
            prefix_checksum: r.get(7),
            error: r.get(8),
            holder: r.get(9),
            lease_live: r.get::<_, Option<bool>>(10).unwrap_or(false),
            note: r.get(11),
        })
        .collect();
    out.sort_by(|a, b| version_key(&a.version).cmp(&version_key(&b.version)));
    Ok(out)
}

/// The rows that count as applied.
pub fn applied_only(rows: &[Applied]) -> Vec<Applied> {
    rows.iter()
        .filter(|r| r.state.counts_as_applied())
        .cloned()
        .collect()
}

/// Creates the history table, or brings an older one to the current layout.
/// Call under the lock.
pub(crate) async fn create(client: &impl GenericClient) -> Result<(), Error> {
    let context = "cannot create the history table nzc_migrations";
    if exists(client).await? {
        if !one_bool(client, HAS_STATE, context).await? {
            client
                .batch_execute(UPGRADE_HISTORY_TABLE)
                .await
                .map_err(db(context))?;
        }
        return Ok(());
    }
    client
        .batch_execute(CREATE_HISTORY_TABLE)
        .await
        .map_err(db(context))
}

async fn exec(
    client: &impl GenericClient,
    sql: &str,
    params: &[(&(dyn tokio_postgres::types::ToSql + Sync), Type)],
    context: &'static str,
) -> Result<u64, Error> {
    // `query_typed` runs on the unnamed statement; an UPDATE/DELETE …
    // RETURNING 1 gives the count of rows it touched.
    let rows = client.query_typed(sql, params).await.map_err(db(context))?;
    Ok(rows.len() as u64)
}

pub(crate) async fn insert(
    client: &impl GenericClient,
    m: &Migration,
    execution_ms: i64,
) -> Result<(), Error> {
    exec(
        client,
        &format!("{INSERT} ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum, applied_at = now(), execution_ms = EXCLUDED.execution_ms, state = 'applied', statements_done = NULL, prefix_checksum = NULL, error = NULL, holder = NULL, lease_until = NULL RETURNING 1"),
        &[
            (&m.version, Type::TEXT),
            (&m.name, Type::TEXT),
            (&m.up.checksum, Type::TEXT),
            (&execution_ms, Type::INT8),
        ],
        "cannot record the migration in nzc_migrations",
    )
    .await
    .map(|_| ())
}

pub(crate) async fn delete(client: &impl GenericClient, version: &str) -> Result<(), Error> {
    exec(
        client,
        &format!("{DELETE} RETURNING 1"),
        &[(&version, Type::TEXT)],
        "cannot remove the migration from nzc_migrations",
    )
    .await
    .map(|_| ())
}

pub(crate) async fn delete_all(client: &impl GenericClient) -> Result<(), Error> {
    exec(
        client,
        &format!("{DELETE_ALL} RETURNING 1"),
        &[],
        "cannot clear nzc_migrations",
    )
    .await
    .map(|_| ())
}

/// Takes (or renews) the lease of a no-transaction migration: its row in
/// state `running` (up) or `reverting` (down), held by `holder`, with
/// `statements_done` statements applied. Call under the lock.
pub(crate) async fn take_lease(
    client: &impl GenericClient,
    m: &Migration,
    state: RowState,
    holder: &str,
    statements_done: i32,
    prefix: &str,
    lease_seconds: i32,
) -> Result<(), Error> {
    let sql = "INSERT INTO nzc_migrations (version, name, checksum, execution_ms, state, statements_done, prefix_checksum, holder, lease_until)
         VALUES ($1, $2, $3, 0, $4, $5, $6, $7, now() + make_interval(secs => $8))
         ON CONFLICT (version) DO UPDATE SET state = EXCLUDED.state, statements_done = EXCLUDED.statements_done,
             prefix_checksum = EXCLUDED.prefix_checksum, holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until, error = NULL
         RETURNING 1";
    exec(
        client,
        sql,
        &[
            (&m.version, Type::TEXT),
            (&m.name, Type::TEXT),
            (&m.up.checksum, Type::TEXT),
            (&state.as_str(), Type::TEXT),
            (&statements_done, Type::INT4),
            (&prefix, Type::TEXT),
            (&holder, Type::TEXT),
            (&f64::from(lease_seconds), Type::FLOAT8),
        ],
        "cannot take the lease of a no-transaction migration",
    )
    .await
    .map(|_| ())
}

/// Records progress of a no-transaction migration and renews its lease.
/// Fails when the lease is no longer ours (another runner took over an
/// expired lease).
pub(crate) async fn renew_lease(
    client: &impl GenericClient,
    version: &str,
    holder: &str,
    statements_done: i32,
    prefix: &str,
    lease_seconds: i32,
) -> Result<(), Error> {
    let n = exec(
        client,
        "UPDATE nzc_migrations SET statements_done = $3, prefix_checksum = $4, lease_until = now() + make_interval(secs => $5) WHERE version = $1 AND holder = $2 RETURNING 1",
        &[
            (&version, Type::TEXT),
            (&holder, Type::TEXT),
            (&statements_done, Type::INT4),
            (&prefix, Type::TEXT),
            (&f64::from(lease_seconds), Type::FLOAT8),
        ],
        "cannot record the progress of a no-transaction migration",
    )
    .await?;
    if n != 1 {
        return Err(Error::LeaseLost(version.to_string()));
    }
    Ok(())
}

/// Ends a failed no-transaction migration's lease, recording where it
/// stopped and why (state `failed` / `revert_failed`).
pub(crate) async fn record_failure(
    client: &impl GenericClient,
    version: &str,
    holder: &str,
    state: RowState,
    error: &str,
) -> Result<(), Error> {
    let n = exec(
        client,
        "UPDATE nzc_migrations SET state = $3, error = $4, holder = NULL, lease_until = NULL WHERE version = $1 AND holder = $2 RETURNING 1",
        &[
            (&version, Type::TEXT),
            (&holder, Type::TEXT),
            (&state.as_str(), Type::TEXT),
            (&error, Type::TEXT),
        ],
        "cannot record the failure of a no-transaction migration",
    )
    .await?;
    if n != 1 {
        return Err(Error::LeaseLost(version.to_string()));
    }
    Ok(())
}

/// Marks a row as `failed` after its runner's lease expired without it
/// finishing (the runner died): the next run resumes it.
pub(crate) async fn expire(client: &impl GenericClient, row: &Applied) -> Result<(), Error> {
    let state = match row.state {
        RowState::Reverting => RowState::RevertFailed,
        _ => RowState::Failed,
    };
    let error = format!(
        "the runner stopped after {} statement(s) (its lease expired)",
        row.statements_done.unwrap_or(0)
    );
    exec(
        client,
        "UPDATE nzc_migrations SET state = $2, error = $3, holder = NULL, lease_until = NULL WHERE version = $1 RETURNING 1",
        &[
            (&row.version, Type::TEXT),
            (&state.as_str(), Type::TEXT),
            (&error, Type::TEXT),
        ],
        "cannot expire a lease",
    )
    .await
    .map(|_| ())
}

/// Records a hand repair of a failed no-transaction migration (`nzc
/// migrate resolve`), with an audit note kept in its row: `applied` — the
/// migration is applied (a failed up finished by hand, or a failed down
/// undone by hand); not `applied` — it is not (a failed up undone by hand,
/// or a failed down finished by hand): state `rolled_back`, pending again.
/// Returns the note.
pub(crate) async fn resolve(
    client: &impl GenericClient,
    m: &Migration,
    row: &Applied,
    applied: bool,
) -> Result<String, Error> {
    let note = format!(
        "resolved by hand as {} (was {} after {} statement(s): {})",
        if applied { "applied" } else { "not applied" },
        row.state.as_str(),
        row.statements_done.unwrap_or(0),
        row.error.as_deref().unwrap_or("no error recorded")
    );
    let context = "cannot record the resolution";
    if applied {
        exec(
            client,
            "UPDATE nzc_migrations SET state = 'applied', checksum = $2, applied_at = now(), statements_done = NULL, prefix_checksum = NULL, error = NULL, holder = NULL, lease_until = NULL, note = $3 WHERE version = $1 RETURNING 1",
            &[
                (&m.version, Type::TEXT),
                (&m.up.checksum, Type::TEXT),
                (&note, Type::TEXT),
            ],
            context,
        )
        .await?;
    } else {
        exec(
            client,
            "UPDATE nzc_migrations SET state = 'rolled_back', statements_done = NULL, prefix_checksum = NULL, error = NULL, holder = NULL, lease_until = NULL, note = $2 WHERE version = $1 RETURNING 1",
            &[(&m.version, Type::TEXT), (&note, Type::TEXT)],
            context,
        )
        .await?;
    }
    Ok(note)
}

/// Whether the lease of a `running`/`reverting` row is live: not expired,
/// or one of its statements is still executing (visible in
/// `pg_stat_activity` by the holder's tag, see [`statement_tag`]).
pub(crate) async fn lease_is_live(
    client: &impl GenericClient,
    row: &Applied,
) -> Result<bool, Error> {
    if row.lease_live {
        return Ok(true);
    }
    let Some(holder) = &row.holder else {
        return Ok(false);
    };
    let tag = statement_tag(holder);
    let rows = client
        .query_typed(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE state <> 'idle' AND pid <> pg_backend_pid() AND position($1 in query) > 0)",
            &[(&tag, Type::TEXT)],
        )
        .await
        .map_err(db("cannot look for a running migration"))?;
    Ok(rows.first().is_some_and(|r| r.get::<_, bool>(0)))
}

/// The comment appended to each statement of a no-transaction migration,
/// by which other runners see that it is still executing.
pub fn statement_tag(holder: &str) -> String {
    format!("/* nzc:lease {holder} */")
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

/// The transaction-scoped migration lock, taken in the current transaction
/// if free (`pg_try_advisory_xact_lock`); released by COMMIT / ROLLBACK.
pub async fn lock_in(client: &impl GenericClient) -> Result<bool, Error> {
    let rows = client
        .query_typed(
            "SELECT pg_try_advisory_xact_lock($1)",
            &[(&LOCK_KEY, Type::INT8)],
        )
        .await
        .map_err(db("cannot take the migration lock"))?;
    Ok(rows.first().is_some_and(|r| r.get::<_, bool>(0)))
}

/// Who holds the migration lock now (for messages): pid, application
/// name, client address and since when, from `pg_locks` ⋈ `pg_stat_activity`.
pub async fn lock_holder(client: &impl GenericClient) -> Result<Option<String>, Error> {
    let rows = client
        .query_typed(
            "SELECT a.pid, coalesce(nullif(a.application_name, ''), '?'), coalesce(host(a.client_addr), 'local'),
                    to_char(a.xact_start AT TIME ZONE 'UTC', 'HH24:MI:SS') || ' UTC'
               FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.locktype = 'advisory' AND l.granted
                AND l.classid = ($1 >> 32)::oid AND l.objid = ($1 & 4294967295)::oid AND l.objsubid = 1
              LIMIT 1",
            &[(&LOCK_KEY, Type::INT8)],
        )
        .await
        .map_err(db("cannot look for the migration lock's holder"))?;
    Ok(rows.first().map(|r| {
        format!(
            "pid {}, application {}, from {}, since {}",
            r.get::<_, i32>(0),
            r.get::<_, String>(1),
            r.get::<_, String>(2),
            r.get::<_, Option<String>>(3).unwrap_or_else(|| "?".into())
        )
    }))
}
