"""Decoding a scenario file into the typed ``Cluster``: every field checked, or nothing returned.

Field names are part of the product (they are documented in docs/readme/cluster.md). Unknown fields are
errors with a did-you-mean, ``count = n`` expands to ``NAME-1`` … ``NAME-n``, and names must be unique
after expansion so that placements and failover hosts refer to exactly one host.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, TextIO, TypeVar

from hacalc.core.errors import InputError
from hacalc.core.units import parse_duration
from hacalc.core.vsphere.model import (
    HOST_FIELDS,
    VM_FIELDS,
    HostReliability,
    Platform,
    VM,
    Cluster,
    ClusterSettings,
    Host,
    HostState,
    NutanixReservation,
    Policy,
    ProxmoxCrs,
    RestartPriority,
    VmMonitoring,
    VmMonitoringSensitivity,
)
from hacalc.core.vsphere.inventory import CLUSTER_SETTINGS, Capacity, Inventory, InventoryCluster, Source, with_host_reserve
from hacalc.core.vsphere.versions import SUPPORTED_VERSIONS, profile
from hacalc.core.text import visible
from hacalc.i18n import N_, _
from hacalc.readers.files import Document, FieldPath, format_path, quoted, read_document

MAX_COUNT = 100_000  # one count; a typo such as count = 1e9 must not exhaust memory
MAX_HOSTS = 10_000
MAX_VMS = 200_000
# What a file describes too many of, and the name two entries share: the English words, marked for the catalogue.
TOO_MANY = {"hosts": (N_("the file describes {total:,} hosts"), N_("hacalc reads at most {limit:,} hosts")),
            "vms": (N_("the file describes {total:,} VMs"), N_("hacalc reads at most {limit:,} VMs"))}
DUPLICATE_NAME = {"hosts": N_("duplicate host name {name} (also at line {line})"), "vms": N_("duplicate VM name {name} (also at line {line})")}
# ``integer(unit=…)``: a whole number of what, said in the error about it.
MB, MHZ, PERCENT, HOSTS, SECONDS, CREWS = "MB", "MHz", "percent", N_("hosts"), N_("seconds"), N_("crews")

E = TypeVar("E", bound=Enum)
_MISSING = object()


def load_cluster(source: str, *, input_format: str | None = None, stdin: TextIO | None = None) -> Cluster:
    """Read and decode a single-cluster scenario file (``-`` for stdin)."""
    return decode_cluster(read_document(source, input_format=input_format, stdin=stdin))


def decode_cluster(document: Document) -> Cluster:
    fields = _Fields(document, (), document.data, "file")
    settings_fields = fields.table("cluster", required=True)
    return _decode_one(fields, _decode_settings(settings_fields))


def decode_scenario(document: Document) -> Inventory | Overlay:
    """Any scenario file: one cluster (``[cluster]``), several (``[clusters."NAME"]``), or an overlay on an inventory."""
    data = document.data
    if isinstance(data, Mapping) and "inventory" in data:
        return _decode_overlay(document)
    if isinstance(data, Mapping) and "clusters" in data:
        return _decode_fleet(document)
    fields = _Fields(document, (), data, "file")
    settings_fields = fields.table("cluster", required=True)
    cluster = _decode_one(fields, _decode_settings(settings_fields))
    return Inventory("scenario", (InventoryCluster(cluster, sources=_written(settings_fields, Source.file)),), single=True)


@dataclass(frozen=True)
class OverlayTable:
    """The settings one overlay table writes, and where it sits, for error messages about them."""

    changes: Mapping[str, Any]
    path: FieldPath


@dataclass(frozen=True)
class Overlay:
    """``inventory = "export.xlsx"`` plus the settings the inventory lacks: ``[cluster]`` for every cluster, ``[clusters."NAME"]`` for one."""

    document: Document
    inventory: str  # as written; relative to the overlay file
    input_format: str | None
    defaults: OverlayTable
    clusters: Mapping[str, OverlayTable]


def _decode_one(fields: _Fields, settings: ClusterSettings) -> Cluster:
    """The hosts and VMs under ``fields`` (a file, or one ``[clusters."NAME"]`` table), checked against ``settings``."""
    document = fields.document
    host_tables = fields.tables("hosts", required=True)
    vm_tables = fields.tables("vms")
    hosts = _expand(document, (*fields.path, "hosts"), [(path, _decode_host(table)) for path, table in host_tables], MAX_HOSTS)
    vms = _expand(document, (*fields.path, "vms"), [(path, _decode_vm(table)) for path, table in vm_tables], MAX_VMS)
    host_names = {host.name for host, _ in hosts}
    settings_path = (*fields.path, "cluster") if not fields.path else fields.path
    for index, name in enumerate(settings.failover_hosts):
        if name not in host_names:
            raise _unknown_name(document, (*settings_path, "failover_hosts", index), N_("unknown failover host {name}"), name, host_names)
    for vm, path in vms:
        if vm.host is not None and vm.host not in host_names:
            raise _unknown_name(document, (*path, "host"), N_("unknown host {name}"), vm.host, host_names)
    return Cluster(settings, tuple(host for host, _ in hosts), tuple(vm for vm, _ in vms))


def _decode_fleet(document: Document) -> Inventory:
    fields = _Fields(document, (), document.data, "fleet_file")
    snapshot = _snapshot(fields)
    source = Source.vcenter if snapshot.get("source") == Source.vcenter.value else Source.file
    clusters = []
    for name, table in _named_tables(fields, "clusters", "fleet_cluster", required=True):
        settings = _decode_settings(table, name=name)
        capacity = table.choice("capacity", Capacity, Capacity.usable)
        item = InventoryCluster(_decode_one(table, settings), sources=_written(table, source), capacity=capacity, facts=_facts(table))
        if table.has("host_reserve_percent"):
            item = with_host_reserve(item, _host_reserve(table), source)
        clusters.append(item)
    return Inventory(snapshot.get("source", "scenario"), tuple(clusters), facts=snapshot)


def _decode_overlay(document: Document) -> Overlay:
    fields = _Fields(document, (), document.data, "overlay_file")
    written = fields.raw("cluster", {})
    if isinstance(written, Mapping) and "name" in written:
        raise fields.error(("cluster", "name"), _("an overlay's [cluster] applies to every cluster and takes no name"), _('write [clusters."NAME"] for one cluster'))
    defaults = _overlay_table(fields.table("cluster", section="overlay_cluster"))
    clusters = {name: _overlay_table(table) for name, table in _named_tables(fields, "clusters", "overlay_cluster")}
    input_format = fields.text("input_format", None)
    return Overlay(document, fields.text("inventory", required=True), input_format, defaults, clusters)


def _overlay_table(fields: _Fields) -> OverlayTable:
    settings = _decode_settings(fields, name="*")
    changes: dict[str, Any] = {name: getattr(settings, name) for name in CLUSTER_SETTINGS if fields.has(name)}
    if fields.has("host_reserve_percent"):
        changes["host_reserve_percent"] = _host_reserve(fields)
    if fields.has("host_reserve_mb"):
        changes["host_reserve_mb"] = fields.integer("host_reserve_mb", 0, unit=MB)
    return OverlayTable(changes, fields.path)


def _named_tables(fields: _Fields, key: str, section: str, *, required: bool = False) -> list[tuple[str, _Fields]]:
    value = fields.raw(key, {}, required=required)
    path = (*fields.path, key)
    if not isinstance(value, Mapping):
        raise fields.error(path, _("{key} must be a table of clusters by name, got {kind}").format(key=key, kind=_kind(value)), _('write [{key}."NAME"] tables').format(key=key))
    if required and not value:
        raise fields.error(path, _("{named} is empty").format(named=key), _('add at least one [{key}."NAME"] table').format(key=key))
    return [(str(name), _Fields(fields.document, (*path, name), table, section)) for name, table in value.items()]


def _snapshot(fields: _Fields) -> dict[str, str]:
    value = fields.raw("snapshot", {})
    if not isinstance(value, Mapping) or not all(isinstance(item, str) for item in value.values()):
        raise fields.error(("snapshot",), _("snapshot must be a table of strings"), _('write [snapshot] with lines such as server = "vcenter.example.com"'))
    return {str(key): item for key, item in value.items()}


def _facts(fields: _Fields) -> dict[str, str]:
    value = fields.raw("facts", {})
    if not isinstance(value, Mapping) or not all(isinstance(item, str) for item in value.values()):
        raise fields.error((*fields.path, "facts"), _("facts must be a table of strings"), _('write facts = { isolation_response = "none" }'))
    return {str(key): item for key, item in value.items()}


def _host_reserve(fields: _Fields) -> int:
    return fields.integer("host_reserve_percent", 0, maximum=99, unit=PERCENT)


def _written(fields: _Fields, source: Source) -> dict[str, Source]:
    """The settings a table writes itself; the others keep their defaults."""
    return {name: source for name in CLUSTER_SETTINGS if fields.has(name)}


class _Fields:
    """One table of the file: typed getters that raise ``InputError`` naming the file, line and field path."""

    def __init__(self, document: Document, path: FieldPath, value: Any, section: str) -> None:
        self.document = document
        self.path = path
        if not isinstance(value, Mapping):
            raise self.error(path, _("{label} must be a table, got {kind}").format(label=self.label, kind=_kind(value)), _("write it as a table of fields"))
        self.values = value
        if not _KNOWN_SETS[section].issuperset(value):
            key = next(key for key in value if key not in _KNOWN_SETS[section])
            raise self.error((*path, key), _("unknown field {key}").format(key=quoted(key)), _did_you_mean(str(key), _KNOWN[section]))

    @property
    def label(self) -> str:
        return format_path(self.path) if self.path else _("the file")

    def error(self, path: FieldPath, what: str, fix: str) -> InputError:
        return InputError(what, self.document.where(path), fix)

    def has(self, key: str) -> bool:
        return key in self.values

    def raw(self, key: str, default: Any = None, *, required: bool = False) -> Any:
        value = self.values.get(key, _MISSING)
        if value is _MISSING:
            if required:
                what = _("missing field {key!r} in {label}").format(key=key, label=self.label) if self.path else _("missing field {key!r}").format(key=key)
                raise self.error(self.path, what, _("add {key} = …").format(key=key))
            return default
        return value

    def text(self, key: str, default: str | None = None, *, required: bool = False) -> Any:
        value = self.values.get(key, _MISSING)
        if value is _MISSING:
            return self.raw(key, default, required=required)
        if type(value) is not str or not value.strip():
            raise self.error((*self.path, key), _("{key} must be a non-empty string, got {kind}").format(key=key, kind=_kind(value)), _('write {key} = "…"').format(key=key))
        return value

    def integer(
        self, key: str, default: int | None = None, *, required: bool = False, minimum: int = 0, maximum: int | None = None, unit: str = ""
    ) -> Any:
        value = self.values.get(key, _MISSING)
        if value is _MISSING:
            return self.raw(key, default, required=required)
        if type(value) is not int:
            raise self.error((*self.path, key), _whole_number(key, unit, _kind(value)), _("write a whole number, without quotes or decimals"))
        if value < minimum or (maximum is not None and value > maximum):
            bounds = _("use a whole number from {minimum} to {maximum}") if maximum is not None else _("use a whole number {minimum} or more")
            raise self.error((*self.path, key), _("{key} = {value} is out of range").format(key=key, value=value), bounds.format(minimum=minimum, maximum=maximum))
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.values.get(key, default)
        if type(value) is not bool:
            raise self.error((*self.path, key), _("{key} must be true or false, got {kind}").format(key=key, kind=_kind(value)), _("write {key} = true or {key} = false").format(key=key))
        return value

    def choice(self, key: str, enum: type[E], default: E | None) -> Any:
        value = self.values.get(key, _MISSING)
        if value is _MISSING:
            return default
        if type(value) is str:
            try:
                return enum(value)
            except ValueError:
                pass
        choices = [member.value for member in enum]
        shown = repr(value) if isinstance(value, str) else _kind(value)
        raise self.error((*self.path, key), _("{key} must be one of {choices}, got {kind}").format(key=key, choices=", ".join(choices), kind=shown), _did_you_mean(str(value), choices))

    def table(self, key: str, *, required: bool = False, section: str | None = None) -> _Fields:
        return _Fields(self.document, (*self.path, key), self.raw(key, {}, required=required), section or key)

    def tables(self, key: str, *, required: bool = False) -> list[tuple[FieldPath, _Fields]]:
        value = self.raw(key, [], required=required)
        if not isinstance(value, list):
            raise self.error((*self.path, key), _("{key} must be a list of tables, got {kind}").format(key=key, kind=_kind(value)), _("write each entry under [[{key}]]").format(key=key))
        if required and not value:
            raise self.error((*self.path, key), _("{named} is empty").format(named=key), _("add at least one [[{key}]] entry").format(key=key))
        return [((*self.path, key, index), _Fields(self.document, (*self.path, key, index), item, key)) for index, item in enumerate(value)]

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.raw(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error((*self.path, key), _("{key} must be a list of names, got {kind}").format(key=key, kind=_kind(value)), _('write {key} = ["HOST-1", "HOST-2"]').format(key=key))
        return tuple(value)


def _whole_number(key: str, unit: str, kind: str) -> str:
    """``cpu_mhz must be a whole number of MHz, got string '2x'``; ``unit`` is MB, MHZ, PERCENT, HOSTS, SECONDS, CREWS or empty."""
    if unit == PERCENT:
        return _("{key} must be a whole number percent, got {kind}").format(key=key, kind=kind)
    if unit:
        return _("{key} must be a whole number of {unit}, got {kind}").format(key=key, unit=_(unit), kind=kind)
    return _("{key} must be a whole number, got {kind}").format(key=key, kind=kind)


_KNOWN: dict[str, tuple[str, ...]] = {
    "file": ("cluster", "hosts", "vms"),
    "cluster": ("name", *CLUSTER_SETTINGS),
    "vm_monitoring": ("enabled", "sensitivity", "failure_interval_s", "min_uptime_s", "max_resets", "reset_window_s"),
    "reliability": ("host_mttf", "host_mttr", "crews", "ha_detect", "ha_restart", "boot"),
    "hosts": HOST_FIELDS,
    "vms": VM_FIELDS,
}
_KNOWN["fleet_file"] = ("snapshot", "clusters")
_KNOWN["fleet_cluster"] = (*CLUSTER_SETTINGS, "capacity", "host_reserve_percent", "facts", "hosts", "vms")
_KNOWN["overlay_file"] = ("inventory", "input_format", "cluster", "clusters")
_KNOWN["overlay_cluster"] = (*CLUSTER_SETTINGS, "host_reserve_percent", "host_reserve_mb")
_KNOWN_SETS = {section: frozenset(fields) for section, fields in _KNOWN.items()}


def _decode_settings(fields: _Fields, name: str | None = None) -> ClusterSettings:
    """``name`` is given when the table's key names the cluster (``[clusters."NAME"]``)."""
    version = _version(fields)
    auto_percent = fields.boolean("auto_percent", False)
    if auto_percent and (fields.has("cpu_percent") or fields.has("memory_percent")):
        raise fields.error((*fields.path, "auto_percent"), _("auto_percent = true and a fixed cpu_percent/memory_percent contradict each other"), _("keep one of them"))
    failover_hosts = fields.strings("failover_hosts")
    if fields.has("fixed_slot_cpu_mhz") != fields.has("fixed_slot_memory_mb"):
        missing = "fixed_slot_memory_mb" if fields.has("fixed_slot_cpu_mhz") else "fixed_slot_cpu_mhz"
        raise fields.error(fields.path, _("a fixed slot size needs both dimensions, {missing} is missing").format(missing=missing), _("add {key} = …").format(key=missing))
    if len(set(failover_hosts)) != len(failover_hosts):
        raise fields.error((*fields.path, "failover_hosts"), _("failover_hosts names a host twice"), _("list each failover host once"))
    settings = ClusterSettings(
        name=name if name is not None else fields.text("name", required=True),
        platform=fields.choice("platform", Platform, Platform.vsphere),
        vsphere=version,
        policy=fields.choice("policy", Policy, Policy.slot),
        tolerate=fields.integer("tolerate", 1, minimum=1, unit=HOSTS),
        cpu_percent=fields.integer("cpu_percent", None, minimum=0, maximum=100, unit=PERCENT),
        memory_percent=fields.integer("memory_percent", None, minimum=0, maximum=100, unit=PERCENT),
        auto_percent=auto_percent,
        failover_hosts=failover_hosts,
        performance_degradation_percent=fields.integer("performance_degradation_percent", 100, minimum=0, maximum=100, unit=PERCENT),
        options=_options(fields),
        fixed_slot_cpu_mhz=fields.integer("fixed_slot_cpu_mhz", None, minimum=1, unit=MHZ),
        fixed_slot_memory_mb=fields.integer("fixed_slot_memory_mb", None, minimum=1, unit=MB),
        count_not_responding=fields.boolean("count_not_responding", False),
        count_standby=fields.boolean("count_standby", False),
        vm_monitoring=_vm_monitoring(fields),
        reliability=_reliability(fields),
        nutanix_reservation=fields.choice("nutanix_reservation", NutanixReservation, None),
        replication_factor=fields.integer("replication_factor", None, minimum=2, maximum=3),
        proxmox_crs=fields.choice("proxmox_crs", ProxmoxCrs, None),
    )
    _check_platform_settings(fields, settings)
    return settings


