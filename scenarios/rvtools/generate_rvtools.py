"""Write RVTools-style exports: an xlsx workbook and the CSV-folder form, with the tabs hacalc reads.

The headers are those of a real RVTools 4.7.1.4 export (../shared/fixtures/rvtools/rvtools-headers-observed.json),
every column present and filled, so a generated workbook is as wide as a real one. ``--headers`` writes the
3.x ``MB`` names, the ``-DBColumnNames`` names or mangled case instead; ``--messy`` adds what real files
carry: a declared dimension of 1,048,576 rows, a blank row inside vInfo, a hand-added totals row of
formulas under vHost, and custom-attribute columns in the middle of the VM and host tabs.

    .venv/bin/python scenarios/rvtools/generate_rvtools.py --hosts 100 --vms 10000 --output /tmp/rvtools-100x10000.xlsx
    .venv/bin/python scenarios/rvtools/generate_rvtools.py --example    # rewrites the committed rvtools-two-clusters export

Only the standard library is used (an xlsx is a zip of XML, written here with shared strings), and the
same --seed always gives the same file.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE / "rvtools-two-clusters.xlsx"
EXAMPLE_CSV = HERE / "rvtools-two-clusters"
FIXED_TIME = (2026, 2, 6, 16, 2, 14)  # zip member times, so the same input writes the same bytes
SERVER = "vcenter.example.com"
SDK_UUID = "5f1c2e44-8d1b-4c3e-9a57-0b6f2d9e7a10"

HEADERS = {
    "vInfo": ["VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name", "Connection state", "Guest state", "Heartbeat", "Consolidation Needed", "PowerOn", "Suspended To Memory", "Suspend time", "Suspend Interval", "Creation date", "Change Version", "CPUs", "Overall Cpu Readiness", "Memory", "Active Memory", "NICs", "Disks", "Total disk capacity MiB", "Fixed Passthru HotPlug", "min Required EVC Mode Key", "Latency Sensitivity", "Op Notification Timeout", "EnableUUID", "CBT", "Primary IP Address", "Network #1", "Network #2", "Network #3", "Network #4", "Network #5", "Network #6", "Network #7", "Network #8", "Num Monitors", "Video Ram KiB", "Resource pool", "Folder ID", "Folder", "vApp", "DAS protection", "FT State", "FT Role", "FT Latency", "FT Bandwidth", "FT Sec. Latency", "Vm Failover In Progress", "Provisioned MiB", "In Use MiB", "Unshared MiB", "HA Restart Priority", "HA Isolation Response", "HA VM Monitoring", "Cluster rule(s)", "Cluster rule name(s)", "Boot Required", "Boot delay", "Boot retry delay", "Boot retry enabled", "Boot BIOS setup", "Reboot PowerOff", "EFI Secure boot", "Firmware", "HW version", "HW upgrade status", "HW upgrade policy", "HW target", "Path", "Log directory", "Snapshot directory", "Suspend directory", "Annotation", "Datacenter", "Cluster", "Host", "OS according to the configuration file", "OS according to the VMware Tools", "Customization Info", "Guest Detailed Data", "VM ID", "SMBIOS UUID", "VM UUID", "VI SDK Server type", "VI SDK API Version", "VI SDK Server", "VI SDK UUID"],  # noqa: E501
    "vCPU": ["VM", "Powerstate", "Template", "SRM Placeholder", "CPUs", "Sockets", "Cores p/s", "Max", "Overall", "Level", "Shares", "Reservation", "Entitlement", "DRS Entitlement", "Limit", "Hot Add", "Hot Remove", "Numa Hotadd Exposed", "Annotation", "Datacenter", "Cluster", "Host", "Folder", "OS according to the configuration file", "OS according to the VMware Tools", "VM ID", "VM UUID", "VI SDK Server", "VI SDK UUID"],  # noqa: E501
    "vMemory": ["VM", "Powerstate", "Template", "SRM Placeholder", "Size MiB", "Memory Reservation Locked To Max", "Overhead", "Max", "Consumed", "Consumed Overhead", "Private", "Shared", "Swapped", "Ballooned", "Active", "Entitlement", "DRS Entitlement", "Level", "Shares", "Reservation", "Limit", "Hot Add", "Annotation", "Datacenter", "Cluster", "Host", "Folder", "OS according to the configuration file", "OS according to the VMware Tools", "VM ID", "VM UUID", "VI SDK Server", "VI SDK UUID"],  # noqa: E501
    "vHost": ["Host", "Datacenter", "Cluster", "Config status", "Compliance Check State", "in Maintenance Mode", "in Quarantine Mode", "vSAN Fault Domain Name", "CPU Model", "Speed", "HT Available", "HT Active", "# CPU", "Cores per CPU", "# Cores", "CPU usage %", "# Memory", "Memory Tiering Type", "Memory usage %", "Console", "# NICs", "# HBAs", "# VMs total", "# VMs", "VMs per Core", "# vCPUs", "vCPUs per Core", "vRAM", "VM Used memory", "VM Memory Swapped", "VM Memory Ballooned", "VMotion support", "Storage VMotion support", "Current EVC", "Max EVC", "Assigned License(s)", "ATS Heartbeat", "ATS Locking", "Current CPU power man. policy", "Supported CPU power man.", "Host Power Policy", "ESX Version", "Boot time", "DNS Servers", "DHCP", "Domain", "Domain List", "DNS Search Order", "NTP Server(s)", "NTPD running", "Time Zone", "Time Zone Name", "GMT Offset", "Vendor", "Model", "Serial number", "Service tag", "OEM specific string", "BIOS Vendor", "BIOS Version", "BIOS Date", "Certificate Issuer", "Certificate Start Date", "Certificate Expiry Date", "Certificate Status", "Certificate Subject", "Object ID", "AutoDeploy.MachineIdentity", "UUID", "VI SDK Server", "VI SDK UUID"],  # noqa: E501
    "vCluster": ["Name", "Config status", "OverallStatus", "NumHosts", "numEffectiveHosts", "TotalCpu", "NumCpuCores", "NumCpuThreads", "Effective Cpu", "TotalMemory", "Effective Memory", "Num VMotions", "HA enabled", "Failover Level", "AdmissionControlEnabled", "Host monitoring", "HB Datastore Candidate Policy", "Isolation Response", "Restart Priority", "Cluster Settings", "Max Failures", "Max Failure Window", "Failure Interval", "Min Up Time", "VM Monitoring", "DRS enabled", "DRS default VM behavior", "DRS vmotion rate", "DPM enabled", "DPM default behavior", "DPM Host Power Action Rate", "Object ID", "com.vmware.vcenter.cluster.edrs.upgradeHostAdded", "VI SDK Server", "VI SDK UUID"],  # noqa: E501
    "vRP": ["Resource Pool name", "Resource Pool path", "Status", "# VMs total", "# VMs", "# vCPUs", "CPU limit", "CPU overheadLimit", "CPU reservation", "CPU level", "CPU shares", "CPU expandableReservation", "CPU maxUsage", "CPU overallUsage", "CPU reservationUsed", "CPU reservationUsedForVm", "CPU unreservedForPool", "CPU unreservedForVm", "Mem Configured", "Mem limit", "Mem overheadLimit", "Mem reservation", "Mem level", "Mem shares", "Mem expandableReservation", "Mem maxUsage", "Mem overallUsage", "Mem reservationUsed", "Mem reservationUsedForVm", "Mem unreservedForPool", "Mem unreservedForVm", "QS overallCpuDemand", "QS overallCpuUsage", "QS staticCpuEntitlement", "QS distributedCpuEntitlement", "QS balloonedMemory", "QS compressedMemory", "QS consumedOverheadMemory", "QS distributedMemoryEntitlement", "QS guestMemoryUsage", "QS hostMemoryUsage", "QS overheadMemory", "QS privateMemory", "QS sharedMemory", "QS staticMemoryEntitlement", "QS swappedMemory", "Object ID", "VI SDK Server", "VI SDK UUID"],  # noqa: E501
    "vSource": ["Name", "OS type", "API type", "API version", "Version", "Patch level", "Build", "Fullname", "Product name", "Product version", "Product line", "Vendor", "VI SDK Server", "VI SDK UUID"],  # noqa: E501
    "vMetaData": ["RVTools major version", "RVTools version", "xlsx creation datetime", "Server"],
}
# 3.x spelled sizes in MB (the same MiB values) and named the vCenter UUID column differently.
HEADERS_3X = {"Size MiB": "Size MB", "Provisioned MiB": "Provisioned MB", "In Use MiB": "In Use MB", "Unshared MiB": "Unshared MB", "Total disk capacity MiB": "Total disk capacity MB", "VI SDK UUID": "vCenter UUID"}  # noqa: E501
# RVTools -DBColumnNames (sbroenne/RvToolsMerge docs/ColumnMappings.md; the rest follow the same pattern).
HEADERS_DB = {
    "vInfo": {"VM": "vInfoVMName", "Powerstate": "vInfoPowerstate", "Template": "vInfoTemplate", "CPUs": "vInfoCPUs", "Memory": "vInfoMemory", "Cluster": "vInfoCluster", "Host": "vInfoHost", "HA Restart Priority": "vInfoHARestartPriority"},  # noqa: E501
    "vCPU": {"VM": "vCPUVMName", "Powerstate": "vCPUPowerstate", "Template": "vCPUTemplate", "Reservation": "vCPUReservation", "Cluster": "vCPUCluster", "Host": "vCPUHost"},  # noqa: E501
    "vMemory": {"VM": "vMemoryVMName", "Size MiB": "vMemorySizeMiB", "Reservation": "vMemoryReservation", "Overhead": "vMemoryOverhead", "Memory Reservation Locked To Max": "vMemoryReservationLockedToMax"},  # noqa: E501
    "vHost": {"Host": "vHostName", "Cluster": "vHostCluster", "Speed": "vHostCpuMhz", "# Cores": "vHostNumCpuCores", "# Memory": "vHostMemorySize", "ESX Version": "vHostFullName", "in Maintenance Mode": "vHostinMaintenanceMode"},  # noqa: E501
}
CUSTOM_ATTRIBUTES = ("Backup Status", "Rack")
RESTART_PRIORITIES = ("lowest", "low", "medium", "medium", "medium", "high", "highest")
PHANTOM_ROWS = 1_048_576


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula and the value Excel cached for it."""

    text: str
    cached: int


