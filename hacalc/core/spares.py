"""How hot must a spare be? k-of-n with hot, warm or cold spares, shared repair crews and imperfect switchover.

A hot spare tracks the active state and fails as often as a running unit; a warm spare fails at
``dormancy × λ`` and takes longer to take over; a cold spare never fails while idle but must boot first.
Each option is an exact Markov chain (reliability-math.md §2.2, §3.3, §3.7), compared on availability,
outages, time to the first real outage and annual cost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction

from hacalc.core import markov
from hacalc.core.errors import InputError
from hacalc.i18n import N_, _
from hacalc.core.periods import DEFAULT_CONVENTIONS, HOUR, Conventions
from hacalc.core.units import format_duration, nines

MAX_UNITS = 100_000
# Rates far outside these bounds describe no real system and overflow the chains' floats.
SHORTEST_TIME = Fraction(1, 1000)
LONGEST_TIME = Fraction(10**6) * 8766 * HOUR
MAX_SWEEP = 1000  # each count is its own chain: a longer sweep is quadratic work
MAX_COST = 10**15  # a yearly spare cost or an hourly downtime cost; keeps every annual cost a finite float
# States summed over every chain one question solves, so that no answer takes much over a second on the
# 2-core machine: a chain without switchover states is a birth-death product (~1 µs a state); one with
# them is built, then eliminated twice (steady state, MTTF): linear at any rate ratio, but ~40 µs a state in
# all, so the slowest accepted question (8,332 spares with failover states, or one 25,000-spare hot chain)
# takes about 2 s (benchmarks/bench_spares.py).
MAX_PLAIN_STATES = 500_000
MAX_SWITCHOVER_STATES = 50_000

MTTF_DEFINITION = (
    "mean time from all units working to the first outage that is not a covered failover: "
    "failover blips count as outages and downtime, but not as the end of the MTTF"
)


class Spare(str, Enum):
    """What stands by: nothing, a spare at one of three temperatures, or a second active unit."""

    none = "none"
    hot = "hot"
    warm = "warm"
    cold = "cold"
    active_active = "active-active"


TEMPERATURES = (Spare.hot, Spare.warm, Spare.cold)
CHEAPEST_FIRST = (Spare.none, Spare.cold, Spare.warm, Spare.hot, Spare.active_active)  # the order when no prices are given


@dataclass(frozen=True)
class Solution:
    """What a model's chain says, per hour."""

    unavailability: float
    outages_per_hour: float
    mttf_hours: float
    failover_unavailability: float = 0.0  # the part of U spent in covered failovers


