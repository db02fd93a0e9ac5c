//! The SVG diagram (`svg::render`), read back by a real XML parser (roxmltree):
//! its contents against the model, and its geometry checked from the SVG alone —
//! no overlapping boxes or group regions, every edge starting and ending on the
//! boundary of its two boxes and passing through no box, every text inside its
//! box — on the repository's schema, the fixtures and generated schemas of 50 to
//! 200 tables (with cycles, self-references, cross-group references).

mod support;

use std::collections::{BTreeMap, BTreeSet};

use nzc_codegen::svg::{self, Focus};
use nzc_dsl::{Kind, Naming, Schema};
use support::*;

// ----- reading the SVG back ---------------------------------------------------

/// Advance of a character cell in em: the renderer's measure (monospace).
const CHAR_EM: f64 = 0.62;
const EPS: f64 = 0.051;

#[derive(Debug, Clone, Copy, PartialEq)]
struct R {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl R {
    fn right(&self) -> f64 {
        self.x + self.w
    }
    fn bottom(&self) -> f64 {
        self.y + self.h
    }
    /// Whether the interiors overlap.
    fn overlaps(&self, o: &R) -> bool {
        self.x < o.right() - EPS
            && o.x < self.right() - EPS
            && self.y < o.bottom() - EPS
            && o.y < self.bottom() - EPS
    }
    fn contains(&self, o: &R) -> bool {
        o.x >= self.x - EPS
            && o.y >= self.y - EPS
            && o.right() <= self.right() + EPS
            && o.bottom() <= self.bottom() + EPS
    }
    fn on_boundary(&self, (x, y): (f64, f64)) -> bool {
        let within_x = x >= self.x - EPS && x <= self.right() + EPS;
        let within_y = y >= self.y - EPS && y <= self.bottom() + EPS;
        let on_side = (x - self.x).abs() < EPS || (x - self.right()).abs() < EPS;
        let on_top = (y - self.y).abs() < EPS || (y - self.bottom()).abs() < EPS;
        (on_side && within_y) || (on_top && within_x)
    }
    /// Whether the axis-aligned segment a–b passes through the interior.
    fn crossed_by(&self, a: (f64, f64), b: (f64, f64)) -> bool {
        let (x1, x2) = (a.0.min(b.0), a.0.max(b.0));
        let (y1, y2) = (a.1.min(b.1), a.1.max(b.1));
        x1 < self.right() - EPS
            && x2 > self.x + EPS
            && y1 < self.bottom() - EPS
            && y2 > self.y + EPS
    }
}

#[derive(Debug)]
struct TextBox {
    content: String,
    r: R,
}

#[derive(Debug)]
struct TableEl {
    name: String,
    group: Option<String>,
    focus: bool,
    b: R,
    columns: Vec<String>,
    texts: Vec<TextBox>,
}

#[derive(Debug)]
struct GroupEl {
    name: String,
    region: R,
    label: TextBox,
}

#[derive(Debug)]
struct RefEl {
    name: String,
    from: String,
    to: String,
    from_card: String,
    to_card: String,
    points: Vec<(f64, f64)>,
}

#[derive(Debug)]
struct Diagram {
    width: f64,
    height: f64,
    tables: Vec<TableEl>,
    groups: Vec<GroupEl>,
    refs: Vec<RefEl>,
}

impl Diagram {
    fn table(&self, name: &str) -> &TableEl {
        self.tables
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no table {name} in the diagram"))
    }
    fn names(&self) -> BTreeSet<String> {
        self.tables.iter().map(|t| t.name.clone()).collect()
    }
    fn ref_names(&self) -> BTreeSet<String> {
        self.refs.iter().map(|r| r.name.clone()).collect()
    }
}

fn num(node: roxmltree::Node<'_, '_>, attr: &str) -> f64 {
    let v = node
        .attribute(attr)
        .unwrap_or_else(|| panic!("<{}> has no {attr}", node.tag_name().name()));
    v.parse()
        .unwrap_or_else(|_| panic!("{attr}={v:?} is not a number"))
}

fn rect(node: roxmltree::Node<'_, '_>) -> R {
    R {
        x: num(node, "x"),
        y: num(node, "y"),
        w: num(node, "width"),
        h: num(node, "height"),
    }
}

fn has_class(node: roxmltree::Node<'_, '_>, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|c| c == class))
}

