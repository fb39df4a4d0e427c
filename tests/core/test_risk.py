"""The single unit's downtime in a window, exactly: reliability-math.md §5.2 (Tijms, A First Course in
Stochastic Models, Cor. 8.3.2), its test table, quantiles and the moments of the alternating Markov process."""

from __future__ import annotations

import math
from decimal import Decimal, getcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hacalc.core.errors import InputError
from hacalc.core.risk import (
    Unit,
    credit_outcomes,
    downtime_sd,
    exact_report,
    expected_outages,
    mean_downtime,
    never_down,
    parse_credits,
    quantile,
    tail,
)

YEAR = 8760.0


@pytest.mark.parametrize(
    ("mttf", "mttr", "window", "budget", "expected"),
    [
        (2000, 1, YEAR, 8.76, 0.085231),  # §5.2 table, exact column
        (1000, 4, YEAR, 8.76, 0.972763),
        (1000, 4, YEAR, 35.04, 0.449010),
        (5000, 8, YEAR, 8.76, 0.527535),
        (2000, 1, 730, 0.73, 0.166680),  # §5.2: the monthly window
    ],
)
def test_breach_probabilities_of_the_reference_table(mttf, mttr, window, budget, expected):
    assert tail(Unit(mttf, mttr, window), budget) == pytest.approx(expected, abs=5e-7)


def test_annual_downtime_quantiles_of_the_reference():
    unit = Unit(2000, 1, YEAR)  # §5.2: median 3.868 h, 90 % 8.384 h, 95 % 9.966 h, 99 % 13.293 h
    assert [round(quantile(unit, level), 3) for level in (0.5, 0.9, 0.95, 0.99)] == [3.868, 8.384, 9.966, 13.293]


def tijms_decimal(mttf: int, mttr: int, window: int, downtime: int) -> Decimal:
    """Tijms' sum (steady start) in 60-digit decimals, each Poisson complement summed upwards: an independent check."""
    getcontext().prec = 60
    a, b = Decimal(1) / mttf, Decimal(1) / mttr
    repairs, failures = b * downtime, a * (window - downtime)

    terms = 600

    def pmf(mean: Decimal) -> list[Decimal]:
        values = [(-mean).exp()]
        for k in range(1, terms):
            values.append(values[-1] * mean / k)
        return values

    def above(mean: Decimal) -> list[Decimal]:  # above[n] = P(Poisson(mean) > n), summed upwards
        values, running = [Decimal(0)] * terms, Decimal(0)
        for n, probability in reversed(list(enumerate(pmf(mean)))):
            values[n] = running
            running += probability
        return values

    up, down = b / (a + b), a / (a + b)
    weights, beyond = pmf(repairs), above(failures)
    return sum((weights[n] * (up * beyond[n] + down * (beyond[n - 1] if n else Decimal(1))) for n in range(terms - 100)), Decimal(0))


@pytest.mark.parametrize("downtime", [9, 30, 45, 60])
def test_far_tails_keep_their_digits(downtime):
    """Summing positive terms: a tail of 1e-11 or 1e-16 is not 1 minus a number near 1 (which would give 0 or noise)."""
    exact = tijms_decimal(2000, 1, 8760, downtime)
    assert float(exact) < 1e-1
    assert tail(Unit(2000, 1, YEAR), downtime) == pytest.approx(float(exact), rel=1e-9)


def test_moments_against_the_closed_forms():
    a, b, window = 1 / 2000, 1.0, YEAR
    unit = Unit(2000, 1, window)
    assert mean_downtime(unit) == pytest.approx(window * a / (a + b), rel=1e-14)
    takacs = 2 * a * b / (a + b) ** 3 * (window - (1 - math.exp(-(a + b) * window)) / (a + b))
    assert downtime_sd(unit) ** 2 == pytest.approx(takacs, rel=1e-12)
    assert expected_outages(unit) == pytest.approx(a / (a + b) + a * b / (a + b) * window, rel=1e-14)
    assert never_down(unit) == pytest.approx(b / (a + b) * math.exp(-a * window), rel=1e-14)


