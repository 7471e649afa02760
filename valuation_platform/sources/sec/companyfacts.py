"""XBRL ``companyfacts``: every fact a company has filed, long form, with its point-in-time fields.

Shape: ``facts -> taxonomy -> concept -> units -> unit -> [{start?, end, val, accn, fy, fp, form, filed,
frame?}]``. The same period appears in many filings (re-reported, restated); all of them are kept so the
warehouse can answer "as known on date X" and dbt can pick the latest filing per period.
"""

from __future__ import annotations

from datetime import date
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np
import polars as pl

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.sec.urls import SOURCE, companyfacts_document, companyfacts_url

TAXONOMIES = ("us-gaap", "dei")  # ifrs-full filers are reported, not mixed into US GAAP line items
FACT_SCHEMA: dict[str, pl.DataType] = {
    "cik": pl.Int64,
    "taxonomy": pl.Utf8,
    "concept": pl.Utf8,
    "unit": pl.Utf8,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "duration_days": pl.Int32,
    "value": pl.Float64,
    "accession": pl.Utf8,
    "fy": pl.Int32,
    "fp": pl.Utf8,
    "form": pl.Utf8,
    "filed": pl.Date,
    "frame": pl.Utf8,
}
_EPOCH = date(1970, 1, 1)
_NUMBERS = {int, float}  # val types taken as they are; bool (an int) and anything else: the per-fact walk
_OFTEN_ABSENT = ("start", "frame")  # an instant has no start; frame only on facts that fill a calendar frame
# What the columnar parse meets in a document it does not vouch for (a missing key, a wrong type, a bad date)
_UNUSUAL = (LookupError, TypeError, ValueError, OverflowError, pl.exceptions.PolarsError)


class _DayNumbers(dict[str, int]):
    """ISO date -> days since the epoch. A company has a few hundred distinct dates: each is parsed once, by
    the function the per-fact walk uses, so the same forms are accepted and the same ones rejected."""

    def __missing__(self, raw: str) -> int:
        self[raw] = days = (date.fromisoformat(raw) - _EPOCH).days
        return days


def _date(raw: Any, document: str, path: str) -> date:
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError) as exc:
        raise SourceError(SOURCE, document, f"not an ISO date: {raw!r}", field=path) from exc


