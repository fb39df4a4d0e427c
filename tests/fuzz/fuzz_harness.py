"""How the fuzz suite runs hacalc and what it holds every run to.

* ``fuzz_settings``: the ``hacalc-fuzz`` hypothesis profile (derandomized, no deadline, no database) with a
  small example count for CI; ``HACALC_FUZZ_EXAMPLES=5000`` raises every test to that many, and
  ``HACALC_FUZZ_RANDOM=1`` draws new examples on each run instead of the fixed ones.
* ``invoke``: the real CLI in-process (CliRunner), inside a forked child, so that a hang is killed after
  ``HangGuard.seconds`` and a runaway allocation meets a memory cap instead of the machine. The guard is a
  hang detector, not a speed goal: it is two orders of magnitude above any example's normal time.
* ``run_process``: the real CLI as a process (``python -m hacalc``), with fds closed or pointed at
  ``/dev/full`` when the process itself is what a case is about.
* ``assert_contract``: exit 0 or 1 with output a program can read (JSON parses, CSV has a header and
  rows of its width) and clean stderr, or exit 2 with exactly one ``hacalc: error:`` line and nothing on
  stdout; never a traceback, never a hang, never a raw control character on a terminal stream.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pickle
import re
import resource
import select
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from hypothesis import HealthCheck, settings

from contract import assert_bad_input

EXAMPLES_VARIABLE = "HACALC_FUZZ_EXAMPLES"
PROFILE = "hacalc-fuzz"
MEMORY_CAP_BYTES = 4 << 30  # far above any example's need (~300 MB), far below the machine's 24 GB
PYTHON = sys.executable

EXPLORE_VARIABLE = "HACALC_FUZZ_RANDOM"  # set to 1: new random examples each run, each failure with its blob
EXPLORING = bool(os.environ.get(EXPLORE_VARIABLE))

settings.register_profile(
    PROFILE,
    derandomize=not EXPLORING,  # by default the same examples on every run, so CI cannot flake
    database=None,
    deadline=None,  # no timed assertions: hangs are caught by HangGuard, speed lives in benchmarks/
    print_blob=EXPLORING,  # @reproduce_failure(...) for a failure a random run found
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def fuzz_settings(ci_examples: int, *, long_run_share: float = 1.0) -> settings:
    """The profile with ``ci_examples`` examples, or ``$HACALC_FUZZ_EXAMPLES`` (times ``long_run_share``,
    for tests whose examples are slow) when that is more."""
    requested = int(int(os.environ.get(EXAMPLES_VARIABLE) or 0) * long_run_share)
    return settings(settings.get_profile(PROFILE), max_examples=max(ci_examples, requested))


class HangGuard:
    """Seconds an example may run before it counts as a hang.

    After the first hang the guard drops to ``after_hang`` for the rest of the session, so that hypothesis
    shrinking a hanging example (up to 500 steps) reports it in minutes rather than in an hour.
    """

    seconds: float = 10.0
    after_hang: float = 3.0

    @classmethod
    def tripped(cls) -> None:
        cls.seconds = min(cls.seconds, cls.after_hang)


@dataclass
class Outcome:
    """One run of hacalc, in-process or as a process; the attribute names ``assert_bad_input`` reads."""

    args: tuple[str, ...]
    exit_code: int | None
    stdout_bytes: bytes = b""
    stderr_bytes: bytes = b""
    traceback: str | None = None  # an exception that escaped hacalc (in-process runs only)
    hung: bool = False

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode("utf-8", "replace")

    @property
    def stderr(self) -> str:
        return self.stderr_bytes.decode("utf-8", "replace")

    def __str__(self) -> str:
        return (
            f"hacalc [{', '.join(short(arg, 120) for arg in self.args)}]\n  exit: {self.exit_code} hung: {self.hung}\n"
            f"  stdout[:600]: {self.stdout_bytes[:600]!r}\n  stderr[:1500]: {self.stderr_bytes[:1500]!r}"
            + (f"\n  escaped exception (its end):\n{self.traceback[-2500:]}" if self.traceback else "")
        )


def short(value: str | bytes, limit: int = 300) -> str:
    """``repr(value)``, with the middle of a long value replaced by its length."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit * 2 // 3]}...<{len(value)} in all>...{text[-limit // 3 :]}"


