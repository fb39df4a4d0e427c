"""``hacalc cluster check --availability`` end to end (issue 12 §2): JSON shape, table, the tolerate-1 point, bad input."""

import json
from pathlib import Path

import pytest
from contract import assert_bad_input

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FLEET = str(SCENARIOS / "fleet-two-clusters.toml")
C_ESX35 = str(SCENARIOS / "cluster-c-esx35.toml")
RELIABILITY = ("--availability", "--host-mttf", "50000h", "--host-mttr", "8h")

# Three 10 GB hosts, one 4 GB VM on each: any one failure restarts its VM (tolerate 1 passes); any two
# leave one 6 GB survivor for two 4 GB VMs, so the lower restart priority waits for a repair.
THREE_HOSTS = """
[cluster]
name = "three"
policy = "none"
tolerate = 1
""" + "".join(
    f"""
[[hosts]]
name = "esx0{i}"
cpu_mhz = 10000
memory_mb = 10240

[[vms]]
name = "vm{i}"
memory_reservation_mb = 4096
host = "esx0{i}"
restart_priority = "{priority}"
"""
    for i, priority in ((1, "high"), (2, "medium"), (3, "low"))
)


@pytest.fixture
def three_hosts(tmp_path):
    path = tmp_path / "three.toml"
    path.write_text(THREE_HOSTS)
    return str(path)


def test_json_adds_availability_to_the_single_cluster_report(hacalc, three_hosts):
    result = hacalc("cluster", "check", three_hosts, *RELIABILITY, "--format", "json")
    assert result.exit_code == 0, result.stderr  # tolerate 1 passes
    data = json.loads(result.stdout)
    assert data["passed"] and data["restart"]["passed"]
    availability = data["availability"]
    assert {"vms", "vm_downtime_hours_per_year", "weakest", "method"} <= availability.keys()
    vm = availability["vms"][0]
    assert {"name", "availability", "unavailability", "downtime_seconds_per_year"} <= vm.keys()
    assert {"restart", "no_capacity", "total"} <= vm["downtime_seconds_per_year"].keys()
    assert "k=1: all 3 failure sets, exact" in availability["method"]
    assert "k=2: all 3 failure sets, exact" in availability["method"]
    assert "k=3: all 1 failure sets, exact" in availability["method"]
    by_name = {vm["name"]: vm for vm in availability["vms"]}
    # the point of the feature: the cluster passes tolerate 1, yet double failures cost vm2 and vm3 time
    assert by_name["vm3"]["downtime_seconds_per_year"]["no_capacity"] > by_name["vm2"]["downtime_seconds_per_year"]["no_capacity"] > 0
    double = availability["levels"][1]
    assert double["failed_hosts"] == 2 and double["no_capacity_vm_hours_per_year"] > 0
    assert availability["levels"][0]["no_capacity_vm_hours_per_year"] == 0
    assert availability["weakest"][0]["name"] == "vm3"
    assert "not placed when esx01 and esx03 fail" in availability["weakest"][0]["why"]
    total = sum(vm["downtime_seconds_per_year"]["total"] for vm in availability["vms"]) / 3600
    assert availability["vm_downtime_hours_per_year"] == pytest.approx(total)


def test_timings_change_the_restart_share(hacalc, three_hosts):
    def restart_share(*extra):
        result = hacalc("cluster", "check", three_hosts, *RELIABILITY, *extra, "--format", "json")
        return json.loads(result.stdout)["availability"]["vms"][0]["downtime_seconds_per_year"]["restart"]

    default = restart_share()
    assert restart_share("--ha-detect", "15s", "--ha-restart", "1m", "--boot", "2m") == pytest.approx(default)
    assert restart_share("--boot", "5m") == pytest.approx(default * (15 + 60 + 300) / 195)
    assert restart_share("--crews", "3") < default * 1.0001  # more crews: hosts are up a bit more


def test_table_shows_the_weakest_vms_and_the_totals(hacalc, three_hosts):
    result = hacalc("cluster", "check", three_hosts, *RELIABILITY)
    assert result.exit_code == 0, result.stderr
    for words in ("VM downtime by failed hosts", "Ten weakest VMs", "VM-hours per year", "vm3", "exact"):
        assert words in result.stdout


