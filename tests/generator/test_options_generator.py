"""The option-chain generator: real formats at client paths, recoverable IVs, quirks, determinism."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from valuation_platform.analytics.options.bsm import bsm_greeks
from valuation_platform.analytics.options.chain_metrics import US_EXPIRY_TIME, US_TZ, enrich_chain
from valuation_platform.generator.options import (
    DEFAULT_US_TICKERS,
    expiries,
    option_underlyings_setting,
    spot_and_vol,
    synthetic_chain,
    underlying_spec,
    write_option_chains,
)
from valuation_platform.generator.universe import us_companies
from valuation_platform.pipelines.options.chain_targets import chain_targets
from valuation_platform.pipelines.options.underlyings import UnderlyingsSetting
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.nse.option_chain import fetch_nse_chain
from valuation_platform.sources.polygon.options_snapshot import fetch_polygon_chain

DAY = date(2024, 5, 16)  # a Thursday: the NSE weekly expires that day


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    root = tmp_path_factory.mktemp("mirror")
    written = write_option_chains(root, DAY, us_tickers=DEFAULT_US_TICKERS[:2])
    return root, written


def _enriched_nse(root, symbol, kind="indices"):
    spec = underlying_spec(symbol, "nse_index" if kind == "indices" else "nse_equity")
    rows = fetch_nse_chain(HttpClient(source_root=root), symbol, kind)
    return enrich_chain(pd.DataFrame(rows), rate=spec.rate, dividend_yield=spec.dividend_yield), spec


def _true_vols(symbol, market, frame, label):
    chain = synthetic_chain(symbol, market, DAY)
    truth = {
        (e, k, t): v
        for e, k, t, v in zip(chain.expiry, chain.strike, chain.option_type, chain.true_vol, strict=True)
    }
    return np.array(
        [
            truth[(e, k, label(t))]
            for e, k, t in zip(frame["expiry"], frame["strike"], frame["option_type"], strict=True)
        ]
    )


def test_writes_every_chain_at_the_client_paths(mirror):
    root, written = mirror
    names = {p.relative_to(root).as_posix() for p in written}
    assert "www.nseindia.com/api/option-chain-indices?symbol=NIFTY" in names
    assert "www.nseindia.com/api/option-chain-indices?symbol=BANKNIFTY" in names
    assert "www.nseindia.com/api/option-chain-equities?symbol=RELIANCE" in names
    for ticker in DEFAULT_US_TICKERS[:2]:
        assert f"api.polygon.io/v3/snapshot/options/{ticker}?limit=250" in names
    assert DEFAULT_US_TICKERS == tuple(c.ticker for c in us_companies(3))


@pytest.mark.parametrize(
    ("symbol", "kind"), [("BANKNIFTY", "indices"), ("NIFTY", "indices"), ("RELIANCE", "equities")]
)
def test_nse_ivs_recover_the_smile_within_half_a_tick(mirror, symbol, kind):
    enriched, spec = _enriched_nse(mirror[0], symbol, kind)
    two_sided = (enriched["iv_status"] == "OK") & enriched["bid"].notna() & enriched["ask"].notna()
    sub = enriched[two_sided]
    assert len(sub) > 200
    true = _true_vols(symbol, spec.market, sub, lambda t: t[0])
    _assert_recovers(sub, true, spec, tick=0.05)


def _assert_recovers(sub, true, spec, tick):
    model = bsm_greeks(
        sub["underlying_price"],
        sub["strike"],
        sub["t_years"],
        spec.rate,
        true,
        spec.dividend_yield,
        sub["option_type"].to_numpy(str),
    )
    # Parsed spot, strikes, times to expiry and rates reprice the model: mids sit within half a tick.
    assert (np.abs(model.price - sub["price"].to_numpy()) <= tick / 2 + 1e-9).all()
    # So the IV is within (half a tick / vega) of the model vol, up to curvature where vega is small.
    raw_vega = model.vega * 100
    error = np.abs(sub["iv"].to_numpy() - true)
    sensitive = raw_vega > 100 * tick
    assert sensitive.sum() > 0.5 * len(sub)
    assert (error[sensitive] <= 1.1 * (tick / 2) / raw_vega[sensitive]).all()


def test_us_ivs_recover_the_smile(mirror):
    root, _ = mirror
    ticker = DEFAULT_US_TICKERS[0]
    spec = underlying_spec(ticker, "us")
    rows = fetch_polygon_chain(HttpClient(source_root=root), ticker, "key")
    enriched = enrich_chain(
        pd.DataFrame(rows),
        rate=spec.rate,
        dividend_yield=spec.dividend_yield,
        expiry_time=US_EXPIRY_TIME,
        tz=US_TZ,
    )
    sub = enriched[(enriched["iv_status"] == "OK") & enriched["bid"].notna() & enriched["ask"].notna()]
    true = _true_vols(ticker, "us", sub, lambda t: t)
    assert len(sub) > 200
    _assert_recovers(sub, true, spec, tick=0.01)
    # Polygon's own implied_volatility field is the model vol itself.
    with_provider = sub["provider_iv"].notna()
    np.testing.assert_allclose(
        sub.loc[with_provider, "provider_iv"], true[with_provider.to_numpy()], rtol=1e-12
    )


def test_realistic_quirks_are_present(mirror):
    enriched, _ = _enriched_nse(mirror[0], "BANKNIFTY")
    sides = enriched.groupby(["expiry", "strike"])["option_type"].nunique()
    assert (sides == 1).sum() >= 5  # strikes listed on one side only
    untraded = enriched[(enriched["volume"] == 0) & enriched["last_price"].isna()]
    assert len(untraded) > 0 and untraded["provider_iv"].isna().all()
    stale = enriched[enriched["iv_status"] == "BELOW_INTRINSIC"]
    assert len(stale) >= 1
    assert stale["bid"].isna().all() and stale["ask"].isna().all()
    assert (stale["option_type"] == "CE").all() and (stale["strike"] < stale["underlying_price"]).all()
    # Several expiries, including the weekly expiring at the snapshot (no time left).
    assert enriched["expiry"].nunique() >= 5
    assert set(enriched.loc[enriched["expiry"] == DAY, "iv_status"]) == {"EXPIRED"}
    assert expiries(underlying_spec("NIFTY", "nse_index"), DAY)[0] == DAY


def test_deterministic_and_dates_form_a_plausible_series(tmp_path):
    a = write_option_chains(tmp_path / "a", DAY, nse_symbols=("NIFTY",), nse_equities=(), us_tickers=())
    b = write_option_chains(tmp_path / "b", DAY, nse_symbols=("NIFTY",), nse_equities=(), us_tickers=())
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    c = write_option_chains(
        tmp_path / "c", DAY, seed=12, nse_symbols=("NIFTY",), nse_equities=(), us_tickers=()
    )
    assert c[0].read_bytes() != a[0].read_bytes()

    spec = underlying_spec("NIFTY", "nse_index")
    series = [spot_and_vol(spec, DAY + timedelta(days=i)) for i in range(60)]
    spots = np.array([s for s, _ in series])
    vols = np.array([v for _, v in series])
    assert np.abs(np.diff(np.log(spots))).max() < 0.06  # daily moves, not jumps
    assert len(set(spots)) > 50 and vols.std() > 0
    assert 0.5 * spec.base_vol < vols.min() and vols.max() < 2.5 * spec.base_vol
    # A later date does not change an earlier one (history is stable as the calendar advances).
    assert spot_and_vol(spec, DAY) == series[0]


def test_the_demo_setting_names_exactly_the_chains_written(tmp_path) -> None:
    """What `vp demo` sets as VP_OPTION_UNDERLYINGS: every chain it names is in the mirror, on the NSE endpoint
    the platform picks for it, and nothing else is."""
    written = write_option_chains(tmp_path, DAY)
    setting = UnderlyingsSetting.parse(option_underlyings_setting())
    assert setting.explicit == {"nse": ("NIFTY", "BANKNIFTY", "RELIANCE"), "us": DEFAULT_US_TICKERS}
    client = HttpClient(source_root=tmp_path)
    for market, symbols in setting.explicit.items():
        for target in chain_targets(market, symbols):
            assert target.fetch(client, "key"), target
    first_pages = [p for p in written if "cursor=" not in p.name]
    assert len(first_pages) == 3 + len(DEFAULT_US_TICKERS)
