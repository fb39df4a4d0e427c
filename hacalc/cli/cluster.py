"""``hacalc cluster check``: will a described vSphere HA cluster survive F host failures, and if not, why."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from hacalc.cli.charts.option import PlotOption, plot_request, plotting
from hacalc.cli.output import write_csv, write_json, write_table
from hacalc.cli.status import ExitStatus
from hacalc.core.errors import HacalcError, InputError
from hacalc.core.vsphere.model import Cluster, Demand, FieldError, Policy

from hacalc.cli.app import CommandGroup
from hacalc.cli.ci_reports import ClusterFormat
from hacalc.cli.planning import headroom, maintenance_plan
from hacalc.cli.platforms import compare
from hacalc.cli.vcenter import DEFAULT_PASSWORD_ENV, InsecureOption, PasswordEnvOption, TimeoutOption, UserOption, collect
from hacalc.core.text import visible

if TYPE_CHECKING:
    from hacalc.cli.ci_reports import Check, CheckedCluster
    from hacalc.cli.env import Environment
    from hacalc.core.vsphere.inventory import Inventory, InventoryCluster
    from hacalc.core.warnings import DataWarning
    from hacalc.core.vsphere.report import ClusterReport, Defaults, PercentageReport, RestartReport
    from hacalc.core.vsphere.vm_availability import AvailabilityReport

cluster_app = typer.Typer(
    cls=CommandGroup,
    name="cluster",
    help="Failover capacity of a described vSphere HA cluster.\n\nExample:\n\n    hacalc cluster check scenarios/cluster-c-esx35.toml --tolerate 1",
    no_args_is_help=True,
)

_AVAILABILITY = "Per-VM availability (--availability)"
_WHAT_IF = "What if (one cluster; applied in this order)"


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


class ClusterInputFormat(str, Enum):
    toml = "toml"
    yaml = "yaml"
    json = "json"
    rvtools_xlsx = "rvtools-xlsx"
    rvtools_csv = "rvtools-csv"
    proxmox = "proxmox"
    hyperv = "hyperv"
    kubernetes = "kubernetes"


@cluster_app.command("check")
def check(
    ctx: typer.Context,
    files: Annotated[
        Optional[list[str]],
        typer.Argument(
            metavar="[FILE]...",
            help=(
                "Scenario, fleet or overlay file (.toml, .yaml, .yml, .json), RVTools export (.xlsx, .zip, or a folder of RVTools_tab*.csv), "
                "Hyper-V export, the pvesh exports of a Proxmox VE cluster, or kubectl get nodes/pods/pdb -o json files; - for stdin. Not with --server."
            ),
            show_default=False,
        ),
    ] = None,
    tolerate: Annotated[
        Optional[int], typer.Option("--tolerate", "-F", min=1, help="Host failures to tolerate (default: the file's tolerate).", show_default=False)
    ] = None,
    policy: Annotated[
        Optional[Policy], typer.Option("--policy", case_sensitive=False, help="Admission control policy (default: the file's policy).", show_default=False)
    ] = None,
    cpu_percent: Annotated[
        Optional[int], typer.Option("--cpu-percent", min=0, max=100, help="Percentage policy: CPU capacity reserved for failover.", show_default=False)
    ] = None,
    memory_percent: Annotated[
        Optional[int], typer.Option("--memory-percent", min=0, max=100, help="Percentage policy: memory capacity reserved for failover.", show_default=False)
    ] = None,
    host_reserve_mb: Annotated[
        Optional[int],
        typer.Option("--host-reserve-mb", min=0, help="Hyper-V exports: memory each host keeps for itself (SCVMM's host reserve), in MB.", show_default=False),
    ] = None,
    host_reserve_percent: Annotated[
        Optional[int],
        typer.Option("--host-reserve-percent", min=0, max=99, help="Share of a host's physical capacity the hypervisor keeps (RVTools exports are physical).", show_default=False),
    ] = None,
    clusters: Annotated[
        Optional[list[str]],
        typer.Option("--cluster", "-c", help="Check only this cluster of an inventory (repeatable; glob patterns such as 'prod-*').", show_default=False),
    ] = None,
    summary: Annotated[bool, typer.Option("--summary", help="Print only the fleet summary table, not each cluster's report; with --availability, only the availability tables.")] = False,
    maintenance: Annotated[Optional[list[str]], typer.Option("--maintenance", metavar="HOST", help="What if this host is in maintenance mode; repeatable.", rich_help_panel=_WHAT_IF, show_default=False)] = None,
    remove_host: Annotated[Optional[list[str]], typer.Option("--remove-host", metavar="HOST", help="What if this host is retired; repeatable.", rich_help_panel=_WHAT_IF, show_default=False)] = None,
    add_host: Annotated[Optional[list[str]], typer.Option("--add-host", metavar="SHAPE", help="What if these hosts join: 'count=2, cpu_mhz=48000, memory_mb=524288'; repeatable.", rich_help_panel=_WHAT_IF, show_default=False)] = None,
    add_vm: Annotated[Optional[list[str]], typer.Option("--add-vm", metavar="SHAPE", help="What if these VMs are added: 'count=10, memory_reservation_mb=16384'; repeatable.", rich_help_panel=_WHAT_IF, show_default=False)] = None,
    scale_vms: Annotated[Optional[str], typer.Option("--scale-vms", metavar="FACTOR", help="What if every VM's reservations grow × FACTOR, e.g. 1.2.", rich_help_panel=_WHAT_IF, show_default=False)] = None,
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
    input_format: Annotated[
        Optional[ClusterInputFormat],
        typer.Option("--input-format", case_sensitive=False, help="Format of FILE when its name (or, for -, its content) does not tell it.", show_default=False),
    ] = None,
    output_format: Annotated[
        ClusterFormat,
        typer.Option("--format", "-f", case_sensitive=False, help="table for people; json or csv for scripts; junit or markdown for CI."),
    ] = ClusterFormat.table,
    availability: Annotated[
        bool,
        typer.Option("--availability", help="Also compute each VM's availability under host failures (needs --host-mttf and --host-mttr).", rich_help_panel=_AVAILABILITY),
    ] = False,
    host_mttf: Annotated[Optional[str], typer.Option("--host-mttf", help="Mean time to failure of one host, e.g. 50000h.", rich_help_panel=_AVAILABILITY, show_default=False)] = None,
    host_mttr: Annotated[Optional[str], typer.Option("--host-mttr", help="Mean time for one crew to repair one host, e.g. 8h.", rich_help_panel=_AVAILABILITY, show_default=False)] = None,
    crews: Annotated[Optional[int], typer.Option("--crews", min=1, help="Repair crews working at once (default 1).", rich_help_panel=_AVAILABILITY, show_default=False)] = None,
    ha_detect: Annotated[Optional[str], typer.Option("--ha-detect", help="Time for HA to declare a host failed (default 15s).", rich_help_panel=_AVAILABILITY, show_default=False)] = None,
    ha_restart: Annotated[Optional[str], typer.Option("--ha-restart", help="Time from detection until HA powers the VM on elsewhere (default 1m).", rich_help_panel=_AVAILABILITY, show_default=False)] = None,
    boot: Annotated[Optional[str], typer.Option("--boot", help="Guest boot time until the VM serves again (default 2m).", rich_help_panel=_AVAILABILITY, show_default=False)] = None,
    server: Annotated[
        Optional[str],
        typer.Option("--server", metavar="HOST", help="Collect from this vCenter and check, instead of FILE (host, host:port or https://host/sdk).", show_default=False, rich_help_panel="vCenter"),
    ] = None,
    user: UserOption = None,
    password_env: PasswordEnvOption = DEFAULT_PASSWORD_ENV,
    insecure: InsecureOption = False,
    timeout: TimeoutOption = 30.0,
    plot: PlotOption = None,
) -> None:
    """Check admission control and the restart of every VM after any TOLERATE host failures, for every cluster FILE holds.

    Exit status: 0 every checked cluster passes, 1 any fails (its configured policy or the restart check), 2 bad input.

    Example:

        hacalc cluster check scenarios/cluster-unbalanced.toml -F 2
    """
    from hacalc.core.vsphere.inventory import Source
    from hacalc.readers.inventory import layer, load_sources, looks_like_kubernetes

    env = ctx.obj
    request = plot_request(plot, output_format.value)
    timings = _availability_timings(availability, host_mttf, host_mttr, crews, ha_detect, ha_restart, boot, output_format)
    if (not files) == (server is None):
        raise InputError("give either FILE or --server", "on the command line", "name a scenario file or export, or a vCenter to collect from")
    fmt = input_format.value if input_format else None
    if files and looks_like_kubernetes(files, fmt):
        from hacalc.cli.platforms import check_kubernetes

        return check_kubernetes(env, files, tolerate, output_format)
    if server is not None:
        loaded = _collected(env, server, user, password_env, insecure, timeout, clusters)
        file = server
    else:
        loaded = load_sources(files, input_format=fmt, stdin=env.stdin, host_reserve_mb=host_reserve_mb)
        file = " ".join(files)
    flags = {"tolerate": tolerate, "policy": policy, "cpu_percent": cpu_percent, "memory_percent": memory_percent, "host_reserve_percent": host_reserve_percent}
    loaded = layer(loaded, {name: value for name, value in flags.items() if value is not None}, Source.flag)
    selected = _selected(loaded.inventory, clusters or [])
    changes: list[Any] = []
    if any((maintenance, remove_host, add_host, add_vm, scale_vms)):
        selected, changes = _changed(selected, maintenance or [], remove_host or [], add_host or [], add_vm or [], scale_vms)
    options = {"strict_keys": strict_keys, "restart_check": not no_restart_check, "demand": demand}
    results = [(item, _checked_report(item, loaded.locate, options)) for item in selected]
    source = "<stdin>" if file == "-" else file
    if timings is not None and not loaded.inventory.single:
        raise InputError("--availability works on one cluster", "on the command line", "give a single-cluster scenario file, or select one cluster of a single-cluster input")
    if loaded.inventory.single:
        per_vm = None if timings is None else _availability(results[0][0], loaded.locate, _timings(timings, results[0][0].cluster.settings.reliability), demand)
        with plotting(env, request, "cluster", results[0][1]):
            _write_single(env, output_format, source, *results[0], per_vm, summary=summary, changes=changes)
    else:
        with plotting(env, request, "fleet", results, source):
            _write_fleet(env, output_format, source, loaded.inventory, results, summary)
    if not all(report.passed for _, report in results):
        raise typer.Exit(ExitStatus.GATE_FAILED)


def _collected(env: Environment, server: str, user: str | None, password_env: str, insecure: bool, timeout: float, clusters: list[str] | None) -> Any:
    """A live vCenter's clusters as an inventory, located by cluster name (there is no file to point at)."""
    from hacalc.cli.vcenter import connection_from_options
    from hacalc.collect.vcenter import collect_inventory
    from hacalc.readers.files import format_path
    from hacalc.readers.inventory import LoadedInventory

    inventory = collect_inventory(connection_from_options(server, user, password_env, insecure, timeout, env.stdin), clusters or ())
    shown = visible(server)
    return LoadedInventory(inventory, lambda cluster, path: f"on {shown} (cluster {visible(cluster)!r}, {format_path(path[1:] or path)})")


