//! Each rule: a statement that triggers it (code, level, line:col of the
//! caret) and its fix, which does not.

mod common;

use common::{found, found_with, no_tx, spanned, tx};
use nzc_lint::{lint, Level, Rule};

#[test]
fn codes_names_and_levels_are_stable() {
    let table: Vec<(&str, &str, Level)> = Rule::ALL
        .iter()
        .map(|r| (r.code(), r.name(), r.level()))
        .collect();
    use Level::{Error as E, Warning as W};
    assert_eq!(
        table,
        [
            ("L001", "index-without-concurrently", E),
            ("L002", "drop-index-without-concurrently", E),
            ("L003", "concurrently-in-transaction", E),
            ("L004", "check-without-not-valid", E),
            ("L005", "foreign-key-in-one-step", E),
            ("L006", "validate-in-same-transaction", E),
            ("L007", "set-not-null", E),
            ("L008", "type-change-rewrite", E),
            ("L009", "add-column-rewrite", E),
            ("L010", "unique-without-index", E),
            ("L011", "add-required-column", E),
            ("L012", "drop-column", W),
            ("L013", "drop-table", W),
            ("L014", "rename-column", W),
            ("L015", "rename-table", W),
            ("L016", "transaction-control", E),
        ]
    );
    for r in Rule::ALL {
        assert_eq!(Rule::from_code_or_name(r.code()), Some(r));
        assert_eq!(Rule::from_code_or_name(r.name()), Some(r));
        assert!(!r.summary().is_empty());
    }
    assert_eq!(
        Rule::from_code_or_name("l008"),
        Some(Rule::TypeChangeRewrite)
    );
    assert_eq!(Rule::from_code_or_name("L099"), None);
}

#[test]
fn l001_create_index_without_concurrently() {
    let sql = "-- add an index\nCREATE INDEX \"ix_City_country\" ON \"City\" (\"country\");\n";
    assert_eq!(found(sql), ["L001 error 2:1"]);
    let f = &lint(sql, "up.sql", &tx()).unwrap()[0];
    assert_eq!(
        f.lock,
        "SHARE on the table for the whole index build: writes wait"
    );
    assert!(f.help.contains("-- nzc:no-transaction"), "{}", f.help);
    assert_eq!(
        found("CREATE UNIQUE INDEX ON \"City\" (\"locode\");"),
        ["L001 error 1:1"]
    );
    // The fix: CONCURRENTLY, in a migration that runs without a transaction.
    let fixed = "CREATE INDEX CONCURRENTLY \"ix_City_country\" ON \"City\" (\"country\");\n";
    assert_eq!(found_with(fixed, &no_tx()), Vec::<String>::new());
}

#[test]
fn l002_drop_index_without_concurrently() {
    assert_eq!(
        found("SELECT 1;\n  DROP INDEX \"ix_City_country\";"),
        ["L002 error 2:3"]
    );
    assert_eq!(
        found_with("DROP INDEX CONCURRENTLY \"ix_City_country\";", &no_tx()),
        Vec::<String>::new()
    );
}

#[test]
fn l003_concurrently_in_a_transaction() {
    let sql = "CREATE INDEX CONCURRENTLY ix ON \"City\" (\"country\");\n\
               DROP INDEX CONCURRENTLY ix;\n\
               REINDEX (CONCURRENTLY) INDEX ix;\n\
               REINDEX INDEX CONCURRENTLY ix;";
    assert_eq!(
        found(sql),
        [
            "L003 error 1:14",
            "L003 error 2:12",
            "L003 error 3:10",
            "L003 error 4:15"
        ]
    );
    assert_eq!(spanned(sql, &tx())[0], "CONCURRENTLY");
    // Not even a table created in the same file is exempt: it fails.
    assert_eq!(
        found("CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY ON t (a);"),
        ["L003 error 2:14"]
    );
    // The fix: `-- nzc:no-transaction`.
    assert_eq!(found_with(sql, &no_tx()), Vec::<String>::new());
}

