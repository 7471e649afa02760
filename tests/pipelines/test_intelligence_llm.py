"""The event analysis against a loopback OpenAI server replaying real recorded response bodies
(tests/support/fake_openai.py names which recorded body is the envelope), end to end into the warehouse.

Events are written to marts.fct_news_events as its contract declares them and the driver hierarchy as
analytics.india_drivers holds it; the step then runs with the real openai client. Oracles: the recorded
bodies' own usage (79 prompt + 14 completion tokens) priced by hand, the refusal text as recorded, and the
bounds worked out by hand in the comments.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.support.fake_openai import FakeOpenAI
from tests.support.news_events import write_events
from valuation_platform.analytics.intelligence.bounds import Bounds
from valuation_platform.pipelines.intelligence.analysis import run_analysis
from valuation_platform.sources.llm.client import StructuredChat
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.india import INDIA_DRIVERS
from valuation_platform.warehouse.tables.intelligence import ANALYSIS_TABLES
from valuation_platform.warehouse.upsert import upsert

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MODEL = "gpt-4o-2024-08-06"  # the recorded envelope's model; list price $2.50 / $10.00 per million tokens
CUT = "RBI reduces policy repo rate by 25 basis points"
EVENTS = {  # event_id -> (title, publisher)
    "ev_cut": (CUT, "RBI"),
    "ev_refused": ("SEBI tightens framework for equity index derivatives", "SEBI"),
    "ev_invalid": ("Gold loan NBFCs rally after draft norms", "NEWS"),
    "ev_length": ("Cabinet approves PLI extension for pharmaceuticals", "PIB"),
    "ev_prose": ("HDFC Bank Q2 net profit rises 11%", "NEWS"),
    "ev_truncated": ("TCS, Infosys lead IT rally", "NEWS"),
    "ev_slow": ("Larsen & Toubro bags ultra-mega order", "NEWS"),
}
SCRIPT = {
    CUT: ["429", "500", "ok"],
    EVENTS["ev_refused"][0]: ["refusal"],
    EVENTS["ev_invalid"][0]: ["invalid"],
    EVENTS["ev_length"][0]: ["length"],
    EVENTS["ev_prose"][0]: ["not_json"],
    EVENTS["ev_truncated"][0]: ["truncated", "ok"],
    EVENTS["ev_slow"][0]: ["timeout", "ok"],
}


def _impact(key: str, direction: str, magnitude: float, confidence: float) -> dict:
    return {"driver_key": key, "direction": direction, "magnitude": magnitude, "confidence": confidence,
            "rationale": "scripted"}


def _answer(impacts: list[dict], suggestions: list[dict] | None = None, policy: dict | None = None) -> dict:
    return {"summary": "scripted summary", "key_points": ["a point"], "risks": ["a risk"],
            "driver_impacts": impacts, "suggested_drivers": suggestions or [], "policy": policy}


SUGGESTION = {"level": "SUBGROUP", "valuation_group": "FINANCIALS", "valuation_subgroup": "FINANCIALS_BANKS",
              "company": None, "category": "COST", "name": "deposit_rate_transmission", "suggested_weight": 0.08,
              "reasoning": "Deposit repricing lags the repo cut", "confidence": 0.8}
ANSWERS = {
    CUT: _answer(
        [_impact("MACRO|repo_rate", "DOWN", 0.25, 0.9),
         _impact("GROUP|FINANCIALS|system_credit_growth", "UP", 0.2, 0.75),
         _impact("SUBGROUP|FINANCIALS|FINANCIALS_CAPITAL_MARKETS|sebi_fno_curbs", "UP", 0.2, 0.9),
         _impact("MACRO|made_up_driver", "UP", 0.1, 0.9)],
        [SUGGESTION, {**SUGGESTION, "level": "GROUP", "valuation_subgroup": None, "name": "system_credit_growth"}],
        {"stance": "DOVISH", "impacted_sectors": ["FINANCIALS", "AUTO"], "confidence": 0.85, "rationale": "rate cut"},
    ),
    # every impact in a schema-failing answer must stay unapplied: confidence 7 is outside 0..1
    EVENTS["ev_invalid"][0]: _answer([_impact("GROUP|FINANCIALS|system_credit_growth", "UP", 0.1, 7.0)], [SUGGESTION]),
    EVENTS["ev_truncated"][0]: _answer([]),
    EVENTS["ev_slow"][0]: _answer([]),
}


def _driver(key: str, level: str, name: str, *, group=None, subgroup=None, series=None, unit="percent",
            value=None) -> dict:
    return {"driver_key": key, "driver_level": level, "valuation_group": group, "valuation_subgroup": subgroup,
            "driver_category": "RATES" if level == "MACRO" else "DEMAND", "driver_name": name, "series_id": series,
            "unit": unit, "weight": 0.1, "current_value": value, "updated_at": NOW, "updated_by": "seed"}


DRIVERS = [
    _driver("MACRO|repo_rate", "MACRO", "repo_rate", series="rbi_repo_rate", value=5.5),
    _driver("GROUP|FINANCIALS|system_credit_growth", "GROUP", "system_credit_growth", group="FINANCIALS", value=11.5),
    _driver("SUBGROUP|FINANCIALS|FINANCIALS_CAPITAL_MARKETS|sebi_fno_curbs", "SUBGROUP", "sebi_fno_curbs",
            group="FINANCIALS", subgroup="FINANCIALS_CAPITAL_MARKETS", unit="score", value=0.7),
]


def _seed(conn) -> None:
    ensure_tables(conn, [INDIA_DRIVERS, *ANALYSIS_TABLES])
    write_events(conn, [(event_id, publisher, title, "summary", ["FINANCIALS"])
                        for event_id, (title, publisher) in EVENTS.items()],
                 published=datetime(2026, 11, 19, 4, 0, tzinfo=UTC), seen=NOW)
    upsert(conn, INDIA_DRIVERS, DRIVERS, source="test")
    conn.commit()


def _run(conn, server: FakeOpenAI, sleeps: list[float]) -> dict:
    chat = StructuredChat(api_key="sk-test", model=MODEL, base_url=server.base_url, timeout=0.5,
                          sleep=sleeps.append)
    report = run_analysis(conn, chat, Bounds(), asset_key="event_analyses", now=NOW)
    conn.commit()
    return report


def test_llm_analysis_end_to_end(shared_fixtures, fresh_db) -> None:
    sleeps: list[float] = []
    with FakeOpenAI(shared_fixtures, ANSWERS, SCRIPT) as server, connect(fresh_db) as conn:
        _seed(conn)
        report = _run(conn, server, sleeps)

        # the request is a structured-output call: response_format json_schema, strict, our schema's name
        fmt = server.requests[0]["response_format"]
        assert (fmt["type"], fmt["json_schema"]["name"], fmt["json_schema"]["strict"]) == ("json_schema", "EventAnalysis", True)
        assert server.requests[0]["model"] == MODEL
        # calls: cut 3 (429, 500, ok) + one each for refusal, invalid, length, prose + truncated 2 + slow 2 = 11
        assert len(server.calls) == 11
        # the 429 said Retry-After: 2, and the client waited exactly that (the 500 and the others backed off)
        assert sleeps[0] == 2.0 and len(sleeps) == 4

        analysed = conn.execute("select event_id, analyzer, prompt_tokens, completion_tokens, cost_usd, cached "
                                "from analytics.event_analyses order by event_id").fetchall()
        # three answers, each with the recorded usage: 79 x $2.50/M + 14 x $10/M = $0.0001975 + $0.00014
        assert analysed == [(e, MODEL, 79, 14, pytest.approx(0.0003375), False)
                            for e in ("ev_cut", "ev_slow", "ev_truncated")]
        assert (report["analyzer"], report["prompt_tokens"], report["completion_tokens"]) == (MODEL, 237, 42)
        assert report["cost_usd"] == pytest.approx(0.0010125)  # 3 x 0.0003375

        quarantined = dict(conn.execute("select document, reason from raw.quarantine where asset_key = "
                                        "'event_analyses'").fetchall())
        assert set(quarantined) == {"event:ev_refused", "event:ev_invalid", "event:ev_length", "event:ev_prose"}
        # the refusal as the recorded body words it
        assert quarantined["event:ev_refused"] == "the model refused: I'm very sorry, but I can't assist with that."
        assert quarantined["event:ev_invalid"].startswith("output fails the schema: driver_impacts.0.confidence")
        assert quarantined["event:ev_length"].startswith("output cut at the token limit")
        assert quarantined["event:ev_prose"].startswith("output fails the schema")

        adjustments = conn.execute("select driver_key, field, value_number, value_text, status, rejection_reason, "
                                   "source_ref, trigger from analytics.india_driver_adjustments "
                                   "order by driver_key").fetchall()
        assert adjustments == [
            # credit growth 11.5 + 0.2 = 11.7, within 0.25 points, confidence 0.75 >= 0.70
            ("GROUP|FINANCIALS|system_credit_growth", "current_value", pytest.approx(11.7), None, "APPLIED", None,
             "ev_cut", "AGENT_ANALYSIS"),
            ("MACRO|made_up_driver", "direction", None, "UP", "REJECTED",
             "the driver hierarchy holds no driver with this key", "ev_cut", "AGENT_ANALYSIS"),
            # repo follows its series: the direction only
            ("MACRO|repo_rate", "direction", None, "DOWN", "APPLIED", None, "ev_cut", "AGENT_ANALYSIS"),
            # F&O curbs score 0.7: 10% = 0.07 < 0.2, proposed 0.9 rejected
            ("SUBGROUP|FINANCIALS|FINANCIALS_CAPITAL_MARKETS|sebi_fno_curbs", "current_value", pytest.approx(0.9),
             None, "REJECTED", "move of 0.2 exceeds 10% of the current value 0.7 (0.07)", "ev_cut", "AGENT_ANALYSIS"),
        ]
        # the suggestion duplicating an existing driver in its scope is dropped; the new one waits
        discovered = conn.execute("select driver_name, status, source_event_id, analyzer from "
                                  "analytics.discovered_drivers").fetchall()
        assert discovered == [("deposit_rate_transmission", "PENDING", "ev_cut", MODEL)]
        stances = conn.execute("select event_id, regulator, stance, impacted_sectors from analytics.policy_updates"
                               ).fetchall()
        assert stances == [("ev_cut", "RBI", "DOVISH", ["FINANCIALS", "AUTO"])]

        # re-run with the analyses gone: the three validated answers come from the cache (no call), the four
        # rejected ones are asked again (and rejected again): 4 more calls, no cost
        conn.execute("delete from analytics.event_analyses")
        conn.commit()
        again = _run(conn, server, sleeps)
        assert len(server.calls) == 15
        assert (again["answers_from_cache"], again["cost_usd"], again["prompt_tokens"]) == (3, 0.0, 0)
        assert conn.execute("select count(*) from analytics.event_analyses where cached").fetchone()[0] == 3
        assert conn.execute("select count(*) from analytics.india_driver_adjustments").fetchone()[0] == 4
        assert conn.execute("select count(*) from analytics.discovered_drivers").fetchone()[0] == 1


def test_an_endpoint_that_never_answers_fails_the_step(shared_fixtures, fresh_db) -> None:
    from valuation_platform.sources.errors import SourceUnavailable

    script = {title: ["500"] for title, _ in EVENTS.values()}
    with FakeOpenAI(shared_fixtures, ANSWERS, script) as server, connect(fresh_db) as conn:
        _seed(conn)
        chat = StructuredChat(api_key="sk-test", model=MODEL, base_url=server.base_url, max_retries=1,
                              sleep=lambda _: None)
        with pytest.raises(SourceUnavailable, match="no answer for any of 7 events"):
            run_analysis(conn, chat, Bounds(), asset_key="event_analyses", now=NOW)
        assert len(server.calls) == 14  # 7 events x (1 + 1 retry)
        conn.rollback()
        assert conn.execute("select count(*) from analytics.india_driver_adjustments").fetchone()[0] == 0


def test_cache_payload_is_the_validated_answer(shared_fixtures, fresh_db) -> None:
    with FakeOpenAI(shared_fixtures, ANSWERS, {CUT: ["ok"]}) as server, connect(fresh_db) as conn:
        _seed(conn)
        conn.execute("delete from marts.fct_news_events where event_id <> 'ev_cut'")
        _run(conn, server, [])
        [(response, model)] = conn.execute("select response, model from analytics.llm_cache").fetchall()
        assert model == MODEL and response["policy"]["stance"] == "DOVISH"
        assert json.dumps(response["driver_impacts"][0], sort_keys=True) == json.dumps(
            ANSWERS[CUT]["driver_impacts"][0], sort_keys=True)
