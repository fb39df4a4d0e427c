"""Observed-record statistics. Expected values: reliability-math.md §4.1, §4.2 and §9 T38–T46, each checked
again independently (closed-form χ²₂ and F(2,2) quantiles, NIST's χ² table, scipy computed here)."""

import math
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2, f

from hacalc.core import observed
from hacalc.core.errors import InputError

HOUR = 3600
DAY = 86400


def availabilities(pair):
    return tuple(float(bound.availability) for bound in pair)


# --- §4.1 MTBF, χ² method ---------------------------------------------------------------------------------


def test_nist_example_800h_2_failures_90_percent():
    # reliability-math.md §4.1 example and T38: T = 800 h, r = 2 -> MTBF 400 h, 90 % (127.068968, 2251.228611) h
    bounds = observed.mtbf_bounds(800, 2, Fraction(9, 10))
    assert bounds.lower == pytest.approx(127.068968, rel=1e-6)
    assert bounds.upper == pytest.approx(2251.228611, rel=1e-6)
    # Independent: NIST e-Handbook §1.3.6.7.4 table, χ²_{0.95}(6) = 12.592 and χ²_{0.05}(4) = 0.711
    assert bounds.lower == pytest.approx(1600 / 12.592, rel=1e-3)
    assert bounds.upper == pytest.approx(1600 / 0.711, rel=1e-3)


def test_nist_example_one_sided_and_failure_terminated():
    # T39: one-sided 90 % lower 150.310381 h; failure-terminated two-sided lower 168.638880 h
    assert observed.mtbf_lower_bound(800, 2, 0.9, one_sided=True) == pytest.approx(150.310381, rel=1e-6)
    failure_terminated = observed.mtbf_lower_bound(800, 2, 0.9, one_sided=False, time_terminated=False)
    assert failure_terminated == pytest.approx(168.638880, rel=1e-6)
    # Independent: scipy here, 2T/χ²_{0.9,6} and 2T/χ²_{0.95,4}
    assert observed.mtbf_lower_bound(800, 2, 0.9) == pytest.approx(1600 / chi2.ppf(0.9, 6), rel=1e-12)
    assert failure_terminated == pytest.approx(1600 / chi2.ppf(0.95, 4), rel=1e-12)


@pytest.mark.parametrize(
    ("failures", "lower_factor", "upper_factor"),
    [(1, 0.2108, 19.496), (2, 0.3177, 5.6281), (3, 0.3869, 3.6689), (4, 0.4370, 2.9276), (5, 0.4756, 2.5379)],
)
def test_nist_factor_table_at_90_percent(failures, lower_factor, upper_factor):
    # §4.1: factors 2r/χ²_{1-α/2,2r+2} and 2r/χ²_{α/2,2r} multiply MTBF = T/r; with T = r the bounds are the factors
    bounds = observed.mtbf_bounds(failures, failures, 0.9)
    assert bounds.lower == pytest.approx(lower_factor, abs=5e-5)
    assert bounds.upper == pytest.approx(upper_factor, rel=5e-5)


def test_t38_factors_for_two_failures():
    # T38: factors 0.317672 and 5.628072, printed to 6 decimals (half a unit in the last place: 5e-7)
    bounds = observed.mtbf_bounds(2, 2, 0.9)
    assert bounds.lower == pytest.approx(0.317672, abs=5e-7)
    assert bounds.upper == pytest.approx(5.628072, abs=5e-7)


@pytest.mark.parametrize(
    ("hours", "confidence", "expected"),
    [(1000, Fraction(9, 10), 434.294482), (1000, Fraction(95, 100), 333.808201), (367, Fraction(8, 10), 228.029921)],
)
def test_zero_failures_gives_only_a_one_sided_lower_bound(hours, confidence, expected):
    # T40; independent: χ²₂'s quantile is -2 ln(1-p), so 2T/χ²_{1-α,2} = T/(-ln α) (§4.1 "Zero failures")
    bounds = observed.mtbf_bounds(hours, 0, confidence)
    assert bounds.lower == pytest.approx(expected, rel=1e-6)
    assert bounds.lower == pytest.approx(hours / -math.log(1 - float(confidence)), rel=1e-12)
    assert bounds.upper is None


