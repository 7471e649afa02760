"""Helpers behind the market (prices, technicals) and sentiment (news, ratings) assets in defs/.

They hold the run logic that is not a Dagster definition: which session owns a dated item, what a
run fetches, how bad items are quarantined, how indicators get their history.
"""
