"""``hacalc protect``: one workload under every way to protect it: none, HA, FT, a guest cluster, a pool."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from hacalc.cli.options import FormatOption, located
from hacalc.cli.output import OutputFormat, write_csv, write_json, write_table
from hacalc.cli.status import ExitStatus
from hacalc.core.errors import InputError
from hacalc.i18n import N_, _, command_help

if TYPE_CHECKING:
    from hacalc.cli.env import Environment
    from hacalc.core.protection import Comparison, Monitoring

_FAILURES = N_("What fails")
_TIMINGS = N_("How long each response takes")
_LEVELS = N_("Levels, costs and target")
HOUR = 3600
CSV_COLUMNS = (
    "level", "availability", "unavailability", "nines", "downtime_host_seconds", "downtime_guest_seconds",
    "downtime_application_seconds", "downtime_total_seconds", "outages_per_year", "mean_outage_seconds",
    "meets_target", "annual_cost", "cheapest_meeting_target",
)


def protect(
    ctx: typer.Context,
    host_mttf: Annotated[Optional[str], typer.Option("--host-mttf", help=_("Mean time between host failures, e.g. 50000h."), rich_help_panel=_(_FAILURES), show_default=False)] = None,
    host_mttr: Annotated[str, typer.Option("--host-mttr", help=_("Time to repair a failed host."), rich_help_panel=_(_FAILURES))] = "8h",
    guest_mttf: Annotated[Optional[str], typer.Option("--guest-mttf", help=_("Mean time between guest OS failures (a blue screen), e.g. 4000h."), rich_help_panel=_(_FAILURES), show_default=False)] = None,
    app_mttf: Annotated[Optional[str], typer.Option("--app-mttf", help=_("Mean time between application failures, e.g. 2000h."), rich_help_panel=_(_FAILURES), show_default=False)] = None,
    boot: Annotated[str, typer.Option("--boot", help=_("Guest boot until the service answers."), rich_help_panel=_(_TIMINGS))] = "2m",
    respond: Annotated[str, typer.Option("--respond", help=_("Until a person acts on a failure nothing automatic handles."), rich_help_panel=_(_TIMINGS))] = "30m",
    app_restart: Annotated[str, typer.Option("--app-restart", help=_("Restarting the application by hand, after --respond."), rich_help_panel=_(_TIMINGS))] = "1m",
    ha_detect: Annotated[str, typer.Option("--ha-detect", help=_("HA declaring a host failed."), rich_help_panel=_(_TIMINGS))] = "15s",
    ha_restart: Annotated[str, typer.Option("--ha-restart", help=_("HA placing and powering on the VM elsewhere."), rich_help_panel=_(_TIMINGS))] = "1m",
    vm_monitoring: Annotated[
        Optional[str], typer.Option("--vm-monitoring", help=_("off, low, medium or high (the UI's presets); default off, or the cluster's with --from-cluster."), rich_help_panel=_(_TIMINGS), show_default=False)
    ] = None,
    from_cluster: Annotated[
        Optional[str], typer.Option("--from-cluster", metavar="FILE", help=_("Take VM monitoring from a cluster scenario, as cluster check reads it."), rich_help_panel=_(_TIMINGS), show_default=False)
    ] = None,
    ft_failover: Annotated[str, typer.Option("--ft-failover", help=_("Fault Tolerance's secondary taking over."), rich_help_panel=_(_TIMINGS))] = "2s",
    cluster_failover: Annotated[str, typer.Option("--cluster-failover", help=_("A guest cluster (MSCS, Veritas) failing over."), rich_help_panel=_(_TIMINGS))] = "45s",
    common_cause: Annotated[str, typer.Option("--common-cause", help=_("Share of guest and application failures that hit both cluster nodes."), rich_help_panel=_(_TIMINGS))] = "0.05",
    pool: Annotated[int, typer.Option("--pool", metavar="N", help=_("Instances in a load-balanced pool."), rich_help_panel=_(_TIMINGS))] = 2,
    pool_needed: Annotated[int, typer.Option("--pool-needed", metavar="K", help=_("Instances the pool needs up."), rich_help_panel=_(_TIMINGS))] = 1,
    session_loss: Annotated[str, typer.Option("--session-loss", help=_("The short outage a pool instance's failure causes its users."), rich_help_panel=_(_TIMINGS))] = "5s",
    levels: Annotated[str, typer.Option("--levels", help=_("Levels to compare, comma-separated."), rich_help_panel=_(_LEVELS))] = "none,ha,ft,guest-cluster,pool",
    cost: Annotated[Optional[str], typer.Option("--cost", help=_("Annual cost per level: ha=500,ft=3000,guest-cluster=2000,pool=1500."), rich_help_panel=_(_LEVELS), show_default=False)] = None,
    target: Annotated[Optional[str], typer.Option("--target", help=_("Availability to meet, e.g. 99.95."), rich_help_panel=_(_LEVELS), show_default=False)] = None,
    check: Annotated[bool, typer.Option("--check", help=_("Exit 1 when no level meets --target."), rich_help_panel=_(_LEVELS))] = False,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """The availability one workload gets from each way to protect it, downtime by cause, and the cheapest that meets a target.

    A host failure costs a repair and a boot without protection, a restart elsewhere under HA, seconds
    under FT; a guest failure costs a person's response and a reboot, or a VM-monitoring reset; only a
    guest cluster or a pool covers application failures. Exact for independent failure sources at
    constant rates; the delays may be deterministic or exponential alike (only their means count).

    Example:

        hacalc protect --host-mttf 50000h --guest-mttf 4000h --app-mttf 2000h --vm-monitoring high --target 99.95
    """
    from hacalc.core import protection

    env: Environment = ctx.obj
    warnings: list[str] = []
    if check and target is None:
        raise InputError(_("--check needs a target"), "--check", _("add --target, e.g. --target 99.95"))
    workload = protection.Workload(
        host_mttf=_hours("--host-mttf", host_mttf, positive=True),
        host_mttr=_hours("--host-mttr", host_mttr),
        guest_mttf=_hours("--guest-mttf", guest_mttf, positive=True),
        app_mttf=_hours("--app-mttf", app_mttf, positive=True),
        boot=_hours("--boot", boot),
        respond=_hours("--respond", respond),
        app_restart=_hours("--app-restart", app_restart),
        ha_detect=_hours("--ha-detect", ha_detect),
        ha_restart=_hours("--ha-restart", ha_restart),
        monitoring=_monitoring(env, vm_monitoring, from_cluster, warnings),
        ft_failover=_hours("--ft-failover", ft_failover),
        cluster_failover=_hours("--cluster-failover", cluster_failover),
        common_cause=float(located("--common-cause", _share, common_cause)),
        pool=pool,
        pool_needed=pool_needed,
        session_loss=_hours("--session-loss", session_loss),
    )
    chosen = [level.strip() for level in levels.split(",") if level.strip()]
    costs = located("--cost", protection.parse_costs, cost) if cost else None
    goal = None if target is None else float(_unavailability(target))
    comparison = protection.compare(workload, chosen, costs, goal)
    for warning in warnings:  # after the last possible error: a failing run prints one line
        env.warn(warning)
    if output_format is OutputFormat.json:
        write_json(env, {**protection.as_dict(comparison), "monitoring": _monitoring_text(workload.monitoring), "target": None if target is None else 1 - goal})
    elif output_format is OutputFormat.csv:
        write_csv(env, CSV_COLUMNS, _csv_rows(comparison))
    else:
        _write_tables(env, comparison, target)
    if check and comparison.cheapest_meeting_target is None:
        env.stderr.write(_("FAIL: no level meets {target}").format(target=target) + "\n")
        raise typer.Exit(ExitStatus.GATE_FAILED)


def _hours(option: str, text: str | None, *, positive: bool = False) -> float | None:
    from hacalc.core.units import parse_duration

    if text is None:
        return None
    return float(located(option, parse_duration, text, allow_zero=not positive) / HOUR)


def _share(text: str) -> Fraction:
    from hacalc.core.units import parse_probability

    return parse_probability(text, _("the common-cause share"))


def _unavailability(text: str) -> Fraction:
    from hacalc.core.units import parse_availability

    return 1 - located("--target", parse_availability, text)


def _monitoring(env: Environment, preset: str | None, cluster_file: str | None, warnings: list[str]) -> Monitoring | None:
    from hacalc.core.protection import PRESETS

    if preset is not None:
        choice = preset.strip().lower()
        if choice not in (*PRESETS, "off"):
            raise InputError(_("unknown VM monitoring {preset!r}").format(preset=preset), "--vm-monitoring", _("give off, low, medium or high"))
        if cluster_file is not None:
            warnings.append(_("--vm-monitoring overrides the cluster's VM monitoring settings"))
        return None if choice == "off" else PRESETS[choice]
    if cluster_file is None:
        return None
    return _cluster_monitoring(env, cluster_file, warnings)


def _cluster_monitoring(env: Environment, path: str, warnings: list[str]) -> Monitoring | None:
    """The cluster's VM monitoring, resolved as cluster check resolves it (das.* options, presets, defaults)."""
    from hacalc.core.protection import monitoring_from_report
    from hacalc.core.vsphere.options import resolve_options, resolve_vm_monitoring
    from hacalc.core.vsphere.versions import profile
    from hacalc.readers.inventory import load_inventory

    inventory = load_inventory(path, stdin=env.stdin).inventory
    if len(inventory.clusters) != 1:
        raise InputError(_("{path} holds {count} clusters").format(path=path, count=len(inventory.clusters)), "--from-cluster", _("give a file of one cluster"))
    settings = inventory.clusters[0].cluster.settings
    try:
        report, found = resolve_vm_monitoring(settings.vm_monitoring, resolve_options(settings.options, profile(settings.vsphere)))
    except InputError as error:
        raise error.located(f"--from-cluster {path}") from None
    warnings.extend(found)
    return monitoring_from_report(report)


