//! The generated 17-table model (`nzc-models`: what `nzc compile schema.nzc`
//! writes to `generated/`) against the real PostgreSQL, on a database built
//! by the repository's migrations: a city with a row in every table, then
//! every method of the models — insert / insert_many / get / list / update /
//! delete / upsert, `find_by_…` / `upsert_by_…` of every unique key, the
//! filter builder, the relation methods both ways — unique and foreign key
//! violations, transactions, idempotent re-loading (a NULL in a unique key
//! included), and the loader example (`examples/loader/`) run twice.

mod common;

/// The loader example's logic, compiled into this test (its `main.rs` only
/// reads arguments and connects).
#[path = "../examples/loader/load.rs"]
mod load;

use std::path::Path;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use common::TestDb;
use nzc::GenericClient;
use nzc_models::*;
use rust_decimal::Decimal;
use serde_json::json;
use tokio_postgres::Client;
use uuid::Uuid;

/// A fresh database with `migrations/*/up.sql` applied in order.
async fn migrated(db: &TestDb) -> Client {
    let client = db.client().await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut versions: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("up.sql").is_file())
        .collect();
    versions.sort();
    assert_eq!(versions.len(), 4, "{versions:?}");
    for version in versions {
        let sql = std::fs::read_to_string(version.join("up.sql")).unwrap();
        client
            .batch_execute(&sql)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", version.display()));
    }
    client
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_micro_opt(9, 30, 0, 123_456).unwrap()
}

/// A city with rows in every table, ids increasing in insertion order (so
/// `list`, ordered by primary key, gives each vector back).
#[derive(Debug, Clone)]
struct Fixture {
    city: City,
    /// A second city without any rows of its own.
    empty_city: City,
    contract: ClimateCityContract,
    stats: Vec<CityAnnualStats>,
    sectors: Vec<Sector>,
    emissions: Vec<EmissionRecord>,
    budgets: Vec<CityBudget>,
    funding_sources: Vec<FundingSource>,
    budget_fundings: Vec<BudgetFunding>,
    initiatives: Vec<Initiative>,
    stakeholders: Vec<Stakeholder>,
    initiative_stakeholders: Vec<InitiativeStakeholder>,
    /// A tree: a root, two children, a grandchild.
    tef: Vec<TefCategory>,
    initiative_tefs: Vec<InitiativeTef>,
    indicators: Vec<Indicator>,
    indicator_values: Vec<IndicatorValue>,
    targets: Vec<CityTarget>,
    initiative_indicators: Vec<InitiativeIndicator>,
}

const CITY: u128 = 1;
const EMPTY_CITY: u128 = 2;

fn emission(n: u128, year: i32, sector: Option<u128>, scope: &str, value: i32) -> EmissionRecord {
    EmissionRecord {
        emission_record_id: id(100 + n),
        city_id: Some(id(CITY)),
        year,
        sector_id: sector.map(id),
        scope: scope.into(),
        ghg_type: "CO2e".into(),
        value,
        unit: "tCO2e".into(),
        notes: None,
        misc: None,
    }
}

