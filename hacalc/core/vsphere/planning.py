"""Capacity planning on top of the gate (issue 13): VM and host shapes, what-if changes, headroom and time
to exhaustion. Every figure comes from ``check_cluster`` itself: there is no second model of the cluster.

Decisions, so that a reader knows what the numbers assume:

* **Evacuation.** A host that enters maintenance (or is removed) keeps its entry for the report, and its
  powered-on VMs stay powered on with no host (``host=None``): DRS would move them, and the restart check
  packs VMs without a placement onto the survivors of every failure set, which is what a cluster without
  that host has to survive. Admission control still counts them (it counts every powered-on VM).
* **New VMs** (``add_vms`` and headroom) have no host either, for the same reason: the restart check must
  prove, for every failure set, that they restart on the survivors together with the displaced VMs. That
  is the simplest rule under which the check can prove them restartable, and it depends on no placement
  heuristic.
* **Headroom is monotone** in the number of added identical VMs: each policy's figure only gets worse with
  one more powered-on VM (slot size is the maximum over VMs, so it can only grow; used slots, required
  CPU/memory and displaced load only grow), and a restart packing that works for N + 1 floating VMs works
  for N after dropping one. So the passing counts are 0 … N, found by doubling then bisection, and the
  answer is checked directly: N passes and N + 1 fails (``proven`` also needs the N + 1 failure to be a
  proven one, not only undecided restart sets).
* **Scaling** (``scale_vms``, growth) multiplies CPU and memory reservations and configured memory,
  rounded up to whole MHz/MB; memory overhead (the cost of running the VM) is left as it is. Growth over
  months always scales the original cluster by the exact factor (1 + g)^m, so rounding does not compound.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from hacalc.core.errors import InputError
from hacalc.core.vsphere.check import check_cluster, counted_hosts
from hacalc.core.vsphere.model import HOST_FIELDS, VM, VM_FIELDS, Cluster, FieldError, Host, HostState, Platform, Policy, RestartPriority
from hacalc.core.vsphere.report import ClusterReport
from hacalc.core.vsphere.restart import proven_with_hosts_out
from hacalc.i18n import N_, Message, _, plural

MAX_COUNT = 100_000  # one shape's count, as in scenario files
MAX_VMS = 200_000  # VMs in a cluster, as in scenario files: headroom searches no further

_INTEGER_FIELDS = {"cpu_reservation_mhz", "memory_reservation_mb", "memory_overhead_mb", "memory_mb", "cpu_mhz", "host_reserve_mb", "count"}
_BOOLEAN_FIELDS = {"powered_on", "ha"}
_NAME_FIELDS = {"name", "host"}
VM_SHAPE_EXAMPLE = '"count=10, cpu_reservation_mhz=2000, memory_reservation_mb=8192"'
HOST_SHAPE_EXAMPLE = '"count=2, cpu_mhz=48000, memory_mb=524288"'

# What fails, as named in headroom and growth results: JSON values and CSV cells in English, translated where shown.
SLOTS = Message(N_("slots"))
CPU_PERCENT = Message(N_("CPU %"))
MEMORY_PERCENT = Message(N_("memory %"))
PERCENTAGE_HOSTS = Message(N_("percentage policy: fewer than 2 hosts"))
FAILOVER_HOSTS = Message(N_("failover hosts"))
RESTART = Message(N_("restart placement"))


# --- 1. Shapes ---------------------------------------------------------------------------------------


def parse_vm_shape(text: str) -> dict[str, object]:
    """``"count=10, cpu_reservation_mhz=2000, memory_reservation_mb=8192"``: ``[[vms]]`` fields plus ``count``.

    Whole numbers for sizes and count (count at least 1), ``true``/``false`` for powered_on, names for
    host and restart_priority. Raises InputError naming the accepted form.
    """
    shape = _parse_shape(text, VM_FIELDS, VM_SHAPE, VM_SHAPE_EXAMPLE)
    if "restart_priority" in shape:
        shape["restart_priority"] = _choice(shape["restart_priority"], RestartPriority, "restart_priority", text, VM_SHAPE)
    memory, reservation = shape.get("memory_mb"), shape.get("memory_reservation_mb", 0)
    if memory is not None and memory < reservation:  # type: ignore[operator]
        raise InputError(
            _("memory_mb = {memory} is below memory_reservation_mb = {reservation}").format(memory=memory, reservation=reservation),
            _in_shape(VM_SHAPE, text),
            _("give the VM's configured memory, at least its memory reservation"),
        )
    return shape


def parse_host_shape(text: str) -> dict[str, object]:
    """``"count=2, cpu_mhz=48000, memory_mb=524288"``: ``[[hosts]]`` fields plus ``count``; cpu_mhz and memory_mb required."""
    shape = _parse_shape(text, HOST_FIELDS, HOST_SHAPE, HOST_SHAPE_EXAMPLE)
    if "state" in shape:
        shape["state"] = _choice(shape["state"], HostState, "state", text, HOST_SHAPE)
    for key in ("cpu_mhz", "memory_mb"):
        if key not in shape:
            raise InputError(_("host shape {text!r} has no {key}").format(text=text, key=key), None, _such_as(HOST_SHAPE_EXAMPLE))
    return shape


VM_SHAPE, HOST_SHAPE = N_("VM shape"), N_("host shape")


def _in_shape(label: str, text: str) -> str:
    """Where a bad field is: ``in VM shape 'count=x'``."""
    return _("in {label} {text!r}").format(label=_(label), text=text)


def _such_as(example: str) -> str:
    return _("write key=value pairs such as {example}").format(example=example)


def _parse_shape(text: str, known: Sequence[str], label: str, example: str) -> dict[str, object]:
    form = _("write key=value pairs separated by commas, such as {example}").format(example=example)
    where = _in_shape(label, text) if isinstance(text, str) else ""
    if not isinstance(text, str) or not text.strip():
        raise InputError(_("the {label} is empty").format(label=_(label)), None, form)
    shape: dict[str, object] = {}
    for part in text.split(","):
        match = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S(?:.*\S)?)\s*", part)
        if not match:
            shown = part.strip()
            raise InputError(_("{item!r} is not key=value").format(item=shown) if shown else _("an empty item between commas"), where, form)
        key, value = match.group(1), match.group(2)
        if key not in known:
            raise InputError(_("unknown field {key!r}").format(key=key), where, _did_you_mean(key, known))
        if key in shape:
            raise InputError(_("{key} is given twice").format(key=key), where, _("give each field once"))
        shape[key] = _value(key, value, where, form)
    return shape


def _value(key: str, value: str, where: str, form: str) -> object:
    if key in _INTEGER_FIELDS:
        if re.fullmatch(r"[+-]?\d+", value) is None:
            raise InputError(_("{key} = {value} is not a whole number").format(key=key, value=value), where, _("{form} (whole MHz and MB, no units)").format(form=form))
        number = int(value)
        if number < 0:
            raise InputError(_("{key} = {value} is negative").format(key=key, value=number), where, _("use a whole number 0 or more"))
        if key == "count" and not 1 <= number <= MAX_COUNT:
            raise InputError(_("count = {count} is out of range").format(count=number), where, _count_range())
        return number
    if key in _BOOLEAN_FIELDS:
        if value.lower() not in ("true", "false"):
            raise InputError(_("{key} = {value} is not true or false").format(key=key, value=value), where, _("write {key}=true or {key}=false").format(key=key))
        return value.lower() == "true"
    if key in _NAME_FIELDS:
        return value.strip("\"'")
    return value  # an enum name, checked by the caller


def _choice(value: object, enum: Any, key: str, text: str, label: str) -> str:
    choices = [member.value for member in enum]
    if value in choices:
        return str(value)
    raise InputError(_("{key} = {value} is not one of {choices}").format(key=key, value=value, choices=", ".join(choices)), _in_shape(label, text), _did_you_mean(str(value), choices))


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    """The closest choice, else all of them."""
    by_folded = {choice.casefold(): choice for choice in choices}
    matches = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=0.6)
    if matches:
        return _("did you mean {name!r}?").format(name=by_folded[matches[0]])
    return _("use one of {choices}").format(choices=", ".join(choices))


def _count_range() -> str:
    return _("give a count from 1 to {most:,}").format(most=MAX_COUNT)


# --- 2. What-if changes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One change applied to a cluster, as the report lists it."""

    kind: str  # "maintenance", "remove-host", "add-hosts", "add-vms", "scale-vms"
    sentence: str  # a Message: English in JSON, translated where shown

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "change": self.sentence}


