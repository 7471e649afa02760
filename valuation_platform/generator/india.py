"""Generated India data: the company classification workbook, MOSPI API payloads and market indicator CSVs.

Everything is deterministic for a seed and written in the real formats the parsers read:

* **Mirror** (``root``, layout ``<root>/<host>/<path>?<query>``): one eSankhyiki JSON response per
  product and year at exactly the URL :func:`~valuation_platform.sources.mospi.client.release_params`
  builds (CPI, IIP, WPI, PLFS by calendar year; NAS by fiscal year). The six market indicator files of
  :data:`~valuation_platform.sources.india.market.MARKET_FEEDS` have no public host, so they go to the
  landing folder; a caller naming a share (``market_base_url``) also gets them in the mirror under it.
* **Landing folder** (``landing``, default ``<root>/landing/india``): what an analyst drops for the file
  sensor: ``classification/gem_classification.xlsx`` and ``.csv``; ``mospi/`` with the published CSV
  layouts (CPI wide, IIP use-based and sectoral tables, WPI wide, NAS and PLFS long); ``market/`` with
  the market indicator files.

The classification has ``n_companies`` rows of which ``investable`` are flagged investable, with the
awkward cases real files have: BSE-only companies (Accord code, no NSE symbol), companies with neither
identifier, a vendor sector with no mapping (Miscellaneous), missing market caps, a duplicated
symbol and partial data-quality flags. The 17 largest companies are real large caps (RELIANCE, TCS,
HDFCBANK, ...) so the curated company alpha configs resolve; the rest are synthetic.

Macro series cover ``months`` months ending ``end`` (default 48 months, Apr 2021 - Mar 2025, so every
series has YoY history) with realistic levels and dynamics: CPI inflation of ~4-7% with vegetable
seasonality and the Housing index missing for Rural, IIP with its March peak and monsoon dip, WPI with
a 2022 fuel spike, quarterly GDP/GVA growing ~6-8% real, PLFS urban unemployment drifting from ~7.5% to
~6.5%, the RBI repo path of 2022-25, a 10y G-sec yield around 6-7.5% and USD/INR from ~73 to ~86.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import random
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.india.market import MARKET_FEEDS, market_feed_url
from valuation_platform.sources.mospi.client import fiscal_year_label, mospi_url, release_params

DEFAULT_END = date(2025, 3, 1)
DEFAULT_MONTHS = 48
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
CLASSIFICATION_COLUMNS = (
    "NSE Symbol",
    "BSE Code",
    "Accord Code",
    "Company Name",
    "cd_sector",
    "cd_industry",
    "Market Cap (Rs Cr)",
    "Investable",
    "Financials Available",
    "Price History",
    "Shareholding Available",
    "DQ Remarks",
)

# --------------------------------------------------------------------------- calendar helpers


def _add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_range(end: date, months: int) -> list[date]:
    end = date(end.year, end.month, 1)
    return [_add_months(end, -k) for k in range(months - 1, -1, -1)]


def _at(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _release(period: date, months_after: int, day: int, hour: int, minute: int = 0) -> str:
    target = _add_months(period, months_after)
    return _at(date(target.year, target.month, min(day, 28 if target.month == 2 else day)), hour, minute)


# --------------------------------------------------------------------------- series dynamics
SEASONAL: dict[str, tuple[float, ...]] = {  # multiplicative, January first
    "flat": (0,) * 12,
    "vegetables": (0.02, -0.06, -0.10, -0.10, -0.06, 0.0, 0.06, 0.05, 0.07, 0.12, 0.10, 0.03),
    "food": (0.003, -0.01, -0.017, -0.017, -0.01, 0.0, 0.01, 0.008, 0.012, 0.02, 0.017, 0.005),
    "headline": (0.001, -0.004, -0.007, -0.007, -0.004, 0.0, 0.004, 0.003, 0.005, 0.008, 0.007, 0.002),
    "fruits": (0.0, -0.01, -0.02, 0.0, 0.02, 0.03, 0.02, 0.0, -0.01, -0.01, -0.02, -0.01),
    "industry": (0.04, 0.01, 0.10, -0.03, 0.0, -0.02, -0.03, -0.05, -0.05, -0.03, -0.04, 0.03),
    "mining": (0.10, 0.05, 0.20, 0.0, 0.02, -0.04, -0.15, -0.18, -0.15, -0.02, 0.03, 0.08),
    "electricity": (-0.05, -0.07, 0.04, 0.05, 0.10, 0.06, 0.0, 0.0, -0.01, -0.03, -0.10, -0.08),
}


def _path(
    rng: random.Random,
    months: Sequence[date],
    start: float,
    annual_growth: float,
    *,
    seasonal: str = "flat",
    noise: float = 0.002,
    wave: float = 0.0,
) -> list[float]:
    """A monthly level: compounding trend x seasonal factor x noise.

    ``wave`` adds the 2021-22 commodity shock, anchored to the calendar: annual inflation runs up to
    ``1.4 x wave`` above trend around March 2022 and settles ``0.6 x wave`` below it from 2023 on
    (WPI fuel: ~25% in 2022, slightly negative in 2024, as published).
    """
    level, out = start, []
    profile = SEASONAL[seasonal]
    for month in months:
        since_shock = (month.year - 2022) * 12 + month.month - 3
        drift = annual_growth / 100.0 + wave * (2.0 * math.exp(-((since_shock / 9.0) ** 2)) - 0.6)
        level *= math.exp(drift / 12.0 + rng.gauss(0.0, noise))
        out.append(level * (1.0 + profile[month.month - 1]))
    return out


# --------------------------------------------------------------------------- CPI
# (name, parent group in the API, first-month level, annual inflation %, seasonal, noise, rural/urban ratio)
CPI_ITEMS: tuple[tuple[str, str, float, float, str, float, float], ...] = (
    ("Cereals and products", "Food and beverages", 145.0, 6.0, "flat", 0.003, 1.00),
    ("Meat and fish", "Food and beverages", 190.0, 6.0, "flat", 0.006, 0.97),
    ("Egg", "Food and beverages", 165.0, 5.0, "fruits", 0.010, 0.98),
    ("Milk and products", "Food and beverages", 155.0, 5.5, "flat", 0.002, 1.00),
    ("Oils and fats", "Food and beverages", 175.0, 3.0, "flat", 0.006, 1.02),
    ("Fruits", "Food and beverages", 160.0, 5.0, "fruits", 0.008, 0.97),
    ("Vegetables", "Food and beverages", 160.0, 8.0, "vegetables", 0.020, 0.94),
    ("Pulses and products", "Food and beverages", 160.0, 8.0, "flat", 0.006, 1.01),
    ("Sugar and Confectionery", "Food and beverages", 117.0, 4.0, "flat", 0.003, 1.00),
    ("Spices", "Food and beverages", 165.0, 9.0, "flat", 0.005, 1.03),
    ("Non-alcoholic beverages", "Food and beverages", 155.0, 4.5, "flat", 0.002, 1.05),
    ("Prepared meals, snacks, sweets etc.", "Food and beverages", 165.0, 6.0, "flat", 0.002, 0.98),
    ("Food and beverages", "Food and beverages", 158.0, 6.5, "food", 0.004, 1.00),
    ("Pan, tobacco and intoxicants", "Pan, tobacco and intoxicants", 190.0, 4.0, "flat", 0.002, 0.99),
    ("Clothing", "Clothing and footwear", 160.0, 5.5, "flat", 0.002, 1.02),
    ("Footwear", "Clothing and footwear", 150.0, 5.0, "flat", 0.002, 1.03),
    ("Clothing and footwear", "Clothing and footwear", 158.0, 5.5, "flat", 0.002, 1.02),
    ("Housing", "Housing", 160.0, 4.0, "flat", 0.001, 1.00),
    ("Fuel and light", "Fuel and light", 155.0, 5.0, "flat", 0.006, 1.02),
    ("Household goods and services", "Miscellaneous", 152.0, 5.0, "flat", 0.002, 1.02),
    ("Health", "Miscellaneous", 160.0, 5.5, "flat", 0.002, 1.03),
    ("Transport and communication", "Miscellaneous", 150.0, 4.5, "flat", 0.003, 1.03),
    ("Recreation and amusement", "Miscellaneous", 152.0, 4.5, "flat", 0.002, 1.02),
    ("Education", "Miscellaneous", 158.0, 4.5, "flat", 0.002, 1.01),
    ("Personal care and effects", "Miscellaneous", 165.0, 6.0, "flat", 0.004, 1.00),
    ("Miscellaneous", "Miscellaneous", 155.0, 5.0, "flat", 0.002, 1.02),
    ("General index", "General", 158.0, 5.3, "headline", 0.002, 1.01),
)
CPI_SECTORS = ("Rural", "Urban", "Combined")
RURAL_WEIGHT = 0.55  # Combined = rural/urban weighted; the real weights are close to this


@dataclass
class IndiaMacro:
    """The generated series by release family, keyed by the publisher's labels, each ``{period: value}``."""

    months: list[date]
    cpi: dict[tuple[str, str], dict[date, float | None]] = field(default_factory=dict)  # (sector, item)
    iip: dict[str, dict[date, float]] = field(default_factory=dict)  # category
    wpi: dict[str, dict[date, float]] = field(default_factory=dict)  # raw commodity name
    nas: dict[tuple[str, str, str], dict[date, float]] = field(
        default_factory=dict
    )  # (indicator, industry, prices)
    plfs: list[dict[str, Any]] = field(default_factory=list)
    market_daily: dict[str, dict[date, float]] = field(default_factory=dict)
    market_long: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # feed -> long rows


