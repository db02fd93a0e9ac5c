//! The connection every database command shares (`--database-url`,
//! `DATABASE_URL`/`DB_URL` from the environment or `.env`, `--wait`), and
//! `nzc db pull`.

use anyhow::Context as _;
use nzc_migrate::url;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio_postgres::Client;

/// Where the database is.
#[derive(Debug, clap::Args)]
pub struct Connection {
    /// Database URL (default: $DATABASE_URL, then $DB_URL, also read from ./.env).
    /// postgresql://, postgres:// and postgresql+psycopg:// URLs are accepted.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Retry the first connection for up to this many seconds (start-up order in compose/Kubernetes).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 0)]
    wait: u64,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Write a schema file from a live database (stdout by default).
    ///
    /// Tables, columns, types, keys, constraints, indexes, defaults and
    /// comments (as `///` docs), in the canonical `nzc fmt` layout; objects nzc
    /// does not model are listed on stderr.
    Pull {
        /// Write to this file instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The PostgreSQL schema to read.
        #[arg(long, default_value = "public", value_name = "NAME")]
        schema: String,
    },
}

impl Connection {
    /// Retries the first connection for at least `at_least` (for `nzc migrate wait`).
    pub fn waiting_at_least(mut self, at_least: Duration) -> Connection {
        self.wait = self.wait.max(at_least.as_secs());
        self
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Pull { output, schema } => block_on(&args.connection, async move |client| {
            let found = nzc_migrate::introspect(client, &schema).await?;
            let text = nzc_codegen::schema_file::render(&found.schema)
                .with_context(|| format!("cannot write schema \"{schema}\" as a schema file"))?;
            for u in &found.unmanaged {
                eprintln!("unmanaged (not in the schema file): {u}");
            }
            match output {
                Some(path) => {
                    super::files::write_atomic(&path, &text)?;
                    eprintln!(
                        "wrote {} ({} tables, {} enums)",
                        path.display(),
                        found.schema.tables.len(),
                        found.schema.enums.len()
                    );
                }
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }),
    }
}

/// Connects (see [`Connection`]) and runs `f` on a current-thread runtime.
pub fn block_on<T>(
    connection: &Connection,
    f: impl AsyncFnOnce(&mut Client) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let opts = connect_options(connection.database_url.as_deref())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let mut client =
            nzc_migrate::connect::connect(&opts, Duration::from_secs(connection.wait)).await?;
        f(&mut client).await
    })
}

/// The URL from the flag, the environment or `.env`, parsed.
fn connect_options(flag: Option<&str>) -> Result<url::ConnectOptions, nzc_migrate::Error> {
    let from_env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let dotenv: Vec<(String, String)> = dotenvy::from_path_iter(".env")
        .map(|it| it.filter_map(Result::ok).collect())
        .unwrap_or_default();
    let from_dotenv = |name: &str| {
        dotenv
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let lookup = |name: &str| from_env(name).or_else(|| from_dotenv(name));
    let raw = flag
        .map(str::to_string)
        .or_else(|| lookup("DATABASE_URL"))
        .or_else(|| lookup("DB_URL"))
        .ok_or(nzc_migrate::Error::NoUrl)?;
    let timeout = match lookup("DB_CONNECT_TIMEOUT") {
        Some(t) => Some(Duration::from_secs(
            t.trim()
                .parse::<u64>()
                .map_err(|_| {
                    nzc_migrate::Error::Url(format!(
                        "DB_CONNECT_TIMEOUT must be a number of seconds, not `{t}`"
                    ))
                })?
                .max(1),
        )),
        None => None,
    };
    url::parse(&raw, timeout)
}
