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
from hacalc.i18n import N_, Message, _, plural

# MHz or MB of one host or VM: 2**32 is some 170 times the largest vSphere 8 host (24 TB), and keeps every
# sum over 200,000 VMs exact in the restart check's floats (below 2**53).
MAX_CAPACITY = 2**32
POLICY_NONE_WARNING = N_("admission control is disabled (policy none): only the restart check can fail")

# The other demand basis is shown for comparison only, so it gets the cheap proofs and a short budget, not
# MILP (whose scipy import alone costs more): sets they cannot settle are reported as undecided.
COMPARISON_BUDGET_S = 0.3

RESERVED_CPU_SHORT, RESERVED_MEMORY_SHORT = Message(N_("CPU")), Message(N_("memory"))
RESERVED_SHORT_OF_LARGEST_HOST = N_(
    "reserved {reserved} {configured}{percent} is less than the share of the largest host ({share}{percent}): "
    "after that failure the reservations may not fit (the HA Deepdive's aggressive approach)"
)
RESERVED_SHORT_OF_LARGEST_HOSTS = N_(
    "reserved {reserved} {configured}{percent} is less than the share of the {tolerate} largest hosts ({share}{percent}): "
    "after that failure the reservations may not fit (the HA Deepdive's aggressive approach)"
)

