"""The slot policy ("Host failures cluster tolerates"), computed as vCenter computes it.

Source: vsphere-ha.md §1.2 (API FailoverLevelAdmissionControlPolicy, DasFailoverLevelAdvancedRuntimeInfo
and SlotInfo, KB 344227 for caps and the 5.1+ fixed slot).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from hacalc.core.vsphere.model import VM, Host
from hacalc.core.vsphere.report import MultiSlotVM, SlotReport, SlotSetter

SETTERS_SHOWN = 3


@dataclass(frozen=True)
class Requirement:
    """What admission control counts for one powered-on VM: reservation or the minimum, plus overhead."""

    name: str
    cpu_mhz: int
    memory_mb: int


@dataclass(frozen=True)
class SlotSize:
    cpu_mhz: int
    memory_mb: int
    source: str


@dataclass(frozen=True)
class HostSlots:
    cpu_slots: int
    memory_slots: int

    @property
    def slots(self) -> int:
        return min(self.cpu_slots, self.memory_slots)

    @property
    def limited_by(self) -> str:
        if self.cpu_slots == self.memory_slots:
            return "both"
        return "cpu" if self.cpu_slots < self.memory_slots else "memory"


def requirements(vms: Sequence[VM], cpu_min_mhz: int, memory_min_mb: int) -> list[Requirement]:
    """Per-VM requirement: a zero reservation counts as the das.vm*Min value; overhead is always added."""
    return [
        Requirement(
            vm.name,
            vm.cpu_reservation_mhz if vm.cpu_reservation_mhz > 0 else cpu_min_mhz,
            (vm.memory_reservation_mb if vm.memory_reservation_mb > 0 else memory_min_mb) + vm.memory_overhead_mb,
        )
        for vm in vms
        if vm.powered_on
    ]


def slot_size(
    needs: Sequence[Requirement],
    cpu_min_mhz: int,
    memory_min_mb: int,
    *,
    cap_cpu_mhz: int | None = None,
    cap_memory_mb: int | None = None,
    fixed: tuple[int, int] | None = None,
) -> SlotSize:
    """Largest requirement per dimension (at least the minimum); caps are upper bounds, a fixed slot is exact."""
    if fixed is not None:
        return SlotSize(fixed[0], fixed[1], "fixed")
    cpu = max([cpu_min_mhz, *(need.cpu_mhz for need in needs)])
    memory = max([memory_min_mb, *(need.memory_mb for need in needs)])
    capped = False
    if cap_cpu_mhz is not None and cap_cpu_mhz < cpu:
        cpu, capped = cap_cpu_mhz, True
    if cap_memory_mb is not None and cap_memory_mb < memory:
        memory, capped = cap_memory_mb, True
    return SlotSize(cpu, memory, "capped" if capped else "computed")


def host_slots(host: Host, slot: SlotSize) -> HostSlots:
    """Each dimension rounded down; the lower is the host's slot count (a zero-size dimension counts as 1)."""
    return HostSlots(host.cpu_mhz // max(slot.cpu_mhz, 1), host.memory_mb // max(slot.memory_mb, 1))


def slots_needed(need: Requirement, slot: SlotSize) -> int:
    """A VM larger than a capped or fixed slot takes several slots [derived: ceil per dimension, the larger]."""
    return max(1, -(-need.cpu_mhz // max(slot.cpu_mhz, 1)), -(-need.memory_mb // max(slot.memory_mb, 1)))


def failover_level(host_slot_counts: Sequence[int], used_slots: int) -> int:
    """Hosts that can fail, most slots first, leaving at least ``used_slots``; at most N - 1."""
    ordered = sorted(host_slot_counts, reverse=True)
    remaining = sum(ordered)
    level = 0
    for failed, slots in enumerate(ordered, start=1):
        remaining -= slots
        if remaining < used_slots:
            break
        level = failed
    return min(level, max(len(ordered) - 1, 0))


def unreserved_slots(host_slot_counts: Sequence[int], used_slots: int, tolerate: int) -> int:
    """API formula: slots left after removing the ``tolerate`` hosts with most slots, minus used slots."""
    ordered = sorted(host_slot_counts, reverse=True)
    return max(0, sum(ordered[tolerate:]) - used_slots)


def slot_report(
    hosts: Sequence[Host],
    needs: Sequence[Requirement],
    tolerate: int,
    cpu_min_mhz: int,
    memory_min_mb: int,
    *,
    cap_cpu_mhz: int | None = None,
    cap_memory_mb: int | None = None,
    fixed: tuple[int, int] | None = None,
) -> tuple[SlotReport, dict[str, HostSlots]]:
    """The slot figures for the counted ``hosts``, plus each host's slots for the host table."""
    sizing = dict(cap_cpu_mhz=cap_cpu_mhz, cap_memory_mb=cap_memory_mb, fixed=fixed)
    slot = slot_size(needs, cpu_min_mhz, memory_min_mb, **sizing)
    per_host = {host.name: host_slots(host, slot) for host in hosts}
    counts = [figures.slots for figures in per_host.values()]
    # A VM within the slot in both dimensions takes one slot; only the others need counting (a capped or fixed slot).
    larger = [MultiSlotVM(need.name, slots_needed(need, slot)) for need in needs if need.cpu_mhz > slot.cpu_mhz or need.memory_mb > slot.memory_mb]
    used = len(needs) - len(larger) + sum(vm.slots for vm in larger)
    level = failover_level(counts, used)

    cpu_setters = _top(needs, "cpu_mhz", floor=cpu_min_mhz)
    memory_setters = _top(needs, "memory_mb", floor=memory_min_mb)
    cpu_names, memory_names = {vm.name for vm in cpu_setters}, {vm.name for vm in memory_setters}
    setter_names = cpu_names | memory_names  # built once: rebuilt for every VM they cost more than the rest of the check
    without_cpu = slot_size([need for need in needs if need.name not in cpu_names], cpu_min_mhz, memory_min_mb, **sizing)
    without_memory = slot_size([need for need in needs if need.name not in memory_names], cpu_min_mhz, memory_min_mb, **sizing)
    without_both = slot_size([need for need in needs if need.name not in setter_names], cpu_min_mhz, memory_min_mb, **sizing)

    report = SlotReport(
        cpu_mhz=slot.cpu_mhz,
        memory_mb=slot.memory_mb,
        source=slot.source,
        total_slots=sum(counts),
        used_slots=used,
        available_slots=unreserved_slots(counts, used, tolerate),
        current_failover_level=level,
        passed=level >= tolerate and len(counts) > tolerate,
        cpu_set_by=cpu_setters,
        memory_set_by=memory_setters,
        cpu_mhz_without_them=without_cpu.cpu_mhz,
        memory_mb_without_them=without_memory.memory_mb,
        total_slots_without_them=sum(host_slots(host, without_both).slots for host in hosts),
        vms_requiring_multiple_slots=tuple(vm for vm in larger if vm.slots > 1),
    )
    return report, per_host


def _top(needs: Sequence[Requirement], dimension: str, floor: int) -> tuple[SlotSetter, ...]:
    """The VMs with the largest requirement in one dimension, above the version minimum."""
    above = [need for need in needs if getattr(need, dimension) > floor]
    top = heapq.nsmallest(SETTERS_SHOWN, above, key=lambda need: (-getattr(need, dimension), need.name))  # sorted(...)[:3], without sorting them all
    return tuple(SlotSetter(need.name, getattr(need, dimension)) for need in top)
