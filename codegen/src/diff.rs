//! The schema diff: the ordered list of steps that turns the database of one
//! schema into the database of another.
//!
//! [`diff`] compares two validated schemas. Renames declared in the newer
//! schema (`@renamed_from`, `@@renamed_from`) become RENAME steps, never a
//! drop and an add. The down migration is the diff in the other direction
//! with the renames turned around ([`Renames::inverted`]), so every up has a
//! down that restores the previous version exactly.
//!
//! Order of the steps (each group in schema declaration order):
//! 1. drop foreign keys (also those whose referenced key is dropped or
//!    redefined: they depend on its index, and are added again in 6), then
//!    the checks, indexes, unique and primary-key constraints that go away
//!    or change (a unique constraint changes with its columns or its
//!    `NULLS NOT DISTINCT`: dropped here, added again in 6);
//! 2. drop tables (referencing tables first) and columns;
//! 3. renames (enums, tables, columns, then constraint and index names);
//! 4. create enums, add enum values, replace enums that lose values;
//! 5. create tables (referenced tables first, foreign keys inline when their
//!    target exists by then), add columns, change types, nullability and
//!    defaults;
//! 6. add primary keys, uniques, checks, indexes, then foreign keys;
//! 7. comments; 8. drop enums nothing uses any more.

use nzc_dsl::{
    Check, Column, ColumnType, DefaultValue, Enum, ForeignKey, Index, Kind, PrimaryKey, Schema,
    Table, Unique,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// One change to the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    CreateEnum(Enum),
    DropEnum(Enum),
    RenameEnum {
        from: String,
        to: String,
    },
    /// `ALTER TYPE … ADD VALUE` (cannot run inside a transaction block on
    /// PostgreSQL < 12 and cannot be used in the same transaction; nzc runs it
    /// without a transaction).
    AddEnumValue {
        enum_name: String,
        value: String,
        /// Insert before this existing value; `None` appends.
        before: Option<String>,
    },
    /// Recreate an enum type with another list of values (values removed or
    /// reordered): rename the old type, create the new one, convert every
    /// column using it, drop the old type.
    ReplaceEnum {
        old: Enum,
        new: Enum,
        /// Columns of the enum type that exist before the swap and keep it:
        /// (table, column, default to restore). Their current default is
        /// dropped first (it is of the old type).
        usages: Vec<(String, String, Option<DefaultValue>)>,
    },
    CreateTable {
        table: Table,
        /// Foreign keys created inline; the others come as AddForeignKey steps.
        inline_fks: Vec<ForeignKey>,
    },
    DropTable(Table),
    RenameTable {
        from: String,
        to: String,
    },
    AddColumn {
        table: String,
        column: Column,
    },
    DropColumn {
        table: String,
        column: Column,
    },
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    AlterColumnType {
        table: String,
        column: String,
        from: ColumnType,
        to: ColumnType,
    },
    SetNotNull {
        table: String,
        column: String,
    },
    DropNotNull {
        table: String,
        column: String,
    },
    SetDefault {
        table: String,
        column: String,
        default: DefaultValue,
    },
    DropDefault {
        table: String,
        column: String,
    },
    AddPrimaryKey {
        table: String,
        pk: PrimaryKey,
    },
    DropPrimaryKey {
        table: String,
        pk: PrimaryKey,
    },
    AddUnique {
        table: String,
        unique: Unique,
    },
    DropUnique {
        table: String,
        unique: Unique,
    },
    AddForeignKey {
        table: String,
        fk: ForeignKey,
    },
    DropForeignKey {
        table: String,
        fk: ForeignKey,
    },
    CreateIndex {
        table: String,
        index: Index,
    },
    DropIndex {
        table: String,
        index: Index,
    },
    AddCheck {
        table: String,
        check: Check,
    },
    DropCheck {
        table: String,
        check: Check,
    },
    RenameConstraint {
        table: String,
        from: String,
        to: String,
    },
    RenameIndex {
        from: String,
        to: String,
    },
    CommentTable {
        table: String,
        comment: Option<String>,
    },
    CommentColumn {
        table: String,
        column: String,
        comment: Option<String>,
    },
}

