"""Generators of hacalc command lines and files: valid-looking inputs with at most one hostile mutation.

Every generator starts from something hacalc accepts (documented values, the bundled scenarios in
scenarios/) and changes one thing, so most examples get past the first parser and reach the code behind
it. The first alternative of every choice is the harmless one, so hypothesis shrinks a failure to the
one mutation that causes it.

An ``Invocation`` carries the argv, the format its stdout must parse as, stdin, and files to write;
file arguments are written as ``@DIR@/name`` and placed by ``Invocation.argv(directory)``.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from fuzz_harness import short
from hypothesis import strategies as st

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DIR = "@DIR@"

# Valid values, per kind of value ------------------------------------------------------------------

DURATIONS = ["50000h", "15m", "2h30m", "1.5h", "30d", "1w", "1y", "1mo", "PT15M", "P1Y", "P1DT2H", "30s", "500ms", "10h", "0.25h"]
BARE_DURATIONS = ["1000", "0.25", "8760", "50000", "1e3"]
AVAILABILITIES = ["99.9", "99.95%", "0.999", "4 nines", "4.5 nines", "99.999%", "90", "0.5", "100", "0", "1", "5 nines", "99.98999"]
SLO_TARGETS = ["99.9", "99.95%", "99", "4 nines", "0.999", "99.5"]
WINDOWS = ["30d", "28d", "7d", "1mo", "1y", "P30D", "1q"]
SPENT = ["0s", "10m", "25m", "1h", "2d", "PT1H"]
ELAPSED = ["10d", "1d", "7d", "1h"]
ALERTS = ["2%:1h:5m", "5%:6h:30m:ticket", "10%:3d", "2%:1h:5m:page", "10%:3d:6h"]
RATES = ["1e-3/h", "2/y", "0.5 per day", "0.1/h", "1e-3", "1/1000h", "3/mo", "1/w"]
COUNTS = ["1", "2", "0", "3"]
PROBABILITIES = ["0.99", "99%", "1", "0.999999", "0.99999999999999", "0.98"]
MONEY = ["9000", "0", "0.5", "2000", "1e3"]
PER_TEMPERATURE_TIMES = ["hot=30s,warm=5m,cold=30m", "30s", "hot=1m", "cold=2h", "warm=10m,cold=1h"]
PER_SPARE_MONEY = ["hot=9000,warm=5000,cold=1000", "1000", "active-active=18000", "cold=1,000"]
SPARE_KINDS = ["all", "hot", "warm", "cold", "active-active", "hot,cold"]
DORMANCY = ["0.5", "0", "1", "0.3"]
SWEEPS = ["0..2", "1..3", "0..0", "2..2"]
YEAR_DAYS = ["365", "365.25", "365.2425"]
MONTHS = ["30d", "4w", "730h"]
QUARTERS = ["90d", "13w", "91.25d"]
ROUNDINGS = ["nearest", "floor"]
UNITS = ["h", "m", "s", "d", "y", "ms", "mo", "w"]
TABLE_JSON_CSV = ["table", "json", "csv"]
TOLERATE = ["1", "2", "3"]
POLICIES = ["slot", "percentage", "failover-hosts", "none"]
COMPOSE_LEAVES = ["99.9%", "0.999", "4 nines", "99.95", "99%", "0.5", "100%", "unit(50000h, 15m)", "unit(1000h, 10h)"]
PART_NAMES = ["db", "web", "lb", "a.b", "x_1", "rack-2"]

# Hostile material ---------------------------------------------------------------------------------

EXTREME_NUMBERS = [
    "1e999999999",
    "1e-999999999",
    "9e99999",
    "1e-9999999",
    "1e309",
    "1e308",
    "1e-308",
    "4e-324",
    "1e-400",
    "0",
    "-0",
    "0.0",
    "1" + "0" * 400,
    "9" * 5000,
    "1" + "0" * 4301,
    ".5",
    "5.",
    "1_000",
    "0x10",
    "1:30",
    "\u0661\u0660",  # Arabic-Indic 10
    "\uff11\uff10",  # fullwidth 10
    "1e",
    "1.2.3",
    "NaN",
    "inf",
    "-1",
    "+1",
    "1/",
    "1/0",
    str(2**63),
    str(2**64),
]
HOSTILE_ATOMS = [
    "",
    " ",
    "\x00",
    "\x1b]0;pwned\x07",
    "\x1b[31m",
    "\n",
    "\r\n",
    "\t",
    "\x7f",
    "\x9b",
    "\u2028",
    "\u202e",
    "\ud800",
    "\udcff",
    "\ufeff",
    "\u00a0",
    "é",
    "∞",
    "%",
    "/",
    ":",
    ",",
    "=",
    "(",
    ")",
    " nines",
    "-",
    "..",
    "e",
    "x" * 201,
    " " * 10_000,
    "𝟗𝟗",
]
HOSTILE_STRINGS = [
    "\x1b]0;pwned\x07",
    "a\nb",
    "line\r\nbreak",
    "\x00",
    "\u202eevil",
    "x" * 100_000,
    "é ∞ 𝟗",
    "\ud800",
    " ",
    "",
    "[" + " " * 20_000,
    "\n[" + " " * 20_000 + "\n",
]
HOSTILE_KEYS = ["bogus", "na me", "a\nb", "\x1b[2J", "", "NAME", "name ", "é", "k" * 1000, "count.x", '"q"', "\ud800"]
_DIGITS = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


class Invocation:
    """A command line, the format its stdout must parse as, its stdin, and the files it reads.

    Not a dataclass: hypothesis prints a failing example with this ``repr``, which shortens the
    100 KB strings and 5,000-digit numbers the generators make.
    """

    def __init__(
        self, args: list[str], output: str, *, stdin: bytes = b"", files: dict[str, bytes] | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.args = args
        self.output = output
        self.stdin = stdin
        self.files = files or {}
        self.env = env or {}

    def argv(self, directory: Path) -> list[str]:
        return [arg.replace(DIR, str(directory)) for arg in self.args]

    def write_files(self, directory: Path) -> None:
        for name, content in self.files.items():
            (directory / name).write_bytes(content)

    def __repr__(self) -> str:
        files = {name: short(content) for name, content in self.files.items()}
        return (
            f"Invocation(args=[{', '.join(short(arg) for arg in self.args)}], output={self.output!r}, "
            f"stdin={short(self.stdin)}, files={{{', '.join(f'{name!r}: {text}' for name, text in files.items())}}}, env={self.env!r})"
        )


# One mutation of a value --------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, value: str) -> str:
    """``value`` with one hostile change: an extreme number, a sign, a foreign character, a length."""
    how = draw(st.sampled_from(["number", "replace", "insert", "negate", "digits", "long", "text"]))
    if how == "number":
        numbers = list(_DIGITS.finditer(value))
        extreme = draw(st.sampled_from(EXTREME_NUMBERS))
        if not numbers:
            return extreme + value
        number = numbers[draw(st.integers(0, len(numbers) - 1))]
        return value[: number.start()] + extreme + value[number.end() :]
    if how == "replace":
        return draw(st.sampled_from(HOSTILE_ATOMS + EXTREME_NUMBERS))
    if how == "insert":
        position = draw(st.integers(0, len(value)))
        return value[:position] + draw(st.sampled_from(HOSTILE_ATOMS)) + value[position:]
    if how == "negate":
        return "-" + value
    if how == "digits":
        table = draw(st.sampled_from([0x0660, 0xFF10, 0x1D7CE, 0x0966]))  # Arabic-Indic, fullwidth, bold, Devanagari
        return "".join(chr(table + int(char)) if char.isascii() and char.isdigit() else char for char in value)
    if how == "long":
        return draw(st.sampled_from([value * 50, value + " " * 60_000, value.ljust(201, "0"), "(" * 500 + value]))
    return draw(st.text(max_size=16))


# Options whose values click checks against a fixed list: a mutation there never gets past click.
CHOICE_OPTIONS = ("--format", "--round", "--policy", "--input-format", "--mtbf-means")


@st.composite
def assemble(
    draw: st.DrawFn,
    command: list[str],
    pairs: list[tuple[str | None, str]],
    switches: list[str] = (),
    *,
    default_format: str = "table",
    allow_mutation: bool = True,
) -> tuple[list[str], str]:
    """argv for ``command``: options (flag, value) and positionals (None, value), at most one mutated.

    The mutation changes one value, drops one item, or gives an option twice. Returns the argv and the
    output format the contract must check.
    """
    pairs = list(pairs)
    mutable = [index for index, (flag, _) in enumerate(pairs) if flag not in CHOICE_OPTIONS]
    target = draw(st.sampled_from([None, *mutable])) if allow_mutation and mutable else None
    if target is not None:
        how = draw(st.sampled_from(["value"] * 6 + ["drop", "twice"]))
        flag, value = pairs[target]
        if how == "value":
            pairs[target] = (flag, draw(mutated(value)))
        elif how == "drop":
            del pairs[target]
        else:
            pairs.insert(target, (flag, draw(mutated(value))))
    output = default_format
    for flag, value in pairs:
        if flag == "--format":
            output = value.lower() if value.lower() in ("table", "json", "csv", "ndjson", "junit", "markdown") else output
    options = [part for flag, value in pairs if flag for part in (flag, value)]
    positionals = [value for flag, value in pairs if flag is None]
    separator = ["--"] if any(value.startswith("-") and value != "-" for value in positionals) or draw(st.booleans()) else []
    prefix = draw(st.sampled_from([[], ["-q"], ["--no-color"], ["-q", "--no-color"]]))
    return [*prefix, *command, *options, *switches, *separator, *positionals], output


def optional(name: str, values: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    return st.one_of(st.just([]), st.sampled_from(values).map(lambda value: [(name, value)]))


def conventions() -> st.SearchStrategy[list[tuple[str, str]]]:
    return st.tuples(
        optional("--year-days", YEAR_DAYS), optional("--month", MONTHS), optional("--quarter", QUARTERS), optional("--round", ROUNDINGS)
    ).map(lambda parts: [pair for part in parts for pair in part])


def environments() -> st.SearchStrategy[dict[str, str]]:
    return st.sampled_from([{}, {"NO_COLOR": "1"}, {"COLUMNS": "40"}, {"COLUMNS": "80", "TERM": "dumb"}, {"COLUMNS": "250"}])


# Commands with arguments only ---------------------------------------------------------------------


@st.composite
def nines_invocations(draw: st.DrawFn) -> Invocation:
    targets = draw(st.lists(st.sampled_from(AVAILABILITIES), max_size=3))
    pairs = [("--format", draw(st.sampled_from(TABLE_JSON_CSV))), *draw(conventions()), *((None, target) for target in targets)]
    args, output = draw(assemble(["nines"], pairs))
    return Invocation(args, output, env=draw(environments()))


@st.composite
def budget_invocations(draw: st.DrawFn) -> Invocation:
    pairs = [
        (None, draw(st.sampled_from(SLO_TARGETS))),
        ("--format", draw(st.sampled_from(TABLE_JSON_CSV))),
        *draw(optional("--window", WINDOWS)),
        *draw(optional("--spent", SPENT)),
        *draw(optional("--elapsed", ELAPSED)),
        *(("--alert", alert) for alert in draw(st.lists(st.sampled_from(ALERTS), max_size=2))),
        *draw(conventions()),
    ]
    switches = draw(st.lists(st.sampled_from(["--alerts", "--check"]), max_size=2, unique=True))
    args, output = draw(assemble(["budget"], pairs, switches))
    return Invocation(args, output, env=draw(environments()))


def expressions(max_leaves: int = 10) -> st.SearchStrategy[str]:
    """Well-formed compose expressions: series, parallel and kofn of named or plain leaves."""
    leaf = st.tuples(st.sampled_from([None, *PART_NAMES]), st.sampled_from(COMPOSE_LEAVES)).map(
        lambda named: f"{named[0]}={named[1]}" if named[0] else named[1]
    )

    def combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        group = st.lists(children, min_size=1, max_size=4)
        return st.one_of(
            group.map(lambda parts: f"series({', '.join(parts)})"),
            group.map(lambda parts: f"parallel({', '.join(parts)})"),
            group.flatmap(lambda parts: st.integers(1, len(parts)).map(lambda k: f"kofn({k}, {', '.join(parts)})")),
        )

    return st.recursive(leaf, combine, max_leaves=max_leaves)


@st.composite
def mutated_expression(draw: st.DrawFn, expression: str) -> str:
    """Besides value mutations: structure gone wrong (unbalanced, too deep, too wide, negative nines)."""
    how = draw(st.sampled_from(["value", "structure"]))
    if how == "value":
        return draw(mutated(expression))
    return draw(
        st.sampled_from(
            [
                expression[: len(expression) // 2],
                expression + ")",
                "series(" * 150 + expression + ")" * 150,
                "parallel(" + ", ".join([expression] * 40) + ")",
                f"kofn(0, {expression})",
                f"kofn(5, {expression})",
                f"kofn({'9' * 5000}, {expression}, 99%)",
                f"parallel(-1 nines, {expression})",
                f"series(db={expression}, db={expression})",
                f"series({expression},)",
                f"unit({expression}, 1h)",
            ]
        )
    )


@st.composite
def compose_invocations(draw: st.DrawFn) -> Invocation:
    expression = draw(expressions())
    if draw(st.booleans()):
        expression = draw(mutated_expression(expression))
    pairs = [("--format", draw(st.sampled_from(TABLE_JSON_CSV))), *draw(conventions()), (None, expression)]
    args, output = draw(assemble(["compose"], pairs, allow_mutation=draw(st.booleans())))
    return Invocation(args, output, env=draw(environments()))


AVAILABILITY_MODES: list[list[tuple[str, list[str]]]] = [
    [("--mttf", DURATIONS + BARE_DURATIONS), ("--mttr", DURATIONS + BARE_DURATIONS)],
    [("--mtbf", DURATIONS), ("--mttr", DURATIONS), ("--mtbf-means", ["operating", "cycle"])],
    [("--failure-rate", RATES), ("--repair-rate", RATES)],
    [("--downtime", DURATIONS), ("--period", ["365d", "1y", "30d", "P1Y"])],
    [("--downtime", DURATIONS), ("--uptime", DURATIONS)],
]


@st.composite
def availability_invocations(draw: st.DrawFn) -> Invocation:
    mode = draw(st.sampled_from(AVAILABILITY_MODES))
    pairs = [(flag, draw(st.sampled_from(values))) for flag, values in mode]
    pairs += [("--format", draw(st.sampled_from(TABLE_JSON_CSV))), *draw(optional("--unit", UNITS)), *draw(conventions())]
    args, output = draw(assemble(["availability"], pairs))
    return Invocation(args, output, env=draw(environments()))


# Batch files --------------------------------------------------------------------------------------

RAW_JSON_VALUES = ["1e999999999", "-1", "1e309", "-0.0", "true", "null", "[]", "{}", "1" + "0" * 5000, '"\\ud800"', "[" * 500 + "1" + "]" * 500]


@st.composite
def batch_rows(draw: st.DrawFn) -> tuple[list[str], list[list[Any]]]:
    """A header with mttf and mttr among kept columns, and up to 8 valid rows."""
    extras = draw(st.lists(st.sampled_from(["host", "note", "id"]), max_size=2, unique=True))
    header = draw(st.permutations(["mttf", "mttr", *extras]))
    values = {
        "mttf": st.one_of(st.sampled_from(DURATIONS + BARE_DURATIONS), st.integers(1, 10**6), st.sampled_from([50000.0, 0.25])),
        "mttr": st.one_of(st.sampled_from(DURATIONS + BARE_DURATIONS), st.integers(0, 100)),
        "host": st.sampled_from(["esx-1", "db 2", "a,b", 'say "hi"', "é"]),
        "note": st.sampled_from(["", "rack 4", "multi\nline", "x"]),
        "id": st.integers(0, 999),
    }
    rows = draw(st.lists(st.tuples(*(values[name] for name in header)).map(list), min_size=0, max_size=8))
    return list(header), rows


def _csv_text(header: list[str], rows: list[list[Any]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _ndjson_text(header: list[str], rows: list[list[Any]], raw: dict[tuple[int, str], str]) -> str:
    lines = []
    for index, row in enumerate(rows):
        parts = []
        for name, value in zip(header, row):
            text = raw.get((index, name), json.dumps(value, ensure_ascii=False))
            parts.append(f"{json.dumps(name)}:{text}")
        lines.append("{" + ",".join(parts) + "}")
    return "".join(line + "\n" for line in lines)


@st.composite
def batch_file(draw: st.DrawFn, kind: str, mutate: bool) -> bytes:
    """A CSV or NDJSON batch, with at most one mutation of a cell, a row, the header or the bytes."""
    header, rows = draw(batch_rows())
    raw: dict[tuple[int, str], str] = {}
    how = draw(st.sampled_from(["cell", "cell", "structure", "bytes"])) if mutate else None
    if how == "cell" and rows:
        row = draw(st.integers(0, len(rows) - 1))
        column = draw(st.integers(0, len(header) - 1))
        if kind == "ndjson" and draw(st.booleans()):
            raw[(row, header[column])] = draw(st.sampled_from(RAW_JSON_VALUES))
        else:
            rows[row][column] = draw(mutated(str(rows[row][column])))
    if how == "structure":
        return draw(_mutated_batch_structure(kind, header, rows))
    text = _csv_text(header, rows) if kind == "csv" else _ndjson_text(header, rows, raw)
    data = text.encode("utf-8", "surrogatepass")
    return draw(mutated_bytes(data)) if how == "bytes" else data


@st.composite
def _mutated_batch_structure(draw: st.DrawFn, kind: str, header: list[str], rows: list[list[Any]]) -> bytes:
    body = _csv_text(header, rows) if kind == "csv" else _ndjson_text(header, rows, {})
    ndjson_row = '{"mttf":"1000h","mttr":"1h"}'
    choices = {
        "csv": [
            _csv_text([*header, header[0]], [[*row, row[0]] for row in rows]),  # a column named twice
            _csv_text([name for name in header if name != "mttr"], [row[: len(header) - 1] for row in rows]),
            body + "1000h\n",  # a short row
            body + "1000h,1h,1h,1h,1h\n",  # a long row
            body + '"unclosed,1h\n',
            "\n" + body,
            body.replace("\n", "\r\n"),
            body.replace("\n", "\r"),
            body + "\n\n\n",
            body + ndjson_row + "\n",
            body.rstrip("\n"),
            "mttf,mttr\n" + "1h," + "9" * 100_000 + "\n",
            ",".join(header) + "\n" + body,  # the header twice
            "",
        ],
        "ndjson": [
            body + '{"mttf":"1h","mttf":"2h","mttr":"1h"}\n',
            body + "[1, 2]\n",
            body + "null\n",
            body + '{"mttf":"1h"}\n',
            body + '{"mttf":"1h","mttr":"1h"\n',
            body + '{"mttf":"1h","mttr":"1h","note":"\\ud800"}\n',
            body + '{"mttf":"1h","mttr":"1h","deep":' + "[" * 500 + "]" * 500 + "}\n",
            body + "mttf,mttr\n1h,1h\n",
            body.replace("\n", "\r\n"),
            body + "\n\n",
            body.rstrip("\n"),
            '{"mttf":"1h","mttr":"' + "9" * 100_000 + '"}\n',
            "",
        ],
    }
    return draw(st.sampled_from(choices[kind])).encode("utf-8", "surrogatepass")


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """A byte-level change: a BOM, an invalid UTF-8 byte, a NUL, a line twice, a cut, foreign line ends."""
    lines = data.split(b"\n")
    line = draw(st.integers(0, max(0, len(lines) - 1)))
    position = draw(st.integers(0, len(data)))
    how = draw(st.sampled_from(["bom", "invalid", "nul", "twice", "cut", "crlf", "cr", "escape", "latin1"]))
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "invalid":
        return data[:position] + b"\xff\xfe" + data[position:]
    if how == "nul":
        return data[:position] + b"\x00" + data[position:]
    if how == "twice":
        return b"\n".join(lines[: line + 1] + lines[line:])
    if how == "cut":
        return data[:position]
    if how == "crlf":
        return data.replace(b"\n", b"\r\n")
    if how == "cr":
        return data.replace(b"\n", b"\r")
    if how == "escape":
        return data[:position] + b"\x1b]0;pwned\x07" + data[position:]
    return data[:position] + "é".encode("latin-1") + data[position:]


@st.composite
def batch_invocations(draw: st.DrawFn) -> Invocation:
    kind = draw(st.sampled_from(["csv", "ndjson"]))
    mutate_file = draw(st.booleans())
    content = draw(batch_file(kind, mutate_file))
    source = draw(st.sampled_from(["stdin", "file", "jsonl", "other"]))
    name = {"csv": "rows.csv", "ndjson": "rows.ndjson"}[kind]
    name = {"jsonl": "rows.jsonl", "other": "rows.txt"}.get(source, name)
    pairs = [("--input", "-" if source == "stdin" else f"{DIR}/{name}")]
    if draw(st.booleans()):
        pairs.append(("--format", draw(st.sampled_from(["csv", "ndjson"]))))
    pairs += draw(optional("--unit", UNITS)) + draw(conventions())
    args, _ = draw(assemble(["availability"], pairs, allow_mutation=not mutate_file))
    chosen = [args[i + 1] for i, arg in enumerate(args[:-1]) if arg in ("--format", "-f")]
    output = chosen[-1].lower() if chosen else _batch_kind(name if source != "stdin" else "-", content)
    files = {} if source == "stdin" else {name: content}
    return Invocation(args, output, stdin=content if source == "stdin" else b"", files=files)


def _batch_kind(source: str, content: bytes) -> str:
    """The output format a batch defaults to: the input's, by extension, else by its first character."""
    suffix = Path(source).suffix.lower()
    if suffix in (".csv", ".ndjson", ".jsonl"):
        return "csv" if suffix == ".csv" else "ndjson"
    return "ndjson" if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "csv"


