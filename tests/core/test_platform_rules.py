"""The non-vSphere failover rules (issue 15) against their published algorithms, worked examples and brute force.

Sources: inventories.md §5 (SCVMM: Lange 2012, Briggs 2009; XenServer: xapi binpack.ml; Nutanix pages;
Proxmox: ha-manager.adoc), xapi-project/xen-api @ e2ee48d ``ocaml/xapi/binpack.ml``, proxmox/pve-ha-manager
@ b71218f (``src/test/test-crs-static*``, ``test-basic1``: the CRM's own regression tests with their
expected logs) and proxmox-resource-scheduling @ 09c4355 ``src/pve_static.rs``.
"""

import itertools
import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hacalc.core.errors import InputError
from hacalc.core.platforms import compare_rules, platform_rule
from hacalc.core.platforms import hyperv, proxmox, xenserver
from hacalc.core.platforms.common import biggest_fit_decreasing
from hacalc.core.platforms.nutanix import failures_tolerated, segments_needed, vm_high_availability
from hacalc.core.platforms.proxmox import NodeUsage, crs_recovery, recovery_targets, static_scores, topsis
from hacalc.core.platforms.xenserver import ha_planner, uses_exhaustive
from hacalc.core.vsphere.model import VM, Cluster, ClusterSettings, Host, HostState, NutanixReservation, Platform, ProxmoxCrs
from hacalc.readers.cluster import load_cluster

GB = 1024


def cluster(platform: Platform, hosts, vms, **settings) -> Cluster:
    return Cluster(ClusterSettings("c", platform=platform, **settings), tuple(hosts), tuple(vms))


# --- Hyper-V / SCVMM ---------------------------------------------------------------------------------


def test_scvmm_cluster_reserve_by_hand():
    """Lange 2012's four steps, computed by hand [derived]: 3 hosts of 16 GB with a 2 GB host reserve.

    H1 fails: LargestM = a (4 GB), OtherM = b (2 GB). Extra: H2 = 16 - 2 - 4 (c) - 4 = 6 GB; H3 = 16 - 2 - 8
    (d, not HA but running) - 4 = 2 GB. 2 GB <= 8 GB: healthy. H3 fails: d is not HA, nothing to place.
    """
    hosts = [Host(f"H{number}", 1000, 16 * GB, host_reserve_mb=2 * GB) for number in (1, 2, 3)]
    vms = [VM("a", memory_mb=4 * GB, host="H1"), VM("b", memory_mb=2 * GB, host="H1"), VM("c", memory_mb=4 * GB, host="H2"), VM("d", memory_mb=8 * GB, host="H3", ha=False)]
    report = hyperv.cluster_reserve(cluster(Platform.hyperv, hosts, vms))
    rows = {detail.failed_hosts: detail.figures for detail in report.details}
    assert rows[("H1",)] == {"largest_vm": "a", "largest_m_mb": 4 * GB, "other_m_mb": 2 * GB, "total_extra_mb": 8 * GB, "margin_mb": 6 * GB, "extra_mb": {"H2": 6 * GB, "H3": 2 * GB}}
    assert rows[("H3",)]["largest_vm"] is None and rows[("H3",)]["other_m_mb"] == 0
    assert report.passed and report.method == "exact"
    assert any("Failover Clustering itself has no admission control" in note for note in report.notes)


def test_scvmm_overcommitted_when_other_vms_exceed_the_extra_room():
    # [derived] H1: LargestM 4 GB, OtherM 10 GB; H2 extra = 12 - 0 - 4 = 8 GB < 10 GB: overcommitted
    hosts = [Host("H1", 1, 16 * GB), Host("H2", 1, 12 * GB)]
    vms = [VM("big", memory_mb=4 * GB, host="H1")] + [VM(f"v{number}", memory_mb=2 * GB, host="H1") for number in range(5)]
    report = hyperv.cluster_reserve(cluster(Platform.hyperv, hosts, vms))
    assert not report.passed
    assert report.details[0].failed_hosts == ("H1",) and report.details[0].figures["margin_mb"] == -2 * GB


def test_briggs_eight_nodes_reserve_two_checks_every_combination_of_six_survivors():
    """Briggs 2009: an 8-node cluster with a reserve of 2 must run its VMs on "any combination of 6 nodes"."""
    hosts = [Host(f"n{number}", 1, 64 * GB) for number in range(8)]
    vms = [VM(f"v{number}", memory_mb=8 * GB, host=f"n{number % 8}") for number in range(24)]
    report = hyperv.cluster_reserve(cluster(Platform.hyperv, hosts, vms), 2)
    assert len(report.details) == math.comb(8, 2) == 28
    assert all(len(detail.figures["extra_mb"]) == 6 for detail in report.details)
    assert report.passed