def _changed(
    selected: list[InventoryCluster], maintenance: list[str], remove: list[str], add_hosts: list[str], add_vms: list[str], scale: str | None
) -> tuple[list[InventoryCluster], list[Any]]:
    """The one selected cluster with the what-if changes applied, and what they were."""
    from dataclasses import replace

    from hacalc.cli.planning import what_if

    if len(selected) != 1:
        raise InputError(f"what-if changes apply to one cluster, not {len(selected)}", "in --cluster", "select one cluster with --cluster NAME")
    cluster, changes = what_if(selected[0].cluster, maintenance, remove, add_hosts, add_vms, scale)
    return [replace(selected[0], cluster=cluster)], changes


def _selected(inventory: Inventory, patterns: list[str]) -> list[InventoryCluster]:
    """The clusters ``--cluster`` names (all when it is not given); a pattern that matches nothing is a mistake."""
    from fnmatch import fnmatchcase

    if not inventory.clusters:
        raise InputError("the inventory holds no cluster that can be checked", "in the input", "see the warnings above; every cluster needs at least one host")
    names = [item.name for item in inventory.clusters]
    for pattern in patterns:
        if not any(fnmatchcase(name, pattern) for name in names):
            raise InputError(f"no cluster matches {visible(pattern)!r}", "in --cluster", _cluster_hint(pattern, names))
    if not patterns:
        return list(inventory.clusters)
    return [item for item in inventory.clusters if any(fnmatchcase(item.name, pattern) for pattern in patterns)]


