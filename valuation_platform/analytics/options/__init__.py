"""Option-chain analytics: BSM prices and Greeks, implied vol, chain metrics, strategies.

Pure numpy/pandas; nothing here imports the sources, the warehouse or Dagster.
"""

from valuation_platform.analytics.options.bsm import BsmGreeks, bsm_greeks, bsm_price, option_sign
from valuation_platform.analytics.options.chain_metrics import (
    MIN_IV_HISTORY,
    NSE_EXPIRY_TIME,
    NSE_TZ,
    US_EXPIRY_TIME,
    US_TZ,
    atm_iv,
    chain_metrics,
    enrich_chain,
    iv_rank_percentile,
    max_pain,
    put_call_ratio,
    skew_25d,
    year_fraction,
)
from valuation_platform.analytics.options.implied_vol import IVStatus, implied_volatility, quote_price
from valuation_platform.analytics.options.strategies import (
    Leg,
    Strategy,
    build_strategies,
    evaluate_strategy,
    expiry_profile,
    pnl_at_expiry,
    pnl_today,
    probability_of_profit,
    strategy_rows,
)

__all__ = [
    "MIN_IV_HISTORY",
    "NSE_EXPIRY_TIME",
    "NSE_TZ",
    "US_EXPIRY_TIME",
    "US_TZ",
    "BsmGreeks",
    "IVStatus",
    "Leg",
    "Strategy",
    "atm_iv",
    "bsm_greeks",
    "bsm_price",
    "build_strategies",
    "chain_metrics",
    "enrich_chain",
    "evaluate_strategy",
    "expiry_profile",
    "implied_volatility",
    "iv_rank_percentile",
    "max_pain",
    "option_sign",
    "pnl_at_expiry",
    "pnl_today",
    "probability_of_profit",
    "put_call_ratio",
    "quote_price",
    "skew_25d",
    "strategy_rows",
    "year_fraction",
]
