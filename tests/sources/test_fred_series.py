"""The FRED fredgraph.csv parser on the real CPIAUCSL export (DATE,<SERIES> layout), and '.' days."""

from datetime import date

import pytest

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.fred.series import parse_series_csv


def test_real_cpiaucsl_export(shared_fixtures):
    payload = (shared_fixtures / "fred" / "CPIAUCSL.csv").read_bytes()
    rows = parse_series_csv(payload, "CPIAUCSL")
    # the file's own first and last lines: 2015-05-01,237.001 and 2023-03-01,301.808
    assert rows[0] == {"series_id": "CPIAUCSL", "obs_date": date(2015, 5, 1), "value": 237.001}
    assert rows[-1] == {"series_id": "CPIAUCSL", "obs_date": date(2023, 3, 1), "value": 301.808}
    assert len(rows) == payload.decode().strip().count("\n")


def test_current_layout_and_missing_days():
    rows = parse_series_csv(b"observation_date,DGS10\n2025-01-01,.\n2025-01-02,4.57\n", "DGS10")
    assert [r["value"] for r in rows] == [None, 4.57]
    with pytest.raises(SourceError, match="not DGS10"):
        parse_series_csv(b"DATE,CPIAUCSL\n2025-01-01,1\n", "DGS10")
