{#- Issuer/company names compared across sources: upper case, punctuation to spaces, blanks collapsed
    ("Amazon.com, Inc." and "AMAZON COM INC" both become AMAZON COM INC). -#}
{% macro normalized_name(column) -%}
    trim(regexp_replace(upper({{ column }}), '[^A-Z0-9]+', ' ', 'g'))
{%- endmacro %}
