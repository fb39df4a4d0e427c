"""Kubernetes node-failure check speed (issue 15 §4): 500 nodes × 20,000 pods, tolerate 1, exact in ≤ 5 s.

Run: .venv/bin/python benchmarks/bench_kubernetes.py [--nodes 500] [--pods 20000] [--runs 3]

The inventory is scenarios/kubernetes/generate_kubernetes.py's synthetic cluster, written as kubectl JSON (pods one
file per namespace, as ``kubectl get pods -n NS -o json`` writes them). The baseline, measured in the same run,
is reading the files as plain JSON (``json.loads``): every way of answering the question has to do that much, so
the ratios say what hacalc adds on top, on whatever machine this runs. Then the check's phases, so the next
step can see where the time goes: building the arrays (eligibility classes, per-node free capacity),
best-fit over every failure set at once, the proofs for the sets best-fit could not place, and the report
(PodDisruptionBudgets included).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import median_call_seconds  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 5.0


def generator():
    spec = importlib.util.spec_from_file_location("generate_kubernetes", ROOT / "scenarios" / "kubernetes" / "generate_kubernetes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def phases(inventory, tolerate: int) -> dict[str, float]:
    """One check, timed phase by phase through the module's own steps (the same calls check_kubernetes makes)."""
    import itertools

    import numpy as np

    from hacalc.core.platforms import kubernetes as k

    times = {}
    start = time.perf_counter()
    problem, lines, delays = k._problem(inventory, [])
    times["arrays"] = time.perf_counter() - start
    start = time.perf_counter()
    sets = np.array(list(itertools.combinations(range(len(problem.nodes)), tolerate)), dtype=np.int64)
    state, leftovers, load = k._screen(problem, sets)
    times["best-fit over every set"] = time.perf_counter() - start
    start = time.perf_counter()
    proofs = k._prove(problem, sets, state, leftovers, time.monotonic() + 10, True)
    times[f"proofs ({len(proofs)} sets)"] = time.perf_counter() - start
    start = time.perf_counter()
    k._report(inventory, problem, lines, sets, state, leftovers, load, proofs, tolerate, len(sets), True, delays, [])
    times["report and PDBs"] = time.perf_counter() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--pods", type=int, default=20_000)
    parser.add_argument("--tolerate", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from hacalc.core.platforms.kubernetes import check_kubernetes
    from hacalc.readers.kubectl import load_kubernetes

    with tempfile.TemporaryDirectory() as directory:
        paths = [str(path) for path in generator().write(Path(directory), *generator().synthetic(args.nodes, args.pods), per_namespace=True)]
        megabytes = sum(Path(path).stat().st_size for path in paths) / 2**20
        baseline = median_call_seconds(lambda: [json.loads(Path(path).read_text(encoding="utf-8")) for path in paths], args.runs)
        read = median_call_seconds(lambda: load_kubernetes(paths), args.runs)
        inventory = load_kubernetes(paths)
    check = median_call_seconds(lambda: check_kubernetes(inventory, args.tolerate), args.runs)
    report = check_kubernetes(inventory, args.tolerate)
    total = read + check
    print(f"{args.nodes} nodes × {args.pods:,} pods in {len(paths)} files ({megabytes:.0f} MiB), tolerate {args.tolerate}: {report.verdict} ({report.method}; exact: {report.exact})")
    print(f"  baseline: json.loads of the files {baseline:7.2f} s")
    print(f"  read (load_kubernetes)           {read:7.2f} s  ({read / baseline:.1f}× baseline)")
    print(f"  check (check_kubernetes)         {check:7.2f} s  ({check / baseline:.1f}× baseline; {report.checked_sets:,} failure sets)")
    print(f"  read + check                     {total:7.2f} s  ({total / baseline:.1f}× baseline; goal ≤ {GOAL_S:.0f} s: {'met' if total <= GOAL_S else 'NOT met'})")
    print("  where the check's time goes:")
    for phase, seconds in phases(inventory, args.tolerate).items():
        print(f"    {phase:<30} {seconds:7.2f} s")


if __name__ == "__main__":
    main()
