"""Downtime in one window, not in the long run: the chance of breaching an SLA, quantiles and service credits.

A unit with exponential up times (rate a = 1/MTTF) and repairs (rate b = 1/MTTR) is an alternating Markov
process, and the time it spends up in a window of length t0 has a closed form (Tijms, *A First Course in
Stochastic Models*, Cor. 8.3.2; reliability-math.md §5.2). Starting up:

    P{U(t0) ≤ x} = Σ_n e^{-b(t0-x)} [b(t0-x)]^n / n! · P{Poisson(ax) > n}

and starting down the same with P{Poisson(ax) > n-1}; a steady start weights the two by A and U. Every
term is positive, so a breach probability of 1e-12 keeps its digits (it is never 1 minus something).
Times are hours; the downtime D = t0 - U.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from hacalc.core.errors import InputError
from hacalc.i18n import N_, _

STARTS = ("steady", "up")
DEFAULT_QUANTILES = (Fraction(1, 2), Fraction(9, 10), Fraction(99, 100), Fraction(999, 1000))
DEFAULT_MAX_BREACH_PROBABILITY = Fraction(5, 100)
_POISSON_REACH = 12  # terms beyond mean + 12 sd + 50 are below 1e-30 of the sum (reliability-math §5.2)
_QUANTILE_STEPS = 200
CURVE_POINTS = 61
MAX_CYCLES_IN_WINDOW = 1e7  # the closed form sums about window/MTTR Poisson terms: 10 million is 80 MB


@dataclass(frozen=True)
class Unit:
    """One repairable unit with exponential up and down times, and how the window starts."""

    mttf: float  # hours
    mttr: float
    window: float
    start: str = "steady"

    def __post_init__(self) -> None:
        for name, value in (("MTTF", self.mttf), ("MTTR", self.mttr), (N_("the window"), self.window)):
            if not value > 0 or not math.isfinite(value):
                raise InputError(_("{name} must be a positive duration").format(name=_(name)), fix=_("give e.g. 2000h, 4h, 30d"))
        if self.start not in STARTS:
            raise InputError(_("unknown start {start!r}").format(start=self.start), "--start", _("give steady or up"))
        if self.window / min(self.mttf, self.mttr) > MAX_CYCLES_IN_WINDOW:
            raise InputError(
                _("the window holds over {most:.0e} mean failure or repair times").format(most=MAX_CYCLES_IN_WINDOW),
                "--window",
                _("give a shorter window, or an MTTF and MTTR of the window's order"),
            )

    @property
    def failure_rate(self) -> float:
        return 1 / self.mttf

    @property
    def repair_rate(self) -> float:
        return 1 / self.mttr

    @property
    def unavailability(self) -> float:
        return self.mttr / (self.mttf + self.mttr)

    def starts_down(self) -> float:
        return self.unavailability if self.start == "steady" else 0.0


def tail(unit: Unit, downtime: float) -> float:
    """P(D > downtime): the chance that more than ``downtime`` hours of the window are down."""
    if downtime < 0:
        return 1.0
    if downtime >= unit.window:
        return 0.0
    return _tail_sum(unit, downtime)


def _tail_sum(unit: Unit, downtime: float) -> float:
    """Tijms' sum at x = t0 - d: the window's up time below x is its downtime above d."""
    from scipy.special import pdtrc

    import numpy as np

    repairs = unit.repair_rate * downtime  # b(t0 - x)
    failures = unit.failure_rate * (unit.window - downtime)  # a x
    count = np.arange(int(repairs + _POISSON_REACH * math.sqrt(repairs + 1) + 50))
    weights = _poisson_pmf(count, repairs)
    from_up = float(np.sum(weights * pdtrc(count, failures)))
    from_down = float(np.sum(weights * np.where(count == 0, 1.0, pdtrc(count - 1, failures))))
    down = unit.starts_down()
    return min((1 - down) * from_up + down * from_down, 1.0)  # a sum of positive terms may round a hair above 1


def _poisson_pmf(count: Any, mean: float) -> Any:
    import numpy as np
    from scipy.special import gammaln

    if mean == 0:
        return (count == 0).astype(float)
    return np.exp(count * math.log(mean) - mean - gammaln(count + 1))


def never_down(unit: Unit) -> float:
    """P(D = 0): up at the start and no failure in the window."""
    return (1 - unit.starts_down()) * math.exp(-unit.failure_rate * unit.window)


def _settling(unit: Unit) -> tuple[float, float, float]:
    """(a/(a+b), b/(a+b), τ = (a+b)·t0): the formulas below in these terms never overflow or divide by ~0."""
    total = unit.failure_rate + unit.repair_rate
    return unit.failure_rate / total, unit.repair_rate / total, total * unit.window


def _relaxed(tau: float) -> float:
    """(τ + e^{−τ} − 1)/τ², the share of a window's downtime variance still to settle; its series below 1e-4."""
    if tau < 1e-4:
        return 0.5 - tau / 6 + tau * tau / 24
    return (tau + math.expm1(-tau)) / (tau * tau)


