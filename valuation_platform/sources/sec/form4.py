"""SEC Form 4 (insider transactions): the ``ownershipDocument`` XML, parsed into one row per table line.

Row design
----------
One row per line of the document's tables, in document order (``row_number`` 0, 1, ...): every
``nonDerivativeTransaction``, ``nonDerivativeHolding``, ``derivativeTransaction`` and
``derivativeHolding``. Holdings (``record_type == 'holding'``) report a position without a transaction
(transaction fields are None).

Several ``reportingOwner`` elements mean the owners reported the *same* transactions jointly (a fund
and its general partner, spouses, a trust and its trustee). Emitting one row per owner would count the
shares once per owner, so the parser emits **one row per transaction** and describes the owners on it:
``insider_cik``/``insider_name`` are the first listed owner (the one EDGAR files under) with every
name joined by ``'; '`` in ``insider_name``; ``reporting_owner_ciks`` lists all CIKs; the role flags are
OR-ed across owners and ``insider_title`` joins each owner's title with ``'; '``. Summing ``shares`` per
ticker therefore never double-counts a joint filing.

Net insider buying: sum ``shares`` of non-derivative ``record_type == 'transaction'`` rows with
``transaction_code`` ``'P'`` (open-market purchase, ``acquired_disposed == 'A'``) minus ``'S'``
(open-market sale), after :func:`prefer_amendments`.

Amendments: a 4/A restates the original filing of the same owner(s), issuer and period; the XML carries
``dateOfOriginalSubmission`` but no accession of the original, so rows carry ``is_amendment`` and
``date_of_original_submission`` and :func:`prefer_amendments` drops the superseded original rows.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.sec.filing_index import (
    child,
    children,
    fetch_filing_index,
    filing_date_from_index,
    filing_document_url,
    filing_index_json_url,
    normalize_accession,
    parse_edgar_xml,
    pick_form4_document,
    text_at,
)
from valuation_platform.sources.sec.urls import SOURCE

# Forms 3 and 5 share the schema; parsing them is harmless and lets one parser serve all three.
OWNERSHIP_DOCUMENT_TYPES = frozenset({"3", "3/A", "4", "4/A", "5", "5/A"})
_NO_SYMBOL = frozenset({"", "NONE", "N/A", "NA", "NOT APPLICABLE"})
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_TABLES = (
    ("nonDerivativeTable", ("nonDerivativeTransaction", "nonDerivativeHolding"), False),
    ("derivativeTable", ("derivativeTransaction", "derivativeHolding"), True),
)

ROW_KEYS = (
    "accession", "document_type", "is_amendment", "date_of_original_submission", "period_of_report",
    "filing_date", "ticker", "issuer_cik", "issuer_name", "insider_cik", "insider_name", "insider_title",
    "is_director", "is_officer", "is_ten_percent_owner", "is_other", "reporting_owner_ciks",
    "n_reporting_owners", "row_number", "record_type", "is_derivative", "security_title",
    "transaction_date", "deemed_execution_date", "transaction_code", "equity_swap_involved",
    "acquired_disposed", "shares", "price_per_share", "total_value", "shares_owned_after",
    "direct_indirect", "nature_of_ownership", "conversion_or_exercise_price", "exercise_date",
    "expiration_date", "underlying_security_title", "underlying_shares", "footnotes",
)  # fmt: skip


class _Doc:
    """Field readers that name the accession and the element in every error."""

    def __init__(self, accession: str) -> None:
        self.document = f"Form 4 {accession}"

    def error(self, message: str, field: str | None = None) -> SourceError:
        return SourceError(SOURCE, self.document, message, field=field)

    def number(self, element: ET.Element | None, path: tuple[str, ...], where: str) -> float | None:
        raw = text_at(element, *path, "value")
        if raw is None:
            return None  # a value given only as a footnote reference, or left blank
        try:
            return float(raw.replace(",", ""))
        except ValueError as exc:
            raise self.error(f"not a number: {raw!r}", field=f"{where}/{'/'.join(path)}") from exc

    def day(self, raw: str | None, field: str) -> date | None:
        if raw is None:
            return None
        match = _DATE.match(raw)  # xs:date may carry a zone suffix ("2019-03-01-05:00")
        if not match:
            raise self.error(f"not a date: {raw!r}", field=field)
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as exc:
            raise self.error(f"not a date: {raw!r}", field=field) from exc


def _flag(raw: str | None) -> bool:
    return (raw or "").strip().lower() in ("1", "true", "y", "yes")


def _owner(owner: ET.Element, doc: _Doc, position: int) -> dict[str, Any]:
    where = f"reportingOwner[{position}]"
    cik_raw = text_at(owner, "reportingOwnerId", "rptOwnerCik")
    if not cik_raw or not cik_raw.isdigit():
        raise doc.error(
            f"missing or non-numeric owner CIK {cik_raw!r}", field=f"{where}/reportingOwnerId/rptOwnerCik"
        )
    relationship = child(owner, "reportingOwnerRelationship")
    flags = {
        key: _flag(text_at(relationship, tag))
        for key, tag in (
            ("is_director", "isDirector"),
            ("is_officer", "isOfficer"),
            ("is_ten_percent_owner", "isTenPercentOwner"),
            ("is_other", "isOther"),
        )
    }
    officer_title = text_at(relationship, "officerTitle")
    other_text = text_at(relationship, "otherText")
    parts = []
    if flags["is_director"]:
        parts.append("Director")
    if officer_title and officer_title not in parts:  # some directors file a title without isOfficer
        parts.append(officer_title)
    elif flags["is_officer"] and not officer_title:
        parts.append("Officer")
    if flags["is_ten_percent_owner"]:
        parts.append("10% Owner")
    if flags["is_other"] or other_text:
        parts.append(f"Other: {other_text}" if other_text else "Other")
    return {
        "cik": int(cik_raw),
        "name": text_at(owner, "reportingOwnerId", "rptOwnerName") or "",
        "title": ", ".join(parts) or None,
        **flags,
    }


def _footnote_ids(row: ET.Element) -> list[str]:
    seen: dict[str, None] = {}
    for node in row.iter("footnoteId"):
        if node.get("id"):
            seen.setdefault(node.get("id"), None)
    return list(seen)


def parse_form4(xml: bytes, *, accession: str, filing_date: date | None = None) -> list[dict[str, Any]]:
    """Rows of one ownershipDocument (see the module docstring for the row design).

    Row keys and types: accession (str), document_type (str '4' | '4/A' | ...), is_amendment (bool),
    date_of_original_submission (date | None), period_of_report (date), filing_date (date | None, from the
    caller), ticker (str | None), issuer_cik (int), issuer_name (str), insider_cik (int), insider_name
    (str), insider_title (str | None), is_director / is_officer / is_ten_percent_owner / is_other (bool),
    reporting_owner_ciks (list[int]), n_reporting_owners (int), row_number (int), record_type
    ('transaction' | 'holding'), is_derivative (bool), security_title (str | None), transaction_date
    (date | None), deemed_execution_date (date | None), transaction_code (str | None),
    equity_swap_involved (bool | None), acquired_disposed ('A' | 'D' | None), shares (float | None),
    price_per_share (float | None), total_value (float | None: shares x price when both are known),
    shares_owned_after (float | None), direct_indirect ('D' | 'I' | None), nature_of_ownership (str |
    None), conversion_or_exercise_price (float | None), exercise_date / expiration_date (date | None),
    underlying_security_title (str | None), underlying_shares (float | None), footnotes (dict[str, str]:
    footnote id -> text, for the footnotes referenced anywhere in that row).

    A document with no table lines (nothing to report) yields no rows. Raises :class:`SourceError` for
    malformed XML (e.g. a truncated download) or a missing issuer/owner/document type.
    """
    accession = normalize_accession(accession)
    doc = _Doc(accession)
    root = parse_edgar_xml(xml, document=doc.document)
    if root.tag != "ownershipDocument":
        raise doc.error(f"root element is <{root.tag}>, expected <ownershipDocument>")
    document_type = text_at(root, "documentType")
    if document_type not in OWNERSHIP_DOCUMENT_TYPES:
        raise doc.error(f"unexpected documentType {document_type!r}", field="documentType")
    period = doc.day(text_at(root, "periodOfReport"), "periodOfReport")
    if period is None:
        raise doc.error("missing periodOfReport", field="periodOfReport")
    issuer = child(root, "issuer")
    issuer_cik = text_at(issuer, "issuerCik")
    if not issuer_cik or not issuer_cik.isdigit():
        raise doc.error(f"missing or non-numeric issuer CIK {issuer_cik!r}", field="issuer/issuerCik")
    symbol = (text_at(issuer, "issuerTradingSymbol") or "").upper()
    owners = [_owner(o, doc, i) for i, o in enumerate(children(root, "reportingOwner"))]
    if not owners:
        raise doc.error("no reportingOwner", field="reportingOwner")
    footnote_text = {
        node.get("id"): " ".join("".join(node.itertext()).split())
        for node in children(child(root, "footnotes"), "footnote")
        if node.get("id")
    }
    titles = [o["title"] for o in owners if o["title"]]
    common: dict[str, Any] = {
        "accession": accession,
        "document_type": document_type,
        "is_amendment": document_type.endswith("/A"),
        "date_of_original_submission": doc.day(
            text_at(root, "dateOfOriginalSubmission"), "dateOfOriginalSubmission"
        ),
        "period_of_report": period,
        "filing_date": filing_date,
        "ticker": None if symbol in _NO_SYMBOL else symbol,
        "issuer_cik": int(issuer_cik),
        "issuer_name": text_at(issuer, "issuerName") or "",
        "insider_cik": owners[0]["cik"],
        "insider_name": "; ".join(o["name"] for o in owners),
        "insider_title": "; ".join(titles) if titles else None,
        "is_director": any(o["is_director"] for o in owners),
        "is_officer": any(o["is_officer"] for o in owners),
        "is_ten_percent_owner": any(o["is_ten_percent_owner"] for o in owners),
        "is_other": any(o["is_other"] for o in owners),
        "reporting_owner_ciks": [o["cik"] for o in owners],
        "n_reporting_owners": len(owners),
    }
    rows: list[dict[str, Any]] = []
    for table_tag, line_tags, is_derivative in _TABLES:
        table = child(root, table_tag)
        if table is None:
            continue  # a Form 4 may report only derivatives (or only non-derivatives)
        counters = dict.fromkeys(line_tags, 0)
        for line in table:
            tag = line.tag
            if tag not in counters:
                continue
            where = f"{table_tag}/{tag}[{counters[tag]}]"
            counters[tag] += 1
            rows.append(_line(line, tag, where, is_derivative, len(rows), common, footnote_text, doc))
    return rows


def _line(
    line: ET.Element,
    tag: str,
    where: str,
    is_derivative: bool,
    row_number: int,
    common: dict[str, Any],
    footnote_text: dict[str, str],
    doc: _Doc,
) -> dict[str, Any]:
    is_transaction = tag.endswith("Transaction")
    amounts = child(line, "transactionAmounts")
    shares = doc.number(amounts, ("transactionShares",), where)
    price = doc.number(amounts, ("transactionPricePerShare",), where)
    acquired = text_at(amounts, "transactionAcquiredDisposedCode", "value")
    if acquired is not None and acquired.upper() not in ("A", "D"):
        raise doc.error(
            f"acquired/disposed code {acquired!r}", field=f"{where}/transactionAcquiredDisposedCode"
        )
    swap = text_at(line, "transactionCoding", "equitySwapInvolved")
    underlying = child(line, "underlyingSecurity")
    ids = _footnote_ids(line)
    missing = [i for i in ids if i not in footnote_text]
    if missing:
        raise doc.error(f"footnote(s) {missing} referenced but not defined", field=f"{where}/footnoteId")
    return {
        **common,
        "row_number": row_number,
        "record_type": "transaction" if is_transaction else "holding",
        "is_derivative": is_derivative,
        "security_title": text_at(line, "securityTitle", "value"),
        "transaction_date": doc.day(text_at(line, "transactionDate", "value"), f"{where}/transactionDate"),
        "deemed_execution_date": doc.day(
            text_at(line, "deemedExecutionDate", "value"), f"{where}/deemedExecutionDate"
        ),
        "transaction_code": text_at(line, "transactionCoding", "transactionCode"),
        "equity_swap_involved": None if swap is None else _flag(swap),
        "acquired_disposed": acquired.upper() if acquired else None,
        "shares": shares,
        "price_per_share": price,
        "total_value": round(shares * price, 2) if shares is not None and price is not None else None,
        "shares_owned_after": doc.number(
            child(line, "postTransactionAmounts"), ("sharesOwnedFollowingTransaction",), where
        ),
        "direct_indirect": text_at(line, "ownershipNature", "directOrIndirectOwnership", "value"),
        "nature_of_ownership": text_at(line, "ownershipNature", "natureOfOwnership", "value"),
        "conversion_or_exercise_price": doc.number(line, ("conversionOrExercisePrice",), where),
        "exercise_date": doc.day(text_at(line, "exerciseDate", "value"), f"{where}/exerciseDate"),
        "expiration_date": doc.day(text_at(line, "expirationDate", "value"), f"{where}/expirationDate"),
        "underlying_security_title": text_at(underlying, "underlyingSecurityTitle", "value"),
        "underlying_shares": doc.number(underlying, ("underlyingSecurityShares",), where),
        "footnotes": {i: footnote_text[i] for i in ids},
    }


def prefer_amendments(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the rows of original filings that a later 4/A restates.

    An amendment supersedes an earlier non-amendment filing (or an earlier amendment) with the same
    issuer, the same reporting owners and the same period of report, filed on its
    ``date_of_original_submission`` (any earlier date when the amendment does not say). Rows must carry
    ``filing_date`` for the ordering; the order of surviving rows is kept. An amendment that reports
    no table lines has no rows, so it cannot supersede anything here.
    """
    rows = list(rows)
    groups: dict[tuple[Any, ...], dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in rows:  # one representative row per filing, grouped by what an amendment can restate
        key = (row["issuer_cik"], tuple(sorted(row["reporting_owner_ciks"])), row["period_of_report"])
        groups[key].setdefault(row["accession"], row)

    superseded: set[str] = set()
    for filings in groups.values():
        for amendment in filings.values():
            amended_filed = amendment["filing_date"]
            if not amendment["is_amendment"] or amended_filed is None:
                continue
            original_date = amendment["date_of_original_submission"]
            for other in filings.values():
                filed = other["filing_date"]
                if other is amendment or filed is None:
                    continue
                earlier = filed < amended_filed or (
                    filed == amended_filed and other["accession"] < amendment["accession"]
                )
                # An earlier amendment is restated too; an original only when it is the one named by date.
                if earlier and (other["is_amendment"] or original_date is None or filed == original_date):
                    superseded.add(other["accession"])
    return [row for row in rows if row["accession"] not in superseded]


def fetch_form4(
    client: HttpClient, cik: int, accession: str, *, filing_date: date | None = None
) -> list[dict[str, Any]]:
    """Fetch and parse one Form 4: ``index.json`` names the primary XML (see :mod:`.filing_index`).

    ``cik`` is any filer of the accession (issuer or reporting owner). ``filing_date`` should come from
    the feed or daily index; when omitted it is read from the folder's document timestamps.
    """
    items = fetch_filing_index(client, cik, accession)
    name = pick_form4_document(items, document=mirror_relpath(filing_index_json_url(cik, accession)))
    body = client.get_bytes(filing_document_url(cik, accession, name), source=SOURCE)
    return parse_form4(body, accession=accession, filing_date=filing_date or filing_date_from_index(items))
