//! The query methods of `#[derive(NzcModel)]` against a real PostgreSQL, on
//! hand-written models: insert / insert_many / get / update / delete / list /
//! upsert, `find_by_…` / `upsert_by_…` of a unique constraint, composite keys,
//! every supported column type round-tripping exactly (through parameters and
//! through binary COPY), error classification, and transactions.

mod common;

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use common::TestDb;
use nzc::{GenericClient, Model};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, nzc::NzcEnum)]
#[nzc(type_name = "Scope")]
pub enum Scope {
    #[nzc(rename = "scope 1")]
    Scope1,
    Scope2,
}

#[derive(Debug, Clone, PartialEq, nzc::NzcModel)]
#[nzc(table = "City")]
pub struct City {
    #[nzc(primary_key, column = "cityId")]
    pub city_id: Uuid,
    #[nzc(column = "cityName")]
    pub city_name: String,
    pub country: String,
    pub locode: Option<String>,
    #[nzc(column = "areaKm2")]
    pub area_km2: Option<Decimal>,
    pub population: Option<i64>,
    pub founded: Option<NaiveDate>,
    pub misc: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, nzc::NzcModel)]
#[nzc(table = "EmissionRecord")]
#[nzc(unique(
    name = "uq_EmissionRecord_key",
    columns("cityId", "year", "sectorId", "scope")
))]
pub struct EmissionRecord {
    #[nzc(primary_key, column = "emissionRecordId")]
    pub id: Uuid,
    #[nzc(
        column = "cityId",
        references = "City.cityId",
        foreign_key_name = "fk_EmissionRecord_cityId_City"
    )]
    pub city_id: Option<Uuid>,
    pub year: i32,
    #[nzc(column = "sectorId")]
    pub sector_id: Option<Uuid>,
    #[nzc(enum)]
    pub scope: Scope,
    pub value: Decimal,
    #[nzc(column = "recordedAt")]
    pub recorded_at: NaiveDateTime,
    pub notes: Option<String>,
    pub misc: Option<Value>,
}

/// A composite primary key, declared in an order other than the fields'.
#[derive(Debug, Clone, PartialEq, nzc::NzcModel)]
#[nzc(table = "CityYear", primary_key("year", "cityId"))]
pub struct CityYear {
    #[nzc(column = "cityId", references = "City.cityId")]
    pub city_id: Uuid,
    pub year: i32,
    pub note: Option<String>,
}

/// Every Rust type of the type table, NOT NULL and nullable, and an enum.
#[derive(Debug, Clone, PartialEq, nzc::NzcModel)]
#[nzc(table = "AllTypes")]
pub struct AllTypes {
    #[nzc(primary_key)]
    pub id: Uuid,
    pub s_varchar: String,
    pub s_text: Option<String>,
    pub s_char: Option<String>,
    pub i2: i16,
    pub i4: Option<i32>,
    pub i8: Option<i64>,
    pub num: Decimal,
    pub num_opt: Option<Decimal>,
    pub f4: f32,
    pub f8: Option<f64>,
    pub b: Option<bool>,
    pub d: Option<NaiveDate>,
    pub t: Option<NaiveTime>,
    pub ts: Option<NaiveDateTime>,
    pub tstz: Option<DateTime<Utc>>,
    pub bytes: Option<Vec<u8>>,
    pub jb: Option<Value>,
    /// A `json` (not `jsonb`) column.
    pub js: Option<Value>,
    #[nzc(enum)]
    pub e: Scope,
    #[nzc(enum)]
    pub e_opt: Option<Scope>,
}

