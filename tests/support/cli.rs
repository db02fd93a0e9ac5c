//! Running the real `nzc` binary in a project directory, and loading the
//! team's Alembic-built databases (`../shared/alembic-db/`).
//!
//! Include with `mod common;` and `#[path = "support/cli.rs"] mod cli;`.

#![allow(dead_code)]

use crate::common::TestDb;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `nzc <args…>` in `dir`, with `DATABASE_URL` = `url` (and no other URL
/// from the environment).
pub fn nzc(dir: &Path, url: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_nzc"));
    c.args(args).current_dir(dir).env("NO_COLOR", "1");
    c.env_remove("DATABASE_URL").env_remove("DB_URL");
    if let Some(u) = url {
        c.env("DATABASE_URL", u);
    }
    c.output().expect("run nzc")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Stdout and stderr together, for messages.
pub fn all(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

/// The exit code (-1 when killed by a signal).
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// Asserts success and returns stdout.
pub fn ok(out: &Output) -> String {
    assert!(out.status.success(), "nzc failed:\n{}", all(out));
    text(&out.stdout)
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// A project directory with a copy of the repository's migrations.
pub fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("migrations"), &dir.path().join("migrations"));
    dir
}

/// The Alembic revisions of `../shared/alembic-db/`, oldest first, with the
/// nzc migration of the same model version.
pub const ALEMBIC: [(&str, &str); 4] = [
    ("20250107_000000_init_schema", "20250601000000_init"),
    (
        "20260123_170000_add_misc_columns",
        "20250602000000_add_misc_to_17_tables",
    ),
    (
        "20260126_budgetfunding_bigint",
        "20250603000000_budgetfunding_amount_to_bigint",
    ),
    (
        "20260127_initiative_bigint",
        "20250604000000_initiative_totalestimatedcost_to_bigint",
    ),
];

/// The dump of the team's database at an Alembic revision.
pub fn alembic_dump(revision: &str) -> PathBuf {
    repo()
        .join("../shared/alembic-db")
        .join(format!("{revision}.sql"))
}

/// Loads the team's database at an Alembic revision into `db` with psql,
/// exactly as their README says.
pub fn load_alembic(db: &TestDb, revision: &str) {
    psql_file(db.url(), &alembic_dump(revision));
}

/// Runs an SQL file with `psql -v ON_ERROR_STOP=1`.
pub fn psql_file(url: &str, file: &Path) {
    let out = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
        .arg(file)
        .arg(url)
        .output()
        .expect("psql must be installed");
    assert!(
        out.status.success(),
        "psql -f {} failed:\n{}",
        file.display(),
        all(&out)
    );
}

/// Runs SQL text with psql (as a file: `\` commands and many statements work).
pub fn psql(url: &str, sql: &str) {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), sql).unwrap();
    psql_file(url, f.path());
}

/// Whether the database has an nzc history, and the migrations it records
/// as applied.
pub async fn nzc_versions(db: &TestDb) -> Option<Vec<String>> {
    let c = db.client().await;
    let exists: bool = c
        .query_one("SELECT to_regclass('nzc_migrations') IS NOT NULL", &[])
        .await
        .unwrap()
        .get(0);
    if !exists {
        return None;
    }
    Some(
        c.query(
            "SELECT version || '_' || name FROM nzc_migrations WHERE state = 'applied' ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect(),
    )
}
