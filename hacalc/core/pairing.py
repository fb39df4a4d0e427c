"""From state changes seen in events and logs to incidents: one rule for vCenter events and host logs.

A source says when an object went down (a host failure, an HA reset), came back (reconnected, powered
on), was restarted elsewhere by HA, or entered and left maintenance. The restart events name the VM and
its new host but never the host that failed (reference inventories.md §3.4), so a restarted VM is down
from the latest host failure at or before its restart; with no such failure in the record the restart is
counted in a warning, not guessed. A host's later "not responding" while its failure is open is the same
outage, not a newer failure.
"""

from __future__ import annotations

import bisect
from collections import Counter
from enum import Enum
from typing import NamedTuple

from hacalc.core.incidents import Incident
from hacalc.core.warnings import DataWarning

EXAMPLES = 3


class Change(Enum):
    down = "down"
    up = "up"
    restarted = "restarted"  # by HA, on another host: up, and down since its host failed
    planned_start = "planned_start"
    planned_end = "planned_end"


class Signal(NamedTuple):
    """One event or log line that changes an object's state."""

    time: int  # µs since the epoch, UTC
    object: str
    object_type: str  # "host" or "vm"
    change: Change
    cause: str  # the event id or log phrase, kept as the incident's note
    origin: str  # "FILE line N"


class Paired(NamedTuple):
    incidents: list[Incident]
    used: int  # signals that opened or closed an incident
    warnings: list[DataWarning]


def pair(signals: list[Signal]) -> Paired:
    """Incidents from signals in time order (ties keep the source's order); still-open ones end with ``None``."""
    ordered = sorted(signals, key=lambda signal: signal.time)
    host_failures: list[int] = []  # when each host outage began, in time order: a repeated "down" is the same outage
    open_down: dict[str, Signal] = {}
    open_planned: dict[str, Signal] = {}
    incidents: list[Incident] = []
    orphans: Counter[str] = Counter()
    used = 0
    for signal in ordered:
        key = signal.object
        if signal.change is Change.down:
            if key not in open_down:
                used += 1
                open_down[key] = signal
                if signal.object_type == "host":
                    host_failures.append(signal.time)
        elif signal.change is Change.planned_start:
            if key not in open_planned:
                used += 1
                open_planned[key] = signal
        elif signal.change is Change.planned_end:
            started = open_planned.pop(key, None)
            if started is not None:
                used += 1
                incidents.append(_incident(started, signal.time, planned=True))
        elif signal.change is Change.up:
            started = open_down.pop(key, None)
            if started is not None:
                used += 1
                incidents.append(_incident(started, signal.time))
        else:  # restarted
            started = open_down.pop(key, None) or _host_failure_before(host_failures, signal)
            if started is None:
                orphans[key] += 1
                continue
            used += 1
            incidents.append(_incident(started, signal.time))
    incidents.extend(_incident(signal, None) for signal in open_down.values())
    incidents.extend(_incident(signal, None, planned=True) for signal in open_planned.values())
    warnings = []
    if orphans:
        warnings.append(
            DataWarning(
                "restart-without-failure",
                "VMs restarted by HA with no host failure or reset before them in the record: their downtime is unknown, "
                "so they are not counted (add the events from before the restart)",
                sum(orphans.values()),
                tuple(list(orphans)[:EXAMPLES]),
            )
        )
    return Paired(sorted(incidents, key=lambda incident: (incident.object, incident.start)), used, warnings)


def _host_failure_before(host_failures: list[int], restart: Signal) -> Signal | None:
    index = bisect.bisect_right(host_failures, restart.time)
    if index == 0:
        return None
    return restart._replace(time=host_failures[index - 1], change=Change.down, cause=f"host failure, then {restart.cause}")


def _incident(started: Signal, end: int | None, *, planned: bool = False) -> Incident:
    return Incident(
        object=started.object,
        start=started.time,
        end=end,
        planned=planned,
        object_type=started.object_type,
        note=started.cause,
        origin=started.origin,
    )
