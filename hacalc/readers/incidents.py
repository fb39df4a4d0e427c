"""Every incident source into ``SourceRead``: incident lists, vCenter events and ESXi host logs.

The format comes from ``--input-format``, else from the content (a file's extension only breaks a tie:
``.json`` may hold events or an incident list). Host logs are streamed in binary chunks (they run to
gigabytes); the other formats are read whole, as UTF-8, so a bad byte is reported with its line. Gzip
files (rotated logs: ``hostd.0.gz``) are read through.
"""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import tzinfo
from typing import Any, BinaryIO, Iterator

from hacalc.core.errors import InputError
from hacalc.core.incidents import SourceRead
from hacalc.core.text import visible
from hacalc.i18n import _
from hacalc.readers.files import STDIN, STDIN_NAME, open_binary

INPUT_FORMATS = ("csv", "ndjson", "govc", "powercli", "hostd", "fdm")
HEAD_BYTES = 64 * 1024
MAX_TEXT_BYTES = 2 * 1024**3  # incident lists and event exports are read whole; logs are streamed
_GZIP_MAGIC = b"\x1f\x8b"


def read_sources(paths: Sequence[str], zone: tzinfo, input_format: str | None = None, *, detail: bool = False) -> list[SourceRead]:
    """Each path (``-`` once for stdin) read in its own format; ``detail`` keeps every incident's note, origin
    and extra columns (``--list``), where a report needs only the columns an incident list gives as a table."""
    if list(paths).count(STDIN) > 1:
        raise InputError(_("stdin (-) is given more than once"), fix=_("give - once"))
    return [read_source(path, zone, input_format, detail=detail) for path in paths]


def read_source(path: str, zone: tzinfo, input_format: str | None = None, *, detail: bool = False) -> SourceRead:
    name = STDIN_NAME if path == STDIN else visible(path)
    with _opened(path) as stream:
        head = stream.peek(HEAD_BYTES)[:HEAD_BYTES] if hasattr(stream, "peek") else b""
        chosen = input_format or detect_format(head, path, name)
        if chosen in ("hostd", "fdm"):
            from hacalc.readers.hostlogs import read_host_log

            # a detected log is searched for both logs' events (a syslog copy may interleave them)
            return read_host_log(stream, name, zone, f"{chosen}-log" if input_format else None)
        data, text = _text(stream, name)
        if chosen == "csv" and not detail:
            from hacalc.readers.incident_list import read_incident_csv_table

            return read_incident_csv_table(data, text, name, zone)
        return _TEXT_READERS[chosen]()(_lines(text, chosen), name, zone)


def detect_format(head: bytes, path: str, name: str) -> str:
    """The format the first bytes show; the extension only separates what content cannot."""
    from hacalc.readers.events import looks_like_events
    from hacalc.readers.hostlogs import looks_like_host_log

    log = looks_like_host_log(head)
    if log:
        return log.removesuffix("-log")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    events = looks_like_events(text)
    if events:
        return events.removesuffix("-events")
    first = text.lstrip().split("\n", 1)[0]
    if first.startswith("{") and '"object"' in first.lower():
        return "ndjson"
    if "object" in first.lower() and ("," in first or path.lower().endswith(".csv")):
        return "csv"
    raise InputError(
        _("cannot tell what kind of incident source this is"),
        f"in {name}",
        _("give an incident list (CSV or NDJSON with object,start,end), govc or PowerCLI events, or a hostd/fdm log, or pass --input-format {{{formats}}}").format(formats=",".join(INPUT_FORMATS)),
    )


def _readers() -> dict[str, Callable[[], Callable[..., SourceRead]]]:
    def incident_list(kind: str) -> Callable[[], Callable[..., SourceRead]]:
        def load() -> Callable[..., SourceRead]:
            from hacalc.readers import incident_list as module

            return getattr(module, f"read_incident_{kind}")

        return load

    def events(kind: str) -> Callable[[], Callable[..., SourceRead]]:
        def load() -> Callable[..., SourceRead]:
            from hacalc.readers import events as module

            return getattr(module, f"read_{kind}_events")

        return load

    return {"csv": incident_list("csv"), "ndjson": incident_list("ndjson"), "govc": events("govc"), "powercli": events("powercli")}


_TEXT_READERS = _readers()


@contextmanager
def _opened(path: str) -> Iterator[io.BufferedReader]:
    """A buffered binary stream that can be peeked, decompressed when it is gzip."""
    if path == STDIN:
        raw = getattr(sys.stdin, "buffer", None)
        if raw is None:
            raise InputError(_("stdin is closed or not readable"), f"in {STDIN_NAME}", _("send the incidents on stdin or give a file"))
        stream = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
        yield _gunzipped(stream)
        return
    with open_binary(path, "an incident list, an event export or a log file") as handle:
        yield _gunzipped(handle)


def _gunzipped(stream: io.BufferedReader) -> io.BufferedReader:
    if stream.peek(2)[:2] == _GZIP_MAGIC:
        return io.BufferedReader(gzip.GzipFile(fileobj=stream, mode="rb"), buffer_size=1024 * 1024)  # type: ignore[arg-type]
    return stream


def _text(stream: BinaryIO, name: str) -> tuple[bytes, str]:
    """The whole input, as bytes and as UTF-8 text; a bad byte is an error naming its line."""
    try:
        data = stream.read(MAX_TEXT_BYTES + 1)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise InputError(_("cannot read {name}: {error}").format(name=name, error=error), fix=_("check the file")) from None
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(_("{name} is larger than 2 GiB").format(name=name), fix=_("split it, or filter it to the window you need"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(_("the line is not UTF-8 text"), f"in {name} line {line}", _("save the file as UTF-8")) from None
    if text.startswith("\ufeff"):
        return data[3:], text[1:]
    return data, text


def _lines(text: str, chosen: str) -> Any:
    if chosen == "csv":
        return io.StringIO(text, newline="")  # csv needs the quoted newlines as they are
    lines = text.split("\n")  # not splitlines(): U+2028 may stand unescaped inside a JSON string
    if lines[-1] == "":
        lines.pop()
    return lines
