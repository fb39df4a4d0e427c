"""Nutanix AHV VM high availability: best effort, or a guarantee by reserved hosts or reserved segments.

Published (inventories.md §5; vsphere-ha.md §6; masteringnutanix.com 2020-07-05, virtualramblings.com,
joshodgers.com 2015-06-14): best effort (the default, ``kAcropolisHANoReserveReservations``) reserves
nothing and restarts what memory allows. The guarantee reserves memory only (AHV HA counts RAM, not CPU)
for 1 host failure with replication factor 2 and 2 with RF3 (``num_host_failures_to_tolerate``), either as
whole hosts (``kAcropolisHAReserveHosts``: only when every node has the same memory; nothing runs there) or
as segments (``kAcropolisHAReserveSegments``, the only guarantee method from AOS 5.0): fixed-size segments
as large as the largest VM, several smaller VMs sharing one.

Assumptions, because Nutanix does not publish the arithmetic:
- a segment is as large as the largest powered-on HA VM; each host's HA VMs are packed into segments
  first fit decreasing, and a host offers ``free memory // segment`` segments to failed-over VMs;
- "sized on the largest node" when nodes differ is covered by checking every set of failed hosts, which
  includes the largest;
- the reserved hosts are the ones running the least VM memory, and their VMs move to the other hosts
  biggest fit decreasing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations

from hacalc.core.platforms.common import Layout, biggest_fit_decreasing, layout, require_configured_memory, usable_memory, vm_memory
from hacalc.core.platforms.report import BEST_EFFORT, EXACT, RuleDetail, RuleReport, tightest
from hacalc.core.vsphere.model import VM, Cluster, ClusterSettings, FieldError, NutanixReservation
from hacalc.i18n import N_, Message, _

RULE = {
    NutanixReservation.best_effort: N_("Nutanix AHV HA, best effort"),
    NutanixReservation.hosts: N_("Nutanix AHV HA guarantee, reserved hosts"),
    NutanixReservation.segments: N_("Nutanix AHV HA guarantee, reserved segments"),
}
MAX_FAILURE_SETS = 200_000


def failures_tolerated(settings: ClusterSettings, tolerate: int | None = None) -> int:
    """``tolerate`` when given, else RF - 1 when the file gives the replication factor, else the file's ``tolerate``."""
    if tolerate is not None:
        return tolerate
    if settings.replication_factor is not None:
        return settings.replication_factor - 1
    return settings.tolerate


def vm_high_availability(cluster: Cluster, tolerate: int | None = None, reservation: NutanixReservation | None = None) -> RuleReport:
    """AHV's HA verdict under ``reservation`` (the file's, else best effort)."""
    reservation = reservation or cluster.settings.nutanix_reservation or NutanixReservation.best_effort
    failures = failures_tolerated(cluster.settings, tolerate)
    if failures < 1:
        raise FieldError(_("tolerate {tolerate} is below 1").format(tolerate=failures), ("cluster", "tolerate"), _("give the number of host failures, 1 or more"))
    require_configured_memory(cluster, RULE[reservation])
    placed = layout(cluster)
    notes = placed.notes()
    if reservation is NutanixReservation.best_effort:
        notes.append(N_("best effort reserves nothing and guarantees nothing: failed VMs restart as memory allows (see the restart check)"))
        return RuleReport("nutanix", RULE[reservation], failures, not placed.homeless, BEST_EFFORT, 0, notes=tuple(notes))
    if len(placed.hosts) <= failures:
        notes.append(Message(N_("{hosts} hosts cannot reserve for {failures} host failures"), hosts=len(placed.hosts), failures=failures))
        return RuleReport("nutanix", RULE[reservation], failures, False, EXACT, 0, notes=tuple(notes))
    if reservation is NutanixReservation.hosts:
        return _reserved_hosts(cluster, placed, failures, notes)
    return _reserved_segments(placed, failures, notes)


