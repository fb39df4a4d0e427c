"""``hacalc cluster check``: will a described vSphere HA cluster survive F host failures, and if not, why."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from hacalc.cli.options import InputFormatOption
from hacalc.cli.output import write_csv, write_json, write_table
from hacalc.cli.status import ExitStatus
from hacalc.core.errors import HacalcError, InputError
from hacalc.core.vsphere.model import Cluster, Demand, FieldError, Policy

from hacalc.cli.app import CommandGroup
from hacalc.core.text import visible

if TYPE_CHECKING:
    from hacalc.cli.ci_reports import Check, CheckedCluster
    from hacalc.cli.env import Environment
    from hacalc.core.vsphere.report import ClusterReport, Defaults, PercentageReport, RestartReport
    from hacalc.readers.files import Document

cluster_app = typer.Typer(
    cls=CommandGroup,
    name="cluster",
    help="Failover capacity of a described vSphere HA cluster.\n\nExample:\n\n    hacalc cluster check scenarios/cluster-c-esx35.toml --tolerate 1",
    no_args_is_help=True,
)

class ClusterFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    junit = "junit"
    markdown = "markdown"


HOST_CSV_HEADER = (
    "cluster",
    "policy",
    "tolerate",
    "passed",
    "policy_passed",
    "restart_passed",
    "host",
    "state",
    "counted",
    "reason",
    "cpu_mhz",
    "memory_mb",
    "cpu_slots",
    "memory_slots",
    "slots",
    "limited_by",
)


@cluster_app.command("check")
def check(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help="Scenario file (.toml, .yaml, .yml, .json), or - for stdin.", show_default=False)],
    tolerate: Annotated[
        Optional[int], typer.Option("--tolerate", "-F", min=1, help="Host failures to tolerate (default: the file's tolerate).", show_default=False)
    ] = None,
    policy: Annotated[
        Optional[Policy], typer.Option("--policy", case_sensitive=False, help="Admission control policy (default: the file's policy).", show_default=False)
    ] = None,
    strict_keys: Annotated[bool, typer.Option("--strict-keys", help="Refuse das.* keys not spelled as vCenter documents them.")] = False,
    no_restart_check: Annotated[bool, typer.Option("--no-restart-check", help="Admission control only: skip the check that every VM restarts.")] = False,
    demand: Annotated[
        Demand,
        typer.Option(
            "--demand",
            case_sensitive=False,
            help="The restart check's demand per VM: reservation (what HA needs to power it on) or configured (all its memory: no overcommit; needs memory_mb).",
        ),
    ] = Demand.reservation,
    input_format: InputFormatOption = None,
    output_format: Annotated[
        ClusterFormat,
        typer.Option("--format", "-f", case_sensitive=False, help="table for people; json or csv for scripts; junit or markdown for CI."),
    ] = ClusterFormat.table,
) -> None:
    """Check admission control and the restart of every VM after any TOLERATE host failures.

    Exit status: 0 the configured policy and the restart check pass, 1 either fails, 2 bad input.

    Example:

        hacalc cluster check scenarios/cluster-unbalanced.toml -F 2
    """
    from hacalc.core.vsphere.check import check_cluster
    from hacalc.readers.cluster import decode_cluster
    from hacalc.readers.files import read_document

    env = ctx.obj
    document = read_document(file, input_format=input_format.value if input_format else None, stdin=env.stdin)
    cluster = decode_cluster(document)
    try:
        report = check_cluster(cluster, tolerate=tolerate, policy=policy, strict_keys=strict_keys, restart_check=not no_restart_check, demand=demand)
    except HacalcError as error:
        raise _in_file(error, document) from None

    if output_format is ClusterFormat.json:
        write_json(env, report.as_dict())
    elif output_format is ClusterFormat.csv:
        write_csv(env, HOST_CSV_HEADER, _host_csv_rows(report))
    elif output_format is ClusterFormat.junit:
        from hacalc.cli.ci_reports import junit_xml

        env.stdout.write(junit_xml([_checked(cluster, report)]))
    elif output_format is ClusterFormat.markdown:
        from hacalc.cli.ci_reports import markdown

        env.stdout.write(markdown([_checked(cluster, report)]))
    else:
        _write_report(env, "<stdin>" if file == "-" else file, cluster, report)
    for warning in report.warnings:
        env.warn(warning)
    if not report.passed:
        raise typer.Exit(ExitStatus.GATE_FAILED)


def _in_file(error: HacalcError, document: Document) -> HacalcError:
    """Admission control names fields by path (``cluster.options``); say which file and line they are on."""
    path = error.path if isinstance(error, FieldError) else ()
    return InputError(error.what, document.where(path), error.fix, error.detail)


def _host_csv_rows(report: ClusterReport) -> list[list[Any]]:
    restart_passed = None if report.restart is None else report.restart.passed
    common = [report.cluster, report.policy.value, report.tolerate, report.passed, report.policy_passed, restart_passed]
    return [
        [*common, host.name, host.state, host.counted, host.reason, host.cpu_mhz, host.memory_mb, host.cpu_slots, host.memory_slots, host.slots, host.limited_by]
        for host in report.hosts
    ]


# The human report: one short section per question, then the verdict and what to do about it. -------------


def _write_report(env: Environment, source: str, cluster: Cluster, report: ClusterReport) -> None:
    counted = [host for host in report.hosts if host.counted]
    powered_on = sum(vm.powered_on for vm in cluster.vms)
    failures = "failure" if report.tolerate == 1 else "failures"
    _write_facts(
        env,
        "input",
        [
            ("file", source),
            ("vSphere profile", report.defaults.vsphere),
            ("policy", report.policy.value),
            ("tolerate", f"{report.tolerate} host {failures}"),
            ("hosts", f"{len(report.hosts)} ({len(counted)} counted, {len(report.hosts) - len(counted)} excluded)"),
            ("VMs", f"{len(cluster.vms)} ({powered_on} powered on)"),
            *_defaults_rows(report.defaults),
        ],
        title=f"Cluster {report.cluster}",
    )
    _write_hosts(env, report)
    for section in (_write_slot, _write_percentage, _write_failover_hosts, _write_performance, _write_restart, _write_options, _write_vm_monitoring):
        section(env, report)
    _write_verdict(env, report)


def _write_facts(env: Environment, heading: str, rows: list[tuple[str, Any]], *, title: str) -> None:
    """A two-column table of facts; values are phrases, so they may wrap at spaces on a narrow terminal."""
    write_table(env, (heading, "value"), rows, title=title, prose=("value",))


def _defaults_rows(defaults: Defaults) -> list[tuple[str, str]]:
    limits = f"{_or_dash(defaults.max_hosts)} hosts, {_or_dash(defaults.max_vms)} VMs per cluster (warnings only)"
    return [
        ("das.vmCpuMinMHz in effect", f"{defaults.vm_cpu_min_mhz} MHz"),
        ("das.vmMemoryMinMB in effect", f"{defaults.vm_memory_min_mb} MB"),
        ("version limits", limits),
        ("not-responding hosts", "counted" if defaults.count_not_responding else "excluded"),
        ("standby hosts", "counted" if defaults.count_standby else "excluded"),
    ]


def _write_hosts(env: Environment, report: ClusterReport) -> None:
    slotted = report.slot is not None
    columns = ("host", "state", "counted", "CPU MHz", "memory MB", *(("CPU slots", "memory slots", "slots", "limited by") if slotted else ()), "reason")
    rows = []
    for host in report.hosts:
        slots = (_or_dash(host.cpu_slots), _or_dash(host.memory_slots), _or_dash(host.slots), _or_dash(host.limited_by)) if slotted else ()
        rows.append((host.name, host.state, "yes" if host.counted else "no", host.cpu_mhz, host.memory_mb, *slots, host.reason or ""))
    write_table(env, columns, rows, title="Hosts", optional=("CPU slots", "memory slots", "counted", "limited by", "state"), prose=("reason",))


def _write_slot(env: Environment, report: ClusterReport) -> None:
    slot = report.slot
    if slot is None:
        return
    rows = [
        ("slot size", f"{slot.cpu_mhz} MHz, {slot.memory_mb} MB ({slot.source})"),
        ("CPU slot set by", _setters(slot.cpu_set_by, "MHz")),
        ("memory slot set by", _setters(slot.memory_set_by, "MB")),
        ("without those VMs", f"{slot.cpu_mhz_without_them} MHz, {slot.memory_mb_without_them} MB: {slot.total_slots_without_them} slots"),
        ("total slots", slot.total_slots),
        ("used slots", slot.used_slots),
        ("available slots", slot.available_slots),
        ("current failover level", f"{slot.current_failover_level} (tolerate {report.tolerate})"),
    ]
    if slot.vms_requiring_multiple_slots:
        rows.append(("VMs needing several slots", ", ".join(f"{vm.name} ({vm.slots})" for vm in slot.vms_requiring_multiple_slots)))
    _write_facts(env, "slot policy", [*rows, ("result", _verdict(slot.passed, report.policy is Policy.slot))], title="Slot policy")


def _write_percentage(env: Environment, report: ClusterReport) -> None:
    share = report.percentage
    if share is None:
        return
    rows = [
        ("cluster capacity", f"{share.total_host_cpu_mhz} MHz, {share.total_host_memory_mb} MB"),
        ("VM requirements", f"{share.required_cpu_mhz} MHz, {share.required_memory_mb} MB"),
        ("current CPU failover capacity", f"{share.cpu_failover_percent}%"),
        ("current memory failover capacity", f"{share.memory_failover_percent}%"),
        ("configured CPU / memory", f"{_percent(share.configured_cpu_percent)} / {_percent(share.configured_memory_percent)}" + (" (automatic)" if share.auto else "")),
        ("reserved by the configured %", _reserved(share)),
        ("headroom CPU / memory", f"{_percent(share.cpu_headroom_percent)} / {_percent(share.memory_headroom_percent)}"),
        ("F/N reading", _percent(share.f_over_n_percent)),
        ("largest F hosts' share, CPU / memory", f"{_percent(share.largest_hosts_cpu_percent)} / {_percent(share.largest_hosts_memory_percent)}"),
    ]
    if share.auto:
        rows.append(("automatic reading used", share.auto_reading or "-"))
    _write_facts(env, "percentage policy", [*rows, ("result", _verdict(share.passed, report.policy is Policy.percentage))], title="Percentage policy")


def _write_failover_hosts(env: Environment, report: ClusterReport) -> None:
    dedicated = report.failover_hosts
    if dedicated is None:
        return
    rows = [(f"failover host {host.name}", f"{host.status}, free {host.free_cpu_mhz} MHz, {host.free_memory_mb} MB") for host in dedicated.hosts]
    rows += [
        ("free on failover hosts", f"{dedicated.free_cpu_mhz} MHz, {dedicated.free_memory_mb} MB"),
        ("load of the F most loaded hosts", f"{dedicated.displaced_cpu_mhz} MHz, {dedicated.displaced_memory_mb} MB"),
        ("covers that load", _yes_no(dedicated.covers_load)),
        (f"largest VM{f' ({dedicated.largest_vm})' if dedicated.largest_vm else ''} fits one failover host", _yes_no(dedicated.largest_vm_fits)),
        ("result", _verdict(dedicated.passed, report.policy is Policy.failover_hosts)),
    ]
    _write_facts(env, "failover hosts", rows, title="Dedicated failover hosts")


def _write_performance(env: Environment, report: ClusterReport) -> None:
    performance = report.performance
    if performance is None:
        return
    rows = [
        ("performance degradation tolerated", f"{performance.percent}%"),
        ("usage", f"{performance.usage_cpu_mhz} MHz, {performance.usage_memory_mb} MB"),
        ("capacity after F failures", f"{performance.capacity_after_failure_cpu_mhz} MHz, {performance.capacity_after_failure_memory_mb} MB"),
        ("CPU / memory", f"{'ok' if performance.cpu_ok else 'warning'} / {'ok' if performance.memory_ok else 'warning'}"),
    ]
    _write_facts(env, "performance degradation", rows, title="Performance degradation")


def _write_restart(env: Environment, report: ClusterReport) -> None:
    restart = report.restart
    if restart is None:
        _write_facts(env, "restart check", [("result", "skipped (--no-restart-check)")], title="Restart check")
        return
    rows = [
        ("question", f"does every powered-on VM restart after any {report.tolerate} host {'failure' if report.tolerate == 1 else 'failures'}?"),
        *([("demand", DEMAND_LABELS[restart.demand])] if restart.demand != Demand.reservation.value else []),
        ("placement", restart.mode),
        ("failure sets", _set_counts(restart)),
        ("worst case", ", ".join(restart.worst_case_failed_hosts) or "-"),
        ("proof", _proof(restart)),
        ("result", "PASS" if restart.passed else ("FAIL" if restart.failing_sets else "FAIL (not proven: undecided sets)")),
        *([(f"with {restart.other_demand.demand} demand", f"{_other_verdict(restart)} (for comparison; not the chosen --demand)")] if restart.other_demand else []),
    ]
    _write_facts(env, "restart check", rows, title="Restart check")
    if restart.unplaced_vms:
        write_table(
            env,
            ("VM that cannot restart", "restart priority", "CPU MHz", "memory MB", "was on"),
            [(vm.name, vm.restart_priority, vm.cpu_mhz, vm.memory_mb, vm.host or "-") for vm in restart.unplaced_vms],
            title=f"VMs left down when {_hosts_fail(restart.worst_case_failed_hosts)}",
            optional=("was on", "restart priority"),
        )


DEMAND_LABELS = {
    Demand.reservation.value: "reservation: reserved memory + overhead, what HA needs to power VMs on",
    Demand.configured.value: "configured: configured memory + overhead, no memory overcommit",
}


def _other_verdict(restart: RestartReport) -> str:
    """The other basis's verdict: ``PASS``, or ``FAIL: 3 failing sets``."""
    other = restart.other_demand
    counts = [_count(other.failing_sets, "failing set")] if other.failing_sets else []
    counts += [_count(other.undecided_sets, "undecided set")] if other.undecided_sets else []
    detail = f": {', '.join(counts)}" if counts else ""
    return f"{'PASS' if other.passed else 'FAIL'}{detail}"


