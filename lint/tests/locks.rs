//! `locks()`: the lock each statement takes, on which tables, and what it
//! does while holding it. The modes were checked against PostgreSQL 15's
//! `pg_locks` for each statement (in a transaction, then rolled back).

mod common;

use common::{tx, EXAMPLE};
use nzc_lint::{lint, locks, Hold, LockMode, Rule, StatementLock};
use nzc_types::contract::PartMode;
use LockMode::*;

/// The lock of the last statement of `sql`.
fn last(sql: &str) -> StatementLock {
    locks(sql, "up.sql")
        .expect("the SQL parses")
        .pop()
        .expect("a statement")
}

/// Mode and hold of the last statement.
fn of(sql: &str) -> (Option<LockMode>, Hold) {
    let l = last(sql);
    (l.lock, l.hold)
}

fn referenced(sql: &str) -> Vec<(String, LockMode)> {
    last(sql).referenced
}

fn strings(items: &[(&str, LockMode)]) -> Vec<(String, LockMode)> {
    items.iter().map(|(t, m)| (t.to_string(), *m)).collect()
}

#[test]
fn the_example_part_by_part() {
    let all = locks(EXAMPLE, "up.sql").unwrap();
    let got: Vec<(usize, PartMode, String)> = all
        .iter()
        .map(|l| (l.part, l.part_mode, l.describe()))
        .collect();
    use PartMode::{NoTransaction as N, Transaction as T};
    let er = "\"EmissionRecord\"";
    assert_eq!(
        got,
        [
            (0, T, format!("SHARE ROW EXCLUSIVE on {er}, brief (catalog only); also SHARE ROW EXCLUSIVE on \"Sector\"")),
            (0, T, format!("ACCESS EXCLUSIVE on {er}, brief (catalog only)")),
            (1, N, format!("SHARE UPDATE EXCLUSIVE on {er} while the index is built; reads and writes continue")),
            (1, N, format!("SHARE UPDATE EXCLUSIVE on {er} while the index is built; reads and writes continue")),
            (2, T, format!("ACCESS EXCLUSIVE on {er}, brief (catalog only)")),
            (3, T, format!("SHARE UPDATE EXCLUSIVE on {er} while every row is read; reads and writes continue; also ROW SHARE on \"Sector\"")),
            (4, T, format!("SHARE UPDATE EXCLUSIVE on {er} while every row is read; reads and writes continue")),
            // The check validated in part 4 spares SET NOT NULL its scan.
            (5, T, format!("ACCESS EXCLUSIVE on {er}, brief (catalog only)")),
            (5, T, format!("ACCESS EXCLUSIVE on {er}, brief (catalog only)")),
        ]
    );
    assert_eq!(all[0].tables, ["EmissionRecord"]);
    assert_eq!(all[0].referenced, strings(&[("Sector", ShareRowExclusive)]));
    assert!(all.iter().all(|l| !l.new_table));
    // Spans are the statements'.
    let s = all[2].span;
    assert!(EXAMPLE[s.0..s.1].starts_with("CREATE INDEX CONCURRENTLY"));
    assert!(EXAMPLE[s.0..s.1].ends_with("(\"year\")"));
}

#[test]
fn a_file_without_parts_is_part_zero_in_its_own_mode() {
    let l = last("CREATE INDEX a ON t (x);");
    assert_eq!((l.part, l.part_mode), (0, PartMode::Transaction));
    let l = last("-- nzc:no-transaction\nCREATE INDEX CONCURRENTLY a ON t (x);");
    assert_eq!((l.part, l.part_mode), (0, PartMode::NoTransaction));
}

