"""How the driver chain (macro -> group -> subgroup -> company) moves each company's model inputs.

Pure: polars frames in (the driver rows of ``analytics.india_drivers`` and the companies with their model),
one long frame out: a row per company, driver and input it moves, with the additive effect on that input.
The valuation adds the effects to the history-based assumptions; attribution by driver switches one
driver's effects from the previous valuation's to today's (docs/valuation_models.md has the equations).

* MACRO ``interest_rate_10y``: sets ``risk_free`` = current / 100 for every company (the base when no
  current print); without the driver the valuation uses its default risk-free rate.
* MACRO ``gdp_growth``: GDP above its base case adds growth: ``growth_start`` += (current - base) / 100
  (FCFF), ``roe`` += ``ROE_PER_GDP`` x (current - base) / 100 (excess return).
* Weighted drivers of the company's group, subgroup and the company itself (alpha configs),
  with a sign (``sensitivity``) and both a current and a previous value:
  ``move`` m = (current - previous) / 10 for a driver in percent (10 points = a full move), else the
  relative change (current - previous) / |previous|; clipped to +-``MAX_MOVE``;
  ``effect`` = share(level) x weight x sensitivity x m x elasticity(category, model), where DEMAND moves
  growth (FCFF) or ROE (excess return) and COST moves the EBIT margin (FCFF) or ROE. The level shares split
  the chain: group 0.4 / subgroup 0.6, or 0.25 / 0.35 / 0.40 when the company has its own drivers.
  REGULATORY and OPERATIONAL drivers have no category sign: they move an input only where their row carries
  its own ``sensitivity`` (a seed's column, or a discovered driver's), a rule as growth / ROE (it acts on
  the business's volume: a loan-to-value cap, an F&O curb), an operating driver as the EBIT margin / ROE;
  without one they feed the alerts and the managers' judgement.
* ``attributed_to``: a group/subgroup/company driver that reads the series of a MACRO driver is attributed
  to that MACRO driver (the repo rate moves the banks' policy_repo_rate), so attribution names the macro
  print behind the move; any other driver is attributed to itself.
"""

from __future__ import annotations

import polars as pl

from valuation_platform.analytics.valuation.models import EXCESS_RETURN, FCFF

RISK_FREE_DRIVER, GDP_DRIVER = "interest_rate_10y", "gdp_growth"
ROE_PER_GDP = 0.5
MAX_MOVE = 0.5
PERCENT_FULL_MOVE = 10.0  # points
LEVEL_SHARES = {"GROUP": 0.4, "SUBGROUP": 0.6}
LEVEL_SHARES_WITH_COMPANY = {"GROUP": 0.25, "SUBGROUP": 0.35, "COMPANY": 0.40}
# (category, model) -> (input moved, elasticity: the input's change for a full-weight, full (m = 1) move)
ELASTICITY = {
    ("DEMAND", FCFF): ("growth_start", 0.10),
    ("COST", FCFF): ("ebit_margin", 0.05),
    ("DEMAND", EXCESS_RETURN): ("roe", 0.05),
    ("COST", EXCESS_RETURN): ("roe", 0.05),
    ("REGULATORY", FCFF): ("growth_start", 0.10),
    ("REGULATORY", EXCESS_RETURN): ("roe", 0.05),
    ("OPERATIONAL", FCFF): ("ebit_margin", 0.05),
    ("OPERATIONAL", EXCESS_RETURN): ("roe", 0.05),
}
MOVING_CATEGORIES = sorted({category for category, _ in ELASTICITY})
EFFECT_INPUTS = ("risk_free", "growth_start", "ebit_margin", "roe")
COLUMNS = {"nse_symbol": pl.Utf8, "driver_key": pl.Utf8, "attributed_to": pl.Utf8, "input": pl.Utf8,
           "move": pl.Float64, "effect": pl.Float64}
DRIVER_COLUMNS = ("driver_key", "driver_level", "valuation_group", "valuation_subgroup", "company",
                  "driver_category", "driver_name", "series_id", "unit", "weight", "sensitivity", "base_value",
                  "current_value", "previous_value")


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=COLUMNS)


def _macro(drivers: pl.DataFrame, companies: pl.DataFrame) -> pl.DataFrame:
    macro = drivers.filter(pl.col("driver_level") == "MACRO")
    parts = []
    rate = macro.filter(pl.col("driver_name") == RISK_FREE_DRIVER)
    if rate.height:
        level = rate.select(pl.coalesce("current_value", "base_value")).item()
        if level is not None:
            parts.append(companies.select("nse_symbol").with_columns(
                driver_key=pl.lit(rate["driver_key"][0]), input=pl.lit("risk_free"),
                move=pl.lit(float(level) / 100), effect=pl.lit(float(level) / 100)))
    gdp = macro.filter(pl.col("driver_name") == GDP_DRIVER)
    if gdp.height and gdp["current_value"][0] is not None and gdp["base_value"][0] is not None:
        surprise = (float(gdp["current_value"][0]) - float(gdp["base_value"][0])) / 100
        parts.append(companies.select("nse_symbol", "model").with_columns(
            driver_key=pl.lit(gdp["driver_key"][0]),
            input=pl.when(pl.col("model") == FCFF).then(pl.lit("growth_start")).otherwise(pl.lit("roe")),
            move=pl.lit(surprise),
            effect=pl.when(pl.col("model") == FCFF).then(pl.lit(surprise)).otherwise(pl.lit(surprise * ROE_PER_GDP)),
        ).drop("model"))
    return pl.concat(parts) if parts else pl.DataFrame(schema={k: COLUMNS[k] for k in
                                                               ("nse_symbol", "driver_key", "input", "move", "effect")})


