"""What availability does each VM of a described cluster get? Host failures, HA restarts and capacity (issue 12 §2).

The model [derived; reliability-math.md §2.2 for the chain]:

* The N counted hosts fail independently, each at rate λ = 1/host_mttf, and ``crews`` crews repair them, each
  at rate μ = 1/host_mttr: the number K of hosts down is a birth–death chain (births (N-k)·λ, deaths
  min(k, crews)·μ; ``markov.birth_death``), with steady-state probabilities p_k. Hosts are identical in
  failure and repair, so given K = k every set of k failed hosts is equally likely: a particular set S of
  size k has probability p_k / C(N, k).
* A VM runs on its host h (a VM the file places on no counted host runs on one of the N hosts, each equally
  likely). Host h fails and makes the set S of failed hosts (h ∈ S, |S| = k) at rate
  λ·p_{k-1}/C(N, k-1): the chain is in one of the C(N, k-1) sets S \\ {h} and h fails. Summed over S this is
  λ·(1 - E[K]/N), the rate at which h fails.
* Every such failure costs the VM ``ha_detect + ha_restart + boot`` (the "restart" share, deterministic).
  If the restart check's own answer for S is that not every displaced VM can be placed, HA's restart
  order (``restart._priority_greedy``: highest priority first, largest first within a priority, best fit)
  decides which VMs are left over; those also wait for capacity (the "no_capacity" share). When the check
  proves that every displaced VM fits (bounds, best-fit packing or MILP), none waits, even where HA's
  greedy order alone would leave one over.
* A VM left over in S waits W(S): the chain's exact mean first-passage time from k down to k - 1,
  D_k = (1 + (N-k)·λ·D_{k+1}) / (min(k, crews)·μ) (it counts further failures during the wait), then, if one
  repair does not restore it, the wait in the set that repair leaves: W(S) = D_k + (1/k)·Σ_{x ∈ S}
  [left over in S \\ {x}]·W(S \\ {x}). The host repaired first is taken to be any of S with equal
  chance, and the wait ends on the set S less that host (an excursion above k is taken to return to S).
  A VM is not left over once its own host is back.
* Levels k ≤ 2 (every single and double failure) are averaged over every failure set exactly. Level 3 is
  exact when it has at most ``EXACT_LEVEL3_SETS`` sets, else ``sample_sets`` sets drawn at random (seeded)
  with one standard error reported. Levels k ≥ 4 are an upper bound: every displaced VM is counted down
  until the chain returns to all hosts up (Σ_{j ≤ k} D_j).
* Restart priority ``disabled``: never restarted, down while its host is down (E[K]/N of the time; the
  "not_restarted" share). Powered-off VMs are not reported.

Not modelled: storage, network partitions and isolation, correlated host failures, failures of the VM's
guest or application (``hacalc protect``), a host failing during a restart, the VM's own later moves (a
restarted VM is counted as on its own host: its exposure to host failures is λ wherever it runs), and
which host a repair crew takes first (repairs are taken in random order).

numpy is imported inside functions, scipy only when MILP is needed (as in ``restart``).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hacalc.core import markov
from hacalc.core.errors import InputError
from hacalc.i18n import N_, Message, _, joined, plural
from hacalc.core.vsphere.check import _counted_states
from hacalc.core.vsphere.model import Cluster, Demand, RestartPriority
from hacalc.core.vsphere.restart import (
    FEASIBLE,
    INFEASIBLE,
    PRIORITY_ORDER,
    _decide_by_milp,
    _displaced,
    _homeless,
    _large_vms_overflow,
    _problem,
    _screen,
    _set_arrays,
)

EXACT, SAMPLED, UPPER_BOUND = N_("exact"), N_("sampled"), N_("upper bound")  # a level's method: JSON values, translated where shown
YEAR_SECONDS = 365 * 86400  # the 8760-hour year (reliability-math.md §1.4), as the rest of hacalc by default
EXACT_LEVEL3_SETS = 20_000
SAMPLE_SETS = 1_000
COUNTED_LEVELS = 3  # levels 1..3 from the restart placement; above, the upper bound
WEAKEST = 10
GREEDY_CELLS = 4_000_000  # sets x hosts x (a few arrays) per chunk of the vectorised greedy
WAIT_CELLS = 4_000_000  # sets x VMs per chunk of the wait arrays
DEFAULT_HA_DETECT_S = 15.0  # das.failuredetectiontime default, 15000 ms (vsphere-ha.md §2.1)
DEFAULT_HA_RESTART_S = 60.0
DEFAULT_BOOT_S = 120.0


@dataclass(frozen=True)
class VmAvailability:
    name: str
    host: str | None
    restart_priority: str
    availability: float
    unavailability: float
    restart_s: float  # downtime seconds per year, by cause
    no_capacity_s: float
    not_restarted_s: float
    why: str
    no_capacity_stderr_s: float = 0.0  # from sampled level-3 sets

    @property
    def total_s(self) -> float:
        return self.restart_s + self.no_capacity_s + self.not_restarted_s

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "host": self.host,
            "restart_priority": self.restart_priority,
            "availability": self.availability,
            "unavailability": self.unavailability,
            "downtime_seconds_per_year": {
                "restart": self.restart_s,
                "no_capacity": self.no_capacity_s,
                "not_restarted": self.not_restarted_s,
                "total": self.total_s,
            },
            "why": self.why,
        }


@dataclass(frozen=True)
class Level:
    """One level of the chain: k hosts down."""

    failed_hosts: int
    probability: float
    failure_sets: int
    checked_sets: int
    sets_leaving_vms_down: float  # counted (or, when sampled, estimated) over all sets of the level
    method: str  # "exact", "sampled" or "upper bound"
    restart_vm_hours_per_year: float  # VM downtime from host failures that make this level
    no_capacity_vm_hours_per_year: float
    no_capacity_stderr_vm_hours: float = 0.0
    or_more: bool = False  # this many failed hosts or more (the bounded levels, as one row)

    def as_dict(self) -> dict[str, Any]:
        return {
            "failed_hosts": self.failed_hosts,
            "or_more": self.or_more,
            "probability": self.probability,
            "failure_sets": self.failure_sets,
            "checked_sets": self.checked_sets,
            "sets_leaving_vms_down": None if math.isnan(self.sets_leaving_vms_down) else self.sets_leaving_vms_down,
            "method": self.method,
            "restart_vm_hours_per_year": self.restart_vm_hours_per_year,
            "no_capacity_vm_hours_per_year": self.no_capacity_vm_hours_per_year,
            "no_capacity_stderr_vm_hours": self.no_capacity_stderr_vm_hours,
        }


@dataclass(frozen=True)
class AvailabilityReport:
    vms: tuple[VmAvailability, ...]
    levels: tuple[Level, ...]
    method: str
    assumptions: tuple[str, ...]
    inputs: dict[str, Any] = field(default_factory=dict)
    undecided_sets: int = 0

    @property
    def vm_downtime_hours_per_year(self) -> float:
        return math.fsum(vm.total_s for vm in self.vms) / 3600

    @property
    def no_capacity_stderr_hours(self) -> float:
        return math.sqrt(math.fsum(level.no_capacity_stderr_vm_hours**2 for level in self.levels))

    def weakest(self, count: int = WEAKEST) -> list[VmAvailability]:
        return sorted(self.vms, key=lambda vm: (-vm.unavailability, _natural_order(vm.name)))[:count]

    def as_dict(self) -> dict[str, Any]:
        return {
            "vms": [vm.as_dict() for vm in self.vms],
            "vm_downtime_hours_per_year": self.vm_downtime_hours_per_year,
            "vm_downtime_stderr_hours": self.no_capacity_stderr_hours,
            "weakest": [
                {"name": vm.name, "unavailability": vm.unavailability, "downtime_seconds_per_year": vm.total_s, "why": vm.why} for vm in self.weakest()
            ],
            "levels": [level.as_dict() for level in self.levels],
            "undecided_sets": self.undecided_sets,
            "method": self.method,
            "assumptions": list(self.assumptions),
            "inputs": dict(self.inputs),
        }


def vm_availability(
    cluster: Cluster,
    *,
    host_mttf_s: float,
    host_mttr_s: float,
    crews: int = 1,
    ha_detect_s: float = DEFAULT_HA_DETECT_S,
    ha_restart_s: float = DEFAULT_HA_RESTART_S,
    boot_s: float = DEFAULT_BOOT_S,
    demand: Demand = Demand.reservation,
    sample_sets: int = SAMPLE_SETS,
    exact_level3_sets: int = EXACT_LEVEL3_SETS,
    seed: int = 1,
    time_budget_s: float = 5.0,
    milp: bool = True,
    year_seconds: float = YEAR_SECONDS,
) -> AvailabilityReport:
    """Per-VM availability of ``cluster``'s powered-on VMs under host failures (the module docstring's model)."""
    import numpy as np

    _validate(host_mttf_s, host_mttr_s, crews, ha_detect_s, ha_restart_s, boot_s, sample_sets)
    demand = Demand(demand)
    counted_states = _counted_states(cluster.settings)
    hosts = [host for host in cluster.hosts if host.state in counted_states]
    if not hosts:
        raise InputError(_("the cluster has no counted host"), "in the cluster", _("availability needs at least one connected host"))
    n = len(hosts)
    rate, repair = 1.0 / float(host_mttf_s), 1.0 / float(host_mttr_s)
    restart = float(ha_detect_s) + float(ha_restart_s) + float(boot_s)
    births = [(n - k) * rate for k in range(n + 1)]
    deaths = [min(k, crews) * repair for k in range(n + 1)]
    p = markov.birth_death(births, deaths)
    down = _passage_down(births, deaths)  # down[k] = D_k, k = 1..n
    host_up = 1.0 - math.fsum(k * p[k] for k in range(n + 1)) / n  # P(a given host is up)

    problem, _mode = _problem(hosts, cluster.vms, demand)
    movable = {id(vm): index for index, vm in enumerate(problem.vms)}
    host_index = {host.name: position for position, host in enumerate(hosts)}
    floating = np.zeros(len(problem.vms), dtype=bool)
    floating[problem.floating] = True

    deadline = time.monotonic() + time_budget_s
    levels_max = min(COUNTED_LEVELS, n)
    state = _LevelState(problem, n, p, down, rate, floating, year_seconds)
    undecided = 0
    levels: list[Level] = []
    for k in range(1, levels_max + 1):
        total_sets = math.comb(n, k)
        sampled = k >= 3 and total_sets > exact_level3_sets
        if sampled:
            rng = np.random.default_rng(seed)
            sets = np.sort(np.array([rng.choice(n, size=k, replace=False) for _ in range(sample_sets)], dtype=np.int64), axis=1)
        else:
            sets = np.array(list(itertools.combinations(range(n), k)), dtype=np.int64).reshape(total_sets, k)
        left, level_undecided = _left_over(problem, sets, deadline, milp)
        undecided += level_undecided
        level = state.add(k, sets, left, sampled, total_sets)
        restart_hours = len(problem.vms) * restart * rate * p[k - 1] * (n - k + 1) / n * year_seconds / 3600
        levels.append(dataclasses.replace(level, restart_vm_hours_per_year=restart_hours))

    # Levels above the counted ones, as one row: every displaced VM down until all hosts are up again (an upper bound).
    bound_rate = math.fsum(rate * p[k - 1] * (n - k + 1) / n * math.fsum(down[1 : k + 1]) for k in range(levels_max + 1, n + 1))
    if levels_max < n:
        restart_rate = math.fsum(rate * p[k - 1] * (n - k + 1) / n for k in range(levels_max + 1, n + 1))
        levels.append(
            Level(
                levels_max + 1, math.fsum(p[levels_max + 1 :]), sum(math.comb(n, k) for k in range(levels_max + 1, n + 1)), 0, float("nan"),
                UPPER_BOUND, len(problem.vms) * restart * restart_rate * year_seconds / 3600, len(problem.vms) * bound_rate * year_seconds / 3600,
                or_more=True,
            )
        )

    lines = []
    for vm in cluster.vms:
        if not vm.powered_on:
            continue
        name_host = vm.host if vm.host in host_index else None
        if vm.restart_priority is RestartPriority.disabled:
            fraction = 1.0 - host_up
            lines.append(_line(vm, name_host, 0.0, 0.0, fraction, year_seconds, N_("restart priority disabled: down while its host is down")))
            continue
        restart_fraction = restart * rate * host_up
        index = movable.get(id(vm))
        if index is None:  # needs no capacity: restarts anywhere
            lines.append(_line(vm, name_host, restart_fraction, 0.0, 0.0, year_seconds, _restart_why(restart)))
            continue
        no_capacity = float(state.no_capacity[index]) + bound_rate
        stderr = math.sqrt(float(state.variance[index])) * year_seconds
        lines.append(_line(vm, name_host, restart_fraction, no_capacity, 0.0, year_seconds, state.why(index, hosts, restart), stderr))

    method = _method(levels, n, crews, undecided, sample_sets, seed, milp)
    inputs = {
        "host_mttf_hours": float(host_mttf_s) / 3600,
        "host_mttr_hours": float(host_mttr_s) / 3600,
        "crews": crews,
        "ha_detect_seconds": float(ha_detect_s),
        "ha_restart_seconds": float(ha_restart_s),
        "boot_seconds": float(boot_s),
        "restart_seconds": restart,
        "counted_hosts": n,
        "demand": demand.value,
        "year_hours": year_seconds / 3600,
    }
    return AvailabilityReport(tuple(lines), tuple(levels), method, ASSUMPTIONS, inputs, undecided)


ASSUMPTIONS = (
    "hosts fail independently with exponential times (rate 1/host MTTF) and are repaired by the given crews with exponential times (rate 1/host MTTR each)",
    "identical hosts: given k hosts down, every set of k failed hosts is equally likely",
    "a VM is down for ha_detect + ha_restart + boot (deterministic) after each failure of its host",
    "a displaced VM that the restart check's placement (HA's restart priority order) leaves over waits for repairs: the chain's exact mean passage time from k to k - 1, then the wait of the set one random repair leaves",
    "when the restart check proves that every displaced VM fits, none waits",
    "levels of 4 or more failed hosts: every displaced VM counted down until all hosts are up again (an upper bound)",
    "not modelled: storage, network partitions and isolation, correlated failures, guest and application failures, a second failure during a restart",
)


def _validate(mttf: float, mttr: float, crews: int, detect: float, restart: float, boot: float, sample_sets: int) -> None:
    for name, value in (("host MTTF", mttf), ("host MTTR", mttr)):
        if not math.isfinite(float(value)) or float(value) <= 0:
            raise InputError(
                _("{name} {value:g} s is not positive").format(name=name, value=float(value)), name.replace(" ", "_").lower(),
                _("give a duration greater than zero, e.g. 50000h and 8h"),
            )
    if isinstance(crews, bool) or int(crews) != crews or crews < 1:
        raise InputError(_("crews {crews} is not a whole number of at least 1").format(crews=crews), "crews", _("give 1 or more repair crews"))
    for name, value in (("ha_detect", detect), ("ha_restart", restart), ("boot", boot)):
        if not math.isfinite(float(value)) or float(value) < 0:
            raise InputError(_("{name} {value:g} s is not a duration of zero or more").format(name=name, value=float(value)), name, _("give a finite duration of zero or more"))
    if float(detect) + float(restart) + float(boot) >= float(mttf):
        raise InputError(
            _("the restart time is not shorter than the host MTTF"), "ha_detect + ha_restart + boot",
            _("give a restart of seconds or minutes and a host MTTF of thousands of hours"),
        )
    if sample_sets < 1:
        raise InputError(_("sample_sets {sets} is below 1").format(sets=sample_sets), "sample_sets", _("sample at least one failure set"))


def _passage_down(births: Sequence[float], deaths: Sequence[float]) -> list[float]:
    """D_k, the mean time from k hosts down to first reach k - 1: D_n = 1/deaths[n], D_k = (1 + births[k]·D_{k+1})/deaths[k].

    A sum of positive terms (no cancellation). D_0 is unused (0).
    """
    n = len(births) - 1
    down = [0.0] * (n + 1)
    for k in range(n, 0, -1):
        down[k] = (1.0 + (births[k] * down[k + 1] if k < n else 0.0)) / deaths[k]
    return down


def _left_over(problem: Any, sets: Any, deadline: float, milp: bool) -> tuple[Any, int]:
    """[P, V] bool: the VMs each failure set leaves down, and the number of sets left undecided.

    HA's restart order first (vectorised, the same steps as ``restart._priority_greedy``); where it leaves a
    VM over, the restart check's proofs decide whether some placement fits everything (then none is down)
    or not (then HA's order says who is); undecided sets keep HA's leftovers (pessimistic).
    """
    import numpy as np

    count, vms = len(sets), len(problem.vms)
    left = np.zeros((count, vms), dtype=bool)
    if not vms or not count:
        return left, 0
    chunk = max(1, GREEDY_CELLS // max(1, len(problem.hosts) * 8))
    for start in range(0, count, chunk):
        window = slice(start, start + chunk)
        items, stranded = _priority_greedy_sets(problem, sets[window])
        rows, columns = np.nonzero(stranded)
        left[rows + start, items[rows, columns]] = True
    open_rows = np.flatnonzero(left.any(axis=1))
    if not len(open_rows):
        return left, 0
    verdict, _utilisation = _screen(problem, sets[open_rows])
    left[open_rows[verdict == FEASIBLE]] = False
    undecided = 0
    for row in open_rows[(verdict != FEASIBLE) & (verdict != INFEASIBLE)]:
        outcome = _decide(problem, tuple(int(host) for host in sets[row]), deadline, milp)
        if outcome == FEASIBLE:
            left[row] = False
        elif outcome is None:
            undecided += 1
    return left, undecided


def _decide(problem: Any, failed: tuple[int, ...], deadline: float, milp: bool) -> int | None:
    """The restart check's remaining proofs for one set: a VM that fits nowhere, the large-VM bound, MILP."""
    items, free_cpu, free_memory = _set_arrays(problem, failed)
    if len(_homeless(problem, items, free_cpu, free_memory)):
        return INFEASIBLE
    cpu, memory = problem.cpu[items], problem.memory[items]
    if _large_vms_overflow(memory, cpu, free_memory, free_cpu) or _large_vms_overflow(cpu, memory, free_cpu, free_memory):
        return INFEASIBLE
    if not milp or time.monotonic() >= deadline:
        return None
    verdict, _proof = _decide_by_milp(problem, failed, deadline)
    return verdict


def _priority_greedy_sets(problem: Any, sets: Any) -> tuple[Any, Any]:
    """``restart._priority_greedy`` for many failure sets at once: ([P, L] VM indexes in restart order, [P, L] left over).

    Same order (the check's displaced order, largest first, then a stable sort by restart priority), same
    fit test and best-fit score, computed afresh at each step in float64, so the same VMs are left over.
    """
    import numpy as np

    count = len(sets)
    items = _displaced(problem, sets)
    if items.shape[1] == 0:
        return items, np.zeros(items.shape, dtype=bool)
    priority = np.array([PRIORITY_ORDER[vm.restart_priority] for vm in problem.vms], dtype=np.int64)
    keys = np.where(items >= 0, priority[np.maximum(items, 0)], len(PRIORITY_ORDER))
    items = np.take_along_axis(items, np.argsort(keys, axis=1, kind="stable"), axis=1)
    rows = np.arange(count)
    free_cpu = np.broadcast_to(problem.free_cpu, (count, len(problem.hosts))).copy()
    free_memory = np.broadcast_to(problem.free_memory, (count, len(problem.hosts))).copy()
    free_cpu[rows[:, None], sets] = -np.inf
    free_memory[rows[:, None], sets] = -np.inf
    stranded = np.zeros(items.shape, dtype=bool)
    for step in range(items.shape[1]):
        item = items[:, step]
        valid = item >= 0
        safe = np.maximum(item, 0)
        cpu, memory = problem.cpu[safe], problem.memory[safe]
        fits = (free_cpu >= cpu[:, None]) & (free_memory >= memory[:, None])
        any_fit = fits.any(axis=1)
        score = np.where(fits, free_cpu / problem.scale_cpu + free_memory / problem.scale_memory, np.inf)
        target = score.argmin(axis=1)
        placed = valid & any_fit
        free_cpu[rows[placed], target[placed]] -= cpu[placed]
        free_memory[rows[placed], target[placed]] -= memory[placed]
        stranded[:, step] = valid & ~any_fit
    return items, stranded


class _LevelState:
    """Left-over VMs per failure set, level by level, and each VM's no-capacity share (fraction of time)."""

    def __init__(self, problem: Any, n: int, p: Sequence[float], down: Sequence[float], rate: float, floating: Any, year_seconds: float) -> None:
        import numpy as np

        self.problem, self.n, self.p, self.down, self.rate, self.floating = problem, n, p, down, rate, floating
        self.year_seconds = year_seconds
        vms = len(problem.vms)
        self.no_capacity = np.zeros(vms)
        self.variance = np.zeros(vms)  # of the sampled levels' estimate, as a fraction of time squared
        self.sets_down: dict[int, Any] = {}  # per level: failure sets (checked) that leave the VM down
        self.sampled: dict[int, int] = {}  # sampled levels: sets checked
        self.worst = np.zeros(vms)  # the largest single set's contribution
        self.worst_set: list[tuple[int, ...] | None] = [None] * vms
        self.rows: dict[int, dict[tuple[int, ...], int]] = {0: {(): 0}}
        self.left: dict[int, Any] = {0: np.zeros((1, vms), dtype=bool)}
        self.sets: dict[int, Any] = {0: np.zeros((1, 0), dtype=np.int64)}

    def add(self, k: int, sets: Any, left: Any, sampled: bool, total_sets: int) -> Level:
        import numpy as np

        n, vms = self.n, left.shape[1]
        weight = self.rate * self.p[k - 1] / math.comb(n, k - 1)  # rate of one host failing into one set S
        per_vm = np.where(self.floating, k / n, 1.0) * weight
        scale = total_sets / len(sets) if sampled else 1.0
        per_set_total = np.zeros(len(sets))
        sums, squares = np.zeros(vms), np.zeros(vms)  # of the sampled sets' contributions, per VM
        chunk = max(1, WAIT_CELLS // max(1, vms))
        for start in range(0, len(sets), chunk):
            window = slice(start, start + chunk)
            block = left[window]
            if not block.any():
                continue
            wait = self.wait(k, sets[window]) * block  # [rows, V], zero where not left over
            contribution = wait * per_vm
            per_set_total[window] = contribution.sum(axis=1)
            self.no_capacity += scale * contribution.sum(axis=0)
            if sampled:
                sums += contribution.sum(axis=0)
                squares += (contribution**2).sum(axis=0)
            self.sets_down[k] = self.sets_down.get(k, 0) + block.sum(axis=0)
            best = contribution.argmax(axis=0)
            value = contribution[best, np.arange(vms)]
            better = np.flatnonzero(value > self.worst)
            self.worst[better] = value[better]
            for vm in better.tolist():
                self.worst_set[vm] = tuple(int(host) for host in sets[start + best[vm]])
        if sampled:
            self.sampled[k] = len(sets)
            # the estimate is total_sets · (mean over the sampled sets), sets leaving the VM up counting 0
            samples = len(sets)
            mean = sums / samples
            spread = np.clip(squares / samples - mean**2, 0, None) * samples / max(1, samples - 1)
            self.variance += total_sets**2 * spread / samples
        else:
            self.rows[k] = {tuple(int(host) for host in row): position for position, row in enumerate(sets)}
            self.left[k] = left
            self.sets[k] = sets
        leaving = float(left.any(axis=1).sum()) * scale
        hours = float(per_set_total.sum()) * scale * self.year_seconds / 3600
        stderr = 0.0
        if sampled and len(sets) > 1:
            stderr = total_sets * float(np.std(per_set_total, ddof=1)) / math.sqrt(len(sets)) * self.year_seconds / 3600
        return Level(k, self.p[k], total_sets, len(sets), leaving, SAMPLED if sampled else EXACT, 0.0, hours, stderr)

    def wait(self, k: int, sets: Any) -> Any:
        """[rows, V]: W(S) for each VM, as if it were left over in S (the caller masks by who is)."""
        import numpy as np

        vms = len(self.problem.vms)
        wait = np.full((len(sets), vms), self.down[k])
        if k == 1:
            return wait  # one repair leaves no host down: every VM placed
        rows = self.rows[k - 1]
        for position in range(k):
            smaller = np.delete(sets, position, axis=1)
            index = np.array([rows[tuple(int(host) for host in row)] for row in smaller], dtype=np.int64)
            still = self.left[k - 1][index]
            if still.any():
                wait += np.where(still, self.wait(k - 1, smaller), 0.0) / k
        return wait

    def why(self, index: int, hosts: Sequence[Any], restart: float) -> str:
        failed = self.worst_set[index]
        if failed is None:
            return _restart_why(restart)
        names = [hosts[position].name for position in failed]
        counts = {k: int(counted[index]) for k, counted in self.sets_down.items() if int(counted[index])}
        counts[len(failed)] -= 1
        others = [_other_failures(count, k, self.sampled.get(k)) for k, count in sorted(counts.items()) if count]
        if others:
            return Message(N_("not placed when {hosts_fail} (and in {others})"), hosts_fail=_hosts_fail(names), others=joined(others))
        return Message(N_("not placed when {hosts_fail}"), hosts_fail=_hosts_fail(names))


LEVEL_WORDS = {1: N_("single"), 2: N_("double"), 3: N_("triple")}


def _other_failures(count: int, failed_hosts: int, sampled: int | None) -> Message:
    """``2 double failures``, ``3 of 1,000 sampled triple failures``: the other failure sets that leave a VM down."""
    level = Message(LEVEL_WORDS[failed_hosts]) if failed_hosts in LEVEL_WORDS else Message(N_("{k}-host"), k=failed_hosts)
    if sampled is None:
        return plural(count, N_("{count:,} {level} failure"), N_("{count:,} {level} failures"), level=level)
    return plural(count, N_("{count:,} of {sampled:,} sampled {level} failure"), N_("{count:,} of {sampled:,} sampled {level} failures"), level=level, sampled=sampled)


def _line(vm: Any, host: str | None, restart: float, no_capacity: float, not_restarted: float, year: float, why: str, stderr: float = 0.0) -> VmAvailability:
    unavailability = restart + no_capacity + not_restarted
    return VmAvailability(
        vm.name, host, vm.restart_priority.value, 1.0 - unavailability, unavailability,
        restart * year, no_capacity * year, not_restarted * year, why, stderr,
    )


def _restart_why(restart: float) -> str:
    return Message(N_("only restarts after its host fails ({restart:g} s each)"), restart=restart)


def _hosts_fail(names: Sequence[str]) -> Message:
    if len(names) == 1:
        return Message(N_("{host} fails"), host=names[0])
    return Message(N_("{hosts} and {last} fail"), hosts=", ".join(names[:-1]), last=names[-1])


def _method(levels: Sequence[Level], n: int, crews: int, undecided: int, sample_sets: int, seed: int, milp: bool) -> str:
    parts = [plural(crews, N_("birth–death chain of {hosts} hosts, {count} crew"), N_("birth–death chain of {hosts} hosts, {count} crews"), hosts=n)]
    for level in levels:
        if level.method == EXACT:
            parts.append(Message(N_("k={k}: all {sets:,} failure sets, exact"), k=level.failed_hosts, sets=level.failure_sets))
        elif level.method == SAMPLED:
            parts.append(Message(
                N_("k={k}: {checked:,} of {sets:,} sets sampled at random (seed {seed}), no-capacity {hours:.3g} ± {stderr:.2g} VM-h/yr (1 s.e.)"),
                k=level.failed_hosts, checked=level.checked_sets, sets=level.failure_sets, seed=seed,
                hours=level.no_capacity_vm_hours_per_year, stderr=level.no_capacity_stderr_vm_hours,
            ))
    bounded = [level for level in levels if level.method == UPPER_BOUND]
    if bounded:
        extra = math.fsum(level.no_capacity_vm_hours_per_year for level in bounded)
        parts.append(Message(
            N_("k≥{k}: upper bound (every displaced VM down until all hosts are up), {hours:.2g} VM-h/yr"), k=bounded[0].failed_hosts, hours=extra
        ))
    if undecided:
        one, many = (N_("{count:,} failure set not decided cheaply nor by MILP in the time budget: counted with HA's priority-order leftovers (pessimistic)"),
                     N_("{count:,} failure sets not decided cheaply nor by MILP in the time budget: counted with HA's priority-order leftovers (pessimistic)")) if milp else \
                    (N_("{count:,} failure set not decided cheaply (MILP off): counted with HA's priority-order leftovers (pessimistic)"),
                     N_("{count:,} failure sets not decided cheaply (MILP off): counted with HA's priority-order leftovers (pessimistic)"))
        parts.append(plural(undecided, one, many))
    return joined(parts, "; ")


def _natural_order(name: str) -> list[Any]:
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", name)]
