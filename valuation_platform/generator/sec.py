"""Generated SEC EDGAR payloads in the real formats: tickers, submissions, companyfacts.

The statements are internally consistent (assets = liabilities + equity, gross profit = revenue - cost,
free cash flow = operating cash flow - capex) and filed the way companies really file them:

* 10-Qs carry the quarter (3 months) and the year to date for the income statement, year-to-date only
  for cash flows, the quarter-end balance sheet, and prior-year comparatives;
* 10-Ks carry three fiscal years of flows and two balance sheets, never a separate Q4, so Q4 must be
  derived as FY minus nine months;
* fiscal years end in January, March, June, September or December;
* some companies restate a prior year in a later 10-K, some switch revenue concept, some never report
  ``Liabilities`` or ``GrossProfit`` (as real filers do).
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Mapping
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from valuation_platform.generator.universe import Company, us_companies
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.sec.urls import TICKERS_URL, companyfacts_url, submissions_url

DEFAULT_AS_OF = date(2026, 11, 20)
FLOW_ITEMS = ("revenue", "cost", "opex", "op_income", "interest", "pretax", "net_income", "ocf", "capex", "icf", "fcf_fin")
STOCK_ITEMS = ("assets", "liabilities", "equity", "cash", "st_debt", "lt_debt", "cur_assets", "cur_liab", "inventory")


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def _add_months(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    return _month_end(total // 12, total % 12 + 1)


@dataclass
class Quarter:
    fiscal_year: int
    q: int  # 1..4
    start: date
    end: date
    flows: dict[str, float]
    stocks: dict[str, float]


def _quarters(company: Company, rng: random.Random, first_fy: int, last_fy: int) -> list[Quarter]:
    """Quarterly statements with growth, seasonality and noise; stocks roll forward consistently."""
    fye = company.fiscal_year_end_month
    growth = rng.uniform(-0.02, 0.05)  # per quarter
    gross_margin = rng.uniform(0.25, 0.75)
    opex_ratio = gross_margin * rng.uniform(0.55, 0.95)
    season = [1.0 + rng.uniform(-0.08, 0.08) for _ in range(4)]
    revenue = company.base_revenue / 4
    equity = company.base_revenue * rng.uniform(0.4, 1.2)
    lt_debt = company.base_revenue * rng.uniform(0.0, 0.8)
    st_debt = lt_debt * rng.uniform(0.0, 0.2)
    cash = company.base_revenue * rng.uniform(0.05, 0.4)
    quarters: list[Quarter] = []
    for fy in range(first_fy, last_fy + 1):
        fy_end = _month_end(fy, fye)
        for q in range(1, 5):
            end = _add_months(fy_end, -3 * (4 - q))
            start = _add_months(end, -3) + timedelta(days=1)
            revenue *= 1 + growth + rng.gauss(0, 0.02)
            rev = round(revenue * season[q - 1], -3)
            cost = round(rev * (1 - gross_margin + rng.gauss(0, 0.01)), -3)
            opex = round(rev * (opex_ratio + rng.gauss(0, 0.01)), -3)
            op_income = rev - cost - opex
            interest = round(lt_debt * 0.012, -3)
            pretax = op_income - interest
            net_income = round(pretax * (0.79 if pretax > 0 else 1.0), -3)
            capex = round(rev * rng.uniform(0.03, 0.09), -3)
            ocf = round(net_income + rev * rng.uniform(0.04, 0.1), -3)
            icf = -capex - round(rev * rng.uniform(0, 0.02), -3)
            fin = round(-net_income * rng.uniform(0.1, 0.4), -3)
            cash = max(round(cash + ocf + icf + fin, -3), round(rev * 0.02, -3))
            equity = round(equity + net_income + fin, -3)
            inventory = round(rev * rng.uniform(0.1, 0.5), -3)
            cur_assets = cash + inventory + round(rev * rng.uniform(0.3, 0.6), -3)
            cur_liab = st_debt + round(rev * rng.uniform(0.3, 0.7), -3)
            liabilities = cur_liab + lt_debt + round(rev * rng.uniform(0.1, 0.4), -3)
            assets = liabilities + equity
            quarters.append(
                Quarter(
                    fy, q, start, end,
                    dict(revenue=rev, cost=cost, opex=opex, op_income=op_income, interest=interest, pretax=pretax,
                         net_income=net_income, ocf=ocf, capex=capex, icf=icf, fcf_fin=fin),
                    dict(assets=assets, liabilities=liabilities, equity=equity, cash=cash, st_debt=st_debt,
                         lt_debt=lt_debt, cur_assets=cur_assets, cur_liab=cur_liab, inventory=inventory),
                )
            )
    return quarters


@dataclass(frozen=True)
class Filing:
    accession: str
    form: str
    fy: int
    fp: str
    filed: date
    report_date: date


class _FactBook:
    """Collects facts in the companyfacts shape."""

    def __init__(self) -> None:
        self.facts: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {"us-gaap": {}, "dei": {}}

    def add(self, concept: str, unit: str, filing: Filing, end: date, value: float,
            start: date | None = None, taxonomy: str = "us-gaap") -> None:
        entry: dict[str, Any] = {}
        if start is not None:
            entry["start"] = start.isoformat()
        entry.update(end=end.isoformat(), val=int(value) if unit == "USD" else value, accn=filing.accession,
                     fy=filing.fy, fp=filing.fp, form=filing.form, filed=filing.filed.isoformat())
        concept_body = self.facts[taxonomy].setdefault(concept, {"label": concept, "description": None, "units": {}})
        concept_body["units"].setdefault(unit, []).append(entry)


CONCEPTS = {
    "cost": "CostOfRevenue",
    "opex": "OperatingExpenses",
    "op_income": "OperatingIncomeLoss",
    "interest": "InterestExpense",
    "pretax": "IncomeLossFromContinuingOperationsBeforeIncomeTaxesExtraordinaryItemsNoncontrollingInterest",
    "net_income": "NetIncomeLoss",
    "ocf": "NetCashProvidedByUsedInOperatingActivities",
    "capex": "PaymentsToAcquirePropertyPlantAndEquipment",
    "icf": "NetCashProvidedByUsedInInvestingActivities",
    "fcf_fin": "NetCashProvidedByUsedInFinancingActivities",
    "assets": "Assets",
    "liabilities": "Liabilities",
    "equity": "StockholdersEquity",
    "cash": "CashAndCashEquivalentsAtCarryingValue",
    "st_debt": "LongTermDebtCurrent",
    "lt_debt": "LongTermDebtNoncurrent",
    "cur_assets": "AssetsCurrent",
    "cur_liab": "LiabilitiesCurrent",
    "inventory": "InventoryNet",
}
CASH_FLOW_ITEMS = ("ocf", "capex", "icf", "fcf_fin")


# Interest expense as filers tag it: most InterestExpense, some the 2024 taxonomy's InterestExpenseNonoperating,
# a few not at all (no interest coverage for them). Drawn from its own stream so the other figures keep theirs.
INTEREST_CONCEPTS = ("InterestExpense",) * 8 + ("InterestExpenseNonoperating", None)


def _sum(quarters: list[Quarter], item: str) -> float:
    return sum(q.flows[item] for q in quarters)


def build_company_documents(
    company: Company, *, as_of: date, years: int, seed: int, split: tuple[date, int] | None = None
) -> tuple[dict, dict]:
    """(submissions, companyfacts) for one company, everything filed on or before ``as_of``.

    ``split`` (execution day, new shares per old share): filings made on or after that day report per-share
    figures in post-split shares (prior periods restated, as SEC rules require), and a cover-page share count
    dated on or after it counts post-split shares, so the filings agree with the split the prices show."""

    def shares_factor(day: date) -> int:
        return split[1] if split is not None and day >= split[0] else 1

    rng = random.Random(seed * 1_000_003 + company.cik)
    last_fy = as_of.year + (1 if company.fiscal_year_end_month < as_of.month else 0)
    first_fy = last_fy - years
    quarters = _quarters(company, rng, first_fy - 2, last_fy)  # two extra years feed the comparatives
    by_fy: dict[int, list[Quarter]] = {}
    for quarter in quarters:
        by_fy.setdefault(quarter.fiscal_year, []).append(quarter)

    revenue_concept = rng.choice(
        ("Revenues", "RevenueFromContractWithCustomerExcludingAssessedTax",
         "RevenueFromContractWithCustomerExcludingAssessedTax", "SalesRevenueNet")
    )
    reports_liabilities = rng.random() > 0.25
    reports_gross_profit = rng.random() > 0.2
    interest_concept = random.Random(seed * 7_919 + company.cik).choice(INTEREST_CONCEPTS)
    restate_year = first_fy + 1 if rng.random() < 0.3 else None
    restatement = 1 + rng.choice((-1, 1)) * rng.uniform(0.01, 0.04)
    book = _FactBook()
    filings: list[Filing] = []
    seq = 0

    def revenue_concept_for(fy: int) -> str:
        # SalesRevenueNet was retired with ASC 606 (2018): such filers switch concept, as real ones did.
        if revenue_concept == "SalesRevenueNet" and fy >= first_fy + 2:
            return "RevenueFromContractWithCustomerExcludingAssessedTax"
        return revenue_concept

    def flow_value(fy: int, item: str, qs: list[Quarter], filing: Filing) -> float:
        value = _sum(qs, item)
        if restate_year is not None and fy == restate_year and filing.fy > restate_year and filing.form == "10-K":
            value = round(value * restatement, -3)
        return value

    def add_flows(filing: Filing, fy: int, qs: list[Quarter], cash_flows: bool, income: bool) -> None:
        start, end = qs[0].start, qs[-1].end
        items = [
            i for i in FLOW_ITEMS
            if i != "revenue" and ((i in CASH_FLOW_ITEMS and cash_flows) or (i not in CASH_FLOW_ITEMS and income))
        ]
        for item in items:
            concept = interest_concept if item == "interest" else CONCEPTS[item]
            if concept is not None:
                book.add(concept, "USD", filing, end, flow_value(fy, item, qs, filing), start)
        if income:
            revenue = flow_value(fy, "revenue", qs, filing)
            book.add(revenue_concept_for(fy), "USD", filing, end, revenue, start)
            if reports_gross_profit:
                book.add("GrossProfit", "USD", filing, end, revenue - flow_value(fy, "cost", qs, filing), start)
            eps = flow_value(fy, "net_income", qs, filing) / company.shares_outstanding / shares_factor(filing.filed)
            book.add("EarningsPerShareBasic", "USD/shares", filing, end, round(eps, 2), start)
            book.add("EarningsPerShareDiluted", "USD/shares", filing, end, round(eps * 0.985, 2), start)

    def add_stocks(filing: Filing, quarter: Quarter) -> None:
        for item in STOCK_ITEMS:
            if item == "liabilities" and not reports_liabilities:
                continue
            book.add(CONCEPTS[item], "USD", filing, quarter.end, quarter.stocks[item])
        book.add("LiabilitiesAndStockholdersEquity", "USD", filing, quarter.end, quarter.stocks["assets"])

    for fy in range(first_fy, last_fy + 1):
        qs = by_fy[fy]
        for q in range(1, 5):
            quarter = qs[q - 1]
            form, fp = ("10-K", "FY") if q == 4 else ("10-Q", f"Q{q}")
            filed = quarter.end + timedelta(days=rng.randint(55, 75) if q == 4 else rng.randint(30, 44))
            if filed > as_of:
                break
            seq += 1
            yy = filed.year % 100
            filing = Filing(f"{company.cik:010d}-{yy:02d}-{seq:06d}", form, fy, fp, filed, quarter.end)
            filings.append(filing)
            if form == "10-Q":
                prior = by_fy[fy - 1]
                add_flows(filing, fy, [quarter], cash_flows=False, income=True)  # the quarter
                add_flows(filing, fy - 1, [prior[q - 1]], cash_flows=False, income=True)  # its comparative
                add_flows(filing, fy, qs[:q], cash_flows=True, income=q > 1)  # year to date
                add_flows(filing, fy - 1, prior[:q], cash_flows=True, income=False)
                add_stocks(filing, quarter)
                add_stocks(filing, prior[3])  # prior fiscal year end
            else:
                for back in range(3):
                    add_flows(filing, fy - back, by_fy[fy - back], cash_flows=True, income=True)
                add_stocks(filing, quarter)
                add_stocks(filing, by_fy[fy - 1][3])
            cover_date = filed - timedelta(days=5)
            book.add("EntityCommonStockSharesOutstanding", "shares", filing, cover_date,
                     company.shares_outstanding * shares_factor(cover_date), taxonomy="dei")

    submissions = {
        "cik": str(company.cik),
        "entityType": "operating",
        "sic": str(company.sic),
        "sicDescription": company.sic_description,
        "insiderTransactionForOwnerExists": 0,
        "insiderTransactionForIssuerExists": 1,
        "name": company.name,
        "tickers": [company.ticker],
        "exchanges": [company.exchange],
        "ein": f"{rng.randrange(10**8, 10**9)}",
        "category": "Large accelerated filer",
        "fiscalYearEnd": company.fiscal_year_end,
        "stateOfIncorporation": "DE",
        "filings": {
            "recent": {
                "accessionNumber": [f.accession for f in reversed(filings)],
                "filingDate": [f.filed.isoformat() for f in reversed(filings)],
                "reportDate": [f.report_date.isoformat() for f in reversed(filings)],
                "acceptanceDateTime": [f"{f.filed.isoformat()}T16:05:12.000Z" for f in reversed(filings)],
                "form": [f.form for f in reversed(filings)],
                "primaryDocument": [f"{company.ticker.lower()}-{f.report_date:%Y%m%d}.htm" for f in reversed(filings)],
                "isXBRL": [1 for _ in filings],
            },
            "files": [],
        },
    }
    companyfacts = {"cik": company.cik, "entityName": company.name.upper(), "facts": book.facts}
    return submissions, companyfacts


def _write(root: Path, url: str, payload: bytes, compress: bool = False) -> Path:
    path = root / mirror_relpath(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        path = path.with_name(path.name + ".gz")
        payload = gzip.compress(payload, compresslevel=6, mtime=0)  # mtime=0: same bytes every run
    path.write_bytes(payload)
    return path


@dataclass(frozen=True)
class SecMirrorSummary:
    companies: int
    facts: int
    bad_documents: dict[str, str]


def write_sec_mirror(
    root: Path,
    n_companies: int,
    *,
    as_of: date = DEFAULT_AS_OF,
    years: int = 5,
    seed: int = 7,
    compress: bool = True,
    with_faults: bool = True,
    splits: Mapping[str, tuple[date, int]] | None = None,
) -> SecMirrorSummary:
    """Write the SEC part of a mirror under ``root``.

    ``with_faults`` adds the documents the platform must survive: malformed JSON, companyfacts without
    ``facts``, an IFRS-only filer, a company whose companyfacts is missing (HTTP 404 live), and a
    tickers-file entry whose submissions never existed. ``splits`` (ticker -> execution day, ratio): the
    splits the market mirror shows, reflected in those companies' filings (see build_company_documents).
    """
    companies = us_companies(n_companies, seed)
    tickers: dict[str, dict[str, Any]] = {}
    facts_total = 0
    for i, company in enumerate(companies):
        tickers[str(i)] = {"cik_str": company.cik, "ticker": company.ticker, "title": company.name}
        submissions, companyfacts = build_company_documents(
            company, as_of=as_of, years=years, seed=seed, split=(splits or {}).get(company.ticker)
        )
        _write(root, submissions_url(company.cik), orjson.dumps(submissions))
        _write(root, companyfacts_url(company.cik), orjson.dumps(companyfacts), compress)
        facts_total += sum(
            len(entries) for concepts in companyfacts["facts"].values()
            for body in concepts.values() for entries in body["units"].values()
        )
    bad: dict[str, str] = {}
    if with_faults:
        bad = _write_faulty_companies(root, tickers, seed, as_of)
    _write(root, TICKERS_URL, orjson.dumps(tickers))
    return SecMirrorSummary(len(companies), facts_total, bad)


def _write_faulty_companies(root: Path, tickers: dict[str, dict[str, Any]], seed: int, as_of: date) -> dict[str, str]:
    """Companies 9_900_001.. whose documents are broken in one specific way each."""
    faults = {
        "BRKJ": "malformed JSON",
        "NOFX": "companyfacts without 'facts'",
        "IFRS": "IFRS-only filer",
        "GONE": "companyfacts missing (404)",
    }
    for offset, (ticker, what) in enumerate(faults.items()):
        cik = 9_900_001 + offset
        tickers[str(len(tickers))] = {"cik_str": cik, "ticker": ticker, "title": f"{what.title()} Corp"}
        fake = Company(index=-1, cik=cik, ticker=ticker, name=f"{ticker} Corp", sic=7372,
                       sic_description="Prepackaged software", exchange="NYSE", fiscal_year_end_month=12,
                       cusip="000000000", shares_outstanding=10_000_000, base_revenue=5e8, base_price=10.0)
        submissions, companyfacts = build_company_documents(fake, as_of=as_of, years=2, seed=seed)
        _write(root, submissions_url(cik), orjson.dumps(submissions))
        if what == "malformed JSON":
            _write(root, companyfacts_url(cik), orjson.dumps(companyfacts)[:-200])  # cut mid-document
        elif what == "companyfacts without 'facts'":
            _write(root, companyfacts_url(cik), orjson.dumps({"cik": cik, "entityName": fake.name}))
        elif what == "IFRS-only filer":
            ifrs = {"ifrs-full": companyfacts["facts"]["us-gaap"], "dei": companyfacts["facts"]["dei"]}
            _write(root, companyfacts_url(cik), orjson.dumps({"cik": cik, "entityName": fake.name, "facts": ifrs}))
    return {ticker: what for ticker, what in faults.items()}
