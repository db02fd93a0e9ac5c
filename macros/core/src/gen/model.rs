//! `#[derive(NzcModel)]`: the table metadata and `from_row`.
//!
//! Each part of the expansion is its own function over [`Model`], so that
//! query helpers (insert, get, update, delete, list, upsert, filters) can be
//! added as further parts without touching the others.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::{ForeignKey, Model, UniqueKey};

/// The whole expansion for one model.
pub fn generate(m: &Model) -> TokenStream {
    let inherent = inherent_impl(m);
    let model_impl = model_trait_impl(m);
    quote! {
        #inherent
        #model_impl
    }
}

/// `impl T { TABLE, COLUMNS, PRIMARY_KEY, from_row }` — usable without
/// importing `nzc::Model`.
fn inherent_impl(m: &Model) -> TokenStream {
    let ident = &m.ident;
    let table = &m.table;
    let columns = m.fields.iter().map(|f| &f.column);
    let primary_key = &m.primary_key;
    let from_row_body = from_row_body(m);
    let table_doc = format!(" The table `{table}`.");
    quote! {
        #[automatically_derived]
        impl #ident {
            #[doc = #table_doc]
            pub const TABLE: &'static str = #table;
            /// Column names, in field order.
            pub const COLUMNS: &'static [&'static str] = &[#(#columns),*];
            /// Primary key column names, in key order.
            pub const PRIMARY_KEY: &'static [&'static str] = &[#(#primary_key),*];

            /// Reads a value from a row that has (at least) the columns in
            /// [`Self::COLUMNS`], by name.
            pub fn from_row(
                row: &::nzc::Row,
            ) -> ::std::result::Result<Self, ::nzc::Error> {
                #from_row_body
            }
        }
    }
}

/// The body of `from_row`: one `get` per field, by column name; a failure
/// names the column (`nzc::Error::Decode`).
fn from_row_body(m: &Model) -> TokenStream {
    let inits = m.fields.iter().map(|f| {
        let member = &f.member;
        let column = &f.column;
        let ty = &f.ty;
        quote! {
            #member: ::nzc::__private::get::<#ty>(row, #column)?
        }
    });
    quote! {
        ::std::result::Result::Ok(Self {
            #(#inits,)*
        })
    }
}

/// `impl ::nzc::Model for T`, delegating to the inherent items.
fn model_trait_impl(m: &Model) -> TokenStream {
    let ident = &m.ident;
    let foreign_keys = m.foreign_keys.iter().map(foreign_key_info);
    let unique_keys = m.unique_keys.iter().map(unique_key_info);
    quote! {
        #[automatically_derived]
        impl ::nzc::Model for #ident {
            const TABLE: &'static str = #ident::TABLE;
            const COLUMNS: &'static [&'static str] = #ident::COLUMNS;
            const PRIMARY_KEY: &'static [&'static str] = #ident::PRIMARY_KEY;
            const FOREIGN_KEYS: &'static [::nzc::ForeignKeyInfo] = &[#(#foreign_keys),*];
            const UNIQUE_KEYS: &'static [::nzc::UniqueKeyInfo] = &[#(#unique_keys),*];

            fn from_row(
                row: &::nzc::Row,
            ) -> ::std::result::Result<Self, ::nzc::Error> {
                #ident::from_row(row)
            }
        }
    }
}

fn foreign_key_info(fk: &ForeignKey) -> TokenStream {
    let ForeignKey {
        name,
        columns,
        ref_table,
        ref_columns,
    } = fk;
    quote! {
        ::nzc::ForeignKeyInfo {
            name: #name,
            columns: &[#(#columns),*],
            ref_table: #ref_table,
            ref_columns: &[#(#ref_columns),*],
        }
    }
}

fn unique_key_info(uk: &UniqueKey) -> TokenStream {
    let UniqueKey { name, columns } = uk;
    quote! {
        ::nzc::UniqueKeyInfo {
            name: #name,
            columns: &[#(#columns),*],
        }
    }
}