def _cpi(macro: IndiaMacro, rng: random.Random) -> None:
    for name, _, start, inflation, seasonal, noise, ratio in CPI_ITEMS:
        base = _path(rng, macro.months, start, inflation, seasonal=seasonal, noise=noise)
        rural = [v * ratio * (1 + rng.gauss(0, 0.002)) for v in base]
        urban = [v / ratio**0.5 * (1 + rng.gauss(0, 0.002)) for v in base]
        for sector, values in (("Rural", rural), ("Urban", urban)):
            macro.cpi[(sector, name)] = {m: round(v, 1) for m, v in zip(macro.months, values, strict=True)}
        if name == "Housing":  # MOSPI publishes no Rural housing index
            macro.cpi[("Rural", name)] = {m: None for m in macro.months}
            macro.cpi[("Combined", name)] = dict(macro.cpi[("Urban", name)])
        else:
            macro.cpi[("Combined", name)] = {
                m: round(RURAL_WEIGHT * r + (1 - RURAL_WEIGHT) * u, 1)
                for m, r, u in zip(macro.months, rural, urban, strict=True)
            }


# --------------------------------------------------------------------------- IIP (base 2011-12)
# (category, type, weight, level in the first month, annual growth %, seasonal)
IIP_CATEGORIES: tuple[tuple[str, str, float, float, float, str], ...] = (
    ("Mining", "Sectoral", 14.37, 108.0, 6.0, "mining"),
    ("Manufacturing", "Sectoral", 77.63, 125.0, 5.5, "industry"),
    ("Electricity", "Sectoral", 7.99, 175.0, 6.5, "electricity"),
    ("Primary goods", "Use-based", 34.05, 125.0, 5.0, "mining"),
    ("Capital goods", "Use-based", 8.22, 85.0, 8.0, "industry"),
    ("Intermediate goods", "Use-based", 17.22, 140.0, 5.0, "industry"),
    ("Infrastructure/construction goods", "Use-based", 12.34, 145.0, 8.5, "industry"),
    ("Consumer durables", "Use-based", 12.84, 105.0, 5.0, "industry"),
    ("Consumer non-durables", "Use-based", 15.33, 145.0, 3.5, "industry"),
    ("Manufacture of food products", "NIC 2-digit", 5.30, 125.0, 4.0, "industry"),
    ("Manufacture of beverages", "NIC 2-digit", 1.04, 95.0, 4.0, "electricity"),
    ("Manufacture of tobacco products", "NIC 2-digit", 0.80, 80.0, 2.0, "flat"),
    ("Manufacture of textiles", "NIC 2-digit", 3.29, 110.0, 1.5, "flat"),
    ("Manufacture of wearing apparel", "NIC 2-digit", 1.32, 115.0, 2.0, "flat"),
    ("Manufacture of paper and paper products", "NIC 2-digit", 0.87, 90.0, 3.0, "flat"),
    ("Manufacture of coke and refined petroleum products", "NIC 2-digit", 11.77, 125.0, 3.0, "flat"),
    ("Manufacture of chemicals and chemical products", "NIC 2-digit", 7.87, 120.0, 4.0, "industry"),
    (
        "Manufacture of pharmaceuticals, medicinal chemical and botanical products",
        "NIC 2-digit",
        4.98,
        215.0,
        5.0,
        "flat",
    ),
    ("Manufacture of rubber and plastics products", "NIC 2-digit", 2.04, 115.0, 5.0, "industry"),
    ("Manufacture of other non-metallic mineral products", "NIC 2-digit", 4.09, 130.0, 7.0, "mining"),
    ("Manufacture of basic metals", "NIC 2-digit", 12.80, 170.0, 7.0, "industry"),
    ("Manufacture of electrical equipment", "NIC 2-digit", 2.98, 105.0, 9.0, "industry"),
    ("Manufacture of machinery and equipment n.e.c.", "NIC 2-digit", 4.77, 110.0, 6.0, "industry"),
    ("Manufacture of motor vehicles, trailers and semi-trailers", "NIC 2-digit", 4.86, 90.0, 8.0, "industry"),
)
USE_BASED = [c for c in IIP_CATEGORIES if c[1] == "Use-based"]
SECTORAL = [c for c in IIP_CATEGORIES if c[1] == "Sectoral"]


def _iip(macro: IndiaMacro, rng: random.Random) -> None:
    for name, _, _, start, growth, seasonal in IIP_CATEGORIES:
        values = _path(rng, macro.months, start, growth, seasonal=seasonal, noise=0.005)
        macro.iip[name] = {m: round(v, 1) for m, v in zip(macro.months, values, strict=True)}
    total = sum(w for _, _, w, *_ in SECTORAL)
    macro.iip["General"] = {
        m: round(sum(w * macro.iip[n][m] for n, _, w, *_ in SECTORAL) / total, 1) for m in macro.months
    }


# --------------------------------------------------------------------------- WPI (base 2011-12)
# (COMM_NAME as published, COMM_CODE, weight, level in the first month, annual inflation %, wave)
WPI_COMMODITIES: tuple[tuple[str, str, float, float, float, float], ...] = (
    ("All commodities", "1000000000", 100.0, 128.0, 4.5, 0.05),
    ("I    PRIMARY ARTICLES", "1100000000", 22.62, 150.0, 6.0, 0.04),
    ("(A).  FOOD ARTICLES", "1101000000", 15.26, 160.0, 6.5, 0.03),
    ("(B).  NON-FOOD ARTICLES", "1102000000", 4.12, 150.0, 4.0, 0.05),
    ("(C).  MINERALS", "1103000000", 0.83, 180.0, 5.0, 0.06),
    ("(D).  CRUDE PETROLEUM AND NATURAL GAS", "1104000000", 2.41, 90.0, 6.0, 0.30),
    ("II   FUEL & POWER", "1200000000", 13.15, 110.0, 6.0, 0.15),
    ("(A).  COAL", "1201000000", 2.14, 127.0, 3.0, 0.03),
    ("(B).  MINERAL OILS", "1202000000", 7.95, 105.0, 6.0, 0.20),
    ("(C).  ELECTRICITY", "1203000000", 3.06, 120.0, 5.0, 0.05),
    ("III   MANUFACTURED PRODUCTS", "1300000000", 64.23, 128.0, 3.5, 0.05),
    ("(A).  MANUFACTURE OF FOOD PRODUCTS", "1301000000", 9.12, 150.0, 4.0, 0.04),
    ("(B).  MANUFACTURE OF TEXTILES", "1303000000", 4.88, 130.0, 2.5, 0.06),
    ("(C).  MANUFACTURE OF PAPER AND PAPER PRODUCTS", "1309000000", 1.11, 130.0, 3.0, 0.06),
    ("(D).  MANUFACTURE OF CHEMICALS AND CHEMICAL PRODUCTS", "1312000000", 6.47, 125.0, 3.0, 0.06),
    (
        "(E).  MANUFACTURE OF PHARMACEUTICALS, MEDICINAL CHEMICAL AND BOTANICAL PRODUCTS",
        "1313000000",
        1.99,
        135.0,
        2.5,
        0.01,
    ),
    ("(F).  MANUFACTURE OF RUBBER AND PLASTICS PRODUCTS", "1314000000", 2.30, 122.0, 2.5, 0.04),
    ("(G).  MANUFACTURE OF OTHER NON-METALLIC MINERAL PRODUCTS", "1315000000", 3.20, 125.0, 3.0, 0.03),
    ("a. CEMENT", "1315010000", 1.64, 120.0, 3.0, 0.04),
    ("(H).  MANUFACTURE OF BASIC METALS", "1316000000", 9.65, 135.0, 4.0, 0.10),
    ("(I).  MANUFACTURE OF ELECTRICAL EQUIPMENT", "1320000000", 2.93, 120.0, 3.0, 0.03),
    ("(J).  MANUFACTURE OF MOTOR VEHICLES, TRAILERS AND SEMI-TRAILERS", "1322000000", 4.97, 120.0, 3.0, 0.01),
)


