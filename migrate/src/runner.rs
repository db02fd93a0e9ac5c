//! Applying and reverting migrations on a live database: the [`Migrator`].
//!
//! Safety rules:
//! - one runner at a time per database, also behind a transaction-mode
//!   connection pooler: every transaction that reads or writes the history
//!   takes the transaction-scoped advisory lock first (see
//!   [`crate::history`]), polled until the advisory-lock timeout; the
//!   history is read again under it, so concurrent runners apply each
//!   migration exactly once, and no lock can leak on a pooled connection;
//! - each migration runs in its own transaction together with its history
//!   row (a killed process leaves the previous version), except migrations
//!   marked `-- nzc:no-transaction`, which run statement by statement, and
//!   migrations in parts (`-- nzc:part …`), which run part by part: their
//!   history row is a lease while they run and records how far they got (a
//!   transactional part commits together with that record), so a failed (or
//!   killed) one is resumed at the failed statement, or the start of the
//!   failed part, when the statements before it are unchanged;
//! - `lock_timeout` is set (`SET LOCAL`) for every transactional migration,
//!   so a busy table fails the migration fast instead of queueing
//!   production traffic behind it;
//! - only the simple protocol and unnamed statements are used: no named
//!   prepared statement is left on a (pooled) server connection;
//! - an applied migration whose file changed stops the run (unless allowed);
//! - a database that has tables but no nzc history (built by another tool)
//!   stops the run before anything is executed: see [`crate::adopt`].

use crate::error::{db, Failure, NotManaged};
use crate::files::{version_key, Migration, Migrations, PartMode, Script};
use crate::history::{self, Applied, RowState};
use crate::split::{line_col, Statement};
use crate::{Error, Target};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::Client;

/// Runs `$body` (an expression of type `Result<Attempt<T>, Error>`, awaited
/// inside) in a transaction that holds the migration lock, taken with a
/// try-lock loop until the advisory-lock timeout; commits when it gives
/// `Done`, rolls back otherwise. `Busy` rolls back, waits and evaluates
/// `$body` again. A macro rather than a function taking an async closure:
/// the futures stay `Send` (rustc cannot yet prove that for async closures
/// over borrowed data).
macro_rules! with_lock {
    ($client:expr, $waiter:expr, $body:expr) => {{
        let client: &::tokio_postgres::Client = $client;
        loop {
            client
                .batch_execute("BEGIN")
                .await
                .map_err($crate::error::db("cannot start a transaction"))?;
            let busy = match $crate::history::lock_in(client).await {
                Ok(true) => match $body {
                    Ok($crate::runner::Attempt::Done(v)) => {
                        client
                            .batch_execute("COMMIT")
                            .await
                            .map_err($crate::error::db("cannot commit"))?;
                        break v;
                    }
                    Ok($crate::runner::Attempt::Busy(why)) => Some(why),
                    Ok($crate::runner::Attempt::RollBack(v)) => {
                        client
                            .batch_execute("ROLLBACK")
                            .await
                            .map_err($crate::error::db("cannot roll back"))?;
                        break v;
                    }
                    Err(e) => {
                        let _ = client.batch_execute("ROLLBACK").await;
                        return Err(e);
                    }
                },
                Ok(false) => None,
                Err(e) => {
                    let _ = client.batch_execute("ROLLBACK").await;
                    return Err(e);
                }
            };
            client
                .batch_execute("ROLLBACK")
                .await
                .map_err($crate::error::db("cannot roll back"))?;
            $waiter.wait(client, busy).await?;
        }
    }};
}
pub(crate) use with_lock;

/// Direction of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    fn verb(self) -> &'static str {
        match self {
            Direction::Up => "upgrade",
            Direction::Down => "downgrade",
        }
    }
}

/// What happened to one migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    /// `<version>_<name>`
    pub id: String,
    pub elapsed: Duration,
}

/// Progress reported while a run goes on (see [`Migrator::on_progress`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Another runner holds the migration lock; this one waits.
    WaitingForLock,
    /// Still waiting (every few seconds): who holds the lock, or which
    /// migration another runner is in the middle of.
    StillWaiting(String),
    /// An INVALID index left by a failed `CREATE INDEX CONCURRENTLY` was
    /// dropped before the statement is retried.
    DroppedInvalidIndex(String),
    /// A migration waited longer than `lock_timeout` for a lock (on `table`,
    /// when the statement names one) and was rolled back; it is tried again
    /// after `wait`, in a fresh transaction (retry `attempt` of `of`).
    LockRetry {
        id: String,
        attempt: u32,
        of: u32,
        table: Option<String>,
        wait: Duration,
    },
    /// A failed no-transaction migration resumes at this statement (1-based).
    Resuming { id: String, statement: usize },
    /// A migration was applied (upgrade) or reverted (downgrade).
    Done(Direction, Done),
}

/// The result of [`Migrator::upgrade`] / [`Migrator::downgrade`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub direction: Direction,
    /// The migrations run, in the order they ran.
    pub done: Vec<Done>,
    /// The revision the database is at afterwards (`None`: base).
    pub current: Option<String>,
}

/// State of one migration (see [`Migrator::status`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Applied,
    Pending,
    /// Applied, but the file changed since.
    Modified,
    /// Applied, but no file for it.
    Missing,
    /// A no-transaction migration that failed part-way (or whose runner
    /// died): `done` of its statements are applied; the next upgrade
    /// resumes it. For a down migration: `reverting` is true.
    Failed {
        done: usize,
        /// Where the failed statement is: `up.sql:3`.
        at: String,
        error: String,
        reverting: bool,
    },
    /// A no-transaction migration another runner is in the middle of.
    Running {
        done: usize,
    },
}

