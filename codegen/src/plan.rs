//! Lock-safe plans: the diff's steps as the parts of a migration file, so
//! that a change to a table that already holds rows never blocks its
//! readers or writers for longer than a catalog update.
//!
//! A table created by the same migration is empty and nobody uses it yet:
//! its steps keep plain DDL, and so does every step that only takes a brief
//! lock. For an existing table:
//!
//! | change | plan |
//! |---|---|
//! | index | `CREATE INDEX CONCURRENTLY` in a no-transaction part |
//! | unique constraint, primary key | unique index built concurrently, then `ADD CONSTRAINT … USING INDEX` |
//! | drop an index | `DROP INDEX CONCURRENTLY` in a no-transaction part |
//! | foreign key, check | `ADD CONSTRAINT … NOT VALID` (new rows are checked at once), then `VALIDATE CONSTRAINT` in a later transaction of its own, which lets reads and writes go on |
//! | `SET NOT NULL` | `CHECK (col IS NOT NULL) NOT VALID`, validated, then `SET NOT NULL` (PostgreSQL 12+ proves it from the check: no scan) and the check dropped |
//! | new column with a volatile default (`gen_random_uuid()`) | the column without it, `SET DEFAULT` for new rows, existing rows filled in batches of pages (one transaction each), NOT NULL as above |
//! | enum value | its own part, committed before later parts use it |
//!
//! Validations come after everything else of the migration, each in its
//! own transaction; the `SET NOT NULL`s after them. A primary key over a
//! column made NOT NULL by the same migration waits for that column.
//!
//! What stays plain and is left to `nzc lint` to explain: type changes
//! that rewrite the table (`integer` → `bigint`), renames and drops.
//!
//! A plan of one transactional part is an ordinary migration file; a plan
//! of one no-transaction part has the `-- nzc:no-transaction` line; any
//! other has `-- nzc:part` markers (see [`nzc_types::contract::PART_MARKER`]).

use crate::diff::Step;
use crate::sql::{cols, column_def, fk_def, statements};
use nzc_dsl::{quote_ident as q, quote_literal};
use nzc_types::contract::{calls_volatile_function, PartMode};
use std::collections::HashSet;

/// How many heap pages a backfill updates per transaction (8 MB with the
/// default block size).
pub const BACKFILL_PAGES: u32 = 1000;

/// One part of a migration: its statements run in one transaction, or one
/// by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub mode: PartMode,
    /// Why the part exists, for its comment (empty for plain DDL).
    pub purposes: Vec<String>,
    pub items: Vec<Item>,
}

/// One statement, with the data-loss note of its step (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub data_loss: Option<String>,
    pub sql: String,
}

