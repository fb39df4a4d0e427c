"""An RVTools export (xlsx workbook, CSV folder or zip of CSVs) into an ``Inventory`` of checkable clusters.

Columns are found by name, never by position: case-insensitively, with the 3.x ``MB`` and 4.x ``MiB``
spellings (the same base-2 unit either way) and the ``-DBColumnNames`` spellings. Hosts carry physical
capacity (``Speed`` × ``# Cores``, ``# Memory``); the hypervisor's share is the caller's to subtract.
Everything the data lacks or gets wrong becomes a counted ``DataWarning``; nothing is dropped silently,
and a value that cannot be read stops the whole read with its file, tab, row and column.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, BinaryIO

from hacalc.core.errors import InputError
from hacalc.core.text import visible
from hacalc.core.vsphere.check import MAX_CAPACITY
from hacalc.core.vsphere.inventory import Capacity, Inventory, InventoryCluster, Source
from hacalc.core.warnings import DataWarning
from hacalc.core.vsphere.model import VM, Cluster, ClusterSettings, Host, HostState, Policy, RestartPriority, VmMonitoring
from hacalc.core.vsphere.versions import SUPPORTED_VERSIONS, parse_version_number, profile
from hacalc.i18n import N_, Message, _, joined, plural
from hacalc.readers.cluster import MAX_HOSTS, MAX_VMS
from hacalc.readers.files import in_file
from hacalc.readers.platform_exports import counted
from hacalc.readers.rvtools_tables import XLSX, Export, Table, export_format, read_tables

DEFAULT_VERSION = "8.0"
EXAMPLES = 5  # names kept per warning
# ``{count:,} VM``, ``{count:,} VMs``…: what a counted warning counts, said in the language of the run.
VMS = (N_("{count:,} VM"), N_("{count:,} VMs"))
POWERED_ON_VMS = (N_("{count:,} powered-on VM"), N_("{count:,} powered-on VMs"))
HOSTS = (N_("{count:,} host"), N_("{count:,} hosts"))

# Canonical column (the 4.x header) -> other spellings: 3.x MB names, -DBColumnNames names, case variants.
_VM_COMMON = ("VM", "Powerstate", "Template", "SRM Placeholder", "Cluster", "Host", "VM ID", "VI SDK Server", "VI SDK UUID")


def _vm_aliases(prefix: str) -> dict[str, tuple[str, ...]]:
    """The columns vInfo, vCPU and vMemory share, with their -DBColumnNames spellings (``vMemoryVMName``…)."""
    return {
        "VM": (f"{prefix}VMName",),
        "Powerstate": (f"{prefix}Powerstate",),
        "Template": (f"{prefix}Template",),
        "SRM Placeholder": (f"{prefix}SRMPlaceHolder",),
        "Cluster": (f"{prefix}Cluster",),
        "Host": (f"{prefix}Host",),
        "VM ID": (f"{prefix}VMID",),
        "VI SDK Server": (f"{prefix}VISDKServer",),
        "VI SDK UUID": (f"{prefix}VISDKUUID", "vCenter UUID"),
    }


COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "vInfo": {
        **_vm_aliases("vInfo"),
        "Connection state": ("vInfoConnectionState",),
        "CPUs": ("vInfoCPUs",),
        "Memory": ("vInfoMemory", "Memory MiB", "Memory MB"),
        "HA Restart Priority": ("vInfoHARestartPriority",),
        "VI SDK API Version": ("vInfoVISDKAPIVersion",),
    },
    "vCPU": {**_vm_aliases("vCPU"), "CPUs": ("vCPUCPUs",), "Reservation": ("vCPUReservation", "CPU Reservation")},
    "vMemory": {
        **_vm_aliases("vMemory"),
        "Size MiB": ("Size MB", "vMemorySizeMiB", "vMemorySizeMB"),
        "Memory Reservation Locked To Max": ("vMemoryReservationLockedToMax",),
        "Overhead": ("vMemoryOverhead", "Overhead MiB", "Overhead MB"),
        "Consumed Overhead": ("vMemoryConsumedOverhead", "Consumed Overhead MiB", "Consumed Overhead MB"),
        "Reservation": ("vMemoryReservation", "Memory Reservation"),
    },
    "vHost": {
        "Host": ("vHostName",),
        "Cluster": ("vHostCluster",),
        "in Maintenance Mode": ("vHostInMaintenanceMode", "Maintenance Mode"),
        "in Quarantine Mode": ("vHostInQuarantineMode", "Quarantine Mode"),
        "Speed": ("vHostCpuMhz", "Speed MHz", "CPU Speed"),
        "# Cores": ("vHostNumCpuCores", "#Cores", "Num Cores"),
        "# Memory": ("vHostMemorySize", "#Memory", "Memory MiB", "Memory MB"),
        "ESX Version": ("vHostFullName",),
        "VI SDK Server": ("vHostVISDKServer",),
    },
    "vCluster": {
        "Name": ("vClusterName", "Cluster"),
        "NumHosts": ("vClusterNumHosts",),
        "TotalCpu": ("vClusterTotalCpu",),
        "TotalMemory": ("vClusterTotalMemory",),
        "Effective Cpu": ("vClusterEffectiveCpu",),
        "Effective Memory": ("vClusterEffectiveMemory",),
        "HA enabled": ("vClusterHAEnabled",),
        "Failover Level": ("vClusterFailoverLevel",),
        "AdmissionControlEnabled": ("Admission Control Enabled", "vClusterAdmissionControlEnabled"),
        "Host monitoring": ("vClusterHostMonitoring",),
        "Isolation Response": ("vClusterIsolationResponse",),
        "Restart Priority": ("vClusterRestartPriority",),
        "Max Failures": ("vClusterMaxFailures",),
        "Max Failure Window": ("vClusterMaxFailureWindow",),
        "Failure Interval": ("vClusterFailureInterval",),
        "Min Up Time": ("vClusterMinUpTime",),
        "VM Monitoring": ("vClusterVMMonitoring",),
        "DRS enabled": ("vClusterDRSEnabled",),
        "DPM enabled": ("vClusterDPMEnabled",),
        "VI SDK Server": ("vClusterVISDKServer",),
    },
    "vRP": {
        "Resource Pool path": ("vRPPath",),
        "# VMs total": ("vRPNumVMsTotal",),
        "CPU reservation": ("vRPCpuReservation",),
        "CPU reservationUsed": ("vRPCpuReservationUsed",),
        "VI SDK Server": ("vRPVISDKServer",),
    },
    "vSource": {"Name": (), "Version": (), "API version": (), "Fullname": (), "VI SDK Server": ()},
    "vMetaData": {"RVTools major version": (), "RVTools version": (), "xlsx creation datetime": ("csv creation datetime",), "Server": ()},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "vInfo": ("VM", "Powerstate", "Cluster", "Host"),
    "vCPU": ("VM", "Reservation"),
    "vMemory": ("VM", "Reservation"),
    "vHost": ("Host", "Cluster", "Speed", "# Cores", "# Memory"),
    "vCluster": ("Name",),
    "vRP": ("Resource Pool path",),
    "vSource": (),
    "vMetaData": (),
}
TABS = tuple(COLUMNS)

# Every warning kind, stable (JUnit case names, JSON); docs/rvtools.md explains each.
WARNING_KINDS = (
    "tab-missing",
    "blank-rows",
    "unnamed-rows",
    "vm-without-cluster",
    "host-without-cluster",
    "cluster-without-hosts",
    "cluster-not-in-vcluster",
    "vm-rows-unjoined",
    "vm-reservations-missing",
    "duplicate-host",
    "version-newer-than-profiles",
    "version-older-than-profiles",
    "host-without-capacity",
    "host-in-quarantine",
    "vm-host-unmatched",
    "vm-without-host",
    "vm-not-connected",
    "duplicate-vm-name",
    "memory-size-mismatch",
    "overhead-from-consumed",
    "overhead-missing",
    "export-filtered",
    "ha-disabled",
    "host-monitoring-disabled",
)

_TRUE, _FALSE = frozenset({"true", "yes", "1"}), frozenset({"false", "no", "0"})
_VERSION_IN_TEXT = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")
_CLUSTER_DEFAULT_PRIORITY = frozenset({"", "clusterrestartpriority", "cluster default", "default"})


def looks_like_rvtools(path: str) -> bool:
    """True for what ``read_rvtools`` reads and a scenario file never is: an .xlsx, a .zip or a folder."""
    return export_format(path) is not None


def read_rvtools(source: str, *, input_format: str | None = None, stdin: BinaryIO | None = None) -> Inventory:
    """Every cluster of the export that can be checked, with the warnings its data raised.

    ``source`` is an .xlsx, a .zip or a folder, or ``-`` with ``input_format`` "rvtools-xlsx" or
    "rvtools-csv" and the bytes on ``stdin``. Raises InputError, naming the file, tab, row and column,
    for an export that is not RVTools or a value that cannot be read.
    """
    export = read_tables(source, TABS, input_format=input_format, stdin=stdin)
    return _Reader(export).inventory()


# Cells ---------------------------------------------------------------------------------------------


def _normal(header: str) -> str:
    return " ".join(header.split()).casefold()


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return "True" if cell else "False"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (datetime, date, time)):
        return cell.isoformat(sep=" ") if isinstance(cell, datetime) else cell.isoformat()
    return str(cell)


@dataclass
class _Tab:
    """A table with its columns found: typed getters that name the row and column of a bad value."""

    table: Table
    columns: dict[str, int]  # canonical -> index
    headers: dict[str, str]  # canonical -> the header as the file spells it

    def has(self, column: str) -> bool:
        return column in self.columns

    def cell(self, row: list[Any], column: str) -> Any:
        index = self.columns.get(column)
        return row[index] if index is not None and index < len(row) else None

    def text(self, row: list[Any], column: str) -> str:
        return _text(self.cell(row, column))

    def error(self, index: int, column: str, what: str, fix: str) -> InputError:
        return InputError(what, self.table.location(index, self.headers.get(column, column)), fix)

    def whole(self, row: list[Any], index: int, column: str, *, minimum: int = 0, maximum: int = MAX_CAPACITY) -> int | None:
        """A whole number, or None for an empty cell; anything else is refused with its location."""
        cell = self.cell(row, column)
        if cell is None or cell == "" or (isinstance(cell, str) and not cell.strip()):
            return None
        value = _whole_value(cell)
        if value is None:
            raise self.error(index, column, _("{value} is not a whole number").format(value=_shown(cell)), _("give digits only, as RVTools writes them"))
        if not minimum <= value <= maximum:
            raise self.error(index, column, _("{value:,} is out of range").format(value=value), _("give a whole number from {minimum} to {maximum:,}").format(minimum=minimum, maximum=maximum))
        return value

    def flag(self, row: list[Any], index: int, column: str) -> bool | None:
        cell = self.cell(row, column)
        if isinstance(cell, bool):
            return cell
        text = _text(cell).lower()
        if not text:
            return None
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise self.error(index, column, _("{value} is not True or False").format(value=_shown(cell)), _("give True or False, as RVTools writes them"))


def _shown(cell: Any) -> str:
    """A cell's text as an error shows it: quoted, escaped, cut at 40 characters."""
    return visible(repr(_text(cell))[:40])


