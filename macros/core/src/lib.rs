//! The implementation of nzc's derives, free of `proc_macro` so that it can
//! be unit-tested: [`expand_model`] and [`expand_enum`] take and return
//! `proc_macro2::TokenStream`; the `nzc-macros` crate is a thin shell around
//! them.
//!
//! Each derive goes the same way (as serde_derive does):
//! 1. parse the input with syn;
//! 2. build a checked model ([`ast::Model`], [`ast::Enum`]) while every
//!    problem is reported to a [`ctxt::Ctxt`], each with the span of the
//!    offending attribute, field or type;
//! 3. if there was any problem, emit all of them as `compile_error!`s;
//!    otherwise generate code from the model ([`gen`]).
//!
//! The attributes are documented in the `nzc` crate, where users see them.

pub mod ast;
pub mod attr;
pub mod ctxt;
pub mod gen;

use proc_macro2::TokenStream;
use syn::DeriveInput;

use crate::ctxt::Ctxt;

/// `#[derive(NzcModel)]`.
pub fn expand_model(input: TokenStream) -> TokenStream {
    expand(input, ast::Model::from_ast, gen::model::generate)
}

/// `#[derive(NzcEnum)]`.
pub fn expand_enum(input: TokenStream) -> TokenStream {
    expand(input, ast::Enum::from_ast, gen::enums::generate)
}

