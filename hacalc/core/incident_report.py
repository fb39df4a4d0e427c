"""What a window of incidents adds up to: counted time, downtime, failures and estimates, per object and group.

Time counts when it lies in the window, inside service hours (if given) and outside planned time
(planned incidents, maintenance windows) unless planned time is counted. An object's overlapping outages
are merged before anything is summed, so shared time is never counted twice (reference
inventories.md §3.4). A merged outage that shares time with a period is one failure of that period;
it is repaired in the period if it ends by the period's end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from fractions import Fraction
from typing import Any, NamedTuple

from hacalc.core.availability import Availability
from hacalc.core.errors import InputError
from hacalc.core.incidents import MICROSECONDS, IncidentTable
from hacalc.core.observed import DEFAULT_CONFIDENCE, ObservedEstimate, estimate
from hacalc.core.timeline import WeeklyWindow, calendar_periods, clip, subtract, weekly_intervals
from hacalc.i18n import N_, _


@dataclass(frozen=True)
class Counting:
    """Which time counts: the window, service hours, planned time, and how the report is split."""

    start: int  # µs, UTC
    end: int
    zone: tzinfo
    service_hours: tuple[WeeklyWindow, ...] = ()
    maintenance: tuple[WeeklyWindow, ...] = ()
    count_planned: bool = False
    calendar: str | None = None  # month, quarter, year, week, day
    confidence: Fraction = DEFAULT_CONFIDENCE
    window_from_data: bool = False  # no --from/--to/--window: the span of the data

    def seconds(self) -> Fraction:
        return Fraction(self.end - self.start, MICROSECONDS)


@dataclass(frozen=True)
class Tally:
    """One object's or group's record in one period, in µs and counts."""

    period: int = 0  # time that counts (the availability's denominator)
    downtime: int = 0
    planned: int = 0  # planned time left out of the period (none with --count-planned: it is downtime then)
    failures: int = 0  # outages (merged) that overlap counted time
    repairs: int = 0  # of those, ended by the period's end
    objects: int = 1

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.period + other.period,
            self.downtime + other.downtime,
            self.planned + other.planned,
            self.failures + other.failures,
            self.repairs + other.repairs,
            self.objects + other.objects,
        )


@dataclass(frozen=True)
class GroupResult:
    """A row of the report: an object, a service, an object type, or everything."""

    group: str  # object, service, type, all
    name: str
    tally: Tally
    availability: Availability | None  # None when no time counted
    estimate: ObservedEstimate | None  # None when no time counted or no time up

    def checked(self, demonstrated: bool) -> Availability | None:
        """What a target is held against: the observed value, or its lower bound (``None``: no time counted).

        Where the record bounds nothing (no failure, or no repair finished) the lower bound falls back to the
        observed value: a demonstrated check is never more lenient than the observed one.
        """
        if not demonstrated or self.estimate is None or self.estimate.demonstrated is None:
            return self.availability
        return self.estimate.demonstrated

    def meets(self, target: Availability, *, demonstrated: bool = False) -> bool | None:
        value = self.checked(demonstrated)
        return None if value is None else value.unavailability <= target.unavailability

    @property
    def downtime_seconds(self) -> Fraction:
        return Fraction(self.tally.downtime, MICROSECONDS)

    def allowed_downtime_seconds(self, target: Availability) -> Fraction:
        """The downtime ``target`` allows in the time this row counts: its budget."""
        return Fraction(self.tally.period, MICROSECONDS) * target.unavailability


@dataclass(frozen=True)
class PeriodResult:
    label: str  # "window", or a calendar period such as 2026-03
    start: int
    end: int
    groups: tuple[GroupResult, ...]


@dataclass(frozen=True)
class IncidentsReport:
    counting: Counting
    periods: tuple[PeriodResult, ...]  # the whole window first, then each calendar period
    incidents_used: int  # incidents that fall, at least in part, inside the window

    def below(self, target: Availability, *, demonstrated: bool) -> list[tuple[PeriodResult, GroupResult]]:
        """Rows whose observed availability (or lower confidence bound) is below ``target``."""
        return [(period, row) for period in self.periods for row in period.groups if row.meets(target, demonstrated=demonstrated) is False]


class _Sweep(NamedTuple):
    """Every incident's start and end in (object, time) order, with the counts of open outages and planned
    incidents after each event: between two events of one object, those counts say what that stretch was."""

    time: Any
    code: Any
    outages_open: Any
    planned_open: Any
    outage_first: Any  # indices of the events that open a merged outage (its count goes 0 -> 1)
    outage_last: Any  # indices of the events that close it again
    object_bounds: Any  # per object code, where its events begin in the sweep (plus the end)


def resolve_window(span: tuple[int, int] | None, start: int | None, end: int | None, length: int | None) -> tuple[int, int]:
    """The window from any two of --from, --to and --window; a missing side comes from the data's span."""
    if None not in (start, end, length):
        raise InputError(_("--from, --to and --window together give the window three times"), "--window", _("give two of them at most"))
    if start is not None and end is None and length is not None:
        end = start + length
    if end is not None and start is None and length is not None:
        start = end - length
    if start is None or end is None:
        if span is None:
            raise InputError(_("the input holds no incidents and no times, so the window has no end"), fix=_("give --from and --to"))
        if start is None and end is None and length is None and span[0] >= span[1]:
            raise InputError(_("the input covers a single moment, so the window would have no length"), fix=_("give --from and --to"))
        if end is None and length is not None:
            end, start = span[1], span[1] - length
        start = span[0] if start is None else start
        end = span[1] if end is None else end
    if start >= end:
        raise InputError(_("the window ends before it starts (the data ends before --from, or begins after --to)"), "--from/--to", _("give both --from and --to"))
    return start, end


