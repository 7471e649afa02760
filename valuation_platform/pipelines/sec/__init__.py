"""SEC EDGAR fundamentals: tickers -> universe (submissions profiles) -> XBRL companyfacts per company."""
