//! `nzc migrate` end to end: the real binary against a fresh database per
//! test — concurrency, failures and rollback, SIGKILL, tampering, CRLF
//! copies, offline SQL, stamping and connection errors.

#[path = "support/cli.rs"]
mod cli;
mod common;
#[path = "support/introspect.rs"]
mod introspect;

use cli::{ok, repo, text};
use common::TestDb;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn nzc(dir: &Path, url: Option<&str>, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_nzc"));
    c.arg("migrate")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1");
    c.env_remove("DATABASE_URL").env_remove("DB_URL");
    if let Some(u) = url {
        c.env("DATABASE_URL", u);
    }
    c
}

fn run(dir: &Path, url: Option<&str>, args: &[&str]) -> Output {
    nzc(dir, url, args).output().expect("run nzc")
}

/// A project directory with a copy of the repository's migrations.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("migrations"),
        &dir.path().join("migrations"),
        |s| s.to_string(),
    );
    dir
}

fn copy_dir(from: &Path, to: &Path, transform: impl Fn(&str) -> String + Copy) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target, transform);
        } else {
            std::fs::write(&target, transform(&std::fs::read_to_string(&p).unwrap())).unwrap();
        }
    }
}

/// A project with hand-made migrations: (id, up, down).
fn project_with(migrations: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (id, up, down) in migrations {
        let d = dir.path().join("migrations").join(id);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("up.sql"), up).unwrap();
        std::fs::write(d.join("down.sql"), down).unwrap();
    }
    dir
}

