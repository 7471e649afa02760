"""NSE's equity master ``EQUITY_L.csv`` and the index constituent lists (``ind_nifty50list.csv``).

* ``EQUITY_L.csv`` (nsearchives.nseindia.com/content/equities/EQUITY_L.csv), every listed equity::

      SYMBOL,NAME OF COMPANY, SERIES, DATE OF LISTING, PAID UP VALUE, MARKET LOT, ISIN NUMBER, FACE VALUE
      20MICRONS,20 Microns Limited,EQ,06-OCT-2008,5,1,INE144J01027,5

  Note the leading space NSE puts in every header cell after the second: columns are looked up by their
  whitespace-collapsed name, never by the raw header text.
* Index constituents (nsearchives.nseindia.com/content/indices/ind_<index>list.csv)::

      Company Name,Industry,Symbol,Series,ISIN Code

Rows that break the layout (no symbol, a bad ISIN, an unreadable date or number) are reported as
:class:`SourceError` naming the line; the rest are returned.
"""

from __future__ import annotations

import re

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.nse.fields import (
    ARCHIVE_HOST,
    Parsed,
    csv_rows,
    header_index,
    nse_date,
    number,
    required,
    text,
)

SOURCE = "nse"
EQUITY_LIST_URL = f"{ARCHIVE_HOST}/content/equities/EQUITY_L.csv"
ISIN = re.compile(r"^IN[A-Z0-9]{9}[0-9]$")
EQUITY_COLUMNS = {
    "symbol": "SYMBOL", "company_name": "NAME OF COMPANY", "series": "SERIES", "listing_date": "DATE OF LISTING",
    "paid_up_value": "PAID UP VALUE", "market_lot": "MARKET LOT", "isin": "ISIN NUMBER", "face_value": "FACE VALUE",
}
INDEX_COLUMNS = {"company_name": "COMPANY NAME", "industry": "INDUSTRY", "symbol": "SYMBOL", "series": "SERIES",
                 "isin": "ISIN CODE"}
# Index name -> its constituent file (NSE Indices publishes one per index, same layout).
INDEX_FILES = {"NIFTY 50": "ind_nifty50list.csv", "NIFTY NEXT 50": "ind_niftynext50list.csv",
               "NIFTY 500": "ind_nifty500list.csv"}


def index_list_url(index_name: str) -> str:
    try:
        return f"{ARCHIVE_HOST}/content/indices/{INDEX_FILES[index_name]}"
    except KeyError:
        raise ValueError(f"no constituent file known for {index_name!r}; known: {sorted(INDEX_FILES)}") from None


def _columns(header: list[str], wanted: dict[str, str], document: str) -> dict[str, int]:
    found = header_index(header)
    missing = [name for name in wanted.values() if name not in found]
    if missing:
        raise SourceError(SOURCE, document, f"header lacks {missing} (header: {header})", field="header")
    return {key: found[name] for key, name in wanted.items()}


def _isin(raw: str | None) -> str:
    value = required(text(raw), "ISIN")
    if not ISIN.match(value):
        raise ValueError(f"not an ISIN: {value!r}")
    return value


def parse_equity_list(payload: bytes, *, document: str) -> Parsed:
    """One row per listed security: symbol, company_name, series, listing_date, paid_up_value, market_lot,
    isin, face_value. Raises :class:`SourceError` when the header is not EQUITY_L's."""
    rows = csv_rows(payload)
    _, header = next(rows, (1, []))
    at = _columns(header, EQUITY_COLUMNS, document)
    out = Parsed()
    for line, cells in rows:
        try:
            cell = {key: cells[i] for key, i in at.items()}
            lot = number(cell["market_lot"])
            out.rows.append({
                "symbol": required(text(cell["symbol"]), "SYMBOL"),
                "company_name": text(cell["company_name"]),
                "series": required(text(cell["series"]), "SERIES"),
                "listing_date": nse_date(cell["listing_date"]),
                "paid_up_value": number(cell["paid_up_value"]),
                "market_lot": int(lot) if lot is not None else None,
                "isin": _isin(cell["isin"]),
                "face_value": number(cell["face_value"]),
            })
        except (IndexError, ValueError) as error:
            out.reject(SOURCE, document, f"line {line}", error)
    return out


def parse_index_constituents(payload: bytes, *, document: str, index_name: str) -> Parsed:
    """One row per constituent: index_name, symbol, company_name, industry, series, isin."""
    rows = csv_rows(payload)
    _, header = next(rows, (1, []))
    at = _columns(header, INDEX_COLUMNS, document)
    out = Parsed()
    for line, cells in rows:
        try:
            cell = {key: cells[i] for key, i in at.items()}
            out.rows.append({
                "index_name": index_name,
                "symbol": required(text(cell["symbol"]), "Symbol"),
                "company_name": text(cell["company_name"]),
                "industry": text(cell["industry"]),
                "series": text(cell["series"]),
                "isin": _isin(cell["isin"]),
            })
        except (IndexError, ValueError) as error:
            out.reject(SOURCE, document, f"line {line}", error)
    return out
