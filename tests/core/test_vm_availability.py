"""Per-VM availability in a described cluster (issue 12 §2): hand-derived cases, the k >= 3 method, HA's order."""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from hacalc.core.errors import InputError
from hacalc.core.vsphere.check import check_cluster
from hacalc.core.vsphere.model import VM, Cluster, ClusterSettings, Host, Policy, RestartPriority
from hacalc.core.vsphere.restart import _priority_greedy, _problem, _set_arrays
from hacalc.core.vsphere.vm_availability import _priority_greedy_sets, vm_availability

HOUR = 3600.0
YEAR = 365 * 86400.0
MTTF, MTTR = 50_000 * HOUR, 8 * HOUR
RESTART = 15 + 60 + 120  # the defaults: detect 15 s + restart 1 m + boot 2 m


def chain(n, crews, mttf=MTTF, mttr=MTTR):
    """Steady state of k hosts down, by the product formula written out (reliability-math.md §2.2), not markov.birth_death.

    p_k ∝ Π_{i<k} (n - i)·λ / (min(i + 1, r)·μ); D_k, the mean time from k down to k - 1, by D_n = 1/d_n and
    D_k = (1 + b_k·D_{k+1}) / d_k (a first step from k either repairs, or fails one more host and must come back).
    """
    lam, mu = 1 / mttf, 1 / mttr
    weights = [1.0]
    for i in range(n):
        weights.append(weights[-1] * (n - i) * lam / (min(i + 1, crews) * mu))
    total = sum(weights)
    p = [w / total for w in weights]
    d = [0.0] * (n + 2)
    for k in range(n, 0, -1):
        d[k] = (1 + ((n - k) * lam * d[k + 1] if k < n else 0.0)) / (min(k, crews) * mu)
    return lam, p, d


def three_hosts(vm_memory, priorities, policy=Policy.none):
    hosts = tuple(Host(f"esx0{i}", 10_000, 10_240) for i in (1, 2, 3))
    vms = tuple(VM(f"vm{i}", 0, vm_memory, 0, host=f"esx0{i}", restart_priority=priority) for i, priority in zip((1, 2, 3), priorities))
    return Cluster(ClusterSettings("three", policy=policy, tolerate=1), hosts, vms)


@pytest.mark.parametrize("crews", [1, 2, 3])
def test_three_identical_hosts_every_vm_placed_matches_the_hand_formula(crews):
    # Three hosts, one small VM each: every single and double failure places every VM; only when all three
    # hosts are down is there nowhere to go.
    # Hand derivation: a VM's host fails at rate λ·P(host up) = λ·(1 - E[K]/3), each failure costing the
    # restart time d, so U_restart = λ·(1 - E[K]/3)·d. (With a crew per host, r = 3, a host's repair takes
    # MTTR and flow balance λ·P(up) = P(down)/MTTR turns this into the familiar P(host down)·d/MTTR.)
    # The host fails into the all-down set from one of the C(3,2) = 3 double-failure sets, the given one
    # having probability p_2/3, at rate λ·p_2/3; the VM then waits D_3 = 1/(min(3, r)·μ) for the first
    # repair, after which one host is up and takes it: U_no_capacity = λ·p_2/3·D_3.
    cluster = three_hosts(1024, [RestartPriority.medium] * 3)
    report = vm_availability(cluster, host_mttf_s=MTTF, host_mttr_s=MTTR, crews=crews)
    lam, p, d = chain(3, crews)
    host_down = sum(k * p[k] for k in range(4)) / 3
    restart = lam * (1 - host_down) * RESTART
    no_capacity = lam * p[2] / 3 * d[3]
    assert d[3] == pytest.approx(1 / (min(3, crews) / MTTR))
    if crews == 3:
        assert restart == pytest.approx(host_down * RESTART / MTTR, rel=1e-12)
    for vm in report.vms:
        assert vm.restart_s == pytest.approx(restart * YEAR, rel=1e-9)
        assert vm.no_capacity_s == pytest.approx(no_capacity * YEAR, rel=1e-9)
        assert vm.unavailability == pytest.approx(restart + no_capacity, rel=1e-9)
        assert vm.availability == pytest.approx(1 - restart - no_capacity, rel=1e-15)
    assert report.vm_downtime_hours_per_year == pytest.approx(3 * (restart + no_capacity) * YEAR / HOUR, rel=1e-9)
    assert [level.method for level in report.levels] == ["exact", "exact", "exact"]


