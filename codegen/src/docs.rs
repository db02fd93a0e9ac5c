//! Markdown documentation of the schema (`nzc docs`), the kind GitHub renders (like tbls):
//!
//! - `README.md`: the index — the diagram of every table (`diagram.svg`), the groups with
//!   their tables (notes, column counts) and the enums;
//! - `tables/<stem>.md`, one page per table: columns (name, type, nullable, default,
//!   notes), primary key, unique keys (`NULLS NOT DISTINCT` when set), checks, indexes,
//!   the foreign keys it has and the ones that reference it, each a link to the other
//!   table's page and column; and `tables/<stem>.svg`, the diagram of the table and its
//!   neighbours ([`svg::render`] with [`Focus::Table`]), embedded in the page;
//! - `enums.md` (only when the schema has enums): each enum's values and the columns that
//!   use it.
//!
//! Every anchor a link points at is written explicitly (`<a id="column-cityId"></a>`,
//! `enum-<name>`, `group-<slug>`), so links do not depend on a renderer's heading slugs.
//! Every file starts with the [`nzc_types::contract::GENERATED_MARKER`] in a comment (an
//! HTML comment in Markdown, an XML comment in the SVGs, after an XML declaration if the
//! renderer writes one): the CLI removes only files that carry it.
//!
//! Doc comments, names and SQL are literal text, never Markdown or HTML: Markdown's
//! punctuation is backslash-escaped, `<` and `&` are entities; in table cells `|` is `\|`
//! (in code spans too, as GitHub reads it) and a newline is `<br>` (code spans are split at
//! newlines). Output is deterministic.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use nzc_dsl::{ColumnType, Schema, Table};

use crate::svg::{self, Focus};
use crate::GeneratedFile;

/// The index page, at the root of the output directory.
pub const INDEX: &str = "README.md";
/// The diagram of every table, next to the index.
pub const DIAGRAM: &str = "diagram.svg";
/// The page of the enums (written only when the schema has enums).
pub const ENUMS: &str = "enums.md";
/// The directory of the table pages and their diagrams.
pub const TABLES_DIR: &str = "tables";

/// What the documentation says about where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The schema file's name as shown in the header (`schema.nzc`).
    pub source_name: String,
}

/// The files of the documentation, paths relative to the output directory (`/`-separated):
/// [`INDEX`], [`DIAGRAM`], [`ENUMS`] if there are enums, then per table (declaration order)
/// its page and its diagram.
///
/// # Panics
/// When the SVG renderer rejects a focus built from the schema itself (a bug).
#[must_use]
pub fn render(schema: &Schema, options: &Options) -> Vec<GeneratedFile> {
    let docs = Docs::new(schema, options);
    let mut files = Vec::with_capacity(3 + 2 * schema.tables.len());
    files.push(GeneratedFile {
        path: INDEX.to_string(),
        contents: docs.index(),
    });
    files.push(docs.svg(DIAGRAM.to_string(), &Focus::All));
    if !schema.enums.is_empty() {
        files.push(GeneratedFile {
            path: ENUMS.to_string(),
            contents: docs.enums(),
        });
    }
    for (t, stem) in schema.tables.iter().zip(&docs.stems) {
        files.push(GeneratedFile {
            path: format!("{TABLES_DIR}/{stem}.md"),
            contents: docs.table(t, stem),
        });
        files.push(docs.svg(
            format!("{TABLES_DIR}/{stem}.svg"),
            &Focus::Table(t.name.clone()),
        ));
    }
    files
}

