"""The process environment a command writes to, made explicit so tests can simulate TTYs and pipes."""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from hacalc.core.errors import InputError
from hacalc.core.text import visible
from hacalc.i18n import _

if TYPE_CHECKING:
    from rich.console import Console

PIPE_WIDTH = 200  # wide enough that piped tables keep one row per line for grep and awk

class OutputError(Exception):
    """stdout could not take the output: closed, full, or failing."""

    def __init__(self, reason: str) -> None:
        super().__init__(_("cannot write to stdout ({reason})").format(reason=reason))


@dataclass
class Environment:
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    stdout_isatty: bool
    color: bool
    quiet: bool = False
    width: int | None = PIPE_WIDTH  # None: ask the terminal

    @classmethod
    def from_os(cls, *, quiet: bool = False, no_color: bool = False) -> "Environment":
        """Read the streams at call time, so CliRunner's replacements are the ones used."""
        isatty = _isatty(sys.stdout)
        color = isatty and not no_color and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        stdout = GuardedOutput(sys.stdout) if sys.stdout is not None else ClosedOutput()
        stderr = sys.stderr if sys.stderr is not None else open(os.devnull, "w")
        width = None if isatty else _columns() or PIPE_WIDTH
        return cls(sys.stdin if sys.stdin is not None else ClosedInput(), stdout, stderr, isatty, color, quiet, width)

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
            width=self.width,
        )

    def warn(self, message: str) -> None:
        """A diagnostic on stderr; --quiet silences it, never data or errors."""
        if not self.quiet:
            print(f"hacalc: warning: {visible(message)}", file=self.stderr)

    def error(self, message: str, detail: str | None = None) -> None:
        """The one line a failure gets; ``detail`` (an expression with a caret) only for a person at a terminal."""
        print(f"hacalc: error: {visible(message)}", file=self.stderr)
        if detail and _isatty(self.stderr):
            print("\n".join(visible(line) for line in detail.splitlines()), file=self.stderr)


def _isatty(stream: TextIO | None) -> bool:
    try:
        return stream.isatty()  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        return False


def _columns() -> int | None:
    """``COLUMNS`` as the width of piped tables, when it is a sensible number."""
    text = os.environ.get("COLUMNS", "")
    return int(text) if text.isdigit() and 20 <= int(text) <= 10_000 else None


class GuardedOutput(io.TextIOBase):
    """stdout, with a failed write (full disk, closed descriptor) raised as one ``OutputError``."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    def write(self, text: str) -> int:
        return _guarded(self._stream.write, text)

    def flush(self) -> None:
        _guarded(self._stream.flush)

    @property
    def buffer(self) -> Any:
        binary = getattr(self._stream, "buffer", None)
        return None if binary is None else GuardedOutput(binary)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        return _isatty(self._stream)

    def fileno(self) -> int:
        return self._stream.fileno()

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        """Never close (or flush on garbage collection) the process's stdout; the command flushes it once."""


def _guarded(operation: Any, *arguments: Any) -> Any:
    try:
        return operation(*arguments)
    except BrokenPipeError:
        raise  # the reader went away: end quietly, as a filter does
    except OSError as error:
        raise OutputError(error.strerror or str(error)) from None
    except ValueError as error:  # writing to a stream already closed
        raise OutputError(str(error)) from None


class ClosedOutput(io.TextIOBase):
    """Stands in for a closed stdout (``>&-``): the first write is an error, not silence."""

    def write(self, text: str) -> int:
        raise OutputError(_("stdout is closed"))

    def writable(self) -> bool:
        return True


class ClosedInput(io.TextIOBase):
    """Stands in for a closed stdin (``<&-``): reading ``-`` is bad input, not a crash."""

    def read(self, size: int | None = -1) -> str:
        raise InputError(_("stdin is closed"), fix=_("pipe the data in, or give a file name instead of -"))

    readline = read

    def readable(self) -> bool:
        return True
