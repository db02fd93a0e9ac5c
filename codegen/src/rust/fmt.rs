//! Writing Rust text exactly as rustfmt (edition 2021, default config) lays it out.
//!
//! The renderer only produces a few shapes of code: doc comments, attributes
//! whose content is a meta item tree (`nzc(foreign_key(name = "…", columns("a")))`),
//! named struct fields and unit enum variants. Everything but attributes has a
//! fixed layout; attributes follow rustfmt's list rules, ported here from
//! rustfmt's `attr.rs`, `overflow.rs` and `lists.rs` for exactly the meta items
//! used (words, `name = "literal"`, lists; no comments, block indent style):
//!
//! - a list goes on one line when its items are single-line and fit both the
//!   line and `attr_fn_like_width` (70);
//! - a list with one meta item may "overflow" that item: `nzc(unique(` stays on
//!   the first line and the inner list is broken instead;
//! - otherwise one item per line, indented by 4, without a trailing comma;
//!   lists made only of short literals (≤ 10 bytes) are packed ("mixed");
//! - when nothing fits, rustfmt keeps the attribute as written: one line.
//!
//! Widths are `unicode-width` widths, as in rustfmt.

use unicode_width::UnicodeWidthStr;

/// rustfmt's `max_width`.
pub(crate) const MAX_WIDTH: usize = 100;
/// rustfmt's `tab_spaces`.
const TAB: usize = 4;
/// rustfmt's `attr_fn_like_width` (default heuristics: 70% of `max_width`).
const ATTR_FN_LIKE_WIDTH: usize = 70;
/// rustfmt's `short_array_element_width_threshold`.
const SHORT_ITEM: usize = 10;

/// A meta item: the content of an attribute.
#[derive(Debug, Clone)]
pub(crate) enum Meta {
    /// `primary_key`
    Word(&'static str),
    /// `column = "cityId"` (the literal as written, quotes included)
    NameValue(&'static str, String),
    /// `columns("a", "b")`
    List(&'static str, Vec<Nested>),
}

/// An item of a meta list.
#[derive(Debug, Clone)]
pub(crate) enum Nested {
    Meta(Meta),
    /// A string literal as written, quotes included.
    Lit(String),
}

impl Nested {
    pub(crate) fn word(name: &'static str) -> Nested {
        Nested::Meta(Meta::Word(name))
    }

    pub(crate) fn name_value(name: &'static str, value: &str) -> Nested {
        Nested::Meta(Meta::NameValue(name, str_lit(value)))
    }

    pub(crate) fn list(name: &'static str, items: Vec<Nested>) -> Nested {
        Nested::Meta(Meta::List(name, items))
    }

    pub(crate) fn lits<'a>(
        name: &'static str,
        values: impl IntoIterator<Item = &'a String>,
    ) -> Nested {
        Nested::list(
            name,
            values
                .into_iter()
                .map(|v| Nested::Lit(str_lit(v)))
                .collect(),
        )
    }
}

/// A Rust string literal for `value`: quotes, backslashes and everything
/// that is not printable (control, bidi, combining characters) escaped.
pub(crate) fn str_lit(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    if value
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
    {
        out.push_str(value);
        out.push('"');
        return out;
    }
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\'' => out.push('\''),
            c => out.extend(c.escape_debug()),
        }
    }
    out.push('"');
    out
}