def test_scvmm_passes_a_lone_vm_that_fits_nowhere_and_compare_says_so():
    """The published rule never asks whether VLargest itself fits: with OtherM = 0 the sum can be 0 and pass.
    The scenario's hv-sql01 (192 GB) is alone on hv04; no other node has 192 GB free."""
    scenario = load_cluster("scenarios/hyperv-scvmm-4-nodes.toml")
    report = platform_rule(scenario)
    alone = next(detail for detail in report.details if detail.failed_hosts == ("hv04",))
    assert alone.passed and alone.figures["other_m_mb"] == 0 and alone.figures["total_extra_mb"] == 0
    assert report.passed
    rows = {row.rule: row for row in compare_rules(scenario)}
    assert not rows["restart check, configured memory"].passed
    assert rows["SCVMM cluster reserve"].admits_unrestartable is True


def test_scvmm_approximation_is_used_past_the_limit_and_says_so(monkeypatch):
    monkeypatch.setattr(hyperv, "MAX_EXACT_SETS", 2)
    hosts = [Host(f"n{number}", 1, 64 * GB) for number in range(4)]
    vms = [VM(f"v{number}", memory_mb=8 * GB, host=f"n{number % 4}") for number in range(8)]
    report = hyperv.cluster_reserve(cluster(Platform.hyperv, hosts, vms), 2)
    assert report.method == "approximation" and "conservative bound" in report.notes[0]
    # [derived] OtherM = the 2 heaviest hosts' 16 GB each; extras 64 - 16 - 8 = 40 GB each, 2 dropped: 80 GB
    assert report.details[0].figures["other_m_mb"] == 32 * GB and report.details[0].figures["total_extra_mb"] == 80 * GB


def lange_by_definition(hosts, vms, reserve) -> bool:
    """The blog's steps, written again plainly: every set, every survivor."""
    for failed in itertools.combinations([host.name for host in hosts], reserve):
        ha = [vm.memory_mb for vm in vms if vm.ha and vm.host in failed]
        largest = max(ha, default=0)
        total = 0
        for host in hosts:
            if host.name in failed:
                continue
            extra = host.memory_mb - host.host_reserve_mb - sum(vm.memory_mb for vm in vms if vm.host == host.name) - largest
            total += extra if extra >= 0 else 0
        if sum(ha) - largest > total:
            return False
    return True


@st.composite
def placed_clusters(draw, max_hosts=4):
    count = draw(st.integers(2, max_hosts))
    hosts = [Host(f"h{number}", 1000, draw(st.integers(0, 8)) * GB, host_reserve_mb=draw(st.sampled_from([0, 512]))) for number in range(count)]
    vms = [
        VM(f"v{number}", memory_mb=draw(st.integers(0, 4)) * 512, host=draw(st.sampled_from([host.name for host in hosts])), ha=draw(st.booleans()))
        for number in range(draw(st.integers(0, 6)))
    ]
    return hosts, vms, draw(st.integers(1, count - 1))


@settings(max_examples=150, deadline=None)
@given(placed_clusters())
def test_scvmm_verdict_is_the_blogs_definition(case):
    hosts, vms, reserve = case
    assert hyperv.cluster_reserve(cluster(Platform.hyperv, hosts, vms), reserve).passed == lange_by_definition(hosts, vms, reserve)


@settings(max_examples=150, deadline=None)
@given(placed_clusters())
def test_scvmm_approximation_passes_only_where_the_exact_check_passes(case):
    """Property: the large-R bound is conservative (module docstring)."""
    hosts, vms, reserve = case
    exact = hyperv.cluster_reserve(cluster(Platform.hyperv, hosts, vms), reserve)
    original = hyperv.MAX_EXACT_SETS
    hyperv.MAX_EXACT_SETS = 0
    try:
        bound = hyperv.cluster_reserve(cluster(Platform.hyperv, hosts, vms), reserve)
    finally:
        hyperv.MAX_EXACT_SETS = original
    assert bound.method == "approximation"
    assert not bound.passed or exact.passed


