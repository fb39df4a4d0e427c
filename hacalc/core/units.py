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
from hacalc.i18n import N_, _

DURATION_HINT = N_("use a number with a unit such as 30s, 15m, 2h30m, 1.5h, 50000h, 30d, 1w, 1y or PT15M")

_FIXED_UNITS: dict[str, Fraction] = {
    **dict.fromkeys(("ms", "msec", "millisecond", "milliseconds"), Fraction(1, 1000)),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), Fraction(1)),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), Fraction(60)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), HOUR),
    **dict.fromkeys(("d", "day", "days"), DAY),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), WEEK),
}
MAX_VALUE_CHARACTERS = 200
MAX_DEPTH = 64  # the deepest a scenario file or a batch row may nest; real ones need three or four levels
MAX_EXPONENT = 308  # a float's range, about 1e-308 to 1e308
_LARGEST_FLOAT = Fraction(sys.float_info.max)
MAX_RATE_EXPONENT = 300  # per second, leaving room to show a rate per hour or per year as a float
_LARGEST_RATE = Fraction(10**MAX_RATE_EXPONENT)
_MONTH_UNITS = ("mo", "mon", "month", "months")
_QUARTER_UNITS = ("q", "qtr", "qtrs", "quarter", "quarters")
_YEAR_UNITS = ("y", "yr", "yrs", "year", "years")

_NUMBER = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"  # ASCII digits only, whatever the locale
# Pattern strings, not compiled objects: re compiles (and caches) only the ones a command uses.
_PART = rf"\s*({_NUMBER})\s*([A-Za-z]+)"
_ISO = (
    r"P(?:(?P<Y>[0-9]+(?:\.[0-9]+)?)Y)?(?:(?P<MO>[0-9]+(?:\.[0-9]+)?)M)?(?:(?P<W>[0-9]+(?:\.[0-9]+)?)W)?(?:(?P<D>[0-9]+(?:\.[0-9]+)?)D)?"
    r"(?:T(?=[0-9])(?:(?P<H>[0-9]+(?:\.[0-9]+)?)H)?(?:(?P<MI>[0-9]+(?:\.[0-9]+)?)M)?(?:(?P<S>[0-9]+(?:\.[0-9]+)?)S)?)?"
)
_BARE_NUMBER = rf"[+-]?{_NUMBER}"


class OutOfRange(InputError):
    """A well-formed number beyond what a float result could show."""


def unit_seconds(unit: str, conventions: Conventions = DEFAULT_CONVENTIONS) -> Fraction:
    """Seconds in one ``unit``; a bare capital ``M`` is refused because it means minutes to some and months to others."""
    if unit == "M":
        raise InputError(_("ambiguous unit 'M'"), fix=_("write m or min for minutes, mo for months"))
    key = unit.lower()
    if key in _FIXED_UNITS:
        return _FIXED_UNITS[key]
    if key in _MONTH_UNITS:
        return conventions.month_seconds
    if key in _QUARTER_UNITS:
        return conventions.quarter_seconds
    if key in _YEAR_UNITS:
        return conventions.year_seconds
    raise InputError(_("unknown unit {unit!r}").format(unit=unit), fix=_("use ms, s, m, h, d, w, mo, q or y"))


def parse_number(text: str) -> Fraction:
    """A finite decimal number, exactly; NaN, inf and other spellings are refused."""
    cleaned = _short_enough(text).strip().replace("_", "")
    if not re.fullmatch(_BARE_NUMBER, cleaned):
        raise InputError(_("not a number: {text!r}").format(text=text), fix=_("write a decimal number such as 0.99 or 1e-3"))
    return decimal_fraction(cleaned, _("number {text!r}").format(text=text))


def decimal_fraction(text: str, what: str) -> Fraction:
    """The exact value of a decimal literal, refused before it is built when it lies beyond a float's range.

    ``Fraction("1e-9999999")`` would build a ten-million-digit integer first; the range is decided from
    the digits and the exponent alone, so hostile exponents cost nothing.
    """
    mantissa, _e, exponent = text.lower().partition("e")
    whole, _point, decimals = mantissa.lstrip("+-").partition(".")
    whole = whole.lstrip("0")
    if not whole and not decimals.strip("0"):
        return Fraction(0)
    leading = len(whole) - 1 if whole else -(len(decimals) - len(decimals.lstrip("0")) + 1)
    magnitude = leading + int(exponent or 0)  # the power of ten of the first significant digit
    if magnitude > MAX_EXPONENT:
        raise OutOfRange(_("{what} is too large").format(what=what), fix=_("give a value a float can hold (below 1e{most})").format(most=MAX_EXPONENT))
    if magnitude < -MAX_EXPONENT:
        raise OutOfRange(_("{what} is too small").format(what=what), fix=_("give 0 or a value of at least 1e-{most}").format(most=MAX_EXPONENT))
    return _representable(Fraction(text), what)


