//! The parsed and checked model of a `#[derive(NzcModel)]` struct.
//!
//! [`Model::from_ast`] reads the struct and its `#[nzc(...)]` attributes,
//! reports every problem to the [`Ctxt`], and returns a model whose names are
//! final: every column a key names is a column of the struct, every
//! constraint has a name, every identifier fits PostgreSQL's 63 bytes.
//! Generators read only this model, never raw syn.

use heck::{ToShoutySnakeCase, ToSnakeCase};
use proc_macro2::TokenStream;
use quote::{format_ident, ToTokens};
use syn::ext::IdentExt;
use syn::{Data, DataStruct, DeriveInput, Fields, Ident, LitStr, Type};

use crate::ast::ty::{self, TypeClass, TypeError};
use crate::attr::{self, Attr, BoolAttr};
use crate::ctxt::Ctxt;

/// A struct mirroring one table.
#[derive(Debug, Clone)]
pub struct Model {
    /// The struct's name.
    pub ident: Ident,
    /// Table name (`#[nzc(table = "...")]`, default: the struct's name).
    pub table: String,
    /// Fields in declaration order (= column order).
    pub fields: Vec<Field>,
    /// Primary key column names, in key order.
    pub primary_key: Vec<String>,
    /// Foreign keys in source order: struct-level `foreign_key(...)` first,
    /// then field-level `references`, in field order.
    pub foreign_keys: Vec<ForeignKey>,
    /// Unique constraints in source order.
    pub unique_keys: Vec<UniqueKey>,
}

/// A field, i.e. a column.
#[derive(Debug, Clone)]
pub struct Field {
    /// The field's name (possibly a raw identifier such as `r#type`).
    pub member: Ident,
    /// Column name (`#[nzc(column = "...")]`, default: the field name without `r#`).
    pub column: String,
    /// The field's type as written.
    pub ty: Type,
    /// What the type (without `Option`) is.
    pub class: TypeClass,
    /// Whether the type is `Option<…>` (the column is nullable).
    pub nullable: bool,
    /// The name of the field's `nzc::Column` constant: the field name in
    /// SCREAMING_SNAKE_CASE (`city_name` → `CITY_NAME`, `r#type` → `TYPE`).
    pub const_ident: Ident,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
}

/// A unique constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueKey {
    pub name: String,
    pub columns: Vec<String>,
    /// The suffix of its `find_by_…` / `upsert_by_…` methods: the columns in
    /// snake_case joined by `_` (`cityId`, `year` → `city_id_year`).
    pub method_suffix: String,
    /// `UNIQUE NULLS NOT DISTINCT`: upserts use a plain `ON CONFLICT` even
    /// for a NULL in the key.
    pub nulls_not_distinct: bool,
}

/// Names of the inherent constants the derive generates besides the column
/// constants; a column constant must not take one of them.
const RESERVED_CONSTS: &[&str] = &["TABLE", "COLUMNS", "PRIMARY_KEY"];

const STRUCT_ATTRS: &[&str] = &["table", "primary_key", "unique", "foreign_key"];
const FIELD_ATTRS: &[&str] = &[
    "primary_key",
    "column",
    "references",
    "foreign_key_name",
    "enum",
];
const UNIQUE_ATTRS: &[&str] = &["name", "columns", "nulls_not_distinct"];
const FOREIGN_KEY_ATTRS: &[&str] = &["name", "columns", "references", "ref_columns"];

/// `unique(...)` as written.
struct RawUnique {
    path: TokenStream,
    name: Option<LitStr>,
    columns: Vec<LitStr>,
    nulls_not_distinct: bool,
}

/// `foreign_key(...)` as written.
struct RawForeignKey {
    path: TokenStream,
    name: Option<LitStr>,
    columns: Vec<LitStr>,
    references: Option<LitStr>,
    ref_columns: Vec<LitStr>,
}

/// Struct-level attributes.
struct ContainerAttrs {
    table: Option<LitStr>,
    primary_key: Option<(TokenStream, Vec<LitStr>)>,
    uniques: Vec<RawUnique>,
    foreign_keys: Vec<RawForeignKey>,
}

