"""A user with SEC access only: a mirror holding nothing but real SEC payloads (the real company_tickers.json,
Tesla's real submissions, Snowflake's real companyfacts) with VP_TICKERS=SNOW,TSLA. Run through
`vp materialize --select sec` and through the whole graph: Snowflake's statements land, figures checked
against the values in the files themselves, and every other domain reports why it did not run."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.pipeline import env, production_instance, run_pipeline
from valuation_platform.lib.runner import report
from valuation_platform.cli import main as vp
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.sec.urls import TICKERS_URL, companyfacts_url, submissions_url
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.embedded import drop_database, ensure_database

# One module, one worker: its module-scoped warehouse is built once (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("sec_real")

SNOW, TSLA = 1640147, 1318605
SEC_ASSETS = {"sec_company_tickers", "us_universe", "sec_companyfacts"}


def _place(root: Path, url: str, payload: bytes) -> None:
    path = root / mirror_relpath(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)


def sec_only_mirror(root: Path, sec: Path) -> None:
    _place(root, TICKERS_URL, (sec / "company_tickers.json").read_bytes())
    _place(root, companyfacts_url(SNOW), (sec / "companyfacts_CIK0001640147.json").read_bytes())
    _place(root, submissions_url(TSLA), (sec / "submissions_CIK0001318605.json").read_bytes())
    # The fixtures hold no Snowflake submissions document: this one carries only the fields we read,
    # with Snowflake's real SIC and its fiscal year end (31 January).
    snow_profile = {"cik": str(SNOW), "name": "Snowflake Inc.", "sic": "7372", "sicDescription":
                    "Services-Prepackaged Software", "tickers": ["SNOW"], "exchanges": ["NYSE"],
                    "fiscalYearEnd": "0131", "filings": {"recent": {}}}
    _place(root, submissions_url(SNOW), json.dumps(snow_profile).encode())


@pytest.fixture(scope="module")
def real_run(shared_fixtures, tmp_path_factory, pg_admin):
    root = tmp_path_factory.mktemp("sec_only_mirror")
    sec = shared_fixtures / "sec"
    sec_only_mirror(root, sec)
    db_name, dagster_name = "vpt_real_sec", "vpt_real_dagster"
    for name in (db_name, dagster_name):
        drop_database(pg_admin, name)
        ensure_database(pg_admin, name)
    db = pg_admin.with_dbname(db_name)
    out = io.StringIO()
    with env({"VP_SOURCE_ROOT": str(root), "VP_DATABASE_URL": db.url, "VP_TICKERS": "SNOW,TSLA"}), \
            contextlib.redirect_stdout(out):
        select_exit = vp(["materialize", "--select", "sec"])
    with production_instance(pg_admin.with_dbname(dagster_name)) as instance:  # then the whole graph, same warehouse
        stages = run_pipeline(root, db, instance, tickers="SNOW,TSLA", window=None)
    payload = json.loads((sec / "companyfacts_CIK0001640147.json").read_text())
    yield stages, db, payload["facts"]["us-gaap"], select_exit, out.getvalue()
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


def test_vp_materialize_select_sec_lands_the_statements(real_run) -> None:
    _, _, _, select_exit, output = real_run
    assert select_exit == 0, output
    assert "no stage failed" in output
    assert "FAILED" not in output


def test_the_whole_graph_lands_sec_and_every_other_domain_says_why_not(real_run) -> None:
    stages, db, _, _, _ = real_run
    summary = report(stages)
    landed = {a for s in stages for a in s.materialized}
    assert landed >= SEC_ASSETS | {"marts/fct_financial_statements", "marts/fct_financial_ratios"}, summary
    reasons = {step: line for s in stages for step, line in {**s.failed, **s.skipped}.items()}
    assert not SEC_ASSETS & set(reasons), summary
    # market, sentiment, ownership, options and India ingestion have no source in this mirror: each says so
    for asset in ("polygon_daily_bars", "option_chain_snapshots", "mospi_releases"):
        assert any(asset in step for step in reasons), summary
    for step, line in reasons.items():
        assert line and "\n" not in line and len(line) < 400, (step, line)
    assert any(not s.success for s in stages), summary  # the process exits non-zero for such a run
    with connect(db) as conn:
        dims = conn.execute("select ticker, sector, fiscal_year_end from marts.dim_company order by 1").fetchall()
        reasons_q = [r for (r,) in conn.execute("select reason from raw.quarantine").fetchall()]
    assert dims == [("SNOW", "Information Technology", "0131"), ("TSLA", "Consumer Discretionary", "1231")]
    assert any("not in mirror" in r for r in reasons_q)  # Tesla has no companyfacts in the fixtures: a 404


def test_balance_sheet_identity_on_the_real_filings(real_run) -> None:
    """assets = liabilities + mezzanine equity + equity incl. noncontrolling interests on every Snowflake
    balance sheet, each term taken from the filing itself (Snowflake's pre-IPO redeemable convertible
    preferred, 936,474,000 at 2020-01-31, is the mezzanine term)."""
    _, db, facts, _, _ = real_run
    with connect(db) as conn:
        rows = conn.execute(
            "select period_end, total_assets, total_liabilities, total_equity, coalesce(temporary_equity, 0)"
            " from marts.fct_financial_statements where ticker = 'SNOW' and total_assets is not null"
            " and fiscal_period = 'FY' order by period_end").fetchall()
    assert len(rows) >= 5
    for end, assets, liabilities, equity, temporary in rows:
        assert assets == latest(facts, "Assets", end.isoformat(), None)
        assert liabilities == latest(facts, "Liabilities", end.isoformat(), None)
        assert abs(assets - liabilities - equity - temporary) <= Decimal("0.01") * abs(assets), end
    first = rows[0]
    assert first[0] == date(2020, 1, 31) and first[4] == 936_474_000


def test_snowflake_fiscal_2024(real_run) -> None:
    _, db, facts, *_ = real_run
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
    _, db, facts, *_ = real_run
    with connect(db) as conn:
        gross, net = conn.execute(
            "select gross_margin::float8, net_margin::float8 from marts.fct_financial_ratios"
            " where ticker = 'SNOW' and fiscal_year = 2024 and fiscal_period = 'FY'").fetchone()
    revenue = latest(facts, "RevenueFromContractWithCustomerExcludingAssessedTax", "2024-01-31", (350, 380))
    assert net == pytest.approx(latest(facts, "NetIncomeLoss", "2024-01-31", (350, 380)) / revenue, rel=1e-12)
    assert gross == pytest.approx(latest(facts, "GrossProfit", "2024-01-31", (350, 380)) / revenue, rel=1e-12)
