"""Phases 6-7: stress tests, health score, insights and activity, built on the earlier phases' rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import polars as pl
import psycopg

from valuation_platform.analytics.portfolio import health as hl
from valuation_platform.analytics.portfolio import stress
from valuation_platform.pipelines.portfolio.book import PORTFOLIO
from valuation_platform.pipelines.portfolio.phases import Session, _run
from valuation_platform.pipelines.portfolio.reports import Reports
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.tables.portfolio import ACTIVITY, HEALTH, INSIGHTS, STRESS_TESTS


def _frame(conn: psycopg.Connection, query: str, params: tuple) -> pl.DataFrame:
    with conn.transaction():
        cur = conn.execute(query, params)
        names = [d.name for d in cur.description or []]
        return pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)


def sectors(conn: psycopg.Connection) -> dict[str, str]:
    """ticker -> sector from the fundamentals mart (dim_company); benchmark ETFs are 'Broad market'."""
    with conn.transaction():
        if not conn.execute("select to_regclass('marts.dim_company')").fetchone()[0]:
            return {}
        return dict(conn.execute("select ticker, sector from marts.dim_company").fetchall())


def _window_returns(conn: psycopg.Connection, tickers: list[str]) -> dict[str, np.ndarray]:
    """Each ticker's return over each historical window (NaN where its bars do not cover the window)."""
    out = {}
    for w in stress.HISTORICAL_WINDOWS:
        bars = _frame(conn, "select ticker, trade_date, close from raw.polygon_daily_bars where ticker = any(%s)"
                            " and trade_date between %s and %s", (tickers, w.start, w.end))
        if bars.height == 0:
            out[w.name] = np.full(len(tickers), np.nan)
            continue
        wide = bars.pivot(on="ticker", index="trade_date", values="close").sort("trade_date")
        closes = np.vstack([wide[t].cast(pl.Float64).fill_null(np.nan).to_numpy() if t in wide.columns
                            else np.full(wide.height, np.nan) for t in tickers])
        out[w.name] = stress.window_returns(wide["trade_date"].to_numpy().astype("datetime64[D]"), closes, w)
    return out


def stress_rows(portfolios: list[str], nav: np.ndarray, scenario: str, kind: str, description: str | list[str],
                returns: np.ndarray, notes: list[str | None]) -> list[dict[str, Any]]:
    """Rows of analytics.portfolio_stress_tests for one scenario: return and P&L (return x NAV) per
    portfolio, or ``covered`` false with both NULL and the note saying why. ``description`` is one for all
    portfolios or one each."""
    descriptions = [description] * len(portfolios) if isinstance(description, str) else description
    rows = []
    for i, p in enumerate(portfolios):
        ok = bool(np.isfinite(returns[i]))
        rows.append({"portfolio_id": p, "scenario": scenario, "kind": kind, "description": descriptions[i],
                     "portfolio_return": float(returns[i]) if ok else None,
                     "pnl": float(returns[i] * nav[i]) if ok else None, "covered": ok, "note": notes[i]})
    return rows