def test_a_window_that_starts_up_against_numerical_integration():
    """From up: E[D] = ∫ P(down at t) dt with P(down at t) = a/(a+b)(1 − e^{−(a+b)t}); and E[D] = ∫ P(D > d) dd."""
    from scipy.integrate import quad

    unit = Unit(300, 20, 720, "up")
    a, b = 1 / 300, 1 / 20
    direct, _ = quad(lambda t: a / (a + b) * (1 - math.exp(-(a + b) * t)), 0, 720)
    from_tail, _ = quad(lambda d: tail(unit, d), 0, 720, limit=200)
    assert mean_downtime(unit) == pytest.approx(direct, rel=1e-10)
    assert from_tail == pytest.approx(direct, rel=1e-7)
    assert 1 - tail(unit, 0) == pytest.approx(never_down(unit), rel=1e-12) and never_down(unit) == pytest.approx(math.exp(-a * 720))


@settings(max_examples=60, deadline=None)
@given(st.floats(10, 1e5), st.floats(0.01, 100), st.floats(1, 1e4), st.sampled_from(["steady", "up"]))
def test_the_tail_is_a_survival_function(mttf, mttr, window, start):
    unit = Unit(mttf, mttr, window, start)
    points = [window * fraction for fraction in (0, 0.001, 0.01, 0.1, 0.5, 0.99)]
    tails = [tail(unit, point) for point in points]
    assert all(0 <= value <= 1 for value in tails)
    assert all(earlier >= later - 1e-15 for earlier, later in zip(tails, tails[1:]))
    assert tails[0] == pytest.approx(1 - never_down(unit), abs=1e-12)


def test_credit_tiers_partition_the_bad_windows():
    tiers = parse_credits("99.9:10%, 95:100%, 99:25%")
    assert [tier.below for tier in tiers] == [Fraction(999, 1000), Fraction(99, 100), Fraction(95, 100)]
    unit = Unit(2000, 4, 720)
    outcomes, expected = credit_outcomes(tiers, 720, lambda downtime: tail(unit, downtime))
    assert sum(outcome.probability for outcome in outcomes) == pytest.approx(tail(unit, 0.72), rel=1e-12)
    assert expected == pytest.approx(sum(float(o.tier.credit) * o.probability for o in outcomes))
    assert outcomes[0].probability == pytest.approx(tail(unit, 0.72) - tail(unit, 7.2), rel=1e-12)


@pytest.mark.parametrize("text", ["99.9", "99.9:10", "99.9:0%", "99.9:101%", "99.9:10%,99.9:20%", "99.9:50%,99:10%", "x:10%"])
def test_bad_credit_tiers_are_refused(text):
    with pytest.raises(InputError):
        parse_credits(text)


def test_the_report_refuses_a_budget_as_long_as_the_window_and_bad_durations():
    with pytest.raises(InputError):
        exact_report(Unit(100, 1, 10), 10, ())
    with pytest.raises(InputError):
        Unit(0, 1, 10)
    with pytest.raises(InputError):
        Unit(100, -1, 10)


def test_the_same_availability_with_rarer_longer_repairs_breaches_more_often():
    """The README's point: A = 99.95 % both, a monthly 99.9 % SLA (43m12s): one 4 h repair breaches it alone,
    twenty 1-minute blips a month rarely add up to it."""
    rare_long, blips = Unit(7996, 4, 720), Unit(1999 / 60, 1 / 60, 720)
    assert rare_long.unavailability == pytest.approx(blips.unavailability)
    assert tail(rare_long, 0.72) == pytest.approx(0.0728188, abs=1e-6)
    assert tail(blips, 0.72) == pytest.approx(0.0026526, abs=1e-6)


