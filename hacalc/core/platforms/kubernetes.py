"""Kubernetes: after losing any F nodes, can every evicted pod be scheduled again, and what do the PDBs allow?

Kubernetes reserves nothing for failures (inventories.md §5): the scheduler packs pod *requests* into node
*Allocatable* and never over-subscribes it. So the question is a packing one, asked the way the scheduler's
filters ask it (kubernetes/kubernetes pkg/scheduler/framework/plugins): a pod fits a node when every resource
it requests (CPU in millicores, memory and the rest in whole units, one ``pods`` slot) fits what the node has
left (NodeResourcesFit), its ``nodeSelector`` and required node affinity match the node's labels
(NodeAffinity), and it tolerates every ``NoSchedule``/``NoExecute`` taint (TaintToleration). Pod affinity,
topology spread and host ports are not modelled: pods that use them are counted in a warning.

After a node fails, its pods are evicted once their toleration of ``node.kubernetes.io/unreachable:NoExecute``
runs out (300 s by default, added by the DefaultTolerationSeconds admission plugin), and only pods with a
controller come back: ReplicaSets (Deployments), StatefulSets, Jobs and ReplicationControllers recreate
them; DaemonSet and static (node-owned) pods belong to their node, and a pod without a controller is gone.

The check is exact: every F-subset of the Ready nodes is a failure set; best-fit decreasing with each pod's
node eligibility, vectorised over the sets (numpy), proves most of them feasible; a set it cannot settle is
proven infeasible by a pod that fits nowhere or by a capacity bound over the nodes a group of pods may use
(with ``restart._large_vms_overflow`` for CPU and memory), or settled by scipy's MILP (HiGHS) within a time
budget. As in ``core.vsphere.restart``, only proven failures fail, and a pass needs every set proven.

PodDisruptionBudget arithmetic follows ``getExpectedPodCount`` and ``updatePdbStatus`` in
pkg/controller/disruption/disruption.go (kubernetes/kubernetes 003e86297d18a8538c9da3619871393f9703bf70).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from hacalc.core.errors import InputError
from hacalc.core.quantities import milli_value, whole_value
from hacalc.core.vsphere.restart import MAX_FAILURE_SETS, _large_vms_overflow, _natural_order
from hacalc.core.warnings import DataWarning
from hacalc.i18n import N_, Message, _, joined, plural

CPU, MEMORY, PODS = "cpu", "memory", "pods"
UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
DEFAULT_TOLERATION_SECONDS = 300  # DefaultTolerationSeconds admission plugin, --default-unreachable-toleration-seconds
RECREATING_KINDS = frozenset({"ReplicaSet", "StatefulSet", "Job", "ReplicationController"})
NODE_BOUND_KINDS = frozenset({"DaemonSet", "Node"})
TERMINAL_PHASES = frozenset({"Succeeded", "Failed"})
HARD_EFFECTS = frozenset({"NoSchedule", "NoExecute"})
EXAMPLES = 5
CHUNK_CELLS = 8_000_000  # failure sets x nodes x resources packed at once: some 64 MB per array
MILP_MAX_VARIABLES = 200_000


# The objects, as the readers build them ------------------------------------------------------------


@dataclass(frozen=True)
class Taint:
    key: str
    value: str = ""
    effect: str = "NoSchedule"


@dataclass(frozen=True)
class Toleration:
    """``ToleratesTaint`` in k8s.io/api core/v1 toleration.go: an empty key with ``Exists`` tolerates everything."""

    key: str = ""
    operator: str = "Equal"
    value: str = ""
    effect: str = ""
    seconds: int | None = None

    def tolerates(self, taint: Taint) -> bool:
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator == "Exists":
            return True
        return self.operator in ("", "Equal") and self.value == taint.value


@dataclass(frozen=True)
class Requirement:
    """One ``matchExpressions`` entry (In, NotIn, Exists, DoesNotExist; Gt and Lt in node selectors)."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.operator == "In":
            return present and labels[self.key] in self.values
        if self.operator == "NotIn":
            return not present or labels[self.key] not in self.values
        if self.operator == "Exists":
            return present
        if self.operator == "DoesNotExist":
            return not present
        if self.operator in ("Gt", "Lt") and present and len(self.values) == 1:
            try:
                have, bound = int(labels[self.key]), int(self.values[0])
            except ValueError:
                return False
            return have > bound if self.operator == "Gt" else have < bound
        return False


@dataclass(frozen=True)
class LabelSelector:
    """A PDB's ``spec.selector``: every label and every expression must match; an empty selector matches all."""

    match_labels: tuple[tuple[str, str], ...] = ()
    match_expressions: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(labels.get(key) == value for key, value in self.match_labels) and all(
            requirement.matches(labels) for requirement in self.match_expressions
        )


@dataclass(frozen=True)
class NodeSelectorTerm:
    """One term of required node affinity; terms are ORed, and a term with no requirements matches no node."""

    match_expressions: tuple[Requirement, ...] = ()
    match_fields: tuple[Requirement, ...] = ()  # only metadata.name exists

    def matches(self, node: KubeNode) -> bool:
        if not self.match_expressions and not self.match_fields:
            return False
        fields = {"metadata.name": node.name}
        return all(requirement.matches(node.labels) for requirement in self.match_expressions) and all(
            requirement.matches(fields) for requirement in self.match_fields
        )