def _set_counts(restart: RestartReport) -> str:
    """``6 checked, 1 failing, 2 undecided``; past the enumeration limit, how many of all the sets were checked."""
    checked = f"{restart.checked_sets:,} checked" if restart.checked_sets == restart.failure_sets else f"{restart.checked_sets:,} of {restart.failure_sets:,} checked"
    undecided = f", {restart.undecided_sets:,} undecided" if restart.undecided_sets else ""
    return f"{checked}, {restart.failing_sets:,} failing{undecided}"


def _proof(restart: RestartReport) -> str:
    if restart.exact and not restart.undecided_sets:
        return f"exact ({restart.method})"
    gaps = []
    if restart.undecided_sets:
        gaps.append(f"{_count(restart.undecided_sets, 'set')} undecided")
    if restart.checked_sets < restart.failure_sets:
        gaps.append("only the heaviest sets checked")
    if restart.failing_sets:
        return f"failure proven ({restart.method}); {', '.join(gaps)}"
    return f"{restart.method}; not exact: {', '.join(gaps)}" if restart.method else f"not exact: {', '.join(gaps)}"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _write_options(env: Environment, report: ClusterReport) -> None:
    if not report.options:
        return
    rows = [(option.key, option.canonical, option.value, _yes_no(option.effective), option.note or "") for option in report.options]
    write_table(env, ("option", "canonical key", "value", "in effect", "note"), rows, title="Advanced options (das.*)", optional=("canonical key",), prose=("note",))


