"""The driver chain's effects on model inputs, worked by hand (docs/valuation_models.md has the equations)."""

import polars as pl
import pytest

from valuation_platform.analytics.valuation.driver_effects import driver_effects

COLUMNS = ("driver_key", "driver_level", "valuation_group", "valuation_subgroup", "company", "driver_category",
           "driver_name", "series_id", "unit", "weight", "sensitivity", "base_value", "current_value",
           "previous_value")


def drivers(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame([dict(zip(COLUMNS, r)) for r in rows], schema_overrides={
        "weight": pl.Float64, "sensitivity": pl.Int64, "base_value": pl.Float64, "current_value": pl.Float64,
        "previous_value": pl.Float64, "company": pl.Utf8, "series_id": pl.Utf8, "valuation_group": pl.Utf8,
        "valuation_subgroup": pl.Utf8, "unit": pl.Utf8})


def test_effects_by_level_category_and_unit():
    chain = drivers(
        ("MACRO|interest_rate_10y", "MACRO", None, None, None, "RATES", "interest_rate_10y", "gsec10", "percent",
         0.12, None, 6.8, 7.1, 7.0),
        ("MACRO|gdp_growth", "MACRO", None, None, None, "GROWTH", "gdp_growth", "gdp", "percent", 0.1, None,
         6.5, 7.0, 6.0),
        ("MACRO|usd_inr", "MACRO", None, None, None, "FX", "usd_inr", "usdinr", "INR per USD", 0.05, None,
         85.0, 86.0, 85.0),
        # a group DEMAND driver reading the rupee's series: attributed to the MACRO driver
        ("GROUP|CONSUMER_DISCRETIONARY|gold_import_parity", "GROUP", "CONSUMER_DISCRETIONARY", None, None, "DEMAND",
         "gold_import_parity", "usdinr", "INR per USD", 0.2, 1, None, 86.0, 85.0),
        # a subgroup DEMAND driver in Rs/10g up 61%: clipped to +0.5
        ("SUBGROUP|CONSUMER_DISCRETIONARY|CONSUMER_JEWELLERY|gold_price_trend", "SUBGROUP", "CONSUMER_DISCRETIONARY",
         "CONSUMER_JEWELLERY", None, "DEMAND", "gold_price_trend", None, "Rs/10g", 0.3, 1, None, 124000.0, 77000.0),
        # a COST driver in percent, 2 points up
        ("SUBGROUP|CONSUMER_DISCRETIONARY|CONSUMER_JEWELLERY|hallmarking_cost", "SUBGROUP", "CONSUMER_DISCRETIONARY",
         "CONSUMER_JEWELLERY", None, "COST", "hallmarking_cost", None, "percent", 0.1, -1, None, 5.0, 3.0),
        # REGULATORY: no sign, no effect; a COMPANY driver of another company
        ("SUBGROUP|CONSUMER_DISCRETIONARY|CONSUMER_JEWELLERY|import_duty_gold", "SUBGROUP", "CONSUMER_DISCRETIONARY",
         "CONSUMER_JEWELLERY", None, "REGULATORY", "import_duty_gold", None, "percent", 0.1, None, None, 6.0, 15.0),
        ("COMPANY|CONSUMER_DISCRETIONARY|CONSUMER_JEWELLERY|KALYANKJIL|store_adds", "COMPANY", "CONSUMER_DISCRETIONARY",
         "CONSUMER_JEWELLERY", "KALYANKJIL", "DEMAND", "store_adds", None, "stores", 0.5, 1, None, 30.0, 20.0),
    )
    companies = pl.DataFrame({"nse_symbol": ["TITAN", "KALYANKJIL"],
                              "valuation_group": ["CONSUMER_DISCRETIONARY"] * 2,
                              "valuation_subgroup": ["CONSUMER_JEWELLERY"] * 2, "model": ["FCFF", "FCFF"]})
    out = driver_effects(chain, companies)
    got = {(r["nse_symbol"], r["driver_key"].split("|")[-1], r["input"]): (r["attributed_to"], r["effect"])
           for r in out.iter_rows(named=True)}
    # TITAN has no own drivers: shares group 0.4, subgroup 0.6.
    assert got[("TITAN", "interest_rate_10y", "risk_free")] == ("MACRO|interest_rate_10y", pytest.approx(0.071))
    assert got[("TITAN", "gdp_growth", "growth_start")][1] == pytest.approx((7.0 - 6.5) / 100)  # vs base, not previous
    # gold_import_parity: relative move (86 - 85) / 85, x 0.4 x 0.2 x +1 x 0.10, named by the rupee's MACRO driver
    assert got[("TITAN", "gold_import_parity", "growth_start")] == (
        "MACRO|usd_inr", pytest.approx(0.4 * 0.2 * (1 / 85) * 0.10))
    # gold price +61% clipped to 0.5: 0.6 x 0.3 x 0.5 x 0.10 = 0.009
    assert got[("TITAN", "gold_price_trend", "growth_start")][1] == pytest.approx(0.009)
    # a percent COST driver 2 points up: m = 0.2; 0.6 x 0.1 x -1 x 0.2 x 0.05 = -0.0006 of margin
    assert got[("TITAN", "hallmarking_cost", "ebit_margin")][1] == pytest.approx(-0.0006)
    assert not any(k[1] in ("import_duty_gold", "store_adds") for k in got if k[0] == "TITAN")
    # KALYANKJIL has its own driver: shares 0.25 / 0.35 / 0.40; store_adds +50% relative: 0.4 x 0.5 x 0.5 x 0.1
    assert got[("KALYANKJIL", "store_adds", "growth_start")] == (
        "COMPANY|CONSUMER_DISCRETIONARY|CONSUMER_JEWELLERY|KALYANKJIL|store_adds", pytest.approx(0.01))
    assert got[("KALYANKJIL", "gold_price_trend", "growth_start")][1] == pytest.approx(0.35 * 0.3 * 0.5 * 0.10)
    assert got[("KALYANKJIL", "gold_import_parity", "growth_start")][1] == pytest.approx(0.25 * 0.2 * (1 / 85) * 0.10)


def test_a_bank_moves_roe_and_nothing_without_drivers():
    chain = drivers(("GROUP|FINANCIALS|system_credit_growth", "GROUP", "FINANCIALS", None, None, "DEMAND",
                     "system_credit_growth", None, "percent", 0.25, 1, None, 11.5, 14.4))
    banks = pl.DataFrame({"nse_symbol": ["SBIN"], "valuation_group": ["FINANCIALS"],
                          "valuation_subgroup": ["FINANCIALS_BANKS"], "model": ["EXCESS_RETURN"]})
    (row,) = driver_effects(chain, banks).iter_rows(named=True)
    # credit growth 14.4% -> 11.5%: m = -2.9 / 10; 0.4 x 0.25 x +1 x -0.29 x 0.05 = -0.00145 of ROE
    assert row["input"] == "roe" and row["effect"] == pytest.approx(-0.00145)
    assert driver_effects(chain.clear(), banks).height == 0


def test_regulatory_and_operational_drivers_move_only_with_their_own_sign():
    chain = drivers(
        # unsigned: no effect (the curated REGULATORY/OPERATIONAL rows)
        ("SUBGROUP|FINANCIALS|FINANCIALS_NBFC|spread", "SUBGROUP", "FINANCIALS", "FINANCIALS_NBFC", None,
         "OPERATIONAL", "spread", None, "percent", 0.11, None, None, 2.3, 2.1),
        # a discovered REGULATORY driver with its sign: the LTV ceiling 75 -> 85 per cent, m = 10 / 10 = 1 -> 0.5
        ("SUBGROUP|FINANCIALS|FINANCIALS_NBFC|gold_loan_ltv_norms", "SUBGROUP", "FINANCIALS", "FINANCIALS_NBFC",
         None, "REGULATORY", "gold_loan_ltv_norms", None, "percent", 0.08, 1, None, 85.0, 75.0),
        # a signed OPERATIONAL driver: utilisation 80 -> 82 per cent, m = 0.2
        ("GROUP|FINANCIALS|branch_productivity", "GROUP", "FINANCIALS", None, None, "OPERATIONAL",
         "branch_productivity", None, "percent", 0.1, 1, None, 82.0, 80.0),
    )
    companies = pl.DataFrame({"nse_symbol": ["MUTHOOTFIN", "CHOLAFIN"], "valuation_group": ["FINANCIALS"] * 2,
                              "valuation_subgroup": ["FINANCIALS_NBFC"] * 2, "model": ["EXCESS_RETURN", "FCFF"]})
    got = {(r["nse_symbol"], r["driver_key"].split("|")[-1], r["input"]): r["effect"]
           for r in driver_effects(chain, companies).iter_rows(named=True)}
    assert got == {
        # a rule acts on volume: ROE for the excess-return model (0.05), growth for FCFF (0.10)
        ("MUTHOOTFIN", "gold_loan_ltv_norms", "roe"): pytest.approx(0.6 * 0.08 * 1 * 0.5 * 0.05),
        ("CHOLAFIN", "gold_loan_ltv_norms", "growth_start"): pytest.approx(0.6 * 0.08 * 1 * 0.5 * 0.10),
        # an operating driver on the margin (FCFF) or ROE, group share 0.4
        ("MUTHOOTFIN", "branch_productivity", "roe"): pytest.approx(0.4 * 0.1 * 1 * 0.2 * 0.05),
        ("CHOLAFIN", "branch_productivity", "ebit_margin"): pytest.approx(0.4 * 0.1 * 1 * 0.2 * 0.05),
    }
