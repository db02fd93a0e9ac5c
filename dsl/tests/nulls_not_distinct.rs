//! `nulls_not_distinct:` on `@unique` and `@@unique` (PostgreSQL 15's
//! `UNIQUE NULLS NOT DISTINCT`): the model, the diagnostics, `nzc fmt`.

use nzc_dsl::{compile, format, Schema};

fn ok(src: &str) -> Schema {
    compile(src, "t.nzc").unwrap_or_else(|d| panic!("{}", d.render()))
}

fn err(src: &str) -> String {
    compile(src, "t.nzc")
        .expect_err("must not compile")
        .render()
}

/// (name, columns, nulls_not_distinct) of the uniques of table `T`.
fn uniques(s: &Schema) -> Vec<(String, Vec<String>, bool)> {
    s.table("T")
        .expect("T")
        .uniques
        .iter()
        .map(|u| (u.name.clone(), u.columns.clone(), u.nulls_not_distinct))
        .collect()
}

fn u(name: &str, columns: &[&str], nnd: bool) -> (String, Vec<String>, bool) {
    let columns = columns.iter().map(|c| c.to_string()).collect();
    (name.to_string(), columns, nnd)
}

#[test]
fn the_option_reaches_the_model() {
    let s = ok("table T {
  id uuid @pk
  a  int? @unique(nulls_not_distinct: true)
  b  int? @unique(nulls_not_distinct: false, name: \"uq_b\")
  c  int?
  d  int  @unique

  @@unique([a, b], nulls_not_distinct: true, name: \"uq_ab\")
  @@unique([c, a], name: \"uq_ca\", nulls_not_distinct: false)
  @@unique([b, c])
}
");
    assert_eq!(
        uniques(&s),
        [
            u("uq_T_a", &["a"], true),
            u("uq_b", &["b"], false),
            u("uq_T_d", &["d"], false),
            u("uq_ab", &["a", "b"], true),
            u("uq_ca", &["c", "a"], false),
            u("uq_T_b", &["b", "c"], false),
        ]
    );
}

#[test]
fn all_not_null_columns_are_accepted() {
    // Meaningless there (no NULL to compare), but what PostgreSQL accepts too.
    let s = ok("table T {
  id uuid @pk
  a  int
  @@unique([id, a], nulls_not_distinct: true)
}
");
    assert_eq!(uniques(&s), [u("uq_T_id", &["id", "a"], true)]);
}

#[test]
fn a_bad_value_is_an_error_with_a_caret() {
    let text = err("table T {
  id uuid @pk
  a  int? @unique(nulls_not_distinct: yes)
  b  int?
  @@unique([a, b], nulls_not_distinct: \"true\", name: \"uq_ab\")
}
");
    assert_eq!(
        text,
        "error[E0023]: invalid arguments to `@unique`
 --> t.nzc:3:39
  |
3 |   a  int? @unique(nulls_not_distinct: yes)
  |                                       ^^^ `nulls_not_distinct` expects true or false

error[E0023]: invalid arguments to `@@unique`
 --> t.nzc:5:40
  |
5 |   @@unique([a, b], nulls_not_distinct: \"true\", name: \"uq_ab\")
  |                                        ^^^^^^ `nulls_not_distinct` expects true or false

error: could not compile `t.nzc` due to 2 previous errors
"
    );
}

#[test]
fn unknown_and_repeated_arguments_are_errors_with_a_caret() {
    let text = err("table T {
  id uuid @pk
  a  int?
  b  int?
  @@unique([a, b], nulls_distinct: false)
  @@unique([b, a], nulls_not_distinct: true, nulls_not_distinct: true)
  @@index([a], nulls_not_distinct: true)
}
");
    assert!(
        text.contains(
            "5 |   @@unique([a, b], nulls_distinct: false)
  |                    ^^^^^^^^^^^^^^ unknown argument; known: name, nulls_not_distinct"
        ),
        "{text}"
    );
    assert!(
        text.contains("error[E0016]: attribute `nulls_not_distinct` is given more than once"),
        "{text}"
    );
    // Not an option of `@@index` (a unique index with it is not modelled).
    assert!(
        text.contains(
            "7 |   @@index([a], nulls_not_distinct: true)
  |                ^^^^^^^^^^^^^^^^^^ unknown argument; known: name, unique"
        ),
        "{text}"
    );
}

#[test]
fn fmt_prints_it_back() {
    let messy = "table T {
  id uuid @pk
  a int?   @unique( nulls_not_distinct :true )
  b int?
  @@unique( [a,b],nulls_not_distinct:  true , name: \"uq_ab\")
}
";
    let once = format(messy, "t.nzc").unwrap();
    assert_eq!(
        once,
        "table T {
  id uuid @pk
  a  int? @unique(nulls_not_distinct: true)
  b  int?
  @@unique([a, b], nulls_not_distinct: true, name: \"uq_ab\")
}
"
    );
    assert_eq!(format(&once, "t.nzc").unwrap(), once, "idempotent");
    assert_eq!(ok(messy), ok(&once), "fmt keeps the model");
}

#[test]
fn the_documented_schema_keeps_its_current_keys() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let src = std::fs::read_to_string(root.join("schema.nzc")).expect("schema.nzc");
    let s = compile(&src, "schema.nzc").unwrap_or_else(|d| panic!("{}", d.render()));
    let uniques: Vec<&nzc_dsl::Unique> = s.tables.iter().flat_map(|t| &t.uniques).collect();
    assert!(!uniques.is_empty(), "schema.nzc has unique keys");
    for u in uniques {
        assert!(
            !u.nulls_not_distinct,
            "{} gained NULLS NOT DISTINCT",
            u.name
        );
    }
    assert!(!src.contains("nulls_not_distinct"));
    // Nor does any committed migration (SQL or snapshot) use it.
    let mut files = 0;
    for dir in std::fs::read_dir(root.join("migrations")).expect("migrations/") {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let text = std::fs::read_to_string(&f).unwrap();
            files += 1;
            assert!(
                !text.to_ascii_uppercase().contains("NULLS NOT DISTINCT"),
                "{}",
                f.display()
            );
            assert!(!text.contains("nulls_not_distinct"), "{}", f.display());
        }
    }
    assert!(files > 0, "migrations/ has files");
}
