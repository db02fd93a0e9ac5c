//! Errors of the migration library. Each says what went wrong and to what;
//! none contains a password, and none gives command-line advice (the `nzc`
//! binary adds its hints by matching the variants).

use std::path::PathBuf;
use std::time::Duration;

/// Why a connection could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectFailure {
    Refused,
    Timeout,
    HostNotFound,
    Authentication,
    NoSuchDatabase,
    StartingUp,
    Tls,
    Other,
}

impl ConnectFailure {
    /// Worth retrying (the server may not be up yet).
    pub fn transient(self) -> bool {
        matches!(
            self,
            ConnectFailure::Refused
                | ConnectFailure::Timeout
                | ConnectFailure::HostNotFound
                | ConnectFailure::StartingUp
        )
    }
}

/// Everything that can go wrong in `nzc-migrate`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No database URL was given.
    #[error("DATABASE_URL is not set")]
    NoUrl,
    /// The database URL cannot be parsed (the message never holds the password).
    #[error("invalid DATABASE_URL: {0}")]
    Url(String),
    /// The connection failed.
    #[error("{}", connect_message(*failure, target, user, dbname, detail))]
    Connect {
        failure: ConnectFailure,
        /// `host:port`
        target: String,
        user: String,
        dbname: String,
        detail: String,
    },
    /// Reading a migrations directory or file failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The migrations themselves are not valid (missing files, two with one version, …).
    #[error("{0}")]
    InvalidMigrations(String),
    /// An applied migration's `up.sql` no longer has the checksum it was applied with.
    #[error("migration {id} was changed after it was applied: {} no longer matches the checksum recorded in nzc_migrations", file.display())]
    Modified { id: String, file: PathBuf },
    /// A migration statement failed.
    #[error("{}", failed_message(.0))]
    Failed(Box<Failure>),
    /// Another runner held the migration lock for longer than the advisory-lock timeout.
    #[error("another runner is migrating this database and did not finish within {0:?}")]
    LockTimeout(Duration),
    /// A revision that names no migration.
    #[error("unknown revision `{0}`")]
    UnknownRevision(String),
    /// A revision prefix that names several migrations.
    #[error("revision `{rev}` matches several migrations: {matches}")]
    AmbiguousRevision { rev: String, matches: String },
    /// A target that makes no sense in this direction (`upgrade -1`, `downgrade +2`).
    #[error("`{target}` is not a target for {direction}: {expected}")]
    InvalidTarget {
        target: String,
        direction: &'static str,
        expected: &'static str,
    },
    /// Another runner took over the lease of a no-transaction migration
    /// that this runner was running (the lease had expired).
    #[error("another runner took over migration {0} (this runner's lease had expired); stopping")]
    LeaseLost(String),
    /// A failed no-transaction migration cannot be resumed: the statements
    /// it had applied changed since.
    #[error("migration {id} failed after {done} statement(s) that are applied, and those statements changed in the file since: it cannot be resumed")]
    ResumeChanged { id: String, done: i32 },
    /// `resolve` of a migration that has not failed.
    #[error("migration {id} has not failed (it is {state}): nothing to resolve")]
    NothingToResolve { id: String, state: String },
    /// A migration recorded as applied whose files are gone.
    #[error("migration {0} is recorded as applied but its files are missing from the migrations; cannot downgrade through it")]
    MissingFiles(String),
    /// The database holds tables but no nzc history: another tool (or a
    /// person) built it. Nothing was run.
    #[error("{}", not_managed_message(.0))]
    NotManaged(Box<NotManaged>),
    /// A migration has no schema snapshot, so the state it leads to is unknown.
    #[error("migration {id} has no schema snapshot ({})", crate::SNAPSHOT)]
    NoSnapshot { id: String },
    /// A migration's schema snapshot does not compile.
    #[error("the schema snapshot of migration {id} does not compile:\n{diagnostics}")]
    Snapshot { id: String, diagnostics: String },
    /// The schema to introspect does not exist, or the role may not use it.
    #[error("{0}")]
    Schema(String),
    /// A database call failed.
    #[error("{context}: {}", db_message(source))]
    Db {
        context: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
}