/// Field-level attributes.
struct FieldAttrs {
    primary_key: bool,
    column: Option<LitStr>,
    references: Option<LitStr>,
    foreign_key_name: Option<(TokenStream, LitStr)>,
    is_enum: Option<TokenStream>,
}

impl Model {
    /// Reads and checks the derive input. Returns `None` if the input is not
    /// a struct with named fields; any other problem is only reported to `cx`.
    pub fn from_ast(cx: &Ctxt, input: &DeriveInput) -> Option<Model> {
        let fields = match &input.data {
            Data::Struct(DataStruct {
                fields: Fields::Named(named),
                ..
            }) => Some(&named.named),
            Data::Struct(DataStruct {
                fields: Fields::Unnamed(unnamed),
                ..
            }) => {
                cx.error_spanned_by(
                    unnamed,
                    "tuple structs are not supported: NzcModel needs a struct with named fields, one per column",
                );
                None
            }
            Data::Struct(DataStruct {
                fields: Fields::Unit,
                ..
            }) => {
                cx.error_spanned_by(
                    &input.ident,
                    "unit structs are not supported: NzcModel needs a struct with named fields, one per column",
                );
                None
            }
            Data::Enum(e) => {
                cx.error_spanned_by(
                    e.enum_token,
                    "enums are not supported: NzcModel needs a struct with named fields; for a PostgreSQL enum type derive NzcEnum",
                );
                None
            }
            Data::Union(u) => {
                cx.error_spanned_by(
                    u.union_token,
                    "unions are not supported: NzcModel needs a struct with named fields, one per column",
                );
                None
            }
        };
        if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
            cx.error_spanned_by(
                &input.generics,
                "generic structs are not supported: a model maps to exactly one table",
            );
        }

        let attrs = ContainerAttrs::parse(cx, &input.attrs);
        let table = match &attrs.table {
            Some(lit) => {
                attr::check_ident(cx, lit.span(), "table name", &lit.value());
                lit.value()
            }
            None => {
                let name = input.ident.unraw().to_string();
                attr::check_ident(cx, input.ident.span(), "table name", &name);
                name
            }
        };
        let fields = fields?;

        let mut out = Vec::new();
        let mut field_pk = Vec::new();
        let mut field_fks = Vec::new();
        for field in fields {
            let member = field.ident.clone().expect("named field");
            let fa = FieldAttrs::parse(cx, &field.attrs);
            let column = match &fa.column {
                Some(lit) => {
                    attr::check_ident(cx, lit.span(), "column name", &lit.value());
                    lit.value()
                }
                None => {
                    let name = member.unraw().to_string();
                    attr::check_ident(cx, member.span(), "column name", &name);
                    name
                }
            };
            if let Some(prev) = out.iter().find(|f: &&Field| f.column == column) {
                let at: TokenStream = match &fa.column {
                    Some(lit) => lit.to_token_stream(),
                    None => member.to_token_stream(),
                };
                cx.error_spanned_by(
                    at,
                    format!(
                        "duplicate column `{column}`: field `{}` has it already",
                        prev.member
                    ),
                );
            }

            let mut const_name = member.unraw().to_string().to_shouty_snake_case();
            if syn::parse_str::<Ident>(&const_name).is_err() {
                cx.error_spanned_by(
                    &member,
                    format!("field `{member}` gives no usable column constant name (`{const_name}`); rename the field"),
                );
                const_name = format!("__NZC_FIELD_{}", out.len());
            }
            let const_ident = format_ident!("{}", const_name, span = member.span());
            if RESERVED_CONSTS.contains(&const_name.as_str()) {
                cx.error_spanned_by(
                    &member,
                    format!(
                        "field `{member}` would get the column constant `{const_name}`, a name the derive already uses for the table's metadata; rename the field and keep the column name with `#[nzc(column = \"...\")]`"
                    ),
                );
            } else if let Some(prev) = out.iter().find(|f: &&Field| f.const_ident == const_ident) {
                cx.error_spanned_by(
                    &member,
                    format!(
                        "fields `{}` and `{member}` would both get the column constant `{const_name}`; rename one of them",
                        prev.member
                    ),
                );
            }
            let (inner, nullable) = match ty::option_inner(&field.ty) {
                Some(inner) => (inner, true),
                None => (&field.ty, false),
            };
            let class = match ty::classify(inner, fa.is_enum.is_some()) {
                Ok(class) => class,
                Err(e) => {
                    // A generic struct is already refused; do not also blame `T`.
                    if !mentions_type_param(inner, &input.generics) {
                        report_type_error(cx, inner, fa.is_enum.as_ref(), e);
                    }
                    TypeClass::Enum
                }
            };
            if fa.primary_key {
                if nullable {
                    cx.error_spanned_by(
                        &field.ty,
                        format!(
                            "primary key column `{column}` cannot be nullable: remove the Option"
                        ),
                    );
                }
                field_pk.push(column.clone());
            }
            match (&fa.references, &fa.foreign_key_name) {
                (Some(lit), name) => {
                    if let Some(fk) =
                        field_foreign_key(cx, &table, &column, lit, name.as_ref().map(|(_, n)| n))
                    {
                        field_fks.push(fk);
                    }
                }
                (None, Some((path, _))) => cx.error_spanned_by(
                    path,
                    "`foreign_key_name` needs `references = \"Table.column\"` on the same field",
                ),
                (None, None) => {}
            }
            out.push(Field {
                member,
                column,
                ty: field.ty.clone(),
                class,
                nullable,
                const_ident,
            });
        }

