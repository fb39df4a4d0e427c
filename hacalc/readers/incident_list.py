"""Incident lists: CSV or NDJSON rows of ``object``, ``start``, ``end`` and optional ``kind``, ``service``, ``note``.

Columns (CSV header cells, NDJSON keys) are matched by name, case-insensitively; any others are kept
for output. An empty ``end`` is an incident still open when the record ends. A bad row stops the read
with its file, line and field: a list is either used whole or not at all.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from hacalc.core.errors import InputError
from hacalc.core.incidents import STILL_OPEN, Incident, IncidentTable, SourceRead
from hacalc.core.text import visible
from hacalc.i18n import _
from hacalc.readers.files import quoted
from hacalc.readers.timestamps import parse_time

REQUIRED = ("object", "start", "end")
OPTIONAL = ("kind", "service", "note", "object_type")
KNOWN = (*REQUIRED, *OPTIONAL)
KINDS = {"unplanned": False, "planned": True}
_HEADER_EXAMPLE = "object,start,end,kind,service,note"


def read_incident_csv(lines: Iterable[str], name: str, zone: tzinfo) -> SourceRead:
    """Rows of a CSV file whose first line names the columns."""
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
        if header is None:
            raise InputError(_("the incident list is empty"), f"in {name}", _("start it with a header line such as {header}").format(header=_HEADER_EXAMPLE))
        columns = _columns(header, name)
        return _read_rows(reader, columns, header, name, zone)
    except csv.Error as error:
        raise InputError(_("malformed CSV: {error}").format(error=error), f"in {name} line {reader.line_num}", _("quote fields that contain commas or quotes")) from None


TIME_WIDTH = 40


def read_incident_csv_table(data: bytes, text: str, name: str, zone: tzinfo) -> SourceRead:
    """The columns a report needs, read in bulk from the bytes when the file has no quotes (``bulk_csv``).

    Anything the bulk path is unsure of (quotes, a row of another width, a time in another layout that
    ``parse_time`` refuses, an empty object) sends the whole list through ``read_incident_csv``, so the
    results and the errors, with their lines, are that function's.
    """
    header_end = data.find(b"\n")
    header = next(csv.reader([text.split("\n", 1)[0]]), None) if text else None
    table = None
    if header:
        columns = _columns(header, name)
        table = _bulk_table(data[header_end + 1 :] if header_end >= 0 else b"", header, columns, zone)
    if table is None:
        source = read_incident_csv(io.StringIO(text, newline=""), name, zone)
        source.table, source.incidents = source.incident_table(), []
        return source
    return SourceRead(name, "incidents-csv", lines_read=text.count("\n") + (not text.endswith("\n")), lines_used=len(table), table=table)


def _bulk_table(body: bytes, header: list[str], columns: dict[str, int], zone: tzinfo) -> IncidentTable | None:
    import numpy as np

    from hacalc.readers import bulk_csv

    fields = bulk_csv.split_fields(body, len(header))
    if fields is None:
        return None
    objects = _distinct(fields, columns["object"])
    if objects is None:
        return None
    codes, names = objects
    start = _bulk_times(fields, columns["start"], zone, open_allowed=False)
    end = _bulk_times(fields, columns["end"], zone, open_allowed=True)
    if start is None or end is None or ((end != STILL_OPEN) & (end < start)).any():
        return None
    planned = np.zeros(len(codes), bool)
    if "kind" in columns:
        kind_codes, kinds = _distinct(fields, columns["kind"]) or (None, [])
        meaning = [KINDS.get(kind.strip().lower() or "unplanned") for kind in kinds]
        if kind_codes is None or None in meaning:
            return None
        planned = np.array(meaning, dtype=bool)[kind_codes] if meaning else planned
    return _with_labels(fields, columns, codes, names, start, end, planned)


def _distinct(fields: Any, column: int) -> tuple[Any, list[str]] | None:
    from hacalc.readers import bulk_csv

    codes, values = bulk_csv.factorize(bulk_csv.cells(fields, column, bulk_csv.widest(fields, column)), len(fields.starts))
    try:
        return codes, [value.decode("utf-8") for value in values]
    except UnicodeDecodeError:
        return None


def _bulk_times(fields: Any, column: int, zone: tzinfo, *, open_allowed: bool) -> Any | None:
    from hacalc.readers import bulk_csv
    from hacalc.readers.timestamps import parse_time_columns

    characters = bulk_csv.cells(fields, column, TIME_WIDTH)
    if characters is None:
        return None
    values, handled = parse_time_columns(characters, len(fields.starts), zone)
    for row in (~handled).nonzero()[0]:
        text = bulk_csv.text_of(fields, row, column)
        if open_allowed and not text.strip():
            values[row] = STILL_OPEN
            continue
        try:
            values[row] = parse_time(text, zone)
        except InputError:
            return None
    return values


def _with_labels(fields: Any, columns: dict[str, int], codes: Any, names: list[str], start: Any, end: Any, planned: Any) -> IncidentTable | None:
    """Objects by their trimmed names (an empty one is for the exact reader to report), with services and types."""
    import numpy as np

    canonical: dict[str, int] = {}
    for name in names:
        if not name.strip():
            return None
        canonical.setdefault(name.strip(), len(canonical))
    recode = np.array([canonical[name.strip()] for name in names], dtype=np.int64)[codes]
    services: list[set[str]] = [set() for _ in canonical]
    object_types: list[str | None] = [None] * len(canonical)
    for label, into in (("service", services), ("object_type", object_types)):
        if label not in columns:
            continue
        found = _distinct(fields, columns[label])
        if found is None:
            return None
        label_codes, values = found
        for pair in np.unique(recode * max(len(values), 1) + label_codes):
            value = values[pair % len(values)].strip()
            if value and label == "service":
                services[pair // len(values)].add(value)
            elif value and object_types[pair // len(values)] is None:
                object_types[pair // len(values)] = value
    return IncidentTable(tuple(canonical), recode, start, end, planned, tuple(map(frozenset, services)), tuple(object_types))


def read_incident_ndjson(lines: Iterable[str], name: str, zone: tzinfo) -> SourceRead:
    """One JSON object per line; ``null`` or a missing ``end`` is an incident still open."""
    source = SourceRead(name, "incidents-ndjson")
    for number, line in enumerate(lines, 1):
        source.lines_read += 1
        if not line.strip():
            continue
        record = _json_record(line, number, name)
        where = f"in {name} line {number}"
        fields = {key.strip().lower(): (key, value) for key, value in record.items()}
        missing = [column for column in ("object", "start") if column not in fields]
        if missing:
            raise InputError(_("the record has no {key!r}").format(key=missing[0]), where, _("give every line {keys}").format(keys=", ".join(REQUIRED)))
        values = {column: _text(fields[column][1], where, column) for column in (*REQUIRED, *OPTIONAL) if column in fields}
        extra = tuple((key, _shown_value(value)) for lowered, (key, value) in fields.items() if lowered not in values)
        source.incidents.append(_incident(values, extra, name, number, zone))
        source.lines_used += 1
    return source


def _json_record(line: str, number: int, name: str) -> dict[str, object]:
    try:
        record = json.loads(line, object_pairs_hook=_refuse_duplicates)
    except json.JSONDecodeError as error:
        raise InputError(_("invalid JSON: {message}").format(message=error.msg), f"in {name} line {number} column {error.colno}", _("write one JSON object per line")) from None
    except _DuplicateKey as duplicate:
        raise InputError(_("key {key} is given twice").format(key=quoted(duplicate.args[0])), f"in {name} line {number}", _("keep one of them")) from None
    if not isinstance(record, dict):
        raise InputError(_("the line is not a JSON object"), f"in {name} line {number}", _('write objects such as {"object": "vm01", "start": "…", "end": "…"}'))
    return record


class _DuplicateKey(Exception):
    pass


def _refuse_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set[str] = set()
        raise _DuplicateKey(next(key for key, _ in pairs if key in seen or seen.add(key)))
    return record


def _text(value: object, where: str, column: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(_("{column} is {value}, not text").format(column=column, value=quoted(value)), f"{where} ({column})", _("write times and names as JSON strings"))
    return value


def _shown_value(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _columns(header: list[str], name: str) -> dict[str, int]:
    """Known column name -> index; duplicates and missing required columns are errors at line 1."""
    lowered = [cell.strip().lstrip("\ufeff").lower() for cell in header]
    for index, cell in enumerate(lowered):
        if cell and cell in lowered[:index]:
            raise InputError(_("column {column} appears twice").format(column=quoted(header[index].strip())), f"in {name} line 1", _("keep one of them"))
    missing = [column for column in REQUIRED if column not in lowered]
    if missing:
        raise InputError(
            _("no {column!r} column (found {found})").format(column=missing[0], found=", ".join(quoted(cell, 20) for cell in header[:6]) or _("none")),
            f"in {name} line 1",
            _("name the columns {header} (kind, service and note are optional)").format(header=_HEADER_EXAMPLE),
        )
    return {cell: index for index, cell in enumerate(lowered) if cell}


def _read_rows(reader: Any, columns: dict[str, int], header: list[str], name: str, zone: tzinfo) -> SourceRead:
    """One pass, indices bound once: a list may hold millions of rows, and this loop is most of reading it."""
    source = SourceRead(name, "incidents-csv", lines_read=1)
    others = [(header[index].strip(), index) for column, index in columns.items() if column not in (*REQUIRED, *OPTIONAL)]
    width = len(header)
    optional = [columns.get(column) for column in OPTIONAL]
    append = source.incidents.append
    for row in reader:
        if len(row) != width:
            if not row:
                continue
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                raise InputError(_("the row has {count} fields for {width} columns").format(count=len(row), width=width), f"in {name} line {reader.line_num}", _("quote fields that contain commas"))
            row = (row + [""] * width)[:width]
        values = dict(zip(KNOWN, (row[columns["object"]], row[columns["start"]], row[columns["end"]], *(None if index is None else row[index] for index in optional))))
        extra = tuple((column, row[index]) for column, index in others if row[index]) if others else ()
        append(_incident(values, extra, name, reader.line_num, zone))
    source.lines_read = reader.line_num
    source.lines_used = len(source.incidents)
    return source


def _incident(values: dict[str, str], extra: tuple[tuple[str, str], ...], name: str, number: int, zone: tzinfo) -> Incident:
    obj = values["object"].strip()
    if not obj:
        raise InputError(_("the object is empty"), f"in {name} line {number} (object)", _("name the VM, host or service that was down"))
    start = _time(values["start"], name, number, "start", zone)
    end_text = values.get("end")
    end = _time(end_text, name, number, "end", zone) if end_text and not end_text.isspace() else None
    if end is not None and end < start:
        raise InputError(
            _("the incident ends ({end}) before it starts ({start})").format(end=visible(end_text.strip()), start=visible(values["start"].strip())),
            f"in {name} line {number} (end)",
            _("swap or correct the times"),
        )
    kind = values.get("kind")
    planned = False
    if kind:
        planned = KINDS.get(kind.strip().lower(), None)  # type: ignore[assignment]
        if planned is None:
            raise InputError(
                _("kind {kind} is not planned or unplanned").format(kind=quoted(kind)), f"in {name} line {number} (kind)", _("write planned or unplanned, or leave it empty")
            )
    service, note, object_type = values.get("service"), values.get("note"), values.get("object_type")
    return Incident(
        obj, start, end, planned, _optional(service), _optional(object_type), _optional(note), f"{name} line {number}", extra
    )


def _optional(text: str | None) -> str | None:
    return text.strip() or None if text else None


def _time(text: str, name: str, number: int, column: str, zone: tzinfo) -> int:
    try:
        return parse_time(text, zone)
    except InputError as error:
        raise error.located(f"in {name} line {number} ({column})") from None
