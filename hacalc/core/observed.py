"""What an observed failure record supports: point estimates with χ² and F confidence bounds.

Formulas and their conventions follow reliability-math.md §4: χ²_{p,ν} and f_{ν1,ν2;p} are lower-tail
p-quantiles (``scipy.stats.chi2.ppf(p, ν)``). The record is time-terminated (the window ends when it ends,
not at a failure), so the MTBF lower bound uses 2r + 2 degrees of freedom and still exists at r = 0.
Times are seconds; point estimates stay exact ``Fraction``s, bounds are floats from scipy (imported lazily).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

from hacalc.core.availability import Availability
from hacalc.core.errors import InputError
from hacalc.i18n import _

Number = Fraction | float | int
Point = TypeVar("Point", Fraction, float, int)

DEFAULT_CONFIDENCE = Fraction(9, 10)


def merge_intervals(intervals: Iterable[tuple[Point, Point]]) -> list[tuple[Point, Point]]:
    """Union of (start, end) intervals, sorted: overlapping incidents of one object count once."""
    merged: list[tuple[Point, Point]] = []
    for start, end in sorted(intervals):
        if end < start:
            raise InputError(_("an interval ends ({end}) before it starts ({start})").format(end=end, start=start), fix=_("swap or correct its times"))
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def total_length(intervals: Iterable[tuple[Point, Point]]) -> Point | int:
    """Summed length of intervals (merge them first to count shared time once)."""
    return sum((end - start for start, end in intervals), 0)


@dataclass(frozen=True)
class Bounds:
    """A confidence interval in seconds; ``None`` where the record cannot bound that side."""

    lower: float | None
    upper: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"lower": self.lower, "upper": self.upper}


def _alpha(confidence: Number) -> float:
    if not 0 < confidence < 1:
        raise InputError(
            _("confidence {confidence} is not between 0 and 1").format(confidence=float(confidence)), "--confidence", _("give e.g. 0.90 or 90%")
        )
    return 1 - float(confidence)


def _require_count(count: int, what: str) -> None:
    if count < 0:
        raise InputError(_("{what} must not be negative").format(what=what), fix=_("give zero or more"))


def _require_time(time: Number, what: str) -> None:
    if time < 0:
        raise InputError(_("{what} must not be negative").format(what=what), fix=_("give zero or more"))


def _chi2(probability: float, degrees: int) -> float:
    """``scipy.stats.chi2.ppf`` computes exactly this; the ufunc skips its ~100 µs of argument checks per call
    and scipy.stats' 0.7 s import, which a report with thousands of rows would pay."""
    from scipy.special import gammaincinv

    return float(2 * gammaincinv(degrees / 2, probability))


def _f(probability: float, degrees_up: int, degrees_down: int) -> float:
    """``scipy.stats.f.ppf``, as its ufunc (see ``_chi2``)."""
    from scipy.special import fdtri

    return float(fdtri(degrees_up, degrees_down, probability))


def mtbf_lower_bound(
    operating_time: Number,
    failures: int,
    confidence: Number = DEFAULT_CONFIDENCE,
    *,
    one_sided: bool = True,
    time_terminated: bool = True,
) -> float | None:
    """``2T/χ²_{1-α,2r+2}`` (one-sided) or with α/2 (the lower end of a two-sided interval).

    A failure-terminated record uses 2r degrees of freedom and has no bound at r = 0 (§4.1).
    """
    _require_time(operating_time, "operating time")
    _require_count(failures, "failures")
    alpha = _alpha(confidence)
    degrees = 2 * failures + (2 if time_terminated else 0)
    if degrees == 0:
        return None
    return 2 * float(operating_time) / _chi2(1 - (alpha if one_sided else alpha / 2), degrees)


