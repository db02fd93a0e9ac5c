//! Benchmark of reading a live database back (`harness = false`): the drift
//! check and `nzc db pull`.
//!
//! `cargo bench --bench drift` measures, each time the whole command
//! (process start, connection, catalog queries, comparison, output):
//!
//! 1. **The drift check on the 17 tables of `migrations/`**:
//!    `nzc migrate check` (the `nzc` binary cargo builds with this bench;
//!    `NZC_BIN` overrides it), run in a project directory holding a copy of
//!    `migrations/`, against a fresh database migrated with `nzc migrate
//!    upgrade head`; and `alembic check` of `tools/alembic-bench/check.ini`,
//!    whose `env.py` sets `target_metadata` to the SQLAlchemy declarative
//!    models of `tools/alembic-bench/models.py`, against a fresh database
//!    built by `alembic upgrade head` of the same SQL (so stamped at head).
//!    Both also on a drifted copy (one extra column): nzc exits 2, Alembic
//!    non-zero. Alembic is looked up as `NZC_BENCH_ALEMBIC`, then
//!    `/tmp/nzc-alembic-venv/bin/alembic`, then `alembic` on `PATH`; when
//!    none works, it is skipped with a message.
//! 2. **`nzc db pull` of a database of `NZC_BENCH_PULL_TABLES` tables**
//!    (default 1000; the synthetic schema of `benches/compile.rs`: 20 columns
//!    per table, foreign keys, uniques, indexes, checks, enums, defaults,
//!    docs), built untimed by `nzc compile` and `nzc migrate upgrade head`;
//!    the pulled file goes to tmpfs (`/dev/shm`). `nzc migrate check` on the
//!    same database takes turns with it, for information.
//!
//! Untimed, first: every command exits as expected (in sync 0, drift 2 for
//! nzc and non-zero for Alembic), the nzc and Alembic databases hold the same
//! schema, and the pulled file is verified: compiled by `nzc compile` into a
//! fresh project and migrated into a second fresh database, it gives the same
//! catalog (columns in order, types, nullability, defaults, constraints,
//! indexes, enums, comments, as PostgreSQL prints them) as the original, and
//! pulling that second database gives the same file again.
//!
//! Every database is `nzc_bench_<pid>_<n>`, created and dropped through
//! `psql` as the admin user of `NZC_BENCH_ADMIN_URL`, else
//! `NZC_TEST_ADMIN_URL`, else `postgresql://postgres@127.0.0.1:5432/postgres`.
//! `NZC_BENCH_RUNS` rounds (default 15), the contenders' order rotating from
//! round to round; max RSS from `/usr/bin/time` when it is installed.
//! Without `--bench` (as `cargo test --all-targets` runs it) only the
//! untimed checks run, on a 40-table database for the pull; a missing
//! PostgreSQL or Alembic is then not an error.

mod support;

