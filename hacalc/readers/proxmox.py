"""A Proxmox VE cluster from ``pvesh`` exports, as one checkable cluster (``platform = "proxmox"``).

Run on any node of the cluster (see docs/platforms-import.md)::

    pvesh get /cluster/resources --output-format json > resources.json
    pvesh get /cluster/ha/resources --output-format json > ha-resources.json
    pvesh get /cluster/status --output-format json > status.json      # optional: the cluster's name

The files are told apart by what they hold, so they may be given in any order; the resources file is
required. Field names are those of the API schema (pve-manager ``PVE/API2/Cluster.pm`` and
pve-ha-manager ``PVE/HA/Resources.pm``; commits in tests/fixtures/proxmox/README.md):

* ``type: node`` entries are hosts: ``node`` (name), ``status`` (online, offline, unknown), ``maxmem``
  (bytes, rounded down to MiB), ``maxcpu`` (cores), ``hastate`` (``maintenance`` while the HA stack
  drains it).
* ``type: qemu | lxc`` entries are guests: ``vmid``, ``name``, ``node``, ``status`` (running, stopped),
  ``template``, ``maxmem`` (configured memory in bytes, rounded up to MiB), ``maxcpu`` (configured
  cores; fractional for a container's ``cpulimit``).
* every other type (storage, pool, sdn, network) is counted and ignored.
* HA: an HA resource (``sid`` ``vm:100``, ``ct:101`` or ``100``) whose requested ``state`` is started
  (the default), enabled or stopped is recovered on a node failure, so its guest has ``ha = true``;
  ``disabled`` and ``ignored`` ones are not. Without the HA file the ``hastate`` field the resources
  carry for HA-managed guests is used instead, and a warning says so.

**CPU unit.** Proxmox counts CPU in cores, never MHz; its static CRS weighs configured cores against
node cores. So for a Proxmox cluster ``cpu_mhz`` holds **millicores**: a node's capacity is
``maxcpu × 1000`` and a guest's ``cpu_mhz`` is its configured ``maxcpu × 1000`` (rounded up), exact for
fractional ``cpulimit`` values such as 0.5. CPU reservations do not exist on Proxmox and are 0.

Capacity is physical (``maxmem`` is the node's installed memory). The cluster is named by the
``type: cluster`` entry of the status file, else by the resources file's name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hacalc.core.errors import InputError
from hacalc.core.text import visible
from hacalc.core.vsphere.inventory import Capacity, Inventory, InventoryCluster, Source
from hacalc.core.vsphere.model import VM, Cluster, ClusterSettings, Host, HostState, Platform
from hacalc.i18n import N_, Message, _
from hacalc.readers.cluster import MAX_HOSTS, MAX_VMS
from hacalc.readers.files import Document, in_file, quoted
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

SOURCE = "proxmox"
MILLICORES = 1000  # cpu_mhz units per core on a Proxmox cluster
MAX_VMID = 999_999_999  # the API's pve-vmid range
EXPECTED = N_("the output of pvesh get /cluster/resources --output-format json")
FIX = N_("export it again with pvesh get … --output-format json")
ONE_EXPORT = N_("give one pvesh export of one cluster")
NODES = (N_("{count:,} node"), N_("{count:,} nodes"))
GUESTS = (N_("{count:,} guest"), N_("{count:,} guests"))
HA_RESOURCES = (N_("{count:,} HA resource"), N_("{count:,} HA resources"))
GUEST_TYPES = ("qemu", "lxc")
IGNORED_TYPES = ("storage", "pool", "sdn", "network", "openvz")
HA_RECOVERED = frozenset({"started", "enabled", "stopped"})  # requested states the CRM relocates on node failure
HA_NOT_RECOVERED = frozenset({"disabled", "ignored"})

# Every warning kind, stable (JUnit case names, JSON); docs/platforms-import.md explains each.
WARNING_KINDS = (
    "entries-ignored",
    "ha-file-missing",
    "ha-from-hastate",
    "ha-resource-without-guest",
    "ha-affinity-ignored",
    "node-without-capacity",
    "templates-skipped",
    "guests-stopped",
    "guest-status-unknown",
    "guest-node-unmatched",
    "duplicate-guest-name",
)

_RESOURCE_ID = re.compile(r'"id"\s*:\s*"(?:node|qemu|lxc|storage|pool|sdn|network)/')
_HA_SID = re.compile(r'"sid"\s*:\s*"(?:(?:vm|ct):)?\d+"')
_STATUS_CLUSTER = re.compile(r'"type"\s*:\s*"cluster"|"nodeid"\s*:')
_SID = re.compile(r"(?:(vm|ct):)?(\d{1,9})")


def looks_like_proxmox(source: str) -> bool:
    """Whether ``source`` is one of the pvesh exports ``load_proxmox`` reads (told by its first 64 KiB)."""
    text = sniff_text(source).lstrip()
    if not text.startswith("["):
        return False
    return bool(_RESOURCE_ID.search(text) or _HA_SID.search(text) or (_STATUS_CLUSTER.search(text) and '"maxmem"' not in text))


def load_proxmox(sources: Sequence[str]) -> Inventory:
    """The cluster the pvesh exports describe (resources required; HA resources and status optional, any order).

    Returns an ``Inventory`` holding one ``InventoryCluster`` (``.cluster`` is the ``Cluster``, platform
    proxmox; ``.warnings`` its counted warnings) and the warnings about the files themselves. Raises
    InputError, naming the file, line and field, for anything that cannot be read.
    """
    if not sources:
        raise InputError(_("no Proxmox export given"), fix=_("give {expected}").format(expected=_(EXPECTED)))
    files = _classify([read_json_export(source, EXPECTED) for source in sources], sources)
    source_warnings, warnings = Warnings(WARNING_KINDS), Warnings(WARNING_KINDS)
    entries = _resources(files.resources, source_warnings)
    hosts = _hosts(entries.nodes, warnings)
    ha = _ha_states(files.ha, entries.guests, source_warnings)
    vms = _vms(entries.guests, {host.name for host in hosts}, ha, warnings)
    name = _cluster_name(files.status) or file_stem(files.resources_source)
    facts = {"nodes": str(len(entries.nodes)), "guests": str(len(vms)), "name_from": "status file" if files.status is not None and _cluster_name(files.status) else "file name"}
    settings = ClusterSettings(name=name, platform=Platform.proxmox)
    item = InventoryCluster(
        cluster=Cluster(settings, tuple(hosts), tuple(vms)),
        sources={"platform": Source.export},
        capacity=Capacity.physical,
        facts=facts,
        warnings=warnings.result(),
    )
    return Inventory(source=SOURCE, clusters=(item,), warnings=source_warnings.result(), facts={"cpu_unit": "millicores"})


# The files -----------------------------------------------------------------------------------------


@dataclass
class _Files:
    resources: Document
    resources_source: str
    ha: Document | None
    status: Document | None


def _classify(documents: list[Document], sources: Sequence[str]) -> _Files:
    """Which file is which, by content: every file must be one of the three, and each kind given once."""
    found: dict[str, tuple[Document, str]] = {}
    for document, source in zip(documents, sources):
        kind = _kind_of(document)
        if kind is None:
            raise InputError(
                _("not a pvesh export: its entries have neither 'type' and 'id' (/cluster/resources) nor 'sid' (/cluster/ha/resources)"),
                in_file(document.name),
                _("give {expected}, optionally with /cluster/ha/resources and /cluster/status").format(expected=_(EXPECTED)),
            )
        if kind in found:
            raise InputError(_(TWO_FILES[kind]).format(first=found[kind][0].name, second=document.name), in_file(document.name), _("give each pvesh export once"))
        found[kind] = (document, source)
    if "resources" not in found:
        names = ", ".join(document.name for document in documents)
        raise InputError(_("no /cluster/resources export among the files"), in_file(names), _("add {expected}").format(expected=_(EXPECTED)))
    resources, source = found["resources"]
    return _Files(resources, source, found.get("ha", (None, ""))[0], found.get("status", (None, ""))[0])


TWO_FILES = {"resources": N_("two resources files ({first} and {second})"), "ha": N_("two ha files ({first} and {second})"),
             "status": N_("two status files ({first} and {second})")}


def _kind_of(document: Document) -> str | None:
    data = document.data
    if not isinstance(data, list):
        return None
    if not data:
        return "ha"  # an HA resources export of a cluster with no HA resource is []
    objects = [item for item in data if isinstance(item, dict)]
    if any("sid" in item for item in objects):
        return "ha"
    if any(item.get("type") == "cluster" or "nodeid" in item for item in objects):
        return "status"
    if any("type" in item and "id" in item for item in objects):
        return "resources"
    return None


def _cluster_name(status: Document | None) -> str | None:
    if status is None:
        return None
    for record in records(status, status.data, (), N_("the status export"), FIX):
        if record.get("type") == "cluster":
            name = record.text("name")
            return visible(name) if name else None
    return None


# Resources -----------------------------------------------------------------------------------------


@dataclass
class _Entries:
    nodes: list[Record]
    guests: list[Record]


def _resources(document: Document, warnings: Warnings) -> _Entries:
    nodes: list[Record] = []
    guests: list[Record] = []
    ignored: dict[str, int] = {}
    for record in records(document, document.data, (), N_("the resources export"), FIX):
        kind = record.text("type", required=True, fix=FIX)
        if kind == "node":
            nodes.append(record)
        elif kind in GUEST_TYPES:
            guests.append(record)
        else:
            ignored[kind] = ignored.get(kind, 0) + 1
    for kind, count in ignored.items():
        known = kind in IGNORED_TYPES
        warnings.add(
            "entries-ignored",
            f"{visible(kind)} ×{count}" if known else f"{visible(kind)} ×{count} (unknown type)",
            lambda total: counted(N_("{n} of other types (storage, pool, sdn…) ignored: only nodes and guests count"), total, N_("{count:,} entry"), N_("{count:,} entries")),
            count,
        )
    if not nodes:
        raise InputError(
            _("the resources export lists no node (no entry of type 'node')"),
            in_file(document.name),
            _("give the whole output of pvesh get /cluster/resources, not one filtered by --type"),
        )
    if len(nodes) > MAX_HOSTS or len(guests) > MAX_VMS:
        raise InputError(
            _("the export lists {nodes:,} nodes and {guests:,} guests, more than the limits").format(nodes=len(nodes), guests=len(guests)),
            in_file(document.name),
            _("at most {nodes:,} nodes and {guests:,} guests").format(nodes=MAX_HOSTS, guests=MAX_VMS),
        )
    _refuse_duplicates(nodes, lambda record: record.text("node", required=True, fix=FIX), "node", N_("node {name} is listed twice"))
    _refuse_duplicates(guests, _vmid, "vmid", N_("guest {name} is listed twice"))
    return _Entries(nodes, guests)


def _vmid(record: Record) -> str:
    vmid = record.whole("vmid", maximum=MAX_VMID, fix=FIX)
    if vmid is None:
        raise record.error(None, _("the guest entry has no 'vmid'"), _(FIX))
    return str(vmid)


def _refuse_duplicates(entries: list[Record], key_of: Callable[[Record], str], key: str, message: str) -> None:
    """Node names and VMIDs are unique in a cluster: a repeat means files were joined or edited. ``message``:
    an ``N_``-marked template with a ``{name}``."""
    seen: set[str] = set()
    for record in entries:
        value = key_of(record)
        if value in seen:
            raise record.error(key, _(message).format(name=quoted(value)), _(ONE_EXPORT))
        seen.add(value)


_NODE_STATES = {"online": HostState.connected, "offline": HostState.disconnected}


def _hosts(nodes: list[Record], warnings: Warnings) -> list[Host]:
    hosts = []
    for record in nodes:
        name = visible(record.text("node", required=True, fix=FIX))
        memory = record.whole("maxmem", fix=FIX)
        cores = record.whole("maxcpu", maximum=10**6, fix=FIX)
        if memory is None or cores is None:
            warnings.add(
                "node-without-capacity",
                name,
                lambda count: counted(N_("{n} without maxmem or maxcpu (offline, or the export's user lacks Sys.Audit) left out"), count, *NODES),
            )
            continue
        state = _NODE_STATES.get(record.text("status"), HostState.not_responding)
        if record.text("hastate") == "maintenance" and state is HostState.connected:
            state = HostState.maintenance
        memory_mb = within_capacity(record, "maxmem", mib_floor(memory), "MiB")
        cpu = within_capacity(record, "maxcpu", cores * MILLICORES, "millicores")
        hosts.append(Host(name, cpu, memory_mb, state))
    return hosts


# HA ------------------------------------------------------------------------------------------------


def _ha_states(document: Document | None, guests: list[Record], warnings: Warnings) -> dict[str, bool]:
    """vmid -> whether the HA stack recovers the guest after a node failure."""
    if document is None:
        return _ha_from_hastate(guests, warnings)
    vmids = {_vmid(record): record.text("type") for record in guests}
    states: dict[str, bool] = {}
    for record in records(document, document.data, (), N_("the HA resources export"), FIX):
        sid = record.text("sid", required=True, fix=FIX)
        match = _SID.fullmatch(sid)
        if match is None:
            raise record.error("sid", _("{value} is not an HA resource id").format(value=quoted(sid)), _("pvesh writes vm:VMID or ct:VMID"))
        prefix, vmid = match.groups()
        if vmid in states:
            raise record.error("sid", _("HA resource {name} is listed twice").format(name=quoted(sid)), _(ONE_EXPORT))
        state = record.text("state") or "started"  # the schema's default
        if state not in HA_RECOVERED | HA_NOT_RECOVERED:
            raise record.error("state", _("{value} is not an HA resource state").format(value=quoted(state)), _("pvesh writes started, stopped, enabled, disabled or ignored"))
        expected_type = {"vm": "qemu", "ct": "lxc"}.get(prefix or "")
        if vmid not in vmids or (expected_type and vmids[vmid] != expected_type):
            warnings.add("ha-resource-without-guest", sid, lambda count: counted(N_("{n} without a guest of that id in the resources export, ignored"), count, *HA_RESOURCES))
            continue
        states[vmid] = state in HA_RECOVERED
        if record.get("group") or record.get("rules"):
            warnings.add(
                "ha-affinity-ignored",
                sid,
                lambda count: counted(N_("{n} restricted by an HA group or node affinity rule: the restart check may place them on any node"), count, *HA_RESOURCES),
            )
    return states


def _ha_from_hastate(guests: list[Record], warnings: Warnings) -> dict[str, bool]:
    states = {_vmid(record): record.text("hastate") not in HA_NOT_RECOVERED for record in guests if record.text("hastate")}
    if states:
        warnings.add(
            "ha-from-hastate",
            "",
            lambda count: Message(N_("no /cluster/ha/resources export: HA read from the resources' hastate field (give the HA export for requested states and groups)")),
        )
    else:
        warnings.add(
            "ha-file-missing",
            "",
            lambda count: Message(N_("no /cluster/ha/resources export and no guest with an hastate: no guest is treated as HA-protected")),
        )
    return states


# Guests --------------------------------------------------------------------------------------------


def _vms(guests: list[Record], host_names: set[str], ha: dict[str, bool], warnings: Warnings) -> list[VM]:
    kept = [record for record in guests if not _template(record, warnings)]
    ids = [_vmid(record) for record in kept]
    names = unique_names([visible(record.text("name")) or f"guest {vmid}" for record, vmid in zip(kept, ids)], ids)
    vms = []
    for record, vmid, name in zip(kept, ids, names):
        if name != (visible(record.text("name")) or f"guest {vmid}"):
            warnings.add("duplicate-guest-name", record.text("name"), lambda count: counted(N_("{n} share a name with another guest; renamed 'NAME (VMID)'"), count, *GUESTS))
        vms.append(_vm(record, name, vmid, host_names, ha.get(vmid, False), warnings))
    return vms


def _template(record: Record, warnings: Warnings) -> bool:
    if record.flag("template", fix=FIX):
        warnings.add("templates-skipped", record.text("name") or record.text("vmid"), lambda count: counted(N_("{n} skipped: a template never runs"), count, N_("{count:,} template"), N_("{count:,} templates")))
        return True
    return False


def _vm(record: Record, name: str, vmid: str, host_names: set[str], ha: bool, warnings: Warnings) -> VM:
    status = record.text("status")
    memory = record.whole("maxmem", fix=FIX)
    cores = record.number("maxcpu", maximum=10**6, fix=FIX)
    if status == "stopped":
        powered_on = False
        warnings.add("guests-stopped", name, lambda count: counted(N_("{n} stopped: kept, but HA starts none of them after a failure"), count, *GUESTS))
    elif status == "running" and memory is not None:
        powered_on = True
    else:
        powered_on = status not in ("", "unknown") and memory is not None
        warnings.add(
            "guest-status-unknown",
            name,
            lambda count: counted(
                N_("{n} neither running nor stopped, or without maxmem (node offline or not reporting): counted as running only with a known status and memory"),
                count,
                *GUESTS,
            ),
        )
    node = visible(record.text("node"))
    host = node if node in host_names else None
    if node and host is None:
        warnings.add("guest-node-unmatched", node, lambda count: counted(N_("{n} on a node that is not counted (no capacity in the export): placed nowhere"), count, *GUESTS))
    memory_mb = within_capacity(record, "maxmem", mib_ceil(memory), "MiB") if memory is not None else None
    cpu = within_capacity(record, "maxcpu", math.ceil(cores * MILLICORES), "millicores") if cores is not None else None
    return VM(name, powered_on=powered_on, host=host, memory_mb=memory_mb, cpu_mhz=cpu, ha=ha)
