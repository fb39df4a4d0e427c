"""Availability for many MTTF/MTTR rows at once: reading the two columns, the math, and the result text.

Everything works on one chunk of rows held in numpy arrays, so a million rows cost a few dozen array
operations instead of a million Python calls. Two things keep that fast without giving up exactness:

* Durations are read by a vectorised fast path (bare numbers, or a column whose values share one unit
  suffix) and otherwise by ``parse_duration`` value by value; both give the same float for the same text,
  and refuse the same texts: numpy reads ``1e-9999999`` as 0, so every value it reads as zero or below
  the smallest normal double is confirmed by ``parse_duration``, which refuses what lies beyond 1e-308.
* Results are written as text by integer arithmetic on the decimal digits, following one rule that reads
  back to the same double: ``%.15g`` when that round-trips, else ``%.17g`` (see ``number_text``).

numpy is imported inside the functions, never at module level.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from hacalc.core.errors import InputError
from hacalc.core.periods import Conventions
from hacalc.core.units import DURATION_HINT, MAX_DEPTH, MAX_VALUE_CHARACTERS, parse_duration, unit_seconds
from hacalc.i18n import N_, _

if TYPE_CHECKING:
    import numpy as np

INPUT_COLUMNS = ("mttf", "mttr")
OUTPUT_COLUMNS = ("availability", "unavailability", "nines", "downtime_year_seconds")

_SIMPLE_DURATION = re.compile(r"\s*\+?((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z]*)\s*")
_UNIT_SUFFIX = re.compile(rb"[A-Za-z]+$")
_WIDEST_PREFIX_FOR_MATRIX = 512
MAX_JSON_DEPTH = MAX_DEPTH  # as scenario files: a row needs two or three levels
_SMALLEST_NORMAL = sys.float_info.min
_SHOWN_CHARACTERS = 60
_ROW_EXAMPLE = N_("give objects like {example}")  # the example is JSON, the same in every language
_EXAMPLE_ROW = '{"mttf": "50000h", "mttr": "15m"}'
FLOAT_SIZED = N_("give a duration a float can hold")
FLOAT_SIZED_DURATIONS = N_("give durations a float can hold")
RENAME_OR_DROP = N_("rename or drop it")
ONE_OBJECT_PER_LINE = N_("give one JSON object per line")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_OPENERS, _CLOSERS = (ord("["), ord("{")), (ord("]"), ord("}"))


def number_text(value: float) -> str:
    """The text every batch result is written as: ``%.15g`` if it reads back exactly, else ``%.17g``.

    Both read back to the same double; 15 digits keep short values short (0.25, 99.95, 5). Infinite
    and NaN values have no text here: callers write an empty CSV cell or a JSON null instead.
    """
    if value == 0:
        return "0"
    short = "%.15g" % value
    return short if float(short) == value else "%.17g" % value


# ---------------------------------------------------------------------------------------------
# Reading durations


class EdgeFloat(float):
    """A JSON number a double holds only at its edges (0 from non-zero digits, subnormal, infinite), with its text.

    ``json`` reads ``1e-9999999`` as 0.0; the text lets ``parse_duration`` decide, as for the string.
    """

    text: str

    def __new__(cls, value: float, text: str) -> "EdgeFloat":
        number = super().__new__(cls, value)
        number.text = text
        return number


def value_seconds(value: Any, *, default_unit: str, conventions: Conventions) -> float:
    """Seconds in one MTTF/MTTR value: a JSON number or bare number in ``default_unit``, or a duration text.

    ``<number><unit>`` is converted as ``float(number) * seconds per unit`` so that the vectorised fast
    path gives the same double; compound (``2h30m``) and ISO-8601 values as the nearest double to the
    exact total.
    """
    if isinstance(value, EdgeFloat):
        return value_seconds(value.text, default_unit=default_unit, conventions=conventions)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(_("not a duration: {value}").format(value=shown(value)), fix=_(DURATION_HINT))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(_("not a finite number: {value}").format(value=value), fix=_("give a finite duration"))
        if value < 0 or (isinstance(value, float) and math.copysign(1, value) < 0):
            raise InputError(_("negative duration {text}").format(text=shown(value)), fix=_("durations must be zero or more"))
        try:
            return _finite(float(value) * float(unit_seconds(default_unit, conventions)), value)
        except OverflowError:
            raise InputError(_("duration {text} is too large").format(text=shown(value)), fix=_(FLOAT_SIZED)) from None
    exact = parse_duration(value, default_unit=default_unit, conventions=conventions)
    simple = _SIMPLE_DURATION.fullmatch(value)
    if simple:
        scale = unit_seconds(simple.group(2) or default_unit, conventions)
        return _finite(float(simple.group(1)) * float(scale), value)
    return float(exact)


def _finite(seconds: float, value: object) -> float:
    if not math.isfinite(seconds):
        raise InputError(_("duration {text} is too large").format(text=shown(value, quoted=True)), fix=_(FLOAT_SIZED))
    return seconds


def shown(value: Any, *, quoted: bool = False) -> str:
    """``value`` as an error message shows it: JSON (or ``repr`` for text), escaped, cut to a readable length."""
    text = repr(value) if quoted or isinstance(value, str) else json.dumps(value)
    if len(text) <= _SHOWN_CHARACTERS:
        return text
    return text[: _SHOWN_CHARACTERS - 1] + "… " + _("({count:,} characters)").format(count=len(text))


def seconds_columns(
    mttf_values: Sequence[Any],
    mttr_values: Sequence[Any],
    lines: Sequence[int],
    *,
    default_unit: str,
    conventions: Conventions,
    short: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """MTTF and MTTR in seconds; the first bad row (in input order) raises, naming its line and column.

    A column of bare numbers or of values sharing one unit suffix is read in one numpy call; anything
    else, and every chunk that holds a bad value, goes through ``value_seconds`` row by row. ``short``
    says the caller knows that no value is longer than ``parse_duration`` reads.
    """
    mttf = _vectorised_seconds(mttf_values, default_unit, conventions, short)
    mttr = _vectorised_seconds(mttr_values, default_unit, conventions, short)
    if mttf is not None and mttr is not None and rows_are_valid(mttf, mttr):
        return mttf, mttr
    return _exact_seconds(mttf_values, mttr_values, lines, default_unit, conventions)


def rows_are_valid(mttf: np.ndarray, mttr: np.ndarray) -> bool:
    """True when every row can be computed: finite, MTTF > 0, MTTR >= 0 (not even -0)."""
    import numpy as np

    total = mttf + mttr
    return bool(np.isfinite(total).all() and (mttf > 0).all() and not np.signbit(mttr).any())


def _vectorised_seconds(values: Sequence[Any], default_unit: str, conventions: Conventions, short: bool) -> np.ndarray | None:
    import numpy as np

    if not values:
        return np.zeros(0)
    first = values[0]
    try:
        if isinstance(first, str):
            if "_" in "".join(values):  # numpy reads 1_000 (and join refuses non-text); parse_duration does not
                return None
            if not short and max(map(len, values)) > MAX_VALUE_CHARACTERS:
                return None
            suffix = _UNIT_SUFFIX.search(first.strip().encode())
            unit = suffix.group().decode() if suffix else default_unit
            if suffix:
                numbers_text = _strip_suffix(values, suffix.group().decode())
                if numbers_text is None:
                    return None
            else:
                numbers_text = values
            scale = float(unit_seconds(unit, conventions))
            numbers = np.array(numbers_text, dtype=np.float64)
            if not edges_confirmed(numbers, values.__getitem__, default_unit, conventions):
                return None
            with np.errstate(over="ignore"):  # an overflow becomes inf, refused row by row later
                return numbers * scale
        if all(type(value) in (int, float) for value in values):  # JSON numbers; _json_row kept the edge ones as text
            with np.errstate(over="ignore"):
                return np.array(values, dtype=np.float64) * float(unit_seconds(default_unit, conventions))
    except (ValueError, TypeError, OverflowError, InputError):  # not this fast path: read value by value
        return None
    return None


def edges_confirmed(numbers: np.ndarray, text_of: Callable[[int], str], default_unit: str, conventions: Conventions) -> bool:
    """Whether the values numpy read as 0 or below the smallest normal double are read so by ``parse_duration`` too.

    numpy reads ``1e-9999999`` as 0 and ``1e-320`` as a subnormal, where ``parse_duration`` refuses
    anything beyond 1e-308; the few such values are read again, and one it refuses sends the chunk
    value by value, so the first bad row is named in order.
    """
    import numpy as np

    rows = np.flatnonzero(np.abs(numbers) < _SMALLEST_NORMAL)
    if not len(rows):
        return True
    try:
        for text in {text_of(row) for row in rows.tolist()}:
            value_seconds(text, default_unit=default_unit, conventions=conventions)
    except InputError:
        return False
    return True


def _strip_suffix(values: Sequence[str], suffix: str) -> list[str] | None:
    if not all(map(str.endswith, values, repeat(suffix))):
        return None
    return list(map(itemgetter(slice(None, -len(suffix))), values))


def _exact_seconds(
    mttf_values: Sequence[Any],
    mttr_values: Sequence[Any],
    lines: Sequence[int],
    default_unit: str,
    conventions: Conventions,
) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    cache: dict[tuple[type, Any], float] = {}

    def seconds(value: Any, column: str, line: int) -> float:
        key = (type(value), value.text if type(value) is EdgeFloat else value)  # equal doubles, different texts
        try:
            if key not in cache:
                cache[key] = value_seconds(value, default_unit=default_unit, conventions=conventions)
            return cache[key]
        except InputError as error:
            raise error.located(where(line, column)) from None
        except TypeError:  # unhashable JSON value (list, object)
            raise InputError(_("not a duration: {value}").format(value=shown(value)), where(line, column), _(DURATION_HINT)) from None

    mttf_out = np.empty(len(mttf_values))
    mttr_out = np.empty(len(mttr_values))
    for row, (mttf_value, mttr_value, line) in enumerate(zip(mttf_values, mttr_values, lines)):
        mttf_out[row] = seconds(mttf_value, "mttf", line)
        if mttf_out[row] == 0:
            raise InputError(_("MTTF {value} is zero").format(value=shown(mttf_value, quoted=True)), where(line, "mttf"), _("MTTF must be greater than zero"))
        mttr_out[row] = seconds(mttr_value, "mttr", line)
        if not math.isfinite(mttf_out[row] + mttr_out[row]):
            raise InputError(_("MTTF + MTTR is too large"), where(line, "mttr"), _(FLOAT_SIZED_DURATIONS))
    return mttf_out, mttr_out


def decode(block: bytes, first_line: int) -> str:
    """``block`` as UTF-8 text; anything else is bad input at the line it appears on."""
    try:
        return block.decode()
    except UnicodeDecodeError as error:
        line = first_line + block.count(b"\n", 0, error.start)
        raise InputError(_("not UTF-8 text (byte 0x{byte:02x})").format(byte=block[error.start]), where(line), _("save the file as UTF-8")) from None


def where(line: int, column: str | None = None) -> str:
    """Where in the input a row went wrong, as an error message's second part."""
    return _("line {line}").format(line=line) if column is None else _("line {line}, column {column}").format(line=line, column=column)