def summarize(table: IncidentTable, counting: Counting) -> IncidentsReport:
    """Per object, per service, per object type and for all objects: what counted, what was down, and estimates."""
    base = [(counting.start, counting.end)]
    if counting.service_hours:
        base = weekly_intervals(counting.service_hours, counting.start, counting.end, counting.zone)
    if counting.maintenance and not counting.count_planned:
        base = subtract(base, weekly_intervals(counting.maintenance, counting.start, counting.end, counting.zone))
    sweep = _sweep(table, counting.count_planned)
    periods = [(N_("window"), counting.start, counting.end)]  # CSV keeps the label; the FAIL line translates it
    if counting.calendar:
        periods += [tuple(period) for period in calendar_periods(counting.start, counting.end, counting.calendar, counting.zone)]
    return IncidentsReport(
        counting,
        tuple(
            PeriodResult(label, start, end, _groups(table, _tallies(sweep, clip(base, start, end), end, len(table.objects)), counting.confidence))
            for label, start, end in periods
        ),
        _incidents_inside(table, counting),
    )


def _incidents_inside(table: IncidentTable, counting: Counting) -> int:
    inside = (table.start < counting.end) & ((table.end > counting.start) | (table.start >= counting.start))
    return int(inside.sum())


def _sweep(table: IncidentTable, count_planned: bool) -> _Sweep:
    import numpy as np

    count = len(table)
    outage = np.ones(count, np.int64) if count_planned else (~table.planned).astype(np.int64)
    planned = np.zeros(count, np.int64) if count_planned else table.planned.astype(np.int64)
    time = np.concatenate([table.start, table.end])
    code = np.concatenate([table.code, table.code])
    closing = np.repeat(np.array([0, 1]), count)  # at one instant starts come first: touching outages merge
    order = np.argsort(time * 2 + closing)
    narrow = np.uint16 if len(table.objects) <= 2**16 else np.int64  # a stable sort of 16-bit keys is a radix sort
    order = order[np.argsort(code.astype(narrow)[order], kind="stable")]
    outage_change = np.concatenate([outage, -outage])[order]
    outages_open = np.cumsum(outage_change)
    planned_open = np.cumsum(np.concatenate([planned, -planned])[order])
    code = code[order]
    return _Sweep(
        time=time[order],
        code=code,
        outages_open=outages_open,
        planned_open=planned_open,
        outage_first=np.flatnonzero((outage_change == 1) & (outages_open == 1)),
        outage_last=np.flatnonzero((outage_change == -1) & (outages_open == 0)),
        object_bounds=np.searchsorted(code, np.arange(len(table.objects) + 1)),
    )


