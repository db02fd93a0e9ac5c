//! Python text as `ruff format` writes it, without running it.
//!
//! Statements are built as small documents in the style of ruff's formatter
//! (a Prettier-like printer): text, soft line breaks, indentation, groups that
//! print flat when they fit and broken otherwise, and "best fitting" choices
//! between whole layouts. [`print`] lays a document out the way ruff's printer
//! does; the builders below produce the documents ruff builds for the few
//! statement shapes the generator writes:
//!
//! - calls: `f(` + an indented inner group of the arguments + `)`: the
//!   arguments stay on one line of their own when they fit there, else go one
//!   per line with a trailing comma (none after a sole argument);
//! - collections (`[…]`, `(…)`, `{…}`): one element per line once broken;
//! - subscripts (`Mapped[…]`): like a call with one argument;
//! - annotations with `|` get optional parentheses (`name: (\n    A | None\n) = …`);
//! - an assignment whose value has no brackets of its own (a name, a string, a
//!   number) chooses, like ruff, between the flat line, the value in
//!   parentheses, and the annotation broken with the value flat.
//!
//! Widths are Unicode display widths, as ruff measures them. Imports,
//! docstrings and string literals have their own functions ([`import_from`],
//! [`docstring`], [`string`]).

use unicode_width::UnicodeWidthStr;

/// `line-length` of the generated `pyproject.toml` (ruff's default).
pub(crate) const LINE_LENGTH: usize = 88;

/// The indentation of one level.
pub(crate) const INDENT: usize = 4;

/// A document: what [`print`] lays out.
#[derive(Debug, Clone)]
pub(crate) enum Doc {
    /// Text without line breaks.
    Text(String),
    /// Nothing when flat, a line break when broken.
    SoftLine,
    /// A space when flat, a line break when broken.
    Line,
    /// Printed only when the enclosing group is broken.
    IfBreak(&'static str),
    /// The contents, one level deeper after each line break.
    Indent(Vec<Doc>),
    /// Flat when everything up to the next possible line break fits, else
    /// broken; always broken when `expand`.
    Group {
        docs: Vec<Doc>,
        expand: bool,
    },
    /// The first layout whose condition holds where it is printed; each is
    /// then printed like any content (its groups break where they must).
    Choice(Vec<(Fit, Vec<Doc>)>),
    Concat(Vec<Doc>),
}

pub(crate) fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

fn group(docs: Vec<Doc>) -> Doc {
    Doc::Group {
        docs,
        expand: false,
    }
}

/// Elements separated by `,` and a line, with a trailing comma when broken
/// (only when there are several: ruff adds none after a sole element).
fn comma_separated(items: Vec<Doc>) -> Vec<Doc> {
    let n = items.len();
    let mut out = Vec::with_capacity(n * 3 + 1);
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(text(","));
            out.push(Doc::Line);
        }
        out.push(item);
    }
    if n > 1 {
        out.push(Doc::IfBreak(","));
    }
    out
}

/// `open` + indented `inner` + `close`, as one group.
fn parenthesized(open: &str, inner: Vec<Doc>, close: &str) -> Doc {
    let mut indented = Vec::with_capacity(inner.len() + 1);
    indented.push(Doc::SoftLine);
    indented.extend(inner);
    group(vec![
        text(open),
        Doc::Indent(indented),
        Doc::SoftLine,
        text(close),
    ])
}

/// A call `callee(args…)`; `callee()` without arguments.
pub(crate) fn call(callee: &str, args: Vec<Doc>) -> Doc {
    if args.is_empty() {
        return text(format!("{callee}()"));
    }
    parenthesized(
        &format!("{callee}("),
        vec![group(comma_separated(args))],
        ")",
    )
}

/// A keyword argument `name=value`.
pub(crate) fn kwarg(name: &str, value: Doc) -> Doc {
    Doc::Concat(vec![text(format!("{name}=")), value])
}

/// A list display.
pub(crate) fn list(items: Vec<Doc>) -> Doc {
    if items.is_empty() {
        return text("[]");
    }
    parenthesized("[", comma_separated(items), "]")
}

/// A tuple display (`(x,)` for one element).
pub(crate) fn tuple(items: Vec<Doc>) -> Doc {
    match items.len() {
        0 => text("()"),
        1 => {
            let mut inner = items;
            inner.push(text(","));
            parenthesized("(", inner, ")")
        }
        _ => parenthesized("(", comma_separated(items), ")"),
    }
}

