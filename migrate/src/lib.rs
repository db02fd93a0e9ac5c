//! nzc's migration library: the migrations of an application (from a
//! directory, or compiled into the binary), the runner that applies them to
//! a live PostgreSQL database, and the database as an input —
//! introspection, drift check and adopting a database another tool built.
//!
//! ```no_run
//! // Relative to CARGO_MANIFEST_DIR. See "Rebuilding" below.
//! static MIGRATIONS: nzc_migrate::Migrations = nzc_migrate::embed_migrations!("../migrations");
//!
//! # async fn start(mut client: tokio_postgres::Client) -> Result<(), nzc_migrate::Error> {
//! use nzc_migrate::{Migrator, Target};
//! let migrator = Migrator::new(&MIGRATIONS); // or Migrations::from_dir("migrations")?
//! migrator.upgrade(&mut client, Target::Head).await?;
//! let at: Option<String> = migrator.current(&client).await?; // `<version>_<name>`; None at base
//! let drift = migrator.check(&client).await?;
//! assert!(drift.is_empty(), "{drift}");
//! # Ok(()) }
//! ```
//!
//! # Rebuilding when migrations change
//!
//! `embed_migrations!` compiles each `up.sql`, `down.sql` and `schema.nzc`
//! in with `include_str!`, so **editing** a file rebuilds the crate. Cargo
//! cannot see a migration being **added or removed** from a proc-macro on
//! stable Rust (sqlx's `migrate!` has the same limit), so the embedding
//! crate needs a build script that tells it to watch the directory:
//!
//! ```text
//! // build.rs
//! fn main() {
//!     println!("cargo:rerun-if-changed=migrations");
//! }
//! ```
//!
//! With it, any change under `migrations/` (a new directory, a removed one,
//! an edited file) recompiles the crate. `tests/embedded.rs` in the nzc
//! repository shows both.
//!
//! # Module map
//! - [`files`]: [`Migrations`] and [`Migration`], checksums.
//! - [`runner`]: [`Migrator`], [`Target`] planning, [`Report`].
//! - [`history`]: the history table `nzc_migrations` and the lock.
//! - [`introspect()`]: a live schema → the schema model ([`nzc_dsl::Schema`]).
//! - [`check`]: drift between a database and the schema it should have.
//! - [`adopt`]: taking over a database that Alembic, sqlx, diesel or Flyway built.
//! - `url`, `connect` (feature `connect`): `DATABASE_URL` and TLS.

pub mod adopt;
pub mod check;
#[cfg(feature = "connect")]
pub mod connect;
mod error;
pub mod files;
mod foreign;
pub mod history;
mod introspect;
pub mod runner;
pub mod split;
#[cfg(feature = "connect")]
pub mod url;

pub use adopt::{AdoptOptions, Adoption};
pub use check::{Difference, Drift};
pub use error::{ConnectFailure, Error, Failure, NotManaged};
pub use files::{Migration, Migrations, Part, PartMode, Script, SNAPSHOT};
pub use foreign::ForeignHistory;
pub use introspect::{introspect, Introspection, Unmanaged};
pub use nzc_migrate_macros::embed_migrations;
pub use runner::{Direction, Done, Migrator, Progress, Report, State};

/// Where a move goes.
///
/// Parsed from the command line's spelling with [`str::parse`]: `head`,
/// `base`, `+N`, `-N`, or a revision (a full id, a version, or a unique
/// prefix of either).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every migration.
    Head,
    /// No migration.
    Base,
    /// The next `n` pending migrations (upgrade).
    Up(usize),
    /// The last `n` applied migrations (downgrade).
    Down(usize),
    /// Up to this revision (upgrade), or down to it, keeping it (downgrade).
    Revision(String),
}

impl std::str::FromStr for Target {
    type Err = Error;

    fn from_str(s: &str) -> Result<Target, Error> {
        let count = |digits: &str, sign: char| {
            digits.parse::<usize>().map_err(|_| Error::InvalidTarget {
                target: s.to_string(),
                direction: if sign == '+' { "upgrade" } else { "downgrade" },
                expected: if sign == '+' {
                    "+N with a number N, e.g. +1"
                } else {
                    "-N with a number N, e.g. -1"
                },
            })
        };
        Ok(match s {
            "head" => Target::Head,
            "base" => Target::Base,
            _ if s.starts_with('+') => Target::Up(count(&s[1..], '+')?),
            _ if s.starts_with('-') => Target::Down(count(&s[1..], '-')?),
            rev => Target::Revision(rev.to_string()),
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Head => f.write_str("head"),
            Target::Base => f.write_str("base"),
            Target::Up(n) => write!(f, "+{n}"),
            Target::Down(n) => write!(f, "-{n}"),
            Target::Revision(r) => f.write_str(r),
        }
    }
}

/// Not a public API: what `embed_migrations!` expands to.
#[doc(hidden)]
pub mod __private {
    pub use crate::files::EmbeddedMigration;
}
