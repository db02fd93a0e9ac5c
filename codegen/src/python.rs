//! The Python model renderer: the schema as an installable package of
//! SQLAlchemy 2.0 declarative models and Pydantic v2 record models.
//!
//! [`render`] returns the files of a distribution (paths relative to its
//! root):
//!
//! - `pyproject.toml`: the project (setuptools), its dependencies, and the
//!   ruff and mypy settings the code is checked with;
//! - `<package>/__init__.py`: re-exports every public name;
//! - `<package>/py.typed`: the package ships its types (PEP 561);
//! - `<package>/base.py`: `Base` (one registry, one `MetaData` whose naming
//!   convention is the schema's `naming`), `NAMING_CONVENTION`, and
//!   `enum_values`;
//! - `<package>/enums.py` (when the schema has enums): one `enum.StrEnum` per
//!   schema enum, and its SQLAlchemy type (`CONTRACT_STATUS_TYPE =
//!   Enum(ContractStatus, name="ContractStatus", metadata=Base.metadata, …)`),
//!   bound to the metadata so that `create_all()` creates every enum of the
//!   schema, used or not, as the migrations do;
//! - one module of SQLAlchemy models per group (the group name in
//!   snake_case), and `models.py` for the tables outside any group;
//! - `<package>/records.py`: one pydantic model per table, to validate records
//!   before they are inserted.
//!
//! Every file's first line is a comment with
//! [`nzc_types::contract::GENERATED_MARKER`]. The text is what `ruff format`
//! writes ([`fmt`] lays it out without running ruff), imports are in isort's
//! order, and the package passes `mypy --strict`. Output depends only on the
//! model: the same schema gives byte-identical files.
//!
//! # The SQLAlchemy models
//!
//! One class per table (`Mapped[...]` attributes in snake_case, each
//! `mapped_column` naming its column when the name differs): the type of the
//! type table's row (`PG_UUID(as_uuid=True)`, `String(n)`, `Numeric(p, s)`,
//! `DateTime(timezone=True)`, `JSONB`, the enum's type from `enums.py`, …),
//! nullability from the annotation (`X | None`), the primary key
//! (`autoincrement=False` on an integer key: the schema has no serial
//! columns), single-column foreign keys as `ForeignKey(…)` with their
//! actions, `server_default=text(…)` with the SQL nzc's migrations write
//! (so `create_all` and the migrations give the same defaults; a string on a
//! `json` column carries its cast, `'{}'::json`, as PostgreSQL prints it,
//! because Alembic compares defaults with `=`, which `json` lacks; SQL that
//! `text()` would read a `:bind` in goes through `literal_column()`), `comment=`
//! from `///` docs (the migrations write them as comments too). The other
//! constraints and indexes are in `__table_args__`, with the table comment.
//! A constraint or index is named by the naming convention when the
//! convention gives its name, and explicitly otherwise (an explicit name,
//! a name shortened to 63 bytes): `name="…"`, or for a check constraint the
//! part the `ck` convention wraps (`name="positive_value"` → `ck_T_positive_value`),
//! else `conv("…")`. Relationships: see [`relations`].
//!
//! # The records
//!
//! One `BaseModel` per table (`<Class>Record`): the same field names as the
//! SQLAlchemy attributes, the column names as aliases (`populate_by_name`,
//! `extra="forbid"`, `from_attributes`; `protected_namespaces=()`, since
//! columns may start with `model_`), Python types (`UUID`, `Decimal`,
//! `datetime.date`, `datetime.datetime`, the enum, `JsonValue`, …) with the
//! column's limits (`max_length` of `varchar(n)`, integer ranges,
//! `max_digits`/`decimal_places` of `numeric(p, s)`). Required: the columns
//! that are `NOT NULL` without a default, except the primary key (filled by
//! the loader). A literal default (number, string, boolean, enum value)
//! becomes the field's default; a column whose default is SQL (`now()`,
//! `gen_random_uuid()`, …) may be left out (`None`: the database fills it;
//! dump with `exclude_unset=True`).

mod fmt;
mod names;
mod relations;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use heck::ToShoutySnakeCase;
use nzc_dsl::naming::{render as render_name, NameParts};
use nzc_dsl::{
    Column, ColumnType, DefaultValue, ForeignKey, Kind, Naming, ReferentialAction, Schema, Table,
};

use self::fmt::{
    annotation, assign, call, dict, docstring, kwarg, list, print, string, subscript, text, tuple,
    Doc,
};
use self::names::{attribute_base, member_case, KEYWORDS};
use self::relations::Relationship;
use crate::names::{make_unique, snake_case, unique_idents, upper_camel_case, Suffix};
use crate::{toml_string, GeneratedFile};

/// What the generated package is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonOptions {
    /// The import name of the package (`nzc_models`); a Python identifier.
    pub package: String,
    /// The distribution name in `pyproject.toml` (`nzc-models`).
    pub distribution: String,
    /// The name of the schema file, for the header comments.
    pub source_name: String,
}

