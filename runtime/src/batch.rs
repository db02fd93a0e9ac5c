//! Batch operations: `upsert_many` / `upsert_many_by_<cols>`, and the batch
//! relations ([`children_of`], [`child_of`], [`parent_of`]).
//!
//! Each sends **one statement** whatever the number of rows: the rows go as
//! one array parameter per column (PostgreSQL's binary array format), which
//! the statement turns back into rows with `unnest(…) WITH ORDINALITY`. So
//! there is no limit of 65,535 bind parameters, no temporary table, and no
//! transaction to open: a single statement is atomic by itself, on a plain
//! `Client` as inside the caller's `Transaction`, and it works through a
//! transaction-mode pooler.
//!
//! An upsert's rows are de-duplicated on its key before they are sent (the
//! last of each wins), by the binary form of the key's columns; then they
//! stream from the arrays straight into the `INSERT` (`SELECT unnest($1),
//! unnest($2), …`): nothing is sorted or materialized. When a key column's
//! equal values can differ in bytes (`numeric`, floats, `char(n)`), the
//! statement de-duplicates them itself (`DISTINCT ON (key) … ORDER BY
//! ordinality DESC`).

use std::collections::HashMap;

use bytes::{BufMut, BytesMut};
use tokio_postgres::types::{to_sql_checked, IsNull, Kind, ToSql, Type};

use crate::client::GenericClient;
use crate::ops::{push_ident, Statements};
use crate::{Error, Model};

/// What `upsert_many` and `upsert_many_by_<cols>` report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct UpsertCount {
    /// Rows that did not exist and were inserted.
    pub inserted: u64,
    /// Existing rows that were updated.
    pub updated: u64,
}

impl UpsertCount {
    /// `inserted + updated`: the rows written (a batch's duplicates count once).
    pub fn total(&self) -> u64 {
        self.inserted + self.updated
    }
}

/// A one-dimensional array parameter whose elements are field values of one
/// column, encoded when the statement is bound.
struct ArrayParam<'a> {
    /// The OID written in the array header.
    element_oid: u32,
    /// The type each element is encoded as (a field's parameter type).
    element: &'a Type,
    values: Vec<&'a (dyn ToSql + Sync)>,
}

impl std::fmt::Debug for ArrayParam<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArrayParam")
            .field("element", self.element)
            .field("len", &self.values.len())
            .finish()
    }
}

