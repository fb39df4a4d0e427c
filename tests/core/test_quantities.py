"""Kubernetes quantities against the apimachinery test tables.

Source: kubernetes/apimachinery pkg/api/resource/quantity_test.go at eed236ceee2c19c2753a3d93ac0631dc20750454,
``TestQuantityParse`` (valid table, its negated and ``+`` forms, and the ``invalid`` list), ``TestParseQuantityString``,
``TestParseQuantity`` (18 to 20 digit values) and ``TestMilliNewSet``/``TestScaledValue`` (MilliValue rounds up).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hacalc.core.errors import InputError
from hacalc.core.quantities import MAX_INT64, milli_value, parse_quantity, whole_value


def dec(mantissa: int, exponent: int) -> Fraction:
    """``decQuantity(i, e, …)`` of the Go tests: i × 10**e."""
    return Fraction(mantissa) * Fraction(10) ** exponent


# TestQuantityParse, the valid table (input, decQuantity(i, e)).
VALID = [
    ("0", dec(0, 0)), ("0n", dec(0, 0)), ("0u", dec(0, 0)), ("0m", dec(0, 0)), ("0Ki", dec(0, 0)), ("0k", dec(0, 0)),
    ("0Mi", dec(0, 0)), ("0M", dec(0, 0)), ("0Gi", dec(0, 0)), ("0G", dec(0, 0)), ("0Ti", dec(0, 0)), ("0T", dec(0, 0)),
    ("1", dec(1, 0)),
    ("1Ki", dec(1024, 0)), ("8Ki", dec(8 * 1024, 0)), ("7Mi", dec(7 * 1024**2, 0)), ("6Gi", dec(6 * 1024**3, 0)),
    ("5Ti", dec(5 * 1024**4, 0)), ("4Pi", dec(4 * 1024**5, 0)), ("3Ei", dec(3 * 1024**6, 0)),
    ("10Ti", dec(10 * 1024**4, 0)), ("100Ti", dec(100 * 1024**4, 0)),
    ("5n", dec(5, -9)), ("4u", dec(4, -6)), ("3m", dec(3, -3)), ("9", dec(9, 0)), ("8k", dec(8, 3)), ("50k", dec(5, 4)),
    ("7M", dec(7, 6)), ("6G", dec(6, 9)), ("5T", dec(5, 12)), ("40T", dec(4, 13)), ("300T", dec(3, 14)), ("2P", dec(2, 15)),
    ("1E", dec(1, 18)),
    ("1E-3", dec(1, -3)), ("1e3", dec(1, 3)), ("1E6", dec(1, 6)), ("1e9", dec(1, 9)), ("1E12", dec(1, 12)),
    ("1e15", dec(1, 15)), ("1E18", dec(1, 18)),
    ("1e14", dec(1, 14)), ("1e13", dec(1, 13)), ("100.035k", dec(100035, 0)),
    ("0.001", dec(1, -3)), ("0.0005k", dec(5, -1)), ("0.005", dec(5, -3)), ("0.05", dec(5, -2)), ("0.5", dec(5, -1)),
    ("0.00050k", dec(5, -1)), ("0.00500", dec(5, -3)), ("0.05000", dec(5, -2)), ("0.50000", dec(5, -1)),
    ("0.5e0", dec(5, -1)), ("0.5e-1", dec(5, -2)), ("0.5e-2", dec(5, -3)), ("10.035M", dec(10035, 3)),
    ("1.2e3", dec(12, 2)), ("1.3E+6", dec(13, 5)), ("1.40e9", dec(14, 8)), ("1.53E12", dec(153, 10)),
    ("1.6e15", dec(16, 14)), ("1.7E18", dec(17, 17)),
    ("9.01", dec(901, -2)), ("8.1k", dec(81, 2)), ("7.123456M", dec(7123456, 0)), ("6.987654321G", dec(6987654321, 0)),
    ("5.444T", dec(5444, 9)), ("40.1T", dec(401, 11)), ("300.2T", dec(3002, 11)), ("2.5P", dec(25, 14)), ("1.01E", dec(101, 16)),
    # Things that saturate/round
    ("3.001n", dec(4, -9)), ("1.1E-9", dec(2, -9)), ("0.0000000001", dec(1, -9)), ("0.0000000005", dec(1, -9)),
    ("0.00000000050", dec(1, -9)), ("0.5e-9", dec(1, -9)), ("0.9n", dec(1, -9)), ("0.00000012345", dec(124, -9)),
    ("0.00000012354", dec(124, -9)), ("9Ei", Fraction(MAX_INT64)), ("9223372036854775807Ki", Fraction(MAX_INT64)),
    ("12E", dec(12, 18)),
    # fractional binary
    ("100.035Ki", dec(10243584, -2)), ("0.5Mi", dec(524288, 0)), ("0.05Gi", dec(536870912, -1)), ("0.025Ti", dec(274877906944, -1)),
    # "Things written by trolls"
    ("0.000000000001Ki", dec(2, -9)), (".001", dec(1, -3)), (".0001k", dec(100, -3)), ("1.", dec(1, 0)), ("1.G", dec(1, 9)),
]

# TestQuantityParse, the invalid list (trailing and leading whitespace included), and the empty string.
INVALID = ["1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-", " 1", "1 ", ""]


@pytest.mark.parametrize("text, expected", VALID)
def test_quantity_parse_table(text, expected):
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text, expected", VALID)
def test_negated_and_plus_forms_parse_as_the_go_test_expects(text, expected):
    assert parse_quantity("-" + text) == -expected
    assert parse_quantity("+" + text) == expected


@pytest.mark.parametrize("text", INVALID)
def test_invalid_quantities_are_input_errors_naming_the_value(text):
    with pytest.raises(InputError) as error:
        parse_quantity(text)
    assert repr(text) in str(error.value) or text == ""
    assert "quantity" in str(error.value)


@pytest.mark.parametrize(
    "text, expected",
    # TestParseQuantityString: ".", "-." are zero; 18-20 digit values from TestParseQuantity are exact.
    [(".", 0), ("-.", 0), ("999999999999999999.1", Fraction("999999999999999999.1")),
     ("10.0000000000000000001E", Fraction("10000000000000000000.1")), ("-9223372036854775809", -9223372036854775809),
     ("1.000000000000000001E", 1000000000000000001)],
)
def test_long_values_and_bare_points(text, expected):
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    "text, millis, whole",
    # TestMilliNewSet: "1m" -> 1, "1" -> 1000, "1234" -> 1234000; TestScaledValue: 1n is 1 milli and 1 unit (rounded up);
    # TestQuantityRoundUp: 9.01 to scale 0 is 10.
    [("1m", 1, 1), ("1", 1000, 1), ("1234", 1234000, 1234), ("1n", 1, 1), ("1u", 1, 1), ("9.01", 9010, 10),
     ("0.5", 500, 1), ("100m", 100, 1), ("1.5Gi", 1610612736000, 1610612736), ("3e8", 300000000000, 300000000)],
)
def test_milli_and_whole_values_round_up(text, millis, whole):
    assert milli_value(parse_quantity(text)) == millis
    assert whole_value(parse_quantity(text)) == whole


def test_exponents_kubernetes_would_wrap_and_absurd_sizes_are_refused():
    with pytest.raises(InputError, match="exponent"):
        parse_quantity("1e4294967296")
    with pytest.raises(InputError, match="too large"):
        parse_quantity("1e31")


def test_a_tiny_value_written_with_a_huge_negative_exponent_is_one_nano_unit():
    assert parse_quantity("5e-2000000000") == dec(1, -9)


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["n", "u", "m", "", "k", "M", "G", "T", "P", "E"]))
def test_decimal_suffixes_scale_by_powers_of_ten(mantissa, suffix):
    exponents = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
    assert parse_quantity(f"{mantissa}{suffix}") == dec(mantissa, exponents[suffix])
    assert parse_quantity(f"{mantissa}e{exponents[suffix]}") == dec(mantissa, exponents[suffix])


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=999), st.integers(min_value=1, max_value=6))
def test_binary_fractions_are_exact_and_never_below_the_decimal_text(whole, thousandths, power):
    suffix = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][power - 1]
    value = parse_quantity(f"{whole}.{thousandths:03d}{suffix}")
    exact = (whole + Fraction(thousandths, 1000)) * 1024**power  # a whole number of nano-units: 1024**p / 1000 has only 5**3 below
    assert value == min(exact, MAX_INT64)


@given(st.fractions(min_value=0, max_value=10**6, max_denominator=10**12))
def test_rounding_is_up_to_a_nano_unit_and_never_down(value):
    text = f"{value.numerator / value.denominator:.15f}"
    parsed = parse_quantity(text)
    written = Fraction(text)
    assert written <= parsed < written + dec(1, -9)
    assert (parsed / dec(1, -9)).denominator == 1
