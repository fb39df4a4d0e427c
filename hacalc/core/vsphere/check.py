"""``check_cluster``: admission control per version profile, then the exact restart check."""

from __future__ import annotations

import dataclasses
import difflib
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction

from hacalc.core.vsphere.failover_hosts import failover_hosts_report
from hacalc.core.vsphere.model import VM, Cluster, ClusterSettings, Demand, FieldError, Host, HostState, Platform, Policy, RestartPriority
from hacalc.core.vsphere.options import ResolvedOptions, resolve_options, resolve_vm_monitoring
from hacalc.core.vsphere.percentage import percentage_report, performance_report
from hacalc.core.vsphere.report import ClusterReport, Defaults, HostLine, OtherDemand, PercentageReport, RestartReport, SlotReport
from hacalc.core.vsphere.restart import restart_check as run_restart_check
from hacalc.core.vsphere.slot import HostSlots, Requirement, requirements, slot_report
from hacalc.core.vsphere.versions import VersionProfile, profile as version_profile

# MHz or MB of one host or VM: 2**32 is some 170 times the largest vSphere 8 host (24 TB), and keeps every
# sum over 200,000 VMs exact in the restart check's floats (below 2**53).
MAX_CAPACITY = 2**32
POLICY_NONE_WARNING = "admission control is disabled (policy none): only the restart check can fail"

# The other demand basis is shown for comparison only, so it gets the cheap proofs and a short budget, not
# MILP (whose scipy import alone costs more): sets they cannot settle are reported as undecided.
COMPARISON_BUDGET_S = 0.3

EXCLUSION_REASONS = {
    HostState.maintenance: "maintenance mode",
    HostState.disconnected: "disconnected",
    HostState.not_responding: "not responding",
    HostState.standby: "standby (DPM)",
    HostState.ha_error: "HA error",
}


def check_cluster(
    cluster: Cluster,
    *,
    tolerate: int | None = None,
    policy: Policy | None = None,
    strict_keys: bool = False,
    restart_check: bool = True,
    demand: Demand = Demand.reservation,
) -> ClusterReport:
    """The report for ``cluster``; ``tolerate`` and ``policy`` override the file's settings.

    ``demand`` is the restart check's demand per VM; admission control always counts reservations.

    Raises InputError for option keys vCenter would reject and values that cannot be read.
    """
    if cluster.settings.platform is not Platform.vsphere:
        return _other_platform(cluster, tolerate, restart_check)
    return _check(cluster, tolerate=tolerate, policy=policy, strict_keys=strict_keys, restart_check=restart_check, demand=demand)


def _check(
    cluster: Cluster, *, tolerate: int | None, policy: Policy | None, strict_keys: bool, restart_check: bool, demand: Demand, vsphere: bool = True
) -> ClusterReport:
    """``check_cluster``'s work; ``vsphere=False`` leaves out what only vSphere has (performance degradation,
    version limits, the notice that admission control is off) for another platform's cluster."""
    settings = cluster.settings
    version = version_profile(settings.vsphere)
    tolerate = settings.tolerate if tolerate is None else tolerate
    policy = policy or settings.policy
    demand = Demand(demand)
    _validate(cluster, tolerate, policy)
    if demand is Demand.configured and restart_check:
        _require_configured_memory(cluster)
    options = resolve_options(settings.options, version, strict_keys=strict_keys)
    monitoring, monitoring_warnings = resolve_vm_monitoring(settings.vm_monitoring, options)
    warnings = [*options.warnings, *monitoring_warnings]

    counted_states = _counted_states(settings)
    counted = counted_hosts(cluster)
    cpu_min = options.get("das.vmCpuMinMHz", version.vm_cpu_min_mhz)
    memory_min = options.get("das.vmMemoryMinMB", version.vm_memory_min_mb)
    needs = requirements(cluster.vms, cpu_min, memory_min)

    slot, host_slots = _slot(settings, version, options, counted, needs, tolerate, cpu_min, memory_min)
    if settings.fixed_slot_cpu_mhz is not None and not version.has_fixed_slot:
        warnings.append(f"a fixed slot size is new in 5.1; ignored for profile {version.name}")
    if policy is Policy.slot:
        warnings.extend(_slot_warnings(slot))
    percentage = _percentage(settings, version, policy, counted, needs, tolerate, warnings)
    failover = None
    if policy is Policy.failover_hosts or settings.failover_hosts:
        failover = failover_hosts_report(cluster.hosts, counted, cluster.vms, settings.failover_hosts, tolerate)
    performance = None
    if version.has_performance_degradation and vsphere:
        performance = performance_report(counted, needs, tolerate, settings.performance_degradation_percent)
        if not (performance.cpu_ok and performance.memory_ok):
            warnings.append(
                f"performance degradation: usage minus {settings.performance_degradation_percent}% exceeds the capacity left after {tolerate} host failure(s)"
            )
    elif settings.performance_degradation_percent != 100 and vsphere:
        warnings.append(f"performance degradation tolerance is new in 6.5; ignored for profile {version.name}")

    policy_passed = {
        Policy.slot: slot.passed,
        Policy.percentage: percentage.passed,
        Policy.failover_hosts: failover.passed if failover else False,
        Policy.none: True,
    }[policy]
    if policy is Policy.none and vsphere:
        warnings.append(POLICY_NONE_WARNING)

    restart = None
    if restart_check:
        restart, restart_warnings = run_restart_check(counted, cluster.vms, tolerate, demand=demand)
        restart = dataclasses.replace(restart, other_demand=_other_demand(counted, cluster, tolerate, demand))
        warnings.extend(restart_warnings)
    if vsphere:
        warnings.extend(_general_warnings(cluster, version, counted, tolerate))

    return ClusterReport(
        cluster=settings.name,
        policy=policy,
        tolerate=tolerate,
        passed=policy_passed and (restart is None or restart.passed),
        policy_passed=policy_passed,
        hosts=tuple(_host_line(host, counted_states, host_slots.get(host.name)) for host in cluster.hosts),
        slot=slot,
        percentage=percentage,
        failover_hosts=failover,
        performance=performance,
        restart=restart,
        options=options.lines,
        vm_monitoring=monitoring,
        defaults=Defaults(version.name, cpu_min, memory_min, version.max_hosts, version.max_vms, settings.count_not_responding, settings.count_standby),
        warnings=tuple(warnings),
    )


