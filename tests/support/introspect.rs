//! Introspection of a live PostgreSQL database for the round-trip tests of
//! the schema diff: "the database a migration left" is compared with "the
//! database of the model built from scratch" as plain values.
//!
//! This is deliberately *not* `nzc_migrate::introspect` (the product's one
//! reader of the catalog, which maps the catalog back into the schema
//! model): it is an independent oracle that compares PostgreSQL's own
//! renderings (`format_type`, `pg_get_constraintdef`, `pg_get_indexdef`) and
//! sees every relation, so a bug in the product's reader cannot hide a bug
//! in the diff. `tests/introspect.rs` checks the two against each other.
//!
//! # Use
//!
//! This file needs `tests/common/mod.rs` (for [`TestDb`]) declared as
//! `mod common;` in the same test crate, and is included with a path
//! attribute:
//!
//! ```ignore
//! mod common;
//! #[path = "support/introspect.rs"]
//! mod introspect;
//!
//! use introspect::{apply_sql, introspect, schema_db};
//! ```
//!
//! # What is compared
//!
//! [`DbSchema`] covers schema `public` without the runner's history table
//! `nzc_migrations`: tables (comment), their columns in physical order (name,
//! `format_type`, NOT NULL, default expression, comment), constraints
//! (`contype`, `pg_get_constraintdef`), indexes that do not back a
//! constraint (`pg_get_indexdef`), enum types with their labels in sort
//! order, and any other relation (sequences, views, …) by name and kind so a
//! leftover shows up. Everything is in ordered containers: two values compare
//! with `==`, and `assert_eq!` diffs are readable.

#![allow(dead_code)]

use std::collections::BTreeMap;

use nzc_codegen::migration::generate;
use nzc_dsl::Schema;
use tokio_postgres::Client;

use crate::common::TestDb;

/// The schema of a live database (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DbSchema {
    /// Tables by name.
    pub tables: BTreeMap<String, DbTable>,
    /// Enum types by name: labels in `enumsortorder`.
    pub enums: BTreeMap<String, Vec<String>>,
    /// Relations that are neither tables nor indexes, by name: `relkind`.
    pub other_relations: BTreeMap<String, String>,
}

/// One table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DbTable {
    pub comment: Option<String>,
    /// Columns in physical (`attnum`) order; dropped columns are skipped.
    pub columns: Vec<DbColumn>,
    /// Constraints by name.
    pub constraints: BTreeMap<String, DbConstraint>,
    /// Indexes that do not back a constraint, by name: `pg_get_indexdef`.
    pub indexes: BTreeMap<String, String>,
}

impl DbSchema {
    /// The schema with each table's columns sorted by name, for comparing
    /// databases where an online type change moved a column to the end of
    /// its table (PostgreSQL cannot insert one in the middle).
    pub fn columns_by_name(mut self) -> DbSchema {
        for t in self.tables.values_mut() {
            t.columns.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self
    }
}

impl DbTable {
    pub fn column(&self, name: &str) -> Option<&DbColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbColumn {
    pub name: String,
    /// `format_type(atttypid, atttypmod)`, e.g. `character varying(20)`.
    pub ty: String,
    pub not_null: bool,
    /// `pg_get_expr(adbin, adrelid)`.
    pub default: Option<String>,
    pub comment: Option<String>,
}

/// One constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbConstraint {
    /// `contype`: `p`, `u`, `f`, `c`, `x`, …
    pub kind: String,
    /// `pg_get_constraintdef(oid)`.
    pub def: String,
}

/// The table of the migration runner's history, left out of [`DbSchema`].
pub const HISTORY_TABLE: &str = "nzc_migrations";

/// Reads the schema of the database `client` is connected to.
pub async fn introspect(client: &Client) -> DbSchema {
    let mut schema = DbSchema::default();
    let q = |sql: &'static str| async move {
        client
            .query(sql, &[])
            .await
            .unwrap_or_else(|e| panic!("introspection query failed: {e}\n{sql}"))
    };

