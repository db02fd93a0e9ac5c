//! Errors of the migration runner. Every message says what happened, to
//! what, and what to do; none contains a password.

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
    /// Worth retrying with `--wait` (the server may not be up yet).
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

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    #[error("DATABASE_URL is not set\n  hint: set it (or DB_URL), put it in a .env file, or pass --database-url, e.g.\n        DATABASE_URL={}", super::url::EXAMPLE)]
    NoUrl,
    #[error("invalid DATABASE_URL: {0}")]
    Url(String),
    #[error("{}", connect_message(*failure, target, user, dbname, detail))]
    Connect {
        failure: ConnectFailure,
        /// `host:port`
        target: String,
        user: String,
        dbname: String,
        detail: String,
    },
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    #[error("{0}")]
    Invalid(String),
    #[error("migration {id} was changed after it was applied: {} no longer matches the checksum recorded in nzc_migrations\n  hint: restore the file as applied, or pass --allow-modified to run anyway", file.display())]
    Modified { id: String, file: PathBuf },
    #[error("{}", failed_message(.0))]
    Failed(Box<Failure>),
    #[error("another nzc is migrating this database and did not finish within {0:?}\n  hint: wait for it, or raise --advisory-lock-timeout")]
    LockTimeout(Duration),
    #[error("unknown revision `{0}`; `nzc migrate history` lists them")]
    UnknownRevision(String),
    #[error("revision `{0}` matches several migrations: {1}")]
    AmbiguousRevision(String, String),
    #[error("migration {0} is recorded as applied but its files are missing from the migrations directory; cannot downgrade through it")]
    MissingFiles(String),
    #[error("database error: {0}")]
    Db(String),
}

fn connect_message(
    failure: ConnectFailure,
    target: &str,
    user: &str,
    dbname: &str,
    detail: &str,
) -> String {
    match failure {
        ConnectFailure::Refused => format!(
            "cannot connect to PostgreSQL at {target}: connection refused\n  hint: is the server running? Locally: `docker compose up -d db`; in start-up races pass --wait 60"
        ),
        ConnectFailure::Timeout => format!(
            "timed out connecting to PostgreSQL at {target}\n  hint: check host, port and firewall; raise DB_CONNECT_TIMEOUT or pass --wait"
        ),
        ConnectFailure::HostNotFound => format!("cannot resolve the database host of {target}: {detail}"),
        ConnectFailure::Authentication => format!(
            "authentication failed for user \"{user}\" at {target}\n  hint: check the user name and password in DATABASE_URL"
        ),
        ConnectFailure::NoSuchDatabase => format!(
            "database \"{dbname}\" does not exist at {target}\n  hint: create it (`createdb {dbname}`) or fix the database name in DATABASE_URL"
        ),
        ConnectFailure::StartingUp => format!("PostgreSQL at {target} is starting up\n  hint: pass --wait 60 to retry"),
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
    } = f;
    let mut s = if *rolled_back {
        format!("migration {id} failed and was rolled back; the database and its history are unchanged\n")
    } else {
        format!("migration {id} failed; it runs without a transaction, so the statements before this one stay applied and it is not recorded as applied\n")
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
    if code == "55P03" {
        s.push_str("\n  hint: a lock was not granted within lock_timeout: the table is busy. Retry later or raise --lock-timeout");
    }
    s
}
