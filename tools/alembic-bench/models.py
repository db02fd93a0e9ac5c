"""SQLAlchemy 2.0 declarative models of schema.nzc (version 4, 17 tables), by hand.

The Alembic side of the drift benchmark (benches/drift.rs): `alembic check`
compares `metadata` below with a database that the repository's migrations
built. The models say what /work/shared/data-model.md says — exact CamelCase
names, the naming convention of the constraints, the PostgreSQL types
(uuid, character varying without length, text, integer, bigint, numeric
without precision, date, timestamp without time zone, jsonb), nullability,
foreign keys, unique constraints — plus the table comments that nzc's
migrations write from the `///` docs of schema.nzc, so that `alembic check`
finds nothing to do.
"""

import datetime
import decimal
import uuid
from typing import Any, Optional

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The data model's naming convention for constraint and index names.
NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


metadata = Base.metadata


def pk() -> Mapped[uuid.UUID]:
    """A uuid primary key filled by the client (no server default)."""
    return mapped_column(PG_UUID(as_uuid=True), primary_key=True)


def ref(target: str) -> Mapped[Optional[uuid.UUID]]:
    """A nullable uuid foreign key to `Table.column` (no ON DELETE action)."""
    return mapped_column(PG_UUID(as_uuid=True), ForeignKey(target), nullable=True)


# ---------------------------------------------------------------------------
# Core


class City(Base):
    __tablename__ = "City"
    __table_args__ = {
        "comment": "A city taking part in the programme; every other record hangs off a city."
    }

    cityId: Mapped[uuid.UUID] = pk()
    cityName: Mapped[str] = mapped_column(String, nullable=False)
    country: Mapped[str] = mapped_column(String, nullable=False)
    locode: Mapped[Optional[str]] = mapped_column(String, nullable=True)
    areaKm2: Mapped[Optional[decimal.Decimal]] = mapped_column(Numeric, nullable=True)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


class CityAnnualStats(Base):
    __tablename__ = "CityAnnualStats"
    __table_args__ = (
        UniqueConstraint("cityId", "year"),
        {"comment": "Yearly statistics of a city: population, density, GDP per capita."},
    )

    statId: Mapped[uuid.UUID] = pk()
    cityId: Mapped[Optional[uuid.UUID]] = ref("City.cityId")
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    population: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    populationDensity: Mapped[Optional[decimal.Decimal]] = mapped_column(Numeric, nullable=True)
    gdpPerCapita: Mapped[Optional[decimal.Decimal]] = mapped_column(Numeric, nullable=True)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


class ClimateCityContract(Base):
    __tablename__ = "ClimateCityContract"
    __table_args__ = (
        UniqueConstraint("cityId"),
        {"comment": "The climate city contract of a city (1:1 with City)."},
    )

    climateCityContractId: Mapped[uuid.UUID] = pk()
    cityId: Mapped[Optional[uuid.UUID]] = ref("City.cityId")
    contractDate: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False)
    title: Mapped[str] = mapped_column(String, nullable=False)
    version: Mapped[Optional[str]] = mapped_column(String, nullable=True)
    language: Mapped[Optional[str]] = mapped_column(String, nullable=True)
    documentUrl: Mapped[Optional[str]] = mapped_column(String, nullable=True)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


class Sector(Base):
    __tablename__ = "Sector"
    __table_args__ = {
        "comment": "A sector of a taxonomy (GPC, CCC, …) that emissions and indicators refer to."
    }

    sectorId: Mapped[uuid.UUID] = pk()
    sectorName: Mapped[str] = mapped_column(String, nullable=False)
    description: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


# ---------------------------------------------------------------------------
# Emissions


class EmissionRecord(Base):
    __tablename__ = "EmissionRecord"
    __table_args__ = (
        UniqueConstraint("cityId", "year", "sectorId", "scope", "ghgType"),
        {"comment": "One emission figure of a city for a year, sector, scope and greenhouse gas."},
    )

    emissionRecordId: Mapped[uuid.UUID] = pk()
    cityId: Mapped[Optional[uuid.UUID]] = ref("City.cityId")
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    sectorId: Mapped[Optional[uuid.UUID]] = ref("Sector.sectorId")
    scope: Mapped[str] = mapped_column(String, nullable=False)
    ghgType: Mapped[str] = mapped_column(String, nullable=False)
    value: Mapped[int] = mapped_column(Integer, nullable=False)
    unit: Mapped[str] = mapped_column(String, nullable=False)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


# ---------------------------------------------------------------------------
# Budgets & Funding


class CityBudget(Base):
    __tablename__ = "CityBudget"
    __table_args__ = {"comment": "A city's climate budget for a year."}

    budgetId: Mapped[uuid.UUID] = pk()
    cityId: Mapped[Optional[uuid.UUID]] = ref("City.cityId")
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    totalAmount: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String, nullable=False)
    description: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


class FundingSource(Base):
    __tablename__ = "FundingSource"
    __table_args__ = {
        "comment": "A source of funding (EU programme, national fund, private investor, …)."
    }

    fundingSourceId: Mapped[uuid.UUID] = pk()
    name: Mapped[str] = mapped_column(String, nullable=False)
    type: Mapped[str] = mapped_column(String, nullable=False)
    description: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


class BudgetFunding(Base):
    __tablename__ = "BudgetFunding"
    __table_args__ = {
        "comment": "How much of a budget a funding source provides (budget ↔ funding source)."
    }

    budgetFundingId: Mapped[uuid.UUID] = pk()
    budgetId: Mapped[Optional[uuid.UUID]] = ref("CityBudget.budgetId")
    fundingSourceId: Mapped[Optional[uuid.UUID]] = ref("FundingSource.fundingSourceId")
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String, nullable=False)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


