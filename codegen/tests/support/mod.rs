//! Shared by the DBML and Mermaid tests: hand-built schema models and a runner
//! for the node checkers in `tools/` (which must never be skipped: a missing
//! `node` is a test failure).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use nzc_dsl::{
    Check, Column, ColumnType, DefaultValue, Enum, ForeignKey, Group, Index, Kind, Naming,
    PrimaryKey, ReferentialAction, ScalarType, Schema, Table, Unique,
};

// ----- model builders -------------------------------------------------------

pub fn scalar(kind: Kind) -> ColumnType {
    ColumnType::Scalar(ScalarType::plain(kind))
}

pub fn varchar(n: u32) -> ColumnType {
    sized(Kind::Varchar, n)
}

pub fn sized(kind: Kind, n: u32) -> ColumnType {
    ColumnType::Scalar(ScalarType {
        kind,
        length: Some(n),
        precision: None,
    })
}

pub fn numeric(p: u16, s: u16) -> ColumnType {
    ColumnType::Scalar(ScalarType {
        kind: Kind::Numeric,
        length: None,
        precision: Some((p, s)),
    })
}

pub fn col(name: &str, ty: ColumnType) -> Column {
    Column {
        name: name.into(),
        ty,
        nullable: false,
        default: None,
        doc: None,
        renamed_from: None,
    }
}

pub fn opt(mut c: Column) -> Column {
    c.nullable = true;
    c
}

pub fn with_default(mut c: Column, d: DefaultValue) -> Column {
    c.default = Some(d);
    c
}

pub fn with_doc(mut c: Column, doc: &str) -> Column {
    c.doc = Some(doc.into());
    c
}

pub fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A table with a primary key named `pk_<table>` and nothing else.
pub fn table(name: &str, group: Option<&str>, pk: &[&str], columns: Vec<Column>) -> Table {
    Table {
        name: name.into(),
        doc: None,
        group: group.map(Into::into),
        renamed_from: None,
        columns,
        primary_key: PrimaryKey {
            name: format!("pk_{name}"),
            columns: names(pk),
        },
        uniques: vec![],
        foreign_keys: vec![],
        indexes: vec![],
        checks: vec![],
    }
}

pub fn unique(name: &str, columns: &[&str]) -> Unique {
    Unique {
        name: name.into(),
        columns: names(columns),
        nulls_not_distinct: false,
    }
}

pub fn index(name: &str, columns: &[&str], unique: bool) -> Index {
    Index {
        name: name.into(),
        columns: names(columns),
        unique,
    }
}

pub fn fk(name: &str, columns: &[&str], ref_table: &str, ref_columns: &[&str]) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: names(columns),
        ref_table: ref_table.into(),
        ref_columns: names(ref_columns),
        on_delete: ReferentialAction::NoAction,
        on_update: ReferentialAction::NoAction,
    }
}

pub fn check(name: &str, expr: &str) -> Check {
    Check {
        name: name.into(),
        expr: expr.into(),
    }
}

pub fn group(name: &str, doc: Option<&str>, tables: &[&str]) -> Group {
    Group {
        name: name.into(),
        doc: doc.map(Into::into),
        tables: names(tables),
    }
}

// ----- fixtures -------------------------------------------------------------

