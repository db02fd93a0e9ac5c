//! `nzc_migrate::introspect` against a real PostgreSQL (one fresh database
//! per test).
//!
//! # Round trip
//!
//! For a schema S (`schema.nzc`, the four `tests/fixtures/history/v*.nzc`,
//! and generated schemas, see [`generator`]), the database built by nzc's
//! own migration SQL (empty → S) must introspect to [`normalize`]`(S)`:
//! [`Introspection::canonical`] (declaration order → order by name; groups,
//! `renamed_from` and the naming block dropped: the database keeps only
//! final names; empty docs dropped; `char` → `char(1)`; numeric and literal
//! defaults in PostgreSQL's form), plus two things of this test only:
//!
//! - **check expressions**: PostgreSQL reprints them (`"c" > -1000` →
//!   `(c > '-1000'::integer)`), so the generator knows the text PostgreSQL
//!   prints for each expression it writes and the expected schema holds
//!   that text;
//! - **enum docs** are dropped: nzc's migrations write no `COMMENT ON TYPE`
//!   (the diff has no step for enum comments), so a database nzc built has
//!   none. `enum_comments_are_read` shows that introspection reads them.
//!
//! Then the introspected model is built again from scratch and introspected
//! again: the same model (introspection is a fixed point of build ∘ read,
//! `Expr` defaults and check texts included). And `nzc db pull`'s path: the
//! introspected model printed as a schema file
//! (`nzc_codegen::schema_file::render`), compiled, built: the same database.
//!
//! The product's reader is also checked against the tests' independent
//! oracle (`tests/support/introspect.rs`, which compares PostgreSQL's own
//! renderings): [`the_reader_agrees_with_the_test_oracle`].
//!
//! # Others
//!
//! The Alembic-built database of the team (`../shared/alembic-db/`) is
//! `schema.nzc` without comments, `alembic_version` reported; unmanaged
//! objects are each reported and never in the model; a missing schema and
//! a schema the role may not use are clear errors.

mod common;
#[path = "support/introspect.rs"]
mod oracle;

use std::collections::HashMap;
use std::fmt::Write as _;

use common::TestDb;
use nzc_codegen::migration::generate;
use nzc_dsl::{ColumnType, DefaultValue, Kind, Schema};
use nzc_migrate::{introspect, Error, Introspection, Unmanaged};
use tokio_postgres::Client;

// ---- helpers ------------------------------------------------------------------

/// The schema a database built by nzc from `s` introspects to (see the
/// module docs): [`Introspection::canonical`], without enum docs.
pub fn normalize(s: &Schema) -> Schema {
    let mut s = Introspection::canonical(s);
    for e in &mut s.enums {
        e.doc = None;
    }
    s
}

fn compile_file(path: &str) -> Schema {
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    nzc_dsl::compile(&src, path).unwrap_or_else(|d| panic!("{path} does not compile:\n{d}"))
}

/// Runs a migration's SQL as the runner does (its splitter, one transaction).
async fn apply(client: &mut Client, sql: &str) {
    let tx = client.transaction().await.expect("BEGIN");
    for stmt in nzc_migrate::split::split(sql) {
        if let Err(e) = tx.batch_execute(stmt.sql).await {
            panic!("{e:?}\n  in: {}\n--- SQL ---\n{sql}", stmt.sql);
        }
    }
    tx.commit().await.expect("COMMIT");
}

/// Builds `model` in the (empty) schema `public` with nzc's migration SQL.
async fn build(client: &mut Client, model: &Schema) {
    if let Some(m) = generate(&Schema::default(), model, "x") {
        apply(client, &m.up).await;
    }
}

async fn reset(client: &Client) {
    client
        .batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        .await
        .expect("reset schema public");
}

async fn read(client: &Client) -> Introspection {
    introspect(client, "public")
        .await
        .unwrap_or_else(|e| panic!("introspect: {e}"))
}

/// Builds `model` in a fresh database and introspects it; then builds the
/// introspected model again and checks it reads back the same.
async fn round_trip(model: &Schema) -> Introspection {
    let db = TestDb::new().await;
    let mut client = db.client().await;
    build(&mut client, model).await;
    let found = read(&client).await;
    reset(&client).await;
    build(&mut client, &found.schema).await;
    let again = read(&client).await;
    assert_eq!(
        again, found,
        "build(introspect(db)) does not read back the same"
    );
    found
}

fn kinds(u: &[Unmanaged]) -> Vec<(&str, &str)> {
    u.iter()
        .map(|u| (u.kind.as_str(), u.name.as_str()))
        .collect()
}

// ---- the project's schemas ----------------------------------------------------

