"""Downtime in a window for any Markov chain (hacalc.core.occupation), against independent answers:

- reliability-math.md §5.2's table and quantiles (MTTF/MTTR pairs over a year and a month);
- Tijms' closed form for the alternating Markov process (A First Course in Stochastic Models, Cor. 8.3.2),
  written here again, independently of hacalc.core.risk, and compared at many points and in a 1e-12 tail;
- the exact moments of the two-state process (mean W·U; Takács' variance 2ab/(a+b)³·(W − (1 − e^{−(a+b)W})/(a+b)));
- a brute-force Monte Carlo of a 1-out-of-2 standby chain with failover and manual-recovery states (§3.3);
- properties: tails fall with the budget and stay in [0, 1].
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from hacalc.core import markov
from hacalc.core.errors import InputError
from hacalc.core.occupation import (
    MAX_WORK,
    downtime_distribution,
    downtime_quantiles,
    downtime_variance,
    expected_downtime,
    expected_failures,
    initial_distribution,
    occupation_tail,
    probability_never_down,
    work_estimate,
)
from hacalc.core.spares import Standby

YEAR, MONTH = 8760.0, 730.0


def unit(mttf: float, mttr: float) -> markov.Chain:
    """The alternating Markov process: up → down at λ = 1/MTTF, down → up at μ = 1/MTTR."""
    return markov.Chain.build([("up", True), ("down", False)], [("up", "down", 1 / mttf), ("down", "up", 1 / mttr)])


def tijms_tail(mttf: float, mttr: float, window: float, budget: float, start: str = "steady") -> float:
    """P(D > d) = P{U(t0) ≤ t0 − d} by Tijms Cor. 8.3.2 (reliability-math.md §5.2), a sum of positive terms.

    With x = t0 − d, a = λ, b = μ: starting up, Σ_n Pois(n; b(t0 − x))·(1 − Σ_{k≤n} Pois(k; ax)); starting
    down the inner sum stops at n − 1; a steady start weights them b/(a+b) and a/(a+b).
    """
    a, b = 1 / mttf, 1 / mttr
    up_time = window - budget
    repairs = b * budget  # b(t0 - x)
    count = np.arange(int(repairs + 12 * math.sqrt(repairs + 1) + 60))
    weights = stats.poisson.pmf(count, repairs)
    from_up = float(np.sum(weights * stats.poisson.sf(count, a * up_time)))
    from_down = float(np.sum(weights * stats.poisson.sf(count - 1, a * up_time)))  # sf(-1) = 1
    if start == "up":
        return from_up
    return b / (a + b) * from_up + a / (a + b) * from_down


# reliability-math.md §5.2 test values, "exact" column: (MTTF h, MTTR h, window h, budget h, P(D > budget))
REFERENCE = [
    (2000, 1, YEAR, 8.76, 0.085231),
    (1000, 4, YEAR, 8.76, 0.972763),
    (1000, 4, YEAR, 35.04, 0.449010),
    (5000, 8, YEAR, 8.76, 0.527535),
    (2000, 1, MONTH, 0.73, 0.166680),
]


@pytest.mark.parametrize(("mttf", "mttr", "window", "budget", "expected"), REFERENCE)
def test_breach_probability_matches_the_reference_table(mttf, mttr, window, budget, expected):
    tail = occupation_tail(unit(mttf, mttr), "steady", window, [budget])
    assert tail[0] == pytest.approx(expected, abs=1e-6)


def test_quantiles_match_the_reference():
    # reliability-math.md §5.2: MTTF 2000 h, MTTR 1 h, one year: median 3.868 h, 90 % 8.384, 95 % 9.966, 99 % 13.293
    found = downtime_quantiles(unit(2000, 1), "steady", YEAR, [0.5, 0.9, 0.95, 0.99])
    assert found == pytest.approx([3.868, 8.384, 9.966, 13.293], abs=1e-3)


@pytest.mark.parametrize(("mttf", "mttr", "window"), [(2000, 1, YEAR), (1000, 4, YEAR), (300, 30, MONTH), (50, 5, 100.0)])
@pytest.mark.parametrize("start", ["steady", "up"])
def test_agrees_with_tijms_closed_form_everywhere(mttf, mttr, window, start):
    distribution = downtime_distribution(unit(mttf, mttr), start, window)
    budgets = np.concatenate([np.linspace(0, window, 41)[1:-1], distribution.mean * np.array([0.1, 0.5, 1, 2, 4])])
    budgets = budgets[budgets < window]
    ours = distribution.tail(budgets)
    theirs = np.array([tijms_tail(mttf, mttr, window, budget, start) for budget in budgets])
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


def test_far_tail_keeps_its_digits():
    # P(D > 45 h) in a year at MTTF 2000 h / MTTR 1 h is about 1.7e-11, P(D > 50 h) about 5e-13: a "1 - CDF"
    # would leave nothing; both sums are positive terms and must agree in relative digits.
    budgets = [40.0, 45.0, 50.0, 60.0]
    ours = occupation_tail(unit(2000, 1), "steady", YEAR, budgets)
    theirs = np.array([tijms_tail(2000, 1, YEAR, budget) for budget in budgets])
    assert 1e-13 < ours[2] < 1e-11
    np.testing.assert_allclose(ours, theirs, rtol=1e-7)


@pytest.mark.parametrize(("mttf", "mttr", "window"), [(2000, 1, YEAR), (1000, 4, MONTH), (10, 10, 3.0)])
def test_two_state_moments_are_exact(mttf, mttr, window):
    a, b = 1 / mttf, 1 / mttr
    c = a + b
    u = a / c
    steady = downtime_distribution(unit(mttf, mttr), "steady", window)
    # scipy's Poisson weights at ΛW ≈ 1e4 are good to ~1e-11 relative (a log-pmf of terms ~1e5); normalised, ~1e-12
    assert steady.mean == pytest.approx(window * u, rel=1e-11)
    # Takács: the variance of the time a stationary alternating Markov process spends in one state
    takacs = 2 * a * b / c**3 * (window + math.expm1(-c * window) / c)
    assert steady.variance == pytest.approx(takacs, rel=1e-11)
    assert steady.expected_failures == pytest.approx(a * (1 - u) * window, rel=1e-11)  # λ·A per hour
    assert steady.starts_down == pytest.approx(u, rel=1e-14)
    assert steady.never_down == pytest.approx((1 - u) * math.exp(-a * window), rel=1e-11)

    fresh = downtime_distribution(unit(mttf, mttr), "up", window)
    mean_up_start = u * (window + math.expm1(-c * window) / c)  # ∫₀ᵂ U(1 − e^{−ct}) dt
    assert fresh.mean == pytest.approx(mean_up_start, rel=1e-11)
    assert fresh.expected_failures == pytest.approx(a * (window - mean_up_start), rel=1e-11)
    assert fresh.starts_down == 0
    assert fresh.never_down == pytest.approx(math.exp(-a * window), rel=1e-11)


def test_atoms_at_zero_and_at_the_whole_window():
    # One hour with MTTF = MTTR = 10 h: P(D = 0) = A·e^{-λW}, P(D = W) = U·e^{-μW} (down at the start, not repaired)
    window, rate = 1.0, 0.1
    distribution = downtime_distribution(unit(10, 10), "steady", window)
    never, always = 0.5 * math.exp(-rate * window), 0.5 * math.exp(-rate * window)
    assert distribution.tail([0.0])[0] == pytest.approx(1 - never, rel=1e-12)
    assert distribution.tail([window * (1 - 1e-9)])[0] == pytest.approx(always, rel=1e-6)
    assert list(distribution.tail([-1.0, window, 2 * window])) == [1.0, 0.0, 0.0]
    low, middle, high = distribution.quantiles([never / 2, 0.5, 1 - always / 2])
    assert low == 0.0
    assert 0 < middle < window
    assert high == window


STANDBY = Standby(
    needed=1, spares=1, crews=1, failure_rate=0.02, repair_rate=0.2, dormancy=0.5, coverage=0.9, failover_hours=0.5, manual_recovery_hours=3.0
)


def test_standby_chain_moments_match_its_steady_state_and_expm():
    chain = STANDBY.chain()
    assert sum(not up for up in chain.up) == 3  # failover, manual recovery and both failed: three down states
    window = 500.0
    steady = downtime_distribution(chain, "steady", window)
    solved = markov.steady_state(chain)
    assert steady.mean == pytest.approx(window * solved.unavailability, rel=1e-12)
    assert steady.expected_failures == pytest.approx(window * solved.failure_frequency, rel=1e-12)
    fresh = downtime_distribution(chain, "up", window)
    # an independent route: 1 - interval availability from one matrix exponential (markov.py)
    assert fresh.mean == pytest.approx(window * (1 - markov.interval_availability(chain, window)), rel=1e-8)
    budgets = np.linspace(0, window, 201)
    tails = steady.tail(budgets)
    assert np.all(np.diff(tails) <= 0) and tails[0] <= 1 and tails[-1] == 0
    assert tails[0] == pytest.approx(1 - steady.never_down, rel=1e-12)


def simulate_downtime(chain: markov.Chain, initial, window: float, runs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Brute force: every run walks the chain event by event (vectorised over runs); returns downtime and outages."""
    rng = np.random.default_rng(seed)
    size = len(chain)
    exits = np.array([sum(row.values()) for row in chain.rates])
    jumps = np.zeros((size, size))
    for source, row in enumerate(chain.rates):
        for target, rate in row.items():
            jumps[source, target] = rate / exits[source]
    cumulative = np.cumsum(jumps, axis=1)
    down = ~np.array(chain.up)
    state = rng.choice(size, size=runs, p=np.asarray(initial) / np.sum(initial))
    clock = np.zeros(runs)
    downtime = np.zeros(runs)
    outages = down[state].astype(float)
    active = np.ones(runs, dtype=bool)
    while active.any():
        which = np.flatnonzero(active)
        here = state[which]
        stay = rng.exponential(1 / exits[here])
        ends = np.minimum(clock[which] + stay, window)
        downtime[which] += np.where(down[here], ends - clock[which], 0.0)
        clock[which] = ends
        moving = ends < window
        draws = rng.random(which.size)
        after = np.minimum((cumulative[here] < draws[:, None]).sum(axis=1), size - 1)
        outages[which] += moving & ~down[here] & down[after]
        state[which] = np.where(moving, after, here)
        active[which] = moving
    return downtime, outages