/// A slice of the City model plus everything the renderers have to handle:
/// composite primary key, composite and single-column unique constraints, unique
/// and multi-column indexes, foreign keys with actions, a self-reference, a
/// composite foreign key, a one-to-one foreign key, an enum and an enum column,
/// defaults of every kind, docs with quotes and newlines, groups, multi-word
/// types, `varchar(n)`, `numeric(p,s)`, checks, and a table outside any group.
pub fn city_schema() -> Schema {
    use DefaultValue as D;
    use Kind::*;

    let mut city = table(
        "City",
        Some("Core"),
        &["cityId"],
        vec![
            with_doc(
                col("cityId", scalar(Uuid)),
                "Client-generated v4 UUID (the \"id\"), never reused.",
            ),
            col("cityName", scalar(Varchar)),
            col("country", varchar(255)),
            opt(col("locode", sized(Char, 5))),
            opt(with_doc(
                col("areaKm2", numeric(12, 2)),
                "Area in km²; it's 'approximate'.",
            )),
            with_default(col("population", scalar(Int)), D::Integer("0".into())),
            with_default(col("growth", scalar(Double)), D::Decimal("-1.5".into())),
            with_default(col("isCapital", scalar(Boolean)), D::Bool(false)),
            with_default(col("hasContract", scalar(Boolean)), D::Bool(true)),
            with_default(
                col("status", ColumnType::Enum("ContractStatus".into())),
                D::String("draft".into()),
            ),
            with_default(
                col("motto", scalar(Text)),
                D::String("it's \"ours\" \\ all".into()),
            ),
            with_default(col("createdAt", scalar(Timestamp)), D::Expr("now()".into())),
            with_default(
                opt(col("misc", scalar(Jsonb))),
                D::Expr("'{}'::jsonb".into()),
            ),
            opt(with_doc(
                col("notes", scalar(Text)),
                "Free text.\nSecond line with a 'quote' and a \\ backslash.",
            )),
        ],
    );
    city.doc = Some(
        "A city taking part in the mission.\n\nEvery other table hangs off it; the \"name\" is as the city writes it.".into(),
    );
    city.uniques = vec![unique("uq_City_locode", &["locode"])];
    city.indexes = vec![
        index("ix_City_country", &["country", "cityName"], false),
        index("ix_City_cityName", &["cityName"], true),
    ];
    city.checks = vec![
        check("ck_City_area_positive", "\"areaKm2\" > 0"),
        check(
            "ck_City_population",
            "population >= 0 AND population < 100000000",
        ),
    ];

    let mut stats = table(
        "CityAnnualStats",
        Some("Core"),
        &["statId"],
        vec![
            col("statId", scalar(Uuid)),
            opt(col("cityId", scalar(Uuid))),
            col("year", scalar(Int)),
            opt(col("population", scalar(BigInt))),
            opt(col("populationDensity", scalar(Numeric))),
        ],
    );
    stats.uniques = vec![unique("uq_CityAnnualStats_cityId", &["cityId", "year"])];
    stats.foreign_keys = vec![ForeignKey {
        on_delete: ReferentialAction::Cascade,
        on_update: ReferentialAction::SetNull,
        ..fk(
            "fk_CityAnnualStats_cityId_City",
            &["cityId"],
            "City",
            &["cityId"],
        )
    }];

    let mut contract = table(
        "ClimateCityContract",
        Some("Core"),
        &["climateCityContractId"],
        vec![
            col("climateCityContractId", scalar(Uuid)),
            opt(col("cityId", scalar(Uuid))),
            col("contractDate", scalar(Timestamp)),
            with_default(
                col("signedAt", scalar(Timestamptz)),
                D::Expr("CURRENT_TIMESTAMP".into()),
            ),
            col("status", ColumnType::Enum("ContractStatus".into())),
        ],
    );
    contract.doc = Some("1:1 with City.".into());
    contract.uniques = vec![unique("uq_ClimateCityContract_cityId", &["cityId"])];
    contract.foreign_keys = vec![fk(
        "fk_ClimateCityContract_cityId_City",
        &["cityId"],
        "City",
        &["cityId"],
    )];

    let mut year_note = table(
        "CityYearNote",
        None,
        &["noteId"],
        vec![
            col("noteId", scalar(Uuid)),
            col("cityId", scalar(Uuid)),
            col("year", scalar(SmallInt)),
            with_default(col("weight", scalar(Real)), D::Decimal("0.25".into())),
            opt(col("day", scalar(Date))),
            opt(col("at", scalar(Time))),
            opt(col("raw", scalar(Bytea))),
            opt(col("meta", scalar(Json))),
        ],
    );
    year_note.foreign_keys = vec![ForeignKey {
        on_delete: ReferentialAction::Restrict,
        on_update: ReferentialAction::Cascade,
        ..fk(
            "fk_CityYearNote_cityId_CityAnnualStats",
            &["cityId", "year"],
            "CityAnnualStats",
            &["cityId", "year"],
        )
    }];

    let mut tef = table(
        "TefCategory",
        Some("Initiatives & Stakeholders"),
        &["tefId"],
        vec![
            col("tefId", scalar(Uuid)),
            opt(with_doc(
                col("parentId", scalar(Uuid)),
                "The parent category; null at the root.",
            )),
            col("code", varchar(20)),
            col("name", scalar(Varchar)),
        ],
    );
    tef.doc = Some("A tree of categories.".into());
    tef.foreign_keys = vec![fk(
        "fk_TefCategory_parentId_TefCategory",
        &["parentId"],
        "TefCategory",
        &["tefId"],
    )];

    let mut link = table(
        "TefLink",
        Some("Initiatives & Stakeholders"),
        &["fromTefId", "toTefId"],
        vec![
            col("fromTefId", scalar(Uuid)),
            col("toTefId", scalar(Uuid)),
            with_default(col("weight", numeric(5, 2)), D::Decimal("1.00".into())),
        ],
    );
    link.foreign_keys = vec![
        ForeignKey {
            on_delete: ReferentialAction::Cascade,
            ..fk(
                "fk_TefLink_fromTefId_TefCategory",
                &["fromTefId"],
                "TefCategory",
                &["tefId"],
            )
        },
        ForeignKey {
            on_delete: ReferentialAction::SetDefault,
            ..fk(
                "fk_TefLink_toTefId_TefCategory",
                &["toTefId"],
                "TefCategory",
                &["tefId"],
            )
        },
    ];
    link.indexes = vec![index("ix_TefLink_toTefId", &["toTefId"], false)];

    Schema {
        naming: Naming::default(),
        enums: vec![Enum {
            name: "ContractStatus".into(),
            values: names(&["draft", "signed", "in review", "it's \"done\""]),
            doc: Some("Where a contract stands.\nSet by the extraction pipeline.".into()),
            renamed_from: None,
        }],
        tables: vec![city, stats, contract, year_note, tef, link],
        groups: vec![
            group(
                "Core",
                Some("Cities and their contracts; \"core\" tables."),
                &["City", "CityAnnualStats", "ClimateCityContract"],
            ),
            group(
                "Initiatives & Stakeholders",
                None,
                &["TefCategory", "TefLink"],
            ),
        ],
    }
}

