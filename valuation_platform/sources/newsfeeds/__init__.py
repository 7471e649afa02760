"""News, RBI, SEBI and PIB press-release feeds (RSS 2.0 and Atom 1.0)."""