/// Renders the Python package of `schema`; files sorted by path.
pub fn render(schema: &Schema, options: &PythonOptions) -> Vec<GeneratedFile> {
    let plan = Plan::new(schema);
    let cx = Context {
        plan: &plan,
        schema,
        source: fmt::comment_text(&options.source_name),
    };
    let pkg = &options.package;
    let mut files = vec![
        GeneratedFile {
            path: "pyproject.toml".into(),
            contents: pyproject(&cx, options),
        },
        GeneratedFile {
            path: format!("{pkg}/__init__.py"),
            contents: init_py(&cx, options),
        },
        GeneratedFile {
            path: format!("{pkg}/py.typed"),
            contents: header(&cx, "#"),
        },
        GeneratedFile {
            path: format!("{pkg}/base.py"),
            contents: base_py(&cx),
        },
        GeneratedFile {
            path: format!("{pkg}/records.py"),
            contents: records_py(&cx),
        },
    ];
    if !schema.enums.is_empty() {
        files.push(GeneratedFile {
            path: format!("{pkg}/enums.py"),
            contents: enums_py(&cx),
        });
    }
    for (mi, module) in plan.modules.iter().enumerate() {
        files.push(GeneratedFile {
            path: format!("{pkg}/{}.py", module.name),
            contents: models_py(&cx, mi),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

// ---------------------------------------------------------------------------
// Names

/// Class names no table or enum gets: the package's own names and every name
/// a module imports (they share the modules' namespaces), and keywords.
const RESERVED_CLASSES: &[&str] = &[
    "Any",
    "Base",
    "BaseModel",
    "BaseRecord",
    "BigInteger",
    "Boolean",
    "CHAR",
    "CheckConstraint",
    "ConfigDict",
    "Date",
    "DateTime",
    "Decimal",
    "DeclarativeBase",
    "Double",
    "Enum",
    "Field",
    "ForeignKey",
    "ForeignKeyConstraint",
    "Index",
    "Integer",
    "JSON",
    "JSONB",
    "JsonValue",
    "LargeBinary",
    "Mapped",
    "MetaData",
    "NAMING_CONVENTION",
    "Numeric",
    "PG_UUID",
    "PrimaryKeyConstraint",
    "REAL",
    "SmallInteger",
    "StrEnum",
    "String",
    "TYPE_CHECKING",
    "Text",
    "Time",
    "UUID",
    "UniqueConstraint",
];

/// Module names no group gets: the package's other modules.
const RESERVED_MODULES: &[&str] = &["base", "enums", "records", "models"];

/// No reserved names.
const NO_NAMES: [&str; 0] = [];

/// The module of the tables outside any group.
const UNGROUPED_MODULE: &str = "models";

/// Every Python name of the package, decided once, before any text is written.
struct Plan {
    enums: Vec<EnumPlan>,
    enum_by_name: HashMap<String, usize>,
    tables: Vec<TablePlan>,
    modules: Vec<ModulePlan>,
    relationships: Vec<Vec<Relationship>>,
}

struct EnumPlan {
    class: String,
    /// The SQLAlchemy type object (`CONTRACT_STATUS_TYPE`) in `enums.py`.
    sql_type: String,
    members: Vec<String>,
}

struct TablePlan {
    class: String,
    record: String,
    module: usize,
    attributes: Vec<String>,
}

struct ModulePlan {
    name: String,
    /// The group, by index in `schema.groups`; `None`: the ungrouped tables.
    group: Option<usize>,
    tables: Vec<usize>,
}

impl Plan {
    fn new(schema: &Schema) -> Plan {
        // Classes: tables first, then enums, then records.
        let mut reserved: HashSet<String> = RESERVED_CLASSES
            .iter()
            .chain(KEYWORDS)
            .map(|s| s.to_string())
            .collect();
        let table_classes = unique_idents(
            schema.tables.iter().map(|t| t.name.as_str()),
            |name| upper_camel_case(name, "Table", "T"),
            &reserved,
            Suffix::Camel,
        );
        reserved.extend(table_classes.iter().cloned());
        let enum_classes = unique_idents(
            schema.enums.iter().map(|e| e.name.as_str()),
            |name| upper_camel_case(name, "Enum", "E"),
            &reserved,
            Suffix::Camel,
        );
        reserved.extend(enum_classes.iter().cloned());
        let records = make_unique(
            table_classes.iter().map(|c| format!("{c}Record")).collect(),
            |_| false,
            &reserved,
            Suffix::Camel,
        );

        let sql_types = make_unique(
            enum_classes
                .iter()
                .map(|c| format!("{}_TYPE", c.to_shouty_snake_case()))
                .collect(),
            |_| false,
            &reserved,
            Suffix::Snake,
        );
        let enums: Vec<EnumPlan> = schema
            .enums
            .iter()
            .zip(enum_classes.into_iter().zip(sql_types))
            .map(|(e, (class, sql_type))| EnumPlan {
                class,
                sql_type,
                members: make_unique(
                    e.values.iter().map(|v| member_case(v)).collect(),
                    |_| false,
                    NO_NAMES,
                    Suffix::Snake,
                ),
            })
            .collect();
        let enum_by_name = schema
            .enums
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.clone(), i))
            .collect();

        // Modules: one per group that has tables, in group order, then the
        // ungrouped tables.
        let mut group_tables: Vec<Vec<usize>> = vec![Vec::new(); schema.groups.len()];
        let mut ungrouped = Vec::new();
        for (ti, t) in schema.tables.iter().enumerate() {
            match t
                .group
                .as_ref()
                .and_then(|g| schema.groups.iter().position(|x| &x.name == g))
            {
                Some(gi) => group_tables[gi].push(ti),
                None => ungrouped.push(ti),
            }
        }
        let used: Vec<usize> = (0..schema.groups.len())
            .filter(|&g| !group_tables[g].is_empty())
            .collect();
        let module_names = make_unique(
            used.iter()
                .map(|&g| {
                    let s = snake_case(&schema.groups[g].name, "group", "g_");
                    if KEYWORDS.contains(&s.as_str()) {
                        s + "_"
                    } else {
                        s
                    }
                })
                .collect(),
            |_| false,
            RESERVED_MODULES,
            Suffix::Snake,
        );
        let mut modules: Vec<ModulePlan> = used
            .iter()
            .zip(module_names)
            .map(|(&g, name)| ModulePlan {
                name,
                group: Some(g),
                tables: std::mem::take(&mut group_tables[g]),
            })
            .collect();
        if !ungrouped.is_empty() {
            modules.push(ModulePlan {
                name: UNGROUPED_MODULE.into(),
                group: None,
                tables: ungrouped,
            });
        }
        let mut module_of = vec![0; schema.tables.len()];
        for (mi, m) in modules.iter().enumerate() {
            for &t in &m.tables {
                module_of[t] = mi;
            }
        }

        let attributes: Vec<Vec<String>> = schema
            .tables
            .iter()
            .map(|t| {
                unique_idents(
                    t.columns.iter().map(|c| c.name.as_str()),
                    |name| attribute_base(snake_case(name, "column", "c_")),
                    NO_NAMES,
                    Suffix::Snake,
                )
            })
            .collect();
        let relationships = relations::plan(schema, &attributes);
        let tables = table_classes
            .into_iter()
            .zip(records)
            .zip(attributes)
            .enumerate()
            .map(|(i, ((class, record), attributes))| TablePlan {
                class,
                record,
                module: module_of[i],
                attributes,
            })
            .collect();
        Plan {
            enums,
            enum_by_name,
            tables,
            modules,
            relationships,
        }
    }

    fn enum_of(&self, name: &str) -> Option<&EnumPlan> {
        self.enum_by_name.get(name).map(|&i| &self.enums[i])
    }
}

struct Context<'a> {
    plan: &'a Plan,
    schema: &'a Schema,
    /// The schema file's name, safe in a comment.
    source: String,
}

fn header(cx: &Context<'_>, comment: &str) -> String {
    format!(
        "{comment} {} from {}. Do not edit: change the schema and run `nzc compile`.\n",
        nzc_types::contract::GENERATED_MARKER,
        cx.source
    )
}

// ---------------------------------------------------------------------------
// Imports

/// The imports of a module, written in isort's order: `__future__`, the
/// standard library, third-party packages, the package's own modules; in
/// each section straight imports first, then `from` imports by module.
#[derive(Default)]
struct Imports {
    future: bool,
    std_modules: Vec<String>,
    std_from: BTreeMap<String, Vec<String>>,
    third_from: BTreeMap<String, Vec<String>>,
    local_from: BTreeMap<String, Vec<String>>,
    type_checking: BTreeMap<String, Vec<String>>,
}

impl Imports {
    fn std(&mut self, module: &str, name: &str) {
        add(&mut self.std_from, module, name);
    }
    fn third(&mut self, module: &str, name: &str) {
        add(&mut self.third_from, module, name);
    }
    fn local(&mut self, module: &str, name: &str) {
        add(&mut self.local_from, module, name);
    }
    fn module(&mut self, module: &str) {
        if !self.std_modules.iter().any(|m| m == module) {
            self.std_modules.push(module.into());
        }
    }

    fn write(&self, out: &mut String) {
        let mut sections: Vec<String> = Vec::new();
        if self.future {
            sections.push("from __future__ import annotations\n".into());
        }
        let mut std = String::new();
        let mut modules = self.std_modules.clone();
        modules.sort_by(|a, b| fmt::natural_cmp(&a.to_lowercase(), &b.to_lowercase()));
        for m in &modules {
            let _ = writeln!(std, "import {m}");
        }
        write_from(&mut std, 0, &self.std_from);
        for s in [
            std,
            from_block(&self.third_from),
            from_block(&self.local_from),
        ] {
            if !s.is_empty() {
                sections.push(s);
            }
        }
        out.push_str(&sections.join("\n"));
        if !self.type_checking.is_empty() {
            out.push_str("\nif TYPE_CHECKING:\n");
            write_from(out, 4, &self.type_checking);
        }
    }
}

fn add(map: &mut BTreeMap<String, Vec<String>>, module: &str, name: &str) {
    let names = map.entry(module.to_string()).or_default();
    if !names.iter().any(|n| n == name) {
        names.push(name.to_string());
    }
}

fn from_block(map: &BTreeMap<String, Vec<String>>) -> String {
    let mut s = String::new();
    write_from(&mut s, 0, map);
    s
}

/// `from` imports, one statement per module (aliased names on their own,
/// as isort keeps `as` imports apart), in isort's order.
fn write_from(out: &mut String, indent: usize, map: &BTreeMap<String, Vec<String>>) {
    let mut lines: Vec<(String, Vec<String>)> = Vec::new();
    for (module, names) in map {
        let (aliased, plain): (Vec<String>, Vec<String>) =
            names.iter().cloned().partition(|n| n.contains(" as "));
        if !plain.is_empty() {
            let mut plain = plain;
            fmt::sort_members(&mut plain);
            lines.push((module.clone(), plain));
        }
        for a in aliased {
            lines.push((module.clone(), vec![a]));
        }
    }
    lines.sort_by(|(ma, na), (mb, nb)| {
        fmt::natural_cmp(&ma.to_lowercase(), &mb.to_lowercase())
            .then_with(|| fmt::natural_cmp(ma, mb))
            .then_with(|| fmt::member_cmp(&na[0], &nb[0]))
    });
    for (module, names) in lines {
        fmt::import_from(out, indent, &module, &names);
    }
}

// ---------------------------------------------------------------------------
// pyproject.toml

fn pyproject(cx: &Context<'_>, options: &PythonOptions) -> String {
    let mut out = header(cx, "#");
    let description = format!(
        "SQLAlchemy 2.0 and Pydantic v2 models of {}, generated by nzc",
        cx.source
    );
    let _ = write!(
        out,
        r#"
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = {distribution}
version = "0.1.0"
description = {description}
requires-python = ">=3.11"
dependencies = ["SQLAlchemy>=2.0,<3", "pydantic>=2.5,<3"]

[project.optional-dependencies]
postgres = ["psycopg[binary]>=3.1"]

[tool.setuptools]
packages = [{package}]

[tool.setuptools.package-data]
{package} = ["py.typed"]

# The generated code is formatted as `ruff format` formats it and passes
# `ruff check` with these rules and `mypy --strict`.
[tool.ruff]
line-length = {line_length}
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "W", "I", "UP", "B"]
# Long string literals (comments, names) cannot be wrapped; names come from the
# schema, one-letter ones (`l`, `I`, `O`) included.
ignore = ["E501", "E741", "E742"]

[tool.mypy]
strict = true
"#,
        distribution = toml_string(&options.distribution),
        description = toml_string(&description),
        package = toml_string(&options.package),
        line_length = fmt::LINE_LENGTH,
    );
    out
}