def _other_platform(cluster: Cluster, tolerate: int | None, restart_check: bool) -> ClusterReport:
    """Another platform's cluster: its own published rule in place of vSphere's admission control, and the
    restart check with configured memory on what each host gives VMs (its memory less the host reserve);
    VMs the platform does not protect (``ha = false``) keep their capacity but are not restarted."""
    from hacalc.core.platforms import platform_rule
    from hacalc.core.platforms.common import require_configured_memory, usable_memory

    rule = platform_rule(cluster, tolerate)
    tolerate = rule.tolerate if rule is not None else tolerate
    require_configured_memory(cluster, "the restart check with configured memory")
    hosts = tuple(dataclasses.replace(host, memory_mb=usable_memory(host)) for host in cluster.hosts)
    vms = tuple(vm if vm.ha else dataclasses.replace(vm, restart_priority=RestartPriority.disabled) for vm in cluster.vms)
    report = _check(Cluster(cluster.settings, hosts, vms), tolerate=tolerate, policy=Policy.none, strict_keys=False, restart_check=restart_check, demand=Demand.configured, vsphere=False)
    policy_passed = rule is None or rule.passed
    restart = None if report.restart is None else dataclasses.replace(report.restart, other_demand=None)  # reservations mean nothing here
    return dataclasses.replace(
        report,
        restart=restart,
        platform=cluster.settings.platform.value,
        platform_rule=rule,
        policy_passed=policy_passed,
        passed=policy_passed and (report.restart is None or report.restart.passed),
    )


