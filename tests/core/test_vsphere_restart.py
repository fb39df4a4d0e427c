"""The restart check: will every VM of every set of F failed hosts restart on the survivors? (issue 4 §3)"""

import itertools
import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hacalc.core.vsphere.check import check_cluster
from hacalc.core.vsphere.model import VM, Cluster, ClusterSettings, Demand, FieldError, Host, Policy, RestartPriority
from hacalc.core.vsphere import restart as restart_module
from hacalc.core.vsphere.restart import restart_check

GB = 1024


def test_fragmentation_passes_admission_control_but_a_vm_cannot_restart():
    """HA Deepdive (vsphere-ha.md §5 pain point 5): the percentage policy admits a VM that fits nowhere after a failure.

    Three 16 GB hosts; A runs one 4 GB VM, B and C run 13 VMs of 1 GB each. 37 % of memory is free, well above 25 %,
    but when A fails B and C have 3 GB each: 6 GB in all, and no single host can take 4 GB.
    """
    hosts = (Host("A", 20000, 16 * GB), Host("B", 20000, 16 * GB), Host("C", 20000, 16 * GB))
    vms = (
        VM("big", 0, 4 * GB - 100, 100, host="A", restart_priority=RestartPriority.high),
        *(VM(f"{host}{number}", 0, GB - 100, 100, host=host) for host in "BC" for number in range(13)),
    )
    settings_ = ClusterSettings("frag", vsphere="6.7", policy=Policy.percentage, cpu_percent=25, memory_percent=25)
    report = check_cluster(Cluster(settings_, hosts, vms))
    assert report.policy_passed
    assert not report.restart.passed and report.restart.exact
    assert report.restart.worst_case_failed_hosts == ("A",)
    assert [(vm.name, vm.restart_priority, vm.memory_mb) for vm in report.restart.unplaced_vms] == [("big", "high", 4 * GB)]
    assert not report.passed


def test_packing_finds_what_best_fit_decreasing_misses():
    """Two 7 GB survivors and VMs of 3, 3, 2, 2, 2, 2 GB: best-fit decreasing strands a 2 GB VM, yet
    3+2+2 / 3+2+2 fits. The check must prove the placement (MILP) and pass, exactly."""
    hosts = (Host("X", 50000, 64 * GB), Host("A", 50000, 7 * GB), Host("B", 50000, 7 * GB))
    vms = tuple(VM(f"v{number}", 0, size * GB, host="X") for number, size in enumerate([3, 3, 2, 2, 2, 2]))
    report, _ = restart_check(hosts, vms, 1)
    assert report.passed and report.exact
    assert "milp" in report.method
    assert report.failure_sets == 3 and report.failing_sets == 0


def test_without_milp_a_set_only_milp_can_prove_is_undecided_not_failed():
    """The same set as above with the cheap proofs only (as the other demand basis is compared): undecided, never FAIL."""
    hosts = (Host("X", 50000, 64 * GB), Host("A", 50000, 7 * GB), Host("B", 50000, 7 * GB))
    vms = tuple(VM(f"v{number}", 0, size * GB, host="X") for number, size in enumerate([3, 3, 2, 2, 2, 2]))
    report, _ = restart_check(hosts, vms, 1, milp=False)
    assert not report.passed and report.failing_sets == 0 and report.undecided_sets == 1
    assert "milp" not in report.method


def test_unplaced_vms_listed_by_restart_priority():
    """After the failure the highest priorities are restarted first, as HA orders restarts; the rest are listed."""
    hosts = (Host("A", 10000, 12 * GB), Host("B", 10000, 5 * GB))
    vms = (
        VM("low", 0, 3 * GB, host="A", restart_priority=RestartPriority.low),
        VM("top", 0, 3 * GB, host="A", restart_priority=RestartPriority.highest),
        VM("mid", 0, 3 * GB, host="A", restart_priority=RestartPriority.medium),
        VM("resident", 0, 1 * GB, host="B"),
        VM("never", 0, 1 * GB, host="A", restart_priority=RestartPriority.disabled),
    )
    report, _ = restart_check(hosts, vms, 1)
    assert not report.passed and report.exact
    assert report.worst_case_failed_hosts == ("A",)
    assert [vm.name for vm in report.unplaced_vms] == ["mid", "low"]  # "top" restarts; "never" is not restarted


