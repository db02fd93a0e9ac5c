//! Helpers shared by the tests: findings as `"L001 error 3:14"` strings.
#![allow(dead_code)]

use nzc_lint::{lint, Finding, Options};

/// In a transaction, no new tables: how a generated migration runs.
pub fn tx() -> Options {
    Options::default()
}

/// A migration marked `-- nzc:no-transaction`.
pub fn no_tx() -> Options {
    Options {
        in_transaction: false,
        ..Options::default()
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, source[line_start..offset].chars().count() + 1)
}

/// Each finding as `code level line:col` (of the caret, the span's start).
pub fn found_with(sql: &str, options: &Options) -> Vec<String> {
    describe(
        sql,
        &lint(sql, "test.sql", options).expect("the SQL parses"),
    )
}

pub fn found(sql: &str) -> Vec<String> {
    found_with(sql, &tx())
}

pub fn describe(sql: &str, findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            assert_eq!(f.level, f.rule.level());
            let (line, col) = line_col(sql, f.span.0);
            format!("{} {} {line}:{col}", f.rule.code(), f.level)
        })
        .collect()
}

/// The text a finding's span covers.
pub fn spanned(sql: &str, options: &Options) -> Vec<String> {
    lint(sql, "test.sql", options)
        .expect("the SQL parses")
        .iter()
        .map(|f| sql[f.span.0..f.span.1].to_string())
        .collect()
}

/// A migration as nzc writes it with parts: foreign key and check added
/// `NOT VALID`, indexes built concurrently, the unique constraint attached
/// to its index, each validation in a transaction of its own, then
/// `SET NOT NULL` using the validated check.
pub const EXAMPLE: &str = r#"-- nzc migration 20260101000000_alter_emissionrecord (up)
-- nzc:part transaction
ALTER TABLE "EmissionRecord" ADD CONSTRAINT "fk_x" FOREIGN KEY ("sectorId") REFERENCES "Sector" ("sectorId") NOT VALID;
ALTER TABLE "EmissionRecord" ADD CONSTRAINT "ck_EmissionRecord_unit_not_null" CHECK ("unit" IS NOT NULL) NOT VALID;
-- nzc:part no-transaction
CREATE INDEX CONCURRENTLY "ix_EmissionRecord_year" ON "EmissionRecord" ("year");
CREATE UNIQUE INDEX CONCURRENTLY "uq_x" ON "EmissionRecord" ("a", "b");
-- nzc:part transaction
ALTER TABLE "EmissionRecord" ADD CONSTRAINT "uq_x" UNIQUE USING INDEX "uq_x";
-- nzc:part transaction
ALTER TABLE "EmissionRecord" VALIDATE CONSTRAINT "fk_x";
-- nzc:part transaction
ALTER TABLE "EmissionRecord" VALIDATE CONSTRAINT "ck_EmissionRecord_unit_not_null";
-- nzc:part transaction
ALTER TABLE "EmissionRecord" ALTER COLUMN "unit" SET NOT NULL;
ALTER TABLE "EmissionRecord" DROP CONSTRAINT "ck_EmissionRecord_unit_not_null";
"#;
