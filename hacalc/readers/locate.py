"""Finding lines in TOML and JSON text, for error messages only.

``json_line`` and ``toml_line`` seek one field path: they step through the text to the fields on that
path and pass over every other value in bulk, with patterns that never backtrack (possessive
quantifiers), so one look-up costs time linear in the text and memory in proportion to the path.
``deep_line``, ``long_number_line`` and ``json_duplicate`` find why a parser gave up (nesting beyond
MAX_DEPTH, a number beyond MAX_NUMBER_DIGITS, a key given twice) in the same way.

Nothing here raises or recurses: the text was accepted by a parser, or a parser stopped on it for one
of those reasons, and anything unexpected ends the search with what was found so far.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from hacalc.readers.files import MAX_DEPTH, MAX_NUMBER_DIGITS, FieldPath


@dataclass(frozen=True)
class Problem:
    line: int
    path: FieldPath = ()


def line_at(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _end_of_line(text: str, position: int) -> int:
    found = text.find("\n", position)
    return len(text) if found < 0 else found


def _skip_brackets(text: str, position: int, bulk: re.Pattern[str]) -> int:
    """From an opening bracket to just past its partner; strings and comments are passed over by ``bulk``."""
    depth, length = 0, len(text)
    while position < length:
        position = bulk.match(text, position).end()
        if position >= length:
            break
        char = text[position]
        position += 1
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth <= 0:
                break
    return position


def deep_line(text: str, input_format: str) -> int | None:
    """The line of the first bracket nested deeper than the limit (a JSON text's own ``{`` is level 1;
    TOML's brackets sit inside at least the file's table)."""
    bulk = _JSON_BULK if input_format == "json" else _TOML_BULK
    deepest = MAX_DEPTH + 1 if input_format == "json" else MAX_DEPTH
    depth, position, length = 0, 0, len(text)
    while (position := bulk.match(text, position).end()) < length:
        char = text[position]
        if char in "[{":
            depth += 1
            if depth >= deepest:
                return line_at(text, position)
        elif char in "]}":
            depth = max(0, depth - 1)
        position += 1
    return None


def long_number_line(text: str, input_format: str) -> int | None:
    """The line of the first number with more than MAX_NUMBER_DIGITS digits, outside strings and comments."""
    until_digit = _JSON_UNTIL_DIGIT if input_format == "json" else _TOML_UNTIL_DIGIT
    position, length = 0, len(text)
    while (position := until_digit.match(text, position).end()) < length:
        run = _NUMBER_RUN.match(text, position)
        if len(run.group().replace("_", "")) > MAX_NUMBER_DIGITS:
            return line_at(text, position)
        position = run.end()
    return None


_NUMBER_RUN = re.compile(r"[0-9][0-9A-Za-z_.:+\-]*+")

# JSON ---------------------------------------------------------------------------------------------

_JSON_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_JSON_STRING_PATTERN = re.compile(_JSON_STRING)
_JSON_BULK = re.compile(rf'(?:[^"\[\]{{}}]++|{_JSON_STRING})*+')
_JSON_UNTIL_DIGIT = re.compile(rf'(?:[^"0-9]++|{_JSON_STRING}|")*+')
_JSON_GAP = re.compile(r"[ \t\r\n]*+")
_JSON_SCALAR = re.compile(r"[^\s,\]}:\[{\"]++")


def json_line(text: str, path: FieldPath) -> int | None:
    """The line of ``path``, or of the deepest field on the way to it that the text has."""
    position, found = _JSON_GAP.match(text).end(), None
    for part in path:
        char = text[position : position + 1]
        if char == "{" and isinstance(part, str):
            step = _json_member(text, position + 1, part)
        elif char == "[" and isinstance(part, int) and not isinstance(part, bool):
            step = _json_item(text, position + 1, part)
        else:
            break
        if step is None:
            break
        found, position = step
    return None if found is None else line_at(text, found)


def _json_member(text: str, position: int, wanted: str) -> tuple[int, int] | None:
    """Where the member ``wanted`` of the object opened before ``position`` starts, and where its value does."""
    while True:
        position = _JSON_GAP.match(text, position).end()
        key = _JSON_STRING_PATTERN.match(text, position)
        if key is None:
            return None
        value = _JSON_GAP.match(text, key.end()).end()
        if text[value : value + 1] != ":":
            return None
        value = _JSON_GAP.match(text, value + 1).end()
        if _json_key(key.group()) == wanted:
            return position, value
        position = _JSON_GAP.match(text, _json_skip_value(text, value)).end()
        if text[position : position + 1] != ",":
            return None
        position += 1


def _json_item(text: str, position: int, index: int) -> tuple[int, int] | None:
    found = _nth_item(text, position, index, _JSON_GAP, _json_skip_value)
    return None if found is None else (found, found)


def _json_skip_value(text: str, position: int) -> int:
    char = text[position : position + 1]
    if char in ("[", "{"):
        return _skip_brackets(text, position, _JSON_BULK)
    match = (_JSON_STRING_PATTERN if char == '"' else _JSON_SCALAR).match(text, position)
    return match.end() if match else position + 1


def _json_key(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    import json

    try:
        return str(json.loads(token))
    except ValueError:
        return token[1:-1]


_JSON_TOKEN = re.compile(
    rf"""[ \t\r\n]*+(?:
      (?P<string>{_JSON_STRING})
    | (?P<open>[\[{{])
    | (?P<close>[\]}}])
    | (?P<comma>,)
    | (?P<colon>:)
    | (?P<other>[^\s"\[\]{{}},:]++|.)
    )""",
    re.VERBOSE | re.DOTALL,
)


def json_duplicate(text: str) -> Problem | None:
    """The first key given twice in one object, with its path (JSON's parser says only that one exists)."""
    frames: list[tuple[FieldPath, set[str] | None, list[int]]] = []  # path, keys seen (None: an array), index
    value_path: FieldPath = ()
    expecting_key = False
    position = 0
    while (match := _JSON_TOKEN.match(text, position)) is not None:
        kind = match.lastgroup
        position = match.end()
        if kind == "string" and expecting_key and frames and frames[-1][1] is not None:
            path, keys, _ = frames[-1]
            key = _json_key(match.group(kind))
            value_path = (*path, key)
            if key in keys:
                return Problem(line_at(text, match.start(kind)), value_path)
            keys.add(key)
            expecting_key = False
        elif kind == "open":
            is_object = match.group(kind) == "{"
            frames.append((value_path, set() if is_object else None, [0]))
            expecting_key = is_object
            value_path = value_path if is_object else (*value_path, 0)
        elif kind == "close" and frames:
            value_path = frames.pop()[0]
            expecting_key = False
        elif kind == "comma" and frames:
            path, keys, index = frames[-1]
            expecting_key = keys is not None
            index[0] += 1
            value_path = value_path if keys is not None else (*path, index[0])
    return None


# TOML ---------------------------------------------------------------------------------------------

_TOML_BASIC = r'"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"'
_TOML_LITERAL = r"'[^'\n]*+'"
_TOML_STRINGS = rf"""\"\"\"(?:[^"\\]++|\\[\s\S]|"(?!""))*+"{{3,5}}|'''(?:[^']++|'(?!''))*+'{{3,5}}|{_TOML_BASIC}|{_TOML_LITERAL}"""
_TOML_BULK = re.compile(rf"(?:[^\"'#\[\]{{}}]++|{_TOML_STRINGS}|#[^\n]*+|[\"'])*+")
_TOML_UNTIL_DIGIT = re.compile(rf"(?:[^\"'#0-9]++|{_TOML_STRINGS}|#[^\n]*+|[\"'])*+")
_TOML_GAP = re.compile(r"(?:[ \t\r\n]++|#[^\n]*+)*+")
_TOML_LINE_GAP = re.compile(r"[ \t]*+")
_TOML_KEY = rf"(?:[A-Za-z0-9_-]++|{_TOML_BASIC}|{_TOML_LITERAL})"
_TOML_DOTTED_KEY = re.compile(rf"[ \t]*+{_TOML_KEY}(?:[ \t]*+\.[ \t]*+{_TOML_KEY})*+[ \t]*+")
_TOML_KEY_PART = re.compile(_TOML_KEY)
_TOML_STRING = re.compile(_TOML_STRINGS)
_TOML_SCALAR = re.compile(r"[^\s,\]}#]++")
_TOML_PLAIN_STATEMENTS = re.compile(
    rf"""(?:(?:[ \t\r\n]++|\#[^\n]*+)*+(?!\[){_TOML_DOTTED_KEY.pattern}=[ \t]*+(?:{_TOML_BASIC}|{_TOML_LITERAL}|[^\s\[\]{{}}\#"',]++)[ \t]*+(?:\#[^\n]*+)?(?=\n|\Z))*+"""
)


def toml_line(text: str, path: FieldPath) -> int | None:
    """The line of ``path``, or of the deepest field on the way to it that the text has.

    Statements are read in order, tracking the current table as TOML does: ``[a.b]`` opens a table,
    ``[[a]]`` adds the next table to the array ``a``, and a header through ``a`` means its last table.
    """
    seeker = _TomlSeeker(text, path)
    seeker.run()
    if not seeker.found:
        return None
    return line_at(text, seeker.found[max(seeker.found)])


class _TomlSeeker:
    def __init__(self, text: str, path: FieldPath) -> None:
        self.text = text
        self.path = path
        self.found: dict[int, int] = {}  # length of a prefix of ``path`` -> where it first appears
        self.array_tables: dict[FieldPath, int] = {}

    def note(self, candidate: FieldPath, position: int) -> bool:
        """Remember where ``candidate`` first appears, when it is on the way to the path sought."""
        if not self._on_path(candidate):
            return False
        self.found.setdefault(len(candidate), position)
        return True

    def _on_path(self, candidate: FieldPath) -> bool:
        return len(candidate) <= len(self.path) and self.path[: len(candidate)] == candidate

    def run(self) -> None:
        text, length, table = self.text, len(self.text), ()
        position, table_on_path = 0, True
        while (position := _TOML_GAP.match(text, position).end()) < length and len(self.path) not in self.found:
            if text[position] == "[":
                table = self._header(position)
                table_on_path = self._on_path(table)
                position = _end_of_line(text, position)
                continue
            if not table_on_path:  # no key here can be on the path: pass over plain statements in one match
                skipped = _TOML_PLAIN_STATEMENTS.match(text, position).end()
                if skipped > position:
                    position = skipped
                    continue
            keys, after = _dotted_key(text, position)
            if not keys or text[after : after + 1] != "=":
                position = _end_of_line(text, position + 1)
                continue
            value = _TOML_LINE_GAP.match(text, after + 1).end()
            self._key_value(table, keys, position, value)
            position = _end_of_line(text, _toml_skip_value(text, value))

    def _header(self, position: int) -> FieldPath:
        is_array = self.text.startswith("[[", position)
        keys, _ = _dotted_key(self.text, position + (2 if is_array else 1))
        table: FieldPath = ()
        for number, key in enumerate(keys):
            table = (*table, key)
            if is_array and number == len(keys) - 1:
                index = self.array_tables.get(table, 0)
                self.array_tables[table] = index + 1
                self.note(table, position)
                table = (*table, index)
            elif table in self.array_tables:
                self.note(table, position)
                table = (*table, self.array_tables[table] - 1)
            self.note(table, position)
        return table

    def _key_value(self, table: FieldPath, keys: list[str], position: int, value: int) -> None:
        full = table
        for key in keys:
            full = (*full, key)
            if not self.note(full, position):
                return
        if len(self.path) > len(full):
            self._into_value(full, value)

    def _into_value(self, prefix: FieldPath, position: int) -> None:
        """Follow the rest of the path into an array or inline table written as a value."""
        text = self.text
        while len(prefix) < len(self.path):
            part = self.path[len(prefix)]
            char = text[position : position + 1]
            if char == "[" and isinstance(part, int) and not isinstance(part, bool):
                position = _toml_item(text, position + 1, part)
                if position is None:
                    return
                prefix = (*prefix, part)
                self.note(prefix, position)
            elif char == "{" and isinstance(part, str):
                found = self._member(prefix, position + 1)
                if found is None:
                    return
                prefix, position = found
            else:
                return

    def _member(self, table: FieldPath, position: int) -> tuple[FieldPath, int] | None:
        """In an inline table: the member on the path sought (its dotted key may cover several parts)."""
        text = self.text
        while True:
            position = _TOML_GAP.match(text, position).end()
            keys, after = _dotted_key(text, position)
            if not keys or text[after : after + 1] != "=":
                return None
            value = _TOML_LINE_GAP.match(text, after + 1).end()
            member = table
            for key in keys:
                if not self.note((*member, key), position):
                    break
                member = (*member, key)
            if len(member) == len(table) + len(keys):
                return member, value
            position = _TOML_GAP.match(text, _toml_skip_value(text, value)).end()
            if text[position : position + 1] != ",":
                return None
            position += 1


def _dotted_key(text: str, position: int) -> tuple[list[str], int]:
    """The parts of the dotted key at ``position`` (at most one more than can be nested), and where it ends."""
    match = _TOML_DOTTED_KEY.match(text, position)
    if match is None:
        return [], position
    parts = []
    for part in _TOML_KEY_PART.finditer(match.group()):
        parts.append(_unquote(part.group()))
        if len(parts) > MAX_DEPTH:
            break
    return parts, match.end()


def _toml_item(text: str, position: int, index: int) -> int | None:
    return _nth_item(text, position, index, _TOML_GAP, _toml_skip_value)


def _nth_item(text: str, position: int, index: int, gap: re.Pattern[str], skip_value: Callable[[str, int], int]) -> int | None:
    """Where item ``index`` of the array whose items start at ``position`` begins; None if it has fewer."""
    for _ in range(index):
        position = gap.match(text, position).end()
        if text[position : position + 1] in ("]", ""):
            return None
        position = gap.match(text, skip_value(text, position)).end()
        if text[position : position + 1] != ",":
            return None
        position += 1
    position = gap.match(text, position).end()
    return None if text[position : position + 1] in ("]", "") else position


def _toml_skip_value(text: str, position: int) -> int:
    char = text[position : position + 1]
    if char in ("[", "{"):
        return _skip_brackets(text, position, _TOML_BULK)
    match = (_TOML_STRING if char in ("'", '"') else _TOML_SCALAR).match(text, position)
    return match.end() if match else position + 1


def _unquote(token: str) -> str:
    """A key's text; only a basic string may hold escapes, which tomllib reads for us."""
    if token[0] not in "\"'":
        return token
    if token[0] == "'" or "\\" not in token:
        return token[1:-1]
    import tomllib

    try:
        return str(tomllib.loads(f"k = {token}")["k"])
    except ValueError:
        return token[1:-1]

