"""hacalc.readers.rvtools on real and generated RVTools exports: values worked out by hand from the files.

kubev2v sample (tests/fixtures/rvtools, see its NOTICE; ../shared/fixtures/rvtools/README.md): 7 hosts of
2 × 16 cores at 2,295 MHz and 261,797 MiB, 9 VMs of which vm-3, vm-8 and vm-9 are powered on, Overhead 0
with Consumed Overhead 51, 194 and 194 MiB, host names that match no vHost row, no vCluster tab.
The committed two-cluster example is described in scenarios/rvtools/generate_rvtools.py ``example()``.
"""

from __future__ import annotations

import copy
import io
import subprocess
import sys
import zipfile

import pytest

from hacalc.core.vsphere.check import check_cluster
from hacalc.core.vsphere.inventory import Capacity, Source
from hacalc.core.vsphere.model import HostState, Policy, RestartPriority, VmMonitoring
from hacalc.readers import rvtools
from hacalc.readers.rvtools import WARNING_KINDS, looks_like_rvtools, nearest_profile, read_rvtools
from rvtools_helpers import EXAMPLE, EXAMPLE_CSV, KUBEV2V, generate, write

KUBEV2V_HOST_MHZ = 2 * 16 * 2295  # 73,440: vHost '# CPU' 2 × 'Cores per CPU' 16 ('# Cores' 32) × 'Speed' 2295


def by_name(items):
    return {item.name: item for item in items}


def kinds(warnings):
    return {warning.kind: warning for warning in warnings}


# The real sample -----------------------------------------------------------------------------------


def test_kubev2v_hosts_carry_physical_capacity():
    inventory = read_rvtools(str(KUBEV2V))
    assert inventory.source == "rvtools-xlsx"
    (item,) = inventory.clusters
    assert item.name == "Cluster"
    assert item.capacity is Capacity.physical and item.host_reserve_percent == 0
    assert [(host.cpu_mhz, host.memory_mb, host.state) for host in item.cluster.hosts] == [(73_440, 261_797, HostState.connected)] * 7
    assert KUBEV2V_HOST_MHZ == 73_440


def test_kubev2v_vms_reservations_overheads_and_configured_memory():
    (item,) = read_rvtools(str(KUBEV2V)).clusters
    vms = by_name(item.cluster.vms)
    assert sorted(vms) == [f"vm-{number}" for number in range(1, 10)]
    assert sorted(name for name, vm in vms.items() if vm.powered_on) == ["vm-3", "vm-8", "vm-9"]
    # vMemory Overhead is 0 everywhere; Consumed Overhead 51 (vm-3) and 194 (vm-8, vm-9) is used for powered-on VMs only
    assert {name: vm.memory_overhead_mb for name, vm in vms.items() if vm.memory_overhead_mb} == {"vm-3": 51, "vm-8": 194, "vm-9": 194}
    # configured memory is vMemory 'Size MiB' (vInfo 'Memory' differs for vm-1 … vm-8: 2224 vs 2048 …)
    assert [vms[f"vm-{number}"].memory_mb for number in range(1, 10)] == [2048, 2048, 4096, 16384, 16384, 16384, 16384, 40960, 40960]
    assert all(vm.cpu_reservation_mhz == 0 and vm.memory_reservation_mb == 0 for vm in vms.values())
    assert all(vm.host is None for vm in vms.values())  # no VM's Host is a vHost host
    assert all(vm.restart_priority is RestartPriority.medium for vm in vms.values())


def test_kubev2v_warnings():
    inventory = read_rvtools(str(KUBEV2V))
    source = kinds(inventory.warnings)
    assert set(source) == {"tab-missing"}
    assert source["tab-missing"].examples == ("vCluster",)
    cluster = kinds(inventory.clusters[0].warnings)
    assert set(cluster) == {"vm-host-unmatched", "memory-size-mismatch", "overhead-from-consumed"}
    unmatched = cluster["vm-host-unmatched"]
    assert unmatched.count == 9 and unmatched.message.startswith("0 of 9 VMs' hosts match")
    # vInfo hosts of vm-1 … vm-8, then vm-9's from vCPU (its vInfo Host is blank)
    assert unmatched.examples == ("10.185.26.9", "10.5.126.198", "10.41.187.30", "10.230.238.171")
    assert cluster["memory-size-mismatch"].count == 8  # vm-9's vInfo Memory is blank
    assert (cluster["overhead-from-consumed"].count, cluster["overhead-from-consumed"].examples) == (3, ("vm-3", "vm-8", "vm-9"))


