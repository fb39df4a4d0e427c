"""What ``check_cluster`` returns: every figure a person or a CI gate needs, typed, with one JSON shape.

The names here are the product's JSON keys (``ClusterReport.as_dict``); the CLI renders them and adds
nothing of its own. Sections for policies other than the configured one are still computed where they
are cheap, so a user can compare, but only the configured policy decides ``passed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from hacalc.core.vsphere.model import Policy


@dataclass(frozen=True)
class HostLine:
    """One host as admission control saw it: counted or excluded (with the reason), and its slots."""

    name: str
    state: str
    counted: bool
    reason: str | None
    cpu_mhz: int
    memory_mb: int
    slots: int | None = None  # slot policy figures; None for an excluded host
    cpu_slots: int | None = None
    memory_slots: int | None = None
    limited_by: str | None = None  # "cpu", "memory" or "both"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "counted": self.counted,
            "reason": self.reason,
            "cpu_mhz": self.cpu_mhz,
            "memory_mb": self.memory_mb,
            "slots": self.slots,
            "cpu_slots": self.cpu_slots,
            "memory_slots": self.memory_slots,
            "limited_by": self.limited_by,
        }


@dataclass(frozen=True)
class SlotSetter:
    """A VM that sets a slot dimension, with its requirement in that dimension."""

    name: str
    value: int

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value}


@dataclass(frozen=True)
class MultiSlotVM:
    name: str
    slots: int

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "slots": self.slots}


@dataclass(frozen=True)
class SlotReport:
    """The slot policy as vCenter computes it (API DasFailoverLevelAdvancedRuntimeInfo)."""

    cpu_mhz: int
    memory_mb: int
    source: str  # "computed", "capped" (das.slot* upper bound hit) or "fixed" (5.1+ fixed slot size)
    total_slots: int
    used_slots: int
    available_slots: int  # the API's unreservedSlots with m = tolerate
    current_failover_level: int
    passed: bool
    cpu_set_by: tuple[SlotSetter, ...] = ()
    memory_set_by: tuple[SlotSetter, ...] = ()
    cpu_mhz_without_them: int = 0
    memory_mb_without_them: int = 0
    total_slots_without_them: int = 0
    vms_requiring_multiple_slots: tuple[MultiSlotVM, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "cpu_mhz": self.cpu_mhz,
            "memory_mb": self.memory_mb,
            "source": self.source,
            "total_slots": self.total_slots,
            "used_slots": self.used_slots,
            "available_slots": self.available_slots,
            "current_failover_level": self.current_failover_level,
            "passed": self.passed,
            "cpu_set_by": [vm.as_dict() for vm in self.cpu_set_by],
            "memory_set_by": [vm.as_dict() for vm in self.memory_set_by],
            "without_setters": {
                "cpu_mhz": self.cpu_mhz_without_them,
                "memory_mb": self.memory_mb_without_them,
                "total_slots": self.total_slots_without_them,
            },
            "vms_requiring_multiple_slots": [vm.as_dict() for vm in self.vms_requiring_multiple_slots],
        }


@dataclass(frozen=True)
class PercentageReport:
    """Current failover capacity in % (floored, as vCenter shows it) against the configured or automatic %."""

    cpu_failover_percent: int
    memory_failover_percent: int
    configured_cpu_percent: Fraction | None
    configured_memory_percent: Fraction | None
    auto: bool  # 6.5+ "Override calculated failover capacity" unticked
    auto_reading: str | None  # which automatic reading is used: "F/N"
    f_over_n_percent: Fraction  # 100 * F / N
    largest_hosts_cpu_percent: Fraction  # share of the F largest hosts in the cluster's CPU
    largest_hosts_memory_percent: Fraction
    total_host_cpu_mhz: int
    total_host_memory_mb: int
    required_cpu_mhz: int
    required_memory_mb: int
    passed: bool

    @property
    def cpu_headroom_percent(self) -> Fraction | None:
        if self.configured_cpu_percent is None:
            return None
        return self.cpu_failover_percent - self.configured_cpu_percent

    @property
    def memory_headroom_percent(self) -> Fraction | None:
        if self.configured_memory_percent is None:
            return None
        return self.memory_failover_percent - self.configured_memory_percent

    @property
    def reserved_cpu_mhz(self) -> Fraction | None:
        """What the configured % holds back, in MHz (13 % of 12 × 16 GHz is 24.96 GHz, TV-5)."""
        return None if self.configured_cpu_percent is None else self.configured_cpu_percent * self.total_host_cpu_mhz / 100

    @property
    def reserved_memory_mb(self) -> Fraction | None:
        return None if self.configured_memory_percent is None else self.configured_memory_percent * self.total_host_memory_mb / 100

    def as_dict(self) -> dict[str, Any]:
        return {
            "cpu_failover_percent": self.cpu_failover_percent,
            "memory_failover_percent": self.memory_failover_percent,
            "configured_cpu_percent": self.configured_cpu_percent,
            "configured_memory_percent": self.configured_memory_percent,
            "cpu_headroom_percent": self.cpu_headroom_percent,
            "memory_headroom_percent": self.memory_headroom_percent,
            "reserved_cpu_mhz": self.reserved_cpu_mhz,
            "reserved_memory_mb": self.reserved_memory_mb,
            "auto": self.auto,
            "auto_reading": self.auto_reading,
            "f_over_n_percent": self.f_over_n_percent,
            "largest_hosts_cpu_percent": self.largest_hosts_cpu_percent,
            "largest_hosts_memory_percent": self.largest_hosts_memory_percent,
            "total_host_cpu_mhz": self.total_host_cpu_mhz,
            "total_host_memory_mb": self.total_host_memory_mb,
            "required_cpu_mhz": self.required_cpu_mhz,
            "required_memory_mb": self.required_memory_mb,
            "passed": self.passed,
        }


@dataclass(frozen=True)
class FailoverHostStatus:
    name: str
    status: str  # green | yellow | red (API FailoverHostAdmissionControlInfo.HostStatus)
    free_cpu_mhz: int
    free_memory_mb: int

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "free_cpu_mhz": self.free_cpu_mhz, "free_memory_mb": self.free_memory_mb}


@dataclass(frozen=True)
class FailoverHostsReport:
    """Dedicated failover hosts: their status and whether they can take the F most loaded hosts' VMs."""

    hosts: tuple[FailoverHostStatus, ...]
    free_cpu_mhz: int  # summed over the green and yellow failover hosts
    free_memory_mb: int
    displaced_cpu_mhz: int  # load of the F most loaded other hosts, per resource
    displaced_memory_mb: int
    largest_vm: str | None
    covers_load: bool
    largest_vm_fits: bool
    passed: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "hosts": [host.as_dict() for host in self.hosts],
            "free_cpu_mhz": self.free_cpu_mhz,
            "free_memory_mb": self.free_memory_mb,
            "displaced_cpu_mhz": self.displaced_cpu_mhz,
            "displaced_memory_mb": self.displaced_memory_mb,
            "largest_vm": self.largest_vm,
            "covers_load": self.covers_load,
            "largest_vm_fits": self.largest_vm_fits,
            "passed": self.passed,
        }


