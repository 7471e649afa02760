{#- A run setting (the partition window, the scores selection): `--vars` when given (a manual dbt call, the
    tests), else the environment variable VP_DBT_<NAME> that Dagster sets for its dbt step (lib/dbt.py,
    run_env). Dagster passes them as environment variables because dbt re-parses the whole project whenever
    --vars change, while a changed env_var() re-parses only the files that read it. Empty = unset (none). -#}
{% macro run_var(name) -%}
  {%- set value = var(name, none) -%}
  {%- if value is none -%}
    {%- set value = env_var('VP_DBT_' ~ (name | upper), '') -%}
    {%- if value == '' %}{% set value = none %}{% endif -%}
  {%- endif -%}
  {{ return(value) }}
{%- endmacro %}
