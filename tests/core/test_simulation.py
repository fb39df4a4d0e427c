"""Monte Carlo downtime in a window against reliability-math.md §1.1 and §5 (exact values for exponential
times, the §5.1 insensitivity check, the §5.2 sensitivity example) and exact values derived here for
deterministic, Weibull and empirical times. Every comparison with a random answer allows 4 standard errors;
the seeds are fixed, so a pass is repeatable and a biased simulation fails."""

import math

import numpy as np
import pytest

from hacalc.core import simulation
from hacalc.core.errors import InputError
from hacalc.core.simulation import (
    FORMS,
    Distribution,
    expected_outages,
    mean_and_sd,
    parse_distribution,
    probability_above,
    probability_no_outage,
    quantile,
    simulate_window,
)

YEAR = 8760.0


def exponential(mean):
    return parse_distribution("exponential", mean)


def within(estimate, expected, reference_error=0.0):
    """Whether an estimate is within 4 of its standard errors (and a Monte Carlo reference's own) of ``expected``."""
    return abs(estimate.value - expected) <= 4 * math.hypot(estimate.standard_error, reference_error)


# --- §5.2 exact values for exponential up and down times, steady start -----------------------------------


@pytest.fixture(scope="module")
def annual_2000_1():
    return simulate_window(exponential(2000), exponential(1), YEAR, 200_000, seed=11)


def test_breach_probability_mttf_2000_mttr_1(annual_2000_1):
    # §5.2 table and T47: t0 = 8760 h, d = 8.76 h (99.9 %/yr) -> 0.085231 (Tijms Cor. 8.3.2)
    estimate = probability_above(annual_2000_1, 8.76)
    assert within(estimate, 0.085231)
    assert estimate.standard_error < 0.001 and estimate.trustworthy


def test_breach_probability_mttf_1000_mttr_4():
    # §5.2 table and T48: d = 35.04 h (99.6 %) -> 0.449010; d = 8.76 h -> 0.972763
    sim = simulate_window(exponential(1000), exponential(4), YEAR, 60_000, seed=12)
    assert within(probability_above(sim, 35.04), 0.449010)
    assert within(probability_above(sim, 8.76), 0.972763)


def test_breach_probability_monthly_window():
    # §5.2 and T50: t0 = 730 h, d = 0.73 h, MTTF 2000 h, MTTR 1 h -> 0.166680
    sim = simulate_window(exponential(2000), exponential(1), 730, 200_000, seed=13)
    assert within(probability_above(sim, 0.73), 0.166680)


@pytest.mark.parametrize(("level", "expected"), [(0.5, 3.868), (0.9, 8.384), (0.95, 9.966), (0.99, 13.293)])
def test_annual_downtime_quantiles(annual_2000_1, level, expected):
    # §5.2 and T51: annual downtime quantiles for MTTF 2000 h, MTTR 1 h (given to 0.001 h)
    estimate = quantile(annual_2000_1, level)
    assert abs(estimate.value - expected) <= 4 * estimate.standard_error + 0.0005
    assert 0 < estimate.standard_error < 0.05


def test_mean_downtime_and_outages_exponential(annual_2000_1):
    # T51: mean 4.3778 h = t0·U; outages per window t0/(MTTF+MTTR) plus the one a window opening down has
    mean, sd = mean_and_sd(annual_2000_1)
    assert within(mean, YEAR / 2001)
    # §5.2 variance ≈ 2λμt0/(λ+μ)³ (asymptotic; about 0.1 % high at 4.4 outages a year)
    assert sd == pytest.approx(math.sqrt(2 * (1 / 2000) * 1 * YEAR / (1 / 2000 + 1) ** 3), rel=0.02)
    assert within(expected_outages(annual_2000_1), YEAR / 2001 + 1 / 2001)


# --- Start states: §1.1 interval availability and the residual life ------------------------------------


def test_fresh_start_against_interval_availability():
    # §1.1: up at t = 0, Ā(T) = μ/(λ+μ) + λ/((λ+μ)²T)(1 - e^{-(λ+μ)T}); λ = μ = 0.1, T = 5 h -> Ā = 0.816060
    # so the mean downtime is T(1 - Ā) = 0.919699 h and P(no outage) = e^{-λT} = 0.606531
    sim = simulate_window(exponential(10), exponential(10), 5, 40_000, seed=21, start="up")
    interval_availability = 0.5 + 0.1 / (0.04 * 5) * (1 - math.exp(-1))
    assert within(mean_and_sd(sim)[0], 5 * (1 - interval_availability))
    assert within(probability_no_outage(sim), math.exp(-0.5))