#[tokio::test]
async fn schema_nzc_round_trips() {
    let model = compile_file(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.nzc"));
    let found = round_trip(&model).await;
    assert_eq!(found.schema, normalize(&model));
    assert_eq!(found.unmanaged, []);
    // The model has groups and docs: they are what normalisation touches.
    assert!(!model.groups.is_empty());
    assert!(found.schema.tables.iter().all(|t| t.doc.is_some()));
}

#[tokio::test]
async fn nulls_not_distinct_keys_round_trip() {
    let model = nzc_dsl::compile(
        r#"
table Sensor {
  id     int   @pk
  serial text? @unique(nulls_not_distinct: true)
  site   int?
  slot   int?
  @@unique([site, slot], nulls_not_distinct: true, name: "sensor_site_slot")
  @@unique([slot, site])
}
table Reading {
  id   int  @pk
  site int?
  slot int?
  @@ref([site, slot], Sensor, [site, slot])
}
"#,
        "nnd.nzc",
    )
    .unwrap_or_else(|d| panic!("{d}"));
    let found = round_trip(&model).await;
    assert_eq!(found.schema, normalize(&model));
    assert_eq!(found.unmanaged, [], "the option is modelled, not reported");
    let flags: Vec<(&str, bool)> = found
        .schema
        .table("Sensor")
        .expect("Sensor")
        .uniques
        .iter()
        .map(|u| (u.name.as_str(), u.nulls_not_distinct))
        .collect();
    assert_eq!(
        flags,
        [
            ("sensor_site_slot", true),
            ("uq_Sensor_serial", true),
            ("uq_Sensor_slot", false)
        ]
    );
}

#[tokio::test]
async fn history_versions_round_trip() {
    for v in 1..=4 {
        let path = format!(
            "{}/tests/fixtures/history/v{v}.nzc",
            env!("CARGO_MANIFEST_DIR")
        );
        let model = compile_file(&path);
        let found = round_trip(&model).await;
        assert_eq!(found.schema, normalize(&model), "v{v}");
        assert_eq!(found.unmanaged, [], "v{v}");
    }
}

/// What the drift check compares with: the schema built in `pg_temp` inside
/// a rolled-back transaction and introspected there equals the
/// introspection of the real database.
#[tokio::test]
async fn pg_temp_copy_equals_the_built_database() {
    let model = compile_file(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.nzc"));
    let db = TestDb::new().await;
    let mut client = db.client().await;
    let mut src = String::from("enum mood {\n  happy\n  \"so so\"\n}\n");
    src.push_str(
        "table T {\n  id int @pk\n  m mood @default(\"so so\")\n  n int @default(-1)\n  @@check(pos, `\"n\" > -1000`)\n}\n",
    );
    let small = nzc_dsl::compile(&src, "small.nzc").expect("compiles");
    for model in [&model, &small] {
        reset(&client).await;
        build(&mut client, model).await;
        let found = read(&client).await;
        let copy = nzc_migrate::check::catalog_form(&client, model)
            .await
            .unwrap_or_else(|e| panic!("catalog_form: {e}"));
        assert_eq!(copy, found.schema);
    }
    // Nothing of the copy is left behind.
    let temp: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(temp, 0);
}

#[tokio::test]
async fn pg_temp_is_the_sessions_temporary_schema() {
    let db = TestDb::new().await;
    let client = db.client().await;
    // No temporary schema yet: an empty one.
    let empty = introspect(&client, "pg_temp")
        .await
        .expect("introspect pg_temp");
    assert_eq!(empty.schema, Schema::default());
    client
        .batch_execute(
            "CREATE TYPE pg_temp.e AS ENUM ('a');
             CREATE TEMP TABLE t (id int CONSTRAINT pk_t PRIMARY KEY, v pg_temp.e DEFAULT 'a');
             COMMENT ON TABLE t IS 'temporary'",
        )
        .await
        .expect("temp objects");
    let found = introspect(&client, "pg_temp")
        .await
        .expect("introspect pg_temp");
    let src = "enum e {\n  a\n}\n/// temporary\ntable t {\n  id int @pk(name: \"pk_t\")\n  v e? @default(a)\n}\n";
    let want = nzc_dsl::compile(src, "t.nzc").expect("compiles");
    assert_eq!(found.schema, normalize(&want));
    // The temporary schema is the introspected one, not "another schema".
    assert!(
        found.unmanaged.iter().all(|u| u.kind != "schema"),
        "{:?}",
        found.unmanaged
    );
}

#[tokio::test]
async fn enum_comments_are_read() {
    let db = TestDb::new().await;
    let client = db.client().await;
    client
        .batch_execute(
            "CREATE TYPE \"Mood\" AS ENUM ('b', 'a');
             COMMENT ON TYPE \"Mood\" IS 'How it feels.'",
        )
        .await
        .expect("enum");
    let found = read(&client).await;
    let e = &found.schema.enums[0];
    assert_eq!(
        (e.name.as_str(), e.values.as_slice(), e.doc.as_deref()),
        (
            "Mood",
            &["b".to_string(), "a".to_string()][..],
            Some("How it feels.")
        )
    );
}

// ---- the Alembic-built database ------------------------------------------------

#[tokio::test]
async fn alembic_database_is_schema_nzc_without_comments() {
    let dump = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/alembic-db/20260127_initiative_bigint.sql"
    );
    let db = TestDb::new().await;
    let out = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", dump, db.url()])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let client = db.client().await;
    let found = read(&client).await;

    let mut want = normalize(&compile_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema.nzc"
    )));
    for t in &mut want.tables {
        t.doc = None;
        for c in &mut t.columns {
            c.doc = None;
        }
    }
    assert_eq!(found.schema, want);
    assert_eq!(
        found.unmanaged,
        [Unmanaged {
            kind: "history table".into(),
            name: "alembic_version".into(),
            detail: "the migration history of Alembic".into(),
        }]
    );
}

// ---- unmanaged objects -----------------------------------------------------------

