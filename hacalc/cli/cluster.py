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
from hacalc.i18n import N_, _, command_help, pgettext

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
    help=_("Failover capacity of a described vSphere HA cluster.\n\nExample:\n\n    hacalc cluster check scenarios/cluster-c-esx35.toml --tolerate 1"),
    no_args_is_help=True,
)

_AVAILABILITY = N_("Per-VM availability (--availability)")
_WHAT_IF = N_("What if (one cluster; applied in this order)")


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


def check(
    ctx: typer.Context,
    files: Annotated[
        Optional[list[str]],
        typer.Argument(
            metavar="[FILE]...",
            help=(
                _("Scenario, fleet or overlay file (.toml, .yaml, .yml, .json), RVTools export (.xlsx, .zip, or a folder of RVTools_tab*.csv), "
                "Hyper-V export, the pvesh exports of a Proxmox VE cluster, or kubectl get nodes/pods/pdb -o json files; - for stdin. Not with --server.")
            ),
            show_default=False,
        ),
    ] = None,
    tolerate: Annotated[
        Optional[int], typer.Option("--tolerate", "-F", min=1, help=_("Host failures to tolerate (default: the file's tolerate)."), show_default=False)
    ] = None,
    policy: Annotated[
        Optional[Policy], typer.Option("--policy", case_sensitive=False, help=_("Admission control policy (default: the file's policy)."), show_default=False)
    ] = None,
    cpu_percent: Annotated[
        Optional[int], typer.Option("--cpu-percent", min=0, max=100, help=_("Percentage policy: CPU capacity reserved for failover."), show_default=False)
    ] = None,
    memory_percent: Annotated[
        Optional[int], typer.Option("--memory-percent", min=0, max=100, help=_("Percentage policy: memory capacity reserved for failover."), show_default=False)
    ] = None,
    host_reserve_mb: Annotated[
        Optional[int],
        typer.Option("--host-reserve-mb", min=0, help=_("Hyper-V exports: memory each host keeps for itself (SCVMM's host reserve), in MB."), show_default=False),
    ] = None,
    host_reserve_percent: Annotated[
        Optional[int],
        typer.Option("--host-reserve-percent", min=0, max=99, help=_("Share of a host's physical capacity the hypervisor keeps (RVTools exports are physical)."), show_default=False),
    ] = None,
    clusters: Annotated[
        Optional[list[str]],
        typer.Option("--cluster", "-c", help=_("Check only this cluster of an inventory (repeatable; glob patterns such as 'prod-*')."), show_default=False),
    ] = None,
    summary: Annotated[bool, typer.Option("--summary", help=_("Print only the fleet summary table, not each cluster's report; with --availability, only the availability tables."))] = False,
    maintenance: Annotated[Optional[list[str]], typer.Option("--maintenance", metavar="HOST", help=_("What if this host is in maintenance mode; repeatable."), rich_help_panel=_(_WHAT_IF), show_default=False)] = None,
    remove_host: Annotated[Optional[list[str]], typer.Option("--remove-host", metavar="HOST", help=_("What if this host is retired; repeatable."), rich_help_panel=_(_WHAT_IF), show_default=False)] = None,
    add_host: Annotated[Optional[list[str]], typer.Option("--add-host", metavar="SHAPE", help=_("What if these hosts join: 'count=2, cpu_mhz=48000, memory_mb=524288'; repeatable."), rich_help_panel=_(_WHAT_IF), show_default=False)] = None,
    add_vm: Annotated[Optional[list[str]], typer.Option("--add-vm", metavar="SHAPE", help=_("What if these VMs are added: 'count=10, memory_reservation_mb=16384'; repeatable."), rich_help_panel=_(_WHAT_IF), show_default=False)] = None,
    scale_vms: Annotated[Optional[str], typer.Option("--scale-vms", metavar="FACTOR", help=_("What if every VM's reservations grow × FACTOR, e.g. 1.2."), rich_help_panel=_(_WHAT_IF), show_default=False)] = None,
    strict_keys: Annotated[bool, typer.Option("--strict-keys", help=_("Refuse das.* keys not spelled as vCenter documents them."))] = False,
    no_restart_check: Annotated[bool, typer.Option("--no-restart-check", help=_("Admission control only: skip the check that every VM restarts."))] = False,
    demand: Annotated[
        Demand,
        typer.Option(
            "--demand",
            case_sensitive=False,
            help=_("The restart check's demand per VM: reservation (what HA needs to power it on) or configured (all its memory: no overcommit; needs memory_mb)."),
        ),
    ] = Demand.reservation,
    input_format: Annotated[
        Optional[ClusterInputFormat],
        typer.Option("--input-format", case_sensitive=False, help=_("Format of FILE when its name (or, for -, its content) does not tell it."), show_default=False),
    ] = None,
    output_format: Annotated[
        ClusterFormat,
        typer.Option("--format", "-f", case_sensitive=False, help=_("table for people; json or csv for scripts; junit or markdown for CI.")),
    ] = ClusterFormat.table,
    availability: Annotated[
        bool,
        typer.Option("--availability", help=_("Also compute each VM's availability under host failures (needs --host-mttf and --host-mttr)."), rich_help_panel=_(_AVAILABILITY)),
    ] = False,
    host_mttf: Annotated[Optional[str], typer.Option("--host-mttf", help=_("Mean time to failure of one host, e.g. 50000h."), rich_help_panel=_(_AVAILABILITY), show_default=False)] = None,
    host_mttr: Annotated[Optional[str], typer.Option("--host-mttr", help=_("Mean time for one crew to repair one host, e.g. 8h."), rich_help_panel=_(_AVAILABILITY), show_default=False)] = None,
    crews: Annotated[Optional[int], typer.Option("--crews", min=1, help=_("Repair crews working at once (default 1)."), rich_help_panel=_(_AVAILABILITY), show_default=False)] = None,
    ha_detect: Annotated[Optional[str], typer.Option("--ha-detect", help=_("Time for HA to declare a host failed (default 15s)."), rich_help_panel=_(_AVAILABILITY), show_default=False)] = None,
    ha_restart: Annotated[Optional[str], typer.Option("--ha-restart", help=_("Time from detection until HA powers the VM on elsewhere (default 1m)."), rich_help_panel=_(_AVAILABILITY), show_default=False)] = None,
    boot: Annotated[Optional[str], typer.Option("--boot", help=_("Guest boot time until the VM serves again (default 2m)."), rich_help_panel=_(_AVAILABILITY), show_default=False)] = None,
    server: Annotated[
        Optional[str],
        typer.Option("--server", metavar="HOST", help=_("Collect from this vCenter and check, instead of FILE (host, host:port or https://host/sdk)."), show_default=False, rich_help_panel=_("vCenter")),
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
        raise InputError(_("give either FILE or --server"), "on the command line", _("name a scenario file or export, or a vCenter to collect from"))
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
        raise InputError(_("--availability works on one cluster"), "on the command line", _("give a single-cluster scenario file, or select one cluster of a single-cluster input"))
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
        raise InputError(_("what-if changes apply to one cluster, not {count}").format(count=len(selected)), "in --cluster", _("select one cluster with --cluster NAME"))
    cluster, changes = what_if(selected[0].cluster, maintenance, remove, add_hosts, add_vms, scale)
    return [replace(selected[0], cluster=cluster)], changes


def _selected(inventory: Inventory, patterns: list[str]) -> list[InventoryCluster]:
    """The clusters ``--cluster`` names (all when it is not given); a pattern that matches nothing is a mistake."""
    from fnmatch import fnmatchcase

    if not inventory.clusters:
        raise InputError(_("the inventory holds no cluster that can be checked"), "in the input", _("see the warnings above; every cluster needs at least one host"))
    names = [item.name for item in inventory.clusters]
    for pattern in patterns:
        if not any(fnmatchcase(name, pattern) for name in names):
            raise InputError(_("no cluster matches {pattern!r}").format(pattern=visible(pattern)), "in --cluster", _cluster_hint(pattern, names))
    if not patterns:
        return list(inventory.clusters)
    return [item for item in inventory.clusters if any(fnmatchcase(item.name, pattern) for pattern in patterns)]


def _cluster_hint(pattern: str, names: list[str]) -> str:
    import difflib

    matches = difflib.get_close_matches(pattern, names, n=1, cutoff=0.6)
    if matches:
        return _("did you mean {name!r}?").format(name=visible(matches[0]))
    shown = ", ".join(visible(name) for name in names[:6]) + (", …" if len(names) > 6 else "")
    return _("the clusters are {names} (patterns match case-sensitively; quote them in the shell)").format(names=shown)


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

        env.stdout.write(junit_xml([_checked_in_english(cluster, report)]))
    elif output_format is ClusterFormat.markdown:
        from hacalc.cli.ci_reports import markdown

        env.stdout.write(markdown([_checked_in_english(cluster, report)]))
    else:
        if changes:
            _write_facts(env, _("what if"), [(_("change {number}").format(number=number), _data(change.sentence)) for number, change in enumerate(changes, 1)], title=_("What if"))
        if per_vm is None or not summary:
            _write_report(env, source, cluster, report)
        if per_vm is not None:
            _write_availability(env, report, per_vm)
    for warning in report.warnings:
        env.warn(_data(warning))


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

        checked = [_checked_in_english(item.cluster, report, item.warnings) for item, report in results]
        write = junit_xml if output_format is ClusterFormat.junit else markdown
        env.stdout.write(write(checked, inventory.warnings))
    else:
        _write_fleet_summary(env, source, inventory, results)
        for item, report in [] if summary else results:
            _write_report(env, source, item.cluster, report, item)
    for warning in inventory.warnings:
        env.warn(_data(warning.message))
    for item, report in results:
        for message in (*(warning.message for warning in item.warnings), *report.warnings):
            env.warn(f"{item.name}: {_data(message)}")


def _write_fleet_summary(env: Environment, source: str, inventory: Inventory, results: list[tuple[InventoryCluster, ClusterReport]]) -> None:
    rows = []
    for item, report in results:
        restart = report.restart
        restart_verdict = _("skipped") if restart is None else _pass_fail(restart.passed)
        worst = "-" if restart is None or restart.passed else ", ".join(restart.worst_case_failed_hosts) or "-"
        counted = sum(host.counted for host in report.hosts)
        powered_on = sum(vm.powered_on for vm in item.cluster.vms)
        rows.append((item.name, counted, powered_on, _policy_name(report), report.tolerate, _pass_fail(report.policy_passed), restart_verdict, worst))
    failing = sum(not report.passed for _item, report in results)
    verdict = _("all pass") if not failing else _("{failing} of {count} fail").format(failing=failing, count=len(results))
    clusters = _("1 cluster") if len(results) == 1 else _("{count} clusters").format(count=len(results))
    powered_on, tolerate, policy, worst = _("powered-on VMs"), _("tolerate"), _("policy"), _("worst failure set")
    write_table(
        env,
        (_("cluster"), _("hosts counted"), powered_on, policy, tolerate, _("policy result"), _("restart result"), worst),
        rows,
        title=_("{clusters} in {source} ({kind}): {verdict}").format(clusters=clusters, source=visible(source), kind=_source_label(inventory), verdict=verdict),
        optional=(powered_on, tolerate, policy),
        prose=(worst,),
        justify=("left", "right", "right", "left", "right", "left", "left", "left"),
    )


SOURCE_LABELS = {"rvtools-xlsx": N_("RVTools workbook"), "rvtools-csv": N_("RVTools CSV export"), "vcenter": N_("vCenter"), "scenario": N_("scenario file")}


def _source_label(inventory: Inventory) -> str:
    return _data(SOURCE_LABELS[inventory.source]) if inventory.source in SOURCE_LABELS else inventory.source


def _host_csv_rows(report: ClusterReport) -> list[list[Any]]:
    restart_passed = None if report.restart is None else report.restart.passed
    common = [report.cluster, _policy_name(report), report.tolerate, report.passed, report.policy_passed, restart_passed]
    return [
        [*common, host.name, host.state, host.counted, host.reason, host.cpu_mhz, host.memory_mb, host.cpu_slots, host.memory_slots, host.slots, host.limited_by]
        for host in report.hosts
    ]


# The human report: one short section per question, then the verdict and what to do about it. -------------


def _write_report(env: Environment, source: str, cluster: Cluster, report: ClusterReport, item: InventoryCluster | None = None) -> None:
    counted = [host for host in report.hosts if host.counted]
    powered_on = sum(vm.powered_on for vm in cluster.vms)
    rule = report.platform_rule
    admission = [(_("vSphere profile"), report.defaults.vsphere), (_("policy"), report.policy.value)]
    if report.platform != "vsphere":
        admission = [(_("platform"), report.platform), (_("rule"), "-" if rule is None else _data(rule.rule))]
    _write_facts(
        env,
        _("input"),
        [
            (_("file"), source),
            *(_provenance_rows(item) if item is not None else []),
            *admission,
            (_("tolerate"), _host_failures(report.tolerate)),
            (_("hosts"), _("{hosts} ({counted} counted, {excluded} excluded)").format(hosts=len(report.hosts), counted=len(counted), excluded=len(report.hosts) - len(counted))),
            (_("VMs"), _("{vms} ({powered_on} powered on)").format(vms=len(cluster.vms), powered_on=powered_on)),
            *(_defaults_rows(report.defaults) if report.platform == "vsphere" else []),
        ],
        title=_("Cluster {cluster}").format(cluster=report.cluster),
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
    rows = [(_("method"), _data(rule.method)), (_("reserved memory MB"), rule.reserved_memory_mb), *([(_("reserved CPU MHz"), rule.reserved_cpu_mhz)] if rule.reserved_cpu_mhz is not None else [])]
    rows += [(_("result"), _pass_fail(rule.passed)), *((_("note"), _data(note)) for note in rule.notes)]
    _write_facts(env, _("rule"), rows, title=_data(rule.rule))
    figures = [key for key, value in (rule.details[0].figures.items() if rule.details else ()) if not isinstance(value, (dict, list, tuple))]
    if figures:
        write_table(
            env,
            (_("failed hosts"), _("passes"), *map(_figure_header, figures)),
            [(", ".join(detail.failed_hosts) or "-", _("yes") if detail.passed else _("NO"), *(_or_dash(detail.figures.get(key)) for key in figures)) for detail in rule.details],
            title=_("{rule}: each failure set").format(rule=_data(rule.rule)),
        )


CAPACITY_LABELS = {
    "usable": N_("usable (what each host gives VMs)"),
    "physical": N_("physical (cores × MHz, installed memory)"),
}


def _provenance_rows(item: InventoryCluster) -> list[tuple[str, str]]:
    """Where an inventory cluster's numbers came from: its capacity basis and each setting's source."""
    from hacalc.core.vsphere.inventory import SETTING_NAMES, Capacity

    capacity = _data(CAPACITY_LABELS[item.capacity.value])
    if item.capacity is Capacity.physical:
        capacity += _(", less a {percent}{sign} host reserve ({source})").format(percent=item.host_reserve_percent, sign="%", source=item.source_of("host_reserve_percent").value)
    by_source: dict[str, list[str]] = {}
    for name in SETTING_NAMES:
        if name != "host_reserve_percent":
            by_source.setdefault(item.source_of(name).value, []).append(name)
    written = [f"{source}: {', '.join(names)}" for source, names in by_source.items() if source != "default"]
    sources = "; ".join([*written, _("default: the rest") if written else _("defaults only")])
    rows = [(_("capacity"), capacity), (_("settings from"), sources)]
    rows += [(_fact_label(name), value) for name, value in item.facts.items()]
    return rows


FACT_WORDS = {"ha": "HA", "drs": "DRS", "dpm": "DPM", "vm": "VM", "vms": "VMs", "vsphere": "vSphere", "vcenter": "vCenter", "vcluster": "vCluster", "rvtools": "RVTools"}
# The labels _fact_label makes of the facts the readers record, marked for the catalogue; an unknown fact is shown as it is.
FACT_LABELS = (
    N_("HA enabled"), N_("admission control enabled"), N_("failover level"), N_("host monitoring"), N_("isolation response"),
    N_("restart priority"), N_("VM monitoring"), N_("DRS enabled"), N_("DPM enabled"), N_("vCluster hosts"), N_("vCluster total cpu mhz"),
    N_("vCluster total memory"), N_("vCluster effective cpu mhz"), N_("vCluster effective memory mb"), N_("VMs"), N_("powered on VMs"),
    N_("vCenter"), N_("vcenters"), N_("vSphere version seen"), N_("RVTools version"), N_("RVTools major version"), N_("export date"),
    N_("server"), N_("tabs"), N_("nodes"), N_("guests"), N_("name from"), N_("host reserve mb"),
)
# The columns _write_platform_rule makes of the figures of a failure set (``largest_m_mb`` is ``largest m mb``), marked likewise.
FIGURE_HEADERS = (
    N_("largest vm"), N_("largest vm mb"), N_("largest m mb"), N_("other m mb"), N_("extra mb"), N_("total extra mb"), N_("margin mb"),
    N_("segments needed"), N_("segments free"), N_("moved mb"), N_("quorate"), N_("displaced mb"), N_("survivors free mb"),
    N_("failing order"), N_("vms to move"), N_("slots left"),
)


def _fact_label(name: str) -> str:
    """``ha_enabled`` as ``HA enabled``: a fact's key as the vSphere UI would say it, in the language of the run."""
    label = " ".join(FACT_WORDS.get(word, word) for word in name.split("_"))
    return _(label)


def _figure_header(key: str) -> str:
    """``largest_m_mb`` as ``largest m mb``, in the language of the run."""
    return _(key.replace("_", " "))


def _write_facts(env: Environment, heading: str, rows: list[tuple[str, Any]], *, title: str) -> None:
    """A two-column table of facts; values are phrases, so they may wrap at spaces on a narrow terminal."""
    value = _("value")
    write_table(env, (heading, value), rows, title=title, prose=(value,), justify=("left", "left"))


def _defaults_rows(defaults: Defaults) -> list[tuple[str, str]]:
    limits = _("{hosts} hosts, {vms} VMs per cluster (warnings only)").format(hosts=_or_dash(defaults.max_hosts), vms=_or_dash(defaults.max_vms))
    return [
        (_("das.vmCpuMinMHz in effect"), f"{defaults.vm_cpu_min_mhz} MHz"),
        (_("das.vmMemoryMinMB in effect"), f"{defaults.vm_memory_min_mb} MB"),
        (_("version limits"), limits),
        (_("not-responding hosts"), _counted(defaults.count_not_responding)),
        (_("standby hosts"), _counted(defaults.count_standby)),
    ]


def _counted(counted: bool) -> str:
    return _("counted") if counted else _("excluded")


def _write_hosts(env: Environment, report: ClusterReport) -> None:
    slotted = report.slot is not None and report.platform == "vsphere"
    state, counted, cpu_slots, memory_slots, limited_by, reason = _("state"), _("counted"), _("CPU slots"), _("memory slots"), _("limited by"), _("reason")
    columns = (_("host"), state, counted, _("CPU MHz"), _("memory MB"), *((cpu_slots, memory_slots, _("slots"), limited_by) if slotted else ()), reason)
    rows = []
    for host in report.hosts:
        slots = (_or_dash(host.cpu_slots), _or_dash(host.memory_slots), _or_dash(host.slots), _or_dash(host.limited_by)) if slotted else ()
        rows.append((host.name, host.state, _yes_no(host.counted), host.cpu_mhz, host.memory_mb, *slots, _data(host.reason or "")))
    optional = (cpu_slots, memory_slots, counted, limited_by, state) if slotted else (counted, state)
    write_table(env, columns, rows, title=_("Hosts"), optional=optional, prose=(reason,))


def _write_slot(env: Environment, report: ClusterReport) -> None:
    slot = report.slot
    if slot is None:
        return
    rows = [
        (_("slot size"), f"{slot.cpu_mhz} MHz, {slot.memory_mb} MB ({_data(slot.source)})"),
        (_("CPU slot set by"), _setters(slot.cpu_set_by, "MHz")),
        (_("memory slot set by"), _setters(slot.memory_set_by, "MB")),
        (_("without those VMs"), _("{cpu} MHz, {memory} MB: {slots} slots").format(cpu=slot.cpu_mhz_without_them, memory=slot.memory_mb_without_them, slots=slot.total_slots_without_them)),
        (_("total slots"), slot.total_slots),
        (_("used slots"), slot.used_slots),
        (_("available slots"), slot.available_slots),
        (_("current failover level"), _("{level} (tolerate {tolerate})").format(level=slot.current_failover_level, tolerate=report.tolerate)),
    ]
    if slot.vms_requiring_multiple_slots:
        rows.append((_("VMs needing several slots"), ", ".join(f"{vm.name} ({vm.slots})" for vm in slot.vms_requiring_multiple_slots)))
    _write_facts(env, _("slot policy"), [*rows, (_("result"), _verdict(slot.passed, report.policy is Policy.slot))], title=_("Slot policy"))


def _write_percentage(env: Environment, report: ClusterReport) -> None:
    share = report.percentage
    if share is None:
        return
    rows = [
        (_("cluster capacity"), f"{share.total_host_cpu_mhz} MHz, {share.total_host_memory_mb} MB"),
        (_("VM requirements"), f"{share.required_cpu_mhz} MHz, {share.required_memory_mb} MB"),
        (_("current CPU failover capacity"), f"{share.cpu_failover_percent}%"),
        (_("current memory failover capacity"), f"{share.memory_failover_percent}%"),
        (_("configured CPU / memory"), f"{_percent(share.configured_cpu_percent)} / {_percent(share.configured_memory_percent)}" + (_(" (automatic)") if share.auto else "")),
        (_("reserved by the configured {sign}").format(sign="%"), _reserved(share)),
        (_("headroom CPU / memory"), f"{_percent(share.cpu_headroom_percent)} / {_percent(share.memory_headroom_percent)}"),
        (_("F/N reading"), _percent(share.f_over_n_percent)),
        (_("largest F hosts' share, CPU / memory"), f"{_percent(share.largest_hosts_cpu_percent)} / {_percent(share.largest_hosts_memory_percent)}"),
    ]
    if share.auto:
        rows.append((_("automatic reading used"), _data(share.auto_reading or "-")))
    _write_facts(env, _("percentage policy"), [*rows, (_("result"), _verdict(share.passed, report.policy is Policy.percentage))], title=_("Percentage policy"))


def _write_failover_hosts(env: Environment, report: ClusterReport) -> None:
    dedicated = report.failover_hosts
    if dedicated is None:
        return
    rows = [(_("failover host {host}").format(host=host.name), _("{status}, free {cpu} MHz, {memory} MB").format(status=_data(host.status), cpu=host.free_cpu_mhz, memory=host.free_memory_mb))
            for host in dedicated.hosts]
    largest = _("largest VM ({vm}) fits one failover host").format(vm=dedicated.largest_vm) if dedicated.largest_vm else _("largest VM fits one failover host")
    rows += [
        (_("free on failover hosts"), f"{dedicated.free_cpu_mhz} MHz, {dedicated.free_memory_mb} MB"),
        (_("load of the F most loaded hosts"), f"{dedicated.displaced_cpu_mhz} MHz, {dedicated.displaced_memory_mb} MB"),
        (_("covers that load"), _yes_no(dedicated.covers_load)),
        (largest, _yes_no(dedicated.largest_vm_fits)),
        (_("result"), _verdict(dedicated.passed, report.policy is Policy.failover_hosts)),
    ]
    _write_facts(env, _("failover hosts"), rows, title=_("Dedicated failover hosts"))


def _write_performance(env: Environment, report: ClusterReport) -> None:
    performance = report.performance
    if performance is None:
        return
    rows = [
        (_("performance degradation tolerated"), f"{performance.percent}%"),
        (_("usage"), f"{performance.usage_cpu_mhz} MHz, {performance.usage_memory_mb} MB"),
        (_("capacity after F failures"), f"{performance.capacity_after_failure_cpu_mhz} MHz, {performance.capacity_after_failure_memory_mb} MB"),
        (_("CPU / memory"), f"{_ok(performance.cpu_ok)} / {_ok(performance.memory_ok)}"),
    ]
    _write_facts(env, _("performance degradation"), rows, title=_("Performance degradation"))


def _ok(ok: bool) -> str:
    return _("ok") if ok else _("warning")


def _write_restart(env: Environment, report: ClusterReport) -> None:
    restart = report.restart
    if restart is None:
        _write_facts(env, _("restart check"), [(_("result"), _("skipped (--no-restart-check)"))], title=_("Restart check"))
        return
    question = _("does every powered-on VM restart after any 1 host failure?") if report.tolerate == 1 else \
        _("does every powered-on VM restart after any {tolerate} host failures?").format(tolerate=report.tolerate)
    result = _("PASS") if restart.passed else (_("FAIL") if restart.failing_sets else _("FAIL (not proven: undecided sets)"))
    rows = [
        (_("question"), question),
        *([(_("demand"), _data(DEMAND_LABELS[restart.demand]))] if restart.demand != Demand.reservation.value else []),
        (_("placement"), _data(restart.mode)),
        (_("failure sets"), _set_counts(restart)),
        (_("worst case"), ", ".join(restart.worst_case_failed_hosts) or "-"),
        (_("proof"), _proof(restart)),
        (_("result"), result),
        *([(_("with {demand} demand").format(demand=restart.other_demand.demand), _("{verdict} (for comparison; not the chosen --demand)").format(verdict=_other_verdict(restart)))]
          if restart.other_demand else []),
    ]
    _write_facts(env, _("restart check"), rows, title=_("Restart check"))
    if restart.unplaced_vms:
        priority, was_on = _("restart priority"), _("was on")
        write_table(
            env,
            (_("VM that cannot restart"), priority, _("CPU MHz"), _("memory MB"), was_on),
            [(vm.name, vm.restart_priority, vm.cpu_mhz, vm.memory_mb, vm.host or "-") for vm in restart.unplaced_vms],
            title=_("VMs left down when {hosts_fail}").format(hosts_fail=_hosts_fail(restart.worst_case_failed_hosts)),
            optional=(was_on, priority),
        )


DEMAND_LABELS = {
    Demand.reservation.value: N_("reservation: reserved memory + overhead, what HA needs to power VMs on"),
    Demand.configured.value: N_("configured: configured memory + overhead, no memory overcommit"),
}


def _other_verdict(restart: RestartReport) -> str:
    """The other basis's verdict: ``PASS``, ``FAIL: 3 failing sets``, or ``not proven: 2 undecided sets``."""
    other = restart.other_demand
    counts = [_count(other.failing_sets, N_("{count} failing set"), N_("{count} failing sets"))] if other.failing_sets else []
    counts += [_count(other.undecided_sets, N_("{count} undecided set"), N_("{count} undecided sets"))] if other.undecided_sets else []
    verdict = _("PASS") if other.passed else (_("FAIL") if other.failing_sets else _("not proven"))
    return _("{verdict}: {counts}").format(verdict=verdict, counts=", ".join(counts)) if counts else verdict


def _set_counts(restart: RestartReport) -> str:
    """``6 checked, 1 failing, 2 undecided``; past the enumeration limit, how many of all the sets were checked."""
    if restart.checked_sets == restart.failure_sets:
        checked = _("{checked:,} checked").format(checked=restart.checked_sets)
    else:
        checked = _("{checked:,} of {sets:,} checked").format(checked=restart.checked_sets, sets=restart.failure_sets)
    undecided = _(", {undecided:,} undecided").format(undecided=restart.undecided_sets) if restart.undecided_sets else ""
    return _("{checked}, {failing:,} failing{undecided}").format(checked=checked, failing=restart.failing_sets, undecided=undecided)


def _proof(restart: RestartReport) -> str:
    method = _(restart.method) if restart.method else ""
    if restart.exact and not restart.undecided_sets:
        return _("exact ({method})").format(method=method)
    gaps = []
    if restart.undecided_sets:
        gaps.append(_count(restart.undecided_sets, N_("{count} set undecided"), N_("{count} sets undecided")))
    if restart.checked_sets < restart.failure_sets:
        gaps.append(_("only the heaviest sets checked"))
    if restart.failing_sets:
        return _("failure proven ({method}); {gaps}").format(method=method, gaps=", ".join(gaps))
    if method:
        return _("{method}; not exact: {gaps}").format(method=method, gaps=", ".join(gaps))
    return _("not exact: {gaps}").format(gaps=", ".join(gaps))


def _count(number: int, one: str, many: str) -> str:
    """``1 failure set``, ``3 failure sets``: ``one`` and ``many`` are N_-marked messages with a ``{count}``."""
    return _(one if number == 1 else many).format(count=f"{number:,}")


def _write_options(env: Environment, report: ClusterReport) -> None:
    if not report.options:
        return
    rows = [(option.key, option.canonical, option.value, _yes_no(option.effective), _data(option.note or "")) for option in report.options]
    canonical, note = _("canonical key"), _("note")
    write_table(env, (pgettext("das", "option"), canonical, _("value"), _("in effect"), note), rows, title=_("Advanced options (das.*)"), optional=(canonical,), prose=(note,))


def _write_vm_monitoring(env: Environment, report: ClusterReport) -> None:
    monitoring = report.vm_monitoring
    sources = monitoring.sources
    window = _("none (resets count for ever)") if monitoring.reset_window_s == -1 else f"{monitoring.reset_window_s} s"
    rows = [
        (_("enabled"), _yes_no(monitoring.enabled), sources.get("enabled", "")),
        (_("sensitivity preset"), monitoring.sensitivity or "-", sources.get("sensitivity", "")),
        (_("failure interval"), f"{monitoring.failure_interval_s} s", sources.get("failure_interval_s", "")),
        (_("minimum uptime"), f"{monitoring.min_uptime_s} s", sources.get("min_uptime_s", "")),
        (_("maximum resets"), monitoring.max_resets, sources.get("max_resets", "")),
        (_("reset window"), window, sources.get("reset_window_s", "")),
    ]
    value, origin = _("value"), _("from")
    write_table(env, (_("VM monitoring"), value, origin), rows, title=_("VM monitoring"), prose=(value, origin))


def _write_verdict(env: Environment, report: ClusterReport) -> None:
    from rich.text import Text

    console = env.console()
    console.print(Text(_pass_fail(report.passed), style="bold green" if report.passed else "bold red"), Text(visible(_verdict_line(report, _failure_reasons(report)))))
    for step in [] if report.passed else _what_to_try(report):
        console.print(Text(visible(f"  - {step}")))


def _what_to_try(report: ClusterReport) -> list[str]:
    """The remedies VMware's troubleshooting guide lists, pointed at this cluster's own hosts and VMs."""
    steps = []
    excluded = [f"{host.name} ({_data(host.reason)})" for host in report.hosts if not host.counted]
    if excluded:
        steps.append(_("bring back the hosts that are not counted: {hosts}").format(hosts=", ".join(excluded)))
    slot = report.slot
    if report.policy is Policy.slot and slot is not None and not slot.passed and slot.total_slots_without_them > slot.total_slots:
        setters = sorted({vm.name for vm in (*slot.cpu_set_by[:1], *slot.memory_set_by[:1])})
        steps.append(
            _(
                "{vms} set the slot; without the largest VMs the cluster has {without} slots, not {slots}: "
                "lower their reservations, cap the slot (das.slotCpuInMHz, das.slotMemInMB) or use the percentage policy"
            ).format(vms=", ".join(setters), without=slot.total_slots_without_them, slots=slot.total_slots)
        )
    restart = report.restart
    if restart is not None and restart.failing_sets:
        steps.append(_("the listed VMs find no host with enough free capacity: lower their reservations or add capacity") if restart.demand == Demand.reservation.value
                     else _("the listed VMs find no host with enough free capacity: give them less configured memory or add capacity"))
    elif restart is not None and restart.undecided_sets:
        steps.append(
            _(
                "{sets} could not be decided within the search's time and size limits, and a pass "
                "needs every set proven: add capacity or lower reservations until they are"
            ).format(sets=_failure_sets(restart.undecided_sets))
        )
    steps.append(_("add hosts, or check a smaller target with --tolerate {tolerate}").format(tolerate=report.tolerate - 1) if report.tolerate > 1 else _("add hosts"))
    return steps


def _failure_sets(count: int) -> str:
    return _count(count, N_("{count} failure set"), N_("{count} failure sets"))


def _verdict_line(report: ClusterReport, reasons: list[str]) -> str:
    if report.passed:
        holds = _("{cluster} tolerates {failures}: {admission} holds.") if report.restart is None else \
            _("{cluster} tolerates {failures}: {admission} holds and every powered-on VM restarts.")
        return holds.format(cluster=report.cluster, failures=_host_failures(report.tolerate), admission=_admission_name(report))
    return _("{cluster}: {reasons}.").format(cluster=report.cluster, reasons=_("; ").join(reasons))


def _host_failures(count: int) -> str:
    return _count(count, N_("{count} host failure"), N_("{count} host failures"))


def _failure_reasons(report: ClusterReport) -> list[str]:
    reasons = [] if report.policy_passed else [_policy_reason(report)]
    restart = report.restart
    if restart is not None and not restart.passed:
        reasons.append(_restart_reason(restart))
    return reasons


def _restart_reason(restart: RestartReport) -> str:
    when = _hosts_fail(restart.worst_case_failed_hosts)
    if restart.failing_sets:
        vms = _count(len(restart.unplaced_vms), N_("{count} VM"), N_("{count} VMs"))
        return _("{vms} cannot restart when {when}").format(vms=vms, when=when)
    return _("restart not proven for {sets} (none proven to fail), the most loaded when {when}").format(sets=_failure_sets(restart.undecided_sets), when=when)


def _checked_in_english(cluster: Cluster, report: ClusterReport, data_warnings: tuple[DataWarning, ...] = ()) -> "CheckedCluster":
    """The cluster's verdicts as checks, for the JUnit and Markdown reports: in English in every language, like JSON
    (a CI job's history and diffs never change with the locale of the machine that ran it)."""
    from hacalc import i18n

    language = i18n.language()
    i18n.set_language("en")
    try:
        return _checked(cluster, report, data_warnings)
    finally:
        i18n.set_language(next(code for code, name in i18n.LANGUAGES.items() if name == language))


def _checked(cluster: Cluster, report: ClusterReport, data_warnings: tuple[DataWarning, ...] = ()) -> "CheckedCluster":
    """The cluster's verdicts as checks, in the language of the run."""
    from hacalc.cli.ci_reports import Check, CheckedCluster

    admission = _("admission control ({policy} policy)").format(policy=report.policy.value) if report.platform == "vsphere" else _admission_name(report, article=False)
    policy = Check(admission, report.policy_passed, "" if report.policy_passed else _policy_reason(report))
    restart = report.restart
    if restart is None or restart.demand == Demand.reservation.value:
        restart_name = _("every powered-on VM restarts after any {failures}").format(failures=_host_failures(report.tolerate))
    else:
        restart_name = _("every powered-on VM restarts with all its configured memory after any {failures}").format(failures=_host_failures(report.tolerate))
    if restart is None:
        restart_check = Check(restart_name, None, "--no-restart-check")
    else:
        restart_check = Check(restart_name, restart.passed, "" if restart.passed else _restart_reason(restart), restart.unplaced_vms)
    return CheckedCluster(
        name=report.cluster,
        passed=report.passed,
        hosts_counted=sum(host.counted for host in report.hosts),
        powered_on_vms=sum(vm.powered_on for vm in cluster.vms),
        policy=_policy_name(report),
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
    return (Check(_("restart check with {demand} demand (for comparison)").format(demand=other.demand), None, _other_verdict(restart)),)


def _policy_name(report: ClusterReport) -> str:
    """What admits VMs, for summaries and CSV: vSphere's policy, or the other platform whose rule decides."""
    return report.policy.value if report.platform == "vsphere" else report.platform


def _admission_name(report: ClusterReport, article: bool = True) -> str:
    """What decides admission: vSphere's configured policy, or another platform's own rule (``the`` before it in a sentence)."""
    if report.platform != "vsphere":
        if report.platform_rule is None:
            return _("{platform} (no rule of its own)").format(platform=report.platform)
        return (_("the {rule}") if article else "{rule}").format(rule=_data(report.platform_rule.rule))
    return _("the {policy} policy").format(policy=report.policy.value)


def _policy_reason(report: ClusterReport) -> str:
    if report.platform_rule is not None:
        failing = [detail.failed_hosts for detail in report.platform_rule.details if not detail.passed]
        rule = _data(report.platform_rule.rule)
        return _("{rule} fails when {when}").format(rule=rule, when=_hosts_fail(failing[0])) if failing else _("{rule} fails").format(rule=rule)
    if report.policy is Policy.slot and report.slot is not None:
        return _("slot policy: current failover level {level} < {tolerate}").format(level=report.slot.current_failover_level, tolerate=report.tolerate)
    if report.policy is Policy.percentage and report.percentage is not None:
        share = report.percentage
        return _("percentage policy: CPU {cpu} / memory {memory} free against {cpu_reserved} / {memory_reserved} reserved").format(
            cpu=f"{share.cpu_failover_percent}%", memory=f"{share.memory_failover_percent}%",
            cpu_reserved=_percent(share.configured_cpu_percent), memory_reserved=_percent(share.configured_memory_percent),
        )
    if report.policy is Policy.failover_hosts and report.failover_hosts is not None:
        dedicated = report.failover_hosts
        if not dedicated.covers_load and not dedicated.largest_vm_fits:
            return _("failover hosts cannot take the displaced load and the largest VM")
        if not dedicated.covers_load:
            return _("failover hosts cannot take the displaced load")
        if not dedicated.largest_vm_fits:
            return _("failover hosts cannot take the largest VM")
        return _("failover hosts are not ready")
    return _("the {policy} policy fails").format(policy=report.policy.value)


def _hosts_fail(names: Any) -> str:
    if not names:
        return _("no host is counted")
    if len(names) == 1:
        return _("{host} fails").format(host=names[0])
    return _("{hosts} and {last} fail").format(hosts=", ".join(names[:-1]), last=names[-1])


def _pass_fail(passed: bool) -> str:
    return _("PASS") if passed else _("FAIL")


def _verdict(passed: bool, configured: bool) -> str:
    result = _pass_fail(passed)
    return result if configured else _("{result} (for comparison; not the configured policy)").format(result=result)


def _setters(setters: Any, unit: str) -> str:
    return ", ".join(f"{vm.name} ({vm.value} {unit})" for vm in setters) or _("the version's minimum")


def _percent(value: Any) -> str:
    return "-" if value is None else f"{_decimal(value)}%"


def _reserved(share: PercentageReport) -> str:
    if share.reserved_cpu_mhz is None or share.reserved_memory_mb is None:
        return "-"
    return f"{_decimal(share.reserved_cpu_mhz)} MHz, {_decimal(share.reserved_memory_mb)} MB"


def _decimal(value: Any) -> str:
    """At most two decimals, trailing zeros dropped: 37.5, 33.33, 6000."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _data(text: str) -> str:
    """A text the core made (a rule's name, a host's reason), marked with N_ where it is made: translated when
    the catalogue holds it, as it is otherwise (a name, a number); "" stays "" (gettext would give the header)."""
    return _(text) if text else text


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


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
            raise InputError(_("{value} is used only with --availability").format(value=given[0]), "on the command line", _("add --availability"))
        return None
    if output_format not in (ClusterFormat.table, ClusterFormat.json):
        raise InputError(_("--availability is shown in table and json output, not {value}").format(value=output_format.value), "in --format", _("use --format table or --format json"))
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
                _("--availability needs {flag}").format(flag=_flag(name)), "on the command line",
                _("add --host-mttf 50000h --host-mttr 8h (one host's mean time to failure and to repair), or host_mttf and host_mttr under [cluster.reliability]"),
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
            _("{checked:,} of {sets:,}").format(checked=level.checked_sets, sets=level.failure_sets) if level.checked_sets != level.failure_sets else f"{level.failure_sets:,}",
            "-" if level.method == "upper bound" else f"{level.sets_leaving_vms_down:,.0f}",
            f"{level.restart_vm_hours_per_year:.3g}",
            f"{level.no_capacity_vm_hours_per_year:.3g}" + (f" ± {level.no_capacity_stderr_vm_hours:.2g}" if level.no_capacity_stderr_vm_hours else ""),
            _data(level.method),
        )
        for level in per_vm.levels[:4]
    ]
    probability, method = _("probability"), _("method")
    write_table(
        env,
        (_("hosts down"), probability, _("failure sets"), _("sets leaving VMs down"), _("restart VM-h/yr"), _("no-capacity VM-h/yr"), method),
        rows,
        title=_("VM downtime by failed hosts (tolerate {tolerate})").format(tolerate=report.tolerate),
        optional=(probability, method),
    )
    weakest = [
        (vm.name, vm.host or "-", vm.restart_priority, f"{vm.availability * 100:.6f}%", _per_year(vm.restart_s), _per_year(vm.no_capacity_s + vm.not_restarted_s), _data(vm.why))
        for vm in per_vm.weakest()
    ]
    host, priority, why = _("host"), _("restart priority"), _("why")
    write_table(
        env,
        (_("VM"), host, priority, _("availability"), _("restart/yr"), _("no capacity/yr"), why),
        weakest,
        title=_("Ten weakest VMs of {count:,}").format(count=len(per_vm.vms)),
        optional=(host, priority),
        prose=(why,),
    )
    spread = f" ± {per_vm.no_capacity_stderr_hours:.2g}" if per_vm.no_capacity_stderr_hours else ""
    crews = _count(inputs["crews"], N_("{count} crew"), N_("{count} crews"))
    restart = _("{restart:g} s (detect {detect:g} + restart {ha_restart:g} + boot {boot:g})").format(
        restart=inputs["restart_seconds"], detect=inputs["ha_detect_seconds"], ha_restart=inputs["ha_restart_seconds"], boot=inputs["boot_seconds"])
    _write_facts(
        env,
        _("availability"),
        [
            (_("host MTTF / MTTR"), f"{inputs['host_mttf_hours']:g} h / {inputs['host_mttr_hours']:g} h, {crews}"),
            (_("restart after a host failure"), restart),
            (_("VM downtime, whole cluster"), _("{hours}{spread} VM-hours per year").format(hours=f"{per_vm.vm_downtime_hours_per_year:.4g}", spread=spread)),
            (_("method"), _data(per_vm.method)),
        ],
        title=_("Per-VM availability"),
    )


cluster_app.command("check", help=command_help(check))(check)
cluster_app.command("collect", help=command_help(collect))(collect)
cluster_app.command("headroom", help=command_help(headroom))(headroom)
cluster_app.command("maintenance-plan", help=command_help(maintenance_plan))(maintenance_plan)
cluster_app.command("compare", help=command_help(compare))(compare)


def register(app: typer.Typer) -> None:
    app.add_typer(cluster_app, name="cluster")