def parse_companyfacts(payload: Any, document: str, expected_cik: int | None = None) -> pl.DataFrame:
    """Long-form facts as a frame with :data:`FACT_SCHEMA`; raises :class:`SourceError` when unusable."""
    if not isinstance(payload, dict):
        raise SourceError(SOURCE, document, "expected a JSON object")
    facts = payload.get("facts")
    if not isinstance(facts, dict):
        raise SourceError(SOURCE, document, "missing 'facts' object", field="facts")
    if "us-gaap" not in facts:
        taxonomies = ", ".join(sorted(facts)) or "none"
        raise SourceError(
            SOURCE, document, f"no us-gaap taxonomy (found: {taxonomies}); IFRS filers are not mapped", field="facts"
        )
    try:
        cik = int(payload["cik"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceError(SOURCE, document, "missing or non-numeric cik", field="cik") from exc
    if expected_cik is not None and cik != expected_cik:
        raise SourceError(SOURCE, document, f"document is for CIK {cik}, expected {expected_cik}", field="cik")

    # The per-fact walk is the definition; it runs only for a document the columnar parse does not vouch for,
    # and then names the first bad fact exactly as it always has.
    frame = _columnar(facts, cik)
    return frame if frame is not None else _per_fact(facts, cik, document)


def _columnar(facts: dict[str, Any], cik: int) -> pl.DataFrame | None:
    """The facts built column by column: one C-level pass over all facts per field instead of Python per
    fact. None when a fact or entry list is not plainly valid."""
    entries_all: list[Any] = []
    taxonomies: list[str] = []  # the taxonomy, concept, unit and length of each non-empty entry list
    concepts: list[str] = []
    units_: list[str] = []
    lengths: list[int] = []
    for taxonomy in TAXONOMIES:
        bodies = facts.get(taxonomy) or {}
        if type(bodies) is not dict:
            return None
        for concept, body in bodies.items():
            units = body.get("units") if type(body) is dict else None
            if type(units) is not dict:
                return None
            for unit, entries in units.items():
                if type(entries) is not list:
                    return None
                if entries:
                    entries_all += entries
                    taxonomies.append(taxonomy)
                    concepts.append(concept)
                    units_.append(unit)
                    lengths.append(len(entries))
    try:
        keys = ("end", "val", "accn", "start", "fy", "fp", "form", "filed", "frame")
        end, val, accn, start, fy, fp, form, filed, frame = (_values(entries_all, key) for key in keys)
        if not set(map(type, val)) <= _NUMBERS:
            return None
        accession = pl.Series("accession", accn, dtype=pl.Utf8)  # the walk's str(accn) changes only non-str
        if accession.null_count():
            return None
        days = _DayNumbers()
        end_days = pl.Series(list(map(days.__getitem__, end)), dtype=pl.Int32)
        # a falsy start ("", null) is no start, as in the walk
        start_days = pl.Series([days[raw] if raw else None for raw in start], dtype=pl.Int32)
        filed_days = pl.Series(list(map(days.__getitem__, filed)), dtype=pl.Int32)
        # Series methods and numpy, not expressions: a query's fixed cost is felt on a document of 1,000 facts
        duration = np.nan_to_num(end_days.to_numpy() - start_days.to_numpy() + 1, nan=0)  # no start: NaN -> 0
        each_list = pl.Series(np.repeat(np.arange(len(lengths)), lengths))  # each fact's entry list
        return pl.DataFrame([
            pl.Series("cik", [cik], dtype=pl.Int64).new_from_index(0, len(entries_all)),
            pl.Series("taxonomy", taxonomies, dtype=pl.Utf8)[each_list],
            pl.Series("concept", concepts, dtype=pl.Utf8)[each_list],
            pl.Series("unit", units_, dtype=pl.Utf8)[each_list],
            start_days.cast(pl.Date).alias("period_start"),
            end_days.cast(pl.Date).alias("period_end"),
            pl.Series("duration_days", duration, dtype=pl.Int32),
            pl.Series("value", val, dtype=pl.Float64),  # ints rounded as float() does; overflow alike
            accession,
            pl.Series("fy", fy, dtype=pl.Int32),  # strict, as the walk's frame is: a str fy fails both
            pl.Series("fp", fp, dtype=pl.Utf8),
            pl.Series("form", form, dtype=pl.Utf8),
            filed_days.cast(pl.Date).alias("filed"),
            pl.Series("frame", frame, dtype=pl.Utf8),
        ])
    except _UNUSUAL:
        return None


def _values(entries: list[Any], key: str) -> list[Any]:
    """Each fact's ``key``, None where absent. itemgetter is the faster pass but fails on an absent key."""
    if key not in _OFTEN_ABSENT:
        try:
            return list(map(itemgetter(key), entries))
        except KeyError:
            pass
    return list(map(dict.get, entries, repeat(key)))


def _per_fact(facts: dict[str, Any], cik: int, document: str) -> pl.DataFrame:
    """Fact by fact: raises :class:`SourceError` naming the first unusable fact's path."""
    cols: dict[str, list[Any]] = {name: [] for name in FACT_SCHEMA}
    for taxonomy in TAXONOMIES:
        for concept, body in (facts.get(taxonomy) or {}).items():
            units = body.get("units") if isinstance(body, dict) else None
            if not isinstance(units, dict):
                raise SourceError(SOURCE, document, "missing 'units'", field=f"facts.{taxonomy}.{concept}.units")
            for unit, entries in units.items():
                for i, fact in enumerate(entries):
                    path = f"facts.{taxonomy}.{concept}.units.{unit}[{i}]"
                    try:
                        end_raw, value, accession = fact["end"], fact["val"], fact["accn"]
                    except (KeyError, TypeError) as exc:
                        raise SourceError(SOURCE, document, f"fact lacks {exc}", field=path) from exc
                    if isinstance(value, bool) or not isinstance(value, (int, float)):
                        raise SourceError(SOURCE, document, f"non-numeric val {value!r}", field=f"{path}.val")
                    end = _date(end_raw, document, f"{path}.end")
                    start = _date(fact["start"], document, f"{path}.start") if fact.get("start") else None
                    cols["cik"].append(cik)
                    cols["taxonomy"].append(taxonomy)
                    cols["concept"].append(concept)
                    cols["unit"].append(unit)
                    cols["period_start"].append(start)
                    cols["period_end"].append(end)
                    cols["duration_days"].append((end - start).days + 1 if start else 0)
                    cols["value"].append(float(value))
                    cols["accession"].append(str(accession))
                    cols["fy"].append(fact.get("fy"))
                    cols["fp"].append(fact.get("fp"))
                    cols["form"].append(fact.get("form"))
                    cols["filed"].append(_date(fact.get("filed"), document, f"{path}.filed"))
                    cols["frame"].append(fact.get("frame"))
    return pl.DataFrame(cols, schema=FACT_SCHEMA)


def fetch_companyfacts(client: HttpClient, cik: int) -> pl.DataFrame:
    payload = client.get_json(companyfacts_url(cik), source=SOURCE)
    return parse_companyfacts(payload, document=companyfacts_document(cik), expected_cik=cik)
