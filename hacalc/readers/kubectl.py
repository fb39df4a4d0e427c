"""``kubectl get nodes,pods,pdb -o json`` output into a ``KubeInventory``.

Files are recognised by ``kind``, never by name or order: ``kubectl get … -o json`` writes a ``List`` whose
items carry their own kind (Node, Pod, PodDisruptionBudget), the API itself writes ``NodeList``, ``PodList``
and ``PodDisruptionBudgetList`` whose items do not, and a single object (``kubectl get node n1 -o json``) is
read as a list of one. Several files, or one ``List`` holding everything, read the same. ReplicaSets,
StatefulSets and ReplicationControllers (``kubectl get rs,sts -A -o json``) are optional: their
``spec.replicas`` is the scale PodDisruptionBudget percentages are taken of. Items of other kinds are skipped
and counted. YAML (``-o yaml``) reads the same way.

Every value is read from where the API puts it, and a value that is there but wrong (a bad quantity, a
label that is not a string) stops the read with its file, line and JSON path: a malformed inventory is never
half used. What is missing but optional (labels, taints, requests) is what the API would default.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, TextIO

from hacalc.core.errors import InputError
from hacalc.core.platforms.kubernetes import (
    CPU,
    KubeInventory,
    KubeNode,
    KubePod,
    LabelSelector,
    NodeSelectorTerm,
    Owner,
    PodDisruptionBudget,
    Requirement,
    Taint,
    Toleration,
    pod_requests,
    scaled_value,
)
from hacalc.core.quantities import QUANTITY_HINT, milli_value, parse_quantity, whole_value
from hacalc.core.text import visible
from hacalc.core.warnings import DataWarning
from hacalc.readers.files import STDIN, Document, FieldPath, quoted, read_document

LIST_KINDS = {"NodeList": "Node", "PodList": "Pod", "PodDisruptionBudgetList": "PodDisruptionBudget", "List": None}
READ_KINDS = ("Node", "Pod", "PodDisruptionBudget", "ReplicaSet", "StatefulSet", "ReplicationController")
REQUIRED_ALLOCATABLE = ("cpu", "memory", "pods")
EXAMPLES = 5
EXPORT_MAX_BYTES = 1024 * 1024 * 1024  # kubectl get pods -A -o json of a 20,000-pod cluster is some 200 MB
HOW_TO_EXPORT = "give the output of kubectl get nodes -o json, kubectl get pods -A -o json or kubectl get pdb -A -o json"


def load_kubernetes(sources: Sequence[str], *, stdin: TextIO | None = None) -> KubeInventory:
    """Nodes, pods, PDBs and controllers' replicas from ``sources`` (paths, or ``-`` once for stdin), in any order."""
    reader = _Reader()
    for source in sources:
        reader.read(_document(source, stdin))
    return reader.inventory(tuple(sources))


def _document(source: str, stdin: TextIO | None) -> Document:
    if source == STDIN:
        return read_document(source, stdin=stdin, max_bytes=EXPORT_MAX_BYTES)
    return read_document(source, input_format="yaml" if source.lower().endswith((".yaml", ".yml")) else "json", max_bytes=EXPORT_MAX_BYTES)