@dataclass(frozen=True)
class Owner:
    kind: str
    name: str
    uid: str = ""


@dataclass(frozen=True)
class KubeNode:
    name: str
    allocatable: Mapping[str, int]  # scheduler units: cpu in millicores, the rest whole (bytes, pods)
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: tuple[Taint, ...] = ()
    ready: bool = True
    unschedulable: bool = False


@dataclass(frozen=True)
class KubePod:
    name: str
    namespace: str = "default"
    node: str | None = None  # spec.nodeName
    phase: str = "Running"
    requests: Mapping[str, int] = field(default_factory=dict)  # effective requests (``pod_requests``), scheduler units
    owner: Owner | None = None  # the controller (ownerReferences with controller: true)
    labels: Mapping[str, str] = field(default_factory=dict)
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: tuple[Toleration, ...] = ()
    node_affinity: tuple[NodeSelectorTerm, ...] | None = None  # required terms; None when there are none
    ready: bool = True  # the Ready condition, for PDBs
    terminating: bool = False  # metadata.deletionTimestamp is set
    ignored: tuple[str, ...] = ()  # scheduling constraints the check does not model (pod affinity, topology spread …)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class PodDisruptionBudget:
    name: str
    namespace: str = "default"
    selector: LabelSelector | None = None  # None selects nothing (LabelSelectorAsSelector(nil))
    min_available: int | str | None = None  # an int or a percentage such as "50%"
    max_unavailable: int | str | None = None


@dataclass(frozen=True)
class KubeInventory:
    nodes: tuple[KubeNode, ...]
    pods: tuple[KubePod, ...] = ()
    pdbs: tuple[PodDisruptionBudget, ...] = ()
    replicas: Mapping[str, int] = field(default_factory=dict)  # controller uid -> spec.replicas, when known
    warnings: tuple[DataWarning, ...] = ()  # from reading
    sources: tuple[str, ...] = ()


# Requests, as the scheduler adds them up -----------------------------------------------------------

Amounts = Mapping[str, Fraction]


def pod_requests(
    containers: Sequence[Amounts],
    init_containers: Sequence[tuple[Amounts, bool]] = (),
    overhead: Amounts | None = None,
    pod_level: Amounts | None = None,
) -> dict[str, int]:
    """A pod's effective requests in scheduler units: ``PodRequests`` in k8s.io/component-helpers resource/helpers.go.

    max(sum of containers (+ sidecars), each init container plus the sidecars started before it) + overhead,
    summed exactly and only then rounded up (``MilliValue`` for CPU, ``Value`` for the rest); pod-level
    requests (``spec.resources``), where given, replace the containers' for that resource.
    ``init_containers`` are (requests, restartable) pairs; a restartable one (``restartPolicy: Always``) is a sidecar.
    """
    total: dict[str, Fraction] = {}
    _add(total, *containers)
    sidecars: dict[str, Fraction] = {}
    init_peak: dict[str, Fraction] = {}
    for requests, restartable in init_containers:
        if restartable:
            _add(total, requests)
            _add(sidecars, requests)
            running = dict(sidecars)
        else:
            running = dict(sidecars)
            _add(running, requests)
        for name, amount in running.items():
            init_peak[name] = max(init_peak.get(name, Fraction(0)), amount)
    for name, amount in init_peak.items():
        total[name] = max(total.get(name, Fraction(0)), amount)
    for name, amount in (pod_level or {}).items():
        total[name] = amount
    _add(total, overhead or {})
    return {name: milli_value(amount) if name == CPU else whole_value(amount) for name, amount in total.items() if amount}


def _add(total: dict[str, Fraction], *amounts: Amounts) -> None:
    for each in amounts:
        for name, amount in each.items():
            total[name] = total.get(name, Fraction(0)) + amount


def eviction_seconds(pod: KubePod) -> int | None:
    """Seconds a pod stays bound to an unreachable node before the taint manager evicts it; None: never.

    The shortest ``tolerationSeconds`` among the tolerations matching ``node.kubernetes.io/unreachable:NoExecute``
    (``getMinTolerationTime`` in pkg/controller/tainteviction: at most 0 counts as 0; only when every matching
    toleration lacks seconds is it forever); a pod with none gets the admission plugin's default of 300 s.
    """
    taint = Taint(UNREACHABLE, "", "NoExecute")
    matching = [toleration for toleration in pod.tolerations if toleration.tolerates(taint)]
    if not matching:
        return DEFAULT_TOLERATION_SECONDS
    finite = [toleration.seconds for toleration in matching if toleration.seconds is not None]
    return max(0, min(finite)) if finite else None


def can_run_on(pod: KubePod, node: KubeNode) -> bool:
    """The scheduler's label and taint filters (NodeAffinity, TaintToleration); capacity is checked apart."""
    if any(node.labels.get(key) != value for key, value in pod.node_selector.items()):
        return False
    if pod.node_affinity is not None and not any(term.matches(node) for term in pod.node_affinity):
        return False
    return all(
        any(toleration.tolerates(taint) for toleration in pod.tolerations) for taint in node.taints if taint.effect in HARD_EFFECTS
    )


