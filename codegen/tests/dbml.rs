//! The DBML renderer: snapshots, and every rendered text parsed by dbdiagram.io's
//! parser (`tools/dbml-check`, @dbml/core) whose reading is compared with the model.

mod support;

use nzc_codegen::dbml;
use nzc_dsl::{DefaultValue, ReferentialAction, Schema, Table};
use serde_json::{json, Value};
use support::*;

#[test]
fn city_schema_snapshot() {
    insta::assert_snapshot!("city_schema", dbml::render(&city_schema()));
}

#[test]
fn awkward_names_snapshot() {
    insta::assert_snapshot!("awkward_names", dbml::render(&awkward_schema()));
}

#[test]
fn city_schema_is_read_back_by_dbdiagram_parser() {
    let schema = city_schema();
    let summary = dbml_check("city_schema", &dbml::render(&schema));
    assert_matches_model(&schema, &summary);
}

#[test]
fn awkward_names_are_read_back_by_dbdiagram_parser() {
    let schema = awkward_schema();
    let summary = dbml_check("awkward_names", &dbml::render(&schema));
    assert_matches_model(&schema, &summary);
}

#[test]
fn repository_schema_snapshot() {
    insta::assert_snapshot!("repository_schema", dbml::render(&repository_schema()));
}

#[test]
fn repository_schema_is_read_back_by_dbdiagram_parser() {
    let schema = repository_schema();
    let summary = dbml_check("repository_schema", &dbml::render(&schema));
    assert_matches_model(&schema, &summary);
}

#[test]
fn empty_schema_parses() {
    let schema = Schema::default();
    let text = dbml::render(&schema);
    let summary = dbml_check("empty", &text);
    assert_eq!(summary["tables"], json!([]));
    assert_eq!(summary["project"]["name"], "nzc_schema");
}

#[test]
fn wide_schema_parses() {
    let schema = wide_schema(200, 20);
    let summary = dbml_check("wide", &dbml::render(&schema));
    assert_matches_model(&schema, &summary);
}

#[test]
fn nulls_not_distinct_is_an_index_note_read_back_by_dbdiagram_parser() {
    let schema = nzc_dsl::compile(
        "table Reading {
  id       uuid   @pk
  sensorId uuid?  @unique(nulls_not_distinct: true)
  serial   text?  @unique
  day      date?
  kind     text

  @@unique([day, sensorId], nulls_not_distinct: true)
  @@unique([kind, day])
}
",
        "reading.nzc",
    )
    .expect("compiles");
    let text = dbml::render(&schema);
    assert!(
        text.contains(
            "(\"day\", \"sensorId\") [unique, name: 'uq_Reading_day', note: 'NULLS NOT DISTINCT']"
        ),
        "{text}"
    );
    assert!(
        text.contains("(\"kind\", \"day\") [unique, name: 'uq_Reading_kind']\n"),
        "{text}"
    );
    let summary = dbml_check("nulls_not_distinct", &text);
    assert_matches_model(&schema, &summary);
    let table = &summary["tables"][0];
    // The single-column key with the option is an index entry, not the column setting.
    assert_eq!(table["fields"][1]["unique"], json!(false));
    assert_eq!(table["fields"][2]["unique"], json!(true));
    let notes: Vec<&Value> = table["indexes"]
        .as_array()
        .expect("indexes")
        .iter()
        .map(|i| &i["note"])
        .collect();
    assert_eq!(
        notes,
        [
            &json!("NULLS NOT DISTINCT"),
            &json!("NULLS NOT DISTINCT"),
            &Value::Null
        ]
    );
}

#[test]
fn output_is_deterministic() {
    let a = dbml::render(&city_schema());
    let b = dbml::render(&city_schema().clone());
    assert_eq!(a, b);
    assert!(a.ends_with("}\n") && !a.ends_with("\n\n"));
}

#[test]
fn large_schema_renders() {
    let schema = wide_schema(10_000, 20);
    let text = dbml::render(&schema);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("Table \"")).count(),
        10_000
    );
    assert_eq!(
        text.lines().filter(|l| l.starts_with("Ref \"")).count(),
        9_999
    );
}

// ----- what the parser read vs the model ------------------------------------

fn doc_or_null(doc: &Option<String>) -> Value {
    match doc.as_deref() {
        Some(d) if !d.is_empty() => json!(d),
        _ => Value::Null,
    }
}