def _whole_value(cell: Any) -> int | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() else None
    if isinstance(cell, str):
        text = cell.strip()
        if re.fullmatch(r"[+-]?\d{1,15}(?:\.0*)?", text):
            return int(float(text)) if "." in text else int(text)
    return None


def _find_columns(table: Table, tab: str) -> _Tab:
    spellings = {_normal(name): canonical for canonical, aliases in COLUMNS[tab].items() for name in (canonical, *aliases)}
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, header in enumerate(table.header):
        canonical = spellings.get(_normal(header))
        if canonical is None:
            continue
        if canonical in columns:
            if _normal(header) == _normal(canonical) and _normal(headers[canonical]) != _normal(canonical):
                columns[canonical], headers[canonical] = index, header  # the 4.x name wins over an alias
                continue
            if _normal(headers[canonical]) != _normal(canonical) or _normal(header) == _normal(canonical):
                raise InputError(
                    _("tab {tab} has two {column} columns ({first} and {second})").format(
                        tab=tab, column=visible(repr(canonical)), first=visible(repr(headers[canonical])), second=visible(repr(header))
                    ),
                    table.where,
                    _("remove or rename one of them"),
                )
            continue
        columns[canonical], headers[canonical] = index, header
    missing = [column for column in REQUIRED[tab] if column not in columns]
    if missing:
        shown = ", ".join(repr(column) for column in missing)
        what = N_("tab {tab} has no {columns} column, so it is not an RVTools {tab} tab") if len(missing) == 1 else N_("tab {tab} has no {columns} columns, so it is not an RVTools {tab} tab")
        raise InputError(
            _(what).format(tab=tab, columns=shown),
            table.where,
            _("export with RVTools (4.x or 3.x headers, or -DBColumnNames); {tab} needs {columns}").format(tab=tab, columns=", ".join(REQUIRED[tab])),
        )
    return _Tab(table, columns, headers)


