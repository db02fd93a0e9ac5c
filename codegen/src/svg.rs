//! The ER diagram as SVG, laid out and drawn by nzc itself (no Graphviz, no
//! browser, no network): `nzc diagram --format svg`, and the diagrams of
//! `nzc docs`.
//!
//! The layout is layered ([`layout`]): referenced tables left of the tables that
//! reference them, crossings reduced by barycenter sweeps, edges routed
//! orthogonally in the gaps between the columns, so that no edge crosses a box and
//! no two boxes overlap. Each group is a horizontal band with its labelled region;
//! the tables of a group stay inside it, and regions never overlap.
//!
//! The document (other code relies on these names):
//! - `<svg class="nzc-er" width=… height=… viewBox=…>` with a `<style>` (light
//!   colours, dark ones under `@media (prefers-color-scheme: dark)`; no external
//!   font, image or script) and a background `<rect class="bg">`;
//! - every group: `<g class="group" data-group="Name">` holding `<title>` (its doc),
//!   its region `<rect class="group-box">` and its label `<text class="group-label">`;
//! - every table: `<g class="table" data-table="Name">` (`data-group` when it is in
//!   one, `data-focus="true"` for the table of [`Focus::Table`]) whose first
//!   `<rect>` is its box (`x`, `y`, `width`, `height`), then `<title>` (the table
//!   doc, the tooltip), the header with the name, and one
//!   `<g class="column" data-column="name">` per column: `<text class="keys">`
//!   (`PK`, `FK`, `UQ`: part of the primary key, of a foreign key, a single-column
//!   unique key), `<text class="column-name">`, `<text class="column-type">` (the
//!   schema-language type, `?` when nullable) and the column doc as `<title>`;
//! - every foreign key: `<g class="fk">` with `<title>`, then
//!   `<path class="ref" data-ref="constraint name" data-from="Referencing"
//!   data-to="Referenced" data-from-card=… data-to-card=…>` whose `d` is `M x,y`
//!   followed by `L x,y` points (horizontal and vertical segments): it starts on the
//!   referencing table's box at the row of its (first) column and ends on the
//!   referenced table's box at the row of the referenced column; then the
//!   cardinality marks (`class="card …"`). The referencing end is `many` (a crow's
//!   foot), or `one` when the referencing columns are unique; the referenced end is
//!   `one`, or `zero-or-one` when a referencing column is nullable.
//!
//! Text is measured with the fixed advance table of [`text`] (monospace), and
//! every box is sized from it. Output is deterministic: the same schema gives the
//! same bytes.

mod layout;
mod text;

use std::fmt::Write as _;

use nzc_dsl::{ForeignKey, Schema, Table};

use layout::{Band, Edge, Graph, Node, Point, Rect, RegionStyle, Span};

/// What to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Focus {
    /// Every table.
    All,
    /// The tables of one group (by name), and the tables they reference.
    Group(String),
    /// One table, the tables it references and the tables that reference it.
    Table(String),
}

/// The SVG document of the diagram; an error names an unknown group or table.
///
/// [`Focus::Group`] draws the group's tables, the tables they reference, and the
/// foreign keys of the group's tables. [`Focus::Table`] draws the table, the
/// tables it references and those that reference it, and the foreign keys that
/// join the table to them (its own and theirs to it). Every drawn table stays in
/// its group's region.
pub fn render(schema: &Schema, focus: &Focus) -> Result<String, String> {
    let selection = select(schema, focus)?;
    Ok(draw(schema, &selection))
}

// ---------------------------------------------------------------------------
// What to draw

struct Selection<'a> {
    tables: Vec<&'a Table>,
    /// (referencing table index into `tables`, the foreign key, referenced index).
    edges: Vec<(usize, &'a ForeignKey, usize)>,
    focus_table: Option<&'a str>,
}

