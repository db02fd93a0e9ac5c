//! The Python models (`nzc_codegen::python`) checked with the peers' own tools,
//! against a real PostgreSQL (one fresh database per schema and side).
//!
//! The tools come from the virtualenv `target/nzc-py` (or the interpreter in
//! `NZC_PYTHON`), made with
//! `python3 -m venv target/nzc-py && target/nzc-py/bin/pip install -r tools/python/requirements.txt`;
//! without it every test here fails with that command in its message.
//!
//! - [`generated_code_is_formatted_linted_and_type_checked`]: `ruff format
//!   --check`, `ruff check` (the rules of the generated `pyproject.toml`) and
//!   `mypy --strict` on the packages of every sample schema and of random
//!   schemas with names of every length, plus the round-trip script (typed
//!   code using the models).
//! - [`alembic_and_create_all_agree_with_the_migrations`]: for `schema.nzc`,
//!   the four `tests/fixtures/history/v*.nzc`, hand-written schemas (enums,
//!   every type, defaults of every kind, composite keys, checks, indexes,
//!   explicit and shortened names, a naming block) and random ones: Alembic's
//!   `compare_metadata` (types and server defaults compared) finds nothing
//!   against the database nzc's migrations built, and `Base.metadata.create_all()`
//!   on an empty database gives the same database (`nzc_migrate::introspect`
//!   of both, constraint names included).
//! - [`session_round_trip_on_schema_nzc`] runs `tests/python/round_trip.py`:
//!   relationships both ways, a unique violation naming nzc's constraint,
//!   pydantic records rejected with the field named, and a valid record to the
//!   database and back.
//! - [`the_package_installs_in_editable_mode`]: `pip install -e` of the package
//!   of `schema.nzc` (setuptools, no network), imported from its source.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::TestDb;
use nzc_codegen::python::{render, PythonOptions};
use nzc_dsl::Schema;
use tokio_postgres::Client;

// ---- the Python environment -------------------------------------------------------

const VENV_COMMAND: &str = "python3 -m venv target/nzc-py && target/nzc-py/bin/pip install -r tools/python/requirements.txt";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The interpreter: `$NZC_PYTHON`, else `target/nzc-py/bin/python`; checked
/// once to have the pinned tools. Panics with the command that makes it.
fn python() -> PathBuf {
    static CHECKED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    CHECKED
        .get_or_init(|| {
            let python = std::env::var_os("NZC_PYTHON")
                .map(PathBuf::from)
                .unwrap_or_else(|| repo().join("target/nzc-py/bin/python"));
            let out = Command::new(&python)
                .args([
                    "-c",
                    "import sqlalchemy, alembic, pydantic, psycopg, mypy, ruff, setuptools",
                ])
                .output();
            match out {
                Ok(o) if o.status.success() => Ok(python),
                Ok(o) => Err(format!(
                    "{} lacks the tools of tools/python/requirements.txt:\n{}",
                    python.display(),
                    String::from_utf8_lossy(&o.stderr)
                )),
                Err(e) => Err(format!("cannot run {} ({e})", python.display())),
            }
        })
        .clone()
        .unwrap_or_else(|e| {
            panic!(
                "{e}\nThe Python model tests need the pinned Python tools; from the repository root run\n  {VENV_COMMAND}\n(or set NZC_PYTHON to an interpreter that has them)"
            )
        })
}

/// Runs `python args…` (in `dir`, with `PYTHONPATH` = `path` when given);
/// returns the output whatever the status.
fn run_python(args: &[&str], dir: Option<&Path>, path: &[&Path]) -> Output {
    let mut c = Command::new(python());
    c.args(args).env("PYTHONDONTWRITEBYTECODE", "1");
    if let Some(d) = dir {
        c.current_dir(d);
    }
    if !path.is_empty() {
        c.env("PYTHONPATH", std::env::join_paths(path).expect("paths"));
    }
    c.output().expect("run python")
}

