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


{#- The same for a model of another domain read here (dbt still orders the two): when it has not been built in
    this warehouse (a run of this domain alone), an empty relation of the same columns. -#}
{% macro ref_or_empty(model_name, columns) %}
    {%- set relation = ref(model_name) -%}
    {%- if execute and adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        (select {% for name, type in columns.items() %}null::{{ type }} as {{ name }}{{ ", " if not loop.last }}{% endfor %} where false) as {{ model_name }}
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{% endmacro %}