def _write_vm_monitoring(env: Environment, report: ClusterReport) -> None:
    monitoring = report.vm_monitoring
    sources = monitoring.sources
    window = "none (resets count for ever)" if monitoring.reset_window_s == -1 else f"{monitoring.reset_window_s} s"
    rows = [
        ("enabled", _yes_no(monitoring.enabled), sources.get("enabled", "")),
        ("sensitivity preset", monitoring.sensitivity or "-", sources.get("sensitivity", "")),
        ("failure interval", f"{monitoring.failure_interval_s} s", sources.get("failure_interval_s", "")),
        ("minimum uptime", f"{monitoring.min_uptime_s} s", sources.get("min_uptime_s", "")),
        ("maximum resets", monitoring.max_resets, sources.get("max_resets", "")),
        ("reset window", window, sources.get("reset_window_s", "")),
    ]
    write_table(env, ("VM monitoring", "value", "from"), rows, title="VM monitoring", prose=("value", "from"))


def _write_verdict(env: Environment, report: ClusterReport) -> None:
    from rich.text import Text

    console = env.console()
    console.print(Text("PASS" if report.passed else "FAIL", style="bold green" if report.passed else "bold red"), Text(visible(_verdict_line(report, _failure_reasons(report)))))
    for step in [] if report.passed else _what_to_try(report):
        console.print(Text(visible(f"  - {step}")))


