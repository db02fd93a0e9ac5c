//! `@@check(short, `expr`, name: "…")`: an explicit name is the check's final
//! name as given, duplicates of it are reported, and `nzc fmt` keeps it.

use nzc_dsl::{compile, format, Code};

const EXPLICIT: &str = r#"table T {
  v int @pk

  @@check(x, `"v" > 0`, name: "My_check")
  @@check(y, `"v" < 100`)
}
"#;

#[test]
fn explicit_name_is_the_final_name() {
    let s = compile(EXPLICIT, "explicit.nzc").unwrap_or_else(|d| panic!("{}", d.render()));
    let checks: Vec<(&str, &str)> = s.tables[0]
        .checks
        .iter()
        .map(|c| (c.name.as_str(), c.expr.as_str()))
        .collect();
    // The other check keeps the template's name.
    assert_eq!(
        checks,
        [("My_check", "\"v\" > 0"), ("ck_T_y", "\"v\" < 100")]
    );
}

#[test]
fn the_same_explicit_name_twice_is_reported() {
    let source = r#"table T {
  v int @pk

  @@check(x, `"v" > 0`, name: "My_check")
  @@check(y, `"v" < 100`, name: "My_check")
}
"#;
    let d = compile(source, "twice.nzc").expect_err("a duplicate name");
    let codes: Vec<Code> = d.list.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::DuplicateConstraint], "{}", d.render());
    assert!(d.render().contains("`My_check`"), "{}", d.render());

    // An explicit name that is another check's conventional name, too.
    let source = r#"table T {
  v int @pk

  @@check(x, `"v" > 0`, name: "ck_T_y")
  @@check(y, `"v" < 100`)
}
"#;
    let d = compile(source, "clash.nzc").expect_err("a duplicate name");
    let codes: Vec<Code> = d.list.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::DuplicateConstraint], "{}", d.render());
}

#[test]
fn format_keeps_the_name_argument() {
    assert_eq!(format(EXPLICIT, "explicit.nzc").unwrap(), EXPLICIT);
    let messy = "table T {\n  v int @pk\n  @@check( x ,`\"v\" > 0`,name:\"My_check\" )\n}\n";
    let formatted = format(messy, "messy.nzc").unwrap_or_else(|d| panic!("{}", d.render()));
    assert!(
        formatted.contains("@@check(x, `\"v\" > 0`, name: \"My_check\")"),
        "{formatted}"
    );
    assert_eq!(
        compile(&formatted, "messy.nzc").unwrap(),
        compile(messy, "messy.nzc").unwrap()
    );
}
