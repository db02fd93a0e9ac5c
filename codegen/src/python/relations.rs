//! Relationships: for every foreign key of the schema, a `relationship()` on
//! the referencing model (the row it refers to) and one on the referenced
//! model (the rows that refer to it), joined by `back_populates`.
//!
//! # Names
//!
//! The generators' shared scheme ([`crate::relations`]), with Python's
//! rules: a reverse relationship whose referencing columns are unique in the
//! referencing table (a one-to-one, like `ClimateCityContract(cityId)`) holds
//! one row and its name is singular (`climate_city_contract`); a reserved
//! name (keywords, `metadata`, `registry`, …) gets a trailing `_`; a
//! relationship never takes a column attribute's name of its model.
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

use std::collections::HashMap;

use nzc_dsl::Schema;

use super::names::attribute_base;
use crate::relations::{Relation, Rules};

/// One `relationship()` of a model.
#[derive(Debug, Clone)]
pub(crate) struct Relationship {
    /// Its attribute name, the name of the relationship on the other side
    /// (`back_populates`), and the foreign key.
    pub(crate) relation: Relation,
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

/// Python's rules in the shared naming scheme.
const RULES: Rules = Rules {
    table_digit_prefix: "t_",
    column_digit_prefix: "c_",
    singular_one_to_one: true,
    escape: attribute_base,
    related: |_, _| true,
};

/// The relationships of every table (schema order), forward ones first;
/// `attributes` are the tables' column attribute names.
pub(crate) fn plan(schema: &Schema, attributes: &[Vec<String>]) -> Vec<Vec<Relationship>> {
    let relations = crate::relations::plan(schema, &RULES, |ti| attributes[ti].clone());
    // Foreign keys between each unordered pair of tables.
    let mut between: HashMap<(usize, usize), usize> = HashMap::new();
    for r in relations.iter().flatten().filter(|r| r.forward) {
        let (c, p) = (r.child, r.parent);
        *between.entry((c.min(p), c.max(p))).or_default() += 1;
    }
    // Relationships writing the same child columns as `r`: both sides of the
    // child's other foreign keys that share a column with it.
    let overlapping = |r: &Relation| -> Vec<String> {
        let child = &schema.tables[r.child];
        let columns = &child.foreign_keys[r.fk].columns;
        let mut out = Vec::new();
        for other in relations[r.child]
            .iter()
            .filter(|o| o.forward && o.fk != r.fk)
        {
            let other_columns = &child.foreign_keys[other.fk].columns;
            if other_columns.iter().any(|col| columns.contains(col)) {
                out.push(other.name.clone());
                out.push(other.inverse.clone());
            }
        }
        out
    };
    relations
        .iter()
        .map(|list| {
            list.iter()
                .map(|r| {
                    let child = &schema.tables[r.child];
                    let fk = &child.foreign_keys[r.fk];
                    let one_to_one = child.is_unique_key(&fk.columns);
                    let nullable = fk
                        .columns
                        .iter()
                        .any(|col| child.column(col).is_some_and(|c| c.nullable));
                    let (c, p) = (r.child, r.parent);
                    Relationship {
                        relation: r.clone(),
                        one_to_one,
                        optional: if r.forward { nullable } else { one_to_one },
                        explicit_join: between[&(c.min(p), c.max(p))] > 1,
                        overlaps: overlapping(r),
                    }
                })
                .collect()
        })
        .collect()
}
