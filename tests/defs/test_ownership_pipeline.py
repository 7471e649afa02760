"""End to end: generated SEC + ownership mirror -> Dagster assets -> Postgres raw -> dbt ownership marts.

Expected values are computed here straight from the generated XML files with ElementTree (not with the
platform's parsers), and amendments are applied from the generator's own record of what amends what.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from tests.support.pipeline import env
from valuation_platform.generator.ownership import (
    MIRROR_FORM4_DAYS,
    OwnershipWriteResult,
    write_ownership_mirror,
)
from valuation_platform.generator.sec import DEFAULT_AS_OF, write_sec_mirror
from valuation_platform.generator.universe import us_companies
from valuation_platform.lib.runner import PartitionWindow, StageResult, materialize_all
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.embedded import drop_database, ensure_database

OWNERSHIP = {"sec_form4_filings", "sec_form4_transactions", "sec_13f_filings", "sec_13f_holdings"}
INGESTION = OWNERSHIP | {"sec_company_tickers", "us_universe", "sec_companyfacts"}
DBT_NODES = {"cusip_ticker_map", "stg_sec__companies", "stg_sec__facts"}  # + every ownership model
N = 10
COMPANIES = us_companies(N)
ARCHIVES = Path("www.sec.gov/Archives/edgar/data")
AS_OF = DEFAULT_AS_OF
# Every Form 4 day the mirror holds (a backfill, as `vp materialize --start/--end` runs one), so amendments
# and their originals both land. 13F has no quarter starting inside it that is complete by AS_OF: the
# runner takes the latest complete one (Q3 2026), and the holdings asset adds Q2 for the QoQ change.
WINDOW = PartitionWindow(AS_OF - timedelta(days=MIRROR_FORM4_DAYS), AS_OF)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, OwnershipWriteResult, dict[str, Any]]:
    root = tmp_path_factory.mktemp("ownership_mirror")
    write_sec_mirror(root, N, compress=False, with_faults=False)
    result, broken = write_ownership_mirror(root, COMPANIES, as_of=AS_OF, with_faults=True)
    assert broken is not None
    return root, result, broken


@pytest.fixture(scope="module")
def databases(pg_admin):
    names = ("vpt_ownership_e2e", "vpt_ownership_dagster")
    for name in names:
        drop_database(pg_admin, name)
        ensure_database(pg_admin, name)
    yield tuple(pg_admin.with_dbname(n) for n in names)
    for name in names:
        drop_database(pg_admin, name)


@pytest.fixture(scope="module")
def instance(databases):
    _, dagster_db = databases
    with dg.instance_for_test(
        overrides={"storage": {"postgres": {"postgres_url": dagster_db.sqlalchemy_url}}}
    ) as inst:
        yield inst


def run_pipeline(
    mirror: Path, db, instance: dg.DagsterInstance, *, ingestion: set[str] = INGESTION, with_dbt: bool = True
) -> list[StageResult]:
    """The real graph (Dagster + dbt + Postgres) for what the ownership marts need, in two passes: the
    Python ingestion assets through the runner (one run per partitions definition), then every dbt node
    in ONE run (one `dbt build`); the runner's single pass cuts dbt into a stage per graph level."""
    from valuation_platform.definitions import build_defs
    from valuation_platform.lib.dbt import DBT_PROJECT

    if with_dbt:
        DBT_PROJECT.preparer.prepare(DBT_PROJECT)
    with env({"VP_SOURCE_ROOT": str(mirror), "VP_DATABASE_URL": db.url, "VP_TICKERS": None}):
        defs = build_defs()
        graph = defs.resolve_asset_graph()
        stages = materialize_all(
            defs, instance, WINDOW, selection=lambda k: k.path[-1] in ingestion, log=lambda _: None
        )
        if not with_dbt or not all(stage.success for stage in stages):
            return stages
        dbt_keys = [
            key
            for key in graph.toposorted_asset_keys
            if graph.get(key).is_materializable
            and key.path[-1] not in INGESTION
            and (key.path[-1] in DBT_NODES or graph.get(key).group_name == "ownership")
        ]
        result = dg.materialize(
            [*defs.assets, *defs.asset_checks],
            selection=dg.AssetSelection.assets(*dbt_keys),
            instance=instance,
            resources=dict(defs.resources or {}),
            raise_on_error=False,
        )
        dbt = StageResult([k.to_user_string() for k in dbt_keys], "unpartitioned")
        if not result.success:
            dbt.failed["dbt"] = "a dbt node or blocking check failed"
        return [*stages, dbt]