        let columns = Columns { fields: &out };
        let primary_key = match (&attrs.primary_key, field_pk.is_empty()) {
            (Some((path, _)), false) => {
                cx.error_spanned_by(
                    path,
                    format!(
                        "primary key declared twice: here and with `#[nzc(primary_key)]` on column(s) {}; keep one of them",
                        quoted_list(&field_pk)
                    ),
                );
                field_pk
            }
            (Some((path, lits)), true) => {
                let key = columns.resolve(cx, path, "primary key", lits);
                for c in &key {
                    if let Some(f) = out.iter().find(|f| &f.column == c && f.nullable) {
                        cx.error_spanned_by(
                            &f.ty,
                            format!(
                                "primary key column `{c}` cannot be nullable: remove the Option"
                            ),
                        );
                    }
                }
                key
            }
            (None, false) => field_pk,
            (None, true) => {
                cx.error_spanned_by(
                    &input.ident,
                    format!(
                        "`{}` has no primary key: mark its field(s) `#[nzc(primary_key)]`, or list the columns on the struct with `#[nzc(primary_key(\"a\", \"b\"))]`",
                        input.ident
                    ),
                );
                Vec::new()
            }
        };

        let mut names: Vec<(String, TokenStream)> = Vec::new();
        let mut unique_keys = Vec::new();
        for u in &attrs.uniques {
            let cols = columns.resolve(cx, &u.path, "unique constraint", &u.columns);
            let name = constraint_name(
                cx,
                &u.path,
                u.name.as_ref(),
                "unique constraint",
                "name",
                || {
                    nzc_types::contract::default_unique_name(
                        &table,
                        cols.first().map(String::as_str).unwrap_or(""),
                    )
                },
            );
            names.push((name.clone(), u.path.clone()));
            let method_suffix = cols
                .iter()
                .map(|c| c.to_snake_case())
                .collect::<Vec<_>>()
                .join("_");
            if syn::parse_str::<Ident>(&format!("find_by_{method_suffix}")).is_err() {
                cx.error_spanned_by(
                    &u.path,
                    format!("the columns of unique constraint `{name}` give no usable method name (`find_by_{method_suffix}`)"),
                );
            } else if let Some(prev) = unique_keys
                .iter()
                .find(|k: &&UniqueKey| !cols.is_empty() && k.method_suffix == method_suffix)
            {
                cx.error_spanned_by(
                    &u.path,
                    format!(
                        "unique constraints `{}` and `{name}` would both get the methods `find_by_{method_suffix}` / `upsert_by_{method_suffix}`: they have the same columns",
                        prev.name
                    ),
                );
            }
            unique_keys.push(UniqueKey {
                name,
                columns: cols,
                method_suffix,
                nulls_not_distinct: u.nulls_not_distinct,
            });
        }

