"""Sample NSE reference, calendar, flow, insider and deal payloads in NSE's own layouts, into a mirror.

Companies are the India classification's NSE-listed rows (``generator.india.india_companies``), so the
symbol master joins the India universe; the valued companies keep the ISINs their bhavcopies carry.
Deliberate faults, as the real files have them: one EQUITY_L row with a broken ISIN, two universe symbols
missing from EQUITY_L and one ISIN that differs from the bhavcopy's (the mismatch mart lists them), one
insider row whose quantity is not a number, one FII/DII record whose net is not buy - sell, one NSDL FPI
reporting date whose Equity Sub-total does not add up to its route rows.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from valuation_platform.generator.valuation import Company, sample_isin
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.nse.corporate_calendar import (
    BOARD_MEETING,
    CORPORATE_ACTION,
    FINANCIAL_RESULTS,
    calendar_request,
)
from valuation_platform.sources.nse.deals import BLOCK, BULK, deals_request
from valuation_platform.sources.nse.equity_list import EQUITY_LIST_URL, INDEX_FILES, index_list_url
from valuation_platform.sources.nse.fii_dii import FII_DII_URL
from valuation_platform.sources.nse.insider import COLUMNS as INSIDER_COLUMNS
from valuation_platform.sources.nse.insider import insider_request
from valuation_platform.sources.nsdl.fpi_investment import FPI_DAILY_URL

EQUITY_HEADER = "SYMBOL,NAME OF COMPANY, SERIES, DATE OF LISTING, PAID UP VALUE, MARKET LOT, ISIN NUMBER, FACE VALUE"
INDEX_SIZES = {"NIFTY 50": (0, 50), "NIFTY NEXT 50": (50, 100), "NIFTY 500": (0, 500)}
FPI_DATES = 15  # reporting dates NSDL's daily-trends page lists (about three weeks)
# NSDL's asset classes with (purchases, sales) ranges in Rs crore per route: (stock exchange, primary market)
FPI_CLASSES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "Equity": ((9000, 18000), (150, 3500)),
    "Debt-General Limit": ((300, 2500), (0, 600)),
    "Debt-VRR": ((20, 700), (0, 150)),
    "Debt-FAR": ((400, 4000), (0, 300)),
    "Hybrid": ((5, 250), (0, 80)),
    "Mutual Funds": ((0, 40), (0, 15)),
    "AIFs": ((0, 25), (0, 60)),
}
FPI_ROUTES = ("Stock Exchange", "Primary market & others")
FLOW_SESSIONS = 90  # FII/DII history the sample's report lists: enough for 20-session windows and 3 months
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
# The insider export's header cells as NSE ships them (29 columns, each ending in a space and a newline).
INSIDER_HEADER = [
    "SYMBOL", "COMPANY", "REGULATION", "NAME OF THE ACQUIRER/DISPOSER", "CATEGORY OF PERSON",
    "TYPE OF SECURITY (PRIOR)", "NO. OF SECURITY (PRIOR)", "% SHAREHOLDING (PRIOR)",
    "TYPE OF SECURITY (ACQUIRED/DISPLOSED)", "NO. OF SECURITIES (ACQUIRED/DISPLOSED)",
    "VALUE OF SECURITY (ACQUIRED/DISPLOSED)", "ACQUISITION/DISPOSAL TRANSACTION TYPE", "TYPE OF SECURITY (POST)",
    "NO. OF SECURITY (POST)", "% POST", "DATE OF ALLOTMENT/ACQUISITION FROM", "DATE OF ALLOTMENT/ACQUISITION TO",
    "DATE OF INITMATION TO COMPANY", "MODE OF ACQUISITION", "DERIVATIVE TYPE SECURITY",
    "DERIVATIVE CONTRACT SPECIFICATION", "NOTIONAL VALUE(BUY)", "NUMBER OF UNITS/CONTRACT LOT SIZE (BUY)",
    "NOTIONAL VALUE(SELL)", "NUMBER OF UNITS/CONTRACT LOT SIZE  (SELL)", "EXCHANGE", "REMARK",
    "BROADCASTE DATE AND TIME", "XBRL",
]
assert {" ".join(h.split()) for h in INSIDER_HEADER} >= set(INSIDER_COLUMNS.values())


@dataclass(frozen=True)
class Listed:
    symbol: str
    name: str
    industry: str
    market_cap: float
    isin: str


@dataclass(frozen=True)
class TradingSample:
    symbols: int
    sessions: int
    events: int
    insider_rows: int
    deals: int
    flow_sessions: int


def _nse(day: date) -> str:
    return f"{day.day:02d}-{day:%b}-{day.year}"


def _write(root: Path, url: str, params: dict[str, str] | None, body: bytes) -> None:
    path = root / mirror_relpath(url, params)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


def listed_companies(rows: Sequence[dict[str, Any]], valued: Sequence[Company], seed: int = 23) -> list[Listed]:
    """NSE-listed classification rows, largest first, one per symbol; valued companies keep their bhavcopy ISIN."""
    rng = random.Random(seed)
    bhavcopy_isin = {c.symbol: sample_isin(i) for i, c in enumerate(valued)}
    out: dict[str, Listed] = {}
    ranked = sorted((r for r in rows if r.get("NSE Symbol")),
                    key=lambda r: -float(r.get("Market Cap (Rs Cr)") or 0))
    for n, r in enumerate(ranked):
        symbol = r["NSE Symbol"]
        if symbol in out:
            continue
        isin = bhavcopy_isin.get(symbol) or f"IN{chr(70 + n % 10)}{n:04d}01{rng.randrange(10, 99)}{n % 10}"
        out[symbol] = Listed(symbol, r["Company Name"], r["cd_industry"], float(r.get("Market Cap (Rs Cr)") or 0), isin)
    return list(out.values())


def equity_list_csv(companies: Sequence[Listed], rng: random.Random) -> bytes:
    lines = [EQUITY_HEADER]
    for c in companies:
        listed = date(1995, 1, 2) + timedelta(days=rng.randrange(0, 11000))
        face = rng.choice((1, 2, 5, 10))
        lines.append(f"{c.symbol},{c.name},EQ,{listed.day:02d}-{MONTHS[listed.month - 1]}-{listed.year},{face},1,"
                     f"{c.isin},{face}")
    lines.append("BROKENISIN,Broken Isin Limited,EQ,01-JAN-2001,10,1,INE12,10")  # quarantined: not an ISIN
    return ("\n".join(lines) + "\n").encode()


def index_list_csv(companies: Sequence[Listed]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Company Name", "Industry", "Symbol", "Series", "ISIN Code"])
    for c in companies:
        writer.writerow([c.name, c.industry, c.symbol, "EQ", c.isin])
    return buffer.getvalue().encode()


def calendar_records(event_type: str, day: date, picks: Sequence[Listed], rng: random.Random) -> list[dict]:
    records = []
    for c in picks:
        if event_type == BOARD_MEETING:
            meeting = day + timedelta(days=rng.randrange(5, 21))
            purpose = (f"{c.name} has informed the Exchange about Board Meeting to be held on {_nse(meeting)} to "
                       "consider and approve the Quarterly Unaudited Financial results of the Company.")
            records.append({"bm_symbol": c.symbol, "bm_date": _nse(meeting), "bm_purpose": purpose,
                            "bm_desc": "Board Meeting Intimation", "sm_indusrty": c.industry,
                            "bm_timestamp": f"{_nse(day)} 18:{rng.randrange(10, 59)}:00", "sm_name": c.name,
                            "sm_isin": c.isin, "attachment": "-", "diff": "00:01:01",
                            "sysTime": f"{_nse(day)} 19:00:00"})
        elif event_type == FINANCIAL_RESULTS:
            records.append({"symbol": c.symbol, "series": "EQ", "isin": c.isin, "comp": c.name, "period": "Quarterly",
                            "fromDate": "01-Jul-2026", "toDate": "30-Sep-2026", "relatingTo": "Second Quarter",
                            "financialYear": "01-Apr-2026 To 31-Mar-2027", "consolidated": "Consolidated",
                            "audited": "Un-Audited", "filingDate": f"{_nse(day)} 16:30",
                            "broadCastDate": f"{_nse(day)} 16:29:51", "xbrl": "-"})
        else:
            ex = day + timedelta(days=rng.randrange(3, 15))
            subject = rng.choice(("Interim Dividend - Rs 5 Per Share", "Bonus 1:1", "Face Value Split (Sub-Division)"
                                  " - From Rs 10/- Per Share To Rs 2/- Per Share"))
            records.append({"symbol": c.symbol, "series": "EQ", "ind": "-", "faceVal": "10", "subject": subject,
                            "exDate": _nse(ex), "recDate": _nse(ex), "bcStartDate": "-", "bcEndDate": "-",
                            "ndStartDate": "-", "comp": c.name, "isin": c.isin, "ndEndDate": "-",
                            "caBroadcastDate": None})
    return records


def fii_dii_records(sessions: Sequence[date], rng: random.Random) -> list[dict[str, str]]:
    """The report's records, newest session first; the oldest session's DII record carries a broken net."""
    records = []
    for i, day in enumerate(sorted(sessions, reverse=True)):
        fii_buy, fii_sell = rng.uniform(9000, 16000), rng.uniform(9000, 16000)
        dii_buy, dii_sell = rng.uniform(9000, 15000), rng.uniform(7000, 13000)
        for category, buy, sell in (("DII **", dii_buy, dii_sell), ("FII/FPI *", fii_buy, fii_sell)):
            buy, sell = round(buy, 2), round(sell, 2)
            net = round(buy - sell, 2) + (100.0 if i == len(sessions) - 1 and category.startswith("DII") else 0.0)
            records.append({"category": category, "date": _nse(day), "buyValue": f"{buy:.2f}",
                            "sellValue": f"{sell:.2f}", "netValue": f"{net:.2f}"})
    return records


def _crore(value: float) -> str:
    return f"{value:,.2f}"


def _fpi_cells(figures: Sequence[float]) -> str:
    return "".join(f'<td align="right">{_crore(v)}</td>' for v in figures)


def fpi_daily_page(dates: Sequence[date], rng: random.Random, *, broken: date | None = None) -> bytes:
    """NSDL's Daily Trends in FPI Investment page for ``dates`` (newest first, as the page lists them): per
    date and asset class a row per route and a Sub-total, then the date's Total; date and class cells span
    their rows. ``broken``'s Equity Sub-total states 100 crore more gross purchases than its routes add to."""
    body = []
    for day in sorted(dates, reverse=True):
        rate = round(rng.uniform(86.0, 89.5), 4)
        total = [0.0, 0.0, 0.0, 0.0]
        day_rows = len(FPI_CLASSES) * (len(FPI_ROUTES) + 1) + 1
        for c, (asset_class, ranges) in enumerate(FPI_CLASSES.items()):
            subtotal = [0.0, 0.0, 0.0, 0.0]
            for r, (route, (low, high)) in enumerate(zip(FPI_ROUTES, ranges)):
                buy, sell = round(rng.uniform(low, high), 2), round(rng.uniform(low, high) * rng.uniform(0.7, 1.2), 2)
                net = round(buy - sell, 2)
                figures = [buy, sell, net, round(net * 10 / rate, 2)]  # 1 crore = 10 million rupees
                subtotal = [a + b for a, b in zip(subtotal, figures)]
                lead = (f'<td rowspan="{day_rows}">{_nse(day)}</td>' if c == r == 0 else "") + (
                    f'<td rowspan="{len(FPI_ROUTES) + 1}">{asset_class}</td>' if r == 0 else "")
                body.append(f"<tr>{lead}<td>{route}</td>{_fpi_cells(figures)}<td>{rate:.4f}</td></tr>")
            total = [a + b for a, b in zip(total, subtotal)]
            stated = [subtotal[0] + (100.0 if day == broken and asset_class == "Equity" else 0.0), *subtotal[1:]]
            body.append(f"<tr><td><b>Sub-total</b></td>{_fpi_cells(stated)}<td>{rate:.4f}</td></tr>")
        body.append(f'<tr><td colspan="2"><b>Total</b></td>{_fpi_cells(total)}<td>{rate:.4f}</td></tr>')
    header = ("<tr><th>Reporting Date</th><th>Debt/Equity/Hybrid/MF</th><th>Investment Route</th>"
              "<th>Gross Purchases(Rs Crore)</th><th>Gross Sales(Rs Crore)</th><th>Net Investment (Rs Crore)</th>"
              "<th>Net Investment US($) million</th><th>Conversion rate</th></tr>")
    page = ('<!DOCTYPE html><html><head><title>FPI Monitor - Daily Trends</title></head><body>'
            '<h3>Daily Trends in FPI Investment</h3><table id="dvFpiDaily" border="1" cellspacing="0">'
            f'{header}{"".join(body)}</table><p>Note: figures are provisional, as reported by the custodians.</p>'
            "</body></html>")
    return page.encode()


