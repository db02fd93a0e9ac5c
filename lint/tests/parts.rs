//! Files split into parts by `-- nzc:part` lines: each part runs as its
//! marker says, what a transaction holds ends with its part, and what the
//! file did in earlier parts (committed) stays known.

mod common;

use common::{found, found_with, no_tx, spanned, tx, EXAMPLE};
use nzc_lint::{lint, locks, LintError, Rule};

const TX: &str = "-- nzc:part transaction\n";
const NO_TX: &str = "-- nzc:part no-transaction\n";

#[test]
fn the_generated_example_has_no_findings() {
    assert_eq!(found(EXAMPLE), Vec::<String>::new());
    // `Options::in_transaction` is for files without parts only.
    assert_eq!(found_with(EXAMPLE, &no_tx()), Vec::<String>::new());
}

#[test]
fn l006_fires_within_one_transaction_part_only() {
    let add = "ALTER TABLE \"Initiative\" ADD CONSTRAINT \"fk\" FOREIGN KEY (\"sectorId\") REFERENCES \"Sector\" (\"sectorId\") NOT VALID;\n";
    let validate = "ALTER TABLE \"Initiative\" VALIDATE CONSTRAINT \"fk\";\n";
    // In the same transaction part the ADD's lock is held through the scan …
    let same = format!("{TX}{add}{validate}");
    assert_eq!(found(&same), ["L006 error 3:26"]);
    assert_eq!(found_with(&same, &no_tx()), ["L006 error 3:26"]);
    let f = &lint(&same, "up.sql", &tx()).unwrap()[0];
    assert!(f.help.contains("a later part"), "{}", f.help);
    // … in a later part the ADD has committed before.
    assert_eq!(
        found(&format!("{TX}{add}{TX}{validate}")),
        Vec::<String>::new()
    );
    assert_eq!(
        found(&format!("{TX}{add}{NO_TX}{validate}")),
        Vec::<String>::new()
    );
    // A no-transaction part commits each statement on its own.
    assert_eq!(
        found(&format!("{NO_TX}{add}{validate}")),
        Vec::<String>::new()
    );
    // Only what the part itself added counts: an ADD in part 0 and a second
    // ADD + VALIDATE of another constraint in part 1.
    let other = add.replace("\"fk\"", "\"fk2\"");
    let validate_other = validate.replace("\"fk\"", "\"fk2\"");
    assert_eq!(
        found(&format!("{TX}{add}{TX}{validate}{other}{validate_other}")),
        ["L006 error 6:26"]
    );
}

#[test]
fn l003_fires_in_transaction_parts_only() {
    let index = "CREATE INDEX CONCURRENTLY \"ix\" ON \"City\" (\"country\");\n";
    let in_tx = format!("{TX}{index}");
    assert_eq!(found(&in_tx), ["L003 error 2:14"]);
    assert_eq!(found_with(&in_tx, &no_tx()), ["L003 error 2:14"]);
    let f = &lint(&in_tx, "up.sql", &tx()).unwrap()[0];
    assert_eq!(
        f.message,
        "CREATE INDEX CONCURRENTLY fails in a `-- nzc:part transaction` part"
    );
    assert!(
        f.help.contains("a `-- nzc:part no-transaction` part"),
        "{}",
        f.help
    );
    assert_eq!(found(&format!("{NO_TX}{index}")), Vec::<String>::new());
    let drop = "DROP INDEX CONCURRENTLY \"ix\";\n";
    let reindex = "REINDEX INDEX CONCURRENTLY \"ix\";\n";
    assert_eq!(
        found(&format!("{NO_TX}{index}{drop}{reindex}{TX}{drop}{reindex}")),
        ["L003 error 6:12", "L003 error 7:15"]
    );
}

