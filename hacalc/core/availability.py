"""Steady-state availability of one repairable unit, its nines and its downtime per period.

Everything is kept as an exact unavailability ``U``; ``A`` is derived as ``1 - U`` only for display,
so five or fifteen nines keep every digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from hacalc.core.errors import InputError
from hacalc.core.periods import Conventions
from hacalc.core.units import nines as nines_of
from hacalc.core.units import whole_nines
from hacalc.i18n import N_, _

# The seed handbook's availability classes: whole nines -> where that level is typical.
# The names stay English in JSON and CSV; tables show them translated (hacalc.cli.render.class_text).
NINES_CLASSES: dict[int, str] = {
    2: N_("office equipment"),
    3: N_("most IT"),
    4: N_("internet infrastructure"),
    5: N_("PSTN and business-critical"),
    6: N_("carrier-grade core and edge"),
}


class MtbfDefinition(str, Enum):
    """What the user's MTBF means; both are in use and they differ by MTTR."""

    operating = "operating"  # mean operating time between failures (= MTTF; DoD/DAU Ai = MTBF/(MTBF+MTTR))
    cycle = "cycle"  # mean failure-to-failure cycle (= MTTF + MTTR; IEC renewal view, A = MTTF/MTBF)


@dataclass(frozen=True)
class NinesClass:
    nines: int
    typical: str | None


@dataclass(frozen=True)
class Availability:
    """A long-run availability held as its exact unavailability."""

    unavailability: Fraction

    @property
    def availability(self) -> Fraction:
        return 1 - self.unavailability

    @property
    def nines(self) -> float:
        return nines_of(self.unavailability)

    @property
    def nines_class(self) -> NinesClass:
        """Whole nines reached and where that class is typical (7 and more are still carrier-grade)."""
        whole = whole_nines(self.unavailability)
        return NinesClass(whole, NINES_CLASSES.get(min(whole, 6)) if whole >= 2 else None)

    def downtime_seconds(self, conventions: Conventions) -> dict[str, Fraction]:
        """Expected downtime in each named period: ``U × period length``, exact."""
        return {name: self.unavailability * length for name, length in conventions.period_seconds().items()}

    def as_dict(self, conventions: Conventions) -> dict[str, object]:
        """The keys every availability-shaped result shares in JSON."""
        nines_class = self.nines_class
        return {
            "availability": self.availability,
            "unavailability": self.unavailability,
            "nines": self.nines,
            "class": {"nines": nines_class.nines, "typical": nines_class.typical},
            "downtime_seconds": self.downtime_seconds(conventions),
        }


def from_unavailability(unavailability: Fraction) -> Availability:
    if not 0 <= unavailability <= 1:
        raise InputError(_("unavailability {unavailability} is outside [0, 1]").format(unavailability=float(unavailability)))
    return Availability(unavailability)


def from_availability(availability: Fraction) -> Availability:
    return from_unavailability(1 - availability)


def from_mttf_mttr(mttf: Fraction, mttr: Fraction) -> Availability:
    """``A = MTTF / (MTTF + MTTR)``; exact for any up/down distributions with these means."""
    _require_positive(mttf, "--mttf")
    _require_non_negative(mttr, "--mttr")
    return Availability(mttr / (mttf + mttr))


def mttf_from_mtbf(mtbf: Fraction, mttr: Fraction, definition: MtbfDefinition) -> Fraction:
    """MTTF implied by an MTBF under the chosen definition."""
    _require_positive(mtbf, "--mtbf")
    if definition is MtbfDefinition.operating:
        return mtbf
    if mttr >= mtbf:
        raise InputError(
            _("MTBF must exceed MTTR when MTBF is the whole failure-to-failure cycle"),
            "--mtbf",
            _("use --mtbf-means operating if your MTBF is operating time between failures"),
        )
    return mtbf - mttr


def from_rates(failure_rate: Fraction, repair_rate: Fraction) -> Availability:
    """``A = μ / (λ + μ)`` for constant failure rate λ and repair rate μ (same time unit)."""
    _require_positive(failure_rate, "--failure-rate")
    _require_positive(repair_rate, "--repair-rate")
    return Availability(failure_rate / (failure_rate + repair_rate))


def from_observed(downtime: Fraction, period: Fraction) -> Availability:
    """Observed availability: ``1 - downtime / period`` (e.g. 1 day in 365 → 99.726 %)."""
    _require_positive(period, "--period")
    if downtime > period:
        raise InputError(_("downtime is longer than the period it was observed in"), "--downtime", _("check --period"))
    return Availability(downtime / period)


def failures_per_year(mttf: Fraction, mttr: Fraction, conventions: Conventions) -> Fraction:
    """Mean failures in a year: one per up/down cycle of MTTF + MTTR."""
    return conventions.year_seconds / (mttf + mttr)


def _require_positive(value: Fraction, option: str) -> None:
    if value <= 0:
        raise InputError(_("{option} must be greater than zero").format(option=option), fix=_("give a positive value"))


def _require_non_negative(value: Fraction, option: str) -> None:
    if value < 0:
        raise InputError(_("{option} must not be negative").format(option=option), fix=_("give zero or more"))
