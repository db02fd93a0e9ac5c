//! `#[derive(NzcModel)]` / `#[derive(NzcEnum)]` against a real PostgreSQL:
//! every supported column type round-trips through `from_row` (and through
//! `ToSql` for the parameters), and database errors are classified.

mod common;

use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use common::TestDb;
use nzc::{ForeignKeyInfo, Model, PgEnum, UniqueKeyInfo};
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, nzc::NzcEnum,
)]
#[nzc(type_name = "Scope")]
pub enum Scope {
    #[nzc(rename = "scope 1")]
    #[serde(rename = "scope 1")]
    Scope1,
    Scope2,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, nzc::NzcModel)]
#[serde(rename_all = "camelCase")]
#[nzc(table = "Sample")]
#[nzc(unique(name = "uq_Sample_name", columns("name", "day")))]
pub struct Sample {
    #[nzc(primary_key, column = "sampleId")]
    pub sample_id: Uuid,
    #[nzc(column = "cityId", references = "City.cityId")]
    pub city_id: Option<Uuid>,
    pub name: String,
    pub notes: Option<String>,
    pub count: i32,
    pub total: Option<i64>,
    pub amount: Decimal,
    pub ratio: Option<Decimal>,
    pub day: NaiveDate,
    pub at: NaiveDateTime,
    pub misc: Option<serde_json::Value>,
    #[nzc(enum)]
    pub scope: Scope,
    #[nzc(enum, column = "altScope")]
    pub alt_scope: Option<Scope>,
    pub flag: bool,
    pub data: Option<Vec<u8>>,
    pub r#type: Option<String>,
}

const SCHEMA: &str = r#"
CREATE TYPE "Scope" AS ENUM ('scope 1', 'Scope2');
CREATE TYPE "Other" AS ENUM ('scope 1', 'Scope2');
CREATE TABLE "City" (
    "cityId" uuid NOT NULL,
    "cityName" character varying NOT NULL,
    CONSTRAINT "pk_City" PRIMARY KEY ("cityId")
);
CREATE TABLE "Sample" (
    "sampleId" uuid NOT NULL,
    "cityId" uuid,
    "name" character varying NOT NULL,
    "notes" text,
    "count" integer NOT NULL,
    "total" bigint,
    "amount" numeric NOT NULL,
    "ratio" numeric,
    "day" date NOT NULL,
    "at" timestamp without time zone NOT NULL,
    "misc" jsonb,
    "scope" "Scope" NOT NULL,
    "altScope" "Scope",
    "flag" boolean NOT NULL,
    "data" bytea,
    "type" character varying,
    CONSTRAINT "pk_Sample" PRIMARY KEY ("sampleId"),
    CONSTRAINT "uq_Sample_name" UNIQUE ("name", "day"),
    CONSTRAINT "fk_Sample_cityId_City" FOREIGN KEY ("cityId") REFERENCES "City" ("cityId"),
    CONSTRAINT "ck_Sample_count" CHECK ("count" >= 0)
);
"#;

const CITY_ID: &str = "6f1d0c7e-3b55-4b8e-9a51-0f8f5f0b7c11";
const SAMPLE_ID: &str = "0b7f4d7c-2a8c-4e5b-bd0e-2a1f6f0c9e42";

async fn setup(db: &TestDb) -> tokio_postgres::Client {
    let client = db.client().await;
    client.batch_execute(SCHEMA).await.unwrap();
    client
        .batch_execute(&format!(
            r#"INSERT INTO "City" ("cityId", "cityName") VALUES ('{CITY_ID}', 'Aarhus');"#
        ))
        .await
        .unwrap();
    client
}

fn full_sample() -> Sample {
    Sample {
        sample_id: Uuid::parse_str(SAMPLE_ID).unwrap(),
        city_id: Some(Uuid::parse_str(CITY_ID).unwrap()),
        name: "Ærø — \"quoted\" 'name'".to_string(),
        notes: Some(String::new()),
        count: 2_147_483_647,
        total: Some(-9_223_372_036_854_775_808),
        amount: Decimal::from_str("12345678901234.567890").unwrap(),
        ratio: Some(Decimal::from_str("-0.000001").unwrap()),
        day: NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
        at: NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_micro_opt(23, 59, 58, 123_456)
            .unwrap(),
        misc: Some(json!({"a": [1, 2.5, null, true], "b": {"c": "ü"}})),
        scope: Scope::Scope1,
        alt_scope: Some(Scope::Scope2),
        flag: true,
        data: Some(vec![0, 1, 2, 255]),
        r#type: Some("kind".to_string()),
    }
}

