//! Drift: the live database compared with the schema it should have.
//!
//! Both sides come from the catalog, and are compared as schema models
//! through the one schema diff (`nzc_codegen::diff`):
//! - **found**: [`introspect`](crate::introspect()) of the live schema;
//! - **expected**: the schema snapshot of the recorded migration, in the
//!   form introspection gives for the database it builds
//!   ([`Introspection::canonical`](crate::Introspection::canonical)); when
//!   that shows differences, the snapshot is built in the session's
//!   temporary schema inside a transaction that is rolled back, and
//!   introspected there ([`catalog_form`]), so PostgreSQL itself prints both
//!   sides' check expressions, defaults and types, and a difference is never
//!   one of spelling ([`compare_with`]). It needs only the `TEMP` privilege
//!   (granted to everyone by default), not `CREATE`.
//!
//! Every step of `diff(found, expected)` names an object that differs; the
//! steps' lock-safe plan ([`nzc_codegen::plan::lock_safe`], as `nzc compile`
//! plans a migration) is the repair (`nzc migrate check --sql`), so that
//! repairing a busy production table does not block it. Differences of
//! comments alone (`///` docs) are **cosmetic**: reported, added by the
//! repair SQL, but not drift — a database built by another tool usually
//! has none (see `docs/database-guide.md`).

use crate::error::db;
use crate::introspect::introspect_in;
use crate::{Error, Unmanaged};
use nzc_codegen::diff::{diff, Renames, Step};
use nzc_codegen::plan::{lock_safe, Options, Part};
use nzc_dsl::{quote_ident as q, Column, Schema, Table};
use nzc_types::contract::PartMode;
use std::collections::BTreeMap;
use std::fmt;
use tokio_postgres::Client;

/// One object that differs: what the schema expects and what the database has.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    /// The object: `table "City"`, `column "City"."notes"`,
    /// `unique constraint "uq_City_cityName" on "City"`, `index …`, …
    pub object: String,
    /// Its definition in the schema; `None`: the schema does not have it.
    pub expected: Option<String>,
    /// Its definition in the database; `None`: the database does not have it.
    pub found: Option<String>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.expected, &self.found) {
            (Some(e), None) => write!(f, "{}: missing (expected {e})", self.object),
            (None, Some(x)) => write!(f, "{}: not in the schema (found {x})", self.object),
            (Some(e), Some(x)) => write!(f, "{}: expected {e}, found {x}", self.object),
            (None, None) => write!(f, "{}", self.object),
        }
    }
}

/// The result of comparing a database with a schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Differences that matter: tables, columns, types, nullability,
    /// defaults, keys, constraints, indexes, enums.
    pub differences: Vec<Difference>,
    /// Differences of comments only.
    pub cosmetic: Vec<Difference>,
    /// The statements that turn the database into the schema (all of the
    /// above, comments included), in dependency order, as plain DDL.
    pub repair: Vec<String>,
    /// Whether the repair must run outside a transaction (`ALTER TYPE … ADD VALUE`).
    pub repair_needs_no_transaction: bool,
    /// The repair as a lock-safe plan: what `nzc migrate check --sql` prints.
    pub repair_plan: Vec<Part>,
}

impl Comparison {
    /// No difference but (perhaps) cosmetic ones.
    pub fn is_empty(&self) -> bool {
        self.differences.is_empty()
    }
}

/// What [`Migrator::check`](crate::Migrator::check) finds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    /// The revision the database records (`None`: base).
    pub at: Option<String>,
    /// Migrations not applied yet (not drift).
    pub pending: Vec<String>,
    /// Differences between the database and the schema at `at`, cosmetic
    /// ones apart.
    pub differences: Vec<Difference>,
    /// Comment-only differences (not drift; the repair adds them).
    pub cosmetic: Vec<Difference>,
    /// Objects of the database that nzc does not model (not drift).
    pub unmanaged: Vec<Unmanaged>,
    /// The statements that bring the database to the schema at `at`, as
    /// plain DDL.
    pub repair: Vec<String>,
    pub repair_needs_no_transaction: bool,
    /// The same repair as a lock-safe plan ([`Drift::repair_sql`]).
    pub repair_plan: Vec<Part>,
}

