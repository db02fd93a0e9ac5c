//! Benchmark of the `nzc compile` pipeline on synthetic schemas (`harness = false`).
//!
//! `cargo bench --bench compile` generates schemas of 1250, 2500, 5000 and
//! 10000 tables × 20 columns in the nzc language and measures, in memory:
//!
//! - parse + validate alone (`nzc_dsl::compile`);
//! - the whole pipeline: compile, the Rust model crate (`rust::render`), the
//!   init migration (`migration::generate` from the empty schema), DBML and
//!   Mermaid — the time of each stage and the total;
//! - end to end, the `nzc compile` binary itself (reading the file, writing
//!   the model crate and the migration into a temporary directory).
//!
//! Every run is a fresh process (this binary re-executed with `--child`), as
//! `nzc compile` is: no warm heap, and the memory figures are that run's own.
//! Memory is counted by a `#[global_allocator]` wrapper around mimalloc (the
//! allocator the `nzc` binary uses)
//! (the `cap` crate: bytes currently allocated and the maximum ever; the
//! workspace forbids `unsafe`, so the allocator comes from a crate) and read
//! from the process's `VmHWM` (peak resident set) in `/proc/self/status`.
//!
//! The three measurements take turns, run after run, so that a change of the
//! machine's load weighs on all of them alike.
//!
//! `--emit-schema N` prints the synthetic schema of N tables (for profiling
//! with the `nzc` binary). Environment: `NZC_BENCH_SIZES=1250,2500` (table
//! counts), `NZC_BENCH_RUNS=7` (runs per size; default 7, and 5 for sizes
//! above 5000); `NZC_BIN` replaces the `nzc` binary. Without `--bench`
//! (as `cargo test --all-targets` runs it) it does one quick run of a small
//! schema, to check that the bench still works.

mod support;

use support::command::{self, timed};
use support::figures::{verdict, MIB};
use support::schema::schema_source;
use support::{dir_kind, env_usize, load_average, nzc_binary, scratch_dir};

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use cap::Cap;
use nzc_codegen::rust::RustOptions;

#[global_allocator]
static ALLOC: Cap<mimalloc::MiMalloc> = Cap::new(mimalloc::MiMalloc, usize::MAX);

/// First argument of a re-executed run.
const CHILD: &str = "--child";
/// `--emit-schema N`: print the synthetic schema of N tables and exit.
const EMIT: &str = "--emit-schema";
const COLUMNS: usize = 20;
const DEFAULT_SIZES: [usize; 4] = [1250, 2500, 5000, 10_000];
/// The targets of the issue, for the largest size.
const TARGET_SECONDS: f64 = 2.0;
const TARGET_MIB: f64 = 500.0;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(CHILD) {
        child(&args[1..]);
        return;
    }
    if let [flag, tables] = args.as_slice() {
        if flag == EMIT {
            // For profiling outside the bench: the schema of N tables on stdout.
            print!("{}", schema_source(tables.parse().expect("a table count")));
            return;
        }
    }
    let bench = args.iter().any(|a| a == "--bench");
    let (sizes, runs_override) = if bench {
        (env_sizes(), env_usize("NZC_BENCH_RUNS"))
    } else {
        // `cargo test --all-targets`: a quick check that every part still runs.
        (vec![40], Some(1))
    };
    let dir = scratch_dir("nzc-bench-");
    let load_before = load_average();

    let mut rows = Vec::new();
    for &tables in &sizes {
        let runs = runs_override.unwrap_or(if tables > 5000 { 5 } else { 7 });
        let source = schema_source(tables);
        let path = dir.path().join(format!("schema_{tables}.nzc"));
        std::fs::write(&path, &source).expect("write the schema");
        eprintln!(
            "compile bench: {tables} tables ({:.1} MiB of schema), {runs} runs each …",
            source.len() as f64 / MIB
        );
        let (mut parse, mut pipeline) = (Vec::new(), Vec::new());
        let (mut binary, mut binary_again) = (Vec::new(), Vec::new());
        for i in 0..runs {
            parse.push(run_child("parse", &path));
            pipeline.push(run_child("pipeline", &path));
            let out = dir.path().join(format!("out_{tables}_{i}"));
            // Into an empty directory (the first run), then again with everything
            // up to date (every later run: compile, diff against the snapshot, compare).
            binary.push(run_binary(&path, &out));
            binary_again.push(run_binary(&path, &out));
            let _ = std::fs::remove_dir_all(&out);
        }
        rows.push(Row {
            tables,
            source_bytes: source.len(),
            runs,
            parse,
            pipeline,
            binary,
            binary_again,
        });
    }
    print!("{}", report(&rows, bench, &load_before, &load_average()));
}

