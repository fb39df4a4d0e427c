"""``hacalc cluster headroom``: how many more VMs fit, what-if changes, and when growth breaks the gate."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from hacalc.cli.ci_reports import ClusterFormat
from hacalc.cli.options import InputFormatOption, located
from hacalc.cli.output import write_csv, write_json, write_table
from hacalc.cli.status import ExitStatus
from hacalc.core.errors import InputError
from hacalc.i18n import N_, Message, _

if TYPE_CHECKING:
    from hacalc.cli.env import Environment

_WHAT_IF = N_("What if (applied in this order)")
COMPARISON_FLOOR = 200
_GROWTH = N_("Time to exhaustion")
_GATE = Message(N_("gate (policy and restart check)"))


def headroom(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help=_("A one-cluster scenario file (as cluster check reads it), or - for stdin."), show_default=False)],
    vm: Annotated[
        Optional[str], typer.Option("--vm", help=_("The VM shape to add: [[vms]] fields, e.g. 'cpu_reservation_mhz=2000, memory_reservation_mb=8192' (default: the median powered-on VM)."), show_default=False)
    ] = None,
    tolerate: Annotated[Optional[int], typer.Option("--tolerate", "-F", min=1, help=_("Host failures to survive (default: the file's)."), show_default=False)] = None,
    maintenance: Annotated[Optional[list[str]], typer.Option("--maintenance", metavar="HOST", help=_("Put a host in maintenance mode; repeatable."), rich_help_panel=_(_WHAT_IF), show_default=False)] = None,
    remove_host: Annotated[Optional[list[str]], typer.Option("--remove-host", metavar="HOST", help=_("Retire a host; repeatable."), rich_help_panel=_(_WHAT_IF), show_default=False)] = None,
    add_host: Annotated[Optional[list[str]], typer.Option("--add-host", metavar="SHAPE", help=_("Add hosts: 'count=2, cpu_mhz=48000, memory_mb=524288'; repeatable."), rich_help_panel=_(_WHAT_IF), show_default=False)] = None,
    add_vm: Annotated[Optional[list[str]], typer.Option("--add-vm", metavar="SHAPE", help=_("Add VMs: 'count=10, memory_reservation_mb=16384'; repeatable."), rich_help_panel=_(_WHAT_IF), show_default=False)] = None,
    scale_vms: Annotated[Optional[str], typer.Option("--scale-vms", metavar="FACTOR", help=_("Every VM's reservations × FACTOR, e.g. 1.2."), rich_help_panel=_(_WHAT_IF), show_default=False)] = None,
    growth: Annotated[Optional[str], typer.Option("--growth", help=_("Demand growth per month, compounding, e.g. 3%/month or 3%."), rich_help_panel=_(_GROWTH), show_default=False)] = None,
    horizon: Annotated[str, typer.Option("--horizon", help=_("Months to look ahead with --growth, e.g. 24mo or 24."), rich_help_panel=_(_GROWTH))] = "24mo",
    input_format: InputFormatOption = None,
    output_format: Annotated[
        ClusterFormat, typer.Option("--format", "-f", case_sensitive=False, help=_("table for people; json or csv (one row per limit, or per month with --growth) for scripts; junit or markdown for CI."))
    ] = ClusterFormat.table,
) -> None:
    """How many more VMs of a shape the cluster takes while its policy and the exact restart check still pass.

    The count is exact: the largest N that passes, proven by N passing and N + 1 failing, found by search
    over the same check as cluster check. New VMs get no host, so the restart check must prove them
    restartable on the survivors of every failure set. What-if options change the cluster first.

    Examples:

        hacalc cluster headroom scenarios/cluster-seed-large-4-hosts.toml --vm 'memory_reservation_mb=2048'

        hacalc cluster headroom scenarios/cluster-seed-large-4-hosts.toml --maintenance ESX35PRD-1 --growth 3%/month
    """
    from hacalc.core.vsphere import planning
    from hacalc.core.vsphere.inventory import cluster_to_check
    from hacalc.readers.inventory import load_sources

    env: Environment = ctx.obj
    shape = None if vm is None else located("--vm", planning.parse_vm_shape, vm)
    months = located("--horizon", _months, horizon)
    monthly = None if growth is None else located("--growth", _growth, growth)
    loaded = load_sources([file], input_format=input_format.value if input_format else None, stdin=env.stdin)
    if len(loaded.inventory.clusters) != 1:
        raise InputError(_("headroom works on one cluster"), "in FILE", _("give a single-cluster scenario file"))
    cluster = cluster_to_check(loaded.inventory.clusters[0])
    cluster, changes = what_if(cluster, maintenance or [], remove_host or [], add_host or [], add_vm or [], scale_vms)
    room = planning.headroom(cluster, shape, tolerate=tolerate)
    # each policy alone, for comparison: cheap checks, searched no further than well past the gate's own
    # count; the restart check alone would rerun the full check at every step (the gate names it when it binds)
    per_policy = planning.headroom_per_policy(cluster, shape, tolerate=tolerate, limit=max(COMPARISON_FLOOR, 4 * (room.count or 0)), restart=False)
    forecast = None if monthly is None else located("--growth", lambda rate: planning.months_to_failure(cluster, rate, months, tolerate=tolerate), monthly)
    if output_format is ClusterFormat.json:
        write_json(env, _json(room, per_policy, changes, forecast, monthly))
    elif output_format is ClusterFormat.csv:
        _write_csv(env, room, per_policy, forecast)
    elif output_format in (ClusterFormat.junit, ClusterFormat.markdown):
        _write_ci(env, output_format, _checked_headroom(cluster, room, per_policy, forecast, monthly), "cluster headroom")
    else:
        _write_tables(env, cluster.settings.name, room, per_policy, changes, forecast, monthly)
    warn_data(env, loaded.inventory)
    if room.count is None:  # the gate fails before a single VM is added
        env.stderr.write(_("FAIL: {cluster} fails its gate now: {parts}").format(cluster=cluster.settings.name, parts=_shown(room.binding)) + "\n")
        raise typer.Exit(ExitStatus.GATE_FAILED)


def warn_data(env: Environment, inventory: Any) -> None:
    """What an export's data lacked (its counted warnings), on stderr after the report, as cluster check says it."""
    for warning in inventory.warnings:
        env.warn(_(warning.message))
    for item in inventory.clusters:
        for warning in item.warnings:
            env.warn(f"{item.name}: {_(warning.message)}")


