"""Planning speed (issue 13 §6): headroom and a maintenance plan, against one plain check of the same cluster.

Run: .venv/bin/python benchmarks/bench_planning.py [--hosts 96] [--vms 10000] [--runs 3] [--plan] [--parallel 2] [--host-sizes 96]

Goals on a 96-host × 10,000-VM cluster with tolerate 1: headroom in ≤ 5 s, a maintenance plan in ≤ 10 s.
The ratio to one check, measured in the same run, is the figure to compare between machines.

Headroom runs the exact check at a few counts, so its time is about checks × one check: it predicts the
policy's count from its linear margins and proves it (7 checks). The added VM is a fixed, realistic shape
(4 GB and 1 GHz reserved), not the median VM, which in the generator's clusters reserves almost nothing.

The plan (``--plan``) does not check each step on its own. Its steps add the same median VMs (up to
1,000) to the same VMs, so a step's policy figures depend only on the capacities left: the generator's
hosts are all alike, so two policy-only checks serve all 96 steps (about 40 % of the plan's time, most of
it the per-VM requirements and slot figures). Maintenance of h and then a failure of x is the failure of
{h, x}: one screen of those 4,560 sets over the whole cluster (building the restart problem once, then
bounds and vectorised best-fit: the other 60 %) proves every step's restart check. A step the screen
cannot prove gets its own headroom search (the line says how many did). ``--host-sizes N`` plans with
hosts of N different capacities, which share no policy checks: with 96, 192 policy-only checks (each
mostly per-VM work: requirements, validation, slot figures) take nearly all of the plan's time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
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
    parser.add_argument("--plan", action="store_true", help="also time the maintenance plan (a headroom to 1,000 median VMs per host)")
    parser.add_argument("--parallel", type=int, default=1, help="hosts per maintenance step in the plan")
    parser.add_argument("--host-sizes", type=int, default=1, help="plan with hosts of this many different CPU capacities (1 GHz apart)")
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
        hosts = tuple(replace(host, cpu_mhz=host.cpu_mhz + (number % args.host_sizes) * 1000) for number, host in enumerate(cluster.hosts))
        start = time.perf_counter()
        steps = maintenance_plan(replace(cluster, hosts=hosts), tolerate=1, parallel=args.parallel)
        planned = time.perf_counter() - start
        checks = sum(step.headroom.checks for step in steps)
        on_their_own = sum(step.headroom.at_count is not None or step.headroom.at_next is not None for step in steps)  # screened steps keep no report
        sizes = "" if args.host_sizes == 1 else f", hosts of {args.host_sizes} sizes"
        print(
            f"  maintenance plan ({len(steps)} steps{sizes})   {planned:7.2f} s  = {checks} checks, {on_their_own} steps searched on their own, the rest screened "
            f"({planned / one_check:.1f}× one check; goal ≤ 10 s: {'met' if planned <= 10 else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