def test_steady_start_exponential():
    # Stationary start: mean downtime T·U = 2.5 h (§5.1); no outage needs up at 0 (½) and no failure: ½e^{-λT}
    sim = simulate_window(exponential(10), exponential(10), 5, 40_000, seed=22)
    assert within(mean_and_sd(sim)[0], 2.5)
    assert within(probability_no_outage(sim), 0.5 * math.exp(-0.5))


def test_steady_start_weibull_residual():
    # Derived here: with a stationary start, P(no outage in [0, W]) = A · ∫_W^∞ S(t) dt / MTTF (§5.3 residual
    # density S(t)/MTTF). Weibull shape 2, scale η: ∫_W^∞ e^{-(t/η)²} dt = η√π/2 · erfc(W/η) = MTTF · erfc(W/η).
    up = parse_distribution("weibull:shape=2", 10)
    down = parse_distribution("deterministic", 5)
    sim = simulate_window(up, down, 8, 40_000, seed=23)
    scale = 10 / math.gamma(1.5)
    assert within(probability_no_outage(sim), 10 / 15 * math.erfc(8 / scale))


PAIRS = [
    ("lognormal:cv=2", 10.0, "weibull:shape=0.7", 5.0),
    ("weibull:shape=3", 10.0, "lognormal:sigma=1.5", 5.0),
    ("deterministic", 10.0, "lognormal:cv=0.5", 5.0),
    ("weibull:shape=0.5", 10.0, "deterministic", 5.0),
]


@pytest.mark.parametrize(("up_spec", "up_mean", "down_spec", "down_mean"), PAIRS)
def test_steady_start_mean_downtime_is_window_times_unavailability(up_spec, up_mean, down_spec, down_mean):
    # §5.1 insensitivity: a stationary alternating renewal process is down a fraction E[D]/(E[U]+E[D]) of any
    # window, whatever the shapes. A window shorter than one cycle makes the mean hinge on the residual draws.
    up, down = parse_distribution(up_spec, up_mean), parse_distribution(down_spec, down_mean)
    sim = simulate_window(up, down, 8, 40_000, seed=24)
    assert within(mean_and_sd(sim)[0], 8 * down_mean / (up_mean + down_mean))


def test_long_run_availability_weibull_lognormal():
    # §5.1 MC check and T52: Weibull(shape 2, mean 1000 h) up, lognormal(σ = 1, mean 4 h) down -> A = 1000/1004
    up, down = parse_distribution("weibull:shape=2", 1000), parse_distribution("lognormal:sigma=1", 4)
    sim = simulate_window(up, down, 100 * YEAR, 500, seed=31)
    mean = mean_and_sd(sim)[0]
    assert sim.cycles > 400_000
    assert abs((1 - mean.value / sim.window) - 1000 / 1004) <= 4 * mean.standard_error / sim.window


def test_sensitivity_example_fresh_start():
    # §5.2 sensitivity warning (MC, fresh start, 20k years): Weibull(2)/lognormal(σ = 1), MTTF 1000 h, MTTR 4 h:
    # P{D > 35.04 h} = 0.378 and P{D > 50 h} = 0.133, against 0.450 and 0.175 for exponential times
    up, down = parse_distribution("weibull:shape=2", 1000), parse_distribution("lognormal:sigma=1", 4)
    sim = simulate_window(up, down, YEAR, 40_000, seed=32, start="up")
    for budget, expected in ((35.04, 0.378), (50, 0.133)):
        assert within(probability_above(sim, budget), expected, math.sqrt(expected * (1 - expected) / 20_000))
    exponential_sim = simulate_window(exponential(1000), exponential(4), YEAR, 40_000, seed=33, start="up")
    for budget, expected in ((35.04, 0.450), (50, 0.175)):
        assert within(probability_above(exponential_sim, budget), expected, math.sqrt(expected * (1 - expected) / 20_000))


# --- Deterministic and empirical times ---------------------------------------------------------------------


def test_deterministic_fresh_start_is_exact(monkeypatch):
    # Derived here: up 10 h, down 1 h, window 100 h from new: failures at 10 + 11k (k = 0..8) -> 9 outages, 9 h.
    # A batch of 7 windows makes 50 runs cross batch boundaries; every run must be filled.
    monkeypatch.setattr(simulation, "BATCH", 7)
    sim = simulate_window(parse_distribution("deterministic", 10), parse_distribution("deterministic", 1), 100, 50, 1, "up")
    assert sim.downtime.tolist() == [9.0] * 50
    assert sim.outages.tolist() == [9] * 50
    assert sim.cycles == 50 * 10  # the 10th cycle fails at 109 h, after the window
    assert probability_above(sim, 9).value == 0.0
    assert probability_above(sim, 8.5).value == 1.0


