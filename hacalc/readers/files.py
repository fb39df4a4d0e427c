"""Reading TOML, YAML and JSON into plain data, with limits and with line numbers for error messages.

Every format decodes to the same dicts, lists and scalars; ``Document.where(path)`` turns a field path
such as ``("hosts", 3, "cpu_mhz")`` into ``in FILE line 14 (hosts[3].cpu_mhz)``. Line numbers are
looked up only when an error is reported, so a well-formed file pays nothing for them; a look-up seeks
the one path asked for, in time linear in the text and without recursion (``readers.locate``).

Limits, the same in every format: 32 MiB of UTF-8 text, 64 levels of nesting (the file itself is level
1, so a table or list may sit inside at most 63 others), numbers of at most 200 digits. Floats keep the
text they were written with (``LiteralFloat``), so a spares scenario is read as exactly as its flags.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from functools import cached_property
from typing import Any, BinaryIO, Protocol, TextIO, Union

from hacalc.core.errors import InputError
from hacalc.core.text import visible
from hacalc.core.units import MAX_DEPTH, MAX_VALUE_CHARACTERS
from hacalc.i18n import N_, _

EXTENSIONS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
STDIN = "-"
STDIN_NAME = "<stdin>"

MAX_BYTES = 32 * 1024 * 1024
MAX_NUMBER_DIGITS = MAX_VALUE_CHARACTERS  # a number in a file may be as long as a value on the command line
LARGEST_INTEGER = 10**MAX_NUMBER_DIGITS  # exclusive: 200 digits at most, however the integer was written

FieldPath = tuple[Union[str, int], ...]


def quoted(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut after ``limit`` characters: a file's string is shown escaped and never floods the terminal."""
    if isinstance(value, str):
        return repr(value[:limit]) + ("…" if len(value) > limit else "")
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


_SHOWN_PATH_PARTS = 8  # scenario fields are at most four deep; a longer path is shown by its ends


def format_path(path: FieldPath) -> str:
    """``hosts[3].cpu_mhz``: the spelling used in every error message, always one short, visible line."""
    if len(path) > _SHOWN_PATH_PARTS:
        return f"{format_path(path[:4])}…{format_path(path[-2:])} ({len(path)} levels)"
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) and not isinstance(part, bool) else (f".{_shown_key(part)}" if text else _shown_key(part))
    return text


def _shown_key(key: object) -> str:
    text = visible(str(key).replace("\\", "\\\\"))  # doubled, so an escape shown is never a key's own backslash
    return text if len(text) <= 60 else text[:60] + "…"


class LiteralFloat(float):
    """A float read from a file that remembers how it was written: ``str()`` gives ``0.99999999999999999``
    back, digit for digit, where the float itself would say ``1.0``."""

    text: str

    def __new__(cls, text: str, value: float | None = None) -> LiteralFloat:
        number = super().__new__(cls, float(text) if value is None else value)
        number.text = text
        return number

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


class FormatError(InputError):
    """The text is not valid TOML, YAML or JSON (as opposed to valid text beyond a limit, or a bad field)."""


class NumberTooLong(Exception):
    """A hook of the JSON or TOML parser met a number over the limit; the locator then finds its line."""


def literal_float(text: str) -> LiteralFloat:
    if len(text.lstrip("+-")) > MAX_NUMBER_DIGITS:
        raise NumberTooLong
    return LiteralFloat(text)


class _Locator(Protocol):
    def __call__(self, text: str, path: FieldPath) -> int | None: ...


class Document:
    """A parsed file: its data, and where in the text each field came from."""

    def __init__(self, name: str, input_format: str, text: str, data: Any) -> None:
        self.name = name
        self.format = input_format
        self.text = text
        self.data = data

    def where(self, path: FieldPath = ()) -> str:
        return in_file(self.name, self.line_of(path), path)

    def line_of(self, path: FieldPath) -> int | None:
        """The line of ``path``, or of its nearest enclosing field the format lets us find."""
        return self._locator(self.text, path) if path else None

    @cached_property
    def _locator(self) -> _Locator:
        if self.format == "yaml":
            from hacalc.readers.safe_yaml import YamlLocator

            return YamlLocator(self.text)
        from hacalc.readers.locate import json_line, toml_line

        return toml_line if self.format == "toml" else json_line


def in_file(name: str, line: int | None = None, path: FieldPath = ()) -> str:
    """Where an error is, in the language of the run: ``in FILE line 14 (hosts[3].cpu_mhz)``, ``在 FILE 第 14 行（hosts[3].cpu_mhz）``."""
    location = _("in {file} line {line}").format(file=name, line=line) if line else _("in {file}").format(file=name)
    return _("{location} ({path})").format(location=location, path=format_path(path)) if path else location


