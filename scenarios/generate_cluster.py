"""Write a large, reproducible cluster scenario: many hosts, thousands of placed VMs.

The default is the vSphere 8 scale the benchmark uses: 96 hosts × 10,000 powered-on VMs, every VM placed,
the reserved memory filling about half of each host, so that any two (or three) hosts can fail.

    .venv/bin/python scenarios/generate_cluster.py --output /tmp/cluster-96x10000.toml
    .venv/bin/python scenarios/generate_cluster.py --hosts 32 --vms 2000 --fill 0.8 --format json

Only the standard library is used, and the same --seed always gives the same file.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from typing import Any, TextIO

HOST_CPU_MHZ = 2 * 28 * 2500  # two 28-core sockets at 2.5 GHz, less nothing: capacity available to VMs
HOST_MEMORY_MB = 768 * 1024
RESTART_PRIORITIES = ("lowest", "low", "medium", "medium", "medium", "high", "highest")


def build(hosts: int, vms: int, *, fill: float, tolerate: int, policy: str, seed: int) -> dict[str, Any]:
    """The scenario as plain data: hosts named esx-1 … esx-N, VMs vm-00001 … placed where they fit."""
    rng = random.Random(seed)
    host_names = [f"esx-{number}" for number in range(1, hosts + 1)]
    free_memory = dict.fromkeys(host_names, int(HOST_MEMORY_MB * fill))
    free_cpu = dict.fromkeys(host_names, int(HOST_CPU_MHZ * fill))
    width = len(str(vms))
    machines = []
    for number in range(1, vms + 1):
        vm = _vm(rng, f"vm-{number:0{width}d}")
        need_memory = vm["memory_reservation_mb"] + vm["memory_overhead_mb"]
        candidates = rng.sample(host_names, k=min(8, hosts))
        host = max(candidates, key=lambda name: free_memory[name])
        if free_memory[host] >= need_memory and free_cpu[host] >= vm["cpu_reservation_mhz"]:
            free_memory[host] -= need_memory
            free_cpu[host] -= vm["cpu_reservation_mhz"]
            vm["host"] = host
        else:
            vm["powered_on"] = False  # no room within the fill target: keep it, but off
        machines.append(vm)
    cluster: dict[str, Any] = {"name": f"generated-{hosts}x{vms}", "vsphere": "8.0", "policy": policy, "tolerate": tolerate}
    if policy == "percentage":
        cluster["auto_percent"] = True
    return {
        "cluster": cluster,
        "hosts": [{"name": name, "cpu_mhz": HOST_CPU_MHZ, "memory_mb": HOST_MEMORY_MB} for name in host_names],
        "vms": machines,
    }


def _vm(rng: random.Random, name: str) -> dict[str, Any]:
    """A VM drawn from a typical mix: most reserve nothing, some reserve memory, a few are large."""
    kind = rng.random()
    if kind < 0.6:
        cpu, memory = 0, 0
    elif kind < 0.93:
        cpu, memory = rng.choice((0, 0, 500, 1000)), rng.choice((1024, 2048, 4096, 8192))
    else:
        cpu, memory = rng.choice((2000, 4000, 8000)), rng.choice((16384, 32768))
    return {
        "name": name,
        "cpu_reservation_mhz": cpu,
        "memory_reservation_mb": memory,
        "memory_overhead_mb": rng.randint(30, 250),
        "powered_on": True,
        "restart_priority": rng.choice(RESTART_PRIORITIES),
    }


def write_toml(data: dict[str, Any], stream: TextIO) -> None:
    stream.write("[cluster]\n")
    for key, value in data["cluster"].items():
        stream.write(f"{key} = {_toml_value(value)}\n")
    for section in ("hosts", "vms"):
        for entry in data[section]:
            stream.write(f"\n[[{section}]]\n")
            for key, value in entry.items():
                stream.write(f"{key} = {_toml_value(value)}\n")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string for these ASCII names
    return str(value)


def write_yaml(data: dict[str, Any], stream: TextIO) -> None:
    stream.write("cluster:\n")
    for key, value in data["cluster"].items():
        stream.write(f"  {key}: {json.dumps(value)}\n")
    for section in ("hosts", "vms"):
        stream.write(f"{section}:\n")
        for entry in data[section]:
            lines = [f"{key}: {json.dumps(value)}" for key, value in entry.items()]
            stream.write("  - " + "\n    ".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=96, help="number of hosts (default 96, the vSphere 8 maximum)")
    parser.add_argument("--vms", type=int, default=10_000, help="number of VMs (default 10000)")
    parser.add_argument("--fill", type=float, default=0.5, help="share of each host's capacity the placed reservations may fill")
    parser.add_argument("--tolerate", type=int, default=2, help="host failures to tolerate (default 2)")
    parser.add_argument("--policy", choices=("slot", "percentage", "failover-hosts", "none"), default="percentage")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=("toml", "json", "yaml"), default="toml")
    parser.add_argument("--output", "-o", help="file to write (default stdout)")
    args = parser.parse_args(argv)
    if args.hosts < 1 or args.vms < 0 or not 0 < args.fill <= 1:
        parser.error("need --hosts >= 1, --vms >= 0 and 0 < --fill <= 1")
    data = build(args.hosts, args.vms, fill=args.fill, tolerate=args.tolerate, policy=args.policy, seed=args.seed)
    stream = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        if args.format == "json":
            json.dump(data, stream, indent=1)
            stream.write("\n")
        else:
            (write_toml if args.format == "toml" else write_yaml)(data, stream)
    finally:
        if args.output:
            stream.close()


if __name__ == "__main__":
    main()
