//! Python's rules for identifiers: keywords, the names the generated code
//! itself uses, and how a name is kept off them. Case conversion and
//! de-duplication are the generators' shared ones ([`crate::names`]).
//!
//! - Attributes and modules are snake_case, classes UpperCamelCase, enum
//!   members SCREAMING_SNAKE_CASE. A leading digit gets a letter in front
//!   (`c_`, `t_`, `g_`, `T`, `E`, `V`: a leading `_` would make a pydantic
//!   field private).
//! - A name Python reserves (a keyword: `class`, `from`, …) or that the
//!   generated code needs for itself (`metadata` and `registry`, which
//!   SQLAlchemy's declarative base owns; pydantic's `BaseModel` attributes;
//!   the modules and functions the class bodies refer to) gets a trailing
//!   `_`, PEP 8's convention (`class_`, `metadata_`). Soft keywords (`match`,
//!   `case`, `type`) are valid names and are kept.
//! - A name that is still taken goes to its first holder — holders whose
//!   name needed no conversion first — and the others get the smallest free
//!   suffix `_2`, `_3`, … (`Suffix::Camel`: `2`, `3`, … for classes). A
//!   suffixed name ends in a digit, which no reserved name does.
//!
//! The exact database name is always written next to the identifier (the
//! column name in `mapped_column`, the alias in pydantic), so nothing depends
//! on the conversion being reversible.

use crate::names::screaming_snake_case;

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

/// SCREAMING_SNAKE_CASE of an enum value: `VALUE` when nothing is left, `V`
/// in front of a leading digit (`2030` → `V2030`).
pub(crate) fn member_case(value: &str) -> String {
    screaming_snake_case(value, "VALUE", "V")
}

/// `ident`, or `ident_` when it is reserved for attributes.
pub(crate) fn attribute_base(ident: String) -> String {
    if is_reserved_attribute(&ident) {
        ident + "_"
    } else {
        ident
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
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
    fn no_reserved_name_ends_in_a_digit() {
        // So a suffixed name (`…_2`, `…2`) is never a reserved one.
        for name in KEYWORDS.iter().chain(RESERVED_ATTRIBUTES) {
            assert!(!name.ends_with(|c: char| c.is_ascii_digit()), "{name}");
        }
    }
}
