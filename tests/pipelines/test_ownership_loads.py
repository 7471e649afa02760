"""The ownership loads on a real Postgres, without Dagster: feed fallback, batching, quarantine release,
13F without a data set, refetch; a mirror without EDGAR's listings, the 13F history quarter, and row
counts of what a run wrote."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from valuation_platform.generator.ownership import OwnershipWriteResult, truncate_form4, write_ownership_data
from valuation_platform.generator.universe import us_companies
from valuation_platform.pipelines.ownership import form4_load, form13f_load
from valuation_platform.pipelines.ownership.common import INDEX_SOURCE, StepRun
from valuation_platform.pipelines.ownership.form4_load import load_form4
from valuation_platform.pipelines.ownership.form13f_load import load_13f, quarter_start
from valuation_platform.sources.errors import SourceUnavailable
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


# ---------------------------------------------------------------- domains fail alone, history, row counts
def sec_only_mirror(root: Path) -> Path:
    """A mirror holding only SEC company payloads (tickers, submissions, companyfacts): no EDGAR daily
    index, no current-filings feed, no 13F data set."""
    from valuation_platform.generator.sec import write_sec_mirror

    write_sec_mirror(root, 3, compress=False, with_faults=False)
    assert not (root / "www.sec.gov" / "Archives" / "edgar" / "daily-index").exists()
    assert not (root / "www.sec.gov" / "cgi-bin").exists()
    return root


def test_steps_fail_alone_with_one_line_when_edgar_listings_are_missing(tmp_path, fresh_db) -> None:
    root = sec_only_mirror(tmp_path)
    client = HttpClient(source_root=root)
    with connect(fresh_db) as conn:
        ensure_tables(conn, [*form4_load.TABLES, *form13f_load.TABLES])
        with pytest.raises(SourceUnavailable) as form4:
            form4_load.form4_step(conn, client, StepRun(["2026-11-19", "2026-11-20"]))
        with pytest.raises(SourceUnavailable) as thirteenf:
            form13f_load.thirteenf_step(conn, client, StepRun(["2026-07-01"]))
        assert count(conn, "select count(*) from raw.sec_form4_filings") == 0
    for error, what in ((form4.value, "Form 4"), (thirteenf.value, "13F")):
        line = str(error)
        assert "\n" not in line and error.source == INDEX_SOURCE
        assert line.startswith(f"source {INDEX_SOURCE} unavailable: {what}")
        assert "no daily form index for" in line and "current-filings feed is unavailable" in line
    assert "2026-11-19..2026-11-20" in str(form4.value)
    assert "no data set (" in str(thirteenf.value)


def test_a_missing_feed_does_not_fail_days_whose_index_exists(mirror, fresh_db) -> None:
    root, result = mirror
    for page in (root / "www.sec.gov" / "cgi-bin").iterdir():
        page.unlink()
    days = sec_business_days(END - timedelta(days=6), END)
    last_day = days[-1]
    (root / mirror_relpath(daily_index_url(last_day))).unlink()  # that day has neither index nor feed
    client = HttpClient(source_root=root)
    with connect(fresh_db) as conn:
        ensure_tables(conn, [*form4_load.TABLES])
        reports = form4_load.form4_step(conn, client, StepRun([d.isoformat() for d in days]))
        lines = reports["sec_form4_transactions"]
        assert lines["days_without_index"] == last_day.isoformat()
        assert lines["current_feed"].startswith("unavailable: not in mirror")
        filed = {f["accession"] for f in result.form4 if days[0] <= f["filing_date"] < last_day}
        assert filed and {a for (a,) in conn.execute("select accession from raw.sec_form4_filings")} == filed


def test_row_counts_are_what_the_run_wrote(mirror, fresh_db) -> None:
    """``dagster/row_count`` is the rows this run wrote (an independent sum over the generated filings),
    never a count of the table: a second run over the same days writes, and reports, nothing."""
    root, result = mirror
    days = sec_business_days(END - timedelta(days=6), END)
    keys = [d.isoformat() for d in days]
    in_window = [f for f in result.form4 if days[0] <= f["filing_date"] <= END]
    client = HttpClient(source_root=root)
    with connect(fresh_db) as conn:
        ensure_tables(conn, [*form4_load.TABLES])
        first = form4_load.form4_step(conn, client, StepRun(keys))
        assert first["sec_form4_transactions"]["dagster/row_count"] == sum(f["n_lines"] for f in in_window)
        assert first["sec_form4_filings"]["dagster/row_count"] == len(in_window)
        by_day = first["sec_form4_filings"]["rows_by_partition"]
        assert by_day == {
            d.isoformat(): sum(f["filing_date"] == d for f in in_window) for d in days if any(f["filing_date"] == d for f in in_window)
        }
        again = form4_load.form4_step(conn, client, StepRun(keys))
        assert again["sec_form4_transactions"]["dagster/row_count"] == 0
        assert again["sec_form4_filings"]["filings_already_loaded"] == len(in_window)


def test_13f_loads_the_quarter_before_when_the_warehouse_lacks_it(mirror, fresh_db) -> None:
    root, result = mirror
    periods = sorted({f["report_period"] for f in result.form13f})
    assert len(periods) == 2  # the generator writes the two latest quarters past their deadline
    latest = quarter_start(periods[-1]).isoformat()
    client = HttpClient(source_root=root)
    with connect(fresh_db) as conn:
        ensure_tables(conn, [*form13f_load.TABLES])
        first = form13f_load.thirteenf_step(conn, client, StepRun([latest]))
        holdings = first["sec_13f_holdings"]
        assert holdings["history_periods_loaded"] == periods[0].isoformat()
        expected = {
            quarter_start(p).isoformat(): sum(f["n_rows"] for f in result.form13f if f["report_period"] == p)
            for p in periods
        }
        assert holdings["rows_by_partition"] == expected
        assert holdings["dagster/row_count"] == sum(expected.values())
        again = form13f_load.thirteenf_step(conn, client, StepRun([latest]))
        assert again["sec_13f_holdings"]["history_periods_loaded"].startswith("(none")
        assert again["sec_13f_holdings"]["dagster/row_count"] == 0


def test_an_index_edgar_keeps_failing_makes_the_source_unavailable(mirror, fresh_db) -> None:
    """5xx after the client's retries is an outage, not a missing day: the step fails with one line."""
    from tests.support.mirror_server import MirrorServer, status

    root, _ = mirror
    day = END
    with MirrorServer(root) as server, connect(fresh_db) as conn:
        ensure_tables(conn, [*form4_load.TABLES])
        server.add_faults(f"form.{day:%Y%m%d}.idx", *[status(503)] * 3)
        client = HttpClient(source_root=server.url, max_retries=2, backoff_base=0.01)
        with pytest.raises(SourceUnavailable) as error:
            form4_load.form4_step(conn, client, StepRun([day.isoformat()]))
        assert len(server.hits(f"form.{day:%Y%m%d}.idx")) == 3
    assert str(error.value).startswith(f"source {INDEX_SOURCE} unavailable: daily form index {day}:")
    assert "503" in str(error.value) and "\n" not in str(error.value)