use support::command::{check, timed, Run, Sample};
use support::figures::{median, min_max, ms, verdict, MIB};
use support::pg::{self, psql_query, sqlalchemy_url, Admin, Database, HISTORY_TABLES};
use support::schema::schema_source;
use support::{alembic, dir_kind, env_usize, load_average, nzc_binary, nzc_command, scratch_dir};

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const DEFAULT_RUNS: usize = 15;
const DEFAULT_PULL_TABLES: usize = 1000;
/// Tables of the pulled database without `--bench`.
const QUICK_PULL_TABLES: usize = 40;
/// The issue's goals: `nzc migrate check` at least this many times faster
/// than `alembic check`; `nzc db pull` of 1000 tables under this.
const TARGET_SPEEDUP: f64 = 10.0;
const TARGET_PULL: Duration = Duration::from_secs(1);
/// `nzc migrate check`'s exit status on drift.
const EXIT_DRIFT: i32 = 2;
/// The drift of the drifted copies: one column the schema does not have.
const DRIFT_SQL: &str = r#"ALTER TABLE "City" ADD COLUMN "extra" text"#;
/// `nzc compile` of `schema.nzc` in a project directory.
const COMPILE: [&str; 6] = [
    "compile",
    "schema.nzc",
    "--out",
    "generated",
    "--migrations-dir",
    "migrations",
];

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let runs = if bench {
        env_usize("NZC_BENCH_RUNS").unwrap_or(DEFAULT_RUNS)
    } else {
        0
    };
    let pull_tables = if bench {
        env_usize("NZC_BENCH_PULL_TABLES").unwrap_or(DEFAULT_PULL_TABLES)
    } else {
        QUICK_PULL_TABLES
    };
    let admin = pg::admin_url(pg::DEFAULT_ADMIN_URL);
    let Some(server) = pg::server_version(&admin, "drift", bench) else {
        return;
    };

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let nzc = nzc_binary();
    let scratch = scratch_dir("nzc-bench-drift-");
    let admin = Admin::new(admin, "drift");
    let load_before = load_average();

    let mut check = CheckBench::prepare(&admin, root, &nzc, scratch.path());
    let mut pull = PullBench::prepare(&admin, &nzc, scratch.path(), pull_tables);
    if !bench {
        println!(
            "drift bench: quick check passed ({}; pull of {pull_tables} tables round-trips); \
             run `cargo bench --bench drift` for figures",
            check
                .contenders
                .iter()
                .map(|c| format!("{} {}", c.label, c.database))
                .collect::<Vec<_>>()
                .join(", ")
        );
        return;
    }

    eprintln!(
        "drift bench: {runs} rounds of {} check contenders …",
        check.contenders.len()
    );
    check.measure(runs);
    eprintln!(
        "drift bench: {runs} rounds of `nzc db pull` / `nzc migrate check`, {pull_tables} tables …"
    );
    pull.measure(runs);

    let mut o = String::new();
    let _ = writeln!(o, "\n## Reading the database back: drift check and pull\n");
    support::write_machine_load(&mut o, &load_before, &load_average());
    pg::write_versions(&mut o, &server, &nzc, check.alembic_version.as_deref());
    let _ = writeln!(
        o,
        "{runs} runs each, the contenders taking turns; medians (min–max); whole commands; \
         max RSS from /usr/bin/time\n"
    );
    check.report(&mut o);
    pull.report(&mut o);
    print!("{o}");
}

// ---------------------------------------------------------------------------
// 1. `nzc migrate check` vs `alembic check`

struct CheckBench {
    contenders: Vec<Contender>,
    alembic_version: Option<String>,
    /// Kept until the end: the databases the contenders read.
    _databases: Vec<Database>,
}

