//! Introspection: a live PostgreSQL schema read back into the schema model.
//!
//! [`introspect`] reads one schema of a database into [`nzc_dsl::Schema`],
//! the model the compiler produces, so that every consumer (the drift check,
//! `adopt`, `nzc db pull`, the tests) compares model with model through the
//! one schema diff. For a schema S that nzc compiles, the database nzc's
//! migrations build from S introspects to [`Introspection::canonical`]`(S)`,
//! up to check expressions and `Expr` defaults, which PostgreSQL reprints
//! (see "Normalisation" below).
//!
//! # What is modelled
//!
//! - **Tables**: relkind `r` and `p` (a partitioned parent is modelled as a
//!   table, its partitioning reported), sorted by name (byte order, not the
//!   database's collation). Doc = the table's comment.
//! - **Columns** in `attnum` order, dropped ones skipped: name, type,
//!   nullability, default, comment.
//!   - The type is mapped back through the type table
//!     ([`nzc_types::TYPES`]): a `pg_catalog` type whose `format_type(oid,
//!     NULL)` is a row's PostgreSQL spelling, with the parameters of
//!     `format_type(oid, typmod)`; the result must print exactly as
//!     `format_type` does (so `timestamp(3)` is not silently a
//!     `timestamp`). `character(1)`, which is what a bare `char` means in
//!     PostgreSQL, is read as `char(1)` (length `Some(1)`); a `bpchar`
//!     without length is not modelled. An enum of the same schema is
//!     [`ColumnType::Enum`]. Any other type (arrays, domains, types of other
//!     schemas, `interval`, …) drops the column from the model and reports
//!     it (kind `column`); so do generated columns.
//!   - The default: `pg_get_expr(adbin)` mapped back to the
//!     [`DefaultValue`] the schema language produces for it, only where
//!     nzc's own SQL for that value prints exactly this text (so reading,
//!     rebuilding and reading again is a fixed point): `42` /
//!     `'-1'::integer` / `'3000000000'::bigint` → `Integer`, `1.5` /
//!     `'-1.5'::numeric` → `Decimal` (number types), `true`/`false` →
//!     `Bool`, `'x'::<the column's own type>` (`character varying`, `text`,
//!     `bpchar`, `uuid`, `date`, `jsonb`, the enum, …) → `String` with `''`
//!     unescaped; anything else is `Expr` with the text as printed
//!     (`now()`, `CURRENT_TIMESTAMP`, `gen_random_uuid()`,
//!     `'x'::character varying` on a `text` column, …).
//!   - Identity columns and columns whose sequence is owned by them (serial):
//!     kept, with the default `nextval('<sequence>'::regclass)` (what a
//!     serial column prints), and reported (kinds `identity`, `owned
//!     sequence`).
//! - **Primary key**, **unique constraints**, **foreign keys** (composite,
//!   columns in `conkey`/`confkey` order, ON DELETE / ON UPDATE actions; the
//!   referenced table must be a modelled table of the same schema),
//!   **check constraints** (`expr` = the text PostgreSQL prints inside
//!   `CHECK (…)` in `pg_get_constraintdef(oid)`, non-pretty form, e.g.
//!   `(qty > 0)`: the expression's own parentheses included), **indexes**
//!   that back no constraint and are plain (btree, key columns only, no
//!   expression, predicate, INCLUDE, opclass, collation, ordering or
//!   storage option, valid). Names as they are. Inside a table, uniques,
//!   foreign keys, indexes and checks are sorted by name.
//!   A unique constraint's `NULLS NOT DISTINCT` (`pg_index.indnullsnotdistinct`,
//!   PostgreSQL 15+) is [`Unique::nulls_not_distinct`].
//!   A constraint with options nzc does not model (DEFERRABLE, NOT VALID,
//!   NO INHERIT, MATCH FULL, INCLUDE, WITH (…), …) is
//!   modelled without them and the options are reported (kind `constraint
//!   option`, the full definition as detail): the constraint exists and
//!   enforces, so leaving it out would report a missing constraint.
//!   `NOT VALID` checks and foreign keys are listed in
//!   [`Introspection::not_valid`] too (drift for `nzc migrate check`).
//!   A table without a primary key is kept with an empty one
//!   (`PrimaryKey { name: "", columns: [] }`) and reported (kind `table`).
//! - **Enums** of the schema with their labels in `enumsortorder`, sorted by
//!   name; doc = the type's comment.
//! - `naming` is the default, `groups` is empty, `renamed_from` is `None`:
//!   the database holds none of them.
//!
//! # What is reported as unmanaged
//!
//! Never silently dropped; [`Introspection::unmanaged`] is sorted. Names
//! are quoted as PostgreSQL's `quote_ident` does; objects of a table are
//! `table.object`.
//! - `history table`: nzc's `nzc_migrations` and other tools' history
//!   tables (Alembic, sqlx, diesel, Flyway), with the tool in the detail;
//!   they and everything attached to them are left out of the model.
//! - `partition`, `partitioned table`, `inheritance`, `unlogged table`,
//!   `table option` (reloptions), `row level security`.
//! - `column` (a type nzc does not model, a generated column),
//!   `column collation`, `identity`, `owned sequence`, `sequence` (not owned
//!   by a column).
//! - `primary key`, `unique constraint`, `foreign key`, `check constraint`
//!   that cannot be modelled (a column left out, a referenced table of
//!   another schema or not modelled), `exclusion constraint`, `constraint
//!   option`, `index`, `comment` (on a constraint or an index).
//! - `view`, `materialized view`, `foreign table`, `trigger`,
//!   `constraint trigger`, `rule`, `policy`, `function`, `procedure`,
//!   `aggregate`, `window function`, `domain`, `composite type`, `range
//!   type`, `type`, `shell type`, `operator`, `operator class`, `operator
//!   family`, `collation`, `conversion`, `statistics`, `text search …`,
//!   `extension` (its member objects are not listed one by one).
//! - `schema`: every other non-system schema that holds objects.
//!
//! # Normalisation ([`Introspection::canonical`])
//!
//! What a schema S looks like once read back from the database nzc built
//! from it, as far as that is known without a database: declaration order
//! becomes order by name, groups, `renamed_from` and the naming block go
//! (the database keeps only final names), an empty doc is no doc
//! (`COMMENT … IS ''` removes a comment), `char` is `char(1)`, numbers are
//! in PostgreSQL's form (`007` → `7`), and `Expr` defaults that are a
//! literal of the column's own type or one of the schema language's
//! default keywords/functions take the form introspection gives them.
//! Check expressions and other `Expr` defaults are left as written:
//! PostgreSQL reprints them, so they compare equal only between two
//! catalog reads (which is what the drift check compares). The same goes
//! for string defaults of types PostgreSQL stores in its own form (uuid,
//! dates and times, json/jsonb, bytea): they come back in PostgreSQL's
//! output form.
//!
//! # Queries
//!
//! A handful of catalog queries, each over the whole schema (never one per
//! table), through the unnamed statement (`query_typed`), so no named
//! prepared statement is left on the connection (PgBouncer in transaction
//! mode). [`introspect_in`] sets `TimeZone`, `DateStyle`, `IntervalStyle`,
//! `extra_float_digits`, `bytea_output` and `standard_conforming_strings`
//! for its own queries (transaction-locally, and back afterwards) so
//! literals print the same in every session.

