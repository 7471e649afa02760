"""The daily valuation step: value the companies due on a day from their statements, CMP and the macro
drivers, under bull/base/bear, and attribute each base value's change since the company's previous one.

Reads raw.india_statements, raw.nse_bhavcopy, analytics.india_universe and analytics.india_drivers;
writes analytics.valuations and analytics.valuation_attribution (a day's rows are replaced: re-runs
are idempotent and a company no longer due loses that day's rows). Models and assumptions:
:mod:`valuation_platform.analytics.valuation.company`.

Who is due on a day (frequency tiers of analytics.india_universe): DAILY every weekday; WEEKLY on the
company's own weekday (crc32(symbol) mod 5, spreading the load over the week); MONTHLY on the first
weekday of the month; any company never valued before is due at once. ``symbols`` values just those
companies whatever their tier (the on-demand valuation).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl
import psycopg

from valuation_platform.analytics.valuation.attribution import INTERACTION, TOTAL, attribute
from valuation_platform.analytics.valuation.company import (
    BETA,
    DEFAULT_TERMINAL_GROWTH,
    EQUITY_RISK_PREMIUM,
    ER_ASSUMPTIONS,
    FACTORS,
    FCFF_ASSUMPTIONS,
    FORECAST_YEARS,
    KNOWN_AFTER_DAYS,
    TERMINAL_GROWTH,
    annual_history,
    assumptions,
    run_model,
    scenario_shifts,
)
from valuation_platform.analytics.valuation.driver_effects import (
    DRIVER_COLUMNS,
    EFFECT_INPUTS,
    GDP_DRIVER,
    RISK_FREE_DRIVER,
    driver_effects,
    totals,
)
from valuation_platform.analytics.valuation.models import EXCESS_RETURN, FCFF, model_for, upside_pct
from valuation_platform.pipelines.report import Chart, Json, load_report, merge, table_report
from valuation_platform.warehouse.tables.valuation import (
    VALUATION_ATTRIBUTION,
    VALUATION_DRIVER_EFFECTS,
    VALUATIONS,
)
from valuation_platform.warehouse.upsert import upsert

PRICE_STALE_DAYS = 7  # a close older than this is no CMP
SCENARIO_DRIVERS = (RISK_FREE_DRIVER, GDP_DRIVER)
DEFAULT_RISK_FREE = 0.07
MEASURES = ("intrinsic_value_per_share", "upside_pct")
INPUT_BASIS, DRIVER_BASIS, STATEMENTS = "INPUT", "DRIVER", "statements"
# What a new set of annual statements moves (the history-based assumptions, net of the drivers' effects).
STATEMENT_INPUTS = {
    FCFF: ("revenue", "growth_start", "ebit_margin", "reinvestment_rate", "tax_rate", "cost_of_debt", "cash", "debt",
           "diluted_shares"),
    EXCESS_RETURN: ("book_value", "roe", "payout_ratio", "diluted_shares"),
}


def _frame(conn: psycopg.Connection, query: str, params: Sequence[Any] = ()) -> pl.DataFrame:
    cur = conn.execute(query, params)
    names = [d.name for d in cur.description or []]
    return pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)


def is_due(symbol: str, frequency: str | None, day: date, valued_before: bool) -> bool:
    if not valued_before or frequency in (None, "DAILY"):
        return True
    if frequency == "WEEKLY":
        return day.weekday() == zlib.crc32(symbol.encode()) % 5
    first_weekday = date(day.year, day.month, 1)
    while first_weekday.weekday() >= 5:
        first_weekday += timedelta(days=1)
    return day == first_weekday


def _drivers(conn: psycopg.Connection) -> tuple[bool, pl.DataFrame, dict[str, dict[str, float | None]]]:
    """Whether the 10-year yield driver has a value, every driver row the chain reads, and the scenario
    drivers' values (``{name: {"current", "bull", "base", "bear"}}``)."""
    frame = _frame(conn, f"select {', '.join(DRIVER_COLUMNS)}, bull_value, bear_value from analytics.india_drivers")
    if frame.height == 0:
        return False, frame, {}
    macro = frame.filter((pl.col("driver_level") == "MACRO") & pl.col("driver_name").is_in(SCENARIO_DRIVERS))
    drivers = {r["driver_name"]: {"current": r["current_value"], "bull": r["bull_value"], "base": r["base_value"],
                                  "bear": r["bear_value"]} for r in macro.iter_rows(named=True)}
    rate = drivers.get(RISK_FREE_DRIVER, {})
    has_rate = rate.get("current") is not None or rate.get("base") is not None
    return has_rate, frame.drop("bull_value", "bear_value"), drivers


