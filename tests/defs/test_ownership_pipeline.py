"""End to end: the ownership part of the shared demo (tests/support/shared_demo.py), plus a Form 4 history.

The shared demo materialized the whole graph for the demo week: the Form 4 filings of its filing days and the
13F filings of the latest complete quarter plus the one before (the holdings asset loads that one itself).
The insider-activity windows (30 and 90 days) and amendments of earlier filings need more Form 4 days than a
week: ``history`` loads every filing day the mirror holds into a database of its own with the two ownership
steps the assets call (no Dagster run, no dbt build of the whole graph), then materializes only the insider
dbt models over it. Re-running those steps there shows the loads are idempotent. It reads the generator's
record below, not the shared demo, so its tests run on another xdist worker while the demo builds.

Expected values are computed here straight from the generated XML files with ElementTree (not with the
platform's parsers); what amends what comes from the generator's own record of the shared mirror, written
again into a scratch folder (the generator is deterministic) and checked byte for byte against the mirror.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dagster_dbt import get_asset_key_for_model

from tests.support.dbt_build import dbt_build
from tests.support.pipeline import SAMPLE_AS_OF, SAMPLE_WINDOW
from tests.support.shared_demo import COMPANIES
from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.generator.ownership import (
    MIRROR_FORM4_DAYS,
    OwnershipWriteResult,
    write_ownership_mirror,
)
from valuation_platform.generator.universe import Company, us_companies
from valuation_platform.lib.partitions import SEC_FILING_DAYS, THIRTEENF_QUARTERS
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.lib.runner import partition_keys
from valuation_platform.pipelines.ownership import form4_load, form13f_load
from valuation_platform.pipelines.ownership.common import StepRun
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.embedded import drop_database, ensure_database
from valuation_platform.warehouse.settings import DatabaseSettings

# Reads the shared demo: kept on one xdist worker (--dist loadgroup), which builds it once.
pytestmark = pytest.mark.xdist_group("shared_demo")
# the history's tests: their own xdist group, on the worker that does not build the shared demo
HISTORY_GROUP = pytest.mark.xdist_group("ownership_history")

FORM4_ASSETS = ("sec_form4_transactions", "sec_form4_filings")
THIRTEENF_ASSETS = ("sec_13f_holdings", "sec_13f_filings")
MARTS = (
    "fct_insider_trades", "fct_insider_activity", "fct_institutional_holdings", "fct_institutional_ownership"
)
# What the insider marts are built from: the history database materializes these dbt models only.
INSIDER_MODELS = ("stg_sec__companies", "stg_sec__form4_transactions", "int_ownership__form4_effective",
                  "fct_insider_trades", "us_market_closures", "int_market__us_sessions",
                  "fct_insider_activity")  # fmt: skip
ARCHIVES = Path("www.sec.gov/Archives/edgar/data")
# EDGAR is closed on federal holidays; those of the autumn the generated mirrors cover.
AUTUMN_2026_HOLIDAYS = {date(2026, 9, 7), date(2026, 10, 12), date(2026, 11, 11), date(2026, 11, 26)}
HISTORY_START = SAMPLE_AS_OF - timedelta(days=MIRROR_FORM4_DAYS)  # every Form 4 day the mirror holds


def filing_days(start: date, end: date) -> list[date]:
    """EDGAR days in [start, end], written out independently of the platform's calendar."""
    assert date(2026, 9, 1) <= start <= end <= date(2026, 12, 24), "the holiday list covers autumn 2026 only"
    days = (start + timedelta(n) for n in range((end - start).days + 1))
    return [d for d in days if d.weekday() < 5 and d not in AUTUMN_2026_HOLIDAYS]


DEMO_DAYS = filing_days(SAMPLE_WINDOW.start, SAMPLE_WINDOW.end)
HISTORY_DAYS = filing_days(HISTORY_START, SAMPLE_AS_OF)


# ---------------------------------------------------------------- what the shared mirror holds
@dataclass
class Record:
    mirror: Path
    companies: tuple[Company, ...]
    result: OwnershipWriteResult
    broken: dict[str, Any]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Record:
    """The generator's record of the shared mirror's ownership filings: the same call write_mirror makes, into
    a scratch folder, which is then the mirror of these filings (``record`` checks it is the shared one's)."""
    scratch = tmp_path_factory.mktemp("ownership_record")
    companies = us_companies(COMPANIES)
    result, broken = write_ownership_mirror(scratch, companies, as_of=SAMPLE_AS_OF)
    assert broken is not None
    return Record(scratch, companies, result, broken)