#[test]
fn l016_fires_in_every_part() {
    let sql = format!("{TX}BEGIN;\nSELECT 1;\nCOMMIT;\n{NO_TX}BEGIN;\nSELECT 1;\n");
    assert_eq!(
        found(&sql),
        ["L016 error 2:1", "L016 error 4:1", "L016 error 6:1"]
    );
    let messages: Vec<String> = lint(&sql, "up.sql", &tx())
        .unwrap()
        .into_iter()
        .map(|f| f.message)
        .collect();
    assert_eq!(
        messages,
        [
            "BEGIN in a `-- nzc:part transaction` part",
            "COMMIT in a `-- nzc:part transaction` part",
            "BEGIN in a `-- nzc:part no-transaction` part",
        ]
    );
    // A file without parts that runs statement by statement may still
    // manage a transaction of its own, as before.
    assert_eq!(
        found_with("BEGIN;\nSELECT 1;\nCOMMIT;\n", &no_tx()),
        Vec::<String>::new()
    );
}

#[test]
fn what_committed_stays_known_in_later_parts() {
    // A check validated in an earlier part: SET NOT NULL skips the scan.
    let checked = format!(
        "{TX}ALTER TABLE \"City\" ADD CONSTRAINT \"ck\" CHECK (\"locode\" IS NOT NULL) NOT VALID;\n\
         {TX}ALTER TABLE \"City\" VALIDATE CONSTRAINT \"ck\";\n\
         {TX}ALTER TABLE \"City\" ALTER COLUMN \"locode\" SET NOT NULL;\n"
    );
    assert_eq!(found(&checked), Vec::<String>::new());
    // Without the VALIDATE it still scans.
    let unchecked = format!(
        "{TX}ALTER TABLE \"City\" ADD CONSTRAINT \"ck\" CHECK (\"locode\" IS NOT NULL) NOT VALID;\n\
         {TX}ALTER TABLE \"City\" ALTER COLUMN \"locode\" SET NOT NULL;\n"
    );
    assert_eq!(found(&unchecked), ["L007 error 4:20"]);
    // A table created in an earlier part is still new.
    let created = format!(
        "{TX}CREATE TABLE \"Region\" (\"id\" int, \"name\" text);\n\
         {NO_TX}CREATE INDEX \"ix\" ON \"Region\" (\"name\");\n\
         {TX}ALTER TABLE \"Region\" ALTER COLUMN \"name\" SET NOT NULL;\n\
         DROP TABLE \"Region\";\n"
    );
    assert_eq!(found(&created), Vec::<String>::new());
    // A column type given in an earlier part: narrowing it rewrites.
    let types = format!(
        "{TX}ALTER TABLE t ADD COLUMN c varchar(50);\n{TX}ALTER TABLE t ALTER COLUMN c TYPE varchar(20);\n"
    );
    assert_eq!(found(&types), ["L008 error 4:15"]);
}

#[test]
fn help_texts_name_parts() {
    let cases = [
        ("CREATE INDEX a ON t (x);", Rule::IndexWithoutConcurrently),
        ("DROP INDEX a;", Rule::DropIndexWithoutConcurrently),
        (
            "CREATE INDEX CONCURRENTLY a ON t (x);",
            Rule::ConcurrentlyInTransaction,
        ),
        (
            "ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0);",
            Rule::CheckWithoutNotValid,
        ),
        (
            "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (x) REFERENCES u (y);",
            Rule::ForeignKeyInOneStep,
        ),
        (
            "ALTER TABLE t ADD COLUMN x int REFERENCES u (y);",
            Rule::ForeignKeyInOneStep,
        ),
        (
            "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (x) REFERENCES u (y) NOT VALID;\n\
             ALTER TABLE t VALIDATE CONSTRAINT f;",
            Rule::ValidateInSameTransaction,
        ),
        (
            "ALTER TABLE t ALTER COLUMN x SET NOT NULL;",
            Rule::SetNotNull,
        ),
        (
            "ALTER TABLE t ADD CONSTRAINT u UNIQUE (x);",
            Rule::UniqueWithoutIndex,
        ),
    ];
    for (sql, rule) in cases {
        let findings = lint(sql, "up.sql", &tx()).unwrap();
        let f = findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("{rule} not found in {sql}"));
        let wanted = match rule {
            Rule::CheckWithoutNotValid | Rule::ForeignKeyInOneStep | Rule::SetNotNull => {
                "in a later part (or a later migration)"
            }
            Rule::ValidateInSameTransaction => "a later part",
            _ => "a `-- nzc:part no-transaction` part",
        };
        assert!(f.help.contains(wanted), "{rule}: {}", f.help);
    }
}

