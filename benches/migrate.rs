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

use support::command::check;
use support::figures::{median, min_max, ms};
use support::pg::{self, psql_query, sqlalchemy_url, Admin, HISTORY_TABLES};
use support::{alembic, env_usize, load_average, nzc_binary, nzc_command, up_files};

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const DEFAULT_RUNS: usize = 15;

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let runs = if bench {
        env_usize("NZC_BENCH_RUNS").unwrap_or(DEFAULT_RUNS)
    } else {
        0
    };
    let admin = pg::admin_url(pg::DEFAULT_ADMIN_URL);
    let Some(server) = pg::server_version(&admin, "migrate", bench) else {
        return;
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

    let nzc = nzc_binary();
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
    let alembic_version = match alembic::find() {
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
            alembic::skipped("migrate", &why);
            None
        }
    };

    let admin = Admin::new(admin, "migrate");
    let load_before = load_average();

    // Untimed round: every contender works and leaves the same schema.
    let mut reference: Option<String> = None;
    contenders.retain_mut(|c| {
        let db = admin.fresh();
        let result = c
            .apply(&db.url, &floor_sql)
            .and_then(|_| fingerprint(&db.url));
        drop(db);
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
            let db = admin.fresh();
            let start = Instant::now();
            let result = c.apply(&db.url, &floor_sql);
            let took = start.elapsed();
            if let Err(why) = result {
                drop(db);
                panic!("{} failed in round {round}: {why}", c.kind.name());
            }
            c.times.push(took);
            if !matches!(c.kind, Kind::Floor | Kind::OneQuery) {
                // The same command again: nothing to apply (start-up and bookkeeping).
                let start = Instant::now();
                let result = c.apply(&db.url, &floor_sql);
                c.noop_times.push(start.elapsed());
                if let Err(why) = result {
                    drop(db);
                    panic!("{} (second run) failed: {why}", c.kind.name());
                }
            }
            drop(db);
        }
    }
    // For scale: what starting psql and connecting costs, with no SQL to speak of.
    let connect: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            psql_query(&admin.url, "SELECT 1").expect("psql SELECT 1");
            start.elapsed()
        })
        .collect();

    let mut o = String::new();
    let _ = writeln!(
        o,
        "\n## Applying the {} migrations of migrations/ to a fresh database\n",
        ups.len()
    );
    support::write_machine_load(&mut o, &load_before, &load_average());
    pg::write_versions(&mut o, &server, &nzc, alembic_version.as_deref());
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
            } => nzc_command(bin, cwd)
                .args([
                    "migrate",
                    "upgrade",
                    "head",
                    "--database-url",
                    url,
                    "--migrations-dir",
                ])
                .arg(migrations)
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

// ---------------------------------------------------------------------------
// The schema left behind

/// The columns, constraints and indexes of the database, without the history tables.
fn fingerprint(url: &str) -> Result<String, String> {
    pg::fingerprint(
        url,
        &[
            format!(
                "SELECT format('column %s.%s %s %s %s', table_name, column_name, data_type, is_nullable, column_default) AS line
                   FROM information_schema.columns
                  WHERE table_schema = 'public' AND table_name NOT IN ({HISTORY_TABLES})"
            ),
            "SELECT format('type %s %s', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder))
               FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
              WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname"
                .into(),
        ],
    )
}
