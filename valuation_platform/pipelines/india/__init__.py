"""India domain glue between the sources/analytics modules and the warehouse: the landing folder
(scan, sensor cursor, parser routing), macro release loads, and the driver hierarchy read back from the
seeded reference tables. Not definitions, so the assets under ``defs/india`` stay thin."""