const SCHEMA: &str = r#"
CREATE TYPE "Scope" AS ENUM ('scope 1', 'Scope2');
CREATE TABLE "City" (
    "cityId" uuid NOT NULL,
    "cityName" character varying NOT NULL,
    "country" character varying(2) NOT NULL,
    "locode" character varying,
    "areaKm2" numeric,
    "population" bigint,
    "founded" date,
    "misc" jsonb,
    CONSTRAINT "pk_City" PRIMARY KEY ("cityId"),
    CONSTRAINT "ck_City_population" CHECK ("population" >= 0)
);
CREATE TABLE "EmissionRecord" (
    "emissionRecordId" uuid NOT NULL,
    "cityId" uuid,
    "year" integer NOT NULL,
    "sectorId" uuid,
    "scope" "Scope" NOT NULL,
    "value" numeric NOT NULL,
    "recordedAt" timestamp without time zone NOT NULL,
    "notes" text,
    "misc" jsonb,
    CONSTRAINT "pk_EmissionRecord" PRIMARY KEY ("emissionRecordId"),
    CONSTRAINT "uq_EmissionRecord_key" UNIQUE ("cityId", "year", "sectorId", "scope"),
    CONSTRAINT "fk_EmissionRecord_cityId_City" FOREIGN KEY ("cityId") REFERENCES "City" ("cityId")
);
CREATE TABLE "CityYear" (
    "cityId" uuid NOT NULL,
    "year" integer NOT NULL,
    "note" text,
    CONSTRAINT "pk_CityYear" PRIMARY KEY ("year", "cityId"),
    CONSTRAINT "fk_CityYear_cityId_City" FOREIGN KEY ("cityId") REFERENCES "City" ("cityId")
);
CREATE TABLE "AllTypes" (
    "id" uuid PRIMARY KEY,
    "s_varchar" character varying(40) NOT NULL,
    "s_text" text,
    "s_char" character(3),
    "i2" smallint NOT NULL,
    "i4" integer,
    "i8" bigint,
    "num" numeric NOT NULL,
    "num_opt" numeric(12,4),
    "f4" real NOT NULL,
    "f8" double precision,
    "b" boolean,
    "d" date,
    "t" time without time zone,
    "ts" timestamp without time zone,
    "tstz" timestamp with time zone,
    "bytes" bytea,
    "jb" jsonb,
    "js" json,
    "e" "Scope" NOT NULL,
    "e_opt" "Scope"
);
"#;

async fn setup(db: &TestDb) -> tokio_postgres::Client {
    let client = db.client().await;
    client.batch_execute(SCHEMA).await.unwrap();
    client
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn paris() -> City {
    City {
        city_id: id(1),
        city_name: "Paris — \"quoted\" 'name'".into(),
        country: "FR".into(),
        locode: Some("FRPAR".into()),
        area_km2: Some(Decimal::from_str("105.4000").unwrap()),
        population: Some(2_102_650),
        founded: NaiveDate::from_ymd_opt(-250, 1, 1),
        misc: Some(json!({"tags": ["capital", null, 1.5], "nested": {"ü": true}})),
    }
}

fn bare_city(n: u128, name: &str) -> City {
    City {
        city_id: id(n),
        city_name: name.into(),
        country: "DK".into(),
        locode: None,
        area_km2: None,
        population: None,
        founded: None,
        misc: None,
    }
}

fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_micro_opt(12, 34, 56, 789_012)
        .unwrap()
}

fn record(n: u128, city: Option<Uuid>, year: i32, sector: Option<Uuid>) -> EmissionRecord {
    EmissionRecord {
        id: id(1000 + n),
        city_id: city,
        year,
        sector_id: sector,
        scope: Scope::Scope1,
        value: Decimal::from_str("1234.5600").unwrap(),
        recorded_at: at(2024, 2, 29),
        notes: None,
        misc: None,
    }
}

fn full_all_types() -> AllTypes {
    AllTypes {
        id: id(7),
        s_varchar: "Ærø — \"q\" 'x' \\ %_".into(),
        s_text: Some(String::new()),
        s_char: Some("abc".into()),
        i2: i16::MIN,
        i4: Some(i32::MAX),
        i8: Some(i64::MIN),
        num: Decimal::from_str("12345678901234.567890").unwrap(),
        num_opt: Some(Decimal::from_str("-0.0001").unwrap()),
        f4: 1.5,
        f8: Some(-2.25e-300),
        b: Some(false),
        d: NaiveDate::from_ymd_opt(2024, 2, 29),
        t: NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999),
        ts: Some(at(1970, 1, 1)),
        tstz: Some(at(2038, 1, 19).and_utc()),
        bytes: Some(vec![0, 1, 2, 255]),
        jb: Some(json!({"a": [1, 2.5, null, true], "b": {"c": "ü"}, "n": 12345678901234_i64})),
        js: Some(json!({"keep": "json", "x": [1, 2]})),
        e: Scope::Scope1,
        e_opt: Some(Scope::Scope2),
    }
}

fn null_all_types() -> AllTypes {
    AllTypes {
        id: id(8),
        s_varchar: String::new(),
        s_text: None,
        s_char: None,
        i2: 0,
        i4: None,
        i8: None,
        num: Decimal::ZERO,
        num_opt: None,
        f4: 0.0,
        f8: None,
        b: None,
        d: None,
        t: None,
        ts: None,
        tstz: None,
        bytes: None,
        jb: None,
        js: None,
        e: Scope::Scope2,
        e_opt: None,
    }
}

