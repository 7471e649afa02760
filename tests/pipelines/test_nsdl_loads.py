"""NSDL's FPI daily-trends page through the real HTTP client (a loopback mirror server answering 429 first),
the real loader on a real Postgres, and the real dbt mart. Oracles: the hand-written page of
tests/sources/test_nsdl_fpi_investment.py (rows written out there) and window sums worked by hand below."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.sources.test_nsdl_fpi_investment import HEADER, page
from tests.support.dbt_build import dbt_build
from tests.support.mirror_server import MirrorServer, status
from valuation_platform.pipelines.trading.nsdl import load_fpi_investment
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.nsdl.fpi_investment import FPI_DAILY_URL
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.trading import NSDL_FPI_INVESTMENT

ASSET = "nsdl_fpi_investment"
DOCUMENT = "www.fpi.nsdl.co.in/web/Reports/Latest.aspx"


def _serve(root: Path, body: bytes) -> None:
    path = root / mirror_relpath(FPI_DAILY_URL)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


@pytest.fixture
def conn(fresh_db):
    with connect(fresh_db) as c:
        ensure_tables(c, [NSDL_FPI_INVESTMENT])
        yield c


def test_the_mirror_path_is_the_pages_own() -> None:
    assert mirror_relpath(FPI_DAILY_URL) == DOCUMENT


def test_a_429_is_retried_a_broken_subtotal_quarantines_its_date_and_a_rerun_changes_nothing(
    conn, tmp_path
) -> None:
    _serve(tmp_path, page(DEBT_SUBTOTAL_28="810.25"))  # the 28th's Debt Sub-total overstates purchases by 10
    sleeps: list[float] = []
    with MirrorServer(tmp_path) as server:
        server.add_faults("Latest.aspx", status(429, retry_after="1"))
        client = HttpClient(source_root=server.url, sleep=sleeps.append)
        first = load_fpi_investment(conn, client, asset_key=ASSET)
        hits = server.hits("Latest.aspx")
        second = load_fpi_investment(conn, client, asset_key=ASSET)
    assert len(hits) == 2 and 1.0 in sleeps  # the 429, then the page; Retry-After: 1 honoured
    # the 27th's four route rows land (two classes x two routes), the 28th is quarantined whole
    assert first["dagster/row_count"] == 4 and first["reporting_dates_loaded"] == 1
    assert first["dates_quarantined"] == 1 and first["latest_reporting_date"] == "2026-11-27"
    rows = conn.execute("select asset_class, route, net_investment_cr from raw.nsdl_fpi_investment "
                        "where reporting_date = '2026-11-27' order by 1, 2").fetchall()
    assert rows == [("Debt-General Limit", "Primary market & others", 50.0),
                    ("Debt-General Limit", "Stock Exchange", -200.0),
                    ("Equity", "Primary market & others", 1900.0), ("Equity", "Stock Exchange", 1000.0)]
    quarantined = conn.execute("select source, document, field, reason from raw.quarantine").fetchall()
    assert quarantined == [("nsdl", f"{DOCUMENT}#reporting date 2026-11-28", "reporting date 2026-11-28",
                            "Debt-General Limit sub-total: gross_purchases_cr of the rows sums to 800.25, "
                            "the page states 810.25")]
    written = {k: v for k, v in second.items() if k.endswith(("/inserted", "/updated"))}
    assert set(written.values()) == {0} and second["nsdl_fpi_investment/unchanged"] == 4
    assert conn.execute("select count(*) from raw.quarantine").fetchone()[0] == 1

    _serve(tmp_path, page())  # NSDL corrects the page: the 28th lands and its quarantine entry goes
    fixed = load_fpi_investment(conn, HttpClient(source_root=str(tmp_path)), asset_key=ASSET)
    assert fixed["nsdl_fpi_investment/inserted"] == 4
    assert conn.execute("select count(*) from raw.quarantine").fetchone()[0] == 0


def _equity_day(day: str, se: tuple[str, str, str, str], pm: tuple[str, str, str, str],
                sub: tuple[str, str, str, str]) -> str:
    """One date with the Equity class only: routes, Sub-total and Total (= the Sub-total), figures as given."""
    def cells(values: tuple[str, ...]) -> str:
        return "".join(f"<td>{v}</td>" for v in values) + "<td>87.5000</td>"
    return (f'<tr><td rowspan="4">{day}</td><td rowspan="3">Equity</td><td>Stock Exchange</td>{cells(se)}</tr>'
            f"<tr><td>Primary market &amp; others</td>{cells(pm)}</tr>"
            f"<tr><td>Sub-total</td>{cells(sub)}</tr><tr><td colspan=\"2\">Total</td>{cells(sub)}</tr>")


def test_equity_five_date_sums_in_the_mart_worked_by_hand(conn, fresh_db, tmp_path) -> None:
    # Six reporting dates, Mon 2 Nov .. Mon 9 Nov 2026 (the weekend has no report). Stock Exchange nets
    # 10, 20, 30, 40, 50, 60 (purchases 1,000 + net, sales 1,000), primary market net 1 every date
    # (purchases 1, sales 0), so the class's net is 11, 21, 31, 41, 51, 61; USD at 87.5: 10 / 87.5 * net.
    days = ["02-Nov-2026", "03-Nov-2026", "04-Nov-2026", "05-Nov-2026", "06-Nov-2026", "09-Nov-2026"]
    blocks = []
    for k, day in enumerate(days, start=1):
        net = 10 * k
        se = (f"{1000 + net:,.2f}", "1,000.00", f"{net:.2f}", f"{net / 8.75:.2f}")
        pm = ("1.00", "0.00", "1.00", "0.11")  # 1 crore = 10 mn rupees = 0.11 US$ mn at 87.5
        sub = (f"{1001 + net:,.2f}", "1,000.00", f"{net + 1:.2f}", f"{net / 8.75 + 0.11:.2f}")
        blocks.append(_equity_day(day, se, pm, sub))
    _serve(tmp_path, f"<table>{HEADER}{''.join(reversed(blocks))}</table>".encode())  # newest first
    report = load_fpi_investment(conn, HttpClient(source_root=str(tmp_path)), asset_key=ASSET)
    assert report["dagster/row_count"] == 12 and report["dates_quarantined"] == 0
    conn.commit()
    assert dbt_build(fresh_db, ["+fct_fpi_depository_flows"], tmp_path / "dbt") == []
    mart = conn.execute("select reporting_date, asset_class, gross_purchases_cr, gross_sales_cr, net_investment_cr, "
                        "net_investment_usd_mn, net_5d_cr, net_20d_cr from marts.fct_fpi_depository_flows "
                        "order by reporting_date").fetchall()
    assert [r[0] for r in mart] == [date(2026, 11, d) for d in (2, 3, 4, 5, 6, 9)]
    assert {r[1] for r in mart} == {"Equity"}
    # 9 Nov: routes summed, purchases 1,060 + 1 = 1,061, sales 1,000 + 0, net 60 + 1 = 61,
    # USD 60 / 8.75 = 6.857 -> 6.86, plus 0.11 = 6.97
    assert mart[5][2:6] == pytest.approx((1061.0, 1000.0, 61.0, 6.97))
    assert [r[6] for r in mart[:4]] == [None] * 4  # under five reporting dates
    assert mart[4][6] == pytest.approx(155.0)  # 6 Nov: 11 + 21 + 31 + 41 + 51
    assert mart[5][6] == pytest.approx(205.0)  # 9 Nov (over the weekend): 21 + 31 + 41 + 51 + 61
    assert {r[7] for r in mart} == {None}  # six dates: no 20-date window