fn null_sample() -> Sample {
    Sample {
        sample_id: Uuid::new_v4(),
        city_id: None,
        name: "nulls".to_string(),
        notes: None,
        count: 0,
        total: None,
        amount: Decimal::ZERO,
        ratio: None,
        day: NaiveDate::from_ymd_opt(1999, 12, 31).unwrap(),
        at: NaiveDate::from_ymd_opt(1970, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
        misc: None,
        scope: Scope::Scope2,
        alt_scope: None,
        flag: false,
        data: None,
        r#type: None,
    }
}

/// Inserts with bind parameters (exercises `ToSql`, including the enum's).
async fn insert(client: &tokio_postgres::Client, s: &Sample) -> Result<u64, nzc::Error> {
    let columns = Sample::COLUMNS
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let params = (1..=Sample::COLUMNS.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("INSERT INTO \"Sample\" ({columns}) VALUES ({params})");
    Ok(client
        .execute(
            &sql,
            &[
                &s.sample_id,
                &s.city_id,
                &s.name,
                &s.notes,
                &s.count,
                &s.total,
                &s.amount,
                &s.ratio,
                &s.day,
                &s.at,
                &s.misc,
                &s.scope,
                &s.alt_scope,
                &s.flag,
                &s.data,
                &s.r#type,
            ],
        )
        .await?)
}

async fn fetch(client: &tokio_postgres::Client, id: Uuid) -> Sample {
    let row = client
        .query_one(r#"SELECT * FROM "Sample" WHERE "sampleId" = $1"#, &[&id])
        .await
        .unwrap();
    Sample::from_row(&row).unwrap()
}

#[tokio::test]
async fn row_written_in_sql_reads_back_exactly() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    client
        .batch_execute(&format!(
            r#"INSERT INTO "Sample" VALUES (
                '{SAMPLE_ID}', '{CITY_ID}', 'Ærø — "quoted" ''name''', '',
                2147483647, -9223372036854775808,
                12345678901234.567890, -0.000001,
                '2024-02-29', '2024-02-29 23:59:58.123456',
                '{{"b": {{"c": "ü"}}, "a": [1, 2.5, null, true]}}',
                'scope 1', 'Scope2', true, '\x000102ff', 'kind'
            );"#
        ))
        .await
        .unwrap();
    let got = fetch(&client, Uuid::parse_str(SAMPLE_ID).unwrap()).await;
    let want = full_sample();
    assert_eq!(got, want);
    // Decimal equality is numeric; the scale must survive too.
    assert_eq!(got.amount.to_string(), "12345678901234.567890");
    assert_eq!(got.ratio.unwrap().to_string(), "-0.000001");
    // Through the trait as well.
    let row = client
        .query_one(r#"SELECT * FROM "Sample""#, &[])
        .await
        .unwrap();
    assert_eq!(<Sample as Model>::from_row(&row).unwrap(), want);
}

#[tokio::test]
async fn rows_written_with_parameters_read_back_exactly() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    for s in [full_sample(), null_sample()] {
        assert_eq!(insert(&client, &s).await.unwrap(), 1);
        assert_eq!(fetch(&client, s.sample_id).await, s);
    }
    // What the server stored, as text: the enum labels and the NULLs.
    let row = client
        .query_one(
            r#"SELECT "scope"::text, "altScope"::text, "misc" IS NULL AS m FROM "Sample" WHERE "name" = 'nulls'"#,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, &str>(0), "Scope2");
    assert_eq!(row.get::<_, Option<&str>>(1), None);
    assert!(row.get::<_, bool>(2));
}

#[test]
fn model_metadata() {
    assert_eq!(Sample::TABLE, "Sample");
    assert_eq!(
        Sample::COLUMNS,
        [
            "sampleId", "cityId", "name", "notes", "count", "total", "amount", "ratio", "day",
            "at", "misc", "scope", "altScope", "flag", "data", "type"
        ]
    );
    assert_eq!(Sample::PRIMARY_KEY, ["sampleId"]);
    assert_eq!(<Sample as Model>::TABLE, "Sample");
    assert_eq!(<Sample as Model>::COLUMNS, Sample::COLUMNS);
    assert_eq!(<Sample as Model>::PRIMARY_KEY, ["sampleId"]);
    assert_eq!(
        <Sample as Model>::FOREIGN_KEYS,
        [ForeignKeyInfo {
            name: "fk_Sample_cityId_City",
            columns: &["cityId"],
            ref_table: "City",
            ref_columns: &["cityId"],
        }]
    );
    assert_eq!(
        <Sample as Model>::UNIQUE_KEYS,
        [UniqueKeyInfo {
            name: "uq_Sample_name",
            columns: &["name", "day"],
            nulls_not_distinct: false,
        }]
    );
}

/// A composite primary key and foreign key declared on the struct.
#[derive(Debug, nzc::NzcModel)]
#[nzc(table = "PairLink")]
#[nzc(primary_key("b", "a"))]
#[nzc(foreign_key(
    name = "fk_PairLink_a_Pair",
    columns("a", "b"),
    references = "Pair",
    ref_columns("x", "y")
))]
#[nzc(unique(columns("label")))]
pub struct PairLink {
    pub a: Uuid,
    pub b: i64,
    #[nzc(
        column = "parentId",
        references = "PairLink.a",
        foreign_key_name = "fk_PairLink_parent"
    )]
    pub parent_id: Option<Uuid>,
    pub label: String,
}

