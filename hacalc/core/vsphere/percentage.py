"""The percentage policy ("Cluster resource percentage") and the 6.5+ performance degradation check.

Source: vsphere-ha.md §1.3 (Docs 6.7 pp.21-23, API FailoverResourcesAdmissionControlPolicy, HA Deepdive).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from hacalc.core.vsphere.model import Host
from hacalc.core.vsphere.report import PercentageReport, PerformanceReport
from hacalc.core.vsphere.slot import Requirement

AUTO_READING = "F/N"  # Terraform: "subtracting the average number of host resources" for F failures


def failover_percent(total: int, required: int) -> int:
    """(total - required) / total in %, floored as vCenter shows it (70.83 % is shown as 70 %)."""
    if total <= 0:
        return 0
    return (total - required) * 100 // total


def largest_hosts_share(capacities: Sequence[int], tolerate: int) -> Fraction:
    """The F largest hosts' share of the cluster, in %: what F failures remove in the worst case."""
    total = sum(capacities)
    if total <= 0:
        return Fraction(0)
    return Fraction(100 * sum(sorted(capacities, reverse=True)[:tolerate]), total)


def percentage_report(
    hosts: Sequence[Host],
    needs: Sequence[Requirement],
    tolerate: int,
    configured_cpu: Fraction | None,
    configured_memory: Fraction | None,
    auto: bool,
) -> PercentageReport:
    """Current CPU and memory failover capacity against the configured (or automatic F/N) percentage."""
    total_cpu = sum(host.cpu_mhz for host in hosts)
    total_memory = sum(host.memory_mb for host in hosts)
    required_cpu = sum(need.cpu_mhz for need in needs)
    required_memory = sum(need.memory_mb for need in needs)
    f_over_n = Fraction(100 * tolerate, len(hosts)) if hosts else Fraction(100)
    if auto:
        configured_cpu = configured_memory = f_over_n
    cpu_now = failover_percent(total_cpu, required_cpu)
    memory_now = failover_percent(total_memory, required_memory)
    passed = (
        len(hosts) >= 2
        and (configured_cpu is None or cpu_now >= configured_cpu)
        and (configured_memory is None or memory_now >= configured_memory)
    )
    return PercentageReport(
        cpu_failover_percent=cpu_now,
        memory_failover_percent=memory_now,
        configured_cpu_percent=configured_cpu,
        configured_memory_percent=configured_memory,
        auto=auto,
        auto_reading=AUTO_READING if auto else None,
        f_over_n_percent=f_over_n,
        largest_hosts_cpu_percent=largest_hosts_share([host.cpu_mhz for host in hosts], tolerate),
        largest_hosts_memory_percent=largest_hosts_share([host.memory_mb for host in hosts], tolerate),
        total_host_cpu_mhz=total_cpu,
        total_host_memory_mb=total_memory,
        required_cpu_mhz=required_cpu,
        required_memory_mb=required_memory,
        passed=passed,
    )


def performance_report(hosts: Sequence[Host], needs: Sequence[Requirement], tolerate: int, percent: int) -> PerformanceReport:
    """Docs: a notice when usage - usage × X% exceeds the capacity left after the F largest hosts fail.

    Usage is taken as the reserved CPU and memory plus overhead (the Docs' own reading); actual
    consumption is not in the model.
    """
    usage_cpu = sum(need.cpu_mhz for need in needs)
    usage_memory = sum(need.memory_mb for need in needs)
    after_cpu = _after_failure([host.cpu_mhz for host in hosts], tolerate)
    after_memory = _after_failure([host.memory_mb for host in hosts], tolerate)
    return PerformanceReport(
        percent=percent,
        usage_cpu_mhz=usage_cpu,
        usage_memory_mb=usage_memory,
        capacity_after_failure_cpu_mhz=after_cpu,
        capacity_after_failure_memory_mb=after_memory,
        cpu_ok=usage_cpu * (100 - percent) <= after_cpu * 100,
        memory_ok=usage_memory * (100 - percent) <= after_memory * 100,
    )


def _after_failure(capacities: Sequence[int], tolerate: int) -> int:
    return sum(sorted(capacities, reverse=True)[tolerate:])
