"""Writing an inventory as a fleet scenario file: a snapshot a team can commit, diff and check later.

The format is the one ``readers.cluster.decode_scenario`` reads: one ``[clusters."NAME"]`` table per
cluster with the fields of ``[cluster]``, and its hosts and VMs. In TOML each host and VM is one inline
table on one line, so a diff between two snapshots shows one line per VM that changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hacalc.core.vsphere.inventory import Capacity, Inventory, InventoryCluster
from hacalc.core.vsphere.model import VM, ClusterSettings, Host, HostReliability, HostState, Platform, RestartPriority, VmMonitoring


def dump_fleet(inventory: Inventory, output_format: str, snapshot: Mapping[str, str]) -> str:
    """``inventory`` as TOML or JSON text; ``snapshot`` says where and when it was taken."""
    data = {"snapshot": dict(snapshot), "clusters": {item.name: _cluster(item) for item in inventory.clusters}}
    if output_format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return _toml(data)


def _cluster(item: InventoryCluster) -> dict[str, Any]:
    table = _settings(item.cluster.settings)
    if item.capacity is not Capacity.usable:
        table["capacity"] = item.capacity.value
    if item.host_reserve_percent:
        table["host_reserve_percent"] = item.host_reserve_percent
    if item.facts:
        table["facts"] = dict(item.facts)
    table["hosts"] = [_host(host) for host in item.cluster.hosts]
    table["vms"] = [_vm(vm) for vm in item.cluster.vms]
    return table


def _settings(settings: ClusterSettings) -> dict[str, Any]:
    """Every setting that differs from a scenario file's default, and always the three a reader looks for first."""
    table: dict[str, Any] = {"vsphere": settings.vsphere, "policy": settings.policy.value, "tolerate": settings.tolerate}
    optional = {
        "platform": None if settings.platform is Platform.vsphere else settings.platform.value,
        "nutanix_reservation": settings.nutanix_reservation.value if settings.nutanix_reservation else None,
        "replication_factor": settings.replication_factor,
        "proxmox_crs": settings.proxmox_crs.value if settings.proxmox_crs else None,
        "cpu_percent": settings.cpu_percent,
        "memory_percent": settings.memory_percent,
        "auto_percent": settings.auto_percent or None,
        "failover_hosts": list(settings.failover_hosts) or None,
        "performance_degradation_percent": None if settings.performance_degradation_percent == 100 else settings.performance_degradation_percent,
        "fixed_slot_cpu_mhz": settings.fixed_slot_cpu_mhz,
        "fixed_slot_memory_mb": settings.fixed_slot_memory_mb,
        "count_not_responding": settings.count_not_responding or None,
        "count_standby": settings.count_standby or None,
        "options": dict(settings.options) or None,
        "vm_monitoring": _vm_monitoring(settings.vm_monitoring),
        "reliability": _reliability(settings.reliability),
    }
    table.update({key: value for key, value in optional.items() if value is not None})
    return table


def _vm_monitoring(monitoring: VmMonitoring | None) -> dict[str, Any] | None:
    if monitoring is None:
        return None
    values = {
        "enabled": monitoring.enabled,
        "sensitivity": monitoring.sensitivity.value if monitoring.sensitivity else None,
        "failure_interval_s": monitoring.failure_interval_s,
        "min_uptime_s": monitoring.min_uptime_s,
        "max_resets": monitoring.max_resets,
        "reset_window_s": monitoring.reset_window_s,
    }
    return {key: value for key, value in values.items() if value is not None}


def _reliability(reliability: HostReliability | None) -> dict[str, Any] | None:
    if reliability is None:
        return None
    return {key: value for key, value in vars(reliability).items() if value is not None} or None


def _host(host: Host) -> dict[str, Any]:
    table: dict[str, Any] = {"name": host.name, "cpu_mhz": host.cpu_mhz, "memory_mb": host.memory_mb}
    if host.state is not HostState.connected:
        table["state"] = host.state.value
    if host.host_reserve_mb:
        table["host_reserve_mb"] = host.host_reserve_mb
    return table


def _vm(vm: VM) -> dict[str, Any]:
    table: dict[str, Any] = {
        "name": vm.name,
        "cpu_reservation_mhz": vm.cpu_reservation_mhz,
        "memory_reservation_mb": vm.memory_reservation_mb,
        "memory_overhead_mb": vm.memory_overhead_mb,
    }
    if vm.memory_mb is not None:
        table["memory_mb"] = vm.memory_mb
    if vm.cpu_mhz is not None:
        table["cpu_mhz"] = vm.cpu_mhz
    if not vm.ha:
        table["ha"] = False
    if vm.host is not None:
        table["host"] = vm.host
    if not vm.powered_on:
        table["powered_on"] = False
    if vm.restart_priority is not RestartPriority.medium:
        table["restart_priority"] = vm.restart_priority.value
    return table


# TOML: tables for clusters, one inline table per line for hosts and VMs. ----------------------------------


def _toml(data: dict[str, Any]) -> str:
    lines = ["# hacalc fleet scenario: check it with `hacalc cluster check FILE`"]
    if data["snapshot"]:
        lines += ["", "[snapshot]", *(f"{_key(key)} = {_value(value)}" for key, value in data["snapshot"].items())]
    for name, table in data["clusters"].items():
        lines += ["", f"[clusters.{_string(name)}]"]
        for key, value in table.items():
            if key in ("hosts", "vms"):
                lines += [f"{key} = [", *(f"  {_value(entry)}," for entry in value), "]"]
            else:
                lines.append(f"{_key(key)} = {_value(value)}")
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(key)} = {_value(item)}" for key, item in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _key(key: str) -> str:
    """A bare key when TOML allows one, else a quoted key (das.* options and host names contain dots)."""
    return key if key and all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in key) else _string(key)


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, everything else as it is."""
    escaped = []
    for ch in text:
        if ch in '"\\':
            escaped.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            escaped.append(f"\\u{ord(ch):04x}")
        else:
            escaped.append(ch)
    return '"' + "".join(escaped) + '"'
