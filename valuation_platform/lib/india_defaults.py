"""Asset defaults shared by the India definitions (not definitions themselves)."""

from __future__ import annotations

from typing import Any

import dagster as dg

from valuation_platform.lib.runner import SAMPLE_DAYS_TAG

GROUP = "india"
OWNER = "team:india-research"
COMMON: dict[str, Any] = dict(group_name=GROUP, owners=[OWNER], kinds={"python", "postgres"})
NETWORK_RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
# The demo materializes 1,200 days of monthly partitions (39 reference months up to the sample's
# as-of date), so year-on-year changes and the drivers built on them have two years to work with.
SAMPLE_HISTORY = {SAMPLE_DAYS_TAG: "1200"}