def test_kubev2v_settings_are_defaults_but_the_profile_comes_from_the_api_version():
    (item,) = read_rvtools(str(KUBEV2V)).clusters
    settings = item.cluster.settings
    assert (settings.vsphere, settings.policy, settings.auto_percent, settings.tolerate) == ("8.0", Policy.percentage, True, 1)
    assert item.source_of("vsphere") is Source.export and item.facts["vsphere_version_seen"] == "vCenter API 8.0.3.0"
    assert item.source_of("policy") is Source.default and item.source_of("tolerate") is Source.default
    report = check_cluster(item.cluster)
    assert report.restart is not None


# The committed example -----------------------------------------------------------------------------


def test_example_reads_the_same_from_xlsx_csv_folder_and_zip(tmp_path):
    xlsx, folder = read_rvtools(str(EXAMPLE)), read_rvtools(str(EXAMPLE_CSV))
    zipped = read_rvtools(str(write(tmp_path, generate.example(), "zip")))
    assert xlsx.clusters == folder.clusters == zipped.clusters
    assert (xlsx.source, folder.source, zipped.source) == ("rvtools-xlsx", "rvtools-csv", "rvtools-csv")


def test_the_committed_example_is_what_the_generator_writes(tmp_path):
    assert read_rvtools(str(write(tmp_path, generate.example()))).clusters == read_rvtools(str(EXAMPLE)).clusters


def test_example_prod_fails_tolerate_1_and_dev_passes():
    clusters = by_name(read_rvtools(str(EXAMPLE)).clusters)
    prod, dev = clusters["prod"], clusters["dev"]
    hosts = by_name(prod.cluster.hosts)
    assert hosts["esx-p1"].cpu_mhz == 2 * 16 * 2400 == 76_800 and hosts["esx-p1"].memory_mb == 262_144
    assert hosts["esx-p4"].state is HostState.maintenance
    # each counted host holds 4 × (49,152 + 100) = 197,008 MiB, leaving 65,136: a failed host's 4 VMs find 2 places
    assert sum(vm.memory_reservation_mb + vm.memory_overhead_mb for vm in prod.cluster.vms if vm.host == "esx-p1") == 197_008
    assert check_cluster(prod.cluster).restart.passed is False
    assert check_cluster(dev.cluster).restart.passed is True


def test_example_settings_and_their_sources():
    clusters = by_name(read_rvtools(str(EXAMPLE)).clusters)
    prod, dev = clusters["prod"], clusters["dev"]
    assert (prod.cluster.settings.policy, prod.source_of("policy")) == (Policy.percentage, Source.default)
    assert (dev.cluster.settings.policy, dev.source_of("policy")) == (Policy.none, Source.export)  # AdmissionControlEnabled False
    assert prod.cluster.settings.tolerate == 1 and prod.source_of("tolerate") is Source.export
    assert prod.cluster.settings.vm_monitoring == VmMonitoring(enabled=False, failure_interval_s=30, min_uptime_s=120, max_resets=3, reset_window_s=-1)
    assert prod.facts["isolation_response"] == "none" and prod.facts["ha_enabled"] == "True" and prod.facts["vsphere_version_seen"] == "vCenter 8.0.3"
    vms = by_name(dev.cluster.vms)
    assert vms["app-locked"].memory_reservation_mb == 16_384  # 'Memory Reservation Locked To Max' True: Size MiB
    assert vms["app-web"].restart_priority is RestartPriority.low
    assert not vms["tmpl-linux"].powered_on and not vms["app-batch"].powered_on
    assert kinds(dev.warnings)["overhead-from-consumed"].count == 2  # app-locked 60, app-web 40
    assert kinds(prod.warnings)["overhead-from-consumed"].count == 12


def test_example_facts():
    facts = read_rvtools(str(EXAMPLE)).facts
    assert facts["rvtools_version"] == "4.7.1.4" and facts["export_date"] == "2026-02-06 16:02:14" and facts["server"] == "vcenter.example.com"


# Header styles, column order, messy files ----------------------------------------------------------


@pytest.mark.parametrize("headers", ["3.x", "db", "case"])
def test_every_header_style_reads_the_same(tmp_path, headers):
    expected = read_rvtools(str(write(tmp_path, generate.example(), name="plain"))).clusters
    assert read_rvtools(str(write(tmp_path, generate.example(), headers=headers))).clusters == expected


def test_messy_export_reads_the_same_and_counts_what_it_skipped(tmp_path):
    expected = read_rvtools(str(write(tmp_path, generate.example(), name="plain"))).clusters
    messy = read_rvtools(str(write(tmp_path, generate.example(), messy=True)))
    assert messy.clusters == expected
    warnings = kinds(messy.warnings)
    assert (warnings["blank-rows"].count, warnings["blank-rows"].examples) == (1, ("vInfo row 10",))  # 16 VMs: the blank row is inserted after 8
    assert (warnings["unnamed-rows"].count, warnings["unnamed-rows"].examples) == (1, ("vHost row 9",))  # 7 hosts, then the totals row


