//! `nzc migrate check` with the real binary: in sync → 0; each kind of drift
//! → 2 with the object named, expected and found; `--sql` repairs it (after
//! applying the repair, `check` exits 0 again). And bad input: a role that
//! may not read the schema, pending migrations, a database at base.

#[path = "support/cli.rs"]
mod cli;
mod common;

use cli::{all, code, nzc, ok, psql, text};
use common::TestDb;
use std::path::Path;

/// A schema with one of everything a drift can touch.
const SCHEMA: &str = r#"
enum Mood {
  happy
  sad
}

/// People.
table Person {
  personId uuid     @pk
  name     varchar  @unique
  age      int?     @default(0)
  mood     Mood     @default(happy)
  city     text?

  @@index([city])
  @@check(adult, `"age" >= 18`)
}

table Pet {
  petId   uuid  @pk
  ownerId uuid? @ref(Person.personId, on_delete: cascade)
  kind    varchar(20)
}
"#;

/// A project whose one migration builds [`SCHEMA`], and a database migrated to it.
async fn setup() -> (tempfile::TempDir, TestDb) {
    let p = tempfile::tempdir().unwrap();
    std::fs::write(p.path().join("schema.nzc"), SCHEMA).unwrap();
    ok(&nzc(p.path(), None, &["compile", "schema.nzc"]));
    let db = TestDb::new().await;
    ok(&nzc(
        p.path(),
        Some(db.url()),
        &["migrate", "upgrade", "head"],
    ));
    (p, db)
}

fn check(dir: &Path, url: &str) -> std::process::Output {
    nzc(dir, Some(url), &["migrate", "check"])
}

#[tokio::test]
async fn in_sync_is_exit_0() {
    let (p, db) = setup().await;
    let out = check(p.path(), db.url());
    assert_eq!(code(&out), 0, "{}", all(&out));
    assert!(text(&out.stdout).contains("in sync with "), "{}", all(&out));
    assert!(!text(&out.stdout).contains("drift:"));
}

