//! squawk (PyPI `squawk-cli`, the PostgreSQL migration linter, pinned in
//! `tools/python/requirements.txt`) on the migrations nzc generates for
//! changes to tables that already exist: none of the rules about long locks
//! on busy tables may fire.
//!
//! Each case is a pair of versions of the repository's `schema.nzc` (every
//! table exists in the first); both the up and the down migration are
//! checked. A migration that runs as one transaction is given to squawk as
//! its file, with `--assume-in-transaction`; one that runs in parts is given
//! as it runs — `nzc migrate upgrade --sql`'s text, each transactional part
//! between `BEGIN` and `COMMIT` — so squawk sees which statements share a
//! transaction. A control case (plain DDL, what Alembic emits) must trip
//! the rules, so the test cannot pass by squawk not looking.
//!
//! `changing-column-type` is checked on every generated migration except the
//! repository's own two `integer` → `bigint` migrations (written without
//! `--online`, as plain `ALTER COLUMN … TYPE`: squawk flags every such
//! statement, also the cheap ones like `varchar(n)` → `text`; `nzc lint`
//! tells them apart, L008). The same change generated with `--online` has
//! no `ALTER COLUMN … TYPE`, and squawk must not flag it.

use nzc_migrate::runner::{offline_sql, Direction};
use nzc_migrate::Migration;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The rules that must not fire.
const LOCK_RULES: &[&str] = &[
    "require-concurrent-index-creation",
    "require-concurrent-index-deletion",
    "ban-concurrent-index-creation-in-transaction",
    "constraint-missing-not-valid",
    "adding-foreign-key-constraint",
    "adding-not-nullable-field",
    "adding-field-with-default",
    "disallowed-unique-constraint",
];
const TYPE_RULE: &str = "changing-column-type";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `$NZC_SQUAWK`, else the one of the test venv (`target/nzc-py`, made by `.ci/run`).
fn squawk() -> PathBuf {
    let path = std::env::var_os("NZC_SQUAWK")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/nzc-py/bin/squawk"));
    let ok = Command::new(&path)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains(" 2."));
    assert!(
        ok,
        "squawk 2.x is needed at {}; from the repository root run\n  python3 -m venv target/nzc-py && target/nzc-py/bin/pip install -r tools/python/requirements.txt\n(or set NZC_SQUAWK)",
        path.display()
    );
    path
}

/// One finding: file name and rule.
fn run_squawk(files: &[PathBuf], in_transaction: bool) -> Vec<(String, String, String)> {
    if files.is_empty() {
        return Vec::new();
    }
    let mut c = Command::new(squawk());
    c.args(["--reporter", "json", "--pg-version", "15"]);
    if in_transaction {
        c.arg("--assume-in-transaction");
    }
    let out = c.args(files).output().expect("run squawk");
    let text = String::from_utf8_lossy(&out.stdout);
    let findings: serde_json::Value = serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!(
            "squawk printed no JSON ({e}):\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    findings
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (
                Path::new(&s("file"))
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                s("rule_name"),
                format!("line {}: {}", f["line"], s("message")),
            )
        })
        .collect()
}

fn compile(src: &str, name: &str) -> nzc_dsl::Schema {
    nzc_dsl::compile(src, name).unwrap_or_else(|d| panic!("{name}:\n{}", d.render()))
}

/// `text` with `from` replaced by `to` (which must be there).
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "schema.nzc no longer holds {from:?}");
    text.replacen(from, to, 1)
}

/// The EmissionRecord table's unique line: changes are added after it.
const ER_UNIQUE: &str = "    @@unique([cityId, year, sectorId, scope, ghgType])\n";

struct Case {
    name: &'static str,
    before: String,
    after: String,
    /// Generated with `nzc compile --online`.
    online: bool,
}

fn cases(base: &str) -> Vec<Case> {
    let add = |lines: &str| edit(base, ER_UNIQUE, &format!("{ER_UNIQUE}{lines}"));
    let no_sector_ref = edit(
        base,
        "    sectorId         uuid?   @ref(Sector.sectorId)\n    scope",
        "    sectorId         uuid?\n    scope",
    );
    let nullable_unit = edit(
        base,
        "    unit             varchar\n    notes            text?\n    misc             jsonb?\n\n    @@unique([cityId, year, sectorId",
        "    unit             varchar?\n    notes            text?\n    misc             jsonb?\n\n    @@unique([cityId, year, sectorId",
    );
    let token = |default: &str| {
        edit(
            base,
            "    ghgType          varchar\n    value",
            &format!("    ghgType          varchar\n    token            {default}\n    value"),
        )
    };
    let mut all_before = no_sector_ref.clone();
    all_before = edit(
        &all_before,
        "    unit             varchar\n    notes            text?\n    misc             jsonb?\n\n    @@unique([cityId, year, sectorId",
        "    unit             varchar?\n    notes            text?\n    misc             jsonb?\n\n    @@unique([cityId, year, sectorId",
    );
    let all_after = edit(
        &token("uuid @default(gen_random_uuid())"),
        ER_UNIQUE,
        &format!("{ER_UNIQUE}    @@index([year])\n    @@unique([notes])\n    @@check(positive_value, `\"value\" >= 0`)\n"),
    );
    vec![
        Case {
            name: "index",
            before: base.to_string(),
            after: add("    @@index([year])\n"),
            online: false,
        },
        Case {
            name: "unique_index",
            before: base.to_string(),
            after: add("    @@index([notes, year], unique: true)\n"),
            online: false,
        },
        Case {
            name: "unique",
            before: base.to_string(),
            after: add("    @@unique([notes])\n"),
            online: false,
        },
        Case {
            name: "foreign_key",
            before: no_sector_ref,
            after: base.to_string(),
            online: false,
        },
        Case {
            name: "check",
            before: base.to_string(),
            after: add("    @@check(positive_value, `\"value\" >= 0`)\n"),
            online: false,
        },
        Case {
            name: "set_not_null",
            before: nullable_unit,
            after: base.to_string(),
            online: false,
        },
        Case {
            name: "volatile_default",
            before: base.to_string(),
            after: token("uuid @default(gen_random_uuid())"),
            online: false,
        },
        Case {
            name: "volatile_default_nullable",
            before: base.to_string(),
            after: token("uuid? @default(gen_random_uuid())"),
            online: false,
        },
        Case {
            name: "stable_default",
            before: base.to_string(),
            after: token("timestamptz @default(now())"),
            online: false,
        },
        Case {
            name: "all_at_once",
            before: all_before,
            after: all_after,
            online: false,
        },
        // integer → bigint of a column in a five-column unique, online: no
        // ALTER TYPE at all, so changing-column-type must not fire either.
        Case {
            name: "online_type_change",
            before: base.to_string(),
            after: edit(
                base,
                "    year             int\n    sectorId",
                "    year             bigint\n    sectorId",
            ),
            online: true,
        },
    ]
}

