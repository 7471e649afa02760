"""A positions export with bad rows: each bad row is quarantined with its reason, the rest land."""

from __future__ import annotations

from valuation_platform.pipelines.portfolio.landing import POSITION_COLUMNS
from valuation_platform.pipelines.portfolio.loads import load_positions
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.portfolio import PORTFOLIO_POSITIONS
from valuation_platform.warehouse.tables.sec import US_UNIVERSE
from valuation_platform.warehouse.upsert import upsert

ROWS = [
    ("A1", "Acct", "AAA", "LONG", "100", "10.5", "2026-01-05", "", "", ""),
    ("A1", "Acct", "BBB", "SHORT", "-50", "20", "2026-01-05", "", "", ""),
    ("A1", "Acct", "AAA 261218C00012000", "LC", "2", "1.25", "2026-01-05", "AAA", "12", "2026-12-18"),
    ("A1", "Acct", "SPY", "LONG", "5", "500", "2026-01-05", "", "", ""),
    ("A1", "Acct", "ZZZZ", "LONG", "10", "1", "2026-01-05", "", "", ""),  # unknown ticker
    ("A1", "Acct", "AAA", "LONG", "0", "10", "2026-01-05", "", "", ""),  # zero quantity
    ("A1", "Acct", "BBB", "LONG", "-5", "10", "2026-01-05", "", "", ""),  # negative long
    ("A1", "Acct", "AAA put", "LP", "1", "2", "2026-01-05", "AAA", "", "2026-12-18"),  # no strike
]


def test_bad_rows_are_quarantined_and_the_rest_land(fresh_db, tmp_path):
    folder = tmp_path / "landing"
    (folder / "positions").mkdir(parents=True)
    text = ",".join(POSITION_COLUMNS) + "\n" + "".join(",".join(r) + "\n" for r in ROWS)
    (folder / "positions" / "acct.csv").write_text(text)
    with connect(fresh_db) as conn:
        ensure_tables(conn, [US_UNIVERSE, PORTFOLIO_POSITIONS])
        upsert(conn, US_UNIVERSE, [{"ticker": t, "cik": i, "name": t, "is_primary_ticker": True}
                                   for i, t in enumerate(("AAA", "BBB"))], source="test")
        report = load_positions(conn, folder)
        landed = conn.execute("select position_id, quantity, option_type, multiplier from raw.portfolio_positions"
                              " order by position_id").fetchall()
        reasons = dict(conn.execute("select document, reason from raw.quarantine where asset_key = 'portfolio_positions'").fetchall())
    assert landed == [("AAA", 100.0, None, 1.0), ("AAA 2026-12-18 C 12", 2.0, "C", 100.0),
                      ("BBB", -50.0, None, 1.0), ("SPY", 5.0, None, 1.0)]
    assert reasons == {
        "positions/acct.csv#line6": "unknown ticker ZZZZ",
        "positions/acct.csv#line7": "zero or missing quantity",
        "positions/acct.csv#line8": "negative quantity -5 for a LONG position",
        "positions/acct.csv#line9": "option without Strike",
    }
    assert report["documents_quarantined"] == 4
