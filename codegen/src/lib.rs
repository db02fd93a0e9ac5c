//! Pure generators from the validated schema model ([`nzc_dsl::Schema`]).
//!
//! Every function here takes the model and returns text (or a list of files);
//! nothing here touches the file system or a database.

use std::fmt::Write as _;

pub mod dbml;
pub mod diff;
pub mod docs;
pub mod mermaid;
pub mod migration;
mod names;
pub mod plan;
pub mod python;
mod relations;
pub mod rust;
pub mod schema_file;
pub mod sql;
pub mod svg;

/// A generated file: a path relative to the output directory, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// A TOML basic string (`Cargo.toml`, `pyproject.toml`).
pub(crate) fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
