"""XBRL ``companyfacts``: every fact a company has filed, long form, with its point-in-time fields.

Shape: ``facts -> taxonomy -> concept -> units -> unit -> [{start?, end, val, accn, fy, fp, form, filed,
frame?}]``. The same period appears in many filings (re-reported, restated); all of them are kept so the
warehouse can answer "as known on date X" and dbt can pick the latest filing per period.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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
