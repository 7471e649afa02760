{#- One staging shape for the three raw India macro release tables (API, market feeds, dropped files):
    they share their columns; `loaded_from` says which path a release came in by. -#}
{% macro stg_india_macro_releases(table_name, loaded_from) %}
with releases as (
    select * from {{ source('india', table_name) }}
)

select
    '{{ loaded_from }}'::text as loaded_from,
    source,
    series_id,
    series_name,
    geography,
    sector,
    frequency,
    ref_period,
    value,
    unit,
    released_at,
    document,
    _fetched_at
from releases
{% endmacro %}

{#- Whether a series' unit says its values are already percentages (so changes are in percentage points). -#}
{% macro is_percent_unit(unit) -%}
    (lower(trim({{ unit }})) in ('percent', '%', 'per cent') or lower({{ unit }}) like 'percent %')
{%- endmacro %}

{#- The sign of a driver's move from `previous` to `current` outside its STABLE band (the driver hierarchy's
    rule, analytics/india/driver_hierarchy.direction: max(0.05, 0.5% of |previous|)): 1, -1, 0 inside the
    band, NULL when either is missing. -#}
{% macro stable_sign(current, previous) -%}
    case
        when {{ current }} is null or {{ previous }} is null then null
        when abs({{ current }} - {{ previous }}) <= greatest(0.05, 0.005 * abs({{ previous }})) then 0
        else sign({{ current }} - {{ previous }})::integer
    end
{%- endmacro %}

{#- The columns that say which driver a row is about (fct_drivers' identity), from the relation `alias`. -#}
{% macro driver_identity(alias) -%}
    {{ alias }}.driver_key,
    {{ alias }}.driver_level,
    {{ alias }}.valuation_group,
    {{ alias }}.valuation_subgroup,
    {{ alias }}.company,
    {{ alias }}.driver_category,
    {{ alias }}.driver_name
{%- endmacro %}