def what_if(cluster: Any, maintenance: list[str], remove: list[str], add_hosts: list[str], add_vms: list[str], scale: str | None) -> tuple[Any, list[Any]]:
    """The what-if options applied in order (``cluster check`` and ``cluster headroom`` share them)."""
    from hacalc.core.vsphere import planning

    changes = []
    steps = [("--maintenance", planning.maintenance, name) for name in maintenance]
    steps += [("--remove-host", planning.remove_host, name) for name in remove]
    steps += [("--add-host", planning.add_hosts, located("--add-host", planning.parse_host_shape, text)) for text in add_hosts]
    steps += [("--add-vm", planning.add_vms, located("--add-vm", planning.parse_vm_shape, text)) for text in add_vms]
    if scale is not None:
        steps.append(("--scale-vms", planning.scale_vms, scale))
    for option, change, argument in steps:
        cluster, applied = located(option, lambda value, change=change: change(cluster, value), argument)
        changes.append(applied)
    return cluster, changes


def _months(text: str) -> int:
    stripped = text.strip().lower().removesuffix("months").removesuffix("month").removesuffix("mo").strip()
    if not stripped.isdigit() or not 1 <= int(stripped) <= 600:
        raise InputError(_("horizon {text!r} is not a number of months from 1 to 600").format(text=text), fix=_("write e.g. 24mo"))
    return int(stripped)


def _growth(text: str) -> Fraction:
    from hacalc.core.units import parse_number

    stripped = text.strip().lower().removesuffix("/month").removesuffix("/mo").strip()
    if not stripped.endswith("%"):
        raise InputError(_("growth {text!r} is not a percentage per month").format(text=text), fix=_("write e.g. 3%/month or -2%"))
    return parse_number(stripped.removesuffix("%")) / 100


def _step_headroom(row: dict[str, Any]) -> str:
    if row["headroom"] is None:
        return "—"
    return _("more than {count:,}").format(count=row["headroom"]) if row["headroom_limit_reached"] else f"{row['headroom']:,}"


def _shown(parts: Any) -> str:
    """What binds or fails (the core's names, English in JSON and CSV), as people read it: ``slots, restart placement``."""
    return ", ".join(_(part) for part in parts)


def _both(parts: Any) -> Message:
    """``CPU % and memory %``, as JSON's " and ".join(parts) writes it, said again in the language of the run."""
    first, *rest = parts
    for part in rest:
        first = Message(N_("{first} and {then}"), first=first, then=part)
    return first


