"""Asset checks of the options domain: invariants on the chain mart, quarantined chain documents, and
the snapshots' freshness by each market's session.

The Greeks are judged against put-call parity (model-free) and their no-arbitrage bounds, not against
a recomputation with the function that produced them (that would prove storage, not correctness); the
logic lives in :mod:`valuation_platform.pipelines.options.invariants`.
"""

from datetime import timedelta

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.defs.options.assets import nse_option_chain_snapshots, us_option_chain_snapshots
from valuation_platform.lib.checks import quarantine_check
from valuation_platform.lib.metadata import to_metadata
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.pipelines.options import invariants

CHAIN = get_asset_key_for_model([dbt_models], "fct_option_chain")


def _invariant_check(
    name: str, invariant: invariants.Invariant, *, blocking: bool,
    description: str,
) -> dg.AssetChecksDefinition:
    """An asset check on the chain mart running one invariant; blocking ones fail at ERROR severity."""
    severity = dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN

    @dg.asset_check(asset=CHAIN, name=name, blocking=blocking, description=description)
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            outcome = invariant(conn)
        return dg.AssetCheckResult(passed=outcome.passed, severity=severity, metadata=to_metadata(outcome.metadata))

    return _check


option_model_parity = _invariant_check(
    "option_model_parity", invariants.model_parity, blocking=True,
    description="Put-call parity on our model prices: for every IV-solved strike/expiry pair of the latest day, "
                "our pricer at one common vol gives C - P = S e^-qT - K e^-rT, delta_C - delta_P = e^-qT, equal "
                "gamma and vega (to 1e-9); and every stored IV reprices its quote (to 1e-6)",
)
option_greeks_bounds = _invariant_check(
    "option_greeks_bounds", invariants.greeks_bounds, blocking=True,
    description="Greeks signs and bounds: call delta in [0, e^-qT], put delta in [-e^-qT, 0], gamma >= 0, vega >= 0",
)
option_put_call_parity = _invariant_check(
    "option_put_call_parity", invariants.quote_parity, blocking=False,
    description="Put-call parity on the market's mids: C - P = S e^-qT - K e^-rT within both half-spreads plus a "
                "tick for European NSE options; the American bounds S e^-qT - K <= C - P <= S - K e^-rT for US "
                "options. A failure usually means r or q is off for that underlying (WARN: the quotes are the "
                "market's, at most 5 % of pairs may break it).",
)

nse_option_chain_quarantine = quarantine_check(nse_option_chain_snapshots, what="chain documents")
us_option_chain_quarantine = quarantine_check(us_option_chain_snapshots, what="chain documents")

# Freshness follows each market's session: the schedules snapshot every 30 minutes (NSE 09:15-15:30
# Asia/Kolkata, US 09:30-16:00 America/New_York), so at each half-hour deadline of a session the last
# snapshot must be under 45 minutes old (a 30-minute cadence plus a quarter hour for the run itself).
# Deadlines run 10:00-15:30 local on weekdays; overnight the last deadline is 15:30, which the session's
# last snapshots satisfy. An exchange holiday shows as overdue (WARN): the crons know weekdays only.
SNAPSHOT_LAG = timedelta(minutes=45)
SESSION_DEADLINES = "0,30 10-15 * * 1-5"
nse_option_chain_freshness = dg.build_last_update_freshness_checks(
    assets=[nse_option_chain_snapshots], lower_bound_delta=SNAPSHOT_LAG, deadline_cron=SESSION_DEADLINES,
    timezone="Asia/Kolkata",
)
us_option_chain_freshness = dg.build_last_update_freshness_checks(
    assets=[us_option_chain_snapshots], lower_bound_delta=SNAPSHOT_LAG, deadline_cron=SESSION_DEADLINES,
    timezone="America/New_York",
)
