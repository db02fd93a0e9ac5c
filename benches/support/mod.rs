//! Helpers shared by the bench binaries: the machine and its load, knobs
//! from the environment, the `nzc` binary, scratch directories; PostgreSQL
//! through psql ([`pg`]), Alembic ([`alembic`]), timed commands
//! ([`command`]), medians and their formatting ([`figures`]), the synthetic
//! schema ([`schema`]).

#![allow(dead_code)]

pub mod alembic;
pub mod command;
pub mod figures;
pub mod pg;
pub mod schema;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The CPU count and model, for the report header.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("machine: {cpus} CPUs available, {model}")
}

/// The 1/5/15-minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// The report's first lines: the machine, and the load average before the
/// runs and after them.
pub fn write_machine_load(o: &mut String, load_before: &str, load_after: &str) {
    let _ = writeln!(o, "{}", machine());
    let _ = writeln!(
        o,
        "load average (1/5/15 min): {load_before} before, {load_after} after"
    );
}

/// A numeric knob from the environment (panics on a non-number).
pub fn env_usize(name: &str) -> Option<usize> {
    let v = std::env::var(name).ok()?;
    Some(
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not `{v}`")),
    )
}

/// The `nzc` binary cargo built with the bench (`target/release/nzc` under
/// `cargo bench`), or `NZC_BIN`.
pub fn nzc_binary() -> PathBuf {
    std::env::var_os("NZC_BIN")
        .map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_nzc")), PathBuf::from)
}

/// `nzc` run in `cwd`, without the `DATABASE_URL` / `DB_URL` of the
/// environment.
pub fn nzc_command(nzc: &Path, cwd: &Path) -> Command {
    let mut cmd = Command::new(nzc);
    cmd.env_remove("DATABASE_URL")
        .env_remove("DB_URL")
        .current_dir(cwd);
    cmd
}

/// A temporary directory named `prefix…` on tmpfs (`/dev/shm`) when there is
/// one, so that the figures are nzc's and not the disk's.
pub fn scratch_dir(prefix: &str) -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    if shm.is_dir() {
        if let Ok(dir) = builder.tempdir_in(shm) {
            return dir;
        }
    }
    builder.tempdir().expect("temporary directory")
}

/// Where [`scratch_dir`] puts its directories, for the report.
pub fn dir_kind() -> &'static str {
    if Path::new("/dev/shm").is_dir() {
        "tmpfs (/dev/shm)"
    } else {
        "the temporary directory"
    }
}

/// The `up.sql` of every migration directory of `dir`, in version order.
pub fn up_files(dir: &Path) -> Vec<PathBuf> {
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
