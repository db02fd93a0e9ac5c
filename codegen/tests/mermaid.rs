//! The Mermaid renderer: snapshots, and every rendered text parsed by Mermaid's own
//! parser (`tools/mermaid-check`) whose reading is compared with the model.

mod support;

use nzc_codegen::mermaid;
use nzc_dsl::{ColumnType, Schema};
use serde_json::{json, Value};
use support::*;

#[test]
fn city_schema_snapshot() {
    insta::assert_snapshot!("city_schema", mermaid::render(&city_schema()));
}

#[test]
fn awkward_names_snapshot() {
    insta::assert_snapshot!("awkward_names", mermaid::render(&awkward_schema()));
}

#[test]
fn city_schema_is_read_back_by_mermaid() {
    let schema = city_schema();
    let summary = mermaid_check("city_schema", &mermaid::render(&schema));
    assert_matches_model(&schema, &summary);
}

#[test]
fn city_schema_cardinalities() {
    let summary = mermaid_check(
        "city_schema_cardinalities",
        &mermaid::render(&city_schema()),
    );
    let rel = |role: &str| {
        let r = summary["relationships"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["role"] == role)
            .unwrap_or_else(|| panic!("no relationship {role}"));
        (
            r["a"].as_str().unwrap().to_string(),
            r["b"].as_str().unwrap().to_string(),
            r["card_a"].as_str().unwrap().to_string(),
            r["card_b"].as_str().unwrap().to_string(),
            r["rel_type"].as_str().unwrap().to_string(),
        )
    };
    let s = |v: &str| v.to_string();
    // Nullable FK: a stat row has zero or one city; a city has any number of rows.
    assert_eq!(
        rel("fk_CityAnnualStats_cityId_City"),
        (
            s("City"),
            s("CityAnnualStats"),
            s("ZERO_OR_ONE"),
            s("ZERO_OR_MORE"),
            s("NON_IDENTIFYING")
        )
    );
    // Unique FK: one-to-zero-or-one (and nullable, so the city side is optional).
    assert_eq!(
        rel("fk_ClimateCityContract_cityId_City"),
        (
            s("City"),
            s("ClimateCityContract"),
            s("ZERO_OR_ONE"),
            s("ZERO_OR_ONE"),
            s("NON_IDENTIFYING")
        )
    );
    // Non-null composite FK: exactly one parent.
    assert_eq!(
        rel("fk_CityYearNote_cityId_CityAnnualStats"),
        (
            s("CityAnnualStats"),
            s("CityYearNote"),
            s("ONLY_ONE"),
            s("ZERO_OR_MORE"),
            s("NON_IDENTIFYING")
        )
    );
    // Self-reference.
    assert_eq!(
        rel("fk_TefCategory_parentId_TefCategory"),
        (
            s("TefCategory"),
            s("TefCategory"),
            s("ZERO_OR_ONE"),
            s("ZERO_OR_MORE"),
            s("NON_IDENTIFYING")
        )
    );
    // FK columns inside the primary key: identifying.
    assert_eq!(
        rel("fk_TefLink_fromTefId_TefCategory"),
        (
            s("TefCategory"),
            s("TefLink"),
            s("ONLY_ONE"),
            s("ZERO_OR_MORE"),
            s("IDENTIFYING")
        )
    );
}

#[test]
fn awkward_names_are_read_back_by_mermaid() {
    let schema = awkward_schema();
    let summary = mermaid_check("awkward_names", &mermaid::render(&schema));
    let entities = summary["entities"].as_array().unwrap();
    // The name with `"`, `\` and `%` gets an id (not clashing with the table that
    // is named like its sanitized form) and a label.
    assert_eq!(entities[0]["name"], "Odd 'Parent' / 100__2");
    assert_eq!(entities[0]["alias"], "Odd 'Parent' / 100_");
    assert_eq!(entities[1]["name"], "end");
    assert_eq!(entities[2]["name"], "Odd 'Parent' / 100_");
    assert_eq!(entities[2]["alias"], Value::Null);
    let attrs: Vec<(&str, &str)> = entities[0]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["type"].as_str().unwrap(), a["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        attrs,
        [
            ("int", "pk"),
            ("text", "has space"),
            ("Mood_kind", "1st"),
            ("text", "tick"),
            ("numeric", "odd number"),
        ]
    );
    assert_eq!(
        entities[0]["attributes"][1]["comment"],
        "a 'quoted' % % doc with tab"
    );
    assert_eq!(entities[1]["attributes"][1]["keys"], json!(["FK"]));
    assert_eq!(summary["relationships"][0]["role"], "fk 'end' ↔ parent");
    assert_eq!(summary["relationships"][0]["a"], "Odd 'Parent' / 100__2");
}