def expected_outages(unit: Unit) -> float:
    """Outages that begin in the window, a window that starts down counting as one."""
    down_share, up_share, tau = _settling(unit)
    failures = unit.failure_rate * unit.window * up_share  # the steady rate of up -> down, times the window
    if unit.start == "steady":
        return down_share + failures
    return failures - down_share * down_share * math.expm1(-tau)


def mean_downtime(unit: Unit) -> float:
    down_share, _up_share, tau = _settling(unit)
    if unit.start == "steady":
        return unit.window * unit.unavailability
    return down_share * unit.window * (1 + math.expm1(-tau) / tau)


def downtime_sd(unit: Unit) -> float:
    """√Var D. Steady start: Takács' 2ab/(a+b)³·(t0 − (1 − e^{−(a+b)t0})/(a+b)); from up: E[D²] = ∫ 2d·P(D > d)."""
    down_share, up_share, tau = _settling(unit)
    if unit.start == "steady":
        return unit.window * math.sqrt(2 * down_share * up_share * _relaxed(tau))
    from scipy.integrate import quad

    second, _error = quad(lambda d: 2 * d * tail(unit, d), 0, unit.window, limit=200, points=[mean_downtime(unit)])
    return math.sqrt(max(second - mean_downtime(unit) ** 2, 0.0))


def quantile(unit: Unit, level: float) -> float:
    """The least d with P(D ≤ d) ≥ level, to a nanosecond of an hour: bisection on the tail, which falls."""
    if not 0 < level < 1:
        raise InputError(_("quantile {level} is not between 0 and 1").format(level=level), "--quantile", _("give e.g. 0.95 or 99.9%"))
    wanted = 1 - level
    if 1 - never_down(unit) <= wanted:
        return 0.0
    low, high = 0.0, unit.window
    for _step in range(_QUANTILE_STEPS):
        middle = (low + high) / 2
        if tail(unit, middle) > wanted:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * unit.window:
            break
    return high


@dataclass(frozen=True)
class CreditTier:
    """Below ``below`` availability in the window, ``credit`` of the bill is owed (the AWS/Azure SLA shape)."""

    below: Fraction
    credit: Fraction


CREDITS_EXAMPLE = N_("write e.g. 99.9:10%,99:25%,95:100%")


def parse_credits(text: str) -> tuple[CreditTier, ...]:
    """``99.9:10%,99:25%,95:100%``: thresholds descending, credits rising; each tier up to the next one down."""
    from hacalc.core.units import parse_availability, parse_number

    tiers = []
    for part in text.split(","):
        threshold, colon, credit = part.strip().partition(":")
        if not colon or not credit.strip().endswith("%"):
            raise InputError(_("credit tier {text!r} is not AVAILABILITY:CREDIT%").format(text=part.strip()), "--credits", _(CREDITS_EXAMPLE))
        share = parse_number(credit.strip().removesuffix("%")) / 100
        if not 0 < share <= 1:
            raise InputError(_("credit {credit} is not between 0 and 100 %").format(credit=credit.strip()), "--credits", _("give a share of the bill such as 10%"))
        tiers.append(CreditTier(parse_availability(threshold), share))
    tiers.sort(key=lambda tier: -tier.below)
    for higher, lower in zip(tiers, tiers[1:]):
        if higher.below == lower.below or lower.credit < higher.credit:
            raise InputError(_("credit tiers must have distinct thresholds and credits that grow as availability falls"), "--credits", _(CREDITS_EXAMPLE))
    return tuple(tiers)