#[test]
fn indexes() {
    assert_eq!(
        of("CREATE INDEX a ON \"City\" (x);"),
        (Some(Share), Hold::Build)
    );
    assert_eq!(
        of("CREATE UNIQUE INDEX CONCURRENTLY a ON \"City\" (x);"),
        (Some(ShareUpdateExclusive), Hold::Build)
    );
    assert_eq!(
        last("CREATE INDEX a ON \"City\" (x);").describe(),
        "SHARE on \"City\" while the index is built; writes wait"
    );
    // DROP INDEX: the table is known when the file created the index.
    let dropped = last("DROP INDEX \"ix_City_country\";");
    assert_eq!(
        (dropped.lock, dropped.hold, dropped.tables.len()),
        (Some(AccessExclusive), Hold::Brief, 0)
    );
    assert_eq!(
        dropped.describe(),
        "ACCESS EXCLUSIVE on the index's table, brief (catalog only)"
    );
    let known =
        last("CREATE INDEX CONCURRENTLY ix ON public.\"City\" (x);\nDROP INDEX CONCURRENTLY ix;");
    assert_eq!(
        (known.lock, known.hold, known.tables),
        (
            Some(ShareUpdateExclusive),
            Hold::Brief,
            vec!["public.City".to_string()]
        )
    );
    assert_eq!(of("REINDEX TABLE \"City\";"), (Some(Share), Hold::Build));
}

#[test]
fn constraints() {
    let fk =
        "ALTER TABLE \"Initiative\" ADD CONSTRAINT fk FOREIGN KEY (s) REFERENCES \"Sector\" (id)";
    assert_eq!(of(&format!("{fk};")), (Some(ShareRowExclusive), Hold::Scan));
    assert_eq!(
        of(&format!("{fk} NOT VALID;")),
        (Some(ShareRowExclusive), Hold::Brief)
    );
    assert_eq!(
        referenced(&format!("{fk};")),
        strings(&[("Sector", ShareRowExclusive)])
    );
    // VALIDATE: ROW SHARE on the referenced table, when the file says which.
    let validate = "ALTER TABLE \"Initiative\" VALIDATE CONSTRAINT fk;";
    assert_eq!(of(validate), (Some(ShareUpdateExclusive), Hold::Scan));
    assert_eq!(referenced(validate), []);
    assert_eq!(
        referenced(&format!("{fk} NOT VALID;\n{validate}")),
        strings(&[("Sector", RowShare)])
    );
    // A self-reference locks the one table.
    assert_eq!(
        referenced(
            "ALTER TABLE t ADD CONSTRAINT p FOREIGN KEY (parent) REFERENCES t (id) NOT VALID;"
        ),
        []
    );
    let check = "ALTER TABLE \"City\" ADD CONSTRAINT ck CHECK (area >= 0)";
    assert_eq!(
        of(&format!("{check};")),
        (Some(AccessExclusive), Hold::Scan)
    );
    assert_eq!(
        of(&format!("{check} NOT VALID;")),
        (Some(AccessExclusive), Hold::Brief)
    );
    assert_eq!(
        of("ALTER TABLE \"City\" ADD CONSTRAINT uq UNIQUE USING INDEX uq;"),
        (Some(AccessExclusive), Hold::Brief)
    );
    assert_eq!(
        of("ALTER TABLE \"City\" ADD CONSTRAINT pk PRIMARY KEY USING INDEX pk;"),
        (Some(AccessExclusive), Hold::Brief)
    );
    assert_eq!(
        of("ALTER TABLE \"City\" ADD CONSTRAINT uq UNIQUE (locode);"),
        (Some(AccessExclusive), Hold::Build)
    );
    assert_eq!(
        of("ALTER TABLE \"City\" ADD PRIMARY KEY (id);"),
        (Some(AccessExclusive), Hold::Build)
    );
    assert_eq!(
        of("ALTER TABLE \"City\" DROP CONSTRAINT ck;"),
        (Some(AccessExclusive), Hold::Brief)
    );
    // Dropping a foreign key the file knows locks its referenced table too.
    assert_eq!(
        referenced(&format!(
            "{fk} NOT VALID;\nALTER TABLE \"Initiative\" DROP CONSTRAINT fk;"
        )),
        strings(&[("Sector", AccessExclusive)])
    );
}