@dataclass(frozen=True)
class Standby:
    """``needed`` running units, ``spares`` standing by, ``crews`` repairing at rate ``min(j, crews)·μ``.

    An idle spare fails at ``dormancy × λ``. When a running unit fails and a spare is left, the failure is
    covered with probability ``coverage`` (the system is down for a failover of mean ``failover_hours``)
    or not (down until a manual recovery of mean ``manual_recovery_hours``). Running units keep failing
    while the system is down; repairs during a switchover are ignored (it is much shorter than a repair).
    With coverage 1 and no failover time this is the plain birth–death chain.
    """

    needed: int
    spares: int
    crews: int
    failure_rate: float
    repair_rate: float
    dormancy: float = 1.0
    coverage: Fraction | float = 1.0  # kept as given: its complement is computed exactly (``uncovered``)
    failover_hours: float = 0.0
    manual_recovery_hours: float | None = None

    @property
    def units(self) -> int:
        return self.needed + self.spares

    @property
    def uncovered(self) -> float:
        return complement(self.coverage)

    @property
    def needs_elimination(self) -> bool:
        """Switchover states make it a general chain (GTH); without them it is a birth-death chain."""
        return self.has_failover_states or self.has_manual_states

    @property
    def states(self) -> int:
        return self.units + 1 + self.spares * (self.has_failover_states + self.has_manual_states)

    @property
    def has_failover_states(self) -> bool:
        return self.spares > 0 and self.coverage > 0 and self.failover_hours > 0

    @property
    def has_manual_states(self) -> bool:
        return self.spares > 0 and self.coverage < 1

    def running_failures(self, failed: int) -> float:
        """Failure rate of the running units with ``failed`` units failed (they run on while the system is down)."""
        return min(self.needed, self.units - failed) * self.failure_rate

    def idle_failures(self, failed: int) -> float:
        return max(0, self.units - failed - self.needed) * self.dormancy * self.failure_rate

    def births(self) -> list[float]:
        return [self.running_failures(failed) + self.idle_failures(failed) for failed in range(self.units + 1)]

    def deaths(self) -> list[float]:
        return [min(failed, self.crews) * self.repair_rate for failed in range(self.units + 1)]

    def solve(self) -> Solution:
        if self.needs_elimination:
            return self._solve_chain()
        births, deaths = self.births(), self.deaths()
        probabilities = markov.birth_death(births, deaths)
        return Solution(
            unavailability=math.fsum(probabilities[self.spares + 1 :]),
            outages_per_hour=probabilities[self.spares] * births[self.spares],
            mttf_hours=markov.birth_death_passage_time(births, deaths, self.spares + 1),
        )

    def chain(self) -> markov.Chain:
        """States ordered by the number of failed units, so that GTH elimination stays linear in size."""
        states: list[tuple[str, bool]] = []
        for failed in range(self.units + 1):
            states.append((_plain(failed), failed <= self.spares))
            if 0 < failed <= self.spares:
                if self.has_failover_states:
                    states.append((_failover(failed - 1), False))
                if self.has_manual_states:
                    states.append((_manual(failed - 1), False))
        return markov.Chain.build(states, self._transitions())

    def _transitions(self) -> list[tuple[str, str, float]]:
        births, deaths = self.births(), self.deaths()
        covered, uncovered = float(self.coverage), self.uncovered  # once per chain: Fraction work is slow per state
        failover_states, manual_states = self.has_failover_states, self.has_manual_states
        transitions = [(_plain(failed), _plain(failed - 1), deaths[failed]) for failed in range(1, self.units + 1)]
        for failed in range(self.units):
            if failed >= self.spares:
                transitions.append((_plain(failed), _plain(failed + 1), births[failed]))
                continue
            running = self.running_failures(failed)
            covered_target = _failover(failed) if failover_states else _plain(failed + 1)
            transitions += [
                (_plain(failed), covered_target, covered * running),
                (_plain(failed), _manual(failed), uncovered * running),
                (_plain(failed), _plain(failed + 1), self.idle_failures(failed)),
            ]
            transitions += self._switchover_transitions(failed, failover_states, manual_states)
        return transitions

    def _switchover_transitions(self, failed: int, failover_states: bool, manual_states: bool) -> list[tuple[str, str, float]]:
        """While switching to a spare: the other running units and the idle spares may still fail."""
        at_risk = ((self.needed - 1) + (self.spares - failed) * self.dormancy) * self.failure_rate
        transitions = []
        if failover_states:
            further = _failover(failed + 1) if failed + 1 < self.spares else _plain(failed + 2)
            transitions += [
                (_failover(failed), _plain(failed + 1), 1 / self.failover_hours),
                (_failover(failed), further, at_risk),
            ]
        if manual_states:
            further = _manual(failed + 1) if failed + 1 < self.spares else _plain(failed + 2)
            transitions += [
                (_manual(failed), _plain(failed + 1), 1 / self.manual_recovery_hours),
                (_manual(failed), further, at_risk),
            ]
        return transitions

    def _solve_chain(self) -> Solution:
        chain = self.chain()
        steady = markov.steady_state(chain)
        failovers = {index for index, label in enumerate(chain.labels) if label.startswith("failover")}
        long_outages = [index for index, up in enumerate(chain.up) if not up and index not in failovers]
        return Solution(
            unavailability=steady.unavailability,
            outages_per_hour=steady.failure_frequency,
            mttf_hours=markov.mean_time_to_absorption(chain, 0, long_outages),
            failover_unavailability=math.fsum(steady.probabilities[index] for index in failovers),
        )