@dataclass(frozen=True)
class CreditOutcome:
    tier: CreditTier
    probability: float  # of landing in this tier (below it, at or above the next one down)


def credit_outcomes(tiers: Sequence[CreditTier], window: float, tail_at: Any) -> tuple[tuple[CreditOutcome, ...], float]:
    """Each tier's probability and the expected credit (a fraction of the bill), from any tail function."""
    tails = [tail_at(float(window * (1 - tier.below))) for tier in tiers] + [0.0]
    outcomes = tuple(CreditOutcome(tier, max(tails[index] - tails[index + 1], 0.0)) for index, tier in enumerate(tiers))
    return outcomes, sum(float(outcome.tier.credit) * outcome.probability for outcome in outcomes)


def budget_for(target_unavailability: Fraction, window: float) -> float:
    return float(target_unavailability) * window


@dataclass(frozen=True)
class Figure:
    """A number of the report, with its Monte Carlo standard error (``None`` when it is exact)."""

    value: float
    standard_error: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        return {"value": self.value, "standard_error": self.standard_error}


@dataclass(frozen=True)
class RiskReport:
    """The downtime of one window, as a distribution; hours throughout."""

    method: str  # "exact" (closed form or uniformization) or "simulation"
    model: str  # what was solved, for captions: "exponential up and down times", "lognormal repairs, cv 1.5", …
    window: float
    budget: float
    start: str
    breach: Figure  # P(D > budget)
    never_down: Figure
    expected_outages: Figure
    mean: Figure
    sd: Figure
    quantiles: tuple[tuple[Fraction, Figure], ...]
    credits: tuple[CreditOutcome, ...] = ()
    expected_credit: Figure | None = None
    breaches_seen: int | None = None  # simulation: how many runs breached (few means an unreliable estimate)
    runs: int | None = None
    seed: int | None = None  # simulation: the seed that repeats it
    tail_at: Callable[[float], float] | None = field(default=None, compare=False, repr=False)  # P(D > hours), for charts

    def exceedance(self, points: int = CURVE_POINTS) -> tuple[tuple[float, float], ...]:
        """(hours, P(D > hours)) from 0 to a little past the budget and the highest quantile: the distribution a
        chart draws, computed only when asked (each point of the closed form is a Poisson sum)."""
        if self.tail_at is None:
            return ()
        stop = min(max(self.budget, *(figure.value for _, figure in self.quantiles)) * 1.25 or self.window, self.window)
        hours = [stop * step / (points - 1) for step in range(points)]
        return tuple((downtime, self.tail_at(downtime)) for downtime in hours)

    @property
    def breach_trusted(self) -> bool:
        """A simulated P(breach) needs breaches (and non-breaches) to count: ten of each at least."""
        return self.breaches_seen is None or (self.breaches_seen >= 10 and (self.runs or 0) - self.breaches_seen >= 10)

    def exceeds(self, max_probability: Fraction) -> bool:
        return self.breach.value > float(max_probability)


def exact_report(unit: Unit, budget: float, levels: Sequence[Fraction], tiers: Sequence[CreditTier] = ()) -> RiskReport:
    """Everything from the closed form: exact to the float, tails included."""
    _check_budget(budget, unit.window)
    outcomes, expected = credit_outcomes(tiers, unit.window, lambda downtime: tail(unit, downtime)) if tiers else ((), None)
    return RiskReport(
        method="exact",
        model="exponential up and down times (alternating Markov process)",
        window=unit.window,
        budget=budget,
        start=unit.start,
        breach=Figure(tail(unit, budget)),
        never_down=Figure(never_down(unit)),
        expected_outages=Figure(expected_outages(unit)),
        mean=Figure(mean_downtime(unit)),
        sd=Figure(downtime_sd(unit)),
        quantiles=tuple((level, Figure(quantile(unit, float(level)))) for level in levels),
        credits=outcomes,
        expected_credit=None if expected is None else Figure(expected),
        tail_at=lambda downtime: tail(unit, downtime),
    )