#[test]
fn composite_key_metadata() {
    assert_eq!(PairLink::PRIMARY_KEY, ["b", "a"]);
    assert_eq!(
        <PairLink as Model>::FOREIGN_KEYS,
        [
            ForeignKeyInfo {
                name: "fk_PairLink_a_Pair",
                columns: &["a", "b"],
                ref_table: "Pair",
                ref_columns: &["x", "y"],
            },
            ForeignKeyInfo {
                name: "fk_PairLink_parent",
                columns: &["parentId"],
                ref_table: "PairLink",
                ref_columns: &["a"],
            },
        ]
    );
    assert_eq!(
        <PairLink as Model>::UNIQUE_KEYS,
        [UniqueKeyInfo {
            name: "uq_PairLink_label",
            columns: &["label"],
            nulls_not_distinct: false,
        }]
    );
}

#[test]
fn enum_strings() {
    assert_eq!(Scope::TYPE_NAME, "Scope");
    assert_eq!(Scope::VALUES, ["scope 1", "Scope2"]);
    assert_eq!(Scope::Scope1.as_str(), "scope 1");
    assert_eq!(
        format!("{}|{:>8}|", Scope::Scope1, Scope::Scope2),
        "scope 1|  Scope2|"
    );
    assert_eq!("Scope2".parse::<Scope>(), Ok(Scope::Scope2));
    let err = "Scope1".parse::<Scope>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "`Scope1` is not a value of enum `Scope` (expected one of: `scope 1`, `Scope2`)"
    );
    assert_eq!(
        <Scope as PgEnum>::from_value("scope 1"),
        Some(Scope::Scope1)
    );
    // serde is independent of the derive.
    assert_eq!(
        serde_json::to_string(&Scope::Scope1).unwrap(),
        "\"scope 1\""
    );
}

