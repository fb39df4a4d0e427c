"""Writing results: stable JSON/CSV/NDJSON for machines, rich tables for people."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from fractions import Fraction
from typing import Any

from hacalc.cli.env import Environment, visible


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def jsonable(value: Any) -> Any:
    """Plain JSON values: exact fractions become floats, infinities become null (JSON has none)."""
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, Fraction):
        value = int(value) if value.denominator == 1 else float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Enum):
        return value.value
    return value


def write_json(env: Environment, data: Mapping[str, Any]) -> None:
    import json

    env.stdout.write(json.dumps(jsonable(data), indent=2, allow_nan=False) + "\n")


def write_ndjson(env: Environment, data: Mapping[str, Any]) -> None:
    import json

    env.stdout.write(json.dumps(jsonable(data), separators=(",", ":"), allow_nan=False) + "\n")


def write_csv(env: Environment, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    import csv

    writer = csv.writer(env.stdout, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in jsonable(list(row))])


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_table(
    env: Environment,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    caption: str | None = None,
    notes: Sequence[str] = (),
    justify: Sequence[str] | None = None,
    optional: Sequence[str] = (),
) -> None:
    """A rich table that fits the width: ``optional`` columns are left out, in that order, until it does.

    A cell is never split across lines (headers may wrap at spaces), and control characters in the data
    are shown escaped. Columns are left-justified first, right-justified after (numbers), unless
    ``justify`` says otherwise.
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    console = env.console()
    cells = [[visible(str(cell)) for cell in row] for row in rows]
    justify = list(justify or ["left"] + ["right"] * (len(columns) - 1))
    shown = _columns_that_fit(columns, cells, optional, console.width)
    table = Table()
    for index in shown:
        table.add_column(visible(columns[index]), justify=justify[index], min_width=_widest(cells, index), overflow="fold")
    for row in cells:
        table.add_row(*(Text(row[index]) for index in shown))
    left_out = [visible(columns[index]) for index in range(len(columns)) if index not in shown]
    if left_out:
        notes = [*notes, f"Left out to fit {console.width} columns: {', '.join(left_out)} (a wider terminal or --format csv shows them)."]
    heading = [Text(_visible_lines(title), style="bold")] if title else []
    console.print(Group(*heading, table, *(Text(_visible_lines(note)) for note in (caption, *notes) if note)))


def _visible_lines(text: str) -> str:
    """Prose of ours may break lines; every other control character in it came from data."""
    return "\n".join(visible(line) for line in text.split("\n"))


def _columns_that_fit(columns: Sequence[str], cells: list[list[str]], optional: Sequence[str], width: int) -> list[int]:
    """Indexes of the columns to show: all of them, less ``optional`` ones in order while the table is too wide."""
    shown = list(range(len(columns)))
    for name in optional:
        if _table_width(columns, cells, shown) <= width:
            break
        shown.remove(columns.index(name))
    return shown


def _table_width(columns: Sequence[str], cells: list[list[str]], shown: list[int]) -> int:
    """Width with every cell whole and each header wrapped at spaces: 1 for the edge, 3 per column (rules, padding)."""
    from rich.cells import cell_len

    return 1 + sum(3 + max(_widest(cells, index), *(cell_len(word) for word in columns[index].split())) for index in shown)


def _widest(cells: list[list[str]], index: int) -> int:
    from rich.cells import cell_len

    return max((cell_len(row[index]) for row in cells), default=0)