def test_vms_without_placement_are_packed_onto_the_survivors():
    """No placement: all powered-on VMs must fit on the hosts left after any F failures."""
    hosts = tuple(Host(f"h{number}", 10000, 10 * GB) for number in range(3))
    six = tuple(VM(f"v{number}", 0, 3 * GB) for number in range(6))
    report, _ = restart_check(hosts, six, 1)
    assert report.passed and report.exact and report.mode == "packed"
    report, _ = restart_check(hosts, (*six, VM("v6", 0, 3 * GB)), 1)
    assert not report.passed and report.exact
    assert report.failure_sets == 3 and report.failing_sets == 3  # identical hosts: one set checked, three counted


def test_no_survivor_and_no_failure():
    hosts = (Host("a", 1000, GB), Host("b", 1000, GB))
    vms = (VM("v", 0, 512, host="a"),)
    everything, _ = restart_check(hosts, vms, 2)
    assert not everything.passed and everything.exact and [vm.name for vm in everything.unplaced_vms] == ["v"]
    nothing, _ = restart_check(hosts, vms, 0)
    assert nothing.passed and nothing.exact


def test_too_many_failure_sets_is_not_exact():
    """Past the enumeration limit only the heaviest sets are checked; a pass is then not a proof."""
    hosts = tuple(Host(f"h{number}", 10000, 10 * GB) for number in range(6))
    vms = tuple(VM(f"v{number}", number * 10, GB, host=f"h{number}") for number in range(6))
    report, warnings = restart_check(hosts, vms, 2, max_failure_sets=3)
    assert report.passed and not report.exact
    assert any("not exact" in warning for warning in warnings)


def test_overcommitted_host_is_warned_about():
    hosts = (Host("a", 1000, GB), Host("b", 1000, 4 * GB))
    _, warnings = restart_check(hosts, (VM("v", 0, 2 * GB, host="a"),), 1)
    assert warnings == ["host a: the VMs placed on it reserve more than its capacity"]


def brute_force_passes(hosts, vms, tolerate) -> bool:
    return brute_force_failing_sets(hosts, vms, tolerate) == 0


def brute_force_failing_sets(hosts, vms, tolerate) -> int:
    """Every failure set, every assignment of the displaced VMs to survivors: the definition, slowly."""
    names = [host.name for host in hosts]
    failing = 0
    for failed in itertools.combinations(names, tolerate):
        survivors = [host for host in hosts if host.name not in failed]
        free = {host.name: [host.cpu_mhz, host.memory_mb] for host in survivors}
        moving = []
        for vm in vms:
            if vm.host in free:
                free[vm.host][0] -= vm.cpu_reservation_mhz
                free[vm.host][1] -= vm.memory_reservation_mb + vm.memory_overhead_mb
            else:
                moving.append(vm)
        moving = [vm for vm in moving if vm.cpu_reservation_mhz or vm.memory_reservation_mb + vm.memory_overhead_mb]
        if not any(_fits(moving, assignment, free) for assignment in itertools.product(list(free), repeat=len(moving))):
            failing += 1
    return failing


def _fits(moving, assignment, free) -> bool:
    used = {name: [0, 0] for name in free}
    for vm, name in zip(moving, assignment):
        used[name][0] += vm.cpu_reservation_mhz
        used[name][1] += vm.memory_reservation_mb + vm.memory_overhead_mb
    # A host whose own VMs already overcommit it takes nothing more; the VMs running there stay.
    return all(used[name] == [0, 0] or used[name][0] <= free[name][0] and used[name][1] <= free[name][1] for name in free)


