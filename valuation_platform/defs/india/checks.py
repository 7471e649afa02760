"""Driver-hierarchy invariants and landing/source quarantine, as Python asset checks (dbt tests cover keys)."""

from collections.abc import Iterator

import dagster as dg

from valuation_platform.defs.india.drivers import india_drivers
from valuation_platform.defs.india.macro import india_macro_files, india_market_indicators, mospi_releases
from valuation_platform.defs.india.universe import india_classification
from valuation_platform.pipelines.india.drivers import validate_stored
from valuation_platform.lib.resources import WarehouseResource

# check name -> (validation rules it owns, blocks downstream?, description)
DRIVER_RULES: dict[str, tuple[frozenset[str], bool, str]] = {
    "driver_weights_within_bounds": (
        frozenset({"macro_weight_total", "group_weight_bounds", "subgroup_weight_bounds", "subgroup_driver_count",
                   "company_weight_bounds", "weight_out_of_range", "missing_weight", "duplicate_driver",
                   "unknown_level"}),
        True,
        "MACRO weights sum to 1; GROUP and SUBGROUP weights 0.80-1.00 each; 7-10 drivers per subgroup; "
        "COMPANY weights in (0, 1]; no duplicate driver",
    ),
    "every_subgroup_covered": (
        frozenset({"group_not_covered", "subgroup_not_covered", "subgroup_group_mismatch"}),
        False,
        "every valuation group and subgroup (of the universe and of the seed list) has weighted drivers",
    ),
    "driver_series_exist": (
        frozenset({"unknown_series"}),
        True,
        "no driver reads a series that fct_macro_series does not have",
    ),
    "companies_resolve_full_chain": (
        frozenset({"broken_chain", "orphan_company_driver"}),
        False,
        "every universe company resolves MACRO -> GROUP -> SUBGROUP [-> COMPANY]; no orphan company drivers",
    ),
}


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(name, asset=india_drivers, blocking=blocking, description=description)
        for name, (_, blocking, description) in DRIVER_RULES.items()
    ],
)
def driver_hierarchy_checks(warehouse: WarehouseResource) -> Iterator[dg.AssetCheckResult]:
    with warehouse.connect() as conn:
        validation = validate_stored(conn)
    for name, (rules, _, _) in DRIVER_RULES.items():
        found = [v for v in validation.violations if v["rule"] in rules]
        yield dg.AssetCheckResult(
            check_name=name,
            asset_key=india_drivers.key,
            passed=not found,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "violations": len(found),
                "examples": dg.MetadataValue.md(
                    "\n".join(f"- {v['rule']} {v['scope']}: {v['message']}" for v in found[:20]) or "none"
                ),
                "drivers_per_level": dg.MetadataValue.json(validation.coverage["drivers_per_level"]),
                "companies_full_chain": validation.coverage["companies_full_chain"],
            },
        )


def _quarantine_check(asset: dg.AssetsDefinition) -> dg.AssetChecksDefinition:
    name = asset.key.to_user_string()

    @dg.asset_check(asset=asset, name=f"{name}_quarantine", description=f"documents quarantined by {name}")
    def check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            rows = conn.execute(
                "select document, reason from raw.quarantine where asset_key = %s order by document", (name,)
            ).fetchall()
        return dg.AssetCheckResult(
            passed=not rows,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"quarantined": len(rows),
                      "documents": dg.MetadataValue.md("\n".join(f"- {d}: {r}" for d, r in rows) or "none")},
        )

    return check


mospi_releases_quarantine = _quarantine_check(mospi_releases)
india_market_indicators_quarantine = _quarantine_check(india_market_indicators)
india_macro_files_quarantine = _quarantine_check(india_macro_files)
india_classification_quarantine = _quarantine_check(india_classification)