type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Applies, reverts and inspects migrations.
///
/// ```no_run
/// static MIGRATIONS: nzc_migrate::Migrations = nzc_migrate::embed_migrations!("../migrations");
/// # async fn run(mut client: tokio_postgres::Client) -> Result<(), nzc_migrate::Error> {
/// let migrator = nzc_migrate::Migrator::new(&MIGRATIONS)
///     .lock_timeout("2s")
///     .advisory_lock_timeout(std::time::Duration::from_secs(60));
/// let report = migrator.upgrade(&mut client, nzc_migrate::Target::Head).await?;
/// println!("{} applied, now at {:?}", report.done.len(), report.current);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Migrator {
    migrations: Vec<Migration>,
    /// Why the migrations are unusable (reported by every operation).
    invalid: Option<String>,
    lock_timeout: String,
    advisory_lock_timeout: Duration,
    allow_modified: bool,
    lease_seconds: i32,
    lock_retries: u32,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for Migrator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migrator")
            .field("migrations", &self.migrations.len())
            .field("lock_timeout", &self.lock_timeout)
            .field("advisory_lock_timeout", &self.advisory_lock_timeout)
            .field("allow_modified", &self.allow_modified)
            .finish_non_exhaustive()
    }
}

impl Migrator {
    /// A migrator over `migrations`, with the defaults: `lock_timeout` 5 s,
    /// 300 s of waiting for another runner, modified migrations refused.
    pub fn new(migrations: &Migrations) -> Migrator {
        let (migrations, invalid) = match migrations.list() {
            Ok(list) => (list, None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        Migrator {
            migrations,
            invalid,
            lock_timeout: "5s".into(),
            advisory_lock_timeout: Duration::from_secs(300),
            allow_modified: false,
            lease_seconds: history::DEFAULT_LEASE_SECONDS,
            lock_retries: 3,
            progress: None,
        }
    }

    /// `SET lock_timeout` for each migration (PostgreSQL interval text, e.g. `5s`, `500ms`).
    pub fn lock_timeout(mut self, timeout: impl Into<String>) -> Migrator {
        self.lock_timeout = timeout.into();
        self
    }

    /// How long to wait for another runner's migration lock.
    pub fn advisory_lock_timeout(mut self, timeout: Duration) -> Migrator {
        self.advisory_lock_timeout = timeout;
        self
    }

    /// How long the lease of a no-transaction migration lasts without
    /// renewal (default 30 s): how long a runner killed in the middle of one
    /// holds the others up. Renewed after every statement; a statement that
    /// runs longer keeps it alive while PostgreSQL shows it running.
    pub fn lease_timeout(mut self, timeout: Duration) -> Migrator {
        self.lease_seconds = timeout.as_secs().clamp(1, i32::MAX as u64) as i32;
        self
    }

    /// How often a migration that waited longer than `lock_timeout` for a
    /// lock (a busy table) is tried again, each time in a fresh transaction
    /// after a backoff (0.5 s, 1 s, 2 s, 4 s, 8 s…); default 3.
    pub fn lock_retries(mut self, retries: u32) -> Migrator {
        self.lock_retries = retries;
        self
    }

    /// Run even if an applied migration's `up.sql` changed since.
    pub fn allow_modified(mut self, allow: bool) -> Migrator {
        self.allow_modified = allow;
        self
    }

    /// Called as a run goes on (waiting for the lock, each migration done).
    pub fn on_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Migrator {
        self.progress = Some(Arc::new(f));
        self
    }

    /// The migrations, sorted by version.
    pub fn migrations(&self) -> Result<&[Migration], Error> {
        match &self.invalid {
            Some(why) => Err(Error::InvalidMigrations(why.clone())),
            None => Ok(&self.migrations),
        }
    }

    /// The `lock_timeout` in force.
    pub fn lock_timeout_setting(&self) -> &str {
        &self.lock_timeout
    }

    fn report(&self, p: &Progress) {
        if let Some(f) = &self.progress {
            f(p);
        }
    }

    /// Resolves a revision: a full id (`<version>_<name>`), a version, or a
    /// unique prefix of either.
    pub fn resolve(&self, rev: &str) -> Result<&Migration, Error> {
        resolve(self.migrations()?, rev)
    }

    /// Applies migrations up to `target` (`Head`, `Up(n)`, `Revision`).
    pub async fn upgrade(&self, client: &mut Client, target: Target) -> Result<Report, Error> {
        self.run(client, Direction::Up, target).await
    }

    /// Reverts migrations down to `target` (`Base`, `Down(n)`, `Revision`: kept).
    pub async fn downgrade(&self, client: &mut Client, target: Target) -> Result<Report, Error> {
        self.run(client, Direction::Down, target).await
    }

    /// The migration applied last (`<version>_<name>`); `None` at base.
    pub async fn current(&self, client: &Client) -> Result<Option<String>, Error> {
        Ok(history::applied_only(&history::read(client).await?)
            .last()
            .map(Applied::id))
    }

    /// Fails with [`Error::NotManaged`] when the database holds tables but
    /// no nzc history (another tool built it); `upgrade`, `downgrade`,
    /// `status` and `check` do this first.
    pub async fn ensure_managed(&self, client: &Client) -> Result<(), Error> {
        ensure_managed(client).await
    }

    /// The history table's rows (every state), sorted by version.
    pub async fn history(&self, client: &Client) -> Result<Vec<Applied>, Error> {
        history::read(client).await
    }

    /// Each migration (files and history) with its state, in version order.
    /// A database that another tool built is [`Error::NotManaged`].
    pub async fn status(&self, client: &Client) -> Result<Vec<(String, State)>, Error> {
        let files = self.migrations()?;
        ensure_managed(client).await?;
        Ok(status(files, &history::read(client).await?))
    }

    /// Records by hand how a failed no-transaction migration was repaired
    /// (`nzc migrate resolve`): `applied` — it is applied now (its up was
    /// finished by hand, or its failed down undone); otherwise it is not
    /// (its up undone by hand, or its down finished). An audit note goes
    /// into the history row (for `applied`), and is returned.
    pub async fn mark_resolved(
        &self,
        client: &mut Client,
        rev: &str,
        applied: bool,
    ) -> Result<String, Error> {
        let m = self.resolve(rev)?;
        let client: &Client = client;
        let mut waiter = Waiter::new(self);
        let value = with_lock!(
            client,
            waiter,
            async {
                let c = client;
                let rows = history::read(c).await?;
                let row = rows.iter().find(|r| r.version == m.version);
                match row {
                    Some(r) if r.state.in_progress() && history::lease_is_live(c, r).await? => Ok(
                        Attempt::Busy(format!("another runner is running {}", m.id())),
                    ),
                    Some(r) if !matches!(r.state, RowState::Applied | RowState::RolledBack) => {
                        Ok(Attempt::Done(history::resolve(c, m, r, applied).await?))
                    }
                    other => Err(Error::NothingToResolve {
                        id: m.id(),
                        state: other.map_or("pending", |r| r.state.as_str()).to_string(),
                    }),
                }
            }
            .await
        );
        Ok(value)
    }

    /// The migrations a move to `target` would run, in the order they run,
    /// given the history `applied`.
    pub fn plan(
        &self,
        direction: Direction,
        target: &Target,
        applied: &[Applied],
    ) -> Result<Vec<&Migration>, Error> {
        let files = self.migrations()?;
        match direction {
            Direction::Up => plan_upgrade(files, applied, target),
            Direction::Down => plan_downgrade(files, applied, target),
        }
    }

    /// The SQL a move to `target` would execute from the revision `from`
    /// (`None`: base for an upgrade, head for a downgrade), for review or for
    /// a DBA to run by hand. Needs no connection.
    pub fn offline_sql(
        &self,
        direction: Direction,
        target: &Target,
        from: Option<&Target>,
    ) -> Result<String, Error> {
        self.offline_sql_annotated(direction, target, from, &|_| Vec::new())
    }

    /// [`Migrator::offline_sql`] with a comment above each statement from
    /// `annotate` (see [`offline_sql_annotated`]).
    pub fn offline_sql_annotated(
        &self,
        direction: Direction,
        target: &Target,
        from: Option<&Target>,
        annotate: &Annotator<'_>,
    ) -> Result<String, Error> {
        let files = self.migrations()?;
        let upto = match (from, direction) {
            (None, Direction::Up) | (Some(Target::Base), _) => 0,
            (None, Direction::Down) | (Some(Target::Head), _) => files.len(),
            (Some(Target::Revision(rev)), _) => {
                let m = resolve(files, rev)?;
                files
                    .iter()
                    .position(|f| f.version == m.version)
                    .map_or(0, |i| i + 1)
            }
            (Some(other), _) => {
                return Err(Error::InvalidTarget {
                    target: other.to_string(),
                    direction: "the starting revision",
                    expected: "head, base or a revision",
                })
            }
        };
        let applied: Vec<Applied> = files[..upto].iter().map(Applied::of).collect();
        let todo = self.plan(direction, target, &applied)?;
        Ok(offline_sql_annotated(
            &todo,
            direction,
            &self.lock_timeout,
            annotate,
        ))
    }

    /// Makes the history say that exactly the migrations up to `target`
    /// (`Head`, `Base`, `Revision`) are applied, without running anything.
    /// Returns the revision recorded last.
    pub async fn stamp(
        &self,
        client: &mut Client,
        target: Target,
    ) -> Result<Option<String>, Error> {
        let files = self.migrations()?;
        let upto: Vec<&Migration> = match &target {
            Target::Base => Vec::new(),
            Target::Head => files.iter().collect(),
            Target::Revision(rev) => {
                let m = resolve(files, rev)?;
                files
                    .iter()
                    .filter(|f| version_key(&f.version) <= version_key(&m.version))
                    .collect()
            }
            other => {
                return Err(Error::InvalidTarget {
                    target: other.to_string(),
                    direction: "stamp",
                    expected: "head, base or a revision",
                })
            }
        };
        let client: &Client = client;
        let mut waiter = Waiter::new(self);
        let value = with_lock!(
            client,
            waiter,
            async {
                let c = client;
                history::create(c).await?;
                record_exactly(c, &upto).await?;
                Ok(Attempt::Done(upto.last().map(|m| m.id())))
            }
            .await
        );
        Ok(value)
    }

    async fn run(
        &self,
        client: &mut Client,
        direction: Direction,
        target: Target,
    ) -> Result<Report, Error> {
        self.migrations()?;
        let client: &Client = client;
        ensure_managed(client).await?;
        let holder = holder_id();
        let mut waiter = Waiter::new(self);
        // The migrations to run, fixed by the first look at the history
        // (a runner that waited for another one then finds them applied).
        let mut planned: Option<Vec<String>> = None;
        let mut done = Vec::new();
        let mut retries = 0;
        loop {
            let next = with_lock!(
                client,
                waiter,
                self.next_step(client, direction, &target, &mut planned, &holder)
                    .await
            );
            let d = match next {
                Next::Finished => break,
                Next::Applied(d) => {
                    retries = 0;
                    d
                }
                Next::LockTimedOut(f) => {
                    if retries >= self.lock_retries {
                        return Err(Error::Failed(f));
                    }
                    retries += 1;
                    let wait = retry_delay(retries);
                    self.report(&Progress::LockRetry {
                        id: f.id.clone(),
                        attempt: retries,
                        of: self.lock_retries,
                        table: locked_table(&f.statement),
                        wait,
                    });
                    tokio::time::sleep(wait).await;
                    continue;
                }
                Next::Stepwise(m, start) => {
                    if start > 0 {
                        self.report(&Progress::Resuming {
                            id: m.id(),
                            statement: start + 1,
                        });
                    }
                    self.run_stepwise(client, m, direction, start, &holder, &mut waiter)
                        .await?
                }
            };
            self.report(&Progress::Done(direction, d.clone()));
            done.push(d);
        }
        let current = history::applied_only(&history::read(client).await?)
            .last()
            .map(Applied::id);
        Ok(Report {
            direction,
            done,
            current,
        })
    }

    /// Under the lock: the history (expiring the leases of dead runners),
    /// and the next migration of the plan — run here when it is
    /// transactional, its lease taken when it is not.
    async fn next_step<'m>(
        &'m self,
        c: &Client,
        direction: Direction,
        target: &Target,
        planned: &mut Option<Vec<String>>,
        holder: &str,
    ) -> Result<Attempt<Next<'m>>, Error> {
        let files = self.migrations()?;
        let mut rows = history::create_and_read(c).await?;
        for r in rows.iter().filter(|r| r.state.in_progress()) {
            if history::lease_is_live(c, r).await? {
                return Ok(Attempt::Busy(format!(
                                "another runner is in the middle of no-transaction migration {} ({} statement(s) done)",
                                r.id(),
                                r.statements_done.unwrap_or(0)
                            )));
            }
            // Its runner died: the migration is failed where it stopped.
            history::expire(c, r).await?;
        }
        if rows.iter().any(|r| r.state.in_progress()) {
            rows = history::read_current(c).await?;
        }
        let applied = history::applied_only(&rows);
        if !self.allow_modified {
            verify_checksums(&applied, files)?;
        }
        let todo = self.plan(direction, target, &applied)?;
        let todo: Vec<&Migration> = match planned {
            None => {
                *planned = Some(todo.iter().map(|m| m.version.clone()).collect());
                todo
            }
            Some(p) => todo
                .into_iter()
                .filter(|m| p.contains(&m.version))
                .collect(),
        };
        let Some(&m) = todo.first() else {
            return Ok(Attempt::Done(Next::Finished));
        };
        let script = script_of(m, direction);
        if script.is_single_transaction() {
            return match apply_in_transaction(c, m, direction, &self.lock_timeout).await {
                Ok(d) => Ok(Attempt::Done(Next::Applied(d))),
                Err(Error::Failed(f)) if f.code == LOCK_NOT_AVAILABLE => {
                    Ok(Attempt::RollBack(Next::LockTimedOut(f)))
                }
                Err(e) => Err(e),
            };
        }
        let row = rows.iter().find(|r| r.version == m.version);
        let start = resume_point(m, direction, row)?;
        let statements: Vec<&str> = script.statements().iter().map(|s| s.sql).collect();
        let state = match direction {
            Direction::Up => RowState::Running,
            Direction::Down => RowState::Reverting,
        };
        history::take_lease(
            c,
            m,
            state,
            holder,
            start as i32,
            &history::prefix_checksum(&statements[..start]),
            self.lease_seconds,
        )
        .await?;
        Ok(Attempt::Done(Next::Stepwise(m, start)))
    }