def test_a_bundled_scenario_runs(hacalc):
    result = hacalc("cluster", "check", C_ESX35, *RELIABILITY, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    assert json.loads(result.stdout)["availability"]["vms"]


def test_without_availability_the_report_is_unchanged(hacalc, three_hosts):
    result = hacalc("cluster", "check", three_hosts, "--format", "json")
    assert "availability" not in json.loads(result.stdout)


@pytest.mark.parametrize(
    "args, words",
    [
        (("--availability",), "--host-mttf"),
        (("--availability", "--host-mttf", "50000h"), "--host-mttr"),
        (("--host-mttf", "50000h", "--host-mttr", "8h"), "only with --availability"),
        (("--availability", "--host-mttf", "0h", "--host-mttr", "8h"), "--host-mttf"),
        (("--availability", "--host-mttf", "50000h", "--host-mttr", "0"), "--host-mttr"),
        ((*RELIABILITY, "--ha-detect", "-5s"), "negative"),
        ((*RELIABILITY, "--boot", "-2m"), "negative"),
        ((*RELIABILITY, "--boot", "soon"), "--boot"),
        ((*RELIABILITY, "--crews", "0"), "--crews"),
        ((*RELIABILITY, "--format", "csv"), "table and json"),
        (("--availability", "--host-mttf", "60s", "--host-mttr", "8h"), "restart time"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(hacalc, three_hosts, args, words):
    message = assert_bad_input(hacalc("cluster", "check", three_hosts, *args))
    assert words in message


def test_a_fleet_is_refused(hacalc):
    message = assert_bad_input(hacalc("cluster", "check", FLEET, *RELIABILITY))
    assert "one cluster" in message


def test_summary_with_availability_prints_only_the_availability_tables(hacalc):
    args = ("cluster", "check", "scenarios/cluster-seed-large-4-hosts.toml", "--availability", "--host-mttf", "50000h", "--host-mttr", "8h")
    full, summary = hacalc(*args), hacalc(*args, "--summary")
    assert full.exit_code == summary.exit_code == 0
    assert "Ten weakest VMs" in summary.stdout and "Per-VM availability" in summary.stdout
    assert "Slot policy" in full.stdout or "slot" in full.stdout.lower()
    assert len(summary.stdout.splitlines()) < len(full.stdout.splitlines()) / 2


RELIABLE = """
[cluster]
name = "reliable"
tolerate = 1

[cluster.reliability]
host_mttf = "50000h"
host_mttr = "8h"
crews = 2
boot = "3m"

[[hosts]]
name = "esx1"
cpu_mhz = 20000
memory_mb = 65536
count = 3

[[vms]]
name = "app"
memory_reservation_mb = 4096
host = "esx1-1"
"""


def test_the_scenario_s_reliability_table_feeds_availability_and_flags_override_it(hacalc, tmp_path):
    path = tmp_path / "reliable.toml"
    path.write_text(RELIABLE)
    from_file = json.loads(hacalc("cluster", "check", str(path), "--availability", "-f", "json").stdout)["availability"]
    assert from_file["inputs"]["host_mttf_hours"] == 50000 and from_file["inputs"]["crews"] == 2 and from_file["inputs"]["boot_seconds"] == 180
    flagged = json.loads(hacalc("cluster", "check", str(path), "--availability", "--boot", "1m", "-f", "json").stdout)["availability"]
    assert flagged["inputs"]["boot_seconds"] == 60 and flagged["inputs"]["host_mttr_hours"] == 8


def test_a_bad_reliability_value_names_its_line(hacalc, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(RELIABLE.replace('host_mttf = "50000h"', 'host_mttf = "0h"'))
    message = assert_bad_input(hacalc("cluster", "check", str(path)))
    assert "line 7" in message and "host_mttf" in message


def test_a_fleet_snapshot_keeps_the_reliability_table(tmp_path):
    from hacalc.readers.fleet import dump_fleet
    from hacalc.readers.inventory import load_inventory

    path = tmp_path / "reliable.toml"
    path.write_text(RELIABLE)
    inventory = load_inventory(str(path)).inventory
    (tmp_path / "fleet.toml").write_text(dump_fleet(inventory, "toml", {}))
    again = load_inventory(str(tmp_path / "fleet.toml")).inventory
    assert again.clusters[0].cluster.settings.reliability == inventory.clusters[0].cluster.settings.reliability