impl ToSql for ArrayParam<'_> {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let len = i32::try_from(self.values.len())?;
        out.put_i32(1); // dimensions
        let has_nulls = out.len();
        out.put_i32(0);
        out.put_u32(self.element_oid);
        out.put_i32(len);
        out.put_i32(1); // lower bound
        let mut any_null = false;
        for value in &self.values {
            let at = out.len();
            out.put_i32(0);
            let size = match value.to_sql_checked(self.element, out)? {
                IsNull::Yes => {
                    any_null = true;
                    -1
                }
                IsNull::No => i32::try_from(out.len() - at - 4)?,
            };
            out[at..at + 4].copy_from_slice(&size.to_be_bytes());
        }
        if any_null {
            out[has_nulls..has_nulls + 4].copy_from_slice(&1i32.to_be_bytes());
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// How a column's values are sent as an array: the array's parameter type,
/// the element OID, and the cast the statement applies (`::"Scope"[]` for an
/// enum, whose labels go as `text[]`: its OID is not known in advance).
fn array_of(ty: &Type) -> (Type, u32, String) {
    if let Kind::Enum(_) = ty.kind() {
        let mut cast = String::from("::");
        push_ident(&mut cast, ty.name());
        cast.push_str("[]");
        return (Type::TEXT_ARRAY, Type::TEXT.oid(), cast);
    }
    let array = match *ty {
        Type::UUID => Type::UUID_ARRAY,
        Type::TEXT => Type::TEXT_ARRAY,
        Type::VARCHAR => Type::VARCHAR_ARRAY,
        Type::BPCHAR => Type::BPCHAR_ARRAY,
        Type::INT2 => Type::INT2_ARRAY,
        Type::INT4 => Type::INT4_ARRAY,
        Type::INT8 => Type::INT8_ARRAY,
        Type::NUMERIC => Type::NUMERIC_ARRAY,
        Type::FLOAT4 => Type::FLOAT4_ARRAY,
        Type::FLOAT8 => Type::FLOAT8_ARRAY,
        Type::BOOL => Type::BOOL_ARRAY,
        Type::DATE => Type::DATE_ARRAY,
        Type::TIME => Type::TIME_ARRAY,
        Type::TIMESTAMP => Type::TIMESTAMP_ARRAY,
        Type::TIMESTAMPTZ => Type::TIMESTAMPTZ_ARRAY,
        Type::BYTEA => Type::BYTEA_ARRAY,
        Type::JSONB => Type::JSONB_ARRAY,
        Type::JSON => Type::JSON_ARRAY,
        _ => panic!("nzc has no array type for parameter type `{}`", ty.name()),
    };
    (array, ty.oid(), String::new())
}

/// The array parameters of `columns` over `rows` (`row[n]` a value of
/// `columns[n]`), with their types, and the `unnest(…)` call that reads them
/// (`$first..`).
fn arrays<'a>(
    s: &'a Statements,
    columns: &[usize],
    rows: &[Vec<&'a (dyn ToSql + Sync)>],
    first: usize,
) -> (Vec<ArrayParam<'a>>, Vec<Type>, String) {
    let mut params = Vec::with_capacity(columns.len());
    let mut types = Vec::with_capacity(columns.len());
    let mut unnest = String::from("unnest(");
    for (n, &c) in columns.iter().enumerate() {
        let (array, element_oid, cast) = array_of(&s.types[c]);
        if n > 0 {
            unnest.push_str(", ");
        }
        unnest.push_str(&format!("${}{cast}", first + n));
        params.push(ArrayParam {
            element_oid,
            element: &s.types[c],
            values: rows.iter().map(|r| r[n]).collect(),
        });
        types.push(array);
    }
    unnest.push(')');
    (params, types, unnest)
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join(", ")
}

/// The SQL of `upsert_many` / `upsert_many_by`, built once per model.
pub(crate) struct UpsertSql<'a> {
    pub(crate) table: &'a str,
    /// Quoted column names.
    pub(crate) columns: &'a [String],
    pub(crate) types: &'a [Type],
    pub(crate) nullable: &'a [bool],
    pub(crate) pk: &'a [usize],
}

const V: &str = "\"__nzc_v\"";
const ORD: &str = "\"__nzc_ord\"";

