"""Spare models against reliability-math.md §2–§3 closed forms and §9 vectors T22–T35, a Monte Carlo
cross-check, and the properties issue 3 asks for."""

import math
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hacalc.core import markov
from hacalc.core.errors import InputError
from hacalc.core.periods import Conventions
from hacalc.core.spares import MAX_SWITCHOVER_STATES, ActiveActivePair, Question, Spare, Standby, compare

LAMBDA, MU = 1e-3, 0.1  # reliability-math.md §3.4: MTTF 1000 h, MTTR 10 h
HOT, WARM, COLD = 1.0, 0.5, 0.0


def standby(**overrides) -> Standby:
    values = dict(needed=1, spares=1, crews=1, failure_rate=LAMBDA, repair_rate=MU, dormancy=HOT)
    values.update(overrides)
    return Standby(**values)


def availability(model) -> float:
    return 1 - model.solve().unavailability


# reliability-math.md §2.2 table and §9 T22–T27 (λ = 1e-3, μ = 0.1): A to 11 digits, MTTF rel 1e-8
PERFECT_SWITCHING = [
    ("1oo2 hot r=1 (T22)", dict(), 0.99980396001, 51500),
    ("1oo2 hot r=2 (T23)", dict(crews=2), 0.99990197040, 51500),
    ("1oo2 warm r=1 (T24)", dict(dormancy=WARM), 0.99985223859, 68333.3333333),
    ("1oo2 warm r=2 (§2.2)", dict(dormancy=WARM, crews=2), 0.99992611383, 68333.3333333),
    ("1oo2 cold r=1 (T25)", dict(dormancy=COLD), 0.99990099990, 102000),
    ("1oo2 cold r=2 (T25)", dict(dormancy=COLD, crews=2), 0.99995049750, 102000),
    ("2oo3 hot r=1 (T26)", dict(needed=2), 0.99941199644, 17500),
    ("2oo3 hot r=2 (T26)", dict(needed=2, crews=2), 0.99970736721, 17500),
    ("2oo3 hot r=3 = 3a²-2a³ (§2.2)", dict(needed=2, crews=3), 0.99970785237, 17500),
    ("3oo4 hot r=1 (T27)", dict(needed=3), 0.99882423022, (7 * LAMBDA + MU) / (12 * LAMBDA**2)),
    ("3oo4 cold r=1 (T27)", dict(needed=3, dormancy=COLD), 0.99910935706, (6 * LAMBDA + MU) / (9 * LAMBDA**2)),
]


@pytest.mark.parametrize(("case", "overrides", "expected", "mttf"), PERFECT_SWITCHING, ids=[row[0] for row in PERFECT_SWITCHING])
def test_perfect_switching_vectors(case, overrides, expected, mttf):
    solution = standby(**overrides).solve()
    assert 1 - solution.unavailability == pytest.approx(expected, abs=1e-11)
    assert solution.mttf_hours == pytest.approx(mttf, rel=1e-8)


def test_one_out_of_two_closed_forms_birolini():
    # reliability-math.md §3.2: A = μ(λ+λr+μ) / (λ(λ+λr) + μ(λ+λr+μ)), MTTF = (2λ+λr+μ) / (λ(λ+λr))
    for dormancy in (HOT, 0.3, COLD):
        spare_rate = dormancy * LAMBDA
        closed = MU * (LAMBDA + spare_rate + MU) / (LAMBDA * (LAMBDA + spare_rate) + MU * (LAMBDA + spare_rate + MU))
        solution = standby(dormancy=dormancy).solve()
        assert 1 - solution.unavailability == pytest.approx(closed, rel=1e-13)
        assert solution.mttf_hours == pytest.approx((2 * LAMBDA + spare_rate + MU) / (LAMBDA * (LAMBDA + spare_rate)), rel=1e-12)


