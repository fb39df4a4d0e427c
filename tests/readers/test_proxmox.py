"""Proxmox VE pvesh exports into one proxmox Cluster.

Fixture shapes follow the API schema: proxmox/pve-manager @ 14a22df (``PVE/API2/Cluster.pm`` resources and
get_status, ``PVE/API2Tools.pm``) and proxmox/pve-ha-manager @ b71218f (``src/PVE/HA/Resources.pm``); see
tests/fixtures/proxmox/README.md. Expected values are worked out by hand from the fixture's bytes and cores.
"""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract import assert_bad_input
from hacalc.core.errors import InputError
from hacalc.core.vsphere.inventory import Capacity
from hacalc.core.vsphere.model import HostState, Platform
from hacalc.readers.proxmox import MILLICORES, WARNING_KINDS, load_proxmox, looks_like_proxmox
from platform_helpers import FIXTURES, as_cli, json_like, write_json

DIR = FIXTURES / "proxmox"
RESOURCES, HA, STATUS = (str(DIR / name) for name in ("resources.json", "ha-resources.json", "status.json"))


def resources() -> list[dict]:
    return json.loads((DIR / "resources.json").read_text())


def by_name(items):
    return {item.name: item for item in items}


def test_the_three_exports_make_one_proxmox_cluster_named_by_the_status_file():
    inventory = load_proxmox([RESOURCES, HA, STATUS])
    (item,) = inventory.clusters
    cluster = item.cluster
    assert cluster.settings.name == "pve-prod" and cluster.settings.platform is Platform.proxmox
    assert item.capacity is Capacity.physical and item.facts["name_from"] == "status file"
    hosts = by_name(cluster.hosts)
    # maxmem 270,097,235,968 B / 1,048,576 = 257,584.796875 MiB, rounded down; maxcpu 32 cores = 32,000 millicores
    assert (hosts["pve1"].memory_mb, hosts["pve1"].cpu_mhz, hosts["pve1"].state) == (257_584, 32_000, HostState.connected)
    # 135,048,617,984 B = 128,792.398… MiB; status offline
    assert (hosts["pve3"].memory_mb, hosts["pve3"].cpu_mhz, hosts["pve3"].state) == (128_792, 16_000, HostState.disconnected)
    vms = by_name(cluster.vms)
    assert set(vms) == {"web01", "db01", "dns01", "build01", "guest 103"}  # the template is skipped
    web, db, dns, build = vms["web01"], vms["db01"], vms["dns01"], vms["build01"]
    assert (web.memory_mb, web.cpu_mhz, web.powered_on, web.host, web.ha) == (8192, 4000, True, "pve1", True)  # 8 GiB, 4 cores, vm:100 started
    assert (db.memory_mb, db.cpu_mhz, db.ha) == (32_768, 8000, True)  # vm:101 started (in a group)
    assert (dns.memory_mb, dns.cpu_mhz, dns.ha) == (512, 1500, False)  # lxc cpulimit 1.5 cores; ct:200 disabled
    assert (build.powered_on, build.ha) == (False, False)
    assert all(vm.cpu_reservation_mhz == 0 and vm.memory_reservation_mb == 0 for vm in cluster.vms)
    assert {w.kind: w.count for w in inventory.warnings} == {"entries-ignored": 5, "ha-affinity-ignored": 1}
    assert {w.kind: (w.count, w.examples) for w in item.warnings} == {
        "templates-skipped": (1, ("debian-12-template",)),
        "guests-stopped": (1, ("build01",)),
        "guest-status-unknown": (1, ("guest 103",)),
    }
    assert next(w for w in inventory.warnings if w.kind == "entries-ignored").examples == ("storage ×3", "pool ×1", "sdn ×1")


def test_the_files_may_come_in_any_order():
    first = load_proxmox([RESOURCES, HA, STATUS])
    for order in itertools.permutations([RESOURCES, HA, STATUS]):
        assert load_proxmox(list(order)) == first


