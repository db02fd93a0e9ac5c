//! pest grammar → spanned AST. Pest types never leave this module.

use crate::ast::*;
use crate::diagnostics::{self, Diagnostic};
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
struct Grammar;

/// How many syntax errors are reported before giving up.
const MAX_SYNTAX_ERRORS: usize = 20;

/// Parses a file. On syntax errors, recovers by blanking the offending line
/// and parsing again, so that every broken line is reported at once.
pub fn parse(source: &str) -> Result<File, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut text: Option<String> = None;
    loop {
        let current = text.as_deref().unwrap_or(source);
        match Grammar::parse(Rule::schema, current) {
            Ok(mut pairs) => {
                if errors.is_empty() {
                    let schema = pairs.next().expect("schema rule");
                    return Ok(build_file(schema));
                }
                return Err(errors);
            }
            Err(e) => {
                let pos = match e.location {
                    pest::error::InputLocation::Pos(p) => p,
                    pest::error::InputLocation::Span((s, _)) => s,
                };
                let expected = describe_expected(&e);
                let end = next_token_end(current, pos);
                errors.push(diagnostics::syntax(Span::new(pos, end), &expected));
                if errors.len() >= MAX_SYNTAX_ERRORS {
                    return Err(errors);
                }
                // Blank the line holding the error (keeping byte offsets) and retry.
                let line_start = current[..pos].rfind('\n').map_or(0, |i| i + 1);
                let line_end = current[pos..].find('\n').map_or(current.len(), |i| pos + i);
                if current[line_start..line_end].trim().is_empty() {
                    return Err(errors);
                }
                let mut next = String::with_capacity(current.len());
                next.push_str(&current[..line_start]);
                next.extend(current[line_start..line_end].chars().map(|c| {
                    if c == '\r' {
                        c
                    } else {
                        ' '
                    }
                }));
                // Keep byte offsets: pad for multi-byte characters.
                let blanked = current[line_start..line_end].len()
                    - current[line_start..line_end].chars().count();
                next.extend(std::iter::repeat_n(' ', blanked));
                next.push_str(&current[line_end..]);
                text = Some(next);
            }
        }
    }
}

fn next_token_end(source: &str, pos: usize) -> usize {
    let rest = &source[pos.min(source.len())..];
    let len = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(rest.len(), |(i, _)| i);
    pos + len.max(rest.chars().next().map_or(0, char::len_utf8))
}

