"""Availability of a structure of independent parts: ``series``, ``parallel``, ``kofn`` and ``unit`` leaves.

The expression is read by a small recursive-descent parser (never ``eval``). Every node carries both its
unavailability U and its availability A, each computed without subtracting nearly equal numbers, so both
keep their relative precision: series A = ∏A and parallel U = ∏U; series U = 1 − ∏A and parallel A = 1 − ∏U
from the sum of the logarithms; k-of-n adds up the probabilities of the counts that fail (or succeed).

Small structures are computed in exact fractions (ten 99.9 % parts in parallel are exactly 1e-30
unavailable). Larger ones use binary floating point with an unbounded exponent (``Scaled``), correct to
about 1e-13 relative and never rounded to zero (1,000 parallel 1e-6 parts are 1e-6000 unavailable).
The system U is multilinear in each part's U, so what a part costs the system comes from one top-down
pass of derivatives instead of one re-evaluation per part.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

from hacalc.core.errors import InputError
from hacalc.core.units import parse_availability, parse_duration
from hacalc.i18n import N_, _

GRAMMAR_HINT = N_("write e.g. series(99.9%, parallel(db1=99.9%, db2=99.9%), kofn(2, 0.99, 0.99, 0.99), unit(50000h, 15m))")
MAX_DEPTH = 100  # far beyond any real structure, well within Python's recursion limit
MAX_EXPRESSION_CHARACTERS = 200_000  # more than one command-line argument holds (128 KiB): some 20,000 parts
MAX_KOFN_PARTS = 10_000  # parts in all kofn groups together; with MAX_KOFN_STATES, a second or two at most
MAX_KOFN_STATES = 2_000_000  # parts × counts tracked over all kofn groups: kofn(1000, <2,000 parts>) at most
FUNCTIONS = ("series", "parallel", "kofn", "unit")
MAX_NAME_CHARACTERS = 100
EXACT_BITS = 4096  # leaves whose fractions hold more bits in all are computed in Scaled floating point
EXACT_KOFN_STATES = 1024  # the same for kofn work, which costs parts × counts fraction operations

_NAME = r"[A-Za-z_][A-Za-z0-9_.-]*"
_LABEL = re.compile(rf"({_NAME})\s*=")
_CALL = re.compile(rf"({_NAME})\s*\(")
_SPACE = re.compile(r"\s*")
_ARGUMENT = re.compile(r"[^,()]*")
_WHOLE_NUMBER = re.compile(r"[0-9]+")
_DETAIL_WIDTH = 70  # characters of the expression shown around the caret


class ExpressionError(InputError):
    """A malformed expression; ``detail`` shows it with a caret under the bad position."""


@dataclass(frozen=True, eq=False)
class Part:
    """One node of the structure: a leaf (no children) or a combination of children."""

    kind: str  # "leaf", "unit", "series", "parallel" or "kofn"
    source: str = field(repr=False)  # the whole expression; ``text`` is this part of it
    span: tuple[int, int]
    label: str | None
    children: tuple["Part", ...] = ()
    unavailability: Fraction = Fraction(0)  # leaves only
    needed: int = 0  # kofn only
    mean_times: tuple[Fraction, Fraction] | None = None  # unit(MTTF, MTTR) leaves: both in seconds

    @property
    def text(self) -> str:
        start, end = self.span
        return self.source[start:end].strip()


class PartImportance(NamedTuple):
    name: str
    text: str
    unavailability: Fraction
    availability: Fraction  # 1 − unavailability
    improvement_if_perfect: Fraction  # system unavailability removed if this part alone never failed
    share_removed_if_perfect: Fraction  # improvement_if_perfect / system unavailability, in [0, 1]; 0 if U is 0
    single_point_of_failure: bool  # it can fail, and down alone it brings the system down


@dataclass(frozen=True)
class Composition:
    unavailability: Fraction  # of the system
    parts: tuple[PartImportance, ...]  # leaves and named groups, largest improvement first
    exact: bool  # False: computed in Scaled floating point, to about 1e-13 relative


def parse_expression(expression: str) -> Part:
    """The structure in ``expression``; malformed input raises ``ExpressionError`` pointing at the position."""
    if len(expression) > MAX_EXPRESSION_CHARACTERS:
        raise ExpressionError(
            _("expression of {count:,} characters is too long").format(count=len(expression)), "EXPR", _("write at most {most:,}").format(most=MAX_EXPRESSION_CHARACTERS)
        )
    parser = _Parser(expression)
    part = parser.item()
    parser.skip_space()
    if parser.position != len(expression):
        parser.fail(_("unexpected text after the expression"))
    return part


def analyse(root: Part, *, exact: bool | None = None) -> Composition:
    """System unavailability and what each part costs it; ``exact`` forces (or forbids) exact fractions."""
    use_exact = _cheap_to_compute_exactly(root) if exact is None else exact
    return _Evaluation(root, _EXACT if use_exact else _SCALED).composition()


def unavailability(part: Part) -> Fraction:
    """System unavailability, exact for small structures and to about 1e-13 relative otherwise."""
    return analyse(part).unavailability


def importance(root: Part) -> list[PartImportance]:
    """For each leaf and each labelled group: how much system unavailability it accounts for, most first."""
    return list(analyse(root).parts)


def is_up(part: Part, up: Callable[[Part], bool]) -> bool:
    """Whether the structure works when each leaf works as ``up`` says: the structure function."""
    if not part.children:
        return up(part)
    working = sum(1 for child in part.children if is_up(child, up))
    needed = {"series": len(part.children), "parallel": 1}.get(part.kind, part.needed)
    return working >= needed


def working(part: Part, down: Any, columns: dict[int, int]) -> Any:
    """``is_up`` for many cases at once: ``down`` is a (cases × leaves) boolean array whose columns
    ``columns`` maps from each leaf's id; the answer is one boolean per case."""
    if not part.children:
        return ~down[:, columns[id(part)]]
    counts = sum(working(child, down, columns).astype(int) for child in part.children)
    needed = {"series": len(part.children), "parallel": 1}.get(part.kind, part.needed)
    return counts >= needed


