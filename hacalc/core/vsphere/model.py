"""The typed cluster that scenario files decode to and admission control reads.

Field names mirror the scenario file fields; ``count`` in a file is expanded by the loader into
individual hosts and VMs (``NAME-1`` … ``NAME-n``), so every object here is one real host or VM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Policy(str, Enum):
    slot = "slot"
    percentage = "percentage"
    failover_hosts = "failover-hosts"
    none = "none"


class HostState(str, Enum):
    connected = "connected"
    maintenance = "maintenance"
    disconnected = "disconnected"
    not_responding = "not-responding"
    standby = "standby"
    ha_error = "ha-error"


class RestartPriority(str, Enum):
    disabled = "disabled"
    lowest = "lowest"
    low = "low"
    medium = "medium"
    high = "high"
    highest = "highest"


@dataclass(frozen=True)
class Host:
    name: str
    cpu_mhz: int  # capacity available to VMs (the root resource pool), not physical capacity
    memory_mb: int
    state: HostState = HostState.connected


@dataclass(frozen=True)
class VM:
    name: str
    cpu_reservation_mhz: int = 0
    memory_reservation_mb: int = 0
    memory_overhead_mb: int = 0
    powered_on: bool = True
    host: str | None = None  # current placement, when known
    restart_priority: RestartPriority = RestartPriority.medium


@dataclass(frozen=True)
class ClusterSettings:
    name: str
    vsphere: str = "8.0"  # version profile: "2.5", "4.0", "4.1", "5.0", "5.1", "5.5", "6.0", "6.5", "6.7", "7.0", "8.0"
    policy: Policy = Policy.slot
    tolerate: int = 1
    cpu_percent: int | None = None
    memory_percent: int | None = None
    auto_percent: bool = False
    failover_hosts: tuple[str, ...] = ()
    performance_degradation_percent: int = 100
    options: dict[str, str] = field(default_factory=dict)  # das.* advanced options, keys as typed, values as strings


@dataclass(frozen=True)
class Cluster:
    settings: ClusterSettings
    hosts: tuple[Host, ...]
    vms: tuple[VM, ...]
