//! The schema model printed back as a schema file: [`render`] turns a
//! [`Schema`] (the IR) into the text of a `.nzc` file in the canonical
//! `nzc fmt` layout. `nzc db pull` introspects a live database into the same
//! IR the compiler produces and writes it with this.
//!
//! # Contract
//!
//! For a valid schema `s`, `render(&s)` returns `Ok(text)` where
//! - `nzc_dsl::compile(&text, _)` succeeds and gives `s` back in everything a
//!   database holds: enums (values, order, docs), tables in `s.tables` order,
//!   columns in order with their types, nullability, defaults and docs,
//!   primary keys, unique constraints, foreign keys (actions included),
//!   indexes and checks, each in its order and with its final name;
//! - `nzc_dsl::format(&text, _) == text`: the text is already formatted;
//! - the same `s` always gives byte-identical text.
//!
//! `render` checks the first point itself: the text is compiled before it is
//! returned, and a model the compiler rejects (a foreign key to a missing
//! table, a default that does not fit its column, a clash of names…) is a
//! [`RenderError::Invalid`] carrying the compiler's diagnostics on the
//! printed text (file name `pulled.nzc`), not a file that does not compile.
//!
//! # How the model is written
//!
//! - **Layout**: a `naming { … }` block when `s.naming` differs from
//!   [`Naming::default`] (only the templates that differ), then the enums,
//!   then the tables. Tables with a `group` are printed inside their `group`
//!   block, which stands where the group's first table is (see *What comes
//!   back different*).
//! - **Names** of primary keys, unique constraints, indexes and foreign keys
//!   get an explicit `name: "…"` only when the name differs from what the
//!   naming convention (templates, then the 63-byte shortening of
//!   [`nzc_dsl::naming::shorten`]) gives; a conventional name that was
//!   shortened needs no explicit name either.
//! - **Check constraints**: ``@@check(short, `expr`)`` is named by the
//!   `check` template (`ck_{table}_{short}` by default), so a check whose
//!   final name the template gives from some short name is written that way,
//!   the short name recovered from the final name. Any other check (a
//!   database's own names such as `Order_amount_check`, or a shortened name
//!   whose short part was cut off) gets its final name as an explicit
//!   argument: ``@@check(Order_amount_check, `expr`, name: "Order_amount_check")``.
//!   Its short name, only the declaration's identifier then, is the final name
//!   with every character other than ASCII letters, digits and `_` made `_`
//!   (`_` in front when it starts with a digit, cut to 63 bytes), followed by
//!   `_2`, `_3`… when another check of the table already has it.
//! - **Single-column constraints** are written on their column (`@pk`,
//!   `@unique`, `@ref(T.c)`) when that keeps their order: the compiler lists
//!   column-level unique constraints (and foreign keys) first, in column
//!   order, then the table-level ones. So the longest leading run of
//!   `Table::uniques` (resp. `foreign_keys`) that are single-column with
//!   strictly increasing column positions is written on the columns, the rest
//!   as `@@unique([…])` (resp. `@@ref([…], T, […])`). Foreign keys always name
//!   their referenced columns. Actions other than `no_action` are written.
//! - **`NULLS NOT DISTINCT`** of a unique constraint is `nulls_not_distinct: true`
//!   after its columns (`@unique(nulls_not_distinct: true)` on a column,
//!   `@@unique([a, b], nulls_not_distinct: true)`), before `name:`.
//! - **Defaults**: integer and decimal literals as written (when they are a
//!   number literal `-?digits[.digits]`; otherwise as SQL in backticks, which
//!   has the same SQL text); strings quoted with `\"`, `\\`, `\n` and `\t`
//!   escaped (every other character as it is, a carriage return too: the
//!   grammar has no escape for it); `true`/`false`; SQL expressions
//!   in backticks, also `now()` (always backticks: the bare `now()` form is
//!   checked against the column type, backticks are taken as written).
//! - **Docs**: one `///` line per line of the doc.
//! - `renamed_from` is never printed: it belongs to one migration.
//!
//! # What comes back different
//!
//! - `renamed_from` (never printed).
//! - Trailing white space of a doc line, and white space around an SQL
//!   expression (of a check, or the default of a non-enum column): the
//!   compiler trims them.
//! - A `DefaultValue::Integer`/`Decimal` whose text is not a number literal
//!   comes back as `DefaultValue::Expr` with the same text (same SQL); a
//!   `Decimal` without a fraction (`"1"`) comes back as `Integer`.
//! - Order of groups and tables: a group's tables are printed together, so if
//!   they are not contiguous in `s.tables` the compiled tables follow the
//!   printed order; groups come back in the order their blocks are printed
//!   (empty groups are printed before the first group that follows them in
//!   `s.groups`). A group's members are the tables whose `group` names it.
//!   `nzc db pull` has no groups, so none of this applies there.
//!
//! # What cannot be written
//!
//! Table, column and enum names are bare identifiers in the grammar (ASCII
//! letters, digits and `_`, not starting with a digit) of at most 63 bytes;
//! an SQL expression sits between backticks on one line, so it cannot contain
//! a backtick or a line break; every table has a primary key; an enum cannot
//! be spelled like a built-in type (`text`, `Int`…); an explicit name (of a
//! constraint, an index or an enum value) is not empty and at most 63 bytes.
//! What breaks these rules is not rewritten (that would change the
//! database): every such problem is collected into
//! [`RenderError::Unwritable`], each naming the table, column, enum or
//! constraint and why. (Enum values, group names and constraint names are
//! string literals and can hold any other text.)