@settings(max_examples=100, deadline=None)
@given(placed_clusters(), st.integers(1, 8))
def test_scvmm_more_memory_on_a_host_never_breaks_the_check(case, more_gb):
    hosts, vms, reserve = case
    before = hyperv.cluster_reserve(cluster(Platform.hyperv, hosts, vms), reserve).passed
    bigger = [replace(hosts[0], memory_mb=hosts[0].memory_mb + more_gb * GB), *hosts[1:]]
    assert not before or hyperv.cluster_reserve(cluster(Platform.hyperv, bigger, vms), reserve).passed


# --- XenServer / XCP-ng ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hosts, failures, exhaustive",
    [
        (3, 1, True),  # C(3,1)·1! = 3
        (32, 2, True),  # 496·2 = 992
        (16, 3, True),  # 560·6 = 3360 < 3500
        (17, 3, False),  # 680·6 = 4080
        (32, 3, False),  # 4960·6 = 29760
        (8, 4, True),  # 70·24 = 1680
        (33, 1, False),  # more than 32 hosts: always the approximation
    ],
)
def test_xenserver_exhaustive_only_within_binpack_ml_limits(hosts, failures, exhaustive):
    """binpack.ml choose_heuristic: n > 32 -> approximation; else exhaustive iff binomial n r * factorial r < 3500."""
    assert uses_exhaustive(hosts, failures) is exhaustive


def test_biggest_fit_decreasing_takes_the_emptiest_bin_and_leaves_out_what_does_not_fit():
    # [derived from binpack.ml] 5 -> A (6 free, 1 left); 3 -> B (5 free, 2 left); 3 fits neither 2 nor 1: left out
    placed, room = biggest_fit_decreasing([("x", 3), ("big", 5), ("y", 3)], [("A", 6), ("B", 5)])
    assert placed == {"big": "A", "x": "B"} and room == {"A": 1, "B": 2}


def test_xenserver_reports_the_heuristic_and_threshold():
    hosts = [Host(f"x{number}", 1, 16 * GB) for number in range(3)]
    vms = [VM("a", memory_mb=8 * GB, host="x0"), VM("b", memory_mb=4 * GB, host="x1")]
    report = ha_planner(cluster(Platform.xenserver, hosts, vms), 1)
    assert report.passed and report.method == "exact"
    assert "exhaustively binpack every host failure combination (C(3,1)·1! = 3 < 3500)" in report.notes[0]
    big = [Host(f"x{number}", 1, 16 * GB) for number in range(40)]
    report = ha_planner(cluster(Platform.xenserver, big, vms), 1)
    assert report.method == "approximation" and "40 hosts is more than 32" in report.notes[0]


def test_xenserver_plan_is_trivially_never_possible_with_as_many_failures_as_live_hosts():
    hosts = [Host("x0", 1, 16 * GB), Host("x1", 1, 16 * GB), Host("x2", 1, 16 * GB, state=HostState.maintenance)]
    report = ha_planner(cluster(Platform.xenserver, hosts, [VM("a", memory_mb=GB, host="x0")]), 2)
    assert not report.passed and any("no plan is ever possible: 2 live hosts for 2 failures" in note for note in report.notes)


def test_xenserver_approximation_counts_slots_of_the_largest_vm():
    """simulate_failure_approximation by hand [derived]: largest VM 4 GB; hosts free 10, 8, 4 GB -> 2, 2, 1
    slots; r = 1 drops the largest (2): 3 left; the host with most protected VMs has 3: a plan exists."""
    pool = xenserver.Pool(free=(("a", 10 * GB), ("b", 8 * GB), ("c", 4 * GB)), memory={"v1": 4 * GB, "v2": GB, "v3": GB}, placement=(("v1", "a"), ("v2", "a"), ("v3", "a")), total_hosts=40)
    detail = xenserver._approximation(pool, 1)
    assert detail.figures["slots_per_host"] == [2, 2, 1] and detail.figures["vms_to_move"] == 3 and detail.figures["slots_left"] == 3
    assert detail.passed


def restart_possible(hosts, vms, failures) -> bool:
    """Memory only, by definition: every HA VM of every failure set assigned to a survivor, all survivors' VMs kept."""
    for failed in itertools.combinations([host.name for host in hosts if host.state is HostState.connected], failures):
        free = {host.name: host.memory_mb - host.host_reserve_mb - sum(vm.memory_mb for vm in vms if vm.host == host.name) for host in hosts if host.name not in failed}
        moving = [vm for vm in vms if vm.ha and vm.host in failed and vm.memory_mb]
        if not any(
            all(sum(vm.memory_mb for vm, name in zip(moving, assignment) if name == host) <= room for host, room in free.items() if host in assignment)
            for assignment in itertools.product(list(free), repeat=len(moving))
        ):
            return False
    return True


