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

    /// A line of its own in a migration file: the file runs statement by
    /// statement, each in its own implicit transaction (`ALTER TYPE … ADD
    /// VALUE` on old servers, `CREATE INDEX CONCURRENTLY`, …).
    pub const NO_TRANSACTION_MARKER: &str = "-- nzc:no-transaction";

    /// A line of its own that starts a **part** of a migration file:
    /// `-- nzc:part transaction` (the part's statements run in one
    /// transaction) or `-- nzc:part no-transaction` (each runs on its own).
    /// A file with parts runs them in order, each committed before the next
    /// starts: how one migration builds an index concurrently, adds a
    /// constraint `NOT VALID` and validates it in a later transaction.
    pub const PART_MARKER: &str = "-- nzc:part";

    /// How the statements of a part run.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum PartMode {
        /// All in one transaction.
        Transaction,
        /// Each on its own, outside any transaction block.
        NoTransaction,
    }

    impl PartMode {
        /// The word after [`PART_MARKER`].
        pub fn keyword(self) -> &'static str {
            match self {
                PartMode::Transaction => "transaction",
                PartMode::NoTransaction => "no-transaction",
            }
        }

        /// The marker line that starts a part of this mode.
        pub fn marker(self) -> String {
            format!("{PART_MARKER} {}", self.keyword())
        }
    }

    /// One part of a migration file: its mode and the byte range of its
    /// text (after the marker line).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct PartSpan {
        pub mode: PartMode,
        pub range: std::ops::Range<usize>,
        /// The 1-based line of its marker; `None` for a file without parts
        /// (one part: the whole file).
        pub marker_line: Option<usize>,
    }

    /// A malformed part layout, at a 1-based line.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct PartError {
        pub line: usize,
        pub message: String,
    }

    /// The parts of a migration file. A file without [`PART_MARKER`] lines
    /// is one part: statement by statement when it has the
    /// [`NO_TRANSACTION_MARKER`] line, else one transaction. In a file with
    /// them, only comments may stand before the first marker, and the
    /// no-transaction line is not allowed (each part says its mode). A marker
    /// is recognised as a whole line (surrounding blanks ignored); it must not
    /// stand inside a string or a function body.
    pub fn migration_parts(sql: &str) -> Result<Vec<PartSpan>, PartError> {
        let mut markers: Vec<(usize, usize, usize, PartMode)> = Vec::new(); // line, start, end, mode
        let mut no_tx_line = None;
        let mut offset = 0;
        for (i, line) in sql.split_inclusive('\n').enumerate() {
            let t = line.trim();
            if t == NO_TRANSACTION_MARKER {
                no_tx_line = Some(i + 1);
            } else if let Some(rest) = t.strip_prefix(PART_MARKER) {
                let mode = match rest.trim() {
                    "transaction" if rest.starts_with(char::is_whitespace) => PartMode::Transaction,
                    "no-transaction" if rest.starts_with(char::is_whitespace) => {
                        PartMode::NoTransaction
                    }
                    other => {
                        return Err(PartError {
                            line: i + 1,
                            message: format!(
                                "`{t}` is not a part marker: write `{PART_MARKER} transaction` or `{PART_MARKER} no-transaction`{}",
                                if other.is_empty() { "" } else { " on a line of its own" }
                            ),
                        })
                    }
                };
                markers.push((i + 1, offset, offset + line.len(), mode));
            }
            offset += line.len();
        }
        let Some(&(first_line, first_start, _, _)) = markers.first() else {
            let mode = if no_tx_line.is_some() {
                PartMode::NoTransaction
            } else {
                PartMode::Transaction
            };
            return Ok(vec![PartSpan {
                mode,
                range: 0..sql.len(),
                marker_line: None,
            }]);
        };
        if let Some(line) = no_tx_line {
            return Err(PartError {
                line,
                message: format!(
                    "`{NO_TRANSACTION_MARKER}` cannot stand in a file with parts: each `{PART_MARKER}` line says how its part runs"
                ),
            });
        }
        if !is_comment_only(&sql[..first_start]) {
            return Err(PartError {
                line: first_line,
                message: format!(
                    "statements stand before the first `{PART_MARKER}` line: put them in a part"
                ),
            });
        }
        Ok(markers
            .iter()
            .enumerate()
            .map(|(k, &(line, _, end, mode))| PartSpan {
                mode,
                range: end..markers.get(k + 1).map_or(sql.len(), |m| m.1),
                marker_line: Some(line),
            })
            .collect())
    }

    /// Whether `text` holds only blanks, `--` comments and `/* */` comments.
    fn is_comment_only(text: &str) -> bool {
        let mut rest = text.trim_start();
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("--") {
                rest = r.split_once('\n').map_or("", |(_, after)| after);
            } else if let Some(r) = rest.strip_prefix("/*") {
                let mut depth = 1;
                let b = r.as_bytes();
                let mut i = 0;
                while i < b.len() && depth > 0 {
                    if b[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if b[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                rest = &r[i..];
            } else {
                return false;
            }
            rest = rest.trim_start();
        }
        true
    }

    /// Built-in functions PostgreSQL marks volatile that appear in column
    /// defaults: a column added with such a default is filled row by row (a
    /// table rewrite), where a constant or a stable default (`now()`) is
    /// stored once. The linter and the migration planner both go by it.
    pub const VOLATILE_FUNCTIONS: &[&str] = &[
        "random",
        "random_normal",
        "gen_random_uuid",
        "uuidv4",
        "uuidv7",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "clock_timestamp",
        "timeofday",
        "nextval",
    ];

    /// Whether an SQL default expression calls one of [`VOLATILE_FUNCTIONS`]
    /// (a name followed by `(`, outside string literals and quoted names;
    /// schema-qualified or not, any case).
    pub fn calls_volatile_function(expr: &str) -> bool {
        let b = expr.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                q @ (b'\'' | b'"') => {
                    i += 1;
                    while i < b.len() && b[i] != q {
                        i += 1;
                    }
                    i += 1;
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    let start = i;
                    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                        i += 1;
                    }
                    let word = expr[start..i].to_ascii_lowercase();
                    let mut j = i;
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if b.get(j) == Some(&b'(') && VOLATILE_FUNCTIONS.contains(&word.as_str()) {
                        return true;
                    }
                }
                _ => i += 1,
            }
        }
        false
    }

    /// Sort key of a migration version: numeric order (`9` before `10`).
    pub fn version_key(v: &str) -> (usize, &str) {
        let v = v.trim_start_matches('0');
        (v.len(), v)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn volatile_defaults() {
            assert!(calls_volatile_function("gen_random_uuid()"));
            assert!(calls_volatile_function("pg_catalog.RANDOM ( )"));
            assert!(!calls_volatile_function("now()"));
            assert!(!calls_volatile_function("'random()'"));
            assert!(!calls_volatile_function("\"random\""));
            assert!(!calls_volatile_function("my_random()"));
        }

        #[test]
        fn files_without_parts_are_one_part() {
            let p = migration_parts("-- x\nSELECT 1;\n").unwrap();
            assert_eq!(p.len(), 1);
            assert_eq!(p[0].mode, PartMode::Transaction);
            let p = migration_parts("-- nzc:no-transaction\nSELECT 1;\n").unwrap();
            assert_eq!(p[0].mode, PartMode::NoTransaction);
            assert_eq!(p[0].range, 0..32);
        }

        #[test]
        fn parts_split_at_marker_lines() {
            let sql = "-- head\n/* c */\n-- nzc:part transaction\nA;\nB;\n  -- nzc:part no-transaction  \nC;\n";
            let p = migration_parts(sql).unwrap();
            assert_eq!(p.len(), 2);
            assert_eq!(&sql[p[0].range.clone()], "A;\nB;\n");
            assert_eq!(p[0].marker_line, Some(3));
            assert_eq!(p[1].mode, PartMode::NoTransaction);
            assert_eq!(&sql[p[1].range.clone()], "C;\n");
        }

        #[test]
        fn bad_layouts_are_errors_with_their_line() {
            let e = migration_parts("SELECT 1;\n-- nzc:part transaction\nA;\n").unwrap_err();
            assert_eq!(e.line, 2);
            let e = migration_parts("-- nzc:part transactions\nA;\n").unwrap_err();
            assert_eq!(e.line, 1);
            let e = migration_parts("-- nzc:no-transaction\n-- nzc:part transaction\nA;\n")
                .unwrap_err();
            assert_eq!(e.line, 1);
        }
    }
}
