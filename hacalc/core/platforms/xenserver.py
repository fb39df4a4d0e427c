"""XenServer / XCP-ng: xapi's HA failover planner for ``ha-host-failures-to-tolerate`` r (inventories.md §5).

The algorithm of ``ocaml/xapi/binpack.ml`` and ``xapi_ha_vm_failover.ml`` (xapi-project/xen-api @ e2ee48d,
LGPL-2.1: re-implemented from the algorithm, no code copied). Memory only. Each protected VM needs its
memory (static max plus shadow: ``memory_mb`` plus ``memory_overhead_mb`` here); each live host offers its
free memory after every running VM. Protected VMs not running on a live host are started first; if some
cannot be, no plan exists.

- No plan is ever possible with fewer live hosts than r, or exactly r with VMs to protect.
- With at most 32 hosts in the pool and C(n, r)·r! < 3500: every r-combination of live hosts fails in
  every order, and after each failure the failed host's VMs are re-packed biggest fit decreasing onto the
  survivors; a VM left over anywhere means no plan.
- Otherwise the conservative approximation: every VM as big as the largest protected VM, each host holding
  ``free // largest`` of them, the r hosts holding most of them fail, and the VMs to move are the VM counts
  of the r hosts running the most protected VMs.

xapi orders hosts and VMs by UUID, which only breaks ties; hacalc uses the file's order. Every VM is taken as
agile (xapi pins non-agile VMs to one host, which hacalc's files cannot say).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, permutations

from hacalc.core.platforms.common import biggest_fit_decreasing, layout, require_configured_memory, vm_memory
from hacalc.core.platforms.report import APPROXIMATION, EXACT, RuleDetail, RuleReport, tightest
from hacalc.core.vsphere.model import Cluster, FieldError
from hacalc.i18n import N_, Message, _

RULE = N_("XenServer HA planner")
EXHAUSTIVE_HOSTS = 32  # binpack.ml choose_heuristic: above this, always the approximation
EXHAUSTIVE_ORDERS = 3500  # ... and below it only when C(n, r)·r! < 3500
EXHAUSTIVE = Message(N_("exhaustively binpack every host failure combination"))
APPROXIMATE = Message(N_("bin pack a worst-case scenario with conservative assumptions"))


@dataclass(frozen=True)
class Pool:
    """The planner's configuration: live hosts with free memory, protected VMs' memory and where they run."""

    free: tuple[tuple[str, int], ...]  # live hosts in order
    memory: dict[str, int]  # protected VM -> memory
    placement: tuple[tuple[str, str], ...]  # (VM, host), protected VMs on live hosts
    total_hosts: int  # every host of the pool, live or not: choose_heuristic counts them


def uses_exhaustive(total_hosts: int, failures: int) -> bool:
    """binpack.ml ``choose_heuristic``: exhaustive search only for small pools and few failure orders."""
    if total_hosts > EXHAUSTIVE_HOSTS or failures > total_hosts:
        return False
    return math.comb(total_hosts, failures) * math.factorial(failures) < EXHAUSTIVE_ORDERS


def plan_trivially_never_possible(pool: Pool, failures: int) -> bool:
    live = len(pool.free)
    return live < failures or (live == failures and bool(pool.memory))


def ha_planner(cluster: Cluster, failures: int | None = None) -> RuleReport:
    """Whether xapi finds a failover plan for ``failures`` host failures (the file's ``tolerate`` when None)."""
    failures = cluster.settings.tolerate if failures is None else failures
    if failures < 0:
        raise FieldError(_("ha-host-failures-to-tolerate {failures} is negative").format(failures=failures), ("cluster", "tolerate"), _("give 0 or more"))
    require_configured_memory(cluster, RULE)
    placed = layout(cluster)
    pool = Pool(
        free=tuple(placed.free.items()),
        memory={vm.name: vm_memory(vm) for vms in placed.on.values() for vm in vms if vm.ha},
        placement=tuple((vm.name, host) for host, vms in placed.on.items() for vm in vms if vm.ha),
        total_hosts=len(cluster.hosts),
    )
    notes = placed.notes()
    stranded = [vm.name for vm in placed.homeless if vm.ha]
    reserved = _worst_displaced(pool, failures)
    exhaustive = uses_exhaustive(pool.total_hosts, failures)
    method = EXACT if exhaustive else APPROXIMATION
    notes.append(Message(N_("planner: {planner} ({threshold})"), planner=EXHAUSTIVE if exhaustive else APPROXIMATE, threshold=_threshold(pool.total_hosts, failures)))
    if stranded:
        notes.append(N_("even with no host failure the pool cannot start every protected VM, so no plan exists"))
        return RuleReport("xenserver", RULE, failures, False, method, reserved, notes=tuple(notes))
    if plan_trivially_never_possible(pool, failures):
        notes.append(Message(N_("no plan is ever possible: {hosts} live hosts for {failures} failures"), hosts=len(pool.free), failures=failures))
        return RuleReport("xenserver", RULE, failures, False, method, reserved, notes=tuple(notes))
    if exhaustive:
        details = [_every_order(pool, failed) for failed in combinations([host for host, _ in pool.free], failures)]
        shown, more = tightest(details, "margin_mb")
        passed = all(detail.passed for detail in details)
        notes = [*more, *notes]
    else:
        detail = _approximation(pool, failures)
        shown, passed = (detail,), detail.passed
    notes.append(Message(N_("the planner would accept ha-host-failures-to-tolerate up to {failures}"), failures=max_failures(pool)))
    return RuleReport("xenserver", RULE, failures, passed, method, reserved, details=shown, notes=tuple(notes))


def plan_exists(pool: Pool, failures: int) -> bool:
    """xapi's ``plan_always_possible`` under the heuristic ``choose_heuristic`` picks."""
    if plan_trivially_never_possible(pool, failures):
        return False
    if uses_exhaustive(pool.total_hosts, failures):
        return all(_every_order(pool, failed).passed for failed in combinations([host for host, _ in pool.free], failures))
    return _approximation(pool, failures).passed


def max_failures(pool: Pool) -> int:
    """The largest r with a plan, counting up as xapi's bisection assumes: no plan for r means none above it."""
    failures = 0
    while failures < len(pool.free) and plan_exists(pool, failures + 1):
        failures += 1
    return failures


def _threshold(total_hosts: int, failures: int) -> str:
    if total_hosts > EXHAUSTIVE_HOSTS:
        return Message(N_("{hosts} hosts is more than {limit}"), hosts=total_hosts, limit=EXHAUSTIVE_HOSTS)
    if failures > total_hosts:
        return Message(N_("{failures} failures is more than the {hosts} hosts"), failures=failures, hosts=total_hosts)
    orders = math.comb(total_hosts, failures) * math.factorial(failures)
    relation = "<" if orders < EXHAUSTIVE_ORDERS else ">="
    return f"C({total_hosts},{failures})·{failures}! = {orders:,} {relation} {EXHAUSTIVE_ORDERS}"


def _worst_displaced(pool: Pool, failures: int) -> int:
    """The protected memory on the r hosts holding the most: what a plan has to re-home at worst."""
    per_host = {host: 0 for host, _ in pool.free}
    for vm, host in pool.placement:
        per_host[host] += pool.memory[vm]
    return sum(sorted(per_host.values(), reverse=True)[:failures])


def _every_order(pool: Pool, failed: Sequence[str]) -> RuleDetail:
    """One r-combination, failing in every order; the first order that strands a VM is reported."""
    displaced = sum(pool.memory[vm] for vm, host in pool.placement if host in failed)
    room = sum(max(free, 0) for host, free in pool.free if host not in failed)
    figures = {"displaced_mb": displaced, "survivors_free_mb": room, "margin_mb": room - displaced, "failing_order": None, "unplaced_vms": []}
    for order in permutations(failed):
        unplaced = _fail_in_order(pool, order)
        if unplaced:
            return RuleDetail(tuple(failed), False, {**figures, "failing_order": list(order), "unplaced_vms": unplaced})
    return RuleDetail(tuple(failed), True, figures)


def _fail_in_order(pool: Pool, order: Sequence[str]) -> list[str]:
    """binpack.ml ``simulate_failure``, one dead host after another: the VMs the first short plan leaves over.

    A host's VMs keep their order in the placement list (moved VMs keep their place), as xapi's do.
    """
    free = list(pool.free)
    position = {vm: index for index, (vm, _) in enumerate(pool.placement)}
    residents: dict[str, list[str]] = {host: [] for host, _ in pool.free}
    for vm, host in pool.placement:
        residents[host].append(vm)
    for dead in order:
        failed = sorted(residents.pop(dead, []), key=position.__getitem__)
        free = [(host, memory) for host, memory in free if host != dead]
        plan, room = biggest_fit_decreasing([(vm, pool.memory[vm]) for vm in failed], free)
        if len(plan) != len(failed):
            return [vm for vm in failed if vm not in plan]
        free = [(host, room[host]) for host, _ in free]
        for vm, host in plan.items():
            residents[host].append(vm)
    return []


def _approximation(pool: Pool, failures: int) -> RuleDetail:
    """binpack.ml ``simulate_failure_approximation``: every VM as big as the largest, the largest hosts fail."""
    largest = max(pool.memory.values(), default=0)
    if largest == 0:
        capacity = [0 for _ in pool.free]
        left = math.inf
    else:
        capacity = sorted((_truncated(free, largest) for _, free in pool.free), reverse=True)
        left = sum(capacity[failures:])
    counts = sorted((sum(1 for _, host in pool.placement if host == name) for name, _ in pool.free), reverse=True)
    to_move = sum(counts[:failures])
    margin = left - to_move if largest else 0
    figures = {"largest_vm_mb": largest, "slots_per_host": capacity, "vms_to_move": to_move, "slots_left": left if largest else None, "margin_mb": margin * largest}
    hosts = tuple(name for name, _ in sorted(pool.free, key=lambda item: -_truncated(item[1], largest or 1))[:failures])
    return RuleDetail(hosts, to_move <= left, figures)


def _truncated(free: int, size: int) -> int:
    """OCaml's Int64.div rounds toward zero: an overcommitted host holds -1 slots, not -2."""
    return abs(free) // size * (1 if free >= 0 else -1)
