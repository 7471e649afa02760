"""End to end on the shared demo (tests/support/shared_demo.py): the generated India mirror and landing folder
-> Dagster assets -> Postgres -> dbt marts, snapshot and changelog. Then, on a copy of that warehouse, an
identical re-run, and a macro sync that brings a revised CPI release."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import time as clock
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from tests.support.pipeline import SAMPLE_AS_OF, SAMPLE_WINDOW, env
from valuation_platform.analytics.india.universe import select_india_universe
from valuation_platform.generator.india import classification_csv, india_companies
from valuation_platform.lib.india_resource import DEFAULT_TARGET, IndiaResource
from valuation_platform.lib.resources import SourcesResource
from valuation_platform.lib.runner import RANGE_END_TAG, RANGE_START_TAG
from valuation_platform.pipelines.india.landing import classification_candidates, scan
from valuation_platform.pipelines.india.reference import read_reference_tables
from valuation_platform.pipelines.india.releases import add_months
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.india.classification import parse_classification
from valuation_platform.sources.mospi.client import mospi_url, release_params
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.embedded import drop_database
from valuation_platform.warehouse.settings import DatabaseSettings

# Reads the shared demo: kept on one xdist worker (--dist loadgroup), which builds it once.
pytestmark = pytest.mark.xdist_group("shared_demo")

DOMAIN = "india"
HEADLINE = "cpi_combined_general_index"
# The window 2026-11-13..20 materializes the reference month complete by its end: the month before.
MONTH = add_months(date(SAMPLE_WINDOW.end.year, SAMPLE_WINDOW.end.month, 1), -1)
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
PYTHON_ASSETS = ("mospi_releases", "india_macro_files", "india_classification", "india_universe",
                 "india_universe_rejected", "india_drivers")


@pytest.fixture(scope="module")
def mirror(shared_demo) -> Path:
    return shared_demo.mirror


@pytest.fixture(scope="module")
def db(shared_demo) -> DatabaseSettings:
    return shared_demo.db


@pytest.fixture(scope="module")
def instance(shared_demo):
    with shared_demo.instance() as inst:
        yield inst


@pytest.fixture(scope="module")
def settings(mirror) -> dict[str, str]:
    """The settings the shared run applied (mirror.json), which the scenario below repeats."""
    return json.loads((mirror / "mirror.json").read_text()).get("settings", {})


@pytest.fixture(scope="module")
def target(settings) -> int:
    return int(settings.get("VP_INDIA_TARGET", DEFAULT_TARGET))


def query(db: DatabaseSettings, text: str, params: tuple = ()) -> list[tuple]:
    with connect(db) as conn:
        return conn.execute(text, params).fetchall()


def india_tables(db: DatabaseSettings) -> dict[str, int]:
    with connect(db) as conn:
        tables = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('raw', 'analytics', 'marts', 'snapshots') and table_type = 'BASE TABLE' "
            "and (table_name like '%%india%%' or table_name like '%%macro%%' or table_name like '%%driver%%' "
            "or table_name = 'mospi_releases')"
        ).fetchall()
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for (t,) in tables}


def cpi_payload(mirror: Path, year: int) -> tuple[Path, dict] | None:
    """The mirror's CPI API response for ``year`` (plain or gzipped, as the mirror client reads it)."""
    path = mirror / mirror_relpath(mospi_url("cpi"), release_params("cpi", year))
    if path.is_file():
        return path, json.loads(path.read_text())
    gz = path.with_name(path.name + ".gz")
    if gz.is_file():
        return gz, json.loads(gzip.decompress(gz.read_bytes()))
    return None


def is_headline(record: dict) -> bool:
    return record["sector"] == "Combined" and record["group"] == "General" and not record["subgroup"]


def headline_from_payload(mirror: Path) -> dict[date, float]:
    """The Combined general index by month, read straight from the mirror's API responses."""
    out: dict[date, float] = {}
    for year in range(MONTH.year - 5, MONTH.year + 1):
        found = cpi_payload(mirror, year)
        for r in found[1]["data"] if found else ():
            if is_headline(r):
                out[date(r["year"], MONTH_NAMES.index(r["month"]) + 1, 1)] = float(r["index"])
    return out


