//! Splits an SQL file into statements, so each can be run and reported on
//! its own. Knows the lexical forms that may contain a `;`: single-quoted
//! strings (with `''` and E'…\'…' escapes), double-quoted identifiers,
//! dollar-quoted bodies (`$$…$$`, `$tag$…$tag$`), `--` comments and nested
//! `/* */` comments.

use nzc_types::contract::{migration_parts, PartError, PartMode};

/// One statement: its text (without the final `;`, trimmed) and the byte
/// offset of that text in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement<'a> {
    pub sql: &'a str,
    pub offset: usize,
}

/// Splits `sql` into statements; empty statements and comment-only pieces are skipped.
pub fn split(sql: &str) -> Vec<Statement<'_>> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => {
                let escape = i > 0
                    && matches!(bytes[i - 1], b'E' | b'e')
                    && (i < 2 || !is_ident(bytes[i - 2]));
                i = skip_quoted(bytes, i + 1, b'\'', escape);
            }
            b'"' => i = skip_quoted(bytes, i + 1, b'"', false),
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut depth = 1;
                i += 2;
                while i < bytes.len() && depth > 0 {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
            }
            b'$' if i == 0 || !is_ident(bytes[i - 1]) => {
                // $tag$ … $tag$ (tag: identifier characters, possibly empty)
                let tag_end = bytes[i + 1..]
                    .iter()
                    .position(|b| !is_ident(*b))
                    .map(|p| i + 1 + p);
                match tag_end {
                    Some(e)
                        if bytes[e] == b'$'
                            && !bytes[i + 1..e].first().is_some_and(u8::is_ascii_digit) =>
                    {
                        let tag = &sql[i..=e];
                        i = sql[e + 1..]
                            .find(tag)
                            .map_or(bytes.len(), |p| e + 1 + p + tag.len());
                    }
                    _ => i += 1,
                }
            }
            b';' => {
                push(sql, start, i, &mut out);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    push(sql, start, bytes.len(), &mut out);
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn skip_quoted(bytes: &[u8], mut i: usize, quote: u8, backslash: bool) -> usize {
    while i < bytes.len() {
        if backslash && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

fn push<'a>(sql: &'a str, start: usize, end: usize, out: &mut Vec<Statement<'a>>) {
    let piece = &sql[start..end];
    // Leading comments belong to no statement: the statement starts (and its
    // reported line points) at its first keyword.
    let skip = leading_comments(piece);
    let rest = &piece[skip..];
    let text = rest.trim_end();
    if text.is_empty() {
        return;
    }
    out.push(Statement {
        sql: text,
        offset: start + skip,
    });
}

/// Length of the whitespace and comments at the start of `text`.
fn leading_comments(text: &str) -> usize {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.find('\n').map_or("", |n| &r[n + 1..]);
        } else if rest.starts_with("/*") {
            let bytes = rest.as_bytes();
            let (mut i, mut depth) = (2, 1);
            while i < bytes.len() && depth > 0 {
                if bytes[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if bytes[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                } else {
                    i += 1;
                }
            }
            rest = &rest[i.min(rest.len())..];
        } else {
            return text.len() - rest.len();
        }
    }
}

/// The statements of a migration file, by part (see
/// [`nzc_types::contract::migration_parts`]): each part's mode, the line of
/// its marker, and its statements (offsets into the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartStatements<'a> {
    pub mode: PartMode,
    pub marker_line: Option<usize>,
    pub statements: Vec<Statement<'a>>,
}

/// Splits a migration file into its parts and their statements. A part
/// without statements is kept (it runs nothing).
pub fn split_parts(sql: &str) -> Result<Vec<PartStatements<'_>>, PartError> {
    Ok(migration_parts(sql)?
        .into_iter()
        .map(|p| PartStatements {
            mode: p.mode,
            marker_line: p.marker_line,
            statements: split(&sql[p.range.clone()])
                .into_iter()
                .map(|st| Statement {
                    sql: st.sql,
                    offset: st.offset + p.range.start,
                })
                .collect(),
        })
        .collect())
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        split(sql).into_iter().map(|s| s.sql).collect()
    }

    #[test]
    fn splits_on_semicolons_outside_quotes_and_comments() {
        let sql = "-- head; comment\nCREATE TABLE \"a;b\" (x text DEFAULT 'c;d''e');\n/* x; /* nested; */ y; */\nSELECT 1; SELECT $$ a; b $$; SELECT $fn$ ; $fn$;\nSELECT E'\\'; still';";
        assert_eq!(
            texts(sql),
            [
                "CREATE TABLE \"a;b\" (x text DEFAULT 'c;d''e')",
                "SELECT 1",
                "SELECT $$ a; b $$",
                "SELECT $fn$ ; $fn$",
                "SELECT E'\\'; still'"
            ]
        );
    }

    #[test]
    fn skips_empty_and_comment_only_pieces_and_keeps_offsets() {
        let sql = "-- only a comment\n\n;  \nSELECT 2;\n-- trailing\n";
        let st = split(sql);
        assert_eq!(st.len(), 1);
        assert_eq!(&sql[st[0].offset..st[0].offset + 8], "SELECT 2");
        assert_eq!(line_col(sql, st[0].offset), (4, 1));
    }

    #[test]
    fn parts_keep_file_offsets() {
        let sql = "-- h\n-- nzc:part transaction\nSELECT 1;\nSELECT 2;\n-- nzc:part no-transaction\n-- c\nSELECT 3;\n";
        let parts = split_parts(sql).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].mode, PartMode::Transaction);
        assert_eq!(parts[0].statements.len(), 2);
        let third = &parts[1].statements[0];
        assert_eq!(third.sql, "SELECT 3");
        assert_eq!(line_col(sql, third.offset), (7, 1));
        assert_eq!(parts[1].marker_line, Some(5));
        assert!(split_parts("SELECT 1;\n-- nzc:part transaction\n").is_err());
    }

    #[test]
    fn positional_parameters_are_not_dollar_quotes() {
        assert_eq!(texts("SELECT $1; SELECT 2"), ["SELECT $1", "SELECT 2"]);
    }
}
