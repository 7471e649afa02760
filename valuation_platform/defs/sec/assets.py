"""SEC EDGAR ingestion: tickers -> US universe -> companyfacts per company (dynamic partitions)."""


from datetime import datetime, timezone

import dagster as dg

from valuation_platform.lib.metadata import materialized, merged
import polars as pl

from valuation_platform.pipelines.documents import fetch_all
from valuation_platform.pipelines.report import load_report, merge, quarantine_report, table_report
from valuation_platform.lib.partitions import SEC_COMPANIES
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.sources.errors import FetchError, SourceError
from valuation_platform.sources.sec.companyfacts import fetch_companyfacts
from valuation_platform.sources.sec.submissions import fetch_submissions
from valuation_platform.sources.sec.tickers import fetch_company_tickers
from valuation_platform.sources.sec.urls import SOURCE, TICKERS_URL, companyfacts_document, submissions_document
from valuation_platform.warehouse.quarantine import quarantine, release
from valuation_platform.warehouse.tables.sec import SEC_COMPANY_TICKERS, SEC_COMPANYFACTS, US_UNIVERSE
from valuation_platform.warehouse.upsert import upsert

LISTED_EXCHANGES = {"NYSE", "NASDAQ", "NYSE AMERICAN", "NYSE ARCA", "CBOE", "BATS"}
NETWORK_RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
COMMON = dict(group_name="sec", owners=["team:fundamentals"], kinds={"python", "postgres"})
FLUSH_ROWS = 250_000


@dg.asset(
    description="SEC company_tickers.json: every registrant ticker with its CIK.",
    retry_policy=NETWORK_RETRY,
    **COMMON,
)
def sec_company_tickers(context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource):
    rows = fetch_company_tickers(sources.client)
    with warehouse.connect([SEC_COMPANY_TICKERS]) as conn:
        result = upsert(conn, SEC_COMPANY_TICKERS, rows, source=f"{SOURCE}:{TICKERS_URL}")
        meta = table_report(conn, SEC_COMPANY_TICKERS.qualified, order_by="ticker")
    return materialized(merge(meta, load_report([result]), {"origin": sources.client.describe()}))


@dg.asset(
    deps=[sec_company_tickers],
    description=(
        "The US universe: tickers joined to each company's submissions profile (name, SIC, exchange, "
        "fiscal year end). VP_TICKERS limits it; unset, every ticker with a submissions document in the "
        "mirror, or live every exchange-listed company. Registers one sec_companies partition per ticker."
    ),
    retry_policy=NETWORK_RETRY,
    **COMMON,
)
def us_universe(context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource):
    client = sources.client
    with warehouse.connect([SEC_COMPANY_TICKERS, US_UNIVERSE]) as conn:
        ticker_rows = conn.execute("select ticker, cik from raw.sec_company_tickers order by ticker").fetchall()
        cik_by_ticker = {ticker: cik for ticker, cik in ticker_rows}
        wanted = sources.ticker_filter
        errors: list[SourceError] = [
            SourceError(SOURCE, f"ticker {t}", "ticker not in company_tickers.json (no CIK)", field="ticker")
            for t in wanted
            if t not in cik_by_ticker
        ]
        candidates = [(t, cik_by_ticker[t]) for t in wanted if t in cik_by_ticker] if wanted else list(ticker_rows)

        def profile(item: tuple[str, int]) -> dict | None:
            try:
                return fetch_submissions(client, item[1])
            except FetchError as exc:
                # Unfiltered, a missing submissions document just means "not in this mirror".
                if exc.status == 404 and not wanted:
                    return None
                raise

        outcome = fetch_all(candidates, profile)
        errors += outcome.errors
        rows = []
        for (ticker, cik), prof in outcome.ok:
            if prof is None:
                continue
            exchanges = [e.upper() for e in prof["exchanges"]]
            if client.mode == "live" and not wanted and not LISTED_EXCHANGES.intersection(exchanges):
                continue
            rows.append(
                {
                    "ticker": ticker,
                    "cik": cik,
                    "name": prof["name"],
                    "exchange": prof["exchanges"][0] if prof["exchanges"] else None,
                    "sic": prof["sic"],
                    "sic_description": prof["sic_description"],
                    "fiscal_year_end": prof["fiscal_year_end"],
                    "entity_type": prof["entity_type"],
                    "category": prof["category"],
                    "state_of_incorporation": prof["state_of_incorporation"],
                    "latest_10k_filed": prof["latest_10k_filed"],
                    "is_primary_ticker": not prof["tickers"] or prof["tickers"][0] == ticker,
                }
            )
        result = upsert(conn, US_UNIVERSE, rows, source=f"{SOURCE}:submissions")
        # The universe is a snapshot: companies that left it (or a narrower VP_TICKERS) are removed.
        with conn.transaction():
            conn.execute("delete from raw.us_universe where not (ticker = any(%s))", ([r["ticker"] for r in rows],))
        quarantine(conn, errors, asset_key="us_universe")
        release(conn, SOURCE, [submissions_document(r["cik"]) for r in rows])
        meta = table_report(conn, US_UNIVERSE.qualified, order_by="ticker")

    keys = sorted(r["ticker"] for r in rows)
    existing = set(context.instance.get_dynamic_partitions(SEC_COMPANIES.name))
    new_keys = [k for k in keys if k not in existing]
    if new_keys:
        context.instance.add_dynamic_partitions(SEC_COMPANIES.name, new_keys)
    for error in errors:
        context.log.warning(f"quarantined: {error}")
    return dg.MaterializeResult(
        metadata=merged(
            meta,
            load_report([result]),
            quarantine_report(errors, len(candidates)),
            {"new_partitions": len(new_keys), "ticker_filter": ",".join(wanted) or "(none)"},
        )
    )