@st.composite
def small_clusters(draw):
    host_count = draw(st.integers(2, 4))
    hosts = [Host(f"h{number}", draw(st.integers(0, 8)) * 500, draw(st.integers(0, 8)) * 512) for number in range(host_count)]
    vms = []
    for number in range(draw(st.integers(0, 6))):
        placed = draw(st.one_of(st.none(), st.sampled_from([host.name for host in hosts])))
        vms.append(VM(f"v{number}", draw(st.integers(0, 4)) * 500, draw(st.integers(0, 4)) * 512, 0, host=placed))
    return hosts, vms, draw(st.integers(0, host_count - 1))


@settings(max_examples=80, deadline=None)
@given(small_clusters())
def test_restart_check_agrees_with_brute_force(cluster):
    """Property: on small clusters the verdict equals exhaustive search over every failure set and assignment, and is exact."""
    hosts, vms, tolerate = cluster
    report, _ = restart_check(hosts, vms, tolerate)
    assert report.passed == brute_force_passes(hosts, vms, tolerate)
    assert report.exact


@settings(max_examples=80, deadline=None)
@given(small_clusters())
def test_failing_sets_are_the_brute_force_count(cluster):
    """Property: every set is decided on small clusters, and the failing ones are exactly those exhaustive search finds."""
    hosts, vms, tolerate = cluster
    report, _ = restart_check(hosts, vms, tolerate)
    assert (report.failing_sets, report.undecided_sets) == (brute_force_failing_sets(hosts, vms, tolerate), 0)
    assert report.checked_sets == report.failure_sets == math.comb(len(hosts), tolerate)


@settings(max_examples=40, deadline=None)
@given(small_clusters())
def test_an_extra_empty_host_never_breaks_the_restart_check(cluster):
    """Property: a large empty host only adds room, so a passing cluster keeps passing."""
    hosts, vms, tolerate = cluster
    before, _ = restart_check(hosts, vms, tolerate)
    after, _ = restart_check([*hosts, Host("extra", 10**6, 10**6)], vms, tolerate)
    assert after.passed or not before.passed


def test_unplaced_vms_are_listed_in_natural_name_order():
    from hacalc.core.vsphere.restart import _natural_order

    names = ["QA-APP-10", "QA-APP-7", "QA-APP-1", "DB"]
    assert sorted(names, key=_natural_order) == ["DB", "QA-APP-1", "QA-APP-7", "QA-APP-10"]


def test_failure_sets_are_screened_in_chunks_sized_by_the_displaced_vms(monkeypatch):
    """Review: 4,096 sets per chunk times 20,000 unplaced VMs took 5.4 GB. A chunk holds at most CHUNK_CELLS
    (set, VM or host) cells, and how the sets are chunked does not change the report."""
    hosts = tuple(Host(f"h{number}", 100000 + number, 400000 + number) for number in range(30))
    vms = tuple(VM(f"v{number}", 10 + number % 7, 20 + number % 11) for number in range(2000))
    whole, _ = restart_check(hosts, vms, 2)
    screened = []
    screen_chunk = restart_module._screen_chunk
    monkeypatch.setattr(restart_module, "CHUNK_CELLS", 100_000)
    monkeypatch.setattr(restart_module, "_screen_chunk", lambda problem, chosen: screened.append(len(chosen)) or screen_chunk(problem, chosen))
    chunked, _ = restart_check(hosts, vms, 2)
    assert chunked == whole and whole.failure_sets == 435
    assert sum(screened) == 435 and max(screened) == 100_000 // (2000 + 30)


def four_hosts_two_failures():
    """Issue 8 §2: 4 hosts, F = 2. Free memory after their own VMs: H0 12-6 = 6, H1 11-4 = 7, H2 12-7 = 5, H3 11-6 = 5 GB.

    By hand (GB): {H0,H1} moves 2,4,4 onto 5+5: each 5 takes one 4, the 2 fits nowhere: fails.
    {H0,H2} moves 2,4,3,4 = 13 onto 7+5 = 12: fails (capacity). {H1,H2} moves 4,3,4 onto 6+5: a 4 on each
    leaves 2 and 1, the 3 fits nowhere: fails. {H0,H3} moves 2,4,3,3 onto 7+5: 4+3 | 3+2 fits, but
    best-fit decreasing puts the 4 on H2 and strands the 2. {H2,H3} moves 3,4,3,3 onto 6+7: 3+3 | 4+3 fits,
    best fit strands a 3. {H1,H3} moves 4,3,3 onto 6+5: fits. So 3 sets fail, and best fit gives up on 5.
    """
    hosts = (Host("H0", 100000, 12 * GB), Host("H1", 100000, 11 * GB), Host("H2", 100000, 12 * GB), Host("H3", 100000, 11 * GB))
    sizes = {"H0": [2, 4], "H1": [4], "H2": [3, 4], "H3": [3, 3]}
    vms = tuple(VM(f"{host}-{number}", 0, size * GB, host=host) for host, row in sizes.items() for number, size in enumerate(row))
    return hosts, vms


