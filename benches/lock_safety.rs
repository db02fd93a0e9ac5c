//! Benchmark of what a migration does to the writes of a busy table
//! (`harness = false`).
//!
//! `cargo bench --bench lock_safety`: `EmissionRecord` holds `NZC_BENCH_ROWS`
//! rows (default 1 000 000) and a writer inserts rows into it continuously,
//! one `INSERT` per statement (autocommit, its own connection), recording the
//! latency of each. Meanwhile one migration adds to the table an index, a
//! foreign key, a check and a NOT NULL, applied two ways:
//!
//! - **nzc**: the migrations `nzc compile` writes for that change (the
//!   repository's `schema.nzc` without the four things, compiled, then with
//!   them, compiled again), applied by `nzc migrate upgrade head` — the `nzc`
//!   binary cargo builds with this bench (`NZC_BIN` overrides it);
//! - **plain DDL**: the same four changes as the statements Alembic's
//!   `op.create_index`, `op.create_foreign_key`, `op.create_check_constraint`
//!   and `op.alter_column(nullable=False)` emit, in one transaction (how
//!   `alembic upgrade` runs a revision), sent on a connection of their own.
//!
//! With `NZC_BENCH_HAND_SAFE=1` a third contender, for reference, runs a
//! hand-written lock-safe form of the change statement by statement
//! (autocommit): `CREATE INDEX CONCURRENTLY`, each constraint `NOT VALID`
//! then `VALIDATE`d, and `SET NOT NULL` after a validated
//! `CHECK ("unit" IS NOT NULL)`, dropped afterwards.
//!
//! The writer starts 1 s before the migration and stops 1 s after it. The
//! figures of a run: its longest insert (the longest stall), the p99 and p50
//! latency and the count of the inserts started during the migration, and the
//! migration's wall time. `NZC_BENCH_RUNS` runs per contender (default 3),
//! the contenders taking turns (the first one rotating); the longest stall
//! reported is the worst of the runs, the other figures are medians.
//!
//! The rows are loaded once into a template database (migrated to the first
//! version by `nzc migrate upgrade +1`, `VACUUM ANALYZE`d); every run gets a
//! copy of it (`CREATE DATABASE … TEMPLATE`), a `CHECKPOINT`, and is dropped
//! afterwards. After every run the schema left behind (columns, nullability,
//! constraints, indexes) must be the same for every contender. Databases are
//! `nzc_bench_<pid>_<n>`, created and dropped through `psql` as the admin
//! user of `NZC_BENCH_ADMIN_URL`, else `NZC_TEST_ADMIN_URL`, else
//! `postgresql://postgres@127.0.0.1:5432/postgres`.
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) every contender
//! runs once on 20 000 rows, including the hand-written one, and the schemas
//! are compared; a missing PostgreSQL is then not an error.

mod support;

use support::command::check;
use support::figures::{median, ms, verdict};
use support::pg::{self, psql_query, Admin, Database, HISTORY_TABLES};
use support::{env_usize, load_average, nzc_binary, nzc_command, scratch_dir};

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::{Client, NoTls};

const DEFAULT_ROWS: usize = 1_000_000;
const DEFAULT_RUNS: usize = 3;
/// Rows and the writer's lead-in and tail without `--bench`.
const QUICK_ROWS: usize = 20_000;
const QUICK_MARGIN: Duration = Duration::from_millis(200);
/// How long the writer runs before the migration starts and after it ends.
const MARGIN: Duration = Duration::from_secs(1);
/// The issue's goals: nzc's longest stall at most this, and at least this
/// many times shorter than plain DDL's.
const TARGET_STALL: Duration = Duration::from_millis(100);
const TARGET_RATIO: f64 = 10.0;
/// City and Sector rows the records refer to.
const CITIES: usize = 100;
const SECTORS: usize = 20;