def test_without_the_ha_file_the_resources_hastate_decides_and_a_warning_says_so():
    inventory = load_proxmox([RESOURCES])
    vms = by_name(inventory.clusters[0].cluster.vms)
    assert (vms["web01"].ha, vms["db01"].ha, vms["dns01"].ha, vms["build01"].ha) == (True, True, False, False)  # dns01: hastate disabled
    assert [w.kind for w in inventory.warnings] == ["entries-ignored", "ha-from-hastate"]


def test_without_the_ha_file_or_any_hastate_no_guest_is_ha(tmp_path):
    data = [{key: value for key, value in entry.items() if key != "hastate"} for entry in resources()]
    inventory = load_proxmox([write_json(tmp_path / "pve-lab.json", data)])
    assert not any(vm.ha for vm in inventory.clusters[0].cluster.vms)
    assert "ha-file-missing" in [w.kind for w in inventory.warnings]
    assert inventory.clusters[0].name == "pve-lab"  # no status file: the resources file's name
    assert inventory.clusters[0].facts["name_from"] == "file name"


def test_an_empty_ha_export_means_no_ha_resource(tmp_path):
    inventory = load_proxmox([RESOURCES, write_json(tmp_path / "ha.json", [])])
    assert not any(vm.ha for vm in inventory.clusters[0].cluster.vms)
    assert "ha-from-hastate" not in [w.kind for w in inventory.warnings]


def test_ha_states_follow_the_schema_started_stopped_and_enabled_are_recovered(tmp_path):
    # src/PVE/HA/Resources.pm: `enabled` is an alias for `started`; `stopped` is still relocated on node failure;
    # `disabled` and `ignored` are not relocated. A missing state is the default, `started`.
    states = {"100": "enabled", "101": "stopped", "102": None, "200": "ignored"}
    ha = [{"sid": f"{'ct' if vmid == '200' else 'vm'}:{vmid}", "type": "vm", **({"state": state} if state else {})} for vmid, state in states.items()]
    vms = by_name(load_proxmox([RESOURCES, write_json(tmp_path / "ha.json", ha)]).clusters[0].cluster.vms)
    assert (vms["web01"].ha, vms["db01"].ha, vms["build01"].ha, vms["dns01"].ha) == (True, True, True, False)


def test_an_ha_resource_without_its_guest_is_counted(tmp_path):
    ha = [{"sid": "vm:100"}, {"sid": "vm:555"}, {"sid": "ct:100"}]  # ct:100 is not the qemu guest 100
    ha[2]["sid"] = "ct:101"
    inventory = load_proxmox([RESOURCES, write_json(tmp_path / "ha.json", ha)])
    warning = next(w for w in inventory.warnings if w.kind == "ha-resource-without-guest")
    assert (warning.count, warning.examples) == (2, ("vm:555", "ct:101"))


@pytest.mark.parametrize("maxcpu, millicores", [(1, 1000), (0.5, 500), (1.25, 1250), ("0.3333", 334), (2.0001, 2001)])
def test_guest_cpu_is_in_millicores_rounded_up(tmp_path, maxcpu, millicores):
    data = resources()
    data[5]["maxcpu"] = json.loads(maxcpu) if isinstance(maxcpu, str) else maxcpu  # dns01, an lxc guest
    vms = by_name(load_proxmox([write_json(tmp_path / "r.json", data)]).clusters[0].cluster.vms)
    assert vms["dns01"].cpu_mhz == millicores
    assert MILLICORES == 1000


def test_guest_memory_is_rounded_up_to_whole_mib(tmp_path):
    data = resources()
    data[3]["maxmem"] = 8 * 2**30 + 1  # one byte over 8 GiB
    vms = by_name(load_proxmox([write_json(tmp_path / "r.json", data)]).clusters[0].cluster.vms)
    assert vms["web01"].memory_mb == 8193


