//! Migrations in parts, end to end: the lock-safe plan `nzc compile` writes
//! for changes to an existing table, applied by `nzc migrate` to a table
//! that holds rows — a failing part rolled back alone and recorded, the
//! run resumed at it, the down reverting it; lock waits retried per part;
//! `--sql` spelling the parts out; malformed layouts refused.

#[path = "support/cli.rs"]
mod cli;
mod common;

use cli::{all, code, nzc, ok, psql};
use common::TestDb;
use std::path::Path;

const BEFORE: &str = r#"table Sector {
  sectorId uuid @pk
  name     varchar
}

table Emission {
  emissionId uuid     @pk
  sectorId   uuid?
  year       int
  value      int
  unit       varchar?
}
"#;

/// BEFORE plus an index, a unique, a foreign key, a check and a NOT NULL on
/// the existing table "Emission".
const AFTER: &str = r#"table Sector {
  sectorId uuid @pk
  name     varchar
}

table Emission {
  emissionId uuid     @pk
  sectorId   uuid?    @ref(Sector.sectorId)
  year       int
  value      int
  unit       varchar

  @@index([year])
  @@unique([sectorId, year])
  @@check(positive_value, `"value" >= 0`)
}
"#;

const ROWS: &str = r#"
INSERT INTO "Sector" VALUES ('00000000-0000-0000-0000-000000000001', 'energy');
INSERT INTO "Emission" SELECT gen_random_uuid(), '00000000-0000-0000-0000-000000000001', 1990 + i, i, 't' FROM generate_series(1, 500) i;
"#;

/// `nzc compile`'s output.
fn compile(dir: &Path, schema: &str, version: &str) -> String {
    std::fs::write(dir.join("schema.nzc"), schema).unwrap();
    ok(&nzc(
        dir,
        None,
        &[
            "compile",
            "schema.nzc",
            "--out",
            "gen",
            "--migration-version",
            version,
        ],
    ))
}

/// A project with `1_init` (BEFORE) and `2_alter_emission` (AFTER), generated.
fn project() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    compile(dir.path(), BEFORE, "1");
    let review = compile(dir.path(), AFTER, "2");
    // `nzc compile` reviews each part with the strongest lock it takes.
    for line in [
        "up.sql: 9 parts, each committed before the next starts",
        "no transaction 1 statement : SHARE UPDATE EXCLUSIVE on \"Emission\" while the index is built; reads and writes continue",
        "transaction    1 statement : SHARE UPDATE EXCLUSIVE on \"Emission\" while every row is read; reads and writes continue",
    ] {
        assert!(review.contains(line), "{line:?} missing:\n{review}");
    }
    let up = std::fs::read_to_string(dir.path().join("migrations/2_alter_emission/up.sql"))
        .expect("the second migration");
    (dir, up)
}

/// Makes one row violate the check that `2_alter_emission` adds.
const BREAK_THE_CHECK: &str = "UPDATE \"Emission\" SET value = -1 WHERE year = 1995;";

/// A fresh database at the project's first migration, holding [`ROWS`].
async fn at_first_version_with_rows(p: &Path) -> TestDb {
    let db = TestDb::new().await;
    ok(&migrate(p, db.url(), &["upgrade", "+1"]));
    psql(db.url(), ROWS);
    db
}

fn migrate(dir: &Path, url: &str, args: &[&str]) -> std::process::Output {
    let mut full = vec!["migrate"];
    full.extend_from_slice(args);
    nzc(dir, Some(url), &full)
}

