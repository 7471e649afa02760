"""Partition definitions shared across defs/ (they are not definitions themselves, so they live here)."""

from __future__ import annotations

import dagster as dg

# One partition per US company (ticker), fed by the universe asset; ~4,600 keys, under the UI's comfort limit.
SEC_COMPANIES = dg.DynamicPartitionsDefinition(name="sec_companies")
