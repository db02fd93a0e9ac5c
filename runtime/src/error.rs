//! The runtime's error type.

use std::error::Error as _;
use std::fmt;

use tokio_postgres::error::SqlState;

/// What can go wrong when reading or writing models.
///
/// The variants a caller typically reacts to are told apart: a missing row,
/// each kind of constraint violation (with the constraint's name, so that
/// `uq_EmissionRecord_cityId` can be turned into "this record exists
/// already"), a lost connection (worth a retry), and a column that did not
/// decode. Everything else is [`Error::Database`].
///
/// `From<tokio_postgres::Error>` does the classification, so `?` on any
/// `tokio_postgres` call gives a classified error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The query returned no row where one was expected.
    #[error("no row found")]
    NotFound,

    /// A unique constraint or the primary key was violated (SQLSTATE 23505).
    #[error("unique violation{}: {message}", on(constraint))]
    UniqueViolation {
        /// The violated constraint, e.g. `uq_EmissionRecord_cityId`.
        constraint: Option<String>,
        /// The server's message.
        message: String,
    },

    /// A foreign key was violated (SQLSTATE 23503).
    #[error("foreign key violation{}: {message}", on(constraint))]
    ForeignKeyViolation {
        /// The violated constraint, e.g. `fk_EmissionRecord_cityId_City`.
        constraint: Option<String>,
        /// The server's message.
        message: String,
    },

    /// A check constraint was violated (SQLSTATE 23514).
    #[error("check violation{}: {message}", on(constraint))]
    CheckViolation {
        /// The violated constraint.
        constraint: Option<String>,
        /// The server's message.
        message: String,
    },

    /// NULL written to a NOT NULL column (SQLSTATE 23502).
    #[error("not-null violation{}: {message}", on_column(column))]
    NotNullViolation {
        /// The column.
        column: Option<String>,
        /// The server's message.
        message: String,
    },

    /// The connection failed, was closed or timed out (I/O errors, a closed
    /// connection, SQLSTATE class 08 and server shutdown 57P01–57P03).
    /// Retrying on a new connection may succeed.
    #[error("database connection error: {0}")]
    Connection(#[source] tokio_postgres::Error),

    /// A column could not be read into its field: missing from the row,
    /// of an incompatible type, or NULL for a non-`Option` field.
    #[error("cannot decode column `{column}`: {source}")]
    Decode {
        /// The column's name.
        column: String,
        /// What went wrong.
        #[source]
        source: tokio_postgres::Error,
    },

    /// Any other database error.
    #[error(transparent)]
    Database(tokio_postgres::Error),
}

fn on(constraint: &Option<String>) -> String {
    match constraint {
        Some(c) => format!(" on constraint `{c}`"),
        None => String::new(),
    }
}

fn on_column(column: &Option<String>) -> String {
    match column {
        Some(c) => format!(" in column `{c}`"),
        None => String::new(),
    }
}

impl Error {
    /// The violated constraint's name, for the constraint-violation variants.
    pub fn constraint(&self) -> Option<&str> {
        match self {
            Error::UniqueViolation { constraint, .. }
            | Error::ForeignKeyViolation { constraint, .. }
            | Error::CheckViolation { constraint, .. } => constraint.as_deref(),
            _ => None,
        }
    }

    /// Whether this is [`Error::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound)
    }

    /// Whether this is [`Error::Connection`].
    pub fn is_connection(&self) -> bool {
        matches!(self, Error::Connection(_))
    }

    /// The SQLSTATE of a server error, if the error came from the server.
    pub fn code(&self) -> Option<&SqlState> {
        match self {
            Error::Connection(e) | Error::Database(e) => e.code(),
            _ => None,
        }
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            let message = db.message().to_string();
            let constraint = db.constraint().map(str::to_string);
            let code = db.code();
            return if *code == SqlState::UNIQUE_VIOLATION {
                Error::UniqueViolation {
                    constraint,
                    message,
                }
            } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
                Error::ForeignKeyViolation {
                    constraint,
                    message,
                }
            } else if *code == SqlState::CHECK_VIOLATION {
                Error::CheckViolation {
                    constraint,
                    message,
                }
            } else if *code == SqlState::NOT_NULL_VIOLATION {
                Error::NotNullViolation {
                    column: db.column().map(str::to_string),
                    message,
                }
            } else if is_connection_state(code) {
                Error::Connection(e)
            } else {
                Error::Database(e)
            };
        }
        if e.is_closed() || has_io_source(&e) {
            Error::Connection(e)
        } else {
            Error::Database(e)
        }
    }
}

/// SQLSTATE class 08 (connection exception) and the server going away
/// (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now).
fn is_connection_state(code: &SqlState) -> bool {
    code.code().starts_with("08")
        || *code == SqlState::ADMIN_SHUTDOWN
        || *code == SqlState::CRASH_SHUTDOWN
        || *code == SqlState::CANNOT_CONNECT_NOW
}

/// Whether an I/O error is somewhere in the chain (socket errors, connect
/// timeouts, TLS over a broken socket).
fn has_io_source(e: &tokio_postgres::Error) -> bool {
    let mut source = e.source();
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// A string that is not a label of a PostgreSQL enum (from `FromStr` or
/// `FromSql` of a type deriving `NzcEnum`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseEnumError {
    type_name: &'static str,
    expected: &'static [&'static str],
    value: String,
}

impl ParseEnumError {
    /// An error for `value`, not one of `expected`, the labels of `type_name`.
    pub fn new(type_name: &'static str, expected: &'static [&'static str], value: &str) -> Self {
        ParseEnumError {
            type_name,
            expected,
            value: value.to_string(),
        }
    }

    /// The PostgreSQL enum type.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The string that was refused.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for ParseEnumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a value of enum `{}` (expected one of: ",
            self.value, self.type_name
        )?;
        for (i, v) in self.expected.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{v}`")?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for ParseEnumError {}
