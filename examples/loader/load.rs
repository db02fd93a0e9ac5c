//! The loader's logic, shared by `main.rs` and the tests (`tests/models_pg.rs`
//! compiles this file as a module and runs it twice on one database).
//!
//! Extracted records (a city, its climate city contract, emissions, targets
//! with their indicators) are read with serde into small input structs, then
//! written as the generated models, idempotently:
//!
//! - every row gets a deterministic id: a UUID v5 of its natural key (the
//!   city's country and name, the sector's name, an emission's city, year,
//!   sector, scope and gas, …), so a second run addresses the same rows and
//!   `upsert` / `upsert_many` (on the primary key) update them in place —
//!   one statement per table for the sectors, indicators and targets;
//! - the contract and the emission records go through `upsert_by_<cols>` /
//!   `upsert_many_by_<cols>` of their unique key instead, so that rows loaded
//!   earlier under other ids (by another tool, or before the ids were
//!   deterministic) are updated, not duplicated. Emission records without a
//!   sector (citywide totals) have a NULL in that key, which both match
//!   NULL-safely. All the emissions of a file are one batch.
//!
//! The caller decides the transaction: `main.rs` runs [`load`] in one, so a
//! failing record leaves nothing behind.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use nzc::GenericClient;
use nzc_models::{City, CityTarget, ClimateCityContract, EmissionRecord, Indicator, Sector};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