impl Step {
    /// Whether the step cannot run inside a transaction block.
    pub fn needs_no_transaction(&self) -> bool {
        matches!(self, Step::AddEnumValue { .. })
    }

    /// A description of the data this step destroys, if it destroys any.
    pub fn data_loss(&self) -> Option<String> {
        match self {
            Step::DropTable(t) => Some(format!("drops table \"{}\" and all its rows", t.name)),
            Step::DropColumn { table, column } => Some(format!(
                "drops column \"{table}\".\"{}\" and its values",
                column.name
            )),
            Step::AlterColumnType {
                table,
                column,
                from,
                to,
            } if !is_widening(from, to) => Some(format!(
                "changes \"{table}\".\"{column}\" from {} to {}, which may not hold every value",
                from.pg(),
                to.pg()
            )),
            Step::ReplaceEnum { old, new, .. } => {
                let gone: Vec<&str> = old
                    .values
                    .iter()
                    .filter(|v| !new.values.contains(v))
                    .map(String::as_str)
                    .collect();
                (!gone.is_empty()).then(|| {
                    format!(
                        "removes value(s) {} from enum \"{}\"; rows holding them make the migration fail",
                        gone.join(", "),
                        old.name
                    )
                })
            }
            _ => None,
        }
    }
}

/// Whether every value of `from` fits `to` (no data loss).
pub fn is_widening(from: &ColumnType, to: &ColumnType) -> bool {
    let (ColumnType::Scalar(a), ColumnType::Scalar(b)) = (from, to) else {
        return false;
    };
    if let (Some(x), Some(y)) = (a.kind.integer_rank(), b.kind.integer_rank()) {
        return x <= y;
    }
    match (a.kind, b.kind) {
        (Kind::Varchar | Kind::Char | Kind::Text, Kind::Text) => true,
        (Kind::Text, Kind::Varchar) => b.length.is_none(),
        (Kind::Varchar | Kind::Char, Kind::Varchar) => match (a.length, b.length) {
            (_, None) => true,
            (Some(x), Some(y)) => x <= y,
            (None, Some(_)) => false,
        },
        (Kind::SmallInt | Kind::Int | Kind::BigInt, Kind::Numeric) => b.precision.is_none(),
        (Kind::Numeric, Kind::Numeric) => match (a.precision, b.precision) {
            (_, None) => true,
            (Some((p1, s1)), Some((p2, s2))) => s1 <= s2 && p1 - s1 <= p2 - s2,
            (None, Some(_)) => false,
        },
        (Kind::Real, Kind::Double) => true,
        (Kind::Json, Kind::Jsonb) | (Kind::Jsonb, Kind::Json) => true,
        (Kind::Timestamp, Kind::Timestamptz) => true,
        (x, y) => x == y && a == b,
    }
}

/// Renames declared by the newer schema: new name → old name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames {
    pub tables: BTreeMap<String, String>,
    /// (new table name, new column name) → old column name.
    pub columns: BTreeMap<(String, String), String>,
    pub enums: BTreeMap<String, String>,
}

