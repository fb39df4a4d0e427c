"""Small, exact continuous-time Markov chains: steady state, time to failure, frequency and duration.

Availability models live or die on tiny probabilities (U around 1e-15), so every solver here is
subtraction-free: GTH elimination for the steady state, the same elimination for mean time to absorption,
and a scaled product for birth–death chains. Steady-state weights are held as mantissa and binary exponent
and normalised once, so no ratio of rates can overflow or underflow them. Chains are sparse and solved in
pure Python: a model with a few states answers before numpy could even be imported, and a level-ordered
chain of thousands of states stays linear in its size. scipy is imported only for transient availability.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

Scaled = tuple[float, int]  # a non-negative weight as (mantissa, binary exponent): mantissa · 2**exponent


@dataclass(frozen=True)
class Chain:
    """States, which of them are up, and the transition rates between them (``rates[i][j]``, i ≠ j)."""

    labels: tuple[str, ...]
    up: tuple[bool, ...]
    rates: tuple[dict[int, float], ...]

    @classmethod
    def build(cls, states: Iterable[tuple[str, bool]], transitions: Iterable[tuple[str, str, float]]) -> "Chain":
        """A chain from ``(label, is_up)`` states and ``(from, to, rate)`` transitions; zero rates are dropped.

        States are solved in the order given; list them by "distance from all-up" so that elimination
        creates little fill-in.
        """
        labels, up = zip(*states)
        index = {label: position for position, label in enumerate(labels)}
        if len(index) != len(labels):
            raise ValueError("state labels must be unique")
        rates: tuple[dict[int, float], ...] = tuple({} for _ in labels)
        for source, target, rate in transitions:
            if rate < 0 or not math.isfinite(rate):
                raise ValueError(f"rate {source} -> {target} must be finite and non-negative, got {rate}")
            if rate > 0 and source != target:
                row = rates[index[source]]
                row[index[target]] = row.get(index[target], 0.0) + rate
        return cls(tuple(labels), tuple(up), rates)

    def __len__(self) -> int:
        return len(self.labels)

    def generator(self) -> list[list[float]]:
        """The dense generator Q: off-diagonal rates, each diagonal minus its row sum."""
        size = len(self)
        matrix = [[0.0] * size for _ in range(size)]
        for source, row in enumerate(self.rates):
            for target, rate in row.items():
                matrix[source][target] = rate
            matrix[source][source] = -sum(row.values())
        return matrix


@dataclass(frozen=True)
class SteadyState:
    """Long-run measures of a chain; U is summed over the down states, never taken as 1 - A."""

    probabilities: tuple[float, ...]
    availability: float
    unavailability: float
    failure_frequency: float  # up -> down transitions per unit time

    @property
    def mean_up_time(self) -> float:
        return self.availability / self.failure_frequency if self.failure_frequency else math.inf

    @property
    def mean_down_time(self) -> float:
        return self.unavailability / self.failure_frequency if self.failure_frequency else 0.0


class _Sparse:
    """Rates by row and by column, so eliminating a state touches only its neighbours."""

    def __init__(self, rates: Sequence[dict[int, float]], keep: Collection[int] | None = None) -> None:
        states = range(len(rates)) if keep is None else keep
        kept = set(states)
        self.out: dict[int, dict[int, float]] = {i: {j: r for j, r in rates[i].items() if j in kept} for i in states}
        self.into: dict[int, dict[int, float]] = {i: {} for i in states}
        for source, row in self.out.items():
            for target, rate in row.items():
                self.into[target][source] = rate

    def eliminate(self, state: int, leaving: float) -> dict[int, float]:
        """Remove ``state``, re-routing each path through it; returns the rates that led into it.

        ``leaving`` is the state's total exit rate; a path i → state → j gains rate(i, state)·rate(state, j)/leaving.
        Only additions and divisions of non-negative numbers occur: this is what keeps GTH accurate. The
        path's rate is rate(i, state) times the fraction rate(state, j)/leaving ≤ 1, so it cannot overflow
        however small ``leaving`` is.
        """
        successors = self.out.pop(state)
        predecessors = self.into.pop(state)
        for target in successors:
            del self.into[target][state]
        onward = [(target, rate_out / leaving) for target, rate_out in successors.items()]
        for source, rate_in in predecessors.items():
            row = self.out[source]
            del row[state]
            for target, fraction in onward:
                if target != source:
                    row[target] = row.get(target, 0.0) + rate_in * fraction
                    self.into[target][source] = row[target]
        return predecessors


def steady_state(chain: Chain) -> SteadyState:
    """Long-run probabilities by the Grassmann–Taksar–Heyman algorithm (the chain must be irreducible).

    Back-substitution gives each state a weight relative to state 0; the weights may span far beyond the
    float range, so each is kept scaled (as ``birth_death`` does) and all are normalised once at the end.
    """
    sparse = _Sparse(chain.rates)
    eliminated: list[tuple[dict[int, float], float]] = [({}, 0.0)] * len(chain)
    for state in range(len(chain) - 1, 0, -1):
        leaving = sum(sparse.out[state].values())
        if leaving == 0:
            raise ValueError(f"state {chain.labels[state]!r} cannot reach the states before it: chain is reducible")
        eliminated[state] = (sparse.eliminate(state, leaving), leaving)
    weights: list[Scaled] = [(0.5, 1)]  # state 0 weighs 1
    for predecessors, leaving in eliminated[1:]:
        weights.append(_weight(predecessors, leaving, weights))
    return measures(chain, _normalised_scaled(weights))


def _weight(predecessors: dict[int, float], leaving: float, weights: Sequence[Scaled]) -> Scaled:
    """``Σ weight·rate / leaving`` over the predecessors, summed in units of the largest weight met so far."""
    inflow, top = 0.0, 0
    for source, rate in predecessors.items():
        mantissa, exponent = weights[source]
        if mantissa and (exponent > top or not inflow):
            inflow, top = math.ldexp(inflow, top - exponent), exponent
        inflow += math.ldexp(mantissa, exponent - top) * rate
    inflow, inflow_exponent = math.frexp(inflow)
    divisor, divisor_exponent = math.frexp(leaving)
    mantissa, shift = math.frexp(inflow / divisor)  # both in [0.5, 1): the quotient cannot overflow
    return mantissa, top + inflow_exponent - divisor_exponent + shift


def measures(chain: Chain, probabilities: Sequence[float]) -> SteadyState:
    """Availability, unavailability and failure frequency ``f = Σ_up p_i Σ_down q_ij`` from state probabilities."""
    availability = sum(p for p, up in zip(probabilities, chain.up) if up)
    unavailability = sum(p for p, up in zip(probabilities, chain.up) if not up)
    frequency = sum(
        probabilities[source] * sum(rate for target, rate in row.items() if not chain.up[target])
        for source, row in enumerate(chain.rates)
        if chain.up[source]
    )
    return SteadyState(tuple(probabilities), availability, unavailability, frequency)


def mean_time_to_absorption(chain: Chain, start: int, absorbing: Collection[int]) -> float:
    """Mean time from ``start`` until the chain first enters ``absorbing``; ``inf`` if no path leads there.

    Solves ``(-Q_TT)·τ = 1`` over the transient states by the same subtraction-free elimination as GTH:
    each state's exit rate is kept as the sum of its remaining rates plus its rate into ``absorbing``.
    """
    absorbing = set(absorbing)
    if start in absorbing:
        return 0.0
    transient = [state for state in range(len(chain)) if state not in absorbing]
    sparse = _Sparse(chain.rates, transient)
    to_absorbing = {s: sum(rate for target, rate in chain.rates[s].items() if target in absorbing) for s in transient}
    time = dict.fromkeys(transient, 1.0)
    for state in reversed(transient):
        if state == start:
            continue
        leaving = sum(sparse.out[state].values()) + to_absorbing[state]
        if leaving == 0:
            raise ValueError(f"state {chain.labels[state]!r} can never be left")
        for source, rate_in in sparse.eliminate(state, leaving).items():
            share = rate_in / leaving
            time[source] += share * time[state]
            to_absorbing[source] += share * to_absorbing[state]
    return time[start] / to_absorbing[start] if to_absorbing[start] else math.inf


def birth_death(births: Sequence[float], deaths: Sequence[float]) -> list[float]:
    """Steady state of a birth–death chain in O(n): ``p_j ∝ Π_{i<j} births[i] / deaths[i+1]``.

    ``births[j]`` is the rate j → j+1 and ``deaths[j]`` the rate j → j-1 (``deaths[0]`` is unused).
    Each product is held as mantissa and binary exponent, so thousands of states neither overflow
    nor underflow before normalisation.
    """
    if len(births) != len(deaths):
        raise ValueError("births and deaths must have one rate per state")
    mantissa, exponent = 1.0, 0
    scaled = [(mantissa, exponent)]
    for state in range(1, len(births)):
        if deaths[state] <= 0:
            raise ValueError(f"death rate of state {state} must be positive")
        birth, birth_exponent = math.frexp(births[state - 1])
        death, death_exponent = math.frexp(deaths[state])
        mantissa, shift = math.frexp(mantissa * birth / death)
        exponent += shift + birth_exponent - death_exponent
        scaled.append((mantissa, exponent))
    return _normalised_scaled(scaled)


def birth_death_passage_time(births: Sequence[float], deaths: Sequence[float], target: int) -> float:
    """Mean time from state 0 to first reach ``target``: Σ_j T_j with ``T_j = (1 + deaths[j]·T_{j-1}) / births[j]``.

    T_j, the mean time to step from j to j+1, is a sum of positive terms, so it loses no accuracy.
    """
    total, step = 0.0, 0.0
    for state in range(target):
        if births[state] <= 0:
            return math.inf
        step = (1.0 + deaths[state] * step) / births[state] if state else 1.0 / births[state]
        total += step
    return total


def birth_death_chain(births: Sequence[float], deaths: Sequence[float], up_to: int) -> Chain:
    """The same birth–death chain as a general ``Chain`` (states 0..n, up while state <= ``up_to``)."""
    states = [(str(state), state <= up_to) for state in range(len(births))]
    transitions = [(str(s), str(s + 1), births[s]) for s in range(len(births) - 1)]
    transitions += [(str(s), str(s - 1), deaths[s]) for s in range(1, len(births))]
    return Chain.build(states, transitions)


def point_availability(chain: Chain, time: float, start: int = 0) -> float:
    """A(t): probability of being up at ``time`` after starting in ``start``, by ``scipy.linalg.expm``."""
    row = _transient_row(chain, time, start, integrate=False)
    return sum(p for p, up in zip(row, chain.up) if up)


def interval_availability(chain: Chain, horizon: float, start: int = 0) -> float:
    """Ā(T) = (1/T)∫₀ᵀ A(t) dt, from one exponential of the block matrix [[QT, TI], [0, 0]]."""
    if horizon <= 0:
        raise ValueError("the interval must be longer than zero")
    row = _transient_row(chain, horizon, start, integrate=True)
    return sum(p for p, up in zip(row, chain.up) if up) / horizon


def _transient_row(chain: Chain, time: float, start: int, *, integrate: bool) -> list[float]:
    import numpy as np
    from scipy.linalg import expm

    generator = np.array(chain.generator()) * time
    size = len(chain)
    if not integrate:
        return list(expm(generator)[start])
    block = np.zeros((2 * size, 2 * size))
    block[:size, :size] = generator
    block[:size, size:] = np.eye(size) * time
    return list(expm(block)[start, size:])


def _normalised_scaled(weights: Sequence[Scaled]) -> list[float]:
    """Probabilities from scaled weights: the largest becomes about 1 first, so only negligible ones underflow."""
    top = max(exponent for mantissa, exponent in weights if mantissa)
    return _normalised([math.ldexp(mantissa, exponent - top) for mantissa, exponent in weights])


def _normalised(weights: Sequence[float]) -> list[float]:
    total = math.fsum(weights)
    return [weight / total for weight in weights]
