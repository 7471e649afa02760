"""Loading steps: positions, targets and tags from the landing folder; DGS10 from FRED."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import psycopg

from valuation_platform.analytics.portfolio.factors import BENCHMARK_TICKERS
from valuation_platform.pipelines.portfolio.landing import (
    EXPORTS, POSITIONS, SOURCE, TAGS, TARGETS, Parsed, area_files, parse_positions, parse_simple,
)
from valuation_platform.pipelines.portfolio.reports import Reports, reports_by_table
from valuation_platform.pipelines.report import load_report, merge, quarantine_report, table_report
from valuation_platform.sources.errors import FetchError, SourceUnavailable
from valuation_platform.sources.fred.series import SOURCE as FRED, fetch_series
from valuation_platform.sources.http import HttpClient
from valuation_platform.warehouse.quarantine import quarantine, release
from valuation_platform.warehouse.tables.portfolio import (
    FRED_OBSERVATIONS, PORTFOLIO_POSITIONS, PORTFOLIO_TAGS, PORTFOLIO_TARGET_PRICES,
)
from valuation_platform.warehouse.upsert import upsert

RATE_SERIES = "DGS10"  # 10-year Treasury constant-maturity yield, percent


def _known_tickers(conn: psycopg.Connection) -> set[str]:
    with conn.transaction():
        rows = conn.execute("select ticker from raw.us_universe").fetchall()
    return {t for (t,) in rows} | set(BENCHMARK_TICKERS)


def _settle(conn: psycopg.Connection, parsed: Parsed, documents: list[str], asset_key: str) -> dict[str, Any]:
    """Quarantine the bad rows; forget earlier entries of rows of these files that are no longer bad."""
    bad = {e.document for e in parsed.rejected}
    with conn.transaction():
        earlier = [d for (d,) in conn.execute(
            "select document from raw.quarantine where source = %s and asset_key = %s", (SOURCE, asset_key)
        ).fetchall() if d.split("#", 1)[0] in documents and d not in bad]
    release(conn, SOURCE, earlier)
    quarantine(conn, parsed.rejected, asset_key=asset_key, excerpts=parsed.excerpts)
    return quarantine_report(parsed.rejected, attempted=len(parsed.rows) + len(parsed.rejected))


def load_positions(conn: psycopg.Connection, folder: Path) -> dict[str, Any]:
    """Every positions file in the landing folder. A portfolio's latest file is its book: positions it no
    longer lists are removed, so a re-run (or the same file again) leaves the same rows."""
    files = area_files(folder, POSITIONS)
    known = _known_tickers(conn)
    parsed = Parsed()
    for path in files:
        one = parse_positions(path.read_bytes(), f"{POSITIONS}/{path.name}", known)
        parsed.rows += one.rows
        parsed.rejected += one.rejected
        parsed.excerpts |= one.excerpts
    books: dict[str, set[str]] = {}
    for row in parsed.rows:
        books.setdefault(row["portfolio_id"], set()).add(row["position_id"])
    with conn.transaction():
        for portfolio, ids in books.items():
            conn.execute("delete from raw.portfolio_positions where portfolio_id = %s and not (position_id = any(%s))",
                         (portfolio, sorted(ids)))
    result = upsert(conn, PORTFOLIO_POSITIONS, parsed.rows, source=SOURCE)
    documents = [f"{POSITIONS}/{p.name}" for p in files]
    return merge(
        table_report(conn, PORTFOLIO_POSITIONS.qualified, order_by="portfolio_id, position_id"),
        load_report([result]),
        _settle(conn, parsed, documents, "portfolio_positions"),
        {"files": len(files), "portfolios": len(books), "landing": str(folder)},
    )


def _write_csv(path: Path, header: list[str], rows: list[tuple]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    path.write_text(buffer.getvalue())


def export_targets_and_tags(conn: psycopg.Connection, folder: Path) -> dict[str, int]:
    """Write the stored targets (with the latest close and the upside to target) and tags back as CSV
    under ``<landing>/exports``, in the layout they are imported from (plus the computed columns)."""
    with conn.transaction():
        targets = conn.execute(
            "select t.portfolio_id, t.ticker, t.target_price, t.stop_price, t.set_on, b.close,"
            " case when b.close > 0 then t.target_price / b.close - 1 end"
            " from raw.portfolio_target_prices t left join lateral (select close from raw.polygon_daily_bars p"
            " where p.ticker = t.ticker order by trade_date desc limit 1) b on true"
            " order by t.portfolio_id, t.ticker").fetchall()
        tags = conn.execute("select portfolio_id, ticker, tag from raw.portfolio_tags order by 1, 2, 3").fetchall()
    _write_csv(folder / EXPORTS / "target_prices.csv",
               ["portfolio_id", "ticker", "target_price", "stop_price", "set_on", "last_close", "upside"], targets)
    _write_csv(folder / EXPORTS / "tags.csv", ["portfolio_id", "ticker", "tag"], tags)
    return {"exported_targets": len(targets), "exported_tags": len(tags)}


def load_targets_and_tags(conn: psycopg.Connection, folder: Path) -> Reports:
    """Target/stop prices and tags from the landing folder, then both exported back (``exports/``); one
    report per table (quarantine and export figures on the target prices')."""
    parsed_targets, parsed_tags, documents = Parsed(), Parsed(), []
    for area, parsed, parse in (
        (TARGETS, parsed_targets, lambda b, d: parse_simple(
            b, d, ("portfolio_id", "ticker", "target_price", "stop_price", "set_on"),
            numeric=("target_price", "stop_price"), dates=("set_on",))),
        (TAGS, parsed_tags, lambda b, d: parse_simple(b, d, ("portfolio_id", "ticker", "tag"))),
    ):
        for path in area_files(folder, area):
            document = f"{area}/{path.name}"
            documents.append(document)
            one = parse(path.read_bytes(), document)
            parsed.rows += one.rows
            parsed.rejected += one.rejected
            parsed.excerpts |= one.excerpts
    results = [upsert(conn, PORTFOLIO_TARGET_PRICES, parsed_targets.rows, source=SOURCE),
               upsert(conn, PORTFOLIO_TAGS, [r for r in parsed_tags.rows if r.get("tag")], source=SOURCE)]
    both = Parsed(parsed_targets.rows + parsed_tags.rows, parsed_targets.rejected + parsed_tags.rejected,
                  parsed_targets.excerpts | parsed_tags.excerpts)
    reports = reports_by_table(conn, [PORTFOLIO_TARGET_PRICES, PORTFOLIO_TAGS], results, order_by="portfolio_id, ticker")
    reports[PORTFOLIO_TARGET_PRICES.name] |= merge(_settle(conn, both, documents, PORTFOLIO_TARGET_PRICES.name),
                                                   export_targets_and_tags(conn, folder))
    return reports


def load_rates(conn: psycopg.Connection, client: HttpClient) -> dict[str, Any]:
    """The whole DGS10 history (one small CSV); a source without it fails this asset alone."""
    try:
        rows = fetch_series(client, RATE_SERIES)
    except FetchError as exc:
        raise SourceUnavailable(FRED, f"{RATE_SERIES}: {exc.reason}", retryable=client.mode == "live") from exc
    result = upsert(conn, FRED_OBSERVATIONS, rows, source=FRED)
    return merge(
        table_report(conn, FRED_OBSERVATIONS.qualified, order_by="obs_date desc"),
        load_report([result]),
        {"series": RATE_SERIES, "first": rows[0]["obs_date"].isoformat() if rows else "none",
         "last": rows[-1]["obs_date"].isoformat() if rows else "none", "origin": client.describe()},
    )
