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


RENDERERS: dict[str, Callable[[Mapping[str, Sequence[Any]], str], Any]] = {
    "price": price_with_indicators,
    "option_chain": option_chain,
    "drivers": driver_hierarchy,
    "series": series_over_time,
    "macro": macro_with_drivers,
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
