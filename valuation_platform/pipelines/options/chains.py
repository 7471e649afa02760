"""What the options assets share: markets, the chain documents to fetch, and the snapshot-to-partition rule.

The rule (the live chain APIs only ever serve the CURRENT snapshot):

* A snapshot belongs to the ``OPTIONS_DAILY`` partition of its OWN timestamp: its date in the market's
  time zone (Asia/Kolkata for NSE, America/New_York for the US), a weekend date rolling back to Friday.
  Rows land only when that partition is one of the run's partitions; otherwise they are reported as
  skipped. So a holiday run, or a mirror recorded on another day, never files data under the wrong day.
* Live, the chains are fetched only when the run includes the market's current partition: fetching for
  a past partition could only return today's data. On a mirror they are always read, and the rule
  above decides where (if anywhere) each snapshot lands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import polars as pl
import psycopg
from psycopg import sql

from valuation_platform.analytics.options.chain_metrics import NSE_EXPIRY_TIME, NSE_TZ, US_EXPIRY_TIME, US_TZ
from valuation_platform.generator.options import DEFAULT_US_TICKERS
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.nse import option_chain as nse
from valuation_platform.sources.polygon import options_snapshot as polygon
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.upsert import UpsertResult, upsert

Market = Literal["nse", "us"]

# The generator's default chains, so the sample mirror and the defaults agree; live runs set their own.
DEFAULT_NSE_INDICES: tuple[str, ...] = ("NIFTY", "BANKNIFTY")
DEFAULT_NSE_EQUITIES: tuple[str, ...] = ("RELIANCE",)
DEFAULT_US_TICKERS_LIST: tuple[str, ...] = DEFAULT_US_TICKERS

# Defaults of the pricing inputs (continuous rates), overridable per run:
# NSE: ~6.5 %, between the 91-day T-bill and the 10-year G-sec yields of 2025-26.
# US: ~4.5 %, the 3-month T-bill. Dividend yields: index/stock trailing yields (NIFTY 50 ~1.2 %,
# BANK NIFTY ~0.8 %, FIN NIFTY ~0.9 %, RELIANCE ~0.3 %); anything unlisted uses 0.
DEFAULT_RATES: dict[str, float] = {"nse": 0.065, "us": 0.045}
DEFAULT_DIVIDEND_YIELDS: dict[str, float] = {
    "NIFTY": 0.012,
    "BANKNIFTY": 0.008,
    "FINNIFTY": 0.009,
    "RELIANCE": 0.003,
}


@dataclass(frozen=True)
class MarketSpec:
    tz: str
    expiry_time: time
    source: str


MARKETS: dict[str, MarketSpec] = {
    "nse": MarketSpec(NSE_TZ, NSE_EXPIRY_TIME, nse.SOURCE),
    "us": MarketSpec(US_TZ, US_EXPIRY_TIME, polygon.SOURCE),
}


# -- the snapshot-to-partition rule --------------------------------------------------------------


def trading_date(ts: datetime, market: str) -> date:
    """The snapshot's date in its market's time zone."""
    return ts.astimezone(ZoneInfo(MARKETS[market].tz)).date()


def partition_of_day(day: date) -> str:
    """The weekday partition a date falls in (Saturday and Sunday belong to Friday's window)."""
    return (day - timedelta(days=max(day.weekday() - 4, 0))).isoformat()


def partition_for(ts: datetime, market: str) -> str:
    return partition_of_day(trading_date(ts, market))


def should_fetch(client_mode: str, run_keys: Sequence[str], market: str, now: datetime | None = None) -> bool:
    """Live: only when the run includes the market's current partition. Mirrors: always."""
    if client_mode != "live":
        return True
    return partition_for(now or datetime.now(timezone.utc), market) in set(run_keys)


# -- what to fetch -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainTarget:
    market: Market
    symbol: str
    kind: Literal["indices", "equities"] | None = None  # NSE endpoints only

    @property
    def source(self) -> str:
        return MARKETS[self.market].source

    @property
    def label(self) -> str:
        return f"{self.market}:{self.symbol}"

    def fetch(self, client: HttpClient, polygon_api_key: str | None) -> list[dict[str, Any]]:
        if self.market == "nse":
            return nse.fetch_nse_chain(client, self.symbol, self.kind or "indices")
        return polygon.fetch_polygon_chain(client, self.symbol, polygon_api_key or "")

    @property
    def document(self) -> str:
        """The name the parser files this chain's (first) document under."""
        if self.market == "nse":
            return f"{nse.option_chain_url(self.kind or 'indices')}?symbol={self.symbol}"
        return f"{polygon.snapshot_url(self.symbol)}?limit={polygon.PAGE_LIMIT}"

    def document_pattern(self) -> str:
        """A LIKE pattern matching every document name this chain's errors are filed under."""
        if self.market == "nse":
            return f"%/api/{nse.ENDPOINTS[self.kind or 'indices']}?symbol={self.symbol}"
        return f"%{polygon.HOST}/v3/snapshot/options/{self.symbol.upper()}?%"


def chain_targets(
    markets: Iterable[str], nse_indices: Iterable[str], nse_equities: Iterable[str], us_tickers: Iterable[str]
) -> list[ChainTarget]:
    wanted = set(markets)
    unknown = wanted - set(MARKETS)
    if unknown:
        raise ValueError(f"unknown markets {sorted(unknown)}; use {sorted(MARKETS)}")
    targets: list[ChainTarget] = []
    if "nse" in wanted:
        targets += [ChainTarget("nse", s.upper(), "indices") for s in nse_indices]
        targets += [ChainTarget("nse", s.upper(), "equities") for s in nse_equities]
    if "us" in wanted:
        targets += [ChainTarget("us", t.upper()) for t in us_tickers]
    return targets


def release_chain(conn: psycopg.Connection, target: ChainTarget, asset_key: str) -> int:
    """Forget quarantine entries of a chain that has now loaded (its pages may have several names)."""
    with conn.transaction():
        cur = conn.execute(
            "delete from raw.quarantine where asset_key = %s and source = %s and document like %s",
            (asset_key, target.source, target.document_pattern()),
        )
    return cur.rowcount


# -- reading and pruning warehouse rows ------------------------------------------------------------


def read_frame(
    conn: psycopg.Connection, query: str | sql.Composable, params: Sequence[Any] = ()
) -> pd.DataFrame:
    """A query's rows as a pandas frame (timestamptz columns tz-aware UTC)."""
    cur = conn.execute(query, params)
    columns = [d.name for d in cur.description or []]
    frame = pd.DataFrame.from_records(cur.fetchall(), columns=columns)
    for name in columns:
        if frame[name].dtype == object and len(frame) and isinstance(frame[name].iloc[0], datetime):
            frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


def prune_partitions(
    conn: psycopg.Connection,
    spec: TableSpec,
    keep: Iterable[tuple[Any, ...]],
    partition_keys: Sequence[str],
) -> int:
    """Delete rows of ``partition_keys`` whose key is not in ``keep``: what a re-run no longer produces."""
    key_ids = sql.SQL(", ").join(map(sql.Identifier, spec.key))
    existing = conn.execute(
        sql.SQL("select {} from {} where _partition_key = any(%s)").format(key_ids, spec.identifier),
        (list(partition_keys),),
    ).fetchall()
    wanted = {_normalize_key(tuple(k)) for k in keep}
    stale = [row for row in existing if _normalize_key(tuple(row)) not in wanted]
    if not stale:
        return 0
    where = sql.SQL(" and ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in spec.key)
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(sql.SQL("delete from {} where {}").format(spec.identifier, where), stale)
    return len(stale)


def _key_value(value: Any) -> Any:
    if isinstance(value, (datetime, pd.Timestamp)):
        return pd.Timestamp(value).tz_convert("UTC").to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _normalize_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_key_value(v) for v in key)


# pandas has no pyarrow here, and the rows carry python dates and pandas timestamps: typed polars
# columns are built from each TableSpec's Postgres types instead.
_POLARS_TYPES: dict[str, pl.DataType] = {
    "text": pl.Utf8(),
    "jsonb": pl.Utf8(),
    "date": pl.Date(),
    "timestamptz": pl.Datetime("us", "UTC"),
    "double precision": pl.Float64(),
    "bigint": pl.Int64(),
    "integer": pl.Int32(),
    "boolean": pl.Boolean(),
}


def _polars_type(pg_type: str) -> pl.DataType:
    return _POLARS_TYPES[pg_type.replace(" not null", "")]


def _clean(value: Any, dtype: pl.DataType) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if dtype.is_integer():
        return int(value)
    if isinstance(dtype, pl.Datetime):
        return pd.Timestamp(value).tz_convert("UTC").to_pydatetime()
    if isinstance(dtype, pl.Date) and isinstance(value, (datetime, pd.Timestamp)):
        return value.date()
    return value


def spec_frame(data: pd.DataFrame | Sequence[dict[str, Any]], spec: TableSpec) -> pl.DataFrame:
    """``data``'s columns of ``spec`` (and a per-row ``_partition_key`` if present), typed polars."""
    records = data if isinstance(data, pd.DataFrame) else pd.DataFrame.from_records(list(data))
    columns = {**spec.columns, "_partition_key": "text"}
    if records.empty:
        return pl.DataFrame(schema={c: _polars_type(t) for c, t in spec.columns.items()})
    series = []
    for name, pg_type in columns.items():
        if name not in records.columns:
            if name == "_partition_key":
                continue
            raise ValueError(f"{spec.qualified}: computed rows lack column {name!r}")
        dtype = _polars_type(pg_type)
        series.append(pl.Series(name, [_clean(v, dtype) for v in records[name].tolist()], dtype=dtype))
    return pl.DataFrame(series)


def total(results: Sequence[UpsertResult], table: str) -> UpsertResult:
    """One load summary for a run that wrote partition by partition."""
    return UpsertResult(
        table,
        sum(r.rows_in for r in results),
        sum(r.inserted for r in results),
        sum(r.updated for r in results),
    )


def write_partition(
    conn: psycopg.Connection, spec: TableSpec, frame: pl.DataFrame, partition_key: str, *, source: str
) -> tuple[UpsertResult, int]:
    """Upsert one partition's computed rows, then delete what that partition no longer produces."""
    result = upsert(conn, spec, frame, source=source, partition_key=partition_key)
    pruned = prune_partitions(conn, spec, frame.select(spec.key).rows(), [partition_key])
    return result, pruned
