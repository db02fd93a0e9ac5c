//! `nzc db pull`: a schema file from a live database, with the real binary.
//! Round trip on the team's Alembic-built databases: pull → `nzc compile` in
//! an empty project → `nzc migrate upgrade head` on a fresh database → the
//! same database (introspection equal).

#[path = "support/cli.rs"]
mod cli;
mod common;

use cli::{all, code, load_alembic, nzc, ok, psql, text, ALEMBIC};
use common::TestDb;

async fn schema_of(db: &TestDb) -> nzc_migrate::Introspection {
    nzc_migrate::introspect(&db.client().await, "public")
        .await
        .unwrap()
}

#[tokio::test]
async fn pulling_the_alembic_databases_round_trips() {
    for (alembic, _) in ALEMBIC {
        let source = TestDb::new().await;
        load_alembic(&source, alembic);
        let p = tempfile::tempdir().unwrap();
        let pulled = nzc(p.path(), Some(source.url()), &["db", "pull"]);
        assert_eq!(code(&pulled), 0, "{}", all(&pulled));
        let file = text(&pulled.stdout);
        assert!(file.contains("table City {"), "{file}");
        // The Alembic history table is not part of the schema, and is said so.
        assert!(!file.contains("alembic_version"), "{file}");
        assert!(
            text(&pulled.stderr).contains("alembic_version"),
            "{}",
            all(&pulled)
        );
        // Already in the canonical layout.
        std::fs::write(p.path().join("schema.nzc"), &file).unwrap();
        ok(&nzc(p.path(), None, &["fmt", "--check", "schema.nzc"]));

        ok(&nzc(p.path(), None, &["compile", "schema.nzc"]));
        let rebuilt = TestDb::new().await;
        ok(&nzc(
            p.path(),
            Some(rebuilt.url()),
            &["migrate", "upgrade", "head"],
        ));
        let (a, b) = (schema_of(&source).await, schema_of(&rebuilt).await);
        assert_eq!(a.schema, b.schema, "{alembic}");
        assert_eq!(a.schema.tables.len(), 17);
    }
}

#[tokio::test]
async fn pull_writes_a_file_lists_unmanaged_objects_and_keeps_docs_and_names() {
    let db = TestDb::new().await;
    psql(
        db.url(),
        r#"
        CREATE TYPE "Mood" AS ENUM ('happy', 'sad');
        CREATE TABLE "Person" (
            "personId" uuid PRIMARY KEY,
            "name" varchar(80) NOT NULL DEFAULT 'anon',
            "mood" "Mood" NOT NULL DEFAULT 'happy',
            "score" numeric(10,2) CHECK ("score" >= 0),
            CONSTRAINT "Person_name_key" UNIQUE ("name")
        );
        COMMENT ON TABLE "Person" IS 'People we know.';
        COMMENT ON COLUMN "Person"."name" IS 'Full name.';
        CREATE INDEX "ix_Person_mood" ON "Person" ("mood");
        CREATE INDEX "lower_name" ON "Person" (lower("name"));
        CREATE VIEW "Happy" AS SELECT * FROM "Person" WHERE "mood" = 'happy';
        "#,
    );
    let p = tempfile::tempdir().unwrap();
    let out = nzc(
        p.path(),
        Some(db.url()),
        &["db", "pull", "-o", "pulled.nzc"],
    );
    assert_eq!(code(&out), 0, "{}", all(&out));
    let file = std::fs::read_to_string(p.path().join("pulled.nzc")).unwrap();
    assert!(text(&out.stdout).is_empty(), "-o writes nothing to stdout");
    for want in [
        "/// People we know.",
        "/// Full name.",
        "enum Mood {",
        "varchar(80)",
        r#"@default("anon")"#,
        r#"name: "Person_name_key""#,
        "numeric(10,2)?",
    ] {
        assert!(file.contains(want), "`{want}` missing from\n{file}");
    }
    // The conventional index name needs no `name:`.
    assert!(!file.contains(r#"name: "ix_Person_mood""#), "{file}");
    let err = text(&out.stderr);
    assert!(err.contains("Happy") && err.contains("lower_name"), "{err}");
    // Compiles as it is.
    std::fs::rename(p.path().join("pulled.nzc"), p.path().join("schema.nzc")).unwrap();
    ok(&nzc(p.path(), None, &["compile", "schema.nzc"]));
}

#[tokio::test]
async fn pull_of_an_empty_database_and_of_a_missing_schema() {
    let db = TestDb::new().await;
    let p = tempfile::tempdir().unwrap();
    let out = nzc(p.path(), Some(db.url()), &["db", "pull"]);
    assert_eq!(code(&out), 0, "{}", all(&out));
    let missing = nzc(
        p.path(),
        Some(db.url()),
        &["db", "pull", "--schema", "nope"],
    );
    assert_eq!(code(&missing), 1, "{}", all(&missing));
    assert!(all(&missing).contains("nope"), "{}", all(&missing));
}

#[tokio::test]
async fn pull_keeps_nulls_not_distinct_and_round_trips() {
    let source = TestDb::new().await;
    psql(
        source.url(),
        r#"
        CREATE TABLE "Device" (
            "deviceId" int PRIMARY KEY,
            "serial" text,
            "site" int,
            "slot" int,
            CONSTRAINT "Device_serial_key" UNIQUE NULLS NOT DISTINCT ("serial"),
            CONSTRAINT "uq_Device_site" UNIQUE NULLS NOT DISTINCT ("site", "slot"),
            CONSTRAINT "Device_slot_site_key" UNIQUE ("slot", "site")
        );
        "#,
    );
    let p = tempfile::tempdir().unwrap();
    let pulled = nzc(p.path(), Some(source.url()), &["db", "pull"]);
    assert_eq!(code(&pulled), 0, "{}", all(&pulled));
    let file = text(&pulled.stdout);
    for want in [
        r#"serial   text? @unique(nulls_not_distinct: true, name: "Device_serial_key")"#,
        "@@unique([site, slot], nulls_not_distinct: true)\n",
        r#"@@unique([slot, site], name: "Device_slot_site_key")"#,
    ] {
        assert!(file.contains(want), "`{want}` missing from\n{file}");
    }
    // Nothing is reported as an unmodelled option.
    assert!(!text(&pulled.stderr).contains("Device"), "{}", all(&pulled));
    std::fs::write(p.path().join("schema.nzc"), &file).unwrap();
    ok(&nzc(p.path(), None, &["fmt", "--check", "schema.nzc"]));
    ok(&nzc(p.path(), None, &["compile", "schema.nzc"]));
    let up = std::fs::read_dir(p.path().join("migrations"))
        .unwrap()
        .map(|d| std::fs::read_to_string(d.unwrap().path().join("up.sql")).unwrap())
        .collect::<String>();
    assert!(
        up.contains(r#"CONSTRAINT "uq_Device_site" UNIQUE NULLS NOT DISTINCT ("site", "slot")"#),
        "{up}"
    );
    let rebuilt = TestDb::new().await;
    ok(&nzc(
        p.path(),
        Some(rebuilt.url()),
        &["migrate", "upgrade", "head"],
    ));
    let (a, b) = (schema_of(&source).await, schema_of(&rebuilt).await);
    assert_eq!(a.schema, b.schema);
    let device = a.schema.table("Device").expect("Device");
    assert_eq!(
        device
            .uniques
            .iter()
            .map(|u| u.nulls_not_distinct)
            .collect::<Vec<_>>(),
        [true, false, true]
    );
}