PLATFORM_SETTINGS = {"nutanix_reservation": Platform.nutanix, "replication_factor": Platform.nutanix, "proxmox_crs": Platform.proxmox}


def _check_platform_settings(fields: _Fields, settings: ClusterSettings) -> None:
    """A platform's own settings only on that platform's files; RF - 1 is the failures AHV tolerates, so both must agree."""
    for key, owner in PLATFORM_SETTINGS.items():
        if fields.has(key) and settings.platform is not owner:
            raise fields.error(
                (*fields.path, key),
                _("{key} is a {owner} setting, and this cluster's platform is {platform}").format(key=key, owner=owner.value, platform=settings.platform.value),
                _('remove it, or set platform = "{owner}"').format(owner=owner.value),
            )
    factor = settings.replication_factor
    if factor is not None and fields.has("tolerate") and settings.tolerate != factor - 1:
        raise fields.error(
            (*fields.path, "tolerate"),
            _rf_contradiction(settings.tolerate, factor),
            _("keep one of them"),
        )


def _rf_contradiction(tolerate: int, factor: int) -> str:
    """RF - 1 is the number of host failures AHV tolerates."""
    template = _("tolerate = {tolerate} contradicts replication_factor = {factor} (with RF{factor} AHV tolerates {failures} host failures)") if factor > 2 else \
        _("tolerate = {tolerate} contradicts replication_factor = {factor} (with RF{factor} AHV tolerates {failures} host failure)")
    return template.format(tolerate=tolerate, factor=factor, failures=factor - 1)