# PodDisruptionBudgets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdbStatus:
    name: str
    namespace: str
    min_available: int | str | None
    max_unavailable: int | str | None
    matched_pods: int
    expected_pods: int
    desired_healthy: int
    current_healthy: int
    disruptions_allowed: int
    expected_from: str  # "pods" (int minAvailable), "replicas" (controllers' spec.replicas) or "pods per controller" (approximated)
    unmanaged_pods: int  # matched pods without a controller: left out of a percentage's base, as the controller does

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "namespace": self.namespace,
            "min_available": self.min_available,
            "max_unavailable": self.max_unavailable,
            "matched_pods": self.matched_pods,
            "expected_pods": self.expected_pods,
            "desired_healthy": self.desired_healthy,
            "current_healthy": self.current_healthy,
            "disruptions_allowed": self.disruptions_allowed,
            "expected_from": self.expected_from,
            "unmanaged_pods": self.unmanaged_pods,
        }


def scaled_value(value: int | str, total: int, round_up: bool = True) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``: an int as it is, ``"N%"`` as ceil (or floor) of N % of ``total``."""
    if isinstance(value, int):
        return value
    digits = value[:-1] if value.endswith("%") else ""
    if not digits.lstrip("-").isdigit() or not digits.lstrip("-").isascii():
        raise InputError(_("{value!r} is neither an integer nor a percentage").format(value=value),
                         fix=_("write an integer such as 2 or a percentage such as 50{percent}").format(percent="%"))
    numerator = int(digits) * total
    return -(-numerator // 100) if round_up else numerator // 100


def pdb_status(pdb: PodDisruptionBudget, pods: Sequence[KubePod], replicas: Mapping[str, int]) -> PdbStatus:
    """``disruptionsAllowed`` as the disruption controller computes it for ``pdb`` over ``pods`` (the inventory's).

    The expected count is the sum of the matched pods' controllers' scale: ``replicas`` where known, else the
    number of live pods of that controller (``expected_from`` says which).
    """
    return pdb_statuses([pdb], pods, replicas)[0]


def pdb_statuses(pdbs: Sequence[PodDisruptionBudget], pods: Sequence[KubePod], replicas: Mapping[str, int]) -> list[PdbStatus]:
    """``pdb_status`` of each budget, with the pods indexed once by namespace and label set, and by controller."""
    by_labels: dict[str, dict[tuple, list[KubePod]]] = {}
    live_pods: dict[tuple[str, str, str], int] = {}
    for pod in pods:
        by_labels.setdefault(pod.namespace, {}).setdefault(tuple(sorted(pod.labels.items())), []).append(pod)
        if pod.owner is not None and pod.phase not in TERMINAL_PHASES:
            key = _controller_key(pod)
            live_pods[key] = live_pods.get(key, 0) + 1
    return [_pdb_status(pdb, by_labels.get(pdb.namespace, {}), live_pods, replicas) for pdb in pdbs]


def _pdb_status(
    pdb: PodDisruptionBudget, by_labels: Mapping[tuple, list[KubePod]], live_pods: Mapping[tuple[str, str, str], int], replicas: Mapping[str, int]
) -> PdbStatus:
    selector = pdb.selector
    matched = [pod for labels, group in by_labels.items() if selector is not None and selector.matches(dict(labels)) for pod in group]
    current = sum(1 for pod in matched if pod.ready and not pod.terminating)
    unmanaged = sum(1 for pod in matched if pod.owner is None)
    expected, expected_from = len(matched), "pods"
    if pdb.max_unavailable is not None or isinstance(pdb.min_available, str):
        controllers = {_controller_key(pod) for pod in matched if pod.owner is not None}
        expected = sum(replicas[key[2]] if key[2] in replicas else live_pods.get(key, 0) for key in controllers)
        expected_from = "replicas" if all(key[2] in replicas for key in controllers) else "pods per controller"
    if pdb.max_unavailable is not None:
        desired = max(0, expected - scaled_value(pdb.max_unavailable, expected))
    elif pdb.min_available is not None:
        desired = scaled_value(pdb.min_available, expected)
    else:
        desired = 0
    allowed = current - desired if expected > 0 and current - desired > 0 else 0
    return PdbStatus(
        pdb.name, pdb.namespace, pdb.min_available, pdb.max_unavailable, len(matched), expected, desired, current, allowed, expected_from, unmanaged
    )


def _controller_key(pod: KubePod) -> tuple[str, str, str]:
    """(namespace, kind, uid): the uid where the file gives one, else the owner's kind and name."""
    assert pod.owner is not None
    return (pod.namespace, pod.owner.kind, pod.owner.uid or f"{pod.owner.kind}/{pod.namespace}/{pod.owner.name}")


# The report ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnplacedPod:
    name: str
    namespace: str
    owner: str  # "ReplicaSet/web-5d4f9"
    node: str  # where it ran
    requests: Mapping[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "namespace": self.namespace, "owner": self.owner, "node": self.node, "requests": dict(self.requests)}


@dataclass(frozen=True)
class FailureSetResult:
    """One failure set that fails: the pods best-fit could not place (one witness; the proof says why no placement exists)."""

    nodes: tuple[str, ...]
    displaced_pods: int
    unplaced: tuple[UnplacedPod, ...]
    proof: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": list(self.nodes),
            "displaced_pods": self.displaced_pods,
            "unplaced_pods": [pod.as_dict() for pod in self.unplaced],
            "proof": self.proof,
        }


