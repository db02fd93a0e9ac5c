//! Rust's rules for identifiers: keywords, raw identifiers, and serde's
//! names. Case conversion and de-duplication are the generators' shared ones
//! ([`crate::names`]); a snake_case name gets `_` in front of a leading digit.

use crate::names::{self, Suffix};

/// Keywords that cannot be raw identifiers: never handed out.
pub(crate) const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Whether `ident` has to be written as a raw identifier.
/// (Rust keywords — strict, reserved and edition-dependent ones — that are
/// valid as raw identifiers.)
pub(crate) fn needs_raw(ident: &str) -> bool {
    matches!(
        ident,
        "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

/// Writes `ident`, as a raw identifier if it is a keyword.
pub(crate) fn push_ident(out: &mut String, ident: &str) {
    if needs_raw(ident) {
        out.push_str("r#");
    }
    out.push_str(ident);
}

/// [`crate::names::unique_idents`] for Rust: a keyword that cannot be a raw
/// identifier (`self`, `Self`, …) is never handed out either.
pub(crate) fn unique_idents<'a>(
    names: impl Iterator<Item = &'a str>,
    convert: impl Fn(&str) -> String,
    reserved: &[&str],
    suffix: Suffix,
) -> Vec<String> {
    names::unique_idents(names, convert, reserved.iter().chain(NOT_RAW), suffix)
}

/// The name serde gives field `ident` under `rename_all = "camelCase"`
/// (serde_derive's `RenameRule::CamelCase`, raw prefix removed).
pub(crate) fn serde_camel_case(ident: &str) -> String {
    let mut out = String::with_capacity(ident.len());
    let mut capitalize = false;
    for c in ident.chars() {
        if c == '_' {
            capitalize = true;
        } else if capitalize && !out.is_empty() {
            out.push(c.to_ascii_uppercase());
            capitalize = false;
        } else {
            out.push(if out.is_empty() {
                c.to_ascii_lowercase()
            } else {
                c
            });
            capitalize = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_camel_case_matches_serde() {
        assert_eq!(serde_camel_case("city_id"), "cityId");
        assert_eq!(serde_camel_case("area_km2"), "areaKm2");
        assert_eq!(serde_camel_case("type"), "type");
        assert_eq!(serde_camel_case("_2fa"), "2fa");
        assert_eq!(serde_camel_case("self_2"), "self2");
        assert_eq!(serde_camel_case("a_b_c"), "aBC");
    }

    #[test]
    fn keywords_that_cannot_be_raw_are_never_handed_out() {
        let camel = |n: &str| names::upper_camel_case(n, "T", "T");
        let idents = unique_idents(["Self", "self"].into_iter(), camel, &[], Suffix::Camel);
        assert_eq!(idents, ["Self2", "Self3"]);
        let snake = |n: &str| names::snake_case(n, "c", "_");
        let idents = unique_idents(
            ["enums", "self", "self_2"].into_iter(),
            snake,
            &["enums"],
            Suffix::Snake,
        );
        assert_eq!(idents, ["enums_2", "self_3", "self_2"]);
    }
}
