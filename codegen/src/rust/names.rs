//! Rust identifiers for schema names: case conversion, keywords, and
//! deterministic de-duplication.
//!
//! Every identifier this renderer writes is ASCII: characters that are not
//! ASCII letters or digits only separate words. The exact database name is
//! always written next to the identifier (`column = "…"`, `rename = "…"`), so
//! nothing depends on the conversion being reversible.
//!
//! Word splitting is heck's (0.5) algorithm, specialised to ASCII so that a
//! 200,000-column schema converts quickly; a test checks it against heck.

use std::collections::HashSet;

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

/// Replaces everything that is not an ASCII letter or digit by `_`, which
/// heck treats as a word boundary; Latin-1 letters lose their accents first
/// (`é` → `e`, `ß` → `ss`).
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

/// Calls `f` with every word of `s` (ASCII letters, digits and `_`), split
/// like heck: at `_`, before an uppercase letter that follows a lowercase
/// one, and before the last letter of an uppercase run followed by a
/// lowercase letter (`HTTPServer` → `HTTP`, `Server`).
fn for_each_word(s: &str, mut f: impl FnMut(&str)) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lower,
        Upper,
    }
    for word in s.split('_') {
        let b = word.as_bytes();
        let mut init = 0;
        let mut mode = Mode::Boundary;
        for i in 0..b.len() {
            let c = b[i];
            let Some(&next) = b.get(i + 1) else {
                f(&word[init..]);
                break;
            };
            let next_mode = if c.is_ascii_lowercase() {
                Mode::Lower
            } else if c.is_ascii_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_ascii_uppercase() {
                f(&word[init..=i]);
                init = i + 1;
                mode = Mode::Boundary;
            } else if mode == Mode::Upper && c.is_ascii_uppercase() && next.is_ascii_lowercase() {
                f(&word[init..i]);
                init = i;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
    }
}

/// snake_case identifier for `name` (fields, modules); `fallback` when
/// nothing is left, `_` in front of a leading digit.
pub(crate) fn snake_case(name: &str, fallback: &str) -> String {
    let mut s = String::with_capacity(name.len() + 4);
    for_each_word(&ascii_words(name), |word| {
        if !s.is_empty() {
            s.push('_');
        }
        s.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    });
    if s.is_empty() {
        s.push_str(fallback);
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// UpperCamelCase identifier for `name` (structs, enums, variants): `name`
/// itself when it already is one, else its heck conversion; `fallback` when
/// nothing is left, `digit_prefix` in front of a leading digit.
pub(crate) fn upper_camel_case(name: &str, fallback: &str, digit_prefix: char) -> String {
    let already = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric());
    let mut s = String::with_capacity(name.len());
    if already {
        s.push_str(name);
    } else {
        for_each_word(&ascii_words(name), |word| {
            let mut chars = word.chars();
            s.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            s.extend(chars.map(|c| c.to_ascii_lowercase()));
        });
    }
    if s.is_empty() {
        s.push_str(fallback);
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, digit_prefix);
    }
    s
}

/// Suffix style used to make a clashing identifier unique.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Suffix {
    /// `city_id_2`
    Snake,
    /// `Active2`, or `Scope1_2` after a digit (still UpperCamelCase for rustc's lint).
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

/// Makes `bases` unique, deterministically: a name that is not reserved goes
/// to its first holder, where holders whose base is exactly their database
/// name (`exact`) come first; the other holders and reserved names get the
/// smallest free suffix `2`, `3`, …, in order.
pub(crate) fn make_unique(
    bases: Vec<String>,
    exact: impl Fn(usize) -> bool,
    reserved: &[&str],
    suffix: Suffix,
) -> Vec<String> {
    let mut taken: HashSet<String> = reserved.iter().map(|s| s.to_string()).collect();
    taken.extend(NOT_RAW.iter().map(|s| s.to_string()));
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
                .find(|candidate| taken.insert(candidate.clone()))
                .expect("an unbounded range has a free suffix")
        })
        .collect()
}