def test_only_proven_failures_count_as_failing():
    """Issue 8 §2: this case reported 5 failing where 3 fail: the two sets best fit gave up on were never decided."""
    hosts, vms = four_hosts_two_failures()
    report, _ = restart_check(hosts, vms, 2)
    assert brute_force_failing_sets(hosts, vms, 2) == 3
    assert (report.failure_sets, report.checked_sets, report.failing_sets, report.undecided_sets) == (6, 6, 3, 0)
    assert not report.passed and report.exact
    assert report.worst_case_failed_hosts == ("H0", "H2") and report.method == "capacity bound, milp"


def test_sets_no_proof_decides_are_undecided_not_failing(monkeypatch):
    """Without MILP only {H0,H2} is proven (capacity bound) and {H1,H3} placed; the other four stay undecided."""
    monkeypatch.setattr(restart_module, "MILP_MAX_VARIABLES", 0)
    hosts, vms = four_hosts_two_failures()
    report, _ = restart_check(hosts, vms, 2)
    assert (report.failing_sets, report.undecided_sets) == (1, 4)
    assert not report.passed and report.exact  # the FAIL is proven; the failing count is a lower bound
    assert report.worst_case_failed_hosts == ("H0", "H2") and report.method == "capacity bound"


def test_undecided_sets_alone_fail_the_check_without_a_proof(monkeypatch):
    """A pass needs every set proven to restart. The set that needs MILP (see the best-fit test above) is
    undecided without it: FAIL, not exact, no set proven failing and no VM claimed to stay down."""
    monkeypatch.setattr(restart_module, "MILP_MAX_VARIABLES", 0)
    hosts = (Host("X", 50000, 64 * GB), Host("A", 50000, 7 * GB), Host("B", 50000, 7 * GB))
    vms = tuple(VM(f"v{number}", 0, size * GB, host="X") for number, size in enumerate([3, 3, 2, 2, 2, 2]))
    report, _ = restart_check(hosts, vms, 1)
    assert (report.failure_sets, report.failing_sets, report.undecided_sets) == (3, 0, 1)
    assert not report.passed and not report.exact
    assert report.worst_case_failed_hosts == ("X",) and report.unplaced_vms == ()


def test_large_vms_that_cannot_share_a_host_prove_a_failure():
    """Survivors with 5 GB free each and three 3 GB VMs: 9 GB fits the 10 GB in total and each VM fits a host,
    but a host holds one 3 GB VM, so the third fails (checked by brute force). The large-VM bound proves it."""
    hosts = (Host("X", 50000, 64 * GB), Host("A", 50000, 5 * GB), Host("B", 50000, 5 * GB))
    vms = tuple(VM(f"v{number}", 0, 3 * GB, host="X") for number in range(3))
    report, _ = restart_check(hosts, vms, 1)
    assert brute_force_failing_sets(hosts, vms, 1) == 1
    assert (report.failing_sets, report.undecided_sets, report.method) == (1, 0, "large-VM bound")
    assert report.exact and not report.passed


