//! What the rules read from the parser's trees: table names, column types
//! and which type changes keep the stored bytes, volatile calls in defaults,
//! constraints of a column.

use pg_query::protobuf::{self as pb, ConstrType as Ct, NullTestType};
use pg_query::NodeEnum;

/// The name of a table as the statement spells it.
pub(crate) struct Rel {
    pub key: String,
    pub display: String,
}

pub(crate) fn rel(rv: &pb::RangeVar) -> Rel {
    let key = if rv.schemaname.is_empty() {
        rv.relname.clone()
    } else {
        format!("{}.{}", rv.schemaname, rv.relname)
    };
    let display = if rv.schemaname.is_empty() {
        quote(&rv.relname)
    } else {
        format!("{}.{}", quote(&rv.schemaname), quote(&rv.relname))
    };
    Rel { key, display }
}

pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A column type as the parser gives it: `pg_catalog.int8` → `int8`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ty {
    pub name: String,
    /// The integer modifiers (`varchar(20)` → `[20]`); `None` when one is
    /// not an integer constant.
    pub mods: Option<Vec<i32>>,
    pub array: bool,
}

impl Ty {
    pub fn of(tn: &pb::TypeName) -> Ty {
        let name = tn
            .names
            .iter()
            .filter_map(string_of)
            .next_back()
            .unwrap_or_default();
        let mods = tn
            .typmods
            .iter()
            .map(|m| match &m.node {
                Some(NodeEnum::AConst(pb::AConst {
                    val: Some(pb::a_const::Val::Ival(i)),
                    ..
                })) => Some(i.ival),
                _ => None,
            })
            .collect();
        Ty {
            name,
            mods,
            array: !tn.array_bounds.is_empty(),
        }
    }

    pub fn display(&self) -> String {
        let base = match self.name.as_str() {
            "int2" => "smallint",
            "int4" => "integer",
            "int8" => "bigint",
            "float4" => "real",
            "float8" => "double precision",
            "bool" => "boolean",
            "bpchar" => "char",
            other => other,
        };
        let mods = match &self.mods {
            Some(m) if !m.is_empty() => {
                let m: Vec<String> = m.iter().map(i32::to_string).collect();
                format!("({})", m.join(","))
            }
            _ => String::new(),
        };
        format!("{base}{mods}{}", if self.array { "[]" } else { "" })
    }

    /// Types that some other type reaches without a rewrite: with the old
    /// type unknown, a change to one of these is given the benefit of the
    /// doubt.
    pub fn cheaply_reachable(&self) -> bool {
        !self.array
            && matches!(
                self.name.as_str(),
                "varchar" | "text" | "numeric" | "varbit"
            )
    }
}

/// Whether `old → new` keeps every stored value as it is (binary-coercible,
/// or a wider length / precision), so PostgreSQL skips the table rewrite.
/// Deliberately small:
/// - the same type and modifiers;
/// - `varchar(n)` → `varchar(m)` with m ≥ n, or → `varchar`; `varchar` ↔ `text`;
/// - `numeric(p,s)` → `numeric(p',s)` with p' ≥ p and the same scale, or → `numeric`;
/// - `varbit(n)` → `varbit(m)` with m ≥ n, or → `varbit`.
pub(crate) fn cheap_change(old: &Ty, new: &Ty) -> bool {
    if old == new {
        return true;
    }
    if old.array || new.array {
        return false;
    }
    let (Some(om), Some(nm)) = (&old.mods, &new.mods) else {
        return false;
    };
    match (old.name.as_str(), new.name.as_str()) {
        ("varchar", "varchar") | ("varbit", "varbit") => {
            nm.is_empty() || om.first().zip(nm.first()).is_some_and(|(o, n)| n >= o)
        }
        ("varchar", "text") => true,
        ("text", "varchar") => nm.is_empty(),
        ("numeric", "numeric") => match (om.as_slice(), nm.as_slice()) {
            (_, []) => true,
            ([p], [q]) => q >= p,
            ([p], [q, 0]) | ([p, 0], [q]) => q >= p,
            ([p, s], [q, t]) => q >= p && s == t,
            _ => false,
        },
        _ => false,
    }
}

pub(crate) fn string_of(node: &pb::Node) -> Option<String> {
    match &node.node {
        Some(NodeEnum::String(s)) => Some(s.sval.clone()),
        _ => None,
    }
}