# In-process, in a forked child ------------------------------------------------------------------


def invoke(args: Sequence[str], *, stdin: bytes = b"", env: Mapping[str, str] | None = None, timeout: float | None = None) -> Outcome:
    """Run ``hacalc ARGS`` through CliRunner in a forked child, with the hang guard (or ``timeout``) and the memory cap."""
    args = tuple(args)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, send the result, and leave without running any parent clean-up
        os.close(read_end)
        try:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, resource.RLIM_INFINITY))
            payload = _invoke_here(args, stdin, env)
        except BaseException:  # noqa: BLE001 - everything escaping CliRunner is a finding
            payload = {"exit_code": None, "traceback": traceback.format_exc()}
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(pickle.dumps(payload))
        os._exit(0)
    os.close(write_end)
    data = _read_until(read_end, time.monotonic() + (timeout or HangGuard.seconds))
    if data is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        if timeout is None:
            HangGuard.tripped()
        return Outcome(args, None, hung=True)
    _, status = os.waitpid(pid, 0)
    if not data:
        return Outcome(args, None, traceback=f"the child died without a result (wait status {status})")
    return Outcome(args, **pickle.loads(data))


def _invoke_here(args: tuple[str, ...], stdin: bytes, env: Mapping[str, str] | None) -> dict:
    from typer.testing import CliRunner

    from hacalc.cli.app import app

    result = CliRunner().invoke(app, list(args), input=stdin, env=dict(env or {}), catch_exceptions=True)
    escaped = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        escaped = "".join(traceback.format_exception(*result.exc_info))
    return {"exit_code": result.exit_code, "stdout_bytes": result.stdout_bytes, "stderr_bytes": result.stderr_bytes, "traceback": escaped}


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything the child sends, or None when it has not finished by ``deadline``."""
    chunks = []
    with os.fdopen(fd, "rb", buffering=0) as pipe:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([pipe], [], [], remaining)[0]:
                return None
            chunk = pipe.read(1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def warm_up() -> None:
    """Import what the commands import lazily (rich, numpy, scipy, PyYAML) once, so forks inherit it."""
    import yaml  # noqa: F401
    from typer.testing import CliRunner

    from hacalc.cli.app import app

    root = Path(__file__).resolve().parents[2]
    for args in (
        ["nines", "99.9"],
        ["availability", "--mttf", "1000h", "--mttr", "1h"],
        ["availability", "--input", "-"],
        ["compose", "kofn(2, 99%, 99%, 99%)"],
        ["budget", "99.9", "--alerts"],
        ["cluster", "check", str(root / "scenarios" / "cluster-seed-medium-3-hosts.yaml")],
        ["spares", str(root / "scenarios" / "spares-database-pair.toml")],
    ):
        CliRunner().invoke(app, args, input="mttf,mttr\n1h,1m\n")


# As a real process -------------------------------------------------------------------------------

CLOSED = "closed"  # run_process: the fd is closed before hacalc starts (`<&-`, `>&-`, `2>&-`)
DEV_FULL = "/dev/full"


def run_process(
    args: Sequence[str],
    *,
    stdin: bytes | str | None = b"",
    stdout: str | None = None,
    stderr: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
    memory_cap: int = MEMORY_CAP_BYTES,
) -> Outcome:
    """``python -m hacalc ARGS``: ``stdin`` is bytes to send, ``CLOSED``, or a path to read from;
    ``stdout``/``stderr`` are captured unless ``CLOSED`` or a path (``DEV_FULL``). ``timeout`` is the hang guard."""
    closed = [fd for fd, how in ((0, stdin), (1, stdout), (2, stderr)) if how == CLOSED]

    def prepare_child() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_cap, resource.RLIM_INFINITY))
        for fd in closed:
            os.close(fd)

    opened = []
    try:
        streams = {}
        for name, how in (("stdin", stdin), ("stdout", stdout), ("stderr", stderr)):
            if how == CLOSED:
                streams[name] = None
            elif isinstance(how, str):
                opened.append(open(how, "rb" if name == "stdin" else "wb"))
                streams[name] = opened[-1]
            else:
                streams[name] = subprocess.PIPE
        process = subprocess.Popen(
            [PYTHON, "-m", "hacalc", *args], **streams, env={**os.environ, **(env or {})}, preexec_fn=prepare_child
        )
        try:
            out, err = process.communicate(stdin if isinstance(stdin, bytes) else None, timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            return Outcome(tuple(args), None, out or b"", err or b"", hung=True)
        return Outcome(tuple(args), process.returncode, out or b"", err or b"")
    finally:
        for stream in opened:
            stream.close()


def argv_safe(text: str) -> str:
    """``text`` as a process argument can carry it: no NUL, no lone surrogate outside surrogateescape."""
    text = text.replace("\x00", "\x01")
    return "".join(char if not 0xD800 <= ord(char) <= 0xDFFF else "\ufffd" for char in text)


# The contract ------------------------------------------------------------------------------------

TERMINAL_FORMATS = ("table",)
_STATUS_LINES = ("hacalc: warning: ", "FAIL: ")  # what stderr may carry beside a result


def assert_contract(outcome: Outcome, output_format: str) -> None:
    """The promise for any input: a readable result (exit 0/1) or one error line (exit 2), nothing else."""
    assert not outcome.hung, f"hang: no answer within the {HangGuard.seconds:.0f} s hang guard\n{outcome}"
    assert outcome.traceback is None, f"an exception escaped\n{outcome}"
    assert b"Traceback (most recent call last)" not in outcome.stderr_bytes + outcome.stdout_bytes, f"a traceback\n{outcome}"
    assert outcome.exit_code in (0, 1, 2), f"exit status outside 0/1/2\n{outcome}"
    assert_no_raw_controls(outcome.stderr_bytes, outcome, "stderr")
    if outcome.exit_code == 2:
        try:
            assert_bad_input(outcome)
        except AssertionError as error:
            raise AssertionError(f"exit 2 without exactly one error line and empty stdout: {error}\n{outcome}") from None
        return
    assert_result(outcome, output_format)


def assert_result(outcome: Outcome, output_format: str) -> None:
    """Exit 0 or 1: output of ``output_format`` a program can read, and only warnings or FAIL lines on stderr."""
    if output_format != "ndjson":  # NDJSON of no rows is no lines
        assert outcome.stdout_bytes, f"exit {outcome.exit_code} with nothing on stdout\n{outcome}"
    try:
        text = outcome.stdout_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise AssertionError(f"stdout is not UTF-8\n{outcome}") from None
    for line in outcome.stderr.splitlines():
        assert line.startswith(_STATUS_LINES), f"stderr line that is neither a warning nor a FAIL: {line!r}\n{outcome}"
    if output_format in TERMINAL_FORMATS:
        assert_no_raw_controls(outcome.stdout_bytes, outcome, "stdout")
    elif output_format == "json":
        _strict_json(text, outcome)
    elif output_format == "ndjson":
        for line in text.splitlines():
            assert isinstance(_strict_json(line, outcome), dict), f"an NDJSON line that is not an object: {line!r}\n{outcome}"
    elif output_format == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows and rows[0] and all(rows[0]), f"CSV without a header\n{outcome}"
        ragged = [row for row in rows if len(row) != len(rows[0])]
        assert not ragged, f"CSV rows unlike the header's {len(rows[0])} columns: {ragged[:2]!r}\n{outcome}"
    elif output_format == "junit":
        assert_no_raw_controls(outcome.stdout_bytes, outcome, "stdout")
        assert ElementTree.fromstring(text).tag == "testsuites", f"JUnit XML without testsuites\n{outcome}"
    elif output_format == "markdown":
        assert_no_raw_controls(outcome.stdout_bytes, outcome, "stdout")
        assert re.match(r"## hacalc cluster [a-z-]+: (PASS|FAIL)\n", text), f"Markdown without its heading\n{outcome}"
    else:
        raise ValueError(output_format)


def _strict_json(text: str, outcome: Outcome) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"JSON with {constant}, which JSON does not have\n{outcome}")

    try:
        return json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as error:
        raise AssertionError(f"stdout is not JSON ({error})\n{outcome}") from None


def assert_no_raw_controls(data: bytes, outcome: Outcome, stream: str) -> None:
    """No C0 control but newline, no DEL, no C1: a file's bytes must not drive the user's terminal."""
    text = data.decode("utf-8", "replace")
    raw = sorted({char for char in text if char != "\n" and (ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F)})
    assert not raw, f"raw control characters {raw!r} on {stream}\n{outcome}"
