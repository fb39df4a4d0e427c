"""Duration and percentage parsing and display. Expected values: reliability-math.md §1.4 and §9 (T8–T14)."""

from fractions import Fraction

import pytest

from hacalc.core.errors import InputError
from hacalc.core.periods import Conventions
from hacalc.core.units import (
    format_duration,
    format_nines,
    format_percent,
    nines,
    parse_availability,
    parse_duration,
    parse_number,
    parse_rate,
    small_percentage_note,
    whole_nines,
)

JULIAN = Conventions(year_days=Fraction("365.25"))
GREGORIAN = Conventions(year_days=Fraction("365.2425"))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("15m", 900),
        ("2h30m", 9000),
        ("2h 30m", 9000),
        ("1.5h", 5400),
        ("50000h", 180_000_000),
        ("30d", 2_592_000),
        ("1w", 604_800),
        ("4w", 2_419_200),
        ("1y", 31_536_000),
        ("1mo", 2_628_000),
        ("100ms", Fraction(1, 10)),
        ("90 seconds", 90),
        ("43m12s", 2592),
        ("PT15M", 900),
        ("PT2H30M", 9000),
        ("P30D", 2_592_000),
        ("P1Y", 31_536_000),
        ("P1M", 2_628_000),
        ("P1DT12H", 129_600),
        ("5e4h", 180_000_000),
    ],
)
def test_durations_read_exactly(text, seconds):
    assert parse_duration(text) == seconds


def test_calendar_units_follow_the_year_convention():
    assert parse_duration("1y", conventions=GREGORIAN) == Fraction("31556952")
    assert parse_duration("1mo", conventions=JULIAN) == Fraction(2_629_800)


def test_bare_number_takes_the_documented_default_unit():
    assert parse_duration("50000", default_unit="h") == 180_000_000
    with pytest.raises(InputError, match="has no unit"):
        parse_duration("50000")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1M", "ambiguous unit 'M'"),
        ("-5m", "negative"),
        ("abc", "cannot read duration"),
        ("nan", "cannot read duration"),
        ("inf", "cannot read duration"),
        ("5parsecs", "unknown unit"),
        ("", "empty"),
        ("PT", "ISO-8601"),
        ("5m garbage", "cannot read duration"),
    ],
)
def test_bad_durations_are_refused(text, message):
    with pytest.raises(InputError, match=message):
        parse_duration(text)


def test_zero_refused_where_impossible():
    with pytest.raises(InputError, match="is zero"):
        parse_duration("0h", allow_zero=False)


@pytest.mark.parametrize(
    ("text", "availability"),
    [
        ("99.99%", Fraction(9999, 10000)),
        ("99.99", Fraction(9999, 10000)),
        ("0.9999", Fraction(9999, 10000)),
        ("4 nines", Fraction(9999, 10000)),
        ("1", Fraction(1)),
        ("100%", Fraction(1)),
    ],
)
def test_availabilities_read_exactly(text, availability):
    assert parse_availability(text) == availability


@pytest.mark.parametrize("text", ["101", "-1%", "abc", "nan", "inf%", "99.9.9"])
def test_bad_availabilities_are_refused(text):
    with pytest.raises(InputError):
        parse_availability(text)


def test_number_refuses_non_finite_spellings():
    assert parse_number("1e-3") == Fraction(1, 1000)
    for text in ("nan", "inf", "-inf", "1/3", ""):
        with pytest.raises(InputError):
            parse_number(text)


def test_rates_are_per_second():
    assert parse_rate("1e-3") * 3600 == Fraction(1, 1000)
    assert parse_rate("2/y") * 31_536_000 == 2
    assert parse_rate("0.5 per day") * 86400 == Fraction(1, 2)


def test_nines_from_unavailability_keeps_digits():
    # reliability-math.md §9 T3
    assert nines(Fraction(5, 10000)) == pytest.approx(3.3010300, abs=1e-7)
    assert nines(Fraction(1, 100000)) == pytest.approx(5.0, abs=1e-9)
    # T37: U = 1e-15-level values must not collapse to 0 or inf
    assert nines(Fraction(9999999, 10**21)) == pytest.approx(14.0000000434, abs=1e-9)


@pytest.mark.parametrize(
    ("seconds", "rounding", "text"),
    [
        (Fraction(315360), "nearest", "3d 15h 36m 0s"),  # T8, 99 % of 365 d
        (Fraction("315569.52"), "nearest", "3d 15h 39m 30s"),  # T8, 365.2425 d
        (Fraction("315569.52"), "floor", "3d 15h 39m 29s"),
        (Fraction(26280), "nearest", "7h 18m 0s"),  # T13: never "7h 17m 60s"
        (Fraction("604.8"), "nearest", "10m 5s"),  # T9
        (Fraction("604.8"), "floor", "10m 4s"),
        (Fraction("3153.6"), "nearest", "52m 34s"),  # T10
        (Fraction("3153.6"), "floor", "52m 33s"),
        (Fraction("3155.76"), "nearest", "52m 36s"),
        (Fraction("315.36"), "nearest", "5m 15s"),  # T11
        (Fraction("77.76"), "floor", "1m 17s"),
        (Fraction("31.536"), "nearest", "31.536s"),  # T12
        (Fraction("0.0864"), "nearest", "0.0864s"),
        (Fraction(0), "nearest", "0s"),
    ],
)
def test_durations_display_with_explicit_rounding(seconds, rounding, text):
    assert format_duration(seconds, rounding) == text