@dataclass(frozen=True)
class PerformanceReport:
    """6.5+ "Performance degradation VMs tolerate": usage × (1 - X%) against capacity after F failures."""

    percent: int
    usage_cpu_mhz: int
    usage_memory_mb: int
    capacity_after_failure_cpu_mhz: int
    capacity_after_failure_memory_mb: int
    cpu_ok: bool
    memory_ok: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "percent": self.percent,
            "usage_cpu_mhz": self.usage_cpu_mhz,
            "usage_memory_mb": self.usage_memory_mb,
            "capacity_after_failure_cpu_mhz": self.capacity_after_failure_cpu_mhz,
            "capacity_after_failure_memory_mb": self.capacity_after_failure_memory_mb,
            "cpu_ok": self.cpu_ok,
            "memory_ok": self.memory_ok,
        }


@dataclass(frozen=True)
class UnplacedVM:
    name: str
    restart_priority: str
    cpu_mhz: int
    memory_mb: int
    host: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "restart_priority": self.restart_priority,
            "cpu_mhz": self.cpu_mhz,
            "memory_mb": self.memory_mb,
            "host": self.host,
        }


@dataclass(frozen=True)
class HostLoad:
    """One counted host in the worst failure set: its capacity, what ran on it, and what HA's restart order
    (highest priority first, best fit) lands on it; a failed host keeps its own load, for the picture."""

    name: str
    failed: bool
    cpu_mhz: float
    memory_mb: float
    cpu_used_mhz: float
    memory_used_mb: float
    cpu_landed_mhz: float = 0.0
    memory_landed_mb: float = 0.0