async fn versions(db: &TestDb) -> Vec<String> {
    let c = db.client().await;
    let exists: bool = c
        .query_one("SELECT to_regclass('nzc_migrations') IS NOT NULL", &[])
        .await
        .unwrap()
        .get(0);
    if !exists {
        return Vec::new();
    }
    c.query("SELECT version FROM nzc_migrations ORDER BY version", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn tables(db: &TestDb) -> Vec<String> {
    db.client()
        .await
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'nzc_migrations' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn column_type(db: &TestDb, table: &str, column: &str) -> Option<String> {
    db.client()
        .await
        .query_opt(
            "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             WHERE c.relname = $1 AND a.attname = $2 AND NOT a.attisdropped",
            &[&table, &column],
        )
        .await
        .unwrap()
        .map(|r| r.get(0))
}

const V1: &str = "20250601000000";
const V2: &str = "20250602000000";
const V3: &str = "20250603000000";
const V4: &str = "20250604000000";

#[tokio::test]
async fn upgrade_step_by_step_then_downgrade_to_base() {
    let db = TestDb::new().await;
    let p = project();
    let url = Some(db.url());
    let out = ok(&run(p.path(), url, &["upgrade", "+1"]));
    assert!(
        out.contains(&format!("applied  {V1}_init (")),
        "one line per migration with its time: {out}"
    );
    assert_eq!(versions(&db).await, [V1]);
    assert_eq!(tables(&db).await.len(), 17);
    assert_eq!(column_type(&db, "City", "misc").await, None);
    ok(&run(p.path(), url, &["upgrade", "+1"]));
    assert_eq!(
        column_type(&db, "City", "misc").await.as_deref(),
        Some("jsonb")
    );
    ok(&run(p.path(), url, &["upgrade", "+1"]));
    assert_eq!(
        column_type(&db, "BudgetFunding", "amount").await.as_deref(),
        Some("bigint")
    );
    assert_eq!(
        column_type(&db, "Initiative", "totalEstimatedCost")
            .await
            .as_deref(),
        Some("integer")
    );
    ok(&run(p.path(), url, &["upgrade", "+1"]));
    assert_eq!(
        column_type(&db, "Initiative", "totalEstimatedCost")
            .await
            .as_deref(),
        Some("bigint")
    );
    assert_eq!(versions(&db).await, [V1, V2, V3, V4]);
    let out = ok(&run(p.path(), url, &["upgrade", "head"]));
    assert!(
        out.contains("already at 20250604000000_initiative_totalestimatedcost_to_bigint"),
        "{out}"
    );
    assert!(ok(&run(p.path(), url, &["current"])).contains(V4));

    ok(&run(p.path(), url, &["downgrade", "-1"]));
    assert_eq!(versions(&db).await, [V1, V2, V3]);
    assert_eq!(
        column_type(&db, "Initiative", "totalEstimatedCost")
            .await
            .as_deref(),
        Some("integer")
    );
    ok(&run(p.path(), url, &["downgrade", "-1"]));
    assert_eq!(
        column_type(&db, "BudgetFunding", "amount").await.as_deref(),
        Some("integer")
    );
    ok(&run(p.path(), url, &["downgrade", "-1"]));
    assert_eq!(column_type(&db, "City", "misc").await, None);
    ok(&run(p.path(), url, &["downgrade", "-1"]));
    assert_eq!(versions(&db).await, Vec::<String>::new());
    assert!(tables(&db).await.is_empty());
    assert!(ok(&run(p.path(), url, &["current"])).contains("base"));

    // In one go, and to a named revision.
    let out = ok(&run(p.path(), url, &["upgrade", "head"]));
    assert_eq!(out.matches("applied  ").count(), 4, "{out}");
    ok(&run(p.path(), url, &["downgrade", V2]));
    assert_eq!(versions(&db).await, [V1, V2]);
    ok(&run(p.path(), url, &["upgrade", "20250603"]));
    assert_eq!(versions(&db).await, [V1, V2, V3]);
    ok(&run(p.path(), url, &["downgrade", "base"]));
    assert!(tables(&db).await.is_empty());
}

/// The model of version `n` of the history fixtures.
fn history_model(n: usize) -> nzc_dsl::Schema {
    let path = repo().join(format!("tests/fixtures/history/v{n}.nzc"));
    nzc_dsl::compile(&std::fs::read_to_string(&path).unwrap(), "v.nzc").unwrap()
}

#[tokio::test]
async fn each_version_of_the_history_equals_its_model_up_and_down() {
    let db = TestDb::new().await;
    let p = project();
    let url = Some(db.url());
    let empty = introspect::introspect(&db.client().await).await;
    let mut expected = vec![empty.clone()];
    for n in 1..=4 {
        expected.push(introspect::schema_db(&history_model(n)).await);
    }
    for (n, want) in expected.iter().enumerate().skip(1) {
        ok(&run(p.path(), url, &["upgrade", "+1"]));
        let live = introspect::introspect(&db.client().await).await;
        assert_eq!(&live, want, "after upgrade to version {n}");
    }
    for n in (0..4).rev() {
        ok(&run(p.path(), url, &["downgrade", "-1"]));
        let live = introspect::introspect(&db.client().await).await;
        assert_eq!(live, expected[n], "after downgrade to version {n}");
    }
    assert_eq!(expected[0], empty);
    ok(&run(p.path(), url, &["upgrade", "head"]));
    assert_eq!(
        introspect::introspect(&db.client().await).await,
        expected[4]
    );
    ok(&run(p.path(), url, &["downgrade", "base"]));
    assert_eq!(
        introspect::introspect(&db.client().await).await,
        expected[0]
    );
}

#[tokio::test]
async fn eight_concurrent_runners_apply_each_migration_once() {
    let db = TestDb::new().await;
    let p = project();
    let children: Vec<_> = (0..8)
        .map(|_| {
            nzc(p.path(), Some(db.url()), &["upgrade", "head"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut applied_lines = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        let stdout = ok(&out);
        applied_lines += stdout.matches("applied  ").count();
    }
    assert_eq!(
        applied_lines, 4,
        "each of the 4 migrations applied by exactly one runner"
    );
    assert_eq!(versions(&db).await, [V1, V2, V3, V4]);
    let n: i64 = db
        .client()
        .await
        .query_one("SELECT count(*) FROM nzc_migrations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 4);
}

const GOOD: (&str, &str, &str) = (
    "1_create_a",
    "CREATE TABLE \"A\" (id int PRIMARY KEY);\n",
    "DROP TABLE \"A\";\n",
);

#[tokio::test]
async fn a_failing_statement_rolls_back_and_names_the_file_statement_and_error() {
    let db = TestDb::new().await;
    let p = project_with(&[
        GOOD,
        (
            "2_broken",
            "-- adds B, then fails\nCREATE TABLE \"B\" (id int);\n\nALTER TABLE \"B\"\n    ADD COLUMN \"x\" integr;\n",
            "DROP TABLE \"B\";\n",
        ),
    ]);
    let out = run(p.path(), Some(db.url()), &["upgrade", "head"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("migration 2_broken failed and was rolled back"),
        "{err}"
    );
    assert!(
        err.contains("2_broken/up.sql:4:1"),
        "file and line of the statement: {err}"
    );
    assert!(err.contains("ALTER TABLE \"B\""), "the statement: {err}");
    assert!(
        err.contains("type \"integr\" does not exist (SQLSTATE 42704)"),
        "PostgreSQL's message: {err}"
    );
    assert!(
        err.contains("up.sql:5:"),
        "PostgreSQL's position, in the file: {err}"
    );
    assert!(text(&out.stdout).contains("applied  1_create_a"));
    assert_eq!(
        versions(&db).await,
        ["1"],
        "history unchanged by the failed migration"
    );
    assert_eq!(tables(&db).await, ["A"], "B was rolled back");
}

#[tokio::test]
async fn a_busy_table_fails_fast_with_lock_timeout() {
    let db = TestDb::new().await;
    let p = project_with(&[
        GOOD,
        (
            "2_alter_a",
            "ALTER TABLE \"A\" ADD COLUMN y int;\n",
            "ALTER TABLE \"A\" DROP COLUMN y;\n",
        ),
    ]);
    ok(&run(p.path(), Some(db.url()), &["upgrade", "+1"]));
    // Another session holds a lock on A.
    let holder = db.client().await;
    holder
        .batch_execute("BEGIN; LOCK TABLE \"A\" IN ACCESS SHARE MODE;")
        .await
        .unwrap();
    let started = Instant::now();
    let out = run(
        p.path(),
        Some(db.url()),
        &["upgrade", "head", "--lock-timeout", "300ms"],
    );
    assert!(!out.status.success());
    assert!(started.elapsed() < Duration::from_secs(10), "fails fast");
    let err = text(&out.stderr);
    assert!(
        err.contains("55P03") && err.contains("lock_timeout"),
        "{err}"
    );
    holder.batch_execute("ROLLBACK").await.unwrap();
    ok(&run(p.path(), Some(db.url()), &["upgrade", "head"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_that_hits_lock_timeout_is_retried_with_backoff() {
    let db = TestDb::new().await;
    let p = project_with(&[
        GOOD,
        (
            "2_alter_a",
            "ALTER TABLE \"A\" ADD COLUMN y int;\n",
            "ALTER TABLE \"A\" DROP COLUMN y;\n",
        ),
    ]);
    ok(&run(p.path(), Some(db.url()), &["upgrade", "+1"]));
    let holder = db.client().await;
    // Without retries: fails, naming the lock timeout and the table.
    holder
        .batch_execute("BEGIN; LOCK TABLE \"A\" IN ACCESS EXCLUSIVE MODE;")
        .await
        .unwrap();
    let out = run(
        p.path(),
        Some(db.url()),
        &[
            "upgrade",
            "head",
            "--lock-timeout",
            "200ms",
            "--lock-retries",
            "0",
        ],
    );
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("canceling statement due to lock timeout"),
        "{err}"
    );
    assert!(
        err.contains("a lock on \"A\" was not granted within lock_timeout"),
        "{err}"
    );
    assert!(!err.contains("retry 1 of"), "{err}");
    // With retries: the holder lets go after ~2 s and the migration gets through.
    let releaser = {
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(2000)).await;
            holder.batch_execute("ROLLBACK").await.unwrap();
        })
    };
    let out = run(
        p.path(),
        Some(db.url()),
        &[
            "upgrade",
            "head",
            "--lock-timeout",
            "200ms",
            "--lock-retries",
            "5",
        ],
    );
    releaser.await.unwrap();
    let err = text(&out.stderr);
    assert!(out.status.success(), "{}{err}", text(&out.stdout));
    assert!(
        err.contains("2_alter_a: a lock on \"A\" was not granted within lock_timeout; rolled back, retry 1 of 5 in 0.5 s"),
        "{err}"
    );
    assert!(text(&out.stdout).contains("applied  2_alter_a"));
    assert_eq!(versions(&db).await, ["1", "2"]);
}

#[tokio::test]
async fn sigkill_mid_migration_leaves_the_previous_version_and_a_rerun_succeeds() {
    let db = TestDb::new().await;
    let p = project_with(&[
        GOOD,
        (
            "2_slow",
            "CREATE TABLE \"B\" (id int);\nSELECT pg_sleep(3);\nCREATE TABLE \"C\" (id int);\n",
            "DROP TABLE \"C\";\nDROP TABLE \"B\";\n",
        ),
    ]);
    ok(&run(p.path(), Some(db.url()), &["upgrade", "+1"]));
    let mut child = nzc(p.path(), Some(db.url()), &["upgrade", "head"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the migration is inside pg_sleep.
    let watcher = db.client().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n: i64 = watcher
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(3)%'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if n > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "migration never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // The server notices the dead connection and rolls its transaction back.
    let deadline = Instant::now() + Duration::from_secs(20);
    while watcher
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(3)%'",
            &[],
        )
        .await
        .unwrap()
        .get::<_, i64>(0)
        > 0
    {
        assert!(Instant::now() < deadline, "backend still running");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(versions(&db).await, ["1"]);
    assert_eq!(tables(&db).await, ["A"], "no half-applied migration");
    let out = ok(&run(p.path(), Some(db.url()), &["upgrade", "head"]));
    assert!(out.contains("applied  2_slow"), "{out}");
    assert_eq!(tables(&db).await, ["A", "B", "C"]);
}

#[tokio::test]
async fn an_edited_applied_migration_stops_the_run_unless_allowed() {
    let db = TestDb::new().await;
    let p = project();
    ok(&run(p.path(), Some(db.url()), &["upgrade", "+2"]));
    let up = p.path().join(format!("migrations/{V1}_init/up.sql"));
    let edited = std::fs::read_to_string(&up)
        .unwrap()
        .replace("\"notes\" text,", "\"notes\" text, \"extra\" int,");
    std::fs::write(&up, edited).unwrap();
    let out = run(p.path(), Some(db.url()), &["upgrade", "head"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "migration {V1}_init was changed after it was applied"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{V1}_init/up.sql")),
        "names the file: {err}"
    );
    assert_eq!(versions(&db).await, [V1, V2], "nothing ran");
    let status = ok(&run(p.path(), Some(db.url()), &["status"]));
    assert!(
        status.contains(&format!(
            "MODIFIED (changed after it was applied) {V1}_init"
        )),
        "{status}"
    );
    assert!(status.contains(&format!("pending   {V3}")), "{status}");
    let out = ok(&run(
        p.path(),
        Some(db.url()),
        &["upgrade", "head", "--allow-modified"],
    ));
    assert_eq!(out.matches("applied  ").count(), 2, "{out}");
}

#[tokio::test]
async fn a_crlf_copy_of_the_migrations_is_neither_reapplied_nor_modified() {
    let db = TestDb::new().await;
    let p = project();
    ok(&run(p.path(), Some(db.url()), &["upgrade", "head"]));
    let windows = tempfile::tempdir().unwrap();
    copy_dir(
        &p.path().join("migrations"),
        &windows.path().join("migrations"),
        |s| format!("\u{feff}{}", s.replace('\n', "\r\n")),
    );
    let status = ok(&run(windows.path(), Some(db.url()), &["status"]));
    assert_eq!(status.matches("applied").count(), 4, "{status}");
    assert!(!status.contains("MODIFIED"), "{status}");
    let out = ok(&run(windows.path(), Some(db.url()), &["upgrade", "head"]));
    assert!(!out.contains("applied  "), "nothing re-applied: {out}");
    assert_eq!(versions(&db).await, [V1, V2, V3, V4]);
}

#[tokio::test]
async fn stamp_adopts_an_existing_database_and_history_lists_everything() {
    let db = TestDb::new().await;
    let p = project();
    // A database built by hand (e.g. by the old Alembic chain) at version 2.
    let c = db.client().await;
    for v in [V1, V2] {
        let dir = std::fs::read_dir(p.path().join("migrations"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|d| d.file_name().unwrap().to_str().unwrap().starts_with(v))
            .unwrap();
        c.batch_execute(&std::fs::read_to_string(dir.join("up.sql")).unwrap())
            .await
            .unwrap();
    }
    let out = ok(&run(p.path(), Some(db.url()), &["stamp", V2]));
    assert!(out.contains(&format!("stamped at {V2}")), "{out}");
    assert_eq!(versions(&db).await, [V1, V2]);
    let out = ok(&run(p.path(), Some(db.url()), &["upgrade", "head"]));
    assert_eq!(out.matches("applied  ").count(), 2, "{out}");
    let history = ok(&run(p.path(), Some(db.url()), &["history"]));
    assert_eq!(history.lines().count(), 4, "{history}");
    assert!(
        history.lines().all(|l| l.contains(" applied ")),
        "{history}"
    );
}

#[test]
fn offline_sql_needs_no_database() {
    let p = project();
    let out = ok(&run(p.path(), None, &["upgrade", "head", "--sql"]));
    assert!(out.contains("CREATE TABLE IF NOT EXISTS nzc_migrations"));
    assert_eq!(out.matches("BEGIN;").count(), 4);
    assert!(out.contains("CREATE TABLE \"City\""));
    assert!(out.contains(&format!(
        "INSERT INTO nzc_migrations (version, name, checksum, execution_ms) VALUES ('{V4}'"
    )));
    let out = ok(&run(
        p.path(),
        None,
        &["upgrade", "head", "--sql", "--from", V3],
    ));
    assert_eq!(out.matches("BEGIN;").count(), 1, "{out}");
    let out = ok(&run(p.path(), None, &["downgrade", "-2", "--sql"]));
    assert!(
        out.contains(&format!(
            "DELETE FROM nzc_migrations WHERE version = '{V4}'"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "DELETE FROM nzc_migrations WHERE version = '{V3}'"
        )),
        "{out}"
    );
    assert!(!out.contains(&format!("version = '{V2}'")), "{out}");
}

#[test]
fn revision_creates_an_empty_hand_written_pair() {
    let p = project();
    std::fs::copy(repo().join("schema.nzc"), p.path().join("schema.nzc")).unwrap();
    let out = ok(&run(
        p.path(),
        None,
        &["revision", "-m", "Add new_field to City"],
    ));
    let dir = std::fs::read_dir(p.path().join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|d| d.to_str().unwrap().ends_with("_add_new_field_to_city"))
        .unwrap_or_else(|| panic!("no new migration: {out}"));
    let up = std::fs::read_to_string(dir.join("up.sql")).unwrap();
    assert!(
        up.contains("Add new_field to City") && up.contains("Hand-written"),
        "{up}"
    );
    assert!(dir.join("down.sql").is_file());
    assert_eq!(
        std::fs::read_to_string(dir.join("schema.nzc")).unwrap(),
        std::fs::read_to_string(repo().join("schema.nzc")).unwrap(),
        "records the schema as the state after it"
    );
    let version = dir
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .split('_')
        .next()
        .unwrap()
        .to_string();
    assert!(version.as_str() > V4, "after the latest migration");
}

// ---- connection errors ---------------------------------------------------------

#[test]
fn no_database_url_says_how_to_set_it() {
    let p = project();
    let out = run(p.path(), None, &["current"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("DATABASE_URL is not set") && err.contains("postgresql://"),
        "{err}"
    );
}

#[test]
fn a_down_server_is_reported_with_host_port_and_a_hint_and_no_password() {
    let p = project();
    // Port 1: nothing listens there.
    let out = run(
        p.path(),
        Some("postgresql+psycopg://pdf_user:s3cr3t-pass@127.0.0.1:1/pdf_converter"),
        &["current"],
    );
    assert!(!out.status.success());
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        all.contains("cannot connect to PostgreSQL at 127.0.0.1:1: connection refused"),
        "{all}"
    );
    assert!(all.contains("docker compose up -d"), "{all}");
    assert!(!all.contains("s3cr3t-pass"), "password leaked: {all}");
}

#[test]
fn wait_retries_until_its_deadline() {
    let p = project();
    let started = Instant::now();
    let out = run(
        p.path(),
        Some("postgresql://u:pw@127.0.0.1:1/d"),
        &["current", "--wait", "2"],
    );
    assert!(!out.status.success());
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(15),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_missing_database_is_named() {
    let db = TestDb::new().await;
    let p = project();
    let url = db
        .url()
        .replace(&format!("/{}", db.name()), "/no_such_db_nzc");
    let out = run(p.path(), Some(&url), &["current"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("database \"no_such_db_nzc\" does not exist"),
        "{err}"
    );
}

#[test]
fn an_invalid_url_is_explained() {
    let p = project();
    let out = run(p.path(), Some("mysql://u:secretpw@h/d"), &["current"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("unsupported scheme `mysql://`"), "{err}");
    assert!(!err.contains("secretpw"));
}

#[tokio::test]
async fn the_url_can_come_from_dot_env_or_db_url() {
    let db = TestDb::new().await;
    let p = project();
    std::fs::write(
        p.path().join(".env"),
        format!("# local settings\nDATABASE_URL={}\n", db.url()),
    )
    .unwrap();
    assert!(ok(&run(p.path(), None, &["current"])).contains("base"));
    std::fs::remove_file(p.path().join(".env")).unwrap();
    let out = nzc(p.path(), None, &["current"])
        .env("DB_URL", db.url())
        .output()
        .unwrap();
    assert!(ok(&out).contains("base"));
}

#[tokio::test]
async fn no_transaction_migrations_run_statement_by_statement() {
    let db = TestDb::new().await;
    let p = project_with(&[
        (
            "1_enum",
            "CREATE TYPE \"Status\" AS ENUM ('draft');\nCREATE TABLE \"T\" (id int PRIMARY KEY, s \"Status\");\n",
            "DROP TABLE \"T\";\nDROP TYPE \"Status\";\n",
        ),
        (
            "2_concurrently",
            "-- nzc:no-transaction\nALTER TYPE \"Status\" ADD VALUE 'done';\nCREATE INDEX CONCURRENTLY \"ix_T_s\" ON \"T\" (s);\n",
            "-- nzc:no-transaction\nDROP INDEX CONCURRENTLY \"ix_T_s\";\n",
        ),
    ]);
    let out = ok(&run(p.path(), Some(db.url()), &["upgrade", "head"]));
    assert!(out.contains("applied  2_concurrently"), "{out}");
    let c = db.client().await;
    let labels: Vec<String> = c
        .query("SELECT enumlabel::text FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'Status' ORDER BY enumsortorder", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(labels, ["draft", "done"]);
    let idx: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_T_s'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(idx, 1);
    ok(&run(p.path(), Some(db.url()), &["downgrade", "-1"]));
    assert_eq!(versions(&db).await, ["1"]);

    // Without the marker the same SQL cannot run (inside a transaction block).
    let up = p.path().join("migrations/2_concurrently/up.sql");
    std::fs::write(&up, "CREATE INDEX CONCURRENTLY \"ix_T_s\" ON \"T\" (s);\n").unwrap();
    let out = run(
        p.path(),
        Some(db.url()),
        &["upgrade", "head", "--allow-modified"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("cannot run inside a transaction block"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn a_generated_enum_value_migration_applies_through_the_runner() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let schema = |values: &str| {
        format!("enum Status {{\n{values}}}\n\ntable T {{\n  id     uuid   @pk\n  status Status @default(draft)\n}}\n")
    };
    let compile = |v: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_nzc"))
            .args(["compile", "--migration-version", v])
            .current_dir(dir.path())
            .output()
            .unwrap();
        ok(&out);
    };
    std::fs::write(dir.path().join("schema.nzc"), schema("  draft\n  done\n")).unwrap();
    compile("1");
    std::fs::write(
        dir.path().join("schema.nzc"),
        schema("  draft\n  review\n  done\n"),
    )
    .unwrap();
    compile("2");
    let second = std::fs::read_dir(dir.path().join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with("2_"))
        .unwrap();
    let up = std::fs::read_to_string(second.join("up.sql")).unwrap();
    assert!(
        up.contains("-- nzc:no-transaction") && up.contains("ADD VALUE 'review' BEFORE 'done'"),
        "{up}"
    );
    let out = ok(&run(dir.path(), Some(db.url()), &["upgrade", "head"]));
    assert_eq!(out.matches("applied  ").count(), 2, "{out}");
    // Down swaps the type back without the value.
    ok(&run(dir.path(), Some(db.url()), &["downgrade", "-1"]));
    let labels: Vec<String> = db
        .client()
        .await
        .query("SELECT enumlabel::text FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'Status' ORDER BY enumsortorder", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(labels, ["draft", "done"]);
}