# ---------------------------------------------------------------------------------------------
# The math


def availability_columns(mttf: np.ndarray, mttr: np.ndarray, year_seconds: float) -> list[np.ndarray]:
    """availability, unavailability, nines and downtime per year for each row.

    ``U = MTTR / (MTTF + MTTR)`` directly (never ``1 - A``), so high availabilities keep their digits;
    nines is ``-log10 U`` (infinite when MTTR is zero).
    """
    import numpy as np

    cycle = mttf + mttr
    unavailability = mttr / cycle
    with np.errstate(divide="ignore"):
        nines = -np.log10(unavailability)
    return [mttf / cycle, unavailability, nines + 0.0, unavailability * year_seconds]


# ---------------------------------------------------------------------------------------------
# CSV input


@dataclass(frozen=True)
class CsvHeader:
    names: tuple[str, ...]
    mttf_index: int
    mttr_index: int


def csv_header(line: str) -> CsvHeader:
    """The header row: it must name ``mttf`` and ``mttr`` once each and no output column."""
    try:
        names = tuple(next(csv.reader([line.lstrip("\ufeff").rstrip("\r\n")]), []))
    except csv.Error as error:
        raise _csv_error(error, _("cannot read the CSV header"), 1) from None
    keys = [name.strip().lower() for name in names]
    counts = Counter(keys)
    repeated = sorted(key for key, count in counts.items() if count > 1 and key not in INPUT_COLUMNS)
    if repeated:
        raise InputError(_("column {name} appears more than once in the header").format(name=shown(repeated[0])), where(1), _("give every column its own name"))
    for column in INPUT_COLUMNS:
        if counts[column] != 1:
            problem = _("no column {name!r} in the header") if column not in counts else _("more than one column {name!r} in the header")
            raise InputError(problem.format(name=column), where(1), _("the header must name mttf and mttr once each"))
    for column in OUTPUT_COLUMNS:
        if column in keys:
            raise InputError(_("input column {name!r} would clash with the result column").format(name=column), where(1), _(RENAME_OR_DROP))
    return CsvHeader(names, keys.index("mttf"), keys.index("mttr"))


