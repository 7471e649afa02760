select
    trade_id, account, symbol, playbook, strategy, direction, quantity, entry_price, exit_price, opened_at, closed_at,
    exit_month, holding_hours, fees, pnl, return_pct, is_win, meta_score, _fetched_at as _loaded_at
from {{ source('trading_desk_analytics', 'trade_outcomes') }}
