"""Each charted command's report as a ``Chart``: which numbers go where, with labels; no arithmetic beyond units.

A chart's words are ``Message``s: the English text, which a chart file shows as it is (matplotlib finds no
CJK font here, see docs/language.md), and its template, which the terminal chart says in the language of
the run. Names and numbers (hosts, periods, spare counts) are data and stay as they are."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from hacalc.cli.charts.model import Axis, Bar, BarChart, BarGroup, LineChart, Rule, Scale, Series
from hacalc.core.availability import from_availability
from hacalc.core.errors import InputError
from hacalc.core.units import format_duration, format_percent
from hacalc.i18n import N_, Message, _, plural

if TYPE_CHECKING:
    from hacalc.core.availability import Availability
    from hacalc.core.incident_report import IncidentsReport
    from hacalc.core.periods import Conventions
    from hacalc.core.risk import RiskReport
    from hacalc.core.spares import Comparison, Option
    from hacalc.core.vsphere.inventory import InventoryCluster
    from hacalc.core.vsphere.report import ClusterReport

HOUR = 3600
NO_SPARE = Message(N_("no spare"))
EXCEEDANCE = Message(N_("P(downtime > x)"))
DOWNTIME = Message(N_("downtime"))
OVER_BUDGET = Message(N_("over budget"))
CAPACITY = Message(N_("capacity"))
DOWNTIME_PER_YEAR = Axis(Message(N_("downtime per year")), Scale.duration, log=True)


def nines(labels: Sequence[str], results: Sequence[Availability], conventions: Conventions) -> LineChart:
    shown = [(label, result) for label, result in zip(labels, results) if result.unavailability > 0]  # no downtime: off a log axis
    return LineChart(
        title=Message(N_("Downtime allowed per year, by nines")),
        subtitle=Message(N_("Conventions: {conventions}."), conventions=conventions.describe()),
        x=Axis(Message(N_("nines (−log10 of unavailability)"))),
        y=DOWNTIME_PER_YEAR,
        series=(
            Series(
                DOWNTIME_PER_YEAR.label,
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
        by_kind.setdefault(NO_SPARE if option.spares == 0 else option.spare.value, []).append(option)

    def x(option: Option) -> float:
        return float(option.annual_cost) if question.has_costs else float(option.spares)

    rules = ()
    if question.target is not None:
        allowed = from_availability(question.target).downtime_seconds(question.conventions)["year"]
        rules = (Rule(Message(N_("target {target} ({allowed} a year)"), target=format_percent(question.target), allowed=format_duration(allowed, trim=True)), float(allowed)),)
    recommended = comparison.recommended
    return LineChart(
        title=title,
        subtitle=subtitle,
        x=Axis(Message(N_("annual cost (spares + downtime, in the prices' unit)"))) if question.has_costs else Axis(Message(N_("spares"))),
        y=DOWNTIME_PER_YEAR,
        series=tuple(_spares_series(kind, kind_options, x) for kind, kind_options in by_kind.items()),
        rules=rules,
        highlight=None if recommended is None else (Message(N_("recommended: {option}"), option=describe(recommended)), x(recommended), recommended.downtime_seconds_per_year),
    )


def _spares_series(kind: str, options: list[Option], x: Callable[[Option], float]) -> Series:
    """A kind of spare through its spare counts; each mark labelled with its count, the legend saying so."""
    counts = [str(option.spares) for option in options]
    label = kind if kind == NO_SPARE else Message(N_("{kind} ({counts} spare)") if counts == ["1"] else N_("{kind} ({counts} spares)"), kind=kind, counts=", ".join(counts))
    return Series(label, tuple((x(option), option.downtime_seconds_per_year) for option in options), point_labels=tuple(counts) if len(counts) > 1 else ())


def risk(report: RiskReport, title: str, subtitle: str) -> LineChart:
    curve = tuple((hours * HOUR, probability) for hours, probability in report.exceedance() if probability > 0)
    budget = Message(N_("budget {budget}: P(breach) {probability:.3g}"), budget=format_duration(round(report.budget * HOUR, 3), trim=True), probability=report.breach.value)
    quantiles = tuple(
        Rule(f"P{float(level) * 100:g} {format_duration(round(figure.value * HOUR, 3), trim=True)}", figure.value * HOUR, vertical=True, emphasis=False)
        for level, figure in report.quantiles
    )
    return LineChart(
        title=title,
        subtitle=subtitle,
        x=Axis(Message(N_("downtime in the window, x")), Scale.duration),
        y=Axis(EXCEEDANCE, Scale.probability, log=True),
        series=(Series(EXCEEDANCE, curve),),
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
                note=Message(N_("{availability}, over budget"), availability=availability) if over else availability,
                flagged=over,
            )
        )
    objects = report.periods[0].groups[-1].tally.objects
    return BarChart(
        title=_incidents_title(counting.calendar, target),
        subtitle=Message(
            N_("{objects}, their downtime summed; periods in {zone}; {planned}."),
            objects=plural(objects, N_("{count} object"), N_("{count} objects")),
            zone=zone,
            planned=Message(N_("planned time counted") if counting.count_planned else N_("planned time left out")),
        ),
        parts=(DOWNTIME,),
        limit=Message(N_("budget")) if target is not None else "",
        groups=(BarGroup(Axis(DOWNTIME, Scale.duration), tuple(bars)),),
        flagged=OVER_BUDGET if target is not None else "",
    )


def _incidents_title(calendar: str | None, target: Availability | None) -> Message:
    """``Downtime per month against the budget of 99.9%``; the calendar is said as the table says it (月)."""
    if calendar:
        period = Message(calendar)  # month, quarter, year, week or day: words of the catalogue
        if target is None:
            return Message(N_("Downtime per {calendar}"), calendar=period)
        return Message(N_("Downtime per {calendar} against the budget of {target}"), calendar=period, target=_target(target))
    if target is None:
        return Message(N_("Downtime in the window"))
    return Message(N_("Downtime in the window against the budget of {target}"), target=_target(target))


def _target(target: Availability) -> str:
    return format_percent(target.availability, target.unavailability)


def cluster(report: ClusterReport) -> BarChart:
    """Each host's capacity, what runs on it, and what HA's restart order lands on it after the worst failure set."""
    restart = report.restart
    if restart is None or not restart.host_loads:
        raise InputError(_("the chart draws the restart check"), "--plot", _("drop --no-restart-check"))
    failed = ", ".join(restart.worst_case_failed_hosts)

    def bar(name: str, failed: bool, used: float, landed: float, capacity: float) -> Bar:
        return Bar(name, (used, landed), capacity, note=Message(N_("failed")) if failed else "", flagged=failed)

    loads = restart.host_loads
    return BarChart(
        title=Message(N_("{cluster}: each host after the worst {tolerate}-host failure ({failed})"), cluster=report.cluster, tolerate=report.tolerate, failed=failed),
        subtitle=Message(
            N_("Restart check {verdict}; demand: {demand}; restarted VMs placed in HA's restart order (highest priority first, best fit)."),
            verdict=_verdict(restart.passed),
            demand=restart.demand,
        ),
        parts=(Message(N_("in use before the failure")), Message(N_("restarted onto it"))),
        limit=CAPACITY,
        groups=(
            BarGroup(Axis(Message(N_("memory (MB)"))), tuple(bar(load.name, load.failed, load.memory_used_mb, load.memory_landed_mb, load.memory_mb) for load in loads)),
            BarGroup(Axis(Message(N_("CPU (MHz)"))), tuple(bar(load.name, load.failed, load.cpu_used_mhz, load.cpu_landed_mhz, load.cpu_mhz) for load in loads)),
        ),
        flagged=Message(N_("failed in the worst set")),
        notes=tuple(Message(N_("Left down: {vm}"), vm=vm.name) for vm in restart.unplaced_vms[:5]),
    )


def fleet(results: Sequence[tuple[InventoryCluster, ClusterReport]], source: str) -> BarChart:
    """One bar per cluster: the survivors' load after its worst failure set, as a share of their capacity."""
    memory, cpu = [], []
    for item, report in results:
        name = item.name
        load = None if report.restart is None else report.restart.survivors_load()
        verdict = _verdict(report.passed)
        note = verdict if load is not None else Message(N_("{verdict} (no restart check)"), verdict=verdict)
        cpu_share, memory_share = load or (0.0, 0.0)
        memory.append(Bar(name, (memory_share,), 1.0, note=note, flagged=not report.passed))
        cpu.append(Bar(name, (cpu_share,), 1.0, note=note, flagged=not report.passed))
    return BarChart(
        title=Message(N_("{count} clusters in {source}: survivors' load after each cluster's worst failure set"), count=len(results), source=source),
        subtitle=Message(N_("Share of the surviving hosts' capacity in use once HA's restart order has placed the failed hosts' VMs.")),
        parts=(Message(N_("in use after the failure")),),
        limit=CAPACITY,
        groups=(
            BarGroup(Axis(Message(N_("memory, share of capacity")), Scale.share), tuple(memory)),
            BarGroup(Axis(Message(N_("CPU, share of capacity")), Scale.share), tuple(cpu)),
        ),
        flagged=Message(N_("cluster fails its check")),
    )


def _verdict(passed: bool) -> str:
    """PASS or FAIL, kept in every language (scripts and CI logs grep for them)."""
    return "PASS" if passed else "FAIL"
