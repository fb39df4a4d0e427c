"""``hacalc risk``: the chance of breaching an SLA in one window, downtime quantiles and service credits."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from hacalc.cli.charts.option import PlotOption, plot_request, plotting
from hacalc.cli.options import FormatOption, InputFormatOption, located
from hacalc.cli.output import OutputFormat, write_csv, write_json, write_table
from hacalc.cli.status import ExitStatus
from hacalc.core.errors import InputError
from hacalc.i18n import N_, _, command_help

if TYPE_CHECKING:
    from hacalc.cli.env import Environment
    from hacalc.core.risk import Figure, RiskReport

_UNIT = N_("Unit")
_WINDOW = N_("Window and SLA")
_SPARES = N_("System of spares (as hacalc spares)")
_SIMULATION = N_("Other distributions (Monte Carlo)")
HOUR = 3600
CSV_COLUMNS = ("quantity", "level", "value", "standard_error", "unit")
SPARES_SETTINGS = ("needed", "spares", "crews", "dormancy", "kind", "coverage", "manual-recovery", "failover")


def risk(
    ctx: typer.Context,
    scenario: Annotated[
        Optional[str],
        typer.Argument(metavar="[SPARES_SCENARIO]", help=_("A spares scenario (as hacalc spares reads it; one --kind), or - for stdin."), show_default=False),
    ] = None,
    compose: Annotated[
        Optional[str],
        typer.Option("--compose", metavar="EXPR", help=_("A structure of unit(MTTF, MTTR) parts, as hacalc compose writes it."), rich_help_panel=_(_UNIT), show_default=False),
    ] = None,
    mttf: Annotated[Optional[str], typer.Option("--mttf", help=_("Mean time to failure, e.g. 2000h."), rich_help_panel=_(_UNIT))] = None,
    mttr: Annotated[Optional[str], typer.Option("--mttr", help=_("Mean time to repair, e.g. 4h."), rich_help_panel=_(_UNIT))] = None,
    mtbf: Annotated[Optional[str], typer.Option("--mtbf", help=_("Mean time between failures (see hacalc availability --mtbf-means)."), rich_help_panel=_(_UNIT))] = None,
    failure_rate: Annotated[Optional[str], typer.Option("--failure-rate", help=_("λ, e.g. 1e-3/h."), rich_help_panel=_(_UNIT))] = None,
    repair_rate: Annotated[Optional[str], typer.Option("--repair-rate", help=_("μ, e.g. 0.25/h."), rich_help_panel=_(_UNIT))] = None,
    unit: Annotated[str, typer.Option("--unit", help=_("Unit of bare numbers."), rich_help_panel=_(_UNIT))] = "h",
    window: Annotated[str, typer.Option("--window", "-w", help=_("The SLA window."), rich_help_panel=_(_WINDOW))] = "30d",
    target: Annotated[Optional[str], typer.Option("--target", help=_("Availability the window must reach, e.g. 99.9."), rich_help_panel=_(_WINDOW), show_default=False)] = None,
    budget: Annotated[Optional[str], typer.Option("--budget", help=_("Downtime allowed in the window, e.g. 43m12s (instead of --target)."), rich_help_panel=_(_WINDOW), show_default=False)] = None,
    start: Annotated[str, typer.Option("--start", help=_("steady: the window starts at a random moment; up: just after a repair."), rich_help_panel=_(_WINDOW))] = "steady",
    quantile: Annotated[
        Optional[list[str]], typer.Option("--quantile", help=_("More downtime quantiles, e.g. 0.95 or 99.99%; repeatable."), rich_help_panel=_(_WINDOW), show_default=False)
    ] = None,
    credits: Annotated[
        Optional[str], typer.Option("--credits", help=_("Service-credit tiers: '99.9:10%,99:25%,95:100%'."), rich_help_panel=_(_WINDOW), show_default=False)
    ] = None,
    check: Annotated[bool, typer.Option("--check", help=_("Exit 1 when P(breach) exceeds --max-breach-probability."), rich_help_panel=_(_WINDOW))] = False,
    max_breach: Annotated[str, typer.Option("--max-breach-probability", help=_("The gate of --check."), rich_help_panel=_(_WINDOW))] = "0.05",
    repair: Annotated[
        Optional[str], typer.Option("--repair", help=_("Repair-time distribution: exponential, lognormal:cv=1.5, weibull:shape=0.7, deterministic, empirical:FILE."), rich_help_panel=_(_SIMULATION), show_default=False)
    ] = None,
    failure: Annotated[
        Optional[str], typer.Option("--failure", help=_("Time-to-failure distribution, the same forms."), rich_help_panel=_(_SIMULATION), show_default=False)
    ] = None,
    runs: Annotated[int, typer.Option("--runs", help=_("Simulated windows."), rich_help_panel=_(_SIMULATION))] = 100_000,
    seed: Annotated[Optional[int], typer.Option("--seed", help=_("Random seed, for a repeatable simulation."), rich_help_panel=_(_SIMULATION), show_default=False)] = None,
    needed: Annotated[Optional[str], typer.Option("--needed", metavar="N", help=_("Units that must run."), rich_help_panel=_(_SPARES), show_default=False)] = None,
    spare_count: Annotated[Optional[str], typer.Option("--spares", metavar="N", help=_("Spares standing by."), rich_help_panel=_(_SPARES), show_default=False)] = None,
    crews: Annotated[Optional[str], typer.Option("--crews", metavar="N", help=_("Repair crews."), rich_help_panel=_(_SPARES), show_default=False)] = None,
    dormancy: Annotated[Optional[str], typer.Option("--dormancy", help=_("Idle warm spare's failure rate, as a share."), rich_help_panel=_(_SPARES), show_default=False)] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help=_("hot, warm, cold, active-active or none."), rich_help_panel=_(_SPARES), show_default=False)] = None,
    coverage: Annotated[Optional[str], typer.Option("--coverage", help=_("Probability a failover succeeds."), rich_help_panel=_(_SPARES), show_default=False)] = None,
    manual_recovery: Annotated[Optional[str], typer.Option("--manual-recovery", help=_("Recovery by hand after a failed failover."), rich_help_panel=_(_SPARES), show_default=False)] = None,
    failover: Annotated[Optional[str], typer.Option("--failover", help=_("Failover time, e.g. 30s."), rich_help_panel=_(_SPARES), show_default=False)] = None,
    input_format: InputFormatOption = None,
    output_format: FormatOption = OutputFormat.table,
    plot: PlotOption = None,
) -> None:
    """The chance that the downtime in one window breaches the SLA, its quantiles, and the credits owed.

    Exact for exponential up and down times (Tijms' closed form), for spares systems and for --compose
    structures (their Markov chain, by uniformization); simulated (Monte Carlo, with standard errors) for
    other distributions, and where a chain is too stiff or too large to solve, saying so.

    Examples:

        hacalc risk --mttf 2000h --mttr 4h --window 30d --target 99.9

        hacalc risk --mttf 2000h --mttr 4h --repair lognormal:cv=1.5 --target 99.9 --seed 1

        hacalc risk --mttf 1000h --mttr 10h --spares 1 --kind cold --window 1y --budget 1h
    """
    from hacalc.core import risk as core
    from hacalc.core.periods import DEFAULT_CONVENTIONS
    from hacalc.core.units import parse_duration

    env: Environment = ctx.obj
    request = plot_request(plot, output_format.value)
    window_hours = float(located("--window", parse_duration, window, default_unit=unit, allow_zero=False) / HOUR)
    budget_hours = _budget(target, budget, window_hours, unit)
    levels = tuple(dict.fromkeys((*core.DEFAULT_QUANTILES, *(located("--quantile", _level, text) for text in quantile or ()))))
    tiers = located("--credits", core.parse_credits, credits) if credits else ()
    gate = located("--max-breach-probability", _probability, max_breach)
    if start not in core.STARTS:
        raise InputError(_("unknown start {start!r}").format(start=start), "--start", _("give steady or up"))
    spares_flags = {"needed": needed, "spares": spare_count, "crews": crews, "dormancy": dormancy, "kind": kind,
                    "coverage": coverage, "manual-recovery": manual_recovery, "failover": failover}
    if compose is not None:
        report = _compose_report(compose, (mttf, mttr, mtbf, failure_rate, repair_rate, repair, failure, scenario, *spares_flags.values()),
                                 window_hours, budget_hours, start, levels, tiers, runs, seed)
    elif scenario is not None or any(value is not None for value in spares_flags.values()):
        if repair or failure:
            raise InputError(_("--repair and --failure apply to one unit, not to a spares system"), "--repair", _("drop them: spares systems are exact Markov chains"))
        report = _spares_report(ctx, scenario, input_format, mttf, mttr, spares_flags, window_hours, budget_hours, start, levels, tiers, runs, seed)
    else:
        from hacalc.cli.availability import unit_means
        from hacalc.core.availability import MtbfDefinition

        # an empirical distribution brings its own mean: its MTTF or MTTR may be left out
        mttf = mttf if mttf is not None or not _empirical(failure) or mtbf or failure_rate else "1h"
        mttr = mttr if mttr is not None or not _empirical(repair) or repair_rate else "1h"
        means = unit_means(DEFAULT_CONVENTIONS, unit, MtbfDefinition.operating, mttf=mttf, mttr=mttr, mtbf=mtbf, failure_rate=failure_rate, repair_rate=repair_rate)
        up, down = float(means.mttf / HOUR), float(means.mttr / HOUR)
        if _exponential(failure) and _exponential(repair):
            report = core.exact_report(core.Unit(up, down, window_hours, start), budget_hours, levels, tiers)
        else:
            report = _simulated(env, up, down, failure, repair, window_hours, budget_hours, start, levels, tiers, runs, seed)
    _warn(env, report)
    with plotting(env, request, "risk", report, texts=lambda: (_title(report), _caption(report, gate))):
        if output_format is OutputFormat.json:
            write_json(env, _json(report, gate))
        elif output_format is OutputFormat.csv:
            write_csv(env, CSV_COLUMNS, _csv_rows(report))
        else:
            _write_table(env, report, gate)
    if check and report.exceeds(gate):
        env.stderr.write(_("FAIL: P(breach) {probability} is above {gate:g}").format(probability=_probability_text(report.breach.value), gate=float(gate)) + "\n")
        raise typer.Exit(ExitStatus.GATE_FAILED)


def _budget(target: str | None, budget: str | None, window: float, unit: str) -> float:
    from hacalc.core.units import parse_availability, parse_duration

    if (target is None) == (budget is None):
        raise InputError(_("give the SLA as --target or as --budget (one of them)"), "--target/--budget", _("e.g. --target 99.9 or --budget 43m12s"))
    if budget is not None:
        hours = float(located("--budget", parse_duration, budget, default_unit=unit) / HOUR)
        if hours >= window:
            raise InputError(_("the budget is not shorter than the window"), "--budget", _("give a budget below --window"))
        return hours
    return float(1 - located("--target", parse_availability, target)) * window


def _level(text: str) -> Fraction:
    from hacalc.core.units import parse_probability

    return parse_probability(text, _("quantile level"), strictly_between=True)


def _probability(text: str) -> Fraction:
    from hacalc.core.units import parse_probability

    return parse_probability(text)


def _empirical(spec: str | None) -> bool:
    return spec is not None and spec.strip().lower().startswith("empirical")


def _exponential(spec: str | None) -> bool:
    return spec is None or spec.strip().lower() == "exponential"


def _simulated(env: Environment, up: float, down: float, failure: str | None, repair: str | None, window: float, budget: float,
               start: str, levels: tuple, tiers: tuple, runs: int, seed: int | None) -> RiskReport:
    from hacalc.core import simulation
    from hacalc.core.risk import simulated_report

    if runs < 1:
        raise InputError(_("--runs must be at least 1"), "--runs", _("give e.g. 100000"))
    up_distribution = located("--failure", _distribution, failure or "exponential", mean=up)
    down_distribution = located("--repair", _distribution, repair or "exponential", mean=down)
    sim = simulation.simulate_window(up_distribution, down_distribution, window, runs, seed, start)
    return simulated_report(sim, f"up times {up_distribution.describe()}; repairs {down_distribution.describe()}", budget, levels, tiers)


def _distribution(spec: str, mean: float):
    from hacalc.core.simulation import parse_distribution

    kind, _colon, argument = spec.partition(":")
    if kind.strip().lower() == "empirical":
        from hacalc.readers.durations import read_durations

        return parse_distribution("empirical", mean, values=read_durations(argument))
    return parse_distribution(spec, mean)


def _spares_report(ctx, scenario, input_format, mttf, mttr, flags, window, budget, start, levels, tiers, runs, seed) -> RiskReport:
    from hacalc.core.risk import chain_report
    from hacalc.core.spares import Spare
    from hacalc.readers.spares import build_question, from_flags, read_scenario

    settings = read_scenario(scenario, input_format=input_format.value if input_format else None, stdin=ctx.obj.stdin) if scenario else {}
    settings.update(from_flags({"mttf": mttf, "mttr": mttr, **flags}))
    question = build_question(settings)
    if len(question.kinds) != 1:
        raise InputError(_("a risk is computed for one system"), "--kind", _("give one --kind: hot, warm, cold, active-active or none"))
    spare = question.kinds[0]
    model = question.model(spare, 0 if spare is Spare.none else question.spares)
    label = f"{question.needed}-of-{question.needed + (0 if spare is Spare.none else question.spares)} with {spare.value} spares"
    return chain_report(model.chain(), label, window, budget, start, levels, tiers, runs=runs, seed=seed)


def _compose_report(expression, others, window, budget, start, levels, tiers, runs, seed) -> RiskReport:
    from hacalc.core.compose import leaves, parse_expression
    from hacalc.core.risk import MAX_PRODUCT_UNITS, chain_report, product_chain, structure_report

    if any(value is not None for value in others):
        raise InputError(_("--compose gives the whole model"), "--compose", _("drop the unit, distribution and spares options: each part is unit(MTTF, MTTR)"))
    root = located("--compose", parse_expression, expression)
    if len(leaves(root)) > MAX_PRODUCT_UNITS:
        return structure_report(root, window, budget, start, levels, tiers, runs=runs, seed=seed)
    return chain_report(located("--compose", product_chain, root), root.text, window, budget, start, levels, tiers, runs=runs, seed=seed)


def _warn(env: Environment, report: RiskReport) -> None:
    if report.breaches_seen is not None and not report.breach_trusted:
        env.warn(
            _(
                "only {breaches} of {runs:,} simulated windows breached: P(breach) is not estimated reliably; "
                "raise --runs, or use exponential times for the exact answer"
            ).format(breaches=report.breaches_seen, runs=report.runs)
        )


# --- output -------------------------------------------------------------------------------------------


def _probability_text(value: float) -> str:
    if value == 0:
        return "0"
    return f"{value:.4g}" if value >= 1e-4 else f"{value:.3e}"


def _figure_text(figure: Figure, shown) -> str:
    text = shown(figure.value)
    return text if figure.standard_error is None else f"{text} ± {shown(figure.standard_error)}"


def _hours_text(hours: float) -> str:
    from hacalc.core.units import format_duration

    return format_duration(Fraction(hours * HOUR).limit_denominator(10**6), trim=True)


def _write_table(env: Environment, report: RiskReport, gate: Fraction) -> None:
    rows = [
        (_("P(breach): downtime > budget"), _figure_text(report.breach, _probability_text)),
        (_("P(no outage at all)"), _figure_text(report.never_down, _probability_text)),
        (_("expected outages"), _figure_text(report.expected_outages, lambda value: f"{value:.4g}")),
        (_("mean downtime"), _figure_text(report.mean, _hours_text)),
        (_("standard deviation"), _figure_text(report.sd, _hours_text)),
    ]
    rows += [(_("downtime P{level:g}").format(level=float(level) * 100), _figure_text(figure, _hours_text)) for level, figure in report.quantiles]
    for outcome in report.credits:
        credit = _("P(credit {credit:g}{percent}: below {below:g}{percent})").format(credit=float(outcome.tier.credit) * 100, below=float(outcome.tier.below) * 100, percent="%")
        rows.append((credit, _probability_text(outcome.probability)))
    if report.expected_credit is not None:
        rows.append((_("expected credit (share of the bill)"), _figure_text(report.expected_credit, lambda value: f"{value * 100:.4g}%")))
    write_table(env, (_("quantity"), _("value")), rows, title=_title(report), caption=_caption(report, gate))


def _title(report: RiskReport) -> str:
    return _("Downtime in one {window} window, budget {budget}").format(window=_hours_text(report.window), budget=_hours_text(report.budget))


def _caption(report: RiskReport, gate: Fraction) -> str:
    """The model (as JSON names it), the start, the method and the gate."""
    if report.method == "exact":
        method = _("exact")
    else:
        method = _("Monte Carlo, {runs:,} windows, seed {seed} (± one standard error)").format(runs=report.runs, seed=report.seed)
    return _("Model: {model}; start {start}; {method}. Gate: P(breach) ≤ {gate:g}.").format(model=report.model, start=report.start, method=method, gate=float(gate))


def _json(report: RiskReport, gate: Fraction) -> dict:
    def seconds(figure: Figure) -> dict:
        return {"value": figure.value * HOUR, "standard_error": None if figure.standard_error is None else figure.standard_error * HOUR}

    return {
        "method": report.method,
        "model": report.model,
        "start": report.start,
        "window_seconds": report.window * HOUR,
        "budget_seconds": report.budget * HOUR,
        "breach_probability": report.breach.as_dict(),
        "no_outage_probability": report.never_down.as_dict(),
        "expected_outages": report.expected_outages.as_dict(),
        "mean_downtime_seconds": seconds(report.mean),
        "sd_downtime_seconds": seconds(report.sd),
        "quantiles": [{"level": level, "downtime_seconds": seconds(figure)} for level, figure in report.quantiles],
        "credits": [{"below": outcome.tier.below, "credit": outcome.tier.credit, "probability": outcome.probability} for outcome in report.credits],
        "expected_credit": None if report.expected_credit is None else report.expected_credit.as_dict(),
        "runs": report.runs,
        "seed": report.seed,
        "breaches_seen": report.breaches_seen,
        "max_breach_probability": gate,
        "passed": not report.exceeds(gate),
    }


def _csv_rows(report: RiskReport):
    def row(quantity: str, figure: Figure, unit: str, level: object = None, scale: float = 1.0):
        return (quantity, level, figure.value * scale, None if figure.standard_error is None else figure.standard_error * scale, unit)

    yield row("breach_probability", report.breach, "probability")
    yield row("no_outage_probability", report.never_down, "probability")
    yield row("expected_outages", report.expected_outages, "count")
    yield row("mean_downtime", report.mean, "seconds", scale=HOUR)
    yield row("sd_downtime", report.sd, "seconds", scale=HOUR)
    for level, figure in report.quantiles:
        yield row("downtime_quantile", figure, "seconds", level, HOUR)
    for outcome in report.credits:
        yield ("credit_tier_probability", outcome.tier.below, outcome.probability, None, "probability")
    if report.expected_credit is not None:
        yield row("expected_credit", report.expected_credit, "share of the bill")


def register(app: typer.Typer) -> None:
    app.command("risk", help=command_help(risk))(risk)
