//! A throw-away PostgreSQL server that accepts TLS connections only, for
//! `tests/tls.rs`.
//!
//! - [`Pki`] makes a self-signed CA and server certificates with `rcgen`.
//! - [`TlsServer::start`] creates a scratch directory, runs `initdb` (as
//!   `postgres` when the test runs as root: initdb refuses root) with a
//!   SCRAM password for its superuser, turns on `ssl` with the given
//!   certificate, and writes a `pg_hba.conf` with `hostnossl … reject` and
//!   `hostssl … scram-sha-256`: plain connections are refused, like managed
//!   PostgreSQL (RDS with `rds.force_ssl`). It listens on 127.0.0.1 on a free
//!   port, its Unix socket lives in the scratch directory.
//! - Dropping the server stops it (`pg_ctl -m immediate stop`) and removes the
//!   scratch directory, also when the test panics.
//!
//! PostgreSQL's binaries are taken from `NZC_PG_BIN` if set, else the newest
//! `/usr/lib/postgresql/<version>/bin`, else `PATH`.

#![allow(dead_code)]

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A CA that signs server certificates.
pub struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
}

impl Pki {
    /// A new self-signed CA named `name`.
    pub fn new(name: &str) -> Pki {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().expect("CA key");
        Pki {
            ca: CertifiedIssuer::self_signed(params, key).expect("self-signed CA certificate"),
        }
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> String {
        self.ca.pem()
    }

    /// A server certificate naming `names` (DNS names or IP addresses) as
    /// subject alternative names, signed by this CA: `(certificate PEM, key PEM)`.
    pub fn server_cert(&self, common_name: &str, names: &[&str]) -> (String, String) {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).expect("server certificate parameters");
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().expect("server key");
        let cert = params
            .signed_by(&key, &self.ca)
            .expect("server certificate");
        (cert.pem(), key.serialize_pem())
    }
}

/// A running, TLS-only PostgreSQL in a scratch directory.
pub struct TlsServer {
    /// The scratch directory (also holds the certificate, the key and the socket).
    pub root: PathBuf,
    data: PathBuf,
    bin: PathBuf,
    /// `Some((uid, gid))` of `postgres` when the test runs as root.
    run_as: Option<(u32, u32)>,
    pub port: u16,
    /// The superuser, which logs in with [`TlsServer::password`].
    pub user: String,
    pub password: String,
    started: bool,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A random hex string (no external crate needed).
pub fn random_hex() -> String {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    format!("{:016x}", h.finish())
}

impl TlsServer {
    /// Starts a server presenting `cert_pem`/`key_pem`. Panics (with
    /// initdb's or the server's log) if it cannot start.
    pub fn start(cert_pem: &str, key_pem: &str) -> TlsServer {
        let t0 = Instant::now();
        let run_as = if is_root() {
            Some(postgres_ids())
        } else {
            None
        };
        // A directory every user can reach: `postgres` must traverse its parents.
        let base = if run_as.is_some() {
            PathBuf::from("/tmp")
        } else {
            std::env::temp_dir()
        };
        let root = base.join(format!(
            "nzc-tls-{}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            &random_hex()[..8]
        ));
        std::fs::create_dir(&root)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", root.display()));
        let mut server = TlsServer {
            data: root.join("data"),
            root,
            bin: pg_bin(),
            run_as,
            port: 0,
            user: "nzc_tls".into(),
            password: format!("nzc-Tls-S3cret-{}", random_hex()),
            started: false,
        };
        // From here on, Drop removes the directory whatever happens.
        server.own(&server.root.clone(), 0o700);

        let pwfile = server.root.join("pwfile");
        server.write_owned(&pwfile, &server.password.clone(), 0o600);
        let cert = server.root.join("server.crt");
        let key = server.root.join("server.key");
        server.write_owned(&cert, cert_pem, 0o644);
        // PostgreSQL refuses a key file readable by others, or owned by someone else.
        server.write_owned(&key, key_pem, 0o600);

        let out = server.pg(
            "initdb",
            &[
                "-D".as_ref(),
                server.data.as_os_str(),
                "-U".as_ref(),
                server.user.as_ref(),
                "--auth=scram-sha-256".as_ref(),
                format!("--pwfile={}", pwfile.display()).as_ref(),
                "--no-sync".as_ref(),
                "--no-instructions".as_ref(),
                "--locale=C".as_ref(),
                "--encoding=UTF8".as_ref(),
            ],
        );
        let _ = std::fs::remove_file(&pwfile);
        assert!(out.status.success(), "initdb failed:\n{}", text(&out));

        let conf = format!(
            "\n# tests/tls.rs\n\
             listen_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{root}'\n\
             ssl = on\n\
             ssl_cert_file = '{cert}'\n\
             ssl_key_file = '{key}'\n\
             password_encryption = 'scram-sha-256'\n\
             max_connections = 20\n\
             shared_buffers = 16MB\n\
             fsync = off\n\
             synchronous_commit = off\n\
             full_page_writes = off\n\
             logging_collector = off\n\
             log_connections = on\n",
            root = server.root.display(),
            cert = cert.display(),
            key = key.display(),
        );
        append(&server.data.join("postgresql.conf"), &conf);
        // Plain TCP is refused outright; TLS needs the password. (pg_ctl -w
        // watches postmaster.pid, it does not connect.)
        std::fs::write(
            server.data.join("pg_hba.conf"),
            "# tests/tls.rs: TLS only, like managed PostgreSQL\n\
             # TYPE     DATABASE  USER  ADDRESS       METHOD\n\
             local      all       all                 scram-sha-256\n\
             hostnossl  all       all   all           reject\n\
             hostssl    all       all   127.0.0.1/32  scram-sha-256\n\
             hostssl    all       all   ::1/128       scram-sha-256\n",
        )
        .expect("write pg_hba.conf");

        // The port is free when probed but may be taken before the server
        // binds it (other tests run in parallel): retry with another one.
        let log = server.root.join("server.log");
        for attempt in 1..=5 {
            server.port = free_port();
            let out = server.pg(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    server.data.as_os_str(),
                    "-l".as_ref(),
                    log.as_os_str(),
                    "-o".as_ref(),
                    format!("-p {}", server.port).as_ref(),
                    "-w".as_ref(),
                    "-t".as_ref(),
                    "30".as_ref(),
                    "start".as_ref(),
                ],
            );
            if out.status.success() {
                server.started = true;
                eprintln!(
                    "TLS-only PostgreSQL on 127.0.0.1:{} ({}), started in {:?}",
                    server.port,
                    server.root.display(),
                    t0.elapsed()
                );
                return server;
            }
            let log_text = std::fs::read_to_string(&log).unwrap_or_default();
            let busy = log_text.contains("could not bind") || log_text.contains("already in use");
            if !busy || attempt == 5 {
                panic!(
                    "pg_ctl start failed:\n{}\nserver log:\n{log_text}",
                    text(&out)
                );
            }
            let _ = std::fs::remove_file(&log);
        }
        unreachable!()
    }