#[tokio::test]
async fn unmanaged_objects_are_reported_and_nothing_else_is_lost() {
    let db = TestDb::new().await;
    let client = db.client().await;
    client
        .batch_execute(
            r#"
            CREATE TABLE "Item" (
                id int CONSTRAINT "pk_Item" PRIMARY KEY,
                name text NOT NULL DEFAULT 'x',
                tags text[],
                n int GENERATED ALWAYS AS IDENTITY,
                s serial,
                parent int CONSTRAINT "fk_Item_parent_Item" REFERENCES "Item" (id) DEFERRABLE
            );
            COMMENT ON COLUMN "Item".name IS 'The name.';
            CREATE VIEW item_names AS SELECT name FROM "Item";
            CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
            CREATE TRIGGER item_touch BEFORE UPDATE ON "Item" FOR EACH ROW EXECUTE FUNCTION touch();
            CREATE INDEX ix_plain ON "Item" (name, id);
            CREATE INDEX ix_partial ON "Item" (name) WHERE name <> '';
            CREATE INDEX ix_expr ON "Item" (lower(name));
            CREATE INDEX ix_tags ON "Item" (tags);
            CREATE SEQUENCE free_seq;
            CREATE SCHEMA other;
            CREATE TABLE other.t (id int);
            CREATE TABLE nzc_migrations (version text PRIMARY KEY);
            "#,
        )
        .await
        .expect("objects");
    let found = read(&client).await;

    assert_eq!(
        kinds(&found.unmanaged),
        [
            ("column", "\"Item\".tags"),
            ("constraint option", "\"Item\".\"fk_Item_parent_Item\""),
            ("function", "touch()"),
            ("history table", "nzc_migrations"),
            ("identity", "\"Item\".n"),
            ("index", "\"Item\".ix_expr"),
            ("index", "\"Item\".ix_partial"),
            ("index", "\"Item\".ix_tags"),
            ("owned sequence", "\"Item\".s"),
            ("schema", "other"),
            ("sequence", "free_seq"),
            ("trigger", "\"Item\".item_touch"),
            ("view", "item_names"),
        ],
        "{:#?}",
        found.unmanaged
    );
    let detail = |kind: &str| {
        found
            .unmanaged
            .iter()
            .find(|u| u.kind == kind)
            .map(|u| u.detail.clone())
            .unwrap_or_default()
    };
    assert!(detail("column").contains("text[]"), "{}", detail("column"));
    assert!(detail("trigger").contains("EXECUTE FUNCTION touch()"));
    assert!(detail("constraint option").contains("DEFERRABLE"));
    assert!(detail("identity").contains("GENERATED ALWAYS AS IDENTITY"));
    assert_eq!(
        detail("schema"),
        "another schema; holds 1 relation (not introspected)"
    );

    let src = r#"
        table Item {
          id int @pk
          /// The name.
          name text @default("x")
          n int @default(`nextval('"Item_n_seq"'::regclass)`)
          s int @default(`nextval('"Item_s_seq"'::regclass)`)
          parent int? @ref(Item.id)
          @@index([name, id], name: "ix_plain")
        }
    "#;
    let want = nzc_dsl::compile(src, "item.nzc").expect("compiles");
    assert_eq!(found.schema, normalize(&want));
}

#[tokio::test]
async fn partitions_and_other_options_are_reported() {
    let db = TestDb::new().await;
    let client = db.client().await;
    client
        .batch_execute(
            r#"
            CREATE TABLE m (id int CONSTRAINT pk_m PRIMARY KEY, at timestamp(3), ok boolean)
                PARTITION BY RANGE (id);
            CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (10);
            CREATE TABLE c (a int, b text COLLATE "C", CONSTRAINT uq_c UNIQUE NULLS NOT DISTINCT (a) DEFERRABLE,
                            CONSTRAINT ex_c EXCLUDE USING btree (b WITH =));
            ALTER TABLE c ADD CONSTRAINT ck_c CHECK (a > 0) NOT VALID;
            CREATE UNLOGGED TABLE u (id int PRIMARY KEY);
            CREATE DOMAIN posint AS int CHECK (VALUE > 0);
            CREATE TYPE pair AS (x int, y int);
            CREATE MATERIALIZED VIEW mv AS SELECT 1 AS one;
            "#,
        )
        .await
        .expect("objects");
    let found = read(&client).await;
    assert_eq!(
        kinds(&found.unmanaged),
        [
            ("column", "m.at"),
            ("column collation", "c.b"),
            ("composite type", "pair"),
            ("constraint option", "c.ck_c"),
            ("constraint option", "c.uq_c"),
            ("domain", "posint"),
            ("exclusion constraint", "c.ex_c"),
            ("materialized view", "mv"),
            ("partition", "m1"),
            ("partitioned table", "m"),
            ("table", "c"),
            ("unlogged table", "u"),
        ],
        "{:#?}",
        found.unmanaged
    );
    let names: Vec<&str> = found
        .schema
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["c", "m", "u"]);
    let c = found.schema.table("c").expect("c");
    assert_eq!(c.checks[0].expr, "(a > 0)");
    assert_eq!(c.uniques[0].columns, ["a"]);
    // NULLS NOT DISTINCT is modelled; DEFERRABLE is the reported option.
    assert!(c.uniques[0].nulls_not_distinct);
    let option = found
        .unmanaged
        .iter()
        .find(|o| o.name == "c.uq_c")
        .expect("uq_c");
    assert!(option.detail.contains("DEFERRABLE"), "{option:?}");
    assert!(c.primary_key.columns.is_empty());
    let m = found.schema.table("m").expect("m");
    let cols: Vec<&str> = m.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols, ["id", "ok"]);
}

// ---- errors ----------------------------------------------------------------------

#[tokio::test]
async fn a_missing_schema_is_a_schema_error() {
    let db = TestDb::new().await;
    let client = db.client().await;
    match introspect(&client, "nope").await {
        Err(Error::Schema(m)) => assert!(m.contains("\"nope\" does not exist"), "{m}"),
        other => panic!("expected Error::Schema, got {other:?}"),
    }
    // The transaction was ended: the connection is usable.
    client.batch_execute("SELECT 1").await.expect("usable");
}