/// The text squawk is given, and whether it runs in one transaction.
fn as_run(m: &Migration, direction: Direction) -> (String, bool) {
    let script = match direction {
        Direction::Up => &m.up,
        Direction::Down => &m.down,
    };
    if script.is_single_transaction() {
        (script.sql.clone(), true)
    } else {
        (offline_sql(&[m], direction, "5s"), false)
    }
}

#[test]
fn squawk_finds_no_lock_problem_in_generated_migrations() {
    let base = std::fs::read_to_string(repo().join("schema.nzc")).expect("schema.nzc");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut single = Vec::new();
    let mut parts = Vec::new();
    let mut changes_types = Vec::new();
    let mut multi_part = 0;
    for case in cases(&base) {
        let (a, b) = (
            compile(&case.before, "before"),
            compile(&case.after, "after"),
        );
        let id = format!("20990101000000_{}", case.name);
        let options = nzc_codegen::plan::Options {
            online_type_changes: case.online,
        };
        let m = nzc_codegen::migration::plan(&a, &b)
            .unwrap_or_else(|| panic!("{}: no change", case.name))
            .render_with(&id, &options);
        let migration = Migration::from_texts(&dir.path().join(&id), &m.up, &m.down, None)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        for (direction, label) in [(Direction::Up, "up"), (Direction::Down, "down")] {
            let (text, in_tx) = as_run(&migration, direction);
            let file = dir.path().join(format!("{}.{label}.sql", case.name));
            std::fs::write(&file, &text).expect("write");
            multi_part += usize::from(!in_tx);
            if in_tx { &mut single } else { &mut parts }.push(file);
        }
    }
    // The repository's own migrations: two of them change integer to bigint.
    for m in nzc_migrate::Migrations::from_dir(repo().join("migrations"))
        .and_then(|ms| ms.list())
        .expect("migrations/")
        .iter()
        .skip(1)
    {
        for (direction, label) in [(Direction::Up, "up"), (Direction::Down, "down")] {
            let (text, in_tx) = as_run(m, direction);
            let name = format!("repo_{}.{label}.sql", m.name);
            if text.contains(" TYPE ") {
                changes_types.push(name.clone());
            }
            let file = dir.path().join(name);
            std::fs::write(&file, &text).expect("write");
            if in_tx { &mut single } else { &mut parts }.push(file);
        }
    }
    assert!(
        multi_part >= 10,
        "the plans for existing tables should run in parts: only {multi_part} files do"
    );

    let mut findings = run_squawk(&single, true);
    findings.extend(run_squawk(&parts, false));
    let bad: Vec<String> = findings
        .iter()
        .filter(|(file, rule, _)| {
            LOCK_RULES.contains(&rule.as_str())
                || (rule == TYPE_RULE && !changes_types.contains(file))
        })
        .map(|(file, rule, msg)| {
            let text = std::fs::read_to_string(dir.path().join(file)).unwrap_or_default();
            format!("{file}: {rule} ({msg})\n{text}")
        })
        .collect();
    assert!(
        bad.is_empty(),
        "squawk flags generated migrations:\n{}",
        bad.join("\n")
    );

    // Control: the same changes as plain DDL trip the rules.
    let plain = dir.path().join("control.sql");
    std::fs::write(
        &plain,
        "CREATE INDEX \"ix\" ON \"EmissionRecord\" (\"year\");\n\
         ALTER TABLE \"EmissionRecord\" ADD CONSTRAINT \"fk\" FOREIGN KEY (\"sectorId\") REFERENCES \"Sector\" (\"sectorId\");\n\
         ALTER TABLE \"EmissionRecord\" ADD CONSTRAINT \"ck\" CHECK (\"value\" >= 0);\n\
         ALTER TABLE \"EmissionRecord\" ALTER COLUMN \"unit\" SET NOT NULL;\n\
         ALTER TABLE \"EmissionRecord\" ADD CONSTRAINT \"uq\" UNIQUE (\"notes\");\n\
         ALTER TABLE \"EmissionRecord\" ADD COLUMN \"token\" uuid NOT NULL DEFAULT gen_random_uuid();\n\
         DROP INDEX \"ix2\";\n",
    )
    .expect("write");
    let control: Vec<String> = run_squawk(&[plain], true)
        .into_iter()
        .map(|(_, rule, _)| rule)
        .collect();
    for rule in LOCK_RULES
        .iter()
        .filter(|r| **r != "ban-concurrent-index-creation-in-transaction")
    {
        assert!(
            control.iter().any(|r| r == rule),
            "squawk did not flag plain DDL with {rule}: {control:?}"
        );
    }
}