def test_trimmed_durations_echo_inputs_compactly():
    assert format_duration(Fraction(2_592_000), trim=True) == "30d"
    assert format_duration(Fraction(9000), trim=True) == "2h 30m"


def test_uptime_is_published_page_for_two_nines():
    # reliability-math.md T14: uptime.is (365.2425 d, month = year/12, quarter = year/4), 99 %
    unavailability = Fraction(1, 100)
    shown = {name: format_duration(unavailability * length) for name, length in GREGORIAN.period_seconds().items()}
    assert shown == {
        "day": "14m 24s",
        "week": "1h 40m 48s",
        "month": "7h 18m 17s",
        "quarter": "21h 54m 52s",
        "year": "3d 15h 39m 30s",
    }


@pytest.mark.parametrize(
    ("availability", "text"),
    [
        (Fraction("0.999995000025"), "99.9995%"),
        (Fraction(364, 365), "99.726%"),
        (Fraction("0.999"), "99.9%"),
        (Fraction(1), "100%"),
    ],
)
def test_percent_display_keeps_the_unavailability_visible(availability, text):
    assert format_percent(availability) == text


def test_durations_far_below_a_nanosecond_show_as_zero():
    assert format_duration(Fraction(1, 10**12)) == "0s"
    assert format_duration(Fraction(1, 10**400)) == "0s"  # past float range: must not raise


def test_absurdly_long_numbers_are_refused():
    # Python itself refuses int() of more than 4300 digits; we refuse long before that, with a message.
    with pytest.raises(InputError, match="too long"):
        parse_duration("0." + "0" * 5000 + "1h")
    with pytest.raises(InputError, match="too long"):
        parse_availability("9" * 5000)


def test_located_errors_keep_their_type_and_fields():
    from hacalc.core.vsphere.model import FieldError

    error = FieldError("bad value", ("cluster", "options", "das.x"), "fix it").located("FILE")
    assert isinstance(error, FieldError)
    assert error.path == ("cluster", "options", "das.x")
    assert str(error) == "bad value, FILE: cluster.options.das.x, fix it"


@pytest.mark.parametrize(
    "text",
    ["1e999999999", "1e-9999999", "9" * 150 + "e200", "0." + "0" * 150 + "1e-200", "1e309", "1e-309"],
)
def test_exponents_beyond_float_range_are_refused_before_the_number_is_built(text):
    # issue 8 §1.1: Fraction("1e-9999999") builds a ten-million-digit integer (12 s); the range is decided from
    # the digits and the exponent alone. 1e309 is past the largest float (1.8e308), 1e-309 below 1e-308.
    with pytest.raises(InputError, match="too (large|small)"):
        parse_number(text)
    with pytest.raises(InputError, match="too (large|small)"):
        parse_duration(text + "h")
    with pytest.raises(InputError, match="too (large|small)"):
        parse_duration(text, default_unit="h")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1e308", Fraction(10) ** 308),
        ("1e-308", Fraction(1, 10**308)),
        ("0.001e-305", Fraction(1, 10**308)),
        ("12345e304", Fraction(12345) * 10**304),  # 1.2345e308, below the largest float
        ("0e999999999", Fraction(0)),  # zero has no magnitude, whatever the exponent
        ("000.000", Fraction(0)),
    ],
)
def test_numbers_at_the_edges_of_float_range_are_read_exactly(text, value):
    assert parse_number(text) == value


def test_negative_nines_are_refused():
    # issue 8 §1.2: '-1 nines' used to be availability -9 (parallel() then said 90 %), '-400.5 nines' overflowed
    for text in ("-1 nines", "-2 nines", "-400.5 nines"):
        with pytest.raises(InputError, match="negative number of nines"):
            parse_availability(text)
    assert parse_availability("0 nines") == 0


@pytest.mark.parametrize("text", ["1/", "1 per ", "1/ ", "/h"])
def test_rates_without_a_unit_after_the_slash_are_refused(text):
    # issue 8 §1.16: '1/' was read as 1 per hour
    with pytest.raises(InputError, match="cannot read rate"):
        parse_rate(text)


@pytest.mark.parametrize("text", ["1e308/ms", "1e-308/y", "1e301/s", "1e-301/s"])
def test_rates_beyond_1e300_per_second_either_way_are_refused(text):
    # issue 8 §1.9: 1e308/ms (1e311 per second) overflowed the table; within 1e±300 per second a rate per hour
    # or per year still fits a float
    with pytest.raises(InputError, match="out of range"):
        parse_rate(text)
    assert parse_rate("1e300/s", default_unit="s") == 10**300


