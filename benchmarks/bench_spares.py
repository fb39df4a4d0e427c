"""`hacalc spares` end to end: median wall time of real processes against baselines measured in the same run.

Goals (issue 3 §4):
  1+1 comparison (none/hot/warm/cold, coverage, failover, costs, target)   <= 0.25 s, scipy import included
  2,000 needed + 200 spares, 20 crews, same switchover settings            well under 1 s (goal printed: <= 0.5 s)

Baselines: `python -c pass` (the interpreter alone) and `hacalc --version` (the CLI's start-up).
Run: .venv/bin/python benchmarks/bench_spares.py [--runs 9]
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
SWITCHOVER = ["--coverage", "0.99", "--manual-recovery", "30m", "--failover", "hot=30s,warm=5m,cold=30m", "--dormancy", "0.5"]
ONE_PLUS_ONE = [
    HACALC, "spares", "--mttf", "1000h", "--mttr", "10h", "--needed", "1", "--spares", "1", "--crews", "1", *SWITCHOVER,
    "--spare-cost", "hot=9000,warm=5000,cold=1000", "--downtime-cost", "100", "--target", "99.97",
]  # fmt: skip
LARGE = [
    HACALC, "spares", "--mttf", "200000h", "--mttr", "24h", "--needed", "2000", "--spares", "200", "--crews", "20",
    *SWITCHOVER, "--spare-cost", "hot=900,warm=500,cold=100", "--downtime-cost", "1000", "--target", "99.9",
]  # fmt: skip


def median_seconds(command: list[str], runs: int) -> float:
    """Median wall time over ``runs`` after one warm-up run (which also checks the command works)."""
    _run(command)
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        _run(command)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


def _run(command: list[str]) -> None:
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {completed.returncode}: {completed.stderr.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    cases = [
        ("python -c pass (baseline)", [sys.executable, "-c", "pass"], None),
        ("hacalc --version (baseline)", [HACALC, "--version"], None),
        ("1+1 table", ONE_PLUS_ONE, 0.25),
        ("1+1 json", [*ONE_PLUS_ONE, "--format", "json"], 0.25),
        ("2000+200, 20 crews, table", LARGE, 0.5),
        ("2000+200, 20 crews, json", [*LARGE, "--format", "json"], 0.5),
        ("2000+200, 20 crews, sweep 190..210", [*LARGE, "--sweep-spares", "190..210", "--format", "json"], None),
    ]
    print(f"{'hacalc spares':42} {'median s':>9} {'x python':>9} {'x --version':>12}  goal")
    python, version = (median_seconds(command, args.runs) for _, command, _ in cases[:2])
    for (name, _, goal), median in zip(cases, [python, version, *(median_seconds(command, args.runs) for _, command, _ in cases[2:])]):
        verdict = "" if goal is None else f"<= {goal} s {'ok' if median <= goal else 'OVER'}"
        print(f"{name:42} {median:9.3f} {median / python:9.1f} {median / version:12.1f}  {verdict}", flush=True)

if __name__ == "__main__":
    main()
