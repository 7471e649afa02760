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
