//! The file as PostgreSQL's parser and scanner see it: its parts, statements
//! with their byte spans and part, the tokens of each, the comments before
//! each (for `-- nzc:allow(…)`), and the position of a parse error.

use crate::error::LintError;
use crate::rules::Rule;
use nzc_types::contract::{migration_parts, PartSpan};
use pg_query::protobuf::{RawStmt, ScanToken, Token};
use pg_query::NodeEnum;
use std::collections::BTreeSet;

/// One token of the file (comments included), as byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: i32,
}

impl Tok {
    /// A scanned token of text that starts at byte `base` of the file.
    fn from_scan(t: &ScanToken, base: usize) -> Tok {
        Tok {
            start: base + usize::try_from(t.start).unwrap_or(0),
            end: base + usize::try_from(t.end).unwrap_or(0),
            kind: t.token,
        }
    }

    pub fn is(&self, kind: Token) -> bool {
        self.kind == kind as i32
    }

    fn is_comment(&self) -> bool {
        self.is(Token::SqlComment) || self.is(Token::CComment)
    }
}

/// One statement of the file.
pub(crate) struct Stmt {
    pub node: NodeEnum,
    /// From its first token to the end of its last (the `;` excluded).
    pub span: (usize, usize),
    /// The index of its part (`migration_parts`).
    pub part: usize,
    /// Where its part's text starts: the parser's locations count from
    /// there.
    pub base: usize,
    /// Its tokens, comments excluded.
    pub tokens: Vec<Tok>,
    /// The rules accepted for it by `-- nzc:allow(…)`.
    pub allowed: BTreeSet<Rule>,
}

impl Stmt {
    /// The byte offset in the file of a location of the parser's tree.
    pub fn at(&self, location: i32) -> Option<usize> {
        usize::try_from(location).ok().map(|l| self.base + l)
    }
}

/// The parsed file.
pub(crate) struct Parsed {
    pub stmts: Vec<Stmt>,
}

/// The SQL as given to the parser: a UTF-8 byte-order mark (which the runner
/// ignores) is blanked out so that byte offsets stay those of the file.
fn prepared(sql: &str) -> std::borrow::Cow<'_, str> {
    match sql.strip_prefix('\u{feff}') {
        Some(rest) => format!("   {rest}").into(),
        None => sql.into(),
    }
}

/// The parts of the file (`nzc_types::contract::migration_parts`, on the
/// text as the parser sees it), or the error at the line at fault.
pub(crate) fn parts(sql: &str, file: &str) -> Result<Vec<PartSpan>, LintError> {
    let prepared = prepared(sql);
    migration_parts(&prepared).map_err(|e| LintError::part(file, sql, e.line, &e.message))
}

/// Parses each part of the file on its own, as the runner sends it to the
/// server (a statement cannot run on across a part marker); offsets stay
/// those of the whole file.
pub(crate) fn parse(sql: &str, file: &str, parts: &[PartSpan]) -> Result<Parsed, LintError> {
    if let Some(at) = sql.find('\0') {
        return Err(LintError::parse(
            file,
            sql,
            at,
            "the file contains a NUL byte",
        ));
    }
    let original = sql;
    let sql = prepared(sql);
    let sql = sql.as_ref();
    let mut stmts = Vec::new();
    for (part, span) in parts.iter().enumerate() {
        let base = span.range.start;
        let text = &sql[span.range.clone()];
        let tree = match pg_query::parse(text, 0) {
            Ok(tree) => tree,
            Err(e) => {
                let message = match e {
                    pg_query::Error::Parse(m) | pg_query::Error::Scan(m) => m,
                    other => other.to_string(),
                };
                let at = base + error_offset(text, &message);
                return Err(LintError::parse(file, original, at, &message));
            }
        };
        let tokens: Vec<Tok> = match pg_query::scan(text) {
            Ok(scan) => scan
                .tokens
                .iter()
                .map(|t| Tok::from_scan(t, base))
                .collect(),
            Err(e) => return Err(LintError::parse(file, original, base, &e.to_string())),
        };
        let mut prev_end = base;
        for raw in tree.protobuf.stmts {
            let (start, end) = raw_span(&raw, text.len());
            let (start, end) = (base + start, base + end);
            let Some(node) = raw.stmt.and_then(|n| n.node) else {
                continue;
            };
            let inside: Vec<Tok> = tokens
                .iter()
                .filter(|t| t.start >= start && t.start < end)
                .copied()
                .collect();
            let code: Vec<Tok> = inside.iter().filter(|t| !t.is_comment()).copied().collect();
            let (Some(first), Some(last)) = (code.first(), code.last()) else {
                continue;
            };
            let span = (first.start, last.end);
            let mut allowed = BTreeSet::new();
            for c in leading_comments(sql, &tokens, prev_end, span.0)
                .into_iter()
                .chain(inside.iter().filter(|t| t.is_comment() && t.start < span.1))
            {
                allowed.extend(allow_directives(&sql[c.start..c.end]));
            }
            prev_end = span.1;
            stmts.push(Stmt {
                node,
                span,
                part,
                base,
                tokens: code,
                allowed,
            });
        }
    }
    Ok(Parsed { stmts })
}

fn raw_span(raw: &RawStmt, len: usize) -> (usize, usize) {
    let start = usize::try_from(raw.stmt_location).unwrap_or(0).min(len);
    let end = match usize::try_from(raw.stmt_len) {
        Ok(0) | Err(_) => len,
        Ok(n) => (start + n).min(len),
    };
    (start, end)
}

