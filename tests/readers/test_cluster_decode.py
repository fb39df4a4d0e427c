"""Decoding scenario files into the typed Cluster: every field checked, errors located, nothing half-used."""

import io
import textwrap

import pytest

from hacalc.core.errors import InputError
from hacalc.core.vsphere.model import HostState, Policy, RestartPriority, VmMonitoring, VmMonitoringSensitivity
from hacalc.readers import cluster as cluster_module
from hacalc.readers.cluster import load_cluster

HEADER = """\
[cluster]
name = "C"

[[hosts]]
name = "esx"
cpu_mhz = 9000
memory_mb = 9216
"""


def load(text: str, input_format: str = "toml"):
    return load_cluster("-", input_format=input_format, stdin=io.StringIO(textwrap.dedent(text)))


def error(text: str, input_format: str = "toml") -> str:
    with pytest.raises(InputError) as caught:
        load(text, input_format)
    return str(caught.value)


def test_the_issue_example_decodes_with_every_field():
    # the field list of issue 4 §1, with the seed's C-ESX35 names
    cluster = load(
        """\
        [cluster]
        name = "C-ESX35"
        vsphere = "2.5"
        policy = "slot"
        tolerate = 1
        cpu_percent = 25
        memory_percent = 25
        failover_hosts = []
        performance_degradation_percent = 100
        [cluster.options]
        "das.vmCpuMinMHz" = "32"

        [[hosts]]
        name = "ESX35DEV0001"
        cpu_mhz = 9000
        memory_mb = 9216
        state = "connected"
        count = 1

        [[vms]]
        name = "VMWIN2K3-0001"
        cpu_reservation_mhz = 0
        memory_reservation_mb = 0
        memory_overhead_mb = 90
        powered_on = true
        host = "ESX35DEV0001"
        restart_priority = "high"
        count = 1
        """
    )
    settings = cluster.settings
    assert (settings.name, settings.vsphere, settings.policy, settings.tolerate) == ("C-ESX35", "2.5", Policy.slot, 1)
    assert (settings.cpu_percent, settings.memory_percent, settings.performance_degradation_percent) == (25, 25, 100)
    assert settings.options == {"das.vmCpuMinMHz": "32"}
    assert [host.name for host in cluster.hosts] == ["ESX35DEV0001"]  # count = 1 keeps the name
    (vm,) = cluster.vms
    assert (vm.name, vm.memory_overhead_mb, vm.host, vm.restart_priority) == ("VMWIN2K3-0001", 90, "ESX35DEV0001", RestartPriority.high)


def test_defaults_when_fields_are_left_out():
    cluster = load(HEADER + '[[vms]]\nname = "v"\n')
    settings = cluster.settings
    assert (settings.vsphere, settings.policy, settings.tolerate, settings.auto_percent) == ("8.0", Policy.slot, 1, False)
    assert settings.vm_monitoring is None and settings.options == {}
    assert cluster.hosts[0].state is HostState.connected
    vm = cluster.vms[0]
    assert (vm.cpu_reservation_mhz, vm.memory_reservation_mb, vm.memory_overhead_mb, vm.powered_on, vm.host) == (0, 0, 0, True, None)
    assert vm.restart_priority is RestartPriority.medium


def test_count_expands_to_numbered_names():
    cluster = load(HEADER.replace('name = "esx"', 'name = "esx"\ncount = 3') + '[[vms]]\nname = "web"\ncount = 2\nhost = "esx-3"\n')
    assert [host.name for host in cluster.hosts] == ["esx-1", "esx-2", "esx-3"]
    assert [(vm.name, vm.host) for vm in cluster.vms] == [("web-1", "esx-3"), ("web-2", "esx-3")]


def test_yaml_and_json_decode_to_the_same_cluster():
    toml = load(HEADER + '[[vms]]\nname = "v"\nhost = "esx"\n')
    yaml = load("cluster: {name: C}\nhosts:\n- {name: esx, cpu_mhz: 9000, memory_mb: 9216}\nvms:\n- {name: v, host: esx}\n", "yaml")
    json = load('{"cluster": {"name": "C"}, "hosts": [{"name": "esx", "cpu_mhz": 9000, "memory_mb": 9216}], "vms": [{"name": "v", "host": "esx"}]}', "json")
    assert toml == yaml == json