/// The parts that apply `steps` (in the diff's order) without long locks
/// on existing tables.
pub fn lock_safe(steps: &[Step]) -> Vec<Part> {
    let new_tables: HashSet<&str> = steps
        .iter()
        .filter_map(|s| match s {
            Step::CreateTable { table, .. } => Some(table.name.as_str()),
            _ => None,
        })
        .collect();
    let mut b = Builder::default();
    for step in steps {
        let existing = |t: &str| !new_tables.contains(t);
        match step {
            Step::CreateIndex { table, index } if existing(table) => b.push(
                PartMode::NoTransaction,
                Some(BUILD),
                format!(
                    "CREATE {}INDEX CONCURRENTLY IF NOT EXISTS {} ON {} ({});",
                    if index.unique { "UNIQUE " } else { "" },
                    q(&index.name),
                    q(table),
                    cols(&index.columns)
                ),
            ),
            Step::DropIndex { table, index } if existing(table) => b.push(
                PartMode::NoTransaction,
                Some(DROP),
                format!("DROP INDEX CONCURRENTLY IF EXISTS {};", q(&index.name)),
            ),
            Step::AddUnique { table, unique } if existing(table) => {
                b.attach(table, &unique.name, &unique.columns, "UNIQUE");
            }
            Step::AddPrimaryKey { table, pk } if existing(table) => {
                b.flush_not_null(table, &pk.columns);
                b.attach(table, &pk.name, &pk.columns, "PRIMARY KEY");
            }
            Step::AddForeignKey { table, fk } if existing(table) => {
                b.push(
                    PartMode::Transaction,
                    Some(NOT_VALID),
                    format!(
                        "ALTER TABLE {} ADD CONSTRAINT {} {} NOT VALID;",
                        q(table),
                        q(&fk.name),
                        fk_def(fk)
                    ),
                );
                b.validate.push((table.clone(), fk.name.clone()));
            }
            Step::AddCheck { table, check } if existing(table) => {
                b.push(
                    PartMode::Transaction,
                    Some(NOT_VALID),
                    format!(
                        "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({}) NOT VALID;",
                        q(table),
                        q(&check.name),
                        check.expr
                    ),
                );
                b.validate.push((table.clone(), check.name.clone()));
            }
            Step::SetNotNull { table, column } if existing(table) => b.not_null(table, column),
            Step::AddColumn { table, column }
                if existing(table)
                    && column
                        .default
                        .as_ref()
                        .is_some_and(|d| calls_volatile_function(&d.sql())) =>
            {
                let Some(default) = &column.default else {
                    continue;
                };
                let mut bare = column.clone();
                bare.default = None;
                bare.nullable = true;
                b.push(
                    PartMode::Transaction,
                    Some(ADD_BARE),
                    format!("ALTER TABLE {} ADD COLUMN {};", q(table), column_def(&bare)),
                );
                b.push(
                    PartMode::Transaction,
                    None,
                    format!(
                        "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {};",
                        q(table),
                        q(&column.name),
                        default.sql()
                    ),
                );
                if !column.nullable {
                    b.not_null(table, &column.name);
                }
                b.push(
                    PartMode::NoTransaction,
                    Some(BACKFILL),
                    backfill(table, &column.name),
                );
            }
            Step::AddEnumValue { .. } => {
                for sql in statements(step) {
                    b.push(PartMode::NoTransaction, Some(ENUM_VALUE), sql);
                }
            }
            other => {
                let loss = other.data_loss();
                for (i, sql) in statements(other).into_iter().enumerate() {
                    b.push_item(
                        PartMode::Transaction,
                        None,
                        Item {
                            data_loss: if i == 0 { loss.clone() } else { None },
                            sql,
                        },
                    );
                }
            }
        }
    }
    b.flush_all();
    b.parts
}

const BUILD: &str =
    "build the index without blocking writes (CONCURRENTLY cannot run in a transaction)";
const DROP: &str =
    "drop the index without blocking reads or writes (CONCURRENTLY cannot run in a transaction)";
const ATTACH: &str = "attach the index built above as the constraint (a brief lock, no scan)";
const NOT_VALID: &str = "add constraints NOT VALID: new rows are checked at once, existing rows by VALIDATE in a later part (a brief lock, no scan)";
const ADD_BARE: &str = "add the column without its volatile default (no rewrite); new rows get the default from here on";
const BACKFILL: &str = "fill the existing rows in batches, each committed: no long lock";
const ENUM_VALUE: &str = "add the enum value, committed before later parts use it";
const NOT_NULL: &str =
    "SET NOT NULL, proven by the validated check (no scan), then the check is dropped";

#[derive(Default)]
struct Builder {
    parts: Vec<Part>,
    /// Constraints added NOT VALID: (table, name), validated at the end.
    validate: Vec<(String, String)>,
    /// Columns to make NOT NULL once their check is validated: (table, column, check).
    not_null: Vec<(String, String, String)>,
}

impl Builder {
    fn push(&mut self, mode: PartMode, purpose: Option<&str>, sql: String) {
        self.push_item(
            mode,
            purpose,
            Item {
                data_loss: None,
                sql,
            },
        );
    }

    fn push_item(&mut self, mode: PartMode, purpose: Option<&str>, item: Item) {
        if self.parts.last().is_none_or(|p| p.mode != mode) {
            self.parts.push(Part {
                mode,
                purposes: Vec::new(),
                items: Vec::new(),
            });
        }
        let part = self.parts.last_mut().expect("just pushed");
        if let Some(p) = purpose {
            if !part.purposes.iter().any(|x| x == p) {
                part.purposes.push(p.to_string());
            }
        }
        part.items.push(item);
    }

    /// A part of its own (never merged with the one before).
    fn push_alone(&mut self, purpose: String, sql: Vec<String>) {
        self.parts.push(Part {
            mode: PartMode::Transaction,
            purposes: vec![purpose],
            items: sql
                .into_iter()
                .map(|sql| Item {
                    data_loss: None,
                    sql,
                })
                .collect(),
        });
    }

