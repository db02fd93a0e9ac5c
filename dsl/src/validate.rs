//! Validation: AST → resolved [`Schema`], collecting every problem.
//!
//! Passes, in order: the naming block; declarations (enums, groups, tables,
//! duplicate names); each table's columns and attributes; references between
//! tables (foreign keys); final names (convention, shortening, clashes).
//! A pass that finds a problem keeps going so the user sees all of them.

use crate::ast::{self, Attribute, Ident, Item, Span, TableMember, Value};
use crate::diagnostics::{self as d, suggest, Diagnostic};
use crate::model::*;
use crate::naming::{self, NameKind, NameParts};
use nzc_types::{Kind, LiteralKind, Params};
use std::collections::{BTreeMap, HashMap};

const COLUMN_ATTRS: &[&str] = &["pk", "unique", "default", "ref", "renamed_from"];
const TABLE_ATTRS: &[&str] = &["pk", "unique", "index", "check", "ref", "renamed_from"];
const ENUM_ATTRS: &[&str] = &["renamed_from"];

/// Validates a parsed file. Returns the schema when there are no errors.
pub(crate) fn validate(file: &ast::File) -> Result<Schema, Vec<Diagnostic>> {
    let mut cx = Cx::default();
    let schema = cx.run(file);
    if cx.diags.is_empty() {
        Ok(schema)
    } else {
        Err(cx.diags)
    }
}

#[derive(Default)]
struct Cx {
    diags: Vec<Diagnostic>,
}

/// A table with the spans validation needs after building it.
struct TableSpans {
    name: Span,
    columns: HashMap<String, Span>,
    /// (kind, index in the table's list) → span of what declared it.
    pk: Span,
    uniques: Vec<Span>,
    fks: Vec<FkSpans>,
    indexes: Vec<Span>,
    checks: Vec<Span>,
    /// Check constraint short names (before the convention).
    check_names: Vec<String>,
    renamed_from: Option<(String, Span)>,
    column_renames: Vec<(String, String, Span)>,
}

struct FkSpans {
    attr: Span,
    table: Span,
    ref_columns: Vec<Span>,
    /// ref columns were written (otherwise: the target's primary key).
    explicit_ref_columns: bool,
}

