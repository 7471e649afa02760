"""The IC Score's rating bands and confidence levels as the product specifies them.

The dbt model writes them in SQL; the asset checks compare every stored row with this independent
statement of the spec, so a band edited in one place and not the other fails a check.
"""

from __future__ import annotations

# (lowest score of the band, rating), highest band first
RATING_BANDS: tuple[tuple[int, str], ...] = ((80, "Strong Buy"), (65, "Buy"), (50, "Hold"), (35, "Underperform"), (1, "Sell"))


def rating_for(score: int) -> str:
    if not 1 <= score <= 100:
        raise ValueError(f"IC Score {score} is outside 1..100")
    return next(rating for low, rating in RATING_BANDS if score >= low)


def confidence_for(completeness: float) -> str:
    """High above 90% of the weight with data, Medium from 70% to 90%, Low below 70%."""
    if completeness > 0.9:
        return "High"
    return "Medium" if completeness >= 0.7 else "Low"
