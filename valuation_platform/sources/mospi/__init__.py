"""MOSPI (India's statistics ministry): CPI, IIP, WPI, national accounts (GDP/GVA) and PLFS.

One declarative :class:`~.release.ReleaseSpec` per release type (``CPI``, ``IIP``, ``WPI``,
``NATIONAL_ACCOUNTS``, ``PLFS``): its API endpoint and parameters, its measures, how a record names its
series and period, and how the published table layout becomes records. One record parser
(:meth:`~.release.ReleaseSpec.parse`) reads the eSankhyiki API's JSON, long CSV exports and the
published tables alike, returning the long macro rows described in :mod:`.series`. :mod:`.client`
fetches from ``https://api.mospi.gov.in/api/...`` through the shared HTTP layer (live or mirror).
"""

from valuation_platform.sources.mospi.client import (
    ENDPOINTS,
    SPECS,
    fetch_mospi_release,
    fetch_mospi_rows,
    mospi_url,
    parse_mospi_release,
    release_params,
)
from valuation_platform.sources.mospi.cpi import parse_cpi
from valuation_platform.sources.mospi.iip import parse_iip
from valuation_platform.sources.mospi.national_accounts import parse_national_accounts
from valuation_platform.sources.mospi.plfs import parse_plfs
from valuation_platform.sources.mospi.series import MACRO_ROW_KEYS, latest_release
from valuation_platform.sources.mospi.wpi import parse_wpi

__all__ = [
    "ENDPOINTS",
    "MACRO_ROW_KEYS",
    "SPECS",
    "fetch_mospi_release",
    "fetch_mospi_rows",
    "latest_release",
    "mospi_url",
    "parse_cpi",
    "parse_iip",
    "parse_mospi_release",
    "parse_national_accounts",
    "parse_plfs",
    "parse_wpi",
    "release_params",
]
