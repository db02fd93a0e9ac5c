//! The runner behind a real PgBouncer in transaction mode (started by the
//! test, 2 server connections for many clients): no named prepared
//! statements, no lock left behind on a pooled connection, concurrent
//! runners each applying every migration once, a SIGKILLed runner not
//! blocking the next; and the model runtime on a plain `Client` through it.

#[path = "support/cli.rs"]
mod cli;
mod common;
#[path = "support/pgbouncer.rs"]
mod pgbouncer;

use cli::{all, nzc, nzc_versions, ok, project, text};
use common::TestDb;
use pgbouncer::PgBouncer;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const HEAD: &str = "20250604000000_initiative_totalestimatedcost_to_bigint";

/// Advisory locks held on the test's database (by any session).
async fn advisory_locks(db: &TestDb) -> i64 {
    db.client()
        .await
        .query_one(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

/// Named prepared statements left on the pooler's server connections:
/// `pool` clients each hold a transaction open at once, so each sits on
/// its own server connection (the pool has `pool` of them), and each
/// counts that session's prepared statements.
async fn prepared_statements_on_the_pool(
    bouncer: &PgBouncer,
    db: &TestDb,
    pool: usize,
) -> Vec<i64> {
    let mut clients = Vec::new();
    for _ in 0..pool {
        let c = common::connect(&bouncer.url(db.name())).await;
        c.batch_execute("BEGIN").await.unwrap();
        clients.push(c);
    }
    let mut counts = Vec::new();
    for c in &clients {
        let rows = c
            .simple_query("SELECT count(*) FROM pg_prepared_statements")
            .await
            .unwrap();
        let n = rows
            .iter()
            .find_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(|v| v.parse().unwrap()),
                _ => None,
            })
            .unwrap();
        counts.push(n);
    }
    for c in &clients {
        c.batch_execute("COMMIT").await.unwrap();
    }
    counts
}

#[tokio::test]
async fn eight_concurrent_runners_through_pgbouncer_apply_each_migration_once() {
    let bouncer = PgBouncer::start(2);
    let db = TestDb::new().await;
    let url = bouncer.url(db.name());
    let p = project();
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_nzc"))
                .args(["migrate", "upgrade", "head"])
                .current_dir(p.path())
                .env("DATABASE_URL", &url)
                .env("NO_COLOR", "1")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut applied = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a runner failed:\n{}\n--- pgbouncer log ---\n{}",
            all(&out),
            bouncer.log()
        );
        applied += text(&out.stdout).matches("applied ").count();
    }
    assert_eq!(applied, 4, "each migration applied exactly once");
    assert_eq!(
        nzc_versions(&db).await.unwrap(),
        cli::ALEMBIC.map(|(_, n)| n.to_string())
    );
    assert_eq!(
        advisory_locks(&db).await,
        0,
        "an advisory lock was left behind"
    );
    assert_eq!(
        prepared_statements_on_the_pool(&bouncer, &db, 2).await,
        [0, 0],
        "named prepared statements were left on the pooled server connections"
    );
    // A later run is a no-op.
    let out = ok(&nzc(p.path(), Some(&url), &["migrate", "upgrade", "head"]));
    assert!(out.contains(&format!("already at {HEAD}")), "{out}");
    // And down and up again through the pooler.
    let down = ok(&nzc(
        p.path(),
        Some(&url),
        &["migrate", "downgrade", "base"],
    ));
    assert_eq!(down.matches("reverted").count(), 4, "{down}");
    assert_eq!(nzc_versions(&db).await.unwrap(), Vec::<String>::new());
    let up = ok(&nzc(p.path(), Some(&url), &["migrate", "upgrade", "head"]));
    assert_eq!(up.matches("applied ").count(), 4, "{up}");
    for args in [
        &["migrate", "status"][..],
        &["migrate", "check"],
        &["migrate", "history"],
        &["db", "pull"],
    ] {
        ok(&nzc(p.path(), Some(&url), args));
    }
    assert_eq!(advisory_locks(&db).await, 0);
    assert_eq!(
        prepared_statements_on_the_pool(&bouncer, &db, 2).await,
        [0, 0]
    );
}

/// A project whose migrations are (id, up, down) with the given texts.
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

#[tokio::test]
async fn a_sigkilled_runner_does_not_block_the_next_one() {
    let bouncer = PgBouncer::start(2);
    let db = TestDb::new().await;
    let url = bouncer.url(db.name());
    for no_transaction in [false, true] {
        let marker = if no_transaction {
            "-- nzc:no-transaction\n"
        } else {
            ""
        };
        let p = project_with(&[(
            "1_slow",
            &format!("{marker}CREATE TABLE \"A\" (id int);\nSELECT pg_sleep(2);\nCREATE TABLE \"B\" (id int);\n"),
            &format!("{marker}DROP TABLE \"B\";\nDROP TABLE \"A\";\n"),
        )]);
        let mut victim = Command::new(env!("CARGO_BIN_EXE_nzc"))
            .args(["migrate", "upgrade", "head", "--lease-timeout", "3"])
            .current_dir(p.path())
            .env("DATABASE_URL", &url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(700));
        victim.kill().unwrap(); // SIGKILL, in the middle of pg_sleep
        victim.wait().unwrap();
        let started = Instant::now();
        let out = nzc(
            p.path(),
            Some(&url),
            &[
                "migrate",
                "upgrade",
                "head",
                "--lease-timeout",
                "3",
                "--advisory-lock-timeout",
                "30",
            ],
        );
        assert!(
            out.status.success(),
            "no-transaction {no_transaction}: the next runner failed:\n{}\n{}",
            all(&out),
            bouncer.log()
        );
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
        let shown = text(&out.stdout);
        assert!(shown.contains("applied  1_slow"), "{shown}");
        if no_transaction {
            // The killed run had created "A": the next one resumed after it.
            assert!(shown.contains("resuming 1_slow at statement 2"), "{shown}");
        }
        assert_eq!(nzc_versions(&db).await.unwrap(), ["1_slow"]);
        ok(&nzc(
            p.path(),
            Some(&url),
            &["migrate", "downgrade", "base"],
        ));
        assert_eq!(advisory_locks(&db).await, 0);
    }
}