use crate::error::db;
use crate::Error;
use nzc_dsl::{
    quote_ident, quote_literal, Check, Column, ColumnType, DefaultValue, Enum, ForeignKey, Index,
    Kind, Naming, PrimaryKey, ReferentialAction, ScalarType, Schema, Table, Unique,
};
use nzc_types::{LiteralKind, Params, TYPES};
use std::collections::{BTreeMap, HashMap, HashSet};
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, GenericClient, Row};

/// A live schema as nzc models it, and what it holds that nzc does not model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Introspection {
    /// Tables, columns, keys, indexes, checks, comments and enums.
    pub schema: nzc_dsl::Schema,
    /// Objects nzc does not model, never silently dropped.
    pub unmanaged: Vec<Unmanaged>,
    /// Check constraints and foreign keys of [`Introspection::schema`]
    /// that are `NOT VALID` (rows stored before they were added are not
    /// known to satisfy them): (table, constraint), sorted.
    pub not_valid: Vec<(String, String)>,
}

/// An object of the database that nzc does not model.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unmanaged {
    /// What it is: `view`, `trigger`, `function`, `index`, …
    pub kind: String,
    /// Its name, qualified where that helps (`"City".city_touch`).
    pub name: String,
    /// Why it is not modelled, or its definition.
    pub detail: String,
}

impl std::fmt::Display for Unmanaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.kind, self.name, self.detail)
    }
}

/// Reads schema `schema` of the database `client` is connected to, in one
/// read-only snapshot (`REPEATABLE READ READ ONLY`, `search_path` set to
/// the schema so types and expressions of the schema print unqualified).
/// `client` must not be inside a transaction (inside the crate,
/// `introspect_in` reads within the caller's transaction).
///
/// A schema that does not exist, or that the role may not use, is
/// [`Error::Schema`]; `"pg_temp"` is the session's temporary schema.
pub async fn introspect(client: &Client, schema: &str) -> Result<Introspection, Error> {
    client
        .batch_execute(&format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL search_path = {}",
            quote_ident(schema)
        ))
        .await
        .map_err(db("cannot start the introspection transaction"))?;
    match introspect_in(client, schema).await {
        Ok(found) => {
            client
                .batch_execute("COMMIT")
                .await
                .map_err(db("cannot end the introspection transaction"))?;
            Ok(found)
        }
        Err(e) => {
            // The error says what went wrong; a failing ROLLBACK (connection
            // gone) adds nothing to it.
            let _ = client.batch_execute("ROLLBACK").await;
            Err(e)
        }
    }
}

/// [`introspect`] on a client that is already inside a transaction whose
/// `search_path` names `schema` (`"pg_temp"`: the session's temporary
/// schema, `pg_my_temp_schema()`; a session without one has an empty one).
pub(crate) async fn introspect_in(
    client: &impl GenericClient,
    schema: &str,
) -> Result<Introspection, Error> {
    let saved = set_output_settings(client).await?;
    let found = read(client, schema).await?;
    restore_settings(client, &saved).await?;
    Ok(found)
}

impl Introspection {
    /// `schema` as introspection reads it back from a database nzc's
    /// migrations built from it, as far as that is known without a
    /// database (see the module docs, "Normalisation"): ordered by name,
    /// without groups, renames and naming block, empty docs removed,
    /// `char` as `char(1)`, numeric and literal defaults in the form
    /// PostgreSQL prints. Check expressions and other `Expr` defaults are
    /// kept as written.
    pub fn canonical(schema: &Schema) -> Schema {
        let mut enums: Vec<Enum> = schema
            .enums
            .iter()
            .map(|e| Enum {
                name: e.name.clone(),
                values: e.values.clone(),
                doc: non_empty(&e.doc),
                renamed_from: None,
            })
            .collect();
        enums.sort_by(|a, b| a.name.cmp(&b.name));
        let mut tables: Vec<Table> = schema
            .tables
            .iter()
            .map(|t| {
                let columns = t
                    .columns
                    .iter()
                    .map(|c| {
                        let ty = match &c.ty {
                            ColumnType::Scalar(s) if s.kind == Kind::Char && s.length.is_none() => {
                                ColumnType::Scalar(ScalarType {
                                    length: Some(1),
                                    ..*s
                                })
                            }
                            other => other.clone(),
                        };
                        let default = c.default.as_ref().map(|d| canonical_default(d, &ty));
                        Column {
                            name: c.name.clone(),
                            ty,
                            nullable: c.nullable,
                            default,
                            doc: non_empty(&c.doc),
                            renamed_from: None,
                        }
                    })
                    .collect();
                let mut table = Table {
                    name: t.name.clone(),
                    doc: non_empty(&t.doc),
                    group: None,
                    renamed_from: None,
                    columns,
                    primary_key: t.primary_key.clone(),
                    uniques: t.uniques.clone(),
                    foreign_keys: t.foreign_keys.clone(),
                    indexes: t.indexes.clone(),
                    checks: t.checks.clone(),
                };
                sort_members(&mut table);
                table
            })
            .collect();
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        Schema {
            naming: Naming::default(),
            enums,
            tables,
            groups: Vec::new(),
        }
    }
}

fn non_empty(doc: &Option<String>) -> Option<String> {
    doc.clone().filter(|d| !d.is_empty())
}

fn sort_members(t: &mut Table) {
    t.uniques.sort_by(|a, b| a.name.cmp(&b.name));
    t.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
    t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    t.checks.sort_by(|a, b| a.name.cmp(&b.name));
}

// ---- session settings --------------------------------------------------------

/// The settings that change how literals print, and the values introspection
/// reads them with.
const OUTPUT_SETTINGS: &[(&str, &str)] = &[
    ("TimeZone", "UTC"),
    ("DateStyle", "ISO, MDY"),
    ("IntervalStyle", "postgres"),
    ("extra_float_digits", "1"),
    ("bytea_output", "hex"),
    ("standard_conforming_strings", "on"),
];

type Settings = Vec<(String, String)>;

/// Sets [`OUTPUT_SETTINGS`] transaction-locally; returns the values before.
async fn set_output_settings(client: &impl GenericClient) -> Result<Settings, Error> {
    let names: Vec<&str> = OUTPUT_SETTINGS.iter().map(|s| s.0).collect();
    let values: Vec<&str> = OUTPUT_SETTINGS.iter().map(|s| s.1).collect();
    // MATERIALIZED: each old value is read before its new one is set.
    let rows = query(
        client,
        "WITH s AS MATERIALIZED (
             SELECT k, v, current_setting(k) AS old FROM unnest($1::text[], $2::text[]) AS u(k, v)
         )
         SELECT k, old, set_config(k, v, true) FROM s",
        &[(&names, Type::TEXT_ARRAY), (&values, Type::TEXT_ARRAY)],
        "cannot set the output settings for introspection",
    )
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