@dataclass(frozen=True)
class NodeLine:
    name: str
    counted: bool  # Ready: it can fail and its pods count
    schedulable: bool  # counted and not cordoned: evicted pods may land here
    reason: str | None
    allocatable: Mapping[str, int]
    requested: Mapping[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "counted": self.counted,
            "schedulable": self.schedulable,
            "reason": self.reason,
            "allocatable": dict(self.allocatable),
            "requested": dict(self.requested),
        }


@dataclass(frozen=True)
class OvercommitLine:
    """kubernetes-mixin ``KubeCPUOvercommit``/``KubeMemOvercommit`` (vsphere-ha.md EX-11): requests/allocatable > (n - F)/n."""

    resource: str
    requested: int
    allocatable: int
    ratio: Fraction
    threshold: Fraction
    fires: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "requested": self.requested,
            "allocatable": self.allocatable,
            "ratio": float(self.ratio),
            "threshold": float(self.threshold),
            "fires": self.fires,
        }


@dataclass(frozen=True)
class KubeReport:
    passed: bool
    exact: bool  # the verdict is proven (every set decided, or one proven to fail)
    tolerate: int
    verdict: str
    nodes: tuple[NodeLine, ...]
    failure_sets: int
    checked_sets: int
    failing_sets: int
    undecided_sets: int
    worst_failure_set: tuple[str, ...]
    failing: tuple[FailureSetResult, ...]
    method: str
    movable_pods: int  # pods a node failure evicts and a controller recreates
    eviction_delays: Mapping[str, int]  # "300" -> pods, "never" -> pods tolerating unreachable forever
    restart_delay_s: int | None  # the longest finite eviction delay among movable pods: the wait before they restart
    pdbs: tuple[PdbStatus, ...]
    overcommit: tuple[OvercommitLine, ...]
    warnings: tuple[DataWarning, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": "kubernetes",
            "passed": self.passed,
            "exact": self.exact,
            "tolerate": self.tolerate,
            "verdict": self.verdict,
            "failure_sets": self.failure_sets,
            "checked_sets": self.checked_sets,
            "failing_sets": self.failing_sets,
            "undecided_sets": self.undecided_sets,
            "worst_failure_set": list(self.worst_failure_set),
            "failing": [result.as_dict() for result in self.failing],
            "method": self.method,
            "movable_pods": self.movable_pods,
            "eviction_delays": dict(self.eviction_delays),
            "restart_delay_s": self.restart_delay_s,
            "nodes": [node.as_dict() for node in self.nodes],
            "pdbs": [pdb.as_dict() for pdb in self.pdbs],
            "overcommit": [line.as_dict() for line in self.overcommit],
            "warnings": [warning.as_dict() for warning in self.warnings],
        }


# The check -----------------------------------------------------------------------------------------

FEASIBLE, INFEASIBLE, UNKNOWN = 0, 1, 2


@dataclass
class _Problem:
    """Arrays shared by every failure set (numpy; typed loosely to keep numpy out of import time)."""

    nodes: list[KubeNode]  # the counted (Ready) nodes: candidates to fail
    pods: list[KubePod]  # movable pods on counted nodes
    resources: list[str]
    free: object  # [N, D] int64 allocatable minus what runs there
    target: object  # [N] bool: schedulable (not cordoned)
    need: object  # [M, D] int64
    pod_class: object  # [M] eligibility class
    eligible: object  # [C, N] bool
    node_items: object  # [N, L] movable pod indexes on each node, largest first, -1 padding
    scale: object  # [D] float: mean allocatable, for the best-fit score


def check_kubernetes(inventory: KubeInventory, tolerate: int, *, time_budget_s: float = 10.0, milp: bool = True) -> KubeReport:
    """Every ``tolerate``-subset of the Ready nodes fails in turn: can each evicted, recreated pod be scheduled again?"""
    import numpy as np

    warnings = list(inventory.warnings)
    problem, lines, movable_delays = _problem(inventory, warnings)
    count = len(problem.nodes)
    total_sets = math.comb(count, tolerate) if tolerate <= count else 0
    if tolerate >= count or not count:
        sets = np.array([list(range(count))], dtype=np.int64)
        total_sets, exhaustive = 1, True
    elif total_sets <= MAX_FAILURE_SETS:
        sets = np.array(list(itertools.combinations(range(count), tolerate)), dtype=np.int64).reshape(total_sets, tolerate)
        exhaustive = True
    else:
        sets = _heaviest_sets(problem, tolerate)
        exhaustive = False
        warnings.append(DataWarning("too-many-failure-sets", Message(
            N_("{sets:,} failure sets of {tolerate} nodes is too many to check; checked the {checked} heaviest, so the result is not exact"),
            sets=total_sets, tolerate=tolerate, checked=len(sets))))
    state, leftovers, load = _screen(problem, sets)
    proofs = _prove(problem, sets, state, leftovers, time.monotonic() + time_budget_s, milp)
    return _report(inventory, problem, lines, sets, state, leftovers, load, proofs, tolerate, total_sets, exhaustive, movable_delays, warnings)