def test_imperfect_coverage_closed_forms():
    # reliability-math.md §3.3, τ = 0, one crew: sympy-derived A and MTTF
    failure, repair, recovery = LAMBDA, MU, 2.0
    for dormancy, coverage in ((0.5, 0.95), (1.0, 0.9), (0.0, 0.99)):
        a, c, l, m, b = dormancy, coverage, failure, repair, recovery
        denominator = (
            a**2 * l**3 + a**2 * l**2 * m + a * b * l**2 + a * b * l * m - a * c * l**2 * m + a * l**3 + 2 * a * l**2 * m
            + a * l * m**2 + b * l**2 + b * l * m + b * m**2 - c * l * m**2 + l * m**2
        )
        closed = m * (a * l + b) * (l + a * l + m) / denominator
        solution = standby(dormancy=a, coverage=c, manual_recovery_hours=1 / b).solve()
        assert 1 - solution.unavailability == pytest.approx(closed, rel=1e-12)
        assert solution.mttf_hours == pytest.approx((l * (1 + a + c) + m) / (l * ((1 + a) * l + (1 - c) * m)), rel=1e-10)


@pytest.mark.parametrize(
    ("vector", "overrides", "expected", "mttf"),
    [
        ("T30", dict(dormancy=WARM, coverage=0.95, manual_recovery_hours=0.5), 0.999827499003, 15761.5385),
        ("T31", dict(dormancy=HOT, coverage=0.9, manual_recovery_hours=0.5), 0.999754496794, 8575.0),
        ("T32", dict(dormancy=COLD, coverage=0.99, manual_recovery_hours=0.25), 0.999898525150, 50995.0),
    ],
)
def test_coverage_without_failover_time(vector, overrides, expected, mttf):
    # reliability-math.md §9 T30–T32 (A abs 1e-11, MTTF rel 1e-5)
    solution = standby(**overrides).solve()
    assert 1 - solution.unavailability == pytest.approx(expected, abs=1e-11)
    assert solution.mttf_hours == pytest.approx(mttf, rel=1e-5)


def test_t30_outages_and_mean_down_time():
    # reliability-math.md §3.4 / T30: 0.56089 outages/yr, MDT 2.69413 h
    solution = standby(dormancy=WARM, coverage=0.95, manual_recovery_hours=0.5).solve()
    assert solution.outages_per_hour * 8760 == pytest.approx(0.56089, rel=1e-5)
    assert solution.unavailability / solution.outages_per_hour == pytest.approx(2.69413, rel=1e-5)


def test_coverage_with_failover_time():
    # reliability-math.md §9 T33: warm, c=0.95, τ=2 min, β=2 -> A 0.9997961566, 107.1401 min/yr,
    # 8.75821 outages/yr, MDT 0.203885 h, MTTF (long outages) 15758.1896 h; r=2 -> A 0.9998701631
    model = standby(dormancy=WARM, coverage=0.95, failover_hours=2 / 60, manual_recovery_hours=0.5)
    solution = model.solve()
    assert 1 - solution.unavailability == pytest.approx(0.9997961566, abs=1e-9)
    assert solution.unavailability * 8760 * 60 == pytest.approx(107.1401, rel=1e-5)
    assert solution.outages_per_hour * 8760 == pytest.approx(8.75821, rel=1e-5)
    assert solution.unavailability / solution.outages_per_hour == pytest.approx(0.203885, rel=1e-5)
    assert solution.mttf_hours == pytest.approx(15758.1896, rel=1e-5)
    two_crews = Standby(**{**model.__dict__, "crews": 2})
    assert availability(two_crews) == pytest.approx(0.9998701631, abs=1e-9)


@pytest.mark.parametrize(
    ("dormancy", "failover_hours", "expected", "mttf"),
    [(HOT, 30 / 3600, 0.999790848, 34320.8), (WARM, 5 / 60, 0.999765638, 40931.8), (COLD, 0.5, 0.999406293, 51020.0)],
)
def test_hot_warm_cold_trade_off(dormancy, failover_hours, expected, mttf):
    # reliability-math.md §9 T34 (A rel 1e-8) and §3.5 (MTTF excluding failover blips)
    model = standby(dormancy=dormancy, coverage=0.99, failover_hours=failover_hours, manual_recovery_hours=0.5)
    solution = model.solve()
    assert 1 - solution.unavailability == pytest.approx(expected, rel=1e-8)
    assert solution.mttf_hours == pytest.approx(mttf, rel=1e-5)


