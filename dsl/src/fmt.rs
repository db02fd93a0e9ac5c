//! `nzc fmt`: prints a syntax tree in the canonical layout. Comments, doc
//! comments and single blank lines are kept; columns of a table are aligned
//! in three columns (name, type, attributes); indentation is two spaces.

use crate::ast::*;
use std::fmt::Write as _;

const INDENT: &str = "  ";

/// Formats a whole file.
pub fn format_file(file: &File) -> String {
    let mut out = String::new();
    let items = collapse(&file.items, |i| matches!(i, Item::Blank));
    let mut prev_block = false;
    for item in items {
        if matches!(item, Item::Blank) {
            out.push('\n');
            prev_block = false;
            continue;
        }
        if prev_block {
            out.push('\n');
        }
        prev_block = !matches!(item, Item::Comment(_));
        match item {
            Item::Blank => unreachable!(),
            Item::Comment(c) => comment_line(&mut out, 0, c),
            Item::Naming(n) => naming(&mut out, n),
            Item::Enum(e) => enum_decl(&mut out, 0, e),
            Item::Group(g) => group(&mut out, g),
            Item::Table(t) => table(&mut out, 0, t),
        }
    }
    out
}

/// Drops leading/trailing blanks and runs of more than one blank.
fn collapse<T>(items: &[T], is_blank: impl Fn(&T) -> bool) -> Vec<&T> {
    let mut out: Vec<&T> = Vec::with_capacity(items.len());
    for item in items {
        if is_blank(item) && (out.is_empty() || out.last().is_some_and(|p| is_blank(p))) {
            continue;
        }
        out.push(item);
    }
    while out.last().is_some_and(|p| is_blank(p)) {
        out.pop();
    }
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str(INDENT);
    }
}

fn comment_line(out: &mut String, level: usize, text: &str) {
    indent(out, level);
    let _ = writeln!(out, "//{text}");
}

fn docs(out: &mut String, level: usize, lines: &[String]) {
    for l in lines {
        indent(out, level);
        if l.is_empty() {
            out.push_str("///\n");
        } else {
            let _ = writeln!(out, "/// {l}");
        }
    }
}

fn trailing(out: &mut String, t: &Option<String>) {
    if let Some(t) = t {
        let _ = write!(out, " //{t}");
    }
    out.push('\n');
}