/// The extent of a `<text>` (start-anchored): width from the advance table,
/// height from ascent 0.8 em above the baseline and descent 0.2 em below.
fn text_box(node: roxmltree::Node<'_, '_>) -> TextBox {
    assert_eq!(
        node.attribute("text-anchor"),
        None,
        "texts are start-anchored"
    );
    let content: String = node.text().unwrap_or("").to_string();
    let size = num(node, "font-size");
    let cells: usize = content
        .chars()
        .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
        .sum();
    let (x, y) = (num(node, "x"), num(node, "y"));
    TextBox {
        r: R {
            x,
            y: y - 0.8 * size,
            w: cells as f64 * CHAR_EM * size,
            h: size,
        },
        content,
    }
}

/// `M x,y L x,y …`.
fn points(d: &str) -> Vec<(f64, f64)> {
    d.split_whitespace()
        .map(|p| {
            let p = p
                .strip_prefix('M')
                .or_else(|| p.strip_prefix('L'))
                .unwrap_or_else(|| panic!("only M and L commands: {d}"));
            let (x, y) = p.split_once(',').expect("x,y");
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

fn parse(svg: &str) -> Diagram {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("the SVG is not well-formed XML: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    for node in root.descendants() {
        let name = node.tag_name().name();
        assert!(
            !matches!(name, "script" | "image" | "foreignObject" | "use"),
            "self-contained: no <{name}>"
        );
        for a in node.attributes() {
            assert!(
                !a.value().contains("http:") && !a.value().contains("https:")
                    || a.name() == "xmlns",
                "no external reference: {}={}",
                a.name(),
                a.value()
            );
        }
    }
    let style = root
        .descendants()
        .find(|n| n.has_tag_name("style"))
        .and_then(|n| n.text())
        .expect("a <style>");
    assert!(style.contains("prefers-color-scheme:dark"), "dark colours");
    assert!(
        !style.contains("@import") && !style.contains("url("),
        "no external CSS"
    );

    let mut d = Diagram {
        width: num(root, "width"),
        height: num(root, "height"),
        tables: vec![],
        groups: vec![],
        refs: vec![],
    };
    for g in root.descendants().filter(|n| n.has_tag_name("g")) {
        if has_class(g, "table") {
            let b = rect(
                g.descendants()
                    .find(|n| n.has_tag_name("rect"))
                    .expect("a table's first <rect> is its box"),
            );
            let columns = g
                .descendants()
                .filter(|n| n.has_tag_name("g") && has_class(*n, "column"))
                .map(|c| {
                    let name = c.attribute("data-column").expect("data-column").to_string();
                    let shown = c
                        .children()
                        .find(|n| has_class(*n, "column-name"))
                        .and_then(|n| n.text())
                        .expect("a column-name text");
                    assert_eq!(shown, name, "the row shows its column's name");
                    name
                })
                .collect();
            d.tables.push(TableEl {
                name: g.attribute("data-table").expect("data-table").to_string(),
                group: g.attribute("data-group").map(str::to_string),
                focus: g.attribute("data-focus") == Some("true"),
                b,
                columns,
                texts: g
                    .descendants()
                    .filter(|n| n.has_tag_name("text"))
                    .map(text_box)
                    .collect(),
            });
        } else if has_class(g, "group") {
            let region = rect(
                g.children()
                    .find(|n| n.has_tag_name("rect"))
                    .expect("a group's region"),
            );
            let label = text_box(
                g.children()
                    .find(|n| n.has_tag_name("text"))
                    .expect("a group's label"),
            );
            d.groups.push(GroupEl {
                name: g.attribute("data-group").expect("data-group").to_string(),
                region,
                label,
            });
        }
    }
    for p in root
        .descendants()
        .filter(|n| n.has_tag_name("path") && has_class(*n, "ref"))
    {
        let attr = |a: &str| {
            p.attribute(a)
                .unwrap_or_else(|| panic!("ref without {a}"))
                .to_string()
        };
        d.refs.push(RefEl {
            name: attr("data-ref"),
            from: attr("data-from"),
            to: attr("data-to"),
            from_card: attr("data-from-card"),
            to_card: attr("data-to-card"),
            points: points(&attr("d")),
        });
    }
    d
}

// ----- checks -----------------------------------------------------------------

/// Every geometric promise, from the SVG alone. Returns the number of edge
/// crossings.
fn check_geometry(d: &Diagram) -> usize {
    let canvas = R {
        x: 0.0,
        y: 0.0,
        w: d.width,
        h: d.height,
    };
    let mut seen = BTreeSet::new();
    for t in &d.tables {
        assert!(seen.insert(&t.name), "table {} drawn twice", t.name);
        assert!(canvas.contains(&t.b), "{} is outside the drawing", t.name);
        for text in &t.texts {
            assert!(
                t.b.contains(&text.r),
                "text {:?} ({:?}) sticks out of the box of {} ({:?})",
                text.content,
                text.r,
                t.name,
                t.b
            );
        }
    }
    for (i, a) in d.tables.iter().enumerate() {
        for b in &d.tables[i + 1..] {
            assert!(
                !a.b.overlaps(&b.b),
                "boxes {} and {} overlap",
                a.name,
                b.name
            );
        }
    }
    for (i, g) in d.groups.iter().enumerate() {
        assert!(
            canvas.contains(&g.region),
            "group {} is outside the drawing",
            g.name
        );
        assert!(
            g.region.contains(&g.label.r),
            "the label of {} sticks out",
            g.name
        );
        for h in &d.groups[i + 1..] {
            assert!(
                !g.region.overlaps(&h.region),
                "groups {} and {} overlap",
                g.name,
                h.name
            );
        }
        for t in &d.tables {
            if t.group.as_deref() == Some(g.name.as_str()) {
                assert!(
                    g.region.contains(&t.b),
                    "{} is outside its group {}",
                    t.name,
                    g.name
                );
            } else {
                assert!(
                    !g.region.overlaps(&t.b),
                    "{} lies in the foreign group {}",
                    t.name,
                    g.name
                );
            }
        }
    }
    for t in &d.tables {
        if let Some(g) = &t.group {
            assert!(
                d.groups.iter().any(|x| &x.name == g),
                "{}'s group {g} has no region",
                t.name
            );
        }
    }
    for r in &d.refs {
        let from = d.table(&r.from);
        let to = d.table(&r.to);
        assert!(r.points.len() >= 2, "{} has no segment", r.name);
        let first = r.points[0];
        let last = *r.points.last().unwrap();
        assert!(
            from.b.on_boundary(first),
            "{} starts at {first:?}, off the box of {} {:?}",
            r.name,
            r.from,
            from.b
        );
        assert!(
            to.b.on_boundary(last),
            "{} ends at {last:?}, off the box of {} {:?}",
            r.name,
            r.to,
            to.b
        );
        for w in r.points.windows(2) {
            let (a, b) = (w[0], w[1]);
            assert!(
                (a.0 - b.0).abs() < EPS || (a.1 - b.1).abs() < EPS,
                "{}: segment {a:?}–{b:?} is not horizontal or vertical",
                r.name
            );
            assert!(canvas.contains(&R {
                x: a.0.min(b.0),
                y: a.1.min(b.1),
                w: (a.0 - b.0).abs(),
                h: (a.1 - b.1).abs()
            }));
            for t in &d.tables {
                // Not even the edge's own boxes: it only touches their sides.
                assert!(
                    !t.b.crossed_by(a, b),
                    "{}: segment {a:?}–{b:?} passes through the box of {}",
                    r.name,
                    t.name
                );
            }
        }
    }
    crossings(d)
}

/// Proper crossings of a horizontal and a vertical segment of two different edges.
fn crossings(d: &Diagram) -> usize {
    type Pt = (f64, f64);
    let segs: Vec<(usize, Pt, Pt)> = d
        .refs
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.points.windows(2).map(move |w| (i, w[0], w[1])))
        .collect();
    let mut n = 0;
    for (i, a1, a2) in &segs {
        if (a1.1 - a2.1).abs() > EPS {
            continue; // a: horizontal
        }
        let (x1, x2) = (a1.0.min(a2.0), a1.0.max(a2.0));
        for (j, b1, b2) in &segs {
            if i == j || (b1.0 - b2.0).abs() > EPS {
                continue; // b: vertical
            }
            let (y1, y2) = (b1.1.min(b2.1), b1.1.max(b2.1));
            if b1.0 > x1 + EPS && b1.0 < x2 - EPS && a1.1 > y1 + EPS && a1.1 < y2 - EPS {
                n += 1;
            }
        }
    }
    n
}

/// Every table and column of `tables`, and exactly the foreign keys `fks`
/// (name, from, to), are in the diagram.
fn check_contents(d: &Diagram, schema: &Schema, tables: &BTreeSet<String>, fks: &BTreeSet<String>) {
    assert_eq!(&d.names(), tables);
    assert_eq!(d.tables.len(), tables.len());
    assert_eq!(&d.ref_names(), fks);
    assert_eq!(d.refs.len(), fks.len(), "one edge per foreign key");
    for t in &d.tables {
        let model = schema.table(&t.name).unwrap();
        let expected: Vec<String> = model.columns.iter().map(|c| c.name.clone()).collect();
        assert_eq!(t.columns, expected, "the rows of {}", t.name);
        assert_eq!(t.group, model.group, "the group of {}", t.name);
        assert!(
            t.texts.iter().any(|x| x.content == t.name),
            "the header of {}",
            t.name
        );
    }
    for r in &d.refs {
        let (owner, fk) = schema
            .tables
            .iter()
            .flat_map(|t| t.foreign_keys.iter().map(move |fk| (t, fk)))
            .find(|(_, fk)| fk.name == r.name)
            .unwrap();
        assert_eq!(
            (r.from.as_str(), r.to.as_str()),
            (owner.name.as_str(), fk.ref_table.as_str()),
            "{}",
            r.name
        );
        let nullable = fk.columns.iter().any(|c| owner.column(c).unwrap().nullable);
        let unique = owner.is_unique_key(&fk.columns);
        assert_eq!(
            r.to_card,
            if nullable { "zero-or-one" } else { "one" },
            "{}",
            r.name
        );
        assert_eq!(
            r.from_card,
            if unique { "one" } else { "many" },
            "{}",
            r.name
        );
    }
}

fn all_names(schema: &Schema) -> (BTreeSet<String>, BTreeSet<String>) {
    (
        schema.tables.iter().map(|t| t.name.clone()).collect(),
        schema
            .tables
            .iter()
            .flat_map(|t| t.foreign_keys.iter().map(|fk| fk.name.clone()))
            .collect(),
    )
}

fn render(schema: &Schema, focus: &Focus) -> String {
    svg::render(schema, focus).unwrap_or_else(|e| panic!("render failed: {e}"))
}

// ----- generated schemas -------------------------------------------------------

/// A small deterministic generator (64-bit LCG).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// `n` tables in groups of about ten (every ninth table in none), 2–11 columns of
/// varied name lengths and types, 0–3 foreign keys each: mostly to a recent table
/// of the same group, some to any earlier table, some forward (cycles), some to
/// itself; nullable and unique ones.
fn generated_schema(n: usize, seed: u64) -> Schema {
    const WORDS: [&str; 10] = [
        "Account",
        "Ledger",
        "X",
        "MeasurementCampaignSeries",
        "Tag",
        "Invoice",
        "Station",
        "Ab",
        "ReportingPeriodAdjustment",
        "Unit",
    ];
    let mut rng = Rng(seed);
    let names: Vec<String> = (0..n)
        .map(|i| format!("T{i:03}{}", WORDS[rng.below(WORDS.len())]))
        .collect();
    let group_of = |i: usize| (i % 9 != 8).then(|| format!("Group {}", i / 10));
    let mut tables = Vec::with_capacity(n);
    for i in 0..n {
        let mut cols = vec![col("id", scalar(Kind::Uuid))];
        for c in 0..1 + rng.below(10) {
            let name = format!(
                "{}{c}",
                &"columnWithAVeryLongDescriptiveName"[..2 + rng.below(30)]
            );
            let ty = match rng.below(5) {
                0 => varchar(255),
                1 => scalar(Kind::Int),
                2 => numeric(12, 2),
                3 => scalar(Kind::Timestamptz),
                _ => scalar(Kind::Text),
            };
            cols.push(if rng.below(2) == 0 {
                opt(col(&name, ty))
            } else {
                col(&name, ty)
            });
        }
        let mut t = table(&names[i], group_of(i).as_deref(), &["id"], cols);
        for k in 0..rng.below(4) {
            let parent = match rng.below(12) {
                0 => i,                                                  // itself
                1 if i + 1 < n => i + 1 + rng.below((n - i - 1).min(6)), // forward: cycles
                2..=3 if i > 0 => rng.below(i),                          // any earlier table
                _ if i > 0 => i - 1 - rng.below(i.min(8)),               // a recent one
                _ => continue,
            };
            let column = format!("ref{k}To{}", names[parent]);
            let c = col(&column, scalar(Kind::Uuid));
            // Insert among the columns, so rows of all heights carry edges.
            let at = 1 + rng.below(t.columns.len());
            t.columns
                .insert(at, if rng.below(3) == 0 { c } else { opt(c) });
            if rng.below(7) == 0 {
                t.uniques
                    .push(unique(&format!("uq_{}_{column}", names[i]), &[&column]));
            }
            t.foreign_keys.push(fk(
                &format!("fk_{}_{column}", names[i]),
                &[&column],
                &names[parent],
                &["id"],
            ));
        }
        tables.push(t);
    }
    let mut groups: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (i, name) in names.iter().enumerate() {
        if group_of(i).is_some() {
            groups.entry(i / 10).or_default().push(name);
        }
    }
    Schema {
        naming: Naming::default(),
        enums: vec![],
        groups: groups
            .iter()
            .map(|(g, list)| group(&format!("Group {g}"), Some("Generated."), list))
            .collect(),
        tables,
    }
}

// ----- tests --------------------------------------------------------------------

#[test]
fn repository_schema_has_every_table_column_and_foreign_key() {
    let schema = repository_schema();
    let d = parse(&render(&schema, &Focus::All));
    let (tables, fks) = all_names(&schema);
    assert_eq!(tables.len(), 17);
    assert_eq!(fks.len(), 20);
    check_contents(&d, &schema, &tables, &fks);
    assert_eq!(d.groups.len(), schema.groups.len());
}

#[test]
fn repository_schema_geometry() {
    let d = parse(&render(&repository_schema(), &Focus::All));
    let crossings = check_geometry(&d);
    // 13 at the time of writing (51 before the tracks of a channel were ordered).
    assert!(crossings <= 15, "{crossings} edge crossings");
}

#[test]
fn repository_schema_snapshot() {
    insta::assert_snapshot!(
        "repository_schema",
        render(&repository_schema(), &Focus::All)
    );
}

#[test]
fn rendering_is_deterministic() {
    for schema in [repository_schema(), city_schema(), generated_schema(120, 7)] {
        let a = render(&schema, &Focus::All);
        let b = render(&schema.clone(), &Focus::All);
        assert!(a == b, "two renderings differ");
    }
}

#[test]
fn cardinalities() {
    let d = parse(&render(&repository_schema(), &Focus::All));
    let r = |name: &str| d.refs.iter().find(|r| r.name == name).unwrap();
    // A nullable, non-unique reference: many rows, each with zero or one city.
    let stats = r("fk_CityAnnualStats_cityId_City");
    assert_eq!(
        (stats.from_card.as_str(), stats.to_card.as_str()),
        ("many", "zero-or-one")
    );
    // `@@unique([cityId])`: one contract per city.
    let contract = r("fk_ClimateCityContract_cityId_City");
    assert_eq!(contract.from_card, "one");
}

#[test]
fn fixtures_render_and_read_back() {
    for schema in [city_schema(), awkward_schema(), wide_schema(40, 6)] {
        let d = parse(&render(&schema, &Focus::All));
        let (tables, fks) = all_names(&schema);
        check_contents(&d, &schema, &tables, &fks);
        check_geometry(&d);
    }
}

#[test]
fn generated_schemas_geometry() {
    for (n, seed) in [(50, 1), (80, 2), (120, 3), (200, 4), (200, 5)] {
        let schema = generated_schema(n, seed);
        let start = std::time::Instant::now();
        let svg = render(&schema, &Focus::All);
        let took = start.elapsed();
        // The target is 1 s for 200 tables; a debug build takes about 20 ms.
        assert!(took.as_secs_f64() < 1.0, "{n} tables took {took:?}");
        let d = parse(&svg);
        let (tables, fks) = all_names(&schema);
        check_contents(&d, &schema, &tables, &fks);
        let crossings = check_geometry(&d);
        eprintln!(
            "{n} tables (seed {seed}): {} edges, {crossings} crossings, {}×{}, rendered in {took:?}",
            fks.len(),
            d.width,
            d.height
        );
    }
}

#[test]
fn group_focus_draws_the_group_and_what_it_references() {
    let schema = repository_schema();
    for g in &schema.groups {
        let d = parse(&render(&schema, &Focus::Group(g.name.clone())));
        let members: Vec<_> = schema
            .tables
            .iter()
            .filter(|t| t.group.as_ref() == Some(&g.name))
            .collect();
        let mut tables: BTreeSet<String> = members.iter().map(|t| t.name.clone()).collect();
        let mut fks = BTreeSet::new();
        for t in &members {
            for fk in &t.foreign_keys {
                tables.insert(fk.ref_table.clone());
                fks.insert(fk.name.clone());
            }
        }
        check_contents(&d, &schema, &tables, &fks);
        check_geometry(&d);
        assert!(d.groups.iter().any(|x| x.name == g.name));
    }
    // Tables outside the group are drawn: Emissions references City and Sector.
    let d = parse(&render(&schema, &Focus::Group("Emissions".into())));
    assert_eq!(
        d.names(),
        ["City", "EmissionRecord", "Sector"]
            .map(String::from)
            .into()
    );
}

#[test]
fn table_focus_draws_the_neighbours() {
    let schema = repository_schema();
    for t in &schema.tables {
        let d = parse(&render(&schema, &Focus::Table(t.name.clone())));
        let mut tables = BTreeSet::from([t.name.clone()]);
        let mut fks = BTreeSet::new();
        for fk in &t.foreign_keys {
            tables.insert(fk.ref_table.clone());
            fks.insert(fk.name.clone());
        }
        for (other, fk) in schema.referencing(&t.name) {
            tables.insert(other.name.clone());
            fks.insert(fk.name.clone());
        }
        check_contents(&d, &schema, &tables, &fks);
        check_geometry(&d);
        let focused: Vec<&str> = d
            .tables
            .iter()
            .filter(|x| x.focus)
            .map(|x| x.name.as_str())
            .collect();
        assert_eq!(focused, [t.name.as_str()]);
    }
    let d = parse(&render(&schema, &Focus::Table("City".into())));
    assert_eq!(d.tables.len(), 1 + schema.referencing("City").count());
}

#[test]
fn unknown_group_or_table_is_an_error() {
    let schema = repository_schema();
    let e = svg::render(&schema, &Focus::Group("Nope".into())).unwrap_err();
    assert!(
        e.contains("unknown group `Nope`") && e.contains("Core"),
        "{e}"
    );
    let e = svg::render(&schema, &Focus::Table("Nope".into())).unwrap_err();
    assert!(
        e.contains("unknown table `Nope`") && e.contains("City"),
        "{e}"
    );
}

#[test]
fn docs_are_tooltips() {
    let schema = repository_schema();
    let svg = render(&schema, &Focus::All);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    for t in schema.tables.iter().filter(|t| t.doc.is_some()) {
        let g = doc
            .descendants()
            .find(|n| n.attribute("data-table") == Some(t.name.as_str()))
            .unwrap();
        let title = g
            .children()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text());
        assert_eq!(title, t.doc.as_deref(), "the tooltip of {}", t.name);
    }
}

#[test]
fn empty_schema() {
    let d = parse(&render(&Schema::default(), &Focus::All));
    assert!(d.tables.is_empty() && d.refs.is_empty());
}