# Scenario files -----------------------------------------------------------------------------------


class Raw:
    """A literal written into the file as it is, per format (huge integers, bare 1e999999999, deep nesting)."""

    def __init__(self, text: str | dict[str, str]) -> None:
        self.texts = text if isinstance(text, dict) else {"toml": text, "yaml": text, "json": text}


def _deep(depth: int, kind: str) -> Raw:
    if kind == "list":
        return Raw("[" * depth + "1" + "]" * depth)
    return Raw({"toml": "{a = " * depth + "1" + "}" * depth, "yaml": "{a: " * depth + "1" + "}" * depth, "json": '{"a": ' * depth + "1" + "}" * depth})


EXTREME_VALUES: list[Any] = [
    -1,
    0,
    -0.0,
    2**31,
    2**63,
    2**64,
    10**30,
    1e308,
    -1e308,
    1e-320,
    float("inf"),
    float("nan"),
    0.5,
    True,
    Raw("1" + "0" * 400),
    Raw("1" + "0" * 5000),
    Raw("1e999999999"),
    Raw("-1e999999999"),
    Raw("0x10"),
    Raw("1_000"),
    Raw("1:30"),
    "1e999999999",
    "1e999999999h",
    "-5",
    "\u0663",
    "0x10",
]
RETYPES: list[Any] = ["text", "", " ", 0, 1, -1, 1.5, True, False, None, [], {}, [1, "a"], {"name": "x"}]


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every node under ``data`` as a path of keys and indexes, parents before children."""
    found = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found.append((*prefix, key))
        found.extend(_paths(value, (*prefix, key)))
    return found


def _at(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


@st.composite
def mutated_data(draw: st.DrawFn, data: Any) -> Any:
    """A copy of ``data`` with one field dropped, doubled, retyped, made extreme, hostile or deep."""
    data = copy.deepcopy(data)
    paths = _paths(data)
    how = draw(st.sampled_from(["extreme", "retype", "drop", "duplicate", "text", "nest", "add", "number", "root"]))
    if how == "root" or not paths:
        return draw(st.sampled_from([[], 1, "text", None, _deep(500, "list"), [data]]))
    path = draw(st.sampled_from(paths))
    parent, key = _at(data, path[:-1]), path[-1]
    if how == "drop":
        del parent[key]
    elif how == "duplicate":
        if isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        else:
            spelling = draw(st.sampled_from([key.upper(), key + " ", key.replace("_", "-"), key.replace("-", "_"), key.title()]))
            parent[spelling] = copy.deepcopy(parent[key])
    elif how == "extreme":
        parent[key] = draw(st.sampled_from(EXTREME_VALUES))
    elif how == "retype":
        parent[key] = draw(st.sampled_from(RETYPES))
    elif how == "text":
        parent[key] = draw(st.sampled_from(HOSTILE_STRINGS))
    elif how == "nest":
        parent[key] = _deep(draw(st.sampled_from([3, 63, 64, 65, 100, 500, 2000])), draw(st.sampled_from(["list", "table"])))
    elif how == "add":
        table = parent if isinstance(parent, dict) else data if isinstance(data, dict) else None
        if table is not None:
            table[draw(st.sampled_from(HOSTILE_KEYS))] = draw(st.sampled_from([1, "x", "1000h"]))
    elif isinstance(parent[key], str):
        parent[key] = draw(mutated(parent[key]))
    else:
        parent[key] = draw(st.sampled_from(EXTREME_VALUES))
    return data


def serialize(data: Any, file_format: str, *, style: bool = False) -> bytes:
    """``data`` as TOML, YAML or JSON text (``style`` picks the other spelling: multi-line strings,
    ASCII-only JSON); ``Raw`` values are written verbatim. Lone surrogates become invalid UTF-8."""
    raws: list[Raw] = []

    def replace_raws(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(value)
            return f"hacalc-raw-{len(raws) - 1}"
        if isinstance(value, dict):
            return {key: replace_raws(item) for key, item in value.items()}
        if isinstance(value, list):
            return [replace_raws(item) for item in value]
        return value

    plain = replace_raws(data)
    if file_format == "json":
        text = json.dumps(plain, indent=None if style else 2, ensure_ascii=style)
    elif file_format == "yaml":
        text = yaml.safe_dump(plain, sort_keys=False, allow_unicode=not style, width=1 << 30)
    else:
        text = toml_document(plain, multiline_strings=style)
    for index in reversed(range(len(raws))):
        sentinel = f"hacalc-raw-{index}"
        literal = raws[index].texts[file_format]
        for spelling in (f'"{sentinel}"', f"'{sentinel}'", sentinel):
            text = text.replace(spelling, literal)
    return text.encode("utf-8", "surrogatepass")


def toml_document(data: Any, *, multiline_strings: bool = False) -> str:
    """A TOML writer for what scenarios hold: tables, arrays of tables, inline values. No null in TOML:
    None values are left out, and a document that is not a table is written as one inline value."""
    if not isinstance(data, dict):
        return f"value = {_toml_value(data, multiline_strings)}\n"
    lines: list[str] = []
    _toml_table(lines, (), data, False, multiline_strings)
    return "\n".join(lines) + "\n"


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _toml_table(lines: list[str], prefix: tuple, table: dict, array: bool, multiline: bool) -> None:
    if prefix:
        name = ".".join(_toml_key(part) for part in prefix)
        lines.append(f"[[{name}]]" if array else f"[{name}]")
    nested = [(key, value) for key, value in table.items() if isinstance(value, dict) or _is_table_array(value)]
    for key, value in table.items():
        if value is not None and not (isinstance(value, dict) or _is_table_array(value)):
            lines.append(f"{_toml_key(key)} = {_toml_value(value, multiline)}")
    for key, value in nested:
        if isinstance(value, dict):
            _toml_table(lines, (*prefix, key), value, False, multiline)
        else:
            for item in value:
                _toml_table(lines, (*prefix, key), item, True, multiline)


def _toml_key(key: Any) -> str:
    key = str(key)
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key, False)


def _toml_string(text: str, multiline: bool) -> str:
    if multiline and "\n" in text and '"""' not in text and "\\" not in text:
        return '"""\n' + text.replace("\r", "\\r") + '"""'
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: Any, multiline: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(repr(value), repr(value))
    if isinstance(value, str):
        return _toml_string(value, multiline)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item, multiline) for item in value if item is not None) + "]"
    if isinstance(value, dict):
        items = (f"{_toml_key(key)} = {_toml_value(item, multiline)}" for key, item in value.items() if item is not None)
        return "{" + ", ".join(items) + "}"
    return '""'