impl Cx {
    fn err(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    fn run(&mut self, file: &ast::File) -> Schema {
        let mut schema = Schema {
            naming: self.naming(file),
            ..Schema::default()
        };

        // ---- declarations ---------------------------------------------------
        let mut enum_spans: BTreeMap<String, Span> = BTreeMap::new();
        let mut group_spans: BTreeMap<String, Span> = BTreeMap::new();
        let mut table_decls: Vec<(&ast::TableDecl, Option<String>)> = Vec::new();
        for item in &file.items {
            match item {
                Item::Enum(e) => {
                    if let Some(first) = enum_spans.get(&e.name.name) {
                        self.err(d::duplicate_enum(e.name.span, &e.name.name, *first));
                        continue;
                    }
                    enum_spans.insert(e.name.name.clone(), e.name.span);
                    if let Some(en) = self.enum_decl(e) {
                        schema.enums.push(en);
                    }
                }
                Item::Group(g) => {
                    if let Some(first) = group_spans.get(&g.name.name) {
                        self.err(d::duplicate_group(g.name.span, &g.name.name, *first));
                    } else {
                        group_spans.insert(g.name.name.clone(), g.name.span);
                    }
                    let mut tables = Vec::new();
                    for m in &g.members {
                        if let ast::GroupMember::Table(t) = m {
                            tables.push(t.name.name.clone());
                            table_decls.push((t, Some(g.name.name.clone())));
                        }
                    }
                    schema.groups.push(Group {
                        name: g.name.name.clone(),
                        doc: doc(&g.docs),
                        tables,
                    });
                }
                Item::Table(t) => table_decls.push((t, None)),
                Item::Blank | Item::Comment(_) | Item::Naming(_) => {}
            }
        }

        let mut table_first: HashMap<&str, Span> = HashMap::new();
        let mut tables = Vec::new();
        let mut spans = Vec::new();
        for (decl, group) in &table_decls {
            if let Some(first) = table_first.get(decl.name.name.as_str()) {
                self.err(d::duplicate_table(decl.name.span, &decl.name.name, *first));
                continue;
            }
            table_first.insert(&decl.name.name, decl.name.span);
            if let Some(espan) = enum_spans.get(&decl.name.name) {
                self.err(d::type_name_clash(decl.name.span, &decl.name.name, *espan));
            }
            let (table, sp) = self.table(decl, group.clone(), &schema.enums);
            tables.push(table);
            spans.push(sp);
        }

        // ---- renames ----------------------------------------------------------
        let mut renamed: HashMap<String, Span> = HashMap::new();
        for sp in &spans {
            if let Some((old, span)) = &sp.renamed_from {
                if let Some(other) = table_first.get(old.as_str()) {
                    self.err(d::rename_clash(*span, "a table", old, *other));
                } else if let Some(other) = renamed.insert(old.clone(), *span) {
                    self.err(d::rename_clash(*span, "another table", old, other));
                }
            }
        }

        // ---- references -------------------------------------------------------
        // Table name → index (the first of duplicates, as a scan would find).
        let mut table_index: HashMap<String, usize> = HashMap::with_capacity(tables.len());
        for (i, t) in tables.iter().enumerate() {
            table_index.entry(t.name.clone()).or_insert(i);
        }
        for ti in 0..tables.len() {
            for fi in 0..tables[ti].foreign_keys.len() {
                self.resolve_fk(&mut tables, &table_index, &spans, ti, fi);
            }
        }

        // ---- names --------------------------------------------------------------
        self.names(&schema.naming, &mut tables, &spans);

        schema.tables = tables;
        schema
    }

    // ---- naming block -----------------------------------------------------------

    fn naming(&mut self, file: &ast::File) -> Naming {
        let mut naming = Naming::default();
        let mut first: Option<Span> = None;
        for item in &file.items {
            let Item::Naming(block) = item else { continue };
            if let Some(f) = first {
                self.err(d::duplicate_attribute(block.span, "naming", f));
                continue;
            }
            first = Some(block.span);
            let mut seen: HashMap<&str, Span> = HashMap::new();
            for m in &block.members {
                let ast::NamingMember::Entry(e) = m else {
                    continue;
                };
                let Some(kind) = NameKind::from_key(&e.key.name) else {
                    let keys: Vec<&str> = NameKind::ALL.iter().map(|k| k.key()).collect();
                    let hint = suggest(&e.key.name, keys.iter().copied())
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    self.err(d::invalid_naming(
                        e.key.span,
                        format!(
                            "unknown key `{}` (keys: {}){hint}",
                            e.key.name,
                            keys.join(", ")
                        ),
                    ));
                    continue;
                };
                if let Some(f) = seen.insert(kind.key(), e.key.span) {
                    self.err(d::duplicate_attribute(e.key.span, kind.key(), f));
                    continue;
                }
                match naming::check_template(kind, &e.template) {
                    Ok(()) => *kind.template_mut(&mut naming) = e.template.clone(),
                    Err(why) => self.err(d::invalid_naming(e.template_span, why)),
                }
            }
        }
        naming
    }

    // ---- enums --------------------------------------------------------------------

    fn enum_decl(&mut self, e: &ast::EnumDecl) -> Option<Enum> {
        self.check_len(e.name.span, "enum name", &e.name.name);
        let mut values: Vec<String> = Vec::new();
        let mut first: HashMap<&str, Span> = HashMap::new();
        let mut renamed_from = None;
        let mut attrs = AttrSet::default();
        for m in &e.members {
            match m {
                ast::EnumMember::Value(v) => {
                    if let Some(f) = first.get(v.value.as_str()) {
                        self.err(d::duplicate_enum_value(v.span, &e.name.name, &v.value, *f));
                        continue;
                    }
                    if v.value.is_empty() || v.value.len() > MAX_IDENT_BYTES {
                        self.err(d::ident_too_long(v.span, "enum value", &v.value));
                    }
                    first.insert(&v.value, v.span);
                    values.push(v.value.clone());
                }
                ast::EnumMember::Attr(a) => {
                    if !self.known_attr(a, "enum", ENUM_ATTRS) || !attrs.first(self, a) {
                        continue;
                    }
                    renamed_from = self.renamed_from(a);
                }
                _ => {}
            }
        }
        if values.is_empty() {
            self.err(d::empty(e.name.span, "enum", &e.name.name));
        }
        Some(Enum {
            name: e.name.name.clone(),
            values,
            doc: doc(&e.docs),
            renamed_from: renamed_from.map(|(n, _)| n),
        })
    }

    // ---- tables ---------------------------------------------------------------------

    fn table(
        &mut self,
        decl: &ast::TableDecl,
        group: Option<String>,
        enums: &[Enum],
    ) -> (Table, TableSpans) {
        self.check_len(decl.name.span, "table name", &decl.name.name);
        let mut table = Table {
            name: decl.name.name.clone(),
            doc: doc(&decl.docs),
            group,
            renamed_from: None,
            columns: Vec::new(),
            primary_key: PrimaryKey {
                name: String::new(),
                columns: Vec::new(),
            },
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
            checks: Vec::new(),
        };
        let mut sp = TableSpans {
            name: decl.name.span,
            columns: HashMap::new(),
            pk: decl.name.span,
            uniques: Vec::new(),
            fks: Vec::new(),
            indexes: Vec::new(),
            checks: Vec::new(),
            check_names: Vec::new(),
            renamed_from: None,
            column_renames: Vec::new(),
        };
        // Column-level and block-level primary keys: (span, columns, explicit name).
        let mut pk_decls: Vec<(Span, Vec<String>, Option<String>, bool)> = Vec::new();
        let mut table_attrs = AttrSet::default();

        // Columns first, so block attributes can refer to any column.
        for m in &decl.members {
            let TableMember::Column(c) = m else { continue };
            if let Some(first) = sp.columns.get(&c.name.name) {
                self.err(d::duplicate_column(
                    c.name.span,
                    &decl.name.name,
                    &c.name.name,
                    *first,
                ));
                continue;
            }
            self.check_len(c.name.span, "column name", &c.name.name);
            sp.columns.insert(c.name.name.clone(), c.name.span);
            let ty = self.column_type(&c.ty, enums);
            let mut column = Column {
                name: c.name.name.clone(),
                ty: ty
                    .clone()
                    .unwrap_or(ColumnType::Scalar(ScalarType::plain(Kind::Text))),
                nullable: c.optional,
                default: None,
                doc: doc(&c.docs),
                renamed_from: None,
            };
            let mut attrs = AttrSet::default();
            for a in &c.attrs {
                if !self.known_attr(a, "column", COLUMN_ATTRS) || !attrs.first(self, a) {
                    continue;
                }
                match a.name.name.as_str() {
                    "pk" => {
                        let args = self.args(a, 0, &["name"]);
                        let name = args.string(self, "name");
                        pk_decls.push((a.span, vec![c.name.name.clone()], name, false));
                        if c.optional {
                            self.err(d::nullable_primary_key(c.ty.span, &c.name.name));
                        }
                    }
                    "unique" => {
                        let args = self.args(a, 0, &["name", "nulls_not_distinct"]);
                        let name = args.string(self, "name").unwrap_or_default();
                        let nulls_not_distinct = args.bool(self, "nulls_not_distinct");
                        table.uniques.push(Unique {
                            name,
                            columns: vec![c.name.name.clone()],
                            nulls_not_distinct,
                        });
                        sp.uniques.push(a.span);
                    }
                    "default" => {
                        let args = self.args(a, 1, &[]);
                        match args.positional.first() {
                            Some(v) => {
                                if let Some(ty) = &ty {
                                    match default_value(v, ty, enums) {
                                        Ok(dv) => column.default = Some(dv),
                                        Err(why) => self.err(d::invalid_default(
                                            v.span(),
                                            &c.name.name,
                                            &ty.dsl(),
                                            &why,
                                        )),
                                    }
                                }
                            }
                            None => self.err(d::invalid_arguments(
                                a.span,
                                "@default",
                                "expects a value: `@default(0)`",
                            )),
                        }
                    }
                    "ref" => {
                        let args = self.args(a, 1, &["on_delete", "on_update", "name"]);
                        let Some(Value::Path(t, col, _)) = args.positional.first() else {
                            self.err(d::invalid_arguments(
                                a.span,
                                "@ref",
                                "expects the referenced column: `@ref(Table.column)`",
                            ));
                            continue;
                        };
                        let fk = ForeignKey {
                            name: String::new(),
                            columns: vec![c.name.name.clone()],
                            ref_table: t.name.clone(),
                            ref_columns: vec![col.name.clone()],
                            on_delete: args.action(self, "on_delete"),
                            on_update: args.action(self, "on_update"),
                        };
                        let name = args.string(self, "name");
                        self.push_fk(
                            &mut table,
                            &mut sp,
                            fk,
                            name,
                            a.span,
                            t.span,
                            vec![col.span],
                            true,
                        );
                    }
                    "renamed_from" => {
                        if let Some((old, span)) = self.renamed_from(a) {
                            column.renamed_from = Some(old.clone());
                            sp.column_renames.push((c.name.name.clone(), old, span));
                        }
                    }
                    _ => unreachable!(),
                }
            }
            table.columns.push(column);
        }
        if table.columns.is_empty() {
            self.err(d::empty(decl.name.span, "table", &decl.name.name));
        }

        // Block attributes.
        for m in &decl.members {
            let TableMember::Attr(a, _) = m else { continue };
            if !self.known_attr(a, "table", TABLE_ATTRS) {
                continue;
            }
            let name = a.name.name.as_str();
            if matches!(name, "pk" | "renamed_from") && !table_attrs.first(self, a) {
                continue;
            }
            match name {
                "pk" => {
                    let args = self.args(a, 1, &["name"]);
                    if let Some(cols) = self.column_list(&args, 0, a, &table, &sp) {
                        let explicit = args.string(self, "name");
                        pk_decls.push((a.span, cols, explicit, true));
                    }
                }
                "unique" => {
                    let args = self.args(a, 1, &["name", "nulls_not_distinct"]);
                    if let Some(columns) = self.column_list(&args, 0, a, &table, &sp) {
                        let explicit = args.string(self, "name");
                        let nulls_not_distinct = args.bool(self, "nulls_not_distinct");
                        table.uniques.push(Unique {
                            name: explicit.unwrap_or_default(),
                            columns,
                            nulls_not_distinct,
                        });
                        sp.uniques.push(a.span);
                    }
                }
                "index" => {
                    let args = self.args(a, 1, &["name", "unique"]);
                    if let Some(columns) = self.column_list(&args, 0, a, &table, &sp) {
                        let explicit = args.string(self, "name");
                        let unique = args.bool(self, "unique");
                        table.indexes.push(Index {
                            name: explicit.unwrap_or_default(),
                            columns,
                            unique,
                        });
                        sp.indexes.push(a.span);
                    }
                }
                "check" => {
                    let args = self.args(a, 2, &["name"]);
                    let explicit = args.string(self, "name");
                    match (args.positional.first(), args.positional.get(1)) {
                        (Some(Value::Ident(n)), Some(Value::Raw(expr, _))) if !expr.trim().is_empty() => {
                            if let Some(first) = sp.check_names.iter().position(|x| *x == n.name) {
                                self.err(d::duplicate_constraint(n.span, &n.name, sp.checks[first]));
                                continue;
                            }
                            sp.check_names.push(n.name.clone());
                            table.checks.push(Check {
                                name: explicit.unwrap_or_default(),
                                expr: expr.trim().to_string(),
                            });
                            sp.checks.push(a.span);
                        }
                        _ => self.err(d::invalid_arguments(
                            a.span,
                            "@@check",
                            "expects a name and an SQL expression: @@check(positive_value, `\"value\" >= 0`)",
                        )),
                    }
                }
                "ref" => {
                    let args = self.args(a, 3, &["on_delete", "on_update", "name"]);
                    let Some(columns) = self.column_list(&args, 0, a, &table, &sp) else {
                        continue;
                    };
                    let Some(Value::Ident(t)) = args.positional.get(1) else {
                        self.err(d::invalid_arguments(
                            a.span,
                            "@@ref",
                            "expects columns, the referenced table and optionally its columns: @@ref([a, b], Parent, [x, y])",
                        ));
                        continue;
                    };
                    let (ref_columns, ref_spans, explicit_cols) = match args.positional.get(2) {
                        Some(v) => match ident_list(v) {
                            Some(ids) => (
                                ids.iter().map(|i| i.name.clone()).collect(),
                                ids.iter().map(|i| i.span).collect(),
                                true,
                            ),
                            None => {
                                self.err(d::invalid_arguments(
                                    v.span(),
                                    "@@ref",
                                    "expects a list of column names",
                                ));
                                continue;
                            }
                        },
                        None => (Vec::new(), Vec::new(), false),
                    };
                    let fk = ForeignKey {
                        name: String::new(),
                        columns,
                        ref_table: t.name.clone(),
                        ref_columns,
                        on_delete: args.action(self, "on_delete"),
                        on_update: args.action(self, "on_update"),
                    };
                    let name = args.string(self, "name");
                    self.push_fk(
                        &mut table,
                        &mut sp,
                        fk,
                        name,
                        a.span,
                        t.span,
                        ref_spans,
                        explicit_cols,
                    );
                }
                "renamed_from" => sp.renamed_from = self.renamed_from(a),
                _ => unreachable!(),
            }
        }
        table.renamed_from = sp.renamed_from.as_ref().map(|(n, _)| n.clone());

        // SET NULL needs nullable columns.
        for (fk, fs) in table.foreign_keys.iter().zip(&sp.fks) {
            for (action, what) in [(fk.on_delete, "on_delete"), (fk.on_update, "on_update")] {
                if action != ReferentialAction::SetNull {
                    continue;
                }
                for c in &fk.columns {
                    if table.column(c).is_some_and(|c| !c.nullable) {
                        self.err(d::invalid_arguments(
                            fs.attr,
                            "@ref",
                            format!("{what}: set_null on the NOT NULL column `{c}`"),
                        ));
                    }
                }
            }
        }

        // Primary key.
        match pk_decls.as_slice() {
            [] => self.err(d::missing_primary_key(decl.name.span, &decl.name.name)),
            [(span, cols, name, _)] => {
                sp.pk = *span;
                table.primary_key = PrimaryKey {
                    name: name.clone().unwrap_or_default(),
                    columns: cols.clone(),
                };
                for c in cols {
                    if table.column(c).is_some_and(|c| c.nullable) {
                        if let Some((_, block)) = pk_decls.first().map(|p| (p, p.3)) {
                            if block {
                                self.err(d::nullable_primary_key(*span, c));
                            }
                        }
                    }
                }
            }
            [(first, ..), rest @ ..] => {
                for (span, _, _, block) in rest {
                    let message = if *block {
                        "a table has one primary key: `@@pk` conflicts with an earlier `@pk`"
                            .to_string()
                    } else {
                        "more than one column is marked `@pk`; use `@@pk([a, b])` for a composite key".to_string()
                    };
                    self.err(d::conflicting_attribute(
                        *span,
                        message,
                        *first,
                        "first primary key here",
                    ));
                }
            }
        }

        // Column renames.
        for (col, old, span) in &sp.column_renames {
            if let Some(other) = sp.columns.get(old) {
                self.err(d::rename_clash(
                    *span,
                    &format!("column `{col}`"),
                    old,
                    *other,
                ));
            }
        }
        let mut olds: HashMap<&str, Span> = HashMap::new();
        for (_, old, span) in &sp.column_renames {
            if let Some(other) = olds.insert(old, *span) {
                self.err(d::rename_clash(*span, "another column", old, other));
            }
        }
        (table, sp)
    }

    #[allow(clippy::too_many_arguments)]
    fn push_fk(
        &mut self,
        table: &mut Table,
        sp: &mut TableSpans,
        mut fk: ForeignKey,
        explicit: Option<String>,
        attr: Span,
        table_span: Span,
        ref_columns: Vec<Span>,
        explicit_ref_columns: bool,
    ) {
        if let Some(name) = explicit {
            fk.name = name;
        }
        table.foreign_keys.push(fk);
        sp.fks.push(FkSpans {
            attr,
            table: table_span,
            ref_columns,
            explicit_ref_columns,
        });
    }

    fn column_type(&mut self, ty: &ast::TypeRef, enums: &[Enum]) -> Option<ColumnType> {
        let name = &ty.name.name;
        if let Some(info) = nzc_types::lookup(name) {
            let mut scalar = ScalarType::plain(info.kind);
            match (info.params, ty.params.as_slice()) {
                (_, []) => {}
                (Params::Length, [(n, span)]) => {
                    if *n == 0 || *n > 10_485_760 {
                        self.err(d::invalid_type_params(
                            *span,
                            name,
                            "length must be between 1 and 10485760",
                        ));
                    } else {
                        scalar.length = Some(*n as u32);
                    }
                }
                (Params::PrecisionScale, [(p, pspan), rest @ ..]) if rest.len() <= 1 => {
                    let s = rest.first().map_or(0, |(s, _)| *s);
                    if *p == 0 || *p > 1000 {
                        self.err(d::invalid_type_params(
                            *pspan,
                            name,
                            "precision must be between 1 and 1000",
                        ));
                    } else if s > *p {
                        let span = rest.first().map_or(*pspan, |(_, sp)| *sp);
                        self.err(d::invalid_type_params(
                            span,
                            name,
                            "scale must not exceed the precision",
                        ));
                    } else {
                        scalar.precision = Some((*p as u16, s as u16));
                    }
                }
                (Params::None, _) => {
                    self.err(d::invalid_type_params(
                        ty.span,
                        name,
                        "this type takes no parameters",
                    ));
                }
                (Params::Length, _) => {
                    self.err(d::invalid_type_params(
                        ty.span,
                        name,
                        "expects one length: `varchar(255)`",
                    ));
                }
                (Params::PrecisionScale, _) => {
                    self.err(d::invalid_type_params(
                        ty.span,
                        name,
                        "expects `numeric(precision, scale)`",
                    ));
                }
            }
            return Some(ColumnType::Scalar(scalar));
        }
        if let Some(e) = enums.iter().find(|e| e.name == *name) {
            if !ty.params.is_empty() {
                self.err(d::invalid_type_params(
                    ty.span,
                    name,
                    "an enum type takes no parameters",
                ));
            }
            return Some(ColumnType::Enum(e.name.clone()));
        }
        let candidates: Vec<&str> = nzc_types::all_spellings()
            .map(|s| -> &str { s })
            .chain(enums.iter().map(|e| e.name.as_str()))
            .collect();
        let suggestion = suggest(name, candidates).map(str::to_string);
        self.err(d::unknown_type(ty.name.span, name, suggestion.as_deref()));
        None
    }

    fn known_attr(&mut self, a: &Attribute, context: &str, known: &[&str]) -> bool {
        if known.contains(&a.name.name.as_str()) {
            return true;
        }
        let prefix = if a.block { "@@" } else { "@" };
        let listed: Vec<String> = known.iter().map(|k| format!("{prefix}{k}")).collect();
        let listed: Vec<&str> = listed.iter().map(String::as_str).collect();
        let suggestion =
            suggest(&a.name.name, known.iter().copied()).map(|s| format!("{prefix}{s}"));
        self.err(d::unknown_attribute(
            a.name.span,
            &a.display(),
            context,
            suggestion.as_deref(),
            &listed,
        ));
        false
    }

    fn renamed_from(&mut self, a: &Attribute) -> Option<(String, Span)> {
        let args = self.args(a, 1, &[]);
        match args.positional.first() {
            Some(Value::Ident(i)) => Some((i.name.clone(), i.span)),
            Some(Value::String(s, span)) => Some((s.clone(), *span)),
            _ => {
                self.err(d::invalid_arguments(
                    a.span,
                    &a.display(),
                    "expects the old name: `renamed_from(oldName)`",
                ));
                None
            }
        }
    }

    fn args<'a>(&mut self, a: &'a Attribute, max_positional: usize, named: &[&str]) -> Args<'a> {
        let mut out = Args {
            attr: a,
            positional: Vec::new(),
            named: Vec::new(),
        };
        for arg in a.args() {
            match &arg.name {
                None => {
                    if out.positional.len() == max_positional {
                        self.err(d::invalid_arguments(
                            arg.span,
                            &a.display(),
                            format!("takes {max_positional} positional argument(s)"),
                        ));
                    } else {
                        out.positional.push(&arg.value);
                    }
                }
                Some(n) => {
                    if !named.contains(&n.name.as_str()) {
                        let help = if named.is_empty() {
                            "takes no named arguments".to_string()
                        } else {
                            format!("unknown argument; known: {}", named.join(", "))
                        };
                        self.err(d::invalid_arguments(n.span, &a.display(), help));
                    } else if let Some((first, _)) =
                        out.named.iter().find(|(m, _)| m.name == n.name)
                    {
                        self.err(d::duplicate_attribute(n.span, &n.name, first.span));
                    } else {
                        out.named.push((n, &arg.value));
                    }
                }
            }
        }
        out
    }

    /// The list of column names at `pos` (`[a, b]`, or a single name), checked to exist.
    fn column_list(
        &mut self,
        args: &Args<'_>,
        pos: usize,
        a: &Attribute,
        table: &Table,
        sp: &TableSpans,
    ) -> Option<Vec<String>> {
        let Some(v) = args.positional.get(pos) else {
            self.err(d::invalid_arguments(
                a.span,
                &a.display(),
                "expects a list of columns: `[a, b]`",
            ));
            return None;
        };
        let Some(ids) = ident_list(v) else {
            self.err(d::invalid_arguments(
                v.span(),
                &a.display(),
                "expects a list of column names: `[a, b]`",
            ));
            return None;
        };
        if ids.is_empty() {
            self.err(d::invalid_arguments(
                v.span(),
                &a.display(),
                "the column list is empty",
            ));
            return None;
        }
        let mut ok = true;
        let mut seen: Vec<&str> = Vec::new();
        for id in &ids {
            if !sp.columns.contains_key(&id.name) {
                ok = false;
                let names = table.columns.iter().map(|c| c.name.as_str());
                self.err(d::unknown_column(
                    id.span,
                    &table.name,
                    &id.name,
                    suggest(&id.name, names),
                ));
            } else if seen.contains(&id.name.as_str()) {
                ok = false;
                self.err(d::invalid_arguments(
                    id.span,
                    &a.display(),
                    format!("column `{}` is listed twice", id.name),
                ));
            }
            seen.push(&id.name);
        }
        ok.then(|| ids.into_iter().map(|i| i.name).collect())
    }

    fn check_len(&mut self, span: Span, what: &str, name: &str) {
        if name.len() > MAX_IDENT_BYTES {
            self.err(d::ident_too_long(span, what, name));
        }
    }

    // ---- foreign keys ---------------------------------------------------------------

    fn resolve_fk(
        &mut self,
        tables: &mut [Table],
        table_index: &HashMap<String, usize>,
        spans: &[TableSpans],
        ti: usize,
        fi: usize,
    ) {
        let fk = tables[ti].foreign_keys[fi].clone();
        let fs = &spans[ti].fks[fi];
        let Some(&target_i) = table_index.get(&fk.ref_table) else {
            let names = tables.iter().map(|t| t.name.as_str());
            self.err(d::unknown_table(
                fs.table,
                &fk.ref_table,
                suggest(&fk.ref_table, names),
            ));
            return;
        };
        let target = &tables[target_i];
        let ref_columns = if fs.explicit_ref_columns {
            fk.ref_columns.clone()
        } else {
            target.primary_key.columns.clone()
        };
        let mut ok = true;
        for (i, rc) in ref_columns.iter().enumerate() {
            if target.column(rc).is_none() {
                ok = false;
                let span = fs.ref_columns.get(i).copied().unwrap_or(fs.attr);
                let names = target.columns.iter().map(|c| c.name.as_str());
                self.err(d::unknown_ref_column(
                    span,
                    &target.name,
                    rc,
                    suggest(rc, names),
                ));
            }
        }
        if !ok {
            return;
        }
        if ref_columns.len() != fk.columns.len() {
            self.err(d::fk_arity(fs.attr, fk.columns.len(), ref_columns.len()));
            return;
        }
        for (i, (c, rc)) in fk.columns.iter().zip(&ref_columns).enumerate() {
            let (Some(col), Some(rcol)) = (tables[ti].column(c), target.column(rc)) else {
                continue;
            };
            if !same_type_family(&col.ty, &rcol.ty) {
                let span = if fk.columns.len() == 1 {
                    spans[ti].columns.get(c).copied().unwrap_or(fs.attr)
                } else {
                    fs.ref_columns.get(i).copied().unwrap_or(fs.attr)
                };
                self.err(d::fk_type_mismatch(
                    span,
                    c,
                    &col.ty.dsl(),
                    &format!("{}.{rc}", target.name),
                    &rcol.ty.dsl(),
                ));
            }
        }
        if !target.is_unique_key(&ref_columns) {
            let span = fs.ref_columns.first().copied().unwrap_or(fs.table);
            self.err(d::fk_target_not_unique(
                span,
                &format!("{}({})", target.name, ref_columns.join(", ")),
            ));
        }
        tables[ti].foreign_keys[fi].ref_columns = ref_columns;
    }

    // ---- names -----------------------------------------------------------------

    /// Gives every constraint and index its final name: the one written in
    /// the schema (an explicit `name:` is already in the model), else the
    /// convention's, shortened to 63 bytes. Reports names used twice in a
    /// namespace: tables, primary keys, uniques and indexes share the
    /// schema-wide relation namespace; a table's constraints share its own.
    fn names(&mut self, naming: &Naming, tables: &mut [Table], spans: &[TableSpans]) {
        let mut relations: HashMap<String, (String, Span)> = HashMap::new();
        for (t, sp) in tables.iter().zip(spans) {
            relations.insert(t.name.clone(), (t.name.clone(), sp.name));
        }
        for (t, sp) in tables.iter_mut().zip(spans) {
            let mut names = Namespaces {
                relations: &mut relations,
                constraints: HashMap::new(),
            };
            let table = t.name.clone();
            let columns_parts = |template: &str, columns: &[String]| {
                naming::render(
                    template,
                    &NameParts {
                        table: &table,
                        columns,
                        ..NameParts::default()
                    },
                )
            };
            if !t.primary_key.columns.is_empty() {
                let full = columns_parts(&naming.primary_key, &t.primary_key.columns);
                t.primary_key.name =
                    names.assign(self, &t.primary_key.name, full, sp.pk, Namespace::Both);
            }
            for (u, span) in t.uniques.iter_mut().zip(&sp.uniques) {
                let full = columns_parts(&naming.unique, &u.columns);
                u.name = names.assign(self, &u.name, full, *span, Namespace::Both);
            }
            for (ix, span) in t.indexes.iter_mut().zip(&sp.indexes) {
                let full = columns_parts(&naming.index, &ix.columns);
                ix.name = names.assign(self, &ix.name, full, *span, Namespace::Relation);
            }
            for (fk, fs) in t.foreign_keys.iter_mut().zip(&sp.fks) {
                let full = naming::render(
                    &naming.foreign_key,
                    &NameParts {
                        table: &table,
                        columns: &fk.columns,
                        ref_table: &fk.ref_table,
                        ref_columns: &fk.ref_columns,
                        name: "",
                    },
                );
                fk.name = names.assign(self, &fk.name, full, fs.attr, Namespace::Constraint);
            }
            for ((ck, span), short) in t.checks.iter_mut().zip(&sp.checks).zip(&sp.check_names) {
                let full = naming::render(
                    &naming.check,
                    &NameParts {
                        table: &table,
                        name: short,
                        ..NameParts::default()
                    },
                );
                ck.name = names.assign(self, &ck.name, full, *span, Namespace::Constraint);
            }
        }
    }
}

