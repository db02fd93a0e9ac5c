//! The Rust model renderer: the schema as a small crate of plain structs.
//!
//! [`render`] returns the files of a crate (paths relative to its directory):
//! `Cargo.toml`, `src/lib.rs`, one `src/<table>.rs` per table with one struct
//! (`#[derive(::nzc::NzcModel)]`, serde) and, when foreign keys connect the
//! table to others, an `impl` block of relation methods ([`relations`]), and
//! `src/enums.rs` with one enum per schema enum (`#[derive(::nzc::NzcEnum)]`)
//! when the schema has enums.
//!
//! The text is built directly (no rustfmt or prettyplease at run time) and is
//! exactly what rustfmt (edition 2021, default config) would write: the layout
//! rules used live in [`fmt`]. Output depends only on the model, so the same
//! schema gives byte-identical files.
//!
//! The `nzc(...)` attributes are the contract with the derive in
//! `nzc-macros`: the table name, the key and the constraint names are all
//! spelled out, so the derive never derives a database name from a Rust one.

mod fmt;
mod names;
mod relations;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use nzc_dsl::{Column, ColumnType, Enum, ForeignKey, Schema, Table};

use self::fmt::{write_attr, write_doc, write_field, Meta, Nested, MAX_WIDTH};
use self::names::{push_ident, serde_camel_case, unique_idents};
use crate::names::{snake_case, upper_camel_case, Suffix};
use crate::relations::Relation;
use crate::{toml_string, GeneratedFile};

/// What the generated crate is called and how it depends on `nzc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustOptions {
    /// The `[package] name` of the generated crate.
    pub crate_name: String,
    /// TOML inline-table text for the nzc dependency, e.g. `{ path = ".." }` or `{ version = "0.1" }`
    pub nzc_dependency: String,
    /// name of the schema file for the header comment
    pub source_name: String,
}

