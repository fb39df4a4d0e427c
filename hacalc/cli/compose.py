"""``hacalc compose``: availability of series, parallel and k-of-n structures of independent parts."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import typer

from hacalc.cli import render
from hacalc.cli.options import (
    FormatOption,
    MonthOption,
    QuarterOption,
    RoundingChoice,
    RoundOption,
    YearDaysOption,
    conventions_from,
)
from hacalc.cli.output import OutputFormat, write_csv, write_json, write_table
from hacalc.core.availability import from_unavailability
from hacalc.core.compose import PartImportance, importance, parse_expression, unavailability
from hacalc.core.units import format_percent


def compose(
    ctx: typer.Context,
    expression: Annotated[str, typer.Argument(metavar="EXPR", help="Structure, e.g. 'series(99.9%, parallel(99.9%, 99.9%))'.", show_default=False)],
    output_format: FormatOption = OutputFormat.table,
    year_days: YearDaysOption = "365",
    month: MonthOption = None,
    quarter: QuarterOption = None,
    rounding: RoundOption = RoundingChoice.nearest,
) -> None:
    """System availability of independent parts, and which part costs the most.

    EXPR nests series(…), parallel(…), kofn(K, …) and unit(MTTF, MTTR); leaves are availabilities
    (99.9%, 0.999, '4 nines'; a bare number above 1 is a percentage). Parts may be named: db=99.95%.
    Each part is assumed to fail and be repaired independently (its own repair crew).

    Example:

        hacalc compose 'series(lb=99.99%, web=kofn(2, 99.9%, 99.9%, 99.9%), db=parallel(99.95%, 99.95%))'
    """
    conventions = conventions_from(year_days, month, quarter, rounding)
    root = parse_expression(expression)
    system = from_unavailability(unavailability(root))
    parts = importance(root)

    env = ctx.obj
    if output_format is OutputFormat.json:
        write_json(env, {
            "expression": expression,
            **system.as_dict(conventions),
            "parts": [_part_dict(part, system.unavailability) for part in parts],
            "weakest": parts[0].name if parts and parts[0].improvement_if_perfect > 0 else None,
            "single_points_of_failure": [part.name for part in parts if part.single_point_of_failure],
            "assumptions": "parts fail and are repaired independently",
            "conventions": conventions.as_dict(),
        })
    elif output_format is OutputFormat.csv:
        header = ("part", "expression", "availability", "unavailability", "improvement_if_perfect", "share", "single_point_of_failure")
        rows = [["system", expression, system.availability, system.unavailability, system.unavailability, 1, None]]
        rows += [list(_part_dict(part, system.unavailability).values()) for part in parts]
        write_csv(env, header, rows)
    else:
        year = conventions.year_seconds
        show = partial(render.duration, conventions=conventions)
        write_table(
            env,
            ("part", "availability", "downtime/year if perfect", "share of system downtime", "single point of failure"),
            (
                (part.name, format_percent(1 - part.unavailability, part.unavailability),
                 f"-{show(part.improvement_if_perfect * year)}", _share(part, system.unavailability),
                 "yes" if part.single_point_of_failure else "")
                for part in parts
            ),
            title=(f"System: {render.percent(system)}, {render.nines_text(system)} nines, "
                   f"{show(system.downtime_seconds(conventions)['year'])} downtime per year"),
            caption=render.conventions_caption(conventions),
            notes=[_verdict(parts, system.unavailability)],
        )


def _part_dict(part: PartImportance, system_unavailability) -> dict[str, object]:
    return {
        "name": part.name,
        "expression": part.text,
        "availability": 1 - part.unavailability,
        "unavailability": part.unavailability,
        "improvement_if_perfect": part.improvement_if_perfect,
        "share": part.improvement_if_perfect / system_unavailability if system_unavailability else 0,
        "single_point_of_failure": part.single_point_of_failure,
    }


def _share(part: PartImportance, system_unavailability) -> str:
    return f"{float(part.improvement_if_perfect / system_unavailability):.1%}" if system_unavailability else "-"


def _verdict(parts: list[PartImportance], system_unavailability) -> str:
    if not system_unavailability:
        return "The system never fails: every part is 100% available."
    weakest = parts[0]
    spofs = [part.name for part in parts if part.single_point_of_failure]
    line = f"Weakest link: {weakest.name} (making it perfect removes {_share(weakest, system_unavailability)} of system downtime)."
    return line + (f" Single points of failure: {', '.join(spofs)}." if spofs else " No single point of failure.")


def register(app: typer.Typer) -> None:
    app.command("compose")(compose)
