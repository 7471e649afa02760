"""The pictures on asset pages: one module, one style, PNGs embedded in markdown metadata.

A pipeline step puts a :class:`~valuation_platform.pipelines.report.Chart` (plain columns, no plotting) in its
report; :func:`render` draws it here when the report becomes Dagster metadata. The Dagster UI renders a
markdown image whose source is a ``data:image/png;base64`` URI inline on the asset page, so the picture
travels with the materialization event (no file store, works for every run launcher). Each picture is one
ticker / one chain / one subgroup: small (tens of KB) and drawn in well under a second. matplotlib is
imported on first use, never when the code location loads.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from valuation_platform.pipelines.report import Chart

STYLE: dict[str, Any] = {  # the platform's one style
    "figure.figsize": (8.0, 4.2),
    "figure.dpi": 90,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
}
COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#5f5f5f")


def _pyplot():  # type: ignore[no-untyped-def]
    """pyplot on the Agg backend (no display: PNG bytes) with the platform's style applied: set process-wide,
    since titles, legends and ticks read the style when drawn, not only when the axes are created."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from cycler import cycler

    matplotlib.rcParams.update({**STYLE, "axes.prop_cycle": cycler(color=COLOURS)})
    return plt


def to_markdown(figure: Any, alt: str) -> str:
    """The figure as a markdown image with a base64 PNG data URI (closed afterwards: no figure leaks)."""
    plt = _pyplot()
    buffer = io.BytesIO()
    try:
        figure.tight_layout()
        figure.savefig(buffer, format="png")
    finally:
        plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"![{alt}](data:image/png;base64,{encoded})"


def _figure(rows: int = 1, **kwargs: Any) -> tuple[Any, Any]:
    return _pyplot().subplots(rows, 1, **kwargs)


def price_with_indicators(data: Mapping[str, Sequence[Any]], title: str) -> Any:
    """Close with SMA 50/200 and Bollinger bands above, RSI 14 with its 30/70 lines below."""
    figure, (price, rsi) = _figure(2, sharex=True, gridspec_kw={"height_ratios": (3, 1)})
    dates = data["trade_date"]
    price.plot(dates, data["close"], label="close", linewidth=1.2)
    for column in ("sma_50", "sma_200"):
        if column in data:
            price.plot(dates, data[column], label=column.upper().replace("_", " "), linewidth=0.9)
    if "bb_upper" in data and "bb_lower" in data:
        price.fill_between(dates, _floats(data["bb_lower"]), _floats(data["bb_upper"]), alpha=0.12,
                           label="Bollinger 20/2")
    price.set_title(title)
    price.legend(loc="upper left")
    rsi.plot(dates, data["rsi_14"], linewidth=0.9, color=COLOURS[3])
    for level in (30, 70):
        rsi.axhline(level, linestyle="--", linewidth=0.7, color=COLOURS[5])
    rsi.set_ylim(0, 100)
    rsi.set_ylabel("RSI 14")
    figure.autofmt_xdate()
    return figure


def option_chain(data: Mapping[str, Sequence[Any]], title: str) -> Any:
    """Implied-volatility smile (calls and puts) above, open interest by strike below, one expiry."""
    figure, (smile, oi) = _figure(2, sharex=True)
    calls = [str(t).upper() in ("C", "CE", "CALL") for t in data["option_type"]]
    for side, label, colour in ((True, "calls", COLOURS[0]), (False, "puts", COLOURS[1])):
        strikes = [k for k, c in zip(data["strike"], calls) if c == side]
        ivs = [v for v, c in zip(data["iv"], calls) if c == side]
        points = sorted((k, v) for k, v in zip(strikes, ivs) if v is not None)
        if points:
            smile.plot(*zip(*points), marker="o", markersize=3, linewidth=1, label=label, color=colour)
        width = _bar_width(data["strike"])
        oi.bar([k + (-width / 2 if side else width / 2) for k in strikes],
               [o or 0 for o, c in zip(data["open_interest"], calls) if c == side],
               width=width, label=label, color=colour, alpha=0.8)
    if "spot" in data and data["spot"]:
        for axis in (smile, oi):
            axis.axvline(data["spot"][0], linestyle="--", linewidth=0.8, color=COLOURS[5])
    smile.set_title(title)
    smile.set_ylabel("implied vol")
    smile.legend()
    oi.set_ylabel("open interest")
    oi.set_xlabel("strike")
    return figure


