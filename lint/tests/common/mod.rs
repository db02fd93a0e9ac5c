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
