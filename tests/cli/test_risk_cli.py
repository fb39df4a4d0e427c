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


def test_a_spares_system_is_exact_and_a_stiff_one_is_simulated(hacalc):
    cold = report(hacalc, "--mttf", "1000h", "--mttr", "10h", "--spares", "1", "--kind", "cold", "--window", "1y", "--budget", "1h")
    assert cold["method"] == "exact" and "3 states" in cold["model"]
    stiff = report(hacalc, "scenarios/spares-database-pair.toml", "--kind", "hot", "--target", "99.99", "--seed", "3", "--runs", "20000")
    assert stiff["method"] == "simulation" and "too stiff" in stiff["model"] and stiff["seed"] == 3
    assert stiff["breach_probability"]["standard_error"] > 0


def test_a_simulation_is_repeatable_and_near_the_exact_answer(hacalc):
    args = ("--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--failure", "weibull:shape=1", "--seed", "11", "--runs", "50000")
    first, second = report(hacalc, *args), report(hacalc, *args)
    assert first == second and first["method"] == "simulation"
    exact = report(hacalc, "--mttf", "2000h", "--mttr", "4h", "--target", "99.9")["breach_probability"]["value"]
    assert abs(first["breach_probability"]["value"] - exact) < 4 * first["breach_probability"]["standard_error"]


def test_a_rare_breach_in_a_simulation_is_a_warning(hacalc):
    result = hacalc("risk", "--mttf", "20000h", "--mttr", "1h", "--target", "99", "--repair", "deterministic", "--seed", "1", "--runs", "1000")
    assert result.exit_code == 0 and "not estimated reliably" in result.stderr


def test_a_compose_structure(hacalc):
    data = report(hacalc, "--compose", "series(unit(2000h, 4h), parallel(unit(1000h, 10h), unit(1000h, 10h)))", "--target", "99.9")
    assert data["method"] == "exact" and "8 states" in data["model"]
    assert "--compose" in assert_bad_input(hacalc("risk", "--compose", "series(unit(1000h, 1h), 99.9%)", "--target", "99.9"))
    assert "drop the unit" in assert_bad_input(hacalc("risk", "--compose", "unit(1000h, 1h)", "--mttf", "1h", "--target", "99.9"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--repair", "lognormal:cv=-1"), "--repair"),
        (("--failure", "gamma:shape=2"), "--failure"),
        (("--repair", "lognormal"), "--repair"),
        (("--repair", "empirical:"), "empirical"),
        (("--repair", "weibull:shape=0.7", "--runs", "0"), "--runs"),
        (("--kind", "hot,cold"), "one --kind"),
        (("--spares", "1", "--repair", "deterministic"), "spares system"),
    ],
)
def test_bad_simulation_and_spares_input_is_one_line(hacalc, args, expected):
    assert expected in assert_bad_input(hacalc("risk", "--mttf", "2000h", "--mttr", "4h", "--target", "99.9", *args))


def test_an_empirical_file_of_repair_times(hacalc, tmp_path):
    (tmp_path / "repairs.txt").write_text("# observed repairs\n30m\n2h\n45m\n4h\n")
    data = report(hacalc, "--mttf", "2000h", "--mttr", "1h", "--target", "99.9", "--repair", f"empirical:{tmp_path / 'repairs.txt'}", "--seed", "1", "--runs", "20000")
    assert "empirical" in data["model"]
    (tmp_path / "none.txt").write_text("0s\n")
    assert "no positive" in assert_bad_input(hacalc("risk", "--mttf", "2000h", "--mttr", "1h", "--target", "99.9", "--repair", f"empirical:{tmp_path / 'none.txt'}"))


def test_a_structure_of_more_than_twelve_parts_is_simulated(hacalc):
    parts = ", ".join(["unit(1000h, 8h)"] * 14)
    data = report(hacalc, "--compose", f"kofn(10, {parts})", "--target", "99.9", "--seed", "1", "--runs", "20000")
    assert data["method"] == "simulation" and "14 independent parts" in data["model"] and "simulated" in data["model"]
