"""`hacalc risk`'s Monte Carlo path: simulate_window against numpy drawing the same random numbers, in one run.

Goal (issue 11 §5): at least 5 million failure–repair cycles per second, measured as a ratio against a plain
numpy baseline that only draws the same random numbers. The baseline's rate is measured here, so the goal
is printed as the ratio it implies: simulation time <= baseline time × (baseline cycles/s ÷ 5M). Measured
on a 2-core machine of this class: numpy draws an exponential unit's cycles at ~80M/s (so ~16 × the
baseline's time is allowed) and Weibull/lognormal ones at ~27-30M/s (~5.5 ×); the simulation runs at 3.3 ×
and 1.7-1.9 × its baseline, 14-24M cycles/s.

Cycles are the up/down pairs drawn: the outages that began in a window plus, for a window that ends up,
the pair whose failure falls after its end. The baseline draws, in chunks of simulation.BATCH, one uniform per window (the start
state), the residual up and down times of a steady start, and cycles − runs fresh up and down times:
the simulation's own count (the number of windows opening down is binomial in both).

Run: .venv/bin/python benchmarks/bench_simulation.py [--runs 3] [--scale 1]
"""

from __future__ import annotations

import argparse

import numpy as np
from timing import median_call_seconds

from hacalc.core import simulation
from hacalc.core.simulation import Distribution, parse_distribution, simulate_window

GOAL = 5e6  # cycles per second
YEAR, MONTH = 8760.0, 730.0
CASES = [
    # name, up spec, MTTF h, down spec, MTTR h, window h, windows simulated
    ("exponential 1000h/1h, 1 year", "exponential", 1000, "exponential", 1, YEAR, 2_000_000),
    ("weibull(2) 1000h / lognormal(s=1) 4h, 1 year", "weibull:shape=2", 1000, "lognormal:sigma=1", 4, YEAR, 2_000_000),
    ("weibull(0.7) 1000h / lognormal(cv=1.5) 4h, 1 year", "weibull:shape=0.7", 1000, "lognormal:cv=1.5", 4, YEAR, 2_000_000),
    ("exponential 2000h/1h, 1 month (per-window cost)", "exponential", 2000, "exponential", 1, MONTH, 10_000_000),
]  # fmt: skip


def draw_only(up: Distribution, down: Distribution, runs: int, cycles: int, seed: int) -> None:
    """The random numbers a steady-start simulation of ``runs`` windows and ``cycles`` cycles draws, and nothing else."""
    rng = np.random.default_rng(seed)
    share_down = down.mean / (up.mean + down.mean)
    for first in range(0, runs, simulation.BATCH):
        size = min(simulation.BATCH, runs - first)
        opening_down = int(np.count_nonzero(rng.random(size) < share_down))
        up.sample_residual(rng, size - opening_down)
        down.sample_residual(rng, opening_down)
        down.sample(rng, size - opening_down)
    for first in range(0, cycles - runs, simulation.BATCH):
        size = min(simulation.BATCH, cycles - runs - first)
        up.sample(rng, size)
        down.sample(rng, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed repetitions (median)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the number of windows")
    args = parser.parse_args()
    print(f"goal: >= {GOAL / 1e6:g}M cycles/s, i.e. simulation time <= baseline time x (baseline cycles/s / {GOAL / 1e6:g}M)")
    print(f"{'case':52} {'cycles':>11} {'base s':>7} {'sim s':>7} {'base M/s':>9} {'sim M/s':>8} {'outages M/s':>12} {'sim/base':>9} {'allowed':>8}  goal")
    for name, up_spec, mttf, down_spec, mttr, window, windows in CASES:
        up, down = parse_distribution(up_spec, mttf), parse_distribution(down_spec, mttr)
        windows = max(int(windows * args.scale), 1)
        sim = simulate_window(up, down, window, windows, seed=1)
        outages = int(sim.outages.sum())
        base = median_call_seconds(lambda: draw_only(up, down, windows, sim.cycles, 2), args.runs)
        seconds = median_call_seconds(lambda: simulate_window(up, down, window, windows, seed=1), args.runs)
        base_rate, rate = sim.cycles / base, sim.cycles / seconds
        allowed = base_rate / GOAL
        verdict = "ok" if rate >= GOAL else "UNDER"
        print(
            f"{name:52} {sim.cycles:11,} {base:7.3f} {seconds:7.3f} {base_rate / 1e6:9.1f} {rate / 1e6:8.1f} "
            f"{outages / seconds / 1e6:12.1f} {seconds / base:9.2f} {allowed:8.2f}  {verdict}",
            flush=True,
        )


if __name__ == "__main__":
    main()
