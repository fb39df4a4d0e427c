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

HACALC = str(Path(sys.executable).with_name("hacalc")) if Path(sys.executable).with_name("hacalc").exists() else shutil.which("hacalc")
ONE_OFF_MS = 80  # the goal for the one-line calculations
SPARES_MS = 250  # the goal for a 1+1 spares comparison, scipy included if it were needed

# name -> (command, goal in ms or None)
CASES = {
    "python -c pass (baseline)": ([sys.executable, "-c", "pass"], None),
    "hacalc --version": ([HACALC, "--version"], None),
    "availability --format json": ([HACALC, "availability", "--mttf", "50000h", "--mttr", "15m", "--format", "json"], ONE_OFF_MS),
    "availability (table)": ([HACALC, "availability", "--mttf", "50000h", "--mttr", "15m"], ONE_OFF_MS),
    "nines (table)": ([HACALC, "nines"], ONE_OFF_MS),
    "budget --alerts --format json": ([HACALC, "budget", "99.9", "--window", "30d", "--alerts", "--format", "json"], ONE_OFF_MS),
    "compose --format json": ([HACALC, "compose", "series(99.99%, parallel(99.9%, 99.9%))", "--format", "json"], ONE_OFF_MS),
    "spares 1+1 --format json": ([HACALC, "spares", "--mttf", "1000h", "--mttr", "10h", "--format", "json"], SPARES_MS),
    "cluster check C-ESX35 --format json": (
        [HACALC, "-q", "cluster", "check", str(Path(__file__).parent.parent / "scenarios/cluster-c-esx35.toml"), "--format", "json"],
        None,
    ),
}


def median_ms(command: list[str], runs: int) -> float:
    subprocess.run(command, capture_output=True, check=True)  # warm the page cache and __pycache__
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        walls.append((time.perf_counter() - start) * 1000)
    return statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    baseline = None
    print(f"{'command':36} {'median ms':>10} {'x baseline':>11}  goal")
    for name, (command, goal) in CASES.items():
        median = median_ms(command, runs)
        baseline = baseline or median
        verdict = "" if goal is None else f"<= {goal} ms {'ok' if median <= goal else 'OVER'}"
        print(f"{name:36} {median:10.1f} {median / baseline:11.2f}  {verdict}")


if __name__ == "__main__":
    main()