    /// A unique index built concurrently, then attached as the constraint.
    fn attach(&mut self, table: &str, name: &str, columns: &[String], kind: &str) {
        self.push(
            PartMode::NoTransaction,
            Some(BUILD),
            format!(
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {} ON {} ({});",
                q(name),
                q(table),
                cols(columns)
            ),
        );
        self.push(
            PartMode::Transaction,
            Some(ATTACH),
            format!(
                "ALTER TABLE {} ADD CONSTRAINT {} {kind} USING INDEX {};",
                q(table),
                q(name),
                q(name)
            ),
        );
    }

    /// NOT NULL through a check added NOT VALID now, validated and turned
    /// into NOT NULL at the end.
    fn not_null(&mut self, table: &str, column: &str) {
        let check = not_null_check_name(table, column);
        self.push(
            PartMode::Transaction,
            Some(NOT_VALID),
            format!(
                "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID;",
                q(table),
                q(&check),
                q(column)
            ),
        );
        self.validate.push((table.to_string(), check.clone()));
        self.not_null
            .push((table.to_string(), column.to_string(), check));
    }

    /// Validates the checks of the pending NOT NULLs of `columns` of `table`
    /// and sets them now (a primary key over them comes next).
    fn flush_not_null(&mut self, table: &str, columns: &[String]) {
        let (now, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.not_null)
            .into_iter()
            .partition(|(t, c, _)| t == table && columns.contains(c));
        self.not_null = later;
        if now.is_empty() {
            return;
        }
        let checks: Vec<&String> = now.iter().map(|(_, _, k)| k).collect();
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.validate)
            .into_iter()
            .partition(|(t, k)| t == table && checks.contains(&k));
        self.validate = rest;
        self.emit(mine, now);
    }

    fn flush_all(&mut self) {
        let validate = std::mem::take(&mut self.validate);
        let not_null = std::mem::take(&mut self.not_null);
        self.emit(validate, not_null);
    }

    fn emit(&mut self, validate: Vec<(String, String)>, not_null: Vec<(String, String, String)>) {
        for (table, name) in validate {
            self.push_alone(
                format!(
                    "check the existing rows against {}: VALIDATE takes SHARE UPDATE EXCLUSIVE, reads and writes go on",
                    q(&name)
                ),
                vec![format!(
                    "ALTER TABLE {} VALIDATE CONSTRAINT {};",
                    q(&table),
                    q(&name)
                )],
            );
        }
        if !not_null.is_empty() {
            let mut sql = Vec::new();
            for (table, column, check) in &not_null {
                sql.push(format!(
                    "ALTER TABLE {} ALTER COLUMN {} SET NOT NULL;",
                    q(table),
                    q(column)
                ));
                sql.push(format!(
                    "ALTER TABLE {} DROP CONSTRAINT {};",
                    q(table),
                    q(check)
                ));
            }
            self.push_alone(NOT_NULL.to_string(), sql);
        }
    }
}

/// The name of the temporary check behind a `SET NOT NULL`.
pub fn not_null_check_name(table: &str, column: &str) -> String {
    nzc_dsl::naming::shorten(&format!("nzc_nn_{table}_{column}"))
}

/// Fills a column added without its volatile default: `SET … = DEFAULT`
/// over the pages the table had when the fill started, [`BACKFILL_PAGES`]
/// per transaction (a TID range scan each), so every lock is held for one
/// batch only. Rows written since get the default anyway.
fn backfill(table: &str, column: &str) -> String {
    let t = q(table);
    let c = q(column);
    format!(
        "DO $nzc$
DECLARE
    pages bigint := pg_relation_size({reg}) / current_setting('block_size')::bigint;
    first bigint := 0;
BEGIN
    WHILE first < pages LOOP
        UPDATE {t} SET {c} = DEFAULT
        WHERE ctid >= format('(%s,0)', first)::tid
          AND ctid < format('(%s,0)', first + {BACKFILL_PAGES})::tid
          AND {c} IS NULL;
        COMMIT;
        first := first + {BACKFILL_PAGES};
    END LOOP;
END
$nzc$;",
        reg = quote_literal(&t),
    )
}