    for row in q("SELECT c.relname::text, obj_description(c.oid, 'pg_class')
           FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          ORDER BY 1")
    .await
    {
        let name: String = row.get(0);
        if name == HISTORY_TABLE {
            continue;
        }
        schema.tables.insert(
            name,
            DbTable {
                comment: row.get(1),
                ..DbTable::default()
            },
        );
    }

    for row in q(
        "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod),
                a.attnotnull, pg_get_expr(d.adbin, d.adrelid), col_description(c.oid, a.attnum)
           FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
            AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY c.relname, a.attnum",
    )
    .await
    {
        let table: String = row.get(0);
        if let Some(t) = schema.tables.get_mut(&table) {
            t.columns.push(DbColumn {
                name: row.get(1),
                ty: row.get(2),
                not_null: row.get(3),
                default: row.get(4),
                comment: row.get(5),
            });
        }
    }

    for row in q(
        "SELECT c.relname::text, con.conname::text, con.contype::text,
                pg_get_constraintdef(con.oid)
           FROM pg_constraint con
           JOIN pg_class c ON c.oid = con.conrelid
          WHERE c.relnamespace = 'public'::regnamespace",
    )
    .await
    {
        let table: String = row.get(0);
        if let Some(t) = schema.tables.get_mut(&table) {
            t.constraints.insert(
                row.get(1),
                DbConstraint {
                    kind: row.get(2),
                    def: row.get(3),
                },
            );
        }
    }

    // conindid of a foreign key is the referenced table's index: only
    // primary key, unique and exclusion constraints own their index.
    for row in q(
        "SELECT t.relname::text, i.relname::text, pg_get_indexdef(i.oid)
           FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
          WHERE t.relnamespace = 'public'::regnamespace
            AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                             WHERE con.conindid = x.indexrelid AND con.contype IN ('p', 'u', 'x'))",
    )
    .await
    {
        let table: String = row.get(0);
        if let Some(t) = schema.tables.get_mut(&table) {
            t.indexes.insert(row.get(1), row.get(2));
        }
    }

    for row in q("SELECT t.typname::text, e.enumlabel::text
           FROM pg_type t
           JOIN pg_enum e ON e.enumtypid = t.oid
          WHERE t.typnamespace = 'public'::regnamespace
          ORDER BY t.typname, e.enumsortorder")
    .await
    {
        schema.enums.entry(row.get(0)).or_default().push(row.get(1));
    }

    for row in q("SELECT c.relname::text, c.relkind::text
           FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind NOT IN ('r', 'p', 'i', 'I')")
    .await
    {
        let name: String = row.get(0);
        if !name.starts_with(HISTORY_TABLE) {
            schema.other_relations.insert(name, row.get(1));
        }
    }
    schema
}

/// Runs a migration's SQL the way the runner does: split into parts and
/// statements with the runner's splitter (`nzc_migrate::split`); a
/// transactional part in one transaction, a no-transaction part one
/// statement after the other (a file without parts is one part).
pub async fn apply_sql(client: &mut Client, sql: &str) -> Result<(), String> {
    let parts = nzc_migrate::split::split_parts(sql)
        .map_err(|e| format!("line {}: {}", e.line, e.message))?;
    let failed = |stmt: &str, e: tokio_postgres::Error| {
        let detail = e
            .as_db_error()
            .map_or_else(|| e.to_string(), |d| d.message().to_string());
        format!("{detail}\n  in: {stmt}")
    };
    for part in &parts {
        if part.mode == nzc_migrate::PartMode::NoTransaction {
            for stmt in &part.statements {
                client
                    .batch_execute(stmt.sql)
                    .await
                    .map_err(|e| failed(stmt.sql, e))?;
            }
            continue;
        }
        let tx = client
            .transaction()
            .await
            .map_err(|e| format!("BEGIN: {e}"))?;
        for stmt in &part.statements {
            tx.batch_execute(stmt.sql)
                .await
                .map_err(|e| failed(stmt.sql, e))?;
        }
        tx.commit().await.map_err(|e| format!("COMMIT: {e}"))?;
    }
    Ok(())
}

/// Like [`apply_sql`], panicking (with the whole SQL) on failure.
pub async fn apply(client: &mut Client, sql: &str, what: &str) {
    if let Err(e) = apply_sql(client, sql).await {
        panic!("{what} failed: {e}\n--- SQL ---\n{sql}");
    }
}

/// Empties the database: drops schema `public` with everything in it and
/// creates it again (cheaper than a new database).
pub async fn reset(client: &Client) {
    client
        .batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        .await
        .unwrap_or_else(|e| panic!("cannot reset schema public: {e}"));
}

/// The SQL that creates `model` in an empty database (the up migration of
/// empty → model); empty when the model has nothing.
pub fn create_sql(model: &Schema) -> String {
    generate(&Schema::default(), model, "x").map_or_else(String::new, |m| m.up)
}

/// The reference database of `model`, built in the database `client` is
/// connected to: reset, apply empty → model, introspect.
pub async fn schema_in(client: &mut Client, model: &Schema) -> DbSchema {
    reset(client).await;
    apply(
        client,
        &create_sql(model),
        "creating the model from scratch",
    )
    .await;
    introspect(client).await
}

/// The reference database of `model`: created from scratch in a fresh
/// [`TestDb`] (dropped afterwards) and introspected.
pub async fn schema_db(model: &Schema) -> DbSchema {
    let db = TestDb::new().await;
    let mut client = db.client().await;
    apply(
        &mut client,
        &create_sql(model),
        "creating the model from scratch",
    )
    .await;
    introspect(&client).await
}
