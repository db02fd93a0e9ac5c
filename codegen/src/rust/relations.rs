//! Relation methods: for every foreign key of the schema, a method on the
//! referencing model that fetches the referenced row, and one on the
//! referenced model that fetches the referencing rows. They go in a second
//! `impl` block of each model file (the derive knows nothing about them).
//!
//! # What is generated
//!
//! For a foreign key `EmissionRecord(cityId) → City(cityId)`:
//!
//! - `record.city(db) -> nzc::Result<Option<City>>` on the referencing model
//!   ("forward"): `City::get` when the key is a single column referencing the
//!   whole primary key, else `City::query()` filtered on the referenced
//!   columns, `.first(db)`. `Ok(None)` without a query when a referencing
//!   column is NULL (PostgreSQL does not check such a row either).
//! - `city.emission_records(db) -> nzc::Result<Vec<EmissionRecord>>` on the
//!   referenced model ("reverse"): `EmissionRecord::query()` filtered on the
//!   referencing columns, ordered by primary key (the filter builder's
//!   default). An empty list without a query when a referenced column of
//!   `self` is NULL.
//!
//! - When the referencing columns are unique in the referencing table (a
//!   one-to-one), the reverse method is singular and returns an `Option`
//!   (`city.climate_city_contract(db)`, `.first(db)`).
//! - After each, its batch form `<name>_of(db, rows: &[Self])`, one query
//!   for all rows, in input order: `EmissionRecord::city_of` →
//!   `Vec<Option<City>>` (`nzc::parent_of`), `City::emission_records_of` →
//!   `Vec<Vec<EmissionRecord>>` (`nzc::children_of`), a one-to-one →
//!   `Vec<Option<T>>` (`nzc::child_of`), naming the foreign key by its
//!   constraint name.
//!
//! A composite key filters on every column pair, combined with `.and`.
//!
//! # Names
//!
//! The generators' shared scheme ([`crate::relations`]): `city`,
//! `emission_records`, `tef_categories_by_parent_id`, `climate_city_contract`
//! (one-to-one), …; a name and its batch name `<name>_of` are never one of
//! the model's field names,
//! the derive's methods (`insert`, `insert_many`, `get`, `update`, `delete`,
//! `list`, `upsert`, `query`, `from_row`, `find_by_<cols>` /
//! `upsert_by_<cols>` of its unique keys), nor a method of the traits the
//! models derive or get for free (`clone`, `eq`, `fmt`, `serialize`, `into`,
//! …: an inherent method would shadow them), nor a keyword that cannot be a
//! raw identifier (`self`, …). Column constants are SCREAMING_CASE and
//! cannot clash.
//!
//! A foreign key whose column types differ in Rust gets no methods (a
//! validated schema has none).
//!
//! # Layout
//!
//! The text is what rustfmt writes, without running it: each statement has a
//! fixed shape with at most one or two names of variable length, and the
//! functions below choose among the layouts rustfmt uses for that shape (one
//! line, right-hand side on the next line, chain broken per element, …, and
//! the source line itself when nothing fits, which rustfmt then keeps). The
//! thresholds were measured against rustfmt; `tests/rust.rs` checks them on
//! random names of every length.

use std::collections::HashSet;

use heck::ToShoutySnakeCase;
use nzc_dsl::{Column, ColumnType, Schema, Table};
use unicode_width::UnicodeWidthStr;

use super::fmt::{sanitize_comment, str_lit, write_doc, MAX_WIDTH};
use super::names::{push_ident, NOT_RAW};
use crate::relations::{joined_snake, Relation, Rules};

/// Inherent methods of a generated model, from the derive and from the traits
/// it derives or gets by blanket impls: relation methods never take these.
const TAKEN_METHODS: &[&str] = &[
    // #[derive(NzcModel)]
    "insert",
    "insert_many",
    "get",
    "update",
    "delete",
    "list",
    "upsert",
    "upsert_many",
    "query",
    "from_row",
    // Debug, Clone, PartialEq, Serialize, Deserialize
    "fmt",
    "clone",
    "clone_from",
    "eq",
    "ne",
    "serialize",
    "deserialize",
    // blanket impls
    "into",
    "try_into",
    "from",
    "try_from",
    "to_owned",
    "clone_into",
    "borrow",
    "borrow_mut",
    "type_id",
];