def read_document(source: str, *, input_format: str | None = None, stdin: TextIO | None = None, max_bytes: int | None = None) -> Document:
    """Read ``source`` (a path, or ``-`` for ``stdin``) in ``input_format``, else the format its extension names
    (a file) or its content shows (stdin, see ``sniff_format``). ``max_bytes``: exports of whole systems
    (``kubectl get pods -A``) may pass a larger limit than a hand-written scenario needs (default MAX_BYTES)."""
    if source == STDIN:
        name, text = STDIN_NAME, _read_stream(stdin if stdin is not None else sys.stdin, STDIN_NAME, max_bytes)
        chosen = input_format or _sniffed(text)
    else:
        chosen = input_format or _format_from_name(source)
        name, text = visible(source), _read_file(source, max_bytes=max_bytes)
    parse = {"toml": _parse_toml, "yaml": _parse_yaml, "json": _parse_json}[chosen]
    try:
        document = Document(name, chosen, text, parse(text, name))
    except FormatError as error:
        if source != STDIN or input_format:
            raise
        shown = chosen.upper()
        raise FormatError(error.what, error.where, _("{fix}, or pass --input-format if stdin is not {format}").format(fix=error.fix, format=shown)) from None
    if chosen != "yaml":  # the YAML loader checks both while it reads
        _check_depth_and_numbers(document)
    return document


def json_document(text: str, name: str) -> Document:
    """``text`` parsed as JSON with its line numbers kept, and held to the depth and number limits every input is:
    for readers that decode a file's bytes themselves (UTF-16 exports)."""
    document = Document(name, "json", text, _parse_json(text, name))
    _check_depth_and_numbers(document)
    return document


def _format_from_name(source: str) -> str:
    suffix = os.path.splitext(source)[1].lower()
    if suffix not in EXTENSIONS:
        raise InputError(
            _("unknown scenario file type {suffix!r}").format(suffix=suffix or _("(no extension)")),
            in_file(visible(source)),
            _("name it .toml, .yaml, .yml or .json, or pass --input-format"),
        )
    return EXTENSIONS[suffix]


SCENARIO_FILE = N_("a scenario file")


def open_binary(source: str, expected: str = SCENARIO_FILE) -> BinaryIO:
    """``open(source, "rb")``, its failures as one-line errors; ``expected`` (``N_``-marked) says what a directory should have been."""
    try:
        return open(source, "rb")
    except FileNotFoundError:
        raise InputError(_("no such file {source!r}").format(source=source), fix=_("check the path")) from None
    except IsADirectoryError:
        raise InputError(_("{source!r} is a directory").format(source=source), fix=_("give {expected}").format(expected=_(expected))) from None
    except OSError as error:
        raise _cannot_read(source, error) from None
    except ValueError:  # a NUL byte, or a lone surrogate, in the name: no file can have it
        raise InputError(_("cannot read {source!r}: a file name cannot contain that character").format(source=source), fix=_("check the path")) from None


def _cannot_read(source: str, error: OSError) -> InputError:
    return InputError(_("cannot read {source!r}: {reason}").format(source=source, reason=error.strerror), fix=_("check the path and its permissions"))


def read_text(source: str, expected: str = SCENARIO_FILE) -> str:
    """A file's UTF-8 text, held to the size limit; a bad byte names its line."""
    return _read_file(source, expected)


def _read_file(source: str, expected: str = SCENARIO_FILE, *, max_bytes: int | None = None) -> str:
    shown = visible(source)
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    with open_binary(source, expected) as stream:
        try:
            raw = stream.read(max_bytes + 1)
        except OSError as error:  # a directory on some systems, a failing disk
            raise _cannot_read(source, error) from None
    _check_size(len(raw), shown, max_bytes)
    return _decode(raw, shown)


