{#- The as-of dates of a point-in-time mart (one row per ticker and NYSE session): the run's window
    (in_window); without window vars, every session up to ``latest`` (an expression: the newest date the
    mart's inputs hold), so a full build does not run past the data into the calendar's future. -#}
{% macro as_of_sessions(latest) -%}
    select session_date as as_of_date
    from {{ ref('int_market__us_sessions') }}
    where {{ in_window('session_date') }}
    {%- if var('window_start', none) is none %}
      and session_date <= {{ latest }}
    {%- endif %}
{%- endmacro %}