/// Names and texts that push the quoting rules: quotes, backslashes, `%`,
/// spaces, Mermaid keywords, backticks in SQL expressions.
pub fn awkward_schema() -> Schema {
    use DefaultValue as D;
    use Kind::*;

    let parent_name = "Odd \"Parent\" \\ 100%";
    let mut parent = table(
        parent_name,
        Some("g \"1\""),
        &["pk"],
        vec![
            col("pk", scalar(Int)),
            with_doc(
                col("has space", scalar(Text)),
                "a \"quoted\" %% doc\twith tab",
            ),
            col("1st", ColumnType::Enum("Mood kind".into())),
            with_default(col("tick", scalar(Text)), D::Expr("'`'::text".into())),
            with_default(col("odd number", scalar(Numeric)), D::Decimal("1e3".into())),
        ],
    );
    parent.doc = Some("Only one line, with a 'quote'.".into());
    parent.checks = vec![check("ck_odd", "\"has space\" <> '`'")];
    parent.uniques = vec![unique("uq \"odd\"", &["has space", "1st"])];

    let mut child = table(
        "end",
        None,
        &["id"],
        vec![col("id", scalar(Uuid)), opt(col("uk", scalar(Int)))],
    );
    child.foreign_keys = vec![fk("fk \"end\" ↔ parent", &["uk"], parent_name, &["pk"])];
    // A table whose name is what the odd name sanitizes to.
    let clash = table(
        "Odd 'Parent' / 100_",
        None,
        &["id"],
        vec![col("id", scalar(Int))],
    );

    Schema {
        naming: Naming::default(),
        enums: vec![Enum {
            name: "Mood kind".into(),
            values: names(&["ok", "not \"ok\"", "back\\slash"]),
            doc: None,
            renamed_from: None,
        }],
        tables: vec![parent, child, clash],
        groups: vec![group("g \"1\"", Some("line one\nline two"), &[parent_name])],
    }
}

