"""Reading and writing durations, percentages and plain numbers, exactly.

Values are parsed from the user's text into ``Fraction`` so that 99 % of a year/12 month is exactly
26 280 s ("7h 18m 0s", never "7h 17m 60s"). Calendar units (``mo``, ``y``) follow the active
``Conventions`` rather than a hidden constant.
"""

from __future__ import annotations

import math
import re
import sys
from fractions import Fraction

from hacalc.core.errors import InputError
from hacalc.core.periods import DAY, DEFAULT_CONVENTIONS, HOUR, WEEK, Conventions, Rounding

DURATION_HINT = "use a number with a unit such as 30s, 15m, 2h30m, 1.5h, 50000h, 30d, 1w, 1y or PT15M"

_FIXED_UNITS: dict[str, Fraction] = {
    **dict.fromkeys(("ms", "msec", "millisecond", "milliseconds"), Fraction(1, 1000)),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), Fraction(1)),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), Fraction(60)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), HOUR),
    **dict.fromkeys(("d", "day", "days"), DAY),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), WEEK),
}
MAX_VALUE_CHARACTERS = 200
_LARGEST_FLOAT = Fraction(sys.float_info.max)
_MONTH_UNITS = ("mo", "mon", "month", "months")
_YEAR_UNITS = ("y", "yr", "yrs", "year", "years")

_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
# Pattern strings, not compiled objects: re compiles (and caches) only the ones a command uses.
_PART = rf"\s*({_NUMBER})\s*([A-Za-z]+)"
_ISO = (
    r"P(?:(?P<Y>\d+(?:\.\d+)?)Y)?(?:(?P<MO>\d+(?:\.\d+)?)M)?(?:(?P<W>\d+(?:\.\d+)?)W)?(?:(?P<D>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<H>\d+(?:\.\d+)?)H)?(?:(?P<MI>\d+(?:\.\d+)?)M)?(?:(?P<S>\d+(?:\.\d+)?)S)?)?"
)
_BARE_NUMBER = rf"[+-]?{_NUMBER}"


def unit_seconds(unit: str, conventions: Conventions = DEFAULT_CONVENTIONS) -> Fraction:
    """Seconds in one ``unit``; a bare capital ``M`` is refused because it means minutes to some and months to others."""
    if unit == "M":
        raise InputError("ambiguous unit 'M'", fix="write m or min for minutes, mo for months")
    key = unit.lower()
    if key in _FIXED_UNITS:
        return _FIXED_UNITS[key]
    if key in _MONTH_UNITS:
        return conventions.month_seconds
    if key in _YEAR_UNITS:
        return conventions.year_seconds
    raise InputError(f"unknown unit {unit!r}", fix="use ms, s, m, h, d, w, mo or y")


def parse_number(text: str) -> Fraction:
    """A finite decimal number, exactly; NaN, inf and other spellings are refused."""
    cleaned = _short_enough(text).strip().replace("_", "")
    if not re.fullmatch(_BARE_NUMBER, cleaned):
        raise InputError(f"not a number: {text!r}", fix="write a decimal number such as 0.99 or 1e-3")
    return _representable(Fraction(cleaned), f"number {text!r}")


def _short_enough(text: str) -> str:
    """No real value needs more; Python refuses to read integers of over 4300 digits anyway."""
    if len(text) > MAX_VALUE_CHARACTERS:
        raise InputError(f"value of {len(text)} characters is too long", fix=f"write it in at most {MAX_VALUE_CHARACTERS}")
    return text


def _representable(value: Fraction, what: str) -> Fraction:
    """Results are reported as floats, so an input beyond float range could not be shown."""
    if abs(value) > _LARGEST_FLOAT:
        raise InputError(f"{what} is too large", fix="give a value a float can hold (below 1e308)")
    return value


def parse_duration(
    text: str,
    *,
    default_unit: str | None = None,
    allow_zero: bool = True,
    conventions: Conventions = DEFAULT_CONVENTIONS,
) -> Fraction:
    """Seconds in ``text``: compact (``2h30m``), ISO-8601 (``PT15M``), or a bare number in ``default_unit``."""
    stripped = _short_enough(text).strip()
    if stripped.startswith("-"):
        raise InputError(f"negative duration {text!r}", fix="durations must be zero or more")
    if not stripped:
        raise InputError("empty duration", fix=DURATION_HINT)
    if stripped[0] in "pP":
        seconds = _parse_iso(stripped, conventions)
    elif re.fullmatch(_BARE_NUMBER, stripped.lstrip("+")):
        if default_unit is None:
            raise InputError(f"duration {text!r} has no unit", fix=DURATION_HINT)
        seconds = Fraction(stripped.lstrip("+")) * unit_seconds(default_unit, conventions)
    else:
        seconds = _parse_compact(stripped.lstrip("+"), conventions)
    _representable(seconds, f"duration {text!r}")
    if seconds == 0 and not allow_zero:
        raise InputError(f"duration {text!r} is zero", fix="give a duration greater than zero")
    return seconds


def _parse_compact(text: str, conventions: Conventions) -> Fraction:
    total, position = Fraction(0), 0
    for match in re.finditer(_PART, text):
        if match.start() != position:
            break
        total += Fraction(match.group(1)) * unit_seconds(match.group(2), conventions)
        position = match.end()
    if position == 0 or text[position:].strip():
        raise InputError(f"cannot read duration {text!r}", fix=DURATION_HINT)
    return total


