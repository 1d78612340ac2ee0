"""Trend charts, laid out here and drawn as inline SVG by ``_trend_chart.html``.

Same approach as :mod:`webui.chart`: no JavaScript library, no network, no inline style (the
page's CSP forbids it; series colours are CSS classes ``s0``…``s4``). By year the chart is a
line per query with a point per year; by province it is a horizontal bar per query and
province, because 31 province names do not fit under a horizontal axis. Every point and bar
is a link to the search it counts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from research.trends import Point, Trends


@dataclass(frozen=True)
class Mark:
    """One point (line chart) or bar (bar chart)."""

    series: int
    key: str
    count: int
    value: float  # what is plotted: the count, or the share in percent
    label: str  # "2021 年：12 篇（3.4%）"
    href: str
    x: float
    y: float
    width: float = 0.0  # bars only
    height: float = 0.0


@dataclass(frozen=True)
class Tick:
    value: float
    label: str
    pos: float  # y (line chart) or x (bar chart)


@dataclass(frozen=True)
class TrendChart:
    kind: str  # "line" | "bar"
    width: int
    height: int
    plot: tuple[float, float, float, float]  # left, top, right, bottom
    marks: list[Mark]
    lines: list[tuple[int, str]]  # (series, SVG points) for the line chart
    ticks: list[Tick]
    key_labels: list[Tick]  # x labels (line) or y labels (bar)
    measure: str  # "count" | "share"

    @property
    def description(self) -> str:
        return "；".join(m.label for m in self.marks)


def _nice_max(value: float) -> float:
    """The smallest 1/2/5 × 10^k at least ``value`` (axes end on round numbers)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _fmt(value: float, measure: str) -> str:
    if measure == "share":
        return f"{value:.1f}%" if value < 10 else f"{value:.0f}%"
    return f"{value:.0f}"


def _value(point: Point, measure: str) -> float:
    if measure == "share":
        return 100 * point.share if point.share is not None else 0.0
    return float(point.count)


def _label(point: Point, by: str) -> str:
    where = f"{point.key} 年" if by == "year" else point.key
    share = f"（占 {100 * point.share:.1f}%）" if point.share is not None else ""
    return f"{where}：{point.count} 篇{share}"


def trend_chart(trends: Trends, link: Callable[[Point], str], measure: str = "count", *,
                width: int = 720) -> TrendChart | None:
    """Lay out ``trends``; ``link`` gives the URL of a point's search. None if nothing to draw."""
    if not trends.keys or not trends.series:
        return None
    values = [_value(p, measure) for s in trends.series for p in s.points]
    top_value = _nice_max(max(values, default=0.0))
    if trends.by == "year":
        return _line_chart(trends, link, measure, top_value, width)
    return _bar_chart(trends, link, measure, top_value, width)


def _line_chart(trends: Trends, link: Callable[[Point], str], measure: str, top_value: float,
                width: int) -> TrendChart:
    height = 280
    left, top, right, bottom = 52.0, 16.0, width - 12.0, height - 28.0
    slot = (right - left) / len(trends.keys)
    marks: list[Mark] = []
    lines: list[tuple[int, str]] = []
    for index, series in enumerate(trends.series):
        coords = []
        for i, point in enumerate(series.points):
            value = _value(point, measure)
            x = round(left + (i + 0.5) * slot, 1)
            y = round(bottom - (bottom - top) * value / top_value, 1)
            coords.append(f"{x},{y}")
            marks.append(Mark(index, point.key, point.count, value, f"{series.query}，{_label(point, trends.by)}",
                              link(point), x, y))
        lines.append((index, " ".join(coords)))
    ticks = [Tick(top_value * f, _fmt(top_value * f, measure), round(bottom - (bottom - top) * f, 1))
             for f in (0, 0.25, 0.5, 0.75, 1)]
    every = max(1, math.ceil(len(trends.keys) * 40 / (right - left)))  # ~40 px per "2021"
    key_labels = [Tick(i, key, round(left + (i + 0.5) * slot, 1)) for i, key in enumerate(trends.keys)
                  if i % every == 0 or i == len(trends.keys) - 1]
    return TrendChart("line", width, height, (left, top, right, bottom), marks, lines, ticks, key_labels, measure)


def _bar_chart(trends: Trends, link: Callable[[Point], str], measure: str, top_value: float,
               width: int) -> TrendChart:
    n = len(trends.series)
    bar = 9.0 if n <= 2 else 6.0
    row = n * bar + 8.0
    left, top, right = 118.0, 8.0, width - 48.0
    bottom = top + row * len(trends.keys)
    height = int(bottom + 24)
    marks = []
    for index, series in enumerate(trends.series):
        for i, point in enumerate(series.points):
            value = _value(point, measure)
            length = (right - left) * value / top_value
            if point.count and length < 2:
                length = 2.0  # one document next to 500 stays visible
            marks.append(Mark(index, point.key, point.count, value, f"{series.query}，{_label(point, trends.by)}",
                              link(point), left, round(top + i * row + 4 + index * bar, 1),
                              round(length, 1), bar - 1))
    ticks = [Tick(top_value * f, _fmt(top_value * f, measure), round(left + (right - left) * f, 1))
             for f in (0, 0.25, 0.5, 0.75, 1)]
    key_labels = [Tick(i, key, round(top + i * row + row / 2, 1)) for i, key in enumerate(trends.keys)]
    return TrendChart("bar", width, height, (left, top, right, bottom), marks, [], ticks, key_labels, measure)
