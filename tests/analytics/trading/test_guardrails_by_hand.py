"""One trade card walked through every guardrail with the numbers worked by hand: the base card passes every
rule, and each variant changes one input so that exactly that rule BLOCKs. The option strategy card's
measures (the options domain's functions) are checked against the closed-form bull put spread."""

from __future__ import annotations

import math
import statistics
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from valuation_platform.analytics.trading.config import Playbook, Thresholds
from valuation_platform.analytics.trading.guardrails import (
    BLOCK, INFO, WARN, Card, Context, decision, evaluate, option_measures,
)
from valuation_platform.pipelines.trading.settings import playbook_table, thresholds

IST = timezone(timedelta(hours=5, minutes=30))
SUBMITTED = datetime(2026, 11, 20, 10, 0, tzinfo=IST)
DAY = date(2026, 11, 20)

LIMITS = Thresholds(
    MIN_LIQUIDITY_RATIO=20, ADV_SESSIONS=20, MAX_POSITION_PCT=0.10, MAX_SECTOR_EXPOSURE=0.30, EVENT_BLACKOUT_DAYS=3,
    REGIME_INDEX_SYMBOL="NIFTYBEES", REGIME_TREND_SESSIONS=10, REGIME_MAX_VOLATILITY=0.25, REGIME_MIN_SESSIONS=5,
    CATALYST_FRESHNESS_HOURS=48, WARN_FRACTION=0.8, RISK_FREE_RATE=0.065, ROLLING_TRADES=10, MAX_WIN_RATE_DROP=0.15,
    MAX_EXPECTANCY_DROP=0.01, MIN_THRESHOLD_TRADES=5)
BREAKOUT = Playbook("breakout", stale_minutes=30, gap_chase_max_percent=2.0, execution_window_hours=6,
                    tranche_sizes=(0.5, 0.3, 0.2), meta_label_threshold=0.55)

# NAV = cash 10,00,000 + INFY 100 x 1,500 (1,50,000) + TCS 50 x 4,000 (2,00,000) = 13,50,000
CASH, NAV = 10_00_000.0, 13_50_000.0
HOLDINGS = {"INFY": (100, 1500.0), "TCS": (50, 4000.0)}
SECTORS = {"INFY": "Information Technology", "TCS": "Information Technology", "WIPRO": "Information Technology",
           "HDFCBANK": "Financials"}
RISING = [100.0 + i for i in range(10)]  # last 109 > mean 104.5: uptrend
CARD = Card("TC-1", 1, "DESK-EQ", "HDFCBANK", "BUY", 50, 1600.0, "breakout", "Financials",
            signal_at=SUBMITTED - timedelta(minutes=10), catalyst_at=SUBMITTED - timedelta(hours=2),
            submitted_at=SUBMITTED, tranche=1, planned_quantity=100)
CTX = Context(nav=NAV, holdings=HOLDINGS, sectors=SECTORS, turnover=[2_00_00_000.0] * 20, previous_close=1590.0,
              index_closes=RISING, events=[(DAY + timedelta(days=10), "FINANCIAL_RESULTS", "Quarterly results")])


def _by_rule(card: Card, ctx: Context) -> dict:
    return {v.rule: v for v in evaluate(card, ctx, LIMITS, BREAKOUT)}


