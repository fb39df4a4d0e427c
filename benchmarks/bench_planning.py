"""Planning speed (issue 13 §6): headroom and a maintenance plan, against one plain check of the same cluster.

Run: .venv/bin/python benchmarks/bench_planning.py [--hosts 96] [--vms 10000] [--runs 3] [--plan]

Goals on a 96-host × 10,000-VM cluster with tolerate 1: headroom in ≤ 5 s, a maintenance plan in ≤ 10 s.
Both run the exact check at a few counts, so their time is about checks × one check: this prints both,
and the ratio to one check is the figure to compare between machines. Headroom predicts the policy's
count from its linear margins and proves it (7 checks). The plan runs one search per host (``--plan``:
it is the slow part, about three checks per host). The added VM is a fixed, realistic shape (4 GB and
1 GHz reserved), not the median VM, which in the generator's clusters reserves almost nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import median_call_seconds  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHAPE = {"cpu_reservation_mhz": 1000, "memory_reservation_mb": 4096}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=96)
    parser.add_argument("--vms", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plan", action="store_true", help="also time the maintenance plan (one headroom search per host)")
    args = parser.parse_args()

    from hacalc.core.vsphere.check import check_cluster
    from hacalc.core.vsphere.inventory import cluster_to_check
    from hacalc.core.vsphere.planning import headroom, maintenance_plan
    from hacalc.readers.inventory import load_inventory

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "cluster.toml"
        command = [sys.executable, str(ROOT / "scenarios" / "generate_cluster.py"), "--hosts", str(args.hosts), "--vms", str(args.vms), "--output", str(path)]
        subprocess.run(command, check=True, capture_output=True)
        cluster = cluster_to_check(load_inventory(str(path)).inventory.clusters[0])
    one_check = median_call_seconds(lambda: check_cluster(cluster, tolerate=1), args.runs)
    start = time.perf_counter()
    result = headroom(cluster, SHAPE, tolerate=1)
    searched = time.perf_counter() - start
    print(f"{args.hosts} hosts × {args.vms:,} VMs, tolerate 1, adding VMs of {SHAPE}:")
    print(f"  one cluster check              {one_check:7.2f} s")
    print(f"  headroom {result.count!s:>8} ({'proven' if result.proven else 'not proven'}, binds: {', '.join(result.binding) or '-'})")
    print(f"  headroom search                {searched:7.2f} s  = {result.checks} checks ≈ {searched / max(result.checks, 1):.2f} s each  ({searched / one_check:.1f}× one check; goal ≤ 5 s: {'met' if searched <= 5 else 'NOT met'})")

    if args.plan:
        start = time.perf_counter()
        steps = maintenance_plan(cluster, tolerate=1)
        planned = time.perf_counter() - start
        checks = sum(step.headroom.checks for step in steps)
        print(f"  maintenance plan ({len(steps)} steps)   {planned:7.2f} s  = {checks} checks ({planned / one_check:.1f}× one check; goal ≤ 10 s: {'met' if planned <= 10 else 'NOT met'})")


if __name__ == "__main__":
    main()