def test_deterministic_steady_start():
    # A 100 h window on an 11 h period holds 9 whole cycles and 1 h more: 9 to 10 h down, mean 100/11 (§5.1)
    sim = simulate_window(parse_distribution("deterministic", 10), parse_distribution("deterministic", 1), 100, 20_000, 2)
    assert sim.downtime.min() >= 9 - 1e-9 and sim.downtime.max() <= 10 + 1e-9
    assert within(mean_and_sd(sim)[0], 100 / 11)


def test_empirical_values_used_as_given():
    values = (1.0, 2.0, 3.0, 10.0)
    repair = parse_distribution("empirical:repairs.csv", None, values)
    assert repair.mean == 4.0 and repair.values == values
    assert parse_distribution("empirical", 123.0, values).mean == 4.0  # the given mean is ignored
    drawn = repair.sample(np.random.default_rng(3), 40_000)
    assert set(np.unique(drawn).tolist()) == set(values)
    assert abs(drawn.mean() - 4.0) <= 4 * drawn.std() / math.sqrt(len(drawn))
    # Residual life mean E[X²]/(2E[X]) = 28.5/8
    residual = repair.sample_residual(np.random.default_rng(4), 200_000)
    assert abs(residual.mean() - 28.5 / 8) <= 4 * residual.std() / math.sqrt(len(residual))


def test_empirical_repair_steady_mean():
    # §5.1 insensitivity with an empirical repair; window 3 h < one cycle, so the residual draws matter
    repair = parse_distribution("empirical", None, (1.0, 2.0, 3.0, 10.0))
    sim = simulate_window(exponential(4), repair, 3, 40_000, seed=5)
    assert within(mean_and_sd(sim)[0], 1.5)


def test_distribution_moments_and_descriptions():
    # §5.1 conversions: lognormal m = ln(MTTR) - s²/2 (cv² = e^{s²} - 1); Weibull η = MTTF/Γ(1 + 1/β)
    lognormal = parse_distribution("lognormal:cv=1.5", 4)
    assert lognormal.sigma == pytest.approx(math.sqrt(math.log(1 + 1.5**2)))
    assert lognormal.cv == pytest.approx(1.5)
    assert lognormal.describe().startswith("lognormal, mean 4h, cv 1.5")
    weibull = parse_distribution("weibull:shape=2", 1000)
    assert weibull.cv == pytest.approx(math.sqrt(math.gamma(2) / math.gamma(1.5) ** 2 - 1))
    assert weibull.describe() == "weibull, mean 1000h, shape 2"
    rng = np.random.default_rng(6)
    for spec in ("exponential", "lognormal:cv=1.5", "weibull:shape=0.7", "weibull:shape=2", "deterministic"):
        distribution = parse_distribution(spec, 4)
        drawn = distribution.sample(rng, 200_000)
        assert abs(drawn.mean() - 4) <= 4 * max(drawn.std(), 1e-12) / math.sqrt(len(drawn)), spec
        # the residual's mean is E[X²]/(2E[X]) = mean·(1 + cv²)/2
        residual = distribution.sample_residual(rng, 200_000)
        assert abs(residual.mean() - 2 * (1 + distribution.cv**2)) <= 4 * residual.std() / math.sqrt(len(residual)), spec


# --- Estimators and their standard errors --------------------------------------------------------------------


def test_probability_standard_error_formula(annual_2000_1):
    estimate = probability_above(annual_2000_1, 8.76)
    p = estimate.count / estimate.runs
    assert estimate.value == p
    assert estimate.standard_error == pytest.approx(math.sqrt(p * (1 - p) / estimate.runs), rel=1e-12)


def test_standard_errors_match_the_spread_between_seeds():
    # 40 independent simulations of 4,000 monthly windows: the spread of their estimates is what the standard
    # errors claim (sample sd of 40 values is within ±35 % of the truth with probability > 0.99)
    up, down = exponential(2000), exponential(1)
    sims = [simulate_window(up, down, 730, 4_000, seed=100 + index) for index in range(40)]
    probabilities = [probability_above(sim, 0.73) for sim in sims]
    spread = np.std([estimate.value for estimate in probabilities], ddof=1)
    assert 0.65 < spread / np.mean([estimate.standard_error for estimate in probabilities]) < 1.35
    yearly = [simulate_window(up, down, YEAR, 4_000, seed=200 + index) for index in range(40)]
    for level in (0.5, 0.9):
        quantiles = [quantile(sim, level) for sim in yearly]
        spread = np.std([estimate.value for estimate in quantiles], ddof=1)
        assert 0.6 < spread / np.mean([estimate.standard_error for estimate in quantiles]) < 1.5, level