def maintenance(cluster: Cluster, host_name: str) -> tuple[Cluster, Change]:
    """``host_name`` enters maintenance mode: it provides no capacity and its powered-on VMs are evacuated
    (kept powered on, without a host; the restart check packs them onto the remaining hosts)."""
    host = _host(cluster, host_name)
    hosts = tuple(replace(item, state=HostState.maintenance) if item.name == host_name else item for item in cluster.hosts)
    vms, moved = _evacuate(cluster.vms, host_name)
    evacuated = _evacuated(moved)
    if host.state is HostState.connected:
        sentence = Message(N_("host {host} enters maintenance mode; {evacuated}"), host=host_name, evacuated=evacuated)
    else:
        sentence = Message(N_("host {host} enters maintenance mode (was {state}); {evacuated}"), host=host_name, state=host.state.value, evacuated=evacuated)
    return Cluster(cluster.settings, hosts, vms), Change("maintenance", sentence)


def remove_host(cluster: Cluster, host_name: str) -> tuple[Cluster, Change]:
    """``host_name`` leaves the cluster (and its failover-host list); its powered-on VMs are evacuated as for maintenance."""
    _host(cluster, host_name)
    hosts = tuple(item for item in cluster.hosts if item.name != host_name)
    vms, moved = _evacuate(cluster.vms, host_name)
    settings = cluster.settings
    template = N_("host {host} removed from the cluster; {evacuated}")
    if host_name in settings.failover_hosts:
        settings = replace(settings, failover_hosts=tuple(name for name in settings.failover_hosts if name != host_name))
        template = N_("host {host} removed from the cluster and from the failover hosts; {evacuated}")
    sentence = Message(template, host=host_name, evacuated=_evacuated(moved))
    return Cluster(settings, hosts, vms), Change("remove-host", sentence)