/// A large schema of `tables` tables with `columns` columns each, every table
/// after the first referencing the one before.
pub fn wide_schema(tables: usize, columns: usize) -> Schema {
    let mut list = Vec::with_capacity(tables);
    for t in 0..tables {
        let name = format!("Table{t}");
        let mut cols = vec![
            col("id", scalar(Kind::Uuid)),
            opt(col("prevId", scalar(Kind::Uuid))),
        ];
        for c in 2..columns {
            let ty = match c % 4 {
                0 => varchar(255),
                1 => scalar(Kind::Double),
                2 => numeric(12, 2),
                _ => scalar(Kind::Timestamp),
            };
            cols.push(with_doc(col(&format!("column{c}"), ty), "A column."));
        }
        let mut tab = table(&name, None, &["id"], cols);
        if t > 0 {
            tab.foreign_keys = vec![fk(
                &format!("fk_{name}_prevId_Table{}", t - 1),
                &["prevId"],
                &format!("Table{}", t - 1),
                &["id"],
            )];
        }
        list.push(tab);
    }
    Schema {
        naming: Naming::default(),
        enums: vec![],
        tables: list,
        groups: vec![],
    }
}

/// The repository's `schema.nzc`, compiled by `nzc_dsl::compile`.
pub fn repository_schema() -> Schema {
    let path = repo_root().join("schema.nzc");
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    nzc_dsl::compile(&source, "schema.nzc")
        .unwrap_or_else(|d| panic!("schema.nzc does not compile:\n{d}"))
}

// ----- node checkers --------------------------------------------------------

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ is inside the workspace")
        .to_path_buf()
}

/// Tools whose `npm ci` has run (or was not needed) in this process.
static INSTALLED: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

/// Makes sure `tools/<tool>/node_modules` is installed (running `npm ci` once per
/// test process if `marker`, a file inside node_modules, is missing), and that
/// `node` can be run. Panics with a clear message otherwise: never skips.
fn ensure_tool(tool: &'static str, marker: &str) -> PathBuf {
    let dir = repo_root().join("tools").join(tool);
    let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    if installed.contains(&tool) {
        return dir;
    }
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "`node --version` failed ({}): Node.js (>= 20) is required to check the generated \
             diagrams with tools/{tool}",
            out.status
        ),
        Err(e) => panic!(
            "cannot run `node` ({e}): Node.js (>= 20) and npm are required to check the generated \
             diagrams with tools/{tool} (install them, e.g. `apt-get install nodejs npm`)"
        ),
    }
    if !dir.join("node_modules").join(marker).is_file() {
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run `npm ci` in {} ({e}): npm is required",
                    dir.display()
                )
            });
        assert!(
            out.status.success(),
            "`npm ci` in {} failed ({}):\n{}\n{}",
            dir.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    installed.push(tool);
    dir
}

/// Writes `text` to a file under the test's temp dir and runs
/// `node tools/<tool>/check.mjs FILE ARGS…`; panics with the checker's messages
/// and the text if it fails; returns its stdout.
fn run_check(
    tool: &'static str,
    marker: &str,
    name: &str,
    ext: &str,
    text: &str,
    args: &[&str],
) -> String {
    let dir = ensure_tool(tool, marker);
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("nzc-codegen");
    std::fs::create_dir_all(&tmp).expect("create the temp dir");
    let file = tmp.join(format!("{name}.{ext}"));
    std::fs::write(&file, text).expect("write the rendered file");
    let out = Command::new("node")
        .arg(dir.join("check.mjs"))
        .arg(&file)
        .args(args)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "tools/{tool} rejected {} ({}):\n{}\n--- rendered text ---\n{}",
        file.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr),
        numbered(text)
    );
    String::from_utf8(out.stdout).expect("the checker prints UTF-8")
}

fn numbered(text: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| format!("{:4} | {l}\n", i + 1))
        .collect()
}

/// Parses DBML with dbdiagram.io's parser (warnings denied); returns its JSON summary.
pub fn dbml_check(name: &str, dbml: &str) -> serde_json::Value {
    let out = run_check(
        "dbml-check",
        "@dbml/core/package.json",
        name,
        "dbml",
        dbml,
        &["--deny-warnings", "--summary"],
    );
    serde_json::from_str(&out).expect("dbml-check prints JSON")
}

/// Parses Mermaid with Mermaid's parser; returns its JSON summary of the erDiagram.
pub fn mermaid_check(name: &str, mermaid: &str) -> serde_json::Value {
    let out = run_check(
        "mermaid-check",
        "mermaid/package.json",
        name,
        "mmd",
        mermaid,
        &["--summary"],
    );
    serde_json::from_str(&out).expect("mermaid-check prints JSON")
}
