{#- The columns a model's yml declares (its enforced contract), in that order: a mart that passes its
    staging model through selects exactly what it promises, and the column list is written once. -#}
{% macro contract_columns() -%}
    {%- for name in model.columns -%}
    {{ name }}{{ "," if not loop.last }}
    {% endfor -%}
{%- endmacro %}
