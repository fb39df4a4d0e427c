"""Proxmox VE HA: no reservation; where the CRM recovers each service after node failures, and whether it fits.

Proxmox reserves nothing: "On node failure, the CRM distributes services to the remaining nodes … Please
design your cluster so that it can handle such worst case scenarios" (pve-docs ``ha-manager.adoc``).
For every set of F failed nodes this replays the CRM (proxmox/pve-ha-manager @ b71218f, ``Manager.pm``):
services recovered one by one in the order of their ids (Perl ``sort``), each to the online node with the
best score, ties to the first node name (scores within 1e-12 tie here: Proxmox sums floats in its own node
order), the node's usage updated before the next one. The scores:

- ``basic`` (``Usage/Basic.pm``): the number of guests running on the node. Since pve-ha-manager 40d79f9
  (2026-03) running non-HA guests count too, as here; before, only HA services did.
- ``static`` (``Usage/Static.pm`` and proxmox-resource-scheduling ``pve_static.rs`` @ 09c4355): TOPSIS over
  four criteria of the whole cluster as if the service ran on the candidate, each node's CPU and memory
  as a share of its own: average CPU (weight 1), highest CPU (2), average memory (5), highest memory (10),
  all minimised, each value plus 1 "to avoid boosting tiny relative differences". A guest's CPU is its
  configured ``cpu_mhz`` against the node's ``cpu_mhz`` (Proxmox counts cores: the same ratio when cores
  have one speed); 0 means no limit and counts as the whole node, as Proxmox counts a container without one.

Then the verdict hacalc adds: every survivor must hold the memory of its guests (``memory_mb`` less
``host_reserve_mb``); CPU may be overcommitted. Recovery also needs quorum: more than half of the nodes'
votes (one vote per node, no QDevice) must survive, or the survivors fence themselves and recover nothing.
HA groups and affinity rules are not modelled: every node may take every service.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import combinations

from hacalc.core.platforms.common import layout, require_configured_memory, usable_memory, vm_memory
from hacalc.core.platforms.report import APPROXIMATION, BEST_EFFORT, RuleDetail, RuleReport, tightest
from hacalc.core.vsphere.model import VM, Cluster, FieldError, Host, HostState, ProxmoxCrs
from hacalc.i18n import N_, Message, _, joined

RULE = N_("Proxmox VE CRS recovery")
MAX_FAILURE_SETS = 20_000
MAX_STATIC_SCORINGS = 1_000_000  # failure sets x services to recover x nodes: some 5 s of static scoring
TIE_DIGITS = 12  # scores this close tie and go to the first node name: Proxmox's float sums follow its own node order
ALIKE = 1e-12  # TOPSIS distances below this are rounding noise between alike rows
VOTING_STATES = frozenset({HostState.connected, HostState.maintenance})  # up and in the corosync membership

# proxmox-resource-scheduling pve_static.rs: (criterion, weight); every criterion is minimised.
STATIC_CRITERIA = (("average_cpu", 1.0), ("highest_cpu", 2.0), ("average_memory", 5.0), ("highest_memory", 10.0))


@dataclass
class NodeUsage:
    """One online node as the scheduler counts it: running guests, and their CPU and memory."""

    name: str
    max_cpu: int
    max_memory: int
    guests: int = 0
    cpu: float = 0.0
    memory: int = 0

    def add(self, vm: VM) -> None:
        self.guests += 1
        self.cpu += _guest_cpu(vm, self.max_cpu)
        self.memory += vm_memory(vm)


def crs_recovery(cluster: Cluster, failures: int | None = None) -> RuleReport:
    """Where the CRM puts each service after every set of ``failures`` node failures, and whether the survivors hold them."""
    failures = cluster.settings.tolerate if failures is None else failures
    if failures < 1:
        raise FieldError(_("tolerate {tolerate} is below 1").format(tolerate=failures), ("cluster", "tolerate"), _("give the number of node failures, 1 or more"))
    mode = cluster.settings.proxmox_crs or ProxmoxCrs.basic
    require_configured_memory(cluster, RULE)
    if mode is ProxmoxCrs.static:
        _require_configured_cpu(cluster)
    placed = layout(cluster)
    online = placed.hosts
    voters = sum(1 for host in cluster.hosts if host.state in VOTING_STATES)
    notes = [*placed.notes(), Message(N_("CRS mode {mode}; Proxmox reserves nothing: this replays its recovery choice"), mode=mode.value)]
    if failures >= len(online):
        notes.append(Message(N_("{failures} node failures leave none of the {nodes} online nodes to recover onto"), failures=failures, nodes=len(online)))
        return RuleReport("proxmox", RULE, failures, False, BEST_EFFORT, 0, notes=tuple(notes))
    count = math.comb(len(online), failures)
    displaced = failures * max((sum(vm.ha for vm in vms) for vms in placed.on.values()), default=0)
    too_many = count > MAX_FAILURE_SETS or (mode is ProxmoxCrs.static and count * displaced * len(online) > MAX_STATIC_SCORINGS)
    sets = [_heaviest(online, placed.on, failures)] if too_many else list(combinations(range(len(online)), failures))
    method = joined([Message(BEST_EFFORT), Message(APPROXIMATION)], "; ") if too_many else BEST_EFFORT
    if too_many:
        notes.append(Message(
            N_("{sets:,} failure sets of {failures} nodes are too many to replay: checked the {failures} nodes with the most HA memory"), sets=count, failures=failures
        ))
    usage = {host.name: _usage(host, placed.on[host.name]) for host in online}
    details = [_recover(online, placed.on, usage, [online[index].name for index in failed], mode, voters) for failed in sets]
    shown, more = tightest(details, "margin_mb")
    passed = all(detail.passed for detail in details) and not placed.homeless
    return RuleReport("proxmox", RULE, failures, passed, method, 0, details=shown, notes=(*more, *notes))


def recovery_targets(nodes: Sequence[NodeUsage], services: Sequence[VM], mode: ProxmoxCrs) -> dict[str, str]:
    """The CRM's choice for each service in id order, each placement counted before the next choice."""
    by_name = {node.name: node for node in nodes}
    if mode is ProxmoxCrs.basic:
        return _basic_targets(by_name, services)
    targets = {}
    for vm in sorted(services, key=lambda vm: vm.name):
        scores = static_scores(nodes, vm)
        target = min(nodes, key=lambda node: (round(scores[node.name], TIE_DIGITS), node.name)).name
        by_name[target].add(vm)
        targets[vm.name] = target
    return targets


