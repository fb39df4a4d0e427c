"""The Hyper-V export (Get-ClusterNode, Win32_ComputerSystem, Get-VM, ConvertTo-Json) into one hyperv Cluster.

Enum numbers are Microsoft's: CLUSTER_NODE_STATE (clusapi.h: Unknown -1, Up 0, Down 1, Paused 2, Joining 3)
and the VM states of Msvm_ComputerSystem RequestStateChange (2 Running, 3 Off, 6 Saved, 9 Paused), as in
tests/fixtures/hyperv/README.md. Expected values are worked out by hand from the fixture's bytes.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract import assert_bad_input
from hacalc.core.vsphere.inventory import Capacity
from hacalc.core.vsphere.model import HostState, Platform
from hacalc.readers.hyperv import WARNING_KINDS, load_hyperv, looks_like_hyperv
from platform_helpers import FIXTURES, as_cli, json_like, write_json

DIR = FIXTURES / "hyperv"
PS7, PS51, NUMBERS = (str(DIR / name) for name in ("hyperv.json", "hyperv-ps51-utf16.json", "hyperv-enum-numbers.json"))
GIB = 2**30


def records() -> list[dict]:
    return json.loads((DIR / "hyperv.json").read_text())


def by_name(items):
    return {item.name: item for item in items}


def test_the_export_makes_one_hyperv_cluster_with_the_callers_host_reserve():
    inventory = load_hyperv(PS7, host_reserve_mb=4096)
    (item,) = inventory.clusters
    cluster = item.cluster
    assert cluster.settings.name == "HVCLU01" and cluster.settings.platform is Platform.hyperv
    assert item.capacity is Capacity.physical and item.facts["name_from"] == "export"
    hosts = by_name(cluster.hosts)
    # TotalPhysicalMemory 274,742,059,008 B / 1,048,576 = 262,014.46… MiB, rounded down; 2 × 16 cores × 2100 MHz
    assert (hosts["HV01"].memory_mb, hosts["HV01"].cpu_mhz, hosts["HV01"].state) == (262_014, 67_200, HostState.connected)
    assert (hosts["HV03"].memory_mb, hosts["HV03"].state) == (130_941, HostState.maintenance)  # 137,302,249,472 B; Paused
    assert "HV04" not in hosts  # Down: CIM gave no memory
    assert {host.host_reserve_mb for host in cluster.hosts} == {4096}
    vms = by_name(cluster.vms)
    sql, web, file01, dc, test = vms["sql01"], vms["web01"], vms["file01"], vms["dc01"], vms["test01"]
    assert (sql.memory_mb, sql.memory_reservation_mb, sql.powered_on, sql.host, sql.ha) == (32_768, 32_768, True, "HV01", True)
    assert (web.memory_mb, web.powered_on, web.ha) == (4096, True, True)  # startup 4 GiB although 6 GiB is assigned now
    assert (file01.powered_on, file01.ha) == (False, True)  # Saved: its memory is on disk
    assert (dc.powered_on, dc.ha) == (True, False)  # running, not a clustered role
    assert (test.memory_mb, test.powered_on) == (1536, False)
    assert {w.kind: (w.count, w.examples) for w in item.warnings} == {
        "host-without-capacity": (1, ("HV04",)),
        "vm-not-clustered": (2, ("dc01", "test01")),
        "dynamic-memory-above-startup": (1, ("web01",)),
    }


@pytest.mark.parametrize("path", [PS51, NUMBERS])
def test_windows_powershell_51_output_reads_the_same(path):
    # UTF-16LE with BOM, CRLF and "key":  value; or enums as numbers in UTF-8 with a BOM
    assert load_hyperv(path) == load_hyperv(PS7)


def test_utf16_without_a_bom_and_big_endian(tmp_path):
    text = (DIR / "hyperv.json").read_text()
    for codec in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{codec}.json"
        path.write_bytes(text.encode(codec))
        assert load_hyperv(str(path)) == load_hyperv(PS7)


def test_a_single_object_not_wrapped_in_an_array(tmp_path):
    path = write_json(tmp_path / "one.json", {"Kind": "Node", "Name": "HV01", "State": "Up", "TotalPhysicalMemory": 64 * GIB, "CpuMhz": 1000})
    item = load_hyperv(path).clusters[0]
    assert [(h.name, h.memory_mb) for h in item.cluster.hosts] == [("HV01", 65_536)] and item.cluster.vms == ()
    assert item.name == "one" and item.facts["name_from"] == "file name"


def test_an_array_wrapped_as_value_and_count(tmp_path):
    data = records()
    path = write_json(tmp_path / "w.json", {"value": data, "Count": len(data)})
    assert load_hyperv(path).clusters[0].cluster == load_hyperv(PS7).clusters[0].cluster


def test_vms_nested_in_their_node_and_property_names_in_any_case(tmp_path):
    data = records()
    nodes = [dict(record) for record in data if record["Kind"] == "Node"]
    for node in nodes:
        vms = [{key.lower(): value for key, value in record.items() if key not in ("Kind", "ComputerName")} for record in data if record.get("ComputerName") == node["Name"]]
        node["VMs"] = {"value": vms, "Count": len(vms)} if node["Name"] == "HV01" else vms
    path = write_json(tmp_path / "nested.json", nodes)
    assert load_hyperv(path).clusters[0].cluster == load_hyperv(PS7).clusters[0].cluster


@pytest.mark.parametrize(
    "state, powered_on",
    # Running 2, Paused 9 and transitions hold memory; Off 3, Saved 6, FastSaved 32779 do not; "critical" states by name
    [("Paused", True), (9, True), ("Starting", True), (10, True), ("FastSaved", False), (32779, False), ("RunningCritical", True), ("OffCritical", False), ("saved", False), (6, False)],
)
def test_vm_states_by_name_and_number(tmp_path, state, powered_on):
    data = records()
    data[1]["State"] = state
    vms = by_name(load_hyperv(write_json(tmp_path / "s.json", data)).clusters[0].cluster.vms)
    assert vms["sql01"].powered_on is powered_on


def test_an_unverified_state_number_counts_as_running_with_a_warning(tmp_path):
    data = records()
    data[1]["State"] = 32783  # RunningCritical in one source, StoppingCritical in another
    item = load_hyperv(write_json(tmp_path / "s.json", data)).clusters[0]
    assert by_name(item.cluster.vms)["sql01"].powered_on
    assert [(w.count, w.examples) for w in item.warnings if w.kind == "vm-state-unverified"] == [(1, ("sql01 (32783)",))]


def test_missing_optional_fields_are_counted(tmp_path):
    data = records()
    del data[0]["CpuMhz"]
    del data[1]["IsClustered"]
    data[2]["ComputerName"] = "HV09"
    item = load_hyperv(write_json(tmp_path / "m.json", data)).clusters[0]
    assert by_name(item.cluster.hosts)["HV01"].cpu_mhz == 0 and not by_name(item.cluster.vms)["sql01"].ha
    assert by_name(item.cluster.vms)["web01"].host is None
    kinds = {w.kind: w.examples for w in item.warnings}
    assert (kinds["host-cpu-missing"], kinds["vm-clustered-unknown"], kinds["vm-host-unmatched"]) == (("HV01",), ("sql01",), ("HV09",))


def test_a_vm_listed_twice_is_used_once_and_same_names_get_their_vmid(tmp_path):
    data = records()
    data.append(dict(data[1]))  # sql01 again: moved while the export ran
    data[4]["Name"] = "web01"  # web02 renamed web01 on another node
    item = load_hyperv(write_json(tmp_path / "d.json", data)).clusters[0]
    names = [vm.name for vm in item.cluster.vms]
    assert names.count("sql01") == 1
    assert {"web01 (6b1f3c52-8d0e-4c3e-9a51-0a4c1d2e3f01)", "web01 (6b1f3c52-8d0e-4c3e-9a51-0a4c1d2e3f02)"} <= set(names)
    assert {w.kind: w.count for w in item.warnings if w.kind.startswith("duplicate")} == {"duplicate-vm": 1, "duplicate-vm-name": 2}


def test_detection():
    assert looks_like_hyperv(PS7) and looks_like_hyperv(PS51) and looks_like_hyperv(NUMBERS)
    assert not looks_like_hyperv(str(FIXTURES / "proxmox" / "resources.json"))
    assert not looks_like_hyperv("scenarios/cluster-c-esx35.toml")
    assert not looks_like_hyperv("no/such/file.json")


def test_warning_kinds_are_unique():
    assert len(set(WARNING_KINDS)) == len(WARNING_KINDS)


# Bad input: one line naming the file, line and field -----------------------------------------------

FIX = "run the export command of docs/platforms-import.md again"
DEPTH = "ConvertTo-Json cut nested objects to text at its default -Depth 2: add -Depth 4, or use the flat command of docs/platforms-import.md"


def one_record_a_line(items: list) -> str:
    """Record i on line i + 2, so the line an error names is known without a parser."""
    return "[\n" + ",\n".join(json.dumps(item) for item in items) + "\n]\n"


def error_for(tmp_path, data, **options) -> tuple[str, str]:
    path = tmp_path / "h.json"
    path.write_text(one_record_a_line(data) if isinstance(data, list) else json.dumps(data))
    return assert_bad_input(as_cli(load_hyperv, str(path), **options)), str(path)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d[1].__setitem__("State", "Hibernated"), "'Hibernated' is not a VM state, in {p} line 3 ([1].State), Get-VM writes Running, Off, Saved, Paused… (or their numbers: 2 Running, 3 Off)"),
        (lambda d: d[1].pop("State"), "VM 'sql01' has no State, in {p} line 3 ([1]), select State in Get-VM, as the command of docs/platforms-import.md does"),
        (lambda d: d[1].__setitem__("MemoryStartup", None), "VM 'sql01' has no MemoryStartup, in {p} line 3 ([1]), select MemoryStartup in Get-VM, as the command of docs/platforms-import.md does"),
        (lambda d: d[1].__setitem__("MemoryStartup", "32 GB"), "'32 GB' is not a whole number, in {p} line 3 ([1].MemoryStartup), " + FIX),
        (lambda d: d[0].__setitem__("State", "Sleeping"), "'Sleeping' is not a cluster node state, in {p} line 2 ([0].State), Get-ClusterNode writes Up, Down, Paused or Joining (0 to 3)"),
        (lambda d: d[0].__setitem__("State", 7), "7 is not a cluster node state, in {p} line 2 ([0].State), Get-ClusterNode writes Up, Down, Paused or Joining (0 to 3)"),
        (lambda d: d[3].__setitem__("Name", "hv01"), "node 'hv01' is listed twice, in {p} line 5 ([3].Name), export one cluster once"),
        (lambda d: d[3].__setitem__("Cluster", "HVCLU02"), "the export holds two clusters ('HVCLU01' and 'HVCLU02'), in {p} line 5 ([3].Cluster), export one cluster at a time"),
        (lambda d: d[1].__setitem__("Kind", "Disk"), "'Disk' is neither 'Node' nor 'VM', in {p} line 3 ([1].Kind), " + FIX),
        (lambda d: d[1].__setitem__("IsClustered", "yes"), "'yes' is not true or false, in {p} line 3 ([1].IsClustered), " + FIX),
        (lambda d: d.__setitem__(1, {"Name": "x"}), "the record is neither a node (TotalPhysicalMemory) nor a VM (MemoryStartup), in {p} line 3 ([1]), " + FIX),
        (lambda d: d.__setitem__(1, 42), "entry 1 of the export is the number 42, not an object, in {p} line 3 ([1]), " + FIX),
        (lambda d: d.__setitem__(1, "@{Kind=VM; Name=sql01}"), "a record was written as text, not as an object, in {p} line 3 ([1]), " + DEPTH),
        (lambda d: d[1].__setitem__("State", "@{Value=Running}"), "State was written as text ('@{{Value=Running}}'), not as a value, in {p} line 3 ([1].State), " + DEPTH),
        (lambda d: d.__setitem__(slice(None), [r for r in d if r["Kind"] == "VM"]), "the export holds no node record (Kind 'Node', with TotalPhysicalMemory), in {p}, give the JSON of the Get-ClusterNode/Get-VM command in docs/platforms-import.md"),
    ],
)
def test_a_bad_record_names_its_place(tmp_path, change, message):
    data = records()
    change(data)
    line, path = error_for(tmp_path, data)
    assert line == message.format(p=path)


def test_nested_vms_cut_to_text_by_the_default_depth(tmp_path):
    node = {**records()[0], "VMs": ["@{Kind=VM; Name=sql01; State=Running; MemoryStartup=34359738368}"]}
    path = tmp_path / "n.json"
    path.write_text(json.dumps([node], indent=2))
    assert assert_bad_input(as_cli(load_hyperv, str(path))) == f"a record was written as text, not as an object, in {path} line 10 ([0].VMs[0]), {DEPTH}"


@pytest.mark.parametrize("reserve", [-1, 2**33, True, "4096"])
def test_a_host_reserve_out_of_range(reserve):
    line = assert_bad_input(as_cli(load_hyperv, PS7, host_reserve_mb=reserve))
    assert line == f"host reserve {reserve!r} MB is out of range, in host_reserve_mb, give whole MB from 0 to 4,294,967,296"


def test_utf16_text_that_breaks_off_names_its_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes("[\r\n{\r\n".encode("utf-16") + b"\x00\xd8")  # a lone high surrogate
    assert assert_bad_input(as_cli(load_hyperv, str(path))) == f"the file is not valid UTF-16 text, in {path} line 3, export it again (PowerShell: Out-File -Encoding utf8)"


def test_an_empty_file(tmp_path):
    path = tmp_path / "e.json"
    path.write_bytes("\r\n".encode("utf-16"))
    line = assert_bad_input(as_cli(load_hyperv, str(path)))
    assert line == f"the file is empty, in {path}, give the JSON of the Get-ClusterNode/Get-VM command in docs/platforms-import.md"


# Fuzz: any JSON shape, in either encoding, is read or refused in one line ----------------------------

KEYS = ["Kind", "Cluster", "Name", "State", "TotalPhysicalMemory", "CpuMhz", "VMs", "value", "Count", "MemoryStartup", "MemoryAssigned", "DynamicMemoryEnabled", "ComputerName", "IsClustered", "VMId"]


@settings(max_examples=200, deadline=None)
@given(data=json_like(KEYS), codec=st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_any_json_shape_is_read_or_refused_in_one_line(tmp_path_factory, data, codec):
    path = tmp_path_factory.mktemp("fuzz") / "h.json"
    path.write_bytes(json.dumps(data).encode(codec))
    result = as_cli(load_hyperv, str(path))
    if result.exit_code:
        assert_bad_input(result)


@settings(max_examples=200, deadline=None)
@given(record=json_like(KEYS), index=st.integers(min_value=0, max_value=9))
def test_one_changed_record_of_a_real_export_is_read_or_refused_in_one_line(tmp_path_factory, record, index):
    data = records()
    data[index] = record
    path = tmp_path_factory.mktemp("fuzz") / "h.json"
    path.write_text(json.dumps(data))
    result = as_cli(load_hyperv, str(path))
    if result.exit_code:
        assert_bad_input(result)
