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
    }
    Ok(config)
}

/// The directory holding the schema file (`.` for a bare file name).
pub fn project_dir(schema: &Path) -> PathBuf {
    match schema.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