/// Functions PostgreSQL marks volatile that appear in column defaults
/// (the list the migration planner goes by too). A user-defined function is
/// volatile unless declared otherwise; it is not in this list, and not
/// flagged.
pub(crate) use nzc_types::contract::VOLATILE_FUNCTIONS as VOLATILE;

pub(crate) const SERIAL: &[&str] = &[
    "serial",
    "serial2",
    "serial4",
    "serial8",
    "smallserial",
    "bigserial",
];

/// The first call of a volatile function in an expression: its name and
/// location. Walks the expression nodes a column default can hold
/// (operators, casts, CASE, COALESCE, arrays, rows, calls' arguments …); a
/// subquery is not entered (PostgreSQL forbids it in a default).
pub(crate) fn volatile_call(expr: &pb::Node) -> Option<(String, i32)> {
    fn all<'a>(nodes: impl IntoIterator<Item = &'a pb::Node>) -> Option<(String, i32)> {
        nodes.into_iter().find_map(volatile_call)
    }
    fn opt(node: &Option<Box<pb::Node>>) -> Option<(String, i32)> {
        node.as_deref().and_then(volatile_call)
    }
    match expr.node.as_ref()? {
        NodeEnum::FuncCall(f) => {
            let name = f.funcname.iter().filter_map(string_of).next_back();
            match name.filter(|n| VOLATILE.contains(&n.as_str())) {
                Some(name) => Some((name, f.location)),
                None => all(&f.args),
            }
        }
        NodeEnum::TypeCast(c) => opt(&c.arg),
        NodeEnum::AExpr(e) => opt(&e.lexpr).or_else(|| opt(&e.rexpr)),
        NodeEnum::BoolExpr(e) => all(&e.args),
        NodeEnum::CoalesceExpr(e) => all(&e.args),
        NodeEnum::MinMaxExpr(e) => all(&e.args),
        NodeEnum::CaseExpr(e) => opt(&e.arg)
            .or_else(|| all(&e.args))
            .or_else(|| opt(&e.defresult)),
        NodeEnum::CaseWhen(w) => opt(&w.expr).or_else(|| opt(&w.result)),
        NodeEnum::AArrayExpr(a) => all(&a.elements),
        NodeEnum::RowExpr(r) => all(&r.args),
        NodeEnum::CollateClause(c) => opt(&c.arg),
        NodeEnum::AIndirection(i) => opt(&i.arg),
        NodeEnum::NamedArgExpr(n) => opt(&n.arg),
        NodeEnum::NullTest(t) => opt(&t.arg),
        NodeEnum::BooleanTest(t) => opt(&t.arg),
        _ => None,
    }
}

pub(crate) fn constraints(cd: &pb::ColumnDef) -> impl Iterator<Item = &pb::Constraint> {
    cd.constraints.iter().filter_map(|c| match &c.node {
        Some(NodeEnum::Constraint(c)) => Some(c.as_ref()),
        _ => None,
    })
}

pub(crate) fn is(c: &pb::Constraint, kind: Ct) -> bool {
    c.contype == kind as i32
}

/// `CHECK (column IS NOT NULL)`: the column.
pub(crate) fn not_null_check_column(c: &pb::Constraint) -> Option<String> {
    let Some(NodeEnum::NullTest(t)) = c.raw_expr.as_ref()?.node.as_ref() else {
        return None;
    };
    if t.nulltesttype != NullTestType::IsNotNull as i32 {
        return None;
    }
    match t.arg.as_ref()?.node.as_ref()? {
        NodeEnum::ColumnRef(r) if r.fields.len() == 1 => string_of(&r.fields[0]),
        _ => None,
    }
}

/// The strings of a `List` node (a qualified name: `schema`, `table`, …).
pub(crate) fn names(node: &pb::Node) -> Vec<String> {
    match &node.node {
        Some(NodeEnum::List(l)) => l.items.iter().filter_map(string_of).collect(),
        _ => Vec::new(),
    }
}

/// The tables of a list of `RangeVar` nodes (`LOCK`, `TRUNCATE`, `INHERITS`).
pub(crate) fn range_vars(nodes: &[pb::Node]) -> impl Iterator<Item = &pb::RangeVar> {
    nodes.iter().filter_map(|n| match &n.node {
        Some(NodeEnum::RangeVar(rv)) => Some(rv),
        _ => None,
    })
}
