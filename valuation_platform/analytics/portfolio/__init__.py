"""Portfolio analytics: pure, vectorised numerics over (series x days) arrays. No Dagster, SQL or files.

Conventions (written down because peers disagree; see each module):

* Returns are simple daily returns on NYSE sessions; the time axis is the LAST axis of every array.
* Annualisation: 252 sessions (sqrt(252) for volatilities and Sharpe/Sortino).
* A portfolio's return history is back-cast from today's holdings: weights = signed delta-adjusted
  exposure / NAV, applied to the underlyings' past returns (the platform keeps no trade history).
"""

TRADING_DAYS = 252
