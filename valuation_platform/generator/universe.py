"""The generated US company universe every generated source agrees on.

Deterministic for a seed: company ``i`` is the same ticker, CIK, CUSIP and size in the SEC, price,
ownership and news payloads, so joins across sources work in the sample exactly as they do live.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from functools import lru_cache

# SIC codes seen on real filers, one per broad sector, so the SIC->sector seed has work to do.
SIC_CHOICES: tuple[tuple[int, str], ...] = (
    (7372, "Prepackaged software"),
    (3674, "Semiconductors"),
    (2834, "Pharmaceutical preparations"),
    (6022, "State commercial banks"),
    (1311, "Crude petroleum & natural gas"),
    (4911, "Electric services"),
    (5331, "Variety stores"),
    (3711, "Motor vehicles"),
    (4813, "Telephone communications"),
    (6798, "Real estate investment trusts"),
    (2080, "Beverages"),
    (3560, "General industrial machinery"),
    (7370, "Computer programming services"),
    (8062, "Hospitals"),
    (2911, "Petroleum refining"),
    (3571, "Electronic computers"),
)
EXCHANGES = ("Nasdaq", "NYSE", "NYSE", "Nasdaq", "NYSE American")
FISCAL_YEAR_END_MONTHS = (12, 12, 12, 12, 12, 1, 3, 6, 9, 9)  # mostly December, some not
NAME_PARTS = (
    "Apex", "Boreal", "Cobalt", "Delta", "Ember", "Fathom", "Granite", "Harbor", "Ion", "Juniper",
    "Keystone", "Lumen", "Meridian", "Nimbus", "Orchid", "Pioneer", "Quartz", "Ridge", "Summit",
    "Tidal", "Umbra", "Vertex", "Willow", "Xenon", "Yarrow", "Zephyr",
)
NAME_SUFFIX = ("Holdings", "Systems", "Technologies", "Bancorp", "Energy", "Industries", "Therapeutics", "Group")


@dataclass(frozen=True)
class Company:
    index: int
    cik: int
    ticker: str
    name: str
    sic: int
    sic_description: str
    exchange: str
    fiscal_year_end_month: int
    cusip: str
    shares_outstanding: int
    base_revenue: float  # annual revenue (USD) in the first generated year
    base_price: float

    @property
    def cik10(self) -> str:
        return f"{self.cik:010d}"

    @property
    def fiscal_year_end(self) -> str:
        """MMDD as the submissions API writes ``fiscalYearEnd``."""
        days = {1: 31, 3: 31, 6: 30, 9: 30, 12: 31}
        return f"{self.fiscal_year_end_month:02d}{days[self.fiscal_year_end_month]:02d}"


def cusip_check_digit(base8: str) -> str:
    """The ninth CUSIP character (modulus-10 'double add double')."""
    total = 0
    for i, ch in enumerate(base8):
        value = int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10
        if i % 2 == 1:
            value *= 2
        total += value // 10 + value % 10
    return str((10 - total % 10) % 10)


def _ticker(rng: random.Random, taken: set[str]) -> str:
    while True:
        ticker = "".join(rng.choices(string.ascii_uppercase, k=rng.choice((3, 4, 4, 4))))
        if ticker not in taken:
            taken.add(ticker)
            return ticker


@lru_cache(maxsize=8)
def us_companies(n: int, seed: int = 7) -> tuple[Company, ...]:
    """``n`` companies; the first ``k`` of ``us_companies(n)`` equal ``us_companies(k)``."""
    rng = random.Random(seed)
    taken: set[str] = set()
    out: list[Company] = []
    for i in range(n):
        sic, sic_desc = rng.choice(SIC_CHOICES)
        ticker = _ticker(rng, taken)
        base8 = f"{rng.randrange(10**5, 10**6)}{rng.choice(string.ascii_uppercase)}{rng.randrange(10)}"
        size = rng.lognormvariate(21.5, 1.4)  # revenue ~ $2bn median, long right tail
        out.append(
            Company(
                index=i,
                cik=1_100_000 + i * 37 + rng.randrange(37),
                ticker=ticker,
                name=f"{rng.choice(NAME_PARTS)} {rng.choice(NAME_PARTS)} {rng.choice(NAME_SUFFIX)} Inc.",
                sic=sic,
                sic_description=sic_desc,
                exchange=rng.choice(EXCHANGES),
                fiscal_year_end_month=rng.choice(FISCAL_YEAR_END_MONTHS),
                cusip=base8 + cusip_check_digit(base8),
                shares_outstanding=int(rng.lognormvariate(18.7, 0.9)),
                base_revenue=round(size, -3),
                base_price=round(rng.uniform(8, 400), 2),
            )
        )
    return tuple(out)
