"""Availability of a structure of independent parts: ``series``, ``parallel``, ``kofn`` and ``unit`` leaves.

The expression is read by a small recursive-descent parser (never ``eval``). Every part keeps its exact
unavailability, so a parallel pair of 99.9 % parts is exactly 1e-6 unavailable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from hacalc.core.errors import InputError
from hacalc.core.units import parse_availability, parse_duration

GRAMMAR_HINT = "write e.g. series(99.9%, parallel(db1=99.9%, db2=99.9%), kofn(2, 0.99, 0.99, 0.99), unit(50000h, 15m))"
MAX_DEPTH = 100  # far beyond any real structure, well within Python's recursion limit
FUNCTIONS = ("series", "parallel", "kofn", "unit")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


class ExpressionError(InputError):
    """A malformed expression; ``detail`` shows it with a caret under the bad position."""


@dataclass(frozen=True)
class Part:
    """One node of the structure: a leaf (no children) or a combination of children."""

    kind: str  # "leaf", "unit", "series", "parallel" or "kofn"
    text: str
    label: str | None
    children: tuple["Part", ...] = ()
    unavailability: Fraction = Fraction(0)  # leaves only
    needed: int = 0  # kofn only


@dataclass(frozen=True)
class PartImportance:
    name: str
    text: str
    unavailability: Fraction
    improvement_if_perfect: Fraction  # system unavailability removed if this part never failed
    single_point_of_failure: bool  # this part down brings the system down even if all else is up


def parse_expression(expression: str) -> Part:
    """The structure in ``expression``; malformed input raises ``ExpressionError`` pointing at the position."""
    parser = _Parser(expression)
    part = parser.item()
    parser.skip_space()
    if parser.position != len(expression):
        parser.fail("unexpected text after the expression")
    return part


def unavailability(part: Part, overrides: dict[int, Fraction] | None = None) -> Fraction:
    """System unavailability, exact; ``overrides`` maps ``id(leaf)`` to a forced unavailability (0 up, 1 down)."""
    overrides = overrides or {}
    if id(part) in overrides:
        return overrides[id(part)]
    if not part.children:
        return part.unavailability
    child_u = [unavailability(child, overrides) for child in part.children]
    if part.kind == "series":
        up = Fraction(1)
        for u in child_u:
            up *= 1 - u
        return 1 - up
    if part.kind == "parallel":
        down = Fraction(1)
        for u in child_u:
            down *= u
        return down
    return _fewer_than_k_up(part.needed, child_u)


def leaves(part: Part) -> list[Part]:
    return [part] if not part.children else [leaf for child in part.children for leaf in leaves(child)]


def importance(root: Part) -> list[PartImportance]:
    """For each leaf and each labelled group: how much system unavailability it accounts for, most first."""
    system = unavailability(root)
    everything_up = {id(leaf): Fraction(0) for leaf in leaves(root)}
    ranked = []
    for name, part in _named_parts(root):
        without = unavailability(root, {id(part): Fraction(0)})
        alone_down = unavailability(root, {**everything_up, id(part): Fraction(1)})
        ranked.append(PartImportance(name, part.text, unavailability(part), system - without, alone_down == 1))
    return sorted(ranked, key=lambda item: item.improvement_if_perfect, reverse=True)


def _named_parts(root: Part) -> list[tuple[str, Part]]:
    """Leaves (by label, or ``#n text`` in reading order) and labelled groups below the root."""
    named: list[tuple[str, Part]] = []
    leaf_count = 0

    def visit(part: Part) -> None:
        nonlocal leaf_count
        if not part.children:
            leaf_count += 1
            named.append((part.label or f"#{leaf_count} {part.text}", part))
            return
        if part.label and part is not root:
            named.append((part.label, part))
        for child in part.children:
            visit(child)

    visit(root)
    return named


def _fewer_than_k_up(needed: int, child_u: list[Fraction]) -> Fraction:
    """P(fewer than ``needed`` children up), summed directly (Poisson-binomial DP) so it never cancels."""
    up_count = [Fraction(1)]
    for u in child_u:
        shifted = [Fraction(0)] + [p * (1 - u) for p in up_count]
        up_count = [p * u for p in up_count] + [Fraction(0)]
        up_count = [a + b for a, b in zip(up_count, shifted)]
    return sum(up_count[:needed], Fraction(0))


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.depth = 0

    def fail(self, what: str, position: int | None = None) -> None:
        column = self.position if position is None else position
        raise ExpressionError(
            f"{what} at column {column + 1}", "EXPR", GRAMMAR_HINT, detail=f"  {self.text}\n  {' ' * column}^"
        )

    def skip_space(self) -> None:
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.position : self.position + 1]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            self.fail(f"expected '{char}'")
        self.position += 1

    def item(self) -> Part:
        """``[label =] (function call | leaf)``"""
        label = self.label()
        self.skip_space()
        match = _NAME.match(self.text, self.position)
        if match and self.text[match.end() :].lstrip().startswith("("):
            if match.group() not in FUNCTIONS:
                self.fail(f"unknown function '{match.group()}' (use {', '.join(FUNCTIONS)})")
            return self.call(match.group(), label)
        return self.leaf(label)

    def label(self) -> str | None:
        self.skip_space()
        match = _NAME.match(self.text, self.position)
        if not match or match.group() in FUNCTIONS:
            return None
        rest = self.text[match.end() :]
        if not rest.lstrip().startswith("="):
            return None
        self.position = match.end() + len(rest) - len(rest.lstrip()) + 1
        return match.group()

    def call(self, name: str, label: str | None) -> Part:
        start = self.position
        if self.depth >= MAX_DEPTH:
            self.fail(f"groups nested more than {MAX_DEPTH} deep")
        self.position = self.text.index("(", self.position) + 1
        if name == "unit":
            mttf, mttf_at = self.raw_argument()
            self.expect(",")
            mttr, mttr_at = self.raw_argument()
            self.expect(")")
            mttf_seconds = self.convert(lambda: parse_duration(mttf, default_unit="h", allow_zero=False), mttf_at)
            mttr_seconds = self.convert(lambda: parse_duration(mttr, default_unit="h"), mttr_at)
            text = self.text[start : self.position].strip()
            return Part("unit", text, label, unavailability=mttr_seconds / (mttf_seconds + mttr_seconds))
        needed = 0
        if name == "kofn":
            raw, at = self.raw_argument()
            if not raw.isdigit() or int(raw) < 1:
                self.fail("kofn needs a whole number K of at least 1 first", at)
            needed = int(raw)
            self.expect(",")
        self.depth += 1
        children = [self.item()]
        while self.peek() == ",":
            self.position += 1
            children.append(self.item())
        self.expect(")")
        self.depth -= 1
        if name == "kofn" and needed > len(children):
            self.fail(f"kofn needs {needed} parts up but has only {len(children)}", start)
        return Part(name, self.text[start : self.position].strip(), label, tuple(children), needed=needed)

    def raw_argument(self) -> tuple[str, int]:
        self.skip_space()
        start = self.position
        while self.position < len(self.text) and self.text[self.position] not in ",()":
            self.position += 1
        raw = self.text[start : self.position].strip()
        if not raw:
            self.fail("expected a value", start)
        return raw, start

    def leaf(self, label: str | None) -> Part:
        raw, at = self.raw_argument()
        if self.peek() == "(":
            self.fail("unexpected '('")
        value = self.convert(lambda: parse_availability(raw), at)
        return Part("leaf", raw, label, unavailability=1 - value)

    def convert(self, parse, at: int):
        try:
            return parse()
        except ExpressionError:
            raise
        except InputError as error:
            self.fail(error.what, at)
