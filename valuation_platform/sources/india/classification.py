"""The India company classification workbook (the "gem classification file"), xlsx or CSV.

One row per listed company: exchange identifiers, the data vendor's sector/industry, market cap and
data-quality flags. The file is maintained by hand, so headers vary; each column is found by any of its
known spellings (case and punctuation ignored)::

    NSE Symbol | BSE Code | Accord Code | Company Name | cd_sector | cd_industry | Market Cap (Rs Cr) |
    Investable | Financials Available | Price History | Shareholding Available | DQ Remarks

Required: a name, ``cd_sector``, ``cd_industry`` and at least one of NSE symbol / Accord code columns.
Flags are Y/N (also Yes/No, True/False, 1/0; blank = unknown). Without an ``Investable`` column every
company counts as investable. The header may sit below a title block (the first 15 rows are searched);
in a workbook the first sheet with such a header is read.

Rows out (``list[dict]``)::

    nse_symbol str|None, bse_code str|None, accord_code str|None, name str, cd_sector str,
    cd_industry str, market_cap float|None (Rs crore), is_investable bool, has_financials bool|None,
    has_price_history bool|None, has_shareholding bool|None,
    dq_score float (share of the known quality flags that are Y; 1.0 when none is known),
    dq_remarks str|None, source_row int (1-based row in the sheet/file)
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.series import decode_text, slug

SOURCE = "india_classification"
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "nse_symbol": ("nse_symbol", "nse_code", "nse_ticker", "symbol"),
    "bse_code": ("bse_code", "bse_scrip_code", "scrip_code", "bse_scripcode"),
    "accord_code": ("accord_code", "accord_co_code", "co_code", "company_code"),
    "name": ("company_name", "name", "company"),
    "cd_sector": ("cd_sector", "sector"),
    "cd_industry": ("cd_industry", "industry"),
    "market_cap": (
        "market_cap_rs_cr",
        "market_cap_rs_crore",
        "mcap_rs_cr",
        "mcap_cr",
        "market_cap_cr",
        "market_cap",
        "mcap",
    ),
    "investable": ("investable", "is_investable", "investable_flag"),
    "has_financials": ("financials_available", "has_financials", "financials"),
    "has_price_history": ("price_history", "has_price_history", "price_data"),
    "has_shareholding": ("shareholding_available", "has_shareholding", "shareholding"),
    "dq_remarks": ("dq_remarks", "data_quality_remarks", "dq_flags", "remarks"),
}
REQUIRED = ("name", "cd_sector", "cd_industry")
QUALITY_FLAGS = ("has_financials", "has_price_history", "has_shareholding")
_TRUE = {"y", "yes", "true", "t", "1", "1.0"}
_FALSE = {"n", "no", "false", "f", "0", "0.0"}
_BLANK = {"", "-", "na", "n/a", "nan", "none", "null"}
HEADER_SEARCH_ROWS = 15


def _cell_text(value: Any) -> str:
    """Text of a sheet cell; integral floats lose their '.0' (Excel stores codes as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_map(row: Sequence[Any]) -> dict[str, int] | None:
    keys = [slug(_cell_text(c)) for c in row]
    found: dict[str, int] = {}
    for canonical, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in keys:
                found[canonical] = keys.index(alias)
                break
    if all(k in found for k in REQUIRED) and ("nse_symbol" in found or "accord_code" in found):
        return found
    return None


def _flag(raw: str, *, document: str, field: str) -> bool | None:
    text = raw.strip().lower()
    if text in _BLANK:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SourceError(SOURCE, document, f"not a Y/N flag: {raw!r}", field=field)


def _code(raw: str) -> str | None:
    text = raw.strip()
    return None if text.lower() in _BLANK else text


def _rows_from_table(table: Iterable[Sequence[Any]], document: str) -> list[dict[str, Any]]:
    columns: dict[str, int] | None = None
    out: list[dict[str, Any]] = []
    for row_no, raw in enumerate(table, start=1):
        if columns is None:
            if row_no > HEADER_SEARCH_ROWS:
                break
            columns = _header_map(raw)
            continue
        cells = [_cell_text(c) for c in raw]
        if not any(cells):
            continue

        def get(key: str, cells: list[str] = cells, columns: dict[str, int] = columns) -> str:
            at = columns.get(key)
            return cells[at] if at is not None and at < len(cells) else ""

        where = f"row {row_no}"
        name = get("name")
        if not name:
            raise SourceError(SOURCE, document, "company without a name", field=f"{where} name")
        market_cap_text = get("market_cap").replace(",", "")
        try:
            market_cap = None if market_cap_text.lower() in _BLANK else float(market_cap_text)
        except ValueError as exc:
            raise SourceError(
                SOURCE, document, f"market cap not a number: {market_cap_text!r}", field=f"{where} market_cap"
            ) from exc
        flags = {k: _flag(get(k), document=document, field=f"{where} {k}") for k in QUALITY_FLAGS}
        known = [v for v in flags.values() if v is not None]
        investable = _flag(get("investable"), document=document, field=f"{where} investable")
        symbol = _code(get("nse_symbol"))
        out.append(
            {
                "nse_symbol": symbol.upper() if symbol else None,
                "bse_code": _code(get("bse_code")),
                "accord_code": _code(get("accord_code")),
                "name": " ".join(name.split()),
                "cd_sector": " ".join(get("cd_sector").split()),
                "cd_industry": " ".join(get("cd_industry").split()),
                "market_cap": market_cap,
                "is_investable": True if "investable" not in columns else bool(investable),
                **flags,
                "dq_score": (sum(known) / len(known)) if known else 1.0,
                "dq_remarks": get("dq_remarks") or None,
                "source_row": row_no,
            }
        )
    if columns is None:
        raise SourceError(
            SOURCE,
            document,
            f"no header with company name, cd_sector, cd_industry and NSE symbol or Accord code in the first "
            f"{HEADER_SEARCH_ROWS} rows",
        )
    return out


def _xlsx_tables(payload: bytes, document: str) -> list[list[tuple[Any, ...]]]:
    from openpyxl import load_workbook  # deferred: only workbook inputs pay the import

    try:
        book = load_workbook(io.BytesIO(payload), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(SOURCE, document, f"unreadable workbook: {exc}") from exc
    try:
        return [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
    finally:
        book.close()


def parse_classification(payload: bytes, *, document: str) -> list[dict[str, Any]]:
    """Company rows (see module docstring) from an xlsx workbook or a CSV export of it."""
    if bytes(payload[:4]) == b"PK\x03\x04":
        problems: list[str] = []
        for table in _xlsx_tables(payload, document):
            try:
                return _rows_from_table(table, document)
            except SourceError as exc:
                if exc.field is not None:  # a bad cell under a good header is an error, not a wrong sheet
                    raise
                problems.append(exc.reason)
        raise SourceError(
            SOURCE, document, f"no sheet has a classification header ({'; '.join(problems) or 'no sheets'})"
        )
    text = decode_text(payload, source=SOURCE, document=document)
    return _rows_from_table(csv.reader(io.StringIO(text)), document)