impl CheckBench {
    /// Builds the databases and runs every contender once, untimed, checking
    /// its exit status and that the nzc and Alembic databases are the same.
    fn prepare(admin: &Admin, root: &Path, nzc: &Path, scratch: &Path) -> CheckBench {
        let project = scratch.join("check-project");
        copy_dir(&root.join("migrations"), &project.join("migrations"));
        let nzc_db = admin.fresh();
        let nzc_drifted = admin.fresh();
        for db in [&nzc_db, &nzc_drifted] {
            run_ok(
                nzc_command(nzc, &project)
                    .args(["migrate", "upgrade", "head", "--database-url"])
                    .arg(&db.url),
                "nzc migrate upgrade head",
            );
        }
        psql_query(&nzc_drifted.url, DRIFT_SQL).expect("drift the copy");
        let nzc_check = |db: &Database| {
            let mut args: Vec<OsString> = vec!["migrate".into(), "check".into()];
            args.push("--database-url".into());
            args.push(db.url.clone().into());
            (nzc.to_path_buf(), args)
        };
        let mut contenders = vec![
            Contender::new(
                "nzc",
                "nzc migrate check",
                "in sync",
                Expect::Code(0),
                nzc_check(&nzc_db),
                &project,
            ),
            Contender::new(
                "nzc",
                "nzc migrate check",
                "drifted",
                Expect::Code(EXIT_DRIFT),
                nzc_check(&nzc_drifted),
                &project,
            ),
        ];
        let mut databases = vec![nzc_db, nzc_drifted];

        let alembic_version =
            match Alembic::find(root).and_then(|a| a.prepare(admin, &databases[0], scratch)) {
                Ok((alembic, in_sync, drifted)) => {
                    let ini = alembic.check_ini.clone();
                    for (db, database, expect) in [
                        (&in_sync, "in sync", Expect::Code(0)),
                        (&drifted, "drifted", Expect::NonZero),
                    ] {
                        let mut c = Contender::new(
                            "alembic",
                            "alembic -c tools/alembic-bench/check.ini check",
                            database,
                            expect,
                            (
                                alembic.bin.clone(),
                                vec!["-c".into(), ini.clone().into(), "check".into()],
                            ),
                            scratch,
                        );
                        c.envs
                            .push(("NZC_BENCH_DATABASE_URL".into(), sqlalchemy_url(&db.url)));
                        contenders.push(c);
                    }
                    databases.push(in_sync);
                    databases.push(drifted);
                    Some(alembic.version)
                }
                Err(why) => {
                    alembic::skipped("drift", &why);
                    None
                }
            };

        // Untimed round: every contender says what it should.
        let mut alembic_failed = None;
        for c in &contenders {
            let run = c.run();
            if let Err(why) = c.verify(&run) {
                if c.label == "alembic" {
                    alembic_failed = Some(why);
                    break;
                }
                panic!("{why}");
            }
        }
        let alembic_version = match alembic_failed {
            Some(why) => {
                eprintln!("drift bench: alembic skipped: its check failed: {why}");
                contenders.retain(|c| c.label != "alembic");
                databases.truncate(2);
                None
            }
            None => alembic_version,
        };
        CheckBench {
            contenders,
            alembic_version,
            _databases: databases,
        }
    }

    fn measure(&mut self, runs: usize) {
        let n = self.contenders.len();
        for round in 0..runs {
            for k in 0..n {
                let c = &mut self.contenders[(round + k) % n];
                let run = c.run();
                if let Err(why) = c.verify(&run) {
                    panic!("round {round}: {why}");
                }
                c.samples.push(run.sample);
            }
        }
    }

    fn report(&self, o: &mut String) {
        let _ = writeln!(
            o,
            "### `nzc migrate check` vs `alembic check`: the 17 tables of migrations/\n"
        );
        let _ = writeln!(o, "Drifted: the same database plus `{DRIFT_SQL}`.\n");
        let _ = writeln!(
            o,
            "| contender | command | database | exit | median | min–max | max RSS | vs nzc, in sync |"
        );
        let _ = writeln!(o, "|---|---|---|---:|---:|---:|---:|---:|");
        let base = median(&self.contenders[0].wall());
        for c in &self.contenders {
            let _ = writeln!(
                o,
                "| {} | `{}` | {} | {} | {} | {:.2}× |",
                c.label,
                c.command,
                c.database,
                c.last_code.get().map_or("?".into(), |s| s.to_string()),
                timing_cells(&c.samples),
                median(&c.wall()).as_secs_f64() / base.as_secs_f64(),
            );
        }
        match self
            .contenders
            .iter()
            .find(|c| c.label == "alembic" && c.database == "in sync")
        {
            Some(a) => {
                let speedup = median(&a.wall()).as_secs_f64() / base.as_secs_f64();
                let _ = writeln!(
                    o,
                    "\nTarget: `nzc migrate check` at least {TARGET_SPEEDUP}× faster than `alembic check` \
                     (in sync): {speedup:.1}× — {}\n",
                    verdict(speedup >= TARGET_SPEEDUP)
                );
            }
            None => {
                let _ = writeln!(o, "\n(alembic skipped: no speed-up to report)\n");
            }
        }
    }
}

/// What a contender's exit status must be.
#[derive(Clone, Copy)]
enum Expect {
    Code(i32),
    /// Alembic reports differences with a failure status (255 as of 1.x).
    NonZero,
}

