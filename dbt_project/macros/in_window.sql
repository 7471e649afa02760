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