def _measure(base: list[tuple[int, int]], times: Any) -> Any:
    """How much of ``base`` lies before each time: the difference of two such values is the counted length
    between them, so service hours and maintenance apply to every stretch at once."""
    import numpy as np

    if not base:
        return np.zeros(len(times), np.int64)
    starts = np.array([start for start, _ in base], dtype=np.int64)
    lengths = np.array([end - start for start, end in base], dtype=np.int64)
    before = np.concatenate([[0], np.cumsum(lengths)])
    index = np.searchsorted(starts, times, side="right") - 1
    inside = np.clip(times - starts[np.maximum(index, 0)], 0, lengths[np.maximum(index, 0)])
    return np.where(index < 0, 0, before[np.maximum(index, 0)] + inside)


def _tallies(sweep: _Sweep, base: list[tuple[int, int]], end: int, objects: int) -> list[Tally]:
    """Each object's tally over ``base`` (the period's counted time, before planned incidents)."""
    import numpy as np

    measured = _measure(base, sweep.time)
    stretch = np.zeros(len(sweep.time), np.int64)  # counted length from each event to the object's next one
    if len(stretch) > 1:
        same_object = sweep.code[1:] == sweep.code[:-1]
        stretch[:-1] = np.where(same_object, measured[1:] - measured[:-1], 0)
    unplanned = sweep.planned_open == 0
    down = np.where((sweep.outages_open > 0) & unplanned, stretch, 0)
    planned = np.where(sweep.planned_open > 0, stretch, 0)
    by_object = sweep.object_bounds
    down_per_object, planned_per_object = _sums(down, by_object), _sums(planned, by_object)

    first, last = sweep.outage_first, sweep.outage_last
    touched = _sums(down, np.concatenate([first, [len(down)]]))[: len(first)] > 0 if len(first) else np.zeros(0, bool)
    instant = sweep.time[first] == sweep.time[last]
    point_counted = (_measure(base, sweep.time[first] + 1) > measured[first]) & unplanned[first]
    failed = touched | (instant & point_counted)
    repaired = failed & (sweep.time[last] <= end)
    failures = np.bincount(sweep.code[first][failed], minlength=objects)
    repairs = np.bincount(sweep.code[first][repaired], minlength=objects)
    total = sum(stop - start for start, stop in base)
    return [
        Tally(
            period=total - int(planned_per_object[code]),
            downtime=int(down_per_object[code]),
            planned=int(planned_per_object[code]),
            failures=int(failures[code]),
            repairs=int(repairs[code]),
        )
        for code in range(objects)
    ]


def _sums(values: Any, bounds: Any) -> Any:
    """Sums of ``values`` between consecutive ``bounds``, exact in int64 (float weights would round past 2^53 µs)."""
    import numpy as np

    running = np.concatenate([[0], np.cumsum(values)])
    return running[bounds[1:]] - running[bounds[:-1]]


def _groups(table: IncidentTable, per_object: list[Tally], confidence: Fraction) -> tuple[GroupResult, ...]:
    order = sorted(range(len(table.objects)), key=table.objects.__getitem__)
    services: dict[str, Tally] = {}
    types: dict[str, Tally] = {}
    for code in order:
        tally = per_object[code]
        for service in sorted(table.services[code]):
            services[service] = services[service] + tally if service in services else tally
        object_type = table.object_types[code]
        if object_type:
            types[object_type] = types[object_type] + tally if object_type in types else tally
    everything = sum(per_object, Tally(objects=0))
    rows = [("object", table.objects[code], per_object[code]) for code in order]
    rows += [("service", name, tally) for name, tally in sorted(services.items())]
    rows += [("type", name, tally) for name, tally in sorted(types.items())]
    rows.append(("all", N_("all objects"), everything))
    return tuple(_result(group, name, tally, confidence) for group, name, tally in rows)


def _result(group: str, name: str, tally: Tally, confidence: Fraction) -> GroupResult:
    if tally.period == 0:
        return GroupResult(group, name, tally, None, None)
    period, downtime = Fraction(tally.period, MICROSECONDS), Fraction(tally.downtime, MICROSECONDS)
    availability = Availability(downtime / period)
    if downtime == period:
        return GroupResult(group, name, tally, availability, None)
    return GroupResult(
        group, name, tally, availability, estimate(period - downtime, downtime, tally.failures, confidence, repairs=tally.repairs)
    )
