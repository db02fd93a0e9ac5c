//! Schema files printed from the model (`nzc db pull`): every round trip
//! compile → render → compile gives the schema back, the text is in the
//! `nzc fmt` layout, names are explicit only where the convention differs,
//! and what the language cannot write is reported.

#[allow(dead_code)]
#[path = "rust/schemas.rs"]
mod schemas;
mod support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use nzc_codegen::schema_file::{render, Problem, RenderError};
use nzc_dsl::naming::{render as fill, shorten, NameParts};
use nzc_dsl::{
    Check, ColumnType, DefaultValue as D, Enum, ForeignKey, Group, Index, Kind, Naming, PrimaryKey,
    ReferentialAction as A, Schema, Table, Unique,
};
use support::{col, names, numeric, opt, scalar, sized, varchar, with_default, with_doc};

// ----- helpers ----------------------------------------------------------------

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn compile(source: &str, what: &str) -> Schema {
    nzc_dsl::compile(source, what).unwrap_or_else(|d| panic!("{what}:\n{d}\n{source}"))
}

/// The schema without what a schema file does not carry (`renamed_from`).
fn comparable(mut s: Schema) -> Schema {
    for e in &mut s.enums {
        e.renamed_from = None;
    }
    for t in &mut s.tables {
        t.renamed_from = None;
        for c in &mut t.columns {
            c.renamed_from = None;
        }
    }
    s
}

/// Renders `s`, checks the text is formatted, compiles it back, and checks
/// that rendering the compiled schema gives the same text. Returns the text
/// and the compiled schema.
fn round_trip(s: &Schema, what: &str) -> (String, Schema) {
    let text = render(s).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(
        nzc_dsl::format(&text, "x.nzc").unwrap(),
        text,
        "{what}: not in the `nzc fmt` layout"
    );
    let back = compile(&text, what);
    assert_eq!(
        render(&back).unwrap(),
        text,
        "{what}: render(compile(render(s))) != render(s)"
    );
    (text, back)
}

/// [`round_trip`], and the compiled schema equals `s`.
fn assert_round_trip(s: &Schema, what: &str) -> String {
    let (text, back) = round_trip(s, what);
    assert_eq!(comparable(back), comparable(s.clone()), "{what}:\n{text}");
    text
}

fn problems(s: &Schema) -> Vec<Problem> {
    match render(s) {
        Err(RenderError::Unwritable(p)) => p,
        other => panic!("expected Unwritable, got {other:?}"),
    }
}

fn conv(template: &str, table: &str, columns: &[&str]) -> String {
    shorten(&fill(
        template,
        &NameParts {
            table,
            columns: &names(columns),
            ..NameParts::default()
        },
    ))
}

fn fk_conv(template: &str, table: &str, columns: &[&str], ref_table: &str) -> String {
    shorten(&fill(
        template,
        &NameParts {
            table,
            columns: &names(columns),
            ref_table,
            ..NameParts::default()
        },
    ))
}

fn check_conv(template: &str, table: &str, short: &str) -> String {
    shorten(&fill(
        template,
        &NameParts {
            table,
            name: short,
            ..NameParts::default()
        },
    ))
}

fn table(name: &str, group: Option<&str>, pk: &[&str], columns: Vec<nzc_dsl::Column>) -> Table {
    Table {
        name: name.into(),
        doc: None,
        group: group.map(Into::into),
        renamed_from: None,
        columns,
        primary_key: PrimaryKey {
            name: conv("pk_{table}", name, pk),
            columns: names(pk),
        },
        uniques: vec![],
        foreign_keys: vec![],
        indexes: vec![],
        checks: vec![],
    }
}

fn fk(name: &str, columns: &[&str], ref_table: &str, ref_columns: &[&str]) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: names(columns),
        ref_table: ref_table.into(),
        ref_columns: names(ref_columns),
        on_delete: A::NoAction,
        on_update: A::NoAction,
    }
}

fn unique(name: &str, columns: &[&str]) -> Unique {
    Unique {
        name: name.into(),
        columns: names(columns),
        nulls_not_distinct: false,
    }
}

fn check(name: &str, expr: &str) -> Check {
    Check {
        name: name.into(),
        expr: expr.into(),
    }
}

/// Runs of spaces squashed to one (the formatter aligns columns).
fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(c);
    }
    out
}

fn enum_col(name: &str, e: &str) -> nzc_dsl::Column {
    col(name, ColumnType::Enum(e.into()))
}

// ----- files of the repository ---------------------------------------------------

/// `schema.nzc`, the history fixtures, every migration's `schema.nzc`, and
/// the `.nzc` files of `codegen/tests/cases/*/` when there are any.
fn repository_files() -> Vec<PathBuf> {
    let root = root();
    let mut files = vec![root.join("schema.nzc")];
    for n in 1..=4 {
        files.push(root.join(format!("tests/fixtures/history/v{n}.nzc")));
    }
    let mut dirs_of = |dir: PathBuf, file: Option<&str>| {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut found: Vec<PathBuf> = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            match file {
                Some(f) => found.push(path.join(f)),
                None => {
                    if let Ok(inner) = std::fs::read_dir(&path) {
                        found.extend(inner.flatten().map(|e| e.path()));
                    }
                }
            }
        }
        found.retain(|p| p.extension().is_some_and(|e| e == "nzc") && p.is_file());
        found.sort();
        files.extend(found);
    };
    dirs_of(root.join("migrations"), Some("schema.nzc"));
    dirs_of(root.join("codegen/tests/cases"), None);
    files
}

#[test]
fn repository_files_round_trip() {
    let files = repository_files();
    assert!(files.len() >= 9, "{files:?}");
    for path in files {
        let what = path.strip_prefix(root()).unwrap().display().to_string();
        let source = std::fs::read_to_string(&path).unwrap();
        let schema = compile(&source, &what);
        assert_round_trip(&schema, &what);
    }
}

#[test]
fn schema_nzc_snapshot() {
    let source = std::fs::read_to_string(root().join("schema.nzc")).unwrap();
    let text = render(&compile(&source, "schema.nzc")).unwrap();
    insta::assert_snapshot!("schema_nzc", text);
}

