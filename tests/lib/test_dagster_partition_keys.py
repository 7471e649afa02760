"""Kept partition-key lists (lib/dagster_partition_keys.py) against Dagster's own listing, on our definitions."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from dagster._core.definitions.partitions.definition.time_window import TimeWindowPartitionsDefinition

from valuation_platform.lib import partitions
from valuation_platform.lib.dagster_partition_keys import _kept, keep_partition_keys

NEW_YORK, KOLKATA = ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")
DEFINITIONS = {
    "us_trading_days": partitions.US_TRADING_DAYS,  # weekdays minus NYSE holidays, end_offset=1
    "sec_filing_days": partitions.SEC_FILING_DAYS,
    "options_daily": partitions.OPTIONS_DAILY,
    "india_trading_days": partitions.INDIA_TRADING_DAYS,
    "india_macro_months": partitions.INDIA_MACRO_MONTHS,
    "thirteenf_quarters": partitions.THIRTEENF_QUARTERS,
}
TIMES = [
    datetime(2026, 11, 19, 23, 59, 59, tzinfo=NEW_YORK),  # a second before Friday's partition exists
    datetime(2026, 11, 20, 0, 0, 1, tzinfo=NEW_YORK),
    datetime(2026, 11, 27, 12, 0, tzinfo=NEW_YORK),  # the day after Thanksgiving (NYSE open, federal holiday)
    datetime(2026, 12, 31, 23, 30, tzinfo=KOLKATA),
    datetime(2003, 6, 1, tzinfo=UTC),  # before every start: no keys
]


@pytest.fixture(scope="module")
def original():
    keep_partition_keys()
    keep_partition_keys()  # idempotent: one layer, Dagster's own function beneath it
    kept = TimeWindowPartitionsDefinition.get_partition_keys
    assert kept.repaired and not getattr(kept.original, "repaired", False)
    return kept.original


@pytest.mark.parametrize("name", DEFINITIONS)
def test_every_list_is_dagsters_own(name, original) -> None:
    definition = DEFINITIONS[name]
    for now in TIMES:
        expected = original(definition, now)
        assert definition.get_partition_keys(now) == expected, now
        assert definition.get_partition_keys(now) == expected, now  # the kept answer
    assert definition.get_partition_keys() == original(definition)  # now, from the loading context


def test_a_new_partition_is_listed_and_callers_own_their_lists(original) -> None:
    days = partitions.US_TRADING_DAYS
    thursday = days.get_partition_keys(TIMES[0])
    thursday.append("not a key")  # a caller's list is its own
    assert days.get_partition_keys(TIMES[0])[-1] == "2026-11-19"
    # end_offset=1: from midnight New York the day's session is listed
    friday = days.get_partition_keys(TIMES[1])
    assert friday[-1] == "2026-11-20" and friday[:-1] == thursday[:-1] == original(days, TIMES[0])
    assert "2026-11-26" not in days.get_partition_keys(TIMES[2])  # Thanksgiving: an exclusion stays excluded


def test_a_list_is_kept_only_when_it_ends_at_the_last_window() -> None:
    calls: list[datetime | None] = []

    def listing(self, current_time=None, dynamic_partitions_store=None):  # type: ignore[no-untyped-def]
        calls.append(current_time)
        return ["2026-11-18"] if len(calls) == 1 else ["2026-11-18", "2026-11-19"]

    keys = _kept(listing)
    days = partitions.US_TRADING_DAYS
    # the first answer ends a window early (as when midnight passes during the call): answered, not kept
    assert keys(days, TIMES[0]) == ["2026-11-18"]
    assert keys(days, TIMES[0]) == ["2026-11-18", "2026-11-19"]
    assert keys(days, TIMES[0]) == ["2026-11-18", "2026-11-19"]
    assert len(calls) == 2  # the third came from the kept list
