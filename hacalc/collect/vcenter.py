"""Clusters, hosts, VMs and HA settings read live from vCenter through pyvmomi.

Everything comes from one PropertyCollector filter over a ContainerView (RetrievePropertiesEx, paged with
ContinueRetrievePropertiesEx): a few round trips for the whole vCenter, never one per object, so that
10,000 VMs collect in seconds. Property names are the vSphere API's (docs/cluster-collect.md lists them).
"""

from __future__ import annotations

import contextlib
import fnmatch
import socket
import ssl
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from hacalc.core.errors import InputError
from hacalc.core.vsphere.inventory import Capacity, Inventory, InventoryCluster, Source
from hacalc.core.warnings import DataWarning
from hacalc.core.vsphere.model import VM, Cluster, ClusterSettings, Host, HostState, Policy, RestartPriority, VmMonitoring
from hacalc.core.vsphere.versions import SUPPORTED_VERSIONS, parse_version_number

INSTALL_FIX = "pip install 'hacalc[vcenter]'"
PAGE_SIZE = 1000  # objects per RetrievePropertiesEx page; vCenter may return fewer
MIB = 1024 * 1024
EXAMPLES = 3  # names kept per data warning

CLUSTER_PROPERTIES = ("name", "configurationEx", "summary.effectiveCpu", "summary.effectiveMemory")
HOST_PROPERTIES = (
    "name",
    "parent",
    "summary.hardware.cpuMhz",
    "summary.hardware.numCpuCores",
    "summary.hardware.memorySize",
    "runtime.connectionState",
    "runtime.inMaintenanceMode",
    "runtime.powerState",
    "runtime.dasHostState",
    "systemResources",
)
HOST_PROPERTIES_6_5 = ("runtime.inQuarantineMode",)  # an older vCenter refuses the whole request for it
VM_PROPERTIES = (
    "name",
    "config.template",
    "config.cpuAllocation.reservation",
    "config.memoryAllocation.reservation",
    "config.memoryReservationLockedToMax",
    "config.hardware.memoryMB",
    "runtime.powerState",
    "runtime.connectionState",
    "runtime.host",
    "runtime.memoryOverhead",
    "summary.quickStats.consumedOverheadMemory",
)

POLICY_TYPES = {  # admission control policy class name -> hacalc policy
    "ClusterFailoverLevelAdmissionControlPolicy": Policy.slot,
    "ClusterFailoverResourcesAdmissionControlPolicy": Policy.percentage,
    "ClusterFailoverHostAdmissionControlPolicy": Policy.failover_hosts,
}
HA_ERROR_STATES = {"initializationError", "uninitializationError", "fdmUnreachable"}  # ClusterDasFdmHostState.state
VM_MONITORING_ON = {"vmMonitoringOnly", "vmAndAppMonitoring"}


@dataclass(frozen=True)
class Connection:
    """Where and how to log in; the password is never shown (repr, messages)."""

    server: str  # a host name, host:port, or an https:// URL
    user: str
    password: str = field(repr=False)
    insecure: bool = False  # skip TLS certificate verification
    timeout: float = 30.0  # seconds per network operation

    @property
    def endpoint(self) -> Endpoint:
        return parse_server(self.server)


@dataclass(frozen=True)
class Endpoint:
    protocol: str
    host: str
    port: int
    path: str

    @property
    def name(self) -> str:
        """The server as messages and snapshots name it: no scheme, no credentials, the port only when unusual."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.protocol == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def parse_server(text: str) -> Endpoint:
    """``vc.example.com``, ``vc.example.com:8443`` or ``https://vc.example.com/sdk``."""
    fix = "give a host name, host:port or https://host/sdk"
    stripped = text.strip()
    if not stripped:
        raise InputError("the vCenter server is empty", "--server", fix)
    parts = urlsplit(stripped if "://" in stripped else f"https://{stripped}")
    if parts.password is not None or parts.username is not None:
        raise InputError("the --server URL holds credentials", "--server", "give the user with --user and the password in HACALC_VCENTER_PASSWORD")
    if parts.scheme not in ("https", "http"):
        raise InputError(f"unknown scheme {parts.scheme!r} in the vCenter server", "--server", fix)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InputError(f"bad port in the vCenter server {stripped!r}", "--server", fix) from None
    if not parts.hostname:
        raise InputError(f"no host name in the vCenter server {stripped!r}", "--server", fix)
    return Endpoint(parts.scheme, parts.hostname, port, parts.path.rstrip("/") or "/sdk")


