{#- NULL instead of a division-by-zero error or a meaningless ratio over a zero denominator. -#}
{% macro safe_divide(numerator, denominator) -%}
    ({{ numerator }})::double precision / nullif(({{ denominator }})::double precision, 0)
{%- endmacro %}