/// Converts every name with `convert` and makes the results unique
/// ([`make_unique`], a name that needs no conversion keeping it first).
pub(crate) fn unique_idents<'a>(
    names: impl Iterator<Item = &'a str>,
    convert: impl Fn(&str) -> String,
    reserved: &[&str],
    suffix: Suffix,
) -> Vec<String> {
    let (bases, exact): (Vec<String>, Vec<bool>) = names
        .map(|name| {
            let base = convert(name);
            let exact = base == name;
            (base, exact)
        })
        .unzip();
    make_unique(bases, |i| exact[i], reserved, suffix)
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
    fn conversions() {
        assert_eq!(snake_case("cityId", "c"), "city_id");
        assert_eq!(snake_case("areaKm2", "c"), "area_km2");
        assert_eq!(snake_case("URL", "c"), "url");
        assert_eq!(snake_case("2fa", "c"), "_2fa");
        assert_eq!(snake_case("—", "column"), "column");
        assert_eq!(snake_case("Größe", "c"), "grosse");
        assert_eq!(
            upper_camel_case("ünïcödé välüé ✓", "V", 'V'),
            "UnicodeValue"
        );
        assert_eq!(
            upper_camel_case("EmissionRecord", "T", 'T'),
            "EmissionRecord"
        );
        assert_eq!(upper_camel_case("HTTPLog", "T", 'T'), "HTTPLog");
        assert_eq!(upper_camel_case("city_budget", "T", 'T'), "CityBudget");
        assert_eq!(upper_camel_case("scope 1", "V", 'V'), "Scope1");
        assert_eq!(upper_camel_case("2030", "V", 'V'), "V2030");
        assert_eq!(upper_camel_case("", "Empty", 'V'), "Empty");
    }

    #[test]
    fn word_splitting_matches_heck() {
        use heck::{ToSnakeCase, ToUpperCamelCase};
        const CHARS: &[u8] = b"aAbBzZ09_xXyY";
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut samples = vec![
            "HTTPServer".to_string(),
            "cityId".to_string(),
            "areaKm2".to_string(),
            "URL".to_string(),
            "area2Km".to_string(),
            "ABC123def".to_string(),
            "__a__B__".to_string(),
        ];
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 9) as usize;
            samples.push(
                (0..len)
                    .map(|i| CHARS[((state >> (i * 4 + 8)) % CHARS.len() as u64) as usize] as char)
                    .collect(),
            );
        }
        for sample in &samples {
            let heck_snake = sample.to_snake_case();
            let ours = snake_case(sample, "");
            let expected = if heck_snake.starts_with(|c: char| c.is_ascii_digit()) {
                format!("_{heck_snake}")
            } else {
                heck_snake
            };
            assert_eq!(ours, expected, "snake_case({sample:?})");
            let heck_camel = sample.to_upper_camel_case();
            let already = sample.starts_with(|c: char| c.is_ascii_uppercase())
                && sample.chars().all(|c| c.is_ascii_alphanumeric());
            if !already {
                let expected = if heck_camel.starts_with(|c: char| c.is_ascii_digit()) {
                    format!("V{heck_camel}")
                } else {
                    heck_camel
                };
                assert_eq!(
                    upper_camel_case(sample, "", 'V'),
                    expected,
                    "upper_camel_case({sample:?})"
                );
            }
        }
    }

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
    fn unique_names_keep_first_holder() {
        let names = make_unique(
            ["Scope1", "Scope1", "Scope1_2", "Self", "Active", "Active"]
                .map(String::from)
                .to_vec(),
            |_| false,
            &[],
            Suffix::Camel,
        );
        assert_eq!(
            names,
            ["Scope1", "Scope1_3", "Scope1_2", "Self2", "Active", "Active2"]
        );
        let names = make_unique(
            ["enums", "city", "city", "self"].map(String::from).to_vec(),
            |_| false,
            &["enums"],
            Suffix::Snake,
        );
        assert_eq!(names, ["enums_2", "city", "city_2", "self_2"]);
        // `city_id` (no conversion) keeps its name before `cityId` (converted).
        let names = unique_idents(
            ["cityId", "city_id"].into_iter(),
            |n| snake_case(n, "c"),
            &[],
            Suffix::Snake,
        );
        assert_eq!(names, ["city_id_2", "city_id"]);
    }
}