async fn count(client: &tokio_postgres::Client, table: &str) -> i64 {
    client
        .query_one(&format!("SELECT count(*) FROM \"{table}\""), &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn insert_get_update_delete_list() {
    let db = TestDb::new().await;
    let client = setup(&db).await;

    let mut city = paris();
    city.insert(&client).await.unwrap();
    let got = City::get(&client, city.city_id).await.unwrap();
    assert_eq!(got.as_ref(), Some(&city));
    // NUMERIC keeps its scale; the key may be borrowed too.
    let got = City::get(&client, &city.city_id).await.unwrap().unwrap();
    assert_eq!(got.area_km2.unwrap().to_string(), "105.4000");
    assert_eq!(City::get(&client, id(99)).await.unwrap(), None);

    city.city_name = "Paris".into();
    city.locode = None;
    city.misc = Some(json!([]));
    assert!(city.update(&client).await.unwrap());
    assert_eq!(
        City::get(&client, city.city_id).await.unwrap(),
        Some(city.clone())
    );
    assert!(!bare_city(99, "nowhere").update(&client).await.unwrap());
    assert_eq!(count(&client, "City").await, 1);

    // `list` is ordered by primary key, whatever the insertion order.
    for (n, name) in [(5, "e"), (3, "c"), (4, "d")] {
        bare_city(n, name).insert(&client).await.unwrap();
    }
    let ids: Vec<Uuid> = City::list(&client)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.city_id)
        .collect();
    assert_eq!(ids, [id(1), id(3), id(4), id(5)]);

    assert!(City::delete(&client, id(3)).await.unwrap());
    assert!(!City::delete(&client, id(3)).await.unwrap());
    assert_eq!(City::get(&client, id(3)).await.unwrap(), None);
    assert_eq!(count(&client, "City").await, 3);
}

#[tokio::test]
async fn every_type_round_trips_through_parameters_and_copy() {
    let db = TestDb::new().await;
    let client = setup(&db).await;

    // Parameters (insert), then read back.
    for row in [full_all_types(), null_all_types()] {
        row.insert(&client).await.unwrap();
        assert_eq!(AllTypes::get(&client, row.id).await.unwrap(), Some(row));
    }
    // Binary COPY (insert_many), with the same values under other keys.
    let copied: Vec<AllTypes> = [full_all_types(), null_all_types()]
        .into_iter()
        .map(|mut r| {
            r.id = id(r.id.as_u128() + 100);
            r
        })
        .collect();
    assert_eq!(AllTypes::insert_many(&client, &copied).await.unwrap(), 2);
    for row in &copied {
        assert_eq!(
            AllTypes::get(&client, row.id).await.unwrap().as_ref(),
            Some(row)
        );
    }

    // What the server stored, as text: exact values, NULLs, json kept as json.
    let row = client
        .query_one(
            r#"SELECT "num"::text, "num_opt"::text, "ts"::text, "tstz" AT TIME ZONE 'UTC' AS tstz,
                      "e"::text, "js"::text, "js" IS NULL AS js_null, pg_typeof("js")::text
               FROM "AllTypes" WHERE "id" = $1"#,
            &[&id(107)],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, &str>(0), "12345678901234.567890");
    assert_eq!(row.get::<_, &str>(1), "-0.0001");
    assert_eq!(row.get::<_, &str>(2), "1970-01-01 12:34:56.789012");
    assert_eq!(row.get::<_, NaiveDateTime>(3), at(2038, 1, 19));
    assert_eq!(row.get::<_, &str>(4), "scope 1");
    assert_eq!(
        serde_json::from_str::<Value>(row.get::<_, &str>(5)).unwrap(),
        json!({"keep": "json", "x": [1, 2]})
    );
    assert!(!row.get::<_, bool>(6));
    assert_eq!(row.get::<_, &str>(7), "json");
    let nulls: i64 = client
        .query_one(
            r#"SELECT count(*) FROM "AllTypes" WHERE "id" = ANY($1)
               AND "s_text" IS NULL AND "i4" IS NULL AND "jb" IS NULL AND "js" IS NULL AND "e_opt" IS NULL"#,
            &[&vec![id(8), id(108)]],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(nulls, 2);

    // Update and upsert bind every type too.
    let mut changed = null_all_types();
    changed.jb = Some(json!({"now": "set"}));
    changed.e_opt = Some(Scope::Scope1);
    changed.tstz = Some(at(2000, 1, 1).and_utc());
    assert!(changed.update(&client).await.unwrap());
    assert_eq!(
        AllTypes::get(&client, id(8)).await.unwrap(),
        Some(changed.clone())
    );
    changed.js = Some(json!(null));
    assert_eq!(changed.upsert(&client).await.unwrap(), changed);
}

#[tokio::test]
async fn composite_primary_key() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    assert_eq!(CityYear::PRIMARY_KEY, ["year", "cityId"]);
    paris().insert(&client).await.unwrap();
    let c = id(1);
    let mut rows: Vec<CityYear> = [2031, 2030, 2029]
        .into_iter()
        .map(|year| CityYear {
            city_id: c,
            year,
            note: None,
        })
        .collect();
    for r in &rows {
        r.insert(&client).await.unwrap();
    }
    // The key is a tuple in key order: (year, cityId).
    let key: <CityYear as Model>::Key = (2030, c);
    assert_eq!(
        CityYear::get(&client, key).await.unwrap().as_ref(),
        Some(&rows[1])
    );
    assert_eq!(CityYear::get(&client, (2030, id(2))).await.unwrap(), None);

    rows[1].note = Some("halfway".into());
    assert!(rows[1].update(&client).await.unwrap());
    assert_eq!(
        CityYear::get(&client, &key).await.unwrap().as_ref(),
        Some(&rows[1])
    );

    let years: Vec<i32> = CityYear::list(&client)
        .await
        .unwrap()
        .iter()
        .map(|r| r.year)
        .collect();
    assert_eq!(years, [2029, 2030, 2031]);

    rows[0].note = Some("upserted".into());
    assert_eq!(rows[0].upsert(&client).await.unwrap(), rows[0]);
    assert_eq!(count(&client, "CityYear").await, 3);

    assert!(CityYear::delete(&client, (2031, c)).await.unwrap());
    assert!(!CityYear::delete(&client, (2031, c)).await.unwrap());
    assert_eq!(count(&client, "CityYear").await, 2);
}

#[tokio::test]
async fn upsert_on_the_primary_key() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    let mut city = paris();
    assert_eq!(city.upsert(&client).await.unwrap(), city);
    city.population = Some(1);
    city.misc = None;
    let stored = city.upsert(&client).await.unwrap();
    assert_eq!(stored, city);
    assert_eq!(City::get(&client, city.city_id).await.unwrap(), Some(city));
    assert_eq!(count(&client, "City").await, 1);
}

