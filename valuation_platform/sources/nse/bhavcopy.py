"""NSE equity bhavcopy (the day's closing prices), in both layouts, chosen by trade date.

* Legacy ``cm{DD}{MON}{YYYY}bhav.csv`` (until 2024-07-05): ``SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,
  PREVCLOSE,TOTTRDQTY,TOTTRDVAL,TIMESTAMP,TOTALTRADES,ISIN,`` (trailing comma), TIMESTAMP ``01-DEC-2017``.
  Parsed and tested on a real file (shared fixtures nse/bhavcopy_cm01DEC2017bhav.csv).
* UDiFF ``BhavCopy_NSE_CM_0_0_0_{YYYYMMDD}_F_0000.csv`` (from 2024-07-08): ``TradDt,BizDt,Sgmt,Src,
  FinInstrmTp,FinInstrmId,ISIN,TckrSymb,SctySrs,XpryDt,FininstrmActlXpryDt,StrkPric,OptnTp,FinInstrmNm,
  OpnPric,HghPric,LwPric,ClsPric,LastPric,PrvsClsgPric,UndrlygPric,SttlmPric,OpnIntrst,ChngInOpnIntrst,
  TtlTradgVol,TtlTrfVal,TtlNbOfTxsExctd,SsnId,NewBrdLotQty,Rmks,Rsvd1..4``, TradDt ISO. No real capture
  is available here: this follows NSE's published UDiFF common bhavcopy layout (the test writes a sample).

Rows are normalised to: trade_date, nse_symbol, series, isin, open, high, low, close, last, prev_close,
volume (shares), turnover (Rs), trades. A row that cannot be read is reported as a :class:`SourceError`
naming its line; the rest load. The layout is detected from the header, and checked against the one
the trade date implies when the caller knows the date.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from valuation_platform.sources.errors import SourceError

SOURCE = "nse-bhavcopy"
LEGACY, UDIFF = "legacy", "udiff"
UDIFF_FROM = date(2024, 7, 8)
ARCHIVE = "https://nsearchives.nseindia.com"
# Normalised column -> (legacy header, UDiFF header)
COLUMNS = {
    "nse_symbol": ("SYMBOL", "TckrSymb"), "series": ("SERIES", "SctySrs"), "isin": ("ISIN", "ISIN"),
    "open": ("OPEN", "OpnPric"), "high": ("HIGH", "HghPric"), "low": ("LOW", "LwPric"),
    "close": ("CLOSE", "ClsPric"), "last": ("LAST", "LastPric"), "prev_close": ("PREVCLOSE", "PrvsClsgPric"),
    "volume": ("TOTTRDQTY", "TtlTradgVol"), "turnover": ("TOTTRDVAL", "TtlTrfVal"),
    "trades": ("TOTALTRADES", "TtlNbOfTxsExctd"), "trade_date": ("TIMESTAMP", "TradDt"),
}
NUMERIC = ("open", "high", "low", "close", "last", "prev_close", "volume", "turnover", "trades")


@dataclass
class Bhavcopy:
    layout: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)


def layout_for(day: date) -> str:
    return UDIFF if day >= UDIFF_FROM else LEGACY


def file_name(day: date) -> str:
    if layout_for(day) == UDIFF:
        return f"BhavCopy_NSE_CM_0_0_0_{day:%Y%m%d}_F_0000.csv"
    return f"cm{day:%d}{day:%b}{day:%Y}bhav.csv".replace(f"{day:%b}", f"{day:%b}".upper())


def archive_url(day: date) -> str:
    """Where NSE publishes the day's zipped bhavcopy."""
    if layout_for(day) == UDIFF:
        return f"{ARCHIVE}/content/cm/{file_name(day)}.zip"
    return f"{ARCHIVE}/content/historical/EQUITIES/{day:%Y}/{f'{day:%b}'.upper()}/{file_name(day)}.zip"


def _date(text: str, layout: str) -> date:
    text = text.strip()
    return (datetime.strptime(text, "%Y-%m-%d") if layout == UDIFF else datetime.strptime(text.title(), "%d-%b-%Y")).date()


def parse_bhavcopy(payload: bytes, *, document: str, expected: date | None = None) -> Bhavcopy:
    """Every row of a bhavcopy CSV; raises :class:`SourceError` when the header is neither layout or does
    not match the layout ``expected`` (the trade date the file was fetched for) implies."""
    reader = csv.reader(io.StringIO(payload.decode("utf-8-sig", errors="replace")))
    header = [h.strip() for h in next(reader, [])]
    layout = LEGACY if "SYMBOL" in header else UDIFF if "TckrSymb" in header else None
    if layout is None:
        raise SourceError(SOURCE, document, f"not a bhavcopy: header {header[:4]}", field="header")
    if expected is not None and layout != layout_for(expected):
        raise SourceError(SOURCE, document, f"{layout} layout for {expected}, which NSE publishes in the "
                          f"{layout_for(expected)} layout", field="header")
    which = 0 if layout == LEGACY else 1
    try:
        index = {name: header.index(cols[which]) for name, cols in COLUMNS.items()}
    except ValueError as error:
        raise SourceError(SOURCE, document, f"missing column: {error}", field="header") from error
    out = Bhavcopy(layout)
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            record: dict[str, Any] = {"nse_symbol": row[index["nse_symbol"]].strip(),
                                      "series": row[index["series"]].strip(), "isin": row[index["isin"]].strip(),
                                      "trade_date": _date(row[index["trade_date"]], layout)}
            for name in NUMERIC:
                cell = row[index[name]].strip()
                record[name] = float(cell) if cell else None
            if not record["nse_symbol"] or record["close"] is None:
                raise ValueError("no symbol or no close")
        except (ValueError, IndexError) as error:
            out.errors.append(SourceError(SOURCE, document, f"line {line}: {error}", field=f"line {line}"))
            continue
        for name in ("volume", "trades"):
            if record[name] is not None:
                record[name] = int(record[name])
        out.rows.append(record)
    return out
