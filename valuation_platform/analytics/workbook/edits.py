"""Managers' edits in the workbook: found by diffing the editable cells against what the platform last
wrote, then validated before anything is applied.

Editable: a driver's ``weight`` (0..1, and its scope's total must stay within the hierarchy validator's
bounds after every weight edit of the batch), ``current_value`` (a finite number) and ``direction``
(UP / DOWN / STABLE); a discovered driver's ``decision`` (APPROVE / REJECT, with a reviewer); a social
post's ``approve`` (YES / NO, with a reviewer). Anything else is rejected with the reason, which the
platform writes back to the row's Status column.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from valuation_platform.analytics.india.driver_hierarchy import MACRO_SIGNAL, WeightBounds, weight_scope

DIRECTIONS = ("UP", "DOWN", "STABLE")
DECISIONS = {"APPROVE": "APPROVED", "APPROVED": "APPROVED", "REJECT": "REJECTED", "REJECTED": "REJECTED"}
POST_DECISIONS = {"YES": "APPROVED", "APPROVE": "APPROVED", "NO": "REJECTED", "REJECT": "REJECTED"}
DRIVER_FIELDS = ("weight", "current_value", "direction")


def cell_text(value: Any) -> str:
    """One text form per cell value, so a number written as 0.25 and read back as "0.25" (or 0.250) is
    the same cell; blank and None are the same."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (int, float)):
        return repr(float(value)) if math.isfinite(float(value)) else str(value)
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return repr(number) if math.isfinite(number) else text


def text_value(text: str) -> Any:
    """A cell value back from its :func:`cell_text` (a number stays a number when restored)."""
    try:
        return float(text)
    except ValueError:
        return text


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def a1(tab: str, row: int, column: int) -> str:
    """The A1 reference of a cell (0-based row and column, row 0 = the header row)."""
    return f"'{tab}'!{column_letter(column)}{row + 1}"


@dataclass(frozen=True)
class CellEdit:
    tab: str
    row_key: str
    column: str
    old: str  # as last written (cell_text)
    new: Any  # as the manager left it
    row: int  # 0-based, header = 0
    col: int

    @property
    def cell(self) -> str:
        return a1(self.tab, self.row, self.col)


def diff_edits(
    tab: str, values: Sequence[Sequence[Any]], key_column: str, editable: Iterable[str],
    written: Mapping[tuple[str, str], str],
) -> list[CellEdit]:
    """Cells of ``editable`` columns that differ from ``written`` (``(row_key, column) -> cell_text``).
    Rows the platform never wrote (no snapshot) are not edits: a manager cannot add drivers by typing rows."""
    if not values:
        return []
    header = [str(h).strip() for h in values[0]]
    if key_column not in header:
        raise ValueError(f"workbook tab {tab!r}: header has no {key_column!r} column (found {header})")
    key_at = header.index(key_column)
    columns = [(header.index(c), c) for c in editable if c in header]
    edits: list[CellEdit] = []
    for r, row in enumerate(values[1:], start=1):
        key = str(row[key_at]).strip() if key_at < len(row) else ""
        for c, name in columns:
            if (key, name) not in written:
                continue
            new = row[c] if c < len(row) else None
            if cell_text(new) != written[(key, name)]:
                edits.append(CellEdit(tab, key, name, written[(key, name)], new, r, c))
    return edits


@dataclass(frozen=True)
class Verdict:
    edit: CellEdit
    ok: bool
    value_number: float | None = None
    value_text: str | None = None
    reason: str | None = None


def edit_number(edit: CellEdit) -> float | str:
    """The edit's number, or the reason it is not one."""
    text = cell_text(edit.new)
    try:
        number = float(text)
    except ValueError:
        return f"{edit.column} {edit.new!r} is not a number"
    return number if math.isfinite(number) else f"{edit.column} {edit.new!r} is not a finite number"


def _scope_bounds(level: str, bounds: WeightBounds) -> tuple[float, float] | None:
    return {"GROUP": bounds.group, "SUBGROUP": bounds.subgroup, "COMPANY": bounds.company}.get(level)


