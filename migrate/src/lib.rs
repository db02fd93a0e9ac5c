//! The migration runner behind `nzc migrate` (feature `cli`): migrations on
//! disk, the connection (URL, TLS, waiting), and applying/reverting them
//! safely on a live database.

pub mod connect;
mod error;
pub mod files;
pub mod runner;
pub mod split;
pub mod url;

pub use error::{ConnectFailure, Failure, MigrateError};
pub use files::{load_dir, Migration};
pub use runner::{Direction, RunOptions};

/// Resolves a revision argument against the migrations: a full id
/// (`<version>_<name>`), a version, or a unique prefix of a version.
pub fn resolve<'m>(files: &'m [Migration], rev: &str) -> Result<&'m Migration, MigrateError> {
    if let Some(m) = files.iter().find(|m| m.id() == rev || m.version == rev) {
        return Ok(m);
    }
    let hits: Vec<&Migration> = files
        .iter()
        .filter(|m| m.version.starts_with(rev) || m.id().starts_with(rev))
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(MigrateError::UnknownRevision(rev.to_string())),
        many => Err(MigrateError::AmbiguousRevision(
            rev.to_string(),
            many.iter().map(|m| m.id()).collect::<Vec<_>>().join(", "),
        )),
    }
}
