//! `nzc_codegen::docs`: the Markdown documentation of the repository's `schema.nzc` and of
//! a feature schema (enums, tables outside groups, checks, indexes, `NULLS NOT DISTINCT`,
//! names that clash ignoring case, a Windows device name, pipes and newlines in text):
//! every link resolves, every column and foreign key is documented, escaping keeps table
//! rows intact, output is deterministic.

use std::collections::{BTreeMap, HashSet};

use nzc_codegen::docs::{self, Options};
use nzc_codegen::GeneratedFile;
use nzc_dsl::Schema;

const REPO_SCHEMA: &str = include_str!("../../schema.nzc");

const FEATURES: &str = r#"
/// Order states | with a pipe.
enum Status {
  draft
  "in review"
  done
}

/// Things | and more.
group "Shop & Co" {
  /// An order.
  /// Second line | with a pipe.
  table Order {
    orderId  uuid    @pk
    status   Status  @default(draft)
    label    varchar @default("a|b\nc")
    total    int     @default(0)
    code     varchar?
    /// A note | with a pipe.
    note     text?

    @@unique([code, label], nulls_not_distinct: true)
    @@index([total])
    @@check(label_ok, `"label" || '|' <> ''`)
  }
}

/// Slug clashes with the group above.
group "Shop Co" {
  table city {
    id      uuid    @pk
    orderId uuid?   @ref(Order.orderId, on_delete: cascade)
    state   Status?
  }
}

table City {
  id uuid @pk
  a  int
  b  int

  @@unique([a, b])
}

table con {
  id uuid @pk
  a  int?
  b  int?

  @@ref([a, b], City, [a, b])
}
"#;

fn compile(source: &str) -> Schema {
    nzc_dsl::compile(source, "test.nzc").unwrap_or_else(|d| panic!("{d}"))
}

fn options() -> Options {
    Options {
        source_name: "schema.nzc".into(),
    }
}

fn render(source: &str) -> BTreeMap<String, String> {
    let files = docs::render(&compile(source), &options());
    let n = files.len();
    let map: BTreeMap<String, String> = files
        .into_iter()
        .map(|GeneratedFile { path, contents }| (path, contents))
        .collect();
    assert_eq!(map.len(), n, "file paths are unique");
    map
}

/// The page of a table (its stem from the generator's own naming).
fn page_of(schema: &Schema, table: &str) -> String {
    let i = schema.tables.iter().position(|t| t.name == table).unwrap();
    format!("tables/{}.md", docs::table_stems(schema)[i])
}

// ----- links -------------------------------------------------------------------------------

/// Every `[text](target)` and `![alt](target)` of a Markdown page (not `\](`).
fn links(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(i) = rest.find("](") {
        let escaped = rest[..i].ends_with('\\');
        let after = &rest[i + 2..];
        let end = after.find(')').expect("a link target ends with `)`");
        if !escaped {
            out.push(after[..end].to_string());
        }
        rest = &after[end..];
    }
    out
}

