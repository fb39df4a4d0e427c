"""A Hyper-V failover cluster from one PowerShell export, as one checkable cluster (``platform = "hyperv"``).

Run on a cluster node, in Windows PowerShell 5.1 or PowerShell 7 (docs/platforms-import.md explains it)::

    $c = Get-Cluster; @(foreach ($n in Get-ClusterNode -Cluster $c) {
      [pscustomobject]@{ Kind = 'Node'; Cluster = $c.Name; Name = $n.Name; State = "$($n.State)"
        TotalPhysicalMemory = (Get-CimInstance Win32_ComputerSystem -ComputerName $n.Name -ErrorAction SilentlyContinue).TotalPhysicalMemory
        CpuMhz = (Get-CimInstance Win32_Processor -ComputerName $n.Name -ErrorAction SilentlyContinue |
                  ForEach-Object { $_.MaxClockSpeed * $_.NumberOfCores } | Measure-Object -Sum).Sum }
      Get-VM -ComputerName $n.Name -ErrorAction SilentlyContinue | Select-Object @{n='Kind';e={'VM'}}, Name,
        @{n='VMId';e={"$($_.VMId)"}}, @{n='State';e={"$($_.State)"}}, MemoryStartup, MemoryAssigned,
        DynamicMemoryEnabled, ProcessorCount, ComputerName, IsClustered
    }) | ConvertTo-Json | Out-File -Encoding utf8 hyperv.json

One flat list of ``Kind: Node`` and ``Kind: VM`` records, so ``ConvertTo-Json``'s default depth of 2 cuts
nothing. What Windows PowerShell does to JSON is read as it comes: UTF-16 files with a BOM (``>`` and
``Out-File`` without ``-Encoding``), a single record not wrapped in an array, an array wrapped as
``{"value": [...], "Count": n}``, enum values written as integers (VM ``State`` 2 = Running, 3 = Off,
6 = Saved, 9 = Paused; node ``State`` 0 = Up, 1 = Down, 2 = Paused, 3 = Joining), property names in
any case. Records without ``Kind`` are told by their fields (``MemoryStartup``: a VM;
``TotalPhysicalMemory``: a node), and VMs may also sit in a node's ``VMs`` list; objects cut to text
such as ``"@{Name=…}"`` (``ConvertTo-Json`` without ``-Depth``) stop the read with the fix.

Model: a node's memory is ``TotalPhysicalMemory`` (bytes, rounded down to MiB; capacity is physical)
and its CPU ``CpuMhz`` (clock × cores); SCVMM's host reserve comes from the caller (``host_reserve_mb``)
and is recorded on every host. A VM's demand is its startup memory (``MemoryStartup``, rounded up to
MiB): Hyper-V starts a VM only with that much free, so it is both ``memory_mb`` and
``memory_reservation_mb``. ``IsClustered`` VMs are HA; the others still use memory but are not failed
over. The cluster is named by the nodes' ``Cluster`` field, else by the file's name.

Enum values: node states from Microsoft's CLUSTER_NODE_STATE (clusapi.h); VM states from
Microsoft.HyperV.PowerShell.VMState, whose values match the Msvm_ComputerSystem RequestStateChange
states Microsoft documents (2 Enabled, 3 Disabled, 6 Offline = Saved, 9 Quiesce = Paused, 10, 11, 32773,
32776, 32777, 32779, 32780). The "critical" states' integers differ between sources, so an integer
outside that list is counted as running (its memory counted) with a warning; their names are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hacalc.core.errors import InputError
from hacalc.core.text import visible
from hacalc.core.vsphere.check import MAX_CAPACITY
from hacalc.core.vsphere.inventory import Capacity, Inventory, InventoryCluster, Source
from hacalc.core.vsphere.model import VM, Cluster, ClusterSettings, Host, HostState, Platform
from hacalc.i18n import N_, _
from hacalc.readers.cluster import MAX_HOSTS, MAX_VMS
from hacalc.readers.files import Document, FieldPath, in_file, quoted
from hacalc.readers.platform_exports import (
    Record,
    Warnings,
    counted,
    file_stem,
    mib_ceil,
    mib_floor,
    read_json_export,
    records,
    sniff_text,
    unique_names,
    within_capacity,
)

SOURCE = "hyperv"
EXPECTED = N_("the JSON of the Get-ClusterNode/Get-VM command in docs/platforms-import.md")
FIX = N_("run the export command of docs/platforms-import.md again")
DEPTH_FIX = N_("ConvertTo-Json cut nested objects to text at its default -Depth 2: add -Depth 4, or use the flat command of docs/platforms-import.md")
NODES = (N_("{count:,} node"), N_("{count:,} nodes"))
VMS = (N_("{count:,} VM"), N_("{count:,} VMs"))

# Every warning kind, stable (JUnit case names, JSON); docs/platforms-import.md explains each.
WARNING_KINDS = (
    "host-without-capacity",
    "host-cpu-missing",
    "vm-state-unverified",
    "vm-not-clustered",
    "vm-clustered-unknown",
    "vm-host-unmatched",
    "duplicate-vm",
    "duplicate-vm-name",
    "dynamic-memory-above-startup",
)

_NODE_STATES = {"up": HostState.connected, "down": HostState.disconnected, "paused": HostState.maintenance, "joining": HostState.not_responding, "unknown": HostState.not_responding}
_NODE_STATE_NUMBERS = {0: "up", 1: "down", 2: "paused", 3: "joining", -1: "unknown"}  # CLUSTER_NODE_STATE

_RUNNING_STATES = frozenset(
    {"running", "paused", "starting", "reset", "saving", "pausing", "resuming", "stopping", "fastsaving", "forceshutdown", "forcereboot", "other"}
)
_OFF_STATES = frozenset({"off", "saved", "fastsaved"})  # no memory held: a saved VM's memory is on disk
_VM_STATE_NUMBERS = {2: "running", 3: "off", 4: "stopping", 6: "saved", 9: "paused", 10: "starting", 11: "reset", 32773: "saving", 32776: "pausing", 32777: "resuming", 32779: "fastsaved", 32780: "fastsaving"}


def looks_like_hyperv(source: str) -> bool:
    """Whether ``source`` looks like the export ``load_hyperv`` reads (told by its first 64 KiB, any encoding)."""
    text = sniff_text(source).lstrip().casefold()
    return text[:1] in ("[", "{") and ('"memorystartup"' in text or '"totalphysicalmemory"' in text)


def load_hyperv(source: str, host_reserve_mb: int = 0) -> Inventory:
    """The Hyper-V cluster the export describes, with ``host_reserve_mb`` (SCVMM's host reserve) on every host.

    Returns an ``Inventory`` holding one ``InventoryCluster`` (``.cluster`` is the ``Cluster``, platform
    hyperv; ``.warnings`` its counted warnings). Raises InputError, naming the file, line and field, for
    anything that cannot be read.
    """
    if isinstance(host_reserve_mb, bool) or not isinstance(host_reserve_mb, int) or not 0 <= host_reserve_mb <= MAX_CAPACITY:
        raise InputError(_("host reserve {value!r} MB is out of range").format(value=host_reserve_mb), "in host_reserve_mb", _("give whole MB from 0 to {maximum:,}").format(maximum=MAX_CAPACITY))
    document = read_json_export(source, EXPECTED)
    nodes, vms = _split(document)
    warnings = Warnings(WARNING_KINDS)
    hosts = _hosts(nodes, host_reserve_mb, warnings)
    cluster_name = _cluster_name(nodes)
    facts = {"nodes": str(len(nodes)), "vms": str(len(vms)), "name_from": "export" if cluster_name else "file name", "host_reserve_mb": str(host_reserve_mb)}
    settings = ClusterSettings(name=cluster_name or file_stem(source), platform=Platform.hyperv)
    item = InventoryCluster(
        cluster=Cluster(settings, tuple(hosts), tuple(_vms(vms, hosts, warnings))),
        sources={"platform": Source.export},
        capacity=Capacity.physical,
        facts=facts,
        warnings=warnings.result(),
    )
    return Inventory(source=SOURCE, clusters=(item,))


# Records -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Vm:
    record: Record
    node: str  # the node record it was nested in, "" for a flat record


def _split(document: Document) -> tuple[list[Record], list[_Vm]]:
    """Node and VM records, whether flat or with VMs nested in their node's ``VMs``."""
    nodes: list[Record] = []
    vms: list[_Vm] = []
    for record in _records(document, document.data, ()):
        kind = _kind(record)
        if kind == "vm":
            vms.append(_Vm(record, ""))
            continue
        nodes.append(record)
        nested = record.get("VMs")
        if nested is not None:
            name = record.text("Name", fix=FIX)
            vms.extend(_Vm(vm, name) for vm in _records(document, nested, (*record.path, record.key("VMs"))))
    if not nodes:
        raise InputError(_("the export holds no node record (Kind 'Node', with TotalPhysicalMemory)"), in_file(document.name), _("give {expected}").format(expected=_(EXPECTED)))
    if len(nodes) > MAX_HOSTS or len(vms) > MAX_VMS:
        raise InputError(
            _("the export lists {nodes:,} nodes and {vms:,} VMs, more than the limits").format(nodes=len(nodes), vms=len(vms)),
            in_file(document.name),
            _("at most {nodes:,} nodes and {vms:,} VMs").format(nodes=MAX_HOSTS, vms=MAX_VMS),
        )
    return nodes, vms


def _records(document: Document, data: Any, path: FieldPath) -> list[Record]:
    data, path = _unwrapped(data, path)
    if isinstance(data, list):
        for index, item in enumerate(data):
            if isinstance(item, str) and item.lstrip().startswith("@{"):
                raise InputError(_("a record was written as text, not as an object"), document.where((*path, index)), _(DEPTH_FIX))
    what = N_("the export") if not path else N_("the VMs list")
    return records(document, data, path, what, FIX, any_case=True)


def _unwrapped(data: Any, path: FieldPath) -> tuple[Any, FieldPath]:
    """Windows PowerShell writes some arrays as ``{"value": [...], "Count": n}``: the list inside."""
    if isinstance(data, dict) and len(data) == 2:
        keys = {key.casefold(): key for key in data if isinstance(key, str)}
        if set(keys) == {"value", "count"} and isinstance(data[keys["value"]], list):
            return data[keys["value"]], (*path, keys["value"])
    return data, path


def _kind(record: Record) -> str:
    kind = record.get("Kind")
    if isinstance(kind, str) and kind.strip().casefold() in ("node", "vm"):
        return kind.strip().casefold()
    if kind is not None:
        raise record.error("Kind", _("{value} is neither 'Node' nor 'VM'").format(value=quoted(kind)), _(FIX))
    if record.key("MemoryStartup") in record.data:
        return "vm"
    if record.key("TotalPhysicalMemory") in record.data:
        return "node"
    raise record.error(None, _("the record is neither a node (TotalPhysicalMemory) nor a VM (MemoryStartup)"), _(FIX))


def _no_cut_text(record: Record, key: str) -> None:
    value = record.get(key)
    if isinstance(value, str) and value.lstrip().startswith("@{"):
        raise record.error(key, _("{key} was written as text ({value}), not as a value").format(key=key, value=quoted(value, 30)), _(DEPTH_FIX))


# Nodes ---------------------------------------------------------------------------------------------


def _cluster_name(nodes: list[Record]) -> str | None:
    names: dict[str, Record] = {}
    for record in nodes:
        _no_cut_text(record, "Cluster")
        name = record.text("Cluster", fix=FIX)
        if name:
            names.setdefault(name.casefold(), record)
    if len(names) > 1:
        first, *others = names.values()
        raise others[0].error(
            "Cluster",
            _("the export holds two clusters ({first} and {second})").format(first=quoted(first.text("Cluster")), second=quoted(others[0].text("Cluster"))),
            _("export one cluster at a time"),
        )
    return visible(next(iter(names.values())).text("Cluster")) if names else None


def _node_state(record: Record) -> HostState:
    value = record.get("State")
    if value is None:
        return HostState.connected
    if isinstance(value, int) and not isinstance(value, bool):
        name = _NODE_STATE_NUMBERS.get(value)
    else:
        _no_cut_text(record, "State")
        name = value.strip().casefold() if isinstance(value, str) else None
    if name not in _NODE_STATES:
        raise record.error("State", _("{value} is not a cluster node state").format(value=quoted(value)), _("Get-ClusterNode writes Up, Down, Paused or Joining (0 to 3)"))
    return _NODE_STATES[name]


def _hosts(nodes: list[Record], reserve_mb: int, warnings: Warnings) -> list[Host]:
    hosts: list[Host] = []
    seen: set[str] = set()
    for record in nodes:
        _no_cut_text(record, "Name")
        name = visible(record.text("Name", required=True, fix=FIX))
        if name.casefold() in seen:
            raise record.error("Name", _("node {name} is listed twice").format(name=quoted(name)), _("export one cluster once"))
        seen.add(name.casefold())
        state = _node_state(record)
        memory = record.whole("TotalPhysicalMemory", fix=FIX)
        if memory is None:
            warnings.add("host-without-capacity", name, lambda count: counted(N_("{n} without TotalPhysicalMemory (down, or CIM unreachable) left out"), count, *NODES))
            continue
        cpu = record.whole("CpuMhz", maximum=MAX_CAPACITY, fix=FIX)
        if cpu is None:
            warnings.add("host-cpu-missing", name, lambda count: counted(N_("{n} without CpuMhz: CPU capacity counted as 0 (the Hyper-V rule is memory-only)"), count, *NODES))
        memory_mb = within_capacity(record, "TotalPhysicalMemory", mib_floor(memory), "MiB")
        hosts.append(Host(name, cpu or 0, memory_mb, state, reserve_mb))
    return hosts


# VMs -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Read:
    name: str
    ident: str
    host: str | None
    powered_on: bool
    memory_mb: int
    ha: bool


def _vms(found: list[_Vm], hosts: list[Host], warnings: Warnings) -> list[VM]:
    by_name = {host.name.casefold(): host.name for host in hosts}
    read: list[_Read] = []
    seen: set[str] = set()
    for vm in found:
        item = _vm(vm, by_name, warnings)
        key = item.ident.casefold() if item.ident else f"{item.name}\0{item.host}".casefold()
        if key in seen:
            warnings.add("duplicate-vm", item.name, lambda count: counted(N_("{n} listed twice (moved while the export ran?): the first record is used"), count, *VMS))
            continue
        seen.add(key)
        read.append(item)
    names = unique_names([item.name for item in read], [item.ident or item.host or "?" for item in read])
    vms = []
    for item, name in zip(read, names):
        if name != item.name:
            warnings.add("duplicate-vm-name", item.name, lambda count: counted(N_("{n} share a name with another VM; renamed 'NAME (VMId)'"), count, *VMS))
        vms.append(VM(name, memory_reservation_mb=item.memory_mb, powered_on=item.powered_on, host=item.host, memory_mb=item.memory_mb, ha=item.ha))
    return vms


def _vm(vm: _Vm, hosts: dict[str, str], warnings: Warnings) -> _Read:
    record = vm.record
    for key in ("Name", "State", "ComputerName", "MemoryStartup", "VMId"):
        _no_cut_text(record, key)
    name = visible(record.text("Name", required=True, fix=FIX))
    startup = record.whole("MemoryStartup", fix=FIX)
    if startup is None:
        raise record.error(None, _("VM {name} has no MemoryStartup").format(name=quoted(name)), _("select MemoryStartup in Get-VM, as the command of docs/platforms-import.md does"))
    memory_mb = within_capacity(record, "MemoryStartup", mib_ceil(startup), "MiB")
    powered_on = _powered_on(record, name, warnings)
    clustered = record.flag("IsClustered", fix=FIX)
    if clustered is None:
        warnings.add("vm-clustered-unknown", name, lambda count: counted(N_("{n} without IsClustered: treated as not highly available"), count, *VMS))
    elif not clustered:
        warnings.add("vm-not-clustered", name, lambda count: counted(N_("{n} not clustered: they use memory on their node but are not failed over"), count, *VMS))
    assigned = record.whole("MemoryAssigned", fix=FIX)
    if powered_on and record.flag("DynamicMemoryEnabled", fix=FIX) and assigned is not None and assigned > startup:
        warnings.add(
            "dynamic-memory-above-startup",
            name,
            lambda count: counted(
                N_("{n} above their startup memory now (MemoryAssigned); startup memory is the demand counted"),
                count,
                N_("{count:,} dynamic-memory VM"),
                N_("{count:,} dynamic-memory VMs"),
            ),
        )
    node = visible(record.text("ComputerName", fix=FIX)) or vm.node
    host = hosts.get(node.casefold())
    if host is None:
        warnings.add("vm-host-unmatched", node or name, lambda count: counted(N_("{n} on a node that is not counted (not in the export, or without memory): placed nowhere"), count, *VMS))
    return _Read(name, visible(record.text("VMId", fix=FIX)), host, powered_on, memory_mb, bool(clustered))


def _powered_on(record: Record, name: str, warnings: Warnings) -> bool:
    """Whether the VM holds its memory now: running, paused or in transition yes; off or saved no."""
    value = record.get("State")
    if value is None:
        raise record.error(None, _("VM {name} has no State").format(name=quoted(name)), _("select State in Get-VM, as the command of docs/platforms-import.md does"))
    if isinstance(value, int) and not isinstance(value, bool):
        state = _VM_STATE_NUMBERS.get(value)
        if state is None:
            warnings.add("vm-state-unverified", f"{name} ({value})", lambda count: counted(N_("{n} with a State number whose meaning is not verified: counted as running"), count, *VMS))
            return True
    elif isinstance(value, str):
        state = value.strip().casefold().removesuffix("critical")
    else:
        state = None
    if state in _RUNNING_STATES:
        return True
    if state in _OFF_STATES:
        return False
    raise record.error("State", _("{value} is not a VM state").format(value=quoted(value)), _("Get-VM writes Running, Off, Saved, Paused… (or their numbers: 2 Running, 3 Off)"))