fn expand<M>(
    input: TokenStream,
    parse: impl FnOnce(&Ctxt, &DeriveInput) -> Option<M>,
    generate: impl FnOnce(&M) -> TokenStream,
) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    let cx = Ctxt::new();
    let model = parse(&cx, &input);
    match (cx.check(), model) {
        (Ok(()), Some(model)) => generate(&model),
        (Err(errors), _) => errors.to_compile_error(),
        (Ok(()), None) => unreachable!("a derive input was refused without an error"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// Pretty-prints an expansion (or the `compile_error!`s it consists of).
    fn pretty(tokens: TokenStream) -> String {
        let file: syn::File = syn::parse2(tokens).expect("the expansion parses as items");
        prettyplease::unparse(&file)
    }

    /// The messages of an expansion that failed.
    fn errors(tokens: TokenStream) -> Vec<String> {
        let file: syn::File = syn::parse2(tokens).expect("compile_error!s parse as items");
        file.items
            .iter()
            .map(|item| match item {
                syn::Item::Macro(m)
                    if m.mac
                        .path
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "compile_error") =>
                {
                    syn::parse2::<syn::LitStr>(m.mac.tokens.clone())
                        .expect("compile_error! takes a string")
                        .value()
                }
                other => panic!("not a compile_error!: {}", quote!(#other)),
            })
            .collect()
    }

    fn emission_record() -> TokenStream {
        quote! {
            #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize, ::nzc::NzcModel)]
            #[serde(rename_all = "camelCase")]
            #[nzc(table = "EmissionRecord")]
            #[nzc(unique(name = "uq_EmissionRecord_cityId", columns("cityId", "year", "sectorId", "scope", "ghgType")))]
            pub struct EmissionRecord {
                #[nzc(primary_key, column = "emissionRecordId")]
                pub emission_record_id: ::uuid::Uuid,
                #[nzc(column = "cityId", references = "City.cityId", foreign_key_name = "fk_EmissionRecord_cityId_City")]
                pub city_id: ::std::option::Option<::uuid::Uuid>,
                pub year: i32,
                #[nzc(column = "sectorId", references = "Sector.sectorId")]
                pub sector_id: ::std::option::Option<::uuid::Uuid>,
                pub scope: ::std::string::String,
                #[nzc(column = "ghgType")]
                pub ghg_type: ::std::string::String,
                pub value: i32,
                pub unit: ::std::string::String,
                pub notes: ::std::option::Option<::std::string::String>,
                pub misc: ::std::option::Option<::serde_json::Value>,
            }
        }
    }

    #[test]
    fn emission_record_expansion() {
        insta::assert_snapshot!(pretty(expand_model(emission_record())));
    }

    #[test]
    fn composite_keys_expansion() {
        let input = quote! {
            #[nzc(table = "InitiativeTef")]
            #[nzc(primary_key("initiativeId", "tefId"))]
            #[nzc(foreign_key(name = "fk_InitiativeTef_x_Pair", columns("initiativeId", "tefId"), references = "Pair", ref_columns("a", "b")))]
            pub struct InitiativeTef {
                #[nzc(column = "initiativeId")]
                pub initiative_id: ::uuid::Uuid,
                #[nzc(column = "tefId")]
                pub tef_id: ::uuid::Uuid,
                #[nzc(enum)]
                pub scope: ::std::option::Option<crate::Scope>,
                pub r#type: ::std::string::String,
            }
        };
        insta::assert_snapshot!(pretty(expand_model(input)));
    }

    #[test]
    fn enum_expansion() {
        let input = quote! {
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize, ::nzc::NzcEnum)]
            #[nzc(type_name = "Scope")]
            pub enum Scope {
                #[nzc(rename = "scope 1")]
                #[serde(rename = "scope 1")]
                Scope1,
                Scope2,
            }
        };
        insta::assert_snapshot!(pretty(expand_enum(input)));
    }

    #[test]
    fn nulls_not_distinct_reaches_the_unique_key_info() {
        let input = quote! {
            #[nzc(unique(name = "uq_T_a", columns("a", "b"), nulls_not_distinct))]
            #[nzc(unique(name = "uq_T_b", columns("b")))]
            struct T {
                #[nzc(primary_key)]
                id: i32,
                a: ::std::option::Option<i32>,
                b: i32,
            }
        };
        let out = pretty(expand_model(input));
        assert!(
            out.contains("name: \"uq_T_a\",\n            columns: &[\"a\", \"b\"],\n            nulls_not_distinct: true,"),
            "{out}"
        );
        assert!(out.contains("nulls_not_distinct: false"), "{out}");
        assert!(out.contains("pub async fn upsert_many_by_a_b("), "{out}");
        assert!(out.contains("pub async fn upsert_many("), "{out}");
    }

    #[test]
    fn default_names_follow_the_convention() {
        let input = quote! {
            #[nzc(unique(columns("cityId", "year")))]
            struct Stat {
                #[nzc(primary_key)]
                id: ::uuid::Uuid,
                #[nzc(column = "cityId", references = "City.cityId")]
                city_id: ::uuid::Uuid,
                year: i32,
            }
        };
        let cx = Ctxt::new();
        let model = ast::Model::from_ast(&cx, &syn::parse2(input).unwrap()).unwrap();
        cx.check().unwrap();
        assert_eq!(model.table, "Stat");
        assert_eq!(model.columns(), ["id", "cityId", "year"]);
        assert_eq!(model.unique_keys[0].name, "uq_Stat_cityId");
        assert_eq!(model.foreign_keys[0].name, "fk_Stat_cityId_City");
        assert_eq!(model.foreign_keys[0].ref_columns, ["cityId"]);
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let input = quote! {
            #[nzc(tabel = "X", table = "A", table = "B")]
            #[nzc(unique(columns("nope")), foreign_key(columns("a"), ref_columns("x", "y")))]
            struct X {
                #[nzc(colum = "a", primary_key = true)]
                a: ::std::collections::HashMap<String, i32>,
                #[nzc(enum)]
                b: String,
                c: Option<Option<i32>>,
                #[nzc(foreign_key_name = "fk")]
                d: i32,
                #[nzc(references = "nodot")]
                e: i32,
            }
        };
        let errors = errors(expand_model(input));
        insta::assert_debug_snapshot!(errors);
    }

    #[test]
    fn refused_shapes() {
        let cases = [
            quote!(
                struct T(i32);
            ),
            quote!(
                struct T;
            ),
            quote!(
                enum T {
                    A,
                }
            ),
            quote!(
                struct T<U> {
                    #[nzc(primary_key)]
                    id: U,
                }
            ),
            quote!(
                struct T {
                    id: i32,
                }
            ),
            quote!(
                #[nzc(primary_key("id"))]
                struct T {
                    #[nzc(primary_key)]
                    id: i32,
                }
            ),
            quote!(
                struct T {
                    #[nzc(primary_key)]
                    id: Option<i32>,
                }
            ),
            quote!(
                struct T {
                    #[nzc(primary_key)]
                    id: i32,
                    #[nzc(column = "id")]
                    other: i32,
                }
            ),
            quote!(
                #[nzc(
                    table = "a_table_name_that_is_much_longer_than_sixty_three_bytes_in_postgres"
                )]
                struct T {
                    #[nzc(primary_key)]
                    id: i32,
                }
            ),
            quote!(
                #[nzc]
                struct T {
                    #[nzc(primary_key)]
                    id: i32,
                }
            ),
            quote!(
                #[nzc(table = T)]
                struct T {
                    #[nzc(primary_key)]
                    id: i32,
                }
            ),
        ];
        let all: Vec<Vec<String>> = cases.into_iter().map(|c| errors(expand_model(c))).collect();
        insta::assert_debug_snapshot!(all);
    }

    #[test]
    fn too_long_default_names_must_be_given() {
        let input = quote! {
            #[nzc(table = "AVeryLongTableNameForTesting")]
            #[nzc(unique(columns("aVeryLongColumnNameAsWellForTesting")))]
            struct T {
                #[nzc(primary_key)]
                id: i32,
                #[nzc(references = "AnotherVeryLongTableName.id")]
                #[nzc(column = "aVeryLongColumnNameAsWellForTesting")]
                x: i32,
            }
        };
        insta::assert_debug_snapshot!(errors(expand_model(input)));
    }

    #[test]
    fn generated_names_must_not_collide() {
        let input = quote! {
            #[nzc(unique(name = "uq_a", columns("cityId", "year")))]
            #[nzc(unique(name = "uq_b", columns("cityId", "year")))]
            struct T {
                #[nzc(primary_key)]
                id: i32,
                #[nzc(column = "cityId")]
                city_id: i32,
                year: i32,
                #[nzc(column = "t")]
                table: i32,
                #[nzc(column = "pk")]
                primary_key: i32,
                #[nzc(column = "a")]
                some_field: i32,
                #[nzc(column = "b")]
                someField: i32,
            }
        };
        insta::assert_debug_snapshot!(errors(expand_model(input)));
    }

    #[test]
    fn column_constants_and_method_names() {
        let input = quote! {
            #[nzc(unique(columns("areaKm2", "type")))]
            struct T {
                #[nzc(primary_key, column = "cityId")]
                city_id: i32,
                #[nzc(column = "areaKm2")]
                area_km2: i32,
                r#type: i32,
            }
        };
        let cx = Ctxt::new();
        let model = ast::Model::from_ast(&cx, &syn::parse2(input).unwrap()).unwrap();
        cx.check().unwrap();
        let consts: Vec<String> = model
            .fields
            .iter()
            .map(|f| f.const_ident.to_string())
            .collect();
        assert_eq!(consts, ["CITY_ID", "AREA_KM2", "TYPE"]);
        assert_eq!(model.unique_keys[0].method_suffix, "area_km2_type");
    }

    #[test]
    fn refused_enums() {
        let cases = [
            quote!(
                struct T {
                    a: i32,
                }
            ),
            quote!(
                enum T {}
            ),
            quote!(
                enum T {
                    A(i32),
                    B { x: i32 },
                }
            ),
            quote!(
                enum T {
                    #[nzc(rename = "B")]
                    A,
                    B,
                }
            ),
            quote!(
                #[nzc(name = "x")]
                enum T {
                    #[nzc(rename = "a", rename = "b")]
                    A,
                }
            ),
            quote!(
                enum T<U> {
                    A,
                }
            ),
        ];
        let all: Vec<Vec<String>> = cases.into_iter().map(|c| errors(expand_enum(c))).collect();
        insta::assert_debug_snapshot!(all);
    }
}
