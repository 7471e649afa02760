-- Every valuation subgroup (and so every mapped industry) belongs to an active valuation group: a row here is a
-- subgroup under an unknown or inactive group, whose companies the universe would select but nothing values.
-- Shown in Dagster as a check on the subgroups seed (a singular test with two parents needs the ref).
{{ config(meta={'dagster': {'ref': {'name': 'india_valuation_subgroups'}}}) }}
select s.valuation_group, s.valuation_subgroup, g.is_active
from {{ ref('india_valuation_subgroups') }} s
left join {{ ref('india_valuation_groups') }} g using (valuation_group)
where g.is_active is distinct from true
