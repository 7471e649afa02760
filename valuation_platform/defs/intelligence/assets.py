"""Intelligence domain: the news scan and the event analysis.

``news_items`` reads the configured RSS/Atom feeds (RBI, SEBI and PIB press releases, Indian business news)
into raw.news_items; dbt makes fct_news_events (deduplicated by content hash, tagged with companies, groups
and subgroups). ``event_analyses`` runs every new event through the analyzer (an LLM with structured outputs
when OPENAI_API_KEY is set, the rule-based analyzer otherwise) and writes the analyses, policy stances,
bounded driver adjustments (AGENT_ANALYSIS) and PENDING driver suggestions; dbt makes fct_event_analyses and
fct_policy_updates.

Unpartitioned, like the other "latest only" sources (NSE's FII/DII report, NSDL's FPI page): a feed lists
only its latest items and cannot be asked for a past hour or day, so a time partition could never be re-run
for what it names; hourly partitions would also pass the UI's ten-thousand-key comfort limit within two
years. Items keep their own publication time; the hourly schedule (08:00-22:00 IST) upserts what the feeds
list now, and the analysis picks up whatever has no analysis yet.
"""

from datetime import UTC, datetime

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.defs.intelligence.resources import IntelligenceResource
from valuation_platform.lib.metadata import materialized, merged, table_metadata
from valuation_platform.lib.policies import asset_defaults
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.lib.sources import source_outcome
from valuation_platform.pipelines.intelligence.analysis import run_analysis
from valuation_platform.pipelines.intelligence.news import load_news
from valuation_platform.warehouse.tables.intelligence import (
    ANALYSIS_TABLES,
    EVENT_ANALYSES,
    NEWS_ITEMS,
    POLICY_UPDATES,
)

NEWS_EVENTS = get_asset_key_for_model([dbt_models], "fct_news_events")


@dg.asset(
    description="Items of the configured news feeds (VP_NEWS_FEEDS, default: RBI press releases, SEBI, PIB and "
                "Indian business-news RSS) into raw.news_items, upserted by item URL with a content hash of the "
                "normalised text. A feed that cannot be fetched or is not RSS 2.0/Atom is quarantined with its "
                "reason and the other feeds land.",
    **asset_defaults("intelligence", network=True),
)
def news_items(sources: SourcesResource, intelligence: IntelligenceResource,
               warehouse: WarehouseResource) -> dg.MaterializeResult:
    with source_outcome(), warehouse.connect([NEWS_ITEMS]) as conn:
        return materialized(load_news(conn, sources.client, intelligence.feeds(), asset_key="news_items"))


ANALYSIS = asset_defaults("intelligence", kinds={"python", "openai", "postgres"})


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "event_analyses", deps=[NEWS_EVENTS, "india_drivers"],
            description="Each new event analysed (summary, key points, risks; drivers it moves with direction, "
                        "magnitude and confidence; new drivers it suggests) by the LLM when OPENAI_API_KEY is set "
                        "(structured outputs, validated; refusals and invalid answers quarantined, answers cached "
                        "by content) or the rule-based analyzer; metadata says which ran, with tokens and cost. "
                        "Also writes analytics.india_driver_adjustments (AGENT_ANALYSIS: APPLIED within the "
                        "VP_AGENT_MAX_MOVE bounds or REJECTED with the reason) and analytics.discovered_drivers "
                        "(PENDING, deduplicated against the hierarchy and the queue).",
            metadata=table_metadata(EVENT_ANALYSES), **ANALYSIS,
        ),
        dg.AssetSpec(
            # the same deps as event_analyses: one step writes both (can_subset=False), so a run that leaves out
            # one (its upstream failed) must leave out both
            "policy_updates", deps=[NEWS_EVENTS, "india_drivers"],
            description="Stance of each RBI, SEBI and PIB release (HAWKISH / DOVISH / NEUTRAL) with the valuation "
                        "groups it touches and the confidence; written in the same step as event_analyses.",
            metadata=table_metadata(POLICY_UPDATES), **ANALYSIS,
        ),
    ],
    can_subset=False,
)
def event_analysis(intelligence: IntelligenceResource, warehouse: WarehouseResource):
    with source_outcome(), warehouse.connect(ANALYSIS_TABLES) as conn:
        report = run_analysis(conn, intelligence.chat(), intelligence.bounds(), asset_key="event_analyses",
                              now=datetime.now(UTC))
    policy = report.pop("policy_updates")
    yield dg.MaterializeResult(asset_key="event_analyses", metadata=merged(report))
    yield dg.MaterializeResult(asset_key="policy_updates", metadata=merged(policy))