@pytest.fixture(scope="module")
def first_run(generated, databases, instance):
    db, _ = databases
    return run_pipeline(generated[0], db, instance)


def query(db, sql: str, params: tuple = ()) -> list[tuple]:
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


def standing_form4(result: OwnershipWriteResult, broken: dict[str, Any]) -> list[dict[str, Any]]:
    """Filings whose lines should be in the mart: not restated by an amendment, not the broken one."""
    amended = {f["amends"] for f in result.form4 if f["amends"]}
    return [
        f for f in result.form4 if f["accession"] not in amended and f["accession"] != broken["accession"]
    ]


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


# ---------------------------------------------------------------- tests
def test_every_stage_succeeds(first_run, generated, instance) -> None:
    assert first_run and all(stage.success for stage in first_run)
    event = instance.get_latest_materialization_event(dg.AssetKey("sec_form4_transactions"))
    meta = event.asset_materialization.metadata
    assert meta["documents_quarantined"].value == 1
    # the window: weekdays 2026-10-01..11-20 less Columbus Day and Veterans Day
    start = WINDOW.start
    weekdays = [start + timedelta(d) for d in range(51) if (start + timedelta(d)).weekday() < 5]
    assert meta["filing_dates"].value == len(set(weekdays) - {date(2026, 10, 12), date(2026, 11, 11)})
    # what this run wrote, not a count of the table: every line of every filing but the broken one
    _, result, broken = generated
    written = sum(f["n_lines"] for f in result.form4 if f["accession"] != broken["accession"])
    assert meta["dagster/row_count"].value == written
    holdings = instance.get_latest_materialization_event(dg.AssetKey("sec_13f_holdings")).asset_materialization
    assert holdings.partition == "2026-07-01"  # the runner's latest complete quarter (Q3 2026)
    assert holdings.metadata["history_periods_loaded"].value == "2026-06-30"  # Q2, for the QoQ change
    assert holdings.metadata["dagster/row_count"].value == sum(f["n_rows"] for f in result.form13f)


def test_asset_checks_ran(first_run, instance) -> None:
    from dagster_dbt import get_asset_key_for_model

    from valuation_platform.defs.dbt.assets import dbt_models

    def status(asset: dg.AssetKey, name: str) -> tuple[str, bool | None]:
        record = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(asset, name), limit=1
        )[0]
        evaluation = record.event.dagster_event.event_specific_data
        return record.status.value, evaluation.passed if hasattr(evaluation, "passed") else None

    trades = get_asset_key_for_model([dbt_models], "fct_insider_trades")
    assert status(trades, "insider_trades_prefer_amendments") == ("SUCCEEDED", True)
    assert status(dg.AssetKey("sec_13f_holdings"), "thirteenf_cover_totals") == ("SUCCEEDED", True)
    assert status(dg.AssetKey("sec_form4_transactions"), "form4_quarantine") == (
        "FAILED",
        False,
    )  # one, a WARN


def test_insider_trades_match_the_filed_xml(first_run, generated, databases) -> None:
    root, result, broken = generated
    db, _ = databases
    expected = {f["accession"]: form4_lines(root, f) for f in standing_form4(result, broken)}
    rows = query(
        db,
        "select accession, row_number, is_derivative, transaction_date, transaction_code, shares,"
        " price_per_share,"
        " total_value, ticker from marts.fct_insider_trades order by accession, row_number",
    )
    got: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        got[row[0]].append(row)
    assert set(got) == set(expected)
    ticker_of = {f["accession"]: f["ticker"] for f in result.form4}
    for accession, lines in expected.items():
        mart = got[accession]
        assert [(m[2], m[3], m[4]) for m in mart] == [(x["derivative"], x["date"], x["code"]) for x in lines]
        assert [float(m[5]) for m in mart] == [x["shares"] for x in lines]
        assert [float(m[7]) for m in mart] == pytest.approx(
            [round(x["shares"] * x["price"], 2) for x in lines]
        )
        assert {m[8] for m in mart} == {ticker_of[accession]}