/// (name, validated) of the constraints of "Emission" other than its key.
async fn constraints(db: &TestDb) -> Vec<(String, bool)> {
    db.client()
        .await
        .query(
            "SELECT conname::text, convalidated FROM pg_constraint WHERE conrelid = '\"Emission\"'::regclass AND contype <> 'p' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[test]
fn the_plan_for_an_existing_table_has_parts() {
    let (_dir, up) = project();
    for expected in [
        "-- nzc:part transaction",
        "-- nzc:part no-transaction",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"ix_Emission_year\"",
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"uq_Emission_sectorId\"",
        "ADD CONSTRAINT \"uq_Emission_sectorId\" UNIQUE USING INDEX \"uq_Emission_sectorId\"",
        "FOREIGN KEY (\"sectorId\") REFERENCES \"Sector\" (\"sectorId\") NOT VALID",
        "CHECK (\"value\" >= 0) NOT VALID",
        "ADD CONSTRAINT \"nzc_nn_Emission_unit\" CHECK (\"unit\" IS NOT NULL) NOT VALID",
        "VALIDATE CONSTRAINT \"ck_Emission_positive_value\"",
        "ALTER COLUMN \"unit\" SET NOT NULL",
        "DROP CONSTRAINT \"nzc_nn_Emission_unit\"",
    ] {
        assert!(up.contains(expected), "{expected:?} missing:\n{up}");
    }
    // Validation comes after the constraint is added, in a later part.
    let add = up.find("CHECK (\"value\" >= 0) NOT VALID").unwrap();
    let validate = up
        .find("VALIDATE CONSTRAINT \"ck_Emission_positive_value\"")
        .unwrap();
    let marker_between = up[add..validate].contains("-- nzc:part transaction");
    assert!(marker_between, "{up}");
}

#[tokio::test]
async fn a_failing_part_is_rolled_back_alone_and_the_run_resumes_at_it() {
    let (dir, _) = project();
    let p = dir.path();
    let db = at_first_version_with_rows(p).await;
    // One row breaks the check: its VALIDATE fails.
    psql(db.url(), BREAK_THE_CHECK);

    let out = migrate(p, db.url(), &["upgrade", "head"]);
    let shown = all(&out);
    assert_eq!(code(&out), 1, "{shown}");
    assert!(
        shown.contains("is violated by some row"),
        "PostgreSQL's message: {shown}"
    );
    // The parts before are committed: the constraints exist, not validated yet
    // where their VALIDATE did not run.
    let got = constraints(&db).await;
    assert!(
        got.contains(&("ck_Emission_positive_value".to_string(), false)),
        "{got:?}"
    );
    assert!(
        got.contains(&("uq_Emission_sectorId".to_string(), true)),
        "{got:?}"
    );
    let status = ok(&migrate(p, db.url(), &["status"]));
    assert!(status.contains("FAILED at statement"), "{status}");
    let current = ok(&migrate(p, db.url(), &["current"]));
    assert_eq!(current.trim(), "1_init");

    // Fix the row; the next run starts at the failed part.
    psql(
        db.url(),
        "UPDATE \"Emission\" SET value = 5 WHERE year = 1995;",
    );
    let out = migrate(p, db.url(), &["upgrade", "head"]);
    let shown = all(&out);
    assert_eq!(code(&out), 0, "{shown}");
    assert!(
        shown.contains("resuming 2_alter_emission at statement"),
        "{shown}"
    );
    assert!(
        constraints(&db).await.iter().all(|(_, valid)| *valid),
        "{:?}",
        constraints(&db).await
    );
    let check = migrate(p, db.url(), &["check"]);
    assert_eq!(code(&check), 0, "{}", all(&check));
    let rows: i64 = db
        .client()
        .await
        .query_one("SELECT count(*) FROM \"Emission\"", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 500);

    // Down, and up again: both plans run on a table with rows.
    let out = migrate(p, db.url(), &["downgrade", "-1"]);
    assert_eq!(code(&out), 0, "{}", all(&out));
    assert_eq!(code(&migrate(p, db.url(), &["check"])), 0);
    assert!(constraints(&db).await.is_empty());
    let out = migrate(p, db.url(), &["upgrade", "head"]);
    assert_eq!(code(&out), 0, "{}", all(&out));
    assert_eq!(code(&migrate(p, db.url(), &["check"])), 0);
}

#[tokio::test]
async fn a_failed_run_whose_parts_moved_is_not_resumed() {
    let (dir, up) = project();
    let p = dir.path();
    let db = at_first_version_with_rows(p).await;
    psql(db.url(), BREAK_THE_CHECK);
    assert_eq!(code(&migrate(p, db.url(), &["upgrade", "head"])), 1);
    // Merge the failed part (the check's VALIDATE) into the part before it:
    // the statements stay, a boundary moves, and the recorded progress now
    // points into the middle of a transaction.
    let at = up
        .find("VALIDATE CONSTRAINT \"ck_Emission_positive_value\"")
        .unwrap();
    let marker = up[..at].rfind("-- nzc:part transaction\n").unwrap();
    let moved = format!(
        "{}{}",
        &up[..marker],
        &up[marker + "-- nzc:part transaction\n".len()..]
    );
    std::fs::write(p.join("migrations/2_alter_emission/up.sql"), moved).unwrap();
    psql(
        db.url(),
        "UPDATE \"Emission\" SET value = 5 WHERE year = 1995;",
    );
    let out = migrate(p, db.url(), &["upgrade", "head"]);
    let shown = all(&out);
    assert_eq!(code(&out), 1, "{shown}");
    assert!(shown.contains("cannot be resumed"), "{shown}");
}

#[tokio::test]
async fn a_transactional_part_that_waits_for_a_lock_is_retried() {
    let (dir, _) = project();
    let p = dir.path();
    let db = at_first_version_with_rows(p).await;
    // A reader holds "Emission" for a while: the first part's brief
    // ACCESS EXCLUSIVE lock waits for it.
    let reader = db.client().await;
    reader
        .batch_execute("BEGIN; LOCK TABLE \"Emission\" IN ACCESS SHARE MODE;")
        .await
        .unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        reader.batch_execute("COMMIT").await.unwrap();
    });
    let url = db.url().to_string();
    let dir_path = p.to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        migrate(
            &dir_path,
            &url,
            &[
                "--lock-timeout",
                "200ms",
                "--lock-retries",
                "6",
                "upgrade",
                "head",
            ],
        )
    })
    .await
    .unwrap();
    release.await.unwrap();
    let shown = all(&out);
    assert_eq!(code(&out), 0, "{shown}");
    assert!(
        shown.contains("was not granted within lock_timeout; rolled back, retry 1 of 6"),
        "{shown}"
    );
    assert_eq!(code(&migrate(p, db.url(), &["check"])), 0);
}