def collect_inventory(connection: Connection, cluster_patterns: Sequence[str] = ()) -> Inventory:
    """Every cluster whose name matches one of ``cluster_patterns`` (fnmatch globs; none: all clusters)."""
    endpoint = connection.endpoint
    with _session(connection, endpoint) as content:
        about = content.about
        if about.apiType != "VirtualCenter":
            raise InputError(f"{endpoint.name} is {about.fullName or about.apiType}, not a vCenter", "--server", "give the vCenter that manages the clusters")
        api = _version_tuple(about.apiVersion)
        if api < (4, 1, 0):
            raise InputError(f"vCenter {about.version} is older than 4.1, whose API hacalc reads", "--server", "export the inventory with RVTools instead")
        objects = _retrieve(content, api)
    return build_inventory(objects, about, cluster_patterns, endpoint.name)


# Network: connect, log in, retrieve; every expected failure becomes one InputError. -----------------------


@contextlib.contextmanager
def _session(connection: Connection, endpoint: Endpoint) -> Iterator[Any]:
    connect = _pyvmomi().connect
    where = f"vCenter {endpoint.name}"
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(connection.timeout)  # pyvmomi's version probe takes no timeout of its own
    try:
        with _translated(where, connection):
            instance = connect.SmartConnect(
                protocol=endpoint.protocol,
                host=endpoint.host,
                port=endpoint.port,
                path=endpoint.path,
                user=connection.user,
                pwd=connection.password,
                sslContext=_ssl_context(connection.insecure),
                httpConnectionTimeout=connection.timeout,
                connectionPoolTimeout=-1,
            )
            try:
                yield instance.RetrieveContent()
            finally:
                with contextlib.suppress(Exception):
                    connect.Disconnect(instance)
    finally:
        socket.setdefaulttimeout(previous)


def _ssl_context(insecure: bool) -> ssl.SSLContext:
    """Always an explicit context: given none, pyvmomi skips verification for localhost."""
    if insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context()


@contextlib.contextmanager
def _translated(where: str, connection: Connection) -> Iterator[None]:
    """Network and login failures as one line each; the password appears in none of them."""
    pyvmomi = _pyvmomi()
    vim, vmodl = pyvmomi.vim, pyvmomi.vmodl
    try:
        yield
    except InputError:
        raise
    except ssl.SSLCertVerificationError as error:
        reason = error.verify_message or "certificate not trusted"
        raise InputError(f"TLS certificate check failed ({reason})", where, "trust the vCenter's CA (SSL_CERT_FILE or the system store), or pass --insecure") from None
    except ssl.SSLError as error:
        raise InputError(f"TLS failed ({error.reason or error})", where, "check the port is vCenter's HTTPS port, or use http:// for a plain-HTTP server") from None
    except vim.fault.InvalidLogin:
        raise InputError(f"login failed for user {connection.user!r}", where, "check --user and the password") from None
    except vim.fault.NoPermission as error:
        raise InputError(f"user {connection.user!r} may not read the inventory ({_fault_text(error)})", where, "give the user the Read-only role on the vCenter") from None
    except socket.gaierror:
        raise InputError("host name not found", where, "check the --server name") from None
    except (TimeoutError, socket.timeout):
        raise InputError(f"no answer within {connection.timeout:g} s", where, "check the server is reachable, or raise --timeout") from None
    except ConnectionRefusedError:
        raise InputError("connection refused", where, "check the server and its port") from None
    except OSError as error:
        raise InputError(f"cannot connect ({error.strerror or error})", where, "check the server is reachable") from None
    except vmodl.MethodFault as error:
        raise InputError(f"vCenter refused the request ({_fault_text(error)})", where, "check the user's permissions and the vCenter's health") from None
    except Exception as error:  # pyvmomi raises a bare Exception for "is down or is not a VIM server"
        if "not a VIM server" in str(error) or type(error).__module__.startswith(("pyVmomi", "http", "xml")):
            raise InputError("no vSphere API answers there", where, "give the vCenter's address (its /sdk endpoint)") from None
        raise


