//! `#[derive(NzcModel)]`: table metadata, `from_row`, a column constant per
//! field and the query methods.
//!
//! The expansion is glue only: every method is a one-line call into the
//! runtime (`::nzc::__private::…`, generic over `nzc::Model`), which holds
//! the SQL building and the database work. Per model, the expansion adds the
//! field list twice (values, column types) and one small wrapper per method,
//! so a crate of many models stays quick to build.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::{Field, ForeignKey, Model, UniqueKey};

/// The whole expansion for one model.
pub fn generate(m: &Model) -> TokenStream {
    let inherent = inherent_impl(m);
    let model_impl = model_trait_impl(m);
    quote! {
        #inherent
        #model_impl
    }
}

/// `Result<T, nzc::Error>`.
fn result(t: TokenStream) -> TokenStream {
    quote!(::std::result::Result<#t, ::nzc::Error>)
}

/// The fields of the primary key, in key order.
fn key_fields(m: &Model) -> Vec<&Field> {
    m.primary_key
        .iter()
        .map(|c| {
            m.fields
                .iter()
                .find(|f| &f.column == c)
                .expect("a checked model's key columns are fields")
        })
        .collect()
}

/// The type of the primary key: the field's type, or a tuple.
fn key_type(m: &Model) -> TokenStream {
    let keys = key_fields(m);
    match keys.as_slice() {
        [one] => {
            let ty = &one.ty;
            quote!(#ty)
        }
        many => {
            let tys = many.iter().map(|f| &f.ty);
            quote!((#(#tys,)*))
        }
    }
}

/// `impl T { TABLE, COLUMNS, PRIMARY_KEY, <column constants>, from_row,
/// query, insert, … }` — usable without importing `nzc::Model`.
fn inherent_impl(m: &Model) -> TokenStream {
    let ident = &m.ident;
    let table = &m.table;
    let columns = m.fields.iter().map(|f| &f.column);
    let primary_key = &m.primary_key;
    let from_row_body = from_row_body(m);
    let table_doc = format!(" The table `{table}`.");
    let column_consts = m.fields.iter().map(|f| {
        let Field {
            column,
            ty,
            const_ident,
            ..
        } = f;
        let doc = format!(" The column `{column}`.");
        quote! {
            #[doc = #doc]
            pub const #const_ident: ::nzc::Column<Self, #ty> = ::nzc::Column::new(#column);
        }
    });
    let methods = query_methods(m);
    let unique_methods = m
        .unique_keys
        .iter()
        .enumerate()
        .map(|(i, u)| unique_methods(m, i, u));
    quote! {
        #[automatically_derived]
        impl #ident {
            #[doc = #table_doc]
            pub const TABLE: &'static str = #table;
            /// Column names, in field order.
            pub const COLUMNS: &'static [&'static str] = &[#(#columns),*];
            /// Primary key column names, in key order.
            pub const PRIMARY_KEY: &'static [&'static str] = &[#(#primary_key),*];
            #(#column_consts)*

            /// Reads a value from a row that has (at least) the columns in
            /// [`Self::COLUMNS`], by name.
            pub fn from_row(
                row: &::nzc::Row,
            ) -> ::std::result::Result<Self, ::nzc::Error> {
                #from_row_body
            }

            #methods
            #(#unique_methods)*
        }
    }
}

/// `query`, `insert`, `insert_many`, `get`, `update`, `delete`, `list`, `upsert`.
fn query_methods(m: &Model) -> TokenStream {
    let key = key_type(m);
    let unit = result(quote!(()));
    let count = result(quote!(u64));
    let flag = result(quote!(bool));
    let one = result(quote!(Self));
    let opt = result(quote!(::std::option::Option<Self>));
    let all = result(quote!(::std::vec::Vec<Self>));
    let upserted = result(quote!(::nzc::UpsertCount));
    quote! {
        /// A filter builder over the table (see `nzc::Query`).
        pub fn query() -> ::nzc::Query<Self> {
            ::nzc::Query::new()
        }

        /// Inserts this row.
        pub async fn insert(&self, db: &impl ::nzc::GenericClient) -> #unit {
            ::nzc::__private::insert(db, self).await
        }

        /// Inserts `rows` with one binary COPY: all of them or none. Returns
        /// the number of rows inserted.
        pub async fn insert_many(db: &impl ::nzc::GenericClient, rows: &[Self]) -> #count {
            ::nzc::__private::insert_many(db, rows).await
        }

        /// The row with primary key `key`, if any.
        pub async fn get(
            db: &impl ::nzc::GenericClient,
            key: impl ::std::borrow::Borrow<#key>,
        ) -> #opt {
            ::nzc::__private::get_by_key::<Self>(db, ::std::borrow::Borrow::borrow(&key)).await
        }

        /// Writes every non-key column of the row with this primary key;
        /// `false` if there is no such row.
        pub async fn update(&self, db: &impl ::nzc::GenericClient) -> #flag {
            ::nzc::__private::update(db, self).await
        }

        /// Deletes the row with primary key `key`; `false` if there was none.
        pub async fn delete(
            db: &impl ::nzc::GenericClient,
            key: impl ::std::borrow::Borrow<#key>,
        ) -> #flag {
            ::nzc::__private::delete_by_key::<Self>(db, ::std::borrow::Borrow::borrow(&key)).await
        }

        /// Every row, ordered by primary key.
        pub async fn list(db: &impl ::nzc::GenericClient) -> #all {
            ::nzc::__private::list::<Self>(db).await
        }

        /// Inserts this row, or updates every non-key column of the row with
        /// the same primary key. Returns the row as stored.
        pub async fn upsert(&self, db: &impl ::nzc::GenericClient) -> #one {
            ::nzc::__private::upsert(db, self).await
        }

        /// `upsert` of every row in one statement, all or nothing; of rows
        /// with the same primary key the last one wins. Returns how many
        /// rows were inserted and updated.
        pub async fn upsert_many(db: &impl ::nzc::GenericClient, rows: &[Self]) -> #upserted {
            ::nzc::__private::upsert_many(db, rows).await
        }
    }
}

