//! Migrations on disk: `<dir>/<version>_<slug>/{up.sql,down.sql,schema.nzc}`.

use super::MigrateError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Name of the schema snapshot kept in each migration directory: the schema
/// the database has once the migration is applied.
pub const SNAPSHOT: &str = "schema.nzc";
pub use nzc_codegen::migration::NO_TRANSACTION_MARKER;

/// One migration found on disk.
#[derive(Debug, Clone)]
pub struct Migration {
    /// The numeric version (`20250601000000`), the sort key.
    pub version: String,
    /// The slug after the version (`init`).
    pub name: String,
    pub dir: PathBuf,
    pub up: Script,
    pub down: Script,
}

impl Migration {
    /// `<version>_<name>`, the directory name.
    pub fn id(&self) -> String {
        format!("{}_{}", self.version, self.name)
    }
}

/// An SQL file of a migration.
#[derive(Debug, Clone)]
pub struct Script {
    pub path: PathBuf,
    pub sql: String,
    /// Run statement by statement without a transaction.
    pub no_transaction: bool,
    /// Checksum of the normalised text (see [`checksum`]).
    pub checksum: String,
}

impl Script {
    fn load(path: PathBuf) -> Result<Script, MigrateError> {
        let bytes = std::fs::read(&path)
            .map_err(|e| MigrateError::Io(format!("cannot read {}", path.display()), e))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| MigrateError::Invalid(format!("{} is not UTF-8", path.display())))?;
        let sql = normalise(&text);
        let no_transaction = sql.lines().any(|l| l.trim() == NO_TRANSACTION_MARKER);
        Ok(Script {
            checksum: checksum(&sql),
            path,
            sql,
            no_transaction,
        })
    }
}

/// The text with a leading BOM removed and CRLF / CR line endings made LF:
/// copies of a migration that differ only in these have the same checksum.
pub fn normalise(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// SHA-256 of the normalised text, in hex.
pub fn checksum(normalised: &str) -> String {
    let digest = Sha256::digest(normalised.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a directory name is a migration id (`<digits>_<slug>`).
pub fn parse_id(name: &str) -> Option<(&str, &str)> {
    let (version, slug) = name.split_once('_')?;
    (!version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) && !slug.is_empty())
        .then_some((version, slug))
}

/// Loads every migration of `dir`, sorted by version. A missing directory is
/// no migrations; two migrations with one version are an error.
pub fn load_dir(dir: &Path) -> Result<Vec<Migration>, MigrateError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(MigrateError::Io(
                format!("cannot read {}", dir.display()),
                e,
            ))
        }
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| MigrateError::Io(format!("cannot read {}", dir.display()), e))?;
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let file_name = entry.file_name();
        let Some((version, name)) = file_name.to_str().and_then(parse_id) else {
            continue;
        };
        let up = path.join("up.sql");
        let down = path.join("down.sql");
        if !up.is_file() || !down.is_file() {
            return Err(MigrateError::Invalid(format!(
                "migration {} must hold up.sql and down.sql",
                path.display()
            )));
        }
        out.push(Migration {
            version: version.to_string(),
            name: name.to_string(),
            up: Script::load(up)?,
            down: Script::load(down)?,
            dir: path,
        });
    }
    out.sort_by(|a, b| version_key(&a.version).cmp(&version_key(&b.version)));
    for pair in out.windows(2) {
        if version_key(&pair[0].version) == version_key(&pair[1].version) {
            return Err(MigrateError::Invalid(format!(
                "two migrations have version {}: {} and {}",
                pair[0].version,
                pair[0].dir.display(),
                pair[1].dir.display()
            )));
        }
    }
    Ok(out)
}

/// Sort key of a version: numeric order (`9` before `10`).
pub fn version_key(v: &str) -> (usize, &str) {
    let v = v.trim_start_matches('0');
    (v.len(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_ignores_bom_and_line_endings() {
        let a = checksum(&normalise("SELECT 1;\nSELECT 2;\n"));
        assert_eq!(
            a,
            checksum(&normalise("\u{feff}SELECT 1;\r\nSELECT 2;\r\n"))
        );
        assert_eq!(a, checksum(&normalise("SELECT 1;\rSELECT 2;\r")));
        assert_ne!(a, checksum(&normalise("SELECT 1;\nSELECT 3;\n")));
    }

    #[test]
    fn ids() {
        assert_eq!(
            parse_id("20250101000000_init"),
            Some(("20250101000000", "init"))
        );
        assert_eq!(parse_id("init"), None);
        assert_eq!(parse_id("v1_init"), None);
        assert!(version_key("9") < version_key("10"));
    }
}