#[test]
fn set_not_null_scans_unless_a_validated_check_proves_it() {
    let set = "ALTER TABLE \"City\" ALTER COLUMN locode SET NOT NULL;";
    assert_eq!(of(set), (Some(AccessExclusive), Hold::Scan));
    let checked = format!(
        "ALTER TABLE \"City\" ADD CONSTRAINT ck CHECK (locode IS NOT NULL) NOT VALID;\n\
         ALTER TABLE \"City\" VALIDATE CONSTRAINT ck;\n{set}"
    );
    assert_eq!(
        of(&format!("-- nzc:no-transaction\n{checked}")),
        (Some(AccessExclusive), Hold::Brief)
    );
    // As L007 counts it: a VALIDATE of a constraint from an earlier migration.
    assert_eq!(
        of(&format!(
            "ALTER TABLE \"City\" VALIDATE CONSTRAINT ck_old;\n{set}"
        )),
        (Some(AccessExclusive), Hold::Brief)
    );
}

#[test]
fn columns() {
    // TYPE: a rewrite unless the stored bytes stay (as L008 decides).
    assert_eq!(
        of("ALTER TABLE t ALTER COLUMN a TYPE bigint;"),
        (Some(AccessExclusive), Hold::Rewrite)
    );
    assert_eq!(
        of("ALTER TABLE t ADD COLUMN c varchar(20);\nALTER TABLE t ALTER COLUMN c TYPE varchar(50);"),
        (Some(AccessExclusive), Hold::Brief)
    );
    // ADD COLUMN: a rewrite when L009 says so, else brief.
    for rewrite in [
        "ADD COLUMN tok uuid DEFAULT gen_random_uuid()",
        "ADD COLUMN n bigserial",
        "ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY",
        "ADD COLUMN d numeric GENERATED ALWAYS AS (a * 2) STORED",
    ] {
        assert_eq!(
            of(&format!("ALTER TABLE t {rewrite};")),
            (Some(AccessExclusive), Hold::Rewrite),
            "{rewrite}"
        );
    }
    for brief in [
        "ADD COLUMN misc jsonb",
        "ADD COLUMN at timestamptz NOT NULL DEFAULT now()",
        "DROP COLUMN misc",
        "RENAME COLUMN a TO b",
        "ALTER COLUMN a SET DEFAULT 1",
        "ALTER COLUMN a DROP DEFAULT",
        "ALTER COLUMN a DROP NOT NULL",
        "RENAME TO u",
    ] {
        assert_eq!(
            of(&format!("ALTER TABLE t {brief};")),
            (Some(AccessExclusive), Hold::Brief),
            "{brief}"
        );
    }
    assert_eq!(
        of("ALTER TABLE t ADD COLUMN s uuid REFERENCES \"Sector\";"),
        (Some(AccessExclusive), Hold::Scan)
    );
    assert_eq!(
        of("ALTER TABLE t ADD COLUMN code int UNIQUE;"),
        (Some(AccessExclusive), Hold::Build)
    );
    // Weaker commands, and the strongest command of a statement.
    assert_eq!(
        of("ALTER TABLE t ALTER COLUMN a SET STATISTICS 200, SET (fillfactor = 70);"),
        (Some(ShareUpdateExclusive), Hold::Brief)
    );
    assert_eq!(
        of("ALTER TABLE t DISABLE TRIGGER tr;"),
        (Some(ShareRowExclusive), Hold::Brief)
    );
    assert_eq!(
        of("ALTER TABLE t VALIDATE CONSTRAINT c, ALTER COLUMN a SET DEFAULT 0;"),
        (Some(AccessExclusive), Hold::Scan)
    );
    assert_eq!(
        of("ALTER TABLE t SET UNLOGGED;"),
        (Some(AccessExclusive), Hold::Rewrite)
    );
}

