//! What each statement locks and what it does while holding the lock:
//! [`StatementLock`], built by [`crate::locks`] from the same classification
//! of each statement that the rules read.

use nzc_types::contract::PartMode;
use std::fmt;

/// PostgreSQL's table-level lock modes, weakest first (the order of the
/// table "Conflicting Lock Modes" in the documentation's chapter 13.3,
/// Explicit Locking), so `max` gives the stronger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LockMode {
    /// `SELECT`.
    AccessShare,
    /// `SELECT … FOR UPDATE / FOR SHARE`; a foreign key's `VALIDATE` on
    /// the referenced table.
    RowShare,
    /// `INSERT`, `UPDATE`, `DELETE`, `MERGE`.
    RowExclusive,
    /// `CREATE INDEX CONCURRENTLY`, `VALIDATE CONSTRAINT`, `COMMENT ON`,
    /// `SET STATISTICS`, `VACUUM`, `ANALYZE`.
    ShareUpdateExclusive,
    /// `CREATE INDEX`.
    Share,
    /// `ADD FOREIGN KEY` (on both tables), `CREATE TRIGGER`.
    ShareRowExclusive,
    /// `REFRESH MATERIALIZED VIEW CONCURRENTLY`.
    Exclusive,
    /// Most of `ALTER TABLE`, `DROP TABLE`, `TRUNCATE`, `DROP INDEX`.
    AccessExclusive,
}

impl LockMode {
    /// Every mode, weakest first.
    pub const ALL: [LockMode; 8] = [
        LockMode::AccessShare,
        LockMode::RowShare,
        LockMode::RowExclusive,
        LockMode::ShareUpdateExclusive,
        LockMode::Share,
        LockMode::ShareRowExclusive,
        LockMode::Exclusive,
        LockMode::AccessExclusive,
    ];

    /// The name as PostgreSQL's documentation spells it: `ACCESS EXCLUSIVE`.
    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// Whether two transactions cannot hold a lock of this mode and one of
    /// `other` on the same table at once (PostgreSQL's conflict table; it
    /// is symmetric).
    pub fn conflicts_with(self, other: LockMode) -> bool {
        use LockMode::*;
        let conflicts: &[LockMode] = match self {
            AccessShare => &[AccessExclusive],
            RowShare => &[Exclusive, AccessExclusive],
            RowExclusive => &[Share, ShareRowExclusive, Exclusive, AccessExclusive],
            ShareUpdateExclusive => &[
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            Share => &[
                RowExclusive,
                ShareUpdateExclusive,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            ShareRowExclusive => &[
                RowExclusive,
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            Exclusive => &[
                RowShare,
                RowExclusive,
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            AccessExclusive => &LockMode::ALL,
        };
        conflicts.contains(&other)
    }

    /// What the application's own statements on the table wait for while
    /// the lock is held: `"reads and writes"`, `"writes and SELECT … FOR
    /// UPDATE"`, `"writes"`, or `"nothing but DDL"` (reads take ACCESS
    /// SHARE, locking reads ROW SHARE, writes ROW EXCLUSIVE).
    pub fn blocks(self) -> &'static str {
        if self.conflicts_with(LockMode::AccessShare) {
            "reads and writes"
        } else if self.conflicts_with(LockMode::RowShare) {
            "writes and SELECT … FOR UPDATE"
        } else if self.conflicts_with(LockMode::RowExclusive) {
            "writes"
        } else {
            "nothing but DDL"
        }
    }

    /// The mode of PostgreSQL's `LOCKMODE` number (`AccessShareLock` = 1 …
    /// `AccessExclusiveLock` = 8), as `LOCK TABLE`'s tree gives it.
    pub(crate) fn from_pg(mode: i32) -> Option<LockMode> {
        let i = usize::try_from(mode).ok()?.checked_sub(1)?;
        LockMode::ALL.get(i).copied()
    }
}

impl fmt::Display for LockMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the statement does while it holds its lock, shortest first. (In a
/// transaction part the lock stays until the part commits, whatever the
/// statement did: see L006.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Hold {
    /// Done in a moment once it has the lock: it changes the catalog only
    /// (or, for `INSERT … VALUES`, writes the rows given). Getting the lock
    /// may still mean queueing behind a long query, with every later
    /// statement on the table queued behind it.
    #[default]
    Brief,
    /// It reads every row under the lock: a constraint's validation,
    /// `SET NOT NULL`'s check, `UPDATE` / `DELETE` / `INSERT … SELECT`
    /// (which read the rows they select and keep the rows they change locked
    /// until commit).
    Scan,
    /// It builds an index under the lock.
    Build,
    /// It rewrites the table (and its indexes) under the lock.
    Rewrite,
}

impl Hold {
    /// `"brief (catalog only)"`, `"while every row is read"`, `"while the
    /// index is built"`, `"while the table is rewritten"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Hold::Brief => "brief (catalog only)",
            Hold::Scan => "while every row is read",
            Hold::Build => "while the index is built",
            Hold::Rewrite => "while the table is rewritten",
        }
    }
}

/// The table lock one statement of a migration file takes, and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatementLock {
    /// Byte range of the statement in the file (the `;` excluded).
    pub span: (usize, usize),
    /// The part of the file it is in, from 0 (a file without
    /// `-- nzc:part` lines is one part).
    pub part: usize,
    /// How that part runs: in one transaction, or statement by statement.
    pub part_mode: PartMode,
    /// The strongest lock it takes on [`tables`](Self::tables). `None`: no
    /// table lock (`CREATE TYPE`, `ALTER TYPE … ADD VALUE`, `SET`, `BEGIN`,
    /// `CREATE FUNCTION`), or not known (`DO`, function calls, anything not
    /// listed in the crate documentation).
    pub lock: Option<LockMode>,
    /// The tables the lock is taken on, as the SQL names them without
    /// quotes (`name`, or `schema.name` when qualified). Empty when the
    /// table is not named: `DROP INDEX` of an index this file did not
    /// create.
    pub tables: Vec<String>,
    /// Other tables it locks, with the mode: a foreign key's referenced
    /// table (SHARE ROW EXCLUSIVE to add it, ROW SHARE to validate it), the
    /// parent of a new partition, the partition being attached or detached.
    pub referenced: Vec<(String, LockMode)>,
    /// What it does while holding the lock.
    pub hold: Hold,
    /// Every table of [`tables`](Self::tables) is new: created by this
    /// statement or earlier in the file, so nobody else uses it yet and
    /// nobody waits.
    pub new_table: bool,
    /// What it locks is not known: a `DO` block or a `CALL`, whose body
    /// nzc lint does not read (a backfill in batches, a conditional
    /// `ALTER TABLE`, …). [`lock`](Self::lock) is then `None`.
    pub opaque: bool,
}

