//! nzc's runtime: what the generated model crate and application code use.
//!
//! Depend on it with `default-features = false`; the default `cli` feature
//! only adds what the `nzc` binary needs.
//!
//! - [`Model`] — a struct mirroring one table, implemented by
//!   [`#[derive(NzcModel)]`](derive@NzcModel): table metadata and
//!   [`Model::from_row`].
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
//! | `unique(name = "uq_…", columns("a", "b"))` | a unique constraint; repeatable; `name` defaults to `uq_<table>_<first column>` |
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

mod error;
mod model;
mod private;

pub use crate::error::{Error, ParseEnumError};
pub use crate::model::{ForeignKeyInfo, Model, PgEnum, UniqueKeyInfo};
pub use nzc_macros::{NzcEnum, NzcModel};
pub use tokio_postgres::Row;

/// Used by derive expansions only; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::private::*;
}

/// The migration runner behind `nzc migrate` (feature `cli`): migrations on
/// disk, connecting (URL, TLS, waiting) and applying them safely.
#[cfg(feature = "cli")]
pub mod migrate;