fn describe_expected(e: &pest::error::Error<Rule>) -> String {
    let pest::error::ErrorVariant::ParsingError { positives, .. } = &e.variant else {
        return "valid syntax".into();
    };
    let mut names: Vec<&str> = positives.iter().filter_map(|r| rule_name(*r)).collect();
    names.sort_unstable();
    names.dedup();
    match names.len() {
        0 => "valid syntax".into(),
        1 => names[0].to_string(),
        n => format!("{} or {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

fn rule_name(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::ident | Rule::bare_ident | Rule::attr_name | Rule::arg_name => "a name",
        Rule::type_name | Rule::col_type | Rule::multiword_type => "a column type",
        Rule::type_params => "type parameters `(n)`",
        Rule::optional => "`?`",
        Rule::field_attr => "an attribute `@…`",
        Rule::block_attr | Rule::block_attr_line => "a block attribute `@@…`",
        Rule::column => "a column",
        Rule::table_decl | Rule::kw_table => "`table`",
        Rule::enum_decl | Rule::kw_enum => "`enum`",
        Rule::group_decl | Rule::kw_group => "`group`",
        Rule::naming_block | Rule::kw_naming => "`naming`",
        Rule::naming_entry => "a naming entry `key = \"template\"`",
        Rule::enum_value => "an enum value",
        Rule::string_lit => "a string",
        Rule::number | Rule::integer => "a number",
        Rule::arg => "an argument",
        Rule::value | Rule::list | Rule::func_call | Rule::path | Rule::raw_sql => "a value",
        Rule::attr_args => "`(`",
        Rule::line_comment | Rule::trailing | Rule::comment_line => "a comment",
        Rule::blank_line => "end of line",
        Rule::doc_line | Rule::docs => "a doc comment",
        Rule::group_name => "a group name",
        _ => return None,
    })
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

fn ident(pair: Pair<'_, Rule>) -> Ident {
    Ident {
        name: pair.as_str().to_string(),
        span: span_of(&pair),
    }
}

fn comment_text(pair: Pair<'_, Rule>) -> String {
    // line_comment / trailing → text after the slashes.
    let inner = match pair.as_rule() {
        Rule::trailing | Rule::comment_line | Rule::open_comment => {
            pair.into_inner().next().expect("line_comment")
        }
        _ => pair,
    };
    let text = inner.as_str();
    let text = text.strip_prefix("//").unwrap_or(text);
    text.trim_end().to_string()
}

fn docs(pair: Pair<'_, Rule>) -> Vec<String> {
    pair.into_inner()
        .map(|doc| {
            let text = &doc.as_str()[3..];
            let text = text.strip_prefix(' ').unwrap_or(text);
            text.trim_end().to_string()
        })
        .collect()
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn string_value(pair: Pair<'_, Rule>) -> String {
    unescape(pair.into_inner().next().map_or("", |p| p.as_str()))
}

fn build_file(schema: Pair<'_, Rule>) -> File {
    let mut items = Vec::new();
    for pair in schema.into_inner() {
        let item = match pair.as_rule() {
            Rule::blank_line => Item::Blank,
            Rule::comment_line => Item::Comment(comment_text(pair)),
            Rule::naming_block => Item::Naming(build_naming(pair)),
            Rule::enum_decl => Item::Enum(build_enum(pair)),
            Rule::group_decl => Item::Group(build_group(pair)),
            Rule::table_decl => Item::Table(build_table(pair)),
            Rule::EOI => continue,
            r => unreachable!("unexpected top-level rule {r:?}"),
        };
        items.push(item);
    }
    File { items }
}

fn build_naming(pair: Pair<'_, Rule>) -> NamingBlock {
    let span = span_of(&pair);
    let mut block = NamingBlock {
        docs: Vec::new(),
        span,
        members: Vec::new(),
        trailing: None,
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::docs => block.docs = docs(p),
            Rule::kw_naming => block.span = span_of(&p),
            Rule::open_comment => block.members.push(NamingMember::Comment(comment_text(p))),
            Rule::blank_line => block.members.push(NamingMember::Blank),
            Rule::comment_line => block.members.push(NamingMember::Comment(comment_text(p))),
            Rule::naming_entry => {
                let mut inner = p.into_inner();
                let key = ident(inner.next().expect("key"));
                let lit = inner.next().expect("template");
                let template_span = span_of(&lit);
                let template = string_value(lit);
                let trailing = inner.next().map(comment_text);
                block.members.push(NamingMember::Entry(NamingEntry {
                    key,
                    template,
                    template_span,
                    trailing,
                }));
            }
            Rule::trailing => block.trailing = Some(comment_text(p)),
            r => unreachable!("naming: {r:?}"),
        }
    }
    block
}

fn build_enum(pair: Pair<'_, Rule>) -> EnumDecl {
    let span = span_of(&pair);
    let mut decl = EnumDecl {
        docs: Vec::new(),
        name: Ident {
            name: String::new(),
            span,
        },
        members: Vec::new(),
        trailing: None,
        span,
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::docs => decl.docs = docs(p),
            Rule::kw_enum => {}
            Rule::ident => decl.name = ident(p),
            // A comment after `{` is kept as the first member.
            Rule::open_comment => decl.members.push(EnumMember::Comment(comment_text(p))),
            Rule::trailing => decl.trailing = Some(comment_text(p)),
            Rule::blank_line => decl.members.push(EnumMember::Blank),
            Rule::comment_line => decl.members.push(EnumMember::Comment(comment_text(p))),
            Rule::block_attr_line => {
                let (attr, trailing) = build_block_attr_line(p);
                decl.members.push(EnumMember::Attr(attr));
                if let Some(t) = trailing {
                    decl.members.push(EnumMember::Comment(t));
                }
            }
            Rule::enum_value => {
                let vspan = span_of(&p);
                let mut value = EnumValue {
                    docs: Vec::new(),
                    value: String::new(),
                    quoted: false,
                    span: vspan,
                    trailing: None,
                };
                for v in p.into_inner() {
                    match v.as_rule() {
                        Rule::docs => value.docs = docs(v),
                        Rule::ident => {
                            value.span = span_of(&v);
                            value.value = v.as_str().to_string();
                        }
                        Rule::string_lit => {
                            value.span = span_of(&v);
                            value.quoted = true;
                            value.value = string_value(v);
                        }
                        Rule::trailing => value.trailing = Some(comment_text(v)),
                        r => unreachable!("enum value: {r:?}"),
                    }
                }
                decl.members.push(EnumMember::Value(value));
            }
            r => unreachable!("enum: {r:?}"),
        }
    }
    decl
}

fn build_group(pair: Pair<'_, Rule>) -> GroupDecl {
    let span = span_of(&pair);
    let mut decl = GroupDecl {
        docs: Vec::new(),
        name: Ident {
            name: String::new(),
            span,
        },
        quoted: false,
        members: Vec::new(),
        trailing: None,
        span,
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::docs => decl.docs = docs(p),
            Rule::kw_group => {}
            Rule::group_name => {
                let inner = p.into_inner().next().expect("group name");
                decl.quoted = inner.as_rule() == Rule::string_lit;
                let span = span_of(&inner);
                let name = if decl.quoted {
                    string_value(inner)
                } else {
                    inner.as_str().to_string()
                };
                decl.name = Ident { name, span };
            }
            // A comment after `{` is kept as the first member.
            Rule::open_comment => decl.members.push(GroupMember::Comment(comment_text(p))),
            Rule::trailing => decl.trailing = Some(comment_text(p)),
            Rule::blank_line => decl.members.push(GroupMember::Blank),
            Rule::comment_line => decl.members.push(GroupMember::Comment(comment_text(p))),
            Rule::table_decl => decl.members.push(GroupMember::Table(build_table(p))),
            r => unreachable!("group: {r:?}"),
        }
    }
    decl
}