def add_hosts(cluster: Cluster, shape: Mapping[str, object], count: int | None = None) -> tuple[Cluster, Change]:
    """``count`` (else the shape's count, else 1) hosts of ``shape`` named ``new-1``, ``new-2`` … (or the
    shape's name), skipping names already in the cluster."""
    number = _add_count(shape, count, N_("adding {count} hosts"))
    for key in ("cpu_mhz", "memory_mb"):
        if key not in shape:
            raise InputError(_("the host shape has no {key}").format(key=key), None, _such_as(HOST_SHAPE_EXAMPLE))
    names = _new_names(str(shape.get("name", "new")), {host.name for host in cluster.hosts}, number)
    state = HostState(shape.get("state", HostState.connected.value))
    reserve = int(shape.get("host_reserve_mb", 0))  # type: ignore[call-overload]
    new = tuple(Host(name, int(shape["cpu_mhz"]), int(shape["memory_mb"]), state, reserve) for name in names)  # type: ignore[call-overload]
    sizes = dict(span=_span(names), cpu=shape["cpu_mhz"], memory=shape["memory_mb"])
    if state is HostState.connected:
        sentence = plural(number, N_("{count} host added ({span}), each {cpu} MHz and {memory} MB"), N_("{count} hosts added ({span}), each {cpu} MHz and {memory} MB"), **sizes)
    else:
        sentence = plural(number, N_("{count} host added ({span}), each {cpu} MHz and {memory} MB, {state}"),
                          N_("{count} hosts added ({span}), each {cpu} MHz and {memory} MB, {state}"), state=state.value, **sizes)
    return Cluster(cluster.settings, cluster.hosts + new, cluster.vms), Change("add-hosts", sentence)


def add_vms(cluster: Cluster, shape: Mapping[str, object], count: int | None = None) -> tuple[Cluster, Change]:
    """``count`` (else the shape's count, else 1) VMs of ``shape`` named ``new-vm-1`` … (or the shape's name),
    without a host unless the shape names one."""
    number = _add_count(shape, count, N_("adding {count} VMs"))
    host = shape.get("host")
    if host is not None:
        _host(cluster, str(host))
    template = vm_from_shape(shape)
    names = _new_names(str(shape.get("name", "new-vm")), {vm.name for vm in cluster.vms}, number)
    new = tuple(replace(template, name=name) for name in names)
    where = Message(N_("on {host}"), host=host) if host is not None else Message(N_("without a host (placed by the restart check)"))
    sentence = plural(number, N_("{count} VM added ({span}), each {vm}, {where}"), N_("{count} VMs added ({span}), each {vm}, {where}"),
                      span=_span(names), vm=describe_vm(template), where=where)
    return Cluster(cluster.settings, cluster.hosts, cluster.vms + new), Change("add-vms", sentence)


MAX_SCALE = 1000  # a thousandfold demand is a typo, and its numbers would only slow the check down


def scale_vms(cluster: Cluster, factor: Fraction | int | str) -> tuple[Cluster, Change]:
    """Every VM's CPU and memory reservations and configured memory × ``factor`` (> 0), rounded up to whole MHz/MB."""
    factor = _fraction(factor)
    if not 0 < factor <= MAX_SCALE:
        raise InputError(_("scale factor {factor:g} is not above 0 and at most {most}").format(factor=float(factor), most=MAX_SCALE), None,
                         _("give a factor such as 1.2 (20 {percent} more)").format(percent="%"))
    sentence = Message(N_("every VM's reservations and configured memory × {factor} (rounded up; overhead unchanged)"), factor=_decimal(factor))
    return _scaled(cluster, factor), Change("scale-vms", sentence)


def vm_from_shape(shape: Mapping[str, object], name: str = "new-vm") -> VM:
    """The VM a shape describes (fields not given keep the scenario file's defaults)."""
    return VM(
        name=str(shape.get("name", name)),
        cpu_reservation_mhz=int(shape.get("cpu_reservation_mhz", 0)),  # type: ignore[call-overload]
        memory_reservation_mb=int(shape.get("memory_reservation_mb", 0)),  # type: ignore[call-overload]
        memory_overhead_mb=int(shape.get("memory_overhead_mb", 0)),  # type: ignore[call-overload]
        powered_on=bool(shape.get("powered_on", True)),
        host=None if shape.get("host") is None else str(shape["host"]),
        restart_priority=RestartPriority(shape.get("restart_priority", RestartPriority.medium.value)),
        memory_mb=None if shape.get("memory_mb") is None else int(shape["memory_mb"]),  # type: ignore[call-overload]
        cpu_mhz=None if shape.get("cpu_mhz") is None else int(shape["cpu_mhz"]),  # type: ignore[call-overload]
        ha=bool(shape.get("ha", True)),
    )


def shape_of(vm: VM) -> dict[str, object]:
    """A VM's shape: the fields that size it (no name, no host)."""
    shape: dict[str, object] = {
        "cpu_reservation_mhz": vm.cpu_reservation_mhz,
        "memory_reservation_mb": vm.memory_reservation_mb,
        "memory_overhead_mb": vm.memory_overhead_mb,
        "restart_priority": vm.restart_priority.value,
    }
    if vm.memory_mb is not None:
        shape["memory_mb"] = vm.memory_mb
    if vm.cpu_mhz is not None:
        shape["cpu_mhz"] = vm.cpu_mhz
    if not vm.ha:
        shape["ha"] = False
    return shape


