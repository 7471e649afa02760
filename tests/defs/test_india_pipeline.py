"""End to end: generated India mirror + landing folder -> Dagster assets -> Postgres -> dbt marts, snapshot
and changelog; then an identical re-run, and a macro sync that brings a revised CPI release."""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from tests.support.pipeline import SAMPLE_AS_OF, SAMPLE_WINDOW, env
from valuation_platform.pipelines.india.reference import read_reference_tables
from valuation_platform.analytics.india.universe import select_india_universe
from valuation_platform.generator.india import classification_csv, india_companies, write_india_data
from valuation_platform.pipelines.india.landing import classification_candidates, scan
from valuation_platform.lib.india_resource import IndiaResource
from valuation_platform.lib.resources import SourcesResource
from valuation_platform.lib.runner import RANGE_END_TAG, RANGE_START_TAG, materialize_all
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.india.classification import parse_classification
from valuation_platform.sources.mospi.client import mospi_url, release_params
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.embedded import drop_database, ensure_database

GROUPS = {"india", "reference"}
TARGET = 300
END = date(2026, 10, 1)
HEADLINE = "cpi_combined_general_index"


@pytest.fixture(scope="module")
def mirror(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("india_mirror")
    write_india_data(root, n_companies=1500, investable=700, months=40, end=END, seed=19)
    return root


@pytest.fixture(scope="module")
def db(pg_admin):
    name = "vpt_india_e2e"
    drop_database(pg_admin, name)
    ensure_database(pg_admin, name)
    yield pg_admin.with_dbname(name)
    drop_database(pg_admin, name)


@pytest.fixture(scope="module")
def instance():
    with dg.instance_for_test() as inst:  # Postgres-backed Dagster storage is covered by the SEC test
        yield inst


@pytest.fixture(scope="module")
def job_env(mirror, db) -> dict[str, str | None]:
    """What run_pipeline sets, plus VP_INDIA_TARGET (read through the resource's dg.EnvVar, as in production)
    and the dbt profile variables, set before the project is parsed so every dbt invocation parses partially."""
    return {"VP_SOURCE_ROOT": str(mirror), "VP_DATABASE_URL": db.url, "VP_TICKERS": None,
            "VP_INDIA_TARGET": str(TARGET), **db.dbt_env()}


@pytest.fixture(scope="module")
def defs(job_env) -> dg.Definitions:
    """The code location, loaded once (its EnvVars resolve when each run starts)."""
    from valuation_platform.definitions import build_defs
    from valuation_platform.lib.dbt import DBT_PROJECT

    with env(job_env):
        DBT_PROJECT.preparer.prepare(DBT_PROJECT)
        return build_defs()


@pytest.fixture(scope="module")
def first_run(defs, job_env, instance):
    """The whole-graph runner restricted to the India groups, as tests.support.pipeline.run_pipeline runs it
    (inlined to share the loaded definitions with the job runs below: loading them is the slow part)."""
    graph = defs.resolve_asset_graph()
    with env(job_env):
        return materialize_all(defs, instance, SAMPLE_WINDOW, selection=lambda key: graph.get(key).group_name in GROUPS,
                               log=lambda _: None)


def query(db, sql: str, params: tuple = ()) -> list[tuple]:
    with connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def snapshot_counts(db) -> dict[str, int]:
    with connect(db) as conn:
        tables = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('raw', 'analytics', 'marts', 'snapshots') and table_type = 'BASE TABLE' "
            "and (table_name like '%%india%%' or table_name like '%%macro%%' or table_name like '%%driver%%' "
            "or table_name = 'mospi_releases')"
        ).fetchall()
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for (t,) in tables}


def cpi_payload(mirror: Path, year: int) -> tuple[Path, dict]:
    path = mirror / mirror_relpath(mospi_url("cpi"), release_params("cpi", year))
    return path, json.loads(path.read_text())


def headline_from_payload(mirror: Path) -> dict[date, float]:
    """The Combined general index by month, read straight from the mirror's API responses."""
    out: dict[date, float] = {}
    for year in range(2023, 2027):
        _, body = cpi_payload(mirror, year)
        for r in body["data"]:
            if r["sector"] == "Combined" and r["group"] == "General" and not r["subgroup"]:
                month = ["January", "February", "March", "April", "May", "June", "July", "August",
                         "September", "October", "November", "December"].index(r["month"]) + 1
                out[date(r["year"], month, 1)] = float(r["index"])
    return out