        let mut foreign_keys = Vec::new();
        for fk in &attrs.foreign_keys {
            let cols = columns.resolve(cx, &fk.path, "foreign key", &fk.columns);
            let ref_table = match &fk.references {
                Some(lit) => {
                    attr::check_ident(cx, lit.span(), "referenced table name", &lit.value());
                    lit.value()
                }
                None => {
                    cx.error_spanned_by(
                        &fk.path,
                        "`foreign_key` needs `references = \"Table\"` (the referenced table)",
                    );
                    String::new()
                }
            };
            let ref_cols = resolve_ref_columns(cx, &fk.path, &fk.ref_columns);
            if !cols.is_empty() && !ref_cols.is_empty() && cols.len() != ref_cols.len() {
                cx.error_spanned_by(
                    &fk.path,
                    format!(
                        "foreign key has {} column(s) but {} referenced column(s)",
                        cols.len(),
                        ref_cols.len()
                    ),
                );
            }
            let name = constraint_name(
                cx,
                &fk.path,
                fk.name.as_ref(),
                "foreign key",
                "name",
                || {
                    nzc_types::contract::default_foreign_key_name(
                        &table,
                        cols.first().map(String::as_str).unwrap_or(""),
                        &ref_table,
                    )
                },
            );
            names.push((name.clone(), fk.path.clone()));
            foreign_keys.push(ForeignKey {
                name,
                columns: cols,
                ref_table,
                ref_columns: ref_cols,
            });
        }
        for (fk, tokens) in field_fks {
            names.push((fk.name.clone(), tokens));
            foreign_keys.push(fk);
        }

        for (i, (name, tokens)) in names.iter().enumerate() {
            if names[..i].iter().any(|(n, _)| n == name) {
                cx.error_spanned_by(tokens, format!("duplicate constraint name `{name}`"));
            }
        }

        Some(Model {
            ident: input.ident.clone(),
            table,
            fields: out,
            primary_key,
            foreign_keys,
            unique_keys,
        })
    }
}

/// Whether `ty` is one of the struct's type parameters (`T`).
fn mentions_type_param(ty: &Type, generics: &syn::Generics) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => generics
            .type_params()
            .any(|param| p.path.is_ident(&param.ident)),
        _ => false,
    }
}

