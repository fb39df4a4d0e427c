"""hacalc risk through the CLI: the exact single unit, credits, the gate, machine formats and bad input."""

from __future__ import annotations

import csv
import io
import json

import pytest

from contract import assert_bad_input


def report(hacalc, *args: str) -> dict:
    result = hacalc("risk", *args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_reference_month_in_json(hacalc):
    # reliability-math.md §5.2: monthly window 730 h, budget 0.73 h, MTTF 2000 h, MTTR 1 h -> 0.166680
    data = report(hacalc, "--mttf", "2000h", "--mttr", "1h", "--window", "730h", "--budget", "0.73h")
    assert data["method"] == "exact" and data["breach_probability"]["standard_error"] is None
    assert data["breach_probability"]["value"] == pytest.approx(0.166680, abs=5e-7)
    assert data["window_seconds"] == 730 * 3600 and data["budget_seconds"] == pytest.approx(0.73 * 3600)
    assert [q["level"] for q in data["quantiles"]] == [0.5, 0.9, 0.99, 0.999]


def test_target_and_budget_say_the_same(hacalc):
    by_target = report(hacalc, "--mttf", "2000h", "--mttr", "4h", "--window", "30d", "--target", "99.9")
    by_budget = report(hacalc, "--mttf", "2000h", "--mttr", "4h", "--window", "30d", "--budget", "43m12s")
    assert by_target["breach_probability"] == by_budget["breach_probability"]


def test_rates_and_mtbf_give_the_same_unit(hacalc):
    means = report(hacalc, "--mttf", "1000h", "--mttr", "4h", "--window", "1y", "--target", "99.9")
    rates = report(hacalc, "--failure-rate", "1e-3/h", "--repair-rate", "0.25/h", "--window", "1y", "--target", "99.9")
    assert means["breach_probability"]["value"] == pytest.approx(rates["breach_probability"]["value"], rel=1e-12)
    assert means["breach_probability"]["value"] == pytest.approx(0.972763, abs=5e-7)  # §5.2 table


def test_credits_and_the_gate(hacalc):
    args = ("risk", "--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--credits", "99.9:10%,99:25%,95:100%")
    data = report(hacalc, *args[1:])
    assert [tier["credit"] for tier in data["credits"]] == [0.1, 0.25, 1.0]
    assert sum(tier["probability"] for tier in data["credits"]) == pytest.approx(data["breach_probability"]["value"], rel=1e-12)
    failed = hacalc(*args, "--check")
    assert failed.exit_code == 1 and "FAIL: P(breach)" in failed.stderr and "expected credit" in failed.stdout
    assert hacalc(*args, "--check", "--max-breach-probability", "30%").exit_code == 0


def test_csv_is_long_and_stable(hacalc):
    rows = list(csv.DictReader(io.StringIO(hacalc("risk", "--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "-f", "csv").stdout)))
    assert [row["quantity"] for row in rows[:5]] == ["breach_probability", "no_outage_probability", "expected_outages", "mean_downtime", "sd_downtime"]
    assert rows[0]["standard_error"] == "" and rows[3]["unit"] == "seconds"


def test_the_readme_s_two_units_of_equal_availability(hacalc):
    rare_long = report(hacalc, "--mttf", "7996h", "--mttr", "4h", "--target", "99.9")
    blips = report(hacalc, "--mttf", "1999m", "--mttr", "1m", "--target", "99.9")
    assert rare_long["breach_probability"]["value"] > 20 * blips["breach_probability"]["value"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--mttf", "2000h", "--mttr", "4h"), "--target or as --budget"),
        (("--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--budget", "1h"), "one of them"),
        (("--mttf", "2000h", "--mttr", "4h", "--budget", "31d"), "not shorter than the window"),
        (("--mttf", "0h", "--mttr", "4h", "--target", "99.9"), "--mttf"),
        (("--mttf", "2000h", "--mttr", "4h", "--window", "0d", "--target", "99.9"), "--window"),
        (("--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--quantile", "100%"), "--quantile"),
        (("--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--credits", "99.9:ten"), "--credits"),
        (("--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--start", "down"), "--start"),
        (("--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--max-breach-probability", "2"), "--max-breach-probability"),
        (("--mttf", "2000h", "--target", "99.9"), "cannot model a unit"),
    ],
)
def test_bad_input_is_one_line(hacalc, args, expected):
    assert expected in assert_bad_input(hacalc("risk", *args))
