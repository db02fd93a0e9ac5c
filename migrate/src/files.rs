//! Where migrations come from: a directory on disk
//! (`<dir>/<version>_<slug>/{up.sql,down.sql,schema.nzc}`), or the same
//! files compiled into the binary by [`embed_migrations!`](crate::embed_migrations).
//!
//! Both sources end in [`Migration::from_texts`]: the embedded and the
//! on-disk paths share every line after reading the bytes.

use crate::Error;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub use nzc_types::contract::SNAPSHOT_FILE as SNAPSHOT;
pub use nzc_types::contract::{PartMode, NO_TRANSACTION_MARKER, PART_MARKER};

/// One migration.
#[derive(Debug, Clone)]
pub struct Migration {
    /// The numeric version (`20250601000000`), the sort key.
    pub version: String,
    /// The slug after the version (`init`).
    pub name: String,
    /// Its directory (for an embedded migration: as it was at build time).
    pub dir: PathBuf,
    pub up: Script,
    pub down: Script,
    /// The schema the database has once this migration is applied
    /// (`schema.nzc` of the directory), if the migration has one.
    pub snapshot: Option<String>,
}

impl Migration {
    /// `<version>_<name>`, the directory name.
    pub fn id(&self) -> String {
        format!("{}_{}", self.version, self.name)
    }

    /// A migration from the texts of its files. `dir_name` must be a
    /// migration id (`<digits>_<slug>`).
    pub fn from_texts(
        dir: &Path,
        up: &str,
        down: &str,
        snapshot: Option<&str>,
    ) -> Result<Migration, Error> {
        let dir_name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let (version, name) = parse_id(dir_name).ok_or_else(|| {
            Error::InvalidMigrations(format!(
                "{} is not a migration directory name (`<digits>_<slug>`)",
                dir.display()
            ))
        })?;
        Ok(Migration {
            version: version.to_string(),
            name: name.to_string(),
            up: Script::new(dir.join("up.sql"), up)?,
            down: Script::new(dir.join("down.sql"), down)?,
            snapshot: snapshot.map(normalise),
            dir: dir.to_path_buf(),
        })
    }
}

/// An SQL file of a migration.
///
/// It runs as one or more **parts** (see [`nzc_types::contract::PART_MARKER`]):
/// a file without part markers is one part — one transaction, or, with the
/// `-- nzc:no-transaction` line, statement by statement. Parts run in
/// order, each committed before the next begins.
#[derive(Debug, Clone)]
pub struct Script {
    pub path: PathBuf,
    /// The normalised text (see [`normalise`]).
    pub sql: String,
    /// The file does not run as one transaction: it has the
    /// no-transaction line, or parts.
    pub no_transaction: bool,
    /// Checksum of the normalised text (see [`checksum`]).
    pub checksum: String,
    /// The parts, in order; together their statements are
    /// [`Script::statements`], in order.
    pub parts: Vec<Part>,
    /// Byte ranges of the statements in `sql`, split once.
    spans: Vec<std::ops::Range<usize>>,
}

/// One part of a [`Script`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub mode: PartMode,
    /// The 1-based line of its marker (`None`: a file without parts).
    pub marker_line: Option<usize>,
    /// Its statements: indices into [`Script::statements`].
    pub statements: std::ops::Range<usize>,
}

impl Part {
    /// Whether its statements run in one transaction.
    pub fn transactional(&self) -> bool {
        self.mode == PartMode::Transaction
    }
}

impl Script {
    fn new(path: PathBuf, text: &str) -> Result<Script, Error> {
        let sql = normalise(text);
        let parts = crate::split::split_parts(&sql).map_err(|e| {
            Error::InvalidMigrations(format!("{}:{}: {}", path.display(), e.line, e.message))
        })?;
        let mut next = 0;
        let mut spans = Vec::new();
        let parts: Vec<Part> = parts
            .into_iter()
            .map(|p| {
                let start = next;
                next += p.statements.len();
                spans.extend(
                    p.statements
                        .iter()
                        .map(|st| st.offset..st.offset + st.sql.len()),
                );
                Part {
                    mode: p.mode,
                    marker_line: p.marker_line,
                    statements: start..next,
                }
            })
            .collect();
        Ok(Script {
            checksum: checksum(&sql),
            no_transaction: !(parts.len() == 1 && parts[0].transactional()),
            path,
            parts,
            spans,
            sql,
        })
    }

    /// Whether the whole file runs in one transaction (with its history row).
    pub fn is_single_transaction(&self) -> bool {
        !self.no_transaction
    }