fn report_type_error(cx: &Ctxt, ty: &Type, is_enum: Option<&TokenStream>, e: TypeError) {
    match e {
        TypeError::Unsupported(Some(name)) if name == "Option" => cx.error_spanned_by(
            ty,
            "nested `Option` is not supported: a column is either nullable or not",
        ),
        TypeError::Unsupported(name) => {
            let supported = nzc_types::RUST_FIELD_TYPES
                .iter()
                .map(|t| match *t {
                    "Vec" => "Vec<u8>".to_string(),
                    "DateTime" => "DateTime<Tz>".to_string(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let what = match name {
                Some(n) => format!("unsupported field type `{n}`"),
                None => "unsupported field type".to_string(),
            };
            cx.error_spanned_by(
                ty,
                format!(
                    "{what}: a model field must be one of {supported} (or an Option of one), \
                     or an enum deriving NzcEnum, marked `#[nzc(enum)]`"
                ),
            )
        }
        TypeError::EnumOnScalar(name) => cx.error_spanned_by(
            is_enum.expect("EnumOnScalar only with #[nzc(enum)]"),
            format!(
                "`enum` is for enum types deriving NzcEnum; `{name}` is a built-in column type"
            ),
        ),
        TypeError::EnumNotAPath => cx.error_spanned_by(
            ty,
            "an `#[nzc(enum)]` field must have a plain path type (an enum deriving NzcEnum), \
             optionally in an Option",
        ),
    }
}

/// The columns of the struct, for resolving the column lists of keys.
struct Columns<'a> {
    fields: &'a [Field],
}

impl Columns<'_> {
    /// Checks that `lits` is a non-empty list of distinct columns of the
    /// struct; returns the names (those that resolve).
    fn resolve(&self, cx: &Ctxt, at: &TokenStream, what: &str, lits: &[LitStr]) -> Vec<String> {
        if lits.is_empty() {
            cx.error_spanned_by(
                at,
                format!("{what} needs at least one column: `columns(\"...\", ...)`"),
            );
        }
        let mut out: Vec<String> = Vec::new();
        for lit in lits {
            let name = lit.value();
            if !self.fields.iter().any(|f| f.column == name) {
                let known = self
                    .fields
                    .iter()
                    .map(|f| f.column.clone())
                    .collect::<Vec<_>>();
                cx.error_spanned_by(
                    lit,
                    format!(
                        "{what} names `{name}`, which is not a column of this struct (columns: {})",
                        quoted_list(&known)
                    ),
                );
            } else if out.contains(&name) {
                cx.error_spanned_by(lit, format!("column `{name}` is listed twice"));
            } else {
                out.push(name);
            }
        }
        out
    }
}

fn resolve_ref_columns(cx: &Ctxt, at: &TokenStream, lits: &[LitStr]) -> Vec<String> {
    if lits.is_empty() {
        cx.error_spanned_by(
            at,
            "`foreign_key` needs the referenced columns: `ref_columns(\"...\", ...)`",
        );
    }
    let mut out: Vec<String> = Vec::new();
    for lit in lits {
        let name = lit.value();
        attr::check_ident(cx, lit.span(), "referenced column name", &name);
        if out.contains(&name) {
            cx.error_spanned_by(lit, format!("column `{name}` is listed twice"));
        }
        out.push(name);
    }
    out
}

/// The given name (checked), or the naming convention's default (which must
/// fit in 63 bytes; the derive does not shorten names, the compiler does).
fn constraint_name(
    cx: &Ctxt,
    at: &TokenStream,
    given: Option<&LitStr>,
    what: &str,
    name_attr: &str,
    default: impl FnOnce() -> String,
) -> String {
    match given {
        Some(lit) => {
            attr::check_ident(cx, lit.span(), &format!("{what} name"), &lit.value());
            lit.value()
        }
        None => {
            let name = default();
            if name.len() > attr::MAX_IDENT_BYTES {
                cx.error_spanned_by(
                    at,
                    format!(
                        "the default {what} name `{name}` is {} bytes long; PostgreSQL cuts identifiers at {} bytes: give `{name_attr} = \"...\"`",
                        name.len(),
                        attr::MAX_IDENT_BYTES
                    ),
                );
            }
            name
        }
    }
}

/// A field-level `references = "Table.column"` as a single-column foreign key,
/// with the tokens to blame for a duplicate name.
fn field_foreign_key(
    cx: &Ctxt,
    table: &str,
    column: &str,
    references: &LitStr,
    name: Option<&LitStr>,
) -> Option<(ForeignKey, TokenStream)> {
    let value = references.value();
    let Some((ref_table, ref_column)) = value
        .split_once('.')
        .filter(|(t, c)| !t.is_empty() && !c.is_empty() && !c.contains('.'))
    else {
        cx.error_spanned_by(
            references,
            format!("expected `references = \"Table.column\"`, found `\"{value}\"`"),
        );
        return None;
    };
    attr::check_ident(cx, references.span(), "referenced table name", ref_table);
    attr::check_ident(cx, references.span(), "referenced column name", ref_column);
    let at = references.to_token_stream();
    let blame = name.map_or_else(|| at.clone(), |n| n.to_token_stream());
    let name = constraint_name(cx, &at, name, "foreign key", "foreign_key_name", || {
        nzc_types::contract::default_foreign_key_name(table, column, ref_table)
    });
    Some((
        ForeignKey {
            name,
            columns: vec![column.to_string()],
            ref_table: ref_table.to_string(),
            ref_columns: vec![ref_column.to_string()],
        },
        blame,
    ))
}

fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl ContainerAttrs {
    fn parse(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut table = Attr::none(cx, "table");
        let mut primary_key = Attr::none(cx, "primary_key");
        let mut uniques = Vec::new();
        let mut foreign_keys = Vec::new();
        attr::for_each_nzc_meta(cx, attrs, |meta| {
            if meta.path.is_ident("table") {
                table.set(&meta.path, attr::parse_str(meta)?);
            } else if meta.path.is_ident("primary_key") {
                if attr::is_flag(meta) {
                    return Err(meta.error(
                        "on a struct, `primary_key` lists the key columns: `primary_key(\"a\", \"b\")`; \
                         or mark the fields `#[nzc(primary_key)]`",
                    ));
                }
                primary_key.set(&meta.path, attr::parse_str_list(meta)?);
            } else if meta.path.is_ident("unique") {
                uniques.push(parse_unique(cx, meta)?);
            } else if meta.path.is_ident("foreign_key") {
                foreign_keys.push(parse_foreign_key(cx, meta)?);
            } else {
                attr::unknown(cx, meta, "struct", STRUCT_ATTRS)?;
            }
            Ok(())
        });
        ContainerAttrs {
            table: table.get(),
            primary_key: primary_key.get_with_tokens(),
            uniques,
            foreign_keys,
        }
    }
}

fn parse_unique(cx: &Ctxt, meta: &syn::meta::ParseNestedMeta) -> syn::Result<RawUnique> {
    let mut name = Attr::none(cx, "name");
    let mut columns = Attr::none(cx, "columns");
    let mut nulls_not_distinct = BoolAttr::none(cx, "nulls_not_distinct");
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("name") {
            name.set(&inner.path, attr::parse_str(&inner)?);
        } else if inner.path.is_ident("columns") {
            columns.set(&inner.path, attr::parse_str_list(&inner)?);
        } else if inner.path.is_ident("nulls_not_distinct") {
            attr::parse_flag(cx, &inner, &mut nulls_not_distinct)?;
        } else {
            attr::unknown(cx, &inner, "`unique`", UNIQUE_ATTRS)?;
        }
        Ok(())
    })?;
    Ok(RawUnique {
        path: meta.path.to_token_stream(),
        name: name.get(),
        columns: columns.get().unwrap_or_default(),
        nulls_not_distinct: nulls_not_distinct.get(),
    })
}

