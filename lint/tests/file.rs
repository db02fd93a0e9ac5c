//! File-level behaviour: `-- nzc:allow(…)`, tables created in the same
//! migration, parse errors with their position, and the rendering.

mod common;

use common::{found, found_with, tx};
use nzc_lint::{lint, render, LintError, Options};

#[test]
fn allow_accepts_the_named_findings_of_the_next_statement_only() {
    let sql = "-- nzc:allow(L001)\n\
               CREATE INDEX a ON \"City\" (\"country\");\n\
               CREATE INDEX b ON \"City\" (\"country\");\n";
    assert_eq!(found(sql), ["L001 error 3:1"]);
}

#[test]
fn allow_takes_several_codes_names_and_block_comments() {
    let sql = "-- nzc:allow(L001, L003) reviewed by ops\n\
               CREATE INDEX CONCURRENTLY a ON t (x);\n\
               -- a note first\n\
               /* nzc:allow(type-change-rewrite) */\n\
               ALTER TABLE t ALTER COLUMN x TYPE bigint, DROP COLUMN y;\n";
    // L012 of the DROP COLUMN was not allowed.
    assert_eq!(found(sql), ["L012 warning 5:43"]);
    // A comment inside the statement counts too.
    let inside = "ALTER TABLE t -- nzc:allow(L008)\n  ALTER COLUMN x TYPE bigint;";
    assert_eq!(found(inside), Vec::<String>::new());
}

#[test]
fn allow_must_be_just_before_the_statement() {
    // A blank line between the comment and the statement breaks it …
    let gap = "-- nzc:allow(L001)\n\nCREATE INDEX a ON t (x);";
    assert_eq!(found(gap), ["L001 error 3:1"]);
    // … and a comment after the previous statement on its line belongs to it.
    let trailing = "SELECT 1; -- nzc:allow(L001)\nCREATE INDEX a ON t (x);";
    assert_eq!(found(trailing), ["L001 error 2:1"]);
    // Another code does not help.
    let other = "-- nzc:allow(L002)\nCREATE INDEX a ON t (x);";
    assert_eq!(found(other), ["L001 error 2:1"]);
}

#[test]
fn tables_created_in_the_file_are_exempt() {
    let sql = "CREATE TABLE \"Region\" (\"regionId\" uuid NOT NULL, \"name\" varchar(20));\n\
               CREATE INDEX \"ix_Region_name\" ON \"Region\" (\"name\");\n\
               ALTER TABLE \"Region\" ADD COLUMN \"code\" int NOT NULL, ALTER COLUMN \"code\" TYPE bigint;\n\
               ALTER TABLE \"Region\" ADD CONSTRAINT \"uq_Region_code\" UNIQUE (\"code\");\n\
               ALTER TABLE \"Region\" ADD CONSTRAINT \"fk\" FOREIGN KEY (\"regionId\") REFERENCES \"City\" (\"cityId\");\n\
               ALTER TABLE \"Region\" ALTER COLUMN \"name\" SET NOT NULL;\n\
               ALTER TABLE \"Region\" RENAME COLUMN \"name\" TO \"title\";\n\
               DROP INDEX \"ix_Region_name\";\n\
               DROP TABLE \"Region\";\n";
    assert_eq!(found(sql), Vec::<String>::new());
    // The same statements on a table the file did not create.
    let existing: String = sql.lines().skip(1).map(|l| format!("{l}\n")).collect();
    assert_eq!(
        found(&existing),
        [
            "L001 error 1:1",
            "L011 error 2:22",
            "L008 error 2:54",
            "L010 error 3:22",
            "L005 error 4:22",
            "L007 error 5:22",
            "L014 warning 6:1",
            "L002 error 7:1",
            "L013 warning 8:1",
        ]
    );
    // Tables another file of the migration created: `Options::new_tables`.
    let options = Options {
        new_tables: vec!["Region".to_string()],
        ..Options::default()
    };
    assert_eq!(found_with(&existing, &options), Vec::<String>::new());
    // Only the statements after the CREATE TABLE are exempt; and CREATE TABLE
    // IF NOT EXISTS may find the table there already.
    let before = "CREATE INDEX a ON t (x);\nCREATE TABLE t (x int);\nCREATE INDEX b ON t (x);";
    assert_eq!(found(before), ["L001 error 1:1"]);
    let if_not_exists = "CREATE TABLE IF NOT EXISTS t (x int);\nCREATE INDEX b ON t (x);";
    assert_eq!(found(if_not_exists), ["L001 error 2:1"]);
}