/// The change as plain DDL: what Alembic's `op.*` emit, in the order a
/// revision would call them, with the names nzc gives the four additions
/// (its default naming convention); one transaction.
const PLAIN_DDL: [&str; 4] = [
    r#"CREATE INDEX "ix_EmissionRecord_year" ON "EmissionRecord" ("year")"#,
    r#"ALTER TABLE "EmissionRecord" ADD CONSTRAINT "fk_EmissionRecord_sectorId_Sector" FOREIGN KEY ("sectorId") REFERENCES "Sector" ("sectorId")"#,
    r#"ALTER TABLE "EmissionRecord" ADD CONSTRAINT "ck_EmissionRecord_value_non_negative" CHECK ("value" >= 0)"#,
    r#"ALTER TABLE "EmissionRecord" ALTER COLUMN "unit" SET NOT NULL"#,
];

/// The change written by hand to take no long lock; each statement in its
/// own transaction.
const HAND_SAFE: [&str; 9] = [
    r#"CREATE INDEX CONCURRENTLY "ix_EmissionRecord_year" ON "EmissionRecord" ("year")"#,
    r#"ALTER TABLE "EmissionRecord" ADD CONSTRAINT "fk_EmissionRecord_sectorId_Sector" FOREIGN KEY ("sectorId") REFERENCES "Sector" ("sectorId") NOT VALID"#,
    r#"ALTER TABLE "EmissionRecord" VALIDATE CONSTRAINT "fk_EmissionRecord_sectorId_Sector""#,
    r#"ALTER TABLE "EmissionRecord" ADD CONSTRAINT "ck_EmissionRecord_value_non_negative" CHECK ("value" >= 0) NOT VALID"#,
    r#"ALTER TABLE "EmissionRecord" VALIDATE CONSTRAINT "ck_EmissionRecord_value_non_negative""#,
    r#"ALTER TABLE "EmissionRecord" ADD CONSTRAINT "ck_EmissionRecord_unit_not_null" CHECK ("unit" IS NOT NULL) NOT VALID"#,
    r#"ALTER TABLE "EmissionRecord" VALIDATE CONSTRAINT "ck_EmissionRecord_unit_not_null""#,
    r#"ALTER TABLE "EmissionRecord" ALTER COLUMN "unit" SET NOT NULL"#,
    r#"ALTER TABLE "EmissionRecord" DROP CONSTRAINT "ck_EmissionRecord_unit_not_null""#,
];

