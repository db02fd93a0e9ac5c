//! Python identifiers for schema names: case conversion (heck's), keywords,
//! names the generated code itself uses, and deterministic de-duplication —
//! the scheme of the Rust generator (`codegen/src/rust/names.rs`), with
//! Python's rules.
//!
//! - Attributes and modules are snake_case, classes UpperCamelCase, enum
//!   members SCREAMING_SNAKE_CASE; characters that are not ASCII letters or
//!   digits separate words (Latin-1 letters lose their accents first).
//! - A name Python reserves (a keyword: `class`, `from`, …) or that the
//!   generated code needs for itself (`metadata` and `registry`, which
//!   SQLAlchemy's declarative base owns; pydantic's `BaseModel` attributes;
//!   the modules and functions the class bodies refer to) gets a trailing
//!   `_`, PEP 8's convention (`class_`, `metadata_`). Soft keywords (`match`,
//!   `case`, `type`) are valid names and are kept.
//! - A name that is still taken goes to its first holder — holders whose
//!   name needed no conversion first — and the others get the smallest free
//!   suffix `_2`, `_3`, … (`Suffix::Camel`: `2`, `3`, … for classes).
//!
//! The exact database name is always written next to the identifier (the
//! column name in `mapped_column`, the alias in pydantic), so nothing depends
//! on the conversion being reversible.

use std::collections::HashSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Python's keywords (3.11 `keyword.kwlist`): never identifiers.
pub(crate) const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Attribute names a model never gets: SQLAlchemy's declarative base owns
/// `metadata` and `registry`; pydantic's `BaseModel` has these attributes
/// (a field would shadow them); and the class bodies refer to these modules,
/// builtins and functions after the first attribute (an attribute of the
/// same name would shadow them in the rest of the class body).
pub(crate) const RESERVED_ATTRIBUTES: &[&str] = &[
    // sqlalchemy.orm.DeclarativeBase
    "metadata",
    "registry",
    // pydantic.BaseModel
    "construct",
    "copy",
    "dict",
    "from_orm",
    "json",
    "model_computed_fields",
    "model_config",
    "model_construct",
    "model_copy",
    "model_dump",
    "model_dump_json",
    "model_extra",
    "model_fields",
    "model_fields_set",
    "model_json_schema",
    "model_parametrized_name",
    "model_post_init",
    "model_rebuild",
    "model_validate",
    "model_validate_json",
    "model_validate_strings",
    "parse_file",
    "parse_obj",
    "parse_raw",
    "schema",
    "schema_json",
    "update_forward_refs",
    "validate",
    // names the class bodies use
    "datetime",
    "bool",
    "bytes",
    "float",
    "int",
    "list",
    "str",
    "text",
    "literal_column",
    "mapped_column",
    "relationship",
];

/// Whether `ident` may not be used as it is for an attribute.
pub(crate) fn is_reserved_attribute(ident: &str) -> bool {
    KEYWORDS.contains(&ident) || RESERVED_ATTRIBUTES.contains(&ident)
}

/// Replaces everything that is not an ASCII letter or digit by `_` (a word
/// boundary for heck); Latin-1 letters lose their accents first.
fn ascii_words(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if let Some(folded) = fold_latin1(c) {
            out.push_str(folded);
        } else {
            out.push('_');
        }
    }
    out
}

/// ASCII spelling of a Latin-1 letter (U+00C0..=U+00FF, `×` and `÷` excluded).
fn fold_latin1(c: char) -> Option<&'static str> {
    const FOLDS: [&str; 64] = [
        "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I", //
        "D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "ss", //
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", //
        "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
    ];
    let i = (c as u32).checked_sub(0xC0)? as usize;
    FOLDS.get(i).copied().filter(|f| !f.is_empty())
}

/// snake_case of `name`; `fallback` when nothing is left, `prefix` in front
/// of a leading digit (a leading `_` would make a pydantic field private).
pub(crate) fn snake_case(name: &str, fallback: &str, prefix: &str) -> String {
    let mut s = ascii_words(name).to_snake_case();
    if s.is_empty() {
        s = fallback.to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, prefix);
    }
    s
}

