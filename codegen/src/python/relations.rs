//! Relationships: for every foreign key of the schema, a `relationship()` on
//! the referencing model (the row it refers to) and one on the referenced
//! model (the rows that refer to it), joined by `back_populates`.
//!
//! # Names
//!
//! The Rust generator's scheme (`codegen/src/rust/relations.rs`), decided per
//! model before any text is written:
//!
//! 1. Forward (many-to-one): the referenced table in snake_case (`city`,
//!    `tef_category`). When the table has several foreign keys to the same
//!    table, or the key references its own table, the referencing columns
//!    name it instead, without a trailing `_id` (`parentId` → `parent`;
//!    `[cityId, year]` → `city_id_year`).
//! 2. Reverse: the referencing table in snake_case, plural
//!    (`emission_records`, `tef_categories`, `city_annual_stats`), followed
//!    by `_by_` and the referencing columns when the referencing table has
//!    several foreign keys to this one or references itself
//!    (`tef_categories_by_parent_id`). When the referencing columns are unique
//!    in the referencing table (a one-to-one, like `ClimateCityContract(cityId)`),
//!    the reverse side holds one row and its name is singular
//!    (`climate_city_contract`).
//! 3. A relationship never takes a column attribute's name of its model nor
//!    a reserved name (keywords, `metadata`, `registry`, …: those get a
//!    trailing `_`). Forward relationships (in foreign key order) then
//!    reverse ones (in schema order of the referencing tables, then foreign
//!    key order) claim their names in turn; a taken name gets the smallest
//!    free suffix `_2`, `_3`, ….
//!
//! # Joins
//!
//! SQLAlchemy finds the join from the foreign key when only one foreign key
//! connects the two tables. When several do (in either direction), both sides
//! name theirs: `primaryjoin` and `foreign_keys`, as strings evaluated against
//! the registry (the classes may live in other modules). A self-reference's
//! forward side has `remote_side` (the referenced columns). Two relationships
//! that write the same column (foreign keys sharing a column) declare each
//! other in `overlaps`.

use std::collections::{HashMap, HashSet};

use nzc_dsl::{ForeignKey, Schema, Table};

use super::names::{attribute_base, make_unique, snake_case, Suffix};

/// One `relationship()` of a model.
#[derive(Debug, Clone)]
pub(crate) struct Relationship {
    /// Its attribute name.
    pub(crate) name: String,
    /// The name of the relationship on the other side (`back_populates`).
    pub(crate) back_populates: String,
    /// The referencing table and the index of the foreign key in it.
    pub(crate) child: usize,
    pub(crate) fk: usize,
    /// The referenced table.
    pub(crate) parent: usize,
    /// On the referencing model (holds the parent) or on the referenced one.
    pub(crate) forward: bool,
    /// The reverse side holds one row (the referencing columns are unique).
    pub(crate) one_to_one: bool,
    /// Whether the model may hold no row: a forward side with a nullable
    /// referencing column, a one-to-one reverse side.
    pub(crate) optional: bool,
    /// `primaryjoin`/`foreign_keys` are spelled out.
    pub(crate) explicit_join: bool,
    /// Names of relationships (on either model) that write the same columns.
    pub(crate) overlaps: Vec<String>,
}