def _load(path: Path) -> Any:
    if path.suffix == ".toml":
        return tomllib.loads(path.read_text())
    if path.suffix == ".json":
        return json.loads(path.read_text())
    return yaml.safe_load(path.read_text())


CLUSTER_SCENARIOS = {
    path.name: _load(path)
    for pattern in ("cluster-*", "fleet-*", "hyperv-*", "xenserver-*", "nutanix-*", "proxmox-*")
    for path in sorted(SCENARIOS.glob(pattern))
    if path.suffix in (".toml", ".yaml", ".json")
}
FIXTURES = SCENARIOS.parent / "tests" / "fixtures"
# other platforms' own exports, read together: kubectl's nodes/pods/PDBs, pvesh's resources/HA/status, one Hyper-V export
PLATFORM_EXPORTS = {
    "kubernetes": [SCENARIOS / "kubernetes" / name for name in ("nodes.json", "pods.json", "pdbs.json")],
    "proxmox": [FIXTURES / "proxmox" / name for name in ("resources.json", "ha-resources.json", "status.json")],
    "hyperv": [FIXTURES / "hyperv" / "hyperv.json"],
}
SPARES_SCENARIOS = {path.name: _load(path) for path in sorted(SCENARIOS.glob("spares-*.toml"))}
FORMAT_EXTENSIONS = {"toml": [".toml"], "yaml": [".yaml", ".yml"], "json": [".json"]}


