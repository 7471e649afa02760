"""NSE bulk and block deals, in both of NSE's layouts.

* The day's archive CSVs (nsearchives.nseindia.com/content/equities/bulk.csv, block.csv)::

      Date,Symbol,Security Name,Client Name,Buy/Sell,Quantity Traded,Trade Price / Wght. Avg. Price,Remarks
      21-AUG-2026,AHIMSA,Ahimsa Industries Ltd.,BHANSALI VALUE CREATIONS PVT LTD,BUY,81000,28.50,-

  They hold the latest session only.
* The historical API ``/api/historicalOR/bulk-block-short-deals?optionType=bulk_deals|block_deals&from=
  DD-MM-YYYY&to=DD-MM-YYYY``: a JSON list (or ``{"data": [...]}``) of ``BD_DT_DATE``, ``BD_SYMBOL``,
  ``BD_SCRIP_NAME``, ``BD_CLIENT_NAME``, ``BD_BUY_SELL``, ``BD_QTY_TRD`` (number), ``BD_TP_WATP`` (price),
  ``BD_REMARKS``. It answers any past session, so the daily asset reads it.

Rows: deal_date, deal_type (BULK | BLOCK), symbol, security_name, client_name, side (BUY | SELL), quantity,
price (Rs, the trade or weighted average price), remarks, seq (the row's place in its document). A row
that breaks the layout is reported as a :class:`SourceError`; the rest are returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.nse.corporate_calendar import json_records
from valuation_platform.sources.nse.fields import (
    ARCHIVE_HOST,
    NSE_HOST,
    Parsed,
    csv_rows,
    header_index,
    nse_date,
    number,
    required,
    text,
)

SOURCE = "nse"
BULK, BLOCK = "BULK", "BLOCK"
OPTION_TYPES = {BULK: "bulk_deals", BLOCK: "block_deals"}
ARCHIVE_FILES = {BULK: "bulk.csv", BLOCK: "block.csv"}
DEALS_API = f"{NSE_HOST}/api/historicalOR/bulk-block-short-deals"
CSV_COLUMNS = {"deal_date": "DATE", "symbol": "SYMBOL", "security_name": "SECURITY NAME",
               "client_name": "CLIENT NAME", "side": "BUY/SELL", "quantity": "QUANTITY TRADED",
               "price": "TRADE PRICE / WGHT. AVG. PRICE", "remarks": "REMARKS"}
JSON_FIELDS = {"deal_date": "BD_DT_DATE", "symbol": "BD_SYMBOL", "security_name": "BD_SCRIP_NAME",
               "client_name": "BD_CLIENT_NAME", "side": "BD_BUY_SELL", "quantity": "BD_QTY_TRD",
               "price": "BD_TP_WATP", "remarks": "BD_REMARKS"}


def deals_request(deal_type: str, day: date) -> tuple[str, dict[str, str]]:
    """The historical API request of one deal type for one session."""
    return DEALS_API, {"optionType": OPTION_TYPES[deal_type], "from": f"{day:%d-%m-%Y}", "to": f"{day:%d-%m-%Y}"}


def archive_url(deal_type: str) -> str:
    return f"{ARCHIVE_HOST}/content/equities/{ARCHIVE_FILES[deal_type]}"


def _deal(cell: Mapping[str, Any], deal_type: str, seq: int) -> dict[str, Any]:
    side = required(text(cell["side"]), "buy/sell").upper()
    if side not in ("BUY", "SELL"):
        raise ValueError(f"buy/sell is {side!r}")
    quantity = required(number(cell["quantity"]), "quantity")
    price = required(number(cell["price"]), "price")
    if quantity <= 0 or price <= 0:
        raise ValueError(f"quantity {quantity} and price {price} must be positive")
    return {
        "deal_date": required(nse_date(cell["deal_date"]), "date"),
        "deal_type": deal_type,
        "symbol": required(text(cell["symbol"]), "symbol"),
        "security_name": text(cell["security_name"]),
        "client_name": required(text(cell["client_name"]), "client name"),
        "side": side,
        "quantity": quantity,
        "price": price,
        "remarks": text(cell["remarks"]),
        "seq": seq,
    }


def parse_deals_csv(payload: bytes, *, document: str, deal_type: str) -> Parsed:
    """Rows of an archive CSV (bulk.csv / block.csv); raises :class:`SourceError` on a foreign header."""
    rows = csv_rows(payload)
    _, header = next(rows, (1, []))
    found = header_index(header)
    missing = [name for name in CSV_COLUMNS.values() if name not in found]
    if missing:
        raise SourceError(SOURCE, document, f"not an NSE deals CSV: header lacks {missing}", field="header")
    out = Parsed()
    for seq, (line, cells) in enumerate(rows, start=1):
        try:
            out.rows.append(_deal({k: cells[found[name]] for k, name in CSV_COLUMNS.items()}, deal_type, seq))
        except (IndexError, ValueError) as error:
            out.reject(SOURCE, document, f"line {line}", error)
    return out


def parse_deals_json(payload: bytes, *, document: str, deal_type: str) -> Parsed:
    """Rows of a historical-API answer."""
    out = Parsed()
    for seq, record in enumerate(json_records(payload, document=document), start=1):
        try:
            if not isinstance(record, dict):
                raise ValueError(f"expected an object, got {type(record).__name__}")
            out.rows.append(_deal({k: record.get(name) for k, name in JSON_FIELDS.items()}, deal_type, seq))
        except ValueError as error:
            out.reject(SOURCE, document, f"[{seq - 1}]", error)
    return out