def test_standby_chain_agrees_with_monte_carlo():
    chain = STANDBY.chain()
    window, runs = 500.0, 100_000
    initial = initial_distribution(chain, "steady")
    exact = downtime_distribution(chain, initial, window)
    downtime, outages = simulate_downtime(chain, initial, window, runs, seed=20240611)
    budgets = [0.0, 1.0, 5.0, 10.0, 20.0, 40.0]
    estimated = np.array([(downtime > budget).mean() for budget in budgets])
    standard_error = np.sqrt(estimated * (1 - estimated) / runs)
    assert np.all(np.abs(exact.tail(budgets) - estimated) <= 4 * np.maximum(standard_error, 1 / runs))
    assert abs(exact.mean - downtime.mean()) <= 4 * downtime.std() / math.sqrt(runs)
    assert abs(exact.sd - downtime.std()) <= 0.02 * exact.sd
    assert abs(exact.expected_outages - outages.mean()) <= 4 * outages.std() / math.sqrt(runs)


@st.composite
def small_chains(draw):
    size = draw(st.integers(2, 5))
    up = [True] + [draw(st.booleans()) for _ in range(size - 1)]
    rate = st.floats(1e-3, 5.0)
    states = [(str(i), up[i]) for i in range(size)]
    # a ring keeps every chain irreducible (so it has a steady state); extra random transitions on top
    transitions = [(str(i), str((i + 1) % size), draw(rate)) for i in range(size)]
    for source in range(size):
        for target in range(size):
            if source != target and draw(st.booleans()):
                transitions.append((str(source), str(target), draw(rate)))
    return markov.Chain.build(states, transitions)


