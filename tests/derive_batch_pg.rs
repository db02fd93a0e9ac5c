//! The batch methods of `#[derive(NzcModel)]` on hand-written models, for what
//! the generated 17-table model lacks: enum columns (sent as `text[]`),
//! a `json` column, a check constraint, a `UNIQUE NULLS NOT DISTINCT` key,
//! a composite foreign key (batch relations through `nzc::children_of` /
//! `nzc::parent_of`), keyset pages over an enum and a nullable column, and
//! batch keys that PostgreSQL compares otherwise than by their bytes.

mod common;

use common::TestDb;
use nzc::UpsertCount;
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, nzc::NzcEnum)]
#[nzc(type_name = "Level")]
pub enum Level {
    Low,
    #[nzc(rename = "very high")]
    High,
}

#[derive(Debug, Clone, PartialEq, nzc::NzcModel)]
#[nzc(table = "Region")]
#[nzc(primary_key("country", "code"))]
pub struct Region {
    pub country: String,
    pub code: i32,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, nzc::NzcModel)]
#[nzc(table = "Site")]
#[nzc(unique(name = "uq_Site_label", columns("label", "sub"), nulls_not_distinct))]
#[nzc(unique(name = "uq_Site_tag", columns("tag")))]
#[nzc(foreign_key(
    name = "fk_Site_region",
    columns("country", "regionCode"),
    references = "Region",
    ref_columns("country", "code")
))]
pub struct Site {
    #[nzc(primary_key)]
    pub id: i64,
    pub label: String,
    pub sub: Option<String>,
    pub tag: Option<String>,
    #[nzc(enum)]
    pub level: Level,
    #[nzc(enum)]
    pub alt: Option<Level>,
    pub amount: i32,
    pub doc: Option<serde_json::Value>,
    pub country: Option<String>,
    #[nzc(column = "regionCode")]
    pub region_code: Option<i32>,
}

const SCHEMA: &str = r#"
CREATE TYPE "Level" AS ENUM ('Low', 'very high');
CREATE TABLE "Region" (
    country text NOT NULL, code int NOT NULL, name text NOT NULL,
    PRIMARY KEY (country, code)
);
CREATE TABLE "Site" (
    id bigint PRIMARY KEY,
    label text NOT NULL,
    sub text,
    tag text,
    level "Level" NOT NULL,
    alt "Level",
    amount int NOT NULL CONSTRAINT "ck_Site_amount" CHECK (amount >= 0),
    doc json,
    country text,
    "regionCode" int,
    CONSTRAINT "uq_Site_label" UNIQUE NULLS NOT DISTINCT (label, sub),
    CONSTRAINT "uq_Site_tag" UNIQUE (tag),
    CONSTRAINT "fk_Site_region" FOREIGN KEY (country, "regionCode") REFERENCES "Region" (country, code)
);
"#;

fn site(id: i64, label: &str, sub: Option<&str>) -> Site {
    Site {
        id,
        label: label.into(),
        sub: sub.map(Into::into),
        tag: None,
        level: if id % 2 == 0 { Level::Low } else { Level::High },
        alt: (id % 3 != 0).then_some(Level::High),
        amount: id as i32,
        doc: Some(json!({ "id": id })),
        country: None,
        region_code: None,
    }
}

async fn setup(db: &TestDb) -> tokio_postgres::Client {
    let client = db.client().await;
    client.batch_execute(SCHEMA).await.unwrap();
    client
}

#[tokio::test]
async fn nulls_not_distinct_keys_use_plain_on_conflict() {
    use nzc::Model;
    assert!(<Site as Model>::UNIQUE_KEYS[0].nulls_not_distinct);
    assert!(!<Site as Model>::UNIQUE_KEYS[1].nulls_not_distinct);

    let db = TestDb::new().await;
    let client = setup(&db).await;
    let c = &client;
    let rows = [
        site(1, "a", None),
        site(2, "a", Some("x")),
        site(3, "b", None),
    ];
    assert_eq!(
        Site::upsert_many_by_label_sub(c, &rows).await.unwrap(),
        UpsertCount {
            inserted: 3,
            updated: 0
        }
    );
    // The NULL `sub` conflicts with the stored NULL: updated, keeping id 1.
    let mut again = site(10, "a", None);
    again.amount = 99;
    let mut dup = again.clone();
    dup.amount = 100;
    assert_eq!(
        Site::upsert_many_by_label_sub(c, &[again, dup])
            .await
            .unwrap(),
        UpsertCount {
            inserted: 0,
            updated: 1
        }
    );
    let stored = Site::find_by_label_sub(c, "a", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stored.id, stored.amount), (1, 100));
    // The per-row form too.
    let mut one = site(11, "b", None);
    one.level = Level::High;
    let stored = one.upsert_by_label_sub(c).await.unwrap();
    assert_eq!((stored.id, stored.level), (3, Level::High));
    assert_eq!(Site::list(c).await.unwrap().len(), 3);
}