/// The comments on the lines just before a statement: the block of comments,
/// each starting its own line, with no blank line between them and the
/// statement. A comment after the previous statement on its line belongs to
/// that one.
fn leading_comments<'t>(sql: &str, tokens: &'t [Tok], after: usize, before: usize) -> Vec<&'t Tok> {
    let gap: Vec<&Tok> = tokens
        .iter()
        .filter(|t| t.start >= after && t.end <= before && t.is_comment())
        .collect();
    let mut out = Vec::new();
    let mut next = before;
    for c in gap.into_iter().rev() {
        let between = &sql[c.end..next];
        let own_line = sql[..c.start]
            .rsplit('\n')
            .next()
            .is_some_and(|l| l.trim().is_empty());
        if between.matches('\n').count() > 1 || !own_line {
            break;
        }
        out.push(c);
        next = c.start;
    }
    out
}

/// The rules named by `nzc:allow(L001, set-not-null)` directives in a comment.
fn allow_directives(comment: &str) -> Vec<Rule> {
    const MARK: &str = "nzc:allow(";
    let mut out = Vec::new();
    let mut rest = comment;
    while let Some(i) = rest.find(MARK) {
        rest = &rest[i + MARK.len()..];
        let Some(close) = rest.find(')') else { break };
        out.extend(rest[..close].split(',').filter_map(Rule::from_code_or_name));
        rest = &rest[close..];
    }
    out
}

/// Where PostgreSQL's parser stopped. libpg_query knows (its `cursorpos`),
/// but the `pg_query` crate passes on only the message, so the position is
/// found again with the parser itself: the error token is the first whose
/// prefix of the file already fails with the same message (a shorter prefix
/// parses, or fails only "at end of input"). A scanner error (unterminated
/// string or comment) quotes the rest of the file, which gives its start.
fn error_offset(sql: &str, message: &str) -> usize {
    if message.ends_with("at end of input") {
        return sql.trim_end().len();
    }
    let tokens = match pg_query::scan(sql) {
        Ok(scan) => scan.tokens,
        Err(_) => {
            return near_text(message)
                .and_then(|near| sql.rfind(near))
                .unwrap_or(0);
        }
    };
    let fails_same = |k: usize| {
        let end = usize::try_from(tokens[k].end)
            .unwrap_or(sql.len())
            .min(sql.len());
        matches!(pg_query::parse(&sql[..end], 0), Err(pg_query::Error::Parse(m)) if m == message)
    };
    // Binary search for the first token k with `fails_same(k)`.
    let (mut lo, mut hi) = (0, tokens.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if fails_same(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    match tokens.get(lo) {
        Some(t) => usize::try_from(t.start).unwrap_or(0),
        None => 0,
    }
}

/// The text of `… at or near "TEXT"`.
fn near_text(message: &str) -> Option<&str> {
    let i = message.find("at or near \"")?;
    let rest = &message[i + "at or near \"".len()..];
    rest.strip_suffix('"')
}

/// The statement's tokens split into its top-level comma-separated parts
/// after `skip` tokens (the commands of an `ALTER TABLE`), each as a span.
pub(crate) fn comma_parts(tokens: &[Tok], skip: usize) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start: Option<usize> = None;
    let mut last_end = 0;
    for t in tokens.iter().skip(skip) {
        if t.is(Token::Ascii40) || t.is(Token::Ascii91) {
            depth += 1;
        } else if t.is(Token::Ascii41) || t.is(Token::Ascii93) {
            depth -= 1;
        } else if t.is(Token::Ascii44) && depth == 0 {
            if let Some(s) = start.take() {
                parts.push((s, last_end));
            }
            continue;
        }
        start.get_or_insert(t.start);
        last_end = t.end;
    }
    if let Some(s) = start {
        parts.push((s, last_end));
    }
    parts
}

/// The index of the token that starts at `offset`.
pub(crate) fn token_at(tokens: &[Tok], offset: usize) -> Option<usize> {
    tokens.iter().position(|t| t.start == offset)
}

/// The span of a (possibly qualified) name or call starting at `offset`:
/// `a.b.c`, then a parenthesised argument list right after it.
pub(crate) fn name_or_call_span(tokens: &[Tok], offset: usize) -> Option<(usize, usize)> {
    let mut i = token_at(tokens, offset)?;
    while tokens.get(i + 1).is_some_and(|t| t.is(Token::Ascii46)) && i + 2 < tokens.len() {
        i += 2;
    }
    let mut end = tokens[i].end;
    if tokens.get(i + 1).is_some_and(|t| t.is(Token::Ascii40)) {
        let mut depth = 0;
        for t in &tokens[i + 1..] {
            if t.is(Token::Ascii40) {
                depth += 1;
            } else if t.is(Token::Ascii41) {
                depth -= 1;
            }
            end = t.end;
            if depth == 0 {
                break;
            }
        }
    }
    Some((offset, end))
}

/// Maps byte offsets to 1-based line and column numbers (columns count
/// characters), as `nzc_dsl::diagnostics::LineIndex` does.
pub(crate) struct LineIndex<'a> {
    pub source: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { source, starts }
    }

    /// The byte offset where a 1-based line starts (the end of the text
    /// past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        line.checked_sub(1)
            .and_then(|i| self.starts.get(i))
            .copied()
            .unwrap_or(self.source.len())
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.source.len());
        while !self.source.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let col = self.source[self.starts[line]..offset].chars().count() + 1;
        (line + 1, col)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line(&self, line: usize) -> &'a str {
        let start = self.starts[line - 1];
        let end = self.starts.get(line).copied().unwrap_or(self.source.len());
        self.source[start..end].trim_end_matches(['\n', '\r'])
    }
}
