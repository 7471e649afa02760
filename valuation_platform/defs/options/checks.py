"""Domain invariants on the option chain mart, as Python asset checks (dbt tests cover keys and ranges).

Each check reads the latest trading day of every underlying in ``marts.fct_option_chain`` (what the last
runs produced), so its cost stays flat as intraday history accumulates.
"""

import dagster as dg
import numpy as np
from dagster_dbt import get_asset_key_for_model

from valuation_platform.analytics.options.bsm import bsm_greeks
from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.defs.options.assets import option_chain_snapshots
from valuation_platform.pipelines.options.chains import read_frame
from valuation_platform.lib.resources import WarehouseResource

CHAIN = get_asset_key_for_model([dbt_models], "fct_option_chain")
REPRODUCE_TOLERANCE = 1e-9  # relative to max(1, |greek|)
BOUND_SLACK = 1e-12  # floating-point slack on the delta bounds
# Quotes sit on a tick grid, so a mid is only known to within a tick: NSE index options trade in 0.05
# rupee ticks, US options in cents.
TICKS = {"nse": 0.05, "us": 0.01}
MAX_PARITY_VIOLATION_SHARE = 0.05

LATEST_OK = """
with latest as (
    select underlying, max(trade_date) as trade_date from marts.fct_option_chain group by underlying
)
select c.* from marts.fct_option_chain c join latest using (underlying, trade_date)
where c.iv_status = 'OK'
"""


@dg.asset_check(
    asset=CHAIN,
    blocking=True,
    description=(
        "Greeks signs and bounds: call delta in [0, e^-qT], put delta in [-e^-qT, 0], gamma >= 0, vega >= 0"
    ),
)
def option_greeks_bounds(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        checked, calls, puts, gamma, vega = conn.execute(
            f"""
            with rows as ({LATEST_OK})
            select count(*),
                   count(*) filter (where option_type = 'C' and (delta < -%(s)s
                                    or delta > exp(-dividend_yield * time_to_expiry) + %(s)s)),
                   count(*) filter (where option_type = 'P' and (delta > %(s)s
                                    or delta < -exp(-dividend_yield * time_to_expiry) - %(s)s)),
                   count(*) filter (where gamma < -%(s)s),
                   count(*) filter (where vega < -%(s)s)
            from rows
            """,
            {"s": BOUND_SLACK},
        ).fetchone()
    bad = calls + puts + gamma + vega
    return dg.AssetCheckResult(
        passed=bool(checked) and bad == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows_checked": checked, "call_delta_out_of_bounds": calls, "put_delta_out_of_bounds": puts,
                  "negative_gamma": gamma, "negative_vega": vega},
    )


@dg.asset_check(
    asset=CHAIN,
    blocking=True,
    description="Every row's own inputs (S, K, T, r, iv, q, type) reproduce its Greeks through BSM to 1e-9",
)
def option_greeks_reproduce(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        rows = read_frame(conn, LATEST_OK)
    errors: dict[str, float] = {}
    if len(rows):
        greeks = bsm_greeks(
            rows["underlying_price"].to_numpy(float), rows["strike"].to_numpy(float),
            rows["time_to_expiry"].to_numpy(float), rows["risk_free_rate"].to_numpy(float),
            rows["iv"].to_numpy(float), rows["dividend_yield"].to_numpy(float),
            rows["option_type"].to_numpy(str),
        )
        recomputed = {"delta": greeks.delta, "gamma": greeks.gamma, "theta": greeks.theta_per_day,
                      "vega": greeks.vega, "rho": greeks.rho}
        for name, values in recomputed.items():
            stored = rows[name].to_numpy(float)
            errors[name] = float(np.max(np.abs(stored - values) / np.maximum(1.0, np.abs(values))))
    worst = max(errors.values(), default=0.0)
    return dg.AssetCheckResult(
        passed=bool(len(rows)) and worst <= REPRODUCE_TOLERANCE,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows_checked": len(rows), "max_relative_error": worst,
                  **{f"max_error/{k}": v for k, v in errors.items()}},
    )


PARITY_PAIRS = """
with latest as (
    select underlying, max(trade_date) as trade_date from marts.fct_option_chain group by underlying
),
quoted as (
    select c.* from marts.fct_option_chain c join latest using (underlying, trade_date)
    where c.bid > 0 and c.ask > 0 and c.time_to_expiry > 0
)
select c.underlying, c.market, c.snapshot_ts, c.expiry, c.strike, c.underlying_price,
       c.time_to_expiry, c.risk_free_rate, c.dividend_yield,
       c.quote_price as call_price, p.quote_price as put_price,
       (c.ask - c.bid) / 2 + (p.ask - p.bid) / 2 as half_spreads
from quoted c join quoted p using (underlying, snapshot_ts, expiry, strike)
where c.option_type = 'C' and p.option_type = 'P'
"""


@dg.asset_check(
    asset=CHAIN,
    description=(
        "Put-call parity on our prices (two-sided mids): C - P = S e^-qT - K e^-rT within both half-spreads "
        "plus a tick for European NSE options; the American bounds S e^-qT - K <= C - P <= S - K e^-rT for "
        "US options. A failure usually means r or q is off for that underlying."
    ),
)
def option_put_call_parity(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        pairs = read_frame(conn, PARITY_PAIRS)
    if pairs.empty:
        return dg.AssetCheckResult(passed=True, metadata={"pairs_checked": 0})
    s, k = pairs["underlying_price"].to_numpy(float), pairs["strike"].to_numpy(float)
    t, r, q = (pairs[c].to_numpy(float) for c in ("time_to_expiry", "risk_free_rate", "dividend_yield"))
    diff = pairs["call_price"].to_numpy(float) - pairs["put_price"].to_numpy(float)
    tol = pairs["half_spreads"].to_numpy(float) + pairs["market"].map(TICKS).to_numpy(float)
    s_q, k_r = s * np.exp(-q * t), k * np.exp(-r * t)
    american = (pairs["market"] == "us").to_numpy()
    lower = np.where(american, s_q - k, s_q - k_r)
    upper = np.where(american, s - k_r, s_q - k_r)
    gap = np.maximum(lower - diff, diff - upper)  # > 0 outside the band
    pairs["gap"] = gap - tol
    violating = pairs[pairs["gap"] > 0]
    share = len(violating) / len(pairs)
    worst = violating.nlargest(5, "gap")
    return dg.AssetCheckResult(
        passed=share <= MAX_PARITY_VIOLATION_SHARE,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "pairs_checked": len(pairs),
            "pairs_violating": len(violating),
            "violation_share": share,
            "by_underlying": dg.MetadataValue.json(
                {u: int(n) for u, n in violating["underlying"].value_counts().items()}
            ),
            "worst": dg.MetadataValue.md(
                "\n".join(f"- {r.underlying} {r.expiry} K={r.strike:g}: {r.gap:.4f} beyond tolerance"
                          for r in worst.itertuples())
            ),
        },
    )


@dg.asset_check(asset=option_chain_snapshots, description="chain documents quarantined by the snapshot loads")
def option_chain_quarantine(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        rows = conn.execute(
            "select document, reason from raw.quarantine where asset_key = 'option_chain_snapshots'"
            " order by document"
        ).fetchall()
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "quarantined": len(rows),
            "documents": dg.MetadataValue.md("\n".join(f"- {d}: {r}" for d, r in rows)),
        },
    )
