"""Portfolio steps: landing files -> positions, FRED rates, then the nightly analytics phases."""
