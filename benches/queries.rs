//! Benchmark of the generated models' query methods (`harness = false`).
//!
//! `cargo bench --bench queries` creates a fresh database (dropped at the
//! end), applies the repository's migrations, and compares, on one
//! tokio-postgres connection over TCP:
//!
//! 1. **`get` by primary key** of an `EmissionRecord` (10 columns), after a
//!    warm-up, `NZC_BENCH_GETS` calls (default 20 000) per way and run, the
//!    ways taking turns in blocks of 500 calls (this machine's latency
//!    drifts over seconds), with the client's CPU time per call:
//!    - hand-written: the same `SELECT` prepared once, `query_opt` on the
//!      statement, fields decoded by index;
//!    - `EmissionRecord::get` on a `nzc::CachedClient` (statements prepared
//!      once per connection);
//!    - `EmissionRecord::get` on a plain `Client` (an unnamed statement with
//!      typed parameters each time: tokio-postgres `query_typed`);
//!    - hand-written `query_typed_opt`, the same unnamed-statement path
//!      without nzc, to show what that path costs by itself.
//! 2. **Bulk insert** of `NZC_BENCH_ROWS` (default 100 000) `EmissionRecord`
//!    rows into the emptied table: `EmissionRecord::insert_many` (binary
//!    COPY) against a hand-written `BinaryCopyInWriter` of the same rows and
//!    columns, and against one prepared `INSERT` per row — inside one
//!    transaction (its fastest form) on `NZC_BENCH_ROW_INSERTS` rows (default
//!    10 000), and each in its own transaction on a fifth of those — both
//!    extrapolated to the same row count.
//! 3. **Bulk upsert** of `NZC_BENCH_ROWS` rows, half stored already (with
//!    other values), half new: `upsert_many`, `upsert_many_by_<5-column
//!    key>`, the per-row `upsert_by_<key>` (on the `CachedClient`, and in
//!    a `Transaction` of a second, plain connection) and
//!    `upsert` in one transaction on `NZC_BENCH_ROW_INSERTS` rows
//!    (extrapolated), and `insert_many` of
//!    the same rows into an empty table.
//! 4. **Batch relations**: `City::emission_records_of` for
//!    `NZC_BENCH_PARENTS` cities (default 1 000) against one
//!    `emission_records` call per city (the results compared).
//! 5. **Streaming** `NZC_BENCH_STREAM_ROWS` rows (default 1 000 000):
//!    `Query::stream` against `Query::all`, the process's peak resident set
//!    (`VmHWM`, reset through `/proc/self/clear_refs`) above its start.
//! 6. With `NZC_BENCH_COLD_BUILD=1`: a cold `cargo build -p nzc-models
//!    --timings` in a fresh target directory (every dependency built from
//!    scratch; about 30 s on 2 cores), reporting the `nzc-models` crate's own
//!    compile time from the timings report; and always, the size of the
//!    derive's expansion of the 17 generated structs (the expansion
//!    `nzc-macros-core` produces, pretty-printed).
//!
//! Each figure is the median of `NZC_BENCH_RUNS` runs (default 7). The server
//! is `NZC_BENCH_ADMIN_URL`, else `NZC_TEST_ADMIN_URL`, else
//! `postgres://postgres@127.0.0.1:5432/postgres` (a role that may create
//! databases). Without `--bench` (as `cargo test --all-targets` runs it) a
//! small round checks that every contender works and returns the same rows,
//! prints no figures, and a missing PostgreSQL is not an error.

mod support;

use support::pg::{self, with_database};
use support::{env_usize, load_average, machine, up_files};

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::process::Command;
use std::time::{Duration, Instant};

use nzc::CachedClient;
use nzc_models::{City, EmissionRecord, Sector};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, NoTls, Row};
use uuid::Uuid;

/// The server when neither `NZC_BENCH_ADMIN_URL` nor `NZC_TEST_ADMIN_URL` is set.
const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The statement `EmissionRecord::get` runs (the same text).
const GET_SQL: &str =
    "SELECT \"emissionRecordId\", \"cityId\", \"year\", \"sectorId\", \"scope\", \
     \"ghgType\", \"value\", \"unit\", \"notes\", \"misc\" FROM \"EmissionRecord\" \
     WHERE \"emissionRecordId\" = $1";
const COLUMNS: &str = "\"emissionRecordId\", \"cityId\", \"year\", \"sectorId\", \"scope\", \
     \"ghgType\", \"value\", \"unit\", \"notes\", \"misc\"";
