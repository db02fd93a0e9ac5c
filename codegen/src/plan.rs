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
//! | unique constraint, primary key | unique index built concurrently (`… (cols) NULLS NOT DISTINCT` for such a key), then `ADD CONSTRAINT … USING INDEX` |
//! | a unique constraint redefined under its name (other columns, or `NULLS [NOT] DISTINCT`) | the new index built concurrently under a temporary name, then one brief transaction: the foreign keys over the key dropped, `DROP CONSTRAINT`, `ADD CONSTRAINT … UNIQUE USING INDEX`, the foreign keys added again `NOT VALID` (validated later): the key and its foreign keys never go missing, and a build that fails leaves them all |
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
//! What stays plain and is left to `nzc lint` to explain: renames, drops,
//! and type changes that rewrite the table (`integer` → `bigint`) — unless
//! [`Options::online_type_changes`] is set: then such a change, where a swap
//! loses nothing, becomes a shadow column kept in step by a trigger, filled
//! in batches, its indexes built concurrently, and swapped in by one brief
//! transaction (after every validation).
//!
//! A plan of one transactional part is an ordinary migration file; a plan
//! of one no-transaction part has the `-- nzc:no-transaction` line; any
//! other has `-- nzc:part` markers (see [`nzc_types::contract::PART_MARKER`]).

use crate::diff::Step;
use crate::sql::{cols, column_def, fk_def, index_nulls, statements};
use nzc_dsl::{
    quote_ident as q, quote_literal, Column, ColumnType, ForeignKey, Kind, Schema, Table, Unique,
};
use nzc_types::contract::{calls_volatile_function, PartMode};
use std::collections::{HashMap, HashSet};

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
    /// Lint rules the statement trips knowingly (`-- nzc:allow(…)`).
    pub allow: Option<&'static str>,
    pub sql: String,
}

/// Choices the generated plan leaves to the user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Change column types that rewrite the table (`integer` → `bigint`)
    /// online: a shadow column kept in step by a trigger, filled in
    /// batches, swapped in by a brief transaction (`nzc compile --online`).
    pub online_type_changes: bool,
}