@dataclass(frozen=True)
class ActiveActivePair:
    """Two units both carrying load; a failure is covered (the survivor carries on) with probability ``coverage``,
    otherwise the pair is down until a manual recovery (reliability-math.md §3.3, last part)."""

    crews: int
    failure_rate: float
    repair_rate: float
    coverage: Fraction | float = 1.0  # kept as given: its complement is computed exactly
    manual_recovery_hours: float | None = None

    needs_elimination = True
    states = 4

    def chain(self) -> markov.Chain:
        failure, repair = self.failure_rate, self.repair_rate
        recovery = 0.0 if self.manual_recovery_hours is None else 1 / self.manual_recovery_hours
        states = [("both up", True), ("one up", True), ("uncovered", False), ("both down", False)]
        transitions = [
            ("both up", "one up", 2 * float(self.coverage) * failure),
            ("both up", "uncovered", 2 * complement(self.coverage) * failure),
            ("uncovered", "one up", recovery),
            ("uncovered", "both down", failure),
            ("one up", "both up", repair),
            ("one up", "both down", failure),
            ("both down", "one up", min(2, self.crews) * repair),
        ]
        return markov.Chain.build(states, transitions)

    def solve(self) -> Solution:
        chain = self.chain()
        steady = markov.steady_state(chain)
        down = [index for index, up in enumerate(chain.up) if not up]
        return Solution(steady.unavailability, steady.failure_frequency, markov.mean_time_to_absorption(chain, 0, down))


def complement(probability: Fraction | float) -> float:
    """``1 - p`` as the float nearest the exact value: in floats, 1 - 0.99999999999999 keeps two digits of 1e-14."""
    return float(1 - Fraction(probability))


def _plain(failed: int) -> str:
    return f"{failed} failed"


def _failover(failed: int) -> str:
    return f"failover after {failed + 1} failed"


def _manual(failed: int) -> str:
    return f"manual recovery after {failed + 1} failed"


