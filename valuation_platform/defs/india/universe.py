"""The India company universe: the classification file from the landing folder -> a balanced selection."""


from collections import Counter
from typing import Any

import dagster as dg

from valuation_platform.lib.metadata import merged
from dagster_dbt import get_asset_key_for_model

from valuation_platform.analytics.india.universe import select_india_universe
from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.lib.india_defaults import COMMON
from valuation_platform.pipelines.india.drivers import read_reference
from valuation_platform.pipelines.india.landing import classification_candidates, scan
from valuation_platform.lib.india_resource import IndiaResource
from valuation_platform.pipelines.report import load_report, merge, quarantine_report, table_report
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.india.classification import SOURCE, parse_classification
from valuation_platform.warehouse.quarantine import quarantine, release
from valuation_platform.warehouse.tables.india import INDIA_CLASSIFICATION, INDIA_UNIVERSE, INDIA_UNIVERSE_REJECTED
from valuation_platform.warehouse.upsert import upsert

MAPPING_SEEDS = [get_asset_key_for_model([dbt_models], n) for n in ("india_sector_group_mapping",
                                                                     "india_company_alpha_configs",
                                                                     "india_valuation_subgroups")]


@dg.asset(
    description=(
        "The company classification workbook (xlsx) or its CSV export from <landing>/classification/: the "
        "newest file is used (a workbook before a CSV of the same time); a file that cannot be read is "
        "quarantined and the next one tried. raw.india_classification holds the rows of the file in use."
    ),
    **COMMON,
)
def india_classification(
    context: dg.AssetExecutionContext, india: IndiaResource, sources: SourcesResource, warehouse: WarehouseResource
):
    folder = india.landing_path(sources.source_root)
    candidates = classification_candidates(scan(folder))
    errors: list[SourceError] = []
    chosen, rows = None, []
    for candidate in candidates:
        try:
            rows = parse_classification(candidate.path.read_bytes(), document=candidate.relpath)
        except SourceError as error:
            errors.append(error)
            continue
        chosen = candidate
        break
    with warehouse.connect([INDIA_CLASSIFICATION]) as conn:
        quarantine(conn, errors, asset_key="india_classification")
        if chosen is not None:
            result = upsert(conn, INDIA_CLASSIFICATION, [{**r, "document": chosen.relpath} for r in rows],
                            source=f"{SOURCE}:{chosen.path}", fetched_at=chosen.modified_at)
            with conn.transaction():  # the table mirrors one file: rows of other files, or gone from it, go
                conn.execute("delete from raw.india_classification where document <> %s "
                             "or not (source_row = any(%s))", (chosen.relpath, [r["source_row"] for r in rows]))
            release(conn, SOURCE, [chosen.relpath])
            meta = table_report(conn, INDIA_CLASSIFICATION.qualified, order_by="source_row")
    if chosen is None:
        raise dg.Failure(
            description=f"no readable classification file in {folder / 'classification'} "
            f"({len(candidates)} tried): drop the workbook (.xlsx) or its CSV export there",
            metadata=quarantine_report(errors, len(candidates)),
        )
    for error in errors:
        context.log.warning(f"quarantined: {error}")
    return dg.MaterializeResult(
        metadata=merged(
            meta,
            load_report([result]),
            quarantine_report(errors, len(candidates)),
            {"document": chosen.relpath, "investable": sum(1 for r in rows if r["is_investable"])},
        )
    )


def company_key(row: dict[str, Any]) -> str:
    return f"NSE:{row['nse_symbol']}" if row.get("nse_symbol") else f"ACCORD:{row['accord_code']}"


def _counts(counts: dict[str, int]) -> dg.MetadataValue:
    return dg.MetadataValue.json(dict(sorted(counts.items())))


def _universe_specs() -> list[dg.AssetSpec]:
    # Built in a function: AssetSpecs lying at module level would be loaded as assets of their own.
    deps = [india_classification, *MAPPING_SEEDS]
    return [
        dg.AssetSpec(
            "india_universe",
            deps=deps,
            description=(
                "The balanced India universe: investable companies mapped to valuation groups/subgroups by "
                "the india_sector_group_mapping seed, ranked by market cap weighted by data quality, "
                "VP_INDIA_TARGET (default 1,000) selected with per-group floors and caps; valuation "
                "frequency by size."
            ),
            **COMMON,
        ),
        dg.AssetSpec(
            "india_universe_rejected",
            deps=deps,
            description=(
                "Investable companies the universe could not use, each with its reason (no_identifier, "
                "no_sector_mapping, no_market_cap, duplicate_identifier) and its row in the classification file."
            ),
            **COMMON,
        ),
    ]


@dg.multi_asset(specs=_universe_specs())
def india_universe(context: dg.AssetExecutionContext, india: IndiaResource, warehouse: WarehouseResource):
    tables = [INDIA_CLASSIFICATION, INDIA_UNIVERSE, INDIA_UNIVERSE_REJECTED]
    with warehouse.connect(tables) as conn:
        cur = conn.execute("select * from raw.india_classification order by source_row")
        columns = [d.name for d in cur.description or []]
        companies = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
        if not companies:
            raise dg.Failure(description="raw.india_classification is empty: materialize india_classification first")
        document = companies[0]["document"]
        reference = read_reference(conn)
        selection = select_india_universe(
            companies,
            reference.sector_group_mapping,
            target=india.universe_target,
            alpha_configs=reference.company_alpha_configs,
        )
        selected = [
            {**row, "company_key": company_key(row), "target": india.universe_target, "document": document}
            for row in selection.selected
        ]
        rejected = [{**row, "document": document} for row in selection.rejected]
        results = [
            upsert(conn, INDIA_UNIVERSE, selected, source=f"{SOURCE}:{document}"),
            upsert(conn, INDIA_UNIVERSE_REJECTED, rejected, source=f"{SOURCE}:{document}"),
        ]
        with conn.transaction():  # both tables describe the latest selection only
            conn.execute("delete from analytics.india_universe where not (company_key = any(%s))",
                         ([r["company_key"] for r in selected],))
            conn.execute("delete from analytics.india_universe_rejected where not (source_row = any(%s)) "
                         "or document <> %s", ([r["source_row"] for r in rejected], document))
        universe_meta = table_report(conn, INDIA_UNIVERSE.qualified, order_by="selection_rank")
        rejected_meta = table_report(conn, INDIA_UNIVERSE_REJECTED.qualified, order_by="source_row")
    stats = selection.stats
    context.log.info(f"selected {stats['selected']} of {stats['eligible']} eligible (target {stats['target']})")
    yield dg.MaterializeResult(
        asset_key="india_universe",
        metadata=merged(
            universe_meta,
            load_report(results[:1]),
            {
                "target": stats["target"],
                "companies_in_file": stats["companies_total"],
                "investable": stats["investable"],
                "eligible": stats["eligible"],
                "selected": stats["selected"],
                "group_floor": stats["group_floor"],
                "group_cap": stats["group_cap"],
                "subgroups_selected": stats["subgroups_selected"],
                "companies_per_group": _counts(stats["selected_by_group"]),
                "companies_per_frequency": _counts(stats["selected_by_frequency"]),
            },
        ),
    )
    yield dg.MaterializeResult(
        asset_key="india_universe_rejected",
        metadata=merged(
            rejected_meta,
            load_report(results[1:]),
            {"rejected_by_reason": _counts(dict(Counter(r["reason"] for r in rejected)))},
        ),
    )
