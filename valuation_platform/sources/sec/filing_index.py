"""Filing discovery on EDGAR: the current-filings Atom feed, the daily form index, filing folders.

Three ways to learn that a Form 4 or 13F exists, and one way to find its XML:

* ``browse-edgar?action=getcurrent&output=atom`` — the "latest filings" feed, newest first, 100 entries
  per page (``start``/``count`` page it). A filing appears once per filer: a Form 4 shows one
  ``(Reporting)`` entry per reporting owner and one ``(Issuer)`` entry, all with the same accession.
  :func:`feed_filings` folds those entries into one row per accession.
* ``Archives/edgar/daily-index/{YYYY}/QTR{q}/form.{YYYYMMDD}.idx`` — every filing of a business day,
  fixed-width, again one line per filer.
* ``Archives/edgar/data/{cik}/{accession without dashes}/index.json`` — the folder listing of one
  filing. The same folder exists under every filer's CIK (issuer and each reporting owner), so any of
  those CIKs works live; the generated mirror writes the folder under each of them too.

Primary-document convention (documented here, used by :mod:`.form4` and :mod:`.form13f`): the XML is
fetched from ``https://www.sec.gov/Archives/edgar/data/{cik}/{accession_no_dashes}/{name}`` where
``name`` is read from that filing's ``index.json`` (Form 4 primary documents have free names such as
``wf-form4_167106081927406.xml`` or ``doc4.xml``; 13F filings have ``primary_doc.xml`` plus an
information table with a free name). Rendered copies live in ``xsl*`` sub-folders and are never picked.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient, decode_json, mirror_relpath
from valuation_platform.sources.sec.urls import SOURCE

ARCHIVES = "https://www.sec.gov/Archives/edgar/data"
CURRENT_FEED_URL = "https://www.sec.gov/cgi-bin/browse-edgar"
# The EDGAR "latest filings" page only honours these page sizes; anything else silently becomes 40.
FEED_PAGE_SIZES = frozenset({10, 20, 40, 80, 100})

FORM4_TYPES = frozenset({"4", "4/A"})
FORM13F_TYPES = frozenset({"13F-HR", "13F-HR/A"})
OWNERSHIP_FORMS = FORM4_TYPES | FORM13F_TYPES

_ACCESSION = re.compile(r"^(\d{10})-?(\d{2})-?(\d{6})$")
_FEED_TITLE = re.compile(r"^(?P<form>.+?) - (?P<name>.*) \((?P<cik>\d{1,10})\) \((?P<role>[^()]*)\)\s*$")
_FEED_ID = re.compile(r"accession-number=(\d{10}-\d{2}-\d{6})")
_SUMMARY_FILED = re.compile(r"Filed:\s*</b>\s*(\d{4}-\d{2}-\d{2})|Filed:\s*(\d{4}-\d{2}-\d{2})")
_SUMMARY_SIZE = re.compile(r"Size:\s*(?:</b>)?\s*(\d+)\s*KB", re.IGNORECASE)
_IDX_ROW = re.compile(r"^(?P<left>.*?)\s+(?P<cik>\d{1,10})\s+(?P<date>\d{8})\s+(?P<file>edgar/\S+)\s*$")
# XBRL instance/linkbase files and the viewer's R pages are XML too, but never the ownership document.
_NOT_PRIMARY = re.compile(r"(^R\d+\.xml$|^FilingSummary\.xml$|_(htm|cal|def|lab|pre)\.xml$|\.xsd$)", re.I)


# ---------------------------------------------------------------- accessions and archive URLs
def normalize_accession(accession: str) -> str:
    """``0001640147-22-000218`` from either the dashed or the 18-digit form; ValueError otherwise."""
    match = _ACCESSION.match(str(accession).strip())
    if not match:
        raise ValueError(f"not an EDGAR accession number: {accession!r}")
    return "-".join(match.groups())


def accession_nodash(accession: str) -> str:
    return normalize_accession(accession).replace("-", "")


def filing_folder_url(cik: int, accession: str) -> str:
    """The filing's folder under one filer's CIK (no leading zeros, as EDGAR writes it)."""
    return f"{ARCHIVES}/{int(cik)}/{accession_nodash(accession)}"


def filing_index_json_url(cik: int, accession: str) -> str:
    return f"{filing_folder_url(cik, accession)}/index.json"


def filing_document_url(cik: int, accession: str, name: str) -> str:
    return f"{filing_folder_url(cik, accession)}/{name}"


def filing_index_htm_url(cik: int, accession: str) -> str:
    """The human-readable filing index page the Atom feed links to."""
    return f"{filing_folder_url(cik, accession)}/{normalize_accession(accession)}-index.htm"


# ---------------------------------------------------------------- XML helpers shared by the SEC parsers
def parse_edgar_xml(body: bytes, *, document: str) -> ET.Element:
    """Parse an EDGAR XML payload into a tree whose tags carry no namespace.

    Filers write the same schema with a default namespace, a prefix (``ns1:infoTable``) or none, so the
    namespaces are dropped once here and every lookup below is a plain (C-speed) ``find``. Truncated or
    malformed bytes become a :class:`SourceError`. DTDs are refused outright: EDGAR XML never carries
    one, and the stdlib parser would expand internal entities (the "billion laughs" payload).
    """
    if not body or not body.strip():
        raise SourceError(SOURCE, document, "empty XML document")
    if b"<!DOCTYPE" in body[:4096] or b"<!ENTITY" in body[:4096]:
        raise SourceError(SOURCE, document, "XML with a DTD/entity declarations is not accepted")
    # Documents cut out of the full-text submission keep the newline before "<?xml", which expat rejects.
    body = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SourceError(SOURCE, document, f"malformed or truncated XML ({exc})") from exc
    for element in root.iter():
        tag = element.tag
        if isinstance(tag, str) and tag.startswith("{"):
            element.tag = tag.split("}", 1)[1]
    return root


def child(element: ET.Element | None, name: str) -> ET.Element | None:
    """First direct child named ``name``."""
    return None if element is None else element.find(name)


def children(element: ET.Element | None, name: str) -> list[ET.Element]:
    return [] if element is None else element.findall(name)


def find_path(element: ET.Element | None, *names: str) -> ET.Element | None:
    return None if element is None else element.find("/".join(names))


def text_at(element: ET.Element | None, *names: str) -> str | None:
    """Whitespace-collapsed text at a child path, or None when absent or blank."""
    node = find_path(element, *names)
    if node is None or node.text is None:
        return None
    value = " ".join(node.text.split())
    return value or None


# ---------------------------------------------------------------- the current-filings Atom feed
def current_feed_params(form_type: str = "4", start: int = 0, count: int = 100) -> dict[str, str | int]:
    """The query the client sends; the mirror file name is built from exactly these parameters."""
    if count not in FEED_PAGE_SIZES:
        raise ValueError(f"count must be one of {sorted(FEED_PAGE_SIZES)} (EDGAR ignores other sizes)")
    if start < 0:
        raise ValueError("start must be >= 0")
    # Keys in sorted order: the loopback test server matches the query string as sent, and the mirror
    # file name sorts them (``public_query``), so sending them sorted keeps the two identical.
    return {"action": "getcurrent", "count": count, "output": "atom", "start": start, "type": form_type}


def parse_current_feed(body: bytes, *, document: str = "getcurrent feed") -> list[dict[str, Any]]:
    """Entries of the Atom feed, in feed order (newest first).

    Row keys: form_type (str), accession (str, dashed), cik (int, the entity of this entry),
    company_name (str), role (str: 'Reporting', 'Issuer', 'Filer', 'Subject', 'Filed by', ...),
    filing_date (date | None, from the summary), updated (tz-aware UTC datetime: the acceptance time),
    filing_index_url (str, the ``-index.htm`` page), size_kb (int | None).
    """
    root = parse_edgar_xml(body, document=document)
    if root.tag != "feed":
        raise SourceError(SOURCE, document, f"expected an Atom <feed>, got <{root.tag}>")
    rows: list[dict[str, Any]] = []
    for position, entry in enumerate(root.iter("entry")):
        where = f"entry[{position}]"
        title = text_at(entry, "title") or ""
        title_match = _FEED_TITLE.match(title)
        if not title_match:
            raise SourceError(SOURCE, document, f"unrecognised title {title!r}", field=f"{where}/title")
        id_match = _FEED_ID.search(text_at(entry, "id") or "")
        link = child(entry, "link")
        href = link.get("href") if link is not None else None
        if not id_match and href:
            id_match = re.search(r"/(\d{10}-\d{2}-\d{6})-index", href)
        if not id_match:
            raise SourceError(SOURCE, document, "no accession number in id or link", field=f"{where}/id")
        category = child(entry, "category")
        form_type = (category.get("term") if category is not None else None) or title_match["form"]
        updated_raw = text_at(entry, "updated")
        try:
            updated = datetime.fromisoformat(updated_raw or "")
        except ValueError as exc:
            raise SourceError(
                SOURCE, document, f"bad timestamp {updated_raw!r}", field=f"{where}/updated"
            ) from exc
        if updated.tzinfo is None:
            raise SourceError(SOURCE, document, "timestamp without an offset", field=f"{where}/updated")
        summary = " ".join((text_at(entry, "summary") or "").split())
        filed_match = _SUMMARY_FILED.search(summary)
        size_match = _SUMMARY_SIZE.search(summary)
        accession = id_match.group(1)
        cik = int(title_match["cik"])
        rows.append(
            {
                "form_type": form_type.strip(),
                "accession": accession,
                "cik": cik,
                "company_name": title_match["name"].strip(),
                "role": title_match["role"].strip(),
                "filing_date": date.fromisoformat(next(g for g in filed_match.groups() if g))
                if filed_match
                else None,
                "updated": updated.astimezone(UTC),
                "filing_index_url": href or filing_index_htm_url(cik, accession),
                "size_kb": int(size_match.group(1)) if size_match else None,
            }
        )
    return rows


def feed_filings(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per accession from feed entries (first-seen order).

    Row keys: accession, form_type, filing_date, updated, issuer_cik (int | None), issuer_name,
    reporting_ciks (list[int]), filer_ciks (list[int], every entity listed), archive_cik (int: the
    issuer's CIK when there is one, else the first filer — the folder fetches go to).
    """
    out: dict[str, dict[str, Any]] = {}
    for entry in entries:
        row = out.setdefault(
            entry["accession"],
            {
                "accession": entry["accession"],
                "form_type": entry["form_type"],
                "filing_date": entry["filing_date"],
                "updated": entry["updated"],
                "issuer_cik": None,
                "issuer_name": None,
                "reporting_ciks": [],
                "filer_ciks": [],
            },
        )
        if entry["cik"] not in row["filer_ciks"]:
            row["filer_ciks"].append(entry["cik"])
        if entry["role"] == "Issuer":
            row["issuer_cik"], row["issuer_name"] = entry["cik"], entry["company_name"]
        elif entry["role"] == "Reporting" and entry["cik"] not in row["reporting_ciks"]:
            row["reporting_ciks"].append(entry["cik"])
    for row in out.values():
        row["archive_cik"] = row["issuer_cik"] if row["issuer_cik"] is not None else row["filer_ciks"][0]
    return list(out.values())


