"""The entry points the CLI calls: a cluster's own platform rule, and every rule side by side on one inventory.

``compare_rules`` is the seed handbook's comparison of platforms made computable: the same hosts and VMs
under vSphere's admission policies (which count reservations), each other platform's published rule (which
count configured memory), and the exact restart check with configured memory, which says what really
restarts. A rule that passes while the restart check proves some failure set strands a VM "admits what
cannot restart".
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from hacalc.core.platforms.common import live_hosts, require_configured_memory, usable_memory
from hacalc.core.platforms.hyperv import cluster_reserve
from hacalc.core.platforms.nutanix import failures_tolerated, vm_high_availability
from hacalc.core.platforms.proxmox import crs_recovery
from hacalc.core.platforms.report import EXACT, RuleReport, RuleRow
from hacalc.core.platforms.xenserver import ha_planner
from hacalc.core.vsphere.check import check_cluster
from hacalc.core.vsphere.model import Cluster, Demand, NutanixReservation, Platform, Policy, ProxmoxCrs, RestartPriority
from hacalc.core.vsphere.report import ClusterReport, RestartReport
from hacalc.core.vsphere.restart import restart_check
from hacalc.core.vsphere.versions import profile
from hacalc.i18n import N_, Message, _, plural

RESTART_RULE = N_("restart check, configured memory")


def platform_rule(cluster: Cluster, tolerate: int | None = None) -> RuleReport | None:
    """The rule of the cluster's own platform; None for vSphere (its rule is ``check_cluster``) and for
    Kubernetes (whose rule reads pods and nodes, ``hacalc.core.platforms.kubernetes``)."""
    platform = cluster.settings.platform
    if platform is Platform.hyperv:
        return cluster_reserve(cluster, tolerate)
    if platform is Platform.xenserver:
        return ha_planner(cluster, tolerate)
    if platform is Platform.nutanix:
        return vm_high_availability(cluster, tolerate)
    if platform is Platform.proxmox:
        return crs_recovery(cluster, tolerate)
    return None


def compare_rules(cluster: Cluster, tolerate: int | None = None) -> list[RuleRow]:
    """One row per rule on the same inventory and the same number of failures, the restart check first.

    The failures are ``tolerate`` when given, else the file's (for Nutanix, RF - 1 when the file gives the
    replication factor). Nutanix is shown with the file's reservation, else segments (the guarantee AOS
    5.0 and later offer); Proxmox with the file's CRS mode, else basic (Proxmox's default).
    """
    settings = cluster.settings
    failures = failures_tolerated(settings) if tolerate is None and settings.platform is Platform.nutanix else (settings.tolerate if tolerate is None else tolerate)
    require_configured_memory(cluster, _("the restart check with configured memory"))
    restart = _restart(cluster, failures)
    fails = restart.failing_sets > 0
    rows = [
        RuleRow(
            "any",
            RESTART_RULE,
            failures,
            restart.passed,
            EXACT if restart.exact else N_("not proven"),
            None,
            None,
            None,
            "" if restart.passed else Message(N_("worst failure set: {hosts}"), hosts=", ".join(restart.worst_case_failed_hosts)),
        )
    ]
    rows.extend(_vsphere_rows(cluster, failures, fails))
    nutanix = settings.nutanix_reservation or NutanixReservation.segments
    proxmox = settings.proxmox_crs or ProxmoxCrs.basic
    for report in (
        cluster_reserve(cluster, failures),
        ha_planner(cluster, failures),
        vm_high_availability(cluster, failures, nutanix),
        crs_recovery(_with_settings(cluster, proxmox_crs=proxmox), failures),
    ):
        rows.append(_platform_row(report, fails))
    return rows


def _restart(cluster: Cluster, failures: int) -> RestartReport:
    """Every VM needs its configured memory on a host that gives VMs its memory less the host reserve; non-HA VMs stay down."""
    hosts = [dataclasses.replace(host, memory_mb=usable_memory(host)) for host in live_hosts(cluster)]
    vms = [vm if vm.ha else dataclasses.replace(vm, restart_priority=RestartPriority.disabled) for vm in cluster.vms]
    return restart_check(hosts, vms, failures, demand=Demand.configured)[0]


def _vsphere_rows(cluster: Cluster, failures: int, restart_fails: bool) -> list[RuleRow]:
    settings = cluster.settings
    version = profile(settings.vsphere)
    policies = [Policy.slot, Policy.percentage] + ([Policy.failover_hosts] if settings.failover_hosts else [])
    rows = []
    for policy in policies:
        checked = _with_settings(cluster, platform=Platform.vsphere)  # check_cluster judges other platforms by their own rule
        if policy is Policy.percentage and (settings.cpu_percent is None or settings.memory_percent is None):
            if not version.has_auto_percent:
                continue
            checked = _with_settings(checked, auto_percent=True, cpu_percent=None, memory_percent=None)
        report = check_cluster(checked, tolerate=failures, policy=policy, restart_check=False)
        memory, cpu = _vsphere_reserved(report, policy, cluster)
        rows.append(
            RuleRow(
                "vsphere",
                Message(N_("vSphere HA {policy} policy"), policy=policy.value),
                failures,
                report.policy_passed,
                EXACT,
                memory,
                cpu,
                report.policy_passed and restart_fails,
                N_("admission control counts reservations and overhead, not configured memory"),
            )
        )
    return rows


def _vsphere_reserved(report: ClusterReport, policy: Policy, cluster: Cluster) -> tuple[int, int]:
    """What each policy holds back: the F largest hosts' slots, the percentages, or the failover hosts."""
    if policy is Policy.slot:
        slots = sorted((line.slots or 0 for line in report.hosts if line.counted), reverse=True)[: report.tolerate]
        return sum(slots) * report.slot.memory_mb, sum(slots) * report.slot.cpu_mhz
    if policy is Policy.percentage:
        return _whole(report.percentage.reserved_memory_mb), _whole(report.percentage.reserved_cpu_mhz)
    failover = [host for host in cluster.hosts if host.name in cluster.settings.failover_hosts]
    return sum(host.memory_mb for host in failover), sum(host.cpu_mhz for host in failover)


def _platform_row(report: RuleReport, restart_fails: bool) -> RuleRow:
    failing = next((detail for detail in report.details if not detail.passed), None)
    note = plural(len(failing.failed_hosts), N_("fails when {hosts} fails"), N_("fails when {hosts} fail"), hosts=", ".join(failing.failed_hosts)) if failing else ""
    return RuleRow(
        report.platform,
        report.rule,
        report.tolerate,
        report.passed,
        report.method,
        report.reserved_memory_mb,
        report.reserved_cpu_mhz,
        report.passed and restart_fails,
        note,
    )


def _with_settings(cluster: Cluster, **changes) -> Cluster:
    return dataclasses.replace(cluster, settings=dataclasses.replace(cluster.settings, **changes))


def _whole(value: Fraction | None) -> int:
    return 0 if value is None else int(value)
