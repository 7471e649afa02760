"""The symbol-master marts on the real NSE files: EQUITY_L (trimmed to its first 300 rows, A..BIL), the
NIFTY 50 list and the 1-Dec-2017 bhavcopy, through the real loaders and a targeted dbt build. The oracle is
the files themselves: where a symbol's 2017 ISIN and its 2025 ISIN differ, and which symbols the trimmed
EQUITY_L lacks."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.dbt_build import dbt_build
from valuation_platform.pipelines.trading.symbols import load_symbol_master
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.nse.bhavcopy import parse_bhavcopy
from valuation_platform.sources.nse.equity_list import EQUITY_LIST_URL, index_list_url
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.india import INDIA_UNIVERSE
from valuation_platform.warehouse.tables.trading import NSE_EQUITY_LIST, NSE_INDEX_CONSTITUENTS
from valuation_platform.warehouse.tables.valuation import NSE_BHAVCOPY
from valuation_platform.warehouse.upsert import upsert


def _universe_row(symbol: str, name: str, sector: str, industry: str, group: str, subgroup: str, rank: int) -> dict:
    return {"company_key": f"NSE:{symbol}", "nse_symbol": symbol, "bse_code": None, "accord_code": None,
            "name": name, "cd_sector": sector, "cd_industry": industry, "valuation_group": group,
            "valuation_subgroup": subgroup, "market_cap": 1000.0, "valuation_frequency": "DAILY",
            "alpha_config_id": None, "selection_rank": rank, "rank_score": 1.0, "dq_score": 1.0, "target": 2,
            "document": "classification.xlsx"}


def test_symbol_master_marts_on_the_real_files(shared_fixtures, fresh_db, tmp_path) -> None:
    nse = shared_fixtures / "nse"
    for url, name in ((EQUITY_LIST_URL, "EQUITY_L_first300.csv"), (index_list_url("NIFTY 50"), "ind_nifty50list.csv")):
        path = tmp_path / "mirror" / mirror_relpath(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((nse / name).read_bytes())  # the mirror holds no NEXT 50 / 500 lists: absent, not fatal
    bhavcopy = parse_bhavcopy((nse / "bhavcopy_cm01DEC2017bhav.csv").read_bytes(), document="cm01DEC2017bhav.csv")
    with connect(fresh_db) as conn:
        ensure_tables(conn, [NSE_EQUITY_LIST, NSE_INDEX_CONSTITUENTS, NSE_BHAVCOPY, INDIA_UNIVERSE])
        report = load_symbol_master(conn, HttpClient(source_root=str(tmp_path / "mirror")), asset_key="nse_equity_list")
        assert report["symbols_listed"] == 300
        upsert(conn, NSE_BHAVCOPY, [{**r, "layout": bhavcopy.layout, "document": "cm01DEC2017bhav.csv"}
                                    for r in bhavcopy.rows], source="test")
        upsert(conn, INDIA_UNIVERSE, [
            _universe_row("ABB", "ABB India Limited", "Industrials", "Electric Equipment", "INDUSTRIALS",
                          "INDUSTRIALS_CAPITAL_GOODS", 1),
            _universe_row("RELIANCE", "Reliance Industries Limited", "Energy", "Refineries", "ENERGY_UTILITIES",
                          "ENERGY_DOWNSTREAM", 2),
        ], source="test", fetched_at=datetime(2026, 11, 20, tzinfo=UTC))
        conn.commit()
        failures = dbt_build(fresh_db, ["+dim_nse_symbol", "+fct_nse_symbol_mismatches", "india_subgroup_drivers"],
                             tmp_path / "dbt")
        assert failures == []

        symbols = conn.execute("select symbol, isin, in_nifty_50, industry, sector, in_valuation_universe "
                               "from marts.dim_nse_symbol where symbol in ('ABB', 'ADANIENT', 'BIL') "
                               "order by symbol").fetchall()
        # ABB: EQUITY_L line 24, not in NIFTY 50, industry from the universe; ADANIENT: NIFTY 50 line 2
        # "Metals & Mining"; BIL: EQUITY_L's last row, in no list and not in the universe
        assert symbols == [
            ("ABB", "INE117A01022", False, "Electric Equipment", "Industrials", True),
            ("ADANIENT", "INE423A01024", True, "Metals & Mining", None, False),
            ("BIL", "INE828A01016", False, None, None, False),
        ]
        # the NIFTY 50 members among EQUITY_L's A..BIL rows: ADANIENT, ADANIPORTS, APOLLOHOSP, ASIANPAINT,
        # AXISBANK, BAJAJ-AUTO, BAJAJFINSV, BAJFINANCE, BEL, BHARTIARTL
        assert conn.execute("select count(*) from marts.dim_nse_symbol where in_nifty_50").fetchone()[0] == 10

        mismatches = conn.execute("select symbol, mismatch, master_isin, other_isin from "
                                  "marts.fct_nse_symbol_mismatches order by mismatch, symbol").fetchall()
        # RELIANCE (universe) sorts after BIL: the trimmed EQUITY_L does not list it
        assert ("RELIANCE", "NOT_IN_SYMBOL_MASTER", None, None) in mismatches
        # ADANIPOWER: 2017 bhavcopy line 26 prints INE814H01011, EQUITY_L line 49 INE814H01029 (a new ISIN
        # after its face-value change); 16 of the 145 EQ symbols both files hold changed ISIN since 2017
        assert ("ADANIPOWER", "ISIN_DIFFERS_FROM_BHAVCOPY", "INE814H01029", "INE814H01011") in mismatches
        assert sum(m == "ISIN_DIFFERS_FROM_BHAVCOPY" for _, m, _, _ in mismatches) == 16
        assert [m for _, m, _, _ in mismatches if m == "ISIN_DIFFERS_FROM_INDEX_LIST"] == []