// ---------------------------------------------------------------------------
// __init__.py

fn init_py(cx: &Context<'_>, options: &PythonOptions) -> String {
    let plan = cx.plan;
    let mut out = header(cx, "#");
    let mut doc = format!(
        "SQLAlchemy 2.0 and Pydantic v2 models of {}, generated by nzc.\n\n\
         - `Base`: the declarative base; `Base.metadata` holds every table, with the\n  \
         schema's naming convention (`NAMING_CONVENTION`).\n\
         - One SQLAlchemy model per table, in one module per group.\n\
         - `<Model>Record`: a pydantic model per table, to validate records before they\n  \
         are inserted (`{}.records`).\n",
        cx.source, options.package
    );
    if !plan.enums.is_empty() {
        doc.push_str("- The schema's enums, as `StrEnum`s (`");
        doc.push_str(&options.package);
        doc.push_str(".enums`).\n");
    }
    for m in &plan.modules {
        let title = match m.group {
            Some(g) => cx.schema.groups[g].name.clone(),
            None => "Other tables".into(),
        };
        let _ = write!(doc, "\n{title} (`{}.{}`): ", options.package, m.name);
        let classes: Vec<&str> = m
            .tables
            .iter()
            .map(|&t| plan.tables[t].class.as_str())
            .collect();
        doc.push_str(&classes.join(", "));
        doc.push_str(".\n");
    }
    docstring(&mut out, 0, &doc);
    out.push('\n');

    let mut imports = Imports::default();
    let mut all: Vec<String> = Vec::new();
    imports.local(".base", "Base");
    imports.local(".base", "NAMING_CONVENTION");
    all.extend(["NAMING_CONVENTION".into(), "Base".into()]);
    for m in &plan.modules {
        for &t in &m.tables {
            imports.local(&format!(".{}", m.name), &plan.tables[t].class);
            all.push(plan.tables[t].class.clone());
        }
    }
    for e in &plan.enums {
        imports.local(".enums", &e.class);
        all.push(e.class.clone());
    }
    imports.local(".records", "BaseRecord");
    all.push("BaseRecord".into());
    for t in &plan.tables {
        imports.local(".records", &t.record);
        all.push(t.record.clone());
    }
    imports.write(&mut out);
    out.push('\n');
    let items = all.iter().map(|n| text(string(n))).collect();
    print(&mut out, 0, &assign("__all__", None, Some(list(items))));
    out
}

