"""Dedicated failover hosts: status per host and whether they can take the F most loaded hosts' VMs.

Source: vsphere-ha.md §1.4 (API FailoverHostAdmissionControlInfo.HostStatus; the capacity check is [derived]).
"""

from __future__ import annotations

from collections.abc import Sequence

from hacalc.core.vsphere.model import VM, Demand, Host, HostState
from hacalc.core.vsphere.report import FailoverHostsReport, FailoverHostStatus


def restart_demand(vm: VM, demand: Demand = Demand.reservation) -> tuple[int, int]:
    """A VM's CPU and memory demand: its CPU reservation, and its memory reservation (what HA needs to
    power it on) or configured memory (all of it, with no overcommit), plus overhead.

    ``configured`` needs ``vm.memory_mb``; check_cluster refuses a powered-on VM without it.
    """
    memory = vm.memory_mb if demand is Demand.configured else vm.memory_reservation_mb
    if memory is None:
        raise ValueError(f"VM {vm.name!r} has no configured memory")
    return vm.cpu_reservation_mhz, memory + vm.memory_overhead_mb


def host_status(host: Host, running_vms: int) -> str:
    """Green: connected, no HA error, no VMs; yellow: the same with VMs running; red: anything else."""
    if host.state is not HostState.connected:
        return "red"
    return "yellow" if running_vms else "green"


def failover_hosts_report(hosts: Sequence[Host], counted: Sequence[Host], vms: Sequence[VM], failover_names: Sequence[str], tolerate: int) -> FailoverHostsReport:
    """``hosts`` are all hosts (a failover host in maintenance is red, not missing); ``counted`` the good ones."""
    running = [vm for vm in vms if vm.powered_on]
    load: dict[str, list[int]] = {host.name: [0, 0] for host in hosts}
    floating = [0, 0]
    for vm in running:
        cpu, memory = restart_demand(vm)
        target = load.get(vm.host) if vm.host else None
        target = floating if target is None else target
        target[0] += cpu
        target[1] += memory

    statuses = []
    for name in failover_names:
        host = next(host for host in hosts if host.name == name)
        count = sum(1 for vm in running if vm.host == name)
        statuses.append(FailoverHostStatus(name, host_status(host, count), host.cpu_mhz - load[name][0], host.memory_mb - load[name][1]))
    usable = [status for status in statuses if status.status != "red"]
    free_cpu = sum(max(status.free_cpu_mhz, 0) for status in usable)
    free_memory = sum(max(status.free_memory_mb, 0) for status in usable)

    others = [host for host in counted if host.name not in failover_names]
    other_cpu = sum(host.cpu_mhz for host in others) or 1
    other_memory = sum(host.memory_mb for host in others) or 1
    # VMs without placement are spread over the other hosts in proportion to their capacity.
    loads_cpu = [load[host.name][0] + floating[0] * host.cpu_mhz / other_cpu for host in others]
    loads_memory = [load[host.name][1] + floating[1] * host.memory_mb / other_memory for host in others]
    displaced_cpu = round(sum(sorted(loads_cpu, reverse=True)[:tolerate]))
    displaced_memory = round(sum(sorted(loads_memory, reverse=True)[:tolerate]))

    candidates = [vm for vm in running if vm.host not in failover_names]
    largest = max(candidates, key=lambda vm: (restart_demand(vm)[1], restart_demand(vm)[0]), default=None)
    largest_fits = largest is None or any(
        status.free_cpu_mhz >= restart_demand(largest)[0] and status.free_memory_mb >= restart_demand(largest)[1] for status in usable
    )
    covers = free_cpu >= displaced_cpu and free_memory >= displaced_memory
    return FailoverHostsReport(
        hosts=tuple(statuses),
        free_cpu_mhz=free_cpu,
        free_memory_mb=free_memory,
        displaced_cpu_mhz=displaced_cpu,
        displaced_memory_mb=displaced_memory,
        largest_vm=largest.name if largest else None,
        covers_load=covers,
        largest_vm_fits=largest_fits,
        passed=bool(usable) and covers and largest_fits,
    )
