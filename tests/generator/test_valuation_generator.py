"""The generated valuation inputs go through the real parsers, loaders and the valuation step."""

import math
from datetime import UTC, date, datetime

from tests.pipelines.test_valuation_day import macro, universe_row
from valuation_platform.generator.india import india_companies
from valuation_platform.generator.valuation import sample_companies, sessions_between, write_valuation_landing
from valuation_platform.pipelines.valuation.inputs import load_bhavcopy, load_statements
from valuation_platform.pipelines.valuation.valuations import value_days
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.india import INDIA_DRIVERS, INDIA_UNIVERSE
from valuation_platform.warehouse.tables.valuation import ANALYTICS_TABLES, RAW_TABLES
from valuation_platform.warehouse.upsert import upsert

NOW = datetime(2024, 7, 10, 15, 0, tzinfo=UTC)


def test_generated_statements_and_bhavcopies_value(fresh_db, tmp_path):
    rows = india_companies(300, 150)
    companies = sample_companies(rows, 12)
    assert any(c.is_bank for c in companies) and not all(c.is_bank for c in companies)
    sessions = sessions_between(date(2024, 7, 3), date(2024, 7, 10))  # across the 2024-07-08 layout switch
    write_valuation_landing(tmp_path, companies, sessions, as_of=date(2024, 7, 10))
    with connect(fresh_db) as conn:
        ensure_tables(conn, [*RAW_TABLES, *ANALYTICS_TABLES, INDIA_UNIVERSE, INDIA_DRIVERS])
        statements = load_statements(conn, tmp_path, fetched_at=NOW)
        prices = load_bhavcopy(conn, tmp_path, fetched_at=NOW)
        upsert(conn, INDIA_UNIVERSE, [universe_row(c.symbol, "FINANCIALS" if c.is_bank else "TECHNOLOGY", "X")
                                      for c in companies])
        upsert(conn, INDIA_DRIVERS, [macro("interest_rate_10y", 7.0, 6.4, 6.8, 7.4),
                                     macro("gdp_growth", 6.5, 8.0, 6.5, 5.0)])
        report = value_days(conn, [date(2024, 7, 9), date(2024, 7, 10)])
        layouts = dict(conn.execute("select layout, count(distinct trade_date) from raw.nse_bhavcopy group by 1"))
        values = conn.execute("select nse_symbol, model, intrinsic_value_per_share, cmp, statements_as_of "
                              "from analytics.valuations where scenario = 'base' and valuation_date = '2024-07-10'"
                              ).fetchall()
    assert statements["documents_quarantined"] == 0 and statements["items_quarantined"] == 0
    assert prices["documents_quarantined"] == 0 and layouts == {"legacy": 3, "udiff": 3}
    assert report["companies_valued"] == 2 * len(companies) and report["attribution"]["dagster/row_count"] > 0
    banks = {c.symbol for c in companies if c.is_bank}
    assert {s for s, model, *_ in values if model == "EXCESS_RETURN"} == banks
    assert all(as_of == date(2024, 3, 31) for *_, as_of in values)  # FY24 results are out by July
    assert all(cmp > 0 and (iv is None or math.isfinite(iv)) for _, _, iv, cmp, _ in values)