def _what_to_try(report: ClusterReport) -> list[str]:
    """The remedies VMware's troubleshooting guide lists, pointed at this cluster's own hosts and VMs."""
    steps = []
    excluded = [f"{host.name} ({host.reason})" for host in report.hosts if not host.counted]
    if excluded:
        steps.append(f"bring back the hosts that are not counted: {', '.join(excluded)}")
    slot = report.slot
    if report.policy is Policy.slot and slot is not None and not slot.passed and slot.total_slots_without_them > slot.total_slots:
        setters = sorted({vm.name for vm in (*slot.cpu_set_by[:1], *slot.memory_set_by[:1])})
        steps.append(
            f"{', '.join(setters)} set the slot; without the largest VMs the cluster has {slot.total_slots_without_them} slots, not "
            f"{slot.total_slots}: lower their reservations, cap the slot (das.slotCpuInMHz, das.slotMemInMB) or use the percentage policy"
        )
    restart = report.restart
    if restart is not None and restart.failing_sets:
        smaller = "lower their reservations" if restart.demand == Demand.reservation.value else "give them less configured memory"
        steps.append(f"the listed VMs find no host with enough free capacity: {smaller} or add capacity")
    elif restart is not None and restart.undecided_sets:
        steps.append(
            f"{_count(restart.undecided_sets, 'failure set')} could not be decided within the search's time and size limits, and a pass "
            "needs every set proven: add capacity or lower reservations until they are"
        )
    steps.append("add hosts" + (f", or check a smaller target with --tolerate {report.tolerate - 1}" if report.tolerate > 1 else ""))
    return steps


