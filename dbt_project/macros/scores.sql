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

{#- The tickers a scores run writes (scores_selected over dim_company's sectors), as a subquery: for the
    scores models that carry no sector column. -#}
{% macro scores_selected_tickers() -%}
  select company.ticker from {{ ref('dim_company') }} as company
  where {{ scores_selected('company.ticker', 'company.sector') }}
{%- endmacro %}

{#- ``column`` among the tickers a scores run writes; `true` when the run selects every ticker. -#}
{% macro scores_selected_tickers_in(column) -%}
  {%- if run_var('scores_tickers') or run_var('scores_sector') -%}
    {{ column }} in ({{ scores_selected_tickers() }})
  {%- else -%} true {%- endif -%}
{%- endmacro %}

{#- The config of a daily scores model keyed by (ticker, score_date): incremental on the US sessions (tag daily),
    its pre-hook deleting the window's rows (delete_window; `also`: the run's selection, as SQL text to render
    then) before delete+insert on the key writes them again. -#}
{% macro score_date_incremental(also) -%}
  {{ return({
      'materialized': 'incremental',
      'unique_key': ['ticker', 'score_date'],
      'incremental_strategy': 'delete+insert',
      'tags': ['daily'],
      'pre_hook': "{{ delete_window('score_date', " ~ also ~ ") }}",
      'indexes': [{'columns': ['ticker', 'score_date'], 'unique': True}],
  }) }}
{%- endmacro %}
