"""Wall times, shared by the benchmark scripts: of real processes, and of calls in this process."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable


def median_seconds(command: list[str], runs: int) -> float:
    """Median wall time over ``runs`` after one warm-up run (which also checks the command works)."""
    run_checked(command)
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        run_checked(command)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


def run_checked(command: list[str]) -> None:
    """Run ``command``; a usage error (exit 2 or worse) stops the benchmark, a gate's exit 1 does not."""
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)[:120]}… exited {completed.returncode}: {completed.stderr.strip()}")


def median_call_seconds(action: Callable[[], object], runs: int) -> float:
    """Median wall time of ``action()`` in this process over ``runs``, after one warm-up (imports, page cache)."""
    action()
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)