/// A file with every construct, written the way people write (the one of the
/// formatter's tests, plus more).
const MESSY: &str = r#"
naming {
    check="chk_{table}_{name}"
  index  =  "idx_{table}_{columns}"
}
/// Status of a thing.
///
///   indented second paragraph
enum Status {
  draft
  "in review"   // spaces need quotes
  "done"
  "it's \"x\" \\ y"
}
table   Thing   {   // the thing
  /// The id.
  id    uuid   @pk(name: "thing_pkey")
  name varchar(40)?    @unique(name: "uq_thing_name")   @default("x \"y\"\n\tz")
  n  integer @default(-3) @unique
  amount numeric(12,2) @default(1.50)
  status Status @default(draft)
  other Status @default("in review")
  created timestamptz @default(now())
  day date @default(current_date)
  parent uuid? @ref(Thing.id, on_delete: set_null)
  d double   precision?
  c char(3) @default("abc")
  j jsonb @default(`'{"a": 1}'::jsonb`)
  @@index([name, n], unique: true) // both
  @@index([amount])
  @@check(positive, `"n" > -10`)
  @@check(named, `   "amount" >= 0   `)
  @@unique([amount, n])
  @@unique(d)
}

group "A & B" {
  table Other {
    id uuid @pk
    thing uuid @ref(Thing.id)
    n int
    @@ref([thing], Thing, [id], on_update: cascade, name: "other_thing_fkey")
  }
  table Third {
    a int
    b int
    @@pk([a, b])
  }
}

table Fourth {
  x int
  y int
  a int
  b int @unique
  @@pk([x, y], name: "fourth_pk")
  @@ref([a, b], Third, [a, b], on_delete: restrict)
  @@renamed_from(OldFourth)
}
"#;

#[test]
fn messy_file_round_trips() {
    let schema = compile(MESSY, "messy.nzc");
    assert_round_trip(&schema, "messy.nzc");
}

// ----- a hand-built model -------------------------------------------------------

fn long(prefix: &str, len: usize) -> String {
    let mut s = prefix.to_string();
    while s.len() < len {
        s.push('x');
    }
    s
}