def driver_hierarchy(data: Mapping[str, Sequence[Any]], title: str) -> Any:
    """A subgroup's drivers as horizontal weight bars grouped by level (MACRO -> GROUP -> SUBGROUP)."""
    labels = [f"{level}: {name}" for level, name in zip(data["driver_level"], data["driver_name"])]
    weights = [w or 0.0 for w in data["weight"]]
    levels = list(dict.fromkeys(data["driver_level"]))
    figure, axis = _figure(1, figsize=(8.0, max(2.5, 0.28 * len(labels) + 1)))
    colours = [COLOURS[levels.index(level) % len(COLOURS)] for level in data["driver_level"]]
    axis.barh(range(len(labels)), weights, color=colours)
    axis.set_yticks(range(len(labels)), labels)
    axis.invert_yaxis()
    axis.set_xlabel("weight")
    axis.set_title(title)
    return figure


def series_over_time(data: Mapping[str, Sequence[Any]], title: str) -> Any:
    """Several series over one date axis (a company's statement lines, a macro series and its drivers):
    ``date`` plus one column per line; each line on its own scale when ``separate_axes`` is set."""
    names = [c for c in data if c != "date"]
    figure, axes = _figure(len(names), sharex=True, figsize=(8.0, 1.6 * len(names) + 1), squeeze=False)
    for axis, name, colour in zip(axes[:, 0], names, COLOURS * 4):
        points = [(d, v) for d, v in zip(data["date"], data[name]) if v is not None]
        if points:
            axis.plot(*zip(*points), marker="o", markersize=2.5, linewidth=1, color=colour)
        axis.set_ylabel(name, rotation=0, ha="right")
    axes[0, 0].set_title(title)
    figure.autofmt_xdate()
    return figure


def macro_with_drivers(data: Mapping[str, Sequence[Any]], title: str) -> Any:
    """A macro series over time with the bull / base / bear levels of the drivers that read it."""
    figure, axis = _figure(1)
    points = [(d, v) for d, v in zip(data["date"], data["value"]) if v is not None]
    if points:
        axis.plot(*zip(*points), linewidth=1.2, label="series")
    for name, colour, *levels in zip(data["driver_name"], COLOURS[1:] * 4, data["bull_value"],
                                     data["base_value"], data["bear_value"]):
        for level, style, case in zip(levels, (":", "--", "-."), ("bull", "base", "bear")):
            if level is not None:
                axis.axhline(level, linestyle=style, linewidth=0.8, color=colour, label=f"{name} {case}")
    axis.set_title(title)
    axis.legend(loc="best")
    figure.autofmt_xdate()
    return figure


RATING_BANDS = (35, 50, 65, 80)  # IC Score rating thresholds: Sell < 35 <= Underperform < 50 <= Hold < 65 ...


def score_history(data: Mapping[str, Sequence[Any]], title: str) -> Any:
    """Several tickers' scores (0..100) on one date axis (``date`` plus one column per ticker), with the rating
    band thresholds dotted."""
    figure, axis = _figure(1)
    for name in (c for c in data if c != "date"):
        points = [(d, v) for d, v in zip(data["date"], data[name]) if v is not None]
        if points:
            axis.plot(*zip(*points), marker="o", markersize=2, linewidth=1, label=name)
    for level in RATING_BANDS:
        axis.axhline(level, linestyle=":", linewidth=0.7, color=COLOURS[5])
    axis.set_ylim(0, 100)
    axis.set_ylabel("overall score")
    axis.set_title(title)
    axis.legend(loc="lower left", ncol=5)
    figure.autofmt_xdate()
    return figure


