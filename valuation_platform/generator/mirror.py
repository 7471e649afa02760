"""Write a whole mirror: every source the platform reads, at ``<root>/<host>/<url path>``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from valuation_platform.generator.sec import DEFAULT_AS_OF, write_sec_mirror


def write_mirror(root: Path, *, companies: int, as_of: date = DEFAULT_AS_OF, seed: int = 7,
                 with_faults: bool = True) -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    sec = write_sec_mirror(root, companies, as_of=as_of, seed=seed, with_faults=with_faults)
    return [f"sec: {sec.companies} companies, {sec.facts:,} facts, {len(sec.bad_documents)} broken documents"]
