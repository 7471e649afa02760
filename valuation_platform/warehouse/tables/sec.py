"""Raw tables written by the SEC ingestion assets."""

from __future__ import annotations

from valuation_platform.warehouse.tables import TableSpec

SEC_COMPANY_TICKERS = TableSpec(
    schema="raw",
    name="sec_company_tickers",
    columns={"ticker": "text not null", "cik": "bigint not null", "title": "text"},
    key=("ticker",),
    comment="SEC company_tickers.json",
)

US_UNIVERSE = TableSpec(
    schema="raw",
    name="us_universe",
    columns={
        "ticker": "text not null",
        "cik": "bigint not null",
        "name": "text not null",
        "exchange": "text",
        "sic": "integer",
        "sic_description": "text",
        "fiscal_year_end": "text",
        "entity_type": "text",
        "category": "text",
        "state_of_incorporation": "text",
        "latest_10k_filed": "date",
        "is_primary_ticker": "boolean not null",
    },
    key=("ticker",),
    indexes=(("cik",),),
    comment="US universe: tickers file joined to each company's submissions profile",
)

SEC_COMPANYFACTS = TableSpec(
    schema="raw",
    name="sec_companyfacts",
    columns={
        "cik": "bigint not null",
        "taxonomy": "text not null",
        "concept": "text not null",
        "unit": "text not null",
        "period_start": "date",
        "period_end": "date not null",
        "duration_days": "integer not null",  # 0 for instants, so the key has no NULLs
        "value": "double precision not null",
        "accession": "text not null",
        "fy": "integer",
        "fp": "text",
        "form": "text",
        "filed": "date not null",
        "frame": "text",
    },
    key=("cik", "taxonomy", "concept", "unit", "period_end", "duration_days", "accession"),
    # No secondary index: the key starts with cik, which serves the per-company replace (delete by cik) and
    # lookups; a second btree on every row halved the load rate (benchmarks/bench_sec_load.py).
    comment="XBRL companyfacts, long form, every filing of every period",
)

SEC_TABLES = (SEC_COMPANY_TICKERS, US_UNIVERSE, SEC_COMPANYFACTS)