/// `find_by_<cols>` and `upsert_by_<cols>` for the `index`-th unique constraint.
fn unique_methods(m: &Model, index: usize, u: &UniqueKey) -> TokenStream {
    let find = format_ident!("find_by_{}", u.method_suffix);
    let upsert = format_ident!("upsert_by_{}", u.method_suffix);
    let upsert_many = format_ident!("upsert_many_by_{}", u.method_suffix);
    let fields: Vec<&Field> = u
        .columns
        .iter()
        .map(|c| {
            m.fields
                .iter()
                .find(|f| &f.column == c)
                .expect("a checked model's key columns are fields")
        })
        .collect();
    let args = fields.iter().map(|f| {
        let (member, ty) = (&f.member, &f.ty);
        quote!(#member: impl ::nzc::IntoParam<#ty>)
    });
    let params = fields.iter().map(|f| {
        let member = &f.member;
        quote!(::nzc::IntoParam::into_param(#member))
    });
    let name = &u.name;
    let find_doc = format!(
        " The row with these values of unique constraint `{name}`, if any (`None` matches NULL)."
    );
    let upsert_doc = format!(
        " Inserts this row, or on a conflict with unique constraint `{name}` updates the other non-key columns of the existing row. Returns the row as stored (with the existing row's primary key). A row with a NULL in the constraint's columns is matched NULL-safely (the row `find_by` returns is updated, else the row is inserted); see the `nzc` crate docs on NULL in a unique key."
    );
    let upsert_many_doc = format!(
        " `{upsert}` of every row in one statement, all or nothing; of rows with the same values of `{name}` the last one wins. Returns how many rows were inserted and updated."
    );
    let opt = result(quote!(::std::option::Option<Self>));
    let one = result(quote!(Self));
    let upserted = result(quote!(::nzc::UpsertCount));
    quote! {
        #[doc = #upsert_many_doc]
        pub async fn #upsert_many(db: &impl ::nzc::GenericClient, rows: &[Self]) -> #upserted {
            ::nzc::__private::upsert_many_by(db, rows, #index).await
        }

        #[doc = #find_doc]
        pub async fn #find(db: &impl ::nzc::GenericClient, #(#args),*) -> #opt {
            ::nzc::__private::find_by::<Self>(db, #index, &[#(#params),*]).await
        }

        #[doc = #upsert_doc]
        pub async fn #upsert(&self, db: &impl ::nzc::GenericClient) -> #one {
            ::nzc::__private::upsert_by(db, self, #index).await
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

/// `impl ::nzc::Model for T`, delegating to the inherent items, plus the glue
/// the runtime reads: the key type, the statements (built once, in a
/// `static`), the values in column order and the values of a key.
fn model_trait_impl(m: &Model) -> TokenStream {
    let ident = &m.ident;
    let foreign_keys = m.foreign_keys.iter().map(foreign_key_info);
    let unique_keys = m.unique_keys.iter().map(unique_key_info);
    let key = key_type(m);
    let value = quote!(::nzc::__private::Value<'_>);
    let types = m.fields.iter().map(|f| {
        let ty = &f.ty;
        quote!(::nzc::__private::column::<#ty>())
    });
    // Spanned at the field's type, so that a type without `ToSql` is
    // blamed there.
    let values = m.fields.iter().map(|f| {
        let member = &f.member;
        quote_spanned!(f.ty.span()=> &self.#member as #value)
    });
    let key_values = match m.primary_key.len() {
        1 => quote!(::std::vec![key as #value]),
        n => {
            let idx = (0..n).map(syn::Index::from);
            quote!(::std::vec![#(&key.#idx as #value),*])
        }
    };
    quote! {
        #[automatically_derived]
        impl ::nzc::Model for #ident {
            const TABLE: &'static str = #ident::TABLE;
            const COLUMNS: &'static [&'static str] = #ident::COLUMNS;
            const PRIMARY_KEY: &'static [&'static str] = #ident::PRIMARY_KEY;
            const FOREIGN_KEYS: &'static [::nzc::ForeignKeyInfo] = &[#(#foreign_keys),*];
            const UNIQUE_KEYS: &'static [::nzc::UniqueKeyInfo] = &[#(#unique_keys),*];
            type Key = #key;

            fn from_row(
                row: &::nzc::Row,
            ) -> ::std::result::Result<Self, ::nzc::Error> {
                #ident::from_row(row)
            }

            fn __statements() -> &'static ::nzc::__private::Statements {
                static STATEMENTS: ::std::sync::OnceLock<::nzc::__private::Statements> =
                    ::std::sync::OnceLock::new();
                STATEMENTS.get_or_init(|| {
                    ::nzc::__private::Statements::new::<Self>(::std::vec![#(#types),*])
                })
            }

            fn __values(&self) -> ::std::vec::Vec<#value> {
                ::std::vec![#(#values),*]
            }

            fn __key_values(key: &Self::Key) -> ::std::vec::Vec<#value> {
                #key_values
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
    let UniqueKey {
        name,
        columns,
        nulls_not_distinct,
        ..
    } = uk;
    quote! {
        ::nzc::UniqueKeyInfo {
            name: #name,
            columns: &[#(#columns),*],
            nulls_not_distinct: #nulls_not_distinct,
        }
    }
}