def quintile_returns(data: Mapping[str, Sequence[Any]], title: str) -> Any:
    """Mean forward return by score quintile (``quintile`` 1 = lowest scores, ``mean_return``) as bars above;
    the information coefficient per date (``date``, ``ic``) and its rolling mean (``ic_mean``) below."""
    figure, (bars, ic) = _figure(2, gridspec_kw={"height_ratios": (3, 2)})
    returns = [100 * (v or 0.0) for v in data["mean_return"]]
    bars.bar([str(q) for q in data["quintile"]], returns,
             color=[COLOURS[0] if v >= 0 else COLOURS[1] for v in returns])
    bars.axhline(0, linewidth=0.7, color=COLOURS[5])
    bars.set_xlabel("score quintile (1 = lowest)")
    bars.set_ylabel("mean forward return, %")
    bars.set_title(title)
    if data.get("date"):
        ic.bar(data["date"], _floats(data["ic"]), color=COLOURS[2], alpha=0.6, label="IC")
        ic.plot(data["date"], _floats(data["ic_mean"]), color=COLOURS[3], linewidth=1.2, label="rolling mean")
        ic.axhline(0, linewidth=0.7, color=COLOURS[5])
        ic.legend(loc="upper left")
    ic.set_ylabel("rank IC")
    return figure


def waterfall(data: Mapping[str, Sequence[Any]], title: str) -> Any:
    """A bridge: ``step`` labels and ``value``s, the first and last being levels (bars from zero), the ones
    between being changes stacked on the running total (up in the first colour, down in the second)."""
    figure, axis = _figure(1)
    values = [float(v) for v in data["value"]]
    running, bottoms, heights, colours = values[0], [0.0], [values[0]], [COLOURS[5]]
    for change in values[1:-1]:
        bottoms.append(running)
        heights.append(change)
        colours.append(COLOURS[0] if change >= 0 else COLOURS[1])
        running += change
    bottoms.append(0.0)
    heights.append(values[-1])
    colours.append(COLOURS[5])
    axis.bar(range(len(values)), heights, bottom=bottoms, color=colours)
    axis.set_xticks(range(len(values)), [str(s) for s in data["step"]], rotation=20, ha="right")
    axis.set_ylabel(str(data.get("unit", ["value"])[0]))
    axis.set_title(title)
    return figure


def portfolio_risk(data: Mapping[str, Sequence[Any]], title: str) -> Any:
    """A portfolio's NAV (``date``, ``nav``) above, its drawdown (``drawdown``, <= 0) filled below it, and each
    holding's contribution to volatility (``holding``, ``contribution``) as horizontal bars at the bottom."""
    holdings = list(data["holding"])
    figure, (nav, drawdown, risk) = _figure(
        3, figsize=(8.0, 6.0), gridspec_kw={"height_ratios": (3, 2, max(2, 0.35 * len(holdings) + 1))})
    nav.plot(data["date"], _floats(data["nav"]), linewidth=1.2)
    nav.set_ylabel("NAV")
    nav.set_title(title)
    drawdown.sharex(nav)
    drawdown.fill_between(data["date"], [100 * v for v in _floats(data["drawdown"])], 0, color=COLOURS[1],
                          alpha=0.5)
    drawdown.set_ylabel("drawdown, %")
    drawdown.tick_params(axis="x", labelrotation=20)
    nav.tick_params(axis="x", labelbottom=False)
    contributions = [100 * v for v in _floats(data["contribution"])]
    risk.barh(range(len(holdings)), contributions,
              color=[COLOURS[0] if v >= 0 else COLOURS[2] for v in contributions])
    risk.set_yticks(range(len(holdings)), holdings)
    risk.invert_yaxis()
    risk.set_xlabel("contribution to annualised volatility, % points")
    return figure


RENDERERS: dict[str, Callable[[Mapping[str, Sequence[Any]], str], Any]] = {
    "price": price_with_indicators,
    "option_chain": option_chain,
    "drivers": driver_hierarchy,
    "series": series_over_time,
    "macro": macro_with_drivers,
    "score_history": score_history,
    "quintile_returns": quintile_returns,
    "waterfall": waterfall,
    "portfolio_risk": portfolio_risk,
}


def render(chart: Chart) -> str:
    """The chart as markdown (a base64 PNG image), drawn by the renderer its ``kind`` names."""
    return to_markdown(RENDERERS[chart.kind](chart.data, chart.title), chart.title)


def _floats(values: Sequence[Any]) -> list[float]:
    return [float("nan") if v is None else float(v) for v in values]


def _bar_width(strikes: Sequence[Any]) -> float:
    distinct = sorted({float(k) for k in strikes})
    gaps = [b - a for a, b in zip(distinct, distinct[1:]) if b > a]
    return 0.4 * min(gaps) if gaps else 1.0
