"""The India landing folder: what is in it, what changed since the sensor last looked, and which parser
reads each file.

Layout (the generator writes the same; VP_INDIA_LANDING points elsewhere)::

    <landing>/classification/   the company classification workbook (.xlsx) or its CSV export
    <landing>/mospi/            MOSPI releases as published: the file name's prefix picks the parser
                                (cpi*, iip*, wpi*, nas*|gdp*|gva*, plfs*)
    <landing>/market/           market indicator exports: a catalogued file name (india_market.MARKET_FEEDS)
                                names the instrument; any other file must be in the long indicator layout

Files elsewhere, hidden files and Office lock files (``~$...``) are ignored. A dropped file has no
release date of its own unless its rows carry one, so its modification time stands in for
``released_at`` (a re-saved file with unchanged values adds no release: see :mod:`.releases`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.india.market import MARKET_FEEDS, parse_market_csv
from valuation_platform.sources.mospi.client import parse_mospi_release
from valuation_platform.sources.mospi.series import MOSPI

CLASSIFICATION, MOSPI_AREA, MARKET = "classification", "mospi", "market"
AREAS = (CLASSIFICATION, MOSPI_AREA, MARKET)
SUFFIXES = frozenset({".csv", ".xlsx", ".json"})
# File-name prefix -> MOSPI product (longest first is unnecessary: the prefixes do not overlap).
MOSPI_PREFIXES = (("cpi", "cpi"), ("iip", "iip"), ("wpi", "wpi"), ("nas", "nas"), ("gdp", "nas"),
                  ("gva", "nas"), ("plfs", "plfs"))
FEED_BY_FILE = {feed.file_name: name for name, feed in MARKET_FEEDS.items()}


@dataclass(frozen=True)
class LandingFile:
    relpath: str  # "mospi/cpi_all_india_index.csv", also the document name in raw tables and quarantine
    path: Path
    mtime_ns: int
    size: int

    @property
    def area(self) -> str:
        return self.relpath.split("/", 1)[0]

    @property
    def modified_at(self) -> datetime:
        return datetime.fromtimestamp(self.mtime_ns / 1e9, tz=UTC)


def scan(folder: Path, areas: tuple[str, ...] = AREAS) -> list[LandingFile]:
    """Every usable file under the landing ``areas`` (the India ones by default), sorted by path."""
    files: list[LandingFile] = []
    for area in areas:
        base = folder / area
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            name = path.name
            if not path.is_file() or name.startswith((".", "~$")) or path.suffix.lower() not in SUFFIXES:
                continue
            stat = path.stat()
            files.append(LandingFile(path.relative_to(folder).as_posix(), path, stat.st_mtime_ns, stat.st_size))
    return sorted(files, key=lambda f: f.relpath)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprints(files: list[LandingFile], previous: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``relpath -> [mtime_ns, size, sha256]``; a file whose mtime and size did not move keeps its hash."""
    out: dict[str, list[Any]] = {}
    for f in files:
        old = previous.get(f.relpath)
        if isinstance(old, list) and len(old) == 3 and old[0] == f.mtime_ns and old[1] == f.size:
            out[f.relpath] = old
        else:
            out[f.relpath] = [f.mtime_ns, f.size, _sha256(f.path)]
    return out


def changed_files(previous: Mapping[str, Any], current: Mapping[str, list[Any]]) -> list[str]:
    """Files that are new or whose content changed (a touched but identical file is not a change)."""
    return sorted(
        path for path, (_, _, sha) in current.items()
        if not (isinstance(previous.get(path), list) and previous[path][2] == sha)
    )


# What a changed file re-runs: the universe (classification/) or the macro loads (mospi/, market/).
RUNS_BY_AREA = {CLASSIFICATION: "universe", MOSPI_AREA: "macro", MARKET: "macro"}


def landing_runs(folder: Path, previous: Mapping[str, Any]) -> tuple[dict[str, tuple[list[str], str]], dict]:
    """What the landing sensor launches: ``({run: (changed files, run key)}, new cursor)``.

    The cursor is each file's ``[mtime_ns, size, sha256]``; the run key names the changed files and their
    content, so the same change never launches twice.
    """
    current = fingerprints(scan(folder), previous)
    runs: dict[str, list[str]] = {}
    for path in changed_files(previous, current):
        runs.setdefault(RUNS_BY_AREA[path.split("/", 1)[0]], []).append(path)
    def run_key(files: list[str]) -> str:
        return hashlib.sha256(",".join(f"{p}@{current[p][2]}" for p in files).encode()).hexdigest()[:32]

    return {run: (files, run_key(files)) for run, files in runs.items()}, current


def classification_candidates(files: list[LandingFile]) -> list[LandingFile]:
    """Classification files, the one to use first: newest, then a workbook before its CSV export, then name."""
    candidates = [f for f in files if f.area == CLASSIFICATION and f.path.suffix.lower() in (".xlsx", ".csv")]
    return sorted(candidates, key=lambda f: (-f.mtime_ns, f.path.suffix.lower() != ".xlsx", f.relpath))


def mospi_product(file_name: str) -> str | None:
    lowered = file_name.lower()
    return next((product for prefix, product in MOSPI_PREFIXES if lowered.startswith(prefix)), None)


def parse_macro_file(f: LandingFile) -> list[dict[str, Any]]:
    """Long macro rows of a dropped MOSPI or market file; raises :class:`SourceError` naming the file."""
    payload = f.path.read_bytes()
    if f.area == MOSPI_AREA:
        product = mospi_product(f.path.name)
        if product is None:
            raise SourceError(
                MOSPI, f.relpath, "no parser for this file name: it must start with cpi, iip, wpi, nas/gdp/gva "
                "or plfs", field="file name",
            )
        return parse_mospi_release(product, payload, document=f.relpath, released_at=f.modified_at)
    if f.area == MARKET:
        feed = FEED_BY_FILE.get(f.path.name)
        if feed is not None and MARKET_FEEDS[feed].layout == "investing":
            # Daily closes: released at the close of their own trading day, not when the file was saved.
            return parse_market_csv(payload, document=f.relpath, feed=feed)
        return parse_market_csv(payload, document=f.relpath, released_at=f.modified_at)
    raise SourceError("india_landing", f.relpath, f"not a macro area ({MOSPI_AREA}/ or {MARKET}/)")
