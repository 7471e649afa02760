"""Generated insider (Form 4) and institutional (13F) filings in EDGAR's real formats and paths.

``write_ownership_data`` writes, under ``<root>/www.sec.gov/...`` (the layout ``mirror_relpath`` reads):

* Form 4 filings: ``Archives/edgar/data/{cik}/{acc_nodash}/{primary}.xml`` (an ``ownershipDocument``)
  plus ``index.json`` (the folder listing the client reads to find the XML), under the issuer's CIK
  *and* every reporting owner's CIK, as EDGAR does. Among them at least one 4/A amendment, one
  derivative-only filing (no nonDerivativeTable) and one joint filing with two reporting owners.
* ``cgi-bin/browse-edgar?action=getcurrent&count=100&output=atom&start=N&type=4`` (and ``type=13F-HR``):
  the latest-filings Atom feed, ISO-8859-1, newest first, paged exactly as the client asks.
* ``Archives/edgar/daily-index/{YYYY}/QTR{q}/form.{YYYYMMDD}.idx`` for every SEC business day
  (weekdays that are not federal holidays) in ``[start, end]``.
* 13F-HR filings for a few quarter ends: ``primary_doc.xml`` (cover), an information table and
  ``index.json``; one RESTATEMENT and one NEW HOLDINGS amendment; put/call rows, a PRN row, CUSIPs from
  the universe plus a few that are not in it. Values follow the unit rule (thousands before 2023-01-03).
* One quarterly 13F data set zip (SUBMISSION/COVERPAGE/INFOTABLE TSVs) for the three-month filing
  window holding the most generated 13F filings.

Deterministic for a seed. Companies come from ``universe.us_companies`` so tickers, CIKs and CUSIPs agree
with every other generated source.
"""

from __future__ import annotations

import io
import json
import math
import random
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from valuation_platform.generator.universe import Company, cusip_check_digit
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.sec.calendar import (  # federal_holidays is re-exported for callers
    federal_holidays,  # noqa: F401
    sec_business_days,
)
from valuation_platform.sources.sec.filing_index import (
    CURRENT_FEED_URL,
    accession_nodash,
    current_feed_params,
    daily_index_url,
    filing_document_url,
    filing_index_htm_url,
    filing_index_json_url,
)
from valuation_platform.sources.sec.form13f import (
    dataset_period_label,
    dataset_url,
    dataset_window,
    value_multiplier,
)

EASTERN = ZoneInfo("America/New_York")
FEED_PAGE = 100

FIRST_NAMES = (
    "Michael", "Sarah", "David", "Laura", "James", "Priya", "Robert", "Elena", "Thomas", "Grace", "José",
    "Zoë", "André", "Chloé", "Renée", "Søren", "Hannah", "Kevin", "Olivia", "Marcus", "Ingrid", "Raúl",
)  # fmt: skip
LAST_NAMES = (
    "Scarpelli", "Nguyen", "Okafor", "Müller", "Ibáñez", "Haverford", "Lindqvist", "Patel", "Brennan",
    "Castillo", "Whitaker", "Østergaard", "Moreau", "Kowalski", "Ferreira", "Tanaka", "Delgado", "Ashworth",
)  # fmt: skip
OFFICER_TITLES = (
    "Chief Executive Officer",
    "Chief Financial Officer",
    "General Counsel",
    "Chief Operating Officer",
)
FUND_WORDS = ("Capital", "Partners", "Ventures", "Growth", "Opportunity")
MANAGER_WORDS = (
    "Capital Management LLC",
    "Asset Management, L.P.",
    "Advisors Inc.",
    "Investment Partners LLC",
)
OUTSIDE_ISSUERS = (  # held by managers but not in the generated universe: joins must tolerate them
    ("ISHARES TR", "CORE S&P500 ETF"),
    ("SPDR S&P 500 ETF TR", "TR UNIT"),
    ("VANGUARD INDEX FDS", "TOTAL STK MKT"),
    ("BERKSHIRE HATHAWAY INC DEL", "CL B NEW"),
    ("INVESCO QQQ TR", "UNIT SER 1"),
)
FORM4_DOC_NAMES = ("wf-form4_{n}.xml", "doc4.xml", "form4.xml", "wk-form4_{n}.xml", "edgardoc.xml")
# The real column order of the SEC's Form 13F data set TSVs.
DATASET_COLUMNS = {
    "SUBMISSION": ("ACCESSION_NUMBER", "FILING_DATE", "SUBMISSIONTYPE", "CIK", "PERIODOFREPORT"),
    "COVERPAGE": (
        "ACCESSION_NUMBER", "REPORTCALENDARORQUARTER", "ISAMENDMENT", "AMENDMENTNO", "AMENDMENTTYPE",
        "CONFDENIEDEXPIRED", "DATEDENIEDEXPIRED", "DATEREPORTED", "REASONFORNONCONFIDENTIALITY",
        "FILINGMANAGER_NAME", "FILINGMANAGER_STREET1", "FILINGMANAGER_STREET2", "FILINGMANAGER_CITY",
        "FILINGMANAGER_STATEORCOUNTRY", "FILINGMANAGER_ZIPCODE", "REPORTTYPE", "FORM13FFILENUMBER",
        "CRDNUMBER", "SECFILENUMBER", "PROVIDEINFOFORINSTRUCTION5", "ADDITIONALINFORMATION",
    ),
    "INFOTABLE": (
        "ACCESSION_NUMBER", "INFOTABLE_SK", "NAMEOFISSUER", "TITLEOFCLASS", "CUSIP", "FIGI", "VALUE",
        "SSHPRNAMT", "SSHPRNAMTTYPE", "PUTCALL", "INVESTMENTDISCRETION", "OTHERMANAGER", "VOTING_AUTH_SOLE",
        "VOTING_AUTH_SHARED", "VOTING_AUTH_NONE",
    ),
}  # fmt: skip
INFOTABLE_NAMES = ("infotable.xml", "form13fInfoTable.xml", "{n}.xml", "InfoTable_{n}.xml")


# ---------------------------------------------------------------- prices
def _price(company: Company, day: date, seed: int) -> float:
    """A smooth deterministic daily price (USD) around the universe's base price."""
    phase = (company.index * 37) % 360
    wave = 0.18 * math.sin(2 * math.pi * (day.toordinal() + phase) / 240)
    noise = random.Random(f"{seed}-{company.ticker}-{day.toordinal()}").gauss(0, 0.01)
    return round(max(1.0, company.base_price * (1 + wave) * (1 + noise)), 2)


def _x(value: Any) -> str:
    return escape(str(value))


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


# ---------------------------------------------------------------- result
@dataclass
class OwnershipWriteResult:
    """What was written. ``form4`` / ``form13f`` rows describe each filing (accession, ciks, dates, kind)."""

    form4: list[dict[str, Any]] = field(default_factory=list)
    form13f: list[dict[str, Any]] = field(default_factory=list)
    feed_files: list[Path] = field(default_factory=list)
    daily_index_files: list[Path] = field(default_factory=list)
    dataset_label: str | None = None
    dataset_path: Path | None = None
    files_written: int = 0


