"""Reading TOML, YAML and JSON into plain data, with limits and with line numbers for error messages.

Every format decodes to the same dicts, lists and scalars; ``Document.where(path)`` turns a field path
such as ``("hosts", 3, "cpu_mhz")`` into ``in FILE line 14 (hosts[3].cpu_mhz)``. Line numbers are
looked up only when an error is reported, so a well-formed file pays nothing for them.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from functools import cached_property
from json.decoder import JSONArray, JSONObject
from json.scanner import py_make_scanner
from typing import Any, TextIO, Union

from hacalc.core.errors import InputError

EXTENSIONS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
STDIN = "-"

MAX_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 64

FieldPath = tuple[Union[str, int], ...]


def format_path(path: FieldPath) -> str:
    """``hosts[3].cpu_mhz``: the spelling used in every error message."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class Document:
    """A parsed file: its data, and where in the text each field came from."""

    def __init__(self, name: str, input_format: str, text: str, data: Any) -> None:
        self.name = name
        self.format = input_format
        self.text = text
        self.data = data

    def where(self, path: FieldPath = ()) -> str:
        line = self.line_of(path)
        location = f"in {self.name}" + (f" line {line}" if line else "")
        return f"{location} ({format_path(path)})" if path else location

    def line_of(self, path: FieldPath) -> int | None:
        """The line of ``path``, or of its nearest enclosing field the format lets us find."""
        for end in range(len(path), 0, -1):
            line = self._lines.get(path[:end])
            if line is not None:
                return line
        return None

    @cached_property
    def _lines(self) -> dict[FieldPath, int]:
        if self.format == "yaml":
            from hacalc.scenario.safe_yaml import yaml_lines

            return yaml_lines(self.text)
        return _toml_lines(self.text) if self.format == "toml" else _json_lines(self.text)


def read_document(source: str, *, input_format: str | None = None, stdin: TextIO | None = None) -> Document:
    """Read ``source`` (a path, or ``-`` for stdin) in the format its extension or ``input_format`` names."""
    chosen = input_format or _format_from_name(source)
    if source == STDIN:
        name, text = "<stdin>", _read_capped(stdin or sys.stdin, "<stdin>")
    else:
        name, text = source, _read_file(source)
    parse = {"toml": _parse_toml, "yaml": _parse_yaml, "json": _parse_json}[chosen]
    return Document(name, chosen, text, parse(text, name))


def _format_from_name(source: str) -> str:
    if source == STDIN:
        raise InputError("cannot tell the format of stdin", "FILE '-'", "add --input-format toml, yaml or json")
    suffix = os.path.splitext(source)[1].lower()
    if suffix not in EXTENSIONS:
        raise InputError(
            f"unknown scenario file type {suffix or '(no extension)'!r}", f"in {source}", "name it .toml, .yaml, .yml or .json, or pass --input-format"
        )
    return EXTENSIONS[suffix]


def _read_file(source: str) -> str:
    try:
        with open(source, "rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"no such file {source!r}", fix="check the path") from None
    except IsADirectoryError:
        raise InputError(f"{source!r} is a directory", fix="give a scenario file") from None
    except OSError as error:
        raise InputError(f"cannot read {source!r}: {error.strerror}", fix="check the path and its permissions") from None
    _check_size(len(raw), source)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError("the file is not UTF-8 text", f"in {source} line {line}", "save it as UTF-8") from None


def _read_capped(stream: TextIO, name: str) -> str:
    try:
        text = stream.read(MAX_BYTES + 1)
    except UnicodeDecodeError:
        raise InputError("the input is not UTF-8 text", f"in {name}", "send UTF-8") from None
    _check_size(len(text), name)
    return text.removeprefix("\ufeff")


def _check_size(size: int, name: str) -> None:
    if size > MAX_BYTES:
        raise InputError(
            f"the file is larger than the {_size_text(MAX_BYTES)} limit", f"in {name}", "split the inventory or use count = n for identical hosts and VMs"
        )


def _size_text(size: int) -> str:
    mebibyte = 1024 * 1024
    return f"{size // mebibyte} MiB" if size % mebibyte == 0 else f"{size:,}-byte"


def too_deep(name: str) -> InputError:
    return InputError(f"the file nests deeper than {MAX_DEPTH} levels", f"in {name}", "a scenario needs only a few levels")


# TOML ---------------------------------------------------------------------------------------------

_TOML_ERROR_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)$")