def test_a_numeric_vsphere_version_is_read_as_its_text():
    assert load("cluster: {name: C, vsphere: 6.7}\nhosts: [{name: h, cpu_mhz: 1, memory_mb: 1}]\n", "yaml").settings.vsphere == "6.7"
    assert load("cluster: {name: C, vsphere: 8}\nhosts: [{name: h, cpu_mhz: 1, memory_mb: 1}]\n", "yaml").settings.vsphere == "8.0"


@pytest.mark.parametrize("number", ["6.65", "8.04"])
def test_a_numeric_vsphere_version_is_not_rounded_to_a_known_one(number):
    # review: 6.65 was rounded to 6.7 and 8.04 to 8.0 without a word
    text = HEADER.replace('name = "C"', f'name = "C"\nvsphere = {number}')
    assert error(text).startswith(f"unknown vSphere version '{number}', in <stdin> line 3 (cluster.vsphere), use one of 2.5, ")


def test_vm_monitoring_and_fixed_slot_settings():
    cluster = load(
        HEADER.replace(
            'name = "C"',
            'name = "C"\nfixed_slot_cpu_mhz = 500\nfixed_slot_memory_mb = 1024\ncount_standby = true\n'
            '[cluster.vm_monitoring]\nsensitivity = "high"\nmin_uptime_s = 180\nreset_window_s = -1',
        )
    )
    settings = cluster.settings
    assert (settings.fixed_slot_cpu_mhz, settings.fixed_slot_memory_mb, settings.count_standby) == (500, 1024, True)
    assert settings.vm_monitoring == VmMonitoring(sensitivity=VmMonitoringSensitivity.high, min_uptime_s=180, reset_window_s=-1)


@pytest.mark.parametrize(
    "change, expected",
    [
        ('cpu_mzh = 1', "unknown field 'cpu_mzh', in <stdin> line 8 (hosts[0].cpu_mzh), did you mean 'cpu_mhz'?"),
        ('cpu_mhz = "9000"', "cpu_mhz must be a whole number of MHz, got string '9000', in <stdin> line 8 (hosts[0].cpu_mhz)"),
        ("cpu_mhz = 9000.5", "cpu_mhz must be a whole number of MHz, got number 9000.5, in <stdin> line 8 (hosts[0].cpu_mhz)"),
        ("cpu_mhz = true", "cpu_mhz must be a whole number of MHz, got boolean true"),
        ("cpu_mhz = -1", "cpu_mhz = -1 is out of range, in <stdin> line 8 (hosts[0].cpu_mhz), use a whole number 0 or more"),
        ('state = "maintenence"', "state must be one of connected, maintenance, disconnected, not-responding, standby, ha-error, got 'maintenence', in <stdin> line 8 (hosts[0].state), did you mean 'maintenance'?"),
        ("count = 0", "count = 0 is out of range, in <stdin> line 8 (hosts[0].count), use a whole number from 1 to 100000"),
        ("name = 7", "name must be a non-empty string, got number 7"),
    ],
)
def test_host_field_errors_name_line_and_path(change, expected):
    text = host_with(change)
    assert error(text).startswith(expected.replace("line 8", f"line {text.count(chr(10))}"))


def host_with(change: str) -> str:
    """A one-host file whose last line is ``change`` (replacing that field if the host has it)."""
    host = {"name": 'name = "esx"', "cpu_mhz": "cpu_mhz = 9000", "memory_mb": "memory_mb = 9216"}
    host.pop(change.split(" =")[0], None)
    return '[cluster]\nname = "C"\n\n[[hosts]]\n' + "\n".join([*host.values(), change]) + "\n"