def test_reliability_test_planner_published_values():
    # T41, T42 [published, reliability package docs]: two-sided 80 % with 7 failures in 19520; one-sided 80 %, 6 in 10000
    assert observed.mtbf_lower_bound(19520, 7, 0.8, one_sided=False) == pytest.approx(1658.3248534993454, rel=1e-6)
    assert observed.mtbf_lower_bound(10000, 6, 0.8) == pytest.approx(1101.8815940201118, rel=1e-6)


def test_exp_mean_ci_and_demonstrated_confidence():
    # T43: exp_mean_ci(r=7, duration=920, alpha=0.2) -> (78.158753, 236.214399); exp_rel_conf(250, 500, 0) = 1 - e^-2
    bounds = observed.mtbf_bounds(920, 7, 0.8)
    assert bounds.lower == pytest.approx(78.158753, rel=1e-6)
    assert bounds.upper == pytest.approx(236.214399, rel=1e-6)
    assert observed.mtbf_demonstrated_confidence(250, 500, 0) == pytest.approx(0.864665, abs=1e-6)
    assert observed.mtbf_demonstrated_confidence(250, 500, 0) == pytest.approx(1 - math.exp(-2), rel=1e-12)


def test_demonstrated_confidence_inverts_the_one_sided_lower_bound():
    # By definition: the MTBF demonstrated at confidence c is the one-sided lower bound at c
    lower = observed.mtbf_lower_bound(800, 2, 0.9)
    assert observed.mtbf_demonstrated_confidence(lower, 800, 2) == pytest.approx(0.9, rel=1e-9)


# --- §4.2 availability, F distribution -------------------------------------------------------------------


def test_trivedi_example_10_27():
    # T44 [published (0.9624, 1) and (0.9975, 0.9996)]; recomputed (0.96243, 0.999974), (0.99754, 0.999594)
    one = availabilities(observed.availability_bounds(999, 1, 1, Fraction(95, 100)))
    ten = availabilities(observed.availability_bounds(9990, 10, 10, Fraction(95, 100)))
    assert one == pytest.approx((0.96243, 0.999974), abs=5e-5)
    assert ten == pytest.approx((0.99754, 0.999594), abs=5e-5)
    assert one == pytest.approx((0.9624, 1), abs=5e-5)
    assert ten == pytest.approx((0.9975, 0.9996), abs=5e-5)
    # Independent: F(2,2) has CDF x/(1+x), so f_{0.975} = 39 and f_{0.025} = 1/39: A ∈ [999/1038, 38961/38962]
    assert one == pytest.approx((999 / 1038, 38961 / 38962), rel=1e-12)


def test_trivedi_one_sided_lower():
    # T45: one-sided 95 % lower availability 0.98134 (n=1), 0.99788 (n=10)
    one = availabilities(observed.availability_bounds(999, 1, 1, 0.95, one_sided=True))
    ten = availabilities(observed.availability_bounds(9990, 10, 10, 0.95, one_sided=True))
    assert one == pytest.approx((0.98134, 1), abs=5e-5)
    assert ten == pytest.approx((0.99788, 1), abs=5e-5)
    # Independent: f_{0.95}(2,2) = 19 -> 999/1018; scipy here for n = 10
    assert one[0] == pytest.approx(999 / 1018, rel=1e-12)
    assert ten[0] == pytest.approx(1 / (1 + f.ppf(0.95, 20, 20) / 999), rel=1e-12)


def test_keesee_example():
    # §4.2 and T46: n=14, m=20, upt=200, dnt=100, α=0.2 -> (0.633752, 0.807517)
    bounds = availabilities(observed.availability_bounds_keesee(200, 100, 14, 20, 0.8))
    assert bounds == pytest.approx((0.633752, 0.807517), abs=1e-6)
    # Independent: mcotear's formula with scipy here; (MTTR/MTBF)·k = (100/20)/(200/14)·15/14
    ratio = (100 / 20) / (200 / 14) * 15 / 14
    assert bounds[0] == pytest.approx(1 / (1 + ratio * f.ppf(0.9, 30, 40)), rel=1e-12)


def test_availability_has_no_bounds_without_a_repair():
    assert observed.availability_bounds(1000, 0, 0) is None
    assert observed.availability_bounds_keesee(1000, 0, 0, 0) is None
    assert observed.availability_bounds_keesee(1000, 5, 1, 0) is None


