"""The typed cluster that scenario files decode to and admission control reads.

Field names mirror the scenario file fields; ``count`` in a file is expanded by the loader into
individual hosts and VMs (``NAME-1`` … ``NAME-n``), so every object here is one real host or VM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from hacalc.core.errors import InputError


class FieldError(InputError):
    """Bad input at one field of the cluster, with its path kept whole so a file reader can find its line.

    A path is a tuple (``("cluster", "options", "das.slotCpuInMHz")``) because option keys and host
    names contain dots of their own.
    """

    def __init__(self, what: str, path: tuple[str | int, ...], fix: str | None = None) -> None:
        super().__init__(what, ".".join(map(str, path)), fix)
        self.path = path


class Policy(str, Enum):
    slot = "slot"
    percentage = "percentage"
    failover_hosts = "failover-hosts"
    none = "none"


class Platform(str, Enum):
    """Whose failover rule a cluster file describes; the restart check applies to every one of them."""

    vsphere = "vsphere"
    hyperv = "hyperv"
    proxmox = "proxmox"
    xenserver = "xenserver"
    nutanix = "nutanix"
    kubernetes = "kubernetes"


class NutanixReservation(str, Enum):
    """AHV HA: restart as memory allows (the default), or guarantee by reserving whole hosts or segments."""

    best_effort = "best-effort"  # kAcropolisHANoReserveReservations
    hosts = "hosts"  # kAcropolisHAReserveHosts: uniform node memory only, nothing runs on the reserved hosts
    segments = "segments"  # kAcropolisHAReserveSegments: the only guarantee method from AOS 5.0


class ProxmoxCrs(str, Enum):
    """Proxmox VE's cluster resource scheduler mode for HA recovery (datacenter.cfg ``crs: ha=``)."""

    basic = "basic"  # the node with the fewest running guests
    static = "static"  # weighted CPU and memory from the guests' configuration


class Demand(str, Enum):
    """The restart check's demand per VM: what HA needs to power it on, or all of its configured memory."""

    reservation = "reservation"  # CPU and memory reservations, plus memory overhead
    configured = "configured"  # CPU reservation, configured memory plus overhead: no memory overcommit


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
    host_reserve_mb: int = 0  # memory the hypervisor keeps for itself (SCVMM's host reserve); 0 on vSphere


@dataclass(frozen=True)
class VM:
    name: str
    cpu_reservation_mhz: int = 0
    memory_reservation_mb: int = 0
    memory_overhead_mb: int = 0
    powered_on: bool = True
    host: str | None = None  # current placement, when known
    restart_priority: RestartPriority = RestartPriority.medium
    memory_mb: int | None = None  # configured (or startup) memory, when known: the demand non-vSphere rules use
    cpu_mhz: int | None = None  # configured CPU demand (Proxmox static CRS), when known
    ha: bool = True  # protected by the platform's HA


class VmMonitoringSensitivity(str, Enum):
    """The UI presets (HA Deepdive): failure interval / max resets / reset window."""

    low = "low"  # 120 s, 3 resets, 7 days
    medium = "medium"  # 60 s, 3 resets, 24 h
    high = "high"  # 30 s, 3 resets, 1 h


@dataclass(frozen=True)
class VmMonitoring:
    """VM monitoring as set in the UI or API (4.0+); on VC 2.5 the same values come from das.* options.

    A value left as None comes from the preset, else from the API default.
    """

    enabled: bool = True
    sensitivity: VmMonitoringSensitivity | None = None
    failure_interval_s: int | None = None
    min_uptime_s: int | None = None
    max_resets: int | None = None
    reset_window_s: int | None = None  # -1: no window


# The fields a scenario's [[hosts]] and [[vms]] tables take (count repeats an entry): the file reader and
# the planning shapes (--add-host, --add-vm) accept the same names.
HOST_FIELDS = ("name", "cpu_mhz", "memory_mb", "state", "host_reserve_mb", "count")
VM_FIELDS = (
    "name",
    "cpu_reservation_mhz",
    "memory_reservation_mb",
    "memory_overhead_mb",
    "memory_mb",
    "powered_on",
    "host",
    "restart_priority",
    "cpu_mhz",
    "ha",
    "count",
)


@dataclass(frozen=True)
class HostReliability:
    """``[cluster.reliability]``: how often hosts fail and how HA recovers, for ``--availability``; durations as
    written (``50000h``), each replaced by its command-line flag when one is given."""

    host_mttf: str | None = None
    host_mttr: str | None = None
    crews: int | None = None
    ha_detect: str | None = None
    ha_restart: str | None = None
    boot: str | None = None


@dataclass(frozen=True)
class ClusterSettings:
    name: str
    platform: Platform = Platform.vsphere
    vsphere: str = "8.0"  # version profile: "2.5", "4.0", "4.1", "5.0", "5.1", "5.5", "6.0", "6.5", "6.7", "7.0", "8.0"
    policy: Policy = Policy.slot
    tolerate: int = 1
    cpu_percent: int | None = None
    memory_percent: int | None = None
    auto_percent: bool = False
    failover_hosts: tuple[str, ...] = ()
    performance_degradation_percent: int = 100
    options: dict[str, str] = field(default_factory=dict)  # das.* advanced options, keys as typed, values as strings
    fixed_slot_cpu_mhz: int | None = None  # 5.1+ fixed slot size ("sets the exact value", KB 344227)
    fixed_slot_memory_mb: int | None = None
    count_not_responding: bool = False  # HA Deepdive counts not-responding hosts; the API does not
    count_standby: bool = False  # DPM standby hosts: DRS counts their capacity, HA brings them out of standby
    vm_monitoring: VmMonitoring | None = None
    reliability: HostReliability | None = None
    nutanix_reservation: NutanixReservation | None = None  # platform nutanix only; None is AHV's default, best effort
    replication_factor: int | None = None  # platform nutanix only: 2 or 3, and AHV tolerates RF - 1 host failures
    proxmox_crs: ProxmoxCrs | None = None  # platform proxmox only; None is Proxmox's default, basic


@dataclass(frozen=True)
class Cluster:
    settings: ClusterSettings
    hosts: tuple[Host, ...]
    vms: tuple[VM, ...]
