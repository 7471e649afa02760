"""Where the managers' workbook lives and how the digest is delivered; every value through dg.EnvVar.

* Google Sheets when ``VP_GSHEETS_SPREADSHEET_KEY`` and a service account's JSON key
  (``VP_GSHEETS_CREDENTIALS_JSON``) are set; ``VP_GSHEETS_URL`` points gspread at another endpoint (an
  emulator, the tests' loopback fake). Otherwise the local workbook ``VP_WORKBOOK_PATH`` (default
  ``data/workbook/valuation_workbook.xlsx``, git-ignored).
* The digest goes by SMTP when ``VP_SMTP_HOST`` is set (``VP_SMTP_PORT``, ``VP_SMTP_USER``,
  ``VP_SMTP_PASSWORD``, ``VP_SMTP_STARTTLS``, ``VP_DIGEST_FROM``, ``VP_DIGEST_TO`` comma-separated), else
  to an HTML file in ``VP_DIGEST_DIR`` (default ``data/workbook/digests``).
"""

import os
from pathlib import Path

import dagster as dg

from valuation_platform.pipelines.workbook.backends import SheetsBackend, WorkbookBackend, XlsxBackend
from valuation_platform.pipelines.workbook.digest import SmtpSettings
from valuation_platform.sources.gsheets.client import SheetsClient

DATA = Path(__file__).resolve().parents[3] / "data" / "workbook"


class WorkbookResource(dg.ConfigurableResource):
    spreadsheet_key: str | None = None
    credentials_json: str | None = None
    endpoint: str | None = None
    local_path: str | None = None

    @property
    def uses_sheets(self) -> bool:
        return bool(self.spreadsheet_key and (self.credentials_json or self.endpoint))

    def backend(self) -> WorkbookBackend:
        if self.uses_sheets:
            return SheetsBackend(SheetsClient(self.spreadsheet_key or "", credentials_json=self.credentials_json,
                                              endpoint=self.endpoint))
        return XlsxBackend(Path(self.local_path) if self.local_path else DATA / "valuation_workbook.xlsx")


class DigestResource(dg.ConfigurableResource):
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    sender: str | None = None
    recipients: str | None = None
    out_dir: str | None = None

    def smtp(self) -> SmtpSettings | None:
        if not self.smtp_host:
            return None
        return SmtpSettings(host=self.smtp_host, port=self.smtp_port, user=self.smtp_user or None,
                            password=self.smtp_password or None, sender=self.sender or "",
                            recipients=tuple(r.strip() for r in (self.recipients or "").split(",") if r.strip()),
                            starttls=self.smtp_starttls)

    def directory(self) -> Path:
        return Path(self.out_dir) if self.out_dir else DATA / "digests"


def _env(name: str) -> dg.EnvVar | None:
    return dg.EnvVar(name) if os.environ.get(name) else None


@dg.definitions
def workbook_resources() -> dg.Definitions:
    port = os.environ.get("VP_SMTP_PORT")
    starttls = os.environ.get("VP_SMTP_STARTTLS")
    return dg.Definitions(resources={
        "workbook": WorkbookResource(
            spreadsheet_key=_env("VP_GSHEETS_SPREADSHEET_KEY"), credentials_json=_env("VP_GSHEETS_CREDENTIALS_JSON"),
            endpoint=_env("VP_GSHEETS_URL"), local_path=_env("VP_WORKBOOK_PATH")),
        "digest": DigestResource(
            smtp_host=_env("VP_SMTP_HOST"), smtp_port=dg.EnvVar.int("VP_SMTP_PORT") if port else 587,
            smtp_user=_env("VP_SMTP_USER"), smtp_password=_env("VP_SMTP_PASSWORD"),
            smtp_starttls=starttls.strip().lower() not in {"0", "false", "no"} if starttls else True,
            sender=_env("VP_DIGEST_FROM"), recipients=_env("VP_DIGEST_TO"), out_dir=_env("VP_DIGEST_DIR")),
    })
