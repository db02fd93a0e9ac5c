//! The nzc schema language.
//!
//! [`compile`] parses a schema file with the pest grammar in `grammar.pest`,
//! builds a spanned AST, runs the validation passes and returns the resolved
//! [`Schema`] — or every problem found, as [`Diagnostics`]. Pest pairs never
//! leave this crate; nothing here does IO.

pub mod ast;
pub mod diagnostics;
mod fmt;
pub mod model;
pub mod naming;
mod parser;
mod validate;

pub use diagnostics::{Code, Diagnostic, Diagnostics};
pub use model::*;

/// Parses a file into its syntax tree (for the formatter), or its syntax errors.
pub fn parse(source: &str, file_name: &str) -> Result<ast::File, Diagnostics> {
    parser::parse(source).map_err(|list| Diagnostics::new(file_name, source, list))
}

/// Parses and validates a schema file: the resolved model, or every problem
/// found (syntax errors first; validation runs once the syntax is right).
pub fn compile(source: &str, file_name: &str) -> Result<Schema, Diagnostics> {
    let file = parse(source, file_name)?;
    validate::validate(&file).map_err(|list| Diagnostics::new(file_name, source, list))
}

/// Formats a schema file in the canonical layout (`nzc fmt`). Only syntax is
/// checked: a file with validation errors can still be formatted.
pub fn format(source: &str, file_name: &str) -> Result<String, Diagnostics> {
    parse(source, file_name).map(|file| fmt::format_file(&file))
}

/// Whether `s` is an identifier of the schema language (`[A-Za-z_][A-Za-z0-9_]*`).
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A string literal of the schema language: `"`, `\`, line feeds and tabs
/// escaped; the grammar takes every other character as it is.
pub fn quote_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