def validate_driver_edits(
    edits: Sequence[CellEdit], drivers: Mapping[str, Mapping[str, Any]], bounds: WeightBounds | None = None
) -> list[Verdict]:
    """A verdict per edit of a driver tab. Weight edits are checked one by one (0..1), then together per
    scope: every weight edit of a scope whose total leaves the validator's bounds is rejected, naming the
    total (MACRO weights must still sum to 1, so a manager moves weight between MACRO drivers in one
    batch)."""
    b = bounds or WeightBounds()
    verdicts: dict[CellEdit, Verdict] = {}
    weights: dict[str, float] = {}
    for edit in edits:
        driver = drivers.get(edit.row_key)
        if driver is None:
            verdicts[edit] = Verdict(edit, False, reason=f"driver {edit.row_key} is not in the hierarchy")
        elif edit.column not in DRIVER_FIELDS:
            verdicts[edit] = Verdict(edit, False, reason=f"column {edit.column} is not editable")
        elif edit.column == "direction":
            text = cell_text(edit.new).upper()
            verdicts[edit] = (Verdict(edit, True, value_text=text) if text in DIRECTIONS else Verdict(
                edit, False, reason=f"direction {edit.new!r} is not one of {', '.join(DIRECTIONS)}"))
        else:
            number = edit_number(edit)
            if isinstance(number, str):
                verdicts[edit] = Verdict(edit, False, reason=number)
            elif edit.column == "weight" and driver.get("driver_category") == MACRO_SIGNAL:
                verdicts[edit] = Verdict(edit, False, reason="MACRO_SIGNAL drivers carry no weight")
            elif edit.column == "weight" and not 0.0 <= number <= 1.0:
                verdicts[edit] = Verdict(edit, False, reason=f"weight {number:g} is outside 0..1")
            else:
                verdicts[edit] = Verdict(edit, True, value_number=number)
                if edit.column == "weight":
                    weights[edit.row_key] = number
    # scope totals with every valid weight edit of the batch applied
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for key, driver in drivers.items():
        if driver.get("driver_category") != MACRO_SIGNAL and driver.get("weight") is not None:
            totals[weight_scope(driver)] += weights.get(key, float(driver["weight"]))
    for edit, verdict in list(verdicts.items()):
        if not (verdict.ok and edit.column == "weight"):
            continue
        level, scope = weight_scope(drivers[edit.row_key])
        total = totals[(level, scope)]
        if level == "MACRO":
            ok = abs(total - b.macro_total) <= b.tolerance
            expected = f"{b.macro_total:g}"
        else:
            low, high = _scope_bounds(level, b) or (0.0, 1.0)
            ok = (low < total if level == "COMPANY" else low - b.tolerance <= total) and total <= high + b.tolerance
            expected = f"{low:.2f}..{high:.2f}"
        if not ok:
            verdicts[edit] = Verdict(edit, False, reason=f"{level} {scope} weights would sum to {total:.4f}, "
                                                         f"expected {expected}")
    return [verdicts[e] for e in edits]


def decision_of(value: Any, choices: Mapping[str, str]) -> str | None:
    """The status a decision cell asks for (None when blank), or raises ValueError naming the choices."""
    text = cell_text(value).upper()
    if not text:
        return None
    if text not in choices:
        raise ValueError(f"decision {value!r} is not one of {', '.join(sorted(set(choices)))}")
    return choices[text]


CELL_LIMIT = 10_000_000  # Google Sheets: cells per spreadsheet, over all tabs


def cell_budget(grids: Mapping[str, tuple[int, int]], limit: int = CELL_LIMIT) -> dict[str, Any]:
    """Cells the spreadsheet's grids hold (rows x columns summed over tabs) against the limit."""
    used = sum(rows * cols for rows, cols in grids.values())
    return {"cells_used": used, "cells_limit": limit, "cells_used_pct": round(100.0 * used / limit, 4),
            "within_budget": used <= limit}
