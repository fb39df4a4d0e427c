"""What a window of incidents adds up to: counted time, downtime, failures and estimates, per object and group.

Time counts when it lies in the window, inside service hours (if given) and outside planned time
(planned incidents, maintenance windows) unless planned time is counted. An object's overlapping outages
are merged before anything is summed, so shared time is never counted twice (reference
inventories.md §3.4). A merged outage that shares time with a period is one failure of that period;
it is repaired in the period if it ends by the period's end.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from fractions import Fraction
from typing import NamedTuple

from hacalc.core.availability import Availability
from hacalc.core.incidents import MICROSECONDS, Incident
from hacalc.core.observed import DEFAULT_CONFIDENCE, ObservedEstimate, estimate, merge_intervals, total_length
from hacalc.core.timeline import WeeklyWindow, calendar_periods, clip, intersect, subtract, weekly_intervals

STILL_OPEN = 2**62  # the end of an incident still open when its record ends: after any window, never a repair


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
    planned: int = 0  # planned time inside the period: excluded, or counted as downtime with --count-planned
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
        """What a target is held against: the observed value, or its lower bound (``None``: nothing to hold).

        With no failure there is no repair time to bound, so a demonstrated check has nothing to fail on.
        """
        if not demonstrated or self.availability is None:
            return self.availability
        if self.estimate is None:  # down all the time it counted
            return self.availability
        return self.estimate.demonstrated

    def meets(self, target: Availability, *, demonstrated: bool = False) -> bool | None:
        value = self.checked(demonstrated)
        return None if value is None else value.unavailability <= target.unavailability


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


class _ObjectRecord(NamedTuple):
    counted: list[tuple[int, int]]  # time that counts for this object over the whole window
    outages: list[tuple[int, int]]  # merged, clipped to the window
    planned: list[tuple[int, int]]
    services: frozenset[str]
    object_type: str | None


def summarize(incidents: Sequence[Incident], counting: Counting) -> IncidentsReport:
    """Per object, per service, per object type and for all objects: what counted, what was down, and estimates."""
    base = [(counting.start, counting.end)]
    if counting.service_hours:
        base = weekly_intervals(counting.service_hours, counting.start, counting.end, counting.zone)
    if counting.maintenance and not counting.count_planned:
        base = subtract(base, weekly_intervals(counting.maintenance, counting.start, counting.end, counting.zone))
    records = {name: _record(of_object, base, counting) for name, of_object in _by_object(incidents).items()}
    used = sum(1 for incident in incidents if _inside(incident, counting))
    periods = [("window", counting.start, counting.end)]
    if counting.calendar:
        periods += [tuple(period) for period in calendar_periods(counting.start, counting.end, counting.calendar, counting.zone)]
    return IncidentsReport(
        counting,
        tuple(PeriodResult(label, start, end, _groups(records, start, end, counting.confidence)) for label, start, end in periods),
        used,
    )


def _inside(incident: Incident, counting: Counting) -> bool:
    ends = STILL_OPEN if incident.end is None else incident.end
    return incident.start < counting.end and (ends > counting.start or incident.start >= counting.start)


def _by_object(incidents: Sequence[Incident]) -> dict[str, list[Incident]]:
    grouped: dict[str, list[Incident]] = {}
    for incident in incidents:
        grouped.setdefault(incident.object, []).append(incident)
    return dict(sorted(grouped.items()))


def _record(incidents: list[Incident], base: list[tuple[int, int]], counting: Counting) -> _ObjectRecord:
    unplanned = [(i.start, STILL_OPEN if i.end is None else i.end) for i in incidents if not i.planned]
    planned = merge_intervals((i.start, STILL_OPEN if i.end is None else i.end) for i in incidents if i.planned)
    planned = clip(planned, counting.start, counting.end)
    if counting.count_planned:
        counted, outage_parts = base, unplanned + planned
    else:
        counted, outage_parts = subtract(base, planned), unplanned
    return _ObjectRecord(
        counted=counted,
        outages=merge_intervals(outage_parts),
        planned=planned,
        services=frozenset(i.service for i in incidents if i.service),
        object_type=next((i.object_type for i in incidents if i.object_type), None),
    )


def _tally(record: _ObjectRecord, start: int, end: int) -> Tally:
    counted = clip(record.counted, start, end)
    down = intersect(record.outages, counted)
    counted_starts = [counted_start for counted_start, _ in counted]
    failures = repairs = 0
    for outage_start, outage_end in record.outages:
        if outage_start >= end:
            break
        if outage_end >= start and _touches(outage_start, outage_end, counted, counted_starts):
            failures += 1
            repairs += outage_end <= end
    return Tally(
        period=total_length(counted),
        downtime=total_length(down),
        planned=total_length(clip(record.planned, start, end)),
        failures=failures,
        repairs=repairs,
    )


def _touches(start: int, end: int, counted: list[tuple[int, int]], counted_starts: list[int]) -> bool:
    """An outage is a failure of this period when it shares time with the counted time (or, lasting 0 s, lies in it)."""
    index = bisect.bisect_right(counted_starts, start) - 1
    if index >= 0 and start < counted[index][1]:
        return True
    return index + 1 < len(counted) and counted[index + 1][0] < end


def _groups(records: dict[str, _ObjectRecord], start: int, end: int, confidence: Fraction) -> tuple[GroupResult, ...]:
    per_object = {name: _tally(record, start, end) for name, record in records.items()}
    services: dict[str, Tally] = {}
    types: dict[str, Tally] = {}
    for name, tally in per_object.items():
        for service in sorted(records[name].services):
            services[service] = services[service] + tally if service in services else tally
        object_type = records[name].object_type
        if object_type:
            types[object_type] = types[object_type] + tally if object_type in types else tally
    everything = sum(per_object.values(), Tally(objects=0))
    rows = [("object", name, tally) for name, tally in per_object.items()]
    rows += [("service", name, tally) for name, tally in sorted(services.items())]
    rows += [("type", name, tally) for name, tally in sorted(types.items())]
    rows.append(("all", "all objects", everything))
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