fn parse_foreign_key(cx: &Ctxt, meta: &syn::meta::ParseNestedMeta) -> syn::Result<RawForeignKey> {
    let mut name = Attr::none(cx, "name");
    let mut columns = Attr::none(cx, "columns");
    let mut references = Attr::none(cx, "references");
    let mut ref_columns = Attr::none(cx, "ref_columns");
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("name") {
            name.set(&inner.path, attr::parse_str(&inner)?);
        } else if inner.path.is_ident("columns") {
            columns.set(&inner.path, attr::parse_str_list(&inner)?);
        } else if inner.path.is_ident("references") {
            references.set(&inner.path, attr::parse_str(&inner)?);
        } else if inner.path.is_ident("ref_columns") {
            ref_columns.set(&inner.path, attr::parse_str_list(&inner)?);
        } else {
            attr::unknown(cx, &inner, "`foreign_key`", FOREIGN_KEY_ATTRS)?;
        }
        Ok(())
    })?;
    Ok(RawForeignKey {
        path: meta.path.to_token_stream(),
        name: name.get(),
        columns: columns.get().unwrap_or_default(),
        references: references.get(),
        ref_columns: ref_columns.get().unwrap_or_default(),
    })
}

impl FieldAttrs {
    fn parse(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut primary_key = BoolAttr::none(cx, "primary_key");
        let mut column = Attr::none(cx, "column");
        let mut references = Attr::none(cx, "references");
        let mut foreign_key_name = Attr::none(cx, "foreign_key_name");
        let mut is_enum = BoolAttr::none(cx, "enum");
        attr::for_each_nzc_meta(cx, attrs, |meta| {
            if meta.path.is_ident("primary_key") {
                attr::parse_flag(cx, meta, &mut primary_key)?;
            } else if meta.path.is_ident("column") {
                column.set(&meta.path, attr::parse_str(meta)?);
            } else if meta.path.is_ident("references") {
                references.set(&meta.path, attr::parse_str(meta)?);
            } else if meta.path.is_ident("foreign_key_name") {
                let lit = attr::parse_str(meta)?;
                foreign_key_name.set(&meta.path, (meta.path.to_token_stream(), lit));
            } else if meta.path.is_ident("enum") {
                attr::parse_flag(cx, meta, &mut is_enum)?;
            } else {
                attr::unknown(cx, meta, "field", FIELD_ATTRS)?;
            }
            Ok(())
        });
        FieldAttrs {
            primary_key: primary_key.get(),
            column: column.get(),
            references: references.get(),
            foreign_key_name: foreign_key_name.get(),
            is_enum: is_enum.get_with_tokens(),
        }
    }
}

impl Model {
    /// Column names in field order.
    pub fn columns(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.column.as_str()).collect()
    }
}
