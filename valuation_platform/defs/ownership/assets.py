"""Ownership ingestion: Form 4 insider trades per filing date, 13F institutional holdings per quarter.

Each load writes two raw tables, so each is a multi-asset with one asset per table (the dbt sources link
to them one to one). Both run a partition range as one run (single-run backfill) and skip filings
already loaded, so a re-run only fetches what is new; ``refetch: true`` in the run config reloads the
range. The loads themselves live in :mod:`valuation_platform.pipelines.ownership`.
"""

from collections.abc import Iterator
from datetime import date
from typing import Any

import dagster as dg

from valuation_platform.lib.metadata import merged
import psycopg

from valuation_platform.defs.sec.assets import us_universe
from valuation_platform.pipelines.report import (
    load_report,
    merge,
    quarantine_report,
    table_report,
)
from valuation_platform.pipelines.ownership.form4_load import load_form4
from valuation_platform.pipelines.ownership.form13f_load import load_13f, quarter_end
from valuation_platform.lib.partitions import SEC_FILING_DAYS, THIRTEENF_QUARTERS
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.sources.errors import SourceError
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.tables.ownership import (
    FORM4_FILINGS,
    FORM4_ROWS,
    THIRTEENF_FILINGS,
    THIRTEENF_HOLDINGS,
)
from valuation_platform.warehouse.tables.sec import US_UNIVERSE
from valuation_platform.warehouse.upsert import UpsertResult