@dataclass(frozen=True)
class Question:
    """Everything ``hacalc spares`` is asked. Durations in seconds, fractions exact; errors name the setting."""

    mttf: Fraction
    mttr: Fraction
    needed: int = 1
    spares: int = 1
    crews: int = 1
    dormancy: Fraction = Fraction(1, 2)
    coverage: Fraction = Fraction(1)
    manual_recovery: Fraction | None = None
    failover: Mapping[Spare, Fraction] = field(default_factory=dict)
    kinds: tuple[Spare, ...] = TEMPERATURES
    spare_cost: Mapping[Spare, Fraction] | None = None
    downtime_cost: Fraction | None = None
    target: Fraction | None = None
    sweep: range | None = None
    conventions: Conventions = DEFAULT_CONVENTIONS

    def __post_init__(self) -> None:
        for setting, value in (("mttf", self.mttf), ("mttr", self.mttr)):
            _check(value > 0, setting, N_("must be longer than zero"))
            _check(SHORTEST_TIME <= value <= LONGEST_TIME, setting, N_("must be between 1 ms and a million years"))
        _check(self.needed >= 1, "needed", N_("must be at least 1"))
        _check(self.spares >= 0, "spares", N_("must not be negative"))
        _check(self.crews >= 1, "crews", N_("must be at least 1"))
        _check(0 <= self.dormancy <= 1, "dormancy", N_("must be between 0 (cold) and 1 (hot)"))
        _check(0 <= self.coverage <= 1, "coverage", N_("must be between 0 and 1 (a probability)"))
        _check(self.needed + self.most_spares <= MAX_UNITS, "spares", N_("needed + spares must be at most {most:,}"), most=MAX_UNITS)
        if self.manual_recovery is not None:
            _check(self.manual_recovery > 0, "manual-recovery", N_("must be longer than zero"))
            _check(SHORTEST_TIME <= self.manual_recovery <= LONGEST_TIME, "manual-recovery", N_("must be between 1 ms and a million years"))
        elif self.coverage < 1 and self.most_spares > 0:
            raise InputError(_("coverage below 1 needs a manual recovery time"), "manual-recovery", _("give e.g. --manual-recovery 30m"))
        self._check_kinds()
        self._check_failover()
        self._check_costs()
        if self.sweep is not None:
            _check(len(self.sweep) > 0 and self.sweep.start >= 0, "sweep-spares", N_("give a range like 0..4"))
            _check(len(self.sweep) <= MAX_SWEEP, "sweep-spares", N_("may cover at most {most} spare counts"), most=MAX_SWEEP)
            _check(set(self.kinds) != {Spare.active_active}, "sweep-spares", N_("does not apply to an active-active pair alone"))
        self._check_work()

    @property
    def most_spares(self) -> int:
        return max(self.spares, self.sweep[-1] if self.sweep else 0)

    @property
    def has_costs(self) -> bool:
        return self.spare_cost is not None or self.downtime_cost is not None

    def failure_rate(self) -> float:
        return float(HOUR / self.mttf)

    def repair_rate(self) -> float:
        return float(HOUR / self.mttr)

    def failover_seconds(self, spare: Spare) -> Fraction:
        return self.failover.get(spare, Fraction(0))

    def model(self, spare: Spare, spares: int) -> Standby | ActiveActivePair:
        """The chain behind one option; ``none`` is the same running units without a spare."""
        if spare is Spare.active_active:
            return ActiveActivePair(self.crews, self.failure_rate(), self.repair_rate(), self.coverage, self._manual_hours())
        dormancy = {Spare.hot: Fraction(1), Spare.warm: self.dormancy}.get(spare, Fraction(0))
        return Standby(
            needed=self.needed,
            spares=0 if spare is Spare.none else spares,
            crews=self.crews,
            failure_rate=self.failure_rate(),
            repair_rate=self.repair_rate(),
            dormancy=float(dormancy),
            coverage=self.coverage,
            failover_hours=float(self.failover_seconds(spare) / HOUR),
            manual_recovery_hours=self._manual_hours(),
        )

    def assumptions(self) -> dict[str, object]:
        return {
            "model": "exponential times to failure and repair; shared repair crews; reliability-math.md §2.2, §3.3, §3.7",
            "mttf_hours": self.mttf / HOUR,
            "mttr_hours": self.mttr / HOUR,
            "needed": self.needed,
            "spares": self.spares,
            "crews": self.crews,
            "dormancy": self.dormancy,
            "coverage": self.coverage,
            "manual_recovery_hours": None if self.manual_recovery is None else self.manual_recovery / HOUR,
            "failover_seconds": {spare.value: self.failover_seconds(spare) for spare in TEMPERATURES},
            "spare_cost_per_year": None if self.spare_cost is None else {s.value: c for s, c in self.spare_cost.items()},
            "downtime_cost_per_hour": self.downtime_cost,
            "target": self.target,
            "year_days": self.conventions.year_days,
            "year_hours": self.conventions.year_seconds / HOUR,
            "mttf_definition": MTTF_DEFINITION,
            "repairs_during_switchover": "ignored: failover and manual recovery are taken to be much shorter than a repair",
            "recommendation": "cheapest option meeting the target"
            + ("" if self.has_costs else "; with no prices given, colder spares count as cheaper (none, cold, warm, hot, active-active)"),
        }

    def warnings(self) -> list[str]:
        """Switchovers not much shorter than a repair, where ignoring repairs during them (§3.1) is doubtful."""
        slow = [(_("{kind} failover").format(kind=spare.value), self.failover_seconds(spare)) for spare in self.kinds if spare in TEMPERATURES]
        if self.coverage < 1 and self.manual_recovery is not None:
            slow.append((_("manual recovery"), self.manual_recovery))
        return [
            _(
                "{switchover} {time} is not much shorter than the MTTR {mttr}: "
                "the model ignores repairs during a switchover, so treat this option's figures as rough"
            ).format(switchover=name, time=format_duration(seconds), mttr=format_duration(self.mttr))
            for name, seconds in slow
            if seconds * 2 >= self.mttr
        ]

    def _manual_hours(self) -> float | None:
        return None if self.manual_recovery is None else float(self.manual_recovery / HOUR)

    def _check_kinds(self) -> None:
        _check(len(self.kinds) > 0 and Spare.none not in self.kinds, "kind", N_("choose hot, warm, cold, active-active or all"))
        if Spare.active_active in self.kinds:
            _check(
                self.needed == 1 and self.spares == 1,
                "kind",
                N_("active-active is a pair: use it with --needed 1 --spares 1"),
            )

    def _check_failover(self) -> None:
        for spare, seconds in self.failover.items():
            _check(spare in TEMPERATURES, "failover", N_("failover times are per temperature: hot, warm or cold"))
            _check(seconds >= 0, "failover", N_("failover times must not be negative"))
            _check(seconds == 0 or SHORTEST_TIME <= seconds <= LONGEST_TIME, "failover", N_("times must be 0 or between 1 ms and a million years"))
        if any(self.failover.values()) and self.most_spares == 0:
            raise InputError(_("a failover time was given but there is no spare"), "failover", _("add --spares 1 or drop --failover"))

    def _check_costs(self) -> None:
        if self.downtime_cost is not None:
            _check(self.downtime_cost >= 0, "downtime-cost", N_("must not be negative"))
            _check(self.downtime_cost <= MAX_COST, "downtime-cost", N_("must be at most {most:,}"), most=MAX_COST)
        if self.spare_cost is None:
            return
        for cost in self.spare_cost.values():
            _check(cost >= 0, "spare-cost", N_("costs must not be negative"))
            _check(cost <= MAX_COST, "spare-cost", N_("costs must be at most {most:,}"), most=MAX_COST)
        if self.most_spares > 0:
            for spare in self.kinds:
                if spare not in self.spare_cost:
                    raise InputError(_("no spare cost for {kind}").format(kind=spare.value), "spare-cost", _("price every option shown, e.g. hot=9000,warm=5000,cold=1000"))


    def _check_work(self) -> None:
        """Refuse a question whose chains would take seconds to solve: states summed over every chain ``compare`` solves."""
        models = [self.model(spare, self.spares) for spare in _shown(self, self.spares)]
        if self.sweep is not None:
            models += [self.model(spare, count) for count in self.sweep for spare in _swept(self, count)]
        where = "sweep-spares" if self.sweep is not None else "spares"
        if self.sweep is not None:
            smaller = _("ask for fewer spares or needed units, a shorter sweep or fewer --kind")
        else:
            smaller = _("ask for fewer spares or needed units or fewer --kind")
        plain = sum(model.states for model in models if not model.needs_elimination)
        if plain > MAX_PLAIN_STATES:
            raise InputError(
                _("this question has {states:,} Markov-chain states to solve, over the {most:,} hacalc solves in one run").format(states=plain, most=MAX_PLAIN_STATES),
                where,
                smaller,
            )
        switchover = sum(model.states for model in models if model.needs_elimination)
        if switchover > MAX_SWITCHOVER_STATES:
            raise InputError(
                _(
                    "imperfect switchover (coverage below 1 or a failover time) gives {states:,} chain states to solve, "
                    "over the {most:,} hacalc solves in one run"
                ).format(states=switchover, most=MAX_SWITCHOVER_STATES),
                where,
                smaller,
            )


