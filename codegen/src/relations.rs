//! Relation names, shared by the Rust generator (relation methods,
//! `rust/relations.rs`) and the Python one (`relationship()` attributes,
//! `python/relations.rs`): for every foreign key, a relation on the
//! referencing model ("forward", the row it refers to) and one on the
//! referenced model ("reverse", the rows that refer to it).
//!
//! # Names
//!
//! Decided per model, deterministically, before any text is written:
//!
//! 1. Forward: the referenced table in snake_case (`city`, `tef_category`).
//!    When the table has several foreign keys to the same table, or the key
//!    references its own table, the referencing columns name it instead:
//!    their snake_case names joined by `_`, without a trailing `_id`
//!    (`parentId` → `parent`, `managerId` → `manager`; `[cityId, year]` →
//!    `city_id_year`).
//! 2. Reverse: the referencing table in snake_case, plural (`emission_records`,
//!    `tef_categories`, `city_annual_stats`: a last word ending in `s` is taken
//!    as plural already, except `…ss` / `…us`). With several foreign keys from
//!    that table to this one, or a self-reference, `_by_` and the referencing
//!    columns follow (`tef_categories_by_parent_id`). Where the language says
//!    so ([`Rules::singular_one_to_one`]), a reverse relation whose
//!    referencing columns are unique in the referencing table holds one row
//!    and its name is singular (`climate_city_contract`).
//! 3. A name is never one of the model's reserved names (the language's: its
//!    fields, methods, keywords, …), nor is a companion of it (Rust: the
//!    batch method `<name>_of`). Forward relations (in foreign key order)
//!    then reverse ones (in schema order of the referencing tables, then
//!    foreign key order) claim their names in turn; a name that is reserved
//!    or already taken gets the smallest free suffix `_2`, `_3`, ….
//!
//! A foreign key whose tables or columns cannot be resolved, or that the
//! language cannot relate ([`Rules::related`]), gets no relations (a
//! validated schema has none).

use std::collections::HashMap;

use nzc_dsl::{Column, ForeignKey, Schema, Table};

use crate::names::{make_unique_with, snake_case, Suffix};

/// What a language decides in the naming scheme.
pub(crate) struct Rules {
    /// In front of a leading digit of a table's snake_case name.
    pub(crate) table_digit_prefix: &'static str,
    /// In front of a leading digit of a column's snake_case name.
    pub(crate) column_digit_prefix: &'static str,
    /// Whether a reverse relation over unique referencing columns (a
    /// one-to-one) is named in the singular.
    pub(crate) singular_one_to_one: bool,
    /// Applied to every name before it is made unique (Python: a trailing
    /// `_` on a reserved word).
    pub(crate) escape: fn(String) -> String,
    /// Whether a referencing column and its referenced column can be related.
    pub(crate) related: fn(&Column, &Column) -> bool,
}

/// One relation of a model.
#[derive(Debug, Clone)]
pub(crate) struct Relation {
    /// Its name (before the language's escaping of keywords, if any).
    pub(crate) name: String,
    /// The name of the relation on the other model, over the same key.
    pub(crate) inverse: String,
    /// The referencing table and the index of the foreign key in it.
    pub(crate) child: usize,
    pub(crate) fk: usize,
    /// The referenced table.
    pub(crate) parent: usize,
    /// Column indices in the child (`fk.columns`) and the parent
    /// (`fk.ref_columns`), pair by pair.
    pub(crate) child_columns: Vec<usize>,
    pub(crate) parent_columns: Vec<usize>,
    /// On the referencing model (the parent row) or on the referenced one
    /// (the child rows).
    pub(crate) forward: bool,
}

/// A foreign key resolved against both tables.
struct Key {
    child: usize,
    fk: usize,
    parent: usize,
    child_columns: Vec<usize>,
    parent_columns: Vec<usize>,
}

fn resolve(
    schema: &Schema,
    by_name: &HashMap<&str, usize>,
    rules: &Rules,
    child: usize,
    fk: usize,
) -> Option<Key> {
    let child_table = &schema.tables[child];
    let foreign_key = &child_table.foreign_keys[fk];
    let parent = *by_name.get(foreign_key.ref_table.as_str())?;
    let parent_table = &schema.tables[parent];
    if foreign_key.columns.is_empty() || foreign_key.columns.len() != foreign_key.ref_columns.len()
    {
        return None;
    }
    let find = |table: &Table, name: &str| table.columns.iter().position(|c| c.name == name);
    let child_columns = foreign_key
        .columns
        .iter()
        .map(|c| find(child_table, c))
        .collect::<Option<Vec<_>>>()?;
    let parent_columns = foreign_key
        .ref_columns
        .iter()
        .map(|c| find(parent_table, c))
        .collect::<Option<Vec<_>>>()?;
    let related = child_columns
        .iter()
        .zip(&parent_columns)
        .all(|(&c, &p)| (rules.related)(&child_table.columns[c], &parent_table.columns[p]));
    related.then_some(Key {
        child,
        fk,
        parent,
        child_columns,
        parent_columns,
    })
}

