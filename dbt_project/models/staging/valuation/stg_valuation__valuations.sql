select
    nse_symbol, valuation_date, scenario, model, valuation_group, valuation_subgroup, valuation_frequency,
    intrinsic_value_per_share, cmp, price_date, upside_pct, wacc, cost_of_equity, terminal_growth,
    forecast_years, statements_as_of, revenue, growth_start, ebit_margin, reinvestment_rate, tax_rate,
    risk_free, beta, equity_risk_premium, cost_of_debt, debt_weight, cash, debt, diluted_shares,
    book_value, roe, payout_ratio,
    _fetched_at as _loaded_at
from {{ source('valuation_analytics', 'valuations') }}
