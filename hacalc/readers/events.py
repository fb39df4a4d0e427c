"""vCenter events as incident sources: ``govc events -l -json`` and PowerCLI ``Get-VIEvent`` rows as JSON.

Each event that changes an object's state becomes a ``Signal``, and ``core.pairing.pair`` (the one
pairing rule) turns the signals into incidents. Which events count (reference inventories.md §3.1, §3.4):

================================================================  =========================
event type id (matched case-insensitively)                        signal
================================================================  =========================
``com.vmware.vc.HA.DasHostFailedEvent``, ``DasHostFailedEvent``,  host down
``HostConnectionLostEvent``
``HostConnectedEvent``                                            host up
``com.vmware.vc.ha.VmRestartedByHAEvent``,                        VM restarted by HA
``VmRestartedOnAlternateHostEvent``
``VmDasBeingResetEvent``, ``VmDasBeingResetWithScreenshotEvent``  VM down
``VmPoweredOnEvent``, ``DrsVmPoweredOnEvent``                     VM up
``EnteringMaintenanceModeEvent``, ``EnteredMaintenanceModeEvent``  host planned start
``ExitMaintenanceModeEvent``                                      host planned end
================================================================  =========================

Every other event is counted by its type in ``SourceRead.unused_events``, never an error.

govc (vmware/govmomi ``cli/events/command.go``): ``govc events -l -json [PATH]...`` writes one JSON
object per line, ``{"type", "createdTime", "category", "message", "key"}`` and ``"object"`` when several
paths are given. ``type`` (only with ``-l``) is the Go class name of the event, except that an
``EventEx`` shows its ``EventTypeId``: an ``ExtendedEvent`` — the class of the HA host-failure and
restart events (inventories.md §3.1) — shows as ``ExtendedEvent``. Such events, and every event of
``govc events -json`` without ``-l``, are recognised by their English message text (warning kind
``no-event-types`` when ``type`` is missing). govc appends `` (<ObjectId>)`` to an ``EventEx``'s
message; the HA templates, which are the EventEx ones, end in ``.*`` and take it in. ``object`` is not used as a name: it is the path that was queried,
and govc asks for its events with recursion ``all`` (``event/processor.go``), so it is often the
cluster or folder rather than the event's own VM or host. govc's ``-n`` (default 25) limits how far
back the output reaches; use a large ``-n`` (see inventories.md §3.3 for the caveat above 1000).

PowerCLI: the rows come from this one-liner (PowerShell 5.1 or 7; ``Key`` orders events written in
the same microsecond and lets a repeated event be counted once)::

    Get-VIEvent -Start (Get-Date).AddDays(-90) -MaxSamples ([int]::MaxValue) | Select-Object Key, @{N='CreatedTime';E={$_.CreatedTime.ToUniversalTime().ToString('o')}}, @{N='EventTypeId';E={if ($_.EventTypeId) {$_.EventTypeId} else {$_.GetType().Name}}}, FullFormattedMessage, @{N='Vm';E={$_.Vm.Name}}, @{N='Host';E={$_.Host.Name}} | ConvertTo-Json -Depth 2 | Out-File -Encoding utf8 events.json

The properties are the vSphere API's: ``Event.key``, ``Event.createdTime``, ``Event.fullFormattedMessage``,
``Event.vm.name`` (``VmEventArgument``), ``Event.host.name`` (``HostEventArgument``), and ``eventTypeId``,
which only ``EventEx`` and ``ExtendedEvent`` have — other events are named by their class
(``VMware.Vim.VmPoweredOnEvent`` → ``VmPoweredOnEvent``). Read: a JSON array (``ConvertTo-Json`` of
many), a single object (of one), keys in any case, a UTF-8 BOM (``Out-File -Encoding utf8`` in 5.1
writes one), ``CreatedTime`` as ISO 8601 (``'o'`` writes 7 fractional digits; the 7th is cut) or
PowerShell 5.1's ``/Date(ms)/``, and ``Vm``/``Host`` as a name or as an object with ``Name`` (rows
converted without the ``Select-Object``). ``Get-VIEvent`` lists the newest first; order does not matter.

Message templates (English vCenter; other locales are not recognised, and an event that must be used
but whose object cannot be named is counted in warning kind ``unnamed-object``):

* ``{vm} on {host} in {datacenter} is powered on`` (VmPoweredOnEvent), ``DRS powered On {vm} on {host} in
  {datacenter}`` (DrsVmPoweredOnEvent), ``Host {host} in {datacenter} has started to enter`` / ``has
  entered`` / ``has exited maintenance mode``: verbatim from govmomi ``simulator/esx/event_manager.go``
  (captured from ``EventManager.description.eventInfo``; ``{{.Vm.Name}}`` written ``{vm}`` here).
* ``vSphere HA detected a possible host failure of host {host} in cluster {cluster} in datacenter {dc}``
  (com.vmware.vc.HA.DasHostFailedEvent): as quoted in public syslog parsers and KB 324992.
* ``vSphere HA restarted virtual machine {vm} on host {host} in cluster {cluster}`` (VmRestartedByHAEvent):
  KB 2036555 and PowerCLI scripts quoted in inventories.md §3.1; `` in {datacenter}`` may follow.
* ``{vm} on host {host} in cluster {cluster} in {datacenter} is reset by vSphere HA. Reason: …``
  (VmDasBeingResetEvent; public scripts match ``reset by vSphere HA. Reason:``), ``Host {host} in
  {datacenter} is not responding`` (HostConnectionLostEvent), ``Connected to {host} in {datacenter}``
  (HostConnectedEvent): the vCenter English catalogue as given in the project brief.
* **[unverified]** legacy ``A possible host failure has been detected by HA on {host} …`` (DasHostFailedEvent)
  and ``Virtual machine {vm} was restarted on {host} since {sourceHost} failed``
  (VmRestartedOnAlternateHostEvent): from memory of the pre-5.0 catalogue, no public copy found.

Host names never contain spaces (DNS names and addresses); VM, cluster and datacenter names may.

Bad input stops the read with the file, line and field: text that is not UTF-8 (or is UTF-16, the
default of PowerShell 5.1's ``Out-File``), invalid JSON, a record that is not an object, a missing or
unreadable time. A file whose events pair into no incident gives warning kind ``nothing-paired``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import tzinfo
from typing import Any, NamedTuple, TextIO

from hacalc.core.errors import InputError
from hacalc.core.incidents import SourceRead
from hacalc.core.pairing import Change, Signal, pair
from hacalc.core.text import visible
from hacalc.core.warnings import DataWarning
from hacalc.i18n import N_, _
from hacalc.readers.files import quoted
from hacalc.readers.timestamps import parse_time

GOVC = "govc-events"
POWERCLI = "powercli-events"
EXAMPLES = 3
NO_TYPE = "(no type)"  # unused_events key for events without a type whose message is not one we read
GENERIC_TYPES = frozenset({"extendedevent", "eventex"})  # govc -l shows these class names, not the event id

__all__ = ["GOVC", "POWERCLI", "looks_like_events", "read_govc_events", "read_powercli_events"]


# What each event means -----------------------------------------------------------------------------


class _Meaning(NamedTuple):
    change: Change
    object_type: str  # "host" or "vm"
    message_first: bool  # the message names the object more surely than the row's Vm/Host field


_HOST_DOWN = _Meaning(Change.down, "host", True)  # an HA event's Host may be the reporting host, the message names the failed one
_MEANINGS: dict[str, _Meaning] = {
    "com.vmware.vc.ha.dashostfailedevent": _HOST_DOWN,
    "dashostfailedevent": _HOST_DOWN,
    "hostconnectionlostevent": _Meaning(Change.down, "host", False),
    "hostconnectedevent": _Meaning(Change.up, "host", False),
    "com.vmware.vc.ha.vmrestartedbyhaevent": _Meaning(Change.restarted, "vm", False),
    "vmrestartedonalternatehostevent": _Meaning(Change.restarted, "vm", False),
    "vmdasbeingresetevent": _Meaning(Change.down, "vm", False),
    "vmdasbeingresetwithscreenshotevent": _Meaning(Change.down, "vm", False),
    "vmpoweredonevent": _Meaning(Change.up, "vm", False),
    "drsvmpoweredonevent": _Meaning(Change.up, "vm", False),
    "enteringmaintenancemodeevent": _Meaning(Change.planned_start, "host", False),
    "enteredmaintenancemodeevent": _Meaning(Change.planned_start, "host", False),
    "exitmaintenancemodeevent": _Meaning(Change.planned_end, "host", False),
}

_HOST = r"(?P<host>\S+)"
_VM = r"(?P<vm>.+)"
# (event id, pattern): the first whose pattern matches the whole message names the event when its type does not.
_TEMPLATES: list[tuple[str, re.Pattern[str]]] = [
    (event_id, re.compile(pattern, re.DOTALL))
    for event_id, pattern in [
        ("com.vmware.vc.HA.DasHostFailedEvent", rf"vSphere HA detected a possible host failure of host {_HOST}(?: in cluster .*)?"),
        ("DasHostFailedEvent", rf"A possible host failure has been detected by (?:vSphere )?HA on {_HOST}(?: in cluster .*)?"),
        ("HostConnectionLostEvent", rf"Host {_HOST} in .+ is not responding"),
        ("HostConnectedEvent", rf"Connected to {_HOST} in .+"),
        ("com.vmware.vc.ha.VmRestartedByHAEvent", rf"vSphere HA restarted virtual machine {_VM} on host {_HOST}(?: in cluster .*)?"),
        ("VmRestartedOnAlternateHostEvent", rf"Virtual machine {_VM} was restarted on {_HOST} since \S+ failed"),
        ("VmDasBeingResetEvent", rf"{_VM} on (?:host )?{_HOST} in cluster .+ (?:is )?reset by vSphere HA\. Reason: .*"),
        ("VmPoweredOnEvent", rf"{_VM} on {_HOST} in .+ is powered on"),
        ("DrsVmPoweredOnEvent", rf"DRS powered On {_VM} on {_HOST} in .+"),
        ("EnteringMaintenanceModeEvent", rf"Host {_HOST} in .+ has started to enter maintenance mode"),
        ("EnteredMaintenanceModeEvent", rf"Host {_HOST} in .+ has entered maintenance mode"),
        ("ExitMaintenanceModeEvent", rf"Host {_HOST} in .+ has exited maintenance mode"),
    ]
]


def _from_message(message: str) -> str | None:
    """The event id a message is written by, read from its template."""
    return next((event_id for event_id, pattern in _TEMPLATES if pattern.fullmatch(message)), None)


def _name_in_message(message: str, meaning: _Meaning) -> str | None:
    """The object a message names, read with any template of an event that means the same."""
    for event_id, pattern in _TEMPLATES:
        if _MEANINGS[event_id.lower()][:2] == meaning[:2]:
            match = pattern.fullmatch(message)
            if match:
                return match.group(meaning.object_type)
    return None


# Public functions ------------------------------------------------------------------------------------

_KEY = r'"{}"\s*:'
_CREATED = re.compile(_KEY.format("createdtime"), re.IGNORECASE)
_POWERCLI_KEYS = re.compile("|".join(_KEY.format(key) for key in ("fullformattedmessage", "eventtypeid")), re.IGNORECASE)
_GOVC_MESSAGE = re.compile(_KEY.format("message"), re.IGNORECASE)


def looks_like_events(head: str) -> str | None:
    """``"powercli-events"``, ``"govc-events"`` or None, judged from the first few KB of a file.

    A JSON key ``CreatedTime`` with ``FullFormattedMessage`` or ``EventTypeId`` is PowerCLI; ``createdTime``
    with ``message`` is govc (keys in any case). Incident lists (``object``, ``start``, ``end``) are neither.
    """
    if not _CREATED.search(head):
        return None
    if _POWERCLI_KEYS.search(head):
        return POWERCLI
    if _GOVC_MESSAGE.search(head):
        return GOVC
    return None


def read_govc_events(lines: Iterable[str | bytes] | TextIO, name: str, zone: tzinfo) -> SourceRead:
    """``govc events -l -json`` (or without ``-l``): JSON objects one per line, or a JSON array of them."""
    events = [_govc_event(record, where) for where, record in _records(_text(lines, name), name)]
    return _source(events, name, GOVC, zone)


def read_powercli_events(lines: Iterable[str | bytes] | TextIO, name: str, zone: tzinfo) -> SourceRead:
    """PowerCLI ``Get-VIEvent`` rows as ``ConvertTo-Json`` writes them (the one-liner in the module docstring)."""
    events = [_powercli_event(record, where) for where, record in _records(_text(lines, name), name)]
    return _source(events, name, POWERCLI, zone)


# Reading the text --------------------------------------------------------------------------------------


def _text(lines: Iterable[str | bytes] | TextIO, name: str) -> str:
    """All lines as one string, each held to UTF-8; a BOM at the start is dropped."""
    parts: list[str] = []
    number = 0
    iterator = iter(lines)
    while True:
        try:
            line = next(iterator)
        except StopIteration:
            break
        except UnicodeDecodeError:  # a text stream opened with strict UTF-8: its bytes are not seen
            raise _not_utf8(name, number + 1, utf16=False) from None
        number += 1
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError:
                raise _not_utf8(name, number, utf16=number == 1 and line[:2] in (b"\xff\xfe", b"\xfe\xff")) from None
        else:
            try:
                line.encode("utf-8")  # a stream decoding with surrogateescape hands on bytes that are not UTF-8
            except UnicodeEncodeError:
                raise _not_utf8(name, number, utf16=number == 1 and line[:2] in ("\udcff\udcfe", "\udcfe\udcff")) from None
        parts.append(line)
    text = "".join(parts)
    if "\n" not in text and len(parts) > 1:  # lines handed over without their line ends
        text = "\n".join(parts)
    if "\x00" in text[:200]:  # UTF-16 without a BOM reads as UTF-8 with a NUL beside every ASCII character
        raise _not_utf8(name, 1, utf16=True)
    return text.removeprefix("\ufeff")


def _not_utf8(name: str, line: int, *, utf16: bool) -> InputError:
    if utf16:
        return InputError(
            _("the file is UTF-16 text, not UTF-8"),
            f"in {name} line {line}",
            _("write it with Out-File -Encoding utf8 (PowerShell 5.1's default is UTF-16), or convert it to UTF-8"),
        )
    return InputError(_("the file is not UTF-8 text"), f"in {name} line {line}", _("save it as UTF-8 (PowerShell: Out-File -Encoding utf8)"))


class _Where(NamedTuple):
    name: str
    line: int
    path: str  # "[3]" for the fourth element of an array, "" for a top-level object

    def field(self, field: str | None = None) -> str:
        """``in FILE line N ([3].CreatedTime)``: the form of every error about a record."""
        shown = visible(field)[:60] if field else None
        inside = f"{self.path}.{shown}" if self.path and shown else (self.path or shown or "")
        return f"in {self.name} line {self.line}" + (f" ({inside})" if inside else "")

    @property
    def origin(self) -> str:
        return f"{self.name} line {self.line}"


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _records(text: str, name: str) -> Iterator[tuple[_Where, dict[str, Any]]]:
    """Every record: top-level JSON objects (one a line, or spread over lines), or objects inside top-level arrays."""
    lines = _LineCounter(text)
    skip = lambda at: _WHITESPACE.match(text, at).end()  # noqa: E731
    position = skip(0)
    while position < len(text):
        if text[position] != "[":
            where = _Where(name, lines.at(position), "")
            value, position = _decode(text, position, name)
            yield where, _object(value, where)
            position = skip(position)
            continue
        opened = lines.at(position)
        position = skip(position + 1)
        index = 0
        closed = text.startswith("]", position)
        position += closed
        while not closed:
            if position >= len(text):
                raise _bad_json(_("the array opened on line {line} is not closed").format(line=opened), name, lines.at(position), 1)
            where = _Where(name, lines.at(position), f"[{index}]")
            value, position = _decode(text, position, name)
            yield where, _object(value, where)
            index += 1
            position = skip(position)
            if text.startswith(",", position):
                position = skip(position + 1)
            elif text.startswith("]", position):
                position, closed = position + 1, True
            elif position < len(text):
                column = position - text.rfind("\n", 0, position)
                raise _bad_json("expecting ',' or ']' after an array element", name, lines.at(position), column)
        position = skip(position)


class _LineCounter:
    """Line numbers of increasing positions, counting each newline once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.line = 1

    def at(self, position: int) -> int:
        if position < self.position:
            return self.text.count("\n", 0, position) + 1
        self.line += self.text.count("\n", self.position, position)
        self.position = position
        return self.line


