"""Will every VM actually restart? For every set of F failed hosts, place the displaced VMs on the survivors.

vSphere's admission control ignores fragmentation (vsphere-ha.md §1.2 caveats, §5 pain point 5); this is
the question users mean. A VM needs its CPU reservation and its memory reservation plus overhead on one
host (or, with the configured demand, its configured memory plus overhead: no memory overcommit); running VMs stay where they are. VMs without a placement (or on an excluded host) have to be
packed onto the survivors of every failure set. VMs whose restart priority is "disabled" are never
restarted and only take capacity where they run.

The answer is proven, cheapest proof first, for all failure sets at once (numpy, imported lazily):
1. a capacity bound: more demand than the survivors' total free capacity (infeasible);
2. a slot bound: every survivor holds k_j copies of the set's largest displaced VM and sum k_j covers
   the displaced VMs (feasible);
3. an any-fit bound (``_any_fit_bound``; feasible);
4. best-fit-decreasing packing, vectorised across failure sets, re-trying the bounds on what is left
   as it goes (feasible when everything is placed);
5. for the sets still open: a VM that fits no survivor or the large-VM bound (infeasible), HA's
   restart order (feasible), then scipy's MILP (HiGHS) under a time budget.

Every set ends proven to restart, proven to fail, or undecided (out of time, or too large for MILP). Only proven
failures count as failing; a pass needs every set proven to restart.

``proven_with_hosts_out`` runs steps 1-4 for many clusters at once: the same cluster with different hosts
out (a maintenance plan's steps).
"""

from __future__ import annotations

import importlib
import itertools
import math
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from hacalc.core.vsphere.failover_hosts import restart_demand
from hacalc.core.vsphere.model import VM, Demand, Host, RestartPriority
from hacalc.core.vsphere.report import HostLoad, RestartReport, UnplacedVM
from hacalc.i18n import N_, Message, joined

PRIORITY_ORDER = {
    RestartPriority.highest: 0,
    RestartPriority.high: 1,
    RestartPriority.medium: 2,
    RestartPriority.low: 3,
    RestartPriority.lowest: 4,
}
MAX_FAILURE_SETS = 2_000_000
CHUNK_CELLS = 8_000_000  # failure sets x (displaced VMs + hosts) screened at once: keeps the [sets, VMs] arrays to some 100 MB each
MILP_MAX_VARIABLES = 200_000
LARGE_VM_THRESHOLDS = 256  # sizes tried by the large-VM bound: keeps it to [256, survivors] arrays per set
COUNTING_BUDGET_S = 1.0  # once one set is proven to fail the verdict is settled: the rest are decided only for the counts


@dataclass
class _Problem:
    """Arrays shared by every failure set (numpy arrays; typed loosely to keep numpy out of import time)."""

    hosts: Sequence[Host]
    vms: list[VM]  # powered-on VMs that HA restarts and that need capacity
    free_cpu: object  # per counted host, after the VMs running there
    free_memory: object
    host_items: object  # [H, L] indexes into vms, -1 padding, largest first
    floating: object  # indexes of VMs without a usable placement
    cpu: object  # per VM demand
    memory: object
    scale_cpu: float
    scale_memory: float
    totals: tuple = ()  # per-host sums and maxima of the displaced VMs (see _host_totals)
    demand: Demand = Demand.reservation


def restart_check(
    hosts: Sequence[Host],
    vms: Sequence[VM],
    tolerate: int,
    *,
    demand: Demand = Demand.reservation,
    time_budget_s: float = 10.0,
    max_failure_sets: int = MAX_FAILURE_SETS,
    milp: bool = True,
) -> tuple[RestartReport, list[str]]:
    """The restart report for the counted ``hosts``, and warnings (e.g. too many failure sets to enumerate).

    ``demand`` is what each VM needs (``restart_demand``); with ``configured`` every powered-on VM needs ``memory_mb``.
    Without ``milp`` only the cheap proofs run (no scipy): sets they cannot settle are reported undecided.
    """
    import numpy as np

    problem, mode = _problem(hosts, vms, demand)
    overloaded = N_("host {host}: the VMs placed on it reserve more than its capacity") if demand is Demand.reservation else \
        N_("host {host}: the VMs placed on it are configured with more than its capacity")
    warnings = [
        Message(overloaded, host=host.name)
        for position, host in enumerate(hosts)
        if problem.free_cpu[position] < 0 or problem.free_memory[position] < 0
    ]
    if tolerate >= len(hosts):
        return _all_hosts_fail(problem, mode), warnings
    groups = _interchangeable_groups(problem)
    exhaustive = _count_sets([len(group) for group in groups], tolerate) <= max_failure_sets
    if exhaustive:
        sets = _enumerate_sets(groups, tolerate)
    else:
        sets = _heaviest_sets(problem, tolerate)
        warnings.append(Message(
            N_("restart check: {sets:,} failure sets of {tolerate} hosts is too many to check; checked the {checked} heaviest, so the result is not exact"),
            sets=math.comb(len(hosts), tolerate), tolerate=tolerate, checked=len(sets),
        ))
    chosen = np.array(sets, dtype=np.int64).reshape(len(sets), tolerate)
    state, utilisation = _screen(problem, chosen)
    proofs = _prove(problem, chosen, state, utilisation, time.monotonic() + time_budget_s, milp)
    report = _report(problem, groups, chosen, state, utilisation, mode, exhaustive, proofs, math.comb(len(hosts), tolerate))
    return report, warnings


