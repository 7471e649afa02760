"""The valuation step on the real RELIANCE and HDFC Bank exports: a bank on excess returns checked by hand,
a DCF re-done independently from the stored assumptions, and a driver move attributed to the discount rate."""

import shutil
from datetime import UTC, date, datetime

import pytest

from valuation_platform.pipelines.valuation.inputs import load_bhavcopy, load_statements
from valuation_platform.pipelines.valuation.valuations import value_days
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.india import INDIA_DRIVERS, INDIA_UNIVERSE
from valuation_platform.warehouse.tables.valuation import ANALYTICS_TABLES, RAW_TABLES
from valuation_platform.warehouse.upsert import upsert

NOW = datetime(2024, 7, 9, 15, 0, tzinfo=UTC)
UDIFF_HEADER = (
    "TradDt,BizDt,Sgmt,Src,FinInstrmTp,FinInstrmId,ISIN,TckrSymb,SctySrs,XpryDt,FininstrmActlXpryDt,StrkPric,"
    "OptnTp,FinInstrmNm,OpnPric,HghPric,LwPric,ClsPric,LastPric,PrvsClsgPric,UndrlygPric,SttlmPric,OpnIntrst,"
    "ChngInOpnIntrst,TtlTradgVol,TtlTrfVal,TtlNbOfTxsExctd,SsnId,NewBrdLotQty,Rmks,Rsvd1,Rsvd2,Rsvd3,Rsvd4\n"
)


def bhav(day: str, closes: dict[str, float]) -> str:
    return UDIFF_HEADER + "".join(
        f"{day},{day},CM,NSE,STK,1,INE0,{s},EQ,,,,,{s},{c},{c},{c},{c},{c},{c},,{c},,,100,1000,10,F1,1,,,,,\n"
        for s, c in closes.items())


def universe_row(symbol: str, group: str, subgroup: str) -> dict:
    return {"company_key": f"NSE:{symbol}", "nse_symbol": symbol, "name": symbol, "cd_sector": "x",
            "cd_industry": "x", "valuation_group": group, "valuation_subgroup": subgroup, "market_cap": 1e6,
            "valuation_frequency": "DAILY", "selection_rank": 1, "rank_score": 1.0, "dq_score": 1.0, "target": 2,
            "document": "t"}


def macro(name: str, current: float, bull: float, base: float, bear: float) -> dict:
    return {"driver_key": f"MACRO|{name}", "driver_level": "MACRO", "driver_category": "RATES", "driver_name": name,
            "current_value": current, "bull_value": bull, "base_value": base, "bear_value": bear,
            "updated_at": NOW, "updated_by": "macro_sync"}


