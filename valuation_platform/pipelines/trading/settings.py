"""The desk's reviewed settings from their dbt seed files (the one copy; dbt also seeds them into marts
for BI): ``dbt_project/seeds/trading/trading_thresholds.csv`` and ``playbooks.csv``."""

from __future__ import annotations

import csv
from pathlib import Path

from valuation_platform.analytics.trading.config import Playbook, Thresholds, playbooks

SEED_DIR = Path(__file__).resolve().parents[3] / "dbt_project" / "seeds" / "trading"


def _rows(name: str, directory: Path) -> list[dict[str, str]]:
    with (directory / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def thresholds(directory: Path = SEED_DIR) -> Thresholds:
    return Thresholds.from_rows(_rows("trading_thresholds", directory))


def playbook_table(directory: Path = SEED_DIR) -> dict[str, Playbook]:
    return playbooks(_rows("playbooks", directory))