def _check(condition: bool, setting: str, problem: str, **values: object) -> None:
    """Refuse ``setting`` unless ``condition``: ``problem`` is marked with ``N_`` and may name ``values``."""
    if not condition:
        raise InputError(_("{setting} {problem}").format(setting=setting, problem=_(problem).format(**values)), setting)


@dataclass(frozen=True)
class Option:
    """One way to build the system, solved: the numbers shown side by side."""

    spare: Spare
    needed: int
    spares: int
    solution: Solution
    year_hours: float
    annual_cost: float | None
    meets_target: bool | None

    @property
    def unavailability(self) -> float:
        return self.solution.unavailability

    @property
    def availability(self) -> float:
        return float(1 - Fraction(self.unavailability))

    @property
    def nines(self) -> float:
        return nines(Fraction(self.unavailability))

    @property
    def downtime_seconds_per_year(self) -> float:
        return self.unavailability * self.year_hours * 3600

    @property
    def failover_downtime_seconds_per_year(self) -> float:
        return self.solution.failover_unavailability * self.year_hours * 3600

    @property
    def outages_per_year(self) -> float:
        return self.solution.outages_per_hour * self.year_hours

    @property
    def mean_outage_hours(self) -> float | None:
        frequency = self.solution.outages_per_hour
        return self.unavailability / frequency if frequency else None

    def as_dict(self) -> dict[str, object]:
        return {
            "spare": self.spare.value,
            "needed": self.needed,
            "spares": self.spares,
            "availability": self.availability,
            "unavailability": self.unavailability,
            "nines": self.nines,
            "downtime_seconds_per_year": self.downtime_seconds_per_year,
            "outages_per_year": self.outages_per_year,
            "mean_outage_hours": self.mean_outage_hours,
            "mttf_hours": self.solution.mttf_hours,
            "annual_cost": self.annual_cost,
        }