#[tokio::test]
async fn enum_accepts_its_type_and_text_only() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    let row = client
        .query_one(
            r#"SELECT 'scope 1'::"Scope" AS e, 'Scope2'::text AS t, 'Scope2'::varchar AS v, 'scope 1'::"Other" AS o, 'nope'::text AS bad"#,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.try_get::<_, Scope>("e").unwrap(), Scope::Scope1);
    assert_eq!(row.try_get::<_, Scope>("t").unwrap(), Scope::Scope2);
    assert_eq!(row.try_get::<_, Scope>("v").unwrap(), Scope::Scope2);
    let other = row.try_get::<_, Scope>("o").unwrap_err();
    assert!(
        other.to_string().contains("deserializing column"),
        "{other}"
    );
    let bad = row.try_get::<_, Scope>("bad").unwrap_err();
    assert!(
        std::error::Error::source(&bad)
            .unwrap()
            .to_string()
            .contains("`nope` is not a value of enum `Scope`"),
        "{bad:?}"
    );
    // As a parameter: to the enum type and to text; not to another enum type.
    let row = client
        .query_one(
            r#"SELECT $1::"Scope"::text, $2::text"#,
            &[&Scope::Scope1, &Scope::Scope2],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, &str>(0), "scope 1");
    assert_eq!(row.get::<_, &str>(1), "Scope2");
    let err = client
        .query_one(r#"SELECT $1::"Other""#, &[&Scope::Scope1])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("serializing parameter"), "{err}");
}

#[tokio::test]
async fn decode_errors_name_the_column() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    insert(&client, &null_sample()).await.unwrap();

    // A column missing from the row.
    let row = client
        .query_one(r#"SELECT "sampleId" FROM "Sample""#, &[])
        .await
        .unwrap();
    match Sample::from_row(&row) {
        Err(nzc::Error::Decode { column, .. }) => assert_eq!(column, "cityId"),
        other => panic!("expected Decode, got {other:?}"),
    }

    // NULL into a non-Option field.
    let row = client
        .query_one(r#"SELECT s.*, NULL::text AS "x" FROM "Sample" s"#, &[])
        .await
        .unwrap();
    assert!(Sample::from_row(&row).is_ok());
    let row = client
        .query_one(
            r#"SELECT "sampleId", "cityId", NULL::varchar AS "name", "notes", "count", "total", "amount", "ratio", "day", "at", "misc", "scope", "altScope", "flag", "data", "type" FROM "Sample""#,
            &[],
        )
        .await
        .unwrap();
    let err = Sample::from_row(&row).unwrap_err();
    assert!(
        matches!(&err, nzc::Error::Decode { column, .. } if column == "name"),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("cannot decode column `name`"),
        "{err}"
    );

    // A column of the wrong type.
    let row = client
        .query_one(
            r#"SELECT "sampleId", "cityId", "name", "notes", "count"::bigint AS "count", "total", "amount", "ratio", "day", "at", "misc", "scope", "altScope", "flag", "data", "type" FROM "Sample""#,
            &[],
        )
        .await
        .unwrap();
    let err = Sample::from_row(&row).unwrap_err();
    assert!(
        matches!(&err, nzc::Error::Decode { column, .. } if column == "count"),
        "{err:?}"
    );
}

#[tokio::test]
async fn constraint_violations_are_classified() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    let first = full_sample();
    insert(&client, &first).await.unwrap();

    // Same (name, day): unique violation.
    let dup = Sample {
        sample_id: Uuid::new_v4(),
        ..first.clone()
    };
    match insert(&client, &dup).await {
        Err(nzc::Error::UniqueViolation {
            constraint,
            message,
        }) => {
            assert_eq!(constraint.as_deref(), Some("uq_Sample_name"));
            assert!(message.contains("uq_Sample_name"), "{message}");
        }
        other => panic!("expected UniqueViolation, got {other:?}"),
    }

    // Same primary key: unique violation on the primary key.
    let same_pk = Sample {
        name: "other".into(),
        ..first.clone()
    };
    let err = insert(&client, &same_pk).await.unwrap_err();
    assert!(matches!(err, nzc::Error::UniqueViolation { .. }), "{err:?}");
    assert_eq!(err.constraint(), Some("pk_Sample"));

    // Unknown city: foreign key violation.
    let orphan = Sample {
        sample_id: Uuid::new_v4(),
        city_id: Some(Uuid::new_v4()),
        name: "orphan".into(),
        ..first.clone()
    };
    match insert(&client, &orphan).await {
        Err(nzc::Error::ForeignKeyViolation {
            constraint,
            message,
        }) => {
            assert_eq!(constraint.as_deref(), Some("fk_Sample_cityId_City"));
            assert!(message.contains("fk_Sample_cityId_City"), "{message}");
        }
        other => panic!("expected ForeignKeyViolation, got {other:?}"),
    }

    // Negative count: check violation.
    let negative = Sample {
        sample_id: Uuid::new_v4(),
        name: "negative".into(),
        count: -1,
        ..first.clone()
    };
    let err = insert(&client, &negative).await.unwrap_err();
    assert!(matches!(err, nzc::Error::CheckViolation { .. }), "{err:?}");
    assert_eq!(err.constraint(), Some("ck_Sample_count"));

    // NULL name: not-null violation, naming the column.
    let err: nzc::Error = client
        .execute(
            r#"INSERT INTO "Sample" ("sampleId", "name", "count", "amount", "day", "at", "scope", "flag")
               VALUES (gen_random_uuid(), NULL, 1, 1, now(), now(), 'Scope2', false)"#,
            &[],
        )
        .await
        .unwrap_err()
        .into();
    match &err {
        nzc::Error::NotNullViolation { column, .. } => assert_eq!(column.as_deref(), Some("name")),
        other => panic!("expected NotNullViolation, got {other:?}"),
    }

    // Anything else: Database, with its SQLSTATE.
    let err: nzc::Error = client.execute("SELECT 1/0", &[]).await.unwrap_err().into();
    assert!(matches!(err, nzc::Error::Database(_)), "{err:?}");
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::DIVISION_BY_ZERO)
    );
}

#[tokio::test]
async fn lost_connection_is_classified() {
    let db = TestDb::new().await;
    let client = db.client().await;
    let pid: i32 = client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let admin = db.client().await;
    admin
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap();
    // The first query after the kill may see the server's FATAL 57P01 or a
    // closed connection; both are Connection, and so is everything after.
    for _ in 0..2 {
        let err: nzc::Error = client.execute("SELECT 1", &[]).await.unwrap_err().into();
        assert!(err.is_connection(), "{err:?}");
    }
}
