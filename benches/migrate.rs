//! Benchmark of applying this repository's migrations (`harness = false`).
//!
//! `cargo bench --bench migrate` applies the four migrations of `migrations/`
//! to a fresh PostgreSQL database with three contenders and reports the
//! median wall time of each (the whole command: process start, connection,
//! SQL, history bookkeeping):
//!
//! - **nzc**: `nzc migrate upgrade head` — the `nzc` binary cargo builds
//!   with this bench (`target/release/nzc` under `cargo bench`; `NZC_BIN`
//!   overrides it);
//! - **floor**: `psql -1 -f` of the same `up.sql` files concatenated — one
//!   transaction, no history table: the least any tool can do;
//! - **psql, one query string**: the same SQL passed with `psql -1 -c`, so
//!   it goes to the server as one query (one round trip) instead of one
//!   statement at a time as `-f` sends it;
//! - **alembic**: `alembic upgrade head` of `tools/alembic-bench`, a chain of
//!   four revisions that `op.execute` the same `up.sql` files. Alembic is
//!   looked up as `NZC_BENCH_ALEMBIC`, then `/tmp/nzc-alembic-venv/bin/alembic`,
//!   then `alembic` on `PATH`; when none works, it is skipped with a message.
//!
//! Every run gets its own database (`nzc_bench_<pid>_<n>`, created and
//! dropped through `psql` as the admin user of `NZC_BENCH_ADMIN_URL`, else
//! `NZC_TEST_ADMIN_URL`, else `postgresql://postgres@127.0.0.1:5432/postgres`).
//! A first, untimed round checks that the three leave the same schema behind.
//! Then `NZC_BENCH_RUNS` rounds (default 15), the contenders' order rotating
//! from round to round. Without `--bench` (as `cargo test --all-targets` runs
//! it) only the checking round runs, and a missing PostgreSQL is not an error.

mod support;

