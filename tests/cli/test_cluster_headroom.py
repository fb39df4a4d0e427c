"""hacalc cluster headroom through the CLI: the exact count, what-if changes, growth, and bad input."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import pytest

from contract import assert_bad_input

LARGE = "scenarios/cluster-seed-large-4-hosts.toml"


def test_json_has_the_interface_s_keys_and_the_core_s_count(hacalc):
    from hacalc.core.vsphere.inventory import cluster_to_check
    from hacalc.core.vsphere.planning import headroom, parse_vm_shape
    from hacalc.readers.inventory import load_inventory

    result = hacalc("cluster", "headroom", LARGE, "--vm", "memory_reservation_mb=2048", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"headroom", "binding", "vm", "per_policy"} <= set(data)
    expected = headroom(cluster_to_check(load_inventory(LARGE).inventory.clusters[0]), parse_vm_shape("memory_reservation_mb=2048"))
    assert data["headroom"] == expected.count == 11 and data["binding"] == "slots" and data["proven"]


def test_what_if_changes_are_listed_and_move_the_headroom(hacalc):
    base = json.loads(hacalc("cluster", "headroom", LARGE, "-f", "json").stdout)
    grown = json.loads(hacalc("cluster", "headroom", LARGE, "--add-host", "count=1, cpu_mhz=24000, memory_mb=65536", "-f", "json").stdout)
    assert grown["headroom"] > base["headroom"] and len(grown["changes"]) == 1


def test_maintenance_that_breaks_the_gate_exits_1_after_the_report(hacalc):
    result = hacalc("cluster", "headroom", LARGE, "--maintenance", "ESX35PRD-1")
    assert result.exit_code == 1 and "fails now" in result.stdout and "FAIL:" in result.stderr


def test_growth_gives_the_month_the_gate_first_fails(hacalc):
    data = json.loads(hacalc("cluster", "headroom", LARGE, "--growth", "10%/month", "--horizon", "24mo", "-f", "json").stdout)
    assert data["months_to_failure"] is not None and data["fails_first"]
    assert [month["month"] for month in data["months"]][:3] == [0, 1, 2]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--maintenance", "ESX35PRD-9"), "ESX35PRD"),
        (("--vm", "4 vcpu, 16 XB"), "--vm"),
        (("--add-host", "count=0, cpu_mhz=1000, memory_mb=1000"), "--add-host"),
        (("--growth", "-150%"), "--growth"),
        (("--growth", "3"), "--growth"),
        (("--horizon", "forever"), "--horizon"),
        (("-f", "xml"), "--format"),
    ],
)
def test_bad_input_is_one_line(hacalc, args, expected):
    assert expected in assert_bad_input(hacalc("cluster", "headroom", LARGE, *args))


def test_cluster_check_answers_can_i_patch_this_host(hacalc):
    patched = hacalc("cluster", "check", LARGE, "--maintenance", "ESX35PRD-1", "-f", "json")
    assert patched.exit_code == 1 and json.loads(patched.stdout)["changes"][0]["kind"] == "maintenance"
    with_spare_host = hacalc("cluster", "check", LARGE, "--maintenance", "ESX35PRD-1", "--add-host", "cpu_mhz=24000, memory_mb=65536", "-f", "json")
    data = json.loads(with_spare_host.stdout)
    assert len(data["changes"]) == 2 and with_spare_host.exit_code == (0 if data["passed"] else 1)
    assert "What if" in hacalc("cluster", "check", LARGE, "--scale-vms", "1.1").stdout


def test_what_if_on_check_names_unknown_hosts_and_needs_one_cluster(hacalc):
    assert "ESX35PRD" in assert_bad_input(hacalc("cluster", "check", LARGE, "--remove-host", "esx35prd-1x"))
    assert "one cluster" in assert_bad_input(hacalc("cluster", "check", "scenarios/fleet-two-clusters.toml", "--scale-vms", "1.2"))


def test_a_maintenance_plan_checks_each_host_as_cluster_check_would(hacalc):
    result = hacalc("cluster", "maintenance-plan", "scenarios/cluster-failover-hosts.toml", "-f", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and not data["passed"]
    for step in data["steps"]:
        (host,) = step["hosts"]
        alone = hacalc("cluster", "check", "scenarios/cluster-failover-hosts.toml", "--maintenance", host, "-f", "json")
        assert json.loads(alone.stdout)["passed"] == step["passes"], host
    headrooms = [step["headroom"] for step in data["steps"] if step["passes"]]
    assert headrooms == sorted(headrooms, reverse=True)  # the order that keeps the most headroom first


def test_a_maintenance_plan_in_pairs(hacalc):
    data = json.loads(hacalc("cluster", "maintenance-plan", "scenarios/cluster-auto-percentage.toml", "--parallel", "2", "-f", "json").stdout)
    assert [len(step["hosts"]) for step in data["steps"]] == [2, 2] and data["parallel"] == 2
    assert "--parallel" in assert_bad_input(hacalc("cluster", "maintenance-plan", "scenarios/cluster-auto-percentage.toml", "--parallel", "9"))


def test_csv_has_one_row_per_limit_or_per_month(hacalc):
    rows = list(csv.DictReader(io.StringIO(hacalc("cluster", "headroom", LARGE, "--vm", "memory_reservation_mb=2048", "-f", "csv").stdout)))
    assert rows[0] == {"limit": "gate (policy and restart check)", "headroom": "11", "proven": "true", "binding": "slots"}
    assert [row["limit"] for row in rows[1:]] == ["slot alone"]
    months = list(csv.DictReader(io.StringIO(hacalc("cluster", "headroom", LARGE, "--growth", "3%", "--horizon", "2", "-f", "csv").stdout)))
    assert [(row["month"], row["demand_factor"]) for row in months] == [("0", "1"), ("1", "1.03"), ("2", "1.0609")]  # 1.03² exactly


def test_junit_fails_only_when_the_gate_fails_now(hacalc):
    passing = ElementTree.fromstring(hacalc("cluster", "headroom", LARGE, "--vm", "memory_reservation_mb=2048", "-f", "junit").stdout)
    assert passing.get("name") == "hacalc cluster headroom" and passing.get("failures") == "0"
    names = [case.get("name") for case in passing.iter("testcase")]
    assert names[:2] == ["gate (policy and restart check) passes now", "headroom (gate (policy and restart check)): 11 more VMs"]
    failing = hacalc("cluster", "headroom", LARGE, "--maintenance", "ESX35PRD-1", "-f", "junit")
    assert failing.exit_code == 1 and ElementTree.fromstring(failing.stdout).get("failures") == "1"


def test_a_maintenance_plan_for_ci_has_one_check_per_step(hacalc):
    result = hacalc("cluster", "maintenance-plan", LARGE, "-f", "junit")
    suite = ElementTree.fromstring(result.stdout)
    assert result.exit_code == 1 and suite.get("tests") == "4" and suite.get("failures") == "4"
    summary = hacalc("cluster", "maintenance-plan", LARGE, "-f", "markdown").stdout
    assert summary.startswith("## hacalc cluster maintenance-plan: FAIL") and "- step 1: ESX35PRD-1 in maintenance: **FAIL**: slots" in summary
    rows = list(csv.DictReader(io.StringIO(hacalc("cluster", "maintenance-plan", "scenarios/cluster-auto-percentage.toml", "--parallel", "2", "-f", "csv").stdout)))
    assert [row["step"] for row in rows] == ["1", "2"] and all(len(row["hosts"].split()) == 2 for row in rows)