/// A dict display of `key: value` entries.
pub(crate) fn dict(entries: Vec<(Doc, Doc)>) -> Doc {
    if entries.is_empty() {
        return text("{}");
    }
    let items = entries
        .into_iter()
        .map(|(k, v)| Doc::Concat(vec![k, text(": "), v]))
        .collect();
    parenthesized("{", comma_separated(items), "}")
}

/// A subscript `name[inner]` (one element).
pub(crate) fn subscript(name: &str, inner: Doc) -> Doc {
    parenthesized(&format!("{name}["), vec![inner], "]")
}

/// An annotation: `A | B` gets optional parentheses, anything else is text.
pub(crate) fn annotation(ann: &str) -> Doc {
    if ann.contains(" | ") {
        group(vec![
            Doc::IfBreak("("),
            Doc::Indent(vec![Doc::SoftLine, text(ann)]),
            Doc::SoftLine,
            Doc::IfBreak(")"),
        ])
    } else {
        text(ann)
    }
}

/// What ruff's assignment layouts distinguish in a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    /// A call with arguments: split inside its own parentheses first.
    Call,
    /// A list, tuple or dict display: only ever split inside its brackets.
    Collection,
    /// A name, attribute, number, string, `None`: cannot split.
    Atom,
}

fn value_kind(value: &Doc) -> ValueKind {
    match value {
        Doc::Group { docs, .. } => match docs.first() {
            Some(Doc::Text(t)) if t.len() > 1 && t.ends_with('(') => ValueKind::Call,
            _ => ValueKind::Collection,
        },
        _ => ValueKind::Atom,
    }
}

/// The text of `doc` laid out flat.
fn flat_text(doc: &Doc) -> String {
    match doc {
        Doc::Text(s) => s.clone(),
        Doc::Line => " ".into(),
        Doc::SoftLine | Doc::IfBreak(_) => String::new(),
        Doc::Indent(docs) | Doc::Concat(docs) | Doc::Group { docs, .. } => {
            docs.iter().map(flat_text).collect()
        }
        Doc::Choice(variants) => variants[0].1.iter().map(flat_text).collect(),
    }
}

fn expanded(doc: Doc) -> Doc {
    match doc {
        Doc::Group { docs, .. } => Doc::Group { docs, expand: true },
        other => other,
    }
}

/// `target: annotation = value` (no annotation: `target = value`; no
/// value: `target: annotation`), laid out as ruff lays out assignments
/// (`FormatStatementsLastExpression`):
///
/// - Everything on one line when it fits.
/// - A call is split inside its own parentheses when the line up to them
///   fits.
/// - Else the value goes in parentheses of its own (`= (` … `)`). After an
///   annotation that can split (`Mapped[…]`, `A | None`), as soon as the line
///   up to `(` fits; after a name or an annotation that cannot split, only
///   when every line then fits.
/// - Else, after an annotation that can split, the annotation is split and
///   the value follows as it comes; otherwise the value as it comes.
///
/// A collection is only ever split inside its own brackets.
pub(crate) fn assign(target: &str, annotation: Option<Doc>, value: Option<Doc>) -> Doc {
    let head = match &annotation {
        Some(_) => format!("{target}: "),
        None => target.to_string(),
    };
    let Some(value) = value else {
        // `target: annotation`: the annotation in optional parentheses.
        let mut docs = vec![text(head)];
        docs.extend(annotation);
        return Doc::Concat(docs);
    };
    let line = |ann: Option<Doc>, rest: Vec<Doc>| {
        let mut docs = vec![text(head.clone())];
        docs.extend(ann);
        docs.push(text(" = "));
        docs.extend(rest);
        docs
    };
    let kind = value_kind(&value);
    if kind == ValueKind::Collection {
        return Doc::Concat(line(annotation, vec![value]));
    }
    let splittable = matches!(annotation, Some(Doc::Group { .. }));
    let parenthesized = vec![
        text("("),
        Doc::Group {
            docs: vec![
                Doc::Indent(vec![Doc::SoftLine, value.clone()]),
                Doc::SoftLine,
            ],
            expand: true,
        },
        text(")"),
    ];
    // Every layout but the last keeps the annotation on one line.
    let flat_annotation = annotation.as_ref().map(|a| text(flat_text(a)));
    let mut variants = vec![(
        Fit::Flat,
        line(flat_annotation.clone(), vec![value.clone()]),
    )];
    if kind == ValueKind::Call {
        variants.push((
            Fit::FirstLine,
            line(flat_annotation.clone(), vec![expanded(value.clone())]),
        ));
    }
    let parens_fit = if splittable {
        Fit::FirstLine
    } else {
        Fit::AllLines
    };
    variants.push((parens_fit, line(flat_annotation, parenthesized)));
    let last_annotation = if splittable {
        annotation.map(expanded)
    } else {
        annotation
    };
    variants.push((Fit::Always, line(last_annotation, vec![value])));
    Doc::Choice(variants)
}