def _wpi(macro: IndiaMacro, rng: random.Random) -> None:
    for name, _, _, start, inflation, wave in WPI_COMMODITIES:
        values = _path(rng, macro.months, start, inflation, noise=0.004, wave=wave)
        macro.wpi[name] = {m: round(v, 1) for m, v in zip(macro.months, values, strict=True)}


# --------------------------------------------------------------------------- national accounts
# (industry label, short id, share of real GVA, real growth %, quarterly pattern Q1..Q4)
NAS_ACTIVITIES: tuple[tuple[str, float, float, tuple[float, float, float, float]], ...] = (
    ("Agriculture, Livestock, Forestry & Fishing", 0.150, 3.5, (0.90, 0.80, 1.25, 1.05)),
    ("Mining & Quarrying", 0.020, 5.0, (1.00, 0.85, 1.00, 1.15)),
    ("Manufacturing", 0.170, 7.0, (0.97, 0.98, 1.00, 1.05)),
    ("Electricity, Gas, Water Supply & Other Utility Services", 0.023, 7.5, (1.05, 1.00, 0.95, 1.00)),
    ("Construction", 0.085, 9.5, (0.95, 0.88, 1.02, 1.15)),
    (
        "Trade, Hotels, Transport, Communication & Services related to Broadcasting",
        0.180,
        7.5,
        (0.95, 0.97, 1.03, 1.05),
    ),
    ("Financial, Real Estate & Professional Services", 0.230, 8.0, (0.97, 1.00, 1.00, 1.03)),
    ("Public Administration, Defence & Other Services", 0.142, 8.0, (0.95, 1.00, 1.00, 1.05)),
)
GVA_QUARTERLY_START = 3_000_000.0  # real GVA, Rs crore, first quarter (~Q1 2021-22)
NET_TAXES = 1.09  # GDP / GVA
DEFLATOR_START, DEFLATOR_GROWTH = 1.72, 4.0


def fiscal_quarters(months: Sequence[date]) -> list[date]:
    """Quarter starts (Apr, Jul, Oct, Jan) inside the month window."""
    return [m for m in months if m.month in (1, 4, 7, 10)]


_FISCAL_QUARTER = {4: 1, 7: 2, 10: 3, 1: 4}


def _fiscal(quarter_start: date) -> tuple[int, str]:
    """``(fiscal year start, 'Qn')`` of an April-March fiscal quarter."""
    fy_start = quarter_start.year if quarter_start.month >= 4 else quarter_start.year - 1
    return fy_start, f"Q{_FISCAL_QUARTER[quarter_start.month]}"


def _nas(macro: IndiaMacro, rng: random.Random) -> None:
    quarters = fiscal_quarters(macro.months)
    totals_real = {q: 0.0 for q in quarters}
    totals_nominal = {q: 0.0 for q in quarters}
    for label, share, growth, pattern in NAS_ACTIVITIES:
        real, nominal = {}, {}
        for i, q in enumerate(quarters):
            _, qlabel = _fiscal(q)
            level = GVA_QUARTERLY_START * share * (1 + growth / 100) ** (i / 4) * pattern[int(qlabel[1]) - 1]
            level *= 1 + rng.gauss(0, 0.006)
            deflator = DEFLATOR_START * (1 + DEFLATOR_GROWTH / 100) ** (i / 4) * (1 + rng.gauss(0, 0.004))
            real[q], nominal[q] = round(level), round(level * deflator)
            totals_real[q] += real[q]
            totals_nominal[q] += nominal[q]
        macro.nas[("GVA", label, "constant")] = real
        macro.nas[("GVA", label, "current")] = nominal
    macro.nas[("GVA", "Total GVA at Basic Prices", "constant")] = {
        q: round(v) for q, v in totals_real.items()
    }
    macro.nas[("GVA", "Total GVA at Basic Prices", "current")] = {
        q: round(v) for q, v in totals_nominal.items()
    }
    macro.nas[("GDP", "", "constant")] = {q: round(v * NET_TAXES) for q, v in totals_real.items()}
    macro.nas[("GDP", "", "current")] = {q: round(v * NET_TAXES) for q, v in totals_nominal.items()}


# --------------------------------------------------------------------------- PLFS
PLFS_INDICATORS = (
    "Unemployment Rate (UR)", "Labour Force Participation Rate (LFPR)", "Worker Population Ratio (WPR)",
)


def _plfs_rows(
    frequency: str, period: date, sector: str, gender: str, ur: float, lfpr: float
) -> list[dict[str, Any]]:
    """The bulletin's three indicators for one period, sector and gender (WPR = LFPR x (1 - UR))."""
    values = (ur, lfpr, round(lfpr * (1 - ur / 100), 1))
    return [{"frequency": frequency, "period_start": period, "sector": sector, "gender": gender,
             "indicator": indicator, "value": value} for indicator, value in zip(PLFS_INDICATORS, values)]


def _plfs(macro: IndiaMacro, rng: random.Random) -> None:
    n = len(macro.months)
    calendar_quarters = [m for m in macro.months if m.month in (1, 4, 7, 10)]
    for i, q in enumerate(calendar_quarters):
        t = i / max(1, len(calendar_quarters) - 1)
        ur = {"person": 7.6 - 1.2 * t, "male": 6.8 - 1.1 * t, "female": 10.0 - 1.5 * t}
        lfpr = {"person": 47.5 + 3.0 * t, "male": 74.0 + 0.8 * t, "female": 21.0 + 4.5 * t}
        for gender in ("person", "male", "female"):
            u = round(ur[gender] + rng.gauss(0, 0.15), 1)
            lf = round(lfpr[gender] + rng.gauss(0, 0.2), 1)
            macro.plfs += _plfs_rows("Quarterly", q, "Urban", gender.capitalize(), u, lf)
    for i, m in enumerate(macro.months):
        t = i / max(1, n - 1)
        for sector, ur0, lf0 in (("Rural", 4.9, 57.5), ("Urban", 6.9, 50.0), ("Rural+Urban", 5.4, 55.2)):
            u = round(ur0 - 0.3 * t + rng.gauss(0, 0.12), 1)
            lf = round(lf0 + 0.6 * t + SEASONAL["industry"][m.month - 1] * 5 + rng.gauss(0, 0.2), 1)
            macro.plfs += _plfs_rows("Monthly", m, sector, "Person", u, lf)


# --------------------------------------------------------------------------- market
# RBI policy repo rate decisions (effective dates) of the 2020-25 cycle.
REPO_DECISIONS: tuple[tuple[date, float], ...] = (
    (date(2020, 5, 22), 4.00),
    (date(2022, 5, 4), 4.40),
    (date(2022, 6, 8), 4.90),
    (date(2022, 8, 5), 5.40),
    (date(2022, 9, 30), 5.90),
    (date(2022, 12, 7), 6.25),
    (date(2023, 2, 8), 6.50),
    (date(2025, 2, 7), 6.25),
    (date(2025, 4, 9), 6.00),
    (date(2025, 6, 6), 5.50),
)