/// The parameter types of a row, in column order (as nzc binds them).
const ROW_TYPES: [Type; 10] = [
    Type::UUID,
    Type::UUID,
    Type::INT4,
    Type::UUID,
    Type::TEXT,
    Type::TEXT,
    Type::INT4,
    Type::TEXT,
    Type::TEXT,
    Type::JSONB,
];

#[derive(Clone)]
struct Config {
    bench: bool,
    runs: usize,
    gets: usize,
    rows: usize,
    row_inserts: usize,
    /// Cities of the batch-relation bench.
    parents: usize,
    /// Rows the stream bench reads.
    stream_rows: usize,
    cold_build: bool,
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let config = if bench {
        Config {
            bench,
            runs: env_usize("NZC_BENCH_RUNS").unwrap_or(7),
            gets: env_usize("NZC_BENCH_GETS").unwrap_or(20_000),
            rows: env_usize("NZC_BENCH_ROWS").unwrap_or(100_000),
            row_inserts: env_usize("NZC_BENCH_ROW_INSERTS").unwrap_or(10_000),
            parents: env_usize("NZC_BENCH_PARENTS").unwrap_or(1_000),
            stream_rows: env_usize("NZC_BENCH_STREAM_ROWS").unwrap_or(1_000_000),
            cold_build: std::env::var("NZC_BENCH_COLD_BUILD").is_ok_and(|v| v == "1"),
        }
    } else {
        Config {
            bench,
            runs: 1,
            gets: 200,
            rows: 2_000,
            row_inserts: 200,
            parents: 20,
            stream_rows: 5_000,
            cold_build: false,
        }
    };
    let admin = pg::admin_url(DEFAULT_ADMIN_URL);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");

    let mut report = String::new();
    let load_before = load_average();
    match rt.block_on(database_benches(&admin, &config, &mut report)) {
        Ok(()) => {}
        Err(Unreachable(why)) if !bench => {
            eprintln!("queries bench: PostgreSQL is not reachable at {admin} ({why}); skipped");
        }
        Err(Unreachable(why)) => {
            eprintln!("queries bench: PostgreSQL is not reachable at {admin}: {why}");
            std::process::exit(1);
        }
    }
    expansion_size(&mut report);
    if config.cold_build {
        cold_build(&mut report);
    }
    if bench {
        println!("# nzc query benchmarks\n");
        println!("{}", machine());
        println!(
            "date: {} · load average before: {load_before} · after: {}\n",
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
            load_average()
        );
        print!("{report}");
    } else {
        println!("queries bench: ok (a check only; `cargo bench --bench queries` for figures)");
    }
}

struct Unreachable(String);

async fn connect(url: &str) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// Creates the database, runs the benches, drops it (also when they panic).
async fn database_benches(
    admin_url: &str,
    config: &Config,
    report: &mut String,
) -> Result<(), Unreachable> {
    let admin = connect(admin_url)
        .await
        .map_err(|e| Unreachable(e.to_string()))?;
    let version: String = admin
        .query_one("SHOW server_version", &[])
        .await
        .map_err(|e| Unreachable(e.to_string()))?
        .get(0);
    let name = format!("nzc_bench_queries_{}", std::process::id());
    for sql in [
        format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        format!("CREATE DATABASE \"{name}\" TEMPLATE template0"),
    ] {
        admin
            .batch_execute(&sql)
            .await
            .expect("create the bench database");
    }
    let url = with_database(admin_url, &name);
    // On a task of its own, so that a panic still drops the database.
    let outcome = tokio::spawn(run_benches(url, config.clone(), version)).await;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .expect("drop the bench database");
    match outcome {
        Ok(text) => report.push_str(&text),
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("the bench task failed: {e}"),
        },
    }
    Ok(())
}

async fn run_benches(url: String, config: Config, version: String) -> String {
    let mut report = String::new();
    let client = connect(&url).await.expect("connect to the bench database");
    migrate(&client).await;
    let _ = writeln!(
        report,
        "PostgreSQL {version}, local TCP connection, no TLS.\n"
    );
    // One connection for every contender (the `CachedClient`'s own `Client`
    // is the plain one), but for the row-by-row upsert in a `Transaction`,
    // which needs a connection of its own to borrow mutably.
    let cached = CachedClient::new(client);
    let parents = parents();
    for p in &parents.0 {
        p.insert(&*cached).await.unwrap();
    }
    for s in &parents.1 {
        s.insert(&*cached).await.unwrap();
    }
    get_bench(&cached, &config, &mut report).await;
    insert_bench(&cached, &config, &mut report).await;
    let mut plain = connect(&url)
        .await
        .expect("a second connection to the bench database");
    upsert_bench(&cached, &mut plain, &config, &mut report).await;
    relations_bench(&cached, &config, &mut report).await;
    stream_bench(&cached, &config, &mut report).await;
    report
}

