"""A session round trip on the generated models of schema.nzc (package `nzc_models`).

Run by tests/python_models.rs: ``python round_trip.py URL`` against a database
nzc's migrations built; the script is also type-checked with ``mypy --strict``
together with the package, so it doubles as a check that the models are usable
from typed code.

- A city with its contract, emissions, budgets (with their funding) and
  initiatives (with stakeholders and TEF categories, a tree) is inserted in one
  session through the relationships, then loaded in another one: every
  relationship reads back both ways.
- A duplicate (city, year) in CityAnnualStats raises IntegrityError naming the
  unique constraint nzc created.
- Records: unknown fields, wrong types and missing required fields are rejected
  with the field named; a valid record goes to the database and back unchanged.
"""

from __future__ import annotations

import datetime
import sys
import uuid
import warnings
from decimal import Decimal

from pydantic import ValidationError
from sqlalchemy import create_engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import nzc_models as m


def insert_city(engine_url: str) -> uuid.UUID:
    engine = create_engine(engine_url)
    city_id = uuid.uuid4()
    with Session(engine) as session:
        city = m.City(
            city_id=city_id,
            city_name="Valencia",
            country="ES",
            area_km2=Decimal("134.65"),
            misc={"source": "ccc-valencia.pdf", "pages": [1, 2]},
        )
        city.climate_city_contract = m.ClimateCityContract(
            climate_city_contract_id=uuid.uuid4(),
            contract_date=datetime.datetime(2024, 3, 1, 12, 30),
            title="Climate City Contract of Valencia",
        )
        transport = m.Sector(sector_id=uuid.uuid4(), sector_name="Transport")
        for year, value in [(2021, 1200), (2022, 1100)]:
            city.emission_records.append(
                m.EmissionRecord(
                    emission_record_id=uuid.uuid4(),
                    year=year,
                    sector=transport,
                    scope="1",
                    ghg_type="CO2",
                    value=value,
                    unit="kt",
                )
            )
        budget = m.CityBudget(
            budget_id=uuid.uuid4(), year=2024, total_amount=5_000_000, currency="EUR"
        )
        fund = m.FundingSource(
            funding_source_id=uuid.uuid4(), name="Horizon Europe", type="EU programme"
        )
        budget.budget_fundings.append(
            m.BudgetFunding(
                budget_funding_id=uuid.uuid4(),
                funding_source=fund,
                amount=3_000_000_000,
                currency="EUR",
            )
        )
        city.city_budgets.append(budget)
        initiative = m.Initiative(
            initiative_id=uuid.uuid4(),
            title="Low-emission zone",
            total_estimated_cost=4_000_000_000,
        )
        initiative.initiative_stakeholders.append(
            m.InitiativeStakeholder(
                initiative_stakeholder_id=uuid.uuid4(),
                stakeholder=m.Stakeholder(stakeholder_id=uuid.uuid4(), name="EMT"),
                role="operator",
            )
        )
        mobility = m.TefCategory(tef_id=uuid.uuid4(), code="M", name="Mobility")
        zones = m.TefCategory(
            tef_id=uuid.uuid4(), code="M.1", name="Zones", parent=mobility
        )
        initiative.initiative_tefs.append(
            m.InitiativeTef(initiative_tef_id=uuid.uuid4(), tef_category=zones)
        )
        city.initiatives.append(initiative)
        session.add(city)
        session.commit()
    engine.dispose()
    return city_id


def load_city(engine_url: str, city_id: uuid.UUID) -> None:
    engine = create_engine(engine_url)
    with Session(engine) as session:
        city = session.get(m.City, city_id)
        assert city is not None
        assert city.area_km2 == Decimal("134.65")
        assert city.misc == {"source": "ccc-valencia.pdf", "pages": [1, 2]}
        contract = city.climate_city_contract
        assert contract is not None and contract.city is city
        assert contract.contract_date == datetime.datetime(2024, 3, 1, 12, 30)
        records = sorted(city.emission_records, key=lambda r: r.year)
        assert [(r.year, r.value) for r in records] == [(2021, 1200), (2022, 1100)]
        sector = records[0].sector
        assert sector is not None and sector.sector_name == "Transport"
        assert sorted(r.year for r in sector.emission_records) == [2021, 2022]
        assert all(r.city is city for r in records)
        [budget] = city.city_budgets
        [funding] = budget.budget_fundings
        assert funding.amount == 3_000_000_000 and funding.city_budget is budget
        assert funding.funding_source is not None
        assert funding.funding_source.budget_fundings == [funding]
        [initiative] = city.initiatives
        assert initiative.total_estimated_cost == 4_000_000_000
        [link] = initiative.initiative_stakeholders
        assert link.stakeholder is not None and link.stakeholder.name == "EMT"
        assert link.stakeholder.initiative_stakeholders == [link]
        [tef] = initiative.initiative_tefs
        zones = tef.tef_category
        assert zones is not None and zones.name == "Zones"
        assert zones.parent is not None and zones.parent.name == "Mobility"
        assert zones.parent.tef_categories_by_parent_id == [zones]
        assert zones.initiative_tefs == [tef]
        found = session.scalars(
            select(m.EmissionRecord).where(m.EmissionRecord.year == 2022)
        ).one()
        assert found.city is city
    engine.dispose()


