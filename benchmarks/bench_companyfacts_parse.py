"""SEC companyfacts parse: the columnar ``parse_companyfacts`` against the per-fact walk it replaced.

Generates a companyfacts mirror as bench_sec_load.py does (or reads one with ``--mirror``, or takes real
documents with ``--documents``), holds the gzipped bodies in memory (no disk in the figures) and times, per
document and per fact:

- gunzip, orjson.loads (what the platform decodes with) and stdlib json.loads: the decode, the floor any
  parse of the decoded payload adds to;
- the old per-fact walk (still the parse's error path, ``_per_fact``: the old code unchanged) and the new
  parse, each on a payload orjson has just decoded (its objects fresh in cache, as in the fetch threads);
- the stage per document (gunzip + orjson + parse) in ``--workers`` threads, as ``fetch_all`` runs it: the
  GIL serializes all but polars' own work, so this is the figure the daily cycle sees.

Every figure is the best of ``--repeat`` runs, in wall seconds and CPU seconds (this process, polars' threads
included). The old and new frames are compared on every document first.

    nice .venv/bin/python benchmarks/bench_companyfacts_parse.py [--companies 4600] [--mirror DIR]
    nice .venv/bin/python benchmarks/bench_companyfacts_parse.py --documents path/to/companyfacts_*.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from valuation_platform.generator.sec import write_sec_mirror
from valuation_platform.sources.sec.companyfacts import FACT_SCHEMA, _per_fact, parse_companyfacts

Parse = Callable[[Any, str], pl.DataFrame]


def old_parse(payload: Any, document: str) -> pl.DataFrame:
    return _per_fact(payload["facts"], int(payload["cik"]), document)


Timing = tuple[float, float]  # wall seconds, CPU seconds


def per_document(zipped: list[bytes], prepare: Callable[[bytes], Any], step: Callable[[Any], object]
                 ) -> Callable[[], Timing]:
    """``step`` on each document, just after ``prepare`` (not counted) made its input: a payload's objects
    are fresh in cache, as in the fetch threads, and only the gzipped bodies stay in memory."""
    def run() -> Timing:
        wall = cpu = 0.0
        for z in zipped:
            given = prepare(z)
            w, c = time.perf_counter(), time.process_time()
            step(given)
            wall += time.perf_counter() - w
            cpu += time.process_time() - c
        return wall, cpu
    return run


def stage(zipped: list[bytes], parse: Parse, workers: int) -> Callable[[], Timing]:
    """gunzip + orjson + parse per document in ``workers`` threads, as fetch_all runs the fetches."""
    def run() -> Timing:
        w, c = time.perf_counter(), time.process_time()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda z: parse(orjson.loads(gzip.decompress(z)), "doc"), zipped))
        return time.perf_counter() - w, time.process_time() - c
    return run


def decoded(z: bytes) -> Any:
    return orjson.loads(gzip.decompress(z))


def gzipped_documents(args: argparse.Namespace) -> list[bytes]:
    if args.documents:  # gzipped here as the mirror holds them, for the stage figure
        return [gzip.compress(Path(p).read_bytes(), compresslevel=6, mtime=0) for p in args.documents]
    root = Path(args.mirror or tempfile.mkdtemp(prefix="vp_bench_cf_"))
    folder = root / "data.sec.gov/api/xbrl/companyfacts"
    if not folder.is_dir():
        t = time.perf_counter()
        write_sec_mirror(root, args.companies, with_faults=False)
        print(f"generated {args.companies:,} companies in {time.perf_counter() - t:.1f} s under {root}")
    return [p.read_bytes() for p in sorted(folder.glob("CIK*.json.gz"))[: args.companies]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=400)
    parser.add_argument("--mirror", help="read the companyfacts of this mirror (generated there when absent)")
    parser.add_argument("--documents", nargs="+", help="companyfacts JSON files to time instead of a mirror")
    parser.add_argument("--workers", type=int, default=8, help="threads of the stage figure (fetch_all's)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    zipped = gzipped_documents(args)
    docs, facts, size = len(zipped), 0, 0
    for i, z in enumerate(zipped):  # the figures mean nothing unless both parses agree
        body = gzip.decompress(z)
        payload, size = orjson.loads(body), size + len(body)
        new = parse_companyfacts(payload, f"doc{i}")
        assert new.schema == FACT_SCHEMA and new.equals(old_parse(payload, f"doc{i}")), f"doc{i} differs"
        facts += new.height
    print(f"{docs:,} documents, {facts:,} facts ({facts / docs:,.0f} a document, {size / docs / 1e3:,.0f} kB "
          f"of JSON), best of {args.repeat}")

    cases = {
        "gunzip": per_document(zipped, lambda z: z, gzip.decompress),
        "orjson.loads": per_document(zipped, gzip.decompress, orjson.loads),
        "json.loads (stdlib)": per_document(zipped, gzip.decompress, json.loads),
        "old per-fact walk": per_document(zipped, decoded, lambda payload: old_parse(payload, "doc")),
        "new parse": per_document(zipped, decoded, lambda payload: parse_companyfacts(payload, "doc")),
        f"stage old, {args.workers} threads": stage(zipped, old_parse, args.workers),
        f"stage new, {args.workers} threads": stage(zipped, parse_companyfacts, args.workers),
    }
    print(f"{'':26} {'wall s':>8} {'ms/doc':>8} {'facts/s':>12} {'cpu s':>8} {'cpu ms/doc':>10}")
    best: dict[str, tuple[float, float]] = {}
    for label, run in cases.items():
        wall, cpu = best[label] = tuple(map(min, zip(*(run() for _ in range(args.repeat)))))
        print(f"{label:26} {wall:8.2f} {wall / docs * 1e3:8.2f} {facts / wall:>12,.0f} {cpu:8.2f} "
              f"{cpu / docs * 1e3:10.2f}")
    old, new = best["old per-fact walk"], best["new parse"]
    stage_old, stage_new = (best[f"stage {which}, {args.workers} threads"] for which in ("old", "new"))
    print(f"new parse: {old[0] / new[0]:.1f}x the old walk's speed (wall), {old[1] / new[1]:.1f}x (cpu); "
          f"stage: {stage_old[0] / stage_new[0]:.2f}x (wall), {stage_old[1] / stage_new[1]:.2f}x (cpu)")


if __name__ == "__main__":
    main()
