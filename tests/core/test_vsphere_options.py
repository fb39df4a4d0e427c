"""das.* advanced options and VM monitoring (vsphere-ha.md §2; the seed handbook's C-ESX35 cluster; TV-14)."""

import pytest

from hacalc.core.errors import InputError
from hacalc.core.vsphere.check import check_cluster
from hacalc.core.vsphere.model import VM, Cluster, ClusterSettings, Host, VmMonitoring, VmMonitoringSensitivity
from hacalc.core.vsphere.options import resolve_options, resolve_vm_monitoring
from hacalc.core.vsphere.versions import profile

SEED_OPTIONS = {"das.vmFailoverEnabled": "true", "das.MinUptime": "180", "das.FailureInterval": "90"}


def seed_cluster(options: dict[str, str], version: str = "2.5") -> Cluster:
    """The seed handbook's C-ESX35: VirtualCenter 2.5, ESX35DEV0001 running VMWIN2K3-0001."""
    settings = ClusterSettings("C-ESX35", vsphere=version, tolerate=0, options=options)
    hosts = (Host("ESX35DEV0001", 9000, 9216),)
    return Cluster(settings, hosts, (VM("VMWIN2K3-0001", memory_overhead_mb=90, host="ESX35DEV0001"),))


def test_seed_key_without_das_prefix_is_refused_as_vcenter_does():
    """Seed handbook: VMFailoverEnabled was rejected with "Bad HA advanced option key"; we suggest the real key."""
    with pytest.raises(InputError) as caught:
        check_cluster(seed_cluster({"VMFailoverEnabled": "True"}))
    assert caught.value.what == "Bad HA advanced option key: VMFailoverEnabled"
    assert "das.vmFailoverEnabled" in caught.value.fix


def test_unknown_das_key_is_refused_with_a_suggestion():
    """§5 pain point 9: das.isolationResponse is not an HA option."""
    with pytest.raises(InputError, match="Bad HA advanced option key: das.isolationResponse"):
        check_cluster(seed_cluster({"das.isolationResponse": "powerOff"}, "6.7"))
    with pytest.raises(InputError, match="did you mean das.vmCpuMinMHz"):
        check_cluster(seed_cluster({"das.vmCpuMinMhzz": "32"}, "6.7"))


def test_seed_options_match_case_insensitively_with_warnings():
    """Seed: das.MinUptime and das.FailureInterval are accepted (VMware spells keys both ways) and warned about."""
    report = check_cluster(seed_cluster(SEED_OPTIONS))
    canonical = {line.key: line.canonical for line in report.options}
    assert canonical == {"das.vmFailoverEnabled": "das.vmFailoverEnabled", "das.MinUptime": "das.minUptime", "das.FailureInterval": "das.failureInterval"}
    assert any("write das.minUptime" in warning for warning in report.warnings)
    assert any("write das.failureInterval" in warning for warning in report.warnings)


def test_strict_keys_makes_the_case_mismatch_an_error():
    with pytest.raises(InputError, match="canonical spelling is das.minUptime"):
        check_cluster(seed_cluster(SEED_OPTIONS), strict_keys=True)


def test_seed_vm_monitoring_values_are_shown():
    """Seed: monitoring on, 90 s failure interval, 180 s minimum uptime; resets and window from the API defaults (TV-14)."""
    monitoring = check_cluster(seed_cluster(SEED_OPTIONS)).vm_monitoring
    assert monitoring.enabled
    assert (monitoring.failure_interval_s, monitoring.min_uptime_s, monitoring.max_resets, monitoring.reset_window_s) == (90, 180, 3, -1)
    assert monitoring.sources["failure_interval_s"] == "das.failureInterval"
    assert monitoring.sources["max_resets"] == "API default"


def test_non_numeric_value_for_numeric_key_is_an_input_error():
    with pytest.raises(InputError, match="das.vmCpuMinMHz = 'fast' is not a whole number"):
        check_cluster(seed_cluster({"das.vmCpuMinMHz": "fast"}))
    with pytest.raises(InputError, match="not true or false"):
        check_cluster(seed_cluster({"das.vmFailoverEnabled": "yes"}))


def test_option_outside_its_version_is_reported_and_ignored():
    """§2.1: das.failuredetectiontime was deprecated in 5.0; das.slot* caps arrived in 4.0."""
    resolved = resolve_options({"das.failuredetectiontime": "20000", "das.slotCpuInMHz": "500"}, profile("5.0"))
    assert "das.failuredetectiontime" not in resolved.values
    assert resolved.values["das.slotCpuInMHz"] == 500
    assert any("applies up to 4.1" in warning for warning in resolved.warnings)
    old = resolve_options({"das.slotCpuInMHz": "500"}, profile("2.5"))
    assert old.values == {} and any("before 4.0" in warning for warning in old.warnings)


def test_option_value_type_is_reported():
    """Values are strings (Ansible vmware.vmware #190); a number is read, with a warning."""
    resolved = resolve_options({"das.vmCpuMinMHz": 64}, profile("6.7"))
    assert any("as strings" in warning for warning in resolved.warnings)
    assert resolved.values["das.vmCpuMinMHz"] == 64