impl StatementLock {
    /// One line for people: `ACCESS EXCLUSIVE on "EmissionRecord", brief
    /// (catalog only)`, `SHARE on "EmissionRecord" while the index is
    /// built; writes wait`, `SHARE UPDATE EXCLUSIVE on "EmissionRecord"
    /// while the index is built; reads and writes continue`.
    pub fn describe(&self) -> String {
        let Some(lock) = self.lock else {
            return if self.opaque {
                "locks not known (nzc lint does not read a DO block's or procedure's body)"
                    .to_string()
            } else {
                "no table lock".to_string()
            };
        };
        let tables = if self.tables.is_empty() {
            // Only an index's table goes unnamed (`DROP INDEX`, `REINDEX`).
            "the index's table".to_string()
        } else {
            let quoted: Vec<String> = self.tables.iter().map(|t| display(t)).collect();
            quoted.join(", ")
        };
        let mut out = format!("{lock} on {tables}");
        match self.hold {
            // A brief ROW EXCLUSIVE is an `INSERT … VALUES`: rows, not the
            // catalog.
            Hold::Brief if lock == LockMode::RowExclusive => out.push_str(", brief"),
            Hold::Brief => {
                out.push_str(", ");
                out.push_str(self.hold.as_str());
            }
            hold => {
                out.push(' ');
                out.push_str(hold.as_str());
            }
        }
        if self.new_table {
            out.push_str("; a new table: nobody waits for it");
        } else if self.hold != Hold::Brief {
            match lock.blocks() {
                "nothing but DDL" => out.push_str("; reads and writes continue"),
                blocked => {
                    out.push_str("; ");
                    out.push_str(blocked);
                    out.push_str(" wait");
                }
            }
        }
        for (table, mode) in &self.referenced {
            out.push_str(&format!("; also {mode} on {}", display(table)));
        }
        out
    }
}

/// `schema.name` → `"schema"."name"`, `name` → `"name"`.
fn display(table: &str) -> String {
    table
        .splitn(2, '.')
        .map(|p| format!("\"{}\"", p.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(".")
}
