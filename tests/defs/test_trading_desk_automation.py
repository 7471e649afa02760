"""The trading desk's automation: the new-card sensor (the shared landing sensor) requests one run per new or
changed card document and none for a folder it has seen; schedules carry India time and start stopped."""

from __future__ import annotations

import json

import dagster as dg

from valuation_platform.defs.trading.desk import TradingDeskResource
from valuation_platform.defs.trading.guardrails import trading_new_cards
from valuation_platform.defs.trading.learning import learning_weekly
from valuation_platform.defs.trading.treasury import treasury_daily
from valuation_platform.lib.resources import SourcesResource


def _tick(landing, cursor=None):
    context = dg.build_sensor_context(cursor=cursor, resources={
        "trading_desk": TradingDeskResource(landing_dir=str(landing)), "sources": SourcesResource()})
    result = trading_new_cards.evaluate_tick(context)
    request = (result.run_requests or [None])[0] or dg.SkipReason(result.skip_message)
    return request, result.cursor


def test_new_card_sensor_requests_a_run_per_new_card(tmp_path) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    result, cursor = _tick(tmp_path)
    assert isinstance(result, dg.SkipReason)
    (cards / "tc-1.json").write_text(json.dumps({"card_id": "TC-1", "version": 1}))
    (cards / "notes.txt").write_text("not a card")
    request, cursor = _tick(tmp_path, cursor)
    assert isinstance(request, dg.RunRequest) and request.tags["vp/trading_cards"] == "cards/tc-1.json"
    assert set(json.loads(cursor)) == {"cards/tc-1.json"}
    again, cursor = _tick(tmp_path, cursor)
    assert isinstance(again, dg.SkipReason)  # seen: evaluated once
    (cards / "tc-2.json").write_text(json.dumps({"card_id": "TC-2", "version": 1}))
    second, _ = _tick(tmp_path, cursor)
    assert second.tags["vp/trading_cards"] == "cards/tc-2.json" and second.run_key != request.run_key


def test_schedules_in_india_time_and_stopped_locally() -> None:
    assert (treasury_daily.cron_schedule, treasury_daily.execution_timezone) == ("0 18 * * *", "Asia/Kolkata")
    assert (learning_weekly.cron_schedule, learning_weekly.execution_timezone) == ("0 8 * * 6", "Asia/Kolkata")
    for definition in (treasury_daily, learning_weekly):
        assert definition.default_status == dg.DefaultScheduleStatus.STOPPED
    assert trading_new_cards.default_status == dg.DefaultSensorStatus.STOPPED
