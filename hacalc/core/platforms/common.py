"""What every non-vSphere rule reads the same way: the hosts that count, each VM's memory, and where VMs run.

These platforms size failover on configured memory (SCVMM, XenServer, Nutanix, Proxmox; inventories.md §5),
so a VM's demand here is ``memory_mb`` plus ``memory_overhead_mb`` (XenServer's shadow memory; 0 elsewhere),
the same figure as the restart check's configured demand. A host gives VMs ``memory_mb`` less
``host_reserve_mb``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from hacalc.core.vsphere.failover_hosts import restart_demand
from hacalc.core.vsphere.model import VM, Cluster, Demand, FieldError, Host, HostState
from hacalc.i18n import N_, _, plural

Thing = TypeVar("Thing", bound=Hashable)
Bin = TypeVar("Bin", bound=Hashable)


def usable_memory(host: Host) -> int:
    """What VMs may use on a host: its memory less what the hypervisor keeps (SCVMM's host reserve)."""
    return host.memory_mb - host.host_reserve_mb


def vm_memory(vm: VM) -> int:
    """A VM's configured memory plus overhead; ``require_configured_memory`` has checked it is known."""
    return restart_demand(vm, Demand.configured)[1]


def require_configured_memory(cluster: Cluster, rule: str) -> None:
    """These rules count configured memory, so every powered-on VM needs ``memory_mb``."""
    for vm in cluster.vms:
        if vm.powered_on and vm.memory_mb is None:
            raise FieldError(
                _("VM {vm!r} has no configured memory (memory_mb), which {rule} counts").format(vm=vm.name, rule=_(rule)),
                ("vms", vm.name, "memory_mb"),
                _("give memory_mb (configured or startup memory) for every powered-on VM"),
            )


def live_hosts(cluster: Cluster) -> list[Host]:
    """Connected hosts: the ones that run VMs now and can take failed-over VMs."""
    return [host for host in cluster.hosts if host.state is HostState.connected]


def biggest_fit_decreasing(things: Sequence[tuple[Thing, int]], bins: Sequence[tuple[Bin, int]]) -> tuple[dict[Thing, Bin], dict[Bin, int]]:
    """xapi's ``biggest_fit_decreasing`` (``ocaml/xapi/binpack.ml``; algorithm only, the code is LGPL).

    Things largest first, each into the bin with the most room, or left out when even that bin is too small.
    Both sorts are stable (input order breaks ties) and a bin that took a thing goes back in front of the
    first bin with no more room than it, as xapi's ``insert`` does; returns the placement and the room left.
    """
    ordered = sorted(things, key=lambda item: -item[1])
    room = sorted(bins, key=lambda item: -item[1])
    placed: dict[Thing, Bin] = {}
    for thing, size in ordered:
        if not room or room[0][1] < size:
            continue
        target, free = room.pop(0)
        left = free - size
        position = next((index for index, (_, other) in enumerate(room) if other <= left), len(room))
        room.insert(position, (target, left))
        placed[thing] = target
    return placed, dict(room)


@dataclass
class Layout:
    """Where the powered-on VMs run on the live hosts, and each host's memory left after them.

    VMs without a live host (no placement, or a host that is down or in maintenance) are started first,
    biggest fit decreasing, as xapi starts offline protected VMs before it plans; ``started`` names them
    and ``homeless`` the ones that fit nowhere even before any failure.
    """

    hosts: list[Host]
    free: dict[str, int]
    on: dict[str, list[VM]]
    started: list[VM] = field(default_factory=list)
    homeless: list[VM] = field(default_factory=list)

    def notes(self) -> list[str]:
        notes = []
        if self.started:
            notes.append(plural(
                len(self.started), N_("{count} VM without a running host placed first, biggest fit decreasing"),
                N_("{count} VMs without a running host placed first, biggest fit decreasing"),
            ))
        if self.homeless:
            names = ", ".join(vm.name for vm in self.homeless[:5]) + (" …" if len(self.homeless) > 5 else "")
            notes.append(plural(
                len(self.homeless), N_("{count} VM with no room on any host even before a failure: {names}"),
                N_("{count} VMs with no room on any host even before a failure: {names}"), names=names,
            ))
        return notes


def layout(cluster: Cluster) -> Layout:
    hosts = live_hosts(cluster)
    free = {host.name: usable_memory(host) for host in hosts}
    on: dict[str, list[VM]] = {host.name: [] for host in hosts}
    waiting = []
    for vm in cluster.vms:
        if not vm.powered_on:
            continue
        if vm.host in free:
            on[vm.host].append(vm)
            free[vm.host] -= vm_memory(vm)
        else:
            waiting.append(vm)
    placed, _unplaced = biggest_fit_decreasing([(vm.name, vm_memory(vm)) for vm in waiting], list(free.items()))
    by_name = {vm.name: vm for vm in waiting}
    for name, host in placed.items():
        on[host].append(by_name[name])
        free[host] -= vm_memory(by_name[name])
    started = [vm for vm in waiting if vm.name in placed]
    return Layout(hosts, free, on, started, [vm for vm in waiting if vm.name not in placed])

