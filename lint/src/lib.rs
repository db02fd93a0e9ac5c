//! `nzc-lint`: finds the statements of a migration file (`up.sql`, `down.sql`)
//! that take strong locks on a busy table, rewrite it, fail, or lose data —
//! the library behind `nzc lint`.
//!
//! The SQL is read by PostgreSQL's own parser (libpg_query through the
//! `pg_query` crate): statements, their trees and their tokens are exactly
//! what the server sees, comments included. [`lint`] returns the findings,
//! [`render`] prints them like the compiler's diagnostics; [`locks`] says
//! what every statement locks, and for how long:
//!
//! ```
//! let sql = "ALTER TABLE \"BudgetFunding\" ALTER COLUMN \"amount\" TYPE bigint;\n";
//! let findings = nzc_lint::lint(sql, "up.sql", &nzc_lint::Options::default()).unwrap();
//! assert_eq!(findings[0].rule.code(), "L008");
//! print!("{}", nzc_lint::render(&findings, sql, "up.sql"));
//! ```
//!
//! # Parts
//!
//! A migration file may be split into parts by marker lines, `-- nzc:part
//! transaction` and `-- nzc:part no-transaction` (the syntax is
//! `nzc_types::contract`'s, read with its `migration_parts`; a malformed
//! layout is a [`LintError::Parts`] at the line at fault). The parts run in
//! order, each committed before the next starts: a transaction part in one
//! transaction, a no-transaction part statement by statement. Each part is
//! parsed on its own, as the runner sends it. A file without markers is one
//! part, which runs in a transaction unless [`Options::in_transaction`] is
//! false (for files without markers only). So:
//!
//! - what fails in a transaction (L003) is reported in transaction parts;
//! - what a transaction holds ends with its part: L006 reports a `VALIDATE`
//!   only in the transaction part that added the constraint `NOT VALID`;
//! - transaction control (L016) is reported in every part of a file with
//!   parts (the runner manages them all), and in a file without parts when
//!   it runs in a transaction;
//! - what earlier parts did stays known (it was committed): tables created,
//!   checks validated, column types set.
//!
//! # What the linter knows
//!
//! It sees one file. Tables created earlier in it (`CREATE TABLE`, not
//! `IF NOT EXISTS`; `CREATE TABLE … AS`), and those named in
//! [`Options::new_tables`], are new: nobody uses them yet, so the lock and
//! data-loss rules skip every statement on them. What fails anyway (L003,
//! L016) is still reported. Constraints added `NOT VALID` and validated,
//! and column types given earlier in the file, are remembered in order.
//!
//! # Accepting a finding
//!
//! A comment `-- nzc:allow(L008)` (or `/* nzc:allow(L008, L012) */`, codes or
//! names, comma-separated) on the line(s) just before a statement — the
//! block of comment lines directly above it, no blank line between — or
//! inside the statement accepts those findings for that statement: they are
//! not returned. A comment at the end of the previous statement's line
//! belongs to that statement.
//!
//! # Rules
//!
//! Error: the statement fails, or blocks reads or writes of a busy table for
//! longer than a moment. Warning: it loses data or breaks running code.
//! "A no-transaction part" below is a `-- nzc:part no-transaction` part, or
//! a migration marked `-- nzc:no-transaction`.
//!
//! - **L001 `index-without-concurrently`** (error): `CREATE INDEX` without
//!   `CONCURRENTLY` on an existing table. Lock: SHARE for the whole build,
//!   so every write waits (minutes on a big table). Fix: `CREATE INDEX
//!   CONCURRENTLY`, in a no-transaction part.
//! - **L002 `drop-index-without-concurrently`** (error): `DROP INDEX` without
//!   `CONCURRENTLY` (an index of a table created in the file is exempt).
//!   Lock: ACCESS EXCLUSIVE on the table; short, but while it queues behind a
//!   long query everything queues behind it. Fix: `DROP INDEX CONCURRENTLY`
//!   in a no-transaction part.
//! - **L003 `concurrently-in-transaction`** (error): `CREATE INDEX
//!   CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY` or
//!   `DETACH PARTITION … CONCURRENTLY` in a transaction part (or a file
//!   without parts that runs in a transaction, [`Options::in_transaction`]):
//!   PostgreSQL refuses it ("cannot run inside a transaction block"). Fix:
//!   put it in a no-transaction part.
//! - **L004 `check-without-not-valid`** (error): `ADD CONSTRAINT … CHECK`
//!   without `NOT VALID` on an existing table. Lock: ACCESS EXCLUSIVE while
//!   every row is checked: reads and writes wait. Fix: `NOT VALID`, then
//!   `VALIDATE CONSTRAINT` in a later part (or a later migration): SHARE
//!   UPDATE EXCLUSIVE, reads and writes go on.
//! - **L005 `foreign-key-in-one-step`** (error): a foreign key added and
//!   validated at once: `ADD CONSTRAINT … FOREIGN KEY` without `NOT VALID`,
//!   or `ADD COLUMN … REFERENCES`. Lock: SHARE ROW EXCLUSIVE on both tables
//!   while every row is checked: writes to both wait. Fix: as L004.
//! - **L006 `validate-in-same-transaction`** (error): `VALIDATE CONSTRAINT`
//!   of a constraint added `NOT VALID` earlier in the same transaction part
//!   (or the same file without parts, run in a transaction): the lock of the
//!   `ADD` is held until commit, through the whole validation, as if `NOT
//!   VALID` had not been written. Fix: validate in a later part (or a later
//!   migration).
//! - **L007 `set-not-null`** (error): `ALTER COLUMN … SET NOT NULL` (or
//!   PostgreSQL 18's `ADD CONSTRAINT … NOT NULL col` without `NOT VALID`) on
//!   an existing table, with no validated `CHECK (col IS NOT NULL)` before
//!   it in the file. Lock: ACCESS EXCLUSIVE while every row is scanned. Fix:
//!   `ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE` it in
//!   a later part (or a later migration), `SET NOT NULL` after that
//!   (PostgreSQL 12+ uses the check and skips the scan), drop the check.
//!   Counts as validated: such a check added without `NOT VALID`, or
//!   validated, earlier in the file (in any part); and
//!   any `VALIDATE CONSTRAINT` earlier in the file on the same table of a
//!   constraint this file did not add (its definition is in an earlier
//!   migration, out of sight).
//! - **L008 `type-change-rewrite`** (error): `ALTER COLUMN … TYPE` that
//!   rewrites the table and its indexes. Lock: ACCESS EXCLUSIVE for the
//!   whole rewrite. Cheap (no finding) are only changes that keep the
//!   stored bytes: the same type; `varchar(n)` → `varchar(m ≥ n)` or
//!   `varchar`; `varchar` ↔ `text` (to unbounded `varchar`); `numeric(p,s)`
//!   → `numeric(p' ≥ p, s)` or `numeric`; `varbit(n)` → `varbit(m ≥ n)`.
//!   Everything else rewrites — `integer` → `bigint` above all — and so does
//!   any `USING`. The old type is known when the file gave it (`CREATE
//!   TABLE`, `ADD COLUMN`, an earlier `TYPE`); otherwise a change to
//!   `text`, `varchar`, `numeric` or `varbit` gets the benefit of the doubt
//!   and any other target type is a rewrite. Fix: a new column, filled in
//!   batches (kept in step by a trigger), then a swap — what `nzc compile
//!   --online` generates.
//! - **L009 `add-column-rewrite`** (error): `ADD COLUMN` that fills every
//!   existing row: a volatile default (`random()`, `gen_random_uuid()`,
//!   `clock_timestamp()`, `nextval()`, `uuid_generate_v4()`, … — `now()` and
//!   constants are stable and stored without a rewrite since PostgreSQL 11),
//!   a `serial` type, `GENERATED AS IDENTITY`, `GENERATED ALWAYS AS (…)
//!   STORED`. Lock: ACCESS EXCLUSIVE for the rewrite. Fix: add the column
//!   without it, fill it in batches, then `SET DEFAULT`.
//! - **L010 `unique-without-index`** (error): `ADD CONSTRAINT … UNIQUE` or
//!   `PRIMARY KEY` (or `ADD COLUMN … UNIQUE`) without `USING INDEX` on an
//!   existing table. Lock: ACCESS EXCLUSIVE for the whole index build. Fix:
//!   `CREATE UNIQUE INDEX CONCURRENTLY` (in a no-transaction part), then
//!   `ADD CONSTRAINT … UNIQUE USING INDEX`.
//! - **L011 `add-required-column`** (error): `ADD COLUMN … NOT NULL` (or
//!   `PRIMARY KEY`) without a default on an existing table: it fails as soon
//!   as the table has a row. Fix: a non-volatile `DEFAULT`, or nullable,
//!   filled, then NOT NULL as in L007.
//! - **L012 `drop-column`** (warning): `DROP COLUMN` deletes the column's data
//!   (a brief lock, no rewrite). Make sure no running code uses it.
//! - **L013 `drop-table`** (warning): `DROP TABLE` deletes the rows.
//! - **L014 `rename-column`** (warning): `RENAME COLUMN` breaks the running
//!   application, which still uses the old name.
//! - **L015 `rename-table`** (warning): `ALTER TABLE … RENAME TO`, likewise.
//! - **L016 `transaction-control`** (error): `BEGIN`, `START TRANSACTION`,
//!   `COMMIT`, `ROLLBACK`, `PREPARE TRANSACTION` … in any part of a file with
//!   parts, or in a file without parts that runs in a transaction: the
//!   runner manages the transactions (with its record of the migration in
//!   them); these end or nest them, or run a no-transaction part's
//!   statements in a transaction the runner does not know of.
//!
//! # Locks
//!
//! [`locks`] gives every statement's [`StatementLock`]: its part and the
//! part's mode, the strongest [`LockMode`] it takes and on which tables,
//! the other tables it locks, what it does under the lock ([`Hold`]), and
//! whether its tables are new. It comes from the same classification of
//! each statement as the rules (see `check.rs`), so a statement a lock rule
//! reports never holds its lock "briefly". The modes are PostgreSQL's
//! (`AlterTableGetLockLevel` and the notes of the `ALTER TABLE` page; for
//! ALTER TABLE the strongest of its commands), checked against PostgreSQL
//! 15's `pg_locks`:
//!
//! | statement | lock | hold |
//! |---|---|---|
//! | `CREATE INDEX` / `… CONCURRENTLY` | SHARE / SHARE UPDATE EXCLUSIVE | build |
//! | `DROP INDEX` / `… CONCURRENTLY` | ACCESS EXCLUSIVE / SHARE UPDATE EXCLUSIVE on its table | brief |
//! | `REINDEX TABLE / INDEX` (`CONCURRENTLY`) | SHARE (SHARE UPDATE EXCLUSIVE) | build |
//! | `ADD FOREIGN KEY` | SHARE ROW EXCLUSIVE on both tables | scan, brief if `NOT VALID` |
//! | `VALIDATE CONSTRAINT` | SHARE UPDATE EXCLUSIVE (a foreign key's referenced table: ROW SHARE) | scan |
//! | `ADD CHECK` | ACCESS EXCLUSIVE | scan, brief if `NOT VALID` |
//! | `SET NOT NULL`, `ADD … NOT NULL` | ACCESS EXCLUSIVE | scan, brief after a validated check (as L007 counts it) |
//! | `ALTER COLUMN … TYPE` | ACCESS EXCLUSIVE | rewrite, brief if cheap (as L008 decides) |
//! | `ADD COLUMN` | ACCESS EXCLUSIVE | rewrite when L009 says so; build with `UNIQUE`/`PRIMARY KEY`; scan with `REFERENCES`/`CHECK`; else brief |
//! | `ADD UNIQUE / PRIMARY KEY` (`USING INDEX`) | ACCESS EXCLUSIVE | build (brief) |
//! | `DROP COLUMN`, `RENAME`, `SET / DROP DEFAULT`, `DROP NOT NULL`, `DROP CONSTRAINT` | ACCESS EXCLUSIVE | brief |
//! | `SET STATISTICS`, `SET (storage parameters)`, `CLUSTER ON` | SHARE UPDATE EXCLUSIVE | brief |
//! | `ENABLE / DISABLE TRIGGER`, `CREATE TRIGGER` | SHARE ROW EXCLUSIVE | brief |
//! | `SET LOGGED / UNLOGGED / TABLESPACE / ACCESS METHOD` | ACCESS EXCLUSIVE | rewrite |
//! | `ATTACH PARTITION` | SHARE UPDATE EXCLUSIVE (the partition ACCESS EXCLUSIVE) | scan |
//! | `CREATE TABLE` | ACCESS EXCLUSIVE on the new table (foreign keys' tables SHARE ROW EXCLUSIVE, a partition's parent ACCESS EXCLUSIVE) | brief |
//! | `DROP TABLE`, `TRUNCATE` | ACCESS EXCLUSIVE | brief |
//! | `COMMENT ON TABLE / COLUMN` (`CONSTRAINT`) | SHARE UPDATE EXCLUSIVE (ACCESS SHARE) | brief |
//! | `INSERT … VALUES` / `INSERT … SELECT`, `UPDATE`, `DELETE`, `MERGE` | ROW EXCLUSIVE | brief / scan (the rows they select; changed rows stay locked until commit) |
//! | `LOCK TABLE` | the mode given | brief |
//! | `DO`, `CALL` | not known ([`StatementLock::opaque`]: said so, not guessed) | — |
//! | `CREATE TYPE`, `ALTER TYPE`, `SET`, `BEGIN`, functions, anything else | none known | brief |
//!
//! Dropping a foreign key (`DROP CONSTRAINT`, its column, its table) also
//! takes ACCESS EXCLUSIVE on the referenced table; that is known only for
//! keys the file itself added. A foreign key from an earlier migration is
//! likewise not known to `VALIDATE CONSTRAINT` (no ROW SHARE listed).
//! In a transaction part every lock stays until the part commits.
//!
//! Not covered: PL/pgSQL bodies (`DO`, functions) are not looked into;
//! user-defined functions in defaults are not taken as volatile; the tables
//! a query only reads (ACCESS SHARE) are not listed.

