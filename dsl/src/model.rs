//! The resolved schema model (the IR): what every generator reads.
//!
//! A [`Schema`] is only ever built by validation ([`crate::compile`]); when it
//! exists, every reference in it resolves, every name is final (naming
//! convention applied, shortened to 63 bytes) and unique, every table has a
//! primary key. Order is declaration order unless a field says otherwise, so
//! output that walks the model is deterministic.

use nzc_types::contract;
pub use nzc_types::{Kind, ScalarType};

pub use nzc_types::contract::MAX_IDENT_BYTES;

/// A validated schema.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    /// The naming convention in force (defaults, overridden by the file's `naming` block).
    pub naming: Naming,
    /// Enums in declaration order.
    pub enums: Vec<Enum>,
    /// Tables in declaration order.
    pub tables: Vec<Table>,
    /// Groups in declaration order.
    pub groups: Vec<Group>,
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    pub fn enum_(&self, name: &str) -> Option<&Enum> {
        self.enums.iter().find(|e| e.name == name)
    }

    /// Foreign keys of every table that reference `table`, as (referencing table, fk).
    pub fn referencing(&self, table: &str) -> impl Iterator<Item = (&Table, &ForeignKey)> {
        let table = table.to_string();
        self.tables.iter().flat_map(move |t| {
            let table = table.clone();
            t.foreign_keys
                .iter()
                .filter(move |fk| fk.ref_table == table)
                .map(move |fk| (t, fk))
        })
    }
}

/// A PostgreSQL enum type declared in the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    pub name: String,
    pub values: Vec<String>,
    pub doc: Option<String>,
    /// Declared earlier name (`@@renamed_from`), for migrations.
    pub renamed_from: Option<String>,
}

/// A group of tables (a DBML TableGroup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    pub doc: Option<String>,
    /// Table names, in declaration order.
    pub tables: Vec<String>,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub doc: Option<String>,
    /// The group the table is declared in, if any.
    pub group: Option<String>,
    /// Declared earlier name (`@@renamed_from`), for migrations.
    pub renamed_from: Option<String>,
    /// Columns in declaration order (= physical column order).
    pub columns: Vec<Column>,
    pub primary_key: PrimaryKey,
    /// Unique constraints in declaration order (column-level first, in column order).
    pub uniques: Vec<Unique>,
    /// Foreign keys in declaration order.
    pub foreign_keys: Vec<ForeignKey>,
    /// Indexes in declaration order.
    pub indexes: Vec<Index>,
    /// Check constraints in declaration order.
    pub checks: Vec<Check>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Whether `columns` (in this order or any order) are covered by the primary key
    /// or a unique constraint/index — i.e. can be the target of a foreign key.
    pub fn is_unique_key(&self, columns: &[String]) -> bool {
        let same = |a: &[String]| a.len() == columns.len() && columns.iter().all(|c| a.contains(c));
        same(&self.primary_key.columns)
            || self.uniques.iter().any(|u| same(&u.columns))
            || self.indexes.iter().any(|i| i.unique && same(&i.columns))
    }

    /// Whether `column` is part of the primary key.
    pub fn is_pk_column(&self, column: &str) -> bool {
        self.primary_key.columns.iter().any(|c| c == column)
    }
}

/// A column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub nullable: bool,
    pub default: Option<DefaultValue>,
    pub doc: Option<String>,
    /// Declared earlier name (`@renamed_from`), for migrations.
    pub renamed_from: Option<String>,
}

/// A column's type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnType {
    Scalar(ScalarType),
    /// A PostgreSQL enum declared in the schema, by name.
    Enum(String),
}

impl ColumnType {
    /// PostgreSQL spelling (`character varying(20)`; enums are the quoted type name).
    pub fn pg(&self) -> String {
        match self {
            ColumnType::Scalar(s) => s.pg(),
            ColumnType::Enum(name) => quote_ident(name),
        }
    }

    /// Canonical schema-language spelling.
    pub fn dsl(&self) -> String {
        match self {
            ColumnType::Scalar(s) => s.dsl(),
            ColumnType::Enum(name) => name.clone(),
        }
    }

    pub fn scalar(&self) -> Option<&ScalarType> {
        match self {
            ColumnType::Scalar(s) => Some(s),
            ColumnType::Enum(_) => None,
        }
    }
}

/// A column default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultValue {
    /// An integer literal, kept as written (`42`, `-1`).
    Integer(String),
    /// A decimal literal, kept as written (`1.5`).
    Decimal(String),
    /// A string literal (unescaped).
    String(String),
    Bool(bool),
    /// A raw SQL expression (`now()`, `gen_random_uuid()`, `'{}'::jsonb`).
    Expr(String),
}

impl DefaultValue {
    /// The SQL text of the default (string literals quoted and escaped).
    pub fn sql(&self) -> String {
        match self {
            DefaultValue::Integer(s) | DefaultValue::Decimal(s) | DefaultValue::Expr(s) => {
                s.clone()
            }
            DefaultValue::String(s) => quote_literal(s),
            DefaultValue::Bool(b) => b.to_string(),
        }
    }
}

/// The primary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
}

/// A unique constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unique {
    pub name: String,
    pub columns: Vec<String>,
    /// `UNIQUE NULLS NOT DISTINCT` (PostgreSQL 15+): rows whose key columns are equal, NULLs
    /// counting as equal, conflict. `false` is PostgreSQL's default (`NULLS DISTINCT`).
    pub nulls_not_distinct: bool,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    pub on_delete: ReferentialAction,
    pub on_update: ReferentialAction,
}

/// `ON DELETE` / `ON UPDATE` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReferentialAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    /// SQL spelling (`NO ACTION`, `SET NULL`, …).
    pub fn sql(self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }

    /// Schema-language spelling (`no_action`, `set_null`, …).
    pub fn dsl(self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "no_action",
            ReferentialAction::Restrict => "restrict",
            ReferentialAction::Cascade => "cascade",
            ReferentialAction::SetNull => "set_null",
            ReferentialAction::SetDefault => "set_default",
        }
    }

    pub const ALL: [ReferentialAction; 5] = [
        ReferentialAction::NoAction,
        ReferentialAction::Restrict,
        ReferentialAction::Cascade,
        ReferentialAction::SetNull,
        ReferentialAction::SetDefault,
    ];
}

/// An index (not backing a constraint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub columns: Vec<String>,
    pub unique: bool,
}

/// A check constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Final constraint name (convention applied).
    pub name: String,
    /// The SQL boolean expression, as written.
    pub expr: String,
}

/// Naming convention templates. Placeholders: `{table}`, `{column}` (first
/// column), `{columns}` (all columns joined by `_`), `{ref_table}`,
/// `{ref_column}`, `{name}` (check constraints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naming {
    pub primary_key: String,
    pub unique: String,
    pub foreign_key: String,
    pub index: String,
    pub check: String,
}

impl Default for Naming {
    fn default() -> Self {
        Naming {
            primary_key: contract::PRIMARY_KEY_NAME.into(),
            unique: contract::UNIQUE_NAME.into(),
            foreign_key: contract::FOREIGN_KEY_NAME.into(),
            index: contract::INDEX_NAME.into(),
            check: contract::CHECK_NAME.into(),
        }
    }
}

/// Double-quotes an SQL identifier (doubling embedded quotes).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Single-quotes an SQL string literal (doubling embedded quotes).
pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}
