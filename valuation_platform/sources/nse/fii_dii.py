"""NSE's FII/DII trading-activity report: ``/api/fiidiiTradeReact``.

A JSON list, one record per investor category for the latest session, values in Rs crore as strings::

    [{"category": "DII **", "date": "14-Nov-2023", "buyValue": "8007.35", "sellValue": "6519.06",
      "netValue": "1488.29"},
     {"category": "FII/FPI *", "date": "14-Nov-2023", ...}]

The asterisks point at footnotes on NSE's page (FII/FPI figures are provisional, from the depositories'
reporting): categories are normalised to ``FII/FPI`` and ``DII``. The endpoint takes no date: it answers
the latest session only, so history is what the daily runs keep. A record whose net is not buy - sell
(to the report's 0.01 rounding) is rejected, as is any record without a date, category or value.
"""

from __future__ import annotations

from typing import Any

from valuation_platform.sources.nse.corporate_calendar import json_records
from valuation_platform.sources.nse.fields import NSE_HOST, Parsed, nse_date, number, required, text

SOURCE = "nse"
FII_DII_URL = f"{NSE_HOST}/api/fiidiiTradeReact"
CATEGORIES = {"FII/FPI": "FII/FPI", "FII": "FII/FPI", "FPI": "FII/FPI", "DII": "DII"}
ROUNDING = 0.011  # each figure is rounded to 0.01 crore: buy - sell may differ from net by up to 0.01


def _category(raw: Any) -> str:
    name = required(text(raw), "category").replace("*", "").strip().upper()
    if name not in CATEGORIES:
        raise ValueError(f"unknown category {raw!r} (expected FII/FPI or DII)")
    return CATEGORIES[name]


def parse_fii_dii(payload: bytes, *, document: str) -> Parsed:
    """Rows: trade_date, category (FII/FPI | DII), buy_value, sell_value, net_value (Rs crore)."""
    out = Parsed()
    for i, record in enumerate(json_records(payload, document=document)):
        try:
            if not isinstance(record, dict):
                raise ValueError(f"expected an object, got {type(record).__name__}")
            buy = required(number(record.get("buyValue")), "buyValue")
            sell = required(number(record.get("sellValue")), "sellValue")
            net = required(number(record.get("netValue")), "netValue")
            if abs(buy - sell - net) > ROUNDING:
                raise ValueError(f"netValue {net} is not buyValue - sellValue ({buy} - {sell})")
            out.rows.append({"trade_date": required(nse_date(record.get("date")), "date"),
                             "category": _category(record.get("category")),
                             "buy_value": buy, "sell_value": sell, "net_value": net})
        except ValueError as error:
            out.reject(SOURCE, document, f"[{i}]", error)
    return out