def test_passes_tolerate_one_but_double_failures_leave_vms_down_by_the_hand_formula():
    # Each host has 10 GB and runs one 4 GB VM: any one failure leaves 6 GB free on each of two survivors
    # (passes tolerate 1), any two leave one survivor with 6 GB for two 4 GB VMs: HA's order restarts the
    # higher priority one. Priorities: vm1 high on esx01, vm2 medium on esx02, vm3 low on esx03.
    cluster = three_hosts(4096, [RestartPriority.high, RestartPriority.medium, RestartPriority.low])
    assert check_cluster(cluster, tolerate=1).passed
    assert not check_cluster(cluster, tolerate=2).restart.passed
    report = vm_availability(cluster, host_mttf_s=MTTF, host_mttr_s=MTTR, crews=1)
    lam, p, d = chain(3, 1)
    two = lam * p[1] / 3  # the host fails while one given other host is down
    three = lam * p[2] / 3  # the host fails while the other two are down
    # vm1: never left over in a double failure; all down: one repair always brings a host that takes it.
    # vm2: left over in {esx01, esx02} (waits D_2; one repair gives {esx02}, which places it, or brings esx02
    #      back); all down: D_3, then with chance 1/3 the repair of esx03 leaves {esx01, esx02}: + D_2/3.
    # vm3: left over in {esx01, esx03} and {esx02, esx03}; all down: D_3 + 2/3·D_2.
    expected = {
        "vm1": three * d[3],
        "vm2": two * d[2] + three * (d[3] + d[2] / 3),
        "vm3": 2 * two * d[2] + three * (d[3] + 2 * d[2] / 3),
    }
    by_name = {vm.name: vm for vm in report.vms}
    for name, fraction in expected.items():
        assert by_name[name].no_capacity_s == pytest.approx(fraction * YEAR, rel=1e-9), name
    # the point of the feature: a tolerate-1 cluster still loses VM-hours to double failures, and how many
    double = report.levels[1]
    assert double.failed_hosts == 2 and double.method == "exact" and double.sets_leaving_vms_down == 3
    assert double.no_capacity_vm_hours_per_year == pytest.approx(3 * two * d[2] * YEAR / HOUR, rel=1e-9)
    assert report.levels[0].no_capacity_vm_hours_per_year == 0
    weakest = report.weakest()
    assert [vm.name for vm in weakest] == ["vm3", "vm2", "vm1"]
    assert weakest[0].why.startswith("not placed when esx01 and esx03 fail")


def test_disabled_and_powered_off_vms():
    hosts = tuple(Host(f"h{i}", 10_000, 10_240) for i in range(4))
    vms = (
        VM("off", 0, 1024, host="h0", powered_on=False),
        VM("never", 0, 1024, host="h1", restart_priority=RestartPriority.disabled),
        VM("free", 0, 0, 0, host="h2"),
    )
    report = vm_availability(Cluster(ClusterSettings("c", policy=Policy.none), hosts, vms), host_mttf_s=MTTF, host_mttr_s=MTTR)
    by_name = {vm.name: vm for vm in report.vms}
    assert set(by_name) == {"never", "free"}
    lam, p, _ = chain(4, 1)
    host_down = sum(k * p[k] for k in range(5)) / 4
    assert by_name["never"].not_restarted_s == pytest.approx(host_down * YEAR, rel=1e-9)
    assert by_name["never"].restart_s == 0
    assert by_name["free"].restart_s == pytest.approx(lam * (1 - host_down) * RESTART * YEAR, rel=1e-9)
    assert by_name["free"].no_capacity_s == 0