def leaves(part: Part) -> list[Part]:
    found, stack = [], [part]
    while stack:
        node = stack.pop()
        if node.children:
            stack.extend(reversed(node.children))
        else:
            found.append(node)
    return found


def _named_parts(root: Part) -> list[tuple[str, str, Part]]:
    """(name, text, part) for the leaves (named by label, or ``#n text`` in reading order) and the labelled groups below the root."""
    named: list[tuple[str, str, Part]] = []
    leaf_count = 0
    stack = [root]
    while stack:
        part = stack.pop()
        if not part.children:
            leaf_count += 1
            text = part.text
            named.append((part.label or f"#{leaf_count} {text}", text, part))
            continue
        if part.label and part is not root:
            named.append((part.label, part.text, part))
        stack.extend(reversed(part.children))
    return named


def _kofn_counting(needed: int, size: int) -> tuple[bool, int]:
    """Count the parts up (below ``needed``) or the parts down (up to ``size - needed``), whichever is fewer.

    Returns (counting the parts up, how many counts are tracked).
    """
    tolerated_down = size - needed
    return (True, needed) if needed <= tolerated_down + 1 else (False, tolerated_down + 1)


def _cheap_to_compute_exactly(root: Part) -> bool:
    bits = sum(leaf.unavailability.numerator.bit_length() + leaf.unavailability.denominator.bit_length() for leaf in leaves(root))
    return bits <= EXACT_BITS and _kofn_states(root) <= EXACT_KOFN_STATES


def _kofn_states(root: Part) -> int:
    states, stack = 0, [root]
    while stack:
        part = stack.pop()
        if part.kind == "kofn":
            states += len(part.children) * _kofn_counting(part.needed, len(part.children))[1]
        stack.extend(part.children)
    return states


# --- Numbers ----------------------------------------------------------------------------------------------

_NO_EXPONENT = -(1 << 50)  # the exponent of zero: below any real one, so zero orders first
_LN2 = math.log(2)
_NEGLIGIBLE_SHIFT = -1100  # a term this many binary places below another changes no bit of their sum