fn expect_success(what: &str, out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

// ---- schemas --------------------------------------------------------------------

fn compile(name: &str, source: &str) -> Schema {
    nzc_dsl::compile(source, name).unwrap_or_else(|d| panic!("{name} does not compile:\n{d}"))
}

fn compile_file(path: &str) -> Schema {
    let full = repo().join(path);
    let source = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"));
    compile(path, &source)
}

/// Enums, every type, defaults of every kind, composite keys with actions,
/// checks, indexes, explicit names, docs that need escaping, a self-reference,
/// two keys to one table, a one-to-one, an ungrouped table, and column names
/// Python or the models reserve.
const FEATURES: &str = r#"
/// Where a contract stands.
/// Set by the "extraction" pipeline.
enum ContractStatus {
  draft
  signed
  "in review"
  "it's \"done\""
  "2030"
}

enum mood {
  happy
  "so so"
}

/// Cities; docs with 'quotes', "double quotes", a \ backslash and 100% of a percent.
group "Core & more" {
  /// A city.
  ///
  /// Second paragraph with """ triple quotes.
  table City {
    /// The id, a client-generated v4 UUID.
    cityId      uuid           @pk
    cityName    varchar(200)
    country     char(2)        @default("FR")
    population  bigint?        @default(0)
    area        numeric(12,2)? @default(1.50)
    density     double precision? @default(-1.5)
    ratio       real           @default(0.25)
    founded     date?
    alarm       time?
    createdAt   timestamp      @default(now())
    updatedAt   timestamptz    @default(`CURRENT_TIMESTAMP`)
    active      boolean        @default(true)
    deleted     boolean        @default(false)
    photo       bytea?
    meta        json?          @default("{}")
    misc        jsonb          @default(`'{}'::jsonb`)
    status      ContractStatus @default("in review")
    feeling     mood?
    token       uuid           @default(gen_random_uuid())
    class       text?
    from        int?           @default(-7)
    metadata    text?
    json        text?
    type        varchar?
    text        text           @default("it's \"quoted\" \\ %")
    uuid        uuid?
    _2fa        smallint?      @default(3)
    label       text           @default(`'a:b' || ' :c'`)
    grade       char?          @default("A")
    quantity    numeric(12)?
    note        varchar        @default("n/a")

    @@unique([cityName, country])
    @@unique([token], name: "city_token_key")
    @@unique([uuid, grade], nulls_not_distinct: true)
    @@index([country, cityName])
    @@index([population], unique: true, name: "ix_explicit_population")
    @@check(positive_population, `"population" >= 0`)
    @@check(code_like, `"country" LIKE '%_'`, name: "country_code_like")
  }

  /// Yearly figures, keyed by city and year (composite key, not in column order).
  table CityYear {
    year    smallint
    cityId  uuid     @ref(City.cityId, on_delete: cascade, on_update: cascade)
    value   numeric
    @@pk([cityId, year])
  }

  table CityYearNote {
    noteId  int      @pk
    cityId  uuid
    year    smallint
    note    text     @default("")
    @@ref([cityId, year], CityYear, [cityId, year], on_delete: restrict, on_update: cascade)
  }
}

group Contracts {
  /// 1:1 with City.
  table Contract {
    contractId uuid    @pk
    cityId     uuid?   @unique @ref(City.cityId, on_delete: set_null)
    signedBy   uuid?   @ref(City.cityId, on_delete: set_default, name: "contract_signer_fk")
    parentId   uuid?   @ref(Contract.contractId)
    status     ContractStatus?
  }
}

table Loose {
  id     bigint @pk
  other  int?
}
"#;

/// A naming block that differs from the default, names past 63 bytes (shortened),
/// and foreign keys sharing a column (`overlaps`).
const NAMING: &str = r#"
naming {
  primary_key = "{table}_pkey"
  unique = "{table}_{columns}_key"
  foreign_key = "{table}_{columns}_fkey_{ref_table}_{ref_column}"
  index = "{table}_{columns}_idx"
  check = "{table}_{name}_check"
}

table AVeryLongTableNameThatIsCloseToTheLimitOfSixtyThreeBytesInTotal {
  theFirstRatherLongColumnName   int  @pk
  theSecondRatherLongColumnName  int
  theThirdRatherLongColumnName   text?
  @@unique([theSecondRatherLongColumnName, theThirdRatherLongColumnName])
  @@index([theThirdRatherLongColumnName, theSecondRatherLongColumnName])
  @@check(a_check_whose_name_makes_the_full_name_too_long, `"theSecondRatherLongColumnName" > 0`)
}

table Pair {
  a  int
  b  int
  @@pk([a, b])
}

table Single {
  id int @pk
}

table Link {
  id  int   @pk
  a   int?  @ref(Single.id)
  b   int?
  @@ref([a, b], Pair, [a, b], on_delete: cascade)
  @@ref([b, a], Pair, [a, b])
}
"#;

/// Names that clash once converted, keywords, and names the generated code uses.
const CLASHES: &str = r#"
enum BaseRecord {
  a
  A
  "a "
}

group Models {
  table Base {
    id     int @pk
    ID     int?
    Id     int?
    None   int?
    model_dump text?
    registry   text?
  }
}

group "base" {
  table mapped_column {
    id  int @pk
    baseId int? @ref(Base.id)
    kind BaseRecord? @default("A")
  }
}

table Text {
  id int @pk
  Str text?
}
"#;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    /// An identifier of 1..=63 bytes (short ones more often).
    fn ident(&mut self) -> String {
        const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
        const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
        let len = match self.below(4) {
            0 => 1 + self.below(8),
            1 => 8 + self.below(20),
            2 => 28 + self.below(20),
            _ => 48 + self.below(16),
        };
        let mut s = String::new();
        s.push(FIRST[self.below(FIRST.len())] as char);
        while s.len() < len {
            s.push(REST[self.below(REST.len())] as char);
        }
        s
    }
    fn text(&mut self) -> String {
        const PARTS: &[&str] = &[
            "a",
            "word",
            " ",
            "\"",
            "'",
            "\\",
            "%",
            "é",
            "…",
            "↔",
            "—",
            "``",
            "ünïcödé",
            ":x",
            "\"\"\"",
            ".",
            "  ",
            "long words go here to make lines long",
        ];
        let n = 1 + self.below(12);
        (0..n).map(|_| PARTS[self.below(PARTS.len())]).collect()
    }
}