fn fixture() -> Fixture {
    let city = City {
        city_id: id(CITY),
        city_name: "Lyon — \"Métropole\" 'de' Lyon".into(),
        country: "FR".into(),
        locode: Some("FRLIO".into()),
        area_km2: Some(dec("47.8700")),
        notes: None,
        misc: Some(json!({"source": {"page": 3, "pdf": "ccc.pdf"}, "tags": ["pilot", null]})),
    };
    let empty_city = City {
        city_id: id(EMPTY_CITY),
        city_name: "Aarhus".into(),
        country: "DK".into(),
        locode: None,
        area_km2: None,
        notes: Some("no records yet".into()),
        misc: None,
    };
    let contract = ClimateCityContract {
        climate_city_contract_id: id(10),
        city_id: Some(id(CITY)),
        contract_date: at(2024, 3, 15),
        title: "Climate City Contract".into(),
        version: Some("1.0".into()),
        language: Some("fr".into()),
        document_url: Some("https://example.invalid/ccc.pdf".into()),
        notes: None,
        misc: None,
    };
    let stats = [2019, 2022]
        .into_iter()
        .enumerate()
        .map(|(i, year)| CityAnnualStats {
            stat_id: id(20 + i as u128),
            city_id: Some(id(CITY)),
            year,
            population: Some(516_092 + i as i32 * 6_000),
            population_density: Some(dec("10781.5")),
            gdp_per_capita: (i == 0).then(|| dec("52000.25")),
            notes: None,
            misc: None,
        })
        .collect();
    let sectors = ["Stationary energy", "Transport", "Waste"]
        .into_iter()
        .enumerate()
        .map(|(i, name)| Sector {
            sector_id: id(30 + i as u128),
            sector_name: name.into(),
            description: None,
            notes: None,
            misc: None,
        })
        .collect();
    let mut emissions = vec![
        emission(1, 2019, Some(30), "scope 1", 1_210_000),
        emission(2, 2019, Some(30), "scope 2", 480_000),
        emission(3, 2019, Some(31), "scope 1", 905_000),
        // A citywide figure: NULL sector, in the unique key.
        emission(4, 2019, None, "total", 2_595_000),
        emission(5, 2022, Some(31), "scope 1", 860_000),
        emission(6, 2022, Some(32), "scope 3", 41_000),
    ];
    emissions[3].notes = Some("citywide".into());
    emissions[5].ghg_type = "CH4".into();
    emissions[5].misc = Some(json!({"gwp": 28}));
    let budgets = vec![
        CityBudget {
            budget_id: id(200),
            city_id: Some(id(CITY)),
            year: 2024,
            total_amount: 150_000_000,
            currency: "EUR".into(),
            description: Some("climate budget".into()),
            notes: None,
            misc: None,
        },
        CityBudget {
            budget_id: id(201),
            city_id: Some(id(CITY)),
            year: 2025,
            total_amount: 175_000_000,
            currency: "EUR".into(),
            description: None,
            notes: None,
            misc: None,
        },
    ];
    let funding_sources = vec![
        FundingSource {
            funding_source_id: id(300),
            name: "Horizon Europe".into(),
            r#type: "EU programme".into(),
            description: None,
            notes: None,
            misc: None,
        },
        FundingSource {
            funding_source_id: id(301),
            name: "Banque des Territoires".into(),
            r#type: "national".into(),
            description: None,
            notes: None,
            misc: None,
        },
    ];
    let budget_fundings = vec![
        BudgetFunding {
            budget_funding_id: id(400),
            budget_id: Some(id(200)),
            funding_source_id: Some(id(300)),
            amount: 12_000_000_000,
            currency: "EUR".into(),
            notes: None,
            misc: None,
        },
        BudgetFunding {
            budget_funding_id: id(401),
            budget_id: Some(id(200)),
            funding_source_id: Some(id(301)),
            amount: 3_500_000,
            currency: "EUR".into(),
            notes: None,
            misc: None,
        },
        BudgetFunding {
            budget_funding_id: id(402),
            budget_id: Some(id(201)),
            funding_source_id: Some(id(300)),
            amount: 1,
            currency: "EUR".into(),
            notes: Some("pledged".into()),
            misc: None,
        },
    ];
    let initiatives = vec![
        Initiative {
            initiative_id: id(500),
            city_id: Some(id(CITY)),
            title: "Tram extension".into(),
            description: Some("T10 line".into()),
            start_year: Some(2024),
            end_year: Some(2030),
            total_estimated_cost: Some(9_000_000_000),
            currency: Some("EUR".into()),
            status: Some("ongoing".into()),
            notes: None,
            misc: None,
        },
        Initiative {
            initiative_id: id(501),
            city_id: Some(id(CITY)),
            title: "District heating".into(),
            description: None,
            start_year: None,
            end_year: None,
            total_estimated_cost: None,
            currency: None,
            status: None,
            notes: None,
            misc: None,
        },
    ];
    let stakeholders = vec![
        Stakeholder {
            stakeholder_id: id(600),
            name: "SYTRAL".into(),
            r#type: Some("transport authority".into()),
            description: None,
            notes: None,
            misc: None,
        },
        Stakeholder {
            stakeholder_id: id(601),
            name: "Citizens' panel".into(),
            r#type: None,
            description: None,
            notes: None,
            misc: None,
        },
    ];
    let initiative_stakeholders = vec![
        InitiativeStakeholder {
            initiative_stakeholder_id: id(700),
            initiative_id: Some(id(500)),
            stakeholder_id: Some(id(600)),
            role: Some("lead".into()),
            notes: None,
            misc: None,
        },
        InitiativeStakeholder {
            initiative_stakeholder_id: id(701),
            initiative_id: Some(id(500)),
            stakeholder_id: Some(id(601)),
            role: Some("consulted".into()),
            notes: None,
            misc: None,
        },
        InitiativeStakeholder {
            initiative_stakeholder_id: id(702),
            initiative_id: Some(id(501)),
            stakeholder_id: Some(id(601)),
            role: None,
            notes: None,
            misc: None,
        },
    ];
    let tef = |n: u128, parent: Option<u128>, code: &str| TefCategory {
        tef_id: id(n),
        parent_id: parent.map(id),
        code: code.into(),
        name: format!("TEF {code}"),
        description: None,
        misc: None,
    };
    let tef = vec![
        tef(800, None, "1"),
        tef(801, Some(800), "1.1"),
        tef(802, Some(800), "1.2"),
        tef(803, Some(801), "1.1.1"),
    ];
    let initiative_tefs = vec![
        InitiativeTef {
            initiative_tef_id: id(900),
            initiative_id: Some(id(500)),
            tef_id: Some(id(801)),
            notes: None,
            misc: None,
        },
        InitiativeTef {
            initiative_tef_id: id(901),
            initiative_id: Some(id(501)),
            tef_id: Some(id(803)),
            notes: None,
            misc: None,
        },
    ];
    let indicators = vec![
        Indicator {
            indicator_id: id(1000),
            city_id: Some(id(CITY)),
            sector_id: None,
            name: "GHG emissions".into(),
            description: None,
            unit: "tCO2e".into(),
            notes: None,
            misc: None,
        },
        Indicator {
            indicator_id: id(1001),
            city_id: Some(id(CITY)),
            sector_id: Some(id(31)),
            name: "Modal share of public transport".into(),
            description: None,
            unit: "%".into(),
            notes: None,
            misc: None,
        },
    ];
    let indicator_values = vec![
        IndicatorValue {
            indicator_value_id: id(1100),
            indicator_id: Some(id(1000)),
            year: 2019,
            value: dec("2595000"),
            value_type: "measured".into(),
            notes: None,
            misc: None,
        },
        IndicatorValue {
            indicator_value_id: id(1101),
            indicator_id: Some(id(1000)),
            year: 2022,
            value: dec("2380000.5"),
            value_type: "measured".into(),
            notes: None,
            misc: None,
        },
        IndicatorValue {
            indicator_value_id: id(1102),
            indicator_id: Some(id(1001)),
            year: 2022,
            value: dec("0.27"),
            value_type: "estimated".into(),
            notes: None,
            misc: None,
        },
    ];
    let targets = vec![
        CityTarget {
            city_target_id: id(1200),
            city_id: Some(id(CITY)),
            indicator_id: Some(id(1000)),
            description: "-80 % by 2030".into(),
            target_year: date(2030, 12, 31),
            target_value: dec("519000"),
            baseline_year: Some(date(2019, 12, 31)),
            baseline_value: Some(dec("2595000")),
            status: "on track".into(),
            notes: None,
            misc: None,
        },
        CityTarget {
            city_target_id: id(1201),
            city_id: Some(id(CITY)),
            indicator_id: Some(id(1001)),
            description: "40 % public transport".into(),
            target_year: date(2030, 12, 31),
            target_value: dec("0.40"),
            baseline_year: None,
            baseline_value: None,
            status: "planned".into(),
            notes: None,
            misc: None,
        },
    ];
    let initiative_indicators = vec![
        InitiativeIndicator {
            initiative_indicator_id: id(1300),
            initiative_id: Some(id(500)),
            indicator_id: Some(id(1001)),
            contribution_type: "direct".into(),
            expected_change: Some(dec("0.05")),
            notes: None,
            misc: None,
        },
        InitiativeIndicator {
            initiative_indicator_id: id(1301),
            initiative_id: Some(id(501)),
            indicator_id: Some(id(1000)),
            contribution_type: "indirect".into(),
            expected_change: None,
            notes: None,
            misc: None,
        },
    ];
    Fixture {
        city,
        empty_city,
        contract,
        stats,
        sectors,
        emissions,
        budgets,
        funding_sources,
        budget_fundings,
        initiatives,
        stakeholders,
        initiative_stakeholders,
        tef,
        initiative_tefs,
        indicators,
        indicator_values,
        targets,
        initiative_indicators,
    }
}

/// Inserts the fixture: single rows with `insert`, the rest with
/// `insert_many` (binary COPY), parents before children.
async fn insert_fixture(db: &impl GenericClient, f: &Fixture) -> nzc::Result<()> {
    f.city.insert(db).await?;
    f.empty_city.insert(db).await?;
    f.contract.insert(db).await?;
    CityAnnualStats::insert_many(db, &f.stats).await?;
    Sector::insert_many(db, &f.sectors).await?;
    EmissionRecord::insert_many(db, &f.emissions).await?;
    CityBudget::insert_many(db, &f.budgets).await?;
    FundingSource::insert_many(db, &f.funding_sources).await?;
    BudgetFunding::insert_many(db, &f.budget_fundings).await?;
    Initiative::insert_many(db, &f.initiatives).await?;
    Stakeholder::insert_many(db, &f.stakeholders).await?;
    InitiativeStakeholder::insert_many(db, &f.initiative_stakeholders).await?;
    // The tree row by row: each parent exists before its children.
    for t in &f.tef {
        t.insert(db).await?;
    }
    InitiativeTef::insert_many(db, &f.initiative_tefs).await?;
    Indicator::insert_many(db, &f.indicators).await?;
    IndicatorValue::insert_many(db, &f.indicator_values).await?;
    CityTarget::insert_many(db, &f.targets).await?;
    InitiativeIndicator::insert_many(db, &f.initiative_indicators).await?;
    Ok(())
}