class Scaled:
    """A non-negative number ``mantissa · 2**exponent``, mantissa in [0.5, 1) or 0: a double that never underflows."""

    __slots__ = ("mantissa", "exponent")

    def __init__(self, value: float, exponent: int = 0) -> None:
        mantissa, shift = math.frexp(value)
        self.mantissa = mantissa
        self.exponent = exponent + shift if mantissa else _NO_EXPONENT

    @classmethod
    def of(cls, value: Fraction) -> "Scaled":
        """The nearest Scaled to an exact fraction (one rounding, however small the fraction)."""
        numerator, denominator = value.numerator, value.denominator
        if not numerator:
            return ZERO
        shift = numerator.bit_length() - denominator.bit_length()
        quotient = numerator / (denominator << shift) if shift >= 0 else (numerator << -shift) / denominator
        return cls(quotient, shift)

    def fraction(self) -> Fraction:
        """The exact value."""
        if not self.mantissa:
            return Fraction(0)
        digits, power = int(math.ldexp(self.mantissa, 53)), self.exponent - 53
        return Fraction(digits << power) if power >= 0 else Fraction(digits, 1 << -power)

    def __float__(self) -> float:
        if self.exponent < _NEGLIGIBLE_SHIFT:
            return 0.0
        return math.ldexp(self.mantissa, self.exponent) if self.exponent <= 1024 else math.inf

    def __bool__(self) -> bool:
        return self.mantissa != 0

    def __mul__(self, other: "Scaled") -> "Scaled":
        mantissa = self.mantissa * other.mantissa  # in [0.25, 1), or 0
        if mantissa >= 0.5:
            return _normal(mantissa, self.exponent + other.exponent)
        return _normal(mantissa * 2, self.exponent + other.exponent - 1) if mantissa else ZERO

    def __truediv__(self, other: "Scaled") -> "Scaled":
        mantissa = self.mantissa / other.mantissa  # in (0.5, 2), or 0
        if mantissa < 1:
            return _normal(mantissa, self.exponent - other.exponent) if mantissa else ZERO
        return _normal(mantissa / 2, self.exponent - other.exponent + 1)

    def __add__(self, other: "Scaled") -> "Scaled":
        high, low = (self, other) if self.exponent >= other.exponent else (other, self)
        if not low.mantissa:
            return high
        return Scaled(high.mantissa + math.ldexp(low.mantissa, max(low.exponent - high.exponent, _NEGLIGIBLE_SHIFT)), high.exponent)

    def key(self) -> tuple[int, float]:
        """Orders Scaled numbers by value."""
        return self.exponent, self.mantissa

    def log(self) -> float:
        return math.log(self.mantissa) + self.exponent * _LN2

    def __repr__(self) -> str:
        return f"Scaled({self.mantissa!r}, {self.exponent})"


def _normal(mantissa: float, exponent: int) -> Scaled:
    """A Scaled from a mantissa already in [0.5, 1), without frexp (products and quotients are hot)."""
    number = object.__new__(Scaled)
    number.mantissa, number.exponent = mantissa, exponent
    return number


ZERO = Scaled(0.0)
ONE = Scaled(1.0)


class _ExactNumbers:
    """Fractions: exact, for structures small enough that their numerators stay short."""

    exact = True
    zero, one = Fraction(0), Fraction(1)

    @staticmethod
    def of(value: Fraction) -> Fraction:
        return value

    @staticmethod
    def product(values: Sequence[Fraction], exact_factors: Sequence[Fraction] = ()) -> Fraction:
        return math.prod(values, start=math.prod(exact_factors, start=Fraction(1)))

    @staticmethod
    def one_minus_product(values: Sequence[Fraction], complements: Sequence[Fraction]) -> Fraction:
        return 1 - math.prod(values, start=Fraction(1))

    @staticmethod
    def total(values: Sequence[Fraction]) -> Fraction:
        return sum(values, Fraction(0))

    @staticmethod
    def fraction(value: Fraction) -> Fraction:
        return value

    @staticmethod
    def key(value: Fraction) -> Fraction:
        return value

    @staticmethod
    def unavailability_fraction(down: Fraction, up: Fraction) -> Fraction:
        return down

    @staticmethod
    def k_of_n(needed: int, ups: Sequence[Fraction], downs: Sequence[Fraction]) -> tuple[Fraction, Fraction, list[Fraction]]:
        return _k_of_n(_CountList.starting(_EXACT), needed, ups, downs)