def _inputs(frame: pl.DataFrame, names: Iterable[str]) -> dict[str, np.ndarray]:
    return {n: frame[n].cast(pl.Float64).to_numpy() for n in names}


def value_day(conn: psycopg.Connection, day: date, *, symbols: Sequence[str] | None = None) -> dict[str, Any]:
    """Value the companies due on ``day`` (or ``symbols``) and attribute their changes; returns counts."""
    universe = _frame(conn, "select nse_symbol, valuation_group, valuation_subgroup, valuation_frequency "
                            "from analytics.india_universe where nse_symbol is not null")
    previous = _frame(conn, "select distinct on (nse_symbol) * from analytics.valuations where scenario = 'base' "
                            "and valuation_date < %s order by nse_symbol, valuation_date desc", (day,))
    valued_before = set(previous["nse_symbol"].to_list()) if previous.height else set()
    if symbols is not None:
        universe = universe.filter(pl.col("nse_symbol").is_in(list(symbols)))
    else:
        universe = universe.filter(pl.struct("nse_symbol", "valuation_frequency").map_elements(
            lambda r: is_due(r["nse_symbol"], r["valuation_frequency"], day, r["nse_symbol"] in valued_before),
            return_dtype=pl.Boolean))
    statements = _frame(conn, "select nse_symbol, statement, period_end, line_item, value from raw.india_statements "
                              "where nse_symbol = any(%s) and statement <> 'QUARTERS' and period_end <= %s",
                        (universe["nse_symbol"].to_list(), day - timedelta(days=KNOWN_AFTER_DAYS)))
    prices = _frame(conn, "select distinct on (nse_symbol) nse_symbol, close as cmp, trade_date as price_date "
                          "from raw.nse_bhavcopy where series = 'EQ' and nse_symbol = any(%s) and trade_date <= %s "
                          "and trade_date > %s order by nse_symbol, trade_date desc",
                    (universe["nse_symbol"].to_list(), day, day - timedelta(days=PRICE_STALE_DAYS)))
    has_rate, chain, drivers = _drivers(conn)
    for spec in (VALUATIONS, VALUATION_ATTRIBUTION, VALUATION_DRIVER_EFFECTS):
        conn.execute(f"delete from {spec.qualified} where valuation_date = %s and (%s::text[] is null "
                     "or nse_symbol = any(%s))", (day, symbols and list(symbols), symbols and list(symbols)))
    if statements.height == 0:
        return {"valuation_date": day.isoformat(), "companies_due": universe.height, "companies_valued": 0}
    base = (assumptions(annual_history(statements)).join(universe, on="nse_symbol")
            .join(prices, on="nse_symbol", how="left")
            .filter(pl.col("revenue").is_not_null() & (pl.col("diluted_shares") > 0)))
    base = base.with_columns(model=pl.col("valuation_group").map_elements(model_for, return_dtype=pl.Utf8))
    # The driver chain moves the history-based inputs (analytics/valuation/driver_effects.py); the 10-year
    # yield's effect is the risk-free level itself, so without that driver the default stands in.
    effects = driver_effects(chain, base)
    moved = base.join(totals(effects), on="nse_symbol", how="left").with_columns(
        pl.col(f"{name}_effect").fill_null(0.0) for name in EFFECT_INPUTS)
    base = moved.with_columns(
        risk_free=pl.lit(0.0 if has_rate else DEFAULT_RISK_FREE) + pl.col("risk_free_effect"),
        **{name: pl.col(name) + pl.col(f"{name}_effect") for name in EFFECT_INPUTS if name != "risk_free"},
    ).drop([f"{name}_effect" for name in EFFECT_INPUTS])
    base = base.with_columns(
        beta=pl.lit(BETA), equity_risk_premium=pl.lit(EQUITY_RISK_PREMIUM),
        terminal_growth=pl.col("valuation_group").replace_strict(TERMINAL_GROWTH, default=DEFAULT_TERMINAL_GROWTH,
                                                                 return_dtype=pl.Float64),
        debt_weight=pl.when(pl.col("cmp") > 0)
        .then((pl.col("debt") / (pl.col("debt") + pl.col("cmp") * pl.col("diluted_shares"))).clip(0, 0.8))
        .otherwise(0.0),
    )
    rows, attribution = [], []
    for model in base["model"].unique().sort().to_list():
        part = base.filter(pl.col("model") == model)
        names = FCFF_ASSUMPTIONS if model == FCFF else ER_ASSUMPTIONS
        inputs = _inputs(part, names)
        cmp = part["cmp"].cast(pl.Float64).fill_null(np.nan).to_numpy()
        for scenario, shifts in scenario_shifts(drivers, model).items():
            shifted = {k: v + shifts.get(k, 0.0) for k, v in inputs.items()}
            out = run_model(model, shifted)
            value = out["value_per_share"]
            frame = part.drop([c for c in ("risk_free", "growth_start", "roe") if c in shifts]).with_columns(
                scenario=pl.lit(scenario), valuation_date=pl.lit(day), forecast_years=pl.lit(FORECAST_YEARS),
                intrinsic_value_per_share=pl.Series(value, dtype=pl.Float64).fill_nan(None),
                upside_pct=pl.Series(upside_pct(value, cmp), dtype=pl.Float64).fill_nan(None),
                cost_of_equity=pl.Series(out["cost_of_equity"]),
                wacc=pl.Series(out["wacc"]) if model == FCFF else pl.lit(None, dtype=pl.Float64),
                **{k: pl.Series(shifted[k]) for k in shifts},
            )
            rows.append(frame)
        if compared := _compared(part, previous, model):
            attribution.extend(_attribute(model, compared, inputs, cmp, day))
            attribution.extend(_attribute_drivers(conn, model, compared, inputs, cmp, effects, day))
    valuations = pl.concat(rows, how="diagonal_relaxed")
    valuations = valuations.select([c for c in VALUATIONS.columns if c in valuations.columns])
    results = [upsert(conn, VALUATIONS, valuations)]
    if effects.height:
        results.append(upsert(conn, VALUATION_DRIVER_EFFECTS, effects.filter(pl.col("nse_symbol").is_in(
            base["nse_symbol"].to_list())).with_columns(valuation_date=pl.lit(day))))
    if attribution:
        results.append(upsert(conn, VALUATION_ATTRIBUTION, attribution))
    return merge(load_report(results), {"bridge": bridge_chart(attribution)} if attribution else {}, {
        "valuation_date": day.isoformat(), "companies_due": universe.height,
        "companies_valued": base.height, "without_cmp": base.filter(pl.col("cmp").is_null()).height,
        "risk_free": float(base["risk_free"][0]) if base.height else None,
        "driver_effects": effects.height,
    })