/// Writes the fixture the way a re-runnable loader does: `upsert_by_<cols>`
/// where the table has a unique key, `upsert` on the primary key elsewhere.
/// With `fresh_keys`, rows with a unique key come with new primary keys (a
/// re-extraction that did not keep the ids): they must still update the
/// existing rows.
async fn upsert_fixture(db: &impl GenericClient, f: &Fixture, fresh_keys: bool) -> nzc::Result<()> {
    let fresh = |n: Uuid| {
        if fresh_keys {
            Uuid::from_u128(n.as_u128() + 1_000_000)
        } else {
            n
        }
    };
    f.city.upsert(db).await?;
    f.empty_city.upsert(db).await?;
    let mut contract = f.contract.clone();
    contract.climate_city_contract_id = fresh(contract.climate_city_contract_id);
    contract.upsert_by_city_id(db).await?;
    for s in &f.stats {
        let mut s = s.clone();
        s.stat_id = fresh(s.stat_id);
        s.upsert_by_city_id_year(db).await?;
    }
    for s in &f.sectors {
        s.upsert(db).await?;
    }
    for e in &f.emissions {
        let mut e = e.clone();
        e.emission_record_id = fresh(e.emission_record_id);
        e.upsert_by_city_id_year_sector_id_scope_ghg_type(db)
            .await?;
    }
    for b in &f.budgets {
        b.upsert(db).await?;
    }
    for s in &f.funding_sources {
        s.upsert(db).await?;
    }
    for b in &f.budget_fundings {
        b.upsert(db).await?;
    }
    for i in &f.initiatives {
        i.upsert(db).await?;
    }
    for s in &f.stakeholders {
        s.upsert(db).await?;
    }
    for s in &f.initiative_stakeholders {
        let mut s = s.clone();
        s.initiative_stakeholder_id = fresh(s.initiative_stakeholder_id);
        s.upsert_by_initiative_id_stakeholder_id(db).await?;
    }
    for t in &f.tef {
        t.upsert(db).await?;
    }
    for t in &f.initiative_tefs {
        let mut t = t.clone();
        t.initiative_tef_id = fresh(t.initiative_tef_id);
        t.upsert_by_initiative_id_tef_id(db).await?;
    }
    for i in &f.indicators {
        i.upsert(db).await?;
    }
    for v in &f.indicator_values {
        let mut v = v.clone();
        v.indicator_value_id = fresh(v.indicator_value_id);
        v.upsert_by_indicator_id_year(db).await?;
    }
    for t in &f.targets {
        t.upsert(db).await?;
    }
    for i in &f.initiative_indicators {
        let mut i = i.clone();
        i.initiative_indicator_id = fresh(i.initiative_indicator_id);
        i.upsert_by_initiative_id_indicator_id(db).await?;
    }
    Ok(())
}

/// Every row of every table, in primary key order, as text.
async fn dump(db: &impl GenericClient) -> Vec<String> {
    macro_rules! tables {
        ($($model:ty),* $(,)?) => {
            vec![$(format!("{}: {:?}", <$model>::TABLE, <$model>::list(db).await.unwrap())),*]
        };
    }
    tables!(
        City,
        CityAnnualStats,
        ClimateCityContract,
        Sector,
        EmissionRecord,
        CityBudget,
        FundingSource,
        BudgetFunding,
        Initiative,
        Stakeholder,
        InitiativeStakeholder,
        TefCategory,
        InitiativeTef,
        Indicator,
        IndicatorValue,
        CityTarget,
        InitiativeIndicator,
    )
}

/// The number of rows of every table.
async fn counts(db: &impl GenericClient) -> Vec<(&'static str, u64)> {
    macro_rules! tables {
        ($($model:ty),* $(,)?) => {
            vec![$((<$model>::TABLE, <$model>::query().count(db).await.unwrap())),*]
        };
    }
    tables!(
        City,
        CityAnnualStats,
        ClimateCityContract,
        Sector,
        EmissionRecord,
        CityBudget,
        FundingSource,
        BudgetFunding,
        Initiative,
        Stakeholder,
        InitiativeStakeholder,
        TefCategory,
        InitiativeTef,
        Indicator,
        IndicatorValue,
        CityTarget,
        InitiativeIndicator,
    )
}

#[tokio::test]
async fn every_model_round_trips() {
    let db = TestDb::new().await;
    let client = migrated(&db).await;
    let f = fixture();
    insert_fixture(&client, &f).await.unwrap();

    // list (ordered by primary key) gives every vector back, values intact
    // (uuid, numeric, date, timestamp, jsonb, NULLs); get finds each row.
    macro_rules! check {
        ($model:ty, $rows:expr, $key:ident) => {{
            let rows: Vec<$model> = $rows;
            assert_eq!(<$model>::list(&client).await.unwrap(), rows);
            for row in &rows {
                assert_eq!(
                    <$model>::get(&client, row.$key).await.unwrap().as_ref(),
                    Some(row)
                );
            }
            assert_eq!(<$model>::get(&client, id(404)).await.unwrap(), None);
        }};
    }
    check!(City, vec![f.city.clone(), f.empty_city.clone()], city_id);
    check!(
        ClimateCityContract,
        vec![f.contract.clone()],
        climate_city_contract_id
    );
    check!(CityAnnualStats, f.stats.clone(), stat_id);
    check!(Sector, f.sectors.clone(), sector_id);
    check!(EmissionRecord, f.emissions.clone(), emission_record_id);
    check!(CityBudget, f.budgets.clone(), budget_id);
    check!(FundingSource, f.funding_sources.clone(), funding_source_id);
    check!(BudgetFunding, f.budget_fundings.clone(), budget_funding_id);
    check!(Initiative, f.initiatives.clone(), initiative_id);
    check!(Stakeholder, f.stakeholders.clone(), stakeholder_id);
    check!(
        InitiativeStakeholder,
        f.initiative_stakeholders.clone(),
        initiative_stakeholder_id
    );
    check!(TefCategory, f.tef.clone(), tef_id);
    check!(InitiativeTef, f.initiative_tefs.clone(), initiative_tef_id);
    check!(Indicator, f.indicators.clone(), indicator_id);
    check!(
        IndicatorValue,
        f.indicator_values.clone(),
        indicator_value_id
    );
    check!(CityTarget, f.targets.clone(), city_target_id);
    check!(
        InitiativeIndicator,
        f.initiative_indicators.clone(),
        initiative_indicator_id
    );
    // The exact values, where a loose comparison could hide a change.
    let city = City::get(&client, id(CITY)).await.unwrap().unwrap();
    assert_eq!(city.area_km2.unwrap().to_string(), "47.8700");
    assert_eq!(city.misc, f.city.misc);
    let funding = BudgetFunding::get(&client, id(400)).await.unwrap().unwrap();
    assert_eq!(funding.amount, 12_000_000_000);
    assert_eq!(
        ClimateCityContract::get(&client, id(10))
            .await
            .unwrap()
            .unwrap()
            .contract_date,
        at(2024, 3, 15)
    );
}

#[tokio::test]
async fn update_delete_and_upsert() {
    let db = TestDb::new().await;
    let client = migrated(&db).await;
    let f = fixture();
    insert_fixture(&client, &f).await.unwrap();

    // update: every non-key column, by primary key.
    let mut initiative = f.initiatives[1].clone();
    initiative.status = Some("approved".into());
    initiative.total_estimated_cost = Some(i64::MAX);
    initiative.misc = Some(json!({"phase": 2}));
    assert!(initiative.update(&client).await.unwrap());
    assert_eq!(
        Initiative::get(&client, initiative.initiative_id)
            .await
            .unwrap(),
        Some(initiative.clone())
    );
    let mut ghost = initiative.clone();
    ghost.initiative_id = id(404);
    assert!(!ghost.update(&client).await.unwrap());

    // delete: by primary key, `false` the second time.
    assert!(InitiativeIndicator::delete(&client, id(1300))
        .await
        .unwrap());
    assert!(!InitiativeIndicator::delete(&client, id(1300))
        .await
        .unwrap());
    assert_eq!(InitiativeIndicator::list(&client).await.unwrap().len(), 1);

    // upsert on the primary key: inserts, then updates in place.
    let mut stakeholder = Stakeholder {
        stakeholder_id: id(650),
        name: "ADEME".into(),
        r#type: None,
        description: None,
        notes: None,
        misc: None,
    };
    assert_eq!(stakeholder.upsert(&client).await.unwrap(), stakeholder);
    stakeholder.r#type = Some("agency".into());
    assert_eq!(stakeholder.upsert(&client).await.unwrap(), stakeholder);
    assert_eq!(Stakeholder::list(&client).await.unwrap().len(), 3);
    assert_eq!(
        Stakeholder::get(&client, id(650)).await.unwrap(),
        Some(stakeholder)
    );
}

