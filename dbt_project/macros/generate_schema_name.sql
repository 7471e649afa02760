{#- Models land in exactly the schema they are configured with (staging, intermediate, marts), not
    "<target schema>_<custom>", so BI reads stable names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
