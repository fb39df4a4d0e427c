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
GOAL_MS = 80

CASES = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "hacalc --version": [HACALC, "--version"],
    "availability --format json": [HACALC, "availability", "--mttf", "50000h", "--mttr", "15m", "--format", "json"],
    "availability (table)": [HACALC, "availability", "--mttf", "50000h", "--mttr", "15m"],
    "nines (table)": [HACALC, "nines"],
    "budget --alerts --format json": [HACALC, "budget", "99.9", "--window", "30d", "--alerts", "--format", "json"],
    "compose --format json": [HACALC, "compose", "series(99.99%, parallel(99.9%, 99.9%))", "--format", "json"],
    "spares 1+1 --format json": [HACALC, "spares", "--mttf", "1000h", "--mttr", "10h", "--format", "json"],
    "cluster check C-ESX35 --format json": [HACALC, "-q", "cluster", "check", "scenarios/cluster-c-esx35.toml", "--format", "json"],
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
    print(f"{'command':34} {'median ms':>10} {'x baseline':>11}  goal <= {GOAL_MS} ms")
    for name, command in CASES.items():
        median = median_ms(command, runs)
        baseline = baseline or median
        verdict = "" if baseline == median else ("ok" if median <= GOAL_MS else "OVER")
        print(f"{name:34} {median:10.1f} {median / baseline:11.2f}  {verdict}")


if __name__ == "__main__":
    main()