#[tokio::test]
async fn find_by_and_upsert_by_every_unique_key() {
    let db = TestDb::new().await;
    let client = migrated(&db).await;
    let f = fixture();
    insert_fixture(&client, &f).await.unwrap();
    let city = id(CITY);

    // find_by_<cols>: the row, or None.
    assert_eq!(
        ClimateCityContract::find_by_city_id(&client, city)
            .await
            .unwrap(),
        Some(f.contract.clone())
    );
    assert_eq!(
        ClimateCityContract::find_by_city_id(&client, id(EMPTY_CITY))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        CityAnnualStats::find_by_city_id_year(&client, city, 2022)
            .await
            .unwrap(),
        Some(f.stats[1].clone())
    );
    assert_eq!(
        EmissionRecord::find_by_city_id_year_sector_id_scope_ghg_type(
            &client,
            city,
            2019,
            id(31),
            "scope 1",
            "CO2e"
        )
        .await
        .unwrap(),
        Some(f.emissions[2].clone())
    );
    // NULL in the key matches NULL.
    assert_eq!(
        EmissionRecord::find_by_city_id_year_sector_id_scope_ghg_type(
            &client, city, 2019, None, "total", "CO2e"
        )
        .await
        .unwrap(),
        Some(f.emissions[3].clone())
    );
    assert_eq!(
        InitiativeStakeholder::find_by_initiative_id_stakeholder_id(&client, id(500), id(601))
            .await
            .unwrap(),
        Some(f.initiative_stakeholders[1].clone())
    );
    assert_eq!(
        InitiativeTef::find_by_initiative_id_tef_id(&client, id(501), id(803))
            .await
            .unwrap(),
        Some(f.initiative_tefs[1].clone())
    );
    assert_eq!(
        IndicatorValue::find_by_indicator_id_year(&client, id(1000), 2022)
            .await
            .unwrap(),
        Some(f.indicator_values[1].clone())
    );
    assert_eq!(
        InitiativeIndicator::find_by_initiative_id_indicator_id(&client, id(501), id(1000))
            .await
            .unwrap(),
        Some(f.initiative_indicators[1].clone())
    );

    // upsert_by_<cols> with a new primary key: the existing row is updated
    // and keeps its key.
    let mut contract = f.contract.clone();
    contract.climate_city_contract_id = id(11);
    contract.version = Some("1.1".into());
    let stored = contract.upsert_by_city_id(&client).await.unwrap();
    assert_eq!(stored.climate_city_contract_id, id(10));
    assert_eq!(stored.version.as_deref(), Some("1.1"));

    let mut value = f.indicator_values[0].clone();
    value.indicator_value_id = id(1199);
    value.value = dec("2600000");
    let stored = value.upsert_by_indicator_id_year(&client).await.unwrap();
    assert_eq!(stored.indicator_value_id, id(1100));
    assert_eq!(stored.value, dec("2600000"));

    // The NULL-sector emission: updated, not duplicated.
    let mut total = f.emissions[3].clone();
    total.emission_record_id = id(199);
    total.value = 2_600_000;
    let stored = total
        .upsert_by_city_id_year_sector_id_scope_ghg_type(&client)
        .await
        .unwrap();
    assert_eq!(stored.emission_record_id, f.emissions[3].emission_record_id);
    assert_eq!(stored.value, 2_600_000);
    assert_eq!(
        EmissionRecord::query().count(&client).await.unwrap(),
        f.emissions.len() as u64
    );
    // A new key is inserted as it is.
    let new = emission(50, 2023, None, "total", 2_300_000);
    assert_eq!(
        new.upsert_by_city_id_year_sector_id_scope_ghg_type(&client)
            .await
            .unwrap(),
        new
    );
    assert_eq!(
        EmissionRecord::query().count(&client).await.unwrap(),
        f.emissions.len() as u64 + 1
    );
}

#[tokio::test]
async fn reloading_with_upserts_is_idempotent() {
    let db = TestDb::new().await;
    // Through a statement cache this time: the same methods, prepared once.
    let client = nzc::CachedClient::new(migrated(&db).await);
    let f = fixture();

    upsert_fixture(&client, &f, false).await.unwrap();
    let first = dump(&client).await;
    let first_counts = counts(&client).await;
    assert!(first_counts.iter().all(|(_, n)| *n > 0), "{first_counts:?}");
    // The same rows again, then again as a re-extraction with other ids.
    upsert_fixture(&client, &f, false).await.unwrap();
    assert_eq!(dump(&client).await, first);
    upsert_fixture(&client, &f, true).await.unwrap();
    assert_eq!(counts(&client).await, first_counts);
    assert_eq!(dump(&client).await, first);
    // The rows are the fixture's (insert would have written the same).
    let db2 = TestDb::new().await;
    let other = migrated(&db2).await;
    insert_fixture(&other, &f).await.unwrap();
    assert_eq!(dump(&other).await, first);
}

#[tokio::test]
async fn the_filter_builder_on_the_model() {
    let db = TestDb::new().await;
    let client = migrated(&db).await;
    let f = fixture();
    insert_fixture(&client, &f).await.unwrap();
    let e = &f.emissions;

    let citywide = EmissionRecord::query()
        .filter(EmissionRecord::SECTOR_ID.is_null())
        .all(&client)
        .await
        .unwrap();
    assert_eq!(citywide, [e[3].clone()]);
    let transport_or_waste = EmissionRecord::query()
        .filter(EmissionRecord::SECTOR_ID.in_list([id(31), id(32)]))
        .order_by(EmissionRecord::VALUE.desc())
        .all(&client)
        .await
        .unwrap();
    assert_eq!(
        transport_or_waste,
        [e[2].clone(), e[4].clone(), e[5].clone()]
    );
    let scoped = EmissionRecord::query()
        .filter(
            EmissionRecord::SCOPE
                .like("scope %")
                .and(EmissionRecord::YEAR.ge(2022))
                .or(EmissionRecord::GHG_TYPE.ne("CO2e")),
        )
        .count(&client)
        .await
        .unwrap();
    assert_eq!(scoped, 2);
    let page = EmissionRecord::query()
        .filter(EmissionRecord::CITY_ID.eq(id(CITY)))
        .order_by(EmissionRecord::YEAR.asc())
        .order_by(EmissionRecord::VALUE.asc())
        .limit(2)
        .offset(1)
        .all(&client)
        .await
        .unwrap();
    // 2019: 480 000, 905 000, 1 210 000, 2 595 000; then 2022.
    assert_eq!(page, [e[2].clone(), e[0].clone()]);
    let biggest = EmissionRecord::query()
        .filter(EmissionRecord::SECTOR_ID.is_not_null())
        .order_by(EmissionRecord::VALUE.desc())
        .first(&client)
        .await
        .unwrap();
    assert_eq!(biggest, Some(e[0].clone()));
    // Other models: dates, decimals, text.
    let due_2030 = CityTarget::query()
        .filter(CityTarget::TARGET_YEAR.eq(date(2030, 12, 31)))
        .filter(CityTarget::TARGET_VALUE.lt(dec("1")))
        .all(&client)
        .await
        .unwrap();
    assert_eq!(due_2030, [f.targets[1].clone()]);
    assert_eq!(
        TefCategory::query()
            .filter(TefCategory::CODE.like("1.1%"))
            .count(&client)
            .await
            .unwrap(),
        2
    );
    // delete through a filter.
    let deleted = EmissionRecord::query()
        .filter(EmissionRecord::YEAR.eq(2019))
        .delete(&client)
        .await
        .unwrap();
    assert_eq!(deleted, 4);
    assert_eq!(
        EmissionRecord::list(&client).await.unwrap(),
        [e[4].clone(), e[5].clone()]
    );
}