/// Rust's rules in the shared naming scheme: `_` in front of a leading
/// digit, names as they are (keywords are written as raw identifiers), a
/// reverse relation over unique columns (one-to-one) in the singular, and
/// relations only between columns of the same Rust type.
const RULES: Rules = Rules {
    table_digit_prefix: "_",
    column_digit_prefix: "_",
    singular_one_to_one: true,
    escape: |name| name,
    related: same_rust_type,
};

fn same_rust_type(a: &Column, b: &Column) -> bool {
    match (&a.ty, &b.ty) {
        (ColumnType::Scalar(x), ColumnType::Scalar(y)) => x.rust() == y.rust(),
        (ColumnType::Enum(x), ColumnType::Enum(y)) => x == y,
        _ => false,
    }
}

/// The batch form of relation `x` is `x_of`.
const BATCH_SUFFIX: &str = "_of";

/// The relation methods of every table (schema order), forward ones first;
/// `fields` are the tables' field identifiers.
pub(crate) fn plan(schema: &Schema, fields: &[&[String]]) -> Vec<Vec<Relation>> {
    crate::relations::plan_with(schema, &RULES, &[BATCH_SUFFIX], |ti| {
        reserved_names(&schema.tables[ti], fields[ti])
    })
}

/// The model's field names, the derive's methods (with `find_by_<cols>` /
/// `upsert_by_<cols>` of its unique keys), trait methods, and the keywords
/// that cannot be raw identifiers.
fn reserved_names(table: &Table, fields: &[String]) -> Vec<String> {
    let mut set: HashSet<String> = fields.iter().cloned().collect();
    set.extend(TAKEN_METHODS.iter().map(|s| s.to_string()));
    set.extend(NOT_RAW.iter().map(|s| s.to_string()));
    let uniques = table.uniques.iter().map(|u| &u.columns).chain(
        table
            .indexes
            .iter()
            .filter(|i| i.unique)
            .map(|i| &i.columns),
    );
    for columns in uniques {
        let cols = joined_snake(columns, "_");
        set.insert(format!("find_by_{cols}"));
        set.insert(format!("upsert_by_{cols}"));
        set.insert(format!("upsert_many_by_{cols}"));
    }
    set.into_iter().collect()
}

// ---------------------------------------------------------------------------
// Rendering

/// What a model file needs to know about the crate to write its relations.
pub(crate) struct Context<'a> {
    pub(crate) schema: &'a Schema,
    /// Struct identifiers, per table.
    pub(crate) idents: &'a [&'a str],
    /// Field identifiers, per table.
    pub(crate) fields: &'a [&'a [String]],
}

/// The body's indentation.
const BODY: usize = 8;

/// Writes `impl Ident { … }` with the relation methods of table `ti`
/// (nothing when it has none), preceded by a blank line.
pub(crate) fn write_impl(out: &mut String, cx: &Context<'_>, ti: usize, relations: &[Relation]) {
    if relations.is_empty() {
        return;
    }
    let ident = cx.idents[ti];
    out.push_str(
        "\n/// Relations, from the schema's foreign keys: the rows this row refers to, and the\n\
         /// rows that refer to it.\n",
    );
    // rustfmt: `impl X {`; the name alone on its line when that does not fit
    // but the name does; else the line as written.
    let one_line = "impl ".len() + ident.len() + " {".len();
    if one_line <= MAX_WIDTH || 4 + ident.len() > MAX_WIDTH {
        out.push_str("impl ");
        out.push_str(ident);
        out.push_str(" {\n");
    } else {
        out.push_str("impl\n    ");
        out.push_str(ident);
        out.push_str("\n{\n");
    }
    for (i, relation) in relations.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        write_method(out, cx, ti, relation);
    }
    out.push_str("}\n");
}

/// A name for a doc comment: no line breaks, no backticks.
fn doc_name(name: &str) -> String {
    sanitize_comment(name).replace('`', "'")
}

