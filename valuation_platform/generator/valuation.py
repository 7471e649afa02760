"""Valuation inputs for the India sample: screener.in-layout statement workbooks for the universe's
companies and NSE bhavcopies for the window's sessions, written into the India landing folder.

* ``statements/<SYMBOL>.xlsx``: the "Data Sheet" of screener.in's v2.1 export, laid out as the real
  RELIANCE/TCS/HDFC Bank exports are (COMPANY NAME, META, PROFIT & LOSS, Quarters, BALANCE SHEET,
  CASH FLOW:, PRICE:, DERIVED:), 10 fiscal years to March, Rs crore. Some companies have loss years, some
  lines are blank (missing items), and banks carry the bank shape of the same labels (Sales = interest
  earned, Borrowings = deposits and borrowings, no inventory or receivables).
* ``bhavcopy/``: one file per weekday session, the legacy ``cm01DEC2017bhav.csv`` layout before 2024-07-08
  and the UDiFF ``BhavCopy_NSE_CM_0_0_0_YYYYMMDD_F_0000.csv`` layout from then, each company's close a
  random walk anchored at its market cap / shares.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from valuation_platform.generator.india import _fixed_zip_times
from valuation_platform.sources.nse.bhavcopy import LEGACY, file_name, layout_for

PL_LINES = ("Sales", "Raw Material Cost", "Change in Inventory", "Power and Fuel", "Other Mfr. Exp", "Employee Cost",
            "Selling and admin", "Other Expenses", "Other Income", "Depreciation", "Interest", "Profit before tax",
            "Tax", "Net profit", "Dividend Amount")
BS_LINES = ("Equity Share Capital", "Reserves", "Borrowings", "Other Liabilities", "Total", "Net Block",
            "Capital Work in Progress", "Investments", "Other Assets", "Total", "Receivables", "Inventory",
            "Cash & Bank", "No. of Equity Shares", "New Bonus Shares", "Face value")
CF_LINES = ("Cash from Operating Activity", "Cash from Investing Activity", "Cash from Financing Activity",
            "Net Cash Flow")
LEGACY_HEADER = "SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,TOTTRDQTY,TOTTRDVAL,TIMESTAMP,TOTALTRADES,ISIN,"
UDIFF_HEADER = ("TradDt,BizDt,Sgmt,Src,FinInstrmTp,FinInstrmId,ISIN,TckrSymb,SctySrs,XpryDt,FininstrmActlXpryDt,"
                "StrkPric,OptnTp,FinInstrmNm,OpnPric,HghPric,LwPric,ClsPric,LastPric,PrvsClsgPric,UndrlygPric,"
                "SttlmPric,OpnIntrst,ChngInOpnIntrst,TtlTradgVol,TtlTrfVal,TtlNbOfTxsExctd,SsnId,NewBrdLotQty,Rmks,"
                "Rsvd1,Rsvd2,Rsvd3,Rsvd4")


@dataclass(frozen=True)
class Company:
    symbol: str
    name: str
    market_cap: float  # Rs crore
    is_bank: bool


def is_bank_industry(sector: str, industry: str) -> bool:
    return sector == "Financials"


def _fiscal_years(as_of: date, years: int) -> list[date]:
    # The latest fiscal year (to 31 March) whose results are out by as_of (two months after year end).
    last = as_of.year if as_of >= date(as_of.year, 6, 1) else as_of.year - 1
    return [date(y, 3, 31) for y in range(last - years + 1, last + 1)]


def _statements(c: Company, fiscal: Sequence[date], rng: random.Random) -> tuple[dict, dict, dict, float]:
    """P&L, balance sheet and cash flow by line (one value per year, None = blank), and shares in crore."""
    n = len(fiscal)
    # Size the business so that the market cap is ~ 15-30x the latest profit.
    margin = rng.uniform(0.08, 0.25) if not c.is_bank else rng.uniform(0.35, 0.55)
    growth = [rng.gauss(0.10, 0.08) for _ in range(n)]
    latest_sales = c.market_cap / rng.uniform(15, 30) / (margin * 0.75) if not c.is_bank else c.market_cap / 4
    sales = [latest_sales / math.prod(1 + g for g in growth[i + 1:]) for i in range(n)]
    loss_year = rng.randrange(n) if rng.random() < 0.15 else None
    shares_cr = round(max(c.market_cap / rng.uniform(200, 3000), 1.0), 2)
    pl: dict[str, list] = {k: [] for k in PL_LINES}
    bs: dict[str, list] = {k: [] for k in dict.fromkeys(BS_LINES)}
    book = c.market_cap / rng.uniform(2, 6)
    book_path = [book / (1.12 ** (n - 1 - i)) for i in range(n)]
    for i, s in enumerate(sales):
        m = margin if i != loss_year else -abs(margin) * 0.5
        ebit = s * m
        interest = s * (0.6 if c.is_bank else rng.uniform(0.0, 0.04))
        other_income = s * rng.uniform(0.01, 0.04) + (s * 0.2 if c.is_bank else 0)
        depreciation = 0.0 if c.is_bank else s * rng.uniform(0.02, 0.06)
        pbt = ebit - (interest if not c.is_bank else 0) + other_income - depreciation
        tax = max(pbt, 0) * rng.uniform(0.22, 0.30)
        net = pbt - tax
        expenses = s + other_income - depreciation - (0 if c.is_bank else interest) - pbt
        parts = (0.0, 0.0, 0.0, 0.10, 0.0, 0.20, 0.10, 0.0) if c.is_bank else (0.45, 0.0, 0.05, 0.05, 0.15, 0.15, 0.15, 0.0)
        values = [expenses * p for p in parts]
        values[7] = expenses - sum(values)  # Other Expenses closes the sum
        row = [s, *values, other_income, depreciation, interest, pbt, tax, net,
               max(net, 0) * rng.uniform(0.1, 0.5)]
        for k, v in zip(PL_LINES, row):
            pl[k].append(round(v, 2))
        capital = book_path[i] * rng.uniform(0.02, 0.05)
        reserves = book_path[i] - capital
        borrowings = s * (8.0 if c.is_bank else rng.uniform(0.0, 0.8))
        net_block = 0.05 * s if c.is_bank else s * rng.uniform(0.3, 0.9)
        cwip = None if c.is_bank else s * rng.uniform(0.0, 0.15)
        investments = s * rng.uniform(0.1, 2.0 if c.is_bank else 0.4)
        receivables = None if c.is_bank else s * rng.uniform(0.05, 0.2)
        inventory = None if c.is_bank else s * rng.uniform(0.05, 0.2)
        cash = s * rng.uniform(0.03, 0.15)
        liabilities_other = s * rng.uniform(0.1, 0.4)
        total = capital + reserves + borrowings + liabilities_other
        other_assets = total - net_block - (cwip or 0) - investments
        for k, v in (("Equity Share Capital", capital), ("Reserves", reserves), ("Borrowings", borrowings),
                     ("Other Liabilities", liabilities_other), ("Total", total), ("Net Block", net_block),
                     ("Capital Work in Progress", cwip), ("Investments", investments),
                     ("Other Assets", other_assets), ("Receivables", receivables), ("Inventory", inventory),
                     ("Cash & Bank", cash), ("No. of Equity Shares", shares_cr * 1e7), ("New Bonus Shares", None),
                     ("Face value", 10.0)):
            bs[k].append(None if v is None else round(v, 2))
    if rng.random() < 0.3:  # a line the company does not report (blank cells, as screener leaves them)
        pl["Power and Fuel"] = [None] * n
    cf = {k: [round(rng.gauss(0, 0.1) * s, 2) for s in sales] for k in CF_LINES}
    return pl, bs, cf, shares_cr


def statement_workbook(c: Company, *, as_of: date, seed: int = 11, years: int = 10) -> bytes:
    """A screener.in v2.1 export of ``c`` with its Data Sheet filled in the real layout."""
    import openpyxl

    rng = random.Random(f"{seed}:{c.symbol}")
    fiscal = _fiscal_years(as_of, years)
    pl, bs, cf, shares_cr = _statements(c, fiscal, rng)
    price = c.market_cap / shares_cr
    book = openpyxl.Workbook()
    book.active.title = "Profit & Loss"
    for title in ("Quarters", "Balance Sheet", "Cash Flow", "Customization"):
        book.create_sheet(title)
    ws = book.create_sheet("Data Sheet")
    dates = [datetime(d.year, d.month, d.day) for d in fiscal]

    def put(row: int, label: str, values: Sequence) -> None:
        ws.cell(row, 1, label)
        for j, v in enumerate(values, start=2):
            if v is not None:
                ws.cell(row, j, v)

    put(1, "COMPANY NAME", [c.name])
    put(2, "LATEST VERSION", [2.1, None, None, "PLEASE DO NOT MAKE ANY CHANGES TO THIS SHEET"])
    put(3, "CURRENT VERSION", [2.1])
    put(5, "META", [])
    put(6, "Number of shares", [])
    put(7, "Face Value", [10])
    put(8, "Current Price", [round(price, 2)])
    put(9, "Market Capitalization", [round(c.market_cap, 2)])
    put(15, "PROFIT & LOSS", [])
    put(16, "Report Date", dates)
    for i, k in enumerate(PL_LINES):
        put(17 + i, k, pl[k])
    put(40, "Quarters", [])
    quarters = [datetime(y, m, 30 if m in (6, 9) else 31) for y in (fiscal[-1].year - 2, fiscal[-1].year - 1,
                                                                    fiscal[-1].year) for m in (3, 6, 9, 12)][-10:]
    put(41, "Report Date", quarters)
    put(42, "Sales", [round(pl["Sales"][-1] / 4 * rng.uniform(0.9, 1.1), 2) for _ in quarters])
    put(55, "BALANCE SHEET", [])
    put(56, "Report Date", dates)
    for i, k in enumerate(BS_LINES):
        put(57 + i, k, bs[k])
    put(80, "CASH FLOW:", [])
    put(81, "Report Date", dates)
    for i, k in enumerate(CF_LINES):
        put(82 + i, k, cf[k])
    put(90, "PRICE:", [round(price * rng.uniform(0.5, 1.1), 2) for _ in fiscal])
    put(92, "DERIVED:", [])
    put(93, "Adjusted Equity Shares in Cr", [shares_cr] * len(fiscal))
    stamp = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
    book.properties.created = book.properties.modified = stamp
    out = io.BytesIO()
    book.save(out)
    return _fixed_zip_times(out.getvalue(), stamp)  # identical bytes on every run (a committed sample)


def bhavcopy_file(day: date, closes: dict[str, tuple[str, float, float]]) -> tuple[str, bytes]:
    """``(file name, CSV)`` of ``day``'s bhavcopy in the layout NSE used that day;
    ``closes``: symbol -> (ISIN, previous close, close)."""
    lines = []
    if layout_for(day) == LEGACY:
        lines.append(LEGACY_HEADER)
        stamp = f"{day:%d}-{f'{day:%b}'.upper()}-{day:%Y}"
        for symbol, (isin, prev, close) in closes.items():
            high, low = max(prev, close) * 1.01, min(prev, close) * 0.99
            lines.append(f"{symbol},EQ,{prev:.2f},{high:.2f},{low:.2f},{close:.2f},{close:.2f},{prev:.2f},"
                         f"100000,{100000 * close:.2f},{stamp},5000,{isin},")
    else:
        lines.append(UDIFF_HEADER)
        for i, (symbol, (isin, prev, close)) in enumerate(closes.items()):
            high, low = max(prev, close) * 1.01, min(prev, close) * 0.99
            lines.append(f"{day},{day},CM,NSE,STK,{1000 + i},{isin},{symbol},EQ,,,,,{symbol},{prev:.2f},{high:.2f},"
                         f"{low:.2f},{close:.2f},{close:.2f},{prev:.2f},,{close:.2f},,,100000,{100000 * close:.2f},"
                         f"5000,F1,1,,,,,")
    return file_name(day), ("\n".join(lines) + "\n").encode()


def write_valuation_landing(landing: Path, companies: Sequence[Company], sessions: Sequence[date], *,
                            as_of: date, seed: int = 11) -> list[Path]:
    """Statement workbooks and the sessions' bhavcopies under ``landing`` (the India landing folder)."""
    written = []
    for c in companies:
        path = landing / "statements" / f"{c.symbol}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(statement_workbook(c, as_of=as_of, seed=seed))
        written.append(path)
    rng = random.Random(seed)
    prices = {}
    for c in companies:
        shares_cr = round(max(c.market_cap / random.Random(f"{seed}:{c.symbol}").uniform(200, 3000), 1.0), 2)
        prices[c.symbol] = c.market_cap / shares_cr
    for day in sorted(d for d in sessions if d.weekday() < 5):
        closes = {}
        for i, c in enumerate(companies):
            prev = prices[c.symbol]
            prices[c.symbol] = prev * math.exp(rng.gauss(0, 0.015))
            closes[c.symbol] = (sample_isin(i), prev, prices[c.symbol])
        name, payload = bhavcopy_file(day, closes)
        path = landing / "bhavcopy" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
        written.append(path)
    return written


def sample_isin(index: int) -> str:
    """The ISIN the sample's bhavcopies give the ``index``-th valued company (the symbol master agrees): 12
    characters as real ones (IN, a 4-character issuer code, security type and serial, a check digit)."""
    return f"INE{index:04d}01018"


def sample_companies(rows: Sequence[dict], count: int) -> list[Company]:
    """The ``count`` largest investable NSE companies of the classification rows (india_companies)."""
    # the classification deliberately leaves some market caps blank (rows the universe must reject)
    listed = [r for r in rows if r.get("Investable") == "Y" and r.get("NSE Symbol")
              and r.get("Market Cap (Rs Cr)") not in (None, "")]
    picked = sorted(listed, key=lambda r: -float(r["Market Cap (Rs Cr)"]))[:count]
    return [Company(r["NSE Symbol"], r["Company Name"], float(r["Market Cap (Rs Cr)"]),
                    is_bank_industry(r["cd_sector"], r["cd_industry"])) for r in picked]


def sessions_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)
            if (first + timedelta(days=i)).weekday() < 5]
