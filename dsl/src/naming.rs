//! Constraint and index names: the naming convention's templates, and the
//! deterministic shortening of names longer than PostgreSQL's 63 bytes.

use crate::model::{Naming, MAX_IDENT_BYTES};

/// Which object a template names; decides the placeholders it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    PrimaryKey,
    Unique,
    ForeignKey,
    Index,
    Check,
}

impl NameKind {
    pub const ALL: [NameKind; 5] = [
        NameKind::PrimaryKey,
        NameKind::Unique,
        NameKind::ForeignKey,
        NameKind::Index,
        NameKind::Check,
    ];

    /// The key of this template in a `naming { … }` block.
    pub fn key(self) -> &'static str {
        match self {
            NameKind::PrimaryKey => "primary_key",
            NameKind::Unique => "unique",
            NameKind::ForeignKey => "foreign_key",
            NameKind::Index => "index",
            NameKind::Check => "check",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Placeholders the template of this kind may use.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            NameKind::PrimaryKey => &["table", "columns"],
            NameKind::Unique | NameKind::Index => &["table", "column", "columns"],
            NameKind::ForeignKey => &["table", "column", "columns", "ref_table", "ref_column"],
            NameKind::Check => &["table", "name"],
        }
    }

    pub fn template(self, naming: &Naming) -> &str {
        match self {
            NameKind::PrimaryKey => &naming.primary_key,
            NameKind::Unique => &naming.unique,
            NameKind::ForeignKey => &naming.foreign_key,
            NameKind::Index => &naming.index,
            NameKind::Check => &naming.check,
        }
    }

    pub fn template_mut(self, naming: &mut Naming) -> &mut String {
        match self {
            NameKind::PrimaryKey => &mut naming.primary_key,
            NameKind::Unique => &mut naming.unique,
            NameKind::ForeignKey => &mut naming.foreign_key,
            NameKind::Index => &mut naming.index,
            NameKind::Check => &mut naming.check,
        }
    }
}

/// Checks a template: every `{placeholder}` must be one the kind knows and
/// braces must balance. Returns the problem, if any.
pub fn check_template(kind: NameKind, template: &str) -> Result<(), String> {
    let mut rest = template;
    let mut literal = false;
    while let Some(open) = rest.find('{') {
        literal |= open > 0;
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(format!("unclosed `{{` in `{template}`"));
        };
        let name = &after[..close];
        if !kind.placeholders().contains(&name) {
            return Err(format!(
                "unknown placeholder `{{{name}}}` for `{}`; it may use {}",
                kind.key(),
                kind.placeholders()
                    .iter()
                    .map(|p| format!("`{{{p}}}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("unmatched `}}` in `{template}`"));
    }
    if !template.contains("{table}") && kind != NameKind::Check {
        // Without the table name two tables would get the same name.
        return Err(format!(
            "the `{}` template must contain `{{table}}`",
            kind.key()
        ));
    }
    let _ = literal;
    Ok(())
}

/// The values placeholders are replaced with.
#[derive(Debug, Default)]
pub struct NameParts<'a> {
    pub table: &'a str,
    pub columns: &'a [String],
    pub ref_table: &'a str,
    pub ref_columns: &'a [String],
    pub name: &'a str,
}

/// Fills a (checked) template.
pub fn render(template: &str, parts: &NameParts<'_>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').unwrap_or(after.len());
        match &after[..close] {
            "table" => out.push_str(parts.table),
            "column" => out.push_str(parts.columns.first().map_or("", String::as_str)),
            "columns" => out.push_str(&parts.columns.join("_")),
            "ref_table" => out.push_str(parts.ref_table),
            "ref_column" => out.push_str(parts.ref_columns.first().map_or("", String::as_str)),
            "name" => out.push_str(parts.name),
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Shortens a name to at most 63 bytes, deterministically: a name that fits
/// is kept; a longer one keeps its first 54 bytes (cut at a character
/// boundary) followed by `_` and 8 hex digits of a hash of the whole name, so
/// different long names stay different.
pub fn shorten(name: &str) -> String {
    if name.len() <= MAX_IDENT_BYTES {
        return name.to_string();
    }
    let mut cut = MAX_IDENT_BYTES - 9;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{:08x}", &name[..cut], fnv1a32(name.as_bytes()))
}

/// 32-bit FNV-1a: tiny, stable across versions and platforms.
fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_convention() {
        let n = Naming::default();
        let cols = vec!["cityId".to_string(), "year".to_string()];
        let parts = NameParts {
            table: "EmissionRecord",
            columns: &cols,
            ref_table: "City",
            ref_columns: &[],
            name: "",
        };
        assert_eq!(render(&n.unique, &parts), "uq_EmissionRecord_cityId");
        assert_eq!(
            render(&n.foreign_key, &parts),
            "fk_EmissionRecord_cityId_City"
        );
        assert_eq!(render(&n.primary_key, &parts), "pk_EmissionRecord");
    }

    #[test]
    fn shortening_is_deterministic_and_bounded() {
        let a = format!("fk_{}_x", "A".repeat(80));
        let b = format!("fk_{}_y", "A".repeat(80));
        let sa = shorten(&a);
        assert_eq!(sa.len(), 63);
        assert_eq!(sa, shorten(&a));
        assert_ne!(sa, shorten(&b));
        assert_eq!(shorten("short"), "short");
        let multi = "é".repeat(40);
        assert!(shorten(&multi).len() <= 63);
    }

    #[test]
    fn templates_are_checked() {
        assert!(check_template(NameKind::Unique, "uq_{table}_{columns}").is_ok());
        assert!(check_template(NameKind::Unique, "uq_{table}_{ref_table}").is_err());
        assert!(check_template(NameKind::Index, "ix_{table").is_err());
        assert!(check_template(NameKind::Index, "ix_{column}").is_err());
    }
}
