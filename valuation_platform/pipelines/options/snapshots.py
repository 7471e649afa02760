"""The chain-snapshot step: fetch one market's chains, land each snapshot in its own partition.

Outcomes, from one chain to the whole source:

* a chain whose document is bad (NSE's ``{}`` without cookies, a truncated Polygon page, no contracts)
  is quarantined with its reason; the other chains land;
* a chain a mirror does not hold is listed as absent (a mirror need not hold every chain);
* a chain whose fetch outlived the client's retries (429/5xx/timeouts) is quarantined too, and the step
  raises :class:`IncompleteLoad` after landing the rest, so the asset's retry policy re-runs it;
* nothing of the market could be fetched (every chain absent or unreachable): :class:`SourceUnavailable`,
  one line naming the source; live US without an API key: :class:`SourceNotConfigured`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import psycopg

from valuation_platform.pipelines.documents import fetch_all
from valuation_platform.pipelines.fetching import is_transport_failure
from valuation_platform.pipelines.options.chain_targets import ChainTarget, chain_targets, release_chains
from valuation_platform.pipelines.options.frames import NEWEST_FIRST, spec_frame
from valuation_platform.pipelines.options.markets import MARKETS, Market, partition_for, should_fetch, trading_date
from valuation_platform.pipelines.options.underlyings import (
    LiquidityRule,
    UnderlyingsSetting,
    liquid_us_tickers,
)
from valuation_platform.pipelines.report import (
    IncompleteLoad,
    Markdown,
    load_report,
    merge,
    quarantine_report,
    table_report,
)
from valuation_platform.sources.errors import FetchError, SourceError, SourceNotConfigured, SourceUnavailable
from valuation_platform.sources.http import HttpClient
from valuation_platform.warehouse.quarantine import quarantine
from valuation_platform.warehouse.tables.options import OPTION_CHAIN_SNAPSHOTS
from valuation_platform.warehouse.replace import replace_partitions

LISTED = 30  # chains listed by name in the step's report


@dataclass(frozen=True)
class SnapshotRequest:
    """What one run of a market's snapshot asset asks for."""

    market: Market
    partition_keys: list[str]
    setting: UnderlyingsSetting
    asset_key: str  # the quarantine entries are filed under it
    ticker_filter: list[str] = field(default_factory=list)  # VP_TICKERS, narrows the US default
    liquidity: LiquidityRule = LiquidityRule()
    polygon_api_key: str | None = None


@dataclass
class _Outcome:
    lines: list[str] = field(default_factory=list)  # one per chain and snapshot, for the report
    rows: list[dict[str, Any]] = field(default_factory=list)
    loaded: list[ChainTarget] = field(default_factory=list)
    rejected: list[SourceError] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    unreachable: list[SourceError] = field(default_factory=list)


def _symbols(conn: psycopg.Connection, request: SnapshotRequest) -> tuple[list[str], list[str]]:
    """The underlyings and how they were chosen (report lines)."""
    listed = request.setting.explicit.get(request.market)
    if listed is not None:
        return list(listed), [f"listed in VP_OPTION_UNDERLYINGS: {', '.join(listed) or 'none'}"]
    if request.market == "nse":
        return list(request.setting.nse()), ["default: NSE's index options"]
    as_of = date.fromisoformat(max(request.partition_keys))
    selection = liquid_us_tickers(conn, request.liquidity, as_of, request.ticker_filter)
    return selection.tickers, [f"default: {request.liquidity.describe()}", *selection.report(request.liquidity)]