def _short_enough(text: str) -> str:
    """No real value needs more; Python refuses to read integers of over 4300 digits anyway."""
    if len(text) > MAX_VALUE_CHARACTERS:
        raise InputError(_("value of {count} characters is too long").format(count=len(text)), fix=_("write it in at most {most}").format(most=MAX_VALUE_CHARACTERS))
    return text


def _representable(value: Fraction, what: str) -> Fraction:
    """Results are reported as floats, so an input beyond float range could not be shown."""
    if abs(value) > _LARGEST_FLOAT:
        raise OutOfRange(_("{what} is too large").format(what=what), fix=_("give a value a float can hold (below 1e{most})").format(most=MAX_EXPONENT))
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
        raise InputError(_("negative duration {text!r}").format(text=text), fix=_("durations must be zero or more"))
    if not stripped:
        raise InputError(_("empty duration"), fix=_(DURATION_HINT))
    if stripped[0] in "pP":
        seconds = _parse_iso(stripped, conventions)
    elif re.fullmatch(_BARE_NUMBER, stripped.lstrip("+")):
        if default_unit is None:
            raise InputError(_("duration {text!r} has no unit").format(text=text), fix=_(DURATION_HINT))
        seconds = decimal_fraction(stripped.lstrip("+"), _("duration {text!r}").format(text=text)) * unit_seconds(default_unit, conventions)
    else:
        seconds = _parse_compact(stripped.lstrip("+"), conventions)
    _representable(seconds, _("duration {text!r}").format(text=text))
    if seconds == 0 and not allow_zero:
        raise InputError(_("duration {text!r} is zero").format(text=text), fix=_("give a duration greater than zero"))
    return seconds


def _parse_compact(text: str, conventions: Conventions) -> Fraction:
    total, position = Fraction(0), 0
    for match in re.finditer(_PART, text):
        if match.start() != position:
            break
        total += decimal_fraction(match.group(1), _("duration {text!r}").format(text=text)) * unit_seconds(match.group(2), conventions)
        position = match.end()
    if position == 0 or text[position:].strip():
        raise InputError(_("cannot read duration {text!r}").format(text=text), fix=_(DURATION_HINT))
    return total


def _parse_iso(text: str, conventions: Conventions) -> Fraction:
    match = re.fullmatch(_ISO, text, re.IGNORECASE)
    if not match or not any(match.groupdict().values()):
        raise InputError(_("cannot read ISO-8601 duration {text!r}").format(text=text), fix=_("write it like PT15M, PT2H30M, P30D or P1Y"))
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
    number, slash, unit = _short_enough(text).replace(" per ", "/").partition("/")
    unit = unit.strip()
    try:
        if slash and not unit:
            raise InputError(_("no unit after '/'"))
        count = parse_number(number)
        if not unit:
            seconds = unit_seconds(default_unit, conventions)
        else:
            seconds = parse_duration(unit if unit[0].isdigit() else f"1{unit}", conventions=conventions)
    except OutOfRange:
        raise
    except InputError:
        raise InputError(_("cannot read rate {text!r}").format(text=text), fix=_("write it like 1e-3, 1e-3/h or 2/y")) from None
    if seconds == 0:
        raise InputError(_("rate {text!r} is per zero time").format(text=text), fix=_("write it like 1e-3/h"))
    rate = count / seconds
    if rate and not 1 / _LARGEST_RATE <= rate <= _LARGEST_RATE:
        raise OutOfRange(_("rate {text!r} is out of range").format(text=text), fix=_("give between 1e-{most} and 1e{most} events per second").format(most=MAX_RATE_EXPONENT))
    return rate


def parse_probability(text: str, what: str | None = None, *, strictly_between: bool = False) -> Fraction:
    """``0.05`` or ``5%``. Where 0 and 1 themselves make no sense (a confidence, a quantile level), a bare
    number of 1 or more is a percentage too: ``--confidence 90`` is 90 %."""
    stripped = text.strip()
    value = parse_number(stripped.removesuffix("%"))
    if stripped.endswith("%") or (strictly_between and value >= 1):
        value /= 100
    inside = 0 < value < 1 if strictly_between else 0 <= value <= 1
    if not inside:
        problem = _("{what} {value!r} is not strictly between 0 and 1") if strictly_between else _("{what} {value!r} is not between 0 and 1")
        raise InputError(problem.format(what=what or _("probability"), value=text.strip()), fix=_("give e.g. 0.05, 0.90 or 95%"))
    return value


def parse_availability(text: str) -> Fraction:
    """An availability as a fraction in [0, 1] from ``99.99%``, ``99.99``, ``0.9999`` or ``4 nines``.

    A bare number above 1 is a percentage; 1 or below is a fraction.
    """
    stripped = _short_enough(text).strip().lower()
    hint = _("write it like 99.99%, 99.99, 0.9999 or '4 nines'")
    if stripped.endswith("nines") or stripped.endswith("nine"):
        count = parse_number(stripped.rstrip("s").removesuffix("nine"))
        if count < 0:
            raise InputError(_("{text!r} is a negative number of nines").format(text=text), fix=_("use 0 nines or more"))
        if count > MAX_EXPONENT:
            raise InputError(_("{text!r} is more nines than a number can hold here").format(text=text), fix=_("use at most {most} nines").format(most=MAX_EXPONENT))
        return 1 - unavailability_of_nines(count)
    is_percent = stripped.endswith("%")
    try:
        value = parse_number(stripped.removesuffix("%"))
    except OutOfRange:
        raise
    except InputError:
        raise InputError(_("not an availability: {text!r}").format(text=text), fix=hint) from None
    if is_percent or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise InputError(_("availability {text!r} is outside 0-100%").format(text=text), fix=hint)
    return value


