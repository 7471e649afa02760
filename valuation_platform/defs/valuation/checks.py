"""Valuation asset checks: what the statement and bhavcopy loads quarantined (dbt tests cover the marts)."""

from valuation_platform.defs.valuation.assets import india_statements, nse_bhavcopy
from valuation_platform.lib.checks import quarantine_check

india_statements_quarantine = quarantine_check(india_statements, what="files and figures")
nse_bhavcopy_quarantine = quarantine_check(nse_bhavcopy, what="files and rows")
