//! Hand-written migration cases against a real PostgreSQL: for each pair of
//! schemas (before, after), the up migration must leave exactly the database
//! of `after` built from scratch, the down migration exactly the database of
//! `before`, and the rows must survive where the change keeps them.
//!
//! Also the project's real history: the committed `migrations/*/up.sql`
//! files, applied in order, give the database of each `tests/fixtures/history`
//! version, and the `down.sql` files walk back to an empty database.
//!
//! Needs the PostgreSQL of `tests/common` (each test has its own databases).

mod common;
#[path = "support/introspect.rs"]
mod introspect;

use common::TestDb;
use introspect::{apply, apply_sql, introspect, schema_db, DbSchema};
use nzc_codegen::migration::{generate, MigrationSql, NO_TRANSACTION_MARKER};
use nzc_dsl::Schema;
use tokio_postgres::{Client, SimpleQueryMessage};

fn compile(src: &str) -> Schema {
    nzc_dsl::compile(src, "case.nzc").unwrap_or_else(|d| panic!("{}", d.render()))
}

/// A case in progress: `before` is applied to a fresh database; the test
/// adds rows, then calls [`Case::up`] and [`Case::down`].
struct Case {
    _db: TestDb,
    client: Client,
    m: MigrationSql,
    before: DbSchema,
    after: DbSchema,
}

impl Case {
    async fn new(before: &str, after: &str) -> Case {
        let (a, b) = (compile(before), compile(after));
        let m = generate(&a, &b, "case").expect("the schemas differ");
        let (ref_a, ref_b) = tokio::join!(schema_db(&a), schema_db(&b));
        let db = TestDb::new().await;
        let mut client = db.client().await;
        if let Some(create) = generate(&Schema::default(), &a, "create") {
            apply(&mut client, &create.up, "creating `before`").await;
        }
        assert_eq!(introspect(&client).await, ref_a, "`before` from scratch");
        Case {
            _db: db,
            client,
            m,
            before: ref_a,
            after: ref_b,
        }
    }

    async fn up(&mut self) {
        apply(&mut self.client, &self.m.up, "up").await;
        let got = introspect(&self.client).await;
        assert_eq!(got, self.after, "after up\n--- up ---\n{}", self.m.up);
    }

    async fn down(&mut self) {
        apply(&mut self.client, &self.m.down, "down").await;
        let got = introspect(&self.client).await;
        assert_eq!(
            got, self.before,
            "after down\n--- down ---\n{}",
            self.m.down
        );
    }

    async fn exec(&self, sql: &str) {
        self.client
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The rows of a query, every value as text (NULL as `None`).
    async fn rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        rows(&self.client, sql).await
    }
}

async fn rows(client: &Client, sql: &str) -> Vec<Vec<Option<String>>> {
    client
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
            }
            _ => None,
        })
        .collect()
}

/// `[["1", "a"], …]` → rows of `Some` values.
fn table(rows: &[&[&str]]) -> Vec<Vec<Option<String>>> {
    rows.iter()
        .map(|r| r.iter().map(|v| Some(v.to_string())).collect())
        .collect()
}