#[tokio::test]
async fn the_model_runtime_on_a_plain_client_works_through_pgbouncer() {
    let bouncer = PgBouncer::start(2);
    let db = TestDb::new().await;
    let p = project();
    ok(&nzc(
        p.path(),
        Some(db.url()),
        &["migrate", "upgrade", "head"],
    ));
    let client = common::connect(&bouncer.url(db.name())).await;
    let city = nzc_models::City {
        city_id: uuid::Uuid::new_v4(),
        city_name: "Lyon".into(),
        country: "FR".into(),
        locode: None,
        area_km2: None,
        notes: None,
        misc: None,
    };
    for _ in 0..3 {
        // Repeated calls: a named statement left on a pooled connection
        // would fail the next client that prepares the same name.
        let other = common::connect(&bouncer.url(db.name())).await;
        assert!(nzc_models::City::get(&other, city.city_id)
            .await
            .unwrap()
            .is_none());
    }
    city.insert(&client).await.unwrap();
    let got = nzc_models::City::get(&client, city.city_id).await.unwrap();
    assert_eq!(got.unwrap().city_name, "Lyon");
    let french = nzc_models::City::query()
        .filter(nzc_models::City::COUNTRY.eq("FR"))
        .all(&client)
        .await
        .unwrap();
    assert_eq!(french.len(), 1);
    assert_eq!(nzc_models::City::TABLE, "City");
}

#[tokio::test]
async fn a_waiting_runner_says_who_holds_the_lock() {
    let db = TestDb::new().await;
    let p = project();
    let holder = common::connect(&format!("{}?application_name=deploy-script", db.url())).await;
    holder
        .batch_execute(&format!(
            "BEGIN; SELECT pg_advisory_xact_lock({});",
            nzc_migrate::history::LOCK_KEY
        ))
        .await
        .unwrap();
    let url = db.url().to_string();
    let dir = p.path().to_path_buf();
    let runner = std::thread::spawn(move || {
        nzc(
            &dir,
            Some(&url),
            &[
                "migrate",
                "upgrade",
                "head",
                "--advisory-lock-timeout",
                "30",
            ],
        )
    });
    tokio::time::sleep(Duration::from_secs(7)).await;
    holder.batch_execute("COMMIT").await.unwrap();
    let out = runner.join().unwrap();
    let err = text(&out.stderr);
    assert!(out.status.success(), "{}", all(&out));
    assert!(err.contains("waiting for another nzc"), "{err}");
    assert!(
        err.contains("still waiting: the migration lock is held by pid ")
            && err.contains("application deploy-script"),
        "{err}"
    );
    assert_eq!(text(&out.stdout).matches("applied ").count(), 4);
}

#[tokio::test]
async fn a_failed_no_transaction_migration_resumes_through_pgbouncer() {
    let bouncer = PgBouncer::start(2);
    let db = TestDb::new().await;
    let url = bouncer.url(db.name());
    let p = project_with(&[
        (
            "1_t",
            "CREATE TABLE \"T\" (id int PRIMARY KEY, b int);\nINSERT INTO \"T\" VALUES (1, 7), (2, 7);\n",
            "DROP TABLE \"T\";\n",
        ),
        (
            "2_ix",
            "-- nzc:no-transaction\nCREATE INDEX CONCURRENTLY \"ix_T_id\" ON \"T\" (id);\nCREATE UNIQUE INDEX CONCURRENTLY \"ux_T_b\" ON \"T\" (b);\n",
            "-- nzc:no-transaction\nDROP INDEX CONCURRENTLY \"ux_T_b\";\nDROP INDEX CONCURRENTLY \"ix_T_id\";\n",
        ),
    ]);
    let out = nzc(p.path(), Some(&url), &["migrate", "upgrade", "head"]);
    assert!(!out.status.success());
    assert!(
        all(&out).contains("failed at statement 2 of 2"),
        "{}",
        all(&out)
    );
    let status = ok(&nzc(p.path(), Some(&url), &["migrate", "status"]));
    assert!(status.contains("FAILED at statement 2"), "{status}");
    db.client()
        .await
        .batch_execute("UPDATE \"T\" SET b = id")
        .await
        .unwrap();
    let out = ok(&nzc(p.path(), Some(&url), &["migrate", "upgrade", "head"]));
    assert!(out.contains("resuming 2_ix at statement 2"), "{out}");
    assert_eq!(nzc_versions(&db).await.unwrap(), ["1_t", "2_ix"]);
    assert_eq!(advisory_locks(&db).await, 0);
    assert_eq!(
        prepared_statements_on_the_pool(&bouncer, &db, 2).await,
        [0, 0]
    );
}
