"""Ownership ingestion: Form 4 insider trades per filing date, 13F institutional holdings per quarter.

Each load writes two raw tables, so each is a multi-asset with one asset per table (the dbt sources link
to them one to one). Both run a partition range as one run and skip filings already loaded, so a re-run
only fetches what is new; ``refetch: true`` in the run config reloads the range. The steps live in
:mod:`valuation_platform.pipelines.ownership`.
"""

from collections.abc import Sequence

import dagster as dg

from valuation_platform.defs.sec.assets import us_universe
from valuation_platform.lib.metadata import merged
from valuation_platform.lib.partitions import SEC_FILING_DAYS, THIRTEENF_QUARTERS
from valuation_platform.lib.policies import asset_defaults
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.lib.sources import source_outcome
from valuation_platform.pipelines.ownership import form4_load, form13f_load
from valuation_platform.pipelines.ownership.common import LoadStep, StepRun
from valuation_platform.warehouse.tables import TableSpec


class OwnershipLoadConfig(dg.Config):
    refetch: bool = False  # reload filings already in the warehouse (e.g. after a parser fix)


def ownership_load(
    name: str,
    specs: Sequence[dg.AssetSpec],
    partitions_def: dg.PartitionsDefinition,
    tables: Sequence[TableSpec],
    step: LoadStep,
) -> dg.AssetsDefinition:
    """The multi-asset of one ownership load: its partition range through ``step``, one result per
    selected table asset. (A multi_asset takes owners and kinds per spec, the rest once.)"""
    defaults = asset_defaults("ownership", partitions_def=partitions_def, network=True)
    per_spec = {key: defaults.pop(key) for key in ("owners", "kinds")}

    @dg.multi_asset(
        name=name,
        specs=[spec.replace_attributes(**per_spec) for spec in specs],
        can_subset=True,
        **defaults,
    )
    def _load(
        context: dg.AssetExecutionContext,
        config: OwnershipLoadConfig,
        sources: SourcesResource,
        warehouse: WarehouseResource,
    ):
        with source_outcome(), warehouse.connect(tables) as conn:
            reports = step(conn, sources.client, StepRun(context.partition_keys, config.refetch, context.log.info))
        for key, report in reports.items():
            if dg.AssetKey(key) in context.selected_asset_keys:
                yield dg.MaterializeResult(asset_key=key, metadata=merged(report))

    return _load


sec_form4 = ownership_load(
    "sec_form4",
    [
        dg.AssetSpec(
            "sec_form4_transactions",
            deps=[us_universe],
            description=(
                "SEC Form 4 / 4/A lines (non-derivative and derivative tables, transactions and holdings, "
                "footnotes, joint filers; amendments kept as filed) by filing date (EDGAR business days, "
                "US/Eastern) -> raw.sec_form4_transactions. Filings come from the daily form index, or from "
                "the current-filings feed while the day's index is not published; only issuers in "
                "raw.us_universe when it is loaded. Bad documents go to raw.quarantine."
            ),
        ),
        dg.AssetSpec(
            "sec_form4_filings",
            deps=[us_universe],
            description=(
                "One row per Form 4 / 4/A accession discovered for a filing date, with how it was found "
                "(daily_index | current_feed), the CIK folder read and its status (loaded | quarantined) "
                "-> raw.sec_form4_filings."
            ),
        ),
    ],
    SEC_FILING_DAYS,
    form4_load.TABLES,
    form4_load.form4_step,
)

sec_13f = ownership_load(
    "sec_13f",
    [
        dg.AssetSpec(
            "sec_13f_holdings",
            description=(
                "SEC Form 13F information-table rows by report quarter (partition key = the quarter's first "
                "day) -> raw.sec_13f_holdings: the SEC's quarterly 13F data set in bulk when published, "
                "filer XML for every other filing found in the daily indexes after the quarter end and in "
                "the 13F feed. Also loads the quarter before the run's first one when the warehouse lacks "
                "it, so the ownership mart's quarter-over-quarter change has its base. Values in dollars "
                "(thousands before 2023-01-03 converted), put/call rows kept as such, amendments stored as "
                "filed (applied in dbt)."
            ),
        ),
        dg.AssetSpec(
            "sec_13f_filings",
            description=(
                "13F-HR / 13F-HR/A cover pages, one row per accession (filer, report period, filing date, "
                "amendment number and type, cover totals, origin xml | dataset:<label>) -> "
                "raw.sec_13f_filings."
            ),
        ),
    ],
    THIRTEENF_QUARTERS,
    form13f_load.TABLES,
    form13f_load.thirteenf_step,
)