fn select<'a>(schema: &'a Schema, focus: &Focus) -> Result<Selection<'a>, String> {
    let mut drawn = vec![false; schema.tables.len()];
    let index_of = |name: &str| schema.tables.iter().position(|t| t.name == name);
    // Which foreign keys: (table index, fk index).
    let mut fks: Vec<(usize, usize)> = Vec::new();
    let mut focus_table = None;
    match focus {
        Focus::All => {
            drawn.iter_mut().for_each(|d| *d = true);
            for (ti, t) in schema.tables.iter().enumerate() {
                fks.extend((0..t.foreign_keys.len()).map(|fi| (ti, fi)));
            }
        }
        Focus::Group(name) => {
            let known = schema.groups.iter().any(|g| &g.name == name)
                || schema.tables.iter().any(|t| t.group.as_ref() == Some(name));
            if !known {
                return Err(unknown(
                    "group",
                    name,
                    schema.groups.iter().map(|g| &g.name),
                ));
            }
            for (ti, t) in schema.tables.iter().enumerate() {
                if t.group.as_ref() == Some(name) {
                    drawn[ti] = true;
                    for (fi, fk) in t.foreign_keys.iter().enumerate() {
                        fks.push((ti, fi));
                        if let Some(r) = index_of(&fk.ref_table) {
                            drawn[r] = true;
                        }
                    }
                }
            }
        }
        Focus::Table(name) => {
            let Some(ti) = index_of(name) else {
                return Err(unknown(
                    "table",
                    name,
                    schema.tables.iter().map(|t| &t.name),
                ));
            };
            focus_table = Some(schema.tables[ti].name.as_str());
            drawn[ti] = true;
            for (oi, t) in schema.tables.iter().enumerate() {
                for (fi, fk) in t.foreign_keys.iter().enumerate() {
                    if oi == ti || fk.ref_table == *name {
                        fks.push((oi, fi));
                        drawn[oi] = true;
                        if let Some(r) = index_of(&fk.ref_table) {
                            drawn[r] = true;
                        }
                    }
                }
            }
        }
    }
    let mut slot = vec![usize::MAX; schema.tables.len()];
    let mut tables = Vec::new();
    for (ti, t) in schema.tables.iter().enumerate() {
        if drawn[ti] {
            slot[ti] = tables.len();
            tables.push(t);
        }
    }
    let edges = fks
        .into_iter()
        .filter_map(|(ti, fi)| {
            let fk = &schema.tables[ti].foreign_keys[fi];
            let r = index_of(&fk.ref_table)?;
            Some((slot[ti], fk, slot[r]))
        })
        .collect();
    Ok(Selection {
        tables,
        edges,
        focus_table,
    })
}

fn unknown<'a>(what: &str, name: &str, known: impl Iterator<Item = &'a String>) -> String {
    let known: Vec<&str> = known.map(String::as_str).collect();
    if known.is_empty() {
        format!("unknown {what} `{name}`: the schema has no {what}s")
    } else {
        format!(
            "unknown {what} `{name}`; the schema's {what}s: {}",
            known.join(", ")
        )
    }
}

// ---------------------------------------------------------------------------
// Sizes

const HEADER_H: f64 = 28.0;
const ROW_H: f64 = 20.0;
const BOTTOM_PAD: f64 = 6.0;
const PAD_X: f64 = 10.0;
const COL_GAP: f64 = 12.0;
const MIN_BOX_W: f64 = 120.0;
const NAME_SIZE: f64 = 13.0;
const ROW_SIZE: f64 = 12.0;
const KEY_SIZE: f64 = 10.0;
const GROUP_SIZE: f64 = 13.0;
const REGION_PAD: f64 = 12.0;
const REGION_LABEL_H: f64 = 26.0;

/// A table's box, measured.
struct Card {
    width: f64,
    height: f64,
    /// x offsets (from the box's left) of the key, name and type columns.
    key_x: f64,
    name_x: f64,
    type_x: f64,
    rows: Vec<Row>,
}

struct Row {
    keys: String,
    name: String,
    ty: String,
}