def write_fpi_daily(root: Path, as_of: date, seed: int = 23) -> list[date]:
    """NSDL's page for the last ``FPI_DATES`` business days to ``as_of``; the oldest but two is broken."""
    dates = [d for d in (as_of - timedelta(days=i) for i in range(FPI_DATES * 2)) if d.weekday() < 5][:FPI_DATES]
    _write(root, FPI_DAILY_URL, None, fpi_daily_page(dates, random.Random(seed), broken=dates[-3]))
    return dates


def insider_csv(day: date, picks: Sequence[Listed], rng: random.Random, *, broken_row: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow([f"{h} \n" for h in INSIDER_HEADER])
    for n, c in enumerate(picks):
        prior = rng.randrange(10_000, 5_000_000)
        qty = rng.randrange(500, 50_000)
        side = rng.choice(("Buy", "Sell"))
        post = prior + qty if side == "Buy" else prior - qty
        traded = day - timedelta(days=2)
        price = rng.uniform(100, 3000)
        writer.writerow([
            c.symbol, c.name, "7(2)", f"Director {n + 1} of {c.symbol}", rng.choice(("Promoters", "Director",
            "Employees/Designated Employees")), "Equity Shares", str(prior), "0.05", "Equity Shares",
            "1O00" if broken_row and n == 0 else str(qty), f"{qty * price:.0f}", side, "Equity Shares", str(post),
            "0.05", _nse(traded), _nse(traded), _nse(day - timedelta(days=1)),
            "Market Purchase" if side == "Buy" else "Market Sale", "-", "-", "0", "0", "0", "0", "NSE", "-",
            f"{_nse(day)} 19:{10 + n:02d}", "-",
        ])
    return ("\ufeff" + buffer.getvalue()).encode()


def deal_records(day: date, picks: Sequence[Listed], deal_type: str, rng: random.Random) -> list[dict]:
    stamp = (day - timedelta(days=1)).isoformat() + "T18:30:00.000+00:00"
    return [{"BD_DT_DATE": f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}", "BD_DT_ORDER": stamp,
             "BD_SYMBOL": c.symbol, "BD_SCRIP_NAME": c.name, "BD_CLIENT_NAME": rng.choice(
                 ("HRTI PRIVATE LIMITED", "QE SECURITIES LLP", "GRAVITON RESEARCH CAPITAL LLP", "SOCIETE GENERALE")),
             "BD_BUY_SELL": rng.choice(("BUY", "SELL")), "BD_QTY_TRD": rng.randrange(50_000, 5_000_000),
             "BD_TP_WATP": round(rng.uniform(20, 2500), 2), "BD_REMARKS": "-" if deal_type == BULK else None}
            for c in picks]


