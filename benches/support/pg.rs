//! PostgreSQL through `psql`: the server of `NZC_BENCH_ADMIN_URL`, a fresh
//! database per use, one-statement queries, fingerprints of a schema.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The server when neither `NZC_BENCH_ADMIN_URL` nor `NZC_TEST_ADMIN_URL` is set.
pub const DEFAULT_ADMIN_URL: &str = "postgresql://postgres@127.0.0.1:5432/postgres";

/// Tables that record applied migrations; not part of the schema compared.
pub const HISTORY_TABLES: &str = "'nzc_migrations', 'alembic_version'";

/// `NZC_BENCH_ADMIN_URL`, else `NZC_TEST_ADMIN_URL`, else `default`.
pub fn admin_url(default: &str) -> String {
    std::env::var("NZC_BENCH_ADMIN_URL")
        .or_else(|_| std::env::var("NZC_TEST_ADMIN_URL"))
        .unwrap_or_else(|_| default.to_string())
}

/// The server's version, through psql at `admin`. Without a server, bench
/// `name` says so and exits with 1 under `--bench` (`bench`); otherwise it
/// prints that it is skipped and gets `None`.
pub fn server_version(admin: &str, name: &str, bench: bool) -> Option<String> {
    match psql_query(admin, "SHOW server_version") {
        Ok(v) => Some(v),
        Err(why) => {
            eprintln!("{name} bench: PostgreSQL is not reachable through psql at {admin}: {why}");
            if bench {
                std::process::exit(1);
            }
            println!(
                "{name} bench skipped: no PostgreSQL (run `cargo bench --bench {name}` with one)"
            );
            None
        }
    }
}

/// The report line of the versions: PostgreSQL's, the `nzc` binary, Alembic's.
pub fn write_versions(o: &mut String, server: &str, nzc: &Path, alembic: Option<&str>) {
    let _ = writeln!(
        o,
        "PostgreSQL {server}; nzc: {}; {}",
        nzc.display(),
        alembic.unwrap_or("alembic: skipped")
    );
}

/// The admin connection of bench `bench` (its name, for messages).
pub struct Admin {
    pub url: String,
    bench: &'static str,
}

/// A database of this run, dropped when the value is.
pub struct Database {
    admin: String,
    bench: &'static str,
    pub name: String,
    pub url: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Admin {
    pub fn new(url: String, bench: &'static str) -> Admin {
        Admin { url, bench }
    }

    /// Creates an empty database with a name unique to this process
    /// (`nzc_bench_<pid>_<n>`).
    pub fn fresh(&self) -> Database {
        self.create("")
    }

    /// Creates a copy of `template` (which nobody may be connected to) with
    /// a name unique to this process, file by file (`STRATEGY FILE_COPY`,
    /// PostgreSQL 15+; older servers copy their default way): quick for a
    /// large database, and no WAL to replay.
    pub fn copy(&self, template: &Database) -> Database {
        self.create(&format!(
            " TEMPLATE \"{}\" STRATEGY FILE_COPY",
            template.name
        ))
    }

    /// `CREATE DATABASE "<unique name>"` followed by `options`.
    fn create(&self, options: &str) -> Database {
        let name = format!(
            "nzc_bench_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let sql = format!("CREATE DATABASE \"{name}\"{options}");
        psql_query(&self.url, &sql)
            .or_else(|e| match options.strip_suffix(" STRATEGY FILE_COPY") {
                Some(older) if e.contains("strategy") => {
                    psql_query(&self.url, &format!("CREATE DATABASE \"{name}\"{older}"))
                }
                _ => Err(e),
            })
            .unwrap_or_else(|e| panic!("create database {name}: {e}"));
        Database {
            admin: self.url.clone(),
            bench: self.bench,
            url: with_database(&self.url, &name),
            name,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Err(e) = psql_query(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
        ) {
            eprintln!(
                "{} bench: could not drop database {}: {e}",
                self.bench, self.name
            );
        }
    }
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// `postgresql+psycopg://…` for SQLAlchemy.
pub fn sqlalchemy_url(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    format!("postgresql+psycopg://{rest}")
}

/// Runs one statement with psql; its output, trimmed.
pub fn psql_query(url: &str, sql: &str) -> Result<String, String> {
    let output = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            sql,
        ])
        .output();
    let output = output.map_err(|e| format!("cannot run psql: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

/// The schema `public` of the database at `url` as one sorted line per
/// object, without the history tables: its constraints and indexes, and the
/// lines of `selects` (each a `SELECT … AS line`, the bench's own view of
/// columns, enum types, …).
pub fn fingerprint(url: &str, selects: &[String]) -> Result<String, String> {
    let mut parts = selects.to_vec();
    parts.push(format!(
        "SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) AS line
           FROM pg_constraint
          WHERE connamespace = 'public'::regnamespace
            AND conrelid::regclass::text NOT IN ({HISTORY_TABLES})"
    ));
    parts.push(format!(
        "SELECT 'index ' || indexdef AS line FROM pg_indexes
          WHERE schemaname = 'public' AND tablename NOT IN ({HISTORY_TABLES})"
    ));
    psql_query(
        url,
        &format!(
            "SELECT string_agg(line, E'\\n' ORDER BY line) FROM (\n{}\n) AS s",
            parts.join("\nUNION ALL\n")
        ),
    )
}