Export = dict[str, list[dict[str, Any]]]  # tab -> rows keyed by 4.x header


# The data ------------------------------------------------------------------------------------------


def host_row(name: str, cluster: str, *, sockets: int, cores: int, mhz: int, memory_mib: int, maintenance: bool = False, esx: str = "8.0.3") -> dict[str, Any]:
    return {
        "Host": name,
        "Datacenter": "DC1",
        "Cluster": cluster,
        "Config status": "green",
        "in Maintenance Mode": str(maintenance),
        "in Quarantine Mode": "False",
        "CPU Model": "Intel(R) Xeon(R) Gold 6348 CPU @ 2.60GHz",
        "Speed": mhz,
        "# CPU": sockets,
        "Cores per CPU": cores,
        "# Cores": sockets * cores,
        "# Memory": memory_mib,
        "ESX Version": f"VMware ESXi {esx} build-24280767",
        "VI SDK Server": SERVER,
        "VI SDK UUID": SDK_UUID,
    }


def vm_rows(
    name: str, number: int, cluster: str, host: str, *, cpus: int, memory_mib: int, cpu_reservation: int = 0, memory_reservation: int = 0,
    powered_on: bool = True, consumed_overhead: int = 0, locked: bool = False, priority: str = "", template: bool = False,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The VM's vInfo, vCPU and vMemory rows; Overhead is 0 as ESXi 6.7 and later report it."""
    common = {
        "VM": name,
        "Powerstate": "poweredOn" if powered_on else "poweredOff",
        "Template": str(template),
        "SRM Placeholder": "False",
        "Datacenter": "DC1",
        "Cluster": cluster,
        "Host": host,
        "VM ID": f"vm-{number}",
        "VM UUID": f"500b{number:04x}-0000-4000-8000-{number:012x}",
        "VI SDK Server": SERVER,
        "VI SDK UUID": SDK_UUID,
    }
    info = {**common, "Connection state": "connected", "CPUs": cpus, "Memory": memory_mib, "HA Restart Priority": priority or "medium", "VI SDK API Version": "8.0.3.0"}
    cpu = {**common, "CPUs": cpus, "Reservation": cpu_reservation, "Limit": -1, "Max": cpus * 2400}
    memory = {
        **common,
        "Size MiB": memory_mib,
        "Memory Reservation Locked To Max": str(locked),
        "Overhead": 0,
        "Consumed Overhead": consumed_overhead if powered_on else 0,
        "Reservation": memory_mib if locked else memory_reservation,
        "Limit": -1,
    }
    return info, cpu, memory


def cluster_row(name: str, *, hosts: int, admission_control: bool = True, failover_level: int = 1) -> dict[str, Any]:
    return {
        "Name": name,
        "Config status": "green",
        "OverallStatus": "green",
        "NumHosts": hosts,
        **dict.fromkeys(("TotalCpu", "TotalMemory", "Effective Cpu", "Effective Memory"), ""),  # totals are the reader's cross-check, not needed here
        "HA enabled": "True",
        "Failover Level": failover_level,
        "AdmissionControlEnabled": str(admission_control),
        "Host monitoring": "enabled",
        "Isolation Response": "none",
        "Restart Priority": "medium",
        "Max Failures": 3,
        "Max Failure Window": -1,
        "Failure Interval": 30,
        "Min Up Time": 120,
        "VM Monitoring": "vmMonitoringDisabled",
        "DRS enabled": "True",
        "DPM enabled": "False",
        "VI SDK Server": SERVER,
        "VI SDK UUID": SDK_UUID,
    }


def finish(export: Export, clusters: list[dict[str, Any]]) -> Export:
    """vCluster, and the vRP, vSource and vMetaData rows that agree with the VMs listed."""
    export["vCluster"] = clusters
    export["vRP"] = []
    for cluster in clusters:
        name = cluster["Name"]
        vms = [row for row in export["vCPU"] if row["Cluster"] == name]
        reserved = sum(row["Reservation"] for row in vms if row["Powerstate"] == "poweredOn")
        export["vRP"].append(
            {"Resource Pool name": "Resources", "Resource Pool path": f"/DC1/{name}/Resources", "Status": "green", "# VMs total": len(vms), "CPU reservation": 0, "CPU reservationUsed": reserved, "VI SDK Server": SERVER, "VI SDK UUID": SDK_UUID}  # noqa: E501
        )
    export["vSource"] = [{"Name": SERVER, "API type": "VirtualCenter", "API version": "8.0.3.0", "Version": "8.0.3", "Build": "24262322", "Fullname": "VMware vCenter Server 8.0.3 build-24262322", "VI SDK Server": SERVER, "VI SDK UUID": SDK_UUID}]  # noqa: E501
    export["vMetaData"] = [{"RVTools major version": 4, "RVTools version": "4.7.1.4", "xlsx creation datetime": "2026-02-06 16:02:14", "Server": SERVER}]
    return export


def example() -> Export:
    """The committed example: 'prod' fails tolerate 1 (four 48 GiB reservations per host), 'dev' has admission control off.

    prod: 4 hosts of 2 × 16 cores at 2,400 MHz (76,800 MHz) and 262,144 MiB; esx-p4 is in maintenance, so 3 count.
    Each counted host runs four VMs reserving 49,152 MiB (+100 MiB consumed overhead): 197,008 MiB used, 65,136 free,
    so a failed host's four VMs find room for only one on each of the two hosts left.
    """
    export: Export = {"vInfo": [], "vCPU": [], "vMemory": [], "vHost": []}
    for number in range(1, 5):
        export["vHost"].append(host_row(f"esx-p{number}", "prod", sockets=2, cores=16, mhz=2400, memory_mib=262_144, maintenance=number == 4))
    for number in range(1, 4):
        export["vHost"].append(host_row(f"esx-d{number}", "dev", sockets=1, cores=24, mhz=2100, memory_mib=131_072, esx="7.0.3"))
    number = 100
    for host in range(1, 4):
        for slot in range(1, 5):
            number += 1
            priority = "high" if slot == 1 else ""
            add(export, vm_rows(f"db-{host}{slot}", number, "prod", f"esx-p{host}", cpus=8, memory_mib=65_536, cpu_reservation=2000 * (slot == 1), memory_reservation=49_152, consumed_overhead=100, priority=priority))  # noqa: E501
    add(export, vm_rows("app-locked", 201, "dev", "esx-d1", cpus=4, memory_mib=16_384, locked=True, consumed_overhead=60, cpu_reservation=1000))
    add(export, vm_rows("app-web", 202, "dev", "esx-d2", cpus=2, memory_mib=8_192, memory_reservation=2_048, consumed_overhead=40, priority="low"))
    add(export, vm_rows("app-batch", 203, "dev", "esx-d3", cpus=4, memory_mib=8_192, powered_on=False))
    add(export, vm_rows("tmpl-linux", 204, "dev", "esx-d3", cpus=2, memory_mib=4_096, powered_on=False, template=True))
    return finish(export, [cluster_row("prod", hosts=4), cluster_row("dev", hosts=3, admission_control=False)])


def build(hosts: int, vms: int, *, clusters: int = 1, fill: float = 0.5, seed: int = 1) -> Export:
    """A large export: hosts esx-1 … spread over clusters, VMs placed where their reservations fit within ``fill``."""
    rng = random.Random(seed)
    export: Export = {"vInfo": [], "vCPU": [], "vMemory": [], "vHost": []}
    memory_mib, sockets, cores, mhz = 768 * 1024, 2, 28, 2500
    names = [f"esx-{number}" for number in range(1, hosts + 1)]
    cluster_of = {name: f"cluster-{index % clusters + 1}" for index, name in enumerate(names)}
    for name in names:
        export["vHost"].append(host_row(name, cluster_of[name], sockets=sockets, cores=cores, mhz=mhz, memory_mib=memory_mib))
    free = dict.fromkeys(names, int(memory_mib * fill))
    width = len(str(vms))
    for number in range(1, vms + 1):
        kind = rng.random()
        reservation = 0 if kind < 0.6 else rng.choice((1024, 2048, 4096, 8192)) if kind < 0.93 else rng.choice((16384, 32768))
        cpu_reservation = 0 if kind < 0.6 else rng.choice((0, 500, 1000, 2000))
        overhead = rng.randint(30, 250)
        host = max(rng.sample(names, k=min(8, hosts)), key=free.__getitem__)
        powered_on = free[host] >= reservation + overhead
        if powered_on:
            free[host] -= reservation + overhead
        configured = max(reservation, rng.choice((2048, 4096, 8192, 16384)))
        add(
            export,
            vm_rows(f"vm-{number:0{width}d}", number, cluster_of[host], host, cpus=rng.choice((1, 2, 4, 8)), memory_mib=configured, cpu_reservation=cpu_reservation,
                    memory_reservation=reservation, powered_on=powered_on, consumed_overhead=overhead, priority=rng.choice(RESTART_PRIORITIES)),
        )
    counts = {cluster: sum(1 for name in names if cluster_of[name] == cluster) for cluster in dict.fromkeys(cluster_of.values())}
    return finish(export, [cluster_row(cluster, hosts=count) for cluster, count in counts.items()])


def add(export: Export, rows: tuple[dict[str, Any], ...]) -> None:
    for tab, row in zip(("vInfo", "vCPU", "vMemory"), rows):
        export[tab].append(row)


# Laying the data out as sheets ---------------------------------------------------------------------


def sheets(export: Export, *, headers: str = "4.x", messy: bool = False) -> dict[str, list[list[Any]]]:
    """Each tab as rows of cells, header first, in the chosen header style."""
    laid_out = {}
    for tab, names in HEADERS.items():
        if tab not in export:
            continue
        columns = list(names)
        if messy and tab in ("vInfo", "vCPU", "vMemory", "vHost"):
            at = columns.index("Datacenter") if tab != "vHost" else columns.index("UUID")
            columns[at:at] = CUSTOM_ATTRIBUTES
        rows = [[row.get(column, _filler(tab, column, index)) for column in columns] for index, row in enumerate(export[tab])]
        if messy and tab == "vInfo" and len(rows) > 2:
            rows.insert(len(rows) // 2, [""] * len(columns))
        if messy and tab == "vHost" and rows:
            rows.append(_totals_row(columns, rows))
        laid_out[tab] = [[_header(tab, column, headers) for column in columns], *rows]
    return laid_out


def _filler(tab: str, column: str, index: int) -> Any:
    """A plausible value for a column hacalc does not read, so that a generated tab is as large as a real one."""
    if column in CUSTOM_ATTRIBUTES:
        return f"{column[:4].lower()}-{index % 7}"
    if column.startswith(("#", "Num", "QS ", "Mem ", "CPU ")) or column in ("Consumed", "Private", "Shared", "Active", "Entitlement", "Level"):
        return index % 97
    return "" if column in ("Annotation", "vApp", "Cluster rule(s)", "Cluster rule name(s)") else f"{column.split()[0].lower()[:6]}{index % 13}"


def _totals_row(columns: list[str], rows: list[list[Any]]) -> list[Any]:
    """A row a user adds under vHost: no host name, formulas summing two columns (with the values Excel cached)."""
    totals: list[Any] = [""] * len(columns)
    for name in ("# Cores", "# vCPUs"):
        at = columns.index(name)
        letter = _column_letter(at)
        totals[at] = Formula(f"SUM({letter}2:{letter}{len(rows) + 1})", sum(row[at] for row in rows if isinstance(row[at], int)))
    return totals


def _header(tab: str, column: str, style: str) -> str:
    if style == "3.x":
        return HEADERS_3X.get(column, column)
    if style == "db":
        return HEADERS_DB.get(tab, {}).get(column, column)
    if style == "case":
        return column.upper() if len(column) % 2 else column.lower()
    return column


# Writers -------------------------------------------------------------------------------------------


def write_xlsx(laid_out: dict[str, list[list[Any]]], path: Path, *, phantom: bool = False) -> None:
    """A minimal workbook: shared strings, numbers, formulas with cached values; ``phantom`` declares 1,048,576 rows."""
    names = list(laid_out)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _write(archive, "[Content_Types].xml", _content_types(len(names)))
        _write(archive, "_rels/.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')  # noqa: E501
        sheets_xml = "".join(f'<sheet name="{escape(name)}" sheetId="{index}" r:id="rId{index}"/>' for index, name in enumerate(names, 1))
        _write(archive, "xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets_xml}</sheets></workbook>')  # noqa: E501
        rels = "".join(f'<Relationship Id="rId{index}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{index}.xml"/>' for index in range(1, len(names) + 1))  # noqa: E501
        rels += '<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'  # noqa: E501
        _write(archive, "xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')  # noqa: E501
        strings: dict[str, int] = {}
        for index, name in enumerate(names, 1):
            _write(archive, f"xl/worksheets/sheet{index}.xml", _sheet_xml(laid_out[name], phantom, strings))
        items = "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in strings)
        _write(archive, "xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>')  # noqa: E501


def _write(archive: zipfile.ZipFile, name: str, text: str) -> None:
    archive.writestr(zipfile.ZipInfo(name, FIXED_TIME), text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)


def _content_types(count: int) -> str:
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{index}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for index in range(1, count + 1))  # noqa: E501
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        f"{overrides}</Types>"
    )


def _sheet_xml(rows: list[list[Any]], phantom: bool, strings: dict[str, int]) -> str:
    width = max((len(row) for row in rows), default=1)
    last_row = PHANTOM_ROWS if phantom else max(len(rows), 1)
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
    out.write(f'<dimension ref="A1:{_column_letter(width - 1)}{last_row}"/><sheetData>')
    letters = [_column_letter(index) for index in range(width)]
    for number, row in enumerate(rows, 1):
        out.write(f'<row r="{number}">')
        for index, value in enumerate(row):
            out.write(_cell(f"{letters[index]}{number}", value, strings))
        out.write("</row>")
    out.write("</sheetData></worksheet>")
    return out.getvalue()


def _cell(reference: str, value: Any, strings: dict[str, int]) -> str:
    """One cell; text goes to the shared strings table, as Excel and RVTools write it."""
    if value is None or value == "":
        return ""
    if isinstance(value, Formula):
        return f'<c r="{reference}"><f>{escape(value.text)}</f><v>{value.cached}</v></c>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return f'<c r="{reference}" t="s"><v>{strings.setdefault(str(value), len(strings))}</v></c>'


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def csv_files(laid_out: dict[str, list[list[Any]]]) -> dict[str, str]:
    """File name -> text, as RVTools' 'Export all to csv' names them; formulas are written as their values."""
    files = {}
    for tab, rows in laid_out.items():
        stream = io.StringIO(newline="")
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerows([[value.cached if isinstance(value, Formula) else value for value in row] for row in rows])
        files[f"RVTools_tab{tab}.csv"] = stream.getvalue()
    return files


def write_csv_folder(laid_out: dict[str, list[list[Any]]], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in csv_files(laid_out).items():
        (folder / name).write_text(text, encoding="utf-8", newline="")


def write_csv_zip(laid_out: dict[str, list[list[Any]]], path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in csv_files(laid_out).items():
            _write(archive, name, text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--vms", type=int, default=10_000)
    parser.add_argument("--clusters", type=int, default=1)
    parser.add_argument("--fill", type=float, default=0.5, help="share of each host's memory the placed reservations may fill")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--headers", choices=("4.x", "3.x", "db", "case"), default="4.x")
    parser.add_argument("--messy", action="store_true", help="phantom dimension, a blank row, a totals row of formulas, custom attributes")
    parser.add_argument("--format", choices=("xlsx", "csv", "zip"), default="xlsx", help="csv writes a folder of RVTools_tab*.csv files")
    parser.add_argument("--output", "-o", help="file or folder to write")
    parser.add_argument("--example", action="store_true", help=f"rewrite {EXAMPLE.name} and its CSV folder beside this script")
    args = parser.parse_args(argv)
    if args.example:
        laid_out = sheets(example())
        write_xlsx(laid_out, EXAMPLE)
        write_csv_folder(laid_out, EXAMPLE_CSV)
        return
    if not args.output or args.hosts < 1 or args.vms < 0 or args.clusters < 1 or not 0 < args.fill <= 1:
        parser.error("need --output, --hosts >= 1, --vms >= 0, --clusters >= 1 and 0 < --fill <= 1")
    laid_out = sheets(build(args.hosts, args.vms, clusters=args.clusters, fill=args.fill, seed=args.seed), headers=args.headers, messy=args.messy)
    output = Path(args.output)
    if args.format == "xlsx":
        write_xlsx(laid_out, output, phantom=args.messy)
    elif args.format == "zip":
        write_csv_zip(laid_out, output)
    else:
        write_csv_folder(laid_out, output)


if __name__ == "__main__":
    main()
