"""hacalc risk's exact paths (issue 11 §5): one unit over a year in ≤ 50 ms, a 200-state spares chain in ≤ 200 ms.

Run: .venv/bin/python benchmarks/bench_risk.py [--runs K]

Compute time in this process, after a warm-up (imports excluded), medians of K. Each goal is also stated
against a yardstick measured in the same run (numpy sorting a million floats), so a slower or busier
machine moves both alike. The simulation's throughput goal is benchmarks/bench_simulation.py's.
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import median_call_seconds  # noqa: E402


def yardstick() -> None:
    import numpy as np

    np.sort(np.random.default_rng(1).random(1_000_000))


def single_unit() -> float:
    from hacalc.core.risk import Unit, tail

    return tail(Unit(1000, 1, 8760), 8.76)


def single_unit_report() -> None:
    from hacalc.core.risk import DEFAULT_QUANTILES, Unit, exact_report

    exact_report(Unit(1000, 1, 8760), 8.76, DEFAULT_QUANTILES)


def spares_chain() -> None:
    from hacalc.core.risk import chain_report
    from hacalc.core.spares import Standby

    chain = Standby(needed=190, spares=10, crews=4, failure_rate=1 / 1000, repair_rate=1 / 4, dormancy=0.0).chain()
    chain_report(chain, "190-of-200, cold spares", 720, 0.72, "steady", (Fraction(99, 100),))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    unit = median_call_seconds(yardstick, args.runs)
    cases = [
        ("P(breach), one unit, 1 year, MTTF 1000 h, MTTR 1 h", single_unit, 0.050),
        ("the whole report of that unit (4 quantiles, moments)", single_unit_report, None),
        ("201-state cold-spares chain, 30 days, exact", spares_chain, 0.200),
    ]
    print(f"yardstick (numpy sorts 1e6 floats): {unit * 1000:.1f} ms")
    for label, action, goal in cases:
        seconds = median_call_seconds(action, args.runs)
        verdict = "" if goal is None else f"  goal ≤ {goal * 1000:.0f} ms: {'met' if seconds <= goal else 'NOT met'}"
        print(f"  {label:55} {seconds * 1000:8.2f} ms  {seconds / unit:6.2f} yardsticks{verdict}")


if __name__ == "__main__":
    main()
