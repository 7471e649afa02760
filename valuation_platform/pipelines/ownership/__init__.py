"""Ownership loads (Form 4 insider trades, 13F holdings) and the current-filings feed cursor.

Dagster-free glue between the SEC clients and the warehouse, so the assets under
``defs/ownership`` stay thin and the sensor's cursor logic is testable on its own.
"""
