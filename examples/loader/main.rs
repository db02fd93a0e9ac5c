//! Loads a JSON file of extracted records into a migrated database with the
//! generated models, idempotently: running it twice leaves the same rows.
//!
//! ```sh
//! cargo run -- migrate upgrade head                     # once, with DATABASE_URL set
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/pdf_converter \
//!     cargo run --example loader -- examples/data/extracted.json
//! ```
//!
//! The logic is in `load.rs` (also compiled into the tests); this file reads
//! the arguments, connects, and runs it in one transaction.

mod load;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo run --example loader -- <extracted.json>

Loads a city, its climate city contract, emissions and targets (with their
indicators) from a JSON file of extracted records into the database in
DATABASE_URL (a postgres:// URL of a database migrated with
`nzc migrate upgrade head`), in one transaction, with upserts: running it
again with the same file changes nothing.

example:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/pdf_converter \\
      cargo run --example loader -- examples/data/extracted.json";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = match args.as_slice() {
        [flag] if flag == "-h" || flag == "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        [path] if !path.starts_with('-') => path.clone(),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&path).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let json = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let data = load::parse(&json).map_err(|e| format!("{path}: {e}"))?;
    let url = std::env::var("DATABASE_URL")
        .map_err(|_| "DATABASE_URL is not set (a postgres:// URL of a migrated database)")?;
    // No TLS, for a local database; see `nzc migrate` for TLS connections.
    let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
    let driver = tokio::spawn(connection);

    let tx = client.transaction().await?;
    let loaded = load::load(&tx, &data).await?;
    let counts = load::table_counts(&tx).await?;
    tx.commit().await?;

    println!(
        "loaded {path}: {} city, {} contract, {} sectors, {} emission records, {} indicators, {} targets",
        loaded.cities,
        loaded.contracts,
        loaded.sectors,
        loaded.emissions,
        loaded.indicators,
        loaded.targets,
    );
    println!("rows now in the database:");
    for (table, n) in counts {
        println!("  {table:<20} {n}");
    }
    drop(client);
    let _ = driver.await;
    Ok(())
}