def _check_budget(budget: float, window: float) -> None:
    if budget < 0:
        raise InputError(_("the downtime budget is negative"), "--budget", _("give a duration such as 43m12s"))
    if budget >= window:
        raise InputError(_("the downtime budget is not shorter than the window"), "--budget", _("give a budget below the window, or a longer --window"))


NEEDS_MEAN_TIMES = N_("a risk needs every part's MTTF and MTTR")
WRITE_UNITS = N_("write the parts as unit(MTTF, MTTR), e.g. series(unit(2000h, 4h), unit(8000h, 1h))")
NEVER_DOWN = N_("a part with MTTR 0 is never down")
LEAVE_IT_OUT = N_("leave it out of the structure, or give its repair time")
MAX_PRODUCT_UNITS = 12  # 4,096 states, "a few thousand": the product chain of a compose structure stays exact


def product_chain(root: Any) -> Any:
    """The Markov chain of a compose structure's independent ``unit(MTTF, MTTR)`` parts: every combination
    of parts down is a state, each part fails and is repaired on its own, and the structure says which
    states are down. States are listed by how many parts are down, as ``markov.Chain.build`` prefers."""
    from hacalc.core.compose import is_up, leaves
    from hacalc.core.markov import Chain

    parts = leaves(root)
    if any(part.mean_times is None for part in parts):
        raise InputError(_(NEEDS_MEAN_TIMES), fix=_(WRITE_UNITS))
    if any(part.mean_times[1] == 0 for part in parts):
        raise InputError(_(NEVER_DOWN), fix=_(LEAVE_IT_OUT))
    if len(parts) > MAX_PRODUCT_UNITS:
        raise InputError(
            _("{parts} parts make a chain of 2^{parts} states; hacalc risk solves up to {most} parts exactly").format(parts=len(parts), most=MAX_PRODUCT_UNITS),
            fix=_("merge identical parts into kofn groups, or model at most {most} parts").format(most=MAX_PRODUCT_UNITS),
        )
    index = {id(part): position for position, part in enumerate(parts)}
    names = [part.label or part.text for part in parts]
    names = [f"{name} #{position + 1}" if names.count(name) > 1 else name for position, name in enumerate(names)]
    masks = sorted(range(2 ** len(parts)), key=lambda mask: (bin(mask).count("1"), mask))

    def label(mask: int) -> str:
        return "all up" if not mask else "down: " + ", ".join(name for position, name in enumerate(names) if mask >> position & 1)

    states = [(label(mask), is_up(root, lambda part, mask=mask: not mask >> index[id(part)] & 1)) for mask in masks]
    transitions = []
    for mask in masks:
        for position, part in enumerate(parts):
            mttf, mttr = (float(seconds) / 3600 for seconds in part.mean_times)
            bit = 1 << position
            target, rate = (mask & ~bit, 1 / mttr) if mask & bit else (mask | bit, 1 / mttf)
            transitions.append((label(mask), label(target), rate))
    return Chain.build(states, transitions)