/// Which namespaces a name lives in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Namespace {
    /// Schema-wide: tables and indexes (non-constraint indexes).
    Relation,
    /// The table's constraints (foreign keys, checks).
    Constraint,
    /// Both: primary keys and unique constraints (a constraint with an index).
    Both,
}

/// Names taken so far: final name → (full name before shortening, where).
struct Namespaces<'a> {
    relations: &'a mut HashMap<String, (String, Span)>,
    constraints: HashMap<String, (String, Span)>,
}

impl Namespaces<'_> {
    /// The final name: `given` when the schema names it, else `full`
    /// shortened; reports a duplicate or a clash after shortening.
    fn assign(
        &mut self,
        cx: &mut Cx,
        given: &str,
        full: String,
        span: Span,
        ns: Namespace,
    ) -> String {
        let (name, full) = if given.is_empty() {
            (naming::shorten(&full), full)
        } else {
            cx.check_len(span, "constraint name", given);
            (given.to_string(), given.to_string())
        };
        let in_relations = ns != Namespace::Constraint;
        let in_constraints = ns != Namespace::Relation;
        for (on, taken) in [
            (in_relations, &*self.relations),
            (in_constraints, &self.constraints),
        ] {
            if let Some((other_full, other_span)) = taken.get(&name).filter(|_| on) {
                if *other_full == full {
                    cx.err(d::duplicate_constraint(span, &name, *other_span));
                } else {
                    cx.err(d::shortened_clash(
                        span,
                        &name,
                        &full,
                        other_full,
                        *other_span,
                    ));
                }
                return name;
            }
        }
        if in_relations {
            self.relations.insert(name.clone(), (full.clone(), span));
        }
        if in_constraints {
            self.constraints.insert(name.clone(), (full, span));
        }
        name
    }
}

