"""The CLI contract every test of bad input checks: exit 2, nothing on stdout, one line on stderr."""

from __future__ import annotations

from typing import Any

ERROR_PREFIX = "hacalc: error: "


def assert_bad_input(result: Any) -> str:
    """``result`` is a CliRunner result or a ``subprocess.CompletedProcess``; returns the error line."""
    exit_code = getattr(result, "exit_code", None)
    if exit_code is None:
        exit_code = result.returncode
    stderr = result.stderr if isinstance(result.stderr, str) else result.stderr.decode("utf-8", "replace")
    stdout = result.stdout if isinstance(result.stdout, str) else result.stdout.decode("utf-8", "replace")
    assert exit_code == 2, (exit_code, stderr)
    assert stdout == "", stdout
    assert stderr.startswith(ERROR_PREFIX), stderr
    assert stderr.count("\n") == 1 and stderr.endswith("\n"), stderr
    assert "Traceback" not in stderr
    return stderr.removeprefix(ERROR_PREFIX).rstrip("\n")