def proven_with_hosts_out(
    hosts: Sequence[Host], vms: Sequence[VM], tolerate: int, out: Sequence[Sequence[int]], *, demand: Demand = Demand.reservation
) -> list[bool]:
    """For each group of ``hosts`` positions in ``out``: True when, with that group out of the cluster and
    its VMs without a host, the screen proves every set of ``tolerate`` further failures restarts.

    Taking a group G out and then failing X leaves the same VMs to place on the same survivors as failing
    G + X: G's VMs that HA restarts are displaced either way, and its other VMs take no capacity on a
    survivor. So one screen of the sets G + X over this cluster's problem decides every group at once.
    False is not a failure, only "not proven here": the caller checks that group on its own. Groups are
    not screened when they leave ``tolerate`` hosts or fewer, or their sets are too many to enumerate.
    """
    import numpy as np

    problem, _mode = _problem(hosts, vms, demand)
    groups = _interchangeable_groups(problem)
    rows: list[list[int] | None] = []
    sets: dict[tuple[int, ...], int] = {}
    for group in out:
        taken = set(group)
        others = [kept for kept in ([position for position in same if position not in taken] for same in groups) if kept]
        if len(hosts) - len(taken) <= tolerate or len(sets) + _count_sets([len(same) for same in others], tolerate) > MAX_FAILURE_SETS:
            rows.append(None)
            continue
        rows.append([sets.setdefault(tuple(sorted((*taken, *failed))), len(sets)) for failed in _enumerate_sets(others, tolerate)])
    state = np.zeros(len(sets), dtype=np.int8)
    for width in {len(failed) for failed in sets}:
        same_width = [(row, failed) for failed, row in sets.items() if len(failed) == width]
        chosen = np.array([failed for _, failed in same_width], dtype=np.int64).reshape(len(same_width), width)
        state[[row for row, _ in same_width]] = _screen(problem, chosen)[0]
    return [group_rows is not None and bool((state[group_rows] == FEASIBLE).all()) for group_rows in rows]


def _problem(hosts: Sequence[Host], vms: Sequence[VM], demand: Demand) -> tuple[_Problem, str]:
    import numpy as np

    index = {host.name: position for position, host in enumerate(hosts)}
    free_cpu = np.array([host.cpu_mhz for host in hosts], dtype=np.float64)
    free_memory = np.array([host.memory_mb for host in hosts], dtype=np.float64)
    movable: list[VM] = []
    placement: list[int] = []
    for vm in vms:
        if not vm.powered_on:
            continue
        cpu, memory = restart_demand(vm, demand)
        where = index.get(vm.host, -1) if vm.host else -1
        if where >= 0:
            free_cpu[where] -= cpu
            free_memory[where] -= memory
        if vm.restart_priority is RestartPriority.disabled:
            continue
        if cpu == 0 and memory == 0:
            continue  # needs nothing, restarts anywhere
        movable.append(vm)
        placement.append(where)
    demands = [restart_demand(vm, demand) for vm in movable]
    cpu = np.array([vm_cpu for vm_cpu, _ in demands], dtype=np.float64)
    memory = np.array([vm_memory for _, vm_memory in demands], dtype=np.float64)
    scale_cpu = float(max(np.mean([host.cpu_mhz for host in hosts]) if hosts else 1.0, 1.0))
    scale_memory = float(max(np.mean([host.memory_mb for host in hosts]) if hosts else 1.0, 1.0))
    size = cpu / scale_cpu + memory / scale_memory
    placed = np.array(placement, dtype=np.int64)
    per_host = [[] for _ in hosts]
    for vm_index in np.argsort(-size, kind="stable"):
        if placed[vm_index] >= 0:
            per_host[placed[vm_index]].append(int(vm_index))
    width = max((len(items) for items in per_host), default=0)
    host_items = np.full((len(hosts), width), -1, dtype=np.int64)
    for position, items in enumerate(per_host):
        host_items[position, : len(items)] = items
    floating = np.flatnonzero(placed < 0) if len(placed) else np.zeros(0, dtype=np.int64)
    floating = floating[np.argsort(-size[floating], kind="stable")]
    mode = N_("placed") if len(floating) == 0 else (N_("packed") if len(floating) == len(movable) else N_("mixed"))
    problem = _Problem(hosts, movable, free_cpu, free_memory, host_items, floating, cpu, memory, scale_cpu, scale_memory, demand=demand)
    problem.totals = _host_totals(problem)
    return problem, mode


