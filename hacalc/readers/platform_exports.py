"""What the Proxmox VE and Hyper-V importers share: JSON exports read with their line numbers, typed
fields that name their location when they are wrong, counted warnings, and bytes turned into MiB.

An export is read whole before anything is used, and a value that cannot be read stops the whole read
(``in FILE line N ([3].maxmem)``); what is merely skipped is counted in a ``DataWarning``. Text may be
UTF-8 (with or without a BOM) or UTF-16 (Windows PowerShell 5.1's ``>`` and ``Out-File`` write UTF-16LE
with a BOM), so an export is never refused for the encoding its own tool chose.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from hacalc.core.errors import InputError
from hacalc.core.text import visible
from hacalc.core.vsphere.check import MAX_CAPACITY
from hacalc.core.warnings import DataWarning
from hacalc.i18n import N_, Message, _, plural
from hacalc.readers.files import MAX_BYTES, Document, FieldPath, in_file, json_document, open_binary, quoted

MIB = 1024 * 1024
EXAMPLES = 5  # names kept per warning
SNIFF_BYTES = 64 * 1024  # how much of a file the format checks look at


# Reading -------------------------------------------------------------------------------------------


def read_json_export(source: str, expected: str) -> Document:
    """``source`` parsed as JSON, with line numbers for errors; ``expected`` (``N_``-marked) names the export in messages."""
    shown = visible(source)
    with open_binary(source, expected) as stream:
        try:
            raw = stream.read(MAX_BYTES + 1)
        except OSError as error:
            raise InputError(_("cannot read {source!r}: {reason}").format(source=source, reason=error.strerror), fix=_("check the path and its permissions")) from None
    if len(raw) > MAX_BYTES:
        raise InputError(_("the file is larger than the {size} limit").format(size=f"{MAX_BYTES // MIB} MiB"), in_file(shown), _("export one cluster at a time"))
    text = decode_export(raw, shown)
    if not text.strip():
        raise InputError(_("the file is empty"), in_file(shown), _("give {expected}").format(expected=_(expected)))
    return json_document(text, shown)


def decode_export(raw: bytes, name: str) -> str:
    """UTF-8 (BOM optional) or UTF-16 (BOM, or ASCII text with a NUL beside every character); a bad byte names its line."""
    codec = _codec(raw)
    try:
        return raw.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = raw[: error.start].decode(codec, errors="replace").count("\n") + 1
        kind = "UTF-16" if codec.startswith("utf-16") else "UTF-8"
        raise InputError(_("the file is not valid {encoding} text").format(encoding=kind), in_file(name, line), _("export it again (PowerShell: Out-File -Encoding utf8)")) from None


def _codec(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # the BOM says which byte order, and is consumed
    if len(raw) >= 2 and raw[0] != 0 and raw[1] == 0:
        return "utf-16-le"
    if len(raw) >= 2 and raw[0] == 0 and raw[1] != 0:
        return "utf-16-be"
    return "utf-8-sig"


def sniff_text(source: str) -> str:
    """The start of a file as text, for the ``looks_like_*`` checks; "" when it cannot be read."""
    try:
        if os.path.isdir(source):
            return ""
        with open(source, "rb") as stream:
            raw = stream.read(SNIFF_BYTES)
    except (OSError, ValueError):
        return ""
    return raw.decode(_codec(raw), errors="replace").removeprefix("\ufeff")


def file_stem(source: str) -> str:
    """The name a cluster gets when its export does not carry one: the file name without folder and extension."""
    return visible(os.path.splitext(os.path.basename(source))[0]) or "cluster"


EXPORT_AGAIN = N_("export it again")  # the fix for a value an export tool would not write


# Fields --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One JSON object of an export and its path, with getters that name the field of a bad value."""

    document: Document
    path: FieldPath
    data: dict[str, Any]
    any_case: bool = False  # match keys case-insensitively (PowerShell property names are)

    def key(self, name: str) -> str:
        """The key as the file spells it."""
        if name in self.data or not self.any_case:
            return name
        wanted = name.casefold()
        return next((key for key in self.data if isinstance(key, str) and key.casefold() == wanted), name)

    def where(self, key: str | None = None) -> str:
        return self.document.where(self.path if key is None else (*self.path, self.key(key)))

    def error(self, key: str | None, what: str, fix: str) -> InputError:
        """``what`` and ``fix`` as said in the language of the run (the getters' ``fix`` arguments are ``N_``-marked)."""
        return InputError(what, self.where(key), fix)

    def get(self, key: str) -> Any:
        return self.data.get(self.key(key))

    def text(self, key: str, *, required: bool = False, fix: str = EXPORT_AGAIN) -> str:
        value = self.get(key)
        if value is None or value == "":
            if required:
                raise self.error(None, _("the entry has no {key!r}").format(key=key), _(fix))
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.error(key, _("{value} is not a name").format(value=quoted(value)), _(fix))
        return str(value)

    def whole(self, key: str, *, maximum: int = 2**63, fix: str = EXPORT_AGAIN) -> int | None:
        """A whole number of 0 or more, or None when absent; a whole float (``2.0``) is accepted."""
        value = self.get(key)
        if value is None:
            return None
        number = exact_number(value)
        if number is None or number != number.to_integral_value():
            raise self.error(key, _("{value} is not a whole number").format(value=quoted(value)), _(fix))
        if not 0 <= number <= maximum:
            raise self.error(key, _("{value:,} is out of range").format(value=int(number)), _("give a whole number from 0 to {maximum:,}").format(maximum=maximum))
        return int(number)

    def number(self, key: str, *, maximum: int, fix: str = EXPORT_AGAIN) -> Decimal | None:
        """A number of 0 or more, exactly as written (``1.5`` stays 1.5), or None when absent."""
        value = self.get(key)
        if value is None:
            return None
        number = exact_number(value)
        if number is None:
            raise self.error(key, _("{value} is not a number").format(value=quoted(value)), _(fix))
        if not 0 <= number <= maximum:
            raise self.error(key, _("{value} is out of range").format(value=quoted(value)), _("give a number from 0 to {maximum:,}").format(maximum=maximum))
        return number

    def flag(self, key: str, *, fix: str = EXPORT_AGAIN) -> bool | None:
        """JSON true/false, or the 0/1 Perl APIs write; None when absent."""
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "0", "1"):
            return value.strip().lower() in ("true", "1")
        raise self.error(key, _("{value} is not true or false").format(value=quoted(value)), _(fix))


