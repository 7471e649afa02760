"""The India steps the assets in ``defs/india`` call, Dagster-free: MOSPI and market releases for a run's
months and the history their marts need (:mod:`.macro`, :mod:`.releases`), the landing folder (:mod:`.landing`),
the universe (:mod:`.universe`), the reference tables (:mod:`.reference`) and the driver hierarchy
(:mod:`.drivers`)."""