def test_a_phantom_dimension_reads_only_the_rows_that_exist(tmp_path):
    path = write(tmp_path, generate.example(), messy=True)

    with zipfile.ZipFile(path) as archive:
        assert b'<dimension ref="A1:BU1048576"/>' in archive.read("xl/worksheets/sheet4.xml")  # vHost: 71 + 2 custom columns, A…BU
    assert len(by_name(read_rvtools(str(path)).clusters)["prod"].cluster.hosts) == 4


def test_messy_csv_and_xlsx_agree(tmp_path):
    xlsx = read_rvtools(str(write(tmp_path, generate.example(), messy=True)))
    folder = read_rvtools(str(write(tmp_path, generate.example(), "csv", messy=True)))
    assert xlsx.clusters == folder.clusters and xlsx.warnings == folder.warnings


def test_stdin_reads_the_same_bytes(tmp_path):
    xlsx = read_rvtools("-", input_format="rvtools-xlsx", stdin=io.BytesIO(EXAMPLE.read_bytes()))
    zipped = read_rvtools("-", input_format="rvtools-csv", stdin=io.BytesIO(write(tmp_path, generate.example(), "zip").read_bytes()))
    assert xlsx.clusters == zipped.clusters == read_rvtools(str(EXAMPLE)).clusters


def test_looks_like_rvtools(tmp_path):
    assert looks_like_rvtools(str(EXAMPLE)) and looks_like_rvtools(str(EXAMPLE_CSV)) and looks_like_rvtools("x.ZIP") and looks_like_rvtools("x.xlsm")
    assert not looks_like_rvtools("cluster.toml") and not looks_like_rvtools("export.csv")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("8.0.3", ("8.0", False, False)),
        ("vCenter API 8.0.3.0", ("8.0", False, False)),
        ("VMware ESXi 7.0.3 build-21930508", ("7.0u3", False, False)),  # 7.0.3 is 7.0 Update 3
        ("7.0.0", ("7.0", False, False)),
        ("VMware ESXi 6.7.0 build-17700523", ("6.7", False, False)),
        ("6.5.0", ("6.5", False, False)),
        ("5.5.0", ("5.5", False, False)),
        ("VMware ESX 3.5.0 build-207095", ("2.5", False, False)),  # ESX 3.5 is managed by VirtualCenter 2.5
        ("9.0.0", ("8.0", True, False)),
        ("2.0.2", ("2.5", False, True)),
    ],
)
def test_nearest_profile(text, expected):
    assert nearest_profile(text) == expected


def test_before_6_5_the_default_policy_is_slots(tmp_path):
    export = generate.example()
    export["vSource"][0]["Version"] = "6.0.0"
    item = by_name(read_rvtools(str(write(tmp_path, export))).clusters)["prod"]
    assert (item.cluster.settings.vsphere, item.cluster.settings.policy, item.cluster.settings.auto_percent) == ("6.0", Policy.slot, False)


def test_the_reader_does_not_import_the_xlsx_library_until_a_workbook_is_read():
    code = "import sys, hacalc.readers.rvtools; assert 'python_calamine' not in sys.modules, 'imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_warning_kind_is_documented():
    text = (generate.HERE.parents[1] / "docs" / "rvtools.md").read_text(encoding="utf-8")
    assert [kind for kind in WARNING_KINDS if f"`{kind}`" not in text] == []


def test_the_max_vms_limit_is_the_scenario_reader_s(monkeypatch, tmp_path):
    from hacalc.readers import cluster

    assert rvtools.MAX_VMS == cluster.MAX_VMS == 200_000 and rvtools.MAX_HOSTS == cluster.MAX_HOSTS == 10_000
    export = copy.deepcopy(generate.example())
    monkeypatch.setattr(rvtools, "MAX_VMS", 15)
    with pytest.raises(Exception, match="lists 16 VMs, more than the 15 limit"):
        read_rvtools(str(write(tmp_path, export)))


# Properties ----------------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from rvtools_helpers import write_rows  # noqa: E402

_EXPECTED = read_rvtools(str(EXAMPLE)).clusters


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), form=st.sampled_from(["xlsx", "csv"]))
def test_column_order_and_header_case_never_change_the_result(tmp_path_factory, seed, form):
    import random

    rng = random.Random(seed)
    laid_out = {}
    for tab, rows in generate.sheets(generate.example()).items():
        order = list(range(len(rows[0])))
        rng.shuffle(order)
        header = [rng.choice((str.upper, str.lower, str.title, str))(rows[0][index]) for index in order]
        laid_out[tab] = [header, *([row[index] for index in order] for row in rows[1:])]
    folder = tmp_path_factory.mktemp("export")
    if form == "xlsx":
        path = write_rows(folder, laid_out)
    else:
        path = folder / "csv"
        generate.write_csv_folder(laid_out, path)
    assert read_rvtools(str(path)).clusters == _EXPECTED