def metadata(instance: dg.DagsterInstance, key: str) -> dict:
    return instance.get_latest_materialization_event(dg.AssetKey(key)).asset_materialization.metadata


def test_every_india_asset_lands(shared_demo, defs, instance, target) -> None:
    graph = defs.resolve_asset_graph()
    india = {k.to_user_string() for k in graph.get_all_asset_keys()
             if graph.get(k).is_materializable and graph.get(k).group_name == DOMAIN}
    stages = [s for s in shared_demo.stages if india & set(s.assets)]
    assert stages and not any(s.failed for s in stages), [s.failed for s in stages]
    # No market share configured (as in the demo): that one asset is skipped with its reason, the market
    # files arrive through the landing folder, and nothing else waits for it.
    landed = {a for s in stages for a in s.materialized}
    assert india - landed == {"india_market_indicators"}
    skipped = {step: why for s in stages for step, why in s.skipped.items() if step in india}
    assert list(skipped) == ["india_market_indicators"], skipped
    assert "VP_INDIA_MARKET_BASE_URL is not set" in skipped["india_market_indicators"]
    assert instance.get_materialized_partitions(dg.AssetKey("mospi_releases")) == {MONTH.isoformat()}
    meta = metadata(instance, "india_universe")
    assert meta["selected"].value == target and meta["target"].value == target
    drivers = metadata(instance, "india_drivers")
    assert set(drivers["drivers_per_level"].value) == {"MACRO", "GROUP", "SUBGROUP", "COMPANY"}
    assert drivers["violations"].value == {}
    assert drivers["companies_full_chain"].value == drivers["companies_total"].value == target


def test_the_month_brings_the_history_its_marts_need(db, instance) -> None:
    """One partition, the window's month: the API rows reach back 24 months, and the row count is what the
    run wrote."""
    (first, last), = query(db, "select min(ref_period), max(ref_period) from raw.mospi_releases "
                               "where series_id = %s", (HEADLINE,))
    assert (first, last) == (add_months(MONTH, -24), MONTH)
    written = query(db, "select count(*) from raw.mospi_releases")[0][0]
    meta = metadata(instance, "mospi_releases")
    assert meta["dagster/row_count"].value == written  # the only run wrote every row the table holds
    assert sum(meta["rows_by_partition"].value.values()) == written


def test_yoy_matches_the_mirror_payload(mirror, db) -> None:
    index = headline_from_payload(mirror)
    rows = query(db, "select ref_period, value, yoy_change from marts.fct_macro_series where series_id = %s "
                     "order by ref_period", (HEADLINE,))
    assert [p for p, *_ in rows] == sorted(index)  # the landing file's months are the API's months
    checked = 0
    for period, value, yoy in rows:
        assert value == pytest.approx(index[period], abs=1e-9)
        base = index.get(date(period.year - 1, period.month, 1))
        if base is None:
            assert yoy is None  # no base a year before the first month
            continue
        assert yoy == pytest.approx((index[period] / base - 1) * 100, abs=1e-9)
        checked += 1
    assert checked == len(index) - 12
    # The landing folder repeats the API's figures under the file's time: a re-publication, not a revision.
    assert query(db, "select count(*) from marts.fct_macro_revisions")[0][0] == 0


def test_universe_matches_a_direct_selection(mirror, db, target) -> None:
    chosen = classification_candidates(scan(mirror / "landing" / "india"))[0]
    parsed = parse_classification(chosen.path.read_bytes(), document=chosen.relpath)
    reference = read_reference_tables()
    direct = select_india_universe(parsed, reference.sector_group_mapping, target=target,
                                   alpha_configs=reference.company_alpha_configs)
    in_mart = dict(query(db, "select valuation_group, count(*) from marts.dim_india_company group by 1"))
    assert in_mart == dict(Counter(r["valuation_group"] for r in direct.selected))
    rejected = dict(query(db, "select reason, count(*) from marts.fct_india_universe_rejections group by 1"))
    assert rejected == dict(Counter(r["reason"] for r in direct.rejected))
    assert set(rejected) >= {"no_identifier", "no_sector_mapping", "no_market_cap", "duplicate_identifier"}
    reliance = query(db, "select valuation_group, alpha_config_id, valuation_frequency from marts.dim_india_company "
                         "where nse_symbol = 'RELIANCE'")
    assert reliance == [("ENERGY_UTILITIES", "ALPHA-RELIANCE-01", "DAILY")]