def unavailability_of_nines(count: Fraction) -> Fraction:
    """``10**-count`` for ``count >= 0``: exact for whole nines, the nearest float otherwise (4.5 nines is irrational)."""
    if count.denominator == 1:
        return Fraction(1, 10 ** int(count))
    return Fraction(10 ** -float(count))


def small_percentage_note(text: str) -> str | None:
    """A warning for bare targets such as ``4``, which read as 4 % though ``4 nines`` may have been meant."""
    stripped = text.strip()
    if not re.fullmatch(r"[+]?[0-9](?:\.[0-9]*)?", stripped):
        return None
    value = Fraction(stripped)
    if value == 1:
        return _("{text!r} is read as the fraction 1 (100%); for 90% write '1 nine' or 90%").format(text=text.strip())
    if 1 < value < 10:
        nines_text = f"{stripped} nines"
        return _("{text!r} is read as {text}%; for {percent} write {nines!r}").format(
            text=stripped, percent=format_percent(1 - unavailability_of_nines(value)), nines=nines_text)
    return None


def nines(unavailability: Fraction) -> float:
    """``-log10(U)`` from U itself, so high availabilities keep their digits."""
    if unavailability == 0:
        return math.inf
    return math.log10(unavailability.denominator) - math.log10(unavailability.numerator)


MAX_WHOLE_NINES = 99


def whole_nines(unavailability: Fraction) -> int:
    """Largest n with U <= 10**-n, decided exactly so 99.9 % is 3 nines, not 2.9999999."""
    if unavailability == 0:
        return MAX_WHOLE_NINES
    whole = max(0, min(MAX_WHOLE_NINES, math.floor(nines(unavailability))) - 1)  # a float guess, checked exactly
    while whole < MAX_WHOLE_NINES and unavailability * 10 ** (whole + 1) <= 1:
        whole += 1
    return whole


def format_nines(unavailability: Fraction) -> str:
    """``3.99`` for 99.98999 %: cut, never rounded, so a class is never shown as reached before it is."""
    if unavailability == 0:
        return "∞"
    hundredths = max(math.floor(nines(unavailability) * 100), 100 * whole_nines(unavailability))
    return f"{hundredths // 100}.{hundredths % 100:02d}"


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


_UNITS = ((86400, "d"), (3600, "h"), (60, "m"), (1, "s"))


def format_duration_roughly(seconds: Fraction | float, rounding: Rounding = "nearest") -> str:
    """The two largest units, rounded (``12d 20h``, ``6m 41s``): for estimates, whose further digits mean nothing."""
    value = Fraction(seconds)
    if value < 60:
        return format_duration(value, rounding)
    first = next(index for index, (size, _) in enumerate(_UNITS) if value >= size)
    total = _round(value / _UNITS[min(first + 1, 3)][0], rounding) * _UNITS[min(first + 1, 3)][0]
    if first > 0 and total >= _UNITS[first - 1][0]:  # 23h 59m 59s rounds up to a day
        first -= 1
        total = _round(value / _UNITS[first + 1][0], rounding) * _UNITS[first + 1][0]
    kept = _UNITS[first : first + 2]
    parts = []
    for size, unit in kept:
        amount, total = divmod(total, size)
        parts.append(f"{amount}{unit}")
    return " ".join(parts)


MAX_PERCENT_DECIMALS = 15


def format_percent(availability: Fraction, unavailability: Fraction | None = None) -> str:
    """``99.9995%``: enough decimals that the unavailability keeps two digits, cut rather than rounded up.

    99.98999 % shows as 99.9899 %, never as 99.99 %, a level it has not reached. Past 15 decimals the
    digits stop (still cut), so a 1e-6000 unavailability costs no 6000-digit number.
    """
    unavailability = 1 - availability if unavailability is None else unavailability
    wanted = 2 if unavailability == 0 else max(2, min(MAX_PERCENT_DECIMALS, math.floor(nines(unavailability)) + 1))
    return _fixed(availability * 100, wanted, "floor") + "%"


def _round(value: Fraction, rounding: Rounding) -> int:
    return math.floor(value) if rounding == "floor" else math.floor(value + Fraction(1, 2))


def _fixed(value: Fraction, decimals: int, rounding: Rounding) -> str:
    """A non-negative exact value with at most ``decimals`` decimals, trailing zeros dropped."""
    whole, part = divmod(_round(value * 10**decimals, rounding), 10**decimals)
    digits = f"{part:0{decimals}d}".rstrip("0")
    return f"{whole}.{digits}" if digits else str(whole)