/// The parts that apply `steps` (in the diff's order) without long locks
/// on existing tables. `target` is the schema the steps lead to.
pub fn lock_safe(steps: &[Step], target: &Schema, options: &Options) -> Vec<Part> {
    let new_tables: HashSet<&str> = steps
        .iter()
        .filter_map(|s| match s {
            Step::CreateTable { table, .. } => Some(table.name.as_str()),
            _ => None,
        })
        .collect();
    let online: Vec<Online> = if options.online_type_changes {
        steps
            .iter()
            .filter_map(|s| Online::of(s, steps, target, &new_tables))
            .collect()
    } else {
        Vec::new()
    };
    let is_online = |table: &str, column: &str| {
        online
            .iter()
            .find(|o| o.table.name == table && o.column.name == column)
    };
    let swapped = swapped_uniques(steps);
    let is_swapped = |table: &str, name: &str| swapped.contains_key(&(table, name));
    // The foreign keys of existing tables over a swapped key: the diff drops
    // them first and adds them last; they go inside the swap's brief
    // transaction instead, so they are enforced while the new index is
    // built, and a build that fails leaves them in place. A foreign key
    // dropped for good (not added again under its name on the same table)
    // keeps its place.
    let added_over_swapped = |table: &str, fk: &ForeignKey| {
        !new_tables.contains(table)
            && steps.iter().any(|s| {
                matches!(s, Step::AddUnique { table: t, unique }
                    if t == &fk.ref_table
                        && is_swapped(t, &unique.name)
                        && same_set(&unique.columns, &fk.ref_columns))
            })
    };
    let readded = |table: &str, name: &str| {
        steps.iter().any(|s| {
            matches!(s, Step::AddForeignKey { table: t, fk }
                if t == table && fk.name == name && added_over_swapped(t, fk))
        })
    };
    let dropped_over_swapped = |table: &str, fk: &ForeignKey| {
        !new_tables.contains(table)
            && swapped
                .iter()
                .any(|((t, _), old)| *t == fk.ref_table && same_set(&old.columns, &fk.ref_columns))
            && readded(table, &fk.name)
    };
    let over_swapped = |step: &Step| {
        !swapped.is_empty()
            && match step {
                Step::AddForeignKey { table, fk } => added_over_swapped(table, fk),
                Step::DropForeignKey { table, fk } => dropped_over_swapped(table, fk),
                _ => false,
            }
    };
    let mut b = Builder::default();
    for step in steps {
        let existing = |t: &str| !new_tables.contains(t);
        match step {
            // Replaced by the swap at its AddUnique: the key is never missing.
            Step::DropUnique { table, unique } if is_swapped(table, &unique.name) => {}
            Step::DropForeignKey { .. } | Step::AddForeignKey { .. } if over_swapped(step) => {}
            Step::AddUnique { table, unique } if is_swapped(table, &unique.name) => {
                let fks = |drop: bool| -> Vec<(&str, &ForeignKey)> {
                    steps
                        .iter()
                        .filter(|s| over_swapped(s))
                        .filter_map(|s| match s {
                            Step::DropForeignKey { table: ft, fk } if drop => Some((ft, fk)),
                            Step::AddForeignKey { table: ft, fk } if !drop => Some((ft, fk)),
                            _ => None,
                        })
                        .filter(|(_, fk)| {
                            let key = if drop {
                                &swapped[&(table.as_str(), unique.name.as_str())].columns
                            } else {
                                &unique.columns
                            };
                            fk.ref_table == *table && same_set(key, &fk.ref_columns)
                        })
                        .map(|(ft, fk)| (ft.as_str(), fk))
                        .collect()
                };
                b.swap_unique(table, unique, &fks(true), &fks(false));
            }
            Step::AlterColumnType { table, column, .. } if is_online(table, column).is_some() => {
                if let Some(o) = is_online(table, column) {
                    o.start(&mut b);
                }
            }
            // The swap sets the new column's default; the old one keeps its
            // own until then (writers rely on it).
            Step::DropDefault { table, column } | Step::SetDefault { table, column, .. }
                if is_online(table, column).is_some() => {}
            Step::CommentColumn { table, column, .. } if is_online(table, column).is_some() => {}
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
                let nulls = index_nulls(unique.nulls_not_distinct);
                b.attach(table, &unique.name, &unique.columns, "UNIQUE", nulls);
            }
            Step::AddPrimaryKey { table, pk } if existing(table) => {
                b.flush_not_null(table, &pk.columns);
                b.attach(table, &pk.name, &pk.columns, "PRIMARY KEY", "");
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
                            allow: None,
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
const SWAP_UNIQUE: &str = "swap the unique constraint for the index built above, in one brief transaction (no scan; the key and the foreign keys over it are enforced throughout)";
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
    /// Online type changes to finish once their checks are validated.
    swaps: Vec<Part>,
}

impl Builder {
    fn push(&mut self, mode: PartMode, purpose: Option<&str>, sql: String) {
        self.push_item(
            mode,
            purpose,
            Item {
                data_loss: None,
                allow: None,
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
                    allow: None,
                    sql,
                })
                .collect(),
        });
    }

    /// A unique index built concurrently, then attached as the constraint.
    /// `nulls` follows the index's column list ([`index_nulls`]): the
    /// constraint takes the index's NULLS [NOT] DISTINCT.
    fn attach(&mut self, table: &str, name: &str, columns: &[String], kind: &str, nulls: &str) {
        self.push(
            PartMode::NoTransaction,
            Some(BUILD),
            format!(
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {} ON {} ({}){nulls};",
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

    /// A unique constraint whose `NULLS [NOT] DISTINCT` changes: the new
    /// index built concurrently under a temporary name, then one brief
    /// transaction drops the old constraint and attaches the new index
    /// under the constraint's name. Writers see one key or the other, never
    /// none; a build that fails (rows the new key rejects) leaves the old
    /// key in place.
    fn swap_unique(
        &mut self,
        table: &str,
        unique: &Unique,
        drop_fks: &[(&str, &ForeignKey)],
        add_fks: &[(&str, &ForeignKey)],
    ) {
        let temp = temp_index_name(&unique.name);
        self.push(
            PartMode::NoTransaction,
            Some(BUILD),
            format!(
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {} ON {} ({}){};",
                q(&temp),
                q(table),
                cols(&unique.columns),
                index_nulls(unique.nulls_not_distinct)
            ),
        );
        // The foreign keys over the key depend on its index: dropped just
        // before it, added again (NOT VALID: new rows are checked at once)
        // just after, in the same transaction.
        let mut sql: Vec<String> = drop_fks
            .iter()
            .map(|(t, fk)| format!("ALTER TABLE {} DROP CONSTRAINT {};", q(t), q(&fk.name)))
            .collect();
        sql.push(format!(
            "ALTER TABLE {} DROP CONSTRAINT {};",
            q(table),
            q(&unique.name)
        ));
        sql.push(format!(
            "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE USING INDEX {};",
            q(table),
            q(&unique.name),
            q(&temp)
        ));
        for (t, fk) in add_fks {
            sql.push(format!(
                "ALTER TABLE {} ADD CONSTRAINT {} {} NOT VALID;",
                q(t),
                q(&fk.name),
                fk_def(fk)
            ));
            self.validate.push((t.to_string(), fk.name.clone()));
        }
        self.push_alone(SWAP_UNIQUE.to_string(), sql);
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
        let swaps = std::mem::take(&mut self.swaps);
        self.emit(validate, Vec::new());
        self.parts.extend(swaps);
        self.emit(Vec::new(), not_null);
    }

    fn emit(&mut self, validate: Vec<(String, String)>, not_null: Vec<(String, String, String)>) {
        for (table, name) in validate {
            self.parts.push(validate_part(&table, &name));
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

/// The part that validates constraint `name` of `table` (added `NOT
/// VALID`): a transaction of its own.
pub fn validate_part(table: &str, name: &str) -> Part {
    Part {
        mode: PartMode::Transaction,
        purposes: vec![format!(
            "check the existing rows against {}: VALIDATE takes SHARE UPDATE EXCLUSIVE, reads and writes go on",
            q(name)
        )],
        items: vec![Item {
            data_loss: None,
            allow: None,
            sql: format!(
                "ALTER TABLE {} VALIDATE CONSTRAINT {};",
                q(table),
                q(name)
            ),
        }],
    }
}

/// The name of the temporary check behind a `SET NOT NULL`.
pub fn not_null_check_name(table: &str, column: &str) -> String {
    nzc_dsl::naming::shorten(&format!("nzc_nn_{table}_{column}"))
}

/// Fills a column added without its volatile default: `SET … = DEFAULT`
/// over the pages the table had when the fill started, where the column is
/// NULL. (A writer that stores an explicit NULL into a nullable new column
/// while the fill runs has it replaced by the default, as `ADD COLUMN …
/// DEFAULT` would have given that row.)
fn backfill(table: &str, column: &str) -> String {
    let c = q(column);
    fill_in_batches(table, &format!("{c} = DEFAULT"), &format!("{c} IS NULL"))
}

/// `UPDATE table SET assignment WHERE condition` over the pages the table
/// had when the fill started, [`BACKFILL_PAGES`] per transaction (a TID
/// range scan each), so every row lock and the ROW EXCLUSIVE lock are held
/// for one batch only. Rows written since are kept right by the writer (a
/// default, a trigger).
fn fill_in_batches(table: &str, assignment: &str, condition: &str) -> String {
    let t = q(table);
    format!(
        "DO $nzc$
DECLARE
    pages bigint := pg_relation_size({reg}) / current_setting('block_size')::bigint;
    first bigint := 0;
BEGIN
    WHILE first < pages LOOP
        UPDATE {t} SET {assignment}
        WHERE ctid >= format('(%s,0)', first)::tid
          AND ctid < format('(%s,0)', first + {BACKFILL_PAGES})::tid
          AND {condition};
        COMMIT;
        first := first + {BACKFILL_PAGES};
    END LOOP;
END
$nzc$;",
        reg = quote_literal(&t),
    )
}

/// Whether a type change keeps the stored bytes (no rewrite, no index
/// rebuild): `varchar(n)` → `varchar(m ≥ n)`, `varchar` or `text`; `text`
/// → `varchar`; `numeric(p, s)` → `numeric(p' ≥ p, s)` or `numeric`.
pub fn keeps_bytes(from: &ColumnType, to: &ColumnType) -> bool {
    let (ColumnType::Scalar(a), ColumnType::Scalar(b)) = (from, to) else {
        return from == to;
    };
    match (a.kind, b.kind) {
        (Kind::Varchar | Kind::Text, Kind::Text) => true,
        (Kind::Text, Kind::Varchar) => b.length.is_none(),
        (Kind::Varchar, Kind::Varchar) => match (a.length, b.length) {
            (_, None) => true,
            (Some(x), Some(y)) => x <= y,
            (None, Some(_)) => false,
        },
        (Kind::Numeric, Kind::Numeric) => match (a.precision, b.precision) {
            (_, None) => true,
            (Some((p1, s1)), Some((p2, s2))) => s1 == s2 && p1 <= p2,
            (None, Some(_)) => false,
        },
        _ => a == b,
    }
}

/// An online type change of one column (see [`Options::online_type_changes`]).
struct Online<'a> {
    table: &'a Table,
    /// The column as the target schema has it.
    column: &'a Column,
    to: ColumnType,
}

impl<'a> Online<'a> {
    /// The online plan of a type change, when it is sound: the table exists,
    /// the change rewrites, and nothing the swap would drop goes unrebuilt —
    /// the column is in no primary key and no foreign key (either side), no
    /// check names it, no other step of the migration adds anything on it,
    /// and neither type is an enum.
    fn of(
        step: &Step,
        steps: &[Step],
        target: &'a Schema,
        new_tables: &HashSet<&str>,
    ) -> Option<Online<'a>> {
        let Step::AlterColumnType {
            table,
            column,
            from,
            to,
        } = step
        else {
            return None;
        };
        // Enum ↔ enum changes come from a renamed or replaced type: the
        // column follows the type by itself (or `ReplaceEnum` converts it).
        let enum_change = matches!(from, ColumnType::Enum(_)) || matches!(to, ColumnType::Enum(_));
        if new_tables.contains(table.as_str()) || keeps_bytes(from, to) || enum_change {
            return None;
        }
        let t = target.tables.iter().find(|t| &t.name == table)?;
        let c = t.column(column)?;
        let named = |cols: &[String]| cols.contains(column);
        let in_fk = target.tables.iter().any(|o| {
            o.foreign_keys.iter().any(|fk| {
                (o.name == *table && named(&fk.columns))
                    || (fk.ref_table == *table && named(&fk.ref_columns))
            })
        });
        let in_check = t.checks.iter().any(|k| mentions(&k.expr, column));
        let touched = steps.iter().any(|s| match s {
            Step::AddUnique { table: x, unique } => x == table && named(&unique.columns),
            Step::CreateIndex { table: x, index } => x == table && named(&index.columns),
            Step::AddCheck { table: x, check } => x == table && mentions(&check.expr, column),
            Step::SetNotNull {
                table: x,
                column: y,
            }
            | Step::DropNotNull {
                table: x,
                column: y,
            } => x == table && y == column,
            _ => false,
        });
        if named(&t.primary_key.columns) || in_fk || in_check || touched {
            return None;
        }
        Some(Online {
            table: t,
            column: c,
            to: to.clone(),
        })
    }

    fn shadow(&self) -> String {
        nzc_dsl::naming::shorten(&format!("{}_nzc_new", self.column.name))
    }

    fn function(&self) -> String {
        nzc_dsl::naming::shorten(&format!(
            "nzc_sync_{}_{}",
            self.table.name, self.column.name
        ))
    }

    fn not_null_check(&self) -> String {
        not_null_check_name(&self.table.name, &self.shadow())
    }

    /// The indexes and unique constraints over the column, to build again
    /// on the shadow column: (name, columns, unique, is a constraint, what
    /// follows the column list: [`index_nulls`]).
    fn indexes(&self) -> Vec<(&str, &[String], bool, bool, &'static str)> {
        let over = |cols: &[String]| cols.contains(&self.column.name);
        let mut out: Vec<(&str, &[String], bool, bool, &'static str)> = Vec::new();
        for u in self.table.uniques.iter().filter(|u| over(&u.columns)) {
            let nulls = index_nulls(u.nulls_not_distinct);
            out.push((&u.name, &u.columns, true, true, nulls));
        }
        for i in self.table.indexes.iter().filter(|i| over(&i.columns)) {
            out.push((&i.name, &i.columns, i.unique, false, ""));
        }
        out
    }

    /// Adds the shadow column, its trigger, the fill and the index builds
    /// now; queues the swap.
    fn start(&self, b: &mut Builder) {
        let (t, c, shadow, f) = (
            q(&self.table.name),
            q(&self.column.name),
            q(&self.shadow()),
            q(&self.function()),
        );
        let ty = self.to.pg();
        let mut add = vec![format!("ALTER TABLE {t} ADD COLUMN {shadow} {ty};")];
        if !self.column.nullable {
            add.push(format!(
                "ALTER TABLE {t} ADD CONSTRAINT {} CHECK ({shadow} IS NOT NULL) NOT VALID;",
                q(&self.not_null_check())
            ));
            b.validate
                .push((self.table.name.clone(), self.not_null_check()));
        }
        add.push(format!(
            "CREATE FUNCTION {f}() RETURNS trigger LANGUAGE plpgsql AS $nzc$\nBEGIN\n    NEW.{shadow} := NEW.{c}::{ty};\n    RETURN NEW;\nEND\n$nzc$;"
        ));
        add.push(format!(
            "CREATE TRIGGER {f} BEFORE INSERT OR UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION {f}();"
        ));
        for sql in add {
            b.push(PartMode::Transaction, Some(ONLINE_ADD), sql);
        }
        b.push(
            PartMode::NoTransaction,
            Some(ONLINE_FILL),
            fill_in_batches(
                &self.table.name,
                &format!("{shadow} = {c}::{ty}"),
                &format!("{shadow} IS NULL AND {c} IS NOT NULL"),
            ),
        );
        let rename = |cols: &[String]| -> Vec<String> {
            cols.iter()
                .map(|x| {
                    if *x == self.column.name {
                        self.shadow()
                    } else {
                        x.clone()
                    }
                })
                .collect()
        };
        for (name, columns, unique, _, nulls) in self.indexes() {
            b.push(
                PartMode::NoTransaction,
                Some(BUILD),
                format!(
                    "CREATE {}INDEX CONCURRENTLY IF NOT EXISTS {} ON {t} ({}){nulls};",
                    if unique { "UNIQUE " } else { "" },
                    q(&temp_index_name(name)),
                    cols(&rename(columns))
                ),
            );
        }
        b.swaps.push(self.swap());
    }

    /// The brief transaction that puts the shadow column in the old one's place.
    fn swap(&self) -> Part {
        let (t, c, shadow, f) = (
            q(&self.table.name),
            q(&self.column.name),
            q(&self.shadow()),
            q(&self.function()),
        );
        let mut items = vec![
            (None, format!("DROP TRIGGER {f} ON {t};")),
            (None, format!("DROP FUNCTION {f}();")),
        ];
        if !self.column.nullable {
            items.push((
                None,
                format!("ALTER TABLE {t} ALTER COLUMN {shadow} SET NOT NULL;"),
            ));
            items.push((
                None,
                format!(
                    "ALTER TABLE {t} DROP CONSTRAINT {};",
                    q(&self.not_null_check())
                ),
            ));
        }
        items.push((Some("L012"), format!("ALTER TABLE {t} DROP COLUMN {c};")));
        items.push((
            Some("L014"),
            format!("ALTER TABLE {t} RENAME COLUMN {shadow} TO {c};"),
        ));
        for (name, _, _, constraint, _) in self.indexes() {
            let temp = q(&temp_index_name(name));
            items.push((
                None,
                if constraint {
                    format!(
                        "ALTER TABLE {t} ADD CONSTRAINT {} UNIQUE USING INDEX {temp};",
                        q(name)
                    )
                } else {
                    format!("ALTER INDEX {temp} RENAME TO {};", q(name))
                },
            ));
        }
        if let Some(d) = &self.column.default {
            items.push((
                None,
                format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {};", d.sql()),
            ));
        }
        if let Some(doc) = &self.column.doc {
            items.push((
                None,
                format!("COMMENT ON COLUMN {t}.{c} IS {};", quote_literal(doc)),
            ));
        }
        Part {
            mode: PartMode::Transaction,
            purposes: vec![format!(
                "swap the new {} column in for {c}: the trigger goes, the old column is dropped and the new one renamed (a brief lock, no scan)",
                self.to.pg()
            )],
            items: items
                .into_iter()
                .map(|(allow, sql)| Item {
                    data_loss: None,
                    allow,
                    sql,
                })
                .collect(),
        }
    }
}

const ONLINE_ADD: &str = "online type change: a new column of the new type, kept equal to the old one by a trigger on every write";
const ONLINE_FILL: &str =
    "copy the existing rows' values into the new column in batches, each committed: no long lock";

/// The name an index is built under before the swap renames it.
/// Unique constraints of existing tables redefined under their name (other
/// columns, or `NULLS [NOT] DISTINCT`): a DropUnique and an AddUnique of
/// the same table (not renamed) and name, none of the old key's columns
/// dropped. As (table, name) → the old key.
fn swapped_uniques(steps: &[Step]) -> HashMap<(&str, &str), &Unique> {
    let mut out = HashMap::new();
    for s in steps {
        let Step::DropUnique { table, unique: old } = s else {
            continue;
        };
        let readded = steps.iter().any(|s| {
            matches!(s, Step::AddUnique { table: t, unique: new }
                if t == table && new.name == old.name && new != old)
        });
        let column_dropped = steps.iter().any(|s| {
            matches!(s, Step::DropColumn { table: t, column }
                if t == table && old.columns.contains(&column.name))
        });
        if readded && !column_dropped {
            out.insert((table.as_str(), old.name.as_str()), old);
        }
    }
    out
}

/// Whether two column lists hold the same columns (a foreign key may list
/// its key's columns in another order).
fn same_set(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

fn temp_index_name(name: &str) -> String {
    nzc_dsl::naming::shorten(&format!("{name}_nzc_new"))
}

/// Whether an SQL expression names `column` (quoted, or bare in any case):
/// conservative, a string literal holding the name counts too.
fn mentions(expr: &str, column: &str) -> bool {
    if expr.contains(&q(column)) {
        return true;
    }
    let lower = column.to_ascii_lowercase();
    expr.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
        .any(|w| w.to_ascii_lowercase() == lower)
}