def generated(hosts, vms, fill):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenarios"))
    from generate_cluster import build

    data = build(hosts, vms, fill=0.5, tolerate=1, policy="none", seed=3)
    used = {}
    for vm in data["vms"]:
        if vm.get("host"):
            used[vm["host"]] = used.get(vm["host"], 0) + vm["memory_reservation_mb"] + vm["memory_overhead_mb"]
    host_list = tuple(Host(h["name"], h["cpu_mhz"], int(used.get(h["name"], 0) / fill) + 40_000) for h in data["hosts"])
    vm_list = tuple(
        VM(v["name"], v["cpu_reservation_mhz"], v["memory_reservation_mb"], v["memory_overhead_mb"], v["powered_on"], v.get("host"), RestartPriority(v["restart_priority"]))
        for v in data["vms"]
    )
    return Cluster(ClusterSettings("generated", policy=Policy.none), host_list, vm_list)


def test_vectorised_restart_order_leaves_the_same_vms_as_the_restart_check():
    cluster = generated(8, 300, 0.9)
    problem, _ = _problem(cluster.hosts, cluster.vms, "reservation")
    rng = np.random.default_rng(5)
    for size in (1, 2, 3):
        sets = np.array([sorted(rng.choice(8, size=size, replace=False)) for _ in range(20)], dtype=np.int64)
        items, left = _priority_greedy_sets(problem, sets)
        for row, failed in enumerate(sets):
            single_items, free_cpu, free_memory = _set_arrays(problem, tuple(failed))
            expected = sorted(_priority_greedy(problem, single_items, free_cpu, free_memory))
            assert sorted(items[row][left[row]].tolist()) == expected


def test_level_three_is_exact_when_small_and_sampled_with_an_error_bar_when_not():
    cluster = generated(7, 250, 0.93)
    exact = vm_availability(cluster, host_mttf_s=2_000 * HOUR, host_mttr_s=24 * HOUR)
    sampled = vm_availability(cluster, host_mttf_s=2_000 * HOUR, host_mttr_s=24 * HOUR, exact_level3_sets=10, sample_sets=400, seed=2)
    assert exact.levels[2].method == "exact" and "k=3: all 35 failure sets, exact" in exact.method
    assert sampled.levels[2].method == "sampled" and "k=3: 400 of 35 sets sampled at random (seed 2)" in sampled.method
    assert "1 s.e." in sampled.method
    assert exact.levels[3].method == "upper bound" and exact.levels[3].or_more and "k≥4: upper bound" in exact.method
    level, estimate = exact.levels[2], sampled.levels[2]
    assert level.no_capacity_vm_hours_per_year > 0, "the case must lose VMs at level 3 to test anything"
    assert estimate.no_capacity_stderr_vm_hours > 0
    assert abs(estimate.no_capacity_vm_hours_per_year - level.no_capacity_vm_hours_per_year) < 4 * estimate.no_capacity_stderr_vm_hours
    # levels 1 and 2 are exact either way
    assert sampled.levels[1].no_capacity_vm_hours_per_year == pytest.approx(exact.levels[1].no_capacity_vm_hours_per_year, rel=1e-12)


def test_more_failures_and_fewer_crews_never_help():
    cluster = three_hosts(4096, [RestartPriority.high, RestartPriority.medium, RestartPriority.low])
    one = vm_availability(cluster, host_mttf_s=MTTF, host_mttr_s=MTTR, crews=1)
    three = vm_availability(cluster, host_mttf_s=MTTF, host_mttr_s=MTTR, crews=3)
    worse = vm_availability(cluster, host_mttf_s=MTTF / 10, host_mttr_s=MTTR, crews=1)
    for a, b, c in zip(one.vms, three.vms, worse.vms):
        assert b.unavailability <= a.unavailability < c.unavailability


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"host_mttf_s": 0.0}, "host MTTF"),
        ({"host_mttr_s": -1.0}, "host MTTR"),
        ({"crews": 0}, "crews"),
        ({"ha_detect_s": -5.0}, "ha_detect"),
        ({"boot_s": math.inf}, "boot"),
        ({"host_mttf_s": 100.0}, "restart time"),
    ],
)
def test_bad_input_is_an_input_error(changes, words):
    cluster = three_hosts(1024, [RestartPriority.medium] * 3)
    arguments = {"host_mttf_s": MTTF, "host_mttr_s": MTTR, **changes}
    with pytest.raises(InputError, match=words):
        vm_availability(cluster, **arguments)
