"""The dbt project on its own: every mart's contract, the yml unit tests (worked examples) and source
freshness, against a fresh database holding every raw/analytics table the Python side declares, no data.

`dbt build --empty` creates every seed, snapshot and model with its real column types (so every contract
is checked, and unit tests can infer their input types) without reading a row; the unit tests then run the
model SQL on their own given rows. Data tests are left to the end-to-end domain tests, which have data.
dbt runs in-process (dbtRunner) on one parsed manifest, writing target/ and logs/ to a temporary folder.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.support.dbt_manifest import dbt_args, manifest_for
from valuation_platform.lib.dbt import DBT_PROJECT_DIR
from valuation_platform.warehouse import tables as table_modules
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.embedded import drop_database, ensure_database
from valuation_platform.warehouse.settings import DatabaseSettings
from valuation_platform.warehouse.tables import TableSpec

# One module, one worker: its module-scoped warehouse is built once (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("dbt")

DATABASE = "vpt_dbt_project"
# The SQL the issue names, each with at least one worked example.
UNIT_TESTED_MODELS = {
    "int_india__driver_trend_legs",  # 30/60/90-day legs, structural shift, reversal
    "fct_materiality_alerts",  # macro divergence, PMI crossing, FII spike, driver momentum, valuation gaps, cross signal
    "int_sec__period_values",  # latest filing wins
    "int_sec__fiscal_periods",  # Q4 = FY - 9M
    "fct_financial_ratios",  # TTM alignment
    "int_ownership__form4_effective",  # 4/A replacing 4
    "fct_insider_trades",
    "int_ownership__13f_effective_holdings",  # 13F restatement vs new holdings
    "fct_macro_series",  # macro YoY
    "fct_analyst_consensus",  # an unknown rating word counts for its target only; point in time
    "fct_insider_activity",  # a past as-of row ignores later filings
    "int_trading__flow_windows",  # 5-session sums count sessions; short windows stay NULL
}


def all_table_specs() -> list[TableSpec]:
    """Every TableSpec declared under warehouse/tables/, whatever module a domain keeps it in."""
    specs: dict[str, TableSpec] = {}
    for module in pkgutil.iter_modules(table_modules.__path__):
        for value in vars(importlib.import_module(f"{table_modules.__name__}.{module.name}")).values():
            if isinstance(value, TableSpec):
                specs[value.qualified] = value
    return list(specs.values())


@dataclass
class Dbt:
    """dbtRunner on one parsed manifest; target/ and logs/ under ``workdir``."""

    runner: object
    manifest: object
    workdir: Path

    def invoke(self, *command: str, write_json: bool = False):
        return self.runner.invoke([*command, *dbt_args(self.workdir, write_json=write_json)])  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def database(pg_admin: DatabaseSettings) -> Iterator[DatabaseSettings]:
    drop_database(pg_admin, DATABASE)
    ensure_database(pg_admin, DATABASE)
    db = pg_admin.with_dbname(DATABASE)
    with psycopg.connect(db.url) as conn:
        ensure_tables(conn, all_table_specs())
    yield db
    drop_database(pg_admin, DATABASE)


@pytest.fixture(scope="module")
def dbt(database: DatabaseSettings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dbt]:
    from dbt.cli.main import dbtRunner

    with pytest.MonkeyPatch.context() as env:
        for key, value in database.dbt_env().items():  # what profiles.yml reads
            env.setenv(key, value)
        workdir = tmp_path_factory.mktemp("dbt")
        manifest = manifest_for(database)
        project = Dbt(dbtRunner(manifest=manifest), manifest, workdir)
        built = project.invoke(
            "build", "--empty", "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test",
            write_json=True,  # test_every_mart_has_an_enforced_contract_with_typed_columns reads manifest.json
        )
        failed = [(r.node.name, str(r.status), r.message) for r in built.result or []
                  if str(r.status) not in ("success", "pass", "no-op")]  # exposures: nothing to build
        assert built.success and not failed, failed or built.exception
        yield project


def test_every_mart_has_an_enforced_contract_with_typed_columns(dbt: Dbt, database: DatabaseSettings) -> None:
    manifest = json.loads((dbt.workdir / "target" / "manifest.json").read_text())
    marts = {node["name"]: node for node in manifest["nodes"].values()
             if node["resource_type"] == "model" and node["fqn"][1] == "marts"}
    assert set(marts) == {path.stem for path in (DBT_PROJECT_DIR / "models" / "marts").rglob("*.sql")}
    assert [name for name, node in marts.items() if not node["config"]["contract"]["enforced"]] == []
    untyped = {name: [c for c, col in node["columns"].items() if not col.get("data_type")]
               for name, node in marts.items()}
    assert {name: cols for name, cols in untyped.items() if cols} == {}
    # the build above checked each contract; the tables it created hold exactly the declared columns, in order
    with psycopg.connect(database.url) as conn:
        rows = conn.execute(
            "select table_name, column_name, is_nullable from information_schema.columns"
            " where table_schema = 'marts' and table_name = any(%s) order by table_name, ordinal_position",
            (list(marts),),
        ).fetchall()
    created: dict[str, list[str]] = {}
    for table, column, _ in rows:
        created.setdefault(table, []).append(column)
    assert created == {name: list(node["columns"]) for name, node in marts.items()}
    # a column whose contract says not_null is NOT NULL in Postgres (the database checks it, no test scans it)
    declared = {(name, column) for name, node in marts.items() for column, col in node["columns"].items()
                if any(c["type"] == "not_null" for c in col.get("constraints") or [])}
    assert len(declared) > 250
    assert {(table, column) for table, column, nullable in rows if nullable == "NO"} == declared


def test_a_null_in_a_not_null_mart_column_fails_the_build_and_keeps_the_last_table(
    dbt: Dbt, database: DatabaseSettings
) -> None:
    """The key columns' not_null is a contract constraint: the rebuild stops on the first NULL, naming the
    column, and the mart BI reads stays the previous build's (dbt swaps the table in only after the insert)."""
    spec = next(s for s in all_table_specs() if s.qualified == "analytics.option_chain_summary")
    select = ("run", "--select", "stg_options__chain_summary", "fct_option_summary")
    try:
        with psycopg.connect(database.url, autocommit=True) as conn:
            _insert_minimal_row(conn, spec, "1 hour")  # underlying 'x'
        first = dbt.invoke(*select)
        with psycopg.connect(database.url, autocommit=True) as conn:
            conn.execute("alter table analytics.option_chain_summary alter column market drop not null")
            conn.execute("update analytics.option_chain_summary set market = null")
        second = dbt.invoke(*select)
        outcome = {r.node.name: (str(r.status), r.message) for r in second.result}
        with psycopg.connect(database.url) as conn:
            kept = conn.execute("select underlying from marts.fct_option_summary").fetchall()
    finally:
        with psycopg.connect(database.url, autocommit=True) as conn:
            conn.execute("truncate analytics.option_chain_summary")
            conn.execute("alter table analytics.option_chain_summary alter column market set not null")
    assert first.success, first.exception
    assert outcome["stg_options__chain_summary"][0] == "success"
    status, message = outcome["fct_option_summary"]
    assert status == "error" and 'null value in column "market"' in message, message
    assert kept == [("x",)]  # the first build's table, untouched