const TRICKY: &[&str] = &[
    "class",
    "from",
    "metadata",
    "registry",
    "json",
    "type",
    "match",
    "text",
    "str",
    "datetime",
    "uuid",
    "_2fa",
    "model_dump",
    "None",
    "True",
    "id",
    "ID",
    "Id",
    "list",
    "schema",
];

/// A random schema that compiles: tables with random names, columns of every
/// type, defaults, docs, keys to earlier tables, uniques, indexes, checks,
/// enums with odd values, groups, sometimes a naming block.
fn random_schema(seed: u64) -> Schema {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut src = String::new();
    if r.chance(30) {
        src.push_str("naming {\n  unique = \"{table}_{columns}_key\"\n  check = \"chk_{name}_{table}\"\n}\n\n");
    }
    let mut enums: Vec<(String, Vec<String>)> = Vec::new();
    let mut used = std::collections::HashSet::new();
    let fresh = |r: &mut Rng, used: &mut std::collections::HashSet<String>| loop {
        let name = if r.chance(15) {
            TRICKY[r.below(TRICKY.len())].to_string()
        } else {
            r.ident()
        };
        // A name that is a type's spelling would read as that type.
        if nzc_types::lookup(&name).is_none() && used.insert(name.to_lowercase()) {
            return name;
        }
    };
    for _ in 0..r.below(3) {
        let name = fresh(&mut r, &mut used);
        let values: Vec<String> = (0..1 + r.below(4))
            .map(|i| {
                let mut v = format!("{i}{}", r.text());
                while v.len() > 60 {
                    v.pop();
                }
                v
            })
            .collect();
        if r.chance(50) {
            let _ = writeln!(src, "/// {}", r.text());
        }
        let _ = writeln!(src, "enum {name} {{");
        for v in &values {
            let _ = writeln!(src, "  {}", nzc_dsl::quote_string(v));
        }
        src.push_str("}\n\n");
        enums.push((name, values));
    }
    let groups: Vec<String> = (0..r.below(3)).map(|_| r.text()).collect();
    // (table, primary key column, its type)
    let mut tables: Vec<(String, String, &str)> = Vec::new();
    let mut by_group: Vec<String> = vec![String::new(); groups.len() + 1];
    for _ in 0..2 + r.below(4) {
        let mut t = String::new();
        let name = fresh(&mut r, &mut used);
        if r.chance(60) {
            let _ = writeln!(t, "  /// {}", r.text());
        }
        let _ = writeln!(t, "  table {name} {{");
        let mut cols = std::collections::HashSet::new();
        let mut col_name = |r: &mut Rng| loop {
            let c = if r.chance(20) {
                TRICKY[r.below(TRICKY.len())].to_string()
            } else {
                r.ident()
            };
            if cols.insert(c.clone()) {
                return c;
            }
        };
        let pk = col_name(&mut r);
        let pk_type = ["uuid", "int", "bigint", "varchar(40)"][r.below(4)];
        // Sometimes a composite key (not in column order): then nothing refers to it.
        let composite = r.chance(15);
        let mut names = vec![pk.clone()];
        if composite {
            let k = col_name(&mut r);
            let _ = writeln!(t, "    {pk} {pk_type}\n    {k} int");
            let _ = writeln!(t, "    @@pk([{k}, {pk}])");
            names.push(k);
        } else {
            let _ = writeln!(t, "    {pk} {pk_type} @pk");
        }
        let actions = [
            "",
            ", on_delete: cascade",
            ", on_delete: set_null",
            ", on_update: restrict",
        ];
        if let Some((parent, parent_pk, parent_type)) =
            (!tables.is_empty() && r.chance(70)).then(|| tables[r.below(tables.len())].clone())
        {
            // One key to an earlier table, sometimes two (explicit joins).
            for _ in 0..1 + usize::from(r.chance(25)) {
                let c = col_name(&mut r);
                let action = actions[r.below(actions.len())];
                let unique = if r.chance(15) {
                    format!(" @unique(name: \"u{}\")", &r.ident()[1..])
                } else {
                    String::new()
                };
                let _ = writeln!(
                    t,
                    "    {c} {parent_type}?{unique} @ref({parent}.{parent_pk}{action})"
                );
                names.push(c);
            }
        }
        if !composite && r.chance(25) {
            // A self-reference.
            let c = col_name(&mut r);
            let _ = writeln!(t, "    {c} {pk_type}? @ref({name}.{pk})");
            names.push(c);
        }
        for _ in 0..r.below(7) {
            let c = col_name(&mut r);
            if r.chance(30) {
                let _ = writeln!(t, "    /// {}", r.text());
            }
            let (ty, default) = match r.below(12) {
                0 => (
                    "text".to_string(),
                    format!("@default({})", nzc_dsl::quote_string(&r.text())),
                ),
                1 => (
                    "int".to_string(),
                    format!("@default({})", r.below(1000) as i64 - 500),
                ),
                2 => ("numeric(10,3)".to_string(), "@default(2.125)".to_string()),
                3 => ("boolean".to_string(), "@default(true)".to_string()),
                4 => ("timestamptz".to_string(), "@default(now())".to_string()),
                5 => (
                    "uuid".to_string(),
                    "@default(gen_random_uuid())".to_string(),
                ),
                6 => ("jsonb".to_string(), "@default(`'[]'::jsonb`)".to_string()),
                7 if !enums.is_empty() => {
                    let (e, values) = &enums[r.below(enums.len())];
                    (
                        e.clone(),
                        format!("@default({})", nzc_dsl::quote_string(&values[0])),
                    )
                }
                8 => ("date".to_string(), String::new()),
                9 => ("double precision".to_string(), String::new()),
                10 => ("bytea".to_string(), String::new()),
                _ => ("varchar(12)".to_string(), String::new()),
            };
            let null = if r.chance(50) { "?" } else { "" };
            let default = if r.chance(50) { default } else { String::new() };
            let _ = writeln!(t, "    {c} {ty}{null} {default}");
            names.push(c);
        }
        if names.len() > 2 && r.chance(50) {
            let _ = writeln!(t, "    @@unique([{}, {}])", names[1], names[2]);
        }
        if names.len() > 1 && r.chance(50) {
            let explicit = if r.chance(30) {
                format!(", name: \"{}\"", r.ident())
            } else {
                String::new()
            };
            let _ = writeln!(t, "    @@index([{}]{explicit})", names[names.len() - 1]);
        }
        if r.chance(40) {
            let _ = writeln!(t, "    @@check({}, `\"{}\" IS NOT NULL`)", r.ident(), pk);
        }
        t.push_str("  }\n");
        by_group[r.below(groups.len() + 1)].push_str(&t);
        if !composite {
            tables.push((name, pk, pk_type));
        }
    }
    for (i, g) in groups.iter().enumerate() {
        let _ = writeln!(
            src,
            "group {} {{\n{}}}\n",
            nzc_dsl::quote_string(g),
            by_group[i]
        );
    }
    src.push_str(&by_group[groups.len()]);
    compile(&format!("random-{seed}.nzc"), &src)
}