fn build_table(pair: Pair<'_, Rule>) -> TableDecl {
    let span = span_of(&pair);
    let mut decl = TableDecl {
        docs: Vec::new(),
        name: Ident {
            name: String::new(),
            span,
        },
        members: Vec::new(),
        trailing: None,
        span,
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::docs => decl.docs = docs(p),
            Rule::kw_table => {}
            Rule::ident => decl.name = ident(p),
            // A comment after `{` is kept as the first member.
            Rule::open_comment => decl.members.push(TableMember::Comment(comment_text(p))),
            Rule::trailing => decl.trailing = Some(comment_text(p)),
            Rule::blank_line => decl.members.push(TableMember::Blank),
            Rule::comment_line => decl.members.push(TableMember::Comment(comment_text(p))),
            Rule::block_attr_line => {
                let (attr, trailing) = build_block_attr_line(p);
                decl.members.push(TableMember::Attr(attr, trailing));
            }
            Rule::column => decl.members.push(TableMember::Column(build_column(p))),
            r => unreachable!("table: {r:?}"),
        }
    }
    decl
}

fn build_block_attr_line(pair: Pair<'_, Rule>) -> (Attribute, Option<String>) {
    let mut inner = pair.into_inner();
    let attr = build_attr(inner.next().expect("block_attr"));
    let trailing = inner.next().map(comment_text);
    (attr, trailing)
}