    /// Runs a migration that does not run as one transaction (parts, or
    /// statement by statement) from statement `start` (0-based), holding
    /// its lease. A transactional part runs in one transaction that also
    /// records the progress (so the history says exactly which parts are
    /// committed), retried after a backoff when it waits longer than
    /// `lock_timeout`; a no-transaction part's statements run one by one,
    /// the progress recorded after each. A failure is recorded where it
    /// stopped; the next upgrade resumes there.
    async fn run_stepwise(
        &self,
        client: &Client,
        m: &Migration,
        direction: Direction,
        start: usize,
        holder: &str,
        waiter: &mut Waiter<'_>,
    ) -> Result<Done, Error> {
        let script = script_of(m, direction);
        let statements = script.statements();
        let texts: Vec<&str> = statements.iter().map(|s| s.sql).collect();
        let started = Instant::now();
        let tag = history::statement_tag(holder);
        let lock_timeout = format!(
            "SET LOCAL lock_timeout = {}",
            nzc_dsl::quote_literal(&self.lock_timeout)
        );
        let mut i = start;
        while i < statements.len() {
            let part = script
                .part_of(i)
                .ok_or_else(|| Error::ResumeChanged {
                    id: m.id(),
                    done: i as i32,
                })?
                .clone();
            if !part.transactional() {
                let st = &statements[i];
                if let Some(index) = concurrently_created_index(st.sql) {
                    if invalid_index_exists(client, &index).await? {
                        client
                            .batch_execute(&format!("DROP INDEX CONCURRENTLY IF EXISTS {index}"))
                            .await
                            .map_err(db("cannot drop the INVALID index left by a failed CREATE INDEX CONCURRENTLY"))?;
                        self.report(&Progress::DroppedInvalidIndex(index));
                    }
                }
                if let Err(e) = client.batch_execute(&format!("{}\n{tag}", st.sql)).await {
                    let failure = failure(m, script, st, &e, false, i + 1, statements.len());
                    return Err(self
                        .record_failed(client, waiter, m, direction, holder, i, &texts, failure)
                        .await);
                }
                i += 1;
                self.record_progress(client, waiter, m, holder, i, &texts)
                    .await?;
                continue;
            }
            // A transactional part: all of it, with its progress, or nothing.
            let end = part.statements.end;
            let mut retries = 0;
            loop {
                let outcome: Result<(), Error> = with_lock!(
                    client,
                    waiter,
                    async {
                        let c = client;
                        c.batch_execute(&lock_timeout)
                            .await
                            .map_err(db("cannot set lock_timeout"))?;
                        for (j, st) in statements.iter().enumerate().take(end).skip(i) {
                            if let Err(e) = c.batch_execute(&format!("{}\n{tag}", st.sql)).await {
                                let f = failure(m, script, st, &e, true, j + 1, statements.len());
                                return Ok(Attempt::RollBack(Err(f)));
                            }
                        }
                        self.renew(c, m, holder, &texts[..end]).await?;
                        Ok(Attempt::Done(Ok(())))
                    }
                    .await
                );
                match outcome {
                    Ok(()) => break,
                    Err(Error::Failed(f))
                        if f.code == LOCK_NOT_AVAILABLE && retries < self.lock_retries =>
                    {
                        retries += 1;
                        let wait = retry_delay(retries);
                        self.report(&Progress::LockRetry {
                            id: f.id.clone(),
                            attempt: retries,
                            of: self.lock_retries,
                            table: locked_table(&f.statement),
                            wait,
                        });
                        tokio::time::sleep(wait).await;
                    }
                    Err(failure) => {
                        return Err(self
                            .record_failed(client, waiter, m, direction, holder, i, &texts, failure)
                            .await)
                    }
                }
            }
            i = end;
        }
        let elapsed = started.elapsed();
        with_lock!(
            client,
            waiter,
            async {
                let c = client;
                // Still ours? (renew fails with LeaseLost otherwise.)
                self.renew(c, m, holder, &texts).await?;
                match direction {
                    Direction::Up => history::insert(c, m, elapsed.as_millis() as i64).await?,
                    Direction::Down => history::delete(c, &m.version).await?,
                }
                Ok(Attempt::Done(()))
            }
            .await
        );
        Ok(Done {
            id: m.id(),
            elapsed,
        })
    }

