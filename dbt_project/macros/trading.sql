{#- A source read by another domain's models: when its raw table does not exist yet (that domain's asset
    never ran in this warehouse), an empty relation of the same columns instead, so the reading domain still
    builds (a domain whose source is missing fails alone). `columns`: name -> Postgres type. -#}
{% macro source_or_empty(source_name, table_name, columns) %}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute and adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        (select {% for name, type in columns.items() %}null::{{ type }} as {{ name }}{{ ", " if not loop.last }}{% endfor %} where false) as {{ table_name }}
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{% endmacro %}
