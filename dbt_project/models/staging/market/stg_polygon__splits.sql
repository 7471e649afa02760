-- Stock splits from Polygon /v3/reference/splits: split_from old shares became split_to new shares on
-- execution_date (a 4-for-1 split is 1 -> 4; a 1-for-10 reverse split 10 -> 1).
select
    ticker,
    execution_date,
    split_from,
    split_to,
    split_to / split_from as split_ratio,
    _fetched_at
from {{ source('market', 'polygon_splits') }}