def _validate(cluster: Cluster, tolerate: int, policy: Policy) -> None:
    """References and ranges that no figure can be computed without."""
    if tolerate < 0:
        raise FieldError(f"tolerate {tolerate} is negative", ("cluster", "tolerate"), "give the number of host failures, 0 or more")
    names = [host.name for host in cluster.hosts]
    duplicates = sorted(name for name, seen in Counter(names).items() if seen > 1)
    if duplicates:
        raise FieldError(f"host {duplicates[0]!r} is listed twice", ("hosts",), "give every host a unique name")
    known = set(names)
    for host in cluster.hosts:
        if host.cpu_mhz < 0 or host.memory_mb < 0:
            raise FieldError(f"host {host.name!r} has negative capacity", ("hosts", host.name), "give cpu_mhz and memory_mb of 0 or more")
        if max(host.cpu_mhz, host.memory_mb) > MAX_CAPACITY:
            raise FieldError(f"host {host.name!r} has more capacity than any host", ("hosts", host.name), f"give cpu_mhz and memory_mb of at most {MAX_CAPACITY:,}")
    for vm in cluster.vms:
        if min(vm.cpu_reservation_mhz, vm.memory_reservation_mb, vm.memory_overhead_mb) < 0:
            raise FieldError(f"VM {vm.name!r} has a negative reservation or overhead", ("vms", vm.name), "give 0 or more")
        if max(vm.cpu_reservation_mhz, vm.memory_reservation_mb + vm.memory_overhead_mb) > MAX_CAPACITY:
            raise FieldError(f"VM {vm.name!r} reserves more than any host has", ("vms", vm.name), f"give reservations of at most {MAX_CAPACITY:,} in all")
        _validate_configured_memory(vm)
    for vm in cluster.vms:
        if vm.host is not None and vm.host not in known:
            raise FieldError(f"VM {vm.name!r} is placed on unknown host {vm.host!r}", ("vms", vm.name, "host"), _did_you_mean(vm.host, names))
    for name in cluster.settings.failover_hosts:
        if name not in known:
            raise FieldError(f"failover host {name!r} is not a host of the cluster", ("cluster", "failover_hosts"), _did_you_mean(name, names))
    settings = cluster.settings
    if policy is Policy.failover_hosts and not settings.failover_hosts:
        raise FieldError("the failover-hosts policy names no failover host", ("cluster", "failover_hosts"), "list the dedicated failover hosts")
    for field_name in ("cpu_percent", "memory_percent", "performance_degradation_percent"):
        value = getattr(settings, field_name)
        if value is not None and not 0 <= value <= 100:
            raise FieldError(f"{field_name} {value} is outside 0-100", ("cluster", field_name), "give a percentage from 0 to 100")
    for field_name in ("fixed_slot_cpu_mhz", "fixed_slot_memory_mb"):
        value = getattr(settings, field_name)
        if value is not None and value <= 0:
            raise FieldError(f"{field_name} {value} is not positive", ("cluster", field_name), "give a slot size above 0")
    if (settings.fixed_slot_cpu_mhz is None) != (settings.fixed_slot_memory_mb is None):
        raise FieldError("a fixed slot needs both CPU and memory", ("cluster", "fixed_slot_cpu_mhz"), "set fixed_slot_cpu_mhz and fixed_slot_memory_mb together")


def _require_configured_memory(cluster: Cluster) -> None:
    for vm in cluster.vms:
        if vm.powered_on and vm.memory_mb is None:
            raise FieldError(
                f"VM {vm.name!r} has no configured memory (memory_mb), which the configured demand counts",
                ("vms", vm.name, "memory_mb"),
                "give memory_mb for every powered-on VM, or use the reservation demand",
            )


def _other_demand(counted: Sequence[Host], cluster: Cluster, tolerate: int, demand: Demand) -> OtherDemand | None:
    """The restart verdict on the other basis, when every powered-on VM has the data for it."""
    other = Demand.configured if demand is Demand.reservation else Demand.reservation
    if other is Demand.configured and any(vm.powered_on and vm.memory_mb is None for vm in cluster.vms):
        return None
    report: RestartReport = run_restart_check(counted, cluster.vms, tolerate, demand=other, time_budget_s=COMPARISON_BUDGET_S, milp=False)[0]
    return OtherDemand(other.value, report.passed, report.failing_sets, report.undecided_sets)


def _validate_configured_memory(vm: VM) -> None:
    if vm.memory_mb is None:
        return
    path = ("vms", vm.name, "memory_mb")
    if vm.memory_mb < 0:
        raise FieldError(f"VM {vm.name!r} has negative configured memory {vm.memory_mb}", path, "give memory_mb of 0 or more")
    if vm.memory_mb + vm.memory_overhead_mb > MAX_CAPACITY:
        raise FieldError(f"VM {vm.name!r} has more configured memory than any host has", path, f"give memory_mb and memory_overhead_mb of at most {MAX_CAPACITY:,} in all")
    if vm.memory_mb < vm.memory_reservation_mb:
        raise FieldError(
            f"VM {vm.name!r} has configured memory {vm.memory_mb} MB below its memory reservation {vm.memory_reservation_mb} MB",
            path,
            "give memory_mb of at least memory_reservation_mb (vSphere reserves at most the configured memory)",
        )


def _did_you_mean(name: str, choices: Sequence[str]) -> str:
    lowered = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1)
    return f"did you mean {lowered[close[0]]!r}?" if close else "use the name of a host in the file"


def counted_hosts(cluster: Cluster) -> list[Host]:
    """The hosts admission control and the restart check count, in the file's order."""
    states = _counted_states(cluster.settings)
    return [host for host in cluster.hosts if host.state in states]


def _counted_states(settings: ClusterSettings) -> frozenset[HostState]:
    """Connected hosts count (API totalGoodHosts); not-responding and standby hosts only when asked."""
    states = {HostState.connected}
    if settings.count_not_responding:
        states.add(HostState.not_responding)
    if settings.count_standby:
        states.add(HostState.standby)
    return frozenset(states)


