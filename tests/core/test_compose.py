"""Composition of independent parts. Expected values: reliability-math.md §2.1 and §9 (T17–T20)."""

from fractions import Fraction

import pytest

from hacalc.core.compose import ExpressionError, importance, parse_expression, unavailability


def availability(expression: str) -> Fraction:
    return 1 - unavailability(parse_expression(expression))


def test_series_published_anchor():
    # T17: 0.9999 × 0.999 × 0.999 = 99.79 % (DStudio availability-math.md)
    assert availability("series(0.9999, 0.999, 0.999)") == Fraction("0.9979011999")


def test_parallel_published_anchor():
    # T18: two 99.9 % databases in parallel = 99.9999 % (system-design-primer)
    assert availability("parallel(99.9%, 99.9%)") == Fraction("0.999999")


def test_two_out_of_three():
    # T19: identical a = 0.99 -> 3a² - 2a³ = 0.999702; with a = μ/(λ+μ), λ=1e-3, μ=0.1 -> 0.9997078524
    assert availability("kofn(2, 0.99, 0.99, 0.99)") == Fraction("0.999702")
    assert float(availability("kofn(2, unit(1000h, 10h), unit(1000h, 10h), unit(1000h, 10h))")) == pytest.approx(0.9997078524, rel=1e-9)
    # T20: non-identical (0.9, 0.95, 0.99) -> 0.9936
    assert availability("kofn(2, 0.9, 0.95, 0.99)") == Fraction("0.9936")


def test_unit_leaf_is_mttf_over_mttf_plus_mttr():
    assert availability("unit(50000h, 15m)") == Fraction(200000, 200001)


def test_extreme_parallel_keeps_relative_accuracy():
    # Ten 99.9 % parts in parallel: U = 1e-30 exactly, where 1 - A in floats would be 0.
    assert unavailability(parse_expression(f"parallel({', '.join(['99.9%'] * 10)})")) == Fraction(1, 10**30)


def test_kofn_bounds():
    assert availability("kofn(1, 0.9, 0.9)") == availability("parallel(0.9, 0.9)")
    assert availability("kofn(2, 0.9, 0.9)") == availability("series(0.9, 0.9)")


def test_weakest_link_and_single_points_of_failure():
    parts = importance(parse_expression("series(lb=99.99%, db=parallel(a=99.9%, b=99.9%))"))
    assert parts[0].name == "lb"
    spof = {part.name for part in parts if part.single_point_of_failure}
    assert spof == {"lb", "db"}
    # making lb perfect leaves only the pair: U_sys - 1e-6
    system = 1 - Fraction(9999, 10000) * (1 - Fraction(1, 10**6))
    assert parts[0].improvement_if_perfect == system - Fraction(1, 10**6)


@pytest.mark.parametrize(
    ("expression", "column"),
    [
        ("series(99.9%, parallel(99.9, 99.9)", 35),
        ("sereis(99.9)", 1),
        ("series(99.9%, abc)", 15),
        ("kofn(x, 0.9)", 6),
        ("series(99.9%) extra", 15),
        ("unit(0h, 1h)", 6),
        ("series()", 8),
    ],
)
def test_malformed_expressions_point_at_the_bad_column(expression, column):
    with pytest.raises(ExpressionError) as caught:
        parse_expression(expression)
    assert f"at column {column}" in str(caught.value)
    caret_line = caught.value.detail.splitlines()[1]
    assert caret_line.index("^") - 2 == column - 1


def test_no_code_is_ever_evaluated():
    with pytest.raises(ExpressionError):
        parse_expression("__import__('os').system('true')")


def test_hostile_nesting_is_refused_not_a_recursion_error():
    with pytest.raises(ExpressionError, match="nested more than 100 deep"):
        parse_expression("series(" * 3000 + "0.9" + ")" * 3000)
    assert availability("series(" * 100 + "0.9" + ")" * 100) == Fraction(9, 10)