impl UpsertSql<'_> {
    /// The `unnest(…)` call that reads the batch's arrays (`$1..`), enum
    /// labels cast from `text[]`.
    fn unnest(&self) -> String {
        let mut unnest = String::from("unnest(");
        for i in 0..self.columns.len() {
            if i > 0 {
                unnest.push_str(", ");
            }
            unnest.push_str(&format!("${}{}", i + 1, self.cast(i)));
        }
        unnest.push(')');
        unnest
    }

    fn cast(&self, i: usize) -> String {
        match self.types[i].kind() {
            Kind::Enum(_) => array_of(&self.types[i]).2,
            _ => String::new(),
        }
    }

    /// `"__nzc_v" AS (…)`: the batch's rows with their position. With
    /// `dedupe`, only the last of each `key` (NULLs equal, as `DISTINCT ON`
    /// compares), so that no row is proposed twice; without, the rows come
    /// de-duplicated already ([`last_of_each`]).
    fn rows(&self, key: &[usize], dedupe: bool) -> String {
        let unnest = self.unnest();
        let all = self.columns.join(", ");
        if !dedupe {
            return format!(
                "{V} AS (SELECT {all}, {ORD} FROM {unnest} WITH ORDINALITY AS {V}({all}, {ORD}))"
            );
        }
        let key_list = list(key.iter().map(|&i| self.columns[i].clone()));
        format!(
            "{V} AS (SELECT DISTINCT ON ({key_list}) {all}, {ORD} FROM {unnest} WITH ORDINALITY AS {V}({all}, {ORD}) ORDER BY {key_list}, {ORD} DESC)"
        )
    }

    /// Whether rows equal on `key` are exactly those whose key columns have
    /// the same binary form, so that the batch can be de-duplicated before
    /// it is sent: not for `numeric` (`1.0` = `1.00`), floats (`-0` = `0`),
    /// `char(n)` (trailing blanks) or JSON. (Text compares by its bytes
    /// under deterministic collations, which nzc's columns have.)
    fn binary_equality(&self, key: &[usize]) -> bool {
        key.iter().all(|&i| {
            matches!(self.types[i].kind(), Kind::Enum(_))
                || [
                    Type::UUID,
                    Type::TEXT,
                    Type::VARCHAR,
                    Type::INT2,
                    Type::INT4,
                    Type::INT8,
                    Type::BOOL,
                    Type::DATE,
                    Type::TIME,
                    Type::TIMESTAMP,
                    Type::TIMESTAMPTZ,
                    Type::BYTEA,
                ]
                .contains(&self.types[i])
        })
    }

    /// `INSERT INTO "T" (<columns>) <select>`.
    fn insert_from(&self, select: &str) -> String {
        format!(
            "INSERT INTO {} ({}) {select}",
            self.table,
            self.columns.join(", ")
        )
    }

    fn excluded(&self, set: &[usize]) -> String {
        list(
            set.iter()
                .map(|&i| format!("{0} = EXCLUDED.{0}", self.columns[i])),
        )
    }

    /// One `INSERT … ON CONFLICT <target> DO UPDATE SET <set>` of the
    /// batch's rows de-duplicated on `key`; inserted rows are those with
    /// `xmax = 0`.
    pub(crate) fn on_conflict(&self, key: &[usize], target: &str, set: &[usize]) -> Upsert {
        let statement = |with: String, select: String| {
            format!(
                "WITH {with}\"__nzc_i\" AS ({insert} ON CONFLICT {target} DO UPDATE SET {set} \
                 RETURNING ({table}.xmax = 0) AS \"__nzc_ins\") \
                 SELECT count(*) FILTER (WHERE \"__nzc_ins\"), count(*) FILTER (WHERE NOT \"__nzc_ins\") FROM \"__nzc_i\"",
                insert = self.insert_from(&select),
                set = self.excluded(set),
                table = self.table,
            )
        };
        // Sent de-duplicated, the rows stream from the arrays straight into
        // the INSERT (`SELECT unnest($1), unnest($2), …`, zipped): no sort
        // and no materialized set.
        let streamed =
            list((0..self.columns.len()).map(|i| format!("unnest(${}{})", i + 1, self.cast(i))));
        Upsert {
            key: key.to_vec(),
            deduped: self
                .binary_equality(key)
                .then(|| statement(String::new(), format!("SELECT {streamed}"))),
            sql: statement(
                format!("{}, ", self.rows(key, true)),
                format!("SELECT {} FROM {V}", self.columns.join(", ")),
            ),
        }
    }

    /// A unique key with nullable columns (NULLS DISTINCT): the batch's rows
    /// with a NULL in the key update the existing row that matches
    /// NULL-safely (the first by primary key, as `upsert_by` does); the
    /// other rows go through `ON CONFLICT <target>` (the key's columns).
    /// One statement.
    ///
    /// The NULL-safe match compares `ARRAY[t.c] = ARRAY[v.c]` (array
    /// equality treats NULL elements as equal): unlike `IS NOT DISTINCT
    /// FROM`, it is an equality operator, so the join can be hashed.
    pub(crate) fn null_safe(&self, key: &[usize], target: &str, set: &[usize]) -> Upsert {
        let t = "\"__nzc_t\"";
        let table = self.table;
        let col = |i: usize| &self.columns[i];
        let matches = key
            .iter()
            .map(|&i| {
                if self.nullable[i] {
                    format!("ARRAY[{t}.{0}] = ARRAY[{V}.{0}]", col(i))
                } else {
                    format!("{t}.{0} = {V}.{0}", col(i))
                }
            })
            .collect::<Vec<_>>()
            .join(" AND ");
        let any_null = key
            .iter()
            .filter(|&&i| self.nullable[i])
            .map(|&i| format!("{V}.{} IS NULL", col(i)))
            .collect::<Vec<_>>()
            .join(" OR ");
        let pk_alias = |n: usize| format!("\"__nzc_pk{n}\"");
        let m_pk = list(
            self.pk
                .iter()
                .enumerate()
                .map(|(n, &i)| format!("{t}.{} AS {}", col(i), pk_alias(n))),
        );
        let t_pk = list(self.pk.iter().map(|&i| format!("{t}.{}", col(i))));
        let m = format!(
            "\"__nzc_m\" AS (SELECT DISTINCT ON ({V}.{ORD}) {V}.{ORD}, {m_pk} FROM {V} \
             JOIN {table} AS {t} ON {matches} WHERE {any_null} ORDER BY {V}.{ORD}, {t_pk})"
        );
        let set_list = list(set.iter().map(|&i| format!("{0} = {V}.{0}", col(i))));
        let pk_match = self
            .pk
            .iter()
            .enumerate()
            .map(|(n, &i)| format!("{t}.{} = \"__nzc_m\".{}", col(i), pk_alias(n)))
            .collect::<Vec<_>>()
            .join(" AND ");
        let u = format!(
            "\"__nzc_u\" AS (UPDATE {table} AS {t} SET {set_list} FROM \"__nzc_m\" \
             JOIN {V} ON {V}.{ORD} = \"__nzc_m\".{ORD} WHERE {pk_match} RETURNING 1)"
        );
        let i = format!(
            "\"__nzc_i\" AS ({insert} WHERE NOT EXISTS (SELECT 1 FROM \"__nzc_m\" \
             WHERE \"__nzc_m\".{ORD} = {V}.{ORD}) ON CONFLICT {target} DO UPDATE SET {excluded} \
             RETURNING ({table}.xmax = 0) AS \"__nzc_ins\")",
            insert = self.insert_from(&format!("SELECT {} FROM {V}", self.columns.join(", "))),
            excluded = self.excluded(set),
        );
        let statement = |dedupe: bool| {
            format!(
                "WITH {rows}, {m}, {u}, {i} SELECT \
                 (SELECT count(*) FROM \"__nzc_i\" WHERE \"__nzc_ins\"), \
                 (SELECT count(*) FROM \"__nzc_i\" WHERE NOT \"__nzc_ins\") + (SELECT count(*) FROM \"__nzc_u\")",
                rows = self.rows(key, dedupe),
            )
        };
        Upsert {
            key: key.to_vec(),
            deduped: self.binary_equality(key).then(|| statement(false)),
            sql: statement(true),
        }
    }
}

