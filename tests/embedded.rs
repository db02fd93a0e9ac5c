//! Embedded migrations (`nzc_migrate::embed_migrations!`):
//! - they are the same migrations as the directory they come from, through
//!   the same code (ids, checksums, snapshots);
//! - the start-up example (`examples/startup/`), built as an application of
//!   its own, migrates a real database, and is rebuilt when a migration is
//!   edited, added or removed (the build script's `rerun-if-changed`).
//!
//! The application is built by cargo in a target directory of its own
//! (`target/nzc-embed-test`, kept between runs), from the workspace's
//! `Cargo.lock` and offline: the first build compiles its dependencies
//! (about a minute on two cores), the rebuilds only the application.

mod common;

use common::TestDb;
use nzc_migrate::{Migration, Migrations, Migrator, Target};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

static EMBEDDED: Migrations = nzc_migrate::embed_migrations!("migrations");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn summary(list: &[Migration]) -> Vec<(String, String, String, Option<String>)> {
    list.iter()
        .map(|m| {
            (
                m.id(),
                m.up.checksum.clone(),
                m.down.checksum.clone(),
                m.snapshot.clone(),
            )
        })
        .collect()
}

#[test]
fn embedded_migrations_equal_the_directory() {
    let from_dir = Migrations::from_dir(repo().join("migrations")).unwrap();
    let embedded = EMBEDDED.list().unwrap();
    assert_eq!(embedded.len(), 4);
    assert!(EMBEDDED.is_embedded() && !from_dir.is_embedded());
    assert_eq!(summary(&embedded), summary(&from_dir.list().unwrap()));
    assert!(embedded.iter().all(|m| m.snapshot.is_some()));
    assert_eq!(
        embedded[0].up.path,
        Path::new("migrations/20250601000000_init/up.sql")
    );
}

#[tokio::test]
async fn embedded_and_directory_migrators_give_the_same_database() {
    let a = TestDb::new().await;
    let b = TestDb::new().await;
    let mut ca = a.client().await;
    let mut cb = b.client().await;
    let from_dir = Migrations::from_dir(repo().join("migrations")).unwrap();
    let ra = Migrator::new(&EMBEDDED)
        .upgrade(&mut ca, Target::Head)
        .await
        .unwrap();
    let rb = Migrator::new(&from_dir)
        .upgrade(&mut cb, Target::Head)
        .await
        .unwrap();
    assert_eq!(ra.done.len(), 4);
    assert_eq!(ra.current, rb.current);
    let sa = nzc_migrate::introspect(&ca, "public").await.unwrap();
    let sb = nzc_migrate::introspect(&cb, "public").await.unwrap();
    assert_eq!(sa, sb);
    let at = Migrator::new(&EMBEDDED).current(&ca).await.unwrap();
    assert_eq!(
        at.as_deref(),
        Some("20250604000000_initiative_totalestimatedcost_to_bigint")
    );
}

/// The start-up example, copied into a temporary crate of its own.
struct App {
    dir: tempfile::TempDir,
}

impl App {
    fn new() -> App {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let example = repo().join("examples/startup");
        std::fs::create_dir_all(root.join("src")).unwrap();
        for f in ["build.rs", "src/main.rs"] {
            std::fs::copy(example.join(f), root.join(f)).unwrap();
        }
        std::fs::copy(repo().join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
        let migrate = repo().join("migrate");
        std::fs::write(
            root.join("Cargo.toml"),
            format!(
                r#"[package]
name = "nzc-example-startup"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
nzc-migrate = {{ path = {migrate:?} }}
tokio = {{ version = "1", features = ["rt", "macros"] }}
tokio-postgres = "0.7"

[workspace]
"#
            ),
        )
        .unwrap();
        copy_dir(&repo().join("migrations"), &root.join("migrations"));
        App { dir }
    }

    fn migrations(&self) -> PathBuf {
        self.dir.path().join("migrations")
    }

    fn build(&self) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .args(["build", "--offline", "--quiet"])
            .current_dir(self.dir.path())
            .env("CARGO_TARGET_DIR", repo().join("target/nzc-embed-test"))
            .env_remove("RUSTFLAGS")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "building the app failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn run(&self, args: &[&str], url: Option<&str>) -> (i32, String, String) {
        let bin = repo().join("target/nzc-embed-test/debug/nzc-example-startup");
        let mut cmd = Command::new(bin);
        cmd.args(args).env_remove("DATABASE_URL");
        if let Some(u) = url {
            cmd.env("DATABASE_URL", u);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn list(&self) -> Vec<String> {
        let (code, out, err) = self.run(&["--list"], None);
        assert_eq!(code, 0, "{err}");
        out.lines().map(str::to_string).collect()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Cargo compares modification times: make sure a change is newer than the
/// last build's outputs.
fn tick() {
    std::thread::sleep(Duration::from_millis(1100));
}

#[tokio::test]
async fn the_startup_example_migrates_and_is_rebuilt_when_migrations_change() {
    let app = App::new();
    app.build();
    let first = app.list();
    assert_eq!(first.len(), 4, "{first:?}");

    // Start-up against a real database: all four applied, schema in sync.
    let db = TestDb::new().await;
    let (code, out, err) = app.run(&[], Some(db.url()));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.matches("applied ").count(), 4, "{out}");
    assert!(out.contains("schema in sync"), "{out}");
    // A second start finds nothing to do.
    let (code, out, _) = app.run(&[], Some(db.url()));
    assert_eq!(code, 0);
    assert!(!out.contains("applied "), "{out}");

    // Editing a migration: the new text is compiled in (its checksum changes).
    tick();
    let init_up = app.migrations().join("20250601000000_init/up.sql");
    let mut text = std::fs::read_to_string(&init_up).unwrap();
    text.push_str("-- edited after the first build\n");
    std::fs::write(&init_up, text).unwrap();
    app.build();
    let edited = app.list();
    assert_eq!(edited.len(), 4);
    assert_ne!(edited[0], first[0], "the edit was not compiled in");
    assert_eq!(edited[1..], first[1..]);

    // Adding a migration: seen without touching any Rust file.
    tick();
    let added = app.migrations().join("20991231000000_add_probe");
    std::fs::create_dir(&added).unwrap();
    std::fs::write(added.join("up.sql"), "CREATE TABLE \"Probe\" (id int);\n").unwrap();
    std::fs::write(added.join("down.sql"), "DROP TABLE \"Probe\";\n").unwrap();
    app.build();
    let with_new = app.list();
    assert_eq!(with_new.len(), 5, "{with_new:?}");
    assert!(with_new[4].starts_with("20991231000000_add_probe "));
    let other = TestDb::new().await;
    let (code, out, err) = app.run(&[], Some(other.url()));
    assert_eq!(out.matches("applied ").count(), 5, "{out}{err}");
    // The new migration has no schema snapshot: the app's drift check says so.
    assert_ne!(code, 0);
    assert!(err.contains("no schema snapshot"), "{err}");

    // Removing it again.
    tick();
    std::fs::remove_dir_all(&added).unwrap();
    app.build();
    assert_eq!(app.list(), edited);
}