class _ScaledNumbers:
    """Scaled floating point: every operation rounds once, relative to its own result."""

    exact = False
    zero, one = ZERO, ONE
    of = staticmethod(Scaled.of)
    VECTOR_STATES = 2048  # kofn groups tracking more parts × counts than this, and
    VECTOR_COUNTS = 16  # at least this many counts, use numpy (fewer are quicker in lists)

    @staticmethod
    def product(values: Sequence[Scaled], exact_factors: Sequence[Fraction] = ()) -> Scaled:
        """Multiplied in pairs, so n factors round about log2(n) times in a row, not n.

        ``exact_factors`` (the leaves) are multiplied first in 128-bit integers: rounded to doubles one by one,
        a thousand equal leaves would all round the same way and put a thousand roundings in the product.
        """
        values = [*values, _wide_product(exact_factors)] if exact_factors else list(values) or [ONE]
        while len(values) > 1:
            paired = [a * b for a, b in zip(values[::2], values[1::2])]
            values = paired + values[-1:] if len(values) % 2 else paired
        return values[0]

    @staticmethod
    def one_minus_product(values: Sequence[Scaled], complements: Sequence[Scaled]) -> Scaled:
        """``1 − ∏ values`` as ``1 − exp(−Σ −log value)``; ``complements[i]`` is ``1 − values[i]``."""
        logs, tiny = [], []  # −log(value) >= 0, from whichever of value and 1 − value is exact enough
        for value, complement in zip(values, complements):
            if not value:
                return ONE
            if complement.exponent >= 0:  # value <= 1/2: its logarithm is far from 0
                logs.append(-value.log())
            elif complement.exponent > -1000:
                logs.append(-math.log1p(-float(complement)))
            else:  # −log(1 − c) = c(1 + c/2 + …) = c to far below a double's precision
                tiny.append(complement)
        exponent_sum = Scaled(math.fsum(logs))
        if tiny:
            exponent_sum = _ScaledNumbers.total([exponent_sum, *tiny])
        if exponent_sum.exponent < -1000:  # 1 − e^−t = t(1 − t/2 + …) = t to far below a double's precision
            return exponent_sum
        return Scaled(-math.expm1(-float(exponent_sum)))

    @staticmethod
    def total(values: Sequence[Scaled]) -> Scaled:
        """The sum, rounded once (math.fsum of the terms aligned to the largest)."""
        present = [value for value in values if value]
        if not present:
            return ZERO
        top = max(value.exponent for value in present)
        aligned = (math.ldexp(value.mantissa, max(value.exponent - top, _NEGLIGIBLE_SHIFT)) for value in present)
        return Scaled(math.fsum(aligned), top)

    fraction = staticmethod(Scaled.fraction)
    key = staticmethod(Scaled.key)

    @staticmethod
    def unavailability_fraction(down: Scaled, up: Scaled) -> Fraction:
        """U as an exact fraction from whichever of U and A is smaller, so the small one keeps its digits."""
        if down.exponent < 0:
            return min(down.fraction(), Fraction(1))
        return max(1 - up.fraction(), Fraction(0))

    @staticmethod
    def k_of_n(needed: int, ups: Sequence[Scaled], downs: Sequence[Scaled]) -> tuple[Scaled, Scaled, list[Scaled]]:
        limit = _kofn_counting(needed, len(ups))[1]
        large = len(ups) * limit > _ScaledNumbers.VECTOR_STATES and limit >= _ScaledNumbers.VECTOR_COUNTS
        return _k_of_n(_CountVector.starting if large else _CountList.starting(_SCALED), needed, ups, downs)


_EXACT = _ExactNumbers()
_SCALED = _ScaledNumbers()
_WIDE_BITS = 128


def _wide_product(values: Sequence[Fraction]) -> Scaled:
    """∏ values, each truncated to a 128-bit mantissa and the product kept to 128 bits, then rounded once."""
    mantissa, exponent = 1, 0
    for value in values:
        if not value:
            return ZERO
        shift = _WIDE_BITS - value.numerator.bit_length() + value.denominator.bit_length()
        if shift >= 0:
            mantissa *= (value.numerator << shift) // value.denominator
        else:
            mantissa *= value.numerator // (value.denominator << -shift)
        exponent -= shift
        excess = mantissa.bit_length() - _WIDE_BITS
        if excess > 0:
            mantissa >>= excess
            exponent += excess
    return Scaled(float(mantissa), exponent)


# --- k of n ---------------------------------------------------------------------------------------------
# A kofn group counts either the parts up (tracking counts 0 … K−1) or the parts down (0 … N−K), whichever is
# shorter. "Hits" are what is counted, ups or downs; a count that reaches the limit leaves the tracked range
# and is added up on its own, so U and A are both sums of positive terms.