def test_net_insider_buying_over_30_and_90_days(first_run, generated, databases) -> None:
    root, result, broken = generated
    db, _ = databases
    by_ticker: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for filing in standing_form4(result, broken):
        by_ticker[filing["ticker"]].append(filing)

    def open_market(ticker: str) -> list[tuple[date, dict[str, Any]]]:
        return [
            (f["filing_date"], line)
            for f in by_ticker[ticker]
            for line in form4_lines(root, f)
            if not line["derivative"] and line["code"] in ("P", "S")
        ]

    ticker = max(by_ticker, key=lambda t: (len(open_market(t)), t))
    as_of = max(f["filing_date"] for f in by_ticker[ticker])
    row = query(
        db,
        "select as_of_date, net_shares_30d, net_value_30d, net_shares_90d, buy_trades_30d, sell_trades_30d"
        " from marts.fct_insider_activity where ticker = %s",
        (ticker,),
    )[0]
    assert row[0] == as_of
    for days, shares_col in ((30, 1), (90, 3)):
        window = [
            x
            for filed, x in open_market(ticker)
            if filed <= as_of and as_of - timedelta(days) < x["date"] <= as_of
        ]
        net = sum(x["shares"] if x["code"] == "P" else -x["shares"] for x in window)
        assert float(row[shares_col]) == pytest.approx(net)
        if days == 30:
            value = sum(round(x["shares"] * x["price"], 2) * (1 if x["code"] == "P" else -1) for x in window)
            assert float(row[2]) == pytest.approx(value)
            assert (row[4], row[5]) == (
                sum(x["code"] == "P" for x in window),
                sum(x["code"] == "S" for x in window),
            )
    assert len(window) > 0  # the chosen ticker really trades in the window


def test_amendments_replace_the_filings_they_amend(first_run, generated, databases) -> None:
    root, result, _ = generated
    db, _ = databases
    amendments = [f for f in result.form4 if f["amends"]]
    assert amendments
    present = {a for (a,) in query(db, "select distinct accession from marts.fct_insider_trades")}
    raw = {a for (a,) in query(db, "select distinct accession from raw.sec_form4_transactions")}
    for amendment in amendments:
        assert amendment["accession"] in present
        assert amendment["amends"] in raw and amendment["amends"] not in present  # loaded, then superseded
        shares = [
            float(s)
            for (s,) in query(
                db,
                "select shares from marts.fct_insider_trades where accession = %s order by row_number",
                (amendment["accession"],),
            )
        ]
        assert shares == [x["shares"] for x in form4_lines(root, amendment)]


def test_truncated_form4_is_quarantined_and_the_rest_lands(first_run, generated, databases) -> None:
    _, result, broken = generated
    db, _ = databases
    reasons = dict(
        query(db, "select document, reason from raw.quarantine where asset_key = 'sec_form4_transactions'")
    )
    assert list(reasons) == [f"Form 4 {broken['accession']}"]
    assert "truncated" in reasons[f"Form 4 {broken['accession']}"]
    status = dict(query(db, "select accession, status from raw.sec_form4_filings"))
    assert status.pop(broken["accession"]) == "quarantined"
    assert set(status) == {f["accession"] for f in result.form4} - {broken["accession"]}
    assert set(status.values()) == {"loaded"}


def test_institutional_ownership_after_amendments(first_run, generated, databases) -> None:
    root, result, _ = generated
    db, _ = databases
    restatement = next(f for f in result.form13f if f["amendment_type"] == "RESTATEMENT")
    # the restated line (first row, shares x 1.1) is a universe company: follow its ticker
    cusip = infotable_rows(root, restatement)[0]["cusip"]
    company = next(c for c in COMPANIES if c.cusip == cusip)
    standing = standing_13f(root, result)
    rows = {
        r[0]: r[1:]
        for r in query(
            db,
            "select report_period, n_holders, total_shares_held, put_shares + call_shares,"
            " shares_outstanding,"
            " pct_of_shares_outstanding, holders_change_qoq from marts.fct_institutional_ownership"
            " where ticker = %s order by report_period",
            (company.ticker,),
        )
    }
    assert set(rows) == set(standing) and len(rows) == 2
    for period, pairs in standing.items():
        longs = [
            (f, r) for f, r in pairs if r["cusip"] == cusip and r["type"] == "SH" and r["put_call"] is None
        ]
        options = [r for _, r in pairs if r["cusip"] == cusip and r["put_call"]]
        holders, shares, option_shares, outstanding, pct, _ = rows[period]
        assert holders == len({f["filer_cik"] for f, _ in longs})
        assert int(shares) == sum(r["shares"] for _, r in longs)
        assert int(option_shares) == sum(r["shares"] for r in options)
        assert int(outstanding) == company.shares_outstanding
        assert pct == pytest.approx(100 * int(shares) / company.shares_outstanding)
    first, second = sorted(rows)
    assert rows[second][5] == rows[second][0] - rows[first][0] and rows[first][5] is None


