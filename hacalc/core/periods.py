"""Period conventions: how long a year, month and quarter are, stated rather than assumed.

Published nines tables disagree (365 d, 365.25 d, 365.2425 d; month = year/12 or 30 d), so every result
carries the convention it was computed under.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from hacalc.core.errors import InputError
from hacalc.i18n import _

Rounding = Literal["nearest", "floor"]

DAY = Fraction(86400)
WEEK = 7 * DAY
HOUR = Fraction(3600)
YEAR_DAYS_CHOICES = ("365", "365.25", "365.2425")
PERIOD_NAMES = ("day", "week", "month", "quarter", "year")


def parse_year_days(text: str) -> Fraction:
    """365 (the 8760-hour engineering year), 365.25 (Julian) or 365.2425 (Gregorian)."""
    if text.strip() not in YEAR_DAYS_CHOICES:
        raise InputError(_("unsupported year length {text!r}").format(text=text), fix=_("use one of {choices}").format(choices=", ".join(YEAR_DAYS_CHOICES)))
    return Fraction(text.strip())


@dataclass(frozen=True)
class Conventions:
    """The period lengths and display rounding that a result was computed under."""

    year_days: Fraction = Fraction(365)
    explicit_month_seconds: Fraction | None = None
    explicit_quarter_seconds: Fraction | None = None
    rounding: Rounding = "nearest"

    @property
    def year_seconds(self) -> Fraction:
        return self.year_days * DAY

    @property
    def month_seconds(self) -> Fraction:
        return self.explicit_month_seconds or self.year_seconds / 12

    @property
    def quarter_seconds(self) -> Fraction:
        return self.explicit_quarter_seconds or self.year_seconds / 4

    def period_seconds(self) -> dict[str, Fraction]:
        """Every named period, shortest first."""
        return {
            "day": DAY,
            "week": WEEK,
            "month": self.month_seconds,
            "quarter": self.quarter_seconds,
            "year": self.year_seconds,
        }

    def describe(self) -> str:
        """One line for table captions: the reader must see which year was used.

        The same in every language: the lengths are a formula, and ``nearest``/``floor`` is the value --rounding takes.
        """
        month = "year/12" if self.explicit_month_seconds is None else f"{decimal_text(self.month_seconds / DAY)} d"
        quarter = "year/4" if self.explicit_quarter_seconds is None else f"{decimal_text(self.quarter_seconds / DAY)} d"
        return (
            f"year = {decimal_text(self.year_days)} d ({decimal_text(self.year_seconds / HOUR)} h), "
            f"month = {month}, quarter = {quarter}, {self.rounding} second"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "year_days": _plain_number(self.year_days),
            "year_seconds": _plain_number(self.year_seconds),
            "month": "year/12" if self.explicit_month_seconds is None else "explicit",
            "month_seconds": _plain_number(self.month_seconds),
            "quarter": "year/4" if self.explicit_quarter_seconds is None else "explicit",
            "quarter_seconds": _plain_number(self.quarter_seconds),
            "rounding": self.rounding,
        }


def decimal_text(value: Fraction) -> str:
    """``365.2425`` as typed: up to six decimals, cut, trailing zeros dropped (``%g`` showed 365.243)."""
    whole, part = divmod(math.floor(value * 10**6), 10**6)
    digits = f"{part:06d}".rstrip("0")
    return f"{whole}.{digits}" if digits else str(whole)


def _plain_number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


DEFAULT_CONVENTIONS = Conventions()
