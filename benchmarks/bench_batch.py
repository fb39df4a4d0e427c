"""Batch speed goal (issue 2 §4): 1,000,000 CSV rows -> CSV in no more time than awk, memory flat in the input size.

Run: .venv/bin/python benchmarks/bench_batch.py [--rows N] [--runs K]

awk and hacalc run alternately on the same generated file (benchmarks/.data/, gitignored), each writing its
CSV to a file; the medians are compared. awk computes two columns at 6 significant digits; hacalc writes four
(availability, unavailability, nines, downtime per year) at full float precision. Peak RSS comes from
wait4() for each child, for 100k and for 1M rows.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / ".data"
AWK_PROGRAM = 'NR==1{print $0",availability,unavailability"; next}{s=$1+$2; print $0","$1/s","$2/s}'


def rows_file(rows: int) -> Path:
    """mttf,mttr in bare hours, like a CMDB export: whole-hour MTTFs, repair times to the hundredth."""
    path = DATA / f"rows_{rows}.csv"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        generator = random.Random(2)
        lines = (f"{generator.randint(1000, 100000)},{generator.randint(1, 4800) / 100}\n" for _ in range(rows))
        with open(path, "w") as handle:
            handle.write("mttf,mttr\n")
            handle.writelines(lines)
    return path


def hacalc_command(path: Path) -> list[str]:
    return [sys.executable, "-m", "hacalc", "availability", "--input", str(path), "--format", "csv"]


def awk_command(path: Path) -> list[str]:
    return [shutil.which("awk") or "awk", "-F,", AWK_PROGRAM, str(path)]


def timed(command: list[str], output: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run writing stdout to ``output``."""
    with open(output, "wb") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()

    path = rows_file(arguments.rows)
    times: dict[str, list[float]] = {"awk": [], "hacalc": []}
    for _ in range(arguments.runs):  # alternate, so both see the same machine load
        times["awk"].append(timed(awk_command(path), DATA / "out_awk.csv")[0])
        times["hacalc"].append(timed(hacalc_command(path), DATA / "out_hacalc.csv")[0])
    awk, hacalc = (statistics.median(values) for values in times.values())
    print(f"{arguments.rows:,} CSV rows -> CSV, median of {arguments.runs} alternating runs (awk: {shutil.which('awk')})")
    print(f"  awk     {awk:6.3f} s   runs {' '.join(f'{value:.3f}' for value in times['awk'])}")
    print(f"  hacalc  {hacalc:6.3f} s   runs {' '.join(f'{value:.3f}' for value in times['hacalc'])}")
    print(f"  ratio hacalc/awk {hacalc / awk:.2f}  (goal <= 1.00)")

    small = rows_file(100_000)
    small_rss = timed(hacalc_command(small), DATA / "out_small.csv")[1]
    large_rss = timed(hacalc_command(path), DATA / "out_hacalc.csv")[1]
    print(f"  peak RSS  100,000 rows {small_rss / 1024:.0f} MiB;  {arguments.rows:,} rows {large_rss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