def business_days(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _anchored_walk(
    rng: random.Random, days: Sequence[date], anchors: Sequence[tuple[date, float]], noise: float
) -> list[float]:
    """A daily path through anchor levels (linear between them) plus mean-reverting noise."""
    out, shock = [], 0.0
    for day in days:
        after = next((i for i, (d, _) in enumerate(anchors) if d >= day), len(anchors) - 1)
        before = max(0, after - 1)
        (d0, v0), (d1, v1) = anchors[before], anchors[after]
        span = (d1 - d0).days or 1
        base = v0 + (v1 - v0) * min(1.0, max(0.0, (day - d0).days / span))
        shock = 0.9 * shock + rng.gauss(0, noise)
        out.append(base + shock)
    return out


def _market(macro: IndiaMacro, rng: random.Random) -> None:
    first, last = macro.months[0], _add_months(macro.months[-1], 1) - timedelta(days=1)
    days = business_days(first, last)
    # (date, level) points the daily walks pass through: the 10y yield in percent, USD/INR in rupees.
    yield_anchors = [(date(2021, 1, 1), 5.95), (date(2021, 12, 31), 6.45), (date(2022, 6, 15), 7.55),
                     (date(2023, 3, 31), 7.30), (date(2023, 12, 31), 7.20), (date(2024, 12, 31), 6.80),
                     (date(2025, 12, 31), 6.35)]
    fx_anchors = [(date(2021, 1, 1), 73.0), (date(2021, 12, 31), 75.0), (date(2022, 10, 20), 82.8),
                  (date(2023, 12, 31), 83.2), (date(2024, 12, 31), 85.6), (date(2025, 2, 10), 87.4),
                  (date(2025, 12, 31), 86.0)]
    macro.market_daily["gsec_10y"] = {
        d: round(v, 3) for d, v in zip(days, _anchored_walk(rng, days, yield_anchors, 0.012), strict=True)
    }
    macro.market_daily["usd_inr"] = {
        d: round(v, 4) for d, v in zip(days, _anchored_walk(rng, days, fx_anchors, 0.08), strict=True)
    }

    def long_row(
        source: str,
        series_id: str,
        name: str,
        frequency: str,
        period: date,
        value: float,
        unit: str,
        released: str,
    ) -> dict[str, Any]:
        return {
            "source": source,
            "series_id": series_id,
            "series_name": name,
            "geography": "India",
            "frequency": frequency,
            "ref_period": period.isoformat(),
            "value": value,
            "unit": unit,
            "released_at": released,
        }

    repo = [(d, r) for d, r in REPO_DECISIONS if d <= last]
    macro.market_long["repo_rate"] = [
        long_row("RBI", "rbi_repo_rate", "RBI policy repo rate", "E", d, r, "percent", _at(d, 4, 30))
        for d, r in repo
    ]
    pmi: list[dict[str, Any]] = []
    flows: list[dict[str, Any]] = []
    trade: list[dict[str, Any]] = []
    for i, m in enumerate(macro.months):
        cycle = math.sin(2 * math.pi * i / 30)
        mfg = round(56.5 + 1.5 * cycle + rng.gauss(0, 0.6), 1)
        services = round(58.5 + 2.0 * cycle + rng.gauss(0, 0.8), 1)
        composite = round(0.45 * mfg + 0.55 * services + rng.gauss(0, 0.2), 1)
        for series_id, name, value, day in (
            ("pmi_manufacturing", "HSBC India Manufacturing PMI", mfg, 1),
            ("pmi_services", "HSBC India Services PMI", services, 3),
            ("pmi_composite", "HSBC India Composite PMI Output Index", composite, 3),
        ):
            pmi.append(
                long_row("S&P Global", series_id, name, "M", m, value, "index", _release(m, 1, day, 5))
            )
        fii = round(rng.gauss(-2000, 22000), 0)
        dii = round(rng.gauss(28000, 14000) - 0.4 * fii, 0)
        flows.append(
            long_row(
                "NSDL",
                "fii_net_flows",
                "FPI net investment in equity",
                "M",
                m,
                fii,
                "Rs crore",
                _release(m, 1, 1, 12),
            )
        )
        flows.append(
            long_row(
                "NSE",
                "dii_net_flows",
                "DII net purchases in the cash market",
                "M",
                m,
                dii,
                "Rs crore",
                _release(m, 1, 1, 12),
            )
        )
        balance = round(-22.0 - 4.0 * cycle + rng.gauss(0, 2.0), 2)
        trade.append(
            long_row(
                "Ministry of Commerce",
                "balance_of_trade",
                "Merchandise trade balance",
                "M",
                m,
                balance,
                "USD billion",
                _release(m, 1, 15, 10, 30),
            )
        )
    macro.market_long["pmi"] = pmi
    macro.market_long["fii_dii_flows"] = flows
    macro.market_long["balance_of_trade"] = trade


def india_macro(*, months: int = DEFAULT_MONTHS, end: date = DEFAULT_END, seed: int = 19) -> IndiaMacro:
    """All generated India macro and market series for the window."""
    if months < 25:
        raise ValueError("need at least 25 months so every series has year-on-year history")
    macro = IndiaMacro(months=month_range(end, months))
    for offset, build in enumerate((_cpi, _iip, _wpi, _nas, _plfs, _market)):
        build(macro, random.Random(seed * 1000 + offset))
    return macro


# --------------------------------------------------------------------------- payload writers (pure: bytes)
def api_envelope(records: list[dict[str, Any]]) -> bytes:
    """An eSankhyiki JSON response holding ``records`` on one page."""
    body = {
        "data": records,
        "msg": "Data fetched successfully" if records else "No Data Found",
        "statusCode": True,
        "meta_data": {"page": 1, "totalRecords": len(records), "totalPages": 1},
    }
    return json.dumps(body, separators=(",", ":")).encode()


def _fmt(value: float | None) -> str:
    return "NA" if value is None else f"{value:.1f}"


def cpi_api_records(macro: IndiaMacro, year: int) -> list[dict[str, Any]]:
    records = []
    last = macro.months[-1]
    for m in (m for m in macro.months if m.year == year):
        for sector in CPI_SECTORS:
            for name, parent, *_ in CPI_ITEMS:
                value = macro.cpi[(sector, name)][m]
                base = macro.cpi[(sector, name)].get(date(m.year - 1, m.month, 1))
                inflation = "" if value is None or base is None else f"{(value / base - 1) * 100:.2f}"
                group = "General" if name == "General index" else parent
                records.append(
                    {
                        "baseyear": "2012",
                        "year": m.year,
                        "month": MONTH_NAMES[m.month - 1],
                        "state": "All India",
                        "sector": sector,
                        "group": group,
                        "subgroup": "" if name in (parent, "General index") else name,
                        "index": _fmt(value),
                        "inflation": inflation,
                        "status": "Provisional" if m == last else "Final",
                        "release_date": _release(m, 1, 12, 10, 30),
                    }
                )
    return records


def cpi_wide_csv(macro: IndiaMacro) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Sector", "Year", "Month", *[name for name, *_ in CPI_ITEMS]])
    for m in macro.months:
        for sector, label in (("Rural", "Rural"), ("Urban", "Urban"), ("Combined", "Rural+Urban")):
            values = [macro.cpi[(sector, name)][m] for name, *_ in CPI_ITEMS]
            writer.writerow(
                [label, m.year, MONTH_NAMES[m.month - 1], *["NA" if v is None else f"{v:g}" for v in values]]
            )
    return out.getvalue().encode()


def iip_api_records(macro: IndiaMacro, year: int) -> list[dict[str, Any]]:
    categories = [*IIP_CATEGORIES, ("General", "Sectoral", 100.0, 0.0, 0.0, "flat")]
    records = []
    for m in (m for m in macro.months if m.year == year):
        for name, kind, *_ in categories:
            value = macro.iip[name][m]
            base = macro.iip[name].get(date(m.year - 1, m.month, 1))
            records.append(
                {
                    "base_year": "2011-12",
                    "year": m.year,
                    "month": MONTH_NAMES[m.month - 1],
                    "type": kind,
                    "category": name,
                    "sub_category": "",
                    "index": f"{value:.1f}",
                    "growth_rate": "" if base is None else f"{(value / base - 1) * 100:.1f}",
                    "release_date": _release(m, 1, 28, 10, 30),
                }
            )
    return records


def iip_table_csv(macro: IndiaMacro, *, layout: str) -> bytes:
    """MOSPI's published table (the shape of the base 2004-05 file), base 2011-12, with a UTF-8 BOM."""
    if layout == "use_based":
        names = [c[0] for c in USE_BASED]
        top = [
            "Period",
            "Primary",
            "Capital",
            "Intermediate",
            "Infrastructure/",
            "Consumer",
            "Consumer",
            "General",
        ]
        lower = [
            "Month",
            "goods",
            "goods",
            "goods",
            "construction goods",
            "durables",
            "non-durables",
            "Index",
        ]
        weights = [f"{c[2] * 10:.2f}" for c in USE_BASED] + ["1000"]
        title = "Use-based indices"
    elif layout == "sectoral":
        names = [c[0] for c in SECTORAL]
        top = ["Period", "Mining", "Manufacturing", "Electricity", "General"]
        lower = ["Month", "", "", "", "Index"]
        weights = [f"{c[2] * 10:.2f}" for c in SECTORAL] + ["1000"]
        title = "Sectoral indices"
    else:
        raise ValueError(f"layout must be 'use_based' or 'sectoral', not {layout!r}")
    width = len(top)
    blank = [""] * width
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["INDEX OF INDUSTRIAL PRODUCTION"] + blank[1:])
    writer.writerow(["(Base : 2011-12=100)"] + blank[1:])
    writer.writerow(blank)
    writer.writerow([title] + blank[1:])
    writer.writerow(blank)
    writer.writerow(top)
    writer.writerow(lower)
    writer.writerow(["Weight", *weights])
    columns = [*names, "General"]
    for m in macro.months:
        label = f"{m.strftime('%b')}'{m.year % 100:02d}"
        writer.writerow([label, *[f"{macro.iip[n][m]:.1f}" for n in columns]])
    writer.writerow(blank)
    writer.writerow(blank)
    writer.writerow(["Annual Average (Apr-Mar) Indices"] + blank[1:])
    fiscal_years = sorted({(m.year if m.month >= 4 else m.year - 1) for m in macro.months})
    for fy in fiscal_years:
        window = [m for m in macro.months if (m.year if m.month >= 4 else m.year - 1) == fy]
        if len(window) == 12:
            writer.writerow(
                [
                    fiscal_year_label(fy),
                    *[f"{sum(macro.iip[n][m] for m in window) / 12:.1f}" for n in columns],
                ]
            )
    writer.writerow(blank)
    return ("\ufeff" + out.getvalue()).encode()


