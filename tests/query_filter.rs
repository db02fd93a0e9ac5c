//! The typed filter builder (`Model::query()`) against a real PostgreSQL:
//! each operator, NULL handling, and/or/not, ordering, limit/offset, and the
//! `all` / `first` / `count` / `delete` terminals.

mod common;

use std::str::FromStr;

use chrono::NaiveDate;
use common::TestDb;
use nzc::{Expr, Model};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, nzc::NzcEnum)]
pub enum Size {
    // Declared so that the enum's order is not the labels' text order.
    #[nzc(rename = "very large")]
    Large,
    Small,
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
    pub population: i64,
    pub founded: Option<NaiveDate>,
    #[nzc(enum)]
    pub size: Option<Size>,
    pub misc: Option<Value>,
}

const SCHEMA: &str = r#"
CREATE TYPE "Size" AS ENUM ('very large', 'Small');
CREATE TABLE "City" (
    "cityId" uuid PRIMARY KEY,
    "cityName" character varying NOT NULL,
    "country" character varying NOT NULL,
    "locode" character varying,
    "areaKm2" numeric,
    "population" bigint NOT NULL,
    "founded" date,
    "size" "Size",
    "misc" jsonb
);
"#;

fn city(n: u128, name: &str, country: &str, population: i64) -> City {
    City {
        city_id: Uuid::from_u128(n),
        city_name: name.into(),
        country: country.into(),
        locode: None,
        area_km2: None,
        population,
        founded: None,
        size: None,
        misc: None,
    }
}

/// Paris, Lyon, Nice (FR), Aarhus, Odense (DK), Oslo (NO).
fn cities() -> Vec<City> {
    let mut paris = city(1, "Paris", "FR", 2_100_000);
    paris.locode = Some("FRPAR".into());
    paris.area_km2 = Some(Decimal::from_str("105.4").unwrap());
    paris.founded = NaiveDate::from_ymd_opt(-250, 1, 1);
    paris.size = Some(Size::Large);
    paris.misc = Some(json!({"capital": true}));
    let mut lyon = city(2, "Lyon", "FR", 520_000);
    lyon.locode = Some("FRLYS".into());
    lyon.founded = NaiveDate::from_ymd_opt(-43, 10, 9);
    lyon.size = Some(Size::Large);
    let mut nice = city(3, "Nice", "FR", 340_000);
    nice.size = Some(Size::Small);
    let mut aarhus = city(4, "Aarhus", "DK", 290_000);
    aarhus.locode = Some("DKAAR".into());
    aarhus.area_km2 = Some(Decimal::from_str("91").unwrap());
    let odense = city(5, "Odense", "DK", 180_000);
    let mut oslo = city(6, "Oslo", "NO", 700_000);
    oslo.founded = NaiveDate::from_ymd_opt(1040, 1, 1);
    vec![paris, lyon, nice, aarhus, odense, oslo]
}

async fn setup(db: &TestDb) -> tokio_postgres::Client {
    let client = db.client().await;
    client.batch_execute(SCHEMA).await.unwrap();
    City::insert_many(&client, &cities()).await.unwrap();
    client
}

/// The names of the cities a query returns, in order.
async fn names(client: &tokio_postgres::Client, q: nzc::Query<City>) -> Vec<String> {
    q.all(client)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.city_name)
        .collect()
}

