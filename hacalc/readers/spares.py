"""Reading a spares scenario file and the command-line flags into one ``spares.Question``.

A scenario file (TOML, YAML or JSON, read by ``scenario.files``) uses the flag names as keys
(``manual-recovery = "30m"``), so a flag given on the command line simply replaces the file's value.
Every value keeps where it came from, and every error, including a range check deep in the model,
names that place: ``--coverage`` or ``in FILE line 7 (coverage)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TextIO, TypeVar

from hacalc.core.errors import HacalcError, InputError
from hacalc.core.periods import Conventions, parse_year_days
from hacalc.core.spares import TEMPERATURES, Question, Spare
from hacalc.core.units import parse_availability, parse_duration, parse_number
from hacalc.readers.files import Document, FieldPath, quoted, read_document

T = TypeVar("T")

SETTINGS = (
    "mttf",
    "mttr",
    "needed",
    "spares",
    "crews",
    "coverage",
    "manual-recovery",
    "failover",
    "dormancy",
    "spare-cost",
    "downtime-cost",
    "target",
    "kind",
    "sweep-spares",
    "year-days",
)
TABLE_SETTINGS = ("failover", "spare-cost")  # may be written as a table: [failover] hot = "30s"
DOCUMENTATION_KEYS = ("title", "description")
KIND_CHOICES = ("hot", "warm", "cold", "active-active", "all")


@dataclass(frozen=True)
class Setting:
    """A value as the user wrote it, given as the flag or file key ``name``.

    A file's list (``kind = ["hot", "cold"]``) or table (``[failover] hot = "30s"``) keeps its items apart
    in ``items``, so that no item can smuggle in more: a key ``"hot=1s,cold"`` is an unknown temperature,
    not two of them.
    """

    text: str
    name: str
    document: Document | None = None
    items: tuple[str | tuple[str, str], ...] | None = None

    @property
    def value(self) -> str | tuple[str | tuple[str, str], ...]:
        return self.text if self.items is None else self.items

    @property
    def where(self) -> str:
        """``--coverage`` or ``in FILE line 7 (coverage)``; the line is looked up only when an error needs it."""
        return self.document.where((self.name,)) if self.document else f"--{self.name}"


def read_scenario(source: str, *, input_format: str | None = None, stdin: TextIO | None = None) -> dict[str, Setting]:
    """The settings in a scenario file (``-`` for stdin); unknown keys are errors with a suggestion."""
    document = read_document(source, input_format=input_format, stdin=stdin)
    if not isinstance(document.data, dict):
        raise InputError("the file must be a table of settings", document.where(), 'write settings as keys and values, such as mttf = "1000h"')
    settings = {}
    for key, value in document.data.items():
        if key in DOCUMENTATION_KEYS:
            continue
        if key not in SETTINGS:
            raise InputError(f"unknown key {quoted(key)}", document.where((key,)), _did_you_mean(str(key), (*SETTINGS, *DOCUMENTATION_KEYS)))
        settings[key] = _setting(document, key, value)
    return settings


def from_flags(values: Mapping[str, str | None]) -> dict[str, Setting]:
    """Settings from flags, keyed like the file (``manual-recovery``); flags not given are left out."""
    return {name: Setting(text, name) for name, text in values.items() if text is not None}


def build_question(settings: Mapping[str, Setting]) -> Question:
    """Parse every setting and build the question; any error is re-located to where its value came from."""
    for required in ("mttf", "mttr"):
        if required not in settings:
            raise InputError(f"no {required} given", f"--{required}", f"pass --{required} or put {required} in the scenario file")
    reader = _Reader(settings)
    conventions = Conventions(year_days=reader.get("year-days", _year_days, Fraction(365)))
    try:
        return Question(
            mttf=reader.get("mttf", _duration, None),
            mttr=reader.get("mttr", _duration, None),
            needed=reader.get("needed", _count, 1),
            spares=reader.get("spares", _count, 1),
            crews=reader.get("crews", _count, 1),
            dormancy=reader.get("dormancy", parse_number, Fraction(1, 2)),
            coverage=reader.get("coverage", _probability, Fraction(1)),
            manual_recovery=reader.get("manual-recovery", _duration, None),
            failover=reader.get("failover", _per_temperature(_duration), {}),
            kinds=reader.get("kind", parse_kinds, TEMPERATURES),
            spare_cost=reader.get("spare-cost", _per_spare(_money), None),
            downtime_cost=reader.get("downtime-cost", _money, None),
            target=reader.get("target", parse_availability, None),
            sweep=reader.get("sweep-spares", parse_sweep, None),
            conventions=conventions,
        )
    except HacalcError as error:
        if error.where in settings:
            raise type(error)(error.what, settings[error.where].where, error.fix) from None
        if error.where in SETTINGS:
            raise type(error)(error.what, f"--{error.where}", error.fix) from None
        raise


class _Reader:
    def __init__(self, settings: Mapping[str, Setting]) -> None:
        self.settings = settings

    def get(self, name: str, parse: Callable[[str], T], default: Any) -> T:
        setting = self.settings.get(name)
        if setting is None:
            return default
        try:
            return parse(setting.value)
        except HacalcError as error:
            raise error.located(setting.where) from None


def parse_kinds(text: str | Sequence[str]) -> tuple[Spare, ...]:
    """``hot``, ``warm,cold``, ``all`` (hot, warm and cold) or ``active-active``, or a file's list of them;
    ``none`` is always shown."""
    kinds: list[Spare] = []
    for word in (part.strip().lower() for part in (text.split(",") if isinstance(text, str) else text)):
        if word not in KIND_CHOICES:
            raise InputError(f"unknown spare kind {quoted(word)}", fix=_did_you_mean(word, KIND_CHOICES, "use hot, warm, cold, active-active or all"))
        for kind in TEMPERATURES if word == "all" else (Spare(word),):
            if kind not in kinds:
                kinds.append(kind)
    if not kinds:
        raise InputError("no spare kind given", fix="give hot, warm, cold, active-active or all")
    return tuple(kinds)


def parse_sweep(text: str) -> range:
    """``0..4``: every spare count from 0 to 4, both ends included."""
    low, separator, high = text.partition("..")
    if not separator:
        raise InputError(f"cannot read spare range {text!r}", fix="write it like 0..4")
    start, stop = _count(low), _count(high)
    if stop < start:
        raise InputError(f"spare range {text!r} runs backwards", fix="write the smaller count first, like 0..4")
    return range(start, stop + 1)


def _per_temperature(parse: Callable[[str], T]) -> Callable[[str], dict[Spare, T]]:
    """``hot=30s,warm=5m,cold=30m`` or one value for every temperature."""
    return _keyed(parse, TEMPERATURES)


def _per_spare(parse: Callable[[str], T]) -> Callable[[str], dict[Spare, T]]:
    return _keyed(parse, (*TEMPERATURES, Spare.active_active))


def _keyed(parse: Callable[[str], T], keys: tuple[Spare, ...]) -> Callable[[Any], dict[Spare, T]]:
    names = tuple(key.value for key in keys)

    def pairs(text: str) -> Iterator[tuple[str, str]]:
        for item in text.split(","):
            name, equals, value = (part.strip() for part in item.partition("="))
            if not equals:
                raise InputError(
                    f"{item.strip()!r} is not TEMPERATURE=VALUE" if item.strip() else "an empty item between commas",
                    fix=f"separate {names[0]}=…,{names[1]}=… pairs with single commas; write numbers without thousands separators",
                )
            yield name, value

    def read(given: Any) -> dict[Spare, T]:
        """``hot=30s,cold=5m`` or one value for every temperature; or a file's table, pair by pair."""
        if isinstance(given, str) and "=" not in given:
            value = parse(given)
            return dict.fromkeys(keys, value)
        values: dict[Spare, T] = {}
        for name, value in pairs(given) if isinstance(given, str) else given:
            if name.lower() not in names:
                raise InputError(
                    f"unknown spare temperature {quoted(name)}", fix=_did_you_mean(name.lower(), names, f"use {', '.join(names)}")
                )
            if Spare(name.lower()) in values:
                raise InputError(f"{name.lower()} is given twice", fix="give each temperature once")
            values[Spare(name.lower())] = parse(value)
        return values

    return read