def wpi_api_records(macro: IndiaMacro, year: int) -> list[dict[str, Any]]:
    return [
        {
            "year": m.year,
            "month": MONTH_NAMES[m.month - 1],
            "comm_name": name,
            "comm_code": code,
            "comm_wt": weight,
            "index_value": f"{macro.wpi[name][m]:.1f}",
            "release_date": _release(m, 1, 14, 6, 30),
        }
        for m in macro.months
        if m.year == year
        for name, code, weight, *_ in WPI_COMMODITIES
    ]


def wpi_wide_csv(macro: IndiaMacro) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "COMM_NAME",
            "COMM_CODE",
            "COMM_WT",
            *[f"INDX{m.month:02d}{m.year}" for m in macro.months],
            "RELEASE_DATE",
        ]
    )
    released = _release(macro.months[-1], 1, 14, 6, 30)
    for name, code, weight, *_ in WPI_COMMODITIES:
        writer.writerow([name, code, weight, *[f"{macro.wpi[name][m]:.1f}" for m in macro.months], released])
    return out.getvalue().encode()


NAS_COLUMNS = (
    "Base Year",
    "Year",
    "Quarter",
    "Indicator",
    "Industry",
    "Current Price",
    "Constant Price",
    "Unit",
    "Estimate",
    "Release Date",
)


def nas_records(macro: IndiaMacro, fiscal_year: int | None = None) -> list[dict[str, Any]]:
    """One record per (quarter, indicator, industry); keys are the CSV headers slugged (the API's names)."""
    industries = [
        ("GDP", ""),
        ("GVA", "Total GVA at Basic Prices"),
        *[("GVA", label) for label, *_ in NAS_ACTIVITIES],
    ]
    quarters = fiscal_quarters(macro.months)
    records = []
    for q in quarters:
        fy, qlabel = _fiscal(q)
        if fiscal_year is not None and fy != fiscal_year:
            continue
        quarter_end = _add_months(q, 3) - timedelta(days=1)
        released = _add_months(date(quarter_end.year, quarter_end.month, 1), 3) - timedelta(days=1)
        for indicator, industry in industries:
            records.append(
                {
                    "base_year": "2011-12",
                    "year": fiscal_year_label(fy),
                    "quarter": qlabel,
                    "indicator": indicator,
                    "industry": industry,
                    "current_price": macro.nas[(indicator, industry, "current")][q],
                    "constant_price": macro.nas[(indicator, industry, "constant")][q],
                    "unit": "Rs crore",
                    "estimate": "PE" if q == quarters[-1] else "FRE",
                    "release_date": _at(released, 10, 30),
                }
            )
    return records


PLFS_COLUMNS = (
    "Frequency",
    "Year",
    "Period",
    "State",
    "Sector",
    "Gender",
    "Age Group",
    "Weekly Status",
    "Indicator",
    "Value",
    "Release Date",
)
_QUARTER_LABELS = {1: "Jan-Mar", 4: "Apr-Jun", 7: "Jul-Sep", 10: "Oct-Dec"}


def plfs_records(macro: IndiaMacro, year: int | None = None) -> list[dict[str, Any]]:
    records = []
    for row in macro.plfs:
        start: date = row["period_start"]
        if year is not None and start.year != year:
            continue
        quarterly = row["frequency"] == "Quarterly"
        released = _release(start, 4 if quarterly else 1, 15, 11, 30)
        records.append(
            {
                "frequency": row["frequency"],
                "year": start.year,
                "period": _QUARTER_LABELS[start.month] if quarterly else MONTH_NAMES[start.month - 1],
                "state": "All India",
                "sector": row["sector"],
                "gender": row["gender"],
                "age_group": "15 years and above",
                "weekly_status": "CWS",
                "indicator": row["indicator"],
                "value": f"{row['value']:.1f}",
                "release_date": released,
            }
        )
    return records