fn card(t: &Table) -> Card {
    let rows: Vec<Row> = t
        .columns
        .iter()
        .map(|c| {
            let mut keys = Vec::new();
            if t.is_pk_column(&c.name) {
                keys.push("PK");
            }
            if t.foreign_keys.iter().any(|fk| fk.columns.contains(&c.name)) {
                keys.push("FK");
            }
            let single = |columns: &[String]| columns.len() == 1 && columns[0] == c.name;
            if t.uniques.iter().any(|u| single(&u.columns))
                || t.indexes.iter().any(|i| i.unique && single(&i.columns))
            {
                keys.push("UQ");
            }
            let mut ty = c.ty.dsl();
            if c.nullable {
                ty.push('?');
            }
            Row {
                keys: keys.join(" "),
                name: text::clean(&c.name),
                ty: text::clean(&ty),
            }
        })
        .collect();
    let max = |f: &dyn Fn(&Row) -> f64| rows.iter().map(f).fold(0.0, f64::max);
    let key_w = max(&|r| text::width(&r.keys, KEY_SIZE)).ceil();
    let name_w = max(&|r| text::width(&r.name, ROW_SIZE)).ceil();
    let type_w = max(&|r| text::width(&r.ty, ROW_SIZE)).ceil();
    let key_x = PAD_X;
    let name_x = if key_w > 0.0 {
        key_x + key_w + COL_GAP
    } else {
        key_x
    };
    let type_x = name_x + name_w + COL_GAP;
    let header_w = text::width(&text::clean(&t.name), NAME_SIZE).ceil() + 2.0 * PAD_X;
    let width = (type_x + type_w + PAD_X).max(header_w).max(MIN_BOX_W);
    Card {
        width,
        height: HEADER_H + rows.len() as f64 * ROW_H + BOTTOM_PAD,
        key_x,
        name_x,
        type_x,
        rows,
    }
}

fn row_span(t: &Table, column: Option<&String>) -> Span {
    let i = column
        .and_then(|c| t.columns.iter().position(|col| &col.name == c))
        .unwrap_or(0);
    let top = HEADER_H + i as f64 * ROW_H;
    Span {
        top,
        bottom: top + ROW_H,
    }
}

// ---------------------------------------------------------------------------
// Drawing

const STYLE: &str = "\
.nzc-er{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"DejaVu Sans Mono\",\"Liberation Mono\",monospace}\
.nzc-er .bg{fill:#ffffff}\
.nzc-er .group-box{fill:#f3f6fb;stroke:#c3cedd;stroke-width:1}\
.nzc-er .group-label{fill:#3d4b5c;font-weight:bold}\
.nzc-er .box{fill:#ffffff;stroke:#7d8a99;stroke-width:1}\
.nzc-er .table[data-focus] .box{stroke:#2f6fde;stroke-width:2}\
.nzc-er .header{fill:#e2eaf5}\
.nzc-er .sep{stroke:#d3dae3;stroke-width:1}\
.nzc-er .table-name{fill:#17202b;font-weight:bold}\
.nzc-er .column-name{fill:#17202b}\
.nzc-er .column-type{fill:#5c6b7a}\
.nzc-er .keys{fill:#9a5b00;font-weight:bold}\
.nzc-er .ref,.nzc-er .card{fill:none;stroke:#56657a;stroke-width:1.2}\
.nzc-er circle.card{fill:#ffffff}\
.nzc-er .fk:hover .ref{stroke:#2f6fde;stroke-width:2}\
@media (prefers-color-scheme:dark){\
.nzc-er .bg{fill:#0f141a}\
.nzc-er .group-box{fill:#18212b;stroke:#34424f}\
.nzc-er .group-label{fill:#b9c6d3}\
.nzc-er .box{fill:#1b232d;stroke:#6b7a8b}\
.nzc-er .table[data-focus] .box{stroke:#6ea2ff}\
.nzc-er .header{fill:#263445}\
.nzc-er .sep{stroke:#34414f}\
.nzc-er .table-name,.nzc-er .column-name{fill:#e6edf3}\
.nzc-er .column-type{fill:#9aa8b6}\
.nzc-er .keys{fill:#e3a64a}\
.nzc-er .ref,.nzc-er .card{stroke:#8d9bab}\
.nzc-er circle.card{fill:#0f141a}\
.nzc-er .fk:hover .ref{stroke:#6ea2ff}\
}";

