-- Investable companies left out of the universe, each with the reason and the row to fix in the file.
select * from {{ ref('stg_india__universe_rejected') }}
