"""Every data warning the RVTools reader raises, each from one change to the committed example (generate_rvtools.example()).

The example, by hand: prod = esx-p1…p4 (p4 in maintenance), VMs db-11…db-34 (vm-101…vm-112), four per counted host;
dev = esx-d1…d3, VMs app-locked (esx-d1), app-web (esx-d2), app-batch and tmpl-linux (esx-d3, powered off).
"""

from __future__ import annotations

import copy

import pytest

from hacalc.readers.rvtools import WARNING_KINDS, read_rvtools
from rvtools_helpers import generate, write


def rows(export, tab, column, value):
    return [row for row in export[tab] if row.get(column) == value]


def set_vm(export, name, **values):
    """Change a VM in vInfo, vCPU and vMemory alike (keys are 4.x headers with spaces as underscores)."""
    for tab in ("vInfo", "vCPU", "vMemory"):
        for row in rows(export, tab, "VM", name):
            row.update({key.replace("_", " "): value for key, value in values.items()})


def read_changed(tmp_path, change):
    export = copy.deepcopy(generate.example())
    change(export)
    inventory = read_rvtools(str(write(tmp_path, export)))
    found = {("source", warning.kind): warning for warning in inventory.warnings}
    for item in inventory.clusters:
        found.update({(item.name, warning.kind): warning for warning in item.warnings})
    return inventory, found


def add_host(export, **values):
    export["vHost"].append({**generate.host_row("esx-x1", "dev", sockets=1, cores=8, mhz=2000, memory_mib=65_536), **values})


def remove_tab_rows(tab, name):
    return lambda export: export.__setitem__(tab, [row for row in export[tab] if row.get("VM") != name])


def new_vcpu_row(export):
    export["vCPU"].append({**export["vCPU"][0], "VM": "ghost", "VM ID": "vm-999"})


def duplicate_host(export):
    export["vHost"].append(dict(rows(export, "vHost", "Host", "esx-d1")[0]))


def set_source(version):
    return lambda export: export["vSource"][0].update(Version=version)


def set_host(name, **values):
    return lambda export: rows(export, "vHost", "Host", name)[0].update({key.replace("_", " "): value for key, value in values.items()})


def set_cluster(name, **values):
    return lambda export: rows(export, "vCluster", "Name", name)[0].update({key.replace("_", " "): value for key, value in values.items()})


def filtered(export):
    rows(export, "vRP", "Resource Pool path", "/DC1/prod/Resources")[0].update({"# VMs total": 20, "CPU reservationUsed": 7000})  # listed: 12 VMs, 6,000 MHz
    rows(export, "vCluster", "Name", "prod")[0]["NumHosts"] = 6


CASES = [
    # (kind, change, scope, count, examples)
    ("tab-missing", lambda export: export.pop("vCluster"), "source", 1, ("vCluster",)),
    ("vm-without-cluster", lambda export: set_vm(export, "app-web", Cluster=""), "source", 1, ("app-web",)),
    ("host-without-cluster", lambda export: add_host(export, Cluster=""), "source", 1, ("esx-x1",)),
    ("cluster-without-hosts", lambda export: export["vCluster"].append(generate.cluster_row("empty", hosts=0)), "source", 1, ("empty",)),
    ("cluster-not-in-vcluster", lambda export: export.__setitem__("vCluster", rows(export, "vCluster", "Name", "prod")), "dev", 1, ("dev",)),
    ("vm-rows-unjoined", new_vcpu_row, "source", 1, ("vCPU ghost",)),
    ("vm-reservations-missing", remove_tab_rows("vMemory", "app-web"), "dev", 1, ("app-web",)),
    ("duplicate-host", duplicate_host, "source", 1, ("esx-d1",)),
    ("version-newer-than-profiles", set_source("9.0.0"), "prod", 1, ("vCenter 9.0.0",)),
    ("version-older-than-profiles", set_source("2.0.2"), "dev", 1, ("vCenter 2.0.2",)),
    ("host-without-capacity", set_host("esx-d3", Speed=""), "dev", 1, ("esx-d3",)),
    ("host-in-quarantine", set_host("esx-d2", in_Quarantine_Mode="True"), "dev", 1, ("esx-d2",)),
    ("vm-host-unmatched", lambda export: set_vm(export, "app-web", Host="esx-gone"), "dev", 1, ("esx-gone",)),
    ("vm-without-host", lambda export: set_vm(export, "app-web", Host=""), "dev", 1, ("app-web",)),
    ("vm-not-connected", lambda export: rows(export, "vInfo", "VM", "app-web")[0].update({"Connection state": "orphaned"}), "dev", 1, ("app-web",)),
    ("duplicate-vm-name", lambda export: set_vm(export, "db-12", VM="db-11"), "prod", 2, ("db-11",)),
    ("memory-size-mismatch", lambda export: rows(export, "vInfo", "VM", "app-web")[0].update(Memory=8000), "dev", 1, ("app-web",)),
    ("overhead-from-consumed", lambda export: None, "dev", 2, ("app-locked", "app-web")),
    ("overhead-missing", lambda export: rows(export, "vMemory", "VM", "app-web")[0].update({"Consumed Overhead": 0}), "dev", 1, ("app-web",)),
    ("export-filtered", filtered, "prod", 3, ("prod",)),
    ("ha-disabled", set_cluster("dev", HA_enabled="False"), "dev", 1, ("dev",)),
    ("host-monitoring-disabled", set_cluster("dev", Host_monitoring="disabled"), "dev", 1, ("dev",)),
]
FROM_MESSY_FILES = {"blank-rows", "unnamed-rows"}  # test_rvtools.py::test_messy_export_reads_the_same_and_counts_what_it_skipped