impl Drift {
    /// In sync with the schema at the recorded revision (cosmetic
    /// differences, pending migrations and unmanaged objects aside).
    pub fn is_empty(&self) -> bool {
        self.differences.is_empty()
    }

    /// The repair as an SQL script for psql, with the default
    /// `lock_timeout` (5 s) and no notes; see [`Drift::repair_sql_with`].
    pub fn repair_sql(&self) -> String {
        self.repair_sql_with("5s", &|_| Vec::new())
    }

    /// The repair as an SQL script for psql (`nzc migrate check --sql`): its
    /// lock-safe plan, part by part, as the runner runs a migration's parts
    /// (see [`repair_script`]).
    pub fn repair_sql_with(&self, lock_timeout: &str, annotate: &ScriptNotes<'_>) -> String {
        repair_script(
            &self.repair_plan,
            self.at.as_deref(),
            lock_timeout,
            annotate,
        )
    }
}

/// Notes on the statements of an SQL script (e.g. the lock each takes):
/// byte ranges in the text it is given, and a comment line for the
/// statement that starts in each.
pub type ScriptNotes<'a> = dyn Fn(&str) -> Vec<((usize, usize), String)> + 'a;

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.differences {
            writeln!(f, "drift: {d}")?;
        }
        for d in &self.cosmetic {
            writeln!(f, "cosmetic: {d}")?;
        }
        Ok(())
    }
}

/// The parts of a repair plan as one script for psql: a transactional part
/// between `BEGIN` and `COMMIT`, under `SET LOCAL lock_timeout`; a
/// no-transaction part's statements bare, each committed on its own (psql's
/// autocommit). `annotate` reads the script without notes and gives the
/// comment lines put above its statements.
pub fn repair_script(
    parts: &[Part],
    at: Option<&str>,
    lock_timeout: &str,
    annotate: &ScriptNotes<'_>,
) -> String {
    let mut out = format!(
        "-- nzc migrate check --sql: brings the database to the schema at {}\n",
        at.unwrap_or("base")
    );
    if parts.iter().all(|p| p.items.is_empty()) {
        out.push_str("-- nothing to do\n");
        return out;
    }
    if parts.len() > 1 {
        out.push_str(&format!(
            "-- {} parts, each committed before the next starts. Run it with psql -v ON_ERROR_STOP=1:\n\
             -- a failed part stops the script there, the parts before it stay applied, and\n\
             -- `nzc migrate check --sql` then prints what is left to do.\n",
            parts.len()
        ));
    }
    // The script without notes, and where each statement starts in it.
    let mut text = out;
    let mut starts: Vec<usize> = Vec::new();
    for (k, part) in parts.iter().enumerate() {
        let tx = part.mode == PartMode::Transaction;
        text.push('\n');
        if parts.len() > 1 {
            text.push_str(&crate::runner::part_heading(k, parts.len(), tx));
            if !part.purposes.is_empty() {
                text.push_str(&format!(" ({})", part.purposes.join("; ")));
            }
            text.push('\n');
        } else if !tx {
            text.push_str("-- No transaction: each statement runs on its own.\n");
        }
        if tx {
            text.push_str("BEGIN;\n");
            text.push_str(&format!(
                "SET LOCAL lock_timeout = {};\n",
                nzc_dsl::quote_literal(lock_timeout)
            ));
        }
        for item in &part.items {
            if let Some(loss) = &item.data_loss {
                text.push_str(&format!("-- data loss: {loss}\n"));
            }
            starts.push(text.len());
            text.push_str(item.sql.trim_end());
            text.push('\n');
        }
        if tx {
            text.push_str("COMMIT;\n");
        }
    }
    let notes = annotate(&text);
    if notes.is_empty() {
        return text;
    }
    let mut out = String::with_capacity(text.len() + notes.len() * 64);
    let mut cursor = 0;
    for &start in &starts {
        out.push_str(&text[cursor..start]);
        crate::runner::push_notes(&mut out, &notes, start);
        cursor = start;
    }
    out.push_str(&text[cursor..]);
    out
}