fn build_column(pair: Pair<'_, Rule>) -> ColumnDecl {
    let span = span_of(&pair);
    let mut docs_ = Vec::new();
    let mut name = None;
    let mut ty = None;
    let mut optional = false;
    let mut attrs = Vec::new();
    let mut trailing = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::docs => docs_ = docs(p),
            Rule::ident => name = Some(ident(p)),
            Rule::col_type => {
                let tspan = span_of(&p);
                let mut inner = p.into_inner();
                let tn = inner.next().expect("type_name");
                let type_name = Ident {
                    // Normalise inner whitespace of multi-word types.
                    name: tn.as_str().split_whitespace().collect::<Vec<_>>().join(" "),
                    span: span_of(&tn),
                };
                let params = inner
                    .next()
                    .map(|params| {
                        params
                            .into_inner()
                            .map(|n| (n.as_str().parse::<u64>().unwrap_or(u64::MAX), span_of(&n)))
                            .collect()
                    })
                    .unwrap_or_default();
                ty = Some(TypeRef {
                    name: type_name,
                    params,
                    span: tspan,
                });
            }
            Rule::optional => optional = true,
            Rule::field_attr => attrs.push(build_attr(p)),
            Rule::trailing => trailing = Some(comment_text(p)),
            r => unreachable!("column: {r:?}"),
        }
    }
    ColumnDecl {
        docs: docs_,
        name: name.expect("column name"),
        ty: ty.expect("column type"),
        optional,
        attrs,
        trailing,
        span,
    }
}

fn build_attr(pair: Pair<'_, Rule>) -> Attribute {
    let span = span_of(&pair);
    let block = pair.as_rule() == Rule::block_attr;
    let mut inner = pair.into_inner();
    let name = ident(inner.next().expect("attr name"));
    let args = inner
        .next()
        .map(|args| args.into_inner().map(build_arg).collect());
    Attribute {
        block,
        name,
        args,
        span,
    }
}

fn build_arg(pair: Pair<'_, Rule>) -> Arg {
    let span = span_of(&pair);
    let mut name = None;
    let mut value = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::arg_name => name = Some(ident(p)),
            _ => value = Some(build_value(p)),
        }
    }
    Arg {
        name,
        value: value.expect("arg value"),
        span,
    }
}

fn build_value(pair: Pair<'_, Rule>) -> Value {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::string_lit => Value::String(string_value(pair), span),
        Rule::number => Value::Number(pair.as_str().to_string(), span),
        Rule::bare_ident => Value::Ident(ident(pair.into_inner().next().expect("ident"))),
        Rule::path => {
            let mut inner = pair.into_inner();
            let a = ident(inner.next().expect("table"));
            let b = ident(inner.next().expect("column"));
            Value::Path(a, b, span)
        }
        Rule::func_call => Value::Func(ident(pair.into_inner().next().expect("fn")), span),
        Rule::raw_sql => Value::Raw(
            pair.into_inner()
                .next()
                .map_or("", |p| p.as_str())
                .to_string(),
            span,
        ),
        Rule::list => Value::List(pair.into_inner().map(build_value).collect(), span),
        r => unreachable!("value: {r:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_small_table() {
        let src = "/// A city\ntable City {\n  cityId uuid @pk // id\n  name varchar(20)? @default(\"x\")\n\n  @@unique([name])\n}\n";
        let file = parse(src).unwrap();
        let Item::Table(t) = &file.items[0] else {
            panic!()
        };
        assert_eq!(t.docs, vec!["A city"]);
        assert_eq!(t.name.name, "City");
        let cols: Vec<_> = t
            .members
            .iter()
            .filter_map(|m| match m {
                TableMember::Column(c) => Some(c),
                _ => None,
            })
            .collect();
        assert_eq!(cols.len(), 2);
        assert_eq!(cols[0].trailing.as_deref(), Some(" id"));
        assert!(cols[1].optional);
        assert_eq!(cols[1].ty.params.len(), 1);
    }

    #[test]
    fn reports_several_syntax_errors() {
        let src = "table A {\n  id uuid @pk\n  x = 1\n  y int\n  z @@\n}\n";
        let errs = parse(src).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:#?}");
    }

    #[test]
    fn double_precision_is_one_type() {
        let src = "table A {\n  id uuid @pk\n  x double   precision?\n}\n";
        let file = parse(src).unwrap();
        let Item::Table(t) = &file.items[0] else {
            panic!()
        };
        let TableMember::Column(c) = &t.members[1] else {
            panic!()
        };
        assert_eq!(c.ty.name.name, "double precision");
        assert!(c.optional);
    }
}
