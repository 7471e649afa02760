{#- Generic tests written here because dbt hub packages (dbt_utils) cannot be installed. -#}

{#- `window_column`: on a daily incremental mart, the column its pre-hook deletes the window by (delete_window),
    part of the key. A daily run checks the rows it rewrote (one session, not the whole history: 2-4 s a mart at
    the seeds' scale); a build without a window checks every row. Rows of other dates cannot collide with the
    window's: the key holds the date. (A mart's first build writes its whole history; in a windowed backfill only
    the window's part of it is checked, as in any later run.) Read only when executing, so the window is not part
    of dbt's parse, which would re-parse the yml on every new window. -#}
{% test unique_combination_of_columns(model, combination_of_columns, window_column=none) %}
select {{ combination_of_columns | join(', ') }}, count(*) as n_rows
from {{ model }}
{%- if window_column and execute %}
where {{ in_window(window_column) }}
{%- endif %}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}

{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and (
    false
    {% if min_value is not none %} or {{ column_name }} < {{ min_value }} {% endif %}
    {% if max_value is not none %} or {{ column_name }} > {{ max_value }} {% endif %}
  )
{% endtest %}

{% test expression_is_true(model, expression) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}
