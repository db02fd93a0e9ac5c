//! `nzc fmt` round trip: formatting keeps the model, is idempotent, and the
//! committed schema files are already formatted.

use nzc_dsl::{compile, format};

const MESSY: &str = r#"
// leading comment


naming {
    check="chk_{table}_{name}"   // shorter prefix
  index  =  "idx_{table}_{columns}"
}
/// Status of a thing.
enum Status {
  draft
  "in review"   // spaces need quotes
  "done"
}
table   Thing   {   // the thing
  /// The id.
  id    uuid   @pk
  name varchar(40)?    @unique(name: "uq_thing_name")   @default("x \"y\"")
  n  integer @default(-3)


  amount numeric(12,2) @default(1.50)
  status Status @default(draft)
  created timestamptz @default(now())
  parent uuid? @ref(Thing.id, on_delete: set_null)
  d double   precision?
  @@index([name, n], unique: true) // both
  @@check(positive, `"n" > -10`)
}

group "A & B" {
  table Other {
    id uuid @pk
    thing uuid @ref(Thing.id)
  }
  table Third {
    a int
    b int
    @@pk([a, b])
  }
}
"#;

#[test]
fn formatting_keeps_the_model_and_is_idempotent() {
    let once = format(MESSY, "messy.nzc").unwrap();
    let twice = format(&once, "messy.nzc").unwrap();
    assert_eq!(once, twice, "fmt is idempotent");
    let before = compile(MESSY, "messy.nzc").unwrap_or_else(|d| panic!("{}", d.render()));
    let after = compile(&once, "messy.nzc").unwrap_or_else(|d| panic!("{}", d.render()));
    assert_eq!(before, after, "fmt keeps the model");
    insta::assert_snapshot!(once);
}

#[test]
fn committed_schemas_are_formatted() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let mut files = vec![root.join("schema.nzc")];
    for n in 1..=4 {
        files.push(root.join(format!("tests/fixtures/history/v{n}.nzc")));
    }
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap();
        assert_eq!(
            format(&src, "x").unwrap(),
            src,
            "{} is not formatted: run `nzc fmt`",
            f.display()
        );
    }
}

#[test]
fn formatting_a_file_with_syntax_errors_fails() {
    assert!(format("table {\n", "bad.nzc").is_err());
}

#[test]
fn comments_on_opening_and_closing_lines_stay_where_they_belong() {
    let src = "naming { // custom\n  index = \"ix_{table}_{columns}\"\n} // end of naming\n\ngroup G { // open g\n} // close g\n\ntable T { // open t\n  id uuid @pk\n} // close t\n";
    let once = format(src, "c.nzc").unwrap();
    assert_eq!(
        once,
        "naming {\n  // custom\n  index = \"ix_{table}_{columns}\"\n} // end of naming\n\ngroup G {\n  // open g\n} // close g\n\ntable T {\n  // open t\n  id uuid @pk\n} // close t\n"
    );
    assert_eq!(format(&once, "c.nzc").unwrap(), once);
}