/// When a layout of [`Doc::Choice`] is taken, judged on the lines it prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// It prints as one line, which fits.
    Flat,
    /// Its first line fits.
    FirstLine,
    /// Every line fits.
    AllLines,
    /// Taken when no layout before it is.
    Always,
}

// ---------------------------------------------------------------------------
// The printer

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

struct Cmd<'a> {
    indent: usize,
    mode: Mode,
    doc: &'a Doc,
}

/// Whether a group must break: it is marked `expand`, or holds one that is.
fn must_break(doc: &Doc) -> bool {
    match doc {
        Doc::Group { docs, expand } => *expand || docs.iter().any(must_break),
        Doc::Indent(docs) | Doc::Concat(docs) => docs.iter().any(must_break),
        Doc::Choice(_) | Doc::Text(_) | Doc::SoftLine | Doc::Line | Doc::IfBreak(_) => false,
    }
}

fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Lays `doc` out starting at column `indent` (written first); lines end
/// with `\n`.
pub(crate) fn print(out: &mut String, indent: usize, doc: &Doc) {
    for _ in 0..indent {
        out.push(' ');
    }
    layout(out, indent, indent, std::slice::from_ref(doc));
    out.push('\n');
}

/// Lays `docs` out from column `column`, line breaks indented by `indent`
/// (and deeper inside [`Doc::Indent`]).
fn layout(out: &mut String, indent: usize, mut column: usize, docs: &[Doc]) {
    let mut stack: Vec<Cmd<'_>> = Vec::new();
    push_all(&mut stack, indent, Mode::Break, docs);
    while let Some(cmd) = stack.pop() {
        match cmd.doc {
            Doc::Text(s) => {
                out.push_str(s);
                column += width(s);
            }
            Doc::SoftLine | Doc::Line => {
                if cmd.mode == Mode::Flat {
                    if matches!(cmd.doc, Doc::Line) {
                        out.push(' ');
                        column += 1;
                    }
                } else {
                    while out.ends_with(' ') {
                        out.pop();
                    }
                    out.push('\n');
                    for _ in 0..cmd.indent {
                        out.push(' ');
                    }
                    column = cmd.indent;
                }
            }
            Doc::IfBreak(s) => {
                if cmd.mode == Mode::Break {
                    out.push_str(s);
                    column += width(s);
                }
            }
            Doc::Indent(docs) => push_all(&mut stack, cmd.indent + INDENT, cmd.mode, docs),
            Doc::Concat(docs) => push_all(&mut stack, cmd.indent, cmd.mode, docs),
            Doc::Group { docs, .. } => {
                // Flat inside a flat parent; else flat when it fits up to the
                // next possible break.
                let flat = !must_break(cmd.doc)
                    && (cmd.mode == Mode::Flat
                        || fits(
                            docs,
                            Mode::Flat,
                            &stack,
                            LINE_LENGTH as isize - column as isize,
                        ));
                let mode = if flat { Mode::Flat } else { Mode::Break };
                push_all(&mut stack, cmd.indent, mode, docs);
            }
            Doc::Choice(variants) => {
                // A statement's layouts: the rest of the line is empty.
                let chosen = variants
                    .iter()
                    .find(|(fit, docs)| {
                        if *fit == Fit::Always {
                            return true;
                        }
                        let mut trial = String::new();
                        layout(&mut trial, cmd.indent, column, docs);
                        let mut lines = trial.split('\n');
                        let first = lines.next().unwrap_or("");
                        let first_fits = column + width(first) <= LINE_LENGTH;
                        match fit {
                            Fit::Flat => first_fits && !trial.contains('\n'),
                            Fit::FirstLine => first_fits,
                            _ => first_fits && lines.all(|l| width(l) <= LINE_LENGTH),
                        }
                    })
                    .unwrap_or(&variants[variants.len() - 1]);
                push_all(&mut stack, cmd.indent, Mode::Break, &chosen.1);
            }
        }
    }
}

fn push_all<'a>(stack: &mut Vec<Cmd<'a>>, indent: usize, mode: Mode, docs: &'a [Doc]) {
    for doc in docs.iter().rev() {
        stack.push(Cmd { indent, mode, doc });
    }
}