def test_high_availability_keeps_its_digits():
    # 1 s down in 10^12 s: 1 - A in floating point would lose most digits of U ≈ f·10^-12
    lower, _ = observed.availability_bounds(10**12, 1, 1, 0.9)
    assert float(lower.unavailability) == pytest.approx(19e-12 / (1 + 19e-12), rel=1e-12)


# --- MTTR ------------------------------------------------------------------------------------------------


def test_mttr_bounds_for_exponential_repairs():
    # 2Y/MTTR ~ χ²_{2m}: m = 3 repairs, 9 h in all, 90 % -> [18 h/χ²_{0.95,6}, 18 h/χ²_{0.05,6}]; NIST table 12.592, 1.635
    bounds = observed.mttr_bounds(9 * HOUR, 3, 0.9)
    assert bounds.lower == pytest.approx(18 * HOUR / chi2.ppf(0.95, 6), rel=1e-12)
    assert bounds.lower == pytest.approx(18 * HOUR / 12.592, rel=1e-3)
    assert bounds.upper == pytest.approx(18 * HOUR / 1.635, rel=1e-3)
    assert observed.mttr_bounds(0, 0) == observed.Bounds(None, None)


# --- the whole estimate ----------------------------------------------------------------------------------


def test_one_incident_in_30_days_is_a_finite_mttr_and_a_wide_interval():
    # Issue 10 §3. By hand (χ²₂ and F(2,2) closed forms, 90 %): MTTR 1 h in [1 h/ln 20, 1 h/-ln 0.95],
    # A = 719/720 in [1/(1+19/719), 1/(1+1/(19·719))] = [719/738, 13661/13662]
    result = observed.estimate(30 * DAY - HOUR, HOUR, 1)
    assert result.mttr == HOUR
    assert result.mtbf == 30 * DAY - HOUR
    assert result.availability.availability == Fraction(719, 720)
    assert result.mttr_bounds.lower == pytest.approx(HOUR / math.log(20), rel=1e-12)
    assert result.mttr_bounds.upper == pytest.approx(HOUR / -math.log(0.95), rel=1e-12)
    assert availabilities(result.availability_bounds) == pytest.approx((719 / 738, 13661 / 13662), rel=1e-12)
    assert result.demonstrated_nines == pytest.approx(math.log10(738 / 19), rel=1e-12)
    assert result.mtbf_bounds.upper > 10 * result.mtbf_bounds.lower


def test_no_failures_is_blank_not_a_division_error():
    result = observed.estimate(90 * DAY, 0, 0)
    assert result.mtbf is None and result.mttr is None
    assert result.availability.unavailability == 0
    assert result.mtbf_bounds.lower == pytest.approx(90 * DAY / math.log(10), rel=1e-12)
    assert result.mtbf_bounds.upper is None
    assert result.availability_bounds is None and result.demonstrated_nines is None
    report = result.as_dict()
    assert report["mtbf_seconds"] is None and report["availability_bounds"] is None
    assert report["mtbf_bounds"] == {"lower": pytest.approx(7_776_000 / math.log(10), rel=1e-12), "upper": None}


def test_as_dict_keys_and_values():
    report = observed.estimate(Fraction(800 * HOUR), Fraction(4 * HOUR), 2).as_dict()
    assert report["failures"] == 2
    assert report["mtbf_seconds"] == 400 * HOUR
    assert report["mttr_seconds"] == 2 * HOUR
    assert report["unavailability"] == Fraction(4, 804)
    assert report["mtbf_bounds"]["lower"] == pytest.approx(127.068968 * HOUR, rel=1e-6)  # T38 in seconds
    assert report["confidence"] == Fraction(9, 10)


def test_float_inputs_are_accepted():
    assert observed.estimate(800.0, 4.0, 2).mtbf == 400


@pytest.mark.parametrize("confidence", [0, 1, Fraction(3, 2), -0.1])
def test_confidence_outside_0_1_is_bad_input(confidence):
    with pytest.raises(InputError, match="confidence"):
        observed.estimate(1000, 1, 1, confidence)


