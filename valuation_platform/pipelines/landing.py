"""Landing folders: files people (or their tools) drop for a domain to pick up, and the fingerprint a
sensor keeps as its cursor. One copy for every domain with a landing folder (portfolio, trading).

Layout: ``<landing>/<area>/<file>``. The folder is the domain's setting when given, else
``<VP_SOURCE_ROOT>/landing/<domain>`` for a local mirror, else ``data/landing/<domain>`` in the checkout.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from valuation_platform.sources.errors import SourceError

DATA_LANDING = Path(__file__).resolve().parents[2] / "data" / "landing"


def landing_path(setting: str | None, source_root: str | None, domain: str) -> Path:
    if setting:
        return Path(setting)
    if source_root and not source_root.startswith(("http://", "https://")) and Path(source_root).is_dir():
        return Path(source_root) / "landing" / domain
    return DATA_LANDING / domain


def area_files(folder: Path, area: str, suffixes: Iterable[str] = (".csv",)) -> list[Path]:
    """The area's files with one of ``suffixes``, sorted; editor lock and hidden files are not data."""
    base = folder / area
    if not base.is_dir():
        return []
    wanted = tuple(suffixes)
    return sorted(p for p in base.iterdir()
                  if p.is_file() and p.suffix.lower() in wanted and not p.name.startswith((".", "~$")))


def fingerprint(folder: Path, areas: Iterable[str], suffixes: Iterable[str] = (".csv",)) -> dict[str, str]:
    """``relpath -> sha256`` of every file of ``areas`` (a landing sensor's cursor)."""
    wanted = tuple(suffixes)
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for area in areas for p in area_files(folder, area, wanted)}


@dataclass
class Parsed:
    """Rows parsed from landing files, and the rejected ones (one :class:`SourceError` each, its excerpt)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[SourceError] = field(default_factory=list)
    excerpts: dict[str, bytes] = field(default_factory=dict)

    def extend(self, other: Parsed) -> None:
        self.rows += other.rows
        self.rejected += other.rejected
        self.excerpts |= other.excerpts


class BadRow(ValueError):
    """A landing row that cannot be used: ``field`` names the column, ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(field, reason)
        self.field, self.reason = field, reason


def parse_csv(payload: bytes, document: str, *, source: str, required: Iterable[str],
              row: Callable[[Mapping[str, str]], dict[str, Any]]) -> Parsed:
    """Each record through ``row`` (which raises :class:`BadRow`); a file without the ``required`` header
    columns is rejected whole, a bad record alone as ``<document>#line<n>``."""
    out = Parsed()
    reader = csv.DictReader(io.StringIO(payload.decode("utf-8-sig")))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        out.rejected.append(SourceError(source, document, f"no {', '.join(missing)} column", field="header"))
        out.excerpts[document] = payload[:2000]
        return out
    for line, rec in enumerate(reader, start=2):
        item = f"{document}#line{line}"
        try:
            out.rows.append({**row({k: (v or "").strip() for k, v in rec.items() if k}), "document": document})
        except BadRow as exc:
            out.rejected.append(SourceError(source, item, exc.reason, field=exc.field))
            out.excerpts[item] = ",".join(f"{k}={v}" for k, v in rec.items()).encode()
    return out