/// Every type, every default, composite keys, actions, indexes, checks,
/// names over 63 bytes, a non-default naming block, enums with docs, groups.
fn everything() -> Schema {
    let naming = Naming {
        unique: "uq_{table}_{columns}".into(),
        index: "idx_{table}_{columns}".into(),
        check: "chk_{table}_{name}".into(),
        ..Naming::default()
    };

    let status = Enum {
        name: "Status".into(),
        values: names(&["draft", "in review", "done", "it's \"x\" \\ y", "tab\there"]),
        doc: Some(
            "Where a thing stands.\n\n  Indented line; \"quoted\" and a \\ backslash.".into(),
        ),
        renamed_from: None,
    };
    let plain = Enum {
        name: "Plain".into(),
        values: names(&["a"]),
        doc: None,
        renamed_from: None,
    };

    // Every type of the type table, plain, plus the parameterised ones.
    let mut columns = vec![col("id", scalar(Kind::Uuid))];
    for (i, info) in nzc_types::TYPES.iter().enumerate() {
        columns.push(opt(col(
            &format!("t{i}_{}", info.dsl.replace(' ', "_")),
            scalar(info.kind),
        )));
    }
    columns.push(col("v20", varchar(20)));
    columns.push(opt(col("c5", sized(Kind::Char, 5))));
    columns.push(col("n12_2", numeric(12, 2)));
    columns.push(col("n5_0", numeric(5, 0)));
    columns.push(enum_col("status", "Status"));
    columns.push(opt(enum_col("plain", "Plain")));
    let mut all_types = table("AllTypes", Some("A & B"), &["id"], columns);
    all_types.doc = Some("One column per type.".into());

    // Every default.
    let tricky =
        "it's \"quoted\" \\ back\nnew\ttab\r\ncrlf ✓ `tick` // not a comment /// nor a doc";
    let defaults = table(
        "Defaults",
        None,
        &["id"],
        vec![
            with_default(
                col("id", scalar(Kind::Uuid)),
                D::Expr("gen_random_uuid()".into()),
            ),
            with_default(col("i", scalar(Kind::Int)), D::Integer("0".into())),
            with_default(
                col("s", scalar(Kind::SmallInt)),
                D::Integer("-32768".into()),
            ),
            with_default(col("b", scalar(Kind::BigInt)), D::Integer("-42".into())),
            with_default(col("n", numeric(12, 2)), D::Decimal("1.50".into())),
            with_default(col("nn", scalar(Kind::Numeric)), D::Integer("7".into())),
            with_default(col("r", scalar(Kind::Real)), D::Decimal("0.25".into())),
            with_default(col("dbl", scalar(Kind::Double)), D::Decimal("-0.5".into())),
            with_default(col("txt", scalar(Kind::Text)), D::String(tricky.into())),
            with_default(col("empty", scalar(Kind::Text)), D::String(String::new())),
            with_default(col("v", varchar(3)), D::String("a\"b".into())),
            with_default(col("ch", sized(Kind::Char, 2)), D::String("\\\\".into())),
            with_default(col("by", scalar(Kind::Bytea)), D::String("\\x00ff".into())),
            with_default(
                col("u", scalar(Kind::Uuid)),
                D::String("123e4567-e89b-12d3-a456-426614174000".into()),
            ),
            with_default(
                col("dt", scalar(Kind::Date)),
                D::String("2024-02-29".into()),
            ),
            with_default(col("tm", scalar(Kind::Time)), D::String("12:30:00".into())),
            with_default(
                col("ts", scalar(Kind::Timestamp)),
                D::String("2024-01-01 00:00:00".into()),
            ),
            with_default(
                col("tz", scalar(Kind::Timestamptz)),
                D::String("2024-01-01T00:00:00+02".into()),
            ),
            with_default(
                col("js", scalar(Kind::Json)),
                D::String("{\"a\": [1, \"two\"]}".into()),
            ),
            with_default(
                col("jb", scalar(Kind::Jsonb)),
                D::Expr("'{}'::jsonb".into()),
            ),
            with_default(col("yes", scalar(Kind::Boolean)), D::Bool(true)),
            with_default(col("no", scalar(Kind::Boolean)), D::Bool(false)),
            with_default(
                col("now", scalar(Kind::Timestamptz)),
                D::Expr("now()".into()),
            ),
            with_default(
                col("today", scalar(Kind::Date)),
                D::Expr("CURRENT_DATE".into()),
            ),
            with_default(
                col("esc", scalar(Kind::Text)),
                D::Expr("E'a\\nb' || 'it''s' || \"x\"::text".into()),
            ),
            with_default(enum_col("st", "Status"), D::String("in review".into())),
            with_default(
                enum_col("st2", "Status"),
                D::String("it's \"x\" \\ y".into()),
            ),
            with_default(
                enum_col("st3", "Status"),
                D::Expr("'done'::\"Status\"".into()),
            ),
            with_doc(
                with_default(opt(col("doc", scalar(Kind::Text))), D::String("//".into())),
                "First line.\n\n    indented code\nlast: `x` \"y\" \\ /// //",
            ),
        ],
    );

    // Composite keys, actions, explicit names, column-level and table-level uniques.
    let mut parent = table(
        "Parent",
        Some("Core"),
        &["a", "b"],
        vec![
            col("a", scalar(Kind::Int)),
            col("b", varchar(10)),
            col("code", scalar(Kind::Text)),
            opt(col("label", scalar(Kind::Text))),
        ],
    );
    parent.doc = Some("A parent.\nSecond line.".into());
    parent.primary_key.name = "parent_pkey".into();
    parent.uniques = vec![
        unique(&conv(&naming.unique, "Parent", &["code"]), &["code"]),
        unique("parent_label_key", &["label"]),
        unique(
            &conv(&naming.unique, "Parent", &["code", "label"]),
            &["code", "label"],
        ),
    ];
    // A database's own check name: written with `name: "…"`.
    parent.checks = vec![check("parent_code_check", "code <> ''")];
    parent.indexes = vec![
        Index {
            name: conv(&naming.index, "Parent", &["label"]),
            columns: names(&["label"]),
            unique: false,
        },
        Index {
            name: "parent_lower_code".into(),
            columns: names(&["code", "b"]),
            unique: true,
        },
    ];

    let mut child = table(
        "Child",
        Some("Core"),
        &["id"],
        vec![
            col("id", scalar(Kind::BigInt)),
            opt(col("pa", scalar(Kind::Int))),
            opt(col("pb", varchar(10))),
            opt(col("code", scalar(Kind::Text))),
            col("z", scalar(Kind::Int)),
            col("y", scalar(Kind::Int)),
            col("dflt", scalar(Kind::Int)),
        ],
    );
    child.primary_key.name = "child_pk".into();
    child.uniques = vec![
        // y comes after z, so z (second) cannot be written on its column.
        unique(&conv(&naming.unique, "Child", &["y"]), &["y"]),
        unique(&conv(&naming.unique, "Child", &["z"]), &["z"]),
        unique("child_y_z", &["y", "z"]),
    ];
    child.foreign_keys = vec![
        ForeignKey {
            on_delete: A::SetNull,
            on_update: A::SetDefault,
            ..fk("child_code_fkey", &["code"], "Parent", &["code"])
        },
        ForeignKey {
            on_delete: A::SetDefault,
            ..fk(
                &fk_conv(&naming.foreign_key, "Child", &["dflt"], "Child"),
                &["dflt"],
                "Child",
                &["z"],
            )
        },
        // Composite: at the table level, so every later one is too.
        ForeignKey {
            on_delete: A::Cascade,
            on_update: A::Restrict,
            ..fk(
                &fk_conv(&naming.foreign_key, "Child", &["pa", "pb"], "Parent"),
                &["pa", "pb"],
                "Parent",
                &["a", "b"],
            )
        },
    ];
    child.indexes = vec![Index {
        name: conv(&naming.index, "Child", &["y", "code"]),
        columns: names(&["y", "code"]),
        unique: false,
    }];
    child.checks = vec![
        check(&check_conv(&naming.check, "Child", "positive"), "\"z\" > 0"),
        check(
            &check_conv(&naming.check, "Child", "y_lt_z"),
            "y < z AND code <> ''",
        ),
        check(&check_conv(&naming.check, "Child", "c"), "code IS NOT NULL"),
    ];

    // Names over 63 bytes: the convention shortens them; one is shortened
    // differently and needs an explicit name.
    let lt = long("LongTable_", 62);
    let lc = long("longColumn_", 60);
    let mut long_table = table(
        &lt,
        None,
        &["id"],
        vec![
            col("id", scalar(Kind::Int)),
            col(&lc, scalar(Kind::BigInt)),
            col("other", scalar(Kind::Int)),
        ],
    );
    long_table.uniques = vec![
        unique(&conv(&naming.unique, &lt, &[&lc]), &[&lc]),
        unique(&shorten(&format!("uq_{lt}_{lc}_by_hand")), &["other"]),
    ];
    long_table.foreign_keys = vec![fk(
        &fk_conv(&naming.foreign_key, &lt, &["other"], "Child"),
        &["other"],
        "Child",
        &["z"],
    )];
    long_table.indexes = vec![Index {
        name: conv(&naming.index, &lt, &["other", &lc]),
        columns: names(&["other", &lc]),
        unique: true,
    }];
    assert!(long_table.uniques[0].name.len() == 63 && long_table.primary_key.name.len() == 63);

    Schema {
        naming,
        enums: vec![status, plain],
        tables: vec![all_types, parent, child, defaults, long_table],
        groups: vec![
            Group {
                name: "A & B".into(),
                doc: Some("Types.\nAll of them.".into()),
                tables: names(&["AllTypes"]),
            },
            Group {
                name: "Core".into(),
                doc: None,
                tables: names(&["Parent", "Child"]),
            },
        ],
    }
}

