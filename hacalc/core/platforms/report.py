"""What a platform's failover rule returns: one shape for every platform, so the CLI renders them alike.

The keys of ``as_dict`` are the product's JSON keys. ``reserved_memory_mb`` is what the rule holds back for
failover; a rule that plans instead of reserving (XenServer, SCVMM) reports the memory its worst failure
set has to re-home, and a rule with no reservation (Proxmox, Nutanix best effort) reports 0. The notes
say which, for each rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hacalc.i18n import N_, Message

EXACT = N_("exact")  # a rule's method: a JSON value, translated where shown
APPROXIMATION = N_("approximation")
BEST_EFFORT = N_("best effort: no reservation")

MAX_DETAIL_ROWS = 50  # failure sets shown, tightest first; the count of all of them is in the notes


@dataclass(frozen=True)
class RuleDetail:
    """One host, failure set or step of a rule, with the figures that decided it (snake_case keys, MB and MHz)."""

    failed_hosts: tuple[str, ...]
    passed: bool
    figures: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"failed_hosts": list(self.failed_hosts), "passed": self.passed, **self.figures}


@dataclass(frozen=True)
class RuleReport:
    """One platform's rule on one cluster: the verdict, how it was reached, and the rows that show why."""

    platform: str
    rule: str
    tolerate: int
    passed: bool
    method: str  # EXACT, APPROXIMATION or BEST_EFFORT
    reserved_memory_mb: int
    reserved_cpu_mhz: int | None = None  # only where the rule reserves CPU
    details: tuple[RuleDetail, ...] = ()
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "rule": self.rule,
            "tolerate": self.tolerate,
            "passed": self.passed,
            "method": self.method,
            "reserved_memory_mb": self.reserved_memory_mb,
            "reserved_cpu_mhz": self.reserved_cpu_mhz,
            "details": [detail.as_dict() for detail in self.details],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class RuleRow:
    """One row of ``cluster compare``: a rule's verdict on the inventory beside the exact restart check.

    ``admits_unrestartable`` is true when the rule passes while the restart check proves that some failure
    set leaves a VM without a host; None on the restart check's own row.
    """

    platform: str
    rule: str
    tolerate: int
    passed: bool
    method: str
    reserved_memory_mb: int | None
    reserved_cpu_mhz: int | None
    admits_unrestartable: bool | None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "rule": self.rule,
            "tolerate": self.tolerate,
            "passed": self.passed,
            "method": self.method,
            "reserved_memory_mb": self.reserved_memory_mb,
            "reserved_cpu_mhz": self.reserved_cpu_mhz,
            "admits_unrestartable": self.admits_unrestartable,
            "note": self.note,
        }


def tightest(details: list[RuleDetail], margin_key: str) -> tuple[tuple[RuleDetail, ...], list[str]]:
    """The MAX_DETAIL_ROWS rows with the least margin, and a note when rows were left out."""
    ordered = sorted(details, key=lambda detail: detail.figures[margin_key])
    if len(ordered) <= MAX_DETAIL_ROWS:
        return tuple(ordered), []
    return tuple(ordered[:MAX_DETAIL_ROWS]), [Message(N_("showing the {shown} tightest of {sets:,} failure sets"), shown=MAX_DETAIL_ROWS, sets=len(ordered))]
