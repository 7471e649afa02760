"""The IC Score's domain invariants, read from the marts (Dagster-free; defs/scores/checks.py reports them)."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from valuation_platform.analytics.scores.bands import confidence_for, rating_for

FACTORS = (
    "value", "growth", "profitability", "financial_health", "momentum",
    "analyst_consensus", "insider_activity", "institutional", "news_sentiment", "technical",
)


@dataclass
class ScoreInvariants:
    rows: int = 0
    out_of_range: int = 0
    rating_mismatch: int = 0
    confidence_mismatch: int = 0
    completeness_mismatch: int = 0  # data_completeness != the seed weight of the factors that have a score
    seed_weight_total: float = 0.0
    examples: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        bad = self.out_of_range + self.rating_mismatch + self.confidence_mismatch + self.completeness_mismatch
        return bad == 0 and abs(self.seed_weight_total - 1.0) < 1e-9


def score_invariants(conn: psycopg.Connection, *, latest_days: int = 5) -> ScoreInvariants:
    """Checks the last ``latest_days`` sessions row by row against the spec (analytics.scores.bands): range,
    rating band, confidence level, and completeness = the share of weight whose factor had data (so the
    renormalised weights of the present factors sum to 1)."""
    weights = dict(conn.execute("select factor, weight from marts.ic_score_weights").fetchall())
    result = ScoreInvariants(seed_weight_total=float(sum(weights.values())))
    columns = ", ".join(f"{f}_score" for f in FACTORS)
    rows = conn.execute(
        f"""select ticker, score_date, overall_score, rating, confidence_level, data_completeness, {columns}
            from marts.fct_ic_scores
            where score_date in (select distinct score_date from marts.fct_ic_scores
                                 order by score_date desc limit %s)""",
        (latest_days,),
    ).fetchall()
    total = sum(weights.values())
    for ticker, day, score, rating, confidence, completeness, *factor_scores in rows:
        result.rows += 1
        where = f"{ticker} {day}"
        if not 1 <= score <= 100:
            result.out_of_range += 1
            result.examples.append(f"{where}: score {score}")
            continue
        if rating != rating_for(score):
            result.rating_mismatch += 1
            result.examples.append(f"{where}: {score} rated {rating}")
        present = sum(weights[f] for f, s in zip(FACTORS, factor_scores) if s is not None) / total
        if abs(present - completeness) > 1e-4:
            result.completeness_mismatch += 1
            result.examples.append(f"{where}: completeness {completeness} but factors with data weigh {present:.4f}")
        if confidence != confidence_for(completeness):
            result.confidence_mismatch += 1
            result.examples.append(f"{where}: completeness {completeness} labelled {confidence}")
    result.examples = result.examples[:10]
    return result


@dataclass
class Coverage:
    universe: int
    sessions: int
    scored: int
    unscorable: int
    unaccounted: list[str]


def universe_coverage(conn: psycopg.Connection) -> Coverage:
    """Every universe ticker on every scored session is either scored or listed unscorable with a reason."""
    universe, sessions = conn.execute(
        "select (select count(*) from marts.dim_company), (select count(distinct score_date) from marts.fct_ic_score_inputs)"
    ).fetchone()
    scored, unscorable = conn.execute(
        "select (select count(*) from marts.fct_ic_scores), (select count(*) from marts.fct_ic_score_unscorable)"
    ).fetchone()
    missing = conn.execute(
        """select company.ticker || ' ' || days.score_date
           from marts.dim_company as company
           cross join (select distinct score_date from marts.fct_ic_score_inputs) as days
           where not exists (select 1 from marts.fct_ic_scores s
                             where s.ticker = company.ticker and s.score_date = days.score_date)
             and not exists (select 1 from marts.fct_ic_score_unscorable u
                             where u.ticker = company.ticker and u.score_date = days.score_date and u.reason is not null)
           limit 20"""
    ).fetchall()
    return Coverage(universe, sessions, scored, unscorable, [m[0] for m in missing])


@dataclass
class IcHealth:
    score_date: str | None
    ic_mean_63d: float | None
    ic_count_63d: int
    floor: float

    @property
    def below_floor(self) -> bool:
        return self.ic_mean_63d is not None and self.ic_mean_63d < self.floor


def overall_ic_health(conn: psycopg.Connection, floor: float) -> IcHealth:
    """The latest 63-date mean IC of the overall score across all tickers."""
    row = conn.execute(
        """select score_date::text, ic_mean_63d, ic_count_63d from marts.fct_ic_score_quality
           where scope = 'all' and signal = 'overall_score' order by score_date desc limit 1"""
    ).fetchone()
    if row is None:
        return IcHealth(None, None, 0, floor)
    return IcHealth(row[0], row[1], row[2], floor)
