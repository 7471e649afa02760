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