/// Prettier's `fits`: `docs` in `mode`, then the rest of the stack in the
/// modes it was pushed with, until the first line break (true) or the width
/// is exceeded (false).
fn fits(docs: &[Doc], mode: Mode, rest: &[Cmd<'_>], mut remaining: isize) -> bool {
    let mut todo: Vec<(Mode, &Doc)> = docs.iter().rev().map(|d| (mode, d)).collect();
    let mut rest_index = rest.len();
    loop {
        let Some((mode, doc)) = todo.pop() else {
            if rest_index == 0 {
                return true;
            }
            rest_index -= 1;
            let cmd = &rest[rest_index];
            todo.push((cmd.mode, cmd.doc));
            continue;
        };
        match doc {
            Doc::Text(s) => {
                remaining -= width(s) as isize;
                if remaining < 0 {
                    return false;
                }
            }
            Doc::SoftLine | Doc::Line => {
                if mode == Mode::Break {
                    return true;
                }
                if matches!(doc, Doc::Line) {
                    remaining -= 1;
                    if remaining < 0 {
                        return false;
                    }
                }
            }
            Doc::IfBreak(s) => {
                if mode == Mode::Break {
                    remaining -= width(s) as isize;
                    if remaining < 0 {
                        return false;
                    }
                }
            }
            Doc::Indent(docs) | Doc::Concat(docs) => {
                todo.extend(docs.iter().rev().map(|d| (mode, d)));
            }
            Doc::Group { docs, .. } => {
                let mode = if must_break(doc) { Mode::Break } else { mode };
                todo.extend(docs.iter().rev().map(|d| (mode, d)));
            }
            Doc::Choice(variants) => {
                // Measured by its first (flattest) layout.
                todo.extend(variants[0].1.iter().rev().map(|d| (Mode::Flat, d)));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Literals, docstrings, comments, imports

/// A string literal as ruff writes it: double quotes, unless the text holds
/// more double than single quotes; `\`, the quote, line breaks, tabs and
/// other control characters escaped (hex digits in lower case).
pub(crate) fn string(s: &str) -> String {
    let doubles = s.matches('"').count();
    let singles = s.matches('\'').count();
    let quote = if doubles > singles { '\'' } else { '"' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_invisible(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Characters written as escapes: line and paragraph separators, the BOM,
/// bidirectional controls (ruff's checks flag them in source).
fn is_invisible(c: char) -> bool {
    matches!(
        c as u32,
        0x80..=0x9f | 0x2028 | 0x2029 | 0xfeff | 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069
    )
}

/// A docstring at `indent` (with its indentation and line break), or
/// nothing when `doc` has no visible text. Lines keep their text; trailing
/// whitespace, leading and trailing blank lines and the common indentation
/// of the continuation lines go (ruff would remove them), tabs become four
/// spaces, `\` and `"` are escaped, control characters become spaces.
pub(crate) fn docstring(out: &mut String, indent: usize, doc: &str) {
    let lines = doc_lines(doc);
    if lines.is_empty() {
        return;
    }
    let pad = " ".repeat(indent);
    let mut body = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            body.push('\n');
            if !line.is_empty() {
                body.push_str(&pad);
            }
        }
        body.push_str(line);
    }
    out.push_str(&pad);
    out.push_str("\"\"\"");
    out.push_str(&escape_doc(&body));
    if lines.len() > 1 {
        out.push('\n');
        out.push_str(&pad);
    }
    out.push_str("\"\"\"\n");
}

/// The lines a docstring shows (see [`docstring`]).
fn doc_lines(doc: &str) -> Vec<String> {
    let mut lines: Vec<String> = doc
        .split('\n')
        .map(|l| {
            l.chars()
                .map(|c| match c {
                    '\t' => "    ".to_string(),
                    c if c.is_control() || is_invisible(c) => " ".to_string(),
                    c => c.to_string(),
                })
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect();
    while lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    if lines.is_empty() {
        return lines;
    }
    lines[0] = lines[0].trim_start().to_string();
    let common = lines[1..]
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    for line in lines.iter_mut().skip(1) {
        if !line.is_empty() {
            *line = line[common..].to_string();
        }
    }
    lines
}

/// `\\` doubled; a `"` escaped where it would touch the delimiters or
/// another quote (so no `"""` can appear).
fn escape_doc(body: &str) -> String {
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::with_capacity(body.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' if i == 0 || i + 1 == chars.len() || chars[i + 1] == '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

/// Text for a `#` comment: one line, no control characters.
pub(crate) fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || is_invisible(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Ruff's isort member classes: constants (`ALL_CAPS`), classes
/// (`CamelCase`), everything else.
fn member_type(name: &str) -> u8 {
    let cased_upper = name.len() > 1
        && name.chars().any(|c| c.is_alphabetic())
        && !name.chars().any(|c| c.is_lowercase());
    if cased_upper {
        0
    } else if name.starts_with(|c: char| c.is_uppercase()) {
        1
    } else {
        2
    }
}

/// Natural order (digit runs compared by value), as ruff's isort sorts.
pub(crate) fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let na = trim_zeros(&a[..da]);
                let nb = trim_zeros(&b[..db]);
                let ord = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let n = digits.iter().take_while(|&&c| c == b'0').count();
    &digits[n.min(digits.len().saturating_sub(1))..]
}

/// The order of imported names in ruff's isort (`order-by-type`,
/// case-insensitive, natural order).
pub(crate) fn member_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (x, y) = (strip_alias(a), strip_alias(b));
    member_type(x)
        .cmp(&member_type(y))
        .then_with(|| natural_cmp(&x.to_lowercase(), &y.to_lowercase()))
        .then_with(|| natural_cmp(x, y))
        .then_with(|| a.cmp(b))
}

/// Sorts imported names as ruff's isort does.
pub(crate) fn sort_members(names: &mut [String]) {
    names.sort_by(|a, b| member_cmp(a, b));
}

fn strip_alias(member: &str) -> &str {
    member.split(" as ").next().unwrap_or(member)
}

/// `from module import a, b` at `indent`, wrapped as isort wraps it:
/// one name per line with a trailing comma when the line is too long.
pub(crate) fn import_from(out: &mut String, indent: usize, module: &str, names: &[String]) {
    let pad = " ".repeat(indent);
    let flat = format!("{pad}from {module} import {}", names.join(", "));
    if width(&flat) <= LINE_LENGTH {
        out.push_str(&flat);
        out.push('\n');
        return;
    }
    out.push_str(&format!("{pad}from {module} import (\n"));
    for name in names {
        out.push_str(&format!("{pad}    {name},\n"));
    }
    out.push_str(&format!("{pad})\n"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(doc: &Doc, indent: usize) -> String {
        let mut s = String::new();
        print(&mut s, indent, doc);
        s
    }

    #[test]
    fn calls_break_like_ruff() {
        let doc = assign(
            "short",
            Some(subscript("Mapped", text("int"))),
            Some(call(
                "mapped_column",
                vec![
                    text(string("short")),
                    text("Integer"),
                    kwarg("nullable", text("False")),
                    kwarg("server_default", call("text", vec![text(string("0"))])),
                    kwarg(
                        "comment",
                        text(string("a long comment that goes past the limit")),
                    ),
                ],
            )),
        );
        assert_eq!(
            render(&doc, 4),
            "    short: Mapped[int] = mapped_column(\n        \"short\",\n        Integer,\n        nullable=False,\n        server_default=text(\"0\"),\n        comment=\"a long comment that goes past the limit\",\n    )\n"
        );
        let doc = assign(
            "x",
            None,
            Some(tuple(vec![
                call("UniqueConstraint", vec![text("\"a\"")]),
                call("UniqueConstraint", vec![text("\"b\"")]),
            ])),
        );
        assert_eq!(
            render(&doc, 4),
            "    x = (UniqueConstraint(\"a\"), UniqueConstraint(\"b\"))\n"
        );
    }

    #[test]
    fn values_without_brackets_choose_the_best_fit() {
        let name = "a".repeat(54);
        let doc = assign(
            &name,
            Some(annotation("datetime.datetime | None")),
            Some(text("None")),
        );
        assert_eq!(
            render(&doc, 4),
            format!("    {name}: datetime.datetime | None = (\n        None\n    )\n")
        );
        let name = "a".repeat(83);
        let doc = assign(
            &name,
            Some(annotation("Decimal | None")),
            Some(text("None")),
        );
        assert_eq!(
            render(&doc, 4),
            format!("    {name}: (\n        Decimal | None\n    ) = None\n")
        );
    }

    #[test]
    fn strings_choose_quotes_like_ruff() {
        assert_eq!(string("it's \"ours\" \\ all"), r#"'it\'s "ours" \\ all'"#);
        assert_eq!(string("it's"), r#""it's""#);
        assert_eq!(string("a\u{1b}b\n"), r#""a\x1bb\n""#);
    }

    #[test]
    fn natural_order() {
        let mut v: Vec<String> = [
            "Table10",
            "Table2",
            "TYPE_CHECKING",
            "Any",
            "mapped_column",
            "Mapped",
        ]
        .map(String::from)
        .to_vec();
        sort_members(&mut v);
        assert_eq!(
            v,
            [
                "TYPE_CHECKING",
                "Any",
                "Mapped",
                "Table2",
                "Table10",
                "mapped_column"
            ]
        );
    }
}
