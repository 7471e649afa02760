-- Quality-drift alerts with the proposed meta-label threshold; applied only when a human edits the playbooks seed
select
    {{ contract_columns() }}
from {{ ref('stg_trading_desk__meta_label_proposals') }}
