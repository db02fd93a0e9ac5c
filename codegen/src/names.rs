//! Identifiers for schema names, shared by the Rust and the Python
//! generators: case conversion and deterministic de-duplication. What differs
//! between the languages — the prefix in front of a leading digit, the names
//! a language or its generated code reserves, how a keyword is escaped — is
//! given by the caller (`rust/names.rs`, `python/names.rs`).
//!
//! Every identifier is ASCII: characters that are not ASCII letters or
//! digits only separate words, and Latin-1 letters lose their accents first.
//! The exact database name is always written next to the identifier, so
//! nothing depends on the conversion being reversible.
//!
//! Word splitting is heck's (0.5) algorithm, specialised to ASCII so that a
//! 200,000-column schema converts quickly; a test checks it against heck.

use std::collections::HashSet;

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

/// `s`, or `fallback` when it is empty; `digit_prefix` in front of a leading
/// digit.
fn finish(mut s: String, fallback: &str, digit_prefix: &str) -> String {
    if s.is_empty() {
        s.push_str(fallback);
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, digit_prefix);
    }
    s
}

/// The words of `name`, each cased by `case`, joined by `_`.
fn joined_words(name: &str, case: fn(&u8) -> u8) -> String {
    let mut s = String::with_capacity(name.len() + 4);
    for_each_word(&ascii_words(name), |word| {
        if !s.is_empty() {
            s.push('_');
        }
        s.extend(word.as_bytes().iter().map(|c| char::from(case(c))));
    });
    s
}

/// snake_case of `name` (fields, attributes, modules); `fallback` when
/// nothing is left, `digit_prefix` in front of a leading digit.
pub(crate) fn snake_case(name: &str, fallback: &str, digit_prefix: &str) -> String {
    finish(
        joined_words(name, u8::to_ascii_lowercase),
        fallback,
        digit_prefix,
    )
}

/// SCREAMING_SNAKE_CASE of `name`; `fallback` when nothing is left,
/// `digit_prefix` in front of a leading digit.
pub(crate) fn screaming_snake_case(name: &str, fallback: &str, digit_prefix: &str) -> String {
    finish(
        joined_words(name, u8::to_ascii_uppercase),
        fallback,
        digit_prefix,
    )
}

/// UpperCamelCase of `name` (types, classes, variants): `name` itself when it
/// already is one, else its heck conversion; `fallback` when nothing is left,
/// `digit_prefix` in front of a leading digit.
pub(crate) fn upper_camel_case(name: &str, fallback: &str, digit_prefix: &str) -> String {
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
    finish(s, fallback, digit_prefix)
}

/// Suffix style used to make a clashing identifier unique.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Suffix {
    /// `city_id_2`
    Snake,
    /// `Active2`, or `Scope1_2` after a digit (still UpperCamelCase for
    /// rustc's lint).
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
/// goes to its first holder, where holders whose base is exactly their
/// database name (`exact`) come first; the other holders get the smallest
/// free suffix `2`, `3`, …, in order.
///
/// A suffixed name always ends in a digit: a language's reserved words never
/// do, so a suffix never makes one.
pub(crate) fn make_unique(
    bases: Vec<String>,
    exact: impl Fn(usize) -> bool,
    reserved: impl IntoIterator<Item = impl AsRef<str>>,
    suffix: Suffix,
) -> Vec<String> {
    make_unique_with(bases, exact, reserved, suffix, &[])
}

