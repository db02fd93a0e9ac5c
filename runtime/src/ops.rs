//! The model methods' work, generic over [`Model`] only: the derive's
//! expansion is a thin wrapper per method around these functions (which keeps
//! the expansion, and so the build of a crate of models, small).
//!
//! Each model's SQL is built once, on first use, into a [`Statements`] held in
//! a `static` of the expansion: every statement names its columns (quoted) and
//! binds every value as a parameter whose type comes from the field's Rust
//! type ([`SqlType`]).

use std::fmt::Write as _;
use std::pin::pin;

use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{IsNull, Kind, ToSql, Type};
use tokio_postgres::Row;

use crate::client::GenericClient;
use crate::model::UniqueKeyInfo;
use crate::value::{Param, SqlType};
use crate::{Error, Model};

/// `"name"`, with embedded quotes doubled.
pub fn quote_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    push_ident(&mut out, name);
    out
}

/// Appends `"name"` to `out`.
pub(crate) fn push_ident(out: &mut String, name: &str) {
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

/// The parameter type and nullability of a field of type `T`.
pub fn column<T: SqlType>() -> (Type, bool) {
    (T::sql_type(), T::NULLABLE)
}

/// The SQL of one model, built once.
#[derive(Debug)]
pub struct Statements {
    /// `"T"`.
    pub(crate) table: String,
    /// Quoted column names, in field order.
    pub(crate) columns: Vec<String>,
    /// Indices (into the columns) of the primary key, in key order.
    pub(crate) pk: Vec<usize>,
    /// Parameter type of each column.
    pub(crate) types: Vec<Type>,
    /// Parameter types of the primary key, in key order.
    pub(crate) key_types: Vec<Type>,
    /// Columns bound as `jsonb` (`serde_json::Value`), which may be `json` in
    /// the table: binary COPY needs the exact type.
    pub(crate) json: Vec<usize>,
    /// Whether each column is nullable.
    pub(crate) nullable: Vec<bool>,
    /// The select list (enums read as text), unqualified.
    pub(crate) select_list: String,
    /// `"T"."pk1", "T"."pk2"`.
    pub(crate) pk_order: String,
    /// `SELECT <columns> FROM "T"`.
    pub(crate) select: String,
    insert: String,
    get: String,
    update: String,
    delete: String,
    list: String,
    upsert: String,
    copy: String,
    /// `upsert_many`: one statement over arrays (see [`crate::batch`]).
    pub(crate) upsert_many: crate::batch::Upsert,
    pub(crate) uniques: Vec<UniqueStatements>,
}

#[derive(Debug)]
pub(crate) struct UniqueStatements {
    /// `UNIQUE NULLS NOT DISTINCT`: plain `ON CONFLICT` also for NULL keys.
    pub(crate) nulls_not_distinct: bool,
    /// `upsert_many_by`: one statement over arrays (see [`crate::batch`]).
    pub(crate) upsert_many: crate::batch::Upsert,
    /// Parameter types of the key's columns, in constraint order.
    types: Vec<Type>,
    find: String,
    upsert: String,
    /// The key's nullable columns (indices into the columns).
    nullable: Vec<usize>,
    /// `upsert_by` of a row with a NULL in the key: updates the first row
    /// (by primary key) whose key matches NULL-safely, returning it.
    update_null_safe: String,
    /// The columns `update_null_safe` binds, in parameter order, and their
    /// types.
    update_params: Vec<usize>,
    update_types: Vec<Type>,
}

impl Statements {
    /// The statements of `M`, whose fields have `columns` (parameter type,
    /// nullable) in field order.
    pub fn new<M: Model>(columns: Vec<(Type, bool)>) -> Statements {
        Statements::build(
            M::TABLE,
            M::COLUMNS,
            M::PRIMARY_KEY,
            M::UNIQUE_KEYS,
            columns,
        )
    }

    pub(crate) fn build(
        table: &str,
        names: &[&str],
        primary_key: &[&str],
        uniques: &[UniqueKeyInfo],
        columns: Vec<(Type, bool)>,
    ) -> Statements {
        assert_eq!(names.len(), columns.len(), "one type per column");
        let index = |name: &str| {
            names
                .iter()
                .position(|c| *c == name)
                .unwrap_or_else(|| panic!("`{name}` is not a column of `{table}`"))
        };
        let table = quote_ident(table);
        let quoted: Vec<String> = names.iter().map(|c| quote_ident(c)).collect();
        let column_list = quoted.join(", ");
        let pk: Vec<usize> = primary_key.iter().map(|c| index(c)).collect();
        let (types, nullable): (Vec<Type>, Vec<bool>) = columns.into_iter().unzip();
        let key_types = pk.iter().map(|&i| types[i].clone()).collect();
        let json = (0..types.len())
            .filter(|&i| types[i] == Type::JSONB)
            .collect();

        // Enum columns are read as text (which their `FromSql` accepts): the
        // client then never has to look their type up. With `query_typed`,
        // such a lookup while a large result is still arriving would wait on
        // the result's own stream (tokio-postgres delivers responses in order
        // through a one-message channel) and never finish.
        let select_list = (0..names.len())
            .map(|i| match types[i].kind() {
                Kind::Enum(_) => format!("{0}::text AS {0}", quoted[i]),
                _ => quoted[i].clone(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let select = format!("SELECT {select_list} FROM {table}");
        // Qualified, as a bare name in ORDER BY is an output column (an
        // enum's text).
        let pk_order = pk
            .iter()
            .map(|&i| format!("{table}.{}", quoted[i]))
            .collect::<Vec<_>>()
            .join(", ");
        // `"a" = $1 AND "b" = $2`, numbering the key's parameters from 1.
        let key_where = pk
            .iter()
            .enumerate()
            .map(|(n, &i)| format!("{} = ${}", quoted[i], n + 1))
            .collect::<Vec<_>>()
            .join(" AND ");
        // Writes bind every column, `$1..$n` in field order.
        let placeholders = (1..=names.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let insert = format!("INSERT INTO {table} ({column_list}) VALUES ({placeholders})");
        let returning = format!(" RETURNING {select_list}");

        let non_key: Vec<usize> = (0..names.len()).filter(|i| !pk.contains(i)).collect();
        let update_set = |cols: &[usize]| {
            cols.iter()
                .map(|&i| format!("{} = ${}", quoted[i], i + 1))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Nothing but the key: set a key column to itself, so that the
        // statement still matches (and, for upserts, returns) the row.
        let update_cols = if non_key.is_empty() {
            vec![pk[0]]
        } else {
            non_key.clone()
        };
        let update = format!(
            "UPDATE {table} SET {} WHERE {}",
            update_set(&update_cols),
            pk.iter()
                .map(|&i| format!("{} = ${}", quoted[i], i + 1))
                .collect::<Vec<_>>()
                .join(" AND ")
        );
        let excluded = |cols: &[usize]| {
            cols.iter()
                .map(|&i| format!("{0} = EXCLUDED.{0}", quoted[i]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let upsert = format!(
            "{insert} ON CONFLICT ({}) DO UPDATE SET {}{returning}",
            pk.iter()
                .map(|&i| quoted[i].as_str())
                .collect::<Vec<_>>()
                .join(", "),
            excluded(&update_cols)
        );

        let uniques = uniques
            .iter()
            .map(|u| {
                let cols = u.columns;
                let key: Vec<usize> = cols.iter().map(|c| index(c)).collect();
                // The conflict target by its columns (PostgreSQL infers the
                // unique index): it works for a unique constraint and for a
                // unique index alike (`ON CONSTRAINT` only for the former).
                let target = format!(
                    "({})",
                    key.iter()
                        .map(|&i| quoted[i].as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                // A nullable column matches NULL too (IS NOT DISTINCT FROM),
                // written so that an index on the key can serve it: the
                // statement is planned with the bound values, which folds
                // `$n IS NULL` away.
                let find_where = key
                    .iter()
                    .enumerate()
                    .map(|(n, &i)| {
                        let (c, p) = (&quoted[i], n + 1);
                        if nullable[i] {
                            format!("({c} = ${p} OR ({c} IS NULL AND ${p} IS NULL))")
                        } else {
                            format!("{c} = ${p}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" AND ");
                let find = format!("{select} WHERE {find_where} ORDER BY {pk_order} LIMIT 1");
                let set: Vec<usize> = non_key
                    .iter()
                    .copied()
                    .filter(|i| !key.contains(i))
                    .collect();
                let set = if set.is_empty() { vec![key[0]] } else { set };
                let upsert = format!(
                    "{insert} ON CONFLICT {target} DO UPDATE SET {}{returning}",
                    excluded(&set)
                );
                // The NULL-safe update binds the key's columns, then the
                // columns it sets (`$1..`), and changes the one row `find`
                // would return.
                let update_params: Vec<usize> = key
                    .iter()
                    .chain(set.iter().filter(|i| !key.contains(i)))
                    .copied()
                    .collect();
                let param = |i: usize| {
                    update_params
                        .iter()
                        .position(|&p| p == i)
                        .map_or(0, |p| p + 1)
                };
                let set_list = set
                    .iter()
                    .map(|&i| {
                        if key.contains(&i) {
                            // Nothing but key columns: a no-op assignment.
                            format!("{0} = {0}", quoted[i])
                        } else {
                            format!("{} = ${}", quoted[i], param(i))
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let pk_list = pk
                    .iter()
                    .map(|&i| quoted[i].as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let update_null_safe = format!(
                    "UPDATE {table} SET {set_list} WHERE ({pk_list}) IN \
                     (SELECT {pk_list} FROM {table} WHERE {find_where} ORDER BY {pk_order} LIMIT 1)\
                     {returning}"
                );
                let many = crate::batch::UpsertSql {
                    table: &table,
                    columns: &quoted,
                    types: &types,
                    nullable: &nullable,
                    pk: &pk,
                };
                let upsert_many = if u.nulls_not_distinct || !key.iter().any(|&i| nullable[i]) {
                    many.on_conflict(&key, &target, &set)
                } else {
                    many.null_safe(&key, &target, &set)
                };
                UniqueStatements {
                    nulls_not_distinct: u.nulls_not_distinct,
                    upsert_many,
                    types: key.iter().map(|&i| types[i].clone()).collect(),
                    find,
                    upsert,
                    nullable: key.iter().copied().filter(|&i| nullable[i]).collect(),
                    update_types: update_params.iter().map(|&i| types[i].clone()).collect(),
                    update_null_safe,
                    update_params,
                }
            })
            .collect();

        let upsert_many = crate::batch::UpsertSql {
            table: &table,
            columns: &quoted,
            types: &types,
            nullable: &nullable,
            pk: &pk,
        }
        .on_conflict(
            &pk,
            &format!(
                "({})",
                pk.iter()
                    .map(|&i| quoted[i].as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &update_cols,
        );
        Statements {
            get: format!("{select} WHERE {key_where}"),
            upsert_many,
            nullable,
            select_list,
            pk_order: pk_order.clone(),
            delete: format!("DELETE FROM {table} WHERE {key_where}"),
            list: format!("{select} ORDER BY {pk_order}"),
            copy: format!("COPY {table} ({column_list}) FROM STDIN (FORMAT binary)"),
            insert,
            update,
            upsert,
            uniques,
            select,
            table,
            columns: quoted,
            pk,
            types,
            key_types,
            json,
        }
    }

    /// Every statement, labelled (for tests and snapshots).
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for (label, sql) in [
            ("insert", &self.insert),
            ("get", &self.get),
            ("update", &self.update),
            ("delete", &self.delete),
            ("list", &self.list),
            ("upsert", &self.upsert),
            ("copy", &self.copy),
        ] {
            let _ = writeln!(out, "{label}: {sql}");
        }
        for (i, u) in self.uniques.iter().enumerate() {
            let _ = writeln!(out, "find_by[{i}]: {}", u.find);
            let _ = writeln!(out, "upsert_by[{i}]: {}", u.upsert);
            if !u.nullable.is_empty() && !u.nulls_not_distinct {
                let _ = writeln!(out, "upsert_by_null[{i}]: {}", u.update_null_safe);
            }
        }
        out
    }
}

type Values<'a> = Vec<&'a (dyn ToSql + Sync)>;

fn typed<'a>(
    values: &[&'a (dyn ToSql + Sync)],
    types: &[Type],
) -> Vec<(&'a (dyn ToSql + Sync), Type)> {
    values.iter().copied().zip(types.iter().cloned()).collect()
}

/// Runs a statement that returns rows: prepared from the connection's cache
/// if it has one, else unnamed with typed parameters (one round trip either way).
async fn query(
    db: &dyn GenericClient,
    sql: &str,
    types: &[Type],
    values: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, tokio_postgres::Error> {
    match db.prepare_cached(sql, types).await? {
        Some(statement) => db.client().query(&statement, values).await,
        None => db.client().query_typed(sql, &typed(values, types)).await,
    }
}

/// [`query`] for at most one row.
async fn query_opt(
    db: &dyn GenericClient,
    sql: &str,
    types: &[Type],
    values: &[&(dyn ToSql + Sync)],
) -> Result<Option<Row>, tokio_postgres::Error> {
    match db.prepare_cached(sql, types).await? {
        Some(statement) => db.client().query_opt(&statement, values).await,
        None => {
            db.client()
                .query_typed_opt(sql, &typed(values, types))
                .await
        }
    }
}

/// [`query`] for a statement that returns no rows: the number of rows affected.
async fn execute(
    db: &dyn GenericClient,
    sql: &str,
    types: &[Type],
    values: &[&(dyn ToSql + Sync)],
) -> Result<u64, tokio_postgres::Error> {
    match db.prepare_cached(sql, types).await? {
        Some(statement) => db.client().execute(&statement, values).await,
        None => db.client().execute_typed(sql, &typed(values, types)).await,
    }
}

/// `x.insert(db)`.
pub async fn insert<M: Model>(db: &dyn GenericClient, row: &M) -> Result<(), Error> {
    let s = M::__statements();
    execute(db, &s.insert, &s.types, &row.__values()).await?;
    Ok(())
}

/// `M::get(db, key)`.
pub async fn get_by_key<M: Model>(
    db: &dyn GenericClient,
    key: &M::Key,
) -> Result<Option<M>, Error> {
    let s = M::__statements();
    let row = query_opt(db, &s.get, &s.key_types, &M::__key_values(key)).await?;
    row.as_ref().map(M::from_row).transpose()
}

/// `x.update(db)`.
pub async fn update<M: Model>(db: &dyn GenericClient, row: &M) -> Result<bool, Error> {
    let s = M::__statements();
    Ok(execute(db, &s.update, &s.types, &row.__values()).await? > 0)
}

/// `M::delete(db, key)`.
pub async fn delete_by_key<M: Model>(db: &dyn GenericClient, key: &M::Key) -> Result<bool, Error> {
    let s = M::__statements();
    Ok(execute(db, &s.delete, &s.key_types, &M::__key_values(key)).await? > 0)
}

/// `M::list(db)`.
pub async fn list<M: Model>(db: &dyn GenericClient) -> Result<Vec<M>, Error> {
    let s = M::__statements();
    rows_into(query(db, &s.list, &[], &[]).await?)
}

/// `x.upsert(db)`.
pub async fn upsert<M: Model>(db: &dyn GenericClient, row: &M) -> Result<M, Error> {
    let s = M::__statements();
    one(query(db, &s.upsert, &s.types, &row.__values()).await?)
}

/// `M::find_by_<cols>(db, …)`: the `unique`-th unique constraint.
pub async fn find_by<M: Model>(
    db: &dyn GenericClient,
    unique: usize,
    values: &[Param],
) -> Result<Option<M>, Error> {
    let u = &M::__statements().uniques[unique];
    let values: Values = values.iter().map(Param::value).collect();
    let row = query_opt(db, &u.find, &u.types, &values).await?;
    row.as_ref().map(M::from_row).transpose()
}

/// `x.upsert_by_<cols>(db)`: the `unique`-th unique constraint.
///
/// When every column of the key is set in `row`, one atomic
/// `INSERT … ON CONFLICT (<key columns>) DO UPDATE`.
///
/// PostgreSQL treats NULLs in a unique key as distinct, so such an `INSERT`
/// never conflicts when a key column is NULL, and running it again would add
/// the row again. So when `row` has a NULL in the key, this first updates
/// the existing row whose key matches NULL-safely (`c = $n OR (c IS NULL AND
/// $n IS NULL)`; the first by primary key, the row `find_by_<cols>` returns)
/// and only if there is none inserts (with the same `ON CONFLICT` clause).
/// These are two statements, run on the caller's client (in its
/// transaction, if it is one). Two concurrent upserts of the same NULL-keyed
/// row can both find nothing and both insert, unless the constraint is
/// `UNIQUE NULLS NOT DISTINCT` (PostgreSQL 15+; then the second insert
/// conflicts and updates) or the writers are serialized (one loader at a
/// time, an advisory lock, or `SERIALIZABLE` transactions).
pub async fn upsert_by<M: Model>(
    db: &dyn GenericClient,
    row: &M,
    unique: usize,
) -> Result<M, Error> {
    let s = M::__statements();
    let u = &s.uniques[unique];
    let values = row.__values();
    if !u.nulls_not_distinct && u.nullable.iter().any(|&i| is_null(values[i], &s.types[i])) {
        let params: Values = u.update_params.iter().map(|&i| values[i]).collect();
        let updated = query_opt(db, &u.update_null_safe, &u.update_types, &params).await?;
        if let Some(updated) = updated {
            return M::from_row(&updated);
        }
    }
    one(query(db, &u.upsert, &s.types, &values).await?)
}

/// Whether a field value is SQL NULL (a `None`), asked through `ToSql`.
fn is_null(value: &(dyn ToSql + Sync), ty: &Type) -> bool {
    let mut buf = bytes::BytesMut::new();
    matches!(value.to_sql_checked(ty, &mut buf), Ok(IsNull::Yes))
}

/// `M::insert_many(db, rows)`: one binary `COPY … FROM STDIN`, so all rows or
/// none.
pub async fn insert_many<M: Model>(db: &dyn GenericClient, rows: &[M]) -> Result<u64, Error> {
    if rows.is_empty() {
        return Ok(0);
    }
    let s = M::__statements();
    let types = copy_types(db, s).await?;
    let sink = match db.prepare_cached(&s.copy, &[]).await? {
        Some(statement) => db.client().copy_in(&statement).await?,
        None => db.client().copy_in(s.copy.as_str()).await?,
    };
    let mut writer = pin!(BinaryCopyInWriter::new(sink, &types));
    for row in rows {
        // On an error the writer is dropped unfinished: tokio-postgres then
        // aborts the COPY, and nothing is inserted.
        writer.as_mut().write(&row.__values()).await?;
    }
    Ok(writer.finish().await?)
}

/// The column types for binary COPY: the parameter types, except that a
/// `serde_json::Value` column is looked up (`json` and `jsonb` differ in
/// binary form, and COPY does not convert).
async fn copy_types(db: &dyn GenericClient, s: &Statements) -> Result<Vec<Type>, Error> {
    let mut types = s.types.clone();
    if s.json.is_empty() {
        return Ok(types);
    }
    let rows = db
        .client()
        .query_typed(
            "SELECT a.attname::text FROM pg_catalog.pg_attribute a \
             WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 \
             AND NOT a.attisdropped AND a.atttypid = 'pg_catalog.json'::pg_catalog.regtype",
            &[(&s.table, Type::TEXT)],
        )
        .await?;
    for row in rows {
        let name = quote_ident(row.get::<_, &str>(0));
        if let Some(i) = s.json.iter().copied().find(|&i| s.columns[i] == name) {
            types[i] = Type::JSON;
        }
    }
    Ok(types)
}

pub(crate) fn rows_into<M: Model>(rows: Vec<Row>) -> Result<Vec<M>, Error> {
    rows.iter().map(M::from_row).collect()
}

fn one<M: Model>(rows: Vec<Row>) -> Result<M, Error> {
    match rows.first() {
        Some(row) => M::from_row(row),
        None => Err(Error::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uq(name: &'static str, columns: &'static [&'static str]) -> UniqueKeyInfo {
        UniqueKeyInfo {
            name,
            columns,
            nulls_not_distinct: false,
        }
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("cityId"), "\"cityId\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn statements_of_a_composite_key_with_a_nullable_unique_key() {
        let s = Statements::build(
            "Link",
            &["a", "b", "label", "note", "kind"],
            &["b", "a"],
            &[uq("uq_Link_label", &["label", "note"])],
            vec![
                (Type::UUID, false),
                (Type::INT8, false),
                (Type::TEXT, false),
                (Type::TEXT, true),
                (
                    Type::new("Kind".into(), 0, Kind::Enum(Vec::new()), String::new()),
                    true,
                ),
            ],
        );
        let expected = r#"insert: INSERT INTO "Link" ("a", "b", "label", "note", "kind") VALUES ($1, $2, $3, $4, $5)
get: SELECT "a", "b", "label", "note", "kind"::text AS "kind" FROM "Link" WHERE "b" = $1 AND "a" = $2
update: UPDATE "Link" SET "label" = $3, "note" = $4, "kind" = $5 WHERE "b" = $2 AND "a" = $1
delete: DELETE FROM "Link" WHERE "b" = $1 AND "a" = $2
list: SELECT "a", "b", "label", "note", "kind"::text AS "kind" FROM "Link" ORDER BY "Link"."b", "Link"."a"
upsert: INSERT INTO "Link" ("a", "b", "label", "note", "kind") VALUES ($1, $2, $3, $4, $5) ON CONFLICT ("b", "a") DO UPDATE SET "label" = EXCLUDED."label", "note" = EXCLUDED."note", "kind" = EXCLUDED."kind" RETURNING "a", "b", "label", "note", "kind"::text AS "kind"
copy: COPY "Link" ("a", "b", "label", "note", "kind") FROM STDIN (FORMAT binary)
find_by[0]: SELECT "a", "b", "label", "note", "kind"::text AS "kind" FROM "Link" WHERE "label" = $1 AND ("note" = $2 OR ("note" IS NULL AND $2 IS NULL)) ORDER BY "Link"."b", "Link"."a" LIMIT 1
upsert_by[0]: INSERT INTO "Link" ("a", "b", "label", "note", "kind") VALUES ($1, $2, $3, $4, $5) ON CONFLICT ("label", "note") DO UPDATE SET "kind" = EXCLUDED."kind" RETURNING "a", "b", "label", "note", "kind"::text AS "kind"
upsert_by_null[0]: UPDATE "Link" SET "kind" = $3 WHERE ("b", "a") IN (SELECT "b", "a" FROM "Link" WHERE "label" = $1 AND ("note" = $2 OR ("note" IS NULL AND $2 IS NULL)) ORDER BY "Link"."b", "Link"."a" LIMIT 1) RETURNING "a", "b", "label", "note", "kind"::text AS "kind"
"#;
        assert_eq!(s.describe(), expected);
        assert_eq!(s.key_types, [Type::INT8, Type::UUID]);

        // upsert_many: the batch de-duplicated on the key (the last row
        // wins), the enum column's labels cast from `text[]`.
        let many = &s.upsert_many.sql;
        assert!(many.contains(r#"SELECT DISTINCT ON ("b", "a") "a", "b", "label", "note", "kind", "__nzc_ord" FROM unnest($1, $2, $3, $4, $5::"Kind"[]) WITH ORDINALITY"#), "{many}");
        assert!(
            many.contains(r#"ORDER BY "b", "a", "__nzc_ord" DESC"#),
            "{many}"
        );
        assert!(
            many.contains(r#"ON CONFLICT ("b", "a") DO UPDATE SET "label" = EXCLUDED."label""#),
            "{many}"
        );
        // The key (bigint, uuid) compares by its binary form: the rows are
        // de-duplicated before they are sent, and stream into the INSERT.
        assert_eq!(s.upsert_many.key, [1, 0]);
        let deduped = s.upsert_many.deduped.as_deref().unwrap();
        assert_eq!(
            deduped,
            r#"WITH "__nzc_i" AS (INSERT INTO "Link" ("a", "b", "label", "note", "kind") SELECT unnest($1), unnest($2), unnest($3), unnest($4), unnest($5::"Kind"[]) ON CONFLICT ("b", "a") DO UPDATE SET "label" = EXCLUDED."label", "note" = EXCLUDED."note", "kind" = EXCLUDED."kind" RETURNING ("Link".xmax = 0) AS "__nzc_ins") SELECT count(*) FILTER (WHERE "__nzc_ins"), count(*) FILTER (WHERE NOT "__nzc_ins") FROM "__nzc_i""#
        );
        // A nullable unique key: matched NULL-safely with a hashable
        // equality, the rest through ON CONFLICT.
        let by = &s.uniques[0].upsert_many.sql;
        assert!(by.contains(r#"ON "__nzc_t"."label" = "__nzc_v"."label" AND ARRAY["__nzc_t"."note"] = ARRAY["__nzc_v"."note"] WHERE "__nzc_v"."note" IS NULL"#), "{by}");
        assert!(
            by.contains(r#"ON CONFLICT ("label", "note") DO UPDATE SET "kind" = EXCLUDED."kind""#),
            "{by}"
        );
        // … de-duplicated before sending too (text), then without DISTINCT ON.
        let by = s.uniques[0].upsert_many.deduped.as_deref().unwrap();
        assert!(!by.contains("DISTINCT ON (\"label\""), "{by}");
        assert!(by.contains(r#"WITH "__nzc_v" AS (SELECT "a", "b", "label", "note", "kind", "__nzc_ord" FROM unnest($1, $2, $3, $4, $5::"Kind"[]) WITH ORDINALITY AS "__nzc_v"("a", "b", "label", "note", "kind", "__nzc_ord")), "#), "{by}");
        // NULLS NOT DISTINCT: plain ON CONFLICT, also for `upsert_by`.
        let s = Statements::build(
            "Link",
            &["a", "b", "label", "note", "kind"],
            &["b", "a"],
            &[UniqueKeyInfo {
                nulls_not_distinct: true,
                ..uq("uq_Link_label", &["label", "note"])
            }],
            vec![
                (Type::UUID, false),
                (Type::INT8, false),
                (Type::TEXT, false),
                (Type::TEXT, true),
                (Type::TEXT, true),
            ],
        );
        assert!(!s.describe().contains("upsert_by_null"));
        assert!(!s.uniques[0].upsert_many.sql.contains("ARRAY["));
        assert!(s.uniques[0]
            .upsert_many
            .sql
            .contains(r#"SELECT DISTINCT ON ("label", "note")"#));
    }

    #[test]
    fn a_key_that_compares_otherwise_than_by_its_bytes_is_de_duplicated_by_the_server() {
        // numeric (1.0 = 1.00), float8 (-0 = 0), char(n) (trailing blanks).
        for ty in [Type::NUMERIC, Type::FLOAT8, Type::BPCHAR] {
            let s = Statements::build(
                "P",
                &["id", "code", "v"],
                &["id"],
                &[uq("uq_P_code", &["code"])],
                vec![(ty.clone(), false), (ty, false), (Type::TEXT, true)],
            );
            assert!(s.upsert_many.deduped.is_none());
            assert!(s.uniques[0].upsert_many.deduped.is_none());
            assert!(s.upsert_many.sql.contains(r#"DISTINCT ON ("id")"#));
        }
    }

    #[test]
    fn a_null_safe_upsert_of_a_key_that_is_all_the_other_columns() {
        let s = Statements::build(
            "Tag",
            &["id", "label"],
            &["id"],
            &[uq("uq_Tag_label", &["label"])],
            vec![(Type::INT4, false), (Type::TEXT, true)],
        );
        let u = &s.uniques[0];
        assert_eq!(u.nullable, [1]);
        assert_eq!(u.update_params, [1]);
        assert_eq!(u.update_types, [Type::TEXT]);
        assert_eq!(
            u.update_null_safe,
            r#"UPDATE "Tag" SET "label" = "label" WHERE ("id") IN (SELECT "id" FROM "Tag" WHERE ("label" = $1 OR ("label" IS NULL AND $1 IS NULL)) ORDER BY "Tag"."id" LIMIT 1) RETURNING "id", "label""#
        );
        // A key without nullable columns keeps the single atomic statement.
        let s = Statements::build(
            "Tag",
            &["id", "label"],
            &["id"],
            &[uq("uq_Tag_label", &["label"])],
            vec![(Type::INT4, false), (Type::TEXT, false)],
        );
        assert!(s.uniques[0].nullable.is_empty());
        assert!(!s.describe().contains("upsert_by_null"));
    }

    #[test]
    fn a_table_of_key_columns_only_still_updates_and_upserts() {
        let s = Statements::build(
            "Pair",
            &["x", "y"],
            &["x", "y"],
            &[],
            vec![(Type::INT4, false), (Type::INT4, false)],
        );
        assert_eq!(
            s.update,
            r#"UPDATE "Pair" SET "x" = $1 WHERE "x" = $1 AND "y" = $2"#
        );
        assert!(
            s.upsert
                .contains(r#"ON CONFLICT ("x", "y") DO UPDATE SET "x" = EXCLUDED."x""#),
            "{}",
            s.upsert
        );
    }
}