def test_put_call_rows_stay_apart(first_run, generated, databases) -> None:
    root, result, _ = generated
    db, _ = databases
    expected = sorted(
        (period, r["cusip"], r["put_call"], r["shares"])
        for period, pairs in standing_13f(root, result).items()
        for _, r in pairs
        if r["put_call"]
    )
    got = sorted(
        query(
            db,
            "select report_period, cusip, put_call, shares from marts.fct_institutional_holdings"
            " where put_call is not null",
        )
    )
    assert expected and got == expected
    # no long position total includes them: totals equal the SH rows only, per ticker and quarter
    mismatched = query(
        db,
        """
        select o.ticker, o.quarter from marts.fct_institutional_ownership o
        join (select ticker, quarter, sum(shares) as s from marts.fct_institutional_holdings
              where share_type = 'SH' and put_call is null and ticker is not null group by 1, 2) h
          using (ticker, quarter)
        where o.total_shares_held <> h.s
        """,
    )
    assert mismatched == []


def test_cusips_map_to_universe_tickers(first_run, databases) -> None:
    db, _ = databases
    mapped = dict(
        query(
            db, "select distinct cusip, ticker from marts.fct_institutional_holdings where share_type = 'SH'"
        )
    )
    universe = {c.cusip: c.ticker for c in COMPANIES}
    held_universe = {c: t for c, t in mapped.items() if c in universe}
    assert held_universe and all(universe[c] == t for c, t in held_universe.items())
    outside = {c: t for c, t in mapped.items() if c not in universe}
    assert outside and all(t is None for t in outside.values())  # ETFs and funds: no ticker


def test_13f_sources_and_units(first_run, generated, databases) -> None:
    _, result, _ = generated
    db, _ = databases
    origins = dict(query(db, "select accession, origin from raw.sec_13f_filings"))
    assert set(origins) == {f["accession"] for f in result.form13f}
    assert {o for o in origins.values()} == {"xml", f"dataset:{result.dataset_label}"}
    assert query(db, "select distinct value_unit from raw.sec_13f_holdings") == [("dollars",)]


def test_rerun_is_idempotent(first_run, generated, databases, instance) -> None:
    """A second run of the ownership loads over the same window fetches nothing new and changes no raw row."""
    db, _ = databases
    tables = (
        "raw.sec_form4_transactions",
        "raw.sec_form4_filings",
        "raw.sec_13f_holdings",
        "raw.sec_13f_filings",
        "raw.quarantine",
    )

    def snapshot() -> dict[str, list[tuple]]:
        return {t: query(db, f"select * from {t} order by 1, 2") for t in tables if t != "raw.quarantine"} | {
            "raw.quarantine": query(db, "select source, document, reason from raw.quarantine order by 1, 2")
        }

    before = snapshot()
    again = run_pipeline(generated[0], db, instance, ingestion=OWNERSHIP, with_dbt=False)
    assert again and all(stage.success for stage in again)
    assert snapshot() == before
    meta = instance.get_latest_materialization_event(
        dg.AssetKey("sec_form4_transactions")
    ).asset_materialization.metadata
    assert meta["filings_loaded"].value == 0  # everything was loaded; only the broken filing is retried
    assert meta["documents_quarantined"].value == 1
    assert meta["filings_already_loaded"].value == len(generated[1].form4) - 1
    meta = instance.get_latest_materialization_event(
        dg.AssetKey("sec_13f_holdings")
    ).asset_materialization.metadata
    assert meta["filings_loaded"].value == 0 and meta["filings_already_loaded"].value == len(
        generated[1].form13f
    )
