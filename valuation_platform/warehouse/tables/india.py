"""Tables written by the India assets: macro releases (raw), the classification file (raw), and the
universe selection and driver hierarchy (analytics)."""

from __future__ import annotations

from valuation_platform.warehouse.tables import TableSpec

# The long macro row of valuation_platform.sources.mospi.series, plus the document it came from.
# Keyed by release: a revised figure is a new row with a later released_at, the earlier one stays.
MACRO_COLUMNS: dict[str, str] = {
    "source": "text not null",
    "series_id": "text not null",
    "series_name": "text not null",
    "geography": "text not null",
    "sector": "text",
    "frequency": "text not null",
    "ref_period": "date not null",
    "value": "double precision",
    "unit": "text not null",
    "released_at": "timestamptz not null",
    "document": "text not null",
}
MACRO_KEY = ("series_id", "ref_period", "released_at")
# A company's exchange and vendor codes, as the classification file gives them (any may be missing).
IDENTIFIERS: dict[str, str] = {"nse_symbol": "text", "bse_code": "text", "accord_code": "text"}


def _macro_table(name: str, comment: str) -> TableSpec:
    return TableSpec(
        schema="raw",
        name=name,
        columns=MACRO_COLUMNS,
        key=MACRO_KEY,
        indexes=(("series_id", "ref_period"),),
        comment=comment,
    )


MOSPI_RELEASES = _macro_table(
    "mospi_releases", "MOSPI eSankhyiki API releases (CPI, IIP, WPI, NAS, PLFS), every release of every period"
)
INDIA_MARKET_INDICATORS = _macro_table(
    "india_market_indicators", "India market indicator feeds (10y G-sec, USD/INR, repo, PMI, flows, trade)"
)
INDIA_MACRO_FILES = _macro_table(
    "india_macro_files", "MOSPI and market CSV files dropped into the India landing folder"
)
MACRO_TABLES = (MOSPI_RELEASES, INDIA_MARKET_INDICATORS, INDIA_MACRO_FILES)

INDIA_CLASSIFICATION = TableSpec(
    schema="raw",
    name="india_classification",
    columns={
        "document": "text not null",
        "source_row": "integer not null",
        **IDENTIFIERS,
        "name": "text not null",
        "cd_sector": "text not null",
        "cd_industry": "text not null",
        "market_cap": "double precision",
        "is_investable": "boolean not null",
        "has_financials": "boolean",
        "has_price_history": "boolean",
        "has_shareholding": "boolean",
        "dq_score": "double precision not null",
        "dq_remarks": "text",
    },
    key=("document", "source_row"),
    comment="The company classification file in use (one document at a time), one row per sheet row",
)

INDIA_UNIVERSE = TableSpec(
    schema="analytics",
    name="india_universe",
    columns={
        "company_key": "text not null",  # NSE:<symbol> or ACCORD:<code> (BSE-only companies)
        **IDENTIFIERS,
        "name": "text not null",
        "cd_sector": "text not null",
        "cd_industry": "text not null",
        "valuation_group": "text not null",
        "valuation_subgroup": "text not null",
        "market_cap": "double precision not null",
        "valuation_frequency": "text not null",
        "alpha_config_id": "text",
        "selection_rank": "integer not null",
        "rank_score": "double precision not null",
        "dq_score": "double precision not null",
        "target": "integer not null",
        "document": "text not null",
    },
    key=("company_key",),
    comment="The balanced India company universe selected from the classification file",
)

INDIA_UNIVERSE_REJECTED = TableSpec(
    schema="analytics",
    name="india_universe_rejected",
    columns={
        "document": "text not null",
        "source_row": "integer not null",
        **IDENTIFIERS,
        "name": "text",
        "cd_sector": "text",
        "cd_industry": "text",
        "market_cap": "double precision",
        "reason": "text not null",
        "detail": "text not null",
    },
    key=("document", "source_row"),
    comment="Investable companies the universe could not use, with the reason",
)

INDIA_DRIVERS = TableSpec(
    schema="analytics",
    name="india_drivers",
    columns={
        "driver_key": "text not null",
        "driver_level": "text not null",
        "valuation_group": "text",
        "valuation_subgroup": "text",
        "company": "text",
        "alpha_config_id": "text",
        "driver_category": "text not null",
        "driver_name": "text not null",
        "series_id": "text",
        "transform": "text",
        "unit": "text",
        "weight": "double precision",
        "tier": "text",
        "bull_value": "double precision",
        "base_value": "double precision",
        "bear_value": "double precision",
        "sensitivity": "integer",
        "current_value": "double precision",
        "previous_value": "double precision",
        "as_of": "date",
        "direction": "text",
        "updated_at": "timestamptz not null",
        "updated_by": "text not null",
    },
    key=("driver_key",),
    indexes=(("driver_level", "valuation_group"),),
    comment="The valuation-driver hierarchy (MACRO, GROUP, SUBGROUP, COMPANY) with current values",
)

INDIA_TABLES = (*MACRO_TABLES, INDIA_CLASSIFICATION, INDIA_UNIVERSE, INDIA_UNIVERSE_REJECTED, INDIA_DRIVERS)