@pytest.mark.parametrize(
    "change, expected",
    [
        ('tolerate = 0', "tolerate = 0 is out of range, in <stdin> line 3 (cluster.tolerate), use a whole number 1 or more"),
        ('cpu_percent = 101', "cpu_percent = 101 is out of range, in <stdin> line 3 (cluster.cpu_percent), use a whole number from 0 to 100"),
        ('policy = "percent"', "policy must be one of slot, percentage, failover-hosts, none, got 'percent', in <stdin> line 3 (cluster.policy), did you mean 'percentage'?"),
        ('vsphere = "9.0"', "unknown vSphere version '9.0', in <stdin> line 3 (cluster.vsphere), use one of"),
        ('auto_percent = "yes"', "auto_percent must be true or false, got string 'yes'"),
        ("auto_percent = true\ncpu_percent = 25", "auto_percent = true and a fixed cpu_percent/memory_percent contradict each other"),
        ("fixed_slot_cpu_mhz = 500", "a fixed slot size needs both dimensions, fixed_slot_memory_mb is missing, in <stdin> line 1 (cluster)"),
        ('failover_hosts = "esx"', "failover_hosts must be a list of names, got string 'esx'"),
        ('failover_hosts = ["exs"]', "unknown failover host 'exs', in <stdin> line 3 (cluster.failover_hosts[0]), did you mean 'esx'?"),
        ('failover_hosts = ["esx", "esx"]', "failover_hosts names a host twice"),
        ('tolerance = 2', "unknown field 'tolerance', in <stdin> line 3 (cluster.tolerance), did you mean 'tolerate'?"),
    ],
)
def test_cluster_field_errors(change, expected):
    assert error(HEADER.replace('name = "C"', 'name = "C"\n' + change)).startswith(expected)


def test_option_values_must_be_strings_as_vcenter_stores_them():
    # vCenter's API refuses non-string option values (ansible-collections/vmware.vmware #190)
    text = HEADER.replace('name = "C"', 'name = "C"\n[cluster.options]\n"das.vmCpuMinMHz" = 32')
    assert error(text) == (
        "option das.vmCpuMinMHz must be a string as vCenter stores it, got number 32, "
        'in <stdin> line 4 (cluster.options.das.vmCpuMinMHz), quote the value: "das.vmCpuMinMHz" = "32"'
    )


def test_option_keys_must_be_strings():
    # review: a YAML key such as 1 reached admission control, which crashed calling key.strip()
    text = 'cluster:\n  name: C\n  options: {1: "2"}\nhosts: [{name: h, cpu_mhz: 1, memory_mb: 1}]\n'
    assert error(text, "yaml") == (
        "option key 1 must be a string such as das.vmCpuMinMHz, got number 1, in <stdin> line 3 (cluster.options.1), "
        'quote the key: "1" = "2"'
    )


def test_option_keys_are_kept_as_typed_for_admission_control_to_judge():
    text = HEADER.replace('name = "C"', 'name = "C"\n[cluster.options]\nVMFailoverEnabled = "true"\n"das.MinUptime" = "180"')
    assert load(text).settings.options == {"VMFailoverEnabled": "true", "das.MinUptime": "180"}


@pytest.mark.parametrize(
    "text, expected",
    [
        (HEADER + '[[vms]]\nname = "v"\nhost = "ESX"\n', "unknown host 'ESX', in <stdin> line 10 (vms[0].host), did you mean 'esx'?"),
        (HEADER + '[[vms]]\nname = "v"\nhost = "zzz"\n', "unknown host 'zzz', in <stdin> line 10 (vms[0].host), name a host listed under [[hosts]]"),
        (HEADER + '[[vms]]\nname = "v"\nmemory_reservaton_mb = 1\n', "unknown field 'memory_reservaton_mb', in <stdin> line 10 (vms[0].memory_reservaton_mb), did you mean 'memory_reservation_mb'?"),
        (HEADER + '[[vms]]\nname = "v"\nrestart_priority = "hi"\n', "restart_priority must be one of disabled, lowest, low, medium, high, highest, got 'hi'"),
        (HEADER + '[[vms]]\nname = "v"\npowered_on = "yes"\n', "powered_on must be true or false, got string 'yes'"),
        (HEADER + '[[vms]]\ncpu_reservation_mhz = 1\n', "missing field 'name' in vms[0], in <stdin> line 8 (vms[0])"),
        (HEADER.replace("cpu_mhz = 9000\n", ""), "missing field 'cpu_mhz' in hosts[0], in <stdin> line 4 (hosts[0])"),
        ('[cluster]\nname = "C"\n', "missing field 'hosts', in <stdin>, add hosts = …"),
        ("[[hosts]]\nname = 'h'\ncpu_mhz = 1\nmemory_mb = 1\n", "missing field 'cluster', in <stdin>"),
        (HEADER + "vm = 1\n", "unknown field 'vm', in <stdin> line 8 (hosts[0].vm), use one of name, cpu_mhz, memory_mb, state, host_reserve_mb, count"),
    ],
)
def test_vm_and_structure_errors(text, expected):
    assert error(text).startswith(expected)


