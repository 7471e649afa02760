"""Trading-desk analytics: pure functions over plain records (no Dagster, SQL, files or environment).

Money in the treasury is integer paise; trade prices and P&L are floats in rupees.
"""