@st.composite
def scenario_file(draw: st.DrawFn, scenarios: dict[str, Any], mutate: bool) -> tuple[list[tuple[str | None, str]], bytes, str, str | None]:
    """A bundled scenario, maybe mutated, in any format, delivered as a file or on stdin.

    Returns (argv pairs that name it, its bytes, the file name or ``-``, stdin bytes or None).
    """
    data = scenarios[draw(st.sampled_from(sorted(scenarios)))]
    file_format = draw(st.sampled_from(["toml", "yaml", "json"]))
    how = draw(st.sampled_from(["data", "data", "data", "bytes", "comment"])) if mutate else None
    if how == "data":
        data = draw(mutated_data(data))
    content = serialize(data, file_format, style=draw(st.booleans()))
    if how == "bytes":
        content = draw(mutated_bytes(content))
    elif how == "comment" and file_format != "json":
        lines = content.split(b"\n")
        line = draw(st.integers(0, len(lines) - 1))
        comment = draw(st.sampled_from(["# \x1b", "# \x00", "# \x7f", "# \ud800", "# é", "# " + " " * 60_000]))
        content = b"\n".join([*lines[:line], comment.encode("utf-8", "surrogatepass"), *lines[line:]])
    delivery = draw(st.sampled_from(["file", "stdin", "other-extension", "upper-extension"]))
    if delivery == "stdin":
        return [(None, "-"), ("--input-format", file_format)], content, "-", content
    if delivery == "other-extension":
        name = "scenario.txt"
        return [(None, f"{DIR}/{name}"), ("--input-format", file_format)], content, name, None
    extension = draw(st.sampled_from(FORMAT_EXTENSIONS[file_format]))
    name = "scenario" + (extension.upper() if delivery == "upper-extension" else extension)
    return [(None, f"{DIR}/{name}")], content, name, None


