"""SEC Form 13F (institutional holdings): information tables, cover pages, amendments, quarterly data sets.

Value units
-----------
The ``value`` of a holding was reported in **thousands of dollars** until the SEC's amended Form 13F
took effect; filings made **on or after 2023-01-03** report whole dollars. The unit is decided by the
*filing date* (not the report period: a 2022-Q4 report filed in February 2023 is in dollars), so every
parser here needs the filing date and returns both ``value_reported`` (as filed) and ``value_usd``.
Some filers got this wrong around the switch; ``value_usd`` follows the rule, it does not guess.

Holdings rows (XML and data set alike) have these keys/columns:
filer_cik (int), accession (str), report_period (date, the quarter end), filing_date (date),
row_number (int, position in the filing's table), cusip (str), issuer_name (str), title_of_class (str),
figi (str | None), value_reported (int), value_usd (int), value_unit ('thousands' | 'dollars'),
shares (int, ``sshPrnamt``: shares, or principal amount when share_type is PRN), share_type
('SH' | 'PRN'), put_call (None | 'PUT' | 'CALL'), investment_discretion (str | None: SOLE, DFND, OTR),
other_manager (str | None), voting_sole / voting_shared / voting_none (int | None).

``put_call`` rows describe options on the security (``shares`` is the underlying amount): keep them
apart from the long positions; never add them to share counts.

Amendments: a 13F-HR/A is a RESTATEMENT (replaces every holding of the filer for that period) or
NEW HOLDINGS (adds rows to what was filed). :func:`combine_13f_amendments` applies both.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

import polars as pl

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.sec.filing_index import (
    child,
    children,
    fetch_filing_index,
    filing_date_from_index,
    filing_document_url,
    filing_index_json_url,
    find_path,
    normalize_accession,
    parse_edgar_xml,
    pick_13f_documents,
    text_at,
)
from valuation_platform.sources.sec.urls import SOURCE

VALUE_IN_DOLLARS_FROM = date(2023, 1, 3)
SHARE_TYPES = frozenset({"SH", "PRN"})
PUT_CALL = frozenset({"PUT", "CALL"})
AMENDMENT_TYPES = frozenset({"RESTATEMENT", "NEW HOLDINGS"})
DATASET_BASE = "https://www.sec.gov/files/structureddata/data/form-13f-data-sets"
_DATASET_LABEL = re.compile(r"^(\d{4}q[1-4]|\d{2}[a-z]{3}\d{4}-\d{2}[a-z]{3}\d{4})$")

HOLDING_SCHEMA: dict[str, pl.DataType] = {
    "filer_cik": pl.Int64(), "accession": pl.String(), "report_period": pl.Date(), "filing_date": pl.Date(),
    "row_number": pl.Int64(), "cusip": pl.String(), "issuer_name": pl.String(), "title_of_class": pl.String(),
    "figi": pl.String(), "value_reported": pl.Int64(), "value_usd": pl.Int64(), "value_unit": pl.String(),
    "shares": pl.Int64(), "share_type": pl.String(), "put_call": pl.String(),
    "investment_discretion": pl.String(), "other_manager": pl.String(), "voting_sole": pl.Int64(),
    "voting_shared": pl.Int64(), "voting_none": pl.Int64(),
}  # fmt: skip
COVER_SCHEMA: dict[str, pl.DataType] = {
    "accession": pl.String(), "filer_cik": pl.Int64(), "filer_name": pl.String(),
    "submission_type": pl.String(), "report_period": pl.Date(), "filing_date": pl.Date(),
    "is_amendment": pl.Boolean(), "amendment_no": pl.Int64(), "amendment_type": pl.String(),
    "report_type": pl.String(), "form13f_file_number": pl.String(),
}  # fmt: skip


def value_unit(filing_date: date) -> Literal["thousands", "dollars"]:
    """The unit of ``value`` for a filing made on ``filing_date``."""
    return "dollars" if filing_date >= VALUE_IN_DOLLARS_FROM else "thousands"


def value_multiplier(filing_date: date) -> int:
    return 1 if value_unit(filing_date) == "dollars" else 1000


# ---------------------------------------------------------------- information table XML
def _int(raw: str | None, document: str, where: str, *, required: bool = True) -> int | None:
    if raw is None:
        if required:
            raise SourceError(SOURCE, document, "missing value", field=where)
        return None
    cleaned = raw.replace(",", "").strip()
    try:
        number = float(cleaned)
    except ValueError as exc:
        raise SourceError(SOURCE, document, f"not a number: {raw!r}", field=where) from exc
    if number != int(number):
        raise SourceError(SOURCE, document, f"not a whole number: {raw!r}", field=where)
    return int(number)


def parse_13f_infotable(
    xml: bytes, *, accession: str, filer_cik: int, report_period: date, filing_date: date
) -> list[dict[str, Any]]:
    """Holdings rows of one information table (keys in the module docstring).

    ``filer_cik``, ``report_period`` and ``filing_date`` come from the cover page / feed: the table
    itself names none of them, and ``filing_date`` decides the value unit.
    """
    accession = normalize_accession(accession)
    document = f"13F information table {accession}"
    root = parse_edgar_xml(xml, document=document)
    if root.tag != "informationTable":
        raise SourceError(SOURCE, document, f"root element is <{root.tag}>, expected <informationTable>")
    multiplier, unit = value_multiplier(filing_date), value_unit(filing_date)
    rows = []
    for i, entry in enumerate(children(root, "infoTable")):
        where = f"infoTable[{i}]"
        # One pass over the leaves: big managers file tens of thousands of rows, and per-field
        # path lookups dominated the parse time.
        f = _leaf_texts(entry)
        cusip = (f.get("cusip") or "").upper()
        if not cusip:
            raise SourceError(SOURCE, document, "missing CUSIP", field=f"{where}/cusip")
        share_type = (f.get("sshPrnamtType") or "").upper()
        if share_type not in SHARE_TYPES:
            raise SourceError(SOURCE, document, f"share type {share_type!r}", field=f"{where}/sshPrnamtType")
        put_call = (f.get("putCall") or "").upper() or None
        if put_call is not None and put_call not in PUT_CALL:
            raise SourceError(SOURCE, document, f"putCall {put_call!r}", field=f"{where}/putCall")
        value = _int(f.get("value"), document, f"{where}/value")
        rows.append(
            {
                "filer_cik": int(filer_cik),
                "accession": accession,
                "report_period": report_period,
                "filing_date": filing_date,
                "row_number": i,
                "cusip": cusip,
                "issuer_name": f.get("nameOfIssuer") or "",
                "title_of_class": f.get("titleOfClass") or "",
                "figi": f.get("figi"),
                "value_reported": value,
                "value_usd": value * multiplier,
                "value_unit": unit,
                "shares": _int(f.get("sshPrnamt"), document, f"{where}/sshPrnamt"),
                "share_type": share_type,
                "put_call": put_call,
                # Not validated: descriptive only (EDGAR allows SOLE/DFND/OTR; older data says SHARED).
                "investment_discretion": (f.get("investmentDiscretion") or "").upper() or None,
                "other_manager": f.get("otherManager"),
                "voting_sole": _int(f.get("Sole"), document, f"{where}/Sole", required=False),
                "voting_shared": _int(f.get("Shared"), document, f"{where}/Shared", required=False),
                "voting_none": _int(f.get("None"), document, f"{where}/None", required=False),
            }
        )
    return rows


def _leaf_texts(entry: ET.Element) -> dict[str, str]:
    """Non-blank leaf texts of an infoTable by tag. Leaf names are unique within an entry (``sshPrnamt``
    under ``shrsOrPrnAmt``, ``Sole`` under ``votingAuthority``), so the nesting can be flattened."""
    out: dict[str, str] = {}
    for node in entry.iter():
        text = node.text
        if text is not None and len(node) == 0:
            text = text.strip()
            if text:
                out.setdefault(node.tag, " ".join(text.split()))
    return out


# ---------------------------------------------------------------- cover page (primary_doc.xml)
def _cover_date(raw: str | None, document: str, where: str) -> date | None:
    if raw is None:
        return None
    for fmt in ("%m-%d-%Y", "%Y-%m-%d"):  # EDGAR writes MM-DD-YYYY; tolerate ISO
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise SourceError(SOURCE, document, f"not a date: {raw!r}", field=where)


def parse_13f_cover(xml: bytes, *, accession: str, filing_date: date | None = None) -> dict[str, Any]:
    """The cover row of a 13F ``primary_doc.xml`` (``edgarSubmission``).

    Keys: accession (str), filer_cik (int), filer_name (str), submission_type (str: 13F-HR, 13F-HR/A,
    13F-NT, ...), report_period (date), filing_date (date | None, from the caller), is_amendment (bool),
    amendment_no (int | None), amendment_type (None | 'RESTATEMENT' | 'NEW HOLDINGS'), report_type (str |
    None, e.g. '13F HOLDINGS REPORT'), form13f_file_number (str | None), table_entry_total (int | None),
    table_value_total (int | None, in the filing's value unit), is_confidential_omitted (bool | None),
    signature_date (date | None).
    """
    accession = normalize_accession(accession)
    document = f"13F cover {accession}"
    root = parse_edgar_xml(xml, document=document)
    if root.tag != "edgarSubmission":
        raise SourceError(SOURCE, document, f"root element is <{root.tag}>, expected <edgarSubmission>")
    header = child(root, "headerData")
    cover = find_path(root, "formData", "coverPage")
    if cover is None:
        raise SourceError(SOURCE, document, "no formData/coverPage", field="formData/coverPage")
    cik_raw = text_at(header, "filerInfo", "filer", "credentials", "cik")
    if not cik_raw or not cik_raw.isdigit():
        raise SourceError(
            SOURCE, document, f"missing or non-numeric filer CIK {cik_raw!r}", field="filer/credentials/cik"
        )
    period = _cover_date(
        text_at(cover, "reportCalendarOrQuarter") or text_at(header, "filerInfo", "periodOfReport"),
        document,
        "coverPage/reportCalendarOrQuarter",
    )
    if period is None:
        raise SourceError(SOURCE, document, "no report period", field="coverPage/reportCalendarOrQuarter")
    submission_type = text_at(header, "submissionType") or ""
    is_amendment = (text_at(cover, "isAmendment") or "").lower() in (
        "true",
        "1",
        "y",
    ) or submission_type.endswith("/A")
    raw_type = text_at(cover, "amendmentInfo", "amendmentType") or text_at(cover, "amendmentType")
    amendment_type = raw_type.upper() if raw_type else None
    if amendment_type is not None and amendment_type not in AMENDMENT_TYPES:
        raise SourceError(
            SOURCE, document, f"amendment type {raw_type!r}", field="coverPage/amendmentInfo/amendmentType"
        )
    summary = find_path(root, "formData", "summaryPage")
    omitted = text_at(summary, "isConfidentialOmitted")
    return {
        "accession": accession,
        "filer_cik": int(cik_raw),
        "filer_name": text_at(cover, "filingManager", "name") or "",
        "submission_type": submission_type,
        "report_period": period,
        "filing_date": filing_date,
        "is_amendment": is_amendment,
        "amendment_no": _int(
            text_at(cover, "amendmentNo"), document, "coverPage/amendmentNo", required=False
        ),
        "amendment_type": amendment_type if is_amendment else None,
        "report_type": text_at(cover, "reportType"),
        "form13f_file_number": text_at(cover, "form13FFileNumber"),
        "table_entry_total": _int(
            text_at(summary, "tableEntryTotal"), document, "tableEntryTotal", required=False
        ),
        "table_value_total": _int(
            text_at(summary, "tableValueTotal"), document, "tableValueTotal", required=False
        ),
        "is_confidential_omitted": None if omitted is None else omitted.lower() in ("true", "1", "y"),
        "signature_date": _cover_date(
            text_at(root, "formData", "signatureBlock", "signatureDate"),
            document,
            "signatureBlock/signatureDate",
        ),
    }


# ---------------------------------------------------------------- amendments
def effective_accessions(covers: Iterable[dict[str, Any]]) -> set[str]:
    """Accessions whose holdings stand after applying amendments, per filer and report period.

    Filings are taken in filing order (filing date, amendment number, accession). An original 13F-HR
    starts the set; RESTATEMENT replaces it; NEW HOLDINGS adds to it. An amendment without a type is
    treated as a RESTATEMENT, which can under-count but never double-counts. Notices (13F-NT) hold no
    table and change nothing. Pass every filing of a filer+period you have: an amendment whose original
    is missing simply stands on its own.
    """
    groups: dict[tuple[int, date], list[dict[str, Any]]] = defaultdict(list)
    for cover in covers:
        groups[(cover["filer_cik"], cover["report_period"])].append(cover)
    keep: set[str] = set()
    for filings in groups.values():
        filings.sort(key=lambda c: (c["filing_date"] or date.min, c.get("amendment_no") or 0, c["accession"]))
        current: list[str] = []
        for cover in filings:
            if (cover.get("submission_type") or "").upper().startswith("13F-NT"):
                continue  # a notice: another manager reports these holdings
            if not cover["is_amendment"]:
                current = [cover["accession"]]
            elif cover.get("amendment_type") == "NEW HOLDINGS":
                current.append(cover["accession"])
            else:
                current = [cover["accession"]]
        keep.update(current)
    return keep


def combine_13f_amendments(
    covers: Iterable[dict[str, Any]] | pl.DataFrame, holdings: list[dict[str, Any]] | pl.DataFrame
) -> list[dict[str, Any]] | pl.DataFrame:
    """The holdings that stand after amendments (same type as ``holdings``: rows or a DataFrame)."""
    cover_rows = covers.to_dicts() if isinstance(covers, pl.DataFrame) else list(covers)
    keep = effective_accessions(cover_rows)
    if isinstance(holdings, pl.DataFrame):
        return holdings.filter(pl.col("accession").is_in(sorted(keep)))
    return [row for row in holdings if row["accession"] in keep]


# ---------------------------------------------------------------- quarterly data sets (zip of TSVs)
@dataclass(frozen=True)
class _TableSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def known(self) -> frozenset[str]:
        return frozenset(self.required + self.optional)


SUBMISSION = _TableSpec(
    "SUBMISSION", ("ACCESSION_NUMBER", "FILING_DATE", "SUBMISSIONTYPE", "CIK", "PERIODOFREPORT"), ()
)
COVERPAGE = _TableSpec(
    "COVERPAGE",
    ("ACCESSION_NUMBER", "REPORTCALENDARORQUARTER", "ISAMENDMENT", "AMENDMENTTYPE", "FILINGMANAGER_NAME"),
    (
        "AMENDMENTNO", "CONFDENIEDEXPIRED", "DATEDENIEDEXPIRED", "DATEREPORTED",
        "REASONFORNONCONFIDENTIALITY", "FILINGMANAGER_STREET1", "FILINGMANAGER_STREET2", "FILINGMANAGER_CITY",
        "FILINGMANAGER_STATEORCOUNTRY", "FILINGMANAGER_ZIPCODE", "REPORTTYPE", "FORM13FFILENUMBER",
        "CRDNUMBER", "SECFILENUMBER", "PROVIDEINFOFORINSTRUCTION5", "ADDITIONALINFORMATION",
    ),
)  # fmt: skip
INFOTABLE = _TableSpec(
    "INFOTABLE",
    (
        "ACCESSION_NUMBER", "NAMEOFISSUER", "TITLEOFCLASS", "CUSIP", "VALUE", "SSHPRNAMT", "SSHPRNAMTTYPE",
        "PUTCALL", "INVESTMENTDISCRETION", "VOTING_AUTH_SOLE", "VOTING_AUTH_SHARED", "VOTING_AUTH_NONE",
    ),
    ("INFOTABLE_SK", "FIGI", "OTHERMANAGER"),
)  # fmt: skip


@dataclass
class Form13FDataset:
    """A parsed quarterly data set: ``covers`` (COVER_SCHEMA, one row per submission, 13F-NT included),
    ``holdings`` (HOLDING_SCHEMA) and ``warnings`` (unknown columns, which are ignored, one message each)."""

    covers: pl.DataFrame
    holdings: pl.DataFrame
    warnings: list[str] = field(default_factory=list)


def dataset_url(period_label: str) -> str:
    """``.../form-13f-data-sets/{label}_form13f.zip``; labels look like ``01dec2023-29feb2024`` (three
    months of filing dates, the current scheme) or ``2023q4`` (the older calendar-quarter files)."""
    if not _DATASET_LABEL.match(period_label):
        raise ValueError(f"not a 13F data set period label: {period_label!r}")
    return f"{DATASET_BASE}/{period_label}_form13f.zip"


def dataset_period_label(first_day: date, last_day: date) -> str:
    """``01dec2023-29feb2024`` for the filing-date window [first_day, last_day]."""
    return f"{first_day:%d%b%Y}-{last_day:%d%b%Y}".lower()


FILING_DEADLINE_DAYS = 45
# The SEC switched the data sets from calendar quarters of filing dates ("2023q4") to filing windows:
# one two-month transition file, then Mar-May, Jun-Aug, Sep-Nov and Dec-Feb from March 2024 on.
_TRANSITION_WINDOW = (date(2024, 1, 1), date(2024, 2, 29))


def filing_deadline(report_period: date) -> date:
    """A 13F-HR is due 45 days after the calendar quarter it reports."""
    return report_period + timedelta(days=FILING_DEADLINE_DAYS)


def dataset_window(day: date) -> tuple[date, date]:
    """The filing-date window of the data set that holds filings made on ``day``."""
    if day < _TRANSITION_WINDOW[0]:
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    elif day <= _TRANSITION_WINDOW[1]:
        return _TRANSITION_WINDOW
    else:
        month = 12 if day.month in (12, 1, 2) else 3 * (day.month // 3)
        first = date(day.year - (1 if day.month < month else 0), month, 1)
    after = first.month + 3
    last = date(first.year + (after - 1) // 12, (after - 1) % 12 + 1, 1) - timedelta(days=1)
    return first, last


def dataset_label_for_period(report_period: date) -> str:
    """The data set that holds the timely filings for ``report_period``: the one whose filing window
    contains the 45-day deadline (``2023q4`` for 2023-09-30, ``01sep2026-30nov2026`` for 2026-09-30)."""
    deadline = filing_deadline(report_period)
    first, last = dataset_window(deadline)
    if deadline < _TRANSITION_WINDOW[0]:
        return f"{first.year}q{(first.month - 1) // 3 + 1}"
    return dataset_period_label(first, last)


def _read_table(
    archive: zipfile.ZipFile, spec: _TableSpec, document: str, warnings: list[str], strict: bool
) -> pl.DataFrame:
    members = {name.rsplit("/", 1)[-1].upper(): name for name in archive.namelist()}
    member = members.get(f"{spec.name}.TSV")
    if member is None:
        raise SourceError(SOURCE, document, f"no {spec.name}.tsv in the archive", field=spec.name)
    raw = archive.read(member)
    header = raw.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8-sig", "replace").split("\t")
    missing = [c for c in spec.required if c not in header]
    if missing:
        raise SourceError(SOURCE, document, f"required column(s) {missing} missing", field=spec.name)
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise SourceError(SOURCE, document, f"duplicated column(s) {duplicated}", field=spec.name)
    unknown = [c for c in header if c not in spec.known]
    if unknown:
        message = f"{spec.name}.tsv: unknown column(s) {unknown} ignored"
        if strict:
            raise SourceError(SOURCE, document, message, field=spec.name)
        warnings.append(message)
    try:
        frame = pl.read_csv(
            raw,
            separator="\t",
            infer_schema=False,
            quote_char=None,
            encoding="utf8-lossy",
            columns=[c for c in header if c in spec.known],
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise SourceError(SOURCE, document, f"unreadable TSV: {exc}", field=spec.name) from exc
    for column in spec.optional:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    return frame.with_columns(pl.col(c).str.strip_chars() for c in frame.columns)


def _with_parsed(
    frame: pl.DataFrame, table: str, document: str, parsers: dict[str, tuple[str, pl.Expr]]
) -> pl.DataFrame:
    """Add parsed columns (``name: (source column, expression)``) in one pass, then fail on any value that
    is present but did not parse, naming the column and an example."""
    frame = frame.with_columns(expr.alias(name) for name, (_, expr) in parsers.items())

    def failed(name: str) -> pl.Expr:
        source = pl.col(parsers[name][0])
        return source.is_not_null() & (source != "") & pl.col(name).is_null()

    counts = frame.select(failed(name).sum().alias(name) for name in parsers).row(0, named=True)
    for name, count in counts.items():
        if count:
            source = parsers[name][0]
            example = frame.filter(failed(name)).get_column(source)[0]
            raise SourceError(
                SOURCE, document, f"{count} unparseable value(s), e.g. {example!r}", field=f"{table}.{source}"
            )
    return frame


def _as_int(column: str) -> tuple[str, pl.Expr]:
    return column, pl.col(column).cast(pl.Int64, strict=False)


def _as_date(column: str) -> tuple[str, pl.Expr]:
    return column, pl.col(column).str.strptime(pl.Date, "%d-%b-%Y", strict=False)


def _first_unexpected(frame: pl.DataFrame, column: str, allowed: frozenset[str]) -> str | None:
    values = frame.get_column(column)
    unexpected = values.filter(values.is_not_null() & ~values.is_in(sorted(allowed)))
    return unexpected[0] if unexpected.len() else None


def parse_13f_dataset(
    zip_bytes: bytes, *, document: str = "13F data set", strict: bool = False
) -> Form13FDataset:
    """Parse a quarterly Form 13F data set zip (SUBMISSION, COVERPAGE, INFOTABLE joined by ACCESSION_NUMBER).

    Columns are matched by header name. A missing required column raises :class:`SourceError`; an
    unknown column is ignored and reported in ``warnings`` (or raises with ``strict=True``). An
    INFOTABLE accession absent from SUBMISSION, or a value that does not parse, raises.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
    except zipfile.BadZipFile as exc:
        raise SourceError(SOURCE, document, f"not a zip archive ({exc})") from exc
    warnings: list[str] = []
    with archive:
        submission = _read_table(archive, SUBMISSION, document, warnings, strict)
        coverpage = _read_table(archive, COVERPAGE, document, warnings, strict)
        infotable = _read_table(archive, INFOTABLE, document, warnings, strict)

    submission = _with_parsed(
        submission,
        "SUBMISSION",
        document,
        {
            "filer_cik": _as_int("CIK"),
            "report_period": _as_date("PERIODOFREPORT"),
            "filing_date": _as_date("FILING_DATE"),
        },
    ).select(
        pl.col("ACCESSION_NUMBER").alias("accession"),
        "filer_cik",
        pl.col("SUBMISSIONTYPE").alias("submission_type"),
        "report_period",
        "filing_date",
    )
    incomplete = submission.filter(pl.any_horizontal(pl.all().is_null()))
    if incomplete.height:
        accession = incomplete.get_column("accession")[0]
        raise SourceError(
            SOURCE, document, f"submission {accession!r} lacks a required value", field="SUBMISSION"
        )

    coverpage = _with_parsed(
        coverpage, "COVERPAGE", document, {"amendment_no": _as_int("AMENDMENTNO")}
    ).select(
        pl.col("ACCESSION_NUMBER").alias("accession"),
        pl.col("FILINGMANAGER_NAME").alias("filer_name"),
        pl.col("ISAMENDMENT").str.to_uppercase().alias("_is_amendment"),
        "amendment_no",
        pl.col("AMENDMENTTYPE").str.to_uppercase().alias("amendment_type"),
        pl.col("REPORTTYPE").alias("report_type"),
        pl.col("FORM13FFILENUMBER").alias("form13f_file_number"),
    )
    bad_type = _first_unexpected(coverpage, "amendment_type", AMENDMENT_TYPES)
    if bad_type is not None:
        raise SourceError(SOURCE, document, f"amendment type {bad_type!r}", field="COVERPAGE.AMENDMENTTYPE")
    flag = pl.col("_is_amendment")
    covers = (
        submission.join(coverpage, on="accession", how="left")
        .with_columns(
            pl.when(flag.is_in(["Y", "TRUE", "1"]))
            .then(True)
            .when(flag.is_in(["N", "FALSE", "0"]))
            .then(False)
            .otherwise(pl.col("submission_type").str.ends_with("/A"))
            .alias("is_amendment")
        )
        .with_columns(pl.when(pl.col("is_amendment")).then(pl.col("amendment_type")).alias("amendment_type"))
        .select([pl.col(name).cast(dtype) for name, dtype in COVER_SCHEMA.items()])
    )

    infotable = infotable.with_columns(
        pl.col(c).str.to_uppercase() for c in ("CUSIP", "SSHPRNAMTTYPE", "PUTCALL", "INVESTMENTDISCRETION")
    )
    # Share type and put/call decide what may be summed, so anything unexpected stops the parse.
    for column, allowed in (("SSHPRNAMTTYPE", SHARE_TYPES), ("PUTCALL", PUT_CALL)):
        unexpected = _first_unexpected(infotable, column, allowed)
        if unexpected is not None:
            raise SourceError(
                SOURCE, document, f"unexpected value {unexpected!r}", field=f"INFOTABLE.{column}"
            )
    infotable = _with_parsed(
        infotable,
        "INFOTABLE",
        document,
        {
            "value_reported": _as_int("VALUE"),
            "shares": _as_int("SSHPRNAMT"),
            "voting_sole": _as_int("VOTING_AUTH_SOLE"),
            "voting_shared": _as_int("VOTING_AUTH_SHARED"),
            "voting_none": _as_int("VOTING_AUTH_NONE"),
        },
    )
    holdings = infotable.rename(
        {
            "ACCESSION_NUMBER": "accession",
            "CUSIP": "cusip",
            "NAMEOFISSUER": "issuer_name",
            "TITLEOFCLASS": "title_of_class",
            "FIGI": "figi",
            "SSHPRNAMTTYPE": "share_type",
            "PUTCALL": "put_call",
            "INVESTMENTDISCRETION": "investment_discretion",
            "OTHERMANAGER": "other_manager",
        }
    ).with_columns(pl.int_range(pl.len()).over("accession").alias("row_number"))
    holdings = holdings.join(
        submission.select("accession", "filer_cik", "report_period", "filing_date"),
        on="accession",
        how="left",
    )
    orphans = holdings.filter(pl.col("filer_cik").is_null()).get_column("accession").unique().sort()
    if orphans.len():
        raise SourceError(
            SOURCE,
            document,
            f"INFOTABLE rows for accession(s) not in SUBMISSION: {orphans.head(3).to_list()}",
            field="INFOTABLE.ACCESSION_NUMBER",
        )
    dollars = pl.col("filing_date") >= pl.lit(VALUE_IN_DOLLARS_FROM)
    holdings = holdings.with_columns(
        pl.when(dollars)
        .then(pl.col("value_reported"))
        .otherwise(pl.col("value_reported") * 1000)
        .alias("value_usd"),
        pl.when(dollars).then(pl.lit("dollars")).otherwise(pl.lit("thousands")).alias("value_unit"),
    ).select([pl.col(name).cast(dtype) for name, dtype in HOLDING_SCHEMA.items()])
    return Form13FDataset(covers=covers, holdings=holdings, warnings=warnings)


# ---------------------------------------------------------------- clients
def fetch_13f_filing(
    client: HttpClient, cik: int, accession: str, *, filing_date: date | None = None
) -> dict[str, Any]:
    """One 13F filing: ``{"cover": <cover row>, "holdings": [<holding rows>]}`` (holdings empty for a notice).

    The folder's ``index.json`` names ``primary_doc.xml`` and the information table. ``filing_date``
    (which decides the value unit) should come from the feed or daily index; when omitted it is read from
    the folder's document timestamps.
    """
    items = fetch_filing_index(client, cik, accession)
    primary, table = pick_13f_documents(items, document=mirror_relpath(filing_index_json_url(cik, accession)))
    filed = filing_date or filing_date_from_index(items)
    if filed is None:
        raise SourceError(
            SOURCE, f"13F {accession}", "no filing date given and none in index.json", field="filing_date"
        )
    cover = parse_13f_cover(
        client.get_bytes(filing_document_url(cik, accession, primary), source=SOURCE),
        accession=accession,
        filing_date=filed,
    )
    holdings: list[dict[str, Any]] = []
    if table is not None:
        holdings = parse_13f_infotable(
            client.get_bytes(filing_document_url(cik, accession, table), source=SOURCE),
            accession=accession,
            filer_cik=cover["filer_cik"],
            report_period=cover["report_period"],
            filing_date=filed,
        )
    return {"cover": cover, "holdings": holdings}


def fetch_13f_dataset(client: HttpClient, period_label: str, *, strict: bool = False) -> Form13FDataset:
    url = dataset_url(period_label)
    return parse_13f_dataset(
        client.get_bytes(url, source=SOURCE), document=mirror_relpath(url), strict=strict
    )
