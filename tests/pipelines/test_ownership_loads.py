"""The ownership loads on a real Postgres, without Dagster: feed fallback, batching, quarantine release,
13F without a data set, refetch."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from valuation_platform.generator.ownership import OwnershipWriteResult, truncate_form4, write_ownership_data
from valuation_platform.generator.universe import us_companies
from valuation_platform.pipelines.ownership import form4_load
from valuation_platform.pipelines.ownership.form4_load import load_form4
from valuation_platform.pipelines.ownership.form13f_load import load_13f
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.sec.calendar import sec_business_days
from valuation_platform.sources.sec.filing_index import daily_index_url, filing_document_url
from valuation_platform.sources.sec.form13f import dataset_url
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.ownership import OWNERSHIP_TABLES

END = date(2026, 11, 20)
START = END - timedelta(days=20)
COMPANIES = us_companies(5)


@pytest.fixture
def mirror(tmp_path: Path) -> tuple[Path, OwnershipWriteResult]:
    return tmp_path, write_ownership_data(
        tmp_path, COMPANIES, START, END, n_filers=3, form4_per_company_month=6
    )


def count(conn, sql: str, params: tuple = ()) -> int:
    return conn.execute(sql, params).fetchone()[0]


def test_form4_feed_fallback_batches_and_quarantine_release(mirror, fresh_db, monkeypatch) -> None:
    root, result = mirror
    days = sec_business_days(START, END)
    last_day = days[-1]
    (root / mirror_relpath(daily_index_url(last_day))).unlink()  # today's index is not published yet
    victim = next(f for f in result.form4 if f["filing_date"] != last_day and f["kind"] == "regular")
    original = (
        root
        / mirror_relpath(
            filing_document_url(victim["issuer_cik"], victim["accession"], victim["primary_document"])
        )
    ).read_bytes()
    copies = truncate_form4(root, victim)  # under the issuer's and every owner's folder
    monkeypatch.setattr(form4_load, "BATCH_FILINGS", 3)  # several flushes, several per filing date
    client = HttpClient(source_root=root)
    with connect(fresh_db) as conn:
        ensure_tables(conn, OWNERSHIP_TABLES)
        load = load_form4(conn, client, days, universe_ciks={c.cik for c in COMPANIES})
        assert load.missing_indexes == [last_day]
        assert [str(e.document) for e in load.errors] == [f"Form 4 {victim['accession']}"]
        via = dict(conn.execute("select accession, discovered_via from raw.sec_form4_filings").fetchall())
        on_last_day = {f["accession"] for f in result.form4 if f["filing_date"] == last_day}
        assert on_last_day and {via[a] for a in on_last_day} == {"current_feed"}  # the feed stood in
        assert set(via) == {f["accession"] for f in result.form4}
        assert (
            count(conn, "select count(*) from raw.quarantine where asset_key = 'sec_form4_transactions'") == 1
        )

        for path in copies:  # the document is fine again (e.g. a complete re-download)
            path.write_bytes(original)
        again = load_form4(conn, client, days, universe_ciks={c.cik for c in COMPANIES})
        assert again.loaded == [victim["accession"]] and not again.errors
        assert count(conn, "select count(*) from raw.quarantine") == 0
        assert count(conn, "select count(distinct status) from raw.sec_form4_filings") == 1

        # outside the universe nothing is fetched
        none = load_form4(conn, client, days, universe_ciks={1})
        assert none.outside_universe == none.discovered and not none.loaded


def test_13f_without_a_data_set_reads_every_filer_xml_and_refetches(mirror, fresh_db) -> None:
    root, result = mirror
    (root / mirror_relpath(dataset_url(result.dataset_label))).unlink()
    client = HttpClient(source_root=root)
    periods = sorted({f["report_period"] for f in result.form13f})
    with connect(fresh_db) as conn:
        ensure_tables(conn, OWNERSHIP_TABLES)
        load = load_13f(conn, client, periods)
        assert load.datasets == {} and load.datasets_missing
        origins = dict(conn.execute("select accession, origin from raw.sec_13f_filings").fetchall())
        assert origins == {f["accession"]: "xml" for f in result.form13f}
        rows = count(conn, "select count(*) from raw.sec_13f_holdings")
        assert rows == sum(f["n_rows"] for f in result.form13f)
        keys = dict(conn.execute("select accession, _partition_key from raw.sec_13f_filings").fetchall())
        for (
            f
        ) in result.form13f:  # stored under the quarter of its report period (key = the quarter's first day)
            assert (
                keys[f["accession"]]
                == date(f["report_period"].year, f["report_period"].month - 2, 1).isoformat()
            )

        again = load_13f(conn, client, periods, refetch=True)
        assert sorted(again.loaded) == sorted(origins)
        holdings = [r for r in again.results if r.table == "raw.sec_13f_holdings"]
        assert sum(r.inserted + r.updated for r in holdings) == 0 and sum(r.rows_in for r in holdings) == rows