#[tokio::test]
async fn enums_json_and_a_check_violation() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    let c = &client;
    let rows: Vec<Site> = (1..=5).map(|i| site(i, &format!("s{i}"), None)).collect();
    assert_eq!(
        Site::upsert_many(c, &rows).await.unwrap(),
        UpsertCount {
            inserted: 5,
            updated: 0
        }
    );
    assert_eq!(Site::list(c).await.unwrap(), rows);

    // A nullable key of plain (NULLS DISTINCT) semantics: the NULL-safe path.
    let mut tagged = rows.clone();
    for r in &mut tagged {
        r.id += 100;
        r.tag = (r.id % 2 == 0).then(|| format!("t{}", r.id));
    }
    let count = Site::upsert_many_by_tag(c, &tagged).await;
    // The NULL-tagged rows match existing rows NULL-safely, the others are
    // new; but their (label, NULL) collides with the stored rows' under
    // NULLS NOT DISTINCT: a typed unique violation, and nothing written.
    let err = count.unwrap_err();
    assert_eq!(err.constraint(), Some("uq_Site_label"), "{err:?}");
    assert_eq!(Site::list(c).await.unwrap(), rows);

    let mut bad = rows.clone();
    bad[3].amount = -1;
    bad[0].amount = 42;
    let err = Site::upsert_many(c, &bad).await.unwrap_err();
    assert!(matches!(err, nzc::Error::CheckViolation { .. }), "{err:?}");
    assert_eq!(err.constraint(), Some("ck_Site_amount"));
    assert_eq!(Site::list(c).await.unwrap(), rows, "nothing written");
}

#[tokio::test]
async fn composite_foreign_key_batches() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    let c = &client;
    let regions = vec![
        Region {
            country: "FR".into(),
            code: 1,
            name: "Nord".into(),
        },
        Region {
            country: "FR".into(),
            code: 2,
            name: "Sud".into(),
        },
        Region {
            country: "DK".into(),
            code: 1,
            name: "Jylland".into(),
        },
    ];
    Region::insert_many(c, &regions).await.unwrap();
    let mut sites: Vec<Site> = (1..=6).map(|i| site(i, &format!("s{i}"), None)).collect();
    for (s, (country, code)) in sites.iter_mut().zip([
        (Some("FR"), Some(1)),
        (Some("DK"), Some(1)),
        (None, Some(2)),
        (Some("FR"), Some(1)),
        (Some("FR"), None),
        (Some("DK"), Some(1)),
    ]) {
        s.country = country.map(Into::into);
        s.region_code = code;
    }
    Site::insert_many(c, &sites).await.unwrap();

    let children: Vec<Vec<Site>> = nzc::children_of(c, &regions, "fk_Site_region")
        .await
        .unwrap();
    assert_eq!(
        children,
        [
            vec![sites[0].clone(), sites[3].clone()],
            vec![],
            vec![sites[1].clone(), sites[5].clone()],
        ]
    );
    let parents: Vec<Option<Region>> = nzc::parent_of(c, &sites, "fk_Site_region").await.unwrap();
    assert_eq!(
        parents,
        [
            Some(regions[0].clone()),
            Some(regions[2].clone()),
            None,
            Some(regions[0].clone()),
            None,
            Some(regions[2].clone()),
        ]
    );
}