fn naming(out: &mut String, n: &NamingBlock) {
    docs(out, 0, &n.docs);
    out.push_str("naming {\n");
    let width = n
        .members
        .iter()
        .filter_map(|m| match m {
            NamingMember::Entry(e) => Some(e.key.name.len()),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    for m in collapse(&n.members, |m| matches!(m, NamingMember::Blank)) {
        match m {
            NamingMember::Blank => out.push('\n'),
            NamingMember::Comment(c) => comment_line(out, 1, c),
            NamingMember::Entry(e) => {
                indent(out, 1);
                let _ = write!(out, "{:width$} = {}", e.key.name, quote(&e.template));
                trailing(out, &e.trailing);
            }
        }
    }
    out.push('}');
    trailing(out, &n.trailing);
}

fn enum_decl(out: &mut String, level: usize, e: &EnumDecl) {
    docs(out, level, &e.docs);
    indent(out, level);
    let _ = writeln!(out, "enum {} {{", e.name.name);
    for m in collapse(&e.members, |m| matches!(m, EnumMember::Blank)) {
        match m {
            EnumMember::Blank => out.push('\n'),
            EnumMember::Comment(c) => comment_line(out, level + 1, c),
            EnumMember::Attr(a) => {
                indent(out, level + 1);
                attribute(out, a);
                out.push('\n');
            }
            EnumMember::Value(v) => {
                docs(out, level + 1, &v.docs);
                indent(out, level + 1);
                out.push_str(&name_or_string(&v.value));
                trailing(out, &v.trailing);
            }
        }
    }
    indent(out, level);
    out.push('}');
    trailing(out, &e.trailing);
}

fn group(out: &mut String, g: &GroupDecl) {
    docs(out, 0, &g.docs);
    let _ = writeln!(out, "group {} {{", name_or_string(&g.name.name));
    let members = collapse(&g.members, |m| matches!(m, GroupMember::Blank));
    let mut prev_table = false;
    for m in members {
        match m {
            GroupMember::Blank => {
                out.push('\n');
                prev_table = false;
                continue;
            }
            _ if prev_table => out.push('\n'),
            _ => {}
        }
        prev_table = matches!(m, GroupMember::Table(_));
        match m {
            GroupMember::Blank => unreachable!(),
            GroupMember::Comment(c) => comment_line(out, 1, c),
            GroupMember::Table(t) => table(out, 1, t),
        }
    }
    out.push('}');
    trailing(out, &g.trailing);
}

fn table(out: &mut String, level: usize, t: &TableDecl) {
    docs(out, level, &t.docs);
    indent(out, level);
    let _ = writeln!(out, "table {} {{", t.name.name);
    let columns = t.members.iter().filter_map(|m| match m {
        TableMember::Column(c) => Some(c),
        _ => None,
    });
    let mut name_w = 0;
    let mut type_w = 0;
    for c in columns {
        name_w = name_w.max(c.name.name.chars().count());
        type_w = type_w.max(type_text(c).chars().count());
    }
    for m in collapse(&t.members, |m| matches!(m, TableMember::Blank)) {
        match m {
            TableMember::Blank => out.push('\n'),
            TableMember::Comment(c) => comment_line(out, level + 1, c),
            TableMember::Attr(a, tr) => {
                indent(out, level + 1);
                attribute(out, a);
                trailing(out, tr);
            }
            TableMember::Column(c) => {
                docs(out, level + 1, &c.docs);
                indent(out, level + 1);
                let ty = type_text(c);
                if c.attrs.is_empty() {
                    if c.trailing.is_some() {
                        let _ = write!(out, "{:name_w$} {:type_w$}", c.name.name, ty);
                    } else {
                        let _ = write!(out, "{:name_w$} {}", c.name.name, ty);
                    }
                } else {
                    let _ = write!(out, "{:name_w$} {:type_w$}", c.name.name, ty);
                    for a in &c.attrs {
                        out.push(' ');
                        attribute(out, a);
                    }
                }
                trailing(out, &c.trailing);
            }
        }
    }
    indent(out, level);
    out.push('}');
    trailing(out, &t.trailing);
}

fn type_text(c: &ColumnDecl) -> String {
    let mut s = canonical_type_name(&c.ty.name.name);
    if !c.ty.params.is_empty() {
        let params: Vec<String> = c.ty.params.iter().map(|(n, _)| n.to_string()).collect();
        let _ = write!(s, "({})", params.join(","));
    }
    if c.optional {
        s.push('?');
    }
    s
}

/// Type names are printed in their canonical spelling (`integer` → `int`);
/// enum names as written.
fn canonical_type_name(name: &str) -> String {
    nzc_types::lookup(name).map_or_else(|| name.to_string(), |t| t.dsl.to_string())
}

fn attribute(out: &mut String, a: &Attribute) {
    out.push_str(&a.display());
    if let Some(args) = &a.args {
        out.push('(');
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if let Some(n) = &arg.name {
                let _ = write!(out, "{}: ", n.name);
            }
            value(out, &arg.value);
        }
        out.push(')');
    }
}

fn value(out: &mut String, v: &Value) {
    match v {
        Value::String(s, _) => out.push_str(&quote(s)),
        Value::Number(n, _) => out.push_str(n),
        Value::Ident(i) => out.push_str(&i.name),
        Value::Path(a, b, _) => {
            let _ = write!(out, "{}.{}", a.name, b.name);
        }
        Value::Func(f, _) => {
            let _ = write!(out, "{}()", f.name);
        }
        Value::Raw(s, _) => {
            let _ = write!(out, "`{s}`");
        }
        Value::List(items, _) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                value(out, item);
            }
            out.push(']');
        }
    }
}

use crate::{is_ident, quote_string as quote};

fn name_or_string(s: &str) -> String {
    if is_ident(s) {
        s.to_string()
    } else {
        quote(s)
    }
}