def _interchangeable_groups(problem: _Problem) -> list[list[int]]:
    """Hosts with the same capacity, free capacity and displaced VMs' demands fail alike: check one of each."""
    signatures: dict[tuple, list[int]] = {}
    for position, host in enumerate(problem.hosts):
        items = problem.host_items[position]
        demands = tuple(sorted((problem.cpu[item], problem.memory[item]) for item in items if item >= 0))
        key = (host.cpu_mhz, host.memory_mb, float(problem.free_cpu[position]), float(problem.free_memory[position]), demands)
        signatures.setdefault(key, []).append(position)
    return list(signatures.values())


def _count_sets(sizes: Sequence[int], tolerate: int) -> int:
    """Distinct failure sets up to interchangeable hosts: ways to take ``tolerate`` from groups of ``sizes``."""
    ways = [1] + [0] * tolerate
    for size in sizes:
        ways = [sum(ways[total - taken] for taken in range(0, min(size, total) + 1)) for total in range(tolerate + 1)]
    return ways[tolerate]


def _enumerate_sets(groups: list[list[int]], tolerate: int) -> list[tuple[int, ...]]:
    if all(len(group) == 1 for group in groups):
        return list(itertools.combinations(sorted(group[0] for group in groups), tolerate))
    return list(_take(groups, 0, tolerate))


def _take(groups: list[list[int]], start: int, remaining: int) -> Iterator[tuple[int, ...]]:
    if remaining == 0:
        yield ()
        return
    if start == len(groups):
        return
    group = groups[start]
    for taken in range(min(len(group), remaining), -1, -1):
        for rest in _take(groups, start + 1, remaining - taken):
            yield tuple(group[:taken]) + rest


def _heaviest_sets(problem: _Problem, tolerate: int) -> list[tuple[int, ...]]:
    """When there are too many sets: the hosts with the most displaced CPU, memory, VMs, or capacity."""
    import numpy as np

    items = problem.host_items
    valid = items >= 0
    cpu = np.where(valid, problem.cpu[np.maximum(items, 0)], 0).sum(axis=1) if items.size else np.zeros(len(problem.hosts))
    memory = np.where(valid, problem.memory[np.maximum(items, 0)], 0).sum(axis=1) if items.size else np.zeros(len(problem.hosts))
    capacity = np.array([host.cpu_mhz / problem.scale_cpu + host.memory_mb / problem.scale_memory for host in problem.hosts])
    sets = set()
    for ranking in (cpu, memory, valid.sum(axis=1), capacity, cpu / problem.scale_cpu + memory / problem.scale_memory):
        sets.add(tuple(sorted(int(position) for position in np.argsort(-ranking, kind="stable")[:tolerate])))
    return sorted(sets)


FEASIBLE, INFEASIBLE, UNKNOWN = 0, 1, 2


def _screen(problem: _Problem, sets):
    """Bounds, then vectorised best-fit packing, for every set: (state, utilisation) arrays."""
    import numpy as np

    count = len(sets)
    state = np.full(count, UNKNOWN, dtype=np.int8)
    utilisation = np.zeros(count)
    chunk = _chunk_sets(problem, sets.shape[1])
    for start in range(0, count, chunk):
        window = slice(start, start + chunk)
        state[window], utilisation[window] = _screen_chunk(problem, sets[window])
    return state, utilisation