/// A set of attributes seen on one item, to report duplicates.
#[derive(Default)]
struct AttrSet {
    seen: Vec<(String, Span)>,
}

impl AttrSet {
    /// Records `a`; reports and returns false when it was already given.
    fn first(&mut self, cx: &mut Cx, a: &Attribute) -> bool {
        if let Some((_, span)) = self.seen.iter().find(|(n, _)| *n == a.name.name) {
            cx.err(d::duplicate_attribute(a.span, &a.name.name, *span));
            return false;
        }
        self.seen.push((a.name.name.clone(), a.span));
        true
    }
}

struct Args<'a> {
    attr: &'a Attribute,
    positional: Vec<&'a Value>,
    named: Vec<(&'a Ident, &'a Value)>,
}

impl Args<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        self.named
            .iter()
            .find(|(n, _)| n.name == name)
            .map(|(_, v)| *v)
    }

    fn string(&self, cx: &mut Cx, name: &str) -> Option<String> {
        match self.get(name)? {
            Value::String(s, span) => {
                if s.is_empty() || s.len() > MAX_IDENT_BYTES {
                    cx.err(d::ident_too_long(*span, "name", s));
                }
                Some(s.clone())
            }
            v => {
                cx.err(d::invalid_arguments(
                    v.span(),
                    &self.attr.display(),
                    format!("`{name}` expects a string"),
                ));
                None
            }
        }
    }

    fn bool(&self, cx: &mut Cx, name: &str) -> bool {
        match self.get(name) {
            None => false,
            Some(Value::Ident(i)) if i.name == "true" => true,
            Some(Value::Ident(i)) if i.name == "false" => false,
            Some(v) => {
                cx.err(d::invalid_arguments(
                    v.span(),
                    &self.attr.display(),
                    format!("`{name}` expects true or false"),
                ));
                false
            }
        }
    }

    fn action(&self, cx: &mut Cx, name: &str) -> ReferentialAction {
        match self.get(name) {
            None => ReferentialAction::NoAction,
            Some(Value::Ident(i)) => {
                match ReferentialAction::ALL.iter().find(|a| a.dsl() == i.name) {
                    Some(a) => *a,
                    None => {
                        let all: Vec<&str> =
                            ReferentialAction::ALL.iter().map(|a| a.dsl()).collect();
                        cx.err(d::invalid_arguments(
                            i.span,
                            &self.attr.display(),
                            format!("`{name}` is one of {}", all.join(", ")),
                        ));
                        ReferentialAction::NoAction
                    }
                }
            }
            Some(v) => {
                cx.err(d::invalid_arguments(
                    v.span(),
                    &self.attr.display(),
                    format!("`{name}` expects an action such as cascade"),
                ));
                ReferentialAction::NoAction
            }
        }
    }
}