/// An upsert of a batch ([`UpsertSql`]), in two forms.
#[derive(Debug)]
pub(crate) struct Upsert {
    /// The key the batch is de-duplicated on (column indices).
    pub(crate) key: Vec<usize>,
    /// The statement for rows sent de-duplicated already ([`last_of_each`]);
    /// `None` when a column of the key compares otherwise than by its
    /// binary form.
    pub(crate) deduped: Option<String>,
    /// The statement that de-duplicates the rows itself (`DISTINCT ON`).
    pub(crate) sql: String,
}

/// A key's columns of one row in binary form.
struct KeyBytes {
    /// Equal for two rows exactly when every column's binary form is (a
    /// NULL equals a NULL).
    bytes: Vec<u8>,
    has_null: bool,
}

/// The [`KeyBytes`] of `columns` of a row (`values`: its field values);
/// `None` when a value cannot be encoded (binding the statement reports
/// why).
fn key_bytes(
    values: &[&(dyn ToSql + Sync)],
    columns: &[usize],
    types: &[Type],
    buf: &mut BytesMut,
) -> Option<KeyBytes> {
    let mut key = KeyBytes {
        bytes: Vec::new(),
        has_null: false,
    };
    for &i in columns {
        buf.clear();
        match values[i].to_sql_checked(&types[i], buf).ok()? {
            IsNull::Yes => {
                key.has_null = true;
                key.bytes.extend_from_slice(&u64::MAX.to_be_bytes());
            }
            IsNull::No => {
                key.bytes
                    .extend_from_slice(&(buf.len() as u64).to_be_bytes());
                key.bytes.extend_from_slice(buf);
            }
        }
    }
    Some(key)
}

/// Which of `rows` (field values) to send so that no two share `key`: the
/// last of each (a row whose key cannot be encoded is kept); `None` when
/// every row is kept.
fn last_of_each(
    rows: &[Vec<&(dyn ToSql + Sync)>],
    key: &[usize],
    types: &[Type],
) -> Option<Vec<bool>> {
    let mut seen = std::collections::HashSet::with_capacity(rows.len());
    let mut buf = BytesMut::new();
    let mut keep = vec![true; rows.len()];
    let mut dropped = false;
    for (n, row) in rows.iter().enumerate().rev() {
        if let Some(k) = key_bytes(row, key, types, &mut buf) {
            if !seen.insert(k.bytes) {
                keep[n] = false;
                dropped = true;
            }
        }
    }
    dropped.then_some(keep)
}

