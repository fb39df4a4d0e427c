"""`hacalc cluster check --availability` on 32 hosts x 2,000 placed VMs: median wall time of real processes.

Goal (issue 12 §4): per-VM availability with every single and double failure set exact (k <= 2) in <= 5 s.
Level 3 (C(32,3) = 4,960 sets) is enumerated exactly too, so the goal is met with more than it asks.
Baseline, measured in the same run: the plain `cluster check` of the same file (which already enumerates
the tolerate-1 sets); the ratio is the cost of --availability on top.

Two files from scenarios/generate_cluster.py (seed 1, 32 hosts, 2,000 VMs):
  roomy   the generator's output as is (about a quarter of each host reserved): every set places every VM;
  tight   the same VMs, each host's memory cut to its reservations / 0.955: its 32 GB VMs then fit no
          survivor, so every failure set (even a single one) leaves VMs over, so every set goes through HA's restart order, the check's proofs and the wait arrays.
Run: .venv/bin/python benchmarks/bench_vm_availability.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scenarios"))

from timing import median_seconds  # noqa: E402

from generate_cluster import build, write_toml  # noqa: E402

HACALC = str(Path(sys.executable).with_name("hacalc")) if Path(sys.executable).with_name("hacalc").exists() else shutil.which("hacalc")
GOAL_S = 5.0


def write(directory: Path, name: str, fill: float | None) -> Path:
    data = build(32, 2000, fill=0.5, tolerate=1, policy="none", seed=1)
    if fill is not None:
        used: dict[str, int] = {}
        for vm in data["vms"]:
            if vm.get("host"):
                used[vm["host"]] = used.get(vm["host"], 0) + vm["memory_reservation_mb"] + vm["memory_overhead_mb"]
        for host in data["hosts"]:
            host["memory_mb"] = int(used.get(host["name"], 0) / fill)
    path = directory / f"cluster-32x2000-{name}.toml"
    with open(path, "w", encoding="utf-8") as stream:
        write_toml(data, stream)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    reliability = ["--availability", "--host-mttf", "50000h", "--host-mttr", "8h"]
    with tempfile.TemporaryDirectory() as directory:
        print(f"{'32 hosts x 2,000 placed VMs':44} {'median s':>9} {'x baseline':>11}  goal")
        for name, fill in (("roomy", None), ("tight", 0.955)):
            path = write(Path(directory), name, fill)
            check = [HACALC, "cluster", "check", str(path), "--format", "json"]
            baseline = median_seconds(check, args.runs)
            timed = median_seconds([*check, *reliability], args.runs)
            print(f"{f'cluster check, {name} (baseline)':44} {baseline:9.3f} {1.0:11.1f}")
            verdict = "ok" if timed <= GOAL_S else "OVER"
            print(f"{f'cluster check --availability, {name}':44} {timed:9.3f} {timed / baseline:11.1f}  <= {GOAL_S} s {verdict}", flush=True)
            data = json.loads(subprocess.run([*check, *reliability], capture_output=True, text=True).stdout)["availability"]
            levels = ", ".join(f"k={level['failed_hosts']}: {level['no_capacity_vm_hours_per_year']:.3g}" for level in data["levels"])
            print(f"    VM downtime {data['vm_downtime_hours_per_year']:.4g} VM-h/yr; no-capacity VM-h/yr by level: {levels}")


if __name__ == "__main__":
    main()
