"""``hacalc budget``: allowed downtime for a target, what is spent and left, and the burn-rate alert table."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Optional

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
    located,
)
from hacalc.cli.output import OutputFormat, write_csv, write_json, write_table
from hacalc.cli.status import ExitStatus
from hacalc.core.budget import DEFAULT_TIERS, AlertRow, Budget, alert_table, error_budget, parse_alert_tier
from hacalc.core.periods import Conventions
from hacalc.core.units import format_percent, parse_availability, parse_duration, small_percentage_note
from hacalc.i18n import _, command_help

BUDGET_COLUMNS = (
    "target", "window_seconds", "allowed_seconds", "spent_seconds", "remaining_seconds", "consumed",
    "elapsed_seconds", "burn_rate", "time_to_exhaustion_seconds", "exhausted",
)
ALERT_COLUMNS = (
    "severity", "long_window", "short_window", "burn_rate", "budget_consumed", "error_rate_threshold",
    "time_to_exhaustion_seconds",
)


def budget(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(metavar="TARGET", help=_("SLO target, e.g. 99.9 or 99.9%."), show_default=False)],
    window: Annotated[str, typer.Option("--window", "-w", help=_("SLO window."))] = "30d",
    spent: Annotated[str, typer.Option("--spent", help=_("Downtime (or bad-minute equivalent) spent so far."))] = "0s",
    elapsed: Annotated[
        Optional[str], typer.Option("--elapsed", help=_("How much of the window has passed (default: all of it)."))
    ] = None,
    alerts: Annotated[bool, typer.Option("--alerts", help=_("Add the multiwindow, multi-burn-rate alert table."))] = False,
    alert: Annotated[
        Optional[list[str]],
        typer.Option(
            "--alert",
            help=_("Own alert tier: budget %, long window, then optionally short window and severity, joined by colons "
            "(2%:1h:5m:page); repeatable; implies --alerts."),
        ),
    ] = None,
    check: Annotated[bool, typer.Option("--check", help=_("Exit 1 when the budget is exhausted."))] = False,
    output_format: FormatOption = OutputFormat.table,
    year_days: YearDaysOption = "365",
    month: MonthOption = None,
    quarter: QuarterOption = None,
    rounding: RoundOption = RoundingChoice.nearest,
) -> None:
    """Error budget of TARGET over a window: allowed, spent, remaining, burn rate and time to exhaustion.

    The default alert tiers are the SRE Workbook's: a share of the budget (2 %, 5 %, 10 %) spent in 1h/5m,
    6h/30m or 3d/6h; their burn rates are derived from --window, so a 28-day or 7-day SLO gets its own thresholds.

    Example:

        hacalc budget 99.9 --window 30d --spent 25m --elapsed 10d --alerts --check
    """
    conventions = conventions_from(year_days, month, quarter, rounding)
    result = error_budget(
        located("TARGET", parse_availability, target),
        located("--window", parse_duration, window, allow_zero=False, conventions=conventions),
        located("--spent", parse_duration, spent, conventions=conventions),
        None if elapsed is None else located("--elapsed", parse_duration, elapsed, allow_zero=False, conventions=conventions),
    )
    env = ctx.obj
    if note := small_percentage_note(target):
        env.warn(note)
    tiers = tuple(located("--alert", parse_alert_tier, text) for text in alert) if alert else DEFAULT_TIERS
    rows = alert_table(result, tiers) if alerts or alert else []

    if output_format is OutputFormat.json:
        write_json(env, {**result.as_dict(), "alerts": [row.as_dict() for row in rows], "conventions": conventions.as_dict()})
    elif output_format is OutputFormat.csv:
        budget_cells = list(result.as_dict().values())
        alert_cells = [list(row.as_dict().values()) for row in rows] or [[None] * len(ALERT_COLUMNS)]
        write_csv(env, (*BUDGET_COLUMNS, *(f"alert_{column}" for column in ALERT_COLUMNS)), (budget_cells + cells for cells in alert_cells))
    else:
        _write_budget_table(env, result, conventions, target)
        if rows:
            _write_alert_table(env, rows, conventions)
    if check and result.exhausted:
        print(_("FAIL: the error budget is exhausted ({consumed:.1%} consumed)").format(consumed=float(result.consumed)), file=env.stderr)
        raise typer.Exit(ExitStatus.GATE_FAILED)


def _write_budget_table(env, result: Budget, conventions: Conventions, target_text: str) -> None:
    show = partial(render.duration, conventions=conventions, trim=True)
    exhaustion = result.time_to_exhaustion
    write_table(
        env,
        (_("quantity"), _("value")),
        [
            (_("allowed downtime"), show(result.allowed)),
            (_("spent"), show(result.spent)),
            (_("remaining"), show(result.remaining) if result.remaining >= 0 else _("-{overspent} (over budget)").format(overspent=show(-result.remaining))),
            (_("consumed"), format_percent(result.consumed, 1 - result.consumed) if result.consumed <= 1 else f"{float(result.consumed):.1%}"),
            (_("burn rate so far"), _("{rate:.3g}× over {elapsed}").format(rate=float(result.burn_rate), elapsed=show(result.elapsed))),
            (_("exhausted in"), _("never at this rate") if exhaustion is None else show(exhaustion)),
        ],
        title=_("Error budget: {target} over {window}").format(target=format_percent(result.target), window=show(result.window)),
        caption=render.conventions_caption(conventions),
    )


def _write_alert_table(env, rows: list[AlertRow], conventions: Conventions) -> None:
    show = partial(render.duration, conventions=conventions, trim=True)
    columns = (_("severity"), _("long window"), _("short window"), _("burn rate"), _("budget consumed"), _("error rate ≥"), _("exhausts budget in"))
    write_table(
        env,
        columns,
        (
            (
                row.tier.severity,
                show(row.tier.long_window),
                show(row.tier.short_window),
                f"{float(row.burn_rate):.4g}",
                f"{float(row.tier.budget_fraction) * 100:g}%",
                f"{float(row.error_rate_threshold) * 100:.4g}%",
                show(row.time_to_exhaustion),
            )
            for row in rows
        ),
        title=_("Multiwindow, multi-burn-rate alerts (fire when both windows exceed the burn rate)"),
        optional=(columns[6], columns[4], columns[5]),
    )


def register(app: typer.Typer) -> None:
    app.command("budget", help=command_help(budget))(budget)
