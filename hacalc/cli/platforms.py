"""The platforms beside vSphere: ``cluster check`` on kubectl exports, and ``cluster compare``, every rule on one inventory."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from hacalc.cli.ci_reports import ClusterFormat
from hacalc.cli.output import OutputFormat, write_csv, write_json, write_table
from hacalc.cli.status import ExitStatus
from hacalc.core.errors import InputError
from hacalc.i18n import _, pgettext

if TYPE_CHECKING:
    from hacalc.cli.env import Environment
    from hacalc.core.platforms.kubernetes import KubeReport

COMPARE_CSV_HEADER = ("platform", "rule", "tolerate", "passed", "method", "reserved_memory_mb", "reserved_cpu_mhz", "admits_unrestartable", "note")


def check_kubernetes(env: Environment, sources: list[str], tolerate: int | None, output_format: ClusterFormat) -> None:
    """``cluster check nodes.json pods.json [pdbs.json]``: can every evicted pod be rescheduled after any F node failures?"""
    from hacalc.core.platforms.kubernetes import check_kubernetes as run_check
    from hacalc.readers.kubectl import load_kubernetes

    report = run_check(load_kubernetes(sources, stdin=env.stdin), tolerate or 1)
    if output_format is ClusterFormat.json:
        write_json(env, report.as_dict())
    elif output_format is ClusterFormat.csv:
        rows = [(node.name, node.counted, node.schedulable, node.reason or "", *_cpu_memory(node.allocatable), *_cpu_memory(node.requested)) for node in report.nodes]
        write_csv(env, ("node", "counted", "schedulable", "reason", "allocatable_cpu_millicores", "allocatable_memory_bytes", "requested_cpu_millicores", "requested_memory_bytes"), rows)
    elif output_format in (ClusterFormat.junit, ClusterFormat.markdown):
        _write_kubernetes_ci(env, output_format, report, sources)
    else:
        _write_kubernetes_tables(env, report)
    for warning in report.warnings:
        env.warn(_(warning.message))
    if not report.passed:
        raise typer.Exit(ExitStatus.GATE_FAILED)


def _cpu_memory(amounts: Any) -> tuple[Any, Any]:
    return amounts.get("cpu"), amounts.get("memory")


def _write_kubernetes_tables(env: Environment, report: KubeReport) -> None:
    question = (_("can every evicted pod be rescheduled after any 1 node failure?") if report.tolerate == 1 else
                _("can every evicted pod be rescheduled after any {tolerate} node failures?").format(tolerate=report.tolerate))
    sets = _("{sets:,} ({checked:,} checked, {failing:,} failing, {undecided:,} undecided)").format(
        sets=report.failure_sets, checked=report.checked_sets, failing=report.failing_sets, undecided=report.undecided_sets)
    delay = "-" if report.restart_delay_s is None else _("{seconds} s (the NoExecute toleration before eviction)").format(seconds=report.restart_delay_s)
    rows = [
        (_("question"), question),
        (_("failure sets"), sets),
        (_("worst case"), ", ".join(report.worst_failure_set) or "-"),
        (_("method"), _text(report.method)),
        (_("pods that move"), f"{report.movable_pods:,}"),
        (_("restart delay"), delay),
        (_("result"), _text(report.verdict)),
    ]
    write_table(env, (_("kubernetes"), _("value")), rows, title=_("Node failures"), justify=("left", "left"))
    reason = _("reason")
    write_table(
        env,
        (_("node"), pgettext("node", "counted"), _("schedulable"), _("CPU allocatable m"), _("CPU requested m"), _("memory allocatable MiB"), _("memory requested MiB"), reason),
        [(node.name, _yes(node.counted), _yes(node.schedulable), *_node_figures(node), _text(node.reason or "")) for node in report.nodes],
        title=_("Nodes"),
        optional=(reason,),
    )
    for result in report.failing[:1]:
        write_table(
            env,
            (_("pod left pending"), _("namespace"), _("owner"), _("was on")),
            [(pod.name, pod.namespace, pod.owner, pod.node) for pod in result.unplaced],
            title=_("Pods that find no node when {nodes} fail ({proof})").format(nodes=", ".join(result.nodes), proof=_text(result.proof)),
        )
    if report.pdbs:
        write_table(
            env,
            (_("PodDisruptionBudget"), _("namespace"), _("minAvailable"), _("maxUnavailable"), _("expected"), _("healthy"), _("disruptions allowed")),
            [(pdb.name, pdb.namespace, _or_dash(pdb.min_available), _or_dash(pdb.max_unavailable), pdb.expected_pods, pdb.current_healthy, pdb.disruptions_allowed) for pdb in report.pdbs],
            title=_("Disruption budgets (voluntary evictions, such as draining a node)"),
        )


def _node_figures(node: Any) -> tuple[Any, ...]:
    mebibyte = 1024 * 1024
    memory = [amounts.get("memory") for amounts in (node.allocatable, node.requested)]
    return (node.allocatable.get("cpu"), node.requested.get("cpu"), *("-" if value is None else value // mebibyte for value in memory))


def _write_kubernetes_ci(env: Environment, output_format: ClusterFormat, report: KubeReport, sources: list[str]) -> None:
    from hacalc.cli.ci_reports import Check, CheckedCluster, junit_xml, markdown

    failures = "failure" if report.tolerate == 1 else "failures"
    unplaced = report.failing[0].unplaced if report.failing else ()
    pending = f"{len(unplaced)} pod{'s' if len(unplaced) != 1 else ''} pending when {', '.join(report.worst_failure_set)} fail{'s' if len(report.worst_failure_set) == 1 else ''}"
    reason = "" if report.passed else report.verdict + (f": {pending}" if unplaced else "")
    checks = [Check(f"every evicted pod is rescheduled after any {report.tolerate} node {failures}", report.passed, reason)]
    checks += [Check(f"PodDisruptionBudget {pdb.namespace}/{pdb.name}: {pdb.disruptions_allowed} disruption(s) allowed", None, f"{pdb.current_healthy} healthy of {pdb.expected_pods} expected") for pdb in report.pdbs]
    checked = CheckedCluster(
        name=_inventory_name(sources),
        passed=report.passed,
        hosts_counted=sum(node.counted for node in report.nodes),
        powered_on_vms=report.movable_pods,
        policy="kubernetes",
        tolerate=report.tolerate,
        worst_failure_set=report.worst_failure_set,
        checks=tuple(checks),
        warnings=(),
        data_warnings=report.warnings,
    )
    write = junit_xml if output_format is ClusterFormat.junit else markdown
    env.stdout.write(write([checked]))


def compare(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(metavar="FILE...", help=_("A one-cluster scenario file or export (as cluster check reads it: the pvesh exports of a Proxmox VE cluster together), or - for stdin."), show_default=False)],
    tolerate: Annotated[Optional[int], typer.Option("--tolerate", "-F", min=1, help=_("Host failures to survive (default: the file's)."), show_default=False)] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", case_sensitive=False, help=_("table for people; json or csv for scripts."))] = OutputFormat.table,
) -> None:
    """The same inventory under every platform's failover rule and vSphere's policies, beside the exact restart check.

    One row per rule: what it reserves, its verdict, and whether it admits what cannot restart (it passes
    while the restart check, with each VM's configured memory, proves a failure set strands a VM). This is
    the handbook's comparison of HA platforms, computed. Exit 0 (a comparison is no gate), 2 bad input.

    Example:

        hacalc cluster compare scenarios/hyperv-scvmm-4-nodes.toml
    """
    from hacalc.cli.planning import warn_data
    from hacalc.core.platforms import compare_rules
    from hacalc.core.vsphere.inventory import cluster_to_check
    from hacalc.readers.inventory import load_sources

    env: Environment = ctx.obj
    loaded = load_sources(files, stdin=env.stdin)
    if len(loaded.inventory.clusters) != 1:
        raise InputError(_("compare works on one cluster"), "in FILE", _("give a single-cluster scenario file"))
    cluster = cluster_to_check(loaded.inventory.clusters[0])
    rows = compare_rules(cluster, tolerate)
    if output_format is OutputFormat.json:
        write_json(env, {"cluster": cluster.settings.name, "platform": cluster.settings.platform.value, "rules": [row.as_dict() for row in rows]})
    elif output_format is OutputFormat.csv:
        write_csv(env, COMPARE_CSV_HEADER, [tuple(row.as_dict().values()) for row in rows])
    else:
        method, note = _("method"), _("note")
        write_table(
            env,
            (_("rule"), _("tolerate"), _("reserved memory MB"), _("reserved CPU MHz"), _("verdict"), method, _("admits what cannot restart"), note),
            [(_text(row.rule), row.tolerate, _or_dash(row.reserved_memory_mb), _or_dash(row.reserved_cpu_mhz), _("PASS") if row.passed else _("FAIL"), _text(row.method), _admits(row.admits_unrestartable), _text(row.note))
             for row in rows],
            title=_("Failover rules on {cluster} ({platform} inventory)").format(cluster=cluster.settings.name, platform=cluster.settings.platform.value),
            caption=_("Admission rules count what they count (vSphere: reservations; the others: configured memory); the restart check packs each VM's configured memory onto the survivors of every failure set."),
            optional=(note, method),
            prose=(note,),
            justify=("left", "right", "right", "right", "left", "left", "left", "left"),
        )
    warn_data(env, loaded.inventory)


def _inventory_name(sources: list[str]) -> str:
    """The files' common directory when they share one (``kubectl`` exports side by side), else the files."""
    try:
        common = os.path.commonpath(sources) if len(sources) > 1 else ""
    except ValueError:  # absolute and relative paths mixed
        common = ""
    return common or " ".join(sources)


def _text(text: str) -> str:
    """A text the core made (a rule, a method, a note), translated when the catalogue holds it; "" stays ""."""
    return _(text) if text else text


def _admits(value: bool | None) -> str:
    return "-" if value is None else (_("YES") if value else _("no"))


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _or_dash(value: Any) -> Any:
    return "-" if value is None else value
