//! An independent oracle: the table lines of `../shared/data-model.md`
//! (version 4, copied verbatim into `tests/fixtures/data-model-v4.txt`) are
//! parsed here and compared with the database that the project's migrations
//! build — at version 4 and, with the documented history applied, at version 1.
//! This does not go through the schema compiler, so a mistake in schema.nzc
//! or in the compiler shows up as a difference.

mod common;
#[path = "support/introspect.rs"]
mod introspect;

use common::TestDb;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

struct DocTable {
    name: String,
    /// (name, PostgreSQL type, nullable)
    columns: Vec<(String, String, bool)>,
    pk: String,
    /// (column, referenced table, referenced column)
    fks: Vec<(String, String, String)>,
    uniques: Vec<Vec<String>>,
}

fn pg_type(doc: &str) -> &'static str {
    match doc {
        "uuid" => "uuid",
        "varchar" => "character varying",
        "text" => "text",
        "int" => "integer",
        "bigint" => "bigint",
        "numeric" => "numeric",
        "date" => "date",
        "timestamp" => "timestamp without time zone",
        "jsonb" => "jsonb",
        other => panic!("type {other} not in the document's table"),
    }
}

fn parse_doc(version: u8) -> Vec<DocTable> {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data-model-v4.txt"),
    )
    .unwrap();
    let mut out = Vec::new();
    for line in text.lines() {
        // - **Name** (note) — a; b; …
        let name = line.split("**").nth(1).unwrap().to_string();
        let body = line.split(" — ").nth(1).unwrap();
        let mut t = DocTable {
            name: name.clone(),
            columns: Vec::new(),
            pk: String::new(),
            fks: Vec::new(),
            uniques: Vec::new(),
        };
        for item in body.split("; ") {
            if let Some(cols) = item.strip_prefix("unique (") {
                t.uniques.push(
                    cols.trim_end_matches(')')
                        .split(", ")
                        .map(str::to_string)
                        .collect(),
                );
                continue;
            }
            let words: Vec<&str> = item.split_whitespace().collect();
            let col = words[0].to_string();
            let (ty, nullable) = match words[1].strip_suffix('?') {
                Some(t) => (t, true),
                None => (words[1], false),
            };
            // The documented history: v1 has no misc and int amounts.
            if version == 1 && col == "misc" {
                continue;
            }
            let mut ty = pg_type(ty).to_string();
            if version == 1
                && ((name == "BudgetFunding" && col == "amount")
                    || (name == "Initiative" && col == "totalEstimatedCost"))
            {
                ty = "integer".into();
            }
            if words.get(2) == Some(&"PK") {
                t.pk = col.clone();
            }
            if let Some(pos) = words.iter().position(|w| *w == "->") {
                let (rt, rc) = words[pos + 1].split_once('.').unwrap();
                t.fks.push((col.clone(), rt.to_string(), rc.to_string()));
            }
            t.columns.push((col, ty, nullable));
        }
        out.push(t);
    }
    out
}

fn quote(c: &str) -> String {
    // pg_get_constraintdef quotes identifiers that are not all lower case.
    if c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_') {
        c.to_string()
    } else {
        format!("\"{c}\"")
    }
}

fn expected_constraints(t: &DocTable) -> BTreeMap<String, (String, String)> {
    let mut m = BTreeMap::new();
    m.insert(
        format!("pk_{}", t.name),
        ("p".into(), format!("PRIMARY KEY ({})", quote(&t.pk))),
    );
    for (c, rt, rc) in &t.fks {
        m.insert(
            format!("fk_{}_{c}_{rt}", t.name),
            (
                "f".into(),
                format!(
                    "FOREIGN KEY ({}) REFERENCES {}({})",
                    quote(c),
                    quote(rt),
                    quote(rc)
                ),
            ),
        );
    }
    for u in &t.uniques {
        let cols: Vec<String> = u.iter().map(|c| quote(c)).collect();
        m.insert(
            format!("uq_{}_{}", t.name, u[0]),
            ("u".into(), format!("UNIQUE ({})", cols.join(", "))),
        );
    }
    m
}

async fn check(version: u8, target: &str) {
    let db = TestDb::new().await;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_nzc"))
        .args(["migrate", "upgrade", target])
        .current_dir(&root)
        .env("DATABASE_URL", db.url())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live = introspect::introspect(&db.client().await).await;
    let doc = parse_doc(version);
    assert_eq!(live.tables.len(), 17);
    assert_eq!(doc.len(), 17);
    for t in &doc {
        let lt = live
            .tables
            .get(&t.name)
            .unwrap_or_else(|| panic!("table {} missing", t.name));
        let cols: Vec<(String, String, bool)> = lt
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.ty.clone(), !c.not_null))
            .collect();
        assert_eq!(
            cols, t.columns,
            "columns of {} (name, type, nullable) in order",
            t.name
        );
        assert!(
            lt.columns.iter().all(|c| c.default.is_none()),
            "{}: no column has a server default",
            t.name
        );
        let constraints: BTreeMap<String, (String, String)> = lt
            .constraints
            .iter()
            .map(|(n, c)| (n.clone(), (c.kind.clone(), c.def.clone())))
            .collect();
        assert_eq!(
            constraints,
            expected_constraints(t),
            "constraints of {}",
            t.name
        );
        assert!(lt.indexes.is_empty(), "{}: no extra index", t.name);
    }
}

#[tokio::test]
async fn version_4_database_matches_the_document() {
    check(4, "head").await;
}

#[tokio::test]
async fn version_1_database_matches_the_document_and_its_history() {
    check(1, "+1").await;
}