// ---------------------------------------------------------------------------
// base.py

/// The SQLAlchemy naming-convention template for an nzc template: the
/// placeholders become SQLAlchemy's tokens, `%` is doubled.
fn sqlalchemy_template(template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open].replace('%', "%%"));
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..].replace('%', "%%"));
            rest = "";
            break;
        };
        let token = match &after[..close] {
            "table" => "%(table_name)s",
            "column" => "%(column_0_name)s",
            "columns" => "%(column_0_N_name)s",
            "ref_table" => "%(referred_table_name)s",
            "ref_column" => "%(referred_column_0_name)s",
            "name" => "%(constraint_name)s",
            _ => "",
        };
        if token.is_empty() {
            out.push_str(&rest[open..open + close + 2].replace('%', "%%"));
        } else {
            out.push_str(token);
        }
        rest = &after[close + 1..];
    }
    out.push_str(&rest.replace('%', "%%"));
    out
}

fn base_py(cx: &Context<'_>) -> String {
    let naming = &cx.schema.naming;
    let mut out = header(cx, "#");
    docstring(
        &mut out,
        0,
        &format!(
            "The declarative base of the models of {}: one registry, one `MetaData`.\n\n\
             `NAMING_CONVENTION` is the schema's naming convention for constraint and index\n\
             names; a name it does not give (an explicit name, a name shortened to 63 bytes)\n\
             is written on the constraint itself.",
            cx.source
        ),
    );
    out.push('\n');
    let mut imports = Imports {
        future: true,
        ..Imports::default()
    };
    imports.module("enum");
    imports.third("sqlalchemy", "MetaData");
    imports.third("sqlalchemy.orm", "DeclarativeBase");
    imports.write(&mut out);
    out.push('\n');
    let entries = [
        ("pk", &naming.primary_key),
        ("uq", &naming.unique),
        ("fk", &naming.foreign_key),
        ("ix", &naming.index),
        ("ck", &naming.check),
    ]
    .into_iter()
    .map(|(k, t)| (text(string(k)), text(string(&sqlalchemy_template(t)))))
    .collect();
    print(
        &mut out,
        0,
        &assign(
            "NAMING_CONVENTION",
            Some(annotation("dict[str, str]")),
            Some(dict(entries)),
        ),
    );
    out.push_str("\n\nclass Base(DeclarativeBase):\n");
    docstring(
        &mut out,
        4,
        "The base class of every model: one registry, so relationships name their\ntargets by class name across modules.",
    );
    out.push('\n');
    print(
        &mut out,
        4,
        &assign(
            "metadata",
            None,
            Some(call(
                "MetaData",
                vec![kwarg("naming_convention", text("NAMING_CONVENTION"))],
            )),
        ),
    );
    out.push_str(
        "\n\ndef enum_values(enum_class: type[enum.Enum]) -> list[str]:\n    \
         \"\"\"The database values of an enum: its members' values, in declaration order.\"\"\"\n    \
         return [str(member.value) for member in enum_class]\n",
    );
    out
}

// ---------------------------------------------------------------------------
// enums.py

fn enums_py(cx: &Context<'_>) -> String {
    let mut out = header(cx, "#");
    docstring(
        &mut out,
        0,
        &format!(
            "The enums of {}: one `StrEnum` per schema enum, members in the enum's order.\n\n\
             A member is its database value (`str`); its name is the value in\n\
             SCREAMING_SNAKE_CASE.",
            cx.source
        ),
    );
    out.push('\n');
    let mut imports = Imports::default();
    imports.std("enum", "StrEnum");
    imports.third("sqlalchemy", "Enum");
    imports.local(".base", "Base");
    imports.local(".base", "enum_values");
    imports.write(&mut out);
    for (e, plan) in cx.schema.enums.iter().zip(&cx.plan.enums) {
        let _ = writeln!(out, "\n\nclass {}(StrEnum):", plan.class);
        let doc = match &e.doc {
            Some(d) if !d.trim().is_empty() => format!("{d}\n\nThe PostgreSQL enum `{}`.", e.name),
            _ => format!("The PostgreSQL enum `{}`.", e.name),
        };
        docstring(&mut out, 4, &doc);
        out.push('\n');
        if e.values.is_empty() {
            out.push_str("    pass\n");
        }
        for (value, member) in e.values.iter().zip(&plan.members) {
            print(
                &mut out,
                4,
                &assign(member, None, Some(text(string(value)))),
            );
        }
    }
    // The SQLAlchemy types: one per enum, bound to the metadata, so that
    // `create_all()` creates every enum of the schema (as the migrations do),
    // used or not, once, and columns share it.
    out.push('\n');
    for (e, plan) in cx.schema.enums.iter().zip(&cx.plan.enums) {
        out.push('\n');
        let _ = writeln!(
            out,
            "#: The PostgreSQL enum `{}`, for columns of type {}.",
            fmt::comment_text(&e.name),
            plan.class
        );
        print(
            &mut out,
            0,
            &assign(
                &plan.sql_type,
                None,
                Some(call(
                    "Enum",
                    vec![
                        text(plan.class.clone()),
                        kwarg("name", text(string(&e.name))),
                        kwarg("metadata", text("Base.metadata")),
                        kwarg("values_callable", text("enum_values")),
                    ],
                )),
            ),
        );
    }
    out
}