#[tokio::test]
async fn find_by_and_upsert_by_a_unique_constraint() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    paris().insert(&client).await.unwrap();
    let (city, sector) = (Some(id(1)), Some(id(50)));

    let first = record(1, city, 2024, sector);
    assert_eq!(
        first
            .upsert_by_city_id_year_sector_id_scope(&client)
            .await
            .unwrap(),
        first
    );

    // Found by its key values: `T` or `Option<T>` for a nullable column.
    let found = EmissionRecord::find_by_city_id_year_sector_id_scope(
        &client,
        id(1),
        2024,
        sector,
        Scope::Scope1,
    )
    .await
    .unwrap();
    assert_eq!(found.as_ref(), Some(&first));
    let missing = EmissionRecord::find_by_city_id_year_sector_id_scope(
        &client,
        city,
        2024,
        sector,
        Scope::Scope2,
    )
    .await
    .unwrap();
    assert_eq!(missing, None);

    // Re-running with a fresh primary key updates the existing row (and keeps
    // its key): no duplicate.
    let mut again = record(2, city, 2024, sector);
    again.value = Decimal::from_str("99.5").unwrap();
    again.notes = Some("re-extracted".into());
    let stored = again
        .upsert_by_city_id_year_sector_id_scope(&client)
        .await
        .unwrap();
    assert_eq!(stored.id, first.id);
    assert_eq!(stored.value, again.value);
    assert_eq!(stored.notes, again.notes);
    assert_eq!(count(&client, "EmissionRecord").await, 1);

    // NULL in a key column: find_by matches it (IS NOT DISTINCT FROM)…
    let no_sector = record(3, city, 2024, None);
    no_sector.insert(&client).await.unwrap();
    let found = EmissionRecord::find_by_city_id_year_sector_id_scope(
        &client,
        city,
        2024,
        None,
        Scope::Scope1,
    )
    .await
    .unwrap();
    assert_eq!(found.as_ref(), Some(&no_sector));
    // …and so does upsert_by: PostgreSQL never sees a conflict on NULL (NULLs
    // are distinct), so upsert_by updates the NULL-safe match itself instead
    // of inserting the row again.
    let mut dup = record(4, city, 2024, None);
    dup.notes = Some("re-extracted, no sector".into());
    let stored = dup
        .upsert_by_city_id_year_sector_id_scope(&client)
        .await
        .unwrap();
    assert_eq!(stored.id, no_sector.id);
    assert_eq!(stored.notes, dup.notes);
    assert_eq!(count(&client, "EmissionRecord").await, 2);
    // A NULL-keyed row that matches nothing is inserted, once.
    let next_year = record(6, city, 2025, None);
    for _ in 0..2 {
        assert_eq!(
            next_year
                .upsert_by_city_id_year_sector_id_scope(&client)
                .await
                .unwrap(),
            next_year
        );
    }
    assert_eq!(count(&client, "EmissionRecord").await, 3);
    // With NULLS NOT DISTINCT (PostgreSQL 15+) NULLs conflict in PostgreSQL
    // too (which makes concurrent upserts of NULL-keyed rows safe), and
    // upsert_by still updates.
    client
        .batch_execute(
            r#"ALTER TABLE "EmissionRecord" DROP CONSTRAINT "uq_EmissionRecord_key";
               ALTER TABLE "EmissionRecord" ADD CONSTRAINT "uq_EmissionRecord_key"
                   UNIQUE NULLS NOT DISTINCT ("cityId", "year", "sectorId", "scope");"#,
        )
        .await
        .unwrap();
    let mut third = record(5, city, 2024, None);
    third.notes = Some("nulls not distinct".into());
    let stored = third
        .upsert_by_city_id_year_sector_id_scope(&client)
        .await
        .unwrap();
    assert_eq!(stored.id, no_sector.id);
    assert_eq!(stored.notes, third.notes);
    assert_eq!(count(&client, "EmissionRecord").await, 3);
    let err = record(7, city, 2024, None)
        .insert(&client)
        .await
        .unwrap_err();
    assert_eq!(err.constraint(), Some("uq_EmissionRecord_key"));
}

