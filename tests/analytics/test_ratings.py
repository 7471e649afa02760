"""Analyst rating text -> 1..5, on every string of the real Benzinga page and common synonyms."""

from __future__ import annotations

import json

import pytest

from valuation_platform.analytics.sentiment.ratings import RATING_SCALE, rating_to_numeric, unknown_ratings


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Strong Buy", 5),
        ("Conviction Buy", 5),
        ("Top Pick", 5),
        ("Buy", 4),
        ("Outperform", 4),
        ("Overweight", 4),
        ("Accumulate", 4),
        ("Positive", 4),
        ("Sector Outperform", 4),
        ("Hold", 3),
        ("Neutral", 3),
        ("Market Perform", 3),
        ("Equal-Weight", 3),
        ("Equal Weight", 3),
        ("equal_weight", 3),
        ("Sector Perform", 3),
        ("In-Line", 3),
        ("Sector Weight", 3),
        ("Peer Perform", 3),
        ("Underperform", 2),
        ("Underweight", 2),
        ("Reduce", 2),
        ("Negative", 2),
        ("Sell", 2),
        ("Sector Underperform", 2),
        ("Strong Sell", 1),
        ("  strong   SELL ", 1),
    ],
)
def test_known_ratings(text, value):
    assert rating_to_numeric(text) == value


@pytest.mark.parametrize("text", [None, "", "   ", "Speculative Hold?", "Buy-ish", "Not Rated"])
def test_unknown_or_blank_is_none_never_a_guess(text):
    assert rating_to_numeric(text) is None


def test_unknown_ratings_lists_only_unmapped_non_blank_strings():
    assert unknown_ratings(["Buy", "", None, "Not Rated", "Outperform", "Tactical Long"]) == {
        "Not Rated",
        "Tactical Long",
    }


def test_scale_covers_all_five_levels():
    assert set(RATING_SCALE.values()) == {1, 2, 3, 4, 5}


def test_every_rating_in_the_real_benzinga_page_is_covered(shared_fixtures):
    records = json.loads(
        (shared_fixtures / "benzinga" / "calendar_ratings_AAPL_2024-01-12.json").read_bytes()
    )["ratings"]
    strings = {r["rating_current"] for r in records} | {r["rating_prior"] for r in records}
    assert unknown_ratings(strings) == set()
    assert {s: rating_to_numeric(s) for s in strings if s} == {
        "Strong Buy": 5,
        "Buy": 4,
        "Outperform": 4,
        "Overweight": 4,
        "Neutral": 3,
        "Hold": 3,
        "Market Perform": 3,
        "Equal-Weight": 3,
        "Sector Weight": 3,
        "Underweight": 2,
    }
