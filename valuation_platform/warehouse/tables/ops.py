"""Platform-level tables: alerts raised by sensors (run failures, ...)."""

from __future__ import annotations

from valuation_platform.warehouse.tables import TableSpec

PLATFORM_ALERTS = TableSpec(
    schema="analytics",
    name="platform_alerts",
    columns={
        "alert_id": "text not null",
        "raised_at": "timestamptz not null",
        "kind": "text not null",
        "severity": "text not null",
        "subject": "text not null",
        "message": "text not null",
        "run_id": "text",
    },
    key=("alert_id",),
    lineage=False,
    comment="Alerts raised by the platform itself (run failures); digests and BI read them.",
)