@st.composite
def cluster_invocations(draw: st.DrawFn) -> Invocation:
    mutate_file = draw(st.booleans())
    named, content, name, stdin = draw(scenario_file(CLUSTER_SCENARIOS, mutate_file))
    pairs = [
        *named,
        ("--format", draw(st.sampled_from([*TABLE_JSON_CSV, "junit", "markdown"]))),
        *draw(optional("--tolerate", TOLERATE)),
        *draw(optional("--policy", POLICIES)),
        *draw(optional("--cluster", ["prod", "d*", "*", "nope", "[", "\x1b[31m"])),
        *draw(optional("--host-reserve-percent", ["0", "5", "99", "100", "-1"])),
        *draw(optional("--cpu-percent", ["25", "0", "101"])),
    ]
    switches = draw(st.lists(st.sampled_from(["--strict-keys", "--no-restart-check", "--summary"]), max_size=3, unique=True))
    args, output = draw(assemble(["cluster", "check"], pairs, switches, allow_mutation=not mutate_file))
    files = {} if stdin is not None else {name: content}
    return Invocation(args, output, stdin=stdin or b"", files=files, env=draw(environments()))


SPARES_FLAGS: list[tuple[str, list[str]]] = [
    ("--mttf", DURATIONS),
    ("--mttr", DURATIONS),
    ("--needed", ["1", "2"]),
    ("--spares", COUNTS),
    ("--crews", ["1", "2"]),
    ("--dormancy", DORMANCY),
    ("--kind", SPARE_KINDS),
    ("--coverage", PROBABILITIES),
    ("--manual-recovery", ["30m", "45m", "1h"]),
    ("--failover", PER_TEMPERATURE_TIMES),
    ("--spare-cost", PER_SPARE_MONEY),
    ("--downtime-cost", MONEY),
    ("--target", ["99.97", "99.9", "99.99%"]),
    ("--sweep-spares", SWEEPS),
    ("--year-days", YEAR_DAYS),
]


