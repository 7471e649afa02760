"""India macro series: MOSPI API releases and market feeds by reference month, and files dropped into
the landing folder. Every release is kept; dbt picks the latest and computes year-on-year changes."""


from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from valuation_platform.lib.metadata import merged

from valuation_platform.pipelines.documents import fetch_all
from valuation_platform.lib.india_defaults import COMMON, NETWORK_RETRY, SAMPLE_HISTORY
from valuation_platform.pipelines.india.landing import MARKET, MOSPI_AREA, parse_macro_file, scan
from valuation_platform.pipelines.india.releases import (
    fetch_market,
    fetch_mospi,
    in_partitions,
    load_releases,
    market_documents,
    mospi_document,
    mospi_requests,
)
from valuation_platform.lib.india_resource import IndiaResource
from valuation_platform.pipelines.report import load_report, merge, quarantine_report, table_report
from valuation_platform.lib.partitions import INDIA_MACRO_MONTHS
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.india.market import MARKET_FEEDS
from valuation_platform.sources.india.market import SOURCE as MARKET_SOURCE
from valuation_platform.sources.mospi.series import MOSPI
from valuation_platform.warehouse.quarantine import quarantine, release
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.tables.india import (
    INDIA_MACRO_FILES,
    INDIA_MARKET_INDICATORS,
    MACRO_TABLES,
    MOSPI_RELEASES,
)

MONTHLY = dict(
    partitions_def=INDIA_MACRO_MONTHS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=NETWORK_RETRY,
    tags=SAMPLE_HISTORY,
)
ORDER = "series_id, ref_period desc, released_at desc"


def _store(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    spec: TableSpec,
    rows: list[dict[str, Any]],
    errors: Sequence[SourceError],
    *,
    attempted: int,
    source: str,
    fetched_at: datetime,
    released: Callable[[Any], None],
) -> dg.MaterializeResult:
    """Load the rows, file the bad documents, and describe the table. Every macro asset ends here.

    All three macro tables are ensured, because the dbt staging models union them whichever ran first.
    """
    with warehouse.connect(MACRO_TABLES) as conn:
        result, republished = load_releases(conn, spec, rows, source=source, fetched_at=fetched_at)
        quarantine(conn, errors, asset_key=context.asset_key.to_user_string())
        released(conn)
        meta = table_report(conn, spec.qualified, order_by=ORDER)
    for error in errors:
        context.log.warning(f"quarantined: {error}")
    return dg.MaterializeResult(
        metadata=merged(
            meta,
            load_report([result]),
            quarantine_report(list(errors), attempted),
            {
                "rows_parsed": len(rows),
                "republications_skipped": republished,
                "series_in_load": len({r["series_id"] for r in rows}),
            },
        )
    )


@dg.asset(
    description=(
        "MOSPI releases from the eSankhyiki API (CPI, IIP, WPI, GDP/GVA quarterly, PLFS), one partition per "
        "reference month: a run fetches each product for the (fiscal) years its months fall in and keeps the "
        "rows of those months. Revisions are new rows (key series_id, ref_period, released_at); a fetch "
        "repeating the latest value is not stored again. Bad responses are quarantined in raw.quarantine."
    ),
    **MONTHLY,
    **COMMON,
)
def mospi_releases(context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource):
    keys = set(context.partition_keys)
    fetched_at = datetime.now(UTC)
    requests = mospi_requests(sorted(keys))
    outcome = fetch_all(requests, lambda request: fetch_mospi(sources.client, request, fetched_at), workers=4)
    rows = [row for _, fetched in outcome.ok for row in in_partitions(fetched, keys)]
    return _store(
        context, warehouse, MOSPI_RELEASES, rows, outcome.errors,
        attempted=len(requests), source=f"{MOSPI}:api", fetched_at=fetched_at,
        released=lambda conn: release(conn, MOSPI, [mospi_document(r) for r, _ in outcome.ok]),
    )


@dg.asset(
    description=(
        "India market indicators (10y G-sec yield and USD/INR daily closes; RBI repo decisions; PMI, FII/DII "
        "flows and balance of trade monthly) from the published exports under VP_INDIA_MARKET_BASE_URL, "
        "one partition per reference month. Same release rules as mospi_releases."
    ),
    **MONTHLY,
    **COMMON,
)
def india_market_indicators(
    context: dg.AssetExecutionContext, india: IndiaResource, sources: SourcesResource, warehouse: WarehouseResource
):
    keys = set(context.partition_keys)
    fetched_at = datetime.now(UTC)
    base_url = india.market_url
    feeds = sorted(MARKET_FEEDS)
    outcome = fetch_all(feeds, lambda feed: fetch_market(sources.client, feed, base_url, fetched_at), workers=4)
    rows = [row for _, fetched in outcome.ok for row in in_partitions(fetched, keys)]
    return _store(
        context, warehouse, INDIA_MARKET_INDICATORS, rows, outcome.errors,
        attempted=len(feeds), source=f"{MARKET_SOURCE}:{base_url}", fetched_at=fetched_at,
        released=lambda conn: release(
            conn, MARKET_SOURCE, [d for feed, _ in outcome.ok for d in market_documents(feed, base_url)]
        ),
    )


@dg.asset(
    description=(
        "MOSPI and market CSV files dropped into the India landing folder (VP_INDIA_LANDING; by default "
        "<VP_SOURCE_ROOT>/landing/india for a local mirror, else data/landing/india): mospi/ files are read "
        "by the parser their name starts with (cpi, iip, wpi, nas/gdp/gva, plfs), market/ files by the market "
        "parser. A file without release dates is released at its modification time. The landing sensor "
        "launches this when a file is new or changed; a file that cannot be read is quarantined, the rest load."
    ),
    **COMMON,
)
def india_macro_files(
    context: dg.AssetExecutionContext, india: IndiaResource, sources: SourcesResource, warehouse: WarehouseResource
):
    folder = india.landing_path(sources.source_root)
    files = [f for f in scan(folder) if f.area in (MOSPI_AREA, MARKET)]
    outcome = fetch_all(files, parse_macro_file, workers=2)
    rows = [{**row, "document": f.relpath} for f, parsed in outcome.ok for row in parsed]
    context.log.info(f"{len(files)} macro files in {folder}")

    def released(conn: Any) -> None:
        for f, _ in outcome.ok:
            release(conn, MOSPI if f.area == MOSPI_AREA else MARKET_SOURCE, [f.relpath])

    return _store(
        context, warehouse, INDIA_MACRO_FILES, rows, outcome.errors,
        attempted=len(files), source=f"india_landing:{folder}", fetched_at=datetime.now(UTC), released=released,
    )