/// One insert of the writer; `$1`–`$5`: city, year, sector, gas, value.
const INSERT: &str = r#"INSERT INTO "EmissionRecord" ("emissionRecordId", "cityId", "year", "sectorId", "scope", "ghgType", "value", "unit") VALUES (gen_random_uuid(), $1, $2, $3, 'writer', $4, $5, 'tCO2e')"#;

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let (rows, runs, margin) = if bench {
        (
            env_usize("NZC_BENCH_ROWS").unwrap_or(DEFAULT_ROWS),
            env_usize("NZC_BENCH_RUNS").unwrap_or(DEFAULT_RUNS).max(1),
            MARGIN,
        )
    } else {
        (QUICK_ROWS, 1, QUICK_MARGIN)
    };
    let hand_safe = !bench || std::env::var("NZC_BENCH_HAND_SAFE").is_ok_and(|v| v == "1");
    let admin = pg::admin_url(pg::DEFAULT_ADMIN_URL);
    let Some(server) = pg::server_version(&admin, "lock_safety", bench) else {
        return;
    };
    let admin = Admin::new(admin, "lock_safety");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let nzc = nzc_binary();
    let load_before = load_average();
    let started = Instant::now();

    let scratch = scratch_dir("nzc-bench-lock-safety-");
    let project = Project::compile(root, &nzc, scratch.path());
    eprintln!("lock_safety bench: loading {rows} EmissionRecord rows into the template …");
    let template = template(&admin, &project, rows);

    let mut contenders = vec![Contender::Plain, Contender::Nzc];
    if hand_safe {
        contenders.push(Contender::HandSafe);
    }
    let mut results: Vec<Vec<RunFigures>> = vec![Vec::new(); contenders.len()];
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let n = contenders.len();
    for round in 0..runs {
        let mut reference: Option<(Contender, String)> = None;
        for k in 0..n {
            let i = (round + k) % n;
            let contender = contenders[i];
            let copy = admin.copy(&template);
            psql_query(&copy.url, "CHECKPOINT").expect("CHECKPOINT");
            let figures = rt.block_on(run_once(contender, &copy.url, &project, margin));
            eprintln!(
                "lock_safety bench: run {}/{runs}, {}: longest insert {} at {:+.2} s of the migration, migration {}, {} inserts during it",
                round + 1,
                contender.label(),
                ms(figures.longest),
                figures.longest_at,
                ms(figures.wall),
                figures.during
            );
            let schema = schema_fingerprint(&copy.url);
            match &reference {
                None => reference = Some((contender, schema)),
                Some((first, expected)) => assert_eq!(
                    *expected,
                    schema,
                    "{} and {} left different schemas behind",
                    first.label(),
                    contender.label()
                ),
            }
            drop(copy);
            results[i].push(figures);
        }
    }
    drop(template);

    if !bench {
        println!(
            "lock_safety bench: quick check passed ({} on {rows} rows: same schema; longest inserts {}); \
             run `cargo bench --bench lock_safety` for figures",
            contenders.iter().map(|c| c.label()).collect::<Vec<_>>().join(", "),
            results
                .iter()
                .map(|r| ms(worst(r)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        return;
    }

    let mut o = String::new();
    let _ = writeln!(
        o,
        "\n## Lock safety: inserts into a busy table while a migration runs\n"
    );
    support::write_machine_load(&mut o, &load_before, &load_average());
    let _ = writeln!(o, "PostgreSQL {server}; nzc: {}", nzc.display());
    let _ = writeln!(
        o,
        "EmissionRecord: {} rows (a template database; each run on a fresh copy). Writer: one \
         INSERT per statement, autocommit, its own connection, from {} s before the migration to \
         {} s after it. {runs} runs per contender, taking turns; longest stall: the worst run; \
         other figures: medians of the runs. Whole bench: {:.0} s.\n",
        thousands(rows),
        margin.as_secs_f64(),
        margin.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let _ = writeln!(
        o,
        "nzc's plan: the migrations `nzc compile` wrote for the change, applied by `nzc migrate upgrade head`:\n"
    );
    for (id, up) in &project.plan {
        let _ = writeln!(o, "```sql\n-- {id}/up.sql\n{}\n```\n", up.trim_end());
    }
    let _ = writeln!(
        o,
        "Plain DDL (Alembic's op.create_index, op.create_foreign_key, op.create_check_constraint, \
         op.alter_column(nullable=False)), one transaction:\n\n```sql\nBEGIN;\n{};\nCOMMIT;\n```\n",
        PLAIN_DDL.join(";\n")
    );
    if hand_safe {
        let _ = writeln!(
            o,
            "Hand-written lock-safe form (reference), each statement in its own transaction:\n\n```sql\n{};\n```\n",
            HAND_SAFE.join(";\n")
        );
    }
    let _ = writeln!(
        o,
        "| contender | longest stall (worst run) | per run | p99 | p50 | inserts during the migration | migration wall time | longest insert before the migration |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for (c, r) in contenders.iter().zip(&results) {
        let _ = writeln!(
            o,
            "| {} | **{}** | {} | {} | {} | {} | {} | {} |",
            c.label(),
            ms(worst(r)),
            r.iter()
                .map(|f| ms(f.longest))
                .collect::<Vec<_>>()
                .join(" / "),
            median_of(r, |f| f.p99),
            median_of(r, |f| f.p50),
            thousands(median_count(r, |f| f.during)),
            ms(median(&r.iter().map(|f| f.wall).collect::<Vec<_>>())),
            ms(r.iter().map(|f| f.before).max().unwrap_or_default()),
        );
    }
    let plain = worst(&results[0]);
    let ours = worst(&results[1]);
    let ratio = plain.as_secs_f64() / ours.as_secs_f64().max(1e-6);
    let _ = writeln!(
        o,
        "\nGoal: nzc's longest stall ≤ {}: {} — {}; at least {TARGET_RATIO}× shorter than plain \
         DDL's: {ratio:.1}× ({} / {}) — {}",
        ms(TARGET_STALL),
        ms(ours),
        verdict(ours <= TARGET_STALL),
        ms(plain),
        ms(ours),
        verdict(ratio >= TARGET_RATIO)
    );
    print!("{o}");
}

// ---------------------------------------------------------------------------
// The two versions of the schema and nzc's plan

/// A project directory holding the two versions compiled by `nzc compile`.
struct Project {
    dir: PathBuf,
    nzc: PathBuf,
    /// The migrations of the change (after the first one): id and `up.sql`.
    plan: Vec<(String, String)>,
}

impl Project {
    /// Writes version A as `schema.nzc`, compiles it, writes version B,
    /// compiles again: the first run writes the init migration, the second
    /// nzc's plan for the change.
    fn compile(root: &Path, nzc: &Path, scratch: &Path) -> Project {
        let source = std::fs::read_to_string(root.join("schema.nzc")).expect("read schema.nzc");
        let (a, b) = versions(&source);
        let dir = scratch.join("project");
        std::fs::create_dir_all(&dir).expect("create the project directory");
        let migrations = dir.join("migrations");
        let mut before = Vec::new();
        for (version, text) in [("A", &a), ("B", &b)] {
            std::fs::write(dir.join("schema.nzc"), text).expect("write schema.nzc");
            if let Err(why) = check(
                nzc_command(nzc, &dir)
                    .args(["compile", "schema.nzc"])
                    .output(),
            ) {
                panic!("nzc compile of version {version} failed: {why}");
            }
            if version == "A" {
                before = migration_ids(&migrations);
                assert_eq!(before.len(), 1, "version A: one init migration");
            }
        }
        let plan: Vec<(String, String)> = migration_ids(&migrations)
            .into_iter()
            .filter(|id| !before.contains(id))
            .map(|id| {
                let up = std::fs::read_to_string(migrations.join(&id).join("up.sql"))
                    .expect("read up.sql");
                (id, up)
            })
            .collect();
        assert!(
            !plan.is_empty(),
            "version B: nzc compile wrote no migration"
        );
        Project {
            dir,
            nzc: nzc.to_path_buf(),
            plan,
        }
    }

    /// `nzc migrate <args> --database-url <url>` in the project directory.
    fn migrate(&self, url: &str, args: &[&str]) -> std::process::Command {
        let mut cmd = nzc_command(&self.nzc, &self.dir);
        cmd.arg("migrate").args(args).arg("--database-url").arg(url);
        cmd
    }
}

/// The migration directories of `dir`, sorted.
fn migration_ids(dir: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .filter(|e| e.path().join("up.sql").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    ids
}

/// Versions A and B of the repository's schema: B is `schema.nzc` plus
/// `@@index([year])` and `@@check(value_non_negative, …)` on
/// `EmissionRecord`; A is B without those, without the foreign key of
/// `sectorId`, and with `unit` nullable. Panics when `schema.nzc` no longer
/// has what these edits expect.
fn versions(source: &str) -> (String, String) {
    let start = source
        .find("  table EmissionRecord {\n")
        .expect("schema.nzc: table EmissionRecord");
    let len = source[start..]
        .find("\n  }\n")
        .expect("schema.nzc: the end of table EmissionRecord");
    let (head, block, tail) = (
        &source[..start],
        &source[start..start + len],
        &source[start + len..],
    );
    assert!(
        !block.contains("@@index") && !block.contains("@@check"),
        "schema.nzc: EmissionRecord already has an index or a check"
    );
    let mut a_lines = Vec::new();
    let (mut sector, mut unit) = (false, false);
    for line in block.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["sectorId", "uuid?", "@ref(Sector.sectorId)"] => {
                a_lines.push(
                    line.replace(" @ref(Sector.sectorId)", "")
                        .trim_end()
                        .to_string(),
                );
                sector = true;
            }
            ["unit", "varchar"] => {
                a_lines.push(line.replacen("varchar", "varchar?", 1));
                unit = true;
            }
            _ => a_lines.push(line.to_string()),
        }
    }
    assert!(
        sector,
        "schema.nzc: EmissionRecord has no `sectorId uuid? @ref(Sector.sectorId)`"
    );
    assert!(unit, "schema.nzc: EmissionRecord has no `unit varchar`");
    let additions = "\n    @@index([year])\n    @@check(value_non_negative, `\"value\" >= 0`)";
    let a = format!("{head}{}{tail}", a_lines.join("\n"));
    let b = format!("{head}{block}{additions}{tail}");
    (a, b)
}

// ---------------------------------------------------------------------------
// The database

/// The template: version A with `rows` records, `VACUUM ANALYZE`d.
fn template(admin: &Admin, project: &Project, rows: usize) -> Database {
    let db = admin.fresh();
    if let Err(why) = check(project.migrate(&db.url, &["upgrade", "+1"]).output()) {
        panic!("nzc migrate upgrade +1 failed: {why}");
    }
    // md5-derived uuids: deterministic, no extension needed. (city, year)
    // determine i mod 4000 and the gas i / 4000, so the unique key holds.
    let load = format!(
        r#"INSERT INTO "City" ("cityId", "cityName", "country")
             SELECT md5('city' || i)::uuid, 'City ' || i, 'XX' FROM generate_series(0, {last_city}) AS i;
           INSERT INTO "Sector" ("sectorId", "sectorName")
             SELECT md5('sector' || i)::uuid, 'Sector ' || i FROM generate_series(0, {last_sector}) AS i;
           INSERT INTO "EmissionRecord" ("emissionRecordId", "cityId", "year", "sectorId", "scope", "ghgType", "value", "unit")
             SELECT md5('record' || i)::uuid, md5('city' || (i % {CITIES}))::uuid, 1990 + (i / {CITIES}) % 40,
                    md5('sector' || (i % {SECTORS}))::uuid, 'scope ' || (i % 3 + 1), 'gas ' || (i / 4000),
                    i % 1000, 'tCO2e'
               FROM generate_series(0, {last_row}) AS i"#,
        last_city = CITIES - 1,
        last_sector = SECTORS - 1,
        last_row = rows.saturating_sub(1),
    );
    psql_query(&db.url, &load).expect("load the rows");
    psql_query(&db.url, "VACUUM ANALYZE").expect("VACUUM ANALYZE");
    db
}

/// Columns with their nullability, constraints and indexes of `public`.
fn schema_fingerprint(url: &str) -> String {
    pg::fingerprint(
        url,
        &[format!(
            "SELECT format('column %s.%s %s %s', table_name, column_name, data_type, is_nullable) AS line
               FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name NOT IN ({HISTORY_TABLES})"
        )],
    )
    .expect("read the schema")
}

async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

// ---------------------------------------------------------------------------
// One run

#[derive(Clone, Copy, PartialEq, Eq)]
enum Contender {
    Plain,
    Nzc,
    HandSafe,
}

impl Contender {
    fn label(self) -> &'static str {
        match self {
            Contender::Plain => "plain DDL, one transaction",
            Contender::Nzc => "nzc migrate upgrade head",
            Contender::HandSafe => "hand-written lock-safe SQL",
        }
    }
}

/// The figures of one run.
#[derive(Clone)]
struct RunFigures {
    /// The longest insert of the whole run (the writer's longest stall).
    longest: Duration,
    /// When that insert started, in seconds from the migration's start.
    longest_at: f64,
    /// The longest insert that ended before the migration started.
    before: Duration,
    /// Latencies of the inserts started during the migration.
    p99: Option<Duration>,
    p50: Option<Duration>,
    during: usize,
    /// The migration's wall time.
    wall: Duration,
}

/// One insert: when it started (from the writer's start) and how long it took.
struct Insert {
    at: Duration,
    latency: Duration,
}

/// A run: the writer on its own connection, the migration after `margin`,
/// the writer stopped `margin` after the migration ends.
async fn run_once(
    contender: Contender,
    url: &str,
    project: &Project,
    margin: Duration,
) -> RunFigures {
    // The contenders that send SQL get their connection before the clock runs.
    let ddl = match contender {
        Contender::Nzc => None,
        Contender::Plain | Contender::HandSafe => Some(connect(url).await),
    };
    let writer = connect(url).await;
    let stop = Arc::new(AtomicBool::new(false));
    let origin = Instant::now();
    let handle = tokio::spawn(write(writer, stop.clone(), origin));
    tokio::time::sleep(margin).await;

    let start = origin.elapsed();
    match (contender, &ddl) {
        (Contender::Plain, Some(client)) => {
            let sql = format!("BEGIN;\n{};\nCOMMIT;", PLAIN_DDL.join(";\n"));
            client
                .batch_execute(&sql)
                .await
                .unwrap_or_else(|e| panic!("plain DDL failed: {e}"));
        }
        (Contender::HandSafe, Some(client)) => {
            for sql in HAND_SAFE {
                client
                    .batch_execute(sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
        _ => {
            let mut cmd = tokio::process::Command::from(project.migrate(url, &["upgrade", "head"]));
            if let Err(why) = check(cmd.output().await) {
                panic!("nzc migrate upgrade head failed: {why}");
            }
        }
    }
    let end = origin.elapsed();
    tokio::time::sleep(margin).await;
    stop.store(true, Ordering::Relaxed);
    let inserts = match handle.await {
        Ok(inserts) => inserts,
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("the writer failed: {e}"),
        },
    };

    let longest = inserts
        .iter()
        .max_by_key(|i| i.latency)
        .expect("the writer inserted rows");
    let mut during: Vec<Duration> = inserts
        .iter()
        .filter(|i| i.at >= start && i.at < end)
        .map(|i| i.latency)
        .collect();
    during.sort();
    let quantile = |q: f64| {
        (!during.is_empty()).then(|| during[((during.len() - 1) as f64 * q).round() as usize])
    };
    RunFigures {
        longest: longest.latency,
        longest_at: longest.at.as_secs_f64() - start.as_secs_f64(),
        before: inserts
            .iter()
            .filter(|i| i.at + i.latency < start)
            .map(|i| i.latency)
            .max()
            .unwrap_or_default(),
        p99: quantile(0.99),
        p50: quantile(0.50),
        during: during.len(),
        wall: end - start,
    }
}

/// Inserts rows that satisfy version B, one statement at a time, until
/// `stop`; every insert's start and latency.
async fn write(client: Client, stop: Arc<AtomicBool>, origin: Instant) -> Vec<Insert> {
    let city: uuid::Uuid = client
        .query_one(r#"SELECT "cityId" FROM "City" ORDER BY 1 LIMIT 1"#, &[])
        .await
        .expect("a city")
        .get(0);
    let sector: uuid::Uuid = client
        .query_one(r#"SELECT "sectorId" FROM "Sector" ORDER BY 1 LIMIT 1"#, &[])
        .await
        .expect("a sector")
        .get(0);
    let statement = client.prepare(INSERT).await.expect("prepare the insert");
    let mut inserts = Vec::with_capacity(1 << 16);
    let mut n: i32 = 0;
    while !stop.load(Ordering::Relaxed) {
        let gas = format!("writer {n}");
        let year = 2000 + n % 30;
        let value = n % 1000;
        let at = origin.elapsed();
        client
            .execute(&statement, &[&city, &year, &sector, &gas, &value])
            .await
            .unwrap_or_else(|e| panic!("insert {n}: {e}"));
        inserts.push(Insert {
            at,
            latency: origin.elapsed() - at,
        });
        n += 1;
    }
    inserts
}

// ---------------------------------------------------------------------------
// Figures

fn worst(runs: &[RunFigures]) -> Duration {
    runs.iter().map(|f| f.longest).max().unwrap_or_default()
}

fn median_of(runs: &[RunFigures], field: impl Fn(&RunFigures) -> Option<Duration>) -> String {
    let v: Vec<Duration> = runs.iter().filter_map(&field).collect();
    if v.is_empty() {
        "—".into()
    } else {
        ms(median(&v))
    }
}

fn median_count(runs: &[RunFigures], field: impl Fn(&RunFigures) -> usize) -> usize {
    let mut v: Vec<usize> = runs.iter().map(field).collect();
    v.sort_unstable();
    v[v.len() / 2]
}

/// `1 000 000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}
