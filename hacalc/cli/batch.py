"""``hacalc availability --input FILE|-``: one result per MTTF/MTTR row, streamed in blocks.

The input is read in blocks of whole rows (about ``BLOCK_BYTES`` each, or what a slow producer has
sent so far); each block is parsed, checked and computed as a whole on a worker thread before any of
it is written, so memory stays flat however long the input is and a bad row stops the run before its
block reaches stdout. Blocks are written in input order. A row may be at most ``MAX_ROW_BYTES`` long,
so input without line ends (``/dev/zero``, an unclosed quote) fails at once instead of filling memory.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import IO, Any

from hacalc.cli.env import Environment
from hacalc.cli.options import located
from hacalc.core.batch import (
    OUTPUT_COLUMNS,
    CsvHeader,
    EdgeFloat,
    Ragged,
    availability_columns,
    csv_header,
    decode,
    join_rows,
    json_row,
    read_csv_block,
    read_ndjson_lines,
    where,
)
from hacalc.core.errors import HacalcError, InputError
from hacalc.core.periods import Conventions
from hacalc.core.units import unit_seconds
from hacalc.i18n import N_, _

BLOCK_BYTES = 1 << 19
MAX_ROW_BYTES = 1 << 20  # a real row is a few hundred bytes; this bounds memory when line ends never come
WORKERS = min(4, os.cpu_count() or 1)
STREAM_FORMATS = ("csv", "ndjson")
# glibc mallopt() parameters (<malloc.h>): trim threshold, top pad, mmap threshold
_MALLOC_SETTINGS = ((-1, 256 << 20), (-2, 64 << 20), (-3, 32 << 20))
READABLE_INPUT = N_("give a readable file or - for stdin")
_EXTENSIONS = {".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson"}
_CSV_TAIL = [b",", b",", b",", b",", b"\n"]
_BLANK = b"\xef\xbb\xbf \t\r\n"  # a byte order mark and whitespace: nothing to tell the format by
# One CSV field as Python's csv module reads it: quoted (a quote only opens a field it starts; "" is a
# quote; after the closing quote the field runs on to the next comma), or plain, quotes included.
_CSV_FIELD = rb'(?>"(?:[^"]|"")*+(?:"[^,\n]*+)?|[^,\n]*+)'
_CSV_RECORD = re.compile(_CSV_FIELD + rb"(?:," + _CSV_FIELD + rb")*+\n")
Rows = bytes | memoryview  # a block of output rows, as join_rows gives it
_JSON_TAIL = [f'"{OUTPUT_COLUMNS[0]}":'.encode(), *(f',"{name}":'.encode() for name in OUTPUT_COLUMNS[1:]), b"}\n"]


def run_batch(env: Environment, source: str, *, default_unit: str, output: str | None, conventions: Conventions) -> None:
    """Read MTTF/MTTR rows from ``source`` (a path, or ``-`` for stdin) and write one result per row.

    ``output`` is ``csv``, ``ndjson`` or ``None`` for the input's own format. Bare numbers are in
    ``default_unit``.
    """
    located("--unit", unit_seconds, default_unit, conventions=conventions)
    if output is not None and output not in STREAM_FORMATS:
        raise InputError(_("unknown output format {format!r}").format(format=output), "--format", _("use csv or ndjson"))
    _keep_freed_memory()
    with _open(env, source) as stream:
        head = _head(stream)
        kind = _EXTENSIONS.get(Path(source).suffix.lower()) if source != "-" else None
        kind = kind or ("ndjson" if head.lstrip(_BLANK).startswith(b"{") else "csv")
        blocks = _blocks(stream, head, quoted=kind == "csv")
        first = next(blocks, b"")
        rows = _Rows(env, output or kind, default_unit, conventions)
        jobs = rows.csv_jobs(first, blocks) if kind == "csv" else rows.ndjson_jobs(first, blocks)
        _write_in_order(_failure_last(jobs), rows.write, stream)
        rows.finish()


def _keep_freed_memory() -> None:
    """Ask glibc to keep freed memory for the next block instead of handing it back to the OS.

    Every block allocates and frees tens of MiB of numpy temporaries on the worker threads; by default
    glibc maps the big ones afresh and trims a thread's heap after freeing, so each block faulted the
    same pages in again: on a million rows 41k page faults and 0.35 s of system time, against 17k and
    0.09 s with these settings. Elsewhere (musl, macOS, Windows) this does nothing.
    """
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError, TypeError):
        return
    for parameter, value in _MALLOC_SETTINGS:
        mallopt(parameter, value)


def _failure_last(jobs: Iterator[Callable[[], Rows]]) -> Iterator[Callable[[], Rows]]:
    """The jobs, then one that raises what stopped reading, so the blocks before it are written first."""
    try:
        yield from jobs
    except HacalcError as error:
        yield partial(_raise, error)


def _raise(error: HacalcError) -> Rows:
    raise error


def _write_in_order(jobs: Iterator[Callable[[], Rows]], write: Callable[[Rows], None], source: IO[bytes]) -> None:
    """Run each block's job on worker threads and write the results in input order.

    numpy releases the GIL while it formats, so blocks overlap on a multi-core machine. At most
    ``WORKERS + 1`` blocks are in flight, so memory stays bounded; a failing block stops the run once
    every block before it has been written, and nothing after it is. When no more input is waiting
    (``tail -f | hacalc ...``), every block in flight is written before the next read.
    """
    pending: deque[Future[Rows]] = deque()
    with ThreadPoolExecutor(WORKERS) as pool:
        try:
            for job in jobs:
                pending.append(pool.submit(job))
                while len(pending) > WORKERS or (pending and not _waiting(source)):
                    write(pending.popleft().result())
            while pending:
                write(pending.popleft().result())
        finally:
            for future in pending:
                future.cancel()


class _Rows:
    """Turns blocks of input rows into blocks of output rows (on worker threads) and writes them (here)."""

    def __init__(self, env: Environment, output: str, default_unit: str, conventions: Conventions) -> None:
        self.output = output
        self.options: dict[str, Any] = {"default_unit": default_unit, "conventions": conventions}
        self.year_seconds = float(conventions.year_seconds)
        self.stdout = env.stdout
        self.write_bytes = _byte_writer(env.stdout)
        self.header = b""

    def write(self, data: Rows) -> None:
        """Write ``data``, preceded by the header the first time: a bad first block leaves stdout empty."""
        if self.header:
            self.write_bytes(self.header)
            self.header = b""
        self.write_bytes(data)

    def finish(self) -> None:
        self.write(b"")
        self.stdout.flush()

    def csv_jobs(self, first: bytes, blocks: Iterator[bytes]) -> Iterator[Callable[[], Rows]]:
        if not first.strip():
            raise InputError(_("no header row"), where(1), _("start the CSV with a header naming mttf and mttr"))
        header_end = first.index(b"\n") + 1
        header_line = decode(first[:header_end], 1).lstrip("\ufeff").rstrip("\r\n")
        header = csv_header(header_line)
        if self.output == "csv":
            self.header = f"{header_line},{','.join(OUTPUT_COLUMNS)}\n".encode()
        line = 2
        for block in _chain(first[header_end:], blocks):
            yield partial(self._csv_block, block, header, line)
            line += block.count(b"\n")

    def _csv_block(self, block: bytes, header: CsvHeader, line: int) -> Rows:
        chunk = read_csv_block(block, header, line, want_fields=self.output == "ndjson", **self.options)
        prefix = chunk.raw if self.output == "csv" else _csv_as_json_prefix(header, chunk.fields or [])
        return self._rows(prefix, availability_columns(chunk.mttf, chunk.mttr, self.year_seconds))

    def ndjson_jobs(self, first: bytes, blocks: Iterator[bytes]) -> Iterator[Callable[[], Rows]]:
        first = first.removeprefix(b"\xef\xbb\xbf")
        names = _first_keys(first) if self.output == "csv" else None
        if self.output == "csv":  # with no row at all, CSV still gets its header: the result columns
            self.header = (_csv_line([*(names or []), *OUTPUT_COLUMNS]) + "\n").encode()
        line = 1
        for block in _chain(first, blocks):
            yield partial(self._ndjson_block, block, line, names)
            line += block.count(b"\n")

    def _ndjson_block(self, block: bytes, line: int, names: list[str] | None) -> Rows:
        chunk = read_ndjson_lines(decode(block, line).split("\n")[:-1], line, **self.options)
        if names is None:
            prefix = Ragged.from_list([(text[:-1].rstrip() + ",").encode() for text in chunk.texts])
        else:
            prefix = _json_as_csv_prefix(chunk.objects, names, line)
        return self._rows(prefix, availability_columns(chunk.mttf, chunk.mttr, self.year_seconds))

    def _rows(self, prefix: Ragged, columns: list[Any]) -> Rows:
        tail, missing = (_CSV_TAIL, b"") if self.output == "csv" else (_JSON_TAIL, b"null")
        pieces: list[Any] = [tail[0]]
        for column, literal in zip(columns, tail[1:]):
            pieces += [column, literal]
        return join_rows(prefix, pieces, missing=missing)


def _first_keys(first: bytes) -> list[str] | None:
    """The first object's keys, which become the CSV columns; None when it is not a good row (its block says why)."""
    try:
        return list(json_row(decode(first.split(b"\n", 1)[0], 1), 1))
    except InputError:
        return None