def metadata(instance, key: str) -> dict:
    return instance.get_latest_materialization_event(dg.AssetKey(key)).asset_materialization.metadata


def test_every_stage_succeeds(first_run, instance) -> None:
    assert first_run and all(stage.success for stage in first_run), first_run
    # No market share configured (as in the demo): that one asset is skipped with its reason, the market
    # files arrive through the landing folder, and nothing else waits for it.
    skipped = {step: why for stage in first_run for step, why in stage.skipped.items()}
    assert list(skipped) == ["india_market_indicators"], skipped
    assert "VP_INDIA_MARKET_BASE_URL is not set" in skipped["india_market_indicators"]
    # The window 2026-11-13..20 materializes the month complete by its end, October, and nothing else.
    assert instance.get_materialized_partitions(dg.AssetKey("mospi_releases")) == {END.isoformat()}
    meta = metadata(instance, "india_universe")
    assert meta["selected"].value == TARGET and meta["target"].value == TARGET
    drivers = metadata(instance, "india_drivers")
    assert set(drivers["drivers_per_level"].value) == {"MACRO", "GROUP", "SUBGROUP", "COMPANY"}
    assert drivers["violations"].value == {}
    assert drivers["companies_full_chain"].value == drivers["companies_total"].value == TARGET


def test_october_brings_the_history_its_marts_need(first_run, db, instance) -> None:
    """One partition, 2026-10: the API rows reach back 24 months, and the row count is what the run wrote."""
    (first, last), = query(db, "select min(ref_period), max(ref_period) from raw.mospi_releases "
                               "where series_id = %s", (HEADLINE,))
    assert (first, last) == (date(2024, 10, 1), END)
    written = query(db, "select count(*) from raw.mospi_releases")[0][0]
    meta = metadata(instance, "mospi_releases")
    assert meta["dagster/row_count"].value == written  # the first run wrote every row the table holds
    assert sum(meta["rows_by_partition"].value.values()) == written


def test_yoy_matches_the_mirror_payload(first_run, mirror, db) -> None:
    index = headline_from_payload(mirror)
    rows = query(db, "select ref_period, value, yoy_change from marts.fct_macro_series where series_id = %s "
                     "order by ref_period", (HEADLINE,))
    checked = 0
    for period, value, yoy in rows:
        assert value == pytest.approx(index[period], abs=1e-9)
        base = index.get(date(period.year - 1, period.month, 1))
        if base is None or date(period.year - 1, period.month, 1) < rows[0][0]:
            continue  # no base a year before the first month loaded
        assert yoy == pytest.approx((index[period] / base - 1) * 100, abs=1e-9)
        checked += 1
    # The API's 25 months give YoY from 2025-10; the landing folder's CPI file holds all 40 generated months.
    assert checked >= 24
    # The landing folder repeats the API's figures under the file's time: a re-publication, not a revision.
    assert query(db, "select count(*) from marts.fct_macro_revisions")[0][0] == 0


def test_universe_matches_a_direct_selection(first_run, mirror, db) -> None:
    chosen = classification_candidates(scan(mirror / "landing" / "india"))[0]
    parsed = parse_classification(chosen.path.read_bytes(), document=chosen.relpath)
    reference = read_reference_tables()
    direct = select_india_universe(parsed, reference.sector_group_mapping, target=TARGET,
                                   alpha_configs=reference.company_alpha_configs)
    in_mart = dict(query(db, "select valuation_group, count(*) from marts.dim_india_company group by 1"))
    assert in_mart == dict(Counter(r["valuation_group"] for r in direct.selected))
    rejected = dict(query(db, "select reason, count(*) from marts.fct_india_universe_rejections group by 1"))
    assert rejected == dict(Counter(r["reason"] for r in direct.rejected))
    assert set(rejected) >= {"no_identifier", "no_sector_mapping", "no_market_cap", "duplicate_identifier"}
    reliance = query(db, "select valuation_group, alpha_config_id, valuation_frequency from marts.dim_india_company "
                         "where nse_symbol = 'RELIANCE'")
    assert reliance == [("ENERGY_OIL_GAS", "ALPHA-RELIANCE-01", "DAILY")]