def test_rare_breach_is_not_trustworthy():
    # A 60 h budget for MTTF 2000 h, MTTR 1 h is breached far less than once in 10^9 years: none in 1,000 runs
    sim = simulate_window(exponential(2000), exponential(1), YEAR, 1_000, seed=7)
    rare = probability_above(sim, 60)
    assert (rare.value, rare.standard_error, rare.count, rare.trustworthy) == (0.0, 0.0, 0, False)
    assert probability_above(sim, 4).trustworthy
    assert not quantile(sim, 0.999).trustworthy and quantile(sim, 0.9).trustworthy


def test_quantile_definition():
    # The smallest x with F̂(x) ≥ q, i.e. order statistic ⌈nq⌉; half the width of ranks nq ± √(nq(1-q))
    sim = simulate_window(exponential(2000), exponential(1), YEAR, 1_000, seed=8)
    ordered = np.sort(sim.downtime)
    estimate = quantile(sim, 0.9)
    assert estimate.value == ordered[899]
    half_width = math.sqrt(1000 * 0.9 * 0.1)
    assert estimate.standard_error == pytest.approx(
        (ordered[math.ceil(900 + half_width) - 1] - ordered[math.floor(900 - half_width) - 1]) / 2
    )


def test_same_seed_same_arrays():
    up, down = parse_distribution("weibull:shape=0.7", 100), parse_distribution("lognormal:cv=1.5", 4)
    first = simulate_window(up, down, 730, 3_000, seed=42)
    again = simulate_window(up, down, 730, 3_000, seed=42)
    other = simulate_window(up, down, 730, 3_000, seed=43)
    assert np.array_equal(first.downtime, again.downtime) and np.array_equal(first.outages, again.outages)
    assert first.cycles == again.cycles and first.seed == 42
    assert not np.array_equal(first.downtime, other.downtime)
    unseeded = simulate_window(up, down, 730, 100, seed=None)
    repeated = simulate_window(up, down, 730, 100, seed=unseeded.seed)
    assert np.array_equal(unseeded.downtime, repeated.downtime)


# --- Bad input ------------------------------------------------------------------------------------------------

BAD_SPECS = [
    "gamma:k=2", "lognormal", "lognormal:cv=0", "lognormal:cv=-1", "lognormal:cv=1.5h", "lognormal:cv=1.5 x",
    "lognormal:cv=", "lognormal:cv=nan", "lognormal:cv=inf", "lognormal:cv=1.5,sigma=1", "lognormal:cv=1.5,",
    "lognormal:cv=1e9", "lognormal:mean=3", "weibull", "weibull:shape=0", "weibull:shape=0.01", "weibull:scale=2",
    "weibull:shape=0.7:", "weibull:shape=1,shape=2", "exponential:cv=1", "deterministic:", "deterministic:x=1", "",
    "empirical",
]  # fmt: skip


@pytest.mark.parametrize("spec", BAD_SPECS)
def test_bad_specs(spec):
    with pytest.raises(InputError) as caught:
        parse_distribution(spec, 4.0)
    assert f"'{spec}'" in str(caught.value) and FORMS in str(caught.value)


@pytest.mark.parametrize("mean", [0.0, -1.0, math.nan, math.inf, None])
def test_bad_means(mean):
    with pytest.raises(InputError, match="mean"):
        parse_distribution("lognormal:cv=1", mean)


@pytest.mark.parametrize("values", [(), (1.0, 0.0), (2.0, -1.0), (1.0, math.nan)])
def test_bad_empirical_values(values):
    with pytest.raises(InputError):
        parse_distribution("empirical:repairs.csv", None, values)


def test_bad_simulation_arguments():
    up, down = exponential(100), exponential(1)
    for window, runs, start in ((0, 10, "up"), (-5, 10, "up"), (math.inf, 10, "up"), (10, 0, "up"), (10, 2.5, "up"), (10, 10, "down")):
        with pytest.raises(InputError):
            simulate_window(up, down, window, runs, 1, start)
    sim = simulate_window(up, down, 10, 10, 1)
    for budget in (-1, 11, math.nan):
        with pytest.raises(InputError, match="budget"):
            probability_above(sim, budget)
    for level in (0, 1, 1.5):
        with pytest.raises(InputError, match="quantile"):
            quantile(sim, level)


def test_accepted_forms():
    assert parse_distribution(" Lognormal : sigma = 1 ", 4) == Distribution("lognormal", 4.0, sigma=1.0)
    assert parse_distribution("weibull:shape=.7", 4).shape == 0.7
    assert parse_distribution("exponential", 4) == Distribution("exponential", 4.0)