/// The repository's migrations, in order.
async fn migrate(client: &Client) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for up in up_files(&dir) {
        let sql = std::fs::read_to_string(up).unwrap();
        client.batch_execute(&sql).await.unwrap();
    }
}

fn parents() -> (Vec<City>, Vec<Sector>) {
    let city = City {
        city_id: Uuid::from_u128(1),
        city_name: "Lyon".into(),
        country: "FR".into(),
        locode: Some("FRLIO".into()),
        area_km2: None,
        notes: None,
        misc: None,
    };
    let sectors = (0..3)
        .map(|i| Sector {
            sector_id: Uuid::from_u128(10 + i),
            sector_name: format!("sector {i}"),
            description: None,
            notes: None,
            misc: None,
        })
        .collect();
    (vec![city], sectors)
}

/// `n` distinct emission records (the unique key varies with the year).
fn records(n: usize, offset: usize) -> Vec<EmissionRecord> {
    (offset..offset + n)
        .map(|i| EmissionRecord {
            emission_record_id: Uuid::from_u128(1_000_000 + i as u128),
            city_id: Some(Uuid::from_u128(1)),
            year: i as i32,
            sector_id: (i % 4 != 3).then(|| Uuid::from_u128(10 + (i % 4) as u128)),
            scope: ["scope 1", "scope 2", "scope 3"][i % 3].into(),
            ghg_type: "CO2e".into(),
            value: (i * 37 % 1_000_000) as i32,
            unit: "tCO2e".into(),
            notes: (i % 5 == 0).then(|| format!("page {}", i % 300)),
            misc: (i % 10 == 0).then(|| serde_json::json!({"page": i % 300})),
        })
        .collect()
}

fn decode(row: &Row) -> EmissionRecord {
    EmissionRecord {
        emission_record_id: row.get(0),
        city_id: row.get(1),
        year: row.get(2),
        sector_id: row.get(3),
        scope: row.get(4),
        ghg_type: row.get(5),
        value: row.get(6),
        unit: row.get(7),
        notes: row.get(8),
        misc: row.get(9),
    }
}

fn values(r: &EmissionRecord) -> [&(dyn ToSql + Sync); 10] {
    [
        &r.emission_record_id,
        &r.city_id,
        &r.year,
        &r.sector_id,
        &r.scope,
        &r.ghg_type,
        &r.value,
        &r.unit,
        &r.notes,
        &r.misc,
    ]
}

// ---------------------------------------------------------------------------
// get by primary key

#[derive(Clone, Copy, PartialEq)]
enum GetWay {
    Prepared,
    NzcCached,
    NzcPlain,
    Typed,
}

impl GetWay {
    const ALL: [GetWay; 4] = [
        GetWay::Prepared,
        GetWay::NzcCached,
        GetWay::NzcPlain,
        GetWay::Typed,
    ];

    fn label(self) -> &'static str {
        match self {
            GetWay::Prepared => "hand-written, statement prepared once (`query_opt`)",
            GetWay::NzcCached => "`EmissionRecord::get` on `nzc::CachedClient`",
            GetWay::NzcPlain => "`EmissionRecord::get` on a plain `Client` (`query_typed`)",
            GetWay::Typed => "hand-written `query_typed_opt` (unnamed statement)",
        }
    }
}