def _decode(text: str, position: int, name: str) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, position)
    except json.JSONDecodeError as error:
        content = text.rstrip()
        if error.pos >= len(content):  # cut short: name the last line written, not the empty one after it
            line_start = content.rfind("\n") + 1
            raise _bad_json(f"{error.msg} (the file ends inside a record)", name, content.count("\n") + 1, len(content) - line_start + 1) from None
        raise _bad_json(error.msg, name, error.lineno, error.colno) from None
    except RecursionError:
        line = text.count("\n", 0, position) + 1
        raise InputError(_("the JSON nests too deeply"), f"in {name} line {line}", _("give the events as flat JSON objects")) from None


def _bad_json(message: str, name: str, line: int, column: int) -> InputError:
    return InputError(
        _("invalid JSON: {message}").format(message=message),
        f"in {name} line {line} column {column}",
        _("give the JSON output of govc events -l -json, or of Get-VIEvent | ConvertTo-Json (not their text output)"),
    )


def _object(value: Any, where: _Where) -> dict[str, Any]:
    if not isinstance(value, dict):
        kind = {list: "a list", str: "a string", bool: "true or false", type(None): "null"}.get(type(value), "a number")
        raise InputError(_("the record is {kind}, not a JSON object").format(kind=kind), where.field(), _("give one JSON object per event"))
    fields: dict[str, Any] = {}
    for key, field in value.items():
        fields.setdefault(key.strip().lower(), (key, field))
    return fields