@pytest.mark.parametrize(
    ("coverage", "expected", "mttf"),
    [(1.0, 0.999803960008, 51500), (0.99, 0.999794066973, 25745), (0.9, 0.999705038474, 4672.727)],
)
def test_active_active_pair(coverage, expected, mttf):
    # reliability-math.md §9 T35, and the §3.3 closed forms
    pair = ActiveActivePair(crews=1, failure_rate=LAMBDA, repair_rate=MU, coverage=coverage, manual_recovery_hours=0.5)
    solution = pair.solve()
    l, m, b, c = LAMBDA, MU, 2.0, coverage
    closed = m * (b + l) * (2 * l + m) / (
        2 * b * l**2 + 2 * b * l * m + b * m**2 - 2 * c * l**2 * m - 2 * c * l * m**2 + 2 * l**3 + 4 * l**2 * m + 3 * l * m**2
    )
    assert 1 - solution.unavailability == pytest.approx(expected, abs=1e-11)
    assert 1 - solution.unavailability == pytest.approx(closed, rel=1e-12)
    assert solution.mttf_hours == pytest.approx(mttf, rel=1e-6)


def test_the_issue_example_recommends_a_warm_spare_for_5205_a_year():
    # issue 3: "warm spare meets 99.97% for 5,205/yr; cold loses 312 min/yr to 30-minute activations"
    question = Question(
        mttf=Fraction(1000 * 3600),
        mttr=Fraction(10 * 3600),
        coverage=Fraction(99, 100),
        manual_recovery=Fraction(1800),
        failover={Spare.hot: Fraction(30), Spare.warm: Fraction(300), Spare.cold: Fraction(1800)},
        spare_cost={Spare.hot: Fraction(9000), Spare.warm: Fraction(5000), Spare.cold: Fraction(1000)},
        downtime_cost=Fraction(100),
        target=Fraction(9997, 10000),
    )
    comparison = compare(question)
    by_spare = {option.spare: option for option in comparison.options}
    assert [option.spare for option in comparison.options] == [Spare.none, Spare.hot, Spare.warm, Spare.cold]
    assert comparison.recommended is by_spare[Spare.warm]
    assert round(by_spare[Spare.warm].annual_cost) == 5205
    assert by_spare[Spare.cold].downtime_seconds_per_year / 60 == pytest.approx(312.05, abs=0.01)  # §3.5
    assert by_spare[Spare.cold].meets_target is False
    assert not comparison.gate_failed


def test_no_option_meeting_the_target_fails_the_gate():
    comparison = compare(Question(mttf=Fraction(3600000), mttr=Fraction(36000), target=Fraction(999999, 1000000)))
    assert comparison.recommended is None and comparison.gate_failed


def test_without_prices_the_coldest_option_meeting_the_target_wins():
    comparison = compare(Question(mttf=Fraction(3600000), mttr=Fraction(36000), target=Fraction(9998, 10000)))
    assert comparison.recommended.spare is Spare.cold
    assert comparison.recommended.annual_cost is None


def test_sweep_lists_none_once_then_every_kind_per_count():
    comparison = compare(Question(mttf=Fraction(3600000), mttr=Fraction(36000), sweep=range(0, 3)))
    assert [(option.spare.value, option.spares) for option in comparison.sweep] == [
        ("none", 0), ("hot", 1), ("warm", 1), ("cold", 1), ("hot", 2), ("warm", 2), ("cold", 2)
    ]


