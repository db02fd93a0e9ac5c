//! The single table that maps every scalar column type nzc knows to its
//! spelling in the schema language, its PostgreSQL spelling (as
//! `format_type()` prints it, so introspection compares equal) and the Rust
//! type a model field gets.
//!
//! The compiler (`nzc-dsl`), the code generators (`nzc-codegen`), the derive
//! (`nzc-macros`) and the migration runner all read this table; no other place
//! spells a type.

#![forbid(unsafe_code)]

use std::fmt;

/// What parameters a type takes in the schema language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Params {
    /// No parameters (`uuid`, `text`, …).
    None,
    /// An optional length: `varchar` or `varchar(255)`.
    Length,
    /// An optional precision and scale: `numeric`, `numeric(12)` or `numeric(12,2)`.
    PrecisionScale,
}

/// The scalar type families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Uuid,
    Varchar,
    Char,
    Text,
    SmallInt,
    Int,
    BigInt,
    Numeric,
    Real,
    Double,
    Boolean,
    Date,
    Time,
    Timestamp,
    Timestamptz,
    Bytea,
    Json,
    Jsonb,
}

/// One row of the type table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeInfo {
    pub kind: Kind,
    /// Canonical spelling in the schema language (what `nzc fmt` writes).
    pub dsl: &'static str,
    /// Other accepted spellings in the schema language.
    pub aliases: &'static [&'static str],
    /// PostgreSQL spelling without parameters, as `format_type()` prints it.
    pub pg: &'static str,
    /// The Rust type of a model field (fully qualified).
    pub rust: &'static str,
    /// Parameters accepted.
    pub params: Params,
    /// The kind of literal a column default of this type accepts.
    pub literal: LiteralKind,
}

/// Which literals are valid defaults for a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiteralKind {
    /// Integer literals only.
    Integer,
    /// Integer or decimal literals.
    Number,
    /// String literals.
    String,
    /// `true` / `false`.
    Bool,
    /// No literal is valid (use an SQL expression, e.g. `gen_random_uuid()`), except a
    /// string literal that the check function accepts (a UUID, a date…).
    StringChecked,
}

macro_rules! row {
    ($kind:ident, $dsl:literal, [$($alias:literal),*], $pg:literal, $rust:literal, $params:ident, $lit:ident) => {
        TypeInfo {
            kind: Kind::$kind,
            dsl: $dsl,
            aliases: &[$($alias),*],
            pg: $pg,
            rust: $rust,
            params: Params::$params,
            literal: LiteralKind::$lit,
        }
    };
}

/// The type table. Order is the order documentation lists the types in.
pub const TYPES: &[TypeInfo] = &[
    row!(
        Uuid,
        "uuid",
        [],
        "uuid",
        "::uuid::Uuid",
        None,
        StringChecked
    ),
    row!(
        Varchar,
        "varchar",
        ["character varying"],
        "character varying",
        "::std::string::String",
        Length,
        String
    ),
    row!(
        Char,
        "char",
        ["character"],
        "character",
        "::std::string::String",
        Length,
        String
    ),
    row!(
        Text,
        "text",
        [],
        "text",
        "::std::string::String",
        None,
        String
    ),
    row!(
        SmallInt,
        "smallint",
        ["int2"],
        "smallint",
        "i16",
        None,
        Integer
    ),
    row!(
        Int,
        "int",
        ["integer", "int4"],
        "integer",
        "i32",
        None,
        Integer
    ),
    row!(BigInt, "bigint", ["int8"], "bigint", "i64", None, Integer),
    row!(
        Numeric,
        "numeric",
        ["decimal"],
        "numeric",
        "::rust_decimal::Decimal",
        PrecisionScale,
        Number
    ),
    row!(Real, "real", ["float4"], "real", "f32", None, Number),
    row!(
        Double,
        "double precision",
        ["float8", "double"],
        "double precision",
        "f64",
        None,
        Number
    ),
    row!(Boolean, "boolean", ["bool"], "boolean", "bool", None, Bool),
    row!(
        Date,
        "date",
        [],
        "date",
        "::chrono::NaiveDate",
        None,
        StringChecked
    ),
    row!(
        Time,
        "time",
        [],
        "time without time zone",
        "::chrono::NaiveTime",
        None,
        StringChecked
    ),
    row!(
        Timestamp,
        "timestamp",
        [],
        "timestamp without time zone",
        "::chrono::NaiveDateTime",
        None,
        StringChecked
    ),
    row!(
        Timestamptz,
        "timestamptz",
        [],
        "timestamp with time zone",
        "::chrono::DateTime<::chrono::Utc>",
        None,
        StringChecked
    ),
    row!(
        Bytea,
        "bytea",
        [],
        "bytea",
        "::std::vec::Vec<u8>",
        None,
        String
    ),
    row!(
        Json,
        "json",
        [],
        "json",
        "::serde_json::Value",
        None,
        StringChecked
    ),
    row!(
        Jsonb,
        "jsonb",
        [],
        "jsonb",
        "::serde_json::Value",
        None,
        StringChecked
    ),
];

impl Kind {
    /// The row of [`TYPES`] for this kind.
    pub fn info(self) -> &'static TypeInfo {
        TYPES
            .iter()
            .find(|t| t.kind == self)
            .expect("every Kind has a row in TYPES")
    }

    /// Whether values of this kind are ordered integers (used for widening checks).
    pub fn integer_rank(self) -> Option<u8> {
        match self {
            Kind::SmallInt => Some(1),
            Kind::Int => Some(2),
            Kind::BigInt => Some(3),
            _ => None,
        }
    }
}