def test_every_table_is_analyzed_as_dbt_builds_it(dbt: Dbt, database: DatabaseSettings) -> None:
    """Statistics exist the moment a table model or seed is built (pg_class.reltuples stays -1 until a table is
    first analyzed): the next model is planned on them, not on an input that looks empty."""
    with psycopg.connect(database.url) as conn:
        tables = conn.execute(
            "select n.nspname || '.' || c.relname, c.reltuples from pg_class c"
            " join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname in ('intermediate', 'marts') and c.relkind = 'r' order by 1").fetchall()
    assert len(tables) > 100
    assert [name for name, reltuples in tables if reltuples < 0] == []


def test_unit_tests_pass_and_a_wrong_expectation_fails(dbt: Dbt) -> None:
    unit_tests = {node.name: node for node in dbt.manifest.unit_tests.values()}  # type: ignore[attr-defined]
    assert UNIT_TESTED_MODELS <= {node.model for node in unit_tests.values()}

    result = dbt.invoke("test", "--select", "test_type:unit")
    statuses = {r.node.name: str(r.status) for r in result.result}
    assert statuses == {name: "pass" for name in unit_tests}, statuses

    # Break one hand-derived figure (Q4 revenue = FY 500 - 9M 350 = 150) and the harness must notice.
    q4 = unit_tests["int_sec__fiscal_periods__q4_is_fy_minus_nine_months"]
    row = next(r for r in q4.expect.rows if r["line_item"] == "revenue" and r["fiscal_period"] == "Q4")
    assert row["value"] == 150
    row["value"] = 160
    try:
        broken = dbt.invoke("test", "--select", q4.name)
    finally:
        row["value"] = 150
    assert [(r.node.name, str(r.status), r.failures) for r in broken.result] == [(q4.name, "fail", 1)]


