//! One walk over the statements, in file order, with what the file did so
//! far (tables it created, constraints it added `NOT VALID`, checks it
//! validated, column types it set, in which part).
//!
//! Each statement is classified once: the lock it takes, on which tables,
//! and what it does under it (a [`Hold`]: catalog only, a scan, an index
//! build, a rewrite). The rules' findings are read off the same facts
//! where they are decided — a type change rewrites, so its lock holds for a
//! rewrite *and* L008 fires on an existing table — so [`crate::locks`] and
//! [`crate::lint`] cannot disagree.

use crate::locks::{Hold, LockMode, StatementLock};
use crate::nodes::{
    cheap_change, constraints, is, names, not_null_check_column, quote, range_vars, rel, string_of,
    volatile_call, Rel, Ty, SERIAL,
};
use crate::rules::Rule;
use crate::source::{comma_parts, name_or_call_span, token_at, Parsed, Stmt, Tok};
use crate::{Finding, Options};
use nzc_types::contract::{PartMode, PartSpan};
use pg_query::protobuf::{
    self as pb, AlterTableType as At, ConstrType as Ct, ObjectType as Ot, ReindexObjectType as Rt,
    Token, TransactionStmtKind as Tx,
};
use pg_query::NodeEnum;
use std::collections::{BTreeMap, BTreeSet};
use LockMode::{
    AccessExclusive, RowExclusive, RowShare, Share, ShareRowExclusive, ShareUpdateExclusive,
};

/// What the walk found: the findings (those accepted by `nzc:allow` left
/// out), and the lock of every statement.
pub(crate) struct Analysis {
    pub findings: Vec<Finding>,
    pub locks: Vec<StatementLock>,
}

/// Walks the statements of `parsed`, which belong to `parts` (from
/// `migration_parts`). In a file without part markers, whether it runs in
/// a transaction is `options.in_transaction`; in a file with them, each
/// part's mode says it.
pub(crate) fn analyze(parsed: &Parsed, parts: &[PartSpan], options: &Options) -> Analysis {
    let marked = parts.iter().any(|p| p.marker_line.is_some());
    let mut cx = Cx {
        marked,
        new_tables: options.new_tables.iter().cloned().collect(),
        ..Cx::default()
    };
    let mut findings = Vec::new();
    let mut locks = Vec::new();
    for stmt in &parsed.stmts {
        let mode = match parts.get(stmt.part) {
            Some(p) if marked => p.mode,
            _ if options.in_transaction => PartMode::Transaction,
            _ => PartMode::NoTransaction,
        };
        cx.part = stmt.part;
        cx.in_tx = mode == PartMode::Transaction;
        let mut out = Out::default();
        cx.statement(stmt, &mut out);
        findings.extend(
            out.findings
                .into_iter()
                .filter(|f| !stmt.allowed.contains(&f.rule)),
        );
        locks.push(StatementLock {
            span: stmt.span,
            part: stmt.part,
            part_mode: mode,
            lock: out.lock,
            tables: out.tables,
            referenced: out.referenced,
            hold: out.hold,
            new_table: out.lock.is_some() && out.new_table,
            opaque: out.opaque,
        });
    }
    findings.sort_by_key(|f| (f.span.0, f.rule));
    Analysis { findings, locks }
}

/// One statement's classification, and the findings read off it.
#[derive(Default)]
struct Out {
    findings: Vec<Finding>,
    lock: Option<LockMode>,
    hold: Hold,
    tables: Vec<String>,
    referenced: Vec<(String, LockMode)>,
    new_table: bool,
    /// A `DO` block or `CALL`: what it locks is not known.
    opaque: bool,
}

impl Out {
    /// The statement (or one of its commands) takes `mode` on its tables
    /// and does `hold` under it: the strongest of each counts.
    fn take(&mut self, mode: LockMode, hold: Hold) {
        self.lock = self.lock.max(Some(mode));
        self.hold = self.hold.max(hold);
    }

    /// One of the tables the lock is taken on.
    fn on(&mut self, table: &str) {
        if !self.tables.iter().any(|t| t == table) {
            self.tables.push(table.to_string());
        }
        self.referenced.retain(|(t, _)| t != table);
    }

    /// Another table locked in `mode` (a foreign key's referenced table …).
    fn also(&mut self, table: &str, mode: LockMode) {
        if self.tables.iter().any(|t| t == table) {
            return;
        }
        match self.referenced.iter_mut().find(|(t, _)| t == table) {
            Some((_, m)) => *m = (*m).max(mode),
            None => self.referenced.push((table.to_string(), mode)),
        }
    }

    fn find(&mut self, f: Finding) {
        self.findings.push(f);
    }
}

/// A constraint the file added `NOT VALID`, and the part that added it.
#[derive(Debug, Clone)]
struct Pending {
    kind: PendingKind,
    part: usize,
}

#[derive(Debug, Clone)]
enum PendingKind {
    /// A check; `Some(column)` when it is `CHECK (column IS NOT NULL)`.
    Check(Option<String>),
    /// A foreign key, with its referenced table.
    Foreign(Option<String>),
    /// PostgreSQL 18's `ADD CONSTRAINT … NOT NULL column NOT VALID`.
    NotNull(String),
}