mod check;
mod error;
mod locks;
mod nodes;
mod render;
mod rules;
mod source;

pub use error::LintError;
pub use locks::{Hold, LockMode, StatementLock};
/// How a part of a migration file runs (`StatementLock::part_mode`).
pub use nzc_types::contract::PartMode;
pub use render::render;
pub use rules::{Level, Rule};

/// How the file is run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// A file without `-- nzc:part` lines runs in one transaction: it has
    /// no `-- nzc:no-transaction` line (`nzc_migrate`'s `Migration` tells).
    /// Default: true. A file with parts ignores it: each part's marker says
    /// how that part runs.
    pub in_transaction: bool,
    /// Tables created earlier in the same migration (by another file of it),
    /// exempt from the lock and data-loss rules like the tables the file
    /// itself creates. `name` or `schema.name`, as in the SQL (case
    /// matters: `"City"`'s name is `City`, unquoted `city` is `city`).
    pub new_tables: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            in_transaction: true,
            new_tables: Vec::new(),
        }
    }
}

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    /// Always `rule.level()`.
    pub level: Level,
    /// Byte range in the file: the statement, or the offending part of it
    /// (the `ALTER TABLE` command, the `CONCURRENTLY` keyword, the call).
    pub span: (usize, usize),
    pub message: String,
    /// The lock the statement takes and what waits on it.
    pub lock: &'static str,
    /// How to do it safely.
    pub help: String,
}