def _chain(drivers: pl.DataFrame, companies: pl.DataFrame) -> pl.DataFrame:
    weighted = drivers.filter(pl.col("driver_category").is_in(MOVING_CATEGORIES) & pl.col("sensitivity").is_not_null()
                              & (pl.col("weight") > 0) & pl.col("current_value").is_not_null()
                              & pl.col("previous_value").is_not_null())
    with_own = set(weighted.filter(pl.col("driver_level") == "COMPANY")["company"].to_list())
    links = pl.concat([
        companies.join(weighted.filter(pl.col("driver_level") == "GROUP").drop("valuation_subgroup", "company"),
                       on="valuation_group"),
        companies.join(weighted.filter(pl.col("driver_level") == "SUBGROUP").drop("valuation_group", "company"),
                       on="valuation_subgroup"),
        companies.join(weighted.filter(pl.col("driver_level") == "COMPANY")
                       .drop("valuation_group", "valuation_subgroup"), left_on="nse_symbol", right_on="company"),
    ], how="diagonal_relaxed")
    if links.height == 0:
        return links
    change = pl.col("current_value") - pl.col("previous_value")
    move = (pl.when(pl.col("unit") == "percent").then(change / PERCENT_FULL_MOVE)
            .when(pl.col("previous_value") != 0).then(change / pl.col("previous_value").abs())
            .otherwise(0.0).clip(-MAX_MOVE, MAX_MOVE))
    own = pl.col("nse_symbol").is_in(list(with_own))
    share = pl.lit(0.0)
    for level in ("GROUP", "SUBGROUP", "COMPANY"):
        share = pl.when(pl.col("driver_level") == level).then(
            pl.when(own).then(LEVEL_SHARES_WITH_COMPANY[level]).otherwise(LEVEL_SHARES.get(level, 0.0))
        ).otherwise(share)
    elasticity = pl.DataFrame([{"driver_category": c, "model": m, "input": i, "elasticity": e}
                               for (c, m), (i, e) in ELASTICITY.items()])
    return links.join(elasticity, on=["driver_category", "model"]).with_columns(move=move, share=share).with_columns(
        effect=pl.col("share") * pl.col("weight") * pl.col("sensitivity") * pl.col("move") * pl.col("elasticity"))


def driver_effects(drivers: pl.DataFrame, companies: pl.DataFrame) -> pl.DataFrame:
    """Effects of ``drivers`` (columns ``DRIVER_COLUMNS``) on ``companies`` (nse_symbol, valuation_group,
    valuation_subgroup, model): the frame of ``COLUMNS``, one row per company, driver and input."""
    if drivers.height == 0 or companies.height == 0:
        return empty()
    drivers = drivers.select(DRIVER_COLUMNS).with_columns(
        pl.col("weight", "base_value", "current_value", "previous_value").cast(pl.Float64),
        pl.col("sensitivity").cast(pl.Float64),
        pl.col("driver_key", "driver_level", "valuation_group", "valuation_subgroup", "company", "driver_category",
               "driver_name", "series_id", "unit").cast(pl.Utf8))
    companies = companies.select("nse_symbol", "valuation_group", "valuation_subgroup", "model")
    chain = _chain(drivers, companies)
    rows = _macro(drivers, companies)
    if chain.height:
        rows = pl.concat([rows, chain.select("nse_symbol", "driver_key", "input", "move", "effect")],
                         how="diagonal_relaxed")
    roots = (drivers.filter((pl.col("driver_level") == "MACRO") & pl.col("series_id").is_not_null())
             .select("series_id", root=pl.col("driver_key")).unique("series_id", keep="first"))
    keyed = drivers.select("driver_key", "series_id").join(roots, on="series_id", how="left")
    return (rows.join(keyed, on="driver_key", how="left")
            .with_columns(attributed_to=pl.coalesce("root", "driver_key"))
            .select(list(COLUMNS)).cast(COLUMNS).sort("nse_symbol", "driver_key", "input"))


def totals(effects: pl.DataFrame) -> pl.DataFrame:
    """Per company, the summed effect on each of ``EFFECT_INPUTS`` (0 where nothing moves it)."""
    wide = effects.group_by("nse_symbol").agg(
        **{f"{name}_effect": pl.col("effect").filter(pl.col("input") == name).sum() for name in EFFECT_INPUTS})
    return wide