@settings(max_examples=150, deadline=None)
@given(placed_clusters())
def test_a_xenserver_plan_means_every_failure_set_restarts(case):
    """Property: both heuristics are sound (binpack.ml: "all real failures will be easier")."""
    hosts, vms, failures = case
    if ha_planner(cluster(Platform.xenserver, hosts, vms), failures).passed:
        assert restart_possible(hosts, vms, failures)


# --- Nutanix AHV -------------------------------------------------------------------------------------


@pytest.mark.parametrize("factor, failures", [(2, 1), (3, 2)])
def test_nutanix_tolerates_rf_minus_one_host_failures(factor, failures):
    """RF2 reserves for 1 host failure, RF3 for 2 (joshodgers.com 2015; acli num_host_failures_to_tolerate)."""
    settings_ = ClusterSettings("n", platform=Platform.nutanix, replication_factor=factor)
    assert failures_tolerated(settings_) == failures
    assert failures_tolerated(settings_, 1) == 1  # the command line wins


@pytest.mark.parametrize(
    "sizes, segments",
    [([16 * GB] * 3, 1), ([32 * GB] * 6, 6), ([24 * GB] * 10, 5), ([48 * GB, 16 * GB, 16 * GB, 16 * GB], 2), ([], 0)],
)
def test_small_vms_share_a_segment(sizes, segments):
    # [derived] segments of 48 GB packed first fit decreasing ("AHV can pack multiple smaller VMs in single fixed segment")
    assert segments_needed(sizes, 48 * GB) == segments


def test_nutanix_segments_scenario():
    report = platform_rule(load_cluster("scenarios/nutanix-segments-rf2.toml"))
    rows = {detail.failed_hosts: detail.figures for detail in report.details}
    # [derived] segment 48 GB (ora01); a4's six 32 GB workers need 6; free segments: a1 = (348 - 240) // 48 = 2,
    # a2 = (348 - 256) // 48 = 1, a3 = (348 - 240) // 48 = 2: 5 < 6
    assert rows[("ntnx-a4",)] == {"segments_needed": 6, "segments_free": 5, "margin_mb": -48 * GB}
    assert not report.passed and report.tolerate == 1 and report.reserved_memory_mb == 6 * 48 * GB


def test_nutanix_best_effort_reserves_and_guarantees_nothing():
    hosts = [Host("a", 1, 64 * GB), Host("b", 1, 64 * GB)]
    report = vm_high_availability(cluster(Platform.nutanix, hosts, [VM("v", memory_mb=60 * GB, host="a")]))
    assert report.passed and report.reserved_memory_mb == 0 and report.method == "best effort: no reservation"


def test_nutanix_reserved_hosts_need_uniform_node_memory():
    hosts = [Host("a", 1, 64 * GB), Host("b", 1, 128 * GB)]
    with pytest.raises(InputError, match="same memory"):
        vm_high_availability(cluster(Platform.nutanix, hosts, [], nutanix_reservation=NutanixReservation.hosts))


def test_nutanix_reserved_host_is_emptied_onto_the_others():
    hosts = [Host(f"n{number}", 1, 64 * GB) for number in range(3)]
    vms = [VM("a", memory_mb=40 * GB, host="n0"), VM("b", memory_mb=40 * GB, host="n1"), VM("c", memory_mb=8 * GB, host="n2")]
    report = vm_high_availability(cluster(Platform.nutanix, hosts, vms, nutanix_reservation=NutanixReservation.hosts))
    assert report.details[0].failed_hosts == ("n2",) and report.details[0].figures["vms_to_move"] == ["c"]
    assert report.passed and report.reserved_memory_mb == 64 * GB


@settings(max_examples=150, deadline=None)
@given(placed_clusters())
def test_a_segment_guarantee_means_every_failure_set_restarts(case):
    hosts, vms, failures = case
    report = vm_high_availability(cluster(Platform.nutanix, hosts, vms, nutanix_reservation=NutanixReservation.segments), failures)
    if report.passed:
        assert restart_possible(hosts, vms, failures)


# --- Proxmox VE --------------------------------------------------------------------------------------


