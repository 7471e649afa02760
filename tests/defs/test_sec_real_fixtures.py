"""The real Snowflake companyfacts and Tesla submissions (../shared/fixtures/sec) placed in a mirror and run
through the same assets and dbt models; figures checked against the values in the files themselves."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from tests.support.pipeline import production_storage, run_pipeline
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.sec.urls import TICKERS_URL, companyfacts_url, submissions_url
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.embedded import drop_database, ensure_database

SNOW, TSLA = 1640147, 1318605


def _place(root: Path, url: str, payload: bytes) -> None:
    path = root / mirror_relpath(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)


@pytest.fixture(scope="module")
def real_run(shared_fixtures, tmp_path_factory, pg_admin):
    root = tmp_path_factory.mktemp("real_mirror")
    sec = shared_fixtures / "sec"
    tickers = {"0": {"cik_str": SNOW, "ticker": "SNOW", "title": "Snowflake Inc."},
               "1": {"cik_str": TSLA, "ticker": "TSLA", "title": "Tesla, Inc."}}
    _place(root, TICKERS_URL, json.dumps(tickers).encode())
    _place(root, companyfacts_url(SNOW), (sec / "companyfacts_CIK0001640147.json").read_bytes())
    _place(root, submissions_url(TSLA), (sec / "submissions_CIK0001318605.json").read_bytes())
    # The fixtures hold no Snowflake submissions document: this one carries only the fields we read,
    # with Snowflake's real SIC and its fiscal year end (31 January).
    snow_profile = {"cik": str(SNOW), "name": "Snowflake Inc.", "sic": "7372", "sicDescription":
                    "Services-Prepackaged Software", "tickers": ["SNOW"], "exchanges": ["NYSE"],
                    "fiscalYearEnd": "0131", "filings": {"recent": {}}}
    _place(root, submissions_url(SNOW), json.dumps(snow_profile).encode())
    db_name, dagster_name = "vpt_real_sec", "vpt_real_dagster"
    for name in (db_name, dagster_name):
        drop_database(pg_admin, name)
        ensure_database(pg_admin, name)
    db = pg_admin.with_dbname(db_name)
    overrides = {"storage": production_storage(pg_admin.with_dbname(dagster_name))}
    with dg.instance_for_test(overrides=overrides) as instance:
        stages = run_pipeline(root, db, instance, select_groups={"sec", "fundamentals", "reference"})
    payload = json.loads((sec / "companyfacts_CIK0001640147.json").read_text())
    yield stages, db, payload["facts"]["us-gaap"]
    shutil.rmtree(root, ignore_errors=True)
    for name in (db_name, dagster_name):
        drop_database(pg_admin, name)


def latest(facts: dict, concept: str, end: str, days: tuple[int, int] | None) -> float:
    """The latest-filed value for a period, straight from the JSON (independent of the SQL)."""
    entries = []
    for f in facts[concept]["units"]["USD"]:
        if f["end"] != end:
            continue
        span = (date.fromisoformat(f["end"]) - date.fromisoformat(f["start"])).days + 1 if "start" in f else 0
        if (days is None and span == 0) or (days and days[0] <= span <= days[1]):
            entries.append(f)
    return max(entries, key=lambda f: (f["filed"], f["accn"]))["val"]


def statement(db, fiscal_year: int, fiscal_period: str) -> dict:
    with connect(db) as conn:
        cur = conn.execute(
            "select * from marts.fct_financial_statements where ticker = 'SNOW' and fiscal_year = %s"
            " and fiscal_period = %s", (fiscal_year, fiscal_period))
        row = cur.fetchone()
        return dict(zip([d.name for d in cur.description], row)) if row else {}


def test_real_documents_run_end_to_end(real_run) -> None:
    stages, db, _ = real_run
    assert all(s.success for s in stages)
    with connect(db) as conn:
        dims = conn.execute("select ticker, sector, fiscal_year_end from marts.dim_company order by 1").fetchall()
        reasons = [r for (r,) in conn.execute("select reason from raw.quarantine").fetchall()]
    assert dims == [("SNOW", "Information Technology", "0131"), ("TSLA", "Consumer Discretionary", "1231")]
    assert any("not in mirror" in r for r in reasons)  # Tesla has no companyfacts in the fixtures: a 404


def test_snowflake_fiscal_2024(real_run) -> None:
    _, db, facts = real_run
    revenue = "RevenueFromContractWithCustomerExcludingAssessedTax"
    fy = statement(db, 2024, "FY")
    assert fy["period_end"] == date(2024, 1, 31)  # Snowflake's fiscal 2024 ends 31 January 2024
    assert fy["revenue"] == latest(facts, revenue, "2024-01-31", (350, 380)) == 2_806_489_000
    assert fy["net_income"] == latest(facts, "NetIncomeLoss", "2024-01-31", (350, 380))
    assert fy["total_assets"] == latest(facts, "Assets", "2024-01-31", None)
    assert fy["shareholders_equity"] == latest(facts, "StockholdersEquity", "2024-01-31", None)
    q3 = statement(db, 2024, "Q3")
    assert q3["revenue"] == latest(facts, revenue, "2023-10-31", (80, 100)) == 734_173_000
    q4 = statement(db, 2024, "Q4")  # never filed: FY minus the nine months to 31 October 2023
    assert q4["revenue"] == 2_806_489_000 - latest(facts, revenue, "2023-10-31", (260, 290)) == 774_699_000
    assert q4["has_derived_values"] is True and q4["form"] == "10-K"
    ocf = "NetCashProvidedByUsedInOperatingActivities"  # cash flows in 10-Qs are year-to-date only
    q2 = statement(db, 2024, "Q2")
    assert q2["operating_cash_flow"] == latest(facts, ocf, "2023-07-31", (170, 195)) - latest(
        facts, ocf, "2023-04-30", (80, 100))


def test_snowflake_ratios(real_run) -> None:
    _, db, facts = real_run
    with connect(db) as conn:
        gross, net = conn.execute(
            "select gross_margin, net_margin from marts.fct_financial_ratios"
            " where ticker = 'SNOW' and fiscal_year = 2024 and fiscal_period = 'FY'").fetchone()
    revenue = latest(facts, "RevenueFromContractWithCustomerExcludingAssessedTax", "2024-01-31", (350, 380))
    assert net == pytest.approx(latest(facts, "NetIncomeLoss", "2024-01-31", (350, 380)) / revenue, rel=1e-12)
    assert gross == pytest.approx(latest(facts, "GrossProfit", "2024-01-31", (350, 380)) / revenue, rel=1e-12)
