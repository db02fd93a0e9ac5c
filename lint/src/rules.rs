//! The rules: stable codes, names, levels and one-line summaries.

use std::fmt;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// The statement fails, or blocks reads or writes of a busy table.
    Error,
    /// The statement loses data or breaks the running application.
    Warning,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A lint rule. Its code (`L001` …) never changes meaning; a retired code is
/// not reused. The crate documentation explains each rule, its lock and its
/// fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Rule {
    /// L001 `CREATE INDEX` without `CONCURRENTLY` on an existing table.
    IndexWithoutConcurrently,
    /// L002 `DROP INDEX` without `CONCURRENTLY`.
    DropIndexWithoutConcurrently,
    /// L003 `CONCURRENTLY` in a migration that runs in a transaction.
    ConcurrentlyInTransaction,
    /// L004 `ADD CONSTRAINT … CHECK` without `NOT VALID` on an existing table.
    CheckWithoutNotValid,
    /// L005 a foreign key added and validated in one step.
    ForeignKeyInOneStep,
    /// L006 `VALIDATE CONSTRAINT` in the transaction that added it `NOT VALID`.
    ValidateInSameTransaction,
    /// L007 `SET NOT NULL` without a validated `CHECK (col IS NOT NULL)`.
    SetNotNull,
    /// L008 a column type change that rewrites the table.
    TypeChangeRewrite,
    /// L009 `ADD COLUMN` that rewrites the table (volatile default, serial,
    /// identity, stored generated column).
    AddColumnRewrite,
    /// L010 `ADD CONSTRAINT … UNIQUE` / `PRIMARY KEY` without `USING INDEX`.
    UniqueWithoutIndex,
    /// L011 `ADD COLUMN … NOT NULL` without a default.
    AddRequiredColumn,
    /// L012 `DROP COLUMN`.
    DropColumn,
    /// L013 `DROP TABLE`.
    DropTable,
    /// L014 `RENAME COLUMN`.
    RenameColumn,
    /// L015 `RENAME` of a table.
    RenameTable,
    /// L016 `BEGIN` / `COMMIT` / `ROLLBACK` in a migration that runs in a
    /// transaction.
    TransactionControl,
}

impl Rule {
    /// Every rule, in code order.
    pub const ALL: [Rule; 16] = [
        Rule::IndexWithoutConcurrently,
        Rule::DropIndexWithoutConcurrently,
        Rule::ConcurrentlyInTransaction,
        Rule::CheckWithoutNotValid,
        Rule::ForeignKeyInOneStep,
        Rule::ValidateInSameTransaction,
        Rule::SetNotNull,
        Rule::TypeChangeRewrite,
        Rule::AddColumnRewrite,
        Rule::UniqueWithoutIndex,
        Rule::AddRequiredColumn,
        Rule::DropColumn,
        Rule::DropTable,
        Rule::RenameColumn,
        Rule::RenameTable,
        Rule::TransactionControl,
    ];

    /// The stable code, `L001` ….
    pub fn code(self) -> &'static str {
        match self {
            Rule::IndexWithoutConcurrently => "L001",
            Rule::DropIndexWithoutConcurrently => "L002",
            Rule::ConcurrentlyInTransaction => "L003",
            Rule::CheckWithoutNotValid => "L004",
            Rule::ForeignKeyInOneStep => "L005",
            Rule::ValidateInSameTransaction => "L006",
            Rule::SetNotNull => "L007",
            Rule::TypeChangeRewrite => "L008",
            Rule::AddColumnRewrite => "L009",
            Rule::UniqueWithoutIndex => "L010",
            Rule::AddRequiredColumn => "L011",
            Rule::DropColumn => "L012",
            Rule::DropTable => "L013",
            Rule::RenameColumn => "L014",
            Rule::RenameTable => "L015",
            Rule::TransactionControl => "L016",
        }
    }

    /// The stable kebab-case name (accepted by `-- nzc:allow(…)` too).
    pub fn name(self) -> &'static str {
        match self {
            Rule::IndexWithoutConcurrently => "index-without-concurrently",
            Rule::DropIndexWithoutConcurrently => "drop-index-without-concurrently",
            Rule::ConcurrentlyInTransaction => "concurrently-in-transaction",
            Rule::CheckWithoutNotValid => "check-without-not-valid",
            Rule::ForeignKeyInOneStep => "foreign-key-in-one-step",
            Rule::ValidateInSameTransaction => "validate-in-same-transaction",
            Rule::SetNotNull => "set-not-null",
            Rule::TypeChangeRewrite => "type-change-rewrite",
            Rule::AddColumnRewrite => "add-column-rewrite",
            Rule::UniqueWithoutIndex => "unique-without-index",
            Rule::AddRequiredColumn => "add-required-column",
            Rule::DropColumn => "drop-column",
            Rule::DropTable => "drop-table",
            Rule::RenameColumn => "rename-column",
            Rule::RenameTable => "rename-table",
            Rule::TransactionControl => "transaction-control",
        }
    }

    /// The level every finding of this rule has.
    pub fn level(self) -> Level {
        match self {
            Rule::DropColumn | Rule::DropTable | Rule::RenameColumn | Rule::RenameTable => {
                Level::Warning
            }
            _ => Level::Error,
        }
    }

    /// One line saying what the rule finds.
    pub fn summary(self) -> &'static str {
        match self {
            Rule::IndexWithoutConcurrently => {
                "CREATE INDEX without CONCURRENTLY on an existing table"
            }
            Rule::DropIndexWithoutConcurrently => "DROP INDEX without CONCURRENTLY",
            Rule::ConcurrentlyInTransaction => {
                "CONCURRENTLY in a migration that runs in a transaction"
            }
            Rule::CheckWithoutNotValid => {
                "ADD CONSTRAINT … CHECK without NOT VALID on an existing table"
            }
            Rule::ForeignKeyInOneStep => "a foreign key added and validated in one step",
            Rule::ValidateInSameTransaction => {
                "VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID"
            }
            Rule::SetNotNull => "SET NOT NULL without a validated CHECK (col IS NOT NULL)",
            Rule::TypeChangeRewrite => "a column type change that rewrites the table",
            Rule::AddColumnRewrite => "ADD COLUMN that rewrites the table",
            Rule::UniqueWithoutIndex => "ADD CONSTRAINT … UNIQUE / PRIMARY KEY without USING INDEX",
            Rule::AddRequiredColumn => "ADD COLUMN … NOT NULL without a default",
            Rule::DropColumn => "DROP COLUMN loses the column's data",
            Rule::DropTable => "DROP TABLE loses the table's rows",
            Rule::RenameColumn => "RENAME COLUMN breaks the running application",
            Rule::RenameTable => "RENAME of a table breaks the running application",
            Rule::TransactionControl => {
                "BEGIN / COMMIT / ROLLBACK in a migration that runs in a transaction"
            }
        }
    }

    /// The rule of a code (`L001`, any case) or a name (`set-not-null`).
    pub fn from_code_or_name(s: &str) -> Option<Rule> {
        let s = s.trim();
        Rule::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(s) || r.name() == s)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