/// Every sample schema, with the name of its package (`nzc_models` for
/// `schema.nzc`, which the round-trip script imports).
fn samples() -> Vec<(String, Schema)> {
    let mut out = vec![("nzc_models".to_string(), compile_file("schema.nzc"))];
    for v in 1..=4 {
        out.push((
            format!("nzc_history_v{v}"),
            compile_file(&format!("tests/fixtures/history/v{v}.nzc")),
        ));
    }
    out.push(("nzc_features".into(), compile("features.nzc", FEATURES)));
    out.push(("nzc_naming".into(), compile("naming.nzc", NAMING)));
    out.push(("nzc_clashes".into(), compile("clashes.nzc", CLASHES)));
    out.push(("nzc_empty".into(), Schema::default()));
    for seed in 1..=env_count("NZC_PY_RANDOM", 10) {
        out.push((format!("nzc_random_{seed}"), random_schema(seed)));
    }
    out
}

/// A count from the environment (to run more random schemas by hand), else `default`.
fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The number of `.py` files under `roots`.
fn py_files(roots: &[&Path]) -> usize {
    fn walk(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .expect("read dir")
            .filter_map(Result::ok)
            .map(|e| {
                let p = e.path();
                if p.is_dir() {
                    walk(&p)
                } else {
                    usize::from(p.extension().is_some_and(|x| x == "py"))
                }
            })
            .sum()
    }
    roots.iter().map(|r| walk(r)).sum()
}