#[derive(Default)]
struct Cx {
    /// The file has `-- nzc:part` lines.
    marked: bool,
    /// The part of the current statement, and whether it runs in one
    /// transaction. Only what a transaction holds (L006) ends at a part's
    /// boundary; all else the file did is kept (it was committed).
    part: usize,
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
    /// Foreign keys the file added, by table: dropping one (or its column,
    /// or its table) locks the referenced table ACCESS EXCLUSIVE too.
    foreign_keys: BTreeMap<String, Vec<ForeignKey>>,
}

/// A foreign key the file added.
struct ForeignKey {
    /// Its name, when the SQL gives one.
    name: String,
    /// Its columns in the referencing table.
    columns: Vec<String>,
    /// The referenced table.
    target: String,
}

const INDEX_BUILD_LOCK: &str =
    "ACCESS EXCLUSIVE on the table for the whole index build: reads and writes wait";
const REWRITE_LOCK: &str =
    "ACCESS EXCLUSIVE on the table while it and its indexes are rewritten: reads and writes wait";
const SCAN_LOCK: &str =
    "ACCESS EXCLUSIVE on the table while every row is checked: reads and writes wait";
const FK_LOCK: &str = "SHARE ROW EXCLUSIVE on the table and on the referenced table while every row is checked: writes to both wait";
const BRIEF_LOCK: &str = "ACCESS EXCLUSIVE on the table, briefly (no rewrite)";

/// Where a statement that must run outside a transaction goes.
const NO_TX_PLACE: &str =
    "a `-- nzc:part no-transaction` part (or a migration marked `-- nzc:no-transaction`)";
/// Where a `VALIDATE CONSTRAINT` goes.
const LATER: &str = "in a later part (or a later migration)";