def _cluster_hint(pattern: str, names: list[str]) -> str:
    import difflib

    matches = difflib.get_close_matches(pattern, names, n=1, cutoff=0.6)
    if matches:
        return f"did you mean {visible(matches[0])!r}?"
    shown = ", ".join(visible(name) for name in names[:6]) + (", …" if len(names) > 6 else "")
    return f"the clusters are {shown} (patterns match case-sensitively; quote them in the shell)"


def _checked_report(item: InventoryCluster, locate: Any, options: dict[str, Any]) -> ClusterReport:
    from hacalc.core.vsphere.check import check_cluster
    from hacalc.core.vsphere.inventory import cluster_to_check

    try:
        return check_cluster(cluster_to_check(item), **options)
    except HacalcError as error:
        path = error.path if isinstance(error, FieldError) else ()
        raise InputError(error.what, locate(item.name, path), error.fix, error.detail) from None


def _write_single(
    env: Environment, output_format: ClusterFormat, source: str, item: InventoryCluster, report: ClusterReport,
    per_vm: AvailabilityReport | None = None, *, summary: bool = False, changes: list[Any] = (),
) -> None:
    """A one-cluster scenario file: the report keeps the shape it has always had (plus ``availability`` and
    ``changes`` when asked)."""
    cluster = item.cluster
    if output_format is ClusterFormat.json:
        extra = {"availability": per_vm.as_dict()} if per_vm is not None else {}
        extra.update({"changes": [change.as_dict() for change in changes]} if changes else {})
        write_json(env, {**report.as_dict(), **extra})
    elif output_format is ClusterFormat.csv:
        write_csv(env, HOST_CSV_HEADER, _host_csv_rows(report))
    elif output_format is ClusterFormat.junit:
        from hacalc.cli.ci_reports import junit_xml

        env.stdout.write(junit_xml([_checked(cluster, report)]))
    elif output_format is ClusterFormat.markdown:
        from hacalc.cli.ci_reports import markdown

        env.stdout.write(markdown([_checked(cluster, report)]))
    else:
        if changes:
            _write_facts(env, "what if", [(f"change {number}", change.sentence) for number, change in enumerate(changes, 1)], title="What if")
        if per_vm is None or not summary:
            _write_report(env, source, cluster, report)
        if per_vm is not None:
            _write_availability(env, report, per_vm)
    for warning in report.warnings:
        env.warn(warning)