# From records to events --------------------------------------------------------------------------------


class _Event(NamedTuple):
    where: _Where
    time_text: Any  # checked and parsed with the zone in _source
    time_field: str
    type: str | None
    message: str
    vm: str | None
    host: str | None
    key: int | None


def _govc_event(fields: dict[str, Any], where: _Where) -> _Event:
    time_field, time_value = _required(fields, "createdTime", where)
    return _Event(
        where,
        time_value,
        time_field,
        _optional_text(fields, "type", where),
        _optional_text(fields, "message", where) or "",
        None,
        None,
        _key(fields),
    )


def _powercli_event(fields: dict[str, Any], where: _Where) -> _Event:
    time_field, time_value = _required(fields, "CreatedTime", where)
    if isinstance(time_value, dict):  # a DateTime with note properties in PowerShell 5.1: {"value": "/Date(…)/", …}
        inner = {key.lower(): field for key, field in time_value.items()}
        if "value" in inner:
            time_value = inner["value"]
    return _Event(
        where,
        time_value,
        time_field,
        _optional_text(fields, "EventTypeId", where),
        _optional_text(fields, "FullFormattedMessage", where) or "",
        _name_field(fields, "Vm", where),
        _name_field(fields, "Host", where),
        _key(fields),
    )


def _required(fields: dict[str, Any], field: str, where: _Where) -> tuple[str, Any]:
    if field.lower() not in fields:
        shown = ", ".join(quoted(key, 30) for key, _ in list(fields.values())[:6]) or _("none")
        raise InputError(_("the event has no {field} (keys: {shown})").format(field=field, shown=shown), where.field(), _("give every event a {field}").format(field=field))
    return fields[field.lower()]


