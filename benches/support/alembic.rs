//! The Alembic of `tools/alembic-bench`: where its executable is.

use std::path::PathBuf;
use std::process::Command;

/// Where `tools/alembic-bench/requirements.txt` is installed by the README's
/// recipe.
pub const DEFAULT_VENV_ALEMBIC: &str = "/tmp/nzc-alembic-venv/bin/alembic";

/// The alembic executable (`NZC_BENCH_ALEMBIC`, else the venv's, else
/// `alembic` on `PATH`) and its `--version`, or why there is none.
pub fn find() -> Result<(PathBuf, String), String> {
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

/// Says on stderr that bench `bench` goes without Alembic, and how to get it.
pub fn skipped(bench: &str, why: &str) {
    eprintln!("{bench} bench: alembic skipped: {why}");
    eprintln!(
        "  to include it: python3 -m venv /tmp/nzc-alembic-venv && /tmp/nzc-alembic-venv/bin/pip install -r tools/alembic-bench/requirements.txt"
    );
}
