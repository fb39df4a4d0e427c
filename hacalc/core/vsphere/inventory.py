"""An inventory: the clusters read from one source, where each setting came from, and what the data lacked.

A scenario file states one cluster's usable capacity and every setting itself. Real inventories do not:
RVTools carries physical capacity and no admission-control policy, vCenter carries the policy but no
per-host usable capacity. Each cluster therefore keeps the source of every setting (shown in reports)
and the warnings its data raised, counted, so that nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from hacalc.core.vsphere.model import Cluster
from hacalc.core.warnings import DataWarning

CLUSTER_SETTINGS = (  # the ClusterSettings a file or a source may set, in the order files document them
    "platform",
    "vsphere",
    "policy",
    "tolerate",
    "cpu_percent",
    "memory_percent",
    "auto_percent",
    "failover_hosts",
    "performance_degradation_percent",
    "fixed_slot_cpu_mhz",
    "fixed_slot_memory_mb",
    "count_not_responding",
    "count_standby",
    "options",
    "vm_monitoring",
    "reliability",
    "nutanix_reservation",
    "replication_factor",
    "proxmox_crs",
)
SETTING_NAMES = (*CLUSTER_SETTINGS, "host_reserve_percent", "host_reserve_mb")


class Source(str, Enum):
    """Where a setting's value came from, weakest first: a later source overrides an earlier one."""

    default = "default"
    export = "export"  # an RVTools export
    vcenter = "vcenter"  # read live from the vSphere API
    file = "file"  # a scenario file or snapshot
    overlay = "overlay"  # an overlay's [cluster] or [clusters."NAME"] table
    flag = "flag"  # the command line


class Capacity(str, Enum):
    """What a host's cpu_mhz and memory_mb measure."""

    usable = "usable"  # what the host's root resource pool gives VMs, as HA counts it
    physical = "physical"  # cores × MHz and installed memory, before the hypervisor's own share


@dataclass(frozen=True)
class InventoryCluster:
    """One cluster ready for ``check_cluster``, with the provenance its report states."""

    cluster: Cluster
    sources: Mapping[str, Source] = field(default_factory=dict)  # setting name -> source; missing means default
    capacity: Capacity = Capacity.usable
    host_reserve_percent: int = 0  # of physical capacity, kept by the hypervisor; subtracted by cluster_to_check
    facts: Mapping[str, str] = field(default_factory=dict)  # settings read but not modelled (isolation response…)
    warnings: tuple[DataWarning, ...] = ()

    @property
    def name(self) -> str:
        return self.cluster.settings.name

    def source_of(self, setting: str) -> Source:
        return self.sources.get(setting, Source.default)

    def input_dict(self) -> dict[str, Any]:
        """The ``input`` section of a fleet report: capacity basis, setting sources, facts and data warnings."""
        return {
            "capacity": self.capacity.value,
            "host_reserve_percent": self.host_reserve_percent,
            "settings": {name: self.source_of(name).value for name in SETTING_NAMES},
            "facts": dict(self.facts),
            "warnings": [warning.as_dict() for warning in self.warnings],
        }


@dataclass(frozen=True)
class Inventory:
    """Every cluster of one source; ``single`` marks a one-cluster scenario file, whose reports keep that shape."""

    source: str  # "scenario", "rvtools-xlsx", "rvtools-csv", "vcenter"
    clusters: tuple[InventoryCluster, ...]
    warnings: tuple[DataWarning, ...] = ()  # about the whole source: VMs without a cluster, an incomplete export
    single: bool = False
    facts: Mapping[str, str] = field(default_factory=dict)  # the export's own metadata: RVTools version, server, date


def usable_mhz_or_mb(physical: int, reserve_percent: int) -> int:
    """Physical capacity less the hypervisor's share, rounded down: a host is never credited with more than it has."""
    return physical * (100 - reserve_percent) // 100


def with_host_reserve(item: InventoryCluster, percent: int, source: Source) -> InventoryCluster:
    """Set the hypervisor's share of physical capacity; it is subtracted once, by ``cluster_to_check``."""
    return replace(item, host_reserve_percent=percent, sources={**item.sources, "host_reserve_percent": source})


def cluster_to_check(item: InventoryCluster) -> Cluster:
    """The cluster as admission control sees it: physical capacity less the host reserve; usable capacity as it is."""
    if item.capacity is not Capacity.physical or item.host_reserve_percent == 0:
        return item.cluster
    hosts = tuple(
        replace(host, cpu_mhz=usable_mhz_or_mb(host.cpu_mhz, item.host_reserve_percent), memory_mb=usable_mhz_or_mb(host.memory_mb, item.host_reserve_percent))
        for host in item.cluster.hosts
    )
    return replace(item.cluster, hosts=hosts)


def with_settings(item: InventoryCluster, changes: Mapping[str, Any], source: Source) -> InventoryCluster:
    """Override cluster settings, recording ``source`` for each one changed.

    A fixed CPU or memory percentage replaces a computed one, as it does in vCenter's dialog.
    """
    if not changes:
        return item
    if ("cpu_percent" in changes or "memory_percent" in changes) and "auto_percent" not in changes:
        changes = {**changes, "auto_percent": False}
    settings = replace(item.cluster.settings, **changes)
    sources = {**item.sources, **{name: source for name in changes}}
    return replace(item, cluster=replace(item.cluster, settings=settings), sources=sources)


def with_host_reserve_mb(item: InventoryCluster, megabytes: int, source: Source) -> InventoryCluster:
    """Every host keeps ``megabytes`` of memory for itself (SCVMM's host reserve, set for a Hyper-V export)."""
    hosts = tuple(replace(host, host_reserve_mb=megabytes) for host in item.cluster.hosts)
    return replace(item, cluster=replace(item.cluster, hosts=hosts), sources={**item.sources, "host_reserve_mb": source})


def with_changes(item: InventoryCluster, changes: Mapping[str, Any], source: Source) -> InventoryCluster:
    """Settings and the host reserve from one overlay table or the command line."""
    settings = {name: value for name, value in changes.items() if name not in ("host_reserve_percent", "host_reserve_mb")}
    item = with_settings(item, settings, source)
    if "host_reserve_mb" in changes:
        item = with_host_reserve_mb(item, changes["host_reserve_mb"], source)
    if "host_reserve_percent" in changes:
        item = with_host_reserve(item, changes["host_reserve_percent"], source)
    return item
