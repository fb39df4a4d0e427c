"""Counted problems in real data: a report says what it skipped or doubted, never drops it silently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DataWarning:
    """One class of problem in the data, counted: ``kind`` is stable (JUnit case names, JSON), ``message`` is for people.

    A message with numbers or names in it is a ``hacalc.i18n.Message``: the English sentence in ``as_dict()``
    (JSON, the CI reports), said again in the language of the run where the CLI shows it (``_(warning.message)``).
    """

    kind: str
    message: str
    count: int = 1
    examples: tuple[str, ...] = ()  # the first few names it applies to

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "count": self.count, "examples": list(self.examples)}
