"""Incident-list speed goal (issue 10 §5): 1,000,000 incident rows read within 3× of Python's csv module.

Run: .venv/bin/python benchmarks/bench_incidents.py [--rows N] [--runs K]

Reading, the goal: in one process, alternating, ``csv.reader`` iterating the generated file (benchmarks/.data/,
gitignored) against hacalc's reader turning it into the incident table a report works on (every time parsed,
every object named). End to end, for information: a process that only iterates the file with csv.reader
against ``hacalc incidents FILE --format json`` (start-up, reading, the sweep over every start and end, the
bounds for each of 2,000 objects, JSON). Medians of K runs after a warm-up.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import median_seconds  # noqa: E402

import csv  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

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


def reading_seconds(path: Path, runs: int) -> tuple[float, float]:
    """Medians of csv.reader and of hacalc's reader, run alternately in this process after a warm-up."""
    from zoneinfo import ZoneInfo

    from hacalc.readers.incidents import read_source

    def with_csv() -> None:
        with open(path, newline="") as handle:
            for _ in csv.reader(handle):
                pass

    def with_hacalc() -> None:
        assert len(read_source(str(path), ZoneInfo("UTC")).incident_table()) > 0

    walls: dict[str, list[float]] = {"csv": [], "hacalc": []}
    for run in range(runs + 1):
        for name, read in (("csv", with_csv), ("hacalc", with_hacalc)):
            start = time.perf_counter()
            read()
            if run:
                walls[name].append(time.perf_counter() - start)
    return statistics.median(walls["csv"]), statistics.median(walls["hacalc"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = incidents_file(args.rows)
    with_csv, with_hacalc = reading_seconds(path, args.runs)
    hacalc = [str(Path(sys.executable).with_name("hacalc")), "incidents", str(path), "--format", "json"]
    baseline = median_seconds([sys.executable, "-c", f"import csv\nfor row in csv.reader(open({str(path)!r}, newline='')): pass"], args.runs)
    report = median_seconds(hacalc, args.runs)
    print(f"{args.rows:,} incident rows ({path.stat().st_size / 1e6:.0f} MB), median of {args.runs}:")
    print("  reading, in one process:")
    print(f"    csv.reader                  {with_csv:6.2f} s")
    print(f"    hacalc's reader, to a table {with_hacalc:6.2f} s  {with_hacalc / with_csv:4.1f}×  (goal ≤ {GOAL:g}×: {'met' if with_hacalc / with_csv <= GOAL else 'NOT met'})")
    print("  end to end, processes:")
    print(f"    python csv.reader           {baseline:6.2f} s")
    print(f"    hacalc incidents -f json    {report:6.2f} s  {report / baseline:4.1f}×")


if __name__ == "__main__":
    main()