def test_every_subgroup_has_drivers_and_checks_pass(first_run, db, instance) -> None:
    uncovered = query(db, """
        select s.valuation_subgroup from marts.india_valuation_subgroups s
        where not exists (select 1 from marts.fct_drivers d where d.driver_level = 'SUBGROUP'
                          and d.valuation_subgroup = s.valuation_subgroup and d.weight is not null)""")
    assert uncovered == []
    sums = query(db, "select valuation_subgroup, sum(weight), count(*) from marts.fct_drivers "
                     "where driver_level = 'SUBGROUP' and weight is not null group by 1")
    assert all(0.8 - 1e-9 <= w <= 1.0 + 1e-9 and 7 <= n <= 10 for _, w, n in sums)
    from valuation_platform.defs.india.assets import india_drivers

    for name in ("driver_weights_within_bounds", "every_subgroup_covered", "driver_series_exist",
                 "companies_resolve_full_chain"):
        records = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(india_drivers.key, name), limit=1
        )
        assert records and records[0].status.value == "SUCCEEDED", name


def test_series_drivers_read_the_marts(first_run, db) -> None:
    (gdp,) = query(db, "select current_value, as_of, updated_by from marts.fct_drivers "
                       "where driver_key = 'MACRO|gdp_growth'")
    latest = query(db, "select ref_period, yoy_change from marts.fct_macro_series where series_id = 'nas_gdp_real' "
                       "and yoy_change is not null order by ref_period desc limit 1")[0]
    assert gdp[1] == latest[0] and gdp[0] == pytest.approx(latest[1], abs=1e-9) and gdp[2] == "macro_sync"
    (rate,) = query(db, "select d.current_value, s.value from marts.fct_drivers d join marts.fct_macro_series s "
                        "on s.series_id = d.series_id and s.ref_period = d.as_of where d.driver_key = 'MACRO|interest_rate_10y'")
    assert rate[0] == rate[1]
    created = query(db, "select change_type, count(*) from marts.fct_driver_changelog group by 1")
    assert dict(created) == {"created": query(db, "select count(*) from marts.fct_drivers")[0][0]}


def run_job(defs: dg.Definitions, job_env: dict[str, str | None], name: str, instance, tags: dict[str, str]):
    """One of the India jobs, as a schedule or sensor would launch it."""
    with env(job_env):
        return defs.resolve_job_def(name).execute_in_process(instance=instance, tags=tags, raise_on_error=False)


PYTHON_ASSETS = ("mospi_releases", "india_macro_files", "india_classification", "india_universe",
                 "india_universe_rejected", "india_drivers")


def test_rerun_is_idempotent(first_run, defs, job_env, db, instance) -> None:
    """Every India load and computation again, in one run over the same months: nothing changes. (dbt rebuilds
    its tables from these; the snapshot's own re-run is covered by the macro sync below, which records
    versions for the revised drivers only.)"""
    before = snapshot_counts(db)
    months = sorted(instance.get_materialized_partitions(dg.AssetKey("mospi_releases")))
    with env(job_env):
        result = dg.materialize(
            [*defs.assets, *defs.asset_checks], selection=list(PYTHON_ASSETS), instance=instance,
            resources=dict(defs.resources or {}), tags={RANGE_START_TAG: months[0], RANGE_END_TAG: months[-1]},
            raise_on_error=False,
        )
    assert result.success
    assert snapshot_counts(db) == before
    for key in PYTHON_ASSETS:
        meta = instance.get_latest_materialization_event(dg.AssetKey(key)).asset_materialization.metadata
        assert (meta[f"{key}/inserted"].value, meta[f"{key}/updated"].value) == (0, 0), key
    meta = instance.get_latest_materialization_event(dg.AssetKey("india_drivers")).asset_materialization.metadata
    assert meta["drivers_changed"].value == 0 and meta["drivers_removed"].value == 0


@pytest.fixture(scope="module")
def revised(first_run, defs, job_env, mirror, db, instance):
    """Revise October's Combined general index (+2%) in a later release, then run the daily macro sync."""
    path, body = cpi_payload(mirror, 2026)
    (latest_release,) = query(db, "select max(released_at) from intermediate.int_india__macro_releases "
                                  "where series_id = %s and ref_period = %s", (HEADLINE, END))[0]
    record = next(r for r in body["data"] if r["sector"] == "Combined" and r["group"] == "General"
                  and not r["subgroup"] and r["month"] == "October")
    old = float(record["index"])
    record["index"] = f"{old * 1.02:.1f}"
    record["release_date"] = (latest_release + timedelta(days=1)).isoformat()
    path.write_text(json.dumps(body))
    old_driver = query(db, "select current_value from marts.fct_drivers where driver_key = 'MACRO|cpi_headline'")[0][0]
    versions = query(db, "select count(*) from snapshots.snp_india_drivers")[0][0]

    from valuation_platform.defs.india.automation import india_macro_daily

    tick = datetime.combine(SAMPLE_AS_OF + timedelta(days=1), time(6), ZoneInfo("Asia/Kolkata"))
    request = india_macro_daily(dg.build_schedule_context(instance=instance, scheduled_execution_time=tick))
    result = run_job(defs, job_env, "india_macro_sync_job", instance, request.tags)
    return {"old": old, "new": float(record["index"]), "old_driver": old_driver, "request": request,
            "success": result.success, "versions_before": versions}


