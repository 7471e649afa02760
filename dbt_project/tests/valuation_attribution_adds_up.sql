-- Per company, valuation and measure, the contributions (interaction included) add up to the total change.
select nse_symbol, valuation_date, measure, sum(contribution) as summed, max(total_change) as total_change
from {{ ref('fct_valuation_attribution') }}
group by nse_symbol, valuation_date, measure
having abs(sum(contribution) - max(total_change)) > 1e-6 * greatest(1, abs(max(total_change)))