def _basic_targets(by_name: dict[str, NodeUsage], services: Sequence[VM]) -> dict[str, str]:
    """Fewest running guests, then the first node name: a heap keyed the way Manager.pm sorts."""
    heap = [(node.guests, name) for name, node in by_name.items()]
    heapq.heapify(heap)
    targets = {}
    for vm in sorted(services, key=lambda vm: vm.name):
        _guests, target = heapq.heappop(heap)
        by_name[target].add(vm)
        heapq.heappush(heap, (by_name[target].guests, target))
        targets[vm.name] = target
    return targets


def static_scores(nodes: Sequence[NodeUsage], vm: VM) -> dict[str, float]:
    """``score_nodes_to_start_service`` negated (lower is better, as Manager.pm sorts): TOPSIS closeness per node.

    Each candidate changes one node's shares, so the cluster's sums of squares and maxima are updated for it
    rather than recomputed: O(nodes) per candidate.
    """
    cpu = [node.cpu / node.max_cpu for node in nodes]
    memory = [node.memory / node.max_memory for node in nodes]
    cpu_squares, memory_squares = sum(value * value for value in cpu), sum(value * value for value in memory)
    cpu_top, memory_top = _top_two(cpu), _top_two(memory)
    rows = []
    for index, node in enumerate(nodes):
        new_cpu = (node.cpu + _guest_cpu(vm, node.max_cpu)) / node.max_cpu
        new_memory = (node.memory + vm_memory(vm)) / node.max_memory
        rows.append(
            [
                1.0 + math.sqrt(max(cpu_squares - cpu[index] ** 2 + new_cpu**2, 0.0) / len(nodes)),
                1.0 + max(new_cpu, _max_without(cpu_top, index)),
                1.0 + math.sqrt(max(memory_squares - memory[index] ** 2 + new_memory**2, 0.0) / len(nodes)),
                1.0 + max(new_memory, _max_without(memory_top, index)),
            ]
        )
    return {node.name: -score for node, score in zip(nodes, topsis(rows, [weight for _, weight in STATIC_CRITERIA]))}


def _top_two(values: Sequence[float]) -> tuple[tuple[float, int], tuple[float, int]]:
    ranked = sorted(((value, index) for index, value in enumerate(values)), reverse=True)
    return ranked[0], (ranked[1] if len(ranked) > 1 else (0.0, -1))