def mtbf_bounds(operating_time: Number, failures: int, confidence: Number = DEFAULT_CONFIDENCE) -> Bounds:
    """Two-sided ``[2T/χ²_{1-α/2,2r+2}, 2T/χ²_{α/2,2r}]``; at r = 0 the one-sided ``2T/χ²_{1-α,2}`` and no upper bound."""
    if failures == 0:
        return Bounds(mtbf_lower_bound(operating_time, 0, confidence, one_sided=True), None)
    lower = mtbf_lower_bound(operating_time, failures, confidence, one_sided=False)
    upper = 2 * float(operating_time) / _chi2(_alpha(confidence) / 2, 2 * failures)
    return Bounds(lower, upper)


def mtbf_demonstrated_confidence(mtbf: Number, operating_time: Number, failures: int) -> float:
    """Confidence that the true MTBF is at least ``mtbf``: ``P(χ²_{2r+2} ≤ 2T/mtbf)`` (1 - e^{-T/m} at r = 0)."""
    from scipy.special import chdtr

    if mtbf <= 0:
        raise InputError(_("the MTBF to demonstrate must be greater than zero"), fix=_("give a positive value"))
    _require_time(operating_time, "operating time")
    _require_count(failures, "failures")
    return float(chdtr(2 * failures + 2, 2 * float(operating_time) / float(mtbf)))


def mttr_bounds(downtime: Number, repairs: int, confidence: Number = DEFAULT_CONFIDENCE) -> Bounds:
    """Exponential repairs: ``2Y/MTTR ~ χ²_{2m}`` over m completed repairs, so ``[2Y/χ²_{1-α/2,2m}, 2Y/χ²_{α/2,2m}]``.

    No repair observed says nothing about repair time: both sides are ``None``.
    """
    _require_time(downtime, "downtime")
    _require_count(repairs, "repairs")
    alpha = _alpha(confidence)
    if repairs == 0:
        return Bounds(None, None)
    degrees = 2 * repairs
    return Bounds(2 * float(downtime) / _chi2(1 - alpha / 2, degrees), 2 * float(downtime) / _chi2(alpha / 2, degrees))


def _availability_from_ratio(downtime_ratio: float) -> Availability:
    """A = 1/(1+x) held as U = x/(1+x), so a tiny x keeps its digits (never 1 - A in floating point)."""
    return Availability(Fraction(downtime_ratio / (1 + downtime_ratio)))


def availability_bounds(
    uptime: Number, downtime: Number, cycles: int, confidence: Number = DEFAULT_CONFIDENCE, *, one_sided: bool = False
) -> tuple[Availability, Availability] | None:
    """Trivedi/Thompson: ``ρ/ρ̂ ~ F(2n, 2n)`` with ``ρ̂ = Y/S``, so A ∈ ``[1/(1+ρ̂f_{1-α/2}), 1/(1+ρ̂f_{α/2})]``.

    ``one_sided`` gives ``(1/(1+ρ̂f_{1-α}), 1)``. ``None`` without a failure/repair cycle: nothing is known of repairs.
    """
    _require_time(downtime, "downtime")
    _require_count(cycles, "failures")
    if uptime <= 0:
        raise InputError(_("operating time must be greater than zero"), fix=_("widen the window or check the incidents"))
    alpha = _alpha(confidence)
    if cycles == 0:
        return None
    ratio = float(Fraction(downtime) / Fraction(uptime))
    degrees = 2 * cycles
    if one_sided:
        return _availability_from_ratio(ratio * _f(1 - alpha, degrees, degrees)), Availability(Fraction(0))
    return (
        _availability_from_ratio(ratio * _f(1 - alpha / 2, degrees, degrees)),
        _availability_from_ratio(ratio * _f(alpha / 2, degrees, degrees)),
    )