async fn get_bench(cached: &CachedClient, config: &Config, report: &mut String) {
    let plain: &Client = cached;
    let stored = records(10_000, 0);
    EmissionRecord::insert_many(plain, &stored).await.unwrap();
    plain
        .batch_execute("ANALYZE \"EmissionRecord\"")
        .await
        .unwrap();
    let statement = plain.prepare_typed(GET_SQL, &[Type::UUID]).await.unwrap();
    let keys: Vec<Uuid> = stored.iter().map(|r| r.emission_record_id).collect();

    // Every way returns the same rows.
    for (i, key) in keys.iter().enumerate().step_by(997) {
        let expected = Some(stored[i].clone());
        for way in GetWay::ALL {
            assert!(
                get_one(way, cached, &statement, *key).await == expected,
                "{} disagrees",
                way.label()
            );
        }
    }

    let warm_up = (config.gets / 10).max(10);
    for way in GetWay::ALL {
        for key in keys.iter().cycle().take(warm_up) {
            get_one(way, cached, &statement, *key).await.unwrap();
        }
    }
    // Calls go in blocks of GET_BLOCK per way, the ways taking turns block by
    // block (the first one rotating), so that every way meets the same
    // conditions (this machine's latency drifts over seconds).
    let n = GetWay::ALL.len();
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); n];
    let mut cpu: Vec<Duration> = vec![Duration::ZERO; n];
    for run in 0..config.runs {
        let mut total = vec![Duration::ZERO; n];
        let mut done = 0;
        let mut block = 0;
        while done < config.gets {
            let size = GET_BLOCK.min(config.gets - done);
            for k in 0..n {
                let w = (run + block + k) % n;
                let way = GetWay::ALL[w];
                let keys = keys.iter().cycle().skip(done * 7 + run);
                let cpu_start = cpu_time();
                let start = Instant::now();
                for key in keys.take(size) {
                    get_one(way, cached, &statement, *key).await.unwrap();
                }
                total[w] += start.elapsed();
                cpu[w] += cpu_time().saturating_sub(cpu_start);
            }
            done += size;
            block += 1;
        }
        for (w, t) in total.into_iter().enumerate() {
            times[w].push(t);
        }
    }
    if !config.bench {
        return;
    }
    let base = median(&times[0]);
    let calls = (config.gets * config.runs) as f64;
    let _ = writeln!(
        report,
        "## `get` by primary key\n\n{} calls per way and run (in blocks of {GET_BLOCK}, the ways \
         taking turns) after {warm_up} warm-up calls, median of {} runs (`EmissionRecord`, \
         10 columns, 10 000 rows):\n",
        config.gets, config.runs
    );
    let _ = writeln!(
        report,
        "| way | per call | calls/s | vs hand-written prepared | client CPU per call |\n\
         | --- | ---: | ---: | ---: | ---: |"
    );
    for (w, way) in GetWay::ALL.iter().enumerate() {
        let m = median(&times[w]);
        let per_call = m.as_secs_f64() / config.gets as f64;
        let _ = writeln!(
            report,
            "| {} | {:.1} µs | {:.0} | {:.2}× | {:.1} µs |",
            way.label(),
            per_call * 1e6,
            1.0 / per_call,
            m.as_secs_f64() / base.as_secs_f64(),
            cpu[w].as_secs_f64() / calls * 1e6,
        );
    }
    report.push('\n');
}

/// Calls per way before the next way's turn.
const GET_BLOCK: usize = 500;

/// This process's CPU time (user + system), from `/proc/self/stat` (in
/// clock ticks of 10 ms: summed over many blocks, the rounding evens out).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime: fields 14 and 15 of the line, 11 and 12 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

async fn get_one(
    way: GetWay,
    cached: &CachedClient,
    statement: &tokio_postgres::Statement,
    key: Uuid,
) -> Option<EmissionRecord> {
    let plain: &Client = cached;
    match way {
        GetWay::Prepared => plain
            .query_opt(statement, &[&key])
            .await
            .unwrap()
            .as_ref()
            .map(decode),
        GetWay::NzcCached => EmissionRecord::get(cached, key).await.unwrap(),
        GetWay::NzcPlain => EmissionRecord::get(plain, key).await.unwrap(),
        GetWay::Typed => plain
            .query_typed_opt(GET_SQL, &[(&key, Type::UUID)])
            .await
            .unwrap()
            .as_ref()
            .map(decode),
    }
}

// ---------------------------------------------------------------------------
// bulk insert

