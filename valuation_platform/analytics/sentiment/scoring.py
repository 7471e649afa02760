"""One sentiment score per news row: the provider's label when there is one, else a model.

Provider labels (Polygon ``insights[].sentiment``, per ticker) map to fixed scores:
``positive`` -> +1.0, ``neutral`` -> 0.0, ``negative`` -> -1.0 (case-insensitive). The provider's
judgement is per ticker, so it wins over a text model that only sees the article as a whole.
Rows without a provider label, or with a label outside those three (kept as-is in the raw row),
are scored from ``title`` + ``description`` by FinBERT when a loaded scorer is passed, else by the
offline lexicon. Every output row says which in ``scorer``: ``provider`` | ``finbert`` | ``lexicon``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from valuation_platform.analytics.sentiment.finbert import FinBertScorer
from valuation_platform.analytics.sentiment.lexicon import lexicon_score

PROVIDER_SCORES: dict[str, float] = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}


def provider_score(label: str | None) -> float | None:
    """The fixed score for a provider label, or None when the label is absent or unknown."""
    if label is None:
        return None
    return PROVIDER_SCORES.get(label.strip().lower())


def article_text(row: Mapping[str, Any]) -> str:
    """What the text scorers read: the title, then the description."""
    return ". ".join(
        part.strip() for part in (row.get("title"), row.get("description")) if part and part.strip()
    )


def score_news(
    rows: Iterable[Mapping[str, Any]], finbert: FinBertScorer | None = None
) -> list[dict[str, Any]]:
    """Copies of ``rows`` with ``sentiment_score`` (float in [-1, 1]), ``sentiment_label`` and ``scorer``.

    Rows need ``title``, ``description`` and ``provider_sentiment`` (any may be None).
    """
    out = [dict(row) for row in rows]
    pending: list[dict[str, Any]] = []
    for row in out:
        label = row.get("provider_sentiment")
        score = provider_score(label)
        if score is not None:
            row.update(sentiment_score=score, sentiment_label=label.strip().lower(), scorer="provider")
        else:
            pending.append(row)
    if finbert is not None and pending:
        for row, result in zip(pending, finbert.score([article_text(r) for r in pending]), strict=True):
            row.update(sentiment_score=result.score, sentiment_label=result.label, scorer="finbert")
    else:
        for row in pending:
            result = lexicon_score(article_text(row))
            row.update(sentiment_score=result.score, sentiment_label=result.label, scorer="lexicon")
    return out
