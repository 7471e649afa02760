"""When portfolio analytics refresh: nightly after the US close, and when a landing file changes.

``portfolio_nightly`` replaces the Railway cron that ran the batch orchestrator: weekdays 19:30 New York
(after the 18:00-19:00 market-data run has landed the session's bars), one run of the session with every
phase; NYSE holidays are skipped. ``portfolio_landing_files`` re-loads positions (and targets/tags) when
a file in the landing folder is new or changed, then recomputes the latest session's snapshots.
"""

import dagster as dg

from valuation_platform.defs.dbt.assets import marts
from valuation_platform.defs.portfolio.assets import PHASES, fred_dgs10, portfolio_positions, portfolio_target_prices
from valuation_platform.lib.partitions import US_TRADING_DAYS
from valuation_platform.lib.landing import landing_sensor
from valuation_platform.lib.policies import schedule_status
from valuation_platform.pipelines.portfolio.landing import fingerprint
from valuation_platform.sources.market_calendar import is_us_trading_day

portfolio_nightly_job = dg.define_asset_job(
    "portfolio_nightly_job",
    # the phases, then everything of the domain downstream of them: the marts BI reads and the assets that read
    # those marts (activity, insights, stress tests); no other job rebuilds them
    selection=(dg.AssetSelection.assets(*PHASES).downstream() & dg.AssetSelection.groups("portfolio"))
    | marts("fct_target_prices"),  # after the scores job (19:00) rebuilt fct_daily_prices, which it reads
    partitions_def=US_TRADING_DAYS,
    description="Every analytics phase of one or more NYSE sessions and the portfolio marts, in dependency order.",
)
portfolio_inputs_job = dg.define_asset_job(
    "portfolio_inputs_job",
    selection=dg.AssetSelection.assets(portfolio_positions, portfolio_target_prices, fred_dgs10),
    description="Positions, targets and tags from the landing folder, and DGS10.",
)


@dg.schedule(job=portfolio_nightly_job, cron_schedule="30 19 * * 1-5", execution_timezone="America/New_York",
             description="Portfolio analytics after the close (19:30 New York), NYSE sessions only.",
             default_status=schedule_status())
def portfolio_nightly(context: dg.ScheduleEvaluationContext):
    session = context.scheduled_execution_time.date()
    if not is_us_trading_day(session):
        return dg.SkipReason(f"{session} is not a NYSE session")
    return dg.RunRequest(run_key=session.isoformat(), partition_key=session.isoformat())


portfolio_landing_files = landing_sensor(
    name="portfolio_landing_files",
    job=portfolio_inputs_job,
    folder=lambda resources: resources.portfolio.landing(resources.sources.source_root),
    fingerprint=fingerprint,
    resources={"portfolio", "sources"},
    description="Watches the portfolio landing folder (VP_PORTFOLIO_LANDING) for new or changed CSV files.",
)
