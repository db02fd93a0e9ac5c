//! What `#[derive(NzcModel)]` and `#[derive(NzcEnum)]` implement.

use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::ops::Statements;
use crate::query::Query;
use crate::Error;

/// A struct that mirrors one table. Implemented by `#[derive(NzcModel)]`;
/// the derive also gives the type inherent `TABLE`, `COLUMNS`,
/// `PRIMARY_KEY`, `from_row`, a [`Column`](crate::Column) constant per field
/// and the query methods (`insert`, `get`, `query`, …), usable without
/// importing this trait.
///
/// Generic code over models (relations, helpers) can use [`Model::query`]
/// and the column constants; the `__` items are the derive's glue, not an API.
pub trait Model: Sized + 'static {
    /// The table's name (as in SQL, without quotes).
    const TABLE: &'static str;
    /// Column names, in field order (= the table's column order).
    const COLUMNS: &'static [&'static str];
    /// Primary key column names, in key order.
    const PRIMARY_KEY: &'static [&'static str];
    /// Foreign keys, in declaration order.
    const FOREIGN_KEYS: &'static [ForeignKeyInfo];
    /// Unique constraints, in declaration order.
    const UNIQUE_KEYS: &'static [UniqueKeyInfo];

    /// Reads a value from a row that has (at least) the columns in
    /// [`Model::COLUMNS`], by name. A column that is missing, of an
    /// incompatible type, or NULL for a non-`Option` field gives
    /// [`Error::Decode`] naming it.
    fn from_row(row: &Row) -> Result<Self, Error>;

    /// The primary key: the key field's type, or a tuple of the key fields'
    /// types in key order (`PRIMARY_KEY`) for a composite key.
    type Key: Send + Sync;

    /// A filter builder over the table: `City::query().filter(…).all(db)`.
    fn query() -> Query<Self> {
        Query::new()
    }

    /// The model's SQL, built on first use (derive glue).
    #[doc(hidden)]
    fn __statements() -> &'static Statements;

    /// The field values, in column order (derive glue).
    #[doc(hidden)]
    fn __values(&self) -> Vec<&(dyn ToSql + Sync)>;

    /// The values of a key, in key order (derive glue).
    #[doc(hidden)]
    fn __key_values(key: &Self::Key) -> Vec<&(dyn ToSql + Sync)>;
}

/// A foreign key of a [`Model`]'s table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ForeignKeyInfo {
    /// Constraint name, e.g. `fk_EmissionRecord_cityId_City`.
    pub name: &'static str,
    /// The referencing columns, in key order.
    pub columns: &'static [&'static str],
    /// The referenced table.
    pub ref_table: &'static str,
    /// The referenced columns, matching `columns` one to one.
    pub ref_columns: &'static [&'static str],
}

/// A unique constraint of a [`Model`]'s table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UniqueKeyInfo {
    /// Constraint name, e.g. `uq_EmissionRecord_cityId`.
    pub name: &'static str,
    /// The columns, in constraint order.
    pub columns: &'static [&'static str],
    /// `UNIQUE NULLS NOT DISTINCT` (PostgreSQL 15+): a NULL in the key
    /// conflicts with a NULL, so `upsert_by_…` / `upsert_many_by_…` use a
    /// plain `ON CONFLICT` for every row.
    pub nulls_not_distinct: bool,
}

/// A Rust enum that mirrors a PostgreSQL enum type. Implemented by
/// `#[derive(NzcEnum)]`, which also gives the type inherent `TYPE_NAME`,
/// `VALUES` and `as_str`, plus `Display`, `FromStr`, `ToSql` and `FromSql`.
pub trait PgEnum: Sized + 'static {
    /// The PostgreSQL type name (as in SQL, without quotes).
    const TYPE_NAME: &'static str;
    /// The labels, in declaration order.
    const VALUES: &'static [&'static str];

    /// The label of this value.
    fn as_str(&self) -> &'static str;

    /// The value with this label, if any (exact, case-sensitive match).
    fn from_value(value: &str) -> Option<Self>;
}
