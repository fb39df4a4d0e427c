"""Composition of independent parts. Expected values: reliability-math.md §2.1 and §9 (T17–T20).

Large and random structures are checked against a reference written here from the definitions alone:
system state enumerated over every up/down combination of a group's children (no count recursion), a
part's improvement as U_system − U_system(that part never fails), a single point of failure as "down
alone, everything else up, the system is down".
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hacalc.core.compose as compose
from hacalc.core.availability import from_unavailability
from hacalc.core.compose import (
    MAX_DEPTH,
    MAX_EXPRESSION_CHARACTERS,
    ExpressionError,
    Part,
    Scaled,
    analyse,
    importance,
    parse_expression,
    unavailability,
)

RELATIVE = Fraction(1, 10**12)  # the promised accuracy of the floating-point path


def availability(expression: str) -> Fraction:
    return 1 - unavailability(parse_expression(expression))


# --- Reference, from the definitions ----------------------------------------------------------------------


def reference_unavailability(part: Part, forced: dict[int, Fraction] | None = None) -> Fraction:
    """U of ``part`` with ``forced`` mapping id(node) to an unavailability that replaces its own."""
    forced = forced or {}
    if id(part) in forced:
        return forced[id(part)]
    if not part.children:
        return part.unavailability
    child_down = [reference_unavailability(child, forced) for child in part.children]
    needed = {"series": len(child_down), "parallel": 1, "kofn": part.needed}[part.kind]
    down = Fraction(0)
    for states in itertools.product((True, False), repeat=len(child_down)):  # True: that child is up
        if sum(states) < needed:
            down += math.prod((1 - u if up else u for up, u in zip(states, child_down)), start=Fraction(1))
    return down


def reference_named(root: Part) -> dict[str, Part]:
    named, leaf_count = {}, 0

    def visit(part: Part) -> None:
        nonlocal leaf_count
        if not part.children:
            leaf_count += 1
            named[part.label or f"#{leaf_count} {part.text}"] = part
            return
        if part.label and part is not root:
            named[part.label] = part
        for child in part.children:
            visit(child)

    visit(root)
    return named


def all_leaves(part: Part) -> list[Part]:
    return [part] if not part.children else [leaf for child in part.children for leaf in all_leaves(child)]


def close(actual: Fraction, expected: Fraction, relative: Fraction = RELATIVE) -> bool:
    return actual == expected if expected == 0 else abs(actual - expected) <= relative * expected


def check_against_reference(expression: str, *, exact: bool) -> None:
    root = parse_expression(expression)
    result = analyse(root, exact=exact)
    system = reference_unavailability(root)
    tolerance = Fraction(0) if exact else RELATIVE
    assert close(result.unavailability, system, tolerance), (expression, float(result.unavailability), float(system))
    assert close(1 - result.unavailability, 1 - system, tolerance), expression  # A keeps its digits too
    named = reference_named(root)
    assert sorted(part.name for part in result.parts) == sorted(named)
    everything_up = {id(leaf): Fraction(0) for leaf in all_leaves(root)}
    for part in result.parts:
        node = named[part.name]
        own = reference_unavailability(node)
        improvement = system - reference_unavailability(root, {id(node): Fraction(0)})
        alone_down = reference_unavailability(root, {**everything_up, id(node): Fraction(1)})
        assert close(part.unavailability, own, tolerance), (expression, part.name)
        assert part.availability == 1 - part.unavailability
        assert close(part.improvement_if_perfect, improvement, tolerance), (expression, part.name)
        assert close(part.share_removed_if_perfect, improvement / system if system else Fraction(0), tolerance)
        assert part.single_point_of_failure == (alone_down == 1 and own > 0), (expression, part.name)
    improvements = [part.improvement_if_perfect for part in result.parts]
    if exact:
        assert improvements == sorted(improvements, reverse=True)


# --- Published anchors, exact ---------------------------------------------------------------------------


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


def test_small_structures_stay_exact():
    # README: ten 99.9 % parts in parallel are exactly 1e-30 unavailable, where 1 - A in floats would be 0.
    result = analyse(parse_expression(f"parallel({', '.join(['99.9%'] * 10)})"))
    assert result.exact
    assert result.unavailability == Fraction(1, 10**30)


def test_kofn_bounds():
    assert availability("kofn(1, 0.9, 0.9)") == availability("parallel(0.9, 0.9)")
    assert availability("kofn(2, 0.9, 0.9)") == availability("series(0.9, 0.9)")


# --- Large structures: fast, and correct to 1e-12 relative -----------------------------------------------


def test_a_thousand_parallel_parts_are_1e_minus_6000_not_zero():
    # Issue 8 item 10: 1,000 × 99.9999 % in parallel is 1e-6 ** 1000 = 1e-6000, far below a double.
    result = analyse(parse_expression(f"parallel({', '.join(['0.999999'] * 1000)})"))
    assert not result.exact
    assert close(result.unavailability, Fraction(1, 10**6000))
    assert from_unavailability(result.unavailability).nines == pytest.approx(6000)
    # every part is a mirror of the others: making one perfect removes all downtime
    assert {part.share_removed_if_perfect for part in result.parts} == {1}


def test_ten_thousand_parts_in_series_match_the_exact_power():
    # 1 − 0.999999^10000, from the exact Fraction power (issue 8 item 11: 2,000 leaves already took > 30 s).
    result = analyse(parse_expression(f"series({', '.join(['0.999999'] * 10_000)})"))
    assert close(result.unavailability, 1 - Fraction(999999, 10**6) ** 10_000)
    parts = result.parts
    assert len(parts) == 10_000 and all(part.single_point_of_failure for part in parts)
    # making one perfect removes u × A^9999 (the slope of 1 − ∏A in that part's U)
    assert close(parts[0].improvement_if_perfect, Fraction(1, 10**6) * Fraction(999999, 10**6) ** 9_999)


def test_two_thousand_different_parts_in_series_and_parallel_match_exact_products():
    values = [Fraction(10**6 - 1 - index % 997, 10**6) for index in range(2000)]
    listed = ", ".join(str(float(value)) for value in values)
    assert close(unavailability(parse_expression(f"series({listed})")), 1 - math.prod(values, start=Fraction(1)))
    assert close(unavailability(parse_expression(f"parallel({listed})")), math.prod((1 - v for v in values), start=Fraction(1)))


def test_availability_keeps_its_digits_when_it_is_tiny():
    # 2,000 coin flips in series: A = 2^-2000 exactly (0.5 is exact in binary), U = 1 − 2^-2000
    result = analyse(parse_expression(f"series({', '.join(['0.5'] * 2000)})"))
    assert close(1 - result.unavailability, Fraction(1, 2**2000))


def test_kofn_500_of_1000_matches_the_binomial_sum():
    # identical parts: U = Σ_{j<500} C(1000, j) a^j u^(1000-j), summed exactly
    a = Fraction(999, 1000)
    expected = sum((math.comb(1000, j) * a**j * (1 - a) ** (1000 - j) for j in range(500)), Fraction(0))
    result = analyse(parse_expression(f"kofn(500, {', '.join(['99.9%'] * 1000)})"))
    assert not result.exact
    assert close(result.unavailability, expected)
    # the slope in one part's U is P(exactly 499 of the other 999 up); times u it is the improvement
    slope = math.comb(999, 499) * a**499 * (1 - a) ** 500
    assert close(result.parts[0].improvement_if_perfect, slope * (1 - a))


@pytest.mark.parametrize(("needed", "size"), [(40, 80), (75, 80), (1, 80), (80, 80)])
def test_large_kofn_in_floating_point_matches_exact_fractions(needed, size):
    # different parts, both counting directions (up to K − 1 ups, or up to N − K downs), both code paths
    listed = ", ".join(f"{0.9 + (index % 89) / 1000}" for index in range(size))
    root = parse_expression(f"kofn({needed}, {listed})")
    exact = analyse(root, exact=True)
    floating = analyse(root, exact=False)
    assert close(floating.unavailability, exact.unavailability)
    assert close(1 - floating.unavailability, 1 - exact.unavailability)
    by_name = {part.name: part for part in exact.parts}
    for part in floating.parts:
        assert close(part.improvement_if_perfect, by_name[part.name].improvement_if_perfect)


def test_kofn_with_many_perfect_parts_keeps_its_zeros(monkeypatch):
    # kofn(2, …) with 9,000 perfect parts: the count vector's zero entries must stay zero, not drift into numbers
    monkeypatch.setattr(compose._ScaledNumbers, "VECTOR_STATES", 0)
    monkeypatch.setattr(compose._ScaledNumbers, "VECTOR_COUNTS", 1)
    result = analyse(parse_expression(f"kofn(2, 0.5, {', '.join(['100%'] * 9000)}, 0.5)"), exact=False)
    assert result.unavailability == 0


# --- Random structures against the reference ------------------------------------------------------------

LEAVES = st.sampled_from(["0", "1", "0.5", "99.9%", "0.999999", "12.5%", "4 nines", "0.1", "unit(1000h, 10h)", "99.99999999%"])


def trees():
    def extend(children):
        return st.tuples(st.sampled_from(["series", "parallel", "kofn"]), st.lists(children, min_size=1, max_size=4), st.data())

    return st.recursive(LEAVES, extend, max_leaves=10)


def render(tree, counter: list[int]) -> str:
    if isinstance(tree, str):
        return tree
    kind, children, data = tree
    inner = ", ".join(render(child, counter) for child in children)
    counter[0] += 1
    label = f"g{counter[0]}=" if counter[0] % 2 else ""
    if kind == "kofn":
        needed = data.draw(st.integers(min_value=1, max_value=len(children)))
        return f"{label}kofn({needed}, {inner})"
    return f"{label}{kind}({inner})"


@settings(max_examples=150, deadline=None)
@given(trees())
def test_random_structures_exactly_match_the_reference(tree):
    check_against_reference(render(tree, [0]), exact=True)


@settings(max_examples=150, deadline=None)
@given(trees())
def test_random_structures_in_floating_point_are_within_1e_12(tree):
    check_against_reference(render(tree, [0]), exact=False)


@settings(max_examples=60, deadline=None)
@given(trees())
def test_numpy_count_vectors_agree_with_the_reference(tree):
    # every kofn through the numpy path (the large-group way)
    numbers = compose._ScaledNumbers
    original = numbers.VECTOR_STATES, numbers.VECTOR_COUNTS
    numbers.VECTOR_STATES, numbers.VECTOR_COUNTS = 0, 1
    try:
        check_against_reference(render(tree, [0]), exact=False)
    finally:
        numbers.VECTOR_STATES, numbers.VECTOR_COUNTS = original


@given(st.fractions(min_value=0, max_value=1), st.integers(min_value=0, max_value=20_000))
def test_scaled_numbers_round_once_whatever_the_exponent(value, power):
    exact = value / 2**power
    assert close(Scaled.of(exact).fraction(), exact, Fraction(1, 2**53))


# --- What each part costs ---------------------------------------------------------------------------------


def test_weakest_link_and_single_points_of_failure():
    parts = importance(parse_expression("series(lb=99.99%, db=parallel(a=99.9%, b=99.9%))"))
    assert parts[0].name == "lb"
    spof = {part.name for part in parts if part.single_point_of_failure}
    assert spof == {"lb", "db"}
    # making lb perfect leaves only the pair: U_sys - 1e-6
    system = 1 - Fraction(9999, 10000) * (1 - Fraction(1, 10**6))
    assert parts[0].improvement_if_perfect == system - Fraction(1, 10**6)
    assert parts[0].share_removed_if_perfect == (system - Fraction(1, 10**6)) / system


def test_shares_overlap_and_are_not_a_breakdown():
    # parallel(a, b): making either perfect removes all downtime, so each share is 1 (they sum to 2, by definition)
    parts = importance(parse_expression("parallel(a=99%, b=98%)"))
    assert [part.share_removed_if_perfect for part in parts] == [1, 1]


def test_a_part_that_never_fails_is_no_single_point_of_failure():
    parts = {part.name: part for part in importance(parse_expression("series(a=100%, b=99%, c=kofn(2, x=99%, y=100%))"))}
    assert not parts["a"].single_point_of_failure
    assert parts["b"].single_point_of_failure
    assert parts["c"].single_point_of_failure
    assert parts["x"].single_point_of_failure and not parts["y"].single_point_of_failure  # kofn(2 of 2) needs both
    assert parts["a"].improvement_if_perfect == 0


def test_kofn_needing_every_part_makes_each_a_single_point_of_failure():
    parts = {part.name: part for part in importance(parse_expression("kofn(3, a=99%, b=99%, c=99%)"))}
    assert all(part.single_point_of_failure for part in parts.values())
    parts = {part.name: part for part in importance(parse_expression("kofn(2, a=99%, b=99%, c=99%)"))}
    assert not any(part.single_point_of_failure for part in parts.values())


# --- Malformed and hostile expressions ----------------------------------------------------------------------


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
        ("series(a=99%, a=99.9%)", 15),  # the second use of a name
        ("kofn(², 0.9)", 6),  # a digit to str.isdigit, not to int()
        ("series(0.9, -0.5)", 13),
    ],
)
def test_malformed_expressions_point_at_the_bad_column(expression, column):
    with pytest.raises(ExpressionError) as caught:
        parse_expression(expression)
    assert f"at column {column}" in caught.value.what
    caret_line = caught.value.detail.splitlines()[1]
    assert caret_line.index("^") - 2 == column - 1


def test_duplicate_names_are_refused_with_both_places():
    with pytest.raises(ExpressionError, match=r"part name 'a' is used twice \(first at column 8\) at column 15"):
        parse_expression("series(a=99%, a=99.9%)")


def test_no_code_is_ever_evaluated():
    with pytest.raises(ExpressionError):
        parse_expression("__import__('os').system('true')")


def test_hostile_nesting_is_refused_not_a_recursion_error():
    with pytest.raises(ExpressionError, match=f"nested more than {MAX_DEPTH} deep"):
        parse_expression("series(" * 3000 + "0.9" + ")" * 3000)
    assert availability("series(" * MAX_DEPTH + "0.9" + ")" * MAX_DEPTH) == Fraction(9, 10)


def test_a_k_of_thousands_of_digits_is_an_expression_error_not_a_value_error():
    # int() refuses strings of over 4,300 digits (ValueError) — K is never converted at that length
    with pytest.raises(ExpressionError, match="kofn needs more parts up but has only 2 at column 1"):
        parse_expression(f"kofn({'9' * 5000}, 0.9, 0.9)")
    assert availability(f"kofn({'0' * 5000}1, 0.9, 0.9)") == availability("parallel(0.9, 0.9)")


def test_an_overlong_expression_is_refused_before_reading_it():
    with pytest.raises(ExpressionError, match="too long"):
        parse_expression("series(" + "0.9," * (MAX_EXPRESSION_CHARACTERS // 4) + "0.9)")


def test_too_much_kofn_work_is_refused_up_front(monkeypatch):
    monkeypatch.setattr(compose, "MAX_KOFN_STATES", 1000)
    with pytest.raises(ExpressionError, match="kofn groups track 1,250 part × count states, more than 1,000 at column 1"):
        parse_expression(f"kofn(25, {', '.join(['0.9'] * 50)})")
    monkeypatch.setattr(compose, "MAX_KOFN_PARTS", 60)
    with pytest.raises(ExpressionError, match="kofn groups hold 70 parts in all, more than 60 at column 27"):
        parse_expression(f"series(kofn(1, 0.9, 0.9), kofn(1, {', '.join(['0.9'] * 68)}))")


def test_long_names_do_not_make_long_messages():
    with pytest.raises(ExpressionError) as caught:
        parse_expression(f"series({'a' * 5000}=99%)")
    assert caught.value.what == "part name of 5,000 characters is too long at column 8"
    with pytest.raises(ExpressionError) as caught:
        parse_expression(f"{'f' * 5000}(99%)")
    assert len(str(caught.value)) < 300


def test_the_caret_detail_of_a_long_expression_is_a_window():
    expression = "series(" + "0.9, " * 2000 + "oops)"
    with pytest.raises(ExpressionError) as caught:
        parse_expression(expression)
    shown, caret = caught.value.detail.splitlines()
    assert len(shown) < 80 and "oops" in shown
    assert shown[caret.index("^") :].startswith("oops")
