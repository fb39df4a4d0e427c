"""Timestamps as incident sources write them, to integer microseconds since the epoch (UTC).

ISO 8601 / RFC 3339 with fractional seconds (vSphere writes six digits; more are cut to microseconds, as
jq's ``fromdateiso8601`` cannot even read them), ``Z`` or an offset, ``T`` or a space; a naive time is in
the zone given. PowerShell 5.1's ``ConvertTo-Json`` writes ``/Date(1700000000000)/``, which is read too.
A naive time in a DST gap or overlap follows RFC 5545 §3.3.5: the offset before the transition.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo

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


__all__ = ["EPOCH", "MICROSECONDS", "from_micros", "parse_time", "to_micros"]
