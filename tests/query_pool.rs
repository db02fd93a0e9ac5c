//! Model methods on deadpool-postgres pooled clients and their transactions
//! (feature `deadpool`, enabled for the tests): the fixed statements then come
//! from the pool's per-connection statement cache.

mod common;

use common::TestDb;
use deadpool_postgres::{Config, Pool, Runtime};
use tokio_postgres::NoTls;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, nzc::NzcEnum)]
pub enum Kind {
    Town,
    #[nzc(rename = "big city")]
    BigCity,
}

#[derive(Debug, Clone, PartialEq, nzc::NzcModel)]
#[nzc(table = "City")]
#[nzc(unique(name = "uq_City_cityName", columns("cityName")))]
pub struct City {
    #[nzc(primary_key, column = "cityId")]
    pub city_id: Uuid,
    #[nzc(column = "cityName")]
    pub city_name: String,
    #[nzc(enum)]
    pub kind: Kind,
    pub population: Option<i64>,
}

const SCHEMA: &str = r#"
CREATE TYPE "Kind" AS ENUM ('Town', 'big city');
CREATE TABLE "City" (
    "cityId" uuid NOT NULL,
    "cityName" character varying NOT NULL,
    "kind" "Kind" NOT NULL,
    "population" bigint,
    CONSTRAINT "pk_City" PRIMARY KEY ("cityId"),
    CONSTRAINT "uq_City_cityName" UNIQUE ("cityName")
);
"#;

fn pool(db: &TestDb) -> Pool {
    let config = Config {
        url: Some(db.url().to_string()),
        ..Config::default()
    };
    config.create_pool(Some(Runtime::Tokio1), NoTls).unwrap()
}

fn city(n: u128, name: &str, kind: Kind) -> City {
    City {
        city_id: Uuid::from_u128(n),
        city_name: name.into(),
        kind,
        population: None,
    }
}

#[tokio::test]
async fn every_method_on_a_pooled_client() {
    let db = TestDb::new().await;
    db.client().await.batch_execute(SCHEMA).await.unwrap();
    let pool = pool(&db);
    let client = pool.get().await.unwrap();

    let mut oslo = city(1, "Oslo", Kind::BigCity);
    oslo.insert(&client).await.unwrap();
    assert_eq!(
        City::get(&client, oslo.city_id).await.unwrap().as_ref(),
        Some(&oslo)
    );
    // The fixed statements are prepared once per connection, then reused.
    let cached = client.statement_cache.size();
    assert!(cached >= 2, "{cached}");
    for _ in 0..3 {
        assert!(City::get(&client, oslo.city_id).await.unwrap().is_some());
    }
    assert_eq!(client.statement_cache.size(), cached);

    oslo.population = Some(700_000);
    assert!(oslo.update(&client).await.unwrap());
    assert_eq!(oslo.upsert(&client).await.unwrap(), oslo);
    let rows: Vec<City> = (2..102)
        .map(|n| city(n, &format!("town {n}"), Kind::Town))
        .collect();
    assert_eq!(City::insert_many(&client, &rows).await.unwrap(), 100);
    assert_eq!(City::list(&client).await.unwrap().len(), 101);

    let renamed = city(500, "Oslo", Kind::Town);
    let stored = renamed.upsert_by_city_name(&client).await.unwrap();
    assert_eq!(stored.city_id, oslo.city_id);
    assert_eq!(stored.kind, Kind::Town);
    assert_eq!(
        City::find_by_city_name(&client, "Oslo").await.unwrap(),
        Some(stored)
    );
    assert_eq!(
        City::query()
            .filter(City::KIND.eq(Kind::Town))
            .count(&client)
            .await
            .unwrap(),
        101
    );
    let err = city(600, "Oslo", Kind::Town)
        .insert(&client)
        .await
        .unwrap_err();
    assert_eq!(err.constraint(), Some("uq_City_cityName"));
    assert!(City::delete(&client, oslo.city_id).await.unwrap());
}

#[tokio::test]
async fn a_pooled_transaction_rolls_back() {
    let db = TestDb::new().await;
    db.client().await.batch_execute(SCHEMA).await.unwrap();
    let pool = pool(&db);
    let mut client = pool.get().await.unwrap();

    let tx = client.transaction().await.unwrap();
    city(1, "Bergen", Kind::Town).insert(&tx).await.unwrap();
    assert_eq!(City::list(&tx).await.unwrap().len(), 1);
    assert_eq!(
        City::find_by_city_name(&tx, "Bergen")
            .await
            .unwrap()
            .map(|c| c.city_id),
        Some(Uuid::from_u128(1))
    );
    tx.rollback().await.unwrap();
    assert_eq!(City::list(&client).await.unwrap(), []);

    let tx = client.transaction().await.unwrap();
    City::insert_many(&tx, &[city(2, "Trondheim", Kind::Town)])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Another pooled connection sees it; the wrapper works too.
    let other = pool.get().await.unwrap();
    let wrapper: &deadpool_postgres::ClientWrapper = &other;
    assert_eq!(City::list(wrapper).await.unwrap().len(), 1);
}