// ---------------------------------------------------------------------------
// One run, in a fresh process

/// `--child parse|pipeline FILE`: one run; prints `key value` lines.
fn child(args: &[String]) {
    let [mode, path] = args else {
        panic!("usage: {CHILD} parse|pipeline FILE");
    };
    let source = std::fs::read_to_string(path).expect("read the schema");
    let file_name = "schema.nzc";
    let mut out = String::new();
    match mode.as_str() {
        "parse" => {
            let before = ALLOC.allocated();
            let (cpu, waited) = sched_ns();
            let start = Instant::now();
            let schema = compile(&source, file_name);
            let _ = writeln!(out, "total {}", start.elapsed().as_nanos());
            let (cpu_after, waited_after) = sched_ns();
            let _ = writeln!(out, "cpu {}", cpu_after - cpu);
            let _ = writeln!(out, "waited {}", waited_after - waited);
            let _ = writeln!(out, "model_bytes {}", ALLOC.allocated() - before);
            assert_eq!(schema.tables.len(), count_tables(&source));
            drop(std::hint::black_box(schema));
        }
        "pipeline" => {
            let before = ALLOC.allocated();
            let (cpu, waited) = sched_ns();
            let start = Instant::now();
            let schema = compile(&source, file_name);
            let t_compile = start.elapsed();
            let model_bytes = ALLOC.allocated() - before;
            let options = RustOptions {
                crate_name: "bench-models".into(),
                nzc_dependency: "{ path = \"..\", default-features = false }".into(),
                source_name: file_name.into(),
            };
            let files = nzc_codegen::rust::render(&schema, &options);
            let t_rust = start.elapsed();
            let migration = nzc_codegen::migration::generate(
                &nzc_dsl::Schema::default(),
                &schema,
                "20250101000000_init",
            )
            .expect("an init migration");
            let t_migration = start.elapsed();
            let dbml = nzc_codegen::dbml::render(&schema);
            let t_dbml = start.elapsed();
            let mermaid = nzc_codegen::mermaid::render(&schema);
            let t_mermaid = start.elapsed();
            let (cpu_after, waited_after) = sched_ns();
            let _ = writeln!(out, "cpu {}", cpu_after - cpu);
            let _ = writeln!(out, "waited {}", waited_after - waited);
            let output_bytes = files.iter().map(|f| f.contents.len()).sum::<usize>()
                + migration.up.len()
                + migration.down.len()
                + dbml.len()
                + mermaid.len();
            std::hint::black_box((&files, &migration, &dbml, &mermaid));
            // Not part of the pipeline: the diff of the schema against itself, which
            // `nzc compile` does against the latest snapshot once migrations exist.
            let again = Instant::now();
            let none = nzc_codegen::migration::generate(&schema, &schema, "20250101000001_none");
            let t_same = again.elapsed();
            assert!(none.is_none(), "a schema differs from itself");
            for (key, d) in [
                ("compile", t_compile),
                ("rust", t_rust - t_compile),
                ("migration", t_migration - t_rust),
                ("dbml", t_dbml - t_migration),
                ("mermaid", t_mermaid - t_dbml),
                ("total", t_mermaid),
                ("same_diff", t_same),
            ] {
                let _ = writeln!(out, "{key} {}", d.as_nanos());
            }
            let _ = writeln!(out, "model_bytes {model_bytes}");
            let _ = writeln!(out, "output_bytes {output_bytes}");
            let _ = writeln!(out, "files {}", files.len());
            assert_eq!(
                files.len(),
                schema.tables.len() + 3,
                "Cargo.toml, lib.rs, enums.rs and one file per table"
            );
        }
        other => panic!("unknown mode {other}"),
    }
    let _ = writeln!(out, "peak_heap {}", ALLOC.max_allocated());
    let _ = writeln!(out, "heap_after {}", ALLOC.allocated());
    let _ = writeln!(out, "vm_hwm {}", vm_hwm_bytes().unwrap_or(0));
    print!("{out}");
}