async fn insert_bench(cached: &CachedClient, config: &Config, report: &mut String) {
    let client: &Client = cached;
    let rows = records(config.rows, 0);
    let per_row = &rows[..config.row_inserts.min(rows.len())];
    let insert = client
        .prepare_typed(
            &format!(
                "INSERT INTO \"EmissionRecord\" ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ),
            &ROW_TYPES,
        )
        .await
        .unwrap();
    let copy_sql = format!("COPY \"EmissionRecord\" ({COLUMNS}) FROM STDIN (FORMAT binary)");
    let count = || async {
        let n: i64 = client
            .query_one("SELECT count(*) FROM \"EmissionRecord\"", &[])
            .await
            .unwrap()
            .get(0);
        n as usize
    };

    let autocommit = &rows[..(per_row.len() / 5).max(1)];
    let ways = 4;
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); ways];
    for run in 0..config.runs {
        for k in 0..ways {
            let w = (run + k) % ways;
            client
                .batch_execute("TRUNCATE \"EmissionRecord\"; CHECKPOINT")
                .await
                .unwrap();
            let start = Instant::now();
            let written = match w {
                0 => EmissionRecord::insert_many(cached, &rows).await.unwrap() as usize,
                1 => {
                    let sink = client.copy_in(copy_sql.as_str()).await.unwrap();
                    let mut writer = pin!(BinaryCopyInWriter::new(sink, &ROW_TYPES));
                    for r in &rows {
                        writer.as_mut().write(&values(r)).await.unwrap();
                    }
                    writer.finish().await.unwrap() as usize
                }
                2 => {
                    client.batch_execute("BEGIN").await.unwrap();
                    for r in per_row {
                        client.execute(&insert, &values(r)).await.unwrap();
                    }
                    client.batch_execute("COMMIT").await.unwrap();
                    per_row.len()
                }
                _ => {
                    for r in autocommit {
                        client.execute(&insert, &values(r)).await.unwrap();
                    }
                    autocommit.len()
                }
            };
            times[w].push(start.elapsed());
            assert_eq!(count().await, written);
        }
    }
    // The rows insert_many writes are the rows given.
    client
        .batch_execute("TRUNCATE \"EmissionRecord\"")
        .await
        .unwrap();
    EmissionRecord::insert_many(cached, &rows).await.unwrap();
    assert_eq!(EmissionRecord::list(client).await.unwrap(), rows);
    if !config.bench {
        return;
    }

    let rate = |t: &[Duration], n: usize| n as f64 / median(t).as_secs_f64();
    let many = rate(&times[0], rows.len());
    let copy = rate(&times[1], rows.len());
    let single = rate(&times[2], per_row.len());
    let single_autocommit = rate(&times[3], autocommit.len());
    let _ = writeln!(
        report,
        "## Bulk insert\n\n{} `EmissionRecord` rows (two foreign keys, a 5-column unique key, \
         some NULLs and jsonb) into the emptied table, median of {} runs:\n",
        rows.len(),
        config.runs
    );
    let _ = writeln!(
        report,
        "| way | time for {} rows | rows/s | `insert_many` is |\n| --- | ---: | ---: | ---: |",
        rows.len()
    );
    // How `insert_many` compares: the reference itself, its share of the
    // hand-written COPY's throughput, or how many times faster it is.
    #[derive(Clone, Copy, PartialEq)]
    enum Versus {
        Itself,
        Share,
        Faster,
    }
    let line = |report: &mut String, label: &str, rate: f64, versus: Versus| {
        let _ = writeln!(
            report,
            "| {label} | {:.2} s | {rate:.0} | {} |",
            rows.len() as f64 / rate,
            match versus {
                Versus::Itself => "—".to_string(),
                Versus::Share => format!("{:.2}× its throughput", many / rate),
                Versus::Faster => format!("{:.1}× faster", many / rate),
            }
        );
    };
    line(
        report,
        "`EmissionRecord::insert_many` (binary COPY)",
        many,
        Versus::Itself,
    );
    line(
        report,
        "hand-written `BinaryCopyInWriter`",
        copy,
        Versus::Share,
    );
    line(
        report,
        &format!(
            "one prepared `INSERT` per row, all in one transaction ({} rows measured, extrapolated)",
            per_row.len()
        ),
        single,
        Versus::Faster,
    );
    line(
        report,
        &format!(
            "one prepared `INSERT` per row, each its own transaction ({} rows measured, extrapolated)",
            autocommit.len()
        ),
        single_autocommit,
        Versus::Faster,
    );
    report.push('\n');
}

// ---------------------------------------------------------------------------
// bulk upsert