#[test]
fn each_part_is_parsed_on_its_own() {
    // The last statement of a part may go without `;`: the part ends it,
    // as when the runner sends the part.
    let open = format!(
        "{TX}ALTER TABLE \"City\" ADD COLUMN \"a\" int\n\
         {NO_TX}CREATE INDEX CONCURRENTLY \"ix\" ON \"City\" (\"a\");\n"
    );
    assert_eq!(found(&open), Vec::<String>::new());
    assert_eq!(locks(&open, "up.sql").unwrap().len(), 2);
    // Positions in the parser's trees count from the part's start.
    let later = format!(
        "{TX}SELECT 1;\n{TX}ALTER TABLE \"City\" ADD COLUMN \"token\" uuid DEFAULT gen_random_uuid(),\n  ALTER COLUMN \"n\" TYPE bigint;\n"
    );
    assert_eq!(
        spanned(&later, &tx()),
        ["gen_random_uuid()", "ALTER COLUMN \"n\" TYPE bigint"]
    );
    // A parse error is reported where it stands in the file.
    let bad = format!("{TX}SELECT 1;\n{TX}ALTER TABEL t ADD COLUMN x int;\n");
    let err = lint(&bad, "up.sql", &tx()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "up.sql:4:7: syntax error at or near \"TABEL\""
    );
    // `nzc:allow` right after a marker counts; above a marker it does not
    // reach into the next part.
    let allow = format!(
        "{TX}SELECT 1;\n-- nzc:allow(L001)\n{TX}CREATE INDEX a ON t (x);\n\
         {TX}-- nzc:allow(L001)\nCREATE INDEX b ON t (x);\n"
    );
    assert_eq!(found(&allow), ["L001 error 5:1"]);
}

#[test]
fn a_malformed_part_layout_is_an_error_at_its_line() {
    let sql =
        "-- nzc migration 20260101000000_x (up)\nSELECT 1;\n-- nzc:part transaction\nSELECT 2;\n";
    let err = lint(sql, "up.sql", &tx()).unwrap_err();
    let LintError::Parts {
        file,
        message,
        offset,
        line,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(file, "up.sql");
    assert!(message.contains("before the first"), "{message}");
    assert_eq!(*line, 3);
    assert!(sql[*offset..].starts_with("-- nzc:part transaction\n"));
    assert!(
        err.to_string().starts_with("up.sql:3:1: "),
        "{}",
        err.to_string()
    );
    assert_eq!(
        err.render(sql),
        format!(
            "error: {message}\n\
             \x20--> up.sql:3:1\n\
             \x20 |\n\
             3 | -- nzc:part transaction\n\
             \x20 | ^^^^^^^^^^^^^^^^^^^^^^^\n"
        )
    );
    assert_eq!(locks(sql, "up.sql").unwrap_err(), err);
    // A misspelt marker, and the file-wide no-transaction line next to parts.
    for (sql, at) in [
        (
            "-- nzc:part transaction\nSELECT 1;\n  -- nzc:part notransaction\n",
            3,
        ),
        (
            "-- nzc:no-transaction\n-- nzc:part transaction\nSELECT 1;\n",
            1,
        ),
    ] {
        match lint(sql, "up.sql", &tx()).unwrap_err() {
            LintError::Parts { line, .. } => assert_eq!(line, at, "{sql}"),
            other => panic!("{other:?}"),
        }
    }
}