impl Renames {
    /// The renames `new` declares that apply to `old`: the old name exists in
    /// `old` and the new name does not (a rename that already happened, or
    /// that refers to something `old` never had, is ignored).
    pub fn between(old: &Schema, new: &Schema) -> Renames {
        let mut r = Renames::default();
        let old_tables = tables_by_name(old);
        for e in &new.enums {
            if let Some(from) = &e.renamed_from {
                if old.enum_(from).is_some() && old.enum_(&e.name).is_none() {
                    r.enums.insert(e.name.clone(), from.clone());
                }
            }
        }
        for t in &new.tables {
            let mut old_name = t.name.clone();
            if let Some(from) = &t.renamed_from {
                if old_tables.contains_key(from.as_str())
                    && !old_tables.contains_key(t.name.as_str())
                {
                    r.tables.insert(t.name.clone(), from.clone());
                    old_name = from.clone();
                }
            }
            let Some(&ot) = old_tables.get(old_name.as_str()) else {
                continue;
            };
            for c in &t.columns {
                if let Some(from) = &c.renamed_from {
                    if ot.column(from).is_some() && ot.column(&c.name).is_none() {
                        r.columns
                            .insert((t.name.clone(), c.name.clone()), from.clone());
                    }
                }
            }
        }
        r
    }