impl Error {
    /// The SQLSTATE of a database error, if this is one.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            Error::Db { source, .. } => source.as_db_error().map(|d| d.code().code()),
            Error::Failed(f) => Some(&f.code),
            _ => None,
        }
    }
}

/// Wraps a database error with what was being done.
pub(crate) fn db(context: &'static str) -> impl FnOnce(tokio_postgres::Error) -> Error {
    move |source| Error::Db { context, source }
}

fn db_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("{} (SQLSTATE {})", d.message(), d.code().code()),
        None => match std::error::Error::source(e) {
            Some(inner) => format!("{e}: {inner}"),
            None => e.to_string(),
        },
    }
}

/// A database that nzc does not manage (see [`Error::NotManaged`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotManaged {
    /// History tables of other migration tools found in the database.
    pub foreign: Vec<crate::ForeignHistory>,
    /// How many tables the schema holds (besides those history tables).
    pub tables: usize,
}

fn not_managed_message(n: &NotManaged) -> String {
    match n.foreign.as_slice() {
        [] => format!(
            "the database is not empty ({} table(s)) but has no nzc history: it was not built by nzc; nothing was run",
            n.tables
        ),
        foreign => {
            let list: Vec<String> = foreign.iter().map(ToString::to_string).collect();
            format!(
                "the database is managed by another migration tool ({}) and has no nzc history; nothing was run",
                list.join("; ")
            )
        }
    }
}

fn connect_message(
    failure: ConnectFailure,
    target: &str,
    user: &str,
    dbname: &str,
    detail: &str,
) -> String {
    match failure {
        ConnectFailure::Refused => {
            format!("cannot connect to PostgreSQL at {target}: connection refused")
        }
        ConnectFailure::Timeout => format!("timed out connecting to PostgreSQL at {target}"),
        ConnectFailure::HostNotFound => {
            format!("cannot resolve the database host of {target}: {detail}")
        }
        ConnectFailure::Authentication => {
            format!("authentication failed for user \"{user}\" at {target}")
        }
        ConnectFailure::NoSuchDatabase => {
            format!("database \"{dbname}\" does not exist at {target}")
        }
        ConnectFailure::StartingUp => format!("PostgreSQL at {target} is starting up"),
        ConnectFailure::Tls => format!("TLS connection to {target} failed: {detail}"),
        ConnectFailure::Other => format!("cannot connect to PostgreSQL at {target}: {detail}"),
    }
}

/// A migration statement that failed.
#[derive(Debug)]
pub struct Failure {
    /// `<version>_<name>`
    pub id: String,
    pub file: PathBuf,
    /// 1-based line and column of the statement in the file.
    pub line: usize,
    pub column: usize,
    pub statement: String,
    /// PostgreSQL's message and SQLSTATE.
    pub message: String,
    pub code: String,
    /// Where PostgreSQL points in the statement (1-based line:col in the file).
    pub position: Option<(usize, usize)>,
    /// The migration ran in a transaction that was rolled back.
    pub rolled_back: bool,
    /// 1-based index of the statement and the number of statements.
    pub statement_index: usize,
    pub statements: usize,
}

fn failed_message(f: &Failure) -> String {
    let Failure {
        id,
        file,
        line,
        column,
        statement,
        message,
        code,
        position,
        rolled_back,
        statement_index,
        statements,
    } = f;
    let mut s = if *rolled_back {
        format!("migration {id} failed and was rolled back; the database and its history are unchanged\n")
    } else {
        format!(
            "migration {id} failed at statement {statement_index} of {statements}; it runs without a transaction, so the {} statement(s) before it stay applied: it is recorded as failed there, and the next upgrade resumes at this statement\n",
            statement_index - 1
        )
    };
    s.push_str(&format!("  --> {}:{line}:{column}\n", file.display()));
    let shown: String = statement
        .lines()
        .take(6)
        .collect::<Vec<_>>()
        .join("\n      ");
    s.push_str(&format!("  statement: {shown}\n"));
    s.push_str(&format!("  PostgreSQL: {message} (SQLSTATE {code})"));
    if let Some((l, c)) = position {
        s.push_str(&format!(" at {}:{l}:{c}", file.display()));
    }
    s
}
