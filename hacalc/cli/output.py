"""Writing results: stable JSON/CSV/NDJSON for machines, rich tables for people."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from fractions import Fraction
from typing import Any

from hacalc.cli.env import Environment


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
    rows: Iterable[Sequence[str]],
    *,
    title: str | None = None,
    caption: str | None = None,
    notes: Sequence[str] = (),
    justify: Sequence[str] | None = None,
) -> None:
    """A rich table; cells are plain text, so data such as ``[x]`` is never read as markup.

    Columns are left-justified first, right-justified after (numbers), unless ``justify`` says otherwise.
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table()
    justify = justify or ["left"] + ["right"] * (len(columns) - 1)
    for column, side in zip(columns, justify):
        table.add_column(column, justify=side, overflow="fold")
    for row in rows:
        table.add_row(*(Text(str(cell)) for cell in row))
    heading = [Text(title, style="bold")] if title else []
    env.console().print(Group(*heading, table, *(Text(note) for note in (caption, *notes) if note)))
