//! Applying and reverting migrations on a live database: the [`Migrator`].
//!
//! Safety rules:
//! - one runner at a time per database: a session advisory lock taken with a
//!   try-lock loop (bounded by the advisory-lock timeout); the history is
//!   read again once the lock is held, so concurrent runners apply each
//!   migration exactly once;
//! - each migration runs in its own transaction together with its history
//!   row (a killed process leaves the previous version), except migrations
//!   marked `-- nzc:no-transaction`, which run statement by statement;
//! - `lock_timeout` is set for every migration so a busy table fails the
//!   migration fast instead of queueing production traffic behind it;
//! - an applied migration whose file changed stops the run (unless allowed);
//! - a database that has tables but no nzc history (built by another tool)
//!   stops the run before anything is executed: see [`crate::adopt`].

use crate::error::{db, Failure, NotManaged};
use crate::files::{version_key, Migration, Migrations};
use crate::history::{self, Applied};
use crate::split::{line_col, split};
use crate::{Error, Target};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::Client;

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
        Ok(history::read(client).await?.last().map(Applied::id))
    }

    /// Fails with [`Error::NotManaged`] when the database holds tables but
    /// no nzc history (another tool built it); `upgrade`, `downgrade`,
    /// `status` and `check` do this first.
    pub async fn ensure_managed(&self, client: &Client) -> Result<(), Error> {
        ensure_managed(client).await
    }

    /// The history table's rows, sorted by version.
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
        Ok(offline_sql(&todo, direction, &self.lock_timeout))
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
        self.locked(client, async |client: &mut Client| {
            history::create(&*client).await?;
            record_exactly(client, &upto).await?;
            Ok(upto.last().map(|m| m.id()))
        })
        .await
    }

    /// Runs `f` under the migration lock, releasing it afterwards (also
    /// after an error; a failure to release is reported only if nothing
    /// else failed — the server releases it at disconnect anyway).
    pub(crate) async fn locked<T>(
        &self,
        client: &mut Client,
        f: impl AsyncFnOnce(&mut Client) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let waiting = || self.report(&Progress::WaitingForLock);
        history::lock(&*client, self.advisory_lock_timeout, &waiting).await?;
        let result = f(&mut *client).await;
        let released = history::unlock(&*client).await;
        let value = result?;
        released?;
        Ok(value)
    }

    async fn run(
        &self,
        client: &mut Client,
        direction: Direction,
        target: Target,
    ) -> Result<Report, Error> {
        let files = self.migrations()?;
        self.locked(client, async |client: &mut Client| {
            ensure_managed(&*client).await?;
            history::create(&*client).await?;
            let applied = history::read(&*client).await?;
            if !self.allow_modified {
                verify_checksums(&applied, files)?;
            }
            let todo = self.plan(direction, &target, &applied)?;
            let mut done = Vec::new();
            for m in todo {
                let d = apply_one(client, m, direction, &self.lock_timeout).await?;
                self.report(&Progress::Done(direction, d.clone()));
                done.push(d);
            }
            let current = history::read(&*client).await?.last().map(Applied::id);
            Ok(Report {
                direction,
                done,
                current,
            })
        })
        .await
    }
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
    Err(Error::NotManaged(Box::new(NotManaged { foreign, tables })))
}

/// Makes the history hold exactly `upto`, in one transaction.
pub(crate) async fn record_exactly(client: &mut Client, upto: &[&Migration]) -> Result<(), Error> {
    let tx = client
        .transaction()
        .await
        .map_err(db("cannot start a transaction"))?;
    history::delete_all(&tx).await?;
    for m in upto {
        history::insert(&tx, m, 0).await?;
    }
    tx.commit().await.map_err(db("cannot commit the history"))
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
pub fn status(files: &[Migration], applied: &[Applied]) -> Vec<(String, State)> {
    let mut all: BTreeMap<(usize, String), (String, State)> = BTreeMap::new();
    for m in files {
        let state = match applied.iter().find(|a| a.version == m.version) {
            None => State::Pending,
            Some(a) if a.checksum != m.up.checksum => State::Modified,
            Some(_) => State::Applied,
        };
        let key = version_key(&m.version);
        all.insert((key.0, key.1.to_string()), (m.id(), state));
    }
    for a in applied {
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

async fn apply_one(
    client: &mut Client,
    m: &Migration,
    direction: Direction,
    lock_timeout: &str,
) -> Result<Done, Error> {
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
        Error::Failed(Box::new(Failure {
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
        nzc_dsl::quote_literal(lock_timeout)
    );
    let record = async |client: &tokio_postgres::Transaction<'_>, elapsed: Duration| match direction
    {
        Direction::Up => history::insert(client, m, elapsed.as_millis() as i64).await,
        Direction::Down => history::delete(client, &m.version).await,
    };

    if script.no_transaction {
        client
            .batch_execute(&set_lock_timeout)
            .await
            .map_err(db("cannot set lock_timeout"))?;
        for st in &statements {
            client
                .batch_execute(st.sql)
                .await
                .map_err(|e| fail(st.sql, st.offset, e, false))?;
        }
        client
            .batch_execute("RESET lock_timeout")
            .await
            .map_err(db("cannot reset lock_timeout"))?;
        let elapsed = started.elapsed();
        let tx = client
            .transaction()
            .await
            .map_err(db("cannot start a transaction"))?;
        record(&tx, elapsed).await?;
        tx.commit().await.map_err(db("cannot commit the history"))?;
        return Ok(Done {
            id: m.id(),
            elapsed,
        });
    }

    let tx = client
        .transaction()
        .await
        .map_err(db("cannot start a transaction"))?;
    tx.batch_execute(&set_lock_timeout.replacen("SET", "SET LOCAL", 1))
        .await
        .map_err(db("cannot set lock_timeout"))?;
    for st in &statements {
        if let Err(e) = tx.batch_execute(st.sql).await {
            let err = fail(st.sql, st.offset, e, true);
            // Dropping the transaction rolls it back; do it explicitly to surface errors.
            let _ = tx.rollback().await;
            return Err(err);
        }
    }
    let elapsed = started.elapsed();
    record(&tx, elapsed).await?;
    tx.commit()
        .await
        .map_err(db("cannot commit the migration"))?;
    Ok(Done {
        id: m.id(),
        elapsed,
    })
}

/// Offline SQL (`--sql`): what the runner would execute, for review or for a
/// DBA to apply by hand.
pub fn offline_sql(todo: &[&Migration], direction: Direction, lock_timeout: &str) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "-- nzc migrate --sql ({})\n\n{};\n",
        direction.verb(),
        history::CREATE_HISTORY_TABLE
    ));
    for m in todo {
        let script = match direction {
            Direction::Up => &m.up,
            Direction::Down => &m.down,
        };
        let tx = !script.no_transaction;
        out.push('\n');
        if tx {
            out.push_str("BEGIN;\n");
            out.push_str(&format!(
                "SET LOCAL lock_timeout = {};\n",
                nzc_dsl::quote_literal(lock_timeout)
            ));
        }
        out.push_str(script.sql.trim_end());
        out.push('\n');
        out.push_str(&match direction {
            Direction::Up => history::insert_sql(m),
            Direction::Down => history::delete_sql(m),
        });
        out.push('\n');
        if tx {
            out.push_str("COMMIT;\n");
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