/// The relations of every table (schema order), forward ones first, named
/// by `rules`; `reserved(table)` are the names the table's relations never
/// take (asked only of tables that have relations).
pub(crate) fn plan(
    schema: &Schema,
    rules: &Rules,
    reserved: impl Fn(usize) -> Vec<String>,
) -> Vec<Vec<Relation>> {
    plan_with(schema, rules, &[], reserved)
}

/// [`plan`] where every relation name also claims `companions` (its name
/// followed by each: Rust's batch methods, `city` → `city_of`), which must
/// be free as well.
pub(crate) fn plan_with(
    schema: &Schema,
    rules: &Rules,
    companions: &[&str],
    reserved: impl Fn(usize) -> Vec<String>,
) -> Vec<Vec<Relation>> {
    let mut by_name: HashMap<&str, usize> = HashMap::with_capacity(schema.tables.len());
    for (i, t) in schema.tables.iter().enumerate() {
        by_name.entry(t.name.as_str()).or_insert(i);
    }
    // Every related foreign key, in (child, fk) order; per table, its
    // relations in the order they claim names: (key, forward).
    let mut keys: Vec<Key> = Vec::new();
    let mut per_table: Vec<Vec<(usize, bool)>> = vec![Vec::new(); schema.tables.len()];
    for (ci, child) in schema.tables.iter().enumerate() {
        for fi in 0..child.foreign_keys.len() {
            if let Some(key) = resolve(schema, &by_name, rules, ci, fi) {
                per_table[ci].push((keys.len(), true));
                keys.push(key);
            }
        }
    }
    for (k, key) in keys.iter().enumerate() {
        per_table[key.parent].push((k, false));
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
                let child = &schema.tables[keys[k].child];
                let fk = &child.foreign_keys[keys[k].fk];
                (rules.escape)(base_name(rules, child, fk, forward))
            })
            .collect();
        let unique = make_unique_with(bases, |_| false, reserved(ti), Suffix::Snake, companions);
        for (&(k, forward), name) in list.iter().zip(unique) {
            if forward {
                names[k].0 = name;
            } else {
                names[k].1 = name;
            }
        }
    }

    per_table
        .iter()
        .map(|list| {
            list.iter()
                .map(|&(k, forward)| {
                    let key = &keys[k];
                    let (name, inverse) = if forward {
                        (names[k].0.clone(), names[k].1.clone())
                    } else {
                        (names[k].1.clone(), names[k].0.clone())
                    };
                    Relation {
                        name,
                        inverse,
                        child: key.child,
                        fk: key.fk,
                        parent: key.parent,
                        child_columns: key.child_columns.clone(),
                        parent_columns: key.parent_columns.clone(),
                        forward,
                    }
                })
                .collect()
        })
        .collect()
}

/// The name of a relation over `child`'s foreign key `fk`, before it is
/// made unique.
fn base_name(rules: &Rules, child: &Table, fk: &ForeignKey, forward: bool) -> String {
    if forward {
        return if ambiguous(child, fk) {
            column_stem(&fk.columns, rules.column_digit_prefix)
        } else {
            snake_case(&fk.ref_table, "table", rules.table_digit_prefix)
        };
    }
    let one = snake_case(&child.name, "table", rules.table_digit_prefix);
    let mut base = if rules.singular_one_to_one && child.is_unique_key(&fk.columns) {
        one
    } else {
        plural(&one)
    };
    if ambiguous(child, fk) {
        base.push_str("_by_");
        base.push_str(&joined_snake(&fk.columns, rules.column_digit_prefix));
    }
    base
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

/// The snake_case names of `columns`, joined by `_`.
pub(crate) fn joined_snake(columns: &[String], digit_prefix: &str) -> String {
    columns
        .iter()
        .map(|c| snake_case(c, "column", digit_prefix))
        .collect::<Vec<_>>()
        .join("_")
}

/// `parent_id` → `parent`; `city_id_year` stays.
fn column_stem(columns: &[String], digit_prefix: &str) -> String {
    let mut s = joined_snake(columns, digit_prefix);
    if s.len() > 3 && s.ends_with("_id") && !s.ends_with("__id") {
        s.truncate(s.len() - 3);
    }
    s
}

/// English plural of a snake_case name's last word.
fn plural(name: &str) -> String {
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
    fn plurals() {
        for (one, many) in [
            ("emission_record", "emission_records"),
            ("tef_category", "tef_categories"),
            ("city_annual_stats", "city_annual_stats"),
            ("status", "statuses"),
            ("address", "addresses"),
            ("tax", "taxes"),
            ("batch", "batches"),
            ("key", "keys"),
            ("city", "cities"),
            ("t2", "t2s"),
            ("_2fa", "_2fas"),
        ] {
            assert_eq!(plural(one), many, "{one}");
        }
    }

    #[test]
    fn stems() {
        let s = |c: &[&str]| column_stem(&c.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "_");
        assert_eq!(s(&["parentId"]), "parent");
        assert_eq!(s(&["id"]), "id");
        assert_eq!(s(&["cityId", "year"]), "city_id_year");
        assert_eq!(s(&["manager"]), "manager");
    }
}
