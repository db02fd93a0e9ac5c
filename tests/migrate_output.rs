//! `--format json` of `status`, `history`, `current` and `check`, and
//! `nzc migrate wait`, with the real binary.

#[path = "support/cli.rs"]
mod cli;
mod common;

use cli::{all, code, nzc, ok, project, psql, text, ALEMBIC};
use common::TestDb;
use serde_json::Value;
use std::time::{Duration, Instant};

fn json(dir: &std::path::Path, url: &str, cmd: &str) -> (i32, Value) {
    let out = nzc(dir, Some(url), &["migrate", cmd, "--format", "json"]);
    let v: Value = serde_json::from_str(&text(&out.stdout))
        .unwrap_or_else(|e| panic!("{cmd}: not JSON ({e}):\n{}", all(&out)));
    (code(&out), v)
}

#[tokio::test]
async fn status_history_current_and_check_as_json() {
    let db = TestDb::new().await;
    let p = project();
    ok(&nzc(
        p.path(),
        Some(db.url()),
        &["migrate", "upgrade", "+2"],
    ));

    let (c, status) = json(p.path(), db.url(), "status");
    assert_eq!(c, 0);
    let states: Vec<&str> = status["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["applied", "applied", "pending", "pending"]);
    assert_eq!(status["migrations"][0]["id"], ALEMBIC[0].1);

    let (_, current) = json(p.path(), db.url(), "current");
    assert_eq!(current["current"], ALEMBIC[1].1);
    assert_eq!(current["head"], ALEMBIC[3].1);
    assert_eq!(current["at_head"], false);
    assert_eq!(current["pending"].as_array().unwrap().len(), 2);

    let (_, history) = json(p.path(), db.url(), "history");
    let first = &history["migrations"][0];
    assert_eq!(first["state"], "applied");
    assert!(first["applied_at"].as_str().unwrap().ends_with(" UTC"));
    assert!(first["execution_ms"].is_i64());
    assert!(history["migrations"][3].get("applied_at").is_none());

    let (c, check) = json(p.path(), db.url(), "check");
    assert_eq!(c, 0);
    assert_eq!(check["in_sync"], true);
    assert_eq!(check["at"], ALEMBIC[1].1);
    assert_eq!(check["pending"].as_array().unwrap().len(), 2);

    psql(
        db.url(),
        r#"ALTER TABLE "City" ADD COLUMN "extra" integer;"#,
    );
    let (c, check) = json(p.path(), db.url(), "check");
    assert_eq!(c, 2, "drift keeps its exit status in JSON");
    assert_eq!(check["in_sync"], false);
    assert_eq!(
        check["differences"][0]["object"],
        r#"column "City"."extra""#
    );
    assert_eq!(check["differences"][0]["expected"], Value::Null);
    assert_eq!(check["differences"][0]["found"], "integer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_returns_once_another_runner_reached_head() {
    let db = TestDb::new().await;
    let p = project();
    // Times out, listing what is pending.
    let started = Instant::now();
    let out = nzc(
        p.path(),
        Some(db.url()),
        &["migrate", "wait", "--timeout", "1s"],
    );
    assert_eq!(code(&out), 1, "{}", all(&out));
    assert!(started.elapsed() < Duration::from_secs(10));
    let err = text(&out.stderr);
    assert!(
        err.contains("not at the head of the migrations after 1 s"),
        "{err}"
    );
    for (_, id) in ALEMBIC {
        assert!(err.contains(id), "{err}");
    }

    // Waits while a Job migrates.
    let url = db.url().to_string();
    let dir = p.path().to_path_buf();
    let waiter =
        std::thread::spawn(move || nzc(&dir, Some(&url), &["migrate", "wait", "--timeout", "60s"]));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        !waiter.is_finished(),
        "wait returned before the migration ran"
    );
    ok(&nzc(
        p.path(),
        Some(db.url()),
        &["migrate", "upgrade", "head"],
    ));
    let out = waiter.join().unwrap();
    assert_eq!(code(&out), 0, "{}", all(&out));
    assert!(
        text(&out.stdout).contains(&format!("at head: {}", ALEMBIC[3].1)),
        "{}",
        all(&out)
    );
}

#[test]
fn wait_waits_for_a_database_that_is_not_up_yet() {
    let p = project();
    let started = Instant::now();
    // Nothing listens on port 1: it retries until the timeout, then fails.
    let out = nzc(
        p.path(),
        Some("postgres://u@127.0.0.1:1/d"),
        &["migrate", "wait", "--timeout", "2s"],
    );
    assert_ne!(code(&out), 0);
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert!(all(&out).contains("connection refused"), "{}", all(&out));
}
