{#- The sum of `value` over the `n` rows ending on the current one (rows, not calendar days: a window over
    reporting dates or sessions skips the days with no report), null while fewer than `n` rows exist. -#}
{% macro trailing_sum(value, n, partition_by, order_by) -%}
    case when count(*) over ({{ trailing_frame(n, partition_by, order_by) }}) = {{ n }}
        then sum({{ value }}) over ({{ trailing_frame(n, partition_by, order_by) }}) end
{%- endmacro %}

{% macro trailing_frame(n, partition_by, order_by) -%}
    partition by {{ partition_by }} order by {{ order_by }} rows between {{ n - 1 }} preceding and current row
{%- endmacro %}
