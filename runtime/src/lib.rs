//! nzc's runtime: what the generated model crate and application code use.
//!
//! Depend on it with `default-features = false`; the default `cli` feature
//! only adds what the `nzc` binary needs.
//!
//! - [`Model`] — a struct mirroring one table, implemented by
//!   [`#[derive(NzcModel)]`](derive@NzcModel): table metadata,
//!   [`Model::from_row`], and the query methods (below).
//! - [`GenericClient`] — what those methods run on: a tokio-postgres
//!   `Client` or `Transaction`, or (feature `deadpool`) a deadpool-postgres
//!   pooled client or transaction.
//! - [`Query`], [`Column`], [`Expr`] — the typed filter builder.
//! - [`SqlType`] / [`IntoParam`] — which Rust types a column has and which
//!   values it may be compared with.
//! - [`PgEnum`] — a Rust enum mirroring a PostgreSQL enum type, implemented by
//!   [`#[derive(NzcEnum)]`](derive@NzcEnum), together with `Display`,
//!   `FromStr`, `ToSql` and `FromSql`.
//! - [`Error`] — classified database errors (not found, each constraint
//!   violation with its name, lost connection, decode failure).
//!
//! # `#[derive(NzcModel)]`
//!
//! ```
//! #[derive(Debug, nzc::NzcModel)]
//! #[nzc(table = "EmissionRecord")]
//! #[nzc(unique(name = "uq_EmissionRecord_cityId", columns("cityId", "year")))]
//! pub struct EmissionRecord {
//!     #[nzc(primary_key, column = "emissionRecordId")]
//!     pub emission_record_id: uuid::Uuid,
//!     #[nzc(column = "cityId", references = "City.cityId")]
//!     pub city_id: Option<uuid::Uuid>,
//!     pub year: i32,
//! }
//!
//! use nzc::Model;
//! assert_eq!(EmissionRecord::TABLE, "EmissionRecord");
//! assert_eq!(EmissionRecord::COLUMNS, ["emissionRecordId", "cityId", "year"]);
//! assert_eq!(<EmissionRecord as Model>::FOREIGN_KEYS[0].name, "fk_EmissionRecord_cityId_City");
//! ```
//!
//! The struct must have named fields and no generic parameters. Other
//! attributes (`serde`, …) are left alone. Struct attributes:
//!
//! | attribute | meaning |
//! | --- | --- |
//! | `table = "T"` | table name; default: the struct's name |
//! | `primary_key("a", "b")` | the primary key columns, in key order (instead of field-level `primary_key`) |
//! | `unique(name = "uq_…", columns("a", "b"))` | a unique constraint; repeatable; `name` defaults to `uq_<table>_<first column>`; add `nulls_not_distinct` for `UNIQUE NULLS NOT DISTINCT` |
//! | `foreign_key(name = "fk_…", columns("a", "b"), references = "T", ref_columns("x", "y"))` | a (composite) foreign key; repeatable; `name` defaults to `fk_<table>_<first column>_<T>` |
//!
//! Field attributes:
//!
//! | attribute | meaning |
//! | --- | --- |
//! | `column = "c"` | column name; default: the field name without `r#` |
//! | `primary_key` | the column is (part of) the primary key; several fields form a composite key in field order |
//! | `references = "T.c"` | a single-column foreign key to `T.c` |
//! | `foreign_key_name = "fk_…"` | its name; default `fk_<table>_<column>_<T>` |
//! | `enum` | the field's type is an enum deriving [`NzcEnum`] |
//!
//! Column lists name columns (not fields). A model has exactly one primary
//! key: fields marked `primary_key` or a struct-level `primary_key(...)`,
//! not both. A default constraint name longer than PostgreSQL's 63 bytes is
//! an error (give `name`); the derive never shortens names.
//!
//! Field types are checked by their last path segment, after unwrapping one
//! `Option<…>` (a nullable column), against the type table
//! (`nzc_types::RUST_FIELD_TYPES`): `Uuid`, `String`, `i16`, `i32`, `i64`,
//! `Decimal`, `f32`, `f64`, `bool`, `NaiveDate`, `NaiveTime`,
//! `NaiveDateTime`, `DateTime<Tz>`, `Vec<u8>`, `Value`. A derive cannot see
//! whether another type derives `NzcEnum`, so an enum field must say so with
//! `#[nzc(enum)]`; its type must then be a plain path without generic
//! arguments (`Scope`, `crate::enums::Scope`). Whether a type really decodes
//! from its column is checked by the compiler (`FromSql`).
//!
//! All problems in the input are reported at once, each at the attribute,
//! field or type at fault.
//!
//! # Query methods
//!
//! The derive adds, as inherent items (no import needed), all `async` and
//! each taking `db: &impl GenericClient`:
//!
//! | item | what |
//! | --- | --- |
//! | `T::TABLE`, `T::COLUMNS`, `T::PRIMARY_KEY`, `T::from_row(&row)` | metadata, decoding |
//! | `T::CITY_NAME`, … | a [`Column<T, FieldType>`](Column) per field, named after the field in SCREAMING_SNAKE_CASE |
//! | `x.insert(db) -> Result<()>` | one `INSERT` |
//! | `T::insert_many(db, &[T]) -> Result<u64>` | one binary `COPY … FROM STDIN`: all rows or none |
//! | `T::get(db, key) -> Result<Option<T>>` | by primary key (a tuple, in key order, for a composite key) |
//! | `x.update(db) -> Result<bool>` | every non-key column, by primary key; `false` if no such row |
//! | `T::delete(db, key) -> Result<bool>` | by primary key; `false` if no such row |
//! | `T::list(db) -> Result<Vec<T>>` | every row, ordered by primary key |
//! | `x.upsert(db) -> Result<T>` | `INSERT … ON CONFLICT (<key>) DO UPDATE SET <every non-key column>`, returns the row as stored |
//! | `T::find_by_<cols>(db, a, b, …) -> Result<Option<T>>` | per `unique(...)`: the row with these values; `None` matches NULL |
//! | `x.upsert_by_<cols>(db) -> Result<T>` | per `unique(...)`: `INSERT … ON CONFLICT ("<key columns>") DO UPDATE …` (a unique constraint or a unique index), returns the row as stored (with the existing row's key) |
//! | `T::upsert_many(db, &[T]) -> Result<UpsertCount>` | `upsert` of every row in one statement, all or nothing; the last of rows with the same key wins; [`UpsertCount`] says how many were inserted and updated |
//! | `T::upsert_many_by_<cols>(db, &[T]) -> Result<UpsertCount>` | per `unique(...)`: `upsert_by_<cols>` of every row in one statement (NULL-safe as below) |
//! | `T::query() -> Query<T>` | the filter builder: `.filter`, `.order_by`, `.limit`, `.offset`, [`.after(&row)`](Query::after) (keyset pages), then `.all`, `.first`, `.count`, `.delete`, [`.stream`](Query::stream) |
//!
//! `<cols>` is the constraint's columns in snake_case joined by `_`
//! (`unique(columns("cityId", "year"))` → `find_by_city_id_year`).
//!
//! **NULL in a unique key**: PostgreSQL treats NULLs as distinct, so a row
//! with a NULL in the constraint's columns never conflicts with
//! `ON CONFLICT`. `upsert_by_…` therefore first updates the row that matches
//! NULL with NULL (the row `find_by_…` returns) and inserts only when none
//! does: re-running a load does not duplicate such rows. Those are two
//! statements, so two concurrent upserts of the same NULL-keyed row can both
//! insert, unless the constraint is `UNIQUE NULLS NOT DISTINCT` (PostgreSQL
//! 15+) or writers are serialized. Rows without NULLs in the key take the
//! single atomic `INSERT … ON CONFLICT` path. A key marked
//! `nulls_not_distinct` always takes that path, NULLs included.
//!
//! **Batches**: `upsert_many` / `upsert_many_by_…` send one statement per
//! batch, the rows as one array parameter per column (so any number of rows:
//! no bind-parameter limit), de-duplicated on the key (the last row wins,
//! never PostgreSQL's "cannot affect row a second time"). One statement is
//! atomic by itself: a violated constraint is a typed error naming it and
//! nothing is written; inside a transaction it is the caller's to roll back.
//! An empty batch sends nothing. The counts tell inserted rows from updated
//! ones by `xmax = 0` (PostgreSQL's mark of a row this statement inserted).
//!
//! Every value is a bound parameter and every identifier is quoted; the SQL
//! of each method is built once per model. Each call is one statement in one
//! round trip, with parameter types taken from the field types (no prepare
//! round trip): see [`GenericClient`].
//!
//! ```no_run
//! # #[derive(Debug, Clone, nzc::NzcModel)]
//! # #[nzc(table = "City")]
//! # pub struct City {
//! #     #[nzc(primary_key, column = "cityId")]
//! #     pub city_id: uuid::Uuid,
//! #     #[nzc(column = "cityName")]
//! #     pub city_name: String,
//! #     pub country: String,
//! #     pub locode: Option<String>,
//! # }
//! # async fn example(client: &mut tokio_postgres::Client) -> nzc::Result<()> {
//! let paris = City {
//!     city_id: uuid::Uuid::new_v4(),
//!     city_name: "Paris".into(),
//!     country: "FR".into(),
//!     locode: Some("FRPAR".into()),
//! };
//! paris.insert(&*client).await?;
//! assert!(City::get(&*client, paris.city_id).await?.is_some());
//!
//! let french = City::query()
//!     .filter(City::COUNTRY.eq("FR").and(City::LOCODE.eq("FRPAR")))
//!     .order_by(City::CITY_NAME.asc())
//!     .limit(10)
//!     .all(&*client)
//!     .await?;
//!
//! // The same methods inside a transaction.
//! let tx = client.transaction().await?;
//! City::delete(&tx, paris.city_id).await?;
//! tx.rollback().await?;
//! # Ok(())
//! # }
//! ```
//!
//! Relations between models are built from these pieces: the generated
//! models (`nzc compile`) have them for every foreign key, both ways —
//! `record.city(db)` and `city.emission_records(db)`, with batch forms over a
//! slice in one query ([`children_of`], [`child_of`], [`parent_of`]) — and by hand, the cities
//! of a country are `City::query().filter(City::COUNTRY.eq(code)).all(db)`.
//!
//! # `#[derive(NzcEnum)]`
//!
//! ```
//! #[derive(Debug, Clone, Copy, PartialEq, Eq, nzc::NzcEnum)]
//! #[nzc(type_name = "Scope")]
//! pub enum Scope {
//!     #[nzc(rename = "scope 1")]
//!     Scope1,
//!     Scope2,
//! }
//!
//! assert_eq!(Scope::VALUES, ["scope 1", "Scope2"]);
//! assert_eq!(Scope::Scope1.as_str(), "scope 1");
//! assert_eq!(Scope::Scope2.to_string(), "Scope2");
//! assert_eq!("scope 1".parse::<Scope>(), Ok(Scope::Scope1));
//! assert!("Scope1".parse::<Scope>().is_err());
//! ```
//!
//! `type_name` (default: the enum's name) is the PostgreSQL type; `rename`
//! (default: the variant's name) a variant's label. Only unit variants. The
//! `ToSql` / `FromSql` impls accept exactly the PostgreSQL enum type of that
//! name, and the text types (`text`, `varchar`, `bpchar`, `name`). The enum
//! must also implement `Debug` (a supertrait of `ToSql`), and must not
//! implement `Display` or `FromStr` by other means.

mod batch;
mod client;
mod error;
mod model;
mod ops;
mod private;
mod query;
mod value;

pub use crate::batch::{child_of, children_of, parent_of, UpsertCount};
pub use crate::client::{BoxFuture, CachedClient, CachedTransaction, GenericClient};
pub use crate::error::{Error, ParseEnumError};
pub use crate::model::{ForeignKeyInfo, Model, PgEnum, UniqueKeyInfo};
pub use crate::query::{Column, Expr, Order, Query};
pub use crate::value::{IntoParam, Nullable, Param, SqlType, TextType};
pub use nzc_macros::{NzcEnum, NzcModel};
pub use tokio_postgres::Row;

/// The crates of the field types and the client, re-exported so app code can
/// use the versions nzc was built with (`nzc::uuid::Uuid`, `nzc::tokio_postgres::connect`…).
pub use {chrono, futures_util, rust_decimal, serde_json, tokio_postgres, uuid};

/// `Result<T, nzc::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Used by derive expansions only; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::private::*;
}