#[test]
fn a_parse_error_has_its_position() {
    let sql = "ALTER TABLE \"City\" ADD COLUMN \"misc\" jsonb;\n\nALTER TABEL \"City\" ADD COLUMN \"x\" int;\n";
    let err = lint(sql, "up.sql", &tx()).unwrap_err();
    let LintError::Parse {
        file,
        message,
        offset,
        line,
        column,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(file, "up.sql");
    assert_eq!(message, "syntax error at or near \"TABEL\"");
    assert_eq!((*line, *column), (3, 7));
    assert_eq!(&sql[*offset..*offset + 5], "TABEL");
    assert_eq!(
        err.to_string(),
        "up.sql:3:7: syntax error at or near \"TABEL\""
    );
    assert_eq!(
        err.render(sql),
        "error: syntax error at or near \"TABEL\"\n\
         \x20--> up.sql:3:7\n\
         \x20 |\n\
         3 | ALTER TABEL \"City\" ADD COLUMN \"x\" int;\n\
         \x20 |       ^^^^^\n"
    );
    // The end of the input, and an unterminated string.
    assert_eq!(
        position("SELECT 1;\nSELECT (1"),
        ("syntax error at end of input".to_string(), 2, 10)
    );
    let (message, line, column) = position("SELECT 1;\nSELECT 'abc;\n");
    assert!(
        message.starts_with("unterminated quoted string"),
        "{message}"
    );
    assert_eq!((line, column), (2, 8));
}

fn position(sql: &str) -> (String, usize, usize) {
    match lint(sql, "up.sql", &tx()).unwrap_err() {
        LintError::Parse {
            message,
            line,
            column,
            ..
        } => (message, line, column),
        other => panic!("{other:?}"),
    }
}

#[test]
fn render_two_findings() {
    let sql = "-- nzc migration 20250610000000_example (up)\n\
               CREATE INDEX \"ix_City_country\" ON \"City\" (\"country\");\n\
               \n\
               ALTER TABLE \"City\"\n\
               \x20   DROP COLUMN \"notes\";\n";
    let findings = lint(sql, "up.sql", &tx()).unwrap();
    let expected = r#"error[L001]: CREATE INDEX "ix_City_country" on "City" without CONCURRENTLY
 --> up.sql:2:1
  |
2 | CREATE INDEX "ix_City_country" ON "City" ("country");
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  |
  = note: lock: SHARE on the table for the whole index build: writes wait
  = help: build it with CREATE INDEX CONCURRENTLY (reads and writes go on), in a `-- nzc:part no-transaction` part (or a migration marked `-- nzc:no-transaction`): CONCURRENTLY cannot run in a transaction
  = note: if this is known and accepted, put `-- nzc:allow(L001)` on the line before the statement

warning[L012]: DROP COLUMN deletes "City"."notes" and its data
 --> up.sql:5:5
  |
5 |     DROP COLUMN "notes";
  |     ^^^^^^^^^^^^^^^^^^^
  |
  = note: lock: ACCESS EXCLUSIVE on the table, briefly (no rewrite)
  = help: make sure no running code reads or writes the column any more (stop using it in an earlier release) and keep a backup if its values may still be needed
  = note: if this is known and accepted, put `-- nzc:allow(L012)` on the line before the statement
"#;
    assert_eq!(render(&findings, sql, "up.sql"), expected);
    assert_eq!(render(&[], sql, "up.sql"), "");
}

#[test]
fn a_byte_order_mark_and_crlf_keep_positions() {
    let sql = "\u{feff}-- nzc migration\r\nCREATE INDEX a ON t (x);\r\n";
    assert_eq!(found(sql), ["L001 error 2:1"]);
    let findings = lint(sql, "up.sql", &tx()).unwrap();
    assert!(render(&findings, sql, "up.sql").contains("2 | CREATE INDEX a ON t (x);\n"));
}
