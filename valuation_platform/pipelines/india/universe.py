"""The India company universe: the classification file from the landing folder -> a balanced selection."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import psycopg

from valuation_platform.analytics.india.universe import company_key, select_india_universe
from valuation_platform.pipelines.india.landing import classification_candidates, scan
from valuation_platform.pipelines.india.reference import read_reference
from valuation_platform.pipelines.report import Json, load_report, merge, quarantine_report, table_report
from valuation_platform.sources.errors import SourceError, SourceUnavailable
from valuation_platform.sources.india.classification import SOURCE, parse_classification
from valuation_platform.warehouse.quarantine import quarantine, release
from valuation_platform.warehouse.tables.india import (
    INDIA_CLASSIFICATION,
    INDIA_UNIVERSE,
    INDIA_UNIVERSE_REJECTED,
)
from valuation_platform.warehouse.upsert import upsert


def load_classification(conn: psycopg.Connection, folder: Path) -> dict[str, Any]:
    """The newest readable classification file becomes ``raw.india_classification`` (rows of other files,
    or gone from it, leave). Unreadable files are quarantined and the next one is tried."""
    candidates = classification_candidates(scan(folder))
    errors: list[SourceError] = []
    for candidate in candidates:
        try:
            rows = parse_classification(candidate.path.read_bytes(), document=candidate.relpath)
        except SourceError as error:
            errors.append(error)
            continue
        quarantine(conn, errors, asset_key="india_classification")
        result = upsert(conn, INDIA_CLASSIFICATION, [{**r, "document": candidate.relpath} for r in rows],
                        source=f"{SOURCE}:{candidate.path}", fetched_at=candidate.modified_at)
        with conn.transaction():
            conn.execute("delete from raw.india_classification where document <> %s "
                         "or not (source_row = any(%s))", (candidate.relpath, [r["source_row"] for r in rows]))
        release(conn, SOURCE, [candidate.relpath])
        return merge(
            table_report(conn, INDIA_CLASSIFICATION.qualified, order_by="source_row"),
            load_report([result]),
            quarantine_report(errors, len(candidates)),
            {"document": candidate.relpath, "investable": sum(1 for r in rows if r["is_investable"])},
        )
    quarantine(conn, errors, asset_key="india_classification")
    raise SourceUnavailable(
        SOURCE,
        f"no readable classification file in {folder / 'classification'} ({len(candidates)} tried): "
        "drop the workbook (.xlsx) or its CSV export there",
    )


def _counts(counts: dict[str, int]) -> Json:
    return Json(sorted(counts.items()))


def select_universe(conn: psycopg.Connection, target: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Select ``target`` companies from the classification in use; both tables hold the latest selection
    only. Returns the reports of ``analytics.india_universe`` and ``analytics.india_universe_rejected``."""
    with conn.transaction():
        cur = conn.execute("select * from raw.india_classification order by source_row")
        columns = [d.name for d in cur.description or []]
        companies = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
    if not companies:
        raise SourceUnavailable(SOURCE, "raw.india_classification is empty: materialize "
                                "india_classification first")
    document = companies[0]["document"]
    reference = read_reference(conn)
    selection = select_india_universe(companies, reference.sector_group_mapping, target=target,
                                      alpha_configs=reference.company_alpha_configs)
    selected = [{**row, "company_key": company_key(row), "target": target, "document": document}
                for row in selection.selected]
    rejected = [{**row, "document": document} for row in selection.rejected]
    chosen = upsert(conn, INDIA_UNIVERSE, selected, source=f"{SOURCE}:{document}")
    refused = upsert(conn, INDIA_UNIVERSE_REJECTED, rejected, source=f"{SOURCE}:{document}")
    with conn.transaction():
        conn.execute("delete from analytics.india_universe where not (company_key = any(%s))",
                     ([r["company_key"] for r in selected],))
        conn.execute("delete from analytics.india_universe_rejected where not (source_row = any(%s)) "
                     "or document <> %s", ([r["source_row"] for r in rejected], document))
    stats = selection.stats
    universe = merge(
        table_report(conn, INDIA_UNIVERSE.qualified, order_by="selection_rank"),
        load_report([chosen]),
        {k: stats[k] for k in ("target", "investable", "eligible", "selected", "group_floor", "group_cap",
                               "subgroups_selected")},
        {"companies_in_file": stats["companies_total"],
         "companies_per_group": _counts(stats["selected_by_group"]),
         "companies_per_frequency": _counts(stats["selected_by_frequency"])},
    )
    rejections = merge(
        table_report(conn, INDIA_UNIVERSE_REJECTED.qualified, order_by="source_row"),
        load_report([refused]),
        {"rejected_by_reason": _counts(Counter(r["reason"] for r in rejected))},
    )
    return universe, rejections