/// `schema` as the catalog prints it: created in the session's temporary
/// schema inside a transaction that is rolled back, then introspected there.
pub async fn catalog_form(client: &Client, schema: &Schema) -> Result<Schema, Error> {
    if schema.tables.is_empty() && schema.enums.is_empty() {
        return Ok(Schema::default());
    }
    let sql = nzc_codegen::migration::generate(&Schema::default(), schema, "expected")
        .map(|m| m.up)
        .unwrap_or_default();
    client
        .batch_execute("BEGIN; SET LOCAL search_path = pg_temp")
        .await
        .map_err(db("cannot start a transaction"))?;
    let result = async {
        // `-- nzc:no-transaction` never appears in a migration from empty
        // (enums are created whole), so the script runs as one batch.
        client
            .batch_execute(&sql)
            .await
            .map_err(db("cannot build the expected schema in a temporary schema"))?;
        introspect_in(client, "pg_temp").await
    }
    .await;
    let rolled_back = client
        .batch_execute("ROLLBACK")
        .await
        .map_err(db("cannot roll back the temporary schema"));
    let found = result?;
    rolled_back?;
    Ok(found.schema)
}

/// Compares the live schema `found` with a schema `expected` compiled from
/// a snapshot. First with its canonical form
/// ([`Introspection::canonical`](crate::Introspection::canonical), no
/// database work): when that shows no difference, the database is what the
/// snapshot builds (PostgreSQL prints nothing that form does not predict).
/// Otherwise a difference may be one of spelling only (check expressions,
/// SQL defaults, which PostgreSQL reprints), so the comparison is made again
/// with the snapshot's [`catalog_form`].
pub async fn compare_with(
    client: &Client,
    found: &Schema,
    expected: &Schema,
) -> Result<Comparison, Error> {
    let quick = compare(found, &crate::Introspection::canonical(expected));
    if quick.is_empty() {
        return Ok(quick);
    }
    Ok(compare(found, &catalog_form(client, expected).await?))
}

/// Compares two schema models (both from the catalog) through the schema
/// diff: what turns `found` into `expected`.
pub fn compare(found: &Schema, expected: &Schema) -> Comparison {
    let mut steps = diff(found, expected, &Renames::default());
    // A table without a primary key is introspected with an empty one (and
    // reported as unmanaged): there is nothing to drop.
    steps.retain(|s| !matches!(s, Step::DropPrimaryKey { pk, .. } if pk.columns.is_empty()));
    let mut by_object: BTreeMap<String, (bool, Difference)> = BTreeMap::new();
    for step in &steps {
        for (cosmetic, d) in describe(step, found, expected) {
            if d.expected == d.found {
                continue;
            }
            by_object.entry(d.object.clone()).or_insert((cosmetic, d));
        }
    }
    let mut c = Comparison {
        repair: steps
            .iter()
            .flat_map(nzc_codegen::sql::statements)
            .collect(),
        repair_needs_no_transaction: steps.iter().any(Step::needs_no_transaction),
        repair_plan: lock_safe(&steps, expected, &Options::default()),
        ..Comparison::default()
    };
    for (_, (cosmetic, d)) in by_object {
        if cosmetic {
            c.cosmetic.push(d);
        } else {
            c.differences.push(d);
        }
    }
    c
}

