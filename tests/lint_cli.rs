//! `nzc lint` with the real binary: the repository's migrations, explicit
//! directories, `-- nzc:allow`, the pending migrations of a database, and
//! the lint `nzc compile` runs on the migration it writes.

#[path = "support/cli.rs"]
mod cli;
mod common;

use cli::{all, code, nzc, ok, project, text, ALEMBIC};
use common::TestDb;

#[test]
fn the_teams_int_to_bigint_migrations_are_flagged_as_rewrites() {
    let p = project();
    let out = nzc(p.path(), None, &["lint", "--all"]);
    let err = text(&out.stderr);
    assert_eq!(code(&out), 1, "{}", all(&out));
    assert!(err.contains("error[L008]"), "{err}");
    assert!(
        err.contains("20250603000000_budgetfunding_amount_to_bigint/up.sql:4:29"),
        "{err}"
    );
    // Dropping the 17 tables in init's down.sql: data-loss warnings, not errors.
    assert_eq!(err.matches("warning[L013]").count(), 17, "{err}");
    assert!(
        text(&out.stdout).contains("linted 4 migration(s), 8 file(s): 4 error(s), 34 warning(s)"),
        "{}",
        all(&out)
    );
}

#[test]
fn a_named_directory_and_an_allow_comment() {
    let p = project();
    let dir = p.path().join("migrations").join(ALEMBIC[2].1);
    let out = nzc(p.path(), None, &["lint", dir.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", all(&out));
    for f in ["up.sql", "down.sql"] {
        let path = dir.join(f);
        let sql = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            sql.replace(
                "ALTER TABLE",
                "-- nzc:allow(L008): the table is small\nALTER TABLE",
            ),
        )
        .unwrap();
    }
    let out = nzc(p.path(), None, &["lint", dir.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", all(&out));
    assert!(
        text(&out.stdout).contains("0 error(s), 0 warning(s)"),
        "{}",
        all(&out)
    );
}

#[tokio::test]
async fn by_default_only_the_pending_migrations_are_checked() {
    let db = TestDb::new().await;
    let p = project();
    ok(&nzc(
        p.path(),
        Some(db.url()),
        &["migrate", "upgrade", "+3"],
    ));
    let out = nzc(p.path(), Some(db.url()), &["lint"]);
    assert_eq!(code(&out), 1, "{}", all(&out));
    assert!(
        text(&out.stdout).contains("linted 1 migration(s)"),
        "{}",
        all(&out)
    );
    assert!(text(&out.stderr).contains(ALEMBIC[3].1), "{}", all(&out));
    ok(&nzc(
        p.path(),
        Some(db.url()),
        &["migrate", "upgrade", "head"],
    ));
    let out = nzc(p.path(), Some(db.url()), &["lint"]);
    assert_eq!(code(&out), 0, "{}", all(&out));
    assert!(
        text(&out.stdout).contains("linted 0 migration(s)"),
        "{}",
        all(&out)
    );
}

#[test]
fn compile_lints_the_migration_it_writes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("schema.nzc"),
        "table T {\n  id uuid @pk\n  n int\n}\n",
    )
    .unwrap();
    let out = nzc(dir.path(), None, &["compile"]);
    assert!(out.status.success(), "{}", all(&out));
    // A new table is exempt from the lock rules; its down drops it (a warning).
    let err = text(&out.stderr);
    assert!(!err.contains("error["), "{}", all(&out));
    assert!(err.contains("warning[L013]"), "{}", all(&out));
    std::fs::write(
        dir.path().join("schema.nzc"),
        "table T {\n  id uuid @pk\n  n bigint\n}\n",
    )
    .unwrap();
    let out = nzc(dir.path(), None, &["compile", "-m", "widen n"]);
    assert!(out.status.success(), "lint never refuses: {}", all(&out));
    let err = text(&out.stderr);
    assert!(err.contains("error[L008]"), "{err}");
    assert!(err.contains("`nzc lint` finds 2 error(s)"), "{err}");
}
