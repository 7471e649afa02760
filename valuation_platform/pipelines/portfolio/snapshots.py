"""Phase 1: position and portfolio snapshots of each session (values, P&L, delta-adjusted exposure).

Options are valued with the options domain's Greeks where a chain snapshot of the session holds the
contract (``analytics.option_contracts_enriched``: the day's last snapshot, quote price and delta); otherwise
with Black-Scholes at the underlying's 63-session realized volatility (30 % without history), r = DGS10
(4 % without a print), no dividends, T = calendar days to expiry / 365; ``delta_source`` says which.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import psycopg

from valuation_platform.analytics.options.bsm import bsm_greeks
from valuation_platform.analytics.portfolio.volatility import realized_vol
from valuation_platform.pipelines.portfolio.book import CASH, Book, read_book
from valuation_platform.pipelines.portfolio.reports import Reports, reports_by_table
from valuation_platform.warehouse.tables.portfolio import PORTFOLIO_SNAPSHOTS, POSITION_SNAPSHOTS
from valuation_platform.warehouse.upsert import upsert

FALLBACK_VOL, FALLBACK_RATE = 0.30, 0.04


def _chain_quotes(conn: psycopg.Connection, day: date, underlyings: list[str]) -> dict[tuple, tuple[float, float]]:
    """(underlying, expiry, strike, C|P) -> (quote price, delta) of the day's last snapshot."""
    with conn.transaction():
        exists = conn.execute("select to_regclass('analytics.option_contracts_enriched')").fetchone()[0]
        if not exists:
            return {}
        rows = conn.execute(
            "select distinct on (underlying, expiry, strike, option_type) underlying, expiry, strike,"
            " upper(left(option_type, 1)), quote_price, delta from analytics.option_contracts_enriched"
            " where trade_date = %s and underlying = any(%s) and delta is not null"
            " order by underlying, expiry, strike, option_type, snapshot_ts desc", (day, underlyings)).fetchall()
    return {(u, e, float(k), t): (p, d) for u, e, k, t, p, d in rows}


