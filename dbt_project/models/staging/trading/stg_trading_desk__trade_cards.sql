select
    card_id, version, account, symbol, side, quantity, limit_price, playbook, sector, thesis, signal_at, catalyst_at,
    catalyst, submitted_at, tranche, planned_quantity, instrument, strategy, lot_size, expiry, legs, card_hash, document,
    _fetched_at as _loaded_at
from {{ source('trading_desk', 'trade_cards') }}