def fetch_current_feed(
    client: HttpClient, form_type: str = "4", start: int = 0, count: int = 100
) -> list[dict[str, Any]]:
    """One page of the latest-filings feed (see :func:`parse_current_feed` for the row keys)."""
    params = current_feed_params(form_type, start, count)
    body = client.get_bytes(CURRENT_FEED_URL, source=SOURCE, params=params)
    return parse_current_feed(body, document=mirror_relpath(CURRENT_FEED_URL, params))


def fetch_current_feed_pages(
    client: HttpClient, form_type: str = "4", *, count: int = 100, max_pages: int = 10
) -> list[dict[str, Any]]:
    """Pages until a short page (EDGAR's end of the list) or ``max_pages``; entries in feed order."""
    entries: list[dict[str, Any]] = []
    for page in range(max_pages):
        rows = fetch_current_feed(client, form_type, start=page * count, count=count)
        entries.extend(rows)
        if len(rows) < count:
            break
    return entries


# ---------------------------------------------------------------- the daily form index
def daily_index_url(day: date) -> str:
    quarter = (day.month - 1) // 3 + 1
    return f"https://www.sec.gov/Archives/edgar/daily-index/{day.year}/QTR{quarter}/form.{day:%Y%m%d}.idx"


def parse_daily_index(
    body: bytes, *, document: str = "daily form index", forms: Iterable[str] | None = OWNERSHIP_FORMS
) -> list[dict[str, Any]]:
    """Rows of a daily ``form.YYYYMMDD.idx``, filtered to ``forms`` (None keeps every form).

    Row keys: form_type (str), company_name (str), cik (int), date_filed (date), file_name (str,
    ``edgar/data/{cik}/{accession}.txt``), accession (str, dashed).

    The file is fixed-width, but newer indexes widen the form-type column to 17 characters for long
    types (``SCHEDULE 13G/A``) while keeping the old header, so the right-hand fields (CIK, date, file
    name) are read from the end of the line and the form/company split is found per line.
    """
    wanted = None if forms is None else {f.upper() for f in forms}
    text = body.decode("latin-1")  # EDGAR indexes are ASCII; latin-1 never fails on stray bytes
    lines = text.splitlines()
    header_at = next((i for i, line in enumerate(lines) if line.startswith("Form Type")), None)
    if header_at is None or header_at + 1 >= len(lines) or not lines[header_at + 1].startswith("---"):
        raise SourceError(SOURCE, document, "no 'Form Type ... File Name' header followed by a dashed rule")
    name_col = lines[header_at].find("Company Name")
    if name_col <= 0:
        raise SourceError(SOURCE, document, "header has no 'Company Name' column", field="header")
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines[header_at + 2 :], start=header_at + 3):
        if not line.strip():
            continue
        match = _IDX_ROW.match(line)
        if not match:
            raise SourceError(SOURCE, document, f"unreadable index line {number}: {line.strip()!r}")
        form_type, company = _split_form_and_company(match["left"], name_col)
        if wanted is not None and form_type.upper() not in wanted:
            continue
        file_name = match["file"]
        accession_match = re.search(r"(\d{10}-\d{2}-\d{6})\.txt$", file_name)
        if not accession_match:
            raise SourceError(SOURCE, document, f"no accession in file name {file_name!r} (line {number})")
        try:
            filed = datetime.strptime(match["date"], "%Y%m%d").date()
        except ValueError as exc:
            raise SourceError(SOURCE, document, f"bad date on line {number}", field="Date Filed") from exc
        rows.append(
            {
                "form_type": form_type,
                "company_name": company,
                "cik": int(match["cik"]),
                "date_filed": filed,
                "file_name": file_name,
                "accession": accession_match.group(1),
            }
        )
    return rows


