//! Diagnostics: every problem found in a schema file, each with a stable code,
//! a span, and a rendering in the style of rustc (file:line:col, the source
//! line, a caret under the offending text).
//!
//! Texts come from the named constructors at the bottom of this file, so the
//! wording of each code stays the same wherever it is raised.

use crate::ast::Span;
use std::fmt::{self, Write as _};

/// Stable diagnostic codes. The number never changes meaning; retired codes
/// are not reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// E0001 syntax error
    Syntax,
    /// E0002 unknown type
    UnknownType,
    /// E0003 unknown referenced table
    UnknownTable,
    /// E0004 unknown referenced column
    UnknownRefColumn,
    /// E0005 foreign key type mismatch
    FkTypeMismatch,
    /// E0006 duplicate table
    DuplicateTable,
    /// E0007 duplicate column
    DuplicateColumn,
    /// E0008 duplicate constraint or index name
    DuplicateConstraint,
    /// E0009 missing primary key
    MissingPrimaryKey,
    /// E0010 default not valid for the type
    InvalidDefault,
    /// E0011 identifier clash after shortening
    ShortenedClash,
    /// E0012 unknown column in a constraint or index
    UnknownColumn,
    /// E0013 identifier too long
    IdentTooLong,
    /// E0014 duplicate enum or enum value
    DuplicateEnum,
    /// E0015 invalid type parameters
    InvalidTypeParams,
    /// E0016 duplicate or conflicting attribute
    DuplicateAttribute,
    /// E0017 unknown attribute
    UnknownAttribute,
    /// E0018 nullable primary-key column
    NullablePrimaryKey,
    /// E0019 foreign key target is not unique
    FkTargetNotUnique,
    /// E0020 invalid naming convention
    InvalidNaming,
    /// E0021 duplicate group
    DuplicateGroup,
    /// E0022 rename clash
    RenameClash,
    /// E0023 invalid attribute arguments
    InvalidArguments,
    /// E0024 foreign key column count mismatch
    FkArity,
    /// E0025 type and table name clash
    TypeNameClash,
    /// E0026 empty enum or table
    Empty,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "E0001",
            Code::UnknownType => "E0002",
            Code::UnknownTable => "E0003",
            Code::UnknownRefColumn => "E0004",
            Code::FkTypeMismatch => "E0005",
            Code::DuplicateTable => "E0006",
            Code::DuplicateColumn => "E0007",
            Code::DuplicateConstraint => "E0008",
            Code::MissingPrimaryKey => "E0009",
            Code::InvalidDefault => "E0010",
            Code::ShortenedClash => "E0011",
            Code::UnknownColumn => "E0012",
            Code::IdentTooLong => "E0013",
            Code::DuplicateEnum => "E0014",
            Code::InvalidTypeParams => "E0015",
            Code::DuplicateAttribute => "E0016",
            Code::UnknownAttribute => "E0017",
            Code::NullablePrimaryKey => "E0018",
            Code::FkTargetNotUnique => "E0019",
            Code::InvalidNaming => "E0020",
            Code::DuplicateGroup => "E0021",
            Code::RenameClash => "E0022",
            Code::InvalidArguments => "E0023",
            Code::FkArity => "E0024",
            Code::TypeNameClash => "E0025",
            Code::Empty => "E0026",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// One problem in a schema file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    pub span: Span,
    /// Text printed beside the caret.
    pub label: String,
    pub related: Vec<Related>,
    pub help: Option<String>,
}

impl Diagnostic {
    fn new(code: Code, span: Span, message: String, label: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message,
            span,
            label: label.into(),
            related: Vec::new(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    fn with_suggestion(self, suggestion: Option<&str>) -> Self {
        match suggestion {
            Some(s) => self.with_help(format!("did you mean `{s}`?")),
            None => self,
        }
    }
}

/// All diagnostics for one file, sorted by position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    pub file: String,
    pub source: String,
    pub list: Vec<Diagnostic>,
}

impl std::error::Error for Diagnostics {}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// Maps byte offsets to 1-based line and column numbers.
pub struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { source, starts }
    }

    /// 1-based (line, column); the column counts characters.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
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