#[tokio::test]
async fn a_schema_without_usage_is_a_schema_error() {
    let db = TestDb::new().await;
    let admin = db.client().await;
    let role = format!("{}_nousage", db.name());
    admin
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS \"{role}\";
             CREATE ROLE \"{role}\" LOGIN;
             CREATE SCHEMA private;
             CREATE TABLE private.t (id int PRIMARY KEY);"
        ))
        .await
        .expect("role and schema");
    // The role may not CREATE in public (PostgreSQL 15), but may read it
    // and build the drift check's copy in pg_temp.
    let model = compile_file(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.nzc"));
    let mut admin_client = db.client().await;
    build(&mut admin_client, &model).await;
    let built = read(&admin_client).await;
    let mut url = url::Url::parse(db.url()).expect("url");
    url.set_username(&role).expect("username");
    let result = async {
        let client = common::connect(url.as_str()).await;
        let denied = introspect(&client, "private").await;
        let public = introspect(&client, "public").await;
        let temp = introspect(&client, "pg_temp").await;
        let copy = nzc_migrate::check::catalog_form(&client, &model).await;
        client.batch_execute("SELECT 1").await.expect("usable");
        (denied, public, temp, copy)
    }
    .await;
    admin
        .batch_execute(&format!("DROP ROLE \"{role}\""))
        .await
        .expect("drop role");
    let (denied, public, temp, copy) = result;
    match denied {
        Err(Error::Schema(m)) => {
            assert!(
                m.contains("USAGE") && m.contains("private") && m.contains(&role),
                "{m}"
            )
        }
        other => panic!("expected Error::Schema, got {other:?}"),
    }
    assert_eq!(public.expect("introspect public").schema, built.schema);
    assert!(temp.is_ok(), "{temp:?}");
    assert_eq!(copy.expect("catalog_form"), built.schema);
}

// ---- generated schemas -------------------------------------------------------------

mod generator {
    //! A compact generator of valid schema source texts covering every type
    //! of the type table (with parameters), enums, defaults of every kind
    //! (literals in PostgreSQL's form and not, `now()`, keywords, raw SQL),
    //! docs, single and composite primary keys, uniques (`@unique`,
    //! `@@unique`), indexes (unique or not), checks, and foreign keys
    //! (single and composite, inline and block, to primary keys, uniques and
    //! unique indexes, self-references, every ON DELETE / ON UPDATE
    //! action). Names are a mix of lower-case (printed unquoted by
    //! PostgreSQL) and CamelCase.
    //!
    //! For each check expression it writes, it also gives the text
    //! PostgreSQL prints for it.

    use super::*;

