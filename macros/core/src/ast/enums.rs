//! The parsed and checked model of a `#[derive(NzcEnum)]` enum.

use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, Ident, LitStr};

use crate::attr::{self, Attr};
use crate::ctxt::Ctxt;

/// A Rust enum mirroring a PostgreSQL enum type.
#[derive(Debug, Clone)]
pub struct Enum {
    /// The enum's name.
    pub ident: Ident,
    /// The PostgreSQL type name (`#[nzc(type_name = "...")]`, default: the enum's name).
    pub type_name: String,
    /// Variants in declaration order (= the order of the PostgreSQL labels).
    pub variants: Vec<Variant>,
}

/// A unit variant and its PostgreSQL label.
#[derive(Debug, Clone)]
pub struct Variant {
    pub ident: Ident,
    /// The label (`#[nzc(rename = "...")]`, default: the variant's name).
    pub value: String,
}

const ENUM_ATTRS: &[&str] = &["type_name"];
const VARIANT_ATTRS: &[&str] = &["rename"];

impl Enum {
    /// Reads and checks the derive input. Returns `None` if it is not an enum;
    /// any other problem is only reported to `cx`.
    pub fn from_ast(cx: &Ctxt, input: &DeriveInput) -> Option<Enum> {
        let mut type_name = Attr::<LitStr>::none(cx, "type_name");
        attr::for_each_nzc_meta(cx, &input.attrs, |meta| {
            if meta.path.is_ident("type_name") {
                type_name.set(&meta.path, attr::parse_str(meta)?);
            } else {
                attr::unknown(cx, meta, "enum", ENUM_ATTRS)?;
            }
            Ok(())
        });
        let type_name = match type_name.get() {
            Some(lit) => {
                attr::check_ident(cx, lit.span(), "type name", &lit.value());
                lit.value()
            }
            None => input.ident.unraw().to_string(),
        };
        if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
            cx.error_spanned_by(
                &input.generics,
                "generic enums are not supported: NzcEnum mirrors one PostgreSQL enum type",
            );
        }

        let data = match &input.data {
            Data::Enum(data) => data,
            Data::Struct(s) => {
                cx.error_spanned_by(
                    s.struct_token,
                    "structs are not supported: NzcEnum needs an enum with unit variants; for a table derive NzcModel",
                );
                return None;
            }
            Data::Union(u) => {
                cx.error_spanned_by(
                    u.union_token,
                    "unions are not supported: NzcEnum needs an enum with unit variants",
                );
                return None;
            }
        };
        if data.variants.is_empty() {
            cx.error_spanned_by(
                &input.ident,
                "an NzcEnum needs at least one variant (a PostgreSQL enum label)",
            );
        }

        let mut variants: Vec<Variant> = Vec::new();
        for v in &data.variants {
            if !matches!(v.fields, Fields::Unit) {
                cx.error_spanned_by(
                    &v.fields,
                    format!(
                        "variant `{}` has fields: NzcEnum supports unit variants only (one per PostgreSQL label)",
                        v.ident
                    ),
                );
            }
            let mut rename = Attr::<LitStr>::none(cx, "rename");
            attr::for_each_nzc_meta(cx, &v.attrs, |meta| {
                if meta.path.is_ident("rename") {
                    rename.set(&meta.path, attr::parse_str(meta)?);
                } else {
                    attr::unknown(cx, meta, "variant", VARIANT_ATTRS)?;
                }
                Ok(())
            });
            let (value, span) = match rename.get() {
                Some(lit) => (lit.value(), lit.span()),
                None => (v.ident.unraw().to_string(), v.ident.span()),
            };
            attr::check_ident(cx, span, "enum label", &value);
            if let Some(prev) = variants.iter().find(|p| p.value == value) {
                cx.error_at(
                    span,
                    format!(
                        "duplicate enum label `{value}`: variant `{}` has it already",
                        prev.ident
                    ),
                );
            }
            variants.push(Variant {
                ident: v.ident.clone(),
                value,
            });
        }

        Some(Enum {
            ident: input.ident.clone(),
            type_name,
            variants,
        })
    }
}