def _fault_text(error: Any) -> str:
    return str(getattr(error, "msg", None) or type(error).__name__)


def _retrieve(content: Any, api: tuple[int, int, int]) -> list[tuple[str, str, dict[str, Any]]]:
    """(type, moref id, properties) of every cluster, host and VM, in pages."""
    pyvmomi = _pyvmomi()
    vim, query = pyvmomi.vim, pyvmomi.vmodl.query.PropertyCollector
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.ClusterComputeResource, vim.HostSystem, vim.VirtualMachine], True)
    try:
        host_properties = HOST_PROPERTIES + (HOST_PROPERTIES_6_5 if api >= (6, 5, 0) else ())
        spec = query.FilterSpec(
            objectSet=[query.ObjectSpec(obj=view, skip=True, selectSet=[query.TraversalSpec(name="view", path="view", skip=False, type=vim.view.ContainerView)])],
            propSet=[
                query.PropertySpec(type=vim.ClusterComputeResource, pathSet=list(CLUSTER_PROPERTIES)),
                query.PropertySpec(type=vim.HostSystem, pathSet=list(host_properties)),
                query.PropertySpec(type=vim.VirtualMachine, pathSet=list(VM_PROPERTIES)),
            ],
        )
        collector = content.propertyCollector
        objects: list[tuple[str, str, dict[str, Any]]] = []
        page = collector.RetrievePropertiesEx([spec], query.RetrieveOptions(maxObjects=PAGE_SIZE))
        while page is not None:
            objects.extend((_wsdl_name(item.obj), item.obj._moId, {prop.name: _plain(prop.val) for prop in item.propSet}) for item in page.objects)
            page = collector.ContinueRetrievePropertiesEx(page.token) if page.token else None
        return objects
    finally:
        with contextlib.suppress(Exception):
            view.Destroy()


def _plain(value: Any) -> Any:
    """A managed object reference as its moref id (``host-42``); data objects stay as they are."""
    moid = getattr(value, "_moId", None)
    return moid if isinstance(moid, str) else value


def _pyvmomi() -> Any:
    try:
        import pyVim.connect as connect
        from pyVmomi import vim, vmodl
    except ImportError:
        raise InputError("vCenter collection needs pyvmomi", None, INSTALL_FIX) from None
    return _Modules(connect, vim, vmodl)


@dataclass(frozen=True)
class _Modules:
    connect: Any
    vim: Any
    vmodl: Any


def _version_tuple(text: str | None) -> tuple[int, int, int]:
    numbers = [int(part) for part in (text or "").split(".")[:3] if part.isdigit()]
    return tuple((numbers + [0, 0, 0])[:3])  # type: ignore[return-value]


# Mapping: retrieved properties into an Inventory (no network from here on). --------------------------------