def _json(room: Any, per_policy: dict[str, Any], changes: list[Any], forecast: Any, monthly: Fraction | None) -> dict[str, Any]:
    data = {**room.as_dict(), "per_policy": {name: result.as_dict() for name, result in per_policy.items()}, "changes": [change.as_dict() for change in changes]}
    if forecast is not None:
        months, fails_first, lines = forecast
        data.update({"growth_per_month": monthly, "months_to_failure": months, "fails_first": fails_first, "months": [line.as_dict() for line in lines]})
    return data


def _limits(room: Any, per_policy: dict[str, Any]) -> list[tuple[str, Any]]:
    """The gate first, then each policy alone: the rows of every headroom format."""
    return [(_GATE, room), *((Message(N_("{policy} alone"), policy=policy), result) for policy, result in per_policy.items())]


def _count(result: Any) -> Message:
    """A headroom count: English in the CI reports, translated in the table."""
    if result.count is None:
        return Message(N_("fails now"))
    if not result.proven and not result.binding:
        return Message(N_("more than {count:,}"), count=result.count)
    return Message("{count:,}" if result.proven else N_("{count:,} (not proven)"), count=result.count)  # a bare number has nothing to translate


def _verdict(months: int | None, lines: list[Any]) -> Message:
    if months is None:
        return Message(N_("passes for all {count} months"), count=len(lines))
    return Message(N_("fails in month {month}: {failing}"), month=months, failing=_both(lines[months].failing))


def _write_csv(env: Environment, room: Any, per_policy: dict[str, Any], forecast: Any) -> None:
    if forecast is not None:
        write_csv(env, ("month", "demand_factor", "passed", "failing"), [(line.month, line.factor, line.passed, " and ".join(line.failing)) for line in forecast[2]])
        return
    rows = [(name, result.count, result.proven, " and ".join(result.binding)) for name, result in _limits(room, per_policy)]
    write_csv(env, ("limit", "headroom", "proven", "binding"), rows)


def _checked_headroom(cluster: Any, room: Any, per_policy: dict[str, Any], forecast: Any, monthly: Fraction | None) -> Any:
    """Headroom for CI: the gate today is the one check that can fail; each count and the growth forecast are shown beside it."""
    from hacalc.cli.ci_reports import Check

    checks = [Check(f"{_GATE} passes now", room.count is not None, "" if room.count is not None else f"fails now: {', '.join(room.binding)}")]
    checks += [Check(f"headroom ({name}): {_count(result)} more VMs", None, f"binds at the next one: {', '.join(result.binding) or '-'}") for name, result in _limits(room, per_policy)]
    if forecast is not None:
        months, _fails_first, lines = forecast
        checks.append(Check(f"growth of {float(monthly) * 100:g}% a month over {len(lines) - 1} months", None, _verdict(months, lines)))
    return _checked_cluster(cluster, room.count is not None, room.policy, room.tolerate, checks)


def _checked_cluster(cluster: Any, passed: bool, policy: Any, tolerate: int, checks: list[Any]) -> Any:
    from hacalc.cli.ci_reports import CheckedCluster
    from hacalc.core.vsphere.model import HostState

    return CheckedCluster(
        name=cluster.settings.name,
        passed=passed,
        hosts_counted=sum(host.state is HostState.connected for host in cluster.hosts),
        powered_on_vms=sum(vm.powered_on for vm in cluster.vms),
        policy="none" if policy is None else policy.value,
        tolerate=tolerate,
        worst_failure_set=(),
        checks=tuple(checks),
        warnings=(),
    )


def _write_ci(env: Environment, output_format: ClusterFormat, checked: Any, command: str) -> None:
    from hacalc.cli.ci_reports import junit_xml, markdown

    write = junit_xml if output_format is ClusterFormat.junit else markdown
    env.stdout.write(write([checked], command=command))


def _write_tables(env: Environment, name: str, room: Any, per_policy: dict[str, Any], changes: list[Any], forecast: Any, monthly: Fraction | None) -> None:
    rows = [(_(limit), _(_count(result)), _shown(result.binding) or "—") for limit, result in _limits(room, per_policy)]
    notes = [_("VM shape: {source}.").format(source=_(room.vm_source)), _("Placement: {placement}.").format(placement=_(room.placement))]
    notes += [_("Change: {change}").format(change=_(change.sentence)) for change in changes]
    write_table(env, (_("limit"), _("more VMs"), _("binds at the next one")), rows, title=_("Headroom of {name} (tolerate {tolerate})").format(name=name, tolerate=room.tolerate), caption="\n".join(notes), justify=("left", "right", "left"))
    if forecast is not None:
        months, _fails_first, lines = forecast
        verdict = _verdict(months, lines)
        write_table(
            env,
            (_("month"), _("demand ×"), _("passes"), _("fails")),
            [(str(line.month), f"{float(line.factor):.3f}", _("yes") if line.passed else _("no"), _shown(line.failing) or "—") for line in lines],
            title=_("Growth of {growth:g}{percent} a month: {verdict}").format(growth=float(monthly) * 100, percent="%", verdict=_(verdict)),
            justify=("right", "right", "left", "left"),
        )



