"""Reading an RVTools workbook of 100 hosts x 10,000 VMs: hacalc's reader against the raw xlsx readers, in one run.

Goals (issue §5), on the 2-core machine class:
  read_rvtools                         within 3x of the fastest raw read of the same tabs (python-calamine or
                                       openpyxl read-only, both measured here)
  the same workbook declaring 1,048,576 rows per sheet (plus a blank row, a totals row, custom columns):
                                       costs less than 0.1 s more than the plain one
  hacalc cluster check FILE --tolerate 1 --format json, end to end: <= 2 s (skipped while the command does not read exports)

The workbook comes from scenarios/rvtools/generate_rvtools.py (seed 1), with every column of a real 4.7.1.4 export.
Run: .venv/bin/python benchmarks/bench_rvtools.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import median_call_seconds, median_seconds  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "scenarios" / "rvtools" / "generate_rvtools.py"
HACALC = str(Path(sys.executable).with_name("hacalc")) if Path(sys.executable).with_name("hacalc").exists() else shutil.which("hacalc")
TABS = ("vInfo", "vCPU", "vMemory", "vHost", "vCluster", "vRP", "vSource", "vMetaData")


def generate(path: Path, *extra: str) -> Path:
    subprocess.run([sys.executable, str(GENERATOR), "--hosts", "100", "--vms", "10000", "--output", str(path), *extra], check=True)
    return path


def calamine_raw(path: Path) -> int:
    """Every cell of the tabs the check reads, as Python values: the least any calamine-based reader can do."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    cells = sum(len(row) for tab in TABS for row in workbook.get_sheet_by_name(tab).to_python())
    workbook.close()
    return cells


def openpyxl_raw(path: Path) -> int:
    """The same with openpyxl in read-only mode, which walks a sheet's declared dimension row by row."""
    from openpyxl import load_workbook

    workbook = load_workbook(str(path), read_only=True, data_only=True)
    cells = 0
    for tab in TABS:
        for row in workbook[tab].iter_rows(values_only=True):
            if any(value is not None for value in row):
                cells += len(row)
    workbook.close()
    return cells


def hacalc_read(path: Path) -> int:
    from hacalc.readers.rvtools import read_rvtools

    return sum(len(item.cluster.vms) for item in read_rvtools(str(path)).clusters)


def end_to_end(path: Path, runs: int) -> float | None:
    command = [HACALC, "cluster", "check", str(path), "--tolerate", "1", "--format", "json"]
    if subprocess.run(command, capture_output=True).returncode not in (0, 1):
        return None
    return median_seconds(command, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--openpyxl-runs", type=int, default=1, help="openpyxl takes seconds per read")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        plain = generate(Path(directory) / "rvtools-100x10000.xlsx")
        phantom = generate(Path(directory) / "rvtools-100x10000-messy.xlsx", "--messy")
        print(f"workbook: {plain.stat().st_size / 2**20:.1f} MiB ({phantom.stat().st_size / 2**20:.1f} MiB messy)", flush=True)
        baseline = median_call_seconds(lambda: calamine_raw(plain), args.runs)
        rows = [
            ("calamine raw read (baseline)", baseline, None),
            ("openpyxl read-only raw read", median_call_seconds(lambda: openpyxl_raw(plain), args.openpyxl_runs), None),
            ("hacalc read_rvtools", median_call_seconds(lambda: hacalc_read(plain), args.runs), 3.0),
        ]
        print(f"{'100 hosts x 10,000 VMs':38} {'median s':>9} {'x baseline':>11}  goal")
        for name, median, goal in rows:
            verdict = "" if goal is None else f"<= {goal}x {'ok' if median / baseline <= goal else 'OVER'}"
            print(f"{name:38} {median:9.3f} {median / baseline:11.2f}  {verdict}", flush=True)
        messy = median_call_seconds(lambda: hacalc_read(phantom), args.runs)
        extra = messy - rows[2][1]
        print(f"{'read_rvtools, 1,048,576-row dimension':38} {messy:9.3f} {messy / baseline:11.2f}  +{extra:.3f} s, < 0.1 s {'ok' if extra < 0.1 else 'OVER'}")
        phantom_calamine = median_call_seconds(lambda: calamine_raw(phantom), args.runs)
        print(f"{'calamine raw, 1,048,576-row dimension':38} {phantom_calamine:9.3f} {phantom_calamine / baseline:11.2f}")
        wall = end_to_end(plain, args.runs)
        if wall is None:
            print("end to end: skipped (hacalc cluster check does not read RVTools workbooks yet)")
        else:
            print(f"{'cluster check --tolerate 1, end to end':38} {wall:9.3f} {'':11}  <= 2 s {'ok' if wall <= 2 else 'OVER'}")


if __name__ == "__main__":
    main()