def rows(conn, sql, *params):
    cur = conn.execute(sql, params)
    names = [d.name for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def test_valuations_and_attribution(fresh_db, shared_fixtures, tmp_path):
    (tmp_path / "statements").mkdir()
    (tmp_path / "bhavcopy").mkdir()
    shutil.copy(shared_fixtures / "screener" / "Reliance_Data.xlsx", tmp_path / "statements" / "RELIANCE.xlsx")
    shutil.copy(shared_fixtures / "screener" / "screener_HDFC_Bank.xlsx", tmp_path / "statements" / "HDFCBANK.xlsx")
    (tmp_path / "bhavcopy" / "BhavCopy_NSE_CM_0_0_0_20240708_F_0000.csv").write_text(
        bhav("2024-07-08", {"RELIANCE": 3176.35, "HDFCBANK": 1700.0}))
    (tmp_path / "bhavcopy" / "BhavCopy_NSE_CM_0_0_0_20240709_F_0000.csv").write_text(
        bhav("2024-07-09", {"RELIANCE": 3100.0, "HDFCBANK": 1650.0}))
    with connect(fresh_db) as conn:
        ensure_tables(conn, [*RAW_TABLES, *ANALYTICS_TABLES, INDIA_UNIVERSE, INDIA_DRIVERS])
        load_statements(conn, tmp_path, fetched_at=NOW)
        load_bhavcopy(conn, tmp_path, fetched_at=NOW)
        upsert(conn, INDIA_UNIVERSE, [universe_row("RELIANCE", "ENERGY_UTILITIES", "ENERGY_DOWNSTREAM"),
                                      universe_row("HDFCBANK", "FINANCIALS", "FINANCIALS_BANKS")])
        upsert(conn, INDIA_DRIVERS, [macro("interest_rate_10y", 7.0, 6.4, 6.8, 7.4),
                                     macro("gdp_growth", 6.5, 8.0, 6.5, 5.0)])
        first = value_days(conn, [date(2024, 7, 8)])
        day1 = {(r["nse_symbol"], r["scenario"]): r for r in rows(conn, "select * from analytics.valuations")}
        # The 10-year yield moves 7.00% -> 7.25% overnight; CMPs move too.
        upsert(conn, INDIA_DRIVERS, [macro("interest_rate_10y", 7.25, 6.4, 6.8, 7.4)])
        value_days(conn, [date(2024, 7, 9)])
        again = value_days(conn, [date(2024, 7, 9)])  # idempotent
        attribution = rows(conn, "select * from analytics.valuation_attribution order by nse_symbol, measure, factor")
        day2 = {(r["nse_symbol"], r["scenario"]): r
                for r in rows(conn, "select * from analytics.valuations where valuation_date = '2024-07-09'")}
    assert first["companies_valued"] == 2 and again["attribution"]["dagster/row_count"] == len(attribution) > 0
    # The attribution asset's picture: the bridge of the larger relative move between the two stored base values
    # (read back from analytics.valuations), its bars the previous value, the contributions, the current value.
    moves = {s: (day1[(s, "base")]["intrinsic_value_per_share"], day2[(s, "base")]["intrinsic_value_per_share"])
             for s in ("RELIANCE", "HDFCBANK")}
    symbol = max(moves, key=lambda s: abs(moves[s][1] - moves[s][0]) / abs(moves[s][0]))
    bridge = again["attribution"]["valuation_bridge"]
    assert bridge.kind == "waterfall" and bridge.title.startswith(f"{symbol}: base value per share, 2024-07-08 to 2024-07-09")
    assert bridge.data["step"][0] == "previous" and bridge.data["step"][-1] == "current"
    assert bridge.data["value"][0] == pytest.approx(moves[symbol][0], rel=1e-12)
    assert bridge.data["value"][-1] == pytest.approx(moves[symbol][1], rel=1e-12)
    assert sum(bridge.data["value"][1:-1]) == pytest.approx(moves[symbol][1] - moves[symbol][0], abs=1e-9)
    assert "interaction" in bridge.data["step"] and "discount_rate" in bridge.data["step"]

    bank = day1[("HDFCBANK", "base")]
    assert bank["model"] == "EXCESS_RETURN" and bank["wacc"] is None
    # From the file (Rs crore): book FY24 = 759.69 + 455,635.56; ROE = NP FY22-24 / opening book FY21-23
    # = (38,052.75 + 45,997.11 + 64,062.04) / (209,810.18 + 247,326.17 + 289,437.50); payout = dividends
    # FY21-24 / NP FY21-24 = 37,594.23 / 179,945.11; 759.69 crore shares. Ke = 7.0% + 1.0 x 7% = 14%, g = 6%.
    book, roe, payout, ke, g = 456395.25, 148111.90 / 746573.85, 37594.23 / 179945.11, 0.14, 0.06
    assert bank["roe"] == pytest.approx(roe, rel=1e-9) and bank["payout_ratio"] == pytest.approx(payout, rel=1e-9)
    equity, opening = book, book
    for t in range(1, 11):
        equity += (roe - ke) * opening / (1 + ke) ** t
        opening *= 1 + roe * (1 - payout)
    equity += (roe - ke) * opening / (ke - g) / (1 + ke) ** 10
    assert bank["intrinsic_value_per_share"] == pytest.approx(equity / 759.69, rel=1e-9)
    assert bank["upside_pct"] == pytest.approx((equity / 759.69 / 1700.0 - 1) * 100, rel=1e-9)

    rel = day1[("RELIANCE", "base")]
    assert rel["model"] == "FCFF"
    assert (rel["revenue"], rel["cash"], rel["debt"], rel["diluted_shares"]) == (901064, 97225, 346142, 676.57)
    # The DCF again, written independently from the stored assumptions (10 years; growth fades linearly to
    # g, reinvestment to g / 15%).
    debt_weight = 346142 / (346142 + 3176.35 * 676.57)
    wacc = (1 - debt_weight) * 0.14 + debt_weight * rel["cost_of_debt"] * (1 - rel["tax_rate"])
    assert rel["debt_weight"] == pytest.approx(debt_weight, rel=1e-12) and rel["wacc"] == pytest.approx(wacc)
    revenue, ev, g_t = 901064.0, 0.0, rel["terminal_growth"]
    for t in range(1, 11):
        growth = rel["growth_start"] + (g_t - rel["growth_start"]) * (t - 1) / 9
        reinvest = rel["reinvestment_rate"] + (g_t / 0.15 - rel["reinvestment_rate"]) * (t - 1) / 9
        revenue *= 1 + growth
        fcff = revenue * rel["ebit_margin"] * (1 - rel["tax_rate"]) * (1 - reinvest)
        ev += fcff / (1 + wacc) ** t
    ev += fcff * (1 + g_t) / (wacc - g_t) / (1 + wacc) ** 10
    assert rel["intrinsic_value_per_share"] == pytest.approx((ev + 97225 - 346142) / 676.57, rel=1e-9)
    # Bull has the lower yield and the higher GDP growth; bear the opposite.
    assert day1[("RELIANCE", "bull")]["intrinsic_value_per_share"] > rel["intrinsic_value_per_share"] \
        > day1[("RELIANCE", "bear")]["intrinsic_value_per_share"]
    assert day1[("RELIANCE", "bull")]["risk_free"] == pytest.approx(0.07 - 0.004)

    by = {(a["nse_symbol"], a["measure"], a["factor"]): a for a in attribution if a["basis"] == "INPUT"}
    by_driver = {(a["nse_symbol"], a["measure"], a["factor"]): a for a in attribution if a["basis"] == "DRIVER"}
    for symbol in ("RELIANCE", "HDFCBANK"):
        change = day2[(symbol, "base")]["intrinsic_value_per_share"] - day1[(symbol, "base")]["intrinsic_value_per_share"]
        value_rows = [a for a in attribution if a["nse_symbol"] == symbol and a["measure"] == "intrinsic_value_per_share"
                      and a["basis"] == "INPUT"]
        assert sum(a["contribution"] for a in value_rows) == pytest.approx(change, abs=1e-9)
        # The yield (and, for the DCF, the debt weight the CMP sets) is all discount rate: nothing else moved.
        assert by[(symbol, "intrinsic_value_per_share", "discount_rate")]["contribution"] == pytest.approx(change)
        assert by[(symbol, "intrinsic_value_per_share", "interaction")]["contribution"] == pytest.approx(0, abs=1e-9)
        upside = [a for a in attribution if a["nse_symbol"] == symbol and a["measure"] == "upside_pct"
                  and a["basis"] == "INPUT"]
        assert sum(a["contribution"] for a in upside) == pytest.approx(upside[0]["total_change"], abs=1e-9)
        assert by[(symbol, "upside_pct", "cmp")]["contribution"] > 0  # both CMPs fell
    assert ("HDFCBANK", "intrinsic_value_per_share", "growth") not in by  # banks have no revenue growth input
    # By driver: the bank's whole change is the 10-year yield's (no debt weight in an excess-return model);
    # the DCF's splits into the yield and the CMP (through the debt weight), with their interaction.
    bank_change = day2[("HDFCBANK", "base")]["intrinsic_value_per_share"] - bank["intrinsic_value_per_share"]
    assert by_driver[("HDFCBANK", "intrinsic_value_per_share", "MACRO|interest_rate_10y")]["contribution"] \
        == pytest.approx(bank_change, rel=1e-12)
    assert {f for s, m, f in by_driver if s == "HDFCBANK" and m == "intrinsic_value_per_share"} \
        == {"MACRO|interest_rate_10y", "interaction"}
    reliance = {f: a["contribution"] for (s, m, f), a in by_driver.items()
                if s == "RELIANCE" and m == "intrinsic_value_per_share"}
    assert set(reliance) == {"MACRO|interest_rate_10y", "cmp", "interaction"}
    assert sum(reliance.values()) == pytest.approx(moves["RELIANCE"][1] - moves["RELIANCE"][0], abs=1e-9)
    assert reliance["MACRO|interest_rate_10y"] < 0 < reliance["cmp"]  # higher yield; a lower CMP raises the (cheaper) debt weight


def test_a_day_without_statements_values_nothing_and_fails_nothing(fresh_db):
    with connect(fresh_db) as conn:
        ensure_tables(conn, [*RAW_TABLES, *ANALYTICS_TABLES, INDIA_UNIVERSE, INDIA_DRIVERS])
        upsert(conn, INDIA_UNIVERSE, [universe_row("TCS", "TECHNOLOGY", "TECHNOLOGY_IT_SERVICES")])
        report = value_days(conn, [date(2024, 7, 8), date(2024, 7, 13)])  # a Saturday is skipped
    assert report["days"] == 1 and report["companies_valued"] == 0 and report["attribution"] == {"dagster/row_count": 0}


def test_frequency_tiers():
    from valuation_platform.pipelines.valuation.valuations import is_due

    monday, tuesday = date(2024, 7, 1), date(2024, 7, 2)  # 1 July 2024 is the month's first weekday
    assert is_due("X", "DAILY", tuesday, True) and is_due("X", "MONTHLY", tuesday, False)
    assert is_due("X", "MONTHLY", monday, True) and not is_due("X", "MONTHLY", tuesday, True)
    weekly = [d for d in range(1, 6) if is_due("RELIANCE", "WEEKLY", date(2024, 7, d), True)]
    assert len(weekly) == 1  # one weekday a week