impl Diagnostics {
    pub fn new(
        file: impl Into<String>,
        source: impl Into<String>,
        mut list: Vec<Diagnostic>,
    ) -> Self {
        list.sort_by_key(|d| (d.span, d.code));
        list.dedup();
        Diagnostics {
            file: file.into(),
            source: source.into(),
            list,
        }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Renders every diagnostic followed by a summary line, without colour.
    pub fn render(&self) -> String {
        let index = LineIndex::new(&self.source);
        let mut out = String::new();
        for d in &self.list {
            render_one(&mut out, &self.file, &index, d);
            out.push('\n');
        }
        let n = self.list.len();
        let _ = writeln!(
            out,
            "error: could not compile `{}` due to {} previous error{}",
            self.file,
            n,
            if n == 1 { "" } else { "s" }
        );
        out
    }
}

fn render_one(out: &mut String, file: &str, index: &LineIndex<'_>, d: &Diagnostic) {
    let (line, col) = index.line_col(d.span.start);
    let mut lines = vec![(line, col, d.span, d.label.as_str())];
    for r in &d.related {
        let (l, c) = index.line_col(r.span.start);
        lines.push((l, c, r.span, r.message.as_str()));
    }
    let width = lines
        .iter()
        .map(|(l, ..)| l.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(width);
    let _ = writeln!(out, "error[{}]: {}", d.code, d.message);
    let _ = writeln!(out, "{pad}--> {file}:{line}:{col}");
    let _ = writeln!(out, "{pad} |");
    for (i, (l, c, span, label)) in lines.iter().enumerate() {
        if i > 0 {
            let _ = writeln!(out, "{pad} ...");
        }
        let text = index.line(*l);
        let _ = writeln!(out, "{l:>width$} | {}", text.replace('\t', " "));
        // Caret under the span, clipped to this line, at least one wide.
        let line_chars = text.chars().count();
        let span_chars = index.source
            [span.start.min(index.source.len())..span.end.min(index.source.len())]
            .split('\n')
            .next()
            .unwrap_or("")
            .chars()
            .count();
        let caret = span_chars.min(line_chars.saturating_sub(c - 1)).max(1);
        let mark = if i == 0 { '^' } else { '-' };
        let _ = writeln!(
            out,
            "{pad} | {}{}{}{}",
            " ".repeat(c - 1),
            mark.to_string().repeat(caret),
            if label.is_empty() { "" } else { " " },
            label
        );
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{pad} = help: {help}");
    }
}

// ---- named constructors --------------------------------------------------

pub fn syntax(span: Span, expected: &str) -> Diagnostic {
    Diagnostic::new(
        Code::Syntax,
        span,
        format!("syntax error: expected {expected}"),
        "unexpected here",
    )
}

pub fn unknown_type(span: Span, name: &str, suggestion: Option<&str>) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownType,
        span,
        format!("unknown type `{name}`"),
        "not a type nor an enum of this schema",
    )
    .with_suggestion(suggestion)
}

pub fn unknown_table(span: Span, name: &str, suggestion: Option<&str>) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownTable,
        span,
        format!("unknown table `{name}`"),
        "no table of this name in the schema",
    )
    .with_suggestion(suggestion)
}

pub fn unknown_ref_column(
    span: Span,
    table: &str,
    column: &str,
    suggestion: Option<&str>,
) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownRefColumn,
        span,
        format!("table `{table}` has no column `{column}`"),
        "referenced column does not exist",
    )
    .with_suggestion(suggestion)
}

pub fn fk_type_mismatch(
    span: Span,
    column: &str,
    ty: &str,
    target: &str,
    target_ty: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::FkTypeMismatch,
        span,
        format!("foreign key type mismatch: `{column}` is `{ty}` but `{target}` is `{target_ty}`"),
        format!("references a `{target_ty}` column"),
    )
    .with_help(format!("a foreign key column must have the type of the column it references: make `{column}` `{target_ty}`"))
}

pub fn duplicate_table(span: Span, name: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateTable,
        span,
        format!("table `{name}` is defined more than once"),
        "defined again here",
    )
    .with_related(first, "first defined here")
}

pub fn duplicate_column(span: Span, table: &str, name: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateColumn,
        span,
        format!("column `{name}` is defined more than once in table `{table}`"),
        "defined again here",
    )
    .with_related(first, "first defined here")
}

pub fn duplicate_constraint(span: Span, name: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateConstraint,
        span,
        format!("the name `{name}` is used by more than one constraint, index or table"),
        "this one gets the same name",
    )
    .with_related(first, "also named so")
    .with_help("give one of them another name with `name: \"…\"`")
}

pub fn missing_primary_key(span: Span, table: &str) -> Diagnostic {
    Diagnostic::new(
        Code::MissingPrimaryKey,
        span,
        format!("table `{table}` has no primary key"),
        "declared here",
    )
    .with_help("mark a column `@pk`, or add `@@pk([a, b])` for a composite key")
}

pub fn invalid_default(span: Span, column: &str, ty: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidDefault,
        span,
        format!("default not valid for column `{column}` of type `{ty}`"),
        why.to_string(),
    )
}

pub fn shortened_clash(
    span: Span,
    short: &str,
    full: &str,
    other_full: &str,
    other: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::ShortenedClash,
        span,
        format!(
            "identifier clash after shortening: `{full}` and `{other_full}` both become `{short}`"
        ),
        "this name",
    )
    .with_related(other, "clashes with this one")
    .with_help("name one of them explicitly with `name: \"…\"`")
}

