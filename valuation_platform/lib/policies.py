"""Policies and `@dg.asset` defaults every domain shares, written once."""

from __future__ import annotations

import os
from typing import Any

import dagster as dg

# Network-bound assets: the HTTP layer already retries each request (429/5xx/timeouts); this retries the
# whole step later, when a source was down for longer than the client's own backoff.
NETWORK_RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
# The India valuation system's network steps keep the old xyOps pipelines' contract: 3 retries, 5 minutes apart
# (MOSPI and the market exports publish late more often than they fail).
INDIA_NETWORK_RETRY = dg.RetryPolicy(max_retries=3, delay=300)

DOMAIN_OWNERS: dict[str, str] = {
    "sec": "team:fundamentals",
    "market": "team:market-data",
    "sentiment": "team:research",
    "ownership": "team:ownership",
    "india": "team:india-research",
    "options": "team:derivatives",
    "valuation": "team:india-research",
    "scores": "team:research",
    "portfolio": "team:portfolio-risk",
    "trading": "team:trading-research",
    "intelligence": "team:research",
    "sheets": "team:india-research",
    "workbook": "team:india-research",
    "ops": "team:data-platform",
}


def asset_defaults(
    domain: str,
    *,
    partitions_def: dg.PartitionsDefinition | None = None,
    network: bool = False,
    kinds: set[str] | None = None,
    retry_policy: dg.RetryPolicy | None = None,
) -> dict[str, Any]:
    """`@dg.asset` keyword arguments for an asset of ``domain``: group, owner, kinds, partitions, retries.

    Partitioned assets always run a partition range as one run (a year's backfill is one run).
    """
    args: dict[str, Any] = dict(
        group_name=domain,
        owners=[DOMAIN_OWNERS[domain]],
        kinds=kinds or {"python", "postgres"},
    )
    if partitions_def is not None:
        args.update(partitions_def=partitions_def, backfill_policy=dg.BackfillPolicy.single_run())
    if network:
        args["retry_policy"] = retry_policy or NETWORK_RETRY
    return args


def is_production() -> bool:
    """``VP_ENV=production``: the deployment runs its schedules and sensors. Anywhere else (a laptop, CI)
    they start stopped, so opening the UI never launches runs by surprise."""
    return os.environ.get("VP_ENV", "").strip().lower() == "production"


def schedule_status(configured: bool = True) -> dg.DefaultScheduleStatus:
    """Running in production when its source is configured; stopped otherwise."""
    running = is_production() and configured
    return dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED


def sensor_status(configured: bool = True) -> dg.DefaultSensorStatus:
    running = is_production() and configured
    return dg.DefaultSensorStatus.RUNNING if running else dg.DefaultSensorStatus.STOPPED
