-- Per company, valuation, measure and basis (by input, by driver), the contributions (interaction included) add up to the total change.
select nse_symbol, valuation_date, measure, basis, sum(contribution) as summed, max(total_change) as total_change
from {{ ref('fct_valuation_attribution') }}
group by nse_symbol, valuation_date, measure, basis
having abs(sum(contribution) - max(total_change)) > 1e-6 * greatest(1, abs(max(total_change)))
