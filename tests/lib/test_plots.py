"""lib/plots.py: each chart kind renders a real PNG (decoded by Pillow, not by matplotlib) that shows the data
it was given, embedded as a markdown data URI the Dagster UI renders inline."""

from __future__ import annotations

import base64
import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image

from valuation_platform.lib.metadata import to_metadata
from valuation_platform.lib.plots import COLOURS, render
from valuation_platform.pipelines.report import Chart

DATA_URI = re.compile(r"^!\[(?P<alt>[^\]]*)\]\(data:image/png;base64,(?P<png>[A-Za-z0-9+/=]+)\)$")


def decode(markdown: str) -> tuple[str, Image.Image]:
    match = DATA_URI.match(markdown)
    assert match, markdown[:120]
    image = Image.open(io.BytesIO(base64.b64decode(match["png"])))
    image.load()
    return match["alt"], image


def has_colour(image: Image.Image, hex_colour: str, tolerance: int = 12) -> bool:
    target = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return any(all(abs(p[c] - target[c]) <= tolerance for c in range(3)) for p in image.convert("RGB").getdata())


def test_price_chart_is_a_png_of_the_platform_size_with_the_close_line():
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(30)]
    close = [100 + i for i in range(30)]
    chart = Chart("price", "AAA: close", {
        "trade_date": days, "close": close, "sma_50": [None] * 30, "sma_200": [None] * 30,
        "bb_upper": [c + 2 for c in close], "bb_lower": [c - 2 for c in close], "rsi_14": [50.0] * 30,
    })
    alt, image = decode(render(chart))
    assert alt == "AAA: close"
    assert image.format == "PNG" and image.size == (720, 378)  # 8 x 4.2 inches at 90 dpi: the one style
    assert has_colour(image, COLOURS[0])  # the close line is drawn in the style's first colour


def test_option_chain_draws_calls_and_puts_in_their_colours():
    strikes = [90.0, 95.0, 100.0, 105.0, 110.0]
    chart = Chart("option_chain", "X expiring 2024-06-27", {
        "strike": strikes * 2, "option_type": ["CE"] * 5 + ["PE"] * 5,
        "iv": [0.25, 0.21, 0.19, 0.2, 0.23, 0.27, 0.22, 0.2, None, 0.24],
        "open_interest": [10, 40, 90, 50, 5, 8, 30, 80, 20, 2], "spot": [100.0],
    })
    _, image = decode(render(chart))
    assert has_colour(image, COLOURS[0]) and has_colour(image, COLOURS[1])


@pytest.mark.parametrize("kind,data", [
    ("drivers", {"driver_level": ["GROUP", "SUBGROUP"], "driver_name": ["demand", "cost"], "weight": [0.6, None]}),
    ("series", {"date": [date(2024, 3, 31), date(2024, 6, 30)], "Revenues": [10.0, 12.0], "NetIncome": [1.0, None]}),
    ("macro", {"date": [date(2024, 1, 31), date(2024, 2, 29)], "value": [6.9, 7.1], "driver_name": ["gsec_10y"],
               "bull_value": [6.4], "base_value": [6.8], "bear_value": [None]}),
])
def test_every_kind_renders(kind, data):
    _, image = decode(render(Chart(kind, kind, data)))
    assert image.size[0] == 720


def test_a_chart_in_a_report_becomes_markdown_metadata():
    chart = Chart("series", "one line", {"date": [date(2024, 1, 1), date(2024, 2, 1)], "x": [1.0, 2.0]})
    value = to_metadata({"picture": chart})["picture"]
    assert type(value).__name__ == "MarkdownMetadataValue"
    assert DATA_URI.match(value.value)


# -- the analyst's pictures of scores, valuations and portfolios: each drawn from a small worked frame, its PNG
# of the platform's width, and the drawn artists holding exactly the numbers handed in


