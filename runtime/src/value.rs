//! Rust values and the PostgreSQL types they are bound as.
//!
//! - [`SqlType`]: a field type of a model (a row of the type table, an enum
//!   deriving `NzcEnum`, or `Option` of one) and the parameter type its values
//!   are sent as. Every statement nzc runs declares its parameter types from
//!   here, so the server never has to be asked (no prepare round trip).
//! - [`IntoParam<T>`]: what may be compared with, or bound to, a column whose
//!   field type is `T`: a `T`, a `&T`, a `&str` for a text column, and for a
//!   nullable column (`Option<T>`) also a bare `T`. Anything else does not
//!   compile.
//! - [`TextType`] and [`Nullable`]: the columns `like` and `is_null` apply to.

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use tokio_postgres::types::{ToSql, Type};
use uuid::Uuid;

/// A Rust field type and the PostgreSQL type its values are bound as.
///
/// Implemented for the Rust types of the type table (`nzc_types::TYPES`), for
/// every enum deriving `NzcEnum`, and for `Option<T>` of those (a nullable
/// column, bound as `T`'s type).
///
/// | Rust | bound as |
/// | --- | --- |
/// | `Uuid` | `uuid` |
/// | `String` | `text` (accepted by `varchar`, `char` and `text` columns) |
/// | `i16` / `i32` / `i64` | `smallint` / `integer` / `bigint` |
/// | `Decimal` | `numeric` |
/// | `f32` / `f64` | `real` / `double precision` |
/// | `bool` | `boolean` |
/// | `NaiveDate` / `NaiveTime` | `date` / `time` |
/// | `NaiveDateTime` / `DateTime<Utc \| FixedOffset \| Local>` | `timestamp` / `timestamptz` |
/// | `Vec<u8>` | `bytea` |
/// | `serde_json::Value` | `jsonb` (a `json` column takes it through PostgreSQL's assignment cast; `insert_many` looks the column's real type up) |
/// | an `NzcEnum` | left to the server to infer from the column (OID 0): the enum type's OID is not known in advance |
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a column type nzc knows",
    label = "not in nzc's type table",
    note = "model fields are types of the type table (Uuid, String, i32, Decimal, NaiveDate, …), enums deriving `NzcEnum`, or `Option` of those"
)]
pub trait SqlType: ToSql + Sync + Send + 'static {
    /// Whether the field is nullable (`Option<T>`).
    const NULLABLE: bool = false;

    /// The type a value is bound as (parameters and binary COPY).
    fn sql_type() -> Type;

    /// Whether this value is SQL NULL (`None`).
    fn is_null(&self) -> bool {
        false
    }
}

macro_rules! scalar {
    ($($rust:ty => $pg:ident),* $(,)?) => {
        $(
            impl SqlType for $rust {
                fn sql_type() -> Type {
                    Type::$pg
                }
            }
        )*
    };
}

scalar!(
    Uuid => UUID,
    String => TEXT,
    i16 => INT2,
    i32 => INT4,
    i64 => INT8,
    Decimal => NUMERIC,
    f32 => FLOAT4,
    f64 => FLOAT8,
    bool => BOOL,
    NaiveDate => DATE,
    NaiveTime => TIME,
    NaiveDateTime => TIMESTAMP,
    Vec<u8> => BYTEA,
    serde_json::Value => JSONB,
);

scalar!(
    DateTime<Utc> => TIMESTAMPTZ,
    DateTime<FixedOffset> => TIMESTAMPTZ,
    DateTime<Local> => TIMESTAMPTZ,
);

impl<T: SqlType> SqlType for Option<T> {
    const NULLABLE: bool = true;

    fn sql_type() -> Type {
        T::sql_type()
    }

    fn is_null(&self) -> bool {
        self.is_none()
    }
}

/// Text columns (`String`, `Option<String>`): what `like` / `ilike` apply to.
#[diagnostic::on_unimplemented(
    message = "`like` needs a text column, but this column's type is `{Self}`",
    label = "not a text column"
)]
pub trait TextType: SqlType {}

impl TextType for String {}
impl TextType for Option<String> {}

/// Nullable columns (`Option<T>`): what `is_null` / `is_not_null` apply to.
#[diagnostic::on_unimplemented(
    message = "the column's type `{Self}` is not an `Option`: it is NOT NULL",
    label = "a NOT NULL column is never NULL"
)]
pub trait Nullable: SqlType {}

impl<T: SqlType> Nullable for Option<T> {}

/// A value bound as a parameter: owned, with its type and whether it is NULL.
pub struct Param {
    pub(crate) value: Box<dyn ToSql + Sync + Send>,
    pub(crate) ty: Type,
    pub(crate) null: bool,
}

impl Param {
    /// A parameter holding `value`, bound as `T`'s type.
    pub fn new<T: SqlType>(value: T) -> Param {
        Param {
            null: value.is_null(),
            ty: T::sql_type(),
            value: Box::new(value),
        }
    }

    /// Whether the value is SQL NULL.
    pub fn is_null(&self) -> bool {
        self.null
    }

    /// The type it is bound as.
    pub fn sql_type(&self) -> &Type {
        &self.ty
    }

    /// The value, to pass to tokio-postgres.
    pub fn value(&self) -> &(dyn ToSql + Sync) {
        &*self.value
    }
}

impl std::fmt::Debug for Param {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Param")
            .field("value", &self.value)
            .field("ty", &self.ty)
            .finish()
    }
}

/// A value that may be compared with, or bound to, a column whose field type
/// is `T`.
///
/// | column type `T` | accepted |
/// | --- | --- |
/// | any | `T`, `&T` |
/// | `String` | also `&str` |
/// | `Option<U>` | also `U`, `&U` (and `&str` for `Option<String>`); `None` is SQL NULL |
///
/// Anything else is a compile error: an `i32` column cannot be compared with a
/// string, nor a `Uuid` column with an `Option<Uuid>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be compared with a column of type `{T}`",
    label = "expected a value of the column's type `{T}`",
    note = "a column of type `T` accepts `T` and `&T` (`&str` for text); a nullable column `Option<T>` also accepts a bare `T`"
)]
pub trait IntoParam<T: SqlType> {
    /// The owned parameter.
    fn into_param(self) -> Param;
}

impl<T: SqlType> IntoParam<T> for T {
    fn into_param(self) -> Param {
        Param::new(self)
    }
}

impl<T: SqlType + Clone> IntoParam<T> for &T {
    fn into_param(self) -> Param {
        Param::new(self.clone())
    }
}

impl<T: SqlType> IntoParam<Option<T>> for T {
    fn into_param(self) -> Param {
        Param::new(self)
    }
}

impl<T: SqlType + Clone> IntoParam<Option<T>> for &T {
    fn into_param(self) -> Param {
        Param::new(self.clone())
    }
}

impl IntoParam<String> for &str {
    fn into_param(self) -> Param {
        Param::new(self.to_string())
    }
}

impl IntoParam<Option<String>> for &str {
    fn into_param(self) -> Param {
        Param::new(self.to_string())
    }
}
