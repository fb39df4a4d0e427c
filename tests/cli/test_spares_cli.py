"""``hacalc spares``: the JSON shape of issue 3, table and verdict, CSV, scenario files, exit codes 0/1/2."""

import csv
import io
import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from contract import assert_bad_input

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
ISSUE_EXAMPLE = (
    "spares", "--mttf", "1000h", "--mttr", "10h", "--needed", "1", "--spares", "1", "--crews", "1",
    "--coverage", "0.99", "--manual-recovery", "30m", "--failover", "hot=30s,warm=5m,cold=30m", "--dormancy", "0.5",
    "--spare-cost", "hot=9000,warm=5000,cold=1000", "--downtime-cost", "100", "--target", "99.97",
)  # fmt: skip
OPTION_KEYS = {
    "spare", "needed", "spares", "availability", "unavailability", "nines", "downtime_seconds_per_year",
    "outages_per_year", "mean_outage_hours", "mttf_hours", "annual_cost",
}  # fmt: skip


def as_json(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_issue_example_json_shape_and_values(hacalc):
    data = as_json(hacalc(*ISSUE_EXAMPLE, "--format", "json"))
    assert set(data) == {"options", "recommended", "assumptions"}
    assert [option["spare"] for option in data["options"]] == ["none", "hot", "warm", "cold"]
    assert all(set(option) == OPTION_KEYS for option in data["options"])
    assert data["recommended"] == "warm"  # issue 3: "warm spare meets 99.97% for 5,205/yr"
    none, hot, warm, cold = data["options"]
    # reliability-math.md §9 T34 (c = 0.99, β = 2/h): hot 0.999790848, warm 0.999765638, cold 0.999406293
    assert hot["availability"] == pytest.approx(0.999790848, rel=1e-8)
    assert warm["availability"] == pytest.approx(0.999765638, rel=1e-8)
    assert cold["availability"] == pytest.approx(0.999406293, rel=1e-8)
    assert cold["downtime_seconds_per_year"] / 60 == pytest.approx(312.05, abs=0.01)  # §3.5
    assert cold["mttf_hours"] == pytest.approx(51020.0, rel=1e-5)  # §3.5: MTTF excluding failover blips
    assert round(warm["annual_cost"]) == 5205
    assert none["spares"] == 0 and none["mttf_hours"] == pytest.approx(1000)
    assert data["assumptions"]["year_hours"] == 8760
    assert data["assumptions"]["failover_seconds"] == {"hot": 30, "warm": 300, "cold": 1800}


def test_table_shows_every_option_and_the_verdict(hacalc):
    result = hacalc(*ISSUE_EXAMPLE)
    assert result.exit_code == 0
    assert "warm (recommended)" in result.stdout
    assert "warm spare meets 99.97% for 5,205/yr; cold loses 257 of its 312 min/yr to 30-minute activations." in result.stdout
    assert "year 365 d" in result.stdout
    assert "not a covered failover" in result.stdout


def test_csv_has_one_row_per_option(hacalc):
    result = hacalc(*ISSUE_EXAMPLE, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["spare"] for row in rows] == ["none", "hot", "warm", "cold"]
    assert {row["table"] for row in rows} == {"options"}
    assert [row["recommended"].lower() for row in rows] == ["false", "false", "true", "false"]


def test_check_exits_1_when_no_option_meets_the_target_after_writing(hacalc):
    result = hacalc(*ISSUE_EXAMPLE, "--target", "99.999", "--check", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["recommended"] is None


def test_check_exits_0_when_an_option_meets_the_target(hacalc):
    assert hacalc(*ISSUE_EXAMPLE, "--check", "--format", "json").exit_code == 0


def test_kind_limits_the_options_and_active_active_compares_a_pair(hacalc):
    result = hacalc(*ISSUE_EXAMPLE, "--kind", "hot,active-active", "--format", "json")
    assert result.exit_code == 2 and "no spare cost for active-active" in result.stderr
    data = as_json(hacalc(*ISSUE_EXAMPLE, "--kind", "hot,active-active", "--spare-cost", "hot=9000,active-active=12000", "-f", "json"))
    assert [option["spare"] for option in data["options"]] == ["none", "hot", "active-active"]
    # reliability-math.md §9 T35: symmetric active-active, c = 0.99, β = 2/h -> 0.999794066973, MTTF 25 745 h
    pair = data["options"][2]
    assert pair["availability"] == pytest.approx(0.999794066973, abs=1e-11)
    assert pair["mttf_hours"] == pytest.approx(25745, rel=1e-6)


def test_sweep_shows_availability_and_cost_by_spare_count(hacalc):
    data = as_json(hacalc(*ISSUE_EXAMPLE, "--kind", "cold", "--sweep-spares", "0..2", "--format", "json"))
    assert [(row["spare"], row["spares"]) for row in data["sweep"]] == [("none", 0), ("cold", 1), ("cold", 2)]
    assert data["sweep"][1]["availability"] == pytest.approx(0.999406293, rel=1e-8)
    table = hacalc(*ISSUE_EXAMPLE, "--sweep-spares", "0..2")
    assert "Availability and cost by number of spares" in table.stdout


def test_perfect_switching_reproduces_the_birth_death_vectors(hacalc):
    # reliability-math.md §9 T26: 2oo3 hot, r=2 -> 0.99970736721, MTTF 17 500 h
    data = as_json(hacalc("spares", "--mttf", "1000h", "--mttr", "10h", "--needed", "2", "--crews", "2", "--kind", "hot", "-f", "json"))
    assert data["options"][1]["availability"] == pytest.approx(0.99970736721, abs=1e-11)
    assert data["options"][1]["mttf_hours"] == pytest.approx(17500, rel=1e-9)


def test_year_days_changes_yearly_figures(hacalc):
    data = as_json(hacalc("spares", "--mttf", "1000h", "--mttr", "10h", "--year-days", "365.25", "-f", "json"))
    hot = data["options"][1]
    assert hot["downtime_seconds_per_year"] == pytest.approx(hot["unavailability"] * 8766 * 3600, rel=1e-12)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--coverage", "1.5"), "--coverage"),
        (("--coverage", "0.9"), "--manual-recovery"),
        (("--dormancy", "-0.5"), "--dormancy"),
        (("--spares", "-1"), "--spares"),
        (("--needed", "1.5"), "--needed"),
        (("--crews", "0"), "--crews"),
        (("--kind", "lukewarm"), "--kind"),
        (("--failover", "lukewarm=5m"), "--failover"),
        (("--failover", "5m", "--spares", "0"), "--failover"),
        (("--mttf", "soon"), "--mttf"),
        (("--spare-cost", "hot=9000"), "--spare-cost"),
        (("--spare-cost", "hot=1,000,warm=500"), "'000' is not TEMPERATURE=VALUE"),
        (("--failover", "hot=1m,"), "an empty item between commas"),
        (("--sweep-spares", "4..1"), "--sweep-spares"),
        (("--check",), "--check"),
        (("--year-days", "360"), "--year-days"),
    ],
)
def test_bad_input_exits_2_naming_the_parameter(hacalc, args, named):
    result = hacalc("spares", "--mttf", "1000h", "--mttr", "10h", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("hacalc: error: ")
    assert named in result.stderr
    assert result.stderr.count("\n") == 1


def test_missing_mttf_is_named(hacalc):
    result = hacalc("spares", "--mttr", "10h")
    assert result.exit_code == 2 and "--mttf" in result.stderr


@pytest.mark.parametrize(
    ("name", "recommended", "availability"),
    [
        ("spares-hot.toml", "hot", 0.999790848),  # reliability-math.md §9 T34
        ("spares-warm.toml", "warm", 0.999765638),
        ("spares-cold.toml", None, 0.999406293),
    ],
)
def test_seed_scenarios_reproduce_the_trade_off(hacalc, name, recommended, availability):
    data = as_json(hacalc("spares", str(SCENARIOS / name), "-f", "json"))
    assert data["recommended"] == recommended
    assert data["options"][1]["availability"] == pytest.approx(availability, rel=1e-8)


def test_database_pair_scenario_runs(hacalc):
    data = as_json(hacalc("spares", str(SCENARIOS / "spares-database-pair.toml"), "-f", "json"))
    assert [option["spare"] for option in data["options"]] == ["none", "hot", "warm", "cold"]
    assert data["recommended"] in {"hot", "warm", "cold"}


def test_flags_override_the_scenario_file(hacalc):
    data = as_json(hacalc("spares", str(SCENARIOS / "spares-cold.toml"), "--failover", "cold=1m", "--year-days", "365.25", "-f", "json"))
    assert data["assumptions"]["failover_seconds"]["cold"] == 60
    assert data["assumptions"]["year_days"] == 365.25
    assert data["recommended"] == "cold"


def test_unknown_scenario_key_suggests_the_right_one(hacalc, tmp_path):
    scenario = tmp_path / "typo.toml"
    scenario.write_text('mttf = "1000h"\nmttr = "10h"\nmanual_recovery = "30m"\n')
    result = hacalc("spares", str(scenario))
    assert result.exit_code == 2
    assert f"in {scenario} line 3 (manual_recovery)" in result.stderr
    assert "did you mean 'manual-recovery'?" in result.stderr


def test_unknown_key_in_a_json_scenario_names_its_line(hacalc, tmp_path):
    scenario = tmp_path / "typo.json"
    scenario.write_text('{\n  "mttf": "1000h",\n  "mttr": "10h",\n  "coverge": 0.99\n}\n')
    result = hacalc("spares", str(scenario))
    assert result.exit_code == 2 and result.stdout == ""
    assert f"unknown key 'coverge', in {scenario} line 4 (coverge), did you mean 'coverage'?" in result.stderr


def test_bad_scenario_value_names_the_file_line_and_key(hacalc, tmp_path):
    scenario = tmp_path / "bad.toml"
    scenario.write_text('mttf = "1000h"\nmttr = "10h"\ncoverage = 1.2\n')
    result = hacalc("spares", str(scenario))
    assert result.exit_code == 2
    assert f"in {scenario} line 3 (coverage)" in result.stderr


def test_bad_value_in_a_scenario_table_names_its_own_line(hacalc, tmp_path):
    scenario = tmp_path / "bad.toml"
    scenario.write_text('mttf = "1000h"\nmttr = "10h"\n\n[failover]\nhot = "30s"\nwarm = true\n')
    result = hacalc("spares", str(scenario))
    assert result.exit_code == 2
    assert f"unexpected value True, in {scenario} line 6 (failover.warm)" in result.stderr


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_json_and_yaml_scenarios_answer_like_the_toml_one(hacalc, tmp_path, suffix):
    """The same settings as spares-database-pair.toml, written as JSON or YAML, give the same answer."""
    import tomllib

    import yaml

    source = SCENARIOS / "spares-database-pair.toml"
    settings = tomllib.loads(source.read_text())
    scenario = tmp_path / f"database-pair{suffix}"
    scenario.write_text(json.dumps(settings, indent=2) if suffix == ".json" else yaml.safe_dump(settings))
    expected = as_json(hacalc("spares", str(source), "--sweep-spares", "0..2", "-f", "json"))
    assert as_json(hacalc("spares", str(scenario), "--sweep-spares", "0..2", "-f", "json")) == expected


def test_flags_override_a_json_scenario(hacalc, tmp_path):
    scenario = tmp_path / "cold.json"
    scenario.write_text(json.dumps({"mttf": "1000h", "mttr": "10h", "kind": ["cold"], "failover": {"cold": "30m"}}))
    data = as_json(hacalc("spares", str(scenario), "--failover", "cold=1m", "-f", "json"))
    assert [option["spare"] for option in data["options"]] == ["none", "cold"]
    assert data["assumptions"]["failover_seconds"]["cold"] == 60


def test_a_scenario_that_is_not_a_table_is_refused(hacalc, tmp_path):
    scenario = tmp_path / "list.json"
    scenario.write_text('["mttf", "1000h"]\n')
    result = hacalc("spares", str(scenario))
    assert result.exit_code == 2 and f"the file must be a table of settings, in {scenario}," in result.stderr


def test_duplicate_scenario_key_is_refused_with_its_line(hacalc, tmp_path):
    scenario = tmp_path / "twice.json"
    scenario.write_text('{"mttf": "1000h",\n "mttr": "10h",\n "mttf": "2000h"}\n')
    result = hacalc("spares", str(scenario))
    assert result.exit_code == 2 and f"duplicate key 'mttf', in {scenario} line 3" in result.stderr


def test_missing_scenario_file_exits_2(hacalc, tmp_path):
    result = hacalc("spares", str(tmp_path / "nope.toml"))
    assert result.exit_code == 2 and "nope.toml" in result.stderr


def test_help_defines_mttf_and_failover_blips(hacalc):
    result = hacalc("spares", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "first outage that is not a covered failover" in text
    assert "Failover blips" in text


def test_one_by_one_comparison_loads_neither_numpy_nor_scipy():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "hacalc", *ISSUE_EXAMPLE, "--format", "json"],
        capture_output=True, text=True, env={**os.environ}, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert imported.isdisjoint({"numpy", "scipy"})


def test_scenario_from_stdin_takes_an_input_format_or_is_sniffed(hacalc):
    """Issue 8 §3: stdin's format is sniffed when unambiguous; --input-format still names it."""
    scenario = '{"mttf": "1000h", "mttr": "10h", "kind": "hot"}'
    for extra in (("--input-format", "json"), ()):
        result = hacalc("spares", "-", *extra, "--format", "json", input=scenario)
        assert result.exit_code == 0, result.stderr
        assert [option["spare"] for option in json.loads(result.stdout)["options"]] == ["none", "hot"]


SWITCHOVER = ["--coverage", "0.9", "--manual-recovery", "1h", "--failover", "1s"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mttf", "1e-5s", "--mttr", "1e300h", "--spares", "0"], "mttf must be between 1 ms and a million years"),
        (["--mttf", "1e300h", "--mttr", "1ms"], "mttf must be between 1 ms and a million years"),
        (["--mttf", "1000h", "--mttr", "1e-320s"], "--mttr"),  # too small for a float, or for the model: either is bad input
        (["--mttf", "1000h", "--mttr", "10h", "--sweep-spares", "0..5000"], "at most 1000 spare counts"),
        (["--mttf", "1000h", "--mttr", "10h", "--kind", "active-active", "--sweep-spares", "0..2"], "active-active"),
        (["--mttf", "1000h", "--mttr", "10h", "--spares", "100000"], "needed + spares must be at most 100,000"),
        (["--mttf", "1000h", "--mttr", "10h", "--crews", "0"], "crews must be at least 1"),
        # each took seconds to minutes: 70 s, 8 s (issue 8: never a multi-second hang)
        (["--mttf", "1000h", "--mttr", "10h", "--spares", "99999", *SWITCHOVER], "chain states to solve"),
        (["--mttf", "1000h", "--mttr", "10h", "--sweep-spares", "0..999"], "Markov-chain states to solve"),
        # an OverflowError traceback, and 300-digit durations in the verdict
        (["--mttf", "1000h", "--mttr", "10h", "--spares", "1000", "--spare-cost", "1e308"], "spare-cost costs must be at most"),
        (["--mttf", "1000h", "--mttr", "10h", "--downtime-cost", "1e300"], "downtime-cost must be at most"),
        (["--mttf", "1000h", "--mttr", "10h", "--failover", "1e300h"], "failover times must be 0 or between 1 ms and a million years"),
        (["--mttf", "1000h", "--mttr", "10h", "--coverage", "0.9", "--manual-recovery", "1e300h"], "manual-recovery must be between"),
    ],
)
def test_extreme_spares_questions_are_bad_input(hacalc, args, message):
    assert message in assert_bad_input(hacalc("spares", *args, "--format", "csv"))


