"""`hacalc spares` end to end: median wall time of real processes against baselines measured in the same run.

Goals (issue 3 §4, issue 8):
  1+1 comparison (none/hot/warm/cold, coverage, failover, costs, target)   <= 0.25 s, scipy import included
  2,000 needed + 200 spares, 20 crews, same switchover settings            well under 1 s (goal printed: <= 0.5 s)
  the slowest questions MAX_SWITCHOVER_STATES accepts, at 1 ms / 1e6 y     <= 2 s (the limit is set by these)

Baselines: `python -c pass` (the interpreter alone) and `hacalc --version` (the CLI's start-up).
Run: .venv/bin/python benchmarks/bench_spares.py [--runs 9]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from timing import median_seconds

from hacalc.core.spares import MAX_SWITCHOVER_STATES

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
# Failover states only (coverage 1), 1 needed: each chain has 2 × spares + 2 states. Three chains (hot, warm,
# cold), or one long hot chain, filled up to the limit; extreme rates once made the solver quadratic.
EXTREME = [HACALC, "spares", "--mttf", "1ms", "--mttr", "1000000y", "--format", "json"]
AT_LIMIT_THREE = [*EXTREME, "--spares", str(MAX_SWITCHOVER_STATES // 6 - 1), "--failover", "hot=1s,warm=1s,cold=1s"]
AT_LIMIT_ONE = [*EXTREME, "--spares", str(MAX_SWITCHOVER_STATES // 2 - 1), "--kind", "hot", "--failover", "hot=1s"]


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
        # 46,818 switchover states: 5 counts × 3 kinds × (2,001 + 3n), plus the 200-spare comparison (7,803)
        ("2000+200, 20 crews, sweep 198..202", [*LARGE, "--sweep-spares", "198..202", "--format", "json"], None),
        (f"limit: 3 x {MAX_SWITCHOVER_STATES // 6 - 1:,} spares, failover", AT_LIMIT_THREE, 2.0),
        (f"limit: one {MAX_SWITCHOVER_STATES // 2 - 1:,}-spare hot chain", AT_LIMIT_ONE, 2.0),
    ]
    print(f"{'hacalc spares':42} {'median s':>9} {'x python':>9} {'x --version':>12}  goal", flush=True)
    baselines = {name: median_seconds(command, args.runs) for name, command, _ in cases[:2]}
    python, version = baselines.values()
    for name, command, goal in cases:  # each row as soon as it is measured
        median = baselines[name] if name in baselines else median_seconds(command, args.runs)
        verdict = "" if goal is None else f"<= {goal} s {'ok' if median <= goal else 'OVER'}"
        print(f"{name:42} {median:9.3f} {median / python:9.1f} {median / version:12.1f}  {verdict}", flush=True)

if __name__ == "__main__":
    main()
