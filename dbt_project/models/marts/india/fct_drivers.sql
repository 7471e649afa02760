-- The valuation-driver hierarchy as it stands: MACRO, GROUP, SUBGROUP and COMPANY drivers with their
-- current value, direction and the last change (updated_at, updated_by). The staging view already
-- holds exactly the published columns (documented in _india__models.yml); this is its BI table.
select * from {{ ref('stg_india__drivers') }}