def segments_needed(sizes: Sequence[int], segment: int) -> int:
    """Segments of ``segment`` MB that hold VMs of ``sizes``, packed first fit decreasing (several small VMs share one)."""
    room: list[int] = []
    for size in sorted(sizes, reverse=True):
        for index, left in enumerate(room):
            if left >= size:
                room[index] -= size
                break
        else:
            room.append(segment - size)
    return len(room)


def _reserved_hosts(cluster: Cluster, placed: Layout, failures: int, notes: list[str]) -> RuleReport:
    sizes = {host.memory_mb for host in placed.hosts}
    if len(sizes) > 1:
        raise FieldError(
            _("reserved hosts need every node to have the same memory, and these have {sizes} MB").format(sizes=", ".join(f"{size:,}" for size in sorted(sizes))),
            ("cluster", "nutanix_reservation"),
            _('use nutanix_reservation = "segments" (AHV allows reserved hosts only with uniform node memory)'),
        )
    load = {host.name: sum(map(vm_memory, placed.on[host.name])) for host in placed.hosts}
    reserved = sorted(placed.hosts, key=lambda host: load[host.name])[:failures]
    names = {host.name for host in reserved}
    moving = [vm for name in names for vm in placed.on[name]]
    targets = [(host.name, placed.free[host.name]) for host in placed.hosts if host.name not in names]
    moved, room = biggest_fit_decreasing([(vm.name, vm_memory(vm)) for vm in moving], targets)
    stranded = [vm.name for vm in moving if vm.name not in moved]
    detail = RuleDetail(
        tuple(host.name for host in reserved),
        not stranded,
        {"vms_to_move": [vm.name for vm in moving], "moved_mb": sum(map(vm_memory, moving)), "unplaced_vms": stranded, "margin_mb": sum(room.values())},
    )
    notes.append(Message(N_("reserved hosts: {hosts} (the least loaded; nothing may run there)"), hosts=", ".join(host.name for host in reserved)))
    capacity = sum(usable_memory(host) for host in reserved)
    return RuleReport("nutanix", RULE[NutanixReservation.hosts], failures, detail.passed and not placed.homeless, EXACT, capacity, details=(detail,), notes=tuple(notes))


def _reserved_segments(placed: Layout, failures: int, notes: list[str]) -> RuleReport:
    protected = {name: [vm for vm in vms if vm.ha] for name, vms in placed.on.items()}
    largest: VM | None = max((vm for vms in protected.values() for vm in vms), key=vm_memory, default=None)
    segment = vm_memory(largest) if largest else 0
    if segment == 0:
        notes.append(N_("no HA VM needs memory: nothing to reserve"))
        return RuleReport("nutanix", RULE[NutanixReservation.segments], failures, not placed.homeless, EXACT, 0, notes=tuple(notes))
    needed = {name: segments_needed([vm_memory(vm) for vm in vms], segment) for name, vms in protected.items()}
    offered = {name: max(free, 0) // segment for name, free in placed.free.items()}
    names = [host.name for host in placed.hosts]
    if math.comb(len(names), failures) > MAX_FAILURE_SETS:
        raise FieldError(
            _("{sets:,} failure sets of {failures} hosts are too many to check").format(sets=math.comb(len(names), failures), failures=failures), ("cluster", "tolerate"),
            _("give a smaller tolerate"),
        )
    details = []
    for failed in combinations(names, failures):
        need = sum(needed[name] for name in failed)
        have = sum(offered[name] for name in names if name not in failed)
        details.append(RuleDetail(failed, need <= have, {"segments_needed": need, "segments_free": have, "margin_mb": (have - need) * segment}))
    shown, more = tightest(details, "margin_mb")
    notes = [*more, Message(N_("segment size {segment:,} MB (the largest HA VM, {vm})"), segment=segment, vm=largest.name), *notes]
    reserved = max(detail.figures["segments_needed"] for detail in details) * segment
    passed = all(detail.passed for detail in details) and not placed.homeless
    return RuleReport("nutanix", RULE[NutanixReservation.segments], failures, passed, EXACT, reserved, details=shown, notes=tuple(notes))