    pub struct Rng(pub u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            // SplitMix64
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        pub fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }
        fn pick<T: Clone>(&mut self, items: &[T]) -> T {
            items[self.below(items.len())].clone()
        }
    }

    #[derive(Debug, Clone, PartialEq)]
    enum Ty {
        Uuid,
        Varchar(Option<u32>),
        Char(Option<u32>),
        Text,
        SmallInt,
        Int,
        BigInt,
        Numeric(Option<(u16, u16)>),
        Real,
        Double,
        Bool,
        Date,
        Time,
        Timestamp,
        Timestamptz,
        Bytea,
        Json,
        Jsonb,
        Enum(usize),
    }

    struct Col {
        name: String,
        ty: Ty,
        nullable: bool,
        attrs: Vec<String>,
        doc: Option<String>,
    }

    struct Tab {
        name: String,
        doc: Option<String>,
        cols: Vec<Col>,
        pk: Vec<usize>,
        /// Single- or multi-column keys a foreign key may refer to.
        keys: Vec<Vec<usize>>,
        block: Vec<String>,
    }

    struct En {
        name: String,
        values: Vec<String>,
        doc: Option<String>,
    }

    pub struct Generated {
        pub source: String,
        /// Check expression as written → as PostgreSQL prints it.
        pub checks: HashMap<String, String>,
    }

    fn dsl_string(s: &str) -> String {
        let mut out = String::from("\"");
        for ch in s.chars() {
            match ch {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    /// How PostgreSQL prints an identifier (`quote_ident`; the generator's
    /// names are never keywords).
    fn pg_ident(name: &str) -> String {
        let simple = name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if simple {
            name.to_string()
        } else {
            format!("\"{name}\"")
        }
    }

    fn ty_dsl(ty: &Ty, enums: &[En]) -> String {
        match ty {
            Ty::Uuid => "uuid".into(),
            Ty::Varchar(None) => "varchar".into(),
            Ty::Varchar(Some(n)) => format!("varchar({n})"),
            Ty::Char(None) => "char".into(),
            Ty::Char(Some(n)) => format!("char({n})"),
            Ty::Text => "text".into(),
            Ty::SmallInt => "smallint".into(),
            Ty::Int => "int".into(),
            Ty::BigInt => "bigint".into(),
            Ty::Numeric(None) => "numeric".into(),
            Ty::Numeric(Some((p, 0))) => format!("numeric({p})"),
            Ty::Numeric(Some((p, s))) => format!("numeric({p},{s})"),
            Ty::Real => "real".into(),
            Ty::Double => "double precision".into(),
            Ty::Bool => "boolean".into(),
            Ty::Date => "date".into(),
            Ty::Time => "time".into(),
            Ty::Timestamp => "timestamp".into(),
            Ty::Timestamptz => "timestamptz".into(),
            Ty::Bytea => "bytea".into(),
            Ty::Json => "json".into(),
            Ty::Jsonb => "jsonb".into(),
            Ty::Enum(i) => enums[*i].name.clone(),
        }
    }

    /// Defaults valid for the type, as `@default(…)` arguments.
    fn defaults(ty: &Ty, enums: &[En]) -> Vec<String> {
        let strings = |max: usize| -> Vec<String> {
            ["", "d", "i'q", "a\"b", "back\\slash", "two\nlines"]
                .iter()
                .filter(|s| s.chars().count() <= max)
                .map(|s| dsl_string(s))
                .collect()
        };
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        match ty {
            Ty::Uuid => v(&[
                "gen_random_uuid()",
                "\"0000000a-0000-4000-8000-000000000001\"",
            ]),
            Ty::Varchar(n) => {
                let mut d = strings(n.map_or(100, |n| n as usize));
                d.push("`'x'::character varying`".into());
                d
            }
            Ty::Char(n) => strings(n.unwrap_or(1) as usize),
            Ty::Text => {
                let mut d = strings(100);
                d.push("`'x'::character varying`".into());
                d.push("`('a'::text || 'b'::text)`".into());
                d
            }
            Ty::SmallInt | Ty::Int => v(&["0", "42", "-1", "007", "`(1 + 1)`"]),
            Ty::BigInt => v(&["0", "-1", "3000000000", "-3000000000"]),
            Ty::Numeric(None) => v(&["1.5", "-2.25", "3", "-4", "01.50", "`(1 + 1)`"]),
            Ty::Numeric(Some((_, 0))) => v(&["3", "-4"]),
            Ty::Numeric(Some(_)) => v(&["1.5", "-2.25", "3"]),
            Ty::Real | Ty::Double => v(&["1.5", "-2", "0.25"]),
            Ty::Bool => v(&["true", "false"]),
            Ty::Date => v(&["\"2020-01-02\"", "current_date"]),
            Ty::Time => v(&["\"10:00:00\"", "current_time", "localtime"]),
            Ty::Timestamp => v(&[
                "now()",
                "NOW()",
                "current_timestamp",
                "localtimestamp",
                "\"2020-01-02 10:00:00\"",
            ]),
            Ty::Timestamptz => v(&["now()", "current_timestamp", "\"2020-01-02 10:00:00+00\""]),
            Ty::Bytea => v(&["\"\\\\x0102\""]),
            Ty::Json => v(&["\"{\\\"a\\\":  1}\""]),
            Ty::Jsonb => v(&["\"{\\\"a\\\": [1, \\\"x\\\"]}\"", "\"{}\"", "`'{}'::jsonb`"]),
            Ty::Enum(i) => enums[*i].values.iter().map(|s| dsl_string(s)).collect(),
        }
    }

    /// A check on a column of type `ty`: (as written, as PostgreSQL prints it).
    fn check(ty: &Ty, c: &str, rng: &mut Rng) -> Option<(String, String)> {
        let q = pg_ident(c);
        Some(match ty {
            Ty::SmallInt | Ty::Int | Ty::BigInt => {
                if rng.chance(50) {
                    (
                        format!("\"{c}\" > -1000"),
                        format!("({q} > '-1000'::integer)"),
                    )
                } else {
                    (
                        format!("\"{c}\" >= 0 AND \"{c}\" <= 100"),
                        format!("(({q} >= 0) AND ({q} <= 100))"),
                    )
                }
            }
            Ty::Text => {
                if rng.chance(50) {
                    (
                        format!("\"{c}\" <> 'zz''z'"),
                        format!("({q} <> 'zz''z'::text)"),
                    )
                } else {
                    (
                        format!("length(\"{c}\") < 100"),
                        format!("(length({q}) < 100)"),
                    )
                }
            }
            Ty::Varchar(_) => (
                format!("\"{c}\" <> 'zz''z'"),
                format!("(({q})::text <> 'zz''z'::text)"),
            ),
            Ty::Numeric(None) => (format!("\"{c}\" > 0.5"), format!("({q} > 0.5)")),
            _ => return None,
        })
    }

    fn types(enums: &[En], rng: &mut Rng) -> Ty {
        if !enums.is_empty() && rng.chance(10) {
            return Ty::Enum(rng.below(enums.len()));
        }
        match rng.below(21) {
            0 => Ty::Uuid,
            1 => Ty::Varchar(None),
            2 => Ty::Varchar(Some(4 + rng.below(60) as u32)),
            3 => Ty::Char(None),
            4 => Ty::Char(Some(1 + rng.below(12) as u32)),
            5 => Ty::Text,
            6 => Ty::SmallInt,
            7 => Ty::Int,
            8 => Ty::BigInt,
            9 => Ty::Numeric(None),
            10 => Ty::Numeric(Some((6 + rng.below(7) as u16, 0))),
            11 => Ty::Numeric(Some((6 + rng.below(7) as u16, 2 + rng.below(2) as u16))),
            12 => Ty::Real,
            13 => Ty::Double,
            14 => Ty::Bool,
            15 => Ty::Date,
            16 => Ty::Time,
            17 => Ty::Timestamp,
            18 => Ty::Timestamptz,
            19 => Ty::Bytea,
            _ => {
                if rng.chance(50) {
                    Ty::Json
                } else {
                    Ty::Jsonb
                }
            }
        }
    }

    /// Types a btree key (primary key, unique, index, foreign key) can use.
    fn keyable(ty: &Ty) -> bool {
        !matches!(ty, Ty::Json)
    }

    pub fn generate(seed: u64) -> Generated {
        let mut rng = Rng(seed);
        let mut n = 0u32;
        let mut fresh = |prefix: &str| {
            n += 1;
            format!("{prefix}{n}")
        };
        let doc = |rng: &mut Rng, n: &mut dyn FnMut(&str) -> String| -> Option<String> {
            match rng.below(5) {
                0 => Some(format!("{}: it's \"quoted\".\nSecond line.", n("Doc "))),
                1 => Some(n("Doc ")),
                _ => None,
            }
        };
        let mut enums = Vec::new();
        for _ in 0..rng.below(3) {
            let name = if rng.chance(50) {
                fresh("E")
            } else {
                fresh("mood")
            };
            let values = (0..1 + rng.below(3))
                .map(|_| match rng.below(3) {
                    0 => fresh("v'"),
                    1 => fresh("v "),
                    _ => fresh("v"),
                })
                .collect();
            let d = doc(&mut rng, &mut fresh);
            enums.push(En {
                name,
                values,
                doc: d,
            });
        }
        let mut tables: Vec<Tab> = Vec::new();
        let mut checks = HashMap::new();
        for _ in 0..1 + rng.below(4) {
            let name = if rng.chance(50) {
                fresh("T")
            } else {
                fresh("t")
            };
            let mut cols = Vec::new();
            let pk = if rng.chance(20) {
                cols.push(Col {
                    name: fresh("a"),
                    ty: Ty::Int,
                    nullable: false,
                    attrs: vec![],
                    doc: None,
                });
                cols.push(Col {
                    name: fresh("B"),
                    ty: Ty::Text,
                    nullable: false,
                    attrs: vec![],
                    doc: None,
                });
                vec![0, 1]
            } else {
                let ty = rng.pick(&[
                    Ty::Uuid,
                    Ty::Int,
                    Ty::BigInt,
                    Ty::Text,
                    Ty::Varchar(None),
                    Ty::Varchar(Some(20)),
                    Ty::Char(Some(8)),
                ]);
                let mut attrs = vec!["@pk".to_string()];
                if ty == Ty::Uuid && rng.chance(40) {
                    attrs.push("@default(gen_random_uuid())".into());
                }
                let name = if rng.chance(50) {
                    fresh("id")
                } else {
                    fresh("Id")
                };
                cols.push(Col {
                    name,
                    ty,
                    nullable: false,
                    attrs,
                    doc: None,
                });
                vec![0]
            };
            for _ in 0..rng.below(7) {
                let ty = types(&enums, &mut rng);
                let mut attrs = Vec::new();
                if rng.chance(40) {
                    let d = rng.pick(&defaults(&ty, &enums));
                    attrs.push(format!("@default({d})"));
                }
                let name = if rng.chance(60) {
                    fresh("c")
                } else {
                    fresh("Col")
                };
                let d = doc(&mut rng, &mut fresh);
                cols.push(Col {
                    name,
                    ty,
                    nullable: rng.chance(50),
                    attrs,
                    doc: d,
                });
            }
            let d = doc(&mut rng, &mut fresh);
            let mut t = Tab {
                name,
                doc: d,
                keys: vec![pk.clone()],
                pk,
                cols,
                block: Vec::new(),
            };
            if t.pk.len() > 1 {
                let names: Vec<&str> = t.pk.iter().map(|i| t.cols[*i].name.as_str()).collect();
                t.block.push(format!("@@pk([{}])", names.join(", ")));
            }
            // Uniques and indexes, each on a distinct first column (names
            // follow the first column).
            let eligible: Vec<usize> = (0..t.cols.len())
                .filter(|i| keyable(&t.cols[*i].ty))
                .collect();
            let mut firsts_u = Vec::new();
            let mut firsts_i = Vec::new();
            for _ in 0..rng.below(3) {
                let a = rng.pick(&eligible);
                let mut cols = vec![a];
                if rng.chance(40) {
                    let b = rng.pick(&eligible);
                    if b != a {
                        cols.push(b);
                    }
                }
                let names: Vec<String> = cols.iter().map(|i| t.cols[*i].name.clone()).collect();
                if rng.chance(60) {
                    if firsts_u.contains(&a) {
                        continue;
                    }
                    firsts_u.push(a);
                    if cols.len() == 1 && rng.chance(50) {
                        t.cols[a].attrs.push("@unique".into());
                    } else {
                        t.block.push(format!("@@unique([{}])", names.join(", ")));
                    }
                    t.keys.push(cols);
                } else {
                    if firsts_i.contains(&a) {
                        continue;
                    }
                    firsts_i.push(a);
                    let unique = rng.chance(40);
                    t.block.push(format!(
                        "@@index([{}]{})",
                        names.join(", "),
                        if unique { ", unique: true" } else { "" }
                    ));
                    if unique {
                        t.keys.push(cols);
                    }
                }
            }
            for _ in 0..rng.below(3) {
                let i = rng.below(t.cols.len());
                if let Some((src, pg)) =
                    check(&t.cols[i].ty.clone(), &t.cols[i].name.clone(), &mut rng)
                {
                    let k = fresh("k");
                    t.block.push(format!("@@check({k}, `{src}`)"));
                    checks.insert(src, pg);
                }
            }
            tables.push(t);
        }
        // Foreign keys, to any key of any table (itself included).
        const ACTIONS: [&str; 5] = [
            "no_action",
            "restrict",
            "cascade",
            "set_null",
            "set_default",
        ];
        for ti in 0..tables.len() {
            for _ in 0..rng.below(3) {
                let target = rng.below(tables.len());
                let key = rng.pick(&tables[target].keys);
                let ref_names: Vec<String> = key
                    .iter()
                    .map(|i| tables[target].cols[*i].name.clone())
                    .collect();
                let ref_types: Vec<Ty> = key
                    .iter()
                    .map(|i| tables[target].cols[*i].ty.clone())
                    .collect();
                let on_delete = rng.pick(&ACTIONS);
                let on_update = rng.pick(&ACTIONS);
                let nullable = on_delete == "set_null" || on_update == "set_null" || rng.chance(50);
                let mut actions = String::new();
                if on_delete != "no_action" || rng.chance(20) {
                    let _ = write!(actions, ", on_delete: {on_delete}");
                }
                if on_update != "no_action" {
                    let _ = write!(actions, ", on_update: {on_update}");
                }
                let mut names = Vec::new();
                for ty in ref_types {
                    let name = fresh("f");
                    tables[ti].cols.push(Col {
                        name: name.clone(),
                        ty,
                        nullable,
                        attrs: vec![],
                        doc: None,
                    });
                    names.push(name);
                }
                let target_name = tables[target].name.clone();
                if names.len() == 1 && rng.chance(60) {
                    let last = tables[ti].cols.last_mut().expect("column");
                    last.attrs
                        .push(format!("@ref({target_name}.{}{actions})", ref_names[0]));
                } else {
                    tables[ti].block.push(format!(
                        "@@ref([{}], {target_name}, [{}]{actions})",
                        names.join(", "),
                        ref_names.join(", ")
                    ));
                }
            }
        }

        let mut out = String::new();
        let docs = |out: &mut String, indent: &str, doc: &Option<String>| {
            if let Some(d) = doc {
                for line in d.lines() {
                    let _ = writeln!(out, "{indent}/// {line}");
                }
            }
        };
        for e in &enums {
            docs(&mut out, "", &e.doc);
            let _ = writeln!(out, "enum {} {{", e.name);
            for v in &e.values {
                let _ = writeln!(out, "  {}", dsl_string(v));
            }
            out.push_str("}\n\n");
        }
        for t in &tables {
            docs(&mut out, "", &t.doc);
            let _ = writeln!(out, "table {} {{", t.name);
            for c in &t.cols {
                docs(&mut out, "  ", &c.doc);
                let _ = writeln!(
                    out,
                    "  {} {}{} {}",
                    c.name,
                    ty_dsl(&c.ty, &enums),
                    if c.nullable { "?" } else { "" },
                    c.attrs.join(" ")
                );
            }
            for b in &t.block {
                let _ = writeln!(out, "  {b}");
            }
            out.push_str("}\n\n");
        }
        Generated {
            source: out,
            checks,
        }
    }
}

#[tokio::test]
async fn generated_schemas_round_trip() {
    let cases: u64 = std::env::var("INTROSPECT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let db = TestDb::new().await;
    let mut client = db.client().await;
    client
        .batch_execute("SET synchronous_commit = off")
        .await
        .expect("SET");
    let mut seen = [0usize; 4]; // checks, foreign keys, indexes, enums
    let mut kinds_seen = std::collections::BTreeSet::new();
    let mut defaults_seen = std::collections::BTreeSet::new();
    for seed in 0..cases {
        let seed = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x006e_7a63;
        let g = generator::generate(seed);
        let model = nzc_dsl::compile(&g.source, "gen.nzc").unwrap_or_else(|d| {
            panic!(
                "generator bug (seed {seed}): does not compile:\n{d}\n{}",
                g.source
            )
        });
        let mut want = normalize(&model);
        for t in &mut want.tables {
            for c in &mut t.checks {
                c.expr = g.checks.get(&c.expr).cloned().unwrap_or_else(|| {
                    panic!("no printed form for check {:?} (seed {seed})", c.expr)
                });
            }
        }
        reset(&client).await;
        build(&mut client, &model).await;
        let found = read(&client).await;
        assert_eq!(found.schema, want, "seed {seed}\n{}", g.source);
        assert_eq!(found.unmanaged, [], "seed {seed}\n{}", g.source);
        // The same schema built in the session's temporary schema (as the
        // drift check does) reads the same, with nothing unmanaged.
        client
            .batch_execute("SET search_path = pg_temp")
            .await
            .expect("SET");
        build(&mut client, &model).await;
        client
            .batch_execute("RESET search_path")
            .await
            .expect("RESET");
        let temp = introspect(&client, "pg_temp")
            .await
            .unwrap_or_else(|e| panic!("introspect pg_temp: {e}"));
        client.batch_execute("DISCARD TEMP").await.expect("DISCARD");
        assert_eq!(
            temp.schema, found.schema,
            "pg_temp, seed {seed}\n{}",
            g.source
        );
        let other: Vec<&Unmanaged> = temp
            .unmanaged
            .iter()
            .filter(|u| u.kind != "schema")
            .collect();
        assert_eq!(
            other,
            Vec::<&Unmanaged>::new(),
            "pg_temp, seed {seed}\n{}",
            g.source
        );
        // build ∘ introspect is a fixed point.
        reset(&client).await;
        build(&mut client, &found.schema).await;
        let again = read(&client).await;
        assert_eq!(again, found, "fixed point, seed {seed}\n{}", g.source);
        // `nzc db pull`: the schema file of the database compiles into a
        // model that builds the same database.
        let pulled = nzc_codegen::schema_file::render(&found.schema)
            .unwrap_or_else(|e| panic!("pull, seed {seed}: {e}\n{}", g.source));
        let pulled_model = nzc_dsl::compile(&pulled, "pulled.nzc")
            .unwrap_or_else(|d| panic!("pulled file, seed {seed}:\n{d}\n{pulled}"));
        reset(&client).await;
        build(&mut client, &pulled_model).await;
        let from_pulled = read(&client).await;
        assert_eq!(from_pulled, found, "pull round trip, seed {seed}\n{pulled}");

        seen[3] += model.enums.len();
        for t in &model.tables {
            seen[0] += t.checks.len();
            seen[1] += t.foreign_keys.len();
            seen[2] += t.indexes.len();
            for c in &t.columns {
                if let ColumnType::Scalar(s) = &c.ty {
                    kinds_seen.insert(s.kind);
                }
                if let Some(d) = &found
                    .schema
                    .table(&t.name)
                    .and_then(|t| t.column(&c.name))
                    .and_then(|c| c.default.clone())
                {
                    defaults_seen.insert(match d {
                        DefaultValue::Integer(_) => "integer",
                        DefaultValue::Decimal(_) => "decimal",
                        DefaultValue::String(_) => "string",
                        DefaultValue::Bool(_) => "bool",
                        DefaultValue::Expr(_) => "expr",
                    });
                }
            }
        }
    }
    eprintln!(
        "introspect: {cases} generated schemas; {} checks, {} foreign keys, {} indexes, {} enums",
        seen[0], seen[1], seen[2], seen[3]
    );
    if cases >= 100 {
        // The generator covers what it claims.
        assert_eq!(kinds_seen.len(), nzc_types::TYPES.len(), "{kinds_seen:?}");
        assert_eq!(defaults_seen.len(), 5, "{defaults_seen:?}");
        assert!(seen.iter().all(|n| *n > 0), "{seen:?}");
        assert!(kinds_seen.contains(&Kind::Char));
    }
}

/// Name, type, NOT NULL, default, comment.
type ColumnFacts = (String, String, bool, Option<String>, Option<String>);

/// The product's reader and the tests' oracle (`tests/support/introspect.rs`)
/// see the same tables, columns (type, nullability, default), constraint and
/// index names on the repository's schema and on generated ones.
#[tokio::test]
async fn the_reader_agrees_with_the_test_oracle() {
    let mut models = vec![compile_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema.nzc"
    ))];
    for seed in 0..20u64 {
        let g = generator::generate(seed ^ 0x000a_11ce);
        models.push(nzc_dsl::compile(&g.source, "gen.nzc").expect("generated schema compiles"));
    }
    let db = TestDb::new().await;
    let mut client = db.client().await;
    for model in &models {
        reset(&client).await;
        build(&mut client, model).await;
        let ours = read(&client).await.schema;
        let theirs = oracle::introspect(&client).await;
        let names: Vec<&str> = ours.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            theirs.tables.keys().map(String::as_str).collect::<Vec<_>>()
        );
        let enums: Vec<(&str, &Vec<String>)> = ours
            .enums
            .iter()
            .map(|e| (e.name.as_str(), &e.values))
            .collect();
        assert_eq!(
            enums,
            theirs
                .enums
                .iter()
                .map(|(k, v)| (k.as_str(), v))
                .collect::<Vec<_>>()
        );
        for t in &ours.tables {
            let o = &theirs.tables[&t.name];
            assert_eq!(t.doc, o.comment, "{}", t.name);
            let cols: Vec<ColumnFacts> = t
                .columns
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        c.ty.pg().trim_matches('"').to_string(),
                        !c.nullable,
                        c.default.as_ref().map(DefaultValue::sql),
                        c.doc.clone(),
                    )
                })
                .collect();
            let oracle_cols: Vec<ColumnFacts> = o
                .columns
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        c.ty.trim_matches('"').to_string(),
                        c.not_null,
                        c.default.clone(),
                        c.comment.clone(),
                    )
                })
                .collect();
            // Defaults: both see one where there is one; an `Expr` default is
            // the catalog's text as printed (literals are mapped back to the
            // schema language's forms, whose rebuild prints the same text:
            // the fixed point of `generated_schemas_round_trip`).
            for ((a, b), c) in cols.iter().zip(&oracle_cols).zip(&t.columns) {
                assert_eq!(
                    (&a.0, &a.1, a.2, &a.4),
                    (&b.0, &b.1, b.2, &b.4),
                    "{}",
                    t.name
                );
                assert_eq!(a.3.is_some(), b.3.is_some(), "{}.{}", t.name, a.0);
                if let Some(DefaultValue::Expr(e)) = &c.default {
                    assert_eq!(Some(e), b.3.as_ref(), "{}.{}", t.name, a.0);
                }
            }
            assert_eq!(cols.len(), oracle_cols.len(), "{}", t.name);
            let mut constraints: Vec<&str> = std::iter::once(t.primary_key.name.as_str())
                .chain(t.uniques.iter().map(|u| u.name.as_str()))
                .chain(t.foreign_keys.iter().map(|f| f.name.as_str()))
                .chain(t.checks.iter().map(|c| c.name.as_str()))
                .collect();
            constraints.sort_unstable();
            let oracle_constraints: Vec<&str> = o.constraints.keys().map(String::as_str).collect();
            assert_eq!(constraints, oracle_constraints, "{}", t.name);
            let mut indexes: Vec<&str> = t.indexes.iter().map(|i| i.name.as_str()).collect();
            indexes.sort_unstable();
            assert_eq!(
                indexes,
                o.indexes.keys().map(String::as_str).collect::<Vec<_>>(),
                "{}",
                t.name
            );
        }
    }
}
