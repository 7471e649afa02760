"""Dagster resources: the warehouse and the source settings. Values arrive through ``dg.EnvVar``."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property

import dagster as dg
import psycopg
from pydantic import PrivateAttr

from valuation_platform.sources.http import HttpClient
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect, resolve_settings
from valuation_platform.warehouse.settings import DEFAULT_DBNAME, DatabaseSettings
from valuation_platform.warehouse.tables import TableSpec


class WarehouseResource(dg.ConfigurableResource):
    """Postgres: ``database_url`` (VP_DATABASE_URL) or, when empty, the embedded server's ``dbname``."""

    database_url: str | None = None
    dbname: str = DEFAULT_DBNAME
    _settings: DatabaseSettings | None = PrivateAttr(default=None)

    @property
    def settings(self) -> DatabaseSettings:
        if self._settings is None:
            self._settings = resolve_settings(self.database_url or None, self.dbname)
        return self._settings

    @contextmanager
    def connect(self, tables: Sequence[TableSpec] = ()) -> Iterator[psycopg.Connection]:
        """A connection with the schemas and the given tables guaranteed to exist."""
        with connect(self.settings) as conn:
            ensure_tables(conn, tables)
            yield conn

    def export_dbt_env(self) -> None:
        """dbt reads its profile from the environment of the process that invokes it."""
        os.environ.update(self.settings.dbt_env())


class SourcesResource(dg.ConfigurableResource):
    """Where source bytes come from and who we say we are. Secrets only via EnvVar."""

    source_root: str | None = None  # VP_SOURCE_ROOT: unset = live hosts
    sec_user_agent: str | None = None  # VP_SEC_USER_AGENT
    polygon_api_key: str | None = None  # VP_POLYGON_API_KEY
    benzinga_api_key: str | None = None  # VP_BENZINGA_API_KEY
    tickers: str | None = None  # VP_TICKERS: comma-separated universe filter
    benchmark_tickers: str | None = None  # VP_BENCHMARK_TICKERS: ETFs whose bars are fetched with the universe
    max_retries: int = 5

    @cached_property
    def client(self) -> HttpClient:
        root = self.source_root or None
        return HttpClient(source_root=root, user_agent=self.sec_user_agent or None, max_retries=self.max_retries)

    @property
    def benchmark_list(self) -> list[str]:
        return [t.strip().upper() for t in (self.benchmark_tickers or "").split(",") if t.strip()]

    @property
    def ticker_filter(self) -> list[str]:
        return [t.strip().upper() for t in (self.tickers or "").split(",") if t.strip()]