    /// Records that the first `done` statements are applied (and renews the lease).
    async fn record_progress(
        &self,
        client: &Client,
        waiter: &mut Waiter<'_>,
        m: &Migration,
        holder: &str,
        done: usize,
        texts: &[&str],
    ) -> Result<(), Error> {
        with_lock!(
            client,
            waiter,
            async {
                let c = client;
                self.renew(c, m, holder, &texts[..done]).await?;
                Ok(Attempt::Done(()))
            }
            .await
        );
        Ok(())
    }

    /// Renews the lease of `m`, recording `done` (the statements applied so
    /// far, whose checksum is kept for resuming) as its progress.
    async fn renew(
        &self,
        c: &Client,
        m: &Migration,
        holder: &str,
        done: &[&str],
    ) -> Result<(), Error> {
        history::renew_lease(
            c,
            &m.version,
            holder,
            done.len() as i32,
            &history::prefix_checksum(done),
            self.lease_seconds,
        )
        .await
    }

    /// Records a failure after `done` applied statements; gives back the
    /// failure (or the error that recording it met).
    #[allow(clippy::too_many_arguments)]
    async fn record_failed(
        &self,
        client: &Client,
        waiter: &mut Waiter<'_>,
        m: &Migration,
        direction: Direction,
        holder: &str,
        done: usize,
        texts: &[&str],
        failure: Error,
    ) -> Error {
        let message = match &failure {
            Error::Failed(f) => format!("{} (SQLSTATE {})", f.message, f.code),
            other => other.to_string(),
        };
        let state = match direction {
            Direction::Up => RowState::Failed,
            Direction::Down => RowState::RevertFailed,
        };
        let recorded: Result<(), Error> = async {
            with_lock!(
                client,
                waiter,
                async {
                    let c = client;
                    self.renew(c, m, holder, &texts[..done]).await?;
                    history::record_failure(c, &m.version, holder, state, &message).await?;
                    Ok(Attempt::Done(()))
                }
                .await
            );
            Ok(())
        }
        .await;
        match recorded {
            Ok(()) => failure,
            Err(e) => e,
        }
    }
}