def _verdict_line(report: ClusterReport, reasons: list[str]) -> str:
    if report.passed:
        restart = "" if report.restart is None else " and every powered-on VM restarts"
        return f"{report.cluster} tolerates {report.tolerate} host {'failure' if report.tolerate == 1 else 'failures'}: the {report.policy.value} policy holds{restart}."
    return f"{report.cluster}: " + "; ".join(reasons) + "."


def _failure_reasons(report: ClusterReport) -> list[str]:
    reasons = [] if report.policy_passed else [_policy_reason(report)]
    restart = report.restart
    if restart is not None and not restart.passed:
        reasons.append(_restart_reason(restart))
    return reasons


def _restart_reason(restart: RestartReport) -> str:
    if restart.failing_sets:
        count = len(restart.unplaced_vms)
        return f"{count} VM{'s' if count != 1 else ''} cannot restart when {_hosts_fail(restart.worst_case_failed_hosts)}"
    return (
        f"restart not proven for {_count(restart.undecided_sets, 'failure set')} (none proven to fail), "
        f"the most loaded when {_hosts_fail(restart.worst_case_failed_hosts)}"
    )


def _checked(cluster: Cluster, report: ClusterReport) -> "CheckedCluster":
    """The cluster's verdicts as checks, for the JUnit and Markdown reports."""
    from hacalc.cli.ci_reports import Check, CheckedCluster

    failures = "failure" if report.tolerate == 1 else "failures"
    policy = Check(f"admission control ({report.policy.value} policy)", report.policy_passed, "" if report.policy_passed else _policy_reason(report))
    restart = report.restart
    basis = "" if restart is None or restart.demand == Demand.reservation.value else " with all its configured memory"
    restart_name = f"every powered-on VM restarts{basis} after any {report.tolerate} host {failures}"
    if restart is None:
        restart_check = Check(restart_name, None, "--no-restart-check")
    else:
        restart_check = Check(restart_name, restart.passed, "" if restart.passed else _restart_reason(restart), restart.unplaced_vms)
    return CheckedCluster(
        name=report.cluster,
        passed=report.passed,
        hosts_counted=sum(host.counted for host in report.hosts),
        powered_on_vms=sum(vm.powered_on for vm in cluster.vms),
        policy=report.policy.value,
        tolerate=report.tolerate,
        worst_failure_set=() if restart is None else restart.worst_case_failed_hosts,
        checks=(policy, restart_check, *_other_demand_checks(report)),
        warnings=report.warnings,
    )


