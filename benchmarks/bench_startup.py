"""One-off command latency: median wall time of real processes, against `python -c pass` in the same run.

Goal (issue 2 §4): every one-off command answers in <= 80 ms median on the 2-core machine class.
Run: .venv/bin/python benchmarks/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

HACALC = str(Path(sys.executable).with_name("hacalc")) if Path(sys.executable).with_name("hacalc").exists() else shutil.which("hacalc")
ONE_OFF_MS = 80  # the goal for the one-line calculations
SPARES_MS = 250  # the goal for a 1+1 spares comparison, scipy included if it were needed


class Case(NamedTuple):
    command: list[str]
    goal_ms: float | None = None
    on_terminal: bool = False  # stdout a pseudo-terminal, as a person runs it, rather than a pipe


MINIMAL_TYPER_APP = """
import typer
app = typer.Typer()
app.command("one")(lambda: print(1))
app.command("two")(lambda: print(2))
app()
"""

CASES = {
    "python -c pass (baseline)": Case([sys.executable, "-c", "pass"]),
    "minimal two-command typer app": Case([sys.executable, "-c", MINIMAL_TYPER_APP, "one"]),
    "hacalc --version": Case([HACALC, "--version"]),
    "availability --format json": Case([HACALC, "availability", "--mttf", "50000h", "--mttr", "15m", "--format", "json"], ONE_OFF_MS),
    "availability (table)": Case([HACALC, "availability", "--mttf", "50000h", "--mttr", "15m"], ONE_OFF_MS),
    "nines (table)": Case([HACALC, "nines"], ONE_OFF_MS),
    "nines (table, on a terminal)": Case([HACALC, "nines"], ONE_OFF_MS, on_terminal=True),
    "budget --alerts --format json": Case([HACALC, "budget", "99.9", "--window", "30d", "--alerts", "--format", "json"], ONE_OFF_MS),
    "compose --format json": Case([HACALC, "compose", "series(99.99%, parallel(99.9%, 99.9%))", "--format", "json"], ONE_OFF_MS),
    "spares 1+1 --format json": Case([HACALC, "spares", "--mttf", "1000h", "--mttr", "10h", "--format", "json"], SPARES_MS),
    "cluster check C-ESX35 --format json": Case(
        [HACALC, "-q", "cluster", "check", str(Path(__file__).parent.parent / "scenarios/cluster-c-esx35.toml"), "--format", "json"]
    ),
}


def median_ms(command: list[str], runs: int, *, on_terminal: bool = False) -> float:
    run_once = run_on_terminal if on_terminal else run_on_pipe
    run_once(command)  # warm the page cache and __pycache__
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        run_once(command)
        walls.append((time.perf_counter() - start) * 1000)
    return statistics.median(walls)


def run_on_pipe(command: list[str]) -> None:
    subprocess.run(command, capture_output=True, check=True)


def run_on_terminal(command: list[str]) -> None:
    """As a person sees it: stdout is a pseudo-terminal, so rich measures it and colours the table."""
    import os
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    try:
        while os.read(controller, 65536):
            pass
    except OSError:  # Linux reports EIO once the last writer has closed
        pass
    finally:
        os.close(controller)
    if process.wait() != 0:
        raise subprocess.CalledProcessError(process.returncode, command)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    baseline = None
    print(f"{'command':36} {'median ms':>10} {'x baseline':>11}  goal")
    for name, case in CASES.items():
        median = median_ms(case.command, runs, on_terminal=case.on_terminal)
        baseline = baseline or median
        goal = case.goal_ms
        verdict = "" if goal is None else f"<= {goal} ms {'ok' if median <= goal else 'OVER'}"
        print(f"{name:36} {median:10.1f} {median / baseline:11.2f}  {verdict}")


if __name__ == "__main__":
    main()
