-- One row per evaluated card version: BLOCKED when any rule blocks, FLAGGED when its playbook is broken
-- (flagged before sizing), APPROVED otherwise; only an approved card is sized (its quantity).
with verdicts as (
    select
        card_id,
        version,
        count(*) filter (where severity = 'BLOCK') as blocks,
        count(*) filter (where severity = 'WARN' and rule <> 'playbook') as warnings,
        bool_or(rule = 'playbook' and severity <> 'INFO') as playbook_flagged,
        string_agg(rule, ',' order by rule) filter (where severity = 'BLOCK') as blocking_rules,
        string_agg(rule, ',' order by rule) filter (where severity = 'WARN') as warning_rules,
        max((inputs ->> 'pop')::double precision) filter (where rule = 'position_size') as option_pop,
        max((inputs ->> 'margin')::double precision) filter (where rule = 'position_size') as option_margin,
        max((inputs ->> 'max_loss')::double precision) filter (where rule = 'position_size') as option_max_loss,
        max(evaluated_at) as evaluated_at
    from {{ ref('stg_trading_desk__guardrail_results') }}
    group by card_id, version
),
decided as (
    select
        c.card_id,
        c.version,
        c.account,
        c.symbol,
        c.side,
        c.quantity,
        c.limit_price,
        c.playbook,
        c.instrument,
        c.submitted_at,
        case when v.blocks > 0 then 'BLOCKED' when v.playbook_flagged then 'FLAGGED' else 'APPROVED' end as state,
        v.blocks::integer as blocks,
        v.warnings::integer as warnings,
        v.blocking_rules,
        v.warning_rules,
        v.option_pop,
        v.option_margin,
        v.option_max_loss,
        v.evaluated_at
    from (select * from {{ ref('stg_trading_desk__trade_cards') }}) as c
    join verdicts v on v.card_id = c.card_id and v.version = c.version
)
select
    card_id, version, account, symbol, side, quantity, limit_price, playbook, instrument, submitted_at, state,
    case when state = 'APPROVED' then quantity else 0 end as approved_quantity,
    blocks, warnings, blocking_rules, warning_rules, option_pop, option_margin, option_max_loss, evaluated_at
from decided