/// What a locked transaction's body decided.
pub(crate) enum Attempt<T> {
    Done(T),
    /// Roll back, and give this.
    RollBack(T),
    /// Wait (for this reason) and try again.
    Busy(String),
}

enum Next<'m> {
    Finished,
    Applied(Done),
    /// A migration that runs part by part (or statement by statement),
    /// from this statement; its lease is taken.
    Stepwise(&'m Migration, usize),
    /// A statement waited longer than `lock_timeout` (rolled back).
    LockTimedOut(Box<Failure>),
}

/// SQLSTATE of a lock not granted within `lock_timeout`.
const LOCK_NOT_AVAILABLE: &str = "55P03";

/// The wait before retry `n` (1-based) of a migration that hit
/// `lock_timeout`: 0.5 s, 1 s, 2 s, 4 s, then 8 s.
fn retry_delay(n: u32) -> Duration {
    Duration::from_millis(500u64 << (n.saturating_sub(1)).min(4))
}

/// Waiting for the migration lock: the deadline, and what was said.
pub(crate) struct Waiter<'a> {
    migrator: &'a Migrator,
    deadline: Instant,
    told: bool,
    last_said: Instant,
}

impl<'a> Waiter<'a> {
    pub(crate) fn new(migrator: &'a Migrator) -> Waiter<'a> {
        Waiter {
            migrator,
            deadline: Instant::now() + migrator.advisory_lock_timeout,
            told: false,
            last_said: Instant::now(),
        }
    }

    /// Sleeps a little; fails once the deadline has passed. Says once that
    /// it waits, then every 5 s who holds the lock (or `why`).
    pub(crate) async fn wait(&mut self, client: &Client, why: Option<String>) -> Result<(), Error> {
        if Instant::now() >= self.deadline {
            return Err(Error::LockTimeout(self.migrator.advisory_lock_timeout));
        }
        if !self.told {
            self.told = true;
            self.last_said = Instant::now();
            self.migrator.report(&Progress::WaitingForLock);
        } else if self.last_said.elapsed() >= Duration::from_secs(5) {
            self.last_said = Instant::now();
            let who = match why {
                Some(w) => Some(w),
                None => history::lock_holder(client)
                    .await?
                    .map(|h| format!("the migration lock is held by {h}")),
            };
            if let Some(who) = who {
                self.migrator.report(&Progress::StillWaiting(who));
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        Ok(())
    }
}

/// The table a statement takes a lock on, as written (`"City"`), when it
/// is an `ALTER TABLE`, `DROP TABLE`, `LOCK`, `TRUNCATE`, `CREATE [UNIQUE]
/// INDEX … ON`, `COMMENT ON TABLE/COLUMN`, or an `INSERT INTO` /
/// `UPDATE` / `DELETE FROM`: for messages.
pub fn locked_table(statement: &str) -> Option<String> {
    let words: Vec<&str> = statement.split_whitespace().collect();
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    let after = |i: usize| -> Option<String> {
        let mut j = i;
        while let Some(w) = upper.get(j) {
            if matches!(w.as_str(), "IF" | "EXISTS" | "ONLY" | "NOT") {
                j += 1;
                continue;
            }
            break;
        }
        words
            .get(j)
            .map(|w| w.trim_end_matches([';', ',', '(']).to_string())
    };
    let first = upper.first()?.as_str();
    match first {
        "ALTER" | "DROP" | "TRUNCATE" | "LOCK" | "COMMENT" => {
            let i = upper.iter().position(|w| w == "TABLE" || w == "COLUMN")?;
            let name = after(i + 1)?;
            // COMMENT ON COLUMN "T"."c": the table part.
            Some(if upper[i] == "COLUMN" {
                name.rsplit_once('.')
                    .map_or(name.clone(), |(t, _)| t.to_string())
            } else {
                name
            })
        }
        "CREATE" => {
            let i = upper.iter().position(|w| w == "ON")?;
            after(i + 1)
        }
        "INSERT" | "DELETE" => {
            let i = upper.iter().position(|w| w == "INTO" || w == "FROM")?;
            after(i + 1)
        }
        "UPDATE" => after(1),
        _ => None,
    }
}

/// A fresh id for this run's leases: process id, time, counter.
fn holder_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{:x}-{:x}-{}",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn script_of(m: &Migration, direction: Direction) -> &Script {
    match direction {
        Direction::Up => &m.up,
        Direction::Down => &m.down,
    }
}

/// Where a no-transaction migration starts: 0, or after the statements a
/// failed earlier run applied — when they are unchanged in the file.
fn resume_point(
    m: &Migration,
    direction: Direction,
    row: Option<&Applied>,
) -> Result<usize, Error> {
    let failed = match (direction, row) {
        (Direction::Up, Some(r)) if r.state == RowState::Failed => r,
        (Direction::Down, Some(r)) if r.state == RowState::RevertFailed => r,
        _ => return Ok(0),
    };
    let done = failed.statements_done.unwrap_or(0).max(0);
    let script = script_of(m, direction);
    let statements: Vec<&str> = script.statements().iter().map(|s| s.sql).collect();
    let k = done as usize;
    // A transactional part is committed whole: progress inside one means
    // the file's parts were rearranged since.
    let inside_a_transaction = script
        .part_of(k)
        .is_some_and(|p| p.transactional() && p.statements.start != k);
    if k > statements.len()
        || inside_a_transaction
        || failed.prefix_checksum.as_deref()
            != Some(history::prefix_checksum(&statements[..k]).as_str())
    {
        return Err(Error::ResumeChanged { id: m.id(), done });
    }
    Ok(k)
}

/// The (quoted or bare) name of the index a `CREATE [UNIQUE] INDEX
/// CONCURRENTLY [IF NOT EXISTS] name ON …` statement creates.
fn concurrently_created_index(sql: &str) -> Option<String> {
    let mut words = sql.split_whitespace();
    if !words.next()?.eq_ignore_ascii_case("CREATE") {
        return None;
    }
    let mut w = words.next()?;
    if w.eq_ignore_ascii_case("UNIQUE") {
        w = words.next()?;
    }
    if !w.eq_ignore_ascii_case("INDEX") || !words.next()?.eq_ignore_ascii_case("CONCURRENTLY") {
        return None;
    }
    let mut name = words.next()?;
    if name.eq_ignore_ascii_case("IF") {
        words.next()?; // NOT
        words.next()?; // EXISTS
        name = words.next()?;
    }
    (!name.eq_ignore_ascii_case("ON")).then(|| name.to_string())
}

/// Whether an INVALID index of that (SQL-spelled) name exists.
async fn invalid_index_exists(client: &Client, sql_name: &str) -> Result<bool, Error> {
    let rows = client
        .query_typed(
            "SELECT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass($1) AND NOT indisvalid)",
            &[(&sql_name, tokio_postgres::types::Type::TEXT)],
        )
        .await
        .map_err(db("cannot look for an INVALID index"))?;
    Ok(rows.first().is_some_and(|r| r.get::<_, bool>(0)))
}

/// Stops when the database has tables but no nzc history: it was built by
/// another tool (or by hand), and running `init` on it would half-fail.
pub(crate) async fn ensure_managed(client: &Client) -> Result<(), Error> {
    crate::foreign::target_schema(client).await?;
    if !history::read(client).await?.is_empty() {
        return Ok(());
    }
    let foreign = crate::foreign::detect(client).await?;
    let tables = crate::foreign::user_tables(client).await?;
    if foreign.is_empty() && tables == 0 {
        return Ok(());
    }
    // Another runner may have committed the first migration (its tables and
    // its history row at once) between the two reads above: the history is
    // read again after the tables were counted.
    if !history::read(client).await?.is_empty() {
        return Ok(());
    }
    Err(Error::NotManaged(Box::new(NotManaged { foreign, tables })))
}

/// Makes the history hold exactly `upto` (inside the caller's locked transaction).
pub(crate) async fn record_exactly(client: &Client, upto: &[&Migration]) -> Result<(), Error> {
    history::delete_all(client).await?;
    for m in upto {
        history::insert(client, m, 0).await?;
    }
    Ok(())
}

/// Checks applied migrations against the files: a changed file stops the run.
pub fn verify_checksums(applied: &[Applied], files: &[Migration]) -> Result<(), Error> {
    for a in applied {
        if let Some(m) = files.iter().find(|m| m.version == a.version) {
            if m.up.checksum != a.checksum {
                return Err(Error::Modified {
                    id: m.id(),
                    file: m.up.path.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Each migration (files and history) with its state.
pub fn status(files: &[Migration], rows: &[Applied]) -> Vec<(String, State)> {
    let mut all: BTreeMap<(usize, String), (String, State)> = BTreeMap::new();
    for m in files {
        let state = match rows.iter().find(|a| a.version == m.version) {
            None => State::Pending,
            Some(r) if matches!(r.state, RowState::Failed | RowState::RevertFailed) => {
                let reverting = r.state == RowState::RevertFailed;
                let script = if reverting { &m.down } else { &m.up };
                let done = r.statements_done.unwrap_or(0).max(0) as usize;
                let at = script.statements().get(done).map_or_else(
                    || "?".to_string(),
                    |st| {
                        let (line, _) = line_col(&script.sql, st.offset);
                        let file = if reverting { "down.sql" } else { "up.sql" };
                        format!("{file}:{line}")
                    },
                );
                State::Failed {
                    done,
                    at,
                    error: r.error.clone().unwrap_or_default(),
                    reverting,
                }
            }
            Some(r) if r.state == RowState::RolledBack => State::Pending,
            Some(r) if r.state.in_progress() => State::Running {
                done: r.statements_done.unwrap_or(0).max(0) as usize,
            },
            Some(a) if a.checksum != m.up.checksum => State::Modified,
            Some(_) => State::Applied,
        };
        let key = version_key(&m.version);
        all.insert((key.0, key.1.to_string()), (m.id(), state));
    }
    for a in rows {
        if !files.iter().any(|m| m.version == a.version) {
            let key = version_key(&a.version);
            all.insert((key.0, key.1.to_string()), (a.id(), State::Missing));
        }
    }
    all.into_values().collect()
}

/// Resolves a revision against the migrations: a full id
/// (`<version>_<name>`), a version, or a unique prefix of either.
pub fn resolve<'m>(files: &'m [Migration], rev: &str) -> Result<&'m Migration, Error> {
    if let Some(m) = files.iter().find(|m| m.id() == rev || m.version == rev) {
        return Ok(m);
    }
    let hits: Vec<&Migration> = files
        .iter()
        .filter(|m| m.version.starts_with(rev) || m.id().starts_with(rev))
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::UnknownRevision(rev.to_string())),
        many => Err(Error::AmbiguousRevision {
            rev: rev.to_string(),
            matches: many.iter().map(|m| m.id()).collect::<Vec<_>>().join(", "),
        }),
    }
}

fn is_applied(applied: &[Applied], m: &Migration) -> bool {
    applied.iter().any(|a| a.version == m.version)
}

/// The migrations an upgrade to `target` runs, in order.
pub fn plan_upgrade<'m>(
    files: &'m [Migration],
    applied: &[Applied],
    target: &Target,
) -> Result<Vec<&'m Migration>, Error> {
    let pending = files.iter().filter(|m| !is_applied(applied, m));
    Ok(match target {
        Target::Head => pending.collect(),
        Target::Up(n) => pending.take(*n).collect(),
        Target::Revision(rev) => {
            let m = resolve(files, rev)?;
            pending
                .filter(|p| version_key(&p.version) <= version_key(&m.version))
                .collect()
        }
        Target::Base | Target::Down(_) => {
            return Err(Error::InvalidTarget {
                target: target.to_string(),
                direction: Direction::Up.verb(),
                expected: "head, +N or a revision",
            })
        }
    })
}

/// The migrations a downgrade to `target` reverts, in the order they are reverted.
pub fn plan_downgrade<'m>(
    files: &'m [Migration],
    applied: &[Applied],
    target: &Target,
) -> Result<Vec<&'m Migration>, Error> {
    let newest_first = applied.iter().rev();
    let selected: Vec<&Applied> = match target {
        Target::Base => newest_first.collect(),
        Target::Down(n) => newest_first.take(*n).collect(),
        Target::Revision(rev) => {
            let m = resolve(files, rev)?;
            newest_first
                .filter(|a| version_key(&a.version) > version_key(&m.version))
                .collect()
        }
        Target::Head | Target::Up(_) => {
            return Err(Error::InvalidTarget {
                target: target.to_string(),
                direction: Direction::Down.verb(),
                expected: "-N, base or a revision",
            })
        }
    };
    selected
        .into_iter()
        .map(|a| {
            files
                .iter()
                .find(|m| m.version == a.version)
                .ok_or_else(|| Error::MissingFiles(a.id()))
        })
        .collect()
}