def test_year_length_scales_yearly_figures():
    question = Question(mttf=Fraction(3600000), mttr=Fraction(36000), conventions=Conventions(year_days=Fraction(36525, 100)))
    option = compare(question).options[1]
    assert option.downtime_seconds_per_year == pytest.approx(option.unavailability * 8766 * 3600, rel=1e-12)


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        (dict(coverage=Fraction(3, 2)), "coverage"),
        (dict(dormancy=Fraction(-1, 10)), "dormancy"),
        (dict(spares=-1), "spares"),
        (dict(crews=0), "crews"),
        (dict(coverage=Fraction(9, 10)), "manual-recovery"),
        (dict(spares=0, failover={Spare.cold: Fraction(60)}), "failover"),
        (dict(failover={Spare.none: Fraction(60)}), "failover"),
        (dict(kinds=(Spare.active_active,), needed=2), "kind"),
        (dict(spare_cost={Spare.hot: Fraction(1)}), "spare-cost"),
        (dict(needed=200_000), "spares"),
        (dict(coverage=Fraction(9, 10), manual_recovery=Fraction(10**300)), "manual-recovery"),
        (dict(failover={Spare.hot: Fraction(1, 10**300)}), "failover"),
        (dict(spare_cost={spare: Fraction(10**308) for spare in (Spare.hot, Spare.warm, Spare.cold)}, spares=1000), "spare-cost"),
        (dict(downtime_cost=Fraction(10**300)), "downtime-cost"),
    ],
)
def test_bad_questions_name_the_setting(overrides, setting):
    with pytest.raises(InputError) as raised:
        Question(mttf=Fraction(3600000), mttr=Fraction(36000), **overrides)
    assert raised.value.where == setting


def test_monte_carlo_agrees_with_the_chain():
    """A unit-by-unit simulation of 2-out-of-4 with warm spares and one crew (FCFS), seeded, against the
    birth–death solution; batch means give the confidence interval."""
    needed, units, dormancy, failure, repair = 2, 4, 0.5, 0.2, 1.0
    exact = Standby(needed, units - needed, 1, failure, repair, dormancy).solve().unavailability
    generator = random.Random(20240613)
    batches, batch_length = 20, 1000.0
    down_time = [0.0] * batches
    running, idle, queue, clock = needed, units - needed, 0, 0.0
    while clock < batches * batch_length:
        rates = [running * failure, idle * dormancy * failure, min(queue, 1) * repair]
        total = sum(rates)
        step = generator.expovariate(total)
        if running < needed:
            _spread(down_time, clock, min(clock + step, batches * batch_length), batch_length)
        clock += step
        pick = generator.random() * total
        if pick < rates[0]:
            running -= 1
            queue += 1
            if idle:
                idle, running = idle - 1, running + 1
        elif pick < rates[0] + rates[1]:
            idle -= 1
            queue += 1
        else:
            queue -= 1
            if running < needed:
                running += 1
            else:
                idle += 1
    estimates = [down / batch_length for down in down_time]
    mean = sum(estimates) / batches
    spread = math.sqrt(sum((value - mean) ** 2 for value in estimates) / (batches - 1) / batches)
    assert abs(mean - exact) < 4 * spread


