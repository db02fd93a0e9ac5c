//! Benchmark of the SVG diagram (`nzc diagram --format svg`; `harness = false`).
//!
//! `cargo bench --bench diagram` lays out and draws (`nzc_codegen::svg::render`,
//! in memory) the repository's `schema.nzc` (17 tables, 20 foreign keys) and the
//! synthetic schemas of the compile bench (`support::schema`: 20 columns per
//! table, two foreign keys per table to earlier tables, 50 tables per group) of 200
//! and 1 000 tables: the whole diagram (`Focus::All`), and — what `nzc docs` does —
//! one diagram per table (`Focus::Table`). The schema is compiled once, outside the
//! timing. Environment: `NZC_BENCH_SIZES=200,1000` (table counts of the synthetic
//! schemas), `NZC_BENCH_RUNS=7`. Without `--bench` (as `cargo test --all-targets`
//! runs it) it does one run of `schema.nzc` and of a 40-table schema, checks the
//! output, and prints no figures.

mod support;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use nzc_codegen::svg::{self, Focus};
use support::figures::{median, min_max, ms, verdict, MIB};
use support::schema::schema_source;
use support::{env_usize, load_average};

/// The target of the issue: 200 tables laid out in under a second.
const TARGET_TABLES: usize = 200;
const TARGET: Duration = Duration::from_secs(1);

struct Row {
    label: String,
    tables: usize,
    edges: usize,
    runs: usize,
    all: Vec<Duration>,
    per_table: Vec<Duration>,
    bytes: usize,
    size: String,
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let (sizes, runs) = if bench {
        (
            std::env::var("NZC_BENCH_SIZES")
                .ok()
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().parse().expect("NZC_BENCH_SIZES: numbers"))
                        .collect()
                })
                .unwrap_or_else(|| vec![200, 1000]),
            env_usize("NZC_BENCH_RUNS").unwrap_or(7),
        )
    } else {
        (vec![40], 1)
    };
    let load_before = load_average();

    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.nzc");
    let mut schemas = vec![(
        "`schema.nzc`".to_string(),
        std::fs::read_to_string(&repo).expect("read schema.nzc"),
    )];
    for &n in &sizes {
        schemas.push((format!("synthetic, {n} tables"), schema_source(n)));
    }

    let mut rows = Vec::new();
    for (label, source) in schemas {
        let schema = nzc_dsl::compile(&source, "schema.nzc")
            .unwrap_or_else(|d| panic!("{label} does not compile:\n{}", d.render()));
        let edges = schema.tables.iter().map(|t| t.foreign_keys.len()).sum();
        eprintln!("diagram bench: {label}, {runs} runs …");
        let (mut all, mut per_table) = (Vec::new(), Vec::new());
        let mut bytes = 0;
        let mut size = String::new();
        for _ in 0..runs {
            let start = Instant::now();
            let out = svg::render(&schema, &Focus::All).expect("a diagram");
            all.push(start.elapsed());
            bytes = out.len();
            size = svg_size(&out);
            check(&out, &schema);

            let start = Instant::now();
            for t in &schema.tables {
                std::hint::black_box(
                    svg::render(&schema, &Focus::Table(t.name.clone())).expect("a diagram"),
                );
            }
            per_table.push(start.elapsed());
        }
        rows.push(Row {
            label,
            tables: schema.tables.len(),
            edges,
            runs,
            all,
            per_table,
            bytes,
            size,
        });
    }
    print!("{}", report(&rows, bench, &load_before, &load_average()));
}

/// `width×height` of the root element.
fn svg_size(svg: &str) -> String {
    let attr = |name: &str| {
        let at = svg.find(&format!(" {name}=\"")).expect("a size") + name.len() + 3;
        svg[at..svg[at..].find('"').expect("a closing quote") + at].to_string()
    };
    format!("{}×{}", attr("width"), attr("height"))
}

/// The diagram has every table and one edge per foreign key.
fn check(svg: &str, schema: &nzc_dsl::Schema) {
    let count = |needle: &str| svg.matches(needle).count();
    assert_eq!(count("<g class=\"table\""), schema.tables.len());
    let fks: usize = schema.tables.iter().map(|t| t.foreign_keys.len()).sum();
    assert_eq!(count("<path class=\"ref\""), fks);
}

fn report(rows: &[Row], bench: bool, load_before: &str, load_after: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "\n## nzc diagram --format svg — layout + render, in memory\n"
    );
    support::write_machine_load(&mut o, load_before, load_after);
    o.push('\n');
    if !bench {
        let _ = writeln!(
            o,
            "(quick check without `--bench`: one run; run `cargo bench --bench diagram` for figures)\n"
        );
        return o;
    }
    let _ = writeln!(
        o,
        "Medians over the runs (min–max in parentheses); \"every table\" is one \
         `Focus::Table` diagram per table, as `nzc docs` draws them.\n"
    );
    let _ = writeln!(
        o,
        "| schema | tables | foreign keys | runs | whole diagram | SVG | size (px) | every table (each) |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let (lo, hi) = min_max(&r.all);
        let each = median(&r.per_table) / r.tables.max(1) as u32;
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} ({}–{}) | {:.2} MiB | {} | {} ({:.0} µs) |",
            r.label,
            r.tables,
            r.edges,
            r.runs,
            ms(median(&r.all)),
            ms(lo),
            ms(hi),
            r.bytes as f64 / MIB,
            r.size,
            ms(median(&r.per_table)),
            each.as_secs_f64() * 1e6,
        );
    }
    if let Some(r) = rows.iter().find(|r| r.tables == TARGET_TABLES) {
        let m = median(&r.all);
        let _ = writeln!(
            o,
            "\nTarget, {TARGET_TABLES} tables laid out in under {} s: **{}** ({}).",
            TARGET.as_secs(),
            verdict(m < TARGET),
            ms(m)
        );
    }
    o
}
