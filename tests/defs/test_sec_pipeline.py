"""End to end on the shared demo (tests/support/shared_demo.py): a generated mirror -> Dagster assets ->
Postgres raw -> dbt marts, on a real Postgres, with Dagster's own run/event storage in Postgres."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from tests.support.pipeline import run_pipeline
from tests.support.shared_demo import COMPANIES as N
from valuation_platform.generator.universe import us_companies
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.embedded import drop_database, ensure_database

# Reads the shared demo: kept on one xdist worker (--dist loadgroup), which builds it once.
pytestmark = pytest.mark.xdist_group("shared_demo")

SEC_INGESTION = {"sec_company_tickers", "us_universe", "sec_companyfacts"}
BROKEN = 4  # the generator's broken companyfacts: malformed JSON, no facts, IFRS-only, missing (404)


@pytest.fixture(scope="module")
def mirror(shared_demo):
    return shared_demo.mirror


@pytest.fixture(scope="module")
def db(shared_demo):
    return shared_demo.db


@pytest.fixture(scope="module")
def instance(shared_demo):
    with shared_demo.instance() as inst:
        yield inst


def sec_counts(db) -> dict[str, int]:
    with connect(db) as conn:
        return {t: conn.execute(f"select count(*) from raw.{t}").fetchone()[0]
                for t in ("sec_company_tickers", "us_universe", "sec_companyfacts")}


def test_every_sec_asset_landed_and_dagster_storage_is_postgres(shared_demo, instance) -> None:
    landed = {a for s in shared_demo.stages for a in s.materialized}
    assert SEC_INGESTION | {"marts/fct_financial_statements", "marts/fct_financial_ratios", "marts/dim_company"} <= landed
    assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
    event = instance.get_latest_materialization_event(dg.AssetKey("sec_companyfacts"))
    assert event is not None
    meta = event.asset_materialization.metadata
    assert meta["companies_loaded"].value == N
    assert meta["documents_quarantined"].value == BROKEN
    keys = instance.get_dynamic_partitions("sec_companies")
    assert len(keys) == N + BROKEN and "AAPL" not in keys


def _latest(facts: dict, concept: str, end: str, min_days: int, max_days: int) -> float:
    entries = [
        f for f in facts["us-gaap"][concept]["units"]["USD"]
        if f["end"] == end and "start" in f
        and min_days <= (date.fromisoformat(f["end"]) - date.fromisoformat(f["start"])).days + 1 <= max_days
    ]
    return max(entries, key=lambda f: (f["filed"], f["accn"]))["val"]


def test_statements_match_the_filed_facts(mirror, db) -> None:
    company = us_companies(N)[0]
    path = mirror / f"data.sec.gov/api/xbrl/companyfacts/CIK{company.cik:010d}.json"
    doc = json.loads(path.read_bytes() if path.exists() else gzip.decompress(Path(f"{path}.gz").read_bytes()))
    facts = doc["facts"]
    with connect(db) as conn:
        rows = conn.execute(
            "select fiscal_year, fiscal_period, period_end, net_income, total_assets, total_liabilities,"
            " shareholders_equity, operating_cash_flow, capex, free_cash_flow, form"
            " from marts.fct_financial_statements where ticker = %s and fiscal_period in ('FY', 'Q4', 'Q2')"
            " order by fiscal_year desc, fiscal_period",
            (company.ticker,),
        ).fetchall()
    by_period = {(r[0], r[1]): r for r in rows}
    fy = max(y for y, p in by_period if p == "FY")
    end = by_period[(fy, "FY")][2].isoformat()
    annual = _latest(facts, "NetIncomeLoss", end, 350, 380)
    assert by_period[(fy, "FY")][3] == annual
    # Q4 is never filed: FY minus the nine-month year to date of the third-quarter 10-Q
    nine_month_end = by_period[(fy, "Q2")][2]
    q3_end = [f["end"] for f in facts["us-gaap"]["NetIncomeLoss"]["units"]["USD"]
              if "start" in f and 260 <= (date.fromisoformat(f["end"]) - date.fromisoformat(f["start"])).days <= 290
              and f["end"] > nine_month_end.isoformat() and f["end"] < end]
    nine_months = _latest(facts, "NetIncomeLoss", max(q3_end), 260, 290)
    assert by_period[(fy, "Q4")][3] == annual - nine_months
    # cash flows are filed year-to-date only; Q2 = six months minus first quarter
    _, _, _, _, assets, liabilities, equity, ocf, capex, fcf, form = by_period[(fy, "FY")]
    assert assets == liabilities + equity  # generated statements balance exactly (no minority interests)
    assert fcf == ocf - capex and form == "10-K"


def test_fiscal_year_follows_the_company_calendar(db) -> None:
    odd = next(c for c in us_companies(N) if c.fiscal_year_end_month != 12)
    with connect(db) as conn:
        rows = conn.execute(
            "select fiscal_year, period_end from marts.fct_financial_statements"
            " where ticker = %s and fiscal_period = 'FY'",
            (odd.ticker,),
        ).fetchall()
    assert rows
    for fiscal_year, period_end in rows:
        assert period_end.month == odd.fiscal_year_end_month and period_end.year == fiscal_year


def test_ratios_use_aligned_ttm_operands(db) -> None:
    with connect(db) as conn:
        row = conn.execute(
            """
            with q as (
                select cik, fiscal_year, fiscal_period, revenue, net_income,
                       sum(net_income) over w as ni4, sum(revenue) over w as rev4, count(*) over w as n
                from marts.fct_financial_statements
                where fiscal_period like 'Q%%'
                window w as (partition by cik order by fiscal_year, fiscal_period rows between 3 preceding and current row)
            )
            select r.net_margin, (q.ni4 / q.rev4)::float8, r.gross_margin, r.roe
            from marts.fct_financial_ratios r join q using (cik, fiscal_year, fiscal_period)
            where q.n = 4 and r.ticker = %s order by fiscal_year desc, fiscal_period desc limit 1
            """,
            (us_companies(N)[1].ticker,),
        ).fetchone()
    assert row is not None and row[0] == pytest.approx(row[1], rel=1e-12)
    assert 0 < row[2] < 1


def test_bad_documents_are_quarantined_with_reasons(db) -> None:
    with connect(db) as conn:
        reasons = dict(conn.execute(
            "select document, reason from raw.quarantine where asset_key = 'sec_companyfacts'").fetchall())
        loaded_ciks = {c for (c,) in conn.execute("select distinct cik from raw.sec_companyfacts").fetchall()}
    text = " | ".join(f"{d}: {r}" for d, r in reasons.items())
    assert "CIK0009900001" in text and "malformed JSON" in text
    assert "missing 'facts'" in text and "no us-gaap taxonomy" in text
    assert "CIK0009900004" in text and "not in mirror" in text
    assert loaded_ciks == {c.cik for c in us_companies(N)}  # every good company still landed


def test_rerun_is_idempotent(mirror, db, instance) -> None:
    """The SEC ingestion again over the same mirror: every fact arrives unchanged, nothing is rewritten."""
    before = sec_counts(db)
    again = run_pipeline(mirror, db, instance, select_keys=SEC_INGESTION)
    assert all(stage.success for stage in again)
    assert sec_counts(db) == before
    event = instance.get_latest_materialization_event(dg.AssetKey("sec_companyfacts"))
    meta = event.asset_materialization.metadata
    assert meta["facts_inserted"].value == 0 and meta["facts_updated"].value == 0
    assert meta["facts_unchanged"].value == meta["dagster/row_count"].value > 0


def test_asset_checks_ran(instance) -> None:
    from dagster_dbt import get_asset_key_for_model

    from valuation_platform.defs.dbt.assets import dbt_models

    key = get_asset_key_for_model([dbt_models], "fct_financial_statements")
    records = instance.event_log_storage.get_asset_check_execution_history(
        dg.AssetCheckKey(key, "balance_sheet_identity"), limit=1
    )
    assert records and records[0].status.value == "SUCCEEDED"


@pytest.mark.xdist_group("sec_tickers")  # the mirror only: on the other worker while the demo builds
def test_ticker_filter_and_unknown_ticker(shared_mirror, pg_admin) -> None:
    """VP_TICKERS limits the universe; a ticker with no CIK is quarantined with its reason."""
    mirror = shared_mirror
    name = "vpt_sec_tickers"
    drop_database(pg_admin, name)
    ensure_database(pg_admin, name)
    db = pg_admin.with_dbname(name)
    wanted = us_companies(N)[3].ticker
    try:
        with dg.instance_for_test() as instance:
            stages = run_pipeline(mirror, db, instance, tickers=f"{wanted},ZZZZQ",
                                  select_keys={"sec_company_tickers", "us_universe", "sec_companyfacts"})
            partitions = instance.get_dynamic_partitions("sec_companies")
        assert all(s.success for s in stages)
        with connect(db) as conn:
            universe = [t for (t,) in conn.execute("select ticker from raw.us_universe").fetchall()]
            facts_ciks = [c for (c,) in conn.execute("select distinct cik from raw.sec_companyfacts").fetchall()]
            reasons = conn.execute("select document, reason from raw.quarantine").fetchall()
        assert universe == [wanted] and partitions == [wanted]
        assert facts_ciks == [us_companies(N)[3].cik]
        assert reasons == [("ticker ZZZZQ", "ticker not in company_tickers.json (no CIK)")]
    finally:
        drop_database(pg_admin, name)
