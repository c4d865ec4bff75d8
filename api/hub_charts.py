"""The hub page's pictures, drawn on the server as SVG: the geometry of a grouped bar chart with
its axis and values, a line chart of a series, and the grade of each heat map cell. The template
(hub.html) only places what is computed here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

# The heat map's grades: the lower bound of each (percent), its label, and its class in the CSS.
GRADES = ((100, "100%", "heat-4"), (75, "75–99%", "heat-3"), (50, "50–74%", "heat-2"))
GRADES += ((25, "25–49%", "heat-1"), (0, "0–24%", "heat-0"))
TICKS = (0, 25, 50, 75, 100)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float | None
    colour: str
    label: str  # the series's name, for the bar's tooltip


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int  # where the plot starts: the axis's labels sit to its left
    top: int
    bottom: int  # the plot's baseline (0%)
    ticks: tuple[tuple[int, float], ...]  # each percent on the axis, and its height
    groups: tuple[tuple[str, float], ...]  # each group's label and its centre
    bars: tuple[Bar, ...]

    def y_of(self, percent: float) -> float:
        return self.bottom - (self.bottom - self.top) * percent / 100


def bar_chart(series: Sequence[tuple[str, str, Mapping[str, Any]]], groups: Sequence[str]) -> Chart:
    """Bars for each group (a benchmark's number), one per series (name, colour, its values
    keyed by group); a missing value draws no bar and is said as "n/a"."""
    bar, gap, left, top, bottom = 18, 14, 44, 16, 196
    group_width = bar * len(series) + gap
    chart = Chart(
        width=left + group_width * len(groups) + 8,
        height=bottom + 28,
        left=left,
        top=top,
        bottom=bottom,
        ticks=(),
        groups=tuple(
            (f"BM{g}", left + gap / 2 + group_width * i + bar * len(series) / 2)
            for i, g in enumerate(groups)
        ),
        bars=(),
    )
    bars = []
    for i, group in enumerate(groups):
        for j, (name, colour, values) in enumerate(series):
            value = values.get(group) if values else None
            x = left + gap / 2 + group_width * i + bar * j
            y = chart.y_of(value or 0)
            bars.append(Bar(x, y, bar - 2, chart.bottom - y, value, colour, name))
    ticks = tuple((tick, chart.y_of(tick)) for tick in TICKS)
    return Chart(**{**chart.__dict__, "ticks": ticks, "bars": tuple(bars)})


@dataclass(frozen=True)
class Line:
    name: str
    colour: str
    points: tuple[tuple[float, float, float | None, str], ...]  # x, y, value, the point's label

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, value, _ in self.points if value is not None)


def line_chart(
    labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float | None]]]
) -> tuple[Chart, tuple[Line, ...]]:
    """A line per series over the labels (dates or years), on the same 0-100% axis."""
    left, top, bottom, step = 44, 16, 176, 120
    width = left + max(len(labels) - 1, 1) * step + 60
    frame = Chart(width, bottom + 28, left, top, bottom, (), (), ())
    xs = [left + 20 + step * i for i in range(len(labels))]
    lines = tuple(
        Line(
            name,
            colour,
            tuple(
                (x, frame.y_of(v or 0), v, label)
                for x, v, label in zip(xs, values, labels, strict=True)
            ),
        )
        for name, colour, values in series
    )
    ticks = tuple((tick, frame.y_of(tick)) for tick in TICKS)
    groups = tuple(zip(labels, xs, strict=True))
    return Chart(**{**frame.__dict__, "ticks": ticks, "groups": groups}), lines


def grade(percent: float | None) -> str:
    """The heat map class of a coverage or checklist score, in percent."""
    if percent is None:
        return "cell-na"
    return next(css for lower, _, css in GRADES if percent >= lower)