@pytest.fixture(scope="module")
def record(shared_demo, generated) -> Record:
    """``generated`` over the shared mirror: every file the generator wrote equals the mirror's copy byte for byte."""
    written = [p for p in generated.mirror.rglob("*") if p.is_file()]
    assert len(written) > 100
    shared = shared_demo.mirror
    differ = [p for p in written if (shared / p.relative_to(generated.mirror)).read_bytes() != p.read_bytes()]
    assert differ == [], "the regenerated ownership filings are not the shared mirror's"
    return replace(generated, mirror=shared)


# ---------------------------------------------------------------- the two warehouses read here
@dataclass
class Loaded:
    """A warehouse holding the ownership marts and the Form 4 filing days it loaded."""

    db: DatabaseSettings
    days: list[date]


Reports = dict[str, dict[str, Any]]  # a load step's reports (its assets' metadata), per table


@dataclass
class History:
    db: DatabaseSettings
    keys: list[str]  # the Form 4 partitions loaded, from the partitions definition
    quarter: str  # the 13F partition loaded (the demo's)
    form4: Reports
    thirteenf: Reports
    dbt_failures: list[tuple[str, str, str | None]]  # (node, status, message) of what did not pass


@pytest.fixture(scope="module")
def instance(shared_demo) -> Iterator[dg.DagsterInstance]:
    with shared_demo.instance() as inst:
        yield inst


def load_ownership(
    mirror: Path, db: DatabaseSettings, form4_keys: list[str], quarter_keys: list[str]
) -> tuple[Reports, Reports]:
    """The two ownership steps as their assets call them: the resources from the same settings, one
    partition range each."""
    warehouse = WarehouseResource(database_url=db.url)
    client = SourcesResource(source_root=str(mirror)).client
    with warehouse.connect(form4_load.TABLES) as conn:
        form4 = form4_load.form4_step(conn, client, StepRun(form4_keys))
    with warehouse.connect(form13f_load.TABLES) as conn:
        thirteenf = form13f_load.thirteenf_step(conn, client, StepRun(quarter_keys))
    return form4, thirteenf


def keys_between(pdef: dg.TimeWindowPartitionsDefinition, start: date, end: date) -> list[str]:
    """The keys of ``pdef`` from ``start`` to ``end`` (what a backfill of those dates runs)."""
    moment = datetime.combine(end, time.max, tzinfo=ZoneInfo(pdef.timezone or "UTC"))
    first, last = start.isoformat(), end.isoformat()  # keys are ISO dates
    return [k for k in pdef.get_partition_keys(current_time=moment) if first <= k <= last]


@pytest.fixture(scope="module")
def history(generated, pg_admin, tmp_path_factory) -> Iterator[History]:
    session = str(tmp_path_factory.getbasetemp().resolve()).encode()
    name = f"vpt_ownership_history_{hashlib.sha1(session).hexdigest()[:10]}"  # one per test session
    drop_database(pg_admin, name)
    ensure_database(pg_admin, name)
    db = pg_admin.with_dbname(name)
    keys = keys_between(SEC_FILING_DAYS, HISTORY_START, SAMPLE_AS_OF)
    with dg.instance_for_test() as scratch:
        [quarter] = partition_keys(THIRTEENF_QUARTERS, scratch, SAMPLE_WINDOW)  # the demo's, as its runner picks it
    form4, thirteenf = load_ownership(generated.mirror, db, keys, [quarter])
    # the insider models and their data tests, dbt in-process: the shared demo runs them through Dagster
    failures = dbt_build(db, INSIDER_MODELS, tmp_path_factory.mktemp("ownership_history_dbt"))
    yield History(db, keys, quarter, form4, thirteenf, failures)
    drop_database(pg_admin, name)


@pytest.fixture(scope="module", params=["demo week", pytest.param("history", marks=HISTORY_GROUP)])
def loaded(request) -> Loaded:
    if request.param == "demo week":  # asked by name: the history's tests must not wait for the shared demo
        return Loaded(request.getfixturevalue("shared_demo").db, DEMO_DAYS)
    return Loaded(request.getfixturevalue("history").db, HISTORY_DAYS)


