"""The loads' jobs land raw rows; a mart is only as fresh as the job that rebuilds it. Each mart below is
rebuilt by its domain's scheduled job (or the sensor-started SEC one), in the same run as the assets it reads."""

from __future__ import annotations

import dagster as dg
import pytest

from valuation_platform.definitions import build_defs

EXPECTED = {  # job -> marts it must rebuild
    "portfolio_nightly_job": {"fct_portfolio_snapshots", "fct_position_betas", "fct_portfolio_risk",
                              "fct_volatility_forecasts", "fct_portfolio_health", "fct_stress_tests",
                              "fct_portfolio_insights", "fct_factor_exposures", "fct_sector_exposure"},
    "us_option_chain_job": {"fct_option_chain", "fct_option_summary", "fct_option_strategies"},
    "nse_option_chain_job": {"fct_option_chain", "fct_option_summary", "fct_option_strategies"},
    "sec_marts_job": {"fct_financial_statements", "fct_financial_ratios"},
    "scores_daily_job": {"fct_daily_prices", "fct_technical_indicators", "fct_valuation_ratios", "fct_news_sentiment",
                         "fct_insider_trades", "fct_ic_scores", "fct_ic_score_quality"},
}


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return build_defs()


@pytest.mark.parametrize("job_name", sorted(EXPECTED))
def test_the_domain_job_rebuilds_its_marts_with_one_partitions_definition(defs, job_name) -> None:
    job = defs.resolve_job_def(job_name)  # resolving fails on a selection mixing partitions definitions
    selected = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert {f"marts/{mart}" for mart in EXPECTED[job_name]} <= selected