struct Contender {
    label: &'static str,
    command: &'static str,
    database: &'static str,
    expect: Expect,
    program: PathBuf,
    args: Vec<OsString>,
    envs: Vec<(String, String)>,
    cwd: PathBuf,
    samples: Vec<Sample>,
    last_code: std::cell::Cell<Option<i32>>,
}

impl Contender {
    fn new(
        label: &'static str,
        command: &'static str,
        database: &'static str,
        expect: Expect,
        (program, args): (PathBuf, Vec<OsString>),
        cwd: &Path,
    ) -> Contender {
        Contender {
            label,
            command,
            database,
            expect,
            program,
            args,
            envs: Vec::new(),
            cwd: cwd.to_path_buf(),
            samples: Vec::new(),
            last_code: std::cell::Cell::new(None),
        }
    }

    fn run(&self) -> Run {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .env_remove("DATABASE_URL")
            .env_remove("DB_URL")
            .current_dir(&self.cwd);
        timed(cmd)
    }

    fn verify(&self, run: &Run) -> Result<(), String> {
        let code = run.output.status.code();
        self.last_code.set(code);
        let ok = match (self.expect, code) {
            (Expect::Code(want), Some(got)) => want == got,
            (Expect::NonZero, Some(got)) => got != 0,
            (_, None) => false,
        };
        let stdout = String::from_utf8_lossy(&run.output.stdout);
        let stderr = String::from_utf8_lossy(&run.output.stderr);
        // The drifted copies must be reported for the column added, and only for it.
        let names_it = stdout.contains("extra") || stderr.contains("extra");
        let says = match (self.label, self.database) {
            ("nzc", "in sync") => stdout.contains("in sync with"),
            ("nzc", _) => names_it && stdout.contains("1 difference(s)"),
            (_, "in sync") => stdout.contains("No new upgrade operations detected"),
            _ => names_it && (stdout.contains("remove_column") || stderr.contains("remove_column")),
        };
        if ok && says {
            Ok(())
        } else {
            Err(format!(
                "`{}` on the {} database: exit {:?}\n{}{}",
                self.command,
                self.database,
                code,
                stdout.trim(),
                stderr.trim()
            ))
        }
    }

    fn wall(&self) -> Vec<Duration> {
        self.samples.iter().map(|s| s.wall).collect()
    }
}

struct Alembic {
    bin: PathBuf,
    version: String,
    upgrade_ini: PathBuf,
    check_ini: PathBuf,
}

impl Alembic {
    /// The alembic executable, its version and SQLAlchemy's, or why there is none.
    fn find(root: &Path) -> Result<Alembic, String> {
        let (bin, mut version) = alembic::find()?;
        if let Some(sa) = sqlalchemy_version(&bin) {
            let _ = write!(version, ", SQLAlchemy {sa}");
        }
        let dir = root.join("tools/alembic-bench");
        Ok(Alembic {
            bin,
            version,
            upgrade_ini: dir.join("alembic.ini"),
            check_ini: dir.join("check.ini"),
        })
    }

    /// Two databases built by `alembic upgrade head` (so at head in
    /// `alembic_version`), the second drifted; the first must hold the same
    /// schema as `reference` (built by nzc).
    fn prepare(
        self,
        admin: &Admin,
        reference: &Database,
        scratch: &Path,
    ) -> Result<(Alembic, Database, Database), String> {
        let in_sync = admin.fresh();
        let drifted = admin.fresh();
        for db in [&in_sync, &drifted] {
            let output = Command::new(&self.bin)
                .arg("-c")
                .arg(&self.upgrade_ini)
                .args(["upgrade", "head"])
                .env("NZC_BENCH_DATABASE_URL", sqlalchemy_url(&db.url))
                .current_dir(scratch)
                .output();
            check(output).map_err(|e| format!("alembic upgrade head failed: {e}"))?;
        }
        psql_query(&drifted.url, DRIFT_SQL)?;
        let (a, b) = (fingerprint(&reference.url)?, fingerprint(&in_sync.url)?);
        assert!(
            a == b,
            "the databases built by nzc and by Alembic differ:\n{}",
            line_diff(&a, &b)
        );
        Ok((self, in_sync, drifted))
    }
}

