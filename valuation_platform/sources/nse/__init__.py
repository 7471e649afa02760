"""NSE India (www.nseindia.com): option-chain API client and parser."""
