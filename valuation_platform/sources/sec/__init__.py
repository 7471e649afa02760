"""SEC EDGAR: tickers, submissions, XBRL companyfacts, Form 4, 13F and filing discovery."""