#[test]
fn hand_built_model_round_trips() {
    let s = everything();
    let text = assert_round_trip(&s, "everything");
    insta::assert_snapshot!("everything", text);

    // The naming block holds only what differs from the default.
    assert!(text.starts_with(
        "naming {\n  unique = \"uq_{table}_{columns}\"\n  index  = \"idx_{table}_{columns}\"\n  check  = \"chk_{table}_{name}\"\n}\n"
    ));
    // Explicit names exactly where the convention differs.
    let lt = long("LongTable_", 62);
    let lc = long("longColumn_", 60);
    let mut explicit: Vec<&str> = text
        .match_indices("name: \"")
        .map(|(i, _)| {
            let rest = &text[i + 7..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    explicit.sort_unstable();
    let by_hand = shorten(&format!("uq_{lt}_{lc}_by_hand"));
    let mut expected = vec![
        "child_code_fkey",
        "child_pk",
        "child_y_z",
        "parent_label_key",
        "parent_code_check",
        "parent_lower_code",
        "parent_pkey",
        by_hand.as_str(),
    ];
    expected.sort_unstable();
    assert_eq!(explicit, expected);
    // Check short names recovered from the final names.
    assert!(text.contains("@@check(positive, `\"z\" > 0`)"), "{text}");
    assert!(text.contains("@@check(y_lt_z, "), "{text}");
    assert!(text.contains("@@check(c, "), "{text}");
    assert!(
        text.contains("@@check(parent_code_check, `code <> ''`, name: \"parent_code_check\")"),
        "{text}"
    );
    // Column level where the order allows it (white space squashed).
    let flat = squash(&text);
    for expected in [
        "y int @unique\n",
        "@@unique([z])\n",
        "code text @unique\n",
        "label text? @unique(name: \"parent_label_key\")\n",
        "@@unique([code, label])\n",
        "@@pk([a, b], name: \"parent_pkey\")\n",
        "id bigint @pk(name: \"child_pk\")\n",
        "code text? @ref(Parent.code, on_delete: set_null, on_update: set_default, name: \"child_code_fkey\")\n",
        "dflt int @ref(Child.z, on_delete: set_default)\n",
        "@@ref([pa, pb], Parent, [a, b], on_delete: cascade, on_update: restrict)\n",
        "@@index([label])\n",
        "@@index([code, b], unique: true, name: \"parent_lower_code\")\n",
        "@@index([y, code])\n",
        // Defaults.
        r#"@default("it's \"quoted\" \\ back\nnew\ttab"#,
        "@default(`now()`)",
        "@default(-32768)",
        "@default(1.50)",
        "@default(true)",
        "@default(\"in review\")",
        "@default(`'done'::\"Status\"`)",
        // Enum values: identifiers bare, the rest quoted.
        "draft\n \"in review\"\n done\n \"it's \\\"x\\\" \\\\ y\"\n \"tab\\there\"\n",
    ] {
        assert!(flat.contains(expected), "{expected}\n{text}");
    }
    // renamed_from is never printed.
    let mut renamed = s.clone();
    renamed.tables[1].renamed_from = Some("OldParent".into());
    renamed.tables[1].columns[0].renamed_from = Some("oldA".into());
    renamed.enums[0].renamed_from = Some("OldStatus".into());
    assert_eq!(render(&renamed).unwrap(), text);
}

#[test]
fn rendering_is_deterministic() {
    let s = everything();
    assert_eq!(render(&s).unwrap(), render(&s.clone()).unwrap());
}

#[test]
fn default_naming_prints_no_naming_block() {
    let s = Schema {
        tables: vec![table(
            "T",
            None,
            &["id"],
            vec![col("id", scalar(Kind::Int))],
        )],
        ..Schema::default()
    };
    assert_eq!(
        assert_round_trip(&s, "plain"),
        "table T {\n  id int @pk\n}\n"
    );
    assert_eq!(render(&Schema::default()).unwrap(), "");
}

#[test]
fn shared_fixture_models_round_trip() {
    // The DBML/Mermaid fixture, except its one foreign key the compiler
    // rejects (smallint → int), made consistent here.
    let mut city = support::city_schema();
    for t in &mut city.tables {
        for c in &mut t.columns {
            if t.name == "CityYearNote" && c.name == "year" {
                c.ty = scalar(Kind::Int);
            }
        }
    }
    assert_round_trip(&city, "city_schema");
    assert_round_trip(&schemas::relation_names_schema(), "relation_names");
    // Random models whose foreign keys all resolve (the Rust renderer's).
    for seed in 0..40 {
        let mut s = schemas::relations_schema_within(seed, 40);
        // Its random foreign key names (quotes, spaces…) are written as
        // explicit names; PostgreSQL's limit still holds.
        for t in &mut s.tables {
            t.foreign_keys.retain(|fk| fk.name.len() <= 63);
        }
        assert_round_trip(&s, &format!("relations {seed}"));
    }
}

// ----- check constraint names -----------------------------------------------------

#[test]
fn unconventional_check_names_are_explicit() {
    let mut t = table(
        "Order",
        None,
        &["id"],
        vec![
            col("id", scalar(Kind::Int)),
            col("amount", scalar(Kind::Int)),
        ],
    );
    t.checks = vec![
        // PostgreSQL's own naming, as `db pull` finds it.
        check("Order_amount_check", "amount > 0"),
        check("ck_Order_positive", "id > 0"),
    ];
    let s = Schema {
        tables: vec![t],
        ..Schema::default()
    };
    let text = assert_round_trip(&s, "order");
    assert_eq!(
        text,
        "table Order {\n  id     int @pk\n  amount int\n\n  @@check(Order_amount_check, `amount > 0`, name: \"Order_amount_check\")\n  @@check(positive, `id > 0`)\n}\n"
    );
}

#[test]
fn explicit_check_names_get_unique_short_names() {
    let lt = long("T", 60);
    let l62 = long("L", 62);
    let l61 = &l62[..61];
    let mut t = table(&lt, None, &["id"], vec![col("id", scalar(Kind::Int))]);
    t.checks = vec![
        // Derived short names that clash: with each other, with a recovered one.
        check("a-b", "id > 1"),
        check("a b", "id > 2"),
        check("a_b_2", "id > 3"),
        check(&check_conv("ck_{table}_{name}", "T", "x"), "id > 4"),
        check("1st check ✓", "id > 5"),
        check(&format!("{l62}_"), "id > 6"),
        check(&format!("{l62}!"), "id > 7"),
        // Default template, long table: shortening cut off the short name.
        check(&check_conv("ck_{table}_{name}", &lt, "positive"), "id > 8"),
    ];
    let mut other = table("T", None, &["id"], vec![col("id", scalar(Kind::Int))]);
    other.checks = vec![
        check("ck_T_a_b", "id > 0"),
        check("a_b", "id > 1"),
        check("ck_T_x", "id > 2"),
        check("x", "id > 3"),
    ];
    let s = Schema {
        tables: vec![t, other],
        ..Schema::default()
    };
    let text = assert_round_trip(&s, "explicit checks");
    assert!(!text.contains("naming"), "{text}");
    let shortened = check_conv("ck_{table}_{name}", &lt, "positive");
    for expected in [
        "@@check(a_b, `id > 1`, name: \"a-b\")\n".to_string(),
        "@@check(a_b_2, `id > 2`, name: \"a b\")\n".into(),
        "@@check(a_b_2_2, `id > 3`, name: \"a_b_2\")\n".into(),
        "@@check(ck_T_x, `id > 4`, name: \"ck_T_x\")\n".into(),
        "@@check(_1st_check__, `id > 5`, name: \"1st check ✓\")\n".into(),
        format!("@@check({l62}_, `id > 6`, name: \"{l62}_\")\n"),
        format!("@@check({l61}_2, `id > 7`, name: \"{l62}!\")\n"),
        format!("@@check({shortened}, `id > 8`, name: \"{shortened}\")\n"),
        // Table `T`: recovered short names first, then the explicit ones.
        "@@check(a_b, `id > 0`)\n".into(),
        "@@check(a_b_2, `id > 1`, name: \"a_b\")\n".into(),
        "@@check(x, `id > 2`)\n".into(),
        "@@check(x_2, `id > 3`, name: \"x\")\n".into(),
    ] {
        assert!(text.contains(&expected), "{expected}\n{text}");
    }
}

#[test]
fn shortened_check_names() {
    // Default template, long table: the short name is cut off by the
    // shortening, so the name is explicit.
    let lt = long("T", 60);
    let mut t = table(&lt, None, &["id"], vec![col("id", scalar(Kind::Int))]);
    let shortened = check_conv("ck_{table}_{name}", &lt, "positive");
    t.checks = vec![check(&shortened, "id > 0")];
    let s = Schema {
        tables: vec![t.clone()],
        ..Schema::default()
    };
    let text = assert_round_trip(&s, "long default");
    assert!(text.contains(&format!("name: \"{shortened}\")")), "{text}");
    assert!(!text.contains("naming"), "{text}");

    // A template with the name first keeps it in the shortened name: recovered.
    let naming = Naming {
        check: "{name}_ck_{table}".into(),
        ..Naming::default()
    };
    t.checks = vec![check(&check_conv(&naming.check, &lt, "positive"), "id > 0")];
    assert_eq!(t.checks[0].name.len(), 63);
    let s = Schema {
        naming,
        tables: vec![t],
        ..Schema::default()
    };
    let text = assert_round_trip(&s, "long name first");
    assert!(text.contains("@@check(positive, `id > 0`)"), "{text}");
}

#[test]
fn check_template_without_name() {
    let naming = Naming {
        check: "ck_{table}".into(),
        ..Naming::default()
    };
    let mut t = table("T", None, &["id"], vec![col("id", scalar(Kind::Int))]);
    t.checks = vec![check("ck_T", "id > 0")];
    let s = Schema {
        naming,
        tables: vec![t],
        ..Schema::default()
    };
    let text = assert_round_trip(&s, "no {name}");
    assert!(text.contains("@@check(check, `id > 0`)"), "{text}");
}

// ----- order of constraints ---------------------------------------------------------

#[test]
fn constraint_order_is_kept() {
    let n = Naming::default();
    let mut t = table(
        "T",
        None,
        &["id"],
        vec![
            col("id", scalar(Kind::Int)),
            col("a", scalar(Kind::Int)),
            col("b", scalar(Kind::Int)),
            col("c", scalar(Kind::Int)),
        ],
    );
    // A composite first: nothing can be written on a column.
    t.uniques = vec![
        unique("t_a_b", &["a", "b"]),
        unique(&conv(&n.unique, "T", &["b"]), &["b"]),
        unique(&conv(&n.unique, "T", &["a"]), &["a"]),
    ];
    // b then a: b on its column, a at the table level.
    t.foreign_keys = vec![
        fk(
            &fk_conv(&n.foreign_key, "T", &["c"], "T"),
            &["c"],
            "T",
            &["b"],
        ),
        fk(
            &fk_conv(&n.foreign_key, "T", &["b"], "T"),
            &["b"],
            "T",
            &["a"],
        ),
        fk("t_self", &["a", "b"], "T", &["a", "b"]),
    ];
    let s = Schema {
        tables: vec![t],
        ..Schema::default()
    };
    let text = assert_round_trip(&s, "order");
    assert_eq!(
        text,
        "table T {\n  id int @pk\n  a  int\n  b  int\n  c  int @ref(T.b)\n\n  @@unique([a, b], name: \"t_a_b\")\n  @@unique([b])\n  @@unique([a])\n  @@ref([b], T, [a])\n  @@ref([a, b], T, [a, b], name: \"t_self\")\n}\n"
    );
}

// ----- groups -----------------------------------------------------------------------

#[test]
fn groups_keep_their_place_and_order() {
    let t = |name: &str, group: Option<&str>| {
        table(name, group, &["id"], vec![col("id", scalar(Kind::Int))])
    };
    let group = |name: &str, tables: &[&str]| Group {
        name: name.into(),
        doc: Some(format!("Group {name}.")),
        tables: names(tables),
    };
    let s = Schema {
        tables: vec![
            t("A", None),
            t("B", Some("g 1")),
            t("C", Some("g 1")),
            t("D", None),
            t("E", Some("G2")),
        ],
        groups: vec![
            group("Empty", &[]),
            group("g 1", &["B", "C"]),
            group("G2", &["E"]),
            group("Last", &[]),
        ],
        ..Schema::default()
    };
    let text = assert_round_trip(&s, "groups");
    assert!(text.contains("group \"g 1\" {\n  table B {"), "{text}");

    // Tables of a group that are not contiguous are printed together: the
    // compiled order follows the file.
    let s = Schema {
        tables: vec![t("A", Some("G")), t("B", None), t("C", Some("G"))],
        groups: vec![group("G", &["A", "C"])],
        ..Schema::default()
    };
    let (_, back) = round_trip(&s, "split group");
    let order: Vec<&str> = back.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(order, ["A", "C", "B"]);
    assert_eq!(back.groups, s.groups);
}

// ----- defaults that come back different --------------------------------------------------

#[test]
fn defaults_that_are_not_literals_are_written_as_sql() {
    let t = table(
        "T",
        None,
        &["id"],
        vec![
            col("id", scalar(Kind::Int)),
            with_default(col("x", scalar(Kind::Double)), D::Decimal("1e3".into())),
            with_default(
                col("y", scalar(Kind::Text)),
                D::Expr("  'padded'::text  ".into()),
            ),
        ],
    );
    let s = Schema {
        tables: vec![t],
        ..Schema::default()
    };
    let (text, back) = round_trip(&s, "not literals");
    assert!(text.contains("@default(`1e3`)"), "{text}");
    let c = &back.tables[0].columns;
    assert_eq!(c[1].default, Some(D::Expr("1e3".into())));
    assert_eq!(c[2].default, Some(D::Expr("'padded'::text".into())));
    // Same SQL text.
    assert_eq!(c[1].default.as_ref().unwrap().sql(), "1e3");
}

// ----- what cannot be written ---------------------------------------------------------

#[test]
fn unwritable_names_and_expressions_are_reported() {
    let mut bad = table(
        "order items",
        None,
        &["1st"],
        vec![
            col("1st", scalar(Kind::Int)),
            with_default(col("tick", scalar(Kind::Text)), D::Expr("'`'::text".into())),
            with_default(col("multi", scalar(Kind::Text)), D::Expr("'a\nb'".into())),
            with_default(col("blank", scalar(Kind::Text)), D::Expr("  ".into())),
            col(&long("c", 64), scalar(Kind::Int)),
        ],
    );
    bad.checks = vec![
        // Written with `name: "odd check"`.
        check("odd check", "true"),
        check("ck_order items_fine", "`x`"),
        check("", "true"),
        check(&long("k", 64), "true"),
    ];
    bad.uniques = vec![unique(&long("u", 64), &["1st"])];
    let mut no_pk = table("NoPk", None, &[], vec![col("id", scalar(Kind::Int))]);
    no_pk.primary_key.name = String::new();
    let s = Schema {
        enums: vec![
            Enum {
                name: "text".into(),
                values: names(&["a", ""]),
                doc: None,
                renamed_from: None,
            },
            Enum {
                name: "my enum".into(),
                values: names(&["a"]),
                doc: None,
                renamed_from: None,
            },
        ],
        tables: vec![bad, no_pk],
        ..Schema::default()
    };
    let got: Vec<String> = problems(&s).iter().map(ToString::to_string).collect();
    let c64 = long("c", 64);
    let u64_ = long("u", 64);
    let k64 = long("k", 64);
    let expected = [
        "enum `text`: it is spelled like a built-in type, so a column of this type would be read as that type".to_string(),
        "value `` of enum `text`: the name is empty".into(),
        "enum `my enum`: a schema file writes this name as an identifier (ASCII letters, digits and `_`, not starting with a digit), and it is not one".into(),
        "table `order items`: a schema file writes this name as an identifier (ASCII letters, digits and `_`, not starting with a digit), and it is not one".into(),
        "column `1st` of table `order items`: a schema file writes this name as an identifier (ASCII letters, digits and `_`, not starting with a digit), and it is not one".into(),
        format!("column `{c64}` of table `order items`: it is longer than PostgreSQL's 63 bytes"),
        format!("the name of unique constraint `{u64_}` of table `order items`: it is longer than PostgreSQL's 63 bytes"),
        "the default of column `tick` of table `order items`: the SQL expression contains a backtick, which would end it in a schema file (`…`)".into(),
        "the default of column `multi` of table `order items`: the SQL expression contains a line break, and in a schema file it is written on one line".into(),
        "the default of column `blank` of table `order items`: the SQL expression is empty".into(),
        "check constraint `ck_order items_fine` of table `order items`: the SQL expression contains a backtick, which would end it in a schema file (`…`)".into(),
        "the name of check constraint `` of table `order items`: the name is empty".into(),
        format!("the name of check constraint `{k64}` of table `order items`: it is longer than PostgreSQL's 63 bytes"),
        "table `NoPk`: it has no primary key, and every table of a schema file has one".into(),
    ];
    assert_eq!(got, expected);
}

#[test]
fn awkward_fixture_is_reported_whole() {
    let err = render(&support::awkward_schema()).unwrap_err();
    insta::assert_snapshot!("awkward_names_error", err.to_string());
}

#[test]
fn invalid_models_are_reported_with_the_compiler_diagnostics() {
    let mut t = table(
        "T",
        None,
        &["id"],
        vec![col("id", scalar(Kind::Int)), col("p", scalar(Kind::Int))],
    );
    t.foreign_keys = vec![fk("fk_T_p_Missing", &["p"], "Missing", &["id"])];
    let s = Schema {
        tables: vec![t],
        ..Schema::default()
    };
    let Err(RenderError::Invalid(d)) = render(&s) else {
        panic!("expected Invalid");
    };
    let text = d.render();
    assert!(text.contains("E0003"), "{text}");
    assert!(text.contains("pulled.nzc"), "{text}");
    assert!(RenderError::Invalid(d).to_string().starts_with(
        "the schema model is not valid: the schema file printed from it does not compile\n"
    ));
}

// ----- random files ---------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn word(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| (b'a' + self.below(26) as u8) as char)
            .collect()
    }
    fn doc(&mut self, indent: &str) -> String {
        const LINES: &[&str] = &["A doc.", "", "  indented", "`code` \"q\" \\ //", "✓ é 漢"];
        (0..1 + self.below(3))
            .map(|_| {
                let l = LINES[self.below(LINES.len())];
                if l.is_empty() {
                    format!("{indent}///\n")
                } else {
                    format!("{indent}/// {l}\n")
                }
            })
            .collect()
    }
}

/// A random schema file the compiler accepts: names of every length (up to
/// 63 bytes, so conventional names get shortened), single and composite keys,
/// column-level and table-level constraints in every order, explicit names,
/// checks, defaults of every kind, enums, groups and a naming block.
fn random_file(seed: u64) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out = String::new();
    let mut used: HashSet<String> = HashSet::new();
    let mut counter = 0;
    let mut fresh = |used: &mut HashSet<String>| {
        counter += 1;
        let n = format!("n{counter}_{seed}");
        used.insert(n.clone());
        n
    };
    let mut naming = Naming::default();
    if rng.chance(40) {
        naming.unique = ["uq_{table}_{columns}", "{table}_{column}_key"][rng.below(2)].into();
        naming.check = ["chk_{table}_{name}", "{name}_ck_{table}", "{name}"][rng.below(3)].into();
        naming.foreign_key = "fk_{table}_{columns}_{ref_table}_{ref_column}".into();
        out.push_str(&format!(
            "naming {{\n  unique = \"{}\"\n  check = \"{}\"\n  foreign_key = \"{}\"\n}}\n",
            naming.unique, naming.check, naming.foreign_key
        ));
    }
    let enums: Vec<(String, Vec<String>)> = (0..rng.below(3))
        .map(|e| {
            let values = (0..1 + rng.below(4))
                .map(|v| {
                    if rng.chance(30) {
                        format!("v {v}")
                    } else {
                        format!("v{v}")
                    }
                })
                .collect();
            (format!("E{e}"), values)
        })
        .collect();
    for (name, values) in &enums {
        if rng.chance(50) {
            out.push_str(&rng.doc(""));
        }
        out.push_str(&format!("enum {name} {{\n"));
        for v in values {
            if v.contains(' ') {
                out.push_str(&format!("  \"{v}\"\n"));
            } else {
                out.push_str(&format!("  {v}\n"));
            }
        }
        out.push_str("}\n");
    }

    // (name, pk columns with their types)
    let mut tables: Vec<(String, Vec<(String, &str)>)> = Vec::new();
    let n_tables = 1 + rng.below(6);
    let mut group_open = false;
    for ti in 0..n_tables {
        if !group_open && rng.chance(25) {
            out.push_str(&format!("group G{ti} {{\n"));
            group_open = true;
        }
        let name = if rng.chance(25) {
            let len = 40 + rng.below(20);
            format!("T{ti}_{}", rng.word(len))
        } else {
            format!("T{ti}")
        };
        let mut cols: Vec<(String, String)> = Vec::new(); // (column line, name)
        let mut block: Vec<String> = Vec::new();
        let mut col_names: Vec<String> = Vec::new();
        // Key columns.
        let key_ty = ["int", "uuid", "bigint", "varchar(12)"][rng.below(4)];
        let composite = rng.chance(25);
        let mut pk: Vec<(String, &str)> = vec![("id".into(), key_ty)];
        if composite {
            pk.push(("k".into(), "int"));
        }
        let explicit_pk = if rng.chance(30) {
            format!("name: \"{}\"", fresh(&mut used))
        } else {
            String::new()
        };
        if composite {
            cols.push(("id".into(), format!("id {key_ty}")));
            cols.push(("k".into(), "k int".into()));
            let args = if explicit_pk.is_empty() {
                String::new()
            } else {
                format!(", {explicit_pk}")
            };
            block.push(format!("@@pk([id, k]{args})"));
        } else {
            let args = if explicit_pk.is_empty() {
                String::new()
            } else {
                format!("({explicit_pk})")
            };
            cols.push(("id".into(), format!("id {key_ty} @pk{args}")));
        }
        col_names.extend(cols.iter().map(|(n, _)| n.clone()));
        // Other columns.
        let n_cols = rng.below(7);
        for ci in 0..n_cols {
            let cname = if rng.chance(20) {
                let len = 30 + rng.below(30);
                format!("c{ci}{}", rng.word(len))
            } else {
                format!("c{ci}")
            };
            let (ty, default): (String, Option<String>) = match rng.below(12) {
                0 => (
                    "int".into(),
                    Some(format!("{}", rng.below(100) as i64 - 50)),
                ),
                1 => ("numeric(10,2)".into(), Some("12.25".into())),
                2 => (
                    "text".into(),
                    Some("\"a \\\"b\\\" \\\\ c\\n\\td ✓\"".into()),
                ),
                3 => ("varchar(5)".into(), Some("\"abc\"".into())),
                4 => (
                    "boolean".into(),
                    Some(["true", "false"][rng.below(2)].into()),
                ),
                5 => (
                    "timestamptz".into(),
                    Some(["now()", "`now()`", "current_timestamp"][rng.below(3)].into()),
                ),
                6 => (
                    "jsonb".into(),
                    Some(["`'{}'::jsonb`", "\"{\\\"a\\\": 1}\""][rng.below(2)].into()),
                ),
                7 => (
                    "uuid".into(),
                    Some(
                        [
                            "gen_random_uuid()",
                            "\"123e4567-e89b-12d3-a456-426614174000\"",
                        ][rng.below(2)]
                        .into(),
                    ),
                ),
                8 => ("date".into(), Some("\"2020-01-31\"".into())),
                9 if !enums.is_empty() => {
                    let (e, values) = &enums[rng.below(enums.len())];
                    let v = &values[rng.below(values.len())];
                    (e.clone(), Some(format!("\"{v}\"")))
                }
                10 => ("double precision".into(), Some("-0.5".into())),
                _ => (
                    ["smallint", "real", "bytea", "time", "char(2)", "json"][rng.below(6)].into(),
                    None,
                ),
            };
            let nullable = rng.chance(40);
            let mut line = format!("{cname} {ty}{}", if nullable { "?" } else { "" });
            if let Some(d) = default.filter(|_| rng.chance(50)) {
                line.push_str(&format!(" @default({d})"));
            }
            if rng.chance(25) {
                let conv_name = conv(&naming.unique, &name, &[&cname]);
                if rng.chance(30) || used.contains(&conv_name) {
                    line.push_str(&format!(" @unique(name: \"{}\")", fresh(&mut used)));
                } else {
                    used.insert(conv_name);
                    line.push_str(" @unique");
                }
            }
            cols.push((cname.clone(), line));
            col_names.push(cname);
        }
        // Table-level uniques, indexes, checks.
        for _ in 0..rng.below(3) {
            let a = &col_names[rng.below(col_names.len())];
            let b = &col_names[rng.below(col_names.len())];
            let list: Vec<&str> = if a == b { vec![a] } else { vec![a, b] };
            let kind = if rng.chance(50) {
                "@@unique"
            } else {
                "@@index"
            };
            let template = if kind == "@@unique" {
                &naming.unique
            } else {
                &naming.index
            };
            let conv_name = conv(template, &name, &list);
            let unique_arg = if kind == "@@index" && rng.chance(50) {
                ", unique: true"
            } else {
                ""
            };
            if rng.chance(30) || used.contains(&conv_name) {
                block.push(format!(
                    "{kind}([{}]{unique_arg}, name: \"{}\")",
                    list.join(", "),
                    fresh(&mut used)
                ));
            } else {
                used.insert(conv_name);
                block.push(format!("{kind}([{}]{unique_arg})", list.join(", ")));
            }
        }
        for k in 0..rng.below(3) {
            let len = 1 + rng.below(8);
            let short = format!("ck{k}_{}", rng.word(len));
            let conv_name = check_conv(&naming.check, &name, &short);
            let expr = format!("`\"id\" IS NOT NULL AND {k} < 10`");
            if rng.chance(25) {
                block.push(format!(
                    "@@check({short}, {expr}, name: \"{}\")",
                    fresh(&mut used)
                ));
            } else if used.insert(conv_name) {
                block.push(format!("@@check({short}, {expr})"));
            }
        }
        // Foreign keys to earlier tables (or this one).
        let mut fk_lines: Vec<(usize, String)> = Vec::new();
        for f in 0..rng.below(4) {
            let target = rng.below(tables.len() + 1);
            let (tname, tpk) = if target == tables.len() {
                (name.clone(), pk.clone())
            } else {
                tables[target].clone()
            };
            let nullable = rng.chance(50);
            let action = [
                "",
                ", on_delete: cascade",
                ", on_delete: set_null, on_update: restrict",
                ", on_update: set_default",
            ][rng.below(4)];
            let action = if action.contains("set_null") && !nullable {
                ""
            } else {
                action
            };
            let fcols: Vec<String> = tpk.iter().map(|(c, _)| format!("f{f}_{c}")).collect();
            let rcols: Vec<String> = tpk.iter().map(|(c, _)| c.clone()).collect();
            for (fc, (_, ty)) in fcols.iter().zip(&tpk) {
                cols.push((
                    fc.clone(),
                    format!("{fc} {ty}{}", if nullable { "?" } else { "" }),
                ));
                col_names.push(fc.clone());
            }
            let fcol_refs: Vec<&str> = fcols.iter().map(String::as_str).collect();
            let conv_name = shorten(&fill(
                &naming.foreign_key,
                &NameParts {
                    table: &name,
                    columns: &names(&fcol_refs),
                    ref_table: &tname,
                    ref_columns: &rcols,
                    name: "",
                },
            ));
            let name_arg = if rng.chance(30) || used.contains(&conv_name) {
                format!(", name: \"{}\"", fresh(&mut used))
            } else {
                used.insert(conv_name);
                String::new()
            };
            if fcols.len() == 1 && rng.chance(60) {
                let pos = cols.len() - 1;
                fk_lines.push((
                    pos,
                    format!(" @ref({tname}.{}{action}{name_arg})", rcols[0]),
                ));
            } else {
                block.push(format!(
                    "@@ref([{}], {tname}, [{}]{action}{name_arg})",
                    fcols.join(", "),
                    rcols.join(", ")
                ));
            }
        }
        for (pos, attr) in fk_lines {
            cols[pos].1.push_str(&attr);
        }
        // Shuffle the table-level attributes: their order is the model's.
        for i in (1..block.len()).rev() {
            let j = rng.below(i + 1);
            block.swap(i, j);
        }
        let indent = if group_open { "  " } else { "" };
        if rng.chance(50) {
            out.push_str(&rng.doc(indent));
        }
        out.push_str(&format!("{indent}table {name} {{\n"));
        for (_, line) in &cols {
            if rng.chance(15) {
                out.push_str(&rng.doc(&format!("{indent}  ")));
            }
            out.push_str(&format!("{indent}  {line}\n"));
        }
        for b in &block {
            out.push_str(&format!("{indent}  {b}\n"));
        }
        out.push_str(&format!("{indent}}}\n"));
        if group_open && rng.chance(40) {
            out.push_str("}\n");
            group_open = false;
        }
        tables.push((name, pk));
    }
    if group_open {
        out.push_str("}\n");
    }
    out
}

