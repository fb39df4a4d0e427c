"""The line of every field, for any data: writers below record the line each key and item lands on, and
``Document.line_of`` must find exactly that line (hypothesis, derandomized so CI stays stable).

Keys and strings are drawn from characters that break naive locators: quotes, backslashes, brackets,
``#``, ``=``, ``:``, dots, newlines and terminal escapes.
"""

from __future__ import annotations

import io
import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hacalc.core.text import visible
from hacalc.readers.files import FieldPath, format_path, read_document

TRICKY = st.sampled_from(list("ab_-1 .\"'\\#[]{}=:,\n\t\x1bé"))
KEYS = st.text(TRICKY, min_size=1, max_size=6)
STRINGS = st.text(TRICKY, max_size=12)
SCALARS = st.one_of(
    st.integers(-(10**30), 10**30), st.booleans(), STRINGS, st.floats(allow_nan=False, allow_infinity=False, width=64)
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=25,
)
TABLES = st.dictionaries(KEYS, DATA, max_size=5)
PROPERTY = settings(max_examples=100, deadline=None, derandomize=True)


def assert_lines(text: str, input_format: str, data: object, lines: dict[FieldPath, int]) -> None:
    document = read_document("-", input_format=input_format, stdin=io.StringIO(text))
    assert document.data == data
    for path, line in lines.items():
        assert document.line_of(path) == line, (path, text)


# JSON: one member or item per line ---------------------------------------------------------------


class JsonWriter:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.located: dict[FieldPath, int] = {}

    def value(self, path: FieldPath, value: object, prefix: str, suffix: str) -> None:
        if isinstance(value, dict):
            self.lines.append(prefix + "{")
            for number, (key, item) in enumerate(value.items()):
                self.located[(*path, key)] = len(self.lines) + 1
                self.value((*path, key), item, f"{json.dumps(key)}: ", "," if number < len(value) - 1 else "")
            self.lines.append("}" + suffix)
        elif isinstance(value, list):
            self.lines.append(prefix + "[")
            for index, item in enumerate(value):
                self.located[(*path, index)] = len(self.lines) + 1
                self.value((*path, index), item, "", "," if index < len(value) - 1 else "")
            self.lines.append("]" + suffix)
        else:
            self.lines.append(prefix + json.dumps(value) + suffix)


@PROPERTY
@given(TABLES)
def test_json_fields_are_found_on_their_lines(data):
    writer = JsonWriter()
    writer.value((), data, "", "")
    assert_lines("\n".join(writer.lines) + "\n", "json", data, writer.located)


# TOML: tables as headers, arrays of tables as [[headers]], everything else inline -----------------

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(key: str) -> str:
    return key if _BARE.fullmatch(key) else json.dumps(key)


def toml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if "\n" in value and "'" not in value and all(char.isprintable() or char == "\n" for char in value):
        return "'''\n" + value + "'''"  # a multi-line literal string: what follows it moves down
    return json.dumps(value)


def is_array_of_tables(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


class TomlWriter:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.located: dict[FieldPath, int] = {}

    def emit(self, text: str) -> int:
        line = len(self.lines) + 1
        self.lines.extend(text.split("\n"))
        return line

    def inline(self, path: FieldPath, value: object, line: int) -> str:
        """``value`` written inline from ``line``, recording the line each item and key starts on."""
        if not isinstance(value, (dict, list)):
            return toml_scalar(value)
        text = "{" if isinstance(value, dict) else "["
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for number, (key, item) in enumerate(items):
            text += ", " if number else ""
            self.located[(*path, key)] = line + text.count("\n")
            if isinstance(value, dict):
                text += f"{toml_key(key)} = "
            text += self.inline((*path, key), item, line + text.count("\n"))
        return text + ("}" if isinstance(value, dict) else "]")

    def table(self, path: FieldPath, keys: tuple[str, ...], table: dict) -> None:
        for key, value in table.items():
            if not isinstance(value, dict) and not is_array_of_tables(value):
                line = len(self.lines) + 1
                self.located[(*path, key)] = line
                self.emit(f"{toml_key(key)} = {self.inline((*path, key), value, line)}")
        for key, value in table.items():
            header = ".".join(toml_key(part) for part in (*keys, key))
            if isinstance(value, dict):
                self.located[(*path, key)] = self.emit(f"[{header}]")
                self.table((*path, key), (*keys, key), value)
            elif is_array_of_tables(value):
                for index, item in enumerate(value):
                    line = self.emit(f"[[{header}]]")
                    self.located.setdefault((*path, key), line)
                    self.located[(*path, key, index)] = line
                    self.table((*path, key, index), (*keys, key), item)


@PROPERTY
@given(TABLES)
def test_toml_fields_are_found_on_their_lines(data):
    writer = TomlWriter()
    writer.table((), (), data)
    assert_lines("\n".join(writer.lines) + "\n", "toml", data, writer.located)


# Every path, however hostile its keys, is one visible line --------------------------------------


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.text(max_size=20), st.integers(0, 10**6)), max_size=12))
def test_format_path_is_always_one_printable_line(path):
    shown = format_path(tuple(path))
    assert shown.isprintable() and "\n" not in shown
    assert len(shown) < 1000


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text())
def test_visible_text_is_printable_and_keeps_printable_text(text):
    shown = visible(text)
    assert shown.isprintable()
    if text.isprintable() and "\\" not in text:
        assert shown == text