def _fetch(client: HttpClient, targets: list[ChainTarget], request: SnapshotRequest) -> _Outcome:
    out = _Outcome()
    fetched = fetch_all(targets, lambda t: t.fetch(client, request.polygon_api_key), workers=4)
    for target, error in fetched.failed:
        if client.mode != "live" and isinstance(error, FetchError) and error.status == 404:
            out.absent.append(target.symbol)
            out.lines.append(f"{target.label}: not in the mirror")
            continue
        out.rejected.append(error)
        if is_transport_failure(error):
            out.unreachable.append(error)
        out.lines.append(f"{target.label}: quarantined ({error.reason})")
    for target, rows in fetched.ok:
        if not rows:
            out.rejected.append(SourceError(target.source, target.document, "the chain lists no contracts"))
            out.lines.append(f"{target.label}: quarantined (the chain lists no contracts)")
            continue
        out.loaded.append(target)
        for stamp in sorted({row["snapshot_ts"] for row in rows}):
            partition = partition_for(stamp, request.market)
            batch = [row for row in rows if row["snapshot_ts"] == stamp]
            lands = partition in request.partition_keys
            verdict = "landed" if lands else "skipped: partition not in this run"
            out.lines.append(f"{target.label} @ {stamp:%Y-%m-%d %H:%M}Z -> {partition}: {len(batch)} contracts {verdict}")
            if lands:
                extra = {"market": request.market, "trade_date": trading_date(stamp, request.market),
                         "_partition_key": partition}
                out.rows.extend(row | extra for row in batch)
    return out


def _raise_if_nothing_fetched(out: _Outcome, targets: list[ChainTarget], client: HttpClient, source: str) -> None:
    if out.loaded or out.rejected != out.unreachable:
        return  # something arrived (even a bad document is the source answering)
    asked = ", ".join(t.symbol for t in targets)
    if out.unreachable:  # a live outage: waiting may help, so the retry policy may re-run the step
        raise SourceUnavailable(source, f"none of the {len(targets)} chains asked for ({asked}) could be fetched: "
                                        f"{out.unreachable[0].reason}", retryable=True)
    raise SourceUnavailable(source, f"{client.describe()} holds none of the {len(targets)} chains asked for ({asked})")


def load_chain_snapshots(conn: psycopg.Connection, client: HttpClient, request: SnapshotRequest) -> dict[str, Any]:
    """Fetch ``request.market``'s chains and land every snapshot of the run's partitions; the report."""
    source = MARKETS[request.market].source
    if not should_fetch(client.mode, request.partition_keys, request.market):
        return {"dagster/row_count": 0, "origin": client.describe(),
                "chains": Markdown("not fetched: live chains serve only the current partition, not in this run")}
    if request.market == "us" and client.mode == "live" and not request.polygon_api_key:
        raise SourceNotConfigured(source, "VP_POLYGON_API_KEY", "Polygon's options snapshot needs an API key")
    symbols, chosen = _symbols(conn, request)
    targets = chain_targets(request.market, symbols)
    if not targets:
        return {"dagster/row_count": 0, "origin": client.describe(), "underlyings": Markdown("\n".join(chosen))}
    fetched_at = datetime.now(timezone.utc)
    out = _fetch(client, targets, request)
    _raise_if_nothing_fetched(out, targets, client, source)

    # One chain snapshot (underlying, timestamp) is one document: replaced whole, skipped when unchanged.
    result = replace_partitions(conn, OPTION_CHAIN_SNAPSHOTS, spec_frame(out.rows, OPTION_CHAIN_SNAPSHOTS),
                                scope=["underlying", "snapshot_ts"], source=f"{source}:option-chain",
                                fetched_at=fetched_at)
    quarantine(conn, out.rejected, asset_key=request.asset_key)
    release_chains(conn, out.loaded, request.asset_key)
    report = merge(
        table_report(conn, OPTION_CHAIN_SNAPSHOTS.qualified, order_by=NEWEST_FIRST),
        load_report([result]),
        quarantine_report(out.rejected, len(targets)),
        {
            "origin": client.describe(),
            "underlyings": Markdown("\n".join(f"- {line}" for line in chosen)),
            "chains_landed": len({row["underlying"] for row in out.rows}),
            "chains_absent": len(out.absent),
            "chains": Markdown("\n".join(f"- {line}" for line in out.lines[:LISTED])
                               + (f"\n- ... and {len(out.lines) - LISTED} more" if len(out.lines) > LISTED else "")),
        },
    )
    if out.unreachable:  # everything loadable landed; fail so the retry policy fetches the rest later
        raise IncompleteLoad(f"{source}: {len(out.unreachable)} chains unreachable after retries, "
                             f"e.g. {out.unreachable[0]}")
    return report
