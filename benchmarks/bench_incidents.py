"""Incident-list speed goal (issue 10 §5): 1,000,000 incident rows within 3× of reading them with Python's csv module.

Run: .venv/bin/python benchmarks/bench_incidents.py [--rows N] [--runs K]

The baseline is a process that only iterates the file with ``csv.reader``; against it, three hacalc runs on
the same generated file (benchmarks/.data/, gitignored): ``hacalc incidents --list --format csv`` (read and
write every incident back), and the full report (``--format json``: merge, count, bounds per object). The
ratio goal is the report's; the list shows what reading alone costs. Medians of K runs after a warm-up.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import median_seconds  # noqa: E402

DATA = Path(__file__).resolve().parent / ".data"
GOAL = 3.0
OBJECTS = 2000


def incidents_file(rows: int) -> Path:
    """A year of incidents over 2,000 VMs in five services, some planned, a few still open, ISO times with ms."""
    path = DATA / f"incidents_{rows}.csv"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    generator = random.Random(10)
    year = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with open(path, "w") as handle:
        handle.write("object,start,end,kind,service,note\n")
        for index in range(rows):
            start = year + timedelta(seconds=generator.uniform(0, 365 * 86400))
            end = "" if index % 10000 == 0 else _iso(start + timedelta(seconds=generator.expovariate(1 / 1800)))
            kind = "planned" if index % 20 == 0 else ""
            handle.write(f"vm{generator.randrange(OBJECTS):05d},{_iso(start)},{end},{kind},svc{index % 5},\n")
    return path


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = incidents_file(args.rows)
    hacalc = [str(Path(sys.executable).with_name("hacalc")), "incidents", str(path)]
    baseline = median_seconds([sys.executable, "-c", f"import csv\nfor row in csv.reader(open({str(path)!r}, newline='')): pass"], args.runs)
    listed = median_seconds([*hacalc, "--list", "--format", "csv"], args.runs)
    report = median_seconds([*hacalc, "--format", "json"], args.runs)
    print(f"{args.rows:,} incident rows ({path.stat().st_size / 1e6:.0f} MB), median of {args.runs}:")
    print(f"  csv.reader alone            {baseline:6.2f} s")
    print(f"  hacalc incidents --list     {listed:6.2f} s  {listed / baseline:4.1f}×")
    print(f"  hacalc incidents (report)   {report:6.2f} s  {report / baseline:4.1f}×  (goal ≤ {GOAL:g}×: {'met' if report / baseline <= GOAL else 'NOT met'})")


if __name__ == "__main__":
    main()
