//! Failed no-transaction migrations: recorded as failed with how far they
//! got, shown by `status` and `history`, not counted by `current`, resumed
//! at the failed statement when the statements before it are unchanged
//! (an INVALID index left by a failed `CREATE INDEX CONCURRENTLY` is
//! dropped first), refused when they changed, and repaired by hand with
//! `nzc migrate resolve`.

#[path = "support/cli.rs"]
mod cli;
mod common;

use cli::{all, code, nzc, nzc_versions, ok, psql, text};
use common::TestDb;
use std::path::Path;

const INIT_UP: &str = "CREATE TABLE \"T\" (id int PRIMARY KEY, a int, b int, c int);\nINSERT INTO \"T\" VALUES (1, 1, 7, 1), (2, 2, 7, 2);\n";
const INIT_DOWN: &str = "DROP TABLE \"T\";\n";
/// Statement 2 fails while "T"."b" holds duplicates, leaving an INVALID index.
const INDEXES_UP: &str = "-- nzc:no-transaction\nCREATE INDEX CONCURRENTLY \"ix_T_a\" ON \"T\" (a);\n\nCREATE UNIQUE INDEX CONCURRENTLY \"ux_T_b\" ON \"T\" (b);\n\nCREATE INDEX CONCURRENTLY \"ix_T_c\" ON \"T\" (c);\n";
const INDEXES_DOWN: &str = "-- nzc:no-transaction\nDROP INDEX CONCURRENTLY \"ix_T_c\";\nDROP INDEX CONCURRENTLY \"ux_T_b\";\nDROP INDEX CONCURRENTLY \"ix_T_a\";\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (id, up, down) in [
        ("1_init", INIT_UP, INIT_DOWN),
        ("2_indexes", INDEXES_UP, INDEXES_DOWN),
    ] {
        let d = dir.path().join("migrations").join(id);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("up.sql"), up).unwrap();
        std::fs::write(d.join("down.sql"), down).unwrap();
    }
    dir
}

fn migrate(dir: &Path, url: &str, args: &[&str]) -> std::process::Output {
    let mut full = vec!["migrate"];
    full.extend_from_slice(args);
    nzc(dir, Some(url), &full)
}