def unique_violation(engine_url: str, city_id: uuid.UUID) -> None:
    engine = create_engine(engine_url)
    with Session(engine) as session:
        for _ in range(2):
            session.add(
                m.CityAnnualStats(stat_id=uuid.uuid4(), city_id=city_id, year=2020)
            )
        try:
            session.commit()
        except IntegrityError as e:
            assert "uq_CityAnnualStats_cityId" in str(e), str(e)
            diag = getattr(e.orig, "diag", None)
            assert getattr(diag, "constraint_name", None) == "uq_CityAnnualStats_cityId"
        else:
            raise AssertionError("a duplicate (cityId, year) was accepted")
    engine.dispose()


def rejected(record: dict[str, object], field: str, kind: str) -> None:
    try:
        m.CityRecord.model_validate(record)
    except ValidationError as e:
        errors = e.errors()
        assert [(err["loc"], err["type"]) for err in errors] == [((field,), kind)], (
            errors
        )
        assert field in str(e)
    else:
        raise AssertionError(f"accepted {record!r}")


def records(engine_url: str) -> None:
    rejected(
        {"cityName": "Lyon", "country": "FR", "population": 1},
        "population",
        "extra_forbidden",
    )
    rejected(
        {"cityName": "Lyon", "country": "FR", "areaKm2": "large"},
        "areaKm2",
        "decimal_parsing",
    )
    rejected({"cityName": ["Lyon"], "country": "FR"}, "cityName", "string_type")
    rejected({"country": "FR"}, "cityName", "missing")
    try:
        m.EmissionRecordRecord.model_validate(
            {"year": "twenty", "scope": "1", "ghgType": "CO2", "value": 1, "unit": "t"}
        )
    except ValidationError as e:
        assert [err["loc"] for err in e.errors()] == [("year",)], e.errors()
    else:
        raise AssertionError("a year of 'twenty' was accepted")

    # Aliases (the column names) and attribute names are both accepted.
    source = {
        "cityId": str(uuid.uuid4()),
        "cityName": "Lyon",
        "country": "FR",
        "areaKm2": "47.87",
        "misc": {"extracted_from": "p. 3"},
    }
    record = m.CityRecord.model_validate(source)
    # Type checkers see the aliases as the constructor's keywords (pydantic's
    # dataclass_transform); at run time the field names work too.
    assert record == m.CityRecord(
        cityId=uuid.UUID(str(source["cityId"])),
        cityName="Lyon",
        country="FR",
        areaKm2=Decimal("47.87"),
        misc={"extracted_from": "p. 3"},
    )
    assert record == m.CityRecord.model_validate(
        {
            "city_id": source["cityId"],
            "city_name": "Lyon",
            "country": "FR",
            "area_km2": "47.87",
            "misc": {"extracted_from": "p. 3"},
        }
    )
    engine = create_engine(engine_url)
    with Session(engine) as session:
        session.add(m.City(**record.model_dump(exclude_unset=True)))
        session.commit()
    with Session(engine) as session:
        assert record.city_id is not None
        city = session.get(m.City, record.city_id)
        assert city is not None
        again = m.CityRecord.model_validate(city)
        assert again == record, (again, record)
        assert again.model_dump(by_alias=True)["cityName"] == "Lyon"
    engine.dispose()


def main() -> None:
    warnings.simplefilter("error")
    url = sys.argv[1]
    city_id = insert_city(url)
    load_city(url, city_id)
    unique_violation(url, city_id)
    records(url)
    print("ok")


if __name__ == "__main__":
    main()