def test_every_subgroup_has_drivers_and_checks_pass(db, instance) -> None:
    uncovered = query(db, """
        select s.valuation_subgroup from marts.india_valuation_subgroups s
        where not exists (select 1 from marts.fct_drivers d where d.driver_level = 'SUBGROUP'
                          and d.valuation_subgroup = s.valuation_subgroup and d.weight is not null)""")
    assert uncovered == []
    sums = query(db, "select valuation_subgroup, sum(weight), count(*) from marts.fct_drivers "
                     "where driver_level = 'SUBGROUP' and weight is not null group by 1")
    assert sums and all(0.8 - 1e-9 <= w <= 1.0 + 1e-9 and 7 <= n <= 10 for _, w, n in sums)
    from valuation_platform.defs.india.assets import india_drivers

    for name in ("driver_weights_within_bounds", "every_subgroup_covered", "driver_series_exist",
                 "companies_resolve_full_chain"):
        records = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(india_drivers.key, name), limit=1
        )
        assert records and records[0].status.value == "SUCCEEDED", name


def test_series_drivers_read_the_marts(db) -> None:
    (gdp,) = query(db, "select current_value, as_of, updated_by from marts.fct_drivers "
                       "where driver_key = 'MACRO|gdp_growth'")
    latest = query(db, "select ref_period, yoy_change from marts.fct_macro_series where series_id = 'nas_gdp_real' "
                       "and yoy_change is not null order by ref_period desc limit 1")[0]
    assert gdp[1] == latest[0] and gdp[0] == pytest.approx(latest[1], abs=1e-9) and gdp[2] == "macro_sync"
    (rate,) = query(db, "select d.current_value, s.value from marts.fct_drivers d join marts.fct_macro_series s "
                        "on s.series_id = d.series_id and s.ref_period = d.as_of "
                        "where d.driver_key = 'MACRO|interest_rate_10y'")
    assert rate[0] == rate[1]
    created = query(db, "select change_type, count(*) from marts.fct_driver_changelog "
                        "where change_type <> 'trend' group by 1")
    assert dict(created) == {"created": query(db, "select count(*) from marts.fct_drivers")[0][0]}


def test_trends_opportunities_and_driver_lineage_on_the_demo(db) -> None:
    # Trend detection over the generated macro history lands in the changelog, one row per signal.
    trends = query(db, "select c.triggered_by, c.trend_signal = s.trend_signal, c.new_value = s.reading "
                       "from marts.fct_driver_changelog c join marts.fct_driver_trend_signals s "
                       "on s.signal_id = c.change_id where c.change_type = 'trend'")
    assert trends and all(row == ("trend_detection", True, True) for row in trends)
    assert len(trends) == query(db, "select count(*) from marts.fct_driver_trend_signals")[0][0]
    # Every valuation's 10-year yield effect is the driver's current value / 100 (the only yield in the demo).
    (yield_now,) = query(db, "select current_value from marts.fct_drivers where driver_key = 'MACRO|interest_rate_10y'")
    effects = query(db, "select distinct effect from marts.fct_valuation_driver_effects where input = 'risk_free'")
    assert effects == [(pytest.approx(yield_now[0] / 100, abs=1e-15),)]
    # Attribution by driver exists beside attribution by input for every company valued twice.
    bases = query(db, "select basis, count(distinct (nse_symbol, valuation_date)) from marts.fct_valuation_attribution "
                      "group by 1 order by 1")
    assert [b for b, _ in bases] == ["DRIVER", "INPUT"] and bases[0][1] == bases[1][1] > 0
    # Opportunity ranking: at most 5 priority scopes per date and level, all with a positive score, best first.
    ranking = query(db, "select score_date, scope_level, count(*) filter (where is_priority), "
                        "bool_and(not is_priority or opportunity_score > 0) from marts.fct_opportunity_scores "
                        "group by 1, 2")
    assert ranking and all(n <= 5 and positive for _, _, n, positive in ranking)
    # The weekly review ran in the demo and lists the latest priority scopes.
    review = query(db, "select count(*) from analytics.india_weekly_reviews where section = 'opportunities'")
    latest = query(db, "select count(*) from marts.fct_opportunity_scores where is_priority and score_date = "
                       "(select max(score_date) from marts.fct_opportunity_scores)")
    assert review == latest


