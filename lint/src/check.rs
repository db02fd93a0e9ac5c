//! The rules applied to the parsed statements, in file order, with what the
//! file did so far (tables it created, constraints it added `NOT VALID`,
//! checks it validated, column types it set).

use crate::rules::Rule;
use crate::source::{comma_parts, name_or_call_span, token_at, Parsed, Stmt, Tok};
use crate::{Finding, Options};
use pg_query::protobuf::{
    self as pb, AlterTableType as At, ConstrType as Ct, NullTestType, ObjectType as Ot, Token,
    TransactionStmtKind as Tx,
};
use pg_query::NodeEnum;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) fn check(parsed: &Parsed, options: &Options) -> Vec<Finding> {
    let mut cx = Cx {
        in_tx: options.in_transaction,
        new_tables: options.new_tables.iter().cloned().collect(),
        ..Cx::default()
    };
    let mut all = Vec::new();
    for stmt in &parsed.stmts {
        let mut found = Vec::new();
        cx.statement(stmt, &mut found);
        all.extend(
            found
                .into_iter()
                .filter(|f| !stmt.allowed.contains(&f.rule)),
        );
    }
    all.sort_by_key(|f| (f.span.0, f.rule));
    all
}

/// A constraint the file added `NOT VALID`.
#[derive(Debug, Clone)]
enum Pending {
    /// A check; `Some(column)` when it is `CHECK (column IS NOT NULL)`.
    Check(Option<String>),
    Foreign,
    /// PostgreSQL 18's `ADD CONSTRAINT … NOT NULL column NOT VALID`.
    NotNull(String),
}

#[derive(Default)]
struct Cx {
    in_tx: bool,
    /// Tables created earlier in the migration: `name` or `schema.name`.
    new_tables: BTreeSet<String>,
    /// Index created in the file → its table (`schema.name` or `name`).
    index_table: BTreeMap<String, String>,
    /// (table, constraint) added `NOT VALID` in the file.
    not_valid: BTreeMap<(String, String), Pending>,
    /// (table, column) with a validated `CHECK (column IS NOT NULL)`.
    not_null_checked: BTreeSet<(String, String)>,
    /// Tables with a `VALIDATE CONSTRAINT` of a constraint an earlier
    /// migration added: its definition is not in this file, so it is taken
    /// to be the `IS NOT NULL` check that a later `SET NOT NULL` needs.
    validated_elsewhere: BTreeSet<String>,
    /// (table, column) → the type the file gave it.
    types: BTreeMap<(String, String), Ty>,
}

/// The name of a table as the statement spells it.
struct Rel {
    key: String,
    display: String,
}