def describe_vm(vm: VM) -> Message:
    sizes = dict(cpu=vm.cpu_reservation_mhz, reserved=vm.memory_reservation_mb, overhead=vm.memory_overhead_mb)
    if vm.memory_mb is None:
        return Message(N_("{cpu} MHz, {reserved} MB reserved + {overhead} MB overhead"), **sizes)
    return Message(N_("{cpu} MHz, {reserved} MB reserved + {overhead} MB overhead, {configured} MB configured"), configured=vm.memory_mb, **sizes)


def _host(cluster: Cluster, name: str) -> Host:
    for host in cluster.hosts:
        if host.name == name:
            return host
    names = [host.name for host in cluster.hosts]
    raise InputError(_("unknown host {host!r}").format(host=name), _("cluster {cluster!r}").format(cluster=cluster.settings.name), _did_you_mean(name, names))


def _evacuate(vms: Sequence[VM], host_name: str) -> tuple[tuple[VM, ...], int]:
    moved = sum(1 for vm in vms if vm.host == host_name and vm.powered_on)
    return tuple(replace(vm, host=None) if vm.host == host_name else vm for vm in vms), moved


def _add_count(shape: Mapping[str, object], count: int | None, adding: str) -> int:
    """The count to add; ``adding`` (``N_("adding {count} VMs")``) names a count out of range."""
    number = count if count is not None else int(shape.get("count", 1))  # type: ignore[call-overload]
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_COUNT:
        raise InputError(_(adding).format(count=number), None, _count_range())
    return number


def _new_names(prefix: str, taken: set[str], count: int) -> list[str]:
    names, number = [], 0
    while len(names) < count:
        number += 1
        name = f"{prefix}-{number}"
        if name not in taken:
            names.append(name)
    return names


def _span(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"


def _scaled(cluster: Cluster, factor: Fraction) -> Cluster:
    def up(value: int) -> int:
        return math.ceil(value * factor)

    vms = tuple(
        replace(
            vm,
            cpu_reservation_mhz=up(vm.cpu_reservation_mhz),
            memory_reservation_mb=up(vm.memory_reservation_mb),
            memory_mb=None if vm.memory_mb is None else up(vm.memory_mb),
        )
        for vm in cluster.vms
    )
    return Cluster(cluster.settings, cluster.hosts, vms)


def _fraction(value: Fraction | int | float | str) -> Fraction:
    from hacalc.core.units import parse_number

    if isinstance(value, float):
        return Fraction(repr(value))
    if isinstance(value, str):
        return parse_number(value)  # bounded: "1e999999999" is refused, not built
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError, TypeError):
        raise InputError(_("{value!r} is not a number").format(value=value), None, _("give a number such as 1.2")) from None


def _decimal(value: Fraction) -> str:
    return f"{float(value):g}"


def _evacuated(moved: int) -> Message:
    return plural(moved, N_("{count} powered-on VM evacuated to the other hosts"), N_("{count} powered-on VMs evacuated to the other hosts"))


# --- 3. Headroom -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headroom:
    """The largest count of added VMs of one shape that still passes ``check_cluster``, and why one more fails.

    ``count`` is None when the cluster fails as it is (``binding`` then says what fails today).
    ``proven``: ``count`` passes and ``count + 1`` fails with a proven failure (a policy figure, or a
    restart failure set proven to leave a VM down, not only undecided sets).
    """

    count: int | None
    proven: bool
    binding: tuple[str, ...]  # what fails at count + 1 (or today, when count is None); empty if nothing failed below the VM limit
    vm: dict[str, object]
    vm_source: str  # "given", or which VM the median is (a Message, as placement and binding's names are)
    placement: str
    policy: Policy | None  # None: admission control off (restart check only)
    tolerate: int
    checks: int  # calls of check_cluster (a maintenance plan counts those its steps share once, in the first)
    at_count: ClusterReport | None = field(default=None, repr=False, compare=False)
    at_next: ClusterReport | None = field(default=None, repr=False, compare=False)
    percentage_cpu_mhz: Fraction | None = None  # current failover capacity − configured, in MHz, on today's cluster
    percentage_memory_mb: Fraction | None = None
    percentage_cpu_percent: Fraction | None = None  # the same in % as vCenter shows it (floored current − configured)
    percentage_memory_percent: Fraction | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "headroom": self.count,
            "proven": self.proven,
            "binding": " and ".join(self.binding) if self.binding else None,
            "vm": dict(self.vm),
            "vm_source": self.vm_source,
            "placement": self.placement,
            "policy": None if self.policy is None else self.policy.value,
            "tolerate": self.tolerate,
            "percentage_headroom": {
                "cpu_mhz": self.percentage_cpu_mhz,
                "memory_mb": self.percentage_memory_mb,
                "cpu_percent": self.percentage_cpu_percent,
                "memory_percent": self.percentage_memory_percent,
            },
        }


PLACEMENT = Message(N_(
    "new VMs have no host: for every failure set the restart check packs them onto the survivors "
    "together with the failed hosts' VMs, so each passing count is proven restartable"
))


