"""Asset-check factories shared by the domains."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from valuation_platform.lib.resources import WarehouseResource

LISTED = 50  # documents listed in the check's metadata; the count covers all of them


def quarantine_check(
    asset: dg.AssetsDefinition | dg.AssetKey | str,
    *,
    quarantine_key: str | None = None,
    name: str | None = None,
    what: str = "documents",
) -> dg.AssetChecksDefinition:
    """A WARN check listing what the asset's loads left in ``raw.quarantine`` (the rest landed).

    ``quarantine_key`` is the ``asset_key`` the loads quarantine under (default: the asset's own key).
    """
    key = asset.key if isinstance(asset, dg.AssetsDefinition) else dg.AssetKey.from_coercible(asset)
    stored_as = quarantine_key or key.to_user_string()
    check_name = name or f"{key.path[-1]}_quarantine"

    @dg.asset_check(
        asset=key,
        name=check_name,
        description=f"{what} that {stored_as} left in raw.quarantine, each with its reason (WARN: the rest landed)",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            rows = conn.execute(
                "select document, reason from raw.quarantine where asset_key = %s order by document", (stored_as,)
            ).fetchall()
        return dg.AssetCheckResult(
            passed=not rows,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "quarantined": len(rows),
                "documents": dg.MetadataValue.md(_listing(rows)),
            },
        )

    return _check


def _listing(rows: Sequence[tuple[str, str]]) -> str:
    lines = [f"- {document}: {reason}" for document, reason in rows[:LISTED]]
    if len(rows) > LISTED:
        lines.append(f"- ... and {len(rows) - LISTED} more")
    return "\n".join(lines) or "none"
