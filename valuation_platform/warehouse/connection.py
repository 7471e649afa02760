"""One way to resolve and open the warehouse, used by the Dagster resource, the CLI and tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from valuation_platform.warehouse.settings import DEFAULT_DBNAME, DatabaseSettings


def resolve_settings(database_url: str | None, dbname: str = DEFAULT_DBNAME) -> DatabaseSettings:
    """``database_url`` when given (an external server), else the embedded server's ``dbname``."""
    if database_url:
        return DatabaseSettings.from_url(database_url)
    from valuation_platform.warehouse.embedded import embedded_settings

    return embedded_settings(dbname)


@contextmanager
def connect(settings: DatabaseSettings, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    with psycopg.connect(settings.url, autocommit=autocommit, application_name="valuation_platform") as conn:
        yield conn