def test_unknown_top_level_field_has_a_did_you_mean():
    assert error("host = []\n" + HEADER).startswith("unknown field 'host', in <stdin> line 1 (host), did you mean 'hosts'?")


@pytest.mark.parametrize("text", ["", "- 1\n", "just text\n"])
def test_a_yaml_file_that_is_not_a_table_is_refused(text):
    assert error(text, "yaml").startswith("the file must be a table")


def test_hosts_must_be_a_non_empty_list_of_tables():
    assert error('{"cluster": {"name": "C"}, "hosts": []}', "json").startswith("hosts is empty, in <stdin> line 1 (hosts)")
    assert error('{"cluster": {"name": "C"}, "hosts": {"name": "h"}}', "json").startswith("hosts must be a list of tables, got a table")
    assert error('{"cluster": {"name": "C"}, "hosts": ["h"]}', "json").startswith("hosts[0] must be a table, got string 'h'")


def test_duplicate_names_after_expansion_are_refused():
    text = HEADER.replace('name = "esx"', 'name = "esx"\ncount = 2') + '\n[[hosts]]\nname = "esx-2"\ncpu_mhz = 1\nmemory_mb = 1\n'
    assert error(text) == "duplicate host name 'esx-2' (also at line 4), in <stdin> line 11 (hosts[1].name), give every host and VM its own name"


def test_duplicate_vm_names_are_refused():
    text = HEADER + '[[vms]]\nname = "v"\n[[vms]]\nname = "v"\n'
    assert error(text).startswith("duplicate VM name 'v' (also at line 8), in <stdin> line 11 (vms[1].name)")


def test_expanded_totals_are_capped(monkeypatch):
    monkeypatch.setattr(cluster_module, "MAX_VMS", 10)
    text = HEADER + '[[vms]]\nname = "a"\ncount = 6\n[[vms]]\nname = "b"\ncount = 5\n'
    assert error(text).startswith("the file describes 11 VMs, in <stdin> line 8 (vms), hacalc reads at most 10 VMs")


def test_an_error_in_the_last_vm_returns_nothing():
    # nothing of a malformed file is half-used: the whole load fails, with the last entry located
    text = HEADER + "".join(f'[[vms]]\nname = "v{number}"\n' for number in range(50)) + '[[vms]]\nname = "bad"\nhost = "nowhere"\n'
    assert "(vms[50].host)" in error(text)


def test_configured_memory_is_decoded_and_optional():
    cluster = load(HEADER + '[[vms]]\nname = "a"\nmemory_reservation_mb = 512\nmemory_mb = 2048\n[[vms]]\nname = "b"\n')
    assert [vm.memory_mb for vm in cluster.vms] == [2048, None]


@pytest.mark.parametrize(
    ("value", "words"),
    [("511", "memory_mb = 511 is below memory_reservation_mb = 512"), ("-1", "memory_mb = -1 is out of range"), ('"2 GB"', "memory_mb must be a whole number")],
)
def test_bad_configured_memory_names_its_line_and_field(value, words):
    message = error(HEADER + f'[[vms]]\nname = "a"\nmemory_reservation_mb = 512\nmemory_mb = {value}\n')
    assert words in message and "line 11" in message and "vms[0].memory_mb" in message