def _insert_minimal_row(conn: psycopg.Connection, spec: TableSpec, age: str) -> None:
    """One row with only the NOT NULL columns filled, fetched ``age`` ago (a Postgres interval)."""
    fillers = {"text": "'x'", "date": "current_date", "timestamptz": "now()", "boolean": "false",
               "jsonb": "'{}'"}  # any other type is numeric here: 0
    columns, values = [], []
    for name, pg_type in spec.all_columns.items():
        if name == "_fetched_at":
            columns.append(name)
            values.append(sql.SQL("now() - {}::interval").format(sql.Literal(age)))
        elif "not null" in pg_type:
            base = pg_type.replace(" not null", "").strip()
            columns.append(name)
            values.append(sql.SQL(fillers.get(base, "0")))
    conn.execute(sql.SQL("insert into {} ({}) values ({})").format(
        spec.identifier, sql.SQL(", ").join(map(sql.Identifier, columns)), sql.SQL(", ").join(values)))


def test_source_freshness_follows_each_release_cadence(dbt: Dbt, database: DatabaseSettings) -> None:
    specs = {spec.qualified: spec for spec in all_table_specs()}
    with psycopg.connect(database.url) as conn:
        _insert_minimal_row(conn, specs["raw.sec_company_tickers"], "1 hour")  # weekly file: fresh
        _insert_minimal_row(conn, specs["raw.polygon_daily_bars"], "5 days")  # daily bars: warn after 4 days
        _insert_minimal_row(conn, specs["raw.mospi_releases"], "61 days")  # monthly releases: error after 60
    try:
        result = dbt.invoke("source", "freshness")
        statuses = {r.node.name: str(r.status) for r in result.result}
    finally:
        with psycopg.connect(database.url) as conn:
            for name in ("raw.sec_company_tickers", "raw.polygon_daily_bars", "raw.mospi_releases"):
                conn.execute(sql.SQL("truncate {}").format(specs[name].identifier))
    # every configured loaded_at_field exists (no runtime error); empty tables are overdue
    assert "runtime error" not in statuses.values(), statuses
    seeded = (statuses["sec_company_tickers"], statuses["polygon_daily_bars"], statuses["mospi_releases"])
    assert seeded == ("pass", "warn", "error")
    assert statuses["sec_companyfacts"] == "error"
    # sources without a cadence (hand-dropped files, a filtered universe) are not checked
    assert not {"india_macro_files", "india_classification", "us_universe"} & statuses.keys()


def _option_row(day: str, strike: float) -> dict:
    return {"underlying": "NIFTY", "market": "nse", "snapshot_ts": f"{day} 10:00+00", "trade_date": day,
            "expiry": "2026-12-31", "strike": strike, "option_type": "CE", "_source": "test", "_fetched_at": "now()"}