#[test]
fn tables() {
    let created = last("CREATE TABLE \"Region\" (id int, s uuid REFERENCES \"Sector\", c int, FOREIGN KEY (c) REFERENCES \"City\");");
    assert_eq!(
        (created.lock, created.hold, created.new_table),
        (Some(AccessExclusive), Hold::Brief, true)
    );
    assert_eq!(
        created.referenced,
        strings(&[("Sector", ShareRowExclusive), ("City", ShareRowExclusive)])
    );
    assert_eq!(
        created.describe(),
        "ACCESS EXCLUSIVE on \"Region\", brief (catalog only); a new table: nobody waits for it; also SHARE ROW EXCLUSIVE on \"Sector\"; also SHARE ROW EXCLUSIVE on \"City\""
    );
    assert_eq!(
        referenced("CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (1) TO (2);"),
        strings(&[("p", AccessExclusive)])
    );
    // Statements on a table created earlier in the file: nobody waits.
    let later = last("CREATE TABLE \"Region\" (id int);\nCREATE INDEX ix ON \"Region\" (id);");
    assert_eq!(
        (later.lock, later.hold, later.new_table),
        (Some(Share), Hold::Build, true)
    );
    let dropped = last("DROP TABLE \"CityTarget\", \"Indicator\";");
    assert_eq!(
        (dropped.lock, dropped.hold, dropped.new_table),
        (Some(AccessExclusive), Hold::Brief, false)
    );
    assert_eq!(dropped.tables, ["CityTarget", "Indicator"]);
    // Dropping a table drops its foreign keys' triggers on the other table.
    assert_eq!(
        referenced("CREATE TABLE r (s uuid REFERENCES \"Sector\");\nDROP TABLE r;"),
        strings(&[("Sector", AccessExclusive)])
    );
    assert_eq!(of("TRUNCATE t;"), (Some(AccessExclusive), Hold::Brief));
}

#[test]
fn comments_types_data_and_the_rest() {
    // COMMENT ON takes SHARE UPDATE EXCLUSIVE on the table (PostgreSQL's
    // CommentObject); on a constraint, the table only ACCESS SHARE.
    assert_eq!(
        last("COMMENT ON TABLE public.\"City\" IS 'x';").describe(),
        "SHARE UPDATE EXCLUSIVE on \"public\".\"City\", brief (catalog only)"
    );
    assert_eq!(
        last("COMMENT ON COLUMN \"City\".\"name\" IS 'x';").tables,
        ["City"]
    );
    assert_eq!(
        of("COMMENT ON COLUMN \"City\".\"name\" IS 'x';"),
        (Some(ShareUpdateExclusive), Hold::Brief)
    );
    assert_eq!(
        of("COMMENT ON CONSTRAINT ck ON \"City\" IS 'x';"),
        (Some(AccessShare), Hold::Brief)
    );
    // No table lock.
    for none in [
        "CREATE TYPE mood AS ENUM ('a', 'b');",
        "ALTER TYPE mood ADD VALUE 'c';",
        "SET lock_timeout = '5s';",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "BEGIN;",
    ] {
        let l = last(none);
        assert_eq!((l.lock, l.hold), (None, Hold::Brief), "{none}");
        assert!(l.tables.is_empty() && !l.new_table && !l.opaque, "{none}");
        assert_eq!(l.describe(), "no table lock");
    }
    // Not known: a DO block's or a procedure's body is not read (a batched
    // backfill, a conditional ALTER TABLE, …), and it says so.
    for opaque in [
        "DO $$ BEGIN PERFORM 1; END $$;",
        "DO $$ BEGIN ALTER TABLE \"City\" ADD COLUMN x int; END $$;",
        "CALL fill();",
    ] {
        let l = last(opaque);
        assert_eq!(l.lock, None, "{opaque}");
        assert!(l.opaque, "{opaque}");
        assert_eq!(
            l.describe(),
            "locks not known (nzc lint does not read a DO block's or procedure's body)"
        );
    }
    // Data: ROW EXCLUSIVE; reading rows under it unless VALUES are given.
    assert_eq!(
        last("INSERT INTO t (a) VALUES (1);").describe(),
        "ROW EXCLUSIVE on \"t\", brief"
    );
    assert_eq!(
        of("INSERT INTO t SELECT * FROM u;"),
        (Some(RowExclusive), Hold::Scan)
    );
    assert_eq!(
        of("UPDATE t SET a = 1 WHERE b;"),
        (Some(RowExclusive), Hold::Scan)
    );
    assert_eq!(
        last("DELETE FROM t;").describe(),
        "ROW EXCLUSIVE on \"t\" while every row is read; reads and writes continue"
    );
    assert_eq!(
        of("LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE;"),
        (Some(ShareRowExclusive), Hold::Brief)
    );
    assert_eq!(of("LOCK TABLE t;"), (Some(AccessExclusive), Hold::Brief));
    assert_eq!(
        of("CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();"),
        (Some(ShareRowExclusive), Hold::Brief)
    );
}

