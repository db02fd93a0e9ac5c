//! Adopting a database that another tool built (Alembic, sqlx, diesel,
//! Flyway, or a person), without running any of its SQL.
//!
//! The live schema is introspected and compared (see [`crate::check`]) with
//! the snapshot of each nzc migration, newest first; the first that matches
//! (or the one named by [`AdoptOptions::to`], still verified) is the
//! version the database is at, and every migration up to it is recorded as
//! applied — in one transaction, under the migration lock. Comment-only
//! differences do not block (see [`crate::check`]); other tools' history
//! tables are left in place.

use crate::check::{compare_with, snapshot_schema, Difference};
use crate::files::Migration;
use crate::foreign::{self, ForeignHistory};
use crate::runner::{with_lock, Attempt, Waiter};
use crate::{history, Error, Migrator, Unmanaged};
use tokio_postgres::Client;

/// Settings of [`Migrator::adopt`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdoptOptions {
    /// Adopt at this revision (verified like any other) instead of the
    /// newest that matches.
    pub to: Option<String>,
    /// Find the match, record nothing.
    pub dry_run: bool,
}

/// What [`Migrator::adopt`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Adoption {
    /// The database already has an nzc history: nothing recorded.
    AlreadyManaged {
        /// The revision it is at.
        at: Option<String>,
        /// Other tools' history tables that are also there.
        foreign: Vec<ForeignHistory>,
    },
    /// The database holds nothing to adopt (no table, no enum).
    Empty,
    /// The database equals the snapshot of `matched`.
    Adopted {
        foreign: Vec<ForeignHistory>,
        /// The migration whose snapshot the database equals.
        matched: String,
        /// The migrations recorded as applied (none with `dry_run`).
        recorded: Vec<String>,
        /// What would have been recorded (equal to `recorded` unless `dry_run`).
        would_record: Vec<String>,
        /// Comment-only differences to the snapshot (`check --sql` adds them).
        cosmetic: Vec<Difference>,
        /// Objects nzc does not model, left alone.
        unmanaged: Vec<Unmanaged>,
    },
    /// No snapshot equals the database: nothing recorded.
    NoMatch {
        foreign: Vec<ForeignHistory>,
        /// The snapshot with the fewest differences, and those differences.
        closest: Option<String>,
        differences: Vec<Difference>,
    },
}

impl Migrator {
    /// Takes over a database that another tool built: see the module docs.
    pub async fn adopt(
        &self,
        client: &mut Client,
        options: &AdoptOptions,
    ) -> Result<Adoption, Error> {
        let files = self.migrations()?;
        let candidates: Vec<&Migration> = match &options.to {
            Some(rev) => vec![self.resolve(rev)?],
            None => files.iter().rev().collect(),
        };
        let client: &Client = client;
        // Matching reads the catalog in transactions of its own; the lock
        // is taken to record. A concurrent `upgrade` cannot interfere: it
        // refuses a database without nzc history.
        let foreign = foreign::detect(client).await?;
        let applied = history::read(client).await?;
        if !applied.is_empty() {
            return Ok(Adoption::AlreadyManaged {
                at: history::applied_only(&applied)
                    .last()
                    .map(history::Applied::id),
                foreign,
            });
        }
        let schema = foreign::target_schema(client).await?;
        let found = crate::introspect(client, &schema).await?;
        if found.schema.tables.is_empty() && found.schema.enums.is_empty() {
            return Ok(Adoption::Empty);
        }
        let mut closest: Option<(String, Vec<Difference>)> = None;
        for m in candidates {
            let c = compare_with(client, &found.schema, &snapshot_schema(m)?).await?;
            if c.is_empty() {
                let upto: Vec<&Migration> = files
                    .iter()
                    .take_while(|f| f.version != m.version)
                    .chain(std::iter::once(m))
                    .collect();
                let ids: Vec<String> = upto.iter().map(|m| m.id()).collect();
                if !options.dry_run {
                    let mut waiter = Waiter::new(self);
                    let recorded = with_lock!(
                        client,
                        waiter,
                        async {
                            let c = client;
                            // Someone else adopted or migrated it meanwhile.
                            let now = history::read(c).await?;
                            if !now.is_empty() {
                                return Ok(Attempt::Done(Some(now)));
                            }
                            history::create(c).await?;
                            crate::runner::record_exactly(c, &upto).await?;
                            Ok(Attempt::Done(None))
                        }
                        .await
                    );
                    if let Some(now) = recorded {
                        return Ok(Adoption::AlreadyManaged {
                            at: history::applied_only(&now).last().map(history::Applied::id),
                            foreign,
                        });
                    }
                }
                return Ok(Adoption::Adopted {
                    foreign,
                    matched: m.id(),
                    recorded: if options.dry_run {
                        Vec::new()
                    } else {
                        ids.clone()
                    },
                    would_record: ids,
                    cosmetic: c.cosmetic,
                    unmanaged: found.unmanaged,
                });
            }
            if closest
                .as_ref()
                .is_none_or(|(_, d)| c.differences.len() < d.len())
            {
                closest = Some((m.id(), c.differences));
            }
        }
        let (closest, differences) = match closest {
            Some((id, d)) => (Some(id), d),
            None => (None, Vec::new()),
        };
        Ok(Adoption::NoMatch {
            foreign,
            closest,
            differences,
        })
    }
}