def _write_fleet(env: Environment, output_format: ClusterFormat, source: str, inventory: Inventory, results: list[tuple[InventoryCluster, ClusterReport]], summary: bool) -> None:
    """Every checked cluster of an inventory: a fleet summary first, then each cluster; warnings counted, on stderr."""
    passed = all(report.passed for _, report in results)
    if output_format is ClusterFormat.json:
        clusters = [{**report.as_dict(), "input": item.input_dict()} for item, report in results]
        warnings = [warning.as_dict() for warning in inventory.warnings]
        write_json(env, {"clusters": clusters, "passed": passed, "warnings": warnings, "source": inventory.source, "facts": dict(inventory.facts)})
    elif output_format is ClusterFormat.csv:
        write_csv(env, HOST_CSV_HEADER, [row for _, report in results for row in _host_csv_rows(report)])
    elif output_format in (ClusterFormat.junit, ClusterFormat.markdown):
        from hacalc.cli.ci_reports import junit_xml, markdown

        checked = [_checked(item.cluster, report, item.warnings) for item, report in results]
        write = junit_xml if output_format is ClusterFormat.junit else markdown
        env.stdout.write(write(checked, inventory.warnings))
    else:
        _write_fleet_summary(env, source, inventory, results)
        for item, report in [] if summary else results:
            _write_report(env, source, item.cluster, report, item)
    for warning in inventory.warnings:
        env.warn(warning.message)
    for item, report in results:
        for message in (*(warning.message for warning in item.warnings), *report.warnings):
            env.warn(f"{item.name}: {message}")