def _k_of_n(starting: Callable[[int], Any], needed: int, ups: Sequence[Any], downs: Sequence[Any]) -> tuple[Any, Any, list[Any]]:
    """U, A and, for each part i, ∂U/∂U_i = P(exactly K − 1 of the others up), from prefix and suffix counts.

    Every prefix is kept: MAX_KOFN_STATES bounds them to a few tens of MB.
    """
    counting_up, limit = _kofn_counting(needed, len(ups))
    hits, misses = (ups, downs) if counting_up else (downs, ups)
    prefixes, overflow = [starting(limit)], []
    for hit, miss in zip(hits, misses):
        overflow.append(prefixes[-1].last() * hit)
        prefixes.append(prefixes[-1].after(hit, miss))
    counts = prefixes.pop()
    below, reached = counts.total(), counts.total_of(overflow)
    slopes: list[Any] = [None] * len(hits)
    suffix = starting(limit)
    for index in reversed(range(len(hits))):
        slopes[index] = prefixes[index].meeting(suffix)
        suffix = suffix.after(hits[index], misses[index])
    return (below, reached, slopes) if counting_up else (reached, below, slopes)


class _CountList:
    """P(j hits so far) for j below the limit, as a list of Fractions or Scaled numbers."""

    def __init__(self, numbers: Any, values: list[Any]) -> None:
        self.numbers, self.values = numbers, values

    @staticmethod
    def starting(numbers: Any) -> Callable[[int], "_CountList"]:
        return lambda limit: _CountList(numbers, [numbers.one] + [numbers.zero] * (limit - 1))

    def after(self, hit: Any, miss: Any) -> "_CountList":
        """P'(j) = P(j)·miss + P(j − 1)·hit."""
        values = self.values
        return _CountList(self.numbers, [values[0] * miss] + [values[j] * miss + values[j - 1] * hit for j in range(1, len(values))])

    def last(self) -> Any:
        return self.values[-1]

    def total(self) -> Any:
        return self.numbers.total(self.values)

    def total_of(self, values: list[Any]) -> Any:
        return self.numbers.total(values)

    def meeting(self, suffix: "_CountList") -> Any:
        """Σ_j P(j hits here) · P(limit − 1 − j hits in ``suffix``): exactly limit − 1 hits in both together."""
        return self.numbers.total([a * b for a, b in zip(self.values, reversed(suffix.values))])


class _CountVector:
    """The same as numpy arrays of Scaled mantissas and exponents: for large groups."""

    def __init__(self, mantissas: Any, exponents: Any) -> None:
        self.mantissas, self.exponents = mantissas, exponents

    @staticmethod
    def starting(limit: int) -> "_CountVector":
        import numpy as np

        mantissas, exponents = np.zeros(limit), np.full(limit, _NO_EXPONENT, dtype=np.int64)
        mantissas[0], exponents[0] = ONE.mantissa, ONE.exponent
        return _CountVector(mantissas, exponents)

    def after(self, hit: Scaled, miss: Scaled) -> "_CountVector":
        import numpy as np

        mantissas, exponents = self.mantissas * miss.mantissa, self.exponents + miss.exponent
        moved_m, moved_e = self.mantissas[:-1] * hit.mantissa, self.exponents[:-1] + hit.exponent
        top = np.maximum(exponents[1:], moved_e)
        mantissas[1:] = _aligned(np, mantissas[1:], exponents[1:], top) + _aligned(np, moved_m, moved_e, top)
        exponents[1:] = top
        mantissas, shifts = np.frexp(mantissas)
        exponents += shifts
        np.maximum(exponents, _NO_EXPONENT, out=exponents)  # zeros stay zeros, however many perfect parts follow
        return _CountVector(mantissas, exponents)

    def last(self) -> Scaled:
        mantissa = float(self.mantissas[-1])
        return Scaled(mantissa, int(self.exponents[-1])) if mantissa else ZERO

    def total(self) -> Scaled:
        return _vector_total(self.mantissas, self.exponents)

    def total_of(self, values: list[Scaled]) -> Scaled:
        return _SCALED.total(values)

    def meeting(self, suffix: "_CountVector") -> Scaled:
        """Σ_j P(j hits here) · P(limit − 1 − j hits in ``suffix``): exactly limit − 1 hits in both together."""
        return _vector_total(self.mantissas * suffix.mantissas[::-1], self.exponents + suffix.exponents[::-1])