/// Writes the distribution of `schema` (import name `package`) into
/// `dir/<package>`; returns the distribution root.
fn write_package(dir: &Path, package: &str, schema: &Schema) -> PathBuf {
    let root = dir.join(package);
    let options = PythonOptions {
        package: package.to_string(),
        distribution: package.replace('_', "-"),
        source_name: format!("{package}.nzc"),
    };
    for file in render(schema, &options) {
        let path = root.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&path, &file.contents).expect("write");
    }
    root
}

// ---- databases --------------------------------------------------------------------

/// Builds `model` in the (empty) schema `public` with nzc's migration SQL, as
/// the runner applies it (its splitter, one transaction).
async fn build(client: &mut Client, model: &Schema) {
    let Some(m) = nzc_codegen::migration::generate(&Schema::default(), model, "x") else {
        return;
    };
    let tx = client.transaction().await.expect("BEGIN");
    for stmt in nzc_migrate::split::split(&m.up) {
        if let Err(e) = tx.batch_execute(stmt.sql).await {
            panic!("{e:?}\n  in: {}", stmt.sql);
        }
    }
    tx.commit().await.expect("COMMIT");
}

fn sqlalchemy_url(db: &TestDb) -> String {
    let url = db.url();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    format!("postgresql+psycopg://{rest}")
}

// ---- tests ----------------------------------------------------------------------

#[test]
fn generated_code_is_formatted_linted_and_type_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut roots = Vec::new();
    let mut packages = Vec::new();
    for (package, schema) in samples() {
        roots.push(write_package(dir.path(), &package, &schema));
        packages.push(package);
    }
    // Formatting only (cheap): more random schemas, names of every length.
    let fmt_dir = dir.path().join("format-only");
    let mut fmt_roots = Vec::new();
    for seed in 11..=env_count("NZC_PY_FUZZ", 60) {
        let package = format!("nzc_random_{seed}");
        fmt_roots.push(write_package(&fmt_dir, &package, &random_schema(seed)));
    }

    let all: Vec<&Path> = roots
        .iter()
        .chain(&fmt_roots)
        .map(PathBuf::as_path)
        .collect();
    let mut args = vec!["-m", "ruff", "format", "--no-cache", "--check", "--diff"];
    let paths: Vec<String> = all.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    let out = run_python(&args, None, &[]);
    expect_success("ruff format --check", &out);
    let summary = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        summary.trim(),
        format!("{} files already formatted", py_files(&all))
    );
    let mut args = vec!["-m", "ruff", "check", "--no-cache"];
    args.extend(paths.iter().map(String::as_str));
    expect_success("ruff check", &run_python(&args, None, &[]));

    // mypy --strict on the sample packages and the typed round-trip script.
    let script = repo().join("tests/python/round_trip.py");
    let cache = dir.path().join("mypy-cache");
    let mut args: Vec<String> = vec![
        "-m".into(),
        "mypy".into(),
        "--strict".into(),
        "--cache-dir".into(),
        cache.display().to_string(),
        script.display().to_string(),
    ];
    args.extend(
        roots
            .iter()
            .zip(&packages)
            .map(|(root, package)| root.join(package).display().to_string()),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_python(&args, Some(dir.path()), &[]);
    let stdout = expect_success("mypy --strict", &out);
    let sample_roots: Vec<&Path> = roots.iter().map(PathBuf::as_path).collect();
    assert_eq!(
        stdout.trim(),
        format!(
            "Success: no issues found in {} source files",
            py_files(&sample_roots) + 1
        )
    );
}