EXCLUSION_REASONS = {
    HostState.maintenance: N_("maintenance mode"),
    HostState.disconnected: N_("disconnected"),
    HostState.not_responding: N_("not responding"),
    HostState.standby: N_("standby (DPM)"),
    HostState.ha_error: N_("HA error"),
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
        warnings.append(Message(N_("a fixed slot size is new in 5.1; ignored for profile {profile}"), profile=version.name))
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
            warnings.append(Message(
                N_("performance degradation: usage minus {tolerance}{percent} exceeds the capacity left after {tolerate} host failure(s)"),
                tolerance=settings.performance_degradation_percent, percent="%", tolerate=tolerate,
            ))
    elif settings.performance_degradation_percent != 100 and vsphere:
        warnings.append(Message(N_("performance degradation tolerance is new in 6.5; ignored for profile {profile}"), profile=version.name))

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
    require_configured_memory(cluster, _("the restart check with configured memory"))
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
        raise FieldError(_("tolerate {tolerate} is negative").format(tolerate=tolerate), ("cluster", "tolerate"), _("give the number of host failures, 0 or more"))
    names = [host.name for host in cluster.hosts]
    duplicates = sorted(name for name, seen in Counter(names).items() if seen > 1)
    if duplicates:
        raise FieldError(_("host {host!r} is listed twice").format(host=duplicates[0]), ("hosts",), _("give every host a unique name"))
    known = set(names)
    for host in cluster.hosts:
        if host.cpu_mhz < 0 or host.memory_mb < 0:
            raise FieldError(_("host {host!r} has negative capacity").format(host=host.name), ("hosts", host.name), _("give cpu_mhz and memory_mb of 0 or more"))
        if max(host.cpu_mhz, host.memory_mb) > MAX_CAPACITY:
            raise FieldError(
                _("host {host!r} has more capacity than any host").format(host=host.name), ("hosts", host.name),
                _("give cpu_mhz and memory_mb of at most {limit:,}").format(limit=MAX_CAPACITY),
            )
    for vm in cluster.vms:
        if min(vm.cpu_reservation_mhz, vm.memory_reservation_mb, vm.memory_overhead_mb) < 0:
            raise FieldError(_("VM {vm!r} has a negative reservation or overhead").format(vm=vm.name), ("vms", vm.name), _("give 0 or more"))
        if max(vm.cpu_reservation_mhz, vm.memory_reservation_mb + vm.memory_overhead_mb) > MAX_CAPACITY:
            raise FieldError(
                _("VM {vm!r} reserves more than any host has").format(vm=vm.name), ("vms", vm.name), _("give reservations of at most {limit:,} in all").format(limit=MAX_CAPACITY)
            )
        _validate_configured_memory(vm)
    for vm in cluster.vms:
        if vm.host is not None and vm.host not in known:
            raise FieldError(_("VM {vm!r} is placed on unknown host {host!r}").format(vm=vm.name, host=vm.host), ("vms", vm.name, "host"), _did_you_mean(vm.host, names))
    for name in cluster.settings.failover_hosts:
        if name not in known:
            raise FieldError(_("failover host {host!r} is not a host of the cluster").format(host=name), ("cluster", "failover_hosts"), _did_you_mean(name, names))
    settings = cluster.settings
    if policy is Policy.failover_hosts and not settings.failover_hosts:
        raise FieldError(_("the failover-hosts policy names no failover host"), ("cluster", "failover_hosts"), _("list the dedicated failover hosts"))
    for field_name in ("cpu_percent", "memory_percent", "performance_degradation_percent"):
        value = getattr(settings, field_name)
        if value is not None and not 0 <= value <= 100:
            raise FieldError(_("{field} {value} is outside 0-100").format(field=field_name, value=value), ("cluster", field_name), _("give a percentage from 0 to 100"))
    for field_name in ("fixed_slot_cpu_mhz", "fixed_slot_memory_mb"):
        value = getattr(settings, field_name)
        if value is not None and value <= 0:
            raise FieldError(_("{field} {value} is not positive").format(field=field_name, value=value), ("cluster", field_name), _("give a slot size above 0"))
    if (settings.fixed_slot_cpu_mhz is None) != (settings.fixed_slot_memory_mb is None):
        raise FieldError(_("a fixed slot needs both CPU and memory"), ("cluster", "fixed_slot_cpu_mhz"), _("set fixed_slot_cpu_mhz and fixed_slot_memory_mb together"))


def _require_configured_memory(cluster: Cluster) -> None:
    for vm in cluster.vms:
        if vm.powered_on and vm.memory_mb is None:
            raise FieldError(
                _("VM {vm!r} has no configured memory (memory_mb), which the configured demand counts").format(vm=vm.name),
                ("vms", vm.name, "memory_mb"),
                _("give memory_mb for every powered-on VM, or use the reservation demand"),
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
        raise FieldError(_("VM {vm!r} has negative configured memory {memory}").format(vm=vm.name, memory=vm.memory_mb), path, _("give memory_mb of 0 or more"))
    if vm.memory_mb + vm.memory_overhead_mb > MAX_CAPACITY:
        raise FieldError(
            _("VM {vm!r} has more configured memory than any host has").format(vm=vm.name), path,
            _("give memory_mb and memory_overhead_mb of at most {limit:,} in all").format(limit=MAX_CAPACITY),
        )
    if vm.memory_mb < vm.memory_reservation_mb:
        raise FieldError(
            _("VM {vm!r} has configured memory {memory} MB below its memory reservation {reservation} MB").format(
                vm=vm.name, memory=vm.memory_mb, reservation=vm.memory_reservation_mb
            ),
            path,
            _("give memory_mb of at least memory_reservation_mb (vSphere reserves at most the configured memory)"),
        )


def _did_you_mean(name: str, choices: Sequence[str]) -> str:
    lowered = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1)
    return _("did you mean {name!r}?").format(name=lowered[close[0]]) if close else _("use the name of a host in the file")


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
        warnings.append(plural(
            multiple, N_("{count} VM needs several slots; vCenter does not check that those slots are on one host"),
            N_("{count} VMs need several slots; vCenter does not check that those slots are on one host"),
        ))
    if slot.used_slots > slot.total_slots:
        warnings.append(Message(N_("used slots {used} exceed total slots {total}"), used=slot.used_slots, total=slot.total_slots))
    return warnings


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
        warnings.append(Message(N_("automatic percentages are new in 6.5; ignored for profile {profile}"), profile=version.name))
        auto = False
    configured_cpu = None if settings.cpu_percent is None else Fraction(settings.cpu_percent)
    configured_memory = None if settings.memory_percent is None else Fraction(settings.memory_percent)
    if policy is Policy.percentage:
        if not version.has_percentage_policy:
            warnings.append(Message(N_("the percentage policy is new in 4.0; profile {profile} has only the slot policy"), profile=version.name))
        if not auto and (configured_cpu is None or configured_memory is None):
            raise FieldError(
                _("the percentage policy needs both cpu_percent and memory_percent"),
                ("cluster",),
                _("set cpu_percent and memory_percent, or auto_percent = true") if version.has_auto_percent else _("set cpu_percent and memory_percent"),
            )
    report = percentage_report(counted, needs, tolerate, configured_cpu, configured_memory, auto)
    if policy is Policy.percentage:
        if len(counted) < 2:
            warnings.append(N_("the percentage policy needs at least 2 counted hosts"))
        for label, configured, share in (
            (RESERVED_CPU_SHORT, report.configured_cpu_percent, report.largest_hosts_cpu_percent),
            (RESERVED_MEMORY_SHORT, report.configured_memory_percent, report.largest_hosts_memory_percent),
        ):
            if configured is not None and configured < share:
                template = RESERVED_SHORT_OF_LARGEST_HOST if tolerate == 1 else RESERVED_SHORT_OF_LARGEST_HOSTS
                warnings.append(Message(template, reserved=label, configured=f"{float(configured):.4g}", share=f"{float(share):.4g}", tolerate=tolerate, percent="%"))
    return report


def _general_warnings(cluster: Cluster, version: VersionProfile, counted: Sequence[Host], tolerate: int) -> list[str]:
    warnings = []
    if version.max_hosts is not None and len(cluster.hosts) > version.max_hosts:
        warnings.append(Message(N_("{hosts} hosts exceed the {limit} hosts per cluster of vSphere {profile}"), hosts=len(cluster.hosts), limit=version.max_hosts, profile=version.name))
    if version.max_vms is not None and len(cluster.vms) > version.max_vms:
        warnings.append(Message(N_("{vms} VMs exceed the {limit} VMs per cluster of vSphere {profile}"), vms=len(cluster.vms), limit=version.max_vms, profile=version.name))
    if tolerate >= len(counted):
        warnings.append(plural(
            len(counted), N_("tolerate {tolerate} is not below the {count} counted host: at most N - 1 failures can be tolerated"),
            N_("tolerate {tolerate} is not below the {count} counted hosts: at most N - 1 failures can be tolerated"), tolerate=tolerate,
        ))
    if len(counted) < version.min_admission_hosts and version.min_admission_hosts > 2:
        warnings.append(Message(
            N_("vSphere {profile} admission control needs at least {needed} hosts; {counted} counted"), profile=version.name, needed=version.min_admission_hosts, counted=len(counted)
        ))
    if not version.at_least("5.0") and tolerate > 4:
        warnings.append(N_("before 5.0 HA (5 primary nodes) is often cited as tolerating at most 4 host failures [unverified]"))
    return warnings