def query(db: DatabaseSettings, sql: str, params: tuple = ()) -> list[tuple]:
    with connect(db) as conn:
        return conn.execute(sql, params).fetchall()


# ---------------------------------------------------------------- independent readings of the XML
def archived(root: Path, cik: int, accession: str, name: str) -> Path:
    return root / ARCHIVES / str(cik) / accession.replace("-", "") / name


def form4_lines(root: Path, filing: dict[str, Any]) -> list[dict[str, Any]]:
    """Transaction lines of a generated Form 4, read with ElementTree, in document order."""
    path = archived(root, filing["issuer_cik"], filing["accession"], filing["primary_document"])
    doc = ET.parse(path).getroot()
    lines = []
    for table, derivative in (("nonDerivativeTable", False), ("derivativeTable", True)):
        for node in doc.findall(f"{table}/*"):
            if not node.tag.endswith("Transaction"):
                continue
            lines.append(
                {
                    "derivative": derivative,
                    "date": date.fromisoformat(node.findtext("transactionDate/value")),
                    "code": node.findtext("transactionCoding/transactionCode"),
                    "shares": float(node.findtext("transactionAmounts/transactionShares/value")),
                    "price": float(node.findtext("transactionAmounts/transactionPricePerShare/value")),
                }
            )
    return lines


def filed_on(record: Record, days: list[date]) -> list[dict[str, Any]]:
    return [f for f in record.result.form4 if f["filing_date"] in set(days)]


def lines_written(record: Record, days: list[date]) -> int:
    """What a load of ``days`` writes: every line of every filing but the broken one."""
    return sum(f["n_lines"] for f in filed_on(record, days) if f["accession"] != record.broken["accession"])


def standing_form4(record: Record, days: list[date]) -> list[dict[str, Any]]:
    """Filings of ``days`` whose lines should be in the mart: not restated by an amendment of ``days``, not
    the broken one."""
    loaded = filed_on(record, days)
    amended = {f["amends"] for f in loaded if f["amends"]}
    broken = record.broken["accession"]
    return [f for f in loaded if f["accession"] not in amended and f["accession"] != broken]


def infotable_rows(root: Path, filing: dict[str, Any]) -> list[dict[str, Any]]:
    path = archived(root, filing["filer_cik"], filing["accession"], filing["infotable"])
    ns = {"t": "http://www.sec.gov/edgar/document/thirteenf/informationtable"}
    return [
        {
            "cusip": e.findtext("t:cusip", namespaces=ns),
            "shares": int(e.findtext("t:shrsOrPrnAmt/t:sshPrnamt", namespaces=ns)),
            "type": e.findtext("t:shrsOrPrnAmt/t:sshPrnamtType", namespaces=ns),
            "put_call": (e.findtext("t:putCall", namespaces=ns) or "").upper() or None,
        }
        for e in ET.parse(path).getroot().findall("t:infoTable", ns)
    ]


def standing_13f(root: Path, result: OwnershipWriteResult) -> dict[date, list[tuple[dict, dict]]]:
    """(filer, row) pairs standing per report period: RESTATEMENT replaces, NEW HOLDINGS adds."""
    groups: dict[tuple[int, date], list[dict[str, Any]]] = defaultdict(list)
    for filing in result.form13f:
        groups[(filing["filer_cik"], filing["report_period"])].append(filing)
    out: dict[date, list[tuple[dict, dict]]] = defaultdict(list)
    for (_, period), filings in groups.items():
        standing: list[dict[str, Any]] = []
        for filing in sorted(filings, key=lambda f: (f["filing_date"], f["accession"])):
            standing = (standing if filing["amendment_type"] == "NEW HOLDINGS" else []) + [filing]
        out[period] += [(f, row) for f in standing for row in infotable_rows(root, f)]
    return out