def _parse_iso(text: str, conventions: Conventions) -> Fraction:
    match = re.fullmatch(_ISO, text, re.IGNORECASE)
    if not match or not any(match.groupdict().values()):
        raise InputError(f"cannot read ISO-8601 duration {text!r}", fix="write it like PT15M, PT2H30M, P30D or P1Y")
    scale = {
        "Y": conventions.year_seconds,
        "MO": conventions.month_seconds,
        "W": WEEK,
        "D": DAY,
        "H": HOUR,
        "MI": Fraction(60),
        "S": Fraction(1),
    }
    return sum((Fraction(value) * scale[name] for name, value in match.groupdict().items() if value), Fraction(0))


def parse_rate(text: str, *, default_unit: str = "h", conventions: Conventions = DEFAULT_CONVENTIONS) -> Fraction:
    """Events per second from ``1e-3``, ``1e-3/h``, ``2/y`` or ``0.5 per day`` (bare numbers are per ``default_unit``)."""
    number, _, unit = text.replace(" per ", "/").partition("/")
    unit = unit.strip()
    try:
        count = parse_number(number)
        if not unit:
            seconds = unit_seconds(default_unit, conventions)
        else:
            seconds = parse_duration(unit if unit[0].isdigit() else f"1{unit}", conventions=conventions)
    except InputError:
        raise InputError(f"cannot read rate {text!r}", fix="write it like 1e-3, 1e-3/h or 2/y") from None
    if seconds == 0:
        raise InputError(f"rate {text!r} is per zero time", fix="write it like 1e-3/h")
    return count / seconds


def parse_availability(text: str) -> Fraction:
    """An availability as a fraction in [0, 1] from ``99.99%``, ``99.99``, ``0.9999`` or ``4 nines``.

    A bare number above 1 is a percentage; 1 or below is a fraction.
    """
    stripped = _short_enough(text).strip().lower()
    hint = "write it like 99.99%, 99.99, 0.9999 or '4 nines'"
    if stripped.endswith("nines") or stripped.endswith("nine"):
        count = parse_number(stripped.rstrip("s").removesuffix("nine"))
        if count > 30:
            raise InputError(f"{text!r} is more nines than a float can tell apart", fix="use at most 30 nines")
        return 1 - unavailability_of_nines(count)
    is_percent = stripped.endswith("%")
    try:
        value = parse_number(stripped.removesuffix("%"))
    except InputError:
        raise InputError(f"not an availability: {text!r}", fix=hint) from None
    if is_percent or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise InputError(f"availability {text!r} is outside 0-100%", fix=hint)
    return value


def unavailability_of_nines(count: Fraction) -> Fraction:
    """``10**-count``: exact for whole nines, the nearest float otherwise (4.5 nines is irrational)."""
    if count.denominator == 1:
        return Fraction(1, 10 ** int(count)) if count >= 0 else Fraction(10 ** int(-count))
    return Fraction(10 ** -float(count))


def nines(unavailability: Fraction) -> float:
    """``-log10(U)`` from U itself, so high availabilities keep their digits."""
    if unavailability == 0:
        return math.inf
    return math.log10(unavailability.denominator) - math.log10(unavailability.numerator)


MAX_DECIMALS = 9  # nanoseconds: anything shorter shows as 0s


def format_duration(seconds: Fraction | float, rounding: Rounding = "nearest", *, trim: bool = False) -> str:
    """``3d 15h 36m 0s`` from a minute up (whole seconds); below a minute milliseconds, below a second 3 digits.

    ``trim`` drops trailing zero units (``30d`` rather than ``30d 0h 0m 0s``), for echoing what the user typed.
    """
    value = Fraction(seconds)
    if value >= 60:
        total = _round(value, rounding)
        days, rest = divmod(total, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
        while parts[0][0] == 0:
            parts.pop(0)
        while trim and parts[-1][0] == 0:
            parts.pop()
        return " ".join(f"{amount}{unit}" for amount, unit in parts)
    decimals = 3 if value >= 1 or value == 0 else min(MAX_DECIMALS, 2 + math.ceil(nines(value)))
    return _fixed(value, decimals, rounding) + "s"


def format_percent(availability: Fraction, unavailability: Fraction | None = None) -> str:
    """``99.9995%``: enough decimals that the unavailability keeps at least two digits."""
    unavailability = 1 - availability if unavailability is None else unavailability
    decimals = 2 if unavailability == 0 else max(2, math.floor(nines(unavailability)) + 1)
    return _fixed(availability * 100, decimals, "nearest") + "%"


def _round(value: Fraction, rounding: Rounding) -> int:
    return math.floor(value) if rounding == "floor" else math.floor(value + Fraction(1, 2))


def _fixed(value: Fraction, decimals: int, rounding: Rounding) -> str:
    """A non-negative exact value with at most ``decimals`` decimals, trailing zeros dropped."""
    whole, part = divmod(_round(value * 10**decimals, rounding), 10**decimals)
    digits = f"{part:0{decimals}d}".rstrip("0")
    return f"{whole}.{digits}" if digits else str(whole)