#[tokio::test]
async fn comparison_operators() {
    let db = TestDb::new().await;
    let c = setup(&db).await;
    let q = City::query;
    assert_eq!(
        names(&c, q().filter(City::COUNTRY.eq("FR"))).await,
        ["Paris", "Lyon", "Nice"]
    );
    assert_eq!(
        names(&c, q().filter(City::COUNTRY.ne("FR"))).await,
        ["Aarhus", "Odense", "Oslo"]
    );
    assert_eq!(
        names(&c, q().filter(City::POPULATION.lt(290_000))).await,
        ["Odense"]
    );
    assert_eq!(
        names(&c, q().filter(City::POPULATION.le(290_000))).await,
        ["Aarhus", "Odense"]
    );
    assert_eq!(
        names(&c, q().filter(City::POPULATION.gt(700_000))).await,
        ["Paris"]
    );
    assert_eq!(
        names(&c, q().filter(City::POPULATION.ge(700_000))).await,
        ["Paris", "Oslo"]
    );
    // An owned String, a reference, a value of a nullable column.
    let fr = String::from("FR");
    assert_eq!(c_count(&c, City::COUNTRY.eq(fr.clone())).await, 3);
    assert_eq!(c_count(&c, City::COUNTRY.eq(&fr)).await, 3);
    assert_eq!(
        names(&c, q().filter(City::LOCODE.eq("FRPAR"))).await,
        ["Paris"]
    );
    assert_eq!(
        names(&c, q().filter(City::AREA_KM2.gt(Decimal::from(100)))).await,
        ["Paris"]
    );
    let before = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
    assert_eq!(
        names(&c, q().filter(City::FOUNDED.lt(before))).await,
        ["Paris", "Lyon"]
    );
    // An enum column, with a label that is not the variant's name.
    assert_eq!(
        names(&c, q().filter(City::SIZE.eq(Size::Large))).await,
        ["Paris", "Lyon"]
    );
    // jsonb equality.
    assert_eq!(
        names(&c, q().filter(City::MISC.eq(json!({"capital": true})))).await,
        ["Paris"]
    );
    assert_eq!(
        names(&c, q().filter(City::CITY_ID.eq(Uuid::from_u128(4)))).await,
        ["Aarhus"]
    );
}

async fn c_count(c: &tokio_postgres::Client, e: Expr<City>) -> u64 {
    City::query().filter(e).count(c).await.unwrap()
}

#[tokio::test]
async fn nulls() {
    let db = TestDb::new().await;
    let c = setup(&db).await;
    let q = City::query;
    assert_eq!(
        names(&c, q().filter(City::LOCODE.is_null())).await,
        ["Nice", "Odense", "Oslo"]
    );
    assert_eq!(
        names(&c, q().filter(City::LOCODE.is_not_null())).await,
        ["Paris", "Lyon", "Aarhus"]
    );
    // eq(None) / ne(None) are IS NULL / IS NOT NULL.
    assert_eq!(
        names(&c, q().filter(City::LOCODE.eq(None))).await,
        ["Nice", "Odense", "Oslo"]
    );
    let none: Option<String> = None;
    assert_eq!(
        names(&c, q().filter(City::LOCODE.ne(none))).await,
        ["Paris", "Lyon", "Aarhus"]
    );
    assert_eq!(
        names(&c, q().filter(City::SIZE.eq(Some(Size::Small)))).await,
        ["Nice"]
    );
    // SQL semantics otherwise: `<>` never matches NULL.
    assert_eq!(
        names(&c, q().filter(City::LOCODE.ne("FRPAR"))).await,
        ["Lyon", "Aarhus"]
    );
}

#[tokio::test]
async fn in_list_and_like() {
    let db = TestDb::new().await;
    let c = setup(&db).await;
    let q = City::query;
    assert_eq!(
        names(&c, q().filter(City::COUNTRY.in_list(["DK", "NO"]))).await,
        ["Aarhus", "Odense", "Oslo"]
    );
    assert_eq!(
        names(
            &c,
            q().filter(City::POPULATION.in_list(vec![520_000, 180_000, 1]))
        )
        .await,
        ["Lyon", "Odense"]
    );
    assert_eq!(
        names(
            &c,
            q().filter(City::SIZE.in_list([Size::Small, Size::Large]))
        )
        .await,
        ["Paris", "Lyon", "Nice"]
    );
    // A None among the values also matches NULL.
    assert_eq!(
        names(
            &c,
            q().filter(City::SIZE.in_list([Some(Size::Small), None]))
        )
        .await,
        ["Nice", "Aarhus", "Odense", "Oslo"]
    );
    let nothing: Vec<&str> = Vec::new();
    assert_eq!(
        names(&c, q().filter(City::COUNTRY.in_list(nothing))).await,
        Vec::<String>::new()
    );
    assert_eq!(
        names(&c, q().filter(City::CITY_NAME.like("O%"))).await,
        ["Odense", "Oslo"]
    );
    assert_eq!(
        names(&c, q().filter(City::LOCODE.like("FR%"))).await,
        ["Paris", "Lyon"]
    );
    assert_eq!(
        names(&c, q().filter(City::CITY_NAME.ilike("%S"))).await,
        ["Paris", "Aarhus"]
    );
    // A value is a parameter, never SQL: quotes and wildcards stay text.
    assert_eq!(c_count(&c, City::CITY_NAME.eq("x' OR '1'='1")).await, 0);
}