def test_waterfall_bars_are_the_bridge():
    # previous 100; growth +12, margin -5, discount rate +3, interaction +0.5; current = 100 + 10.5 = 110.5
    from valuation_platform.lib.plots import waterfall

    data = {"step": ["previous", "growth", "margin", "discount_rate", "interaction", "current"],
            "value": [100.0, 12.0, -5.0, 3.0, 0.5, 110.5], "unit": ["Rs per share"]}
    figure = waterfall(data, "AAA")
    bars = figure.axes[0].patches
    assert [b.get_height() for b in bars] == [100.0, 12.0, -5.0, 3.0, 0.5, 110.5]
    # each change floats on the running total: 100, 112, 107, 110; the levels stand on zero
    assert [b.get_y() for b in bars] == [0.0, 100.0, 112.0, 107.0, 110.0, 0.0]
    assert sum(b.get_height() for b in bars[1:-1]) == pytest.approx(110.5 - 100.0)
    # the last change ends where the current level's bar ends
    assert bars[-2].get_y() + bars[-2].get_height() == pytest.approx(bars[-1].get_height())
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == data["step"]
    _, image = decode(render(Chart("waterfall", "AAA", data)))
    assert image.size == (720, 378) and has_colour(image, COLOURS[0]) and has_colour(image, COLOURS[1])


def test_quintile_returns_draws_the_means_in_percent_and_the_ic():
    from valuation_platform.lib.plots import quintile_returns

    days = [date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)]
    data = {"quintile": [1, 2, 3, 4, 5], "mean_return": [-0.02, -0.005, 0.0, 0.01, 0.03],
            "date": days, "ic": [0.1, -0.05, 0.2], "ic_mean": [0.1, 0.025, 0.0833]}
    figure = quintile_returns(data, "overall")
    bars, ic = figure.axes
    assert [round(b.get_height(), 9) for b in bars.patches] == [-2.0, -0.5, 0.0, 1.0, 3.0]  # fractions -> %
    assert [t.get_text() for t in bars.get_xticklabels()] == ["1", "2", "3", "4", "5"]  # quintile 1 first
    assert [b.get_height() for b in ic.patches] == [0.1, -0.05, 0.2]
    assert list(ic.lines[0].get_ydata()) == [0.1, 0.025, 0.0833]
    _, image = decode(render(Chart("quintile_returns", "overall", data)))
    assert image.size == (720, 378)


def test_score_history_draws_one_line_per_ticker_skipping_gaps():
    from valuation_platform.lib.plots import score_history

    days = [date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)]
    data = {"date": days, "AAA": [81.0, 83.0, 85.0], "BBB": [70.0, None, 79.0]}
    figure = score_history(data, "leaders")
    lines = {line.get_label(): line for line in figure.axes[0].lines if not line.get_label().startswith("_")}
    assert list(lines["AAA"].get_ydata()) == [81.0, 83.0, 85.0]
    assert list(lines["BBB"].get_ydata()) == [70.0, 79.0] and list(lines["BBB"].get_xdata()) == [days[0], days[2]]
    assert figure.axes[0].get_ylim() == (0.0, 100.0)
    _, image = decode(render(Chart("score_history", "leaders", data)))
    assert image.size == (720, 378) and has_colour(image, COLOURS[0]) and has_colour(image, COLOURS[1])


def test_portfolio_risk_draws_nav_drawdown_and_contributions():
    from valuation_platform.lib.plots import portfolio_risk

    days = [date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)]
    data = {"date": days, "nav": [1000.0, 900.0, 990.0], "drawdown": [0.0, -0.1, -0.01],
            "holding": ["AAA", "HEDGE"], "contribution": [0.15, -0.03]}
    figure = portfolio_risk(data, "P1")
    nav, drawdown, risk = figure.axes
    assert list(nav.lines[0].get_ydata()) == [1000.0, 900.0, 990.0]
    # the drawdown band runs from 0 down to -10 % (percent of the peak)
    band = drawdown.collections[0].get_paths()[0].vertices[:, 1]
    assert min(band) == pytest.approx(-10.0) and max(band) == pytest.approx(0.0)
    assert [round(b.get_width(), 9) for b in risk.patches] == [15.0, -3.0]
    assert [t.get_text() for t in risk.get_yticklabels()] == ["AAA", "HEDGE"]
    _, image = decode(render(Chart("portfolio_risk", "P1", data)))
    assert image.size == (720, 540)  # 8 x 6 inches at 90 dpi: three panels, the platform's width
