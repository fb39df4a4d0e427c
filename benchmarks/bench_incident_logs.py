"""Reading a large hostd log for HA events: hacalc's read_host_log against grep -c, in one run.

Goals (ratios against grep measured here, never absolute times):
  read_host_log(input_format="hostd-log")  within 2x of grep -c for the HA event lines it reads
  read_host_log(input_format=None)         within 2x of the same grep (both logs' events looked for, per line)
  peak RSS of a process that reads the log  flat: the same for 200 MB and 1 GB (chunks, never the whole file)

The log is generated: ESXi 6.x-8.x hostd lines (task, property collector, login events, vmx lines), one line
in 1,000 an HA event (a VM reset, then powered on 2.3 s later; reference inventories.md §3.2 prefixes,
seed handbook lines 218-260 for the event text), one in 250 another hostd event (a login) that the reader
must look at and skip. It is written to a temporary directory and read from the page cache by both.

grep runs with LC_ALL=C and its output to a pipe (GNU grep stops at the first match when it writes to
/dev/null). The goal's grep finds the lines the reader uses, case-insensitively as the reader does:
  grep -c -i -E 'Event [0-9]+ : .* is (reset|powered on)|State Transition|changed state|VmRestartedByHAEvent'
Two narrower greps are shown for comparison.

Run: .venv/bin/python benchmarks/bench_incident_logs.py [--size-mb 1024] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import median_call_seconds  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EVENT_EVERY = 1000
OTHER_EVENT_EVERY = 250
PATTERN = "Event [0-9]+ : .* is (reset|powered on)|State Transition|changed state|VmRestartedByHAEvent"
GREPS = (
    ("grep -c -i -E <every event the reader uses> (baseline)", ["-c", "-i", "-E", PATTERN]),
    ("grep -c -E <the same, case-sensitive>", ["-c", "-E", PATTERN]),
    ("grep -c -E 'Event [0-9]+ : .* is (reset|powered on)'", ["-c", "-E", "Event [0-9]+ : .* is (reset|powered on)"]),
)
_ORDINARY = (
    "info hostd[2099572] [Originator@6876 sub=Vimsvc.TaskManager opID=5f2a{n:05x}-a1 user=vpxuser:VSPHERE.LOCAL\\vpxd-extension] "
    "Task Created : haTask-ha-host-vim.HostSystem.retrieveInternalCapability-{n}",
    "info hostd[2099572] [Originator@6876 sub=Vimsvc.TaskManager opID=5f2a{n:05x}-a1 user=vpxuser:VSPHERE.LOCAL\\vpxd-extension] "
    "Task Completed : haTask-ha-host-vim.HostSystem.retrieveInternalCapability-{n} Status success",
    "verbose hostd[2099580] [Originator@6876 sub=PropertyProvider opID=5f2a{n:05x}-a2 user=vpxuser] "
    "RecordOp ASSIGN: info.progress, haTask--vim.SearchIndex.findByUuid-{n}. Applied change to temp map.",
    "info hostd[2099575] [Originator@6876 sub=Vmsvc.vm:/vmfs/volumes/5f1c9a2e-7d3b1c40-1a2b-00505681aa{m:02d}/app{m:02d}/app{m:02d}.vmx] "
    "Tools manifest version status changed from guestToolsCurrent to guestToolsCurrent on vm app{m:02d}",
    "verbose hostd[2099581] [Originator@6876 sub=Hostsvc.DatastoreSystem opID=5f2a{n:05x}-a3] "
    "RefreshVdiskDatastores: Done refreshing datastores.",
)


def generate(path: Path, size: int) -> int:
    """A hostd log of about ``size`` bytes; the number of HA event lines in it."""
    events = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        written, n, block = 0, 0, []
        while written < size:
            n += 1
            seconds = n // 20  # twenty lines a second
            stamp = f"2023-07-{4 + seconds // 86400:02d}T{seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{n % 1000:03d}Z"
            if n % EVENT_EVERY == 0:
                events += 1
                pair_number, second = divmod(n // EVENT_EVERY - 1, 2)
                what = "powered on" if second else "reset"  # reset first, the same VM powered on 1,000 lines later
                vm = pair_number % 500
                line = f"{stamp} info hostd[2099572] [Originator@6876 sub=Vimsvc.ha-eventmgr opID=vim-cmd-{n:x}] Event {n} : vm{vm:03d} on esx01.lab.local in ha-datacenter is {what}"
            elif n % OTHER_EVENT_EVERY == 0:
                line = f"{stamp} info hostd[2099572] [Originator@6876 sub=Vimsvc.ha-eventmgr] Event {n} : User vpxuser@127.0.0.1 logged in as VMware-client/6.5.0"
            else:
                line = f"{stamp} " + _ORDINARY[n % len(_ORDINARY)].format(n=n % 1_000_000, m=n % 50)
            block.append(line)
            written += len(line) + 1
            if len(block) == 10_000:
                out.write("\n".join(block) + "\n")
                block.clear()
        if block:
            out.write("\n".join(block) + "\n")
    return events


def grep_count(arguments: list[str], path: Path) -> int:
    completed = subprocess.run(["grep", *arguments, str(path)], stdout=subprocess.PIPE, env={**os.environ, "LC_ALL": "C"}, check=False)
    return int(completed.stdout or 0)


def read_log(path: Path, input_format: str | None) -> int:
    from datetime import timezone

    from hacalc.readers.hostlogs import read_host_log

    with open(path, "rb") as stream:
        return read_host_log(stream, path.name, timezone.utc, input_format).lines_used


_RSS_SCRIPT = """
import resource, sys
from datetime import timezone
import numpy
from hacalc.readers.hostlogs import read_host_log