impl Cx {
    /// How the current statement runs, for messages.
    fn context(&self) -> &'static str {
        match (self.marked, self.in_tx) {
            (true, true) => "in a `-- nzc:part transaction` part",
            (true, false) => "in a `-- nzc:part no-transaction` part",
            (false, true) => "in a migration that runs in a transaction",
            (false, false) => "in a migration marked `-- nzc:no-transaction`",
        }
    }

    fn is_new(&self, rv: &pb::RangeVar) -> bool {
        self.new_tables.contains(&rv.relname) || self.new_tables.contains(&rel(rv).key)
    }

    fn add_new(&mut self, rv: &pb::RangeVar) {
        self.new_tables.insert(rv.relname.clone());
        self.new_tables.insert(rel(rv).key);
    }

    fn is_new_key(&self, key: &str) -> bool {
        self.new_tables.contains(key)
            || key
                .rsplit_once('.')
                .is_some_and(|(_, name)| self.new_tables.contains(name))
    }

    /// Remembers a foreign key of `table` (`column`: the column it is
    /// declared on, for `REFERENCES` in a column definition).
    fn add_foreign_key(&mut self, table: &str, k: &pb::Constraint, column: Option<&str>) {
        let Some(target) = k.pktable.as_ref().map(|t| rel(t).key) else {
            return;
        };
        let columns = match column {
            Some(c) => vec![c.to_string()],
            None => k.fk_attrs.iter().filter_map(string_of).collect(),
        };
        self.foreign_keys
            .entry(table.to_string())
            .or_default()
            .push(ForeignKey {
                name: k.conname.clone(),
                columns,
                target,
            });
    }

    /// The referenced tables of `table`'s foreign keys that `dropped`
    /// selects, locked ACCESS EXCLUSIVE to drop their triggers.
    fn drop_foreign_keys(&self, table: &str, dropped: impl Fn(&ForeignKey) -> bool, out: &mut Out) {
        for fk in self.foreign_keys.get(table).into_iter().flatten() {
            if dropped(fk) {
                out.also(&fk.target, AccessExclusive);
            }
        }
    }

    fn statement(&mut self, s: &Stmt, out: &mut Out) {
        match &s.node {
            NodeEnum::CreateStmt(c) => self.create_table(c, out),
            NodeEnum::CreateTableAsStmt(c) => {
                if let Some(rv) = c.into.as_ref().and_then(|i| i.rel.as_ref()) {
                    out.take(AccessExclusive, Hold::Brief);
                    out.on(&rel(rv).key);
                    out.new_table = true;
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
            NodeEnum::ReindexStmt(r) => self.reindex(s, r, out),
            NodeEnum::CommentStmt(c) => self.comment(c, out),
            NodeEnum::CreateTrigStmt(t) => {
                if let Some(rv) = &t.relation {
                    self.on_table(rv, ShareRowExclusive, Hold::Brief, out);
                }
            }
            NodeEnum::LockStmt(l) => {
                if let Some(mode) = LockMode::from_pg(l.mode) {
                    self.on_tables(&l.relations, mode, Hold::Brief, out);
                }
            }
            NodeEnum::TruncateStmt(t) => {
                self.on_tables(&t.relations, AccessExclusive, Hold::Brief, out)
            }
            NodeEnum::InsertStmt(i) => {
                let values = match i.select_stmt.as_ref().and_then(|n| n.node.as_ref()) {
                    Some(NodeEnum::SelectStmt(sel)) => !sel.values_lists.is_empty(),
                    _ => true, // DEFAULT VALUES
                };
                if let Some(rv) = &i.relation {
                    let hold = if values { Hold::Brief } else { Hold::Scan };
                    self.on_table(rv, RowExclusive, hold, out);
                }
            }
            NodeEnum::UpdateStmt(u) => self.changes_rows(u.relation.as_ref(), out),
            NodeEnum::DeleteStmt(d) => self.changes_rows(d.relation.as_ref(), out),
            NodeEnum::MergeStmt(m) => self.changes_rows(m.relation.as_ref(), out),
            NodeEnum::DoStmt(_) | NodeEnum::CallStmt(_) => out.opaque = true,
            _ => {}
        }
    }

    /// A statement locking one named table.
    fn on_table(&self, rv: &pb::RangeVar, mode: LockMode, hold: Hold, out: &mut Out) {
        out.take(mode, hold);
        out.on(&rel(rv).key);
        out.new_table = self.is_new(rv);
    }

    /// `UPDATE`, `DELETE`, `MERGE`: ROW EXCLUSIVE while the rows they select
    /// are read (and those they change stay locked until commit).
    fn changes_rows(&self, rv: Option<&pb::RangeVar>, out: &mut Out) {
        if let Some(rv) = rv {
            self.on_table(rv, RowExclusive, Hold::Scan, out);
        }
    }

    /// A statement locking a list of tables (`LOCK`, `TRUNCATE`).
    fn on_tables(&self, nodes: &[pb::Node], mode: LockMode, hold: Hold, out: &mut Out) {
        out.take(mode, hold);
        out.new_table = true;
        for rv in range_vars(nodes) {
            out.on(&rel(rv).key);
            out.new_table &= self.is_new(rv);
        }
    }

    fn create_table(&mut self, c: &pb::CreateStmt, out: &mut Out) {
        let Some(rv) = &c.relation else { return };
        let table = rel(rv).key;
        out.take(AccessExclusive, Hold::Brief);
        out.on(&table);
        out.new_table = true;
        self.foreign_keys.remove(&table);
        // A partition locks its parent ACCESS EXCLUSIVE, an inheriting
        // table its parents SHARE UPDATE EXCLUSIVE.
        let parent_lock = if c.partbound.is_some() {
            AccessExclusive
        } else {
            ShareUpdateExclusive
        };
        for parent in range_vars(&c.inh_relations) {
            out.also(&rel(parent).key, parent_lock);
        }
        for elt in &c.table_elts {
            match &elt.node {
                Some(NodeEnum::ColumnDef(cd)) => {
                    if let Some(tn) = &cd.type_name {
                        self.types
                            .insert((table.clone(), cd.colname.clone()), Ty::of(tn));
                    }
                    for k in constraints(cd).filter(|k| is(k, Ct::ConstrForeign)) {
                        self.add_foreign_key(&table, k, Some(&cd.colname));
                    }
                }
                Some(NodeEnum::Constraint(k)) if is(k, Ct::ConstrForeign) => {
                    self.add_foreign_key(&table, k, None);
                }
                _ => {}
            }
        }
        for fk in self.foreign_keys.get(&table).into_iter().flatten() {
            out.also(&fk.target, ShareRowExclusive);
        }
        if !c.if_not_exists {
            self.add_new(rv);
        }
    }

    fn create_index(&mut self, s: &Stmt, i: &pb::IndexStmt, out: &mut Out) {
        let Some(rv) = &i.relation else { return };
        let table = rel(rv);
        let new = self.is_new(rv);
        if !i.idxname.is_empty() {
            self.index_table
                .insert(i.idxname.clone(), table.key.clone());
        }
        let mode = if i.concurrent {
            ShareUpdateExclusive
        } else {
            Share
        };
        out.take(mode, Hold::Build);
        out.on(&table.key);
        out.new_table = new;
        let what = if i.unique {
            "CREATE UNIQUE INDEX"
        } else {
            "CREATE INDEX"
        };
        if i.concurrent {
            if self.in_tx {
                out.find(self.concurrently_in_tx(s, &format!("{what} CONCURRENTLY")));
            }
            return;
        }
        if new {
            return;
        }
        let name = if i.idxname.is_empty() {
            String::new()
        } else {
            format!(" {}", quote(&i.idxname))
        };
        let help = if self.in_tx {
            format!("build it with {what} CONCURRENTLY (reads and writes go on), in {NO_TX_PLACE}: CONCURRENTLY cannot run in a transaction")
        } else {
            format!("build it with {what} CONCURRENTLY: reads and writes go on (if the build fails, it leaves an INVALID index to drop before retrying)")
        };
        out.find(Finding::new(
            Rule::IndexWithoutConcurrently,
            s.span,
            format!("{what}{name} on {} without CONCURRENTLY", table.display),
            "SHARE on the table for the whole index build: writes wait",
            help,
        ));
    }

    fn drop(&mut self, s: &Stmt, d: &pb::DropStmt, out: &mut Out) {
        let names: Vec<Vec<String>> = d.objects.iter().map(names).collect();
        let display = |n: &Vec<String>| -> String {
            n.iter().map(|p| quote(p)).collect::<Vec<_>>().join(".")
        };
        if d.remove_type == Ot::ObjectIndex as i32 {
            let mode = if d.concurrent {
                ShareUpdateExclusive
            } else {
                AccessExclusive
            };
            out.take(mode, Hold::Brief);
            // The index's table, when the file created the index.
            let tables: Vec<Option<&String>> = names
                .iter()
                .map(|n| self.index_table.get(n.last()?))
                .collect();
            for t in tables.iter().flatten() {
                out.on(t);
            }
            out.new_table =
                !tables.is_empty() && tables.iter().all(|t| t.is_some_and(|t| self.is_new_key(t)));
            if d.concurrent {
                if self.in_tx {
                    out.find(self.concurrently_in_tx(s, "DROP INDEX CONCURRENTLY"));
                }
                return;
            }
            // An index of a table created in this migration is exempt.
            let old: Vec<String> = names
                .iter()
                .zip(&tables)
                .filter(|(_, t)| !t.is_some_and(|t| self.is_new_key(t)))
                .map(|(n, _)| display(n))
                .collect();
            if old.is_empty() {
                return;
            }
            let help = if self.in_tx {
                format!("use DROP INDEX CONCURRENTLY (one index per statement) in {NO_TX_PLACE}")
            } else {
                "use DROP INDEX CONCURRENTLY (one index per statement)".to_string()
            };
            out.find(Finding::new(
                Rule::DropIndexWithoutConcurrently,
                s.span,
                format!("DROP INDEX {} without CONCURRENTLY", old.join(", ")),
                "ACCESS EXCLUSIVE on the index's table: reads and writes wait, also while the statement queues for the lock",
                help,
            ));
        } else if d.remove_type == Ot::ObjectTable as i32 {
            out.take(AccessExclusive, Hold::Brief);
            out.new_table = true;
            let mut old = Vec::new();
            for n in &names {
                let key = n.join(".");
                out.on(&key);
                self.drop_foreign_keys(&key, |_| true, out);
                self.foreign_keys.remove(&key);
                if !self.is_new_key(&key) {
                    out.new_table = false;
                    old.push(display(n));
                }
            }
            if old.is_empty() {
                return;
            }
            let (what, them) = if old.len() == 1 {
                ("table", "its")
            } else {
                ("tables", "their")
            };
            out.find(Finding::new(
                Rule::DropTable,
                s.span,
                format!("DROP TABLE deletes {what} {} and all {them} rows", old.join(", ")),
                "ACCESS EXCLUSIVE on the table, briefly",
                "make sure no running code uses it any more (stop using it in an earlier release) and keep a backup if its rows may still be needed".to_string(),
            ));
        }
    }

    fn alter_table(&mut self, s: &Stmt, a: &pb::AlterTableStmt, out: &mut Out) {
        let Some(rv) = &a.relation else { return };
        let table = rel(rv);
        let new = self.is_new(rv);
        out.on(&table.key);
        out.new_table = new;
        // The commands' spans: the comma-separated parts after the table name.
        let parts = s
            .at(rv.location)
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
            let c = Cmd {
                s,
                table: &table,
                new,
                span,
            };
            self.alter_table_cmd(&c, cmd, def, out);
        }
    }

    /// One command of an `ALTER TABLE`: its lock (PostgreSQL's
    /// `AlterTableGetLockLevel`; ACCESS EXCLUSIVE unless listed) and hold.
    fn alter_table_cmd(
        &mut self,
        c: &Cmd<'_>,
        cmd: &pb::AlterTableCmd,
        def: Option<&NodeEnum>,
        out: &mut Out,
    ) {
        let Ok(subtype) = At::try_from(cmd.subtype) else {
            out.take(AccessExclusive, Hold::Brief);
            return;
        };
        match subtype {
            At::AtAddColumn => match def {
                Some(NodeEnum::ColumnDef(cd)) => self.add_column(c, cd, out),
                _ => out.take(AccessExclusive, Hold::Brief),
            },
            At::AtAddConstraint => match def {
                Some(NodeEnum::Constraint(k)) => self.add_constraint(c, k, out),
                _ => out.take(AccessExclusive, Hold::Brief),
            },
            At::AtValidateConstraint => self.validate(c, &cmd.name, out),
            At::AtSetNotNull => self.set_not_null(c, &cmd.name, out),
            At::AtAlterColumnType => match def {
                Some(NodeEnum::ColumnDef(cd)) => self.alter_type(c, &cmd.name, cd, out),
                _ => out.take(AccessExclusive, Hold::Rewrite),
            },
            At::AtDropColumn => {
                out.take(AccessExclusive, Hold::Brief);
                self.drop_foreign_keys(&c.table.key, |fk| fk.columns.contains(&cmd.name), out);
                if !c.new {
                    out.find(Finding::new(
                        Rule::DropColumn,
                        c.span,
                        format!(
                            "DROP COLUMN deletes {}.{} and its data",
                            c.table.display,
                            quote(&cmd.name)
                        ),
                        BRIEF_LOCK,
                        "make sure no running code reads or writes the column any more (stop using it in an earlier release) and keep a backup if its values may still be needed".to_string(),
                    ));
                }
            }
            At::AtDetachPartition | At::AtDetachPartitionFinalize => {
                let Some(NodeEnum::PartitionCmd(p)) = def else {
                    out.take(ShareUpdateExclusive, Hold::Brief);
                    return;
                };
                let concurrent = p.concurrent || subtype == At::AtDetachPartitionFinalize;
                let mode = if concurrent {
                    ShareUpdateExclusive
                } else {
                    AccessExclusive
                };
                out.take(mode, Hold::Brief);
                if let Some(part) = &p.name {
                    out.also(&rel(part).key, mode);
                }
                if p.concurrent && self.in_tx {
                    let mut f = self.concurrently_in_tx(c.s, "DETACH PARTITION CONCURRENTLY");
                    f.span = c.span;
                    out.find(f);
                }
            }
            At::AtAttachPartition => {
                // The new partition's rows are checked against its bound
                // (unless a constraint proves them), under ACCESS EXCLUSIVE
                // on the partition.
                out.take(ShareUpdateExclusive, Hold::Scan);
                if let Some(NodeEnum::PartitionCmd(p)) = def {
                    if let Some(part) = &p.name {
                        out.also(&rel(part).key, AccessExclusive);
                    }
                }
            }
            At::AtDropConstraint => {
                out.take(AccessExclusive, Hold::Brief);
                self.drop_foreign_keys(&c.table.key, |fk| fk.name == cmd.name, out);
            }
            At::AtSetStatistics
            | At::AtSetOptions
            | At::AtResetOptions
            | At::AtClusterOn
            | At::AtDropCluster => out.take(ShareUpdateExclusive, Hold::Brief),
            At::AtSetRelOptions | At::AtResetRelOptions => {
                // Every table storage parameter takes SHARE UPDATE
                // EXCLUSIVE but `user_catalog_table`.
                let catalog = matches!(def, Some(NodeEnum::List(l)) if l.items.iter().any(|o| {
                    matches!(&o.node, Some(NodeEnum::DefElem(d)) if d.defname == "user_catalog_table")
                }));
                let mode = if catalog {
                    AccessExclusive
                } else {
                    ShareUpdateExclusive
                };
                out.take(mode, Hold::Brief);
            }
            At::AtEnableTrig
            | At::AtEnableAlwaysTrig
            | At::AtEnableReplicaTrig
            | At::AtEnableTrigAll
            | At::AtEnableTrigUser
            | At::AtDisableTrig
            | At::AtDisableTrigAll
            | At::AtDisableTrigUser => out.take(ShareRowExclusive, Hold::Brief),
            At::AtSetLogged
            | At::AtSetUnLogged
            | At::AtSetTableSpace
            | At::AtSetAccessMethod
            | At::AtSetExpression => out.take(AccessExclusive, Hold::Rewrite),
            _ => out.take(AccessExclusive, Hold::Brief),
        }
    }

    fn add_column(&mut self, c: &Cmd<'_>, cd: &pb::ColumnDef, out: &mut Out) {
        let column = format!("{}.{}", c.table.display, quote(&cd.colname));
        let ty = cd.type_name.as_ref().map(Ty::of);
        if let Some(ty) = &ty {
            self.types
                .insert((c.table.key.clone(), cd.colname.clone()), ty.clone());
        }
        // What it does to the existing rows, found once: every cause of a
        // rewrite (each an L009), a foreign key or check to validate (a
        // scan), a unique index to build.
        let mut rewrites = Vec::new();
        let rewrite_help = "add the column without that default (a constant or other non-volatile default is stored without a rewrite since PostgreSQL 11), fill it in batches, then SET DEFAULT for new rows".to_string();
        let mut has_default = cd.raw_default.is_some();
        let mut not_null = cd.is_not_null;
        // serial: its default is nextval(), volatile.
        if let Some(tn) = &cd.type_name {
            let name = ty.as_ref().map(|t| t.name.as_str()).unwrap_or("");
            if SERIAL.contains(&name) && tn.names.len() == 1 {
                has_default = true;
                let span =
                    c.s.at(tn.location)
                        .and_then(|at| name_or_call_span(&c.s.tokens, at))
                        .unwrap_or(c.span);
                rewrites.push(Finding::new(
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
                let span =
                    c.s.at(at)
                        .and_then(|at| name_or_call_span(&c.s.tokens, at))
                        .unwrap_or(c.span);
                rewrites.push(Finding::new(
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
        let mut others = Vec::new();
        let mut hold = Hold::Brief;
        for k in constraints(cd) {
            match Ct::try_from(k.contype) {
                Ok(Ct::ConstrNotnull) => not_null = true,
                Ok(Ct::ConstrIdentity) => {
                    has_default = true;
                    rewrites.push(Finding::new(
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
                        rewrites.push(Finding::new(
                            Rule::AddColumnRewrite,
                            c.span,
                            format!("ADD COLUMN {column} GENERATED ALWAYS AS (…) STORED rewrites the table to compute it"),
                            REWRITE_LOCK,
                            "add a plain column kept up to date by a trigger and filled in batches, or (PostgreSQL 18+) a VIRTUAL generated column".to_string(),
                        ));
                    }
                }
                Ok(Ct::ConstrCheck) => hold = hold.max(Hold::Scan),
                Ok(Ct::ConstrForeign) => {
                    hold = hold.max(Hold::Scan);
                    if let Some(target) = &k.pktable {
                        out.also(&rel(target).key, ShareRowExclusive);
                    }
                    self.add_foreign_key(&c.table.key, k, Some(&cd.colname));
                    others.push(Finding::new(
                        Rule::ForeignKeyInOneStep,
                        c.span,
                        format!("ADD COLUMN {column} REFERENCES … adds a foreign key and validates it at once"),
                        FK_LOCK,
                        format!("add the column without REFERENCES, then ADD CONSTRAINT … FOREIGN KEY … NOT VALID, and VALIDATE CONSTRAINT {LATER}"),
                    ));
                }
                Ok(kind @ (Ct::ConstrUnique | Ct::ConstrPrimary)) => {
                    if kind == Ct::ConstrPrimary {
                        not_null = true;
                    }
                    hold = hold.max(Hold::Build);
                    let what = if kind == Ct::ConstrUnique {
                        "UNIQUE"
                    } else {
                        "PRIMARY KEY"
                    };
                    others.push(Finding::new(
                        Rule::UniqueWithoutIndex,
                        c.span,
                        format!("ADD COLUMN {column} {what} builds its index while holding the table's lock"),
                        INDEX_BUILD_LOCK,
                        format!("add the column plain, CREATE UNIQUE INDEX CONCURRENTLY in {NO_TX_PLACE}, then ADD CONSTRAINT … {what} USING INDEX …"),
                    ));
                }
                _ => {}
            }
        }
        if !rewrites.is_empty() {
            hold = Hold::Rewrite;
        }
        out.take(AccessExclusive, hold);
        if c.new {
            return;
        }
        // In the order the rules were always reported: rewrites first.
        out.findings.extend(rewrites);
        out.findings.extend(others);
        if not_null && !has_default {
            out.find(Finding::new(
                Rule::AddRequiredColumn,
                c.span,
                format!("ADD COLUMN {column} NOT NULL without a default fails when the table has rows"),
                "ACCESS EXCLUSIVE on the table, briefly, but the statement fails (the existing rows would hold NULL)",
                "give it a DEFAULT (a non-volatile default is stored without a rewrite), or add it nullable, fill it, and make it NOT NULL through a validated CHECK (see L007)".to_string(),
            ));
        }
    }

    fn add_constraint(&mut self, c: &Cmd<'_>, k: &pb::Constraint, out: &mut Out) {
        let key = (c.table.key.clone(), k.conname.clone());
        let name = if k.conname.is_empty() {
            String::new()
        } else {
            format!(" {}", quote(&k.conname))
        };
        let validate_later = format!(
            "then ALTER TABLE {} VALIDATE CONSTRAINT{name} {LATER}: SHARE UPDATE EXCLUSIVE, reads and writes go on",
            c.table.display
        );
        let part = self.part;
        let pending = |kind| Pending { kind, part };
        match Ct::try_from(k.contype) {
            Ok(Ct::ConstrCheck) => {
                let column = not_null_check_column(k);
                if k.skip_validation {
                    out.take(AccessExclusive, Hold::Brief);
                    self.not_valid
                        .insert(key, pending(PendingKind::Check(column)));
                    return;
                }
                out.take(AccessExclusive, Hold::Scan);
                if let Some(col) = column {
                    self.not_null_checked.insert((c.table.key.clone(), col));
                }
                if !c.new {
                    out.find(Finding::new(
                        Rule::CheckWithoutNotValid,
                        c.span,
                        format!("ADD CONSTRAINT{name} CHECK on {} checks every row while holding its lock", c.table.display),
                        SCAN_LOCK,
                        format!("add it with NOT VALID (new rows are checked, a brief lock), {validate_later}"),
                    ));
                }
            }
            Ok(Ct::ConstrForeign) => {
                self.add_foreign_key(&c.table.key, k, None);
                let target = k.pktable.as_ref().map(|t| rel(t).key);
                if let Some(t) = &target {
                    out.also(t, ShareRowExclusive);
                }
                if k.skip_validation {
                    out.take(ShareRowExclusive, Hold::Brief);
                    self.not_valid
                        .insert(key, pending(PendingKind::Foreign(target)));
                    return;
                }
                out.take(ShareRowExclusive, Hold::Scan);
                if !c.new {
                    out.find(Finding::new(
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
                    out.take(AccessExclusive, Hold::Brief);
                    return;
                };
                if k.skip_validation {
                    out.take(AccessExclusive, Hold::Brief);
                    self.not_valid
                        .insert(key, pending(PendingKind::NotNull(col)));
                    return;
                }
                let checked = self.checked_not_null(&c.table.key, &col);
                out.take(
                    AccessExclusive,
                    if checked { Hold::Brief } else { Hold::Scan },
                );
                if !c.new && !checked {
                    out.find(Finding::new(
                        Rule::SetNotNull,
                        c.span,
                        format!("ADD CONSTRAINT{name} NOT NULL {} checks every row of {} while holding its lock", quote(&col), c.table.display),
                        SCAN_LOCK,
                        format!("add it with NOT VALID (PostgreSQL 18+), {validate_later}"),
                    ));
                }
            }
            Ok(kind @ (Ct::ConstrUnique | Ct::ConstrPrimary)) => {
                if !k.indexname.is_empty() {
                    out.take(AccessExclusive, Hold::Brief);
                    return;
                }
                out.take(AccessExclusive, Hold::Build);
                if c.new {
                    return;
                }
                let what = if kind == Ct::ConstrUnique {
                    "UNIQUE"
                } else {
                    "PRIMARY KEY"
                };
                out.find(Finding::new(
                    Rule::UniqueWithoutIndex,
                    c.span,
                    format!("ADD CONSTRAINT{name} {what} on {} builds its index while holding the table's lock", c.table.display),
                    INDEX_BUILD_LOCK,
                    format!("CREATE UNIQUE INDEX CONCURRENTLY first (in {NO_TX_PLACE}), then ADD CONSTRAINT{name} {what} USING INDEX … (a brief lock)"),
                ));
            }
            Ok(Ct::ConstrExclusion) => out.take(AccessExclusive, Hold::Build),
            _ => out.take(AccessExclusive, Hold::Brief),
        }
    }

    fn validate(&mut self, c: &Cmd<'_>, name: &str, out: &mut Out) {
        out.take(ShareUpdateExclusive, Hold::Scan);
        let key = (c.table.key.clone(), name.to_string());
        let Some(pending) = self.not_valid.remove(&key) else {
            self.validated_elsewhere.insert(c.table.key.clone());
            return;
        };
        let lock = match &pending.kind {
            PendingKind::Check(column) => {
                if let Some(col) = column {
                    self.not_null_checked
                        .insert((c.table.key.clone(), col.clone()));
                }
                "ACCESS EXCLUSIVE, taken by the ADD CONSTRAINT and held until the transaction commits, while every row is checked: reads and writes wait"
            }
            PendingKind::NotNull(col) => {
                self.not_null_checked
                    .insert((c.table.key.clone(), col.clone()));
                "ACCESS EXCLUSIVE, taken by the ADD CONSTRAINT and held until the transaction commits, while every row is checked: reads and writes wait"
            }
            PendingKind::Foreign(target) => {
                if let Some(t) = target {
                    out.also(t, RowShare);
                }
                "SHARE ROW EXCLUSIVE on both tables, taken by the ADD CONSTRAINT and held until the transaction commits, while every row is checked: writes to both wait"
            }
        };
        // Only within one transaction: a later part, or a part that runs
        // statement by statement, validates after the ADD committed.
        if self.in_tx && pending.part == self.part && !c.new {
            out.find(Finding::new(
                Rule::ValidateInSameTransaction,
                c.span,
                format!(
                    "VALIDATE CONSTRAINT {} in the transaction that added it NOT VALID",
                    quote(name)
                ),
                lock,
                "move the VALIDATE CONSTRAINT to a later part (a `-- nzc:part transaction` after this one) or a later migration: NOT VALID only helps when the validation runs in another transaction".to_string(),
            ));
        }
    }

    fn checked_not_null(&self, table: &str, column: &str) -> bool {
        self.not_null_checked
            .contains(&(table.to_string(), column.to_string()))
            || self.validated_elsewhere.contains(table)
    }

    fn set_not_null(&mut self, c: &Cmd<'_>, column: &str, out: &mut Out) {
        // PostgreSQL 12+ skips the scan when a validated check proves it.
        let checked = self.checked_not_null(&c.table.key, column);
        out.take(
            AccessExclusive,
            if checked { Hold::Brief } else { Hold::Scan },
        );
        if checked || c.new {
            return;
        }
        out.find(Finding::new(
            Rule::SetNotNull,
            c.span,
            format!(
                "SET NOT NULL on {}.{} checks every row while holding its lock",
                c.table.display,
                quote(column)
            ),
            SCAN_LOCK,
            format!(
                "first ADD CONSTRAINT … CHECK ({} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it {LATER}, then SET NOT NULL after that VALIDATE (PostgreSQL 12+ skips the scan) and drop the check",
                quote(column)
            ),
        ));
    }

    fn alter_type(&mut self, c: &Cmd<'_>, column: &str, cd: &pb::ColumnDef, out: &mut Out) {
        let Some(tn) = &cd.type_name else {
            out.take(AccessExclusive, Hold::Rewrite);
            return;
        };
        let new_ty = Ty::of(tn);
        let key = (c.table.key.clone(), column.to_string());
        let old = self.types.insert(key, new_ty.clone());
        let using = cd.raw_default.is_some();
        let rewrites = using
            || match &old {
                Some(old) => !cheap_change(old, &new_ty),
                None => !new_ty.cheaply_reachable(),
            };
        out.take(
            AccessExclusive,
            if rewrites { Hold::Rewrite } else { Hold::Brief },
        );
        if !rewrites || c.new {
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
            "integer → bigint is not binary-coercible: add a bigint column, keep it in step with a trigger, fill it in batches, then swap the columns in a short transaction (`nzc compile --online` generates this)".to_string()
        } else {
            "only changes that keep the stored bytes are free (varchar(n) → varchar(m ≥ n) or text, text → varchar, numeric(p,s) → numeric(p' ≥ p, s)); otherwise add a new column, fill it in batches and switch over (`nzc compile --online` generates this)".to_string()
        };
        out.find(Finding::new(
            Rule::TypeChangeRewrite,
            c.span,
            message,
            REWRITE_LOCK,
            help,
        ));
    }

    fn rename(&mut self, s: &Stmt, r: &pb::RenameStmt, out: &mut Out) {
        let Some(rv) = &r.relation else { return };
        let on_table =
            r.relation_type == Ot::ObjectTable as i32 || r.relation_type == Ot::Undefined as i32;
        let column = r.rename_type == Ot::ObjectColumn as i32 && on_table;
        let table_rename = r.rename_type == Ot::ObjectTable as i32;
        let constraint = r.rename_type == Ot::ObjectTabconstraint as i32;
        if !(column || table_rename || constraint) {
            return;
        }
        let new = self.is_new(rv);
        self.on_table(rv, AccessExclusive, Hold::Brief, out);
        if new {
            return;
        }
        let table = rel(rv);
        if column {
            out.find(Finding::new(
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
        } else if table_rename {
            out.find(Finding::new(
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

    fn transaction(&mut self, s: &Stmt, t: &pb::TransactionStmt, out: &mut Out) {
        // The runner manages the transactions of every part of a file with
        // parts, and of a whole file that runs in one.
        if !self.in_tx && !self.marked {
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
        let (lock, help) = match (self.marked, self.in_tx) {
            (false, _) => (
                "none of its own, but it ends or nests the runner's transaction: the migration and its history row no longer commit together",
                "remove it: the runner wraps the migration in one transaction; a migration that must run outside one is marked `-- nzc:no-transaction`",
            ),
            (true, true) => (
                "none of its own, but it ends or nests the transaction the runner runs the part in: the part and the runner's record of it no longer commit together",
                "remove it: the runner runs each `-- nzc:part transaction` part in one transaction; statements that must run outside one go in a `-- nzc:part no-transaction` part",
            ),
            (true, false) => (
                "none of its own, but the part's statements then run in a transaction the runner does not manage (CONCURRENTLY fails in it, a failure leaves it open)",
                "remove it: statements that must commit together go in a `-- nzc:part transaction` part, which the runner runs in one transaction",
            ),
        };
        out.find(Finding::new(
            Rule::TransactionControl,
            s.span,
            format!("{what} {}", self.context()),
            lock,
            help.to_string(),
        ));
    }

    fn reindex(&mut self, s: &Stmt, r: &pb::ReindexStmt, out: &mut Out) {
        let concurrently = r
            .params
            .iter()
            .any(|p| matches!(&p.node, Some(NodeEnum::DefElem(d)) if d.defname == "concurrently"));
        if concurrently && self.in_tx {
            out.find(self.concurrently_in_tx(s, "REINDEX CONCURRENTLY"));
        }
        let mode = if concurrently {
            ShareUpdateExclusive
        } else {
            Share
        };
        let Some(rv) = &r.relation else { return };
        match Rt::try_from(r.kind) {
            Ok(Rt::ReindexObjectTable) => self.on_table(rv, mode, Hold::Build, out),
            Ok(Rt::ReindexObjectIndex) => {
                out.take(mode, Hold::Build);
                if let Some(t) = self.index_table.get(&rv.relname) {
                    out.on(t);
                    out.new_table = self.is_new_key(t);
                }
            }
            _ => {}
        }
    }

    /// `COMMENT ON TABLE / COLUMN`: SHARE UPDATE EXCLUSIVE on the table;
    /// `COMMENT ON CONSTRAINT … ON`: ACCESS SHARE on it (PostgreSQL's
    /// `CommentObject` locks the object commented on, and opens the table
    /// of a constraint only to find it).
    fn comment(&mut self, c: &pb::CommentStmt, out: &mut Out) {
        let Some(object) = &c.object else { return };
        let mut names = names(object);
        let mode = match Ot::try_from(c.objtype) {
            Ok(Ot::ObjectTable) => ShareUpdateExclusive,
            Ok(Ot::ObjectColumn) => {
                names.pop();
                ShareUpdateExclusive
            }
            Ok(Ot::ObjectTabconstraint) => {
                names.pop();
                LockMode::AccessShare
            }
            _ => return,
        };
        if names.is_empty() {
            return;
        }
        let key = names.join(".");
        out.take(mode, Hold::Brief);
        out.on(&key);
        out.new_table = self.is_new_key(&key);
    }

    fn concurrently_in_tx(&self, s: &Stmt, what: &str) -> Finding {
        let span = s
            .tokens
            .iter()
            .find(|t: &&Tok| t.is(Token::Concurrently))
            .map(|t| (t.start, t.end))
            .unwrap_or(s.span);
        Finding::new(
            Rule::ConcurrentlyInTransaction,
            span,
            format!("{what} fails {}", self.context()),
            "SHARE UPDATE EXCLUSIVE (reads and writes go on), but PostgreSQL refuses it inside a transaction block",
            format!("put it in {NO_TX_PLACE}: the runner runs each statement of it outside a transaction"),
        )
    }
}

/// One command of an `ALTER TABLE`.
struct Cmd<'a> {
    s: &'a Stmt,
    table: &'a Rel,
    new: bool,
    span: (usize, usize),
}
