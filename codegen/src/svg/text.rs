//! Text measurement and XML escaping for the SVG diagram.
//!
//! All text is set in the generic monospace family, whose fonts advance every
//! character by the same width: about 0.6 em (DejaVu Sans Mono 0.602, Liberation
//! Mono and Courier 0.600, Menlo 0.602, Consolas 0.550, SF Mono 0.600). The width
//! table is therefore: one cell of [`CHAR_EM`] em per character, two for East
//! Asian wide characters, none for combining marks (`unicode-width`). `CHAR_EM`
//! is a little above the widest of those fonts, so text measured here fits in a
//! real browser too.

use unicode_width::UnicodeWidthChar;

/// Advance of one character cell, in em.
pub const CHAR_EM: f64 = 0.62;

/// The width of `text` set at `size` pixels.
pub fn width(text: &str, size: f64) -> f64 {
    cells(text) as f64 * CHAR_EM * size
}

/// The number of character cells of `text` (after [`clean`]).
pub fn cells(text: &str) -> usize {
    text.chars().map(|c| cell(clean_char(c))).sum()
}

fn cell(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

fn clean_char(c: char) -> char {
    if c.is_control() {
        ' '
    } else {
        c
    }
}

/// `text` on one line: control characters (line breaks included) become spaces.
pub fn clean(text: &str) -> String {
    text.chars().map(clean_char).collect()
}

/// Whether XML 1.0 allows `c` in a document.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes character data (element content).
pub fn push_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Escapes an attribute value (in double quotes); line breaks and tabs are kept
/// as character references, so the value reads back exactly.
pub fn push_attr(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// A coordinate: at most one decimal, no trailing `.0`, no `-0`.
pub fn push_num(out: &mut String, v: f64) {
    use std::fmt::Write as _;
    let tenths = (v * 10.0).round() as i64;
    if tenths < 0 {
        out.push('-');
    }
    let a = tenths.unsigned_abs();
    let _ = write!(out, "{}", a / 10);
    if !a.is_multiple_of(10) {
        let _ = write!(out, ".{}", a % 10);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let n = |v: f64| {
            let mut s = String::new();
            push_num(&mut s, v);
            s
        };
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.25), "12.3");
        assert_eq!(n(-0.01), "0");
        assert_eq!(n(-3.5), "-3.5");
        assert_eq!(n(0.04), "0");
    }

    #[test]
    fn widths() {
        assert_eq!(cells("cityId"), 6);
        assert_eq!(cells("都市"), 4);
        assert_eq!(cells("a\nb"), 3);
        assert!((width("abc", 10.0) - 18.6).abs() < 1e-9);
    }

    #[test]
    fn escaping() {
        let mut s = String::new();
        push_attr(&mut s, "a\"<&>\n\u{1}");
        assert_eq!(s, "a&quot;&lt;&amp;&gt;&#10;\u{FFFD}");
        let mut s = String::new();
        push_text(&mut s, "x < y & \"z\"");
        assert_eq!(s, "x &lt; y &amp; \"z\"");
    }
}
