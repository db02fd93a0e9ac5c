//! The repository's schema.nzc and the four history fixtures compile into the
//! model of ../shared/data-model.md.

use nzc_dsl::{compile, ColumnType, Kind, Schema};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn load(rel: &str) -> Schema {
    let path = root().join(rel);
    let src = std::fs::read_to_string(&path).unwrap();
    match compile(&src, rel) {
        Ok(s) => s,
        Err(d) => panic!("{}", d.render()),
    }
}

#[test]
fn schema_is_version_four() {
    let s = load("schema.nzc");
    assert_eq!(s.tables.len(), 17);
    let groups: Vec<_> = s
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.tables.len()))
        .collect();
    assert_eq!(
        groups,
        [
            ("Core", 4),
            ("Emissions", 1),
            ("Budgets & Funding", 3),
            ("Initiatives & Stakeholders", 5),
            ("Indicators & Targets", 4)
        ]
    );
    let er = s.table("EmissionRecord").unwrap();
    assert_eq!(er.primary_key.name, "pk_EmissionRecord");
    assert_eq!(er.uniques[0].name, "uq_EmissionRecord_cityId");
    assert_eq!(
        er.uniques[0].columns,
        ["cityId", "year", "sectorId", "scope", "ghgType"]
    );
    let fks: Vec<_> = er.foreign_keys.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        fks,
        [
            "fk_EmissionRecord_cityId_City",
            "fk_EmissionRecord_sectorId_Sector"
        ]
    );
    let tef = s.table("TefCategory").unwrap();
    assert_eq!(
        tef.foreign_keys[0].name,
        "fk_TefCategory_parentId_TefCategory"
    );
    assert_eq!(tef.foreign_keys[0].ref_table, "TefCategory");
    let bf = s.table("BudgetFunding").unwrap();
    assert!(
        matches!(&bf.column("amount").unwrap().ty, ColumnType::Scalar(t) if t.kind == Kind::BigInt)
    );
    for t in &s.tables {
        assert_eq!(t.columns.last().unwrap().name, "misc", "{}", t.name);
        assert!(t.doc.is_some(), "{} has a note", t.name);
    }
}

#[test]
fn history_fixtures_differ_as_documented() {
    let v: Vec<Schema> = (1..=4)
        .map(|n| load(&format!("tests/fixtures/history/v{n}.nzc")))
        .collect();
    let kind = |s: &Schema, t: &str, c: &str| match &s.table(t).unwrap().column(c).unwrap().ty {
        ColumnType::Scalar(x) => x.kind,
        _ => unreachable!(),
    };
    assert!(v[0].tables.iter().all(|t| t.column("misc").is_none()));
    assert!(v[1]
        .tables
        .iter()
        .all(|t| t.columns.last().unwrap().name == "misc"));
    assert_eq!(kind(&v[1], "BudgetFunding", "amount"), Kind::Int);
    assert_eq!(kind(&v[2], "BudgetFunding", "amount"), Kind::BigInt);
    assert_eq!(kind(&v[2], "Initiative", "totalEstimatedCost"), Kind::Int);
    assert_eq!(
        kind(&v[3], "Initiative", "totalEstimatedCost"),
        Kind::BigInt
    );
    assert_eq!(v[3], load("schema.nzc"), "schema.nzc is version 4");
}