#[test]
fn random_files_round_trip() {
    for seed in 0..300 {
        let source = random_file(seed);
        let schema = compile(&source, &format!("random {seed}"));
        let (_, back) = round_trip(&schema, &format!("random {seed}"));
        assert_eq!(comparable(back), schema, "random {seed}:\n{source}");
    }
}

// ----- NULLS NOT DISTINCT -----------------------------------------------------------

#[test]
fn nulls_not_distinct_is_printed_and_compiles_back() {
    let n = Naming::default();
    let mut t = table(
        "T",
        None,
        &["id"],
        vec![
            col("id", scalar(Kind::Int)),
            opt(col("a", scalar(Kind::Int))),
            opt(col("b", scalar(Kind::Int))),
        ],
    );
    let nnd = |mut u: Unique| {
        u.nulls_not_distinct = true;
        u
    };
    t.uniques = vec![
        nnd(unique(&conv(&n.unique, "T", &["a"]), &["a"])),
        unique(&conv(&n.unique, "T", &["b"]), &["b"]),
        nnd(unique("t_a_b", &["a", "b"])),
        nnd(unique("t_b_a", &["b", "a"])),
        unique("t_b_a_plain", &["b", "a"]),
    ];
    let s = Schema {
        tables: vec![t],
        ..Schema::default()
    };
    let text = assert_round_trip(&s, "nulls not distinct");
    assert_eq!(
        text,
        "table T {\n  id int  @pk\n  a  int? @unique(nulls_not_distinct: true)\n  b  int? @unique\n\n  \
         @@unique([a, b], nulls_not_distinct: true, name: \"t_a_b\")\n  \
         @@unique([b, a], nulls_not_distinct: true, name: \"t_b_a\")\n  \
         @@unique([b, a], name: \"t_b_a_plain\")\n}\n"
    );
}