class _Reader:
    def __init__(self) -> None:
        self.nodes: dict[str, KubeNode] = {}
        self.pods: dict[str, KubePod] = {}
        self.pdbs: dict[str, PodDisruptionBudget] = {}
        self.replicas: dict[str, int] = {}
        self.skipped: dict[str, int] = {}
        self.seen: dict[str, tuple[Document, FieldPath]] = {}  # object key -> where it was read, located only for a duplicate

    def read(self, document: Document) -> None:
        data = document.data
        if not isinstance(data, dict):
            raise InputError("not kubectl JSON: the file is not an object", document.where(), HOW_TO_EXPORT)
        kind = data.get("kind")
        if kind in LIST_KINDS:
            items = data.get("items")
            if items is None:
                return  # an empty list: kubectl writes "items": [] but the API may leave it out
            if not isinstance(items, list):
                raise InputError("items is not a list", document.where(("items",)), HOW_TO_EXPORT)
            for position, item in enumerate(items):
                self._item(document, ("items", position), item, LIST_KINDS[kind])
        elif isinstance(kind, str) and kind:
            self._item(document, (), data, None)
        else:
            raise InputError(
                f"not kubectl JSON: kind is {quoted(kind) if kind is not None else 'missing'}", document.where(("kind",) if kind is not None else ()), HOW_TO_EXPORT
            )

    def _item(self, document: Document, path: FieldPath, item: Any, implied: str | None) -> None:
        item = _mapping(document, path, item)
        kind = item.get("kind", implied)
        if implied is not None and kind != implied:
            raise InputError(f"a {quoted(kind)} item in a {implied}List", document.where((*path, "kind")), "give each list its own kind of items")
        if kind is None:
            raise InputError("an item without a kind", document.where(path), "export with kubectl get … -o json, which names each item's kind")
        if kind not in READ_KINDS:
            self.skipped[str(kind)] = self.skipped.get(str(kind), 0) + 1
            return
        item_reader = _Item(document, path, item)
        key = f"{kind} {item_reader.namespace() + '/' if kind != 'Node' else ''}{item_reader.name()}"
        if key in self.seen:
            first, first_path = self.seen[key]
            raise InputError(f"{key} is given twice (first {first.where(first_path)})", document.where(path), "give each object once")
        self.seen[key] = (document, path)
        if kind == "Node":
            node = item_reader.node()
            self.nodes[node.name] = node
        elif kind == "Pod":
            pod = item_reader.pod()
            self.pods[pod.key] = pod
        elif kind == "PodDisruptionBudget":
            pdb = item_reader.pdb()
            self.pdbs[f"{pdb.namespace}/{pdb.name}"] = pdb
        else:
            uid, replicas = item_reader.scale()
            self.replicas[uid] = replicas

    def inventory(self, sources: tuple[str, ...]) -> KubeInventory:
        if not self.nodes:
            raise InputError("no nodes in the input", f"in {', '.join(visible(source) for source in sources) or 'no files'}", "add the output of kubectl get nodes -o json")
        return KubeInventory(tuple(self.nodes.values()), tuple(self.pods.values()), tuple(self.pdbs.values()), dict(self.replicas), self._warnings(), sources)

    def _warnings(self) -> tuple[DataWarning, ...]:
        warnings = []
        not_ready = [node.name for node in self.nodes.values() if not node.ready]
        cordoned = [node.name for node in self.nodes.values() if node.ready and node.unschedulable]
        if not_ready:
            warnings.append(_counted("nodes-not-ready", f"{_plural(len(not_ready), 'node')} not Ready: not counted (they neither fail nor take pods)", not_ready))
        if cordoned:
            warnings.append(_counted("nodes-cordoned", f"{_plural(len(cordoned), 'node')} cordoned (spec.unschedulable): they can fail but take no evicted pods", cordoned))
        if self.skipped:
            kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.skipped.items()))
            warnings.append(DataWarning("items-skipped", f"items of kinds hacalc does not read were skipped: {kinds}", sum(self.skipped.values()), tuple(sorted(self.skipped))[:EXAMPLES]))
        if not self.pods:
            warnings.append(DataWarning("no-pods", "no pods in the input: add the output of kubectl get pods -A -o json"))
        return tuple(warnings)


def _counted(kind: str, message: str, names: list[str]) -> DataWarning:
    return DataWarning(kind, message, len(names), tuple(visible(name) for name in names[:EXAMPLES]))


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _mapping(document: Document, path: FieldPath, value: Any) -> dict:
    if not isinstance(value, dict):
        raise InputError(f"expected an object, found {quoted(value)}", document.where(path), "check the file is unedited kubectl output")
    return value


