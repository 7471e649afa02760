{#- A measure's percentile among the session's peers (``scope``: extra partition columns, e.g. ', sector'):
    percent_rank over the non-NULL values (the share of peers strictly below, 0..1), 0.5 for a lone value,
    NULL without a value. -#}
{% macro scores_percentile(measure, scope) -%}
    case
        when {{ measure }} is null then null
        when count({{ measure }}) over (partition by score_date{{ scope }}) = 1 then 0.5
        else percent_rank() over (partition by score_date{{ scope }}, ({{ measure }} is null) order by {{ measure }})
    end
{%- endmacro %}
