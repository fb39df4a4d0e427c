"""The CTMC toolkit against reliability-math.md closed forms and §9 test vectors, and against dense linear algebra."""

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hacalc.core.markov import (
    Chain,
    birth_death,
    birth_death_chain,
    birth_death_passage_time,
    interval_availability,
    mean_time_to_absorption,
    point_availability,
    steady_state,
)

LAMBDA, MU = 1e-3, 0.1  # reliability-math.md §2.2 worked vectors: MTTF 1000 h, MTTR 10 h


def hot_pair(crews: int) -> tuple[list[float], list[float]]:
    return [2 * LAMBDA, LAMBDA, 0.0], [0.0, MU, min(2, crews) * MU]


def single_unit(failure: float = LAMBDA, repair: float = MU) -> Chain:
    return Chain.build([("up", True), ("down", False)], [("up", "down", failure), ("down", "up", repair)])


def test_single_unit_point_and_interval_availability():
    # reliability-math.md §9 T4: A(10 h) = 0.9937051384, Ā(8760 h) = 0.9901102005
    assert point_availability(single_unit(), 10) == pytest.approx(0.9937051384, rel=1e-9)
    assert interval_availability(single_unit(), 8760) == pytest.approx(0.9901102005, rel=1e-9)


def test_point_availability_tends_to_the_steady_state():
    # reliability-math.md §1.1: A(t) -> μ/(λ+μ) = 0.9900990099
    assert point_availability(single_unit(), 1e5) == pytest.approx(MU / (LAMBDA + MU), rel=1e-12)


def test_single_unit_frequency_and_durations():
    # reliability-math.md §1.1: for one unit f = 1/(MTTF+MTTR), MUT = MTTF, MDT = MTTR
    state = steady_state(single_unit())
    assert state.failure_frequency == pytest.approx(1 / 1010, rel=1e-12)
    assert state.mean_up_time == pytest.approx(1000, rel=1e-12)
    assert state.mean_down_time == pytest.approx(10, rel=1e-12)


@pytest.mark.parametrize(
    ("crews", "availability"),
    [(1, 0.99980396001), (2, 0.99990197040)],  # reliability-math.md §9 T22, T23
)
def test_hot_pair_birth_death_and_gth_agree_with_the_vectors(crews, availability):
    births, deaths = hot_pair(crews)
    probabilities = birth_death(births, deaths)
    assert 1 - probabilities[2] == pytest.approx(availability, abs=1e-11)
    state = steady_state(birth_death_chain(births, deaths, up_to=1))
    assert state.availability == pytest.approx(availability, abs=1e-11)
    assert state.unavailability == pytest.approx(probabilities[2], rel=1e-12)


def test_hot_pair_mttf_closed_form_both_ways():
    # reliability-math.md §2.2 / T22: MTTF = (3λ+μ)/(2λ²) = 51 500 h
    births, deaths = hot_pair(1)
    assert birth_death_passage_time(births, deaths, 2) == pytest.approx(51500, rel=1e-12)
    assert mean_time_to_absorption(birth_death_chain(births, deaths, 1), 0, [2]) == pytest.approx(51500, rel=1e-12)


def test_textbook_parallel_pair_mttf_2475_and_225_hours():
    # reliability-math.md §9 T28 [published]: unit MTTF 150 h, MTTR 5 h -> 2475 h with repair, 225 h without
    failure, repair = 1 / 150, 1 / 5
    assert birth_death_passage_time([2 * failure, failure, 0], [0, repair, repair], 2) == pytest.approx(2475, rel=1e-12)
    assert birth_death_passage_time([2 * failure, failure, 0], [0, 0, 0], 2) == pytest.approx(225, rel=1e-12)


def test_non_repairable_mttf():
    # reliability-math.md §9 T21: 2oo3 hot -> 5/(6λ) = 833.333 h; one active + 2 cold spares -> 3/λ = 3000 h
    assert birth_death_passage_time([3 * LAMBDA, 2 * LAMBDA, LAMBDA, 0], [0] * 4, 2) == pytest.approx(2500 / 3, rel=1e-12)
    assert birth_death_passage_time([LAMBDA] * 3 + [0], [0] * 4, 3) == pytest.approx(3000, rel=1e-12)


def test_outage_frequency_and_mean_down_time():
    # reliability-math.md §9 T29: 1oo2 hot r=1 -> 0.171731 outages/yr, MDT 10 h; cold r=1 -> 0.086724/yr, MDT 10 h
    hot = steady_state(birth_death_chain(*hot_pair(1), up_to=1))
    cold = steady_state(birth_death_chain([LAMBDA, LAMBDA, 0], [0, MU, MU], up_to=1))
    assert hot.failure_frequency * 8760 == pytest.approx(0.171731, rel=1e-5)
    assert cold.failure_frequency * 8760 == pytest.approx(0.086724, rel=1e-5)
    assert hot.mean_down_time == pytest.approx(10, rel=1e-9)
    assert cold.mean_down_time == pytest.approx(10, rel=1e-9)


def test_gth_keeps_relative_accuracy_at_fifteen_nines():
    # reliability-math.md §9 T37: cold standby, r=1, λ=1e-7, μ=1 -> U = 9.999999e-15 (least squares gives 1.04e-14)
    births, deaths = [1e-7, 1e-7, 0], [0, 1, 1]
    assert steady_state(birth_death_chain(births, deaths, 1)).unavailability == pytest.approx(9.999999e-15, rel=1e-6)
    assert birth_death(births, deaths)[2] == pytest.approx(9.999999e-15, rel=1e-6)


