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
from hacalc.i18n import N_, Message, _, pgettext
from hacalc.readers.files import STDIN, Document, FieldPath, in_file, quoted, read_document
from hacalc.readers.platform_exports import counted

LIST_KINDS = {"NodeList": "Node", "PodList": "Pod", "PodDisruptionBudgetList": "PodDisruptionBudget", "List": None}
READ_KINDS = ("Node", "Pod", "PodDisruptionBudget", "ReplicaSet", "StatefulSet", "ReplicationController")
REQUIRED_ALLOCATABLE = ("cpu", "memory", "pods")
EXAMPLES = 5
EXPORT_MAX_BYTES = 1024 * 1024 * 1024  # kubectl get pods -A -o json of a 20,000-pod cluster is some 200 MB
HOW_TO_EXPORT = N_("give the output of kubectl get nodes -o json, kubectl get pods -A -o json or kubectl get pdb -A -o json")
UNEDITED = N_("check the file is unedited kubectl output")
NODES = (N_("{count:,} node"), N_("{count:,} nodes"))
# What get() expected, in the words of JSON.
VALUE_KINDS = {dict: N_("an object"), list: N_("a list"), str: N_("a string"), bool: N_("true or false"), int: N_("an integer")}


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
            raise InputError(_("not kubectl JSON: the file is not an object"), document.where(), _(HOW_TO_EXPORT))
        kind = data.get("kind")
        if kind in LIST_KINDS:
            items = data.get("items")
            if items is None:
                return  # an empty list: kubectl writes "items": [] but the API may leave it out
            if not isinstance(items, list):
                raise InputError(_("items is not a list"), document.where(("items",)), _(HOW_TO_EXPORT))
            for position, item in enumerate(items):
                self._item(document, ("items", position), item, LIST_KINDS[kind])
        elif isinstance(kind, str) and kind:
            self._item(document, (), data, None)
        else:
            what = _("not kubectl JSON: kind is {kind}").format(kind=quoted(kind)) if kind is not None else _("not kubectl JSON: kind is missing")
            raise InputError(what, document.where(("kind",) if kind is not None else ()), _(HOW_TO_EXPORT))

    def _item(self, document: Document, path: FieldPath, item: Any, implied: str | None) -> None:
        item = _mapping(document, path, item)
        kind = item.get("kind", implied)
        if implied is not None and kind != implied:
            raise InputError(_("a {kind} item in a {list}").format(kind=quoted(kind), list=f"{implied}List"), document.where((*path, "kind")), _("give each list its own kind of items"))
        if kind is None:
            raise InputError(_("an item without a kind"), document.where(path), _("export with kubectl get … -o json, which names each item's kind"))
        if kind not in READ_KINDS:
            self.skipped[str(kind)] = self.skipped.get(str(kind), 0) + 1
            return
        item_reader = _Item(document, path, item)
        key = f"{kind} {item_reader.namespace() + '/' if kind != 'Node' else ''}{item_reader.name()}"
        if key in self.seen:
            first, first_path = self.seen[key]
            raise InputError(_("{key} is given twice (first {where})").format(key=key, where=first.where(first_path)), document.where(path), _("give each object once"))
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
            raise InputError(_("no nodes in the input"), in_file(", ".join(visible(source) for source in sources) or _("no files")), _("add the output of kubectl get nodes -o json"))
        return KubeInventory(tuple(self.nodes.values()), tuple(self.pods.values()), tuple(self.pdbs.values()), dict(self.replicas), self._warnings(), sources)

    def _warnings(self) -> tuple[DataWarning, ...]:
        warnings = []
        not_ready = [node.name for node in self.nodes.values() if not node.ready]
        cordoned = [node.name for node in self.nodes.values() if node.ready and node.unschedulable]
        if not_ready:
            warnings.append(_counted("nodes-not-ready", N_("{n} not Ready: not counted (they neither fail nor take pods)"), not_ready))
        if cordoned:
            warnings.append(_counted("nodes-cordoned", N_("{n} cordoned (spec.unschedulable): they can fail but take no evicted pods"), cordoned))
        if self.skipped:
            kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.skipped.items()))
            skipped = Message(N_("items of kinds hacalc does not read were skipped: {kinds}"), kinds=kinds)
            warnings.append(DataWarning("items-skipped", skipped, sum(self.skipped.values()), tuple(sorted(self.skipped))[:EXAMPLES]))
        if not self.pods:
            warnings.append(DataWarning("no-pods", Message(N_("no pods in the input: add the output of kubectl get pods -A -o json"))))
        return tuple(warnings)


def _counted(kind: str, template: str, names: list[str]) -> DataWarning:
    """``template``: ``N_``-marked, with an ``{n}`` that says how many nodes."""
    return DataWarning(kind, counted(template, len(names), *NODES), len(names), tuple(visible(name) for name in names[:EXAMPLES]))


