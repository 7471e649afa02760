"""FRED (Federal Reserve Bank of St. Louis) series as fredgraph.csv."""