fn draw(schema: &Schema, sel: &Selection<'_>) -> String {
    // Bands: the groups with a drawn table, in declaration order (then groups named
    // only by tables), then the tables in no group.
    let mut band_names: Vec<&str> = Vec::new();
    for g in &schema.groups {
        if sel
            .tables
            .iter()
            .any(|t| t.group.as_deref() == Some(g.name.as_str()))
        {
            band_names.push(&g.name);
        }
    }
    for t in &sel.tables {
        if let Some(g) = t.group.as_deref() {
            if !band_names.contains(&g) {
                band_names.push(g);
            }
        }
    }
    let ungrouped = band_names.len();
    let band_of = |t: &Table| {
        t.group
            .as_deref()
            .and_then(|g| band_names.iter().position(|b| *b == g))
            .unwrap_or(ungrouped)
    };
    let mut bands: Vec<Band> = band_names
        .iter()
        .map(|name| Band {
            region: Some(RegionStyle {
                pad: REGION_PAD,
                pad_top: REGION_PAD + REGION_LABEL_H,
                min_width: text::width(&text::clean(name), GROUP_SIZE).ceil() + 2.0 * REGION_PAD,
            }),
        })
        .collect();
    bands.push(Band::default());

    let cards: Vec<Card> = sel.tables.iter().map(|t| card(t)).collect();
    let graph = Graph {
        nodes: sel
            .tables
            .iter()
            .zip(&cards)
            .map(|(t, c)| Node {
                width: c.width,
                height: c.height,
                band: band_of(t),
            })
            .collect(),
        edges: sel
            .edges
            .iter()
            .map(|&(from, fk, to)| Edge {
                from,
                from_row: row_span(sel.tables[from], fk.columns.first()),
                to,
                to_row: row_span(sel.tables[to], fk.ref_columns.first()),
            })
            .collect(),
        bands,
    };
    let lay = layout::layout(&graph);

    let mut out = String::with_capacity(4096 + sel.tables.len() * 3000 + sel.edges.len() * 600);
    out.push_str("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"nzc-er\" width=\"");
    text::push_num(&mut out, lay.width);
    out.push_str("\" height=\"");
    text::push_num(&mut out, lay.height);
    out.push_str("\" viewBox=\"0 0 ");
    text::push_num(&mut out, lay.width);
    out.push(' ');
    text::push_num(&mut out, lay.height);
    out.push_str("\" role=\"img\">\n");
    out.push_str("<!-- Generated by nzc from the schema. Do not edit: change the schema and regenerate. -->\n");
    out.push_str("<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n");
    out.push_str("<rect class=\"bg\" x=\"0\" y=\"0\" width=\"");
    text::push_num(&mut out, lay.width);
    out.push_str("\" height=\"");
    text::push_num(&mut out, lay.height);
    out.push_str("\"/>\n");

    // Groups (behind everything).
    for (b, name) in band_names.iter().enumerate() {
        let Some(region) = lay.regions[b] else {
            continue;
        };
        out.push_str("<g class=\"group\" data-group=\"");
        text::push_attr(&mut out, name);
        out.push_str("\">");
        if let Some(doc) = schema
            .groups
            .iter()
            .find(|g| g.name == *name)
            .and_then(|g| g.doc.as_deref())
        {
            push_title(&mut out, doc);
        }
        out.push_str("<rect class=\"group-box\"");
        push_rect_attrs(&mut out, region);
        out.push_str(" rx=\"6\"/>");
        push_text_el(
            &mut out,
            "group-label",
            region.x + REGION_PAD,
            region.y + REGION_PAD + 12.0,
            GROUP_SIZE,
            &text::clean(name),
        );
        out.push_str("</g>\n");
    }

    // Tables.
    for (i, t) in sel.tables.iter().enumerate() {
        draw_table(
            &mut out,
            t,
            &cards[i],
            lay.boxes[i],
            sel.focus_table == Some(t.name.as_str()),
        );
    }

    // Foreign keys (on top: their ends are on the boxes).
    for (e, &(from, fk, to)) in sel.edges.iter().enumerate() {
        draw_fk(
            &mut out,
            sel.tables[from],
            fk,
            sel.tables[to],
            &lay.paths[e],
        );
    }
    out.push_str("</svg>\n");
    out
}