    /// The same renames seen from the other side (for the down migration).
    pub fn inverted(&self) -> Renames {
        let table_back = |new_table: &str| {
            self.tables
                .get(new_table)
                .cloned()
                .unwrap_or_else(|| new_table.to_string())
        };
        Renames {
            tables: self
                .tables
                .iter()
                .map(|(n, o)| (o.clone(), n.clone()))
                .collect(),
            columns: self
                .columns
                .iter()
                .map(|((t, n), o)| ((table_back(t), o.clone()), n.clone()))
                .collect(),
            enums: self
                .enums
                .iter()
                .map(|(n, o)| (o.clone(), n.clone()))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.columns.is_empty() && self.enums.is_empty()
    }
}

/// The steps that turn `old` into `new`, given the renames (new → old names).
pub fn diff(old: &Schema, new: &Schema, renames: &Renames) -> Vec<Step> {
    let mut p = Phases::default();
    let old_name_of_table = |t: &str| {
        renames
            .tables
            .get(t)
            .cloned()
            .unwrap_or_else(|| t.to_string())
    };
    let old_name_of_enum = |e: &str| {
        renames
            .enums
            .get(e)
            .cloned()
            .unwrap_or_else(|| e.to_string())
    };

    // ---- enums ---------------------------------------------------------------
    let mut matched_enums: BTreeSet<String> = BTreeSet::new();
    for e in &new.enums {
        let from = old_name_of_enum(&e.name);
        match old.enum_(&from) {
            None => p.create_enums.push(Step::CreateEnum(e.clone())),
            Some(oe) => {
                matched_enums.insert(oe.name.clone());
                if oe.name != e.name {
                    p.renames.push(Step::RenameEnum {
                        from: oe.name.clone(),
                        to: e.name.clone(),
                    });
                }
                enum_values(oe, e, old, new, renames, &mut p);
            }
        }
    }
    for oe in &old.enums {
        if !matched_enums.contains(&oe.name) {
            p.drop_enums.push(Step::DropEnum(oe.clone()));
        }
    }

    // ---- tables --------------------------------------------------------------
    let rebuilt = rebuilt_keys(old, new, renames);
    let mut matched: BTreeSet<String> = BTreeSet::new();
    let mut created: Vec<&Table> = Vec::new();
    let old_tables = tables_by_name(old);
    for t in &new.tables {
        let from = old_name_of_table(&t.name);
        match old_tables.get(from.as_str()).copied() {
            None => created.push(t),
            Some(ot) => {
                matched.insert(ot.name.clone());
                if ot.name != t.name {
                    p.renames.push(Step::RenameTable {
                        from: ot.name.clone(),
                        to: t.name.clone(),
                    });
                }
                table_changes(ot, t, renames, &rebuilt, &mut p);
            }
        }
    }
    let dropped: Vec<&Table> = old
        .tables
        .iter()
        .filter(|t| !matched.contains(&t.name))
        .collect();

    // Foreign keys of surviving tables that point at dropped tables are
    // handled by table_changes (the new schema cannot reference a dropped
    // table). Dropped tables go referencing-first; FKs among them that form a
    // cycle are dropped before.
    let (order, cyclic) = topo_order(&dropped);
    for (ti, fk) in &cyclic {
        p.drop_fks.push(Step::DropForeignKey {
            table: dropped[*ti].name.clone(),
            fk: fk.clone(),
        });
    }
    // A dropped table's foreign key to a key that goes away before the
    // table does (constraints are dropped first) must go even earlier.
    for t in &dropped {
        for fk in &t.foreign_keys {
            if rebuilt.contains(&(fk.ref_table.clone(), sorted(&fk.ref_columns))) {
                p.drop_fks.push(Step::DropForeignKey {
                    table: t.name.clone(),
                    fk: fk.clone(),
                });
            }
        }
    }
    for i in order.into_iter().rev() {
        p.drop_tables.push(Step::DropTable(dropped[i].clone()));
    }

    // Created tables go referenced-first, with FKs inline when the target
    // exists (surviving, self, or created before) and so does the key they
    // refer to: a primary key or unique constraint of a table created here
    // (CREATE TABLE makes them), or a key a surviving table already had and
    // keeps. Keys added later in the migration (unique indexes, constraints
    // added to a surviving table) get the FK as an AddForeignKey step.
    let created_names: HashSet<&str> = created.iter().map(|c| c.name.as_str()).collect();
    let new_tables = tables_by_name(new);
    let key_exists = |fk: &ForeignKey| {
        let same = |cols: &[String], want: &[String]| sorted(cols) == sorted(want);
        if created_names.contains(fk.ref_table.as_str()) {
            return new_tables.get(fk.ref_table.as_str()).is_some_and(|t| {
                same(&t.primary_key.columns, &fk.ref_columns)
                    || t.uniques.iter().any(|u| same(&u.columns, &fk.ref_columns))
            });
        }
        let old_table = old_name_of_table(&fk.ref_table);
        let cols = ref_cols_old(renames, &fk.ref_table, &fk.ref_columns);
        !rebuilt.contains(&(old_table.clone(), sorted(&cols)))
            && old_tables
                .get(old_table.as_str())
                .is_some_and(|t| t.is_unique_key(&cols))
    };
    let (order, _) = topo_order(&created);
    let mut exists: BTreeSet<&str> = new
        .tables
        .iter()
        .filter(|t| !created_names.contains(t.name.as_str()))
        .map(|t| t.name.as_str())
        .collect();
    for i in order {
        let t = created[i];
        exists.insert(&t.name);
        let (inline, later): (Vec<ForeignKey>, Vec<ForeignKey>) = t
            .foreign_keys
            .iter()
            .cloned()
            .partition(|fk| exists.contains(fk.ref_table.as_str()) && key_exists(fk));
        p.create_tables.push(Step::CreateTable {
            table: t.clone(),
            inline_fks: inline,
        });
        for idx in &t.indexes {
            p.add_indexes.push(Step::CreateIndex {
                table: t.name.clone(),
                index: idx.clone(),
            });
        }
        for fk in later {
            p.add_fks.push(Step::AddForeignKey {
                table: t.name.clone(),
                fk,
            });
        }
        if t.doc.is_some() {
            p.comments.push(Step::CommentTable {
                table: t.name.clone(),
                comment: t.doc.clone(),
            });
        }
        for c in &t.columns {
            if c.doc.is_some() {
                p.comments.push(Step::CommentColumn {
                    table: t.name.clone(),
                    column: c.name.clone(),
                    comment: c.doc.clone(),
                });
            }
        }
    }

    p.into_steps()
}

#[derive(Default)]
struct Phases {
    drop_fks: Vec<Step>,
    drop_constraints: Vec<Step>,
    drop_tables: Vec<Step>,
    drop_columns: Vec<Step>,
    renames: Vec<Step>,
    renames_late: Vec<Step>,
    create_enums: Vec<Step>,
    enum_values: Vec<Step>,
    create_tables: Vec<Step>,
    add_columns: Vec<Step>,
    alter_columns: Vec<Step>,
    add_constraints: Vec<Step>,
    add_indexes: Vec<Step>,
    add_fks: Vec<Step>,
    comments: Vec<Step>,
    drop_enums: Vec<Step>,
}

impl Phases {
    fn into_steps(self) -> Vec<Step> {
        [
            self.drop_fks,
            self.drop_constraints,
            self.drop_tables,
            self.drop_columns,
            self.renames,
            self.renames_late,
            self.create_enums,
            self.enum_values,
            self.create_tables,
            self.add_columns,
            self.alter_columns,
            self.add_constraints,
            self.add_indexes,
            self.add_fks,
            self.comments,
            self.drop_enums,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

fn enum_values(
    old: &Enum,
    new: &Enum,
    old_schema: &Schema,
    schema: &Schema,
    renames: &Renames,
    p: &mut Phases,
) {
    if old.values == new.values {
        return;
    }
    // Only additions, old order kept: ADD VALUE for each new value.
    let mut it = new.values.iter();
    let subsequence = old.values.iter().all(|v| it.any(|n| n == v));
    if subsequence {
        for (i, v) in new.values.iter().enumerate() {
            if old.values.contains(v) {
                continue;
            }
            // The next value that already exists, to insert before it.
            let before = new.values[i + 1..]
                .iter()
                .find(|n| old.values.contains(n))
                .cloned();
            p.enum_values.push(Step::AddEnumValue {
                enum_name: new.name.clone(),
                value: v.clone(),
                before,
            });
        }
        return;
    }
    // The columns to convert are those that exist already, of the enum, and
    // keep it: columns added by this migration (new tables included) do not
    // exist yet when the type is swapped, and are created with the new type.
    let existed = |t: &Table, c: &Column| {
        let old_table = renames.tables.get(&t.name).unwrap_or(&t.name);
        let old_column = renames
            .columns
            .get(&(t.name.clone(), c.name.clone()))
            .unwrap_or(&c.name);
        old_schema
            .table(old_table)
            .and_then(|ot| ot.column(old_column))
            .is_some_and(|oc| oc.ty == ColumnType::Enum(old.name.clone()))
    };
    let usages = schema
        .tables
        .iter()
        .flat_map(|t| {
            t.columns
                .iter()
                .filter(|c| c.ty == ColumnType::Enum(new.name.clone()) && existed(t, c))
                .map(|c| (t.name.clone(), c.name.clone(), c.default.clone()))
        })
        .collect();
    let mut old = old.clone();
    old.name = new.name.clone();
    // The old type is parked under another name and dropped last, once every
    // column (also those changing to another type) has left it.
    p.drop_enums.push(Step::DropEnum(Enum {
        name: parked_enum_name(&new.name),
        values: old.values.clone(),
        doc: None,
        renamed_from: None,
    }));
    p.enum_values.push(Step::ReplaceEnum {
        old,
        new: new.clone(),
        usages,
    });
}

/// The name an enum is parked under while [`Step::ReplaceEnum`] recreates it.
pub fn parked_enum_name(name: &str) -> String {
    format!("{name}__nzc_old")
}

/// The unique keys (primary key, unique constraints, unique indexes) of
/// surviving tables that the migration drops or redefines, as (old table
/// name, sorted old column names). A foreign key referring to such columns
/// depends on the key's index: it is dropped before and added again after.
fn rebuilt_keys(old: &Schema, new: &Schema, renames: &Renames) -> BTreeSet<(String, Vec<String>)> {
    let mut out = BTreeSet::new();
    let old_tables = tables_by_name(old);
    for t in &new.tables {
        let Some(&ot) = old_tables.get(renames.tables.get(&t.name).unwrap_or(&t.name).as_str())
        else {
            continue;
        };
        let to_old = |cols: &[String]| -> Vec<String> {
            cols.iter()
                .map(|c| {
                    renames
                        .columns
                        .get(&(t.name.clone(), c.clone()))
                        .unwrap_or(c)
                        .clone()
                })
                .collect()
        };
        if ot.primary_key.columns != to_old(&t.primary_key.columns) {
            out.insert((ot.name.clone(), sorted(&ot.primary_key.columns)));
        }
        for u in &ot.uniques {
            if !t.uniques.iter().any(|n| {
                u.columns == to_old(&n.columns) && u.nulls_not_distinct == n.nulls_not_distinct
            }) {
                out.insert((ot.name.clone(), sorted(&u.columns)));
            }
        }
        for i in ot.indexes.iter().filter(|i| i.unique) {
            if !t
                .indexes
                .iter()
                .any(|n| n.unique && i.columns == to_old(&n.columns))
            {
                out.insert((ot.name.clone(), sorted(&i.columns)));
            }
        }
    }
    out
}

fn sorted(columns: &[String]) -> Vec<String> {
    let mut v = columns.to_vec();
    v.sort();
    v
}

fn table_changes(
    old: &Table,
    new: &Table,
    renames: &Renames,
    rebuilt: &BTreeSet<(String, Vec<String>)>,
    p: &mut Phases,
) {
    let t = &new.name;
    // Drops run before the renames, so they name the table as it was.
    let ot = &old.name;
    // Old column name for each new column.
    let old_col = |c: &str| {
        renames
            .columns
            .get(&(t.clone(), c.to_string()))
            .cloned()
            .unwrap_or_else(|| c.to_string())
    };
    // Map a list of new column names to old names, for comparing constraints.
    let to_old = |cols: &[String]| cols.iter().map(|c| old_col(c)).collect::<Vec<_>>();
    let mut kept: BTreeSet<String> = BTreeSet::new();

    for c in &new.columns {
        let from = old_col(&c.name);
        let Some(oc) = old.column(&from) else {
            p.add_columns.push(Step::AddColumn {
                table: t.clone(),
                column: c.clone(),
            });
            if c.doc.is_some() {
                p.comments.push(Step::CommentColumn {
                    table: t.clone(),
                    column: c.name.clone(),
                    comment: c.doc.clone(),
                });
            }
            continue;
        };
        kept.insert(oc.name.clone());
        if oc.name != c.name {
            p.renames.push(Step::RenameColumn {
                table: t.clone(),
                from: oc.name.clone(),
                to: c.name.clone(),
            });
        }
        if oc.ty != c.ty {
            // A default of the old type may not cast: drop it first, set it again after.
            if oc.default.is_some() {
                p.alter_columns.push(Step::DropDefault {
                    table: t.clone(),
                    column: c.name.clone(),
                });
            }
            p.alter_columns.push(Step::AlterColumnType {
                table: t.clone(),
                column: c.name.clone(),
                from: oc.ty.clone(),
                to: c.ty.clone(),
            });
            if let Some(d) = &c.default {
                p.alter_columns.push(Step::SetDefault {
                    table: t.clone(),
                    column: c.name.clone(),
                    default: d.clone(),
                });
            }
        } else if oc.default != c.default {
            p.alter_columns.push(match &c.default {
                Some(d) => Step::SetDefault {
                    table: t.clone(),
                    column: c.name.clone(),
                    default: d.clone(),
                },
                None => Step::DropDefault {
                    table: t.clone(),
                    column: c.name.clone(),
                },
            });
        }
        if oc.nullable != c.nullable {
            p.alter_columns.push(if c.nullable {
                Step::DropNotNull {
                    table: t.clone(),
                    column: c.name.clone(),
                }
            } else {
                Step::SetNotNull {
                    table: t.clone(),
                    column: c.name.clone(),
                }
            });
        }
        if oc.doc != c.doc {
            p.comments.push(Step::CommentColumn {
                table: t.clone(),
                column: c.name.clone(),
                comment: c.doc.clone(),
            });
        }
    }
    for oc in &old.columns {
        if !kept.contains(&oc.name) {
            p.drop_columns.push(Step::DropColumn {
                table: ot.clone(),
                column: oc.clone(),
            });
        }
    }
    if old.doc != new.doc {
        p.comments.push(Step::CommentTable {
            table: t.clone(),
            comment: new.doc.clone(),
        });
    }

    // Constraints: same definition (in old column names) → keep, renaming if
    // the name changed; otherwise drop the old one and add the new one.
    // Primary key.
    let (opk, npk) = (&old.primary_key, &new.primary_key);
    if opk.columns == to_old(&npk.columns) {
        if opk.name != npk.name {
            p.renames_late.push(Step::RenameConstraint {
                table: t.clone(),
                from: opk.name.clone(),
                to: npk.name.clone(),
            });
        }
    } else {
        p.drop_constraints.push(Step::DropPrimaryKey {
            table: ot.clone(),
            pk: opk.clone(),
        });
        p.add_constraints.push(Step::AddPrimaryKey {
            table: t.clone(),
            pk: npk.clone(),
        });
    }
    match_named(
        &old.uniques,
        &new.uniques,
        |o, n| o.columns == to_old(&n.columns) && o.nulls_not_distinct == n.nulls_not_distinct,
        |u| &u.name,
        |u| Step::DropUnique {
            table: ot.clone(),
            unique: u.clone(),
        },
        |u| Step::AddUnique {
            table: t.clone(),
            unique: u.clone(),
        },
        |from, to| Step::RenameConstraint {
            table: t.clone(),
            from,
            to,
        },
        (&mut p.drop_constraints, &mut p.add_constraints),
        &mut p.renames_late,
    );
    match_named(
        &old.checks,
        &new.checks,
        |o, n| o.expr == n.expr,
        |c| &c.name,
        |c| Step::DropCheck {
            table: ot.clone(),
            check: c.clone(),
        },
        |c| Step::AddCheck {
            table: t.clone(),
            check: c.clone(),
        },
        |from, to| Step::RenameConstraint {
            table: t.clone(),
            from,
            to,
        },
        (&mut p.drop_constraints, &mut p.add_constraints),
        &mut p.renames_late,
    );
    match_named(
        &old.indexes,
        &new.indexes,
        |o, n| o.columns == to_old(&n.columns) && o.unique == n.unique,
        |i| &i.name,
        |i| Step::DropIndex {
            table: ot.clone(),
            index: i.clone(),
        },
        |i| Step::CreateIndex {
            table: t.clone(),
            index: i.clone(),
        },
        |from, to| Step::RenameIndex { from, to },
        (&mut p.drop_constraints, &mut p.add_indexes),
        &mut p.renames_late,
    );
    let old_table_of = |name: &str| {
        renames
            .tables
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    };
    match_named(
        &old.foreign_keys,
        &new.foreign_keys,
        |o, n| {
            o.columns == to_old(&n.columns)
                && o.ref_table == old_table_of(&n.ref_table)
                && o.ref_columns == ref_cols_old(renames, &n.ref_table, &n.ref_columns)
                && o.on_delete == n.on_delete
                && o.on_update == n.on_update
                && !rebuilt.contains(&(o.ref_table.clone(), sorted(&o.ref_columns)))
        },
        |f| &f.name,
        |f| Step::DropForeignKey {
            table: ot.clone(),
            fk: f.clone(),
        },
        |f| Step::AddForeignKey {
            table: t.clone(),
            fk: f.clone(),
        },
        |from, to| Step::RenameConstraint {
            table: t.clone(),
            from,
            to,
        },
        (&mut p.drop_fks, &mut p.add_fks),
        &mut p.renames_late,
    );
}

fn ref_cols_old(renames: &Renames, ref_table: &str, cols: &[String]) -> Vec<String> {
    cols.iter()
        .map(|c| {
            renames
                .columns
                .get(&(ref_table.to_string(), c.clone()))
                .cloned()
                .unwrap_or_else(|| c.clone())
        })
        .collect()
}

/// Pairs old and new items with the same definition; unpaired old items are
/// dropped and unpaired new ones added; paired ones with another name renamed.
#[allow(clippy::too_many_arguments)]
fn match_named<T>(
    old: &[T],
    new: &[T],
    same: impl Fn(&T, &T) -> bool,
    name: impl Fn(&T) -> &String,
    drop: impl Fn(&T) -> Step,
    add: impl Fn(&T) -> Step,
    rename: impl Fn(String, String) -> Step,
    (drops, adds): (&mut Vec<Step>, &mut Vec<Step>),
    renames: &mut Vec<Step>,
) {
    let mut used = vec![false; old.len()];
    for n in new {
        // Prefer the old item of the same name, then any with the same definition.
        let hit = old
            .iter()
            .enumerate()
            .find(|(i, o)| !used[*i] && name(o) == name(n) && same(o, n))
            .or_else(|| {
                old.iter()
                    .enumerate()
                    .find(|(i, o)| !used[*i] && same(o, n))
            });
        match hit {
            Some((i, o)) => {
                used[i] = true;
                if name(o) != name(n) {
                    renames.push(rename(name(o).clone(), name(n).clone()));
                }
            }
            None => adds.push(add(n)),
        }
    }
    for (i, o) in old.iter().enumerate() {
        if !used[i] {
            drops.push(drop(o));
        }
    }
}

/// Orders tables so that referenced tables come before the tables that
/// reference them (ties in declaration order). Foreign keys that close a
/// cycle (self-references excluded) are returned separately.
fn topo_order(tables: &[&Table]) -> (Vec<usize>, Vec<(usize, ForeignKey)>) {
    let index: BTreeMap<&str, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    // Kahn's algorithm; a min-heap keeps "the first ready table in
    // declaration order", so the order is the one a rescan would give.
    let mut waiting = vec![0usize; tables.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); tables.len()];
    for (i, t) in tables.iter().enumerate() {
        for fk in &t.foreign_keys {
            if let Some(&j) = index.get(fk.ref_table.as_str()) {
                if j != i {
                    waiting[i] += 1;
                    dependents[j].push(i);
                }
            }
        }
    }
    let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> = (0..tables.len())
        .filter(|&i| waiting[i] == 0)
        .map(std::cmp::Reverse)
        .collect();
    let mut placed = vec![false; tables.len()];
    let mut first_unplaced = 0;
    let mut order = Vec::with_capacity(tables.len());
    let mut cyclic = Vec::new();
    while order.len() < tables.len() {
        let i = loop {
            match ready.pop() {
                Some(std::cmp::Reverse(i)) if placed[i] => continue,
                Some(std::cmp::Reverse(i)) => break i,
                None => {
                    // A cycle: place the first unplaced table and report its
                    // unresolved foreign keys.
                    while placed[first_unplaced] {
                        first_unplaced += 1;
                    }
                    let i = first_unplaced;
                    for fk in &tables[i].foreign_keys {
                        if let Some(&j) = index.get(fk.ref_table.as_str()) {
                            if j != i && !placed[j] {
                                cyclic.push((i, fk.clone()));
                            }
                        }
                    }
                    break i;
                }
            }
        };
        placed[i] = true;
        order.push(i);
        for &d in &dependents[i] {
            waiting[d] -= 1;
            if waiting[d] == 0 && !placed[d] {
                ready.push(std::cmp::Reverse(d));
            }
        }
    }
    (order, cyclic)
}

/// Tables by name, for lookups in a loop over another schema's tables
/// (`Schema::table` scans the list: quadratic over a whole schema).
fn tables_by_name(schema: &Schema) -> HashMap<&str, &Table> {
    let mut by_name = HashMap::with_capacity(schema.tables.len());
    for t in &schema.tables {
        by_name.entry(t.name.as_str()).or_insert(t);
    }
    by_name
}