async fn restore_settings(client: &impl GenericClient, saved: &Settings) -> Result<(), Error> {
    let names: Vec<&str> = saved.iter().map(|s| s.0.as_str()).collect();
    let values: Vec<&str> = saved.iter().map(|s| s.1.as_str()).collect();
    query(
        client,
        "SELECT set_config(k, v, true) FROM unnest($1::text[], $2::text[]) AS u(k, v)",
        &[(&names, Type::TEXT_ARRAY), (&values, Type::TEXT_ARRAY)],
        "cannot restore the session settings after introspection",
    )
    .await?;
    Ok(())
}

async fn query(
    client: &impl GenericClient,
    sql: &str,
    params: &[(&(dyn ToSql + Sync), Type)],
    context: &'static str,
) -> Result<Vec<Row>, Error> {
    client.query_typed(sql, params).await.map_err(db(context))
}

// ---- the catalog queries -----------------------------------------------------

const SCHEMA: &str = "
SELECT n.oid, has_schema_privilege(n.oid, 'USAGE'), current_user::text, current_database()::text
  FROM pg_namespace n
 WHERE CASE WHEN $1 = 'pg_temp' THEN n.oid = pg_my_temp_schema() ELSE n.nspname = $1 END";

/// Tables, views, sequences, foreign tables (indexes, toast tables and
/// composite types come with the other queries).
const RELATIONS: &str = "
SELECT c.oid, c.relname::text, quote_ident(c.relname), c.relkind::text, c.relispartition,
       c.relpersistence::text, obj_description(c.oid, 'pg_class'),
       (SELECT string_agg(p.inhparent::regclass::text, ', ' ORDER BY p.inhseqno)
          FROM pg_inherits p WHERE p.inhrelid = c.oid),
       pg_get_expr(c.relpartbound, c.oid),
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
       c.relrowsecurity, array_to_string(c.reloptions, ', '),
       own.refobjid, own.refobjsubid,
       c.oid::regclass::text,
       EXISTS (SELECT 1 FROM pg_depend e
                WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e'),
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END
  FROM pg_class c
  LEFT JOIN pg_depend own
         ON c.relkind = 'S' AND own.classid = 'pg_class'::regclass AND own.objid = c.oid
        AND own.refclassid = 'pg_class'::regclass AND own.refobjsubid > 0
        AND own.deptype IN ('a', 'i')
 WHERE c.relnamespace = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')";

/// Columns of the tables.
const COLUMNS: &str = "
SELECT a.attrelid, a.attnum, a.attname::text, quote_ident(a.attname),
       format_type(a.atttypid, a.atttypmod), format_type(a.atttypid, NULL),
       format_type(a.atttypid, -1),
       t.typnamespace = 'pg_catalog'::regnamespace, t.typtype::text, t.typnamespace = $1,
       t.typname::text, a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
       col_description(a.attrelid, a.attnum), a.attidentity::text, a.attgenerated::text,
       CASE WHEN a.attcollation <> t.typcollation THEN co.oid::regcollation::text END
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
 WHERE c.relnamespace = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum";

/// Constraints of the tables (not-null constraints of newer servers and
/// constraint triggers aside: columns carry NOT NULL, triggers are listed
/// with the other objects). `pg_index.indnullsnotdistinct` (PostgreSQL 15+)
/// is read through `to_jsonb` of the row so the query still runs on older
/// servers (where it is absent, hence false).
const CONSTRAINTS: &str = "
SELECT con.conrelid, con.conname::text, quote_ident(con.conname), con.contype::text,
       con.conkey, con.confrelid, con.confkey, con.confupdtype::text, con.confdeltype::text,
       pg_get_constraintdef(con.oid),
       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.n)
          FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, n)
          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.n)
          FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, n)
          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum),
       CASE WHEN con.confrelid <> 0 THEN con.confrelid::regclass::text END,
       obj_description(con.oid, 'pg_constraint'),
       COALESCE((SELECT (to_jsonb(x) ->> 'indnullsnotdistinct')::bool
                   FROM pg_index x WHERE x.indexrelid = con.conindid), false)
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
 WHERE c.relnamespace = $1 AND con.contype IN ('p', 'u', 'f', 'c', 'x')";

/// Indexes of the tables, with the definition a plain index would have
/// (`pg_get_indexdef` names any temporary schema `pg_temp`).
const INDEXES: &str = "
SELECT x.indrelid, i.relname::text, quote_ident(i.relname), x.indisunique, x.indkey::int2[],
       x.indisvalid, x.indexprs IS NULL AND x.indpred IS NULL AND x.indnkeyatts = x.indnatts,
       pg_get_indexdef(x.indexrelid),
       'CREATE ' || CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX '
         || quote_ident(i.relname) || ' ON ' || CASE WHEN i.relkind = 'I' THEN 'ONLY ' ELSE '' END
         || CASE WHEN n.nspname LIKE 'pg\\_temp\\_%' THEN 'pg_temp' ELSE quote_ident(n.nspname) END
         || '.' || quote_ident(t.relname) || ' USING btree ('
         || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.n)
               FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
               JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum)
         || ')',
       EXISTS (SELECT 1 FROM pg_constraint con
                WHERE con.conindid = x.indexrelid AND con.contype IN ('p', 'u', 'x')),
       obj_description(x.indexrelid, 'pg_class')
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE t.relnamespace = $1";

const ENUMS: &str = "
SELECT t.typname::text, obj_description(t.oid, 'pg_type'),
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid
              ORDER BY e.enumsortorder)
  FROM pg_type t
 WHERE t.typnamespace = $1 AND t.typtype = 'e'";