#[tokio::test]
async fn every_kind_of_drift_is_named_and_repaired_by_check_sql() {
    let cases: &[(&str, &str)] = &[
        (
            r#"ALTER TABLE "Person" ADD COLUMN "extra" integer;"#,
            r#"drift: column "Person"."extra": not in the schema (found integer)"#,
        ),
        (
            r#"ALTER TABLE "Pet" DROP COLUMN "kind";"#,
            r#"drift: column "Pet"."kind": missing (expected character varying(20) NOT NULL)"#,
        ),
        (
            r#"ALTER TABLE "Pet" ALTER COLUMN "kind" TYPE varchar(40);"#,
            r#"drift: column "Pet"."kind": expected character varying(20) NOT NULL, found character varying(40) NOT NULL"#,
        ),
        (
            r#"ALTER TABLE "Person" ALTER COLUMN "name" DROP NOT NULL;"#,
            r#"drift: column "Person"."name": expected character varying NOT NULL, found character varying"#,
        ),
        (
            r#"ALTER TABLE "Person" ALTER COLUMN "age" SET DEFAULT 7;"#,
            r#"drift: column "Person"."age": expected integer DEFAULT 0, found integer DEFAULT 7"#,
        ),
        (
            r#"ALTER TABLE "Person" DROP CONSTRAINT "uq_Person_name";"#,
            r#"drift: unique constraint "uq_Person_name" on "Person": missing (expected UNIQUE ("name"))"#,
        ),
        (
            r#"DROP INDEX "ix_Person_city";"#,
            r#"drift: index "ix_Person_city" on "Person": missing (expected INDEX ("city"))"#,
        ),
        (
            r#"CREATE UNIQUE INDEX "hotfix" ON "Pet" ("kind");"#,
            r#"drift: index "hotfix" on "Pet": not in the schema (found UNIQUE INDEX ("kind"))"#,
        ),
        (
            r#"ALTER TABLE "Pet" DROP CONSTRAINT "fk_Pet_ownerId_Person";
               ALTER TABLE "Pet" ADD CONSTRAINT "fk_Pet_ownerId_Person" FOREIGN KEY ("ownerId") REFERENCES "Person" ("personId");"#,
            r#"drift: foreign key "fk_Pet_ownerId_Person" on "Pet": expected FOREIGN KEY ("ownerId") REFERENCES "Person" ("personId") ON DELETE CASCADE, found FOREIGN KEY ("ownerId") REFERENCES "Person" ("personId")"#,
        ),
        (
            r#"ALTER TABLE "Person" DROP CONSTRAINT "ck_Person_adult";
               ALTER TABLE "Person" ADD CONSTRAINT "ck_Person_adult" CHECK ("age" >= 21);"#,
            r#"drift: check constraint "ck_Person_adult" on "Person": expected CHECK ((age >= 18)), found CHECK ((age >= 21))"#,
        ),
        (
            r#"CREATE TABLE "Hotfix" (id int PRIMARY KEY);"#,
            r#"drift: table "Hotfix": not in the schema"#,
        ),
        (r#"DROP TABLE "Pet";"#, r#"drift: table "Pet": missing"#),
        (
            r#"ALTER TYPE "Mood" ADD VALUE 'meh';"#,
            r#"drift: enum "Mood": expected ENUM ('happy', 'sad'), found ENUM ('happy', 'sad', 'meh')"#,
        ),
        (
            r#"ALTER TABLE "Pet" DROP CONSTRAINT "pk_Pet";"#,
            r#"drift: primary key "pk_Pet" on "Pet": missing (expected PRIMARY KEY ("petId"))"#,
        ),
    ];
    for (sql, line) in cases {
        let (p, db) = setup().await;
        psql(db.url(), sql);
        let out = check(p.path(), db.url());
        let shown = all(&out);
        assert_eq!(code(&out), 2, "{sql}: {shown}");
        assert!(
            shown.contains(line),
            "{sql}: expected\n  {line}\nin\n{shown}"
        );
        assert_eq!(
            shown.lines().filter(|l| l.starts_with("drift: ")).count(),
            1,
            "{sql}: one difference expected: {shown}"
        );

        let repair = ok(&nzc(
            p.path(),
            Some(db.url()),
            &["migrate", "check", "--sql"],
        ));
        // An added enum value cannot be removed in place: the repair swaps
        // the type, which is DDL like any other.
        psql(db.url(), &repair);
        let after = check(p.path(), db.url());
        assert_eq!(
            code(&after),
            0,
            "{sql}: after the repair\n{repair}\n{}",
            all(&after)
        );
    }
}

#[tokio::test]
async fn comments_are_cosmetic_and_the_repair_adds_them() {
    let (p, db) = setup().await;
    psql(
        db.url(),
        r#"COMMENT ON TABLE "Person" IS NULL; COMMENT ON COLUMN "Pet"."kind" IS 'what it is';"#,
    );
    let out = check(p.path(), db.url());
    let shown = all(&out);
    assert_eq!(code(&out), 0, "{shown}");
    assert!(
        shown.contains(r#"cosmetic: comment on table "Person": expected 'People.', found none"#),
        "{shown}"
    );
    assert!(
        shown.contains(
            r#"cosmetic: comment on column "Pet"."kind": expected none, found 'what it is'"#
        ),
        "{shown}"
    );
    assert!(shown.contains("2 comment difference(s)"), "{shown}");
    let repair = ok(&nzc(
        p.path(),
        Some(db.url()),
        &["migrate", "check", "--sql"],
    ));
    psql(db.url(), &repair);
    assert!(!all(&check(p.path(), db.url())).contains("cosmetic:"));
}

#[tokio::test]
async fn pending_migrations_are_listed_not_drift() {
    let (p, db) = setup().await;
    let schema = SCHEMA.replace("  city     text?\n", "  city     text?\n  email    text?\n");
    std::fs::write(p.path().join("schema.nzc"), schema).unwrap();
    ok(&nzc(
        p.path(),
        None,
        &["compile", "schema.nzc", "-m", "add email"],
    ));
    let out = check(p.path(), db.url());
    assert_eq!(code(&out), 0, "{}", all(&out));
    assert!(text(&out.stdout).contains("pending: "), "{}", all(&out));
    assert!(text(&out.stdout).contains("_add_email"), "{}", all(&out));
}

#[tokio::test]
async fn a_database_at_base_is_in_sync_when_empty_and_drifted_when_not_built_by_nzc() {
    let p = tempfile::tempdir().unwrap();
    std::fs::write(p.path().join("schema.nzc"), SCHEMA).unwrap();
    ok(&nzc(p.path(), None, &["compile", "schema.nzc"]));
    let db = TestDb::new().await;
    let out = check(p.path(), db.url());
    assert_eq!(code(&out), 0, "{}", all(&out));
    assert!(
        text(&out.stdout).contains("in sync with base"),
        "{}",
        all(&out)
    );
}

#[tokio::test]
async fn a_role_that_may_not_read_the_schema_gets_a_clear_error() {
    let (p, db) = setup().await;
    let role = format!("nzc_noread_{}", db.name().trim_start_matches("nzc_test_"));
    let admin = db.client().await;
    admin
        .batch_execute(&format!(
            "CREATE ROLE \"{role}\" LOGIN; REVOKE ALL ON SCHEMA public FROM PUBLIC;"
        ))
        .await
        .unwrap();
    let url = db.url().replacen("postgres@", &format!("{role}@"), 1);
    let out = check(p.path(), &url);
    let pull = nzc(p.path(), Some(&url), &["db", "pull"]);
    admin
        .batch_execute(&format!("DROP OWNED BY \"{role}\"; DROP ROLE \"{role}\";"))
        .await
        .unwrap();
    for out in [out, pull] {
        let shown = all(&out);
        assert_eq!(code(&out), 1, "{shown}");
        assert!(shown.starts_with("error: "), "{shown}");
        assert!(shown.contains("public"), "{shown}");
        assert!(!shown.contains("panicked"), "{shown}");
    }
}

/// The repair of a table in use is planned as `nzc compile` plans a
/// migration: an index is built concurrently outside any transaction, a
/// foreign key and a check are added `NOT VALID` and validated in later
/// transactions, NOT NULL goes through a validated check (so `SET NOT NULL`
/// does not scan); each statement says the lock it takes, and each
/// transaction sets `lock_timeout`. A part that cannot get its lock in time
/// stops the script; `check --sql` then prints what is left.
#[tokio::test]
async fn the_repair_is_lock_safe_and_stops_at_a_busy_table() {
    let (p, db) = setup().await;
    psql(
        db.url(),
        r#"INSERT INTO "Person" ("personId", name, age) VALUES (gen_random_uuid(), 'a', 20);
           DROP INDEX "ix_Person_city";
           ALTER TABLE "Pet" DROP CONSTRAINT "fk_Pet_ownerId_Person";
           ALTER TABLE "Person" DROP CONSTRAINT "ck_Person_adult";
           ALTER TABLE "Person" ALTER COLUMN "name" DROP NOT NULL;"#,
    );
    let repair_sql = || {
        ok(&nzc(
            p.path(),
            Some(db.url()),
            &["migrate", "check", "--sql", "--lock-timeout", "1s"],
        ))
    };
    let repair = repair_sql();
    let lines: Vec<&str> = repair.lines().collect();
    let line = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle} in\n{repair}"))
    };
    // The index: outside any transaction, its lock said above it.
    let index = line(r#"CREATE INDEX CONCURRENTLY IF NOT EXISTS "ix_Person_city""#);
    let open = lines[..index].iter().filter(|l| **l == "BEGIN;").count();
    let closed = lines[..index].iter().filter(|l| **l == "COMMIT;").count();
    assert_eq!(
        open, closed,
        "the index is built outside a transaction:\n{repair}"
    );
    assert!(
        lines[index - 1].starts_with(r#"-- lock: SHARE UPDATE EXCLUSIVE on "Person""#),
        "{repair}"
    );
    // Constraints: NOT VALID first, validated later, each in a transaction.
    for name in ["fk_Pet_ownerId_Person", "ck_Person_adult"] {
        let add = line(&format!(r#"ADD CONSTRAINT "{name}""#));
        assert!(lines[add].ends_with("NOT VALID;"), "{repair}");
        let validate = line(&format!(r#"VALIDATE CONSTRAINT "{name}""#));
        assert!(validate > add);
        assert!(lines[add..validate].contains(&"COMMIT;"), "{repair}");
    }
    // SET NOT NULL after its validated check: brief, no scan.
    let set = line(r#"ALTER COLUMN "name" SET NOT NULL"#);
    assert!(set > line(r#"VALIDATE CONSTRAINT "nzc_nn_Person_name""#));
    assert_eq!(
        lines[set - 1],
        r#"-- lock: ACCESS EXCLUSIVE on "Person", brief (catalog only)"#,
        "{repair}"
    );
    assert_eq!(
        repair
            .matches("BEGIN;\nSET LOCAL lock_timeout = '1s';\n")
            .count(),
        repair.matches("BEGIN;").count(),
        "{repair}"
    );

    // Another session holds "Pet" (a writer's open transaction): the part
    // adding the foreign key waits 1 s for it, fails, and stops the script;
    // the parts before it stay applied.
    let writer = db.client().await;
    writer
        .batch_execute(r#"BEGIN; LOCK TABLE "Pet" IN ROW EXCLUSIVE MODE"#)
        .await
        .unwrap();
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), &repair).unwrap();
    let failed = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
        .arg(f.path())
        .arg(db.url())
        .output()
        .unwrap();
    assert!(!failed.status.success());
    assert!(all(&failed).contains("lock timeout"), "{}", all(&failed));
    // The check added by the first part is not validated yet: drift, and
    // the repair left validates it.
    let stopped = check(p.path(), db.url());
    assert_eq!(code(&stopped), 2, "{}", all(&stopped));
    assert!(
        all(&stopped).contains(r#"drift: check constraint "ck_Person_adult" on "Person": expected CHECK ((age >= 18)), found CHECK ((age >= 18)) NOT VALID"#),
        "{}",
        all(&stopped)
    );
    let left = repair_sql();
    assert!(
        left.contains(r#"VALIDATE CONSTRAINT "ck_Person_adult""#),
        "{left}"
    );
    assert!(
        left.contains(r#"ADD CONSTRAINT "fk_Pet_ownerId_Person""#),
        "{left}"
    );
    assert!(
        !left.contains(r#""ix_Person_city""#),
        "built already:\n{left}"
    );
    writer.batch_execute("COMMIT").await.unwrap();
    psql(db.url(), &left);
    let after = check(p.path(), db.url());
    assert_eq!(code(&after), 0, "after the repair\n{left}\n{}", all(&after));
}