def historical_rows(portfolios: list[str], nav: np.ndarray, weights: np.ndarray,
                    position_returns: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Every historical window replayed on ``weights`` ``(P, N)`` from the positions' window returns."""
    rows = []
    for w in stress.HISTORICAL_WINDOWS:
        ret = stress.replay(weights, position_returns[w.name])
        notes = [None if np.isfinite(x) else f"price history does not cover {w.start}..{w.end} for every holding"
                 for x in ret]
        rows += stress_rows(portfolios, nav, w.name, "historical", w.description, ret, notes)
    return rows


def _stress(conn: psycopg.Connection):
    sector_of = sectors(conn)

    def compute(s: Session) -> list[tuple[TableSpec, pl.DataFrame]]:
        book, exposures, portfolios, weights, _ = s
        session = book.session
        betas = _frame(conn, "select ticker, beta_252, rate_beta from analytics.portfolio_betas where trade_date = %s"
                             " and position_id <> %s", (session, PORTFOLIO)).unique("ticker")
        beta = dict(zip(betas["ticker"], betas["beta_252"])) if betas.height else {}
        rate = dict(zip(betas["ticker"], betas["rate_beta"])) if betas.height else {}
        b = np.array([beta.get(t) if beta.get(t) is not None else np.nan for t in book.tickers], dtype=float)
        rb = np.array([rate.get(t) if rate.get(t) is not None else np.nan for t in book.tickers], dtype=float)
        navs = dict(exposures.select("portfolio_id", "nav").unique().iter_rows())
        nav = np.array([navs[p] for p in portfolios])
        none = [None] * len(portfolios)
        rows = historical_rows(portfolios, nav, weights, _window_returns(conn, book.tickers))
        rows += stress_rows(portfolios, nav, "market_down_20", "scenario", "S&P 500 falls 20 % (beta_252 x -20 %)",
                            stress.market_shock(weights, b), none)
        rows += stress_rows(portfolios, nav, "rates_up_100bp", "scenario", "10-year yield +100 bp (rate beta x 1.00 pp)",
                            stress.rate_shock(weights, rb), none)
        sector = np.array([sector_of.get(t, "Broad market") for t in book.tickers])
        gross = np.abs(weights)
        shocked, mask = [], np.zeros_like(weights, dtype=bool)
        for i in range(len(portfolios)):
            by = {sec: gross[i, sector == sec].sum() for sec in set(sector[gross[i] > 0])}
            top = max(by, key=by.get) if by else "none"
            shocked.append(top)
            mask[i] = sector == top
        rows += stress_rows(portfolios, nav, "sector_shock", "scenario",
                            [f"Largest sector ({top}) falls 10 %" for top in shocked],
                            stress.sector_shock(weights, mask), [f"sector: {top}" for top in shocked])
        # historical rows come first and may all be NULL (no coverage): the types are not inferred from them
        return [(STRESS_TESTS, pl.DataFrame(rows, schema_overrides={"portfolio_return": pl.Float64, "pnl": pl.Float64}))]

    return compute


def record_stress_tests(conn: psycopg.Connection, sessions: list[date]) -> Reports:
    return _run(conn, sessions, [STRESS_TESTS], _stress(conn))


def _health(conn: psycopg.Connection):
    def compute(s: Session) -> list[tuple[TableSpec, pl.DataFrame]]:
        portfolios = s[2]
        facts = _frame(conn, "select b.portfolio_id, b.beta_252, v.realized_vol_63, c.effective_positions,"
                             " c.diversification_score from analytics.portfolio_betas b join analytics.portfolio_volatility v"
                             " using (portfolio_id, trade_date, position_id) join analytics.portfolio_concentration c"
                             " using (portfolio_id, trade_date) where b.trade_date = %s and b.position_id = %s",
                       (s[0].session, PORTFOLIO))
        facts = pl.DataFrame({"portfolio_id": portfolios}).join(facts, on="portfolio_id", how="left")

        def col(name: str) -> np.ndarray:
            return facts[name].cast(pl.Float64).fill_null(np.nan).to_numpy()

        parts = hl.components(col("beta_252"), col("realized_vol_63"), col("effective_positions"),
                              col("diversification_score"))
        score, grades, notes = hl.health(parts)
        return [(HEALTH, pl.DataFrame({"portfolio_id": portfolios, "health_score": score, "grade": grades,
                                       "interpretation": notes, **parts}))]

    return compute


def record_health(conn: psycopg.Connection, sessions: list[date]) -> Reports:
    return _run(conn, sessions, [HEALTH], _health(conn))


# -- insights and activity --------------------------------------------------------------------------
# rule -> (metric, threshold, severity above it); the card fires when the metric crosses the threshold
RULES = {
    "concentration": ("largest_weight", 0.20, "warning"),
    "volatility_spike": ("vol_21_over_63", 1.5, "warning"),
    "beta_drift": ("abs_beta_60_minus_252", 0.30, "info"),
    "drawdown": ("current_drawdown", -0.10, "critical"),
}
PRICE_MOVE, VOL_CHANGE, SECTOR_SHIFT, NAV_MOVE = 0.05, 0.20, 0.05, 0.02


def _insight_rows(f: dict[str, Any], portfolio: str) -> list[dict[str, Any]]:
    values = {
        "largest_weight": f.get("largest_weight"),
        "vol_21_over_63": (f["realized_vol_21"] / f["realized_vol_63"]) if f.get("realized_vol_21") and f.get("realized_vol_63") else None,
        "abs_beta_60_minus_252": abs(f["beta_60"] - f["beta_252"]) if f.get("beta_60") is not None and f.get("beta_252") is not None else None,
        "current_drawdown": f.get("current_drawdown"),
    }
    rows = []
    for rule, (metric, threshold, severity) in RULES.items():
        value = values[metric]
        if value is None or not np.isfinite(value):
            continue
        fired = value <= threshold if rule == "drawdown" else value >= threshold
        if fired:
            rows.append({"portfolio_id": portfolio, "rule": rule, "subject": PORTFOLIO, "severity": severity,
                         "metric": metric, "value": float(value), "threshold": threshold,
                         "message": f"{rule.replace('_', ' ')}: {metric} = {value:.3f} (threshold {threshold:g})"})
    return rows


def _insights(conn: psycopg.Connection):
    sector_of = sectors(conn)

    def compute(s: Session) -> list[tuple[TableSpec, pl.DataFrame]]:
        book, exposures, portfolios, _, _ = s
        day, prev = book.session, book.sessions[-2]
        facts = _frame(conn, "select c.portfolio_id, c.largest_weight, v.realized_vol_21, v.realized_vol_63, b.beta_60,"
                             " b.beta_252, r.current_drawdown from analytics.portfolio_concentration c"
                             " left join analytics.portfolio_volatility v on v.portfolio_id = c.portfolio_id and"
                             " v.trade_date = c.trade_date and v.position_id = %s left join analytics.portfolio_betas b"
                             " on b.portfolio_id = c.portfolio_id and b.trade_date = c.trade_date and b.position_id = %s"
                             " left join analytics.portfolio_risk r on r.portfolio_id = c.portfolio_id and"
                             " r.trade_date = c.trade_date where c.trade_date = %s", (PORTFOLIO, PORTFOLIO, day))
        cards: list[dict[str, Any]] = []
        for f in facts.iter_rows(named=True):
            cards += _insight_rows(f, f["portfolio_id"])
        hits = _frame(conn, "select s.portfolio_id, s.ticker, s.quantity, s.underlying_price, t.target_price"
                            " from analytics.portfolio_position_snapshots s join raw.portfolio_target_prices t"
                            " using (portfolio_id, ticker) where s.trade_date = %s and s.position_type in ('LONG', 'SHORT')",
                      (day,))
        for p, t, qty, price, target in hits.iter_rows():
            if target is None or price is None:
                continue
            if (qty > 0 and price >= target) or (qty < 0 and price <= target):
                cards.append({"portfolio_id": p, "rule": "target_price_hit", "subject": t, "severity": "info",
                              "metric": "price", "value": price, "threshold": target,
                              "message": f"{t} at {price:.2f} reached its target {target:.2f}"})
        return [(INSIGHTS, pl.DataFrame(cards, schema_overrides={"value": pl.Float64, "threshold": pl.Float64})),
                (ACTIVITY, _activity(conn, s, day, prev, sector_of))]

    return compute


def _activity(conn: psycopg.Connection, s: Session, day: date, prev: date, sector_of: dict[str, str]) -> pl.DataFrame:
    book, exposures, portfolios, _, _ = s
    rows: list[dict[str, Any]] = []
    r = book.returns[:, -1]
    for p, position, ticker in exposures.select("portfolio_id", "position_id", "ticker").iter_rows():
        move = r[book.row(ticker)]
        if np.isfinite(move) and abs(move) >= PRICE_MOVE:
            rows.append({"portfolio_id": p, "kind": "price_move", "subject": position,
                         "severity": "warning" if abs(move) >= 2 * PRICE_MOVE else "info", "value": float(move),
                         "previous": None, "change": float(move), "message": f"{ticker} moved {move:+.1%} on {day}"})
    vols = _frame(conn, "select portfolio_id, trade_date, realized_vol_21 from analytics.portfolio_volatility"
                        " where position_id = %s and trade_date in (%s, %s)", (PORTFOLIO, day, prev))
    navs = _frame(conn, "select portfolio_id, trade_date, daily_return from analytics.portfolio_snapshots"
                        " where trade_date = %s", (day,))
    for p, _, ret in navs.iter_rows():
        if ret is not None and abs(ret) >= NAV_MOVE:
            rows.append({"portfolio_id": p, "kind": "nav_move", "subject": PORTFOLIO, "severity": "warning",
                         "value": ret, "previous": None, "change": ret, "message": f"portfolio moved {ret:+.1%}"})
    by = {(p, d): v for p, d, v in vols.iter_rows()}
    for p in portfolios:
        now, before = by.get((p, day)), by.get((p, prev))
        if now and before and abs(now / before - 1) >= VOL_CHANGE:
            rows.append({"portfolio_id": p, "kind": "volatility_change", "subject": PORTFOLIO, "severity": "info",
                         "value": now, "previous": before, "change": now / before - 1,
                         "message": f"21-day volatility {before:.1%} -> {now:.1%}"})
    weights = _frame(conn, "select portfolio_id, trade_date, ticker, abs(exposure) as g from analytics.portfolio_position_snapshots"
                           " where trade_date in (%s, %s) and position_type <> 'CASH'", (day, prev))
    if weights.height:
        weights = weights.with_columns(sector=pl.col("ticker").replace_strict(sector_of, default="Broad market"))
        shares = (weights.group_by("portfolio_id", "trade_date", "sector").agg(pl.col("g").sum())
                  .with_columns(share=pl.col("g") / pl.col("g").sum().over("portfolio_id", "trade_date")))
        now = shares.filter(pl.col("trade_date") == day).select("portfolio_id", "sector", "share")
        old = shares.filter(pl.col("trade_date") == prev).select("portfolio_id", "sector", pl.col("share").alias("old"))
        for p, sector, share, was in now.join(old, on=["portfolio_id", "sector"], how="full", coalesce=True).fill_null(0.0).iter_rows():
            if abs(share - was) >= SECTOR_SHIFT:
                rows.append({"portfolio_id": p, "kind": "sector_shift", "subject": sector, "severity": "info",
                             "value": share, "previous": was, "change": share - was,
                             "message": f"{sector} {was:.1%} -> {share:.1%} of gross exposure"})
    return pl.DataFrame(rows, schema_overrides={"value": pl.Float64, "previous": pl.Float64, "change": pl.Float64})


def record_insights(conn: psycopg.Connection, sessions: list[date]) -> Reports:
    return _run(conn, sessions, [INSIGHTS, ACTIVITY], _insights(conn))
