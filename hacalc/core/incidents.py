"""Observed incidents: the one record every incident reader produces (lists, vCenter events, host logs).

Times are integer microseconds since the Unix epoch in UTC: exact, cheap to compare and subtract, and as
fine as any source gives (vSphere writes microseconds; finer digits are cut). Durations in reports become
exact ``Fraction`` seconds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from hacalc.core.warnings import DataWarning

MICROSECONDS = 1_000_000


class Incident(NamedTuple):
    """One object down from ``start`` to ``end`` (``None``: still down when the record ends)."""

    object: str
    start: int  # µs since the epoch, UTC
    end: int | None
    planned: bool = False
    service: str | None = None
    object_type: str | None = None  # "host" or "vm" where a source says; lists may name their own
    note: str | None = None
    origin: str = ""  # "FILE line N": where the record came from, for reports and errors
    extra: tuple[tuple[str, str], ...] = ()  # the columns a list had beyond the known ones, kept for output


@dataclass
class SourceRead:
    """What one input gave: its incidents, and the counts that show nothing was dropped silently."""

    name: str
    input_format: str  # incidents-csv, incidents-ndjson, govc-events, powercli-events, hostd-log, fdm-log
    incidents: list[Incident] = field(default_factory=list)
    lines_read: int = 0
    lines_used: int = 0  # lines (records, events) that started or ended an incident
    unused_events: Counter[str] = field(default_factory=Counter)  # event type -> count, for event sources
    warnings: list[DataWarning] = field(default_factory=list)
    span: tuple[int, int] | None = None  # first and last time the source records, incidents or not

    def covered(self) -> tuple[int, int] | None:
        """What the source observed: its own span, widened by its incidents' known times."""
        times = [time for incident in self.incidents for time in (incident.start, incident.end) if time is not None]
        if self.span is not None:
            times += self.span
        return (min(times), max(times)) if times else None

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "format": self.input_format,
            "lines_read": self.lines_read,
            "lines_used": self.lines_used,
            "incidents": len(self.incidents),
            "unused_events": dict(sorted(self.unused_events.items())),
            "warnings": [warning.as_dict() for warning in self.warnings],
        }

