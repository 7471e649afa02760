"""Valuation steps (Dagster-free): statement and price loads, valuation and attribution runs."""