/// Writes `text` as doc comment lines (`marker` is `///` or `//!`), each
/// prefixed by `indent`. Line breaks in the text (`\n`, `\r\n`, `\r`) start a
/// new comment line, so no text can leave the comment; control and bidi
/// characters are dropped (rustc rejects them); trailing whitespace and
/// leading/trailing blank lines are removed, as rustfmt would.
pub(crate) fn write_doc(out: &mut String, indent: &str, marker: &str, text: &str) {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = text.split('\n').map(sanitize_comment).collect();
    let first = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(first, |i| i + 1);
    for line in &lines[first..end] {
        out.push_str(indent);
        out.push_str(marker);
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// One comment line: no control characters (tabs kept), no bidi controls,
/// no trailing whitespace.
pub(crate) fn sanitize_comment(line: &str) -> String {
    let cleaned: String = line
        .chars()
        .filter(|c| !is_bidi_control(*c))
        .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
        .collect();
    cleaned.trim_end().to_string()
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Writes the attribute `#[meta]` at `indent` (followed by a newline).
/// `width` is the width rustfmt gives the attribute (line width minus indent,
/// minus 1 for struct fields, whose trailing comma is reserved).
pub(crate) fn write_attr(out: &mut String, indent: usize, width: usize, meta: &Meta) {
    push_spaces(out, indent);
    let shape = Shape {
        width,
        indent,
        alignment: 0,
        offset: 0,
    };
    // Fast path (most attributes): a list of words, `name = "…"` and literals
    // that rustfmt keeps on one line — the rules of `rewrite_with_parens` for
    // flat items, without building the alternatives.
    if let Meta::List(name, items) = meta {
        if items.iter().all(is_flat) {
            let total: usize =
                items.iter().map(flat_width).sum::<usize>() + 2 * items.len().saturating_sub(1);
            // `#[` + name + `(` … `)` + `]`
            let one_line_width = width.saturating_sub(2 + 1 + name.len() + 2);
            let fits = if items.len() == 1 {
                total <= one_line_width
            } else {
                total <= one_line_width.min(ATTR_FN_LIKE_WIDTH)
            };
            if fits {
                out.push_str("#[");
                one_line(out, meta);
                out.push_str("]\n");
                return;
            }
        }
    }
    match shape.offset_left(2).and_then(|s| rewrite_meta(meta, s)) {
        Some(text) => {
            out.push_str("#[");
            out.push_str(&text);
            out.push(']');
        }
        None => {
            // rustfmt keeps what it cannot format: the one-line form.
            out.push_str("#[");
            one_line(out, meta);
            out.push(']');
        }
    }
    out.push('\n');
}

/// Writes a named struct field `pub name: ty,` at indent 4; rustfmt moves the
/// type to the next line (indent 8) when the field does not fit in 100 columns.
pub(crate) fn write_field(out: &mut String, name: &str, ty: &str) {
    // 4 (indent) + "pub " + name + ": " + ty + ","
    let one_line = 4 + 4 + name.width() + 2 + ty.width() + 1;
    out.push_str("    pub ");
    out.push_str(name);
    if one_line <= MAX_WIDTH {
        out.push_str(": ");
    } else {
        out.push_str(":\n        ");
    }
    out.push_str(ty);
    out.push_str(",\n");
}

pub(crate) fn push_spaces(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

/// The one-line form of a meta item.
fn one_line(out: &mut String, meta: &Meta) {
    match meta {
        Meta::Word(name) => out.push_str(name),
        Meta::NameValue(name, lit) => {
            out.push_str(name);
            out.push_str(" = ");
            out.push_str(lit);
        }
        Meta::List(name, items) => {
            out.push_str(name);
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match item {
                    Nested::Meta(m) => one_line(out, m),
                    Nested::Lit(lit) => out.push_str(lit),
                }
            }
            out.push(')');
        }
    }
}

// ---------------------------------------------------------------------------
// The port of rustfmt's algorithm.

/// rustfmt's `Shape` (with its `Indent` flattened: `indent` is the block
/// indent, `alignment` the visual one).
#[derive(Debug, Clone, Copy)]
struct Shape {
    width: usize,
    indent: usize,
    alignment: usize,
    offset: usize,
}

impl Shape {
    fn sub_width(self, w: usize) -> Option<Shape> {
        Some(Shape {
            width: self.width.checked_sub(w)?,
            ..self
        })
    }

    fn offset_left(self, w: usize) -> Option<Shape> {
        Shape {
            offset: self.offset + w,
            ..self
        }
        .sub_width(w)
    }

    fn shrink_left(self, w: usize) -> Option<Shape> {
        Some(Shape {
            width: self.width.checked_sub(w)?,
            alignment: self.alignment + w,
            offset: self.offset + w,
            ..self
        })
    }

    fn block(self) -> Shape {
        Shape {
            alignment: 0,
            ..self
        }
    }

    fn block_indent(self, extra: usize) -> Shape {
        if self.alignment == 0 {
            Shape {
                indent: self.indent + extra,
                offset: 0,
                ..self
            }
        } else {
            Shape {
                alignment: self.alignment + extra,
                offset: self.alignment + extra,
                ..self
            }
        }
    }

    fn with_max_width(self) -> Shape {
        Shape {
            width: MAX_WIDTH.saturating_sub(self.indent + self.alignment),
            ..self
        }
    }

    fn indent_width(self) -> usize {
        self.indent + self.alignment
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tactic {
    Horizontal,
    Vertical,
    Mixed,
}

fn first_line_width(s: &str) -> usize {
    s.split('\n').next().unwrap_or("").width()
}

fn last_line_width(s: &str) -> usize {
    s.rsplit('\n').next().unwrap_or("").width()
}

/// `ast::MetaItem::rewrite`.
fn rewrite_meta(meta: &Meta, shape: Shape) -> Option<String> {
    match meta {
        Meta::Word(name) => rewrite_path(name, shape).map(str::to_string),
        Meta::NameValue(name, lit) => {
            rewrite_path(name, shape)?;
            // 3 = ` = `; the literal itself falls back to its snippet.
            shape.shrink_left(name.len() + 3)?;
            let mut s = String::with_capacity(name.len() + 3 + lit.len());
            s.push_str(name);
            s.push_str(" = ");
            s.push_str(lit);
            Some(s)
        }
        Meta::List(name, items) => {
            rewrite_path(name, shape)?;
            // 1 = "]"
            rewrite_with_parens(name, items, shape.sub_width(1)?)
        }
    }
}

/// `rewrite_path` for a single-segment path.
fn rewrite_path(name: &'static str, shape: Shape) -> Option<&'static str> {
    (name.len() <= shape.width).then_some(name)
}

/// `ast::NestedMetaItem::rewrite`; string literals go through `wrap_str`.
fn rewrite_nested(item: &Nested, shape: Shape) -> Option<String> {
    match item {
        Nested::Meta(meta) => rewrite_meta(meta, shape),
        Nested::Lit(lit) => (lit.width() <= shape.width).then(|| lit.clone()),
    }
}

/// An item without a nested list.
fn is_flat(item: &Nested) -> bool {
    !matches!(item, Nested::Meta(Meta::List(..)))
}

/// The one-line width of a flat item.
fn flat_width(item: &Nested) -> usize {
    match item {
        Nested::Meta(Meta::Word(name)) => name.len(),
        Nested::Meta(Meta::NameValue(name, lit)) => name.len() + 3 + lit.width(),
        Nested::Meta(Meta::List(..)) => unreachable!("not flat"),
        Nested::Lit(lit) => lit.width(),
    }
}

fn is_simple(item: &Nested) -> bool {
    matches!(item, Nested::Lit(_) | Nested::Meta(Meta::Word(_)))
}

/// `overflow::rewrite_with_parens` with `item_max_width = attr_fn_like_width`
/// and `force_separator_tactic = Never`.
fn rewrite_with_parens(ident: &str, items: &[Nested], shape: Shape) -> Option<String> {
    // Context::new
    let used_width = ident.len();
    let one_line_width = shape.width.saturating_sub(used_width + 2);
    let one_line_shape = shape
        .offset_left(ident.len() + 1)
        .and_then(|s| s.sub_width(1))
        .unwrap_or(Shape { width: 0, ..shape });
    let nested_shape = {
        let s = shape.block().block_indent(TAB).with_max_width();
        // 1 = ","
        Shape {
            width: s.width.saturating_sub(1),
            ..s
        }
    };

    // itemize_list (the last item is left for try_overflow_last_item)
    let n = items.len();
    let mut list: Vec<Option<String>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if i + 1 == n {
                Some(String::new())
            } else {
                rewrite_nested(item, nested_shape)
            }
        })
        .collect();

    // try_overflow_last_item
    let overflow_last = n == 1 && matches!(items[0], Nested::Meta(_));
    let placeholder = if overflow_last {
        // last_item_shape: a single item gets the whole one-line shape.
        rewrite_nested(&items[0], one_line_shape).inspect(|rewrite| {
            list[0] = Some(rewrite.split('\n').next().unwrap_or("").to_string());
        })
    } else {
        None
    };
    let mut tactic = definitive_tactic(&list, ATTR_FN_LIKE_WIDTH.min(one_line_width));
    match (overflow_last, tactic, placeholder) {
        (true, Tactic::Horizontal, Some(overflowed)) => {
            if overflowed.matches('\n').count() == 1 {
                let rw = rewrite_nested(&items[0], nested_shape);
                list[0] = match rw {
                    Some(rw) if !rw.contains('\n') => Some(rw),
                    _ => Some(overflowed),
                };
            } else {
                list[0] = Some(overflowed);
            }
        }
        _ if n > 0 => {
            list[n - 1] = rewrite_nested(&items[n - 1], nested_shape);
            let first = list[0].as_deref().unwrap_or("");
            if n == 1
                && one_line_width != 0
                && !first.contains('\n')
                && first.width() <= one_line_width
            {
                tactic = Tactic::Horizontal;
            } else {
                tactic = definitive_tactic(&list, ATTR_FN_LIKE_WIDTH.min(one_line_width));
                if tactic == Tactic::Vertical
                    && items.iter().all(is_simple)
                    && list
                        .iter()
                        .all(|i| i.as_deref().unwrap_or("").len() <= SHORT_ITEM)
                {
                    tactic = Tactic::Mixed;
                }
            }
        }
        _ => {}
    }

    // rewrite_items
    let ends_with_newline = matches!(tactic, Tactic::Vertical | Tactic::Mixed);
    let items_str = write_list(&list, tactic, nested_shape, ends_with_newline)?;

    // wrap_items
    let is_extendable = tactic == Tactic::Horizontal;
    let wrap_width = shape.width.saturating_sub(last_line_width(ident));
    let extend_width = if items_str.is_empty() {
        2
    } else {
        first_line_width(&items_str) + 1
    };
    let mut result = String::with_capacity(ident.len() + items_str.len() + 2 * shape.indent + 16);
    result.push_str(ident);
    result.push('(');
    if is_extendable && extend_width <= wrap_width {
        result.push_str(&items_str);
    } else {
        if !items_str.is_empty() {
            result.push('\n');
            push_spaces(&mut result, nested_shape.indent_width());
            result.push_str(&items_str);
        }
        result.push('\n');
        push_spaces(&mut result, shape.block().indent_width());
    }
    result.push(')');
    Some(result)
}

/// `lists::definitive_tactic` for `LimitedHorizontalVertical` (`limit` already
/// the minimum of the width and the item limit).
fn definitive_tactic(list: &[Option<String>], limit: usize) -> Tactic {
    let mut total = 0;
    let mut multiline = false;
    for item in list {
        let s = item.as_deref().unwrap_or("");
        total += s.width();
        multiline |= s.contains('\n');
    }
    total += 2 * list.len().saturating_sub(1);
    if total <= limit && !multiline {
        Tactic::Horizontal
    } else {
        Tactic::Vertical
    }
}

/// `lists::write_list` with separator `,`, trailing separator `Never`, no comments.
fn write_list(
    list: &[Option<String>],
    tactic: Tactic,
    shape: Shape,
    ends_with_newline: bool,
) -> Option<String> {
    let mut trailing_separator = false;
    let mut result = String::with_capacity(128);
    let mut line_len = 0;
    let n = list.len();
    for (i, item) in list.iter().enumerate() {
        let inner = item.as_deref()?;
        let first = i == 0;
        let last = i + 1 == n;
        let mut separate = !last || trailing_separator;
        let item_sep_len = usize::from(separate);
        if inner.is_empty() {
            continue;
        }
        match tactic {
            Tactic::Horizontal if !first => result.push(' '),
            Tactic::Vertical if !first && !result.is_empty() => {
                result.push('\n');
                push_spaces(&mut result, shape.indent_width());
            }
            Tactic::Mixed => {
                let total_width = inner.width() + item_sep_len;
                if line_len > 0 && line_len + 1 + total_width > shape.width {
                    result.push('\n');
                    push_spaces(&mut result, shape.indent_width());
                    line_len = 0;
                    if ends_with_newline {
                        trailing_separator = true;
                    }
                } else if line_len > 0 {
                    result.push(' ');
                    line_len += 1;
                }
                if last && ends_with_newline {
                    separate = false;
                }
                line_len += total_width;
            }
            _ => {}
        }
        result.push_str(inner);
        if separate {
            result.push(',');
        }
    }
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(indent: usize, width: usize, meta: Meta) -> String {
        let mut out = String::new();
        write_attr(&mut out, indent, width, &meta);
        out
    }

    #[test]
    fn short_attribute_stays_on_one_line() {
        let meta = Meta::List(
            "nzc",
            vec![
                Nested::word("primary_key"),
                Nested::name_value("column", "cityId"),
            ],
        );
        assert_eq!(
            attr(4, 95, meta),
            "    #[nzc(primary_key, column = \"cityId\")]\n"
        );
    }

    #[test]
    fn single_list_item_overflows() {
        let cols = ["cityId", "year", "sectorId", "scope", "ghgType"].map(String::from);
        let meta = Meta::List(
            "nzc",
            vec![Nested::list(
                "unique",
                vec![
                    Nested::name_value("name", "uq_EmissionRecord_cityId"),
                    Nested::lits("columns", &cols),
                ],
            )],
        );
        assert_eq!(
            attr(0, 100, meta),
            "#[nzc(unique(\n    name = \"uq_EmissionRecord_cityId\",\n    \
             columns(\"cityId\", \"year\", \"sectorId\", \"scope\", \"ghgType\")\n))]\n"
        );
    }

    #[test]
    fn string_literals_are_escaped() {
        assert_eq!(
            str_lit("a\"b\\c'd\ne\u{202e}"),
            "\"a\\\"b\\\\c'd\\ne\\u{202e}\""
        );
    }

    #[test]
    fn doc_lines_cannot_escape() {
        let mut out = String::new();
        write_doc(
            &mut out,
            "",
            "///",
            "\n\nfirst */ line  \r\nsecond\rthird\n\n\n",
        );
        assert_eq!(out, "/// first */ line\n/// second\n/// third\n");
    }
}