fn compile(source: &str, file_name: &str) -> nzc_dsl::Schema {
    match nzc_dsl::compile(source, file_name) {
        Ok(schema) => schema,
        Err(diagnostics) => panic!("the synthetic schema is invalid:\n{}", diagnostics.render()),
    }
}

fn count_tables(source: &str) -> usize {
    source
        .lines()
        .filter(|l| l.trim_start().starts_with("table "))
        .count()
}

/// Nanoseconds this thread has run on a CPU, and waited for one while runnable
/// (`/proc/thread-self/schedstat`; zeros where it is missing). Wall time on a
/// busy machine is about the sum of the two.
fn sched_ns() -> (u128, u128) {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let mut fields = text
        .split_whitespace()
        .map(|f| f.parse::<u128>().unwrap_or(0));
    (fields.next().unwrap_or(0), fields.next().unwrap_or(0))
}

/// Peak resident set size of this process (`VmHWM`), in bytes.
fn vm_hwm_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The figures of one child run.
#[derive(Debug, Default, Clone)]
struct Sample {
    values: Vec<(String, u128)>,
}

impl Sample {
    fn get(&self, key: &str) -> u128 {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| panic!("no `{key}` in the child's output"), |(_, v)| *v)
    }
}

fn run_child(mode: &str, path: &Path) -> Sample {
    let exe = std::env::current_exe().expect("the bench executable");
    let output = Command::new(exe)
        .arg(CHILD)
        .arg(mode)
        .arg(path)
        .output()
        .expect("run the bench child");
    assert!(
        output.status.success(),
        "bench child `{mode}` failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let values = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(' ')?;
            Some((k.to_string(), v.trim().parse().ok()?))
        })
        .collect();
    Sample { values }
}

/// One end-to-end run of the `nzc compile` binary into `out`.
fn run_binary(schema: &Path, out: &Path) -> command::Sample {
    let mut cmd = Command::new(nzc_binary());
    cmd.arg("compile")
        .arg(schema)
        .arg("--out")
        .arg(out.join("generated"))
        .arg("--migrations-dir")
        .arg(out.join("migrations"))
        .current_dir(schema.parent().expect("schema directory"));
    let run = timed(cmd);
    assert!(
        run.output.status.success(),
        "nzc compile failed: {}\n{}",
        run.output.status,
        String::from_utf8_lossy(&run.output.stderr)
    );
    run.sample
}

// ---------------------------------------------------------------------------
// Report

struct Row {
    tables: usize,
    source_bytes: usize,
    runs: usize,
    parse: Vec<Sample>,
    pipeline: Vec<Sample>,
    binary: Vec<command::Sample>,
    binary_again: Vec<command::Sample>,
}