def test_every_kind_has_a_case():
    assert sorted({case[0] for case in CASES} | FROM_MESSY_FILES) == sorted(WARNING_KINDS)


@pytest.mark.parametrize("kind, change, scope, count, examples", CASES, ids=[case[0] for case in CASES])
def test_warning(tmp_path, kind, change, scope, count, examples):
    _, found = read_changed(tmp_path, change)
    warning = found[(scope, kind)]
    assert (warning.count, warning.examples) == (count, examples), warning.message
    assert warning.message and "\n" not in warning.message


def test_the_unchanged_example_warns_only_about_overheads(tmp_path):
    _, found = read_changed(tmp_path, lambda export: None)
    assert sorted(found) == [("dev", "overhead-from-consumed"), ("prod", "overhead-from-consumed")]


def test_a_host_without_capacity_is_left_out_and_its_vms_placed_nowhere(tmp_path):
    inventory, found = read_changed(tmp_path, set_host("esx-d3", Speed=""))
    dev = {item.name: item for item in inventory.clusters}["dev"]
    assert [host.name for host in dev.cluster.hosts] == ["esx-d1", "esx-d2"]
    assert {vm.name: vm.host for vm in dev.cluster.vms}["app-batch"] is None
    assert found[("dev", "vm-host-unmatched")].message.startswith("2 of 4 VMs' hosts match")  # app-batch and tmpl-linux were on esx-d3


def test_duplicate_names_get_their_vm_id(tmp_path):
    inventory, _ = read_changed(tmp_path, lambda export: set_vm(export, "db-12", VM="db-11"))
    names = [vm.name for vm in {item.name: item for item in inventory.clusters}["prod"].cluster.vms]
    assert names[:2] == ["db-11 (vm-101)", "db-11 (vm-102)"] and len(set(names)) == 12


def test_the_export_filtered_message_gives_each_disagreement(tmp_path):
    _, found = read_changed(tmp_path, filtered)
    assert found[("prod", "export-filtered")].message == (
        "the export looks filtered or incomplete: vCluster counts 6 hosts, vHost lists 4; "
        "the root resource pool holds 20 VMs, vInfo lists 12; "
        "the root resource pool has 7,000 MHz reserved, the VMs and pools listed reserve 6,000 MHz"
    )


def test_vms_join_by_name_when_vm_id_is_missing(tmp_path):
    def drop_ids(export):
        for tab in ("vCPU", "vMemory"):
            for row in export[tab]:
                row["VM ID"] = ""

    inventory, found = read_changed(tmp_path, drop_ids)
    assert inventory.clusters == read_changed(tmp_path, lambda export: None)[0].clusters
    assert ("source", "vm-rows-unjoined") not in found


def test_vms_of_two_vcenters_are_told_apart(tmp_path):
    """The same cluster, host and VM names under two VI SDK Servers: two clusters, named with their vCenter."""

    def second_vcenter(export):
        for tab in ("vInfo", "vCPU", "vMemory", "vHost", "vCluster", "vRP"):
            export[tab] += [{**row, "VI SDK Server": "vc2.example.com"} for row in export[tab] if row.get("Cluster", row.get("Name")) == "dev" or "/dev/" in row.get("Resource Pool path", "")]

    inventory, found = read_changed(tmp_path, second_vcenter)
    names = sorted(item.name for item in inventory.clusters)
    assert names == ["dev (vc2.example.com)", "dev (vcenter.example.com)", "prod"]
    assert all(kind != "duplicate-vm-name" for _, kind in found)