def _optional_text(fields: dict[str, Any], field: str, where: _Where) -> str | None:
    key, value = fields.get(field.lower(), (field, None))
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(_("{key} is {value}, not text").format(key=visible(key)[:60], value=quoted(value)), where.field(key), _("give {field} as a JSON string").format(field=field))
    return value.strip() or None


def _name_field(fields: dict[str, Any], field: str, where: _Where) -> str | None:
    key, value = fields.get(field.lower(), (field, None))
    if isinstance(value, dict):  # Vm or Host converted whole: VmEventArgument {"Vm": …, "Name": "app01"}
        inner = {name.lower(): (name, item) for name, item in value.items()}
        return _optional_text(inner, "Name", _Where(where.name, where.line, f"{where.path}.{key}" if where.path else key))
    return _optional_text(fields, field, where)


def _key(fields: dict[str, Any]) -> int | None:
    _key, value = fields.get("key", ("key", None))
    return value if type(value) is int else None


def _time(event: _Event, zone: tzinfo) -> int:
    value = event.time_text
    if not isinstance(value, str):
        raise InputError(_("{key} is {value}, not text").format(key=visible(event.time_field)[:60], value=quoted(value)), event.where.field(event.time_field), _("give the time as a JSON string such as 2026-03-03T14:28:05.123456Z"))
    try:
        return parse_time(value, zone)
    except InputError as error:
        raise error.located(event.where.field(event.time_field)) from None