NETWORK_RETRY = dg.RetryPolicy(
    max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
SPEC_COMMON: dict[str, Any] = dict(
    group_name="ownership", owners=["team:ownership"], kinds={"python", "postgres"}
)
FORM4_SPECS: dict[str, Any] = dict(deps=[us_universe], tags={"vp/sample_days": "50"}, **SPEC_COMMON)
THIRTEENF_SPECS: dict[str, Any] = dict(tags={"vp/sample_days": "250"}, **SPEC_COMMON)  # Q2 and Q3 in the demo
LOAD_COMMON: dict[str, Any] = dict(
    backfill_policy=dg.BackfillPolicy.single_run(), retry_policy=NETWORK_RETRY, can_subset=True
)


class OwnershipLoadConfig(dg.Config):
    refetch: bool = False  # reload filings already in the warehouse (e.g. after a parser fix)


def _universe_ciks(conn: psycopg.Connection) -> set[int] | None:
    """The universe's CIKs, or None while raw.us_universe is empty (then every issuer is kept)."""
    ciks = {cik for (cik,) in conn.execute("select distinct cik from raw.us_universe").fetchall()}
    return ciks or None


def _results(
    context: dg.AssetExecutionContext,
    conn: psycopg.Connection,
    tables: dict[str, tuple[TableSpec, str, str]],
    upserts: list[UpsertResult],
    shared: dict[str, Any],
    errors: list[SourceError],
) -> Iterator[dg.MaterializeResult]:
    """One result per selected table asset: its own rows in the run's partitions, preview, schema and
    load counts, plus the load's shared figures. ``tables`` maps asset name -> (spec, order, range sql)."""
    for error in errors:
        context.log.warning(f"quarantined: {error}")
    for name, (spec, order_by, in_range_sql) in tables.items():
        if dg.AssetKey(name) not in context.selected_asset_keys:
            continue
        in_range = conn.execute(in_range_sql).fetchone()[0]
        yield dg.MaterializeResult(
            asset_key=name,
            metadata=merged(
                table_report(conn, spec.qualified, order_by=order_by),
                load_report([r for r in upserts if r.table == spec.qualified]),
                shared,
                {"dagster/row_count": int(in_range)},
            ),
        )


@dg.multi_asset(
    name="sec_form4",
    specs=[
        dg.AssetSpec(
            "sec_form4_transactions",
            description=(
                "SEC Form 4 / 4/A lines (non-derivative and derivative tables, transactions and holdings, "
                "footnotes, joint filers; amendments kept as filed) by filing date (EDGAR business days, "
                "US/Eastern) -> raw.sec_form4_transactions. Filings come from the daily form index, or from "
                "the current-filings feed while the day's index is not published; only issuers in "
                "raw.us_universe when it is loaded. Bad documents go to raw.quarantine."
            ),
            **FORM4_SPECS,
        ),
        dg.AssetSpec(
            "sec_form4_filings",
            description=(
                "One row per Form 4 / 4/A accession discovered for a filing date, with how it was found "
                "(daily_index | current_feed), the CIK folder read and its status (loaded | quarantined) "
                "-> raw.sec_form4_filings."
            ),
            **FORM4_SPECS,
        ),
    ],
    partitions_def=SEC_FILING_DAYS,
    **LOAD_COMMON,
)
def sec_form4(
    context: dg.AssetExecutionContext,
    config: OwnershipLoadConfig,
    sources: SourcesResource,
    warehouse: WarehouseResource,
):
    days = [date.fromisoformat(key) for key in context.partition_keys]
    in_range = f"where filing_date between '{min(days)}' and '{max(days)}'"
    with warehouse.connect([US_UNIVERSE, FORM4_FILINGS, FORM4_ROWS]) as conn:
        load = load_form4(
            conn,
            sources.client,
            days,
            universe_ciks=_universe_ciks(conn),
            refetch=config.refetch,
            log=context.log.info,
        )
        shared = merge(
            quarantine_report(load.errors, load.discovered - load.outside_universe - load.already_loaded),
            {
                "filing_dates": len(days),
                "filings_discovered": load.discovered,
                "filings_outside_universe": load.outside_universe,
                "filings_already_loaded": load.already_loaded,
                "filings_loaded": len(load.loaded),
                "universe_ciks": load.universe_ciks
                if load.universe_ciks is not None
                else "(no universe: all)",
                "days_without_index": ", ".join(d.isoformat() for d in load.missing_indexes) or "(none)",
                "origin": sources.client.describe(),
            },
        )
        yield from _results(
            context,
            conn,
            {
                "sec_form4_transactions": (
                    FORM4_ROWS,
                    "filing_date desc, accession, row_number",
                    f"select count(*) from raw.sec_form4_transactions {in_range}",
                ),
                "sec_form4_filings": (
                    FORM4_FILINGS,
                    "filing_date desc, accession",
                    f"select count(*) from raw.sec_form4_filings {in_range}",
                ),
            },
            load.results,
            shared,
            load.errors,
        )


@dg.multi_asset(
    name="sec_13f",
    specs=[
        dg.AssetSpec(
            "sec_13f_holdings",
            description=(
                "SEC Form 13F information-table rows by report quarter (partition key = the quarter's first "
                "day) -> raw.sec_13f_holdings: the SEC's quarterly 13F data set in bulk when published, "
                "filer "
                "XML for every other filing found in the daily indexes after the quarter end and in the 13F "
                "feed. Values in dollars (thousands before 2023-01-03 converted), put/call rows kept as "
                "such, amendments stored as filed (applied in dbt)."
            ),
            **THIRTEENF_SPECS,
        ),
        dg.AssetSpec(
            "sec_13f_filings",
            description=(
                "13F-HR / 13F-HR/A cover pages, one row per accession (filer, report period, filing date, "
                "amendment number and type, cover totals, origin xml | dataset:<label>) -> "
                "raw.sec_13f_filings."
            ),
            **THIRTEENF_SPECS,
        ),
    ],
    partitions_def=THIRTEENF_QUARTERS,
    **LOAD_COMMON,
)
def sec_13f(
    context: dg.AssetExecutionContext,
    config: OwnershipLoadConfig,
    sources: SourcesResource,
    warehouse: WarehouseResource,
):
    periods = [quarter_end(date.fromisoformat(key)) for key in context.partition_keys]
    in_range = f"where report_period in ({', '.join(repr(p.isoformat()) for p in periods)})"
    with warehouse.connect([THIRTEENF_FILINGS, THIRTEENF_HOLDINGS]) as conn:
        load = load_13f(conn, sources.client, periods, refetch=config.refetch, log=context.log.info)
        shared = merge(
            quarantine_report(load.errors, load.discovered_xml + sum(load.datasets.values())),
            {
                "report_periods": ", ".join(p.isoformat() for p in load.periods),
                "datasets": ", ".join(f"{k}: {v} filings" for k, v in load.datasets.items()) or "(none)",
                "datasets_not_published": ", ".join(load.datasets_missing) or "(none)",
                "daily_indexes_read": load.indexes_read,
                "daily_indexes_missing": load.indexes_missing,
                "xml_filings_discovered": load.discovered_xml,
                "filings_already_loaded": load.already_loaded,
                "filings_loaded": len(load.loaded),
                "origin": sources.client.describe(),
            },
        )
        yield from _results(
            context,
            conn,
            {
                "sec_13f_holdings": (
                    THIRTEENF_HOLDINGS,
                    "report_period desc, accession, row_number",
                    f"select count(*) from raw.sec_13f_holdings {in_range}",
                ),
                "sec_13f_filings": (
                    THIRTEENF_FILINGS,
                    "report_period desc, accession",
                    f"select count(*) from raw.sec_13f_filings {in_range}",
                ),
            },
            load.results,
            shared,
            load.errors,
        )
