//! Support for derive expansions: re-exports and small functions the
//! generated code calls by absolute path (`::nzc::__private::…`), so that a
//! user crate needs no direct dependency on postgres-types or bytes, and the
//! expansions stay short. Not a public API: anything here may change.

use std::error::Error as StdError;

pub use bytes::BytesMut;
pub use tokio_postgres;
pub use tokio_postgres::types as postgres_types;

use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type, WrongType};
use tokio_postgres::Row;

use crate::{Error, ParseEnumError, PgEnum};

pub use crate::batch::{upsert_many, upsert_many_by};
pub use crate::ops::{
    column, delete_by_key, find_by, get_by_key, insert, insert_many, list, update, upsert,
    upsert_by, Statements,
};

/// A field value as a parameter.
pub type Value<'a> = &'a (dyn ToSql + Sync);

/// The error type of `ToSql` / `FromSql`.
pub type BoxError = Box<dyn StdError + Sync + Send>;

/// Reads column `column` of `row` as `T`; failures become [`Error::Decode`].
pub fn get<'a, T: FromSql<'a>>(row: &'a Row, column: &str) -> Result<T, Error> {
    row.try_get(column).map_err(|source| Error::Decode {
        column: column.to_string(),
        source,
    })
}

/// The parameter type of an enum: OID 0, so that the server infers the enum
/// type from the statement (its OID differs between databases). The kind and
/// name make the enum's own `ToSql::accepts` take it.
pub fn enum_type<E: PgEnum>() -> Type {
    Type::new(
        E::TYPE_NAME.to_string(),
        0,
        Kind::Enum(E::VALUES.iter().map(|v| v.to_string()).collect()),
        String::new(),
    )
}

/// `FromStr` of an enum.
pub fn enum_from_str<E: PgEnum>(s: &str) -> Result<E, ParseEnumError> {
    E::from_value(s).ok_or_else(|| ParseEnumError::new(E::TYPE_NAME, E::VALUES, s))
}

/// Whether an enum converts to and from `ty`: the PostgreSQL enum type of
/// that name, or a text type (`text`, `varchar`, `bpchar`, `name`).
pub fn enum_accepts<E: PgEnum>(ty: &Type) -> bool {
    match ty.kind() {
        Kind::Enum(_) => ty.name() == E::TYPE_NAME,
        _ => [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(ty),
    }
}

/// `ToSql::to_sql` of an enum: the label's bytes (the binary format of both
/// enums and text).
pub fn enum_to_sql<E: PgEnum>(value: &E, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    out.extend_from_slice(value.as_str().as_bytes());
    Ok(IsNull::No)
}

/// `ToSql::to_sql_checked` of an enum.
pub fn enum_to_sql_checked<E: PgEnum + ToSql>(
    value: &E,
    ty: &Type,
    out: &mut BytesMut,
) -> Result<IsNull, BoxError> {
    if !<E as ToSql>::accepts(ty) {
        return Err(Box::new(WrongType::new::<E>(ty.clone())));
    }
    value.to_sql(ty, out)
}

/// `FromSql::from_sql` of an enum.
pub fn enum_from_sql<E: PgEnum>(raw: &[u8]) -> Result<E, BoxError> {
    let s = std::str::from_utf8(raw)?;
    Ok(enum_from_str::<E>(s)?)
}