def _spread(totals: list[float], start: float, end: float, length: float) -> None:
    while start < end:
        batch = int(start // length)
        boundary = min(end, (batch + 1) * length)
        totals[batch] += boundary - start
        start = boundary


shapes = st.tuples(
    st.integers(min_value=1, max_value=5),  # needed
    st.integers(min_value=1, max_value=4),  # spares
    st.integers(min_value=1, max_value=4),  # crews
    st.floats(min_value=1e-4, max_value=1.0),  # λ
    st.floats(min_value=1e-2, max_value=10.0),  # μ
)


@settings(max_examples=60, deadline=None)
@given(shapes, st.floats(min_value=0.01, max_value=0.99))
def test_colder_is_never_worse_with_perfect_switching(shape, dormancy):
    # issue 3: with c = 1 and τ = 0, cold never worse than warm, nor warm than hot
    needed, spares, crews, failure, repair = shape
    u = [Standby(needed, spares, crews, failure, repair, alpha).solve().unavailability for alpha in (0.0, dormancy, 1.0)]
    assert u[0] <= u[1] * (1 + 1e-9) and u[1] <= u[2] * (1 + 1e-9)


@settings(max_examples=60, deadline=None)
@given(shapes, st.floats(min_value=0.0, max_value=1.0), st.floats(min_value=0.5, max_value=1.0))
def test_another_crew_or_spare_never_lowers_availability(shape, dormancy, coverage):
    """issue 3: adding a crew never lowers availability, also with imperfect switchover as long as the model's
    assumption holds (switchover much shorter than a repair, reliability-math.md §3.1); nor does a spare with
    perfect switching. (With a manual recovery longer than a repair, waiting for the repair beats switching,
    and more crews can lower availability: the CLI warns about that case.)"""
    needed, spares, crews, failure, repair = shape
    failover, recovery = 0.01 / repair, 0.05 / repair
    base = Standby(needed, spares, crews, failure, repair, dormancy, coverage, failover, recovery)
    more_crews = Standby(needed, spares, crews + 1, failure, repair, dormancy, coverage, failover, recovery)
    assert more_crews.solve().unavailability <= base.solve().unavailability * (1 + 1e-9)
    perfect = Standby(needed, spares, crews, failure, repair, dormancy)
    more_spares = Standby(needed, spares + 1, crews, failure, repair, dormancy)
    assert more_spares.solve().unavailability <= perfect.solve().unavailability * (1 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(shapes, st.floats(min_value=0.0, max_value=1.0))
def test_perfect_switching_chain_is_the_birth_death_chain(shape, dormancy):
    # issue 3 §2: with c = 1 and τ = 0 the switchover model reduces exactly to the birth–death chain
    model = Standby(*shape, dormancy=dormancy)
    chain = model.chain()
    assert len(chain) == model.units + 1
    by_chain = markov.steady_state(chain)
    by_product = model.solve()
    assert by_chain.unavailability == pytest.approx(by_product.unavailability, rel=1e-9, abs=0)
    assert markov.mean_time_to_absorption(chain, 0, range(model.spares + 1, model.units + 1)) == pytest.approx(
        by_product.mttf_hours, rel=1e-9
    )


ONE_MINUS_1E_14 = 1 - Fraction(1, 10**14)


def test_uncovered_failures_keep_every_digit_of_one_minus_coverage():
    """Issue 8 §2: coverage 1 - 1e-14 was taken as the float 0.99999999999999 and complemented in floats,
    giving 0.99920e-14, 8e-4 off. A cold 1+1 with one crew and no failover time has the balance equations
    (worked by hand from the chain in ``Standby._transitions``): π1 = ρ·π0, π2 = ρ²·π0 (ρ = λ/μ), and the
    manual-recovery state, entered at (1-c)·λ and left at β only (a cold spare does not fail idle), has
    πM = (1-c)·λ/β·π0; π0 = 1 / (1 + ρ + ρ² + (1-c)·λ/β). Evaluated in exact fractions."""
    coverage, failure, repair, recovery = ONE_MINUS_1E_14, Fraction(1, 1000), Fraction(1, 10), Fraction(2)
    rho, manual = failure / repair, (1 - coverage) * failure / recovery
    expected = manual / (1 + rho + rho**2 + manual)
    model = standby(dormancy=COLD, coverage=coverage, manual_recovery_hours=0.5)
    chain = model.chain()
    steady = markov.steady_state(chain)
    uncovered = math.fsum(p for p, label in zip(steady.probabilities, chain.labels) if label.startswith("manual recovery"))
    assert uncovered == pytest.approx(float(expected), rel=1e-9, abs=0)
    assert model.uncovered == 1e-14


def test_the_active_active_pair_keeps_every_digit_of_one_minus_coverage():
    """The pair's balance equations (worked by hand from ``ActiveActivePair.chain``, one crew), relative to
    both up: one up πO = 2λ/μ, uncovered πX = 2(1-c)λ/(β+λ), both down πD = λ(πX + πO)/μ; then normalised."""
    coverage, failure, repair, recovery = ONE_MINUS_1E_14, Fraction(1, 1000), Fraction(1, 10), Fraction(2)
    one_up = 2 * failure / repair
    uncovered = 2 * (1 - coverage) * failure / (recovery + failure)
    both_down = failure * (uncovered + one_up) / repair
    expected = uncovered / (1 + one_up + uncovered + both_down)
    pair = ActiveActivePair(crews=1, failure_rate=LAMBDA, repair_rate=MU, coverage=coverage, manual_recovery_hours=0.5)
    steady = markov.steady_state(pair.chain())
    assert steady.probabilities[pair.chain().labels.index("uncovered")] == pytest.approx(float(expected), rel=1e-9, abs=0)


def test_questions_too_large_to_answer_quickly_are_refused():
    """Issue 8 hostile input: each count of a sweep and each kind is its own chain; a sweep 0..999 took 8 s
    (with 4 other runs on the 2 cores), so past MAX_PLAIN_STATES in all a question is refused up front.
    Here the 1-spare comparison (none: 2 states; hot, warm, cold: 3 each), then the sweep: none once at 0
    (2 states), then hot, warm and cold at each count n (2 + n states each)."""
    states = 2 + 3 * 3 + 2 + 3 * sum(2 + count for count in range(1, 601))
    with pytest.raises(InputError) as raised:
        Question(mttf=Fraction(3600000), mttr=Fraction(36000), spares=1, sweep=range(0, 601))
    assert f"this question has {states:,} Markov-chain states to solve" in raised.value.what and raised.value.where == "sweep-spares"
    Question(mttf=Fraction(3600000), mttr=Fraction(36000), spares=1, sweep=range(0, 501))


def test_switchover_chains_too_large_to_answer_quickly_are_refused():
    """With failover and manual-recovery states each spare adds two states: 3 chains of 1 + (1 + 10,000) +
    2 × 10,000 states. At 100,000 spares this took 70 s; the bound is 50,000 states in all."""
    switchover = dict(coverage=Fraction(9, 10), manual_recovery=Fraction(3600), failover={Spare.hot: Fraction(1), Spare.warm: Fraction(1), Spare.cold: Fraction(1)})
    Question(mttf=Fraction(3600000), mttr=Fraction(36000), spares=5_000, **switchover)
    with pytest.raises(InputError) as raised:
        Question(mttf=Fraction(3600000), mttr=Fraction(36000), spares=10_000, **switchover)
    assert f"gives {3 * (2 + 10_000 + 2 * 10_000):,} chain states" in raised.value.what and raised.value.where == "spares"


def test_the_switchover_limit_accepts_its_worst_case_and_refuses_one_spare_more():
    """The slowest accepted question measured (benchmarks/bench_spares.py, about 2 s on the 2-core machine):
    failover times but coverage 1 and 1 needed, so hot, warm and cold are each a chain of 1 + s + 1 plain and
    s failover states. s = 8,332 gives 3 × (2 × 8,332 + 2) = 49,998 states, within the 50,000 of
    docs/spares.md's limits table; one spare more gives 3 × (2 × 8,333 + 2) = 50,004 and is refused in one line."""
    assert MAX_SWITCHOVER_STATES == 50_000
    failover = {Spare.hot: Fraction(1), Spare.warm: Fraction(1), Spare.cold: Fraction(1)}
    Question(mttf=Fraction(3600000), mttr=Fraction(36000), spares=8_332, failover=failover)
    with pytest.raises(InputError) as raised:
        Question(mttf=Fraction(3600000), mttr=Fraction(36000), spares=8_333, failover=failover)
    assert (raised.value.what, raised.value.where, raised.value.fix) == (
        "imperfect switchover (coverage below 1 or a failover time) gives 50,004 chain states to solve, "
        "over the 50,000 hacalc solves in one run",
        "spares",
        "ask for fewer spares or needed units or fewer --kind",
    )
    assert "\n" not in str(raised.value)
