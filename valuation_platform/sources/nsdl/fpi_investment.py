"""NSDL's "Daily Trends in FPI Investment": ``https://www.fpi.nsdl.co.in/web/Reports/Latest.aspx``.

The depository view of foreign portfolio flows: an HTML table, one block per reporting date, with per asset
class (Equity, Debt-General Limit, Debt-VRR, Debt-FAR, Hybrid, Mutual Funds, AIFs) a row per investment route
(Stock Exchange, Primary market & others), a class ``Sub-total`` row and a ``Total`` row per date::

    Reporting Date | Debt/Equity/Hybrid/MF | Investment Route | Gross Purchases (Rs Crore) |
    Gross Sales (Rs Crore) | Net Investment (Rs Crore) | Net Investment US($) million | Conversion rate

Dates read ``28-Nov-2026``; numbers carry thousands commas and negatives as ``-1,234.56`` or ``(1,234.56)``.
The date and class cells may span rows (``rowspan``) and the Total label may span columns (``colspan``):
the table is expanded to a full grid before it is read.

NOTE: this layout is modelled on the page as NSDL publishes it; it has not been checked against a saved
copy (none is available offline). Columns are therefore found by their header words, not their positions,
and everything that does not add up is quarantined rather than guessed at:

* a route row whose net is not purchases - sales (to 0.01 crore) is rejected, the rest of its date lands;
* a class whose route rows do not sum to its Sub-total, or a date whose route rows do not sum to its Total
  (purchases, sales and net, 0.01 crore), quarantines that whole date with the reason: the date's rows are
  not trustworthy as a set. Sub-total and Total rows are checks only, never loaded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from html.parser import HTMLParser
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.nse.fields import Parsed, nse_date, number, required, text

SOURCE = "nsdl"
FPI_HOST = "https://www.fpi.nsdl.co.in"
FPI_DAILY_URL = f"{FPI_HOST}/web/Reports/Latest.aspx"
ROUNDING = 0.011  # figures are rounded to 0.01 crore: a difference or a sum may be off by that much
AMOUNTS = ("gross_purchases_cr", "gross_sales_cr", "net_investment_cr")
# column -> words its header cell contains (lower-cased, whitespace collapsed), first match wins
COLUMNS: dict[str, tuple[str, ...]] = {
    "reporting_date": ("reporting date",),
    "asset_class": ("debt/equity", "asset class"),
    "route": ("investment route", "route"),
    "gross_purchases_cr": ("gross purchase",),
    "gross_sales_cr": ("gross sale",),
    "net_investment_usd_mn": ("us($)", "us $", "usd"),
    "net_investment_cr": ("net investment",),
    "conversion_rate": ("conversion",),
}
SUBTOTAL = re.compile(r"^sub[\s-]*total$", re.IGNORECASE)
TOTAL = re.compile(r"^(grand\s+)?total$", re.IGNORECASE)


class _Grid(HTMLParser):
    """Every ``<tr>`` of the page as a list of cell texts, rowspans and colspans expanded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._pending: dict[int, tuple[int, str]] = {}  # column -> (rows still covered, text)
        self._spans: list[tuple[int, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._finish_row()
            self._row, self._spans = [], []
        elif tag in ("td", "th") and self._row is not None:
            self._finish_cell()
            found = dict(attrs)
            self._cell, self._span = [], (_span(found.get("rowspan")), _span(found.get("colspan")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._finish_cell()
        elif tag in ("tr", "table"):
            self._finish_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def close(self) -> None:
        super().close()
        self._finish_row()

    def _finish_cell(self) -> None:
        if self._cell is None or self._row is None:
            return
        value = " ".join("".join(self._cell).split())
        self._row.append(value)
        self._spans.append(self._span)
        self._cell = None

    def _finish_row(self) -> None:
        self._finish_cell()
        if self._row is None:
            return
        cells, spans, self._row = self._row, self._spans, None
        grid: list[str] = []
        col = 0
        queue = list(zip(cells, spans))
        while queue or col in self._pending:
            if col in self._pending:  # a cell from a row above still spans this one
                left, value = self._pending[col]
                grid.append(value)
                self._pending[col] = (left - 1, value)
                if left - 1 == 0:
                    del self._pending[col]
                col += 1
                continue
            value, (rowspan, colspan) = queue.pop(0)
            for _ in range(colspan):
                grid.append(value)
                if rowspan > 1:
                    self._pending[col] = (rowspan - 1, value)
                col += 1
        if any(grid):
            self.rows.append(grid)


def _span(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def amount(raw: Any) -> float | None:
    """A figure as NSDL prints it: ``1,234.56``, ``-1,234.56`` or ``(1,234.56)``; None when blank."""
    value = text(raw)
    if value is not None and value.startswith("(") and value.endswith(")"):
        inner = number(value[1:-1])
        return None if inner is None else -inner
    return number(value)


def _columns(header: Sequence[str], document: str) -> dict[str, int]:
    names = [h.lower() for h in header]
    found: dict[str, int] = {}
    for column, words in COLUMNS.items():
        for i, name in enumerate(names):
            if i not in found.values() and any(w in name for w in words):
                found[column] = i
                break
    missing = [c for c in COLUMNS if c not in found]
    if missing:
        raise SourceError(SOURCE, document, f"header {list(header)!r} lacks columns for {missing}", field="header")
    return found


def _mismatch(parts: Sequence[dict[str, float]], stated: dict[str, float]) -> str | None:
    for name in AMOUNTS:
        total = sum(p[name] for p in parts)
        if abs(total - stated[name]) > ROUNDING:
            return f"{name} of the rows sums to {total:.2f}, the page states {stated[name]:.2f}"
    return None


class _Day:
    """One reporting date's route rows and the Sub-total/Total figures they must add up to."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []  # good route rows
        self.figures: dict[str, list[dict[str, float]]] = {}  # class -> every route row's figures (bad ones too)
        self.problems: list[str] = []

    def check(self, asset_class: str, label: str, stated: dict[str, float]) -> None:
        parts = (self.figures.get(asset_class, []) if label == "sub-total"
                 else [f for rows in self.figures.values() for f in rows])
        if not parts:
            self.problems.append(f"{asset_class} {label} has no route rows above it")
        elif problem := _mismatch(parts, stated):
            self.problems.append(f"{asset_class if label == 'sub-total' else 'all classes'} {label}: {problem}")


def parse_fpi_daily(payload: bytes, *, document: str) -> Parsed:
    """Rows: reporting_date, asset_class, route, gross_purchases_cr, gross_sales_cr, net_investment_cr,
    net_investment_usd_mn, conversion_rate. Raises :class:`SourceError` when the page has no such table."""
    grid = _Grid()
    grid.feed(payload.decode("utf-8", errors="replace"))
    grid.close()
    at = next((i for i, row in enumerate(grid.rows) if any("reporting date" in c.lower() for c in row)), None)
    if at is None:
        raise SourceError(SOURCE, document, "no table with a 'Reporting Date' header on the page")
    col = _columns(grid.rows[at], document)
    out = Parsed()
    days: dict[date, _Day] = {}
    for n, cells in enumerate(grid.rows[at + 1:], start=1):
        if len(cells) <= max(col.values()) or any("reporting date" in c.lower() for c in cells):
            continue  # a repeated header or a note row under the table
        where = f"row {n}"
        try:
            day = required(nse_date(cells[col["reporting_date"]]), "Reporting Date")
            asset_class = required(text(cells[col["asset_class"]]), "asset class")
            route = text(cells[col["route"]]) or ""
            figures = {name: required(amount(cells[col[name]]), name) for name in AMOUNTS}
            book = days.setdefault(day, _Day())
            if TOTAL.match(asset_class) or TOTAL.match(route):
                book.check("", "total", figures)
                continue
            if SUBTOTAL.match(route):
                book.check(asset_class, "sub-total", figures)
                continue
            where = f"{day.isoformat()} {asset_class} / {route or '?'}"
            book.figures.setdefault(asset_class, []).append(figures)
            required(route or None, "investment route")
            if any(r["asset_class"] == asset_class and r["route"] == route for r in book.rows):
                raise ValueError("listed twice for the date")
            purchases, sales, net = (figures[name] for name in AMOUNTS)
            if abs(purchases - sales - net) > ROUNDING:
                raise ValueError(f"net investment {net} is not gross purchases - gross sales ({purchases} - {sales})")
            book.rows.append({"reporting_date": day, "asset_class": asset_class, "route": route, **figures,
                              "net_investment_usd_mn": amount(cells[col["net_investment_usd_mn"]]),
                              "conversion_rate": amount(cells[col["conversion_rate"]])})
        except ValueError as error:
            out.reject(SOURCE, document, where, error)
    for day, book in sorted(days.items()):
        if book.problems:  # the date's figures do not add up: none of its rows land
            out.reject(SOURCE, document, f"reporting date {day.isoformat()}", ValueError("; ".join(book.problems)))
        else:
            out.rows += book.rows
    return out
