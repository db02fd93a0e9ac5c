//! Property test of the schema diff against a real PostgreSQL.
//!
//! Each case is a random pair of valid schemas A and B, written as schema
//! *source text* and compiled with `nzc_dsl::compile`: A is built from a
//! seed, B is A after a few random mutations (see [`Mutation`]). Per case:
//!
//! 1. the reference databases of A and of B are built from scratch
//!    (empty → A, empty → B) and introspected;
//! 2. A is created from scratch in the working database and rows are
//!    inserted (see "Data" below);
//! 3. up(A → B) is applied: the database must equal the reference of B, and
//!    the rows must be kept in every column that exists in both A and B
//!    (renamed columns and tables included, types changed within a family
//!    included: the inserted values fit every type the generator can change
//!    to);
//! 4. down(B → A) is applied: the database must equal the reference of A —
//!    except for one documented, inherent difference: a column that B drops
//!    is added back by the down migration *at the end* of its table
//!    (PostgreSQL cannot insert a column in the middle), so the expected
//!    column order of such a table is "columns that survived, then columns
//!    added back", each in A's order. The rows must be back as they were in
//!    every column that survived.
//!
//! Every other case (odd seeds) is planned with online type changes
//! (`nzc compile --online`); such a change moves the column to the end of
//! its table, so those cases compare columns by name.
//!
//! The migration's `data_loss` list must also name exactly the destructive
//! changes (dropped tables and columns, non-widening type changes, enum
//! values removed).
//!
//! # What the generator covers
//!
//! Schemas of 1–4 tables (B may have more) and 0–2 enums; columns of type
//! int, bigint, varchar, varchar(n), text, uuid, boolean, numeric,
//! timestamp, jsonb or an enum, nullable or not, with defaults of every kind
//! (integer, string with quotes, boolean, decimal, `now()`,
//! `gen_random_uuid()`, JSON string, enum value) and `///` docs; single or
//! composite primary keys; uniques (`@unique` and `@@unique`), indexes
//! (unique or not), checks, foreign keys (`@ref` / `@@ref`, to a primary
//! key, a unique or a unique index, self-references and cycles included,
//! with `on_delete` actions). Mutations ([`Mutation`]): add/drop/rename
//! (`@@renamed_from`) table, add/drop/rename (`@renamed_from`) column,
//! toggle nullability, change type (int ↔ bigint, varchar ↔ varchar(n) ↔
//! text), add/change/drop default, add/drop unique, index and check, rename
//! a check, add/drop foreign key, move the primary key to another column,
//! add enum value (appended or inserted before another), remove enum value,
//! add/drop/rename enum, add/change/remove table and column docs.
//!
//! # Data
//!
//! Two rows per table, every value distinct per column (so any unique holds)
//! and short (so every varchar length the generator uses holds them); enum
//! columns hold the enum's first value of A, which mutations never remove;
//! all values satisfy every check the generator writes. Foreign-key columns
//! are always nullable: they hold real references when A and B have the
//! same foreign key (same target table and column, by identity) and the
//! target has rows and survives in B, NULL otherwise — so adding a foreign
//! key, or re-adding one whose target B dropped (and down recreates empty),
//! never meets a dangling value. A table gets no rows when a migration adds
//! a column to it (up adds B's new column, or down adds back a column of A
//! that B dropped) that existing rows cannot get: NOT NULL without a
//! default, or a default (the same value in every row) under a primary key,
//! a unique or a foreign key. PostgreSQL rejects those on a non-empty table:
//! a limit of a schema-only migration, not something the diff can do better.
//!
//! # Not generated
//!
//! Type changes of primary-key and foreign-key columns (and of columns a
//! foreign key refers to), type changes into or out of an enum, composite
//! foreign keys, composite primary-key changes, columns added in the middle
//! of a table, `naming` blocks, explicit constraint names, groups, types
//! outside the list above, `on_update` actions, and changes whose data would
//! make the migration fail (those are covered one by one in
//! `tests/migration_cases.rs`).
//!
//! `PROPTEST_CASES` overrides the number of cases (200 by default). A
//! failure prints the minimal seed and mutation list, and the schema texts.

mod common;
#[path = "support/introspect.rs"]
mod introspect;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use common::TestDb;
use introspect::{apply, create_sql, introspect, reset, schema_in, DbSchema};
use nzc_codegen::diff::is_widening;
use nzc_codegen::migration::plan;
use nzc_codegen::plan::Options;
use nzc_dsl::Schema;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use tokio_postgres::{Client, SimpleQueryMessage};

// ---- a small deterministic RNG (mutation details come from a seed) ----------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // SplitMix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0);
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.below(items.len())].clone())
    }
}

// ---- the schema spec: what the generator manipulates, with stable ids -------

#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Int,
    BigInt,
    Varchar(Option<u32>),
    Text,
    Uuid,
    Bool,
    Numeric,
    Timestamp,
    Jsonb,
    /// An enum of the spec, by id.
    Enum(u32),
}

impl Ty {
    fn integer(&self) -> bool {
        matches!(self, Ty::Int | Ty::BigInt)
    }

    fn string(&self) -> bool {
        matches!(self, Ty::Varchar(_) | Ty::Text)
    }

    /// Types whose rows get distinct values: may carry a unique.
    fn uniqueable(&self) -> bool {
        self.integer() || self.string() || matches!(self, Ty::Uuid | Ty::Numeric | Ty::Timestamp)
    }

    fn indexable(&self) -> bool {
        self.uniqueable() || matches!(self, Ty::Bool | Ty::Enum(_))
    }

