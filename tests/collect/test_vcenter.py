"""hacalc cluster collect against govmomi's vCenter simulator: what the tests configure is what the snapshot holds.

Expected values are worked out by hand from the configuration below; the slot and percentage arithmetic
follows vsphere-ha.md §1.2 and §1.3 (32 MHz per VM without a CPU reservation from 5.0, memory 0 MB).
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from contract import assert_bad_input
from hacalc.cli.app import app
from hacalc.cli.vcenter import DEFAULT_PASSWORD_ENV, describe_warning
from hacalc.collect.vcenter import Connection, build_inventory, collect_inventory, parse_server, vsphere_profile
from hacalc.core.errors import InputError
from hacalc.core.vsphere.check import check_cluster
from hacalc.core.vsphere.inventory import Capacity, Source
from hacalc.core.warnings import DataWarning
from hacalc.core.vsphere.model import Host, HostState, Policy, RestartPriority, VM, VmMonitoring
from hacalc.readers.cluster import decode_scenario
from hacalc.readers.files import read_document

from conftest import PASSWORD, USER

HOST_FLAGS = ("-host-cpu-mhz", "2000", "-host-cores", "4", "-host-memory-mb", "16384")  # 8000 MHz, 16384 MB a host


def connection(simulator, **changes) -> Connection:
    return Connection(**{"server": simulator.url, "user": USER, "password": PASSWORD, "insecure": True, "timeout": 10.0, **changes})


@pytest.fixture
def slot_cluster(start_vcsim):
    """Four hosts (one in maintenance), three powered-on VMs with reservations, a template; slot policy tolerating 2."""
    simulator = start_vcsim(
        "-host", "4", "-vm", "4", *HOST_FLAGS, "-vm-memory-mb", "8192", "-version", "7.0.3", "-build", "21477706",
        "-policy", "slot", "-failover-level", "2", "-vm-overhead", "DC0_C0_RP0_VM0=100",
        "-vm-monitoring", "vmMonitoringOnly", "-failure-interval", "60", "-max-failure-window", "86400",
        "-isolation-response", "powerOff", "-option", "das.isolationaddress0=10.0.0.1",
    )  # fmt: skip
    for vm, host in (("VM0", "H0"), ("VM1", "H1"), ("VM2", "H2")):
        simulator.place(f"DC0_C0_RP0_{vm}", f"DC0_C0_{host}")
    simulator.reserve("DC0_C0_RP0_VM0", 2000, 4096)
    simulator.reserve("DC0_C0_RP0_VM1", 1000, 2048)
    simulator.restart_priority("DC0_C0", "DC0_C0_RP0_VM1", "high")
    simulator.make_template("DC0_C0_RP0_VM3")
    simulator.maintenance("DC0_C0_H3")
    return simulator


def test_slot_cluster_snapshot_holds_what_was_configured(slot_cluster):
    inventory = collect_inventory(connection(slot_cluster))
    (item,) = inventory.clusters
    cluster = item.cluster
    assert inventory.source == "vcenter"
    assert inventory.facts["vcenter_version"] == "7.0.3" and inventory.facts["vcenter_build"] == "21477706"
    assert cluster.settings.vsphere == "7.0u3"  # vCenter 7.0.3 is 7.0 Update 3
    assert (cluster.settings.policy, cluster.settings.tolerate) == (Policy.slot, 2)
    assert cluster.settings.options == {"das.isolationaddress0": "10.0.0.1"}
    assert cluster.settings.vm_monitoring == VmMonitoring(enabled=True, failure_interval_s=60, min_uptime_s=120, max_resets=3, reset_window_s=86400)
    assert cluster.hosts == (
        Host("DC0_C0_H0", 8000, 16384),
        Host("DC0_C0_H1", 8000, 16384),
        Host("DC0_C0_H2", 8000, 16384),
        Host("DC0_C0_H3", 8000, 16384, HostState.maintenance),
    )
    assert cluster.vms == (
        VM("DC0_C0_RP0_VM0", 2000, 4096, 100, True, "DC0_C0_H0", RestartPriority.medium, 8192),
        VM("DC0_C0_RP0_VM1", 1000, 2048, 0, True, "DC0_C0_H1", RestartPriority.high, 8192),
        VM("DC0_C0_RP0_VM2", 0, 0, 0, True, "DC0_C0_H2", RestartPriority.medium, 8192),
    )
    assert item.capacity is Capacity.physical  # vcsim reports no systemResources
    assert item.facts["isolation_response"] == "powerOff" and item.facts["ha_enabled"] == "true"
    assert {name: item.source_of(name) for name in ("policy", "tolerate", "options", "vm_monitoring", "cpu_percent")} == {
        "policy": Source.vcenter,
        "tolerate": Source.vcenter,
        "options": Source.vcenter,
        "vm_monitoring": Source.vcenter,
        "cpu_percent": Source.default,
    }
    warnings = {warning.kind: warning for warning in item.warnings}
    assert warnings["template-excluded"].examples == ("DC0_C0_RP0_VM3",)
    assert warnings["physical-capacity"].count == 4
    assert (warnings["overhead-unknown"].count, warnings["overhead-unknown"].examples) == (2, ("DC0_C0_RP0_VM1", "DC0_C0_RP0_VM2"))


def test_slot_cluster_verdict_counts_the_maintenance_host_out(slot_cluster):
    """Slot = (2000 MHz, 4096 + 100 MB); a host: min(8000 // 2000, 16384 // 4196) = 3 slots; 3 counted hosts = 9 slots, 3 used.

    Removing the hosts with most slots: 6 >= 3 and 3 >= 3, 0 < 3, so the failover level is 2: PASS against 2,
    FAIL against 3 (with H3 counted it would be 3). After any 2 failures the last host holds all three VMs
    (2000 + 1000 + 32 MHz, 4196 + 2048 + 0 MB).
    """
    (item,) = collect_inventory(connection(slot_cluster)).clusters
    report = check_cluster(item.cluster)
    assert (report.slot.cpu_mhz, report.slot.memory_mb, report.slot.total_slots, report.slot.used_slots) == (2000, 4196, 9, 3)
    assert report.slot.current_failover_level == 2
    assert report.passed and report.restart.passed
    assert [host.counted for host in report.hosts] == [True, True, True, False]
    stricter = check_cluster(item.cluster, tolerate=3)
    assert not stricter.policy_passed and not stricter.passed


@pytest.fixture
def percentage_cluster(start_vcsim):
    """Two clusters: DC0_C0 with the percentage policy and host system reservations, DC0_C1 as vcsim leaves it (HA off)."""
    simulator = start_vcsim(
        "-cluster", "2", "-host", "3", "-vm", "2", *HOST_FLAGS, "-vm-memory-mb", "8192", "-host-system-cpu-mhz", "500", "-host-system-memory-mb", "1024",
        "-ha-cluster", "DC0_C0", "-policy", "percentage", "-cpu-percent", "25", "-memory-percent", "30", "-auto-compute",
        "-performance-degradation", "50",
    )  # fmt: skip
    simulator.reserve("DC0_C0_RP0_VM0", 3000, 6000)
    simulator.configure_memory("DC0_C0_RP0_VM1", 2048, locked_to_max=True)
    return simulator


def test_percentage_cluster_uses_usable_capacity_and_its_percentages(percentage_cluster):
    """Usable = physical less systemResources: 8000 - 500 MHz, 16384 - 1024 MB a host; 22500 MHz, 46080 MB in all.

    Required: CPU 3000 + 32 (VM1 has no CPU reservation) = 3032 MHz; memory 6000 + 2048 (VM1 locked to its
    2048 MB) = 8048 MB. Free: (22500 - 3032) / 22500 = 86.5 %, (46080 - 8048) / 46080 = 82.5 %, cut to 86 and 82.
    """
    inventory = collect_inventory(connection(percentage_cluster), ["DC0_C0"])
    (item,) = inventory.clusters
    settings = item.cluster.settings
    assert (settings.policy, settings.cpu_percent, settings.memory_percent, settings.auto_percent) == (Policy.percentage, 25, 30, True)
    assert settings.performance_degradation_percent == 50 and settings.vsphere == "6.5"
    assert item.capacity is Capacity.usable
    assert {(host.cpu_mhz, host.memory_mb) for host in item.cluster.hosts} == {(7500, 15360)}
    assert (item.facts["effective_cpu_mhz"], item.facts["effective_memory_mb"]) == ("22500", "46080")  # summary.effectiveCpu/Memory
    locked = next(vm for vm in item.cluster.vms if vm.name == "DC0_C0_RP0_VM1")
    assert (locked.memory_reservation_mb, locked.memory_mb) == (2048, 2048)
    report = check_cluster(item.cluster).percentage
    assert (report.total_host_cpu_mhz, report.total_host_memory_mb, report.required_cpu_mhz, report.required_memory_mb) == (22500, 46080, 3032, 8048)
    assert (report.cpu_failover_percent, report.memory_failover_percent) == (86, 82)


def test_a_cluster_without_ha_is_checked_with_no_policy_and_says_so(percentage_cluster):
    (item,) = collect_inventory(connection(percentage_cluster), ["*C1"]).clusters
    assert item.name == "DC0_C1"
    assert item.cluster.settings.policy is Policy.none
    assert item.facts["ha_enabled"] == "false"
    assert "ha-disabled" in {warning.kind for warning in item.warnings}


def test_all_clusters_are_collected_in_name_order(percentage_cluster):
    assert [item.name for item in collect_inventory(connection(percentage_cluster)).clusters] == ["DC0_C0", "DC0_C1"]


def test_failover_hosts_policy_names_its_hosts(start_vcsim):
    simulator = start_vcsim("-host", "3", "-vm", "1", *HOST_FLAGS, "-policy", "failover-hosts", "-failover-hosts", "DC0_C0_H2")
    (item,) = collect_inventory(connection(simulator)).clusters
    assert (item.cluster.settings.policy, item.cluster.settings.failover_hosts, item.cluster.settings.tolerate) == (Policy.failover_hosts, ("DC0_C0_H2",), 1)


def test_admission_control_off_is_policy_none_with_the_configured_policy_as_a_fact(start_vcsim):
    simulator = start_vcsim("-host", "2", "-vm", "1", "-policy", "slot", "-admission-control=false")
    (item,) = collect_inventory(connection(simulator)).clusters
    assert item.cluster.settings.policy is Policy.none
    assert (item.facts["admission_control_enabled"], item.facts["admission_control_policy"]) == ("false", "slot")


def test_fixed_slot_size_is_read(start_vcsim):
    simulator = start_vcsim("-host", "2", "-vm", "1", "-policy", "slot", "-slot-cpu-mhz", "500", "-slot-memory-mb", "1024")
    (item,) = collect_inventory(connection(simulator)).clusters
    assert (item.cluster.settings.fixed_slot_cpu_mhz, item.cluster.settings.fixed_slot_memory_mb) == (500, 1024)


# The command: the snapshot file, its round trip, and one line for every failure. ----------------------------


@pytest.fixture
def cli():
    """``hacalc cluster collect`` with the test's password in its environment variable."""
    runner = CliRunner()

    def invoke(*args: str, password: str | None = PASSWORD, env: dict[str, str] | None = None, command: str = "collect"):
        environment = {DEFAULT_PASSWORD_ENV: password, "HACALC_VCENTER_USER": None, **(env or {})}
        return runner.invoke(app, ["cluster", command, *args], env=environment, catch_exceptions=False)

    return invoke


def test_check_server_collects_and_checks_in_one_step(slot_cluster, cli):
    """The slot cluster's verdicts as collected (test_slot_cluster_verdict_counts_the_maintenance_host_out): failover level 2."""
    passing = cli("--server", slot_cluster.address, "--user", USER, "--insecure", "-F", "2", "--format", "json", command="check")
    assert passing.exit_code == 0, passing.stderr
    data = json.loads(passing.stdout)
    assert data["source"] == "vcenter" and data["passed"] is True
    (cluster,) = data["clusters"]
    assert cluster["slot"]["current_failover_level"] == 2 and cluster["input"]["settings"]["policy"] == "vcenter"
    assert cluster["input"]["settings"]["tolerate"] == "flag"
    failing = cli("--server", slot_cluster.address, "--user", USER, "--insecure", "-F", "3", "--summary", command="check")
    assert failing.exit_code == 1 and "DC0_C0" in failing.stdout
    assert PASSWORD not in passing.stdout + passing.stderr + failing.stdout + failing.stderr


def test_check_takes_a_file_or_a_server_not_both(cli):
    assert "give either FILE or --server" in assert_bad_input(cli("scenarios/fleet-two-clusters.toml", "--server", "vc.example.com", command="check"))
    assert "give either FILE or --server" in assert_bad_input(cli(command="check"))


def test_collect_writes_a_snapshot_that_reads_back_with_the_same_verdict(slot_cluster, cli, tmp_path):
    target = tmp_path / "prod.toml"
    result = cli("--server", slot_cluster.address, "--user", USER, "--insecure", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "DC0_C0: templates are not VMs HA restarts: left out (1: DC0_C0_RP0_VM3)" in result.stderr
    inventory = decode_scenario(read_document(str(target)))
    assert inventory.facts["source"] == "vcenter" and inventory.facts["server"] == slot_cluster.address
    assert inventory.facts["collected_at"].endswith("Z")
    (item,) = inventory.clusters
    assert item.capacity is Capacity.physical and item.source_of("policy") is Source.vcenter
    assert [(vm.name, vm.memory_reservation_mb, vm.restart_priority) for vm in item.cluster.vms] == [
        ("DC0_C0_RP0_VM0", 4096, RestartPriority.medium),
        ("DC0_C0_RP0_VM1", 2048, RestartPriority.high),
        ("DC0_C0_RP0_VM2", 0, RestartPriority.medium),
    ]
    report = check_cluster(item.cluster)
    assert (report.slot.total_slots, report.slot.current_failover_level, report.passed) == (9, 2, True)
    assert PASSWORD not in target.read_text() + result.stderr


def test_collect_writes_json_to_stdout_for_one_cluster(percentage_cluster, cli):
    result = cli("--server", percentage_cluster.url, "--user", USER, "--insecure", "--cluster", "DC0_C1", "--format", "json", "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert list(data["clusters"]) == ["DC0_C1"]
    assert data["clusters"]["DC0_C1"]["policy"] == "none"
    assert data["snapshot"]["source"] == "vcenter"


def test_tls_is_verified_unless_insecure(slot_cluster, cli, monkeypatch):
    message = assert_bad_input(cli("--server", slot_cluster.address, "--user", USER))
    assert message == (
        f"TLS certificate check failed (self-signed certificate), vCenter {slot_cluster.address}, "
        "trust the vCenter's CA (SSL_CERT_FILE or the system store), or pass --insecure"
    )
    trusted = cli("--server", slot_cluster.address, "--user", USER, env={"SSL_CERT_FILE": str(slot_cluster.cert_file)})
    assert trusted.exit_code == 0, trusted.stderr


def test_wrong_password_is_one_line_without_the_password(slot_cluster, cli):
    message = assert_bad_input(cli("--server", slot_cluster.address, "--user", USER, "--insecure", password="not-the-Pa55word"))
    assert message == f"login failed for user '{USER}', vCenter {slot_cluster.address}, check --user and the password"


def test_no_cluster_matches_names_the_clusters_there_are(percentage_cluster, cli):
    message = assert_bad_input(cli("--server", percentage_cluster.address, "--user", USER, "--insecure", "--cluster", "prod-*"))
    assert message == "no cluster matches 'prod-*', --cluster, the clusters are: DC0_C0, DC0_C1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_refused_connection(cli):
    port = free_port()
    message = assert_bad_input(cli("--server", f"127.0.0.1:{port}", "--user", USER))
    assert message == f"connection refused, vCenter 127.0.0.1:{port}, check the server and its port"


def test_silent_server_times_out(cli):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # the handshake completes in the backlog; nothing ever answers
        port = silent.getsockname()[1]
        message = assert_bad_input(cli("--server", f"127.0.0.1:{port}", "--user", USER, "--timeout", "1"))
    assert message == f"no answer within 1 s, vCenter 127.0.0.1:{port}, check the server is reachable, or raise --timeout"


def test_unknown_host_name(cli):
    message = assert_bad_input(cli("--server", "vcenter.invalid", "--user", USER))
    assert message == "host name not found, vCenter vcenter.invalid, check the --server name"


def test_a_web_server_that_is_not_vcenter(cli):
    class NotFound(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            self.send_error(404)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        message = assert_bad_input(cli("--server", f"http://127.0.0.1:{port}", "--user", USER))
    finally:
        server.shutdown()
        server.server_close()
    assert message == f"no vSphere API answers there, vCenter 127.0.0.1:{port}, give the vCenter's address (its /sdk endpoint)"


def test_missing_pyvmomi_says_how_to_install_it(cli, monkeypatch):
    for module in ("pyVmomi", "pyVim", "pyVim.connect"):
        monkeypatch.setitem(sys.modules, module, None)
    message = assert_bad_input(cli("--server", "vc.example.com", "--user", USER))
    assert message == "vCenter collection needs pyvmomi, pip install 'hacalc[vcenter]'"


def test_missing_password_without_a_terminal(cli):
    message = assert_bad_input(cli("--server", "vc.example.com", "--user", USER, password=None))
    assert message == f"no vCenter password: {DEFAULT_PASSWORD_ENV} is not set, --password-env, export {DEFAULT_PASSWORD_ENV}, or run at a terminal to be asked"


def test_a_password_given_as_password_env_is_not_echoed(cli):
    message = assert_bad_input(cli("--server", "vc.example.com", "--user", USER, "--password-env", "hunter2!"))
    assert "hunter2" not in message
    assert message.startswith("--password-env takes the name of an environment variable, not a password")


def test_credentials_in_the_server_url_are_refused_unechoed(cli):
    message = assert_bad_input(cli("--server", "https://admin:hunter2@vc.example.com/sdk", "--user", USER))
    assert "hunter2" not in message and message.startswith("the --server URL holds credentials")


def test_missing_server_is_a_usage_error(cli):
    assert "--server" in assert_bad_input(cli("--user", USER))


# The pieces that need no simulator. --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "profile", "warned"),
    [("7.0.3", "7.0u3", False), ("7.0.0", "7.0", False), ("8.0.2", "8.0", False), ("6.7.0", "6.7", False), ("5.5.0", "5.5", False), ("9.0.0", "8.0", True)],
)
def test_vcenter_version_maps_to_the_profile_at_or_below(version, profile, warned):
    name, warnings = vsphere_profile(version)
    assert (name, bool(warnings)) == (profile, warned)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("vc.example.com", ("https", "vc.example.com", 443, "/sdk", "vc.example.com")),
        ("vc.example.com:8443", ("https", "vc.example.com", 8443, "/sdk", "vc.example.com:8443")),
        ("https://vc.example.com/sdk/", ("https", "vc.example.com", 443, "/sdk", "vc.example.com")),
        ("http://[::1]:8989/sdk", ("http", "::1", 8989, "/sdk", "[::1]:8989")),
    ],
)
def test_server_forms(text, parts):
    endpoint = parse_server(text)
    assert (endpoint.protocol, endpoint.host, endpoint.port, endpoint.path, endpoint.name) == parts


def test_connection_repr_hides_the_password():
    assert "hunter2" not in repr(Connection("vc", "admin", "hunter2"))


def test_bad_port_is_an_input_error():
    with pytest.raises(InputError, match="bad port"):
        parse_server("vc.example.com:99999")


def test_warnings_name_their_count_and_examples():
    warning = DataWarning("overhead-unknown", "overhead unknown", 5, ("a", "b", "c"))
    assert describe_warning(warning) == "overhead unknown (5: a, b, c, …)"
    assert describe_warning(DataWarning("x", "once", 1, ("a",))) == "once (1: a)"


def test_host_states_vcsim_cannot_set_are_mapped_from_their_properties():
    """Disconnected, not responding, DPM standby, an HA agent error and quarantine, from the properties vCenter returns."""
    das = SimpleNamespace(
        enabled=True, admissionControlEnabled=True, admissionControlPolicy=None, failoverLevel=1, option=[], vmMonitoring=None,
        hostMonitoring="enabled", defaultVmSettings=None, hBDatastoreCandidatePolicy=None,
    )  # fmt: skip
    cluster = ("ClusterComputeResource", "domain-c1", {"name": "lab", "configurationEx": SimpleNamespace(dasConfig=das, dasVmConfig=[])})
    hardware = {"summary.hardware.cpuMhz": 2000, "summary.hardware.numCpuCores": 2, "summary.hardware.memorySize": 8 * 1024**3}
    runtimes = {
        "a": {"runtime.connectionState": "disconnected"},
        "b": {"runtime.connectionState": "notResponding", "runtime.inMaintenanceMode": True},
        "c": {"runtime.connectionState": "connected", "runtime.powerState": "standBy"},
        "d": {"runtime.connectionState": "connected", "runtime.dasHostState": SimpleNamespace(state="fdmUnreachable")},
        "e": {"runtime.connectionState": "connected", "runtime.inQuarantineMode": True},
    }
    hosts = [("HostSystem", f"host-{name}", {"name": name, "parent": "domain-c1", **hardware, **runtime}) for name, runtime in runtimes.items()]
    about = SimpleNamespace(version="8.0.3", build="1", apiVersion="8.0.3.0")
    (item,) = build_inventory([cluster, *hosts], about, (), "vc").clusters
    assert [(host.name, host.state, host.cpu_mhz, host.memory_mb) for host in item.cluster.hosts] == [
        ("a", HostState.disconnected, 4000, 8192),
        ("b", HostState.not_responding, 4000, 8192),
        ("c", HostState.standby, 4000, 8192),
        ("d", HostState.ha_error, 4000, 8192),
        ("e", HostState.connected, 4000, 8192),
    ]
    assert {warning.kind: warning.examples for warning in item.warnings}["host-quarantine"] == ("e",)
    assert item.cluster.settings.policy is Policy.none  # no policy object: nothing to model
