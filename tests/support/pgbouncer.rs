//! A real PgBouncer (Debian's `pgbouncer`, installed by `.ci/run`) in front
//! of the test PostgreSQL, started by the test on a free port in
//! **transaction** pooling mode with fewer server connections than
//! clients, run as the `postgres` OS user (PgBouncer refuses root), and
//! stopped when dropped.
//!
//! Include with `#[path = "support/pgbouncer.rs"] mod pgbouncer;`.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running PgBouncer.
pub struct PgBouncer {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

/// Where Debian installs it.
const BINARY: &str = "/usr/sbin/pgbouncer";

impl PgBouncer {
    /// Starts one in front of 127.0.0.1:5432 with `pool_mode = transaction`
    /// and `default_pool_size = pool_size`. Panics (with the log) if it
    /// does not come up.
    pub fn start(pool_size: u32) -> PgBouncer {
        assert!(
            std::path::Path::new(BINARY).exists(),
            "PgBouncer is not installed: `apt-get install pgbouncer` (.ci/run does)"
        );
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let path = |f: &str| dir.path().join(f);
        std::fs::write(path("userlist.txt"), "\"postgres\" \"\"\n").unwrap();
        std::fs::write(
            path("pgbouncer.ini"),
            format!(
                "[databases]\n* = host=127.0.0.1 port=5432\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\nauth_type = trust\nauth_file = {users}\npool_mode = transaction\ndefault_pool_size = {pool_size}\nmax_client_conn = 200\nserver_reset_query =\nignore_startup_parameters = extra_float_digits,options\nlogfile = {log}\npidfile = {pid}\n",
                users = path("userlist.txt").display(),
                log = path("pgbouncer.log").display(),
                pid = path("pgbouncer.pid").display(),
            ),
        )
        .unwrap();
        // The postgres user must read the config and write the log.
        let chown = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(chown.success(), "chown of the PgBouncer directory failed");
        let child = Command::new("runuser")
            .args(["-u", "postgres", "--", BINARY])
            .arg(path("pgbouncer.ini"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pgbouncer");
        let bouncer = PgBouncer { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "PgBouncer did not start:\n{}",
                bouncer.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        bouncer
    }

    /// A URL of `dbname` through the pooler.
    pub fn url(&self, dbname: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{dbname}", self.port)
    }

    /// Its log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("pgbouncer.log")
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("pgbouncer.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
