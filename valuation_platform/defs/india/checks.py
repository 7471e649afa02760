"""India asset checks: driver-hierarchy invariants, what each load quarantined, and MOSPI freshness.
(dbt tests cover keys and ranges of the marts.)"""

from collections.abc import Iterator
from datetime import timedelta

import dagster as dg

from valuation_platform.defs.india.assets import (
    india_classification,
    india_drivers,
    india_macro_files,
    india_market_indicators,
    mospi_releases,
)
from valuation_platform.lib.checks import quarantine_check
from valuation_platform.lib.metadata import merged
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.pipelines.india.drivers import check_stored

# check name -> (blocks downstream?, description); the rules each owns: pipelines.india.drivers.CHECK_RULES
DRIVER_CHECKS: dict[str, tuple[bool, str]] = {
    "driver_weights_within_bounds": (
        True,
        "MACRO weights sum to 1; GROUP and SUBGROUP weights 0.80-1.00 each; 7-10 drivers per subgroup; "
        "COMPANY weights in (0, 1]; no duplicate driver",
    ),
    "every_subgroup_covered": (
        False,
        "every valuation group and subgroup (of the universe and of the seed list) has weighted drivers",
    ),
    "driver_series_exist": (True, "no driver reads a series that fct_macro_series does not have"),
    "companies_resolve_full_chain": (
        False,
        "every universe company resolves MACRO -> GROUP -> SUBGROUP [-> COMPANY]; no orphan company drivers",
    ),
}


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(name, asset=india_drivers, blocking=blocking, description=description)
        for name, (blocking, description) in DRIVER_CHECKS.items()
    ],
)
def driver_hierarchy_checks(warehouse: WarehouseResource) -> Iterator[dg.AssetCheckResult]:
    with warehouse.connect() as conn:
        results = check_stored(conn)
    for name, (passed, report) in results.items():
        yield dg.AssetCheckResult(check_name=name, asset_key=india_drivers.key, passed=passed,
                                  severity=dg.AssetCheckSeverity.ERROR, metadata=merged(report))


mospi_releases_quarantine = quarantine_check(mospi_releases)
india_market_indicators_quarantine = quarantine_check(india_market_indicators)
india_macro_files_quarantine = quarantine_check(india_macro_files)
india_classification_quarantine = quarantine_check(india_classification)

# MOSPI publishes every month: CPI on the 12th, WPI around the 14th, the PLFS monthly bulletin around the
# 15th, IIP around the 28th, and quarterly GDP/GVA at the end of the second month after each quarter. Any
# 35 days hold at least one release, so mospi_releases not updated for longer has missed one.
mospi_freshness = dg.build_last_update_freshness_checks(
    assets=[mospi_releases], lower_bound_delta=timedelta(days=35)
)