fn median(mut v: Vec<f64>) -> f64 {
    assert!(!v.is_empty());
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

/// Seconds of `key` in each sample.
fn secs(samples: &[Sample], key: &str) -> Vec<f64> {
    samples.iter().map(|s| s.get(key) as f64 / 1e9).collect()
}

fn bytes(samples: &[Sample], key: &str) -> Vec<f64> {
    samples.iter().map(|s| s.get(key) as f64).collect()
}

fn ms(s: f64) -> String {
    if s >= 10.0 {
        format!("{s:.1} s")
    } else {
        format!("{:.1} ms", s * 1e3)
    }
}

fn us_per(s: f64, tables: usize) -> String {
    format!("{:.1} µs", s * 1e6 / tables as f64)
}

fn mib(b: f64) -> String {
    format!("{:.1} MiB", b / MIB)
}

fn report(rows: &[Row], bench: bool, load_before: &str, load_after: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "\n## nzc compile — synthetic schemas, {COLUMNS} columns per table\n"
    );
    support::write_machine_load(&mut o, load_before, load_after);
    o.push('\n');
    if !bench {
        let _ = writeln!(o, "(quick check without `--bench`: one run of a small schema; run `cargo bench --bench compile` for figures)\n");
    }
    let _ = writeln!(
        o,
        "Each run is a fresh process; medians over the runs (min–max in parentheses). \
         CPU and waited: of the whole pipeline, from /proc/thread-self/schedstat (time on a CPU, \
         time runnable but waiting for one: the machine's other load).\n"
    );
    let _ = writeln!(
        o,
        "| tables | schema | runs | parse + validate | per table | whole pipeline | per table | CPU | waited for a CPU | peak heap | VmHWM |"
    );
    let _ = writeln!(
        o,
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in rows {
        let p = secs(&r.parse, "total");
        let w = secs(&r.pipeline, "total");
        let (wlo, whi) = min_max(&w);
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} ({}–{}) | {} | {} | {} | {} | {} |",
            r.tables,
            mib(r.source_bytes as f64),
            r.runs,
            ms(median(p.clone())),
            us_per(median(p), r.tables),
            ms(median(w.clone())),
            ms(wlo),
            ms(whi),
            us_per(median(w), r.tables),
            ms(median(secs(&r.pipeline, "cpu"))),
            ms(median(secs(&r.pipeline, "waited"))),
            mib(median(bytes(&r.pipeline, "peak_heap"))),
            mib(median(bytes(&r.pipeline, "vm_hwm"))),
        );
    }
    let _ = writeln!(
        o,
        "\nWhole pipeline by stage (medians). The last column is not part of the pipeline: the diff of the \
         schema against itself, as `nzc compile` diffs against the latest migration's snapshot once there is one.\n"
    );
    let _ = writeln!(
        o,
        "| tables | compile | Rust models | init migration | DBML | Mermaid | model in memory | output | (diff against itself) |"
    );
    let _ = writeln!(o, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.tables,
            ms(median(secs(&r.pipeline, "compile"))),
            ms(median(secs(&r.pipeline, "rust"))),
            ms(median(secs(&r.pipeline, "migration"))),
            ms(median(secs(&r.pipeline, "dbml"))),
            ms(median(secs(&r.pipeline, "mermaid"))),
            mib(median(bytes(&r.pipeline, "model_bytes"))),
            mib(median(bytes(&r.pipeline, "output_bytes"))),
            ms(median(secs(&r.pipeline, "same_diff"))),
        );
    }
    let _ = writeln!(
        o,
        "\nEnd to end, the `nzc compile` binary ({}), output in {}: first into an empty directory \
         (writes the model crate and the init migration), then again with everything up to date \
         (compiles the schema and the init migration's snapshot, diffs them, compares every \
         generated file; what every later run and `--check` do):\n",
        nzc_binary().display(),
        dir_kind(),
    );
    let _ = writeln!(
        o,
        "| tables | files written | first run | per table | CPU | max RSS | up to date | per table | CPU | max RSS |"
    );
    let _ = writeln!(o, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            r.tables,
            r.tables + 3 + 3,
            binary_cells(&r.binary, r.tables),
            binary_cells(&r.binary_again, r.tables),
        );
    }
    if let (true, Some(first), Some(last)) = (bench, rows.first(), rows.last()) {
        let per = |r: &Row| median(secs(&r.pipeline, "total")) / r.tables as f64;
        let total = median(secs(&last.pipeline, "total"));
        let peak =
            median(bytes(&last.pipeline, "peak_heap")).max(median(bytes(&last.pipeline, "vm_hwm")));
        let wall = |b: &[command::Sample]| median(b.iter().map(|b| b.wall.as_secs_f64()).collect());
        let rss = |b: &[command::Sample]| {
            b.iter()
                .filter_map(|b| b.max_rss)
                .map(|b| b as f64)
                .fold(0.0, f64::max)
        };
        let _ = writeln!(
            o,
            "\nTargets ({} tables × {COLUMNS} columns):\n",
            last.tables
        );
        let _ = writeln!(
            o,
            "- time under {TARGET_SECONDS} s, in memory: {} (CPU {}) — {}",
            ms(total),
            ms(median(secs(&last.pipeline, "cpu"))),
            verdict(total < TARGET_SECONDS)
        );
        for (what, samples) in [
            ("first run", &last.binary),
            ("up-to-date run", &last.binary_again),
        ] {
            let t = wall(samples);
            let _ = writeln!(
                o,
                "- time under {TARGET_SECONDS} s, `nzc compile` {what}: {} — {}",
                ms(t),
                verdict(t < TARGET_SECONDS)
            );
        }
        let _ = writeln!(
            o,
            "- memory under {TARGET_MIB} MiB, in memory: {} (the larger of peak heap and VmHWM) — {}",
            mib(peak),
            verdict(peak / MIB < TARGET_MIB)
        );
        let binary_rss = rss(&last.binary).max(rss(&last.binary_again));
        if binary_rss > 0.0 {
            let _ = writeln!(
                o,
                "- memory under {TARGET_MIB} MiB, `nzc compile` (max RSS of either run): {} — {}",
                mib(binary_rss),
                verdict(binary_rss / MIB < TARGET_MIB)
            );
        }
        if rows.len() > 1 {
            let ratio = per(last) / per(first);
            let _ = writeln!(
                o,
                "- linear growth, in memory: time per table {} at {} tables, {} at {} ({ratio:.2}×) — {}",
                us_per(per(first) * first.tables as f64, first.tables),
                first.tables,
                us_per(per(last) * last.tables as f64, last.tables),
                last.tables,
                verdict(ratio < 1.5)
            );
        }
    }
    o
}