def median_vm(cluster: Cluster) -> VM:
    """The lower median powered-on VM, ordered by memory demand (reservation + overhead), then CPU reservation, then name."""
    running = sorted(
        (vm for vm in cluster.vms if vm.powered_on),
        key=lambda vm: (vm.memory_reservation_mb + vm.memory_overhead_mb, vm.cpu_reservation_mhz, vm.name),
    )
    if not running:
        raise InputError(_("cluster {cluster!r} has no powered-on VM to take a median of").format(cluster=cluster.settings.name), None,
                         _("give a VM shape such as {example}").format(example=VM_SHAPE_EXAMPLE))
    return running[(len(running) - 1) // 2]


def headroom(
    cluster: Cluster,
    vm_shape: Mapping[str, object] | None = None,
    *,
    tolerate: int | None = None,
    policy: Policy | None = None,
    restart_check: bool = True,
    admission_control: bool = True,
    limit: int | None = None,
) -> Headroom:
    """How many more VMs of ``vm_shape`` (default: ``median_vm``) the cluster takes while ``check_cluster``
    passes: the configured (or given) policy and, unless ``restart_check`` is False, the exact restart check.

    ``admission_control=False`` checks the restart check alone (policy none). ``tolerate`` None: the file's.
    ``limit`` caps the VMs added in the search (default: up to the file limit); a count that still passes
    there is returned unproven, with nothing binding: "at least this many".
    """
    shape, source = _search_shape(cluster, vm_shape)
    template = vm_from_shape(shape)
    tolerate = cluster.settings.tolerate if tolerate is None else tolerate
    used_policy = Policy.none if not admission_control else (policy or cluster.settings.policy)
    limit = _search_limit(cluster, limit)
    checks = _Checks(cluster, template, tolerate, used_policy)
    gate = restart_check

    common = dict(vm=shape, vm_source=source, placement=PLACEMENT, policy=used_policy if admission_control else None, tolerate=tolerate)
    if 0 < limit <= SMALL_LIMIT and checks.report(limit, gate).passed:  # a small cap is often reached: one full check says so
        percentage = _percentage_headroom(checks.report(0, False))  # today's policy figures need no restart check
        return Headroom(limit, False, (), checks=checks.count, at_count=checks.report(limit, gate), **common, **percentage)  # type: ignore[arg-type]
    today = checks.report(0, gate)
    common.update(_percentage_headroom(today))
    if not today.passed:
        return Headroom(None, _proven_failure(today), failing_parts(today), checks=checks.count, at_next=today, **common)  # type: ignore[arg-type]
    if used_policy is Policy.none:
        good, bad = _largest_passing(lambda count: checks.report(count, gate).passed, 1, limit)
    else:
        # The policy alone is cheap and linear in the VMs added: predict its count from two checks, prove
        # it with two more, and only then run the restart check, at that count (and below, if it binds first).
        good, bad = _policy_count(checks, limit)
        if gate and not checks.report(good, True).passed:
            ceiling = good
            good, bad = _largest_passing(lambda count: checks.report(count, True).passed, ceiling - 1, ceiling - 1)
            bad = ceiling if bad is None else bad
    if bad is None:
        return Headroom(good, False, (), checks=checks.count, at_count=checks.report(good, gate), **common)  # type: ignore[arg-type]
    at_count, at_next = checks.report(good, gate), checks.report(good + 1, gate)
    proven = at_count.passed and not at_next.passed and _proven_failure(at_next)
    return Headroom(good, proven, failing_parts(at_next), checks=checks.count, at_count=at_count, at_next=at_next, **common)  # type: ignore[arg-type]


SMALL_LIMIT = 10_000  # a cap up to which headroom checks the cap itself first


def _search_shape(cluster: Cluster, vm_shape: Mapping[str, object] | None) -> tuple[dict[str, object], str]:
    """The shape headroom adds (the given one, else the median VM's) and where it comes from."""
    if vm_shape is None:
        median = median_vm(cluster)
        shape, source = shape_of(median), Message(N_("median powered-on VM {vm!r} (by memory reservation + overhead, then CPU)"), vm=median.name)
    else:
        shape = {key: value for key, value in vm_shape.items() if key not in ("count", "name")}
        source = Message(N_("given"))
        if shape.get("host") is not None:
            _host(cluster, str(shape["host"]))
    if shape.get("powered_on") is False:
        raise InputError(_("headroom of powered-off VMs is unlimited"), None, _("give a shape without powered_on=false"))
    return shape, source


def _search_limit(cluster: Cluster, limit: int | None) -> int:
    """The most VMs headroom adds: the caller's cap, within the file limit."""
    return max(0, min(MAX_VMS - len(cluster.vms), MAX_VMS if limit is None else limit))


class _Checks:
    """``check_cluster`` of the cluster plus N copies of one VM, each count checked once (with or without
    the restart check); the added VMs are built once, as far as the search reaches."""

    def __init__(self, cluster: Cluster, template: VM, tolerate: int, policy: Policy) -> None:
        self.cluster, self.template, self.tolerate, self.policy = cluster, template, tolerate, policy
        self.taken = {vm.name for vm in cluster.vms}
        self.added: list[VM] = []
        self.reports: dict[tuple[int, bool], ClusterReport] = {}

    @property
    def count(self) -> int:
        return len(self.reports)

    def added_vms(self, count: int) -> tuple[VM, ...]:
        """The first ``count`` VMs added: no host, names no VM of the cluster has."""
        if count > len(self.added):
            names = _new_names("new-vm", self.taken, count)[len(self.added) :]
            self.added.extend(replace(self.template, name=name) for name in names)
        return tuple(self.added[:count])

    def report(self, count: int, restart: bool) -> ClusterReport:
        key = (count, restart)
        if key not in self.reports:
            vms = self.cluster.vms + self.added_vms(count)
            self.reports[key] = check_cluster(
                Cluster(self.cluster.settings, self.cluster.hosts, vms), tolerate=self.tolerate, policy=self.policy, restart_check=restart
            )
        return self.reports[key]


def _policy_count(checks: _Checks, limit: int) -> tuple[int, int | None]:
    """The largest count up to ``limit`` the policy alone passes, and the next (failing) one or None."""
    return _largest_passing(lambda count: checks.report(count, False).passed, _policy_guess(checks), limit)


def _policy_guess(checks: _Checks) -> int:
    """Where the policy's margins (free slots; free MHz and MB above the configured %) reach zero, by
    extrapolating from one and two added VMs (one VM may reset the slot size; after it the margins fall
    linearly). Only a guess: the search proves the count with the check itself."""
    if not checks.report(1, False).passed:
        return 0
    if not checks.report(2, False).passed:
        return 1
    one, two = _margins(checks.report(1, False)), _margins(checks.report(2, False))
    if one is None or two is None:
        return 2
    guesses = [1 + int(first / (first - second)) for first, second in zip(one, two) if first > second]
    return min(guesses, default=2)  # no margin shrinks: gallop out from what is known


def _margins(report: ClusterReport) -> tuple[Fraction, ...] | None:
    """What each added VM uses up of the policy, in its own units; None for a policy that is not linear."""
    if report.policy is Policy.slot:
        # the API's unreserved slots stop at 0; the same count unclamped keeps falling as VMs are added
        slots = sorted((host.slots or 0 for host in report.hosts if host.counted), reverse=True)
        return (Fraction(sum(slots[report.tolerate :]) - report.slot.used_slots),)
    percentage = report.percentage
    if report.policy is Policy.percentage and percentage is not None:
        # the floored % passes once the exact % reaches the configured one rounded up
        resources = (
            (percentage.configured_cpu_percent, percentage.total_host_cpu_mhz, percentage.required_cpu_mhz),
            (percentage.configured_memory_percent, percentage.total_host_memory_mb, percentage.required_memory_mb),
        )
        return tuple(Fraction(total - required) - Fraction(math.ceil(configured) * total, 100) for configured, total, required in resources if configured is not None)
    return None


def _largest_passing(passes: Callable[[int], bool], guess: int, limit: int) -> tuple[int, int | None]:
    """The largest count in 0 … ``limit`` that passes, and the next (failing) count, or None when ``limit``
    passes. ``passes`` is monotone and holds at 0. Gallops out from ``guess`` (1, 2, 4 … steps) and then
    bisects, so an exact guess costs two checks and a poor one a few more."""
    guess = min(max(guess, 0), limit)
    if passes(guess):
        good, step = guess, 1
        while True:
            if good == limit:
                return good, None
            probe = min(good + step, limit)
            if not passes(probe):
                bad = probe
                break
            good, step = probe, step * 2
    else:
        bad, step = guess, 1
        while True:
            probe = max(bad - step, 0)
            if passes(probe):
                good = probe
                break
            bad, step = probe, step * 2
    while bad - good > 1:
        middle = (good + bad) // 2
        if passes(middle):
            good = middle
        else:
            bad = middle
    return good, bad


def headroom_per_policy(
    cluster: Cluster, vm_shape: Mapping[str, object] | None = None, *, tolerate: int | None = None, limit: int | None = None,
    restart: bool = True,
) -> dict[str, Headroom]:
    """Each admission-control policy alone (no restart check), and the restart check alone, for comparison.

    A policy the cluster cannot be checked with (percentage without percentages on a version without the
    automatic one, failover-hosts without failover hosts) is left out. The configured gate's headroom is
    the smallest of its policy's and the restart check's, since both are monotone.
    """
    results: dict[str, Headroom] = {}
    if cluster.settings.platform is not Platform.vsphere:  # another platform: its own rule alone, no vSphere policy
        alone = headroom(cluster, vm_shape, tolerate=tolerate, restart_check=False, limit=limit)
        report = alone.at_count or alone.at_next
        rule = report.platform_rule.rule if report is not None and report.platform_rule is not None else cluster.settings.platform.value
        results[rule] = alone
        policies: tuple[Policy, ...] = ()
    else:
        policies = (Policy.slot, Policy.percentage, Policy.failover_hosts)
    for policy in policies:
        try:
            results[policy.value] = headroom(cluster, vm_shape, tolerate=tolerate, policy=policy, restart_check=False, limit=limit)
        except FieldError:
            if policy is Policy.slot:  # the slot policy checked everything but the other policies' own settings
                raise
    if restart:
        results["restart"] = headroom(cluster, vm_shape, tolerate=tolerate, admission_control=False, limit=limit)
    return results


def failing_parts(report: ClusterReport) -> tuple[str, ...]:
    """What fails in a report, by name: slots, CPU %, memory %, failover hosts, restart placement."""
    parts: list[str] = []
    if not report.policy_passed:
        if report.platform_rule is not None:
            parts.append(report.platform_rule.rule)
        elif report.policy is Policy.slot:
            parts.append(SLOTS)
        elif report.policy is Policy.percentage and report.percentage is not None:
            percentage = report.percentage
            if percentage.configured_cpu_percent is not None and percentage.cpu_failover_percent < percentage.configured_cpu_percent:
                parts.append(CPU_PERCENT)
            if percentage.configured_memory_percent is not None and percentage.memory_failover_percent < percentage.configured_memory_percent:
                parts.append(MEMORY_PERCENT)
            if not parts:
                parts.append(PERCENTAGE_HOSTS)
        elif report.policy is Policy.failover_hosts:
            parts.append(FAILOVER_HOSTS)
    if report.restart is not None and not report.restart.passed:
        parts.append(RESTART)
    return tuple(parts)


def _proven_failure(report: ClusterReport) -> bool:
    """A failure that is not only undecided restart sets."""
    return not report.policy_passed or (report.restart is not None and report.restart.failing_sets > 0)


def _percentage_headroom(report: ClusterReport) -> dict[str, Fraction | None]:
    """Current failover capacity − configured, in MHz/MB (exact) and in % (floored current, as vCenter shows it)."""
    percentage = report.percentage
    result: dict[str, Fraction | None] = dict.fromkeys(("percentage_cpu_mhz", "percentage_memory_mb", "percentage_cpu_percent", "percentage_memory_percent"))
    if percentage is None:
        return result
    if percentage.reserved_cpu_mhz is not None:
        result["percentage_cpu_mhz"] = percentage.total_host_cpu_mhz - percentage.required_cpu_mhz - percentage.reserved_cpu_mhz
        result["percentage_cpu_percent"] = percentage.cpu_headroom_percent
    if percentage.reserved_memory_mb is not None:
        result["percentage_memory_mb"] = percentage.total_host_memory_mb - percentage.required_memory_mb - percentage.reserved_memory_mb
        result["percentage_memory_percent"] = percentage.memory_headroom_percent
    return result


# --- 3. Rolling maintenance ---------------------------------------------------------------------------

PLAN_LIMIT = 1_000  # median VMs a maintenance step's headroom is searched to: enough to order the steps, bounded in time


@dataclass(frozen=True)
class PlanStep:
    hosts: tuple[str, ...]
    headroom: Headroom

    @property
    def passes(self) -> bool:
        return self.headroom.count is not None

    def as_dict(self) -> dict[str, Any]:
        room = self.headroom
        return {
            "hosts": list(self.hosts),
            "passes": self.passes,
            "headroom": room.count,
            "headroom_limit_reached": room.count is not None and not room.proven and not room.binding,
            "fails": [] if self.passes else list(room.binding),
        }


def maintenance_plan(cluster: Cluster, *, tolerate: int | None = None, parallel: int = 1, limit: int = PLAN_LIMIT) -> list[PlanStep]:
    """Each connected host in maintenance alone, ordered by the headroom (median VMs, up to ``limit``) left
    while it is out, most first; with ``parallel`` > 1 that order cut into groups checked together.

    Each step's headroom is what ``headroom`` gives for the cluster with that group in maintenance;
    ``_MaintenanceSteps`` finds it for most steps without checking each one on its own.
    """
    hosts = [host.name for host in cluster.hosts if host.state is HostState.connected]
    if parallel > len(hosts):
        raise InputError(_("--parallel {parallel} is more than the {count} connected hosts").format(parallel=parallel, count=len(hosts)), "--parallel", _("give a smaller group"))
    steps = _MaintenanceSteps(cluster, tolerate, limit)
    alone = sorted(steps.plan([(name,) for name in hosts]), key=lambda item: (-(item.headroom.count if item.passes else -1), item.hosts))
    if parallel == 1:
        return alone
    order = [item.hosts[0] for item in alone]
    return steps.plan([tuple(order[index : index + parallel]) for index in range(0, len(order), parallel)])


class _MaintenanceSteps:
    """The headroom of each group of hosts in maintenance, with what the steps have in common done once.

    Every step adds the same median VMs to the same VMs (the group's evacuated), so its policy figures
    depend only on the capacities still counted: groups of the same capacities share their policy-only
    checks and the policy's search (except under the failover-hosts policy, which looks at placement).
    Those give the step's headroom provided the restart check passes at the counts ``headroom`` checks
    it (``_policy_answer``). The restart check of a group at a count is the whole cluster's failure sets
    that include the group, screened for all groups at once (``restart.proven_with_hosts_out``). A step
    whose restart checks the screen proves gets that headroom, without the reports ``headroom`` keeps
    (``at_count``, ``at_next``: None); any other step gets ``headroom`` itself.
    """

    def __init__(self, cluster: Cluster, tolerate: int | None, limit: int) -> None:
        self.cluster, self.limit = cluster, limit
        self.tolerate = cluster.settings.tolerate if tolerate is None else tolerate
        self.policy = cluster.settings.policy
        self.shared: dict[tuple[object, ...], _Checks] = {}
        self.reported: dict[tuple[object, ...], int] = {}  # shared checks already counted in some step's ``checks``

    def plan(self, groups: Sequence[tuple[str, ...]]) -> list[PlanStep]:
        cap = _search_limit(self.cluster, self.limit)
        if self.cluster.settings.platform is not Platform.vsphere or not 0 < cap <= SMALL_LIMIT:
            return [self._searched(group) for group in groups]  # another platform's check has its own restart problem
        shape, source = _search_shape(self.cluster, None)
        template = vm_from_shape(shape)
        checks = {group: self._policy_checks(group, template) for group in groups}
        answers = {group: _policy_answer(checks[group], cap) for group in groups}
        proven = self._restart_proven({group: counts for group, (_, counts) in answers.items()}, checks[groups[0]])
        steps = []
        for group in groups:
            (count, exact, binding), counts = answers[group]
            if not all((group, needed) in proven for needed in counts):
                steps.append(self._searched(group, self._unreported(group)))
                continue
            figures = _percentage_headroom(checks[group].report(0, False))
            room = Headroom(count, exact, binding, shape, source, PLACEMENT, self.policy, self.tolerate, self._unreported(group), **figures)  # type: ignore[arg-type]
            steps.append(PlanStep(group, room))
        return steps

    def _searched(self, group: tuple[str, ...], shared_checks: int = 0) -> PlanStep:
        room = headroom(self._in_maintenance(group), tolerate=self.tolerate, limit=self.limit)
        return PlanStep(group, replace(room, checks=room.checks + shared_checks))

    def _in_maintenance(self, group: tuple[str, ...]) -> Cluster:
        changed = self.cluster
        for name in group:
            changed = maintenance(changed, name)[0]
        return changed

    def _key(self, group: tuple[str, ...]) -> tuple[object, ...]:
        """What a group's policy figures depend on: the capacities it takes out (placement, for failover hosts)."""
        if self.policy is Policy.failover_hosts:
            return group
        return tuple(sorted((host.cpu_mhz, host.memory_mb) for host in self.cluster.hosts if host.name in group))

    def _policy_checks(self, group: tuple[str, ...], template: VM) -> _Checks:
        key = self._key(group)
        if key not in self.shared:
            self.shared[key] = _Checks(self._in_maintenance(group), template, self.tolerate, self.policy)
        return self.shared[key]

    def _unreported(self, group: tuple[str, ...]) -> int:
        """The group's shared checks not yet counted in a step: each is counted once, in the first step that used it."""
        key = self._key(group)
        made = self.shared[key].count - self.reported.get(key, 0)
        self.reported[key] = self.shared[key].count
        return made

    def _restart_proven(self, needed: Mapping[tuple[str, ...], Sequence[int]], checks: _Checks) -> set[tuple[tuple[str, ...], int]]:
        """(group, count) for each restart check at a count the screen proves for the group, one screen per count."""
        counted = counted_hosts(self.cluster)
        position = {host.name: index for index, host in enumerate(counted)}
        proven = set()
        for count in sorted({count for counts in needed.values() for count in counts}):
            groups = [group for group, counts in needed.items() if count in counts]
            out = [[position[name] for name in group] for group in groups]
            passes = proven_with_hosts_out(counted, self.cluster.vms + checks.added_vms(count), self.tolerate, out)
            proven.update((group, count) for group, passed in zip(groups, passes) if passed)
        return proven


def _policy_answer(checks: _Checks, cap: int) -> tuple[tuple[int | None, bool, tuple[str, ...]], tuple[int, ...]]:
    """A step's headroom (count, proven, binding) as ``headroom`` finds it when every restart check it runs
    passes, from the step's policy-only checks; and the counts at which it runs them.

    The cap passes if the policy does (restart at the cap); a cluster the policy fails today fails with
    the policy's parts (restart today); else the policy's own count binds, proven by its next count
    (restart today, at the count and at the next).
    """
    if checks.report(cap, False).passed:
        return (cap, False, ()), (cap,)
    today = checks.report(0, False)
    if not today.passed:
        return (None, True, failing_parts(today)), (0,)
    good, bad = _policy_count(checks, cap)
    assert bad is not None  # the cap fails
    return (good, True, failing_parts(checks.report(bad, False))), (0, good, bad)


# --- 4. Time to exhaustion ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthLine:
    month: int
    factor: Fraction  # (1 + g) ** month
    passed: bool
    failing: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month, "factor": self.factor, "passed": self.passed, "failing": list(self.failing)}