pub fn unknown_column(
    span: Span,
    table: &str,
    column: &str,
    suggestion: Option<&str>,
) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownColumn,
        span,
        format!("table `{table}` has no column `{column}`"),
        "unknown column",
    )
    .with_suggestion(suggestion)
}

pub fn ident_too_long(span: Span, what: &str, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::IdentTooLong,
        span,
        format!(
            "{what} `{name}` is {} bytes long; PostgreSQL allows {}",
            name.len(),
            crate::model::MAX_IDENT_BYTES
        ),
        "too long",
    )
}

pub fn duplicate_enum(span: Span, name: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateEnum,
        span,
        format!("enum `{name}` is defined more than once"),
        "defined again here",
    )
    .with_related(first, "first defined here")
}

pub fn duplicate_enum_value(span: Span, enum_name: &str, value: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateEnum,
        span,
        format!("enum `{enum_name}` has the value `{value}` more than once"),
        "repeated here",
    )
    .with_related(first, "first listed here")
}

pub fn invalid_type_params(span: Span, ty: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidTypeParams,
        span,
        format!("invalid parameters for type `{ty}`"),
        why.to_string(),
    )
}

pub fn duplicate_attribute(span: Span, name: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateAttribute,
        span,
        format!("attribute `{name}` is given more than once"),
        "repeated here",
    )
    .with_related(first, "first given here")
}

pub fn conflicting_attribute(
    span: Span,
    message: String,
    other: Span,
    other_label: &str,
) -> Diagnostic {
    Diagnostic::new(Code::DuplicateAttribute, span, message, "conflicts")
        .with_related(other, other_label)
}

pub fn unknown_attribute(
    span: Span,
    name: &str,
    context: &str,
    suggestion: Option<&str>,
    known: &[&str],
) -> Diagnostic {
    let d = Diagnostic::new(
        Code::UnknownAttribute,
        span,
        format!("unknown {context} attribute `{name}`"),
        "not known here",
    );
    match suggestion {
        Some(_) => d.with_suggestion(suggestion),
        None => d.with_help(format!("{context} attributes are: {}", known.join(", "))),
    }
}

pub fn nullable_primary_key(span: Span, column: &str) -> Diagnostic {
    Diagnostic::new(
        Code::NullablePrimaryKey,
        span,
        format!("primary-key column `{column}` is nullable"),
        "a primary key cannot be NULL",
    )
    .with_help("remove the `?`")
}

pub fn fk_target_not_unique(span: Span, target: &str) -> Diagnostic {
    Diagnostic::new(
        Code::FkTargetNotUnique,
        span,
        format!("foreign key target `{target}` is not a primary key or unique"),
        "PostgreSQL requires a unique target",
    )
    .with_help("reference the primary key, or add a unique constraint on the target column(s)")
}

pub fn invalid_naming(span: Span, why: String) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidNaming,
        span,
        format!("invalid naming convention: {why}"),
        "here",
    )
}

pub fn duplicate_group(span: Span, name: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateGroup,
        span,
        format!("group `{name}` is defined more than once"),
        "defined again here",
    )
    .with_related(first, "first defined here")
}

pub fn rename_clash(span: Span, what: &str, old: &str, other: Span) -> Diagnostic {
    Diagnostic::new(
        Code::RenameClash,
        span,
        format!("{what} is renamed from `{old}`, but `{old}` is still defined"),
        "renamed from here",
    )
    .with_related(other, "still defined here")
}

pub fn invalid_arguments(span: Span, attr: &str, why: impl Into<String>) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidArguments,
        span,
        format!("invalid arguments to `{attr}`"),
        why,
    )
}

pub fn fk_arity(span: Span, n: usize, m: usize) -> Diagnostic {
    Diagnostic::new(
        Code::FkArity,
        span,
        format!("foreign key has {n} column(s) but references {m}"),
        "column counts differ",
    )
}

pub fn type_name_clash(span: Span, name: &str, other: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TypeNameClash,
        span,
        format!("`{name}` names both an enum and a table"),
        "PostgreSQL gives every table a type of the same name",
    )
    .with_related(other, "the other one")
}

pub fn empty(span: Span, what: &str, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::Empty,
        span,
        format!("{what} `{name}` is empty"),
        "nothing declared inside",
    )
}

/// The closest candidate by edit distance, if close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (levenshtein(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let idx = LineIndex::new("ab\ncé d\n");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(7), (2, 4));
        assert_eq!(idx.line(2), "cé d");
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest("integr", ["integer", "int", "text"]),
            Some("integer")
        );
        assert_eq!(suggest("zzz", ["integer", "text"]), None);
    }
}
