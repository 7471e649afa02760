"""Throughput of the ownership generator and parsers (Form 4, 13F XML, 13F data set, discovery).

    .venv/bin/python benchmarks/sec_ownership.py [--companies 300] [--dataset-rows 1000000]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from valuation_platform.generator.ownership import DATASET_COLUMNS, write_ownership_data  # noqa: E402
from valuation_platform.generator.universe import us_companies  # noqa: E402
from valuation_platform.sources.http import HttpClient, mirror_relpath  # noqa: E402
from valuation_platform.sources.sec.filing_index import (  # noqa: E402
    fetch_current_feed_pages,
    filing_document_url,
    parse_daily_index,
)
from valuation_platform.sources.sec.form4 import parse_form4  # noqa: E402
from valuation_platform.sources.sec.form13f import parse_13f_dataset, parse_13f_infotable  # noqa: E402


def timed(label: str, count: int, unit: str, fn):  # noqa: ANN001, ANN201
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label:<44} {count:>10,} {unit:<10} {seconds:8.3f} s  {count / seconds:>12,.0f} {unit}/s")
    return result


def synthetic_dataset(rows: int) -> bytes:
    """A data set zip with ``rows`` INFOTABLE lines over 2,000 filings (real headers, generated values)."""
    rng = random.Random(1)
    filings = [f"{1_000_000 + i:010d}-24-{i:06d}" for i in range(2000)]

    def line(table: str, **values: object) -> str:
        return "\t".join(str(values.get(column, "")) for column in DATASET_COLUMNS[table])

    submission = ["\t".join(DATASET_COLUMNS["SUBMISSION"])] + [
        line(
            "SUBMISSION",
            ACCESSION_NUMBER=acc,
            FILING_DATE="14-FEB-2024",
            SUBMISSIONTYPE="13F-HR",
            CIK=acc[:10],
            PERIODOFREPORT="31-DEC-2023",
        )
        for acc in filings
    ]
    cover = ["\t".join(DATASET_COLUMNS["COVERPAGE"])] + [
        line(
            "COVERPAGE",
            ACCESSION_NUMBER=acc,
            REPORTCALENDARORQUARTER="31-DEC-2023",
            ISAMENDMENT="N",
            FILINGMANAGER_NAME=f"MANAGER {i}",
            REPORTTYPE="13F HOLDINGS REPORT",
            FORM13FFILENUMBER="028-1",
        )
        for i, acc in enumerate(filings)
    ]
    info = ["\t".join(DATASET_COLUMNS["INFOTABLE"])]
    for i in range(rows):
        shares = rng.randrange(100, 1_000_000)
        info.append(
            line(
                "INFOTABLE",
                ACCESSION_NUMBER=filings[i % 2000],
                INFOTABLE_SK=i,
                NAMEOFISSUER=f"ISSUER {i % 5000}",
                TITLEOFCLASS="COM",
                CUSIP=f"{i % 5000:09d}",
                VALUE=shares * 57,
                SSHPRNAMT=shares,
                SSHPRNAMTTYPE="SH",
                PUTCALL="" if i % 40 else "CALL",
                INVESTMENTDISCRETION="SOLE",
                VOTING_AUTH_SOLE=shares,
                VOTING_AUTH_SHARED=0,
                VOTING_AUTH_NONE=0,
            )
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, lines in (("SUBMISSION", submission), ("COVERPAGE", cover), ("INFOTABLE", info)):
            archive.writestr(f"{name}.tsv", "\n".join(lines) + "\n")
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--companies", type=int, default=300)
    parser.add_argument("--filers", type=int, default=40)
    parser.add_argument("--dataset-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    companies = us_companies(args.companies)
    start, end = date(2024, 1, 2), date(2024, 3, 28)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        result = timed(
            f"generate ({args.companies} companies, {start}..{end})",
            args.companies,
            "companies",
            lambda: write_ownership_data(root, companies, start, end, n_filers=args.filers),
        )
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        print(
            f"  wrote {result.files_written:,} files, {size / 1e6:.1f} MB, "
            f"{len(result.form4):,} Form 4 filings, {len(result.form13f)} 13F filings"
        )

        def mirrored(url: str) -> bytes:
            return (root / mirror_relpath(url)).read_bytes()

        form4_docs = [
            (
                f["accession"],
                mirrored(filing_document_url(f["issuer_cik"], f["accession"], f["primary_document"])),
            )
            for f in result.form4
        ]
        rows = timed(
            "parse_form4 (documents)",
            len(form4_docs),
            "docs",
            lambda: [r for acc, xml in form4_docs for r in parse_form4(xml, accession=acc)],
        )
        print(f"  -> {len(rows):,} rows")

        tables = [
            (f, mirrored(filing_document_url(f["filer_cik"], f["accession"], f["infotable"])))
            for f in result.form13f
        ]
        n_rows = sum(f["n_rows"] for f, _ in tables)
        timed(
            "parse_13f_infotable (XML rows)",
            n_rows,
            "rows",
            lambda: [
                parse_13f_infotable(
                    xml,
                    accession=f["accession"],
                    filer_cik=f["filer_cik"],
                    report_period=f["report_period"],
                    filing_date=f["filing_date"],
                )
                for f, xml in tables
            ],
        )
        client = HttpClient(source_root=root)
        entries = timed(
            "feed pages (directory mirror)", 300, "entries", lambda: fetch_current_feed_pages(client, "4")
        )
        assert entries
        idx = [p.read_bytes() for p in result.daily_index_files]
        lines = sum(body.count(b"\n") for body in idx)
        timed(
            "parse_daily_index (all forms)",
            lines,
            "lines",
            lambda: [parse_daily_index(b, forms=None) for b in idx],
        )

    blob = timed(
        "build synthetic data set zip",
        args.dataset_rows,
        "rows",
        lambda: synthetic_dataset(args.dataset_rows),
    )
    print(f"  zip is {len(blob) / 1e6:.1f} MB")
    data = timed(
        "parse_13f_dataset (INFOTABLE rows)", args.dataset_rows, "rows", lambda: parse_13f_dataset(blob)
    )
    print(
        f"  -> holdings {data.holdings.shape}, "
        f"estimated {data.holdings.estimated_size('mb'):.0f} MB in memory"
    )


if __name__ == "__main__":
    main()