def availability_bounds_keesee(
    uptime: Number, downtime: Number, failures: int, repairs: int, confidence: Number = DEFAULT_CONFIDENCE
) -> tuple[Availability, Availability] | None:
    """Keesee (1965): time-terminated uptime, ``x = (MTTR/MTBF)·(n+1)/n``, F with (2n+2, 2m) degrees of freedom.

    Allows fewer completed repairs than failures (an incident still open); ``None`` with no repair or failure.
    """
    _require_time(downtime, "downtime")
    _require_count(failures, "failures")
    _require_count(repairs, "repairs")
    if uptime <= 0:
        raise InputError(_("operating time must be greater than zero"), fix=_("widen the window or check the incidents"))
    alpha = _alpha(confidence)
    if failures == 0 or repairs == 0:
        return None
    ratio = float(Fraction(downtime) / repairs / (Fraction(uptime) / failures) * Fraction(failures + 1, failures))
    degrees = (2 * (failures + 1), 2 * repairs)
    return (
        _availability_from_ratio(ratio * _f(1 - alpha / 2, *degrees)),
        _availability_from_ratio(ratio * _f(alpha / 2, *degrees)),
    )


@dataclass(frozen=True)
class ObservedEstimate:
    """One object's or group's record: r failures in operating time T, their downtime, and what that supports."""

    failures: int
    operating_time: Fraction
    downtime: Fraction
    confidence: Fraction
    availability: Availability  # observed: downtime / (operating time + downtime), exact
    mtbf_bounds: Bounds
    mttr_bounds: Bounds
    availability_bounds: tuple[Availability, Availability] | None

    @property
    def mtbf(self) -> Fraction | None:
        return None if self.failures == 0 else self.operating_time / self.failures

    @property
    def mttr(self) -> Fraction | None:
        return None if self.failures == 0 else self.downtime / self.failures

    @property
    def demonstrated(self) -> Availability | None:
        """The lower availability bound: what the record shows at this confidence."""
        return None if self.availability_bounds is None else self.availability_bounds[0]

    @property
    def demonstrated_nines(self) -> float | None:
        return None if self.demonstrated is None else self.demonstrated.nines

    def as_dict(self) -> dict[str, Any]:
        bounds = self.availability_bounds
        return {
            "failures": self.failures,
            "operating_seconds": self.operating_time,
            "downtime_seconds": self.downtime,
            "confidence": self.confidence,
            "availability": self.availability.availability,
            "unavailability": self.availability.unavailability,
            "nines": self.availability.nines,
            "mtbf_seconds": self.mtbf,
            "mttr_seconds": self.mttr,
            "mtbf_bounds": self.mtbf_bounds.as_dict(),
            "mttr_bounds": self.mttr_bounds.as_dict(),
            "availability_bounds": None
            if bounds is None
            else {"lower": float(bounds[0].availability), "upper": float(bounds[1].availability)},
            "demonstrated_nines": self.demonstrated_nines,
        }


def estimate(
    operating_time: Number,
    downtime: Number,
    failures: int,
    confidence: Number = DEFAULT_CONFIDENCE,
    *,
    repairs: int | None = None,
) -> ObservedEstimate:
    """Point estimates and bounds for r failures in operating time T with total downtime Y.

    ``repairs`` (default: every failure) below ``failures`` means some outages were still open when the
    record ended: the MTTR bounds then rest on the completed repairs and the availability bounds are Keesee's.
    """
    if operating_time <= 0:
        raise InputError(_("operating time must be greater than zero"), fix=_("widen the window or check the incidents"))
    _require_time(downtime, "downtime")
    _require_count(failures, "failures")
    _alpha(confidence)
    repaired = failures if repairs is None else repairs
    if not 0 <= repaired <= failures:
        raise InputError(_("{repaired} repairs for {failures} failures").format(repaired=repaired, failures=failures), fix=_("give at most one repair per failure"))
    uptime, down = Fraction(operating_time), Fraction(downtime)
    return ObservedEstimate(
        failures=failures,
        operating_time=uptime,
        downtime=down,
        confidence=Fraction(confidence),
        availability=Availability(down / (uptime + down)),
        mtbf_bounds=mtbf_bounds(uptime, failures, confidence),
        mttr_bounds=mttr_bounds(down, repaired, confidence),
        availability_bounds=availability_bounds(uptime, down, failures, confidence)
        if repaired == failures
        else availability_bounds_keesee(uptime, down, failures, repaired, confidence),
    )
