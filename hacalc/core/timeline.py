"""Time on a line: interval sets, recurring weekly wall-clock windows and calendar periods, in exact µs.

Times are integer microseconds since the epoch, UTC; an interval is a half-open ``(start, end)``. A set of
intervals is a sorted list of disjoint intervals, as ``observed.merge_intervals`` gives; every function here
returns one in canonical form: sorted, non-empty, and with touching neighbours joined, so two sets that
cover the same time compare equal. Local wall-clock times (service hours, maintenance windows, calendar
boundaries) are resolved in the caller's ``tzinfo`` as RFC 5545 §3.3.5 says: a time that does not exist
(a spring-forward gap) uses the UTC offset before the gap, and a time that occurs twice (a fall-back
overlap) means its first occurrence, which is what ``zoneinfo`` does with ``fold=0``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import NamedTuple

from hacalc.core.errors import InputError
from hacalc.core.incidents import MICROSECONDS
from hacalc.core.observed import merge_intervals
from hacalc.core.periods import PERIOD_NAMES

Interval = tuple[int, int]

MINUTES_PER_DAY = 1440
WEEKLY_EXAMPLE = "Mon-Fri 08:00-20:00"
_WEEKLY_FIX = f"write it like {WEEKLY_EXAMPLE!r}, 'Sat 22:00-02:00' or 'daily 00:00-24:00'"
_ONE_MICROSECOND = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1)
_UTC_EPOCH = _EPOCH.replace(tzinfo=timezone.utc)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_SECONDS_PER_DAY = 86400


# --- interval sets ----------------------------------------------------------------------------------------


def _append(out: list[Interval], start: int, end: int) -> None:
    """Add ``[start, end)`` at the end of ``out``, dropping it if empty and joining it to a neighbour it touches."""
    if start >= end:
        return
    if out and start <= out[-1][1]:
        if end > out[-1][1]:
            out[-1] = (out[-1][0], end)
    else:
        out.append((start, end))


def union(*sets: Iterable[Interval]) -> list[Interval]:
    """Time covered by any of the sets; ``merge_intervals`` without the empty intervals it keeps."""
    merged = merge_intervals(interval for each in sets for interval in each)
    return [interval for interval in merged if interval[0] < interval[1]]


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Time in both ``a`` and ``b``: one pass over both sorted lists, O(len(a) + len(b))."""
    out: list[Interval] = []
    append = out.append
    i = j = 0
    len_a, len_b = len(a), len(b)
    if not len_a or not len_b:
        return out
    a_start, a_end = a[0]
    b_start, b_end = b[0]
    while True:
        low = a_start if a_start > b_start else b_start
        high = a_end if a_end < b_end else b_end
        if low < high:
            if out and low <= out[-1][1]:  # only where an input had touching intervals; ends only grow
                out[-1] = (out[-1][0], high)
            else:
                append((low, high))
        if a_end < b_end:
            i += 1
            if i == len_a:
                return out
            a_start, a_end = a[i]
        else:
            j += 1
            if j == len_b:
                return out
            b_start, b_end = b[j]


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Time in ``a`` but not in ``b``, e.g. service hours outside maintenance; O(len(a) + len(b))."""
    out: list[Interval] = []
    j = 0
    len_b = len(b)
    for start, end in a:
        if start >= end:
            continue
        while j < len_b and b[j][1] <= start:  # b ends before this and so before every later interval of a
            j += 1
        if j == len_b or b[j][0] >= end:  # the common case: nothing of b here
            _append(out, start, end)
            continue
        cursor = start
        k = j  # b[k] may reach into the next interval of a, so j stays where it is
        while k < len_b and cursor < end:
            b_start, b_end = b[k]
            if b_start >= end:
                break
            if b_start > cursor:
                _append(out, cursor, b_start)
            if b_end > cursor:
                cursor = b_end
            k += 1
        if cursor < end:
            _append(out, cursor, end)
    return out


def clip(a: Sequence[Interval], start: int, end: int) -> list[Interval]:
    """The part of ``a`` inside ``[start, end)``; a binary search finds the first, so O(log n + output)."""
    out: list[Interval] = []
    if start >= end:
        return out
    for index in range(bisect_right(a, start, key=_end_of), len(a)):
        a_start, a_end = a[index]
        if a_start >= end:
            break
        _append(out, a_start if a_start > start else start, a_end if a_end < end else end)
    return out


def _end_of(interval: Interval) -> int:
    return interval[1]


# --- local wall-clock time --------------------------------------------------------------------------------


def _wall_to_micros(day: int, minute: int, zone: tzinfo) -> int:
    """Local ``minute`` of the date with ordinal ``day`` (1440 is the next midnight) in µs, per RFC 5545 §3.3.5."""
    wall = datetime.fromordinal(day) + timedelta(minutes=minute)
    offset = wall.replace(tzinfo=zone).utcoffset()  # fold=0: before a gap, the first of an overlap
    local = ((day - _EPOCH_ORDINAL) * _SECONDS_PER_DAY + minute * 60) * MICROSECONDS
    return local - (offset // _ONE_MICROSECOND if offset else 0)


def _local_date(micros: int, zone: tzinfo) -> date:
    return (_UTC_EPOCH + timedelta(microseconds=micros)).astimezone(zone).date()


# --- weekly windows ---------------------------------------------------------------------------------------

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NUMBERS = {spelling: number for number, name in enumerate(_DAY_NAMES) for spelling in (name, name[:3])}
_EVERY_DAY = ("daily", "every day", "everyday")
_CLOCK = r"[0-9]{1,2}:[0-9]{2}"
_WEEKLY = re.compile(rf"(?P<days>.*?)\s*(?P<start>{_CLOCK})\s*-\s*(?P<end>{_CLOCK})", re.ASCII)
_SHOWN_CHARACTERS = 60


@dataclass(frozen=True)
class WeeklyWindow:
    """Local wall-clock time from ``start`` to ``end`` minutes of the day, on each of ``days`` (Monday = 0).

    A window whose end is not after its start crosses midnight and belongs to the day it starts on:
    ``Sat 22:00-02:00`` runs from Saturday 22:00 to Sunday 02:00. ``end`` is 1 to 1440 (24:00).
    """

    days: frozenset[int]
    start: int
    end: int
    text: str

    def __post_init__(self) -> None:
        if not self.days <= frozenset(range(7)) or not 0 <= self.start < MINUTES_PER_DAY:
            raise ValueError(f"not a weekly window: {self!r}")
        if not 0 < self.end <= MINUTES_PER_DAY or self.end == self.start:
            raise ValueError(f"not a weekly window: {self!r}")

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def minutes(self) -> int:
        """Wall-clock length of one occurrence (real time differs on a DST change day)."""
        return self.end - self.start + (MINUTES_PER_DAY if self.crosses_midnight else 0)


def parse_weekly(text: str) -> WeeklyWindow:
    """``Mon-Fri 08:00-20:00``, ``Fri-Mon 22:00-02:00``, ``Mon,Wed,Fri 12:00-13:00``, ``daily 00:00-24:00``.

    Days are Mon..Sun or Monday..Sunday in any case, ranges (wrapping past Sunday), comma lists of both,
    or ``daily`` / ``every day``. An end at or before the start crosses midnight into the next day; the same
    start and end is refused, as it could mean nothing or a whole day. Raises ``InputError`` without a
    location: the caller knows the option.
    """
    shown = " ".join(text.split())
    if not shown:
        raise InputError("weekly window is empty", fix=_WEEKLY_FIX)
    match = _WEEKLY.fullmatch(shown)
    if match is None:
        raise InputError(f"weekly window {_quoted(shown)} has no time range HH:MM-HH:MM", fix=_WEEKLY_FIX)
    start = _minute_of_day(match["start"], shown, is_end=False)
    end = _minute_of_day(match["end"], shown, is_end=True)
    if start == end:
        raise InputError(
            f"weekly window {_quoted(shown)} starts and ends at {match['start']}: that is no time or a whole day",
            fix="write 00:00-24:00 for whole days, or give the time it ends",
        )
    return WeeklyWindow(_parse_days(match["days"], shown), start, end or MINUTES_PER_DAY, shown)


def _minute_of_day(clock: str, shown: str, *, is_end: bool) -> int:
    hours, minutes = (int(part) for part in clock.split(":"))
    if hours == 24 and minutes == 0:
        if is_end:
            return MINUTES_PER_DAY
        raise InputError(f"weekly window {_quoted(shown)} starts at 24:00", fix=f"start it at 00:00 of the next day; {_WEEKLY_FIX}")
    if hours > 23 or minutes > 59:
        raise InputError(
            f"{clock} in weekly window {_quoted(shown)} is not a time of day",
            fix=f"give HH:MM from 00:00 to 24:00, like {WEEKLY_EXAMPLE!r}",
        )
    return hours * 60 + minutes


def _parse_days(text: str, shown: str) -> frozenset[int]:
    wanted = text.strip().lower()
    if not wanted:
        raise InputError(f"weekly window {_quoted(shown)} names no days", fix=_WEEKLY_FIX)
    if wanted in _EVERY_DAY:
        return frozenset(range(7))
    days: set[int] = set()
    for item in wanted.split(","):
        ends = [_day_number(name.strip(), shown) for name in item.split("-")]
        if len(ends) == 1:
            days.add(ends[0])
        elif len(ends) == 2:
            first, last = ends
            days.update((first + step) % 7 for step in range((last - first) % 7 + 1))
        else:
            raise InputError(
                f"day range {_quoted(item.strip())} in weekly window {_quoted(shown)} has more than two ends",
                fix=_WEEKLY_FIX,
            )
    return frozenset(days)


def _day_number(name: str, shown: str) -> int:
    number = _DAY_NUMBERS.get(name)
    if number is None:
        raise InputError(
            f"unknown day {_quoted(name)} in weekly window {_quoted(shown)}",
            fix="use Mon..Sun or Monday..Sunday, ranges like Mon-Fri, lists like Mon,Wed,Fri, or daily",
        )
    return number


def _quoted(text: str) -> str:
    return repr(text[:_SHOWN_CHARACTERS]) + ("…" if len(text) > _SHOWN_CHARACTERS else "")


def weekly_intervals(windows: Sequence[WeeklyWindow], start: int, end: int, zone: tzinfo) -> list[Interval]:
    """When a wall clock in ``zone`` is inside any of ``windows``, within ``[start, end)``, as a set of intervals.

    Each occurrence's local start and end become UTC as RFC 5545 §3.3.5 says (offset before a gap, first of
    an overlap), so a day's ``00:00-24:00`` is 23 h on a spring-forward day and 25 h on a fall-back day, and
    ``Sun 01:00-04:00`` over Berlin's spring-forward night is 2 h. A boundary in a gap moves forward by the
    gap, as an iCalendar event's would: ``Sun 02:15-02:45`` runs 03:15-03:45 that night, and an occurrence
    whose end comes out before its start (``Sun 02:30-03:00``) is empty. Works a day at a time, so years cost
    thousands of steps, not millions.
    """
    if start >= end or not windows:
        return []
    first = _local_date(start, zone).toordinal() - 2  # a window starting the day before may cross into start
    last = _local_date(end, zone).toordinal() + 1  # and a midnight DST change may move a boundary a day
    first, last = max(first, 1), min(last, date.max.toordinal() - 1)
    by_weekday = [[window for window in windows if weekday in window.days] for weekday in range(7)]
    found: list[Interval] = []
    for day in range(first, last + 1):
        for window in by_weekday[(day - 1) % 7]:  # ordinal 1 (0001-01-01) is a Monday
            occurrence_start = _wall_to_micros(day, window.start, zone)
            occurrence_end = _wall_to_micros(day + 1 if window.crosses_midnight else day, window.end, zone)
            if occurrence_start < occurrence_end:
                found.append((occurrence_start, occurrence_end))
    return clip(union(found), start, end)


# --- calendar periods -------------------------------------------------------------------------------------


class Period(NamedTuple):
    """One calendar period, named as people write it, clipped to the window asked for."""

    label: str
    start: int
    end: int


def calendar_periods(start: int, end: int, unit: str, zone: tzinfo) -> list[Period]:
    """The days, ISO weeks, months, quarters or years that ``[start, end)`` touches, tiling it exactly.

    Boundaries are local midnights in ``zone`` (a Berlin month starts at 22:00 or 23:00 UTC the day before);
    the first and last period are clipped to the window. Labels: ``2026-03-29``, ``2026-W14``, ``2026-03``,
    ``2026-Q1``, ``2026``.
    """
    name = unit.strip().lower()
    if name not in PERIOD_NAMES:
        raise InputError(f"unknown calendar period {_quoted(unit)}", fix=f"use one of {', '.join(PERIOD_NAMES)}")
    periods: list[Period] = []
    if start >= end:
        return periods
    first: date | None = _period_start(_local_date(start, zone), name)
    boundary = _midnight(first, end, zone)
    following = _next_period(first, name)
    next_boundary = _midnight(following, end, zone)
    while following is not None and next_boundary <= start:  # start is after an ambiguous midnight
        first, boundary = following, next_boundary
        following = _next_period(first, name)
        next_boundary = _midnight(following, end, zone)
    while first is not None and boundary < end:
        periods.append(Period(_label(first, name), max(boundary, start), min(next_boundary, end)))
        first, boundary = following, next_boundary
        following = None if first is None else _next_period(first, name)
        next_boundary = _midnight(following, end, zone)
    return periods


def _midnight(day: date | None, end: int, zone: tzinfo) -> int:
    """Local midnight starting ``day`` in µs; ``end`` for a day past the calendar, which ends there."""
    return end if day is None else _wall_to_micros(day.toordinal(), 0, zone)


def _period_start(day: date, unit: str) -> date:
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def _next_period(first: date, unit: str) -> date | None:
    """The first day of the period after the one starting on ``first``; ``None`` past the year 9999."""
    try:
        if unit == "day":
            return first + timedelta(days=1)
        if unit == "week":
            return first + timedelta(days=7)
        months = {"month": 1, "quarter": 3, "year": 12}[unit]
        index = first.year * 12 + first.month - 1 + months
        return date(index // 12, index % 12 + 1, 1)
    except (OverflowError, ValueError):
        return None


def _label(first: date, unit: str) -> str:
    if unit == "day":
        return first.isoformat()
    if unit == "week":
        year, week, _ = first.isocalendar()  # of the Monday: 2024-12-30 starts 2025-W01
        return f"{year}-W{week:02d}"
    if unit == "month":
        return f"{first.year}-{first.month:02d}"
    if unit == "quarter":
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    return str(first.year)


__all__ = [
    "Interval",
    "Period",
    "WeeklyWindow",
    "calendar_periods",
    "clip",
    "intersect",
    "parse_weekly",
    "subtract",
    "union",
    "weekly_intervals",
]
