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
        super().__init__(what)

    def __str__(self) -> str:
        return ", ".join(part for part in (self.what, self.where, self.fix) if part)

    def located(self, where: str) -> "HacalcError":
        """The same error, of the same type, with a location for callers that know where the value came from."""
        located = type(self).__new__(type(self))  # subclasses may take other constructor arguments
        located.__dict__.update(self.__dict__, where=where if self.where is None else f"{where}: {self.where}")
        located.args = self.args
        return located


class InputError(HacalcError):
    """A value, option or file could not be read or is out of range."""
