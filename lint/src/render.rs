//! Findings as text, in the look of `nzc_dsl`'s diagnostics (rustc's):
//!
//! ```text
//! error[L008]: changing "BudgetFunding"."amount" to bigint rewrites the table
//!  --> up.sql:4:29
//!   |
//! 4 | ALTER TABLE "BudgetFunding" ALTER COLUMN "amount" TYPE bigint;
//!   |                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
//!   |
//!   = note: lock: ACCESS EXCLUSIVE on the table while it and its indexes are rewritten: reads and writes wait
//!   = help: …
//!   = note: if this is known and accepted, put `-- nzc:allow(L008)` on the line before the statement
//! ```

use crate::source::LineIndex;
use crate::Finding;
use std::fmt::Write as _;

/// Renders every finding, in order, separated by blank lines; no colour and
/// no summary line (a caller linting several files adds its own).
pub fn render(findings: &[Finding], source: &str, file_name: &str) -> String {
    let index = LineIndex::new(source);
    let mut out = String::new();
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let header = format!("{}[{}]: {}", f.level, f.rule.code(), f.message);
        let allow = format!(
            "if this is known and accepted, put `-- nzc:allow({})` on the line before the statement",
            f.rule.code()
        );
        let notes = [
            ("note", format!("lock: {}", f.lock)),
            ("help", f.help.clone()),
            ("note", allow),
        ];
        render_block(&mut out, &index, file_name, &header, f.span, &notes);
    }
    out
}

/// One block: header, location, the first line of the span with a caret
/// under it (clipped to that line, at least one wide), then `= kind: text`
/// lines.
pub(crate) fn render_block(
    out: &mut String,
    index: &LineIndex<'_>,
    file: &str,
    header: &str,
    span: (usize, usize),
    notes: &[(&str, String)],
) {
    let (line, col) = index.line_col(span.0);
    let pad = " ".repeat(line.to_string().len());
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out, "{pad}--> {file}:{line}:{col}");
    let _ = writeln!(out, "{pad} |");
    let text = index.line(line);
    let _ = writeln!(out, "{line} | {}", text.replace('\t', " "));
    let source = index.source;
    let (start, end) = (span.0.min(source.len()), span.1.min(source.len()));
    let span_chars = source
        .get(start..end.max(start))
        .unwrap_or("")
        .split('\n')
        .next()
        .unwrap_or("")
        .chars()
        .count();
    let line_chars = text.chars().count();
    let caret = span_chars.min(line_chars.saturating_sub(col - 1)).max(1);
    let _ = writeln!(out, "{pad} | {}{}", " ".repeat(col - 1), "^".repeat(caret));
    if !notes.is_empty() {
        let _ = writeln!(out, "{pad} |");
    }
    for (kind, text) in notes {
        let _ = writeln!(out, "{pad} = {kind}: {text}");
    }
}
