"""Shared by the RVTools reader tests: the generator as a module, exports written three ways, and the CLI contract."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from hacalc.core.errors import InputError
from hacalc.core.text import visible
from hacalc.readers.rvtools import read_rvtools

ROOT = Path(__file__).resolve().parents[2]
KUBEV2V = ROOT / "tests" / "fixtures" / "rvtools" / "kubev2v-migration-planner_example1.xlsx"
EXAMPLE = ROOT / "scenarios" / "rvtools" / "rvtools-two-clusters.xlsx"
EXAMPLE_CSV = ROOT / "scenarios" / "rvtools" / "rvtools-two-clusters"
_spec = importlib.util.spec_from_file_location("generate_rvtools", ROOT / "scenarios" / "rvtools" / "generate_rvtools.py")
generate = importlib.util.module_from_spec(_spec)
sys.modules["generate_rvtools"] = generate  # dataclasses look their module up while the class is built
_spec.loader.exec_module(generate)


def write(tmp_path: Path, export: dict, form: str = "xlsx", *, headers: str = "4.x", messy: bool = False, name: str = "export") -> Path:
    """``export`` (tab -> rows keyed by 4.x header) written as an xlsx, a CSV folder or a zip of CSVs."""
    laid_out = generate.sheets(export, headers=headers, messy=messy)
    if form == "xlsx":
        path = tmp_path / f"{name}.xlsx"
        generate.write_xlsx(laid_out, path, phantom=messy)
    elif form == "zip":
        path = tmp_path / f"{name}.zip"
        generate.write_csv_zip(laid_out, path)
    else:
        path = tmp_path / name
        generate.write_csv_folder(laid_out, path)
    return path


def write_rows(tmp_path: Path, tabs: dict[str, list[list]], name: str = "raw.xlsx") -> Path:
    """Sheets given cell by cell (header first), for exports no generator option produces."""
    path = tmp_path / name
    generate.write_xlsx(tabs, path)
    return path


@dataclass
class Result:
    """What the CLI would show for a read: HacalcGroup prints ``hacalc: error: <visible(str(error))>`` and exits 2."""

    exit_code: int
    stdout: str
    stderr: str


def as_cli(source, **options) -> Result:
    try:
        read_rvtools(str(source), **options)
    except InputError as error:
        return Result(2, "", f"hacalc: error: {visible(str(error))}\n")
    return Result(0, "read", "")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("hacalc")), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def cli_reads_exports() -> bool:
    """Whether ``cluster check`` is wired to this reader yet (the lead's part)."""
    completed = run_cli("cluster", "check", str(EXAMPLE), "--format", "json")
    return completed.returncode in (0, 1)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return stream.getvalue()