def maintenance_plan(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help=_("A one-cluster scenario file, or - for stdin."), show_default=False)],
    tolerate: Annotated[Optional[int], typer.Option("--tolerate", "-F", min=1, help=_("Host failures to survive while a host is out (default: the file's)."), show_default=False)] = None,
    parallel: Annotated[int, typer.Option("--parallel", min=1, help=_("Hosts patched at once."))] = 1,
    input_format: InputFormatOption = None,
    output_format: Annotated[
        ClusterFormat, typer.Option("--format", "-f", case_sensitive=False, help=_("table for people; json or csv (one row per step) for scripts; junit or markdown for CI."))
    ] = ClusterFormat.table,
) -> None:
    """A rolling-patch plan: each host (or group of --parallel hosts) in maintenance in turn, whether the
    cluster still passes its gate meanwhile, and the order that keeps the most headroom.

    Hosts are ordered by the headroom left while each is out (in median VMs, searched up to 1,000), most
    first; with --parallel N the order is cut into groups of N, and each group is checked in maintenance
    together. Exit 1 when a step fails.

    Example:

        hacalc cluster maintenance-plan scenarios/cluster-seed-large-4-hosts.toml --tolerate 1
    """
    from hacalc.core.vsphere import planning
    from hacalc.core.vsphere.inventory import cluster_to_check
    from hacalc.readers.inventory import load_sources

    env: Environment = ctx.obj
    loaded = load_sources([file], input_format=input_format.value if input_format else None, stdin=env.stdin)
    if len(loaded.inventory.clusters) != 1:
        raise InputError(_("a maintenance plan works on one cluster"), "in FILE", _("give a single-cluster scenario file"))
    cluster = cluster_to_check(loaded.inventory.clusters[0])
    steps = [step.as_dict() for step in planning.maintenance_plan(cluster, tolerate=tolerate, parallel=parallel)]
    passed = all(row["passes"] for row in steps)
    tolerated = tolerate or cluster.settings.tolerate
    if output_format is ClusterFormat.json:
        write_json(env, {"cluster": cluster.settings.name, "tolerate": tolerated, "parallel": parallel, "steps": steps, "passed": passed})
    elif output_format is ClusterFormat.csv:
        write_csv(env, ("step", "hosts", "passes", "headroom", "fails"), [(number, " ".join(row["hosts"]), row["passes"], row["headroom"], " and ".join(row["fails"])) for number, row in enumerate(steps, 1)])
    elif output_format in (ClusterFormat.junit, ClusterFormat.markdown):
        from hacalc.cli.ci_reports import Check

        checks = [Check(f"step {number}: {', '.join(row['hosts'])} in maintenance", row["passes"], ", ".join(row["fails"])) for number, row in enumerate(steps, 1)]
        _write_ci(env, output_format, _checked_cluster(cluster, passed, cluster.settings.policy, tolerated, checks), "cluster maintenance-plan")
    else:
        write_table(
            env,
            (_("step"), _("in maintenance"), _("gate passes"), _("headroom (median VMs)"), _("fails")),
            [(str(number), ", ".join(row["hosts"]), _("yes") if row["passes"] else _("NO"), _step_headroom(row), _shown(row["fails"]) or "—")
             for number, row in enumerate(steps, 1)],
            title=(_("Rolling maintenance of {cluster}, 1 host at a time (tolerate {tolerate})") if parallel == 1 else
                   _("Rolling maintenance of {cluster}, {parallel} hosts at a time (tolerate {tolerate})")).format(cluster=cluster.settings.name, parallel=parallel, tolerate=tolerated),
            justify=("right", "left", "left", "right", "left"),
        )
    warn_data(env, loaded.inventory)
    if not passed:
        env.stderr.write(_("FAIL: {count} step(s) leave the gate failing").format(count=sum(not row["passes"] for row in steps)) + "\n")
        raise typer.Exit(ExitStatus.GATE_FAILED)
