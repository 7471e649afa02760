"""The landing-folder sensor every domain with a landing folder uses: it keeps the folder's fingerprint
(``relpath -> sha256``) as its cursor and requests one run when a file is new or changed, keyed by the
changed files' hashes (the same content never launches twice)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg

from valuation_platform.lib.policies import sensor_status

RUN_KEY_CHARS = 500
TAG_CHARS = 1000


def landing_sensor(
    *,
    name: str,
    job: dg.UnresolvedAssetJobDefinition,
    folder: Callable[[Any], Path],
    fingerprint: Callable[[Path], dict[str, str]],
    resources: set[str],
    description: str,
    tag: str = "vp/landing_files",
) -> dg.SensorDefinition:
    """``folder(context.resources)`` is the landing folder; ``fingerprint(folder)`` what the sensor compares."""

    @dg.sensor(name=name, job=job, minimum_interval_seconds=60, default_status=sensor_status(),
               description=description, required_resource_keys=resources)
    def _sensor(context: dg.SensorEvaluationContext):
        where = folder(context.resources)
        previous = json.loads(context.cursor) if context.cursor else {}
        current = fingerprint(where)
        changed = sorted(p for p, sha in current.items() if previous.get(p) != sha)
        context.update_cursor(json.dumps(current, sort_keys=True))
        if not changed:
            return dg.SkipReason(f"no new or changed files in {where}")
        key = "|".join(f"{p}@{current[p][:12]}" for p in changed)
        return dg.RunRequest(run_key=key[:RUN_KEY_CHARS], tags={tag: ",".join(changed)[:TAG_CHARS]})

    return _sensor