@st.composite
def spares_invocations(draw: st.DrawFn) -> Invocation:
    from_file = draw(st.booleans())
    mutate_file = from_file and draw(st.booleans())
    pairs: list[tuple[str | None, str]] = [("--format", draw(st.sampled_from(TABLE_JSON_CSV)))]
    files: dict[str, bytes] = {}
    stdin = None
    if from_file:
        named, content, name, stdin = draw(scenario_file(SPARES_SCENARIOS, mutate_file))
        pairs += named
        files = {} if stdin is not None else {name: content}
    chosen = draw(st.lists(st.sampled_from(SPARES_FLAGS[2:]), max_size=4, unique_by=lambda flag: flag[0]))
    required = [] if from_file else SPARES_FLAGS[:2]
    pairs += [(flag, draw(st.sampled_from(values))) for flag, values in [*required, *chosen]]
    switches = ["--check"] if draw(st.booleans()) else []
    args, output = draw(assemble(["spares"], pairs, switches, allow_mutation=not mutate_file))
    return Invocation(args, output, stdin=stdin or b"", files=files, env=draw(environments()))


INCIDENT_SOURCES = {path.name: path.read_bytes() for path in sorted((SCENARIOS / "incidents").iterdir())}
INCIDENT_FORMATS = {".csv": "csv", ".json": "govc", ".log": "hostd"}
MOMENTS = ["2026-01-01", "2026-03-31", "2026-03-03T14:00:00Z", "2008-01-17", "now", "2026-03-29T02:30:00", "2026-02-01T00:00:00+01:00"]
WEEKLY = ["Mon-Fri 08:00-20:00", "Sat 02:00-04:00", "daily 00:00-24:00", "Sat 22:00-02:00", "Fri-Mon 09:00-17:00"]