def test_a_node_in_ha_maintenance_is_in_maintenance_and_one_without_stats_is_left_out(tmp_path):
    data = resources()
    data[1]["hastate"] = "maintenance"
    del data[2]["maxmem"]  # pve3: no RRD data
    item = load_proxmox([write_json(tmp_path / "r.json", data)]).clusters[0]
    hosts = by_name(item.cluster.hosts)
    assert hosts["pve2"].state is HostState.maintenance and "pve3" not in hosts
    assert by_name(item.cluster.vms)["guest 103"].host is None
    assert {w.kind: w.examples for w in item.warnings if w.kind in ("node-without-capacity", "guest-node-unmatched")} == {
        "node-without-capacity": ("pve3",),
        "guest-node-unmatched": ("pve3",),
    }


def test_guests_that_share_a_name_get_their_vmid(tmp_path):
    data = resources()
    data[4]["name"] = "web01"
    item = load_proxmox([write_json(tmp_path / "r.json", data)]).clusters[0]
    assert {"web01 (100)", "web01 (101)"} <= {vm.name for vm in item.cluster.vms}
    assert [w.count for w in item.warnings if w.kind == "duplicate-guest-name"] == [2]


def test_detection():
    assert looks_like_proxmox(RESOURCES) and looks_like_proxmox(HA) and looks_like_proxmox(STATUS)
    assert not looks_like_proxmox(str(FIXTURES / "hyperv" / "hyperv.json"))
    assert not looks_like_proxmox("scenarios/cluster-c-esx35.toml")
    assert not looks_like_proxmox("no/such/file.json")


def test_warning_kinds_are_unique():
    assert len(set(WARNING_KINDS)) == len(WARNING_KINDS)


# Bad input: one line naming the file, line and field -----------------------------------------------


def error_of(*sources: str) -> str:
    return assert_bad_input(as_cli(load_proxmox, list(sources)))


def bad_resources(tmp_path, change) -> str:
    data = resources()
    change(data)
    return write_json(tmp_path / "r.json", data)


def test_a_file_that_is_not_a_pvesh_export(tmp_path):
    path = write_json(tmp_path / "x.json", [{"name": "a"}])
    assert error_of(path).startswith(f"not a pvesh export: its entries have neither 'type' and 'id' (/cluster/resources) nor 'sid' (/cluster/ha/resources), in {path}, give ")


def test_the_resources_export_is_required():
    assert error_of(HA, STATUS) == f"no /cluster/resources export among the files, in {HA}, {STATUS}, add the output of pvesh get /cluster/resources --output-format json"


def test_the_same_export_twice(tmp_path):
    assert error_of(RESOURCES, RESOURCES).startswith(f"two resources files ({RESOURCES} and {RESOURCES}), in {RESOURCES}")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.__setitem__(3, "qemu/100"), "entry 3 of the resources export is the text 'qemu/100', not an object, in {p} line 5 ([3]), export it again with pvesh get … --output-format json"),
        (lambda d: d[3].pop("type"), "the entry has no 'type', in {p} line 5 ([3]), export it again with pvesh get … --output-format json"),
        (lambda d: d[3].__setitem__("maxmem", "8G"), "'8G' is not a whole number, in {p} line 5 ([3].maxmem), export it again with pvesh get … --output-format json"),
        (lambda d: d[0].__setitem__("maxmem", -1), "-1 is out of range, in {p} line 2 ([0].maxmem), give a whole number from 0 to 9,223,372,036,854,775,808"),
        (lambda d: d[3].__setitem__("maxcpu", "four"), "'four' is not a number, in {p} line 5 ([3].maxcpu), export it again with pvesh get … --output-format json"),
        (lambda d: d[3].__setitem__("template", "maybe"), "'maybe' is not true or false, in {p} line 5 ([3].template), export it again with pvesh get … --output-format json"),
        (lambda d: d[1].__setitem__("node", "pve1"), "node 'pve1' is listed twice, in {p} line 3 ([1].node), give one pvesh export of one cluster"),
        (lambda d: d[4].__setitem__("vmid", 100), "guest '100' is listed twice, in {p} line 6 ([4].vmid), give one pvesh export of one cluster"),
        (lambda d: d[4].pop("vmid"), "the guest entry has no 'vmid', in {p} line 6 ([4]), export it again with pvesh get … --output-format json"),
        (lambda d: d[0].__setitem__("maxmem", 2**62), "4,398,046,511,104 MiB is more than any host has, in {p} line 2 ([0].maxmem), export it again"),
    ],
)
def test_a_bad_value_in_the_resources_export_names_its_place(tmp_path, change, message):
    data = resources()
    change(data)
    path = tmp_path / "r.json"
    path.write_text(one_entry_a_line(data))
    assert error_of(str(path)) == message.format(p=path)