/// `median (min–max) | per table | CPU | max RSS` of binary runs.
fn binary_cells(samples: &[command::Sample], tables: usize) -> String {
    let w: Vec<f64> = samples.iter().map(|b| b.wall.as_secs_f64()).collect();
    let (lo, hi) = min_max(&w);
    let rss: Vec<f64> = samples
        .iter()
        .filter_map(|b| b.max_rss)
        .map(|b| b as f64)
        .collect();
    let cpu: Vec<f64> = samples.iter().filter_map(|b| b.cpu).collect();
    format!(
        "{} ({}–{}) | {} | {} | {}",
        ms(median(w.clone())),
        ms(lo),
        ms(hi),
        us_per(median(w), tables),
        if cpu.is_empty() {
            "n/a".to_string()
        } else {
            ms(median(cpu))
        },
        if rss.is_empty() {
            "n/a (no /usr/bin/time)".to_string()
        } else {
            mib(median(rss))
        }
    )
}

fn env_sizes() -> Vec<usize> {
    match std::env::var("NZC_BENCH_SIZES") {
        Ok(v) => v
            .split(',')
            .map(|s| {
                s.trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("NZC_BENCH_SIZES: `{s}` is not a number"))
            })
            .collect(),
        Err(_) => DEFAULT_SIZES.to_vec(),
    }
}