/// The differences a step stands for, each with whether it is cosmetic.
/// Described from the two schemas (not from the step), so that a step that
/// only accompanies another (a default dropped and set again around a type
/// change) shows no difference of its own.
fn describe(step: &Step, found: &Schema, expected: &Schema) -> Vec<(bool, Difference)> {
    let table_of = |s: &Schema, t: &str| s.table(t).cloned();
    let column = |table: &str, col: &str| Difference {
        object: format!("column {}.{}", q(table), q(col)),
        expected: table_of(expected, table).and_then(|t| t.column(col).map(column_text)),
        found: table_of(found, table).and_then(|t| t.column(col).map(column_text)),
    };
    let constraint = |table: &str, name: &str| {
        let e = table_of(expected, table).and_then(|t| constraint_text(&t, name));
        let f = table_of(found, table).and_then(|t| constraint_text(&t, name));
        let kind = e.as_ref().or(f.as_ref()).map_or("constraint", |(k, _)| *k);
        Difference {
            object: format!("{kind} {} on {}", q(name), q(table)),
            expected: e.map(|(_, d)| d),
            found: f.map(|(_, d)| d),
        }
    };
    let enum_ = |name: &str| Difference {
        object: format!("enum {}", q(name)),
        expected: expected.enum_(name).map(enum_text),
        found: found.enum_(name).map(enum_text),
    };
    let table = |name: &str| Difference {
        object: format!("table {}", q(name)),
        expected: expected.table(name).map(table_text),
        found: found.table(name).map(table_text),
    };
    let comment = |table: &str, col: Option<&str>| {
        let text = |s: &Schema| {
            let t = s.table(table)?;
            match col {
                None => t.doc.clone(),
                Some(c) => t.column(c)?.doc.clone(),
            }
        };
        let show = |d: Option<String>| {
            Some(d.map_or_else(|| "none".into(), |d| nzc_dsl::quote_literal(&d)))
        };
        Difference {
            object: match col {
                None => format!("comment on table {}", q(table)),
                Some(c) => format!("comment on column {}.{}", q(table), q(c)),
            },
            expected: show(text(expected)),
            found: show(text(found)),
        }
    };
    let one = |d: Difference| vec![(false, d)];
    match step {
        Step::CreateEnum(e) | Step::DropEnum(e) => one(enum_(&e.name)),
        Step::RenameEnum { from, to } => vec![(false, enum_(from)), (false, enum_(to))],
        Step::AddEnumValue { enum_name, .. } => one(enum_(enum_name)),
        Step::ReplaceEnum { new, .. } => one(enum_(&new.name)),
        Step::CreateTable { table: t, .. } | Step::DropTable(t) => one(table(&t.name)),
        Step::RenameTable { from, to } => vec![(false, table(from)), (false, table(to))],
        Step::AddColumn { table, column: c } | Step::DropColumn { table, column: c } => {
            one(column(table, &c.name))
        }
        Step::RenameColumn { table, from, to } => {
            vec![(false, column(table, from)), (false, column(table, to))]
        }
        Step::AlterColumnType {
            table, column: c, ..
        }
        | Step::SetNotNull { table, column: c }
        | Step::DropNotNull { table, column: c }
        | Step::SetDefault {
            table, column: c, ..
        }
        | Step::DropDefault { table, column: c } => one(column(table, c)),
        Step::AddPrimaryKey { table, pk } | Step::DropPrimaryKey { table, pk } => {
            one(constraint(table, &pk.name))
        }
        Step::AddUnique { table, unique } | Step::DropUnique { table, unique } => {
            one(constraint(table, &unique.name))
        }
        Step::AddForeignKey { table, fk } | Step::DropForeignKey { table, fk } => {
            one(constraint(table, &fk.name))
        }
        Step::CreateIndex { table, index } | Step::DropIndex { table, index } => {
            one(constraint(table, &index.name))
        }
        Step::AddCheck { table, check } | Step::DropCheck { table, check } => {
            one(constraint(table, &check.name))
        }
        Step::RenameConstraint { table, from, to } => vec![
            (false, constraint(table, from)),
            (false, constraint(table, to)),
        ],
        Step::RenameIndex { from, to } => {
            let owner = |name: &str| {
                let find = |s: &Schema| {
                    s.tables
                        .iter()
                        .find(|t| t.indexes.iter().any(|i| i.name == name))
                        .map(|t| t.name.clone())
                };
                find(expected).or_else(|| find(found)).unwrap_or_default()
            };
            vec![
                (false, constraint(&owner(from), from)),
                (false, constraint(&owner(to), to)),
            ]
        }
        Step::CommentTable { table, .. } => vec![(true, comment(table, None))],
        Step::CommentColumn { table, column, .. } => vec![(true, comment(table, Some(column)))],
    }
}

/// `type [NOT NULL] [DEFAULT …]`
fn column_text(c: &Column) -> String {
    let mut s = c.ty.pg();
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        s.push_str(" DEFAULT ");
        s.push_str(&d.sql());
    }
    s
}

fn table_text(t: &Table) -> String {
    format!("table with {} column(s)", t.columns.len())
}

fn enum_text(e: &nzc_dsl::Enum) -> String {
    let values: Vec<String> = e.values.iter().map(|v| nzc_dsl::quote_literal(v)).collect();
    format!("ENUM ({})", values.join(", "))
}