use nzc_dsl::{is_ident, quote_string as quote};
use std::collections::HashSet;
use std::fmt::{self, Write as _};

use nzc_dsl::naming::{self, NameKind, NameParts};
use nzc_dsl::{
    Column, ColumnType, DefaultValue, Diagnostics, Enum, ForeignKey, Naming, ReferentialAction,
    Schema, Table, Unique, MAX_IDENT_BYTES,
};

/// The file name the printed text is checked (and its diagnostics reported) under.
const FILE_NAME: &str = "pulled.nzc";

/// Why a schema could not be written as a schema file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// Names or expressions the schema language cannot write, all of them, in
    /// the order of the file.
    #[error("the schema cannot be written as a schema file:{}", bullets(.0))]
    Unwritable(Vec<Problem>),
    /// The model is not a valid schema: the file printed from it does not
    /// compile. The diagnostics point into the printed text.
    #[error(
        "the schema model is not valid: the schema file printed from it does not compile\n{0}"
    )]
    Invalid(Diagnostics),
}

/// One thing the schema language cannot write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What it is, with its table: "column `order id` of table `Order`".
    pub item: String,
    /// Why it cannot be written.
    pub reason: &'static str,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.item, self.reason)
    }
}

fn bullets(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("\n  - {p}")).collect()
}

const NOT_AN_IDENT: &str = "a schema file writes this name as an identifier (ASCII letters, digits and `_`, not starting with a digit), and it is not one";
const TOO_LONG: &str = "it is longer than PostgreSQL's 63 bytes";
const EMPTY_NAME: &str = "the name is empty";
const TYPE_SPELLING: &str =
    "it is spelled like a built-in type, so a column of this type would be read as that type";
const NO_PRIMARY_KEY: &str = "it has no primary key, and every table of a schema file has one";
const BACKTICK: &str =
    "the SQL expression contains a backtick, which would end it in a schema file (`…`)";
const LINE_BREAK: &str =
    "the SQL expression contains a line break, and in a schema file it is written on one line";
const EMPTY_EXPR: &str = "the SQL expression is empty";

/// Prints `schema` as a schema file in the canonical `nzc fmt` layout; see
/// the [module docs](self) for the contract, what comes back different after
/// a round trip, and what cannot be written.
pub fn render(schema: &Schema) -> Result<String, RenderError> {
    let mut p = Printer::new(schema);
    p.file();
    if !p.problems.is_empty() {
        return Err(RenderError::Unwritable(p.problems));
    }
    let text = nzc_dsl::format(&p.out, FILE_NAME).map_err(RenderError::Invalid)?;
    nzc_dsl::compile(&text, FILE_NAME).map_err(RenderError::Invalid)?;
    Ok(text)
}

struct Printer<'s> {
    schema: &'s Schema,
    out: String,
    problems: Vec<Problem>,
}

