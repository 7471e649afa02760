{#- The as-of dates of a point-in-time mart (one row per ticker and NYSE session): the run's window
    (in_window); when no window applies (a plain build, or an incremental model's first build), every
    session up to ``latest`` (an expression: the newest date the mart's inputs hold), so a full build does not
    run past the data into the calendar's future. -#}
{% macro as_of_sessions(latest) -%}
    select session_date as as_of_date
    from {{ ref('int_market__us_sessions') }}
    where {{ in_window('session_date') }}
    {%- if not window_applies() %}
      and session_date <= {{ latest }}
    {%- endif %}
{%- endmacro %}
