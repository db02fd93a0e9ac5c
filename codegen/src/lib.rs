//! Pure generators from the validated schema model ([`nzc_dsl::Schema`]).
//!
//! Every function here takes the model and returns text (or a list of files);
//! nothing here touches the file system or a database.

pub mod dbml;
pub mod diff;
pub mod mermaid;
pub mod migration;
pub mod python;
pub mod rust;
pub mod schema_file;
pub mod sql;

/// A generated file: a path relative to the output directory, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}
