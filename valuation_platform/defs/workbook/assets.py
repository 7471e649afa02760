"""The managers' workbook (Google Sheets, or a local .xlsx without credentials), the approval gate for
discovered drivers, the social-posts queue and the daily digest (steps: pipelines/workbook)."""

from datetime import UTC, datetime

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.defs.workbook.resources import DigestResource, WorkbookResource
from valuation_platform.lib.metadata import materialized, table_metadata
from valuation_platform.lib.policies import asset_defaults
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.pipelines.workbook.approvals import DecisionRefused, decide
from valuation_platform.pipelines.workbook.digest import send_digest
from valuation_platform.pipelines.workbook.edits import apply_workbook_edits
from valuation_platform.pipelines.workbook.posts import draft_posts
from valuation_platform.pipelines.workbook.publish import write_workbook
from valuation_platform.warehouse.tables.india import INDIA_DRIVERS
from valuation_platform.warehouse.tables.intelligence import DRIVER_ADJUSTMENTS, INTELLIGENCE_TABLES
from valuation_platform.warehouse.tables.workbook import DIGESTS, SOCIAL_POSTS, WORKBOOK_SNAPSHOT, WORKBOOK_TABLES

TABLES = [INDIA_DRIVERS, *INTELLIGENCE_TABLES, *WORKBOOK_TABLES]
SHEETS = asset_defaults("workbook", kinds={"python", "googlesheets", "postgres"})


def _model(name: str) -> dg.AssetKey:
    return get_asset_key_for_model([dbt_models], name)


class DecisionConfig(dg.Config):
    """A decision from the UI or `vp approve` instead of the workbook: empty = read the workbook."""

    discovery_id: str = ""
    decision: str = ""  # APPROVE / REJECT
    reviewer: str = ""
    note: str = ""


@dg.asset(
    description=(
        "Managers' edits and approvals: every editable cell of the workbook (driver weights, current values, "
        "directions; Decision + Reviewer of a discovered driver; Approve of a social post) that differs from "
        "what the platform last wrote, validated (weights 0..1 with the scope total in the validator's bounds, "
        "directions UP/DOWN/STABLE, decisions through the approval gate). Valid driver edits are recorded as "
        "PM_EDIT adjustments the drivers build applies; invalid ones are REJECTED with the reason, written "
        "back to the row's Status column, and the cell is restored. Launched with run config "
        "(discovery_id, decision, reviewer, note), it records that one decision instead."
    ),
    metadata=table_metadata(DRIVER_ADJUSTMENTS),
    **SHEETS,
)
def workbook_edits(config: DecisionConfig, workbook: WorkbookResource,
                   warehouse: WarehouseResource) -> dg.MaterializeResult:
    now = datetime.now(UTC)
    with warehouse.connect(TABLES) as conn:
        if not config.discovery_id:
            return materialized(apply_workbook_edits(conn, workbook.backend(), now=now))
        try:
            row = decide(conn, config.discovery_id, config.decision, config.reviewer, now=now, note=config.note)
        except DecisionRefused as refused:
            raise dg.Failure(description=str(refused)) from None
    return materialized({"dagster/row_count": 0, "decision": row["status"], "discovery_id": row["discovery_id"],
                         "reviewer": row["reviewer"], "reviewed_at": row["reviewed_at"].isoformat()})


@dg.asset(
    deps=[_model("fct_valuation_alerts")],
    description=(
        "Social posts drafted from the newest valuation alerts (and the top opportunities once "
        "marts.fct_opportunity_scores exists), PENDING_APPROVAL until a manager answers YES/NO in the "
        "workbook's Social Posts tab. The platform never posts them."
    ),
    **asset_defaults("workbook"),
)
def workbook_social_posts(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect([SOCIAL_POSTS]) as conn:
        return materialized(draft_posts(conn, now=datetime.now(UTC)))


@dg.asset(
    # the analysis's suggestions fill tab 7 and the news events tab 8: both before the workbook is written
    deps=["india_drivers", workbook_social_posts, _model("fct_valuations"), _model("fct_driver_changelog"),
          "event_analyses", _model("fct_news_events")],
    description=(
        "The unified managers' workbook: 1 Macro Drivers (with source, frequency, impact, bull/base/bear), "
        "2 Valuation Group Drivers, 3 Valuation Subgroup Drivers, 4 Company Drivers, 5 Valuation History "
        "(30 days), 6 Driver History (the changelog), 7 Discovered Drivers (the approval queue), 8 Event Log "
        "(material news, when the intelligence domain runs), Social Posts. One values batchUpdate per tab; "
        "rows that rolled off the 30-day tabs go to analytics.workbook_archive first; the cell budget "
        "(10M cells) is in the metadata. analytics.workbook_snapshot keeps the editable cells as written."
    ),
    metadata=table_metadata(WORKBOOK_SNAPSHOT),
    **SHEETS,
)
def managers_workbook(workbook: WorkbookResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect(TABLES) as conn:
        return materialized(write_workbook(conn, workbook.backend(), now=datetime.now(UTC)))


@dg.asset(
    deps=[_model("fct_valuation_alerts"), _model("fct_materiality_alerts"), _model("fct_opportunity_scores"),
          managers_workbook],
    description=(
        "The daily digest after the valuation run: valuation alerts, materiality alerts, top opportunities and "
        "approvals waiting. Sent by SMTP when VP_SMTP_HOST is set, else written as an HTML file whose path "
        "is in this asset's metadata. analytics.workbook_digests keeps each day's digest and what it counted."
    ),
    metadata=table_metadata(DIGESTS),
    **asset_defaults("workbook", kinds={"python", "email", "postgres"}),
)
def valuation_digest(digest: DigestResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect(TABLES) as conn:
        report = send_digest(conn, now=datetime.now(UTC), smtp=digest.smtp(), out_dir=digest.directory())
    if "digest_path" in report:
        report["digest_path"] = dg.MetadataValue.path(report["digest_path"])
    return materialized(report)