def _year_days(text: str) -> Fraction:
    try:
        return parse_year_days(text)
    except HacalcError as error:
        raise InputError(error.what, fix=error.fix) from None


def _duration(text: str) -> Fraction:
    return parse_duration(text)


def _count(text: str) -> int:
    value = parse_number(text)
    if value.denominator != 1:
        raise InputError(f"{text!r} is not a whole number", fix="give a count such as 0, 1 or 2")
    return int(value)


def _probability(text: str) -> Fraction:
    """``0.99`` or ``99%``."""
    stripped = text.strip()
    return parse_number(stripped[:-1]) / 100 if stripped.endswith("%") else parse_number(stripped)


def _money(text: str) -> Fraction:
    return parse_number(text.replace(",", ""))


def _setting(document: Document, key: str, value: Any) -> Setting:
    """A scalar as flag text; a list (for ``kind``) or table (for per-temperature settings) item by item."""
    path = (key,)
    if isinstance(value, dict) and key in TABLE_SETTINGS:
        pairs = tuple((str(name), _scalar(document, (*path, name), item)) for name, item in value.items())
        return Setting(",".join(f"{name}={item}" for name, item in pairs), key, document, pairs)
    if isinstance(value, list) and key == "kind":
        items = tuple(_scalar(document, (*path, index), item) for index, item in enumerate(value))
        return Setting(",".join(items), key, document, items)
    return Setting(_scalar(document, path, value), key, document)


def _scalar(document: Document, path: FieldPath, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(f"unexpected value {quoted(value)}", document.where(path), "write a string such as \"30m\" or a number")
    return str(value)


def _did_you_mean(word: str, choices: tuple[str, ...], otherwise: str = "") -> str:
    import difflib

    close = difflib.get_close_matches(word.replace("_", "-"), choices, n=1)
    return f"did you mean {close[0]!r}?" if close else otherwise or f"known keys: {', '.join(choices)}"