/// Looks a type up by any of its schema-language spellings (case-insensitive).
pub fn lookup(name: &str) -> Option<&'static TypeInfo> {
    TYPES.iter().find(|t| {
        t.dsl.eq_ignore_ascii_case(name) || t.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// Every spelling the schema language accepts, for "did you mean" hints.
pub fn all_spellings() -> impl Iterator<Item = &'static str> {
    TYPES
        .iter()
        .flat_map(|t| std::iter::once(t.dsl).chain(t.aliases.iter().copied()))
}

/// A scalar type with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScalarType {
    pub kind: Kind,
    /// `varchar(n)` / `char(n)` length.
    pub length: Option<u32>,
    /// `numeric(p[,s])` precision and scale.
    pub precision: Option<(u16, u16)>,
}

impl ScalarType {
    pub const fn plain(kind: Kind) -> Self {
        ScalarType {
            kind,
            length: None,
            precision: None,
        }
    }

    pub fn info(&self) -> &'static TypeInfo {
        self.kind.info()
    }

    /// PostgreSQL spelling with parameters, as `format_type()` prints it
    /// (`character varying(255)`, `numeric(12,2)`, `timestamp without time zone`).
    pub fn pg(&self) -> String {
        let base = self.info().pg;
        match (self.length, self.precision) {
            (Some(n), _) => format!("{base}({n})"),
            (_, Some((p, s))) => format!("{base}({p},{s})"),
            _ => base.to_string(),
        }
    }

    /// Canonical schema-language spelling with parameters.
    pub fn dsl(&self) -> String {
        let base = self.info().dsl;
        match (self.length, self.precision) {
            (Some(n), _) => format!("{base}({n})"),
            (_, Some((p, s))) => format!("{base}({p},{s})"),
            _ => base.to_string(),
        }
    }

    /// The Rust type of a non-null field.
    pub fn rust(&self) -> &'static str {
        self.info().rust
    }
}

impl fmt::Display for ScalarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dsl())
    }
}

/// Rust types (as written in a struct field, last path segment) that a model
/// field may have, for the derive's "unsupported field type" check. Generic
/// wrappers (`Option<T>`) are unwrapped by the caller.
pub const RUST_FIELD_TYPES: &[&str] = &[
    "Uuid",
    "String",
    "i16",
    "i32",
    "i64",
    "Decimal",
    "f32",
    "f64",
    "bool",
    "NaiveDate",
    "NaiveTime",
    "NaiveDateTime",
    "DateTime",
    "Vec",
    "Value",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_exactly_one_row() {
        for t in TYPES {
            assert_eq!(
                TYPES.iter().filter(|u| u.kind == t.kind).count(),
                1,
                "{:?}",
                t.kind
            );
        }
    }

    #[test]
    fn spellings_are_unique() {
        let mut all: Vec<_> = all_spellings().map(str::to_ascii_lowercase).collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn pg_spelling_has_parameters() {
        let v = ScalarType {
            kind: Kind::Varchar,
            length: Some(20),
            precision: None,
        };
        assert_eq!(v.pg(), "character varying(20)");
        let n = ScalarType {
            kind: Kind::Numeric,
            length: None,
            precision: Some((12, 2)),
        };
        assert_eq!(n.pg(), "numeric(12,2)");
        assert_eq!(lookup("INTEGER").unwrap().kind, Kind::Int);
        assert_eq!(lookup("double precision").unwrap().pg, "double precision");
    }
}

/// Contracts between nzc's crates and with the outside world, spelled once:
/// the identifier limit, the default naming convention, the marker of
/// generated files, and the shape of a migration directory's name.
pub mod contract {
    /// PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes.
    pub const MAX_IDENT_BYTES: usize = 63;

    /// Default naming templates (placeholders `{table}`, `{column}`,
    /// `{columns}`, `{ref_table}`, `{ref_column}`, `{name}`).
    pub const PRIMARY_KEY_NAME: &str = "pk_{table}";
    pub const UNIQUE_NAME: &str = "uq_{table}_{column}";
    pub const FOREIGN_KEY_NAME: &str = "fk_{table}_{column}_{ref_table}";
    pub const INDEX_NAME: &str = "ix_{table}_{column}";
    pub const CHECK_NAME: &str = "ck_{table}_{name}";

    /// The default name of a unique constraint whose first column is `column`.
    pub fn default_unique_name(table: &str, column: &str) -> String {
        UNIQUE_NAME
            .replace("{table}", table)
            .replace("{column}", column)
    }

    /// The default name of a foreign key whose first column is `column`.
    pub fn default_foreign_key_name(table: &str, column: &str, ref_table: &str) -> String {
        FOREIGN_KEY_NAME
            .replace("{table}", table)
            .replace("{column}", column)
            .replace("{ref_table}", ref_table)
    }

    /// The text that marks a file as written by nzc (and so safe for nzc to
    /// overwrite); it stands in the file's first line.
    pub const GENERATED_MARKER: &str = "@generated by nzc";

    /// The schema snapshot kept in each migration directory: the schema the
    /// database has once the migration is applied.
    pub const SNAPSHOT_FILE: &str = "schema.nzc";

    /// Whether a directory name is a migration id (`<digits>_<slug>`):
    /// the version and the slug.
    pub fn parse_migration_id(name: &str) -> Option<(&str, &str)> {
        let (version, slug) = name.split_once('_')?;
        (!version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) && !slug.is_empty())
            .then_some((version, slug))
    }

    /// Sort key of a migration version: numeric order (`9` before `10`).
    pub fn version_key(v: &str) -> (usize, &str) {
        let v = v.trim_start_matches('0');
        (v.len(), v)
    }
}