fn rel(rv: &pb::RangeVar) -> Rel {
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

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A column type as the parser gives it: `pg_catalog.int8` → `int8`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ty {
    name: String,
    /// The integer modifiers (`varchar(20)` → `[20]`); `None` when one is
    /// not an integer constant.
    mods: Option<Vec<i32>>,
    array: bool,
}

impl Ty {
    fn of(tn: &pb::TypeName) -> Ty {
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

    fn display(&self) -> String {
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
    fn cheaply_reachable(&self) -> bool {
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
fn cheap_change(old: &Ty, new: &Ty) -> bool {
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

fn string_of(node: &pb::Node) -> Option<String> {
    match &node.node {
        Some(NodeEnum::String(s)) => Some(s.sval.clone()),
        _ => None,
    }
}

fn offset(location: i32) -> Option<usize> {
    usize::try_from(location).ok()
}

/// Functions PostgreSQL marks volatile that appear in column defaults.
/// (A user-defined function is volatile unless declared otherwise; it is
/// not in this list, and not flagged.)
const VOLATILE: &[&str] = &[
    "random",
    "random_normal",
    "gen_random_uuid",
    "uuidv4",
    "uuidv7",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "nextval",
];

const SERIAL: &[&str] = &[
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
fn volatile_call(expr: &pb::Node) -> Option<(String, i32)> {
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

fn constraints(cd: &pb::ColumnDef) -> impl Iterator<Item = &pb::Constraint> {
    cd.constraints.iter().filter_map(|c| match &c.node {
        Some(NodeEnum::Constraint(c)) => Some(c.as_ref()),
        _ => None,
    })
}

fn is(c: &pb::Constraint, kind: Ct) -> bool {
    c.contype == kind as i32
}

/// `CHECK (column IS NOT NULL)`: the column.
fn not_null_check_column(c: &pb::Constraint) -> Option<String> {
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

const INDEX_BUILD_LOCK: &str =
    "ACCESS EXCLUSIVE on the table for the whole index build: reads and writes wait";
const REWRITE_LOCK: &str =
    "ACCESS EXCLUSIVE on the table while it and its indexes are rewritten: reads and writes wait";
const SCAN_LOCK: &str =
    "ACCESS EXCLUSIVE on the table while every row is checked: reads and writes wait";
const FK_LOCK: &str = "SHARE ROW EXCLUSIVE on the table and on the referenced table while every row is checked: writes to both wait";
const BRIEF_LOCK: &str = "ACCESS EXCLUSIVE on the table, briefly (no rewrite)";

impl Cx {
    fn is_new(&self, rv: &pb::RangeVar) -> bool {
        self.new_tables.contains(&rv.relname) || self.new_tables.contains(&rel(rv).key)
    }

    fn add_new(&mut self, rv: &pb::RangeVar) {
        self.new_tables.insert(rv.relname.clone());
        self.new_tables.insert(rel(rv).key);
    }

    fn is_new_key(&self, key: &str) -> bool {
        self.new_tables.contains(key)
    }

    fn statement(&mut self, s: &Stmt, out: &mut Vec<Finding>) {
        match &s.node {
            NodeEnum::CreateStmt(c) => self.create_table(c),
            NodeEnum::CreateTableAsStmt(c) => {
                if let Some(rv) = c.into.as_ref().and_then(|i| i.rel.as_ref()) {
                    if !c.if_not_exists {
                        self.add_new(rv);
                    }
                }
            }
            NodeEnum::IndexStmt(i) => self.create_index(s, i, out),
            NodeEnum::DropStmt(d) => self.drop(s, d, out),
            NodeEnum::AlterTableStmt(a) if a.objtype == Ot::ObjectTable as i32 => {
                self.alter_table(s, a, out)
            }
            NodeEnum::RenameStmt(r) => self.rename(s, r, out),
            NodeEnum::TransactionStmt(t) => self.transaction(s, t, out),
            NodeEnum::ReindexStmt(r) => {
                let concurrently = r.params.iter().any(|p| {
                    matches!(&p.node, Some(NodeEnum::DefElem(d)) if d.defname == "concurrently")
                });
                if concurrently && self.in_tx {
                    out.push(concurrently_in_tx(s, "REINDEX CONCURRENTLY"));
                }
            }
            _ => {}
        }
    }

    fn create_table(&mut self, c: &pb::CreateStmt) {
        let Some(rv) = &c.relation else { return };
        let table = rel(rv).key;
        if !c.if_not_exists {
            self.add_new(rv);
        }
        for elt in &c.table_elts {
            if let Some(NodeEnum::ColumnDef(cd)) = &elt.node {
                if let Some(tn) = &cd.type_name {
                    self.types
                        .insert((table.clone(), cd.colname.clone()), Ty::of(tn));
                }
            }
        }
    }

    fn create_index(&mut self, s: &Stmt, i: &pb::IndexStmt, out: &mut Vec<Finding>) {
        let Some(rv) = &i.relation else { return };
        let table = rel(rv);
        if !i.idxname.is_empty() {
            self.index_table
                .insert(i.idxname.clone(), table.key.clone());
        }
        let what = if i.unique {
            "CREATE UNIQUE INDEX"
        } else {
            "CREATE INDEX"
        };
        if i.concurrent {
            if self.in_tx {
                out.push(concurrently_in_tx(s, &format!("{what} CONCURRENTLY")));
            }
            return;
        }
        if self.is_new(rv) {
            return;
        }
        let name = if i.idxname.is_empty() {
            String::new()
        } else {
            format!(" {}", quote(&i.idxname))
        };
        let help = if self.in_tx {
            format!("build it with {what} CONCURRENTLY (reads and writes go on), in a migration of its own marked `-- nzc:no-transaction`: CONCURRENTLY cannot run in a transaction")
        } else {
            format!("build it with {what} CONCURRENTLY: reads and writes go on (if the build fails, it leaves an INVALID index to drop before retrying)")
        };
        out.push(Finding::new(
            Rule::IndexWithoutConcurrently,
            s.span,
            format!("{what}{name} on {} without CONCURRENTLY", table.display),
            "SHARE on the table for the whole index build: writes wait",
            help,
        ));
    }

    fn drop(&mut self, s: &Stmt, d: &pb::DropStmt, out: &mut Vec<Finding>) {
        let names: Vec<Vec<String>> = d
            .objects
            .iter()
            .filter_map(|o| match &o.node {
                Some(NodeEnum::List(l)) => Some(l.items.iter().filter_map(string_of).collect()),
                _ => None,
            })
            .collect();
        let display = |n: &Vec<String>| -> String {
            n.iter().map(|p| quote(p)).collect::<Vec<_>>().join(".")
        };
        if d.remove_type == Ot::ObjectIndex as i32 {
            if d.concurrent {
                if self.in_tx {
                    out.push(concurrently_in_tx(s, "DROP INDEX CONCURRENTLY"));
                }
                return;
            }
            // An index of a table created in this migration is exempt.
            let old: Vec<String> = names
                .iter()
                .filter(|n| {
                    let index = n.last().cloned().unwrap_or_default();
                    !self
                        .index_table
                        .get(&index)
                        .is_some_and(|t| self.is_new_key(t))
                })
                .map(display)
                .collect();
            if old.is_empty() {
                return;
            }
            out.push(Finding::new(
                Rule::DropIndexWithoutConcurrently,
                s.span,
                format!("DROP INDEX {} without CONCURRENTLY", old.join(", ")),
                "ACCESS EXCLUSIVE on the index's table: reads and writes wait, also while the statement queues for the lock",
                "use DROP INDEX CONCURRENTLY (one index per statement) in a migration marked `-- nzc:no-transaction`".to_string(),
            ));
        } else if d.remove_type == Ot::ObjectTable as i32 {
            let old: Vec<String> = names
                .iter()
                .filter(|n| {
                    let key = n.join(".");
                    let name = n.last().cloned().unwrap_or_default();
                    !self.is_new_key(&key) && !self.is_new_key(&name)
                })
                .map(display)
                .collect();
            if old.is_empty() {
                return;
            }
            let (what, them) = if old.len() == 1 {
                ("table", "its")
            } else {
                ("tables", "their")
            };
            out.push(Finding::new(
                Rule::DropTable,
                s.span,
                format!("DROP TABLE deletes {what} {} and all {them} rows", old.join(", ")),
                "ACCESS EXCLUSIVE on the table, briefly",
                "make sure no running code uses it any more (stop using it in an earlier release) and keep a backup if its rows may still be needed".to_string(),
            ));
        }
    }

    fn alter_table(&mut self, s: &Stmt, a: &pb::AlterTableStmt, out: &mut Vec<Finding>) {
        let Some(rv) = &a.relation else { return };
        let table = rel(rv);
        let new = self.is_new(rv);
        // The commands' spans: the comma-separated parts after the table name.
        let parts = offset(rv.location)
            .and_then(|at| token_at(&s.tokens, at))
            .map(|mut i| {
                while s.tokens.get(i + 1).is_some_and(|t| t.is(Token::Ascii46)) {
                    i += 2;
                }
                if s.tokens.get(i + 1).is_some_and(|t| t.is(Token::Ascii42)) {
                    i += 1;
                }
                comma_parts(&s.tokens, i + 1)
            })
            .filter(|p| p.len() == a.cmds.len())
            .unwrap_or_default();
        for (k, node) in a.cmds.iter().enumerate() {
            let Some(NodeEnum::AlterTableCmd(cmd)) = &node.node else {
                continue;
            };
            let span = parts.get(k).copied().unwrap_or(s.span);
            let def = cmd.def.as_ref().and_then(|d| d.node.as_ref());
            let cmd_ = Cmd {
                s,
                table: &table,
                new,
                span,
            };
            match At::try_from(cmd.subtype) {
                Ok(At::AtAddColumn) => {
                    if let Some(NodeEnum::ColumnDef(cd)) = def {
                        self.add_column(&cmd_, cd, out);
                    }
                }
                Ok(At::AtAddConstraint) => {
                    if let Some(NodeEnum::Constraint(c)) = def {
                        self.add_constraint(&cmd_, c, out);
                    }
                }
                Ok(At::AtValidateConstraint) => self.validate(&cmd_, &cmd.name, out),
                Ok(At::AtSetNotNull) if !new => self.set_not_null(&cmd_, &cmd.name, out),
                Ok(At::AtAlterColumnType) => {
                    if let Some(NodeEnum::ColumnDef(cd)) = def {
                        self.alter_type(&cmd_, &cmd.name, cd, out);
                    }
                }
                Ok(At::AtDropColumn) if !new => out.push(Finding::new(
                    Rule::DropColumn,
                    span,
                    format!(
                        "DROP COLUMN deletes {}.{} and its data",
                        table.display,
                        quote(&cmd.name)
                    ),
                    BRIEF_LOCK,
                    "make sure no running code reads or writes the column any more (stop using it in an earlier release) and keep a backup if its values may still be needed".to_string(),
                )),
                Ok(At::AtDetachPartition) => {
                    if let Some(NodeEnum::PartitionCmd(p)) = def {
                        if p.concurrent && self.in_tx {
                            let mut f = concurrently_in_tx(s, "DETACH PARTITION CONCURRENTLY");
                            f.span = span;
                            out.push(f);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn add_column(&mut self, c: &Cmd<'_>, cd: &pb::ColumnDef, out: &mut Vec<Finding>) {
        let column = format!("{}.{}", c.table.display, quote(&cd.colname));
        let ty = cd.type_name.as_ref().map(Ty::of);
        if let Some(ty) = &ty {
            self.types
                .insert((c.table.key.clone(), cd.colname.clone()), ty.clone());
        }
        if c.new {
            return;
        }
        let rewrite_help = "add the column without that default (a constant or other non-volatile default is stored without a rewrite since PostgreSQL 11), fill it in batches, then SET DEFAULT for new rows".to_string();
        let mut has_default = cd.raw_default.is_some();
        let mut not_null = cd.is_not_null;
        // serial: its default is nextval(), volatile.
        if let Some(tn) = &cd.type_name {
            let name = ty.as_ref().map(|t| t.name.as_str()).unwrap_or("");
            if SERIAL.contains(&name) && tn.names.len() == 1 {
                has_default = true;
                let span = offset(tn.location)
                    .and_then(|at| name_or_call_span(&c.s.tokens, at))
                    .unwrap_or(c.span);
                out.push(Finding::new(
                    Rule::AddColumnRewrite,
                    span,
                    format!("ADD COLUMN {column} {name} rewrites the table: its default nextval() is volatile"),
                    REWRITE_LOCK,
                    "add a plain integer column, create and attach the sequence, fill the existing rows in batches, then SET DEFAULT nextval(…) and NOT NULL".to_string(),
                ));
            }
        }
        let defaults = cd
            .raw_default
            .iter()
            .map(AsRef::as_ref)
            .chain(
                constraints(cd)
                    .filter(|k| is(k, Ct::ConstrDefault))
                    .filter_map(|k| k.raw_expr.as_deref()),
            )
            .collect::<Vec<_>>();
        for expr in defaults {
            has_default = true;
            if let Some((name, at)) = volatile_call(expr) {
                let span = offset(at)
                    .and_then(|at| name_or_call_span(&c.s.tokens, at))
                    .unwrap_or(c.span);
                out.push(Finding::new(
                    Rule::AddColumnRewrite,
                    span,
                    format!(
                        "ADD COLUMN {column} with the volatile default {name}() rewrites the table"
                    ),
                    REWRITE_LOCK,
                    rewrite_help.clone(),
                ));
            }
        }
        for k in constraints(cd) {
            match Ct::try_from(k.contype) {
                Ok(Ct::ConstrNotnull) => not_null = true,
                Ok(Ct::ConstrIdentity) => {
                    has_default = true;
                    out.push(Finding::new(
                        Rule::AddColumnRewrite,
                        c.span,
                        format!("ADD COLUMN {column} GENERATED AS IDENTITY rewrites the table to number the existing rows"),
                        REWRITE_LOCK,
                        "add a plain column, fill it in batches, then ALTER COLUMN … ADD GENERATED AS IDENTITY (no rewrite) with a start above the existing values".to_string(),
                    ));
                }
                Ok(Ct::ConstrGenerated) => {
                    has_default = true;
                    if k.generated_kind == "s" {
                        out.push(Finding::new(
                            Rule::AddColumnRewrite,
                            c.span,
                            format!("ADD COLUMN {column} GENERATED ALWAYS AS (…) STORED rewrites the table to compute it"),
                            REWRITE_LOCK,
                            "add a plain column kept up to date by a trigger and filled in batches, or (PostgreSQL 18+) a VIRTUAL generated column".to_string(),
                        ));
                    }
                }
                Ok(Ct::ConstrPrimary) => not_null = true,
                _ => {}
            }
        }
        for k in constraints(cd) {
            match Ct::try_from(k.contype) {
                Ok(Ct::ConstrForeign) => out.push(Finding::new(
                    Rule::ForeignKeyInOneStep,
                    c.span,
                    format!("ADD COLUMN {column} REFERENCES … adds a foreign key and validates it at once"),
                    FK_LOCK,
                    "add the column without REFERENCES, then ADD CONSTRAINT … FOREIGN KEY … NOT VALID, and VALIDATE CONSTRAINT in a later migration".to_string(),
                )),
                Ok(kind @ (Ct::ConstrUnique | Ct::ConstrPrimary)) => {
                    let what = if kind == Ct::ConstrUnique { "UNIQUE" } else { "PRIMARY KEY" };
                    out.push(Finding::new(
                        Rule::UniqueWithoutIndex,
                        c.span,
                        format!("ADD COLUMN {column} {what} builds its index while holding the table's lock"),
                        INDEX_BUILD_LOCK,
                        format!("add the column plain, CREATE UNIQUE INDEX CONCURRENTLY in a `-- nzc:no-transaction` migration, then ADD CONSTRAINT … {what} USING INDEX …"),
                    ));
                }
                _ => {}
            }
        }
        if not_null && !has_default {
            out.push(Finding::new(
                Rule::AddRequiredColumn,
                c.span,
                format!("ADD COLUMN {column} NOT NULL without a default fails when the table has rows"),
                "ACCESS EXCLUSIVE on the table, briefly, but the statement fails (the existing rows would hold NULL)",
                "give it a DEFAULT (a non-volatile default is stored without a rewrite), or add it nullable, fill it, and make it NOT NULL through a validated CHECK (see L007)".to_string(),
            ));
        }
    }

    fn add_constraint(&mut self, c: &Cmd<'_>, k: &pb::Constraint, out: &mut Vec<Finding>) {
        let key = (c.table.key.clone(), k.conname.clone());
        let name = if k.conname.is_empty() {
            String::new()
        } else {
            format!(" {}", quote(&k.conname))
        };
        let validate_later = format!(
            "then ALTER TABLE {} VALIDATE CONSTRAINT{name} in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes go on)",
            c.table.display
        );
        match Ct::try_from(k.contype) {
            Ok(Ct::ConstrCheck) => {
                let column = not_null_check_column(k);
                if k.skip_validation {
                    self.not_valid.insert(key, Pending::Check(column));
                    return;
                }
                if let Some(col) = column {
                    self.not_null_checked.insert((c.table.key.clone(), col));
                }
                if !c.new {
                    out.push(Finding::new(
                        Rule::CheckWithoutNotValid,
                        c.span,
                        format!("ADD CONSTRAINT{name} CHECK on {} checks every row while holding its lock", c.table.display),
                        SCAN_LOCK,
                        format!("add it with NOT VALID (new rows are checked, a brief lock), {validate_later}"),
                    ));
                }
            }
            Ok(Ct::ConstrForeign) => {
                if k.skip_validation {
                    self.not_valid.insert(key, Pending::Foreign);
                    return;
                }
                if !c.new {
                    out.push(Finding::new(
                        Rule::ForeignKeyInOneStep,
                        c.span,
                        format!("foreign key{name} on {} is added and validated in one step", c.table.display),
                        FK_LOCK,
                        format!("add it with NOT VALID (new rows are checked, a brief lock), {validate_later}"),
                    ));
                }
            }
            Ok(Ct::ConstrNotnull) => {
                let Some(col) = k.keys.first().and_then(string_of) else {
                    return;
                };
                if k.skip_validation {
                    self.not_valid.insert(key, Pending::NotNull(col));
                    return;
                }
                if !c.new && !self.checked_not_null(&c.table.key, &col) {
                    out.push(Finding::new(
                        Rule::SetNotNull,
                        c.span,
                        format!("ADD CONSTRAINT{name} NOT NULL {} checks every row of {} while holding its lock", quote(&col), c.table.display),
                        SCAN_LOCK,
                        format!("add it with NOT VALID (PostgreSQL 18+), {validate_later}"),
                    ));
                }
            }
            Ok(kind @ (Ct::ConstrUnique | Ct::ConstrPrimary)) => {
                if !k.indexname.is_empty() || c.new {
                    return;
                }
                let what = if kind == Ct::ConstrUnique {
                    "UNIQUE"
                } else {
                    "PRIMARY KEY"
                };
                out.push(Finding::new(
                    Rule::UniqueWithoutIndex,
                    c.span,
                    format!("ADD CONSTRAINT{name} {what} on {} builds its index while holding the table's lock", c.table.display),
                    INDEX_BUILD_LOCK,
                    format!("CREATE UNIQUE INDEX CONCURRENTLY first (in a `-- nzc:no-transaction` migration), then ADD CONSTRAINT{name} {what} USING INDEX … (a brief lock)"),
                ));
            }
            _ => {}
        }
    }

    fn validate(&mut self, c: &Cmd<'_>, name: &str, out: &mut Vec<Finding>) {
        let key = (c.table.key.clone(), name.to_string());
        let Some(pending) = self.not_valid.remove(&key) else {
            self.validated_elsewhere.insert(c.table.key.clone());
            return;
        };
        let lock = match &pending {
            Pending::Check(column) => {
                if let Some(col) = column {
                    self.not_null_checked.insert((c.table.key.clone(), col.clone()));
                }
                "ACCESS EXCLUSIVE, taken by the ADD CONSTRAINT and held until the transaction commits, while every row is checked: reads and writes wait"
            }
            Pending::NotNull(col) => {
                self.not_null_checked.insert((c.table.key.clone(), col.clone()));
                "ACCESS EXCLUSIVE, taken by the ADD CONSTRAINT and held until the transaction commits, while every row is checked: reads and writes wait"
            }
            Pending::Foreign => "SHARE ROW EXCLUSIVE on both tables, taken by the ADD CONSTRAINT and held until the transaction commits, while every row is checked: writes to both wait",
        };
        if self.in_tx && !c.new {
            out.push(Finding::new(
                Rule::ValidateInSameTransaction,
                c.span,
                format!(
                    "VALIDATE CONSTRAINT {} in the transaction that added it NOT VALID",
                    quote(name)
                ),
                lock,
                "move the VALIDATE CONSTRAINT to a later migration: NOT VALID only helps when the validation runs in another transaction".to_string(),
            ));
        }
    }

    fn checked_not_null(&self, table: &str, column: &str) -> bool {
        self.not_null_checked
            .contains(&(table.to_string(), column.to_string()))
            || self.validated_elsewhere.contains(table)
    }

    fn set_not_null(&mut self, c: &Cmd<'_>, column: &str, out: &mut Vec<Finding>) {
        if self.checked_not_null(&c.table.key, column) {
            return;
        }
        out.push(Finding::new(
            Rule::SetNotNull,
            c.span,
            format!(
                "SET NOT NULL on {}.{} checks every row while holding its lock",
                c.table.display,
                quote(column)
            ),
            SCAN_LOCK,
            format!(
                "first ADD CONSTRAINT … CHECK ({} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a later migration, then SET NOT NULL after that VALIDATE (PostgreSQL 12+ skips the scan) and drop the check",
                quote(column)
            ),
        ));
    }

    fn alter_type(
        &mut self,
        c: &Cmd<'_>,
        column: &str,
        cd: &pb::ColumnDef,
        out: &mut Vec<Finding>,
    ) {
        let Some(tn) = &cd.type_name else { return };
        let new_ty = Ty::of(tn);
        let key = (c.table.key.clone(), column.to_string());
        let old = self.types.insert(key, new_ty.clone());
        if c.new {
            return;
        }
        let using = cd.raw_default.is_some();
        let rewrites = using
            || match &old {
                Some(old) => !cheap_change(old, &new_ty),
                None => !new_ty.cheaply_reachable(),
            };
        if !rewrites {
            return;
        }
        let col = format!("{}.{}", c.table.display, quote(column));
        let message = match &old {
            Some(old) => format!(
                "changing {col} from {} to {} rewrites the table",
                old.display(),
                new_ty.display()
            ),
            None if using => format!(
                "changing {col} to {} USING … rewrites the table",
                new_ty.display()
            ),
            None => format!("changing {col} to {} rewrites the table", new_ty.display()),
        };
        let help = if new_ty.name == "int8" && !new_ty.array {
            "integer → bigint is not binary-coercible: add a bigint column, keep it in step with a trigger, fill it in batches, then swap the columns in a short migration".to_string()
        } else {
            "only changes that keep the stored bytes are free (varchar(n) → varchar(m ≥ n) or text, text → varchar, numeric(p,s) → numeric(p' ≥ p, s)); otherwise add a new column, fill it in batches and switch over".to_string()
        };
        out.push(Finding::new(
            Rule::TypeChangeRewrite,
            c.span,
            message,
            REWRITE_LOCK,
            help,
        ));
    }

    fn rename(&mut self, s: &Stmt, r: &pb::RenameStmt, out: &mut Vec<Finding>) {
        let Some(rv) = &r.relation else { return };
        if self.is_new(rv) {
            return;
        }
        let table = rel(rv);
        let on_table =
            r.relation_type == Ot::ObjectTable as i32 || r.relation_type == Ot::Undefined as i32;
        if r.rename_type == Ot::ObjectColumn as i32 && on_table {
            out.push(Finding::new(
                Rule::RenameColumn,
                s.span,
                format!(
                    "renaming {}.{} to {} breaks running code that still uses the old name",
                    table.display,
                    quote(&r.subname),
                    quote(&r.newname)
                ),
                BRIEF_LOCK,
                "release code that no longer uses the old name first; or add the new column, write both, fill it, switch the reads, then drop the old one".to_string(),
            ));
        } else if r.rename_type == Ot::ObjectTable as i32 {
            out.push(Finding::new(
                Rule::RenameTable,
                s.span,
                format!(
                    "renaming table {} to {} breaks running code that still uses the old name",
                    table.display,
                    quote(&r.newname)
                ),
                BRIEF_LOCK,
                "release code that no longer uses the old name first, or leave a view with the old name for a release".to_string(),
            ));
        }
    }

    fn transaction(&mut self, s: &Stmt, t: &pb::TransactionStmt, out: &mut Vec<Finding>) {
        if !self.in_tx {
            return;
        }
        let what = match Tx::try_from(t.kind) {
            Ok(Tx::TransStmtBegin) => "BEGIN",
            Ok(Tx::TransStmtStart) => "START TRANSACTION",
            Ok(Tx::TransStmtCommit) => "COMMIT",
            Ok(Tx::TransStmtRollback) => "ROLLBACK",
            Ok(Tx::TransStmtPrepare) => "PREPARE TRANSACTION",
            Ok(Tx::TransStmtCommitPrepared) => "COMMIT PREPARED",
            Ok(Tx::TransStmtRollbackPrepared) => "ROLLBACK PREPARED",
            _ => return,
        };
        out.push(Finding::new(
            Rule::TransactionControl,
            s.span,
            format!("{what} in a migration that runs in a transaction"),
            "none of its own, but it ends or nests the runner's transaction: the migration and its history row no longer commit together",
            "remove it: the runner wraps the migration in one transaction; a migration that must run outside one is marked `-- nzc:no-transaction`".to_string(),
        ));
    }
}

/// One command of an `ALTER TABLE`.
struct Cmd<'a> {
    s: &'a Stmt,
    table: &'a Rel,
    new: bool,
    span: (usize, usize),
}

fn concurrently_in_tx(s: &Stmt, what: &str) -> Finding {
    let span = s
        .tokens
        .iter()
        .find(|t: &&Tok| t.is(Token::Concurrently))
        .map(|t| (t.start, t.end))
        .unwrap_or(s.span);
    Finding::new(
        Rule::ConcurrentlyInTransaction,
        span,
        format!("{what} fails in a migration that runs in a transaction"),
        "SHARE UPDATE EXCLUSIVE (reads and writes go on), but PostgreSQL refuses it inside a transaction block",
        "put the line `-- nzc:no-transaction` in this migration (best one with only this statement): the runner then runs it outside a transaction".to_string(),
    )
}
