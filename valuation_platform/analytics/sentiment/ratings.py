"""Analyst rating text -> a 1..5 number, on one scale for every broker's vocabulary.

5 = Strong Buy, 4 = Buy, 3 = Hold, 2 = Sell, 1 = Strong Sell. Brokers say the same thing in their
own words (Morgan Stanley "Overweight", RBC "Sector Perform", Raymond James "Strong Buy" over
"Outperform"); the table below maps the common ones. Matching ignores case, hyphens, underscores
and repeated spaces ("Equal-Weight" == "equal weight"). A string that is not in the table maps to
None, never to a guess: :func:`unknown_ratings` lists them so they can be reviewed and added.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

RATING_LABELS: dict[int, str] = {5: "Strong Buy", 4: "Buy", 3: "Hold", 2: "Sell", 1: "Strong Sell"}

_SYNONYMS: dict[int, tuple[str, ...]] = {
    5: (
        "strong buy",
        "conviction buy",
        "buy conviction",
        "top pick",
    ),
    4: (
        "buy",
        "outperform",
        "overweight",
        "accumulate",
        "positive",
        "add",
        "moderate buy",
        "market outperform",
        "sector outperform",
        "outperformer",
        "speculative buy",
        "long term buy",
        "trading buy",
    ),
    3: (
        "hold",
        "neutral",
        "market perform",
        "equal weight",
        "sector perform",
        "in line",
        "inline",
        "sector weight",
        "peer perform",
        "perform",
        "market weight",
        "sector neutral",
        "peer weight",
        "fair value",
    ),
    2: (
        "sell",
        "underperform",
        "underweight",
        "reduce",
        "negative",
        "moderate sell",
        "market underperform",
        "sector underperform",
        "underperformer",
    ),
    1: (
        "strong sell",
        "conviction sell",
        "sell conviction",
    ),
}

_SEPARATORS = re.compile(r"[\s_\-/()]+")


def normalize_rating(text: str) -> str:
    """Lower case, separators (space, hyphen, underscore, slash, brackets) as single spaces."""
    return _SEPARATORS.sub(" ", text.lower()).strip()


RATING_SCALE: dict[str, int] = {
    normalize_rating(s): value for value, words in _SYNONYMS.items() for s in words
}


def rating_to_numeric(text: str | None) -> int | None:
    """1..5 for a known rating string; None for None, blank or unknown text."""
    if text is None:
        return None
    key = normalize_rating(text)
    return RATING_SCALE.get(key) if key else None


def unknown_ratings(texts: Iterable[str | None]) -> set[str]:
    """The non-blank strings :func:`rating_to_numeric` cannot map, as written, for review."""
    return {t for t in texts if t is not None and t.strip() and rating_to_numeric(t) is None}
