"""Hyper-V under SCVMM: the VMM 2012 cluster reserve check (Hilton Lange, 2012-03-26; inventories.md §5).

For each set of R hosts that could fail together: ``LargestM`` is the memory of the largest HA VM on the
set and ``OtherM`` the memory of its other HA VMs. Every other host adds its extra capacity,
``HostTotalMem - HostMemReserve - VMUsedMem - LargestM``, when that is not negative. The cluster is
overcommitted when ``OtherM`` exceeds the sum. Only HA VMs fail over; every running VM uses memory.

Failover Clustering itself has no admission control: it starts whatever it is asked to. This check is
SCVMM's status flag (and placement rating), which an administrator can override.

When there are more than MAX_EXACT_SETS sets, hacalc (like VMM, "a suitable approximation" for large R)
checks one conservative bound instead [derived]: ``OtherM`` of every set is taken as the HA memory of the
R hosts holding the most, and each survivor's extra is computed against the cluster's largest HA VM with
the R largest extras dropped. Extra capacity only shrinks as ``LargestM`` grows, so when the bound passes
every set passes; when it fails the cluster may still pass the exact check, and the report says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from hacalc.core.platforms.common import layout, require_configured_memory, usable_memory, vm_memory
from hacalc.core.platforms.report import APPROXIMATION, EXACT, RuleDetail, RuleReport, tightest
from hacalc.core.vsphere.model import VM, Cluster, FieldError
from hacalc.i18n import N_, Message, _

RULE = N_("SCVMM cluster reserve")
CONSERVATIVE_BOUND = N_(
    "{sets:,} sets of {reserve} hosts are more than {limit:,}: checked one conservative bound "
    "(OtherM = the HA memory of the {reserve} heaviest hosts, extra against the largest HA VM, the {reserve} largest extras dropped)"
)
CONSERVATIVE_BOUND_FAILED = N_(
    "{sets:,} sets of {reserve} hosts are more than {limit:,}: checked one conservative bound "
    "(OtherM = the HA memory of the {reserve} heaviest hosts, extra against the largest HA VM, the {reserve} largest extras dropped); "
    "a failure here may still pass the exact check"
)
MAX_EXACT_SETS = 200_000  # C(64, 3) = 41,664 sets on VMM's largest clusters stays exact
ADMITS_ANYTHING = N_("Failover Clustering itself has no admission control; this is SCVMM's overcommitted flag, which an administrator can override")


@dataclass(frozen=True)
class _Host:
    """One host as the check sees it: its HA VMs' memory and largest one, and the memory left after all its VMs."""

    name: str
    ha_memory: int
    largest: VM | None
    free: int  # HostTotalMem - HostMemReserve - VMUsedMem


def cluster_reserve(cluster: Cluster, reserve: int | None = None) -> RuleReport:
    """SCVMM's verdict for cluster reserve ``reserve`` (the file's ``tolerate`` when None)."""
    reserve = cluster.settings.tolerate if reserve is None else reserve
    if reserve < 1:
        raise FieldError(_("cluster reserve {reserve} is below 1").format(reserve=reserve), ("cluster", "tolerate"), _("give a cluster reserve of 1 or more"))
    require_configured_memory(cluster, RULE)
    placed = layout(cluster)
    hosts = [_summary(host.name, placed.on[host.name], usable_memory(host) - sum(map(vm_memory, placed.on[host.name]))) for host in placed.hosts]
    notes = [*placed.notes(), ADMITS_ANYTHING]
    if reserve >= len(hosts):
        notes.append(Message(N_("a cluster reserve of {reserve} leaves no host of {hosts} to fail over to"), reserve=reserve, hosts=len(hosts)))
        return RuleReport("hyperv", RULE, reserve, False, EXACT, sum(host.ha_memory for host in hosts), notes=tuple(notes))
    sets = math.comb(len(hosts), reserve)
    if sets > MAX_EXACT_SETS:
        return _approximation(hosts, reserve, sets, notes)
    details = [_check_set(hosts, failed) for failed in combinations(range(len(hosts)), reserve)]
    shown, more = tightest(details, "margin_mb")
    worst = max(detail.figures["largest_m_mb"] + detail.figures["other_m_mb"] for detail in details)
    passed = all(detail.passed for detail in details) and not placed.homeless
    return RuleReport("hyperv", RULE, reserve, passed, EXACT, worst, details=shown, notes=(*more, *notes))


def _summary(name: str, vms: Sequence[VM], free: int) -> _Host:
    protected = [vm for vm in vms if vm.ha]
    largest = max(protected, key=vm_memory, default=None)
    return _Host(name, sum(map(vm_memory, protected)), largest, free)


def _check_set(hosts: Sequence[_Host], failed: tuple[int, ...]) -> RuleDetail:
    """Lange's test for one failure set, with each survivor's extra capacity (negative ones are not added)."""
    down = [hosts[index] for index in failed]
    largest = max((host.largest for host in down if host.largest), key=vm_memory, default=None)
    largest_m = vm_memory(largest) if largest else 0
    other_m = sum(host.ha_memory for host in down) - largest_m
    extras = {host.name: host.free - largest_m for index, host in enumerate(hosts) if index not in failed}
    total_extra = sum(extra for extra in extras.values() if extra >= 0)
    figures = {
        "largest_vm": largest.name if largest else None,
        "largest_m_mb": largest_m,
        "other_m_mb": other_m,
        "total_extra_mb": total_extra,
        "margin_mb": total_extra - other_m,
        "extra_mb": extras,
    }
    return RuleDetail(tuple(host.name for host in down), other_m <= total_extra, figures)


def _approximation(hosts: Sequence[_Host], reserve: int, sets: int, notes: list[str]) -> RuleReport:
    """The conservative bound of the module docstring, for when there are too many sets to check each."""
    largest = max((host.largest for host in hosts if host.largest), key=vm_memory, default=None)
    largest_m = vm_memory(largest) if largest else 0
    heaviest = sorted(hosts, key=lambda host: -host.ha_memory)[:reserve]
    other_m = sum(host.ha_memory for host in heaviest)
    extras = sorted((max(host.free - largest_m, 0) for host in hosts), reverse=True)
    total_extra = sum(extras[reserve:])
    figures = {
        "largest_vm": largest.name if largest else None,
        "largest_m_mb": largest_m,
        "other_m_mb": other_m,
        "total_extra_mb": total_extra,
        "margin_mb": total_extra - other_m,
        "extra_mb": {},
    }
    detail = RuleDetail(tuple(host.name for host in heaviest), other_m <= total_extra, figures)
    notes = [
        Message(CONSERVATIVE_BOUND if detail.passed else CONSERVATIVE_BOUND_FAILED, sets=sets, reserve=reserve, limit=MAX_EXACT_SETS),
        *notes,
    ]
    return RuleReport("hyperv", RULE, reserve, detail.passed, APPROXIMATION, other_m, details=(detail,), notes=tuple(notes))