def test_pve_test_crs_static1_recovers_to_the_node_with_most_room():
    """pve-ha-manager src/test/test-crs-static1: node1 (32 cores, 100 GB) fails; vm:102 (2 cores, 4 GB) is
    recovered to node3 (300 GB), not node2 (200 GB). Memory in 10^6 bytes keeps the published ratios."""
    hosts = [Host("node1", 32, 100_000), Host("node2", 32, 200_000), Host("node3", 32, 300_000)]
    scenario = cluster(Platform.proxmox, hosts, [VM("vm:102", memory_mb=4000, cpu_mhz=2, host="node1")], proxmox_crs=ProxmoxCrs.static)
    node1 = next(detail for detail in crs_recovery(scenario).details if detail.failed_hosts == ("node1",))
    assert node1.figures["recovered"] == {"vm:102": "node3"}


def test_pve_test_crs_static3_repeats_node2_node2_node3():
    """test-crs-static3: node2 has twice node3's resources; nine 2-core 4 GB services go node2, node2, node3, …"""
    nodes = [NodeUsage("node2", 64, 200_000), NodeUsage("node3", 32, 100_000)]
    services = [VM(f"vm:{number}", memory_mb=4000, cpu_mhz=2) for number in range(101, 110)]
    targets = recovery_targets(nodes, services, ProxmoxCrs.static)
    assert [targets[f"vm:{number}"] for number in range(101, 110)] == ["node2", "node2", "node3"] * 3


def test_pve_test_crs_static4_sends_the_heavy_service_alone():
    """test-crs-static4: ct:101 (no core limit, 40 GB) to node2, the eight small ones to node3."""
    nodes = [NodeUsage("node2", 32, 100_000), NodeUsage("node3", 32, 100_000)]
    services = [VM("ct:101", memory_mb=40_000, cpu_mhz=0)] + [VM(f"ct:{number}", memory_mb=2000, cpu_mhz=2) for number in range(102, 110)]
    targets = recovery_targets(nodes, services, ProxmoxCrs.static)
    assert targets == {"ct:101": "node2", **{f"ct:{number}": "node3" for number in range(102, 110)}}


def test_pve_test_basic1_recovers_to_the_node_with_fewest_running_services():
    """test-basic1: vm:101 runs on node1, vm:102 on node2 is stopped; node3 fails and vm:103 goes to node2."""
    hosts = [Host(f"node{number}", 1, 1000) for number in (1, 2, 3)]
    vms = [VM("vm:101", memory_mb=1, host="node1"), VM("vm:102", memory_mb=1, host="node2", powered_on=False), VM("vm:103", memory_mb=1, host="node3")]
    node3 = next(detail for detail in crs_recovery(cluster(Platform.proxmox, hosts, vms)).details if detail.failed_hosts == ("node3",))
    assert node3.figures["recovered"] == {"vm:103": "node2"}


def test_pve_without_quorum_nothing_is_recovered():
    hosts = [Host(f"node{number}", 1, 1000) for number in (1, 2, 3)]
    report = crs_recovery(cluster(Platform.proxmox, hosts, [VM("vm:101", memory_mb=1, host="node1")]), 2)
    lost = next(detail for detail in report.details if "node1" in detail.failed_hosts)
    assert lost.figures["quorate"] is False and lost.figures["not_recovered"] == ["vm:101"] and not report.passed


def test_topsis_scores_alike_rows_zero_and_prefers_the_lower_row():
    assert topsis([[1.0, 2.0], [1.0, 2.0]], [1.0, 1.0]) == [0.0, 0.0]
    # [derived] the first row is best in both minimised criteria: closeness 0 to the worst … 1 for the best
    assert topsis([[1.0, 1.0], [2.0, 2.0]], [1.0, 1.0]) == [1.0, 0.0]