// ---------------------------------------------------------------------------
// The SQLAlchemy modules

/// A SQL text for `text(…)`: `None` when SQLAlchemy would read part of it as
/// a bind parameter (`:name`) or an escaped colon (`\:`); such text goes
/// through `literal_column(…)`, which SQLAlchemy prints as it is.
fn is_plain_text_sql(sql: &str) -> bool {
    if sql.contains("\\:") {
        return false;
    }
    let chars: Vec<char> = sql.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c != ':' {
            continue;
        }
        let before = i.checked_sub(1).map(|j| chars[j]);
        let word = |c: char| c.is_alphanumeric() || c == '_';
        let after = chars.get(i + 1).copied();
        if before.is_some_and(|b| b == ':' || b == '\\' || word(b)) {
            continue;
        }
        if after.is_some_and(word) {
            return false;
        }
    }
    true
}

/// `text("…")` (or `literal_column("…")`) for an SQL expression.
fn sql_doc(sql: &str, imports: &mut Imports) -> Doc {
    if is_plain_text_sql(sql) {
        imports.third("sqlalchemy", "text");
        call("text", vec![text(string(sql))])
    } else {
        imports.third("sqlalchemy", "literal_column");
        call("literal_column", vec![text(string(sql))])
    }
}

/// The SQL of a column default: what nzc's migrations write, except that a
/// string on a `json` column carries its cast (`'{}'::json`), the form
/// PostgreSQL prints, so Alembic's comparison needs no `json = json`
/// (which PostgreSQL does not have).
fn default_sql(column: &Column, default: &DefaultValue) -> String {
    let sql = default.sql();
    match (&column.ty, default) {
        (ColumnType::Scalar(s), DefaultValue::String(_)) if s.kind == Kind::Json => {
            format!("{sql}::json")
        }
        _ => sql,
    }
}

/// The SQLAlchemy column type.
fn column_type(cx: &Context<'_>, ty: &ColumnType, imports: &mut Imports) -> Doc {
    let s = match ty {
        ColumnType::Enum(name) => {
            if let Some(e) = cx.plan.enum_of(name) {
                imports.local(".enums", &e.sql_type);
                return text(e.sql_type.clone());
            }
            // Not an enum of the schema (a validated schema has none).
            imports.third("sqlalchemy", "Enum");
            return call("Enum", vec![kwarg("name", text(string(name)))]);
        }
        ColumnType::Scalar(s) => s,
    };
    let (module, name) = match s.kind {
        Kind::Uuid => ("sqlalchemy.dialects.postgresql", "UUID as PG_UUID"),
        Kind::Varchar => ("sqlalchemy", "String"),
        Kind::Char => ("sqlalchemy", "CHAR"),
        Kind::Text => ("sqlalchemy", "Text"),
        Kind::SmallInt => ("sqlalchemy", "SmallInteger"),
        Kind::Int => ("sqlalchemy", "Integer"),
        Kind::BigInt => ("sqlalchemy", "BigInteger"),
        Kind::Numeric => ("sqlalchemy", "Numeric"),
        Kind::Real => ("sqlalchemy", "REAL"),
        Kind::Double => ("sqlalchemy", "Double"),
        Kind::Boolean => ("sqlalchemy", "Boolean"),
        Kind::Date => ("sqlalchemy", "Date"),
        Kind::Time => ("sqlalchemy", "Time"),
        Kind::Timestamp | Kind::Timestamptz => ("sqlalchemy", "DateTime"),
        Kind::Bytea => ("sqlalchemy", "LargeBinary"),
        Kind::Json => ("sqlalchemy.dialects.postgresql", "JSON"),
        Kind::Jsonb => ("sqlalchemy.dialects.postgresql", "JSONB"),
    };
    imports.third(module, name);
    let ident = name.rsplit(' ').next().unwrap_or(name);
    match (s.kind, s.length, s.precision) {
        (Kind::Uuid, _, _) => call(ident, vec![kwarg("as_uuid", text("True"))]),
        (Kind::Timestamptz, _, _) => call(ident, vec![kwarg("timezone", text("True"))]),
        (_, Some(n), _) => call(ident, vec![text(n.to_string())]),
        (_, _, Some((p, sc))) => call(ident, vec![text(p.to_string()), text(sc.to_string())]),
        _ => text(ident),
    }
}

/// Where a Python type is written: the types differ for JSON only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The SQLAlchemy models (`Any`: SQLAlchemy's JSON types are untyped).
    Models,
    /// The pydantic records (`JsonValue`: validated as JSON).
    Records,
}

/// The Python type of a column's values (without `| None`).
fn python_type(cx: &Context<'_>, ty: &ColumnType, imports: &mut Imports, side: Side) -> String {
    let s = match ty {
        ColumnType::Enum(name) => {
            let class = cx
                .plan
                .enum_of(name)
                .map_or_else(|| upper_camel_case(name, "Enum", "E"), |e| e.class.clone());
            imports.local(".enums", &class);
            return class;
        }
        ColumnType::Scalar(s) => s,
    };
    match s.kind {
        Kind::Uuid => {
            imports.std("uuid", "UUID");
            "UUID".into()
        }
        Kind::Varchar | Kind::Char | Kind::Text => "str".into(),
        Kind::SmallInt | Kind::Int | Kind::BigInt => "int".into(),
        Kind::Numeric => {
            imports.std("decimal", "Decimal");
            "Decimal".into()
        }
        Kind::Real | Kind::Double => "float".into(),
        Kind::Boolean => "bool".into(),
        Kind::Date => {
            imports.module("datetime");
            "datetime.date".into()
        }
        Kind::Time => {
            imports.module("datetime");
            "datetime.time".into()
        }
        Kind::Timestamp | Kind::Timestamptz => {
            imports.module("datetime");
            "datetime.datetime".into()
        }
        Kind::Bytea => "bytes".into(),
        Kind::Json | Kind::Jsonb if side == Side::Records => {
            imports.third("pydantic", "JsonValue");
            "JsonValue".into()
        }
        Kind::Json | Kind::Jsonb => {
            imports.std("typing", "Any");
            "Any".into()
        }
    }
}

