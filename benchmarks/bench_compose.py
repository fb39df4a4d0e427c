"""`hacalc compose` on large structures: median wall time of real processes against baselines in the same run.

Goals (issue 8, items 10 and 11): 10,000 leaves in series, in parallel and in mixed nesting, and
kofn(500, <1,000 leaves>), each <= 1 s end to end on the 2-core machine class, where `hacalc nines
--format json` starts in about 50 ms: the verdict is <= 20 times that start-up, measured in the same run,
so that a loaded machine does not fail the goal. The system unavailability is correct to 1e-12 relative
(checked by tests/core/test_compose.py against exact fractions).

Baselines: `python -c pass` (the interpreter alone) and `hacalc nines --format json` (the CLI's start-up).
Leaves cycle through 97 different availabilities so that no case is one value repeated; every expression
fits in one command-line argument (128 KiB).
Run: .venv/bin/python benchmarks/bench_compose.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from timing import median_seconds

HACALC = str(Path(sys.executable).with_name("hacalc")) if Path(sys.executable).with_name("hacalc").exists() else shutil.which("hacalc")
GOAL_SECONDS = 1.0
GOAL_STARTUPS = 20  # 1 s over the ~50 ms start-up of the reference machine


def leaves(count: int, start: int = 0) -> list[str]:
    """Availabilities from 99 % to 99.9999 %, 97 different ones."""
    return [f"{100 - 10 ** -(1 + (index % 97) / 20):.6f}%" for index in range(start, start + count)]


def mixed(groups: int) -> str:
    """``groups`` named groups of 20 leaves in series: each a parallel of a series, a kofn, a parallel and a series."""
    parts = []
    for group in range(groups):
        a = [leaf.removesuffix("%")[:6] for leaf in leaves(20, group * 20)]  # 99.123: a bare number above 1 is a percentage
        parts.append(
            f"g{group}=parallel(series({','.join(a[:5])}),kofn(3,{','.join(a[5:11])}),parallel({','.join(a[11:15])}),series({','.join(a[15:])}))"
        )
    return f"series({','.join(parts)})"


CASES = [
    ("python -c pass (baseline)", [sys.executable, "-c", "pass"], None),
    ("hacalc nines --format json (baseline)", [HACALC, "nines", "--format", "json"], None),
    ("parallel of 1,000 × 99.9999% (issue item 10)", [HACALC, "compose", f"parallel({', '.join(['99.9999%'] * 1000)})", "--format", "json"], None),
    ("series of 10,000, json", [HACALC, "compose", f"series({', '.join(leaves(10_000))})", "--format", "json"], GOAL_SECONDS),
    ("series of 10,000, table", [HACALC, "compose", f"series({', '.join(leaves(10_000))})"], GOAL_SECONDS),
    ("parallel of 10,000, json", [HACALC, "compose", f"parallel({', '.join(leaves(10_000))})", "--format", "json"], GOAL_SECONDS),
    ("500 groups of 20 leaves (mixed), json", [HACALC, "compose", mixed(500), "--format", "json"], GOAL_SECONDS),
    ("kofn(500, 1,000 leaves), json", [HACALC, "compose", f"kofn(500, {', '.join(leaves(1000))})", "--format", "json"], GOAL_SECONDS),
    ("kofn(500, 1,000 leaves), table", [HACALC, "compose", f"kofn(500, {', '.join(leaves(1000))})"], GOAL_SECONDS),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"{'hacalc compose':46} {'median s':>9} {'x python':>9} {'x nines':>8}  goal ({GOAL_SECONDS} s = {GOAL_STARTUPS} x nines)")
    python = start_up = None
    for name, command, goal in CASES:
        median = median_seconds(command, runs)
        python = python or median
        start_up = start_up or (median if command[0] == HACALC else None)
        ratio = f"{median / start_up:8.1f}" if start_up else f"{'':8}"
        verdict = ""
        if goal is not None:
            verdict = f"<= {GOAL_STARTUPS} x {'ok' if median / start_up <= GOAL_STARTUPS else 'OVER'}"
            verdict += f", <= {goal} s {'ok' if median <= goal else 'over'} here"
        print(f"{name:46} {median:9.3f} {median / python:9.1f} {ratio}  {verdict}", flush=True)


if __name__ == "__main__":
    main()