def _long_csv(headers: Sequence[str], records: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    keys = [h.lower().replace(" ", "_") for h in headers]
    for record in records:
        writer.writerow([record[k] for k in keys])
    return out.getvalue().encode()


def investing_csv(series: dict[date, float], *, with_volume: bool = False) -> bytes:
    """Investing.com history export: quoted, newest first, UTF-8 BOM, 'Change %' against the previous day."""
    days = sorted(series)
    header = ["Date", "Price", "Open", "High", "Low"] + (["Vol."] if with_volume else []) + ["Change %"]
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    rows = []
    for i, day in enumerate(days):
        close = series[day]
        prev = series[days[i - 1]] if i else close
        open_ = prev
        high, low = max(open_, close) * 1.002, min(open_, close) * 0.998
        change = (close / prev - 1) * 100 if prev else 0.0
        cells = [day.strftime("%b %d, %Y"), f"{close:.3f}", f"{open_:.3f}", f"{high:.3f}", f"{low:.3f}"]
        rows.append(cells + (["-"] if with_volume else []) + [f"{change:.2f}%"])
    writer.writerows(reversed(rows))
    return ("\ufeff" + out.getvalue()).encode()


MARKET_LONG_COLUMNS = (
    "source",
    "series_id",
    "series_name",
    "geography",
    "frequency",
    "ref_period",
    "value",
    "unit",
    "released_at",
)


def market_files(macro: IndiaMacro) -> dict[str, bytes]:
    """Feed name -> file bytes for every catalogued market feed."""
    files = {
        "gsec_10y": investing_csv(macro.market_daily["gsec_10y"]),
        "usd_inr": investing_csv(macro.market_daily["usd_inr"], with_volume=True),
    }
    for feed, rows in macro.market_long.items():
        files[feed] = _long_csv(MARKET_LONG_COLUMNS, rows)
    missing = set(MARKET_FEEDS) - set(files)
    if missing:
        raise RuntimeError(f"generator does not produce feeds {sorted(missing)}")
    return files


# --------------------------------------------------------------------------- classification
# Vendor taxonomy: (cd_sector, cd_industry, share of companies): the industries the reviewed seed
# india_sector_group_mapping maps, plus the Miscellaneous ones it leaves unmapped (UNMAPPED_SECTORS).
TAXONOMY: tuple[tuple[str, str, float], ...] = (
    ("Financials", "Bank - Private", 0.6),
    ("Financials", "Bank - Public", 0.2),
    ("Financials", "Finance - NBFC", 4.5),
    ("Financials", "Finance Term Lending", 0.6),
    ("Financials", "Finance - Housing", 0.5),
    ("Financials", "Insurance", 0.3),
    ("Financials", "Finance - Stock Broking", 1.2),
    ("Financials", "Finance - Asset Management", 0.2),
    ("Financials", "Finance - Investment", 3.0),
    ("Financials", "Stock Exchanges", 0.05),
    ("Financials", "Depository Services", 0.05),
    ("Financials", "Ratings", 0.1),
    ("Information Technology", "IT - Software", 5.0),
    ("Information Technology", "IT - Software Products", 0.6),
    ("Information Technology", "IT - Hardware", 0.5),
    ("Information Technology", "IT - Engineering R&D", 0.3),
    ("Information Technology", "BPO/ITeS", 0.8),
    ("Healthcare", "Pharmaceuticals & Drugs", 3.5),
    ("Healthcare", "Pharmaceuticals - API/Bulk Drugs", 1.0),
    ("Healthcare", "Hospital & Healthcare Services", 0.8),
    ("Healthcare", "Diagnostics", 0.2),
    ("Healthcare", "Medical Equipment/Supplies/Accessories", 0.4),
    ("Consumer Staples", "Household & Personal Products", 0.8),
    ("Consumer Staples", "Consumer Food", 2.5),
    ("Consumer Staples", "Tea/Coffee", 0.5),
    ("Consumer Staples", "Edible Oil", 0.6),
    ("Consumer Staples", "Breweries & Distilleries", 0.4),
    ("Consumer Staples", "Cigarettes/Tobacco", 0.1),
    ("Consumer Staples", "Sugar", 0.6),
    ("Consumer Staples", "Aquaculture", 0.2),
    ("Consumer Discretionary", "Retailing", 0.8),
    ("Consumer Discretionary", "Diamond & Jewellery", 0.8),
    ("Consumer Discretionary", "Footwear", 0.2),
    ("Consumer Discretionary", "Consumer Durables - Electronics", 0.6),
    ("Consumer Discretionary", "Consumer Durables - Domestic Appliances", 0.4),
    ("Consumer Discretionary", "Hotel, Resort & Restaurants", 1.2),
    ("Consumer Discretionary", "Travel Services", 0.3),
    ("Consumer Discretionary", "E-Commerce/App based Aggregator", 0.3),
    ("Consumer Discretionary", "Education", 0.3),
    ("Automobile", "Automobiles - Passenger Cars", 0.1),
    ("Automobile", "Automobile Two & Three Wheelers", 0.2),
    ("Automobile", "Automobiles - Trucks/LCV", 0.1),
    ("Automobile", "Automobiles - Tractors", 0.1),
    ("Automobile", "Auto Ancillary", 3.0),
    ("Automobile", "Tyres & Allied", 0.3),
    ("Industrials", "Engineering - Construction", 2.0),
    ("Industrials", "Construction - Infrastructure", 1.0),
    ("Industrials", "Engineering - Industrial Equipments", 2.5),
    ("Industrials", "Compressors / Pumps", 0.4),
    ("Industrials", "Bearings", 0.2),
    ("Industrials", "Electric Equipment", 1.5),
    ("Industrials", "Cable", 0.5),
    ("Industrials", "Defence", 0.3),
    ("Industrials", "Ship Building", 0.1),
    ("Industrials", "Logistics", 1.0),
    ("Industrials", "Port", 0.1),
    ("Industrials", "Airlines", 0.1),
    ("Industrials", "Shipping", 0.4),
    ("Industrials", "Environmental Services", 0.2),
    ("Industrials", "Professional Services", 0.6),
    ("Energy", "Refineries", 0.2),
    ("Energy", "Lubricants", 0.2),
    ("Energy", "Oil Exploration", 0.2),
    ("Energy", "Gas Transmission/Marketing", 0.3),
    ("Energy", "Industrial Gases & Fuels", 0.1),
    ("Materials", "Steel & Iron Products", 3.0),
    ("Materials", "Steel - Sponge Iron", 0.5),
    ("Materials", "Aluminium & Aluminium Products", 0.3),
    ("Materials", "Metal - Non Ferrous", 0.6),
    ("Materials", "Mining & Minerals", 0.5),
    ("Materials", "Chemicals", 5.0),
    ("Materials", "Dyes & Pigments", 0.8),
    ("Materials", "Fertilizers", 0.5),
    ("Materials", "Pesticides & Agrochemicals", 0.7),
    ("Materials", "Paints", 0.2),
    ("Materials", "Plastic Products", 2.0),
    ("Materials", "Packaging", 0.8),
    ("Materials", "Paper & Paper Products", 1.0),
    ("Materials", "Cement & Construction Materials", 0.8),
    ("Materials", "Ceramics & Granite", 0.6),
    ("Materials", "Pipes & Fittings", 0.4),
    ("Materials", "Wood & Wood Products", 0.3),
    ("Real Estate", "Construction - Real Estate", 2.5),
    ("Real Estate", "Real Estate Investment Trusts", 0.1),
    ("Real Estate", "Commercial Real Estate", 0.2),
    ("Communication Services", "Telecommunication - Service Provider", 0.3),
    ("Communication Services", "Telecommunication - Equipment", 0.4),
    ("Communication Services", "Telecom Towers", 0.05),
    ("Communication Services", "TV Broadcasting & Software Production", 0.8),
    ("Communication Services", "Entertainment", 0.6),
    ("Communication Services", "Printing & Publishing", 0.4),
    ("Utilities", "Power Generation/Distribution", 0.8),
    ("Utilities", "Power - Renewable", 0.4),
    ("Utilities", "Power - Transmission", 0.2),
    ("Textiles", "Textile", 3.0),
    ("Textiles", "Textile - Spinning", 1.2),
    ("Textiles", "Textile - Weaving", 0.6),
    ("Textiles", "Textile - Manmade Fibres", 0.4),
    ("Textiles", "Readymade Garments/ Apparells", 1.2),
    ("Textiles", "Textile - Home Furnishing", 0.3),
    ("Diversified", "Diversified", 0.5),
    ("Diversified", "Diversified - Mega", 0.1),
    ("Miscellaneous", "Miscellaneous", 3.0),
    ("Trading", "Trading", 4.0),
    ("Miscellaneous", "Unclassified", 0.8),
)
UNMAPPED_SECTORS = frozenset({("Miscellaneous", "Miscellaneous"), ("Miscellaneous", "Unclassified")})
# The largest companies are the real large caps, so the curated company alpha configs (keyed by NSE
# symbol) resolve in generated data: symbol|name|BSE code|cd_sector|cd_industry|approx. market cap (Rs crore).
_ANCHOR_TABLE = """
RELIANCE|Reliance Industries Ltd.|500325|Energy|Refineries|1900000
TCS|Tata Consultancy Services Ltd.|532540|Information Technology|IT - Software|1400000
HDFCBANK|HDFC Bank Ltd.|500180|Financials|Bank - Private|1300000
BHARTIARTL|Bharti Airtel Ltd.|532454|Communication Services|Telecommunication - Service Provider|950000
ICICIBANK|ICICI Bank Ltd.|532174|Financials|Bank - Private|900000
INFY|Infosys Ltd.|500209|Information Technology|IT - Software|750000
SBIN|State Bank Of India|500112|Financials|Bank - Public|700000
HINDUNILVR|Hindustan Unilever Ltd.|500696|Consumer Staples|Household & Personal Products|560000
ITC|ITC Ltd.|500875|Consumer Staples|Cigarettes/Tobacco|540000
LT|Larsen & Toubro Ltd.|500510|Industrials|Engineering - Construction|480000
BAJFINANCE|Bajaj Finance Ltd.|500034|Financials|Finance - NBFC|450000
SUNPHARMA|Sun Pharmaceutical Industries Ltd.|524715|Healthcare|Pharmaceuticals & Drugs|420000
MARUTI|Maruti Suzuki India Ltd.|532500|Automobile|Automobiles - Passenger Cars|390000
NTPC|NTPC Ltd.|532555|Utilities|Power Generation/Distribution|350000
ULTRACEMCO|UltraTech Cement Ltd.|532538|Materials|Cement & Construction Materials|330000
ASIANPAINT|Asian Paints Ltd.|500820|Materials|Paints|240000
TATASTEEL|Tata Steel Ltd.|500470|Materials|Steel & Iron Products|180000
"""
ANCHORS: tuple[tuple[str, str, str, str, str, float], ...] = tuple(
    (*cells[:5], int(cells[5]))
    for cells in (line.split("|") for line in _ANCHOR_TABLE.strip().splitlines())
)
NAME_STEMS = (
    "Aarav",
    "Bharat",
    "Chandra",
    "Deccan",
    "Eastern",
    "Ganga",
    "Himalaya",
    "Indus",
    "Jaipur",
    "Kaveri",
    "Lakshmi",
    "Malabar",
    "Narmada",
    "Orient",
    "Prakash",
    "Rajshree",
    "Sagar",
    "Tirupati",
    "Uttam",
    "Vindhya",
    "Western",
    "Yamuna",
    "Zenith",
    "Kohinoor",
    "Sahyadri",
    "Konark",
    "Amrit",
    "Shivam",
    "Nilgiri",
    "Coromandel",
)
INDUSTRY_WORDS = {
    "Financials": ("Finance", "Capital", "Fincorp", "Investments"),
    "Information Technology": ("Infotech", "Softech", "Systems"),
    "Healthcare": ("Pharma", "Lifesciences", "Healthcare", "Remedies"),
    "Consumer Staples": ("Foods", "Agro", "Consumer"),
    "Consumer Discretionary": ("Retail", "Lifestyle", "Hotels", "Learning"),
    "Automobile": ("Auto", "Motors", "Autocomp"),
    "Industrials": ("Engineering", "Infra", "Projects", "Electricals", "Shipping", "Services"),
    "Energy": ("Petro", "Energy", "Gas"),
    "Materials": ("Steel", "Chemicals", "Polymers", "Cement", "Metals"),
    "Real Estate": ("Realty", "Estates", "Developers"),
    "Communication Services": ("Media", "Telecom", "Broadcast"),
    "Utilities": ("Power", "Energy", "Renewables"),
    "Textiles": ("Textiles", "Spinners", "Fabrics", "Apparels"),
    "Diversified": ("Industries", "Enterprises"),
    "Miscellaneous": ("Enterprises", "Ventures"),
    "Trading": ("Traders", "Exports", "Commercial"),
}


def _market_cap(rank: int, rng: random.Random) -> float:
    """Rs crore by size rank (0-based): ~Rs 38k cr at #100, ~5k at #1000, ~130 at #8000."""
    r = rank + 1
    base = 1_900_000 * r**-0.85 if r <= 1000 else 1_900_000 * 1000**-0.85 * (r / 1000) ** -1.8
    return round(base * rng.lognormvariate(0, 0.12), 2)


def _symbol(name: str, taken: set[str], rng: random.Random) -> str:
    letters = "".join(ch for ch in name.upper() if ch.isalpha())
    candidate = letters[:10]
    while candidate in taken or len(candidate) < 3:
        candidate = (letters[:7] + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=3)))[:10]
    taken.add(candidate)
    return candidate


