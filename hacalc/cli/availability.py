"""``hacalc availability``: A = MTTF/(MTTF+MTTR) from means, rates or observed downtime, or a whole file of rows."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Annotated, Optional

import typer

from hacalc.cli import render
from hacalc.cli.options import (
    MonthOption,
    QuarterOption,
    RoundingChoice,
    RoundOption,
    YearDaysOption,
    conventions_from,
    located,
)
from hacalc.cli.output import write_csv, write_json, write_table
from hacalc.core import availability as core
from hacalc.core.errors import InputError
from hacalc.core.periods import Conventions
from hacalc.core.units import format_duration, parse_duration, parse_rate, unit_seconds
from hacalc.i18n import N_, _, command_help

INPUT_MODES = N_("--mttf/--mttr, --mtbf/--mttr, --failure-rate/--repair-rate, --downtime/--period or --uptime/--downtime")
# The inputs line under the table: what each given input is called there.
INPUT_LABELS = {
    "mttf_seconds": "MTTF",
    "mttr_seconds": "MTTR",
    "mtbf_seconds": "MTBF",
    "downtime_seconds": N_("downtime"),
    "period_seconds": N_("period"),
    "uptime_seconds": N_("uptime"),
    "failure_rate_per_hour": N_("failure rate per hour"),
    "repair_rate_per_hour": N_("repair rate per hour"),
}


@dataclass(frozen=True)
class Computed:
    result: core.Availability
    method: str
    inputs: dict[str, object]
    failures_per_year: Fraction | None


def availability(
    ctx: typer.Context,
    mttf: Annotated[Optional[str], typer.Option("--mttf", help=_("Mean time to failure, e.g. 50000h."))] = None,
    mttr: Annotated[Optional[str], typer.Option("--mttr", help=_("Mean time to repair, e.g. 15m."))] = None,
    mtbf: Annotated[Optional[str], typer.Option("--mtbf", help=_("Mean time between failures (see --mtbf-means)."))] = None,
    mtbf_means: Annotated[
        core.MtbfDefinition,
        typer.Option(
            "--mtbf-means",
            case_sensitive=False,
            help=_("operating: MTBF is up time between failures (= MTTF, DoD Ai); cycle: failure to failure (= MTTF + MTTR, IEC)."),
        ),
    ] = core.MtbfDefinition.operating,
    failure_rate: Annotated[Optional[str], typer.Option("--failure-rate", help=_("λ, e.g. 1e-3/h or 2/y."))] = None,
    repair_rate: Annotated[Optional[str], typer.Option("--repair-rate", help=_("μ, e.g. 0.1/h."))] = None,
    downtime: Annotated[Optional[str], typer.Option("--downtime", help=_("Observed downtime, e.g. 1d."))] = None,
    period: Annotated[Optional[str], typer.Option("--period", help=_("Observation period containing --downtime, e.g. 365d."))] = None,
    uptime: Annotated[Optional[str], typer.Option("--uptime", help=_("Observed up time, with --downtime."))] = None,
    input_file: Annotated[
        Optional[str],
        typer.Option("--input", "-i", help=_("CSV or NDJSON rows with mttf and mttr columns; - for stdin."), rich_help_panel=_("Batch")),
    ] = None,
    unit: Annotated[str, typer.Option("--unit", help=_("Unit of bare numbers (ms, s, m, h, d, w, mo, y)."))] = "h",
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", help=_("table | json | csv; with --input: csv | ndjson (default: as the input).")),
    ] = "table",
    year_days: YearDaysOption = "365",
    month: MonthOption = None,
    quarter: QuarterOption = None,
    rounding: RoundOption = RoundingChoice.nearest,
) -> None:
    """Steady-state availability, nines, class and downtime per period of one repairable unit.

    A = MTTF / (MTTF + MTTR) holds for any up and down time distributions with these means.
    Bare numbers are hours unless --unit says otherwise.

    Examples:

        hacalc availability --mttf 50000h --mttr 15m

        hacalc availability --downtime 1d --period 365d

        hacalc availability --input rows.csv --format ndjson
    """
    conventions = conventions_from(year_days, month, quarter, rounding)
    located("--unit", unit_seconds, unit)
    output_format = output_format.lower()
    env = ctx.obj
    single_unit = {"mttf": mttf, "mttr": mttr, "mtbf": mtbf, "failure_rate": failure_rate, "repair_rate": repair_rate,
                   "downtime": downtime, "period": period, "uptime": uptime}
    if input_file is not None:
        from hacalc.cli.batch import run_batch

        given = [name for name, value in single_unit.items() if value is not None]
        if given:
            raise InputError(_("{option} cannot be combined with --input").format(option=f"--{given[0].replace('_', '-')}"), "--input",
                             _("the rows give mttf and mttr"))
        formats = {"table": None, "csv": "csv", "ndjson": "ndjson"}
        if output_format not in formats:
            raise InputError(_("--format {format} does not stream").format(format=output_format), "--input", _("use --format csv or ndjson"))
        run_batch(env, input_file, default_unit=unit, output=formats[output_format], conventions=conventions)
        return

    computed = _compute(conventions, unit, mtbf_means, **single_unit)
    if output_format == "json":
        write_json(env, {**computed.result.as_dict(conventions), "failures_per_year": computed.failures_per_year,
                         "inputs": {"method": computed.method, **computed.inputs}, "conventions": conventions.as_dict()})
    elif output_format == "csv":
        write_csv(env, (*render.AVAILABILITY_CSV_HEADER, "failures_per_year"),
                  [[*render.availability_csv_cells(computed.result, conventions), computed.failures_per_year]])
    elif output_format == "table":
        _write_table(env, computed, conventions)
    else:
        raise InputError(_("unknown format {format!r}").format(format=output_format), "--format", _("use table, json or csv"))


def _compute(conventions: Conventions, unit: str, mtbf_means: core.MtbfDefinition, **given: str | None) -> Computed:
    present = {name for name, value in given.items() if value is not None}
    if present in ({"mttf", "mttr"}, {"mtbf", "mttr"}, {"failure_rate", "repair_rate"}):
        means = unit_means(conventions, unit, mtbf_means, **given)
        return Computed(core.from_rates(1 / means.mttf, 1 / means.mttr) if means.method == "rates" else core.from_mttf_mttr(means.mttf, means.mttr),
                        means.method, means.inputs, core.failures_per_year(means.mttf, means.mttr, conventions))

    def duration(option: str, allow_zero: bool = True) -> Fraction:
        return located(option, parse_duration, given[option.strip("-").replace("-", "_")], default_unit=unit,
                       allow_zero=allow_zero, conventions=conventions)

    if present == {"downtime", "period"}:
        down, observed = duration("--downtime"), duration("--period", False)
        return Computed(core.from_observed(down, observed), "observed",
                        {"downtime_seconds": down, "period_seconds": observed}, None)
    if present == {"uptime", "downtime"}:
        up, down = duration("--uptime"), duration("--downtime")
        return Computed(core.from_observed(down, up + down), "observed",
                        {"uptime_seconds": up, "downtime_seconds": down, "period_seconds": up + down}, None)
    raise InputError(_("cannot compute availability from {options}").format(options=_given_options(present)),
                     fix=_("give one of {modes}").format(modes=_(INPUT_MODES)))


@dataclass(frozen=True)
class Means:
    """A unit's mean up and down times in seconds, however they were given, and how."""

    mttf: Fraction
    mttr: Fraction
    method: str
    inputs: dict[str, object]