#[test]
fn repository_schema_snapshot() {
    insta::assert_snapshot!("repository_schema", mermaid::render(&repository_schema()));
}

#[test]
fn repository_schema_is_read_back_by_mermaid() {
    let schema = repository_schema();
    let summary = mermaid_check("repository_schema", &mermaid::render(&schema));
    assert_matches_model(&schema, &summary);
}

#[test]
fn empty_schema_parses() {
    let summary = mermaid_check("empty", &mermaid::render(&Schema::default()));
    assert_eq!(summary["entities"], json!([]));
}

#[test]
fn wide_schema_parses() {
    let schema = wide_schema(200, 20);
    let summary = mermaid_check("wide", &mermaid::render(&schema));
    assert_matches_model(&schema, &summary);
}

#[test]
fn output_is_deterministic() {
    assert_eq!(
        mermaid::render(&city_schema()),
        mermaid::render(&city_schema().clone())
    );
}

#[test]
fn large_schema_renders() {
    let text = mermaid::render(&wide_schema(10_000, 20));
    assert_eq!(text.lines().filter(|l| l.ends_with(" {")).count(), 10_000);
    assert_eq!(
        text.lines().filter(|l| l.contains(" |o..o{ ")).count(),
        9_999
    );
}

// ----- what Mermaid read vs the model (plain names only) --------------------

/// The one-word type the renderer promises: schema-language spelling, spaces and
/// parameters joined with `_`.
fn mermaid_type(ty: &ColumnType) -> String {
    match ty {
        ColumnType::Scalar(s) => {
            let mut t = s.info().dsl.replace(' ', "_");
            match (s.length, s.precision) {
                (Some(n), _) => t.push_str(&format!("_{n}")),
                (_, Some((p, sc))) => t.push_str(&format!("_{p}_{sc}")),
                _ => {}
            }
            t
        }
        ColumnType::Enum(name) => name.clone(),
    }
}

fn assert_matches_model(schema: &Schema, summary: &Value) {
    let entities: Vec<Value> = schema
        .tables
        .iter()
        .map(|t| {
            let attributes: Vec<Value> = t
                .columns
                .iter()
                .map(|c| {
                    let mut keys = vec![];
                    if t.is_pk_column(&c.name) {
                        keys.push("PK");
                    }
                    if t.foreign_keys.iter().any(|fk| fk.columns.contains(&c.name)) {
                        keys.push("FK");
                    }
                    let single = |cols: &[String]| cols == [c.name.clone()];
                    if t.uniques.iter().any(|u| single(&u.columns))
                        || t.indexes.iter().any(|i| i.unique && single(&i.columns))
                    {
                        keys.push("UK");
                    }
                    let comment = c.doc.as_deref().unwrap_or("").replace('"', "'").replace('\n', " ");
                    json!({ "type": mermaid_type(&c.ty), "name": c.name, "keys": keys, "comment": comment })
                })
                .collect();
            json!({ "name": t.name, "alias": null, "attributes": attributes })
        })
        .collect();
    assert_eq!(summary["entities"], json!(entities));

    let relationships: Vec<Value> = schema
        .tables
        .iter()
        .flat_map(|t| t.foreign_keys.iter().map(move |fk| (t, fk)))
        .map(|(t, fk)| {
            let nullable = fk.columns.iter().any(|c| t.column(c).unwrap().nullable);
            json!({
                "a": fk.ref_table,
                "b": t.name,
                "role": fk.name,
                "card_a": if nullable { "ZERO_OR_ONE" } else { "ONLY_ONE" },
                "card_b": if t.is_unique_key(&fk.columns) { "ZERO_OR_ONE" } else { "ZERO_OR_MORE" },
                "rel_type": if fk.columns.iter().all(|c| t.is_pk_column(c)) { "IDENTIFYING" } else { "NON_IDENTIFYING" },
            })
        })
        .collect();
    assert_eq!(summary["relationships"], json!(relationships));
}
