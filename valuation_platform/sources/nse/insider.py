"""SEBI PIT (Reg. 7(2)) insider-trading disclosures as NSE exports them:
``/api/corporates-pit?index=equities&from_date=DD-MM-YYYY&to_date=DD-MM-YYYY&csv=true``.

The CSV starts with a UTF-8 BOM and every quoted header cell ends in a space and a newline (``"SYMBOL \\n"``),
so one header spans as many physical lines as it has columns; columns are looked up by their
whitespace-collapsed names (NSE's own spellings kept: ``DISPLOSED``, ``INITMATION``, ``BROADCASTE``).
Blank cells are ``""``, ``"-"``, ``"Nil"`` or ``"NA"``. Rows (one per disclosed transaction): symbol,
company_name, regulation, acquirer_name, person_category, security_type, securities_prior, holding_prior_pct,
quantity, value (Rs), transaction_type (Buy, Sell, Pledge, Pledge Revoke, ...), securities_post,
holding_post_pct, acquired_from, acquired_to, intimated_on, acquisition_mode, exchange, broadcast_at
(naive Asia/Kolkata), xbrl, line (where the row starts in the file). A row that breaks the layout is
reported as a :class:`SourceError` naming its line; the rest are returned.
"""

from __future__ import annotations

from datetime import date

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.nse.fields import (
    NSE_HOST,
    Parsed,
    csv_rows,
    header_index,
    nse_date,
    nse_timestamp,
    number,
    required,
    text,
)

SOURCE = "nse"
INSIDER_URL = f"{NSE_HOST}/api/corporates-pit"
# row key -> the export's header (whitespace-collapsed, upper case)
COLUMNS = {
    "symbol": "SYMBOL", "company_name": "COMPANY", "regulation": "REGULATION",
    "acquirer_name": "NAME OF THE ACQUIRER/DISPOSER", "person_category": "CATEGORY OF PERSON",
    "security_type": "TYPE OF SECURITY (PRIOR)", "securities_prior": "NO. OF SECURITY (PRIOR)",
    "holding_prior_pct": "% SHAREHOLDING (PRIOR)", "quantity": "NO. OF SECURITIES (ACQUIRED/DISPLOSED)",
    "value": "VALUE OF SECURITY (ACQUIRED/DISPLOSED)", "transaction_type": "ACQUISITION/DISPOSAL TRANSACTION TYPE",
    "securities_post": "NO. OF SECURITY (POST)", "holding_post_pct": "% POST",
    "acquired_from": "DATE OF ALLOTMENT/ACQUISITION FROM", "acquired_to": "DATE OF ALLOTMENT/ACQUISITION TO",
    "intimated_on": "DATE OF INITMATION TO COMPANY", "acquisition_mode": "MODE OF ACQUISITION",
    "exchange": "EXCHANGE", "broadcast_at": "BROADCASTE DATE AND TIME", "xbrl": "XBRL",
}
TEXT = ("company_name", "regulation", "person_category", "security_type", "acquisition_mode", "exchange", "xbrl")
NUMBERS = ("securities_prior", "holding_prior_pct", "value", "securities_post", "holding_post_pct")
DATES = ("acquired_from", "acquired_to", "intimated_on")


def insider_request(first: date, last: date) -> tuple[str, dict[str, str]]:
    return INSIDER_URL, {"index": "equities", "from_date": f"{first:%d-%m-%Y}", "to_date": f"{last:%d-%m-%Y}",
                         "csv": "true"}


def parse_insider_csv(payload: bytes, *, document: str) -> Parsed:
    """Rows as in the module docstring; raises :class:`SourceError` when the header is not the export's."""
    rows = csv_rows(payload)
    _, header = next(rows, (1, []))
    found = header_index(header)
    missing = [name for name in COLUMNS.values() if name not in found]
    if missing:
        raise SourceError(SOURCE, document, f"not an NSE insider-trading export: header lacks {missing}",
                          field="header")
    at = {key: found[name] for key, name in COLUMNS.items()}
    out = Parsed()
    for line, cells in rows:
        try:
            if len(cells) != len(header):
                raise ValueError(f"{len(cells)} cells, the header has {len(header)}")
            cell = {key: cells[i] for key, i in at.items()}
            quantity = required(number(cell["quantity"]), "quantity")
            row = {
                "symbol": required(text(cell["symbol"]), "SYMBOL"),
                "acquirer_name": required(text(cell["acquirer_name"]), "acquirer name"),
                "transaction_type": required(text(cell["transaction_type"]), "transaction type"),
                "quantity": quantity,
                "broadcast_at": required(nse_timestamp(cell["broadcast_at"]), "broadcast date"),
                "line": line,
                **{k: text(cell[k]) for k in TEXT},
                **{k: number(cell[k]) for k in NUMBERS},
                **{k: nse_date(cell[k]) for k in DATES},
            }
            if quantity < 0:
                raise ValueError(f"negative quantity {quantity}")
            out.rows.append(row)
        except ValueError as error:
            out.reject(SOURCE, document, f"line {line}", error)
    return out