def _reliability(cluster: _Fields) -> HostReliability | None:
    """``[cluster.reliability]``: durations checked where they are written, kept as written."""
    if not cluster.has("reliability"):
        return None
    fields = cluster.table("reliability")
    durations = {}
    for key in ("host_mttf", "host_mttr", "ha_detect", "ha_restart", "boot"):
        text = fields.text(key, None)
        if text is not None:
            try:
                parse_duration(text, allow_zero=key not in ("host_mttf", "host_mttr"))
            except InputError as error:
                raise fields.error((*fields.path, key), error.what, error.fix) from None
        durations[key] = text
    return HostReliability(crews=fields.integer("crews", None, minimum=1, unit=CREWS), **durations)


def _vm_monitoring(cluster: _Fields) -> VmMonitoring | None:
    if not cluster.has("vm_monitoring"):
        return None
    fields = cluster.table("vm_monitoring")
    window = fields.integer("reset_window_s", None, minimum=-1, unit=SECONDS)
    if window == 0:
        raise fields.error((*fields.path, "reset_window_s"), _("reset_window_s = 0 allows no resets at all"), _("use -1 for no window, or a window in seconds"))
    return VmMonitoring(
        enabled=fields.boolean("enabled", True),
        sensitivity=fields.choice("sensitivity", VmMonitoringSensitivity, None),
        failure_interval_s=fields.integer("failure_interval_s", None, minimum=1, unit=SECONDS),
        min_uptime_s=fields.integer("min_uptime_s", None, unit=SECONDS),
        max_resets=fields.integer("max_resets", None, minimum=1),
        reset_window_s=window,
    )