def test_schedule_requests_the_last_24_months(revised) -> None:
    tags = revised["request"].tags
    assert (tags[RANGE_START_TAG], tags[RANGE_END_TAG]) == ("2024-12-01", "2026-11-01")
    assert revised["success"]


def test_revision_replaces_the_value_and_keeps_the_old_one(revised, db) -> None:
    releases = query(db, "select value from raw.mospi_releases where series_id = %s and ref_period = %s "
                         "order by released_at", (HEADLINE, END))
    assert [v for (v,) in releases] == [revised["old"], revised["new"]]
    (value,) = query(db, "select value from marts.fct_macro_series where series_id = %s and ref_period = %s",
                     (HEADLINE, END))[0]
    assert value == revised["new"]
    revision = query(db, "select old_value, new_value, loaded_from from marts.fct_macro_revisions "
                         "where series_id = %s", (HEADLINE,))
    assert revision == [(revised["old"], revised["new"], "mospi_api")]


def test_changelog_records_the_macro_sync_change(revised, db) -> None:
    changes = query(db, "select old_value, new_value, triggered_by, changed_fields from marts.fct_driver_changelog "
                        "where driver_key = 'MACRO|cpi_headline' and change_type = 'updated'")
    (new_driver,) = query(db, "select current_value from marts.fct_drivers where driver_key = 'MACRO|cpi_headline'")[0]
    assert new_driver > revised["old_driver"] + 1.5  # +2% on the index moves YoY inflation by ~2 points
    assert len(changes) == 1
    old_value, new_value, trigger, fields = changes[0]
    assert old_value == pytest.approx(revised["old_driver"]) and new_value == pytest.approx(new_driver)
    assert trigger == "macro_sync" and "current_value" in fields
    untouched = query(db, "select count(*) from marts.fct_driver_changelog where change_type = 'updated' "
                          "and driver_key not like '%%cpi_combined_general_index%%' and driver_key <> 'MACRO|cpi_headline'")
    assert untouched[0][0] == 0  # nothing else moved
    updated = query(db, "select count(*) from marts.fct_driver_changelog where change_type = 'updated'")[0][0]
    versions = query(db, "select count(*) from snapshots.snp_india_drivers")[0][0]
    assert updated >= 2 and versions == revised["versions_before"] + updated  # one new version per real change


def test_landing_sensor_requests_new_and_changed_files_once(tmp_path) -> None:
    from valuation_platform.defs.india.automation import india_landing_files

    landing = tmp_path / "landing"
    workbook = landing / "classification" / "gem_classification.csv"
    workbook.parent.mkdir(parents=True)
    workbook.write_bytes(classification_csv(india_companies(80, 50, seed=5), as_of=END))
    resources = {"india": IndiaResource(landing_dir=str(landing)), "sources": SourcesResource()}

    def tick(cursor: str | None):
        with dg.instance_for_test() as inst:
            context = dg.build_sensor_context(instance=inst, cursor=cursor, resources=resources)
            return india_landing_files(context), context.cursor

    first, cursor = tick(None)
    assert [r.job_name for r in first] == ["india_universe_job"]
    second, cursor = tick(cursor)
    assert isinstance(second, dg.SkipReason)
    os.utime(workbook, ns=(workbook.stat().st_atime_ns, workbook.stat().st_mtime_ns + 10**9))
    touched, cursor = tick(cursor)
    assert isinstance(touched, dg.SkipReason)  # same content: nothing to do
    (landing / "mospi").mkdir()
    (landing / "mospi" / "cpi_all_india_index.csv").write_text("Sector,Year,Month,General index\n")
    dropped, cursor = tick(cursor)
    assert [r.job_name for r in dropped] == ["india_macro_files_job"]
    assert dropped[0].tags["vp/landing_files"] == "mospi/cpi_all_india_index.csv"
    assert isinstance(tick(cursor)[0], dg.SkipReason)