def test_coverage_keeps_every_digit_of_the_uncovered_share(hacalc):
    """Issue 8 §2: --coverage 0.99999999999999 was complemented in floats (0.99920e-14, 8e-4 off). Here the
    uncovered failures are 98 % of the downtime, so the cold option's U shows it. Cold 1+1, one crew, no
    failover time: U = (ρ² + m) / (1 + ρ + ρ² + m) with ρ = λ/μ and m = (1-c)·λ/β, from the chain's balance
    equations (tests/core/test_spares.py works them out), evaluated here in exact fractions."""
    result = hacalc(
        "spares", "--mttf", "876000000h", "--mttr", "1s", "--coverage", "0.99999999999999", "--manual-recovery", "30m",
        "--kind", "cold", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    failure, repair, recovery, coverage = Fraction(1, 876000000), Fraction(3600), Fraction(2), Fraction("0.99999999999999")
    rho, manual = failure / repair, (1 - coverage) * failure / recovery
    expected = (rho**2 + manual) / (1 + rho + rho**2 + manual)
    assert manual / (rho**2 + manual) > Fraction(98, 100)
    cold = json.loads(result.stdout)["options"][1]
    assert cold["spare"] == "cold"
    assert cold["unavailability"] == pytest.approx(float(expected), rel=1e-9, abs=0)


def test_birth_death_survives_extreme_rate_ratios():
    from hacalc.core.markov import birth_death

    # each ratio overflows a float on its own (1e300 / 1e-300); split exponents keep it finite
    probabilities = birth_death([1e300, 1e300, 0.0], [0.0, 1e-300, 1e-300])
    assert probabilities[-1] == pytest.approx(1.0) and all(p == p for p in probabilities)


def test_a_temperature_given_twice_is_refused(hacalc):
    result = hacalc("spares", "--mttf", "1000h", "--mttr", "10h", "--failover", "hot=1m,hot=2m")
    assert result.exit_code == 2
    assert "hot is given twice, --failover" in result.stderr
