//! Running commands: checked, and timed (through `/usr/bin/time` when it is
//! installed, for max RSS and CPU time).

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The start of `/usr/bin/time`'s line on stderr, followed by max RSS in KiB
/// and user and system CPU seconds.
const TIME_PREFIX: &str = "nzc-bench-time ";

/// `Ok` when the command ran and succeeded, else its status and output.
pub fn check(output: std::io::Result<Output>) -> Result<(), String> {
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

/// One timed run of a command.
pub struct Run {
    pub sample: Sample,
    /// The command's output; stderr without `/usr/bin/time`'s lines.
    pub output: Output,
}

/// One timed run: wall time; max RSS and CPU time when `/usr/bin/time` is
/// installed.
#[derive(Clone, Copy)]
pub struct Sample {
    pub wall: Duration,
    /// Maximum resident set size in bytes.
    pub max_rss: Option<u64>,
    /// User + system CPU seconds (10 ms resolution).
    pub cpu: Option<f64>,
}

/// Runs `cmd` (through `/usr/bin/time` when it is installed, for every
/// command alike) and times it.
pub fn timed(cmd: Command) -> Run {
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f")
            .arg(format!("{TIME_PREFIX}%M %U %S"))
            .arg(cmd.get_program())
            .args(cmd.get_args())
            .current_dir(cmd.get_current_dir().unwrap_or(Path::new(".")));
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c
    } else {
        cmd
    };
    let start = Instant::now();
    let mut output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", cmd.get_program()));
    let wall = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let fields: Vec<&str> = stderr
        .lines()
        .find_map(|l| l.strip_prefix(TIME_PREFIX))
        .map(|l| l.split_whitespace().collect())
        .unwrap_or_default();
    let max_rss = fields
        .first()
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| kb * 1024);
    let cpu = match (fields.get(1), fields.get(2)) {
        (Some(u), Some(s)) => u
            .parse::<f64>()
            .ok()
            .zip(s.parse::<f64>().ok())
            .map(|(u, s)| u + s),
        _ => None,
    };
    // Leave the command's own stderr, without /usr/bin/time's lines.
    output.stderr = stderr
        .lines()
        .filter(|l| {
            !l.starts_with(TIME_PREFIX) && !l.starts_with("Command exited with non-zero status")
        })
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes();
    Run {
        sample: Sample { wall, max_rss, cpu },
        output,
    }
}
