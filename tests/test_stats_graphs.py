"""Graphs: PNGs that Pillow opens, the current bucket drawn (highlighted), and no figure left behind."""

from __future__ import annotations

import gc
import io
from datetime import UTC, datetime, timedelta

import matplotlib.pyplot as pyplot
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PIL import Image

from data.repositories.stats import Metric, Series, Span, StatsRepository
from stats.graphs import BAR_COLOR, CURRENT_BAR_COLOR, GraphRenderer, render_png
from tests.plugins.stats import FIXED_NOW, seed_known_rows

HOURS = [datetime(2026, 6, 15, 12, tzinfo=UTC) - timedelta(hours=back) for back in range(23, -1, -1)]


def colors_in(png: bytes) -> set[tuple[int, int, int]]:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return {pixel[:3] for _, pixel in image.convert("RGB").getcolors(maxcolors=1 << 20)}


def rgb(color: str) -> tuple[int, int, int]:
    red, green, blue = to_rgb(color)
    return round(red * 255), round(green * 255), round(blue * 255)


def live_figures() -> int:
    gc.collect()
    return sum(isinstance(thing, Figure) for thing in gc.get_objects())


def test_a_count_in_the_current_hour_only_draws_the_current_bar() -> None:
    png = render_png(Series(Metric.REGISTRATIONS, Span.DAILY, HOURS, [0] * 23 + [5]))
    colors = colors_in(png)
    assert rgb(CURRENT_BAR_COLOR) in colors
    assert rgb(BAR_COLOR) not in colors


def test_empty_series_draws_no_bars() -> None:
    colors = colors_in(render_png(Series(Metric.SOUNDS, Span.DAILY, HOURS, [0] * 24)))
    assert rgb(CURRENT_BAR_COLOR) not in colors
    assert rgb(BAR_COLOR) not in colors


async def test_fifty_graphs_leave_no_figure_open(stats_pg_sessions) -> None:
    await seed_known_rows(stats_pg_sessions, FIXED_NOW)
    repository = StatsRepository(stats_pg_sessions, clock=lambda: FIXED_NOW)
    series = [await repository.series(metric, span) for metric in Metric for span in Span]
    renderer = GraphRenderer()
    try:
        await renderer.render(series[0])
        before = live_figures()
        for number in range(50):
            png = await renderer.render(series[number % len(series)])
            with Image.open(io.BytesIO(png)) as image:
                assert image.format == "PNG"
        assert live_figures() == before
        assert pyplot.get_fignums() == []
    finally:
        renderer.close()