/// `upsert_many` (and `upsert_many_by_<key>`) of `rows` rows, half already
/// stored (with other values), against the per-row `upsert_by_<key>` /
/// `upsert` in one transaction, and against `insert_many` of the same rows
/// into an empty table.
async fn upsert_bench(
    cached: &CachedClient,
    plain: &mut Client,
    config: &Config,
    report: &mut String,
) {
    let client: &Client = cached;
    let stored = records(config.rows, 0);
    let half = stored.len() / 2;
    // The input: every row with a new value; the first half exists already.
    let input: Vec<EmissionRecord> = stored
        .iter()
        .map(|r| EmissionRecord {
            value: r.value + 1,
            ..r.clone()
        })
        .collect();
    let n = config.row_inserts.min(input.len());
    let sample = &input[half - n / 2..half - n / 2 + n];
    let reset = |preload: bool| {
        let stored = &stored;
        async move {
            client
                .batch_execute("TRUNCATE \"EmissionRecord\"; CHECKPOINT")
                .await
                .unwrap();
            if preload {
                EmissionRecord::insert_many(client, &stored[..half])
                    .await
                    .unwrap();
                client
                    .batch_execute("ANALYZE \"EmissionRecord\"")
                    .await
                    .unwrap();
            }
        }
    };
    let ways = 6;
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); ways];
    for run in 0..config.runs {
        for k in 0..ways {
            let w = (run + k) % ways;
            reset(w != 4).await;
            let start = Instant::now();
            match w {
                0 => {
                    let c = EmissionRecord::upsert_many(cached, &input).await.unwrap();
                    assert_eq!(
                        (c.inserted, c.updated),
                        ((input.len() - half) as u64, half as u64)
                    );
                }
                1 => {
                    let c = EmissionRecord::upsert_many_by_city_id_year_sector_id_scope_ghg_type(
                        cached, &input,
                    )
                    .await
                    .unwrap();
                    assert_eq!(c.total(), input.len() as u64);
                }
                2 => {
                    client.batch_execute("BEGIN").await.unwrap();
                    for r in sample {
                        r.upsert_by_city_id_year_sector_id_scope_ghg_type(cached)
                            .await
                            .unwrap();
                    }
                    client.batch_execute("COMMIT").await.unwrap();
                }
                3 => {
                    client.batch_execute("BEGIN").await.unwrap();
                    for r in sample {
                        r.upsert(cached).await.unwrap();
                    }
                    client.batch_execute("COMMIT").await.unwrap();
                }
                4 => {
                    EmissionRecord::insert_many(cached, &input).await.unwrap();
                }
                _ => {
                    // A tokio-postgres `Transaction` on a plain connection
                    // (no statement cache), as the runtime's docs show one.
                    let tx = plain.transaction().await.unwrap();
                    for r in sample {
                        r.upsert_by_city_id_year_sector_id_scope_ghg_type(&tx)
                            .await
                            .unwrap();
                    }
                    tx.commit().await.unwrap();
                }
            }
            times[w].push(start.elapsed());
        }
    }
    // What upsert_many leaves is the input.
    reset(true).await;
    EmissionRecord::upsert_many(cached, &input).await.unwrap();
    assert_eq!(EmissionRecord::list(client).await.unwrap(), input);
    if !config.bench {
        return;
    }
    let rate = |t: &[Duration], n: usize| n as f64 / median(t).as_secs_f64();
    let many = rate(&times[0], input.len());
    let many_by = rate(&times[1], input.len());
    let by_row = rate(&times[2], n);
    let pk_row = rate(&times[3], n);
    let insert = rate(&times[4], input.len());
    let by_row_plain = rate(&times[5], n);
    let _ = writeln!(
        report,
        "## Bulk upsert\n\n{} `EmissionRecord` rows, half of them stored already (with other \
         values), half new; median of {} runs:\n",
        input.len(),
        config.runs
    );
    let _ = writeln!(
        report,
        "| way | time for {} rows | rows/s |\n| --- | ---: | ---: |",
        input.len()
    );
    for (label, r) in [
        ("`EmissionRecord::upsert_many` (primary key)".to_string(), many),
        (
            "`upsert_many_by_city_id_year_sector_id_scope_ghg_type` (the 5-column key, NULL-safe)"
                .to_string(),
            many_by,
        ),
        (
            format!("`upsert_by_city_id_year_sector_id_scope_ghg_type` row by row, one transaction, on the `CachedClient` ({n} rows measured, extrapolated)"),
            by_row,
        ),
        (
            format!("`upsert_by_city_id_year_sector_id_scope_ghg_type` row by row in one `Transaction` of a plain `Client` (no statement cache; {n} rows measured, extrapolated)"),
            by_row_plain,
        ),
        (
            format!("`upsert` row by row, one transaction ({n} rows measured, extrapolated)"),
            pk_row,
        ),
        (
            "`insert_many` of the same rows into the empty table (binary COPY)".to_string(),
            insert,
        ),
    ] {
        let _ = writeln!(
            report,
            "| {label} | {:.2} s | {r:.0} |",
            input.len() as f64 / r
        );
    }
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    let _ = writeln!(
        report,
        "\nGoals: `upsert_many` ≥ 20× the row-by-row `upsert_by_…` on a `Transaction`: **{:.1}×** ({}; `upsert_many_by_…` {:.1}×); on a `CachedClient`: **{:.1}×** ({}; `upsert_many_by_…` {:.1}×, vs row-by-row `upsert` {:.1}×); ≥ 0.5× `insert_many`'s throughput: **{:.2}×** ({}; `upsert_many_by_…` {:.2}×).\n",
        many / by_row_plain,
        verdict(many / by_row_plain >= 20.0),
        many_by / by_row_plain,
        many / by_row,
        verdict(many / by_row >= 20.0),
        many_by / by_row,
        many / pk_row,
        many / insert,
        verdict(many / insert >= 0.5),
        many_by / insert,
    );
}

