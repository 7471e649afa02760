-- Every verdict of every evaluated card version, with the card's identity beside it.
select
    g.card_id,
    g.version,
    c.account,
    c.symbol,
    c.side,
    c.playbook,
    c.instrument,
    g.rule,
    g.severity,
    g.observed,
    g.threshold,
    g.inputs,
    g.explanation,
    c.submitted_at,
    g.evaluated_at
from (select * from {{ ref('stg_trading_desk__guardrail_results') }}) as g
join (select * from {{ ref('stg_trading_desk__trade_cards') }}) as c on c.card_id = g.card_id and c.version = g.version
