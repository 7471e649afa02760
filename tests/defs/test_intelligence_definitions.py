"""The intelligence assets as the code location defines them: group, owner, kinds, table and column schema
before any run; the marts downstream; quarantine checks; the hourly 08:00-22:00 IST schedule, stopped locally;
the resource choosing the analyzer from OPENAI_API_KEY and reading the bounds."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from valuation_platform.defs.intelligence import automation
from valuation_platform.defs.intelligence.resources import IntelligenceResource
from valuation_platform.sources.newsfeeds.feeds import DEFAULT_FEEDS

IST = ZoneInfo("Asia/Kolkata")
TABLES = {"news_items": "raw.news_items", "event_analyses": "analytics.event_analyses",
          "policy_updates": "analytics.policy_updates"}


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from valuation_platform.definitions import build_defs

    return build_defs()


def test_assets_declare_group_owner_kinds_and_table(defs) -> None:
    graph = defs.resolve_asset_graph()
    for name, table in TABLES.items():
        node = graph.get(dg.AssetKey(name))
        assert (node.group_name, node.owners) == ("intelligence", ["team:research"])
        assert {"python", "postgres"} <= set(node.kinds) and node.description
        assert node.metadata["dagster/table_name"] == table
        assert "_fetched_at" in {c.name for c in node.metadata["dagster/column_schema"].columns}
        assert node.partitions_def is None
    analyses = graph.get(dg.AssetKey("event_analyses"))
    assert {dg.AssetKey(["marts", "fct_news_events"]), dg.AssetKey("india_drivers")} <= analyses.parent_keys
    assert "openai" in analyses.kinds
    for mart, parent in (("fct_news_events", "int_intelligence__events"),
                         ("fct_event_analyses", "stg_intelligence__event_analyses"),
                         ("fct_policy_updates", "stg_intelligence__policy_updates")):
        node = graph.get(dg.AssetKey(["marts", mart]))
        assert node.group_name == "intelligence"
        assert dg.AssetKey(["intermediate" if parent.startswith("int_") else "staging", parent]) in node.parent_keys
    assert dg.AssetKey("news_items") in graph.get(dg.AssetKey(["staging", "stg_newsfeeds__items"])).parent_keys
    assert dg.AssetKey("policy_updates") in graph.get(
        dg.AssetKey(["staging", "stg_intelligence__policy_updates"])).parent_keys
    checks = {key.name for key in graph.asset_check_keys if key.asset_key.path[-1] in TABLES}
    assert {"news_items_quarantine", "event_analyses_quarantine"} <= checks


def test_hourly_schedule_in_india_time_stopped_locally(defs) -> None:
    schedule = automation.intelligence_news_hourly
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 8-22 * * *", "Asia/Kolkata")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    job = defs.resolve_job_def("intelligence_news_job")
    assert {dg.AssetKey("news_items"), dg.AssetKey("event_analyses"), dg.AssetKey(["marts", "fct_news_events"]),
            dg.AssetKey(["marts", "fct_policy_updates"])} <= set(job.asset_layer.executable_asset_keys)
    tick = datetime(2026, 11, 21, 8, 0, tzinfo=IST)  # a Saturday: releases come out on weekends too
    with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=defs.get_repository_def()) as context:
        (request,) = automation.intelligence_news_hourly.evaluate_tick(context).run_requests
    assert request.run_key == "2026-11-21T08:00:00+05:30"


def test_resource_settings() -> None:
    unset = IntelligenceResource()
    assert unset.chat() is None  # no key: the rule-based analyzer
    assert unset.feeds() == list(DEFAULT_FEEDS)
    assert (unset.bounds().max_relative, unset.bounds().max_points, unset.bounds().min_confidence) == (0.1, 0.25, 0.7)
    configured = IntelligenceResource(openai_api_key="sk-x", openai_base_url="http://127.0.0.1:9/v1",
                                      llm_model="gpt-4o-2024-08-06", max_move="0.05", min_confidence="0.8",
                                      news_feeds="rbi=https://rbi.org.in/pressreleases_rss.xml")
    chat = configured.chat()
    assert chat is not None and (chat.model, chat.base_url) == ("gpt-4o-2024-08-06", "http://127.0.0.1:9/v1")
    assert (configured.bounds().max_relative, configured.bounds().min_confidence) == (0.05, 0.8)
    assert [f.publisher for f in configured.feeds()] == ["RBI"]
