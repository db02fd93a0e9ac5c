//! `nzc.toml`, the optional project file next to the schema.
//!
//! ```toml
//! [rust]
//! out_dir = "generated"          # relative to nzc.toml
//! crate_name = "nzc-models"
//! nzc_dependency = '{ path = ".." }'
//!
//! [migrations]
//! dir = "migrations"             # relative to nzc.toml
//!
//! [python]                       # optional: SQLAlchemy + Pydantic models
//! out_dir = "python/nzc_models"  # the distribution's root (pyproject.toml), relative to nzc.toml
//! package = "nzc_models"         # the import name
//! distribution = "nzc-models"    # the pyproject name (default: the package with `-` for `_`)
//! ```

use anyhow::Context as _;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "nzc.toml";

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub rust: RustConfig,
    #[serde(default)]
    pub migrations: MigrationsConfig,
    /// Python models: written only when the section is there.
    pub python: Option<PythonConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonConfig {
    /// The distribution's root directory (where `pyproject.toml` goes), relative to nzc.toml.
    pub out_dir: PathBuf,
    /// The import name of the package.
    pub package: String,
    /// The distribution name; default: `package` with `-` for `_`.
    pub distribution: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MigrationsConfig {
    /// Directory of the migrations, relative to nzc.toml.
    pub dir: PathBuf,
}

impl Default for MigrationsConfig {
    fn default() -> Self {
        MigrationsConfig {
            dir: PathBuf::from("migrations"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RustConfig {
    pub out_dir: PathBuf,
    pub crate_name: String,
    pub nzc_dependency: String,
}

impl Default for RustConfig {
    fn default() -> Self {
        RustConfig {
            out_dir: PathBuf::from("generated"),
            crate_name: "models".into(),
            nzc_dependency: format!("{{ version = \"{}\" }}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Loads `nzc.toml` from the schema file's directory, or the defaults.
/// Relative paths in it are resolved against that directory.
pub fn load(schema: &Path) -> anyhow::Result<Config> {
    let dir = project_dir(schema);
    let path = dir.join(FILE_NAME);
    let mut config = match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str::<Config>(&text)
            .with_context(|| format!("invalid {}", path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    if dir != Path::new(".") {
        if config.rust.out_dir.is_relative() {
            config.rust.out_dir = dir.join(&config.rust.out_dir);
        }
        if config.migrations.dir.is_relative() {
            config.migrations.dir = dir.join(&config.migrations.dir);
        }
        if let Some(py) = &mut config.python {
            if py.out_dir.is_relative() {
                py.out_dir = dir.join(&py.out_dir);
            }
        }
    }
    if let Some(py) = &config.python {
        anyhow::ensure!(
            is_python_package_name(&py.package),
            "invalid {}: [python] package `{}` is not a Python identifier (letters, digits, `_`; not a keyword)",
            path.display(),
            py.package
        );
    }
    Ok(config)
}

/// The migrations directory: `flag` (`--migrations-dir`), else nzc.toml's
/// `[migrations] dir` next to the default schema, else `migrations`.
pub fn migrations_dir(flag: Option<&Path>) -> PathBuf {
    flag.map(Path::to_path_buf).unwrap_or_else(|| {
        load(Path::new(super::DEFAULT_SCHEMA))
            .map(|c| c.migrations.dir)
            .unwrap_or_else(|_| PathBuf::from("migrations"))
    })
}

/// The directory holding the schema file (`.` for a bare file name).
pub fn project_dir(schema: &Path) -> PathBuf {
    match schema.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether `name` can be imported: an ASCII identifier that is not a keyword.
fn is_python_package_name(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
        "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return",
        "try", "while", "with", "yield",
    ];
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name)
}