#[tokio::test]
async fn relations_both_ways() {
    let db = TestDb::new().await;
    let client = migrated(&db).await;
    let f = fixture();
    insert_fixture(&client, &f).await.unwrap();
    let c = &client;

    // Forward: the referenced row, None for a NULL key.
    let e = &f.emissions;
    assert_eq!(e[0].city(c).await.unwrap(), Some(f.city.clone()));
    assert_eq!(e[0].sector(c).await.unwrap(), Some(f.sectors[0].clone()));
    assert_eq!(e[3].sector(c).await.unwrap(), None);
    assert_eq!(f.contract.city(c).await.unwrap(), Some(f.city.clone()));
    assert_eq!(f.stats[0].city(c).await.unwrap(), Some(f.city.clone()));
    assert_eq!(
        f.budget_fundings[2].city_budget(c).await.unwrap(),
        Some(f.budgets[1].clone())
    );
    assert_eq!(
        f.budget_fundings[2].funding_source(c).await.unwrap(),
        Some(f.funding_sources[0].clone())
    );
    assert_eq!(
        f.initiative_stakeholders[2].initiative(c).await.unwrap(),
        Some(f.initiatives[1].clone())
    );
    assert_eq!(
        f.initiative_stakeholders[2].stakeholder(c).await.unwrap(),
        Some(f.stakeholders[1].clone())
    );
    assert_eq!(
        f.initiative_tefs[1].tef_category(c).await.unwrap(),
        Some(f.tef[3].clone())
    );
    assert_eq!(
        f.indicators[1].sector(c).await.unwrap(),
        Some(f.sectors[1].clone())
    );
    assert_eq!(f.indicators[0].sector(c).await.unwrap(), None);
    assert_eq!(
        f.indicator_values[2].indicator(c).await.unwrap(),
        Some(f.indicators[1].clone())
    );
    assert_eq!(
        f.targets[0].indicator(c).await.unwrap(),
        Some(f.indicators[0].clone())
    );
    assert_eq!(f.targets[0].city(c).await.unwrap(), Some(f.city.clone()));
    assert_eq!(
        f.initiative_indicators[0].indicator(c).await.unwrap(),
        Some(f.indicators[1].clone())
    );
    // The tree: a self-reference, named after the column.
    assert_eq!(f.tef[3].parent(c).await.unwrap(), Some(f.tef[1].clone()));
    assert_eq!(f.tef[0].parent(c).await.unwrap(), None);

    // Reverse: the referencing rows, ordered by primary key.
    let city = &f.city;
    assert_eq!(city.emission_records(c).await.unwrap(), f.emissions);
    assert_eq!(city.city_annual_stats(c).await.unwrap(), f.stats);
    // One-to-one (`cityId` is unique in ClimateCityContract): one row or none.
    assert_eq!(
        city.climate_city_contract(c).await.unwrap(),
        Some(f.contract.clone())
    );
    assert_eq!(city.city_budgets(c).await.unwrap(), f.budgets);
    assert_eq!(city.initiatives(c).await.unwrap(), f.initiatives);
    assert_eq!(city.indicators(c).await.unwrap(), f.indicators);
    assert_eq!(city.city_targets(c).await.unwrap(), f.targets);
    assert_eq!(f.empty_city.emission_records(c).await.unwrap(), []);
    assert_eq!(f.empty_city.climate_city_contract(c).await.unwrap(), None);
    assert_eq!(
        f.sectors[1].emission_records(c).await.unwrap(),
        [e[2].clone(), e[4].clone()]
    );
    assert_eq!(
        f.sectors[1].indicators(c).await.unwrap(),
        [f.indicators[1].clone()]
    );
    assert_eq!(
        f.budgets[0].budget_fundings(c).await.unwrap(),
        f.budget_fundings[..2]
    );
    assert_eq!(
        f.funding_sources[0].budget_fundings(c).await.unwrap(),
        [f.budget_fundings[0].clone(), f.budget_fundings[2].clone()]
    );
    assert_eq!(
        f.initiatives[0].initiative_stakeholders(c).await.unwrap(),
        f.initiative_stakeholders[..2]
    );
    assert_eq!(
        f.initiatives[1].initiative_tefs(c).await.unwrap(),
        [f.initiative_tefs[1].clone()]
    );
    assert_eq!(
        f.initiatives[1].initiative_indicators(c).await.unwrap(),
        [f.initiative_indicators[1].clone()]
    );
    assert_eq!(
        f.stakeholders[1].initiative_stakeholders(c).await.unwrap(),
        f.initiative_stakeholders[1..]
    );
    assert_eq!(
        f.indicators[0].indicator_values(c).await.unwrap(),
        f.indicator_values[..2]
    );
    assert_eq!(
        f.indicators[1].city_targets(c).await.unwrap(),
        [f.targets[1].clone()]
    );
    assert_eq!(
        f.indicators[1].initiative_indicators(c).await.unwrap(),
        [f.initiative_indicators[0].clone()]
    );
    assert_eq!(
        f.tef[0].tef_categories_by_parent_id(c).await.unwrap(),
        f.tef[1..3]
    );
    assert_eq!(f.tef[3].tef_categories_by_parent_id(c).await.unwrap(), []);
    assert_eq!(
        f.tef[1].initiative_tefs(c).await.unwrap(),
        [f.initiative_tefs[0].clone()]
    );

    // Inside a transaction, the relations see its rows.
    let mut client = client;
    let tx = client.transaction().await.unwrap();
    let late = emission(60, 2024, Some(32), "scope 1", 1);
    late.insert(&tx).await.unwrap();
    assert_eq!(f.sectors[2].emission_records(&tx).await.unwrap().len(), 2);
    assert_eq!(late.sector(&tx).await.unwrap(), Some(f.sectors[2].clone()));
    tx.rollback().await.unwrap();
    assert_eq!(
        f.sectors[2].emission_records(&client).await.unwrap(),
        [e[5].clone()]
    );
}

