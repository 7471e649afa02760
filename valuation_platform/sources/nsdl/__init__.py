"""NSDL (National Securities Depository Ltd): the FPI Monitor's daily investment report."""
