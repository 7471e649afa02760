"""Tables of the portfolio domain: landed positions, targets and tags, FRED series, and the analytics.

Analytics tables are keyed by the session they describe (``trade_date``) and carry it as their
``_partition_key``, so a re-run of a session rewrites only that session.
"""

from __future__ import annotations

from valuation_platform.warehouse.tables import TableSpec

PORTFOLIO_POSITIONS = TableSpec(
    schema="raw",
    name="portfolio_positions",
    columns={
        "portfolio_id": "text not null",
        "position_id": "text not null",  # the ticker, the OCC-style contract name, or CASH
        "portfolio_name": "text not null",
        "ticker": "text not null",  # the traded symbol (for an option: its underlying)
        "position_type": "text not null",  # LONG SHORT LC LP SC SP CASH
        "quantity": "double precision not null",  # signed: negative for SHORT/SC/SP; dollars for CASH
        "entry_price": "double precision",  # per share / per contract share (premium)
        "entry_date": "date",
        "strike": "double precision",
        "expiry": "date",
        "option_type": "text",  # C | P
        "multiplier": "double precision not null",
        "document": "text not null",  # the landing file the row came from
    },
    key=("portfolio_id", "position_id"),
    comment="Portfolio positions from broker-style CSV exports dropped in the portfolio landing folder",
)

PORTFOLIO_TARGET_PRICES = TableSpec(
    schema="raw",
    name="portfolio_target_prices",
    columns={
        "portfolio_id": "text not null",
        "ticker": "text not null",
        "target_price": "double precision",
        "stop_price": "double precision",
        "set_on": "date",
        "document": "text not null",
    },
    key=("portfolio_id", "ticker"),
    comment="Analysts' target and stop prices per portfolio and ticker (landing folder CSV)",
)

PORTFOLIO_TAGS = TableSpec(
    schema="raw",
    name="portfolio_tags",
    columns={"portfolio_id": "text not null", "ticker": "text not null", "tag": "text not null",
             "document": "text not null"},
    key=("portfolio_id", "ticker", "tag"),
    comment="Free-form position tags per portfolio and ticker (landing folder CSV)",
)

FRED_OBSERVATIONS = TableSpec(
    schema="raw",
    name="fred_observations",
    columns={"series_id": "text not null", "obs_date": "date not null", "value": "double precision"},
    key=("series_id", "obs_date"),
    comment="FRED series observations (fredgraph.csv); value NULL where FRED prints '.' (no observation)",
)

_SESSION = {"portfolio_id": "text not null", "trade_date": "date not null"}
_INDEX = (("_partition_key",),)


def _analytics(name: str, columns: dict[str, str], key: tuple[str, ...], comment: str) -> TableSpec:
    return TableSpec("analytics", name, {**_SESSION, **columns}, ("portfolio_id", "trade_date", *key),
                     indexes=_INDEX, comment=comment)


F = "double precision"
POSITION_SNAPSHOTS = _analytics(
    "portfolio_position_snapshots",
    {"position_id": "text not null", "ticker": "text not null", "position_type": "text not null",
     "quantity": F, "multiplier": F, "price": F, "underlying_price": F, "market_value": F, "cost_basis": F,
     "unrealized_pnl": F, "daily_pnl": F, "delta": F, "delta_source": "text", "exposure": F, "weight": F,
     "is_open": "boolean not null"},
    ("position_id",), "Per position and session: value, cost, P&L, delta and delta-adjusted exposure",
)
PORTFOLIO_SNAPSHOTS = _analytics(
    "portfolio_snapshots",
    {"portfolio_name": "text", "nav": F, "cash": F, "long_market_value": F, "short_market_value": F,
     "gross_exposure": F, "net_exposure": F, "long_exposure": F, "short_exposure": F, "cost_basis": F,
     "unrealized_pnl": F, "daily_pnl": F, "daily_return": F, "n_positions": "integer not null"},
    (), "Per portfolio and session: NAV, exposures, P&L and daily return",
)
BETAS = _analytics(
    "portfolio_betas",
    {"position_id": "text not null", "ticker": "text",
     **{f"{m}_{w}": F for w in (60, 252) for m in ("beta", "alpha", "r2", "beta_stderr")},
     "n_obs_60": "integer", "n_obs_252": "integer",
     "rate_beta": F, "rate_beta_stderr": F, "rate_r2": F, "rate_n_obs": "integer"},
    ("position_id",), "OLS market beta vs SPY (60/252 sessions) and rate beta vs DGS10 changes; "
                      "position_id '__portfolio__' is the portfolio",
)
FACTOR_EXPOSURES = _analytics(
    "portfolio_factor_exposures",
    {"position_id": "text not null", "factor": "text not null", "exposure": F, "r2": F, "ridge_alpha": F,
     "n_obs": "integer"},
    ("position_id", "factor"), "Ridge factor exposures (market, size, value, momentum, quality, low vol)",
)
VOLATILITY = _analytics(
    "portfolio_volatility",
    {"position_id": "text not null", "realized_vol_21": F, "realized_vol_63": F, "har_vol_1d": F,
     "har_vol_5d": F, "har_vol_21d": F},
    ("position_id",), "Realized volatility (21/63) and HAR forecasts (1/5/21 sessions), annualised",
)
CORRELATIONS = _analytics(
    "portfolio_correlations",
    {"position_a": "text not null", "position_b": "text not null", "correlation": F},
    ("position_a", "position_b"), "Pairwise 90-session return correlations of a portfolio's positions",
)
CONCENTRATION = _analytics(
    "portfolio_concentration",
    {"hhi": F, "effective_positions": F, "top5_weight": F, "largest_weight": F, "avg_correlation": F,
     "diversification_score": F},
    (), "Concentration (HHI, effective N, top 5) and diversification score",
)
RISK = _analytics(
    "portfolio_risk",
    {**{f"{m}_{k}_{c}_{h}": F for m in ("historical", "parametric") for k in ("var", "cvar")
        for c in (95, 99) for h in ("1d", "10d")},
     "sharpe": F, "sortino": F, "max_drawdown": F, "calmar": F, "win_rate": F, "alpha": F, "beta": F,
     "annual_return": F, "annual_volatility": F, "current_drawdown": F, "n_obs": "integer"},
    (), "VaR/CVaR (historical, parametric; 95/99; 1/10 days) and performance ratios",
)
STRESS_TESTS = _analytics(
    "portfolio_stress_tests",
    {"scenario": "text not null", "kind": "text not null", "description": "text", "portfolio_return": F,
     "pnl": F, "covered": "boolean not null", "note": "text"},
    ("scenario",), "Historical windows replayed on today's weights and scenario shocks",
)
HEALTH = _analytics(
    "portfolio_health",
    {"health_score": F, "grade": "text not null", "beta_score": F, "volatility_score": F,
     "concentration_score": F, "diversification_score": F, "interpretation": "text"},
    (), "Health score 0-100 with components, grade and interpretation",
)
INSIGHTS = _analytics(
    "portfolio_insights",
    {"rule": "text not null", "subject": "text not null", "severity": "text not null", "metric": "text",
     "value": F, "threshold": F, "message": "text not null"},
    ("rule", "subject"), "Rule-based alert cards",
)
ACTIVITY = _analytics(
    "portfolio_activity",
    {"kind": "text not null", "subject": "text not null", "severity": "text not null", "value": F,
     "previous": F, "change": F, "message": "text not null"},
    ("kind", "subject"), "Notable changes since the previous session's snapshot",
)
