"""Availability-shaped results as table cells and CSV columns, shared by every command that shows them."""

from __future__ import annotations

from fractions import Fraction

from hacalc.core.availability import Availability
from hacalc.core.periods import PERIOD_NAMES, Conventions
from hacalc.core.units import format_duration, format_nines, format_percent
from hacalc.i18n import N_, _

PERIOD_COLUMNS = tuple(f"downtime_{name}_seconds" for name in PERIOD_NAMES)
AVAILABILITY_CSV_HEADER = ("availability", "unavailability", "nines", "class_nines", "class_typical", *PERIOD_COLUMNS)
# The periods as people read them (the names themselves are JSON keys and CSV columns, never translated).
PERIOD_LABELS = {"day": N_("day"), "week": N_("week"), "month": N_("month"), "quarter": N_("quarter"), "year": N_("year")}


def percent(result: Availability) -> str:
    return format_percent(result.availability, result.unavailability)


def nines_text(result: Availability) -> str:
    return format_nines(result.unavailability)


def class_text(result: Availability) -> str:
    nines_class = result.nines_class
    return f"{nines_class.nines}: {_(nines_class.typical)}" if nines_class.typical else str(nines_class.nines)


def period_label(name: str) -> str:
    """``day`` … ``year`` in the language of the run."""
    return _(PERIOD_LABELS[name])


def duration(seconds: Fraction, conventions: Conventions, *, trim: bool = False) -> str:
    """A duration as people read it, rounded the way the conventions say."""
    return format_duration(seconds, conventions.rounding, trim=trim)


def downtime_cells(result: Availability, conventions: Conventions) -> list[str]:
    return [duration(seconds, conventions) for seconds in result.downtime_seconds(conventions).values()]


def availability_csv_cells(result: Availability, conventions: Conventions) -> list[object]:
    nines_class = result.nines_class
    return [
        result.availability,
        result.unavailability,
        result.nines,
        nines_class.nines,
        nines_class.typical,
        *result.downtime_seconds(conventions).values(),
    ]


def conventions_caption(conventions: Conventions) -> str:
    return _("Conventions: {conventions}.").format(conventions=conventions.describe())