/// SQLAlchemy's version, from the python next to `alembic` (a venv's).
fn sqlalchemy_version(alembic: &Path) -> Option<String> {
    let python = alembic.parent()?.join("python");
    let out = Command::new(python)
        .args(["-c", "import sqlalchemy; print(sqlalchemy.__version__)"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

// ---------------------------------------------------------------------------
// 2. `nzc db pull` of a large database

struct PullBench {
    nzc: PathBuf,
    tables: usize,
    schema_bytes: usize,
    project: PathBuf,
    pulled: PathBuf,
    pulled_bytes: usize,
    build: Duration,
    database: Database,
    /// `nzc compile` of the pulled file against the original migrations: the
    /// statements of the migration it wants (none when nzc's diff finds the
    /// two models equal).
    against_snapshot: Vec<String>,
    pull: Vec<Sample>,
    check: Vec<Sample>,
    check_code: Option<i32>,
    check_lines: Vec<String>,
}

impl PullBench {
    /// Builds the database (untimed), pulls it once and verifies the file.
    fn prepare(admin: &Admin, nzc: &Path, scratch: &Path, tables: usize) -> PullBench {
        let project = scratch.join("pull-project");
        std::fs::create_dir_all(&project).expect("create the pull project");
        let source = schema_source(tables);
        std::fs::write(project.join("schema.nzc"), &source).expect("write the schema");
        let database = admin.fresh();
        let start = Instant::now();
        build(nzc, &project, &database);
        let build_time = start.elapsed();

        // The pulled file, verified: built again from it, it gives the same
        // catalog, and pulling that gives the same file.
        let pulled = scratch.join("pulled.nzc");
        let (_, wrote) = pull(nzc, &project, &database, &pulled);
        assert!(
            wrote.contains(&format!("({tables} tables, 2 enums)")),
            "nzc db pull: {wrote}"
        );
        let text = std::fs::read_to_string(&pulled).expect("read the pulled file");
        let again = scratch.join("roundtrip");
        std::fs::create_dir_all(&again).expect("create the round-trip project");
        std::fs::write(again.join("schema.nzc"), &text).expect("write the pulled schema");
        let second = admin.fresh();
        build(nzc, &again, &second);
        let (a, b) = (
            fingerprint(&database.url).expect("catalog of the database"),
            fingerprint(&second.url).expect("catalog of the database rebuilt"),
        );
        assert!(
            a == b,
            "the database built from the pulled file differs from the original:\n{}",
            line_diff(&a, &b)
        );
        let pulled_again = scratch.join("pulled-again.nzc");
        pull(nzc, &again, &second, &pulled_again);
        let text_again = std::fs::read_to_string(&pulled_again).expect("read the second pull");
        assert!(
            text == text_again,
            "pulling the database rebuilt from the pulled file gives another file:\n{}",
            line_diff(&text, &text_again)
        );
        drop(second);

        // For information: what nzc's own diff says of the pulled file against
        // the schema it was built from (the latest migration's snapshot).
        let against = scratch.join("against-snapshot");
        copy_dir(&project.join("migrations"), &against.join("migrations"));
        std::fs::write(against.join("schema.nzc"), &text).expect("write the pulled schema");
        let before = migration_dirs(&against.join("migrations"));
        run_ok(
            nzc_command(nzc, &against)
                .args(COMPILE)
                .arg("--allow-data-loss"),
            "nzc compile of the pulled file against the original migrations",
        );
        let against_snapshot = migration_dirs(&against.join("migrations"))
            .into_iter()
            .filter(|d| !before.contains(d))
            .flat_map(|d| {
                let up = std::fs::read_to_string(d.join("up.sql")).expect("read up.sql");
                statements(&up)
            })
            .collect();

        // Once untimed, to check it runs (its exit status is reported, not asserted).
        let mut bench = PullBench {
            nzc: nzc.to_path_buf(),
            tables,
            schema_bytes: source.len(),
            project,
            pulled_bytes: text.len(),
            pulled,
            build: build_time,
            database,
            against_snapshot,
            pull: Vec::new(),
            check: Vec::new(),
            check_code: None,
            check_lines: Vec::new(),
        };
        bench.run_check();
        bench
    }

    fn run_check(&mut self) -> Sample {
        let mut cmd = nzc_command(&self.nzc, &self.project);
        cmd.args(["migrate", "check", "--database-url", &self.database.url]);
        let run = timed(cmd);
        let code = run.output.status.code();
        assert!(
            matches!(code, Some(0) | Some(EXIT_DRIFT)),
            "nzc migrate check on the pull database failed: {:?}\n{}",
            code,
            String::from_utf8_lossy(&run.output.stderr)
        );
        self.check_code = code;
        self.check_lines = String::from_utf8_lossy(&run.output.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        run.sample
    }

    fn measure(&mut self, runs: usize) {
        for round in 0..runs {
            for k in 0..2 {
                if (round + k) % 2 == 0 {
                    let (sample, _) = pull(&self.nzc, &self.project, &self.database, &self.pulled);
                    self.pull.push(sample);
                } else {
                    let sample = self.run_check();
                    self.check.push(sample);
                }
            }
        }
    }

    fn report(&self, o: &mut String) {
        let _ = writeln!(o, "### `nzc db pull` of a {}-table database\n", self.tables);
        let _ = writeln!(
            o,
            "The synthetic schema of benches/compile.rs ({} tables × 20 columns, {:.1} MiB), built untimed \
             by `nzc compile` + `nzc migrate upgrade head` in {:.1} s; the pulled file written to {}.\n",
            self.tables,
            self.schema_bytes as f64 / MIB,
            self.build.as_secs_f64(),
            dir_kind()
        );
        let _ = writeln!(o, "| command | median | min–max | max RSS | note |");
        let _ = writeln!(o, "|---|---:|---:|---:|---|");
        let _ = writeln!(
            o,
            "| `nzc db pull -o pulled.nzc` | {} | {:.0} KiB written |",
            timing_cells(&self.pull),
            self.pulled_bytes as f64 / 1024.0
        );
        let differences = self
            .check_lines
            .iter()
            .filter(|l| l.starts_with("drift: "))
            .count();
        let _ = writeln!(
            o,
            "| `nzc migrate check` (same database, for information) | {} | exit {}, {} difference(s) |",
            timing_cells(&self.check),
            self.check_code.map_or("?".into(), |c| c.to_string()),
            differences
        );
        let m = median(&walls(&self.pull));
        let _ = writeln!(
            o,
            "\nTarget: `nzc db pull` of {} tables under {} s: {} — {}\n",
            self.tables,
            TARGET_PULL.as_secs(),
            ms(m),
            verdict(m < TARGET_PULL)
        );
        let _ = writeln!(
            o,
            "Round trip (checked untimed): the pulled file, compiled by `nzc compile` and migrated into a \
             fresh database, gives the same catalog as the original (columns in order, types, \
             nullability, defaults, constraints, indexes, enums, comments), and pulling that database \
             gives the same file."
        );
        if self.against_snapshot.is_empty() {
            let _ = writeln!(
                o,
                "`nzc compile` of the pulled file against the original migrations finds the same model \
                 (no new migration)."
            );
        } else {
            let _ = writeln!(
                o,
                "`nzc compile` of the pulled file against the original migrations wants a migration of \
                 {} statement(s), e.g. `{}`.",
                self.against_snapshot.len(),
                self.against_snapshot[0]
            );
        }
        if differences > 0 {
            let _ = writeln!(
                o,
                "`nzc migrate check` on the database nzc built: e.g. `{}`.",
                self.check_lines
                    .iter()
                    .find(|l| l.starts_with("drift: "))
                    .map_or("", String::as_str)
            );
        }
    }
}

/// `nzc compile` + `nzc migrate upgrade head` of `project/schema.nzc` into `db`.
fn build(nzc: &Path, project: &Path, db: &Database) {
    run_ok(nzc_command(nzc, project).args(COMPILE), "nzc compile");
    run_ok(
        nzc_command(nzc, project)
            .args([
                "migrate",
                "upgrade",
                "head",
                "--migrations-dir",
                "migrations",
            ])
            .args(["--database-url", &db.url]),
        "nzc migrate upgrade head",
    );
}

/// One `nzc db pull -o out` of `db`: its time and what it said on stderr.
fn pull(nzc: &Path, project: &Path, db: &Database, out: &Path) -> (Sample, String) {
    let mut cmd = nzc_command(nzc, project);
    cmd.args(["db", "pull", "--database-url", &db.url, "-o"])
        .arg(out);
    let run = timed(cmd);
    let stderr = String::from_utf8_lossy(&run.output.stderr).into_owned();
    assert!(
        run.output.status.success(),
        "nzc db pull failed: {}\n{stderr}",
        run.output.status
    );
    (run.sample, stderr)
}

fn migration_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The statements of an `up.sql`, without comments and blank lines.
fn statements(sql: &str) -> Vec<String> {
    sql.split(";\n")
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--") && !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|s| !s.is_empty())
        .collect()
}

// ---------------------------------------------------------------------------
// Running commands

fn run_ok(cmd: &mut Command, what: &str) {
    if let Err(why) = check(cmd.output()) {
        panic!("{what} failed: {why}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display()))
    {
        let entry = entry.expect("directory entry");
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target)
                .unwrap_or_else(|e| panic!("copy {}: {e}", path.display()));
        }
    }
}

// ---------------------------------------------------------------------------
// The schema in the database

/// The schema `public` as PostgreSQL prints it, one sorted line per object,
/// without the history tables: every column (position, type with modifiers,
/// NOT NULL, default, comment), table comments, constraints, indexes and
/// enum types with their labels and comments.
fn fingerprint(url: &str) -> Result<String, String> {
    pg::fingerprint(
        url,
        &[
            format!(
                "SELECT format('column %s %s %s %s notnull=%s default=%s comment=%s',
                               c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
                               a.attnotnull, pg_get_expr(d.adbin, d.adrelid), col_description(c.oid, a.attnum)) AS line
                   FROM pg_class c
                   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                   LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
                  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                    AND c.relname NOT IN ({HISTORY_TABLES})"
            ),
            format!(
                "SELECT format('table %s comment=%s', relname, obj_description(oid, 'pg_class'))
                   FROM pg_class
                  WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
                    AND relname NOT IN ({HISTORY_TABLES})"
            ),
            "SELECT format('type %s %s comment=%s', t.typname,
                           string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder),
                           obj_description(t.oid, 'pg_type'))
               FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
              WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.oid, t.typname"
                .into(),
        ],
    )
}

/// The first lines found in only one of two sorted texts.
fn line_diff(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let only_a = la.iter().filter(|l| !lb.contains(l)).take(10);
    let only_b = lb.iter().filter(|l| !la.contains(l)).take(10);
    let mut o = String::new();
    for l in only_a {
        let _ = writeln!(o, "- {l}");
    }
    for l in only_b {
        let _ = writeln!(o, "+ {l}");
    }
    if o.is_empty() {
        o.push_str("(the same lines in another order)\n");
    }
    o
}

// ---------------------------------------------------------------------------
// Figures

fn walls(samples: &[Sample]) -> Vec<Duration> {
    samples.iter().map(|s| s.wall).collect()
}

/// `median | min–max | max RSS` of the samples' wall times.
fn timing_cells(samples: &[Sample]) -> String {
    let w = walls(samples);
    let (lo, hi) = min_max(&w);
    format!(
        "{} | {}–{} | {}",
        ms(median(&w)),
        ms(lo),
        ms(hi),
        rss_cell(samples)
    )
}

/// The median max RSS of the samples.
fn rss_cell(samples: &[Sample]) -> String {
    let mut rss: Vec<u64> = samples.iter().filter_map(|s| s.max_rss).collect();
    if rss.is_empty() {
        return "n/a".into();
    }
    rss.sort_unstable();
    format!("{:.0} MiB", rss[rss.len() / 2] as f64 / MIB)
}