use support::{load_average, machine};

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const DEFAULT_ADMIN_URL: &str = "postgresql://postgres@127.0.0.1:5432/postgres";
const DEFAULT_VENV_ALEMBIC: &str = "/tmp/nzc-alembic-venv/bin/alembic";
const DEFAULT_RUNS: usize = 15;
/// Tables that record applied migrations; not part of the schema compared.
const HISTORY_TABLES: &str = "'nzc_migrations', 'alembic_version'";

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let runs = if bench {
        std::env::var("NZC_BENCH_RUNS").map_or(DEFAULT_RUNS, |v| {
            v.trim()
                .parse()
                .unwrap_or_else(|_| panic!("NZC_BENCH_RUNS must be a number, not `{v}`"))
        })
    } else {
        0
    };
    let admin = std::env::var("NZC_BENCH_ADMIN_URL")
        .or_else(|_| std::env::var("NZC_TEST_ADMIN_URL"))
        .unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_string());
    let server = match psql_query(&admin, "SHOW server_version") {
        Ok(v) => v,
        Err(why) => {
            eprintln!("migrate bench: PostgreSQL is not reachable through psql at {admin}: {why}");
            if bench {
                std::process::exit(1);
            }
            println!(
                "migrate bench skipped: no PostgreSQL (run `cargo bench --bench migrate` with one)"
            );
            return;
        }
    };

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let migrations_dir = root.join("migrations");
    let ups = up_files(&migrations_dir);
    let scratch = tempfile::tempdir().expect("temporary directory");
    let floor_sql = scratch.path().join("all_up.sql");
    let mut all = String::new();
    for up in &ups {
        all.push_str(&std::fs::read_to_string(up).expect("read up.sql"));
        all.push('\n');
    }
    std::fs::write(&floor_sql, all).expect("write the concatenated SQL");

    let nzc = std::env::var_os("NZC_BIN")
        .map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_nzc")), PathBuf::from);
    let mut contenders = vec![
        Contender::new(
            Kind::Floor,
            format!(
                "psql -X -q -1 -v ON_ERROR_STOP=1 -f <the {} up.sql concatenated>",
                ups.len()
            ),
        ),
        Contender::new(
            Kind::OneQuery,
            "psql -X -q -1 -v ON_ERROR_STOP=1 -c \"<the same SQL>\"".into(),
        ),
        Contender::new(
            Kind::Nzc {
                bin: nzc.clone(),
                migrations: migrations_dir.clone(),
                cwd: scratch.path().to_path_buf(),
            },
            "nzc migrate upgrade head".into(),
        ),
    ];
    let alembic_version = match find_alembic() {
        Ok((bin, version)) => {
            contenders.push(Contender::new(
                Kind::Alembic {
                    bin,
                    ini: root.join("tools/alembic-bench/alembic.ini"),
                },
                "alembic -c tools/alembic-bench/alembic.ini upgrade head".into(),
            ));
            Some(version)
        }
        Err(why) => {
            eprintln!("migrate bench: alembic skipped: {why}");
            eprintln!(
                "  to include it: python3 -m venv /tmp/nzc-alembic-venv && /tmp/nzc-alembic-venv/bin/pip install -r tools/alembic-bench/requirements.txt"
            );
            None
        }
    };

    let db = Databases {
        admin: admin.clone(),
    };
    let load_before = load_average();

    // Untimed round: every contender works and leaves the same schema.
    let mut reference: Option<String> = None;
    contenders.retain_mut(|c| {
        let name = db.fresh();
        let result = c
            .apply(&db.url(&name), &floor_sql)
            .and_then(|_| fingerprint(&db.url(&name)));
        db.drop(&name);
        match result {
            Ok(fp) => {
                match &reference {
                    None => reference = Some(fp),
                    Some(r) => assert_eq!(
                        *r,
                        fp,
                        "{} left a different schema than the floor",
                        c.kind.name()
                    ),
                }
                true
            }
            Err(why) if matches!(c.kind, Kind::Alembic { .. }) => {
                eprintln!("migrate bench: alembic skipped: its run failed: {why}");
                false
            }
            Err(why) => panic!("{} failed: {why}", c.kind.name()),
        }
    });
    if !bench {
        println!(
            "migrate bench: quick check passed ({}: same schema); run `cargo bench --bench migrate` for figures",
            contenders.iter().map(|c| c.kind.name()).collect::<Vec<_>>().join(", ")
        );
        return;
    }

    eprintln!(
        "migrate bench: {runs} rounds of {} contenders …",
        contenders.len()
    );
    let n = contenders.len();
    for round in 0..runs {
        for k in 0..n {
            let c = &mut contenders[(round + k) % n];
            let name = db.fresh();
            let url = db.url(&name);
            let start = Instant::now();
            let result = c.apply(&url, &floor_sql);
            let took = start.elapsed();
            if let Err(why) = result {
                db.drop(&name);
                panic!("{} failed in round {round}: {why}", c.kind.name());
            }
            c.times.push(took);
            if !matches!(c.kind, Kind::Floor | Kind::OneQuery) {
                // The same command again: nothing to apply (start-up and bookkeeping).
                let start = Instant::now();
                let result = c.apply(&url, &floor_sql);
                c.noop_times.push(start.elapsed());
                if let Err(why) = result {
                    db.drop(&name);
                    panic!("{} (second run) failed: {why}", c.kind.name());
                }
            }
            db.drop(&name);
        }
    }
    // For scale: what starting psql and connecting costs, with no SQL to speak of.
    let connect: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            psql_query(&admin, "SELECT 1").expect("psql SELECT 1");
            start.elapsed()
        })
        .collect();

    let mut o = String::new();
    let _ = writeln!(
        o,
        "\n## Applying the {} migrations of migrations/ to a fresh database\n",
        ups.len()
    );
    let _ = writeln!(o, "{}", machine());
    let _ = writeln!(
        o,
        "load average (1/5/15 min): {load_before} before, {} after",
        load_average()
    );
    let _ = writeln!(
        o,
        "PostgreSQL {server}; nzc: {}; {}",
        nzc.display(),
        alembic_version.as_deref().unwrap_or("alembic: skipped")
    );
    let _ = writeln!(
        o,
        "{runs} runs each, a fresh database per run; medians (min–max)\n"
    );
    let floor = median(&contenders[0].times);
    let _ = writeln!(
        o,
        "| contender | command | median | min–max | vs floor | again, nothing to apply |"
    );
    let _ = writeln!(o, "|---|---|---:|---:|---:|---:|");
    for c in &contenders {
        let m = median(&c.times);
        let (lo, hi) = min_max(&c.times);
        let noop = if c.noop_times.is_empty() {
            "—".to_string()
        } else {
            ms(median(&c.noop_times))
        };
        let _ = writeln!(
            o,
            "| {} | `{}` | {} | {}–{} | {:.2}× | {} |",
            c.kind.name(),
            c.command,
            ms(m),
            ms(lo),
            ms(hi),
            m.as_secs_f64() / floor.as_secs_f64(),
            noop
        );
    }
    let _ = writeln!(
        o,
        "\nFor scale: `psql -c 'SELECT 1'` (start psql, connect, one query) takes {} (median).",
        ms(median(&connect))
    );
    print!("{o}");
}

// ---------------------------------------------------------------------------
// Contenders

enum Kind {
    Floor,
    /// The same SQL as one query string: one round trip instead of one per statement.
    OneQuery,
    Nzc {
        bin: PathBuf,
        migrations: PathBuf,
        cwd: PathBuf,
    },
    Alembic {
        bin: PathBuf,
        ini: PathBuf,
    },
}

impl Kind {
    fn name(&self) -> &'static str {
        match self {
            Kind::Floor => "floor (psql, one transaction)",
            Kind::OneQuery => "psql, one query string",
            Kind::Nzc { .. } => "nzc",
            Kind::Alembic { .. } => "alembic",
        }
    }
}

struct Contender {
    kind: Kind,
    command: String,
    times: Vec<Duration>,
    noop_times: Vec<Duration>,
}

