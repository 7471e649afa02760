"""India glue: release bookkeeping on a real Postgres, landing-folder scanning and parser routing."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pytest

from valuation_platform.generator.india import classification_csv, india_companies
from valuation_platform.pipelines.india.drivers import keep_unchanged_stamps
from valuation_platform.pipelines.india.landing import (
    changed_files,
    classification_candidates,
    fingerprints,
    parse_macro_file,
    scan,
)
from valuation_platform.pipelines.india.macro import sync_market
from valuation_platform.pipelines.india.releases import (
    history_months,
    load_releases,
    mospi_document,
    mospi_requests,
    plan_mospi,
    with_history,
)
from valuation_platform.sources.errors import SourceError, SourceNotConfigured
from valuation_platform.sources.http import HttpClient
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.india import MOSPI_RELEASES


def row(value: float | None, released: datetime, period: date = date(2026, 9, 1)) -> dict:
    return {
        "source": "MOSPI", "series_id": "cpi_combined_general_index", "series_name": "General index",
        "geography": "All India", "sector": "Combined", "frequency": "M", "ref_period": period,
        "value": value, "unit": "index (2012=100)", "released_at": released, "document": "cpi 2026",
    }


def test_revisions_are_kept_and_republications_are_not(fresh_db) -> None:
    first, later, latest = (datetime(2026, 10, d, 10, 30, tzinfo=UTC) for d in (12, 20, 28))
    with connect(fresh_db) as conn:
        ensure_tables(conn, [MOSPI_RELEASES])
        loaded, skipped = load_releases(conn, MOSPI_RELEASES, [row(190.1, first)], source="t", fetched_at=first)
        again, skipped_again = load_releases(conn, MOSPI_RELEASES, [row(190.1, later)], source="t", fetched_at=later)
        revised, _ = load_releases(conn, MOSPI_RELEASES, [row(190.4, latest)], source="t", fetched_at=latest)
        replay, _ = load_releases(conn, MOSPI_RELEASES, [row(190.1, first), row(190.4, latest)],
                                  source="t", fetched_at=latest)
        stored = conn.execute(
            "select value, released_at, _partition_key from raw.mospi_releases order by released_at"
        ).fetchall()
    assert (loaded.inserted, skipped) == (1, 0)
    assert (again.rows_in, skipped_again) == (0, 1)  # same value, newer stamp: a re-publication
    assert revised.inserted == 1
    assert (replay.inserted, replay.updated, replay.unchanged) == (0, 0, 2)
    assert stored == [(190.1, first, "2026-09-01"), (190.4, latest, "2026-09-01")]


def test_mospi_requests_cover_calendar_and_fiscal_years() -> None:
    requests = mospi_requests(["2025-12-01", "2026-01-01", "2026-04-01"])
    assert ("cpi", 2025) in requests and ("cpi", 2026) in requests
    # NAS is requested by fiscal year: Dec 2025 and Jan 2026 are 2025-26, April 2026 starts 2026-27.
    assert sorted(y for p, y in requests if p == "nas") == [2025, 2026]
    assert len(requests) == 10


def test_a_month_brings_the_history_its_marts_need(fresh_db) -> None:
    """October 2026 alone: its own years, plus the 24 months before it that the table does not hold."""
    assert history_months(["2026-10-01"])[0] == "2024-10-01" and len(history_months(["2026-10-01"])) == 24
    with connect(fresh_db) as conn:
        ensure_tables(conn, [MOSPI_RELEASES])
        requests, months = plan_mospi(conn, MOSPI_RELEASES, ["2026-10-01"])
        assert months[0] == "2024-10-01" and months[-1] == "2026-10-01" and len(months) == 25
        # Calendar 2024-2026 for CPI/IIP/WPI/PLFS; NAS fiscal 2024-25 (Oct 2024), 2025-26 and 2026-27.
        assert sorted(y for p, y in requests if p == "cpi") == [2024, 2025, 2026]
        assert sorted(y for p, y in requests if p == "nas") == [2024, 2025, 2026]
        # CPI 2025 loaded through November (its December not out yet): held, not fetched again.
        # CPI 2024 loaded only through June: fetched again. The run's own year is always fetched.
        held = [
            {**row(value, datetime(*released, tzinfo=UTC), period), "document": mospi_document(("cpi", year))}
            for value, released, period, year in ((190.0, (2026, 1, 1), date(2025, 11, 1), 2025),
                                                  (180.0, (2024, 7, 12), date(2024, 6, 1), 2024),
                                                  (195.0, (2026, 10, 12), date(2026, 9, 1), 2026))
        ]
        load_releases(conn, MOSPI_RELEASES, held, source="t", fetched_at=datetime(2026, 10, 12, tzinfo=UTC))
        again, _ = plan_mospi(conn, MOSPI_RELEASES, ["2026-10-01"])
    assert sorted(y for p, y in again if p == "cpi") == [2024, 2026]
    assert sorted(y for p, y in again if p == "iip") == [2024, 2025, 2026]


def test_history_keeps_the_last_levels_of_a_rarely_moving_series() -> None:
    def obs(series: str, day: date) -> dict:
        return {"series_id": series, "ref_period": day, "value": 1.0}

    rows = [obs("rbi_repo_rate", date(2023, 2, 8)), obs("rbi_repo_rate", date(2022, 12, 7)),
            obs("rbi_repo_rate", date(2022, 9, 30)), obs("rbi_repo_rate", date(2025, 2, 7)),
            obs("cpi", date(2024, 9, 1)), obs("cpi", date(2024, 10, 1)), obs("cpi", date(2024, 11, 1)),
            obs("cpi", date(2024, 12, 1))]
    kept = with_history(rows, ["2024-11-01", "2024-12-01", "2025-01-01", "2025-02-01"])
    # The repo rate has one decision inside the window, so the one before it (Feb 2023) comes too;
    # CPI has two months inside and needs nothing earlier.
    assert sorted((r["series_id"], r["ref_period"]) for r in kept) == [
        ("cpi", date(2024, 11, 1)), ("cpi", date(2024, 12, 1)),
        ("rbi_repo_rate", date(2023, 2, 8)), ("rbi_repo_rate", date(2025, 2, 7)),
    ]


def test_market_exports_without_a_share_are_not_configured(fresh_db) -> None:
    with connect(fresh_db) as conn, pytest.raises(SourceNotConfigured) as caught:
        sync_market(conn, HttpClient(source_root=None), None, ["2026-10-01"], fetched_at=datetime.now(UTC))
    assert caught.value.source == "india-market" and caught.value.setting == "VP_INDIA_MARKET_BASE_URL"
    assert "not configured" in str(caught.value)


def test_landing_scan_routing_and_fingerprints(tmp_path) -> None:
    landing = tmp_path / "landing"
    for area in ("classification", "mospi", "market"):
        (landing / area).mkdir(parents=True)
    rows = india_companies(80, 50, seed=3)
    (landing / "classification" / "old.csv").write_bytes(classification_csv(rows, as_of=date(2026, 9, 30)))
    (landing / "classification" / "new.csv").write_bytes(classification_csv(rows, as_of=date(2026, 10, 31)))
    os.utime(landing / "classification" / "old.csv", ns=(1, 1_700_000_000 * 10**9))
    (landing / "classification" / "~$new.xlsx").write_bytes(b"lock file")
    (landing / "mospi" / "cpi_index.csv").write_text("Sector,Year,Month,General index\nRural+Urban,2026,Sept,191.2\n")
    (landing / "mospi" / "rainfall.csv").write_text("a,b\n1,2\n")
    (landing / "market" / "india_pmi_monthly.csv").write_text(
        "source,series_id,series_name,geography,frequency,ref_period,value,unit,released_at\n"
        "S&P Global,pmi_manufacturing,HSBC India Mfg PMI,India,M,2026-09-01,57.5,index,\n"
    )
    files = scan(landing)
    assert [f.relpath for f in files] == ["classification/new.csv", "classification/old.csv",
                                          "market/india_pmi_monthly.csv", "mospi/cpi_index.csv", "mospi/rainfall.csv"]
    assert [f.relpath for f in classification_candidates(files)] == ["classification/new.csv", "classification/old.csv"]

    by_path = {f.relpath: f for f in files}
    (cpi,) = parse_macro_file(by_path["mospi/cpi_index.csv"])
    assert (cpi["series_id"], cpi["ref_period"], cpi["value"]) == ("cpi_combined_general_index", date(2026, 9, 1), 191.2)
    assert cpi["released_at"] == by_path["mospi/cpi_index.csv"].modified_at  # no release date: the file's time
    (pmi,) = parse_macro_file(by_path["market/india_pmi_monthly.csv"])
    assert pmi["released_at"] == by_path["market/india_pmi_monthly.csv"].modified_at
    with pytest.raises(SourceError, match="no parser for this file name") as caught:
        parse_macro_file(by_path["mospi/rainfall.csv"])
    assert caught.value.document == "mospi/rainfall.csv"

    first = fingerprints(files, {})
    assert changed_files({}, first) == sorted(first)
    assert changed_files(first, fingerprints(scan(landing), first)) == []
    (landing / "mospi" / "cpi_index.csv").write_text("Sector,Year,Month,General index\nRural+Urban,2026,Sept,191.3\n")
    assert changed_files(first, fingerprints(scan(landing), first)) == ["mospi/cpi_index.csv"]


def test_unchanged_drivers_keep_their_last_change() -> None:
    then, now = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC)
    stored = {
        "MACRO|a": {"current_value": 6.5, "weight": 0.1, "direction": "UP", "updated_at": then, "updated_by": "pm_edit"},
        "MACRO|b": {"current_value": 6.5, "weight": 0.1, "direction": "UP", "updated_at": then, "updated_by": "pm_edit"},
    }
    rows = [
        {"driver_key": "MACRO|a", "current_value": 6.5, "weight": 0.1, "direction": "UP", "updated_at": now,
         "updated_by": "macro_sync"},
        {"driver_key": "MACRO|b", "current_value": 6.75, "weight": 0.1, "direction": "UP", "updated_at": now,
         "updated_by": "macro_sync"},
        {"driver_key": "MACRO|c", "current_value": 1.0, "weight": 0.1, "direction": None, "updated_at": now,
         "updated_by": "macro_sync"},
    ]
    out, changed = keep_unchanged_stamps(rows, stored)
    assert changed == 2
    assert [(r["updated_at"], r["updated_by"]) for r in out] == [
        (then, "pm_edit"), (now, "macro_sync"), (now, "macro_sync")
    ]