@settings(max_examples=40, deadline=None)
@given(chain=small_chains(), window=st.floats(0.1, 50.0), start=st.sampled_from(["steady", "up"]))
def test_tails_fall_and_stay_probabilities(chain, window, start):
    distribution = downtime_distribution(chain, start, window)
    budgets = np.linspace(-0.1 * window, 1.1 * window, 61)
    tails = distribution.tail(budgets)
    assert np.all((tails >= 0) & (tails <= 1))
    assert np.all(np.diff(tails) <= 1e-12)
    assert 0 <= distribution.never_down <= 1
    assert 0 <= distribution.mean <= window and distribution.variance >= 0
    # P(D > 0) and P(D = 0) are computed separately and must add to one
    assert distribution.tail([0.0])[0] + distribution.never_down == pytest.approx(1, abs=1e-12)


def test_birth_death_chain_of_200_states_is_cheap_enough():
    # 199 units at MTTF 1000 h, four crews at MTTR 4 h, down when more than two have failed; 30 days
    units = 199
    births = [(units - j) / 1000 for j in range(units + 1)]
    deaths = [min(j, 4) / 4 for j in range(units + 1)]
    chain = markov.birth_death_chain(births, deaths, up_to=2)
    window = 720.0
    assert len(chain) == 200
    assert work_estimate(chain, window) < MAX_WORK
    started = time.perf_counter()
    distribution = downtime_distribution(chain, "steady", window)
    tail = distribution.tail([distribution.mean])
    print(f"200-state birth-death chain over 30 days: {time.perf_counter() - started:.3f} s")
    assert distribution.mean == pytest.approx(window * markov.steady_state(chain).unavailability, rel=1e-10)
    assert 0 < tail[0] < 1


