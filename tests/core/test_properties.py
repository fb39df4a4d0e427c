"""Invariants that must hold for every input, checked with hypothesis."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from hacalc.core import availability as core
from hacalc.core.compose import parse_expression, unavailability
from hacalc.core.periods import Conventions
from hacalc.core.units import format_duration, parse_availability, parse_duration

positive_seconds = st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(10**9))
part_availability = st.decimals(min_value="0", max_value="1", places=6)
year_days = st.sampled_from([Fraction(365), Fraction("365.25"), Fraction("365.2425")])


@given(positive_seconds, st.fractions(min_value=0, max_value=Fraction(10**9)))
def test_availability_is_a_probability(mttf, mttr):
    result = core.from_mttf_mttr(mttf, mttr)
    assert 0 <= result.availability <= 1
    assert result.availability + result.unavailability == 1


@settings(max_examples=60)
@given(st.lists(part_availability, min_size=1, max_size=6))
def test_series_is_no_better_than_its_weakest_part(parts):
    system = 1 - unavailability(parse_expression(f"series({', '.join(map(str, parts))})"))
    assert system <= min(Fraction(part) for part in parts)


@settings(max_examples=60)
@given(st.lists(part_availability, min_size=1, max_size=6))
def test_parallel_is_no_worse_than_its_best_part(parts):
    system = 1 - unavailability(parse_expression(f"parallel({', '.join(map(str, parts))})"))
    assert system >= max(Fraction(part) for part in parts)


@settings(max_examples=40)
@given(st.lists(part_availability, min_size=2, max_size=6), st.data())
def test_needing_more_parts_never_helps(parts, data):
    needed = data.draw(st.integers(min_value=1, max_value=len(parts) - 1))
    listed = ", ".join(map(str, parts))
    fewer = 1 - unavailability(parse_expression(f"kofn({needed}, {listed})"))
    more = 1 - unavailability(parse_expression(f"kofn({needed + 1}, {listed})"))
    assert more <= fewer


@given(st.integers(min_value=60, max_value=10**9))
def test_displayed_whole_second_durations_read_back_exactly(seconds):
    assert parse_duration(format_duration(Fraction(seconds))) == seconds


@given(st.fractions(min_value=0, max_value=1), year_days)
def test_downtime_and_availability_convert_both_ways(unavailability_value, days):
    conventions = Conventions(year_days=days)
    downtime = core.from_unavailability(unavailability_value).downtime_seconds(conventions)["year"]
    assert core.from_observed(downtime, conventions.year_seconds).unavailability == unavailability_value


@given(st.decimals(min_value="0", max_value="100", places=4))
def test_percent_and_fraction_spellings_agree(percent):
    assert parse_availability(f"{percent}%") == Fraction(percent) / 100


@given(st.fractions(min_value=0, max_value=Fraction(10**12)) | st.integers(min_value=0, max_value=800).map(lambda power: Fraction(1, 10**power)))
def test_every_non_negative_duration_can_be_shown(seconds):
    assert format_duration(seconds).endswith("s")