@st.composite
def incidents_invocations(draw: st.DrawFn) -> Invocation:
    name = draw(st.sampled_from(sorted(INCIDENT_SOURCES)))
    content = INCIDENT_SOURCES[name]
    mutate_file = draw(st.booleans())
    if mutate_file:
        content = draw(mutated_bytes(content))
    pairs: list[tuple[str | None, str]] = [("--format", draw(st.sampled_from(TABLE_JSON_CSV)))]
    stdin = draw(st.booleans())
    if stdin:
        pairs += [(None, "-")] + draw(optional("--input-format", ["csv", "ndjson", "govc", "powercli", "hostd", "fdm"]))
    else:
        pairs.append((None, f"{DIR}/{name}"))
    pairs += [
        *draw(optional("--from", MOMENTS)),
        *draw(optional("--to", MOMENTS)),
        *draw(optional("--window", ["90d", "30d", "1h", "1y"])),
        *draw(optional("--calendar", ["month", "quarter", "year", "week", "day"])),
        *draw(optional("--tz", ["UTC", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Shanghai", "Mars/Olympus"])),
        *draw(optional("--service-hours", WEEKLY)),
        *draw(optional("--maintenance", WEEKLY)),
        *draw(optional("--confidence", ["0.90", "95%", "0.5", "99.9%"])),
        *draw(optional("--target", ["99.9", "99.95%", "4 nines", "90"])),
    ]
    switches = draw(st.lists(st.sampled_from(["--check", "--count-planned", "--list"]), max_size=2, unique=True))
    args, output = draw(assemble(["incidents"], pairs, switches, allow_mutation=not mutate_file))
    return Invocation(args, output, stdin=content if stdin else b"", files={} if stdin else {name: content}, env=draw(environments()))


DISTRIBUTIONS = ["exponential", "lognormal:cv=1.5", "weibull:shape=0.7", "deterministic", "lognormal:sigma=1", "weibull:shape=2"]


@st.composite
def risk_invocations(draw: st.DrawFn) -> Invocation:
    model = draw(st.sampled_from(["unit", "spares", "compose"]))
    pairs: list[tuple[str | None, str]] = [("--format", draw(st.sampled_from(TABLE_JSON_CSV)))]
    if model == "compose":
        pairs.append(("--compose", draw(st.sampled_from(["unit(2000h, 4h)", "series(unit(2000h, 4h), unit(500h, 1h))", "kofn(2, unit(100h, 1h), unit(100h, 1h), unit(100h, 1h))", "parallel(unit(10h, 10h), unit(10h, 10h))"]))))
    else:
        pairs += [("--mttf", draw(st.sampled_from(["2000h", "1000h", "50h", "1y"]))), ("--mttr", draw(st.sampled_from(["4h", "1h", "30m", "2d"])))]
    if model == "spares":
        pairs += [("--spares", draw(st.sampled_from(["1", "2", "0"]))), ("--kind", draw(st.sampled_from(["hot", "warm", "cold", "none"])))]
        pairs += draw(optional("--failover", ["30s", "5m"]))
    if model == "unit":
        pairs += draw(optional("--repair", DISTRIBUTIONS)) + draw(optional("--failure", DISTRIBUTIONS))
        pairs += [("--runs", "2000"), ("--seed", "1")]
    pairs += [draw(st.sampled_from([("--target", "99.9"), ("--target", "4 nines"), ("--budget", "43m12s"), ("--budget", "1h")]))]
    pairs += [
        *draw(optional("--window", WINDOWS)),
        *draw(optional("--start", ["steady", "up"])),
        *draw(optional("--quantile", ["0.95", "99.99%", "0.5"])),
        *draw(optional("--credits", ["99.9:10%,99:25%,95:100%", "99:50%"])),
        *draw(optional("--max-breach-probability", ["0.05", "1%"])),
    ]
    switches = ["--check"] if draw(st.booleans()) else []
    args, output = draw(assemble(["risk"], pairs, switches))
    return Invocation(args, output, env=draw(environments()))


@st.composite
def protect_invocations(draw: st.DrawFn) -> Invocation:
    pairs: list[tuple[str | None, str]] = [("--format", draw(st.sampled_from(TABLE_JSON_CSV)))]
    for flag, values in (("--host-mttf", ["50000h", "1000h", "1y"]), ("--guest-mttf", ["4000h", "100h"]), ("--app-mttf", ["2000h", "10d"])):
        pairs += draw(optional(flag, values))
    for flag, values in (
        ("--host-mttr", ["8h", "30m", "0s"]), ("--boot", ["2m", "0s", "10m"]), ("--respond", ["30m", "4h"]),
        ("--ha-detect", ["15s"]), ("--ha-restart", ["1m"]), ("--vm-monitoring", ["off", "low", "medium", "high"]),
        ("--from-cluster", [str(SCENARIOS / "cluster-c-esx35.toml"), str(SCENARIOS / "fleet-two-clusters.toml")]),
        ("--common-cause", ["0.05", "0", "1", "10%"]), ("--pool", ["2", "3", "10"]), ("--pool-needed", ["1", "2"]),
        ("--levels", ["none,ha", "ft,guest-cluster,pool", "none,ha,ft,guest-cluster,pool"]),
        ("--cost", ["ha=500,ft=3000,guest-cluster=2000,pool=1500", "ha=1"]), ("--target", ["99.95", "99.999%", "4 nines"]),
    ):
        pairs += draw(optional(flag, values))
    switches = ["--check"] if draw(st.booleans()) else []
    args, output = draw(assemble(["protect"], pairs, switches))
    return Invocation(args, output, env=draw(environments()))


@st.composite
def headroom_invocations(draw: st.DrawFn) -> Invocation:
    scenario = draw(st.sampled_from(["cluster-c-esx35.toml", "cluster-seed-large-4-hosts.toml", "cluster-vmware-slot-example.toml", "cluster-unbalanced.toml"]))
    pairs: list[tuple[str | None, str]] = [(None, str(SCENARIOS / scenario)), ("--format", draw(st.sampled_from([*TABLE_JSON_CSV, "junit", "markdown"])))]
    pairs += draw(optional("--vm", ["memory_reservation_mb=2048", "cpu_reservation_mhz=500, memory_reservation_mb=512", "count=2", "powered_on=false"]))
    pairs += draw(optional("--tolerate", ["1", "2"]))
    pairs += draw(optional("--add-host", ["count=1, cpu_mhz=24000, memory_mb=65536", "cpu_mhz=1"]))
    pairs += draw(optional("--add-vm", ["count=3, memory_reservation_mb=1024"]))
    pairs += draw(optional("--scale-vms", ["1.2", "0.5", "0"]))
    pairs += draw(optional("--growth", ["3%/month", "-50%", "200%"]))
    pairs += draw(optional("--horizon", ["6mo", "1"]))
    args, output = draw(assemble(["cluster", "headroom"], pairs))
    return Invocation(args, output, env=draw(environments()))


@st.composite
def maintenance_plan_invocations(draw: st.DrawFn) -> Invocation:
    mutate_file = draw(st.booleans())
    named, content, name, stdin = draw(scenario_file(CLUSTER_SCENARIOS, mutate_file))
    pairs = [*named, ("--format", draw(st.sampled_from([*TABLE_JSON_CSV, "junit", "markdown"]))), *draw(optional("--tolerate", TOLERATE))]
    pairs += draw(optional("--parallel", ["1", "2", "3", "0", "99"]))
    args, output = draw(assemble(["cluster", "maintenance-plan"], pairs, allow_mutation=not mutate_file))
    files = {} if stdin is not None else {name: content}
    return Invocation(args, output, stdin=stdin or b"", files=files, env=draw(environments()))


@st.composite
def platform_export_invocations(draw: st.DrawFn) -> Invocation:
    """``cluster check`` on kubectl, pvesh or Hyper-V exports, one of the files' data mutated (or dropped)."""
    platform = draw(st.sampled_from(sorted(PLATFORM_EXPORTS)))
    paths = PLATFORM_EXPORTS[platform]
    chosen = draw(st.integers(0, len(paths) - 1))
    files = {}
    for index, path in enumerate(paths):
        data = json.loads(path.read_text())
        if index == chosen:
            data = draw(st.one_of(mutated_data(data), st.just(data)))
        files[path.name] = serialize(data, "json", style=draw(st.booleans()))
    names = draw(st.permutations(sorted(files)))
    if len(names) > 1 and draw(st.booleans()):
        names = names[:-1]
    pairs: list[tuple[str | None, str]] = [(None, f"{DIR}/{name}") for name in names]
    pairs += [("--format", draw(st.sampled_from([*TABLE_JSON_CSV, "junit", "markdown"])))]
    pairs += draw(optional("--tolerate", TOLERATE))
    pairs += draw(optional("--host-reserve-mb", ["0", "4096", "-1"]))
    pairs += draw(optional("--input-format", ["kubernetes", "proxmox", "hyperv", "json"]))
    args, output = draw(assemble(["cluster", "check"], pairs))
    return Invocation(args, output, files={name: files[name] for name in names}, env=draw(environments()))


@st.composite
def compare_invocations(draw: st.DrawFn) -> Invocation:
    mutate_file = draw(st.booleans())
    named, content, name, stdin = draw(scenario_file(CLUSTER_SCENARIOS, mutate_file))
    pairs = [*named, ("--format", draw(st.sampled_from(TABLE_JSON_CSV))), *draw(optional("--tolerate", TOLERATE))]
    pairs = [pair for pair in pairs if pair[0] != "--input-format"]  # compare tells a file's format by its name or content
    args, output = draw(assemble(["cluster", "compare"], pairs, allow_mutation=not mutate_file))
    files = {} if stdin is not None else {name: content}
    return Invocation(args, output, stdin=stdin or b"", files=files, env=draw(environments()))


COMMANDS: dict[str, Callable[[], st.SearchStrategy[Invocation]]] = {
    "nines": nines_invocations,
    "budget": budget_invocations,
    "compose": compose_invocations,
    "availability": availability_invocations,
    "availability --input": batch_invocations,
    "cluster check": cluster_invocations,
    "spares": spares_invocations,
    "incidents": incidents_invocations,
    "risk": risk_invocations,
    "protect": protect_invocations,
    "cluster headroom": headroom_invocations,
    "cluster maintenance-plan": maintenance_plan_invocations,
    "cluster check (other platforms' exports)": platform_export_invocations,
    "cluster compare": compare_invocations,
}