#[test]
fn l004_check_without_not_valid() {
    let sql = "ALTER TABLE \"City\" ADD CONSTRAINT \"ck_City_area\" CHECK (\"areaKm2\" >= 0);";
    assert_eq!(found(sql), ["L004 error 1:20"]);
    assert_eq!(
        spanned(sql, &tx()),
        ["ADD CONSTRAINT \"ck_City_area\" CHECK (\"areaKm2\" >= 0)"]
    );
    // The fix: NOT VALID now, VALIDATE in the next migration.
    let now =
        "ALTER TABLE \"City\" ADD CONSTRAINT \"ck_City_area\" CHECK (\"areaKm2\" >= 0) NOT VALID;";
    let next = "ALTER TABLE \"City\" VALIDATE CONSTRAINT \"ck_City_area\";";
    assert_eq!(found(now), Vec::<String>::new());
    assert_eq!(found(next), Vec::<String>::new());
}

#[test]
fn l005_foreign_key_in_one_step() {
    let sql = "ALTER TABLE \"Initiative\"\n    ADD CONSTRAINT \"fk_Initiative_sectorId_Sector\" FOREIGN KEY (\"sectorId\") REFERENCES \"Sector\" (\"sectorId\");";
    assert_eq!(found(sql), ["L005 error 2:5"]);
    let f = &lint(sql, "up.sql", &tx()).unwrap()[0];
    assert!(f.lock.starts_with("SHARE ROW EXCLUSIVE"), "{}", f.lock);
    // A column added with REFERENCES gets its foreign key in one step too.
    assert_eq!(
        found("ALTER TABLE \"Initiative\" ADD COLUMN \"sectorId\" uuid REFERENCES \"Sector\";"),
        ["L005 error 1:26"]
    );
    let fixed = "ALTER TABLE \"Initiative\" ADD CONSTRAINT \"fk\" FOREIGN KEY (\"sectorId\") REFERENCES \"Sector\" (\"sectorId\") NOT VALID;";
    assert_eq!(found(fixed), Vec::<String>::new());
}

#[test]
fn l006_validate_in_the_transaction_that_added_not_valid() {
    let sql = "ALTER TABLE \"Initiative\" ADD CONSTRAINT \"fk\" FOREIGN KEY (\"sectorId\") REFERENCES \"Sector\" (\"sectorId\") NOT VALID;\n\
               ALTER TABLE \"Initiative\" VALIDATE CONSTRAINT \"fk\";\n";
    assert_eq!(found(sql), ["L006 error 2:26"]);
    let f = &lint(sql, "up.sql", &tx()).unwrap()[0];
    assert!(
        f.lock.contains("held until the transaction commits"),
        "{}",
        f.lock
    );
    // The fix: the VALIDATE in another transaction (statement by statement,
    // or the next migration).
    assert_eq!(found_with(sql, &no_tx()), Vec::<String>::new());
}

#[test]
fn l007_set_not_null_without_a_validated_check() {
    let sql = "ALTER TABLE \"City\" ALTER COLUMN \"locode\" SET NOT NULL;";
    assert_eq!(found(sql), ["L007 error 1:20"]);
    // The fix: the check was added NOT VALID by the previous migration and
    // is validated here before SET NOT NULL.
    let fixed = "ALTER TABLE \"City\" VALIDATE CONSTRAINT \"ck_City_locode_not_null\";\n\
                 ALTER TABLE \"City\" ALTER COLUMN \"locode\" SET NOT NULL;\n\
                 ALTER TABLE \"City\" DROP CONSTRAINT \"ck_City_locode_not_null\";";
    assert_eq!(found(fixed), Vec::<String>::new());
    // In a no-transaction migration the whole sequence can be in one file.
    let one_file =
        "ALTER TABLE \"City\" ADD CONSTRAINT \"ck\" CHECK (\"locode\" IS NOT NULL) NOT VALID;\n\
                    ALTER TABLE \"City\" VALIDATE CONSTRAINT \"ck\";\n\
                    ALTER TABLE \"City\" ALTER COLUMN \"locode\" SET NOT NULL;";
    assert_eq!(found_with(one_file, &no_tx()), Vec::<String>::new());
    // A validated check of another column does not count.
    let other =
        "ALTER TABLE \"City\" ADD CONSTRAINT \"ck\" CHECK (\"notes\" IS NOT NULL) NOT VALID;\n\
                 ALTER TABLE \"City\" VALIDATE CONSTRAINT \"ck\";\n\
                 ALTER TABLE \"City\" ALTER COLUMN \"locode\" SET NOT NULL;";
    assert_eq!(found_with(other, &no_tx()), ["L007 error 3:20"]);
    // PostgreSQL 18's NOT NULL constraint: the same scan unless NOT VALID.
    assert_eq!(
        found("ALTER TABLE \"City\" ADD CONSTRAINT \"nn\" NOT NULL \"locode\";"),
        ["L007 error 1:20"]
    );
    assert_eq!(
        found("ALTER TABLE \"City\" ADD CONSTRAINT \"nn\" NOT NULL \"locode\" NOT VALID;"),
        Vec::<String>::new()
    );
}