def pve_static_by_definition(nodes, vm):
    """pve_static.rs score_nodes_to_start_service as written: every candidate recomputes every node's shares."""
    rows = []
    for target in nodes:
        cpu = [(node.cpu + ((vm.cpu_mhz or node.max_cpu) if node is target else 0)) / node.max_cpu for node in nodes]
        memory = [(node.memory + (vm.memory_mb if node is target else 0)) / node.max_memory for node in nodes]
        rows.append([1 + math.sqrt(sum(x * x for x in cpu) / len(nodes)), 1 + max(cpu), 1 + math.sqrt(sum(x * x for x in memory) / len(nodes)), 1 + max(memory)])
    return [-score for score in topsis(rows, [1.0, 2.0, 5.0, 10.0])]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 64), st.integers(1, 512), st.integers(0, 64), st.integers(0, 512)), min_size=1, max_size=6),
    st.integers(0, 16),
    st.integers(1, 64),
)
def test_pve_static_scores_are_the_published_formula(shapes, cores, memory):
    nodes = [NodeUsage(f"n{index}", max_cpu, max_memory * GB, cpu=float(used_cpu), memory=used_memory * GB) for index, (max_cpu, max_memory, used_cpu, used_memory) in enumerate(shapes)]
    vm = VM("vm:100", memory_mb=memory * GB, cpu_mhz=cores)
    scores = static_scores(nodes, vm)
    assert [scores[node.name] for node in nodes] == pytest.approx(pve_static_by_definition(nodes, vm), abs=1e-9)


def test_pve_too_many_sets_to_replay_checks_the_heaviest_nodes(monkeypatch):
    monkeypatch.setattr(proxmox, "MAX_STATIC_SCORINGS", 0)
    report = platform_rule(load_cluster("scenarios/proxmox-static-3-nodes.toml"))
    assert report.method == "best effort: no reservation; approximation"
    assert [detail.failed_hosts for detail in report.details] == [("pve3",)]  # 160 GB of HA guests, the most
    assert any("too many to replay" in note for note in report.notes)


def test_pve_static_needs_configured_cpu():
    hosts = [Host("a", 1, 1000), Host("b", 1, 1000)]
    with pytest.raises(InputError, match="cpu_mhz"):
        crs_recovery(cluster(Platform.proxmox, hosts, [VM("v", memory_mb=1, host="a")], proxmox_crs=ProxmoxCrs.static))


def test_pve_static_scenario_overcommits_when_the_big_node_fails():
    report = platform_rule(load_cluster("scenarios/proxmox-static-3-nodes.toml"))
    pve3 = next(detail for detail in report.details if detail.failed_hosts == ("pve3",))
    # [derived] usable 128 - 16 = 112 GB each; pve1 56 GB of guests + vm:301's 96 = 152: 40 GB over;
    # pve2 68 GB + vm:302's 64 = 132: 20 GB over
    assert pve3.figures["recovered"] == {"vm:301": "pve1", "vm:302": "pve2"}
    assert pve3.figures["overcommitted_mb"] == {"pve1": 40 * GB, "pve2": 20 * GB}
    assert pve3.figures["not_recovered"] == ["vm:303"]


# --- side by side ------------------------------------------------------------------------------------


def test_compare_rows_and_platform_rule_dispatch():
    scenario = load_cluster("scenarios/xenserver-pool-3-hosts.toml")
    rows = compare_rules(scenario)
    assert [row.rule for row in rows] == [
        "restart check, configured memory",
        "vSphere HA slot policy",
        "vSphere HA percentage policy",
        "SCVMM cluster reserve",
        "XenServer HA planner",
        "Nutanix AHV HA guarantee, reserved segments",
        "Proxmox VE CRS recovery",
    ]
    assert rows[0].admits_unrestartable is None and all(row.admits_unrestartable is False for row in rows[1:])
    assert set(rows[0].as_dict()) == {"platform", "rule", "tolerate", "passed", "method", "reserved_memory_mb", "reserved_cpu_mhz", "admits_unrestartable", "note"}
    assert platform_rule(scenario).rule == "XenServer HA planner"
    assert platform_rule(replace(scenario, settings=replace(scenario.settings, platform=Platform.vsphere))) is None


def test_compare_checks_vsphere_policies_as_vsphere_on_any_platform():
    """vSphere admission counts reservations: with none, the slot policy admits the Proxmox lab whose
    restart check fails, whatever the file's platform says."""
    rows = {row.rule: row for row in compare_rules(load_cluster("scenarios/proxmox-static-3-nodes.toml"))}
    assert rows["vSphere HA slot policy"].passed and rows["vSphere HA slot policy"].admits_unrestartable is True
    assert not rows["Proxmox VE CRS recovery"].passed


def test_platform_rules_need_configured_memory():
    hosts = [Host("a", 1, 1000), Host("b", 1, 1000)]
    with pytest.raises(InputError, match="memory_mb"):
        platform_rule(cluster(Platform.hyperv, hosts, [VM("v", host="a")]))