def _aligned(np: Any, mantissas: Any, exponents: Any, top: Any) -> Any:
    return np.ldexp(mantissas, np.maximum(exponents - top, _NEGLIGIBLE_SHIFT).astype(np.int32))


def _vector_total(mantissas: Any, exponents: Any) -> Scaled:
    import numpy as np

    top = int(exponents.max())
    if top < _NO_EXPONENT // 2:
        return ZERO
    return Scaled(float(np.sum(_aligned(np, mantissas, exponents, top))), top)


# --- Evaluation ---------------------------------------------------------------------------------------------


class _Evaluation:
    """U and A of every node bottom-up, then ∂U_system/∂U_node top-down."""

    def __init__(self, root: Part, numbers: Any) -> None:
        self.root, self.numbers = root, numbers
        self.down: dict[int, Any] = {}
        self.up: dict[int, Any] = {}
        self.kofn_slopes: dict[int, list[Any]] = {}  # ∂U/∂U_child, computed along with U
        self.leaf_values: dict[int, tuple[Any, Any]] = {}  # by id: the parser shares one Fraction among equal leaves
        self.leaf_fractions: dict[int, tuple[Fraction, Fraction]] = {}
        self.visit(root)

    def visit(self, part: Part) -> tuple[Any, Any]:
        numbers = self.numbers
        if not part.children:
            values = self.leaf_values.get(id(part.unavailability))
            if values is None:
                down, up = self.leaf_fraction(part)
                values = self.leaf_values[id(part.unavailability)] = numbers.of(down), numbers.of(up)
        else:
            child_values = [self.visit(child) for child in part.children]
            downs, ups = [down for down, _ in child_values], [up for _, up in child_values]
            if part.kind == "series":
                values = numbers.one_minus_product(ups, downs), self.product(part, ups, 1)
            elif part.kind == "parallel":
                values = self.product(part, downs, 0), numbers.one_minus_product(downs, ups)
            else:
                down, up, self.kofn_slopes[id(part)] = numbers.k_of_n(part.needed, ups, downs)
                values = down, up
        self.down[id(part)], self.up[id(part)] = values
        return values

    def leaf_fraction(self, leaf: Part) -> tuple[Fraction, Fraction]:
        """(U, A) of a leaf, exact."""
        fractions = self.leaf_fractions.get(id(leaf.unavailability))
        if fractions is None:
            fractions = self.leaf_fractions[id(leaf.unavailability)] = leaf.unavailability, 1 - leaf.unavailability
        return fractions

    def product(self, part: Part, values: list[Any], which: int) -> Any:
        """∏ of the children's U (``which`` 0) or A (1), the leaves' taken from their exact fractions."""
        groups = [value for child, value in zip(part.children, values) if child.children]
        leaves = [self.leaf_fraction(child)[which] for child in part.children if not child.children]
        return self.numbers.product(groups, leaves)

    def improvements(self) -> tuple[dict[int, Any], set[int]]:
        """U_system − U_system(node perfect) for every node, and the nodes whose failure alone fails the system.

        U_system is linear in each node's U, so the improvement is slope × U, the slope being the product of
        ∂U_parent/∂U_child down the path. A parallel child's improvement is its parent's exactly (slope·U_child
        is the parent's slope times ∏U), taken as such so that equal numbers come out equal.
        """
        slope = {id(self.root): self.numbers.one}
        improvement = {id(self.root): self.down[id(self.root)]}
        alone_fatal = {id(self.root)}
        stack = [self.root]
        while stack:
            part = stack.pop()
            if not part.children:
                continue
            fatal_here = id(part) in alone_fatal and _one_down_fails(part)
            for child, local in zip(part.children, self.local_slopes(part)):
                slope[id(child)] = slope[id(part)] * local
                if part.kind == "parallel":
                    improvement[id(child)] = improvement[id(part)]
                else:
                    improvement[id(child)] = slope[id(child)] * self.down[id(child)]
                if fatal_here:
                    alone_fatal.add(id(child))
                stack.append(child)
        return improvement, alone_fatal

    def local_slopes(self, part: Part) -> list[Any]:
        """∂U_part/∂U_child for each child (U_part is linear in each child's U)."""
        downs = [self.down[id(child)] for child in part.children]
        ups = [self.up[id(child)] for child in part.children]
        if part.kind == "series":  # U = 1 − ∏A: slope ∏ of the other A
            return _products_of_others(self.numbers, ups, self.up[id(part)])
        if part.kind == "parallel":  # U = ∏U: slope ∏ of the other U
            return _products_of_others(self.numbers, downs, self.down[id(part)])
        return self.kofn_slopes[id(part)]

    def composition(self) -> Composition:
        numbers = self.numbers
        system_down = self.down[id(self.root)]
        improvements, alone_fatal = self.improvements()
        exact_values: dict[Any, Fraction] = {}  # by key: equal numbers are converted once

        def fraction(value: Any) -> Fraction:
            key = numbers.key(value)
            if key not in exact_values:
                exact_values[key] = numbers.fraction(value)
            return exact_values[key]

        ranked = []
        system_key = numbers.key(system_down)
        for name, text, part in _named_parts(self.root):
            down, up, improvement = self.down[id(part)], self.up[id(part)], improvements[id(part)]
            key = numbers.key(improvement)
            if key > system_key:  # rounding only: no part removes more than all downtime
                improvement, key = system_down, system_key
            share = improvement / system_down if system_down else numbers.zero  # <= 1: a correctly rounded a/b, a <= b
            if part.children:
                own_down = numbers.unavailability_fraction(down, up)
                own_up = 1 - own_down
            else:
                own_down, own_up = self.leaf_fraction(part)
            spof = bool(down) and id(part) in alone_fatal
            ranked.append((key, PartImportance(name, text, own_down, own_up, fraction(improvement), fraction(share), spof)))
        ranked.sort(key=lambda item: item[0], reverse=True)
        system = numbers.unavailability_fraction(system_down, self.up[id(self.root)])
        return Composition(system, tuple(part for _, part in ranked), numbers.exact)