#[tokio::test]
async fn alembic_and_create_all_agree_with_the_migrations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let samples = samples();
    // Two fresh databases per schema: one nzc migrates, one create_all builds.
    let mut dbs = Vec::new();
    for _ in &samples {
        dbs.push((TestDb::new().await, TestDb::new().await));
    }
    let mut job = Vec::new();
    for ((package, schema), (migrated, _)) in samples.iter().zip(&dbs) {
        let mut client = migrated.client().await;
        build(&mut client, schema).await;
        job.push((write_package(dir.path(), package, schema), package));
    }
    let cases: Vec<serde_json::Value> = job
        .iter()
        .zip(&dbs)
        .map(|((root, package), (migrated, empty))| {
            serde_json::json!({
                "root": root.display().to_string(),
                "package": package,
                "migrated": sqlalchemy_url(migrated),
                "empty": sqlalchemy_url(empty),
            })
        })
        .collect();
    let job_file = dir.path().join("job.json");
    std::fs::write(&job_file, serde_json::to_string(&cases).expect("json")).expect("write job");
    let script = repo().join("tests/python/compare.py");
    let out = run_python(
        &[
            &script.display().to_string(),
            &job_file.display().to_string(),
        ],
        None,
        &[],
    );
    let stdout = expect_success("tests/python/compare.py", &out);
    let oks: Vec<String> = samples.iter().map(|(p, _)| format!("ok {p}")).collect();
    assert_eq!(stdout.lines().collect::<Vec<_>>(), oks);

    for ((name, schema), (migrated, built)) in samples.iter().zip(&dbs) {
        let a = nzc_migrate::introspect(&migrated.client().await, "public")
            .await
            .unwrap_or_else(|e| panic!("{name}: introspect: {e}"));
        let b = nzc_migrate::introspect(&built.client().await, "public")
            .await
            .unwrap_or_else(|e| panic!("{name}: introspect: {e}"));
        assert_eq!(
            b.schema, a.schema,
            "{name}: create_all() does not build the database nzc's migrations build"
        );
        assert_eq!(b.unmanaged, a.unmanaged, "{name}");
        assert_eq!(a.schema.tables.len(), schema.tables.len(), "{name}");
    }
}

#[tokio::test]
async fn session_round_trip_on_schema_nzc() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = write_package(dir.path(), "nzc_models", &compile_file("schema.nzc"));
    let db = TestDb::new().await;
    build(&mut db.client().await, &compile_file("schema.nzc")).await;
    let script = repo().join("tests/python/round_trip.py");
    let out = run_python(
        &[&script.display().to_string(), &sqlalchemy_url(&db)],
        None,
        &[&root],
    );
    assert_eq!(
        expect_success("tests/python/round_trip.py", &out).trim(),
        "ok"
    );
}

#[test]
fn the_package_installs_in_editable_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let package = "nzc_models";
    let root = write_package(dir.path(), package, &compile_file("schema.nzc"));
    let prefix = dir.path().join("prefix");
    let out = run_python(
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--prefix",
            &prefix.display().to_string(),
            "-e",
            &root.display().to_string(),
        ],
        Some(dir.path()),
        &[],
    );
    expect_success("pip install -e", &out);
    let site = prefix.join("lib");
    let site = std::fs::read_dir(&site)
        .expect("prefix/lib")
        .filter_map(Result::ok)
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
        .expect("prefix/lib/python3.x/site-packages");
    let code = format!(
        "import site, sys; site.addsitedir({site:?}); import {package}; \
         from importlib.metadata import distribution; \
         print({package}.__file__); print(distribution('nzc-models').version); \
         print(len({package}.Base.metadata.tables))"
    );
    let out = run_python(&["-c", &code], Some(&prefix), &[]);
    let stdout = expect_success("importing the editable install", &out);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            root.join(package)
                .join("__init__.py")
                .display()
                .to_string()
                .as_str(),
            "0.1.0",
            "17"
        ]
    );
}