#[test]
fn lock_modes_conflict_as_postgres_documents() {
    // Symmetric, and each mode's row of the documentation's table.
    for a in LockMode::ALL {
        for b in LockMode::ALL {
            assert_eq!(a.conflicts_with(b), b.conflicts_with(a), "{a} / {b}");
        }
    }
    let conflicting: Vec<usize> = LockMode::ALL
        .iter()
        .map(|a| {
            LockMode::ALL
                .iter()
                .filter(|b| a.conflicts_with(**b))
                .count()
        })
        .collect();
    assert_eq!(conflicting, [1, 2, 4, 5, 5, 6, 7, 8]);
    assert!(!ShareUpdateExclusive.conflicts_with(RowExclusive));
    assert!(Share.conflicts_with(RowExclusive));
    assert!(!Share.conflicts_with(Share));
    let blocks: Vec<&str> = LockMode::ALL.iter().map(|m| m.blocks()).collect();
    assert_eq!(
        blocks,
        [
            "nothing but DDL",
            "nothing but DDL",
            "nothing but DDL",
            "nothing but DDL",
            "writes",
            "writes",
            "writes and SELECT … FOR UPDATE",
            "reads and writes",
        ]
    );
    assert_eq!(AccessExclusive.as_str(), "ACCESS EXCLUSIVE");
    assert_eq!(ShareUpdateExclusive.to_string(), "SHARE UPDATE EXCLUSIVE");
    assert!(AccessExclusive > ShareRowExclusive && Hold::Rewrite > Hold::Build);
}

/// The rules and `locks` read the same classification: every lock rule
/// that fires is on a statement that holds its lock for more than a
/// moment, and such a statement on an existing table has a finding.
#[test]
fn the_rules_and_the_locks_agree() {
    let sql = "CREATE INDEX a ON t (x);\n\
               ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0);\n\
               ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (x) REFERENCES u (y);\n\
               ALTER TABLE t ALTER COLUMN x SET NOT NULL;\n\
               ALTER TABLE t ALTER COLUMN x TYPE bigint;\n\
               ALTER TABLE t ADD COLUMN n bigserial;\n\
               ALTER TABLE t ADD CONSTRAINT q UNIQUE (x);\n\
               ALTER TABLE t ADD COLUMN m jsonb;\n\
               ALTER TABLE t ADD CONSTRAINT d CHECK (x > 0) NOT VALID;\n\
               ALTER TABLE t ALTER COLUMN x TYPE text;\n";
    let findings = lint(sql, "up.sql", &tx()).unwrap();
    let all = locks(sql, "up.sql").unwrap();
    let slow = [
        Rule::IndexWithoutConcurrently,
        Rule::CheckWithoutNotValid,
        Rule::ForeignKeyInOneStep,
        Rule::SetNotNull,
        Rule::TypeChangeRewrite,
        Rule::AddColumnRewrite,
        Rule::UniqueWithoutIndex,
    ];
    for l in &all {
        let rules: Vec<Rule> = findings
            .iter()
            .filter(|f| f.span.0 >= l.span.0 && f.span.1 <= l.span.1)
            .map(|f| f.rule)
            .filter(|r| slow.contains(r))
            .collect();
        assert_eq!(
            rules.is_empty(),
            l.hold == Hold::Brief,
            "{}: {rules:?} / {:?}",
            &sql[l.span.0..l.span.1],
            l.hold
        );
    }
    assert_eq!(all.len(), 10);
}
