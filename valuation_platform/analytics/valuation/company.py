"""From a company's screener statements and the market to model inputs, and the value they give.

Pure: polars frames in, polars frames / numpy arrays out. The valuation step
(:mod:`valuation_platform.pipelines.valuation.valuations`) reads the tables and writes the results.

Assumptions from history (annual statements known on the valuation date: period end + 60 days, the
listing rules' deadline for annual results), over the last ``HISTORY`` fiscal years:

* revenue: the latest year's Sales; growth_start: Sales CAGR over the history, clipped to
  [-5%, 25%] (10% when there is a single year); the growth path fades linearly from growth_start in
  year 1 to terminal_growth in year N.
* ebit_margin: sum(PBT + Interest - Other Income) / sum(Sales); tax_rate: sum(Tax) / sum(PBT) over
  profitable years, clipped to [0, 35%] (25% without one).
* reinvestment_rate: sum of the growth in (Net Block + CWIP) and (Receivables + Inventory) over sum of
  NOPAT, clipped to [0, 80%] (30% when it cannot be computed): capex net of D&A plus working capital.
  It fades linearly to the steady-state rate terminal_growth / RONIC by year N (RONIC = 15%, the return
  a mature company earns on new capital), so a heavy investment phase does not run forever.
* cash = Cash & Bank, debt = Borrowings (latest), diluted shares = "Adjusted Equity Shares in Cr"
  (crore, so Rs crore / crore shares = Rs a share), else No. of Equity Shares / 1e7.
* Financials: book_value = Equity Share Capital + Reserves; roe = sum(Net profit) / sum(opening book);
  payout_ratio = sum(Dividend Amount) / sum(Net profit), clipped to [0, 1] (30% without dividends).
* cost_of_debt = Interest / average Borrowings, clipped to [5%, 15%]; debt_weight =
  debt / (debt + CMP x shares), clipped to [0, 80%].

Market inputs: risk_free = the 10-year G-sec driver (percent / 100); beta 1.0 and ERP 7% (no beta
source yet); terminal growth per valuation group (``TERMINAL_GROWTH``, 5% nominal by default). The driver
chain then moves growth, margin, ROE and the risk-free rate (:mod:`.driver_effects`; docs/valuation_models.md).

Scenarios: the MACRO drivers' bull/base/bear values move two inputs: the 10-year yield moves risk_free
one for one, real GDP growth moves growth_start one for one (FCFF) and ROE by half as much (financials).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from valuation_platform.analytics.valuation.models import EXCESS_RETURN, FCFF, excess_return_value, fcff_value

HISTORY = 4  # fiscal years read (3 year-on-year changes)
FORECAST_YEARS = 10
KNOWN_AFTER_DAYS = 60
BETA, EQUITY_RISK_PREMIUM = 1.0, 0.07
DEFAULT_TERMINAL_GROWTH = 0.05
TERMINAL_GROWTH = {"TECHNOLOGY": 0.05, "FINANCIALS": 0.06, "CONSUMER_STAPLES": 0.055, "MATERIALS_METALS": 0.04,
                   "ENERGY_UTILITIES": 0.04}
ROE_PER_GDP = 0.5
TERMINAL_RONIC = 0.15
LINES = {
    ("PROFIT_LOSS", "Sales"): "sales", ("PROFIT_LOSS", "Profit before tax"): "pbt",
    ("PROFIT_LOSS", "Interest"): "interest", ("PROFIT_LOSS", "Other Income"): "other_income",
    ("PROFIT_LOSS", "Tax"): "tax", ("PROFIT_LOSS", "Net profit"): "net_profit",
    ("PROFIT_LOSS", "Dividend Amount"): "dividend", ("BALANCE_SHEET", "Equity Share Capital"): "share_capital",
    ("BALANCE_SHEET", "Reserves"): "reserves", ("BALANCE_SHEET", "Borrowings"): "borrowings",
    ("BALANCE_SHEET", "Net Block"): "net_block", ("BALANCE_SHEET", "Capital Work in Progress"): "cwip",
    ("BALANCE_SHEET", "Receivables"): "receivables", ("BALANCE_SHEET", "Inventory"): "inventory",
    ("BALANCE_SHEET", "Cash & Bank"): "cash", ("BALANCE_SHEET", "No. of Equity Shares"): "shares_units",
    ("DERIVED", "Adjusted Equity Shares in Cr"): "shares_cr",
}
# Inputs each model is re-run from (attribution recomputes values from the stored assumptions).
FCFF_ASSUMPTIONS = ("revenue", "growth_start", "ebit_margin", "reinvestment_rate", "tax_rate", "risk_free", "beta",
                    "equity_risk_premium", "cost_of_debt", "debt_weight", "terminal_growth", "cash", "debt",
                    "diluted_shares")
ER_ASSUMPTIONS = ("book_value", "roe", "payout_ratio", "risk_free", "beta", "equity_risk_premium",
                  "terminal_growth", "diluted_shares")
# Attribution factors by model: every other changed input is reported as "other".
DISCOUNT = ["risk_free", "beta", "equity_risk_premium", "cost_of_debt", "debt_weight"]
FACTORS = {FCFF: {"growth": ["growth_start"], "margin": ["ebit_margin"], "discount_rate": DISCOUNT},
           EXCESS_RETURN: {"roe": ["roe"], "discount_rate": ["risk_free", "beta", "equity_risk_premium"]}}


def annual_history(statements: pl.DataFrame) -> pl.DataFrame:
    """Long statement rows (nse_symbol, statement, period_end, line_item, value) -> one row per company and
    fiscal year with the lines the models read (missing lines are null)."""
    keys = pl.DataFrame({"statement": [s for s, _ in LINES], "line_item": [li for _, li in LINES],
                         "field": list(LINES.values())})
    wide = (statements.join(keys, on=["statement", "line_item"])
            .pivot(on="field", index=["nse_symbol", "period_end"], values="value", aggregate_function="first"))
    for name in LINES.values():
        if name not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
    return wide.sort("nse_symbol", "period_end")


def _clip(expr: pl.Expr, lo: float, hi: float, default: float) -> pl.Expr:
    return pl.when(expr.is_finite()).then(expr.clip(lo, hi)).otherwise(default)


def assumptions(history: pl.DataFrame) -> pl.DataFrame:
    """Per company: the history-based inputs of the module docstring, from :func:`annual_history` rows
    already restricted to what is known on the valuation date."""
    h = (history.sort("nse_symbol", "period_end").group_by("nse_symbol", maintain_order=True).tail(HISTORY)
         .with_columns(
             book=pl.col("share_capital").fill_null(0) + pl.col("reserves"),
             capital=pl.col("net_block").fill_null(0) + pl.col("cwip").fill_null(0),
             working=pl.col("receivables").fill_null(0) + pl.col("inventory").fill_null(0),
         )
         .with_columns(
             opening_book=pl.col("book").shift(1).over("nse_symbol"),
             reinvested=(pl.col("capital").diff() + pl.col("working").diff()).over("nse_symbol"),
             ebit=pl.col("pbt") + pl.col("interest").fill_null(0) - pl.col("other_income").fill_null(0),
             avg_borrowings=((pl.col("borrowings") + pl.col("borrowings").shift(1)) / 2).over("nse_symbol"),
         ))
    tax_rate = _clip(pl.col("tax").filter(pl.col("pbt") > 0).sum() / pl.col("pbt").filter(pl.col("pbt") > 0).sum(),
                     0.0, 0.35, 0.25)
    years = pl.col("period_end").filter(pl.col("sales").is_not_null())
    sales = pl.col("sales").drop_nulls()
    span = (years.last() - years.first()).dt.total_days() / 365.25
    cagr = pl.when(span > 0.5).then((sales.last() / sales.first()) ** (1 / span) - 1)
    out = h.group_by("nse_symbol", maintain_order=True).agg(
        statements_as_of=pl.col("period_end").last(),
        revenue=pl.col("sales").last(),
        growth_start=_clip(cagr, -0.05, 0.25, 0.10),
        ebit_margin=_clip(pl.col("ebit").sum() / pl.col("sales").filter(pl.col("ebit").is_not_null()).sum(),
                          -0.5, 0.6, 0.0),
        tax_rate=tax_rate,
        nopat_sum=(pl.col("ebit").filter(pl.col("reinvested").is_not_null()) * (1 - tax_rate)).sum(),
        reinvested_sum=pl.col("reinvested").sum(),
        cash=pl.col("cash").last().fill_null(0.0),
        debt=pl.col("borrowings").last().fill_null(0.0),
        diluted_shares=pl.coalesce(pl.col("shares_cr").last(), pl.col("shares_units").drop_nulls().last() / 1e7),
        book_value=pl.col("book").last(),
        roe=_clip(pl.col("net_profit").filter(pl.col("opening_book") > 0).sum()
                  / pl.col("opening_book").filter(pl.col("opening_book") > 0).sum(), -0.1, 0.4, 0.12),
        payout_ratio=_clip(pl.col("dividend").sum() / pl.col("net_profit").filter(pl.col("dividend").is_not_null())
                           .sum(), 0.0, 1.0, 0.3),
        cost_of_debt=_clip(pl.col("interest").filter(pl.col("avg_borrowings") > 0).sum()
                           / pl.col("avg_borrowings").filter(pl.col("avg_borrowings") > 0).sum(), 0.05, 0.15, 0.09),
    )
    reinvestment = pl.col("reinvested_sum") / pl.col("nopat_sum")
    return out.with_columns(
        reinvestment_rate=pl.when(pl.col("nopat_sum") > 0).then(_clip(reinvestment, 0.0, 0.8, 0.3)).otherwise(0.3)
    ).drop("nopat_sum", "reinvested_sum")


def fade(start: np.ndarray, end: np.ndarray, years: int) -> np.ndarray:
    """Linear fade from ``start`` (year 1) to ``end`` (year N): shape ``(n, years)``."""
    w = np.arange(years, dtype=float) / max(years - 1, 1)
    s, e = np.asarray(start, float)[:, None], np.asarray(end, float)[:, None]
    return s + (e - s) * w


def run_model(model: str, inputs: Mapping[str, np.ndarray], *, years: int = FORECAST_YEARS,
              mid_year: bool = False) -> dict[str, np.ndarray]:
    """A model on stored assumptions (growth_start, not the path): what valuations and attribution call."""
    if model == FCFF:
        a = {k: inputs[k] for k in FCFF_ASSUMPTIONS if k != "growth_start"}
        a["growth"] = fade(inputs["growth_start"], inputs["terminal_growth"], years)
        a["reinvestment_rate"] = fade(inputs["reinvestment_rate"],
                                      np.asarray(inputs["terminal_growth"], float) / TERMINAL_RONIC, years)
        return fcff_value(years=years, mid_year=mid_year, **a)
    if model == EXCESS_RETURN:
        return excess_return_value(years=years, **{k: inputs[k] for k in ER_ASSUMPTIONS})
    raise ValueError(f"unknown model {model!r}")


def scenario_shifts(drivers: Mapping[str, Mapping[str, float | None]], model: str) -> dict[str, dict[str, float]]:
    """Input shifts of bull/base/bear from the MACRO drivers ``interest_rate_10y`` and ``gdp_growth``
    (``{driver: {"bull": v, "base": v, "bear": v}}`` in percent); a driver without values moves nothing."""
    def delta(driver: str, scenario: str) -> float:
        values = drivers.get(driver) or {}
        if values.get(scenario) is None or values.get("base") is None:
            return 0.0
        return (float(values[scenario]) - float(values["base"])) / 100

    out: dict[str, dict[str, float]] = {}
    for scenario in ("bull", "base", "bear"):
        rate, gdp = delta("interest_rate_10y", scenario), delta("gdp_growth", scenario)
        shifts = {"risk_free": rate}
        shifts.update({"growth_start": gdp} if model == FCFF else {"roe": gdp * ROE_PER_GDP})
        out[scenario] = shifts
    return out
