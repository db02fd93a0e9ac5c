//! An application that migrates its own database at start-up, with the
//! migrations compiled into the binary (`migrations` here is a link to the
//! repository's `migrations/`).
//!
//! ```sh
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/mydb cargo run -p nzc-example-startup
//! cargo run -p nzc-example-startup -- --list   # the embedded migrations, no database
//! ```
//!
//! Several replicas starting at once are safe: the migrator's lock lets one
//! of them migrate while the others wait, then finds nothing left to do.

use nzc_migrate::{embed_migrations, Migrations, Migrator, Target};
use std::process::ExitCode;

static MIGRATIONS: Migrations = embed_migrations!("migrations");

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let migrator = Migrator::new(&MIGRATIONS).lock_timeout("5s");
    if std::env::args().any(|a| a == "--list") {
        for m in migrator.migrations()? {
            println!("{} {}", m.id(), m.up.checksum);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let url = std::env::var("DATABASE_URL").map_err(|_| "DATABASE_URL is not set")?;
    let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("connection error: {e}");
        }
    });

    let report = migrator.upgrade(&mut client, Target::Head).await?;
    for done in &report.done {
        println!("applied {}", done.id);
    }
    println!("at {}", report.current.as_deref().unwrap_or("base"));

    // Refuse to serve on a schema that drifted from the migrations.
    let drift = migrator.check(&client).await?;
    if !drift.is_empty() {
        eprint!("{drift}");
        return Ok(ExitCode::from(2));
    }
    println!("schema in sync; serving");
    Ok(ExitCode::SUCCESS)
}