def simulated_report(sim: Any, model: str, budget: float, levels: Sequence[Fraction], tiers: Sequence[CreditTier] = ()) -> RiskReport:
    """The same report from simulated windows, every figure with its Monte Carlo standard error."""
    import numpy as np

    from hacalc.core import simulation

    _check_budget(budget, sim.window)
    breach = simulation.probability_above(sim, budget)
    mean, sd = simulation.mean_and_sd(sim)
    outages = simulation.expected_outages(sim)
    no_outage = simulation.probability_no_outage(sim)
    outcomes: tuple[CreditOutcome, ...] = ()
    expected_credit = None
    if tiers:
        outcomes, _expected = credit_outcomes(tiers, sim.window, lambda downtime: simulation.probability_above(sim, downtime).value)
        owed = np.zeros(sim.runs)
        for tier in reversed(tiers):  # the deepest tier a window falls below sets its credit
            owed = np.where(sim.downtime > sim.window * (1 - float(tier.below)), np.maximum(owed, float(tier.credit)), owed)
        credit = simulation.sample_mean(owed)
        expected_credit = Figure(credit.value, credit.standard_error)
    return RiskReport(
        method="simulation",
        model=model,
        window=sim.window,
        budget=budget,
        start=sim.start,
        breach=Figure(breach.value, breach.standard_error),
        never_down=Figure(no_outage.value, no_outage.standard_error),
        expected_outages=Figure(outages.value, outages.standard_error),
        mean=Figure(mean.value, mean.standard_error),
        sd=Figure(sd),
        quantiles=tuple((level, _figure(simulation.quantile(sim, float(level)))) for level in levels),
        credits=outcomes,
        expected_credit=expected_credit,
        breaches_seen=breach.count,
        runs=sim.runs,
        seed=sim.seed,
        tail_at=lambda downtime: simulation.probability_above(sim, downtime).value,
    )


def _figure(estimate: Any) -> Figure:
    return Figure(estimate.value, estimate.standard_error)


def chain_report(
    chain: Any, model: str, window: float, budget: float, start: str, levels: Sequence[Fraction], tiers: Sequence[CreditTier] = (),
    *, runs: int = 100_000, seed: int | None = None,
) -> RiskReport:
    """The report for any Markov chain: exact by uniformization (``occupation``) when that fits its work limit
    (a failover of seconds in a long window makes it stiff), else from simulated windows of the chain."""
    from hacalc.core.occupation import MAX_WORK, downtime_distribution, initial_distribution, work_estimate

    _check_budget(budget, window)
    if work_estimate(chain, window) > MAX_WORK:
        from hacalc.core.simulation import simulate_chain

        sim = simulate_chain(chain, initial_distribution(chain, start), window, runs, seed)
        report = simulated_report(sim, f"{model}: its Markov chain of {len(chain)} states (exponential times), simulated (too stiff to solve exactly)", budget, levels, tiers)
        return dataclasses.replace(report, start=start)
    distribution = downtime_distribution(chain, start, window)

    def tail_at(downtime: float) -> float:
        return float(distribution.tail([downtime])[0])

    outcomes, expected = credit_outcomes(tiers, window, tail_at) if tiers else ((), None)
    return RiskReport(
        method="exact",
        model=f"{model}: its Markov chain of {len(chain)} states (exponential times), solved by uniformization",
        window=window,
        budget=budget,
        start=start,
        breach=Figure(tail_at(budget)),
        never_down=Figure(distribution.never_down),
        expected_outages=Figure(distribution.expected_outages),
        mean=Figure(distribution.mean),
        sd=Figure(distribution.sd),
        quantiles=tuple(zip(levels, (Figure(value) for value in distribution.quantiles(list(levels))))),
        credits=outcomes,
        expected_credit=None if expected is None else Figure(expected),
        tail_at=tail_at,
    )


def structure_report(
    root: Any, window: float, budget: float, start: str, levels: Sequence[Fraction], tiers: Sequence[CreditTier] = (),
    *, runs: int = 100_000, seed: int | None = None,
) -> RiskReport:
    """A structure of more parts than its product chain can hold, simulated part by part."""
    from hacalc.core.compose import leaves
    from hacalc.core.simulation import simulate_structure

    _check_budget(budget, window)
    parts = leaves(root)
    if any(part.mean_times is None for part in parts):
        raise InputError(_(NEEDS_MEAN_TIMES), "--compose", _(WRITE_UNITS))
    if any(part.mean_times[1] == 0 for part in parts):
        raise InputError(_(NEVER_DOWN), "--compose", _(LEAVE_IT_OUT))
    sim = simulate_structure(root, window, runs, seed, start)
    model = f"{root.text}: {len(parts)} independent parts (exponential times), simulated (over {MAX_PRODUCT_UNITS} parts for an exact chain)"
    return simulated_report(sim, model, budget, levels, tiers)