impl<'s> Printer<'s> {
    fn new(schema: &'s Schema) -> Self {
        Printer {
            schema,
            out: String::new(),
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, item: impl Into<String>, reason: &'static str) {
        self.problems.push(Problem {
            item: item.into(),
            reason,
        });
    }

    /// Checks a name written as a bare identifier; reports it when it is not one.
    fn ident(&mut self, name: &str, item: impl FnOnce() -> String) {
        if name.is_empty() {
            self.problem(item(), EMPTY_NAME);
        } else if !is_ident(name) {
            self.problem(item(), NOT_AN_IDENT);
        } else if name.len() > MAX_IDENT_BYTES {
            self.problem(item(), TOO_LONG);
        }
    }

    /// The `name: "…"` argument, when `name` is not the conventional one.
    fn name_arg(
        &mut self,
        name: &str,
        conventional: &str,
        item: impl FnOnce() -> String,
    ) -> Option<String> {
        (name != conventional).then(|| self.explicit_name(name, item))
    }

    /// The `name: "…"` argument; reports a name PostgreSQL cannot have.
    fn explicit_name(&mut self, name: &str, item: impl FnOnce() -> String) -> String {
        if name.is_empty() {
            self.problem(item(), EMPTY_NAME);
        } else if name.len() > MAX_IDENT_BYTES {
            self.problem(item(), TOO_LONG);
        }
        format!("name: {}", quote(name))
    }

    fn file(&mut self) {
        self.naming();
        for e in &self.schema.enums {
            self.enum_(e);
        }
        self.tables_and_groups();
    }

    // ---- naming ---------------------------------------------------------------

    fn naming(&mut self) {
        let naming = &self.schema.naming;
        let default = Naming::default();
        let mut entries = Vec::new();
        for kind in NameKind::ALL {
            let template = kind.template(naming);
            if template != kind.template(&default) {
                entries.push((kind.key(), template));
            }
        }
        if entries.is_empty() {
            return;
        }
        self.out.push_str("naming {\n");
        for (key, template) in entries {
            let _ = writeln!(self.out, "  {key} = {}", quote(template));
        }
        self.out.push_str("}\n\n");
    }

    // ---- enums ----------------------------------------------------------------

    fn enum_(&mut self, e: &Enum) {
        let item = || format!("enum `{}`", e.name);
        self.ident(&e.name, item);
        if nzc_types::lookup(&e.name).is_some() {
            self.problem(item(), TYPE_SPELLING);
        }
        docs(&mut self.out, 0, e.doc.as_deref());
        let _ = writeln!(self.out, "enum {} {{", e.name);
        for v in &e.values {
            let item = || format!("value `{v}` of enum `{}`", e.name);
            if v.is_empty() {
                self.problem(item(), EMPTY_NAME);
            } else if v.len() > MAX_IDENT_BYTES {
                self.problem(item(), TOO_LONG);
            }
            let _ = writeln!(self.out, "  {}", name_or_string(v));
        }
        self.out.push_str("}\n\n");
    }

    // ---- groups ---------------------------------------------------------------

    /// Tables in `s.tables` order; a group's block stands where its first table is.
    fn tables_and_groups(&mut self) {
        let schema = self.schema;
        // Groups: the schema's (first of duplicates), then any only a table names.
        let mut groups: Vec<(&str, Option<&str>)> = Vec::new();
        let named = schema
            .groups
            .iter()
            .map(|g| (g.name.as_str(), g.doc.as_deref()))
            .chain(
                schema
                    .tables
                    .iter()
                    .filter_map(|t| t.group.as_deref().map(|g| (g, None))),
            );
        for (name, doc) in named {
            if !groups.iter().any(|(n, _)| *n == name) {
                groups.push((name, doc));
            }
        }
        let members: Vec<Vec<usize>> = groups
            .iter()
            .map(|(name, _)| {
                (0..schema.tables.len())
                    .filter(|&i| schema.tables[i].group.as_deref() == Some(name))
                    .collect()
            })
            .collect();
        let mut printed = vec![false; groups.len()];
        for (ti, t) in schema.tables.iter().enumerate() {
            let Some(gi) = members.iter().position(|m| m.contains(&ti)) else {
                self.table(0, ti);
                continue;
            };
            if printed[gi] {
                continue;
            }
            for ei in 0..gi {
                if !printed[ei] && members[ei].is_empty() {
                    self.group(groups[ei], &[]);
                    printed[ei] = true;
                }
            }
            debug_assert_eq!(t.group.as_deref(), Some(groups[gi].0));
            self.group(groups[gi], &members[gi]);
            printed[gi] = true;
        }
        for (gi, g) in groups.iter().enumerate() {
            if !printed[gi] {
                self.group(*g, &[]);
            }
        }
    }

    fn group(&mut self, (name, doc): (&str, Option<&str>), tables: &[usize]) {
        docs(&mut self.out, 0, doc);
        let _ = writeln!(self.out, "group {} {{", name_or_string(name));
        for &ti in tables {
            self.table(1, ti);
        }
        self.out.push_str("}\n\n");
    }

    // ---- tables ---------------------------------------------------------------

    fn table(&mut self, level: usize, ti: usize) {
        let schema = self.schema;
        let t = &schema.tables[ti];
        let naming = &schema.naming;
        self.ident(&t.name, || format!("table `{}`", t.name));
        for c in &t.columns {
            self.ident(&c.name, || {
                format!("column `{}` of table `{}`", c.name, t.name)
            });
        }

        // Primary key: on its column when it has one column.
        let pk = &t.primary_key;
        let pk_name = if pk.columns.is_empty() {
            self.problem(format!("table `{}`", t.name), NO_PRIMARY_KEY);
            None
        } else {
            self.name_arg(
                &pk.name,
                &conventional(&naming.primary_key, &t.name, &pk.columns, "", &[]),
                || format!("the name of the primary key of table `{}`", t.name),
            )
        };
        let pk_column = match pk.columns.as_slice() {
            [c] => column_position(t, c),
            _ => None,
        };

        // Unique constraints and foreign keys: the leading run on columns.
        let column_uniques = column_level_run(
            t,
            t.uniques.iter().map(|u| match u.columns.as_slice() {
                [c] => Some(c.as_str()),
                _ => None,
            }),
        );
        let column_fks = column_level_run(
            t,
            t.foreign_keys.iter().map(|fk| {
                match (fk.columns.as_slice(), fk.ref_columns.as_slice()) {
                    ([c], [_]) => Some(c.as_str()),
                    _ => None,
                }
            }),
        );
        let unique_names: Vec<Option<String>> = t
            .uniques
            .iter()
            .map(|u| {
                let conv = conventional(&naming.unique, &t.name, &u.columns, "", &[]);
                self.name_arg(&u.name, &conv, || {
                    format!(
                        "the name of unique constraint `{}` of table `{}`",
                        u.name, t.name
                    )
                })
            })
            .collect();
        let fk_args: Vec<String> = t
            .foreign_keys
            .iter()
            .map(|fk| self.fk_args(t, fk))
            .collect();

        docs(&mut self.out, level, t.doc.as_deref());
        indent(&mut self.out, level);
        let _ = writeln!(self.out, "table {} {{", t.name);
        for (ci, c) in t.columns.iter().enumerate() {
            let mut attrs: Vec<String> = Vec::new();
            if pk_column == Some(ci) {
                attrs.push(attr("@pk", &[], pk_name.clone()));
            }
            for (u, name) in t.uniques[..column_uniques].iter().zip(&unique_names) {
                if u.columns[0] == c.name {
                    let args = unique_options(u);
                    attrs.push(attr("@unique", &args, name.clone()));
                }
            }
            if let Some(d) = &c.default {
                let value = self.default_value(t, c, d);
                attrs.push(format!("@default({value})"));
            }
            for (fk, args) in t.foreign_keys[..column_fks].iter().zip(&fk_args) {
                if fk.columns[0] == c.name {
                    let target = format!("{}.{}", fk.ref_table, fk.ref_columns[0]);
                    attrs.push(format!("@ref({target}{args})"));
                }
            }
            docs(&mut self.out, level + 1, c.doc.as_deref());
            indent(&mut self.out, level + 1);
            let _ = write!(
                self.out,
                "{} {}{}",
                c.name,
                c.ty.dsl(),
                if c.nullable { "?" } else { "" }
            );
            for a in attrs {
                let _ = write!(self.out, " {a}");
            }
            self.out.push('\n');
        }

        let mut block: Vec<String> = Vec::new();
        if pk_column.is_none() && !pk.columns.is_empty() {
            block.push(attr("@@pk", &[list(&pk.columns)], pk_name));
        }
        for (u, name) in t.uniques.iter().zip(unique_names).skip(column_uniques) {
            let mut args = vec![list(&u.columns)];
            args.extend(unique_options(u));
            block.push(attr("@@unique", &args, name));
        }
        for ix in &t.indexes {
            let conv = conventional(&naming.index, &t.name, &ix.columns, "", &[]);
            let name = self.name_arg(&ix.name, &conv, || {
                format!("the name of index `{}` of table `{}`", ix.name, t.name)
            });
            let mut args = vec![list(&ix.columns)];
            if ix.unique {
                args.push("unique: true".to_string());
            }
            block.push(attr("@@index", &args, name));
        }
        for (fk, args) in t.foreign_keys.iter().zip(&fk_args).skip(column_fks) {
            block.push(format!(
                "@@ref({}, {}, {}{args})",
                list(&fk.columns),
                fk.ref_table,
                list(&fk.ref_columns)
            ));
        }
        for (ck, (short, explicit)) in t.checks.iter().zip(check_shorts(&naming.check, t)) {
            let name = explicit.then(|| {
                self.explicit_name(&ck.name, || {
                    format!(
                        "the name of check constraint `{}` of table `{}`",
                        ck.name, t.name
                    )
                })
            });
            let expr = self.raw(&ck.expr, true, || {
                format!("check constraint `{}` of table `{}`", ck.name, t.name)
            });
            block.push(attr("@@check", &[short, expr], name));
        }
        if !block.is_empty() {
            self.out.push('\n');
            for b in block {
                indent(&mut self.out, level + 1);
                self.out.push_str(&b);
                self.out.push('\n');
            }
        }
        indent(&mut self.out, level);
        self.out.push_str("}\n\n");
    }

    /// The arguments after the target of a foreign key: actions and name, each
    /// preceded by `, `.
    fn fk_args(&mut self, t: &Table, fk: &ForeignKey) -> String {
        let mut out = String::new();
        for (key, action) in [("on_delete", fk.on_delete), ("on_update", fk.on_update)] {
            if action != ReferentialAction::NoAction {
                let _ = write!(out, ", {key}: {}", action.dsl());
            }
        }
        let conv = conventional(
            &self.schema.naming.foreign_key,
            &t.name,
            &fk.columns,
            &fk.ref_table,
            &fk.ref_columns,
        );
        let name = self.name_arg(&fk.name, &conv, || {
            format!(
                "the name of foreign key `{}` of table `{}`",
                fk.name, t.name
            )
        });
        if let Some(name) = name {
            let _ = write!(out, ", {name}");
        }
        out
    }

    fn default_value(&mut self, t: &Table, c: &Column, d: &DefaultValue) -> String {
        let item = || format!("the default of column `{}` of table `{}`", c.name, t.name);
        match d {
            DefaultValue::Integer(s) | DefaultValue::Decimal(s) if is_number(s) => s.clone(),
            DefaultValue::Integer(s) | DefaultValue::Decimal(s) => self.raw(s, true, item),
            // The compiler keeps a raw default of an enum column as written,
            // and trims the others.
            DefaultValue::Expr(s) => {
                let trims = !matches!(c.ty, ColumnType::Enum(_));
                self.raw(s, trims, item)
            }
            DefaultValue::String(s) => quote(s),
            DefaultValue::Bool(b) => b.to_string(),
        }
    }

    /// An SQL expression in backticks (trimmed when the compiler trims it).
    fn raw(&mut self, expr: &str, trims: bool, item: impl FnOnce() -> String) -> String {
        let expr = if trims { expr.trim() } else { expr };
        if expr.contains('`') {
            self.problem(item(), BACKTICK);
        } else if expr.contains('\n') {
            self.problem(item(), LINE_BREAK);
        } else if trims && expr.is_empty() {
            self.problem(item(), EMPTY_EXPR);
        }
        format!("`{expr}`")
    }
}

/// Per check of `t`: the short name written in `@@check(short, …)`, and
/// whether the final name is written as `name: "…"` (when the `check`
/// template gives it from no short name). Short names are unique in the table.
fn check_shorts(template: &str, t: &Table) -> Vec<(String, bool)> {
    let recovered: Vec<Option<String>> = t
        .checks
        .iter()
        .map(|c| short_check_name(template, &t.name, &c.name))
        .collect();
    let mut taken: HashSet<String> = recovered.iter().flatten().cloned().collect();
    recovered
        .into_iter()
        .zip(&t.checks)
        .map(|(short, c)| match short {
            Some(short) => (short, false),
            None => (check_ident(&c.name, &mut taken), true),
        })
        .collect()
}

/// A short name for a check written with its final name: the final name made
/// an identifier of at most 63 bytes, `_2`, `_3`… added when it is `taken`.
fn check_ident(final_name: &str, taken: &mut HashSet<String>) -> String {
    let mut base: String = final_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if base.is_empty() {
        base.push_str("check");
    } else if base.starts_with(|c: char| c.is_ascii_digit()) {
        base.insert(0, '_');
    }
    base.truncate(MAX_IDENT_BYTES);
    let mut short = base.clone();
    let mut n = 1;
    while taken.contains(&short) {
        n += 1;
        let suffix = format!("_{n}");
        short = format!(
            "{}{suffix}",
            &base[..base.len().min(MAX_IDENT_BYTES - suffix.len())]
        );
    }
    taken.insert(short.clone());
    short
}

/// The short name `s` for which the `check` template gives `final_name`, if
/// there is one. The short name is an identifier and appears whole in the
/// final name (in its kept part when the name was shortened), so the
/// candidates are the identifiers inside `final_name`.
fn short_check_name(template: &str, table: &str, final_name: &str) -> Option<String> {
    let gives = |short: &str| {
        let full = naming::render(
            template,
            &NameParts {
                table,
                name: short,
                ..NameParts::default()
            },
        );
        naming::shorten(&full) == final_name
    };
    if !template.contains("{name}") {
        return gives("check").then(|| "check".to_string());
    }
    let bytes = final_name.as_bytes();
    for start in 0..bytes.len() {
        if !(bytes[start].is_ascii_alphabetic() || bytes[start] == b'_') {
            continue;
        }
        let run = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        // Longest first: `ck_T_a_b` is `a_b`, not `a`, when both would do.
        for end in (start + 1..=start + run).rev() {
            let short = &final_name[start..end];
            if gives(short) {
                return Some(short.to_string());
            }
        }
    }
    None
}

/// The name the convention gives (template, then shortening).
fn conventional(
    template: &str,
    table: &str,
    columns: &[String],
    ref_table: &str,
    ref_columns: &[String],
) -> String {
    naming::shorten(&naming::render(
        template,
        &NameParts {
            table,
            columns,
            ref_table,
            ref_columns,
            name: "",
        },
    ))
}

fn column_position(t: &Table, name: &str) -> Option<usize> {
    t.columns.iter().position(|c| c.name == name)
}

/// How many leading items (given as their single column, or `None` when they
/// cannot be written on a column) can be written on their columns and still
/// come back in the same order: strictly increasing column positions.
fn column_level_run<'a>(t: &Table, singles: impl Iterator<Item = Option<&'a str>>) -> usize {
    let mut last: Option<usize> = None;
    let mut n = 0;
    for single in singles {
        let Some(pos) = single.and_then(|c| column_position(t, c)) else {
            break;
        };
        if last.is_some_and(|l| pos <= l) {
            break;
        }
        last = Some(pos);
        n += 1;
    }
    n
}