/// Renders the model crate of `schema`; files sorted by path.
pub fn render(schema: &Schema, options: &RustOptions) -> Vec<GeneratedFile> {
    let names = Names::new(schema);
    let source = fmt::sanitize_comment(&options.source_name);
    let mut files = Vec::with_capacity(schema.tables.len() + 3);
    files.push(cargo_toml(schema, options, &source));
    files.push(lib_rs(schema, &names, &source));
    if !schema.enums.is_empty() {
        files.push(enums_rs(schema, &names, &source));
    }
    let idents: Vec<&str> = names.tables.iter().map(|t| t.ident.as_str()).collect();
    let fields: Vec<&[String]> = names.tables.iter().map(|t| t.fields.as_slice()).collect();
    let cx = relations::Context {
        schema,
        idents: &idents,
        fields: &fields,
    };
    for (i, (table, table_names)) in schema.tables.iter().zip(&names.tables).enumerate() {
        let mut file = table_rs(table, table_names, &names, &source);
        relations::write_impl(&mut file.contents, &cx, i, &names.relations[i]);
        files.push(file);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Module names a table module never gets: the other files of the crate,
/// and crates the generated code names (a module `uuid` would make
/// `pub use uuid::Uuid;` ambiguous).
const RESERVED_MODULES: &[&str] = &[
    "enums",
    "lib",
    "main",
    "std",
    "core",
    "alloc",
    "nzc",
    "serde",
    "serde_json",
    "uuid",
    "chrono",
    "rust_decimal",
];

/// Every Rust name the crate uses, decided once, before any text is written.
struct Names {
    /// Schema enum name → Rust enum name.
    enums: HashMap<String, String>,
    /// Rust enum names, in schema order.
    enum_idents: Vec<String>,
    /// Per table, in schema order.
    tables: Vec<TableNames>,
    /// Relation methods per table, in schema order ([`relations`]).
    relations: Vec<Vec<Relation>>,
}

struct TableNames {
    module: String,
    ident: String,
    fields: Vec<String>,
}

impl Names {
    fn new(schema: &Schema) -> Names {
        let enum_idents = unique_idents(
            schema.enums.iter().map(|e| e.name.as_str()),
            |name| upper_camel_case(name, "Enum", "E"),
            &[],
            Suffix::Camel,
        );
        let enums = schema
            .enums
            .iter()
            .zip(&enum_idents)
            .map(|(e, ident)| (e.name.clone(), ident.clone()))
            .collect();
        let modules = unique_idents(
            schema.tables.iter().map(|t| t.name.as_str()),
            |name| snake_case(name, "table", "_"),
            RESERVED_MODULES,
            Suffix::Snake,
        );
        let idents = unique_idents(
            schema.tables.iter().map(|t| t.name.as_str()),
            |name| upper_camel_case(name, "Table", "T"),
            &[],
            Suffix::Camel,
        );
        let tables = schema
            .tables
            .iter()
            .zip(modules.into_iter().zip(idents))
            .map(|(table, (module, ident))| TableNames {
                module,
                ident,
                fields: unique_idents(
                    table.columns.iter().map(|c| c.name.as_str()),
                    |name| snake_case(name, "column", "_"),
                    &[],
                    Suffix::Snake,
                ),
            })
            .collect::<Vec<TableNames>>();
        let fields: Vec<&[String]> = tables.iter().map(|t| t.fields.as_slice()).collect();
        let relations = relations::plan(schema, &fields);
        Names {
            enums,
            enum_idents,
            tables,
            relations,
        }
    }

    fn enum_ident(&self, schema_name: &str) -> String {
        self.enums
            .get(schema_name)
            .cloned()
            .unwrap_or_else(|| upper_camel_case(schema_name, "Enum", "E"))
    }
}

fn header(out: &mut String, comment: &str, source: &str) {
    let _ = writeln!(
        out,
        "{comment} {} from {source}. Do not edit: change the schema and run `nzc compile`.\n",
        nzc_types::contract::GENERATED_MARKER
    );
}

/// Writes `pub struct Name {` (or `{}` when `empty`); rustfmt puts the brace
/// on its own line when the line would pass 100 columns.
fn open_body(out: &mut String, keyword: &str, ident: &str, empty: bool) {
    out.push_str(keyword);
    out.push_str(ident);
    let brace = if empty { "{}" } else { "{" };
    if keyword.len() + ident.len() + 1 + brace.len() > MAX_WIDTH {
        out.push('\n');
    } else {
        out.push(' ');
    }
    out.push_str(brace);
    out.push('\n');
}

/// Attributes of fields and variants get their shape: 100 columns minus the
/// indent, minus 1 for the trailing comma.
const MEMBER_ATTR_WIDTH: usize = MAX_WIDTH - 4 - 1;

// ---------------------------------------------------------------------------
// Cargo.toml

fn cargo_toml(schema: &Schema, options: &RustOptions, source: &str) -> GeneratedFile {
    let mut deps: BTreeMap<&str, &str> = BTreeMap::new();
    deps.insert("nzc", options.nzc_dependency.trim());
    deps.insert("serde", dependency_spec("serde"));
    for column in schema.tables.iter().flat_map(|t| &t.columns) {
        if let ColumnType::Scalar(ty) = &column.ty {
            if let Some(krate) = type_crate(ty.rust()) {
                deps.insert(krate, dependency_spec(krate));
            }
        }
    }
    let mut out = String::with_capacity(1024);
    header(&mut out, "#", source);
    let _ = write!(
        out,
        "[package]\nname = {}\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\ndescription = {}\n\n\
         [lib]\n# Docs come from the schema: they are not Rust examples.\ndoctest = false\n\n[dependencies]\n",
        toml_string(&options.crate_name),
        toml_string(&format!("Rust models of the tables in {}, generated by nzc", options.source_name)),
    );
    for (krate, spec) in deps {
        let _ = writeln!(out, "{krate} = {spec}");
    }
    GeneratedFile {
        path: "Cargo.toml".to_string(),
        contents: out,
    }
}

/// The crate a (fully qualified) Rust type comes from, unless it is `std`'s.
fn type_crate(rust: &str) -> Option<&str> {
    let krate = rust.strip_prefix("::")?.split("::").next()?;
    (!matches!(krate, "std" | "core" | "alloc")).then_some(krate)
}

fn dependency_spec(krate: &str) -> &'static str {
    match krate {
        "serde" => r#"{ version = "1", features = ["derive"] }"#,
        "serde_json" => r#""1""#,
        "uuid" => r#"{ version = "1", features = ["serde"] }"#,
        "chrono" => r#"{ version = "0.4", default-features = false, features = ["serde", "std"] }"#,
        "rust_decimal" => r#"{ version = "1", features = ["serde-with-str"] }"#,
        _ => r#""*""#,
    }
}

// ---------------------------------------------------------------------------
// src/lib.rs

fn lib_rs(schema: &Schema, names: &Names, source: &str) -> GeneratedFile {
    let mut out = String::with_capacity(1024 + schema.tables.len() * 160);
    header(&mut out, "//", source);
    let _ = write!(
        out,
        "//! Rust models of the tables in `{}`, generated by nzc: one struct per table",
        source.replace('`', "'")
    );
    out.push_str(if schema.enums.is_empty() {
        ".\n"
    } else {
        ",\n//! one enum per database enum type.\n"
    });

    let by_name: HashMap<&str, usize> = schema
        .tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let mut listed = vec![false; schema.tables.len()];
    let table_item = |out: &mut String, i: usize| {
        let table = &schema.tables[i];
        let ident = &names.tables[i].ident;
        let _ = write!(out, "//! - [`{ident}`]");
        if *ident != table.name {
            let _ = write!(
                out,
                " (table `{}`)",
                fmt::sanitize_comment(&table.name).replace('`', "'")
            );
        }
        let summary = table.doc.as_deref().and_then(|d| {
            d.lines()
                .map(fmt::sanitize_comment)
                .find(|l| !l.trim().is_empty())
        });
        if let Some(summary) = summary {
            let _ = write!(out, ": {}", summary.trim_start());
        }
        out.push('\n');
    };
    for group in &schema.groups {
        let heading = fmt::sanitize_comment(&format!("# {}", group.name));
        let _ = writeln!(out, "//!\n//! {heading}\n//!");
        if let Some(doc) = &group.doc {
            let before = out.len();
            write_doc(&mut out, "", "//!", doc);
            if out.len() > before {
                out.push_str("//!\n");
            }
        }
        for table in &group.tables {
            if let Some(&i) = by_name.get(table.as_str()) {
                listed[i] = true;
                table_item(&mut out, i);
            }
        }
    }
    if listed.iter().any(|l| !l) {
        let title = if schema.groups.is_empty() {
            "Tables"
        } else {
            "Other tables"
        };
        let _ = writeln!(out, "//!\n//! # {title}\n//!");
        for (i, _) in listed.iter().enumerate().filter(|(_, l)| !**l) {
            table_item(&mut out, i);
        }
    }

    // `mod` and `use` pairs separated by blank lines: rustfmt sorts runs of
    // `mod` items, this keeps the declaration order.
    if !schema.enums.is_empty() {
        out.push_str("\npub mod enums;\npub use enums::*;\n");
    }
    for table in &names.tables {
        out.push_str("\npub mod ");
        push_ident(&mut out, &table.module);
        out.push_str(";\npub use ");
        push_ident(&mut out, &table.module);
        out.push_str("::");
        out.push_str(&table.ident);
        out.push_str(";\n");
    }
    GeneratedFile {
        path: "src/lib.rs".to_string(),
        contents: out,
    }
}

// ---------------------------------------------------------------------------
// src/enums.rs

const ENUM_DERIVE: &str = "#[derive(\n    Debug,\n    Clone,\n    Copy,\n    PartialEq,\n    Eq,\n    Hash,\n    \
                           ::serde::Serialize,\n    ::serde::Deserialize,\n    ::nzc::NzcEnum,\n)]\n";

fn enums_rs(schema: &Schema, names: &Names, source: &str) -> GeneratedFile {
    let mut out = String::with_capacity(512 + schema.enums.len() * 512);
    header(&mut out, "//", source);
    out.push_str("//! The database enum types.\n");
    for (e, ident) in schema.enums.iter().zip(&names.enum_idents) {
        out.push('\n');
        write_enum(&mut out, e, ident);
    }
    GeneratedFile {
        path: "src/enums.rs".to_string(),
        contents: out,
    }
}

fn write_enum(out: &mut String, e: &Enum, ident: &str) {
    if let Some(doc) = &e.doc {
        write_doc(out, "", "///", doc);
    }
    out.push_str(ENUM_DERIVE);
    write_attr(
        out,
        0,
        MAX_WIDTH,
        &Meta::List("nzc", vec![Nested::name_value("type_name", &e.name)]),
    );
    open_body(out, "pub enum ", ident, e.values.is_empty());
    if e.values.is_empty() {
        return;
    }
    let variants = unique_idents(
        e.values.iter().map(String::as_str),
        |value| upper_camel_case(value, "Value", "V"),
        &[],
        Suffix::Camel,
    );
    for (value, variant) in e.values.iter().zip(&variants) {
        if variant != value {
            for attr in ["nzc", "serde"] {
                write_attr(
                    out,
                    4,
                    MEMBER_ATTR_WIDTH,
                    &Meta::List(attr, vec![Nested::name_value("rename", value)]),
                );
            }
        }
        out.push_str("    ");
        out.push_str(variant);
        out.push_str(",\n");
    }
    out.push_str("}\n");
}

// ---------------------------------------------------------------------------
// src/<table>.rs

const MODEL_DERIVE: &str =
    "#[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize, ::nzc::NzcModel)]\n";

fn table_rs(table: &Table, table_names: &TableNames, names: &Names, source: &str) -> GeneratedFile {
    let mut out = String::with_capacity(768 + table.columns.len() * 192);
    header(&mut out, "//", source);
    write_struct(&mut out, table, table_names, names);
    GeneratedFile {
        path: format!("src/{}.rs", table_names.module),
        contents: out,
    }
}

fn write_struct(out: &mut String, table: &Table, table_names: &TableNames, names: &Names) {
    let fields = &table_names.fields;
    if let Some(doc) = &table.doc {
        write_doc(out, "", "///", doc);
    }
    out.push_str(MODEL_DERIVE);

    // serde: JSON uses the column names.
    let camel = table
        .columns
        .iter()
        .zip(fields)
        .all(|(c, f)| serde_camel_case(f) == c.name);
    if camel && !table.columns.is_empty() {
        out.push_str("#[serde(rename_all = \"camelCase\")]\n");
    }

    let struct_attr = |out: &mut String, item: Nested| {
        write_attr(out, 0, MAX_WIDTH, &Meta::List("nzc", vec![item]))
    };
    struct_attr(out, Nested::name_value("table", &table.name));

    // The primary key goes on the fields unless its order differs from theirs.
    let pk = &table.primary_key.columns;
    let pk_positions: Vec<Option<usize>> = pk
        .iter()
        .map(|c| table.columns.iter().position(|col| col.name == *c))
        .collect();
    let pk_on_fields =
        pk_positions.iter().all(Option::is_some) && pk_positions.windows(2).all(|w| w[0] < w[1]);
    if !pk.is_empty() && !pk_on_fields {
        struct_attr(out, Nested::lits("primary_key", pk));
    }

    for unique in &table.uniques {
        struct_attr(
            out,
            unique_item(&unique.name, &unique.columns, unique.nulls_not_distinct),
        );
    }
    for index in table.indexes.iter().filter(|i| i.unique) {
        struct_attr(out, unique_item(&index.name, &index.columns, false));
    }

    // Single-column foreign keys go on their field (the first one per column);
    // the others on the struct.
    let mut field_fk: Vec<Option<&ForeignKey>> = vec![None; table.columns.len()];
    for fk in &table.foreign_keys {
        let slot = match fk.columns.as_slice() {
            [column] => table
                .columns
                .iter()
                .position(|c| c.name == *column)
                .filter(|&i| field_fk[i].is_none()),
            _ => None,
        };
        match slot {
            Some(i) => field_fk[i] = Some(fk),
            None => struct_attr(
                out,
                Nested::list(
                    "foreign_key",
                    vec![
                        Nested::name_value("name", &fk.name),
                        Nested::lits("columns", &fk.columns),
                        Nested::name_value("references", &fk.ref_table),
                        Nested::lits("ref_columns", &fk.ref_columns),
                    ],
                ),
            ),
        }
    }

    open_body(
        out,
        "pub struct ",
        &table_names.ident,
        table.columns.is_empty(),
    );
    if table.columns.is_empty() {
        return;
    }
    let mut field = String::with_capacity(64);
    let mut ty = String::with_capacity(96);
    for (i, (column, name)) in table.columns.iter().zip(fields).enumerate() {
        if let Some(doc) = &column.doc {
            write_doc(out, "    ", "///", doc);
        }
        if !camel && *name != column.name {
            write_attr(
                out,
                4,
                MEMBER_ATTR_WIDTH,
                &Meta::List("serde", vec![Nested::name_value("rename", &column.name)]),
            );
        }
        let mut items = Vec::with_capacity(5);
        if pk_on_fields && table.is_pk_column(&column.name) {
            items.push(Nested::word("primary_key"));
        }
        items.push(Nested::name_value("column", &column.name));
        if matches!(column.ty, ColumnType::Enum(_)) {
            items.push(Nested::word("enum"));
        }
        if let Some(fk) = field_fk[i] {
            items.push(Nested::name_value(
                "references",
                &format!(
                    "{}.{}",
                    fk.ref_table,
                    fk.ref_columns.first().map_or("", String::as_str)
                ),
            ));
            items.push(Nested::name_value("foreign_key_name", &fk.name));
        }
        write_attr(out, 4, MEMBER_ATTR_WIDTH, &Meta::List("nzc", items));

        field.clear();
        push_ident(&mut field, name);
        ty.clear();
        rust_type(&mut ty, column, names);
        write_field(out, &field, &ty);
    }
    out.push_str("}\n");
}

fn unique_item(name: &str, columns: &[String], nulls_not_distinct: bool) -> Nested {
    let mut items = vec![
        Nested::name_value("name", name),
        Nested::lits("columns", columns),
    ];
    if nulls_not_distinct {
        items.push(Nested::word("nulls_not_distinct"));
    }
    Nested::list("unique", items)
}

/// The Rust type of a column's field.
fn rust_type(out: &mut String, column: &Column, names: &Names) {
    if column.nullable {
        out.push_str("::std::option::Option<");
    }
    match &column.ty {
        ColumnType::Scalar(ty) => out.push_str(ty.rust()),
        ColumnType::Enum(name) => {
            out.push_str("crate::enums::");
            out.push_str(&names.enum_ident(name));
        }
    }
    if column.nullable {
        out.push('>');
    }
}