@dataclass(frozen=True)
class _Compared:
    """The companies of a model's part that have a previous base valuation (same model), and that valuation."""

    prev: pl.DataFrame  # aligned with the part's rows
    has: np.ndarray  # which rows have one
    symbols: list[str]
    since: list[date]


def _compared(part: pl.DataFrame, previous: pl.DataFrame, model: str) -> _Compared | None:
    if previous.height == 0:
        return None
    prev = part.select("nse_symbol").join(previous.filter(pl.col("model") == model), on="nse_symbol", how="left")
    has = prev["valuation_date"].is_not_null().to_numpy()
    if not has.any():
        return None
    return _Compared(prev, has, [s for s, h in zip(part["nse_symbol"].to_list(), has) if h],
                     [d for d, h in zip(prev["valuation_date"].to_list(), has) if h])


def _old_new(c: _Compared, inputs: dict[str, np.ndarray], cmp: np.ndarray) -> tuple[dict, dict]:
    """The model inputs (and CMP) at the previous valuation and now, for the compared companies."""
    old = {n: c.prev[n].cast(pl.Float64).to_numpy()[c.has] for n in inputs}
    new = {n: inputs[n][c.has] for n in inputs}
    old["cmp"], new["cmp"] = c.prev["cmp"].cast(pl.Float64).fill_null(np.nan).to_numpy()[c.has], cmp[c.has]
    return old, new