/// [`make_unique`] where each name also claims its `companions` (a name
/// followed by each of them, e.g. the `_of` of a Rust relation's batch
/// method): a name is free only when it and its companions all are.
pub(crate) fn make_unique_with(
    bases: Vec<String>,
    exact: impl Fn(usize) -> bool,
    reserved: impl IntoIterator<Item = impl AsRef<str>>,
    suffix: Suffix,
    companions: &[&str],
) -> Vec<String> {
    let mut taken: HashSet<String> = reserved
        .into_iter()
        .map(|s| s.as_ref().to_string())
        .collect();
    let free = |taken: &HashSet<String>, name: &str| {
        !taken.contains(name)
            && companions
                .iter()
                .all(|c| !taken.contains(&format!("{name}{c}")))
    };
    let claim = |taken: &mut HashSet<String>, name: &str| {
        taken.insert(name.to_string());
        for c in companions {
            taken.insert(format!("{name}{c}"));
        }
    };
    let mut keep = vec![false; bases.len()];
    for pass in [true, false] {
        for (i, base) in bases.iter().enumerate() {
            if exact(i) == pass && free(&taken, base) {
                claim(&mut taken, base);
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
            let name = (2..)
                .map(|n| suffix.apply(&base, n))
                .find(|candidate| free(&taken, candidate))
                .expect("an unbounded range has a free suffix");
            claim(&mut taken, &name);
            name
        })
        .collect()
}

/// Converts every name with `convert` and makes the results unique
/// ([`make_unique`], a name that needs no conversion keeping it first).
pub(crate) fn unique_idents<'a>(
    names: impl Iterator<Item = &'a str>,
    convert: impl Fn(&str) -> String,
    reserved: impl IntoIterator<Item = impl AsRef<str>>,
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

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: [&str; 0] = [];

    #[test]
    fn conversions() {
        assert_eq!(snake_case("cityId", "c", "_"), "city_id");
        assert_eq!(snake_case("areaKm2", "c", "_"), "area_km2");
        assert_eq!(snake_case("URL", "c", "_"), "url");
        assert_eq!(snake_case("2fa", "c", "_"), "_2fa");
        assert_eq!(snake_case("_2fa", "c", "c_"), "c_2fa");
        assert_eq!(snake_case("—", "column", "_"), "column");
        assert_eq!(snake_case("Größe", "c", "_"), "grosse");
        assert_eq!(
            snake_case("Budgets & Funding", "g", "g_"),
            "budgets_funding"
        );
        assert_eq!(
            upper_camel_case("ünïcödé välüé ✓", "V", "V"),
            "UnicodeValue"
        );
        assert_eq!(
            upper_camel_case("EmissionRecord", "T", "T"),
            "EmissionRecord"
        );
        assert_eq!(upper_camel_case("HTTPLog", "T", "T"), "HTTPLog");
        assert_eq!(upper_camel_case("city_budget", "T", "T"), "CityBudget");
        assert_eq!(upper_camel_case("scope 1", "V", "V"), "Scope1");
        assert_eq!(upper_camel_case("2030", "V", "V"), "V2030");
        assert_eq!(upper_camel_case("", "Empty", "V"), "Empty");
        assert_eq!(screaming_snake_case("in review", "V", "V"), "IN_REVIEW");
        assert_eq!(screaming_snake_case("2030", "V", "V"), "V2030");
        assert_eq!(screaming_snake_case("—", "VALUE", "V"), "VALUE");
    }

    #[test]
    fn word_splitting_matches_heck() {
        use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
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
        let prefixed = |s: String, prefix: &str| {
            if s.starts_with(|c: char| c.is_ascii_digit()) {
                format!("{prefix}{s}")
            } else {
                s
            }
        };
        for sample in &samples {
            assert_eq!(
                snake_case(sample, "", "_"),
                prefixed(sample.to_snake_case(), "_"),
                "snake_case({sample:?})"
            );
            assert_eq!(
                screaming_snake_case(sample, "", "V"),
                prefixed(sample.to_shouty_snake_case(), "V"),
                "screaming_snake_case({sample:?})"
            );
            let already = sample.starts_with(|c: char| c.is_ascii_uppercase())
                && sample.chars().all(|c| c.is_ascii_alphanumeric());
            if !already {
                assert_eq!(
                    upper_camel_case(sample, "", "V"),
                    prefixed(sample.to_upper_camel_case(), "V"),
                    "upper_camel_case({sample:?})"
                );
            }
        }
    }

    #[test]
    fn unique_names_keep_first_holder() {
        let names = make_unique(
            ["Scope1", "Scope1", "Scope1_2", "Active", "Active"]
                .map(String::from)
                .to_vec(),
            |_| false,
            NONE,
            Suffix::Camel,
        );
        assert_eq!(
            names,
            ["Scope1", "Scope1_3", "Scope1_2", "Active", "Active2"]
        );
        let names = make_unique(
            ["enums", "city", "city", "city_2"]
                .map(String::from)
                .to_vec(),
            |_| false,
            ["enums"],
            Suffix::Snake,
        );
        assert_eq!(names, ["enums_2", "city", "city_3", "city_2"]);
        let names = make_unique(
            ["City", "City", "Base"].map(String::from).to_vec(),
            |i| i == 1,
            &["Base".to_string()],
            Suffix::Camel,
        );
        assert_eq!(names, ["City2", "City", "Base2"]);
        // `city_id` (no conversion) keeps its name before `cityId` (converted).
        let names = unique_idents(
            ["cityId", "city_id"].into_iter(),
            |n| snake_case(n, "c", "_"),
            NONE,
            Suffix::Snake,
        );
        assert_eq!(names, ["city_id_2", "city_id"]);
        // With companions, `city` also claims `city_of`: a base `city_of`
        // (or a reserved `city_of`) pushes the other one to a suffix.
        let names = make_unique_with(
            ["city", "city_of", "sector"].map(String::from).to_vec(),
            |_| false,
            ["sector_of"],
            Suffix::Snake,
            &["_of"],
        );
        assert_eq!(names, ["city", "city_of_2", "sector_2"]);
    }
}
