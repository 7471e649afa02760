"""The valuation assets as Dagster runs them: the landing folder through the resources, a partition, and
the on-demand config valuing one company only."""

import shutil

import dagster as dg

from tests.pipelines.test_valuation_day import bhav, macro, universe_row
from valuation_platform.defs.valuation.assets import india_statements, india_valuations, nse_bhavcopy
from valuation_platform.lib.india_resource import IndiaResource
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.india import INDIA_DRIVERS, INDIA_UNIVERSE
from valuation_platform.warehouse.upsert import upsert


def test_assets_on_a_partition_and_on_demand(fresh_db, shared_fixtures, tmp_path):
    (tmp_path / "statements").mkdir()
    (tmp_path / "bhavcopy").mkdir()
    shutil.copy(shared_fixtures / "screener" / "Reliance_Data.xlsx", tmp_path / "statements" / "RELIANCE.xlsx")
    shutil.copy(shared_fixtures / "screener" / "screener_TCS.xlsx", tmp_path / "statements" / "TCS.xlsx")
    (tmp_path / "bhavcopy" / "BhavCopy_NSE_CM_0_0_0_20240708_F_0000.csv").write_text(
        bhav("2024-07-08", {"RELIANCE": 3176.35, "TCS": 4000.0}))
    with connect(fresh_db) as conn:
        ensure_tables(conn, [INDIA_UNIVERSE, INDIA_DRIVERS])
        upsert(conn, INDIA_UNIVERSE, [universe_row("RELIANCE", "ENERGY_UTILITIES", "ENERGY_DOWNSTREAM"),
                                      universe_row("TCS", "TECHNOLOGY", "TECHNOLOGY_IT_SERVICES")])
        upsert(conn, INDIA_DRIVERS, [macro("interest_rate_10y", 7.0, 6.4, 6.8, 7.4)])
    resources = {"warehouse": WarehouseResource(database_url=fresh_db.url), "sources": SourcesResource(),
                 "india": IndiaResource(landing_dir=str(tmp_path))}
    assert dg.materialize([india_statements], resources=resources).success
    assert dg.materialize([nse_bhavcopy, india_valuations], resources=resources, partition_key="2024-07-08").success
    one = dg.materialize([india_valuations], resources=resources, partition_key="2024-07-09",
                         run_config={"ops": {"india_valuations": {"config": {"symbols": ["TCS"]}}}})
    assert one.success
    # the CLI's path (`vp materialize --tag vp/valuation_symbols=RELIANCE`): the run tag, no run config
    tagged = dg.materialize([india_valuations], resources=resources, partition_key="2024-07-10",
                            tags={"vp/valuation_symbols": "reliance"})
    assert tagged.success
    # the attribution asset's materialization carries its picture: TCS's bridge from 07-08 to 07-09, a PNG
    bridge = one.asset_materializations_for_node("india_valuations")
    attribution = next(m for m in bridge if m.asset_key == dg.AssetKey("india_valuation_attribution"))
    picture = attribution.metadata["valuation_bridge"]
    assert isinstance(picture, dg.MarkdownMetadataValue)
    assert picture.value.startswith("![TCS: base value per share, 2024-07-08 to 2024-07-09")
    assert "](data:image/png;base64," in picture.value
    assert attribution.metadata["dagster/row_count"].value > 0
    with connect(fresh_db) as conn:
        counts = conn.execute("select valuation_date::text, string_agg(distinct nse_symbol, ',' order by nse_symbol) "
                              "from analytics.valuations group by 1 order by 1").fetchall()
        tcs = conn.execute("select revenue, cmp, price_date::text from analytics.valuations where nse_symbol = 'TCS' "
                           "and scenario = 'base' and valuation_date = '2024-07-09'").fetchone()
    assert counts == [("2024-07-08", "RELIANCE,TCS"), ("2024-07-09", "TCS"), ("2024-07-10", "RELIANCE")]
    # Point in time: in July 2024 the latest known year is FY24 (Sales 240,893 in the file), not FY26.
    assert tcs == (240893.0, 4000.0, "2024-07-08")  # a holiday-free Tuesday without a file: the last close
