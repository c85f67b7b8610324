"""PNG graphs of a series, drawn with matplotlib's object API (Agg) in a bounded executor.

No pyplot: its global figure registry is what leaks figures in long-running processes. A `Figure`
made here belongs to nobody else and is cleared as soon as its PNG is written.
"""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from data.repositories.stats import Metric, Series, Span

# matplotlib's text and font caches are not made for threads: one drawing at a time.
GRAPH_WORKERS = 1
SIZE_INCHES = (10, 5)
DPI = 100
# Fixed margins: matplotlib's automatic layouts cost a third of the drawing time.
MARGINS = {"left": 0.09, "right": 0.985, "top": 0.92, "bottom": 0.15}
# Telegram recompresses photos anyway; a light zlib level saves time, not quality.
PNG_COMPRESSION = 1
BAR_COLOR = "#4c78a8"
CURRENT_BAR_COLOR = "#f58518"  # the bucket that holds "now", still filling up

METRIC_TITLES = {
    Metric.REGISTRATIONS: "Registrations",
    Metric.VIDEOS: "Videos and slideshows delivered",
    Metric.SOUNDS: "Sounds delivered",
}
SPAN_TITLES = {
    Span.DAILY: "last 24 hours, per hour",
    Span.WEEKLY: "last 7 days, per day",
    Span.MONTHLY: "last 30 days, per day",
    Span.TOTAL: "all time, per month",
}
_LABEL_FORMATS = {Span.DAILY: "%H:00", Span.WEEKLY: "%a %d", Span.MONTHLY: "%b %d", Span.TOTAL: "%Y-%m"}


def graph_title(series: Series) -> str:
    return f"{METRIC_TITLES[series.metric]}: {SPAN_TITLES[series.span]} (UTC)"


def render_png(series: Series) -> bytes:
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    try:
        _draw(figure, series)
        figure.subplots_adjust(**MARGINS)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", pil_kwargs={"compress_level": PNG_COMPRESSION})
        return buffer.getvalue()
    finally:
        figure.clear()


def _draw(figure: Figure, series: Series) -> None:
    axes = figure.add_subplot()
    positions = range(len(series.values))
    colors = [BAR_COLOR] * len(series.values)
    colors[-1] = CURRENT_BAR_COLOR
    axes.bar(positions, series.values, color=colors, width=0.8)
    axes.set_title(f"{graph_title(series)} · total {series.total:,}")
    axes.set_ylim(bottom=0, top=max(max(series.values, default=0), 1) * 1.1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", alpha=0.3)
    step = max(1, len(series.buckets) // 12)
    shown = list(positions)[::-1][::step][::-1]  # always label the current bucket
    axes.set_xticks(shown, [_label(series.buckets[i], series.span) for i in shown], rotation=45, ha="right")
    axes.set_xlim(-0.6, len(series.values) - 0.4)


def _label(bucket: datetime, span: Span) -> str:
    return bucket.strftime(_LABEL_FORMATS[span])


class GraphRenderer:
    """Owns the drawing thread; `close()` waits for a drawing in progress and stops it."""

    def __init__(self, workers: int = GRAPH_WORKERS) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stats-graph")

    async def render(self, series: Series) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(self._executor, render_png, series)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
