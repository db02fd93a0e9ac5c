//! The repository's own four migrations give the findings one expects:
//! `init` creates tables (nothing to say) and its down drops them (data
//! loss); the jsonb columns are nullable without default (cheap), dropping
//! them loses data; the int → bigint changes, and back, rewrite the table.

mod common;

use common::describe;
use nzc_lint::{lint, Options};
use std::path::Path;

fn lint_file(version: &str, file: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(version)
        .join(file);
    let sql = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let options = Options {
        in_transaction: !sql.lines().any(|l| l.trim() == "-- nzc:no-transaction"),
        ..Options::default()
    };
    let findings = lint(&sql, file, &options).unwrap_or_else(|e| panic!("{}", e.render(&sql)));
    describe(&sql, &findings)
}

/// `n` findings of one rule, on every third line from line 5 (the layout
/// of the generated down migrations: a data-loss comment, the statement, a
/// blank line), at `col`.
fn every_third_line(n: usize, what: &str, col: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("{what} {}:{col}", 5 + 3 * i))
        .collect()
}

#[test]
fn init() {
    assert_eq!(
        lint_file("20250601000000_init", "up.sql"),
        Vec::<String>::new()
    );
    assert_eq!(
        lint_file("20250601000000_init", "down.sql"),
        every_third_line(17, "L013 warning", 1)
    );
}

#[test]
fn add_misc_to_17_tables() {
    let version = "20250602000000_add_misc_to_17_tables";
    assert_eq!(lint_file(version, "up.sql"), Vec::<String>::new());
    let down = lint_file(version, "down.sql");
    assert_eq!(down.len(), 17);
    assert!(
        down.iter().all(|f| f.starts_with("L012 warning ")),
        "{down:?}"
    );
    assert_eq!(down[0], "L012 warning 5:20"); // ALTER TABLE "City" DROP COLUMN …
}

#[test]
fn budgetfunding_amount_to_bigint() {
    let version = "20250603000000_budgetfunding_amount_to_bigint";
    assert_eq!(lint_file(version, "up.sql"), ["L008 error 4:29"]);
    assert_eq!(lint_file(version, "down.sql"), ["L008 error 5:29"]);
}

#[test]
fn initiative_totalestimatedcost_to_bigint() {
    let version = "20250604000000_initiative_totalestimatedcost_to_bigint";
    assert_eq!(lint_file(version, "up.sql"), ["L008 error 4:26"]);
    assert_eq!(lint_file(version, "down.sql"), ["L008 error 5:26"]);
}