#[tokio::test]
async fn violations_are_classified_with_the_constraint_name() {
    let db = TestDb::new().await;
    let client = migrated(&db).await;
    let f = fixture();
    insert_fixture(&client, &f).await.unwrap();

    // A second contract for one city.
    let mut second = f.contract.clone();
    second.climate_city_contract_id = id(12);
    let err = second.insert(&client).await.unwrap_err();
    assert!(matches!(err, nzc::Error::UniqueViolation { .. }), "{err:?}");
    assert_eq!(err.constraint(), Some("uq_ClimateCityContract_cityId"));
    // The same primary key twice.
    let err = f.city.insert(&client).await.unwrap_err();
    assert!(matches!(err, nzc::Error::UniqueViolation { .. }), "{err:?}");
    assert_eq!(err.constraint(), Some("pk_City"));
    // An emission figure that exists already.
    let mut dup = f.emissions[0].clone();
    dup.emission_record_id = id(198);
    let err = dup.insert(&client).await.unwrap_err();
    assert_eq!(err.constraint(), Some("uq_EmissionRecord_cityId"));

    // Unknown referenced rows.
    let mut orphan = emission(70, 2024, None, "total", 1);
    orphan.city_id = Some(id(404));
    let err = orphan.insert(&client).await.unwrap_err();
    assert!(
        matches!(err, nzc::Error::ForeignKeyViolation { .. }),
        "{err:?}"
    );
    assert_eq!(err.constraint(), Some("fk_EmissionRecord_cityId_City"));
    let mut lost = f.tef[3].clone();
    lost.tef_id = id(899);
    lost.parent_id = Some(id(404));
    let err = lost.insert(&client).await.unwrap_err();
    assert_eq!(
        err.constraint(),
        Some("fk_TefCategory_parentId_TefCategory")
    );
    // Deleting a referenced row.
    let err = Sector::delete(&client, id(32)).await.unwrap_err();
    assert!(
        matches!(err, nzc::Error::ForeignKeyViolation { .. }),
        "{err:?}"
    );
    assert_eq!(err.constraint(), Some("fk_EmissionRecord_sectorId_Sector"));
    // insert_many: all rows or none.
    let batch = vec![
        emission(80, 2030, Some(30), "scope 1", 1),
        emission(81, 2030, Some(405), "scope 1", 1),
    ];
    let err = EmissionRecord::insert_many(&client, &batch)
        .await
        .unwrap_err();
    assert_eq!(err.constraint(), Some("fk_EmissionRecord_sectorId_Sector"));
    assert_eq!(
        EmissionRecord::query().count(&client).await.unwrap(),
        f.emissions.len() as u64
    );
    // Nothing changed.
    assert_eq!(
        ClimateCityContract::list(&client).await.unwrap(),
        std::slice::from_ref(&f.contract)
    );
}

#[tokio::test]
async fn a_transaction_rolls_back_and_commits() {
    let db = TestDb::new().await;
    let mut client = migrated(&db).await;
    let f = fixture();
    let empty = counts(&client).await;
    assert!(empty.iter().all(|(_, n)| *n == 0));

    // Everything inserted, then an error: rolled back, nothing stays.
    let tx = client.transaction().await.unwrap();
    insert_fixture(&tx, &f).await.unwrap();
    assert!(counts(&tx).await.iter().all(|(_, n)| *n > 0));
    let mut second = f.contract.clone();
    second.climate_city_contract_id = id(12);
    let err = second.insert(&tx).await.unwrap_err();
    assert_eq!(err.constraint(), Some("uq_ClimateCityContract_cityId"));
    tx.rollback().await.unwrap();
    assert_eq!(counts(&client).await, empty);

    // Dropped without commit: the same.
    {
        let tx = client.transaction().await.unwrap();
        insert_fixture(&tx, &f).await.unwrap();
    }
    assert_eq!(counts(&client).await, empty);

    // Committed: everything there.
    let tx = client.transaction().await.unwrap();
    insert_fixture(&tx, &f).await.unwrap();
    tx.commit().await.unwrap();
    let committed = counts(&client).await;
    assert_eq!(committed[0], ("City", 2));
    assert_eq!(committed[4], ("EmissionRecord", f.emissions.len() as u64));
}

#[tokio::test]
async fn the_loader_example_loads_idempotently() {
    let db = TestDb::new().await;
    let mut client = migrated(&db).await;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/extracted.json");
    let data = load::parse(&std::fs::read_to_string(path).unwrap()).unwrap();

    // What `main` does: one transaction per run.
    let mut runs = Vec::new();
    for _ in 0..2 {
        let tx = client.transaction().await.unwrap();
        let loaded = load::load(&tx, &data).await.unwrap();
        let table_counts = load::table_counts(&tx).await.unwrap();
        tx.commit().await.unwrap();
        runs.push((loaded, table_counts, dump(&client).await));
    }
    assert_eq!(runs[0], runs[1]);
    let (loaded, table_counts, _) = &runs[0];
    assert_eq!(
        (
            loaded.cities,
            loaded.contracts,
            loaded.sectors,
            loaded.emissions,
            loaded.indicators,
            loaded.targets
        ),
        (1, 1, 3, 8, 2, 3)
    );
    assert_eq!(
        table_counts,
        &[
            ("City", 1),
            ("ClimateCityContract", 1),
            ("Sector", 3),
            ("EmissionRecord", 8),
            ("Indicator", 2),
            ("CityTarget", 3),
        ]
    );

    // The citywide totals (NULL sector) are there once per year.
    let totals = EmissionRecord::query()
        .filter(EmissionRecord::SECTOR_ID.is_null())
        .order_by(EmissionRecord::YEAR.asc())
        .all(&client)
        .await
        .unwrap();
    assert_eq!(
        totals.iter().map(|e| (e.year, e.value)).collect::<Vec<_>>(),
        [(2019, 2_595_000), (2022, 2_380_000)]
    );
    // And the rows hang together: the city's contract, records, targets.
    let city = &City::list(&client).await.unwrap()[0];
    assert_eq!(city.city_name, "Lyon");
    assert!(city.climate_city_contract(&client).await.unwrap().is_some());
    assert_eq!(city.emission_records(&client).await.unwrap().len(), 8);
    let targets = city.city_targets(&client).await.unwrap();
    assert_eq!(targets.len(), 3);
    for target in &targets {
        assert!(target.indicator(&client).await.unwrap().is_some());
    }
}

// ---------------------------------------------------------------------------
// Batches: upsert_many, batch relations, keyset pages, streaming.

fn count(inserted: u64, updated: u64) -> nzc::UpsertCount {
    nzc::UpsertCount { inserted, updated }
}