class _Item:
    """One API object, with its location for every error."""

    def __init__(self, document: Document, path: FieldPath, data: dict) -> None:
        self.document = document
        self.path = path
        self.data = data

    def error(self, relative: FieldPath, what: str, fix: str = "check the file is unedited kubectl output") -> InputError:
        return InputError(what, self.document.where((*self.path, *relative)), fix)

    def get(self, relative: FieldPath, expected: type | tuple[type, ...], default: Any = None) -> Any:
        """The value at ``relative``, of the ``expected`` type; ``default`` when it or a parent is missing (or null)."""
        value: Any = self.data
        for depth, key in enumerate(relative):
            if not isinstance(value, dict if isinstance(key, str) else list):
                raise self.error(relative[:depth], f"expected {'an object' if isinstance(key, str) else 'a list'}, found {quoted(value)}")
            if isinstance(key, str):
                value = value.get(key)
            else:
                value = value[key] if key < len(value) else None
            if value is None:
                return default
        kinds = expected if isinstance(expected, tuple) else (expected,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = {dict: "an object", list: "a list", str: "a string", bool: "true or false", int: "an integer"}
            wanted = " or ".join(names.get(kind, kind.__name__) for kind in kinds)
            raise self.error(relative, f"expected {wanted}, found {quoted(value)}")
        return value

    def child(self, relative: FieldPath) -> _Item:
        """The object at ``relative`` as an item of its own: its fields are then looked up from there."""
        return _Item(self.document, (*self.path, *relative), self.get(relative, dict, {}))

    def name(self) -> str:
        name = self.get(("metadata", "name"), str)
        if not name:
            raise self.error(("metadata",), "an object without metadata.name")
        return name

    def namespace(self) -> str:
        return self.get(("metadata", "namespace"), str, "default")

    def strings(self, relative: FieldPath) -> dict[str, str]:
        values = self.get(relative, dict, {})
        for key, value in values.items():
            if not isinstance(value, str):
                raise self.error((*relative, key), f"expected a string, found {quoted(value)}")
        return dict(values)

    def quantities(self, relative: FieldPath) -> dict[str, Fraction]:
        amounts = {}
        for resource, text in self.get(relative, dict, {}).items():
            where = (*relative, resource)
            if isinstance(text, (int, float)) and not isinstance(text, bool):
                text = str(text)  # the API reads a JSON number as its text (Quantity.UnmarshalJSON)
            if not isinstance(text, str):
                raise self.error(where, f"expected a quantity, found {quoted(text)}", QUANTITY_HINT)
            try:
                amount = parse_quantity(text)
            except InputError as error:
                raise self.error(where, f"bad quantity {quoted(text)}: {error.what}", error.fix or QUANTITY_HINT) from None
            if amount < 0:
                raise self.error(where, f"negative quantity {quoted(text)}", "resources are at least 0")
            amounts[resource] = amount
        return amounts

    # Nodes ------------------------------------------------------------------------------------------

    def node(self) -> KubeNode:
        allocatable = self.quantities(("status", "allocatable"))
        for resource in REQUIRED_ALLOCATABLE:
            if resource not in allocatable:
                raise self.error(("status", "allocatable"), f"node {self.name()} has no allocatable {resource}", "export nodes with kubectl get nodes -o json")
        taints = tuple(self.taint(position) for position in range(len(self.get(("spec", "taints"), list, []))))
        return KubeNode(
            name=self.name(),
            allocatable={name: milli_value(amount) if name == CPU else whole_value(amount) for name, amount in allocatable.items()},
            labels=self.strings(("metadata", "labels")),
            taints=taints,
            ready=self.condition("Ready") == "True",
            unschedulable=self.get(("spec", "unschedulable"), bool, False),
        )

    def taint(self, position: int) -> Taint:
        path = ("spec", "taints", position)
        return Taint(self.get((*path, "key"), str, ""), self.get((*path, "value"), str, ""), self.get((*path, "effect"), str, ""))

    def condition(self, kind: str) -> str | None:
        conditions = self.get(("status", "conditions"), list, [])
        for position in range(len(conditions)):
            if self.get(("status", "conditions", position, "type"), str) == kind:
                return self.get(("status", "conditions", position, "status"), str)
        return None

    # Pods -------------------------------------------------------------------------------------------

    def pod(self) -> KubePod:
        containers = [self.container_requests(("spec", "containers", position)) for position in range(len(self.get(("spec", "containers"), list, [])))]
        init_containers = [
            (self.container_requests(("spec", "initContainers", position)), self.get(("spec", "initContainers", position, "restartPolicy"), str) == "Always")
            for position in range(len(self.get(("spec", "initContainers"), list, [])))
        ]
        requests = pod_requests(containers, init_containers, self.quantities(("spec", "overhead")), self.quantities(("spec", "resources", "requests")))
        return KubePod(
            name=self.name(),
            namespace=self.namespace(),
            node=self.get(("spec", "nodeName"), str) or None,
            phase=self.get(("status", "phase"), str, "Pending"),
            requests=requests,
            owner=self.controller(),
            labels=self.strings(("metadata", "labels")),
            node_selector=self.strings(("spec", "nodeSelector")),
            tolerations=tuple(self.toleration(position) for position in range(len(self.get(("spec", "tolerations"), list, [])))),
            node_affinity=self.node_affinity(),
            ready=self.condition("Ready") == "True",
            terminating=self.get(("metadata", "deletionTimestamp"), str) is not None,
            ignored=self.ignored_constraints(),
        )

    def container_requests(self, path: FieldPath) -> dict[str, Fraction]:
        """Requests, defaulted from limits where a request is left out (the API server's defaulting)."""
        requests = self.quantities((*path, "resources", "requests"))
        for resource, amount in self.quantities((*path, "resources", "limits")).items():
            requests.setdefault(resource, amount)
        return requests

    def controller(self) -> Owner | None:
        owners = self.get(("metadata", "ownerReferences"), list, [])
        for position in range(len(owners)):
            path = ("metadata", "ownerReferences", position)
            if self.get((*path, "controller"), bool, False):
                return Owner(self.get((*path, "kind"), str, ""), self.get((*path, "name"), str, ""), self.get((*path, "uid"), str, ""))
        return None

    def toleration(self, position: int) -> Toleration:
        item = self.child(("spec", "tolerations", position))
        operator = item.get(("operator",), str, "Equal")
        if operator not in ("Equal", "Exists"):
            raise item.error(("operator",), f"unknown toleration operator {quoted(operator)}", "use Equal or Exists")
        return Toleration(
            key=item.get(("key",), str, ""),
            operator=operator,
            value=item.get(("value",), str, ""),
            effect=item.get(("effect",), str, ""),
            seconds=item.get(("tolerationSeconds",), int),
        )

    def node_affinity(self) -> tuple[NodeSelectorTerm, ...] | None:
        path = ("spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
        terms = self.get(path, list)
        if terms is None:
            return None
        return tuple(
            NodeSelectorTerm(self.requirements((*path, position, "matchExpressions")), self.requirements((*path, position, "matchFields")))
            for position in range(len(terms))
        )

    def requirements(self, path: FieldPath, operators: tuple[str, ...] = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")) -> tuple[Requirement, ...]:
        found = []
        for position in range(len(self.get(path, list, []))):
            operator = self.get((*path, position, "operator"), str, "")
            if operator not in operators:
                raise self.error((*path, position, "operator"), f"unknown operator {quoted(operator)}", f"use {', '.join(operators)}")
            values = self.get((*path, position, "values"), list, [])
            for index, value in enumerate(values):
                if not isinstance(value, str):
                    raise self.error((*path, position, "values", index), f"expected a string, found {quoted(value)}")
            found.append(Requirement(self.get((*path, position, "key"), str, ""), operator, tuple(values)))
        return tuple(found)

    def ignored_constraints(self) -> tuple[str, ...]:
        ignored = []
        for kind in ("podAffinity", "podAntiAffinity"):
            if self.get(("spec", "affinity", kind, "requiredDuringSchedulingIgnoredDuringExecution"), list, []):
                ignored.append("pod-affinity")
                break
        spread = self.get(("spec", "topologySpreadConstraints"), list, [])
        if any(self.get(("spec", "topologySpreadConstraints", position, "whenUnsatisfiable"), str) == "DoNotSchedule" for position in range(len(spread))):
            ignored.append("topology-spread")
        if any(self._host_ports(group) for group in ("containers", "initContainers")):
            ignored.append("host-port")
        return tuple(ignored)

    def _host_ports(self, group: str) -> bool:
        for position in range(len(self.get(("spec", group), list, []))):
            ports = self.get(("spec", group, position, "ports"), list, [])
            if any(self.get(("spec", group, position, "ports", index, "hostPort"), int, 0) for index in range(len(ports))):
                return True
        return False

    # PodDisruptionBudgets and controllers -----------------------------------------------------------

    def pdb(self) -> PodDisruptionBudget:
        selector = None
        if self.get(("spec", "selector"), dict) is not None:
            labels = self.strings(("spec", "selector", "matchLabels"))
            expressions = self.requirements(("spec", "selector", "matchExpressions"), ("In", "NotIn", "Exists", "DoesNotExist"))
            selector = LabelSelector(tuple(sorted(labels.items())), expressions)
        return PodDisruptionBudget(
            name=self.name(),
            namespace=self.namespace(),
            selector=selector,
            min_available=self.int_or_percent(("spec", "minAvailable")),
            max_unavailable=self.int_or_percent(("spec", "maxUnavailable")),
        )

    def int_or_percent(self, relative: FieldPath) -> int | str | None:
        value = self.get(relative, (int, str))
        if isinstance(value, str):
            try:
                scaled_value(value, 0)
            except InputError as error:
                raise self.error(relative, error.what, error.fix or "") from None
        return value

    def scale(self) -> tuple[str, int]:
        uid = self.get(("metadata", "uid"), str, "")
        if not uid:
            raise self.error(("metadata",), "a controller without metadata.uid, so its pods cannot be matched to it", "export with kubectl get rs,sts -A -o json")
        replicas = self.get(("spec", "replicas"), int, 1)
        if replicas < 0:
            raise self.error(("spec", "replicas"), f"negative replicas {replicas}", "replicas are at least 0")
        return uid, replicas