def _other_demand_checks(report: ClusterReport) -> tuple["Check", ...]:
    """The other demand basis's restart verdict, as a skipped check: it is shown, it decides nothing."""
    from hacalc.cli.ci_reports import Check

    restart = report.restart
    if restart is None or restart.other_demand is None:
        return ()
    other = restart.other_demand
    return (Check(f"restart check with {other.demand} demand (for comparison)", None, _other_verdict(restart)),)


def _policy_reason(report: ClusterReport) -> str:
    if report.policy is Policy.slot and report.slot is not None:
        return f"slot policy: current failover level {report.slot.current_failover_level} < {report.tolerate}"
    if report.policy is Policy.percentage and report.percentage is not None:
        share = report.percentage
        return (
            f"percentage policy: CPU {share.cpu_failover_percent}% / memory {share.memory_failover_percent}% free"
            f" against {_percent(share.configured_cpu_percent)} / {_percent(share.configured_memory_percent)} reserved"
        )
    if report.policy is Policy.failover_hosts and report.failover_hosts is not None:
        dedicated = report.failover_hosts
        missing = [part for part, ok in (("the displaced load", dedicated.covers_load), ("the largest VM", dedicated.largest_vm_fits)) if not ok]
        return "failover hosts cannot take " + " and ".join(missing) if missing else "failover hosts are not ready"
    return f"the {report.policy.value} policy fails"


def _hosts_fail(names: Any) -> str:
    if not names:
        return "no host is counted"
    if len(names) == 1:
        return f"{names[0]} fails"
    return f"{', '.join(names[:-1])} and {names[-1]} fail"


def _verdict(passed: bool, configured: bool) -> str:
    result = "PASS" if passed else "FAIL"
    return result if configured else f"{result} (for comparison; not the configured policy)"


def _setters(setters: Any, unit: str) -> str:
    return ", ".join(f"{vm.name} ({vm.value} {unit})" for vm in setters) or "the version's minimum"


def _percent(value: Any) -> str:
    return "-" if value is None else f"{_decimal(value)}%"


def _reserved(share: PercentageReport) -> str:
    if share.reserved_cpu_mhz is None or share.reserved_memory_mb is None:
        return "-"
    return f"{_decimal(share.reserved_cpu_mhz)} MHz, {_decimal(share.reserved_memory_mb)} MB"


def _decimal(value: Any) -> str:
    """At most two decimals, trailing zeros dropped: 37.5, 33.33, 6000."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _or_dash(value: Any) -> Any:
    return "-" if value is None else value


def register(app: typer.Typer) -> None:
    app.add_typer(cluster_app, name="cluster")