def _host_line(host: Host, counted_states: frozenset[HostState], slots: HostSlots | None) -> HostLine:
    counted = host.state in counted_states
    return HostLine(
        name=host.name,
        state=host.state.value,
        counted=counted,
        reason=None if counted else EXCLUSION_REASONS[host.state],
        cpu_mhz=host.cpu_mhz,
        memory_mb=host.memory_mb,
        slots=slots.slots if slots else None,
        cpu_slots=slots.cpu_slots if slots else None,
        memory_slots=slots.memory_slots if slots else None,
        limited_by=slots.limited_by if slots else None,
    )


def _slot(
    settings: ClusterSettings,
    version: VersionProfile,
    options: ResolvedOptions,
    counted: Sequence[Host],
    needs: Sequence[Requirement],
    tolerate: int,
    cpu_min: int,
    memory_min: int,
) -> tuple[SlotReport, dict[str, HostSlots]]:
    fixed = None
    if settings.fixed_slot_cpu_mhz is not None and version.has_fixed_slot:
        fixed = (settings.fixed_slot_cpu_mhz, settings.fixed_slot_memory_mb)
    return slot_report(
        counted,
        needs,
        tolerate,
        cpu_min,
        memory_min,
        cap_cpu_mhz=options.get("das.slotCpuInMHz"),
        cap_memory_mb=options.get("das.slotMemInMB"),
        fixed=fixed,
    )


def _slot_warnings(slot: SlotReport) -> list[str]:
    warnings = []
    multiple = len(slot.vms_requiring_multiple_slots)
    if multiple:
        warnings.append(f"{_count(multiple, 'VM')} need several slots; vCenter does not check that those slots are on one host")
    if slot.used_slots > slot.total_slots:
        warnings.append(f"used slots {slot.used_slots} exceed total slots {slot.total_slots}")
    return warnings


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _percentage(
    settings: ClusterSettings,
    version: VersionProfile,
    policy: Policy,
    counted: Sequence[Host],
    needs: Sequence[Requirement],
    tolerate: int,
    warnings: list[str],
) -> PercentageReport:
    explicit = settings.cpu_percent is not None or settings.memory_percent is not None
    auto = settings.auto_percent or (policy is Policy.percentage and not explicit and version.has_auto_percent)
    if auto and not version.has_auto_percent:
        warnings.append(f"automatic percentages are new in 6.5; ignored for profile {version.name}")
        auto = False
    configured_cpu = None if settings.cpu_percent is None else Fraction(settings.cpu_percent)
    configured_memory = None if settings.memory_percent is None else Fraction(settings.memory_percent)
    if policy is Policy.percentage:
        if not version.has_percentage_policy:
            warnings.append(f"the percentage policy is new in 4.0; profile {version.name} has only the slot policy")
        if not auto and (configured_cpu is None or configured_memory is None):
            raise FieldError(
                "the percentage policy needs both cpu_percent and memory_percent",
                ("cluster",),
                "set cpu_percent and memory_percent" + (", or auto_percent = true" if version.has_auto_percent else ""),
            )
    report = percentage_report(counted, needs, tolerate, configured_cpu, configured_memory, auto)
    if policy is Policy.percentage:
        if len(counted) < 2:
            warnings.append("the percentage policy needs at least 2 counted hosts")
        for label, configured, share in (
            ("CPU", report.configured_cpu_percent, report.largest_hosts_cpu_percent),
            ("memory", report.configured_memory_percent, report.largest_hosts_memory_percent),
        ):
            if configured is not None and configured < share:
                largest = "the largest host" if tolerate == 1 else f"the {tolerate} largest hosts"
                warnings.append(
                    f"reserved {label} {float(configured):.4g}% is less than the share of {largest} ({float(share):.4g}%): "
                    f"after that failure the reservations may not fit (the HA Deepdive's aggressive approach)"
                )
    return report


def _general_warnings(cluster: Cluster, version: VersionProfile, counted: Sequence[Host], tolerate: int) -> list[str]:
    warnings = []
    if version.max_hosts is not None and len(cluster.hosts) > version.max_hosts:
        warnings.append(f"{len(cluster.hosts)} hosts exceed the {version.max_hosts} hosts per cluster of vSphere {version.name}")
    if version.max_vms is not None and len(cluster.vms) > version.max_vms:
        warnings.append(f"{len(cluster.vms)} VMs exceed the {version.max_vms} VMs per cluster of vSphere {version.name}")
    if tolerate >= len(counted):
        warnings.append(f"tolerate {tolerate} is not below the {_count(len(counted), 'counted host')}: at most N - 1 failures can be tolerated")
    if len(counted) < version.min_admission_hosts and version.min_admission_hosts > 2:
        warnings.append(f"vSphere {version.name} admission control needs at least {version.min_admission_hosts} hosts; {len(counted)} counted")
    if not version.at_least("5.0") and tolerate > 4:
        warnings.append("before 5.0 HA (5 primary nodes) is often cited as tolerating at most 4 host failures [unverified]")
    return warnings