def india_companies(n_companies: int = 8054, investable: int = 2160, seed: int = 19) -> list[dict[str, Any]]:
    """Classification rows keyed by the workbook's column names, largest first.

    Exactly ``n_companies`` rows and ``investable`` investable ones; the last row duplicates the NSE
    symbol of an earlier investable company (a relisting), as hand-kept files do.
    """
    if not len(ANCHORS) + 20 < investable <= n_companies:
        raise ValueError("need len(ANCHORS) + 20 < investable <= n_companies")
    n_companies, investable = n_companies - 1, investable - 1  # the duplicate row is added at the end
    rng = random.Random(seed)
    taken_symbols: set[str] = set()
    taken_names: set[str] = set()
    taken_bse: set[int] = set()
    sectors = [(s, i) for s, i, _ in TAXONOMY]
    weights = [w for *_, w in TAXONOMY]
    rows: list[dict[str, Any]] = []
    # Investable: every anchor, then weighted towards the large end (big companies have data and liquidity).
    pool = list(range(len(ANCHORS), n_companies))
    scores = sorted(pool, key=lambda r: rng.random() * (1 + (r / 1800) ** 3))
    investable_set = set(range(len(ANCHORS))) | set(scores[: investable - len(ANCHORS)])
    for rank in range(n_companies):
        if rank < len(ANCHORS):
            symbol, name, bse, sector, industry, mcap = ANCHORS[rank]
            taken_symbols.add(symbol)
            taken_bse.add(int(bse))
            row = {
                "NSE Symbol": symbol,
                "BSE Code": bse,
                "Company Name": name,
                "cd_sector": sector,
                "cd_industry": industry,
                "Market Cap (Rs Cr)": float(mcap),
            }
        else:
            sector, industry = rng.choices(sectors, weights)[0]
            name = ""
            while not name or name in taken_names:
                suffix = " Ltd." if rng.random() < 0.7 else " Limited"
                words = (rng.choice(NAME_STEMS), rng.choice(NAME_STEMS), rng.choice(INDUSTRY_WORDS[sector]))
                name = " ".join(words) + suffix
                if name in taken_names:  # 30 x 30 x words x 2 is not enough for 8k: add a place
                    name = name.replace(suffix, f" ({rng.choice(NAME_STEMS)}){suffix}")
            taken_names.add(name)
            while True:
                bse_code = rng.randrange(500001, 544999)
                if bse_code not in taken_bse:
                    break
            taken_bse.add(bse_code)
            listed_on_nse = rng.random() < (0.97 if rank < 2500 else 0.70)
            row = {
                "NSE Symbol": _symbol(name, taken_symbols, rng) if listed_on_nse else "",
                "BSE Code": str(bse_code),
                "Company Name": name,
                "cd_sector": sector,
                "cd_industry": industry,
                "Market Cap (Rs Cr)": _market_cap(rank, rng),
            }
        row["Accord Code"] = str(100000 + rank * 7 + rng.randrange(7))
        is_investable = rank in investable_set
        size_quality = 0.99 if rank < 1500 else 0.90 if rank < 4000 else 0.75
        flags = {
            k: rng.random() < (size_quality if not is_investable else max(size_quality, 0.95))
            for k in ("Financials Available", "Price History", "Shareholding Available")
        }
        if rank < len(ANCHORS):
            flags = dict.fromkeys(flags, True)
        remarks = [
            text
            for key, text in (
                ("Financials Available", "latest annual results missing"),
                ("Price History", "price history under 3 years"),
                ("Shareholding Available", "shareholding pattern stale"),
            )
            if not flags[key]
        ]
        row.update(
            {
                "Investable": "Y" if is_investable else "N",
                **{k: "Y" if v else "N" for k, v in flags.items()},
                "DQ Remarks": "; ".join(remarks),
            }
        )
        rows.append(row)
    _inject_awkward_cases(rows, rng, investable_set)
    return rows


