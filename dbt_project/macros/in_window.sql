{#- The daily partition window (run_var window_start / window_end, inclusive ISO dates) as a predicate on
    `column`; without them `true`, so a plain `dbt build` computes the whole history.
    An incremental model's FIRST build (its table does not exist yet, or --full-refresh) ignores the window
    and computes the whole history its inputs hold, the usual dbt idiom: a fresh warehouse's first daily run
    leaves marts with history (indicators, ratios across a split, scores' quality need it), and every later
    run rewrites only its window. Models that are not incremental always honour the window. -#}
{% macro window_applies() -%}
  {{ return(run_var('window_start') is not none and run_var('window_end') is not none
            and (model.config.materialized != 'incremental' or is_incremental())) }}
{%- endmacro %}

{% macro in_window(column) -%}
  {%- if window_applies() -%}
    {{ column }} between '{{ run_var("window_start") }}'::date and '{{ run_var("window_end") }}'::date
  {%- else -%} true {%- endif -%}
{%- endmacro %}

{#- `column` within the run's window widened by `days` before its start: the facts a trailing window ending on
    one of the window's days can reach. Without a window (a full build, an incremental model's first build)
    `true`, like in_window. -#}
{% macro in_window_reach(column, days) -%}
  {%- if window_applies() -%}
    {{ column }} between '{{ run_var("window_start") }}'::date - {{ days }} and '{{ run_var("window_end") }}'::date
  {%- else -%} true {%- endif -%}
{%- endmacro %}

{#- The rows of `relation` a window's days can look back to: those inside the window and each `key`'s last row
    before it (the row a day at the window's start sees as "the previous" or "the latest known"). Without a
    window, every row. -#}
{% macro window_and_last_before(relation, key, date_column) -%}
    select * from {{ relation }} where {{ in_window(date_column) }}
    {%- if window_applies() %}
    union all
    select earlier.* from {{ relation }} as earlier
    inner join (
        select {{ key }}, max({{ date_column }}) as {{ date_column }} from {{ relation }}
        where {{ date_column }} < '{{ run_var("window_start") }}'::date
        group by {{ key }}
    ) as last_before using ({{ key }}, {{ date_column }})
    {%- endif %}
{%- endmacro %}