# From events to signals and incidents ------------------------------------------------------------------


def _source(events: list[_Event], name: str, input_format: str, zone: tzinfo) -> SourceRead:
    source = SourceRead(name, input_format, lines_read=len(events))
    timed = [(_time(event, zone), event) for event in events]
    if len(timed) > 1 and timed[0][0] > timed[-1][0]:  # newest first, as Get-VIEvent lists: ties then read oldest first
        timed.reverse()
    if timed and all(event.key is not None for _, event in timed):
        timed.sort(key=lambda item: (item[0], item[1].key))  # vCenter numbers events in the order it logged them
    if timed:
        source.span = (min(time for time, _ in timed), max(time for time, _ in timed))
    signals: list[Signal] = []
    untyped = 0
    unnamed: list[str] = []
    duplicates: list[str] = []
    seen_keys: set[int] = set()
    for time, event in timed:
        if event.key is not None:
            if event.key in seen_keys:  # govc with several paths, or rows exported twice, repeat an event
                duplicates.append(f"key {event.key} at {event.where.origin}")
                continue
            seen_keys.add(event.key)
        event_type = visible(event.type) if event.type is not None else None
        if event_type is None:
            untyped += 1
        meaning = _MEANINGS.get(event_type.lower()) if event_type else None
        if meaning is None and (event_type is None or event_type.lower() in GENERIC_TYPES):
            recognised = _from_message(event.message)
            if recognised is not None:
                event_type = recognised
                meaning = _MEANINGS[recognised.lower()]
        if meaning is None:
            source.unused_events[event_type or NO_TYPE] += 1
            continue
        name_in_row = event.vm if meaning.object_type == "vm" else event.host
        name_in_message = _name_in_message(event.message, meaning) if event.message else None
        chosen = (name_in_message or name_in_row) if meaning.message_first else (name_in_row or name_in_message)
        if not chosen:
            unnamed.append(f"{event_type} at {event.where.origin}")
            continue
        signals.append(Signal(time, visible(chosen), meaning.object_type, meaning.change, event_type, event.where.origin))
    paired = pair(signals)
    source.incidents = paired.incidents
    source.lines_used = paired.used
    source.warnings = _warnings(source, input_format, untyped, unnamed, duplicates) + paired.warnings
    return source