/// The error of a failed statement: where it is, PostgreSQL's message and position.
fn failure(
    m: &Migration,
    script: &Script,
    st: &Statement<'_>,
    e: &tokio_postgres::Error,
    rolled_back: bool,
    statement_index: usize,
    statements: usize,
) -> Error {
    let (line, column) = line_col(&script.sql, st.offset);
    let (message, code, position) = match e.as_db_error() {
        Some(d) => {
            let pos = match d.position() {
                Some(tokio_postgres::error::ErrorPosition::Original(p)) => {
                    let byte = st
                        .sql
                        .char_indices()
                        .nth((*p as usize).saturating_sub(1))
                        .map_or(st.sql.len(), |(i, _)| i);
                    Some(line_col(&script.sql, st.offset + byte))
                }
                _ => None,
            };
            (d.message().to_string(), d.code().code().to_string(), pos)
        }
        None => (e.to_string(), "08000".to_string(), None),
    };
    Error::Failed(Box::new(Failure {
        id: m.id(),
        file: script.path.clone(),
        line,
        column,
        statement: st.sql.to_string(),
        message,
        code,
        position,
        rolled_back,
        statement_index,
        statements,
    }))
}

/// Runs a transactional migration inside the caller's locked transaction,
/// with `SET LOCAL lock_timeout`, and records it.
async fn apply_in_transaction(
    client: &Client,
    m: &Migration,
    direction: Direction,
    lock_timeout: &str,
) -> Result<Done, Error> {
    let script = script_of(m, direction);
    let started = Instant::now();
    let statements = script.statements();
    client
        .batch_execute(&format!(
            "SET LOCAL lock_timeout = {}",
            nzc_dsl::quote_literal(lock_timeout)
        ))
        .await
        .map_err(db("cannot set lock_timeout"))?;
    for (i, st) in statements.iter().enumerate() {
        if let Err(e) = client.batch_execute(st.sql).await {
            return Err(failure(m, script, st, &e, true, i + 1, statements.len()));
        }
    }
    let elapsed = started.elapsed();
    match direction {
        Direction::Up => history::insert(client, m, elapsed.as_millis() as i64).await?,
        Direction::Down => history::delete(client, &m.version).await?,
    }
    Ok(Done {
        id: m.id(),
        elapsed,
    })
}