# ---------------------------------------------------------------- the demo week (shared demo)
def test_demo_materializes_the_week_and_the_quarter(shared_demo, record, instance) -> None:
    ours = {*FORM4_ASSETS, *THIRTEENF_ASSETS, *MARTS}

    def names(keys: list[str]) -> set[str]:
        return {key.split("/")[-1] for key in keys}  # dbt models' keys carry their layer

    ownership = [stage for stage in shared_demo.stages if names(stage.assets) & ours]
    assert ours <= {name for stage in ownership for name in names(stage.materialized)}
    assert not [step for stage in ownership for step in stage.failed if "13f" in step or "form4" in step]

    assert instance.get_materialized_partitions(dg.AssetKey("sec_form4_transactions")) == {
        d.isoformat() for d in DEMO_DAYS
    }
    meta = instance.get_latest_materialization_event(
        dg.AssetKey("sec_form4_transactions")
    ).asset_materialization.metadata
    assert meta["filing_dates"].value == len(DEMO_DAYS)
    # the truncated filing is the week's: the one quarantined; every other line of the week was written
    assert record.broken["filing_date"] in DEMO_DAYS and meta["documents_quarantined"].value == 1
    assert meta["dagster/row_count"].value == lines_written(record, DEMO_DAYS)

    event = instance.get_latest_materialization_event(dg.AssetKey("sec_13f_holdings"))
    holdings = event.asset_materialization
    assert holdings.partition == "2026-07-01"  # the runner's latest complete quarter (Q3 2026)
    assert holdings.metadata["history_periods_loaded"].value == "2026-06-30"  # Q2, for the QoQ change
    assert holdings.metadata["dagster/row_count"].value == sum(f["n_rows"] for f in record.result.form13f)


def test_asset_checks_ran(instance) -> None:
    def status(asset: dg.AssetKey, name: str) -> tuple[str, bool | None]:
        record = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(asset, name), limit=1
        )[0]
        evaluation = record.event.dagster_event.event_specific_data
        return record.status.value, evaluation.passed if hasattr(evaluation, "passed") else None

    trades = get_asset_key_for_model([dbt_models], "fct_insider_trades")
    assert status(trades, "insider_trades_prefer_amendments") == ("SUCCEEDED", True)
    assert status(dg.AssetKey("sec_13f_holdings"), "thirteenf_cover_totals") == ("SUCCEEDED", True)
    # the truncated filing, a WARN
    assert status(dg.AssetKey("sec_form4_transactions"), "form4_quarantine") == ("FAILED", False)


def test_truncated_form4_is_quarantined_and_the_rest_lands(shared_demo, record) -> None:
    broken = record.broken["accession"]
    reasons = dict(
        query(
            shared_demo.db,
            "select document, reason from raw.quarantine where asset_key = 'sec_form4_transactions'",
        )
    )
    assert list(reasons) == [f"Form 4 {broken}"]
    assert "truncated" in reasons[f"Form 4 {broken}"]
    status = dict(query(shared_demo.db, "select accession, status from raw.sec_form4_filings"))
    assert status.pop(broken) == "quarantined"
    assert set(status) == {f["accession"] for f in filed_on(record, DEMO_DAYS)} - {broken}
    assert set(status.values()) == {"loaded"}


def test_institutional_ownership_after_amendments(shared_demo, record) -> None:
    root, result = record.mirror, record.result
    restatement = next(f for f in result.form13f if f["amendment_type"] == "RESTATEMENT")
    # the restated line (first row, shares x 1.1) is a universe company: follow its ticker
    cusip = infotable_rows(root, restatement)[0]["cusip"]
    company = next(c for c in record.companies if c.cusip == cusip)
    standing = standing_13f(root, result)
    rows = {
        r[0]: r[1:]
        for r in query(
            shared_demo.db,
            "select report_period, n_holders, total_shares_held, put_shares + call_shares,"
            " shares_outstanding,"
            " pct_of_shares_outstanding, holders_change_qoq from marts.fct_institutional_ownership"
            " where ticker = %s order by report_period",
            (company.ticker,),
        )
    }
    assert set(rows) == set(standing) and len(rows) == 2
    for period, pairs in standing.items():
        mine = [(f, r) for f, r in pairs if r["cusip"] == cusip]
        longs = [(f, r) for f, r in mine if r["type"] == "SH" and r["put_call"] is None]
        options = [r for _, r in mine if r["put_call"]]
        holders, shares, option_shares, outstanding, pct, _ = rows[period]
        assert holders == len({f["filer_cik"] for f, _ in longs})
        assert int(shares) == sum(r["shares"] for _, r in longs)
        assert int(option_shares) == sum(r["shares"] for r in options)
        assert int(outstanding) == company.shares_outstanding
        assert pct == pytest.approx(100 * int(shares) / company.shares_outstanding)
    first, second = sorted(rows)
    assert rows[second][5] == rows[second][0] - rows[first][0] and rows[first][5] is None