/// The ids defined by `<a id="…">` (the only anchors the pages link to).
fn anchors(page: &str) -> HashSet<String> {
    page.split("<a id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

/// `dir/../x/y.md` → `x/y.md`.
fn normalize(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in target.split('/') {
        match p {
            "." | "" => {}
            ".." => {
                assert!(
                    parts.pop().is_some(),
                    "{target} leaves the output directory"
                );
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Checks that every relative link and image resolves to a generated file and, with a
/// fragment, to an anchor on that page; returns the number of links checked.
fn assert_links_resolve(files: &BTreeMap<String, String>) -> usize {
    let mut checked = 0;
    for (path, contents) in files.iter().filter(|(p, _)| p.ends_with(".md")) {
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        for target in links(contents) {
            assert!(
                !target.contains("://"),
                "{path}: only relative links: {target}"
            );
            let (file, fragment) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target.as_str(), None),
            };
            let resolved = if file.is_empty() {
                path.clone()
            } else {
                normalize(dir, file)
            };
            let Some(page) = files.get(&resolved) else {
                panic!("{path}: link {target} → {resolved}, which is not generated");
            };
            if let Some(fragment) = fragment {
                assert!(
                    anchors(page).contains(fragment),
                    "{path}: link {target}: no anchor `{fragment}` in {resolved}"
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_link_and_image_resolves() {
    for source in [REPO_SCHEMA, FEATURES] {
        let files = render(source);
        let checked = assert_links_resolve(&files);
        assert!(checked > 50, "{checked} links");
        // Every page and every diagram is reachable: the index and each page embed one.
        for (path, contents) in &files {
            if let Some(stem) = path.strip_suffix(".md") {
                if *path != docs::INDEX && *path != docs::ENUMS {
                    let svg = format!("{}.svg", stem.rsplit('/').next().unwrap());
                    assert!(contents.contains(&format!("]({svg})")), "{path}");
                }
            }
        }
        assert!(files[docs::INDEX].contains(&format!("]({})", docs::DIAGRAM)));
    }
}

#[test]
fn the_link_checker_finds_broken_links() {
    let mut files = render(FEATURES);
    let page = files.get_mut("tables/Order.md").unwrap();
    *page = page.replace("(#column-total)", "(#column-totl)");
    let result = std::panic::catch_unwind(|| assert_links_resolve(&files));
    assert!(result.is_err(), "a broken anchor is found");
    let mut files = render(FEATURES);
    files.remove("tables/Order.svg");
    let result = std::panic::catch_unwind(|| assert_links_resolve(&files));
    assert!(result.is_err(), "a missing image is found");
}

// ----- content of the repository's schema ------------------------------------------------

#[test]
fn repository_schema_every_table_column_and_foreign_key() {
    let schema = compile(REPO_SCHEMA);
    let files = render(REPO_SCHEMA);
    assert_eq!(schema.tables.len(), 17);
    assert_eq!(files.len(), 2 + 2 * 17, "{:?}", files.keys());
    assert!(!files.contains_key(docs::ENUMS), "no enums, no enums page");
    let index = &files[docs::INDEX];
    for t in &schema.tables {
        let page = page_of(&schema, &t.name);
        assert_eq!(page, format!("tables/{}.md", t.name), "plain names");
        assert!(files.contains_key(&format!("tables/{}.svg", t.name)));
        assert!(
            index.contains(&format!("| [`{}`]({page}) | {} |", t.name, t.columns.len())),
            "index row of {}",
            t.name
        );
        let contents = &files[&page];
        let columns = section(contents, "Columns");
        assert_eq!(
            columns
                .lines()
                .filter(|l| l.starts_with("| <a id="))
                .count(),
            t.columns.len(),
            "{}",
            t.name
        );
        for c in &t.columns {
            let ty = c.ty.pg();
            let nullable = if c.nullable { "yes" } else { "no" };
            assert!(
                columns.contains(&format!(
                    "| <a id=\"column-{0}\"></a>`{0}` | `{ty}` | {nullable} |",
                    c.name
                )),
                "{}.{}",
                t.name,
                c.name
            );
        }
        assert!(section(contents, "Primary key").contains(&format!("`{}`", t.primary_key.name)));
        for u in &t.uniques {
            assert!(section(contents, "Unique keys").contains(&format!("`{}`", u.name)));
        }
        if let Some(doc) = &t.doc {
            assert!(contents.contains(doc.as_str()), "{}", t.name);
        }
    }
    // Both ends of each of the 20 foreign keys link to the other table's page and columns.
    let mut fks = 0;
    for t in &schema.tables {
        for fk in &t.foreign_keys {
            fks += 1;
            let child = page_of(&schema, &t.name);
            let parent = page_of(&schema, &fk.ref_table);
            let child_file = child.trim_start_matches("tables/");
            let parent_file = parent.trim_start_matches("tables/");
            let by = section(&files[&parent], "Referenced by");
            let line = by
                .lines()
                .find(|l| l.contains(&format!("`{}`", fk.name)))
                .unwrap_or_else(|| panic!("{} not in {parent}'s referenced-by", fk.name));
            assert!(line.starts_with(&format!("| [`{}`]({child_file}) |", t.name)));
            for c in &fk.columns {
                assert!(
                    line.contains(&format!("({child_file}#column-{c})")),
                    "{line}"
                );
            }
            let refs = section(&files[&child], "References");
            let line = refs
                .lines()
                .find(|l| l.contains(&format!("`{}`", fk.name)))
                .unwrap_or_else(|| panic!("{} not in {child}'s references", fk.name));
            assert!(line.contains(&format!("[`{}`]({parent_file})", fk.ref_table)));
            for c in &fk.ref_columns {
                assert!(
                    line.contains(&format!("({parent_file}#column-{c})")),
                    "{line}"
                );
            }
        }
    }
    assert_eq!(fks, 20);
    let referenced_by_rows: usize = files
        .iter()
        .filter(|(p, _)| p.starts_with("tables/") && p.ends_with(".md"))
        .map(|(_, c)| table_rows(section(c, "Referenced by")).len())
        .sum();
    assert_eq!(referenced_by_rows, 20);
    // Every group, in order, with its anchor.
    let mut at = 0;
    for g in &schema.groups {
        let i = index[at..]
            .find(&format!("></a>{}\n", g.name.replace('&', "&amp;")))
            .unwrap_or_else(|| panic!("group {}", g.name));
        at += i;
    }
}

/// The text of `## title` up to the next `## ` heading (empty when absent).
fn section<'a>(page: &'a str, title: &str) -> &'a str {
    let heading = format!("\n## {title}\n");
    let Some(start) = page.find(&heading) else {
        return "";
    };
    let body = &page[start + heading.len()..];
    &body[..body.find("\n## ").unwrap_or(body.len())]
}

/// The body rows of the Markdown tables in `text` (header and delimiter rows left out).
fn table_rows(text: &str) -> Vec<&str> {
    let mut rows = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with('|') && lines.peek().is_some_and(|l| l.starts_with("| ---")) {
            lines.next();
            while let Some(row) = lines.next_if(|l| l.starts_with('|')) {
                rows.push(row);
            }
        }
    }
    rows
}

// ----- the feature schema ---------------------------------------------------------------

#[test]
fn file_names_are_safe_unique_and_stable() {
    let schema = compile(FEATURES);
    let stems = docs::table_stems(&schema);
    // `city` and `City` clash on case-insensitive file systems, `con` is a Windows device.
    assert_eq!(stems[0], "Order");
    for (stem, name) in stems[1..].iter().zip(["city", "City", "con"]) {
        let (base, hash) = stem.split_once('-').unwrap();
        assert_eq!(base, name);
        assert_eq!(hash.len(), 8);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    let folded: HashSet<String> = stems.iter().map(|s| s.to_ascii_lowercase()).collect();
    assert_eq!(folded.len(), stems.len());
    for stem in &stems {
        assert!(stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
    }
    // A stem depends on the table's name, not its position.
    let reordered = FEATURES.replace("table con {", "table con2 {");
    assert_eq!(docs::table_stems(&compile(&reordered))[..3], stems[..3]);
}

#[test]
fn pipes_and_newlines_do_not_break_table_rows() {
    let files = render(FEATURES);
    let mut rows = 0;
    for (path, contents) in files.iter().filter(|(p, _)| p.ends_with(".md")) {
        let mut lines = contents.lines().peekable();
        while let Some(header) = lines.next() {
            if !(header.starts_with('|') && lines.peek().is_some_and(|l| l.starts_with("| ---"))) {
                continue;
            }
            let width = cells(header);
            assert_eq!(cells(lines.next().unwrap()), width);
            while let Some(row) = lines.next_if(|l| l.starts_with('|')) {
                assert_eq!(cells(row), width, "{path}: {row}");
                rows += 1;
            }
        }
    }
    assert!(rows > 20);
    let order = &files["tables/Order.md"];
    // The check expression, the default (with a newline) and a column's note.
    assert!(
        order.contains(r#"| `ck_Order_label_ok` | `"label" \|\| '\|' <> ''` |"#),
        "{order}"
    );
    assert!(order.contains(r"| `'a\|b`<br>`c'` |"), "{order}");
    assert!(order.contains(r"| A note \| with a pipe. |"), "{order}");
    assert!(files[docs::INDEX].contains(r"| An order.<br>Second line \| with a pipe. |"));
}

/// The number of cells of a table row: `|` not escaped by a backslash, minus one.
fn cells(row: &str) -> usize {
    let bytes = row.as_bytes();
    let pipes = (0..bytes.len())
        .filter(|&i| bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\'))
        .count();
    pipes - 1
}

#[test]
fn keys_checks_indexes_and_enums() {
    let files = render(FEATURES);
    let order = &files["tables/Order.md"];
    assert!(section(order, "Unique keys").contains(
        "| `uq_Order_code` | [`code`](#column-code), [`label`](#column-label) | `NULLS NOT DISTINCT` |"
    ));
    assert!(
        section(order, "Indexes").contains("| `ix_Order_total` | [`total`](#column-total) | no |")
    );
    assert!(order.contains("| [`Status`](../enums.md#enum-Status) | no | `'draft'` |"));
    let schema = compile(FEATURES);
    let city_key = section(&files[&page_of(&schema, "City")], "Unique keys");
    assert!(city_key.contains("| distinct |"), "{city_key}");
    // The composite foreign key, on both pages.
    let con = page_of(&schema, "con");
    let con_file = con.trim_start_matches("tables/");
    let refs = section(&files[&con], "References");
    assert!(
        refs.contains("[`a`](#column-a), [`b`](#column-b)"),
        "{refs}"
    );
    let by = section(&files[&page_of(&schema, "City")], "Referenced by");
    assert!(by.contains(&format!(
        "[`a`]({con_file}#column-a), [`b`]({con_file}#column-b)"
    )));
    let city = page_of(&schema, "city");
    assert!(section(&files[&city], "References").contains("| CASCADE | NO ACTION |"));
    // The enum: values, where used; the index lists it.
    let enums = &files[docs::ENUMS];
    assert!(enums.contains("## <a id=\"enum-Status\"></a>Status\n"));
    assert!(enums.contains("- `draft`\n- `in review`\n- `done`\n"));
    let city_file = city.trim_start_matches("tables/");
    assert!(enums.contains(&format!(
        "Used by: [`Order`](tables/Order.md).[`status`](tables/Order.md#column-status), \
         [`city`](tables/{city_file}).[`state`](tables/{city_file}#column-state)."
    )));
    assert!(files[docs::INDEX].contains("| [`Status`](enums.md#enum-Status) | 3 |"));
    // Tables outside groups; group anchors made unique.
    let index = &files[docs::INDEX];
    assert!(index.contains("### <a id=\"ungrouped\"></a>Other tables\n"));
    assert!(index.contains("<a id=\"group-shop-co\"></a>Shop &amp; Co\n"));
    assert!(index.contains("<a id=\"group-shop-co-2\"></a>Shop Co\n"));
}

#[test]
fn output_is_deterministic_and_marked() {
    for source in [REPO_SCHEMA, FEATURES] {
        let schema = compile(source);
        let a = docs::render(&schema, &options());
        let b = docs::render(&compile(source), &options());
        assert_eq!(a, b);
        for f in &a {
            let marked = f
                .contents
                .lines()
                .take(3)
                .any(|l| l.contains(nzc_types::contract::GENERATED_MARKER));
            assert!(marked, "{} carries the generated marker", f.path);
            assert!(f.contents.ends_with('\n') && !f.contents.ends_with("\n\n"));
        }
        assert!(a[0].contents.starts_with(&format!(
            "<!-- {} from schema.nzc. Do not edit: change the schema and run `nzc docs`. -->\n",
            nzc_types::contract::GENERATED_MARKER
        )));
    }
    // A source name cannot end the comment early.
    let files = docs::render(
        &compile(FEATURES),
        &Options {
            source_name: "a-->b--c.nzc".into(),
        },
    );
    for f in &files {
        let first = f.contents.lines().next().unwrap();
        assert_eq!(first.matches("--").count(), 2, "{first}");
        assert!(first.starts_with("<!--") && first.ends_with("-->"));
    }
}

#[test]
fn escaping_helpers() {
    assert_eq!(docs::code("a|b", true), r"`a\|b`");
    assert_eq!(docs::code("a|b", false), "`a|b`");
    assert_eq!(docs::code("x `y` z", true), "``x `y` z``");
    assert_eq!(docs::code("`y`", true), "`` `y` ``");
    assert_eq!(docs::code("a\nb", true), "`a`<br>`b`");
    assert_eq!(
        docs::text("a|b\nc <d> & e_f", true),
        r"a\|b<br>c &lt;d> &amp; e\_f"
    );
    assert_eq!(docs::text(r"a\|b", true), r"a\\\|b");
}
