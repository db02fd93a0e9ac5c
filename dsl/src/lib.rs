//! The nzc schema language.
//!
//! `compile(source, file)` parses a schema file with the pest grammar in
//! `grammar.pest`, builds a spanned AST, runs the validation passes and returns
//! the resolved [`Schema`] — or every problem found, as [`Diagnostics`].
//! Pest pairs never leave this crate; nothing here does IO.

pub mod model;

pub use model::*;
