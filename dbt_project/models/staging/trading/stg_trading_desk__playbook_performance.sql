select
    playbook, strategy, exit_month, trades, win_rate, avg_win, avg_loss, expectancy, sharpe, max_drawdown,
    avg_holding_hours, total_pnl, _fetched_at as _loaded_at
from {{ source('trading_desk_analytics', 'playbook_performance') }}
