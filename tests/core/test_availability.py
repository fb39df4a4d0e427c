"""Single-unit availability. Expected values: the seed handbook and reliability-math.md §7, §9 (T1–T3, T8–T16)."""

from fractions import Fraction

import pytest

from hacalc.core import availability as core
from hacalc.core.errors import InputError
from hacalc.core.periods import Conventions

HOUR = 3600
YEAR_365 = Conventions()


def test_seed_50000h_mttf_15m_mttr_is_five_nines_class():
    # Seed handbook: MTTF 50 000 h, MTTR 15 min -> 99.9995 %, "fifth class"; reference T1.
    result = core.from_mttf_mttr(Fraction(50_000 * HOUR), Fraction(15 * 60))
    assert result.availability == Fraction(200000, 200001)
    assert float(result.availability) == pytest.approx(0.999995000025, rel=1e-12)
    assert result.nines == pytest.approx(5.30103, abs=1e-5)
    assert result.nines_class.nines == 5
    assert result.nines_class.typical == "PSTN and business-critical"
    assert float(result.downtime_seconds(YEAR_365)["year"]) == pytest.approx(157.679, abs=0.01)


def test_mtbf_definitions_differ_by_mttr():
    # reliability-math.md §1.2 and T2: MTBF 1000 h, MTTR 10 h -> 0.99 (cycle) vs 0.990099 (operating)
    mtbf, mttr = Fraction(1000 * HOUR), Fraction(10 * HOUR)
    cycle = core.from_mttf_mttr(core.mttf_from_mtbf(mtbf, mttr, core.MtbfDefinition.cycle), mttr)
    operating = core.from_mttf_mttr(core.mttf_from_mtbf(mtbf, mttr, core.MtbfDefinition.operating), mttr)
    assert cycle.availability == Fraction(99, 100)
    assert float(operating.availability) == pytest.approx(0.990099010, rel=1e-9)


def test_cycle_mtbf_must_exceed_mttr():
    with pytest.raises(InputError, match="MTBF must exceed MTTR"):
        core.mttf_from_mtbf(Fraction(10), Fraction(10), core.MtbfDefinition.cycle)


def test_one_day_down_in_365_is_99_73_percent():
    # Seed handbook: one day in 365 days -> 364/365 = 99.73 %; reference T15 (and 366 d -> 0.99726776).
    assert core.from_observed(Fraction(1), Fraction(365)).availability == Fraction(364, 365)
    assert float(core.from_observed(Fraction(1), Fraction(366)).availability) == pytest.approx(0.99726776, abs=1e-8)


def test_rates_give_the_same_answer_as_means():
    # λ = 1e-3/h, μ = 0.1/h -> A = 0.9900990099 (reliability-math.md §1.1)
    result = core.from_rates(Fraction(1, 1000), Fraction(1, 10))
    assert float(result.availability) == pytest.approx(0.9900990099, rel=1e-10)


@pytest.mark.parametrize(
    ("unavailability", "year_days", "year_seconds"),
    [
        (Fraction(1, 100), Fraction(365), Fraction(315360)),  # T8
        (Fraction(1, 100), Fraction("365.25"), Fraction(315576)),
        (Fraction(1, 100), Fraction("365.2425"), Fraction("315569.52")),
        (Fraction(1, 10**6), Fraction(365), Fraction("31.536")),  # T12: the seed's "32.56 s" is a typo
        (Fraction(1, 10**6), Fraction("365.25"), Fraction("31.5576")),
    ],
)
def test_downtime_per_year_is_exact(unavailability, year_days, year_seconds):
    downtime = core.from_unavailability(unavailability).downtime_seconds(Conventions(year_days=year_days))
    assert downtime["year"] == year_seconds


def test_month_and_quarter_conventions():
    # T9, T11, T16: 99.9 % -> year/12 month 2628 s, 30-day month 2592 s; 99.999 % quarter90 77.76 s; 28 d 2419.2 s
    three_nines = core.from_unavailability(Fraction(1, 1000))
    assert three_nines.downtime_seconds(Conventions())["month"] == 2628
    assert three_nines.downtime_seconds(Conventions(explicit_month_seconds=Fraction(30 * 86400)))["month"] == 2592
    assert three_nines.downtime_seconds(Conventions(explicit_month_seconds=Fraction(28 * 86400)))["month"] == Fraction("2419.2")
    five_nines = core.from_unavailability(Fraction(1, 10**5))
    assert five_nines.downtime_seconds(Conventions(explicit_quarter_seconds=Fraction(90 * 86400)))["quarter"] == Fraction("77.76")


@pytest.mark.parametrize(
    ("availability", "whole", "typical"),
    [
        (Fraction("0.999"), 3, "most IT"),  # exactly three nines, never 2.9999
        (Fraction("0.9995"), 3, "most IT"),
        (Fraction("0.99"), 2, "office equipment"),
        (Fraction("0.9"), 1, None),
        (Fraction("0.9999999"), 7, "carrier-grade core and edge"),
    ],
)
def test_nines_classes_follow_the_seed_table(availability, whole, typical):
    nines_class = core.from_availability(availability).nines_class
    assert (nines_class.nines, nines_class.typical) == (whole, typical)


def test_failures_per_year():
    # One failure per MTTF + MTTR cycle: 8760 h / 1010 h
    assert core.failures_per_year(Fraction(1000 * HOUR), Fraction(10 * HOUR), YEAR_365) == Fraction(8760, 1010)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: core.from_mttf_mttr(Fraction(0), Fraction(1)), "--mttf must be greater than zero"),
        (lambda: core.from_mttf_mttr(Fraction(1), Fraction(-1)), "--mttr must not be negative"),
        (lambda: core.from_observed(Fraction(2), Fraction(1)), "longer than the period"),
        (lambda: core.from_rates(Fraction(0), Fraction(1)), "--failure-rate"),
    ],
)
def test_impossible_inputs_are_refused(call, message):
    with pytest.raises(InputError, match=message):
        call()