UNIT_MODES = N_("--mttf/--mttr, --mtbf/--mttr or --failure-rate/--repair-rate")


def unit_means(
    conventions: Conventions, unit: str, mtbf_means: core.MtbfDefinition, *, mttf: str | None = None, mttr: str | None = None,
    mtbf: str | None = None, failure_rate: str | None = None, repair_rate: str | None = None, **others: str | None,
) -> Means:
    """MTTF and MTTR from means, MTBF or rates: the one reading every command that models a unit shares."""
    def duration(option: str, text: str | None, allow_zero: bool = True) -> Fraction:
        return located(option, parse_duration, text, default_unit=unit, allow_zero=allow_zero, conventions=conventions)

    given = {"mttf": mttf, "mttr": mttr, "mtbf": mtbf, "failure_rate": failure_rate, "repair_rate": repair_rate}
    present = {name for name, value in {**given, **others}.items() if value is not None}
    if present == {"mttf", "mttr"}:
        up, down = duration("--mttf", mttf, False), duration("--mttr", mttr)
        return Means(up, down, "mttf-mttr", {"mttf_seconds": up, "mttr_seconds": down})
    if present == {"mtbf", "mttr"}:
        between, down = duration("--mtbf", mtbf, False), duration("--mttr", mttr)
        up = core.mttf_from_mtbf(between, down, mtbf_means)
        return Means(up, down, "mtbf-mttr", {"mtbf_seconds": between, "mtbf_means": mtbf_means, "mttf_seconds": up, "mttr_seconds": down})
    if present == {"failure_rate", "repair_rate"}:
        failure = located("--failure-rate", parse_rate, failure_rate, default_unit=unit, conventions=conventions)
        repair = located("--repair-rate", parse_rate, repair_rate, default_unit=unit, conventions=conventions)
        core.from_rates(failure, repair)  # its checks: positive, finite
        return Means(1 / failure, 1 / repair, "rates", {"failure_rate_per_hour": failure * 3600, "repair_rate_per_hour": repair * 3600})
    raise InputError(_("cannot model a unit from {options}").format(options=_given_options(present)),
                     fix=_("give {modes}").format(modes=_(UNIT_MODES)))


def _given_options(present: set[str]) -> str:
    return ", ".join(f"--{name.replace('_', '-')}" for name in sorted(present)) or _("nothing")


def _write_table(env, computed: Computed, conventions: Conventions) -> None:
    result = computed.result
    rows = [
        (_("availability"), render.percent(result)),
        (_("unavailability"), f"{float(result.unavailability):.6g}"),
        (_("nines"), render.nines_text(result)),
        (_("class"), render.class_text(result)),
    ]
    if computed.failures_per_year is not None:
        rows.append((_("failures per year"), f"{float(computed.failures_per_year):.4g}"))
    rows += [(_("downtime per {period}").format(period=render.period_label(name)), cell)
             for name, cell in zip(conventions.period_seconds(), render.downtime_cells(result, conventions))]
    notes = [_("Inputs: {inputs}.").format(inputs=_describe_inputs(computed)), render.conventions_caption(conventions)]
    write_table(env, (_("quantity"), _("value")), rows, title=_("Availability"), notes=notes)


def _describe_inputs(computed: Computed) -> str:
    parts = []
    for key, value in computed.inputs.items():
        if key.endswith("_seconds"):
            parts.append(f"{_(INPUT_LABELS[key])} {_input_duration(value)}")
        elif key == "mtbf_means":
            parts.append(_("MTBF means {meaning} time").format(meaning=value.value))
        else:
            parts.append(f"{_(INPUT_LABELS[key])} {float(value):.6g}")
    return ", ".join(parts)


def _input_duration(seconds: Fraction) -> str:
    """MTTFs read best in hours (50000h), short repairs as minutes and seconds (15m)."""
    return f"{float(seconds / 3600):g}h" if seconds >= 3600 else format_duration(seconds, trim=True)


def register(app: typer.Typer) -> None:
    app.command("availability", help=command_help(availability))(availability)
