"""ESXi host logs (hostd.log, fdm.log) into incidents: the HA events in them become ``Signal``s for ``pair``.

What is read (reference inventories.md §3.2; seed handbook lines 218-260 for ESX 3.5):

* hostd, every version from ESX 3.5 to 8.x: ``Event N : VM on HOST in DC is reset`` (the VM down) and
  ``… is powered on`` (up); other ``is …`` events (powered off, suspended) are counted as unused.
  ``[… 'vm:/vmfs/…/NAME.vmx' …] State Transition (VM_STATE_ON -> VM_STATE_RESETTING)`` (down) and
  ``(VM_STATE_RESETTING -> VM_STATE_ON)`` (up), the VM named by its .vmx file; other transitions are unused.
* fdm: ``Host host-22 changed state: Dead`` (the host down; any other state brings it up) and
  ``New event: EventEx=com.vmware.vc.ha.VmRestartedByHAEvent vm=/vmfs/…/NAME.vmx host=host-23``
  (the VM restarted by HA: down since the host failure before it, see ``pair``).

Event ids, states and names compare case-insensitively (an object keeps its first spelling).

An entry is a line that starts with a time (``[2008-01-17 00:20:50.439 …``, ``2023-07-04T06:06:02.154Z …``)
and the lines after it that do not: a log copied from a book or a wrapped terminal is still read, its lines
joined (with nothing after a ``-`` or ``/`` that ends a line, a space otherwise). A naive time (ESX 3.5)
is in the zone given.

Speed: the file is read in chunks of 8 MiB into one buffer that is reused, split after the last complete
entry; the chunk is folded to lower case and searched with ``bytearray.find`` for a few fixed words, so only
the rare candidate lines (HA events are about one line in a thousand) are decoded and matched in Python.
Newlines are counted with numpy. Memory stays at about three chunks, whatever the size of the log.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import tzinfo
from typing import BinaryIO

from hacalc.core.errors import InputError
from hacalc.core.incidents import SourceRead
from hacalc.core.pairing import Change, Signal, pair
from hacalc.core.warnings import DataWarning
from hacalc.i18n import N_, _
from hacalc.readers.timestamps import parse_time

FORMATS = ("hostd-log", "fdm-log")
WARNING_KINDS = ("nothing-paired", "wrapped-lines", "restart-without-failure")
CHUNK_SIZE = 8 * 1024 * 1024
MAX_ENTRY_BYTES = 1024 * 1024  # an entry with its continuation lines; a longer one is cut at a line end
_MAX_ENTRY_LINES = 200  # continuation lines looked through around a candidate
_LOOKBACK_LINES = 1000  # lines looked back through for the last entry start of a chunk
_EXAMPLES = 3
_KEY_CHARS = 60
_EVENT_CHARS = 4096  # an event is read from the first characters of its entry: bounded regex work on any line

# The fixed words searched in the chunk folded with ``| 0x20`` (ASCII letters to lower case; ``\n`` becomes
# ``*``, so a word never spans lines). Each is one fast ``find`` pass over the chunk.
_HOSTD_WORDS = (b"event ", b"state transition")
_FDM_WORDS = (b"changed state", b"restartedbyhaevent")

# A line that starts an entry: a time (date and time, or a time alone), after an optional syslog
# priority and '['. A month name starts one too, so a syslog time is reported rather than joined on.
_ENTRY_START = re.compile(
    rb"(?:<\d{1,3}>)?\[?(?:\d{4}-\d\d-\d\d[ T]|\d{1,2}:\d\d:\d\d|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d)"
)
_TIME = re.compile(r"\s*(?:<\d{1,3}>)?\[?(\d{4}-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?)?(?:Z|[+-]\d\d(?::?\d\d)?)?|\S+)")

_HOSTD_EVENT = re.compile(r"\bEvent \d+ : (?P<vm>.+) on (?P<host>\S+) in (?P<dc>.+?) is (?P<what>\S.*?)\s*$", re.IGNORECASE)
_HOSTD_STATE = re.compile(r"State\s+Transition\s*\(\s*(?P<old>VM_STATE_\w+)\s*->\s*(?P<new>VM_STATE_\w+)\s*\)", re.IGNORECASE)
_VMX_PATH = re.compile(r"\bvm:(?P<path>/.*?\.vmx)(?=['\]\s]|$)", re.IGNORECASE)
_FDM_HOST = re.compile(r"\bHost (?P<host>\S+) changed state:\s*(?P<state>\w+)", re.IGNORECASE)
_FDM_RESTART_ID = re.compile(r"[\w.]*\Z")  # the event id's namespace, before its class name
_FDM_VM = re.compile(r"\bvm=(?P<path>.*?\.vmx)(?=['\s]|$)", re.IGNORECASE)
_FDM_TARGET = re.compile(r"\bhost=(?P<host>[^\s,;]+)", re.IGNORECASE)

# looks_like_host_log: the line prefixes hostd and fdm write (3.5; 5.x; 6.x-7.x; 8.x and syslog copies)
_LOG_PREFIX = re.compile(
    r"(?:<\d{1,3}>)?(?:"
    r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ '[^']*' \d+ \w+\]"  # [2008-01-17 00:20:50.439 'ha-eventmgr' 35957680 info]
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d) "
    r"(?:\[[0-9A-Fa-f]+ \w+ '[^']*'"  # 2014-04-04T11:41:54.882Z [688C2B70 info 'Hostsvc' opID=…]
    r"|\w+(?:\(\d+\))? (?:hostd|fdm)\[\w+\]"  # … info hostd[2110701] [Originator@6876 …], … In(166) Hostd[…]:
    r"|\S+ (?:hostd|fdm)\[\w+\]"  # … ESXi-10-31-34-51 Fdm[2099736] (a syslog copy)
    r"))",
    re.IGNORECASE,
)
_FDM_MARK = re.compile(
    r"\bfdm\[|opID=SWI-|'(?:Election|Invt|Cluster|FDM|Placement|Execution|Policy|Monitor)'|sub=(?:Election|Invt|Cluster|FDM|Placement|Execution|Policy)\b"
    r"|\[Cluster(?:Election|ManagerImpl)::",
    re.IGNORECASE,
)
_HOSTD_MARK = re.compile(r"\bhostd\[|'ha-eventmgr'|'vm:/|sub=(?:Vimsvc|Hostsvc|Vmsvc|Solo)|'(?:Hostsvc|Vimsvc|TaskManager|Vmsvc|Solo|ha-host)\b", re.IGNORECASE)
_HEAD_LINES = 64


def looks_like_host_log(head: bytes) -> str | None:
    """``"hostd-log"`` or ``"fdm-log"`` when the first bytes of a file look like that log, else None.

    A host log when its first non-blank line, or at least half of its first 64, start as hostd or fdm
    lines do (times and prefixes of ESX 3.5, ESXi 5.x, 6.x-8.x, and syslog copies); fdm when more of those
    lines carry fdm's marks (``fdm[``, its components ``'Election'``/``sub=Invt``…, ``opID=SWI-``) than hostd's.
    """
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = [line for line in text.split("\n")[:_HEAD_LINES] if line.strip()]
    if not lines:
        return None
    prefixed = [line for line in lines if _LOG_PREFIX.match(line)]
    if not prefixed or (prefixed[0] is not lines[0] and 2 * len(prefixed) < len(lines)):
        return None
    fdm = sum(1 for line in prefixed if _FDM_MARK.search(line))
    hostd = sum(1 for line in prefixed if _HOSTD_MARK.search(line))
    return "fdm-log" if fdm > hostd else "hostd-log"


def read_host_log(stream: BinaryIO, name: str, zone: tzinfo, input_format: str | None = None, *, chunk_size: int = CHUNK_SIZE) -> SourceRead:
    """The incidents in a hostd or fdm log read from binary ``stream``; ``name`` is how errors name it.

    ``input_format`` None reads the events of both logs, each line for what it is; "hostd-log" or
    "fdm-log" looks for that log's events only. Raises ``InputError`` for an HA event line that is not
    UTF-8 or whose time cannot be read (lines that are not events may hold anything).
    """
    if input_format is not None and input_format not in FORMATS:
        raise InputError(_("unknown host log format {input_format!r}").format(input_format=input_format), fix=_("give one of {formats}").format(formats=", ".join(FORMATS)))
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    words = {"hostd-log": _HOSTD_WORDS, "fdm-log": _FDM_WORDS}.get(input_format or "", _HOSTD_WORDS + _FDM_WORDS)
    reader = _Reader(name, zone, words)
    reader.read(stream, chunk_size)
    return reader.result(input_format)


class _Reader:
    def __init__(self, name: str, zone: tzinfo, words: tuple[bytes, ...]) -> None:
        self.name = name
        self.zone = zone
        self.words = words
        self.lines = 0  # lines before the buffer being looked at
        self.signals: list[Signal] = []
        self.unused: Counter[str] = Counter()
        self.formats: Counter[str] = Counter()
        self.wrapped: list[str] = []
        self.spelling: dict[tuple[str, str], str] = {}
        self.seen: list[int] = []  # times of the first and of each chunk's last line: what the log covers

    # Chunks ------------------------------------------------------------------------------------------

    def read(self, stream: BinaryIO, chunk_size: int) -> None:
        import numpy

        capacity = chunk_size + MAX_ENTRY_BYTES
        buffer = bytearray(capacity)
        folded = bytearray(capacity)
        self.raw = numpy.frombuffer(buffer, numpy.uint8)
        self.fold = numpy.frombuffer(folded, numpy.uint8)
        self.newline = numpy.empty(capacity, dtype=bool)
        self.buffer, self.folded = buffer, folded
        view = memoryview(buffer)
        readinto = getattr(stream, "readinto", None)
        held = 0  # bytes carried over: the start of an entry not yet complete
        while True:
            room = min(chunk_size, capacity - held)
            if readinto is not None:
                got = readinto(view[held : held + room]) or 0
            else:
                data = stream.read(room) or b""
                got = len(data)
                buffer[held : held + got] = data
            end = held + got
            if got == 0:
                if end:
                    self.lines += self._chunk(end, final=True)
                return
            self._note_times(buffer, end)
            split = self._last_entry_start(end)
            if split is None:
                if end < capacity:  # one entry so far: read on, up to the limit
                    held = end
                    continue
                split = buffer.rfind(b"\n", 0, end) + 1 or end  # an entry over the limit is cut at a line end
            self.lines += self._chunk(split, final=False)
            held = end - split
            buffer[:held] = buffer[split:end]

    def _note_times(self, buffer: bytearray, end: int) -> None:
        """The time of the log's first line and of the last complete line so far: the span the log covers,
        which is the report's window when none is given (one reset in a day of log is not 0 %)."""
        last_start = buffer.rfind(b"\n", 0, max(end - 1, 0)) + 1
        lines = [bytes(buffer[last_start:end])]
        if not self.seen:
            lines.insert(0, bytes(buffer[: min(end, 256)]).split(b"\n", 1)[0])
        for line in lines:
            match = _TIME.match(line.decode("utf-8", errors="replace"))
            if match:
                try:
                    self.seen.append(parse_time(match.group(1), self.zone))
                except InputError:
                    pass

    def _last_entry_start(self, end: int) -> int | None:
        """Where the last line of ``buffer[:end]`` that starts an entry begins (never 0), or None."""
        buffer = self.buffer
        stop = end
        for _attempt in range(_LOOKBACK_LINES):
            newline = buffer.rfind(b"\n", 0, stop)
            if newline < 0:
                return None
            if _ENTRY_START.match(buffer, newline + 1, end):
                return newline + 1
            stop = newline
        return None

    def _chunk(self, end: int, *, final: bool) -> int:
        """Read the entries of ``buffer[:end]``; the number of lines in it."""
        import numpy

        numpy.bitwise_or(self.raw[:end], 0x20, out=self.fold[:end])
        newline = self.newline[:end]
        numpy.equal(self.raw[:end], 10, out=newline)
        folded = self.folded
        candidates: list[int] = []
        for word in self.words:
            at = folded.find(word, 0, end)
            while at >= 0:
                candidates.append(at)
                at = folded.find(word, at + 1, end)
        lines = int(numpy.count_nonzero(newline))
        if final and end and self.buffer[end - 1] != 10:
            lines += 1
        if candidates:
            if len(self.words) > 1:
                candidates.sort()
            self._candidates(candidates, end)
        return lines

    def _candidates(self, candidates: list[int], end: int) -> None:
        buffer = self.buffer
        self.counted_to, self.line = 0, self.lines + 1  # the number of the line that starts at counted_to
        done = 0
        for at in candidates:
            if at < done:
                continue  # in the entry just read
            start = max(self._entry_start(at), done)
            stop = self._entry_end(at, end)
            self._entry(bytes(buffer[start:stop]), start)
            done = stop + 1

    def _line_at(self, start: int) -> int:
        """The number of the line that starts at ``start`` (newlines are counted only for the entries used)."""
        import numpy

        self.line += int(numpy.count_nonzero(self.newline[self.counted_to : start]))
        self.counted_to = start
        return self.line

    def _entry_start(self, at: int) -> int:
        buffer = self.buffer
        start = buffer.rfind(b"\n", 0, at) + 1
        first = start
        for _line in range(_MAX_ENTRY_LINES):
            if start == 0 or _ENTRY_START.match(buffer, start):
                return start
            start = buffer.rfind(b"\n", 0, start - 1) + 1
        return first  # no time within reach: the line stands alone (and is reported if it is an event)

    def _entry_end(self, at: int, end: int) -> int:
        buffer = self.buffer
        stop = buffer.find(b"\n", at, end)
        for _line in range(_MAX_ENTRY_LINES):
            if stop < 0:
                return end
            if stop + 1 >= end or _ENTRY_START.match(buffer, stop + 1, end):
                return stop
            stop = buffer.find(b"\n", stop + 1, end)
        return end if stop < 0 else stop

    # One entry ---------------------------------------------------------------------------------------

    def _entry(self, raw: bytes, start: int) -> None:
        try:
            text = raw.decode("utf-8")
            bad = None
        except UnicodeDecodeError as error:
            text = raw.decode("utf-8", errors="replace")
            bad = error.start
        parts = text.split("\n")
        wrapped = len(parts) > 1 and any(part.strip() for part in parts[1:])
        text = (_joined(parts) if wrapped else text.rstrip("\r"))[:_EVENT_CHARS]
        found = self._event(text)
        if found is None:
            return
        line = self._line_at(start)
        if bad is not None:
            bad_line = line + raw.count(b"\n", 0, bad)
            raise InputError(
                _("an HA event line is not UTF-8 text"),
                f"in {self.name} line {bad_line}",
                _("give the log as ESXi wrote it (UTF-8), not a copy converted to another encoding"),
            )
        log_format, change = found
        self.formats[log_format] += 1
        if wrapped:
            self.wrapped.append(f"{self.name} line {line}")
        if isinstance(change, str):
            self.unused[change] += 1
            return
        change_kind, object_name, object_type, cause = change
        time = self._time(text, line)
        key = (object_type, object_name.casefold())
        spelled = self.spelling.setdefault(key, object_name)
        self.signals.append(Signal(time, spelled, object_type, change_kind, cause, f"{self.name} line {line}"))

    def _event(self, text: str) -> tuple[str, str | tuple[Change, str, str, str]] | None:
        """The log an event line comes from, and its change (or the name it is counted under as unused)."""
        words = self.words
        lowered = text.lower()
        if words is not _FDM_WORDS:
            event = _HOSTD_EVENT.search(text) if "event " in lowered else None
            if event:
                what = " ".join(event.group("what").split()).lower()
                if re.match(r"reset\b", what):
                    return "hostd-log", (Change.down, event.group("vm").strip(), "vm", "hostd: is reset")
                if re.match(r"powered on\b", what):
                    return "hostd-log", (Change.up, event.group("vm").strip(), "vm", "hostd: is powered on")
                return "hostd-log", _key(f"hostd: is {what}")
            state = _HOSTD_STATE.search(text) if "transition" in lowered else None
            if state:
                old, new = state.group("old").upper(), state.group("new").upper()
                cause = f"hostd: State Transition ({old} -> {new})"
                vmx = _VMX_PATH.search(text, 0, state.start())
                if vmx is None:
                    return "hostd-log", _key(f"{cause} of no named VM")
                vm = _vmx_name(vmx.group("path"))
                if old == "VM_STATE_ON" and new == "VM_STATE_RESETTING":
                    return "hostd-log", (Change.down, vm, "vm", cause)
                if old == "VM_STATE_RESETTING" and new == "VM_STATE_ON":
                    return "hostd-log", (Change.up, vm, "vm", cause)
                return "hostd-log", _key(cause)
        if words is not _HOSTD_WORDS:
            host = _FDM_HOST.search(text) if "changed state" in lowered else None
            if host:
                state = host.group("state")
                change = Change.down if state.casefold() == "dead" else Change.up
                return "fdm-log", (change, host.group("host"), "host", f"fdm: changed state: {state}")
            at = lowered.find("restartedbyhaevent")
            if at >= 0:
                class_end = at + len("restartedbyhaevent")
                event_id = text[_FDM_RESTART_ID.search(text, 0, at).start() : class_end]
                vm = _FDM_VM.search(text, class_end)
                if vm is None:
                    return "fdm-log", _key(f"fdm: {event_id} with no vm=")
                target = _FDM_TARGET.search(text, vm.end())
                cause = f"fdm: {event_id}" + (f" on {target.group('host')}" if target else "")
                return "fdm-log", (Change.restarted, _vmx_name(vm.group("path")), "vm", cause)
        return None

    def _time(self, text: str, line: int) -> int:
        where = f"in {self.name} line {line}"
        match = _TIME.match(text)
        if match is None:
            raise InputError(_("an HA event line has no time at its start"), where, _("keep each log line as ESXi wrote it, starting with its time"))
        try:
            return parse_time(match.group(1), self.zone)
        except InputError as error:
            raise error.located(where) from None

    # The result --------------------------------------------------------------------------------------

    def result(self, input_format: str | None) -> SourceRead:
        paired = pair(self.signals)
        chosen = input_format or (self.formats.most_common(1)[0][0] if self.formats else "hostd-log")
        warnings = list(paired.warnings)
        if self.wrapped:
            warnings.append(
                DataWarning(
                    "wrapped-lines",
                    N_(
                        "HA events written over several lines (as a book or a wrapped terminal prints them) were read with their lines joined: "
                        "check their names against the original log"
                    ),
                    len(self.wrapped),
                    tuple(self.wrapped[:_EXAMPLES]),
                )
            )
        if self.lines and not paired.incidents:
            if self.signals:
                message = (
                    f"{len(self.signals):,} HA state changes were found in {self.lines:,} lines, but none is a failure or reset "
                    "that could start an incident: give the log from before the failures"
                )
            else:
                known = {"hostd-log": "hostd's 'Event N : VM on HOST in DC is reset' and 'State Transition'",
                         "fdm-log": "fdm's 'Host host-N changed state: Dead' and VmRestartedByHAEvent"}
                looked = " or ".join(known[log] for log in (FORMATS if input_format is None else (input_format,)))
                message = f"none of the {self.lines:,} lines is an HA event ({looked}): check that this is the host's log from the time of the failures"
            warnings.append(DataWarning("nothing-paired", message))
        return SourceRead(
            name=self.name,
            input_format=chosen,
            incidents=paired.incidents,
            lines_read=self.lines,
            lines_used=paired.used,
            unused_events=self.unused,
            warnings=warnings,
            span=(min(self.seen), max(self.seen)) if self.seen else None,
        )


def _joined(parts: list[str]) -> str:
    """Lines of one entry as one: nothing between a part ending in '-' or '/' and the next, else one space."""
    text = ""
    for part in parts:
        piece = part.strip() if text else part.rstrip()
        if not piece:
            continue
        text = piece if not text else text + ("" if text.endswith(("-", "/")) else " ") + piece
    return text


def _vmx_name(path: str) -> str:
    """The VM a .vmx path names: its file name without ``.vmx``."""
    stem = path.strip().rsplit("/", 1)[-1]
    return stem[: -len(".vmx")] if stem.lower().endswith(".vmx") else stem


def _key(text: str) -> str:
    return text if len(text) <= _KEY_CHARS else text[:_KEY_CHARS] + "…"


__all__ = ["CHUNK_SIZE", "FORMATS", "WARNING_KINDS", "looks_like_host_log", "read_host_log"]