def _write_fleet_summary(env: Environment, source: str, inventory: Inventory, results: list[tuple[InventoryCluster, ClusterReport]]) -> None:
    rows = []
    for item, report in results:
        restart = report.restart
        restart_verdict = "skipped" if restart is None else ("PASS" if restart.passed else "FAIL")
        worst = "-" if restart is None or restart.passed else ", ".join(restart.worst_case_failed_hosts) or "-"
        counted = sum(host.counted for host in report.hosts)
        powered_on = sum(vm.powered_on for vm in item.cluster.vms)
        rows.append((item.name, counted, powered_on, report.policy.value, report.tolerate, "PASS" if report.policy_passed else "FAIL", restart_verdict, worst))
    failing = sum(not report.passed for _, report in results)
    verdict = "all pass" if not failing else f"{failing} of {len(results)} fail"
    write_table(
        env,
        ("cluster", "hosts counted", "powered-on VMs", "policy", "tolerate", "policy result", "restart result", "worst failure set"),
        rows,
        title=f"{len(results)} {'cluster' if len(results) == 1 else 'clusters'} in {visible(source)} ({_source_label(inventory)}): {verdict}",
        optional=("powered-on VMs", "tolerate", "policy"),
        prose=("worst failure set",),
        justify=("left", "right", "right", "left", "right", "left", "left", "left"),
    )


SOURCE_LABELS = {"rvtools-xlsx": "RVTools workbook", "rvtools-csv": "RVTools CSV export", "vcenter": "vCenter", "scenario": "scenario file"}


def _source_label(inventory: Inventory) -> str:
    return SOURCE_LABELS.get(inventory.source, inventory.source)


def _host_csv_rows(report: ClusterReport) -> list[list[Any]]:
    restart_passed = None if report.restart is None else report.restart.passed
    common = [report.cluster, report.policy.value, report.tolerate, report.passed, report.policy_passed, restart_passed]
    return [
        [*common, host.name, host.state, host.counted, host.reason, host.cpu_mhz, host.memory_mb, host.cpu_slots, host.memory_slots, host.slots, host.limited_by]
        for host in report.hosts
    ]


# The human report: one short section per question, then the verdict and what to do about it. -------------


def _write_report(env: Environment, source: str, cluster: Cluster, report: ClusterReport, item: InventoryCluster | None = None) -> None:
    counted = [host for host in report.hosts if host.counted]
    powered_on = sum(vm.powered_on for vm in cluster.vms)
    failures = "failure" if report.tolerate == 1 else "failures"
    rule = report.platform_rule
    admission = [("vSphere profile", report.defaults.vsphere), ("policy", report.policy.value)]
    if report.platform != "vsphere":
        admission = [("platform", report.platform), ("rule", "-" if rule is None else rule.rule)]
    _write_facts(
        env,
        "input",
        [
            ("file", source),
            *(_provenance_rows(item) if item is not None else []),
            *admission,
            ("tolerate", f"{report.tolerate} host {failures}"),
            ("hosts", f"{len(report.hosts)} ({len(counted)} counted, {len(report.hosts) - len(counted)} excluded)"),
            ("VMs", f"{len(cluster.vms)} ({powered_on} powered on)"),
            *(_defaults_rows(report.defaults) if report.platform == "vsphere" else []),
        ],
        title=f"Cluster {report.cluster}",
    )
    _write_hosts(env, report)
    sections = (_write_slot, _write_percentage, _write_failover_hosts, _write_performance, _write_restart, _write_options, _write_vm_monitoring)
    if report.platform != "vsphere":
        sections = (_write_platform_rule, _write_restart)
    for section in sections:
        section(env, report)
    _write_verdict(env, report)