def _max_without(top: tuple[tuple[float, int], tuple[float, int]], index: int) -> float:
    """The largest share among the other nodes (shares are never negative, so 0 for a lone node)."""
    return top[1][0] if top[0][1] == index else top[0][0]


def topsis(rows: Sequence[Sequence[float]], weights: Sequence[float]) -> list[float]:
    """TOPSIS closeness to the ideal (proxmox-resource-scheduling ``topsis.rs``), every criterion minimised.

    Each column is divided by its L2 norm, the weights by their sum; a row's score is its weighted distance
    to the worst row over the sum of its distances to the worst and the best (0 when all rows are alike, to
    within ALIKE: the columns are normalised to about 1, so a smaller distance is rounding noise).
    """
    columns = list(zip(*rows))
    norms = [math.sqrt(sum(value * value for value in column)) for column in columns]
    normalised = [[value / norm if norm else value for value, norm in zip(row, norms)] for row in rows]
    total = sum(weights)
    share = [weight / total for weight in weights]
    best = [min(column) for column in zip(*normalised)]
    worst = [max(column) for column in zip(*normalised)]
    scores = []
    for row in normalised:
        to_best = math.sqrt(sum((weight * (value - ideal)) ** 2 for value, ideal, weight in zip(row, best, share)))
        to_worst = math.sqrt(sum((weight * (value - ideal)) ** 2 for value, ideal, weight in zip(row, worst, share)))
        # rows alike up to rounding (identical nodes) tie at 0, not at whatever 0/1 the rounding noise gives
        scores.append(to_worst / (to_best + to_worst) if to_best + to_worst > ALIKE else 0.0)
    return scores


def _usage(host: Host, vms: Sequence[VM]) -> NodeUsage:
    node = NodeUsage(host.name, host.cpu_mhz, host.memory_mb)
    for vm in vms:
        node.add(vm)
    return node


def _recover(
    online: Sequence[Host], on: dict[str, list[VM]], usage: dict[str, NodeUsage], failed: Sequence[str], mode: ProxmoxCrs, voters: int
) -> RuleDetail:
    survivors = [host for host in online if host.name not in failed]
    down = [vm for name in failed for vm in on[name]]
    services = [vm for vm in down if vm.ha]
    lost = [vm.name for vm in down if not vm.ha]
    figures: dict = {"quorate": 2 * (voters - len(failed)) > voters, "recovered": {}, "overcommitted_mb": {}, "not_recovered": lost, "margin_mb": 0}
    if not figures["quorate"] or not survivors:
        figures["not_recovered"] = [*lost, *(vm.name for vm in services)]
        figures["margin_mb"] = -sum(vm_memory(vm) for vm in services)
        return RuleDetail(tuple(failed), not services, figures)
    nodes = [replace(usage[host.name]) for host in survivors]
    figures["recovered"] = recovery_targets(nodes, services, mode)
    left = {node.name: usable_memory(host) - node.memory for node, host in zip(nodes, survivors)}
    figures["overcommitted_mb"] = {name: -room for name, room in left.items() if room < 0}
    figures["margin_mb"] = min(left.values())
    return RuleDetail(tuple(failed), not figures["overcommitted_mb"], figures)


def _guest_cpu(vm: VM, node_cpu: int) -> float:
    """A guest's CPU on a node; no limit (0) counts as the whole node (pve_static.rs ``add_cpu_usage``)."""
    return float(vm.cpu_mhz or node_cpu)


def _heaviest(online: Sequence[Host], on: dict[str, list[VM]], failures: int) -> tuple[int, ...]:
    weights = [sum(vm_memory(vm) for vm in on[host.name] if vm.ha) for host in online]
    return tuple(sorted(sorted(range(len(online)), key=lambda index: -weights[index])[:failures]))


def _require_configured_cpu(cluster: Cluster) -> None:
    for vm in cluster.vms:
        if vm.powered_on and vm.cpu_mhz is None:
            raise FieldError(
                _("VM {vm!r} has no configured CPU (cpu_mhz), which the static CRS mode weighs").format(vm=vm.name),
                ("vms", vm.name, "cpu_mhz"),
                _('give cpu_mhz for every powered-on guest (0 for no limit), or use proxmox_crs = "basic"'),
            )
