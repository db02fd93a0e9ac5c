//! History tables of other migration tools: Alembic, sqlx, diesel, Flyway.

use crate::error::db;
use crate::Error;
use nzc_dsl::quote_ident;
use tokio_postgres::types::Type;
use tokio_postgres::GenericClient;

/// The tools whose history tables are recognised: (tool, table, query of
/// the latest revision with `{table}` for the qualified table name).
const TOOLS: &[(&str, &str, &str)] = &[
    (
        "Alembic",
        "alembic_version",
        "SELECT string_agg(version_num::text, ', ' ORDER BY version_num) FROM {table}",
    ),
    (
        "sqlx",
        "_sqlx_migrations",
        "SELECT version::text || ' ' || description FROM {table} WHERE success ORDER BY version DESC LIMIT 1",
    ),
    (
        "diesel",
        "__diesel_schema_migrations",
        "SELECT version::text FROM {table} ORDER BY version DESC LIMIT 1",
    ),
    (
        "Flyway",
        "flyway_schema_history",
        "SELECT version::text || ' ' || description FROM {table} WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1",
    ),
];

/// Names of the tables [`detect`] recognises.
pub(crate) fn table_names() -> impl Iterator<Item = &'static str> {
    TOOLS.iter().map(|t| t.1)
}

/// The tool whose history table `table` is, if it is one of [`table_names`].
pub(crate) fn tool_of(table: &str) -> Option<&'static str> {
    TOOLS.iter().find(|t| t.1 == table).map(|t| t.0)
}

/// A history table of another migration tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignHistory {
    /// `Alembic`, `sqlx`, `diesel` or `Flyway`.
    pub tool: &'static str,
    /// The table, schema-qualified (`public.alembic_version`).
    pub table: String,
    /// The revision it records last (Alembic: every head), when readable.
    pub revision: Option<String>,
}

impl std::fmt::Display for ForeignHistory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (table {}", self.tool, self.table)?;
        match &self.revision {
            Some(r) => write!(f, ", revision {r})"),
            None => write!(f, ", no revision recorded)"),
        }
    }
}

/// The history tables of other tools in any schema of the database.
pub async fn detect(client: &impl GenericClient) -> Result<Vec<ForeignHistory>, Error> {
    let names: Vec<&str> = table_names().collect();
    let rows = client
        .query_typed(
            "SELECT n.nspname::text, c.relname::text
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'p') AND c.relname = ANY($1)
                AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
              ORDER BY 1, 2",
            &[(&names, Type::TEXT_ARRAY)],
        )
        .await
        .map_err(db("cannot look for other tools' history tables"))?;
    let mut out = Vec::new();
    for row in rows {
        let schema: String = row.get(0);
        let table: String = row.get(1);
        let Some(&(tool, _, query)) = TOOLS.iter().find(|t| t.1 == table) else {
            continue;
        };
        let qualified = format!("{}.{}", quote_ident(&schema), quote_ident(&table));
        // A table of that name with other columns is still reported, without
        // a revision.
        let revision = match client
            .query_typed(&query.replace("{table}", &qualified), &[])
            .await
        {
            Ok(rows) => rows
                .first()
                .and_then(|r| r.try_get::<_, Option<String>>(0).ok().flatten()),
            Err(_) => None,
        };
        out.push(ForeignHistory {
            tool,
            table: format!("{schema}.{table}"),
            revision,
        });
    }
    Ok(out)
}

/// How many tables the current schema holds, besides nzc's and other
/// tools' history tables.
pub async fn user_tables(client: &impl GenericClient) -> Result<usize, Error> {
    let mut skip: Vec<&str> = table_names().collect();
    skip.push(crate::history::HISTORY_TABLE);
    let rows = client
        .query_typed(
            "SELECT count(*) FROM pg_class c
              WHERE c.relnamespace = current_schema()::regnamespace
                AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                AND c.relname <> ALL($1)",
            &[(&skip, Type::TEXT_ARRAY)],
        )
        .await
        .map_err(db("cannot count the tables of the database"))?;
    Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0)) as usize)
}

/// The schema that unqualified names go to (`current_schema()`: the first
/// schema of the `search_path` that exists and that the role may use) —
/// where nzc's migrations, history table and checks work.
pub async fn target_schema(client: &impl GenericClient) -> Result<String, Error> {
    let rows = client
        .query_typed(
            "SELECT current_schema()::text, current_setting('search_path'), current_user::text",
            &[],
        )
        .await
        .map_err(db("cannot read the search_path"))?;
    let row = rows
        .first()
        .ok_or_else(|| Error::Schema("cannot read the search_path".into()))?;
    let schema: Option<String> = row.get(0);
    schema.ok_or_else(|| {
        let path: String = row.get(1);
        let user: String = row.get(2);
        Error::Schema(format!(
            "no schema of the search_path ({path}) exists or may be used by role \"{user}\": nzc works in the first one (public by default), which needs USAGE (and CREATE to migrate)"
        ))
    })
}
