"""Writing results: stable JSON/CSV/NDJSON for machines, rich tables for people."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from fractions import Fraction
from typing import Any

from hacalc.cli.env import Environment
from hacalc.core.text import visible
from hacalc.i18n import _


PROSE_WORD = 20  # a longer word in a prose column (a file path, a list without spaces) may fold


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


_PLAIN = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Plain JSON values: exact fractions become floats, infinities become null (JSON has none).

    The common types are tested by identity first: a 10,000-part compose walks 90,000 values here.
    """
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is Fraction:
        return int(value) if value.denominator == 1 else float(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
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
    prose: Sequence[str] = (),
) -> None:
    """A rich table that fits the width: ``optional`` columns are left out, in that order, until it does.

    A cell is never split across lines, except in ``prose`` columns, which wrap at spaces (as headers do).
    Control characters in the data are shown escaped. Columns are left-justified first, right-justified
    after (numbers), unless ``justify`` says otherwise.
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    console = env.console()
    cells = [[visible(str(cell)) for cell in row] for row in rows]
    justify = list(justify or ["left"] + ["right"] * (len(columns) - 1))
    terminal_width = console.width
    widths = _fit(columns, cells, optional, prose, terminal_width)
    console.width = max(terminal_width, _drawn(widths.values()))  # past the last column it can lose, run long, never crop
    table = Table()
    for index, width in widths.items():
        table.add_column(visible(columns[index]), justify=justify[index], width=width, overflow="fold")
    for row in cells:
        table.add_row(*(Text(row[index]) for index in widths))
    left_out = [visible(name) for index, name in enumerate(columns) if index not in widths]
    if left_out:
        notes = [*notes, _("Left out to fit {width} columns: {columns} (a wider terminal or --format csv shows them).").format(
            width=terminal_width, columns=", ".join(left_out))]
    heading = [Text(_visible_lines(title), style="bold")] if title else []
    console.print(Group(*heading, table, *(Text(_visible_lines(note)) for note in (caption, *notes) if note)))


def _visible_lines(text: str) -> str:
    """Prose of ours may break lines; every other control character in it came from data."""
    return "\n".join(visible(line) for line in text.split("\n"))


def _fit(columns: Sequence[str], cells: list[list[str]], optional: Sequence[str], prose: Sequence[str], width: int) -> dict[int, int]:
    """Column index -> content width: every column at its natural width if the table fits, else ``optional``
    columns left out in order, each column at the least it needs (whole cells; headers and prose wrapped at
    spaces), and the room left shared in proportion to what each column still wants."""
    from rich.cells import cell_len

    natural = [max(cell_len(name), _widest(cells, index, whole=True)) for index, name in enumerate(columns)]
    least = [
        max(_widest(cells, index, whole=False) if name in prose else _widest(cells, index, whole=True), *map(cell_len, name.split() or [""]))
        for index, name in enumerate(columns)
    ]
    shown = list(range(len(columns)))
    for name in optional:
        if _drawn(least[index] for index in shown) <= width:
            break
        shown.remove(columns.index(name))
    if _drawn(natural[index] for index in shown) <= width:
        return {index: natural[index] for index in shown}
    room = max(0, width - _drawn(least[index] for index in shown))
    wanted = sum(natural[index] - least[index] for index in shown) or 1
    return {index: least[index] + room * (natural[index] - least[index]) // wanted for index in shown}


def _drawn(widths: Iterable[int]) -> int:
    """A table's width from its columns' content widths: 1 for the left edge, 3 a column (padding and rule)."""
    return 1 + sum(3 + width for width in widths)


def _widest(cells: list[list[str]], index: int, *, whole: bool) -> int:
    """The widest cell of a column; where cells are prose, its widest word up to ``PROSE_WORD`` (a path may fold)."""
    from rich.cells import cell_len

    if whole:
        return max((cell_len(row[index]) for row in cells), default=0)
    return min(PROSE_WORD, max((cell_len(word) for row in cells for word in row[index].split()), default=0))