/// The file stem of each table's page and diagram, in table order.
///
/// Identifiers are ASCII letters, digits and `_`, so a table's name is a safe file name
/// on every system except where it is not unique or is reserved: a name that equals
/// another one ignoring case (case-insensitive file systems) or is a Windows device name
/// (`con`, `nul`, `com1`, …) gets `-` and 8 hex digits of a hash of the exact name. No
/// identifier contains `-`, so a suffixed stem never equals a plain one. Deterministic.
#[must_use]
pub fn table_stems(schema: &Schema) -> Vec<String> {
    let mut folded: HashMap<String, usize> = HashMap::new();
    for t in &schema.tables {
        *folded.entry(t.name.to_ascii_lowercase()).or_default() += 1;
    }
    let mut taken = HashSet::new();
    schema
        .tables
        .iter()
        .map(|t| {
            let lower = t.name.to_ascii_lowercase();
            let base = if folded[&lower] > 1 || is_device_name(&lower) {
                format!("{}-{:08x}", t.name, fnv1a32(t.name.as_bytes()))
            } else {
                t.name.clone()
            };
            // Two hashes that collide (never seen, but cheap to rule out).
            let mut stem = base.clone();
            let mut n = 2;
            while !taken.insert(stem.to_ascii_lowercase()) {
                stem = format!("{base}-{n}");
                n += 1;
            }
            stem
        })
        .collect()
}

/// The anchor of a column on its table's page.
#[must_use]
pub fn column_anchor(column: &str) -> String {
    format!("column-{column}")
}

/// The anchor of an enum on [`ENUMS`].
#[must_use]
pub fn enum_anchor(name: &str) -> String {
    format!("enum-{name}")
}

/// Windows reserves these names (with any extension) in every directory.
fn is_device_name(lower: &str) -> bool {
    matches!(lower, "con" | "prn" | "aux" | "nul")
        || ((lower.starts_with("com") || lower.starts_with("lpt"))
            && lower.len() == 4
            && lower.as_bytes()[3].is_ascii_digit())
}

/// 32-bit FNV-1a: tiny, stable across versions and platforms.
fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The schema with the names computed once: file stems and group anchors.
struct Docs<'a> {
    schema: &'a Schema,
    /// The header comment (without the comment delimiters).
    header: String,
    source_name: &'a str,
    stems: Vec<String>,
    stem_of: HashMap<&'a str, usize>,
    group_anchor: HashMap<&'a str, String>,
}

/// The anchor of the tables outside every group, on the index.
const UNGROUPED_ANCHOR: &str = "ungrouped";