def _parse_toml(text: str, name: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_ERROR_LINE.search(message)
        where = f"in {name}" + (f" line {match.group(1)}" if match else "")
        raise InputError(f"cannot read TOML: {_TOML_ERROR_LINE.sub('', message)}", where, "fix the TOML syntax") from None
    except RecursionError:
        raise too_deep(name) from None


_TOML_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_KEY = re.compile(r"\s*((?:\"(?:[^\"\\]|\\.)*\"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:\"(?:[^\"\\]|\\.)*\"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=")
_TOML_KEY_PART = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|([A-Za-z0-9_-]+)")


def _toml_key_parts(text: str) -> FieldPath:
    return tuple(next(group for group in match.groups() if group is not None) for match in _TOML_KEY_PART.finditer(text))


def _toml_lines(text: str) -> dict[FieldPath, int]:
    """Lines of table headers and keys, found by reading the text the way the TOML grammar lays it out."""
    lines: dict[FieldPath, int] = {}
    array_lengths: dict[FieldPath, int] = {}
    prefix: FieldPath = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_HEADER.match(line)
        if header and not _TOML_KEY.match(line):
            table = _toml_key_parts(header.group(2))
            if header.group(1) == "[[":
                index = array_lengths.get(table, 0)
                array_lengths[table] = index + 1
                lines.setdefault(table, number)
                prefix = (*table, index)
            else:
                prefix = table
            lines.setdefault(prefix, number)
            continue
        key = _TOML_KEY.match(line)
        if key:
            lines.setdefault((*prefix, *_toml_key_parts(key.group(1))), number)
    return lines


# JSON ---------------------------------------------------------------------------------------------


class _DuplicateKey(Exception):
    pass


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKey
    return result


def _parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_object)
    except json.JSONDecodeError as error:
        raise InputError(f"cannot read JSON: {error.msg}", f"in {name} line {error.lineno}", "fix the JSON syntax") from None
    except _DuplicateKey:
        _json_lines(text, name)  # reparse slowly to say which key and where
        raise AssertionError("unreachable: the locating parser raises for duplicate keys") from None
    except RecursionError:
        raise too_deep(name) from None


def _json_lines(text: str, name: str = "the file") -> dict[FieldPath, int]:
    """Lines of every value, from a pure-Python parse that records where each value starts."""
    decoder = _LocatingDecoder(text, name)
    decoder.decode(text)
    return {path: text.count("\n", 0, offset) + 1 for path, offset in decoder.offsets.items()}


class _LocatingDecoder(json.JSONDecoder):
    def __init__(self, text: str, name: str) -> None:
        super().__init__()
        self.text = text
        self.name = name
        self.offsets: dict[FieldPath, int] = {}
        self._containers: dict[int, list[tuple[Any, int]]] = {}
        self.parse_object = self._parse_object
        self.parse_array = self._parse_array
        self.scan_once = py_make_scanner(self)

    def decode(self, s: str, _w: Any = None) -> Any:  # type: ignore[override]
        data = super().decode(s)
        self._collect((), data, 0)
        return data

    def _recording(self, scan_once: Any, starts: list[int]) -> Any:
        def scan(string: str, index: int) -> Any:
            starts.append(index)
            return scan_once(string, index)

        return scan

    def _parse_object(self, s_and_end: Any, strict: bool, scan_once: Any, object_hook: Any, object_pairs_hook: Any, memo: Any = None) -> Any:
        starts: list[int] = []
        pairs, end = JSONObject(s_and_end, strict, self._recording(scan_once, starts), None, list, memo)
        seen: set[str] = set()
        for (key, _), start in zip(pairs, starts):
            if key in seen:
                line = self.text.count("\n", 0, start) + 1
                raise InputError(f"duplicate key {key!r}", f"in {self.name} line {line}", "give each key once")
            seen.add(key)
        result = dict(pairs)
        self._containers[id(result)] = [(key, start) for (key, _), start in zip(pairs, starts)]
        return result, end

    def _parse_array(self, s_and_end: Any, scan_once: Any) -> Any:
        starts: list[int] = []
        values, end = JSONArray(s_and_end, self._recording(scan_once, starts))
        self._containers[id(values)] = list(enumerate(starts))
        return values, end

    def _collect(self, path: FieldPath, value: Any, offset: int) -> None:
        self.offsets[path] = offset
        children = self._containers.get(id(value), [])
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for (key, start), (_, child) in zip(children, items):
            self._collect((*path, key), child, start)


def _parse_yaml(text: str, name: str) -> Any:
    from hacalc.scenario.safe_yaml import parse_yaml  # PyYAML is loaded only for YAML files

    return parse_yaml(text, name)
