"""Kubernetes resource quantities (``500m``, ``1.5Gi``, ``3e8``), read exactly as the API server reads them.

A port of ``ParseQuantity`` in k8s.io/apimachinery ``pkg/api/resource/quantity.go`` (kubernetes/apimachinery
at eed236ceee2c19c2753a3d93ac0631dc20750454): the same scanner, the same suffixes (decimal ``n u m k M G T P E``,
binary ``Ki``…``Ei``, exponents ``e``/``E``), the same rounding of every non-zero value *up* (away from zero)
to a whole nano-unit, and the same cap of binary quantities at 2**63 - 1. Values are ``Fraction`` so nothing is
lost; ``milli_value`` and ``whole_value`` then round up as ``MilliValue()`` and ``Value()`` do, which is what
the scheduler adds up (CPU in millicores, memory and the rest in whole units).

One deliberate difference: Go casts an exponent to int32 and so wraps one beyond it (``1e4294967296`` reads
as 1); here such an exponent, and any value whose millis exceed 2**63 - 1, is refused.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

from hacalc.core.errors import InputError

NANO = Fraction(1, 10**9)
MAX_INT64 = 2**63 - 1
_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_SUFFIX_CHARACTERS = frozenset("eEinumkKMGTP")
_DIGITS = frozenset("0123456789")
_INT32 = 2**31
_LARGEST_DIGITS = 30  # far beyond any int64 of millis: a larger decimal quantity is refused before it is built
QUANTITY_HINT = "write a Kubernetes quantity such as 500m, 2, 1.5, 512Mi, 1Gi, 1G or 3e8"


@lru_cache(maxsize=4096)  # an inventory repeats a few dozen spellings ("100m", "128Mi") thousands of times
def parse_quantity(text: str) -> Fraction:
    """The exact value of a quantity string, as ``resource.ParseQuantity`` reads it; InputError if it does not."""
    if text == "":
        raise InputError("an empty quantity", fix=QUANTITY_HINT)
    positive, number, fraction_digits, suffix = _scan(text)
    if suffix in _DECIMAL_SUFFIXES:
        base, exponent, binary = 10, _DECIMAL_SUFFIXES[suffix], False
    elif suffix in _BINARY_SUFFIXES:
        base, exponent, binary = 2, _BINARY_SUFFIXES[suffix], True
    elif len(suffix) > 1 and suffix[0] in "eE" and _is_int64(suffix[1:]):
        base, exponent, binary = 10, int(suffix[1:]), False
    else:
        raise InputError(f"quantity {text!r} has an unknown suffix {suffix!r}", fix=QUANTITY_HINT)
    digits = (number + fraction_digits).lstrip("0")
    if not digits:
        return Fraction(0)
    if base == 10 and not -_INT32 <= exponent < _INT32:
        raise InputError(f"quantity {text!r} has an exponent beyond what Kubernetes reads", fix=QUANTITY_HINT)
    if base == 10 and len(number.lstrip("0")) + exponent > _LARGEST_DIGITS:
        raise InputError(f"quantity {text!r} is too large", fix="no node or pod has that much of a resource")
    if base == 10 and len(digits) - len(fraction_digits) + exponent < -10:
        value = NANO  # below one nano-unit however it is written: rounded up to it
    else:
        value = Fraction(int(number + fraction_digits), 10 ** len(fraction_digits)) * Fraction(base) ** exponent
        value = Fraction(math.ceil(value / NANO)) * NANO
    if binary and value > MAX_INT64:
        value = Fraction(MAX_INT64)
    return value if positive else -value


def milli_value(quantity: Fraction) -> int:
    """``Quantity.MilliValue()`` of a non-negative quantity: ceil(q * 1000), as the scheduler counts CPU."""
    return math.ceil(quantity * 1000)


def whole_value(quantity: Fraction) -> int:
    """``Quantity.Value()`` of a non-negative quantity: ceil(q), as the scheduler counts memory and the rest."""
    return math.ceil(quantity)


def _is_int64(text: str) -> bool:
    """Whether Go's ``strconv.ParseInt(text, 10, 64)`` accepts ``text`` (an optional sign, then digits)."""
    body = text[1:] if text[:1] in "+-" else text
    return bool(body) and set(body) <= _DIGITS and -(2**63) <= int(text) <= MAX_INT64


def _scan(text: str) -> tuple[bool, str, str, str]:
    """``parseQuantityString``: (positive, whole digits, fraction digits, suffix); InputError where Go errs."""
    position, end = 0, len(text)
    positive = True
    if text[0] in "+-":
        positive = text[0] == "+"
        position = 1
    start = position
    while position < end and text[position] in _DIGITS:
        position += 1
    number = text[start:position] or "0"
    fraction_digits = ""
    if position < end and text[position] == ".":
        position += 1
        start = position
        while position < end and text[position] in _DIGITS:
            position += 1
        fraction_digits = text[start:position]
    suffix_start = position
    while position < end and text[position] in _SUFFIX_CHARACTERS:
        position += 1
    if position < end and text[position] in "+-":
        position += 1
    while position < end and text[position] in _DIGITS:
        position += 1
    if position < end:
        raise InputError(f"{text!r} is not a quantity", fix=QUANTITY_HINT)
    return positive, number, fraction_digits, text[suffix_start:]
