"""Speed of the vSphere core on the issue's large cluster (issue 4 §5).

96 hosts (the vSphere 8 maximum) × 10,000 placed VMs. Targets: the policy figures (check_cluster
without the restart check) in <= 0.5 s; the exact restart check for every pair of failed hosts in
<= 2 s end to end. F = 3 is measured and reported, with no target.

Run: .venv/bin/python benchmarks/bench_vsphere_core.py [--f3]   (--f3 adds every triple of failed hosts)
"""

from __future__ import annotations

import random
import sys
import time

from hacalc.core.vsphere.check import check_cluster
from hacalc.core.vsphere.model import VM, Cluster, ClusterSettings, Host, Policy, RestartPriority

HOSTS = 96
VMS = 10_000


def large_cluster(seed: int = 4, hosts: int = HOSTS, vms: int = VMS, load: float = 0.7) -> Cluster:
    """Two host sizes; VMs with mixed reservations reserving about ``load`` of the cluster's memory,
    each placed on a random host that still has room (as vCenter would admit it), else powered off."""
    rng = random.Random(seed)
    host_list = tuple(
        Host(f"esx{number:03d}", 2 * 28 * 2600 if number % 3 else 2 * 32 * 3000, 768 * 1024 if number % 3 else 1024 * 1024)
        for number in range(hosts)
    )
    free = {host.name: [host.cpu_mhz, host.memory_mb] for host in host_list}
    total_memory = sum(host.memory_mb for host in host_list)
    average_memory = int(total_memory * load / vms / 0.7)  # the choices below average 0.7 of it
    priorities = list(RestartPriority)
    vm_list = []
    for number in range(vms):
        cpu = rng.choice((0, 0, 0, 500, 1000, 2000))
        memory = rng.choice((0, 0, average_memory // 2, average_memory, 2 * average_memory)) + rng.randint(30, 250)
        tries = [host_list[rng.randrange(hosts)].name for _ in range(8)]
        target = next((name for name in tries if free[name][0] >= cpu and free[name][1] >= memory), None)
        if target:
            free[target][0] -= cpu
            free[target][1] -= memory
        vm_list.append(
            VM(
                f"vm{number:05d}",
                cpu_reservation_mhz=cpu,
                memory_reservation_mb=memory - 30 if memory > 250 else 0,
                memory_overhead_mb=30 if memory > 250 else memory,
                powered_on=target is not None,
                host=target,
                restart_priority=rng.choice(priorities[1:]),
            )
        )
    settings = ClusterSettings("bench", vsphere="8.0", policy=Policy.slot, tolerate=2, cpu_percent=25, memory_percent=25)
    return Cluster(settings, host_list, tuple(vm_list))


def timed(label: str, function, target: float | None = None):
    start = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - start
    verdict = "" if target is None else ("  OK" if elapsed <= target else f"  OVER the {target} s target")
    print(f"{label:<52} {elapsed:7.3f} s{verdict}")
    return result


def summary(report) -> str:
    restart = report.restart
    return (
        f"    passed={restart.passed} exact={restart.exact} sets={restart.failure_sets} failing={restart.failing_sets} "
        f"worst={','.join(restart.worst_case_failed_hosts)} method={restart.method}"
    )


def main() -> None:
    triples = "--f3" in sys.argv
    for load, label in ((0.7, "typical, 70 % of memory reserved"), (0.95, "tight, 95 %"), (0.955, "at the edge, 95.5 %")):
        print(f"96 hosts x 10,000 VMs, {label}")
        cluster = large_cluster(load=load)
        timed("  policy figures (no restart check)", lambda: check_cluster(cluster, restart_check=False), 0.5)
        report = timed("  end to end, F=2 (every pair of failed hosts)", lambda: check_cluster(cluster, tolerate=2), 2.0)
        print(summary(report))
        if triples:
            report = timed("  end to end, F=3 (every triple, no target)", lambda: check_cluster(cluster, tolerate=3))
            print(summary(report))
    cluster = large_cluster()
    packed = Cluster(cluster.settings, cluster.hosts, tuple(VM(vm.name, vm.cpu_reservation_mhz, vm.memory_reservation_mb, vm.memory_overhead_mb) for vm in cluster.vms))
    print("96 hosts x 10,000 VMs without placement (pack every VM onto the survivors)")
    report = timed("  end to end, F=2", lambda: check_cluster(packed, tolerate=2), 2.0)
    print(summary(report))


if __name__ == "__main__":
    main()
