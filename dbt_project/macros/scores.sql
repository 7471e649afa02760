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

{#- Pre-hook of fct_ic_score_quality's incremental runs: delete the table's last `lookback` score dates, which the
    run then computes again from upstream (with the dates not held yet), in the same transaction. -#}
{% macro delete_recent_score_dates(lookback) -%}
  {%- if is_incremental() -%}
    delete from {{ this }} where score_date >= (
        select min(score_date) from (
            select distinct score_date from {{ this }} order by score_date desc limit {{ lookback }}) as recent)
  {%- endif -%}
{%- endmacro %}