#[tokio::test]
async fn and_or_not() {
    let db = TestDb::new().await;
    let c = setup(&db).await;
    let q = City::query;
    let fr_big = City::COUNTRY.eq("FR").and(City::POPULATION.gt(400_000));
    assert_eq!(names(&c, q().filter(fr_big)).await, ["Paris", "Lyon"]);
    let dk_or_small = City::COUNTRY.eq("DK").or(City::SIZE.eq(Size::Small));
    assert_eq!(
        names(&c, q().filter(dk_or_small)).await,
        ["Nice", "Aarhus", "Odense"]
    );
    // Precedence is explicit: (FR and > 400k) or NO.
    let nested = City::COUNTRY
        .eq("FR")
        .and(City::POPULATION.gt(400_000))
        .or(City::COUNTRY.eq("NO"));
    assert_eq!(
        names(&c, q().filter(nested)).await,
        ["Paris", "Lyon", "Oslo"]
    );
    // FR and (< 400k or has a locode).
    let grouped = City::COUNTRY
        .eq("FR")
        .and(City::POPULATION.lt(400_000).or(City::LOCODE.eq("FRPAR")));
    assert_eq!(names(&c, q().filter(grouped)).await, ["Paris", "Nice"]);
    assert_eq!(
        names(&c, q().filter(City::COUNTRY.eq("FR").not())).await,
        ["Aarhus", "Odense", "Oslo"]
    );
    // Repeated filters are ANDed.
    assert_eq!(
        names(
            &c,
            q().filter(City::COUNTRY.eq("FR"))
                .filter(City::SIZE.eq(Size::Large))
                .filter(City::POPULATION.lt(1_000_000))
        )
        .await,
        ["Lyon"]
    );
    assert_eq!(
        names(
            &c,
            q().filter(Expr::any([
                City::CITY_NAME.eq("Oslo"),
                City::CITY_NAME.eq("Nice")
            ]))
        )
        .await,
        ["Nice", "Oslo"]
    );
    assert_eq!(c_count(&c, Expr::all([])).await, 6);
    assert_eq!(c_count(&c, Expr::any([])).await, 0);
}

