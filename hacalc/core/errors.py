"""Typed failures that the CLI maps, in one place, to a one-line message and an exit code."""

from __future__ import annotations


class HacalcError(Exception):
    """Bad input or an impossible request: the user can fix it.

    The message reads ``<what>, <where>, <how to fix>`` so that a single stderr line is enough.
    """

    def __init__(self, what: str, where: str | None = None, fix: str | None = None, detail: str | None = None) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        self.detail = detail  # extra lines shown under the message, e.g. an expression with a caret
        super().__init__(", ".join(part for part in (what, where, fix) if part))

    def located(self, where: str) -> "HacalcError":
        """The same error with a location, for callers that know where the value came from."""
        return type(self)(self.what, where if self.where is None else f"{where}: {self.where}", self.fix, self.detail)


class InputError(HacalcError):
    """A value, option or file could not be read or is out of range."""