fn push_rect_attrs(out: &mut String, r: Rect) {
    out.push_str(" x=\"");
    text::push_num(out, r.x);
    out.push_str("\" y=\"");
    text::push_num(out, r.y);
    out.push_str("\" width=\"");
    text::push_num(out, r.w);
    out.push_str("\" height=\"");
    text::push_num(out, r.h);
    out.push('"');
}

fn push_title(out: &mut String, doc: &str) {
    out.push_str("<title>");
    text::push_text(out, doc);
    out.push_str("</title>");
}

fn push_text_el(out: &mut String, class: &str, x: f64, y: f64, size: f64, content: &str) {
    out.push_str("<text class=\"");
    out.push_str(class);
    out.push_str("\" x=\"");
    text::push_num(out, x);
    out.push_str("\" y=\"");
    text::push_num(out, y);
    out.push_str("\" font-size=\"");
    text::push_num(out, size);
    out.push_str("\">");
    text::push_text(out, content);
    out.push_str("</text>");
}

fn draw_table(out: &mut String, t: &Table, card: &Card, b: Rect, focus: bool) {
    out.push_str("<g class=\"table\" data-table=\"");
    text::push_attr(out, &t.name);
    out.push('"');
    if let Some(g) = &t.group {
        out.push_str(" data-group=\"");
        text::push_attr(out, g);
        out.push('"');
    }
    if focus {
        out.push_str(" data-focus=\"true\"");
    }
    out.push('>');
    out.push_str("<rect class=\"box\"");
    push_rect_attrs(out, b);
    out.push_str(" rx=\"4\"/>");
    if let Some(doc) = &t.doc {
        push_title(out, doc);
    }
    out.push_str("<rect class=\"header\"");
    push_rect_attrs(
        out,
        Rect {
            x: b.x + 1.0,
            y: b.y + 1.0,
            w: b.w - 2.0,
            h: HEADER_H - 1.0,
        },
    );
    out.push_str(" rx=\"3\"/>");
    out.push_str("<path class=\"sep\" d=\"M");
    text::push_num(out, b.x);
    out.push(',');
    text::push_num(out, b.y + HEADER_H);
    out.push_str(" H");
    text::push_num(out, b.right());
    out.push_str("\"/>");
    push_text_el(
        out,
        "table-name",
        b.x + PAD_X,
        b.y + 19.0,
        NAME_SIZE,
        &text::clean(&t.name),
    );
    out.push('\n');
    for (i, (row, col)) in card.rows.iter().zip(&t.columns).enumerate() {
        let top = b.y + HEADER_H + i as f64 * ROW_H;
        let baseline = top + 14.0;
        out.push_str("<g class=\"column\" data-column=\"");
        text::push_attr(out, &col.name);
        out.push_str("\">");
        if let Some(doc) = &col.doc {
            push_title(out, doc);
        }
        if !row.keys.is_empty() {
            push_text_el(out, "keys", b.x + card.key_x, baseline, KEY_SIZE, &row.keys);
        }
        push_text_el(
            out,
            "column-name",
            b.x + card.name_x,
            baseline,
            ROW_SIZE,
            &row.name,
        );
        push_text_el(
            out,
            "column-type",
            b.x + card.type_x,
            baseline,
            ROW_SIZE,
            &row.ty,
        );
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
}

/// Cardinality of an end.
#[derive(Clone, Copy)]
enum Cardinality {
    One,
    ZeroOrOne,
    Many,
}

impl Cardinality {
    fn name(self) -> &'static str {
        match self {
            Cardinality::One => "one",
            Cardinality::ZeroOrOne => "zero-or-one",
            Cardinality::Many => "many",
        }
    }
}