def _problem(inventory: KubeInventory, warnings: list[DataWarning]) -> tuple[_Problem, list[NodeLine], dict[str, int]]:
    import numpy as np

    counted = [node for node in inventory.nodes if node.ready]
    index = {node.name: position for position, node in enumerate(counted)}
    known = {node.name for node in inventory.nodes}
    running = [pod for pod in inventory.pods if pod.phase not in TERMINAL_PHASES and pod.node is not None and not pod.terminating]
    resources = sorted({CPU, MEMORY, PODS} | {name for pod in running for name in pod.requests})
    column = {name: position for position, name in enumerate(resources)}
    allocatable = np.array([[node.allocatable.get(name, 0) for name in resources] for node in counted], dtype=np.int64).reshape(len(counted), len(resources))
    used = np.zeros_like(allocatable)
    names: dict[str, list[str]] = {}
    movable: list[KubePod] = []
    placement: list[int] = []
    delays: dict[str, int] = {}
    for pod in running:
        where = index.get(pod.node, -1)
        if where < 0:
            names.setdefault("pod-on-unknown-node" if pod.node not in known else "pod-on-node-not-ready", []).append(pod.key)
            continue
        for name, amount in pod.requests.items():
            used[where, column[name]] += amount
        used[where, column[PODS]] += 1
        kind = pod.owner.kind if pod.owner else None
        if kind in NODE_BOUND_KINDS:
            names.setdefault("node-bound-pods", []).append(pod.key)
            continue
        if pod.owner is None:
            names.setdefault("pods-without-controller", []).append(pod.key)
            continue
        seconds = eviction_seconds(pod)
        delays[str(seconds) if seconds is not None else "never"] = delays.get(str(seconds) if seconds is not None else "never", 0) + 1
        if seconds is None:
            names.setdefault("never-evicted", []).append(pod.key)
            continue
        if kind not in RECREATING_KINDS:
            names.setdefault("unknown-controller", []).append(pod.key)
        if kind == "StatefulSet":
            names.setdefault("statefulset-pods", []).append(pod.key)
        for constraint in pod.ignored:
            names.setdefault(f"ignored-{constraint}", []).append(pod.key)
        movable.append(pod)
        placement.append(where)
    pending = [pod.key for pod in inventory.pods if pod.phase not in TERMINAL_PHASES and pod.node is None]
    if pending:
        names["pending-pods"] = pending
    finished = [pod.key for pod in inventory.pods if pod.phase in TERMINAL_PHASES]
    if finished:
        names["finished-pods"] = finished
    free = allocatable - used
    for position in np.flatnonzero((free < 0).any(axis=1)):
        names.setdefault("node-over-allocatable", []).append(counted[position].name)
    warnings.extend(_warning(kind, found) for kind, found in names.items())

    need = np.array([[pod.requests.get(name, 0) for name in resources] for pod in movable], dtype=np.int64).reshape(len(movable), len(resources))
    need[:, column[PODS]] = 1
    classes: dict[tuple, int] = {}
    pod_class = np.array([classes.setdefault(_placement_signature(pod), len(classes)) for pod in movable], dtype=np.int64)
    representatives: dict[int, KubePod] = {}
    for pod, number in zip(movable, pod_class.tolist()):
        representatives.setdefault(number, pod)
    target = np.array([not node.unschedulable for node in counted], dtype=bool)
    eligible = np.array(
        [[target[position] and can_run_on(representatives[number], node) for position, node in enumerate(counted)] for number in range(len(classes))],
        dtype=bool,
    ).reshape(len(classes), len(counted))
    scale = np.maximum(allocatable.mean(axis=0) if len(counted) else np.ones(len(resources)), 1.0)
    size = (need / scale).sum(axis=1) if len(movable) else np.zeros(0)
    per_node: list[list[int]] = [[] for _ in counted]
    for item in np.argsort(-size, kind="stable"):
        per_node[placement[item]].append(int(item))
    width = max((len(items) for items in per_node), default=0)
    node_items = np.full((len(counted), width), -1, dtype=np.int64)
    for position, items in enumerate(per_node):
        node_items[position, : len(items)] = items
    lines = _node_lines(inventory.nodes, index, allocatable, used, resources)
    problem = _Problem(counted, movable, resources, free, target, need, pod_class, eligible, node_items, scale)
    return problem, lines, delays


def _placement_signature(pod: KubePod) -> tuple:
    return (tuple(sorted(pod.node_selector.items())), pod.tolerations, pod.node_affinity)


def _node_lines(nodes: Sequence[KubeNode], index: Mapping[str, int], allocatable, used, resources: list[str]) -> list[NodeLine]:
    lines = []
    for node in nodes:
        position = index.get(node.name)
        reason = None if node.ready else NOT_READY_REASON
        if node.ready and node.unschedulable:
            reason = CORDONED_REASON
        requested = {name: int(used[position, column]) for column, name in enumerate(resources)} if position is not None else {}
        lines.append(NodeLine(node.name, node.ready, node.ready and not node.unschedulable, reason, dict(node.allocatable), requested))
    return lines