@dataclass(frozen=True)
class OtherDemand:
    """The restart check's verdict on the other demand basis, for comparison (it decides nothing)."""

    demand: str  # "reservation" or "configured"
    passed: bool
    failing_sets: int
    undecided_sets: int

    def as_dict(self) -> dict[str, Any]:
        return {"demand": self.demand, "passed": self.passed, "failing_sets": self.failing_sets, "undecided_sets": self.undecided_sets}


@dataclass(frozen=True)
class RestartReport:
    """Whether every powered-on VM of every set of F failed hosts restarts on the survivors' free capacity.

    Each checked set is proven to restart, proven to fail (``failing_sets``), or undecided
    (``undecided_sets``: the search ran out of time or size before a proof either way). ``passed`` needs
    every set proven to restart, so undecided sets alone fail the check, conservatively; a FAIL is
    proven when ``failing_sets`` > 0. ``exact`` says the verdict is proven: a set proven to fail, or every
    set checked and proven to restart; with ``undecided_sets`` > 0 the failing count is a lower bound.
    """

    passed: bool
    exact: bool
    worst_case_failed_hosts: tuple[str, ...]  # the most loaded failing set, else undecided set, else set
    unplaced_vms: tuple[UnplacedVM, ...]  # left over in the worst set; empty unless that set is proven to fail
    mode: str  # "placed" (VMs have hosts), "packed" (no placement: pack every VM) or "mixed"
    failure_sets: int  # every set of F hosts
    checked_sets: int  # fewer than failure_sets only past the enumeration limit (the heaviest sets)
    failing_sets: int  # proven to leave a VM down
    undecided_sets: int  # neither proven to restart every VM nor to fail
    method: str  # the proofs behind the verdict: of the failing sets for a FAIL, else of the passing sets
    demand: str = "reservation"  # each VM's demand: "reservation" (what HA needs to power it on) or "configured" (all its memory)
    other_demand: OtherDemand | None = None  # the other basis's verdict, when every powered-on VM has the data for it
    host_loads: tuple[HostLoad, ...] = ()  # the worst set, host by host (for charts; not in the JSON)

    def survivors_load(self) -> tuple[float, float] | None:
        """CPU and memory the surviving hosts carry after the worst set, as shares of their capacity (1 is full)."""
        survivors = [load for load in self.host_loads if not load.failed]
        cpu = sum(load.cpu_mhz for load in survivors)
        memory = sum(load.memory_mb for load in survivors)
        if not cpu or not memory:
            return None
        return (
            sum(load.cpu_used_mhz + load.cpu_landed_mhz for load in survivors) / cpu,
            sum(load.memory_used_mb + load.memory_landed_mb for load in survivors) / memory,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "exact": self.exact,
            "worst_case_failed_hosts": list(self.worst_case_failed_hosts),
            "unplaced_vms": [vm.as_dict() for vm in self.unplaced_vms],
            "mode": self.mode,
            "failure_sets": self.failure_sets,
            "checked_sets": self.checked_sets,
            "failing_sets": self.failing_sets,
            "undecided_sets": self.undecided_sets,
            "method": self.method,
            "demand": self.demand,
            "other_demand": None if self.other_demand is None else self.other_demand.as_dict(),
        }


