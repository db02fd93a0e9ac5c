//! `nzc migrate adopt` and the foreign-database guard, against copies of the
//! team's production database as their Alembic chain built it
//! (`../shared/alembic-db/`, one dump per revision), with the real binary.

#[path = "support/cli.rs"]
mod cli;
mod common;

use cli::{all, code, load_alembic, nzc, nzc_versions, ok, project, psql, ALEMBIC};
use common::TestDb;

const HEAD: &str = "20250604000000_initiative_totalestimatedcost_to_bigint";

fn migrate(dir: &std::path::Path, url: &str, args: &[&str]) -> std::process::Output {
    let mut full = vec!["migrate"];
    full.extend_from_slice(args);
    nzc(dir, Some(url), &full)
}

/// Every migration id up to and including `last`.
fn ids_upto(last: &str) -> Vec<String> {
    let all: Vec<&str> = ALEMBIC.iter().map(|(_, n)| *n).collect();
    let n = all.iter().position(|i| *i == last).unwrap() + 1;
    all[..n].iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn adopts_the_alembic_database_at_each_revision_then_upgrades_to_head() {
    let p = project();
    for (alembic, nzc_id) in ALEMBIC {
        let db = TestDb::new().await;
        load_alembic(&db, alembic);

        let dry = ok(&migrate(p.path(), db.url(), &["adopt", "--dry-run"]));
        assert!(dry.contains(&format!("would record {nzc_id}")), "{dry}");
        assert!(dry.contains("nothing recorded"), "{dry}");
        assert_eq!(nzc_versions(&db).await, None, "dry run recorded: {dry}");

        let out = ok(&migrate(p.path(), db.url(), &["adopt"]));
        assert!(
            out.contains(&format!(
                "found Alembic (table public.alembic_version, revision {alembic})"
            )),
            "{out}"
        );
        assert!(
            out.contains(&format!("the database matches {nzc_id}")),
            "{out}"
        );
        assert!(out.contains(&format!("adopted at {nzc_id}")), "{out}");
        assert!(out.contains("left in place"), "{out}");
        // The team's database has no comments; nzc's schema has 17 table docs.
        assert!(out.contains("17 comment difference(s)"), "{out}");
        assert_eq!(nzc_versions(&db).await, Some(ids_upto(nzc_id)));

        // Adopting again records nothing.
        let again = ok(&migrate(p.path(), db.url(), &["adopt"]));
        assert!(again.contains("already managed by nzc"), "{again}");
        assert!(again.contains("found Alembic"), "{again}");

        // upgrade applies only the rest; the result is version 4.
        let up = ok(&migrate(p.path(), db.url(), &["upgrade", "head"]));
        let expected_runs = 4 - ids_upto(nzc_id).len();
        assert_eq!(up.matches("applied ").count(), expected_runs, "{up}");
        let check = migrate(p.path(), db.url(), &["check"]);
        assert_eq!(code(&check), 0, "{}", all(&check));
        assert!(cli::text(&check.stdout).contains(&format!("in sync with {HEAD}")));
        // The alembic_version table is still there, untouched.
        let c = db.client().await;
        let v: String = c
            .query_one("SELECT version_num FROM alembic_version", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(v, alembic);
    }
}

#[tokio::test]
async fn adopt_then_check_sql_adds_the_comments_and_gives_exactly_nzcs_database() {
    let p = project();
    let adopted = TestDb::new().await;
    load_alembic(&adopted, ALEMBIC[3].0);
    ok(&migrate(p.path(), adopted.url(), &["adopt"]));
    let repair = ok(&migrate(p.path(), adopted.url(), &["check", "--sql"]));
    assert_eq!(repair.matches("COMMENT ON TABLE").count(), 17, "{repair}");
    assert!(!repair.contains("ALTER TABLE"), "{repair}");
    psql(adopted.url(), &repair);
    let after = ok(&migrate(p.path(), adopted.url(), &["check"]));
    assert!(!after.contains("cosmetic:"), "{after}");

    let built = TestDb::new().await;
    ok(&migrate(p.path(), built.url(), &["upgrade", "head"]));
    let a = nzc_migrate::introspect(&adopted.client().await, "public")
        .await
        .unwrap();
    let b = nzc_migrate::introspect(&built.client().await, "public")
        .await
        .unwrap();
    assert_eq!(a.schema, b.schema);
    assert!(
        a.unmanaged
            .iter()
            .any(|u| u.name.contains("alembic_version")),
        "{:?}",
        a.unmanaged
    );
}

/// A copy of the production database changed by `sql`.
async fn drifted(sql: &str) -> TestDb {
    let db = TestDb::new().await;
    load_alembic(&db, ALEMBIC[3].0);
    psql(db.url(), sql);
    db
}

#[tokio::test]
async fn adopt_refuses_drifted_copies_and_records_nothing() {
    let p = project();
    let cases = [
        (
            r#"ALTER TABLE "City" ADD COLUMN "population" integer;"#,
            r#"column "City"."population": not in the schema (found integer)"#,
        ),
        (
            r#"ALTER TABLE "Sector" ALTER COLUMN "sectorName" TYPE text;"#,
            r#"column "Sector"."sectorName": expected character varying NOT NULL, found text NOT NULL"#,
        ),
        (
            r#"ALTER TABLE "CityAnnualStats" DROP CONSTRAINT "uq_CityAnnualStats_cityId";"#,
            r#"unique constraint "uq_CityAnnualStats_cityId" on "CityAnnualStats": missing (expected UNIQUE ("cityId", "year"))"#,
        ),
        (
            r#"CREATE INDEX "ix_City_country" ON "City" ("country");"#,
            r#"index "ix_City_country" on "City": not in the schema (found INDEX ("country"))"#,
        ),
        (
            r#"ALTER TABLE "EmissionRecord" DROP CONSTRAINT "fk_EmissionRecord_sectorId_Sector";"#,
            r#"foreign key "fk_EmissionRecord_sectorId_Sector" on "EmissionRecord": missing"#,
        ),
    ];
    for (sql, line) in cases {
        let db = drifted(sql).await;
        let out = migrate(p.path(), db.url(), &["adopt"]);
        let text = all(&out);
        assert_eq!(code(&out), 2, "{sql}: {text}");
        assert!(text.contains(&format!("closest: {HEAD}")), "{sql}: {text}");
        assert!(text.contains(line), "{sql}: expected `{line}` in\n{text}");
        assert!(text.contains("nothing recorded"), "{text}");
        assert_eq!(nzc_versions(&db).await, None, "{sql}: recorded: {text}");
        // --to names a revision: still verified.
        let to = migrate(p.path(), db.url(), &["adopt", "--to", "20250603"]);
        assert_eq!(code(&to), 2, "{}", all(&to));
        assert_eq!(nzc_versions(&db).await, None);
    }
}

#[tokio::test]
async fn adopt_to_a_revision_that_does_not_match_is_refused() {
    let p = project();
    let db = TestDb::new().await;
    load_alembic(&db, ALEMBIC[1].0);
    // Version 2 is not version 3: the amount is still an integer.
    let out = migrate(p.path(), db.url(), &["adopt", "--to", ALEMBIC[2].1]);
    assert_eq!(code(&out), 2, "{}", all(&out));
    assert!(
        all(&out).contains(
            r#"column "BudgetFunding"."amount": expected bigint NOT NULL, found integer NOT NULL"#
        ),
        "{}",
        all(&out)
    );
    let out = ok(&migrate(
        p.path(),
        db.url(),
        &["adopt", "--to", ALEMBIC[1].1],
    ));
    assert!(
        out.contains(&format!("adopted at {}", ALEMBIC[1].1)),
        "{out}"
    );
}

#[tokio::test]
async fn upgrade_and_status_stop_on_a_database_another_tool_built() {
    let p = project();
    let db = TestDb::new().await;
    load_alembic(&db, ALEMBIC[3].0);
    for args in [
        &["upgrade", "head"][..],
        &["downgrade", "base"],
        &["status"],
        &["check"],
        &["current"],
        &["history"],
    ] {
        let out = migrate(p.path(), db.url(), args);
        let text = all(&out);
        assert_eq!(code(&out), 1, "{args:?}: {text}");
        assert!(
            text.contains("managed by another migration tool (Alembic (table public.alembic_version, revision 20260127_initiative_bigint))"),
            "{args:?}: {text}"
        );
        assert!(text.contains("nzc migrate adopt"), "{text}");
        assert!(text.contains("nothing was run"), "{text}");
    }
    // Nothing was created: no history table, no half-applied init.
    assert_eq!(nzc_versions(&db).await, None);
}

#[tokio::test]
async fn a_database_with_tables_and_no_history_at_all_is_not_migrated() {
    let p = project();
    let db = TestDb::new().await;
    psql(
        db.url(),
        r#"CREATE TABLE "City" ("cityId" uuid PRIMARY KEY);"#,
    );
    let out = migrate(p.path(), db.url(), &["upgrade", "head"]);
    assert_eq!(code(&out), 1, "{}", all(&out));
    assert!(
        all(&out).contains("the database is not empty (1 table(s)) but has no nzc history"),
        "{}",
        all(&out)
    );
    assert_eq!(nzc_versions(&db).await, None);
    let adopt = migrate(p.path(), db.url(), &["adopt"]);
    assert_eq!(code(&adopt), 2, "{}", all(&adopt));
    let shown = all(&adopt);
    assert!(
        shown.contains("no migration's schema matches the database; closest: "),
        "{shown}"
    );
    assert!(
        shown.contains(r#"drift: table "Sector": missing"#),
        "{shown}"
    );
    assert!(shown.contains("nothing recorded"), "{shown}");
    assert_eq!(nzc_versions(&db).await, None);
}

#[tokio::test]
async fn adopt_on_an_empty_database_and_on_one_that_nzc_already_manages() {
    let p = project();
    let db = TestDb::new().await;
    let out = ok(&migrate(p.path(), db.url(), &["adopt"]));
    assert!(
        out.contains("the database is empty: nothing to adopt"),
        "{out}"
    );
    assert_eq!(nzc_versions(&db).await, None);

    // Both alembic_version and nzc_migrations: nzc's history wins, nothing recorded.
    let both = TestDb::new().await;
    ok(&migrate(p.path(), both.url(), &["upgrade", "head"]));
    psql(
        both.url(),
        "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
         INSERT INTO alembic_version VALUES ('20260127_initiative_bigint');",
    );
    let out = ok(&migrate(p.path(), both.url(), &["adopt"]));
    assert!(
        out.contains(&format!("already managed by nzc: at {HEAD}")),
        "{out}"
    );
    assert!(out.contains("found Alembic"), "{out}");
    assert_eq!(nzc_versions(&both).await.unwrap().len(), 4);
    // And the runner goes on as usual.
    let up = ok(&migrate(p.path(), both.url(), &["upgrade", "head"]));
    assert!(up.contains("already at"), "{up}");
}

#[tokio::test]
async fn adopt_leaves_views_and_triggers_alone_and_lists_them() {
    let p = project();
    let db = drifted(
        r#"CREATE VIEW "CityNames" AS SELECT "cityName" FROM "City";
           CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
           CREATE TRIGGER "City_touch" BEFORE UPDATE ON "City" FOR EACH ROW EXECUTE FUNCTION touch();"#,
    )
    .await;
    let out = ok(&migrate(p.path(), db.url(), &["adopt"]));
    assert!(out.contains(&format!("adopted at {HEAD}")), "{out}");
    for name in ["CityNames", "City_touch", "touch"] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("unmanaged (left alone):") && l.contains(name)),
            "{name} not listed: {out}"
        );
    }
    let check = ok(&migrate(p.path(), db.url(), &["check"]));
    assert!(check.contains("unmanaged: "), "{check}");
    assert!(check.contains("in sync"), "{check}");
}

#[tokio::test]
async fn other_tools_history_tables_are_named() {
    let p = project();
    let cases = [
        (
            "CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL, installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL, checksum bytea NOT NULL, execution_time bigint NOT NULL);
             INSERT INTO _sqlx_migrations VALUES (20240101, 'init', now(), true, '\\x00', 1);",
            "sqlx (table public._sqlx_migrations, revision 20240101 init)",
        ),
        (
            "CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);
             INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000000');",
            "diesel (table public.__diesel_schema_migrations, revision 20240101000000)",
        ),
        (
            "CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT NULL);
             INSERT INTO flyway_schema_history VALUES (1, '1', 'init', 'SQL', 'V1__init.sql', 0, 'me', now(), 1, true);",
            "Flyway (table public.flyway_schema_history, revision 1 init)",
        ),
    ];
    for (sql, named) in cases {
        let db = TestDb::new().await;
        psql(db.url(), sql);
        let out = migrate(p.path(), db.url(), &["upgrade", "head"]);
        assert_eq!(code(&out), 1, "{}", all(&out));
        assert!(all(&out).contains(named), "{named}: {}", all(&out));
        assert_eq!(nzc_versions(&db).await, None);
    }
}