# Warnings ------------------------------------------------------------------------------------------


@dataclass
class _Tally:
    """Occurrences of one warning kind in one scope: how many, and the first few names."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, example: str, count: int = 1) -> None:
        self.count += count
        if example and len(self.examples) < EXAMPLES and example not in self.examples:
            self.examples.append(visible(example))


class _Warnings:
    def __init__(self) -> None:
        self.tallies: dict[str, _Tally] = {}
        self.messages: dict[str, Callable[[_Tally], str]] = {}

    def add(self, kind: str, example: str, message: Callable[[_Tally], str], count: int = 1) -> None:
        """Count one more of ``kind``; ``message(tally)`` is worded once all are counted, as a ``Message``
        (English in JSON, said in the language of the run where the CLI shows it)."""
        self.tallies.setdefault(kind, _Tally()).add(example, count)
        self.messages.setdefault(kind, message)

    def result(self) -> tuple[DataWarning, ...]:
        order = {kind: position for position, kind in enumerate(WARNING_KINDS)}
        return tuple(
            DataWarning(kind, self.messages[kind](tally), tally.count, tuple(tally.examples))
            for kind, tally in sorted(self.tallies.items(), key=lambda item: order[item[0]])
        )


def _either(names: list[str]) -> Message:
    """``vCPU or vMemory``: names joined by a translated ``or``."""
    either = Message("{name}", name=names[0])
    for name in names[1:]:
        either = Message(N_("{first} or {second}"), first=either, second=name)
    return either


# Rows ----------------------------------------------------------------------------------------------


@dataclass
class _HostRow:
    index: int
    key: tuple[str, str]  # (server, cluster)
    name: str
    cpu_mhz: int | None
    memory_mb: int | None
    maintenance: bool
    quarantine: bool
    esx_version: str


@dataclass
class _VmRecord:
    key: tuple[str, str]
    name: str
    vm_id: str
    host: str
    powered_on: bool
    connected: bool
    cpu_reservation_mhz: int
    memory_reservation_mb: int
    memory_overhead_mb: int
    memory_mb: int | None
    restart_priority: RestartPriority | None  # None: the cluster's default
    row: str  # "vInfo row 7", for messages
    overhead_from_consumed: bool = False
    overhead_missing: bool = False
    reservations_missing: tuple[str, ...] = ()
    memory_mismatch: bool = False


@dataclass
class _ClusterRow:
    index: int
    values: dict[str, Any]
    facts: dict[str, str]


class _Reader:
    def __init__(self, export: Export) -> None:
        self.export = export
        self.source_warnings = _Warnings()
        self.cluster_warnings: dict[tuple[str, str], _Warnings] = defaultdict(_Warnings)
        self.tabs: dict[str, _Tab] = {}
        self._require_tabs()
        self.servers = self._servers()

    # The export as a whole ------------------------------------------------------------------------

    def _require_tabs(self) -> None:
        present = self.export.tables
        missing = [tab for tab in ("vInfo", "vHost") if tab.lower() not in present]
        if missing:
            names = missing if self.export.kind == XLSX else [f"RVTools_tab{tab}.csv" for tab in missing]
            has = ", ".join(visible(tab) for tab in self.export.tabs[:8]) or _("nothing RVTools writes")
            raise InputError(
                _(_NOT_AN_EXPORT[self.export.kind == XLSX, len(missing) > 1]).format(names=_(_either(names)), has=has),
                in_file(self.export.name),
                _("export with RVTools 'Export all to Excel' or 'Export all to csv'"),
            )
        for tab in TABS:
            table = present.get(tab.lower())
            if table is not None:
                self.tabs[tab] = _find_columns(table, tab)
        missing_tabs = [tab for tab in _MISSING_TAB_CONSEQUENCES if tab not in self.tabs]
        for tab in missing_tabs:
            self.source_warnings.add(
                "tab-missing",
                tab,
                lambda tally: Message(
                    N_("the export has no {tabs} tab: {consequences}"),
                    tabs=_either(missing_tabs),
                    consequences=joined([Message(_MISSING_TAB_CONSEQUENCES[tab]) for tab in missing_tabs], "; "),
                ),
            )
        self._check_limits()

    def _check_limits(self) -> None:
        for tab, limit, too_many in (
            ("vInfo", MAX_VMS, N_("the export lists {count:,} VMs, more than the {limit:,} limit")),
            ("vHost", MAX_HOSTS, N_("the export lists {count:,} hosts, more than the {limit:,} limit")),
        ):
            table = self.tabs[tab].table
            if len(table.rows) > limit:
                raise InputError(_(too_many).format(count=len(table.rows), limit=limit), table.where, _("export one vCenter at a time"))

    def _servers(self) -> bool:
        """Whether VMs, hosts and clusters are told apart by vCenter: only when the export holds more than one."""
        seen = set()
        for tab in ("vInfo", "vHost"):
            sheet = self.tabs[tab]
            if sheet.has("VI SDK Server"):
                seen.update(sheet.text(row, "VI SDK Server") for row in sheet.table.rows)
        seen.discard("")
        return len(seen) > 1

    def _server(self, sheet: _Tab, row: list[Any]) -> str:
        return sheet.text(row, "VI SDK Server") if self.servers else ""

    def _rows(self, tab: str, name_column: str) -> Iterable[tuple[int, list[Any]]]:
        """The rows that name something; blank rows and rows with values but no name are counted, not used."""
        sheet = self.tabs[tab]
        name_index = sheet.columns[name_column]
        for index, row in enumerate(sheet.table.rows):
            if name_index < len(row) and _text(row[name_index]):
                yield index, row
                continue
            where = f"{sheet.table.tab} row {sheet.table.header_row + 1 + index}"
            if any(_text(cell) for cell in row):
                self.source_warnings.add(
                    "unnamed-rows",
                    where,
                    lambda tally: counted(N_("{n} with values but no name (a totals row added by hand?) skipped"), tally.count, N_("{count:,} row"), N_("{count:,} rows")),
                )
            else:
                self.source_warnings.add(
                    "blank-rows", where, lambda tally: counted(N_("{n} between data rows skipped"), tally.count, N_("{count:,} blank row"), N_("{count:,} blank rows"))
                )

    def inventory(self) -> Inventory:
        hosts = self._hosts()
        vms = self._clustered(self._vms())
        settings = self._cluster_rows()
        versions = self._vcenter_versions()
        keys = list(dict.fromkeys([*settings, *(row.key for row in hosts), *(vm.key for vm in vms)]))
        names = self._display_names(keys)
        hosts_by_key: dict[tuple[str, str], list[_HostRow]] = defaultdict(list)
        for row in hosts:
            hosts_by_key[row.key].append(row)
        vms_by_key: dict[tuple[str, str], list[_VmRecord]] = defaultdict(list)
        for vm in vms:
            vms_by_key[vm.key].append(vm)
        pools = self._root_pools()
        clusters = []
        for key in keys:
            built = self._cluster(key, names[key], hosts_by_key[key], vms_by_key[key], settings.get(key), versions, pools.get(key))
            if built is not None:
                clusters.append(built)
        return Inventory(source=self.export.kind, clusters=tuple(clusters), warnings=self.source_warnings.result(), facts=self._facts())

    def _clustered(self, vms: list[_VmRecord]) -> list[_VmRecord]:
        """The VMs that name a cluster; the others (on standalone hosts) are counted and left out."""
        for vm in vms:
            if not vm.key[1]:
                self.source_warnings.add(
                    "vm-without-cluster", vm.name, lambda tally: counted(N_("{n} in no cluster (on standalone hosts?) left out: HA protects clusters only"), tally.count, *VMS)
                )
        return [vm for vm in vms if vm.key[1]]

    def _display_names(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The cluster name, with its vCenter when two vCenters have a cluster of that name."""
        seen = Counter(name for _, name in keys)
        return {key: key[1] if seen[key[1]] == 1 or not key[0] else f"{key[1]} ({key[0]})" for key in keys}

    # Hosts ----------------------------------------------------------------------------------------

    def _hosts(self) -> list[_HostRow]:
        sheet = self.tabs["vHost"]
        rows: list[_HostRow] = []
        seen: set[tuple[str, str]] = set()
        for index, row in self._rows("vHost", "Host"):
            name, cluster, server = sheet.text(row, "Host"), sheet.text(row, "Cluster"), self._server(sheet, row)
            speed, cores, memory = sheet.whole(row, index, "Speed"), sheet.whole(row, index, "# Cores"), sheet.whole(row, index, "# Memory")
            cpu = None if speed is None or cores is None else speed * cores
            if cpu is not None and cpu > MAX_CAPACITY:
                raise sheet.error(index, "Speed", _("{speed:,} MHz × {cores:,} cores is more than any host has").format(speed=speed, cores=cores), _("check Speed and # Cores"))
            if not cluster:
                self.source_warnings.add(
                    "host-without-cluster", name, lambda tally: counted(N_("{n} in no cluster (standalone) left out: HA protects clusters only"), tally.count, *HOSTS)
                )
                continue
            if (server, name) in seen:
                self.source_warnings.add("duplicate-host", name, lambda tally: counted(N_("{n} listed twice in vHost; the first row is used"), tally.count, *HOSTS))
                continue
            seen.add((server, name))
            maintenance = bool(sheet.flag(row, index, "in Maintenance Mode"))
            quarantine = bool(sheet.flag(row, index, "in Quarantine Mode"))
            rows.append(_HostRow(index, (server, cluster), name, cpu, memory, maintenance, quarantine, sheet.text(row, "ESX Version")))
        return rows

    # VMs ------------------------------------------------------------------------------------------

    def _vms(self) -> list[_VmRecord]:
        info = self.tabs["vInfo"]
        cpu_rows = _Joiner(self, "vCPU") if "vCPU" in self.tabs else None
        memory_rows = _Joiner(self, "vMemory") if "vMemory" in self.tabs else None
        records = []
        for index, row in self._rows("vInfo", "VM"):
            server = self._server(info, row)
            name, vm_id = info.text(row, "VM"), info.text(row, "VM ID")
            cpu_row = cpu_rows.match(server, vm_id, name) if cpu_rows else None
            memory_row = memory_rows.match(server, vm_id, name) if memory_rows else None
            records.append(self._vm(index, row, server, cpu_row, memory_row, cpu_rows, memory_rows))
        for joiner in (cpu_rows, memory_rows):
            if joiner is not None:
                joiner.report_unused()
        return records

    def _vm(self, index: int, row: list[Any], server: str, cpu_row: _Joined | None, memory_row: _Joined | None, cpu_rows: Any, memory_rows: Any) -> _VmRecord:
        info = self.tabs["vInfo"]
        joined = [joined for joined in (cpu_row, memory_row) if joined is not None]

        def first(column: str) -> str:
            """vInfo's value, else the vCPU or vMemory row's (RVTools leaves some vInfo cells blank)."""
            value = info.text(row, column)
            for other in joined:
                if value:
                    break
                value = other.sheet.text(other.row, column) if other.sheet.has(column) else ""
            return value

        template = (info.flag(row, index, "Template") if info.has("Template") else None) or False
        placeholder = (info.flag(row, index, "SRM Placeholder") if info.has("SRM Placeholder") else None) or False
        powered_on = first("Powerstate").lower() == "poweredon" and not template and not placeholder
        connection = info.text(row, "Connection state").lower()
        cpu_reservation = self._cpu_reservation(cpu_row)
        memory = self._memory(index, row, memory_row, powered_on)
        missing = tuple(tab for tab, rows, joined_row in (("vCPU", cpu_rows, cpu_row), ("vMemory", memory_rows, memory_row)) if rows is not None and joined_row is None)
        return _VmRecord(
            key=(server, first("Cluster")),
            name=info.text(row, "VM"),
            vm_id=first("VM ID"),
            host=first("Host"),
            powered_on=powered_on,
            connected=connection in ("", "connected"),
            cpu_reservation_mhz=cpu_reservation,
            memory_reservation_mb=memory.reservation,
            memory_overhead_mb=memory.overhead,
            memory_mb=memory.configured,
            restart_priority=_priority(info, row, index),
            row=f"vInfo row {info.table.header_row + 1 + index}",
            overhead_from_consumed=memory.from_consumed,
            overhead_missing=memory.overhead_missing,
            reservations_missing=missing,
            memory_mismatch=memory.mismatch,
        )

    def _cpu_reservation(self, joined: _Joined | None) -> int:
        if joined is None:
            return 0
        return joined.sheet.whole(joined.row, joined.index, "Reservation") or 0

    def _memory(self, index: int, row: list[Any], joined: _Joined | None, powered_on: bool) -> _Memory:
        info = self.tabs["vInfo"]
        configured_info = info.whole(row, index, "Memory") if info.has("Memory") else None
        if joined is None:
            return _Memory(0, 0, configured_info, overhead_missing=powered_on)
        sheet, memory_row, memory_index = joined.sheet, joined.row, joined.index
        size = sheet.whole(memory_row, memory_index, "Size MiB") if sheet.has("Size MiB") else None
        configured = size if size is not None else configured_info
        reservation = sheet.whole(memory_row, memory_index, "Reservation") or 0
        if sheet.has("Memory Reservation Locked To Max") and sheet.flag(memory_row, memory_index, "Memory Reservation Locked To Max") and configured is not None:
            reservation = configured
        if configured is not None and reservation > configured:
            raise sheet.error(
                memory_index,
                "Reservation",
                _("the reservation {reservation:,} MiB is above the VM's configured {configured:,} MiB").format(reservation=reservation, configured=configured),
                _("export again: vSphere reserves at most the configured memory"),
            )
        overhead = (sheet.whole(memory_row, memory_index, "Overhead") if sheet.has("Overhead") else None) or 0
        from_consumed = missing = False
        if overhead == 0 and powered_on:
            consumed = (sheet.whole(memory_row, memory_index, "Consumed Overhead") if sheet.has("Consumed Overhead") else None) or 0
            overhead, from_consumed, missing = consumed, consumed > 0, consumed == 0
        mismatch = size is not None and configured_info is not None and size != configured_info
        return _Memory(reservation, overhead, configured, from_consumed, missing, mismatch)

    # Clusters -------------------------------------------------------------------------------------

    def _cluster_rows(self) -> dict[tuple[str, str], _ClusterRow]:
        if "vCluster" not in self.tabs:
            return {}
        sheet = self.tabs["vCluster"]
        rows: dict[tuple[str, str], _ClusterRow] = {}
        for index, row in self._rows("vCluster", "Name"):
            key = (self._server(sheet, row), sheet.text(row, "Name"))
            values = {
                "ha_enabled": sheet.flag(row, index, "HA enabled"),
                "admission_control": sheet.flag(row, index, "AdmissionControlEnabled"),
                "failover_level": sheet.whole(row, index, "Failover Level", maximum=MAX_HOSTS),
                "num_hosts": sheet.whole(row, index, "NumHosts", maximum=MAX_HOSTS),
                "max_failures": sheet.whole(row, index, "Max Failures", maximum=10**6),
                "max_failure_window": sheet.whole(row, index, "Max Failure Window", minimum=-1, maximum=10**9),
                "failure_interval": sheet.whole(row, index, "Failure Interval", maximum=10**9),
                "min_up_time": sheet.whole(row, index, "Min Up Time", maximum=10**9),
            }
            if values["max_failure_window"] == 0:
                raise sheet.error(index, "Max Failure Window", "a window of 0 s allows no resets at all", "vCenter writes -1 for no window, or a window in seconds")
            if values["failure_interval"] == 0:
                raise sheet.error(index, "Failure Interval", "a failure interval of 0 s is not valid", "vCenter writes 30 s or more")
            facts = {
                fact: visible(sheet.text(row, column))
                for fact, column in (
                    ("ha_enabled", "HA enabled"),
                    ("admission_control_enabled", "AdmissionControlEnabled"),
                    ("failover_level", "Failover Level"),
                    ("host_monitoring", "Host monitoring"),
                    ("isolation_response", "Isolation Response"),
                    ("restart_priority", "Restart Priority"),
                    ("vm_monitoring", "VM Monitoring"),
                    ("drs_enabled", "DRS enabled"),
                    ("dpm_enabled", "DPM enabled"),
                    ("vcluster_hosts", "NumHosts"),
                    ("vcluster_total_cpu_mhz", "TotalCpu"),
                    ("vcluster_total_memory", "TotalMemory"),
                    ("vcluster_effective_cpu_mhz", "Effective Cpu"),
                    ("vcluster_effective_memory_mb", "Effective Memory"),
                )
                if sheet.has(column) and sheet.text(row, column)
            }
            values["host_monitoring"] = sheet.text(row, "Host monitoring").lower()
            values["vm_monitoring"] = sheet.text(row, "VM Monitoring")
            values["restart_priority"] = sheet.text(row, "Restart Priority")
            rows.setdefault(key, _ClusterRow(index, values, facts))
        return rows

    def _cluster(
        self,
        key: tuple[str, str],
        name: str,
        host_rows: list[_HostRow],
        vm_records: list[_VmRecord],
        row: _ClusterRow | None,
        versions: dict[str, str],
        pool: _Pool | None,
    ) -> InventoryCluster | None:
        warnings = self.cluster_warnings[key]
        hosts = self._cluster_hosts(host_rows, warnings)
        if not any(host.state is HostState.connected for host in hosts):
            self.source_warnings.add(
                "cluster-without-hosts",
                name,
                lambda tally: counted(
                    N_("{n} without a host that can be counted (none in vHost, or all in maintenance or without capacity), not checked"),
                    tally.count,
                    N_("{count:,} cluster"),
                    N_("{count:,} clusters"),
                ),
            )
            return None
        if row is None and "vCluster" in self.tabs:
            warnings.add("cluster-not-in-vcluster", name, lambda tally: Message(N_("the cluster has no vCluster row: its HA settings are defaults")))
        settings, sources, facts = self._settings(name, row, host_rows, versions, key[0], warnings)
        default_priority = _cluster_priority(row)
        vms = self._cluster_vms(vm_records, {host.name for host in hosts}, default_priority, warnings)
        self._check_complete(key, host_rows, vm_records, row, pool, warnings)
        facts["vms"] = str(len(vms))
        facts["powered_on_vms"] = str(sum(vm.powered_on for vm in vms))
        if self.servers:
            facts["vcenter"] = visible(key[0])
        return InventoryCluster(
            cluster=Cluster(settings, tuple(hosts), tuple(vms)),
            sources=sources,
            capacity=Capacity.physical,
            host_reserve_percent=0,
            facts=facts,
            warnings=warnings.result(),
        )

    def _cluster_hosts(self, rows: list[_HostRow], warnings: _Warnings) -> list[Host]:
        hosts = []
        for row in rows:
            if row.cpu_mhz is None or row.memory_mb is None:
                warnings.add(
                    "host-without-capacity",
                    row.name,
                    lambda tally: counted(N_("{n} without Speed, # Cores or # Memory in vHost (disconnected or not responding?) left out"), tally.count, *HOSTS),
                )
                continue
            if row.quarantine:
                warnings.add(
                    "host-in-quarantine", row.name, lambda tally: counted(N_("{n} in quarantine mode counted: HA still restarts VMs there, DRS avoids it"), tally.count, *HOSTS)
                )
            state = HostState.maintenance if row.maintenance else HostState.connected
            hosts.append(Host(row.name, row.cpu_mhz, row.memory_mb, state))
        return hosts

    def _cluster_vms(self, records: list[_VmRecord], host_names: set[str], default_priority: RestartPriority, warnings: _Warnings) -> list[VM]:
        names = Counter(record.name for record in records)
        used: set[str] = set()
        placed = matched = 0
        vms = []
        for record in records:
            name = record.name
            if names[name] > 1:
                name = _unique(name, record, used)
                warnings.add(
                    "duplicate-vm-name", record.name, lambda tally: counted(N_("{n} share a name with another VM of the cluster; renamed 'NAME (VM ID)'"), tally.count, *VMS)
                )
            used.add(name)
            host = None
            if record.host:
                placed += 1
                if record.host in host_names:
                    matched += 1
                    host = record.host
                else:
                    warnings.add(
                        "vm-host-unmatched",
                        record.host,
                        lambda tally: Message(
                            N_("{matched:,} of {n}' hosts match a vHost host of the cluster; the others are placed nowhere (unmatched: {unmatched})"),
                            matched=matched,
                            n=plural(placed, *VMS),
                            unmatched=", ".join(tally.examples),
                        ),
                    )
            else:
                warnings.add("vm-without-host", name, lambda tally: counted(N_("{n} without a host in the export: placed nowhere"), tally.count, *VMS))
            self._vm_warnings(record, name, warnings)
            priority = record.restart_priority or default_priority
            vms.append(VM(name, record.cpu_reservation_mhz, record.memory_reservation_mb, record.memory_overhead_mb, record.powered_on, host, priority, record.memory_mb))
        return vms

    def _vm_warnings(self, record: _VmRecord, name: str, warnings: _Warnings) -> None:
        if record.powered_on and not record.connected:
            warnings.add("vm-not-connected", name, lambda tally: counted(N_("{n} not connected (orphaned, inaccessible…) counted as they are"), tally.count, *POWERED_ON_VMS))
        if record.reservations_missing:
            warnings.add(
                "vm-reservations-missing", name, lambda tally: counted(N_("{n} without a vCPU or vMemory row: the missing reservations count as 0"), tally.count, *VMS)
            )
        if record.memory_mismatch:
            warnings.add("memory-size-mismatch", name, lambda tally: counted(N_("vInfo Memory and vMemory Size MiB differ for {n}; Size MiB is used"), tally.count, *VMS))
        if record.overhead_from_consumed:
            warnings.add(
                "overhead-from-consumed",
                name,
                lambda tally: counted(N_("Overhead is 0 for {n} (ESXi 6.7 and later report 0); Consumed Overhead is used instead"), tally.count, *POWERED_ON_VMS),
            )
        if record.overhead_missing:
            warnings.add("overhead-missing", name, lambda tally: counted(N_("{n} without any memory overhead figure: counted as 0"), tally.count, *POWERED_ON_VMS))

    # Settings -------------------------------------------------------------------------------------

    def _settings(
        self, name: str, row: _ClusterRow | None, hosts: list[_HostRow], versions: dict[str, str], server: str, warnings: _Warnings
    ) -> tuple[ClusterSettings, dict[str, Source], dict[str, str]]:
        sources: dict[str, Source] = {}
        facts: dict[str, str] = dict(row.facts) if row is not None else {}
        version, seen = self._version(hosts, versions, server, warnings)
        if seen:
            sources["vsphere"] = Source.export
            facts["vsphere_version_seen"] = visible(seen)
        values = row.values if row is not None else {}
        tolerate = values.get("failover_level")
        if tolerate is not None:
            sources["tolerate"] = Source.export
        if values.get("admission_control") is False:
            policy, auto_percent = Policy.none, False
            sources["policy"] = Source.export
        elif profile(version).has_auto_percent:
            policy, auto_percent = Policy.percentage, True
        else:
            policy, auto_percent = Policy.slot, False
        monitoring = self._vm_monitoring(values)
        if monitoring is not None:
            sources["vm_monitoring"] = Source.export
        if values.get("ha_enabled") is False:
            warnings.add("ha-disabled", name, lambda tally: Message(N_("vSphere HA is disabled on this cluster: nothing restarts its VMs after a host failure")))
        if values.get("host_monitoring") == "disabled":
            warnings.add("host-monitoring-disabled", name, lambda tally: Message(N_("HA host monitoring is disabled: HA does not react to a host failure")))
        settings = ClusterSettings(
            name=name, vsphere=version, policy=policy, tolerate=1 if tolerate is None else tolerate, auto_percent=auto_percent, vm_monitoring=monitoring
        )
        return settings, sources, facts

    def _vm_monitoring(self, values: dict[str, Any]) -> VmMonitoring | None:
        state = values.get("vm_monitoring", "")
        numbers = ("failure_interval", "min_up_time", "max_failures", "max_failure_window")
        if not state and all(values.get(number) is None for number in numbers):
            return None
        return VmMonitoring(
            enabled=state.lower() not in ("vmmonitoringdisabled", "disabled"),
            failure_interval_s=values.get("failure_interval"),
            min_uptime_s=values.get("min_up_time"),
            max_resets=values.get("max_failures"),
            reset_window_s=values.get("max_failure_window"),
        )

    def _vcenter_versions(self) -> dict[str, str]:
        """vCenter version per server ("" when the export does not tell servers apart): vSource, else vInfo's API version."""
        versions: dict[str, str] = {}
        if "vSource" in self.tabs:
            sheet = self.tabs["vSource"]
            for row in sheet.table.rows:
                version = sheet.text(row, "Version") or sheet.text(row, "API version")
                if version:
                    server = sheet.text(row, "VI SDK Server") or sheet.text(row, "Name")
                    versions.setdefault(server if self.servers else "", f"vCenter {version}")
        if versions:
            return versions
        info = self.tabs["vInfo"]
        if info.has("VI SDK API Version"):
            seen = Counter((self._server(info, row), info.text(row, "VI SDK API Version")) for row in info.table.rows)
            for (server, version), _count in seen.most_common():
                if version:
                    versions.setdefault(server, f"vCenter API {version}")
        return versions

    def _version(self, hosts: list[_HostRow], versions: dict[str, str], server: str, warnings: _Warnings) -> tuple[str, str]:
        """The profile for the cluster's vCenter (vSource), else its hosts' most common ESX version; and the text it came from."""
        seen = versions.get(server) or (next(iter(versions.values())) if len(versions) == 1 else "")
        label = seen
        if not seen:
            counted = Counter(row.esx_version for row in hosts if _VERSION_IN_TEXT.search(row.esx_version))
            if counted:
                seen = counted.most_common(1)[0][0]
                label = seen
        if not seen:
            return DEFAULT_VERSION, ""
        chosen, newer, older = nearest_profile(seen)
        if newer:
            warnings.add("version-newer-than-profiles", label, lambda tally: Message(N_("{version} is newer than hacalc's profiles; the {chosen} profile is used"), version=label, chosen=chosen))
        if older:
            warnings.add("version-older-than-profiles", label, lambda tally: Message(N_("{version} is older than hacalc's profiles; the {chosen} profile is used"), version=label, chosen=chosen))
        return chosen, label

    # Cross-checks ---------------------------------------------------------------------------------

    def _root_pools(self) -> dict[tuple[str, str], _Pool]:
        """The root resource pool (``…/CLUSTER/Resources``) per cluster, with its child pools' CPU reservations."""
        if "vRP" not in self.tabs:
            return {}
        sheet = self.tabs["vRP"]
        pools: dict[tuple[str, str], _Pool] = {}
        paths: list[tuple[str, str, int]] = []
        for index, row in enumerate(sheet.table.rows):
            path = sheet.text(row, "Resource Pool path")
            parts = path.rstrip("/").split("/")
            server = self._server(sheet, row)
            if len(parts) >= 2 and parts[-1] == "Resources":
                pools[(server, parts[-2])] = _Pool(
                    path.rstrip("/"),
                    sheet.whole(row, index, "# VMs total", maximum=MAX_VMS * 10) if sheet.has("# VMs total") else None,
                    sheet.whole(row, index, "CPU reservationUsed") if sheet.has("CPU reservationUsed") else None,
                )
            elif path:
                paths.append((server, path, sheet.whole(row, index, "CPU reservation") or 0 if sheet.has("CPU reservation") else 0))
        for server, path, reservation in paths:
            for (pool_server, _cluster), pool in pools.items():
                if pool_server == server and path.startswith(pool.path + "/"):
                    pool.child_cpu_reservations += reservation
        return pools

    def _check_complete(
        self, key: tuple[str, str], hosts: list[_HostRow], vms: list[_VmRecord], row: _ClusterRow | None, pool: _Pool | None, warnings: _Warnings
    ) -> None:
        """vCluster's host count and the root pool's VM count and CPU reservations against what the export lists."""
        reasons: list[Message] = []
        num_hosts = row.values.get("num_hosts") if row is not None else None
        if num_hosts is not None and num_hosts > len(hosts):
            reasons.append(Message(N_("vCluster counts {n}, vHost lists {listed:,}"), n=plural(num_hosts, *HOSTS), listed=len(hosts)))
        if pool is not None and pool.vms_total is not None and pool.vms_total != len(vms):
            reasons.append(Message(N_("the root resource pool holds {n}, vInfo lists {listed:,}"), n=plural(pool.vms_total, *VMS), listed=len(vms)))
        if pool is not None and pool.cpu_reservation_used is not None:
            reserved = sum(vm.cpu_reservation_mhz for vm in vms if vm.powered_on) + pool.child_cpu_reservations
            if pool.cpu_reservation_used > reserved:
                reasons.append(
                    Message(
                        N_("the root resource pool has {used:,} MHz reserved, the VMs and pools listed reserve {reserved:,} MHz"), used=pool.cpu_reservation_used, reserved=reserved
                    )
                )
        if reasons:
            text = joined(reasons, "; ")
            warnings.add("export-filtered", key[1], lambda tally: Message(N_("the export looks filtered or incomplete: {reasons}"), reasons=text), count=len(reasons))

    def _facts(self) -> dict[str, str]:
        facts: dict[str, str] = {}
        if "vMetaData" in self.tabs:
            sheet = self.tabs["vMetaData"]
            for row in sheet.table.rows[:1]:
                for fact, column in (
                    ("rvtools_version", "RVTools version"),
                    ("rvtools_major_version", "RVTools major version"),
                    ("export_date", "xlsx creation datetime"),
                    ("server", "Server"),
                ):
                    if sheet.has(column) and sheet.text(row, column):
                        facts[fact] = visible(sheet.text(row, column).strip("'"))
        if "vSource" in self.tabs:
            sheet = self.tabs["vSource"]
            servers = [visible(sheet.text(row, "Fullname") or sheet.text(row, "Name")) for row in sheet.table.rows]
            if any(servers):
                facts["vcenters"] = "; ".join(server for server in servers if server)
        facts["tabs"] = ", ".join(visible(tab) for tab in self.export.tabs)
        return facts


