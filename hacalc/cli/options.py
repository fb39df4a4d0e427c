"""Options shared by every command, declared once so their names and help never drift apart."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Optional, TypeVar

import typer

from hacalc.core.errors import HacalcError
from hacalc.core.periods import Conventions, parse_year_days
from hacalc.core.units import parse_duration
from hacalc.cli.output import OutputFormat

T = TypeVar("T")


class RoundingChoice(str, Enum):
    nearest = "nearest"
    floor = "floor"


class InputFormat(str, Enum):
    toml = "toml"
    yaml = "yaml"
    json = "json"


InputFormatOption = Annotated[
    Optional[InputFormat],
    typer.Option(
        "--input-format", case_sensitive=False, help="Format of FILE when its extension (or, for -, its content) does not tell it.", show_default=False
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", case_sensitive=False, help="table for people; json or csv for scripts."),
]
YearDaysOption = Annotated[
    str,
    typer.Option(
        "--year-days",
        help="Days in a year: 365 (8760 h), 365.25 or 365.2425.",
        rich_help_panel="Period conventions",
    ),
]
MonthOption = Annotated[
    Optional[str],
    typer.Option("--month", help="Month length, e.g. 30d (default year/12).", rich_help_panel="Period conventions"),
]
QuarterOption = Annotated[
    Optional[str],
    typer.Option("--quarter", help="Quarter length, e.g. 90d (default year/4).", rich_help_panel="Period conventions"),
]
RoundOption = Annotated[
    RoundingChoice,
    typer.Option("--round", case_sensitive=False, help="How durations are shown to people.", rich_help_panel="Period conventions"),
]


def located(option: str, parse: Callable[..., T], text: str, **kwargs: object) -> T:
    """Run a core parser and say which option the bad value came from."""
    try:
        return parse(text, **kwargs)
    except HacalcError as error:
        raise error.located(option) from None


def conventions_from(year_days: str, month: str | None, quarter: str | None, rounding: RoundingChoice) -> Conventions:
    base = Conventions(year_days=located("--year-days", parse_year_days, year_days), rounding=rounding.value)
    return Conventions(
        year_days=base.year_days,
        explicit_month_seconds=None if month is None else located("--month", parse_duration, month, allow_zero=False, conventions=base),
        explicit_quarter_seconds=None if quarter is None else located("--quarter", parse_duration, quarter, allow_zero=False, conventions=base),
        rounding=rounding.value,
    )