fn assert_matches_model(schema: &Schema, summary: &Value) {
    assert_eq!(summary["project"]["name"], "nzc_schema");
    assert_eq!(summary["project"]["database_type"], "PostgreSQL");

    let enums: Vec<Value> = schema
        .enums
        .iter()
        .map(|e| json!({ "name": e.name, "values": e.values }))
        .collect();
    assert_eq!(summary["enums"], json!(enums));

    let tables = summary["tables"].as_array().expect("tables");
    assert_eq!(tables.len(), schema.tables.len());
    for (t, got) in schema.tables.iter().zip(tables) {
        assert_table(t, got);
    }

    let refs: Vec<Value> = schema
        .tables
        .iter()
        .flat_map(|t| t.foreign_keys.iter().map(move |fk| (t, fk)))
        .map(|(t, fk)| {
            let action = |a: ReferentialAction| match a {
                ReferentialAction::NoAction => Value::Null,
                a => json!(a.sql().to_ascii_lowercase()),
            };
            let child =
                |relation| json!({ "table": t.name, "fields": fk.columns, "relation": relation });
            let parent =
                json!({ "table": fk.ref_table, "fields": fk.ref_columns, "relation": "1" });
            let endpoints = if t.is_unique_key(&fk.columns) {
                json!([parent, child("1")])
            } else {
                json!([child("*"), parent])
            };
            json!({
                "name": fk.name,
                "on_delete": action(fk.on_delete),
                "on_update": action(fk.on_update),
                "endpoints": endpoints,
            })
        })
        .collect();
    assert_eq!(summary["refs"], json!(refs));

    let groups: Vec<Value> = schema
        .groups
        .iter()
        .map(|g| json!({ "name": g.name, "note": doc_or_null(&g.doc), "tables": g.tables }))
        .collect();
    assert_eq!(summary["table_groups"], json!(groups));
}

fn assert_table(t: &Table, got: &Value) {
    assert_eq!(got["name"], json!(t.name));
    assert_eq!(got["note"], doc_or_null(&t.doc), "note of {}", t.name);

    let fields = got["fields"].as_array().expect("fields");
    assert_eq!(fields.len(), t.columns.len(), "columns of {}", t.name);
    for (c, f) in t.columns.iter().zip(fields) {
        let ctx = format!("{}.{}", t.name, c.name);
        assert_eq!(f["name"], json!(c.name), "{ctx}");
        let ty = match &c.ty {
            nzc_dsl::ColumnType::Scalar(s) => s.pg(),
            nzc_dsl::ColumnType::Enum(name) => name.clone(),
        };
        assert_eq!(f["type"], json!(ty), "{ctx}");
        let single_pk = t.primary_key.columns == [c.name.clone()];
        assert_eq!(f["pk"], json!(single_pk), "{ctx}");
        assert_eq!(f["not_null"], json!(!c.nullable), "{ctx}");
        let single_unique = t
            .uniques
            .iter()
            .any(|u| u.columns == [c.name.clone()] && !u.nulls_not_distinct);
        assert_eq!(f["unique"], json!(single_unique), "{ctx}");
        assert_eq!(f["note"], doc_or_null(&c.doc), "{ctx}");
        let default = &f["default"];
        match &c.default {
            None => assert_eq!(default, &Value::Null, "{ctx}"),
            Some(DefaultValue::Integer(n) | DefaultValue::Decimal(n)) => {
                if let Ok(expected) = n.parse::<f64>() {
                    if default["type"] == "number" {
                        assert_eq!(default["value"].as_f64(), Some(expected), "{ctx}");
                    } else {
                        assert_eq!(
                            default,
                            &json!({ "type": "expression", "value": n }),
                            "{ctx}"
                        );
                    }
                }
            }
            Some(DefaultValue::String(s)) => {
                assert_eq!(default, &json!({ "type": "string", "value": s }), "{ctx}");
            }
            Some(DefaultValue::Bool(b)) => {
                assert_eq!(
                    default,
                    &json!({ "type": "boolean", "value": b.to_string() }),
                    "{ctx}"
                );
            }
            Some(DefaultValue::Expr(e)) if e.contains('`') => {
                assert_eq!(default, &Value::Null, "{ctx}");
            }
            Some(DefaultValue::Expr(e)) => {
                assert_eq!(
                    default,
                    &json!({ "type": "expression", "value": e }),
                    "{ctx}"
                );
            }
        }
    }

    let mut indexes = Vec::new();
    if t.primary_key.columns.len() > 1 {
        indexes.push(json!({
            "columns": t.primary_key.columns, "pk": true, "unique": false, "name": null,
            "note": null,
        }));
    }
    for u in t
        .uniques
        .iter()
        .filter(|u| u.columns.len() > 1 || u.nulls_not_distinct)
    {
        let note = u.nulls_not_distinct.then_some("NULLS NOT DISTINCT");
        indexes.push(json!({
            "columns": u.columns, "pk": false, "unique": true, "name": u.name, "note": note,
        }));
    }
    for i in &t.indexes {
        indexes.push(json!({
            "columns": i.columns, "pk": false, "unique": i.unique, "name": i.name, "note": null,
        }));
    }
    assert_eq!(got["indexes"], json!(indexes), "indexes of {}", t.name);

    let checks: Vec<Value> = t
        .checks
        .iter()
        .filter(|c| !c.expr.contains('`'))
        .map(|c| json!({ "name": c.name, "expression": c.expr }))
        .collect();
    assert_eq!(got["checks"], json!(checks), "checks of {}", t.name);
}