/// `@name(args…, name: "…")`, or `@name` without arguments.
fn attr(name: &str, args: &[String], name_arg: Option<String>) -> String {
    let all: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .chain(name_arg.as_deref())
        .collect();
    if all.is_empty() {
        name.to_string()
    } else {
        format!("{name}({})", all.join(", "))
    }
}

/// The arguments of a unique constraint after its columns (before `name:`).
fn unique_options(u: &Unique) -> Vec<String> {
    if u.nulls_not_distinct {
        vec!["nulls_not_distinct: true".to_string()]
    } else {
        Vec::new()
    }
}

fn list(columns: &[String]) -> String {
    format!("[{}]", columns.join(", "))
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// `///` lines; the parser drops one space after `///` and trailing white space.
fn docs(out: &mut String, level: usize, doc: Option<&str>) {
    let Some(doc) = doc else { return };
    for line in doc.split('\n') {
        indent(out, level);
        let line = line.trim_end();
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            let _ = writeln!(out, "/// {line}");
        }
    }
}

/// The grammar's `number`: `-?digits(.digits)?`.
fn is_number(s: &str) -> bool {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let s = s.strip_prefix('-').unwrap_or(s);
    match s.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac),
        None => digits(s),
    }
}

fn name_or_string(s: &str) -> String {
    if is_ident(s) {
        s.to_string()
    } else {
        quote(s)
    }
}
