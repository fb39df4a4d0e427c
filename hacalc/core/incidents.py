"""Observed incidents: the one record every incident reader produces (lists, vCenter events, host logs).

Times are integer microseconds since the Unix epoch in UTC: exact, cheap to compare and subtract, and as
fine as any source gives (vSphere writes microseconds; finer digits are cut). Durations in reports become
exact ``Fraction`` seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from hacalc.core.warnings import DataWarning

MICROSECONDS = 1_000_000
STILL_OPEN = 2**61  # the end of an incident still open when its record ends: after any window, never a repair;
# 2·STILL_OPEN + 1 still fits int64, for the sweep's sort key


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


@dataclass(frozen=True)
class IncidentTable:
    """Incidents as numpy columns, the form ``summarize`` works on: a list of a million rows is a few arrays.

    ``code`` indexes ``objects``; an object's services and type (for grouping) are kept per object.
    """

    objects: tuple[str, ...]
    code: Any  # int64 per incident
    start: Any  # int64 µs
    end: Any  # int64 µs, STILL_OPEN where open
    planned: Any  # bool
    services: tuple[frozenset[str], ...]  # per object
    object_types: tuple[str | None, ...]  # per object

    def __len__(self) -> int:
        return len(self.code)

    @classmethod
    def from_incidents(cls, incidents: Sequence[Incident]) -> IncidentTable:
        import numpy as np

        index: dict[str, int] = {}
        codes = [index.setdefault(incident.object, len(index)) for incident in incidents]
        services: list[set[str]] = [set() for _ in index]
        object_types: list[str | None] = [None] * len(index)
        for code, incident in zip(codes, incidents):
            if incident.service:
                services[code].add(incident.service)
            object_types[code] = object_types[code] or incident.object_type
        return cls(
            tuple(index),
            np.array(codes, dtype=np.int64),
            np.array([incident.start for incident in incidents], dtype=np.int64),
            np.array([STILL_OPEN if incident.end is None else incident.end for incident in incidents], dtype=np.int64),
            np.array([incident.planned for incident in incidents], dtype=bool),
            tuple(frozenset(names) for names in services),
            tuple(object_types),
        )

    @classmethod
    def joined(cls, tables: Sequence[IncidentTable]) -> IncidentTable:
        """One table from several sources; an object named in two sources is one object."""
        import numpy as np

        index: dict[str, int] = {}
        services: list[set[str]] = []
        object_types: list[str | None] = []
        recoded = []
        for table in tables:
            mapping = np.array([index.setdefault(name, len(index)) for name in table.objects] or [0], dtype=np.int64)
            for name, names, object_type in zip(table.objects, table.services, table.object_types):
                code = index[name]
                if code == len(services):
                    services.append(set())
                    object_types.append(None)
                services[code] |= names
                object_types[code] = object_types[code] or object_type
            recoded.append(mapping[table.code])
        return cls(
            tuple(index),
            np.concatenate(recoded or [np.zeros(0, np.int64)]),
            np.concatenate([table.start for table in tables] or [np.zeros(0, np.int64)]),
            np.concatenate([table.end for table in tables] or [np.zeros(0, np.int64)]),
            np.concatenate([table.planned for table in tables] or [np.zeros(0, bool)]),
            tuple(frozenset(names) for names in services),
            tuple(object_types),
        )

    def span(self) -> tuple[int, int] | None:
        """First start to last known time (an open incident's end is unknown)."""
        if not len(self):
            return None
        known = self.end[self.end != STILL_OPEN]
        last = max(int(self.start.max()), int(known.max()) if len(known) else 0)
        return int(self.start.min()), last


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
    table: IncidentTable | None = None  # the incidents as columns, when the reader built them that way

    def incident_table(self) -> IncidentTable:
        return self.table if self.table is not None else IncidentTable.from_incidents(self.incidents)

    def incident_count(self) -> int:
        return len(self.table) if self.table is not None else len(self.incidents)

    def covered(self) -> tuple[int, int] | None:
        """What the source observed: its own span, widened by its incidents' known times."""
        spans = [span for span in (self.span, self.incident_table().span()) if span is not None]
        return (min(first for first, _ in spans), max(last for _, last in spans)) if spans else None

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "format": self.input_format,
            "lines_read": self.lines_read,
            "lines_used": self.lines_used,
            "incidents": self.incident_count(),
            "unused_events": dict(sorted(self.unused_events.items())),
            "warnings": [warning.as_dict() for warning in self.warnings],
        }

