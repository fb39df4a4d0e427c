"""Bad RVTools exports: one ``hacalc: error:`` line naming the file, tab, row and column, exit 2, nothing on stdout.

Each case goes through ``hacalc.readers.rvtools`` and the message the CLI prints for an InputError (``as_cli``);
a few also go through ``hacalc cluster check`` itself once the command reads exports.
"""

from __future__ import annotations

import copy
import io
import struct
import sys
import zipfile

import pytest

from contract import assert_bad_input
from hacalc.readers import rvtools_tables
from rvtools_helpers import EXAMPLE, KUBEV2V, as_cli, cli_reads_exports, generate, run_cli, write, write_rows, zip_bytes


def changed(tmp_path, change, form="xlsx"):
    export = copy.deepcopy(generate.example())
    change(export)
    return write(tmp_path, export, form)


def vhost(export, name):
    return next(row for row in export["vHost"] if row["Host"] == name)


def vm(export, tab, name):
    return next(row for row in export[tab] if row["VM"] == name)


def test_a_workbook_that_is_not_an_export_names_the_missing_tabs(tmp_path):
    path = write_rows(tmp_path, {"Sheet1": [["Name", "Cost"], ["a", 1]]})
    line = assert_bad_input(as_cli(path))
    assert line == f"not an RVTools export: no vInfo or vHost tabs (it has Sheet1), in {path}, export with RVTools 'Export all to Excel' or 'Export all to csv'"


def test_a_tab_without_a_needed_column_names_it(tmp_path):
    laid_out = generate.sheets(generate.example())
    at = laid_out["vHost"][0].index("Speed")
    laid_out["vHost"] = [row[:at] + row[at + 1 :] for row in laid_out["vHost"]]
    path = write_rows(tmp_path, laid_out)
    line = assert_bad_input(as_cli(path))
    assert line.startswith(f"tab vHost has no 'Speed' column, so it is not an RVTools vHost tab, in {path}, sheet vHost, export with RVTools")


def test_a_needed_column_given_twice_is_refused(tmp_path):
    laid_out = generate.sheets(generate.example())
    laid_out["vHost"] = [[*row, row[0]] for row in laid_out["vHost"]]  # a custom attribute called Host
    line = assert_bad_input(as_cli(write_rows(tmp_path, laid_out)))
    assert line.startswith("tab vHost has two 'Host' columns ('Host' and 'Host')")