# ---------------------------------------------------------------------------
# Initiatives & Stakeholders


class Initiative(Base):
    __tablename__ = "Initiative"
    __table_args__ = {
        "comment": "A climate initiative of a city, with its timeline and estimated cost."
    }

    initiativeId: Mapped[uuid.UUID] = pk()
    cityId: Mapped[Optional[uuid.UUID]] = ref("City.cityId")
    title: Mapped[str] = mapped_column(String, nullable=False)
    description: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    startYear: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    endYear: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    totalEstimatedCost: Mapped[Optional[int]] = mapped_column(BigInteger, nullable=True)
    currency: Mapped[Optional[str]] = mapped_column(String, nullable=True)
    status: Mapped[Optional[str]] = mapped_column(String, nullable=True)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


class Stakeholder(Base):
    __tablename__ = "Stakeholder"
    __table_args__ = {"comment": "An organisation or group involved in initiatives."}

    stakeholderId: Mapped[uuid.UUID] = pk()
    name: Mapped[str] = mapped_column(String, nullable=False)
    type: Mapped[Optional[str]] = mapped_column(String, nullable=True)
    description: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


class InitiativeStakeholder(Base):
    __tablename__ = "InitiativeStakeholder"
    __table_args__ = (
        UniqueConstraint("initiativeId", "stakeholderId"),
        {"comment": "A stakeholder's part in an initiative, with its role."},
    )

    initiativeStakeholderId: Mapped[uuid.UUID] = pk()
    initiativeId: Mapped[Optional[uuid.UUID]] = ref("Initiative.initiativeId")
    stakeholderId: Mapped[Optional[uuid.UUID]] = ref("Stakeholder.stakeholderId")
    role: Mapped[Optional[str]] = mapped_column(String, nullable=True)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


class TefCategory(Base):
    __tablename__ = "TefCategory"
    __table_args__ = {
        "comment": "A category of the transition expenditure framework (TEF); categories form a tree."
    }

    tefId: Mapped[uuid.UUID] = pk()
    parentId: Mapped[Optional[uuid.UUID]] = ref("TefCategory.tefId")
    code: Mapped[str] = mapped_column(String, nullable=False)
    name: Mapped[str] = mapped_column(String, nullable=False)
    description: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


class InitiativeTef(Base):
    __tablename__ = "InitiativeTef"
    __table_args__ = (
        UniqueConstraint("initiativeId", "tefId"),
        {"comment": "The TEF categories an initiative falls under."},
    )

    initiativeTefId: Mapped[uuid.UUID] = pk()
    initiativeId: Mapped[Optional[uuid.UUID]] = ref("Initiative.initiativeId")
    tefId: Mapped[Optional[uuid.UUID]] = ref("TefCategory.tefId")
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


# ---------------------------------------------------------------------------
# Indicators & Targets


class Indicator(Base):
    __tablename__ = "Indicator"
    __table_args__ = {"comment": "A measurable indicator, citywide or per sector."}

    indicatorId: Mapped[uuid.UUID] = pk()
    cityId: Mapped[Optional[uuid.UUID]] = ref("City.cityId")
    sectorId: Mapped[Optional[uuid.UUID]] = ref("Sector.sectorId")
    name: Mapped[str] = mapped_column(String, nullable=False)
    description: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    unit: Mapped[str] = mapped_column(String, nullable=False)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


class IndicatorValue(Base):
    __tablename__ = "IndicatorValue"
    __table_args__ = (
        UniqueConstraint("indicatorId", "year"),
        {"comment": "The value of an indicator in a year."},
    )

    indicatorValueId: Mapped[uuid.UUID] = pk()
    indicatorId: Mapped[Optional[uuid.UUID]] = ref("Indicator.indicatorId")
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    value: Mapped[decimal.Decimal] = mapped_column(Numeric, nullable=False)
    valueType: Mapped[str] = mapped_column(String, nullable=False)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


class CityTarget(Base):
    __tablename__ = "CityTarget"
    __table_args__ = {
        "comment": "A goal of a city for an indicator (2030 / 2050 goals), against a baseline."
    }

    cityTargetId: Mapped[uuid.UUID] = pk()
    cityId: Mapped[Optional[uuid.UUID]] = ref("City.cityId")
    indicatorId: Mapped[Optional[uuid.UUID]] = ref("Indicator.indicatorId")
    description: Mapped[str] = mapped_column(Text, nullable=False)
    targetYear: Mapped[datetime.date] = mapped_column(Date, nullable=False)
    targetValue: Mapped[decimal.Decimal] = mapped_column(Numeric, nullable=False)
    baselineYear: Mapped[Optional[datetime.date]] = mapped_column(Date, nullable=True)
    baselineValue: Mapped[Optional[decimal.Decimal]] = mapped_column(Numeric, nullable=True)
    status: Mapped[str] = mapped_column(String, nullable=False)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)


class InitiativeIndicator(Base):
    __tablename__ = "InitiativeIndicator"
    __table_args__ = (
        UniqueConstraint("initiativeId", "indicatorId"),
        {"comment": "The expected contribution of an initiative to an indicator."},
    )

    initiativeIndicatorId: Mapped[uuid.UUID] = pk()
    initiativeId: Mapped[Optional[uuid.UUID]] = ref("Initiative.initiativeId")
    indicatorId: Mapped[Optional[uuid.UUID]] = ref("Indicator.indicatorId")
    contributionType: Mapped[str] = mapped_column(String, nullable=False)
    expectedChange: Mapped[Optional[decimal.Decimal]] = mapped_column(Numeric, nullable=True)
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    misc: Mapped[Optional[Any]] = mapped_column(JSONB, nullable=True)