@dataclass(frozen=True)
class OptionLine:
    """A das.* option as typed, its canonical key, and whether it takes effect on this version."""

    key: str
    canonical: str
    value: str
    effective: bool
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "canonical": self.canonical, "value": self.value, "effective": self.effective, "note": self.note}


@dataclass(frozen=True)
class VmMonitoringReport:
    """Effective VM monitoring settings and where each value came from (option, setting, preset or default)."""

    enabled: bool
    sensitivity: str | None
    failure_interval_s: int
    min_uptime_s: int
    max_resets: int
    reset_window_s: int  # -1: no window, max_resets counts for ever (API)
    sources: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "sensitivity": self.sensitivity,
            "failure_interval_s": self.failure_interval_s,
            "min_uptime_s": self.min_uptime_s,
            "max_resets": self.max_resets,
            "reset_window_s": self.reset_window_s,
            "sources": dict(self.sources),
        }


@dataclass(frozen=True)
class Defaults:
    """The version profile's values in effect, so a reader knows what the figures assumed."""

    vsphere: str
    vm_cpu_min_mhz: int
    vm_memory_min_mb: int
    max_hosts: int | None
    max_vms: int | None
    count_not_responding: bool
    count_standby: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "vsphere": self.vsphere,
            "vm_cpu_min_mhz": self.vm_cpu_min_mhz,
            "vm_memory_min_mb": self.vm_memory_min_mb,
            "max_hosts": self.max_hosts,
            "max_vms": self.max_vms,
            "count_not_responding": self.count_not_responding,
            "count_standby": self.count_standby,
        }


@dataclass(frozen=True)
class ClusterReport:
    cluster: str
    policy: Policy
    tolerate: int
    passed: bool  # the configured policy and (unless skipped) the restart check both pass
    policy_passed: bool
    hosts: tuple[HostLine, ...]
    slot: SlotReport | None
    percentage: PercentageReport | None
    failover_hosts: FailoverHostsReport | None
    performance: PerformanceReport | None
    restart: RestartReport | None  # None with restart_check=False
    options: tuple[OptionLine, ...]
    vm_monitoring: VmMonitoringReport
    defaults: Defaults
    warnings: tuple[str, ...]
    platform: str = "vsphere"
    platform_rule: Any = None  # hacalc.core.platforms.RuleReport: another platform's rule, in place of admission control

    def as_dict(self) -> dict[str, Any]:
        """The JSON document; values may be Fractions, which the CLI's ``jsonable`` turns into numbers.

        Another platform's cluster adds ``platform`` and ``platform_rule``; a vSphere report keeps its keys."""

        def section(part: Any) -> Any:
            return None if part is None else part.as_dict()

        other = {} if self.platform == "vsphere" else {"platform": self.platform, "platform_rule": section(self.platform_rule)}
        return {
            **other,
            "cluster": self.cluster,
            "vsphere": self.defaults.vsphere,
            "policy": self.policy.value,
            "tolerate": self.tolerate,
            "passed": self.passed,
            "policy_passed": self.policy_passed,
            "hosts": [host.as_dict() for host in self.hosts],
            "slot": section(self.slot),
            "percentage": section(self.percentage),
            "failover_hosts": section(self.failover_hosts),
            "performance_degradation": section(self.performance),
            "restart": section(self.restart),
            "options": [option.as_dict() for option in self.options],
            "vm_monitoring": self.vm_monitoring.as_dict(),
            "defaults": self.defaults.as_dict(),
            "warnings": list(self.warnings),
        }