/// The comment lines of `notes` (byte ranges of a script, a note each)
/// for the statement that starts at `offset`.
pub(crate) fn push_notes(out: &mut String, notes: &[((usize, usize), String)], offset: usize) {
    for (_, note) in notes
        .iter()
        .filter(|((a, b), _)| (*a..(*b).max(*a + 1)).contains(&offset))
    {
        out.push_str(&format!("-- {note}\n"));
    }
}

/// `-- part 2 of 5: one transaction` (no newline): how an SQL script for
/// psql heads the `k`-th (from 0) of its `parts` parts.
pub(crate) fn part_heading(k: usize, parts: usize, transactional: bool) -> String {
    format!(
        "-- part {} of {parts}: {}",
        k + 1,
        if transactional {
            "one transaction"
        } else {
            "no transaction, each statement on its own"
        }
    )
}

/// Offline SQL (`--sql`): what the runner would execute, for review or for a
/// DBA to apply by hand.
pub fn offline_sql(todo: &[&Migration], direction: Direction, lock_timeout: &str) -> String {
    offline_sql_annotated(todo, direction, lock_timeout, &|_| Vec::new())
}

/// Notes on the statements of a script: byte ranges in its text, and a
/// comment line for the statement that starts in each (e.g. the lock it
/// takes). See [`offline_sql_annotated`].
pub type Annotator<'a> = dyn Fn(&Script) -> Vec<((usize, usize), String)> + 'a;