def _read_stream(stream: TextIO | None, name: str, max_bytes: int | None = None) -> str:
    """The bytes under a text stream when it has them, so stdin is held to UTF-8 exactly as files are."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    if stream is None:  # Python's sys.stdin when the process started with fd 0 closed
        raise _stdin_closed(name)
    binary = getattr(stream, "buffer", None)
    try:
        data = binary.read(max_bytes + 1) if binary is not None else stream.read(max_bytes + 1)
    except UnicodeDecodeError:
        raise InputError(_(INPUT_NOT_UTF8), in_file(name), _(SEND_UTF8)) from None
    except OSError as error:
        raise InputError(_("cannot read {name}: {reason}").format(name=name, reason=error.strerror), fix=_("send the scenario on stdin or give a file")) from None
    except ValueError:  # read from a closed file
        raise _stdin_closed(name) from None
    _check_size(len(data), name, max_bytes)
    if isinstance(data, bytes):
        return _decode(data, name, INPUT_NOT_UTF8, SEND_UTF8)
    try:
        data.encode("utf-8")  # a stream decoding with surrogateescape hands on bytes that are not UTF-8
    except UnicodeEncodeError as error:
        line = data.count("\n", 0, error.start) + 1
        raise InputError(_(INPUT_NOT_UTF8), in_file(name, line), _(SEND_UTF8)) from None
    return data.removeprefix("\ufeff")


def _stdin_closed(name: str) -> InputError:
    return InputError(_("{name} is closed").format(name=name), "FILE '-'", _("send the scenario on stdin, or give a file"))


INPUT_NOT_UTF8, SEND_UTF8 = N_("the input is not UTF-8 text"), N_("send UTF-8")


def _decode(raw: bytes, name: str, what: str = N_("the file is not UTF-8 text"), fix: str = N_("save it as UTF-8")) -> str:
    """``what`` and ``fix`` are ``N_``-marked, translated when the text is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise InputError(_(what), in_file(name, line), _(fix)) from None


def _check_size(size: int, name: str, limit: int) -> None:
    if size > limit:
        fix = _("split the inventory or use count = n for identical hosts and VMs") if limit == MAX_BYTES else _("export fewer objects per file (one namespace at a time)")
        raise InputError(_("the file is larger than the {size} limit").format(size=_size_text(limit)), in_file(name), fix)


def _size_text(size: int) -> str:
    mebibyte = 1024 * 1024
    return f"{size // mebibyte} MiB" if size % mebibyte == 0 else _("{size:,}-byte").format(size=size)


# Telling the format of stdin ----------------------------------------------------------------------

_BLANK_AND_COMMENT_LINES = re.compile(r"(?:[ \t\r]*(?:#[^\n]*)?\n)*")
_SNIFF_LINE = 1000  # only the start of the first line is looked at, so every pattern below runs in bounded time
_TOML_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_TOML_DOTTED_KEY = rf"{_TOML_KEY}(?:[ \t]*\.[ \t]*{_TOML_KEY})*"
_TOML_HEADER_LINE = re.compile(rf"\[\[?[ \t]*{_TOML_DOTTED_KEY}[ \t]*\]\]?[ \t]*(?:#.*)?")
_TOML_KEY_VALUE_LINE = re.compile(rf"[ \t]*{_TOML_DOTTED_KEY}[ \t]*=")
_YAML_START_LINE = re.compile(r"(?:---|\.\.\.|%[A-Z]+[ \t]|-[ \t]|-\Z|\?[ \t])")
_YAML_KEY_LINE = re.compile(r"""[ \t]*(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^\s#"'\[\]{},=:][^#=]*?)[ \t]*:(?:[ \t]|\Z)""")


def sniff_format(text: str) -> str | None:
    """The format of ``text`` judged from its first line that is not blank or a comment; None when it could be either.

    In order: ``{`` or ``[`` first (with nothing before it) is JSON, unless that line is a TOML table header
    such as ``[cluster]`` or ``[[hosts]]``; a TOML table header or ``key = value`` is TOML; ``key: value``,
    ``- item``, ``---`` or a ``%`` directive is YAML.
    """
    first = len(text) - len(text.lstrip())
    if text[first : first + 1] == "{":
        return "json"
    start = _BLANK_AND_COMMENT_LINES.match(text).end()
    line = text[start : start + _SNIFF_LINE].partition("\n")[0].rstrip("\r").strip(" \t")
    if _TOML_HEADER_LINE.fullmatch(line) or _TOML_KEY_VALUE_LINE.match(line):
        return "toml"
    if text[first : first + 1] == "[":
        return "json"
    if _YAML_START_LINE.match(line) or _YAML_KEY_LINE.match(line):
        return "yaml"
    return None


def _sniffed(text: str) -> str:
    chosen = sniff_format(text)
    if chosen is None:
        if not text.strip():
            raise InputError(_("stdin is empty"), "FILE '-'", _("send a scenario on stdin, or give a file"))
        raise InputError(_("cannot tell the format of stdin"), "FILE '-'", _("add --input-format toml, yaml or json"))
    return chosen


# Limits that the JSON and TOML parsers do not keep -----------------------------------------------


def too_deep(where: str) -> InputError:
    return InputError(_("the file nests deeper than {most} levels").format(most=MAX_DEPTH), where, _("a scenario needs only a few levels"))


def number_too_long(where: str) -> InputError:
    return InputError(_("a number has more than {most} digits").format(most=MAX_NUMBER_DIGITS), where, _("write it with fewer digits; no field needs so many"))


