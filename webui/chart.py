"""Hits-per-year bar chart, laid out on the server and drawn as inline SVG by a template.

People see a trend faster than they read a table, and a chart computed here needs no JavaScript
library and no network: it works on an intranet and in a saved page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from indexer.api import FacetValue

#: Longest span of years drawn; wider spans keep only the most recent years.
MAX_YEARS = 30


@dataclass(frozen=True)
class Bar:
    year: int
    count: int
    x: float
    y: float
    width: float
    height: float
    selected: bool


@dataclass(frozen=True)
class YearChart:
    bars: list[Bar]
    width: int
    height: int
    baseline: float  # y of the x axis
    max_count: int
    label_every: int  # label every n-th year so labels never overlap

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def year_chart(values: Iterable[FacetValue], selected: Iterable[str] = (), *,
               width: int = 640, height: int = 140) -> YearChart | None:
    """Lay out one bar per year from the ``year`` facet, with empty years shown as gaps.

    Returns ``None`` when there is nothing to draw (no dated hits), so the page shows no
    empty frame. Missing years between the first and last are drawn as zero bars because a
    gap is information: a government that stopped publishing is exactly what users look for.
    """
    counts: dict[int, int] = {}
    for facet_value in values:
        try:
            year = int(str(facet_value.value).strip())
        except ValueError:
            continue
        if 1900 <= year <= 2200 and facet_value.count > 0:
            counts[year] = counts.get(year, 0) + facet_value.count
    if not counts:
        return None
    selected_years = {str(s).strip() for s in selected}
    last = max(counts)
    first = max(min(counts), last - MAX_YEARS + 1)
    years = list(range(first, last + 1))

    top_pad, bottom_pad, side_pad = 18.0, 22.0, 4.0
    plot_height = height - top_pad - bottom_pad
    slot = (width - 2 * side_pad) / len(years)
    bar_width = max(2.0, slot * 0.7)
    max_count = max(counts.get(y, 0) for y in years)
    baseline = height - bottom_pad
    bars = []
    for index, year in enumerate(years):
        count = counts.get(year, 0)
        bar_height = plot_height * count / max_count if max_count else 0.0
        if count and bar_height < 2:
            bar_height = 2.0  # a year with one hit must stay visible next to one with 500
        bars.append(Bar(
            year=year, count=count,
            x=round(side_pad + index * slot + (slot - bar_width) / 2, 1),
            y=round(baseline - bar_height, 1),
            width=round(bar_width, 1), height=round(bar_height, 1),
            selected=str(year) in selected_years,
        ))
    label_every = max(1, -(-len(years) * 34 // width))  # ~34 px per "2021" label
    return YearChart(bars=bars, width=width, height=height, baseline=baseline,
                     max_count=max_count, label_every=label_every)
