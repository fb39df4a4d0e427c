"""Axis ranges, tick positions and tick labels, shared by the text and the file charts so both read alike."""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

from hacalc.cli.charts.model import Axis, Scale
from hacalc.core.units import format_duration

MINUTE, HOUR, DAY = 60, 3600, 86400
# durations people read on an axis: a log axis takes them as they come, a linear one uses them as steps
DURATION_MARKS = (0.001, 0.01, 0.1, 1, 10, MINUTE, 10 * MINUTE, HOUR, 6 * HOUR, DAY, 7 * DAY, 30 * DAY, 365 * DAY)
DURATION_STEPS = (1, 2, 5, 10, 15, 30, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
                  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 30 * DAY, 365 * DAY)  # fmt: skip


def span(axis: Axis, values: Iterable[float]) -> tuple[float, float]:
    """The range an axis shows: every value, a little room either side (a decade's tenth on a log axis)."""
    shown = [value for value in values if math.isfinite(value) and (value > 0 or not axis.log)]
    if not shown:
        return (0.1, 1.0) if axis.log else (0.0, 1.0)
    low, high = min(shown), max(shown)
    if axis.log:
        low, high = (low / 2, high * 2) if low == high else (low, high)
        return low / 10 ** 0.1, high * 10 ** 0.1
    if low == high:
        return (low - 1, high + 1) if low else (0.0, 1.0)
    room = (high - low) * 0.05
    return (0.0 if low >= 0 and low - room < 0 else low - room), high + room


def ticks(axis: Axis, low: float, high: float, most: int) -> list[float]:
    """At most ``most`` tick positions inside [low, high]."""
    if axis.log:
        marks = DURATION_MARKS if axis.scale is Scale.duration else tuple(10.0**power for power in range(-15, 16))
        inside = [mark for mark in marks if low <= mark <= high]
        stride = max(1, math.ceil(len(inside) / max(most, 1)))
        return inside[::stride] if inside else [low, high]
    step = _step(axis, (high - low) / max(most - 1, 1))
    first = math.ceil(low / step)
    return [index * step for index in range(first, math.floor(high / step) + 1)]


def _step(axis: Axis, least: float) -> float:
    if axis.scale is Scale.duration and least >= 1:
        return next((step for step in DURATION_STEPS if step >= least), DURATION_STEPS[-1] * math.ceil(least / DURATION_STEPS[-1]))
    power = 10 ** math.floor(math.log10(least)) if least > 0 else 1.0
    return next(multiple * power for multiple in (1, 2, 5, 10) if multiple * power >= least)


def text(scale: Scale, value: float) -> str:
    """A tick or value as the tables write it: durations as 2h 37m, shares as percentages."""
    if scale is Scale.duration:
        return format_duration(Fraction(value).limit_denominator(10**6) if value else Fraction(0), trim=True)
    if scale is Scale.share:
        return f"{value * 100:.4g}%"
    if scale is Scale.probability:
        return f"{value:.3g}"
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.3g}"
