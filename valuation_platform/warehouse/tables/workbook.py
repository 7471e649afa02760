"""Tables of the managers' workbook: what the platform last wrote to the editable cells (the baseline a
manager's edit is diffed against), rows rolled off the workbook's 30-day tabs, and the queue of generated
social posts waiting for a manager (never posted by the platform)."""

from __future__ import annotations

from valuation_platform.warehouse.tables import TableSpec

POST_STATUSES = ("PENDING_APPROVAL", "APPROVED", "REJECTED")

WORKBOOK_SNAPSHOT = TableSpec(
    schema="analytics",
    name="workbook_snapshot",
    columns={
        "tab": "text not null",
        "row_key": "text not null",  # the row's key column (driver_key, discovery_id, post_id)
        "column_name": "text not null",  # an editable column
        "value": "text",  # as written, normalised (analytics.workbook.edits.cell_text)
        "written_at": "timestamptz not null",
    },
    key=("tab", "row_key", "column_name"),
    lineage=False,
    comment="The editable cells as the platform last wrote them: a cell differing from this is a manager's edit",
)

WORKBOOK_ARCHIVE = TableSpec(
    schema="analytics",
    name="workbook_archive",
    columns={
        "tab": "text not null",
        "row_key": "text not null",  # md5 of the row's cells: the same row archived twice is one row
        "row_date": "date not null",
        "cells": "jsonb not null",  # header -> value, as the workbook held it
        "archived_at": "timestamptz not null",
    },
    key=("tab", "row_key"),
    indexes=(("tab", "row_date"),),
    lineage=False,
    comment="Rows older than 30 days moved out of the workbook's rolling tabs (history, driver audit, events)",
)

SOCIAL_POSTS = TableSpec(
    schema="analytics",
    name="workbook_social_posts",
    columns={
        "post_id": "text not null",  # md5 of kind|subject|date
        "post_date": "date not null",
        "kind": "text not null",  # VALUATION_ALERT / OPPORTUNITY
        "subject": "text not null",  # NSE symbol
        "text": "text not null",
        "status": "text not null",  # PENDING_APPROVAL / APPROVED / REJECTED
        "reviewer": "text",
        "reviewed_at": "timestamptz",
        "generated_at": "timestamptz not null",
    },
    key=("post_id",),
    indexes=(("status",),),
    comment="Generated text posts from the day's valuation alerts and opportunities, for a manager to approve; "
    "the platform never posts them",
)

DIGESTS = TableSpec(
    schema="analytics",
    name="workbook_digests",
    columns={
        "digest_date": "date not null",
        "sent_at": "timestamptz not null",
        "delivery": "text not null",  # smtp <host>:<port> / file
        "recipients": "integer not null",
        "digest_path": "text",  # the HTML file, when written instead of sent
        "valuation_alerts": "integer not null",
        "materiality_alerts": "integer not null",
        "top_opportunities": "integer not null",
        "drivers_waiting_for_approval": "integer not null",
        "posts_waiting_for_approval": "integer not null",
        "html": "text not null",
    },
    key=("digest_date",),
    lineage=False,
    comment="Each day's digest as delivered (by SMTP or as a file), with what it counted",
)

WORKBOOK_TABLES = (WORKBOOK_SNAPSHOT, WORKBOOK_ARCHIVE, SOCIAL_POSTS, DIGESTS)