fn action(a: ReferentialAction) -> Option<&'static str> {
    (a != ReferentialAction::NoAction).then(|| a.sql())
}

/// `name=…` when the convention does not give `name`, given what it gives.
fn name_kwarg(conventional: &str, name: &str) -> Option<Doc> {
    (conventional != name).then(|| kwarg("name", text(string(name))))
}

/// The keyword arguments of a `ForeignKey` or `ForeignKeyConstraint`: its
/// name when the convention does not give it, its actions.
fn foreign_key_kwargs(naming: &Naming, table: &Table, fk: &ForeignKey) -> Vec<Doc> {
    let conventional = render_name(
        &naming.foreign_key,
        &NameParts {
            table: &table.name,
            columns: &fk.columns,
            ref_table: &fk.ref_table,
            ref_columns: &fk.ref_columns,
            name: "",
        },
    );
    let mut a: Vec<Doc> = name_kwarg(&conventional, &fk.name).into_iter().collect();
    a.extend(action(fk.on_delete).map(|s| kwarg("ondelete", text(string(s)))));
    a.extend(action(fk.on_update).map(|s| kwarg("onupdate", text(string(s)))));
    a
}

fn parts<'a>(table: &'a Table, columns: &'a [String]) -> NameParts<'a> {
    NameParts {
        table: &table.name,
        columns,
        ..NameParts::default()
    }
}

/// The `name=` of a check constraint: the part the `ck` convention wraps,
/// or the whole name in `conv(…)` when the convention cannot give it.
fn check_name(cx: &Context<'_>, table: &Table, name: &str, imports: &mut Imports) -> Doc {
    let template = &cx.schema.naming.check;
    if let Some((before, after)) = template.split_once("{name}") {
        if !after.contains("{name}") {
            let prefix = render_name(before, &parts(table, &[]));
            let suffix = render_name(after, &parts(table, &[]));
            if name.len() > prefix.len() + suffix.len()
                && name.starts_with(&prefix)
                && name.ends_with(&suffix)
            {
                let inner = &name[prefix.len()..name.len() - suffix.len()];
                return kwarg("name", text(string(inner)));
            }
        }
    } else {
        // The convention has no `{name}`: SQLAlchemy keeps an explicit name.
        return kwarg("name", text(string(name)));
    }
    imports.third("sqlalchemy.schema", "conv");
    kwarg("name", call("conv", vec![text(string(name))]))
}

/// Whether an integer column is the whole primary key (SQLAlchemy would
/// make it `SERIAL` unless told otherwise).
fn is_integer_key(table: &Table, column: &Column) -> bool {
    table.primary_key.columns.len() == 1
        && table.primary_key.columns[0] == column.name
        && matches!(
            column.ty.scalar().map(|s| s.kind),
            Some(Kind::SmallInt | Kind::Int | Kind::BigInt)
        )
}

fn models_py(cx: &Context<'_>, mi: usize) -> String {
    let plan = cx.plan;
    let module = &plan.modules[mi];
    let mut imports = Imports {
        future: true,
        ..Imports::default()
    };
    imports.third("sqlalchemy.orm", "Mapped");
    imports.third("sqlalchemy.orm", "mapped_column");
    imports.local(".base", "Base");
    let mut body = String::new();
    for &ti in &module.tables {
        body.push_str("\n\n");
        model_class(cx, ti, &mut imports, &mut body);
    }

    let mut out = header(cx, "#");
    let doc = match module.group {
        Some(g) => {
            let group = &cx.schema.groups[g];
            let mut d = format!("SQLAlchemy models of the group `{}`.", group.name);
            if let Some(gd) = group.doc.as_deref().filter(|d| !d.trim().is_empty()) {
                d.push_str("\n\n");
                d.push_str(gd);
            }
            d
        }
        None => "SQLAlchemy models of the tables outside any group.".to_string(),
    };
    docstring(&mut out, 0, &doc);
    out.push('\n');
    imports.write(&mut out);
    out.push_str(&body);
    out
}