impl<'a> Docs<'a> {
    fn new(schema: &'a Schema, options: &'a Options) -> Self {
        let stems = table_stems(schema);
        let stem_of = schema
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.as_str(), i))
            .collect();
        let mut taken = HashSet::new();
        let group_anchor = schema
            .groups
            .iter()
            .map(|g| {
                let base = format!("group-{}", slug(&g.name));
                let mut anchor = base.clone();
                let mut n = 2;
                while !taken.insert(anchor.clone()) {
                    anchor = format!("{base}-{n}");
                    n += 1;
                }
                (g.name.as_str(), anchor)
            })
            .collect();
        // `--` may not appear inside an HTML or XML comment.
        let mut source = options.source_name.clone();
        while source.contains("--") {
            source = source.replace("--", "- -");
        }
        Docs {
            schema,
            header: format!(
                "{} from {source}. Do not edit: change the schema and run `nzc docs`.",
                nzc_types::contract::GENERATED_MARKER
            ),
            source_name: &options.source_name,
            stems,
            stem_of,
            group_anchor,
        }
    }

    /// The stem of a table's files (the IR guarantees every referenced table exists).
    fn stem(&self, table: &str) -> &str {
        &self.stems[self.stem_of[table]]
    }

    /// A link to a table's page, relative to `from` (the directory of the linking page).
    fn table_link(&self, table: &str, from: Dir) -> String {
        format!("[{}]({})", code(table, true), self.page(table, from))
    }

    fn page(&self, table: &str, from: Dir) -> String {
        let stem = self.stem(table);
        match from {
            Dir::Root => format!("{TABLES_DIR}/{stem}.md"),
            Dir::Tables => format!("{stem}.md"),
        }
    }

    /// Links to columns of `table` (`#column-…` on its own page when `own`).
    fn column_links(&self, table: &str, columns: &[String], from: Dir, own: bool) -> String {
        let page = if own {
            String::new()
        } else {
            self.page(table, from)
        };
        columns
            .iter()
            .map(|c| format!("[{}]({page}#{})", code(c, true), column_anchor(c)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn svg(&self, path: String, focus: &Focus) -> GeneratedFile {
        let svg = svg::render(self.schema, focus)
            .unwrap_or_else(|e| panic!("the SVG renderer rejected {focus:?} of the schema: {e}"));
        let comment = format!("<!-- {} -->\n", self.header);
        let contents = match svg.strip_prefix("<?xml").and_then(|_| svg.find("?>")) {
            Some(end) => {
                let (decl, rest) = svg.split_at(end + 2);
                let rest = rest.strip_prefix('\n').unwrap_or(rest);
                format!("{decl}\n{comment}{rest}")
            }
            None => format!("{comment}{svg}"),
        };
        GeneratedFile { path, contents }
    }

    fn start_page(&self) -> String {
        format!("<!-- {} -->\n\n", self.header)
    }

    // ----- the index ---------------------------------------------------------------------

    fn index(&self) -> String {
        let s = self.schema;
        let mut out = self.start_page();
        out.push_str("# Schema\n\n");
        let _ = writeln!(
            out,
            "The tables of {}: {}, {}, {}. Each table has a page with its columns, keys, \
             checks, indexes, references and a diagram of its neighbours.\n",
            code(self.source_name, false),
            count(s.tables.len(), "table", "tables"),
            count(s.groups.len(), "group", "groups"),
            count(s.enums.len(), "enum", "enums"),
        );
        let _ = writeln!(out, "![Diagram of every table]({DIAGRAM})\n");
        if !s.groups.is_empty() {
            out.push_str("## Groups\n\n");
            for g in &s.groups {
                let _ = writeln!(
                    out,
                    "### <a id=\"{}\"></a>{}\n",
                    self.group_anchor[g.name.as_str()],
                    text(&g.name, false)
                );
                if let Some(doc) = non_empty(g.doc.as_deref()) {
                    let _ = writeln!(out, "{}\n", prose(doc));
                }
                self.table_list(&mut out, g.tables.iter().map(String::as_str));
            }
        }
        let ungrouped: Vec<&str> = s
            .tables
            .iter()
            .filter(|t| t.group.is_none())
            .map(|t| t.name.as_str())
            .collect();
        if !ungrouped.is_empty() {
            let (level, title) = if s.groups.is_empty() {
                ("##", "Tables")
            } else {
                ("###", "Other tables")
            };
            let _ = writeln!(out, "{level} <a id=\"{UNGROUPED_ANCHOR}\"></a>{title}\n");
            self.table_list(&mut out, ungrouped.into_iter());
        }
        if !s.enums.is_empty() {
            out.push_str("## Enums\n\n");
            out.push_str("| Enum | Values | Used by | Notes |\n| --- | ---: | --- | --- |\n");
            for e in &s.enums {
                let used = self.enum_uses(&e.name, Dir::Root);
                row(
                    &mut out,
                    &[
                        format!(
                            "[{}]({ENUMS}#{})",
                            code(&e.name, true),
                            enum_anchor(&e.name)
                        ),
                        e.values.len().to_string(),
                        used,
                        cell_doc(e.doc.as_deref()),
                    ],
                );
            }
            out.push('\n');
        }
        finish(out)
    }

    fn table_list<'t>(&self, out: &mut String, tables: impl Iterator<Item = &'t str>) {
        out.push_str("| Table | Columns | Notes |\n| --- | ---: | --- |\n");
        for name in tables {
            let t = &self.schema.tables[self.stem_of[name]];
            row(
                out,
                &[
                    self.table_link(name, Dir::Root),
                    t.columns.len().to_string(),
                    cell_doc(t.doc.as_deref()),
                ],
            );
        }
        out.push('\n');
    }

    /// The columns of type `name`, as links (`Table.column`), comma-separated.
    fn enum_uses(&self, name: &str, from: Dir) -> String {
        let mut uses = Vec::new();
        for t in &self.schema.tables {
            for c in &t.columns {
                if matches!(&c.ty, ColumnType::Enum(e) if e == name) {
                    let page = self.page(&t.name, from);
                    uses.push(format!(
                        "[{}]({page}).[{}]({page}#{})",
                        code(&t.name, true),
                        code(&c.name, true),
                        column_anchor(&c.name)
                    ));
                }
            }
        }
        uses.join(", ")
    }

    // ----- the enums page ------------------------------------------------------------------

    fn enums(&self) -> String {
        let mut out = self.start_page();
        out.push_str("# Enums\n\n[Schema](README.md)\n\n");
        for e in &self.schema.enums {
            let _ = writeln!(
                out,
                "## <a id=\"{}\"></a>{}\n",
                enum_anchor(&e.name),
                text(&e.name, false)
            );
            if let Some(doc) = non_empty(e.doc.as_deref()) {
                let _ = writeln!(out, "{}\n", prose(doc));
            }
            out.push_str("Values:\n\n");
            for v in &e.values {
                let _ = writeln!(out, "- {}", code(v, false));
            }
            out.push('\n');
            let used = self.enum_uses(&e.name, Dir::Root);
            if used.is_empty() {
                out.push_str("Used by no column.\n\n");
            } else {
                let _ = writeln!(out, "Used by: {used}.\n");
            }
        }
        finish(out)
    }

    // ----- a table's page ------------------------------------------------------------------

    fn table(&self, t: &Table, stem: &str) -> String {
        let here = Dir::Tables;
        let mut out = self.start_page();
        let _ = writeln!(out, "# {}\n", text(&t.name, false));
        let _ = write!(out, "[Schema](../{INDEX})");
        match &t.group {
            Some(g) => {
                let _ = writeln!(
                    out,
                    " › [{}](../{INDEX}#{})\n",
                    text(g, false),
                    self.group_anchor[g.as_str()]
                );
            }
            None => {
                let _ = writeln!(out, " › [Other tables](../{INDEX}#{UNGROUPED_ANCHOR})\n");
            }
        }
        if let Some(doc) = non_empty(t.doc.as_deref()) {
            let _ = writeln!(out, "{}\n", prose(doc));
        }
        let _ = writeln!(
            out,
            "![{}, the tables it references and the tables that reference it]({stem}.svg)\n",
            text(&t.name, false)
        );

        out.push_str("## Columns\n\n");
        out.push_str(
            "| Column | Type | Nullable | Default | Notes |\n| --- | --- | --- | --- | --- |\n",
        );
        for c in &t.columns {
            let ty = match &c.ty {
                ColumnType::Scalar(s) => code(&s.pg(), true),
                ColumnType::Enum(e) => {
                    format!("[{}](../{ENUMS}#{})", code(e, true), enum_anchor(e))
                }
            };
            row(
                &mut out,
                &[
                    format!(
                        "<a id=\"{}\"></a>{}",
                        column_anchor(&c.name),
                        code(&c.name, true)
                    ),
                    ty,
                    if c.nullable { "yes" } else { "no" }.to_string(),
                    c.default
                        .as_ref()
                        .map_or_else(String::new, |d| code(&d.sql(), true)),
                    cell_doc(c.doc.as_deref()),
                ],
            );
        }
        out.push('\n');

        let own = |columns: &[String]| self.column_links(&t.name, columns, here, true);
        out.push_str("## Primary key\n\n| Name | Columns |\n| --- | --- |\n");
        row(
            &mut out,
            &[code(&t.primary_key.name, true), own(&t.primary_key.columns)],
        );
        out.push('\n');

        if !t.uniques.is_empty() {
            out.push_str("## Unique keys\n\n| Name | Columns | NULLs |\n| --- | --- | --- |\n");
            for u in &t.uniques {
                let nulls = if u.nulls_not_distinct {
                    "`NULLS NOT DISTINCT`"
                } else {
                    "distinct"
                };
                row(
                    &mut out,
                    &[code(&u.name, true), own(&u.columns), nulls.to_string()],
                );
            }
            out.push('\n');
        }

        if !t.checks.is_empty() {
            out.push_str("## Checks\n\n| Name | Expression |\n| --- | --- |\n");
            for c in &t.checks {
                row(&mut out, &[code(&c.name, true), code(&c.expr, true)]);
            }
            out.push('\n');
        }

        if !t.indexes.is_empty() {
            out.push_str("## Indexes\n\n| Name | Columns | Unique |\n| --- | --- | --- |\n");
            for i in &t.indexes {
                row(
                    &mut out,
                    &[
                        code(&i.name, true),
                        own(&i.columns),
                        if i.unique { "yes" } else { "no" }.to_string(),
                    ],
                );
            }
            out.push('\n');
        }

        if !t.foreign_keys.is_empty() {
            out.push_str(
                "## References\n\n\
                 | Foreign key | Columns | References | Columns there | On delete | On update |\n\
                 | --- | --- | --- | --- | --- | --- |\n",
            );
            for fk in &t.foreign_keys {
                row(
                    &mut out,
                    &[
                        code(&fk.name, true),
                        own(&fk.columns),
                        self.table_link(&fk.ref_table, here),
                        self.column_links(&fk.ref_table, &fk.ref_columns, here, false),
                        fk.on_delete.sql().to_string(),
                        fk.on_update.sql().to_string(),
                    ],
                );
            }
            out.push('\n');
        }

        let mut referencing = self.schema.referencing(&t.name).peekable();
        if referencing.peek().is_some() {
            out.push_str(
                "## Referenced by\n\n\
                 | Table | Columns there | Foreign key | Columns here | On delete | On update |\n\
                 | --- | --- | --- | --- | --- | --- |\n",
            );
            for (child, fk) in referencing {
                row(
                    &mut out,
                    &[
                        self.table_link(&child.name, here),
                        self.column_links(&child.name, &fk.columns, here, false),
                        code(&fk.name, true),
                        own(&fk.ref_columns),
                        fk.on_delete.sql().to_string(),
                        fk.on_update.sql().to_string(),
                    ],
                );
            }
            out.push('\n');
        }
        finish(out)
    }
}

/// Where a linking page lives.
#[derive(Clone, Copy)]
enum Dir {
    Root,
    Tables,
}

/// `1 table`, `17 tables`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn non_empty(doc: Option<&str>) -> Option<&str> {
    doc.filter(|d| !d.trim().is_empty())
}