/// The relationships of every table (schema order), forward ones first;
/// `attributes` are the tables' column attribute names.
pub(crate) fn plan(schema: &Schema, attributes: &[Vec<String>]) -> Vec<Vec<Relationship>> {
    let mut by_name: HashMap<&str, usize> = HashMap::with_capacity(schema.tables.len());
    for (i, t) in schema.tables.iter().enumerate() {
        by_name.entry(t.name.as_str()).or_insert(i);
    }
    // Every resolvable foreign key: (child, fk index, parent).
    let mut keys: Vec<(usize, usize, usize)> = Vec::new();
    for (ci, child) in schema.tables.iter().enumerate() {
        for (fi, fk) in child.foreign_keys.iter().enumerate() {
            if let Some(&pi) = by_name.get(fk.ref_table.as_str()) {
                if resolves(child, fk, &schema.tables[pi]) {
                    keys.push((ci, fi, pi));
                }
            }
        }
    }
    // Foreign keys between each unordered pair of tables.
    let mut between: HashMap<(usize, usize), usize> = HashMap::new();
    for &(c, _, p) in &keys {
        *between.entry((c.min(p), c.max(p))).or_default() += 1;
    }

    // Names: per model, forward relationships first, then reverse ones.
    let mut per_table: Vec<Vec<(usize, bool)>> = vec![Vec::new(); schema.tables.len()];
    for (k, &(c, _, _)) in keys.iter().enumerate() {
        per_table[c].push((k, true));
    }
    for (k, &(_, _, p)) in keys.iter().enumerate() {
        per_table[p].push((k, false));
    }
    // names[k] = (forward name, reverse name)
    let mut names: Vec<(String, String)> = vec![(String::new(), String::new()); keys.len()];
    for (ti, list) in per_table.iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        let bases: Vec<String> = list
            .iter()
            .map(|&(k, forward)| {
                let (c, f, _) = keys[k];
                let child = &schema.tables[c];
                let fk = &child.foreign_keys[f];
                let base = if forward {
                    if ambiguous(child, fk) {
                        column_stem(&fk.columns)
                    } else {
                        snake_case(&fk.ref_table, "table", "t_")
                    }
                } else {
                    let one = snake_case(&child.name, "table", "t_");
                    let mut base = if child.is_unique_key(&fk.columns) {
                        one
                    } else {
                        plural(&one)
                    };
                    if ambiguous(child, fk) {
                        base.push_str("_by_");
                        base.push_str(&joined_snake(&fk.columns));
                    }
                    base
                };
                attribute_base(base)
            })
            .collect();
        let reserved: HashSet<String> = attributes[ti].iter().cloned().collect();
        let unique = make_unique(bases, |_| false, &reserved, Suffix::Snake);
        for (&(k, forward), name) in list.iter().zip(unique) {
            if forward {
                names[k].0 = name;
            } else {
                names[k].1 = name;
            }
        }
    }

    // Relationships writing the same child columns.
    let overlapping = |k: usize| -> Vec<String> {
        let (c, f, _) = keys[k];
        let columns = &schema.tables[c].foreign_keys[f].columns;
        let mut out = Vec::new();
        for (j, &(c2, f2, _)) in keys.iter().enumerate() {
            if j == k || c2 != c {
                continue;
            }
            let other = &schema.tables[c].foreign_keys[f2].columns;
            if other.iter().any(|col| columns.contains(col)) {
                out.push(names[j].0.clone());
                out.push(names[j].1.clone());
            }
        }
        out
    };

    let mut out: Vec<Vec<Relationship>> = vec![Vec::new(); schema.tables.len()];
    for (ti, list) in per_table.iter().enumerate() {
        for &(k, forward) in list {
            let (c, f, p) = keys[k];
            let child = &schema.tables[c];
            let fk = &child.foreign_keys[f];
            let one_to_one = child.is_unique_key(&fk.columns);
            let nullable = fk
                .columns
                .iter()
                .any(|col| child.column(col).is_some_and(|c| c.nullable));
            let (name, back) = if forward {
                (names[k].0.clone(), names[k].1.clone())
            } else {
                (names[k].1.clone(), names[k].0.clone())
            };
            out[ti].push(Relationship {
                name,
                back_populates: back,
                child: c,
                fk: f,
                parent: p,
                forward,
                one_to_one,
                optional: if forward { nullable } else { one_to_one },
                explicit_join: between[&(c.min(p), c.max(p))] > 1,
                overlaps: overlapping(k),
            });
        }
    }
    out
}

/// Whether the foreign key's columns exist on both sides.
fn resolves(child: &Table, fk: &ForeignKey, parent: &Table) -> bool {
    !fk.columns.is_empty()
        && fk.columns.len() == fk.ref_columns.len()
        && fk.columns.iter().all(|c| child.column(c).is_some())
        && fk.ref_columns.iter().all(|c| parent.column(c).is_some())
}

/// Whether `table`'s foreign key `fk` is named by its columns: it references
/// `table` itself, or `table` has another foreign key to the same table.
fn ambiguous(table: &Table, fk: &ForeignKey) -> bool {
    fk.ref_table == table.name
        || table
            .foreign_keys
            .iter()
            .filter(|f| f.ref_table == fk.ref_table)
            .nth(1)
            .is_some()
}

fn joined_snake(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| snake_case(c, "column", "c_"))
        .collect::<Vec<_>>()
        .join("_")
}

/// `parent_id` → `parent`; `city_id_year` stays.
fn column_stem(columns: &[String]) -> String {
    let mut s = joined_snake(columns);
    if s.len() > 3 && s.ends_with("_id") && !s.ends_with("__id") {
        s.truncate(s.len() - 3);
    }
    s
}

/// English plural of a snake_case name's last word (the Rust generator's).
pub(crate) fn plural(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 3);
    s.push_str(name);
    let last = name.rsplit('_').next().unwrap_or(name);
    let b = last.as_bytes();
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    match b {
        [.., b's', b's'] | [.., b'u', b's'] => s.push_str("es"),
        [.., b's'] => {}
        [.., b'x'] | [.., b'z'] | [.., b'c', b'h'] | [.., b's', b'h'] => s.push_str("es"),
        [.., c, b'y'] if c.is_ascii_alphabetic() && !vowel(*c) => {
            s.pop();
            s.push_str("ies");
        }
        _ => s.push('s'),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_and_stems() {
        assert_eq!(plural("tef_category"), "tef_categories");
        assert_eq!(plural("city_annual_stats"), "city_annual_stats");
        assert_eq!(plural("status"), "statuses");
        let s = |c: &[&str]| column_stem(&c.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["parentId"]), "parent");
        assert_eq!(s(&["cityId", "year"]), "city_id_year");
    }
}