def test_birth_death_with_thousands_of_states_neither_overflows_nor_underflows():
    # Mass piles up at the top: naive products reach 10**3000 and overflow; the scaled solver must not.
    size = 3000
    births = [10.0] * (size - 1) + [0.0]
    deaths = [0.0] + [1.0] * (size - 1)
    probabilities = birth_death(births, deaths)
    assert math.fsum(probabilities) == pytest.approx(1, rel=1e-12)
    assert probabilities[-1] == pytest.approx(0.9, rel=1e-12)  # geometric tail: p_n / Σ p = 1 - 1/10
    assert steady_state(birth_death_chain(births, deaths, size // 2)).probabilities[-1] == pytest.approx(0.9, rel=1e-12)


def exact_steady_state(chain: Chain) -> list[Fraction]:
    """π with πQ = 0 and Σπ = 1 (the steady state's definition, reliability-math.md §3.7 solves the same system
    by least squares on [Qᵀ; 1]), by Gauss–Jordan elimination over Fractions of the rates' exact binary values."""
    size = len(chain)
    generator = [[Fraction(0)] * size for _ in range(size)]
    for source, row in enumerate(chain.rates):
        for target, rate in row.items():
            generator[source][target] = Fraction(rate)
            generator[source][source] -= Fraction(rate)  # exactly: Chain.generator() sums the diagonal in floats
    rows = [[generator[source][target] for source in range(size)] + [Fraction(0)] for target in range(size - 1)]
    rows.append([Fraction(1)] * size + [Fraction(1)])
    for column in range(size):
        pivot = next(row for row in range(column, size) if rows[row][column])
        rows[column], rows[pivot] = rows[pivot], rows[column]
        rows[column] = [value / rows[column][column] for value in rows[column]]
        for row in range(size):
            if row != column and rows[row][column]:
                factor = rows[row][column]
                rows[row] = [value - factor * leading for value, leading in zip(rows[row], rows[column])]
    return [rows[state][size] for state in range(size)]


EXTREME_RATE_RATIOS = {
    # a → b scales the weight by 1e-400 (below the smallest float), b → c by 1e400 back: p_a = p_c ≈ 0.5,
    # p_b ≈ 5e-401 (0 as a float), p_d ≈ 5e-151, p_e ≈ 5e-301
    "dip below 1e-308 and back": (
        [("a", "b", 1e-200), ("b", "a", 1e200), ("b", "c", 1e200), ("c", "b", 1e-200), ("c", "d", 1e-75),
         ("d", "c", 1e75), ("d", "e", 1e-75), ("e", "d", 1e75), ("e", "a", 1.0)],
        {"d", "e"},
    ),
    # relative to a, c weighs 1e400 and d 1e200 (with a shortcut a → c and a return d → a):
    # p_a ≈ 1e-400 and p_b ≈ 2e-400 (0 as floats), p_c ≈ 1, p_d ≈ 1e-200
    "climb past 1e308": (
        [("a", "b", 1e200), ("b", "a", 1e-200), ("b", "c", 1e200), ("c", "b", 1e-200), ("c", "d", 1e-100),
         ("d", "c", 1e100), ("d", "a", 1.0), ("a", "c", 1.0)],
        {"d"},
    ),
}  # fmt: skip


@pytest.mark.parametrize(("transitions", "down"), EXTREME_RATE_RATIOS.values(), ids=EXTREME_RATE_RATIOS.keys())
def test_gth_matches_an_exact_solve_when_weights_span_far_beyond_the_float_range(transitions, down):
    """Issue 8: relative to state a the weights pass 1e±308 in one step (rate ratios of 1e400); an overflowing
    path rate or weight gave NaN, an underflowing one zeroed every state after it. Expected: each exact
    probability rounded once to a float (those below 1e-308 round to 0 and must be 0)."""
    labels = sorted({source for source, _, _ in transitions})
    chain = Chain.build([(label, label not in down) for label in labels], transitions)
    exact = exact_steady_state(chain)
    state = steady_state(chain)
    assert state.probabilities == pytest.approx([float(p) for p in exact], rel=1e-12, abs=0)
    assert state.unavailability == pytest.approx(float(sum(p for p, up in zip(exact, chain.up) if not up)), rel=1e-12)
    assert 0 < min(p for p in state.probabilities if p) < 1e-150  # the tiny but representable ones survive


def test_a_reducible_chain_is_refused():
    chain = Chain.build([("a", True), ("b", False)], [("a", "b", 1.0)])
    with pytest.raises(ValueError, match="reducible"):
        steady_state(chain)


rates = st.floats(min_value=1e-3, max_value=1e3)


@st.composite
def random_chains(draw):
    """A ring (so irreducible) plus random extra transitions; state 0 is down, the rest up."""
    size = draw(st.integers(min_value=2, max_value=6))
    transitions = [(str(i), str((i + 1) % size), draw(rates)) for i in range(size)]
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        source, target = draw(st.integers(0, size - 1)), draw(st.integers(0, size - 1))
        transitions.append((str(source), str(target), draw(rates)))
    return Chain.build([(str(i), i != 0) for i in range(size)], transitions)


@settings(max_examples=40, deadline=None)
@given(random_chains())
def test_gth_solves_pi_q_equals_zero(chain):
    import numpy as np

    generator = np.array(chain.generator())
    probabilities = np.array(steady_state(chain).probabilities)
    assert probabilities.sum() == pytest.approx(1, rel=1e-12)
    assert np.abs(probabilities @ generator).max() <= 1e-9 * np.abs(generator).max()


@settings(max_examples=40, deadline=None)
@given(random_chains())
def test_absorption_time_matches_a_dense_solve(chain):
    import numpy as np

    transient = list(range(1, len(chain)))
    generator = np.array(chain.generator())
    expected = np.linalg.solve(-generator[np.ix_(transient, transient)], np.ones(len(transient)))
    assert mean_time_to_absorption(chain, 1, [0]) == pytest.approx(expected[0], rel=1e-8)