def test_a_quarter_is_a_unit_that_follows_the_conventions():
    # issue 8 §3: quarters appear in every table, so they can be typed: year/4 unless --quarter says otherwise
    assert parse_duration("1q") == 31_536_000 / 4
    assert parse_duration("2 quarters", conventions=JULIAN) == Fraction(31_557_600, 2)
    assert parse_duration("1q", conventions=Conventions(explicit_quarter_seconds=Fraction(90 * 86400))) == 90 * 86400


@pytest.mark.parametrize(
    ("unavailability", "percent", "shown_nines"),
    [
        # issue 8 §2: 99.98999 % is not 99.99 % and not 4 nines (it is class 3)
        (Fraction(10001, 10**8), "99.9899%", "3.99"),
        (Fraction(1, 10**4), "99.99%", "4.00"),
        (Fraction(1, 10**23), "99.999999999999999%", "23.00"),  # 15 decimals at most, cut; whole nines decided exactly
        (Fraction(1, 10**6000), "99.999999999999999%", "6000.00"),  # far below float range, shown at once
        (Fraction(1, 3), "66.66%", "0.47"),  # 66.666… cut, and log10(3) = 0.4771 cut
        (Fraction(0), "100%", "∞"),
    ],
)
def test_availability_and_nines_are_never_shown_above_what_they_reach(unavailability, percent, shown_nines):
    assert format_percent(1 - unavailability, unavailability) == percent
    assert format_nines(unavailability) == shown_nines


@pytest.mark.parametrize("unavailability", [Fraction(1, 10**k) for k in range(0, 40)] + [Fraction(3, 10**k) for k in range(1, 40)])
def test_whole_nines_are_decided_exactly(unavailability):
    expected = next(n for n in range(100, -1, -1) if unavailability <= Fraction(1, 10**n))
    assert whole_nines(unavailability) == expected
    assert format_nines(unavailability).startswith(f"{expected}.")


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("4", "'4' is read as 4%; for 99.99% write '4 nines'"),
        ("1", "'1' is read as the fraction 1 (100%); for 90% write '1 nine' or 90%"),
        ("99.9", None),
        ("4%", None),
        ("0.999", None),
        ("4 nines", None),
        ("10", None),
    ],
)
def test_bare_small_targets_get_a_note(text, note):
    assert small_percentage_note(text) == note


def test_conventions_describe_the_year_as_typed():
    # %g showed the Gregorian year as 365.243 d; 365.2425 d × 24 = 8765.82 h exactly
    assert GREGORIAN.describe().startswith("year = 365.2425 d (8765.82 h), month = year/12")
    assert Conventions(explicit_month_seconds=Fraction(30 * 86400 + 43200)).describe().startswith("year = 365 d (8760 h), month = 30.5 d")


@pytest.mark.parametrize("text", ["٥٠٠٠٠", "５0", "1e٣"])
def test_only_ascii_digits_are_numbers(text):
    # a machine format never changes with the script or locale: Arabic-Indic or full-width digits are not numbers
    with pytest.raises(InputError):
        parse_number(text)
    with pytest.raises(InputError):
        parse_duration(text + "h")


@pytest.mark.parametrize(("hundredths", "text"), [(29, "0.29"), (57, "0.57"), (113, "1.13"), (201, "2.01"), (439, "4.39"), (402, "4.02")])
def test_nines_are_cut_once_not_twice(hundredths, text):
    # 4.39 as a float is 4.38999…, so cutting the cut value again showed 4.38 for 99.996 % (nines 4.3979)
    unavailability = Fraction(10 ** -(hundredths / 100 + 0.005))
    assert format_nines(unavailability) == text


def test_whole_nines_are_exact_up_to_the_range_of_every_other_number():
    assert parse_availability("308 nines") == 1 - Fraction(1, 10**308)
    with pytest.raises(InputError, match="at most 308 nines"):
        parse_availability("309 nines")


@pytest.mark.parametrize(
    ("text", "strictly_between", "expected"),
    [("0.05", False, Fraction(1, 20)), ("5%", False, Fraction(1, 20)), ("1", False, Fraction(1)), ("0", False, Fraction(0)),
     ("90", True, Fraction(9, 10)), ("0.9", True, Fraction(9, 10)), ("99.9%", True, Fraction(999, 1000))],
)
def test_probabilities_and_levels(text, strictly_between, expected):
    from hacalc.core.units import parse_probability

    assert parse_probability(text, strictly_between=strictly_between) == expected


@pytest.mark.parametrize(("text", "strictly_between"), [("1.5", False), ("-0.1", False), ("100%", True), ("0", True), ("150", True), ("x", False)])
def test_impossible_probabilities(text, strictly_between):
    from hacalc.core.units import parse_probability

    with pytest.raises(InputError):
        parse_probability(text, strictly_between=strictly_between)
