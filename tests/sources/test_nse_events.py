"""NSE calendar, FII/DII, insider-trading and bulk/block deal parsers: the real payloads (shared fixtures)
and hand-written records in the same layouts."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime

import pytest

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.nse.corporate_calendar import (
    BOARD_MEETING,
    CORPORATE_ACTION,
    FINANCIAL_RESULTS,
    parse_calendar,
)
from valuation_platform.sources.nse.deals import BLOCK, BULK, parse_deals_csv, parse_deals_json
from valuation_platform.sources.nse.fii_dii import parse_fii_dii
from valuation_platform.sources.nse.insider import parse_insider_csv


def _read(shared_fixtures, name: str) -> bytes:
    return (shared_fixtures / "nse" / name).read_bytes()


def test_real_calendar_payloads(shared_fixtures) -> None:
    meeting = parse_calendar(_read(shared_fixtures, "nseindiaapi_board_meetings.json"), document="bm",
                             event_type=BOARD_MEETING)
    assert meeting.errors == []
    (row,) = meeting.rows
    assert (row["symbol"], row["event_date"], row["isin"]) == ("SIYSIL", date(2023, 10, 30), "INE076B01010")
    assert row["purpose"].startswith("SIYARAM SILK MILLS LIMITED has informed the Exchange about Board Meeting")
    assert row["announced_at"] == datetime(2023, 10, 18, 22, 42, 1)

    results = parse_calendar(_read(shared_fixtures, "nseindiaapi_financial_results.json"), document="fr",
                             event_type=FINANCIAL_RESULTS)
    (row,) = results.rows
    # broadCastDate "16-Jan-2025 15:29:51"; period 01-Oct-2024 .. 31-Dec-2024, Consolidated, Un-Audited
    assert (row["symbol"], row["event_date"], row["announced_at"]) == (
        "RELIANCE", date(2025, 1, 16), datetime(2025, 1, 16, 15, 29, 51))
    assert row["purpose"] == "Third Quarter Quarterly results for 2024-10-01 to 2024-12-31 (Consolidated, Un-Audited)"

    actions = parse_calendar(_read(shared_fixtures, "nseindiaapi_corporate_actions.json"), document="ca",
                             event_type=CORPORATE_ACTION)
    (row,) = actions.rows
    assert (row["symbol"], row["event_type"], row["event_date"], row["purpose"], row["record_date"]) == (
        "GENSOL", CORPORATE_ACTION, date(2023, 10, 17), "Bonus 2:1", date(2023, 10, 17))


def test_calendar_record_without_a_date_is_reported_and_the_rest_land() -> None:
    body = json.dumps([{"symbol": "GENSOL", "subject": "Bonus 2:1", "exDate": "17-Oct-2023"},
                       {"symbol": "ABB", "subject": "Dividend", "exDate": "-"}]).encode()
    parsed = parse_calendar(body, document="ca", event_type=CORPORATE_ACTION)
    assert [r["symbol"] for r in parsed.rows] == ["GENSOL"]
    assert [(e.field, e.reason) for e in parsed.errors] == [("[1]", "exDate is missing")]


def test_nse_empty_answer_is_a_clear_error() -> None:
    with pytest.raises(SourceError, match="session cookies"):
        parse_calendar(b"{}", document="bm", event_type=BOARD_MEETING)


def test_fii_dii_report() -> None:
    # The /api/fiidiiTradeReact layout: values in Rs crore as strings, categories with footnote stars.
    body = json.dumps([
        {"category": "DII **", "date": "14-Nov-2023", "buyValue": "8007.35", "sellValue": "6519.06",
         "netValue": "1488.29"},  # 8007.35 - 6519.06 = 1488.29
        {"category": "FII/FPI *", "date": "14-Nov-2023", "buyValue": "9,054.72", "sellValue": "9,605.24",
         "netValue": "-550.52"},  # 9054.72 - 9605.24 = -550.52
        {"category": "DII **", "date": "13-Nov-2023", "buyValue": "100.00", "sellValue": "50.00",
         "netValue": "60.00"},  # 100 - 50 = 50, not 60: rejected
    ]).encode()
    parsed = parse_fii_dii(body, document="fiidiiTradeReact")
    assert parsed.rows == [
        {"trade_date": date(2023, 11, 14), "category": "DII", "buy_value": 8007.35, "sell_value": 6519.06,
         "net_value": 1488.29},
        {"trade_date": date(2023, 11, 14), "category": "FII/FPI", "buy_value": 9054.72, "sell_value": 9605.24,
         "net_value": -550.52},
    ]
    assert [e.field for e in parsed.errors] == ["[2]"]
    assert "is not buyValue - sellValue" in parsed.errors[0].reason


def test_real_insider_export(shared_fixtures) -> None:
    payload = _read(shared_fixtures, "CF-Insider-Trading-equities-19-Jun-2020.csv")
    assert payload.startswith(b"\xef\xbb\xbf\"SYMBOL \n\"")  # BOM, then a header cell ending in space + newline
    parsed = parse_insider_csv(payload, document="CF-Insider-Trading-equities-19-Jun-2020.csv")
    assert parsed.errors == []
    # 272 lines: the 29 header cells span 30 lines, then 242 one-line records
    assert len(parsed.rows) == 242
    first = parsed.rows[0]
    assert first["line"] == 31 and parsed.rows[-1]["line"] == 272
    assert {k: first[k] for k in ("symbol", "acquirer_name", "person_category", "securities_prior",
                                  "holding_prior_pct", "quantity", "value", "transaction_type", "securities_post",
                                  "acquired_from", "intimated_on", "acquisition_mode", "exchange",
                                  "broadcast_at")} == {
        "symbol": "LALPATHLAB", "acquirer_name": "Shankha Banerjee",
        "person_category": "Employees/Designated Employees", "securities_prior": 15790.0,
        "holding_prior_pct": 0.02, "quantity": 3150.0, "value": 31500.0, "transaction_type": "Buy",
        "securities_post": 18940.0, "acquired_from": date(2020, 6, 16), "intimated_on": date(2020, 6, 18),
        "acquisition_mode": "ESOP", "exchange": None,  # the file says NA
        "broadcast_at": datetime(2020, 6, 19, 12, 4)}
    assert Counter(r["transaction_type"] for r in parsed.rows)["Sell"] == 114
    assert sum(r["symbol"] == "RELIANCE" for r in parsed.rows) == 74  # "Reliance Industries Limited" rows


def test_malformed_insider_row_is_reported_and_the_rest_land(shared_fixtures) -> None:
    lines = _read(shared_fixtures, "CF-Insider-Trading-equities-19-Jun-2020.csv").split(b"\n")
    # line 32 (index 31) is the second record; break its quantity ("5904" -> "59O4")
    assert b'"5904"' in lines[31]
    lines[31] = lines[31].replace(b'"5904"', b'"59O4"')
    parsed = parse_insider_csv(b"\n".join(lines), document="pit.csv")
    assert len(parsed.rows) == 241
    assert [(e.document, e.field, e.reason) for e in parsed.errors] == [("pit.csv", "line 32", "not a number: '59O4'")]


def test_real_bulk_deals_csv(shared_fixtures) -> None:
    parsed = parse_deals_csv(_read(shared_fixtures, "nse_bulk_deals_bulk.csv_20260821.csv"), document="bulk.csv",
                             deal_type=BULK)
    assert parsed.errors == [] and len(parsed.rows) == 127  # 128 lines, one header
    assert Counter(r["side"] for r in parsed.rows) == {"BUY": 58, "SELL": 69}
    assert parsed.rows[-1] == {"deal_date": date(2026, 8, 21), "deal_type": BULK, "symbol": "ZAGGLE",
                               "security_name": "Zaggle Prepa Ocean Ser L", "client_name": "QE SECURITIES LLP",
                               "side": "SELL", "quantity": 743310.0, "price": 200.09, "remarks": None, "seq": 127}


def test_real_deals_api_samples(shared_fixtures) -> None:
    bulk = parse_deals_json(_read(shared_fixtures, "nseindiaapi_bulk_deals.json"), document="bulk", deal_type=BULK)
    block = parse_deals_json(_read(shared_fixtures, "nseindiaapi_block_deals.json"), document="block",
                             deal_type=BLOCK)
    live = parse_deals_json(_read(shared_fixtures, "nseindiaapi_blockDeals_live.json"), document="live",
                            deal_type=BLOCK)
    assert [(r["symbol"], r["side"], r["quantity"], r["price"], r["deal_date"]) for r in bulk.rows] == [
        ("ASTEC", "BUY", 108709.0, 826.15, date(2025, 12, 1))]
    assert [(r["symbol"], r["client_name"], r["quantity"], r["price"], r["remarks"]) for r in block.rows] == [
        ("OILCOUNTUB", "UNITED STEEL ALLIED INDUSTRIES PVT LIMITED", 4940000.0, 65.3, None)]
    assert live.rows == [] and live.errors == []  # {"data": []} before the open


def test_deal_with_an_unknown_side_is_reported() -> None:
    body = json.dumps([{"BD_DT_DATE": "01-DEC-2025", "BD_SYMBOL": "ASTEC", "BD_CLIENT_NAME": "X",
                        "BD_BUY_SELL": "HOLD", "BD_QTY_TRD": 10, "BD_TP_WATP": 1.5}]).encode()
    parsed = parse_deals_json(body, document="bulk", deal_type=BULK)
    assert parsed.rows == [] and [e.reason for e in parsed.errors] == ["buy/sell is 'HOLD'"]
