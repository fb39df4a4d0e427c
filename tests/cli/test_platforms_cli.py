"""cluster check and cluster compare on the platforms beside vSphere, through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree

from contract import assert_bad_input

HYPERV = "scenarios/hyperv-scvmm-4-nodes.toml"
KUBERNETES = ["scenarios/kubernetes/nodes.json", "scenarios/kubernetes/pods.json", "scenarios/kubernetes/pdbs.json"]
PROXMOX = ["tests/fixtures/proxmox/resources.json", "tests/fixtures/proxmox/ha-resources.json", "tests/fixtures/proxmox/status.json"]


def test_a_hyperv_cluster_is_checked_by_scvmm_s_rule_and_the_restart_check(hacalc):
    result = hacalc("cluster", "check", HYPERV, "-f", "json")
    data = json.loads(result.stdout)
    # SCVMM's 2012 rule sums the other hosts' extra memory net of each host's largest VM; hv04's 192 GiB VM
    # has no other HA VM beside it (OtherM = 0), so the rule passes although no survivor can hold that VM.
    assert data["platform"] == "hyperv" and data["platform_rule"]["rule"] == "SCVMM cluster reserve" and data["platform_rule"]["passed"]
    assert result.exit_code == 1 and not data["restart"]["passed"] and data["restart"]["worst_case_failed_hosts"] == ["hv04"]
    assert data["restart"]["demand"] == "configured" and data["restart"]["other_demand"] is None
    table = hacalc("cluster", "check", HYPERV).stdout
    assert "SCVMM cluster reserve" in table and "vSphere profile" not in table and "slots" not in table


def test_compare_shows_which_rules_admit_what_cannot_restart(hacalc):
    result = hacalc("cluster", "compare", HYPERV, "-f", "json")
    rules = {row["rule"]: row for row in json.loads(result.stdout)["rules"]}
    assert result.exit_code == 0 and not rules["restart check, configured memory"]["passed"]
    assert rules["SCVMM cluster reserve"]["admits_unrestartable"] is True
    assert rules["XenServer HA planner"]["passed"] is False and rules["XenServer HA planner"]["admits_unrestartable"] is False
    rows = list(csv.DictReader(io.StringIO(hacalc("cluster", "compare", HYPERV, "-f", "csv").stdout)))
    assert [row["rule"] for row in rows] == list(rules) and rows[0]["reserved_memory_mb"] == ""


def test_kubectl_exports_are_checked_with_their_pdbs(hacalc):
    result = hacalc("cluster", "check", *KUBERNETES, "-f", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and data["platform"] == "kubernetes" and data["worst_failure_set"] == ["gpu-1"]
    # disruption.go: maxUnavailable 34% of 6 rounds up to 3 (6 - 3 = 3 healthy needed, 3 allowed);
    # minAvailable 60% of 3 rounds up to 2 (1 allowed); minAvailable 1 of 2 (1 allowed)
    assert {pdb["name"]: pdb["disruptions_allowed"] for pdb in data["pdbs"]} == {"web": 3, "api": 1, "db": 1}
    suite = ElementTree.fromstring(hacalc("cluster", "check", *KUBERNETES, "-f", "junit").stdout)
    assert suite.get("failures") == "1"
    assert "train-28597140-q8z4k" in hacalc("cluster", "check", *KUBERNETES).stdout


def test_proxmox_exports_are_read_together(hacalc):
    result = hacalc("cluster", "check", *PROXMOX, "-f", "json")
    (cluster,) = json.loads(result.stdout)["clusters"]  # an export is an inventory, as RVTools' are
    assert cluster["platform"] == "proxmox" and cluster["platform_rule"]["rule"] == "Proxmox VE CRS recovery"
    assert cluster["cluster"] == "pve-prod" and result.exit_code == (0 if cluster["passed"] else 1)


def test_several_files_that_are_not_exports_and_misplaced_flags_are_one_line(hacalc):
    assert "Proxmox" in assert_bad_input(hacalc("cluster", "check", HYPERV, "scenarios/cluster-unbalanced.toml"))
    assert "--host-reserve-mb" in assert_bad_input(hacalc("cluster", "check", HYPERV, "--host-reserve-mb", "4096"))


def test_vsphere_reports_keep_their_keys(hacalc):
    data = json.loads(hacalc("cluster", "check", "scenarios/cluster-unbalanced.toml", "-f", "json").stdout)
    assert "platform" not in data and "platform_rule" not in data


def test_an_overlay_gives_a_hyperv_export_its_host_reserve(hacalc, tmp_path):
    overlay = tmp_path / "overlay.toml"
    export = (Path("tests/fixtures/hyperv/hyperv.json")).resolve()
    overlay.write_text(f'inventory = "{export}"\n\n[cluster]\nhost_reserve_mb = 8192\ntolerate = 1\n')
    plain = json.loads(hacalc("cluster", "check", str(export), "-f", "json").stdout)["clusters"][0]
    reserved = json.loads(hacalc("cluster", "check", str(overlay), "-f", "json").stdout)["clusters"][0]
    flagged = json.loads(hacalc("cluster", "check", str(export), "--host-reserve-mb", "8192", "-f", "json").stdout)["clusters"][0]
    # the restart check sees each host's memory less its reserve, whichever way the reserve was given
    usable = {host["name"]: host["memory_mb"] for host in plain["hosts"]}
    assert {host["name"]: host["memory_mb"] for host in reserved["hosts"]} == {name: memory - 8192 for name, memory in usable.items()}
    assert reserved["hosts"] == flagged["hosts"] and reserved["input"]["settings"]["host_reserve_mb"] == "overlay"


def test_planning_and_compare_read_exports_and_say_what_their_data_lacked(hacalc):
    result = hacalc("cluster", "headroom", "tests/fixtures/hyperv/hyperv.json", "-f", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and list(data["per_policy"]) == ["SCVMM cluster reserve"] and data["headroom"] is not None
    assert "hacalc: warning: HVCLU01:" in result.stderr  # the export's counted warnings, as cluster check gives them
    plan = hacalc("cluster", "maintenance-plan", *PROXMOX[:1], "-f", "csv")
    assert plan.stdout.startswith("step,hosts,passes,headroom,fails\n") and "hacalc: warning:" in plan.stderr
    assert "cluster check nodes.json pods.json" in assert_bad_input(hacalc("cluster", "compare", *KUBERNETES[:2]))
    assert "cluster check nodes.json pods.json" in assert_bad_input(hacalc("cluster", "headroom", KUBERNETES[0]))


def test_the_platforms_fleet_holds_each_platform_s_scenario(hacalc):
    """scenarios/fleet-platforms.toml (the README's example) is the four platform scenarios, cluster for cluster."""
    fleet = {cluster["cluster"]: cluster for cluster in json.loads(hacalc("cluster", "check", "scenarios/fleet-platforms.toml", "-f", "json").stdout)["clusters"]}
    for scenario in ("hyperv-scvmm-4-nodes", "xenserver-pool-3-hosts", "nutanix-segments-rf2", "proxmox-static-3-nodes"):
        alone = json.loads(hacalc("cluster", "check", f"scenarios/{scenario}.toml", "-f", "json").stdout)
        assert {**fleet[alone["cluster"]], "input": None} == {**alone, "input": None}, scenario
