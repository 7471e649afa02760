"""Options steps (no Dagster): ``snapshots`` (fetch + land a market's chains, underlyings from
``underlyings``), ``contracts`` (IV and Greeks), ``iv_history``, ``summary``, ``strategies``, and the
``invariants`` the asset checks assert. ``markets`` holds the snapshot-to-partition rule."""
