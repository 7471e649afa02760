-- Which universe companies an event names, by NSE symbol or by company name, on word boundaries (\m \M).
-- False positives are kept out three ways: a symbol matches case-sensitively as an upper-case word, only with
-- 3+ letters and never when it is a common acronym (seed intelligence_tag_stopwords: "RBI", "GST", "IPO");
-- a name matches case-insensitively but only as the whole name without its Ltd./Limited suffix and only when
-- that is 5+ characters ("Larsen & Toubro", not "ITC" as a word inside another).
with events as (
    select event_id, title || ' ' || coalesce(summary, '') as body
    from {{ ref('int_intelligence__events') }}
),

stopwords as (
    select word from {{ ref('intelligence_tag_stopwords') }}
),

companies as (
    select
        nse_symbol,
        valuation_group,
        valuation_subgroup,
        regexp_replace(nse_symbol, '([.^$*+?()\[\]{}|\\])', '\\\1', 'g') as symbol_pattern,
        regexp_replace(
            regexp_replace(name, '\s*(ltd\.?|limited)\s*$', '', 'i'),
            '([.^$*+?()\[\]{}|\\])', '\\\1', 'g'
        ) as name_pattern,
        length(regexp_replace(name, '\s*(ltd\.?|limited)\s*$', '', 'i')) as name_length
    from {{ ref('dim_india_company') }}
    where nse_symbol is not null
),

symbol_matches as (
    select events.event_id, companies.nse_symbol, 'symbol' as matched_by
    from events
    join companies
        on length(companies.nse_symbol) >= 3
        and companies.nse_symbol not in (select word from stopwords)
        and events.body ~ ('\m' || companies.symbol_pattern || '\M')
),

name_matches as (
    select events.event_id, companies.nse_symbol, 'name' as matched_by
    from events
    join companies
        on companies.name_length >= 5
        and events.body ~* ('\m' || companies.name_pattern || '\M')
),

matches as (
    select event_id, nse_symbol, min(matched_by) as matched_by
    from (select * from symbol_matches union all select * from name_matches) as found
    group by event_id, nse_symbol
)

select
    matches.event_id,
    matches.nse_symbol,
    matches.matched_by,
    companies.valuation_group,
    companies.valuation_subgroup
from matches
join companies on companies.nse_symbol = matches.nse_symbol
