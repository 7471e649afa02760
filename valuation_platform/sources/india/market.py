"""India market indicators: 10y G-sec yield, USD/INR, RBI repo rate, PMI, FII/DII flows, balance of trade.

These have no keyless public API; they arrive as CSV exports (Investing.com history downloads, RBI/NSDL/
S&P Global tables keyed in by the data team) published to a file share or dropped in the landing folder.
Two layouts, one entry point (:func:`parse_market_csv`), rows in the long macro shape of
:mod:`valuation_platform.sources.mospi.series` (``sector`` is None):

* **Investing.com history export** (UTF-8 BOM, quoted, newest first)::

      "Date","Price","Open","High","Low","Change %"
      "Sep 20, 2019","6.782","6.587","6.874","6.552","2.23%"

  FX exports add a ``"Vol."`` column. ``value`` is the ``Price`` (close); the date is kept (daily,
  ``frequency='D'``). The file does not say which instrument it is, so the caller names the series
  (:data:`MARKET_FEEDS` does for the catalogued files). ``released_at`` defaults to 12:00 UTC of the
  trading date (17:30 IST, after the NSE/CCIL close) unless the caller passes one.
* **Long indicator CSV** (one file per publisher, any number of series)::

      source,series_id,series_name,geography,frequency,ref_period,value,unit,released_at
      RBI,rbi_repo_rate,RBI policy repo rate,India,E,2023-02-08,6.50,percent,2023-02-08T04:30:00Z
      S&P Global,pmi_manufacturing,HSBC India Mfg PMI,India,M,2024-01-01,56.5,index,2024-02-01T05:00:00Z
      NSDL,fii_net_flows,FPI net investment in equity,India,M,2024-01-01,-25744,Rs crore,2024-02-01T12:00:00Z

  ``frequency`` is D (daily), M (monthly, ref_period = first of month) or E (event: a policy decision,
  ref_period = effective date). ``released_at`` may be blank when the caller passes one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.mospi.series import (
    decode_text,
    macro_row,
    parse_value,
    read_csv_records,
    require,
    resolve_released_at,
    slug,
)

SOURCE = "india_market"
INVESTING = "Investing.com"
INDIA = "India"
FREQUENCIES = frozenset({"D", "M", "Q", "E"})
LONG_COLUMNS = ("source", "series_id", "series_name", "geography", "frequency", "ref_period", "value", "unit")
# Where the data team publishes the exports has no public default: a deployment names its share with
# VP_INDIA_MARKET_BASE_URL (a mirror serves it at <root>/<host>/<path>); without one the files arrive
# through the India landing folder's market/ area.
_CLOSE_UTC = time(12, 0)


@dataclass(frozen=True)
class MarketFeed:
    """One published file: its name under the base URL, its layout, and (Investing.com) what it is."""

    file_name: str
    layout: str  # "investing" | "long"
    series_id: str | None = None
    series_name: str | None = None
    unit: str | None = None


MARKET_FEEDS: dict[str, MarketFeed] = {
    "gsec_10y": MarketFeed(
        "india_10y_gsec_yield_daily.csv",
        "investing",
        "in_10y_gsec_yield",
        "India 10-year G-sec yield",
        "percent",
    ),
    "usd_inr": MarketFeed("usd_inr_daily.csv", "investing", "usd_inr", "USD/INR", "INR per USD"),
    "repo_rate": MarketFeed("rbi_repo_rate.csv", "long"),
    "pmi": MarketFeed("india_pmi_monthly.csv", "long"),
    "fii_dii_flows": MarketFeed("fii_dii_flows_monthly.csv", "long"),
    "balance_of_trade": MarketFeed("india_balance_of_trade_monthly.csv", "long"),
}


def market_feed_url(feed: str, base_url: str) -> str:
    if feed not in MARKET_FEEDS:
        raise ValueError(f"unknown market feed {feed!r}; expected one of {sorted(MARKET_FEEDS)}")
    return f"{base_url.rstrip('/')}/{MARKET_FEEDS[feed].file_name}"


def _investing_date(raw: str, *, document: str, field: str) -> date:
    text = raw.strip()
    for fmt in ("%b %d, %Y", "%m/%d/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise SourceError(SOURCE, document, f"not a date: {raw!r}", field=field)


def parse_investing_history(
    payload: bytes,
    *,
    document: str,
    series_id: str,
    series_name: str,
    unit: str,
    released_at: datetime | date | None = None,
    source: str = INVESTING,
    geography: str = INDIA,
) -> list[dict[str, Any]]:
    """Daily rows from an Investing.com history export, oldest first; ``value`` is the close."""
    text = decode_text(payload, source=SOURCE, document=document)
    reader = csv.reader(io.StringIO(text))
    header = [slug(h) for h in next(reader, [])]
    if "date" not in header or "price" not in header:
        raise SourceError(SOURCE, document, f"not an Investing.com export (header {header})", field="Date")
    at_date, at_price = header.index("date"), header.index("price")
    rows: list[dict[str, Any]] = []
    seen: set[date] = set()
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) <= max(at_date, at_price):
            raise SourceError(SOURCE, document, f"line {line_no} is short", field=f"line {line_no}")
        day = _investing_date(cells[at_date], document=document, field=f"line {line_no} Date")
        if day in seen:
            raise SourceError(SOURCE, document, f"date {day} appears twice", field=f"line {line_no} Date")
        seen.add(day)
        value = parse_value(cells[at_price], source=SOURCE, document=document, field=f"line {line_no} Price")
        released = released_at if released_at is not None else datetime.combine(day, _CLOSE_UTC, tzinfo=UTC)
        rows.append(
            macro_row(
                source=source,
                series_id=series_id,
                series_name=series_name,
                geography=geography,
                frequency="D",
                ref_period=day,
                value=value,
                unit=unit,
                released_at=resolve_released_at({}, released, source=SOURCE, document=document),
            )
        )
    rows.sort(key=lambda r: r["ref_period"])
    return rows


def parse_market_long(
    payload: bytes, *, document: str, released_at: datetime | date | None = None
) -> list[dict[str, Any]]:
    """Rows of the long indicator layout (see the module docstring)."""
    text = decode_text(payload, source=SOURCE, document=document)
    records = read_csv_records(text, source=SOURCE, document=document)
    if records:
        missing = [c for c in LONG_COLUMNS if c not in records[0]]
        if missing:
            raise SourceError(SOURCE, document, f"missing columns {missing}", field=missing[0])
    rows: list[dict[str, Any]] = []
    for n, record in enumerate(records, start=2):
        where = f"line {n}"
        frequency = str(require(record, "frequency", source=SOURCE, document=document)).upper()
        if frequency not in FREQUENCIES:
            raise SourceError(
                SOURCE,
                document,
                f"frequency {frequency!r} not in {sorted(FREQUENCIES)}",
                field=f"{where} frequency",
            )
        try:
            period = date.fromisoformat(str(require(record, "ref_period", source=SOURCE, document=document)))
        except ValueError as exc:
            raise SourceError(
                SOURCE, document, f"not an ISO date: {record['ref_period']!r}", field=f"{where} ref_period"
            ) from exc
        if frequency in ("M", "Q") and period.day != 1:
            raise SourceError(
                SOURCE,
                document,
                f"{frequency} period must start on day 1: {period}",
                field=f"{where} ref_period",
            )
        rows.append(
            macro_row(
                source=str(require(record, "source", source=SOURCE, document=document)),
                series_id=str(require(record, "series_id", source=SOURCE, document=document)),
                series_name=str(require(record, "series_name", source=SOURCE, document=document)),
                geography=str(record.get("geography") or INDIA),
                frequency=frequency,
                ref_period=period,
                value=parse_value(
                    record.get("value"), source=SOURCE, document=document, field=f"{where} value"
                ),
                unit=str(require(record, "unit", source=SOURCE, document=document)),
                released_at=resolve_released_at(record, released_at, source=SOURCE, document=document),
            )
        )
    return rows


def parse_market_csv(
    payload: bytes,
    *,
    document: str,
    feed: str | None = None,
    released_at: datetime | date | None = None,
) -> list[dict[str, Any]]:
    """Either layout, told apart by the header; an Investing.com export needs ``feed`` to name it."""
    text = decode_text(payload, source=SOURCE, document=document)
    header = [slug(h) for h in next(csv.reader(io.StringIO(text)), [])]
    if "series_id" in header:
        return parse_market_long(payload, document=document, released_at=released_at)
    if "price" in header:
        spec = MARKET_FEEDS.get(feed or "")
        if spec is None or spec.layout != "investing":
            raise SourceError(
                SOURCE, document, "an Investing.com export needs feed= naming the instrument", field="Price"
            )
        return parse_investing_history(
            payload,
            document=document,
            series_id=spec.series_id or "",
            series_name=spec.series_name or "",
            unit=spec.unit or "",
            released_at=released_at,
        )
    raise SourceError(SOURCE, document, f"unknown market CSV layout (header {header})")


def fetch_market_feed(
    client: HttpClient,
    feed: str,
    *,
    base_url: str,
    released_at: datetime | date | None = None,
) -> list[dict[str, Any]]:
    """Fetch one catalogued feed (see :data:`MARKET_FEEDS`) and parse it."""
    url = market_feed_url(feed, base_url)
    body = client.get_bytes(url, source=SOURCE)
    return parse_market_csv(body, document=url, feed=feed, released_at=released_at)