// ---------------------------------------------------------------------------
// batch relations

/// `City::emission_records_of` for `parents` cities against one
/// `emission_records` call per city.
async fn relations_bench(cached: &CachedClient, config: &Config, report: &mut String) {
    let client: &Client = cached;
    client
        .batch_execute("TRUNCATE \"EmissionRecord\"")
        .await
        .unwrap();
    let cities: Vec<City> = (0..config.parents)
        .map(|i| City {
            city_id: Uuid::from_u128(500_000 + i as u128),
            city_name: format!("city {i}"),
            country: "FR".into(),
            locode: None,
            area_km2: None,
            notes: None,
            misc: None,
        })
        .collect();
    City::insert_many(cached, &cities).await.unwrap();
    // Five records per city (none for every tenth city).
    let children: Vec<EmissionRecord> = records(cities.len() * 5, 0)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| (i / 5) % 10 != 9)
        .map(|(i, r)| EmissionRecord {
            city_id: Some(cities[i / 5].city_id),
            ..r
        })
        .collect();
    EmissionRecord::insert_many(cached, &children)
        .await
        .unwrap();
    client.batch_execute("ANALYZE").await.unwrap();
    let mut batch = Vec::new();
    let mut each = Vec::new();
    for _ in 0..config.runs {
        let start = Instant::now();
        let all = City::emission_records_of(cached, &cities).await.unwrap();
        batch.push(start.elapsed());
        let start = Instant::now();
        let mut one_by_one = Vec::with_capacity(cities.len());
        for c in &cities {
            one_by_one.push(c.emission_records(cached).await.unwrap());
        }
        each.push(start.elapsed());
        assert_eq!(all, one_by_one);
    }
    if !config.bench {
        return;
    }
    let (b, e) = (median(&batch), median(&each));
    let _ = writeln!(
        report,
        "## Batch relations\n\nThe `EmissionRecord` rows of {} cities ({} rows; every tenth city has none), median of {} runs:\n\n\
         | way | time | |\n| --- | ---: | ---: |\n\
         | `City::emission_records_of(db, &cities)` (one query) | {:.1} ms | {:.1}× faster |\n\
         | `city.emission_records(db)` for each city ({} queries) | {:.1} ms | — |\n",
        cities.len(),
        children.len(),
        config.runs,
        b.as_secs_f64() * 1e3,
        e.as_secs_f64() / b.as_secs_f64(),
        cities.len(),
        e.as_secs_f64() * 1e3,
    );
}

// ---------------------------------------------------------------------------
// streaming

/// The process's resident set (`VmRSS`) and its peak (`VmHWM`), in KiB.
fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets the peak resident set (`VmHWM`) to the current one (Linux).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `Query::stream` over `stream_rows` rows: the peak resident set above the
/// start, against `Query::all` of the same rows.
async fn stream_bench(cached: &CachedClient, config: &Config, report: &mut String) {
    use nzc::futures_util::TryStreamExt;
    let client: &Client = cached;
    client
        .batch_execute("TRUNCATE \"EmissionRecord\"")
        .await
        .unwrap();
    // Loaded in chunks, so that the rows never sit in this process at once.
    let chunk = 100_000;
    let mut loaded = 0;
    while loaded < config.stream_rows {
        let n = chunk.min(config.stream_rows - loaded);
        EmissionRecord::insert_many(cached, &records(n, loaded))
            .await
            .unwrap();
        loaded += n;
    }
    client
        .batch_execute("VACUUM ANALYZE \"EmissionRecord\"")
        .await
        .unwrap();

    reset_peak();
    let (start_rss, _) = rss_kib();
    let started = Instant::now();
    let query = EmissionRecord::query();
    let mut rows = pin!(query.stream(client));
    let (mut count, mut sum) = (0usize, 0i64);
    while let Some(r) = rows.try_next().await.unwrap() {
        count += 1;
        sum += i64::from(r.value);
    }
    let stream_time = started.elapsed();
    let (_, stream_peak) = rss_kib();
    assert_eq!(count, config.stream_rows);

    reset_peak();
    let (all_start, _) = rss_kib();
    let started = Instant::now();
    let all = EmissionRecord::query().all(client).await.unwrap();
    let all_time = started.elapsed();
    let (_, all_peak) = rss_kib();
    assert_eq!(all.len(), count);
    assert_eq!(all.iter().map(|r| i64::from(r.value)).sum::<i64>(), sum);
    drop(all);
    if !config.bench {
        return;
    }
    let mib = |kib: u64| kib as f64 / 1024.0;
    let stream_delta = stream_peak.saturating_sub(start_rss);
    let all_delta = all_peak.saturating_sub(all_start);
    let _ = writeln!(
        report,
        "## Streaming\n\nEvery row of `EmissionRecord` ({count} rows), decoded into structs; the \
         process's peak resident set (`VmHWM`, reset before each way) above its size at the start:\n\n\
         | way | time | peak RSS above the start |\n| --- | ---: | ---: |\n\
         | `EmissionRecord::query().stream(db)` | {:.2} s | {:.1} MiB |\n\
         | `EmissionRecord::query().all(db)` | {:.2} s | {:.1} MiB |\n\n\
         Goal: the stream's peak ≤ 50 MiB above the start: **{}** ({:.1} MiB).\n",
        stream_time.as_secs_f64(),
        mib(stream_delta),
        all_time.as_secs_f64(),
        mib(all_delta),
        if mib(stream_delta) <= 50.0 { "met" } else { "NOT met" },
        mib(stream_delta),
    );
}

