"""``hacalc compose``: availability of series, parallel and k-of-n structures of independent parts."""

from __future__ import annotations

import math
from fractions import Fraction
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
from hacalc.core.compose import PartImportance, analyse, parse_expression
from hacalc.core.units import format_percent
from hacalc.i18n import N_, _, command_help

TABLE_PARTS = 30  # rows a table shows; JSON and CSV list every part
LISTED_SINGLE_POINTS = 10  # names the verdict line spells out
REMOVED_PER_YEAR = N_("downtime/year removed if perfect")
# Spelt with {percent}: Babel would take "% o" for a printf placeholder and refuse the translation.
SHARE_REMOVED = N_("{percent} of system downtime removed if perfect")
INEXACT = N_("Too large for exact fractions: computed in floating point, to 1e-12 relative or better.")


def compose(
    ctx: typer.Context,
    expression: Annotated[str, typer.Argument(metavar="EXPR", help=_("Structure, e.g. 'series(99.9%, parallel(99.9%, 99.9%))'."), show_default=False)],
    output_format: FormatOption = OutputFormat.table,
    year_days: YearDaysOption = "365",
    month: MonthOption = None,
    quarter: QuarterOption = None,
    rounding: RoundOption = RoundingChoice.nearest,
) -> None:
    """System availability of independent parts, and what each part costs it.

    EXPR nests series(…), parallel(…), kofn(K, …) and unit(MTTF, MTTR); leaves are availabilities
    (99.9%, 0.999, '4 nines'; a bare number above 1 is a percentage). Parts may be named, each name
    once: db=99.95%. Each part is assumed to fail and be repaired independently (its own repair crew).
    For every part: how much system downtime would go if that part alone never failed. Parts overlap
    (a group contains its parts), so these amounts do not add up to the system's downtime.

    Example:

        hacalc compose 'series(lb=99.99%, web=kofn(2, 99.9%, 99.9%, 99.9%), db=parallel(99.95%, 99.95%))'
    """
    conventions = conventions_from(year_days, month, quarter, rounding)
    result = analyse(parse_expression(expression))
    system = from_unavailability(result.unavailability)
    parts = result.parts

    env = ctx.obj
    if output_format is OutputFormat.json:
        write_json(env, {
            "expression": expression,
            **system.as_dict(conventions),
            "parts": [_part_dict(part) for part in parts],
            "weakest": parts[0].name if parts and parts[0].improvement_if_perfect > 0 else None,
            "single_points_of_failure": [part.name for part in parts if part.single_point_of_failure],
            "exact": result.exact,
            "assumptions": "parts fail and are repaired independently",
            "conventions": conventions.as_dict(),
        })
    elif output_format is OutputFormat.csv:
        header = ("part", "expression", "availability", "unavailability", "improvement_if_perfect", "share", "single_point_of_failure")
        rows = [["system", expression, system.availability, system.unavailability, system.unavailability, 1, None]]
        rows += [list(_part_dict(part).values()) for part in parts]
        write_csv(env, header, rows)
    else:
        year = conventions.year_seconds
        show = partial(render.duration, conventions=conventions)
        shown = parts[:TABLE_PARTS]
        write_table(
            env,
            (_("part"), _("availability"), _(REMOVED_PER_YEAR), _(SHARE_REMOVED).format(percent="%"), _("single point of failure")),
            (
                (part.name, format_percent(part.availability, part.unavailability),
                 show(part.improvement_if_perfect * year), _percent_of_downtime(part.share_removed_if_perfect),
                 _("yes") if part.single_point_of_failure else "")
                for part in shown
            ),
            title=_("System: {availability}, {nines} nines, {downtime} downtime per year").format(
                availability=render.percent(system), nines=render.nines_text(system), downtime=show(system.downtime_seconds(conventions)["year"])),
            caption=render.conventions_caption(conventions),
            notes=[*_notes(parts, len(shown), system.unavailability), *([] if result.exact else [_(INEXACT)])],
            optional=(_(REMOVED_PER_YEAR),),
        )


def _part_dict(part: PartImportance) -> dict[str, object]:
    return {
        "name": part.name,
        "expression": part.text,
        "availability": part.availability,
        "unavailability": part.unavailability,
        "improvement_if_perfect": part.improvement_if_perfect,
        "share": part.share_removed_if_perfect,
        "single_point_of_failure": part.single_point_of_failure,
    }


def _percent_of_downtime(share: Fraction) -> str:
    """Rounded down to 0.1 %, so a part that removes 99.96 % is not shown removing all of it."""
    tenths = math.floor(share * 1000)
    if share and not tenths:
        return "<0.1%"
    return f"{tenths / 10:.1f}%"


def _notes(parts: tuple[PartImportance, ...], shown: int, system_unavailability: Fraction) -> list[str]:
    if not system_unavailability:
        return [_("The system never fails, so no part can make it better.")]
    notes = []
    if len(parts) > shown:
        notes.append(_("{more:,} more parts, none removing more than those above, are left out; --format json or csv lists all {count:,}.").format(
            more=len(parts) - shown, count=len(parts)))
    notes.append(_("Each row makes one part alone perfect; rows overlap, so they do not add up to 100%."))
    weakest = parts[0]
    if not weakest.improvement_if_perfect:
        return [*notes, _("No part made perfect alone removes any downtime.")]
    line = _("Weakest link: {part} (making it perfect removes {share} of system downtime).").format(
        part=weakest.name, share=_percent_of_downtime(weakest.share_removed_if_perfect))
    spofs = [part.name for part in parts if part.single_point_of_failure]
    if not spofs:
        return [*notes, line + _(" No single point of failure.")]
    listed = ", ".join(spofs[:LISTED_SINGLE_POINTS])
    more = _(" and {count:,} more").format(count=len(spofs) - LISTED_SINGLE_POINTS) if len(spofs) > LISTED_SINGLE_POINTS else ""
    return [*notes, _("{weakest} Single points of failure: {parts}{more}.").format(weakest=line, parts=listed, more=more)]


def register(app: typer.Typer) -> None:
    app.command("compose", help=command_help(compose))(compose)
