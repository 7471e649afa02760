"""News sentiment: provider labels first, then an offline finance lexicon or a local FinBERT.

* :func:`score_news` scores news rows and records the ``scorer`` used (provider/lexicon/finbert).
* :func:`lexicon_score` is the offline Loughran-McDonald-style scorer (no model, no network).
* :func:`load_finbert` loads ProsusAI/finbert from a local directory only (the ``finbert`` extra).
"""

from valuation_platform.analytics.sentiment.agreement import Agreement, agreement
from valuation_platform.analytics.sentiment.finbert import FinBertScorer, FinBertUnavailable, load_finbert
from valuation_platform.analytics.sentiment.lexicon import LexiconScore, lexicon_score
from valuation_platform.analytics.sentiment.scoring import (
    PROVIDER_SCORES,
    article_text,
    provider_score,
    score_news,
)

__all__ = [
    "Agreement",
    "agreement",
    "PROVIDER_SCORES",
    "FinBertScorer",
    "FinBertUnavailable",
    "LexiconScore",
    "article_text",
    "lexicon_score",
    "load_finbert",
    "provider_score",
    "score_news",
]