fn model_class(cx: &Context<'_>, ti: usize, imports: &mut Imports, out: &mut String) {
    let plan = cx.plan;
    let table = &cx.schema.tables[ti];
    let tp = &plan.tables[ti];
    let naming = &cx.schema.naming;
    print(
        out,
        0,
        &Doc::Concat(vec![
            call(&format!("class {}", tp.class), vec![text("Base")]),
            text(":"),
        ]),
    );
    if let Some(doc) = table.doc.as_deref().filter(|d| !d.trim().is_empty()) {
        docstring(out, 4, doc);
        out.push('\n');
    }
    print(
        out,
        4,
        &assign("__tablename__", None, Some(text(string(&table.name)))),
    );

    // __table_args__
    let mut args: Vec<Doc> = Vec::new();
    let pk = &table.primary_key;
    let pk_conventional = render_name(&naming.primary_key, &parts(table, &pk.columns));
    let table_order: Vec<&String> = table
        .columns
        .iter()
        .map(|c| &c.name)
        .filter(|c| pk.columns.contains(c))
        .collect();
    let in_order = table_order.iter().zip(&pk.columns).all(|(a, b)| *a == b);
    if pk_conventional != pk.name || !in_order {
        imports.third("sqlalchemy", "PrimaryKeyConstraint");
        let mut a: Vec<Doc> = pk.columns.iter().map(|c| text(string(c))).collect();
        a.extend(name_kwarg(&pk_conventional, &pk.name));
        args.push(call("PrimaryKeyConstraint", a));
    }
    for u in &table.uniques {
        imports.third("sqlalchemy", "UniqueConstraint");
        let conventional = render_name(&naming.unique, &parts(table, &u.columns));
        let mut a: Vec<Doc> = u.columns.iter().map(|c| text(string(c))).collect();
        a.extend(name_kwarg(&conventional, &u.name));
        if u.nulls_not_distinct {
            // SQLAlchemy 2.0's PostgreSQL dialect option: `UNIQUE NULLS NOT DISTINCT`.
            a.push(text("postgresql_nulls_not_distinct=True".to_string()));
        }
        args.push(call("UniqueConstraint", a));
    }
    for fk in table.foreign_keys.iter().filter(|f| f.columns.len() > 1) {
        imports.third("sqlalchemy", "ForeignKeyConstraint");
        let mut a = vec![
            list(fk.columns.iter().map(|c| text(string(c))).collect()),
            list(
                fk.ref_columns
                    .iter()
                    .map(|c| text(string(&format!("{}.{c}", fk.ref_table))))
                    .collect(),
            ),
        ];
        a.extend(foreign_key_kwargs(naming, table, fk));
        args.push(call("ForeignKeyConstraint", a));
    }
    for c in &table.checks {
        imports.third("sqlalchemy", "CheckConstraint");
        let expr = if is_plain_text_sql(&c.expr) {
            text(string(&c.expr))
        } else {
            imports.third("sqlalchemy", "literal_column");
            call("literal_column", vec![text(string(&c.expr))])
        };
        args.push(call(
            "CheckConstraint",
            vec![expr, check_name(cx, table, &c.name, imports)],
        ));
    }
    for ix in &table.indexes {
        imports.third("sqlalchemy", "Index");
        let conventional = render_name(&naming.index, &parts(table, &ix.columns));
        let name = if conventional == ix.name {
            text("None")
        } else {
            text(string(&ix.name))
        };
        let mut a = vec![name];
        a.extend(ix.columns.iter().map(|c| text(string(c))));
        if ix.unique {
            a.push(kwarg("unique", text("True")));
        }
        args.push(call("Index", a));
    }
    let comment = table
        .doc
        .as_deref()
        .filter(|d| !d.is_empty())
        .map(|d| dict(vec![(text(string("comment")), text(string(d)))]));
    let table_args = match (args.is_empty(), comment) {
        (true, None) => None,
        (true, Some(c)) => Some(c),
        (false, c) => {
            args.extend(c);
            Some(tuple(args))
        }
    };
    if let Some(ta) = table_args {
        print(out, 4, &assign("__table_args__", None, Some(ta)));
    }
    out.push('\n');

    // Columns.
    for (ci, column) in table.columns.iter().enumerate() {
        let attr = &tp.attributes[ci];
        let mut ann = python_type(cx, &column.ty, imports, Side::Models);
        if column.nullable {
            ann.push_str(" | None");
        }
        let mut a: Vec<Doc> = Vec::new();
        if *attr != column.name {
            a.push(text(string(&column.name)));
        }
        a.push(column_type(cx, &column.ty, imports));
        for fk in table
            .foreign_keys
            .iter()
            .filter(|f| f.columns.len() == 1 && f.columns[0] == column.name)
        {
            imports.third("sqlalchemy", "ForeignKey");
            let mut f = vec![text(string(&format!(
                "{}.{}",
                fk.ref_table, fk.ref_columns[0]
            )))];
            f.extend(foreign_key_kwargs(naming, table, fk));
            a.push(call("ForeignKey", f));
        }
        if table.is_pk_column(&column.name) {
            a.push(kwarg("primary_key", text("True")));
            if is_integer_key(table, column) {
                a.push(kwarg("autoincrement", text("False")));
            }
        }
        if let Some(d) = &column.default {
            a.push(kwarg(
                "server_default",
                sql_doc(&default_sql(column, d), imports),
            ));
        }
        if let Some(doc) = column.doc.as_deref().filter(|d| !d.is_empty()) {
            a.push(kwarg("comment", text(string(doc))));
        }
        print(
            out,
            4,
            &assign(
                attr,
                Some(subscript("Mapped", text(ann))),
                Some(call("mapped_column", a)),
            ),
        );
    }

    // Relationships.
    let relationships = &plan.relationships[ti];
    if !relationships.is_empty() {
        imports.third("sqlalchemy.orm", "relationship");
        out.push('\n');
    }
    for r in relationships {
        relationship(cx, ti, r, imports, out);
    }
}

fn relationship(
    cx: &Context<'_>,
    ti: usize,
    r: &Relationship,
    imports: &mut Imports,
    out: &mut String,
) {
    let plan = cx.plan;
    let rel = &r.relation;
    let target = if rel.forward { rel.parent } else { rel.child };
    let target_class = &plan.tables[target].class;
    if plan.tables[target].module != plan.tables[ti].module {
        imports.std("typing", "TYPE_CHECKING");
        add(
            &mut imports.type_checking,
            &format!(".{}", plan.modules[plan.tables[target].module].name),
            target_class,
        );
    }
    let ann = if rel.forward || r.one_to_one {
        if r.optional {
            format!("{target_class} | None")
        } else {
            target_class.clone()
        }
    } else {
        format!("list[{target_class}]")
    };
    let attrs = |t: usize, columns: &[usize], class: &str| -> Vec<String> {
        columns
            .iter()
            .map(|&i| format!("{class}.{}", plan.tables[t].attributes[i]))
            .collect()
    };
    let child_attrs = attrs(rel.child, &rel.child_columns, &plan.tables[rel.child].class);
    let parent_attrs = attrs(
        rel.parent,
        &rel.parent_columns,
        &plan.tables[rel.parent].class,
    );
    let mut a = vec![kwarg("back_populates", text(string(&rel.inverse)))];
    if r.explicit_join {
        let pairs: Vec<String> = parent_attrs
            .iter()
            .zip(&child_attrs)
            .map(|(p, c)| format!("{p} == {c}"))
            .collect();
        let join = if pairs.len() == 1 {
            pairs[0].clone()
        } else {
            format!("and_({})", pairs.join(", "))
        };
        a.push(kwarg("primaryjoin", text(string(&join))));
        a.push(kwarg(
            "foreign_keys",
            text(string(&format!("[{}]", child_attrs.join(", ")))),
        ));
    }
    if rel.forward && rel.child == rel.parent {
        a.push(kwarg(
            "remote_side",
            text(string(&format!("[{}]", parent_attrs.join(", ")))),
        ));
    }
    if !r.overlaps.is_empty() {
        a.push(kwarg("overlaps", text(string(&r.overlaps.join(",")))));
    }
    print(
        out,
        4,
        &assign(
            &rel.name,
            Some(subscript("Mapped", text(ann))),
            Some(call("relationship", a)),
        ),
    );
}

