"""Option strategies per expiry (``analytics.option_strategies``), built from the enriched chain."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
import psycopg

from valuation_platform.analytics.options.strategies import strategy_rows
from valuation_platform.pipelines.options.contracts import read_enriched
from valuation_platform.pipelines.options.frames import write_partitions
from valuation_platform.warehouse.tables.options import OPTION_STRATEGIES

SIDE_LABELS = {"CE": "C", "PE": "P"}  # legs speak the marts' C/P, whatever the source wrote


def strategies(enriched: pd.DataFrame) -> list[dict[str, Any]]:
    """``strategy_rows`` with the market and the legs/breakevens as JSON text (jsonb columns)."""
    if enriched.empty:
        return []
    market = dict(zip(enriched["underlying"], enriched["market"], strict=True))
    out = []
    for row in strategy_rows(enriched):
        legs = [leg | {"option_type": SIDE_LABELS.get(leg["option_type"], leg["option_type"])} for leg in row["legs"]]
        out.append(row | {"market": market[row["underlying"]], "legs": json.dumps(legs),
                          "breakevens": json.dumps(row["breakevens"])})
    return out


def build_strategies(conn: psycopg.Connection, partition_keys: Sequence[str]) -> dict[str, Any]:
    """The step: the strategies of the run's partitions."""
    return write_partitions(conn, OPTION_STRATEGIES, partition_keys,
                            lambda conn, key: strategies(read_enriched(conn, key)), source="analytics:strategies")
