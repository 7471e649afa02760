"""Load 13F holdings for some report quarters: the SEC's quarterly data set in bulk, filer XML for the rest.

For each report period P (a quarter end) of the run:

1. The data set whose filing window holds P's 45-day deadline (``dataset_label_for_period``), when it
   is published: every filing in it, in one read.
2. Filer XML (cover page + information table) for the filings that data set does not hold: those
   listed in the daily form indexes from P+1 to the end of the following quarter (the originals, and
   amendments made within that time), plus the 13F current-filings feed (fetched once per run).

Every filing is stored under the quarter of its own report period (a late amendment for an earlier
quarter found while scanning P's window lands under that quarter). Filings already loaded are skipped
unless ``refetch``; amendments (RESTATEMENT / NEW HOLDINGS) are applied downstream in dbt, over all
filings of a filer and period, whichever run brought them.

History: the ownership mart's quarter-over-quarter change needs the quarter before the run's first one,
so :func:`thirteenf_step` loads that quarter too when the warehouse holds no original 13F-HR for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import polars as pl
import psycopg

from valuation_platform.pipelines.documents import fetch_all
from valuation_platform.pipelines.ownership import common
from valuation_platform.pipelines.report import merge, quarantine_report
from valuation_platform.sources.errors import FetchError, SourceError, SourceUnavailable
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.sec.calendar import sec_business_days
from valuation_platform.sources.sec.discovery import FilingRef
from valuation_platform.sources.sec.filing_index import FORM13F_TYPES
from valuation_platform.sources.sec.form13f import (
    COVER_SCHEMA,
    HOLDING_SCHEMA,
    Form13FDataset,
    dataset_label_for_period,
    fetch_13f_dataset,
    fetch_13f_filing,
)
from valuation_platform.sources.sec.urls import SOURCE
from valuation_platform.warehouse.quarantine import quarantine
from valuation_platform.warehouse.tables.ownership import THIRTEENF_FILINGS, THIRTEENF_HOLDINGS
from valuation_platform.warehouse.upsert import UpsertResult

ASSET_KEY = "sec_13f_holdings"  # the quarantine names the asset of the holdings
BATCH_ROWS = 200_000  # holdings per warehouse flush (one large manager files 30k+ lines)
LOAD_SOURCE = f"{SOURCE}:13f"
DATASET_SOURCE = "sec-13f-datasets"
TABLES = [THIRTEENF_FILINGS, THIRTEENF_HOLDINGS]  # what the step reads and writes


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(start: date) -> date:
    """The last day of the quarter starting on ``start`` (a partition key's report period)."""
    month = start.month + 3
    return date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1) - timedelta(days=1)


