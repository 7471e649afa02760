{% macro in_window(column) -%}
  {%- if var('window_start', none) is not none and var('window_end', none) is not none -%}
    {{ column }} between '{{ var("window_start") }}'::date and '{{ var("window_end") }}'::date
  {%- else -%} true {%- endif -%}
{%- endmacro %}