def peak_kib():
    # VmHWM is this process's own peak; getrusage's ru_maxrss also keeps the benchmark's peak from before exec
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1 if sys.platform == "linux" else 1024)

before = peak_kib()
with open(sys.argv[1], "rb") as stream:
    read_host_log(stream, "log", timezone.utc)
print(before, peak_kib())
"""


def peak_rss_mib(path: Path) -> tuple[float, float]:
    """Peak RSS (MiB) of a fresh process after its imports (numpy included), and after reading ``path``."""
    completed = subprocess.run([sys.executable, "-c", _RSS_SCRIPT, str(path)], capture_output=True, text=True, check=True, cwd=ROOT)
    before, after = (int(value) / 1024 for value in completed.stdout.split())
    return before, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="size of the generated log in MiB (default 1024)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        log = Path(directory) / "hostd.log"
        start = time.perf_counter()
        events = generate(log, args.size_mb * 2**20)
        print(f"log: {log.stat().st_size / 2**20:,.0f} MiB, {events:,} HA event lines, generated in {time.perf_counter() - start:.1f} s", flush=True)
        counts = {label: grep_count(arguments, log) for label, arguments in GREPS}
        used = read_log(log, None)
        if used != events or counts[GREPS[0][0]] != events:
            raise SystemExit(f"the reader used {used:,} lines and grep counted {counts[GREPS[0][0]]:,}, where {events:,} were written")
        baseline = median_call_seconds(lambda: grep_count(GREPS[0][1], log), args.runs)
        rows: list[tuple[str, float, float | None]] = [(GREPS[0][0], baseline, None)]
        rows += [(label, median_call_seconds(lambda arguments=arguments: grep_count(arguments, log), args.runs), None) for label, arguments in GREPS[1:]]
        rows.append(('read_host_log(input_format="hostd-log")', median_call_seconds(lambda: read_log(log, "hostd-log"), args.runs), 2.0))
        rows.append(("read_host_log(input_format=None)", median_call_seconds(lambda: read_log(log, None), args.runs), 2.0))
        print(f"{'':58} {'median s':>9} {'x baseline':>11}  goal")
        for name, median, goal in rows:
            verdict = "" if goal is None else f"<= {goal}x {'ok' if median / baseline <= goal else 'OVER'}"
            print(f"{name:58} {median:9.3f} {median / baseline:11.2f}  {verdict}", flush=True)
        before, after = peak_rss_mib(log)
        print(f"peak RSS of a process reading the log: {before:.0f} MiB after imports, {after:.0f} MiB after reading "
              f"{log.stat().st_size / 2**20:,.0f} MiB (+{after - before:.0f} MiB: the chunk buffers, whatever the size)")


if __name__ == "__main__":
    main()