#[tokio::test]
async fn order_limit_offset_first() {
    let db = TestDb::new().await;
    let c = setup(&db).await;
    let q = City::query;
    // The issue's example.
    let fr = City::query()
        .filter(City::COUNTRY.eq("FR"))
        .order_by(City::CITY_NAME.asc())
        .limit(10)
        .all(&c)
        .await
        .unwrap();
    assert_eq!(
        fr.iter().map(|c| c.city_name.as_str()).collect::<Vec<_>>(),
        ["Lyon", "Nice", "Paris"]
    );
    assert_eq!(fr[2], cities()[0]);
    assert_eq!(
        names(&c, q().order_by(City::POPULATION.desc()).limit(2)).await,
        ["Paris", "Oslo"]
    );
    assert_eq!(
        names(&c, q().order_by(City::POPULATION.desc()).limit(2).offset(2)).await,
        ["Lyon", "Nice"]
    );
    assert_eq!(
        names(&c, q().order_by(City::POPULATION.desc()).offset(5)).await,
        ["Odense"]
    );
    // Several keys; NULLs last ascending. Ties fall back to the primary key.
    assert_eq!(
        names(
            &c,
            q().order_by(City::COUNTRY.asc())
                .order_by(City::LOCODE.desc())
        )
        .await,
        ["Odense", "Aarhus", "Nice", "Paris", "Lyon", "Oslo"]
    );
    // An enum sorts in the type's order, not as text.
    assert_eq!(
        names(&c, q().order_by(City::SIZE.asc())).await,
        ["Paris", "Lyon", "Nice", "Aarhus", "Odense", "Oslo"]
    );
    assert_eq!(
        names(&c, q().order_by(City::SIZE.desc())).await,
        ["Aarhus", "Odense", "Oslo", "Nice", "Paris", "Lyon"]
    );

    let first = q()
        .filter(City::COUNTRY.eq("DK"))
        .order_by(City::POPULATION.asc())
        .first(&c)
        .await
        .unwrap();
    assert_eq!(first.map(|c| c.city_name).as_deref(), Some("Odense"));
    let none = q().filter(City::COUNTRY.eq("SE")).first(&c).await.unwrap();
    assert_eq!(none, None);
    let skipped = q()
        .order_by(City::POPULATION.asc())
        .offset(1)
        .first(&c)
        .await
        .unwrap();
    assert_eq!(skipped.map(|c| c.city_name).as_deref(), Some("Aarhus"));
}

#[tokio::test]
async fn count_and_delete() {
    let db = TestDb::new().await;
    let c = setup(&db).await;
    let q = City::query;
    assert_eq!(q().count(&c).await.unwrap(), 6);
    assert_eq!(
        q().filter(City::COUNTRY.eq("FR")).count(&c).await.unwrap(),
        3
    );
    assert_eq!(q().limit(4).offset(3).count(&c).await.unwrap(), 3);

    // A window: delete the two smallest cities only.
    let smallest = q().order_by(City::POPULATION.asc()).limit(2);
    assert_eq!(smallest.delete(&c).await.unwrap(), 2);
    assert_eq!(names(&c, q()).await, ["Paris", "Lyon", "Nice", "Oslo"]);
    assert_eq!(
        q().filter(City::COUNTRY.eq("FR")).delete(&c).await.unwrap(),
        3
    );
    assert_eq!(names(&c, q()).await, ["Oslo"]);
    assert_eq!(
        q().filter(City::COUNTRY.eq("FR")).delete(&c).await.unwrap(),
        0
    );
    assert_eq!(q().delete(&c).await.unwrap(), 1);
    assert_eq!(q().count(&c).await.unwrap(), 0);
}

#[test]
fn the_sql_binds_every_value_and_quotes_every_identifier() {
    let q = City::query()
        .filter(
            City::COUNTRY
                .eq("FR")
                .and(City::LOCODE.is_null().or(City::CITY_NAME.like("P%")))
                .and(City::SIZE.in_list([Some(Size::Small), None])),
        )
        .order_by(City::CITY_NAME.desc())
        .limit(5)
        .offset(10);
    assert_eq!(
        q.to_sql(),
        r#"SELECT "cityId", "cityName", "country", "locode", "areaKm2", "population", "founded", "size"::text AS "size", "misc" FROM "City" WHERE ("country" = $1 AND ("locode" IS NULL OR "cityName" LIKE $2) AND ("size" IN ($3) OR "size" IS NULL)) ORDER BY "City"."cityName" DESC, "City"."cityId" LIMIT $4 OFFSET $5"#
    );
    let expr = City::POPULATION.ge(5).not();
    let (sql, params) = expr.to_sql();
    assert_eq!(sql, r#"NOT ("population" >= $1)"#);
    assert_eq!(params[0].sql_type(), &tokio_postgres::types::Type::INT8);
    // Through the trait, for generic code.
    assert_eq!(<City as Model>::query().to_sql(), City::query().to_sql());
}