fn doc_columns(columns: &[String]) -> String {
    match columns {
        [one] => format!("`{}`", doc_name(one)),
        _ => format!(
            "({})",
            columns
                .iter()
                .map(|c| format!("`{}`", doc_name(c)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn write_method(out: &mut String, cx: &Context<'_>, ti: usize, r: &Relation) {
    let schema = cx.schema;
    let child = &schema.tables[r.child];
    let parent = &schema.tables[r.parent];
    let fk = &child.foreign_keys[r.fk];
    // The model the method returns, and the columns on each side.
    let (target, own_columns, target_columns, own_table) = if r.forward {
        (r.parent, &r.child_columns, &r.parent_columns, child)
    } else {
        (r.child, &r.parent_columns, &r.child_columns, parent)
    };
    let target_ident = cx.idents[target];
    let target_path = if target == ti {
        "Self".to_string()
    } else {
        format!("crate::{target_ident}")
    };
    let nullable: Vec<bool> = own_columns
        .iter()
        .map(|&c| own_table.columns[c].nullable)
        .collect();
    let own_names: Vec<String> = own_columns
        .iter()
        .map(|&c| own_table.columns[c].name.clone())
        .collect();

    // Docs.
    // Its own struct is in scope (an explicit target would be redundant).
    let link = if target == ti {
        format!("[`{target_ident}`]")
    } else {
        format!("[`{target_ident}`](crate::{target_ident})")
    };
    let one_to_one = !r.forward && child.is_unique_key(&fk.columns);
    let mut doc = if r.forward {
        format!(
            "The {link} this row refers to through {}\n(foreign key `{}`)",
            doc_columns(&fk.columns),
            doc_name(&fk.name),
        )
    } else if one_to_one {
        format!(
            "The {link} row that refers to this row through {}\n(foreign key `{}`, over unique columns), if any",
            doc_columns(&fk.columns),
            doc_name(&fk.name),
        )
    } else {
        format!(
            "The {link} rows that refer to this row through {}\n(foreign key `{}`), ordered by primary key",
            doc_columns(&fk.columns),
            doc_name(&fk.name),
        )
    };
    let nulls: Vec<String> = own_names
        .iter()
        .zip(&nullable)
        .filter(|(_, n)| **n)
        .map(|(c, _)| c.clone())
        .collect();
    if !nulls.is_empty() {
        doc.push_str(if r.forward || one_to_one {
            "; `None`"
        } else {
            "; empty"
        });
        doc.push_str(if nulls.len() == 1 {
            " when "
        } else {
            " when any of "
        });
        doc.push_str(&doc_columns(&nulls));
        doc.push_str(" is NULL");
    }
    doc.push('.');
    write_doc(out, "    ", "///", &doc);

    // Signature.
    let mut method = String::with_capacity(r.name.len() + 2);
    push_ident(&mut method, &r.name);
    write_signature(out, &method, &target_path, !r.forward && !one_to_one);

    // Body: bind the key values, build the filter, run.
    let empty = if r.forward || one_to_one {
        "::std::result::Result::Ok(::std::option::Option::None)"
    } else {
        "::std::result::Result::Ok(::std::vec::Vec::new())"
    };
    let single = own_columns.len() == 1;
    let key_name = |i: usize| {
        if single {
            "key".to_string()
        } else {
            format!("key{i}")
        }
    };
    for (i, &c) in own_columns.iter().enumerate() {
        let mut field = String::with_capacity(24);
        push_ident(
            &mut field,
            &cx.fields[if r.forward { r.child } else { r.parent }][c],
        );
        if nullable[i] {
            write_let_else(out, &key_name(i), &field, empty);
        } else {
            write_let_field(out, &key_name(i), &field);
        }
    }
    let by_key = r.forward
        && single
        && parent.primary_key.columns.len() == 1
        && fk.ref_columns.first() == parent.primary_key.columns.first();
    if by_key {
        write_get(out, &target_path);
    } else {
        let filter_name = |i: usize| {
            if single {
                "filter".to_string()
            } else {
                format!("filter{i}")
            }
        };
        for (i, &c) in target_columns.iter().enumerate() {
            let constant = cx.fields[target][c]
                .trim_start_matches("r#")
                .to_shouty_snake_case();
            let path = format!("{target_path}::{constant}");
            write_let_eq(out, &filter_name(i), &path, &key_name(i));
        }
        if !single {
            write_let_and(out, target_columns.len());
        }
        let fetch = if r.forward || one_to_one {
            "first"
        } else {
            "all"
        };
        write_query(out, &target_path, fetch);
    }
    out.push_str("    }\n");

    // The batch form.
    out.push('\n');
    let batch = format!("{}{BATCH_SUFFIX}", r.name);
    let mut doc = format!(
        "Batch form of `{}`: for each of `rows`, in input order,\n",
        r.name
    );
    let (elem, func) = if r.forward {
        doc.push_str(&format!(
            "the {link} it refers to (`None` when it refers to none)"
        ));
        ("::std::option::Option<", "::nzc::parent_of")
    } else if one_to_one {
        doc.push_str(&format!("the {link} row that refers to it, if any"));
        ("::std::option::Option<", "::nzc::child_of")
    } else {
        doc.push_str(&format!(
            "the {link} rows that refer to it, ordered by primary key (empty when none)"
        ));
        ("::std::vec::Vec<", "::nzc::children_of")
    };
    doc.push_str("; one query for all of them.");
    write_doc(out, "    ", "///", &doc);
    let mut method = String::with_capacity(batch.len() + 2);
    push_ident(&mut method, &batch);
    write_batch_signature(out, &method, elem, &target_path);
    write_batch_call(out, func, &str_lit(&fk.name));
    out.push_str("    }\n");
}

/// `pub async fn name(db: &impl ::nzc::GenericClient, rows: &[Self]) ->
/// ::nzc::Result<Vec<elem T>>>` (`elem` = `Vec<` or `Option<`), as rustfmt
/// lays it out: the parameters never fit on one line with the return type.
fn write_batch_signature(out: &mut String, method: &str, elem: &str, target: &str) {
    const PARAMS: &str = "(db: &impl ::nzc::GenericClient, rows: &[Self])";
    let prefixes = ["::nzc::Result<", "::std::vec::Vec<", elem];
    let ret = format!("{}{target}>>>", prefixes.concat());
    let head = format!("pub async fn {method}");
    if 4 + head.len() + PARAMS.len() + " -> ".len() + ret.len() + " {".len() <= MAX_WIDTH {
        line(out, 4, &format!("{head}{PARAMS} -> {ret} {{"));
        return;
    }
    line(out, 4, &format!("{head}("));
    line(out, 8, "db: &impl ::nzc::GenericClient,");
    line(out, 8, "rows: &[Self],");
    // As in `write_signature`: the thresholds measured against rustfmt.
    if ret.len() <= 85 {
        line(out, 4, &format!(") -> {ret} {{"));
    } else if ret.len() <= 93 {
        line(out, 4, &format!(") -> {ret}"));
        line(out, 4, "{");
    } else {
        line(out, 4, &format!(") -> {}", prefixes[0]));
        // rustfmt keeps a signature whose type does not fit even broken
        // as written, and puts the body's brace right after it.
        let fits = write_type(out, 8, &prefixes[1..], target, ",");
        line(out, 4, if fits { "> {" } else { ">{" });
    }
}

/// A generic type `prefixes…leaf>…>` followed by `suffix`, its generic
/// arguments broken over lines (one level at a time) while it does not fit;
/// `false` if even the innermost line is too wide.
fn write_type(
    out: &mut String,
    indent: usize,
    prefixes: &[&str],
    leaf: &str,
    suffix: &str,
) -> bool {
    let full = format!("{}{leaf}{}", prefixes.concat(), ">".repeat(prefixes.len()));
    let fits = indent + full.len() + suffix.len() <= MAX_WIDTH;
    if prefixes.is_empty() || fits {
        line(out, indent, &format!("{full}{suffix}"));
        return fits;
    }
    line(out, indent, prefixes[0]);
    let fits = write_type(out, indent + 4, &prefixes[1..], leaf, ",");
    line(out, indent, &format!(">{suffix}"));
    fits
}

/// `func(db, rows, "fk_name").await`.
fn write_batch_call(out: &mut String, func: &str, name: &str) {
    let args = format!("db, rows, {name}");
    let call = format!("{func}({args})");
    // Display widths (the name may be any text). rustfmt's `fn_call_width`
    // (60): wider arguments go one per line.
    let (args_width, call_width) = (args.width(), call.width());
    if args_width <= 60 && BODY + call_width + ".await".len() <= MAX_WIDTH {
        line(out, BODY, &format!("{call}.await"));
    } else if args_width <= 60 && BODY + call_width <= MAX_WIDTH {
        line(out, BODY, &call);
        line(out, BODY + 4, ".await");
    } else {
        line(out, BODY, &format!("{func}("));
        line(out, BODY + 4, "db,");
        line(out, BODY + 4, "rows,");
        line(out, BODY + 4, &format!("{name},"));
        line(out, BODY, ")");
        line(out, BODY, ".await");
    }
}

fn line(out: &mut String, indent: usize, text: &str) {
    for _ in 0..indent {
        out.push(' ');
    }
    out.push_str(text);
    out.push('\n');
}

/// `pub async fn name(&self, db: &impl ::nzc::GenericClient) -> R {` with
/// `R` = `::nzc::Result<Option<T>>` (or `Vec<T>` when `many`).
fn write_signature(out: &mut String, method: &str, target: &str, many: bool) {
    const PARAMS: &str = "(&self, db: &impl ::nzc::GenericClient)";
    let container = if many {
        "::std::vec::Vec<"
    } else {
        "::std::option::Option<"
    };
    let inner = format!("{container}{target}>");
    let ret = format!("::nzc::Result<{inner}>");
    let head = format!("pub async fn {method}");
    // Everything on one line.
    if 4 + head.len() + PARAMS.len() + " -> ".len() + ret.len() + " {".len() <= MAX_WIDTH {
        line(out, 4, &format!("{head}{PARAMS} -> {ret} {{"));
        return;
    }
    // The return type's layouts, measured against rustfmt: after `) -> `,
    // with the brace on the same line (up to 85 columns of type), on the
    // next line (up to 93), or with the generic arguments broken once or
    // twice (each line within 100 columns).
    let layout = if ret.len() <= 85 {
        Some(format!("    ) -> {ret} {{\n"))
    } else if ret.len() <= 93 {
        Some(format!("    ) -> {ret}\n    {{\n"))
    } else if 8 + inner.len() + ",".len() <= MAX_WIDTH {
        Some(format!(
            "    ) -> ::nzc::Result<\n        {inner},\n    > {{\n"
        ))
    } else if 12 + target.len() + ",".len() <= MAX_WIDTH {
        Some(format!(
            "    ) -> ::nzc::Result<\n        {container}\n            {target},\n        >,\n    > {{\n"
        ))
    } else {
        None
    };
    match layout {
        Some(tail) => {
            line(out, 4, &format!("{head}("));
            line(out, 8, "&self,");
            line(out, 8, "db: &impl ::nzc::GenericClient,");
            out.push_str(&tail);
        }
        // rustfmt keeps a signature it cannot format as written, and puts
        // the body's brace right after it.
        None => line(out, 4, &format!("{head}{PARAMS} -> {ret}{{")),
    }
}

/// `let name = &self.field;`
fn write_let_field(out: &mut String, name: &str, field: &str) {
    let one = format!("let {name} = &self.{field};");
    if BODY + one.len() <= MAX_WIDTH {
        line(out, BODY, &one);
    } else if BODY + 4 + "&self.;".len() + field.len() <= MAX_WIDTH {
        line(out, BODY, &format!("let {name} ="));
        line(out, BODY + 4, &format!("&self.{field};"));
    } else if BODY + 4 + ".;".len() + field.len() <= MAX_WIDTH {
        line(out, BODY, &format!("let {name} = &self"));
        line(out, BODY + 4, &format!(".{field};"));
    } else {
        line(out, BODY, &one);
    }
}

/// `let Some(name) = &self.field else { return empty; };`
fn write_let_else(out: &mut String, name: &str, field: &str, empty: &str) {
    // The let statement's shape keeps a column for its `;`.
    const LIMIT: usize = MAX_WIDTH - 1;
    let head = format!("let ::std::option::Option::Some({name}) = &self.{field}");
    let ret = format!("return {empty};");
    if BODY + head.len() + " else {".len() <= LIMIT {
        line(out, BODY, &format!("{head} else {{"));
    } else if BODY + head.len() <= LIMIT {
        line(out, BODY, &head);
        line(out, BODY, "else {");
    } else if BODY + 4 + "&self.".len() + field.len() <= LIMIT {
        line(
            out,
            BODY,
            &format!("let ::std::option::Option::Some({name}) ="),
        );
        line(out, BODY + 4, &format!("&self.{field}"));
        line(out, BODY, "else {");
    } else if BODY + 4 + 1 + field.len() <= LIMIT {
        line(
            out,
            BODY,
            &format!("let ::std::option::Option::Some({name}) = &self"),
        );
        line(out, BODY + 4, &format!(".{field}"));
        line(out, BODY, "else {");
    } else {
        line(out, BODY, &format!("{head} else {{ {ret} }};"));
        return;
    }
    line(out, BODY + 4, &ret);
    line(out, BODY, "};");
}

/// `let name = path.eq(key);`
fn write_let_eq(out: &mut String, name: &str, path: &str, key: &str) {
    let rhs = format!("{path}.eq({key});");
    let one = format!("let {name} = {rhs}");
    if BODY + one.len() <= MAX_WIDTH {
        line(out, BODY, &one);
    } else if BODY + 4 + rhs.len() <= MAX_WIDTH {
        line(out, BODY, &format!("let {name} ="));
        line(out, BODY + 4, &rhs);
    } else if BODY + 4 + path.len() <= MAX_WIDTH {
        line(out, BODY, &format!("let {name} ="));
        line(out, BODY + 4, path);
        line(out, BODY + 8, &format!(".eq({key});"));
    } else {
        line(out, BODY, &one);
    }
}

/// `let filter = filter0.and(filter1)…;` for `n` filters.
fn write_let_and(out: &mut String, n: usize) {
    let children: Vec<String> = (1..n).map(|i| format!(".and(filter{i})")).collect();
    let chain_len = "filter0".len() + children.iter().map(String::len).sum::<usize>();
    // rustfmt's `chain_width` (60) applies to chains of two or more elements.
    if children.len() < 2 || chain_len <= 60 {
        line(
            out,
            BODY,
            &format!("let filter = filter0{};", children.concat()),
        );
    } else {
        line(out, BODY, "let filter = filter0");
        let last = children.len() - 1;
        for (i, child) in children.iter().enumerate() {
            let end = if i == last { ";" } else { "" };
            line(out, BODY + 4, &format!("{child}{end}"));
        }
    }
}

/// `Target::query().filter(filter).first(db).await` (or `.all(db)`).
fn write_query(out: &mut String, target: &str, fetch: &str) {
    let root = format!("{target}::query()");
    let children = [
        ".filter(filter)".to_string(),
        format!(".{fetch}(db)"),
        ".await".to_string(),
    ];
    let total = root.len() + children.iter().map(String::len).sum::<usize>();
    if total <= 60 {
        line(out, BODY, &format!("{root}{}", children.concat()));
    } else if BODY + root.len() <= MAX_WIDTH {
        line(out, BODY, &root);
        for child in &children {
            line(out, BODY + 4, child);
        }
    } else if BODY + root.len() - 1 <= MAX_WIDTH {
        // `query(` fits, `query()` does not: rustfmt breaks inside the
        // empty parentheses and aligns the chain with the root.
        line(out, BODY, &root[..root.len() - 1]);
        line(out, BODY, ")");
        for child in &children {
            line(out, BODY, child);
        }
    } else {
        line(out, BODY, &format!("{root}{}", children.concat()));
    }
}

/// `Target::get(db, key).await`.
fn write_get(out: &mut String, target: &str) {
    let call = format!("{target}::get(db, key)");
    if BODY + call.len() + ".await".len() <= MAX_WIDTH {
        line(out, BODY, &format!("{call}.await"));
    } else if BODY + call.len() <= MAX_WIDTH {
        line(out, BODY, &call);
        line(out, BODY + 4, ".await");
    } else if BODY + target.len() + "::get(".len() <= MAX_WIDTH {
        line(out, BODY, &format!("{target}::get("));
        line(out, BODY + 4, "db, key,");
        line(out, BODY, ")");
        line(out, BODY, ".await");
    } else {
        line(out, BODY, &format!("{call}.await"));
    }
}