def test_the_base_card_passes_every_rule_with_the_numbers_worked_by_hand() -> None:
    v = _by_rule(CARD, CTX)
    assert {r: x.severity for r, x in v.items()} == {r: INFO for r in v} and len(v) == 7
    # order 50 x 1,600 = 80,000; ADV 2,00,00,000 -> ratio 250 (>= 20)
    assert v["liquidity"].observed == pytest.approx(250.0)
    assert v["liquidity"].inputs["adv"] == pytest.approx(2e7)
    # position after 80,000 / NAV 13,50,000 = 5.926 % (<= 10 %, under the 8 % warn line)
    assert v["position_size"].observed == pytest.approx(80_000 / 13_50_000)
    # Financials holds nothing else: 80,000 / 13,50,000 again (<= 30 %)
    assert v["sector_exposure"].observed == pytest.approx(0.0592593, rel=1e-5)
    assert v["sector_exposure"].inputs["sector"] == "Financials"
    # results 10 days away: outside the 3-day window
    assert v["event_window"].observed is None
    # catalyst 2 h old (stale after 48)
    assert v["catalyst_freshness"].observed == pytest.approx(2.0)
    # regime: stdev of the 9 log returns ln(101/100)..ln(109/108) (statistics.stdev, ddof 1) x sqrt(252)
    vol = statistics.stdev([math.log((101 + i) / (100 + i)) for i in range(9)]) * math.sqrt(252)
    assert v["market_regime"].observed == pytest.approx(vol, rel=1e-12)
    assert v["market_regime"].inputs["downtrend"] is False and v["market_regime"].inputs["average"] == 104.5
    # playbook: signal 10 min (<= 30), limit 1,600 vs close 1,590 = +0.629 % (<= 2 %), 2 h after the catalyst
    # (<= 6 h), tranche 1 = 0.5 x 100 planned = 50 (quantity 50)
    assert v["playbook"].inputs["gap_percent"] == pytest.approx((1600 / 1590 - 1) * 100)
    assert v["playbook"].inputs["tranche_allowed_quantity"] == 50
    assert decision(list(v.values())) == "APPROVED"


@pytest.mark.parametrize("rule, card, ctx, observed", [
    # ADV 10,00,000 / order 80,000 = 12.5 < 20
    ("liquidity", CARD, replace(CTX, turnover=[10_00_000.0] * 20), 12.5),
    # 100 x 1,600 = 1,60,000 / 13,50,000 = 11.85 % > 10 % (tranche 1 of 200 planned allows 100)
    ("position_size", replace(CARD, quantity=100, planned_quantity=200), CTX, 1_60_000 / 13_50_000),
    # WIPRO is IT: INFY 1,50,000 + TCS 2,00,000 + 50 x 1,600 = 4,30,000 / 13,50,000 = 31.85 % > 30 %
    ("sector_exposure", replace(CARD, symbol="WIPRO"), CTX, 4_30_000 / 13_50_000),
    # results two days after the card's day, no HDFCBANK held: a new position inside the 3-day window
    ("event_window", CARD, replace(CTX, events=[(DAY + timedelta(days=2), "FINANCIAL_RESULTS", "Q2 results")]), 2),
    # falling index with wide swings: last 85 < mean 93.2, volatility far above 25 %
    ("market_regime", CARD, replace(CTX, index_closes=[100, 96, 99, 93, 97, 90, 94, 87, 91, 85]), None),
    # catalyst 50 h before submission > 48 h
    ("catalyst_freshness", replace(CARD, catalyst_at=SUBMITTED - timedelta(hours=50)), CTX, 50.0),
])
def test_one_block_per_rule(rule, card, ctx, observed) -> None:
    v = _by_rule(card, ctx)
    assert v[rule].severity == BLOCK, v[rule].explanation
    blocked = {r for r, x in v.items() if x.severity == BLOCK}
    assert blocked == {rule}
    if rule == "market_regime":
        closes = [100, 96, 99, 93, 97, 90, 94, 87, 91, 85]
        vol = statistics.stdev([math.log(b / a) for a, b in zip(closes, closes[1:])]) * math.sqrt(252)
        assert v[rule].observed == pytest.approx(vol, rel=1e-12) and vol > 0.25
        assert v[rule].inputs["average"] == pytest.approx(93.2)
    else:
        assert v[rule].observed == pytest.approx(observed)
    assert v[rule].explanation and "\n" not in v[rule].explanation
    assert decision(list(v.values())) == "BLOCKED"


