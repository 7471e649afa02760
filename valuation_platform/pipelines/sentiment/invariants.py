"""Invariants of the stored news scores and ratings, computed in the warehouse (the sentiment asset checks)."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

LABELS = ("positive", "neutral", "negative")
SCORERS = ("provider", "finbert", "lexicon")


@dataclass(frozen=True)
class SentimentCheck:
    unscored: int  # article-ticker pairs in raw.polygon_news without a score
    out_of_range: int
    unknown_names: int  # labels or scorers outside LABELS / SCORERS
    scored: int

    @property
    def passed(self) -> bool:
        return self.unscored == self.out_of_range == self.unknown_names == 0


def sentiment_invariants(conn: psycopg.Connection) -> SentimentCheck:
    row = conn.execute(
        """
        select (select count(*) from raw.polygon_news n
                where not exists (select 1 from analytics.news_sentiment s
                                  where s.article_id = n.article_id and s.ticker = n.ticker)),
               count(*) filter (where sentiment_score < -1 or sentiment_score > 1),
               count(*) filter (where not (sentiment_label = any(%s) and scorer = any(%s))),
               count(*)
        from analytics.news_sentiment
        """,
        (list(LABELS), list(SCORERS)),
    ).fetchone()
    return SentimentCheck(*(int(v) for v in row))  # type: ignore[union-attr]


def unmapped_ratings(conn: psycopg.Connection) -> list[tuple[str, int]]:
    """Rating strings the numeric scale does not know (they stay NULL), most frequent first."""
    return [
        (str(r), int(n))
        for r, n in conn.execute(
            "select rating, count(*) from raw.benzinga_ratings"
            " where rating is not null and rating_numeric is null group by rating order by count(*) desc"
        ).fetchall()
    ]