fn draw_fk(out: &mut String, from: &Table, fk: &ForeignKey, to: &Table, path: &[Point]) {
    let nullable = fk
        .columns
        .iter()
        .any(|c| from.column(c).is_none_or(|col| col.nullable));
    let from_card = if from.is_unique_key(&fk.columns) {
        Cardinality::One
    } else {
        Cardinality::Many
    };
    let to_card = if nullable {
        Cardinality::ZeroOrOne
    } else {
        Cardinality::One
    };

    out.push_str("<g class=\"fk\">");
    let mut title = String::new();
    let _ = write!(
        title,
        "{}: {}({}) → {}({})",
        fk.name,
        from.name,
        fk.columns.join(", "),
        to.name,
        fk.ref_columns.join(", ")
    );
    push_title(out, &title);
    out.push_str("<path class=\"ref\" data-ref=\"");
    text::push_attr(out, &fk.name);
    out.push_str("\" data-from=\"");
    text::push_attr(out, &from.name);
    out.push_str("\" data-to=\"");
    text::push_attr(out, &to.name);
    out.push_str("\" data-from-card=\"");
    out.push_str(from_card.name());
    out.push_str("\" data-to-card=\"");
    out.push_str(to_card.name());
    out.push_str("\" d=\"");
    for (k, p) in path.iter().enumerate() {
        out.push_str(if k == 0 { "M" } else { " L" });
        text::push_num(out, p.x);
        out.push(',');
        text::push_num(out, p.y);
    }
    out.push_str("\"/>");
    if path.len() >= 2 {
        mark(out, path[0], path[1], from_card);
        let n = path.len();
        mark(out, path[n - 1], path[n - 2], to_card);
    }
    out.push_str("</g>\n");
}

/// The cardinality mark at `end` (on a box), the path going on towards `next`.
fn mark(out: &mut String, end: Point, next: Point, card: Cardinality) {
    let d = if next.x >= end.x { 1.0 } else { -1.0 };
    let (x, y) = (end.x, end.y);
    let mut d_attr = String::new();
    let mut line = |x1: f64, y1: f64, x2: f64, y2: f64| {
        d_attr.push('M');
        text::push_num(&mut d_attr, x1);
        d_attr.push(',');
        text::push_num(&mut d_attr, y1);
        d_attr.push_str(" L");
        text::push_num(&mut d_attr, x2);
        d_attr.push(',');
        text::push_num(&mut d_attr, y2);
        d_attr.push(' ');
    };
    match card {
        Cardinality::Many => {
            line(x + d * 12.0, y, x, y - 5.0);
            line(x + d * 12.0, y, x, y + 5.0);
        }
        Cardinality::One => {
            line(x + d * 8.0, y - 5.0, x + d * 8.0, y + 5.0);
            line(x + d * 12.0, y - 5.0, x + d * 12.0, y + 5.0);
        }
        Cardinality::ZeroOrOne => {
            line(x + d * 8.0, y - 5.0, x + d * 8.0, y + 5.0);
        }
    }
    out.push_str("<path class=\"card card-");
    out.push_str(card.name());
    out.push_str("\" d=\"");
    out.push_str(d_attr.trim_end());
    out.push_str("\"/>");
    if let Cardinality::ZeroOrOne = card {
        out.push_str("<circle class=\"card\" cx=\"");
        text::push_num(out, x + d * 16.0);
        out.push_str("\" cy=\"");
        text::push_num(out, y);
        out.push_str("\" r=\"4\"/>");
    }
}