// ---------------------------------------------------------------------------
// build

/// The size of the derive's expansion of the generated structs.
fn expansion_size(report: &mut String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated/src");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let (mut models, mut input_lines, mut expanded_lines, mut expanded_bytes) = (0, 0, 0, 0);
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        input_lines += source.lines().count();
        let file = syn::parse_file(&source).unwrap();
        for item in file.items {
            let syn::Item::Struct(s) = item else { continue };
            let tokens = quote::ToTokens::to_token_stream(&s);
            let expanded = nzc_macros_core::expand_model(tokens);
            let pretty =
                prettyplease::unparse(&syn::parse2(expanded).expect("an expansion parses"));
            models += 1;
            expanded_lines += pretty.lines().count();
            expanded_bytes += pretty.len();
        }
    }
    assert_eq!(models, 17);
    let _ = writeln!(
        report,
        "## The generated crate\n\n`generated/` ({models} models): {input_lines} lines of source \
         (structs and relation methods); the derive expands the {models} structs to \
         {expanded_lines} lines ({:.0} KiB) pretty-printed, {} lines per model.\n",
        expanded_bytes as f64 / 1024.0,
        expanded_lines / models
    );
}

/// A cold `cargo build -p nzc-models --timings` in a fresh target directory.
fn cold_build(report: &mut String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = std::env::temp_dir().join(format!("nzc-bench-cold-build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&target);
    let start = Instant::now();
    let status = Command::new(&cargo)
        .args(["build", "-p", "nzc-models", "--timings", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .status()
        .expect("run cargo");
    let total = start.elapsed();
    assert!(status.success(), "cargo build -p nzc-models failed");
    let html = std::fs::read_to_string(target.join("cargo-timings/cargo-timing.html"))
        .expect("the timings report");
    let unit = |name: &str| unit_duration(&html, name);
    let _ = writeln!(
        report,
        "Cold `cargo build -p nzc-models --timings` (dev profile, fresh target directory, every \
         dependency built): {:.1} s in all; own compile time of `nzc-models` {}, `nzc` {}, \
         `nzc-macros` {}, `nzc-macros-core` {}.\n",
        total.as_secs_f64(),
        unit("nzc-models"),
        unit("nzc"),
        unit("nzc-macros"),
        unit("nzc-macros-core"),
    );
    let _ = std::fs::remove_dir_all(&target);
}

/// The `duration` of unit `name` in a cargo timings report (its `UNIT_DATA`).
fn unit_duration(html: &str, name: &str) -> String {
    let needle = format!("\"name\": \"{name}\"");
    let alt = format!("\"name\":\"{name}\"");
    let Some(at) = html.find(&needle).or_else(|| html.find(&alt)) else {
        return "?".into();
    };
    let rest = &html[at..];
    let Some(d) = rest.find("\"duration\":") else {
        return "?".into();
    };
    let number: String = rest[d + "\"duration\":".len()..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    match number.parse::<f64>() {
        Ok(secs) => format!("{secs:.2} s"),
        Err(_) => "?".into(),
    }
}

// ---------------------------------------------------------------------------

/// The upper of the two middle values for an even count (unlike
/// `support::figures::median`, which takes their mean).
fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}