def _split_form_and_company(left: str, header_col: int) -> tuple[str, str]:
    # A column boundary is where a blank is followed by the company's first character. Try the header's
    # column, the classic 12 and the widened 17; failing those, form types never hold two blanks in a row.
    for col in dict.fromkeys((header_col, 12, 17)):
        if len(left) > col and left[col - 1] == " " and left[col] != " ":
            return left[:col].strip(), left[col:].strip()
    parts = re.split(r"\s{2,}", left.strip(), maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def fetch_daily_index(
    client: HttpClient, day: date, *, forms: Iterable[str] | None = OWNERSHIP_FORMS
) -> list[dict[str, Any]]:
    """The day's filings of ``forms``. EDGAR publishes no index on weekends: those return [] unasked.

    A weekday with no file (a federal holiday, or a day not yet published) raises the client's
    :class:`FetchError` with ``status == 404``; the caller decides whether that is expected.
    """
    if day.weekday() >= 5:
        return []
    url = daily_index_url(day)
    body = client.get_bytes(url, source=SOURCE)
    return parse_daily_index(body, document=mirror_relpath(url), forms=forms)


# ---------------------------------------------------------------- a filing's folder (index.json)
def parse_filing_index_json(body: bytes, *, document: str) -> list[dict[str, Any]]:
    """Items of a filing folder: name (str), type (str), size (int | None), last_modified (datetime | None,
    naive US/Eastern wall time as EDGAR prints it), is_folder (bool)."""
    payload = decode_json(body, source=SOURCE, document=document)
    try:
        items = payload["directory"]["item"]
    except (KeyError, TypeError) as exc:
        raise SourceError(SOURCE, document, "expected directory.item[]", field="directory.item") from exc
    if not isinstance(items, list):
        raise SourceError(SOURCE, document, "directory.item is not a list", field="directory.item")
    out = []
    for i, item in enumerate(items):
        name = str(item.get("name") or "") if isinstance(item, dict) else ""
        if not name:
            raise SourceError(SOURCE, document, "item without a name", field=f"directory.item[{i}].name")
        size = str(item.get("size") or "").strip()
        modified_raw = str(item.get("last-modified") or "").strip()
        try:
            modified = datetime.strptime(modified_raw, "%Y-%m-%d %H:%M:%S") if modified_raw else None
        except ValueError as exc:
            raise SourceError(
                SOURCE, document, f"bad last-modified {modified_raw!r}", field=f"directory.item[{i}]"
            ) from exc
        kind = str(item.get("type") or "")
        out.append(
            {
                "name": name,
                "type": kind,
                "size": int(size) if size.isdigit() else None,
                "last_modified": modified,
                "is_folder": kind.startswith("folder") or name.endswith("/"),
            }
        )
    return out


def xml_documents(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The folder's XML files that can be a primary or information-table document."""
    return [
        item
        for item in items
        if not item["is_folder"]
        and item["name"].lower().endswith(".xml")
        and not _NOT_PRIMARY.search(item["name"])
    ]


def pick_form4_document(items: Iterable[dict[str, Any]], *, document: str) -> str:
    """The ownershipDocument's file name. Filer agents name it freely (``wf-form4_*.xml``, ``doc4.xml``,
    ``form4.xml``, ``primary_doc.xml``); a Form 4 folder has exactly one such XML, and if an agent adds
    more we prefer a name that says form4/doc4, then the first listed."""
    candidates = xml_documents(items)
    if not candidates:
        raise SourceError(SOURCE, document, "no XML document in the filing folder", field="directory.item")
    for item in candidates:
        if re.search(r"form4|doc4|f345|ownership", item["name"], re.I):
            return item["name"]
    return candidates[0]["name"]


def pick_13f_documents(items: Iterable[dict[str, Any]], *, document: str) -> tuple[str, str | None]:
    """(cover page, information table) file names. The cover is always ``primary_doc.xml``; the table has a
    free name (``infotable.xml``, ``form13fInfoTable.xml``, ``46994.xml``): prefer 'info' in the name, else
    the largest remaining XML. None for the table when the filing has none (13F-NT)."""
    candidates = xml_documents(items)
    names = [item["name"] for item in candidates]
    primary = next((n for n in names if n.lower() == "primary_doc.xml"), None)
    if primary is None:
        raise SourceError(
            SOURCE, document, "no primary_doc.xml in the 13F filing folder", field="directory.item"
        )
    rest = [item for item in candidates if item["name"] != primary]
    if not rest:
        return primary, None
    named = [item for item in rest if "info" in item["name"].lower()]
    pool = named or rest
    return primary, max(pool, key=lambda item: item["size"] or 0)["name"]


def filing_date_from_index(items: Iterable[dict[str, Any]]) -> date | None:
    """The filing date as the folder shows it: the earliest document timestamp (EDGAR writes the folder
    at acceptance). Used when the caller does not pass the date from the feed or the daily index."""
    stamps = [
        item["last_modified"] for item in items if item["last_modified"] is not None and not item["is_folder"]
    ]
    return min(stamps).date() if stamps else None


def fetch_filing_index(client: HttpClient, cik: int, accession: str) -> list[dict[str, Any]]:
    url = filing_index_json_url(cik, accession)
    return parse_filing_index_json(client.get_bytes(url, source=SOURCE), document=mirror_relpath(url))


def primary_document_url(client: HttpClient, cik: int, accession: str, *, form: str = "4") -> str:
    """URL of the primary XML of a Form 4 (``form='4'``) or the 13F cover (``form='13F'``), read from the
    filing's ``index.json``."""
    items = fetch_filing_index(client, cik, accession)
    document = mirror_relpath(filing_index_json_url(cik, accession))
    if form.upper().startswith("13F"):
        name = pick_13f_documents(items, document=document)[0]
    else:
        name = pick_form4_document(items, document=document)
    return filing_document_url(cik, accession, name)


__all__ = [
    "FORM13F_TYPES",
    "FORM4_TYPES",
    "OWNERSHIP_FORMS",
    "accession_nodash",
    "current_feed_params",
    "daily_index_url",
    "feed_filings",
    "fetch_current_feed",
    "fetch_current_feed_pages",
    "fetch_daily_index",
    "fetch_filing_index",
    "filing_date_from_index",
    "filing_document_url",
    "filing_index_json_url",
    "normalize_accession",
    "parse_current_feed",
    "parse_daily_index",
    "parse_filing_index_json",
    "pick_13f_documents",
    "pick_form4_document",
    "primary_document_url",
]