impl Contender {
    fn new(kind: Kind, command: String) -> Contender {
        Contender {
            kind,
            command,
            times: Vec::new(),
            noop_times: Vec::new(),
        }
    }

    /// Applies every migration to the database at `url`.
    fn apply(&self, url: &str, floor_sql: &Path) -> Result<(), String> {
        let output = match &self.kind {
            Kind::Floor => Command::new("psql")
                .args(["-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
                .arg(floor_sql)
                .output(),
            Kind::OneQuery => match std::fs::read_to_string(floor_sql) {
                Ok(sql) => Command::new("psql")
                    .args(["-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", url, "-c"])
                    .arg(sql)
                    .output(),
                Err(e) => Err(e),
            },
            Kind::Nzc {
                bin,
                migrations,
                cwd,
            } => Command::new(bin)
                .args([
                    "migrate",
                    "upgrade",
                    "head",
                    "--database-url",
                    url,
                    "--migrations-dir",
                ])
                .arg(migrations)
                .env_remove("DATABASE_URL")
                .env_remove("DB_URL")
                .current_dir(cwd)
                .output(),
            Kind::Alembic { bin, ini } => Command::new(bin)
                .arg("-c")
                .arg(ini)
                .args(["upgrade", "head"])
                .env("NZC_BENCH_DATABASE_URL", sqlalchemy_url(url))
                .output(),
        };
        check(output)
    }
}

/// The alembic executable and its version, or why there is none.
fn find_alembic() -> Result<(PathBuf, String), String> {
    let candidates: Vec<PathBuf> = match std::env::var_os("NZC_BENCH_ALEMBIC") {
        Some(p) => vec![PathBuf::from(p)],
        None => vec![
            PathBuf::from(DEFAULT_VENV_ALEMBIC),
            PathBuf::from("alembic"),
        ],
    };
    let mut why = Vec::new();
    for bin in candidates {
        match Command::new(&bin).arg("--version").output() {
            Ok(out) if out.status.success() => {
                let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
                return Ok((bin, version));
            }
            Ok(out) => why.push(format!(
                "`{} --version` failed: {}",
                bin.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            )),
            Err(e) => why.push(format!("{}: {e}", bin.display())),
        }
    }
    Err(why.join("; "))
}

// ---------------------------------------------------------------------------
// Databases

struct Databases {
    admin: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Databases {
    /// Creates an empty database with a name unique to this process.
    fn fresh(&self) -> String {
        let name = format!(
            "nzc_bench_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        psql_query(&self.admin, &format!("CREATE DATABASE \"{name}\""))
            .unwrap_or_else(|e| panic!("create database {name}: {e}"));
        name
    }

    fn drop(&self, name: &str) {
        if let Err(e) = psql_query(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        ) {
            eprintln!("migrate bench: could not drop database {name}: {e}");
        }
    }

    /// The admin URL with the database name replaced.
    fn url(&self, name: &str) -> String {
        with_database(&self.admin, name)
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// `postgresql+psycopg://…` for SQLAlchemy.
fn sqlalchemy_url(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    format!("postgresql+psycopg://{rest}")
}

/// Runs one statement with psql; its output, trimmed.
fn psql_query(url: &str, sql: &str) -> Result<String, String> {
    let output = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            sql,
        ])
        .output();
    let output = output.map_err(|e| format!("cannot run psql: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

fn check(output: std::io::Result<Output>) -> Result<(), String> {
    let output = output.map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout).trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// The columns, constraints and indexes of the database, without the history tables.
fn fingerprint(url: &str) -> Result<String, String> {
    psql_query(
        url,
        &format!(
            "SELECT string_agg(line, E'\\n' ORDER BY line) FROM (
               SELECT format('column %s.%s %s %s %s', table_name, column_name, data_type, is_nullable, column_default) AS line
                 FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name NOT IN ({HISTORY_TABLES})
               UNION ALL
               SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
                 FROM pg_constraint
                WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT IN ({HISTORY_TABLES})
               UNION ALL
               SELECT 'index ' || indexdef FROM pg_indexes
                WHERE schemaname = 'public' AND tablename NOT IN ({HISTORY_TABLES})
               UNION ALL
               SELECT format('type %s %s', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder))
                 FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
                WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname
             ) AS s"
        ),
    )
}

/// The `up.sql` of every migration directory, in version order.
fn up_files(dir: &Path) -> Vec<PathBuf> {
    let mut ups: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path().join("up.sql"))
        .filter(|p| p.is_file())
        .collect();
    ups.sort();
    assert!(!ups.is_empty(), "no migrations in {}", dir.display());
    ups
}

// ---------------------------------------------------------------------------
// Figures

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    let n = v.len();
    assert!(n > 0);
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

fn min_max(v: &[Duration]) -> (Duration, Duration) {
    (
        v.iter().copied().min().unwrap_or_default(),
        v.iter().copied().max().unwrap_or_default(),
    )
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}