/// Runs `upsert` over `rows`: de-duplicated here and sent as they are
/// when the key allows it, else de-duplicated by the statement.
async fn run_upsert<M: Model>(
    db: &dyn GenericClient,
    upsert: &Upsert,
    rows: &[M],
) -> Result<UpsertCount, Error> {
    if rows.is_empty() {
        return Ok(UpsertCount::default());
    }
    let s = M::__statements();
    let mut values: Vec<Vec<&(dyn ToSql + Sync)>> = rows.iter().map(Model::__values).collect();
    let sql = match &upsert.deduped {
        Some(sql) => {
            if let Some(keep) = last_of_each(&values, &upsert.key, &s.types) {
                let mut keep = keep.into_iter();
                values.retain(|_| keep.next().unwrap_or(true));
            }
            sql
        }
        None => &upsert.sql,
    };
    let all: Vec<usize> = (0..s.columns.len()).collect();
    let (params, types, _) = arrays(s, &all, &values, 1);
    let typed: Vec<(&(dyn ToSql + Sync), Type)> = params
        .iter()
        .map(|p| p as &(dyn ToSql + Sync))
        .zip(types)
        .collect();
    let row = db.client().query_typed_one(sql, &typed).await?;
    let count = |i: usize| -> Result<u64, Error> {
        let n: i64 = row.try_get(i)?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    Ok(UpsertCount {
        inserted: count(0)?,
        updated: count(1)?,
    })
}

/// `M::upsert_many(db, rows)`.
pub async fn upsert_many<M: Model>(
    db: &dyn GenericClient,
    rows: &[M],
) -> Result<UpsertCount, Error> {
    run_upsert(db, &M::__statements().upsert_many, rows).await
}

/// `M::upsert_many_by_<cols>(db, rows)`: the `unique`-th unique constraint.
pub async fn upsert_many_by<M: Model>(
    db: &dyn GenericClient,
    rows: &[M],
    unique: usize,
) -> Result<UpsertCount, Error> {
    run_upsert(db, &M::__statements().uniques[unique].upsert_many, rows).await
}

/// For each of `sources`, the rows of `T` whose `target_columns` equal the
/// source's `source_columns` (ordered by `T`'s primary key), in one query;
/// a source with a NULL among its columns gets none.
async fn related<S: Model, T: Model + Clone>(
    db: &dyn GenericClient,
    sources: &[S],
    source_columns: &[&str],
    target_columns: &[&str],
) -> Result<Vec<Vec<T>>, Error> {
    let s = S::__statements();
    let t = T::__statements();
    let index = |names: &[&str], name: &str| {
        names
            .iter()
            .position(|c| *c == name)
            .unwrap_or_else(|| panic!("`{name}` is not a column"))
    };
    let own: Vec<usize> = source_columns
        .iter()
        .map(|c| index(S::COLUMNS, c))
        .collect();
    let theirs: Vec<usize> = target_columns
        .iter()
        .map(|c| index(T::COLUMNS, c))
        .collect();

    // Distinct keys (by their binary form), and each source's key.
    let mut keys: Vec<Vec<&(dyn ToSql + Sync)>> = Vec::new();
    let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut slot_of: Vec<Option<usize>> = Vec::with_capacity(sources.len());
    let mut buf = BytesMut::new();
    for source in sources {
        let values = source.__values();
        let key_bytes = key_bytes(&values, &own, &s.types, &mut buf);
        if key_bytes.as_ref().is_some_and(|k| k.has_null) {
            slot_of.push(None);
            continue;
        }
        let key: Vec<&(dyn ToSql + Sync)> = own.iter().map(|&i| values[i]).collect();
        // A key that cannot be encoded is sent as its own: binding reports
        // the error.
        let slot = match key_bytes {
            Some(k) => *seen.entry(k.bytes).or_insert_with(|| {
                keys.push(key);
                keys.len() - 1
            }),
            None => {
                keys.push(key);
                keys.len() - 1
            }
        };
        slot_of.push(Some(slot));
    }
    if keys.is_empty() {
        return Ok(vec![Vec::new(); sources.len()]);
    }

    // Each key's position in the arrays (`__nzc_ord`), joined to the target.
    let (params, types, unnest) = arrays(s, &own, &keys, 1);
    let aliases: Vec<String> = (1..=own.len()).map(|n| format!("\"__nzc_k{n}\"")).collect();
    let on = theirs
        .iter()
        .zip(&aliases)
        .map(|(&c, alias)| format!("{}.{} = \"__nzc_k\".{alias}", t.table, t.columns[c]))
        .collect::<Vec<_>>()
        .join(" AND ");
    let sql = format!(
        "SELECT \"__nzc_k\".{ORD}, {select} FROM {unnest} WITH ORDINALITY AS \"__nzc_k\"({aliases}, {ORD}) \
         JOIN {table} ON {on} ORDER BY \"__nzc_k\".{ORD}, {pk}",
        select = t.select_list,
        aliases = aliases.join(", "),
        table = t.table,
        pk = t.pk_order,
    );
    let typed: Vec<(&(dyn ToSql + Sync), Type)> = params
        .iter()
        .map(|p| p as &(dyn ToSql + Sync))
        .zip(types)
        .collect();
    let rows = db.client().query_typed(&sql, &typed).await?;
    let mut found: Vec<Vec<T>> = vec![Vec::new(); keys.len()];
    for row in &rows {
        let ord: i64 = row.try_get(0)?;
        let slot = usize::try_from(ord - 1).expect("ordinality starts at 1");
        found[slot].push(T::from_row(row)?);
    }
    // Each slot's rows go to its sources: moved to the last, cloned before.
    let mut uses = vec![0usize; found.len()];
    for slot in slot_of.iter().flatten() {
        uses[*slot] += 1;
    }
    Ok(slot_of
        .into_iter()
        .map(|slot| match slot {
            None => Vec::new(),
            Some(slot) => {
                uses[slot] -= 1;
                if uses[slot] == 0 {
                    std::mem::take(&mut found[slot])
                } else {
                    found[slot].clone()
                }
            }
        })
        .collect())
}

fn foreign_key<C: Model>(name: &str, parent: &str) -> &'static crate::ForeignKeyInfo {
    C::FOREIGN_KEYS
        .iter()
        .find(|fk| fk.name == name && fk.ref_table == parent)
        .unwrap_or_else(|| panic!("`{}` has no foreign key `{name}` to `{parent}`", C::TABLE))
}