def _chunk_sets(problem: _Problem, tolerate: int) -> int:
    """Sets per chunk: each set's arrays are as wide as its displaced VMs (up to every unplaced VM) plus the hosts."""
    width = tolerate * problem.host_items.shape[1] + len(problem.floating) + len(problem.hosts)
    return max(1, CHUNK_CELLS // max(1, width))


def _host_totals(problem: _Problem):
    """Per host: displaced VMs, their CPU and memory sums and maxima (one row per host, then floating)."""
    import numpy as np

    valid = problem.host_items >= 0
    safe = np.maximum(problem.host_items, 0)
    cpu = np.where(valid, problem.cpu[safe], 0.0) if problem.host_items.size else np.zeros((len(problem.hosts), 0))
    memory = np.where(valid, problem.memory[safe], 0.0) if problem.host_items.size else np.zeros((len(problem.hosts), 0))
    floating_cpu, floating_memory = problem.cpu[problem.floating], problem.memory[problem.floating]
    return (
        valid.sum(axis=1),
        cpu.sum(axis=1),
        memory.sum(axis=1),
        cpu.max(axis=1, initial=0.0),
        memory.max(axis=1, initial=0.0),
        (len(problem.floating), floating_cpu.sum(), floating_memory.sum(), floating_cpu.max(initial=0.0), floating_memory.max(initial=0.0)),
    )


def _displaced(problem: _Problem, chosen):
    """[P, L] VM indexes displaced by each failure set (largest first, -1 padding)."""
    import numpy as np

    count = len(chosen)
    parts = [problem.host_items[chosen].reshape(count, -1)]
    if len(problem.floating):
        parts.append(np.broadcast_to(problem.floating, (count, len(problem.floating))))
    items = np.concatenate(parts, axis=1)
    if items.shape[1] == 0:
        return items
    size = problem.cpu / problem.scale_cpu + problem.memory / problem.scale_memory
    keys = np.where(items >= 0, size[np.maximum(items, 0)], -1.0)
    order = np.argsort(-keys, axis=1, kind="stable")
    items = np.take_along_axis(items, order, axis=1)
    used = int((items >= 0).sum(axis=1).max(initial=0))
    return items[:, :used]


def _screen_chunk(problem: _Problem, chosen):
    import numpy as np

    count = len(chosen)
    rows = np.arange(count)
    displaced_count, host_cpu, host_memory, host_largest_cpu, host_largest_memory, floating = problem.totals
    total_cpu = host_cpu[chosen].sum(axis=1) + floating[1]
    total_memory = host_memory[chosen].sum(axis=1) + floating[2]
    number = displaced_count[chosen].sum(axis=1) + floating[0]
    largest_cpu = np.maximum(host_largest_cpu[chosen].max(axis=1, initial=0.0), floating[3])[:, None]
    largest_memory = np.maximum(host_largest_memory[chosen].max(axis=1, initial=0.0), floating[4])[:, None]

    free_cpu = np.broadcast_to(problem.free_cpu, (count, len(problem.hosts))).copy()
    free_memory = np.broadcast_to(problem.free_memory, (count, len(problem.hosts))).copy()
    free_cpu[rows[:, None], chosen] = -np.inf
    free_memory[rows[:, None], chosen] = -np.inf
    room_cpu = np.clip(free_cpu, 0, None).sum(axis=1)
    room_memory = np.clip(free_memory, 0, None).sum(axis=1)
    utilisation = np.maximum(_ratio(total_cpu, room_cpu), _ratio(total_memory, room_memory))

    state = np.full(count, UNKNOWN, dtype=np.int8)
    state[(total_cpu > room_cpu) | (total_memory > room_memory)] = INFEASIBLE
    with np.errstate(divide="ignore", invalid="ignore"):
        copies_cpu = np.where(largest_cpu > 0, np.floor(np.clip(free_cpu, 0, None) / largest_cpu), np.inf)
        copies_memory = np.where(largest_memory > 0, np.floor(np.clip(free_memory, 0, None) / largest_memory), np.inf)
    copies = np.minimum(copies_cpu, copies_memory)
    copies[(free_cpu < 0) | (free_memory < 0)] = 0
    state[(np.minimum(copies, number[:, None]).sum(axis=1) >= number) & (state == UNKNOWN)] = FEASIBLE
    undecided = np.flatnonzero(state == UNKNOWN)
    if len(undecided):
        proven = _any_fit_bound(
            free_cpu[undecided], free_memory[undecided], largest_cpu[undecided], largest_memory[undecided], total_cpu[undecided], total_memory[undecided]
        )
        state[undecided[proven]] = FEASIBLE

    pending = np.flatnonzero(state == UNKNOWN)
    if len(pending):
        items = _displaced(problem, chosen[pending])
        valid = items >= 0
        safe = np.maximum(items, 0)
        need_cpu = np.where(valid, problem.cpu[safe], 0.0)
        need_memory = np.where(valid, problem.memory[safe], 0.0)
        stranded = _best_fit(problem, free_cpu[pending], free_memory[pending], need_cpu, need_memory, valid)
        state[pending[~stranded]] = FEASIBLE
    return state, utilisation


def _any_fit_bound(free_cpu, free_memory, largest_cpu, largest_memory, total_cpu, total_memory):
    """True where any placement that never skips a VM some host can take is sure to place them all.

    If such a placement leaves a VM over, every survivor j is blocked in CPU (set A: its used CPU exceeds
    free_cpu_j - largest CPU) or memory (set B). So some split has sum_A x_j < 1 and sum_B y_j < 1, with
    x_j = (free_cpu_j - largest_cpu)+ / total_cpu and y_j likewise. The largest sum_A y_j under
    sum_A x_j <= 1 is bounded by a fractional knapsack; when even that leaves sum_B y_j >= 1, no split
    exists and every VM fits [derived].
    """
    import numpy as np

    usable = (free_cpu >= 0) & (free_memory >= 0)
    spare_cpu = np.where(usable, np.clip(free_cpu - largest_cpu, 0, None), 0.0)
    spare_memory = np.where(usable, np.clip(free_memory - largest_memory, 0, None), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(total_cpu[:, None] > 0, spare_cpu / total_cpu[:, None], np.where(usable, np.inf, 0.0))
        y = np.where(total_memory[:, None] > 0, spare_memory / total_memory[:, None], np.where(usable, np.inf, 0.0))
    # A share of 1 or more already decides a host's side of the split; capping at 2 keeps sums finite.
    x, y = np.minimum(x, 2.0), np.minimum(y, 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x > 0, y / x, np.where(y > 0, np.inf, 0.0))
    ratio = np.nan_to_num(ratio, nan=0.0, posinf=np.finfo(np.float64).max)
    order = np.argsort(-ratio, axis=1, kind="stable")
    x_sorted = np.take_along_axis(x, order, axis=1)
    y_sorted = np.take_along_axis(y, order, axis=1)
    before = np.cumsum(x_sorted, axis=1) - x_sorted
    whole = before + x_sorted <= 1
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(~whole & (before < 1), np.clip((1 - before) / x_sorted, 0, 1) * y_sorted, 0.0)
    part = np.nan_to_num(part, nan=0.0)
    blocked_memory_max = np.where(whole, y_sorted, 0.0).sum(axis=1) + part.sum(axis=1)
    return y.sum(axis=1) - blocked_memory_max >= 1


def _ratio(need, room):
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(need > 0, np.where(room > 0, need / np.where(room > 0, room, 1), np.inf), 0.0)


SETTLE_FIRST = 16  # try the bounds after 16, 32, 64 … placed VMs


def _best_fit(problem: _Problem, free_cpu, free_memory, need_cpu, need_memory, valid):
    """Best-fit decreasing, one VM per step for every failure set at once; True where a VM was left over.

    A set drops out at its first VM that fits nowhere or once what is left to place exceeds the room
    left (packing cannot prove it; a later step can), or when the any-fit bound shows that the VMs
    still to place fit in what is left: once the large VMs are placed, the small remainder is usually
    settled without packing it.
    Capacities are exact integers (whole MHz and MB); the best-fit score is a float32 heuristic.
    """
    import numpy as np

    stranded = np.zeros(free_cpu.shape[0], dtype=bool)
    need_cpu, need_memory = _exact_integers(need_cpu), _exact_integers(need_memory)
    free_cpu, free_memory = _exact_integers(free_cpu), _exact_integers(free_memory)
    a = {
        "rows": np.arange(free_cpu.shape[0]),  # position in the caller's arrays of each row still being packed
        "free_cpu": free_cpu,
        "free_memory": free_memory,
        "tightness": (free_cpu / problem.scale_cpu + free_memory / problem.scale_memory).astype(np.float32),
        "need_cpu": need_cpu,
        "need_memory": need_memory,
        "valid": valid,
        "rest_cpu": np.add.accumulate(need_cpu[:, ::-1], axis=1, dtype=np.int64)[:, ::-1],
        "rest_memory": np.add.accumulate(need_memory[:, ::-1], axis=1, dtype=np.int64)[:, ::-1],
        "rest_largest_cpu": np.maximum.accumulate(need_cpu[:, ::-1], axis=1)[:, ::-1],
        "rest_largest_memory": np.maximum.accumulate(need_memory[:, ::-1], axis=1)[:, ::-1],
    }
    for step in range(need_cpu.shape[1]):
        if step >= SETTLE_FIRST and step & (step - 1) == 0:
            window = slice(step, step + 1)
            settled = _any_fit_bound(
                a["free_cpu"], a["free_memory"], a["rest_largest_cpu"][:, window], a["rest_largest_memory"][:, window],
                a["rest_cpu"][:, step], a["rest_memory"][:, step],
            )
            doomed = (a["rest_cpu"][:, step] > np.clip(a["free_cpu"], 0, None).sum(axis=1, dtype=np.int64)) | (
                a["rest_memory"][:, step] > np.clip(a["free_memory"], 0, None).sum(axis=1, dtype=np.int64)
            )
            stranded[a["rows"][doomed]] = True
            if settled.any() or doomed.any():
                a = {name: array[~(settled | doomed)] for name, array in a.items()}
        if not len(a["rows"]):
            break
        cpu, memory = a["need_cpu"][:, step : step + 1], a["need_memory"][:, step : step + 1]
        fits = (a["free_cpu"] >= cpu) & (a["free_memory"] >= memory)
        score = np.where(fits, a["tightness"], np.float32(np.inf))
        target = score.argmin(axis=1)
        local = np.arange(len(a["rows"]))
        placed = fits[local, target] & a["valid"][:, step]
        rows_placed, hosts_placed = local[placed], target[placed]
        a["free_cpu"][rows_placed, hosts_placed] -= cpu[placed, 0]
        a["free_memory"][rows_placed, hosts_placed] -= memory[placed, 0]
        a["tightness"][rows_placed, hosts_placed] -= (cpu[placed, 0] / problem.scale_cpu + memory[placed, 0] / problem.scale_memory).astype(np.float32)
        failed = a["valid"][:, step] & ~placed
        if failed.any():
            stranded[a["rows"][failed]] = True
            a = {name: array[~failed] for name, array in a.items()}
    return stranded


def _exact_integers(values):
    """Whole MHz/MB as int32 (int64 past 2**30); a failed host (-inf) becomes a capacity no VM fits."""
    import numpy as np

    finite = np.isfinite(values)
    large = finite.any() and np.abs(values[finite]).max() >= 2**30
    floor = -(2**62) if large else -(2**30)
    return np.where(finite, values, floor).astype(np.int64 if large else np.int32)


def _prove(problem: _Problem, chosen, state, utilisation, deadline: float, milp: bool = True) -> dict[int, set[str]]:
    """Settle the sets packing could not, most loaded first: the cheap proofs for every set, then MILP for the rest.

    Returns the proofs used, by outcome (FEASIBLE, INFEASIBLE). A set still UNKNOWN at the end was not
    decided in time. Once one set is proven to fail the verdict is settled: each pass then gets at most
    COUNTING_BUDGET_S more, for the counts.
    """
    import numpy as np

    proofs: dict[int, set[str]] = {FEASIBLE: set(), INFEASIBLE: set()}
    if (state == FEASIBLE).any():
        proofs[FEASIBLE].add(Message(N_("bounds and best-fit placement")))
    if (state == INFEASIBLE).any():
        proofs[INFEASIBLE].add(Message(N_("capacity bound")))
    rows = sorted(np.flatnonzero(state == UNKNOWN), key=lambda row: -utilisation[row])
    for decide in (_decide_cheaply, _decide_by_milp) if milp else (_decide_cheaply,):
        if decide is _decide_by_milp and rows:
            importlib.import_module("scipy.optimize")  # loaded before the counting budget starts, so its start-up is not taken from it
        budget = min(deadline, time.monotonic() + COUNTING_BUDGET_S) if proofs[INFEASIBLE] else deadline
        for row in rows:
            if time.monotonic() >= budget:
                break
            verdict, proof = decide(problem, tuple(chosen[row]), budget)
            if verdict is None:
                continue
            if verdict == INFEASIBLE and not proofs[INFEASIBLE]:
                budget = min(deadline, time.monotonic() + COUNTING_BUDGET_S)
            state[row] = verdict
            proofs[verdict].add(proof)
        rows = [row for row in rows if state[row] == UNKNOWN]
    return proofs


def _decide_cheaply(problem: _Problem, failed: tuple[int, ...], deadline: float) -> tuple[int | None, str]:
    """One failure set by the single-VM and large-VM bounds or HA's restart order: (outcome, proof), or (None, "")."""
    items, free_cpu, free_memory = _set_arrays(problem, failed)
    if len(_homeless(problem, items, free_cpu, free_memory)):
        return INFEASIBLE, Message(N_("a VM larger than any survivor's free capacity"))
    cpu, memory = problem.cpu[items], problem.memory[items]
    if _large_vms_overflow(memory, cpu, free_memory, free_cpu) or _large_vms_overflow(cpu, memory, free_cpu, free_memory):
        return INFEASIBLE, Message(N_("large-VM bound"))
    if not _priority_greedy(problem, items, free_cpu, free_memory):
        return FEASIBLE, Message(N_("priority-order placement"))
    return None, ""


def _decide_by_milp(problem: _Problem, failed: tuple[int, ...], deadline: float) -> tuple[int | None, str]:
    """One failure set by MILP: (outcome, "milp"), or (None, "") when it gave up (time or size)."""
    items, free_cpu, free_memory = _set_arrays(problem, failed)
    verdict = _milp(problem, items, free_cpu, free_memory, deadline)
    if verdict is None:
        return None, ""
    return (FEASIBLE if verdict else INFEASIBLE), "milp"


def _large_vms_overflow(need, other_need, free, other_free) -> bool:
    """True when the VMs of some size and up cannot all fit: a proof that the set fails [derived].

    A VM of size >= s (in one dimension) fits only a survivor with at least s free there, and such a
    survivor holds at most floor(free / s) of them. So the VMs of size >= s need: their number <=
    sum floor(free_j / s), their total <= sum free_j, and their total in the other dimension <=
    sum other_free_j, each sum over the survivors with free_j >= s. Any thresholds s give a valid
    proof; up to LARGE_VM_THRESHOLDS of the VMs' own sizes are tried.
    """
    import numpy as np

    order = np.argsort(need, kind="stable")
    sizes = need[order].astype(np.int64)
    suffix = np.concatenate([np.cumsum(sizes[::-1])[::-1], [0]])
    other_suffix = np.concatenate([np.cumsum(other_need[order].astype(np.int64)[::-1])[::-1], [0]])
    thresholds = np.unique(sizes[sizes > 0])
    if len(thresholds) > LARGE_VM_THRESHOLDS:
        thresholds = np.unique(thresholds[np.linspace(0, len(thresholds) - 1, LARGE_VM_THRESHOLDS).astype(np.int64)])
    if not len(thresholds):
        return False
    first = np.searchsorted(sizes, thresholds, side="left")  # VMs from here on have size >= threshold
    room = np.where(np.isfinite(free), np.maximum(free, 0), 0).astype(np.int64)
    other_room = np.where(np.isfinite(other_free), np.maximum(other_free, 0), 0).astype(np.int64)
    takes = room[None, :] >= thresholds[:, None]  # [thresholds, survivors]
    copies = np.where(takes, room[None, :] // thresholds[:, None], 0).sum(axis=1)
    space = np.where(takes, room[None, :], 0).sum(axis=1)
    other_space = np.where(takes, other_room[None, :], 0).sum(axis=1)
    return bool(((len(sizes) - first > copies) | (suffix[first] > space) | (other_suffix[first] > other_space)).any())


def _set_arrays(problem: _Problem, failed: tuple[int, ...]):
    import numpy as np

    chosen = np.array([failed], dtype=np.int64).reshape(1, len(failed))
    items = _displaced(problem, chosen)[0]
    items = items[items >= 0]
    free_cpu = problem.free_cpu.copy()
    free_memory = problem.free_memory.copy()
    free_cpu[list(failed)] = -np.inf
    free_memory[list(failed)] = -np.inf
    return items, free_cpu, free_memory


def _homeless(problem: _Problem, items, free_cpu, free_memory):
    fits = (problem.cpu[items][:, None] <= free_cpu[None, :]) & (problem.memory[items][:, None] <= free_memory[None, :])
    return items[~fits.any(axis=1)]


def _priority_greedy(problem: _Problem, items, free_cpu, free_memory) -> list[int]:
    """Restart order as HA does it, highest priority first (largest first within one): the VMs left over."""
    return _restart_order(problem, items, free_cpu, free_memory)[0]


def _restart_order(problem: _Problem, items, free_cpu, free_memory) -> tuple[list[int], dict[int, int]]:
    """HA's restart order (see ``_priority_greedy``): the VMs left over, and where each other one lands."""
    import numpy as np

    free_cpu, free_memory = free_cpu.copy(), free_memory.copy()
    ordered = sorted(items.tolist(), key=lambda item: PRIORITY_ORDER[problem.vms[item].restart_priority])
    left = []
    landed: dict[int, int] = {}
    for item in ordered:
        cpu, memory = problem.cpu[item], problem.memory[item]
        fits = (free_cpu >= cpu) & (free_memory >= memory)
        if not fits.any():
            left.append(item)
            continue
        score = np.where(fits, free_cpu / problem.scale_cpu + free_memory / problem.scale_memory, np.inf)
        target = int(score.argmin())
        free_cpu[target] -= cpu
        free_memory[target] -= memory
        landed[item] = target
    return left, landed


def _host_loads(problem: _Problem, failed: tuple[int, ...], landed: dict[int, int]) -> tuple[HostLoad, ...]:
    """Each host's capacity, load before the failures and the restarted VMs it takes, for the report's picture."""
    cpu_landed = [0.0] * len(problem.hosts)
    memory_landed = [0.0] * len(problem.hosts)
    for item, position in landed.items():
        cpu_landed[position] += float(problem.cpu[item])
        memory_landed[position] += float(problem.memory[item])
    return tuple(
        HostLoad(
            host.name, position in failed, float(host.cpu_mhz), float(host.memory_mb),
            float(host.cpu_mhz - problem.free_cpu[position]), float(host.memory_mb - problem.free_memory[position]),
            cpu_landed[position], memory_landed[position],
        )  # fmt: skip
        for position, host in enumerate(problem.hosts)
    )


def _milp(problem: _Problem, items, free_cpu, free_memory, deadline: float) -> bool | None:
    """Exact feasibility by MILP (HiGHS); None when out of time or too large to try."""
    import numpy as np

    remaining = deadline - time.monotonic()
    if remaining <= 0.05:
        return None
    cpu, memory = problem.cpu[items], problem.memory[items]
    fits = (cpu[:, None] <= free_cpu[None, :]) & (memory[:, None] <= free_memory[None, :])
    vm_index, host_index = np.nonzero(fits)
    if len(vm_index) > MILP_MAX_VARIABLES:
        return None
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    variables = len(vm_index)
    columns = np.arange(variables)
    hosts = len(free_cpu)
    assign = coo_matrix((np.ones(variables), (vm_index, columns)), shape=(len(items), variables))
    load_cpu = coo_matrix((cpu[vm_index], (host_index, columns)), shape=(hosts, variables))
    load_memory = coo_matrix((memory[vm_index], (host_index, columns)), shape=(hosts, variables))
    room_cpu = np.where(np.isfinite(free_cpu), np.maximum(free_cpu, 0), 0)
    room_memory = np.where(np.isfinite(free_memory), np.maximum(free_memory, 0), 0)
    result = milp(
        np.zeros(variables),
        integrality=np.ones(variables),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(assign, 1, 1),
            LinearConstraint(load_cpu, -np.inf, room_cpu),
            LinearConstraint(load_memory, -np.inf, room_memory),
        ],
        options={"time_limit": remaining, "disp": False},
    )
    if result.status == 0:
        return True if _placement_holds(result.x, vm_index, host_index, cpu, memory, room_cpu, room_memory) else None
    if result.status == 2:
        return False
    return None


def _placement_holds(x, vm_index, host_index, cpu, memory, room_cpu, room_memory) -> bool:
    """MILP's answer checked in whole MHz and MB: every VM on exactly one host, no host over (solver tolerances)."""
    import numpy as np

    chosen = np.round(x).astype(bool)
    if not (np.bincount(vm_index[chosen], minlength=len(cpu)) == 1).all():
        return False
    hosts = len(room_cpu)
    load_cpu = np.bincount(host_index[chosen], weights=cpu[vm_index[chosen]], minlength=hosts)
    load_memory = np.bincount(host_index[chosen], weights=memory[vm_index[chosen]], minlength=hosts)
    return bool((load_cpu <= room_cpu).all() and (load_memory <= room_memory).all())


def _report(
    problem: _Problem, groups, chosen, state, utilisation, mode: str, exhaustive: bool, proofs: dict[int, set[str]], all_sets: int
) -> RestartReport:
    """Counts over all hosts; the worst set is the most loaded proven failure, else the most loaded undecided set."""
    import numpy as np

    failing = np.flatnonzero(state == INFEASIBLE)
    undecided = np.flatnonzero(state == UNKNOWN)
    open_rows = failing if len(failing) else undecided
    worst = int(max(open_rows, key=lambda row: utilisation[row])) if len(open_rows) else int(np.argmax(utilisation))
    failed = tuple(int(position) for position in chosen[worst])
    left, landed = _restart_order(problem, *_set_arrays(problem, failed))
    unplaced = _unplaced_lines(problem, left) if len(failing) else ()
    checked = _expanded_count(groups, chosen)
    return RestartReport(
        passed=not len(failing) and not len(undecided),
        exact=bool(len(failing)) or (exhaustive and not len(undecided)),  # the verdict is proven, either way
        worst_case_failed_hosts=tuple(problem.hosts[position].name for position in chosen[worst]),
        unplaced_vms=unplaced,
        mode=mode,
        failure_sets=all_sets,
        checked_sets=checked,
        failing_sets=_expanded_count(groups, chosen[failing]),
        undecided_sets=_expanded_count(groups, chosen[undecided]),
        method=joined(sorted(proofs[INFEASIBLE] if len(failing) else proofs[FEASIBLE])),
        demand=problem.demand.value,
        host_loads=_host_loads(problem, failed, landed),
    )


def _expanded_count(groups: list[list[int]], failing) -> int:
    """Failing sets counted over all hosts, not just one representative of interchangeable hosts."""
    if all(len(group) == 1 for group in groups):
        return len(failing)
    group_of = {position: number for number, group in enumerate(groups) for position in group}
    total = 0
    for failed in failing.tolist():
        taken: dict[int, int] = {}
        for position in failed:
            taken[group_of[position]] = taken.get(group_of[position], 0) + 1
        total += math.prod(math.comb(len(groups[group]), count) for group, count in taken.items())
    return total


def _unplaced_lines(problem: _Problem, left: list[int]) -> tuple[UnplacedVM, ...]:
    vms = [problem.vms[item] for item in left]
    vms.sort(key=lambda vm: (PRIORITY_ORDER[vm.restart_priority], _natural_order(vm.name)))
    return tuple(UnplacedVM(vm.name, vm.restart_priority.value, *restart_demand(vm, problem.demand), vm.host) for vm in vms)


def _natural_order(name: str) -> list[int | str]:
    """QA-APP-7 before QA-APP-10, as people number their VMs."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _all_hosts_fail(problem: _Problem, mode: str) -> RestartReport:
    """F >= the number of counted hosts: nothing survives, every VM that HA restarts is left over."""
    left = list(range(len(problem.vms)))
    return RestartReport(
        passed=not left,
        exact=True,
        worst_case_failed_hosts=tuple(host.name for host in problem.hosts),
        unplaced_vms=_unplaced_lines(problem, left),
        mode=mode,
        failure_sets=1,
        checked_sets=1,
        failing_sets=1 if left else 0,
        undecided_sets=0,
        method=N_("no surviving host"),
        demand=problem.demand.value,
        host_loads=_host_loads(problem, tuple(range(len(problem.hosts))), {}),
    )