def _write_platform_rule(env: Environment, report: ClusterReport) -> None:
    """Another platform's published rule: how it was computed, then the hosts or failure sets that decided it."""
    rule = report.platform_rule
    if rule is None:
        return
    rows = [("method", rule.method), ("reserved memory MB", rule.reserved_memory_mb), *([("reserved CPU MHz", rule.reserved_cpu_mhz)] if rule.reserved_cpu_mhz is not None else [])]
    rows += [("result", "PASS" if rule.passed else "FAIL"), *(("note", note) for note in rule.notes)]
    _write_facts(env, "rule", rows, title=rule.rule)
    figures = [key for key, value in (rule.details[0].figures.items() if rule.details else ()) if not isinstance(value, (dict, list, tuple))]
    if figures:
        write_table(
            env,
            ("failed hosts", "passes", *(key.replace("_", " ") for key in figures)),
            [(", ".join(detail.failed_hosts) or "-", "yes" if detail.passed else "NO", *(_or_dash(detail.figures.get(key)) for key in figures)) for detail in rule.details],
            title=f"{rule.rule}: each failure set",
        )


CAPACITY_LABELS = {
    "usable": "usable (what each host gives VMs)",
    "physical": "physical (cores × MHz, installed memory)",
}


def _provenance_rows(item: InventoryCluster) -> list[tuple[str, str]]:
    """Where an inventory cluster's numbers came from: its capacity basis and each setting's source."""
    from hacalc.core.vsphere.inventory import SETTING_NAMES, Capacity

    capacity = CAPACITY_LABELS[item.capacity.value]
    if item.capacity is Capacity.physical:
        capacity += f", less a {item.host_reserve_percent}% host reserve ({item.source_of('host_reserve_percent').value})"
    by_source: dict[str, list[str]] = {}
    for name in SETTING_NAMES:
        if name != "host_reserve_percent":
            by_source.setdefault(item.source_of(name).value, []).append(name)
    written = [f"{source}: {', '.join(names)}" for source, names in by_source.items() if source != "default"]
    sources = "; ".join([*written, "default: the rest" if written else "defaults only"])
    rows = [("capacity", capacity), ("settings from", sources)]
    rows += [(_fact_label(name), value) for name, value in item.facts.items()]
    return rows


FACT_WORDS = {"ha": "HA", "drs": "DRS", "dpm": "DPM", "vm": "VM", "vms": "VMs", "vsphere": "vSphere", "vcenter": "vCenter", "vcluster": "vCluster", "rvtools": "RVTools"}


def _fact_label(name: str) -> str:
    """``ha_enabled`` as ``HA enabled``: a fact's key as the vSphere UI would say it."""
    return " ".join(FACT_WORDS.get(word, word) for word in name.split("_"))


def _write_facts(env: Environment, heading: str, rows: list[tuple[str, Any]], *, title: str) -> None:
    """A two-column table of facts; values are phrases, so they may wrap at spaces on a narrow terminal."""
    write_table(env, (heading, "value"), rows, title=title, prose=("value",), justify=("left", "left"))


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
    slotted = report.slot is not None and report.platform == "vsphere"
    columns = ("host", "state", "counted", "CPU MHz", "memory MB", *(("CPU slots", "memory slots", "slots", "limited by") if slotted else ()), "reason")
    rows = []
    for host in report.hosts:
        slots = (_or_dash(host.cpu_slots), _or_dash(host.memory_slots), _or_dash(host.slots), _or_dash(host.limited_by)) if slotted else ()
        rows.append((host.name, host.state, "yes" if host.counted else "no", host.cpu_mhz, host.memory_mb, *slots, host.reason or ""))
    optional = ("CPU slots", "memory slots", "counted", "limited by", "state") if slotted else ("counted", "state")
    write_table(env, columns, rows, title="Hosts", optional=optional, prose=("reason",))


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
    """The other basis's verdict: ``PASS``, ``FAIL: 3 failing sets``, or ``not proven: 2 undecided sets``."""
    other = restart.other_demand
    counts = [_count(other.failing_sets, "failing set")] if other.failing_sets else []
    counts += [_count(other.undecided_sets, "undecided set")] if other.undecided_sets else []
    detail = f": {', '.join(counts)}" if counts else ""
    verdict = "PASS" if other.passed else ("FAIL" if other.failing_sets else "not proven")
    return f"{verdict}{detail}"


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
        return f"{report.cluster} tolerates {report.tolerate} host {'failure' if report.tolerate == 1 else 'failures'}: {_admission_name(report)} holds{restart}."
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