def test_put_call_rows_stay_apart(shared_demo, record) -> None:
    expected = sorted(
        (period, r["cusip"], r["put_call"], r["shares"])
        for period, pairs in standing_13f(record.mirror, record.result).items()
        for _, r in pairs
        if r["put_call"]
    )
    got = sorted(
        query(
            shared_demo.db,
            "select report_period, cusip, put_call, shares from marts.fct_institutional_holdings"
            " where put_call is not null",
        )
    )
    assert expected and got == expected
    # no long position total includes them: totals equal the SH rows only, per ticker and quarter
    mismatched = query(
        shared_demo.db,
        """
        select o.ticker, o.quarter from marts.fct_institutional_ownership o
        join (select ticker, quarter, sum(shares) as s from marts.fct_institutional_holdings
              where share_type = 'SH' and put_call is null and ticker is not null group by 1, 2) h
          using (ticker, quarter)
        where o.total_shares_held <> h.s
        """,
    )
    assert mismatched == []


def test_cusips_map_to_universe_tickers(shared_demo, record) -> None:
    mapped = dict(
        query(
            shared_demo.db,
            "select distinct cusip, ticker from marts.fct_institutional_holdings where share_type = 'SH'",
        )
    )
    universe = {c.cusip: c.ticker for c in record.companies}
    held_universe = {c: t for c, t in mapped.items() if c in universe}
    assert held_universe and all(universe[c] == t for c, t in held_universe.items())
    outside = {c: t for c, t in mapped.items() if c not in universe}
    assert outside and all(t is None for t in outside.values())  # ETFs and funds: no ticker


def test_13f_sources_and_units(shared_demo, record) -> None:
    origins = dict(query(shared_demo.db, "select accession, origin from raw.sec_13f_filings"))
    assert set(origins) == {f["accession"] for f in record.result.form13f}
    assert set(origins.values()) == {"xml", f"dataset:{record.result.dataset_label}"}
    assert query(shared_demo.db, "select distinct value_unit from raw.sec_13f_holdings") == [("dollars",)]


# ---------------------------------------------------------------- both warehouses
def test_insider_trades_match_the_filed_xml(loaded, generated) -> None:
    record = generated  # the shared mirror's filings (test_demo_materializes_the_week_and_the_quarter's record)
    expected = {f["accession"]: form4_lines(record.mirror, f) for f in standing_form4(record, loaded.days)}
    rows = query(
        loaded.db,
        "select accession, row_number, is_derivative, transaction_date, transaction_code, shares,"
        " price_per_share, total_value, ticker from marts.fct_insider_trades order by accession, row_number",
    )
    got: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        got[row[0]].append(row)
    assert expected and set(got) == set(expected)
    ticker_of = {f["accession"]: f["ticker"] for f in record.result.form4}
    for accession, lines in expected.items():
        mart = got[accession]
        assert [(m[2], m[3], m[4]) for m in mart] == [(x["derivative"], x["date"], x["code"]) for x in lines]
        assert [float(m[5]) for m in mart] == [x["shares"] for x in lines]
        values = [round(x["shares"] * x["price"], 2) for x in lines]
        assert [float(m[7]) for m in mart] == pytest.approx(values)
        assert {m[8] for m in mart} == {ticker_of[accession]}


# ---------------------------------------------------------------- the Form 4 history (its own database)
@HISTORY_GROUP
def test_history_loads_every_filing_day_of_the_mirror(history, generated) -> None:
    assert history.keys == [d.isoformat() for d in HISTORY_DAYS]  # Columbus Day and Veterans Day left out
    assert history.dbt_failures == []  # incl. the blocking amendment check
    meta = history.form4["sec_form4_transactions"]
    assert meta["filing_dates"] == len(HISTORY_DAYS)
    assert meta["documents_quarantined"] == 1
    # what this load wrote, not a count of the table: every line of every filing but the broken one
    assert meta["dagster/row_count"] == lines_written(generated, HISTORY_DAYS)
    assert {f["filing_date"] for f in generated.result.form4} <= set(HISTORY_DAYS)