NOT_READY_REASON = Message(N_("not Ready"))
CORDONED_REASON = Message(N_("cordoned (spec.unschedulable): can fail, takes no evicted pods"))

# Counted warnings by kind; {n} is "3 pods" (or nodes). English in JSON, translated where shown.
_MESSAGES = {
    "pod-on-node-not-ready": N_("{n} on nodes that are not Ready: not counted (Kubernetes evicts them after their toleration; replacements appear as pods of their own)"),
    "pod-on-unknown-node": N_("{n} on nodes that are not in the inventory: not counted; add those nodes"),
    "node-bound-pods": N_("{n} of DaemonSets or static pods: they run on every node that suits them, so a failure does not move them"),
    "pods-without-controller": N_("{n} without a controller: nothing recreates them when their node fails, so they are lost, not rescheduled"),
    "never-evicted": N_("{n} tolerating node.kubernetes.io/unreachable forever: they stay bound to a failed node and are not rescheduled"),
    "unknown-controller": N_("{n} owned by controllers other than ReplicaSet, StatefulSet, Job or ReplicationController: assumed recreated"),
    "statefulset-pods": N_("{n} of StatefulSets: on an unreachable node they are replaced only once the node is deleted or tainted out-of-service; checked as if replaced"),
    "ignored-pod-affinity": N_("{n} with required pod affinity or anti-affinity: ignored by the check, which may then pass where the scheduler would not"),
    "ignored-topology-spread": N_("{n} with topologySpreadConstraints (DoNotSchedule): ignored by the check, which may then pass where the scheduler would not"),
    "ignored-host-port": N_("{n} with host ports: port conflicts are ignored by the check"),
    "pending-pods": N_("{n} pending without a node: they hold nothing now and are not part of the check"),
    "finished-pods": N_("{n} Succeeded or Failed: they hold no resources"),
    "node-over-allocatable": N_("{n} whose pods request more than their allocatable"),
}


def _warning(kind: str, names: list[str]) -> DataWarning:
    if kind.startswith("node-over"):
        counted = plural(len(names), N_("{count:,} node"), N_("{count:,} nodes"))
    else:
        counted = plural(len(names), N_("{count:,} pod"), N_("{count:,} pods"))
    return DataWarning(kind, Message(_MESSAGES[kind], n=counted), len(names), tuple(names[:EXAMPLES]))


def _heaviest_sets(problem: _Problem, tolerate: int):
    """When there are too many sets: the nodes with the most displaced demand in each resource, or the most pods."""
    import numpy as np

    valid = problem.node_items >= 0
    demand = np.where(valid[:, :, None], problem.need[np.maximum(problem.node_items, 0)], 0).sum(axis=1)
    rankings = [demand[:, column] for column in range(demand.shape[1])] + [(demand / problem.scale).sum(axis=1)]
    sets = {tuple(sorted(int(position) for position in np.argsort(-ranking, kind="stable")[:tolerate])) for ranking in rankings}
    return np.array(sorted(sets), dtype=np.int64).reshape(len(sets), tolerate)


def _displaced(problem: _Problem, sets):
    """[P, L] movable pods displaced by each failure set, largest first, -1 padding."""
    import numpy as np

    items = problem.node_items[sets].reshape(len(sets), -1)
    if items.shape[1] == 0:
        return items
    size = (problem.need / problem.scale).sum(axis=1)
    keys = np.where(items >= 0, size[np.maximum(items, 0)], -1.0)
    order = np.argsort(-keys, axis=1, kind="stable")
    items = np.take_along_axis(items, order, axis=1)
    return items[:, : int((items >= 0).sum(axis=1).max(initial=0))]