@dataclass(frozen=True)
class Comparison:
    question: Question
    options: tuple[Option, ...]
    recommended: Option | None
    sweep: tuple[Option, ...] = ()

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "options": [option.as_dict() for option in self.options],
            "recommended": None if self.recommended is None else self.recommended.spare.value,
            "assumptions": self.question.assumptions(),
        }
        if self.question.sweep is not None:
            data["sweep"] = [option.as_dict() for option in self.sweep]
        return data

    @property
    def gate_failed(self) -> bool:
        """True when a target was given and no option meets it."""
        return self.question.target is not None and self.recommended is None


def compare(question: Question) -> Comparison:
    """Every option side by side at ``question.spares``, the recommendation, and the optional sweep."""
    options = tuple(solve_option(question, spare, question.spares) for spare in _shown(question, question.spares))
    sweep: tuple[Option, ...] = ()
    if question.sweep is not None:
        sweep = tuple(solve_option(question, spare, count) for count in question.sweep for spare in _swept(question, count))
    return Comparison(question, options, recommend(question, options), sweep)


def solve_option(question: Question, spare: Spare, spares: int) -> Option:
    spares = 0 if spare is Spare.none else spares
    solution = question.model(spare, spares).solve()
    year_hours = float(question.conventions.year_seconds / HOUR)
    meets = None if question.target is None else Fraction(solution.unavailability) <= 1 - question.target
    return Option(spare, question.needed, spares, solution, year_hours, _annual_cost(question, spare, spares, solution, year_hours), meets)


def recommend(question: Question, options: tuple[Option, ...]) -> Option | None:
    """The cheapest option that meets the target; with no prices, the coldest (see ``CHEAPEST_FIRST``)."""
    meeting = [option for option in options if option.meets_target]
    if not meeting:
        return None
    return min(meeting, key=lambda option: (option.annual_cost or 0.0, CHEAPEST_FIRST.index(option.spare)))


def _shown(question: Question, spares: int) -> tuple[Spare, ...]:
    return (Spare.none, *question.kinds) if spares > 0 else (Spare.none,)


def _swept(question: Question, spares: int) -> tuple[Spare, ...]:
    """``none`` once at zero spares, then every temperature; the active-active pair has no spare count to sweep."""
    return tuple(spare for spare in question.kinds if spare is not Spare.active_active) if spares > 0 else (Spare.none,)


def _annual_cost(question: Question, spare: Spare, spares: int, solution: Solution, year_hours: float) -> float | None:
    """``spares × spare cost + downtime hours × downtime cost``; missing parts count as zero."""
    if not question.has_costs:
        return None
    spare_cost = (question.spare_cost or {}).get(spare, Fraction(0)) if spares else Fraction(0)
    downtime_hours = solution.unavailability * year_hours
    return float(spares * spare_cost) + downtime_hours * float(question.downtime_cost or 0)