@pytest.mark.parametrize(
    "data, what",
    [
        (b"PK\x03\x04 not really a zip", "the file is not a readable xlsx workbook or zip (corrupt or truncated)"),
        (EXAMPLE.read_bytes()[:4000], "the file is not a readable xlsx workbook or zip (corrupt or truncated)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "the workbook is encrypted or in the old .xls format"),
        (b"", "the file is not a readable xlsx workbook or zip (corrupt or truncated)"),
    ],
    ids=["not-a-zip", "truncated", "encrypted", "empty"],
)
def test_corrupt_and_encrypted_workbooks(tmp_path, data, what):
    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    assert assert_bad_input(as_cli(path)).startswith(f"{what}, in {path}")


def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zip_bytes({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": bytes(8 * 2**20)}))  # 8 MiB of zeros: ~1,000:1
    assert assert_bad_input(as_cli(path)).startswith("'xl/worksheets/sheet1.xml' inflates 1,0")


def test_a_zip_bomb_is_refused_by_its_declared_size(monkeypatch):
    monkeypatch.setattr(rvtools_tables, "MAX_UNCOMPRESSED", 50_000)
    with zipfile.ZipFile(EXAMPLE) as archive:
        declared = sum(info.file_size for info in archive.infolist())
    assert EXAMPLE.stat().st_size < 50_000 < declared
    line = assert_bad_input(as_cli(EXAMPLE))
    assert line == f"the zip declares {declared:,} bytes uncompressed, more than the 50,000 bytes limit, in {EXAMPLE}, export fewer tabs, or split the inventory"


def test_a_zip_bomb_is_refused_by_its_actual_size(tmp_path):
    """The central directory under-states a sheet's size: the sheet is inflated and counted before the xlsx reader sees it."""
    data = bytearray(EXAMPLE.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    entry = data.find(b"PK\x01\x02")  # the central directory's first entry; each has the member name at offset 46
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, 100)  # uncompressed size: 100 bytes
    path = tmp_path / "lying.xlsx"
    path.write_bytes(bytes(data))
    assert assert_bad_input(as_cli(path)) == f"'xl/worksheets/sheet1.xml' inflates past its declared size (a zip bomb?), in {path}, export it again from RVTools"


def test_a_csv_folder_without_vinfo(tmp_path):
    folder = write(tmp_path, generate.example(), "csv")
    (folder / "RVTools_tabvInfo.csv").unlink()
    line = assert_bad_input(as_cli(folder))
    assert line.startswith("not an RVTools export: no RVTools_tabvInfo.csv file (it has vCPU, vCluster, vHost, vMemory")


def test_an_empty_folder(tmp_path):
    assert assert_bad_input(as_cli(tmp_path)).startswith("not an RVTools export: no RVTools_tabvInfo.csv or RVTools_tabvHost.csv files (it has nothing RVTools writes)")


@pytest.mark.parametrize("form", ["xlsx", "csv"])
def test_a_value_that_is_not_a_number_names_file_tab_row_and_column(tmp_path, form):
    path = changed(tmp_path, lambda export: vhost(export, "esx-p2").update({"# Memory": "lots"}), form)
    line = assert_bad_input(as_cli(path))
    where = f"{path}, sheet vHost" if form == "xlsx" else f"{path / 'RVTools_tabvHost.csv'}"
    assert line == f"'lots' is not a whole number, in {where} row 3 column '# Memory', give digits only, as RVTools writes them"


def test_a_fractional_speed_is_refused(tmp_path):
    path = changed(tmp_path, lambda export: vhost(export, "esx-d1").update(Speed=2100.5))
    assert assert_bad_input(as_cli(path)).startswith(f"'2100.5' is not a whole number, in {path}, sheet vHost row 6 column 'Speed'")


def test_a_reservation_above_the_configured_memory(tmp_path):
    path = changed(tmp_path, lambda export: vm(export, "vMemory", "app-web").update(Reservation=9000))
    line = assert_bad_input(as_cli(path))
    assert line.startswith(f"the reservation 9,000 MiB is above the VM's configured 8,192 MiB, in {path}, sheet vMemory row 15 column 'Reservation'")


def test_an_unknown_restart_priority(tmp_path):
    path = changed(tmp_path, lambda export: vm(export, "vInfo", "app-web").update({"HA Restart Priority": "urgent"}))
    line = assert_bad_input(as_cli(path))
    assert line == f"'urgent' is not a restart priority vSphere has, in {path}, sheet vInfo row 15 column 'HA Restart Priority', use one of disabled, lowest, low, medium, high, highest"


def test_a_flag_that_is_neither_true_nor_false(tmp_path):
    path = changed(tmp_path, lambda export: vhost(export, "esx-p1").update({"in Maintenance Mode": "maybe"}))
    assert assert_bad_input(as_cli(path)).startswith(f"'maybe' is not True or False, in {path}, sheet vHost row 2 column 'in Maintenance Mode'")


def test_a_reset_window_of_zero(tmp_path):
    path = changed(tmp_path, lambda export: export["vCluster"][1].update({"Max Failure Window": 0}))
    assert assert_bad_input(as_cli(path)).startswith(f"a window of 0 s allows no resets at all, in {path}, sheet vCluster row 3 column 'Max Failure Window'")


def test_a_control_character_in_a_value_is_shown_escaped(tmp_path):
    path = changed(tmp_path, lambda export: vhost(export, "esx-p1").update(Speed="\x1b[31m"))
    line = assert_bad_input(as_cli(path))
    assert "\x1b" not in line and "\\x1b[31m" in line


def test_a_missing_file(tmp_path):
    assert assert_bad_input(as_cli(tmp_path / "gone.xlsx")) == f"no such file '{tmp_path / 'gone.xlsx'}', check the path"


def test_stdin_needs_the_format_and_some_bytes():
    assert assert_bad_input(as_cli("-", stdin=io.BytesIO(EXAMPLE.read_bytes()))).startswith("cannot tell the format of an RVTools export on stdin")
    assert assert_bad_input(as_cli("-", input_format="rvtools-xlsx", stdin=io.BytesIO(b""))).startswith("stdin is empty")
    assert assert_bad_input(as_cli("-", input_format="rvtools-xlsx", stdin=None)).startswith("<stdin> is closed")


def test_a_zip_of_csvs_given_as_xlsx(tmp_path):
    path = write(tmp_path, generate.example(), "zip")
    assert assert_bad_input(as_cli("-", input_format="rvtools-xlsx", stdin=io.BytesIO(path.read_bytes()))).startswith("the file is a zip but not an xlsx workbook")


def test_without_python_calamine_the_message_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    line = assert_bad_input(as_cli(EXAMPLE))
    assert line == f"reading .xlsx workbooks needs python-calamine, which is not installed, in {EXAMPLE}, install the xlsx reader: pip install 'hacalc[rvtools]' (or export to CSV)"


# Through the CLI, once `cluster check` reads exports (the lead's wiring) ---------------------------

needs_cli = pytest.mark.skipif(not cli_reads_exports(), reason="cluster check does not read RVTools exports yet")


@needs_cli
def test_cli_a_corrupt_workbook(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(EXAMPLE.read_bytes()[:4000])
    assert assert_bad_input(run_cli("cluster", "check", str(path))).startswith("the file is not a readable xlsx workbook or zip")


@needs_cli
def test_cli_a_bad_number(tmp_path):
    path = changed(tmp_path, lambda export: vhost(export, "esx-p2").update({"# Memory": "lots"}))
    assert f"in {path}, sheet vHost row 3 column '# Memory'" in assert_bad_input(run_cli("cluster", "check", str(path)))


@needs_cli
def test_cli_reads_the_kubev2v_sample():
    completed = run_cli("cluster", "check", str(KUBEV2V), "--format", "json")
    assert completed.returncode in (0, 1), completed.stderr
    assert '"overhead-from-consumed"' in completed.stdout
