"""Which ownership filings exist for a filing date: the daily form index, else the current-filings feed.

The daily index (``form.YYYYMMDD.idx``) is complete but published only after the day ends; the Atom feed
is live but reaches back only a few days. Both list one line per filer (issuer and every reporting
owner), so both fold into one :class:`FilingRef` per accession here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from valuation_platform.sources.errors import FetchError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.sec.filing_index import (
    feed_filings,
    fetch_current_feed_pages,
    fetch_daily_index,
)

DAILY_INDEX = "daily_index"
CURRENT_FEED = "current_feed"


@dataclass(frozen=True)
class FilingRef:
    """One filing to fetch. ``filer_ciks`` lists every entity named for it (the folder exists under each)."""

    accession: str
    form_type: str
    filing_date: date
    filer_ciks: tuple[int, ...]
    discovered_via: str
    issuer_cik: int | None = None  # known from the feed's "(Issuer)" entry, not from the index

    def archive_cik(self, prefer: Iterable[int] = ()) -> int:
        """The CIK whose folder to read: the issuer when known, else a preferred (universe) CIK, else the
        first one listed. Any filer's folder holds the same documents."""
        if self.issuer_cik is not None:
            return self.issuer_cik
        preferred = set(prefer)
        return next((cik for cik in self.filer_ciks if cik in preferred), self.filer_ciks[0])

    def involves(self, ciks: set[int]) -> bool:
        return any(cik in ciks for cik in self.filer_ciks)


def refs_from_daily_index(rows: Iterable[dict[str, Any]]) -> list[FilingRef]:
    """Fold :func:`parse_daily_index` rows (one per filer) into one ref per accession, first-seen order."""
    grouped: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = grouped.setdefault(
            row["accession"],
            {"form_type": row["form_type"], "filing_date": row["date_filed"], "ciks": []},
        )
        if row["cik"] not in entry["ciks"]:
            entry["ciks"].append(row["cik"])
    return [
        FilingRef(accession, e["form_type"], e["filing_date"], tuple(e["ciks"]), DAILY_INDEX)
        for accession, e in grouped.items()
    ]


def refs_from_feed(entries: Iterable[dict[str, Any]]) -> list[FilingRef]:
    """One ref per accession from :func:`parse_current_feed` entries; entries without a filing date
    (a summary EDGAR did not fill) cannot be placed in a partition and are left out."""
    return [
        FilingRef(
            f["accession"],
            f["form_type"],
            f["filing_date"],
            tuple(f["filer_ciks"]),
            CURRENT_FEED,
            f["issuer_cik"],
        )
        for f in feed_filings(entries)
        if f["filing_date"] is not None
    ]


def daily_index_refs(client: HttpClient, day: date, forms: Iterable[str]) -> list[FilingRef] | None:
    """The day's filings of ``forms`` from its daily index; None when the index does not exist (yet):
    a day still in progress, an ad-hoc EDGAR closure, or a day a mirror does not hold."""
    try:
        return refs_from_daily_index(fetch_daily_index(client, day, forms=forms))
    except FetchError as exc:
        if exc.status == 404:
            return None
        raise


def feed_refs(
    client: HttpClient, form_type: str, forms: Iterable[str], *, max_pages: int = 10
) -> list[FilingRef]:
    """The filings of ``forms`` the current-filings feed lists when asked for ``form_type``. EDGAR
    matches the type loosely (amendments come with it, and other forms may), hence the explicit filter."""
    wanted = {f.upper() for f in forms}
    refs = refs_from_feed(fetch_current_feed_pages(client, form_type, max_pages=max_pages))
    return [ref for ref in refs if ref.form_type.upper() in wanted]
