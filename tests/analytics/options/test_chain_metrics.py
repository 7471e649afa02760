"""Chain metrics: PCR, max pain, ATM IV, 25-delta skew, IV rank; the real BANKNIFTY chain by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from valuation_platform.analytics.options.bsm import bsm_greeks, bsm_price
from valuation_platform.analytics.options.chain_metrics import (
    atm_iv,
    chain_metrics,
    enrich_chain,
    iv_rank_percentile,
    max_pain,
    put_call_ratio,
    skew_25d,
    year_fraction,
)

FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures"
BANKNIFTY = FIXTURES / "nse" / "option_chain_BANKNIFTY_2020-05-14.json"


def test_put_call_ratio_counts_missing_as_zero():
    out = put_call_ratio(["CE", "PE", "PE", "CE"], [100, 50, np.nan, 300], [10, 40, 5, None])
    assert out["pcr_oi"] == pytest.approx(50 / 400)
    assert out["pcr_volume"] == pytest.approx(45 / 10)
    assert put_call_ratio(["PE"], [10], [1]) == {
        "pcr_oi": None,
        "pcr_volume": None,
        "call_oi": 0.0,
        "put_oi": 10.0,
        "call_volume": 0.0,
        "put_volume": 1.0,
    }


def test_max_pain_small_chain_by_hand():
    strikes = [90, 100, 110, 90, 100, 110]
    types = ["C", "C", "C", "P", "P", "P"]
    oi = [100, 200, 300, 300, 200, 100]
    # Settle 90: puts 100x200 + 20x100 = 4000; settle 100: calls 10x100 + puts 10x100 = 2000;
    # settle 110: calls 20x100 + 10x200 = 4000.
    assert max_pain(strikes, types, oi) == 100.0
    # A tie (both 1000) goes to the lower strike; no open interest -> None.
    assert max_pain([100, 110], ["C", "P"], [100, 100]) == 100.0
    assert max_pain([100, 110], ["C", "P"], [0, 0]) is None


def test_atm_iv_interpolates_the_otm_side_at_the_forward():
    strikes = [90, 95, 100, 105, 110] * 2
    types = ["C"] * 5 + ["P"] * 5
    call_iv = [0.30, 0.28, 0.26, 0.24, 0.22]
    put_iv = [0.31, 0.29, 0.27, 0.25, 0.23]
    iv = call_iv + put_iv
    # Forward 102: puts at 90..100 (below), calls at 105, 110 (above);
    # so interpolate between 100 (put 0.27) and 105 (call 0.24).
    assert atm_iv(strikes, types, iv, 102.0) == pytest.approx(0.27 + (0.24 - 0.27) * 2 / 5)
    # Forward beyond the strikes: the nearest strike, 110, where the put is the OTM side.
    assert atm_iv(strikes, types, iv, 130.0) == pytest.approx(0.23)
    assert atm_iv(strikes, types, iv, 80.0) == pytest.approx(0.30)  # 90, call side OTM
    # The OTM side has no IV at 100: fall back to the ITM call there.
    iv_missing = call_iv + [0.31, 0.29, np.nan, 0.25, 0.23]
    assert atm_iv(strikes, types, iv_missing, 100.0) == pytest.approx(0.26)
    assert atm_iv(strikes, types, [np.nan] * 10, 100.0) is None


def test_skew_25d_on_a_known_smile():
    S, T, r, q = 100.0, 0.25, 0.03, 0.01
    forward = S * np.exp((r - q) * T)

    def smile(k):
        return 0.25 - 0.3 * np.log(k / forward)

    strikes = np.arange(60.0, 150.0, 0.5)
    types = np.array(["P"] * strikes.size + ["C"] * strikes.size)
    ks = np.concatenate([strikes, strikes])
    out = skew_25d(ks, types, smile(ks), spot=S, t_years=T, rate=r, dividend_yield=q)
    # Independent: the strikes where the BSM delta at the smile vol is exactly -0.25 / +0.25.
    k_put = brentq(lambda k: bsm_greeks(S, k, T, r, smile(k), q, "P").delta + 0.25, 60, forward)
    k_call = brentq(lambda k: bsm_greeks(S, k, T, r, smile(k), q, "C").delta - 0.25, forward, 149)
    assert out["iv_put_25d"] == pytest.approx(smile(k_put), abs=2e-4)
    assert out["iv_call_25d"] == pytest.approx(smile(k_call), abs=2e-4)
    assert out["skew_25d"] == pytest.approx(smile(k_put) - smile(k_call), abs=4e-4)
    assert out["skew_25d"] > 0.04
    # Only near-the-money strikes: the 25-delta points are not bracketed, so nothing is extrapolated.
    near = np.abs(ks - 100) <= 2
    assert skew_25d(ks[near], types[near], smile(ks[near]), spot=S, t_years=T, rate=r, dividend_yield=q) == {
        "iv_put_25d": None,
        "iv_call_25d": None,
        "skew_25d": None,
    }


def test_iv_rank_and_percentile():
    as_of = date(2024, 6, 28)
    days = [as_of - timedelta(days=i) for i in range(1, 201)]
    ivs = np.linspace(0.30, 0.10, 200)  # yesterday 0.30 ... 200 days ago 0.10
    out = iv_rank_percentile(days, ivs, 0.25, as_of)
    assert out["n_observations"] == 200
    assert out["iv_rank"] == pytest.approx((0.25 - 0.10) / (0.30 - 0.10))
    assert out["iv_percentile"] == pytest.approx(np.mean(ivs < 0.25))
    # Days older than 52 weeks, NaNs and the as-of day itself are not history.
    extra_days = days + [as_of - timedelta(days=400), as_of, as_of - timedelta(days=300)]
    extra_ivs = np.concatenate([ivs, [0.90, 0.01, np.nan]])
    assert iv_rank_percentile(extra_days, extra_ivs, 0.25, as_of) == out
    # Above the range: rank 1, percentile 1.
    top = iv_rank_percentile(days, ivs, 0.5, as_of)
    assert top["iv_rank"] == 1.0 and top["iv_percentile"] == 1.0
    # Too short a history (or no current IV): None, with the count.
    short = iv_rank_percentile(days[:100], ivs[:100], 0.25, as_of)
    assert short == {"iv_rank": None, "iv_percentile": None, "n_observations": 100}
    assert iv_rank_percentile(days, ivs, None, as_of)["iv_rank"] is None


def test_year_fraction_uses_the_market_close():
    snap = [datetime(2024, 5, 16, 10, 0, tzinfo=UTC)]  # 15:30 IST
    assert year_fraction(snap, [date(2024, 5, 23)])[0] == pytest.approx(7 / 365)
    us = year_fraction(
        [datetime(2024, 5, 17, 20, 0, tzinfo=UTC)],
        [date(2024, 5, 24)],
        expiry_time=datetime(2000, 1, 1, 16).time(),
        tz="America/New_York",
    )
    assert us[0] == pytest.approx(7 / 365)  # 16:00 EDT = 20:00 UTC


def test_enrich_and_metrics_recover_a_model_chain():
    S, r, q, sigma = 20000.0, 0.065, 0.01, 0.18
    snap = datetime(2024, 5, 16, 10, 0, tzinfo=UTC)
    expiry = date(2024, 6, 13)
    T = 28 / 365
    strikes = np.arange(18000.0, 22001.0, 100.0)
    rows = []
    for kind in ("CE", "PE"):
        prices = bsm_price(S, strikes, T, r, sigma, q, kind)
        for k, p in zip(strikes, prices, strict=True):
            rows.append(
                {
                    "underlying": "NIFTY",
                    "snapshot_ts": snap,
                    "expiry": expiry,
                    "strike": k,
                    "option_type": kind,
                    "last_price": p,
                    "bid": None,
                    "ask": None,
                    "volume": 10,
                    "open_interest": 100 if kind == "CE" else 50,
                    "underlying_price": S,
                }
            )
    enriched = enrich_chain(pd.DataFrame(rows), rate=r, dividend_yield=q)
    ok = enriched["iv_status"] == "OK"
    np.testing.assert_allclose(enriched.loc[ok, "iv"], sigma, atol=1e-8)
    assert ok.sum() >= 70
    [metrics] = chain_metrics(enriched)
    assert metrics["t_years"] == pytest.approx(T)
    assert metrics["atm_iv"] == pytest.approx(sigma, abs=1e-8)
    assert metrics["skew_25d"] == pytest.approx(0.0, abs=1e-8)
    assert metrics["pcr_oi"] == pytest.approx(0.5) and metrics["pcr_volume"] == pytest.approx(1.0)
    assert metrics["forward"] == pytest.approx(S * np.exp((r - q) * T))


def _banknifty_payload():
    if not BANKNIFTY.is_file():
        pytest.skip("../shared/fixtures is not available")
    return BANKNIFTY.read_bytes()


def test_real_banknifty_pcr_and_max_pain_equal_a_hand_computation():
    from valuation_platform.sources.nse.option_chain import parse_nse_option_chain

    body = _banknifty_payload()
    rows = pd.DataFrame(parse_nse_option_chain(body, document=BANKNIFTY.name))
    nearest = rows["expiry"].min()
    assert nearest == date(2020, 5, 14)
    chain = rows[rows["expiry"] == nearest]
    pcr = put_call_ratio(chain["option_type"], chain["open_interest"], chain["volume"])
    pain = max_pain(chain["strike"], chain["option_type"], chain["open_interest"])

    # The hand computation, straight from the raw JSON.
    raw = json.loads(body)["records"]["data"]
    call_oi = put_oi = call_vol = put_vol = 0
    legs = []  # (strike, side, oi)
    for entry in raw:
        if entry["expiryDate"] != "14-May-2020":
            continue
        if "CE" in entry:
            call_oi += entry["CE"]["openInterest"]
            call_vol += entry["CE"]["totalTradedVolume"]
            legs.append((entry["strikePrice"], "CE", entry["CE"]["openInterest"]))
        if "PE" in entry:
            put_oi += entry["PE"]["openInterest"]
            put_vol += entry["PE"]["totalTradedVolume"]
            legs.append((entry["strikePrice"], "PE", entry["PE"]["openInterest"]))
    best_strike, best_pain = None, None
    for settle in sorted({strike for strike, _, _ in legs}):
        pain_here = 0
        for strike, side, oi in legs:
            if side == "CE" and settle > strike:
                pain_here += (settle - strike) * oi
            if side == "PE" and settle < strike:
                pain_here += (strike - settle) * oi
        if best_pain is None or pain_here < best_pain:
            best_strike, best_pain = settle, pain_here

    assert pcr["pcr_oi"] == pytest.approx(put_oi / call_oi, rel=1e-15)
    assert pcr["pcr_volume"] == pytest.approx(put_vol / call_vol, rel=1e-15)
    assert pain == best_strike
    # Metrics through the whole pipeline agree with the direct calls.
    enriched = enrich_chain(rows, rate=0.04, dividend_yield=0.0)
    by_expiry = {m["expiry"]: m for m in chain_metrics(enriched)}
    assert by_expiry[nearest]["pcr_oi"] == pcr["pcr_oi"]
    assert by_expiry[nearest]["max_pain"] == best_strike
    # Expiry day at the 15:30 close: no time left, every contract says so.
    assert set(enriched.loc[enriched["expiry"] == nearest, "iv_status"]) == {"EXPIRED"}
    assert by_expiry[nearest]["atm_iv"] is None


def test_real_banknifty_ivs_are_close_to_nse_for_liquid_contracts():
    from valuation_platform.sources.nse.option_chain import parse_nse_option_chain

    rows = pd.DataFrame(parse_nse_option_chain(_banknifty_payload(), document=BANKNIFTY.name))
    enriched = enrich_chain(rows, rate=0.04, dividend_yield=0.0)
    week = enriched[(enriched["expiry"] == date(2020, 5, 21)) & (enriched["iv_status"] == "OK")]
    liquid = week[(week["volume"] > 1000) & week["provider_iv"].notna()]
    assert len(liquid) > 20
    # NSE inverts last prices with its own conventions; medians agree within a few vol points.
    assert abs(float((liquid["iv"] - liquid["provider_iv"]).median())) < 0.03
