"""Each charted command's report as a ``Chart``: which numbers go where, with labels; no arithmetic beyond units."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from hacalc.cli.charts.model import Axis, Bar, BarChart, BarGroup, LineChart, Rule, Scale, Series
from hacalc.core.availability import from_availability
from hacalc.core.errors import InputError
from hacalc.core.units import format_duration, format_percent

if TYPE_CHECKING:
    from hacalc.core.availability import Availability
    from hacalc.core.incident_report import IncidentsReport
    from hacalc.core.periods import Conventions
    from hacalc.core.risk import RiskReport
    from hacalc.core.spares import Comparison, Option
    from hacalc.core.vsphere.inventory import InventoryCluster
    from hacalc.core.vsphere.report import ClusterReport

HOUR = 3600
DOWNTIME_PER_YEAR = Axis("downtime per year", Scale.duration, log=True)


def nines(labels: Sequence[str], results: Sequence[Availability], conventions: Conventions) -> LineChart:
    shown = [(label, result) for label, result in zip(labels, results) if result.unavailability > 0]  # no downtime: off a log axis
    return LineChart(
        title="Downtime allowed per year, by nines",
        subtitle=f"Conventions: {conventions.describe()}.",
        x=Axis("nines (−log10 of unavailability)"),
        y=DOWNTIME_PER_YEAR,
        series=(
            Series(
                "downtime per year",
                tuple((float(result.nines), float(result.downtime_seconds(conventions)["year"])) for _, result in shown),
                point_labels=tuple(label for label, _ in shown),
            ),
        ),
    )


def spares(comparison: Comparison, title: str, subtitle: str, describe: Callable[[Option], str]) -> LineChart:
    """Every option solved (the table's and the sweep's, once each) as downtime against annual cost, or against
    the number of spares when there are no prices; one series per kind of spare."""
    question = comparison.question
    options = {(option.spare, option.spares): option for option in (*comparison.options, *comparison.sweep)}
    by_kind: dict[str, list[Option]] = {}
    for option in sorted(options.values(), key=lambda option: option.spares):
        by_kind.setdefault("no spare" if option.spares == 0 else option.spare.value, []).append(option)

    def x(option: Option) -> float:
        return float(option.annual_cost) if question.has_costs else float(option.spares)

    rules = ()
    if question.target is not None:
        allowed = from_availability(question.target).downtime_seconds(question.conventions)["year"]
        rules = (Rule(f"target {format_percent(question.target)} ({format_duration(allowed, trim=True)} a year)", float(allowed)),)
    recommended = comparison.recommended
    return LineChart(
        title=title,
        subtitle=subtitle,
        x=Axis("annual cost (spares + downtime, in the prices' unit)") if question.has_costs else Axis("spares"),
        y=DOWNTIME_PER_YEAR,
        series=tuple(_spares_series(kind, kind_options, x) for kind, kind_options in by_kind.items()),
        rules=rules,
        highlight=None if recommended is None else (f"recommended: {describe(recommended)}", x(recommended), recommended.downtime_seconds_per_year),
    )


def _spares_series(kind: str, options: list[Option], x: Callable[[Option], float]) -> Series:
    """A kind of spare through its spare counts; each mark labelled with its count, the legend saying so."""
    counts = [str(option.spares) for option in options]
    label = kind if kind == "no spare" else f"{kind} ({', '.join(counts)} spare{'s' if counts != ['1'] else ''})"
    return Series(label, tuple((x(option), option.downtime_seconds_per_year) for option in options), point_labels=tuple(counts) if len(counts) > 1 else ())


def risk(report: RiskReport, title: str, subtitle: str) -> LineChart:
    curve = tuple((hours * HOUR, probability) for hours, probability in report.exceedance() if probability > 0)
    budget = f"budget {format_duration(round(report.budget * HOUR, 3), trim=True)}: P(breach) {report.breach.value:.3g}"
    quantiles = tuple(
        Rule(f"P{float(level) * 100:g} {format_duration(round(figure.value * HOUR, 3), trim=True)}", figure.value * HOUR, vertical=True, emphasis=False)
        for level, figure in report.quantiles
    )
    return LineChart(
        title=title,
        subtitle=subtitle,
        x=Axis("downtime in the window, x", Scale.duration),
        y=Axis("P(downtime > x)", Scale.probability, log=True),
        series=(Series("P(downtime > x)", curve),),
        rules=(Rule(budget, report.budget * HOUR, vertical=True), *quantiles),
    )


def incidents(report: IncidentsReport, target: Availability | None, zone: str) -> BarChart:
    """Each calendar period's downtime (every object's, summed), against the budget the target allows in it."""
    counting = report.counting
    periods = report.periods[1:] if counting.calendar else report.periods[:1]
    bars = []
    for period in periods:
        row = next(group for group in period.groups if group.group == "all")
        over = target is not None and row.meets(target) is False
        availability = "" if row.availability is None else format_percent(row.availability.availability, row.availability.unavailability)
        bars.append(
            Bar(
                period.label,
                (float(row.downtime_seconds),),
                limit=None if target is None else float(row.allowed_downtime_seconds(target)),
                note=availability + (", over budget" if over else ""),
                flagged=over,
            )
        )
    objects = report.periods[0].groups[-1].tally.objects
    per = f"per {counting.calendar}" if counting.calendar else "in the window"
    return BarChart(
        title=f"Downtime {per}" + ("" if target is None else f" against the budget of {format_percent(target.availability, target.unavailability)}"),
        subtitle=f"{objects} object{'s' if objects != 1 else ''}, their downtime summed; periods in {zone}; planned time {'counted' if counting.count_planned else 'left out'}.",
        parts=("downtime",),
        limit="budget" if target is not None else "",
        groups=(BarGroup(Axis("downtime", Scale.duration), tuple(bars)),),
        flagged="over budget" if target is not None else "",
    )


def cluster(report: ClusterReport) -> BarChart:
    """Each host's capacity, what runs on it, and what HA's restart order lands on it after the worst failure set."""
    restart = report.restart
    if restart is None or not restart.host_loads:
        raise InputError("the chart draws the restart check", "--plot", "drop --no-restart-check")
    failed = ", ".join(restart.worst_case_failed_hosts)

    def bar(name: str, failed: bool, used: float, landed: float, capacity: float) -> Bar:
        return Bar(name, (used, landed), capacity, note="failed" if failed else "", flagged=failed)

    loads = restart.host_loads
    return BarChart(
        title=f"{report.cluster}: each host after the worst {report.tolerate}-host failure ({failed})",
        subtitle=(
            f"Restart check {'PASS' if restart.passed else 'FAIL'}; demand: {restart.demand}; "
            "restarted VMs placed in HA's restart order (highest priority first, best fit)."
        ),
        parts=("in use before the failure", "restarted onto it"),
        limit="capacity",
        groups=(
            BarGroup(Axis("memory (MB)"), tuple(bar(load.name, load.failed, load.memory_used_mb, load.memory_landed_mb, load.memory_mb) for load in loads)),
            BarGroup(Axis("CPU (MHz)"), tuple(bar(load.name, load.failed, load.cpu_used_mhz, load.cpu_landed_mhz, load.cpu_mhz) for load in loads)),
        ),
        flagged="failed in the worst set",
        notes=tuple(f"Left down: {vm.name}" for vm in restart.unplaced_vms[:5]),
    )


def fleet(results: Sequence[tuple[InventoryCluster, ClusterReport]], source: str) -> BarChart:
    """One bar per cluster: the survivors' load after its worst failure set, as a share of their capacity."""
    memory, cpu = [], []
    for item, report in results:
        name = item.name
        load = None if report.restart is None else report.restart.survivors_load()
        note = "PASS" if report.passed else "FAIL"
        cpu_share, memory_share = load or (0.0, 0.0)
        if load is None:
            note += " (no restart check)"
        memory.append(Bar(name, (memory_share,), 1.0, note=note, flagged=not report.passed))
        cpu.append(Bar(name, (cpu_share,), 1.0, note=note, flagged=not report.passed))
    return BarChart(
        title=f"{len(results)} clusters in {source}: survivors' load after each cluster's worst failure set",
        subtitle="Share of the surviving hosts' capacity in use once HA's restart order has placed the failed hosts' VMs.",
        parts=("in use after the failure",),
        limit="capacity",
        groups=(BarGroup(Axis("memory, share of capacity", Scale.share), tuple(memory)), BarGroup(Axis("CPU, share of capacity", Scale.share), tuple(cpu))),
        flagged="cluster fails its check",
    )