def test_negative_and_empty_records_are_bad_input():
    with pytest.raises(InputError, match="operating time"):
        observed.estimate(0, 0, 0)
    with pytest.raises(InputError, match="downtime"):
        observed.estimate(10, -1, 1)
    with pytest.raises(InputError, match="failures"):
        observed.mtbf_bounds(10, -1)


def test_scipy_is_not_imported_with_the_module():
    code = "import sys, hacalc.core.observed; print('scipy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- merge_intervals -------------------------------------------------------------------------------------


def test_overlapping_incidents_count_once():
    merged = observed.merge_intervals([(30, 40), (5, 20), (0, 10), (40, 45), (50, 50)])
    assert merged == [(0, 20), (30, 45), (50, 50)]
    assert observed.total_length(merged) == 35


def test_merge_keeps_fractional_times_exact():
    merged = observed.merge_intervals([(Fraction(1, 3), Fraction(2, 3)), (Fraction(1, 2), Fraction(1))])
    assert merged == [(Fraction(1, 3), Fraction(1))]


def test_interval_ending_before_it_starts_is_bad_input():
    with pytest.raises(InputError, match="ends"):
        observed.merge_intervals([(10, 5)])


interval_lists = st.lists(
    st.tuples(st.integers(0, 200), st.integers(0, 40)).map(lambda pair: (pair[0], pair[0] + pair[1])), max_size=30
)


def covered_cells(intervals):
    return {cell for start, end in intervals for cell in range(start, end)}


@given(interval_lists, st.randoms(use_true_random=False))
def test_merge_properties(intervals, random):
    merged = observed.merge_intervals(intervals)
    shuffled = list(intervals)
    random.shuffle(shuffled)
    assert observed.merge_intervals(merged) == merged
    assert observed.merge_intervals(shuffled) == merged
    assert observed.total_length(merged) <= observed.total_length(intervals)
    assert covered_cells(merged) == covered_cells(intervals)  # same time covered, each unit once
    assert observed.total_length(merged) == len(covered_cells(intervals))
    assert all(end < next_start for (_, end), (next_start, _) in zip(merged, merged[1:]))


# --- bound properties ------------------------------------------------------------------------------------

confidences = st.fractions(Fraction(1, 2), Fraction(999, 1000)).filter(lambda c: Fraction(1, 2) <= c < 1)
records = st.tuples(st.integers(1, 10**9), st.integers(1, 10**7), st.integers(1, 60))


@settings(max_examples=60)
@given(records, confidences)
def test_point_estimates_lie_within_their_bounds(record, confidence):
    uptime, downtime, failures = record
    result = observed.estimate(uptime, downtime, failures, confidence)
    assert result.mtbf_bounds.lower <= result.mtbf <= result.mtbf_bounds.upper
    assert result.mttr_bounds.lower <= result.mttr <= result.mttr_bounds.upper
    lower, upper = result.availability_bounds
    point = result.availability.unavailability
    assert lower.unavailability >= point * Fraction(1 - 1e-12)  # the lower availability bound has the larger U
    assert point >= upper.unavailability * Fraction(1 - 1e-12)


@settings(max_examples=60)
@given(records, confidences, confidences)
def test_bounds_widen_as_confidence_rises(record, first, second):
    low, high = sorted((first, second))
    narrow, wide = observed.estimate(*record, low), observed.estimate(*record, high)
    for narrow_bounds, wide_bounds in ((narrow.mtbf_bounds, wide.mtbf_bounds), (narrow.mttr_bounds, wide.mttr_bounds)):
        assert wide_bounds.lower <= narrow_bounds.lower * (1 + 1e-12)
        assert wide_bounds.upper >= narrow_bounds.upper * (1 - 1e-12)
    assert wide.availability_bounds[0].unavailability >= narrow.availability_bounds[0].unavailability * (1 - 1e-12)
    assert wide.availability_bounds[1].unavailability <= narrow.availability_bounds[1].unavailability * (1 + 1e-12)


@given(st.integers(1, 10**9), st.integers(0, 50), confidences)
def test_mtbf_lower_bound_exists_for_every_failure_count(uptime, failures, confidence):
    bounds = observed.mtbf_bounds(uptime, failures, confidence)
    assert 0 < bounds.lower < math.inf
    assert (bounds.upper is None) == (failures == 0)
