"""Timestamps as incident sources write them, to integer microseconds since the epoch (UTC).

ISO 8601 / RFC 3339 with fractional seconds (vSphere writes six digits; more are cut to microseconds, as
jq's ``fromdateiso8601`` cannot even read them), ``Z`` or an offset, ``T`` or a space; a naive time is in
the zone given. PowerShell 5.1's ``ConvertTo-Json`` writes ``/Date(1700000000000)/``, which is read too.
A naive time in a DST gap or overlap follows RFC 5545 §3.3.5: the offset before the transition.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from hacalc.core.errors import InputError
from hacalc.core.incidents import MICROSECONDS

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ONE_MICROSECOND = timedelta(microseconds=1)
_DOTNET_DATE = re.compile(r"\\?/Date\((-?\d{1,15})([+-]\d{4})?\)\\?/")
_TIME_ONLY = re.compile(r"\d{1,2}:\d{2}")
_EXAMPLE = "2026-03-03T14:28:05.123Z"


_FLOAT_EXACT_UNTIL = 2**32  # s: below it a float timestamp's whole seconds are exact (ulp < 1 µs), and 3× faster


def to_micros(moment: datetime) -> int:
    """An aware datetime as µs since the epoch, exactly (a float timestamp only where its seconds are exact)."""
    seconds = moment.timestamp()
    if 0 <= seconds < _FLOAT_EXACT_UNTIL:
        return int(seconds) * MICROSECONDS + moment.microsecond
    return (moment - EPOCH) // ONE_MICROSECOND


def from_micros(micros: int, zone: tzinfo = timezone.utc) -> datetime:
    """The aware datetime in ``zone``; whole seconds go through ``fromtimestamp`` as an int, so nothing is rounded."""
    seconds, fraction = divmod(micros, MICROSECONDS)
    return datetime.fromtimestamp(seconds, zone).replace(microsecond=fraction)


def parse_time(text: str, zone: tzinfo, *, end_of_day: bool = False) -> int:
    """``text`` as µs since the epoch; a bare date is midnight in ``zone`` (the next midnight with ``end_of_day``).

    Raises ``InputError`` without a location: the caller knows the file, line and field.
    """
    try:  # the common case first, as written: a list may hold millions of times
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is not None and not end_of_day:
            return to_micros(moment)
    except (ValueError, OverflowError):
        pass
    stripped = text.strip()
    try:
        moment = datetime.fromisoformat(stripped)
    except ValueError:
        dotnet = _DOTNET_DATE.fullmatch(stripped)
        if dotnet:
            return int(dotnet.group(1)) * 1000
        raise _unreadable(stripped) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if end_of_day and _is_bare_date(stripped):
        moment = datetime.combine(date.fromordinal(moment.toordinal() + 1), moment.timetz())
    try:
        return to_micros(moment)
    except (OverflowError, ValueError):
        raise InputError(f"time {_shown(stripped)} is out of range", fix="give a year between 1 and 9999") from None


def _is_bare_date(text: str) -> bool:
    return len(text) <= 10 and ":" not in text


def _unreadable(text: str) -> InputError:
    if _TIME_ONLY.match(text):
        return InputError(f"time {_shown(text)} has no date", fix=f"give a date and time such as {_EXAMPLE}")
    if not text:
        return InputError("time is empty", fix=f"give a date and time such as {_EXAMPLE}")
    return InputError(f"cannot read time {_shown(text)}", fix=f"give ISO 8601 such as {_EXAMPLE}")


def _shown(text: str) -> str:
    from hacalc.readers.files import quoted

    return quoted(text, 40)




_WIDTH = 40  # the longest time the column parser takes: 2026-03-03T14:28:05.123456789+05:30 is 35
_DATE_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)


def parse_times(texts: Sequence[str], zone: tzinfo) -> tuple[Any, Any]:
    """Many times at once, as numpy: ``(micros, handled)``; the values ``handled`` is False for are left to
    ``parse_time`` one by one (other layouts, naive times outside UTC, impossible dates, anything odd).

    Takes ``YYYY-MM-DD[T ]HH:MM:SS[.fraction](Z|±HH:MM)``, and naive times when ``zone`` is UTC: what
    exports write, checked character by character and computed with integer arithmetic, the same values
    as ``parse_time`` (a test compares them). numpy's own string-to-datetime64 cast is not used: it reads
    ``today`` and ``2026-03`` as times, and crashed on offsets in the numpy this was written against.
    """
    import numpy as np

    try:
        raw = np.array(texts, dtype=f"S{_WIDTH}")
    except UnicodeEncodeError:
        return np.zeros(len(texts), np.int64), np.zeros(len(texts), bool)
    return parse_time_columns(list(np.ascontiguousarray(raw.view(np.uint8).reshape(len(texts), _WIDTH).T)), len(texts), zone)


def parse_time_columns(column: list[Any], count: int, zone: tzinfo) -> tuple[Any, Any]:
    """``parse_times`` on the times' characters by position: ``column[i]`` holds every time's i-th byte (NUL
    past its end), as a CSV's bytes give them; column order keeps every operation on contiguous memory."""
    import numpy as np

    column = [*column[:_WIDTH], *(np.zeros(count, np.uint8) for _ in range(_WIDTH - len(column)))]
    digit = [(character >= 48) & (character <= 57) for character in column]
    handled = np.logical_and.reduce([digit[position] for position in _DATE_DIGITS])
    handled &= (column[4] == 45) & (column[7] == 45) & ((column[10] == 84) | (column[10] == 32))
    handled &= (column[13] == 58) & (column[16] == 58) & (column[_WIDTH - 1] == 0)

    def number(first: int, width: int) -> Any:
        total = np.zeros(count, np.int64)
        for position in range(first, first + width):
            total = total * 10 + column[position] - 48
        return total

    year, month, day = number(0, 4), number(5, 2), number(8, 2)
    hour, minute, second = number(11, 2), number(14, 2), number(17, 2)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array((0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31))[np.clip(month, 0, 12)] + (leap & (month == 2))
    handled &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    handled &= (hour < 24) & (minute < 60) & (second < 60)

    has_fraction = column[19] == 46
    micros = np.zeros(count, np.int64)
    suffix = np.where(has_fraction, 20, 19)
    reading = has_fraction.copy()
    for position in range(20, _WIDTH - 1):
        reading &= digit[position]
        if position < 26:
            micros = micros * 10 + np.where(reading, column[position] - 48, 0)
        suffix += reading
    handled &= ~has_fraction | (suffix > 20)

    layouts = np.unique(suffix)  # where the zone begins: one or two places in a real file

    def at(offset: int) -> Any:
        picked = np.zeros(count, np.int64)
        for position in layouts:
            picked = np.where(suffix == position, column[min(position + offset, _WIDTH - 1)], picked)
        return picked

    first, hours_text, minutes_text = at(0), (at(1), at(2)), (at(4), at(5))
    utc = (first == 90) & (at(1) == 0)
    sign = np.where(first == 43, 1, np.where(first == 45, -1, 0))
    offset_ok = (sign != 0) & (at(3) == 58) & (at(6) == 0)
    for character in (*hours_text, *minutes_text):
        offset_ok &= (character >= 48) & (character <= 57)
    offset = (hours_text[0] - 48) * 36000 + (hours_text[1] - 48) * 3600 + (minutes_text[0] - 48) * 600 + (minutes_text[1] - 48) * 60
    offset_ok &= offset < 86400
    naive_allowed = zone.utcoffset(datetime(2000, 1, 1)) == timedelta(0) == zone.utcoffset(datetime(2000, 7, 1))
    handled &= utc | offset_ok | ((first == 0) & naive_allowed)

    seconds = _days_from_civil(np, year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    seconds -= np.where(offset_ok, sign * offset, 0)
    return np.where(handled, seconds * MICROSECONDS + micros, 0), handled


def _days_from_civil(np: Any, year: Any, month: Any, day: Any) -> Any:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-compatible low-level date algorithms")."""
    year = year - (month <= 2)
    era = np.floor_divide(year, 400)
    year_of_era = year - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468
