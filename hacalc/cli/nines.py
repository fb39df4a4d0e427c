"""``hacalc nines``: the nines table, or one row per target availability."""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Optional

import typer

from hacalc.cli import render
from hacalc.cli.charts.option import PlotOption, plot_request, plotting
from hacalc.cli.options import (
    FormatOption,
    MonthOption,
    QuarterOption,
    RoundingChoice,
    RoundOption,
    YearDaysOption,
    conventions_from,
    located,
)
from hacalc.cli.output import OutputFormat, write_csv, write_json, write_table
from hacalc.core.availability import from_availability, from_unavailability
from hacalc.core.periods import PERIOD_NAMES
from hacalc.core.units import parse_availability, small_percentage_note
from hacalc.i18n import _, command_help


def nines(
    ctx: typer.Context,
    targets: Annotated[Optional[list[str]], typer.Argument(metavar="[TARGET]...", help=_("Targets like 99.95, 99.95{percent} or '4.5 nines'.").format(percent="%"), show_default=False)] = None,
    output_format: FormatOption = OutputFormat.table,
    year_days: YearDaysOption = "365",
    month: MonthOption = None,
    quarter: QuarterOption = None,
    rounding: RoundOption = RoundingChoice.nearest,
    plot: PlotOption = None,
) -> None:
    """Downtime allowed per day, week, month, quarter and year for each availability target.

    With no target, the table from 1 to 6 nines.

    Example:

        hacalc nines 99.95 "4.5 nines" --year-days 365.25
    """
    conventions = conventions_from(year_days, month, quarter, rounding)
    request = plot_request(plot, output_format.value)
    env = ctx.obj
    if targets:
        labels = list(targets)
        results = [from_availability(located("TARGET", parse_availability, target)) for target in targets]
        for note in filter(None, map(small_percentage_note, targets)):
            env.warn(note)
    else:
        labels = [f"{count} nine{'s' if count > 1 else ''}" for count in range(1, 7)]
        results = [from_unavailability(Fraction(1, 10**count)) for count in range(1, 7)]

    with plotting(env, request, "nines", labels, results, conventions):
        if output_format is OutputFormat.json:
            rows = [{"target": label, **result.as_dict(conventions)} for label, result in zip(labels, results)]
            write_json(env, {"rows": rows, "conventions": conventions.as_dict()})
        elif output_format is OutputFormat.csv:
            write_csv(
                env,
                ("target", *render.AVAILABILITY_CSV_HEADER),
                ([label, *render.availability_csv_cells(result, conventions)] for label, result in zip(labels, results)),
            )
        else:
            columns = (_("availability"), _("nines"), *map(render.period_label, PERIOD_NAMES), _("class"))
            write_table(
                env,
                columns,
                (
                    [render.percent(result), render.nines_text(result), *render.downtime_cells(result, conventions), render.class_text(result)]
                    for result in results
                ),
                title=_("Downtime allowed per period"),
                caption=render.conventions_caption(conventions),
                optional=(columns[-1], columns[2], columns[3], columns[5]),  # class, day, week, quarter
            )


def register(app: typer.Typer) -> None:
    app.command("nines", help=command_help(nines))(nines)
