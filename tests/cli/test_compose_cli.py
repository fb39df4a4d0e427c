import csv
import io
import json
from fractions import Fraction

import pytest
from contract import assert_bad_input

README_EXAMPLE = "series(lb=99.99%, web=kofn(2, 99.9%, 99.9%, 99.9%), db=parallel(99.95%, 99.95%))"
PART_KEYS = {"name", "expression", "availability", "unavailability", "improvement_if_perfect", "share", "single_point_of_failure"}
TOP_KEYS = {"expression", "availability", "unavailability", "nines", "class", "downtime_seconds", "parts", "weakest",
            "single_points_of_failure", "exact", "assumptions", "conventions"}  # fmt: skip


def test_compose_json_names_the_weakest_part(hacalc):
    result = hacalc("compose", "series(lb=99.99%, db=parallel(99.9%, 99.9%))", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == TOP_KEYS and all(set(part) == PART_KEYS for part in data["parts"])
    assert data["availability"] == pytest.approx(0.9999 * 0.999999)
    assert data["weakest"] == "lb"
    assert data["single_points_of_failure"] == ["lb", "db"]
    assert data["downtime_seconds"]["year"] == pytest.approx(data["unavailability"] * 31_536_000)
    # share = improvement_if_perfect / system unavailability: lb perfect leaves the pair's 1e-6
    system = 1 - Fraction(9999, 10**4) * Fraction(999999, 10**6)
    assert data["parts"][0]["share"] == pytest.approx(float((system - Fraction(1, 10**6)) / system), rel=1e-12)
    for part in data["parts"]:
        assert part["share"] == pytest.approx(part["improvement_if_perfect"] / data["unavailability"], rel=1e-12)


def test_redundant_parts_each_remove_all_downtime_so_shares_do_not_sum_to_one(hacalc):
    data = json.loads(hacalc("compose", "parallel(a=99%, b=98%)", "--format", "json").stdout)
    assert [part["share"] for part in data["parts"]] == [1, 1]
    assert data["single_points_of_failure"] == []


def test_a_perfect_part_is_not_a_single_point_of_failure(hacalc):
    data = json.loads(hacalc("compose", "series(a=100%, b=99%)", "--format", "json").stdout)
    assert data["single_points_of_failure"] == ["b"]


def test_compose_table_names_what_its_columns_measure(hacalc):
    result = hacalc("compose", README_EXAMPLE, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert "% of system downtime removed if perfect" in result.stdout
    assert "share of system downtime" not in result.stdout
    assert "rows overlap, so they do not add up to 100%" in result.stdout
    # lb: (U − U without lb) / U = 96.8…%, shown rounded down (README example)
    assert "52m 34s" in result.stdout and "96.8%" in result.stdout
    assert "Weakest link: lb" in result.stdout and "Single points of failure: lb, web, db." in result.stdout


def test_compose_table_shows_the_anchor(hacalc):
    result = hacalc("compose", "series(0.9999, 0.999, 0.999)")
    assert "99.79" in result.stdout  # T17
    assert "Weakest link" in result.stdout


def test_a_long_table_shows_the_largest_parts_and_says_what_it_left_out(hacalc):
    expression = f"series({', '.join(f'p{index}=99.{index:02d}%' for index in range(40))})"
    result = hacalc("compose", expression, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert "10 more parts, none removing more than those above, are left out; --format json or csv lists all 40." in result.stdout
    assert "│ p0 " in result.stdout and "│ p39 " not in result.stdout  # p0 (99.00 %) costs most, p39 least
    assert "Single points of failure: p0, p1, p2, p3, p4, p5, p6, p7, p8, p9 and 30 more." in result.stdout
    data = json.loads(hacalc("compose", expression, "--format", "json").stdout)
    assert len(data["parts"]) == 40 and len(data["single_points_of_failure"]) == 40


def test_a_thousand_parallel_parts_are_6000_nines(hacalc):
    # issue 8 item 10: a 6,000-digit percentage and a ValueError after 8 s; U = (1e-6)^1000 = 1e-6000
    result = hacalc("compose", f"parallel({', '.join(['99.9999%'] * 1000)})", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["nines"] == pytest.approx(6000)
    assert data["weakest"] == "#1 99.9999%"


def test_ten_thousand_parts_in_series(hacalc):
    # issue 8 item 11: 2,000 leaves ran past 30 s; U = 1 − 0.999999^10000 (exact power, compared as a float)
    result = hacalc("compose", f"series({', '.join(['0.999999'] * 10_000)})", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[1][0] == "system"
    assert float(rows[1][3]) == pytest.approx(float(1 - Fraction(999999, 10**6) ** 10_000), rel=1e-12)
    assert len(rows) == 2 + 10_000


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("series(99.9%, parallel(99.9, 99.9)", "expected ')' at column 35"),
        ("series(a=99%, a=99.9%)", "part name 'a' is used twice (first at column 8) at column 15"),
        (f"kofn({'9' * 5000}, 0.9)", "kofn needs more parts up but has only 1 at column 1"),
        ("series(" * 3000 + "0.9" + ")" * 3000, "groups nested more than 100 deep"),
        ("series(0.9, -0.5)", "at column 13"),
        ("parallel(-1 nines, 99%)", "at column 10"),
        ("kofn(², 0.9)", "kofn needs a whole number K of at least 1 first at column 6"),
        ("series(" + "0.9," * 300_000 + "0.9)", "characters is too long"),
    ],
)
def test_bad_expressions_are_one_line_with_the_column(hacalc, expression, message):
    assert message in assert_bad_input(hacalc("compose", expression))


def test_json_says_whether_the_result_is_exact(hacalc):
    # ten 99.9 % parts in parallel are exactly 1e-30 (README); 1,000 × 99.9999 % are past the exact budget
    small = json.loads(hacalc("compose", "parallel(" + ", ".join(["99.9%"] * 10) + ")", "-f", "json").stdout)
    assert small["exact"] is True and small["unavailability"] == 1e-30
    large = hacalc("compose", "parallel(" + ", ".join(["99.9999%"] * 1000) + ")")
    assert "computed in floating point" in large.stdout
    assert json.loads(hacalc("compose", "parallel(" + ", ".join(["99.9999%"] * 1000) + ")", "-f", "json").stdout)["exact"] is False
