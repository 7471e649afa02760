"""The real MOSPI CPI file (../shared/fixtures/mospi) dropped into the landing folder loads through the
landing asset (Dagster) and the macro models (dbt in-process) with the right year-on-year changes (skipped
without ../shared)."""

from __future__ import annotations

import csv
import shutil

import dagster as dg
import pytest

from tests.support.dbt_build import dbt_build
from tests.support.pipeline import run_pipeline
from valuation_platform.warehouse.connection import connect

# One module, one worker: its module-scoped warehouse is built once (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("india_real")

CPI_FILE = "cpi_all_india_index_2013-01_2024-02.csv"
MODELS = ("staging/stg_india__macro_files", "staging/stg_mospi__releases", "staging/stg_india_market__indicators",
          "intermediate/int_india__macro_releases", "marts/fct_macro_series")


def combined_general_index(path) -> dict[tuple[int, int], float | None]:
    """(year, month) -> Rural+Urban 'General index' (None where the file says NA), with the csv module only."""
    months = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    return {
        (int(r["Year"]), months.index(r["Month"].strip().lower()[:3]) + 1):
            None if r["General index"] in ("", "NA") else float(r["General index"])
        for r in rows
        if r["Sector"] == "Rural+Urban"
    }


def test_real_cpi_file_through_the_landing_asset(shared_fixtures, fresh_db, tmp_path) -> None:
    source = shared_fixtures / "mospi" / CPI_FILE
    landing = tmp_path / "landing"
    (landing / "mospi").mkdir(parents=True)
    shutil.copy(source, landing / "mospi" / CPI_FILE)  # a temporary landing folder, never the repo
    (tmp_path / "mirror").mkdir()
    with dg.instance_for_test() as instance:
        stages = run_pipeline(tmp_path / "mirror", fresh_db, instance, window=None, select_keys={"india_macro_files"},
                              extra_env={"VP_INDIA_LANDING": str(landing)})
    assert all(s.success and not s.skipped for s in stages), stages
    assert {a for s in stages for a in s.materialized} == {"india_macro_files"}
    # the models and their data tests, dbt in-process (the shared demo builds them through dagster-dbt)
    assert dbt_build(fresh_db, [m.split("/")[-1] for m in MODELS], tmp_path / "dbt") == []

    index = combined_general_index(source)
    with connect(fresh_db) as conn:
        rows = conn.execute(
            "select ref_period, value, yoy_change, document from marts.fct_macro_series "
            "where series_id = 'cpi_combined_general_index' order by ref_period"
        ).fetchall()
        housing_rural = conn.execute(
            "select count(*), count(value) from marts.fct_macro_series where series_id = 'cpi_rural_housing'"
        ).fetchone()
        quarantined = conn.execute("select count(*) from raw.quarantine").fetchone()[0]
    # The real file: 133 months (one 2019 month was never published in it), April and May 2020 NA (COVID).
    assert [(p.year, p.month) for p, *_ in rows] == sorted(index) and len(rows) == 133
    with_base = 0
    for period, value, yoy, document in rows:
        assert value == index[(period.year, period.month)] and document == f"mospi/{CPI_FILE}"
        base = index.get((period.year - 1, period.month))
        if base is None or value is None:
            assert yoy is None
        else:
            assert yoy == pytest.approx((value / base - 1) * 100, abs=1e-9)
            with_base += 1
    assert with_base == sum(
        1 for (y, m), v in index.items() if v is not None and index.get((y - 1, m)) is not None
    ) > 110
    assert next(y for p, _, y, _ in rows if (p.year, p.month) == (2021, 4)) is None  # its base is NA
    jan_2024 = next(y for p, _, y, _ in rows if (p.year, p.month) == (2024, 1))
    assert 5.0 < jan_2024 < 5.2  # the published headline inflation for January 2024 was 5.10%
    assert housing_rural[0] > 0 and housing_rural[1] == 0  # no Rural housing index: NA kept as NULL
    assert quarantined == 0