def build_inventory(objects: Sequence[tuple[str, str, Mapping[str, Any]]], about: Any, cluster_patterns: Sequence[str], server: str) -> Inventory:
    """The inventory of the clusters ``cluster_patterns`` select, from (type, moref id, properties) triples."""
    by_type: dict[str, dict[str, Mapping[str, Any]]] = {"ClusterComputeResource": {}, "HostSystem": {}, "VirtualMachine": {}}
    for kind, moid, props in objects:
        by_type.setdefault(_type_name(kind), {})[moid] = props
    clusters = by_type["ClusterComputeResource"]
    cluster_names = _unique_names(clusters)
    chosen = _select(cluster_names, cluster_patterns)
    vsphere, version_warnings = vsphere_profile(about.version)
    facts = {"vcenter_version": str(about.version), "vcenter_build": str(about.build)}
    hosts_by_cluster: dict[str, dict[str, Mapping[str, Any]]] = {moid: {} for moid in clusters}
    for moid, props in by_type["HostSystem"].items():
        if props.get("parent") in hosts_by_cluster:
            hosts_by_cluster[props["parent"]][moid] = props
    host_cluster = {host: cluster for cluster, hosts in hosts_by_cluster.items() for host in hosts}
    vms_by_cluster: dict[str, dict[str, Mapping[str, Any]]] = {moid: {} for moid in clusters}
    outside = _Warnings()
    for moid, props in by_type["VirtualMachine"].items():
        cluster = host_cluster.get(props.get("runtime.host"))
        if cluster is not None:
            vms_by_cluster[cluster][moid] = props
        elif not props.get("config.template"):
            outside.add("vm-outside-cluster", "VMs on no cluster's host (standalone hosts or unplaced) are not in the snapshot", props.get("name", moid))
    items = tuple(
        _cluster(cluster_names[moid], clusters[moid], hosts_by_cluster[moid], vms_by_cluster[moid], vsphere, facts)
        for moid in sorted(chosen, key=lambda moid: cluster_names[moid])
    )
    warnings = tuple(version_warnings) + (outside.collected() if not cluster_patterns else ())
    duplicates = len(cluster_names) - len({props.get("name") for props in clusters.values()})
    if duplicates:
        warnings += (DataWarning("duplicate-cluster-name", "clusters sharing a name are told apart by their moref id", duplicates, ()),)
    inventory_facts = {"server": server, **facts, "api_version": str(about.apiVersion)}
    return Inventory("vcenter", items, warnings=warnings, facts=inventory_facts)


def _type_name(kind: str) -> str:
    """``vim.ClusterComputeResource`` (pyvmomi's class name) as the API's type name."""
    return kind.rsplit(".", 1)[-1]


