"""What a chart shows, apart from how it is drawn: the terminal and matplotlib draw the same ``Chart``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Scale(str, Enum):
    """How an axis reads its values; durations get ticks at whole seconds, minutes, hours and days."""

    number = "number"
    duration = "duration"  # seconds
    probability = "probability"
    share = "share"  # 0-1, shown as a percentage


@dataclass(frozen=True)
class Axis:
    label: str  # with its unit: "downtime per year", "annual cost (as --spare-cost)"
    scale: Scale = Scale.number
    log: bool = False


@dataclass(frozen=True)
class Series:
    """One kind of thing on the chart: its points (in data order) and, for files, a label beside each."""

    label: str
    points: tuple[tuple[float, float], ...]
    joined: bool = True
    point_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A reference line across the plot: a target, a budget, a quantile."""

    label: str
    value: float
    vertical: bool = False
    emphasis: bool = True  # the budget or target; quantiles are quieter


@dataclass(frozen=True)
class LineChart:
    title: str
    subtitle: str  # the inputs and conventions the numbers rest on
    x: Axis
    y: Axis
    series: tuple[Series, ...]
    rules: tuple[Rule, ...] = ()
    highlight: tuple[str, float, float] | None = None  # label, x, y: the recommended option
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: stacked parts, an optional limit marked on it, and whether it is flagged."""

    label: str
    parts: tuple[float, ...]
    limit: float | None = None
    note: str = ""
    flagged: bool = False


@dataclass(frozen=True)
class BarGroup:
    axis: Axis
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class BarChart:
    title: str
    subtitle: str
    parts: tuple[str, ...]  # legend names of the stacked parts, in order
    limit: str  # what the mark on each bar is: "capacity", "budget"
    groups: tuple[BarGroup, ...]
    flagged: str = ""  # what a flagged bar means: "failed in the worst set", "over budget"
    notes: tuple[str, ...] = ()


Chart = LineChart | BarChart