def _version(fields: _Fields) -> str:
    """The version profile's name; YAML and TOML users may write 6.7 or 8 unquoted (never rounded: 6.65 is no 6.7)."""
    value = fields.raw("vsphere", "8.0")
    text = value if isinstance(value, str) else _version_text(value)
    if text is None:
        raise fields.error((*fields.path, "vsphere"), _('vsphere must be a version such as "8.0", got {kind}').format(kind=_kind(value)), _("use one of {choices}").format(choices=", ".join(SUPPORTED_VERSIONS)))
    try:
        return profile(text).name
    except InputError as error:
        raise fields.error((*fields.path, "vsphere"), error.what, error.fix or "") from None


def _version_text(value: Any) -> str | None:
    """``8`` as ``8.0`` and ``6.70`` as ``6.7``, without converting an integer to a float (1e400 would overflow)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return f"{value}.0" if isinstance(value, int) else repr(float(value))


def _options(fields: _Fields) -> dict[str, str]:
    """das.* options as typed into vCenter: string keys and string values (vCenter rejects other types)."""
    path = (*fields.path, "options")
    value = fields.raw("options", {})
    if not isinstance(value, Mapping):
        raise fields.error(path, _("options must be a table of strings, got {kind}").format(kind=_kind(value)), _('write [cluster.options] with lines such as "das.vmCpuMinMHz" = "32"'))
    for key, item in value.items():
        if not isinstance(key, str):
            raise fields.error(
                (*path, str(key)),
                _("option key {key} must be a string such as das.vmCpuMinMHz, got {kind}").format(key=_plain(key), kind=_kind(key)),
                _('quote the key: "{key}" = "{value}"').format(key=_plain(key), value=_plain(item)),
            )
        if not isinstance(item, str):
            shown = visible(key)
            raise fields.error(
                (*path, key),
                _("option {key} must be a string as vCenter stores it, got {kind}").format(key=shown, kind=_kind(item)),
                _('quote the value: "{key}" = "{value}"').format(key=shown, value=_plain(item)),
            )
    return dict(value)


def _decode_host(fields: _Fields) -> tuple[Host, int]:
    host = Host(
        name=fields.text("name", required=True),
        cpu_mhz=fields.integer("cpu_mhz", required=True, unit=MHZ),
        memory_mb=fields.integer("memory_mb", required=True, unit=MB),
        state=fields.choice("state", HostState, HostState.connected),
        host_reserve_mb=fields.integer("host_reserve_mb", 0, unit=MB),
    )
    return host, fields.integer("count", 1, minimum=1, maximum=MAX_COUNT)


def _decode_vm(fields: _Fields) -> tuple[VM, int]:
    vm = VM(
        name=fields.text("name", required=True),
        cpu_reservation_mhz=fields.integer("cpu_reservation_mhz", 0, unit=MHZ),
        memory_reservation_mb=fields.integer("memory_reservation_mb", 0, unit=MB),
        memory_overhead_mb=fields.integer("memory_overhead_mb", 0, unit=MB),
        powered_on=fields.boolean("powered_on", True),
        host=fields.text("host", None),
        restart_priority=fields.choice("restart_priority", RestartPriority, RestartPriority.medium),
        memory_mb=fields.integer("memory_mb", None, unit=MB),
        cpu_mhz=fields.integer("cpu_mhz", None, unit=MHZ),
        ha=fields.boolean("ha", True),
    )
    if vm.memory_mb is not None and vm.memory_mb < vm.memory_reservation_mb:
        raise fields.error(
            (*fields.path, "memory_mb"),
            _("memory_mb = {memory} is below memory_reservation_mb = {reservation}").format(memory=vm.memory_mb, reservation=vm.memory_reservation_mb),
            _("give the VM's configured memory, at least its memory reservation"),
        )
    return vm, fields.integer("count", 1, minimum=1, maximum=MAX_COUNT)


T = TypeVar("T", Host, VM)


def _expand(document: Document, where: FieldPath, entries: list[tuple[FieldPath, tuple[T, int]]], limit: int) -> list[tuple[T, FieldPath]]:
    """``count = n`` becomes n objects named NAME-1 … NAME-n; names must then be unique."""
    kind = str(where[-1])
    total = sum(count for _, (_, count) in entries)
    if total > limit:
        what, fix = TOO_MANY[kind]
        raise InputError(_(what).format(total=total), document.where(where), _(fix).format(limit=limit))
    expanded: list[tuple[T, FieldPath]] = []
    first_seen: dict[str, FieldPath] = {}
    for path, (item, count) in entries:
        names = [item.name] if count == 1 else [f"{item.name}-{number}" for number in range(1, count + 1)]
        for name in names:
            if name in first_seen:
                earlier = first_seen[name]
                raise InputError(
                    _(DUPLICATE_NAME[kind]).format(name=quoted(name), line=document.line_of(earlier) or "?"),
                    document.where((*path, "name")),
                    _("give every host and VM its own name"),
                )
            first_seen[name] = path
            expanded.append((item if name == item.name else replace(item, name=name), path))
    return expanded


def _unknown_name(document: Document, path: FieldPath, message: str, name: str, known: set[str]) -> InputError:
    """``message``: an ``N_``-marked template with a ``{name}``."""
    return InputError(_(message).format(name=quoted(name)), document.where(path), _did_you_mean(name, sorted(known), default=_("name a host listed under [[hosts]]")))


def _did_you_mean(word: str, choices: Any, default: str | None = None) -> str:
    """The closest choice, ignoring case (a host typed ``ESX01`` for ``esx01`` is the common slip)."""
    by_folded = {str(choice).casefold(): choice for choice in choices}
    matches = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=0.6)
    if matches:
        return _("did you mean {name!r}?").format(name=by_folded[matches[0]])
    return default or _("use one of {choices}").format(choices=", ".join(map(str, choices)))


def _kind(value: Any) -> str:
    """What a field holds instead, in the language of the run: ``number 5``, ``数字 5``."""
    if isinstance(value, bool):
        return _("boolean {value}").format(value=str(value).lower())
    if isinstance(value, (int, float)):
        return _("number {value}").format(value=value)
    if isinstance(value, str):
        return _("string {value}").format(value=quoted(value))
    if isinstance(value, Mapping):
        return _("a table")
    if isinstance(value, list):
        return _("a list")
    return _("nothing") if value is None else type(value).__name__


def _plain(value: Any) -> str:
    """A scalar as the user would type it, shown visibly (a key or value may hold any character)."""
    return str(value).lower() if isinstance(value, bool) else visible(str(value))