def _check_depth_and_numbers(document: Document) -> None:
    """Nesting within MAX_DEPTH and integers below LARGEST_INTEGER (a hexadecimal one is short to write).

    Level by level, so the depth is known without a path per value; a path is worked out only for an error.
    """
    level, depth = [[document.data]], 0  # the file itself is level 1, inside this wrapper at level 0
    while level:
        if depth > MAX_DEPTH:
            raise too_deep(document.where(_first_path(document.data, _is_too_deep)))
        inner: list[Any] = []
        for container in level:
            values = container.values() if type(container) is dict else container
            if len(values) > 64:
                if not _containers_and_integers_within(values, inner):
                    raise number_too_long(document.where(_first_path(document.data, _is_too_large)))
                continue
            for value in values:  # inline: this loop runs for every table of the file
                kind = type(value)
                if kind is dict or kind is list:
                    inner.append(value)
                elif kind is int and not -LARGEST_INTEGER < value < LARGEST_INTEGER:
                    raise number_too_long(document.where(_first_path(document.data, _is_too_large)))
        level, depth = inner, depth + 1


def _containers_and_integers_within(values: Any, containers: list[Any]) -> bool:
    """Collect the containers among a long list's or table's ``values``; False if an integer is too large.
    Whole-collection passes run about three times faster than a loop over the items."""
    kinds = set(map(type, values))
    if dict in kinds or list in kinds:
        containers.extend(value for value in values if type(value) is dict or type(value) is list)
    if int not in kinds:
        return True
    integers = values if len(kinds) == 1 else [value for value in values if type(value) is int]
    return -LARGEST_INTEGER < min(integers) and max(integers) < LARGEST_INTEGER


def _is_too_deep(value: Any, path: FieldPath) -> bool:
    return isinstance(value, (dict, list)) and len(path) >= MAX_DEPTH


def _is_too_large(value: Any, path: FieldPath) -> bool:
    return type(value) is int and not -LARGEST_INTEGER < value < LARGEST_INTEGER


def _first_path(data: Any, test: Any) -> FieldPath:
    """The path of the first value, in file order, that passes ``test``; descends no deeper than MAX_DEPTH."""
    stack: list[tuple[FieldPath, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if test(value, path):
            return path
        if len(path) < MAX_DEPTH and isinstance(value, (dict, list)):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend(reversed([((*path, key), child) for key, child in items]))
    return ()


# The parsers --------------------------------------------------------------------------------------

_TOML_ERROR_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)$")


def _parse_toml(text: str, name: str) -> Any:
    try:
        return tomllib.loads(text, parse_float=literal_float)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_ERROR_LINE.search(message)
        where = in_file(name, int(match.group(1)) if match else None)
        raise FormatError(_("cannot read TOML: {reason}").format(reason=visible(_TOML_ERROR_LINE.sub("", message))), where, _("fix the TOML syntax")) from None
    except RecursionError:
        raise _too_deep_in(text, "toml", name) from None
    except (ValueError, NumberTooLong):  # ValueError: an integer of over 4,300 digits
        raise _number_too_long_in(text, "toml", name) from None


def _parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_object, parse_float=literal_float, parse_constant=LiteralFloat)
    except json.JSONDecodeError as error:
        raise FormatError(_("cannot read JSON: {reason}").format(reason=error.msg), in_file(name, error.lineno), _("fix the JSON syntax")) from None
    except _DuplicateKey:
        from hacalc.readers.locate import json_duplicate

        duplicate = json_duplicate(text)
        if duplicate is None:  # not expected: the locator reads as the parser does
            raise InputError(_("a key is given twice"), in_file(name), _(GIVE_EACH_KEY_ONCE)) from None
        where = in_file(name, duplicate.line, duplicate.path)
        raise InputError(_("duplicate key {key}").format(key=quoted(duplicate.path[-1])), where, _(GIVE_EACH_KEY_ONCE)) from None
    except RecursionError:
        raise _too_deep_in(text, "json", name) from None
    except (ValueError, NumberTooLong):  # ValueError: an integer of over 4,300 digits
        raise _number_too_long_in(text, "json", name) from None


def _too_deep_in(text: str, input_format: str, name: str) -> InputError:
    from hacalc.readers.locate import deep_line

    line = deep_line(text, input_format)
    return too_deep(in_file(name, line))


def _number_too_long_in(text: str, input_format: str, name: str) -> InputError:
    from hacalc.readers.locate import long_number_line

    line = long_number_line(text, input_format)
    return number_too_long(in_file(name, line))


GIVE_EACH_KEY_ONCE = N_("give each key once")


class _DuplicateKey(Exception):
    pass


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKey
    return result


def _parse_yaml(text: str, name: str) -> Any:
    from hacalc.readers.safe_yaml import parse_yaml  # PyYAML is loaded only for YAML files

    return parse_yaml(text, name)
