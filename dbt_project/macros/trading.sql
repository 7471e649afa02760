{#- Another domain's table read here: when it does not exist yet in this warehouse (that domain never ran, or
    this domain runs alone), an empty relation of the same columns instead, so the reading domain still builds
    (a domain whose source is missing fails alone). `columns`: name -> Postgres type. -#}
{% macro relation_or_empty(relation, alias, columns) %}
    {%- if execute and adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        (select {% for name, type in columns.items() %}null::{{ type }} as {{ name }}{{ ", " if not loop.last }}{% endfor %} where false) as {{ alias }}
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{% endmacro %}

{#- A raw table of another domain (its Python asset never ran here). -#}
{% macro source_or_empty(source_name, table_name, columns) %}
    {{- relation_or_empty(source(source_name, table_name), table_name, columns) -}}
{% endmacro %}

{#- A model of another domain (dbt still orders the two; a run of this domain alone has not built it). -#}
{% macro ref_or_empty(model_name, columns) %}
    {{- relation_or_empty(ref(model_name), model_name, columns) -}}
{% endmacro %}
