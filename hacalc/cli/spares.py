"""``hacalc spares``: how hot must a spare be? None, hot, warm and cold side by side, with cost and a verdict."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Annotated, Optional

import typer

from hacalc.cli.charts.option import PlotOption, plot_request, plotting
from hacalc.cli.env import Environment
from hacalc.cli.options import FormatOption, InputFormatOption, YearDaysOption
from hacalc.cli.output import OutputFormat, write_csv, write_json, write_table
from hacalc.cli.status import ExitStatus
from hacalc.core.errors import InputError
from hacalc.core.periods import HOUR, decimal_text
from hacalc.core.spares import Comparison, Option, Spare, compare
from hacalc.core.units import format_duration, format_nines, format_percent
from hacalc.i18n import N_, _, command_help
from hacalc.readers.spares import Setting, build_question, from_flags, read_scenario

OPTION_KEYS = (
    "spare",
    "needed",
    "spares",
    "availability",
    "unavailability",
    "nines",
    "downtime_seconds_per_year",
    "outages_per_year",
    "mean_outage_hours",
    "mttf_hours",
    "annual_cost",
)

_MODEL = N_("Model")
_SWITCHOVER = N_("Switchover")
_COST = N_("Cost and target")
# The kinds of spare as prose reads them (the values themselves are typed back to --kind, never translated).
KIND_WORDS = {"hot": N_("hot"), "warm": N_("warm"), "cold": N_("cold")}


def spares(
    ctx: typer.Context,
    scenario: Annotated[
        Optional[str], typer.Argument(help=_("A spares scenario file (.toml, .yaml, .yml, .json), or - for stdin; flags override its values."), show_default=False)
    ] = None,
    mttf: Annotated[
        Optional[str],
        typer.Option(
            "--mttf",
            help=_("Mean time to failure of one running unit: its mean operating time between failures, e.g. 1000h."),
            rich_help_panel=_(_MODEL),
        ),
    ] = None,
    mttr: Annotated[
        Optional[str], typer.Option("--mttr", help=_("Mean time for one crew to repair one unit, e.g. 10h."), rich_help_panel=_(_MODEL))
    ] = None,
    needed: Annotated[
        Optional[str], typer.Option("--needed", metavar="N", help=_("Units that must run for the system to be up (default 1)."), rich_help_panel=_(_MODEL))
    ] = None,
    spare_count: Annotated[
        Optional[str], typer.Option("--spares", metavar="N", help=_("Spares standing by (default 1)."), rich_help_panel=_(_MODEL))
    ] = None,
    crews: Annotated[
        Optional[str], typer.Option("--crews", metavar="N", help=_("Repair crews working in parallel (default 1)."), rich_help_panel=_(_MODEL))
    ] = None,
    dormancy: Annotated[
        Optional[str],
        typer.Option("--dormancy", help=_("Failure rate of an idle warm spare as a share of a running unit's, 0-1 (default 0.5)."), rich_help_panel=_(_MODEL)),
    ] = None,
    kind: Annotated[
        Optional[str],
        typer.Option(
            "--kind",
            help=_("hot, warm, cold, active-active or all (hot, warm and cold); comma-separated; 'none' is always shown (default all)."),
            rich_help_panel=_(_MODEL),
        ),
    ] = None,
    coverage: Annotated[
        Optional[str],
        typer.Option("--coverage", help=_("Probability a failover is detected and succeeds, e.g. 0.99 or 99% (default 1)."), rich_help_panel=_(_SWITCHOVER)),
    ] = None,
    manual_recovery: Annotated[
        Optional[str],
        typer.Option("--manual-recovery", help=_("Mean time to recover by hand after a failover that did not happen, e.g. 30m."), rich_help_panel=_(_SWITCHOVER)),
    ] = None,
    failover: Annotated[
        Optional[str],
        typer.Option(
            "--failover",
            help=_("Mean failover time per temperature (the system is down meanwhile): hot=30s,warm=5m,cold=30m, or one time for all (default 0)."),
            rich_help_panel=_(_SWITCHOVER),
        ),
    ] = None,
    spare_cost: Annotated[
        Optional[str],
        typer.Option("--spare-cost", help=_("Yearly cost of one spare: hot=9000,warm=5000,cold=1000, or one number for all."), rich_help_panel=_(_COST)),
    ] = None,
    downtime_cost: Annotated[
        Optional[str], typer.Option("--downtime-cost", help=_("Cost of one hour of downtime."), rich_help_panel=_(_COST))
    ] = None,
    target: Annotated[
        Optional[str], typer.Option("--target", help=_("Availability to meet, e.g. 99.97; marks the cheapest option that does."), rich_help_panel=_(_COST))
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help=_("Exit 1 when no option meets --target."), rich_help_panel=_(_COST))
    ] = False,
    sweep_spares: Annotated[
        Optional[str], typer.Option("--sweep-spares", metavar="A..B", help=_("Also show every spare count from A to B, e.g. 0..4."), rich_help_panel=_(_COST))
    ] = None,
    input_format: InputFormatOption = None,
    output_format: FormatOption = OutputFormat.table,
    year_days: YearDaysOption = "365",
    plot: PlotOption = None,
) -> None:
    """Compare no spare with hot, warm and cold spares: availability, outages, MTTF and annual cost.

    A hot spare fails like a running unit and takes over fast; a warm spare fails at --dormancy times that rate; a cold spare never fails idle but takes longest to start. Each option is solved exactly as a Markov chain: exponential failure and repair times, shared repair crews.

    MTTF in the results is the mean time from all units working to the first outage that is not a covered failover. Failover blips (the --failover time after a covered failure) do count as outages and as downtime, but they do not end the MTTF; a failover that did not happen (1 - coverage) does, and so does running out of spares.

    Annual cost = spares x spare cost + downtime hours x downtime cost; with no prices, colder counts as cheaper. Exit status: 0 done, 1 with --check when no option meets --target, 2 bad input.

    Example:

        hacalc spares --mttf 1000h --mttr 10h --coverage 0.99
          --manual-recovery 30m --failover hot=30s,warm=5m,cold=30m
          --spare-cost hot=9000,warm=5000,cold=1000 --downtime-cost 100
          --target 99.97

        hacalc spares scenarios/spares-database-pair.toml --sweep-spares 0..2
    """
    flags = {
        "mttf": mttf,
        "mttr": mttr,
        "needed": needed,
        "spares": spare_count,
        "crews": crews,
        "dormancy": dormancy,
        "kind": kind,
        "coverage": coverage,
        "manual-recovery": manual_recovery,
        "failover": failover,
        "spare-cost": spare_cost,
        "downtime-cost": downtime_cost,
        "target": target,
        "sweep-spares": sweep_spares,
        "year-days": year_days if _given(ctx, "year_days") else None,
    }
    settings: dict[str, Setting] = (
        read_scenario(scenario, input_format=input_format.value if input_format else None, stdin=ctx.obj.stdin) if scenario else {}
    )
    settings.update(from_flags(flags))
    if check and "target" not in settings:
        raise InputError(_("--check needs a target"), "--check", _("add --target 99.97"))
    request = plot_request(plot, output_format.value)
    question = build_question(settings)
    comparison = compare(question)

    env = ctx.obj
    for warning in question.warnings():
        env.warn(warning)
    with plotting(env, request, "spares", comparison, texts=lambda: (_title(comparison), _assumptions(comparison).replace("\n", " "), _describe)):
        if output_format is OutputFormat.json:
            write_json(env, comparison.as_dict())
        elif output_format is OutputFormat.csv:
            _write_csv(env, comparison)
        else:
            _write_tables(env, comparison)
    if check and comparison.gate_failed:
        raise typer.Exit(ExitStatus.GATE_FAILED)


def _given(ctx: typer.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name != "DEFAULT"


def _write_csv(env: Environment, comparison: Comparison) -> None:
    rows = [("options", option, option is comparison.recommended) for option in comparison.options]
    rows += [("sweep", option, None) for option in comparison.sweep]
    write_csv(
        env,
        ("table", *OPTION_KEYS, "recommended"),
        ([table, *option.as_dict().values(), recommended] for table, option, recommended in rows),
    )


def _write_tables(env: Environment, comparison: Comparison) -> None:
    question = comparison.question
    columns = [_("option"), _("availability"), _("unavailability"), _("nines"), _("downtime/yr"), _("outages/yr"), _("mean outage"), "MTTF"]
    if question.has_costs:
        columns.append(_("annual cost"))
    if question.target is not None:
        columns.append(_("meets {target}").format(target=format_percent(question.target)))
    write_table(
        env,
        columns,
        (_row(option, comparison) for option in comparison.options),
        title=_title(comparison),
        caption=_assumptions(comparison),
        notes=() if comparison.sweep else (verdict(comparison),),
        optional=(columns[2], columns[5], columns[6], columns[7], columns[3]),  # unavailability, outages/yr, mean outage, MTTF, nines
    )
    if comparison.sweep:
        _write_sweep(env, comparison)


def _row(option: Option, comparison: Comparison) -> list[str]:
    question = comparison.question
    label = option.spare.value if option is not comparison.recommended else _("{option} (recommended)").format(option=option.spare.value)
    cells = [
        label,
        _percent(option),
        f"{option.unavailability:.3g}",
        format_nines(Fraction(option.unavailability)),
        format_duration(Fraction(option.downtime_seconds_per_year)),
        f"{option.outages_per_year:.3g}",
        "-" if option.mean_outage_hours is None else format_duration(Fraction(option.mean_outage_hours * 3600)),
        _hours(option.solution.mttf_hours),
    ]
    if question.has_costs:
        cells.append(_money(option.annual_cost))
    if question.target is not None:
        cells.append(_("yes") if option.meets_target else _("no"))
    return cells


def _write_sweep(env: Environment, comparison: Comparison) -> None:
    question = comparison.question
    kinds = [spare for spare in question.kinds if spare is not Spare.active_active]
    columns, costs = [_("spares")], []
    for spare in kinds:
        columns.append(_("{kind} availability").format(kind=_kind(spare)))
        if question.has_costs:
            columns.append(_("{kind} cost").format(kind=_kind(spare)))
            costs.insert(0, columns[-1])  # the last kind's cost is left out first
    rows = []
    for count in question.sweep or ():
        by_kind = {option.spare: option for option in comparison.sweep if option.spares == count}
        cells = [str(count)]
        for spare in kinds:
            option = by_kind.get(spare, by_kind.get(Spare.none))
            cells += [_percent(option)] + ([_money(option.annual_cost)] if question.has_costs else [])
        rows.append(cells)
    write_table(env, columns, rows, title=_("Availability and cost by number of spares"), notes=(verdict(comparison),), optional=costs)


def verdict(comparison: Comparison) -> str:
    """One plain sentence: what meets the target and for how much, and what failovers cost."""
    options = comparison.options
    question = comparison.question
    best = min(options, key=lambda option: option.unavailability)
    recommended = comparison.recommended
    if question.target is None:
        most_available = _("{option} are the most available at {availability}") if _plural(best) else _("{option} is the most available at {availability}")
        parts = [most_available.format(option=_describe(best), availability=_percent(best))]
        if question.has_costs:
            cheapest = min(options, key=lambda option: option.annual_cost or 0.0)
            cheapest_at = _("{option} are the cheapest at {cost}/yr") if _plural(cheapest) else _("{option} is the cheapest at {cost}/yr")
            parts.append(cheapest_at.format(option=_describe(cheapest), cost=_money(cheapest.annual_cost)))
    elif recommended is None:
        parts = [
            _("no option meets {target}; the best, {option}, reaches {availability}").format(
                target=format_percent(question.target), option=_describe(best), availability=_percent(best)
            )
        ]
    else:
        parts = [_meets(recommended, format_percent(question.target))]
    others = [option for option in options if option is not recommended and option.failover_downtime_seconds_per_year > 0]
    if others:
        loser = max(others, key=lambda option: option.failover_downtime_seconds_per_year)
        if loser.failover_downtime_seconds_per_year >= loser.downtime_seconds_per_year / 2:
            parts.append(
                _("{kind} loses {lost:,.0f} of its {total:,.0f} min/yr to {activation} activations").format(
                    kind=_kind(loser.spare),
                    lost=loser.failover_downtime_seconds_per_year / 60,
                    total=loser.downtime_seconds_per_year / 60,
                    activation=_activation(question.failover_seconds(loser.spare)),
                )
            )
    return _("{clauses}.").format(clauses=_("; ").join(parts))


def _meets(option: Option, target: str) -> str:
    """``hot spare meets 99.97% for 1,234/yr``: the recommended option, and its cost when there are prices."""
    if option.annual_cost is None:
        sentence = _("{option} meet {target}") if _plural(option) else _("{option} meets {target}")
    else:
        sentence = _("{option} meet {target} for {cost}/yr") if _plural(option) else _("{option} meets {target} for {cost}/yr")
    return sentence.format(option=_describe(option), target=target, cost=_money(option.annual_cost))


def _describe(option: Option) -> str:
    if option.spare is Spare.none:
        return _("no spare")
    if option.spare is Spare.active_active:
        return _("the active-active pair")
    kind = _kind(option.spare)
    return _("{count} {kind} spares").format(count=option.spares, kind=kind) if option.spares > 1 else _("{kind} spare").format(kind=kind)


def _kind(spare: Spare) -> str:
    """``hot``, ``warm``, ``cold`` as prose reads them (热备份 …); other kinds as their --kind value."""
    return _(KIND_WORDS[spare.value]) if spare.value in KIND_WORDS else spare.value


def _plural(option: Option) -> bool:
    """Whether English says "are" of the option: several spares of one kind."""
    return option.spares > 1 and option.spare is not Spare.active_active


def _activation(seconds: Fraction) -> str:
    """``30-second``, ``5-minute``: a failover time that is a whole number of one unit, else a duration."""
    for size, unit in ((3600, N_("{count}-hour")), (60, N_("{count}-minute")), (1, N_("{count}-second"))):
        if seconds >= size and (seconds / size).denominator == 1:
            return _(unit).format(count=seconds / size)
    return format_duration(seconds)


def _title(comparison: Comparison) -> str:
    question = comparison.question
    spares = _("{count} spare").format(count=question.spares) if question.spares == 1 else _("{count} spares").format(count=question.spares)
    crews = _("{count} repair crew").format(count=question.crews) if question.crews == 1 else _("{count} repair crews").format(count=question.crews)
    return _("{needed} needed + {spares}, {crews}: how hot must the spare be?").format(needed=question.needed, spares=spares, crews=crews)


def _assumptions(comparison: Comparison) -> str:
    question = comparison.question
    temperatures = [spare for spare in question.kinds if spare is not Spare.active_active]
    coverage = _("coverage {coverage}").format(coverage=format_percent(question.coverage))
    if question.manual_recovery is not None:
        coverage = _("{coverage}, manual recovery {time}").format(coverage=coverage, time=format_duration(question.manual_recovery))
    failovers = ", ".join(f"{spare.value} {format_duration(question.failover_seconds(spare))}" for spare in temperatures) or _("none")
    parts = [
        _("unit MTTF {mttf}, MTTR {mttr}, exponential").format(mttf=_hours(float(question.mttf / HOUR)), mttr=_hours(float(question.mttr / HOUR))),
        coverage,
        _("failover {times}").format(times=failovers),
    ]
    if Spare.warm in question.kinds:
        parts.append(_("warm dormancy {dormancy:g}").format(dormancy=float(question.dormancy)))
    parts.append(_("year {days} d").format(days=decimal_text(question.conventions.year_days)))
    return (
        _("Assumptions: {assumptions}.").format(assumptions=_("; ").join(parts))
        + "\n"
        + _("MTTF = time to the first outage that is not a covered failover (failover blips count as outages, not here).")
    )


def _percent(option: Option) -> str:
    unavailability = Fraction(option.unavailability)
    return format_percent(1 - unavailability, unavailability)


def _hours(hours: float) -> str:
    if not math.isfinite(hours):
        return "∞"
    return f"{hours:,.0f} h" if hours >= 100 else f"{hours:.3g} h"


def _money(amount: float | None) -> str:
    return "-" if amount is None else f"{amount:,.0f}"


def register(app: typer.Typer) -> None:
    app.command("spares", help=command_help(spares))(spares)