def _one_down_fails(part: Part) -> bool:
    """Whether any one child down, all its siblings up, brings ``part`` down."""
    if part.kind == "series":
        return True
    if part.kind == "parallel":
        return len(part.children) == 1
    return part.needed == len(part.children)


def _products_of_others(numbers: Any, values: list[Any], product: Any) -> list[Any]:
    """For each i the product of all values but the i-th, by division (one rounding), zeros aside."""
    zeros = [index for index, value in enumerate(values) if not value]
    if not zeros:
        return [product / value for value in values]
    others = [numbers.zero] * len(values)
    if len(zeros) == 1:
        others[zeros[0]] = numbers.product(values[: zeros[0]] + values[zeros[0] + 1 :])
    return others


# --- Parsing ------------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.depth = 0
        self.labels: dict[str, int] = {}
        self.kofn_parts = 0
        self.kofn_states = 0
        self.leaf_unavailabilities: dict[str, Fraction] = {}  # equal leaf texts share one value

    def fail(self, what: str, position: int | None = None, fix: str | None = None) -> None:
        column = self.position if position is None else position
        raise ExpressionError(_("{what} at column {column}").format(what=what, column=column + 1), "EXPR", _(GRAMMAR_HINT) if fix is None else fix,
                              detail=_caret(self.text, column))

    def skip_space(self) -> None:
        self.position = _SPACE.match(self.text, self.position).end()

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.position : self.position + 1]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            self.fail(_("expected '{char}'").format(char=char))
        self.position += 1

    def item(self) -> Part:
        """``[label =] (function call | leaf)``"""
        label = self.label()
        self.skip_space()
        call = _CALL.match(self.text, self.position)
        if call:
            if call.group(1) not in FUNCTIONS:
                self.fail(_("unknown function '{name}' (use {functions})").format(name=_shortened(call.group(1)), functions=", ".join(FUNCTIONS)))
            start, self.position = self.position, call.end()
            return self.call(call.group(1), label, start)
        return self.leaf(label)

    def label(self) -> str | None:
        self.skip_space()
        match = _LABEL.match(self.text, self.position)
        if not match or match.group(1) in FUNCTIONS:
            return None
        name = match.group(1)
        if len(name) > MAX_NAME_CHARACTERS:
            self.fail(_("part name of {count:,} characters is too long").format(count=len(name)), fix=_("name parts in at most {most} characters").format(most=MAX_NAME_CHARACTERS))
        if name in self.labels:
            self.fail(_("part name '{name}' is used twice (first at column {column})").format(name=name, column=self.labels[name] + 1), fix=_("give every part its own name"))
        self.labels[name] = self.position
        self.position = match.end()
        return name

    def call(self, name: str, label: str | None, start: int) -> Part:
        if self.depth >= MAX_DEPTH:
            self.fail(_("groups nested more than {most} deep").format(most=MAX_DEPTH), start)
        if name == "unit":
            return self.unit(label, start)
        needed = self.needed() if name == "kofn" else 0
        self.depth += 1
        children = [self.item()]
        while self.peek() == ",":
            self.position += 1
            children.append(self.item())
        self.expect(")")
        self.depth -= 1
        if name == "kofn":
            self.check_kofn(needed, len(children), start)
        return Part(name, self.text, (start, self.position), label, tuple(children), needed=needed or 0)

    def unit(self, label: str | None, start: int) -> Part:
        mttf, mttf_at = self.raw_argument()
        self.expect(",")
        mttr, mttr_at = self.raw_argument()
        self.expect(")")
        mttf_seconds = self.convert(lambda: parse_duration(mttf, default_unit="h", allow_zero=False), mttf_at)
        mttr_seconds = self.convert(lambda: parse_duration(mttr, default_unit="h"), mttr_at)
        down = mttr_seconds / (mttf_seconds + mttr_seconds)
        return Part("unit", self.text, (start, self.position), label, unavailability=down, mean_times=(mttf_seconds, mttr_seconds))

    def needed(self) -> int | None:
        """K of ``kofn(K, …)``; None when it has more digits than any expression has parts."""
        raw, at = self.raw_argument()
        if not _WHOLE_NUMBER.fullmatch(raw) or not raw.strip("0"):
            self.fail(_("kofn needs a whole number K of at least 1 first"), at)
        self.expect(",")
        digits = raw.lstrip("0")
        return int(digits) if len(digits) <= 9 else None

    def check_kofn(self, needed: int | None, size: int, start: int) -> None:
        if needed is None or needed > size:
            wanted = _("kofn needs more parts up but has only {size}") if needed is None else _("kofn needs {needed} parts up but has only {size}")
            self.fail(wanted.format(needed=needed, size=size), start)
        self.kofn_parts += size
        self.kofn_states += size * _kofn_counting(needed, size)[1]
        too_much = ""
        if self.kofn_parts > MAX_KOFN_PARTS:
            too_much = _("kofn groups hold {parts:,} parts in all, more than {most:,}").format(parts=self.kofn_parts, most=MAX_KOFN_PARTS)
        elif self.kofn_states > MAX_KOFN_STATES:
            too_much = _("kofn groups track {states:,} part × count states, more than {most:,}").format(states=self.kofn_states, most=MAX_KOFN_STATES)
        if too_much:
            self.fail(too_much, start, fix=_("use fewer or smaller kofn groups"))

    def raw_argument(self) -> tuple[str, int]:
        self.skip_space()
        start = self.position
        self.position = _ARGUMENT.match(self.text, start).end()
        raw = self.text[start : self.position].strip()
        if not raw:
            self.fail(_("expected a value"), start)
        return raw, start

    def leaf(self, label: str | None) -> Part:
        raw, at = self.raw_argument()
        if self.peek() == "(":
            self.fail(_("unexpected '('"))
        down = self.leaf_unavailabilities.get(raw)
        if down is None:
            value = self.convert(lambda: parse_availability(raw), at)
            if not 0 <= value <= 1:
                self.fail(_("availability {raw!r} is outside 0-100%").format(raw=raw), at)
            down = self.leaf_unavailabilities[raw] = 1 - value
        return Part("leaf", self.text, (at, at + len(raw)), label, unavailability=down)

    def convert(self, parse: Callable[[], Fraction], at: int) -> Fraction:
        try:
            return parse()
        except ExpressionError:
            raise
        except InputError as error:
            self.fail(error.what, at)
            raise  # unreachable: fail raises


def _shortened(name: str) -> str:
    return name if len(name) <= MAX_NAME_CHARACTERS else name[:MAX_NAME_CHARACTERS] + "…"


def _caret(text: str, column: int) -> str:
    """The expression (a window of it, if long) with a caret under ``column``."""
    start = max(0, min(column - _DETAIL_WIDTH // 2, len(text) - _DETAIL_WIDTH))
    end = min(len(text), start + _DETAIL_WIDTH)
    before = "…" if start > 0 else ""
    after = "…" if end < len(text) else ""
    return f"  {before}{text[start:end]}{after}\n  {' ' * (len(before) + column - start)}^"
