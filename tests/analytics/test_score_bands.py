"""The rating bands and confidence levels the checks hold the marts to, at every edge the issue names."""

import pytest

from valuation_platform.analytics.scores.bands import confidence_for, rating_for


@pytest.mark.parametrize(("score", "rating"), [
    (100, "Strong Buy"), (80, "Strong Buy"), (79, "Buy"), (65, "Buy"), (64, "Hold"), (50, "Hold"),
    (49, "Underperform"), (35, "Underperform"), (34, "Sell"), (1, "Sell"),
])
def test_rating_bands(score: int, rating: str) -> None:
    assert rating_for(score) == rating


@pytest.mark.parametrize("score", [0, 101])
def test_a_score_outside_1_to_100_is_refused(score: int) -> None:
    with pytest.raises(ValueError):
        rating_for(score)


@pytest.mark.parametrize(("completeness", "level"), [
    (1.0, "High"), (0.91, "High"), (0.9, "Medium"), (0.7, "Medium"), (0.69, "Low"), (0.0, "Low"),
])
def test_confidence_levels(completeness: float, level: str) -> None:
    assert confidence_for(completeness) == level