def _option_values(book: Book, opts: pl.DataFrame, j: int, chain: dict) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Price and delta per option position at session index ``j`` of the book."""
    day = book.sessions[j]
    rows = [book.row(t) for t in opts["ticker"]]
    spot = book.closes[rows, j]
    vol = realized_vol(book.returns[rows, : j], 63, min_obs=21) if j > 0 else np.full(len(rows), np.nan)
    vol = np.where(np.isfinite(vol), vol, FALLBACK_VOL)
    rate = book.rates[j] / 100 if np.isfinite(book.rates[j]) else FALLBACK_RATE
    t = np.array([(e - day).days / 365.0 for e in opts["expiry"]])
    model = bsm_greeks(spot, opts["strike"].to_numpy(), t, rate, vol, 0.0, opts["option_type"].to_numpy())
    price, delta, source = model.price.copy(), model.delta.copy(), ["model"] * opts.height
    for i, key in enumerate(opts.select("ticker", "expiry", "strike", "option_type").iter_rows()):
        quote = chain.get((key[0], key[1], float(key[2]), key[3]))
        if quote is not None and quote[0] is not None:
            price[i], delta[i], source[i] = quote[0], quote[1], "chain"
    return price, delta, source


def _valuation(conn: psycopg.Connection, book: Book, j: int) -> pl.DataFrame:
    pos = book.positions
    stock = pos.filter(pl.col("option_type").is_null() & (pl.col("ticker") != CASH))
    opts = pos.filter(pl.col("option_type").is_not_null())
    parts = []
    if stock.height:
        px = book.closes[[book.row(t) for t in stock["ticker"]], j]
        parts.append(stock.with_columns(price=pl.Series(px), underlying_price=pl.Series(px), delta=pl.lit(1.0),
                                        delta_source=pl.lit("stock")))
    if opts.height:
        chain = _chain_quotes(conn, book.sessions[j], sorted(set(opts["ticker"])))
        price, delta, source = _option_values(book, opts, j, chain)
        spot = book.closes[[book.row(t) for t in opts["ticker"]], j]
        parts.append(opts.with_columns(price=pl.Series(price), underlying_price=pl.Series(spot),
                                       delta=pl.Series(delta), delta_source=pl.Series(source)))
    cash = pos.filter(pl.col("ticker") == CASH)
    if cash.height:
        parts.append(cash.with_columns(price=pl.lit(1.0), underlying_price=pl.lit(1.0), delta=pl.lit(0.0),
                                       delta_source=pl.lit("cash")))
    frame = pl.concat([p.with_columns(pl.col("price", "underlying_price", "delta").cast(pl.Float64)) for p in parts],
                      how="vertical_relaxed")
    units = pl.col("quantity") * pl.col("multiplier")
    return frame.with_columns(
        market_value=units * pl.col("price"),
        cost_basis=units * pl.col("entry_price"),
        exposure=pl.when(pl.col("ticker") == CASH).then(0.0).otherwise(units * pl.col("delta") * pl.col("underlying_price")),
    )


def snapshot_session(conn: psycopg.Connection, session: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    book = read_book(conn, session, history=80)
    if book.positions.height == 0:
        return pl.DataFrame(), pl.DataFrame()
    now = _valuation(conn, book, len(book.sessions) - 1)
    before = _valuation(conn, book, len(book.sessions) - 2).select("portfolio_id", "position_id",
                                                                    pl.col("price").alias("prev_price"))
    pos = now.join(before, on=["portfolio_id", "position_id"], how="left").with_columns(
        unrealized_pnl=pl.col("market_value") - pl.col("cost_basis"),
        daily_pnl=pl.when(pl.col("entry_date") == session)
        .then(pl.col("market_value") - pl.col("cost_basis"))
        .otherwise(pl.col("quantity") * pl.col("multiplier") * (pl.col("price") - pl.col("prev_price"))),
    )
    nav = pos.group_by("portfolio_id").agg(nav=pl.col("market_value").sum())
    pos = pos.join(nav, on="portfolio_id").with_columns(weight=pl.col("exposure") / pl.col("nav"),
                                                        trade_date=pl.lit(session), is_open=pl.lit(True))
    e = pl.col("exposure")
    mv = pl.col("market_value")
    invested = pl.col("ticker") != CASH
    port = pos.group_by("portfolio_id").agg(
        portfolio_name=pl.col("portfolio_name").first(),
        nav=mv.sum(),
        cash=mv.filter(~invested).sum(),
        long_market_value=mv.filter(invested & (mv > 0)).sum(),
        short_market_value=mv.filter(invested & (mv < 0)).sum(),
        gross_exposure=e.abs().sum(), net_exposure=e.sum(),
        long_exposure=e.filter(e > 0).sum(), short_exposure=e.filter(e < 0).sum(),
        cost_basis=pl.col("cost_basis").filter(invested).sum(),
        unrealized_pnl=pl.col("unrealized_pnl").filter(invested).sum(),
        daily_pnl=pl.col("daily_pnl").filter(invested).sum(),
        n_positions=invested.sum().cast(pl.Int32),
    ).with_columns(daily_return=pl.col("daily_pnl") / (pl.col("nav") - pl.col("daily_pnl")),
                   trade_date=pl.lit(session))
    return pos, port


def record_snapshots(conn: psycopg.Connection, sessions: list[date]) -> Reports:
    results = []
    for session in sessions:
        pos, port = snapshot_session(conn, session)
        if pos.height == 0:
            continue
        key = session.isoformat()
        cols = [c for c in POSITION_SNAPSHOTS.columns if c in pos.columns]
        results.append(upsert(conn, POSITION_SNAPSHOTS, pos.select(cols), source="analytics.portfolio", partition_key=key))
        results.append(upsert(conn, PORTFOLIO_SNAPSHOTS, port.select(list(PORTFOLIO_SNAPSHOTS.columns)),
                              source="analytics.portfolio", partition_key=key))
    return reports_by_table(conn, [PORTFOLIO_SNAPSHOTS, POSITION_SNAPSHOTS], results, sessions=len(sessions))