def _json_as_csv_prefix(objects: list[dict[str, Any]], names: list[str], first_line: int) -> Ragged:
    """CSV cells for each object's own keys, in the first object's key order; all objects need the same keys."""
    prefixes = []
    for offset, item in enumerate(objects):
        if item.keys() != set(names):
            raise InputError(_("keys differ from the first row's"), where(first_line + offset), _("give every object the keys {keys}").format(keys=", ".join(names)))
        prefixes.append(_csv_line([_csv_cell(item[name]) for name in names]).encode())
    return Ragged.from_list(prefixes)


def _csv_as_json_prefix(header: CsvHeader, records: list[list[str]]) -> Ragged:
    keys = [json.dumps(name) for name in header.names]
    return Ragged.from_list(
        [("{" + ",".join(f"{key}:{json.dumps(value)}" for key, value in zip(keys, fields)) + ",").encode() for fields in records]
    )


def _csv_cell(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, EdgeFloat):  # 1e-320 as written, where the double would print as 1e-320 or 0.0
        return value.text
    return "" if value is None else json.dumps(value)


def _csv_line(cells: list[str]) -> str:
    """One CSV record without its line end; cells holding a comma, quote, CR or LF are quoted."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)  # the writer quotes only line ends its terminator holds
    return buffer.getvalue()[:-2]


def _chain(head: bytes, blocks: Iterator[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    yield from blocks


def _head(source: IO[bytes]) -> bytes:
    """The first bytes of the input, read until one is not blank (that one tells NDJSON from CSV) or the input ends."""
    head = b""
    while not head.lstrip(_BLANK) and len(head) <= MAX_ROW_BYTES and (data := _read(source)):
        head += data
    return head


def _read(source: IO[bytes]) -> bytes:
    try:
        return source.read(BLOCK_BYTES)
    except OSError as error:
        raise InputError(_("cannot read the input: {reason}").format(reason=error.strerror or error), "--input", _(READABLE_INPUT)) from None


def _reads(source: IO[bytes], head: bytes) -> Iterator[bytes]:
    if head:
        yield head
    while data := _read(source):
        yield data


def _blocks(source: IO[bytes], head: bytes, *, quoted: bool) -> Iterator[bytes]:
    """Blocks of whole rows, each ending in a newline; with ``quoted`` (CSV) never cut inside a quoted field.

    A block is about ``BLOCK_BYTES`` long, or shorter when no more input is waiting yet. A row longer
    than ``MAX_ROW_BYTES`` is refused as soon as it is seen, so memory stays flat without line ends.
    """
    pending, line = b"", 1
    for data in _reads(source, head):
        pending += data
        if len(pending) < BLOCK_BYTES and _waiting(source):
            continue
        cut = _without_trailing_blank_lines(pending, _last_record_end(pending, quoted))
        if len(pending) > MAX_ROW_BYTES:
            _refuse_long_rows(pending, cut, line, quoted)
        if cut:
            yield pending[:cut]
            line += pending.count(b"\n", 0, cut)
            pending = pending[cut:]
    tail = pending if pending.endswith(b"\n") else pending + b"\n"
    cut = _without_trailing_blank_lines(tail, len(tail))  # blank lines at the very end are not empty rows
    if cut:
        yield tail[:cut]


def _refuse_long_rows(pending: bytes, cut: int, line: int, quoted: bool) -> None:
    """Refuse the first row in ``pending`` (complete up to ``cut``, then one unfinished) longer than ``MAX_ROW_BYTES``."""
    import numpy as np

    ends = np.append(_record_ends(pending[:cut], quoted), len(pending)) if cut else np.array([len(pending)])
    starts = np.concatenate(([0], ends[:-1]))
    long_rows = np.flatnonzero(ends - starts > MAX_ROW_BYTES)
    if not len(long_rows):
        return
    start, end = int(starts[long_rows[0]]), int(ends[long_rows[0]])
    row = pending[start:end]
    if end <= cut:
        fix = _("shorten it")
    elif b"\n" not in row and b"\r" in row:
        fix = _("end lines with \\n or \\r\\n, not a lone \\r")
    elif quoted and b'"' in row:
        fix = _("close the quoted field that starts on that line")
    else:
        fix = _("end every row with a newline")
    limit = f"{MAX_ROW_BYTES >> 20} MiB" if MAX_ROW_BYTES % (1 << 20) == 0 else _("{count:,} bytes").format(count=MAX_ROW_BYTES)
    raise InputError(_("a row longer than {limit}").format(limit=limit), where(line + pending.count(b"\n", 0, start)), fix)


def _without_trailing_blank_lines(data: bytes, cut: int) -> int:
    """``cut`` moved back before blank lines: they are empty rows only if more data follows them."""
    kept = len(data[:cut].rstrip(b"\r\n"))
    if not kept:
        return 0
    return kept + (2 if data[kept : kept + 2] == b"\r\n" else 1)


def _last_record_end(data: bytes, quoted: bool) -> int:
    """Just past the last newline that ends a row (with ``quoted``, CSV: outside quoted fields); 0 if none yet.

    A JSON string holds no raw newline, but may hold an escaped quote, so NDJSON rows end at every newline.
    """
    cut = data.rfind(b"\n") + 1
    if not quoted or data.find(b'"', 0, cut) < 0:
        return cut
    ends = _record_ends(data[:cut], quoted)
    return int(ends[-1]) if len(ends) else 0


def _record_ends(data: bytes, quoted: bool) -> Any:
    """Positions just past each newline that ends a row, as a numpy array.

    With ``quoted``, quotes pair up when each one that opens a field starts it: count them (numpy).
    Otherwise a quote inside an unquoted field (``5" disk``) is a plain character, as Python's csv
    module reads it, and the rows are found by ``_CSV_RECORD`` one by one.
    """
    import numpy as np

    array = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(array == ord("\n"))
    if not quoted or b'"' not in data:
        return newlines + 1
    quotes = np.flatnonzero(array == ord('"'))
    opening = quotes[::2]
    before = array[np.maximum(opening - 1, 0)]
    if not ((opening == 0) | (before == ord(",")) | (before == ord("\n"))).all():
        return np.array(_csv_record_ends(data), dtype=np.int64)
    inside = np.searchsorted(quotes, newlines) % 2 == 1
    return newlines[~inside] + 1


def _csv_record_ends(data: bytes) -> list[int]:
    ends, position = [], 0
    while (record := _CSV_RECORD.match(data, position)) is not None:
        position = record.end()
        ends.append(position)
    return ends


def _open(env: Environment, source: str) -> IO[bytes]:
    if source == "-":
        return _StdinBytes(env.stdin)
    try:
        return open(source, "rb")
    except OSError as error:
        raise InputError(_("cannot read {name!r}: {reason}").format(name=source, reason=error.strerror), "--input", _(READABLE_INPUT)) from None
    except ValueError:  # open() refuses a NUL byte in a name
        raise InputError(_("cannot read {name!r}: a file name holds no NUL byte").format(name=source), "--input", _(READABLE_INPUT)) from None


def _waiting(source: IO[bytes]) -> bool:
    """Whether more input can be read without blocking; files and anything that cannot tell always can."""
    import select

    try:
        return bool(select.select([source], [], [], 0)[0])
    except (OSError, ValueError, TypeError, AttributeError, io.UnsupportedOperation):
        return True


class _StdinBytes(io.RawIOBase):
    """stdin as bytes: what its binary buffer has ready (up to ``size``), else its text encoded (tests use StringIO)."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__()
        self.stream = stream
        self.binary = getattr(stream, "buffer", None)

    def read(self, size: int = -1) -> bytes:
        if self.binary is not None:
            return self.binary.read1(size)
        return self.stream.read(size).encode()

    def fileno(self) -> int:
        if self.binary is None:
            raise io.UnsupportedOperation("fileno")
        return self.binary.fileno()

    def readable(self) -> bool:
        return True

    def close(self) -> None:  # never close the process's stdin
        pass


def _byte_writer(stream: IO[str]) -> Callable[[Rows], Any]:
    binary = getattr(stream, "buffer", None)
    if binary is None:
        return lambda data: stream.write(str(data, "utf-8"))
    stream.flush()

    def write(data: bytes) -> None:
        binary.write(data)

    return write