def months_to_failure(
    cluster: Cluster,
    growth_per_month: Fraction | int | str,
    horizon_months: int,
    *,
    tolerate: int | None = None,
    policy: Policy | None = None,
) -> tuple[int | None, str | None, list[MonthLine]]:
    """Month 0 … ``horizon_months``: every VM's demand × (1 + g)^m (compounding, ``_scaled`` of the original
    cluster), checked with ``check_cluster``. Returns the first failing month (None: none within the
    horizon), what fails first then, and one line per month."""
    growth = _fraction(growth_per_month)
    if growth < -1:
        raise InputError(_("growth {growth}{percent} a month is below -100{percent}").format(growth=_decimal(growth * 100), percent="%"), None,
                         _("give a growth such as 3{percent}/month, or a decline no steeper than -100{percent}").format(percent="%"))
    if isinstance(horizon_months, bool) or not isinstance(horizon_months, int) or not 0 <= horizon_months <= 1200:
        raise InputError(_("horizon {months!r} months is out of range").format(months=horizon_months), None, _("give a whole number of months from 0 to 1200"))
    lines: list[MonthLine] = []
    first: int | None = None
    fails_first: str | None = None
    for month in range(horizon_months + 1):
        factor = (1 + growth) ** month
        report = check_cluster(_scaled(cluster, factor), tolerate=tolerate, policy=policy)
        failing = failing_parts(report)
        lines.append(MonthLine(month, factor, report.passed, failing))
        if not report.passed and first is None:
            first, fails_first = month, " and ".join(failing)
    return first, fails_first, lines
