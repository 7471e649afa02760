{#- The seed CLI's one-ticker / one-sector runs: run_var `scores_tickers` (a list or comma-separated) and `scores_sector` restrict
    which rows a scores run writes (peers are still ranked from every stored input); unset = all. -#}
{% macro scores_selected(ticker_column, sector_column) -%}
  {%- set tickers = run_var('scores_tickers') -%}
  {%- set sector = run_var('scores_sector') -%}
  {%- if tickers is string %}{% set tickers = tickers.split(',') %}{% endif -%}
  (
    {%- if tickers %} {{ ticker_column }} in ({% for t in tickers %}'{{ t | trim | upper }}'{{ ", " if not loop.last }}{% endfor %}){% else %} true{% endif %}
    and {% if sector %}{{ sector_column }} = '{{ sector }}'{% else %}true{% endif -%}
  )
{%- endmacro %}