def exact_number(value: Any) -> Decimal | None:
    """A JSON number (or a numeric string) as an exact Decimal from its written digits; None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        text = str(value)  # a LiteralFloat gives back the digits as written
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?(\d{1,30}(\.\d{0,30})?|\.\d{1,30})([eE][+-]?\d{1,3})?\s*", value):
        text = value.strip()
    else:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() and abs(number) < Decimal(10) ** 30 else None


def records(document: Document, data: Any, path: FieldPath, what: str, fix: str, *, any_case: bool = False) -> list[Record]:
    """The objects of a JSON array (or one object: PowerShell does not wrap a single result in an array).
    ``what`` and ``fix`` are ``N_``-marked."""
    if isinstance(data, dict):
        return [Record(document, path, data, any_case)]
    if not isinstance(data, list):
        raise InputError(_("{what} is {kind}, not a list of objects").format(what=_(what), kind=_kind(data)), document.where(path), _(fix))
    found = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise InputError(_("entry {index} of {what} is {kind}, not an object").format(index=index, what=_(what), kind=_kind(item)), document.where((*path, index)), _(fix))
        found.append(Record(document, (*path, index), item, any_case))
    return found


def _kind(value: Any) -> str:
    """What a JSON value is, in JSON's words (``readers.cluster._kind`` speaks of TOML tables and strings)."""
    if isinstance(value, str):
        return _("the text {value}").format(value=quoted(value, 40))
    kinds = {dict: N_("an object"), list: N_("a list"), bool: N_("true or false"), type(None): N_("null")}
    kind = kinds.get(type(value))
    return _(kind) if kind else _("the number {value}").format(value=quoted(value, 40))


# Units ---------------------------------------------------------------------------------------------


def mib_floor(size_bytes: int) -> int:
    """A host's memory in MiB, rounded down: a host is never credited with memory it does not have."""
    return size_bytes // MIB


def mib_ceil(size_bytes: int) -> int:
    """A guest's memory in MiB, rounded up: a guest never needs less than it was given."""
    return -(-size_bytes // MIB)


def within_capacity(record: Record, key: str, value: int, unit: str) -> int:
    """``value`` (already in MiB or millicores) if a host or guest could have it; else the error names the field."""
    if value > MAX_CAPACITY:
        raise record.error(key, _("{value:,} {unit} is more than any host has").format(value=value, unit=unit), _(EXPORT_AGAIN))
    return value


# Warnings ------------------------------------------------------------------------------------------


@dataclass
class _Tally:
    count: int = 0
    examples: list[str] = field(default_factory=list)


class Warnings:
    """Counted warnings of fixed kinds, reported in the order the kinds are listed (stable for JSON and JUnit)."""

    def __init__(self, kinds: Sequence[str]) -> None:
        self.kinds = tuple(kinds)
        self.tallies: dict[str, _Tally] = {}
        self.messages: dict[str, Callable[[int], str]] = {}

    def add(self, kind: str, example: str, message: Callable[[int], str], count: int = 1) -> None:
        """Count one more of ``kind``; ``message(count)`` is worded once all are counted, as a ``Message``
        (English in JSON, said in the language of the run where the CLI shows it)."""
        if kind not in self.kinds:
            raise ValueError(f"unknown warning kind {kind!r}")
        tally = self.tallies.setdefault(kind, _Tally())
        tally.count += count
        shown = visible(example)
        if shown and len(tally.examples) < EXAMPLES and shown not in tally.examples:
            tally.examples.append(shown)
        self.messages.setdefault(kind, message)

    def result(self) -> tuple[DataWarning, ...]:
        return tuple(
            DataWarning(kind, self.messages[kind](self.tallies[kind].count), self.tallies[kind].count, tuple(self.tallies[kind].examples))
            for kind in self.kinds
            if kind in self.tallies
        )


def counted(template: str, count: int, one: str, many: str) -> Message:
    """A counted warning, ``{n} without maxmem …``: ``template`` has an ``{n}``, said ``3 nodes`` by ``one``
    and ``many`` (``N_``-marked ``{count:,} node`` and ``{count:,} nodes``)."""
    return Message(template, n=plural(count, one, many))


def unique_names(names: Sequence[str], ids: Sequence[str]) -> list[str]:
    """Names as given, except that a name several guests share becomes ``NAME (ID)``, as the RVTools reader does."""
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    return [f"{name} ({ident})" if seen[name] > 1 else name for name, ident in zip(names, ids)]