/// One extraction: the file the PDF pipeline writes.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Extracted {
    city: CityIn,
    contract: ContractIn,
    #[serde(default)]
    emissions: Vec<EmissionIn>,
    #[serde(default)]
    targets: Vec<TargetIn>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CityIn {
    city_name: String,
    country: String,
    locode: Option<String>,
    area_km2: Option<Decimal>,
    notes: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ContractIn {
    title: String,
    contract_date: NaiveDateTime,
    version: Option<String>,
    language: Option<String>,
    document_url: Option<String>,
    notes: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EmissionIn {
    year: i32,
    /// `null` for a citywide figure.
    sector: Option<String>,
    scope: String,
    ghg_type: String,
    value: i32,
    unit: String,
    notes: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TargetIn {
    description: String,
    target_year: NaiveDate,
    target_value: Decimal,
    baseline_year: Option<NaiveDate>,
    baseline_value: Option<Decimal>,
    status: String,
    notes: Option<String>,
    indicator: IndicatorIn,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IndicatorIn {
    name: String,
    unit: String,
    /// `null` for a citywide indicator.
    sector: Option<String>,
    description: Option<String>,
}

/// How many distinct records of each kind one run wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Loaded {
    pub cities: usize,
    pub contracts: usize,
    pub sectors: usize,
    pub emissions: usize,
    pub indicators: usize,
    pub targets: usize,
}

/// Reads an extraction from its JSON text.
pub fn parse(json: &str) -> serde_json::Result<Extracted> {
    serde_json::from_str(json)
}

/// The id of a record: a UUID v5 of its kind and natural key, in the
/// loader's own namespace.
fn id(kind: &str, key: &[&str]) -> Uuid {
    let namespace = Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://example.invalid/nzc/loader");
    let mut name = String::from(kind);
    for part in key {
        // A separator that does not occur in the parts: ("a b", "c") and
        // ("a", "b c") stay apart.
        name.push('\u{1f}');
        name.push_str(part);
    }
    Uuid::new_v5(&namespace, name.as_bytes())
}

/// Writes `data` with upserts: running it again with the same data changes
/// nothing.
pub async fn load(db: &impl GenericClient, data: &Extracted) -> nzc::Result<Loaded> {
    let c = &data.city;
    let city = City {
        city_id: id("City", &[&c.country, &c.city_name]),
        city_name: c.city_name.clone(),
        country: c.country.clone(),
        locode: c.locode.clone(),
        area_km2: c.area_km2,
        notes: c.notes.clone(),
        misc: None,
    }
    .upsert(db)
    .await?;
    let city_key = city.city_id.to_string();

    let k = &data.contract;
    ClimateCityContract {
        climate_city_contract_id: id("ClimateCityContract", &[&city_key]),
        city_id: Some(city.city_id),
        contract_date: k.contract_date,
        title: k.title.clone(),
        version: k.version.clone(),
        language: k.language.clone(),
        document_url: k.document_url.clone(),
        notes: k.notes.clone(),
        misc: None,
    }
    .upsert_by_city_id(db)
    .await?;

    // Sectors by name, from the emissions and the indicators.
    let names = data
        .emissions
        .iter()
        .filter_map(|e| e.sector.as_deref())
        .chain(
            data.targets
                .iter()
                .filter_map(|t| t.indicator.sector.as_deref()),
        );
    let mut sectors: BTreeMap<&str, Uuid> = BTreeMap::new();
    let mut sector_rows = Vec::new();
    for name in names {
        if !sectors.contains_key(name) {
            let sector = Sector {
                sector_id: id("Sector", &[name]),
                sector_name: name.to_string(),
                description: None,
                notes: None,
                misc: None,
            };
            sectors.insert(name, sector.sector_id);
            sector_rows.push(sector);
        }
    }
    Sector::upsert_many(db, &sector_rows).await?;
    let sector_id = |name: &Option<String>| name.as_deref().map(|n| sectors[n]);

    // The emissions in one statement, on their unique key (NULL-safe for
    // the citywide totals without a sector); a record repeated in the file
    // counts once, the last one wins.
    let records: Vec<EmissionRecord> = data
        .emissions
        .iter()
        .map(|e| {
            let year = e.year.to_string();
            let sector = e.sector.as_deref().unwrap_or("");
            EmissionRecord {
                emission_record_id: id(
                    "EmissionRecord",
                    &[&city_key, &year, sector, &e.scope, &e.ghg_type],
                ),
                city_id: Some(city.city_id),
                year: e.year,
                sector_id: sector_id(&e.sector),
                scope: e.scope.clone(),
                ghg_type: e.ghg_type.clone(),
                value: e.value,
                unit: e.unit.clone(),
                notes: e.notes.clone(),
                misc: None,
            }
        })
        .collect();
    let emissions =
        EmissionRecord::upsert_many_by_city_id_year_sector_id_scope_ghg_type(db, &records).await?;

    let (mut indicators, mut targets) = (Vec::new(), Vec::new());
    for t in &data.targets {
        let i = &t.indicator;
        let indicator = Indicator {
            indicator_id: id(
                "Indicator",
                &[&city_key, &i.name, i.sector.as_deref().unwrap_or("")],
            ),
            city_id: Some(city.city_id),
            sector_id: sector_id(&i.sector),
            name: i.name.clone(),
            description: i.description.clone(),
            unit: i.unit.clone(),
            notes: None,
            misc: None,
        };
        let indicator_key = indicator.indicator_id.to_string();
        targets.push(CityTarget {
            city_target_id: id("CityTarget", &[&city_key, &indicator_key, &t.description]),
            city_id: Some(city.city_id),
            indicator_id: Some(indicator.indicator_id),
            description: t.description.clone(),
            target_year: t.target_year,
            target_value: t.target_value,
            baseline_year: t.baseline_year,
            baseline_value: t.baseline_value,
            status: t.status.clone(),
            notes: t.notes.clone(),
            misc: None,
        });
        indicators.push(indicator);
    }
    // Indicators before the targets that refer to them.
    let indicators = Indicator::upsert_many(db, &indicators).await?;
    let targets = CityTarget::upsert_many(db, &targets).await?;

    Ok(Loaded {
        cities: 1,
        contracts: 1,
        sectors: sectors.len(),
        emissions: emissions.total() as usize,
        indicators: indicators.total() as usize,
        targets: targets.total() as usize,
    })
}

/// The number of rows in each table the loader writes.
pub async fn table_counts(db: &impl GenericClient) -> nzc::Result<Vec<(&'static str, u64)>> {
    Ok(vec![
        (City::TABLE, City::query().count(db).await?),
        (
            ClimateCityContract::TABLE,
            ClimateCityContract::query().count(db).await?,
        ),
        (Sector::TABLE, Sector::query().count(db).await?),
        (
            EmissionRecord::TABLE,
            EmissionRecord::query().count(db).await?,
        ),
        (Indicator::TABLE, Indicator::query().count(db).await?),
        (CityTarget::TABLE, CityTarget::query().count(db).await?),
    ])
}