class _Writer:
    def __init__(self, root: Path, result: OwnershipWriteResult) -> None:
        self.root, self.result = root, result

    def url(self, url: str, payload: bytes, params: dict[str, Any] | None = None) -> Path:
        path = self.root / mirror_relpath(url, params)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
        self.result.files_written += 1
        return path

    def folder(
        self, ciks: Sequence[int], accession: str, documents: dict[str, bytes], accepted: datetime, xsl: str
    ) -> None:
        """A filing folder (documents + index.json) under each filer CIK; ``xsl`` is the rendered-copy folder
        EDGAR lists next to the XML (listed, not written: clients never open it)."""
        stamp = accepted.astimezone(EASTERN).strftime("%Y-%m-%d %H:%M:%S")
        for cik in ciks:
            items = [
                {"last-modified": stamp, "name": name, "type": "text.gif", "size": str(len(body))}
                for name, body in documents.items()
            ]
            items.append({"last-modified": stamp, "name": xsl, "type": "folder.gif", "size": ""})
            listing = {
                "directory": {
                    "item": items,
                    "name": f"/Archives/edgar/data/{cik}/{accession_nodash(accession)}",
                    "parent-dir": f"/Archives/edgar/data/{cik}",
                }
            }
            self.url(filing_index_json_url(cik, accession), json.dumps(listing, indent=1).encode())
            for name, body in documents.items():
                self.url(filing_document_url(cik, accession, name), body)


class _Accessions:
    """``{filer:010d}-{yy}-{seq:06d}``, sequence per filer agent and year, as EDGAR assigns them."""

    def __init__(self) -> None:
        self.next: dict[tuple[int, int], int] = defaultdict(lambda: 1)

    def new(self, filer: int, day: date) -> str:
        key = (filer, day.year)
        seq = self.next[key]
        self.next[key] = seq + 1
        return f"{filer:010d}-{day.year % 100:02d}-{seq:06d}"