/// (name, valid) of the indexes on "T" that are not its primary key.
async fn indexes(db: &TestDb) -> Vec<(String, bool)> {
    db.client()
        .await
        .query(
            "SELECT c.relname::text, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
              WHERE i.indrelid = '\"T\"'::regclass AND NOT i.indisprimary ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

/// A database where 2_indexes failed at its second statement.
async fn failed() -> (tempfile::TempDir, TestDb) {
    let p = project();
    let db = TestDb::new().await;
    let out = migrate(p.path(), db.url(), &["upgrade", "head"]);
    let shown = all(&out);
    assert_eq!(code(&out), 1, "{shown}");
    assert!(
        shown.contains("migration 2_indexes failed at statement 2 of 3"),
        "{shown}"
    );
    assert!(shown.contains("up.sql:4:1"), "{shown}");
    assert!(shown.contains("resume"), "{shown}");
    (p, db)
}

#[tokio::test]
async fn a_failed_no_transaction_migration_is_recorded_and_resumed_at_the_failed_statement() {
    let (p, db) = failed().await;
    // Statement 1 stays applied; statement 2 left an INVALID index.
    assert_eq!(
        indexes(&db).await,
        [("ix_T_a".to_string(), true), ("ux_T_b".to_string(), false)]
    );
    let status = ok(&migrate(p.path(), db.url(), &["status"]));
    assert!(
        status
            .contains("FAILED at statement 2, up.sql:4: could not create unique index \"ux_T_b\""),
        "{status}"
    );
    let history = ok(&migrate(p.path(), db.url(), &["history"]));
    assert!(
        history.contains("2_indexes  failed at statement 2, up.sql:4"),
        "{history}"
    );
    let current = ok(&migrate(p.path(), db.url(), &["current"]));
    assert_eq!(
        current.trim(),
        "1_init",
        "a failed migration is not current"
    );

    // Fix the data (the statement is right) and run again.
    psql(db.url(), "UPDATE \"T\" SET b = id;");
    let out = migrate(p.path(), db.url(), &["upgrade", "head"]);
    let shown = all(&out);
    assert_eq!(code(&out), 0, "{shown}");
    assert!(
        shown.contains("resuming 2_indexes at statement 2"),
        "{shown}"
    );
    assert!(
        shown.contains("dropped the INVALID index \"ux_T_b\""),
        "{shown}"
    );
    assert!(text(&out.stdout).contains("applied  2_indexes"), "{shown}");
    assert_eq!(
        indexes(&db).await,
        [
            ("ix_T_a".to_string(), true),
            ("ix_T_c".to_string(), true),
            ("ux_T_b".to_string(), true)
        ]
    );
    assert_eq!(nzc_versions(&db).await.unwrap(), ["1_init", "2_indexes"]);
    let status = ok(&migrate(p.path(), db.url(), &["status"]));
    assert_eq!(status.matches("applied").count(), 2, "{status}");
    // And it reverts like any other.
    ok(&migrate(p.path(), db.url(), &["downgrade", "-1"]));
    assert_eq!(indexes(&db).await, []);
}

#[tokio::test]
async fn a_failed_migration_whose_applied_statements_changed_is_not_resumed() {
    let (p, db) = failed().await;
    let up = p.path().join("migrations/2_indexes/up.sql");
    std::fs::write(&up, INDEXES_UP.replace("(a)", "(a, c)")).unwrap();
    let out = migrate(p.path(), db.url(), &["upgrade", "head"]);
    let shown = all(&out);
    assert_eq!(code(&out), 1, "{shown}");
    assert!(
        shown.contains("migration 2_indexes failed after 1 statement(s) that are applied, and those statements changed in the file since: it cannot be resumed"),
        "{shown}"
    );
    assert!(shown.contains("nzc migrate resolve 2_indexes"), "{shown}");
    // Nothing ran: the INVALID index is still there, the first index as it was.
    assert_eq!(
        indexes(&db).await,
        [("ix_T_a".to_string(), true), ("ux_T_b".to_string(), false)]
    );

    // Undo by hand, record it, and the (changed) migration runs from the start.
    psql(
        db.url(),
        "DROP INDEX \"ix_T_a\"; DROP INDEX \"ux_T_b\"; UPDATE \"T\" SET b = id;",
    );
    let resolved = ok(&migrate(
        p.path(),
        db.url(),
        &["resolve", "2_indexes", "--rolled-back"],
    ));
    assert!(
        resolved.contains("resolved by hand as not applied (was failed after 1 statement(s)"),
        "{resolved}"
    );
    assert_eq!(nzc_versions(&db).await.unwrap(), ["1_init"]);
    let history = ok(&migrate(p.path(), db.url(), &["history"]));
    assert!(
        history.contains("2_indexes  pending — resolved by hand as not applied"),
        "the audit note stays: {history}"
    );
    let out = ok(&migrate(p.path(), db.url(), &["upgrade", "head"]));
    assert!(!out.contains("resuming"), "{out}");
    assert_eq!(nzc_versions(&db).await.unwrap(), ["1_init", "2_indexes"]);
}

#[tokio::test]
async fn resolve_applied_records_a_hand_finished_migration_with_an_audit_note() {
    let (p, db) = failed().await;
    psql(
        db.url(),
        "DROP INDEX \"ux_T_b\"; UPDATE \"T\" SET b = id; CREATE UNIQUE INDEX \"ux_T_b\" ON \"T\" (b); CREATE INDEX \"ix_T_c\" ON \"T\" (c);",
    );
    let out = ok(&migrate(p.path(), db.url(), &["resolve", "2", "--applied"]));
    assert!(out.contains("resolved by hand as applied"), "{out}");
    assert_eq!(nzc_versions(&db).await.unwrap(), ["1_init", "2_indexes"]);
    let note: Option<String> = db
        .client()
        .await
        .query_one("SELECT note FROM nzc_migrations WHERE version = '2'", &[])
        .await
        .unwrap()
        .get(0);
    assert!(
        note.unwrap().contains("could not create unique index"),
        "the audit note keeps the error"
    );
    let again = ok(&migrate(p.path(), db.url(), &["upgrade", "head"]));
    assert!(again.contains("already at 2_indexes"), "{again}");
    // Resolving a migration that did not fail is refused.
    let out = migrate(p.path(), db.url(), &["resolve", "2", "--applied"]);
    assert_eq!(code(&out), 1);
    assert!(
        all(&out).contains("has not failed (it is applied)"),
        "{}",
        all(&out)
    );
}
