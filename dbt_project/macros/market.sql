{#- The technical-indicator columns written by analytics.indicators (INDICATOR_COLUMNS), in order. -#}
{% macro indicator_columns() -%}
    {{ return(['rsi_14', 'macd', 'macd_signal', 'macd_hist', 'sma_50', 'sma_200', 'ema_12', 'ema_26',
               'bb_upper', 'bb_middle', 'bb_lower', 'volume_sma_20',
               'return_1m', 'return_3m', 'return_6m', 'return_12m']) }}
{%- endmacro %}
