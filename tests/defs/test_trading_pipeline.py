"""A generated NSE mirror -> the trading ingestion assets through Dagster (India session partitions of the
sample window, the unpartitioned FII/DII report) -> dbt staging -> the calendar, flow, insider and deal marts,
run twice. Expected counts are read off the served payloads with json/csv here. The marts are built with dbt
in-process; the shared demo (tests/support/shared_demo.py) builds them through dagster-dbt."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest

from tests.support.dbt_build import dbt_build
from tests.support.pipeline import SAMPLE_AS_OF, SAMPLE_WINDOW, run_pipeline
from valuation_platform.generator.india import india_companies
from valuation_platform.generator.mirror import write_manifest
from valuation_platform.generator.trading import write_trading_data
from valuation_platform.generator.valuation import sample_companies, sessions_between
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.nse.corporate_calendar import EVENT_TYPES, calendar_request
from valuation_platform.sources.nse.deals import BLOCK, BULK, deals_request
from valuation_platform.sources.nse.fii_dii import FII_DII_URL
from valuation_platform.sources.nse.insider import insider_request
from valuation_platform.warehouse.connection import connect

RAW = ["nse_corporate_events", "nse_institutional_flows", "nse_insider_trades", "nse_bulk_block_deals"]
MODELS = ["staging/stg_nse__corporate_events", "staging/stg_nse__institutional_flows",
          "staging/stg_nse__insider_trades", "staging/stg_nse__bulk_block_deals",
          "intermediate/int_trading__flow_windows", "marts/fct_corporate_events", "marts/fct_institutional_flows",
          "marts/fct_india_insider_trades", "marts/fct_bulk_block_deals"]
# the date field each calendar API gives its event (the mart's event_date)
EVENT_DATE = {"BOARD_MEETING": "bm_date", "FINANCIAL_RESULTS": "broadCastDate", "CORPORATE_ACTION": "exDate"}
SYMBOL = {"BOARD_MEETING": "bm_symbol", "FINANCIAL_RESULTS": "symbol", "CORPORATE_ACTION": "symbol"}


@pytest.fixture(scope="module")
def mirror(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("trading_mirror")
    rows = india_companies(300, 150)
    write_manifest(root, SAMPLE_AS_OF)
    write_trading_data(root, rows, sample_companies(rows, 60), sessions_between(SAMPLE_WINDOW.start, SAMPLE_AS_OF),
                       as_of=SAMPLE_AS_OF)
    return root


def _sessions() -> list[date]:
    return [SAMPLE_WINDOW.start + timedelta(days=i) for i in range((SAMPLE_AS_OF - SAMPLE_WINDOW.start).days + 1)
            if (SAMPLE_WINDOW.start + timedelta(days=i)).weekday() < 5]


def _served(mirror: Path, url: str, params: dict | None = None) -> bytes:
    return (mirror / mirror_relpath(url, params)).read_bytes()


def test_trading_assets_materialize_and_rematerialize(mirror, fresh_db, tmp_path) -> None:
    days = _sessions()
    events = {(r[SYMBOL[t]], t, r[EVENT_DATE[t]].split(" ")[0]) for day in days for t in EVENT_TYPES
              for r in json.loads(_served(mirror, *calendar_request(t, day, day)))}
    flows = json.loads(_served(mirror, FII_DII_URL))
    insider = sum(len(list(csv.reader(io.StringIO(_served(mirror, *insider_request(d, d)).decode("utf-8-sig"))))) - 1
                  for d in days)
    deals = sum(len(json.loads(_served(mirror, *deals_request(t, d)))) for d in days for t in (BULK, BLOCK))
    expected = {"fct_corporate_events": len(events),
                "fct_institutional_flows": len(flows) - 1,  # the oldest DII record's net is not buy - sell
                "fct_india_insider_trades": insider - 1,  # the first session's broken quantity
                "fct_bulk_block_deals": deals}

    with dg.instance_for_test() as instance:
        for attempt in (1, 2):
            stages = run_pipeline(mirror, fresh_db, instance, select_keys=set(RAW))
            assert all(s.success and not s.skipped for s in stages), [(s.assets, s.failed, s.skipped) for s in stages]
            # the marts and their data tests, dbt in-process (the shared demo builds them through Dagster)
            assert dbt_build(fresh_db, [m.split("/")[-1] for m in MODELS], tmp_path / "dbt") == []
            with connect(fresh_db) as conn:
                counts = {t: conn.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in expected}
                quarantined = conn.execute("select asset_key from raw.quarantine order by 1").fetchall()
            assert counts == expected, f"run {attempt}"
            assert quarantined == [("nse_insider_trades",), ("nse_institutional_flows",)]
        event = instance.get_latest_materialization_event(dg.AssetKey("nse_insider_trades"))
        metadata = event.asset_materialization.metadata
        assert metadata["dagster/row_count"].value == insider - 1
        assert metadata["nse_insider_trades/unchanged"].value == insider - 1  # the second run rewrote nothing
