{#- Pre-hook of the daily incremental models (tag:daily): delete the window's rows before the model inserts
    them again, in the same transaction. delete+insert on the unique key alone would keep a row the upstream
    no longer has (its key is not in the new batch); this makes the window's rows exactly what upstream
    holds now. ``also``: a further predicate, for runs that rebuild part of the window (one ticker). Without window vars the window is all history (in_window renders true): a full rewrite. -#}
{% macro delete_window(column, also=none) -%}
  {%- if is_incremental() -%}
    delete from {{ this }} where {{ in_window(column) }}{% if also %} and {{ also }}{% endif %}
  {%- endif -%}
{%- endmacro %}