def test_a_milp_answer_over_capacity_by_solver_tolerance_is_not_a_proof():
    """HiGHS accepts x = 0.9999999 as integral; rounded, a 5,000 MB VM on 4,999 MB free is over: no proof."""
    import numpy as np

    from hacalc.core.vsphere.restart import _placement_holds

    vm_index, host_index = np.array([0]), np.array([0])
    cpu, memory = np.array([0.0]), np.array([5000.0])
    assert not _placement_holds(np.array([0.9999999]), vm_index, host_index, cpu, memory, np.array([100.0]), np.array([4999.0]))
    assert _placement_holds(np.array([0.9999999]), vm_index, host_index, cpu, memory, np.array([100.0]), np.array([5000.0]))



def _overcommitted_cluster(**vm_fields) -> Cluster:
    """Three 16 GB hosts, each running two VMs that reserve 2 GB and are configured with 6 GB (100 MB overhead)."""
    hosts = tuple(Host(name, 20000, 16 * GB) for name in "ABC")
    fields = {"memory_mb": 6 * GB, **vm_fields}
    vms = tuple(VM(f"{host}{number}", 0, 2 * GB, 100, host=host, **fields) for host in "ABC" for number in (1, 2))
    return Cluster(ClusterSettings("over", vsphere="6.7", policy=Policy.percentage, cpu_percent=25, memory_percent=25), hosts, vms)


def test_reservations_restart_every_vm_but_configured_memory_does_not():
    """Issue 9 §3 "admission control green, overcommitted after any host failure".

    Reservations: each host holds 2 x (2048 + 100) = 4296 MB, so 16384 - 4296 = 12088 MB free per survivor;
    a failed host's two VMs need 2148 MB each and fit: 0 of the 3 sets fail.
    Configured: each host holds 2 x (6144 + 100) = 12488 MB, so 3896 MB free per survivor; a displaced VM
    needs 6244 MB and fits no survivor: all 3 sets fail, and both VMs of the failed host stay down.
    """
    reservation = check_cluster(_overcommitted_cluster())
    assert reservation.policy_passed and reservation.restart.passed and reservation.restart.failing_sets == 0
    assert reservation.restart.demand == "reservation"
    assert reservation.restart.other_demand.as_dict() == {"demand": "configured", "passed": False, "failing_sets": 3, "undecided_sets": 0}

    configured = check_cluster(_overcommitted_cluster(), demand=Demand.configured)
    restart = configured.restart
    assert restart.demand == "configured" and not configured.passed and configured.policy_passed
    assert (restart.failure_sets, restart.failing_sets, restart.undecided_sets, restart.exact) == (3, 3, 0, True)
    assert [(vm.name, vm.memory_mb, vm.host) for vm in restart.unplaced_vms] == [(f"{restart.worst_case_failed_hosts[0]}{n}", 6244, restart.worst_case_failed_hosts[0]) for n in (1, 2)]
    assert restart.other_demand.as_dict() == {"demand": "reservation", "passed": True, "failing_sets": 0, "undecided_sets": 0}


def test_the_demand_basis_changes_only_the_restart_check():
    """Admission control always counts reservations: the policy sections are the same on either basis."""
    reservation = check_cluster(_overcommitted_cluster())
    configured = check_cluster(_overcommitted_cluster(), demand="configured")
    assert (configured.slot, configured.percentage, configured.performance) == (reservation.slot, reservation.percentage, reservation.performance)


def test_the_other_basis_is_left_out_when_a_vm_has_no_configured_memory():
    report = check_cluster(_overcommitted_cluster(memory_mb=None))
    assert report.restart.passed and report.restart.other_demand is None


def test_configured_demand_without_configured_memory_is_bad_input_naming_the_vm():
    with pytest.raises(FieldError) as caught:
        check_cluster(_overcommitted_cluster(memory_mb=None), demand=Demand.configured)
    assert caught.value.path == ("vms", "A1", "memory_mb") and "'A1'" in caught.value.what


def test_a_powered_off_vm_needs_no_configured_memory():
    cluster = _overcommitted_cluster()
    cluster = Cluster(cluster.settings, cluster.hosts, (*cluster.vms, VM("off", 0, 0, 0, powered_on=False)))
    assert check_cluster(cluster, demand=Demand.configured).restart.failing_sets == 3


