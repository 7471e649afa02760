"""Option chains: snapshots -> implied vol and Greeks -> daily ATM-IV history -> chain summary, strategies.

All five assets share the weekday ``OPTIONS_DAILY`` partitions and run a partition range as one run.
Which partition a snapshot belongs to, and when the live APIs are called at all, is the rule in
:mod:`valuation_platform.pipelines.options.chains` (a snapshot's own timestamp decides; live chains are
fetched only for a run that includes the current partition).
"""


from datetime import datetime, timezone
from typing import Any

import dagster as dg

from valuation_platform.lib.metadata import materialized, merged
import pandas as pd

from valuation_platform.pipelines.documents import fetch_all
from valuation_platform.pipelines.report import (
    load_report,
    merge,
    quarantine_report,
    table_report,
)
from valuation_platform.pipelines.options.chains import (
    DEFAULT_DIVIDEND_YIELDS,
    DEFAULT_NSE_EQUITIES,
    DEFAULT_NSE_INDICES,
    DEFAULT_RATES,
    DEFAULT_US_TICKERS_LIST,
    ChainTarget,
    chain_targets,
    partition_for,
    read_frame,
    release_chain,
    should_fetch,
    spec_frame,
    total,
    trading_date,
    write_partition,
)
from valuation_platform.pipelines.options.compute import (
    RAW_QUERY,
    enrich,
    history_rows,
    history_window,
    read_enriched,
    strategies,
    summary_rows,
)
from valuation_platform.lib.partitions import OPTIONS_DAILY
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.sources.errors import SourceError
from valuation_platform.warehouse.quarantine import quarantine
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.tables.options import (
    OPTION_ATM_IV_HISTORY,
    OPTION_CHAIN_SNAPSHOTS,
    OPTION_CHAIN_SUMMARY,
    OPTION_CONTRACTS_ENRICHED,
    OPTION_STRATEGIES,
)
from valuation_platform.warehouse.upsert import upsert

