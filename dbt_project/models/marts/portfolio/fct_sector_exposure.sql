-- Sector exposure vs the S&P 500: set work over the snapshot phase's positions (SQL, not Python).
with positions as (
    select * from {{ ref('stg_portfolio__position_snapshots') }} where position_type <> 'CASH'
),
portfolios as (
    select portfolio_id, trade_date, nav from {{ ref('stg_portfolio__snapshots') }}
),
companies as (
    select ticker, sector from {{ ref('dim_company') }}
),
benchmark as (
    select sector, weight, as_of from {{ ref('sp500_sector_weights') }}
),
by_sector as (
    select
        positions.portfolio_id,
        positions.trade_date,
        coalesce(companies.sector, 'Broad market') as sector,
        sum(abs(positions.exposure)) as gross_exposure,
        sum(positions.exposure) as net_exposure
    from positions
    left join companies on companies.ticker = positions.ticker
    group by 1, 2, 3
)
select
    by_sector.portfolio_id,
    by_sector.trade_date,
    by_sector.sector,
    by_sector.gross_exposure,
    by_sector.net_exposure,
    by_sector.gross_exposure / nullif(sum(by_sector.gross_exposure) over (partition by by_sector.portfolio_id, by_sector.trade_date), 0) as gross_share,
    by_sector.net_exposure / nullif(portfolios.nav, 0) as net_weight,
    coalesce(benchmark.weight, 0) as benchmark_weight,
    by_sector.net_exposure / nullif(portfolios.nav, 0) - coalesce(benchmark.weight, 0) as active_weight,
    (select max(as_of) from benchmark) as benchmark_as_of
from by_sector
join portfolios using (portfolio_id, trade_date)
left join benchmark on benchmark.sector = by_sector.sector
