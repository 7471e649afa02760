"""Phases 2-5 of the nightly batch: betas, factor exposures, volatility, correlations and concentration,
risk and performance. Each reads the session's book and the snapshot phase's exposures, computes per
underlying (a position's figures are its underlying's) and per portfolio (its back-cast returns), and
upserts the session's rows. The numerics live in :mod:`valuation_platform.analytics.portfolio`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import polars as pl
import psycopg

from valuation_platform.analytics.portfolio import concentration as conc
from valuation_platform.analytics.portfolio import performance as perf
from valuation_platform.analytics.portfolio.factors import FACTOR_ETFS, factor_exposures, factor_returns
from valuation_platform.analytics.portfolio.regression import regress
from valuation_platform.analytics.portfolio.risk import risk_table
from valuation_platform.analytics.portfolio.volatility import har_forecast, realized_vol
from valuation_platform.pipelines.portfolio.book import PORTFOLIO, Book, History, backcast, read_exposures, weight_matrix
from valuation_platform.pipelines.portfolio.pictures import risk_picture
from valuation_platform.pipelines.portfolio.reports import Reports, reports_by_table
from valuation_platform.pipelines.report import Chart
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.tables.portfolio import (
    BETAS, CONCENTRATION, CORRELATIONS, FACTOR_EXPOSURES, RISK, VOLATILITY,
)
from valuation_platform.warehouse.upsert import upsert

SOURCE = "analytics.portfolio"
RISK_DAYS = 252


Session = tuple[Book, pl.DataFrame, list[str], np.ndarray, np.ndarray]


def open_session(conn: psycopg.Connection, session: date, history: History | None = None) -> Session | None:
    """``(book, exposures, portfolios, weights by underlying, back-cast portfolio returns)``; the book is a
    slice of ``history`` when the run read it for all its sessions."""
    exposures = read_exposures(conn, session)
    if exposures.height == 0:
        return None
    book = (history or History(conn, [session])).book(session)
    portfolios, weights = weight_matrix(exposures, book.tickers)
    return book, exposures, portfolios, weights, backcast(weights, book.returns)


def _per_position(exposures: pl.DataFrame, book: Book, values: dict[str, np.ndarray],
                  portfolios: list[str], portfolio_values: dict[str, np.ndarray]) -> pl.DataFrame:
    """Rows per position (its underlying's values) plus one ``__portfolio__`` row per portfolio."""
    rows = [book.row(t) for t in exposures["ticker"]]
    positions = exposures.select("portfolio_id", "position_id", "ticker").with_columns(
        **{k: pl.Series(k, v[rows]) for k, v in values.items()})
    ports = pl.DataFrame({"portfolio_id": portfolios, "position_id": [PORTFOLIO] * len(portfolios),
                          "ticker": [None] * len(portfolios),
                          **{k: np.asarray(v) for k, v in portfolio_values.items()}},
                         schema_overrides={"ticker": pl.Utf8})
    return pl.concat([positions, ports], how="vertical_relaxed")


def _run(conn: psycopg.Connection, sessions: list[date], tables: list[TableSpec],
         compute: Callable[[Session], list[tuple[TableSpec, pl.DataFrame]]]) -> Reports:
    """``compute`` on each session's book, its frames upserted; one report per table in ``tables``."""
    results = []
    history = History(conn, sessions) if sessions else None
    for session in sessions:
        opened = open_session(conn, session, history)
        if opened is None:
            continue
        for table, frame in compute(opened):
            if frame.height == 0:
                continue
            frame = frame.with_columns(trade_date=pl.lit(session))
            cols = [c for c in table.columns if c in frame.columns]
            results.append(upsert(conn, table, frame.select(cols), source=SOURCE, partition_key=session.isoformat()))
    return reports_by_table(conn, tables, results, sessions=len(sessions))


# -- betas ------------------------------------------------------------------------------------------
def _beta_columns(returns: np.ndarray, market: np.ndarray, rates: np.ndarray) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for window, min_obs in ((60, 40), (252, 120)):
        fit = regress(returns[:, -window:], market[-window:], min_obs=min_obs)
        out |= {f"beta_{window}": fit.coef[:, 0], f"alpha_{window}": fit.intercept, f"r2_{window}": fit.r2,
                f"beta_stderr_{window}": fit.stderr[:, 0], f"n_obs_{window}": fit.n_obs}
    rate = regress(returns[:, -252:], rates[-252:], min_obs=120)
    return out | {"rate_beta": rate.coef[:, 0], "rate_beta_stderr": rate.stderr[:, 0], "rate_r2": rate.r2,
                  "rate_n_obs": rate.n_obs}


def _betas(s: Session) -> list[tuple[TableSpec, pl.DataFrame]]:
    book, exposures, portfolios, _, port_returns = s
    market, rates = book.market_returns(), book.rate_changes
    frame = _per_position(exposures, book, _beta_columns(book.returns, market, rates), portfolios,
                          _beta_columns(port_returns, market, rates))
    return [(BETAS, frame)]


def record_betas(conn: psycopg.Connection, sessions: list[date]) -> Reports:
    return _run(conn, sessions, [BETAS], _betas)


# -- factor exposures -------------------------------------------------------------------------------
def _factor_rows(ids: pl.DataFrame, coef: np.ndarray, r2: np.ndarray, n: np.ndarray, penalty: float) -> pl.DataFrame:
    names = list(FACTOR_ETFS)
    wide = ids.with_columns(**{f: pl.Series(f, coef[:, k]) for k, f in enumerate(names)},
                            r2=pl.Series(r2), n_obs=pl.Series(n), ridge_alpha=pl.lit(penalty))
    return wide.unpivot(index=[*ids.columns, "r2", "n_obs", "ridge_alpha"], on=names,
                        variable_name="factor", value_name="exposure")


def _factors(s: Session) -> list[tuple[TableSpec, pl.DataFrame]]:
    book, exposures, portfolios, _, port_returns = s
    x = factor_returns({etf: book.returns[book.row(etf)] for etf in FACTOR_ETFS.values()})[-RISK_DAYS:]
    fit, penalty = factor_exposures(book.returns[:, -RISK_DAYS:], x)
    pfit, _ = factor_exposures(port_returns[:, -RISK_DAYS:], x)
    rows = [book.row(t) for t in exposures["ticker"]]
    positions = _factor_rows(exposures.select("portfolio_id", "position_id"), fit.coef[rows], fit.r2[rows],
                             fit.n_obs[rows], penalty)
    ports = _factor_rows(pl.DataFrame({"portfolio_id": portfolios, "position_id": [PORTFOLIO] * len(portfolios)}),
                         pfit.coef, pfit.r2, pfit.n_obs, penalty)
    return [(FACTOR_EXPOSURES, pl.concat([positions, ports]))]


def record_factor_exposures(conn: psycopg.Connection, sessions: list[date]) -> Reports:
    return _run(conn, sessions, [FACTOR_EXPOSURES], _factors)


# -- volatility -------------------------------------------------------------------------------------
def _vol_columns(returns: np.ndarray) -> dict[str, np.ndarray]:
    har = har_forecast(returns[:, -RISK_DAYS:])
    return {"realized_vol_21": realized_vol(returns, 21), "realized_vol_63": realized_vol(returns, 63),
            "har_vol_1d": har[1], "har_vol_5d": har[5], "har_vol_21d": har[21]}


def _volatility(s: Session) -> list[tuple[TableSpec, pl.DataFrame]]:
    book, exposures, portfolios, _, port_returns = s
    return [(VOLATILITY, _per_position(exposures, book, _vol_columns(book.returns), portfolios,
                                       _vol_columns(port_returns)))]


def record_volatility(conn: psycopg.Connection, sessions: list[date]) -> Reports:
    return _run(conn, sessions, [VOLATILITY], _volatility)


# -- correlations and concentration -----------------------------------------------------------------
def _concentration(s: Session) -> list[tuple[TableSpec, pl.DataFrame]]:
    book, exposures, portfolios, _, _ = s
    corr = conc.correlation_matrix(book.returns[:, -conc.CORRELATION_DAYS:])
    pairs, summary = [], []
    for portfolio in portfolios:
        mine = exposures.filter(pl.col("portfolio_id") == portfolio)
        ids, rows = mine["position_id"].to_list(), [book.row(t) for t in mine["ticker"]]
        c = corr[np.ix_(rows, rows)]
        exposure = mine["exposure"].to_numpy()
        shares = conc.gross_shares(exposure[None, :])
        rho, score = conc.diversification(shares, c[None, :, :])
        summary.append({"portfolio_id": portfolio, **{k: float(v[0]) for k, v in conc.concentration(exposure).items()},
                        "avg_correlation": float(rho[0]), "diversification_score": float(score[0])})
        top = conc.largest_positions(exposure)
        a, b = (top[side] for side in np.triu_indices(len(top), k=1))
        pairs.append(pl.DataFrame({"portfolio_id": [portfolio] * len(a), "position_a": [ids[i] for i in a],
                                   "position_b": [ids[i] for i in b], "correlation": c[a, b]}))
    return [(CONCENTRATION, pl.DataFrame(summary)), (CORRELATIONS, pl.concat(pairs))]


def record_concentration(conn: psycopg.Connection, sessions: list[date]) -> Reports:
    return _run(conn, sessions, [CONCENTRATION, CORRELATIONS], _concentration)


# -- risk and performance ---------------------------------------------------------------------------
def risk_columns(returns: np.ndarray, market: np.ndarray) -> dict[str, np.ndarray]:
    """Every figure of analytics.portfolio_risk for back-cast returns ``(P, T)`` (the last 252 sessions)."""
    r, m = returns[:, -RISK_DAYS:], market[-RISK_DAYS:]
    alpha, beta = perf.alpha_beta(r, m)
    return {**risk_table(r), "sharpe": perf.sharpe_ratio(r), "sortino": perf.sortino_ratio(r),
            "max_drawdown": perf.max_drawdown(r), "calmar": perf.calmar_ratio(r), "win_rate": perf.win_rate(r),
            "alpha": alpha, "beta": beta, "annual_return": perf.annual_return(r),
            "annual_volatility": realized_vol(r, r.shape[-1]), "current_drawdown": perf.drawdowns(r)[:, -1],
            "n_obs": np.sum(np.isfinite(r), axis=-1)}


def _risk(s: Session) -> list[tuple[TableSpec, pl.DataFrame]]:
    book, _, portfolios, _, port_returns = s
    columns = risk_columns(port_returns, np.nan_to_num(book.market_returns()))
    return [(RISK, pl.DataFrame({"portfolio_id": portfolios, **{k: np.asarray(v) for k, v in columns.items()}}))]


def record_risk(conn: psycopg.Connection, sessions: list[date]) -> Reports:
    """The risk table, and the picture of the largest portfolio on the run's last session."""
    pictures: list[Chart] = []

    def risk_and_picture(s: Session) -> list[tuple[TableSpec, pl.DataFrame]]:
        book, exposures, portfolios, weights, port_returns = s
        pictures.append(risk_picture(book, exposures, portfolios, weights, port_returns, RISK_DAYS))
        return _risk(s)

    reports = _run(conn, sorted(sessions), [RISK], risk_and_picture)
    if pictures:
        reports[RISK.name]["nav_drawdown_risk_contributions"] = pictures[-1]
    return reports