NETWORK_RETRY = dg.RetryPolicy(
    max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
COMMON: dict[str, Any] = dict(
    group_name="options",
    owners=["team:derivatives"],
    partitions_def=OPTIONS_DAILY,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
ORDER = "snapshot_ts desc, underlying, expiry"


class OptionChainConfig(dg.Config):
    """Which chains to snapshot. The schedules pick one market each; the defaults match the sample mirror."""

    markets: list[str] = ["nse", "us"]
    nse_indices: list[str] = list(DEFAULT_NSE_INDICES)
    nse_equities: list[str] = list(DEFAULT_NSE_EQUITIES)
    us_tickers: list[str] = list(DEFAULT_US_TICKERS_LIST)


class OptionPricingConfig(dg.Config):
    """Continuous risk-free rates per market and dividend yields per underlying (defaults documented in
    valuation_platform.pipelines.options.chains: NSE 6.5 %, US 4.5 %; NIFTY 1.2 %, BANKNIFTY 0.8 %, ...)."""

    nse_rate: float = DEFAULT_RATES["nse"]
    us_rate: float = DEFAULT_RATES["us"]
    dividend_yields: dict[str, float] = dict(DEFAULT_DIVIDEND_YIELDS)
    default_dividend_yield: float = 0.0


@dg.asset(
    description=(
        "Option chain snapshots, one row per contract: NSE option-chain API (indices and equities) and "
        "Polygon's options snapshot (US). A snapshot lands in the partition of its own trading date (market "
        "time zone); live, chains are fetched only by runs that include the current partition. Bad documents "
        "are quarantined in raw.quarantine and listed here; the other chains still land."
    ),
    retry_policy=NETWORK_RETRY,
    kinds={"python", "postgres"},
    **COMMON,
)
def option_chain_snapshots(
    context: dg.AssetExecutionContext,
    config: OptionChainConfig,
    sources: SourcesResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    run_keys = list(context.partition_keys)
    client = sources.client
    targets = chain_targets(config.markets, config.nse_indices, config.nse_equities, config.us_tickers)
    report: list[tuple[Any, ...]] = []
    wanted: list[ChainTarget] = []
    for target in targets:
        if not should_fetch(client.mode, run_keys, target.market):
            report.append((target.label, None, None, 0, "not fetched: the run lacks the current partition"))
        elif target.market == "us" and client.mode == "live" and not sources.polygon_api_key:
            report.append((target.label, None, None, 0, "not fetched: VP_POLYGON_API_KEY is not set"))
        else:
            wanted.append(target)

    fetched_at = datetime.now(timezone.utc)
    outcome = fetch_all(wanted, lambda t: t.fetch(client, sources.polygon_api_key), workers=4)
    errors: list[SourceError] = list(outcome.errors)
    rows_by_source: dict[str, list[dict[str, Any]]] = {}
    clean: list[ChainTarget] = []
    for target, rows in outcome.ok:
        if not rows:
            errors.append(SourceError(target.source, target.document, "the chain lists no contracts"))
            continue
        clean.append(target)
        for stamp in sorted({row["snapshot_ts"] for row in rows}):
            partition = partition_for(stamp, target.market)
            batch = [row for row in rows if row["snapshot_ts"] == stamp]
            lands = partition in run_keys
            outcome = "landed" if lands else "skipped: partition not in this run"
            report.append((target.label, stamp, partition, len(batch), outcome))
            if lands:
                extra = {
                    "market": target.market,
                    "trade_date": trading_date(stamp, target.market),
                    "_partition_key": partition,
                }
                rows_by_source.setdefault(target.source, []).extend(row | extra for row in batch)

    with warehouse.connect([OPTION_CHAIN_SNAPSHOTS]) as conn:
        results = [
            upsert(conn, OPTION_CHAIN_SNAPSHOTS, spec_frame(rows, OPTION_CHAIN_SNAPSHOTS),
                   source=f"{source}:option-chain", fetched_at=fetched_at)
            for source, rows in sorted(rows_by_source.items())
        ]
        quarantine(conn, errors, asset_key="option_chain_snapshots")
        for target in clean:
            release_chain(conn, target, "option_chain_snapshots")
        meta = table_report(conn, OPTION_CHAIN_SNAPSHOTS.qualified, order_by=ORDER)
    for error in errors:
        context.log.warning(f"quarantined: {error}")
    landed = [r for r in report if r[4] == "landed"]
    return dg.MaterializeResult(
        metadata=merged(
            meta,
            load_report([total(results, OPTION_CHAIN_SNAPSHOTS.qualified)]),
            quarantine_report(errors, len(wanted)),
            {
                "origin": client.describe(),
                "snapshots_landed": len(landed),
                "contracts_landed": sum(r[3] for r in landed),
                "chains": _chains_table(report),
            },
        )
    )


def _chains_table(report: list[tuple[Any, ...]]) -> dg.TableMetadataValue:
    columns = ("chain", "snapshot_ts", "partition", "contracts", "outcome")
    return dg.MetadataValue.table(
        records=[
            dg.TableRecord(dict(zip(columns, (c, ts.isoformat() if ts else None, p, n, o), strict=True)))
            for c, ts, p, n, o in report
        ],
        schema=dg.TableSchema(
            columns=[dg.TableColumn(c, "int" if c == "contracts" else "string") for c in columns]
        ),
    )


def _per_partition(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    spec: TableSpec,
    reads: list[TableSpec],
    compute,  # (conn, partition_key) -> pandas frame or rows for spec
    source: str,
) -> dict[str, Any]:
    """Compute and write each partition of the run in turn (a backfill holds one day in memory)."""
    results, pruned = [], 0
    with warehouse.connect([*reads, spec]) as conn:
        for key in context.partition_keys:
            frame = spec_frame(compute(conn, key), spec)
            result, gone = write_partition(conn, spec, frame, key, source=source)
            results.append(result)
            pruned += gone
        meta = table_report(conn, spec.qualified, order_by=ORDER if "expiry" in spec.columns else None)
    return merge(meta, load_report([total(results, spec.qualified)]), {"rows_pruned": pruned})


@dg.asset(
    deps=[option_chain_snapshots],
    description=(
        "Implied volatility (with a status per contract: OK, EXPIRED, NO_PRICE, BELOW_INTRINSIC, ...) and "
        "BSM Greeks at that vol for every contract, vectorised, with the exact inputs used (S, T in calendar "
        "years to the expiry close, r per market, q per underlying). Theta per year and per calendar day, "
        "vega per vol point, rho per 1 % in r."
    ),
    kinds={"python", "numpy", "postgres"},
    **COMMON,
)
def option_contracts_enriched(
    context: dg.AssetExecutionContext, config: OptionPricingConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    rates = {"nse": config.nse_rate, "us": config.us_rate}
    statuses: dict[str, int] = {}

    def compute(conn, key: str) -> pd.DataFrame:
        frame = enrich(
            read_frame(conn, RAW_QUERY, (key,)),
            rates=rates,
            dividend_yields=config.dividend_yields,
            default_dividend_yield=config.default_dividend_yield,
        )
        for status, n in frame["iv_status"].value_counts().items() if len(frame) else []:
            statuses[str(status)] = statuses.get(str(status), 0) + int(n)
        return frame

    meta = _per_partition(
        context, warehouse, OPTION_CONTRACTS_ENRICHED, [OPTION_CHAIN_SNAPSHOTS], compute, "analytics:bsm"
    )
    return dg.MaterializeResult(
        metadata=merged(meta, {f"iv_status/{k}": v for k, v in sorted(statuses.items())},
                       {"rates": dg.MetadataValue.json(rates)})
    )


@dg.asset(
    deps=[option_contracts_enriched],
    description=(
        "Our own daily ATM-IV history: per underlying and trading day, the 30-day constant-maturity ATM IV "
        "of the day's last snapshot (total variance interpolated between the expiries around 30 days; "
        "expiries under 7 days left out). IV rank and percentile are measured against it."
    ),
    kinds={"python", "postgres"},
    **COMMON,
)
def option_atm_iv_history(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    meta = _per_partition(
        context,
        warehouse,
        OPTION_ATM_IV_HISTORY,
        [OPTION_CHAIN_SNAPSHOTS, OPTION_CONTRACTS_ENRICHED],
        lambda conn, key: history_rows(read_enriched(conn, key, last_of_day=True)),
        "analytics:atm_iv_history",
    )
    return materialized(meta)


HISTORY_QUERY = """
select underlying, trade_date, atm_iv_30d from analytics.option_atm_iv_history
where underlying = any(%s) and trade_date >= %s and trade_date < %s
"""


@dg.asset(
    deps=[option_contracts_enriched, option_atm_iv_history],
    description=(
        "Per underlying, snapshot and expiry: put-call ratios (open interest, volume), max pain, ATM IV at "
        "the forward, 25-delta skew (put IV - call IV), and the snapshot's 30-day ATM IV with its IV rank "
        "and percentile over the previous 52 weeks of our own history (None under 126 days of history)."
    ),
    kinds={"python", "postgres"},
    **COMMON,
)
def option_chain_summary(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    ranked = 0

    def compute(conn, key: str) -> list[dict[str, Any]]:
        nonlocal ranked
        enriched = read_enriched(conn, key)
        if enriched.empty:
            return []
        rows = summary_rows(enriched, read_frame(conn, HISTORY_QUERY, history_window(enriched)))
        ranked += sum(1 for row in rows if row["iv_rank_52w"] is not None)
        return rows

    meta = _per_partition(
        context,
        warehouse,
        OPTION_CHAIN_SUMMARY,
        [OPTION_CHAIN_SNAPSHOTS, OPTION_CONTRACTS_ENRICHED, OPTION_ATM_IV_HISTORY],
        compute,
        "analytics:chain_metrics",
    )
    return materialized(merge(meta, {"rows_with_iv_rank": ranked}))


@dg.asset(
    deps=[option_contracts_enriched],
    description=(
        "Iron condor, bull put and bear call spreads, covered call and long straddle per expiry, built from "
        "the enriched chain by delta, with max profit/loss, breakevens, risk-neutral probability of profit, "
        "approximate margin and a rank by reward/risk (per unit of underlying)."
    ),
    kinds={"python", "postgres"},
    **COMMON,
)
def option_strategies(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    meta = _per_partition(
        context,
        warehouse,
        OPTION_STRATEGIES,
        [OPTION_CHAIN_SNAPSHOTS, OPTION_CONTRACTS_ENRICHED],
        lambda conn, key: strategies(read_enriched(conn, key)),
        "analytics:strategies",
    )
    return materialized(meta)