def _monitoring_text(monitoring: Monitoring | None) -> str:
    return "off" if monitoring is None else monitoring.label


def _write_tables(env: Environment, comparison: Comparison, target: str | None) -> None:
    from hacalc.core.units import format_duration, format_percent, nines

    def show(hours: float) -> str:
        return format_duration(Fraction(hours * HOUR).limit_denominator(1000), trim=True) if hours else "0s"

    columns = [_("level"), _("availability"), _("nines"), _("down/yr"), _("host"), _("guest"), _("application"), _("outages/yr"), _("mean outage")]
    with_cost = any(result.annual_cost is not None for result in comparison.levels)
    if with_cost:
        columns.append(_("annual cost"))
    if target is not None:
        columns.append(_("meets {target}").format(target=target))
    rows = []
    for result in comparison.levels:
        unavailability = Fraction(result.unavailability)
        row = [
            result.level,
            format_percent(1 - unavailability, unavailability),
            f"{nines(unavailability):.2f}" if unavailability else "∞",
            show(result.downtime_per_year["total"]),
            *(show(result.downtime_per_year[cause]) for cause in ("host", "guest", "application")),
            f"{result.outages_per_year:.3g}",
            "—" if result.mean_outage is None else show(result.mean_outage),
        ]
        if with_cost:
            row.append("—" if result.annual_cost is None else f"{result.annual_cost:,.0f}")
        if target is not None:
            row.append(_("yes") if result.meets_target else _("no"))
        rows.append(row)
    workload = comparison.workload
    notes = [_("Downtime per year by cause (host, guest, application); VM monitoring: {monitoring}.").format(monitoring=_monitoring_text(workload.monitoring))]
    if target is not None:
        notes.append(_("Cheapest level meeting {target}: {level}.").format(target=target, level=comparison.cheapest_meeting_target or _("none")))
    write_table(env, columns, rows, title=_("Protection levels for one workload"), caption="\n".join(notes), optional=(columns[2], columns[8], columns[7]))
    write_table(
        env,
        (_("level"), _("host failure"), _("guest failure"), _("application failure")),
        [(result.level, *(show(result.outage_hours[cause]) for cause in ("host", "guest", "application"))) for result in comparison.levels],
        title=_("Mean outage per failure (a pool: one instance; its users lose only their sessions)"),
    )


def _csv_rows(comparison: Comparison):
    from hacalc.core.protection import as_dict

    data = as_dict(comparison)
    for level in data["levels"]:
        downtime = level["downtime_seconds_per_year"]
        yield (
            level["level"], level["availability"], level["unavailability"], level["nines"], downtime["host"], downtime["guest"],
            downtime["application"], downtime["total"], level["outages_per_year"], level["mean_outage_seconds"],
            level["meets_target"], level["annual_cost"], data["cheapest_meeting_target"],
        )


def register(app: typer.Typer) -> None:
    app.command("protect", help=command_help(protect))(protect)