def _checked(cluster: Cluster, report: ClusterReport, data_warnings: tuple[DataWarning, ...] = ()) -> "CheckedCluster":
    """The cluster's verdicts as checks, for the JUnit and Markdown reports."""
    from hacalc.cli.ci_reports import Check, CheckedCluster

    failures = "failure" if report.tolerate == 1 else "failures"
    admission = f"admission control ({report.policy.value} policy)" if report.platform == "vsphere" else _admission_name(report).removeprefix("the ")
    policy = Check(admission, report.policy_passed, "" if report.policy_passed else _policy_reason(report))
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
        data_warnings=data_warnings,
    )


def _other_demand_checks(report: ClusterReport) -> tuple["Check", ...]:
    """The other demand basis's restart verdict, as a skipped check: it is shown, it decides nothing."""
    from hacalc.cli.ci_reports import Check

    restart = report.restart
    if restart is None or restart.other_demand is None:
        return ()
    other = restart.other_demand
    return (Check(f"restart check with {other.demand} demand (for comparison)", None, _other_verdict(restart)),)


def _admission_name(report: ClusterReport) -> str:
    """What decides admission: vSphere's configured policy, or another platform's own rule."""
    if report.platform != "vsphere":
        return f"the {report.platform_rule.rule}" if report.platform_rule is not None else f"{report.platform} (no rule of its own)"
    return f"the {report.policy.value} policy"


def _policy_reason(report: ClusterReport) -> str:
    if report.platform_rule is not None:
        failing = [detail.failed_hosts for detail in report.platform_rule.details if not detail.passed]
        return f"{report.platform_rule.rule} fails" + (f" when {_hosts_fail(failing[0])}" if failing else "")
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


# --availability: per-VM availability under host failures (issue 12 §2); the model lives in core. ---------


AVAILABILITY_DEFAULTS = {"crews": 1, "ha_detect": "15s", "ha_restart": "1m", "boot": "2m"}


def _availability_timings(
    availability: bool, host_mttf: str | None, host_mttr: str | None, crews: int | None, ha_detect: str | None, ha_restart: str | None,
    boot: str | None, output_format: ClusterFormat,
) -> dict[str, Any] | None:
    """The --availability flags as given, checked before any file is read: None when it is not asked for."""
    flags = {"host_mttf": host_mttf, "host_mttr": host_mttr, "crews": crews, "ha_detect": ha_detect, "ha_restart": ha_restart, "boot": boot}
    if not availability:
        given = [_flag(name) for name, value in flags.items() if value is not None]
        if given:
            raise InputError(f"{given[0]} is used only with --availability", "on the command line", "add --availability")
        return None
    if output_format not in (ClusterFormat.table, ClusterFormat.json):
        raise InputError(f"--availability is shown in table and json output, not {output_format.value}", "in --format", "use --format table or --format json")
    return flags


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _timings(flags: dict[str, Any], reliability: Any) -> dict[str, Any]:
    """Each timing from its flag, else the file's [cluster.reliability], else the default; MTTF and MTTR have none."""
    from hacalc.cli.options import located
    from hacalc.core.units import parse_duration

    written = {} if reliability is None else vars(reliability)
    chosen = {name: next((value for value in (flag, written.get(name), AVAILABILITY_DEFAULTS.get(name)) if value is not None), None) for name, flag in flags.items()}
    for name in ("host_mttf", "host_mttr"):
        if chosen[name] is None:
            raise InputError(
                f"--availability needs {_flag(name)}", "on the command line",
                "add --host-mttf 50000h --host-mttr 8h (one host's mean time to failure and to repair), or host_mttf and host_mttr under [cluster.reliability]",
            )
    durations = {name: float(located(_flag(name), parse_duration, chosen[name], allow_zero=name in ("ha_detect", "ha_restart", "boot")))
                 for name in ("host_mttf", "host_mttr", "ha_detect", "ha_restart", "boot")}
    return {"crews": chosen["crews"], **{f"{name}_s": seconds for name, seconds in durations.items()}}