def _screen(problem: _Problem, sets):
    """Best-fit decreasing for every set at once: (state, leftover pods per set, load) where load is the tightest resource's need/room."""
    import numpy as np

    count = len(sets)
    state = np.full(count, UNKNOWN, dtype=np.int8)
    load = np.zeros(count)
    leftovers: dict[int, list[int]] = {}
    cells = max(1, len(problem.nodes) * len(problem.resources))
    chunk = max(1, CHUNK_CELLS // cells)
    for start in range(0, count, chunk):
        window = sets[start : start + chunk]
        chunk_state, chunk_load, chunk_left = _best_fit(problem, window)
        state[start : start + len(window)] = chunk_state
        load[start : start + len(window)] = chunk_load
        leftovers.update({start + row: left for row, left in chunk_left.items()})
    return state, leftovers, load


def _best_fit(problem: _Problem, sets):
    import numpy as np

    count = len(sets)
    rows = np.arange(count)
    items = _displaced(problem, sets)
    alive = np.broadcast_to(problem.target, (count, len(problem.nodes))).copy()
    alive[rows[:, None], sets] = False
    free = np.broadcast_to(problem.free, (count, *problem.free.shape)).copy()
    room = np.where(alive[:, :, None], np.clip(free, 0, None), 0).sum(axis=1)  # [P, D]
    valid = items >= 0
    demand = np.where(valid[:, :, None], problem.need[np.maximum(items, 0)], 0).sum(axis=1) if items.size else np.zeros_like(room)
    with np.errstate(divide="ignore", invalid="ignore"):
        load = np.where(demand > 0, np.where(room > 0, demand / np.maximum(room, 1), np.inf), 0.0).max(axis=1, initial=0.0)
    tightness = (np.clip(free, 0, None) / problem.scale).sum(axis=2).astype(np.float32)
    stranded = np.zeros(items.shape, dtype=bool)
    for step in range(items.shape[1]):
        item = items[:, step]
        active = item >= 0
        if not active.any():
            break
        safe = np.maximum(item, 0)
        need = problem.need[safe]  # [P, D]
        fits = alive & problem.eligible[problem.pod_class[safe]] & (free >= need[:, None, :]).all(axis=2)
        target = np.where(fits, tightness, np.float32(np.inf)).argmin(axis=1)
        placed = fits[rows, target] & active
        placed_rows, placed_nodes = rows[placed], target[placed]
        free[placed_rows, placed_nodes] -= need[placed]
        tightness[placed_rows, placed_nodes] -= (need[placed] / problem.scale).sum(axis=1).astype(np.float32)
        stranded[:, step] = active & ~placed
    state = np.where(stranded.any(axis=1), UNKNOWN, FEASIBLE).astype(np.int8)
    left = {int(row): items[row, stranded[row]].tolist() for row in np.flatnonzero(stranded.any(axis=1))}
    return state, load, left


def _prove(problem: _Problem, sets, state, leftovers: dict[int, list[int]], deadline: float, milp: bool) -> dict[int, str]:
    """Settle the sets best-fit could not: a pod that fits nowhere or a capacity bound (infeasible), else MILP.

    Returns the proof of each set settled here, by row; the rest passed by best-fit placement.
    """
    import numpy as np

    proofs: dict[int, str] = {}
    open_rows = np.flatnonzero(state == UNKNOWN).tolist()
    for row in open_rows:
        verdict, proof = _bounds(problem, sets[row])
        if verdict is not None:
            state[row] = verdict
            proofs[row] = proof
    if milp:
        for row in [row for row in open_rows if state[row] == UNKNOWN]:
            if time.monotonic() >= deadline:
                break
            verdict = _milp(problem, sets[row], deadline)
            if verdict is not None:
                state[row] = FEASIBLE if verdict else INFEASIBLE
                proofs[row] = "milp"
                if verdict:
                    leftovers.pop(row, None)
    return proofs


def _set_arrays(problem: _Problem, failed):
    import numpy as np

    items = _displaced(problem, np.asarray(failed, dtype=np.int64).reshape(1, -1))[0]
    items = items[items >= 0]
    alive = problem.target.copy()
    alive[list(failed)] = False
    free = np.where(alive[:, None], problem.free, 0)  # may be negative where a node's own pods request more than it has
    return items, alive, free


def _bounds(problem: _Problem, failed) -> tuple[int | None, str]:
    """Infeasibility proofs for one set: a pod that fits no surviving node it may use, or, for the nodes some
    class of pods may use, the pods confined to them needing more than those nodes have left."""
    import numpy as np

    items, alive, free = _set_arrays(problem, failed)
    need = problem.need[items]
    reach = problem.eligible[problem.pod_class[items]] & alive  # [M, N]
    fits = reach & (free[None, :, :] >= need[:, None, :]).all(axis=2)
    if not fits.any(axis=1).all():
        return INFEASIBLE, Message(N_("a pod that fits no surviving node it may run on"))
    cpu, memory = problem.resources.index(CPU), problem.resources.index(MEMORY)
    room = np.clip(free, 0, None)
    for mask in {tuple(row) for row in reach.tolist()} | {tuple(alive.tolist())}:
        nodes = np.array(mask, dtype=bool)
        confined = ~(reach & ~nodes).any(axis=1)  # pods that may use only these nodes
        if not confined.any():
            continue
        inside = room[nodes]
        if (need[confined].sum(axis=0) > inside.sum(axis=0)).any():
            return INFEASIBLE, Message(N_("capacity bound"))
        pair = (need[confined, cpu], need[confined, memory], inside[:, cpu], inside[:, memory])
        if _large_vms_overflow(*pair) or _large_vms_overflow(pair[1], pair[0], pair[3], pair[2]):
            return INFEASIBLE, Message(N_("large-pod bound"))
    return None, ""


def _milp(problem: _Problem, failed, deadline: float) -> bool | None:
    """Exact feasibility by MILP (HiGHS): one binary per (pod, node it fits), one row per pod and per node and resource."""
    import numpy as np

    remaining = deadline - time.monotonic()
    if remaining <= 0.05:
        return None
    items, alive, free = _set_arrays(problem, failed)
    need = problem.need[items]
    fits = problem.eligible[problem.pod_class[items]] & alive & (free[None, :, :] >= need[:, None, :]).all(axis=2)
    pod_index, node_index = np.nonzero(fits)
    if len(pod_index) > MILP_MAX_VARIABLES:
        return None
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    variables = len(pod_index)
    columns = np.arange(variables)
    nodes, resources = free.shape
    free = np.clip(free, 0, None)  # a node over its allocatable has no variables (nothing fits it); its rows must not be infeasible
    constraints = [LinearConstraint(coo_matrix((np.ones(variables), (pod_index, columns)), shape=(len(items), variables)), 1, 1)]
    for column in range(resources):
        weights = need[pod_index, column].astype(np.float64)
        constraints.append(LinearConstraint(coo_matrix((weights, (node_index, columns)), shape=(nodes, variables)), -np.inf, free[:, column].astype(np.float64)))
    result = milp(np.zeros(variables), integrality=np.ones(variables), bounds=Bounds(0, 1), constraints=constraints, options={"time_limit": remaining, "disp": False})
    if result.status == 0:
        chosen = np.round(result.x).astype(bool)
        if not (np.bincount(pod_index[chosen], minlength=len(items)) == 1).all():
            return None
        load = np.zeros_like(free)
        np.add.at(load, node_index[chosen], need[pod_index[chosen]])
        return True if (load <= free).all() else None  # checked in whole units, past the solver's tolerances
    return False if result.status == 2 else None


def _report(
    inventory: KubeInventory, problem: _Problem, lines, sets, state, leftovers, load, proofs, tolerate: int, total_sets: int, exhaustive: bool,
    delays: dict[str, int], warnings: list[DataWarning],
) -> KubeReport:
    import numpy as np

    failing = np.flatnonzero(state == INFEASIBLE)
    undecided = np.flatnonzero(state == UNKNOWN)
    open_rows = failing if len(failing) else undecided
    if len(open_rows):
        worst = int(max(open_rows, key=lambda row: (len(leftovers.get(int(row), ())), load[row])))
    else:
        worst = int(np.argmax(load)) if len(load) else 0
    results = tuple(_failure_set(problem, sets[row], leftovers.get(int(row), []), proofs[int(row)]) for row in failing)
    if len(failing):
        method = {proofs[int(row)] for row in failing}
    else:
        method = {proofs.get(int(row), BEST_FIT) for row in range(len(sets)) if state[row] == FEASIBLE}
    passed = not len(failing) and not len(undecided)
    exact = bool(len(failing)) or (exhaustive and not len(undecided))
    finite = [int(seconds) for seconds in delays if seconds != "never"]
    return KubeReport(
        passed=passed,
        exact=exact,
        tolerate=tolerate,
        verdict=_verdict(passed, exact, len(failing), len(undecided), tolerate),
        nodes=tuple(lines),
        failure_sets=total_sets,
        checked_sets=len(sets),
        failing_sets=len(failing),
        undecided_sets=len(undecided),
        worst_failure_set=tuple(problem.nodes[position].name for position in sets[worst]) if len(sets) else (),
        failing=results,
        method=joined(sorted(method)),
        movable_pods=len(problem.pods),
        eviction_delays=dict(sorted(delays.items(), key=lambda item: (item[0] == "never", int(item[0]) if item[0] != "never" else 0))),
        restart_delay_s=max(finite) if finite else None,
        pdbs=tuple(pdb_statuses(inventory.pdbs, inventory.pods, inventory.replicas)),
        overcommit=_overcommit(problem, tolerate),
        warnings=tuple(warnings),
    )


def _failure_set(problem: _Problem, failed, left: list[int], proof: str) -> FailureSetResult:
    items = _set_arrays(problem, failed)[0]
    pods = sorted((problem.pods[item] for item in left), key=lambda pod: (pod.namespace, _natural_order(pod.name)))
    unplaced = tuple(
        UnplacedPod(pod.name, pod.namespace, f"{pod.owner.kind}/{pod.owner.name}" if pod.owner else "-", pod.node or "-", dict(pod.requests))
        for pod in pods
    )
    return FailureSetResult(tuple(problem.nodes[position].name for position in failed), len(items), unplaced, proof)


BEST_FIT = Message(N_("best-fit placement"))


def _verdict(passed: bool, exact: bool, failing: int, undecided: int, tolerate: int) -> Message:
    if passed and exact:
        return plural(tolerate, N_("every evicted pod is rescheduled after any {count} node failure"), N_("every evicted pod is rescheduled after any {count} node failures"))
    if passed:
        return plural(tolerate, N_("every evicted pod is rescheduled after any {count} node failure (not every set checked)"),
                      N_("every evicted pod is rescheduled after any {count} node failures (not every set checked)"))
    if failing:
        nodes = plural(tolerate, N_("{count} node"), N_("{count} nodes"))
        return plural(failing, N_("{count:,} failure set of {nodes} leaves pods unscheduled"), N_("{count:,} failure sets of {nodes} leave pods unscheduled"), nodes=nodes)
    return plural(undecided, N_("{count:,} failure set could not be decided in time"), N_("{count:,} failure sets could not be decided in time"))


def _overcommit(problem: _Problem, tolerate: int) -> tuple[OvercommitLine, ...]:
    """The mixin's ratio alert over the Ready nodes, with (n - F)/n for F failures (the alert itself uses F = 1)."""
    count = len(problem.nodes)
    if not count:
        return ()
    lines = []
    for name in (CPU, MEMORY):
        total = sum(node.allocatable.get(name, 0) for node in problem.nodes)
        requested = total - int(problem.free[:, problem.resources.index(name)].sum())
        ratio = Fraction(requested, total) if total else Fraction(0)
        threshold = Fraction(max(count - tolerate, 0), count)
        lines.append(OvercommitLine(name, requested, total, ratio, threshold, ratio > threshold))
    return tuple(lines)
