//! `#[derive(NzcModel)]` and `#[derive(NzcEnum)]`.
//!
//! This crate is only the `proc-macro = true` shell: each entry point hands
//! its input to `nzc-macros-core`, where parsing, checking and generation
//! live (and are unit-tested). Use the derives through the `nzc` crate
//! (`nzc::NzcModel`, `nzc::NzcEnum`); the generated code refers to `::nzc`.
//! The attributes are documented on `nzc::NzcModel` / `nzc::NzcEnum`.

use proc_macro::TokenStream;

/// Derives `nzc::Model` (table metadata and `from_row`) for a struct that
/// mirrors one table. See the `nzc` crate for the attributes.
#[proc_macro_derive(NzcModel, attributes(nzc))]
pub fn derive_nzc_model(input: TokenStream) -> TokenStream {
    nzc_macros_core::expand_model(input.into()).into()
}

/// Derives `as_str`, `VALUES`, `Display`, `FromStr`, `nzc::PgEnum` and the
/// `ToSql` / `FromSql` impls for a Rust enum that mirrors a PostgreSQL enum.
/// See the `nzc` crate for the attributes.
#[proc_macro_derive(NzcEnum, attributes(nzc))]
pub fn derive_nzc_enum(input: TokenStream) -> TokenStream {
    nzc_macros_core::expand_enum(input.into()).into()
}