def _accepted(rng: random.Random, day: date) -> datetime:
    """Acceptance time 06:00-17:29 ET (later acceptances would carry the next business day's date)."""
    minute = rng.randrange(6 * 60, 17 * 60 + 30)
    return datetime.combine(day, time(minute // 60, minute % 60, rng.randrange(60)), EASTERN).astimezone(UTC)


# ---------------------------------------------------------------- Form 4
@dataclass
class _Insider:
    cik: int
    name: str
    is_director: bool = False
    is_officer: bool = False
    is_ten_percent_owner: bool = False
    officer_title: str | None = None


@dataclass
class _Insiders:
    officers: list[_Insider]
    directors: list[_Insider]
    fund: _Insider
    fund_gp: _Insider


def _person(rng: random.Random) -> str:
    return f"{rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)}"  # EDGAR lists owners surname first


def _insiders(company: Company, seed: int) -> _Insiders:
    rng = random.Random(f"{seed}-insiders-{company.cik}")
    base = 2_000_000 + company.index * 8
    officers = [
        _Insider(base + k, _person(rng), is_officer=True, officer_title=OFFICER_TITLES[k], is_director=k == 0)
        for k in range(2 + rng.randrange(2))
    ]
    directors = [_Insider(base + 4 + k, _person(rng), is_director=True) for k in range(2)]
    stem = f"{company.name.split()[0]} {rng.choice(FUND_WORDS)}"
    fund = _Insider(base + 6, f"{stem} Fund III, L.P.", is_ten_percent_owner=True)
    fund_gp = _Insider(base + 7, f"{stem} GP, LLC", is_ten_percent_owner=True)
    return _Insiders(officers, directors, fund, fund_gp)


@dataclass
class _Form4:
    accession: str
    company: Company
    owners: list[_Insider]
    kind: str  # regular | derivative_only | joint | amendment
    period: date
    filing_date: date
    accepted: datetime
    lines: list[dict[str, Any]]
    footnotes: dict[str, str]
    doc_name: str
    original: _Form4 | None = None


class _Form4Maker:
    """Builds Form 4 filings while tracking each owner's holdings, so ``shares_owned_after`` adds up."""

    def __init__(self, seed: int, accessions: _Accessions) -> None:
        self.seed = seed
        self.rng = random.Random(f"{seed}-form4")
        self.accessions = accessions
        self.direct: dict[tuple[int, int], float] = {}  # (owner, issuer) -> shares held directly
        self.derivatives: dict[tuple[int, int, str], float] = {}  # (owner, issuer, title) -> units held

    def _held(self, owner: _Insider, company: Company) -> float:
        key = (owner.cik, company.cik)
        if key not in self.direct:
            scale = 0.08 if owner.is_ten_percent_owner else 0.002
            self.direct[key] = float(int(company.shares_outstanding * scale * self.rng.uniform(0.3, 1.5)))
        return self.direct[key]

    def make(
        self, company: Company, insiders: _Insiders, kind: str, filing_date: date, period: date
    ) -> _Form4:
        rng = self.rng
        price = _price(company, period, self.seed)
        footnotes: dict[str, str] = {}

        def note(text: str) -> str:
            for key, existing in footnotes.items():
                if existing == text:
                    return key
            key = f"F{len(footnotes) + 1}"
            footnotes[key] = text
            return key

        lines: list[dict[str, Any]] = []
        if kind == "joint":
            owners = [insiders.fund, insiders.fund_gp]
            held = self._held(insiders.fund, company)
            code = rng.choice(("P", "S"))
            shares = float(int(held * rng.uniform(0.01, 0.05)))
            held = held + shares if code == "P" else max(0.0, held - shares)
            self.direct[(insiders.fund.cik, company.cik)] = held
            joint = note(
                f"The shares are held directly by {insiders.fund.name}; {insiders.fund_gp.name} is its "
                "general partner and may be deemed to share beneficial ownership; each reporting person "
                "disclaims beneficial ownership except to the extent of its pecuniary interest."
            )
            lines.append(
                _ndt(period, code, shares, price, held, "I", nature="See footnote", nature_notes=[joint])
            )
        elif kind == "derivative_only":
            owner = rng.choice(insiders.officers + insiders.directors)
            owners = [owner]
            units = float(rng.randrange(2, 40) * 500)
            key = (owner.cik, company.cik, "Restricted Stock Units")
            self.derivatives[key] = self.derivatives.get(key, 0.0) + units
            one_share = note(
                "Each restricted stock unit represents a contingent right to receive one share of common "
                "stock."
            )
            vesting = note(
                "The restricted stock units vest in four equal annual installments beginning on the first "
                "anniversary of the grant date."
            )
            lines.append(
                _dt(
                    period,
                    "Restricted Stock Units",
                    "A",
                    units,
                    0.0,
                    self.derivatives[key],
                    exercise_price=None,
                    exercise_price_notes=[one_share],
                    exercisable_notes=[vesting],
                    expiration=None,
                    expiration_notes=[vesting],
                )
            )
        else:
            owner = rng.choice(insiders.officers + insiders.directors)
            owners = [owner]
            held = self._held(owner, company)
            style = rng.choice(("sale", "sale", "purchase", "exercise", "grant", "tax"))
            if style in ("sale", "tax") and held < 1000:
                style = "purchase"
            if not owner.is_officer and style in ("exercise", "tax"):
                style = "grant"
            plan = "The sales reported in this Form 4 were effected pursuant to a Rule 10b5-1 trading plan."
            if style == "sale":
                for _ in range(rng.randint(1, 3)):
                    lot = float(min(held, int(held * rng.uniform(0.02, 0.15)) or 1))
                    lot_price = round(price * rng.uniform(0.985, 1.015), 4)
                    held -= lot
                    low, high = lot_price * 0.996, lot_price * 1.004
                    average = note(
                        "The price reported is a weighted-average price. The shares were sold in multiple "
                        f"transactions at prices ranging from ${low:.2f} to ${high:.2f}, inclusive."
                    )
                    lines.append(
                        _ndt(
                            period,
                            "S",
                            lot,
                            lot_price,
                            held,
                            "D",
                            code_notes=[note(plan)],
                            price_notes=[average],
                        )
                    )
            elif style == "purchase":
                lot = float(rng.randrange(1, 40) * 250)
                held += lot
                lines.append(_ndt(period, "P", lot, round(price * rng.uniform(0.99, 1.01), 4), held, "D"))
            elif style == "exercise":
                lot = float(rng.randrange(4, 60) * 500)
                strike = round(price * rng.uniform(0.2, 0.6), 2)
                key = (owner.cik, company.cik, "Stock Option (Right to Buy)")
                self.derivatives[key] = max(self.derivatives.get(key, 0.0), lot * rng.randint(2, 5)) - lot
                lines.append(_ndt(period, "M", lot, strike, held + lot, "D"))
                sale_price = round(price * rng.uniform(0.99, 1.01), 4)
                lines.append(_ndt(period, "S", lot, sale_price, held, "D", code_notes=[note(plan)]))
                expiry = date(period.year + rng.randint(2, 8), rng.randint(1, 12), 15)
                lines.append(
                    _dt(
                        period,
                        "Stock Option (Right to Buy)",
                        "M",
                        lot,
                        0.0,
                        self.derivatives[key],
                        exercise_price=strike,
                        exercisable_notes=[note("The option is fully vested and exercisable.")],
                        expiration=expiry,
                        acquired_disposed="D",
                    )
                )
            elif style == "grant":
                lot = float(rng.randrange(2, 30) * 100)
                held += lot
                grant = note("Represents shares granted under the issuer's equity incentive plan.")
                lines.append(_ndt(period, "A", lot, 0.0, held, "D", code_notes=[grant]))
            else:  # tax withholding when restricted stock units vest
                lot = float(min(held, rng.randrange(1, 20) * 100))
                held -= lot
                withheld = note(
                    "Shares withheld by the issuer to satisfy tax withholding obligations upon vesting of "
                    "restricted stock units."
                )
                lines.append(_ndt(period, "F", lot, price, held, "D", code_notes=[withheld]))
            self.direct[(owner.cik, company.cik)] = held
            if rng.random() < 0.35:
                trust = float(int(held * rng.uniform(0.1, 0.6)) or 100)
                by_trust = note(f"The shares are held by a family trust for which {owner.name} is a trustee.")
                lines.append(
                    {
                        "table": "ndh",
                        "title": "Common Stock",
                        "after": trust,
                        "di": "I",
                        "nature": "By Trust",
                        "nature_notes": [by_trust],
                    }
                )
        accession = self.accessions.new(owners[0].cik, filing_date)
        doc_name = rng.choice(FORM4_DOC_NAMES).format(n=rng.randrange(10**14, 10**15))
        return _Form4(
            accession,
            company,
            owners,
            kind,
            period,
            filing_date,
            _accepted(rng, filing_date),
            lines,
            footnotes,
            doc_name,
        )

    def amend(self, original: _Form4, filing_date: date) -> _Form4:
        """A 4/A restating ``original`` with one corrected share count (the usual reason for an amendment)."""
        lines = [dict(line) for line in original.lines]
        target = next(line for line in lines if line["table"] in ("ndt", "dt"))
        delta = float(max(1, int(target["shares"] * 0.1)))
        target["shares"] += delta
        target["after"] += delta if target["ad"] == "A" else -delta
        footnotes = dict(original.footnotes)
        correction = f"F{len(footnotes) + 1}"
        footnotes[correction] = (
            "This amendment corrects the number of securities reported in the original Form 4, which was "
            "misstated due to an administrative error."
        )
        target["shares_notes"] = [*target.get("shares_notes", []), correction]
        accession = self.accessions.new(original.owners[0].cik, filing_date)
        accepted = max(_accepted(self.rng, filing_date), original.accepted + timedelta(minutes=5))
        return _Form4(
            accession,
            original.company,
            original.owners,
            "amendment",
            original.period,
            filing_date,
            accepted,
            lines,
            footnotes,
            original.doc_name,
            original=original,
        )


def _ndt(
    day: date,
    code: str,
    shares: float,
    price: float,
    after: float,
    di: str,
    *,
    nature: str | None = None,
    code_notes: Sequence[str] = (),
    price_notes: Sequence[str] = (),
    nature_notes: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "table": "ndt",
        "title": "Common Stock",
        "date": day,
        "code": code,
        "shares": shares,
        "price": price,
        "ad": "A" if code in ("P", "A", "M") else "D",
        "after": after,
        "di": di,
        "nature": nature,
        "code_notes": list(code_notes),
        "price_notes": list(price_notes),
        "nature_notes": list(nature_notes),
    }


def _dt(
    day: date,
    title: str,
    code: str,
    units: float,
    price: float,
    after: float,
    *,
    exercise_price: float | None,
    expiration: date | None,
    exercise_price_notes: Sequence[str] = (),
    exercisable_notes: Sequence[str] = (),
    expiration_notes: Sequence[str] = (),
    acquired_disposed: str = "A",
) -> dict[str, Any]:
    return {
        "table": "dt",
        "title": title,
        "date": day,
        "code": code,
        "shares": units,
        "price": price,
        "ad": acquired_disposed,
        "after": after,
        "di": "D",
        "nature": None,
        "exercise_price": exercise_price,
        "exercise_price_notes": list(exercise_price_notes),
        "exercisable_notes": list(exercisable_notes),
        "expiration": expiration,
        "expiration_notes": list(expiration_notes),
        "underlying": units,
    }


def _owner_xml(owner: _Insider, company: Company) -> str:
    title = (
        f"\n            <officerTitle>{_x(owner.officer_title)}</officerTitle>" if owner.officer_title else ""
    )
    return f"""    <reportingOwner>
        <reportingOwnerId>
            <rptOwnerCik>{owner.cik:010d}</rptOwnerCik>
            <rptOwnerName>{_x(owner.name)}</rptOwnerName>
        </reportingOwnerId>
        <reportingOwnerAddress>
            <rptOwnerStreet1>C/O {_x(company.name.upper())}</rptOwnerStreet1>
            <rptOwnerStreet2/>
            <rptOwnerCity>WILMINGTON</rptOwnerCity>
            <rptOwnerState>DE</rptOwnerState>
            <rptOwnerZipCode>19801</rptOwnerZipCode>
            <rptOwnerStateDescription/>
        </reportingOwnerAddress>
        <reportingOwnerRelationship>
            <isDirector>{int(owner.is_director)}</isDirector>
            <isOfficer>{int(owner.is_officer)}</isOfficer>
            <isTenPercentOwner>{int(owner.is_ten_percent_owner)}</isTenPercentOwner>
            <isOther>0</isOther>{title}
        </reportingOwnerRelationship>
    </reportingOwner>
"""


def _value(tag: str, value: Any, notes: Sequence[str] = (), depth: int = 3) -> str:
    """``<tag><value>v</value><footnoteId id=".."/></tag>``; a None value leaves only the footnotes."""
    inner = "" if value is None else f"<value>{_x(value)}</value>"
    inner += "".join(f'<footnoteId id="{n}"/>' for n in notes)
    return f"{'    ' * depth}<{tag}>{inner}</{tag}>\n"


def _block(tag: str, body: str, depth: int = 3) -> str:
    pad = "    " * depth
    return f"{pad}<{tag}>\n{body}{pad}</{tag}>\n"


def _line_xml(line: dict[str, Any]) -> str:
    ownership = _value("directOrIndirectOwnership", line["di"], depth=4)
    if line.get("nature"):
        ownership += _value("natureOfOwnership", line["nature"], line.get("nature_notes", ()), depth=4)
    post = _block(
        "postTransactionAmounts", _value("sharesOwnedFollowingTransaction", _num(line["after"]), depth=4)
    )
    post += _block("ownershipNature", ownership)
    title = _value("securityTitle", line["title"])
    if line["table"] == "ndh":
        return _block("nonDerivativeHolding", title + post, depth=2)
    coding = _block(
        "transactionCoding",
        "                <transactionFormType>4</transactionFormType>\n"
        f"                <transactionCode>{line['code']}</transactionCode>\n"
        "                <equitySwapInvolved>0</equitySwapInvolved>\n"
        + "".join(f'                <footnoteId id="{n}"/>\n' for n in line.get("code_notes", ())),
    )
    amounts = _block(
        "transactionAmounts",
        _value("transactionShares", _num(line["shares"]), line.get("shares_notes", ()), depth=4)
        + _value("transactionPricePerShare", _num(line["price"]), line.get("price_notes", ()), depth=4)
        + _value("transactionAcquiredDisposedCode", line["ad"], depth=4),
    )
    when = _value("transactionDate", line["date"].isoformat())
    if line["table"] == "ndt":
        return _block("nonDerivativeTransaction", title + when + coding + amounts + post, depth=2)
    exercise_price = None if line["exercise_price"] is None else _num(line["exercise_price"])
    expiration = line["expiration"].isoformat() if line["expiration"] else None
    underlying = _block(
        "underlyingSecurity",
        _value("underlyingSecurityTitle", "Common Stock", depth=4)
        + _value("underlyingSecurityShares", _num(line["underlying"]), depth=4),
    )
    return _block(
        "derivativeTransaction",
        title
        + _value("conversionOrExercisePrice", exercise_price, line["exercise_price_notes"])
        + when
        + coding
        + amounts
        + _value("exerciseDate", None, line["exercisable_notes"])
        + _value("expirationDate", expiration, line["expiration_notes"])
        + underlying
        + post,
        depth=2,
    )


def _form4_xml(filing: _Form4) -> bytes:
    c = filing.company
    is_amendment = filing.original is not None
    original = ""
    if filing.original:
        original = f"    <dateOfOriginalSubmission>{filing.original.filing_date}</dateOfOriginalSubmission>\n"
    nd = [line for line in filing.lines if line["table"] in ("ndt", "ndh")]
    nd.sort(key=lambda line: line["table"] == "ndh")  # the schema lists transactions before holdings
    dv = [line for line in filing.lines if line["table"] == "dt"]
    tables = ""
    if nd:
        tables += (
            "    <nonDerivativeTable>\n"
            + "".join(_line_xml(line) for line in nd)
            + "    </nonDerivativeTable>\n"
        )
    if dv:
        tables += (
            "    <derivativeTable>\n" + "".join(_line_xml(line) for line in dv) + "    </derivativeTable>\n"
        )
    notes = "".join(f'        <footnote id="{k}">{_x(v)}</footnote>\n' for k, v in filing.footnotes.items())
    signer = filing.owners[0].name
    return f"""<?xml version="1.0"?>
<ownershipDocument>
    <schemaVersion>X0508</schemaVersion>
    <documentType>{"4/A" if is_amendment else "4"}</documentType>
    <periodOfReport>{filing.period.isoformat()}</periodOfReport>
{original}    <notSubjectToSection16>0</notSubjectToSection16>
    <issuer>
        <issuerCik>{c.cik:010d}</issuerCik>
        <issuerName>{_x(c.name)}</issuerName>
        <issuerTradingSymbol>{_x(c.ticker)}</issuerTradingSymbol>
    </issuer>
{"".join(_owner_xml(o, c) for o in filing.owners)}    <aff10b5One>0</aff10b5One>
{tables}    <footnotes>
{notes}    </footnotes>
    <remarks/>
    <ownerSignature>
        <signatureName>/s/ {_x(signer)}, by Attorney-in-Fact</signatureName>
        <signatureDate>{filing.filing_date.isoformat()}</signatureDate>
    </ownerSignature>
</ownershipDocument>
""".encode()


def _plan_form4(
    companies: Sequence[Company], days: list[date], rate: float, rng: random.Random
) -> list[tuple[Company, str, date, date]]:
    """(company, kind, filing date, period) for each filing; at least one derivative-only and one joint."""
    plans = []
    per_day = rate / 21.0  # ~21 business days a month
    for day_index, day in enumerate(days):
        for company in companies:
            if rng.random() >= per_day:
                continue
            kind = rng.choices(("regular", "derivative_only", "joint"), weights=(82, 12, 6))[0]
            lag = rng.choice((0, 1, 1, 2))
            period = days[day_index - lag] if day_index >= lag else day - timedelta(days=lag)
            plans.append((company, kind, day, period))
    if not plans:
        plans.append((companies[0], "regular", days[0], days[0]))
    kinds = {kind for _, kind, _, _ in plans}
    for position, needed in enumerate(("derivative_only", "joint")):
        if needed not in kinds:  # force the edge cases the parsers and marts must handle
            company = companies[position % len(companies)]
            day = days[min(position, len(days) - 1)]
            plans.append((company, needed, day, day))
    plans.sort(key=lambda plan: (plan[2], plan[0].index))
    return plans


# ---------------------------------------------------------------- feeds and indexes
def _feed_xml(entries: list[dict[str, Any]], generated: datetime) -> bytes:
    stamp = generated.astimezone(EASTERN)
    parts = [
        '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"<title>Latest Filings - {stamp:%a, %d %b %Y %H:%M:%S} {stamp.tzname()}</title>\n"
        '<link rel="alternate" href="/cgi-bin/browse-edgar?action=getcurrent"/>\n'
        '<link rel="self" href="/cgi-bin/browse-edgar?action=getcurrent"/>\n'
        "<id>https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent</id>\n"
        "<author><name>Webmaster</name><email>webmaster@sec.gov</email></author>\n"
        f"<updated>{stamp.isoformat()}</updated>\n"
    ]
    for e in entries:
        accepted = e["accepted"].astimezone(EASTERN)
        href = filing_index_htm_url(e["cik"], e["accession"])
        parts.append(
            "<entry>\n"
            f"<title>{_x(e['form'])} - {_x(e['name'])} ({e['cik']:010d}) ({e['role']})</title>\n"
            f'<link rel="alternate" type="text/html" href="{href}"/>\n'
            '<summary type="html">\n'
            f" &lt;b&gt;Filed:&lt;/b&gt; {e['filing_date']} &lt;b&gt;AccNo:&lt;/b&gt; {e['accession']} "
            f"&lt;b&gt;Size:&lt;/b&gt; {e['size_kb']} KB\n</summary>\n"
            f"<updated>{accepted.isoformat()}</updated>\n"
            f'<category scheme="https://www.sec.gov/" label="form type" term="{_x(e["form"])}"/>\n'
            f"<id>urn:tag:sec.gov,2008:accession-number={e['accession']}</id>\n"
            "</entry>\n"
        )
    parts.append("</feed>\n")
    return "".join(parts).encode("iso-8859-1")


def _write_feed(writer: _Writer, form_type: str, entries: list[dict[str, Any]], max_entries: int) -> None:
    entries = sorted(entries, key=lambda e: e["accepted"], reverse=True)[:max_entries]
    generated = entries[0]["accepted"] + timedelta(minutes=1) if entries else datetime(2000, 1, 1, tzinfo=UTC)
    start = 0
    while True:  # pages until a short one, so a client paging by `count` always finds its end
        page = entries[start : start + FEED_PAGE]
        params = current_feed_params(form_type, start, FEED_PAGE)
        writer.result.feed_files.append(writer.url(CURRENT_FEED_URL, _feed_xml(page, generated), params))
        if len(page) < FEED_PAGE:
            break
        start += FEED_PAGE


_NO_DECOMPOSITION = str.maketrans({"Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "ß": "ss", "Ł": "L"})


def _conformed(name: str) -> str:
    """EDGAR's conformed names in the indexes are plain ASCII ("Tanaka Chloe" for "Tanaka Chloé")."""
    folded = unicodedata.normalize("NFKD", name.translate(_NO_DECOMPOSITION))
    return folded.encode("ascii", "ignore").decode()


def _daily_index(day: date, rows: list[tuple[str, str, int, str]]) -> bytes:
    header = (
        "Description:           Daily Index of EDGAR Dissemination Feed by Form Type\n"
        f"Last Data Received:    {day:%b} {day.day}, {day.year}\n"
        "Comments:              webmaster@sec.gov\n"
        "Anonymous FTP:         ftp://ftp.sec.gov/edgar/\n \n \n \n \n"
        f"{'Form Type':<12}{'Company Name':<62}{'CIK':<12}{'Date Filed':<12}File Name\n" + "-" * 141 + "\n"
    )
    lines = []
    for form, name, cik, accession in sorted(rows, key=lambda r: (r[0], r[1].upper(), r[3])):
        file_name = f"edgar/data/{cik}/{accession}.txt"
        lines.append(f"{form:<12}{_conformed(name)[:60]:<62}{cik:<12}{day:%Y%m%d}    {file_name:<52}\n")
    return (header + "".join(lines)).encode("latin-1")


# ---------------------------------------------------------------- 13F
@dataclass
class _Manager:
    cik: int
    name: str
    holdings: dict[str, dict[str, Any]]  # cusip -> position (kept across quarters with turnover)


@dataclass
class _Filing13F:
    accession: str
    manager: _Manager
    period: date
    filing_date: date
    accepted: datetime
    rows: list[dict[str, Any]]
    amendment_type: str | None = None
    amendment_no: int | None = None
    table_name: str = "infotable.xml"

    @property
    def submission_type(self) -> str:
        return "13F-HR/A" if self.amendment_type else "13F-HR"


def _outside_cusip(rng: random.Random) -> str:
    base = f"{rng.randrange(10**5, 10**6)}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randrange(10)}"
    return base + cusip_check_digit(base)


def _quarter_ends(start: date, end: date, minimum: int) -> list[date]:
    """Quarter ends whose 45-day filing deadline falls in [start, end], extended back to ``minimum``."""
    ends = []
    year, quarter = end.year, (end.month - 1) // 3 + 1
    while True:
        month = quarter * 3
        qe = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        deadline = qe + timedelta(days=45)
        if deadline <= end and (deadline >= start or len(ends) < minimum):
            ends.append(qe)
        elif deadline < start and len(ends) >= minimum:
            break
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return sorted(ends)


def _positions(
    manager: _Manager, companies: Sequence[Company], period: date, seed: int, rng: random.Random
) -> list[dict[str, Any]]:
    """The manager's table for a quarter: long positions, a few options, maybe a convertible note.

    Rows carry a unit ``price`` (USD); the reported ``value`` depends on the filing date's unit rule and
    is computed when the filing is written (:func:`_reported_value`).
    """
    rows = []
    for cusip, pos in manager.holdings.items():
        pos["shares"] = max(100, int(pos["shares"] * rng.uniform(0.85, 1.2)))
        price = _price(pos["company"], period, seed) if pos["company"] else pos["price"]
        rows.append(
            {
                "issuer": pos["issuer"],
                "title": pos["title"],
                "cusip": cusip,
                "shares": pos["shares"],
                "type": "SH",
                "put_call": None,
                "price": price,
                "discretion": pos["discretion"],
                "other_manager": pos["other_manager"],
            }
        )
    for row in list(rows):  # some managers hedge or lever a few positions with listed options
        if rng.random() < 0.08:
            contracts = max(1, row["shares"] // 500) * 100
            rows.append(
                {
                    **row,
                    "shares": contracts,
                    "put_call": rng.choice(("Put", "Call")),
                    "price": round(row["price"] * 0.08, 4),
                }
            )
    if rng.random() < 0.5:
        company = rng.choice(list(companies))
        base8 = company.cusip[:6] + "AB"
        rows.append(
            {
                "issuer": company.name.upper().rstrip("."),
                "title": "NOTE 1.250% 3/1",
                "cusip": base8 + cusip_check_digit(base8),
                "shares": rng.randrange(1, 50) * 1_000_000,
                "type": "PRN",
                "put_call": None,
                "price": 1.02,
                "discretion": "SOLE",
                "other_manager": None,
            }
        )
    return rows


def _reported_value(row: dict[str, Any], filing_date: date) -> int:
    """``value`` as the filer reports it: thousands of dollars before 2023-01-03, dollars since."""
    return max(1, round(row["shares"] * row["price"] / value_multiplier(filing_date)))


def _infotable_xml(rows: list[dict[str, Any]], filing_date: date) -> bytes:
    body = []
    for r in rows:
        voting_sole = r["shares"] if r["discretion"] == "SOLE" else 0
        other = f"\n    <otherManager>{_x(r['other_manager'])}</otherManager>" if r["other_manager"] else ""
        put_call = f"\n    <putCall>{r['put_call']}</putCall>" if r["put_call"] else ""
        body.append(
            f"""  <infoTable>
    <nameOfIssuer>{_x(r["issuer"])}</nameOfIssuer>
    <titleOfClass>{_x(r["title"])}</titleOfClass>
    <cusip>{r["cusip"]}</cusip>
    <value>{_reported_value(r, filing_date)}</value>
    <shrsOrPrnAmt>
      <sshPrnamt>{r["shares"]}</sshPrnamt>
      <sshPrnamtType>{r["type"]}</sshPrnamtType>
    </shrsOrPrnAmt>{put_call}
    <investmentDiscretion>{r["discretion"]}</investmentDiscretion>{other}
    <votingAuthority>
      <Sole>{voting_sole}</Sole>
      <Shared>{r["shares"] - voting_sole if r["discretion"] == "DFND" else 0}</Shared>
      <None>{r["shares"] - voting_sole if r["discretion"] != "DFND" else 0}</None>
    </votingAuthority>
  </infoTable>
"""
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<informationTable xmlns="http://www.sec.gov/edgar/document/thirteenf/informationtable" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' + "".join(body) + "</informationTable>\n"
    ).encode()


def _cover_xml(f: _Filing13F) -> bytes:
    mmddyyyy = f"{f.period:%m-%d-%Y}"
    amendment = ""
    if f.amendment_type:
        amendment = (
            f"      <amendmentNo>{f.amendment_no}</amendmentNo>\n      <amendmentInfo>\n"
            f"        <amendmentType>{f.amendment_type}</amendmentType>\n"
            + (
                "        <confDeniedExpired>false</confDeniedExpired>\n"
                if f.amendment_type == "NEW HOLDINGS"
                else ""
            )
            + "      </amendmentInfo>\n"
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edgarSubmission xmlns="http://www.sec.gov/edgar/thirteenffiler" xmlns:com="http://www.sec.gov/edgar/common">
  <headerData>
    <submissionType>{f.submission_type}</submissionType>
    <filerInfo>
      <liveTestFlag>LIVE</liveTestFlag>
      <flags>
        <confirmingCopyFlag>false</confirmingCopyFlag>
        <returnCopyFlag>false</returnCopyFlag>
        <overrideInternetFlag>false</overrideInternetFlag>
      </flags>
      <filer>
        <credentials>
          <cik>{f.manager.cik:010d}</cik>
          <ccc>XXXXXXXX</ccc>
        </credentials>
      </filer>
      <periodOfReport>{mmddyyyy}</periodOfReport>
    </filerInfo>
  </headerData>
  <formData>
    <coverPage>
      <reportCalendarOrQuarter>{mmddyyyy}</reportCalendarOrQuarter>
      <isAmendment>{"true" if f.amendment_type else "false"}</isAmendment>
{amendment}      <filingManager>
        <name>{_x(f.manager.name)}</name>
        <address>
          <com:street1>100 Federal Street</com:street1>
          <com:city>Boston</com:city>
          <com:stateOrCountry>MA</com:stateOrCountry>
          <com:zipCode>02110</com:zipCode>
        </address>
      </filingManager>
      <reportType>13F HOLDINGS REPORT</reportType>
      <form13FFileNumber>028-{f.manager.cik % 100000:05d}</form13FFileNumber>
      <provideInfoForInstruction5>N</provideInfoForInstruction5>
    </coverPage>
    <signatureBlock>
      <name>Chief Compliance Officer</name>
      <title>CCO</title>
      <phone>617-555-0100</phone>
      <signature>/s/ Compliance</signature>
      <city>Boston</city>
      <stateOrCountry>MA</stateOrCountry>
      <signatureDate>{f.filing_date:%m-%d-%Y}</signatureDate>
    </signatureBlock>
    <summaryPage>
      <otherIncludedManagersCount>0</otherIncludedManagersCount>
      <tableEntryTotal>{len(f.rows)}</tableEntryTotal>
      <tableValueTotal>{sum(_reported_value(r, f.filing_date) for r in f.rows)}</tableValueTotal>
      <isConfidentialOmitted>false</isConfidentialOmitted>
    </summaryPage>
  </formData>
</edgarSubmission>
""".encode()


def _managers(companies: Sequence[Company], n_filers: int, seed: int) -> list[_Manager]:
    managers = []
    for i in range(n_filers):
        mrng = random.Random(f"{seed}-manager-{i}")
        first = mrng.choice(("Meridian", "Granite", "Harbor", "Summit", "Cobalt", "Juniper", "Tidal"))
        second = mrng.choice(("Peak", "Bay", "Ridge", "Point", "Stone", "Crest"))
        name = f"{first} {second} {mrng.choice(MANAGER_WORDS)}"
        holdings: dict[str, dict[str, Any]] = {}
        for company in mrng.sample(list(companies), k=min(len(companies), mrng.randint(15, 60))):
            shared = mrng.random() < 0.15  # shared-defined discretion with another manager of the group
            holdings[company.cusip] = {
                "company": company,
                "issuer": company.name.upper().rstrip("."),
                "title": "COM",
                "shares": max(100, int(company.shares_outstanding * mrng.uniform(0.0005, 0.015))),
                "discretion": "DFND" if shared else "SOLE",
                "other_manager": "1" if shared else None,
                "price": None,
            }
        for issuer, title in mrng.sample(OUTSIDE_ISSUERS, k=mrng.randint(1, 3)):
            holdings[_outside_cusip(mrng)] = {
                "company": None,
                "issuer": issuer,
                "title": title,
                "shares": mrng.randrange(1_000, 200_000),
                "discretion": "SOLE",
                "other_manager": None,
                "price": round(mrng.uniform(40, 600), 2),
            }
        managers.append(_Manager(1_900_000 + i * 11 + mrng.randrange(11), name, holdings))
    return managers


def _make_13f_filings(
    companies: Sequence[Company],
    start: date,
    end: date,
    seed: int,
    n_filers: int,
    n_quarters: int,
    accessions: _Accessions,
) -> list[_Filing13F]:
    managers = _managers(companies, n_filers, seed)
    quarters = _quarter_ends(start, end, n_quarters)
    filings: list[_Filing13F] = []
    for period in quarters:
        window = [
            d for d in sec_business_days(period + timedelta(days=20), period + timedelta(days=45)) if d <= end
        ]
        for manager in managers:
            mrng = random.Random(f"{seed}-13f-{manager.cik}-{period}")
            filed = mrng.choice(window)
            table_name = mrng.choice(INFOTABLE_NAMES).format(n=mrng.randrange(10000, 99999))
            rows = _positions(manager, companies, period, seed, mrng)
            filings.append(
                _Filing13F(
                    accessions.new(manager.cik, filed),
                    manager,
                    period,
                    filed,
                    _accepted(mrng, filed),
                    rows,
                    table_name=table_name,
                )
            )
    # One RESTATEMENT and one NEW HOLDINGS amendment, on the earliest quarter so there is room after it.
    originals = [f for f in filings if f.period == quarters[0]]
    for position, amendment_type in enumerate(("RESTATEMENT", "NEW HOLDINGS")):
        original = originals[position % len(originals)]
        arng = random.Random(f"{seed}-13fa-{original.accession}")
        later = [d for d in sec_business_days(original.filing_date + timedelta(days=5), end)][:20]
        filed = arng.choice(later) if later else original.filing_date
        if (
            amendment_type == "RESTATEMENT"
        ):  # the full table again: one share count corrected, one row dropped
            rows = [dict(r) for r in original.rows[:-1]]
            rows[0]["shares"] = int(rows[0]["shares"] * 1.1)
        else:  # positions left off the original report
            held = {r["cusip"] for r in original.rows}
            extra = [c for c in companies if c.cusip not in held][:2] or list(companies[:1])
            rows = [
                {
                    "issuer": c.name.upper().rstrip("."),
                    "title": "COM",
                    "cusip": c.cusip,
                    "shares": max(100, int(c.shares_outstanding * 0.001)),
                    "type": "SH",
                    "put_call": None,
                    "price": _price(c, original.period, seed),
                    "discretion": "SOLE",
                    "other_manager": None,
                }
                for c in extra
            ]
        accepted = max(_accepted(arng, filed), original.accepted + timedelta(minutes=5))
        filings.append(
            _Filing13F(
                accessions.new(original.manager.cik, filed),
                original.manager,
                original.period,
                filed,
                accepted,
                rows,
                amendment_type,
                1,
                table_name=original.table_name,
            )
        )
    return filings


def _dataset_zip(filings: list[_Filing13F]) -> bytes:
    def d(day: date) -> str:
        return f"{day:%d-%b-%Y}".upper()

    submission = ["\t".join(DATASET_COLUMNS["SUBMISSION"])]
    cover = ["\t".join(DATASET_COLUMNS["COVERPAGE"])]
    info = ["\t".join(DATASET_COLUMNS["INFOTABLE"])]
    sk = 0
    for f in sorted(filings, key=lambda f: (f.filing_date, f.accession)):
        submission.append(
            f"{f.accession}\t{d(f.filing_date)}\t{f.submission_type}\t{f.manager.cik:010d}\t{d(f.period)}"
        )
        cover.append(
            "\t".join(
                [
                    f.accession,
                    d(f.period),
                    "Y" if f.amendment_type else "N",
                    str(f.amendment_no or ""),
                    f.amendment_type or "",
                    "",
                    "",
                    "",
                    "",
                    f.manager.name,
                    "100 Federal Street",
                    "",
                    "Boston",
                    "MA",
                    "02110",
                    "13F HOLDINGS REPORT",
                    f"028-{f.manager.cik % 100000:05d}",
                    "",
                    "",
                    "N",
                    "",
                ]
            )
        )
        for r in f.rows:
            sk += 1
            sole = r["shares"] if r["discretion"] == "SOLE" else 0
            shared = r["shares"] - sole if r["discretion"] == "DFND" else 0
            info.append(
                "\t".join(
                    str(v)
                    for v in [
                        f.accession,
                        sk,
                        r["issuer"],
                        r["title"],
                        r["cusip"],
                        "",
                        _reported_value(r, f.filing_date),
                        r["shares"],
                        r["type"],
                        (r["put_call"] or "").upper(),
                        r["discretion"],
                        r["other_manager"] or "",
                        sole,
                        shared,
                        r["shares"] - sole - shared,
                    ]
                )
            )
    buffer = io.BytesIO()
    # Entries stamped with the last acceptance time, not the clock: the same seed gives the same bytes.
    stamp = max(f.accepted for f in filings).astimezone(EASTERN).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, lines in (
            ("SUBMISSION.tsv", submission),
            ("COVERPAGE.tsv", cover),
            ("INFOTABLE.tsv", info),
        ):
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, "\n".join(lines) + "\n")
    return buffer.getvalue()


# ---------------------------------------------------------------- entry point
def write_ownership_data(
    root: Path,
    companies: Sequence[Company],
    start: date,
    end: date,
    *,
    seed: int = 17,
    n_filers: int = 6,
    form4_per_company_month: float = 2.0,
    feed_entries: int = 300,
    n_quarters: int = 2,
) -> OwnershipWriteResult:
    """Write Form 4 and 13F filings, the current-filings feed, daily indexes and a 13F data set.

    ``form4_per_company_month`` is the mean number of Form 4 filings per company per month;
    ``feed_entries`` bounds the Atom feed (the live feed only reaches back a few days);
    ``n_quarters`` is the minimum number of 13F quarters written (more when [start, end] spans more
    filing deadlines). Returns what was written (see :class:`OwnershipWriteResult`).
    """
    if not companies:
        raise ValueError("no companies to generate ownership filings for")
    days = sec_business_days(start, end)
    if not days:
        raise ValueError(f"no SEC business day between {start} and {end}")
    root = Path(root)
    result = OwnershipWriteResult()
    writer = _Writer(root, result)
    accessions = _Accessions()
    rng = random.Random(f"{seed}-ownership")

    # Form 4 -------------------------------------------------------------------------
    insiders = {c.cik: _insiders(c, seed) for c in companies}
    maker = _Form4Maker(seed, accessions)
    filings: list[_Form4] = [
        maker.make(company, insiders[company.cik], kind, filed, period)
        for company, kind, filed, period in _plan_form4(companies, days, form4_per_company_month, rng)
    ]
    amendments = []
    for original in filings:
        if original.kind != "derivative_only" and rng.random() < 0.05:
            later = [d for d in days if original.filing_date < d <= original.filing_date + timedelta(days=14)]
            if later:
                amendments.append(maker.amend(original, rng.choice(later)))
    if not amendments:  # always at least one 4/A; same-day when the window has no later business day
        original = filings[0]
        later = [d for d in days if d > original.filing_date][:3]
        amendments.append(maker.amend(original, later[-1] if later else original.filing_date))
    filings.extend(amendments)
    filings.sort(key=lambda f: f.accepted)
    daily: dict[date, list[tuple[str, str, int, str]]] = defaultdict(list)
    feed4: list[dict[str, Any]] = []
    for f in filings:
        body = _form4_xml(f)
        ciks = [f.company.cik] + [o.cik for o in f.owners]
        writer.folder(ciks, f.accession, {f.doc_name: body}, f.accepted, "xslF345X05/")
        form = "4/A" if f.original else "4"
        size_kb = max(1, len(body) // 1024)
        entities = [(o.cik, o.name, "Reporting") for o in f.owners] + [
            (f.company.cik, f.company.name, "Issuer")
        ]
        for cik, name, role in entities:
            daily[f.filing_date].append((form, name, cik, f.accession))
            feed4.append(
                {
                    "form": form,
                    "name": name,
                    "cik": cik,
                    "role": role,
                    "accession": f.accession,
                    "filing_date": f.filing_date,
                    "accepted": f.accepted,
                    "size_kb": size_kb,
                }
            )
        result.form4.append(
            {
                "accession": f.accession,
                "kind": f.kind,
                "document_type": form,
                "issuer_cik": f.company.cik,
                "ticker": f.company.ticker,
                "owner_ciks": [o.cik for o in f.owners],
                "filing_date": f.filing_date,
                "period_of_report": f.period,
                "accepted": f.accepted,
                "primary_document": f.doc_name,
                "amends": f.original.accession if f.original else None,
                "n_lines": len(f.lines),
            }
        )

    # 13F ----------------------------------------------------------------------------
    filings13 = _make_13f_filings(companies, start, end, seed, n_filers, n_quarters, accessions)
    feed13: list[dict[str, Any]] = []
    for f in filings13:
        table = _infotable_xml(f.rows, f.filing_date)
        documents = {"primary_doc.xml": _cover_xml(f), f.table_name: table}
        writer.folder([f.manager.cik], f.accession, documents, f.accepted, "xslForm13F_X02/")
        if start <= f.filing_date <= end:
            daily[f.filing_date].append((f.submission_type, f.manager.name, f.manager.cik, f.accession))
        feed13.append(
            {
                "form": f.submission_type,
                "name": f.manager.name,
                "cik": f.manager.cik,
                "role": "Filer",
                "accession": f.accession,
                "filing_date": f.filing_date,
                "accepted": f.accepted,
                "size_kb": max(1, len(table) // 1024),
            }
        )
        result.form13f.append(
            {
                "accession": f.accession,
                "filer_cik": f.manager.cik,
                "filer_name": f.manager.name,
                "report_period": f.period,
                "filing_date": f.filing_date,
                "submission_type": f.submission_type,
                "amendment_type": f.amendment_type,
                "infotable": f.table_name,
                "n_rows": len(f.rows),
                "value_unit": "dollars" if value_multiplier(f.filing_date) == 1 else "thousands",
            }
        )

    # feeds, daily indexes, data set ----------------------------------------------------
    _write_feed(writer, "4", feed4, feed_entries)
    _write_feed(writer, "13F-HR", feed13, FEED_PAGE)
    agent = 950_170  # a filing agent's CIK prefix for the other forms that fill a real index
    for day in days:
        drng = random.Random(f"{seed}-daily-{day}")
        rows = list(daily.get(day, []))
        for company in drng.sample(list(companies), k=min(len(companies), drng.randint(1, 4))):
            rows.append(
                (
                    drng.choice(("8-K", "10-Q", "424B2", "SC 13G/A", "DEF 14A")),
                    company.name,
                    company.cik,
                    accessions.new(agent, day),
                )
            )
        result.daily_index_files.append(writer.url(daily_index_url(day), _daily_index(day, rows)))
    windows: dict[tuple[date, date], list[_Filing13F]] = defaultdict(list)
    for f in filings13:
        windows[dataset_window(f.filing_date)].append(f)
    (first, last), members = max(windows.items(), key=lambda kv: (len(kv[1]), kv[0]))
    result.dataset_label = dataset_period_label(first, last)
    result.dataset_path = writer.url(dataset_url(result.dataset_label), _dataset_zip(members))
    return result


# ---------------------------------------------------------------- the sample mirror
MIRROR_FORM4_DAYS = 50  # calendar days of Form 4 filings before the as-of date (the demo runs the last week;
# a backfill over the whole mirror, `vp materialize --start`, fills the insider-activity windows)


def truncate_form4(root: Path, filing: dict[str, Any]) -> list[Path]:
    """Cut a written Form 4 XML in half under every filer's folder (a download that stopped mid-way)."""
    paths = []
    for cik in [filing["issuer_cik"], *filing["owner_ciks"]]:
        path = root / mirror_relpath(
            filing_document_url(cik, filing["accession"], filing["primary_document"])
        )
        body = path.read_bytes()
        path.write_bytes(body[: len(body) // 2])
        paths.append(path)
    return paths


def broken_form4_candidate(result: OwnershipWriteResult) -> dict[str, Any]:
    """The filing the sample breaks: the latest original Form 4 that no amendment restates."""
    amended = {f["amends"] for f in result.form4 if f["amends"]}
    regular = [f for f in result.form4 if f["kind"] == "regular" and f["accession"] not in amended]
    return max(regular, key=lambda f: (f["filing_date"], f["accession"]))


def write_ownership_mirror(
    root: Path, companies: Sequence[Company], *, as_of: date, seed: int = 17, with_faults: bool = True
) -> tuple[OwnershipWriteResult, dict[str, Any] | None]:
    """The ownership part of a mirror: Form 4 filings of the ``MIRROR_FORM4_DAYS`` before ``as_of`` and
    13F filings for the two latest quarters whose deadline has passed. ``with_faults`` truncates one
    Form 4 XML (returned) so a run shows the quarantine at work."""
    result = write_ownership_data(
        root, companies, as_of - timedelta(days=MIRROR_FORM4_DAYS), as_of, seed=seed
    )
    broken = None
    if with_faults:
        broken = broken_form4_candidate(result)
        truncate_form4(root, broken)
    return result, broken


def describe(result: OwnershipWriteResult, broken: dict[str, Any] | None) -> str:
    quarters = sorted({f["report_period"].isoformat() for f in result.form13f})
    return (
        f"ownership: {len(result.form4)} Form 4 filings, {len(result.form13f)} 13F filings "
        f"(quarters {', '.join(quarters)}; data set {result.dataset_label}), "
        f"{1 if broken else 0} broken documents"
    )
