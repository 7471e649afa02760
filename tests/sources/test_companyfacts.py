"""The columnar companyfacts parse against a plain per-fact reading, on the real Snowflake document and on
hand-written ones; bad facts are named by their exact path, the first in document order."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.sec import companyfacts
from valuation_platform.sources.sec.companyfacts import FACT_SCHEMA, parse_companyfacts


def reference_rows(payload: dict[str, Any]) -> list[tuple]:
    """What the parse must return, read fact by fact (valid documents only)."""
    rows = []
    for taxonomy in ("us-gaap", "dei"):
        for concept, body in payload["facts"].get(taxonomy, {}).items():
            for unit, entries in body["units"].items():
                for fact in entries:
                    start = date.fromisoformat(fact["start"]) if fact.get("start") else None
                    end = date.fromisoformat(fact["end"])
                    rows.append((
                        int(payload["cik"]), taxonomy, concept, unit, start, end,
                        (end - start).days + 1 if start else 0, float(fact["val"]), str(fact["accn"]),
                        fact.get("fy"), fact.get("fp"), fact.get("form"), date.fromisoformat(fact["filed"]),
                        fact.get("frame"),
                    ))
    return rows


def fact(**fields: Any) -> dict[str, Any]:
    return {"start": "2023-02-01", "end": "2024-01-31", "val": 100, "accn": "0001-24-1", "fy": 2024,
            "fp": "FY", "form": "10-K", "filed": "2024-03-20", "frame": "CY2023"} | fields


def document(**facts: Any) -> dict[str, Any]:
    """A valid document: Revenues in USD (two facts) and a dei share count; ``facts`` replace taxonomies."""
    revenues = [fact(), fact(val=120.5, accn="0001-25-1")]
    return {"cik": 7, "entityName": "X", "facts": {
        "us-gaap": {"Revenues": {"label": "Revenues", "units": {"USD": revenues}}},
        "dei": {"EntityCommonStockSharesOutstanding": {"units": {"shares": [fact(start=None, val=10)]}}},
    } | facts}


@pytest.fixture
def columnar_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain document must never need the per-fact walk: that would be the old speed."""
    def walk(*args: Any) -> None:
        raise AssertionError("per-fact walk used")
    monkeypatch.setattr(companyfacts, "_per_fact", walk)


def test_real_snowflake_matches_per_fact_reading(shared_fixtures, columnar_only) -> None:
    payload = json.loads((shared_fixtures / "sec/companyfacts_CIK0001640147.json").read_text())
    facts = parse_companyfacts(payload, "snow", expected_cik=1640147)
    assert facts.schema == FACT_SCHEMA
    assert facts.rows() == reference_rows(payload)
    assert facts["frame"].null_count() and facts["period_start"].null_count()  # both shapes are in there


def _without(key: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != key}


def assets(*entries: Any) -> dict[str, Any]:
    """The valid document with its us-gaap facts replaced by Assets in USD."""
    return document(**{"us-gaap": {"Assets": {"units": {"USD": list(entries)}}}})


PLAIN = {
    "no start": assets(_without("start", fact()), fact()),
    "no frame": assets(fact(), _without("frame", fact())),
    "null fy, fp, form": assets(fact(fy=None, fp=None, form=None)),
    "empty lists": document(**{"us-gaap": {"Assets": {"units": {"USD": []}}, "Liabilities": {"units": {}}},
                               "dei": {}}),
    "no facts": document(**{"us-gaap": {}, "dei": {}}),
    "dei only, empty start": {"cik": "7", "facts": {"us-gaap": {}, "dei": {"X": {"units": {"pure": [
        fact(start="")]}}}}},
}
UNUSUAL = {  # valid, but left to the per-fact walk: the result must be the same
    "int accn": assets(fact(), fact(accn=5)),
    "object for a list": document(**{"us-gaap": {"Assets": {"units": {"USD": {}}}}}),
}


@pytest.mark.parametrize("payload", PLAIN.values(), ids=PLAIN.keys())
def test_plain_documents_match_per_fact_reading(payload: dict[str, Any], columnar_only) -> None:
    facts = parse_companyfacts(payload, "doc7")
    assert facts.schema == FACT_SCHEMA and facts.rows() == reference_rows(payload)


@pytest.mark.parametrize("payload", UNUSUAL.values(), ids=UNUSUAL.keys())
def test_unusual_documents_match_per_fact_reading(payload: dict[str, Any]) -> None:
    facts = parse_companyfacts(payload, "doc7")
    assert facts.schema == FACT_SCHEMA and facts.rows() == reference_rows(payload)


def _with_second_revenue(**fields: Any) -> dict[str, Any]:
    """The valid document with its second Revenues fact changed (``None`` removes a field)."""
    payload = copy.deepcopy(document())
    entry = payload["facts"]["us-gaap"]["Revenues"]["units"]["USD"][1]
    entry.update(fields)
    for key in [k for k, v in fields.items() if v is None]:
        del entry[key]
    return payload


SECOND = "facts.us-gaap.Revenues.units.USD[1]"
BAD = {
    "end": (_with_second_revenue(end="2024-13-01"), f"{SECOND}.end", "not an ISO date: '2024-13-01'"),
    "start": (_with_second_revenue(start="2023-02-30"), f"{SECOND}.start", "not an ISO date: '2023-02-30'"),
    "filed": (_with_second_revenue(filed="20-03-2024"), f"{SECOND}.filed", "not an ISO date: '20-03-2024'"),
    "no filed": (_with_second_revenue(filed=None), f"{SECOND}.filed", "not an ISO date: None"),
    "bool val": (_with_second_revenue(val=True), f"{SECOND}.val", "non-numeric val True"),
    "string val": (_with_second_revenue(val="12"), f"{SECOND}.val", "non-numeric val '12'"),
    "no accn": (_with_second_revenue(accn=None), SECOND, "fact lacks 'accn'"),
    "no end": (_with_second_revenue(end=None), SECOND, "fact lacks 'end'"),
    "no units": (document(**{"us-gaap": {"Revenues": {"label": "Revenues"}}}), "facts.us-gaap.Revenues.units",
                 "missing 'units'"),
    # the first bad fact in document order: the val before the later end, the end before its own filed
    "first of two": (
        document(**{"us-gaap": {"Revenues": {"units": {"USD": [fact(), fact(val=False, end="x")]}},
                                "Assets": {"units": {"USD": [fact(end="bad")]}}}}),
        f"{SECOND}.val", "non-numeric val False",
    ),
    "end before filed": (_with_second_revenue(end="x", filed="y"), f"{SECOND}.end", "not an ISO date: 'x'"),
    "us-gaap before dei": (
        document(dei={"Shares": {"units": {"shares": [fact(end="dei")]}}},
                 **{"us-gaap": {"Revenues": {"units": {"USD": [fact(), fact(filed="gaap")]}}}}),
        f"{SECOND}.filed", "not an ISO date: 'gaap'",
    ),
}


@pytest.mark.parametrize(("payload", "path", "reason"), BAD.values(), ids=BAD.keys())
def test_bad_fact_is_named_by_its_path(payload: dict[str, Any], path: str, reason: str) -> None:
    with pytest.raises(SourceError) as err:
        parse_companyfacts(payload, "doc7")
    assert (err.value.field, err.value.reason, err.value.document) == (path, reason, "doc7")