def test_a_one_part_structure_is_the_single_unit():
    """The product chain of unit(2000h, 1h), solved by uniformization, gives §5.2's monthly 0.166680 like the closed form."""
    from hacalc.core.compose import parse_expression
    from hacalc.core.risk import chain_report, product_chain

    report = chain_report(product_chain(parse_expression("unit(2000h, 1h)")), "one unit", 730, 0.73, "steady", (Fraction(1, 2),))
    assert report.method == "exact" and report.breach.value == pytest.approx(0.166680, abs=5e-7)
    assert report.breach.value == pytest.approx(tail(Unit(2000, 1, 730), 0.73), abs=1e-9)


def test_a_series_of_two_units_against_its_chain_simulated():
    """Exact (uniformization) and simulated (jump chain) answers of one product chain agree within 4 standard errors."""
    from hacalc.core.compose import parse_expression
    from hacalc.core.occupation import initial_distribution
    from hacalc.core.risk import chain_report, product_chain, simulated_report
    from hacalc.core.simulation import simulate_chain

    chain = product_chain(parse_expression("series(unit(500h, 4h), parallel(unit(300h, 10h), unit(300h, 10h)))"))
    exact = chain_report(chain, "x", 720, 2.0, "steady", (Fraction(9, 10),))
    simulated = simulated_report(simulate_chain(chain, initial_distribution(chain, "steady"), 720, 200_000, 7), "x", 2.0, (Fraction(9, 10),))
    assert abs(simulated.breach.value - exact.breach.value) < 4 * simulated.breach.standard_error
    assert abs(simulated.mean.value - exact.mean.value) < 4 * simulated.mean.standard_error
    assert abs(simulated.expected_outages.value - exact.expected_outages.value) < 4 * simulated.expected_outages.standard_error


def test_a_structure_needs_mean_times_and_at_most_twelve_parts():
    from hacalc.core.compose import parse_expression
    from hacalc.core.risk import product_chain

    with pytest.raises(InputError, match="MTTF and MTTR"):
        product_chain(parse_expression("series(99.9%, unit(1000h, 1h))"))
    with pytest.raises(InputError, match="up to 12"):
        product_chain(parse_expression("kofn(2, " + ", ".join(["unit(1000h, 1h)"] * 13) + ")"))


@pytest.mark.parametrize("start", ["steady", "up"])
def test_moments_agree_with_the_chain_s_uniformization(start):
    """The closed forms (and, from up, the integral of the tail) against occupation's moment recursion on the 2-state chain."""
    from hacalc.core.markov import Chain
    from hacalc.core.occupation import downtime_distribution

    chain = Chain.build([("up", True), ("down", False)], [("up", "down", 1 / 300), ("down", "up", 1 / 20)])
    exact = downtime_distribution(chain, start, 720)
    unit = Unit(300, 20, 720, start)
    assert mean_downtime(unit) == pytest.approx(exact.mean, rel=1e-9)
    assert downtime_sd(unit) == pytest.approx(exact.sd, rel=1e-6)
    assert expected_outages(unit) == pytest.approx(exact.expected_outages, rel=1e-9)
    assert never_down(unit) == pytest.approx(exact.never_down, rel=1e-9)


def test_a_structure_simulated_part_by_part_agrees_with_its_exact_chain():
    """simulate_structure (for structures over 12 parts) against the exact product chain of a small one."""
    from hacalc.core.compose import parse_expression
    from hacalc.core.risk import chain_report, product_chain, simulated_report
    from hacalc.core.simulation import simulate_structure

    root = parse_expression("series(unit(500h, 4h), kofn(2, unit(300h, 10h), unit(300h, 10h), unit(300h, 10h)))")
    exact = chain_report(product_chain(root), "x", 720, 2.0, "steady", (Fraction(9, 10),))
    simulated = simulated_report(simulate_structure(root, 720, 200_000, 5), "x", 2.0, (Fraction(9, 10),))
    for name in ("breach", "mean", "expected_outages", "never_down"):
        value, figure = getattr(exact, name).value, getattr(simulated, name)
        assert abs(figure.value - value) < 4 * figure.standard_error, name