    /// The foreign-key compatibility of the schema language (same kind, or
    /// both strings).
    fn fk_compatible(&self, target: &Ty) -> bool {
        self == target || (self.string() && target.string())
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Def {
    Int(i64),
    Str(String),
    Bool(bool),
    Decimal,
    Now,
    GenUuid,
    Json,
    EnumValue(String),
}

#[derive(Debug, Clone)]
struct EnumS {
    id: u32,
    name: String,
    renamed_from: Option<String>,
    values: Vec<String>,
    /// A's first value: never removed, the value data rows hold.
    anchor: String,
}

#[derive(Debug, Clone)]
struct ColS {
    id: u32,
    name: String,
    renamed_from: Option<String>,
    ty: Ty,
    nullable: bool,
    default: Option<Def>,
    doc: Option<String>,
    /// Render a single-column unique on this column as `@unique`.
    inline_unique: bool,
}

#[derive(Debug, Clone)]
struct CheckS {
    name: String,
    col: u32,
}

#[derive(Debug, Clone)]
struct FkS {
    col: u32,
    /// Target table id.
    target: u32,
    /// Target column id: the table's single-column primary key, unique or
    /// unique index.
    target_col: u32,
    on_delete: &'static str,
    /// Render as `@@ref(…)` instead of `@ref(…)`.
    block: bool,
}

#[derive(Debug, Clone)]
struct TableS {
    id: u32,
    name: String,
    renamed_from: Option<String>,
    doc: Option<String>,
    cols: Vec<ColS>,
    pk: Vec<u32>,
    uniques: Vec<Vec<u32>>,
    indexes: Vec<(Vec<u32>, bool)>,
    checks: Vec<CheckS>,
    fks: Vec<FkS>,
}

impl TableS {
    fn col(&self, id: u32) -> Option<&ColS> {
        self.cols.iter().find(|c| c.id == id)
    }

    fn col_name(&self, id: u32) -> &str {
        &self.col(id).expect("column of the table").name
    }

    fn fk_of(&self, col: u32) -> Option<&FkS> {
        self.fks.iter().find(|f| f.col == col)
    }

    /// Drops a column and everything that uses it.
    fn remove_col(&mut self, id: u32) {
        self.cols.retain(|c| c.id != id);
        self.uniques.retain(|u| !u.contains(&id));
        self.indexes.retain(|(cols, _)| !cols.contains(&id));
        self.checks.retain(|c| c.col != id);
        self.fks.retain(|f| f.col != id);
    }
}

#[derive(Debug, Clone, Default)]
struct Spec {
    enums: Vec<EnumS>,
    tables: Vec<TableS>,
    /// Counter for ids and fresh names (B continues A's, so B's new names
    /// never repeat one of A's).
    next: u32,
}

impl Spec {
    fn fresh(&mut self) -> u32 {
        self.next += 1;
        self.next
    }

    fn fresh_name(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", self.fresh())
    }

    fn table(&self, id: u32) -> Option<&TableS> {
        self.tables.iter().find(|t| t.id == id)
    }

    fn table_mut(&mut self, id: u32) -> &mut TableS {
        self.tables.iter_mut().find(|t| t.id == id).expect("table")
    }

    fn enum_(&self, id: u32) -> Option<&EnumS> {
        self.enums.iter().find(|e| e.id == id)
    }

    fn col(&self, table: u32, col: u32) -> Option<&ColS> {
        self.table(table).and_then(|t| t.col(col))
    }

    /// Whether the column is a unique key of its own (a foreign key may
    /// refer to it).
    fn is_key(&self, table: u32, col: u32) -> bool {
        self.table(table).is_some_and(|t| {
            t.col(col).is_some()
                && (t.pk == [col]
                    || t.uniques.iter().any(|u| *u == [col])
                    || t.indexes.iter().any(|(c, u)| *u && *c == [col]))
        })
    }

    /// Whether a foreign key refers to the column.
    fn is_target(&self, table: u32, col: u32) -> bool {
        self.tables.iter().any(|t| {
            t.fks
                .iter()
                .any(|f| f.target == table && f.target_col == col)
        })
    }

    /// Drops the foreign keys whose target is gone or no longer a key.
    fn prune_fks(&mut self) {
        let keep: Vec<Vec<bool>> = self
            .tables
            .iter()
            .map(|t| {
                t.fks
                    .iter()
                    .map(|f| self.is_key(f.target, f.target_col))
                    .collect()
            })
            .collect();
        for (t, keep) in self.tables.iter_mut().zip(keep) {
            let mut keep = keep.into_iter();
            t.fks.retain(|_| keep.next().unwrap_or(false));
        }
    }
}

// ---- generation ---------------------------------------------------------------

fn random_doc(s: &mut Spec, rng: &mut Rng) -> String {
    let n = s.fresh();
    if rng.chance(25) {
        format!("Doc {n}: it's \"quoted\".\nSecond line {n}.")
    } else {
        format!("Doc {n}.")
    }
}

fn random_value(s: &mut Spec, rng: &mut Rng) -> String {
    let n = s.fresh();
    match rng.below(10) {
        0 => format!("v {n}"),
        1 => format!("v'{n}"),
        _ => format!("v{n}"),
    }
}

fn random_default(s: &Spec, ty: &Ty, rng: &mut Rng) -> Def {
    match ty {
        Ty::Int | Ty::BigInt => Def::Int(rng.pick(&[0, 42, -1, 7]).unwrap_or(0)),
        Ty::Varchar(_) | Ty::Text => {
            Def::Str(rng.pick(&["", "d", "i'q", "a\"b"]).unwrap_or("").into())
        }
        Ty::Uuid => Def::GenUuid,
        Ty::Bool => Def::Bool(rng.chance(50)),
        Ty::Numeric => Def::Decimal,
        Ty::Timestamp => Def::Now,
        Ty::Jsonb => Def::Json,
        Ty::Enum(id) => {
            let values = &s.enum_(*id).expect("enum").values;
            Def::EnumValue(rng.pick(values).expect("an enum has values"))
        }
    }
}

fn random_type(s: &Spec, rng: &mut Rng) -> Ty {
    if !s.enums.is_empty() && rng.chance(12) {
        let e = rng.pick(&s.enums).expect("enums");
        return Ty::Enum(e.id);
    }
    match rng.below(11) {
        0 => Ty::Int,
        1 => Ty::BigInt,
        2 => Ty::Varchar(None),
        3 => Ty::Varchar(Some(4 + rng.below(37) as u32)),
        4 => Ty::Text,
        5 => Ty::Uuid,
        6 => Ty::Bool,
        7 => Ty::Numeric,
        8 => Ty::Timestamp,
        9 => Ty::Jsonb,
        _ => Ty::Int,
    }
}

fn random_col(s: &mut Spec, rng: &mut Rng) -> ColS {
    let ty = random_type(s, rng);
    let default = rng.chance(30).then(|| random_default(s, &ty, rng));
    let doc = rng.chance(20).then(|| random_doc(s, rng));
    ColS {
        id: s.fresh(),
        name: s.fresh_name("c"),
        renamed_from: None,
        ty,
        nullable: rng.chance(50),
        default,
        doc,
        inline_unique: rng.chance(50),
    }
}

fn add_table(s: &mut Spec, rng: &mut Rng) {
    let id = s.fresh();
    let name = s.fresh_name("T");
    let mut cols = Vec::new();
    let pk;
    if rng.chance(15) {
        let a = ColS {
            ty: Ty::Int,
            nullable: false,
            default: None,
            ..random_col(s, rng)
        };
        let b = ColS {
            ty: Ty::Text,
            nullable: false,
            default: None,
            ..random_col(s, rng)
        };
        pk = vec![a.id, b.id];
        cols.extend([a, b]);
    } else {
        let ty = rng
            .pick(&[Ty::Int, Ty::BigInt, Ty::Uuid, Ty::Varchar(None), Ty::Text])
            .expect("types");
        let default = (ty == Ty::Uuid && rng.chance(30)).then_some(Def::GenUuid);
        let c = ColS {
            ty,
            nullable: false,
            default,
            ..random_col(s, rng)
        };
        pk = vec![c.id];
        cols.push(c);
    }
    for _ in 0..rng.below(4) {
        cols.push(random_col(s, rng));
    }
    let doc = rng.chance(30).then(|| random_doc(s, rng));
    s.tables.push(TableS {
        id,
        name,
        renamed_from: None,
        doc,
        cols,
        pk,
        uniques: Vec::new(),
        indexes: Vec::new(),
        checks: Vec::new(),
        fks: Vec::new(),
    });
    // Some of what a table usually has (each may find nothing to do).
    if rng.chance(40) {
        add_fk(s, rng, Some(id), None);
    }
    if rng.chance(30) {
        add_unique(s, rng, Some(id));
    }
    if rng.chance(30) {
        add_index(s, rng, Some(id));
    }
    if rng.chance(25) {
        add_check(s, rng, Some(id));
    }
}

fn add_enum(s: &mut Spec, rng: &mut Rng) -> u32 {
    let id = s.fresh();
    let name = s.fresh_name("E");
    let values: Vec<String> = (0..1 + rng.below(3))
        .map(|_| random_value(s, rng))
        .collect();
    s.enums.push(EnumS {
        id,
        name,
        renamed_from: None,
        anchor: values[0].clone(),
        values,
    });
    id
}

/// Schema A, from a seed.
fn schema_a(seed: u64) -> Spec {
    let mut rng = Rng(seed);
    let mut s = Spec::default();
    for _ in 0..rng.below(3) {
        add_enum(&mut s, &mut rng);
    }
    for _ in 0..1 + rng.below(4) {
        add_table(&mut s, &mut rng);
    }
    s
}

fn pick_table(s: &Spec, rng: &mut Rng, only: Option<u32>) -> Option<u32> {
    match only {
        Some(id) => Some(id),
        None => rng.pick(&s.tables).map(|t| t.id),
    }
}

/// Adds a foreign key to `table` (random if `None`): on a new column, or on
/// an existing eligible one. `base` is schema A when mutating B.
fn add_fk(s: &mut Spec, rng: &mut Rng, table: Option<u32>, base: Option<&Spec>) -> bool {
    let Some(tid) = pick_table(s, rng, table) else {
        return false;
    };
    // Targets: keys that are not foreign-key columns themselves (their rows
    // hold the values references point at).
    let a = base.unwrap_or(s);
    let targets: Vec<(u32, u32, Ty)> = s
        .tables
        .iter()
        .flat_map(|t| t.cols.iter().map(move |c| (t.id, c)))
        .filter(|(t, c)| s.is_key(*t, c.id) && !in_any_fk(a, s, *t, c.id))
        .map(|(t, c)| (t, c.id, c.ty.clone()))
        .collect();
    let Some((target, target_col, target_ty)) = rng.pick(&targets) else {
        return false;
    };
    let on_delete = rng
        .pick(&["no_action", "cascade", "set_null", "restrict"])
        .expect("actions");
    let block = rng.chance(25);
    let t = s.table(tid).expect("table");
    // Existing column: nullable (here and in A), no key, no foreign key yet.
    let existing: Vec<u32> = t
        .cols
        .iter()
        .filter(|c| {
            c.nullable
                && !t.pk.contains(&c.id)
                && t.fk_of(c.id).is_none()
                && !s.is_target(tid, c.id)
                && !a.is_target(tid, c.id)
                && (tid, c.id) != (target, target_col)
                && c.ty.fk_compatible(&target_ty)
                && base
                    .and_then(|b| b.col(tid, c.id))
                    .is_none_or(|bc| bc.nullable)
        })
        .map(|c| c.id)
        .collect();
    let col = match rng.pick(&existing) {
        Some(c) if rng.chance(60) => c,
        _ => {
            let c = ColS {
                ty: target_ty,
                nullable: true,
                default: None,
                ..random_col(s, rng)
            };
            let id = c.id;
            s.table_mut(tid).cols.push(c);
            id
        }
    };
    s.table_mut(tid).fks.push(FkS {
        col,
        target,
        target_col,
        on_delete,
        block,
    });
    true
}

fn add_unique(s: &mut Spec, rng: &mut Rng, table: Option<u32>) -> bool {
    let Some(tid) = pick_table(s, rng, table) else {
        return false;
    };
    let t = s.table(tid).expect("table");
    let firsts: BTreeSet<u32> = t.uniques.iter().map(|u| u[0]).collect();
    let eligible: Vec<u32> = t
        .cols
        .iter()
        .filter(|c| c.ty.uniqueable())
        .map(|c| c.id)
        .collect();
    let first: Vec<u32> = eligible
        .iter()
        .copied()
        .filter(|c| !firsts.contains(c))
        .collect();
    let Some(a) = rng.pick(&first) else {
        return false;
    };
    let mut cols = vec![a];
    let others: Vec<u32> = eligible.iter().copied().filter(|c| *c != a).collect();
    if rng.chance(40) {
        if let Some(b) = rng.pick(&others) {
            cols.push(b);
        }
    }
    s.table_mut(tid).uniques.push(cols);
    true
}

fn add_index(s: &mut Spec, rng: &mut Rng, table: Option<u32>) -> bool {
    let Some(tid) = pick_table(s, rng, table) else {
        return false;
    };
    let t = s.table(tid).expect("table");
    let firsts: BTreeSet<u32> = t.indexes.iter().map(|(c, _)| c[0]).collect();
    let eligible: Vec<u32> = t
        .cols
        .iter()
        .filter(|c| c.ty.indexable())
        .map(|c| c.id)
        .collect();
    let first: Vec<u32> = eligible
        .iter()
        .copied()
        .filter(|c| !firsts.contains(c))
        .collect();
    let Some(a) = rng.pick(&first) else {
        return false;
    };
    let mut cols = vec![a];
    let others: Vec<u32> = eligible.iter().copied().filter(|c| *c != a).collect();
    if rng.chance(40) {
        if let Some(b) = rng.pick(&others) {
            cols.push(b);
        }
    }
    let unique = cols
        .iter()
        .all(|c| t.col(*c).is_some_and(|c| c.ty.uniqueable()))
        && rng.chance(35);
    s.table_mut(tid).indexes.push((cols, unique));
    true
}

fn add_check(s: &mut Spec, rng: &mut Rng, table: Option<u32>) -> bool {
    let Some(tid) = pick_table(s, rng, table) else {
        return false;
    };
    let eligible: Vec<u32> = s
        .table(tid)
        .expect("table")
        .cols
        .iter()
        .filter(|c| c.ty.integer() || c.ty.string())
        .map(|c| c.id)
        .collect();
    let Some(col) = rng.pick(&eligible) else {
        return false;
    };
    let name = s.fresh_name("k");
    s.table_mut(tid).checks.push(CheckS { name, col });
    true
}

// ---- mutations (A → B) ----------------------------------------------------------

/// The kinds of change B can make to A.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mutation {
    AddTable,
    DropTable,
    RenameTable,
    AddColumn,
    DropColumn,
    RenameColumn,
    ToggleNullable,
    ChangeType,
    ChangeDefault,
    AddUnique,
    DropUnique,
    AddIndex,
    DropIndex,
    AddCheck,
    DropCheck,
    RenameCheck,
    AddForeignKey,
    DropForeignKey,
    ChangePrimaryKey,
    AddEnumValue,
    RemoveEnumValue,
    AddEnum,
    DropEnum,
    RenameEnum,
    TableDoc,
    ColumnDoc,
}

const MUTATIONS: [Mutation; 26] = [
    Mutation::AddTable,
    Mutation::DropTable,
    Mutation::RenameTable,
    Mutation::AddColumn,
    Mutation::DropColumn,
    Mutation::RenameColumn,
    Mutation::ToggleNullable,
    Mutation::ChangeType,
    Mutation::ChangeDefault,
    Mutation::AddUnique,
    Mutation::DropUnique,
    Mutation::AddIndex,
    Mutation::DropIndex,
    Mutation::AddCheck,
    Mutation::DropCheck,
    Mutation::RenameCheck,
    Mutation::AddForeignKey,
    Mutation::DropForeignKey,
    Mutation::ChangePrimaryKey,
    Mutation::AddEnumValue,
    Mutation::RemoveEnumValue,
    Mutation::AddEnum,
    Mutation::DropEnum,
    Mutation::RenameEnum,
    Mutation::TableDoc,
    Mutation::ColumnDoc,
];

/// (table id, column id) of every column passing `keep`.
fn columns_where(s: &Spec, keep: impl Fn(&TableS, &ColS) -> bool) -> Vec<(u32, u32)> {
    s.tables
        .iter()
        .flat_map(|t| {
            t.cols
                .iter()
                .filter(|c| keep(t, c))
                .map(|c| (t.id, c.id))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Whether the column is in a foreign key in A or in B.
fn in_any_fk(a: &Spec, b: &Spec, table: u32, col: u32) -> bool {
    let has = |s: &Spec| s.table(table).is_some_and(|t| t.fk_of(col).is_some());
    has(a) || has(b)
}

/// Applies one mutation of kind `m` to `b` (A is `a`); false when it finds
/// nothing to change.
fn mutate(b: &mut Spec, a: &Spec, m: Mutation, rng: &mut Rng) -> bool {
    match m {
        Mutation::AddTable => {
            add_table(b, rng);
            true
        }
        Mutation::DropTable => {
            if b.tables.len() < 2 {
                return false;
            }
            let i = rng.below(b.tables.len());
            b.tables.remove(i);
            true
        }
        Mutation::RenameTable => {
            let Some(tid) = pick_table(b, rng, None) else {
                return false;
            };
            let name = b.fresh_name("T");
            let in_a = a.table(tid).is_some();
            let t = b.table_mut(tid);
            if in_a && t.renamed_from.is_none() {
                t.renamed_from = Some(t.name.clone());
            }
            t.name = name;
            true
        }
        Mutation::AddColumn => {
            if rng.chance(25) {
                return add_fk(b, rng, None, Some(a));
            }
            let Some(tid) = pick_table(b, rng, None) else {
                return false;
            };
            let c = random_col(b, rng);
            b.table_mut(tid).cols.push(c);
            true
        }
        Mutation::DropColumn => {
            let cols = columns_where(b, |t, c| !t.pk.contains(&c.id));
            let Some((tid, cid)) = rng.pick(&cols) else {
                return false;
            };
            b.table_mut(tid).remove_col(cid);
            true
        }
        Mutation::RenameColumn => {
            let cols = columns_where(b, |_, _| true);
            let Some((tid, cid)) = rng.pick(&cols) else {
                return false;
            };
            let name = b.fresh_name("c");
            let in_a = a.col(tid, cid).is_some();
            let t = b.table_mut(tid);
            let c = t.cols.iter_mut().find(|c| c.id == cid).expect("column");
            if in_a && c.renamed_from.is_none() {
                c.renamed_from = Some(c.name.clone());
            }
            c.name = name;
            true
        }
        Mutation::ToggleNullable => {
            let cols = columns_where(b, |t, c| {
                !t.pk.contains(&c.id) && !in_any_fk(a, b, t.id, c.id)
            });
            let Some((tid, cid)) = rng.pick(&cols) else {
                return false;
            };
            let c = b
                .table_mut(tid)
                .cols
                .iter_mut()
                .find(|c| c.id == cid)
                .expect("column");
            c.nullable = !c.nullable;
            true
        }
        Mutation::ChangeType => {
            let cols = columns_where(b, |t, c| {
                !t.pk.contains(&c.id)
                    && !in_any_fk(a, b, t.id, c.id)
                    && !a.is_target(t.id, c.id)
                    && !b.is_target(t.id, c.id)
                    && (c.ty.integer() || c.ty.string())
            });
            let Some((tid, cid)) = rng.pick(&cols) else {
                return false;
            };
            let len = 4 + rng.below(37) as u32;
            let choice = rng.below(3);
            let c = b
                .table_mut(tid)
                .cols
                .iter_mut()
                .find(|c| c.id == cid)
                .expect("column");
            c.ty = match &c.ty {
                Ty::Int => Ty::BigInt,
                Ty::BigInt => Ty::Int,
                old => {
                    let options = [Ty::Varchar(None), Ty::Varchar(Some(len)), Ty::Text];
                    let others: Vec<&Ty> = options.iter().filter(|t| *t != old).collect();
                    others[choice % others.len()].clone()
                }
            };
            true
        }
        Mutation::ChangeDefault => {
            let cols = columns_where(b, |t, c| t.fk_of(c.id).is_none());
            let Some((tid, cid)) = rng.pick(&cols) else {
                return false;
            };
            let c = b.col(tid, cid).expect("column").clone();
            let default = match c.default {
                Some(_) if rng.chance(50) => None,
                _ => Some(random_default(b, &c.ty, rng)),
            };
            if default == c.default {
                return false;
            }
            b.table_mut(tid)
                .cols
                .iter_mut()
                .find(|c| c.id == cid)
                .expect("column")
                .default = default;
            true
        }
        Mutation::AddUnique => add_unique(b, rng, None),
        Mutation::DropUnique => {
            let Some(tid) = rng.pick(
                &b.tables
                    .iter()
                    .filter(|t| !t.uniques.is_empty())
                    .map(|t| t.id)
                    .collect::<Vec<_>>(),
            ) else {
                return false;
            };
            let t = b.table_mut(tid);
            let i = rng.below(t.uniques.len());
            t.uniques.remove(i);
            true
        }
        Mutation::AddIndex => add_index(b, rng, None),
        Mutation::DropIndex => {
            let Some(tid) = rng.pick(
                &b.tables
                    .iter()
                    .filter(|t| !t.indexes.is_empty())
                    .map(|t| t.id)
                    .collect::<Vec<_>>(),
            ) else {
                return false;
            };
            let t = b.table_mut(tid);
            let i = rng.below(t.indexes.len());
            t.indexes.remove(i);
            true
        }
        Mutation::AddCheck => add_check(b, rng, None),
        Mutation::DropCheck | Mutation::RenameCheck => {
            let Some(tid) = rng.pick(
                &b.tables
                    .iter()
                    .filter(|t| !t.checks.is_empty())
                    .map(|t| t.id)
                    .collect::<Vec<_>>(),
            ) else {
                return false;
            };
            let name = b.fresh_name("k");
            let t = b.table_mut(tid);
            let i = rng.below(t.checks.len());
            if m == Mutation::DropCheck {
                t.checks.remove(i);
            } else {
                t.checks[i].name = name;
            }
            true
        }
        Mutation::AddForeignKey => add_fk(b, rng, None, Some(a)),
        Mutation::DropForeignKey => {
            let Some(tid) = rng.pick(
                &b.tables
                    .iter()
                    .filter(|t| !t.fks.is_empty())
                    .map(|t| t.id)
                    .collect::<Vec<_>>(),
            ) else {
                return false;
            };
            let t = b.table_mut(tid);
            let i = rng.below(t.fks.len());
            t.fks.remove(i);
            true
        }
        Mutation::ChangePrimaryKey => {
            // Another column becomes the primary key; the old one keeps a
            // unique when a foreign key refers to it (and sometimes anyway).
            let cols = columns_where(b, |t, c| {
                t.pk.len() == 1
                    && t.pk[0] != c.id
                    && matches!(
                        c.ty,
                        Ty::Int | Ty::BigInt | Ty::Uuid | Ty::Varchar(_) | Ty::Text
                    )
                    && !in_any_fk(a, b, t.id, c.id)
            });
            let Some((tid, cid)) = rng.pick(&cols) else {
                return false;
            };
            let keep_unique = rng.chance(50);
            let old_pk = b.table(tid).expect("table").pk[0];
            let referenced = a.is_target(tid, old_pk) || b.is_target(tid, old_pk);
            let t = b.table_mut(tid);
            let old = t.pk[0];
            t.pk = vec![cid];
            t.cols
                .iter_mut()
                .find(|c| c.id == cid)
                .expect("column")
                .nullable = false;
            if (keep_unique || referenced) && !t.uniques.iter().any(|u| *u == [old]) {
                t.uniques.retain(|u| u[0] != old);
                t.uniques.push(vec![old]);
            }
            true
        }
        Mutation::AddEnumValue => {
            let Some(i) = (!b.enums.is_empty()).then(|| rng.below(b.enums.len())) else {
                return false;
            };
            let v = random_value(b, rng);
            let e = &mut b.enums[i];
            let at = if rng.chance(50) {
                e.values.len()
            } else {
                rng.below(e.values.len() + 1)
            };
            e.values.insert(at, v);
            true
        }
        Mutation::RemoveEnumValue => {
            let candidates: Vec<(usize, String)> = b
                .enums
                .iter()
                .enumerate()
                .flat_map(|(i, e)| {
                    e.values
                        .iter()
                        .filter(|v| **v != e.anchor)
                        .map(move |v| (i, v.clone()))
                })
                .collect();
            let Some((i, v)) = rng.pick(&candidates) else {
                return false;
            };
            b.enums[i].values.retain(|x| *x != v);
            let eid = b.enums[i].id;
            for t in &mut b.tables {
                for c in &mut t.cols {
                    if c.ty == Ty::Enum(eid) && c.default == Some(Def::EnumValue(v.clone())) {
                        c.default = None;
                    }
                }
            }
            true
        }
        Mutation::AddEnum => {
            let eid = add_enum(b, rng);
            if let Some(tid) = pick_table(b, rng, None) {
                let c = ColS {
                    ty: Ty::Enum(eid),
                    default: None,
                    ..random_col(b, rng)
                };
                b.table_mut(tid).cols.push(c);
            }
            true
        }
        Mutation::DropEnum => {
            let Some(i) = (!b.enums.is_empty()).then(|| rng.below(b.enums.len())) else {
                return false;
            };
            let eid = b.enums.remove(i).id;
            for t in &mut b.tables {
                let gone: Vec<u32> = t
                    .cols
                    .iter()
                    .filter(|c| c.ty == Ty::Enum(eid))
                    .map(|c| c.id)
                    .collect();
                for c in gone {
                    t.remove_col(c);
                }
            }
            true
        }
        Mutation::RenameEnum => {
            let Some(i) = (!b.enums.is_empty()).then(|| rng.below(b.enums.len())) else {
                return false;
            };
            let name = b.fresh_name("E");
            let in_a = a.enum_(b.enums[i].id).is_some();
            let e = &mut b.enums[i];
            if in_a && e.renamed_from.is_none() {
                e.renamed_from = Some(e.name.clone());
            }
            e.name = name;
            true
        }
        Mutation::TableDoc => {
            let Some(tid) = pick_table(b, rng, None) else {
                return false;
            };
            let doc = (!rng.chance(30)).then(|| random_doc(b, rng));
            b.table_mut(tid).doc = doc;
            true
        }
        Mutation::ColumnDoc => {
            let cols = columns_where(b, |_, _| true);
            let Some((tid, cid)) = rng.pick(&cols) else {
                return false;
            };
            let doc = (!rng.chance(30)).then(|| random_doc(b, rng));
            b.table_mut(tid)
                .cols
                .iter_mut()
                .find(|c| c.id == cid)
                .expect("column")
                .doc = doc;
            true
        }
    }
}

/// Schema B: A after the mutations (each seed picks a kind and its details;
/// a kind that finds nothing to change is replaced by another random kind).
fn schema_b(a: &Spec, mutations: &[u64]) -> (Spec, Vec<Mutation>) {
    let mut b = a.clone();
    let mut applied = Vec::new();
    for seed in mutations {
        let mut rng = Rng(*seed);
        for _ in 0..4 * MUTATIONS.len() {
            let m = MUTATIONS[rng.below(MUTATIONS.len())];
            if mutate(&mut b, a, m, &mut rng) {
                b.prune_fks();
                applied.push(m);
                break;
            }
        }
    }
    (b, applied)
}

// ---- rendering to schema source text ------------------------------------------

fn dsl_string(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn is_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn docs(out: &mut String, indent: &str, doc: &Option<String>) {
    if let Some(d) = doc {
        for line in d.lines() {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

fn render_ty(s: &Spec, ty: &Ty) -> String {
    match ty {
        Ty::Int => "int".into(),
        Ty::BigInt => "bigint".into(),
        Ty::Varchar(None) => "varchar".into(),
        Ty::Varchar(Some(n)) => format!("varchar({n})"),
        Ty::Text => "text".into(),
        Ty::Uuid => "uuid".into(),
        Ty::Bool => "boolean".into(),
        Ty::Numeric => "numeric".into(),
        Ty::Timestamp => "timestamp".into(),
        Ty::Jsonb => "jsonb".into(),
        Ty::Enum(id) => s.enum_(*id).expect("enum").name.clone(),
    }
}

fn render_default(d: &Def) -> String {
    match d {
        Def::Int(n) => n.to_string(),
        Def::Str(v) | Def::EnumValue(v) => dsl_string(v),
        Def::Bool(b) => b.to_string(),
        Def::Decimal => "1.5".into(),
        Def::Now => "now()".into(),
        Def::GenUuid => "gen_random_uuid()".into(),
        Def::Json => dsl_string("{\"a\": [1, \"x\"]}"),
    }
}

fn check_expr(c: &ColS) -> String {
    if c.ty.integer() {
        format!("\"{}\" > -1000", c.name)
    } else {
        format!("\"{}\" <> 'zz''z'", c.name)
    }
}

fn render(s: &Spec) -> String {
    let mut out = String::new();
    for e in &s.enums {
        let _ = writeln!(out, "enum {} {{", e.name);
        for v in &e.values {
            if is_ident(v) {
                let _ = writeln!(out, "  {v}");
            } else {
                let _ = writeln!(out, "  {}", dsl_string(v));
            }
        }
        if let Some(old) = &e.renamed_from {
            let _ = writeln!(out, "  @@renamed_from({old})");
        }
        out.push_str("}\n\n");
    }
    for t in &s.tables {
        docs(&mut out, "", &t.doc);
        let _ = writeln!(out, "table {} {{", t.name);
        let inline_uniques: Vec<u32> = t
            .uniques
            .iter()
            .filter(|u| u.len() == 1 && t.col(u[0]).is_some_and(|c| c.inline_unique))
            .map(|u| u[0])
            .collect();
        for c in &t.cols {
            docs(&mut out, "  ", &c.doc);
            let _ = write!(
                out,
                "  {} {}{}",
                c.name,
                render_ty(s, &c.ty),
                if c.nullable { "?" } else { "" }
            );
            if t.pk == [c.id] {
                out.push_str(" @pk");
            }
            if inline_uniques.contains(&c.id) {
                out.push_str(" @unique");
            }
            if let Some(d) = &c.default {
                let _ = write!(out, " @default({})", render_default(d));
            }
            if let Some(fk) = t.fk_of(c.id).filter(|f| !f.block) {
                let target = s.table(fk.target).expect("fk target");
                let _ = write!(
                    out,
                    " @ref({}.{}",
                    target.name,
                    target.col_name(fk.target_col)
                );
                if fk.on_delete != "no_action" {
                    let _ = write!(out, ", on_delete: {}", fk.on_delete);
                }
                out.push(')');
            }
            if let Some(old) = &c.renamed_from {
                let _ = write!(out, " @renamed_from({old})");
            }
            out.push('\n');
        }
        let names = |cols: &[u32]| {
            cols.iter()
                .map(|c| t.col_name(*c))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if t.pk.len() > 1 {
            let _ = writeln!(out, "  @@pk([{}])", names(&t.pk));
        }
        for u in &t.uniques {
            if !(u.len() == 1 && inline_uniques.contains(&u[0])) {
                let _ = writeln!(out, "  @@unique([{}])", names(u));
            }
        }
        for (cols, unique) in &t.indexes {
            let _ = writeln!(
                out,
                "  @@index([{}]{})",
                names(cols),
                if *unique { ", unique: true" } else { "" }
            );
        }
        for ck in &t.checks {
            let c = t.col(ck.col).expect("check column");
            let _ = writeln!(out, "  @@check({}, `{}`)", ck.name, check_expr(c));
        }
        for fk in t.fks.iter().filter(|f| f.block) {
            let target = s.table(fk.target).expect("fk target");
            let _ = write!(out, "  @@ref([{}], {}", t.col_name(fk.col), target.name);
            if target.pk != [fk.target_col] || fk.col.is_multiple_of(2) {
                let _ = write!(out, ", [{}]", target.col_name(fk.target_col));
            }
            if fk.on_delete != "no_action" {
                let _ = write!(out, ", on_delete: {}", fk.on_delete);
            }
            out.push_str(")\n");
        }
        if let Some(old) = &t.renamed_from {
            let _ = writeln!(out, "  @@renamed_from({old})");
        }
        out.push_str("}\n\n");
    }
    out
}

// ---- data -------------------------------------------------------------------------

const ROWS: usize = 2;

fn q(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The SQL literal of row `row` of a column of type `ty` (distinct per row,
/// short, satisfying every check the generator writes).
fn value(s: &Spec, ty: &Ty, row: usize) -> String {
    match ty {
        Ty::Int | Ty::BigInt => format!("{}", row + 1),
        Ty::Varchar(_) | Ty::Text => format!("'s{row}'"),
        Ty::Uuid => format!("'00000000-0000-4000-8000-00000000000{row}'"),
        Ty::Bool => row.is_multiple_of(2).to_string(),
        Ty::Numeric => format!("{row}.25"),
        Ty::Timestamp => format!("'2020-01-0{} 10:00:00'", row + 1),
        Ty::Jsonb => format!("'{{\"k\": {row}}}'"),
        Ty::Enum(id) => lit(&s.enum_(*id).expect("enum").anchor),
    }
}

/// Which tables of A get rows, and what each foreign-key column of A holds.
struct DataPlan {
    filled: BTreeSet<u32>,
    /// (table, column) → (target table, target column) whose rows it references.
    refs: BTreeMap<(u32, u32), (u32, u32)>,
}

fn data_plan(a: &Spec, b: &Spec) -> DataPlan {
    // A column a migration adds to a table with rows gets its default (or
    // NULL) in every row: that fails when it is NOT NULL without a default,
    // or when the default meets a unique or a foreign key.
    let cannot_add = |t: &TableS, c: &ColS| {
        let unique = t.pk.contains(&c.id)
            || t.uniques.iter().any(|u| u.contains(&c.id))
            || t.indexes.iter().any(|(cols, u)| *u && cols.contains(&c.id));
        match c.default {
            None => !c.nullable,
            Some(_) => unique || t.fk_of(c.id).is_some(),
        }
    };
    let filled: BTreeSet<u32> = a
        .tables
        .iter()
        .filter(|ta| match b.table(ta.id) {
            None => true,
            Some(tb) => {
                let added = tb
                    .cols
                    .iter()
                    .any(|c| ta.col(c.id).is_none() && cannot_add(tb, c));
                let dropped = ta
                    .cols
                    .iter()
                    .any(|c| tb.col(c.id).is_none() && cannot_add(ta, c));
                !added && !dropped
            }
        })
        .map(|t| t.id)
        .collect();
    let mut refs = BTreeMap::new();
    for ta in &a.tables {
        for fk in &ta.fks {
            let same_in_b = b
                .table(ta.id)
                .and_then(|tb| tb.col(fk.col).map(|_| tb.fk_of(fk.col)))
                .is_some_and(|fb| {
                    fb.is_none_or(|fb| (fb.target, fb.target_col) == (fk.target, fk.target_col))
                });
            // The target column must survive too: down would add it back
            // empty and its foreign key with it.
            let target_kept = b.col(fk.target, fk.target_col).is_some();
            if filled.contains(&fk.target) && target_kept && same_in_b {
                refs.insert((ta.id, fk.col), (fk.target, fk.target_col));
            }
        }
    }
    DataPlan { filled, refs }
}

/// INSERT statements for the rows of A (foreign-key columns set by UPDATEs
/// once every table has its rows).
fn insert_sql(a: &Spec, b: &Spec, plan: &DataPlan) -> String {
    let mut sql = String::new();
    for t in a.tables.iter().filter(|t| plan.filled.contains(&t.id)) {
        let cols: Vec<String> = t.cols.iter().map(|c| q(&c.name)).collect();
        for row in 0..ROWS {
            let values: Vec<String> = t
                .cols
                .iter()
                .map(|c| {
                    if in_any_fk(a, b, t.id, c.id) {
                        "NULL".to_string()
                    } else {
                        value(a, &c.ty, row)
                    }
                })
                .collect();
            let _ = writeln!(
                sql,
                "INSERT INTO {} ({}) VALUES ({});",
                q(&t.name),
                cols.join(", "),
                values.join(", ")
            );
        }
    }
    for t in a.tables.iter().filter(|t| plan.filled.contains(&t.id)) {
        for fk in &t.fks {
            let Some(&(target, target_col)) = plan.refs.get(&(t.id, fk.col)) else {
                continue;
            };
            let tc = a.col(target, target_col).expect("fk target column");
            for row in 0..ROWS {
                let target_row = if target == t.id {
                    (row + 1) % ROWS
                } else {
                    row
                };
                let filter: Vec<String> =
                    t.pk.iter()
                        .map(|p| {
                            let c = t.col(*p).expect("pk column");
                            format!("{} = {}", q(&c.name), value(a, &c.ty, row))
                        })
                        .collect();
                let _ = writeln!(
                    sql,
                    "UPDATE {} SET {} = {} WHERE {};",
                    q(&t.name),
                    q(t.col_name(fk.col)),
                    value(a, &tc.ty, target_row),
                    filter.join(" AND ")
                );
            }
        }
    }
    sql
}

/// A query of the columns of `ta` that also exist in `tb`, as text; names
/// taken from `names_of` (A's or B's table).
fn select_kept(ta: &TableS, tb: &TableS, names_of: &TableS) -> String {
    let cols: Vec<String> = ta
        .cols
        .iter()
        .filter(|c| tb.col(c.id).is_some())
        .map(|c| format!("{}::text", q(names_of.col_name(c.id))))
        .collect();
    // Ordered by every selected value: deterministic on both sides (equal
    // rows are interchangeable), whatever B does to the primary key.
    let order: Vec<String> = (1..=cols.len()).map(|i| i.to_string()).collect();
    format!(
        "SELECT {} FROM {} ORDER BY {}",
        cols.join(", "),
        q(&names_of.name),
        order.join(", ")
    )
}

type Rows = Vec<Vec<Option<String>>>;

async fn rows(client: &Client, sql: &str) -> Rows {
    client
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
            }
            _ => None,
        })
        .collect()
}

// ---- expectations -------------------------------------------------------------------

/// The reference of A as the down migration can rebuild it: in each table
/// that B keeps, the columns B dropped come back at the end.
fn expected_after_down(ref_a: &DbSchema, a: &Spec, b: &Spec) -> DbSchema {
    let mut out = ref_a.clone();
    for ta in &a.tables {
        let Some(tb) = b.table(ta.id) else { continue };
        let table = out
            .tables
            .get_mut(&ta.name)
            .expect("table of A in its reference");
        let kept: Vec<&str> = ta
            .cols
            .iter()
            .filter(|c| tb.col(c.id).is_some())
            .map(|c| c.name.as_str())
            .collect();
        let (mut first, last): (Vec<_>, Vec<_>) = table
            .columns
            .drain(..)
            .partition(|c| kept.contains(&c.name.as_str()));
        first.extend(last);
        table.columns = first;
    }
    out
}

/// How many entries the up migration's `data_loss` must have.
fn expected_data_loss(a: &Spec, b: &Spec, ma: &Schema, mb: &Schema) -> usize {
    let mut n = 0;
    for ta in &a.tables {
        let Some(tb) = b.table(ta.id) else {
            n += 1;
            continue;
        };
        for ca in &ta.cols {
            let Some(cb) = tb.col(ca.id) else {
                n += 1;
                continue;
            };
            let ty_a = &ma
                .table(&ta.name)
                .and_then(|t| t.column(&ca.name))
                .expect("model column")
                .ty;
            let ty_b = &mb
                .table(&tb.name)
                .and_then(|t| t.column(&cb.name))
                .expect("model column")
                .ty;
            if ty_a != ty_b && !is_widening(ty_a, ty_b) {
                n += 1;
            }
        }
    }
    for ea in &a.enums {
        if let Some(eb) = b.enum_(ea.id) {
            if ea.values.iter().any(|v| !eb.values.contains(v)) {
                n += 1;
            }
        }
    }
    n
}

// ---- the property -------------------------------------------------------------------

struct Dbs {
    _dbs: Vec<TestDb>,
    main: Client,
    ref_a: Client,
    ref_b: Client,
}

async fn session(db: &TestDb) -> Client {
    let client = db.client().await;
    // Durability does not matter here; speed does.
    client
        .batch_execute("SET synchronous_commit = off")
        .await
        .expect("SET synchronous_commit");
    client
}

fn compile(src: &str, what: &str) -> Schema {
    nzc_dsl::compile(src, what).unwrap_or_else(|d| {
        panic!(
            "generator bug: {what} does not compile:\n{}\n{src}",
            d.render()
        )
    })
}

async fn run_case(dbs: &mut Dbs, seed: u64, mutations: &[u64], stats: &RefCell<Stats>) {
    let a = schema_a(seed);
    let (b, applied) = schema_b(&a, mutations);
    let (src_a, src_b) = (render(&a), render(&b));
    let (ma, mb) = (compile(&src_a, "A.nzc"), compile(&src_b, "B.nzc"));
    let context = format!("mutations: {applied:?}\n--- A ---\n{src_a}--- B ---\n{src_b}");
    // Every other case plans rewriting type changes online (`--online`).
    let options = Options {
        online_type_changes: seed % 2 == 1,
    };
    let Some(m) = plan(&ma, &mb).map(|p| p.render_with("prop", &options)) else {
        stats.borrow_mut().unchanged += 1;
        return;
    };
    let context = format!("{context}--- up ---\n{}--- down ---\n{}", m.up, m.down);
    assert_eq!(
        m.data_loss.len(),
        expected_data_loss(&a, &b, &ma, &mb),
        "data_loss: {:#?}\n{context}",
        m.data_loss
    );

    let plan = data_plan(&a, &b);
    let Dbs {
        main, ref_a, ref_b, ..
    } = dbs;
    let prepare = async {
        reset(main).await;
        apply(main, &create_sql(&ma), "creating A").await;
        let inserts = insert_sql(&a, &b, &plan);
        main.batch_execute(&inserts)
            .await
            .unwrap_or_else(|e| panic!("inserting rows: {e}\n{inserts}\n{context}"));
    };
    let (want_a, want_b, ()) = tokio::join!(schema_in(ref_a, &ma), schema_in(ref_b, &mb), prepare);

    // Rows of A in the columns that B keeps, before any migration.
    let mut before: Vec<(u32, Rows)> = Vec::new();
    for ta in a.tables.iter().filter(|t| plan.filled.contains(&t.id)) {
        if let Some(tb) = b.table(ta.id) {
            before.push((ta.id, rows(main, &select_kept(ta, tb, ta)).await));
        }
    }

    apply(main, &m.up, &format!("up\n{context}")).await;
    let got = introspect(main).await;
    // An online type change moves the column to the end of its table.
    let online = m.up.contains("_nzc_new\"") || m.down.contains("_nzc_new\"");
    let moved = |s: DbSchema| {
        if online {
            s.columns_by_name()
        } else {
            s
        }
    };
    assert_eq!(
        moved(got),
        moved(want_b),
        "after up: not the database of B\n{context}"
    );
    for (tid, expected) in &before {
        let (ta, tb) = (a.table(*tid).expect("A"), b.table(*tid).expect("B"));
        let got = rows(main, &select_kept(ta, tb, tb)).await;
        assert_eq!(&got, expected, "rows of {} after up\n{context}", ta.name);
    }

    apply(main, &m.down, &format!("down\n{context}")).await;
    let got = introspect(main).await;
    let want = expected_after_down(&want_a, &a, &b);
    assert_eq!(
        moved(got),
        moved(want),
        "after down: not the database of A\n{context}"
    );
    for (tid, expected) in &before {
        let (ta, tb) = (a.table(*tid).expect("A"), b.table(*tid).expect("B"));
        let got = rows(main, &select_kept(ta, tb, ta)).await;
        assert_eq!(&got, expected, "rows of {} after down\n{context}", ta.name);
    }

    let mut st = stats.borrow_mut();
    st.cases += 1;
    st.online += usize::from(online);
    st.steps += m.up_steps.len();
    st.tables_with_rows += before.len();
    st.tables += a.tables.len();
    for k in applied {
        *st.mutations.entry(format!("{k:?}")).or_default() += 1;
    }
}

#[derive(Default, Debug)]
struct Stats {
    cases: usize,
    /// Cases whose up or down changes a type online.
    online: usize,
    unchanged: usize,
    steps: usize,
    tables: usize,
    tables_with_rows: usize,
    mutations: BTreeMap<String, usize>,
}

#[test]
fn up_and_down_match_the_schemas_built_from_scratch() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let config = Config {
        cases,
        // Every case runs against the database: keep shrinking bounded.
        max_shrink_iters: 256,
        failure_persistence: None,
        ..Config::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let dbs = rt.block_on(async {
        let dbs = vec![
            TestDb::new().await,
            TestDb::new().await,
            TestDb::new().await,
        ];
        Dbs {
            main: session(&dbs[0]).await,
            ref_a: session(&dbs[1]).await,
            ref_b: session(&dbs[2]).await,
            _dbs: dbs,
        }
    });
    let dbs = RefCell::new(dbs);
    let stats = RefCell::new(Stats::default());
    let started = std::time::Instant::now();
    let strategy = (any::<u64>(), prop::collection::vec(any::<u64>(), 1..=5));
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |(seed, mutations)| {
        let mut dbs = dbs.borrow_mut();
        rt.block_on(run_case(&mut dbs, seed, &mutations, &stats));
        Ok::<(), TestCaseError>(())
    });
    let stats = stats.into_inner();
    eprintln!(
        "migration_props: {} cases with a migration ({} without changes, {} with an online type change), {} up steps, {} of {} tables of A with rows, {:.1?}\nmutations applied: {:?}",
        stats.cases,
        stats.unchanged,
        stats.online,
        stats.steps,
        stats.tables_with_rows,
        stats.tables,
        started.elapsed(),
        stats.mutations
    );
    drop(dbs);
    if let Err(e) = result {
        panic!("{e}");
    }
}