_MISSING_TAB_CONSEQUENCES = {
    "vCPU": N_("CPU reservations count as 0"),
    "vMemory": N_("memory reservations and overheads count as 0"),
    "vCluster": N_("HA settings are defaults (give them as flags or in an overlay)"),
}
# Neither vInfo nor vHost, by (a workbook?, both missing?).
_NOT_AN_EXPORT = {
    (True, False): N_("not an RVTools export: no {names} tab (it has {has})"),
    (True, True): N_("not an RVTools export: no {names} tabs (it has {has})"),
    (False, False): N_("not an RVTools export: no {names} file (it has {has})"),
    (False, True): N_("not an RVTools export: no {names} files (it has {has})"),
}


@dataclass
class _Memory:
    reservation: int
    overhead: int
    configured: int | None
    from_consumed: bool = False
    overhead_missing: bool = False
    mismatch: bool = False


@dataclass
class _Pool:
    path: str
    vms_total: int | None
    cpu_reservation_used: int | None
    child_cpu_reservations: int = 0


@dataclass
class _Joined:
    sheet: _Tab
    row: list[Any]
    index: int


class _Joiner:
    """vCPU or vMemory rows found for vInfo rows: by ``VM ID`` (within one vCenter), else by a name used once."""

    def __init__(self, reader: _Reader, tab: str) -> None:
        self.reader = reader
        self.tab = tab
        self.sheet = reader.tabs[tab]
        self.by_id: dict[tuple[str, str], int] = {}
        self.by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.rows: dict[int, list[Any]] = {}
        for index, row in reader._rows(tab, "VM"):
            server = reader._server(self.sheet, row)
            self.rows[index] = row
            vm_id = self.sheet.text(row, "VM ID")
            if vm_id:
                self.by_id.setdefault((server, vm_id), index)
            self.by_name[(server, self.sheet.text(row, "VM"))].append(index)
        self.used: set[int] = set()

    def match(self, server: str, vm_id: str, name: str) -> _Joined | None:
        index = self.by_id.get((server, vm_id)) if vm_id else None
        if index is None or index in self.used:
            candidates = [candidate for candidate in self.by_name.get((server, name), ()) if candidate not in self.used]
            index = candidates[0] if len(candidates) == 1 else None
        if index is None:
            return None
        self.used.add(index)
        return _Joined(self.sheet, self.rows[index], index)

    def report_unused(self) -> None:
        for index, row in self.rows.items():
            if index not in self.used:
                self.reader.source_warnings.add(
                    "vm-rows-unjoined",
                    f"{self.tab} {self.sheet.text(row, 'VM')}",
                    lambda tally: counted(
                        N_("{n} match no vInfo VM (by VM ID or a unique name) and are not used"), tally.count, N_("{count:,} vCPU or vMemory row"), N_("{count:,} vCPU or vMemory rows")
                    ),
                )