# --- Scenarios on a copy of the shared warehouse: a re-run, then a revised CPI release -----------------


@dataclass
class Scenario:
    mirror: Path  # the shared mirror's MOSPI responses and landing folder, which the revision edits
    db: DatabaseSettings
    instance: dg.DagsterInstance
    values: dict[str, str | None]  # what run_pipeline would set for this mirror and database


def clone_database(admin: DatabaseSettings, source: str, target: str, *, patience: float = 300.0) -> None:
    """``create database ... template``: Postgres copies the files, seconds instead of a second build.
    It refuses while another session is connected to the source (another worker reading the shared demo
    for a moment): try again until it is free."""
    statement = sql.SQL("create database {} template {}").format(sql.Identifier(target),
                                                                  sql.Identifier(source))
    deadline = clock.monotonic() + patience
    with psycopg.connect(admin.with_dbname("postgres").url, autocommit=True) as conn:
        while True:
            try:
                conn.execute(statement)
                return
            except psycopg.errors.ObjectInUse:
                if clock.monotonic() > deadline:
                    raise
                clock.sleep(0.2)


@pytest.fixture(scope="module")
def scenario(shared_demo, settings, pg_admin, tmp_path_factory):
    base = tmp_path_factory.mktemp("india_scenario")
    name = f"vpt_india_{hashlib.sha1(str(base.resolve()).encode()).hexdigest()[:10]}"
    mospi_host = mirror_relpath(mospi_url("cpi")).split("/")[0]
    for part in (mospi_host, "landing/india"):  # copytree keeps the files' times: the landing release times
        shutil.copytree(shared_demo.mirror / part, base / part)
    db = pg_admin.with_dbname(name)
    values = {**settings, "VP_SOURCE_ROOT": str(base), "VP_DATABASE_URL": db.url, "VP_TICKERS": None}
    drop_database(pg_admin, name)
    try:
        clone_database(pg_admin, shared_demo.db.dbname, name)
        with dg.instance_for_test() as inst:
            yield Scenario(base, db, inst, values)
    finally:
        drop_database(pg_admin, name)


@pytest.fixture(scope="module")
def defs(scenario) -> dg.Definitions:
    """The code location over the scenario, loaded once: which settings are set is read at load time,
    their values when each run starts. (The shared build parsed the dbt project.)"""
    from valuation_platform.definitions import build_defs

    with env(scenario.values):
        return build_defs()


@pytest.fixture(scope="module")
def rerun(scenario, defs):
    """Every India load and computation again, in one run over the window's month."""
    before = india_tables(scenario.db)
    with env(scenario.values):
        result = dg.materialize(
            [*defs.assets, *defs.asset_checks], selection=list(PYTHON_ASSETS), instance=scenario.instance,
            resources=dict(defs.resources or {}),
            tags={RANGE_START_TAG: MONTH.isoformat(), RANGE_END_TAG: MONTH.isoformat()}, raise_on_error=False,
        )
    return {"success": result.success, "before": before, "after": india_tables(scenario.db)}


