"""The tabs of an RVTools export as plain tables: an xlsx workbook, a folder of ``RVTools_tab*.csv`` files, or a zip of them.

Only the tabs asked for are read. Zip containers (an xlsx is one) are checked before anything is
decompressed: at most ``MAX_UNCOMPRESSED`` bytes declared in all, no member inflating more than
``MAX_RATIO`` times, and every member that is read is also counted as it inflates, so a header that
under-states its size is caught too. python-calamine reads workbooks (cached values of formulas, and
only the cells that exist, whatever dimension a sheet declares); it is imported when a workbook is read.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO

from hacalc.core.errors import InputError
from hacalc.core.text import visible
from hacalc.i18n import N_, _, pgettext
from hacalc.readers.files import in_file

STDIN = "-"
STDIN_NAME = "<stdin>"
XLSX, CSV = "rvtools-xlsx", "rvtools-csv"
FORMATS = (XLSX, CSV)
SUFFIXES = {".xlsx": XLSX, ".xlsm": XLSX, ".zip": CSV}

MAX_UNCOMPRESSED = 512 * 1024 * 1024  # all members of a container together, and any one file read as it is
MAX_RATIO = 250  # real RVTools sheets inflate about 10 times; deflate itself stops near 1,032
_RATIO_FLOOR = 1024 * 1024  # small members may inflate as they like
_CHUNK = 1024 * 1024
_HEADER_SEARCH_ROWS = 10  # a header row is the first non-blank row among these
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML and legacy .xls
_CSV_NAME = re.compile(r"(?:^|.*_)tab(v[a-z0-9_]+)\.csv|(v[a-z0-9_]+)\.csv", re.IGNORECASE)
INSTALL_HINT = N_("install the xlsx reader: pip install 'hacalc[rvtools]' (or export to CSV)")
EXPORT_AGAIN = N_("export it again from RVTools")
SEND_EXPORT = N_("send the export on stdin, or give a file")
FEWER_TABS = N_("export fewer tabs, or split the inventory")


@dataclass(frozen=True)
class Table:
    """One tab: its header and data rows as read (numbers, strings, booleans, dates; '' for an empty cell)."""

    tab: str  # the tab's name as the export spells it
    where: str  # "in export.xlsx, sheet vHost" or "in RVTools_tabvHost.csv", in the language of the run
    header: tuple[str, ...]
    rows: list[list[Any]]
    header_row: int  # 1-based row number of the header; data row i is row header_row + 1 + i

    def location(self, index: int, column: str | None = None) -> str:
        """``in export.xlsx, sheet vHost row 7 column '# Memory'`` for data row ``index``, in the language of the run."""
        row = _("{where} row {row}").format(where=self.where, row=self.header_row + 1 + index)
        return _("{location} column {column}").format(location=row, column=visible(repr(column))) if column is not None else row


@dataclass(frozen=True)
class Export:
    name: str  # the file or folder as shown in messages
    kind: str  # XLSX or CSV
    tabs: tuple[str, ...]  # every tab present, as spelled
    tables: dict[str, Table]  # lower-cased tab name -> table, for the tabs asked for that are present


def export_format(path: str) -> str | None:
    """XLSX or CSV when ``path`` is a workbook, a zip or a folder, else None (a scenario file)."""
    if os.path.isdir(path):
        return CSV
    return SUFFIXES.get(os.path.splitext(path)[1].lower())


def read_tables(source: str, wanted: Iterable[str], *, input_format: str | None = None, stdin: BinaryIO | None = None) -> Export:
    """The ``wanted`` tabs of ``source``: a path, or ``-`` with ``input_format`` and the bytes on ``stdin``."""
    wanted = tuple(wanted)
    if source == STDIN:
        if input_format not in FORMATS:
            raise InputError(_("cannot tell the format of an RVTools export on stdin"), "FILE '-'", _("pass --input-format rvtools-xlsx or rvtools-csv"))
        data = _read_stdin(stdin)
        return _from_bytes(data, STDIN_NAME, input_format, wanted)
    name = visible(source)
    chosen = input_format or export_format(source)
    if os.path.isdir(source):
        return _from_folder(source, name, wanted)
    if chosen not in FORMATS:
        raise InputError(_("{name!r} is not an RVTools export").format(name=name), fix=_("give an .xlsx workbook, a folder of RVTools_tab*.csv files or a .zip of them"))
    return _from_bytes(_read_file(source, name), name, chosen, wanted)


# Bytes in ------------------------------------------------------------------------------------------


def _read_file(source: str, name: str) -> bytes:
    try:
        with open(source, "rb") as stream:
            data = stream.read(MAX_UNCOMPRESSED + 1)
    except FileNotFoundError:
        raise InputError(_("no such file {source!r}").format(source=name), fix=_("check the path")) from None
    except OSError as error:
        raise InputError(_("cannot read {source!r}: {reason}").format(source=name, reason=error.strerror), fix=_("check the path and its permissions")) from None
    except ValueError:  # a NUL byte in the name
        raise InputError(_("cannot read {source!r}: a file name cannot contain that character").format(source=name), fix=_("check the path")) from None
    _check_size(len(data), in_file(name))
    return data


def _read_stdin(stdin: BinaryIO | None) -> bytes:
    if stdin is None:
        raise InputError(_("{name} is closed").format(name=STDIN_NAME), "FILE '-'", _(SEND_EXPORT))
    try:
        data = stdin.read(MAX_UNCOMPRESSED + 1)
    except (OSError, ValueError):
        raise InputError(_("cannot read {name}").format(name=STDIN_NAME), "FILE '-'", _(SEND_EXPORT)) from None
    if isinstance(data, str):
        raise InputError(_("an RVTools export on stdin must be bytes"), "FILE '-'", _("send the .xlsx or .zip file itself"))
    if not data:
        raise InputError(_("stdin is empty"), "FILE '-'", _(SEND_EXPORT))
    _check_size(len(data), in_file(STDIN_NAME))
    return data


def _check_size(size: int, where: str) -> None:
    if size > MAX_UNCOMPRESSED:
        raise InputError(_("the export is larger than the {size} limit").format(size=_size(MAX_UNCOMPRESSED)), where, _(FEWER_TABS))


def _size(size: int) -> str:
    return f"{size // 2**20:,} MiB" if size >= 2**20 else _("{count:,} bytes").format(count=size)


def _from_bytes(data: bytes, name: str, kind: str, wanted: tuple[str, ...]) -> Export:
    if data.startswith(_OLE2_MAGIC):
        raise InputError(
            _("the workbook is encrypted or in the old .xls format"), in_file(name), _("save it from Excel as an .xlsx workbook without a password, or export to CSV")
        )
    archive = _open_zip(data, name)
    members = {info.filename for info in archive.infolist()}
    if "xl/workbook.xml" in members:
        return _from_workbook(data, archive, name, wanted)
    if kind == XLSX:
        raise InputError(
            _("the file is a zip but not an xlsx workbook"), in_file(name), _("give the workbook RVTools wrote, or pass --input-format rvtools-csv for a zip of CSVs")
        )
    return _from_csv_zip(archive, name, wanted)


def _open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise InputError(_("the file is not a readable xlsx workbook or zip (corrupt or truncated)"), in_file(name), _(EXPORT_AGAIN)) from None
    declared = 0
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            raise InputError(_("the zip is encrypted"), in_file(name), _("export it again without a password"))
        declared += info.file_size
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(
                _("{member!r} inflates {ratio:,} times, more than the {limit}:1 limit (a zip bomb?)").format(
                    member=visible(info.filename), ratio=info.file_size // max(info.compress_size, 1), limit=MAX_RATIO
                ),
                in_file(name),
                _(EXPORT_AGAIN),
            )
    if declared > MAX_UNCOMPRESSED:
        raise InputError(
            _("the zip declares {size} uncompressed, more than the {limit} limit").format(size=_size(declared), limit=_size(MAX_UNCOMPRESSED)), in_file(name), _(FEWER_TABS)
        )
    return archive


def _inflate(archive: zipfile.ZipFile, member: str, name: str) -> bytes:
    """A member's bytes; Python's zipfile stops at the declared size, which the container check bounds."""
    try:
        with archive.open(member) as stream:
            return stream.read(MAX_UNCOMPRESSED + 1)
    except zipfile.BadZipFile as error:
        if "CRC" in str(error):
            raise _bomb(member, name) from None
        raise _unpack_error(member, name, error) from None
    except (EOFError, OSError, ValueError, NotImplementedError, zlib.error) as error:
        raise _unpack_error(member, name, error) from None


def _check_inflated(data: bytes, info: zipfile.ZipInfo, name: str) -> None:
    """Inflate a member that another reader will open, counting its bytes, whatever its header declares.

    The xlsx reader inflates a member to the end of its compressed data, so the declared size proves
    nothing: the data is inflated here first, into a small buffer that is thrown away.
    """
    limit = min(info.file_size, MAX_UNCOMPRESSED)
    header = data[info.header_offset : info.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _unpack_error(info.filename, name, "bad local header")
    start = info.header_offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    raw = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        total = len(raw)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        total = _inflated_size(raw, limit, info.filename, name)
    else:
        raise _unpack_error(info.filename, name, _("compression method {method} is not used by Excel").format(method=info.compress_type))
    if total > limit:
        raise _bomb(info.filename, name)


def _inflated_size(raw: memoryview, limit: int, member: str, name: str) -> int:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total = 0
    try:
        for offset in range(0, len(raw), _CHUNK):
            pending = raw[offset : offset + _CHUNK]
            while pending:
                total += len(inflater.decompress(pending, _CHUNK))
                if total > limit:
                    return total
                pending = inflater.unconsumed_tail
        while not inflater.eof and (piece := inflater.flush()):
            total += len(piece)
    except zlib.error as error:
        raise _unpack_error(member, name, error) from None
    return total


def _unpack_error(member: str, name: str, error: object) -> InputError:
    return InputError(
        _("cannot unpack {member!r}: {reason}").format(member=visible(member), reason=visible(str(error))[:120]), in_file(name), _("export it again from RVTools (the file is corrupt)")
    )


def _bomb(member: str, name: str) -> InputError:
    return InputError(_("{member!r} inflates past its declared size (a zip bomb?)").format(member=visible(member)), in_file(name), _(EXPORT_AGAIN))


# Workbooks -----------------------------------------------------------------------------------------

_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_RELATIONSHIP_TAG = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_ATTRIBUTE = re.compile(rb'([\w:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


def _attributes(tag: bytes) -> dict[str, str]:
    values = {}
    for key, double, single in _ATTRIBUTE.findall(tag):
        text = (double or single).decode("utf-8", "replace")
        values[key.decode("ascii", "replace").split(":")[-1]] = re.sub(r"&\w+;", lambda match: _ENTITIES.get(match.group(0), match.group(0)), text)
    return values


def _sheet_members(archive: zipfile.ZipFile, name: str) -> dict[str, str]:
    """Sheet name -> zip member, from xl/workbook.xml and its relationships (both small, and size-checked here)."""
    if "xl/workbook.xml" not in archive.NameToInfo:
        raise InputError(_("the zip is not an xlsx workbook"), in_file(name), _("give the workbook RVTools wrote"))
    workbook = _inflate(archive, "xl/workbook.xml", name)
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = _inflate(archive, rels_name, name) if rels_name in archive.NameToInfo else b""
    targets = {}
    for tag in _RELATIONSHIP_TAG.findall(rels):
        values = _attributes(tag)
        target = values.get("Target", "")
        targets[values.get("Id", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    sheets = {}
    for tag in _SHEET_TAG.findall(workbook):
        values = _attributes(tag)
        sheets[values.get("name", "")] = targets.get(values.get("id", ""), "")
    return sheets


def _from_workbook(data: bytes, archive: zipfile.ZipFile, name: str, wanted: tuple[str, ...]) -> Export:
    sheet_members = _sheet_members(archive, name)
    by_lower = {sheet.lower(): sheet for sheet in sheet_members}
    chosen = [by_lower[tab.lower()] for tab in wanted if tab.lower() in by_lower]
    worksheets = {member for member in sheet_members.values()}
    read_by_calamine = [info.filename for info in archive.infolist() if info.filename not in worksheets and info.filename.endswith((".xml", ".rels"))]
    for member in [*read_by_calamine, *(sheet_members[sheet] for sheet in chosen)]:
        if member in archive.NameToInfo:
            _check_inflated(data, archive.getinfo(member), name)
    rows = _parsed_sheets(data, chosen, name)
    tables = {sheet.lower(): _table(sheet, _("in {file}, sheet {sheet}").format(file=name, sheet=visible(sheet)), rows[sheet]) for sheet in chosen}
    return Export(name, XLSX, tuple(sheet_members), tables)


def _parsed_sheets(data: bytes, sheets: list[str], name: str) -> dict[str, list[list[Any]]]:
    """Each sheet parsed by its own workbook handle in a thread: calamine parses outside the GIL, so on two
    cores vInfo, vCPU and vMemory overlap (a quarter off a 10,000-VM read)."""
    from concurrent.futures import ThreadPoolExecutor

    _open_calamine(data, name).close()  # an unreadable workbook fails once, before any thread starts

    def parse(sheet: str) -> list[list[Any]]:
        workbook = _open_calamine(data, name)
        try:
            return _sheet_rows(workbook, sheet, name)
        finally:
            workbook.close()

    with ThreadPoolExecutor(max_workers=max(1, min(3, len(sheets)))) as pool:
        return dict(zip(sheets, pool.map(parse, sheets)))


def _open_calamine(data: bytes, name: str) -> Any:
    try:
        import python_calamine
    except ImportError:
        raise InputError(_("reading .xlsx workbooks needs python-calamine, which is not installed"), in_file(name), _(INSTALL_HINT)) from None
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise InputError(_("the workbook is encrypted"), in_file(name), _("save it without a password, or export to CSV")) from None
    except (python_calamine.CalamineError, ValueError, OSError) as error:
        raise InputError(_("cannot read the workbook: {reason}").format(reason=visible(str(error))[:200]), in_file(name), _(EXPORT_AGAIN)) from None


def _sheet_rows(workbook: Any, sheet: str, name: str) -> list[list[Any]]:
    import python_calamine

    try:
        return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except (python_calamine.CalamineError, ValueError, OSError) as error:
        raise InputError(_("cannot read sheet {sheet!r}: {reason}").format(sheet=visible(sheet), reason=visible(str(error))[:200]), in_file(name), _(EXPORT_AGAIN)) from None


# CSV files -----------------------------------------------------------------------------------------


def csv_tab(filename: str) -> str | None:
    """``vInfo`` for ``RVTools_tabvInfo.csv`` (or ``vInfo.csv``), else None."""
    match = _CSV_NAME.fullmatch(os.path.basename(filename))
    return (match.group(1) or match.group(2)) if match else None


def _from_folder(folder: str, name: str, wanted: tuple[str, ...]) -> Export:
    try:
        entries = sorted(os.listdir(folder))
    except OSError as error:
        raise InputError(_("cannot list the folder {name!r}: {reason}").format(name=name, reason=error.strerror), fix=_("check the path and its permissions")) from None
    files = {tab: entry for entry in entries if (tab := csv_tab(entry)) is not None}
    tables = {}
    for tab in _chosen(files, wanted):
        path = os.path.join(folder, files[tab])
        shown = visible(os.path.join(name, files[tab]))
        tables[tab.lower()] = _csv_table(tab, pgettext("table", "in {file}").format(file=shown), _read_file(path, shown))
    return Export(name, CSV, tuple(files), tables)


def _from_csv_zip(archive: zipfile.ZipFile, name: str, wanted: tuple[str, ...]) -> Export:
    files = {tab: info.filename for info in archive.infolist() if not info.is_dir() and (tab := csv_tab(info.filename)) is not None}
    tables = {}
    for tab in _chosen(files, wanted):
        member = files[tab]
        tables[tab.lower()] = _csv_table(tab, _("in {file}, {member}").format(file=name, member=visible(member)), _inflate(archive, member, name))
    return Export(name, CSV, tuple(files), tables)


def _chosen(files: dict[str, str], wanted: tuple[str, ...]) -> list[str]:
    lower = {tab.lower(): tab for tab in files}
    return [lower[tab.lower()] for tab in wanted if tab.lower() in lower]


def _csv_table(tab: str, where: str, data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", "replace")  # RVTools on Windows may write the ANSI code page
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise InputError(_("cannot read the CSV: {reason}").format(reason=visible(str(error))), where, _(EXPORT_AGAIN)) from None
    return _table(tab, where, rows)


# Both ----------------------------------------------------------------------------------------------


def _table(tab: str, where: str, rows: list[list[Any]]) -> Table:
    """The first non-blank row is the header; trailing blank rows (formatting only) are not data."""
    header_index = next((index for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]) if any(_present(cell) for cell in row)), None)
    if header_index is None:
        return Table(tab, where, (), [], 1)
    header = tuple("" if cell is None else str(cell).strip() for cell in rows[header_index])
    data = rows[header_index + 1 :]
    end = len(data)
    while end and not any(_present(cell) for cell in data[end - 1]):
        end -= 1
    return Table(tab, where, header, data[:end], header_index + 1)


def _present(cell: Any) -> bool:
    return cell is not None and (not isinstance(cell, str) or cell.strip() != "")
