"""Error budgets and burn rates for any SLO window (Google SRE Workbook, ch. 5).

``budget consumed = burn rate × alert window / SLO window``; the Workbook's 14.4 / 6 / 1 table is the
30-day case of it, so thresholds are derived from the window instead of being copied.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from fractions import Fraction

from hacalc.core.errors import InputError
from hacalc.core.units import parse_availability, parse_duration
from hacalc.i18n import _


@dataclass(frozen=True)
class AlertTier:
    """Alert when ``budget_fraction`` of the window's budget is spent within ``long_window``."""

    budget_fraction: Fraction
    long_window: Fraction
    short_window: Fraction
    severity: str


# Workbook Table 5-8: 2 % in 1 h / 5 m and 5 % in 6 h / 30 m page, 10 % in 3 d / 6 h tickets.
DEFAULT_TIERS = (
    AlertTier(Fraction(2, 100), Fraction(3600), Fraction(300), "page"),
    AlertTier(Fraction(5, 100), Fraction(6 * 3600), Fraction(1800), "page"),
    AlertTier(Fraction(10, 100), Fraction(3 * 86400), Fraction(6 * 3600), "ticket"),
)


@dataclass(frozen=True)
class AlertRow:
    tier: AlertTier
    burn_rate: Fraction
    error_rate_threshold: Fraction
    time_to_exhaustion: Fraction

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.tier.severity,
            "long_window": self.tier.long_window,
            "short_window": self.tier.short_window,
            "burn_rate": self.burn_rate,
            "budget_consumed": self.tier.budget_fraction,
            "error_rate_threshold": self.error_rate_threshold,
            "time_to_exhaustion_seconds": self.time_to_exhaustion,
        }


@dataclass(frozen=True)
class Budget:
    """The error budget of ``target`` over ``window`` after ``spent`` of it went in ``elapsed``."""

    target: Fraction
    window: Fraction
    spent: Fraction
    elapsed: Fraction

    @property
    def unavailability(self) -> Fraction:
        return 1 - self.target

    @property
    def allowed(self) -> Fraction:
        return self.unavailability * self.window

    @property
    def remaining(self) -> Fraction:
        return self.allowed - self.spent

    @property
    def consumed(self) -> Fraction:
        return self.spent / self.allowed

    @property
    def exhausted(self) -> bool:
        return self.remaining <= 0

    @property
    def burn_rate(self) -> Fraction:
        """How many times faster than sustainable the budget is going: 1 spends it exactly over the window."""
        return self.spent / (self.elapsed * self.unavailability)

    @property
    def time_to_exhaustion(self) -> Fraction | None:
        """Time left at the burn rate so far; ``None`` when nothing is being spent."""
        if self.exhausted:
            return Fraction(0)
        if self.spent == 0:
            return None
        return self.remaining * self.elapsed / self.spent

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "window_seconds": self.window,
            "allowed_seconds": self.allowed,
            "spent_seconds": self.spent,
            "remaining_seconds": self.remaining,
            "consumed": self.consumed,
            "elapsed_seconds": self.elapsed,
            "burn_rate": self.burn_rate,
            "time_to_exhaustion_seconds": self.time_to_exhaustion,
            "exhausted": self.exhausted,
        }


def error_budget(target: Fraction, window: Fraction, spent: Fraction = Fraction(0), elapsed: Fraction | None = None) -> Budget:
    """Validate and build a ``Budget``; ``elapsed`` defaults to the whole window."""
    if target >= 1:
        raise InputError(_("a 100% target leaves no error budget"), "TARGET", _("give a target below 100%"))
    if window <= 0:
        raise InputError(_("the SLO window must be longer than zero"), "--window", _("e.g. --window 30d"))
    elapsed = window if elapsed is None else elapsed
    if not 0 < elapsed <= window:
        raise InputError(_("elapsed time must be within the window"), "--elapsed", _("give a duration up to --window"))
    if spent > elapsed:
        raise InputError(_("more downtime spent than time elapsed"), "--spent", _("check --spent and --elapsed"))
    return Budget(target, window, spent, elapsed)


def alert_table(budget: Budget, tiers: tuple[AlertTier, ...] = DEFAULT_TIERS) -> list[AlertRow]:
    """The multiwindow, multi-burn-rate alert table for the budget's window."""
    rows = []
    for tier in tiers:
        if tier.long_window > budget.window:
            raise InputError(
                _("an alert window is longer than the SLO window"), "--alert", _("use alert windows within --window")
            )
        burn_rate = tier.budget_fraction * budget.window / tier.long_window
        rows.append(AlertRow(tier, burn_rate, burn_rate * budget.unavailability, budget.window / burn_rate))
    return rows


_SEVERITY = r"[^\W_][\w .-]{0,39}"


def parse_alert_tier(text: str) -> AlertTier:
    """``2%:1h:5m[:page]``; the short window defaults to 1/12 of the long one, as the Workbook advises."""
    fields = [field.strip() for field in text.split(":")]
    if not 2 <= len(fields) <= 4:
        raise InputError(_("cannot read alert tier {text!r}").format(text=text), fix=_("write BUDGET%:LONG[:SHORT[:SEVERITY]], e.g. 2%:1h:5m:page"))
    if not fields[0].endswith("%"):
        # {sign}: Babel would take "% s" for a printf placeholder
        raise InputError(_("alert budget {budget!r} needs a {sign} sign").format(budget=fields[0], sign="%"), fix=_("e.g. 2%:1h:5m"))
    budget_fraction = parse_availability(fields[0])
    if budget_fraction <= 0:
        raise InputError(_("alert budget {budget!r} must be above 0%").format(budget=fields[0]), fix=_("e.g. 2%:1h:5m"))
    long_window = parse_duration(fields[1], allow_zero=False)
    short_window = parse_duration(fields[2], allow_zero=False) if len(fields) > 2 and fields[2] else long_window / 12
    if short_window >= long_window:
        raise InputError(_("short window of {text!r} is not shorter than its long window").format(text=text), fix=_("e.g. 2%:1h:5m"))
    severity = fields[3] if len(fields) > 3 else "alert"
    if not re.fullmatch(_SEVERITY, severity):
        raise InputError(_("alert severity {severity!r} of {text!r} is not a name").format(severity=severity, text=text), fix=_("use letters, digits, spaces, '.', '_' or '-', e.g. page or ticket"))
    return AlertTier(budget_fraction, long_window, short_window, severity)
