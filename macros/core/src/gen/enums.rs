//! `#[derive(NzcEnum)]`: labels, `Display` / `FromStr`, `nzc::PgEnum`, `nzc::SqlType` and
//! the `ToSql` / `FromSql` impls (through `::nzc::__private`, so the user's
//! crate needs no direct postgres-types dependency).

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::Enum;

/// The whole expansion for one enum.
pub fn generate(e: &Enum) -> TokenStream {
    let parts = [
        inherent_impl(e),
        pg_enum_impl(e),
        display_from_str_impls(e),
        sql_impls(e),
        sql_type_impl(e),
    ];
    quote!(#(#parts)*)
}

/// `impl E { TYPE_NAME, VALUES, as_str }` — usable without importing `nzc::PgEnum`.
fn inherent_impl(e: &Enum) -> TokenStream {
    let ident = &e.ident;
    let type_name = &e.type_name;
    let values = e.variants.iter().map(|v| &v.value);
    let arms = e.variants.iter().map(|v| {
        let variant = &v.ident;
        let value = &v.value;
        quote!(#ident::#variant => #value)
    });
    let type_doc = format!(" The PostgreSQL enum type `{type_name}`.");
    quote! {
        #[automatically_derived]
        impl #ident {
            #[doc = #type_doc]
            pub const TYPE_NAME: &'static str = #type_name;
            /// The labels of the PostgreSQL enum, in declaration order.
            pub const VALUES: &'static [&'static str] = &[#(#values),*];

            /// The PostgreSQL label of this value.
            pub const fn as_str(&self) -> &'static str {
                match self {
                    #(#arms,)*
                }
            }
        }
    }
}

fn pg_enum_impl(e: &Enum) -> TokenStream {
    let ident = &e.ident;
    let arms = e.variants.iter().map(|v| {
        let variant = &v.ident;
        let value = &v.value;
        quote!(#value => ::std::option::Option::Some(#ident::#variant))
    });
    quote! {
        #[automatically_derived]
        impl ::nzc::PgEnum for #ident {
            const TYPE_NAME: &'static str = #ident::TYPE_NAME;
            const VALUES: &'static [&'static str] = #ident::VALUES;

            fn as_str(&self) -> &'static str {
                #ident::as_str(self)
            }

            fn from_value(value: &str) -> ::std::option::Option<Self> {
                match value {
                    #(#arms,)*
                    _ => ::std::option::Option::None,
                }
            }
        }
    }
}

fn display_from_str_impls(e: &Enum) -> TokenStream {
    let ident = &e.ident;
    quote! {
        #[automatically_derived]
        impl ::std::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(#ident::as_str(self))
            }
        }

        #[automatically_derived]
        impl ::std::str::FromStr for #ident {
            type Err = ::nzc::ParseEnumError;

            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                ::nzc::__private::enum_from_str::<Self>(s)
            }
        }
    }
}

fn sql_impls(e: &Enum) -> TokenStream {
    let ident = &e.ident;
    quote! {
        #[automatically_derived]
        impl ::nzc::__private::postgres_types::ToSql for #ident {
            fn to_sql(
                &self,
                _ty: &::nzc::__private::postgres_types::Type,
                out: &mut ::nzc::__private::BytesMut,
            ) -> ::std::result::Result<
                ::nzc::__private::postgres_types::IsNull,
                ::nzc::__private::BoxError,
            > {
                ::nzc::__private::enum_to_sql::<Self>(self, out)
            }

            fn accepts(ty: &::nzc::__private::postgres_types::Type) -> bool {
                ::nzc::__private::enum_accepts::<Self>(ty)
            }

            fn to_sql_checked(
                &self,
                ty: &::nzc::__private::postgres_types::Type,
                out: &mut ::nzc::__private::BytesMut,
            ) -> ::std::result::Result<
                ::nzc::__private::postgres_types::IsNull,
                ::nzc::__private::BoxError,
            > {
                ::nzc::__private::enum_to_sql_checked::<Self>(self, ty, out)
            }
        }

        #[automatically_derived]
        impl<'__nzc_raw> ::nzc::__private::postgres_types::FromSql<'__nzc_raw> for #ident {
            fn from_sql(
                _ty: &::nzc::__private::postgres_types::Type,
                raw: &'__nzc_raw [u8],
            ) -> ::std::result::Result<Self, ::nzc::__private::BoxError> {
                ::nzc::__private::enum_from_sql::<Self>(raw)
            }

            fn accepts(ty: &::nzc::__private::postgres_types::Type) -> bool {
                ::nzc::__private::enum_accepts::<Self>(ty)
            }
        }
    }
}

/// `impl nzc::SqlType`: bound with OID 0 (the server infers the enum type),
/// the `Type` built once.
fn sql_type_impl(e: &Enum) -> TokenStream {
    let ident = &e.ident;
    quote! {
        #[automatically_derived]
        impl ::nzc::SqlType for #ident {
            fn sql_type() -> ::nzc::__private::postgres_types::Type {
                static TYPE: ::std::sync::OnceLock<::nzc::__private::postgres_types::Type> =
                    ::std::sync::OnceLock::new();
                ::std::clone::Clone::clone(TYPE.get_or_init(::nzc::__private::enum_type::<Self>))
            }
        }
    }
}