def write_trading_data(root: Path, classification: Sequence[dict[str, Any]], valued: Sequence[Company],
                       sessions: Sequence[date], *, as_of: date, seed: int = 23) -> TradingSample:
    """Every trading-domain payload for ``sessions`` (the calendar, insider and deal days) into ``root``."""
    rng = random.Random(seed)
    companies = listed_companies(classification, valued, seed)
    # two valued (so universe) companies missing from EQUITY_L, another valued one with another ISIN
    missing = {valued[-2].symbol, valued[-3].symbol}
    master = [c for c in companies if c.symbol not in missing]
    master = [Listed(c.symbol, c.name, c.industry, c.market_cap, "INE999Z01015") if c.symbol == valued[-1].symbol
              else c for c in master]
    _write(root, EQUITY_LIST_URL, None, equity_list_csv(master, rng))
    for index, (first, last) in INDEX_SIZES.items():
        assert index in INDEX_FILES
        _write(root, index_list_url(index), None, index_list_csv(companies[first:last]))
    events = insider_rows = deals = 0
    pool = companies[:300]
    for n, day in enumerate(sorted(sessions)):
        for event_type in (BOARD_MEETING, FINANCIAL_RESULTS, CORPORATE_ACTION):
            records = calendar_records(event_type, day, rng.sample(pool, rng.randrange(2, 6)), rng)
            _write(root, *calendar_request(event_type, day, day), json.dumps(records, indent=2).encode())
            events += len(records)
        picks = rng.sample(pool, rng.randrange(3, 7))
        _write(root, *insider_request(day, day), insider_csv(day, picks, rng, broken_row=n == 0))
        insider_rows += len(picks)
        for deal_type in (BULK, BLOCK):
            records = deal_records(day, rng.sample(pool, rng.randrange(1, 5) if deal_type == BULK else 1), deal_type,
                                   rng)
            _write(root, *deals_request(deal_type, day), json.dumps(records, indent=2).encode())
            deals += len(records)
    flow_days = [d for d in (as_of - timedelta(days=i) for i in range(FLOW_SESSIONS * 2)) if d.weekday() < 5]
    flow_days = flow_days[:FLOW_SESSIONS]
    _write(root, FII_DII_URL, None, json.dumps(fii_dii_records(flow_days, rng)).encode())
    write_fpi_daily(root, as_of, seed)  # its own random stream: the other payloads stay as they were
    return TradingSample(len(master), len(sessions), events, insider_rows, deals, len(flow_days))