@pytest.mark.parametrize(
    ("memory_mb", "words"),
    [(2 * GB - 1, "below its memory reservation"), (-1, "negative configured memory"), (2**32, "more configured memory than any host")],
)
def test_impossible_configured_memory_is_bad_input_with_the_field_path(memory_mb, words):
    with pytest.raises(FieldError) as caught:
        check_cluster(_overcommitted_cluster(memory_mb=memory_mb))
    assert caught.value.path == ("vms", "A1", "memory_mb") and words in caught.value.what


def test_restart_check_counts_configured_memory_when_asked():
    """A (8 GB) runs a, configured with 4 GB; B (12 GB) runs b, configured with 5 GB; both reserve 1 GB.

    Configured: when A fails, a's 4096 MB fits in B's 12288 - 5120 = 7168 MB free; when B fails, b's 5120 MB
    does not fit in A's 8192 - 4096 = 4096 MB free: 1 of 2 sets fails. Reservations: 1024 MB fits either way.
    """
    hosts = (Host("A", 10000, 8 * GB), Host("B", 10000, 12 * GB))
    vms = (VM("a", 0, GB, 0, host="A", memory_mb=4 * GB), VM("b", 0, GB, 0, host="B", memory_mb=5 * GB))
    report, _ = restart_check(hosts, vms, 1, demand=Demand.configured)
    assert report.failing_sets == 1 and report.worst_case_failed_hosts == ("B",)
    assert [(vm.name, vm.memory_mb) for vm in report.unplaced_vms] == [("b", 5 * GB)]
    assert restart_check(hosts, vms, 1)[0].passed


def with_hosts_out(hosts, vms, group):
    """The hosts and VMs of the cluster with ``group`` out: the others, and the group's VMs without a host."""
    names = {hosts[position].name for position in group}
    return [host for host in hosts if host.name not in names], [replace(vm, host=None) if vm.host in names else vm for vm in vms]


def test_a_group_out_then_a_failure_is_screened_as_the_failure_of_both():
    """Three hosts of 10 GB. a runs an 8 GB VM HA never restarts and a 2 GB one; b and c one 3 GB VM each.
    With a out, b's failure leaves 3 + 2 GB for c's 7 GB free: proven. With b out, c's failure leaves
    3 + 3 GB for a, which is full: not proven (and b's own check fails)."""
    hosts = [Host(name, 10000, 10 * GB) for name in "abc"]
    vms = [
        VM("never", 0, 8 * GB, host="a", restart_priority=RestartPriority.disabled),
        VM("small", 0, 2 * GB, host="a"),
        VM("b1", 0, 3 * GB, host="b"),
        VM("c1", 0, 3 * GB, host="c"),
    ]
    assert restart_module.proven_with_hosts_out(hosts, vms, 1, [[0], [1], [2]]) == [True, False, False]
    assert [restart_check(*with_hosts_out(hosts, vms, [position]), 1)[0].passed for position in range(3)] == [True, False, False]
    assert restart_module.proven_with_hosts_out(hosts, vms, 1, [[0, 1]]) == [False]  # one host left: not screened
    assert restart_module.proven_with_hosts_out(hosts, vms, 0, [[0, 1]]) == [True]  # c takes 2 + 3 GB


@settings(max_examples=80, deadline=None)
@given(small_clusters(), st.lists(st.booleans(), min_size=6, max_size=6))
def test_a_group_is_proven_out_only_when_its_own_check_passes(cluster, disabled):
    """Property: every group of one or two hosts the screen proves passes the restart check of the cluster
    with that group out (its VMs without a host), some never restarted."""
    hosts, vms, tolerate = cluster
    vms = [replace(vm, restart_priority=RestartPriority.disabled) if off else vm for vm, off in zip(vms, disabled)]
    groups = [[position] for position in range(len(hosts))] + [list(pair) for pair in itertools.combinations(range(len(hosts)), 2)]
    for group, proven in zip(groups, restart_module.proven_with_hosts_out(hosts, vms, tolerate, groups)):
        others, moved = with_hosts_out(hosts, vms, group)
        if proven:
            assert len(others) > tolerate
            assert restart_check(others, moved, tolerate)[0].passed, group