def _warnings(source: SourceRead, input_format: str, untyped: int, unnamed: list[str], duplicates: list[str]) -> list[DataWarning]:
    warnings: list[DataWarning] = []
    if untyped:
        how = "run govc events -l -json" if input_format == GOVC else "add the EventTypeId column of the documented Get-VIEvent one-liner"
        warnings.append(
            DataWarning(
                "no-event-types",
                f"{untyped} of {source.lines_read} events have no event type: they were recognised by their English message "
                f"text only, and events in another language are not recognised ({how})",
                untyped,
            )
        )
    if unnamed:
        warnings.append(
            DataWarning(
                "unnamed-object",
                N_(
                    "events that start or end an incident but whose VM or host could not be named from the message or row "
                    "are not counted (messages not in English? for PowerCLI, export the Vm and Host columns)"
                ),
                len(unnamed),
                tuple(unnamed[:EXAMPLES]),
            )
        )
    if duplicates:
        warnings.append(
            DataWarning(
                "duplicate-events",
                N_("events given more than once (the same key) are counted once (govc events with overlapping paths)"),
                len(duplicates),
                tuple(duplicates[:EXAMPLES]),
            )
        )
    if not source.incidents:
        if source.lines_read:
            message = (
                f"{source.lines_read} events read, none of them started or ended an incident: no host failure, HA restart or "
                "reset, or maintenance in the record (check how far back it reaches: govc events -n, Get-VIEvent -Start)"
            )
        else:
            message = N_("the file holds no events: the availability it gives is not a measurement")
        warnings.append(DataWarning("nothing-paired", message, max(source.lines_read, 1)))
    return warnings
