"""Headroom speed (issue 13 §6): where the time goes, against one plain check of the same cluster.

Run: .venv/bin/python benchmarks/bench_planning.py [--hosts 96] [--vms 10000] [--runs 3]

The goal is headroom of a 96-host × 10,000-VM cluster with tolerate 1 in ≤ 5 s (and a maintenance plan in
≤ 10 s); not met yet. The search reruns the whole check at every step, so its time is about
steps × one check: this prints both, so a faster search (fewer or cheaper steps) shows where it gained.
The added VM is a fixed, realistic shape (4 GB and 1 GHz reserved), not the median VM, which in the
generator's clusters reserves almost nothing and would search to the VM limit.
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
    args = parser.parse_args()

    from hacalc.core.vsphere.check import check_cluster
    from hacalc.core.vsphere.inventory import cluster_to_check
    from hacalc.core.vsphere.planning import headroom
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


if __name__ == "__main__":
    main()