def one_entry_a_line(entries: list) -> str:
    """Entry i on line i + 2, so the line an error names is known without a parser."""
    return "[\n" + ",\n".join(json.dumps(entry) for entry in entries) + "\n]\n"


def test_no_node_at_all(tmp_path):
    path = bad_resources(tmp_path, lambda d: d.__setitem__(slice(None), [e for e in d if e["type"] != "node"]))
    assert error_of(path) == f"the resources export lists no node (no entry of type 'node'), in {path}, give the whole output of pvesh get /cluster/resources, not one filtered by --type"


@pytest.mark.parametrize(
    "ha, message",
    [
        ([{"sid": "vm-100"}], "'vm-100' is not an HA resource id, in {p} line 3 ([0].sid), pvesh writes vm:VMID or ct:VMID"),
        ([{"sid": "vm:100", "state": "running"}], "'running' is not an HA resource state, in {p} line 4 ([0].state), pvesh writes started, stopped, enabled, disabled or ignored"),
        ([{"sid": "vm:100"}, {"sid": "100"}], "HA resource '100' is listed twice, in {p} line 6 ([1].sid), give one pvesh export of one cluster"),
        ([{"sid": "vm:100"}, {"state": "started", "sid": None}], "the entry has no 'sid', in {p} line 5 ([1]), export it again with pvesh get … --output-format json"),
    ],
)
def test_a_bad_ha_resource_names_its_place(tmp_path, ha, message):
    path = write_json(tmp_path / "ha.json", ha)
    assert error_of(RESOURCES, path) == message.format(p=path)


def test_invalid_json_names_its_line(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('[\n{"type": "node",\n "node": "pve1" "maxmem": 1}\n]')
    assert error_of(str(path)) == f"cannot read JSON: Expecting ',' delimiter, in {path} line 3, fix the JSON syntax"


def test_bytes_that_are_not_text_name_their_line(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(b'[{"type": "node",\n"node": "pve\xff"}]')
    assert error_of(str(path)) == f"the file is not valid UTF-8 text, in {path} line 2, export it again (PowerShell: Out-File -Encoding utf8)"


def test_a_missing_file():
    assert error_of("no/such.json") == "no such file 'no/such.json', check the path"


def test_nothing_given():
    with pytest.raises(InputError, match="no Proxmox export given"):
        load_proxmox([])


# Fuzz: any JSON, in any of the three roles, is read or refused in one line -------------------------

KEYS = ["type", "id", "node", "status", "maxmem", "maxcpu", "vmid", "name", "template", "hastate", "sid", "state", "group", "nodeid", "quorate"]


@settings(max_examples=200, deadline=None)
@given(data=json_like(KEYS))
def test_any_json_shape_is_read_or_refused_in_one_line(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "r.json"
    path.write_text(json.dumps(data))
    for sources in ([str(path)], [RESOURCES, str(path)], [str(path), HA]):
        result = as_cli(load_proxmox, sources)
        if result.exit_code:
            assert_bad_input(result)


@settings(max_examples=200, deadline=None)
@given(entry=json_like(KEYS), index=st.integers(min_value=0, max_value=13))
def test_one_changed_entry_of_a_real_export_is_read_or_refused_in_one_line(tmp_path_factory, entry, index):
    data = resources()
    data[index] = entry
    path = tmp_path_factory.mktemp("fuzz") / "r.json"
    path.write_text(json.dumps(data))
    result = as_cli(load_proxmox, [str(path), HA, STATUS])
    if result.exit_code:
        assert_bad_input(result)
