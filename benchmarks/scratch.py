"""What the benchmarks share: an empty scratch database on the embedded server, and a span of weekday sessions."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from valuation_platform.warehouse.embedded import drop_database, embedded_settings, ensure_database  # noqa: E402
from valuation_platform.warehouse.settings import DatabaseSettings  # noqa: E402


def scratch_database(name: str) -> DatabaseSettings:
    """``name`` on the embedded server, dropped and created empty."""
    admin = embedded_settings("postgres")
    drop_database(admin, name)
    ensure_database(admin, name)
    return admin.with_dbname(name)


def weekday_sessions(end: date, count: int) -> list[date]:
    """The last ``count`` weekdays up to ``end``, oldest first (holidays are not left out: synthetic data)."""
    days = (end - timedelta(days=i) for i in range(2 * count + 10))
    return sorted([d for d in days if d.weekday() < 5][:count])


def drop_scratch(db: DatabaseSettings) -> None:
    drop_database(embedded_settings("postgres"), db.dbname)