#[tokio::test]
async fn rename_table_keeps_rows() {
    let mut case = Case::new(
        r#"
table Old {
  id   int  @pk
  name text @unique
  @@index([name, id])
}
table Child {
  id  int  @pk
  old int? @ref(Old.id)
}
"#,
        r#"
table New {
  id   int  @pk
  name text @unique
  @@index([name, id])
  @@renamed_from(Old)
}
table Child {
  id  int  @pk
  old int? @ref(New.id)
}
"#,
    )
    .await;
    assert!(case.m.up.contains("RENAME"), "{}", case.m.up);
    assert!(
        !case.m.up.contains("DROP"),
        "a rename, not a drop:\n{}",
        case.m.up
    );
    assert!(case.m.data_loss.is_empty());
    case.exec(r#"INSERT INTO "Old" VALUES (1, 'a'), (2, 'b'); INSERT INTO "Child" VALUES (10, 2)"#)
        .await;
    case.up().await;
    let expected = table(&[&["1", "a"], &["2", "b"]]);
    assert_eq!(
        case.rows(r#"SELECT * FROM "New" ORDER BY id"#).await,
        expected
    );
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT * FROM "Old" ORDER BY id"#).await,
        expected
    );
    assert_eq!(
        case.rows(r#"SELECT * FROM "Child""#).await,
        table(&[&["10", "2"]])
    );
}

#[tokio::test]
async fn rename_column_keeps_values() {
    // The renamed columns carry a unique constraint, an index, a check and a
    // default, and one of them is the primary key another table refers to.
    let mut case = Case::new(
        r#"
table Parent {
  id   int          @pk
  code varchar(10)  @unique @default("x")
  @@index([code])
  @@check(code_len, `length("code") > 0`)
}
table Child {
  id     int  @pk
  parent int? @ref(Parent.id, on_delete: cascade)
}
"#,
        r#"
table Parent {
  pid     int          @pk @renamed_from(id)
  refCode varchar(10)  @unique @default("x") @renamed_from(code)
  @@index([refCode])
  @@check(code_len, `length("refCode") > 0`)
}
table Child {
  id       int  @pk
  parentId int? @ref(Parent.pid, on_delete: cascade) @renamed_from(parent)
}
"#,
    )
    .await;
    // The check's text names the column, so it is dropped and added again;
    // everything else is a RENAME.
    let up_without_check: Vec<&str> = case
        .m
        .up
        .lines()
        .filter(|l| !l.contains("ck_Parent_code_len"))
        .collect();
    let up_without_check = up_without_check.join("\n");
    assert!(case.m.up.contains("RENAME COLUMN"), "{}", case.m.up);
    assert!(
        !up_without_check.contains("DROP"),
        "renames, not drops:\n{}",
        case.m.up
    );
    assert!(case.m.data_loss.is_empty());
    case.exec(
        r#"INSERT INTO "Parent" VALUES (1, 'one'), (2, 'two');
           INSERT INTO "Child" VALUES (10, 1), (11, 2), (12, NULL)"#,
    )
    .await;
    case.up().await;
    assert_eq!(
        case.rows(r#"SELECT pid, "refCode" FROM "Parent" ORDER BY 1"#)
            .await,
        table(&[&["1", "one"], &["2", "two"]])
    );
    assert_eq!(
        case.rows(r#"SELECT id, "parentId" FROM "Child" WHERE "parentId" IS NOT NULL ORDER BY 1"#)
            .await,
        table(&[&["10", "1"], &["11", "2"]])
    );
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT id, code FROM "Parent" ORDER BY 1"#)
            .await,
        table(&[&["1", "one"], &["2", "two"]])
    );
    // The foreign key still works (and cascades) after the round trip.
    case.exec(r#"DELETE FROM "Parent" WHERE id = 1"#).await;
    assert_eq!(
        case.rows(r#"SELECT id FROM "Child" ORDER BY 1"#).await,
        table(&[&["11"], &["12"]])
    );
}

#[tokio::test]
async fn int_to_bigint_keeps_values() {
    let mut case = Case::new(
        r#"
table T {
  id    int @pk
  n     int @default(7)
  m     int?
  @@index([n])
  @@check(n_pos, `"n" >= 0`)
}
"#,
        r#"
table T {
  id    int    @pk
  n     bigint @default(7)
  m     bigint?
  @@index([n])
  @@check(n_pos, `"n" >= 0`)
}
"#,
    )
    .await;
    assert!(case.m.data_loss.is_empty(), "{:?}", case.m.data_loss);
    case.exec(r#"INSERT INTO "T" VALUES (1, 2147483647, -2147483648), (2, 0, NULL)"#)
        .await;
    case.up().await;
    let expected = table(&[&["1", "2147483647"], &["2", "0"]]);
    assert_eq!(
        case.rows(r#"SELECT id, n FROM "T" ORDER BY id"#).await,
        expected
    );
    // A bigint value that does not fit an int makes the down migration fail
    // (in its transaction: nothing changed).
    case.exec(r#"INSERT INTO "T" VALUES (3, 2147483648, 1)"#)
        .await;
    let err = apply_sql(&mut case.client, &case.m.down).await.unwrap_err();
    assert!(err.contains("out of range"), "{err}");
    assert_eq!(introspect(&case.client).await, case.after);
    case.exec(r#"DELETE FROM "T" WHERE id = 3"#).await;
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT id, n FROM "T" ORDER BY id"#).await,
        expected
    );
    assert_eq!(
        case.rows(r#"SELECT m FROM "T" WHERE id = 1"#).await,
        table(&[&["-2147483648"]])
    );
}

#[tokio::test]
async fn varchar_length_and_text_changes() {
    let mut case = Case::new(
        r#"
table T {
  id uuid        @pk
  a  varchar(5)  @default("ab")
  b  varchar(20)
  c  text        @unique
  d  varchar?
}
"#,
        r#"
table T {
  id uuid        @pk
  a  varchar(50) @default("ab")
  b  varchar(3)
  c  varchar(8)  @unique
  d  text?
}
"#,
    )
    .await;
    // Widening a and d loses nothing; narrowing b and c may.
    assert_eq!(case.m.data_loss.len(), 2, "{:?}", case.m.data_loss);
    case.exec(
        r#"INSERT INTO "T" VALUES ('00000000-0000-0000-0000-000000000001', 'abcde', 'xyz', 'c1', 'd1')"#,
    )
    .await;
    case.up().await;
    let expected = table(&[&["abcde", "xyz", "c1", "d1"]]);
    assert_eq!(case.rows(r#"SELECT a, b, c, d FROM "T""#).await, expected);
    case.down().await;
    assert_eq!(case.rows(r#"SELECT a, b, c, d FROM "T""#).await, expected);
}

const ENUM_BEFORE: &str = r#"
enum Status {
  draft
  done
}
table Doc {
  id     int    @pk
  status Status @default(draft)
  prev   Status?
}
"#;

#[tokio::test]
async fn enum_add_value_runs_without_transaction() {
    let mut case = Case::new(
        ENUM_BEFORE,
        r#"
enum Status {
  draft
  "in review"
  done
  archived
}
table Doc {
  id     int    @pk
  status Status @default(draft)
  prev   Status?
}
"#,
    )
    .await;
    assert!(
        case.m.up.lines().any(|l| l == NO_TRANSACTION_MARKER),
        "{}",
        case.m.up
    );
    assert!(
        case.m.up.contains("ADD VALUE 'in review' BEFORE 'done'"),
        "{}",
        case.m.up
    );
    // Going down removes values: the type is swapped, in a transaction.
    assert!(
        !case.m.down.contains(NO_TRANSACTION_MARKER),
        "{}",
        case.m.down
    );
    case.exec(r#"INSERT INTO "Doc" VALUES (1, 'done', 'draft'), (2, DEFAULT, NULL)"#)
        .await;
    case.up().await;
    let expected = table(&[&["1", "done"], &["2", "draft"]]);
    assert_eq!(
        case.rows(r#"SELECT id, status FROM "Doc" ORDER BY id"#)
            .await,
        expected
    );
    // The new value is usable right away.
    case.exec(r#"INSERT INTO "Doc" VALUES (3, 'in review', 'archived')"#)
        .await;
    // …and a row holding it stops the down migration, which changes nothing.
    let err = apply_sql(&mut case.client, &case.m.down).await.unwrap_err();
    assert!(err.contains("invalid input value for enum"), "{err}");
    assert_eq!(introspect(&case.client).await, case.after);
    case.exec(r#"DELETE FROM "Doc" WHERE id = 3"#).await;
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT id, status FROM "Doc" ORDER BY id"#)
            .await,
        expected
    );
}

#[tokio::test]
async fn enum_remove_value_swaps_the_type() {
    let mut case = Case::new(
        r#"
enum Status {
  draft
  obsolete
  done
}
table Doc {
  id     int    @pk
  status Status @default(obsolete)
}
table Other {
  id   int     @pk
  kind Status?
  @@index([kind])
}
"#,
        r#"
enum Status {
  draft
  done
}
table Doc {
  id     int    @pk
  status Status @default(done)
}
table Other {
  id   int     @pk
  kind Status?
  @@index([kind])
}
"#,
    )
    .await;
    assert!(!case.m.up.contains(NO_TRANSACTION_MARKER), "{}", case.m.up);
    // Going down adds the value back: in a part of its own, committed before
    // the default that uses it is set.
    let add_value = case.m.down.find("ADD VALUE 'obsolete'").expect("ADD VALUE");
    let no_tx = case.m.down[..add_value]
        .rfind("-- nzc:part no-transaction")
        .expect("a no-transaction part");
    assert!(
        !case.m.down[no_tx..add_value].contains("-- nzc:part transaction"),
        "{}",
        case.m.down
    );
    assert_eq!(case.m.data_loss.len(), 1, "{:?}", case.m.data_loss);
    case.exec(
        r#"INSERT INTO "Doc" VALUES (1, 'done'), (2, 'obsolete');
           INSERT INTO "Other" VALUES (1, 'draft'), (2, NULL)"#,
    )
    .await;
    // A row holds the removed value: up fails and changes nothing.
    let err = apply_sql(&mut case.client, &case.m.up).await.unwrap_err();
    assert!(err.contains("invalid input value for enum"), "{err}");
    assert_eq!(introspect(&case.client).await, case.before);
    case.exec(r#"UPDATE "Doc" SET status = 'draft' WHERE id = 2"#)
        .await;
    case.up().await;
    let docs = table(&[&["1", "done"], &["2", "draft"]]);
    assert_eq!(
        case.rows(r#"SELECT id, status FROM "Doc" ORDER BY id"#)
            .await,
        docs
    );
    assert_eq!(
        case.rows(r#"SELECT kind FROM "Other" WHERE id = 1"#).await,
        table(&[&["draft"]])
    );
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT id, status FROM "Doc" ORDER BY id"#)
            .await,
        docs
    );
}

#[tokio::test]
async fn self_reference_added_and_dropped() {
    let mut case = Case::new(
        r#"
table Node {
  id   int  @pk
  name text
}
"#,
        r#"
table Node {
  id     int  @pk
  name   text
  parent int? @ref(Node.id, on_delete: set_null)
}
"#,
    )
    .await;
    case.exec(r#"INSERT INTO "Node" VALUES (1, 'root'), (2, 'leaf')"#)
        .await;
    case.up().await;
    case.exec(r#"UPDATE "Node" SET parent = 1 WHERE id = 2"#)
        .await;
    case.exec(r#"DELETE FROM "Node" WHERE id = 1"#).await;
    assert_eq!(
        case.rows(r#"SELECT id, name, parent FROM "Node""#).await,
        vec![vec![Some("2".into()), Some("leaf".into()), None]]
    );
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT id, name FROM "Node""#).await,
        table(&[&["2", "leaf"]])
    );
}

#[tokio::test]
async fn self_referencing_table_created_and_dropped() {
    let mut case = Case::new(
        r#"
table Other {
  id int @pk
}
"#,
        r#"
table Other {
  id int @pk
}
/// A tree.
table Tree {
  id     uuid  @pk @default(gen_random_uuid())
  parent uuid? @ref(Tree.id)
  other  int?  @ref(Other.id)
}
"#,
    )
    .await;
    case.up().await;
    case.exec(
        r#"INSERT INTO "Other" VALUES (1);
           INSERT INTO "Tree" (id, other) VALUES ('00000000-0000-0000-0000-000000000001', 1);
           INSERT INTO "Tree" (parent) VALUES ('00000000-0000-0000-0000-000000000001')"#,
    )
    .await;
    assert_eq!(
        case.rows(r#"SELECT count(*) FROM "Tree""#).await,
        table(&[&["2"]])
    );
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT id FROM "Other""#).await,
        table(&[&["1"]])
    );
}

#[tokio::test]
async fn foreign_key_cycle_created_and_dropped() {
    let mut case = Case::new(
        r#"
table Keep {
  id int @pk
}
"#,
        r#"
table Keep {
  id int @pk
}
table Egg {
  id      int  @pk
  chicken int? @ref(Chicken.id)
}
table Chicken {
  id  int  @pk
  egg int? @ref(Egg.id)
  keep int? @ref(Keep.id)
}
"#,
    )
    .await;
    case.up().await;
    case.exec(
        r#"INSERT INTO "Egg" VALUES (1, NULL); INSERT INTO "Chicken" VALUES (1, 1, NULL);
           UPDATE "Egg" SET chicken = 1"#,
    )
    .await;
    case.down().await;
}

#[tokio::test]
async fn foreign_key_cycle_between_existing_tables() {
    // The cycle is closed (and opened again) on tables that already exist.
    let mut case = Case::new(
        r#"
table A {
  id int  @pk
  b  int?
}
table B {
  id int @pk
  a  int? @ref(A.id)
}
"#,
        r#"
table A {
  id int  @pk
  b  int? @ref(B.id)
}
table B {
  id int @pk
  a  int? @ref(A.id)
}
"#,
    )
    .await;
    case.exec(
        r#"INSERT INTO "A" VALUES (1, NULL); INSERT INTO "B" VALUES (1, 1); UPDATE "A" SET b = 1"#,
    )
    .await;
    case.up().await;
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT id, b FROM "A""#).await,
        table(&[&["1", "1"]])
    );
}

#[tokio::test]
async fn composite_keys_uniques_and_indexes() {
    let mut case = Case::new(
        r#"
table Pair {
  a int
  b int
  c text
  @@pk([a, b])
}
"#,
        r#"
table Pair {
  a int
  b int
  c text
  d text?
  @@pk([a, b])
  @@unique([b, c])
  @@index([c, a])
  @@index([d, c], unique: true)
}
table Ref {
  id int @pk
  pa int?
  pb int?
  @@ref([pa, pb], Pair, [a, b], on_delete: cascade)
  @@unique([pb, pa])
}
"#,
    )
    .await;
    case.exec(r#"INSERT INTO "Pair" VALUES (1, 1, 'x'), (1, 2, 'y')"#)
        .await;
    case.up().await;
    case.exec(r#"INSERT INTO "Ref" VALUES (1, 1, 2)"#).await;
    let err = case
        .client
        .batch_execute(r#"INSERT INTO "Pair" VALUES (2, 1, 'x')"#)
        .await
        .unwrap_err();
    assert!(
        err.as_db_error().unwrap().constraint() == Some("uq_Pair_b"),
        "{err}"
    );
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT a, b, c FROM "Pair" ORDER BY a, b"#)
            .await,
        table(&[&["1", "1", "x"], &["1", "2", "y"]])
    );
}

#[tokio::test]
async fn check_constraints_added_changed_renamed_dropped() {
    let mut case = Case::new(
        r#"
table T {
  id int  @pk
  n  int
  s  text
  @@check(positive, `"n" > 0`)
  @@check(short, `length("s") < 10`)
  @@check(gone, `"n" <> 13`)
}
"#,
        r#"
table T {
  id int  @pk
  n  int
  s  text
  @@check(positive, `"n" >= 0`)
  @@check(brief, `length("s") < 10`)
  @@check(added, `"s" <> 'forbidden'`)
}
"#,
    )
    .await;
    case.exec(r#"INSERT INTO "T" VALUES (1, 5, 'ok')"#).await;
    case.up().await;
    // The changed check lets 0 in now.
    case.exec(r#"INSERT INTO "T" VALUES (2, 0, 'zero')"#).await;
    // …which the down migration's check does not accept. The down adds it
    // NOT VALID (new rows are checked at once), then validates it in a later
    // part: that part fails, and stops the migration there.
    let err = apply_sql(&mut case.client, &case.m.down).await.unwrap_err();
    assert!(err.contains("ck_T_positive"), "{err}");
    let validated = case
        .rows(r#"SELECT convalidated::text FROM pg_constraint WHERE conname = 'ck_T_positive'"#)
        .await;
    assert_eq!(validated, table(&[&["false"]]));
    let rejected = case
        .client
        .batch_execute(r#"INSERT INTO "T" VALUES (3, 0, 'new')"#)
        .await
        .unwrap_err();
    assert_eq!(
        rejected.as_db_error().and_then(|d| d.constraint()),
        Some("ck_T_positive")
    );
    // The row fixed, the rest of the down (from the failed part) completes.
    case.exec(r#"DELETE FROM "T" WHERE id = 2"#).await;
    let validate = case
        .m
        .down
        .find("ALTER TABLE \"T\" VALIDATE CONSTRAINT \"ck_T_positive\"")
        .expect("its VALIDATE");
    let part = case.m.down[..validate]
        .rfind("-- nzc:part transaction")
        .expect("in a part");
    let rest = &case.m.down[part..];
    apply_sql(&mut case.client, rest)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{rest}"));
    assert_eq!(introspect(&case.client).await, case.before);
    assert_eq!(
        case.rows(r#"SELECT * FROM "T""#).await,
        table(&[&["1", "5", "ok"]])
    );
}

#[tokio::test]
async fn defaults_of_each_kind() {
    let before = r#"
enum Level {
  low
  high
}
table T {
  id int     @pk
  s  text
  v  varchar(20)
  n  int
  x  numeric
  f  boolean
  ts timestamp
  u  uuid
  j  jsonb
  l  Level
}
"#;
    let after = r#"
enum Level {
  low
  high
}
table T {
  id int         @pk
  s  text        @default("it's \"quoted\"")
  v  varchar(20) @default("v")
  n  int         @default(-42)
  x  numeric     @default(1.5)
  f  boolean     @default(true)
  ts timestamp   @default(now())
  u  uuid        @default(gen_random_uuid())
  j  jsonb       @default("{\"a\": [1]}")
  l  Level       @default(high)
  added bigint   @default(9000000000)
}
"#;
    let mut case = Case::new(before, after).await;
    case.exec(
        r#"INSERT INTO "T" VALUES (1, 's', 'v', 1, 2.5, false, '2020-01-01 00:00', '00000000-0000-0000-0000-000000000001', '[]', 'low')"#,
    )
    .await;
    case.up().await;
    case.exec(r#"INSERT INTO "T" (id) VALUES (2)"#).await;
    let got = case
        .rows(r#"SELECT s, v, n, x, f, ts IS NOT NULL, u IS NOT NULL, j, l, added FROM "T" ORDER BY id"#)
        .await;
    assert_eq!(
        got,
        table(&[
            &[
                "s",
                "v",
                "1",
                "2.5",
                "f",
                "t",
                "t",
                "[]",
                "low",
                "9000000000"
            ],
            &[
                r#"it's "quoted""#,
                "v",
                "-42",
                "1.5",
                "t",
                "t",
                "t",
                r#"{"a": [1]}"#,
                "high",
                "9000000000"
            ],
        ])
    );
    case.down().await;
    // The other way round: defaults dropped and changed.
    let mut back = Case::new(after, before).await;
    back.up().await;
    back.down().await;
}

#[tokio::test]
async fn comments_added_changed_removed() {
    let mut case = Case::new(
        r#"
/// Old table comment.
table T {
  /// The key.
  id int @pk
  /// Goes away.
  a  text
  b  text
}
table U {
  id int @pk
}
"#,
        r#"
/// New table comment: it's "better".
/// Second line.
table T {
  /// The key, changed.
  id int @pk
  a  text
  /// Added.
  b  text
  /// A new column with a comment.
  c  text?
}
/// Added to U.
table U {
  id int @pk
}
"#,
    )
    .await;
    case.up().await;
    case.down().await;
}

#[tokio::test]
async fn drop_table_that_another_table_references() {
    let mut case = Case::new(
        r#"
table Parent {
  id int @pk
}
table Child {
  id     int  @pk
  parent int? @ref(Parent.id)
  @@index([parent])
}
table Grand {
  id    int  @pk
  child int? @ref(Child.id)
}
"#,
        r#"
table Child {
  id     int  @pk
  parent int?
  @@index([parent])
}
"#,
    )
    .await;
    assert_eq!(case.m.data_loss.len(), 2, "{:?}", case.m.data_loss);
    case.exec(
        r#"INSERT INTO "Parent" VALUES (1); INSERT INTO "Child" VALUES (1, NULL), (2, NULL);
           INSERT INTO "Grand" VALUES (1, 2)"#,
    )
    .await;
    case.up().await;
    assert_eq!(
        case.rows(r#"SELECT id FROM "Child" ORDER BY id"#).await,
        table(&[&["1"], &["2"]])
    );
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT count(*) FROM "Parent""#).await,
        table(&[&["0"]])
    );
}

#[tokio::test]
async fn columns_added_dropped_and_nullability_changed() {
    let mut case = Case::new(
        r#"
table T {
  id   int  @pk
  a    text
  b    text?
  last text?
}
"#,
        r#"
table T {
  id   int  @pk
  a    text?
  b    text
  added int  @default(0)
}
"#,
    )
    .await;
    case.exec(r#"INSERT INTO "T" VALUES (1, 'a', 'b', 'z')"#)
        .await;
    case.up().await;
    assert_eq!(
        case.rows(r#"SELECT id, a, b, added FROM "T""#).await,
        table(&[&["1", "a", "b", "0"]])
    );
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT id, a, b, last FROM "T""#).await,
        vec![vec![
            Some("1".into()),
            Some("a".into()),
            Some("b".into()),
            None
        ]]
    );
}

// ---- the project's history ------------------------------------------------------

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The committed migrations, sorted by directory name: (name, up, down).
fn committed_migrations() -> Vec<(String, String, String)> {
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("migrations"))
        .expect("migrations/")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|d| {
            let read = |f: &str| {
                std::fs::read_to_string(d.join(f))
                    .unwrap_or_else(|e| panic!("{}/{f}: {e}", d.display()))
            };
            let name = d.file_name().unwrap().to_string_lossy().into_owned();
            (name, read("up.sql"), read("down.sql"))
        })
        .collect()
}

#[tokio::test]
async fn history_migrations_build_each_version_and_walk_back() {
    let versions: Vec<Schema> = (1..=4)
        .map(|n| {
            let path = root().join(format!("tests/fixtures/history/v{n}.nzc"));
            let src = std::fs::read_to_string(&path).unwrap();
            nzc_dsl::compile(&src, &path.display().to_string())
                .unwrap_or_else(|d| panic!("{}", d.render()))
        })
        .collect();
    let migrations = committed_migrations();
    assert_eq!(
        migrations.len(),
        versions.len(),
        "one migration per history version"
    );

    // Reference databases: index 0 is the empty database, N the version N.
    let mut refs = vec![DbSchema::default()];
    for v in &versions {
        refs.push(schema_db(v).await);
    }

    let db = TestDb::new().await;
    let mut client = db.client().await;
    for (n, (name, up, _)) in migrations.iter().enumerate() {
        apply(&mut client, up, &format!("{name}/up.sql")).await;
        assert_eq!(
            introspect(&client).await,
            refs[n + 1],
            "after {name}/up.sql"
        );
    }
    for (n, (name, _, down)) in migrations.iter().enumerate().rev() {
        apply(&mut client, down, &format!("{name}/down.sql")).await;
        assert_eq!(introspect(&client).await, refs[n], "after {name}/down.sql");
    }
    assert_eq!(refs[0], DbSchema::default());
}

// ---- cases the property test found ------------------------------------------------

#[tokio::test]
async fn unique_equal_to_primary_key_is_created() {
    // CREATE TABLE drops a UNIQUE that repeats the primary key: it must be
    // added by its own statement, like ALTER TABLE does on the way up.
    let mut case = Case::new(
        r#"
table T {
  id   int  @pk
  code text
}
"#,
        r#"
table T {
  id   int  @pk @unique
  code text
}
table U {
  a int
  b int
  @@pk([a, b])
  @@unique([a, b])
  @@unique([b])
}
"#,
    )
    .await;
    for (table, name) in [("T", "uq_T_id"), ("U", "uq_U_a"), ("U", "uq_U_b")] {
        assert!(
            case.after.tables[table].constraints.contains_key(name),
            "{name} missing from the database built from scratch:\n{:#?}",
            case.after
        );
    }
    case.up().await;
    case.down().await;
}

#[tokio::test]
async fn enum_value_removed_while_defaults_change_and_new_columns_use_it() {
    let mut case = Case::new(
        r#"
enum S {
  a
  b
  c
}
table Doc {
  id int @pk
  s  S   @default(b)
}
"#,
        r#"
enum S {
  a
  c
}
table Doc {
  id    int @pk
  s     S
  extra S?  @default(c)
}
table New {
  id int @pk
  s  S   @default(a)
}
"#,
    )
    .await;
    case.exec(r#"INSERT INTO "Doc" VALUES (1, 'a'), (2, 'c')"#)
        .await;
    case.up().await;
    assert_eq!(
        case.rows(r#"SELECT id, s, extra FROM "Doc" ORDER BY id"#)
            .await,
        table(&[&["1", "a", "c"], &["2", "c", "c"]])
    );
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT id, s FROM "Doc" ORDER BY id"#).await,
        table(&[&["1", "a"], &["2", "c"]])
    );
}

#[tokio::test]
async fn primary_key_changed_under_foreign_keys() {
    // The foreign keys to P.id depend on the primary key's index: they are
    // dropped first and added again once P.id is unique by a constraint —
    // also when the referencing table is itself dropped.
    let mut case = Case::new(
        r#"
table P {
  id   int  @pk
  code text @unique
}
table C {
  id int  @pk
  p  int? @ref(P.id)
}
table D {
  id int  @pk
  p  int? @ref(P.id)
}
"#,
        r#"
table P {
  id   int  @unique
  code text @pk
}
table C {
  id int  @pk
  p  int? @ref(P.id)
}
"#,
    )
    .await;
    case.exec(
        r#"INSERT INTO "P" VALUES (1, 'one'), (2, 'two');
           INSERT INTO "C" VALUES (1, 2); INSERT INTO "D" VALUES (1, 1)"#,
    )
    .await;
    case.up().await;
    assert_eq!(
        case.rows(r#"SELECT * FROM "C""#).await,
        table(&[&["1", "2"]])
    );
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT * FROM "C""#).await,
        table(&[&["1", "2"]])
    );
}

#[tokio::test]
async fn foreign_keys_to_keys_made_later_in_the_migration() {
    // New tables refer to a unique index (created after the tables) and to a
    // unique constraint added to a surviving table: the foreign keys must
    // come after those keys, not inline.
    let mut case = Case::new(
        r#"
table S {
  id int @pk
  k  int
}
"#,
        r#"
table S {
  id int @pk
  k  int @unique
}
table T {
  id   int  @pk
  code text
  @@index([code], unique: true)
}
table R {
  id int   @pk
  t  text? @ref(T.code)
  s  int?  @ref(S.k)
}
"#,
    )
    .await;
    case.exec(r#"INSERT INTO "S" VALUES (1, 10)"#).await;
    case.up().await;
    case.exec(r#"INSERT INTO "T" VALUES (1, 'x'); INSERT INTO "R" VALUES (1, 'x', 10)"#)
        .await;
    case.down().await;
    assert_eq!(
        case.rows(r#"SELECT * FROM "S""#).await,
        table(&[&["1", "10"]])
    );
}

#[tokio::test]
async fn column_leaves_an_enum_that_loses_a_value() {
    let mut case = Case::new(
        r#"
enum Status {
  draft
  obsolete
  done
}
table Doc {
  id     int    @pk
  status Status
  label  Status?
}
"#,
        r#"
enum Status {
  draft
  done
}
table Doc {
  id     int     @pk
  status Status
  label  text?
}
"#,
    )
    .await;
    case.exec("INSERT INTO \"Doc\" VALUES (1, 'draft', 'obsolete'), (2, 'done', NULL)")
        .await;
    case.up().await;
    assert_eq!(
        case.rows("SELECT id::text, status::text, label FROM \"Doc\" ORDER BY id")
            .await,
        [
            vec![
                Some("1".into()),
                Some("draft".into()),
                Some("obsolete".into())
            ],
            vec![Some("2".into()), Some("done".into()), None],
        ]
    );
    case.exec("UPDATE \"Doc\" SET label = 'draft'").await;
    case.down().await;
}

/// The text of a migration from the part holding `needle` on.
fn from_part_of<'a>(sql: &'a str, needle: &str) -> &'a str {
    let at = sql
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in\n{sql}"));
    let part = sql[..at].rfind("-- nzc:part ").expect("a part marker");
    &sql[part..]
}

#[tokio::test]
async fn online_type_change_keeps_writes_in_step_and_swaps_in_briefly() {
    let before = r#"
table Funding {
  id     int    @pk
  /// In euros.
  amount int    @default(0)
  code   text?
  @@index([amount])
  @@unique([code, amount])
}
"#;
    let after = r#"
table Funding {
  id     int    @pk
  /// In euros.
  amount bigint @default(0)
  code   text?
  @@index([amount])
  @@unique([code, amount])
}
"#;
    let mut case = Case::new(before, after).await;
    let (a, b) = (compile(before), compile(after));
    let online = nzc_codegen::plan::Options {
        online_type_changes: true,
    };
    case.m = nzc_codegen::migration::plan(&a, &b)
        .expect("a change")
        .render_with("case", &online);
    let up = case.m.up.clone();
    assert!(!up.contains("TYPE bigint"), "no rewrite:\n{up}");
    case.exec(
        r#"INSERT INTO "Funding" SELECT i, i * 10, 'c' || i FROM generate_series(1, 3000) i"#,
    )
    .await;
    // The first part: the new column and its trigger. Writers go on meanwhile.
    let first_fill = up.find("DO $nzc$").expect("a fill");
    let part_one = &up[..up[..first_fill].rfind("-- nzc:part ").unwrap()];
    apply_sql(&mut case.client, part_one)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{part_one}"));
    case.exec(
        r#"INSERT INTO "Funding" (id, code) VALUES (5000, 'new');
           UPDATE "Funding" SET amount = 3000000000 / 2 WHERE id = 7;
           DELETE FROM "Funding" WHERE id = 8"#,
    )
    .await;
    let rest = from_part_of(&up, "DO $nzc$");
    apply_sql(&mut case.client, rest)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{rest}"));
    let got = introspect(&case.client).await;
    assert_eq!(
        got.columns_by_name(),
        case.after.clone().columns_by_name(),
        "after up\n{up}"
    );
    assert_eq!(
        case.rows(r#"SELECT count(*), sum(amount)::text FROM "Funding" WHERE amount IS NOT NULL"#)
            .await,
        table(&[&[
            "3000",
            &(((1..=3000).map(|i: i64| i * 10).sum::<i64>() - 70 - 80 + 1_500_000_000).to_string())
        ]])
    );
    // Values above the old type's range fit now; the unique and the default hold.
    case.exec(r#"INSERT INTO "Funding" (id, amount, code) VALUES (6000, 9000000000, 'big')"#)
        .await;
    let dup = case
        .client
        .batch_execute(
            r#"INSERT INTO "Funding" (id, amount, code) VALUES (6001, 9000000000, 'big')"#,
        )
        .await
        .unwrap_err();
    assert_eq!(
        dup.as_db_error().and_then(|d| d.constraint()),
        Some("uq_Funding_code")
    );
    assert_eq!(
        case.rows(r#"SELECT amount::text FROM "Funding" WHERE id = 5000"#)
            .await,
        table(&[&["0"]])
    );
    // No trigger or function is left behind.
    assert_eq!(
        case.rows("SELECT count(*)::text FROM pg_trigger WHERE NOT tgisinternal")
            .await,
        table(&[&["0"]])
    );
    // The down is online too (bigint → integer), once the big values are gone.
    case.exec(r#"DELETE FROM "Funding" WHERE amount > 2147483647"#)
        .await;
    assert!(!case.m.down.contains("TYPE integer"), "{}", case.m.down);
    apply(&mut case.client, &case.m.down.clone(), "down").await;
    assert_eq!(
        introspect(&case.client).await.columns_by_name(),
        case.before.clone().columns_by_name()
    );
}

#[test]
fn online_type_change_falls_back_to_alter_type_where_a_swap_would_drop_something() {
    let online = nzc_codegen::plan::Options {
        online_type_changes: true,
    };
    let plan = |before: &str, after: &str| {
        nzc_codegen::migration::plan(&compile(before), &compile(after))
            .expect("a change")
            .render_with("case", &online)
            .up
    };
    // In the primary key, in a foreign key, named by a check: plain ALTER TYPE.
    for (before, after) in [
        (
            "table T {\n  id int @pk\n}\n",
            "table T {\n  id bigint @pk\n}\n",
        ),
        (
            "table P {\n  id int @pk\n}\ntable T {\n  id int @pk\n  p int? @ref(P.id)\n}\n",
            "table P {\n  id bigint @pk\n}\ntable T {\n  id int @pk\n  p bigint? @ref(P.id)\n}\n",
        ),
        (
            "table T {\n  id int @pk\n  n int\n  @@check(pos, `n > 0`)\n}\n",
            "table T {\n  id int @pk\n  n bigint\n  @@check(pos, `n > 0`)\n}\n",
        ),
    ] {
        let up = plan(before, after);
        assert!(up.contains("TYPE bigint"), "{up}");
        assert!(!up.contains("nzc_new"), "{up}");
    }
    // A change that keeps the bytes is never rewritten online.
    let up = plan(
        "table T {\n  id int @pk\n  s varchar(10)\n}\n",
        "table T {\n  id int @pk\n  s text\n}\n",
    );
    assert!(up.contains("TYPE text"), "{up}");
}

// ---- UNIQUE NULLS NOT DISTINCT ---------------------------------------------------

const NND_BEFORE: &str = r#"
table T {
  id int   @pk
  a  int?
  b  text?
  @@unique([a, b])
}
table C {
  id int   @pk
  a  int?
  b  text?
  @@ref([a, b], T, [a, b])
}
"#;

const NND_AFTER: &str = r#"
table T {
  id int   @pk
  a  int?
  b  text?
  @@unique([a, b], nulls_not_distinct: true)
}
table C {
  id int   @pk
  a  int?
  b  text?
  @@ref([a, b], T, [a, b])
}
"#;

/// The constraint a failed insert names, or the insert's success.
async fn insert_conflict(client: &Client, sql: &str) -> Result<(), Option<String>> {
    match client.batch_execute(sql).await {
        Ok(()) => Ok(()),
        Err(e) => Err(e
            .as_db_error()
            .and_then(|d| d.constraint())
            .map(str::to_string)),
    }
}

#[tokio::test]
async fn nulls_not_distinct_added_to_and_removed_from_a_key_with_rows() {
    let mut case = Case::new(NND_BEFORE, NND_AFTER).await;
    assert_eq!(
        case.after.tables["T"].constraints["uq_T_a"].def,
        "UNIQUE NULLS NOT DISTINCT (a, b)"
    );
    // The new index is built concurrently and swapped in in one transaction:
    // the key is enforced throughout.
    assert!(
        case.m.up.contains(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"uq_T_a_nzc_new\" ON \"T\" (\"a\", \"b\") NULLS NOT DISTINCT;"
        ),
        "{}",
        case.m.up
    );
    // The foreign key over the key is dropped and added again inside that
    // transaction (NOT VALID, validated later): enforced throughout.
    assert!(
        case.m.up.contains(
            "ALTER TABLE \"C\" DROP CONSTRAINT \"fk_C_a_T\";\n\nALTER TABLE \"T\" DROP CONSTRAINT \"uq_T_a\";\n\nALTER TABLE \"T\" ADD CONSTRAINT \"uq_T_a\" UNIQUE USING INDEX \"uq_T_a_nzc_new\";\n\nALTER TABLE \"C\" ADD CONSTRAINT \"fk_C_a_T\" FOREIGN KEY (\"a\", \"b\") REFERENCES \"T\" (\"a\", \"b\") NOT VALID;"
        ),
        "{}",
        case.m.up
    );
    assert_eq!(case.m.up.matches("DROP CONSTRAINT \"fk_C_a_T\"").count(), 1);
    assert!(
        case.m.up.find("VALIDATE CONSTRAINT \"fk_C_a_T\"")
            > case.m.up.find("USING INDEX \"uq_T_a_nzc_new\""),
        "{}",
        case.m.up
    );
    assert!(
        case.m.down.contains(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"uq_T_a_nzc_new\" ON \"T\" (\"a\", \"b\");"
        ),
        "{}",
        case.m.down
    );
    assert!(!case.m.up.contains("data-loss"), "{}", case.m.up);
    // NULLs everywhere, but no two rows equal with NULLs counting as equal.
    case.exec(
        r#"INSERT INTO "T" (id, a, b) VALUES (1, NULL, 'x'), (2, 1, 'x'), (3, NULL, 'y'),
                                             (4, 1, NULL), (5, NULL, NULL);
           INSERT INTO "C" (id, a, b) VALUES (1, 1, 'x'), (2, NULL, 'x');"#,
    )
    .await;
    case.up().await;
    assert_eq!(
        case.rows(r#"SELECT count(*)::text FROM "T""#).await,
        table(&[&["5"]])
    );
    for dup in [
        r#"INSERT INTO "T" (id, a, b) VALUES (10, NULL, 'x')"#,
        r#"INSERT INTO "T" (id, a, b) VALUES (11, NULL, NULL)"#,
    ] {
        assert_eq!(
            insert_conflict(&case.client, dup).await,
            Err(Some("uq_T_a".to_string())),
            "{dup}"
        );
    }
    // The foreign key was added again over the new key.
    assert_eq!(
        insert_conflict(
            &case.client,
            r#"INSERT INTO "C" (id, a, b) VALUES (3, 2, 'x')"#
        )
        .await,
        Err(Some("fk_C_a_T".to_string()))
    );
    case.down().await;
    insert_conflict(
        &case.client,
        r#"INSERT INTO "T" (id, a, b) VALUES (10, NULL, 'x')"#,
    )
    .await
    .expect("NULLs are distinct again");
    assert_eq!(
        insert_conflict(
            &case.client,
            r#"INSERT INTO "T" (id, a, b) VALUES (12, 1, 'x')"#
        )
        .await,
        Err(Some("uq_T_a".to_string()))
    );
}

#[tokio::test]
async fn nulls_not_distinct_up_fails_on_null_duplicates_and_keeps_the_old_key() {
    let mut case = Case::new(NND_BEFORE, NND_AFTER).await;
    case.exec(r#"INSERT INTO "T" (id, a, b) VALUES (1, NULL, 'x'), (2, NULL, 'x'), (3, 1, 'x')"#)
        .await;
    let up = case.m.up.clone();
    let err = apply_sql(&mut case.client, &up)
        .await
        .expect_err("the new key rejects the rows");
    assert!(
        err.contains("could not create unique index \"uq_T_a_nzc_new\""),
        "{err}"
    );
    // The old key is still there and enforces, and so does the foreign key
    // over it; the rows are untouched.
    let now = introspect(&case.client).await;
    assert_eq!(
        now.tables["T"].constraints, case.before.tables["T"].constraints,
        "{now:#?}"
    );
    assert_eq!(
        now.tables["C"].constraints, case.before.tables["C"].constraints,
        "{now:#?}"
    );
    assert_eq!(
        insert_conflict(
            &case.client,
            r#"INSERT INTO "T" (id, a, b) VALUES (4, 1, 'x')"#
        )
        .await,
        Err(Some("uq_T_a".to_string()))
    );
    assert_eq!(
        case.rows(r#"SELECT count(*)::text FROM "T""#).await,
        table(&[&["3"]])
    );
}

#[tokio::test]
async fn tables_created_with_nulls_not_distinct_keys() {
    // CREATE TABLE keeps a UNIQUE NULLS NOT DISTINCT next to a plain UNIQUE
    // (or the primary key) of the same columns: they are different keys.
    let mut case = Case::new(
        "table T {\n  id int @pk\n}\n",
        r#"
table T {
  id int @pk
}
table U {
  id int   @pk @unique(nulls_not_distinct: true)
  a  int?
  b  int?  @unique(nulls_not_distinct: true)
  @@unique([a, b])
  @@unique([a, b], nulls_not_distinct: true, name: "uq_U_a_nnd")
  @@unique([b, a], nulls_not_distinct: true, name: "uq_U_b_a_nnd")
  @@unique([b, a], nulls_not_distinct: true, name: "uq_U_b_a_twin")
}
"#,
    )
    .await;
    let defs: Vec<(&str, &str)> = case.after.tables["U"]
        .constraints
        .iter()
        .map(|(n, c)| (n.as_str(), c.def.as_str()))
        .collect();
    assert_eq!(
        defs,
        [
            ("pk_U", "PRIMARY KEY (id)"),
            ("uq_U_a", "UNIQUE (a, b)"),
            ("uq_U_a_nnd", "UNIQUE NULLS NOT DISTINCT (a, b)"),
            ("uq_U_b", "UNIQUE NULLS NOT DISTINCT (b)"),
            ("uq_U_b_a_nnd", "UNIQUE NULLS NOT DISTINCT (b, a)"),
            ("uq_U_b_a_twin", "UNIQUE NULLS NOT DISTINCT (b, a)"),
            ("uq_U_id", "UNIQUE NULLS NOT DISTINCT (id)"),
        ]
    );
    assert!(
        case.m.up.contains(
            "ALTER TABLE \"U\" ADD CONSTRAINT \"uq_U_b_a_twin\" UNIQUE NULLS NOT DISTINCT (\"b\", \"a\");"
        ),
        "{}",
        case.m.up
    );
    case.up().await;
    case.down().await;
}

const KEY_BEFORE: &str = r#"
table T {
  id int @pk
  a  int
  b  int
  c  int
  @@unique([a, b])
}
table C {
  id int  @pk
  a  int?
  b  int?
  c  int?
  @@ref([a, b], T, [a, b])
}
"#;

/// KEY_BEFORE with the key (same name, `uq_T_a`) and the foreign key over it
/// on other columns.
const KEY_AFTER: &str = r#"
table T {
  id int @pk
  a  int
  b  int
  c  int
  @@unique([a, c])
}
table C {
  id int  @pk
  a  int?
  b  int?
  c  int?
  @@ref([a, c], T, [a, c])
}
"#;

#[tokio::test]
async fn a_key_redefined_under_its_name_is_swapped_in_with_its_foreign_key() {
    let mut case = Case::new(KEY_BEFORE, KEY_AFTER).await;
    // The new key is built beside the old one, then one transaction swaps
    // the key and the foreign key over it: neither ever goes missing.
    assert!(
        case.m.up.contains(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"uq_T_a_nzc_new\" ON \"T\" (\"a\", \"c\");"
        ),
        "{}",
        case.m.up
    );
    assert!(
        case.m.up.contains(
            "ALTER TABLE \"C\" DROP CONSTRAINT \"fk_C_a_T\";\n\nALTER TABLE \"T\" DROP CONSTRAINT \"uq_T_a\";\n\nALTER TABLE \"T\" ADD CONSTRAINT \"uq_T_a\" UNIQUE USING INDEX \"uq_T_a_nzc_new\";\n\nALTER TABLE \"C\" ADD CONSTRAINT \"fk_C_a_T\" FOREIGN KEY (\"a\", \"c\") REFERENCES \"T\" (\"a\", \"c\") NOT VALID;"
        ),
        "{}",
        case.m.up
    );
    assert_eq!(case.m.up.matches("DROP CONSTRAINT \"uq_T_a\"").count(), 1);
    assert_eq!(case.m.up.matches("DROP CONSTRAINT \"fk_C_a_T\"").count(), 1);
    case.exec(
        r#"INSERT INTO "T" (id, a, b, c) VALUES (1, 1, 1, 1), (2, 1, 2, 2);
           INSERT INTO "C" (id, a, b, c) VALUES (1, 1, 1, 1), (2, 1, 2, 2);"#,
    )
    .await;
    case.up().await;
    assert_eq!(
        case.after.tables["T"].constraints["uq_T_a"].def,
        "UNIQUE (a, c)"
    );
    assert_eq!(
        insert_conflict(
            &case.client,
            r#"INSERT INTO "T" (id, a, b, c) VALUES (3, 1, 9, 2)"#
        )
        .await,
        Err(Some("uq_T_a".to_string()))
    );
    assert_eq!(
        insert_conflict(
            &case.client,
            r#"INSERT INTO "C" (id, a, b, c) VALUES (3, 1, 1, 7)"#
        )
        .await,
        Err(Some("fk_C_a_T".to_string()))
    );
    case.down().await;
    assert_eq!(
        insert_conflict(
            &case.client,
            r#"INSERT INTO "T" (id, a, b, c) VALUES (4, 1, 1, 9)"#
        )
        .await,
        Err(Some("uq_T_a".to_string())),
        "the old key is back"
    );
}