/// The kind and definition of the constraint or index `name` of `t`.
fn constraint_text(t: &Table, name: &str) -> Option<(&'static str, String)> {
    use nzc_codegen::sql::{cols, fk_def, unique_def};
    if t.primary_key.name == name {
        return Some((
            "primary key",
            format!("PRIMARY KEY ({})", cols(&t.primary_key.columns)),
        ));
    }
    if let Some(u) = t.uniques.iter().find(|u| u.name == name) {
        return Some(("unique constraint", unique_def(u)));
    }
    if let Some(fk) = t.foreign_keys.iter().find(|f| f.name == name) {
        return Some(("foreign key", fk_def(fk)));
    }
    if let Some(i) = t.indexes.iter().find(|i| i.name == name) {
        let unique = if i.unique { "UNIQUE " } else { "" };
        return Some(("index", format!("{unique}INDEX ({})", cols(&i.columns))));
    }
    if let Some(c) = t.checks.iter().find(|c| c.name == name) {
        return Some(("check constraint", format!("CHECK ({})", c.expr)));
    }
    None
}

/// Constraints of the schema that the database has `NOT VALID` (left so
/// by a repair or a migration stopped between adding and validating them,
/// or made so by hand) are drift: rows stored before them may break them.
/// The repair validates each in a transaction of its own (SHARE UPDATE
/// EXCLUSIVE: reads and writes go on). A constraint the repair re-creates
/// already (its definition differs) or drops (not in the schema) is left
/// to that.
fn validate_not_valid(found: &crate::Introspection, expected: &Schema, c: &mut Comparison) {
    for (table, name) in &found.not_valid {
        let Some((kind, def)) = found
            .schema
            .table(table)
            .and_then(|t| constraint_text(t, name))
        else {
            continue;
        };
        let object = format!("{kind} {} on {}", q(name), q(table));
        let in_schema = expected
            .table(table)
            .and_then(|t| constraint_text(t, name))
            .is_some();
        if !in_schema || c.differences.iter().any(|d| d.object == object) {
            continue;
        }
        let part = nzc_codegen::plan::validate_part(table, name);
        c.differences.push(Difference {
            object,
            expected: Some(def.clone()),
            found: Some(format!("{def} NOT VALID")),
        });
        c.repair.extend(part.items.iter().map(|i| i.sql.clone()));
        c.repair_plan.push(part);
    }
    c.differences.sort();
}

impl crate::Migrator {
    /// Compares the live database (schema `public`, or whatever the
    /// connection's `search_path` names first) with the schema it should
    /// have at its recorded revision (that migration's snapshot). Pending
    /// migrations are listed, not drift. A database that another tool built
    /// is [`Error::NotManaged`].
    pub async fn check(&self, client: &Client) -> Result<Drift, Error> {
        let files = self.migrations()?;
        crate::runner::ensure_managed(client).await?;
        let applied = crate::history::applied_only(&crate::history::read(client).await?);
        let expected = match applied.last() {
            None => Schema::default(),
            Some(a) => {
                let m = files
                    .iter()
                    .find(|m| m.version == a.version)
                    .ok_or_else(|| Error::MissingFiles(a.id()))?;
                snapshot_schema(m)?
            }
        };
        let schema = crate::foreign::target_schema(client).await?;
        let found = crate::introspect(client, &schema).await?;
        let mut c = compare_with(client, &found.schema, &expected).await?;
        validate_not_valid(&found, &expected, &mut c);
        Ok(Drift {
            at: applied.last().map(crate::history::Applied::id),
            pending: files
                .iter()
                .filter(|m| !applied.iter().any(|a| a.version == m.version))
                .map(crate::Migration::id)
                .collect(),
            differences: c.differences,
            cosmetic: c.cosmetic,
            unmanaged: found
                .unmanaged
                .into_iter()
                .filter(|u| u.name != crate::history::HISTORY_TABLE)
                .collect(),
            repair: c.repair,
            repair_needs_no_transaction: c.repair_needs_no_transaction,
            repair_plan: c.repair_plan,
        })
    }
}

/// The compiled schema snapshot of a migration.
pub fn snapshot_schema(m: &crate::Migration) -> Result<Schema, Error> {
    let text = m
        .snapshot
        .as_deref()
        .ok_or_else(|| Error::NoSnapshot { id: m.id() })?;
    let name = m.dir.join(crate::SNAPSHOT);
    nzc_dsl::compile(text, &name.display().to_string()).map_err(|d| Error::Snapshot {
        id: m.id(),
        diagnostics: d.to_string(),
    })
}