/// The rows of `C` that refer to each of `parents` through `C`'s foreign key
/// `foreign_key` (a constraint name of [`Model::FOREIGN_KEYS`] referencing
/// `P`): one `Vec` per parent, in input order, each ordered by `C`'s primary
/// key; empty for a parent without children (or with a NULL in the
/// referenced columns). One query for all parents, none for an empty slice.
///
/// The generated models call it as `City::emission_records_of(db, &cities)`.
///
/// # Panics
///
/// If `C` has no foreign key of that name referencing `P`.
pub async fn children_of<P: Model, C: Model + Clone>(
    db: &impl GenericClient,
    parents: &[P],
    foreign_key: &str,
) -> Result<Vec<Vec<C>>, Error> {
    let fk = self::foreign_key::<C>(foreign_key, P::TABLE);
    related::<P, C>(db, parents, fk.ref_columns, fk.columns).await
}

/// [`children_of`] for a foreign key whose columns are unique in `C` (a
/// one-to-one relation): the child of each parent, if any.
pub async fn child_of<P: Model, C: Model + Clone>(
    db: &impl GenericClient,
    parents: &[P],
    foreign_key: &str,
) -> Result<Vec<Option<C>>, Error> {
    let children = children_of::<P, C>(db, parents, foreign_key).await?;
    Ok(children.into_iter().map(|c| c.into_iter().next()).collect())
}

/// The row of `P` each of `children` refers to through its foreign key
/// `foreign_key` (a constraint name of `C`'s [`Model::FOREIGN_KEYS`]), in
/// input order: `None` when a referencing column is NULL (or the row is
/// missing). One query for all children (each distinct key once), none when
/// every key is NULL.
///
/// The generated models call it as `EmissionRecord::city_of(db, &records)`.
///
/// # Panics
///
/// If `C` has no foreign key of that name referencing `P`.
pub async fn parent_of<C: Model, P: Model + Clone>(
    db: &impl GenericClient,
    children: &[C],
    foreign_key: &str,
) -> Result<Vec<Option<P>>, Error> {
    let fk = self::foreign_key::<C>(foreign_key, P::TABLE);
    let parents = related::<C, P>(db, children, fk.columns, fk.ref_columns).await?;
    Ok(parents.into_iter().map(|p| p.into_iter().next()).collect())
}