def _unique_names(objects: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """moref id -> name; a name several objects share gets the moref id appended, as a file needs unique names."""
    counts = Counter(str(props.get("name", moid)) for moid, props in objects.items())
    names = {}
    for moid, props in objects.items():
        name = str(props.get("name", moid))
        names[moid] = name if counts[name] == 1 else f"{name} [{moid}]"
    return names


def _select(names: Mapping[str, str], patterns: Sequence[str]) -> list[str]:
    if not names:
        raise InputError("the vCenter has no cluster", "--server", "give the vCenter that manages the HA clusters")
    if not patterns:
        return list(names)
    chosen = []
    for pattern in patterns:
        matched = [moid for moid, name in names.items() if name == pattern or fnmatch.fnmatchcase(name, pattern)]
        if not matched:
            known = sorted(names.values())
            listed = ", ".join(known[:10]) + (f" and {len(known) - 10} more" if len(known) > 10 else "")
            raise InputError(f"no cluster matches {pattern!r}", "--cluster", f"the clusters are: {listed}")
        chosen.extend(moid for moid in matched if moid not in chosen)
    return chosen


def vsphere_profile(version: str | None) -> tuple[str, list[DataWarning]]:
    """The version profile at or below vCenter's ``about.version`` (``7.0.3`` -> ``7.0u3``, ``8.0.2`` -> ``8.0``)."""
    number = _version_tuple(version)
    profiles = sorted((parse_version_number(name), name) for name in SUPPORTED_VERSIONS)
    below = [name for parsed, name in profiles if parsed <= number]
    if not below:
        message = f"vCenter {version} is older than every version profile; checked as {profiles[0][1]}"
        return profiles[0][1], [DataWarning("version-unknown", message)]
    name = below[-1]
    if number[:2] > profiles[-1][0][:2]:
        return name, [DataWarning("version-newer", f"vCenter {version} is newer than hacalc's version profiles; checked as {name}")]
    return name, []


class _Warnings:
    """Data warnings counted by kind, with the first few names each applies to."""

    def __init__(self) -> None:
        self._messages: dict[str, str] = {}
        self._counts: Counter[str] = Counter()
        self._examples: dict[str, list[str]] = {}

    def add(self, kind: str, message: str, example: str) -> None:
        self._messages.setdefault(kind, message)
        self._counts[kind] += 1
        examples = self._examples.setdefault(kind, [])
        if len(examples) < EXAMPLES:
            examples.append(example)

    def collected(self) -> tuple[DataWarning, ...]:
        return tuple(DataWarning(kind, message, self._counts[kind], tuple(self._examples[kind])) for kind, message in self._messages.items())


def _cluster(
    name: str,
    props: Mapping[str, Any],
    hosts: Mapping[str, Mapping[str, Any]],
    vms: Mapping[str, Mapping[str, Any]],
    vsphere: str,
    vcenter_facts: Mapping[str, str],
) -> InventoryCluster:
    warnings = _Warnings()
    config = props.get("configurationEx")
    das = getattr(config, "dasConfig", None)
    ha_enabled = bool(getattr(das, "enabled", False))
    settings, sources, facts = _settings(name, das, hosts, vsphere, warnings)
    host_names = _unique_names(hosts)
    capacity, host_list = _hosts(hosts, host_names, ha_enabled, warnings)
    vm_list = _vms(vms, host_names, _restart_priorities(config, das, warnings), warnings)
    effective = {
        "effective_cpu_mhz": props.get("summary.effectiveCpu"),
        "effective_memory_mb": props.get("summary.effectiveMemory"),
    }
    facts.update({key: str(value) for key, value in effective.items() if value is not None})
    facts["capacity_basis"] = (
        "physical less HostSystem.systemResources reservations" if capacity is Capacity.usable else "physical: summary.hardware cpuMhz x numCpuCores, memorySize"
    )
    facts.update(vcenter_facts)
    cluster = Cluster(settings, tuple(sorted(host_list, key=lambda host: host.name)), tuple(sorted(vm_list, key=lambda vm: vm.name)))
    return InventoryCluster(cluster, sources=sources, capacity=capacity, facts=facts, warnings=warnings.collected())


def _settings(
    name: str, das: Any, hosts: Mapping[str, Mapping[str, Any]], vsphere: str, warnings: _Warnings
) -> tuple[ClusterSettings, dict[str, Source], dict[str, str]]:
    """configurationEx.dasConfig as hacalc settings, the ones read marked as from vCenter, and the facts not modelled."""
    values: dict[str, Any] = {"vsphere": vsphere}
    facts: dict[str, str] = {}
    if das is None:
        warnings.add("ha-config-missing", "vCenter gave no HA configuration (configurationEx.dasConfig): checked with hacalc's defaults", name)
        return ClusterSettings(name=name, vsphere=vsphere), {"vsphere": Source.vcenter}, facts
    policy_object = das.admissionControlPolicy
    policy = POLICY_TYPES.get(_wsdl_name(policy_object))
    ha_enabled = bool(das.enabled)
    admission = bool(das.admissionControlEnabled) if das.admissionControlEnabled is not None else True
    facts.update(_das_facts(das, ha_enabled, admission, policy))
    values.update(_policy_values(policy_object, policy, hosts, warnings, name))
    level = getattr(policy_object, "failoverLevel", None) or das.failoverLevel
    if level:
        values["tolerate"] = int(level)
    elif policy is Policy.failover_hosts:
        values["tolerate"] = 1  # the API: "If not set, we assume 1"
    if not ha_enabled or not admission or policy is None:
        if ha_enabled and policy is None and admission:
            warnings.add("policy-unknown", f"admission control policy {_wsdl_name(policy_object)} is not one hacalc models: checked as none", name)
        if not ha_enabled:
            warnings.add("ha-disabled", "vSphere HA is turned off: nothing restarts VMs, checked with policy none", name)
        values["policy"] = Policy.none
    else:
        values["policy"] = policy
    values["options"] = {str(option.key): _option_text(option.value) for option in das.option or ()}
    monitoring = _vm_monitoring(das)
    if monitoring is not None:
        values["vm_monitoring"] = monitoring
    return ClusterSettings(name=name, **values), {key: Source.vcenter for key in values}, facts


def _wsdl_name(data: Any) -> str:
    """The API's name of a data object's type (``ClusterFailoverLevelAdmissionControlPolicy``), not pyvmomi's."""
    return str(getattr(type(data), "_wsdlName", type(data).__name__))


def _das_facts(das: Any, ha_enabled: bool, admission: bool, policy: Policy | None) -> dict[str, str]:
    defaults = das.defaultVmSettings
    facts = {
        "ha_enabled": _bool_text(ha_enabled),
        "admission_control_enabled": _bool_text(admission),
        "admission_control_policy": policy.value if policy else _wsdl_name(das.admissionControlPolicy),
        "host_monitoring": das.hostMonitoring,
        "vm_monitoring": das.vmMonitoring,
        "isolation_response": getattr(defaults, "isolationResponse", None),
        "restart_priority": getattr(defaults, "restartPriority", None),
        "heartbeat_datastore_policy": das.hBDatastoreCandidatePolicy,
    }
    return {key: str(value) for key, value in facts.items() if value is not None}


def _policy_values(policy_object: Any, policy: Policy | None, hosts: Mapping[str, Mapping[str, Any]], warnings: _Warnings, name: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    reduction = getattr(policy_object, "resourceReductionToToleratePercent", None)
    if reduction is not None:
        values["performance_degradation_percent"] = int(reduction)
    if policy is Policy.slot:
        slot = getattr(policy_object, "slotPolicy", None)
        if slot is not None and getattr(slot, "cpu", None) is not None and getattr(slot, "memory", None) is not None:
            values["fixed_slot_cpu_mhz"] = int(slot.cpu)
            values["fixed_slot_memory_mb"] = int(slot.memory)
    elif policy is Policy.percentage:
        values["cpu_percent"] = int(policy_object.cpuFailoverResourcesPercent)
        values["memory_percent"] = int(policy_object.memoryFailoverResourcesPercent)
        values["auto_percent"] = bool(policy_object.autoComputePercentages)
    elif policy is Policy.failover_hosts:
        names = _unique_names(hosts)
        chosen = []
        for host in policy_object.failoverHosts or ():
            moid = _plain(host)
            if moid in names:
                chosen.append(names[moid])
            else:
                warnings.add("failover-host-outside", "a failover host is not a host of the cluster: left out", f"{name}: {moid}")
        values["failover_hosts"] = tuple(sorted(chosen))
    return values


def _vm_monitoring(das: Any) -> VmMonitoring | None:
    """dasConfig.vmMonitoring and the cluster's defaultVmSettings.vmToolsMonitoringSettings (API 4.0+)."""
    tools = getattr(das.defaultVmSettings, "vmToolsMonitoringSettings", None)
    if das.vmMonitoring is None and tools is None:
        return None
    return VmMonitoring(
        enabled=das.vmMonitoring in VM_MONITORING_ON,
        failure_interval_s=_optional_int(getattr(tools, "failureInterval", None)),
        min_uptime_s=_optional_int(getattr(tools, "minUpTime", None)),
        max_resets=_optional_int(getattr(tools, "maxFailures", None)),
        reset_window_s=_optional_int(getattr(tools, "maxFailureWindow", None)),
    )


def _restart_priorities(config: Any, das: Any, warnings: _Warnings) -> tuple[RestartPriority, dict[str, RestartPriority]]:
    """The cluster's default restart priority and the per-VM overrides (configurationEx.dasVmConfig), by VM moref id."""
    default = _priority(getattr(getattr(das, "defaultVmSettings", None), "restartPriority", None), RestartPriority.medium, warnings, "cluster default")
    overrides = {}
    for entry in getattr(config, "dasVmConfig", None) or ():
        settings = entry.dasSettings
        text = getattr(settings, "restartPriority", None) or entry.restartPriority
        if text and text != "clusterRestartPriority":
            overrides[_plain(entry.key)] = _priority(text, default, warnings, _plain(entry.key))
    return default, overrides


def _priority(text: str | None, default: RestartPriority, warnings: _Warnings, example: str) -> RestartPriority:
    if not text or text == "clusterRestartPriority":
        return default
    try:
        return RestartPriority(text)
    except ValueError:
        warnings.add("restart-priority-unknown", f"restart priority not known to hacalc: read as {default.value}", f"{example}: {text}")
        return default


def _hosts(hosts: Mapping[str, Mapping[str, Any]], names: Mapping[str, str], ha_enabled: bool, warnings: _Warnings) -> tuple[Capacity, list[Host]]:
    """Usable capacity when every host reports its system reservations, else physical capacity (said in a warning)."""
    reserved = {moid: _system_reservation(props.get("systemResources")) for moid, props in hosts.items()}
    usable = bool(hosts) and all(value is not None for value in reserved.values())
    if not usable:
        missing = [names[moid] for moid, value in reserved.items() if value is None]
        for host in missing:
            warnings.add(
                "physical-capacity",
                "vCenter gives no usable capacity for these hosts (HostSystem.systemResources): all hosts are counted at physical capacity; "
                "set host_reserve_percent for the hypervisor's share",
                host,
            )
    result = []
    for moid, props in hosts.items():
        cpu, memory = _physical(props, names[moid], warnings)
        if usable:
            cpu_reserved, memory_reserved = reserved[moid]  # type: ignore[misc]
            cpu, memory = max(0, cpu - cpu_reserved), max(0, memory - memory_reserved)
        result.append(Host(names[moid], cpu, memory, _host_state(props, names[moid], ha_enabled, warnings)))
    return (Capacity.usable if usable else Capacity.physical), result


def _physical(props: Mapping[str, Any], name: str, warnings: _Warnings) -> tuple[int, int]:
    """summary.hardware: cpuMhz x numCpuCores MHz, memorySize bytes as MiB (rounded down)."""
    mhz, cores, size = (props.get(f"summary.hardware.{key}") for key in ("cpuMhz", "numCpuCores", "memorySize"))
    if mhz is None or cores is None or size is None:
        warnings.add("host-hardware-missing", "vCenter gave no hardware summary (a disconnected host?): capacity 0", name)
        return 0, 0
    return int(mhz) * int(cores), int(size) // MIB


def _system_reservation(resources: Any) -> tuple[int, int] | None:
    """MHz and MB the host keeps for itself: each pool's reservation, or its children's when they reserve more."""
    if resources is None:
        return None
    children = [_system_reservation(child) or (0, 0) for child in resources.child or ()]
    config = resources.config
    own_cpu = _optional_int(getattr(getattr(config, "cpuAllocation", None), "reservation", None)) or 0
    own_memory = _optional_int(getattr(getattr(config, "memoryAllocation", None), "reservation", None)) or 0
    return max(own_cpu, sum(cpu for cpu, _ in children)), max(own_memory, sum(memory for _, memory in children))


def _host_state(props: Mapping[str, Any], name: str, ha_enabled: bool, warnings: _Warnings) -> HostState:
    """The state admission control excludes hosts by: connection first, then maintenance, standby, HA agent errors."""
    connection = props.get("runtime.connectionState")
    if connection == "disconnected":
        return HostState.disconnected
    if connection == "notResponding":
        return HostState.not_responding
    if props.get("runtime.inMaintenanceMode"):
        return HostState.maintenance
    if props.get("runtime.powerState") == "standBy":
        return HostState.standby
    das_state = getattr(props.get("runtime.dasHostState"), "state", None)
    if ha_enabled and das_state in HA_ERROR_STATES:
        return HostState.ha_error
    if props.get("runtime.inQuarantineMode"):
        warnings.add("host-quarantine", "hosts in quarantine mode (Proactive HA) are counted, as HA counts them", name)
    return HostState.connected


def _vms(
    vms: Mapping[str, Mapping[str, Any]],
    host_names: Mapping[str, str],
    priorities: tuple[RestartPriority, Mapping[str, RestartPriority]],
    warnings: _Warnings,
) -> list[VM]:
    default_priority, overrides = priorities
    kept = {moid: props for moid, props in vms.items() if not props.get("config.template")}
    names = _unique_names(kept)
    for moid, props in kept.items():
        if names[moid] != str(props.get("name", moid)):
            warnings.add("duplicate-vm-name", "VMs sharing a name are told apart by their moref id", names[moid])
    result = []
    for moid, props in vms.items():
        if props.get("config.template"):
            warnings.add("template-excluded", "templates are not VMs HA restarts: left out", str(props.get("name", moid)))
            continue
        result.append(_vm(moid, props, names[moid], host_names, overrides.get(moid, default_priority), warnings))
    return result


def _vm(moid: str, props: Mapping[str, Any], name: str, host_names: Mapping[str, str], priority: RestartPriority, warnings: _Warnings) -> VM:
    powered_on = props.get("runtime.powerState") == "poweredOn"
    memory_mb = _optional_int(props.get("config.hardware.memoryMB"))
    if memory_mb is None:
        warnings.add("vm-config-missing", "vCenter gave no configuration (an inaccessible or orphaned VM?): reservations read as 0", name)
    if props.get("runtime.connectionState") not in (None, "connected"):
        warnings.add("vm-not-connected", "VMs whose connection state is not connected: their figures may be stale", f"{name}: {props.get('runtime.connectionState')}")
    memory_reservation = _optional_int(props.get("config.memoryAllocation.reservation")) or 0
    if props.get("config.memoryReservationLockedToMax") and memory_mb is not None:
        memory_reservation = memory_mb
    return VM(
        name=name,
        cpu_reservation_mhz=_optional_int(props.get("config.cpuAllocation.reservation")) or 0,
        memory_reservation_mb=memory_reservation,
        memory_overhead_mb=_overhead(props, name, powered_on, warnings),
        powered_on=powered_on,
        host=host_names.get(props.get("runtime.host")),
        restart_priority=priority,
        memory_mb=memory_mb,
    )


def _overhead(props: Mapping[str, Any], name: str, powered_on: bool, warnings: _Warnings) -> int:
    """runtime.memoryOverhead (bytes, rounded up to MB); 0 on ESXi 6.7+, so then the consumed overhead, said in a warning."""
    reserved = _optional_int(props.get("runtime.memoryOverhead")) or 0
    if reserved > 0:
        return -(-reserved // MIB)
    consumed = _optional_int(props.get("summary.quickStats.consumedOverheadMemory")) or 0
    if not powered_on:
        return consumed
    if consumed > 0:
        warnings.add("overhead-consumed", "no reserved overhead (runtime.memoryOverhead): the consumed overhead (quickStats) is used", name)
    else:
        warnings.add("overhead-unknown", "neither reserved nor consumed memory overhead is known: counted as 0 MB", name)
    return consumed


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _option_text(value: Any) -> str:
    if isinstance(value, bool):
        return _bool_text(value)
    return "" if value is None else str(value)


def _bool_text(value: bool) -> str:
    return "true" if value else "false"