#[tokio::test]
async fn insert_many_ten_thousand_rows() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    paris().insert(&client).await.unwrap();
    let rows: Vec<EmissionRecord> = (0..10_000)
        .map(|i| {
            let mut r = record(i, Some(id(1)), i as i32, None);
            r.scope = if i % 2 == 0 {
                Scope::Scope1
            } else {
                Scope::Scope2
            };
            r.value = Decimal::new(i as i64 * 7 + 1, (i % 5) as u32);
            r.recorded_at = at(
                2000 + (i % 50) as i32,
                1 + (i % 12) as u32,
                1 + (i % 28) as u32,
            );
            r.notes = (i % 3 == 0).then(|| format!("note {i}"));
            r.misc = (i % 4 == 0).then(|| json!({"i": i, "s": format!("v{i}")}));
            r
        })
        .collect();
    assert_eq!(
        EmissionRecord::insert_many(&client, &rows).await.unwrap(),
        10_000
    );
    assert_eq!(count(&client, "EmissionRecord").await, 10_000);
    // Every row as it was (ids are increasing, so list order = input order).
    assert_eq!(EmissionRecord::list(&client).await.unwrap(), rows);
    assert_eq!(EmissionRecord::insert_many(&client, &[]).await.unwrap(), 0);
}

#[tokio::test]
async fn insert_many_is_all_or_nothing() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    paris().insert(&client).await.unwrap();
    let mut rows: Vec<EmissionRecord> = (0..1_000)
        .map(|i| record(i, Some(id(1)), i as i32, None))
        .collect();

    // One duplicate primary key, late in the batch.
    rows[900].id = rows[10].id;
    let err = EmissionRecord::insert_many(&client, &rows)
        .await
        .unwrap_err();
    assert!(matches!(err, nzc::Error::UniqueViolation { .. }), "{err:?}");
    assert_eq!(err.constraint(), Some("pk_EmissionRecord"));
    assert_eq!(count(&client, "EmissionRecord").await, 0);

    // One unknown city.
    rows[900].id = id(5_000_000);
    rows[500].city_id = Some(id(404));
    let err = EmissionRecord::insert_many(&client, &rows)
        .await
        .unwrap_err();
    assert!(
        matches!(err, nzc::Error::ForeignKeyViolation { .. }),
        "{err:?}"
    );
    assert_eq!(err.constraint(), Some("fk_EmissionRecord_cityId_City"));
    assert_eq!(count(&client, "EmissionRecord").await, 0);

    // The connection is usable afterwards, and the fixed batch goes in.
    rows[500].city_id = Some(id(1));
    assert_eq!(
        EmissionRecord::insert_many(&client, &rows).await.unwrap(),
        1_000
    );
}

