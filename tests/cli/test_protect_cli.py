"""hacalc protect through the CLI: the interface's JSON, the seed's cluster settings, the gate and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from contract import assert_bad_input

WORKLOAD = ("--host-mttf", "50000h", "--guest-mttf", "4000h", "--app-mttf", "2000h")


def levels(result) -> dict[str, dict]:
    assert result.exit_code == 0, result.stderr
    return {level["level"]: level for level in json.loads(result.stdout)["levels"]}


def test_json_has_the_interface_s_keys(hacalc):
    data = json.loads(hacalc("protect", *WORKLOAD, "--target", "99.95", "--cost", "ha=500,ft=3000,guest-cluster=2000,pool=1500", "-f", "json").stdout)
    assert [level["level"] for level in data["levels"]] == ["none", "ha", "ft", "guest-cluster", "pool"]
    first = data["levels"][0]
    assert set(first) >= {"level", "availability", "unavailability", "nines", "downtime_seconds_per_year", "outages_per_year", "mean_outage_seconds", "meets_target", "annual_cost"}
    assert set(first["downtime_seconds_per_year"]) == {"host", "guest", "application", "total"}
    assert data["cheapest_meeting_target"] == "ha" and data["assumptions"]


def test_the_seed_s_cluster_settings_drive_vm_monitoring(hacalc):
    result = hacalc("protect", "--guest-mttf", "4000h", "--from-cluster", "scenarios/cluster-c-esx35.toml", "--levels", "none,ha", "-f", "json")
    data = json.loads(result.stdout)
    assert "90 s" in data["monitoring"] and "no window" in data["monitoring"]
    guest = {level["level"]: level["outage_seconds_by_cause"]["guest"] for level in data["levels"]}
    assert guest["none"] == pytest.approx(32 * 60) and guest["ha"] < guest["none"] / 2


def test_a_preset_overrides_the_cluster_with_a_warning(hacalc):
    result = hacalc("protect", "--guest-mttf", "4000h", "--from-cluster", "scenarios/cluster-c-esx35.toml", "--vm-monitoring", "high", "-f", "json")
    assert "overrides" in result.stderr and "high" in json.loads(result.stdout)["monitoring"]


def test_the_gate(hacalc):
    assert hacalc("protect", *WORKLOAD, "--target", "99.95", "--check").exit_code == 0
    failed = hacalc("protect", *WORKLOAD, "--levels", "none,ha", "--target", "99.999", "--check")
    assert failed.exit_code == 1 and "FAIL: no level meets 99.999" in failed.stderr


def test_protect_does_not_import_scipy():
    code = "import sys, runpy; sys.argv = ['hacalc', 'protect', '--host-mttf', '50000h', '-f', 'json']\ntry: runpy.run_module('hacalc', run_name='__main__')\nexcept SystemExit: pass\nprint('scipy' in sys.modules, file=sys.stderr)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stderr.strip().endswith("False"), result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "nothing can fail"),
        (("--host-mttf", "0h"), "--host-mttf"),
        (("--host-mttf", "1000h", "--respond", "2y"), "--respond"),
        (("--host-mttf", "1000h", "--levels", "none,cloud"), "--levels"),
        (("--host-mttf", "1000h", "--cost", "ha:500"), "--cost"),
        (("--host-mttf", "1000h", "--common-cause", "1.2"), "--common-cause"),
        (("--host-mttf", "1000h", "--pool", "2", "--pool-needed", "3"), "--pool-needed"),
        (("--host-mttf", "1000h", "--vm-monitoring", "extreme"), "--vm-monitoring"),
        (("--host-mttf", "1000h", "--check"), "--check needs a target"),
        (("--host-mttf", "1000h", "--from-cluster", "nope.toml"), "no such file"),
    ],
)
def test_bad_input_is_one_line(hacalc, args, expected):
    assert expected in assert_bad_input(hacalc("protect", *args))