@HISTORY_GROUP
def test_net_insider_buying_over_30_and_90_days(history, generated) -> None:
    root = generated.mirror
    by_ticker: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for filing in standing_form4(generated, HISTORY_DAYS):
        by_ticker[filing["ticker"]].append(filing)

    def open_market(ticker: str) -> list[tuple[date, dict[str, Any]]]:
        return [
            (f["filing_date"], line)
            for f in by_ticker[ticker]
            for line in form4_lines(root, f)
            if not line["derivative"] and line["code"] in ("P", "S")
        ]

    ticker = max(by_ticker, key=lambda t: (len(open_market(t)), t))
    last_filed = max(f["filing_date"] for f in by_ticker[ticker])
    row = query(  # one row per ticker and NYSE session: the one of its latest filing's session
        history.db,
        "select as_of_date, net_shares_30d, net_value_30d, net_shares_90d, buy_trades_30d, sell_trades_30d"
        " from marts.fct_insider_activity where ticker = %s and as_of_date <= %s order by as_of_date desc limit 1",
        (ticker, last_filed),
    )[0]
    as_of = row[0]
    assert last_filed - timedelta(days=4) < as_of <= last_filed
    windows: dict[int, list[dict[str, Any]]] = {}
    for days, shares_col in ((30, 1), (90, 3)):
        start = as_of - timedelta(days)  # the window holds transaction dates in (start, as_of]
        known = [x for filed, x in open_market(ticker) if filed <= as_of]  # filed by the as-of date
        window = windows[days] = [x for x in known if start < x["date"] <= as_of]
        net = sum(x["shares"] if x["code"] == "P" else -x["shares"] for x in window)
        assert float(row[shares_col]) == pytest.approx(net)
        if days == 30:
            value = sum(round(x["shares"] * x["price"], 2) * (1 if x["code"] == "P" else -1) for x in window)
            assert float(row[2]) == pytest.approx(value)
            buys, sells = sum(x["code"] == "P" for x in window), sum(x["code"] == "S" for x in window)
            assert (row[4], row[5]) == (buys, sells)
    # the chosen ticker really trades, and the 90-day window holds trades the 30-day one does not
    assert windows[30] and len(windows[90]) > len(windows[30])


@HISTORY_GROUP
def test_amendments_replace_the_filings_they_amend(history, generated) -> None:
    amendments = [f for f in generated.result.form4 if f["amends"]]
    assert amendments
    present = {a for (a,) in query(history.db, "select distinct accession from marts.fct_insider_trades")}
    raw = {a for (a,) in query(history.db, "select distinct accession from raw.sec_form4_transactions")}
    for amendment in amendments:
        assert amendment["accession"] in present
        assert amendment["amends"] in raw and amendment["amends"] not in present  # loaded, then superseded
        shares = [
            float(s)
            for (s,) in query(
                history.db,
                "select shares from marts.fct_insider_trades where accession = %s order by row_number",
                (amendment["accession"],),
            )
        ]
        assert shares == [x["shares"] for x in form4_lines(generated.mirror, amendment)]


@HISTORY_GROUP
def test_rerun_is_idempotent(history, generated) -> None:
    """The ownership loads run again over the same partitions fetch nothing new and change no raw row."""
    tables = (
        "raw.sec_form4_transactions", "raw.sec_form4_filings", "raw.sec_13f_holdings", "raw.sec_13f_filings"
    )

    def snapshot() -> dict[str, list[tuple]]:
        return {t: query(history.db, f"select * from {t} order by 1, 2") for t in tables} | {
            "raw.quarantine": query(
                history.db, "select source, document, reason from raw.quarantine order by 1, 2"
            )
        }

    before = snapshot()
    assert history.thirteenf["sec_13f_holdings"]["filings_loaded"] == len(generated.result.form13f)
    form4, thirteenf = load_ownership(generated.mirror, history.db, history.keys, [history.quarter])
    assert snapshot() == before
    meta = form4["sec_form4_transactions"]
    assert meta["filings_loaded"] == 0  # everything was loaded; only the broken filing is retried
    assert meta["documents_quarantined"] == 1
    assert meta["filings_already_loaded"] == len(generated.result.form4) - 1
    assert meta["dagster/row_count"] == 0
    meta = thirteenf["sec_13f_holdings"]
    assert meta["filings_loaded"] == 0 and meta["filings_already_loaded"] == len(generated.result.form13f)
    assert meta["history_periods_loaded"] == "(none: already held)"