fn ident_list(v: &Value) -> Option<Vec<Ident>> {
    match v {
        Value::Ident(i) => Some(vec![i.clone()]),
        Value::List(items, _) => items
            .iter()
            .map(|i| match i {
                Value::Ident(i) => Some(i.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn doc(lines: &[String]) -> Option<String> {
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn same_type_family(a: &ColumnType, b: &ColumnType) -> bool {
    match (a, b) {
        (ColumnType::Scalar(x), ColumnType::Scalar(y)) => {
            x.kind == y.kind
                || matches!(
                    (x.kind, y.kind),
                    (
                        Kind::Varchar | Kind::Text | Kind::Char,
                        Kind::Varchar | Kind::Text | Kind::Char
                    )
                )
        }
        (ColumnType::Enum(x), ColumnType::Enum(y)) => x == y,
        _ => false,
    }
}

/// SQL functions and keywords known to produce a value of a family of types.
fn expr_types(name: &str) -> Option<&'static [Kind]> {
    const TIME: &[Kind] = &[Kind::Timestamp, Kind::Timestamptz, Kind::Date, Kind::Time];
    Some(match name.to_ascii_lowercase().as_str() {
        "now"
        | "current_timestamp"
        | "transaction_timestamp"
        | "statement_timestamp"
        | "clock_timestamp"
        | "localtimestamp" => TIME,
        "current_date" => &[Kind::Date, Kind::Timestamp, Kind::Timestamptz],
        "current_time" | "localtime" => &[Kind::Time],
        "gen_random_uuid" | "uuid_generate_v4" => &[Kind::Uuid],
        _ => return None,
    })
}

/// Converts and checks a `@default(…)` value against the column type.
fn default_value(v: &Value, ty: &ColumnType, enums: &[Enum]) -> Result<DefaultValue, String> {
    let scalar = match ty {
        ColumnType::Enum(name) => {
            let values = enums
                .iter()
                .find(|e| e.name == *name)
                .map(|e| e.values.as_slice())
                .unwrap_or(&[]);
            let value = match v {
                Value::String(s, _) => s.clone(),
                Value::Ident(i) => i.name.clone(),
                Value::Raw(s, _) => return Ok(DefaultValue::Expr(s.clone())),
                other => return Err(format!("{} is not a value of enum `{name}`", other.kind())),
            };
            return if values.contains(&value) {
                Ok(DefaultValue::String(value))
            } else {
                Err(format!(
                    "`{value}` is not a value of enum `{name}` ({})",
                    values.join(", ")
                ))
            };
        }
        ColumnType::Scalar(s) => *s,
    };
    let info = scalar.info();
    match v {
        Value::Raw(s, _) => {
            if s.trim().is_empty() {
                Err("the SQL expression is empty".into())
            } else {
                Ok(DefaultValue::Expr(s.trim().to_string()))
            }
        }
        Value::Func(f, _) | Value::Ident(f) if expr_types(&f.name).is_some() => {
            let kinds = expr_types(&f.name).unwrap_or(&[]);
            if !kinds.contains(&scalar.kind) {
                return Err(format!("`{}` does not give a `{}`", f.name, info.dsl));
            }
            Ok(DefaultValue::Expr(match v {
                Value::Func(..) => format!("{}()", f.name),
                _ => f.name.clone(),
            }))
        }
        Value::Func(f, _) => Ok(DefaultValue::Expr(format!("{}()", f.name))),
        Value::Ident(i) if i.name == "true" || i.name == "false" => {
            if info.literal == LiteralKind::Bool {
                Ok(DefaultValue::Bool(i.name == "true"))
            } else {
                Err(format!("a boolean is not a `{}`", info.dsl))
            }
        }
        Value::Ident(i) if i.name.eq_ignore_ascii_case("null") => Err(
            "a column without a default is already NULL by default; mark it nullable with `?`"
                .into(),
        ),
        Value::Number(n, _) => match info.literal {
            LiteralKind::Integer => {
                if n.contains('.') {
                    return Err(format!("`{n}` is not an integer"));
                }
                let (lo, hi): (i128, i128) = match scalar.kind {
                    Kind::SmallInt => (i16::MIN.into(), i16::MAX.into()),
                    Kind::Int => (i32::MIN.into(), i32::MAX.into()),
                    _ => (i64::MIN.into(), i64::MAX.into()),
                };
                match n.parse::<i128>() {
                    Ok(x) if (lo..=hi).contains(&x) => Ok(DefaultValue::Integer(n.clone())),
                    _ => Err(format!("`{n}` is out of range for `{}`", info.dsl)),
                }
            }
            LiteralKind::Number => {
                if let Some((p, s)) = scalar.precision {
                    let digits = n.trim_start_matches('-');
                    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
                    let int = int.trim_start_matches('0');
                    if frac.len() > s as usize || int.len() > (p - s) as usize {
                        return Err(format!("`{n}` does not fit `numeric({p},{s})`"));
                    }
                }
                if n.contains('.') {
                    Ok(DefaultValue::Decimal(n.clone()))
                } else {
                    Ok(DefaultValue::Integer(n.clone()))
                }
            }
            _ => Err(format!("a number is not a `{}`", info.dsl)),
        },
        Value::String(s, _) => {
            let ok = match info.literal {
                LiteralKind::String => match scalar.length {
                    Some(n) if s.chars().count() > n as usize => {
                        return Err(format!("the string is longer than {n} characters"))
                    }
                    _ => true,
                },
                LiteralKind::StringChecked => checked_string(scalar.kind, s),
                _ => false,
            };
            if ok {
                Ok(DefaultValue::String(s.clone()))
            } else {
                Err(format!("`{s}` is not a valid `{}`", info.dsl))
            }
        }
        other => Err(format!("{} is not a valid default", other.kind())),
    }
}

fn checked_string(kind: Kind, s: &str) -> bool {
    match kind {
        Kind::Uuid => is_uuid(s),
        Kind::Date => is_date(s),
        Kind::Time => is_time(s),
        Kind::Timestamp => s
            .split_once([' ', 'T'])
            .is_some_and(|(d, t)| is_date(d) && is_time(t)),
        Kind::Timestamptz => s.split_once([' ', 'T']).is_some_and(|(d, t)| {
            let t = t.trim_end_matches('Z');
            let t = t.rsplit_once(['+', '-']).map_or(t, |(a, _)| a);
            is_date(d) && is_time(t)
        }),
        Kind::Json | Kind::Jsonb => serde_json::from_str::<serde_json::Value>(s).is_ok(),
        _ => true,
    }
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    parts[0].len() == 4 && (1..=12).contains(&m) && d >= 1 && d <= days[(m - 1) as usize]
}

fn is_time(s: &str) -> bool {
    let (hms, frac) = s.split_once('.').unwrap_or((s, "0"));
    let parts: Vec<&str> = hms.split(':').collect();
    if !(2..=3).contains(&parts.len()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let limits = [23, 59, 59];
    parts
        .iter()
        .zip(limits)
        .all(|(p, max)| p.len() == 2 && p.parse::<u32>().is_ok_and(|v| v <= max))
}