#[tokio::test]
async fn keyset_pages_over_an_enum_and_nulls() {
    let db = TestDb::new().await;
    let client = setup(&db).await;
    let c = &client;
    let rows: Vec<Site> = (1..=40).map(|i| site(i, &format!("s{i}"), None)).collect();
    Site::insert_many(c, &rows).await.unwrap();
    let orders: Vec<Box<dyn Fn() -> nzc::Query<Site>>> = vec![
        Box::new(|| Site::query().order_by(Site::LEVEL.asc())),
        Box::new(|| {
            Site::query()
                .order_by(Site::ALT.desc())
                .order_by(Site::LEVEL.asc())
        }),
        Box::new(|| {
            Site::query()
                .order_by(Site::ALT.asc())
                .order_by(Site::ID.desc())
        }),
    ];
    for query in &orders {
        let all = query().all(c).await.unwrap();
        for page in [1, 3, 7] {
            let mut walked = Vec::new();
            let mut rows = query().limit(page).all(c).await.unwrap();
            while let Some(last) = rows.last().cloned() {
                walked.extend(rows);
                rows = query().after(&last).limit(page).all(c).await.unwrap();
            }
            assert_eq!(walked, all, "{}", query().to_sql());
        }
    }
    // The SQL: one row comparison when every key is NOT NULL and ascending.
    let last = &rows[0];
    let sql = Site::query()
        .order_by(Site::LABEL.asc())
        .after(last)
        .to_sql();
    assert!(
        sql.contains(r#"("Site"."label", "Site"."id") > ($1, $2)"#),
        "{sql}"
    );
}

/// A key that is a unique *index*, not a constraint (what `@@index([…],
/// unique: true)` creates): the upserts name it by its columns, so
/// PostgreSQL infers it.
#[derive(Debug, Clone, PartialEq, nzc::NzcModel)]
#[nzc(table = "Badge")]
#[nzc(unique(name = "ix_Badge_code", columns("code")))]
pub struct Badge {
    #[nzc(primary_key)]
    pub id: i32,
    pub code: String,
    pub note: Option<String>,
}

#[tokio::test]
async fn upserts_on_a_unique_index_that_is_no_constraint() {
    let db = TestDb::new().await;
    let client = db.client().await;
    client
        .batch_execute(
            r#"CREATE TABLE "Badge" (id int PRIMARY KEY, code text NOT NULL, note text);
               CREATE UNIQUE INDEX "ix_Badge_code" ON "Badge" (code);"#,
        )
        .await
        .unwrap();
    let badge = |id: i32, code: &str, note: &str| Badge {
        id,
        code: code.into(),
        note: Some(note.into()),
    };
    badge(1, "a", "first")
        .upsert_by_code(&client)
        .await
        .unwrap();
    let stored = badge(2, "a", "second")
        .upsert_by_code(&client)
        .await
        .unwrap();
    assert_eq!(stored, badge(1, "a", "second"), "updated, keeping its id");
    let count =
        Badge::upsert_many_by_code(&client, &[badge(3, "a", "third"), badge(4, "b", "new")])
            .await
            .unwrap();
    assert_eq!(
        count,
        UpsertCount {
            inserted: 1,
            updated: 1
        }
    );
    let mut all = Badge::list(&client).await.unwrap();
    all.sort_by_key(|b| b.id);
    assert_eq!(all, [badge(1, "a", "third"), badge(4, "b", "new")]);
}

/// Keys whose values can be equal in PostgreSQL with different binary
/// forms: `numeric` (`1.0` = `1.00`) and `double precision` (`-0` = `0`).
#[derive(Debug, Clone, PartialEq, nzc::NzcModel)]
#[nzc(table = "Price")]
#[nzc(unique(name = "uq_Price_rate", columns("rate")))]
pub struct Price {
    #[nzc(primary_key)]
    pub amount: rust_decimal::Decimal,
    pub rate: f64,
    pub note: String,
}

#[tokio::test]
async fn keys_equal_in_postgres_but_not_in_bytes_still_let_the_last_row_win() {
    use rust_decimal::Decimal;
    let db = TestDb::new().await;
    let client = db.client().await;
    client
        .batch_execute(
            r#"CREATE TABLE "Price" (amount numeric PRIMARY KEY, rate float8 NOT NULL,
               note text NOT NULL, CONSTRAINT "uq_Price_rate" UNIQUE (rate));"#,
        )
        .await
        .unwrap();
    let price = |amount: Decimal, rate: f64, note: &str| Price {
        amount,
        rate,
        note: note.into(),
    };
    // 1.0 and 1.00: one key for PostgreSQL, whose DISTINCT ON keeps the last.
    let rows = [
        price(Decimal::new(10, 1), 1.0, "first"),
        price(Decimal::new(100, 2), 2.0, "last"),
    ];
    let count = Price::upsert_many(&client, &rows).await.unwrap();
    assert_eq!(count.total(), 1, "{count:?}");
    let all = Price::list(&client).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!((all[0].rate, all[0].note.as_str()), (2.0, "last"));
    assert_eq!(all[0].amount.scale(), 2, "the last row's own value");
    // -0 and 0 on the unique key: one row, the last.
    let rows = [
        price(Decimal::new(7, 0), -0.0, "minus zero"),
        price(Decimal::new(8, 0), 0.0, "zero"),
    ];
    let count = Price::upsert_many_by_rate(&client, &rows).await.unwrap();
    assert_eq!(count.total(), 1, "{count:?}");
    let zero = Price::find_by_rate(&client, 0.0).await.unwrap().unwrap();
    assert_eq!(
        (zero.amount, zero.note.as_str()),
        (Decimal::new(8, 0), "zero")
    );
}