/// [`offline_sql`], with a comment above each statement from `annotate`.
/// Every part is spelled out as it runs: a transactional part between
/// `BEGIN` and `COMMIT` (with its `lock_timeout`), a no-transaction part's
/// statements bare; the history row is written with the last part.
pub fn offline_sql_annotated(
    todo: &[&Migration],
    direction: Direction,
    lock_timeout: &str,
    annotate: &Annotator<'_>,
) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "-- nzc migrate --sql ({})\n\n{};\n",
        direction.verb(),
        history::CREATE_HISTORY_TABLE
    ));
    let set_timeout = format!(
        "SET LOCAL lock_timeout = {};\n",
        nzc_dsl::quote_literal(lock_timeout)
    );
    for m in todo {
        let script = script_of(m, direction);
        let record = match direction {
            Direction::Up => history::insert_sql(m),
            Direction::Down => history::delete_sql(m),
        };
        let notes = annotate(script);
        let spans = nzc_types::contract::migration_parts(&script.sql).unwrap_or_default();
        let parts = crate::split::split_parts(&script.sql).unwrap_or_default();
        out.push('\n');
        if parts.len() > 1 {
            out.push_str(&format!(
                "-- {}: {} parts, each committed before the next starts\n",
                m.id(),
                parts.len()
            ));
        }
        let single = script.is_single_transaction();
        for (k, (part, span)) in parts.iter().zip(&spans).enumerate() {
            let tx = part.mode == PartMode::Transaction;
            if parts.len() > 1 {
                out.push_str(&part_heading(k, parts.len(), tx));
                out.push('\n');
            }
            if tx {
                out.push_str("BEGIN;\n");
                out.push_str(&set_timeout);
            }
            let text = &script.sql;
            let mut cursor = span.range.start;
            for st in &part.statements {
                // Comments between statements (data-loss notes …), kept.
                let gap = text[cursor..st.offset].trim_matches('\n');
                let gap = gap.trim_start_matches(';').trim_matches('\n');
                if !gap.trim().is_empty() {
                    out.push_str(gap.trim_end());
                    out.push('\n');
                }
                push_notes(&mut out, &notes, st.offset);
                out.push_str(st.sql);
                out.push_str(";\n");
                cursor = st.offset + st.sql.len();
            }
            if single {
                out.push_str(&record);
                out.push('\n');
            }
            if tx {
                out.push_str("COMMIT;\n");
            }
        }
        if !single {
            out.push_str(&record);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    /// An application may run the migrator on a spawned task.
    #[allow(dead_code, clippy::diverging_sub_expression)]
    fn futures_are_send(m: &Migrator, client: &mut Client) {
        assert_send(&m.upgrade(client, Target::Head));
        assert_send(&m.downgrade(client, Target::Base));
        assert_send(&m.stamp(client, Target::Head));
        assert_send(&m.adopt(client, &crate::AdoptOptions::default()));
        assert_send(&m.check(client));
        assert_send(&m.current(client));
        assert_send(&crate::introspect(client, "public"));
    }

    #[test]
    fn targets_parse_and_print() {
        for (s, t) in [
            ("head", Target::Head),
            ("base", Target::Base),
            ("+2", Target::Up(2)),
            ("-1", Target::Down(1)),
            ("2025", Target::Revision("2025".into())),
        ] {
            assert_eq!(s.parse::<Target>().unwrap(), t);
            assert_eq!(t.to_string(), s);
        }
        assert!("+x".parse::<Target>().is_err());
    }
}