def test_rerun_is_idempotent(rerun, scenario) -> None:
    """Nothing changes. (dbt rebuilds its tables from these; the snapshot's own re-run is covered by the
    macro sync below, which records versions for the revised drivers only.)"""
    assert rerun["success"]
    assert rerun["after"] == rerun["before"]
    assert rerun["before"]["raw.mospi_releases"] > 0 and rerun["before"]["snapshots.snp_india_drivers"] > 0
    # One exception, by design: the whole-graph run's event analysis came after its drivers build, so the
    # analysis's APPLIED adjustments (trigger AGENT_ANALYSIS) enter the hierarchy at this next build, and only
    # those drivers change, stamped agent_analysis. Nothing else moves.
    agent = {k for (k,) in query(scenario.db, "select distinct driver_key from analytics.india_driver_adjustments "
                                              "where status = 'APPLIED' and trigger = 'AGENT_ANALYSIS'")}
    stamped = {k for (k,) in query(scenario.db, "select driver_key from analytics.india_drivers "
                                                "where updated_by = 'agent_analysis'")}
    for key in PYTHON_ASSETS:
        meta = metadata(scenario.instance, key)
        changed = (meta[f"{key}/inserted"].value, meta[f"{key}/updated"].value)
        if key == "india_drivers":
            assert changed[0] == 0 and changed[1] <= len(agent) and stamped <= agent, (changed, stamped, agent)
        else:
            assert changed == (0, 0), key
    meta = metadata(scenario.instance, "india_drivers")
    assert meta["drivers_changed"].value <= len(agent) and meta["drivers_removed"].value == 0


@pytest.fixture(scope="module")
def revised(rerun, scenario, defs):
    """Revise the month's Combined general index (+2%) in a later release, then run the daily macro sync
    as its schedule launches it (after the re-run: it edits the scenario's mirror and warehouse)."""
    db = scenario.db
    path, body = cpi_payload(scenario.mirror, MONTH.year)
    (latest_release,) = query(db, "select max(released_at) from intermediate.int_india__macro_releases "
                                  "where series_id = %s and ref_period = %s", (HEADLINE, MONTH))[0]
    record = next(r for r in body["data"] if is_headline(r) and r["month"] == MONTH_NAMES[MONTH.month - 1])
    old = float(record["index"])
    record["index"] = f"{old * 1.02:.1f}"
    record["release_date"] = (latest_release + timedelta(days=1)).isoformat()
    path.unlink()  # the mirror client reads a plain file before its .gz
    path.with_name(path.name.removesuffix(".gz")).write_text(json.dumps(body))
    old_driver = query(db, "select current_value from marts.fct_drivers where driver_key = 'MACRO|cpi_headline'")[0][0]
    versions = query(db, "select count(*) from snapshots.snp_india_drivers")[0][0]

    from valuation_platform.defs.india.automation import india_macro_daily

    tick = datetime.combine(SAMPLE_AS_OF + timedelta(days=1), time(6), ZoneInfo("Asia/Kolkata"))
    context = dg.build_schedule_context(instance=scenario.instance, scheduled_execution_time=tick)
    request = india_macro_daily(context)
    with env(scenario.values):
        result = defs.resolve_job_def("india_macro_sync_job").execute_in_process(
            instance=scenario.instance, tags=request.tags, raise_on_error=False
        )
    return {"old": old, "new": float(record["index"]), "old_driver": old_driver, "request": request,
            "success": result.success, "versions_before": versions}


def test_schedule_requests_the_last_24_months(revised) -> None:
    tags = revised["request"].tags
    assert (tags[RANGE_START_TAG], tags[RANGE_END_TAG]) == (add_months(MONTH, -22).isoformat(),
                                                            add_months(MONTH, 1).isoformat())
    assert revised["success"]