def _availability(item: InventoryCluster, locate: Any, timings: dict[str, Any], demand: Demand) -> AvailabilityReport:
    from hacalc.core.vsphere.inventory import cluster_to_check
    from hacalc.core.vsphere.vm_availability import vm_availability

    try:
        return vm_availability(cluster_to_check(item), demand=demand, **timings)
    except HacalcError as error:
        path = error.path if isinstance(error, FieldError) else ()
        raise InputError(error.what, locate(item.name, path) if path else f"in --availability ({error.where})", error.fix, error.detail) from None


def _per_year(seconds: float) -> str:
    """Seconds a year as people read them; below a millisecond, how far below, not a row of zeros."""
    from hacalc.core.units import format_duration

    if 0 < seconds < 1e-3:
        return f"{seconds:.1e}s"
    return format_duration(seconds)


def _write_availability(env: Environment, report: ClusterReport, per_vm: AvailabilityReport) -> None:
    inputs = per_vm.inputs
    rows = [
        (
            level.failed_hosts,
            f"{level.probability:.3g}",
            f"{level.checked_sets:,} of {level.failure_sets:,}" if level.checked_sets != level.failure_sets else f"{level.failure_sets:,}",
            "-" if level.method == "upper bound" else f"{level.sets_leaving_vms_down:,.0f}",
            f"{level.restart_vm_hours_per_year:.3g}",
            f"{level.no_capacity_vm_hours_per_year:.3g}" + (f" ± {level.no_capacity_stderr_vm_hours:.2g}" if level.no_capacity_stderr_vm_hours else ""),
            level.method,
        )
        for level in per_vm.levels[:4]
    ]
    write_table(
        env,
        ("hosts down", "probability", "failure sets", "sets leaving VMs down", "restart VM-h/yr", "no-capacity VM-h/yr", "method"),
        rows,
        title=f"VM downtime by failed hosts (tolerate {report.tolerate})",
        optional=("probability", "method"),
    )
    weakest = [
        (vm.name, vm.host or "-", vm.restart_priority, f"{vm.availability * 100:.6f}%", _per_year(vm.restart_s), _per_year(vm.no_capacity_s + vm.not_restarted_s), vm.why)
        for vm in per_vm.weakest()
    ]
    write_table(
        env,
        ("VM", "host", "restart priority", "availability", "restart/yr", "no capacity/yr", "why"),
        weakest,
        title=f"Ten weakest VMs of {len(per_vm.vms):,}",
        optional=("host", "restart priority"),
        prose=("why",),
    )
    spread = f" ± {per_vm.no_capacity_stderr_hours:.2g}" if per_vm.no_capacity_stderr_hours else ""
    _write_facts(
        env,
        "availability",
        [
            ("host MTTF / MTTR", f"{inputs['host_mttf_hours']:g} h / {inputs['host_mttr_hours']:g} h, {_count(inputs['crews'], 'crew')}"),
            ("restart after a host failure", f"{inputs['restart_seconds']:g} s (detect {inputs['ha_detect_seconds']:g} + restart {inputs['ha_restart_seconds']:g} + boot {inputs['boot_seconds']:g})"),
            ("VM downtime, whole cluster", f"{per_vm.vm_downtime_hours_per_year:.4g}{spread} VM-hours per year"),
            ("method", per_vm.method),
        ],
        title="Per-VM availability",
    )


cluster_app.command("collect")(collect)
cluster_app.command("headroom")(headroom)
cluster_app.command("maintenance-plan")(maintenance_plan)
cluster_app.command("compare")(compare)


def register(app: typer.Typer) -> None:
    app.add_typer(cluster_app, name="cluster")
