"""India generator: the classification file's shape, mirror paths the clients request, landing files."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from valuation_platform.generator.india import (
    ANCHORS,
    LANDING_MOSPI_FILES,
    UNMAPPED_SECTORS,
    india_companies,
    india_macro,
    write_india_data,
)
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.india.classification import parse_classification
from valuation_platform.sources.india.market import MARKET_FEEDS, fetch_market_feed, parse_market_csv
from valuation_platform.sources.mospi import (
    parse_cpi,
    parse_iip,
    parse_national_accounts,
    parse_plfs,
    parse_wpi,
)
from valuation_platform.sources.mospi.client import fetch_mospi_rows

SHARE = "https://market-exports.example.test/india-market"  # the exports have no public host: a test share


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("india")
    summary = write_india_data(root, n_companies=400, investable=150, months=30, seed=23, market_base_url=SHARE)
    return root, summary


def test_default_classification_matches_the_old_gem_file():
    rows = india_companies()
    assert len(rows) == 8054 and Counter(r["Investable"] for r in rows)["Y"] == 2160
    investable = [r for r in rows if r["Investable"] == "Y"]
    assert sum(1 for r in investable if not r["NSE Symbol"] and not r["Accord Code"]) == 12
    assert (
        sum(1 for r in investable if not r["NSE Symbol"] and r["Accord Code"]) > 10
    )  # BSE-only, still matchable
    assert sum(1 for r in investable if (r["cd_sector"], r["cd_industry"]) in UNMAPPED_SECTORS) > 50
    symbols = Counter(r["NSE Symbol"] for r in rows if r["NSE Symbol"])
    assert [s for s, n in symbols.items() if n > 1] and max(symbols.values()) == 2
    assert [r["NSE Symbol"] for r in rows[: len(ANCHORS)]] == [a[0] for a in ANCHORS]
    caps = sorted((r["Market Cap (Rs Cr)"] for r in rows if r["Market Cap (Rs Cr)"]), reverse=True)
    assert caps[0] == 1_900_000 and 15_000 < caps[99] < 80_000 and caps[-1] < 500
    bse = [r["BSE Code"] for r in rows if r["BSE Code"]]
    assert len(bse) == len(set(bse))
    assert india_companies(500, 100, seed=3) == india_companies(500, 100, seed=3)
    assert india_companies(500, 100, seed=3) != india_companies(500, 100, seed=4)


def test_macro_window_and_realism():
    macro = india_macro()
    assert (
        macro.months[0] == date(2021, 4, 1)
        and macro.months[-1] == date(2025, 3, 1)
        and len(macro.months) == 48
    )
    general = macro.cpi[("Combined", "General index")]
    yoy = [(general[m] / general[date(m.year - 1, m.month, 1)] - 1) * 100 for m in macro.months[12:]]
    assert all(3.5 < y < 7.5 for y in yoy)
    iip = macro.iip["General"]
    assert max(macro.months, key=lambda m: iip[m] if m.year == 2024 else 0).month == 3  # the March peak
    assert all(macro.cpi[("Rural", "Housing")][m] is None for m in macro.months)
    with pytest.raises(ValueError, match="25 months"):
        india_macro(months=12)


def test_mirror_answers_every_request_the_clients_make(written):
    root, summary = written
    client = HttpClient(source_root=root)
    assert set(summary.mospi_requests) == {"cpi", "iip", "wpi", "nas", "plfs"}
    rows = [
        row
        for product, requests in summary.mospi_requests.items()
        for params in requests
        for row in fetch_mospi_rows(client, product, params)
    ]
    rows += [row for feed in MARKET_FEEDS for row in fetch_market_feed(client, feed, base_url=SHARE)]
    assert len({r["series_id"] for r in rows}) > 150
    periods = {r["ref_period"] for r in rows if r["series_id"] == "cpi_combined_general_index"}
    assert len(periods) == 30 and max(periods) == date(2025, 3, 1)
    assert all(p.is_file() and p.is_relative_to(root) for p in summary.mirror_files)


def test_landing_files_parse_and_agree_with_the_api(written):
    root, summary = written
    landing = root / "landing" / "india"
    assert set(summary.landing_files) >= {
        landing / "classification" / "gem_classification.xlsx",
        landing / "classification" / "gem_classification.csv",
    }
    mospi = landing / "mospi"
    parsers = {
        "cpi": parse_cpi,
        "iip_use_based": parse_iip,
        "iip_sectoral": parse_iip,
        "wpi": parse_wpi,
        "nas": parse_national_accounts,
        "plfs": parse_plfs,
    }
    dropped = []
    for key, parse in parsers.items():
        dropped += parse(
            (mospi / LANDING_MOSPI_FILES[key]).read_bytes(), document=key, released_at=date(2025, 4, 30)
        )
    client = HttpClient(source_root=root)
    api = {
        (r["series_id"], r["ref_period"]): r["value"]
        for product, requests in summary.mospi_requests.items()
        for params in requests
        for r in fetch_mospi_rows(client, product, params)
    }
    # Every value in a dropped MOSPI file is the value the API serves for that series and period.
    assert len(dropped) > 3500
    assert all(api[(r["series_id"], r["ref_period"])] == r["value"] for r in dropped)
    market = [
        row
        for feed, spec in MARKET_FEEDS.items()
        for row in parse_market_csv(
            (landing / "market" / spec.file_name).read_bytes(), document=feed, feed=feed
        )
    ]
    mirrored = [row for feed in MARKET_FEEDS for row in fetch_market_feed(client, feed, base_url=SHARE)]
    assert market == mirrored
    companies = parse_classification(
        (landing / "classification" / "gem_classification.xlsx").read_bytes(), document="x"
    )
    assert len(companies) == summary.companies == 400 and sum(r["is_investable"] for r in companies) == 150


def test_deterministic_bytes(tmp_path):
    a = write_india_data(tmp_path / "a", n_companies=60, investable=40, months=25, seed=5)
    b = write_india_data(tmp_path / "b", n_companies=60, investable=40, months=25, seed=5)
    rel_a = {
        p.relative_to(tmp_path / "a"): p.read_bytes()
        for p in a.mirror_files + a.landing_files
        if p.suffix != ".xlsx"
    }
    rel_b = {
        p.relative_to(tmp_path / "b"): p.read_bytes()
        for p in b.mirror_files + b.landing_files
        if p.suffix != ".xlsx"
    }
    assert rel_a == rel_b and len(rel_a) > 20
    # Without a share named, the market files are in the landing folder only: no host is made up.
    assert {p.relative_to(tmp_path / "a").parts[0] for p in a.mirror_files} == {"api.mospi.gov.in"}
    assert {p.name for p in a.landing_files if p.parent.name == "market"} == {
        f.file_name for f in MARKET_FEEDS.values()
    }