    /// Every statement, in order, across the parts (offsets into [`Script::sql`]).
    pub fn statements(&self) -> Vec<crate::split::Statement<'_>> {
        self.spans
            .iter()
            .map(|r| crate::split::Statement {
                sql: &self.sql[r.clone()],
                offset: r.start,
            })
            .collect()
    }

    /// The part that holds statement `index`.
    pub fn part_of(&self, index: usize) -> Option<&Part> {
        self.parts.iter().find(|p| p.statements.contains(&index))
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

pub use nzc_types::contract::{parse_migration_id as parse_id, version_key};

/// The migrations of an application: read from a directory
/// ([`Migrations::from_dir`]) or compiled in
/// ([`embed_migrations!`](crate::embed_migrations)).
#[derive(Debug)]
pub struct Migrations {
    source: Source,
}

#[derive(Debug)]
enum Source {
    Embedded {
        dir: &'static str,
        files: &'static [EmbeddedMigration],
    },
    Loaded {
        dir: PathBuf,
        list: Vec<Migration>,
    },
}

/// One migration as `embed_migrations!` compiles it in. Not a public API.
#[doc(hidden)]
#[derive(Debug)]
pub struct EmbeddedMigration {
    /// The migration's directory at build time.
    pub dir: &'static str,
    pub up: &'static str,
    pub down: &'static str,
    pub snapshot: Option<&'static str>,
}

impl Migrations {
    /// What `embed_migrations!` expands to. Not a public API.
    #[doc(hidden)]
    pub const fn __embedded(dir: &'static str, files: &'static [EmbeddedMigration]) -> Migrations {
        Migrations {
            source: Source::Embedded { dir, files },
        }
    }

    /// Reads every migration of `dir`. A missing directory holds no
    /// migrations; a subdirectory without `up.sql` and `down.sql`, or two
    /// migrations with one version, are errors.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Migrations, Error> {
        let dir = dir.as_ref();
        let io = |what: String| {
            move |source| Error::Io {
                context: what,
                source,
            }
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Migrations {
                    source: Source::Loaded {
                        dir: dir.to_path_buf(),
                        list: Vec::new(),
                    },
                })
            }
            Err(e) => return Err(io(format!("cannot read {}", dir.display()))(e)),
        };
        let mut list = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io(format!("cannot read {}", dir.display())))?;
            let path = entry.path();
            if !path.is_dir() || entry.file_name().to_str().and_then(parse_id).is_none() {
                continue;
            }
            let read = |file: &str| -> Result<Option<String>, Error> {
                let p = path.join(file);
                match std::fs::read(&p) {
                    Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
                        Error::InvalidMigrations(format!("{} is not UTF-8", p.display()))
                    }),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(io(format!("cannot read {}", p.display()))(e)),
                }
            };
            let (Some(up), Some(down)) = (read("up.sql")?, read("down.sql")?) else {
                return Err(Error::InvalidMigrations(format!(
                    "migration {} must hold up.sql and down.sql",
                    path.display()
                )));
            };
            let snapshot = read(SNAPSHOT)?;
            list.push(Migration::from_texts(
                &path,
                &up,
                &down,
                snapshot.as_deref(),
            )?);
        }
        let list = sorted(list)?;
        Ok(Migrations {
            source: Source::Loaded {
                dir: dir.to_path_buf(),
                list,
            },
        })
    }

    /// The directory the migrations come from (for embedded ones: as it was
    /// at build time).
    pub fn dir(&self) -> &Path {
        match &self.source {
            Source::Embedded { dir, .. } => Path::new(dir),
            Source::Loaded { dir, .. } => dir,
        }
    }

    /// Whether the migrations are compiled into the binary.
    pub fn is_embedded(&self) -> bool {
        matches!(self.source, Source::Embedded { .. })
    }

    /// Every migration, sorted by version.
    pub fn list(&self) -> Result<Vec<Migration>, Error> {
        match &self.source {
            Source::Loaded { list, .. } => Ok(list.clone()),
            Source::Embedded { files, .. } => sorted(
                files
                    .iter()
                    .map(|f| Migration::from_texts(Path::new(f.dir), f.up, f.down, f.snapshot))
                    .collect::<Result<_, _>>()?,
            ),
        }
    }
}

/// Sorts by version; two migrations with one version are an error.
fn sorted(mut list: Vec<Migration>) -> Result<Vec<Migration>, Error> {
    list.sort_by(|a, b| version_key(&a.version).cmp(&version_key(&b.version)));
    for pair in list.windows(2) {
        if version_key(&pair[0].version) == version_key(&pair[1].version) {
            return Err(Error::InvalidMigrations(format!(
                "two migrations have version {}: {} and {}",
                pair[0].version,
                pair[0].dir.display(),
                pair[1].dir.display()
            )));
        }
    }
    Ok(list)
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

    #[test]
    fn embedded_and_loaded_agree() {
        static FILES: &[EmbeddedMigration] = &[
            EmbeddedMigration {
                dir: "m/2_second",
                up: "SELECT 2;\r\n",
                down: "SELECT -2;",
                snapshot: None,
            },
            EmbeddedMigration {
                dir: "m/1_first",
                up: "SELECT 1;",
                down: "SELECT -1;",
                snapshot: Some("table T {\n  id uuid @pk\n}\n"),
            },
        ];
        static M: Migrations = Migrations::__embedded("m", FILES);
        let list = M.list().unwrap();
        assert_eq!(
            list.iter().map(Migration::id).collect::<Vec<_>>(),
            ["1_first", "2_second"]
        );
        assert_eq!(list[1].up.checksum, checksum("SELECT 2;\n"));
        assert!(list[0].snapshot.is_some());
        assert!(M.is_embedded());
    }
}