@dg.asset(
    deps=[us_universe],
    partitions_def=SEC_COMPANIES,
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=NETWORK_RETRY,
    description=(
        "XBRL companyfacts per company, long form with point-in-time fields (period start/end, fy, fp, "
        "form, filed, accession). A full refresh is one run; any company re-runs alone. Bad documents are "
        "quarantined in raw.quarantine and listed in this metadata; the rest still land."
    ),
    **COMMON,
)
def sec_companyfacts(context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource):
    tickers = context.partition_keys
    client = sources.client
    fetched_at = datetime.now(timezone.utc)
    loaded: list[str] = []
    results = []
    with warehouse.connect([US_UNIVERSE, SEC_COMPANYFACTS]) as conn:
        cik_by_ticker = dict(
            conn.execute("select ticker, cik from raw.us_universe where ticker = any(%s)", (list(tickers),)).fetchall()
        )
        missing = [t for t in tickers if t not in cik_by_ticker]
        pending: list[pl.DataFrame] = []

        def flush() -> None:
            if pending:
                frame = pl.concat(pending, how="vertical")
                pending.clear()
                results.append(
                    upsert(conn, SEC_COMPANYFACTS, frame, source=f"{SOURCE}:companyfacts", fetched_at=fetched_at,
                           partition_key=None)
                )

        def keep(ticker: str, frame: pl.DataFrame) -> None:
            pending.append(frame.with_columns(pl.lit(ticker).alias("_partition_key")))
            loaded.append(ticker)
            if sum(f.height for f in pending) >= FLUSH_ROWS:
                flush()

        outcome = fetch_all(
            [t for t in tickers if t in cik_by_ticker],
            lambda t: fetch_companyfacts(client, cik_by_ticker[t]),
            on_result=keep,
        )
        flush()
        errors = outcome.errors + [
            SourceError(SOURCE, f"ticker {t}", "not in raw.us_universe; materialize us_universe first", field="ticker")
            for t in missing
        ]
        quarantine(conn, errors, asset_key="sec_companyfacts")
        release(conn, SOURCE, [companyfacts_document(cik_by_ticker[t]) for t in loaded])
        rows_now = conn.execute(
            "select count(*) from raw.sec_companyfacts where cik = any(%s)", ([cik_by_ticker[t] for t in loaded],)
        ).fetchone()[0]
    for error in errors:
        context.log.warning(f"quarantined: {error}")
    return dg.MaterializeResult(
        metadata=merged(
            {
                "companies_loaded": len(loaded),
                "dagster/row_count": int(rows_now),
                "facts_in": sum(r.rows_in for r in results),
                "facts_inserted": sum(r.inserted for r in results),
                "facts_updated": sum(r.updated for r in results),
                "facts_unchanged": sum(r.unchanged for r in results),
            },
            quarantine_report(errors, len(tickers)),
        )
    )
