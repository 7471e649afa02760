"""Intrinsic value models, vectorised over companies: an FCFF DCF for operating companies and an
excess-return (residual income) model for financials. Pure numpy: arrays in, arrays out.

Inputs are keyword arrays of shape ``(n,)`` (one value per company, held for every forecast year) or
``(n, N)`` (a path over the N explicit years). Rates are decimals (0.12 = 12%), money in one currency
unit (Rs crore for the screener statements), shares in the same scale as money / per-share value.

FCFF DCF (``fcff_value``), for year t = 1..N::

    revenue_t  = revenue_0 x prod_{s<=t} (1 + growth_s)
    NOPAT_t    = revenue_t x ebit_margin_t x (1 - tax_rate)
    FCFF_t     = NOPAT_t x (1 - reinvestment_rate_t)          (reinvestment = capex - D&A + dNWC, as a share of NOPAT)
    Ke         = risk_free + beta x equity_risk_premium
    WACC       = (1 - debt_weight) x Ke + debt_weight x cost_of_debt x (1 - tax_rate)
    TV_N       = FCFF_N x (1 + g) / (WACC - g)                  (Gordon growth at the end of year N)
    EV         = sum_t FCFF_t / (1 + WACC)^(t - h) + TV_N / (1 + WACC)^N
    equity     = EV + cash - debt;   value per share = equity / diluted_shares

Convention: cash flows arrive at year ends (h = 0). ``mid_year=True`` sets h = 0.5 for the explicit
cash flows only (they arrive evenly through the year); the terminal value stays at the end of year N,
discounted N periods, in both cases. WACC <= g has no Gordon value: the result is NaN, never a number.

Excess return (``excess_return_value``), for banks, NBFCs and insurers, whose debt is raw material
rather than financing (an FCFF on a bank is wrong)::

    Ke             = risk_free + beta x equity_risk_premium
    NI_t           = roe_t x B_{t-1}                 (B_0 = book_value, opening book of the year)
    excess_t       = (roe_t - Ke) x B_{t-1}
    B_t            = B_{t-1} + NI_t x (1 - payout_ratio)
    TV_N           = (roe_N - Ke) x B_N / (Ke - g)   (the excess return of year N+1 on the closing book,
                                                      growing at g; Ke <= g gives NaN)
    equity         = B_0 + sum_t excess_t / (1 + Ke)^t + TV_N / (1 + Ke)^N
    value per share = equity / diluted_shares
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

FCFF, EXCESS_RETURN = "FCFF", "EXCESS_RETURN"
FCFF_INPUTS = ("revenue", "growth", "ebit_margin", "reinvestment_rate", "tax_rate", "risk_free", "beta",
               "equity_risk_premium", "cost_of_debt", "debt_weight", "terminal_growth", "cash", "debt",
               "diluted_shares")
EXCESS_RETURN_INPUTS = ("book_value", "roe", "payout_ratio", "risk_free", "beta", "equity_risk_premium",
                        "terminal_growth", "diluted_shares")
# Valuation groups whose companies (banks, NBFCs, insurers, brokers, exchanges, rating agencies) are valued
# on excess returns: their debt is raw material, not financing, so free cash flow to the firm is undefined.
FINANCIAL_GROUPS = frozenset({"FINANCIALS"})


def _column(x: np.ndarray | float) -> np.ndarray:
    """``(n,)`` -> ``(n, 1)`` so it broadcasts over the forecast years; ``(n, N)`` passes through."""
    a = np.asarray(x, dtype=float)
    return a[:, None] if a.ndim == 1 else a


def _path(x: np.ndarray | float, n: int, years: int) -> np.ndarray:
    return np.broadcast_to(_column(x), (n, years)).astype(float)


def cost_of_equity(risk_free: np.ndarray, beta: np.ndarray, equity_risk_premium: np.ndarray) -> np.ndarray:
    return np.asarray(risk_free, float) + np.asarray(beta, float) * np.asarray(equity_risk_premium, float)


def wacc(risk_free: np.ndarray, beta: np.ndarray, equity_risk_premium: np.ndarray, cost_of_debt: np.ndarray,
         debt_weight: np.ndarray, tax_rate: np.ndarray) -> np.ndarray:
    ke = cost_of_equity(risk_free, beta, equity_risk_premium)
    w = np.asarray(debt_weight, float)
    return (1 - w) * ke + w * np.asarray(cost_of_debt, float) * (1 - np.asarray(tax_rate, float))


def _gordon(next_flow: np.ndarray, rate: np.ndarray, g: np.ndarray) -> np.ndarray:
    spread = rate - g
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(spread > 0, next_flow / np.where(spread > 0, spread, 1.0), np.nan)


def fcff_value(*, years: int, mid_year: bool = False, **inputs: np.ndarray) -> dict[str, np.ndarray]:
    """FCFF DCF of ``n`` companies over ``years`` explicit years; see the module docstring.

    Returns arrays of shape ``(n,)``: value_per_share, equity_value, enterprise_value, pv_explicit,
    pv_terminal, terminal_value, wacc, cost_of_equity; and ``fcff`` of shape ``(n, years)``.
    """
    missing = set(FCFF_INPUTS) - set(inputs)
    if missing:
        raise ValueError(f"fcff_value needs {sorted(missing)}")
    revenue0 = np.asarray(inputs["revenue"], float)
    n = revenue0.shape[0]
    growth = _path(inputs["growth"], n, years)
    margin = _path(inputs["ebit_margin"], n, years)
    reinvest = _path(inputs["reinvestment_rate"], n, years)
    tax = np.asarray(inputs["tax_rate"], float)
    revenue = revenue0[:, None] * np.cumprod(1 + growth, axis=1)
    fcff = revenue * margin * (1 - tax[:, None]) * (1 - reinvest)
    rate = wacc(inputs["risk_free"], inputs["beta"], inputs["equity_risk_premium"], inputs["cost_of_debt"],
                inputs["debt_weight"], tax)
    g = np.asarray(inputs["terminal_growth"], float)
    t = np.arange(1, years + 1, dtype=float) - (0.5 if mid_year else 0.0)
    pv_explicit = (fcff / (1 + rate[:, None]) ** t).sum(axis=1)
    terminal = _gordon(fcff[:, -1] * (1 + g), rate, g)
    pv_terminal = terminal / (1 + rate) ** years
    ev = pv_explicit + pv_terminal
    equity = ev + np.asarray(inputs["cash"], float) - np.asarray(inputs["debt"], float)
    return {
        "value_per_share": equity / np.asarray(inputs["diluted_shares"], float),
        "equity_value": equity, "enterprise_value": ev, "pv_explicit": pv_explicit, "pv_terminal": pv_terminal,
        "terminal_value": terminal, "wacc": rate,
        "cost_of_equity": cost_of_equity(inputs["risk_free"], inputs["beta"], inputs["equity_risk_premium"]),
        "fcff": fcff,
    }


def excess_return_value(*, years: int, **inputs: np.ndarray) -> dict[str, np.ndarray]:
    """Excess-return value of ``n`` financial companies over ``years`` explicit years (module docstring).

    Returns ``(n,)`` arrays value_per_share, equity_value, book_value, pv_explicit, pv_terminal,
    terminal_value, cost_of_equity; ``excess_return`` and ``closing_book`` of shape ``(n, years)``.
    """
    missing = set(EXCESS_RETURN_INPUTS) - set(inputs)
    if missing:
        raise ValueError(f"excess_return_value needs {sorted(missing)}")
    book0 = np.asarray(inputs["book_value"], float)
    n = book0.shape[0]
    roe = _path(inputs["roe"], n, years)
    retention = 1 - _path(inputs["payout_ratio"], n, years)
    ke = cost_of_equity(inputs["risk_free"], inputs["beta"], inputs["equity_risk_premium"])
    # Closing book B_t = B_0 x prod (1 + roe_s x retention_s); opening book is the previous closing one.
    closing = book0[:, None] * np.cumprod(1 + roe * retention, axis=1)
    opening = np.concatenate([book0[:, None], closing[:, :-1]], axis=1)
    excess = (roe - ke[:, None]) * opening
    t = np.arange(1, years + 1, dtype=float)
    pv_explicit = (excess / (1 + ke[:, None]) ** t).sum(axis=1)
    g = np.asarray(inputs["terminal_growth"], float)
    terminal = _gordon((roe[:, -1] - ke) * closing[:, -1], ke, g)
    pv_terminal = terminal / (1 + ke) ** years
    equity = book0 + pv_explicit + pv_terminal
    return {
        "value_per_share": equity / np.asarray(inputs["diluted_shares"], float),
        "equity_value": equity, "book_value": book0, "pv_explicit": pv_explicit, "pv_terminal": pv_terminal,
        "terminal_value": terminal, "cost_of_equity": ke, "excess_return": excess, "closing_book": closing,
    }


def model_for(valuation_group: str | None) -> str:
    """EXCESS_RETURN for the FINANCIALS group (banks, NBFCs, insurers, exchanges, ratings); FCFF otherwise."""
    return EXCESS_RETURN if valuation_group in FINANCIAL_GROUPS else FCFF


def value(model: str, *, years: int, mid_year: bool = False, **inputs: np.ndarray) -> dict[str, np.ndarray]:
    if model == FCFF:
        return fcff_value(years=years, mid_year=mid_year, **inputs)
    if model == EXCESS_RETURN:
        return excess_return_value(years=years, **inputs)
    raise ValueError(f"unknown model {model!r}")


def apply_scenario(inputs: Mapping[str, np.ndarray], shifts: Mapping[str, np.ndarray | float]) -> dict:
    """A scenario's inputs: each shifted input moves additively (``growth + 0.02``), the rest are kept.

    Bull/base/bear come from the drivers' scenario values translated into input shifts; the base shift
    is usually empty. A shift for an input the model does not use is an error, not silently dropped.
    """
    unknown = set(shifts) - set(inputs)
    if unknown:
        raise ValueError(f"scenario shifts inputs the model does not have: {sorted(unknown)}")
    return {k: (np.asarray(v, float) + np.asarray(shifts[k], float)) if k in shifts else v
            for k, v in inputs.items()}


def value_scenarios(model: str, inputs: Mapping[str, np.ndarray], scenarios: Mapping[str, Mapping],
                    *, years: int, mid_year: bool = False) -> dict[str, np.ndarray]:
    """Value per share under each scenario (``{"bull": shifts, "base": {}, "bear": shifts}``)."""
    return {name: value(model, years=years, mid_year=mid_year, **apply_scenario(inputs, shifts))
            ["value_per_share"] for name, shifts in scenarios.items()}


def upside_pct(value_per_share: np.ndarray, cmp: np.ndarray) -> np.ndarray:
    """(intrinsic value / current market price - 1) x 100; NaN without a positive CMP."""
    price = np.asarray(cmp, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(price > 0, (np.asarray(value_per_share, float) / np.where(price > 0, price, 1) - 1)
                        * 100, np.nan)