/// UpperCamelCase of `name`: `name` itself when it already is one;
/// `fallback` when nothing is left, `prefix` in front of a leading digit.
pub(crate) fn upper_camel_case(name: &str, fallback: &str, prefix: &str) -> String {
    let already = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric());
    let mut s = if already {
        name.to_string()
    } else {
        ascii_words(name).to_upper_camel_case()
    };
    if s.is_empty() {
        s = fallback.to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, prefix);
    }
    s
}

/// SCREAMING_SNAKE_CASE of an enum value: `VALUE` when nothing is left, `V`
/// in front of a leading digit (`2030` → `V2030`).
pub(crate) fn member_case(value: &str) -> String {
    let mut s = ascii_words(value).to_shouty_snake_case();
    if s.is_empty() {
        s = "VALUE".to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'V');
    }
    s
}

/// `ident`, or `ident_` when it is reserved for attributes.
pub(crate) fn attribute_base(ident: String) -> String {
    if is_reserved_attribute(&ident) {
        ident + "_"
    } else {
        ident
    }
}

/// Suffix style used to make a clashing identifier unique.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Suffix {
    /// `city_id_2`
    Snake,
    /// `City2`, `Scope1_2` after a digit.
    Camel,
}

impl Suffix {
    fn apply(self, base: &str, n: usize) -> String {
        match self {
            Suffix::Snake => format!("{base}_{n}"),
            Suffix::Camel if base.ends_with(|c: char| c.is_ascii_digit()) => format!("{base}_{n}"),
            Suffix::Camel => format!("{base}{n}"),
        }
    }
}

/// Makes `bases` unique, deterministically: a name that is not `reserved`
/// goes to its first holder, holders with `exact(i)` first; the other holders
/// get the smallest free suffix, in order.
pub(crate) fn make_unique(
    bases: Vec<String>,
    exact: impl Fn(usize) -> bool,
    reserved: &HashSet<String>,
    suffix: Suffix,
) -> Vec<String> {
    let mut taken: HashSet<String> = reserved.clone();
    let mut keep = vec![false; bases.len()];
    for pass in [true, false] {
        for (i, base) in bases.iter().enumerate() {
            if exact(i) == pass && !taken.contains(base) {
                taken.insert(base.clone());
                keep[i] = true;
            }
        }
    }
    bases
        .into_iter()
        .zip(keep)
        .map(|(base, keep)| {
            if keep {
                return base;
            }
            (2..)
                .map(|n| suffix.apply(&base, n))
                .find(|candidate| {
                    !is_reserved_attribute(candidate) && taken.insert(candidate.clone())
                })
                .expect("an unbounded range has a free suffix")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(snake_case("cityId", "c", "c_"), "city_id");
        assert_eq!(snake_case("areaKm2", "c", "c_"), "area_km2");
        assert_eq!(snake_case("_2fa", "c", "c_"), "c_2fa");
        assert_eq!(
            snake_case("Budgets & Funding", "g", "g_"),
            "budgets_funding"
        );
        assert_eq!(snake_case("Größe", "c", "c_"), "grosse");
        assert_eq!(
            upper_camel_case("EmissionRecord", "T", "T"),
            "EmissionRecord"
        );
        assert_eq!(upper_camel_case("city_budget", "T", "T"), "CityBudget");
        assert_eq!(member_case("in review"), "IN_REVIEW");
        assert_eq!(member_case("it's \"done\""), "IT_S_DONE");
        assert_eq!(member_case("2030"), "V2030");
        assert_eq!(member_case("—"), "VALUE");
        assert_eq!(attribute_base("class".into()), "class_");
        assert_eq!(attribute_base("metadata".into()), "metadata_");
        assert_eq!(attribute_base("type".into()), "type");
        assert_eq!(attribute_base("model_dump".into()), "model_dump_");
    }

    #[test]
    fn unique_names_keep_first_holder() {
        let names = make_unique(
            ["city", "city", "city_2"].map(String::from).to_vec(),
            |_| false,
            &HashSet::new(),
            Suffix::Snake,
        );
        assert_eq!(names, ["city", "city_3", "city_2"]);
        let names = make_unique(
            ["City", "City", "Base"].map(String::from).to_vec(),
            |i| i == 1,
            &["Base".to_string()].into_iter().collect(),
            Suffix::Camel,
        );
        assert_eq!(names, ["City2", "City", "Base2"]);
    }
}