def _csv_error(error: csv.Error, what: str, line: int) -> InputError:
    """The csv module's complaint in this project's words where it speaks of Python's file modes or its own limit."""
    problem, fix = str(error), _("quote fields that hold commas, quotes or newlines")
    if problem.startswith("new-line character seen in unquoted field"):
        problem, fix = _("a carriage return (\\r) outside quotes"), _("end lines with \\n or \\r\\n")
    elif problem.startswith("field larger than field limit"):
        problem, fix = _("a field longer than {count:,} characters").format(count=csv.field_size_limit()), _("shorten it")
    return InputError(_("{what}: {problem}").format(what=what, problem=problem), where(line), fix)


@dataclass
class Ragged:
    """Variable-length byte strings stored end to end: row ``i`` is ``data[starts[i]:starts[i] + lengths[i]]``."""

    data: bytes
    starts: np.ndarray
    lengths: np.ndarray

    @classmethod
    def from_list(cls, items: Sequence[bytes]) -> "Ragged":
        import numpy as np

        lengths = np.fromiter(map(len, items), dtype=np.int64, count=len(items))
        starts = np.zeros(len(items), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        return cls(b"".join(items), starts, lengths)

    def __len__(self) -> int:
        return len(self.lengths)

    def items(self) -> list[bytes]:
        return [self.data[start : start + length] for start, length in zip(self.starts.tolist(), self.lengths.tolist())]


@dataclass
class CsvChunk:
    """One chunk of CSV rows: each row's text as it came in (kept columns, verbatim), its fields, MTTF and MTTR."""

    raw: Ragged
    fields: list[list[str]] | None
    mttf: np.ndarray
    mttr: np.ndarray


def read_csv_block(
    block: bytes, header: CsvHeader, first_line: int, *, default_unit: str, conventions: Conventions, want_fields: bool = False
) -> CsvChunk:
    """Rows from ``block`` (whole records, each ending in ``\\n``); line numbers count from ``first_line``."""
    if b"\r\n" in block:
        block = block.replace(b"\r\n", b"\n")
    if not want_fields and b'"' not in block and b"\r" not in block and b"\0" not in block:
        chunk = _read_plain_block(block, header, first_line, default_unit, conventions)
        if chunk is not None:
            return chunk
    return _read_quoted_block(block, header, first_line, default_unit, conventions)


def _read_plain_block(
    block: bytes, header: CsvHeader, first_line: int, default_unit: str, conventions: Conventions
) -> CsvChunk | None:
    """No quotes: every row is one line and every comma separates fields, so numpy finds the fields.

    Returns None when a row has the wrong number of fields: the careful path names it.
    """
    import numpy as np

    text = decode(block, first_line)
    data = np.frombuffer(block, dtype=np.uint8)
    newlines = np.flatnonzero(data == ord("\n"))
    rows = len(newlines)
    two_columns = len(header.names) == 2  # then loadtxt itself refuses rows of another width
    if not two_columns and not _fields_line_up(data, newlines, len(header.names)):
        return None
    starts = np.zeros(rows, dtype=np.int64)
    starts[1:] = newlines[:-1] + 1
    raw = Ragged(block, starts, newlines - starts)
    columns = (header.mttf_index, header.mttr_index)
    longest = int(raw.lengths.max()) if rows else 0
    if longest > csv.field_size_limit():  # the csv module's path says whether a field is over its limit
        return None
    short = longest <= MAX_VALUE_CHARACTERS  # then so is every value
    numbers = _loadtxt(text, None if two_columns else columns) if short else None
    if numbers is not None and numbers.shape == (rows, 2):
        if two_columns:
            numbers = numbers[:, columns]
        scale = float(unit_seconds(default_unit, conventions))
        with np.errstate(over="ignore"):
            mttf, mttr = numbers[:, 0] * scale, numbers[:, 1] * scale
        if rows_are_valid(mttf, mttr) and all(
            edges_confirmed(numbers[:, side], partial(_plain_cell, raw, index), default_unit, conventions)
            for side, index in enumerate(columns)
        ):
            return CsvChunk(raw, None, mttf, mttr)
    if two_columns and not _fields_line_up(data, newlines, 2):
        return None
    fields = text.replace("\n", ",").split(",")  # every row has the header's width: a flat list
    width = len(header.names)
    mttf, mttr = seconds_columns(
        fields[columns[0] :: width][:rows],
        fields[columns[1] :: width][:rows],
        range(first_line, first_line + rows),
        default_unit=default_unit,
        conventions=conventions,
        short=short,
    )
    return CsvChunk(raw, None, mttf, mttr)


def _loadtxt(text: str, columns: tuple[int, int] | None) -> np.ndarray | None:
    import numpy as np

    try:
        return np.loadtxt(io.StringIO(text), delimiter=",", usecols=columns, comments=None, quotechar=None, dtype=np.float64, ndmin=2)
    except ValueError:
        return None


def _plain_cell(raw: Ragged, index: int, row: int) -> str:
    start = int(raw.starts[row])
    return raw.data[start : start + int(raw.lengths[row])].split(b",")[index].decode()


def _fields_line_up(data: np.ndarray, newlines: np.ndarray, fields: int) -> bool:
    """Every line holds exactly ``fields - 1`` commas."""
    import numpy as np

    commas = np.flatnonzero(data == ord(","))
    if len(commas) != len(newlines) * (fields - 1):
        return False
    return bool((np.diff(np.searchsorted(commas, newlines), prepend=0) == fields - 1).all())


def _read_quoted_block(
    block: bytes, header: CsvHeader, first_line: int, default_unit: str, conventions: Conventions
) -> CsvChunk:
    """The general path: the csv module reads quoted fields, embedded commas and newlines."""
    lines = [line + "\n" for line in decode(block, first_line).replace("\r\n", "\n").split("\n")[:-1]]
    reader = csv.reader(lines, strict=True)
    records: list[list[str]] = []
    raw: list[bytes] = []
    record_lines: list[int] = []
    consumed = 0
    while True:
        line = first_line + consumed
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            _check_rows(records, record_lines, header, default_unit, conventions)
            raise _csv_error(error, _("cannot read CSV"), line) from None
        if len(fields) != len(header.names):
            _check_rows(records, record_lines, header, default_unit, conventions)
            raise InputError(_row_width_problem(len(fields), len(header.names)), where(line), _("give every row the header's columns; quote values that contain commas"))
        records.append(fields)
        raw.append("".join(lines[consumed : reader.line_num]).removesuffix("\n").encode())
        record_lines.append(line)
        consumed = reader.line_num
    mttf, mttr = _check_rows(records, record_lines, header, default_unit, conventions)
    return CsvChunk(Ragged.from_list(raw), records, mttf, mttr)


def _row_width_problem(fields: int, columns: int) -> str:
    """A CSV row of ``fields`` fields under a header of ``columns``."""
    if not fields:
        return _("an empty row where the header has {columns}").format(columns=columns)
    if fields == 1:
        return _("1 field where the header has {columns}").format(columns=columns)
    return _("{fields} fields where the header has {columns}").format(fields=fields, columns=columns)


def _check_rows(
    records: list[list[str]], lines: list[int], header: CsvHeader, default_unit: str, conventions: Conventions
) -> tuple[np.ndarray, np.ndarray]:
    return seconds_columns(
        [fields[header.mttf_index] for fields in records],
        [fields[header.mttr_index] for fields in records],
        lines,
        default_unit=default_unit,
        conventions=conventions,
    )


# ---------------------------------------------------------------------------------------------
# NDJSON input


@dataclass
class JsonChunk:
    """One chunk of NDJSON rows: the objects (keys kept in order), their lines, MTTF and MTTR."""

    objects: list[dict[str, Any]]
    texts: list[str]
    mttf: np.ndarray
    mttr: np.ndarray


def read_ndjson_lines(
    texts: Sequence[str], first_line: int, *, default_unit: str, conventions: Conventions
) -> JsonChunk:
    """One JSON object per line, each with ``mttf`` and ``mttr``; a blank or malformed line stops with its number."""
    objects: list[dict[str, Any]] = []
    kept: list[str] = []
    lines: list[int] = []

    def check_so_far() -> None:
        seconds_columns(
            [item["mttf"] for item in objects], [item["mttr"] for item in objects], lines, default_unit=default_unit, conventions=conventions
        )

    for offset, text in enumerate(texts):
        line = first_line + offset
        try:
            item = json_row(text, line)
        except InputError:
            check_so_far()
            raise
        objects.append(item)
        kept.append(text.strip())
        lines.append(line)
    mttf, mttr = seconds_columns(
        [item["mttf"] for item in objects], [item["mttr"] for item in objects], lines, default_unit=default_unit, conventions=conventions
    )
    return JsonChunk(objects, kept, mttf, mttr)


def json_row(text: str, line: int) -> dict[str, Any]:
    """One NDJSON line as an object with ``mttf`` and ``mttr``; anything a row cannot be is refused at ``line``.

    Refused besides malformed JSON: nesting deeper than ``MAX_JSON_DEPTH`` (before parsing, so it never
    recurses), a key given twice, an integer too long to read, and a lone surrogate (not writable as UTF-8).
    """
    if not text.strip():
        raise InputError(_("an empty line"), where(line), _(ONE_OBJECT_PER_LINE))
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _json_depth(text) > MAX_JSON_DEPTH:
        raise InputError(_("the row nests deeper than {most} levels").format(most=MAX_JSON_DEPTH), where(line), _("a row needs only a few levels"))
    item = _decoded(text, line, _json_decoder())
    if not isinstance(item, dict):
        raise InputError(_("not a JSON object"), where(line), _(_ROW_EXAMPLE).format(example=_EXAMPLE_ROW))
    if ("\\ud" in text or "\\uD" in text) and (lone := _lone_surrogate(item)) is not None:
        raise InputError(
            _("a lone surrogate {text!r} in a JSON string").format(text=lone), where(line), _("it is not text and cannot be written as UTF-8: give whole characters")
        )
    for column in INPUT_COLUMNS:
        value = item.get(column)
        if value is None:
            raise InputError(_("no {name!r} key").format(name=column), where(line), _(_ROW_EXAMPLE).format(example=_EXAMPLE_ROW))
        if type(value) is float and not _SMALLEST_NORMAL <= abs(value) < math.inf:
            item = _decoded(text, line, _json_decoder(keep_edge_floats=True))  # its text decides, as for a string
    for column in OUTPUT_COLUMNS:
        if column in item:
            raise InputError(_("key {name!r} would clash with the result key").format(name=column), where(line), _(RENAME_OR_DROP))
    return item


def _decoded(text: str, line: int, decoder: json.JSONDecoder) -> Any:
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as error:
        raise InputError(_("not JSON: {reason} at column {column}").format(reason=error.msg, column=error.colno), where(line), _(ONE_OBJECT_PER_LINE)) from None
    except ValueError:  # Python reads integers of at most sys.get_int_max_str_digits() digits
        raise InputError(
            _("an integer of more than {count:,} digits").format(count=sys.get_int_max_str_digits()), where(line), _(FLOAT_SIZED_DURATIONS)
        ) from None
    except InputError as error:
        raise error.located(where(line)) from None


@cache
def _json_decoder(*, keep_edge_floats: bool = False) -> json.JSONDecoder:
    if keep_edge_floats:
        return json.JSONDecoder(object_pairs_hook=_json_object, parse_float=_json_float)
    return json.JSONDecoder(object_pairs_hook=_json_object)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are all different: ``json`` would keep the last of two silently."""
    item = dict(pairs)
    if len(item) < len(pairs):
        repeated = next(key for key, count in Counter(key for key, _ in pairs).items() if count > 1)
        raise InputError(_("key {name} appears more than once").format(name=shown(repeated)), fix=_("give every key once"))
    return item


def _json_float(text: str) -> float:
    value = float(text)
    if _SMALLEST_NORMAL <= abs(value) < math.inf or not text.lower().partition("e")[0].strip("+-0."):
        return value
    return EdgeFloat(value, text)


def _json_depth(text: str) -> int:
    """How deep arrays and objects nest in the JSON ``text``, counting brackets outside strings."""
    import numpy as np

    structure = np.frombuffer(_JSON_STRING.sub("", text).encode(), dtype=np.uint8)
    steps = np.isin(structure, _OPENERS).astype(np.int64) - np.isin(structure, _CLOSERS)
    return int(np.cumsum(steps).max(initial=0))


def _lone_surrogate(value: Any) -> str | None:
    """The first string (key or value) holding half a surrogate pair; ``json`` reads ``"\\ud800"`` as one."""
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError as error:
            return value[error.start]
        return None
    children = [*value.keys(), *value.values()] if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((lone for child in children if (lone := _lone_surrogate(child)) is not None), None)



# ---------------------------------------------------------------------------------------------
# Writing rows


def join_rows(prefix: Ragged, pieces: Sequence[bytes | np.ndarray], *, missing: bytes) -> bytes | memoryview:
    """Each row's ``prefix`` followed by ``pieces`` in order: literal bytes, or one number per row.

    Numbers are written by ``number_text``'s rule; infinities and NaN as ``missing``. Rows are built
    side by side in a byte matrix of 4-byte words padded with NUL and squeezed once, which is what makes
    a million rows cheap; prefixes that are very long, or that hold NUL themselves, are joined in Python.
    """
    import numpy as np

    rows = len(prefix)
    if rows == 0:
        return b""
    widest = -(-int(prefix.lengths.max()) // 8) * 8
    if widest > _WIDEST_PREFIX_FOR_MATRIX or b"\0" in prefix.data:
        return _join_rows_slowly(prefix, pieces, missing)
    literals = [_padded(piece) if isinstance(piece, bytes) else piece for piece in pieces]
    widths = [len(piece) if isinstance(piece, bytes) else 4 * _NUMBER_WORDS for piece in literals]
    matrix = np.zeros((rows, -(-(widest + sum(widths)) // 8) * 8), dtype=np.uint8)
    _fill_prefix(matrix[:, :widest], prefix)
    column = widest
    for piece, width in zip(literals, widths):
        target = matrix[:, column : column + width]
        if isinstance(piece, bytes):
            target.view(np.uint32)[:] = np.frombuffer(piece, dtype=np.uint32)
        else:
            write_numbers(target, piece, missing)
        column += width
    return memoryview(matrix[matrix.view(bool)])  # a non-zero byte counts as True: every byte but NUL is kept


def _padded(literal: bytes) -> bytes:
    return literal + b"\0" * (-len(literal) % 4)


def _fill_prefix(target: np.ndarray, prefix: Ragged) -> None:
    """Copy each row's prefix into ``target`` (width a multiple of 8) eight bytes at a time, NUL after its end."""
    import numpy as np

    width = target.shape[1] // 8
    padded = prefix.data + b"\0" * (8 * width)
    # every run of ``width`` 8-byte words, starting at every byte
    runs = np.ndarray((len(padded) - 8 * width + 1, width), dtype="<u8", buffer=padded, strides=(1, 8))
    keep = np.array([(1 << (8 * count)) - 1 for count in range(9)], dtype=np.uint64)  # low bytes come first
    lengths = np.clip(prefix.lengths[:, None] - 8 * np.arange(width), 0, 8)
    target.view("<u8")[:] = runs[np.minimum(prefix.starts, len(runs) - 1)] & keep[lengths]


def _join_rows_slowly(prefix: Ragged, pieces: Sequence[bytes | np.ndarray], missing: bytes) -> bytes:
    texts = [piece if isinstance(piece, bytes) else [_number_bytes(value, missing) for value in piece.tolist()] for piece in pieces]
    return b"".join(
        head + b"".join(piece if isinstance(piece, bytes) else piece[row] for piece in texts)
        for row, head in enumerate(prefix.items())
    )


def _number_bytes(value: float, missing: bytes) -> bytes:
    return number_text(value).encode() if math.isfinite(value) else missing


# ---------------------------------------------------------------------------------------------
# Numbers as text, vectorised

_NUMBER_WORDS = 7  # 4-byte words per number: at most two of fixed text, five of digits (see _layout)
_LOWEST_FAST, _HIGHEST_FAST = -6, 14  # decimal exponents where 2 * 10**(16 - e) is an exact double
_SPLITTER = 134217729.0  # 2**27 + 1: Veltkamp's split of a double into two 26-bit halves


def write_numbers(target: np.ndarray, values: np.ndarray, missing: bytes) -> None:
    """Write ``number_text(value)`` into each row of the NUL-filled byte matrix ``target`` (NULs may sit anywhere)."""
    import numpy as np

    fast = np.isfinite(values) & (values >= 1e-6) & (values < 1e14)
    rows: np.ndarray | slice = slice(None) if fast.all() else np.flatnonzero(fast)
    if fast.any():
        digits, exponent = _decimal_digits(values[rows])
        in_range = (exponent >= _LOWEST_FAST) & (exponent <= _HIGHEST_FAST)
        if not in_range.all():  # rounding carried past the exact-double range: those few go the slow way
            rows = np.flatnonzero(fast)[in_range]
            fast[:] = False
            fast[rows] = True
            digits, exponent = digits[in_range], exponent[in_range]
        _write_digits(target.view(np.uint32), rows, digits, exponent)
    for row in np.flatnonzero(~fast).tolist():
        text = _number_bytes(float(values[row]), missing)
        target[row, : len(text)] = np.frombuffer(text, dtype=np.uint8)


def _write_digits(words: np.ndarray, rows: np.ndarray | slice, digits: np.ndarray, exponent: np.ndarray) -> None:
    """Lay out each row's digits by its exponent's ``_Layout``, one exponent's rows at a time.

    The words are built column-major (one contiguous array per word, so each table look-up writes
    contiguously) and then copied into ``words`` with one transposing copy.
    """
    import numpy as np

    if len(exponent) and exponent.min() == exponent.max():
        columns = _layout(int(exponent[0])).columns(digits)
        words[rows, : len(columns)] = columns.T
        return
    positions = np.arange(words.shape[0])[rows]
    offset = -_LOWEST_FAST
    for value in (np.flatnonzero(np.bincount(exponent + offset)) - offset).tolist():
        members = np.flatnonzero(exponent == value)
        columns = _layout(value).columns(digits[members])
        words[positions[members], : len(columns)] = columns.T


@dataclass(frozen=True)
class _Layout:
    """How ``%g`` writes the 17 digits of values with one decimal exponent, as 4-byte words.

    Fixed text (``0.00``, ``e-05``) takes whole words; the digits are cut into chunks of at most four so
    that the decimal point falls at the end of a chunk. Each chunk becomes one word through a table:
    as written, with the point after it (point chunks, shown when any fraction digit is not zero), or
    with trailing zeros blanked (the last non-zero fraction chunk, and every fraction chunk after it).
    """

    before: tuple[bytes, ...]
    chunks: tuple[tuple[int, str], ...]  # (digit count, "whole" | "point" | "fraction"), most significant first
    after: tuple[bytes, ...]

    def columns(self, digits: np.ndarray) -> np.ndarray:
        """The words for each of ``digits``, one row per word position (column-major)."""
        import numpy as np

        table, offsets = _chunk_tables()
        fixed = [np.frombuffer(text, dtype=np.uint32)[0] for text in self.before]
        by_column = np.empty((len(self.before) + len(self.chunks) + len(self.after), len(digits)), dtype=np.uint32)
        by_column[: len(fixed)] = np.array(fixed, dtype=np.uint32)[:, None]
        rest, remaining = digits, 17
        for index, (size, kind) in enumerate(self.chunks, start=len(fixed)):
            remaining -= size
            value = rest // 10**remaining
            rest = rest - value * 10**remaining
            if kind == "whole":
                value = value + offsets["whole", size]
            elif kind == "point":  # the point shows when a digit after it is not zero
                value = value + np.where(rest > 0, offsets["point", size], offsets["whole", size])
            else:  # the last non-zero fraction chunk and those after it lose their trailing zeros
                value = value + np.where(rest > 0, offsets["whole", size], offsets["blank", size])
            np.take(table, value, out=by_column[index])
        for index, text in enumerate(self.after, start=len(fixed) + len(self.chunks)):
            by_column[index] = np.frombuffer(text, dtype=np.uint32)[0]
        return by_column


@cache
def _layout(exponent: int) -> _Layout:
    def fixed(text: str) -> tuple[bytes, ...]:
        padded = text.encode().rjust(-(-len(text) // 4) * 4, b"\0")
        return tuple(padded[start : start + 4] for start in range(0, len(padded), 4))

    if exponent < -4:  # 1.2345e-05
        return _Layout((), ((1, "point"), *_fraction_chunks(16)), fixed(f"e-{-exponent:02d}"))
    if exponent < 0:  # 0.00012345
        return _Layout(fixed("0." + "0" * (-exponent - 1)), _fraction_chunks(17), ())
    whole = exponent + 1  # 123.45
    point = min(whole, 3)
    leading = whole - point
    chunks = [(leading % 4, "whole")] if leading % 4 else []
    chunks += [(4, "whole")] * (leading // 4) + [(point, "point")]
    return _Layout((), (*chunks, *_fraction_chunks(17 - whole)), ())


def _fraction_chunks(count: int) -> tuple[tuple[int, str], ...]:
    return tuple((min(4, count - start), "fraction") for start in range(0, count, 4))


@cache
def _chunk_tables() -> tuple[np.ndarray, dict[tuple[str, int], int]]:
    """One table of 4-byte words for every chunk value: as written, with a point, and with trailing zeros blanked.

    Words are right-aligned (NUL first): NUL bytes vanish from the output wherever they are.
    """
    import numpy as np

    parts: list[np.ndarray] = []
    offsets: dict[tuple[str, int], int] = {}
    start = 0
    for kind, sizes in (("whole", range(1, 5)), ("point", range(1, 4)), ("blank", range(1, 5))):
        for size in sizes:
            values = np.arange(10**size)
            digits = (values[:, None] // 10 ** np.arange(size - 1, -1, -1) % 10 + ord("0")).astype(np.uint8)
            if kind == "point":
                digits = np.hstack([digits, np.full((len(values), 1), ord("."), dtype=np.uint8)])
            elif kind == "blank":
                trailing = np.logical_and.accumulate(digits[:, ::-1] == ord("0"), axis=1)[:, ::-1]
                digits = np.where(trailing, 0, digits).astype(np.uint8)
            words = np.zeros((len(values), 4), dtype=np.uint8)
            words[:, 4 - digits.shape[1] :] = digits
            offsets[kind, size] = start
            parts.append(words.view(np.uint32).ravel())
            start += len(values)
    return np.concatenate(parts), offsets


def _decimal_digits(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """17-digit integers D and exponents E with value ≈ D * 10**(E - 16), chosen by ``number_text``'s rule.

    ``floor(2 * value * 10**k)`` is computed exactly from Dekker's error-free product, so rounding to
    17 and to 15 digits is exact (half to even, as C's printf); the 15-digit candidate is kept when
    ``D15 / 10**j`` (both exact doubles, so one correctly rounded division) gives the value back.
    """
    import numpy as np

    exponent = np.floor(np.log10(values)).astype(np.int64)
    twice, exact = _twice_scaled(values, 16 - exponent)
    low, high = twice < 2 * 10**16, twice >= 2 * 10**17
    if low.any() or high.any():
        exponent += high.astype(np.int64) - low.astype(np.int64)
        twice, exact = _twice_scaled(values, 16 - exponent)
    odd = (twice & 1).astype(bool)
    digits17 = _half_even((twice + 1) >> 1, exact & odd)
    shifted = (twice >> 1) + 50
    rounded15 = shifted // 100
    digits15 = _half_even(rounded15, exact & ~odd & (rounded15 * 100 == shifted))
    round_trips = digits15.astype(np.float64) / _powers_of_ten(14 - exponent) == values
    digits = np.where(round_trips, digits15 * 100, digits17)
    carried = digits >= 10**17
    return np.where(carried, digits // 10, digits), exponent + carried


def _half_even(rounded_up: np.ndarray, tie: np.ndarray) -> np.ndarray:
    return rounded_up - (tie & (rounded_up & 1 == 1))


def _twice_scaled(values: np.ndarray, power: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``floor(2 * values * 10**power)`` exactly, and whether that product is a whole number."""
    import numpy as np

    factor = 2.0 * _powers_of_ten(power)
    product = values * factor
    value_high, value_low = _split(values)
    factor_high, factor_low = _split(factor)
    error = ((value_high * factor_high - product) + value_high * factor_low + value_low * factor_high) + value_low * factor_low
    error_floor = np.floor(error)
    return product.astype(np.int64) + error_floor.astype(np.int64), error == error_floor


def _split(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scaled = _SPLITTER * values
    high = scaled - (scaled - values)
    return high, values - high


def _powers_of_ten(powers: np.ndarray) -> np.ndarray | float:
    """``10.0**powers`` from a table of the exact ones (powers outside 0..24 are clipped; callers discard those rows)."""
    import numpy as np

    if len(powers) and powers.min() == powers.max():
        return 10.0 ** min(max(int(powers[0]), 0), 24)
    return np.take(_powers_of_ten_table(), powers, mode="clip")


@cache
def _powers_of_ten_table() -> np.ndarray:
    import numpy as np

    return np.array([10.0**power for power in range(25)])
