"""``hacalc availability --input FILE|-``: one result per MTTF/MTTR row, streamed in blocks.

The input is read in blocks of whole rows (about ``BLOCK_BYTES`` each, or what a slow producer has
sent so far); each block is parsed, checked and computed as a whole on a worker thread before any of
it is written, so memory stays flat however long the input is and a bad row stops the run before its
block reaches stdout. Blocks are written in input order.
"""

from __future__ import annotations

import csv
import io
import json
import os
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
    Ragged,
    availability_columns,
    csv_header,
    decode,
    join_rows,
    read_csv_block,
    read_ndjson_lines,
    where,
)
from hacalc.core.errors import InputError
from hacalc.core.periods import Conventions
from hacalc.core.units import unit_seconds

BLOCK_BYTES = 1 << 19
WORKERS = min(4, os.cpu_count() or 1)
STREAM_FORMATS = ("csv", "ndjson")
# glibc mallopt() parameters (<malloc.h>): trim threshold, top pad, mmap threshold
_MALLOC_SETTINGS = ((-1, 256 << 20), (-2, 64 << 20), (-3, 32 << 20))
_EXTENSIONS = {".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson"}
_CSV_TAIL = [b",", b",", b",", b",", b"\n"]
Rows = bytes | memoryview  # a block of output rows, as join_rows gives it
_JSON_TAIL = [f'"{OUTPUT_COLUMNS[0]}":'.encode(), *(f',"{name}":'.encode() for name in OUTPUT_COLUMNS[1:]), b"}\n"]


def run_batch(env: Environment, source: str, *, default_unit: str, output: str | None, conventions: Conventions) -> None:
    """Read MTTF/MTTR rows from ``source`` (a path, or ``-`` for stdin) and write one result per row.

    ``output`` is ``csv``, ``ndjson`` or ``None`` for the input's own format. Bare numbers are in
    ``default_unit``.
    """
    located("--unit", unit_seconds, default_unit, conventions=conventions)
    if output is not None and output not in STREAM_FORMATS:
        raise InputError(f"unknown output format {output!r}", "--format", "use csv or ndjson")
    _keep_freed_memory()
    with _open(env, source) as stream:
        blocks = _blocks(stream)
        first = next(blocks, b"")
        kind = _EXTENSIONS.get(Path(source).suffix.lower()) if source != "-" else None
        kind = kind or ("ndjson" if first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "csv")
        rows = _Rows(env, output or kind, default_unit, conventions)
        jobs = rows.csv_jobs(first, blocks) if kind == "csv" else rows.ndjson_jobs(first, blocks)
        _write_in_order(jobs, rows.write, stream)
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
            raise InputError("no header row", "line 1", "start the CSV with a header naming mttf and mttr")
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
        if names:
            self.header = (_csv_line([*names, *OUTPUT_COLUMNS]) + "\n").encode()
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
    """The first object's keys, which become the CSV columns; None when it is not an object (its block says why)."""
    try:
        item = json.loads(first.split(b"\n", 1)[0])
    except ValueError:
        return None
    return list(item) if isinstance(item, dict) else None


def _json_as_csv_prefix(objects: list[dict[str, Any]], names: list[str], first_line: int) -> Ragged:
    """CSV cells for each object's own keys, in the first object's key order; all objects need the same keys."""
    prefixes = []
    for offset, item in enumerate(objects):
        if item.keys() != set(names):
            raise InputError("keys differ from the first row's", where(first_line + offset), f"give every object the keys {', '.join(names)}")
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
    return "" if value is None else json.dumps(value)


def _csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def _chain(head: bytes, blocks: Iterator[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    yield from blocks


def _blocks(source: IO[bytes]) -> Iterator[bytes]:
    """Blocks of whole lines, each ending in a newline, never cut inside a quoted CSV field.

    A block is about ``BLOCK_BYTES`` long, or shorter when no more input is waiting yet.
    """
    pending = b""
    while data := source.read(BLOCK_BYTES):
        pending += data
        if len(pending) < BLOCK_BYTES and _waiting(source):
            continue
        cut = _without_trailing_blank_lines(pending, _last_record_end(pending))
        if cut:
            yield pending[:cut]
            pending = pending[cut:]
    tail = pending if pending.endswith(b"\n") else pending + b"\n"
    cut = _without_trailing_blank_lines(tail, len(tail))  # blank lines at the very end are not empty rows
    if cut:
        yield tail[:cut]


def _without_trailing_blank_lines(data: bytes, cut: int) -> int:
    """``cut`` moved back before blank lines: they are empty rows only if more data follows them."""
    kept = len(data[:cut].rstrip(b"\r\n"))
    if not kept:
        return 0
    return kept + (2 if data[kept : kept + 2] == b"\r\n" else 1)


def _last_record_end(data: bytes) -> int:
    """Just past the last newline outside quotes (quotes pair up in CSV, so count them); 0 if none yet."""
    cut = data.rfind(b"\n") + 1
    if data.find(b'"', 0, cut) < 0 or data.count(b'"', 0, cut) % 2 == 0:
        return cut
    import numpy as np

    array = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(array[:cut] == ord("\n"))
    quotes_before = np.searchsorted(np.flatnonzero(array[:cut] == ord('"')), newlines)
    outside = newlines[quotes_before % 2 == 0]
    return int(outside[-1]) + 1 if len(outside) else 0


def _open(env: Environment, source: str) -> IO[bytes]:
    if source == "-":
        return _StdinBytes(env.stdin)
    try:
        return open(source, "rb")
    except OSError as error:
        raise InputError(f"cannot read {source!r}: {error.strerror}", "--input", "give a readable file or - for stdin") from None


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