def _cluster_priority(row: _ClusterRow | None) -> RestartPriority:
    """The cluster's default restart priority; medium (vSphere's default) when vCluster does not give a known one."""
    text = row.values.get("restart_priority", "").lower() if row is not None else ""
    try:
        return RestartPriority(text)
    except ValueError:
        return RestartPriority.medium


def _priority(sheet: _Tab, row: list[Any], index: int) -> RestartPriority | None:
    """A VM's restart priority as RVTools writes it; None for the cluster's default. An unknown value is refused."""
    text = sheet.text(row, "HA Restart Priority")
    if text.lower() in _CLUSTER_DEFAULT_PRIORITY:
        return None
    try:
        return RestartPriority(text.lower())
    except ValueError:
        choices = ", ".join(priority.value for priority in RestartPriority)
        raise sheet.error(
            index, "HA Restart Priority", _("{value} is not a restart priority vSphere has").format(value=_shown(text)), _("use one of {choices}").format(choices=choices)
        ) from None


def _unique(name: str, record: _VmRecord, used: set[str]) -> str:
    candidate = f"{name} ({record.vm_id or record.row})"
    number = 2
    while candidate in used:
        candidate, number = f"{name} ({record.vm_id or record.row} #{number})", number + 1
    return candidate


def nearest_profile(version_text: str) -> tuple[str, bool, bool]:
    """The supported profile at or below a version such as "8.0.3" or "VMware ESXi 7.0.3 build-…" (7.0.3 is 7.0 U3),
    and whether the version is newer or older than every profile."""
    match = _VERSION_IN_TEXT.search(version_text)
    if match is None:
        return DEFAULT_VERSION, False, False
    number = (int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
    profiles = sorted((parse_version_number(name), name) for name in SUPPORTED_VERSIONS)
    at_or_below = [name for value, name in profiles if value <= number]
    if not at_or_below:
        return profiles[0][1], False, True
    newest = profiles[-1][0]
    return at_or_below[-1], number[:2] > newest[:2], False