def _rows(model: str, basis: str, symbols: Sequence[str], since: Sequence[date], day: date,
          old: dict[str, np.ndarray], new: dict[str, np.ndarray], value_fn, factors: Mapping[str, Sequence[str]],
          *, keep_zero: bool) -> list[dict[str, Any]]:
    """Attribution rows of both measures (value per share; upside, with CMP as a factor of its own)."""
    def upside(a):
        return upside_pct(value_fn(a), a["cmp"])

    out = []
    for measure, fn, named in (("intrinsic_value_per_share", value_fn, factors),
                               ("upside_pct", upside, {**factors, "cmp": [*factors.get("cmp", ()), "cmp"]})):
        parts = attribute(fn, old, new, named)
        before, after = fn(old), fn(new)
        for i, symbol in enumerate(symbols):
            if not (np.isfinite(before[i]) and np.isfinite(after[i])):
                continue
            for factor, contribution in parts.items():
                if factor == TOTAL or (not keep_zero and factor != INTERACTION and contribution[i] == 0):
                    continue
                out.append({"nse_symbol": symbol, "valuation_date": day, "previous_valuation_date": since[i],
                            "measure": measure, "basis": basis, "factor": factor, "model": model,
                            "contribution": float(contribution[i]), "total_change": float(parts[TOTAL][i]),
                            "previous_value": float(before[i]), "current_value": float(after[i])})
    return out


def _attribute(model: str, c: _Compared, inputs: dict[str, np.ndarray], cmp: np.ndarray, day: date
               ) -> list[dict[str, Any]]:
    """Base value and upside changes since each company's previous base valuation, by input."""
    old, new = _old_new(c, inputs, cmp)
    return _rows(model, INPUT_BASIS, c.symbols, c.since, day, old, new,
                 lambda a: run_model(model, a)["value_per_share"], FACTORS[model], keep_zero=True)


def _effect_arrays(effects: pl.DataFrame, symbols: Sequence[str], fields: Sequence[tuple[str, str]]
                   ) -> dict[tuple[str, str], np.ndarray]:
    """(attributed_to, input) -> the summed effect per company of ``symbols`` (0 where none)."""
    index = {s: i for i, s in enumerate(symbols)}
    out = {f: np.zeros(len(symbols)) for f in fields}
    for symbol, root, name, effect in effects.group_by("nse_symbol", "attributed_to", "input").agg(
            pl.col("effect").sum()).iter_rows():
        if (root, name) in out and symbol in index:
            out[(root, name)][index[symbol]] = effect
    return out