#[test]
fn l008_type_change_that_rewrites() {
    let sql = "ALTER TABLE \"BudgetFunding\" ALTER COLUMN \"amount\" TYPE bigint;";
    assert_eq!(found(sql), ["L008 error 1:29"]);
    let f = &lint(sql, "up.sql", &tx()).unwrap()[0];
    assert_eq!(
        f.message,
        "changing \"BudgetFunding\".\"amount\" to bigint rewrites the table"
    );
    assert!(f.help.contains("integer → bigint"), "{}", f.help);
    // The second command of the statement gets the caret.
    assert_eq!(
        found("ALTER TABLE t ALTER COLUMN a TYPE text,\n  ALTER COLUMN b TYPE int4;"),
        ["L008 error 2:3"]
    );
    // Known old types (from the file): narrowing or a new scale rewrites.
    let narrowing = "ALTER TABLE t ADD COLUMN c varchar(50), ADD COLUMN n numeric(10,2);\n\
                     ALTER TABLE t ALTER COLUMN c TYPE varchar(20);\n\
                     ALTER TABLE t ALTER COLUMN n TYPE numeric(10,3);";
    assert_eq!(found(narrowing), ["L008 error 2:15", "L008 error 3:15"]);
    let messages: Vec<String> = lint(narrowing, "up.sql", &tx())
        .unwrap()
        .into_iter()
        .map(|f| f.message)
        .collect();
    assert_eq!(
        messages,
        [
            "changing \"t\".\"c\" from varchar(50) to varchar(20) rewrites the table",
            "changing \"t\".\"n\" from numeric(10,2) to numeric(10,3) rewrites the table",
        ]
    );
    // The fix: binary-coercible changes only.
    let cheap = "ALTER TABLE t ADD COLUMN c varchar(20), ADD COLUMN n numeric(10,2), ADD COLUMN v varchar(5);\n\
                 ALTER TABLE t ALTER COLUMN c TYPE varchar(50);\n\
                 ALTER TABLE t ALTER COLUMN c TYPE varchar;\n\
                 ALTER TABLE t ALTER COLUMN c TYPE text;\n\
                 ALTER TABLE t ALTER COLUMN n TYPE numeric(12,2);\n\
                 ALTER TABLE t ALTER COLUMN n TYPE numeric;\n\
                 ALTER TABLE t ALTER COLUMN v TYPE character varying(5);";
    assert_eq!(found(cheap), Vec::<String>::new());
    // Old type unknown: text / varchar / numeric get the benefit of the doubt,
    // but a USING clause is a rewrite.
    assert_eq!(
        found("ALTER TABLE t ALTER COLUMN a TYPE text, ALTER COLUMN b TYPE varchar(200);"),
        Vec::<String>::new()
    );
    assert_eq!(
        found("ALTER TABLE t ALTER COLUMN a TYPE text USING a::text;"),
        ["L008 error 1:15"]
    );
}

#[test]
fn l009_add_column_that_rewrites() {
    let sql = "ALTER TABLE \"City\" ADD COLUMN \"token\" uuid DEFAULT gen_random_uuid();";
    assert_eq!(found(sql), ["L009 error 1:52"]);
    assert_eq!(spanned(sql, &tx()), ["gen_random_uuid()"]);
    assert_eq!(
        found("ALTER TABLE \"City\" ADD COLUMN \"r\" float8 NOT NULL DEFAULT (random() * 10);"),
        ["L009 error 1:60"]
    );
    assert_eq!(
        found("ALTER TABLE \"City\" ADD COLUMN \"at\" timestamptz DEFAULT clock_timestamp();"),
        ["L009 error 1:56"]
    );
    assert_eq!(
        found("ALTER TABLE \"City\" ADD COLUMN \"n\" bigserial;"),
        ["L009 error 1:35"]
    );
    assert_eq!(
        found("ALTER TABLE \"City\" ADD COLUMN \"n\" bigint GENERATED ALWAYS AS IDENTITY;"),
        ["L009 error 1:20"]
    );
    assert_eq!(
        found("ALTER TABLE \"City\" ADD COLUMN \"a2\" numeric GENERATED ALWAYS AS (\"areaKm2\" * 2) STORED;"),
        ["L009 error 1:20"]
    );
    // The fix: a non-volatile default is stored once (PostgreSQL 11+).
    let fixed =
        "ALTER TABLE \"City\" ADD COLUMN \"createdAt\" timestamptz NOT NULL DEFAULT now();\n\
                 ALTER TABLE \"City\" ADD COLUMN \"active\" boolean NOT NULL DEFAULT true;\n\
                 ALTER TABLE \"City\" ADD COLUMN \"meta\" jsonb NOT NULL DEFAULT '{}'::jsonb;\n\
                 ALTER TABLE \"City\" ADD COLUMN \"token\" uuid;";
    assert_eq!(found(fixed), Vec::<String>::new());
}

