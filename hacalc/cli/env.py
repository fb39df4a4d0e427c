"""The process environment a command writes to, made explicit so tests can simulate TTYs and pipes."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console


@dataclass
class Environment:
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    stdout_isatty: bool
    color: bool
    quiet: bool = False

    @classmethod
    def from_os(cls, *, quiet: bool = False, no_color: bool = False) -> "Environment":
        """Read the streams at call time, so CliRunner's replacements are the ones used."""
        isatty = _isatty(sys.stdout)
        color = isatty and not no_color and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        return cls(sys.stdin, sys.stdout, sys.stderr, isatty, color, quiet)

    def console(self) -> "Console":
        """A rich console for human tables; rich is imported only when a table is drawn."""
        from rich.console import Console

        return Console(
            file=self.stdout,
            no_color=not self.color,
            color_system="auto" if self.color else None,
            highlight=False,
            emoji=False,
            soft_wrap=False,
            width=None if self.stdout_isatty else 200,
        )

    def warn(self, message: str) -> None:
        """A diagnostic on stderr; --quiet silences it, never data or errors."""
        if not self.quiet:
            print(f"hacalc: warning: {message}", file=self.stderr)

    def error(self, message: str, detail: str | None = None) -> None:
        print(f"hacalc: error: {message}", file=self.stderr)
        if detail:
            print(detail, file=self.stderr)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