    /// `postgresql://user:password@host:port/postgres?<query>`.
    pub fn url(&self, host: &str, query: &str) -> String {
        self.url_with_password(host, &self.password, query)
    }

    /// As [`TlsServer::url`] with another password.
    pub fn url_with_password(&self, host: &str, password: &str, query: &str) -> String {
        let sep = if query.is_empty() { "" } else { "?" };
        format!(
            "postgresql://{}:{password}@{host}:{}/postgres{sep}{query}",
            self.user, self.port
        )
    }

    /// The server's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.root.join("server.log")).unwrap_or_default()
    }

    /// Runs one of PostgreSQL's programs, as `postgres` when we are root.
    fn pg(&self, program: &str, args: &[&std::ffi::OsStr]) -> Output {
        let exe = self.bin.join(program);
        let mut cmd = match self.run_as {
            Some(_) => {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        cmd.args(args)
            .current_dir(&self.root)
            .env("LC_ALL", "C")
            .env_remove("PGDATA")
            .env_remove("PGPORT")
            .env_remove("PGHOST")
            .stdin(Stdio::null());
        cmd.output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()))
    }

    /// Makes `path` owned by the server's user with `mode`.
    fn own(&self, path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
        if let Some((uid, gid)) = self.run_as {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
        }
    }

    fn write_owned(&self, path: &Path, contents: &str, mode: u32) {
        std::fs::write(path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self.own(path, mode);
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        if self.started {
            let out = self.pg(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    self.data.as_os_str(),
                    "-m".as_ref(),
                    "immediate".as_ref(),
                    "-w".as_ref(),
                    "stop".as_ref(),
                ],
            );
            if !out.status.success() {
                eprintln!(
                    "warning: pg_ctl stop failed for {}:\n{}",
                    self.root.display(),
                    text(&out)
                );
            }
        }
        if let Err(e) = std::fs::remove_dir_all(&self.root) {
            eprintln!("warning: cannot remove {}: {e}", self.root.display());
        }
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn append(path: &Path, s: &str) {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    f.write_all(s.as_bytes())
        .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn is_root() -> bool {
    // /proc/self belongs to the process's effective user.
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// uid and gid of `postgres`, from /etc/passwd.
fn postgres_ids() -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").expect("read /etc/passwd");
    passwd
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() > 3 && f[0] == "postgres").then(|| (f[2].parse().ok(), f[3].parse().ok()))
        })
        .and_then(|(u, g)| Some((u?, g?)))
        .expect("running as root needs a `postgres` user to run initdb as (initdb refuses root)")
}

/// PostgreSQL's bin directory.
fn pg_bin() -> PathBuf {
    if let Some(dir) = std::env::var_os("NZC_PG_BIN") {
        return PathBuf::from(dir);
    }
    let newest = std::fs::read_dir("/usr/lib/postgresql")
        .ok()
        .and_then(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().join("bin/initdb").is_file())
                .max_by_key(|e| e.file_name().to_string_lossy().parse::<u32>().unwrap_or(0))
                .map(|e| e.path().join("bin"))
        });
    if let Some(dir) = newest {
        return dir;
    }
    std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).find(|d| d.join("initdb").is_file()))
        .expect("PostgreSQL's initdb not found: install PostgreSQL or set NZC_PG_BIN to its bin directory")
}

/// A TCP port free on 127.0.0.1 right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}