#[test]
fn offline_sql_spells_out_each_part_as_it_runs() {
    let (dir, _) = project();
    let out = nzc(
        dir.path(),
        None,
        &["migrate", "upgrade", "head", "--sql", "--from", "1"],
    );
    let sql = ok(&out);
    assert!(sql.contains("2_alter_emission: "), "{sql}");
    let index = sql.find("CREATE INDEX CONCURRENTLY").expect("the index");
    // Outside any transaction: the last BEGIN before it is closed.
    let before = &sql[..index];
    assert!(
        before.rfind("COMMIT;").unwrap() > before.rfind("BEGIN;").unwrap(),
        "{sql}"
    );
    // Each statement carries the lock it takes.
    assert!(
        sql[..index].ends_with("-- lock: SHARE UPDATE EXCLUSIVE on \"Emission\" while the index is built; reads and writes continue\n"),
        "{sql}"
    );
    let validate = sql.find("VALIDATE CONSTRAINT").expect("a validation");
    assert!(sql[..validate].rfind("BEGIN;").unwrap() > index, "{sql}");
    assert_eq!(
        sql.matches("INSERT INTO nzc_migrations").count(),
        1,
        "one history row, after the last part:\n{sql}"
    );
}

#[tokio::test]
async fn a_malformed_part_layout_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("migrations/1_bad");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(
        m.join("up.sql"),
        "CREATE TABLE \"T\" (id int PRIMARY KEY);\n-- nzc:part no-transaction\nCREATE INDEX CONCURRENTLY ON \"T\" (id);\n",
    )
    .unwrap();
    std::fs::write(m.join("down.sql"), "DROP TABLE \"T\";\n").unwrap();
    let db = TestDb::new().await;
    let out = migrate(dir.path(), db.url(), &["upgrade", "head"]);
    let shown = all(&out);
    assert_eq!(code(&out), 1, "{shown}");
    assert!(
        shown.contains("up.sql:2: statements stand before the first `-- nzc:part` line"),
        "{shown}"
    );
    let tables: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'T'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "nothing ran");
}

#[tokio::test]
async fn compile_online_writes_a_shadow_column_swap_that_applies_to_a_table_with_rows() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    compile(p, BEFORE, "1");
    std::fs::write(
        p.join("schema.nzc"),
        BEFORE.replace("  value      int\n", "  value      bigint\n"),
    )
    .unwrap();
    let out = nzc(
        p,
        None,
        &[
            "compile",
            "schema.nzc",
            "--out",
            "gen",
            "--migration-version",
            "2",
            "--online",
        ],
    );
    let shown = all(&out);
    assert_eq!(code(&out), 0, "{shown}");
    let up = std::fs::read_to_string(p.join("migrations/2_emission_value_to_bigint/up.sql"))
        .unwrap_or_else(|e| panic!("{e}\n{shown}"));
    assert!(!up.contains("TYPE bigint"), "{up}");
    assert!(
        up.contains("CREATE TRIGGER \"nzc_sync_Emission_value\""),
        "{up}"
    );
    assert!(!shown.contains("error["), "nzc lint finds nothing: {shown}");
    // The batched copy is a DO block: the review says its locks are not known.
    assert!(
        shown.contains(
            "no transaction 1 statement : locks not known (nzc lint does not read a DO block's or procedure's body)"
        ),
        "{shown}"
    );
    let db = at_first_version_with_rows(p).await;
    ok(&migrate(p, db.url(), &["upgrade", "head"]));
    assert_eq!(code(&migrate(p, db.url(), &["check"])), 0);
    let sum: String = db
        .client()
        .await
        .query_one(
            "SELECT sum(value)::text || ' ' || pg_typeof(min(value))::text FROM \"Emission\"",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(sum, "125250 bigint");
}