#[tokio::test]
async fn violations_are_classified_with_the_constraint_name() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    let city = paris();
    city.insert(&client).await.unwrap();

    let err = city.insert(&client).await.unwrap_err();
    assert!(matches!(err, nzc::Error::UniqueViolation { .. }), "{err:?}");
    assert_eq!(err.constraint(), Some("pk_City"));

    let r = record(1, Some(city.city_id), 2024, Some(id(50)));
    r.insert(&client).await.unwrap();
    let err = record(2, Some(city.city_id), 2024, Some(id(50)))
        .insert(&client)
        .await
        .unwrap_err();
    match &err {
        nzc::Error::UniqueViolation { constraint, .. } => {
            assert_eq!(constraint.as_deref(), Some("uq_EmissionRecord_key"))
        }
        other => panic!("expected UniqueViolation, got {other:?}"),
    }

    let err = record(3, Some(id(404)), 2024, None)
        .insert(&client)
        .await
        .unwrap_err();
    assert!(
        matches!(err, nzc::Error::ForeignKeyViolation { .. }),
        "{err:?}"
    );
    assert_eq!(err.constraint(), Some("fk_EmissionRecord_cityId_City"));

    // Deleting a referenced row, and updating into a violation.
    let err = City::delete(&client, city.city_id).await.unwrap_err();
    assert_eq!(err.constraint(), Some("fk_EmissionRecord_cityId_City"));
    let mut negative = city.clone();
    negative.population = Some(-1);
    let err = negative.update(&client).await.unwrap_err();
    assert!(matches!(err, nzc::Error::CheckViolation { .. }), "{err:?}");
    assert_eq!(err.constraint(), Some("ck_City_population"));
    let err = negative.upsert(&client).await.unwrap_err();
    assert_eq!(err.constraint(), Some("ck_City_population"));
}

/// Application code written once against any client.
async fn load(
    db: &impl GenericClient,
    city: &City,
    records: &[EmissionRecord],
) -> nzc::Result<u64> {
    city.upsert(db).await?;
    EmissionRecord::insert_many(db, records).await
}

#[tokio::test]
async fn a_transaction_rolls_back_and_commits() {
    let db = TestDb::new().await;
    let mut client = setup(&db).await;
    let city = paris();
    let records: Vec<EmissionRecord> = (0..10)
        .map(|i| record(i, Some(city.city_id), 2000 + i as i32, None))
        .collect();

    let tx = client.transaction().await.unwrap();
    assert_eq!(load(&tx, &city, &records).await.unwrap(), 10);
    // Visible inside the transaction, through every method.
    assert_eq!(
        City::get(&tx, city.city_id).await.unwrap().as_ref(),
        Some(&city)
    );
    assert_eq!(EmissionRecord::list(&tx).await.unwrap().len(), 10);
    assert_eq!(
        EmissionRecord::query()
            .filter(EmissionRecord::YEAR.ge(2005))
            .count(&tx)
            .await
            .unwrap(),
        5
    );
    tx.rollback().await.unwrap();
    assert_eq!(City::get(&client, city.city_id).await.unwrap(), None);
    assert_eq!(count(&client, "EmissionRecord").await, 0);

    // An error inside a transaction: nothing of it stays.
    let tx = client.transaction().await.unwrap();
    city.insert(&tx).await.unwrap();
    let err = city.insert(&tx).await.unwrap_err();
    assert_eq!(err.constraint(), Some("pk_City"));
    drop(tx);
    assert_eq!(count(&client, "City").await, 0);

    // The same code on the client itself, and a committed transaction.
    assert_eq!(load(&client, &city, &records[..5]).await.unwrap(), 5);
    let tx = client.transaction().await.unwrap();
    assert_eq!(load(&tx, &city, &records[5..]).await.unwrap(), 5);
    tx.commit().await.unwrap();
    assert_eq!(count(&client, "EmissionRecord").await, 10);
}