def test_work_estimate_grows_with_the_window_and_refuses_past_the_limit():
    chain = unit(1000, 1)
    assert work_estimate(chain, 2 * YEAR) > 3 * work_estimate(chain, YEAR)
    with pytest.raises(InputError, match="operations"):
        downtime_distribution(chain, "steady", YEAR, max_work=work_estimate(chain, YEAR) / 2)


def test_wrapper_functions_answer_like_the_distribution():
    chain, window = unit(1000, 4), MONTH
    distribution = downtime_distribution(chain, "up", window)
    assert probability_never_down(chain, "up", window) == distribution.never_down
    assert expected_downtime(chain, "up", window) == distribution.mean
    assert downtime_variance(chain, "up", window) == distribution.variance
    assert expected_failures(chain, "up", window) == distribution.expected_failures
    assert initial_distribution(chain, "up") == (1.0, 0.0)
    # the CLI keeps quantile levels as Fractions (hacalc.core.risk.DEFAULT_QUANTILES)
    assert distribution.quantiles([Fraction(9, 10)]) == distribution.quantiles([0.9])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: downtime_distribution(unit(10, 1), "steady", 0.0), "window"),
        (lambda: downtime_distribution(unit(10, 1), "steady", math.inf), "window"),
        (lambda: downtime_distribution(unit(10, 1), [1.0], 10.0), "probabilities"),
        (lambda: downtime_distribution(unit(10, 1), [0.7, 0.7], 10.0), "sum"),
        (lambda: downtime_distribution(unit(10, 1), [1.5, -0.5], 10.0), "non-negative"),
        (lambda: downtime_distribution(unit(10, 1), "sideways", 10.0), "start"),
        (lambda: downtime_quantiles(unit(10, 1), "steady", 10.0, [1.0]), "quantile"),
        (lambda: occupation_tail(unit(10, 1), "steady", 10.0, [math.nan]), "finite"),
    ],
)
def test_bad_input_is_an_input_error(call, message):
    with pytest.raises(InputError, match=message):
        call()