/// One Markdown table row of already escaped cells.
fn row(out: &mut String, cells: &[String]) {
    out.push('|');
    for c in cells {
        out.push(' ');
        out.push_str(c);
        out.push_str(" |");
    }
    out.push('\n');
}

/// Ends a page with exactly one newline.
fn finish(mut out: String) -> String {
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// A doc comment in a table cell (empty when there is none).
fn cell_doc(doc: Option<&str>) -> String {
    non_empty(doc).map_or_else(String::new, |d| text(d, true))
}

/// A doc comment as a paragraph: literal text, its lines kept.
fn prose(doc: &str) -> String {
    doc.lines()
        .map(|l| text(l, false))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Literal text: Markdown and HTML in it are not interpreted; in a table cell, `|` is
/// escaped and newlines become `<br>`.
pub fn text(s: &str, in_table: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '\n' if in_table => out.push_str("<br>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A code span of `s` (split at newlines, joined by `<br>`); in a table cell, `|` is
/// escaped as `\|` (GitHub unescapes it inside code spans too).
pub fn code(s: &str, in_table: bool) -> String {
    s.split('\n')
        .map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                return String::new();
            }
            let longest = line.split(|c| c != '`').map(str::len).max().unwrap_or(0);
            let fence = "`".repeat(longest + 1);
            let pad = line.starts_with('`')
                || line.ends_with('`')
                || (line.starts_with(' ') && line.ends_with(' ') && line.trim() != "");
            let body = if in_table {
                line.replace('|', "\\|")
            } else {
                line.to_string()
            };
            if pad {
                format!("{fence} {body} {fence}")
            } else {
                format!("{fence}{body}{fence}")
            }
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

/// An anchor id from free text: lowercase ASCII letters and digits, other runs as `-`.
fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("unnamed");
    }
    out
}
