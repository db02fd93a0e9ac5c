//! The spanned syntax tree of a schema file, as written (comments and blank
//! lines included, so `nzc fmt` can reprint it). Built by [`crate::parser`];
//! read by validation and the formatter.

/// A byte range in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// A name with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct File {
    pub items: Vec<Item>,
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Blank,
    /// A `//` comment line (text after `//`).
    Comment(String),
    Naming(NamingBlock),
    Enum(EnumDecl),
    Group(GroupDecl),
    Table(TableDecl),
}

/// `naming { primary_key = "pk_{table}" … }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamingBlock {
    pub docs: Vec<String>,
    pub span: Span,
    pub members: Vec<NamingMember>,
    pub trailing: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamingMember {
    Blank,
    Comment(String),
    Entry(NamingEntry),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamingEntry {
    pub key: Ident,
    pub template: String,
    pub template_span: Span,
    pub trailing: Option<String>,
}

/// `enum Name { value … }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDecl {
    pub docs: Vec<String>,
    pub name: Ident,
    pub members: Vec<EnumMember>,
    pub trailing: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumMember {
    Blank,
    Comment(String),
    Attr(Attribute),
    Value(EnumValue),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    pub docs: Vec<String>,
    pub value: String,
    /// Written as a string literal (`"scope 1"`) rather than a bare name.
    pub quoted: bool,
    pub span: Span,
    pub trailing: Option<String>,
}

/// `group Name { table … }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDecl {
    pub docs: Vec<String>,
    pub name: Ident,
    /// Written as a string literal (`"Budgets & Funding"`).
    pub quoted: bool,
    pub members: Vec<GroupMember>,
    pub trailing: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupMember {
    Blank,
    Comment(String),
    Table(TableDecl),
}

/// `table Name { … }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDecl {
    pub docs: Vec<String>,
    pub name: Ident,
    pub members: Vec<TableMember>,
    pub trailing: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableMember {
    Blank,
    Comment(String),
    Column(ColumnDecl),
    /// A block attribute line (`@@unique([a, b])`), with its trailing comment.
    Attr(Attribute, Option<String>),
}

/// `name type? @attr…`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDecl {
    pub docs: Vec<String>,
    pub name: Ident,
    pub ty: TypeRef,
    pub optional: bool,
    pub attrs: Vec<Attribute>,
    pub trailing: Option<String>,
    pub span: Span,
}

/// A type as written: `varchar`, `varchar(20)`, `numeric(12,2)`, `Status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    pub name: Ident,
    pub params: Vec<(u64, Span)>,
    pub span: Span,
}

/// `@name(args)` or `@@name(args)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// `@@name` (block attribute) rather than `@name`.
    pub block: bool,
    pub name: Ident,
    /// `None` when written without parentheses.
    pub args: Option<Vec<Arg>>,
    pub span: Span,
}

impl Attribute {
    /// The attribute as written: `@name` or `@@name`.
    pub fn display(&self) -> String {
        format!("{}{}", if self.block { "@@" } else { "@" }, self.name.name)
    }

    pub fn args(&self) -> &[Arg] {
        self.args.as_deref().unwrap_or(&[])
    }
}

/// One argument: `value` or `name: value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Value,
    pub span: Span,
}

/// An argument value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    String(String, Span),
    /// A number, as written.
    Number(String, Span),
    Ident(Ident),
    /// `Table.column`
    Path(Ident, Ident, Span),
    /// `now()`
    Func(Ident, Span),
    /// `` `raw SQL` ``
    Raw(String, Span),
    List(Vec<Value>, Span),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::String(_, s)
            | Value::Number(_, s)
            | Value::Path(_, _, s)
            | Value::Func(_, s)
            | Value::Raw(_, s)
            | Value::List(_, s) => *s,
            Value::Ident(i) => i.span,
        }
    }

    /// A short description of the value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::String(..) => "a string",
            Value::Number(..) => "a number",
            Value::Ident(_) => "a name",
            Value::Path(..) => "a `Table.column` path",
            Value::Func(..) => "a function call",
            Value::Raw(..) => "a raw SQL expression",
            Value::List(..) => "a list",
        }
    }
}