def _mapping(document: Document, path: FieldPath, value: Any) -> dict:
    if not isinstance(value, dict):
        raise InputError(_("expected {kind}, found {value}").format(kind=_("an object"), value=quoted(value)), document.where(path), _(UNEDITED))
    return value


class _Item:
    """One API object, with its location for every error."""

    def __init__(self, document: Document, path: FieldPath, data: dict) -> None:
        self.document = document
        self.path = path
        self.data = data

    def error(self, relative: FieldPath, what: str, fix: str | None = None) -> InputError:
        """``what`` and ``fix`` as said in the language of the run; no ``fix``: check the file is unedited."""
        return InputError(what, self.document.where((*self.path, *relative)), _(UNEDITED) if fix is None else fix)

    def get(self, relative: FieldPath, expected: type | tuple[type, ...], default: Any = None) -> Any:
        """The value at ``relative``, of the ``expected`` type; ``default`` when it or a parent is missing (or null)."""
        value: Any = self.data
        for depth, key in enumerate(relative):
            if not isinstance(value, dict if isinstance(key, str) else list):
                raise self.error(relative[:depth], _expected(dict if isinstance(key, str) else list, value))
            if isinstance(key, str):
                value = value.get(key)
            else:
                value = value[key] if key < len(value) else None
            if value is None:
                return default
        kinds = expected if isinstance(expected, tuple) else (expected,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise self.error(relative, _expected(kinds, value))
        return value

    def child(self, relative: FieldPath) -> _Item:
        """The object at ``relative`` as an item of its own: its fields are then looked up from there."""
        return _Item(self.document, (*self.path, *relative), self.get(relative, dict, {}))

    def name(self) -> str:
        name = self.get(("metadata", "name"), str)
        if not name:
            raise self.error(("metadata",), _("an object without metadata.name"))
        return name

    def namespace(self) -> str:
        return self.get(("metadata", "namespace"), str, "default")

    def strings(self, relative: FieldPath) -> dict[str, str]:
        values = self.get(relative, dict, {})
        for key, value in values.items():
            if not isinstance(value, str):
                raise self.error((*relative, key), _expected(str, value))
        return dict(values)

    def quantities(self, relative: FieldPath) -> dict[str, Fraction]:
        amounts = {}
        for resource, text in self.get(relative, dict, {}).items():
            where = (*relative, resource)
            if isinstance(text, (int, float)) and not isinstance(text, bool):
                text = str(text)  # the API reads a JSON number as its text (Quantity.UnmarshalJSON)
            if not isinstance(text, str):
                raise self.error(where, _("expected {kind}, found {value}").format(kind=_("a quantity"), value=quoted(text)), QUANTITY_HINT)
            try:
                amount = parse_quantity(text)
            except InputError as error:
                raise self.error(where, _("bad quantity {text}: {reason}").format(text=quoted(text), reason=error.what), error.fix or QUANTITY_HINT) from None
            if amount < 0:
                raise self.error(where, _("negative quantity {text}").format(text=quoted(text)), _("resources are at least 0"))
            amounts[resource] = amount
        return amounts

    # Nodes ------------------------------------------------------------------------------------------

    def node(self) -> KubeNode:
        allocatable = self.quantities(("status", "allocatable"))
        for resource in REQUIRED_ALLOCATABLE:
            if resource not in allocatable:
                raise self.error(
                    ("status", "allocatable"),
                    _("node {name} has no allocatable {resource}").format(name=self.name(), resource=resource),
                    _("export nodes with kubectl get nodes -o json"),
                )
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
            raise item.error(("operator",), _("unknown toleration operator {operator}").format(operator=quoted(operator)), _("use Equal or Exists"))
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
                raise self.error((*path, position, "operator"), _("unknown operator {operator}").format(operator=quoted(operator)), _("use {choices}").format(choices=", ".join(operators)))
            values = self.get((*path, position, "values"), list, [])
            for index, value in enumerate(values):
                if not isinstance(value, str):
                    raise self.error((*path, position, "values", index), _expected(str, value))
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
            raise self.error(("metadata",), _("a controller without metadata.uid, so its pods cannot be matched to it"), _("export with kubectl get rs,sts -A -o json"))
        replicas = self.get(("spec", "replicas"), int, 1)
        if replicas < 0:
            raise self.error(("spec", "replicas"), _("negative replicas {replicas}").format(replicas=replicas), _("replicas are at least 0"))
        return uid, replicas



def _expected(kinds: type | tuple[type, ...], value: Any) -> str:
    """``expected an object, found 'x'``; ``expected an integer or a string, found …`` for several kinds."""
    names = [_(VALUE_KINDS[kind]) if kind in VALUE_KINDS else kind.__name__ for kind in (kinds if isinstance(kinds, tuple) else (kinds,))]
    wanted = names[0]
    for name in names[1:]:
        wanted = pgettext("kinds", "{first} or {second}").format(first=wanted, second=name)
    return _("expected {kind}, found {value}").format(kind=wanted, value=quoted(value))
