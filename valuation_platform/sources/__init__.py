"""External sources: one module (or package) per source, each an HTTP client plus a parser.

Nothing here imports Dagster. Every client goes through :mod:`valuation_platform.sources.http`,
so rate limits, retries and the live-or-mirror choice are the same for all of them.
"""
