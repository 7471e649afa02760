{#- C for calls, P for puts, whatever the source's label (NSE CE/PE, Polygon C/P). -#}
{% macro option_side(column) -%}
    case when {{ column }} in ('C', 'CE') then 'C' when {{ column }} in ('P', 'PE') then 'P' end
{%- endmacro %}