// ---------------------------------------------------------------------------
// records.py

/// The field default of a literal column default, when Python can say it
/// exactly; `None` for SQL expressions (and literals of other types).
fn literal_default(cx: &Context<'_>, column: &Column, imports: &mut Imports) -> Option<Doc> {
    let default = column.default.as_ref()?;
    match (&column.ty, default) {
        (ColumnType::Enum(name), DefaultValue::String(v)) => {
            let e = cx.plan.enum_of(name)?;
            let i = cx.schema.enum_(name)?.values.iter().position(|x| x == v)?;
            Some(text(format!("{}.{}", e.class, e.members[i])))
        }
        (ColumnType::Scalar(s), d) => match (s.kind, d) {
            (Kind::Varchar | Kind::Char | Kind::Text, DefaultValue::String(v)) => {
                Some(text(string(v)))
            }
            (Kind::Boolean, DefaultValue::Bool(b)) => Some(text(if *b { "True" } else { "False" })),
            (Kind::SmallInt | Kind::Int | Kind::BigInt, DefaultValue::Integer(v)) => {
                v.trim().parse::<i128>().ok().map(|n| text(n.to_string()))
            }
            (Kind::Numeric, DefaultValue::Integer(v) | DefaultValue::Decimal(v)) => {
                v.trim().parse::<f64>().ok()?;
                imports.std("decimal", "Decimal");
                Some(call("Decimal", vec![text(string(v.trim()))]))
            }
            (Kind::Real | Kind::Double, DefaultValue::Integer(v) | DefaultValue::Decimal(v)) => {
                let f = v.trim().parse::<f64>().ok().filter(|f| f.is_finite())?;
                Some(text(format!("{f:?}")))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The pydantic constraints of a column's type.
fn constraints(column: &Column) -> Vec<Doc> {
    let Some(s) = column.ty.scalar() else {
        return Vec::new();
    };
    let range = |bits: u32| {
        let max = (1i128 << (bits - 1)) - 1;
        vec![
            kwarg("ge", text((-max - 1).to_string())),
            kwarg("le", text(max.to_string())),
        ]
    };
    match s.kind {
        Kind::Varchar | Kind::Char => s
            .length
            .map(|n| vec![kwarg("max_length", text(n.to_string()))])
            .unwrap_or_default(),
        Kind::SmallInt => range(16),
        Kind::Int => range(32),
        Kind::BigInt => range(64),
        Kind::Numeric => s
            .precision
            .map(|(p, sc)| {
                vec![
                    kwarg("max_digits", text(p.to_string())),
                    kwarg("decimal_places", text(sc.to_string())),
                ]
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn records_py(cx: &Context<'_>) -> String {
    let plan = cx.plan;
    let mut imports = Imports {
        future: true,
        ..Imports::default()
    };
    imports.third("pydantic", "BaseModel");
    imports.third("pydantic", "ConfigDict");
    let mut body = String::new();
    body.push_str("\n\nclass BaseRecord(BaseModel):\n");
    docstring(
        &mut body,
        4,
        "The base of the records: fields by name or by column name (the alias), no unknown\nfields, and `model_validate` reads a model instance's attributes too.",
    );
    body.push('\n');
    print(
        &mut body,
        4,
        &assign(
            "model_config",
            None,
            Some(call(
                "ConfigDict",
                vec![
                    kwarg("populate_by_name", text("True")),
                    kwarg("extra", text(string("forbid"))),
                    kwarg("from_attributes", text("True")),
                    kwarg("protected_namespaces", tuple(Vec::new())),
                ],
            )),
        ),
    );
    for (ti, table) in cx.schema.tables.iter().enumerate() {
        let tp = &plan.tables[ti];
        body.push_str("\n\n");
        print(
            &mut body,
            0,
            &Doc::Concat(vec![
                call(&format!("class {}", tp.record), vec![text("BaseRecord")]),
                text(":"),
            ]),
        );
        let mut doc = match table.doc.as_deref().filter(|d| !d.trim().is_empty()) {
            Some(d) => format!("{d}\n\n"),
            None => String::new(),
        };
        let _ = write!(
            doc,
            "A record of table `{}` (model `{}`), validated before it is inserted.",
            table.name, tp.class
        );
        docstring(&mut body, 4, &doc);
        body.push('\n');
        for (ci, column) in table.columns.iter().enumerate() {
            let name = &tp.attributes[ci];
            let ty = python_type(cx, &column.ty, &mut imports, Side::Records);
            let is_json = ty == "JsonValue";
            let literal = literal_default(cx, column, &mut imports);
            // Optional (default None): nullable, primary key, SQL default.
            let optional = column.nullable
                || (literal.is_none()
                    && (table.is_pk_column(&column.name) || column.default.is_some()));
            let ann = if optional && !is_json {
                format!("{ty} | None")
            } else {
                ty
            };
            let default = literal.or_else(|| optional.then(|| text("None")));
            let mut field_args: Vec<Doc> = Vec::new();
            if *name != column.name {
                field_args.push(kwarg("alias", text(string(&column.name))));
            }
            if let Some(d) = column.doc.as_deref().filter(|d| !d.is_empty()) {
                field_args.push(kwarg("description", text(string(d))));
            }
            field_args.extend(constraints(column));
            let value = if field_args.is_empty() {
                default
            } else {
                imports.third("pydantic", "Field");
                let mut a = Vec::with_capacity(field_args.len() + 1);
                a.extend(default.map(|d| kwarg("default", d)));
                a.extend(field_args);
                Some(call("Field", a))
            };
            print(&mut body, 4, &assign(name, Some(annotation(&ann)), value));
        }
    }

    let mut out = header(cx, "#");
    docstring(
        &mut out,
        0,
        &format!(
            "Pydantic v2 models of the tables of {}, to validate records before they are inserted.\n\n\
             A record's fields are the model's attribute names; the column names are their\n\
             aliases (either may be used). Unknown fields are rejected. The primary key and\n\
             columns with an SQL default may be left out; a nullable column defaults to None.\n\
             `Model(**record.model_dump(exclude_unset=True))` makes the SQLAlchemy object,\n\
             `Record.model_validate(obj)` reads one back.",
            cx.source
        ),
    );
    out.push('\n');
    imports.write(&mut out);
    out.push_str(&body);
    out
}