def quarter_label(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def scan_days(report_period: date) -> list[date]:
    """EDGAR days from the day after the quarter end through the end of the following quarter."""
    return sec_business_days(
        report_period + timedelta(days=1), quarter_end(report_period + timedelta(days=1))
    )


@dataclass
class Form13FLoad:
    periods: list[date]
    datasets: dict[str, int] = field(default_factory=dict)  # label -> filings taken from it
    datasets_missing: list[str] = field(default_factory=list)
    discovery: common.Discovery = field(default_factory=common.Discovery)
    discovered_xml: int = 0
    already_loaded: int = 0
    loaded: list[str] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
    results: list[UpsertResult] = field(default_factory=list)

    @property
    def indexes_read(self) -> int:
        return len(self.discovery.indexes_read)

    @property
    def indexes_missing(self) -> int:
        return len(self.discovery.indexes_missing)

    @property
    def holdings_in(self) -> int:
        return sum(r.rows_in for r in self.results if r.table == THIRTEENF_HOLDINGS.qualified)


class _Writer:
    """Upserts covers and holdings, one partition (quarter of the report period) per statement."""

    def __init__(self, conn: psycopg.Connection, load: Form13FLoad) -> None:
        self.conn, self.load = conn, load
        self.covers: list[pl.DataFrame] = []
        self.holdings: list[pl.DataFrame] = []

    def add(self, covers: pl.DataFrame, holdings: pl.DataFrame) -> None:
        self.covers.append(covers)
        self.holdings.append(holdings)
        if sum(f.height for f in self.holdings) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.covers:
            return
        covers = pl.concat(self.covers, how="vertical_relaxed")
        holdings = pl.concat(self.holdings, how="vertical_relaxed")
        self.covers, self.holdings = [], []
        counts = holdings.group_by("accession").len("n_holdings")
        covers = covers.join(counts, on="accession", how="left").with_columns(pl.col("n_holdings").fill_null(0))
        for period in covers.get_column("report_period").unique().sort():
            part_covers = covers.filter(pl.col("report_period") == period)
            accessions = part_covers.get_column("accession").to_list()
            self.load.results += common.write_partition(
                self.conn,
                quarter_start(period).isoformat(),
                source=LOAD_SOURCE,
                lines=(THIRTEENF_HOLDINGS, holdings.filter(pl.col("accession").is_in(accessions))),
                filings=(THIRTEENF_FILINGS, part_covers),
                line_counts=dict(zip(accessions, part_covers.get_column("n_holdings").to_list())),
            )
            self.load.loaded.extend(accessions)


def _cover_frame(covers: pl.DataFrame, origin: str) -> pl.DataFrame:
    columns = [c for c in THIRTEENF_FILINGS.columns if c not in ("origin", "n_holdings")]
    frame = covers.with_columns(pl.lit(origin).alias("origin"))
    missing = [pl.lit(None, dtype=pl.Int64).alias(c) for c in columns if c not in frame.columns]
    return frame.with_columns(missing).select(*columns, "origin")


def _xml_frames(filing: dict[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame]:
    cover = {k: v for k, v in filing["cover"].items() if k in THIRTEENF_FILINGS.columns}
    schema = {**COVER_SCHEMA, "table_entry_total": pl.Int64(), "table_value_total": pl.Int64()}
    covers = pl.DataFrame([cover], schema={k: schema[k] for k in cover})
    holdings = pl.DataFrame(filing["holdings"], schema=HOLDING_SCHEMA)
    return _cover_frame(covers, "xml"), holdings


def _from_datasets(
    conn: psycopg.Connection, client: HttpClient, load: Form13FLoad, writer: _Writer, refetch: bool
) -> set[str]:
    """Load the periods' data sets; returns every accession they hold (loaded now or before)."""
    held: set[str] = set()
    for label in dict.fromkeys(dataset_label_for_period(p) for p in load.periods):
        try:
            data: Form13FDataset = fetch_13f_dataset(client, label)
        except FetchError as exc:
            if exc.status != 404:  # 5xx / timeouts after the client's retries
                raise SourceUnavailable(DATASET_SOURCE, f"13F data set {label}: {exc.reason}", retryable=True) from exc
            load.datasets_missing.append(label)  # not published yet (or not in this mirror)
            continue
        except SourceError as exc:
            load.errors.append(exc)
            continue
        accessions = data.covers.get_column("accession").to_list()
        held.update(accessions)
        skip = set() if refetch else common.loaded_accessions(conn, THIRTEENF_FILINGS, accessions)
        load.already_loaded += len(skip)
        covers = data.covers.filter(~pl.col("accession").is_in(sorted(skip)))
        holdings = data.holdings.filter(pl.col("accession").is_in(covers.get_column("accession").to_list()))
        load.datasets[label] = covers.height
        writer.add(_cover_frame(covers, f"dataset:{label}"), holdings)
    return held


def discover_xml(client: HttpClient, load: Form13FLoad) -> list[FilingRef]:
    """Filer-XML filings: the daily indexes of every period's scan window, plus the 13F feed."""
    days = sorted({day for period in load.periods for day in scan_days(period)})
    load.discovery = common.discover(client, days, FORM13F_TYPES, feed_type="13F-HR", feed_always=True)
    if not load.datasets and (why := load.discovery.unreachable(days)) is not None:
        labels = ", ".join(load.datasets_missing)
        raise SourceUnavailable(common.INDEX_SOURCE, f"13F: no data set ({labels}) published, {why}")
    return load.discovery.refs


def load_13f(
    conn: psycopg.Connection,
    client: HttpClient,
    periods: Sequence[date],
    *,
    refetch: bool = False,
    log: common.Log = lambda _: None,
) -> Form13FLoad:
    """Load the 13F filings of the report ``periods`` (quarter ends); bad documents are quarantined."""
    load = Form13FLoad(periods=sorted(periods))
    writer = _Writer(conn, load)
    in_datasets = _from_datasets(conn, client, load, writer, refetch)
    refs = [ref for ref in discover_xml(client, load) if ref.accession not in in_datasets]
    load.discovered_xml = len(refs)
    if not refetch:
        done = common.loaded_accessions(conn, THIRTEENF_FILINGS, [ref.accession for ref in refs])
        load.already_loaded += len(done)
        refs = [ref for ref in refs if ref.accession not in done]
    log(f"13f: data sets {load.datasets or 'none'}, {len(refs)} filer XML filings to fetch")
    outcome = fetch_all(
        refs,
        lambda ref: fetch_13f_filing(client, ref.archive_cik(), ref.accession, filing_date=ref.filing_date),
        on_result=lambda ref, filing: writer.add(*_xml_frames(filing)),
    )
    writer.flush()
    common.end_read_transaction(conn)
    load.errors.extend(outcome.errors)
    quarantine(conn, load.errors, asset_key=ASSET_KEY)
    common.release_accessions(conn, ASSET_KEY, load.loaded)
    return load


def missing_history(conn: psycopg.Connection, periods: Sequence[date]) -> list[date]:
    """The quarter before the earliest of ``periods``, when the warehouse holds no original 13F-HR for it
    (a late amendment alone does not make a quarter's holdings)."""
    previous = quarter_start(min(periods)) - timedelta(days=1)
    held = conn.execute(
        "select 1 from raw.sec_13f_filings where report_period = %s and not is_amendment limit 1", (previous,)
    ).fetchone()
    return [] if held else [previous]


def thirteenf_step(
    conn: psycopg.Connection, client: HttpClient, run: common.StepRun
) -> dict[str, dict[str, Any]]:
    """The 13F filings of the quarters ``run.partition_keys`` (each its first day), plus the quarter before
    when the warehouse lacks it (for the quarter-over-quarter change); one report per table."""
    periods = [quarter_end(date.fromisoformat(key)) for key in run.partition_keys]
    history = missing_history(conn, periods)
    common.end_read_transaction(conn)
    load = load_13f(conn, client, [*history, *periods], refetch=run.refetch, log=run.log)
    common.log_quarantined(load.errors, run.log)
    shared = merge(
        quarantine_report(load.errors, load.discovered_xml + sum(load.datasets.values())),
        {
            "report_periods": ", ".join(p.isoformat() for p in load.periods),
            "history_periods_loaded": ", ".join(p.isoformat() for p in history) or "(none: already held)",
            "datasets": ", ".join(f"{k}: {v} filings" for k, v in load.datasets.items()) or "(none)",
            "datasets_not_published": ", ".join(load.datasets_missing) or "(none)",
            "daily_indexes_read": load.indexes_read,
            "daily_indexes_missing": load.indexes_missing,
            "current_feed": load.discovery.feed,
            "xml_filings_discovered": load.discovered_xml,
            "filings_already_loaded": load.already_loaded,
            "filings_loaded": len(load.loaded),
            "origin": client.describe(),
        },
    )
    return common.table_reports(
        conn,
        [
            (THIRTEENF_HOLDINGS, "report_period desc, accession, row_number"),
            (THIRTEENF_FILINGS, "report_period desc, accession"),
        ],
        load.results,
        shared,
    )