def test_revision_replaces_the_value_and_keeps_the_old_one(revised, scenario) -> None:
    db = scenario.db
    releases = query(db, "select value from raw.mospi_releases where series_id = %s and ref_period = %s "
                         "order by released_at", (HEADLINE, MONTH))
    assert [v for (v,) in releases] == [revised["old"], revised["new"]]
    (value,) = query(db, "select value from marts.fct_macro_series where series_id = %s and ref_period = %s",
                     (HEADLINE, MONTH))[0]
    assert value == revised["new"]
    revision = query(db, "select old_value, new_value, loaded_from from marts.fct_macro_revisions "
                         "where series_id = %s", (HEADLINE,))
    assert revision == [(revised["old"], revised["new"], "mospi_api")]


def test_changelog_records_the_macro_sync_change(revised, scenario) -> None:
    db = scenario.db
    changes = query(db, "select old_value, new_value, triggered_by, changed_fields from marts.fct_driver_changelog "
                        "where driver_key = 'MACRO|cpi_headline' and change_type = 'updated'")
    (new_driver,) = query(db, "select current_value from marts.fct_drivers where driver_key = 'MACRO|cpi_headline'")[0]
    assert new_driver > revised["old_driver"] + 1.5  # +2% on the index moves YoY inflation by ~2 points
    assert len(changes) == 1
    old_value, new_value, trigger, fields = changes[0]
    assert old_value == pytest.approx(revised["old_driver"]) and new_value == pytest.approx(new_driver)
    assert trigger == "macro_sync" and "current_value" in fields
    untouched = query(db, "select count(*) from marts.fct_driver_changelog where change_type = 'updated' "
                          "and driver_key not like '%%cpi_combined_general_index%%' "
                          "and driver_key <> 'MACRO|cpi_headline' and triggered_by <> 'agent_analysis'")
    assert untouched[0][0] == 0  # nothing else moved (but the analysis's adjustments the re-run applied)
    updated = query(db, "select count(*) from marts.fct_driver_changelog where change_type = 'updated'")[0][0]
    versions = query(db, "select count(*) from snapshots.snp_india_drivers")[0][0]
    assert updated >= 2 and versions == revised["versions_before"] + updated  # one new version per real change


@pytest.mark.xdist_group("india_landing")  # no demo: need not wait for it
def test_landing_sensor_requests_new_and_changed_files_once(tmp_path) -> None:
    from valuation_platform.defs.india.automation import india_landing_files

    landing = tmp_path / "landing"
    workbook = landing / "classification" / "gem_classification.csv"
    workbook.parent.mkdir(parents=True)
    workbook.write_bytes(classification_csv(india_companies(80, 50, seed=5), as_of=MONTH))
    resources = {"india": IndiaResource(landing_dir=str(landing)), "sources": SourcesResource()}

    with dg.instance_for_test() as inst:
        def tick(cursor: str | None):
            context = dg.build_sensor_context(instance=inst, cursor=cursor, resources=resources)
            return india_landing_files(context), context.cursor

        first, cursor = tick(None)
        assert first.job_name == "india_universe_job"
        second, cursor = tick(cursor)
        assert isinstance(second, dg.SkipReason)
        stat = workbook.stat()
        os.utime(workbook, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        touched, cursor = tick(cursor)
        assert isinstance(touched, dg.SkipReason)  # same content: nothing to do
        (landing / "mospi").mkdir()
        (landing / "mospi" / "cpi_all_india_index.csv").write_text("Sector,Year,Month,General index\n")
        dropped, cursor = tick(cursor)
        assert dropped.job_name == "india_macro_files_job"
        assert dropped.tags["vp/landing_files"] == "mospi/cpi_all_india_index.csv"
        assert isinstance(tick(cursor)[0], dg.SkipReason)
        # both kinds changed in one tick: ONE run, which rebuilds the drivers once
        workbook.write_bytes(classification_csv(india_companies(80, 50, seed=6), as_of=MONTH))
        (landing / "mospi" / "cpi_all_india_index.csv").write_text("Sector,Year,Month,General index\nx\n")
        both, cursor = tick(cursor)
        assert both.job_name == "india_landing_job"
        assert sorted(both.tags["vp/landing_files"].split(",")) == [
            "classification/gem_classification.csv", "mospi/cpi_all_india_index.csv"]
        assert isinstance(tick(cursor)[0], dg.SkipReason)