def _inject_awkward_cases(rows: list[dict[str, Any]], rng: random.Random, investable: set[int]) -> None:
    """The cases a real file has: no identifiers, no market cap, a duplicate symbol, unknown industry."""
    candidates = sorted(i for i in investable if i >= len(ANCHORS))
    for i in rng.sample(
        candidates, min(12, max(1, len(candidates) // 6))
    ):  # neither NSE symbol nor Accord code
        rows[i]["NSE Symbol"] = ""
        rows[i]["Accord Code"] = ""
        rows[i]["DQ Remarks"] = "; ".join(p for p in (rows[i]["DQ Remarks"], "identifiers not found") if p)
    others = [i for i in candidates if rows[i]["Accord Code"]]
    for i in rng.sample(others, min(3, len(others))):  # market cap not available
        rows[i]["Market Cap (Rs Cr)"] = None
    for i in rng.sample(range(len(rows) // 2, len(rows)), min(60, len(rows) // 20)):  # suspended small caps
        rows[i]["Market Cap (Rs Cr)"] = None
    # A relisted entity: the same NSE symbol on a second, smaller row.
    source = rows[rng.choice([i for i in candidates[:300] if rows[i]["NSE Symbol"]])]
    dup = dict(
        source,
        **{
            "Company Name": source["Company Name"].replace(" Ltd.", " (Old) Ltd."),
            "Accord Code": str(990000 + len(rows)),
            "BSE Code": "",
            "Market Cap (Rs Cr)": round(float(source["Market Cap (Rs Cr)"] or 100) / 40, 2),
        },
    )
    rows.append(dup)


def classification_csv(rows: list[dict[str, Any]], *, as_of: date) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"GEM Classification - Indian listed companies - as of {as_of.isoformat()}"])
    writer.writerow([])
    writer.writerow(CLASSIFICATION_COLUMNS)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in CLASSIFICATION_COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def classification_xlsx(rows: list[dict[str, Any]], *, as_of: date) -> bytes:
    """Workbook with a README sheet first and the classification (title block, header, rows) second."""
    from openpyxl import Workbook  # deferred: only the workbook writer needs it

    book = Workbook(write_only=True)
    readme = book.create_sheet("README")
    readme.append(["GEM classification workbook"])
    readme.append(["Market Cap in Rs crore; flags Y/N; Investable = passes liquidity and free-float screens"])
    sheet = book.create_sheet("Classification")
    sheet.append([f"GEM Classification - Indian listed companies - as of {as_of.isoformat()}"])
    sheet.append([])
    sheet.append(list(CLASSIFICATION_COLUMNS))
    for row in rows:
        cells = []
        for column in CLASSIFICATION_COLUMNS:
            value = row[column]
            if column in ("BSE Code", "Accord Code") and value:
                value = int(value)  # Excel users keep codes as numbers
            cells.append(value)
        sheet.append(cells)
    stamp = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
    book.properties.created = book.properties.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip_times(buffer.getvalue(), stamp)


def _fixed_zip_times(payload: bytes, stamp: datetime) -> bytes:
    """The same workbook with every entry and its 'modified' property stamped ``stamp`` (openpyxl writes
    the save time): identical bytes on every run, so a committed sample does not change when regenerated."""
    modified = f"<dcterms:modified xsi:type=\"dcterms:W3CDTF\">{stamp:%Y-%m-%dT%H:%M:%SZ}</dcterms:modified>"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(payload)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", modified.encode(), body)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, body)
    return out.getvalue()


# --------------------------------------------------------------------------- writers (files)
@dataclass
class IndiaDataSummary:
    mirror_files: list[Path]
    landing_files: list[Path]
    companies: int
    investable: int
    months: list[date]
    mospi_requests: dict[str, list[dict[str, str]]]


def _write(path: Path, payload: bytes, *, compress: bool = False) -> Path:
    if compress:  # the mirror client reads a .gz sibling when the plain file is absent
        path = path.with_name(path.name + ".gz")
        payload = gzip.compress(payload, compresslevel=9, mtime=0)  # mtime=0: same bytes every run
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return path


def mospi_years(product: str, months: Sequence[date]) -> list[int]:
    """Years to request: calendar years, or for ``nas`` the fiscal years (by starting year) in the window."""
    if product == "nas":
        return sorted({_fiscal(q)[0] for q in fiscal_quarters(months)})
    return sorted({m.year for m in months})


def write_mospi_mirror(
    root: Path, macro: IndiaMacro, *, compress: bool = False
) -> tuple[list[Path], dict[str, list[dict[str, str]]]]:
    builders: dict[str, Callable[[IndiaMacro, int], list[dict[str, Any]]]] = {
        "cpi": cpi_api_records,
        "iip": iip_api_records,
        "wpi": wpi_api_records,
        "nas": nas_records,
        "plfs": plfs_records,
    }
    written: list[Path] = []
    requests: dict[str, list[dict[str, str]]] = {}
    for product, build in builders.items():
        requests[product] = []
        for year in mospi_years(product, macro.months):
            params = release_params(product, year)
            requests[product].append(params)
            written.append(
                _write(
                    Path(root) / mirror_relpath(mospi_url(product), params),
                    api_envelope(build(macro, year)),
                    compress=compress,
                )
            )
    return written, requests


def write_market_files(
    folder_or_root: Path,
    macro: IndiaMacro,
    *,
    base_url: str | None = None,
    compress: bool = False,
) -> list[Path]:
    """The market feeds flat into a landing folder's ``market/``, or with ``base_url`` at their mirror paths
    under a mirror root (the exports have no public host: a deployment names its share, a test its own).

    ``compress`` (mirror only) writes ``<file>.gz``; a landing folder holds files as analysts drop them.
    """
    root = Path(folder_or_root)
    return [
        _write(root / mirror_relpath(market_feed_url(feed, base_url)), payload, compress=compress)
        if base_url
        else _write(root / MARKET_FEEDS[feed].file_name, payload)
        for feed, payload in market_files(macro).items()
    ]


LANDING_MOSPI_FILES = {
    "cpi": "cpi_all_india_index.csv",
    "iip_use_based": "iip_use_based_monthly.csv",
    "iip_sectoral": "iip_sectoral_monthly.csv",
    "wpi": "wpi_monthly_index.csv",
    "nas": "nas_quarterly_gdp_gva.csv",
    "plfs": "plfs_bulletin.csv",
}


def write_india_landing_files(
    landing: Path,
    *,
    months: int = DEFAULT_MONTHS,
    end: date = DEFAULT_END,
    seed: int = 19,
    macro: IndiaMacro | None = None,
) -> list[Path]:
    """Macro and market CSVs in their published layouts, as dropped into the landing folder."""
    macro = macro or india_macro(months=months, end=end, seed=seed)
    folder = Path(landing)
    payloads = {
        "cpi": cpi_wide_csv(macro),
        "iip_use_based": iip_table_csv(macro, layout="use_based"),
        "iip_sectoral": iip_table_csv(macro, layout="sectoral"),
        "wpi": wpi_wide_csv(macro),
        "nas": _long_csv(NAS_COLUMNS, nas_records(macro)),
        "plfs": _long_csv(PLFS_COLUMNS, plfs_records(macro)),
    }
    written = [_write(folder / "mospi" / LANDING_MOSPI_FILES[k], v) for k, v in payloads.items()]
    written += write_market_files(folder / "market", macro)
    return written


def write_india_data(
    root: Path,
    *,
    landing: Path | None = None,
    n_companies: int = 8054,
    investable: int = 2160,
    seed: int = 19,
    months: int = DEFAULT_MONTHS,
    end: date = DEFAULT_END,
    market_base_url: str | None = None,
    compress: bool = False,
    classification_formats: Sequence[str] = ("xlsx", "csv"),
) -> IndiaDataSummary:
    """Write the India mirror under ``root`` and the landing folder (default ``root/landing/india``).

    ``compress`` gzips the mirror files (``<file>.gz``, read transparently by the mirror client) to keep
    a committed sample small; landing files stay plain. The market indicator files land in the landing
    folder's ``market/``; ``market_base_url`` also serves them in the mirror under that share.
    ``classification_formats`` picks which of the workbook and its CSV export land in ``classification/``
    (a sample needs only one).
    """
    root = Path(root)
    landing = Path(landing) if landing is not None else root / "landing" / "india"
    macro = india_macro(months=months, end=end, seed=seed)
    mirror_files, requests = write_mospi_mirror(root, macro, compress=compress)
    if market_base_url:  # the landing folder always has them; a mirror only for a configured share
        mirror_files += write_market_files(root, macro, base_url=market_base_url, compress=compress)
    rows = india_companies(n_companies, investable, seed)
    as_of = _add_months(macro.months[-1], 1) - timedelta(days=1)
    writers = {"xlsx": classification_xlsx, "csv": classification_csv}
    landing_files = [
        _write(landing / "classification" / f"gem_classification.{fmt}", writers[fmt](rows, as_of=as_of))
        for fmt in classification_formats
    ]
    landing_files += write_india_landing_files(landing, macro=macro)
    return IndiaDataSummary(
        mirror_files=mirror_files,
        landing_files=landing_files,
        companies=len(rows),
        investable=sum(1 for r in rows if r["Investable"] == "Y"),
        months=macro.months,
        mospi_requests=requests,
    )
