"""A one-off command in Chinese against the same command in English: median wall times and their ratio, in one run.

Goal (issue 14 §3): under LANG=zh_CN.UTF-8 within 10 % of English (ratio <= 1.10). English opens no
catalogue; Chinese opens the compiled .mo once, on the first translated string.
Run: .venv/bin/python benchmarks/bench_locale.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL_RATIO = 1.10
HACALC = [sys.executable, "-m", "hacalc"]
COMMANDS = {
    "nines 99.99 (table)": ["nines", "99.99"],
    "availability (table)": ["availability", "--mttf", "50000h", "--mttr", "15m"],
    "compose (table)": ["compose", "series(lb=99.99%, db=parallel(99.95%, 99.95%))"],
    "cluster check (table)": ["cluster", "check", "scenarios/cluster-c-esx35.toml"],
    "incidents (table)": ["incidents", "scenarios/incidents/outages.csv", "--to", "2026-03-31"],
}
LOCALES = {"English": "en_US.UTF-8", "Chinese": "zh_CN.UTF-8"}


def wall_seconds(arguments: list[str], locale: str) -> float:
    environment = {**os.environ, "LANG": locale, "LC_ALL": "", "LC_MESSAGES": "", "NO_COLOR": "1"}
    start = time.perf_counter()
    subprocess.run(HACALC + arguments, capture_output=True, check=True, env=environment, cwd=Path(__file__).parent.parent)
    return time.perf_counter() - start


def medians(arguments: list[str], runs: int) -> dict[str, float]:
    """Runs alternate between the locales, so drift in the machine's load falls on both alike."""
    for locale in LOCALES.values():
        wall_seconds(arguments, locale)  # warm the page cache and __pycache__
    walls: dict[str, list[float]] = {name: [] for name in LOCALES}
    for _ in range(runs):
        for name, locale in LOCALES.items():
            walls[name].append(wall_seconds(arguments, locale))
    return {name: statistics.median(values) for name, values in walls.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    print(f"{'command':24} {'English ms':>11} {'Chinese ms':>11} {'ratio':>7}  goal")
    for name, arguments in COMMANDS.items():
        times = medians(arguments, runs)
        ratio = times["Chinese"] / times["English"]
        verdict = f"<= {GOAL_RATIO:.2f} {'ok' if ratio <= GOAL_RATIO else 'OVER'}"
        print(f"{name:24} {times['English'] * 1000:11.1f} {times['Chinese'] * 1000:11.1f} {ratio:7.3f}  {verdict}")


if __name__ == "__main__":
    main()