async fn rows_of(db: &impl GenericClient, table: &str) -> i64 {
    db.client()
        .query_one(&format!("SELECT count(*) FROM \"{table}\""), &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn upsert_many_counts_inserts_and_updates_and_last_wins() {
    let db = TestDb::new().await;
    let client = migrated(&db).await;
    let f = fixture();
    let c = &client;
    City::insert_many(c, &[f.city.clone(), f.empty_city.clone()])
        .await
        .unwrap();

    // Half existing (updated), half new (inserted).
    let mut lyon = f.city.clone();
    lyon.notes = Some("updated".into());
    let mut cities = vec![lyon.clone()];
    for n in 0..3 {
        let mut city = f.empty_city.clone();
        city.city_id = id(500 + n);
        city.city_name = format!("New {n}");
        cities.push(city);
    }
    assert_eq!(City::upsert_many(c, &cities).await.unwrap(), count(3, 1));
    assert_eq!(City::get(c, id(CITY)).await.unwrap(), Some(lyon.clone()));
    assert_eq!(
        City::get(c, id(501)).await.unwrap(),
        Some(cities[2].clone())
    );
    assert_eq!(rows_of(c, "City").await, 5);

    // The same key twice in one batch: the last row wins, counted once.
    let mut first = f.empty_city.clone();
    first.city_id = id(600);
    first.city_name = "first".into();
    let mut last = first.clone();
    last.city_name = "last".into();
    let mut again = lyon.clone();
    again.notes = Some("again".into());
    let mut last_lyon = lyon.clone();
    last_lyon.notes = Some("last".into());
    assert_eq!(
        City::upsert_many(c, &[first, again, last.clone(), last_lyon.clone()])
            .await
            .unwrap(),
        count(1, 1)
    );
    assert_eq!(City::get(c, id(600)).await.unwrap(), Some(last));
    assert_eq!(City::get(c, id(CITY)).await.unwrap(), Some(last_lyon));

    // An empty batch is a no-op without a round trip: it succeeds even in
    // an aborted transaction, where every statement fails.
    client.batch_execute("BEGIN").await.unwrap();
    assert!(client.batch_execute("SELECT 1/0").await.is_err());
    assert_eq!(City::upsert_many(c, &[]).await.unwrap(), count(0, 0));
    assert_eq!(
        EmissionRecord::upsert_many_by_city_id_year_sector_id_scope_ghg_type(c, &[])
            .await
            .unwrap(),
        count(0, 0)
    );
    assert!(City::upsert_many(c, &cities).await.is_err());
    client.batch_execute("ROLLBACK").await.unwrap();
}

#[tokio::test]
async fn upsert_many_by_a_unique_key_with_nulls_is_null_safe() {
    let db = TestDb::new().await;
    let client = migrated(&db).await;
    let f = fixture();
    let c = &client;
    insert_fixture(c, &f).await.unwrap();
    let before = rows_of(c, "EmissionRecord").await;

    // The fixture's records again, with fresh primary keys and new values:
    // matched on (cityId, year, sectorId, scope, ghgType), NULL sector
    // included, so every one is an update of the existing row.
    let reloaded: Vec<EmissionRecord> = f
        .emissions
        .iter()
        .map(|e| EmissionRecord {
            emission_record_id: Uuid::new_v4(),
            value: e.value + 1,
            ..e.clone()
        })
        .collect();
    assert!(reloaded.iter().any(|e| e.sector_id.is_none()));
    assert_eq!(
        EmissionRecord::upsert_many_by_city_id_year_sector_id_scope_ghg_type(c, &reloaded)
            .await
            .unwrap(),
        count(0, reloaded.len() as u64)
    );
    assert_eq!(rows_of(c, "EmissionRecord").await, before);
    let stored = EmissionRecord::list(c).await.unwrap();
    for e in &f.emissions {
        let s = stored
            .iter()
            .find(|s| s.emission_record_id == e.emission_record_id)
            .unwrap();
        assert_eq!(s.value, e.value + 1, "{e:?}");
    }

    // New NULL-keyed rows: inserted once, then updated (not duplicated),
    // and two of them with the same key in one batch: the last one wins.
    let new = |n: u128, value: i32| EmissionRecord {
        emission_record_id: id(9_000 + n),
        city_id: None,
        year: 2030,
        sector_id: None,
        scope: "total".into(),
        ghg_type: "CO2e".into(),
        value,
        unit: "t".into(),
        notes: None,
        misc: None,
    };
    let batch = [new(1, 10), new(2, 20), new(3, 30)];
    assert_eq!(
        EmissionRecord::upsert_many_by_city_id_year_sector_id_scope_ghg_type(c, &batch)
            .await
            .unwrap(),
        count(1, 0)
    );
    let found = EmissionRecord::find_by_city_id_year_sector_id_scope_ghg_type(
        c, None, 2030, None, "total", "CO2e",
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!((found.emission_record_id, found.value), (id(9_003), 30));
    assert_eq!(
        EmissionRecord::upsert_many_by_city_id_year_sector_id_scope_ghg_type(c, &[new(4, 40)])
            .await
            .unwrap(),
        count(0, 1)
    );
    assert_eq!(rows_of(c, "EmissionRecord").await, before + 1);
    // The existing row keeps its primary key, as with `upsert_by_…`.
    let found = EmissionRecord::get(c, id(9_003)).await.unwrap().unwrap();
    assert_eq!(found.value, 40);
}

#[tokio::test]
async fn upsert_many_beyond_the_bind_parameter_limit() {
    let db = TestDb::new().await;
    let client = migrated(&db).await;
    let f = fixture();
    let c = &client;
    City::insert_many(c, std::slice::from_ref(&f.city))
        .await
        .unwrap();
    // 70,000 rows × 10 columns: 700,000 values, far over 65,535 parameters.
    let n = 70_000;
    let mut records: Vec<EmissionRecord> = (0..n)
        .map(|i| EmissionRecord {
            emission_record_id: id(1_000_000 + i as u128),
            city_id: Some(id(CITY)),
            year: 1900 + (i % 100) as i32,
            sector_id: None,
            scope: format!("s{}", i / 100),
            ghg_type: "CO2e".into(),
            value: i as i32,
            unit: "t".into(),
            notes: (i % 2 == 0).then(|| "even".into()),
            misc: (i % 7 == 0).then(|| json!({ "i": i })),
        })
        .collect();
    assert_eq!(
        EmissionRecord::upsert_many(c, &records).await.unwrap(),
        count(n, 0)
    );
    assert_eq!(rows_of(c, "EmissionRecord").await, n as i64);
    // Again by the unique key (NULL sector: the NULL-safe path), changed.
    for r in &mut records {
        r.emission_record_id = Uuid::new_v4();
        r.value += 1;
    }
    assert_eq!(
        EmissionRecord::upsert_many_by_city_id_year_sector_id_scope_ghg_type(c, &records)
            .await
            .unwrap(),
        count(0, n)
    );
    assert_eq!(rows_of(c, "EmissionRecord").await, n as i64);
    let sum: i64 = c
        .query_one("SELECT sum(value)::int8 FROM \"EmissionRecord\"", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(sum, (0..n as i64).map(|i| i + 1).sum::<i64>());
}

#[tokio::test]
async fn a_violating_row_rolls_the_whole_batch_back() {
    let db = TestDb::new().await;
    let client = migrated(&db).await;
    let f = fixture();
    let c = &client;
    City::insert_many(c, std::slice::from_ref(&f.city))
        .await
        .unwrap();
    Sector::insert_many(c, &f.sectors).await.unwrap();
    let mut records = f.emissions.clone();
    records[4].city_id = Some(id(999)); // no such city
    let err = EmissionRecord::upsert_many(c, &records).await.unwrap_err();
    assert!(
        matches!(err, nzc::Error::ForeignKeyViolation { .. }),
        "{err:?}"
    );
    assert_eq!(err.constraint(), Some("fk_EmissionRecord_cityId_City"));
    let err = EmissionRecord::upsert_many_by_city_id_year_sector_id_scope_ghg_type(c, &records)
        .await
        .unwrap_err();
    assert_eq!(err.constraint(), Some("fk_EmissionRecord_cityId_City"));
    assert_eq!(rows_of(c, "EmissionRecord").await, 0);

    // Inside the caller's transaction: the statement fails, the
    // transaction is the caller's to roll back.
    let mut client = client;
    let tx = client.transaction().await.unwrap();
    EmissionRecord::upsert_many(&tx, &f.emissions[..2])
        .await
        .unwrap();
    assert!(EmissionRecord::upsert_many(&tx, &records).await.is_err());
    tx.rollback().await.unwrap();
    assert_eq!(rows_of(&client, "EmissionRecord").await, 0);
}

#[tokio::test]
async fn batch_relations_match_the_per_row_ones() {
    let db = TestDb::new().await;
    let client = migrated(&db).await;
    let f = fixture();
    let c = &client;
    insert_fixture(c, &f).await.unwrap();

    // Reverse, input order kept, a parent without children, a duplicate.
    let cities = [f.empty_city.clone(), f.city.clone(), f.empty_city.clone()];
    let records = City::emission_records_of(c, &cities).await.unwrap();
    let mut expected = Vec::new();
    for city in &cities {
        expected.push(city.emission_records(c).await.unwrap());
    }
    assert_eq!(records, expected);
    assert_eq!(records[1], f.emissions);
    assert!(records[0].is_empty() && records[2].is_empty());
    assert_eq!(
        City::emission_records_of(c, &[]).await.unwrap(),
        Vec::<Vec<_>>::new()
    );

    // Forward: NULL keys give None, repeated parents come once per row.
    let by_city = EmissionRecord::city_of(c, &f.emissions).await.unwrap();
    assert_eq!(by_city, vec![Some(f.city.clone()); f.emissions.len()]);
    let sectors = EmissionRecord::sector_of(c, &f.emissions).await.unwrap();
    let mut expected = Vec::new();
    for e in &f.emissions {
        expected.push(e.sector(c).await.unwrap());
    }
    assert_eq!(sectors, expected);
    assert!(sectors.iter().any(Option::is_none));

    // One-to-one: `cityId` is unique in ClimateCityContract.
    let contracts = City::climate_city_contract_of(c, &[f.city.clone(), f.empty_city.clone()])
        .await
        .unwrap();
    assert_eq!(contracts, [Some(f.contract.clone()), None]);

    // Self-reference both ways.
    let parents = TefCategory::parent_of(c, &f.tef).await.unwrap();
    let children = TefCategory::tef_categories_by_parent_id_of(c, &f.tef)
        .await
        .unwrap();
    for (i, t) in f.tef.iter().enumerate() {
        assert_eq!(parents[i], t.parent(c).await.unwrap(), "{t:?}");
        assert_eq!(
            children[i],
            t.tef_categories_by_parent_id(c).await.unwrap(),
            "{t:?}"
        );
    }
    assert!(parents.iter().any(Option::is_none));
    assert!(children.iter().any(|c| c.len() >= 2));

    // Every other reverse relation of the city, against its per-row form.
    let both = [f.city.clone(), f.empty_city.clone()];
    let stats = City::city_annual_stats_of(c, &both).await.unwrap();
    assert_eq!(stats, [f.stats.clone(), Vec::new()]);
    let budgets = City::city_budgets_of(c, &both).await.unwrap();
    assert_eq!(budgets, [f.budgets.clone(), Vec::new()]);
    let fundings = CityBudget::budget_fundings_of(c, &f.budgets).await.unwrap();
    for (i, b) in f.budgets.iter().enumerate() {
        assert_eq!(fundings[i], b.budget_fundings(c).await.unwrap());
    }
}

/// `n` cities whose names repeat (every name 3 times) and are NULL for
/// every 5th city's `locode`, for keyset walks.
fn many_cities(n: u128) -> Vec<City> {
    (0..n)
        .map(|i| City {
            city_id: Uuid::from_u128(0x1000 + (i * 7919) % 1_000_003),
            city_name: format!("city {:03}", i / 3),
            country: if i % 2 == 0 { "FR" } else { "DK" }.into(),
            locode: (i % 5 != 0).then(|| format!("L{:02}", i % 17)),
            area_km2: None,
            notes: None,
            misc: None,
        })
        .collect()
}

async fn walk(
    db: &impl GenericClient,
    query: impl Fn() -> nzc::Query<City>,
    page: u64,
    between_pages: impl AsyncFn(usize),
) -> Vec<City> {
    let mut all = Vec::new();
    let mut rows = query().limit(page).all(db).await.unwrap();
    let mut pages = 0;
    while let Some(last) = rows.last().cloned() {
        all.extend(rows);
        pages += 1;
        between_pages(pages).await;
        rows = query().after(&last).limit(page).all(db).await.unwrap();
    }
    all
}

#[tokio::test]
async fn keyset_pages_visit_every_row_once() {
    let db = TestDb::new().await;
    let client = migrated(&db).await;
    let c = &client;
    let cities = many_cities(250);
    City::insert_many(c, &cities).await.unwrap();

    type Order = Box<dyn Fn() -> nzc::Query<City>>;
    let orders: Vec<(&str, Order)> = vec![
        (
            "name asc",
            Box::new(|| City::query().order_by(City::CITY_NAME.asc())),
        ),
        (
            "name desc",
            Box::new(|| City::query().order_by(City::CITY_NAME.desc())),
        ),
        (
            "locode asc (NULLs)",
            Box::new(|| City::query().order_by(City::LOCODE.asc())),
        ),
        (
            "locode desc, name asc",
            Box::new(|| {
                City::query()
                    .order_by(City::LOCODE.desc())
                    .order_by(City::CITY_NAME.asc())
            }),
        ),
        (
            "filtered, country asc, locode asc",
            Box::new(|| {
                City::query()
                    .filter(City::COUNTRY.eq("FR"))
                    .order_by(City::COUNTRY.asc())
                    .order_by(City::LOCODE.asc())
            }),
        ),
        ("primary key", Box::new(City::query)),
    ];
    for (label, query) in &orders {
        for page in [1, 7, 100, 1000] {
            let walked = walk(c, query, page, async |_| {}).await;
            let all = query().all(c).await.unwrap();
            assert_eq!(walked, all, "{label}, pages of {page}");
        }
        let expected = if label.starts_with("filtered") {
            125
        } else {
            250
        };
        assert_eq!(query().all(c).await.unwrap().len(), expected, "{label}");
    }

    // Rows inserted between pages, before and after the current position:
    // every row that existed at the start is visited exactly once.
    let inserted = std::cell::Cell::new(0u128);
    let walked = walk(
        c,
        || City::query().order_by(City::LOCODE.asc()),
        20,
        async |_| {
            let n = inserted.get();
            inserted.set(n + 2);
            let mut early = many_cities(1)[0].clone();
            early.city_id = id(0xAA00 + n);
            early.locode = Some("A".into()); // sorts before every page
            let mut late = early.clone();
            late.city_id = id(0xAA01 + n);
            late.locode = None; // sorts last
            City::insert_many(c, &[early, late]).await.unwrap();
        },
    )
    .await;
    let mut ids: Vec<Uuid> = walked.iter().map(|c| c.city_id).collect();
    let len = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), len, "a row was visited twice");
    for city in &cities {
        assert!(ids.contains(&city.city_id), "{city:?} missed");
    }
    // Those sorting after the position were seen; those before were not.
    assert!(walked
        .iter()
        .any(|c| c.city_id.as_u128() >= 0xAA00 && c.locode.is_none()));
    assert!(!walked.iter().any(|c| c.locode.as_deref() == Some("A")));
}

#[tokio::test]
async fn stream_yields_every_row() {
    use nzc::futures_util::TryStreamExt;

    let db = TestDb::new().await;
    let client = migrated(&db).await;
    let c = &client;
    let cities = many_cities(20_000);
    City::insert_many(c, &cities).await.unwrap();
    let query = City::query().order_by(City::CITY_NAME.asc());
    let mut stream = std::pin::pin!(query.stream(c));
    let mut n = 0;
    let mut previous: Option<City> = None;
    while let Some(city) = stream.try_next().await.unwrap() {
        if let Some(p) = &previous {
            assert!(p.city_name <= city.city_name);
        }
        previous = Some(city);
        n += 1;
    }
    assert_eq!(n, cities.len());
    // Filtered and limited like `all`.
    let query = City::query().filter(City::COUNTRY.eq("DK")).limit(10);
    let streamed: Vec<City> = query.stream(c).try_collect().await.unwrap();
    assert_eq!(streamed, query.all(c).await.unwrap());
}
