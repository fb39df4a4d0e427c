"""`hacalc cluster check` on 96 hosts x 10,000 placed VMs: median wall time of real processes.

Goals (issue 4 §5), end to end on the 2-core machine class, against `hacalc --version` in the same run:
  policy figures only (--no-restart-check)    <= 0.5 s
  exact restart check, every pair of hosts    <= 2 s   (tolerate 2: C(96,2) = 4,560 failure sets)
  tolerate 3 (C(96,3) = 142,880 sets)          reported, no goal

The scenario comes from scenarios/generate_cluster.py (seed 1), written once as TOML and as JSON.
Run: .venv/bin/python benchmarks/bench_cluster.py [--runs 7] [--slow-runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HACALC = str(Path(sys.executable).with_name("hacalc")) if Path(sys.executable).with_name("hacalc").exists() else shutil.which("hacalc")
GENERATOR = ROOT / "scenarios" / "generate_cluster.py"


def generate(directory: Path, file_format: str) -> Path:
    path = directory / f"cluster-96x10000.{file_format}"
    subprocess.run([sys.executable, str(GENERATOR), "--hosts", "96", "--vms", "10000", "--format", file_format, "--output", str(path)], check=True)
    return path


def median_seconds(command: list[str], runs: int) -> tuple[float, int]:
    """Median wall time over ``runs`` after one warm-up run, and the exit status (0 pass, 1 fail)."""
    status = _run(command)
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        _run(command)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls), status


def _run(command: list[str]) -> int:
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {completed.returncode}: {completed.stderr.strip()}")
    return completed.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--slow-runs", type=int, default=3, help="runs for tolerate 3, which has no goal")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        toml, json_file = generate(Path(directory), "toml"), generate(Path(directory), "json")
        check = [HACALC, "cluster", "check", "--format", "json"]
        cases = [
            ("hacalc --version (baseline)", [HACALC, "--version"], args.runs, None),
            ("policy only, TOML", [*check, str(toml), "--no-restart-check"], args.runs, 0.5),
            ("policy only, JSON", [*check, str(json_file), "--no-restart-check"], args.runs, 0.5),
            ("restart check tolerate 2, TOML", [*check, str(toml), "--tolerate", "2"], args.runs, 2.0),
            ("restart check tolerate 2, JSON", [*check, str(json_file), "--tolerate", "2"], args.runs, 2.0),
            ("restart check tolerate 3, TOML", [*check, str(toml), "--tolerate", "3"], args.slow_runs, None),
        ]
        print(f"{'96 hosts x 10,000 placed VMs':34} {'median s':>9} {'x baseline':>11} {'exit':>5}  goal")
        baseline = None
        for name, command, runs, goal in cases:
            median, status = median_seconds(command, runs)
            baseline = baseline or median
            verdict = "" if goal is None else f"<= {goal} s {'ok' if median <= goal else 'OVER'}"
            print(f"{name:34} {median:9.3f} {median / baseline:11.1f} {status:5d}  {verdict}", flush=True)


if __name__ == "__main__":
    main()