#[tokio::test]
async fn model_futures_are_send() {
    let db = TestDb::new().await;
    let client = std::sync::Arc::new(setup(&db).await);
    let c = client.clone();
    let got = tokio::spawn(async move {
        paris().insert(&*c).await?;
        City::get(&*c, id(1)).await
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(got, Some(paris()));
}

/// What the code generator's relation methods look like on this API (here as
/// free functions): the parent of a nullable foreign key, and the children.
async fn city_of(db: &impl GenericClient, r: &EmissionRecord) -> nzc::Result<Option<City>> {
    match r.city_id {
        Some(id) => City::get(db, id).await,
        None => Ok(None),
    }
}

async fn emission_records_of(
    db: &impl GenericClient,
    c: &City,
) -> nzc::Result<Vec<EmissionRecord>> {
    EmissionRecord::query()
        .filter(EmissionRecord::CITY_ID.eq(c.city_id))
        .all(db)
        .await
}

async fn city_years_of(db: &impl GenericClient, c: &City) -> nzc::Result<Vec<CityYear>> {
    CityYear::query()
        .filter(CityYear::CITY_ID.eq(c.city_id))
        .all(db)
        .await
}

#[tokio::test]
async fn relations_both_ways() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    let paris = paris();
    let lyon = bare_city(2, "Lyon");
    City::insert_many(&client, &[paris.clone(), lyon.clone()])
        .await
        .unwrap();
    let records = [
        record(2, Some(paris.city_id), 2024, None),
        record(1, Some(paris.city_id), 2023, None),
        record(3, None, 2024, None),
    ];
    EmissionRecord::insert_many(&client, &records)
        .await
        .unwrap();
    CityYear {
        city_id: paris.city_id,
        year: 2030,
        note: None,
    }
    .insert(&client)
    .await
    .unwrap();

    assert_eq!(
        city_of(&client, &records[0]).await.unwrap(),
        Some(paris.clone())
    );
    assert_eq!(city_of(&client, &records[2]).await.unwrap(), None);
    // Children come ordered by primary key.
    assert_eq!(
        emission_records_of(&client, &paris).await.unwrap(),
        [records[1].clone(), records[0].clone()]
    );
    assert_eq!(emission_records_of(&client, &lyon).await.unwrap(), []);
    assert_eq!(city_years_of(&client, &paris).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_cached_client_prepares_each_statement_once() {
    let db = TestDb::new().await;
    let mut client = nzc::CachedClient::new(setup(&db).await);
    let mut city = paris();
    city.insert(&client).await.unwrap();
    assert_eq!(client.cached_statements(), 1);
    for _ in 0..3 {
        assert_eq!(
            City::get(&client, city.city_id).await.unwrap().as_ref(),
            Some(&city)
        );
    }
    assert_eq!(client.cached_statements(), 2);
    city.population = Some(3);
    assert!(city.update(&client).await.unwrap());
    assert_eq!(city.upsert(&client).await.unwrap(), city);
    let records: Vec<EmissionRecord> = (0..3)
        .map(|i| record(i, Some(city.city_id), 2000 + i as i32, None))
        .collect();
    assert_eq!(
        EmissionRecord::insert_many(&client, &records)
            .await
            .unwrap(),
        3
    );
    let found = EmissionRecord::find_by_city_id_year_sector_id_scope(
        &client,
        city.city_id,
        2001,
        None,
        Scope::Scope1,
    )
    .await
    .unwrap();
    assert_eq!(found.as_ref(), Some(&records[1]));
    // The plain client is still there (Deref), e.g. for the filter builder.
    assert_eq!(EmissionRecord::query().count(&*client).await.unwrap(), 3);

    let tx = client.transaction().await.unwrap();
    assert!(City::delete(&tx, city.city_id).await.is_err());
    tx.rollback().await.unwrap();
    let tx = client.transaction().await.unwrap();
    bare_city(2, "Lyon").insert(&tx).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(City::list(&client).await.unwrap().len(), 2);
    let cached = client.cached_statements();
    City::list(&client).await.unwrap();
    assert_eq!(client.cached_statements(), cached);
    client.clear_statement_cache();
    assert_eq!(client.cached_statements(), 0);
    assert_eq!(City::list(&client).await.unwrap().len(), 2);
}
