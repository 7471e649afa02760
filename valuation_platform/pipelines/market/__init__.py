"""The steps behind the market assets (prices, technical indicators) in defs/market, and what the
sentiment feeds share with them: the run window over NYSE sessions and the universe's tickers.

``steps.py`` holds one function per asset; ``prices.py`` what each ticker needs, the fetch and split
repair; ``history.py`` the stored history indicators read; ``window.py`` which session owns a dated item.
"""
