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
from hacalc.i18n import N_, _

T = TypeVar("T")
PERIOD_CONVENTIONS = N_("Period conventions")


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
        "--input-format", case_sensitive=False, help=_("Format of FILE when its extension (or, for -, its content) does not tell it."), show_default=False
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", case_sensitive=False, help=_("table for people; json or csv for scripts.")),
]
YearDaysOption = Annotated[
    str,
    typer.Option(
        "--year-days",
        help=_("Days in a year: 365 (8760 h), 365.25 or 365.2425."),
        rich_help_panel=_(PERIOD_CONVENTIONS),
    ),
]
MonthOption = Annotated[
    Optional[str],
    typer.Option("--month", help=_("Month length, e.g. 30d (default year/12)."), rich_help_panel=_(PERIOD_CONVENTIONS)),
]
QuarterOption = Annotated[
    Optional[str],
    typer.Option("--quarter", help=_("Quarter length, e.g. 90d (default year/4)."), rich_help_panel=_(PERIOD_CONVENTIONS)),
]
RoundOption = Annotated[
    RoundingChoice,
    typer.Option("--round", case_sensitive=False, help=_("How durations are shown to people."), rich_help_panel=_(PERIOD_CONVENTIONS)),
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