def test_warn_band_and_the_playbook_flag() -> None:
    # 70 x 1,600 = 1,12,000 / 13,50,000 = 8.30 %: above 0.8 x 10 %, under 10 % -> WARN (still approved)
    warned = _by_rule(replace(CARD, quantity=70, planned_quantity=140), CTX)
    assert warned["position_size"].severity == WARN
    assert decision(list(warned.values())) == "APPROVED"
    # limit 1,640 vs close 1,590: +3.14 % > the playbook's 2 % gap-chase limit -> flagged before sizing
    chased = _by_rule(replace(CARD, limit_price=1640.0), CTX)
    assert chased["playbook"].severity == WARN
    assert chased["playbook"].inputs["gap_percent"] == pytest.approx((1640 / 1590 - 1) * 100)
    assert decision(list(chased.values())) == "FLAGGED"
    # no events mart: the window cannot be checked, said as a warning rather than a silent pass
    assert _by_rule(CARD, replace(CTX, events=None))["event_window"].severity == WARN


def test_option_strategy_card_uses_the_options_domains_measures() -> None:
    """Bull put spread, spot 100: sell the 95 put at 2.00, buy the 90 put at 0.50, one lot of 50.
    Credit 1.50; max loss = width 5 - 1.50 = 3.50 a unit (the margin of a defined-risk spread); breakeven
    93.50; P(profit) = P(S_T > 93.5) = N(d), d = (ln(100/93.5) + (r - s^2/2) t) / (s sqrt t), s = mean leg IV."""
    card = replace(CARD, instrument="OPTION_STRATEGY", quantity=1, lot_size=50, expiry=DAY + timedelta(days=28),
                   limit_price=100.0, legs=({"option_type": "PE", "strike": 95, "side": "SELL", "premium": 2.0, "iv": 0.24},
                                            {"option_type": "PE", "strike": 90, "side": "BUY", "premium": 0.5, "iv": 0.27}))
    m = option_measures(card, 100.0, LIMITS)
    s, t, r = (0.24 + 0.27) / 2, 28 / 365, 0.065
    d = (math.log(100 / 93.5) + (r - s * s / 2) * t) / (s * math.sqrt(t))
    assert m["pop"] == pytest.approx(0.5 * (1 + math.erf(d / math.sqrt(2))), abs=1e-12)
    assert m["margin"] == pytest.approx(3.5 * 50) and m["max_loss"] == pytest.approx(3.5 * 50)
    assert m["max_profit"] == pytest.approx(1.5 * 50) and m["breakevens"] == [93.5]
    v = _by_rule(card, replace(CTX, previous_close=100.0))
    # the card's capital at risk, 175 / 13,50,000, is its position size
    assert v["position_size"].observed == pytest.approx(175 / 13_50_000)
    assert v["position_size"].inputs["pop"] == pytest.approx(m["pop"])


def test_the_reviewed_seeds_parse_and_document_every_threshold() -> None:
    t = thresholds()
    assert (t.MAX_SECTOR_EXPOSURE, t.EVENT_BLACKOUT_DAYS, t.CATALYST_FRESHNESS_HOURS) == (0.30, 3, 48)
    books = playbook_table()
    assert set(books) >= {"breakout", "results_momentum", "mean_reversion", "option_income"}
    assert all(abs(sum(b.tranche_sizes) - 1) < 1e-9 for b in books.values())
    with pytest.raises(ValueError, match="missing"):
        Thresholds.from_rows([{"name": "MAX_POSITION_PCT", "value": "0.1"}])


def test_a_playbook_removed_from_the_seed_blocks_the_card() -> None:
    verdicts = {v.rule: v for v in evaluate(CARD, CTX, LIMITS, None)}
    assert verdicts["playbook"].severity == BLOCK and "not in the reviewed playbooks seed" in verdicts["playbook"].explanation
    assert decision(list(verdicts.values())) == "BLOCKED"
