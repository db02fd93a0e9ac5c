//! Helpers shared by the integration tests that need a real PostgreSQL.
//!
//! # `TestDb`: one fresh database per test
//!
//! ```ignore
//! mod common;
//! use common::TestDb;
//!
//! #[tokio::test]
//! async fn something() {
//!     let db = TestDb::new().await;
//!     let client = db.client().await;
//!     client.batch_execute("CREATE TABLE \"T\" (id int)").await.unwrap();
//!     // … `db.url()` for code that connects by itself (the migration runner) …
//! } // the database is dropped here, even if the test panics
//! ```
//!
//! - The server is reached through the admin URL in `NZC_TEST_ADMIN_URL`
//!   (default [`DEFAULT_ADMIN_URL`]): a `postgres://` URL of a role that may
//!   create databases. URL form only (not `key=value`).
//! - Each [`TestDb::new`] creates a database named
//!   `nzc_test_<pid>_<counter>_<random>`, from `template0` (so nothing
//!   installed in `template1` leaks in, and no other session can block the
//!   copy). Names never collide between tests of one process (the counter),
//!   between test binaries running in parallel (the pid), or with leftovers of
//!   an earlier run (the random part), so tests are safe in parallel.
//! - Dropping the `TestDb` runs `DROP DATABASE … WITH (FORCE)`, which also
//!   ends the test's own connections. Drop works inside `#[tokio::test]`
//!   (either flavor): it runs on a separate thread with its own
//!   current-thread runtime and waits for it. A failure to drop is printed,
//!   never panics (a panic in Drop during unwinding would abort).
//! - Databases left behind by a killed test run match `nzc_test_%` and can be
//!   removed by hand.
//!
//! Connections use `NoTls`.

#![allow(dead_code)]

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio_postgres::{Client, NoTls};

/// The admin URL used when `NZC_TEST_ADMIN_URL` is not set.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The admin URL: `NZC_TEST_ADMIN_URL`, or [`DEFAULT_ADMIN_URL`].
pub fn admin_url() -> String {
    std::env::var("NZC_TEST_ADMIN_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_string())
}

/// Connects to `url` and drives the connection on a spawned task of the
/// current tokio runtime. Panics (with the URL) if the connection fails.
pub async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
    tokio::spawn(async move {
        // Ends with an error when the database is dropped WITH (FORCE): expected.
        let _ = connection.await;
    });
    client
}

/// A fresh, empty database, dropped when this value is dropped.
#[derive(Debug)]
pub struct TestDb {
    name: String,
    url: String,
    admin_url: String,
}

impl TestDb {
    /// Creates a fresh database (see the module docs). Panics if the server
    /// cannot be reached or the database cannot be created.
    pub async fn new() -> TestDb {
        let admin_url = admin_url();
        let name = unique_name();
        let admin = connect(&admin_url).await;
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE template0"))
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let url = with_database(&admin_url, &name);
        TestDb {
            name,
            url,
            admin_url,
        }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A `postgres://` URL of the database (the admin URL with its database
    /// replaced).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new connection to the database, driven on the current runtime.
    pub async fn client(&self) -> Client {
        connect(&self.url).await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        let result = std::thread::spawn(move || -> Result<(), String> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let (client, connection) = tokio_postgres::connect(&admin_url, NoTls)
                    .await
                    .map_err(|e| e.to_string())?;
                let driver = tokio::spawn(connection);
                let result = client.batch_execute(&sql).await.map_err(|e| e.to_string());
                drop(client);
                let _ = driver.await;
                result
            })
        })
        .join();
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("warning: cannot drop test database {}: {e}", self.name),
            Err(_) => eprintln!("warning: dropping test database {} panicked", self.name),
        }
    }
}

/// `nzc_test_<pid>_<counter>_<random>`.
fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // RandomState is seeded randomly per process; mixing in the time makes
    // every call differ even without the counter.
    let mut h = RandomState::new().build_hasher();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.write_u128(nanos);
    h.write_u32(n);
    let random = h.finish() as u32;
    format!("nzc_test_{}_{n}_{random:08x}", std::process::id())
}

/// `url` with its database (the path) replaced by `db`, query kept.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

#[test]
fn url_database_is_replaced() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/postgres?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgresql://h:1", "x"), "postgresql://h:1/x");
}
