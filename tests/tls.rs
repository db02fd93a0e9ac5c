//! `nzc migrate` over TLS against a real PostgreSQL that refuses plain
//! connections (like managed PostgreSQL), for every `sslmode` that matters.
//!
//! Each test starts its own throw-away server (see `support/tls_server.rs`):
//! own scratch directory, own port, own CA. The `nzc` binary is run as a
//! user would, with `--database-url`; no output of any run may contain the
//! password.

#[path = "support/tls_server.rs"]
mod tls_server;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tls_server::{Pki, TlsServer};

/// One run of `nzc`.
struct Run {
    what: String,
    ok: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    fn describe(&self) -> String {
        format!(
            "{} (exit {:?})\n--- stdout\n{}--- stderr\n{}",
            self.what, self.code, self.stdout, self.stderr
        )
    }
}

/// Runs the real `nzc` binary and checks that its output never shows `secrets`.
struct Nzc<'s> {
    server: &'s TlsServer,
    /// Holds the CA files and the migrations; the working directory of every run.
    dir: PathBuf,
    migrations: PathBuf,
    secrets: Vec<String>,
}

impl<'s> Nzc<'s> {
    fn new(server: &'s TlsServer) -> Nzc<'s> {
        let dir = server.root.join("client");
        std::fs::create_dir(&dir).expect("create client dir");
        let migrations = dir.join("migrations");
        std::fs::create_dir(&migrations).expect("create migrations dir");
        Nzc {
            server,
            dir,
            migrations,
            secrets: vec![server.password.clone()],
        }
    }

    /// Writes a file next to the migrations and returns its path.
    fn file(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::write(&p, contents).expect("write client file");
        p
    }

    /// `nzc migrate <args…> --database-url <url>`.
    fn migrate(&self, url: &str, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_nzc"))
            .arg("migrate")
            .args(args)
            .arg("--database-url")
            .arg(url)
            .arg("--migrations-dir")
            .arg(&self.migrations)
            // Hermetic: no ./.env, no ~/.postgresql/root.crt, no URL from the environment.
            .current_dir(&self.dir)
            .env("HOME", &self.dir)
            .env_remove("DATABASE_URL")
            .env_remove("DB_URL")
            .env_remove("DB_CONNECT_TIMEOUT")
            .stdin(Stdio::null())
            .output()
            .expect("run nzc");
        let run = Run {
            what: format!(
                "nzc migrate {} --database-url {}",
                args.join(" "),
                redact(url, &self.secrets)
            ),
            ok: out.status.success(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        for secret in &self.secrets {
            assert!(
                !run.output().contains(secret.as_str()),
                "the password appears in the output of {}:\n{}",
                run.what,
                redact(&run.describe(), &self.secrets)
            );
        }
        run
    }

    /// `nzc migrate current`, which must succeed.
    fn current_ok(&self, url: &str) -> Run {
        let run = self.migrate(url, &["current"]);
        assert!(
            run.ok,
            "expected success: {}\nserver log:\n{}",
            run.describe(),
            tail(&self.server.log())
        );
        run
    }

    /// `nzc migrate current`, which must fail with a message containing every one of `needles` (case-insensitive).
    fn current_fails(&self, url: &str, needles: &[&str]) -> Run {
        let run = self.migrate(url, &["current"]);
        assert!(!run.ok, "expected failure: {}", run.describe());
        assert_ne!(run.code, Some(0), "{}", run.describe());
        eprintln!(
            "{}\n  -> {}",
            run.what,
            run.stderr.trim().replace('\n', "\n     ")
        );
        let lower = run.output().to_lowercase();
        for n in needles {
            assert!(
                lower.contains(&n.to_lowercase()),
                "expected `{n}` in the message of {}",
                run.describe()
            );
        }
        run
    }
}

fn redact(s: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .fold(s.to_string(), |s, secret| s.replace(secret.as_str(), "***"))
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

fn q(mode: &str, root: Option<&Path>) -> String {
    match root {
        Some(p) => format!(
            "sslmode={mode}&sslrootcert={}&connect_timeout=10",
            p.display()
        ),
        None => format!("sslmode={mode}&connect_timeout=10"),
    }
}

/// The server's certificate names `localhost` and `127.0.0.1`.
#[test]
fn tls_only_server_with_a_trusted_certificate() {
    let ca = Pki::new("nzc test CA");
    let other_ca = Pki::new("nzc unrelated CA");
    let (cert, key) = ca.server_cert("localhost", &["localhost", "127.0.0.1"]);
    let server = TlsServer::start(&cert, &key);
    let nzc = Nzc::new(&server);
    let ca_file = nzc.file("ca.pem", &ca.ca_pem());
    let other_ca_file = nzc.file("other-ca.pem", &other_ca.ca_pem());
    let ca_file = Some(ca_file.as_path());
    let other_ca_file = Some(other_ca_file.as_path());

    // verify-full: the chain leads to the CA and the certificate names the host.
    let run = nzc.current_ok(&server.url("localhost", &q("verify-full", ca_file)));
    assert!(
        run.stdout.contains("base (no migration applied)"),
        "{}",
        run.describe()
    );
    nzc.current_ok(&server.url("127.0.0.1", &q("verify-full", ca_file)));
    nzc.current_ok(&server.url("localhost", &q("verify-ca", ca_file)));
    // libpq: require with a root certificate verifies the chain.
    nzc.current_ok(&server.url("localhost", &q("require", ca_file)));

    // A CA that did not sign the server's certificate.
    for mode in ["verify-full", "verify-ca", "require"] {
        let run = nzc.current_fails(
            &server.url("localhost", &q(mode, other_ca_file)),
            &[
                "TLS connection to localhost:",
                "UnknownIssuer",
                "not signed by a CA in sslrootcert",
            ],
        );
        assert!(!run.output().contains("panicked"), "{}", run.describe());
    }
    // verify-full without a CA: told how to give one (HOME has no ~/.postgresql/root.crt).
    nzc.current_fails(
        &server.url("localhost", &q("verify-full", None)),
        &["sslrootcert="],
    );

    // Encrypted without verification: require, and prefer (also the default).
    nzc.current_ok(&server.url("localhost", &q("require", None)));
    nzc.current_ok(&server.url("127.0.0.1", &q("prefer", None)));
    nzc.current_ok(&server.url("127.0.0.1", "connect_timeout=10"));

    // Plain connections are refused by pg_hba.conf, with the server's reason
    // and a hint, not as a wrong password.
    let run = nzc.current_fails(
        &server.url("127.0.0.1", &q("disable", None)),
        &["pg_hba.conf", "no encryption", "sslmode="],
    );
    assert!(
        !run.output().contains("authentication failed"),
        "{}",
        run.describe()
    );
    // allow: plain first, then TLS when the server refuses plain (libpq).
    nzc.current_ok(&server.url("127.0.0.1", &q("allow", None)));

    // A wrong password over TLS: an authentication error showing neither password.
    let wrong = format!("wrong-{}", tls_server::random_hex());
    let nzc_wrong = Nzc {
        secrets: vec![server.password.clone(), wrong.clone()],
        server: &server,
        dir: nzc.dir.clone(),
        migrations: nzc.migrations.clone(),
    };
    nzc_wrong.current_fails(
        &server.url_with_password("localhost", &wrong, &q("require", None)),
        &["authentication failed"],
    );

    // Migrations run over verify-full TLS.
    let m = nzc.migrations.join("20250101000000_tls_probe");
    std::fs::create_dir(&m).unwrap();
    std::fs::write(
        m.join("up.sql"),
        "CREATE TABLE tls_probe (id integer PRIMARY KEY);\n",
    )
    .unwrap();
    std::fs::write(m.join("down.sql"), "DROP TABLE tls_probe;\n").unwrap();
    let url = server.url("localhost", &q("verify-full", ca_file));
    let run = nzc.migrate(&url, &["upgrade", "head"]);
    assert!(
        run.ok,
        "upgrade head over TLS: {}\nserver log:\n{}",
        run.describe(),
        tail(&server.log())
    );
    assert!(
        run.stdout.contains("applied  20250101000000_tls_probe"),
        "{}",
        run.describe()
    );
    let run = nzc.current_ok(&url);
    assert_eq!(
        run.stdout.trim(),
        "20250101000000_tls_probe",
        "{}",
        run.describe()
    );
    let run = nzc.migrate(&url, &["status"]);
    assert!(
        run.ok && run.stdout.contains("applied   20250101000000_tls_probe"),
        "{}",
        run.describe()
    );
}

/// The server's certificate is signed by the trusted CA but names another host.
#[test]
fn verify_full_checks_the_host_name_verify_ca_does_not() {
    let ca = Pki::new("nzc test CA");
    let (cert, key) = ca.server_cert("db.nzc-test.invalid", &["db.nzc-test.invalid"]);
    let server = TlsServer::start(&cert, &key);
    let nzc = Nzc::new(&server);
    let ca_file = nzc.file("ca.pem", &ca.ca_pem());
    let ca_file = Some(ca_file.as_path());

    for host in ["localhost", "127.0.0.1"] {
        nzc.current_fails(
            &server.url(host, &q("verify-full", ca_file)),
            &[
                "TLS connection to",
                "not valid for name",
                "sslmode=verify-ca",
            ],
        );
        nzc.current_ok(&server.url(host, &q("verify-ca", ca_file)));
        nzc.current_ok(&server.url(host, &q("require", ca_file)));
    }
}