impl Finding {
    fn new(
        rule: Rule,
        span: (usize, usize),
        message: String,
        lock: &'static str,
        help: String,
    ) -> Finding {
        Finding {
            rule,
            level: rule.level(),
            span,
            message,
            lock,
            help,
        }
    }
}

/// Lints one migration file. `file_name` is used in errors only. The
/// findings are in file order, those accepted by `-- nzc:allow(…)` left out;
/// an `Err` means the file's parts are laid out wrongly, or PostgreSQL's
/// parser rejects it (with the position).
pub fn lint(sql: &str, file_name: &str, options: &Options) -> Result<Vec<Finding>, LintError> {
    let parts = source::parts(sql, file_name)?;
    let parsed = source::parse(sql, file_name, &parts)?;
    Ok(check::analyze(&parsed, &parts, options).findings)
}

/// The lock of every statement of a migration file, in file order: what it
/// locks, in which mode, and for how long (see the crate documentation,
/// "Locks"). How each part runs comes from the file itself (its
/// `-- nzc:part` lines, or its `-- nzc:no-transaction` line). Fails like
/// [`lint`].
///
/// ```
/// let sql = "-- nzc:part no-transaction\n\
///            CREATE INDEX CONCURRENTLY \"ix\" ON \"EmissionRecord\" (\"year\");\n";
/// let locks = nzc_lint::locks(sql, "up.sql").unwrap();
/// assert_eq!(
///     locks[0].describe(),
///     "SHARE UPDATE EXCLUSIVE on \"EmissionRecord\" while the index is built; reads and writes continue"
/// );
/// ```
pub fn locks(sql: &str, file_name: &str) -> Result<Vec<StatementLock>, LintError> {
    let parts = source::parts(sql, file_name)?;
    let options = Options {
        in_transaction: parts
            .first()
            .is_none_or(|p| p.mode == nzc_types::contract::PartMode::Transaction),
        ..Options::default()
    };
    let parsed = source::parse(sql, file_name, &parts)?;
    Ok(check::analyze(&parsed, &parts, &options).locks)
}
