//! Classifying a field's Rust type against the type table
//! (`nzc_types::RUST_FIELD_TYPES`).
//!
//! The check is syntactic (a derive cannot resolve paths): it looks at the
//! last path segment, after unwrapping one `Option<…>`. Whether the type
//! really decodes from the column is left to the compiler, through the
//! `FromSql` bound in the generated `from_row`.

use syn::{GenericArgument, PathArguments, Type};

/// What a field's type is, as far as the derive can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeClass {
    /// One of the types of the type table; the name is its last path segment.
    Scalar(&'static str),
    /// A plain path without generic arguments (the field says `#[nzc(enum)]`).
    Enum,
}

/// Why a type was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeError {
    /// Not in the type table. Carries the last path segment, if the type is a path.
    Unsupported(Option<String>),
    /// `#[nzc(enum)]` on a type of the type table.
    EnumOnScalar(&'static str),
    /// `#[nzc(enum)]` on something that is not a plain path.
    EnumNotAPath,
}

/// Strips invisible groups and parentheses (types produced by `macro_rules!`).
fn peel(ty: &Type) -> &Type {
    match ty {
        Type::Group(g) => peel(&g.elem),
        Type::Paren(p) => peel(&p.elem),
        other => other,
    }
}

/// The last segment of a plain (non-qualified) path type.
fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match peel(ty) {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        _ => None,
    }
}

/// The single type argument of `seg` (`T` in `Option<T>`), if it has exactly one.
fn single_type_arg(seg: &syn::PathSegment) -> Option<&Type> {
    match &seg.arguments {
        PathArguments::AngleBracketed(a) if a.args.len() == 1 => match a.args.first() {
            Some(GenericArgument::Type(t)) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// `Some(T)` for `Option<T>` (any path ending in `Option`), `None` otherwise.
pub fn option_inner(ty: &Type) -> Option<&Type> {
    let seg = last_segment(ty)?;
    if seg.ident == "Option" {
        single_type_arg(seg)
    } else {
        None
    }
}

/// Classifies the type of a non-null field (an `Option` already unwrapped).
pub fn classify(ty: &Type, is_enum: bool) -> Result<TypeClass, TypeError> {
    let scalar = scalar_name(ty);
    if is_enum {
        return match scalar {
            Some(name) => Err(TypeError::EnumOnScalar(name)),
            None if is_plain_path(ty) => Ok(TypeClass::Enum),
            None => Err(TypeError::EnumNotAPath),
        };
    }
    scalar
        .map(TypeClass::Scalar)
        .ok_or_else(|| TypeError::Unsupported(last_segment(ty).map(|s| s.ident.to_string())))
}

/// The entry of `RUST_FIELD_TYPES` the type matches, with its generic
/// arguments checked: none, except `Vec<u8>` and `DateTime<Tz>`.
fn scalar_name(ty: &Type) -> Option<&'static str> {
    let seg = last_segment(ty)?;
    let name = nzc_types::RUST_FIELD_TYPES
        .iter()
        .copied()
        .find(|n| seg.ident == n)?;
    let args_ok = match name {
        "Vec" => single_type_arg(seg)
            .and_then(last_segment)
            .is_some_and(|s| s.ident == "u8" && s.arguments.is_none()),
        "DateTime" => single_type_arg(seg).is_some(),
        _ => seg.arguments.is_none(),
    };
    args_ok.then_some(name)
}

/// A path without qualified self and without generic arguments anywhere.
fn is_plain_path(ty: &Type) -> bool {
    match peel(ty) {
        Type::Path(p) => p.qself.is_none() && p.path.segments.iter().all(|s| s.arguments.is_none()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> Type {
        syn::parse_str(s).unwrap()
    }

    #[test]
    fn scalars_by_last_segment() {
        assert_eq!(
            classify(&ty("::uuid::Uuid"), false),
            Ok(TypeClass::Scalar("Uuid"))
        );
        assert_eq!(
            classify(&ty("String"), false),
            Ok(TypeClass::Scalar("String"))
        );
        assert_eq!(classify(&ty("i32"), false), Ok(TypeClass::Scalar("i32")));
        assert_eq!(
            classify(&ty("Vec<u8>"), false),
            Ok(TypeClass::Scalar("Vec"))
        );
        assert_eq!(
            classify(&ty("::chrono::DateTime<::chrono::Utc>"), false),
            Ok(TypeClass::Scalar("DateTime"))
        );
    }

    #[test]
    fn refused_types() {
        assert_eq!(
            classify(&ty("Vec<String>"), false),
            Err(TypeError::Unsupported(Some("Vec".into())))
        );
        assert_eq!(
            classify(&ty("HashMap<String, i32>"), false),
            Err(TypeError::Unsupported(Some("HashMap".into())))
        );
        assert_eq!(
            classify(&ty("(i32, i32)"), false),
            Err(TypeError::Unsupported(None))
        );
        assert_eq!(
            classify(&ty("Scope"), false),
            Err(TypeError::Unsupported(Some("Scope".into())))
        );
    }

    #[test]
    fn enums_need_the_marker_and_a_plain_path() {
        assert_eq!(classify(&ty("Scope"), true), Ok(TypeClass::Enum));
        assert_eq!(
            classify(&ty("crate::enums::Scope"), true),
            Ok(TypeClass::Enum)
        );
        assert_eq!(
            classify(&ty("String"), true),
            Err(TypeError::EnumOnScalar("String"))
        );
        assert_eq!(
            classify(&ty("Wrapper<Scope>"), true),
            Err(TypeError::EnumNotAPath)
        );
    }

    #[test]
    fn option_unwraps_once() {
        let t = ty("::std::option::Option<::uuid::Uuid>");
        let inner = option_inner(&t).unwrap();
        assert_eq!(classify(inner, false), Ok(TypeClass::Scalar("Uuid")));
        assert!(option_inner(&ty("Uuid")).is_none());
    }
}