@pytest.mark.parametrize(
    ("key", "value", "fix"),
    [
        # §2.1 ranges: vmCpuMinMHz / vmMemoryMinMB >= 0, slot caps > 0, heartbeatDsPerHost 2-5
        ("das.vmCpuMinMHz", "-1000", "use a whole number of 0 or more"),
        ("das.vmMemoryMinMB", "-1", "use a whole number of 0 or more"),
        ("das.slotCpuInMHz", "-5", "use a whole number of 1 or more"),
        ("das.slotMemInMB", "0", "use a whole number of 1 or more"),
        ("das.heartbeatDsPerHost", "7", "use a whole number from 2 to 5"),
        ("das.heartbeatDsPerHost", "1", "use a whole number from 2 to 5"),
    ],
)
def test_option_outside_its_documented_range_is_refused(key, value, fix):
    """Review: das.vmCpuMinMHz = -1000 gave negative slots and a PASS; out-of-range values are bad input."""
    with pytest.raises(InputError) as caught:
        resolve_options({key: value}, profile("6.7"))
    assert caught.value.what == f"option {key} = {value} is outside its documented range"
    assert (caught.value.path, caught.value.fix) == (("cluster", "options", key), fix)


def test_option_range_limits_themselves_are_accepted():
    resolved = resolve_options({"das.vmCpuMinMHz": "0", "das.slotCpuInMHz": "1", "das.heartbeatDsPerHost": "5"}, profile("6.7"))
    assert resolved.values == {"das.vmCpuMinMHz": 0, "das.slotCpuInMHz": 1, "das.heartbeatDsPerHost": 5}


def test_indexed_isolation_address_keys():
    resolved = resolve_options({"das.isolationaddress1": "10.0.0.1", "das.ISOLATIONADDRESS10": "10.0.0.2"}, profile("6.7"))
    assert set(resolved.values) == {"das.isolationaddress1", "das.isolationaddress10"}
    with pytest.raises(InputError, match="Bad HA advanced option key"):
        resolve_options({"das.isolationaddress11": "10.0.0.3"}, profile("6.7"))


def test_vm_cpu_minimum_option_changes_the_slot():
    """TV-8: das.vmCpuMinMHz replaces the version default for VMs without a CPU reservation."""
    settings = ClusterSettings("m", vsphere="6.7", tolerate=1, options={"das.vmCpuMinMHz": "64"})
    cluster = Cluster(settings, (Host("a", 9000, 9216), Host("b", 9000, 9216)), (VM("v", 0, 0, 90),))
    report = check_cluster(cluster, restart_check=False)
    assert report.slot.cpu_mhz == 64 and report.defaults.vm_cpu_min_mhz == 64


@pytest.mark.parametrize(
    ("sensitivity", "expected"),
    [
        (VmMonitoringSensitivity.high, (30, 3, 3600)),
        (VmMonitoringSensitivity.medium, (60, 3, 86400)),
        (VmMonitoringSensitivity.low, (120, 3, 604800)),
    ],
)
def test_vm_monitoring_presets_tv14(sensitivity, expected):
    """TV-14 (HA Deepdive table): High 30 s / 3 / 1 h, Medium 60 s / 3 / 24 h, Low 120 s / 3 / 7 d."""
    monitoring, _ = resolve_vm_monitoring(VmMonitoring(sensitivity=sensitivity), resolve_options({}, profile("6.7")))
    assert (monitoring.failure_interval_s, monitoring.max_resets, monitoring.reset_window_s) == expected
    assert monitoring.min_uptime_s == 120


def test_vm_monitoring_api_defaults_tv14():
    """TV-14: API defaults failureInterval 30, minUpTime 120, maxFailures 3, maxFailureWindow -1; off unless set."""
    monitoring, warnings = resolve_vm_monitoring(None, resolve_options({}, profile("8.0")))
    assert (monitoring.enabled, monitoring.failure_interval_s, monitoring.min_uptime_s, monitoring.max_resets, monitoring.reset_window_s) == (
        False,
        30,
        120,
        3,
        -1,
    )
    assert warnings == []


def test_vm_monitoring_error_from_an_option_points_at_that_option():
    """Review: a bad das.maxFailureWindow was located at cluster.vm_monitoring; name the key as typed."""
    resolved = resolve_options({"das.MaxFailureWindow": "0"}, profile("4.1"))
    with pytest.raises(InputError) as caught:
        resolve_vm_monitoring(None, resolved)
    assert caught.value.path == ("cluster", "options", "das.MaxFailureWindow")
    with pytest.raises(InputError) as caught:
        resolve_vm_monitoring(VmMonitoring(reset_window_s=0), resolve_options({}, profile("4.1")))
    assert caught.value.path == ("cluster", "vm_monitoring", "reset_window_s")


def test_vm_monitoring_invalid_values():
    resolved = resolve_options({}, profile("8.0"))
    with pytest.raises(InputError, match="reset window 0 s is not valid"):
        resolve_vm_monitoring(VmMonitoring(reset_window_s=0), resolved)
    with pytest.raises(InputError, match="max resets -1"):
        resolve_vm_monitoring(VmMonitoring(max_resets=-1), resolved)
    _, warnings = resolve_vm_monitoring(VmMonitoring(failure_interval_s=10), resolved)
    assert any("below HA's 30 s minimum" in warning for warning in warnings)
