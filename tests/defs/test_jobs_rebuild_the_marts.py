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
                         "fct_insider_trades", "fct_ic_scores", "fct_ic_score_quality", "fct_analyst_consensus",
                         "fct_news_sentiment_summary", "fct_insider_activity", "fct_institutional_ownership"},
    "treasury_daily_job": {"fct_treasury_ledger", "fct_treasury_clawbacks", "fct_treasury_reconciliation"},
    "guardrails_job": {"fct_guardrail_results", "fct_trade_card_decisions"},
    "learning_weekly_job": {"fct_trade_outcomes", "fct_playbook_performance", "fct_meta_label_proposals"},
    "workbook_edits_job": {"fct_discovered_drivers"},
    "trading_flows_job": {"fct_institutional_flows", "fct_fpi_depository_flows"},
    "trading_symbols_job": {"dim_nse_symbol", "fct_nse_symbol_mismatches"},
}
INTERMEDIATES = {  # job -> intermediate tables its marts read, rebuilt before them in the same run
    "trading_flows_job": {"int_trading__flow_windows"},
    "trading_symbols_job": {"int_trading__index_membership", "int_trading__bhavcopy_isins"},
    "scores_daily_job": {"int_market__us_sessions"},
}


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return build_defs()


@pytest.mark.parametrize("job_name", sorted(EXPECTED))
def test_the_domain_job_rebuilds_its_marts_with_one_partitions_definition(defs, job_name) -> None:
    job = defs.resolve_job_def(job_name)  # resolving fails on a selection mixing partitions definitions
    selected = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert {f"marts/{mart}" for mart in EXPECTED[job_name]} <= selected
    assert {f"intermediate/{table}" for table in INTERMEDIATES.get(job_name, ())} <= selected


def test_every_dbt_table_is_rebuilt_by_some_job(defs) -> None:
    """Every intermediate and mart (tables; staging views read their tables live, seeds change with the code)
    is selected by at least one job, so schedules and sensors keep it current."""
    graph = defs.resolve_asset_graph()
    in_a_job = {key for job in defs.jobs or [] for key in defs.resolve_job_def(job.name).asset_layer.selected_asset_keys}
    tables = {key for key in graph.materializable_asset_keys
              if graph.get(key).tags.get("layer") in ("intermediate", "marts")}
    assert len(tables) > 60
    assert sorted(key.to_user_string() for key in tables - in_a_job) == []
