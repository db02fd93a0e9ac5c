//! Low-level helpers for reading `#[nzc(...)]` attributes with
//! `syn::meta::parse_nested_meta`: values set at most once, string and
//! string-list values, skipping what could not be understood so that
//! parsing can go on and report every error.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::{LitStr, Token};

use crate::ctxt::Ctxt;

/// The name of the attribute the derives read.
pub const NZC: &str = "nzc";

/// PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes.
pub use nzc_types::contract::MAX_IDENT_BYTES;

/// A value that may be given at most once; a second one is reported as a
/// duplicate at the span of the second occurrence.
pub struct Attr<'c, T> {
    cx: &'c Ctxt,
    name: &'static str,
    value: Option<(TokenStream, T)>,
}

impl<'c, T> Attr<'c, T> {
    pub fn none(cx: &'c Ctxt, name: &'static str) -> Self {
        Attr {
            cx,
            name,
            value: None,
        }
    }

    /// Sets the value; `tokens` is what a later error (duplicate or otherwise)
    /// points at.
    pub fn set<A: ToTokens>(&mut self, tokens: A, value: T) {
        let tokens = tokens.into_token_stream();
        if self.value.is_some() {
            self.cx
                .error_spanned_by(tokens, format!("duplicate nzc attribute `{}`", self.name));
        } else {
            self.value = Some((tokens, value));
        }
    }

    pub fn get(self) -> Option<T> {
        self.value.map(|(_, v)| v)
    }

    pub fn get_with_tokens(self) -> Option<(TokenStream, T)> {
        self.value
    }
}

/// A flag (`#[nzc(primary_key)]`).
pub struct BoolAttr<'c>(Attr<'c, ()>);

impl<'c> BoolAttr<'c> {
    pub fn none(cx: &'c Ctxt, name: &'static str) -> Self {
        BoolAttr(Attr::none(cx, name))
    }

    pub fn set_true<A: ToTokens>(&mut self, tokens: A) {
        self.0.set(tokens, ());
    }

    pub fn get(self) -> bool {
        self.0.value.is_some()
    }

    pub fn get_with_tokens(self) -> Option<TokenStream> {
        self.0.value.map(|(t, ())| t)
    }
}

/// Runs `f` on every item of every `#[nzc(...)]` attribute in `attrs`; errors
/// (from `f` or from malformed attributes) go to `cx`.
pub fn for_each_nzc_meta(
    cx: &Ctxt,
    attrs: &[syn::Attribute],
    mut f: impl FnMut(&ParseNestedMeta) -> syn::Result<()>,
) {
    for attr in attrs {
        if !attr.path().is_ident(NZC) {
            continue;
        }
        if let syn::Meta::Path(_) = attr.meta {
            cx.error_spanned_by(attr, "expected `#[nzc(...)]` with arguments");
            continue;
        }
        if let Err(err) = attr.parse_nested_meta(|meta| f(&meta)) {
            cx.syn_error(err);
        }
    }
}

/// The name of a nested meta item, for messages (`foreign_key`, `a::b`).
pub fn meta_name(meta: &ParseNestedMeta) -> String {
    meta.path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// Reports an unknown item and skips its value (`= …` or `(…)`), so the
/// remaining items of the same attribute are still read.
pub fn unknown(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    context: &str,
    known: &[&str],
) -> syn::Result<()> {
    let name = meta_name(meta);
    let expected = known
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    cx.error_spanned_by(
        &meta.path,
        format!("unknown nzc {context} attribute `{name}`; expected one of: {expected}"),
    );
    skip_value(meta)
}

/// Consumes `= <expr>` or `(<anything>)` after a meta path, if present.
pub fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.input.parse::<Token![=]>()?;
        meta.input.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
        let _: TokenStream = _content.parse()?;
    }
    Ok(())
}

/// Whether the item is a bare flag (nothing after the path).
pub fn is_flag(meta: &ParseNestedMeta) -> bool {
    meta.input.is_empty() || meta.input.peek(Token![,])
}

/// Reads a flag; `name = …` or `name(…)` is an error.
pub fn parse_flag(cx: &Ctxt, meta: &ParseNestedMeta, attr: &mut BoolAttr) -> syn::Result<()> {
    if is_flag(meta) {
        attr.set_true(&meta.path);
        Ok(())
    } else {
        cx.error_spanned_by(
            &meta.path,
            format!("nzc attribute `{}` takes no value", meta_name(meta)),
        );
        skip_value(meta)
    }
}

/// Reads `name = "string"`.
pub fn parse_str(meta: &ParseNestedMeta) -> syn::Result<LitStr> {
    let name = meta_name(meta);
    if !meta.input.peek(Token![=]) {
        return Err(meta.error(format!("expected `{name} = \"...\"`")));
    }
    let value = meta.value()?;
    let expr: syn::Expr = value.parse()?;
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(s),
        other => Err(syn::Error::new_spanned(
            other,
            format!("expected a string literal: `{name} = \"...\"`"),
        )),
    }
}

/// Reads `name("a", "b", …)`.
pub fn parse_str_list(meta: &ParseNestedMeta) -> syn::Result<Vec<LitStr>> {
    let name = meta_name(meta);
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format!("expected `{name}(\"...\", ...)`")));
    }
    let content;
    syn::parenthesized!(content in meta.input);
    let list = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
    Ok(list.into_iter().collect())
}

/// Reports `value` if it is empty or longer than PostgreSQL's identifier
/// limit; `what` names it in the message ("table name", "column name", …).
pub fn check_ident(cx: &Ctxt, span: Span, what: &str, value: &str) {
    if value.is_empty() {
        cx.error_at(span, format!("{what} must not be empty"));
    } else if value.len() > MAX_IDENT_BYTES {
        cx.error_at(
            span,
            format!(
                "{what} `{value}` is {} bytes long; PostgreSQL cuts identifiers at {MAX_IDENT_BYTES} bytes",
                value.len()
            ),
        );
    }
}