#[test]
fn l010_unique_without_a_prebuilt_index() {
    let sql = "ALTER TABLE \"City\" ADD CONSTRAINT \"uq_City_locode\" UNIQUE (\"locode\");";
    assert_eq!(found(sql), ["L010 error 1:20"]);
    assert_eq!(
        found("ALTER TABLE \"City\" ADD PRIMARY KEY (\"cityId\");"),
        ["L010 error 1:20"]
    );
    // The fix: the index built concurrently beforehand, then USING INDEX.
    let fixed = "ALTER TABLE \"City\" ADD CONSTRAINT \"uq_City_locode\" UNIQUE USING INDEX \"uq_City_locode\";";
    assert_eq!(found(fixed), Vec::<String>::new());
}

#[test]
fn l011_add_required_column_without_default() {
    let sql = "ALTER TABLE \"City\" ADD COLUMN \"region\" varchar NOT NULL;";
    assert_eq!(found(sql), ["L011 error 1:20"]);
    let fixed = "ALTER TABLE \"City\" ADD COLUMN \"region\" varchar NOT NULL DEFAULT 'unknown';";
    assert_eq!(found(fixed), Vec::<String>::new());
}

#[test]
fn l012_drop_column() {
    let sql = "ALTER TABLE \"City\" DROP COLUMN \"misc\";";
    assert_eq!(found(sql), ["L012 warning 1:20"]);
    let known =
        "-- nzc:allow(L012): misc was never used\nALTER TABLE \"City\" DROP COLUMN \"misc\";";
    assert_eq!(found(known), Vec::<String>::new());
}

#[test]
fn l013_drop_table() {
    assert_eq!(
        found("DROP TABLE \"CityTarget\", \"Indicator\";"),
        ["L013 warning 1:1"]
    );
    let f = &lint("DROP TABLE \"CityTarget\";", "down.sql", &tx()).unwrap()[0];
    assert_eq!(
        f.message,
        "DROP TABLE deletes table \"CityTarget\" and all its rows"
    );
    assert_eq!(
        found("-- nzc:allow(drop-table)\nDROP TABLE \"CityTarget\";"),
        Vec::<String>::new()
    );
}

#[test]
fn l014_rename_column() {
    let sql = "ALTER TABLE \"City\" RENAME COLUMN \"cityName\" TO \"name\";";
    assert_eq!(found(sql), ["L014 warning 1:1"]);
    assert_eq!(
        found(&format!("-- nzc:allow(L014)\n{sql}")),
        Vec::<String>::new()
    );
}

#[test]
fn l015_rename_table() {
    let sql = "ALTER TABLE \"City\" RENAME TO \"Town\";";
    assert_eq!(found(sql), ["L015 warning 1:1"]);
    assert_eq!(
        found(&format!("-- nzc:allow(L015)\n{sql}")),
        Vec::<String>::new()
    );
}

#[test]
fn l016_transaction_control_in_a_transaction() {
    let sql = "BEGIN;\nALTER TABLE \"City\" ADD COLUMN \"misc\" jsonb;\nCOMMIT;\n";
    assert_eq!(found(sql), ["L016 error 1:1", "L016 error 3:1"]);
    assert_eq!(
        found("START TRANSACTION;\nROLLBACK;"),
        ["L016 error 1:1", "L016 error 2:1"]
    );
    // The fix: leave the transaction to the runner.
    assert_eq!(
        found("ALTER TABLE \"City\" ADD COLUMN \"misc\" jsonb;\n"),
        Vec::<String>::new()
    );
    // Savepoints are fine inside the runner's transaction.
    assert_eq!(
        found("SAVEPOINT a;\nRELEASE SAVEPOINT a;"),
        Vec::<String>::new()
    );
}
