{#- The daily partition window (dbt vars window_start / window_end, inclusive ISO dates) as a predicate on
    `column`; without the vars `true`, so a plain `dbt build` computes the whole history. -#}
{% macro in_window(column) -%}
  {%- if var('window_start', none) is not none and var('window_end', none) is not none -%}
    {{ column }} between '{{ var("window_start") }}'::date and '{{ var("window_end") }}'::date
  {%- else -%} true {%- endif -%}
{%- endmacro %}