/// Every other object of the schema: (kind, name, detail, table oid or NULL).
const OTHERS: &str = "
SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite type'
                      WHEN 'r' THEN 'range type' WHEN 'p' THEN 'shell type' ELSE 'type' END,
       quote_ident(t.typname),
       CASE t.typtype WHEN 'd' THEN 'over ' || format_type(t.typbasetype, t.typtypmod)
                      ELSE 'a type nzc does not model' END,
       NULL::oid
  FROM pg_type t
 WHERE t.typnamespace = $1 AND t.typtype IN ('b', 'c', 'd', 'r', 'p')
   AND (t.typtype <> 'c' OR EXISTS (SELECT 1 FROM pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c'))
   AND NOT EXISTS (SELECT 1 FROM pg_type el WHERE el.typarray = t.oid)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
                      WHEN 'w' THEN 'window function' ELSE 'function' END,
       quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       CASE WHEN p.prokind = 'p' THEN 'language ' || l.lanname
            ELSE 'returns ' || pg_get_function_result(p.oid) || ', language ' || l.lanname END,
       NULL
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = $1
   AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
UNION ALL
SELECT CASE WHEN tg.tgconstraint <> 0 THEN 'constraint trigger' ELSE 'trigger' END,
       quote_ident(c.relname) || '.' || quote_ident(tg.tgname), pg_get_triggerdef(tg.oid), c.oid
  FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
 WHERE c.relnamespace = $1 AND NOT tg.tgisinternal AND tg.tgparentid = 0
UNION ALL
SELECT 'rule', quote_ident(c.relname) || '.' || quote_ident(r.rulename), pg_get_ruledef(r.oid), c.oid
  FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
 WHERE c.relnamespace = $1 AND r.rulename <> '_RETURN'
UNION ALL
SELECT 'policy', quote_ident(c.relname) || '.' || quote_ident(po.polname),
       CASE WHEN po.polpermissive THEN '' ELSE 'AS RESTRICTIVE ' END || 'FOR '
         || CASE po.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                           WHEN 'd' THEN 'DELETE' ELSE 'ALL' END
         || COALESCE(' USING (' || pg_get_expr(po.polqual, po.polrelid) || ')', '')
         || COALESCE(' WITH CHECK (' || pg_get_expr(po.polwithcheck, po.polrelid) || ')', ''),
       c.oid
  FROM pg_policy po JOIN pg_class c ON c.oid = po.polrelid
 WHERE c.relnamespace = $1
UNION ALL
SELECT 'extension', quote_ident(e.extname), 'version ' || e.extversion, NULL
  FROM pg_extension e WHERE e.extnamespace = $1
UNION ALL
SELECT 'operator', o.oid::regoperator::text, 'an operator', NULL
  FROM pg_operator o WHERE o.oprnamespace = $1
   AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_operator'::regclass AND e.objid = o.oid AND e.deptype = 'e')
UNION ALL
SELECT 'operator class', quote_ident(o.opcname), 'for ' || am.amname, NULL
  FROM pg_opclass o JOIN pg_am am ON am.oid = o.opcmethod WHERE o.opcnamespace = $1
   AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_opclass'::regclass AND e.objid = o.oid AND e.deptype = 'e')
UNION ALL
SELECT 'operator family', quote_ident(o.opfname), 'for ' || am.amname, NULL
  FROM pg_opfamily o JOIN pg_am am ON am.oid = o.opfmethod WHERE o.opfnamespace = $1
   AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_opfamily'::regclass AND e.objid = o.oid AND e.deptype = 'e')
UNION ALL
SELECT 'collation', quote_ident(co.collname), 'a collation', NULL
  FROM pg_collation co WHERE co.collnamespace = $1
   AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_collation'::regclass AND e.objid = co.oid AND e.deptype = 'e')
UNION ALL
SELECT 'conversion', quote_ident(cv.conname), 'an encoding conversion', NULL
  FROM pg_conversion cv WHERE cv.connamespace = $1
   AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_conversion'::regclass AND e.objid = cv.oid AND e.deptype = 'e')
UNION ALL
SELECT 'statistics', quote_ident(s.stxname), pg_get_statisticsobjdef(s.oid), s.stxrelid
  FROM pg_statistic_ext s WHERE s.stxnamespace = $1
UNION ALL
SELECT 'text search configuration', quote_ident(cfgname), 'a text search configuration', NULL
  FROM pg_ts_config WHERE cfgnamespace = $1
UNION ALL
SELECT 'text search dictionary', quote_ident(dictname), 'a text search dictionary', NULL
  FROM pg_ts_dict WHERE dictnamespace = $1
UNION ALL
SELECT 'text search parser', quote_ident(prsname), 'a text search parser', NULL
  FROM pg_ts_parser WHERE prsnamespace = $1
UNION ALL
SELECT 'text search template', quote_ident(tmplname), 'a text search template', NULL
  FROM pg_ts_template WHERE tmplnamespace = $1";

/// Other non-system schemas and how many objects each holds.
const OTHER_SCHEMAS: &str = "
SELECT quote_ident(n.nspname),
       (SELECT count(*) FROM pg_class c
         WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')),
       (SELECT count(*) FROM pg_type t
         WHERE t.typnamespace = n.oid AND t.typtype IN ('b', 'c', 'd', 'e', 'r', 'p')
           AND (t.typtype <> 'c' OR EXISTS (SELECT 1 FROM pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c'))
           AND NOT EXISTS (SELECT 1 FROM pg_type el WHERE el.typarray = t.oid)),
       (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid)
  FROM pg_namespace n
 WHERE n.oid <> $1 AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";

// ---- reading -----------------------------------------------------------------

/// A table being read: the model, its quoted name, and what each attnum
/// became (`None`: left out of the model).
struct Building {
    table: Table,
    display: String,
    columns: HashMap<i16, Option<String>>,
}

struct Reader {
    tables: BTreeMap<u32, Building>,
    /// Tables left out (history tables, partitions): what is attached to
    /// them is theirs.
    left_out: HashSet<u32>,
    unmanaged: Vec<Unmanaged>,
    not_valid: Vec<(String, String)>,
}

impl Reader {
    fn note(&mut self, kind: &str, name: impl Into<String>, detail: impl Into<String>) {
        self.unmanaged.push(Unmanaged {
            kind: kind.to_string(),
            name: name.into(),
            detail: detail.into(),
        });
    }
}

async fn read(client: &impl GenericClient, schema: &str) -> Result<Introspection, Error> {
    let rows = query(
        client,
        SCHEMA,
        &[(&schema, Type::TEXT)],
        "cannot look up the schema to introspect",
    )
    .await?;
    let nsp: u32 = match rows.first() {
        Some(r) => {
            let usable: bool = r.get(1);
            if !usable {
                let user: String = r.get(2);
                return Err(Error::Schema(format!(
                    "permission denied for schema \"{schema}\": role \"{user}\" lacks the USAGE privilege on it, so it cannot be introspected"
                )));
            }
            r.get(0)
        }
        // A session that never created a temporary object has no
        // temporary schema: an empty one.
        None if schema == "pg_temp" => 0,
        None => {
            return Err(Error::Schema(format!(
                "schema \"{schema}\" does not exist in this database"
            )))
        }
    };
    let oid: (&(dyn ToSql + Sync), Type) = (&nsp, Type::OID);
    let p = &[oid];

    let mut r = Reader {
        tables: BTreeMap::new(),
        left_out: HashSet::new(),
        unmanaged: Vec::new(),
        not_valid: Vec::new(),
    };
    let relations = query(client, RELATIONS, p, "cannot read the tables of the schema").await?;
    // (table oid, attnum) → the sequence it owns, as regclass text.
    let mut owned: HashMap<(u32, i16), String> = HashMap::new();
    let names: HashSet<u32> = relations.iter().map(|row| row.get(0)).collect();
    for row in &relations {
        read_relation(&mut r, row, &names, &mut owned);
    }

    let columns = query(client, COLUMNS, p, "cannot read the columns of the schema").await?;
    for row in &columns {
        read_column(&mut r, row, &owned);
    }

    let constraints = query(
        client,
        CONSTRAINTS,
        p,
        "cannot read the constraints of the schema",
    )
    .await?;
    for row in &constraints {
        read_constraint(&mut r, row);
    }

    let indexes = query(client, INDEXES, p, "cannot read the indexes of the schema").await?;
    for row in &indexes {
        read_index(&mut r, row);
    }

    let mut enums: Vec<Enum> = query(client, ENUMS, p, "cannot read the enum types of the schema")
        .await?
        .iter()
        .map(|row| Enum {
            name: row.get(0),
            values: row.get(2),
            doc: row.get(1),
            renamed_from: None,
        })
        .collect();
    enums.sort_by(|a, b| a.name.cmp(&b.name));

    for row in query(
        client,
        OTHERS,
        p,
        "cannot read the other objects of the schema",
    )
    .await?
    {
        let table: Option<u32> = row.get(3);
        if table.is_some_and(|t| r.left_out.contains(&t)) {
            continue;
        }
        let kind: String = row.get(0);
        let name: String = row.get(1);
        let detail: String = row.get(2);
        r.note(&kind, name, detail);
    }

    for row in query(
        client,
        OTHER_SCHEMAS,
        p,
        "cannot read the other schemas of the database",
    )
    .await?
    {
        let counts: [(i64, &str); 3] = [
            (row.get(1), "relation"),
            (row.get(2), "type"),
            (row.get(3), "function"),
        ];
        let parts: Vec<String> = counts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}{}", if *n == 1 { "" } else { "s" }))
            .collect();
        if !parts.is_empty() {
            let name: String = row.get(0);
            r.note(
                "schema",
                name,
                format!(
                    "another schema; holds {} (not introspected)",
                    parts.join(", ")
                ),
            );
        }
    }

    let mut tables: Vec<Table> = Vec::with_capacity(r.tables.len());
    let mut no_pk = Vec::new();
    for b in std::mem::take(&mut r.tables).into_values() {
        let mut t = b.table;
        if t.primary_key.columns.is_empty() {
            no_pk.push(b.display);
        }
        sort_members(&mut t);
        tables.push(t);
    }
    for name in no_pk {
        r.note(
            "table",
            name,
            "has no primary key (nzc requires one): modelled with an empty primary key",
        );
    }
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    r.unmanaged.sort();
    r.unmanaged.dedup();
    r.not_valid.sort();
    Ok(Introspection {
        schema: Schema {
            naming: Naming::default(),
            enums,
            tables,
            groups: Vec::new(),
        },
        unmanaged: r.unmanaged,
        not_valid: r.not_valid,
    })
}

/// The migration tool whose history table `name` is.
fn history_tool(name: &str) -> Option<&'static str> {
    if name == crate::history::HISTORY_TABLE {
        return Some("nzc");
    }
    crate::foreign::tool_of(name)
}

fn read_relation(
    r: &mut Reader,
    row: &Row,
    names: &HashSet<u32>,
    owned: &mut HashMap<(u32, i16), String>,
) {
    let oid: u32 = row.get(0);
    let name: String = row.get(1);
    let display: String = row.get(2);
    let kind: String = row.get(3);
    let partition: bool = row.get(4);
    let persistence: String = row.get(5);
    let comment: Option<String> = row.get(6);
    let parents: Option<String> = row.get(7);
    let bound: Option<String> = row.get(8);
    let partkey: Option<String> = row.get(9);
    let rls: bool = row.get(10);
    let options: Option<String> = row.get(11);
    let owner: Option<u32> = row.get(12);
    let owner_col: Option<i32> = row.get(13);
    let regclass: String = row.get(14);
    let in_extension: bool = row.get(15);
    let viewdef: Option<String> = row.get(16);
    if in_extension {
        return;
    }
    match kind.as_str() {
        "r" | "p" => {
            if let Some(tool) = history_tool(&name) {
                r.left_out.insert(oid);
                r.note(
                    "history table",
                    display,
                    format!("the migration history of {tool}"),
                );
                return;
            }
            if partition {
                r.left_out.insert(oid);
                r.note(
                    "partition",
                    display,
                    format!(
                        "partition of {} {}",
                        parents.unwrap_or_default(),
                        bound.unwrap_or_default()
                    ),
                );
                return;
            }
            if let Some(key) = partkey {
                r.note("partitioned table", &display, format!("PARTITION BY {key}"));
            } else if let Some(parents) = parents {
                r.note("inheritance", &display, format!("INHERITS ({parents})"));
            }
            if persistence == "u" {
                r.note("unlogged table", &display, "UNLOGGED");
            }
            if let Some(o) = options.filter(|o| !o.is_empty()) {
                r.note("table option", &display, format!("WITH ({o})"));
            }
            if rls {
                r.note("row level security", &display, "ENABLE ROW LEVEL SECURITY");
            }
            r.tables.insert(
                oid,
                Building {
                    table: Table {
                        name,
                        doc: comment,
                        group: None,
                        renamed_from: None,
                        columns: Vec::new(),
                        primary_key: PrimaryKey {
                            name: String::new(),
                            columns: Vec::new(),
                        },
                        uniques: Vec::new(),
                        foreign_keys: Vec::new(),
                        indexes: Vec::new(),
                        checks: Vec::new(),
                    },
                    display,
                    columns: HashMap::new(),
                },
            );
        }
        "S" => match (owner, owner_col) {
            (Some(table), Some(col)) => {
                // Part of its column: reported with it (see read_column),
                // or not at all when the column belongs to a history table.
                if names.contains(&table) {
                    owned.insert((table, col as i16), regclass);
                } else {
                    r.note(
                        "sequence",
                        display,
                        "owned by a column of a table of another schema",
                    );
                }
            }
            _ => r.note("sequence", display, "not owned by a column"),
        },
        "v" => r.note("view", display, one_line(&viewdef.unwrap_or_default())),
        "m" => r.note(
            "materialized view",
            display,
            one_line(&viewdef.unwrap_or_default()),
        ),
        "f" => r.note("foreign table", display, "a foreign table"),
        _ => {}
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read_column(r: &mut Reader, row: &Row, owned: &HashMap<(u32, i16), String>) {
    let table_oid: u32 = row.get(0);
    let attnum: i16 = row.get(1);
    let Some(b) = r.tables.get_mut(&table_oid) else {
        if let Some(seq) = owned.get(&(table_oid, attnum)) {
            if !r.left_out.contains(&table_oid) {
                r.note(
                    "sequence",
                    seq.clone(),
                    "owned by a column of a table nzc does not model",
                );
            }
        }
        return;
    };
    let name: String = row.get(2);
    let display = format!("{}.{}", b.display, row.get::<_, String>(3));
    let full: String = row.get(4);
    let base: String = row.get(5);
    let label: String = row.get(6);
    let catalog_type: bool = row.get(7);
    let typtype: String = row.get(8);
    let own_type: bool = row.get(9);
    let typname: String = row.get(10);
    let not_null: bool = row.get(11);
    let default: Option<String> = row.get(12);
    let doc: Option<String> = row.get(13);
    let identity: String = row.get(14);
    let generated: String = row.get(15);
    let collation: Option<String> = row.get(16);

    let mut notes: Vec<(&str, String, String)> = Vec::new();
    let seq = owned.get(&(table_oid, attnum));
    if let (Some(seq), true) = (seq, identity.is_empty()) {
        notes.push((
            "owned sequence",
            display.clone(),
            format!("sequence {seq} is owned by the column (serial); not modelled"),
        ));
    }
    let ty = if catalog_type {
        scalar_type(&base, &full).map(ColumnType::Scalar)
    } else if typtype == "e" && own_type {
        Some(ColumnType::Enum(typname))
    } else {
        None
    };
    let ty = match (ty, generated.as_str()) {
        (Some(ty), "") => ty,
        (_, g) if !g.is_empty() => {
            notes.push((
                "column",
                display,
                format!(
                    "{full} GENERATED ALWAYS AS ({}) STORED: generated columns are not modelled; left out",
                    default.unwrap_or_default()
                ),
            ));
            flush(r, table_oid, attnum, None, notes);
            return;
        }
        _ => {
            notes.push((
                "column",
                display,
                format!("type {full} is not a type nzc models; left out"),
            ));
            flush(r, table_oid, attnum, None, notes);
            return;
        }
    };
    let default = match identity.as_str() {
        "a" | "d" => {
            let always = if identity == "a" {
                "ALWAYS"
            } else {
                "BY DEFAULT"
            };
            let seq = seq.cloned().unwrap_or_default();
            let expr = format!("nextval({}::regclass)", quote_literal(&seq));
            notes.push((
                "identity",
                display.clone(),
                format!(
                    "GENERATED {always} AS IDENTITY (sequence {seq}): modelled as DEFAULT {expr}"
                ),
            ));
            Some(DefaultValue::Expr(expr))
        }
        _ => default.map(|d| default_from_catalog(&d, &ty, &label)),
    };
    if let Some(c) = collation {
        notes.push((
            "column collation",
            display,
            format!("COLLATE {c}: column collations are not modelled"),
        ));
    }
    b.table.columns.push(Column {
        name: name.clone(),
        ty,
        nullable: !not_null,
        default,
        doc,
        renamed_from: None,
    });
    flush(r, table_oid, attnum, Some(name), notes);
}

fn flush(
    r: &mut Reader,
    table: u32,
    attnum: i16,
    name: Option<String>,
    notes: Vec<(&str, String, String)>,
) {
    if let Some(b) = r.tables.get_mut(&table) {
        b.columns.insert(attnum, name);
    }
    for (kind, name, detail) in notes {
        r.note(kind, name, detail);
    }
}

/// The scalar type of a `pg_catalog` type: `base` is `format_type(oid,
/// NULL)`, `full` is `format_type(oid, typmod)`. `None` unless the type
/// table has the type and the model prints exactly `full`.
fn scalar_type(base: &str, full: &str) -> Option<ScalarType> {
    let info = TYPES.iter().find(|t| t.pg == base)?;
    let mut st = ScalarType::plain(info.kind);
    let params = full.strip_prefix(base)?;
    if let Some(inner) = params.strip_prefix('(').and_then(|p| p.strip_suffix(')')) {
        match info.params {
            Params::Length => st.length = Some(inner.parse().ok()?),
            Params::PrecisionScale => {
                let (p, s) = inner.split_once(',')?;
                st.precision = Some((p.parse().ok()?, s.parse().ok()?));
            }
            Params::None => return None,
        }
    }
    (st.pg() == full).then_some(st)
}

// ---- defaults ----------------------------------------------------------------

/// The default value the schema language gives for the column default
/// PostgreSQL prints as `text`, on a column of type `ty` whose literals
/// carry the cast label `label` (`format_type(type, -1)`). Only texts that
/// nzc's own SQL for the value prints back exactly become literals.
fn default_from_catalog(text: &str, ty: &ColumnType, label: &str) -> DefaultValue {
    let literal = match ty {
        ColumnType::Enum(_) => LiteralKind::String,
        ColumnType::Scalar(s) => s.info().literal,
    };
    let parsed = match literal {
        LiteralKind::Integer | LiteralKind::Number => number_of(text).and_then(|n| {
            let decimal = n.contains('.');
            if print_number(n) != text || (decimal && literal == LiteralKind::Integer) {
                None
            } else if decimal {
                Some(DefaultValue::Decimal(n.to_string()))
            } else {
                Some(DefaultValue::Integer(n.to_string()))
            }
        }),
        LiteralKind::Bool => match text {
            "true" => Some(DefaultValue::Bool(true)),
            "false" => Some(DefaultValue::Bool(false)),
            _ => None,
        },
        LiteralKind::String | LiteralKind::StringChecked => {
            string_of(text, label).map(DefaultValue::String)
        }
    };
    parsed.unwrap_or_else(|| DefaultValue::Expr(text.to_string()))
}

/// The number in `42`, `1.5` or `'-1'::integer` / `'-1.5'::numeric`.
fn number_of(text: &str) -> Option<&str> {
    let n = match text.strip_prefix('\'') {
        Some(rest) => {
            let (n, label) = rest.split_once("'::")?;
            matches!(label, "integer" | "bigint" | "numeric").then_some(n)?
        }
        None => text,
    };
    let digits = n.strip_prefix('-').unwrap_or(n);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (all_digits(int) && frac.is_none_or(all_digits)).then_some(n)
}

/// How PostgreSQL prints the column default nzc writes for the number
/// literal `n` (in PostgreSQL's own form): an `integer` constant bare
/// unless negative, a `bigint` or integral `numeric` one quoted with its
/// type, a decimal bare unless negative.
fn print_number(n: &str) -> String {
    if n.contains('.') {
        return if n.starts_with('-') {
            format!("'{n}'::numeric")
        } else {
            n.to_string()
        };
    }
    match n.parse::<i128>() {
        Ok(v) if i32::try_from(v).is_ok() => {
            if v >= 0 {
                n.to_string()
            } else {
                format!("'{n}'::integer")
            }
        }
        Ok(v) if i64::try_from(v).is_ok() => format!("'{n}'::bigint"),
        _ => format!("'{n}'::numeric"),
    }
}

/// The string of `'it''s'::<label>`, quotes undoubled; `None` unless the
/// text is exactly one literal cast to `label`.
fn string_of(text: &str, label: &str) -> Option<String> {
    let rest = text.strip_prefix('\'')?;
    let mut value = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\'' {
            value.push(c);
            continue;
        }
        if rest[i + 1..].starts_with('\'') {
            value.push('\'');
            chars.next();
            continue;
        }
        return (rest[i + 1..].strip_prefix("::")? == label).then_some(value);
    }
    None
}

/// A compiled default in the form introspection gives it (see
/// [`Introspection::canonical`]).
fn canonical_default(d: &DefaultValue, ty: &ColumnType) -> DefaultValue {
    match d {
        DefaultValue::Integer(n) => DefaultValue::Integer(canonical_number(n)),
        DefaultValue::Decimal(n) => DefaultValue::Decimal(canonical_number(n)),
        DefaultValue::String(_) | DefaultValue::Bool(_) => d.clone(),
        DefaultValue::Expr(e) => {
            let e = e.trim();
            let lower = e.to_ascii_lowercase();
            // Keywords PostgreSQL prints in capitals, functions it folds.
            const KEYWORDS: &[&str] = &[
                "current_timestamp",
                "current_date",
                "current_time",
                "localtime",
                "localtimestamp",
                "current_user",
                "current_role",
                "session_user",
                "current_catalog",
                "current_schema",
            ];
            if KEYWORDS.contains(&lower.as_str()) {
                return DefaultValue::Expr(lower.to_ascii_uppercase());
            }
            if let Some(f) = lower.strip_suffix("()") {
                if !f.is_empty() && f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    return DefaultValue::Expr(lower);
                }
            }
            // The cast label of the column type's literals (an enum's name
            // quoted as PostgreSQL does, keywords aside).
            let label = match ty {
                ColumnType::Scalar(s) if s.kind == Kind::Char => "bpchar".to_string(),
                ColumnType::Scalar(s) => s.info().pg.to_string(),
                ColumnType::Enum(name) => {
                    let simple = !name.is_empty()
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                        && !name.starts_with(|c: char| c.is_ascii_digit());
                    if simple {
                        name.clone()
                    } else {
                        quote_ident(name)
                    }
                }
            };
            let read = default_from_catalog(e, ty, &label);
            match read {
                DefaultValue::Integer(n) => DefaultValue::Integer(canonical_number(&n)),
                DefaultValue::Decimal(n) => DefaultValue::Decimal(canonical_number(&n)),
                other => other,
            }
        }
    }
}

/// A number literal as PostgreSQL prints it: no leading zeros, no `-` on
/// zero (the scale, i.e. trailing zeros, is kept).
fn canonical_number(n: &str) -> String {
    let (neg, digits) = match n.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, n),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let zero = int == "0" && frac.is_none_or(|f| f.bytes().all(|b| b == b'0'));
    let mut out = String::new();
    if neg && !zero {
        out.push('-');
    }
    out.push_str(int);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

// ---- constraints and indexes -------------------------------------------------

fn action(code: &str) -> Option<ReferentialAction> {
    Some(match code {
        "a" => ReferentialAction::NoAction,
        "r" => ReferentialAction::Restrict,
        "c" => ReferentialAction::Cascade,
        "n" => ReferentialAction::SetNull,
        "d" => ReferentialAction::SetDefault,
        _ => return None,
    })
}

fn read_constraint(r: &mut Reader, row: &Row) {
    let table_oid: u32 = row.get(0);
    if !r.tables.contains_key(&table_oid) {
        return;
    }
    let name: String = row.get(1);
    let quoted: String = row.get(2);
    let contype: String = row.get(3);
    let conkey: Option<Vec<i16>> = row.get(4);
    let confrelid: u32 = row.get(5);
    let confkey: Option<Vec<i16>> = row.get(6);
    let upd: String = row.get(7);
    let del: String = row.get(8);
    let def: String = row.get(9);
    let cols_sql: Option<String> = row.get(10);
    let ref_cols_sql: Option<String> = row.get(11);
    let ref_rel: Option<String> = row.get(12);
    let comment: Option<String> = row.get(13);
    let nulls_not_distinct: bool = row.get(14);

    let display = format!("{}.{quoted}", r.tables[&table_oid].display);
    let kind = match contype.as_str() {
        "p" => "primary key",
        "u" => "unique constraint",
        "f" => "foreign key",
        "c" => "check constraint",
        _ => "exclusion constraint",
    };
    if let Some(c) = comment {
        r.note("comment", display.clone(), format!("on the {kind}: {c}"));
    }
    if contype == "x" {
        r.note(kind, display, def);
        return;
    }
    let resolve = |b: &Building, keys: &Option<Vec<i16>>| -> Option<Vec<String>> {
        keys.as_deref()
            .unwrap_or_default()
            .iter()
            .map(|k| b.columns.get(k).cloned().flatten())
            .collect()
    };
    let Some(columns) = resolve(&r.tables[&table_oid], &conkey) else {
        r.note(
            kind,
            display,
            format!("{def}: uses a column nzc does not model"),
        );
        return;
    };
    let cols_sql = cols_sql.unwrap_or_default();
    let (plain, modelled) = match contype.as_str() {
        "p" => {
            let t = &mut r.tables.get_mut(&table_oid).expect("table").table;
            t.primary_key = PrimaryKey { name, columns };
            (format!("PRIMARY KEY ({cols_sql})"), true)
        }
        "u" => {
            let t = &mut r.tables.get_mut(&table_oid).expect("table").table;
            t.uniques.push(Unique {
                name,
                columns,
                nulls_not_distinct,
            });
            let nulls = if nulls_not_distinct {
                "NULLS NOT DISTINCT "
            } else {
                ""
            };
            (format!("UNIQUE {nulls}({cols_sql})"), true)
        }
        "f" => {
            let target = r.tables.get(&confrelid);
            let ref_columns = target.and_then(|t| resolve(t, &confkey));
            let (Some(target), Some(ref_columns), Some(on_update), Some(on_delete)) =
                (target, ref_columns, action(&upd), action(&del))
            else {
                let why = if r.tables.contains_key(&confrelid) {
                    "refers to a column nzc does not model"
                } else {
                    "refers to a table nzc does not model here (another schema, a partition or a history table)"
                };
                r.note(kind, display, format!("{def}: {why}"));
                return;
            };
            let mut plain = format!(
                "FOREIGN KEY ({cols_sql}) REFERENCES {}({})",
                ref_rel.unwrap_or_default(),
                ref_cols_sql.unwrap_or_default()
            );
            if on_update != ReferentialAction::NoAction {
                plain.push_str(" ON UPDATE ");
                plain.push_str(on_update.sql());
            }
            if on_delete != ReferentialAction::NoAction {
                plain.push_str(" ON DELETE ");
                plain.push_str(on_delete.sql());
            }
            let fk = ForeignKey {
                name,
                columns,
                ref_table: target.table.name.clone(),
                ref_columns,
                on_delete,
                on_update,
            };
            let t = &mut r.tables.get_mut(&table_oid).expect("table").table;
            t.foreign_keys.push(fk);
            (plain, true)
        }
        _ => {
            // CHECK (<expr>)[ NO INHERIT][ NOT VALID]
            let mut body = def.as_str();
            for suffix in [" NOT VALID", " NO INHERIT"] {
                body = body.strip_suffix(suffix).unwrap_or(body);
            }
            match body
                .strip_prefix("CHECK (")
                .and_then(|b| b.strip_suffix(')'))
            {
                Some(expr) => {
                    let plain = format!("CHECK ({expr})");
                    let t = &mut r.tables.get_mut(&table_oid).expect("table").table;
                    t.checks.push(Check {
                        name,
                        expr: expr.to_string(),
                    });
                    (plain, true)
                }
                None => (String::new(), false),
            }
        }
    };
    if modelled && matches!(contype.as_str(), "c" | "f") && def.ends_with(" NOT VALID") {
        let table = r.tables[&table_oid].table.name.clone();
        r.not_valid.push((table, row.get(1)));
    }
    if !modelled {
        r.note(kind, display, def);
    } else if def != plain {
        r.note(
            "constraint option",
            display,
            format!("{def}: modelled without what follows {plain}"),
        );
    }
}

fn read_index(r: &mut Reader, row: &Row) {
    let table_oid: u32 = row.get(0);
    let backs_constraint: bool = row.get(9);
    let Some(b) = r.tables.get(&table_oid) else {
        return;
    };
    let name: String = row.get(1);
    let display = format!("{}.{}", b.display, row.get::<_, String>(2));
    let keys: Vec<i16> = row.get(4);
    let columns: Option<Vec<String>> = keys
        .iter()
        .map(|k| b.columns.get(k).cloned().flatten())
        .collect();
    let comment: Option<String> = row.get(10);
    if let Some(c) = comment {
        r.note("comment", display.clone(), format!("on the index: {c}"));
    }
    if backs_constraint {
        return;
    }
    let unique: bool = row.get(3);
    let valid: bool = row.get(5);
    let simple: bool = row.get(6);
    let def: String = row.get(7);
    let plain: Option<String> = row.get(8);
    match columns {
        Some(columns) if valid && simple && plain.as_deref() == Some(def.as_str()) => {
            let t = &mut r.tables.get_mut(&table_oid).expect("table").table;
            t.indexes.push(Index {
                name,
                columns,
                unique,
            });
        }
        _ => {
            let why = if !valid {
                "invalid (a failed or unfinished CREATE INDEX), not modelled"
            } else {
                "not a plain index on columns, not modelled"
            };
            r.note("index", display, format!("{def}: {why}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(kind: Kind) -> ColumnType {
        ColumnType::Scalar(ScalarType::plain(kind))
    }

    #[test]
    fn types_map_back_through_the_type_table() {
        let st = |b, f| scalar_type(b, f).map(|s| s.dsl());
        assert_eq!(
            st("character varying", "character varying(20)").as_deref(),
            Some("varchar(20)")
        );
        assert_eq!(
            st("character varying", "character varying").as_deref(),
            Some("varchar")
        );
        assert_eq!(st("character", "character(1)").as_deref(), Some("char(1)"));
        assert_eq!(st("character", "bpchar"), None);
        assert_eq!(
            st("numeric", "numeric(12,2)").as_deref(),
            Some("numeric(12,2)")
        );
        assert_eq!(st("numeric", "numeric").as_deref(), Some("numeric"));
        assert_eq!(
            st("double precision", "double precision").as_deref(),
            Some("double precision")
        );
        assert_eq!(
            st("timestamp without time zone", "timestamp without time zone").as_deref(),
            Some("timestamp")
        );
        assert_eq!(
            st(
                "timestamp without time zone",
                "timestamp(3) without time zone"
            ),
            None
        );
        assert_eq!(st("interval", "interval"), None);
        assert_eq!(st("integer[]", "integer[]"), None);
    }

    #[test]
    fn defaults_map_back_to_the_values_the_schema_language_gives() {
        let int = scalar(Kind::Int);
        let d = |t, ty: &ColumnType, l| default_from_catalog(t, ty, l);
        assert_eq!(d("42", &int, "integer"), DefaultValue::Integer("42".into()));
        assert_eq!(
            d("'-1'::integer", &int, "integer"),
            DefaultValue::Integer("-1".into())
        );
        assert_eq!(d("1.5", &int, "integer"), DefaultValue::Expr("1.5".into()));
        let big = scalar(Kind::BigInt);
        assert_eq!(
            d("'-1'::integer", &big, "bigint"),
            DefaultValue::Integer("-1".into())
        );
        assert_eq!(
            d("'3000000000'::bigint", &big, "bigint"),
            DefaultValue::Integer("3000000000".into())
        );
        // What `DEFAULT -1::bigint` prints: not what nzc writes for -1.
        assert_eq!(
            d("'-1'::bigint", &big, "bigint"),
            DefaultValue::Expr("'-1'::bigint".into())
        );
        let num = scalar(Kind::Numeric);
        assert_eq!(
            d("1.50", &num, "numeric"),
            DefaultValue::Decimal("1.50".into())
        );
        assert_eq!(
            d("'-1.5'::numeric", &num, "numeric"),
            DefaultValue::Decimal("-1.5".into())
        );
        assert_eq!(
            d("'1000'::numeric", &num, "numeric"),
            DefaultValue::Expr("'1000'::numeric".into())
        );
        let text = scalar(Kind::Text);
        assert_eq!(
            d("'i''q'::text", &text, "text"),
            DefaultValue::String("i'q".into())
        );
        assert_eq!(
            d("''::text", &text, "text"),
            DefaultValue::String(String::new())
        );
        assert_eq!(
            d("'x'::character varying", &text, "text"),
            DefaultValue::Expr("'x'::character varying".into())
        );
        assert_eq!(
            d("'a'::text || 'b'::text", &text, "text"),
            DefaultValue::Expr("'a'::text || 'b'::text".into())
        );
        let e = ColumnType::Enum("Mood".into());
        assert_eq!(
            d("'b''c'::\"Mood\"", &e, "\"Mood\""),
            DefaultValue::String("b'c".into())
        );
        let b = scalar(Kind::Boolean);
        assert_eq!(d("true", &b, "boolean"), DefaultValue::Bool(true));
        let ts = scalar(Kind::Timestamp);
        assert_eq!(
            d("now()", &ts, "timestamp without time zone"),
            DefaultValue::Expr("now()".into())
        );
    }

    #[test]
    fn canonical_numbers() {
        assert_eq!(canonical_number("007"), "7");
        assert_eq!(canonical_number("-0"), "0");
        assert_eq!(canonical_number("-0.0"), "0.0");
        assert_eq!(canonical_number("01.50"), "1.50");
        assert_eq!(canonical_number("-1.5"), "-1.5");
    }
}