def _insert(conn: psycopg.Connection, table: str, rows: list[dict]) -> None:
    for row in rows:
        conn.execute(sql.SQL("insert into {} ({}) values ({})").format(
            sql.SQL(table), sql.SQL(", ").join(map(sql.Identifier, row)), sql.SQL(", ").join(map(sql.Literal, row.values()))))


def test_option_chain_mart_is_incremental_on_its_window_and_drops_rows_pruned_upstream(
    dbt: Dbt, database: DatabaseSettings
) -> None:
    days = ("2026-11-19", "2026-11-20")
    rows = [_option_row(day, strike) for day in days for strike in (100.0, 110.0)]
    with psycopg.connect(database.url) as conn:
        _insert(conn, "raw.option_chain_snapshots", rows)
        _insert(conn, "analytics.option_contracts_enriched",
                [r | {"time_to_expiry": 0.1, "risk_free_rate": 0.065, "dividend_yield": 0.0, "iv_status": "OK"} for r in rows])

    def mart() -> set[tuple[str, float]]:
        with psycopg.connect(database.url) as conn:
            return {(str(d), s) for d, s in conn.execute("select trade_date, strike from marts.fct_option_chain")}

    def build(window: tuple[str, str] | None) -> None:
        extra = ["--vars", json.dumps({"window_start": window[0], "window_end": window[1]})] if window else []
        # the staging views too: `build --empty` made them views of no rows
        done = dbt.invoke("run", "--select", "stg_options__chain_snapshots", "stg_options__contracts_enriched",
                          "fct_option_chain", *extra)
        assert done.success, done.exception

    try:
        build(None)  # no window: all history
        full = mart()
        with psycopg.connect(database.url) as conn:  # upstream prunes strike 110 on both days
            for table in ("raw.option_chain_snapshots", "analytics.option_contracts_enriched"):
                conn.execute(sql.SQL("delete from {} where strike = 110").format(sql.SQL(table)))
        build((days[1], days[1]))  # the 20th's partition re-runs
        after = mart()
    finally:
        with psycopg.connect(database.url) as conn:
            for table in ("raw.option_chain_snapshots", "analytics.option_contracts_enriched", "marts.fct_option_chain"):
                conn.execute(sql.SQL("truncate {}").format(sql.SQL(table)))
    assert full == {(d, s) for d in days for s in (100.0, 110.0)}
    # the re-run partition lost its pruned row; the other day, outside the window, is untouched
    assert after == {(days[0], 100.0), (days[0], 110.0), (days[1], 100.0)}


def test_a_daily_marts_key_test_checks_the_window_a_run_rewrote(dbt: Dbt, database: DatabaseSettings) -> None:
    """A duplicated (ticker, as_of_date) on 2026-11-19: a run of the 20th does not re-read the mart's history
    (it passes), a run whose window holds the 19th and a build without a window both find it."""
    test = next(n.name for n in dbt.manifest.nodes.values()  # type: ignore[attr-defined]
                if n.resource_type == "test" and n.name.startswith("unique_combination_of_columns_fct_analyst_consensus"))
    row = {"ticker": "ZZZ", "as_of_date": "2026-11-19", "firms": 1, "rating_count": 1}

    def passes(window: tuple[str, str] | None) -> bool:
        extra = ["--vars", json.dumps({"window_start": window[0], "window_end": window[1]})] if window else []
        return bool(dbt.invoke("test", "--select", test, *extra).success)

    with psycopg.connect(database.url) as conn:
        _insert(conn, "marts.fct_analyst_consensus", [row, row, row | {"as_of_date": "2026-11-20"}])
    try:
        verdicts = (passes(("2026-11-20", "2026-11-20")), passes(("2026-11-19", "2026-11-20")), passes(None))
    finally:
        with psycopg.connect(database.url) as conn:
            conn.execute("truncate marts.fct_analyst_consensus")
    assert verdicts == (True, False, False)
