-- OLS market beta vs SPY (60/252 sessions) and rate beta vs DGS10 changes; position_id '__portfolio__' is the portfolio
select
    portfolio_id,
    trade_date,
    position_id,
    ticker,
    beta_60,
    alpha_60,
    r2_60,
    beta_stderr_60,
    beta_252,
    alpha_252,
    r2_252,
    beta_stderr_252,
    n_obs_60,
    n_obs_252,
    rate_beta,
    rate_beta_stderr,
    rate_r2,
    rate_n_obs
from {{ ref('stg_portfolio__betas') }}