def _attribute_drivers(conn: psycopg.Connection, model: str, c: _Compared, inputs: dict[str, np.ndarray],
                       cmp: np.ndarray, effects: pl.DataFrame, day: date) -> list[dict[str, Any]]:
    """The same changes by driver: each driver (macro prints under the MACRO driver whose series they are)
    switched from its effects in the previous valuation to today's; new statements, the CMP, and anything
    else that moved are factors of their own; the interaction term as in :func:`_attribute`."""
    symbols, since = c.symbols, c.since
    before = _frame(conn, "select e.nse_symbol, e.attributed_to, e.input, e.effect "
                          "from analytics.valuation_driver_effects e join unnest(%s::text[], %s::date[]) "
                          "as p(nse_symbol, valuation_date) using (nse_symbol, valuation_date)",
                    (symbols, since))
    today = effects.filter(pl.col("nse_symbol").is_in(symbols)).select("nse_symbol", "attributed_to", "input", "effect")
    frames = [f for f in (before, today) if f.height]
    fields = sorted({(r, n) for f in frames for r, n in f.select("attributed_to", "input").unique().iter_rows()})
    old_fx, new_fx = _effect_arrays(before, symbols, fields), _effect_arrays(today, symbols, fields)
    old, new = _old_new(c, inputs, cmp)
    for a, fx in ((old, old_fx), (new, new_fx)):  # the inputs net of the drivers' effects
        for (root, name), effect in fx.items():
            if name in a:
                a[name] = a[name] - effect
        a.update({f"{root}|{name}": effect for (root, name), effect in fx.items() if name in a})
    moved = {f"{root}|{name}" for root, name in fields if f"{root}|{name}" in old
             and not np.array_equal(old[f"{root}|{name}"], new[f"{root}|{name}"])}
    roots: dict[str, list[str]] = {}
    for root, name in fields:
        if f"{root}|{name}" in moved:
            roots.setdefault(root, []).append(f"{root}|{name}")
    names = [n for n in inputs if n in old]

    def value(a):
        net = {n: a[n] + sum((a[f"{root}|{n}"] for root, x in fields if x == n and f"{root}|{n}" in a), 0.0)
               for n in names}
        return run_model(model, net)["value_per_share"]

    factors = {**roots, STATEMENTS: [n for n in STATEMENT_INPUTS[model] if n in old],
               "cmp": [n for n in ("debt_weight",) if n in old]}
    return _rows(model, DRIVER_BASIS, symbols, since, day, old, new, value, factors, keep_zero=False)


def bridge_chart(attribution: Sequence[dict[str, Any]]) -> Chart:
    """The day's largest move (relative change of the base value per share) as a bridge: the previous value,
    each factor's contribution and the interaction, the current value."""
    rows = [r for r in attribution if r["measure"] == "intrinsic_value_per_share" and r["basis"] == INPUT_BASIS]
    first = max(rows, key=lambda r: (abs(r["total_change"]) / max(abs(r["previous_value"]), 1e-12), r["nse_symbol"]))
    steps = [r for r in rows if r["nse_symbol"] == first["nse_symbol"]]
    return Chart("waterfall", f"{first['nse_symbol']}: base value per share, {first['previous_valuation_date']} to "
                              f"{first['valuation_date']} ({first['model']})", {
        "step": ["previous", *(r["factor"] for r in steps), "current"],
        "value": [first["previous_value"], *(r["contribution"] for r in steps), first["current_value"]],
        "unit": ["Rs per share"],
    })


def value_days(conn: psycopg.Connection, days: Sequence[date], *, symbols: Sequence[str] | None = None
               ) -> dict[str, Any]:
    """Each weekday of a run's window in order (a day's attribution reads the day before's values). The
    attribution asset's own report (rows written, the last day's bridge picture) is under ``attribution``, the
    driver effects' under ``driver_effects``."""
    reports = [value_day(conn, d, symbols=symbols) for d in sorted(days) if d.weekday() < 5]
    bridges = [bridge for r in reports if (bridge := r.pop("bridge", None))]
    summary = table_report(conn, VALUATIONS.qualified, order_by="valuation_date desc, nse_symbol")
    summary["days"] = len(reports)
    summary["companies_valued"] = sum(r.get("companies_valued", 0) for r in reports)
    summary["attribution"] = {"dagster/row_count": sum(r.get("valuation_attribution/rows_in", 0) for r in reports),
                              **({"valuation_bridge": bridges[-1]} if bridges else {})}
    summary["driver_effects"] = {"dagster/row_count": sum(r.get("valuation_driver_effects/rows_in", 0)
                                                          for r in reports)}
    if reports:
        summary["last_day"] = Json(reports[-1])
    return summary
