"""``cluster check`` on inventories of many clusters: fleet files, overlays, flags, selection and the fleet report shapes.

Expected numbers are worked out by hand in scenarios/fleet-two-clusters.toml's header: prod passes,
dev fails the restart check because db-01 (49,152 MB + 300 MB overhead) fits no survivor of dev-01.
"""

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from contract import assert_bad_input

from hacalc.core.vsphere.inventory import Capacity, Inventory, InventoryCluster, Source
from hacalc.readers.cluster import decode_scenario, load_cluster
from hacalc.readers.files import read_document
from hacalc.readers.fleet import dump_fleet

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FLEET = str(SCENARIOS / "fleet-two-clusters.toml")
SINGLE_CLUSTER_FILES = sorted(SCENARIOS.glob("cluster-*.*"))


def check_json(hacalc, *args):
    result = hacalc("cluster", "check", *args, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return result, json.loads(result.stdout)


def test_a_fleet_file_checks_every_cluster_and_fails_when_one_fails(hacalc):
    result, data = check_json(hacalc, FLEET)
    assert result.exit_code == 1
    assert list(data)[:3] == ["clusters", "passed", "warnings"]
    assert data["passed"] is False
    by_name = {cluster["cluster"]: cluster for cluster in data["clusters"]}
    assert list(by_name) == ["prod", "dev"]
    assert by_name["prod"]["passed"] is True
    # prod: 8 × 2000 MHz of 160,000 leaves 90% CPU; 8 × 16,584 MB of 524,288 leaves 74.69% memory; auto reserves 1/4
    assert by_name["prod"]["percentage"]["cpu_failover_percent"] == 90
    assert by_name["dev"]["restart"]["passed"] is False
    assert {vm["name"] for vm in by_name["dev"]["restart"]["unplaced_vms"]} in ({"db-01"}, {"db-02"})
    assert by_name["dev"]["input"]["settings"]["policy"] == "file"
    assert by_name["dev"]["input"]["settings"]["cpu_percent"] == "default"


def test_the_summary_table_has_one_row_per_cluster_and_nothing_else(hacalc):
    result = hacalc("cluster", "check", FLEET, "--summary", env={"COLUMNS": "200"})
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "2 clusters" in lines[0] and "1 of 2 fail" in lines[0]
    rows = [line for line in lines if line.startswith("│")]
    assert [row.split("│")[1].strip() for row in rows] == ["prod", "dev"]
    assert "dev-01" in rows[1] or "dev-02" in rows[1]
    assert "Cluster prod" not in result.stdout


def test_the_full_table_reports_each_cluster_after_the_summary(hacalc):
    result = hacalc("cluster", "check", FLEET, env={"COLUMNS": "200"})
    assert result.stdout.index("2 clusters") < result.stdout.index("Cluster prod") < result.stdout.index("Cluster dev")
    assert "settings from" in result.stdout


@pytest.mark.parametrize(("patterns", "expected"), [(["prod"], ["prod"]), (["d*"], ["dev"]), (["*", "prod"], ["prod", "dev"]), (["?ev", "pro?"], ["prod", "dev"])])
def test_cluster_selects_by_glob_in_inventory_order(hacalc, patterns, expected):
    arguments = [argument for pattern in patterns for argument in ("--cluster", pattern)]
    _, data = check_json(hacalc, FLEET, *arguments)
    assert [cluster["cluster"] for cluster in data["clusters"]] == expected


def test_selecting_only_passing_clusters_passes(hacalc):
    result, data = check_json(hacalc, FLEET, "-c", "prod")
    assert result.exit_code == 0 and data["passed"] is True


def test_a_pattern_that_matches_no_cluster_is_bad_input_with_a_suggestion(hacalc):
    message = assert_bad_input(hacalc("cluster", "check", FLEET, "--cluster", "prdo"))
    assert "no cluster matches 'prdo'" in message and "did you mean 'prod'" in message


def test_csv_has_every_clusters_hosts(hacalc):
    result = hacalc("cluster", "check", FLEET, "--format", "csv")
    rows = result.stdout.splitlines()[1:]
    assert [row.split(",")[0] for row in rows] == ["prod"] * 4 + ["dev"] * 3


def test_junit_has_one_suite_per_cluster(hacalc):
    result = hacalc("cluster", "check", FLEET, "--format", "junit")
    root = ElementTree.fromstring(result.stdout)
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert list(suites) == ["prod", "dev"]
    assert suites["prod"].get("failures") == "0" and suites["dev"].get("failures") == "1"
    assert root.get("failures") == "1"


def test_markdown_summarises_the_fleet(hacalc):
    result = hacalc("cluster", "check", FLEET, "--format", "markdown")
    assert result.stdout.startswith("## hacalc cluster check: FAIL")
    assert "| prod | PASS |" in result.stdout and "| dev | **FAIL** |" in result.stdout


def test_flags_override_the_file_and_say_so(hacalc):
    _, data = check_json(hacalc, FLEET, "--policy", "percentage", "--cpu-percent", "50", "--memory-percent", "50", "-c", "prod")
    prod = data["clusters"][0]
    assert prod["policy"] == "percentage"
    assert prod["percentage"]["configured_cpu_percent"] == 50 and prod["percentage"]["auto"] is False
    assert prod["input"]["settings"]["cpu_percent"] == "flag" and prod["input"]["settings"]["auto_percent"] == "flag"
    assert prod["passed"] is True  # 90% and 74.69% free are both above 50%


# Overlays: settings for an inventory that lacks them. ------------------------------------------------------


def write_overlay(tmp_path, text, inventory=FLEET):
    folder = tmp_path / "overlays"
    folder.mkdir(exist_ok=True)
    copy = tmp_path / "inventory.toml"
    copy.write_text(Path(inventory).read_text())
    overlay = folder / "overlay.toml"
    overlay.write_text('inventory = "../inventory.toml"\n' + text)
    return str(overlay)


def test_an_overlay_sets_every_cluster_then_one_cluster_and_flags_win(hacalc, tmp_path):
    overlay = write_overlay(
        tmp_path,
        '[cluster]\ntolerate = 2\nperformance_degradation_percent = 50\n\n[clusters."dev"]\ntolerate = 1\nhost_reserve_percent = 10\n',
    )
    _, data = check_json(hacalc, overlay)
    prod, dev = data["clusters"]
    assert prod["tolerate"] == 2 and prod["input"]["settings"]["tolerate"] == "overlay"
    assert dev["tolerate"] == 1 and dev["input"]["settings"]["tolerate"] == "overlay"
    assert prod["input"]["settings"]["performance_degradation_percent"] == "overlay"
    # usable capacity is net of the hypervisor's share already: a reserve is recorded but not subtracted
    assert dev["input"]["host_reserve_percent"] == 10 and dev["hosts"][0]["memory_mb"] == 65536
    _, data = check_json(hacalc, overlay, "--tolerate", "1")
    assert data["clusters"][0]["tolerate"] == 1 and data["clusters"][0]["input"]["settings"]["tolerate"] == "flag"


def test_an_overlay_naming_a_cluster_the_inventory_lacks_is_bad_input_at_its_line(hacalc, tmp_path):
    overlay = write_overlay(tmp_path, '\n[clusters."devv"]\ntolerate = 1\n')
    message = assert_bad_input(hacalc("cluster", "check", overlay))
    assert "the inventory has no cluster 'devv'" in message and "line 3" in message and "did you mean 'dev'" in message


def test_an_overlay_cluster_table_takes_settings_only(hacalc, tmp_path):
    overlay = write_overlay(tmp_path, '[clusters."dev"]\nhosts = []\n')
    assert "unknown field 'hosts'" in assert_bad_input(hacalc("cluster", "check", overlay))
    overlay = write_overlay(tmp_path, '[cluster]\nname = "dev"\n')
    assert "takes no name" in assert_bad_input(hacalc("cluster", "check", overlay))


def test_an_overlay_of_an_overlay_is_refused(hacalc, tmp_path):
    inner = write_overlay(tmp_path, "")
    outer = tmp_path / "outer.toml"
    outer.write_text(f'inventory = "{inner}"\n')
    assert "itself an overlay" in assert_bad_input(hacalc("cluster", "check", str(outer)))


def test_a_bad_option_from_an_overlay_is_located_in_the_overlay(hacalc, tmp_path):
    overlay = write_overlay(tmp_path, '[clusters."dev".options]\n"das.vmCpuMinMHz" = "lots"\n')
    message = assert_bad_input(hacalc("cluster", "check", overlay))
    assert "overlay.toml line 3" in message


def test_the_host_reserve_applies_to_physical_capacity_rounding_down(hacalc, tmp_path):
    physical = tmp_path / "physical.toml"
    physical.write_text(Path(FLEET).read_text().replace('[clusters."dev"]\n', '[clusters."dev"]\ncapacity = "physical"\n'))
    _, data = check_json(hacalc, str(physical), "--host-reserve-percent", "7", "-c", "dev")
    host = data["clusters"][0]["hosts"][0]
    assert (host["cpu_mhz"], host["memory_mb"]) == (18600, 60948)  # 20000 × 0.93; 65536 × 0.93 = 60948.48
    assert data["clusters"][0]["input"]["capacity"] == "physical"
    assert data["clusters"][0]["input"]["settings"]["host_reserve_percent"] == "flag"


# The fleet format round-trips what it writes. --------------------------------------------------------------


@pytest.mark.parametrize("path", SINGLE_CLUSTER_FILES, ids=lambda path: path.name)
@pytest.mark.parametrize("output_format", ["toml", "json"])
def test_every_bundled_cluster_survives_a_fleet_round_trip(tmp_path, path, output_format):
    cluster = load_cluster(str(path))
    inventory = Inventory("vcenter", (InventoryCluster(cluster, capacity=Capacity.physical, host_reserve_percent=5, facts={"isolation_response": 'say "no"\t'}),))
    written = tmp_path / f"snapshot.{output_format}"
    written.write_text(dump_fleet(inventory, output_format, {"source": "vcenter", "server": "vc.example.com"}))
    back = decode_scenario(read_document(str(written)))
    assert back.clusters[0].cluster == cluster
    assert back.clusters[0].host_reserve_percent == 5 and back.clusters[0].capacity is Capacity.physical
    assert back.clusters[0].facts == {"isolation_response": 'say "no"\t'}
    assert back.clusters[0].source_of("policy") is Source.vcenter
    assert back.facts == {"source": "vcenter", "server": "vc.example.com"}


def test_a_zip_on_stdin_without_input_format_is_bad_input_naming_the_formats():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "hacalc", "cluster", "check", "-"], input=b"PK\x03\x04" + bytes(60), capture_output=True, timeout=60)
    message = assert_bad_input(result)
    assert "zip archive" in message and "--input-format rvtools-xlsx or rvtools-csv" in message
