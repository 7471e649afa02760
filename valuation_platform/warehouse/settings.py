"""Where the warehouse is: an explicit ``postgresql://`` URL, or the embedded server.

The URL is the single setting; libpq-style parts (host may be a unix-socket directory) are derived from
it for dbt's profile and for dagster-postgres, so every consumer sees the same database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from psycopg.conninfo import conninfo_to_dict

SCHEMAS = ("raw", "staging", "intermediate", "marts", "analytics")
DEFAULT_DBNAME = "valuation_platform"


def project_home() -> Path:
    """Folder for local state (embedded Postgres, Dagster home): ``VP_HOME`` or ``<repo>/.vp``."""
    if os.environ.get("VP_HOME"):
        return Path(os.environ["VP_HOME"]).expanduser().resolve()
    repo = Path(__file__).resolve().parents[2]
    if (repo / "pyproject.toml").is_file():
        return repo / ".vp"
    return Path.home() / ".valuation_platform"


@dataclass(frozen=True)
class DatabaseSettings:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_url(cls, url: str) -> "DatabaseSettings":
        parts = conninfo_to_dict(url)
        return cls(
            host=str(parts.get("host") or "localhost"),
            port=int(parts.get("port") or 5432),
            user=str(parts.get("user") or "postgres"),
            password=str(parts.get("password") or ""),
            dbname=str(parts.get("dbname") or DEFAULT_DBNAME),
        )

    @property
    def url(self) -> str:
        auth = quote(self.user, safe="") + (":" + quote(self.password, safe="") if self.password else "")
        if self.host.startswith("/"):  # unix socket directory goes in the query
            return f"postgresql://{auth}@/{self.dbname}?host={quote(self.host, safe='/')}&port={self.port}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.dbname}"

    @property
    def sqlalchemy_url(self) -> str:
        """For dagster-postgres, whose SQLAlchemy code needs the psycopg2 driver (SQLAlchemy 2.1 defaults to psycopg 3)."""
        return self.url.replace("postgresql://", "postgresql+psycopg2://", 1)

    def with_dbname(self, dbname: str) -> "DatabaseSettings":
        return DatabaseSettings(self.host, self.port, self.user, self.password, dbname)

    def dbt_env(self) -> dict[str, str]:
        """The variables ``dbt_project/profiles.yml`` reads."""
        return {
            "VP_PG_HOST": self.host,
            "VP_PG_PORT": str(self.port),
            "VP_PG_USER": self.user,
            "VP_PG_PASSWORD": self.password,
            "VP_PG_DBNAME": self.dbname,
        }

    def redacted(self) -> str:
        return self.url.replace(quote(self.password, safe=""), "***") if self.password else self.url
