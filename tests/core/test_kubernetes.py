"""The Kubernetes rule: PDB arithmetic, requests, taints, and the exact node-failure reschedule check.

Sources:
- PDBs: kubernetes/kubernetes pkg/controller/disruption/disruption_test.go at 003e86297d18a8538c9da3619871393f9703bf70
  (each case names its Go test; ``VerifyPdbStatus(allowed, currentHealthy, desiredHealthy, expectedPods)``).
- Requests: kubernetes.io/docs/concepts/workloads/pods/init-containers/#resource-sharing-within-containers and
  kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/#resource-sharing-within-containers.
- Taints: kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/ (its key1=value1:NoSchedule examples,
  and tolerationSeconds: 3600).
- The ratio alert: vsphere-ha.md EX-11 / TV-13 (4 nodes x 8 cores, requests of 25 cores fire, 24 do not).
- The check: a brute force over every assignment of the displaced pods on small clusters.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hacalc.core.errors import InputError
from hacalc.core.platforms.kubernetes import (
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
    can_run_on,
    check_kubernetes,
    eviction_seconds,
    pdb_status,
    pod_requests,
    scaled_value,
)

FOO_BAR = LabelSelector((("foo", "bar"),))


def pods_of(count: int, owner: Owner | None = None, ready: int | None = None, labels=None) -> list[KubePod]:
    ready = count if ready is None else ready
    return [KubePod(f"pod-{index}", labels=labels or {"foo": "bar"}, owner=owner, ready=index < ready) for index in range(count)]


def status(pdb, pods, replicas=None):
    result = pdb_status(pdb, pods, replicas or {})
    return result.disruptions_allowed, result.current_healthy, result.desired_healthy, result.expected_pods


# PodDisruptionBudgets ------------------------------------------------------------------------------


def test_unavailable_integer_min_available_counts_pods():
    """TestUnavailable: minAvailable 3, four ready pods -> (1, 4, 3, 4); one not ready -> (0, 3, 3, 4)."""
    pdb = PodDisruptionBudget("foobar", selector=FOO_BAR, min_available=3)
    assert status(pdb, pods_of(4)) == (1, 4, 3, 4)
    assert status(pdb, pods_of(4, ready=3)) == (0, 3, 3, 4)


def test_integer_max_unavailable_follows_the_replica_set_scale():
    """TestIntegerMaxUnavailableWithScaling: maxUnavailable 2, RS of 7 with one pod -> (0, 1, 5, 7); scaled to 5 -> (0, 1, 3, 5)."""
    rs = Owner("ReplicaSet", "foobar", "rs-uid")
    pdb = PodDisruptionBudget("foobar", selector=FOO_BAR, max_unavailable=2)
    assert status(pdb, pods_of(1, rs), {"rs-uid": 7}) == (0, 1, 5, 7)
    assert status(pdb, pods_of(1, rs), {"rs-uid": 5}) == (0, 1, 3, 5)


def test_percentage_max_unavailable_rounds_up():
    """TestPercentageMaxUnavailableWithScaling: 30% of 7 rounds up to 3 -> desired 4; of 3 rounds up to 1 -> desired 2."""
    rs = Owner("ReplicaSet", "foobar", "rs-uid")
    pdb = PodDisruptionBudget("foobar", selector=FOO_BAR, max_unavailable="30%")
    assert status(pdb, pods_of(1, rs), {"rs-uid": 7}) == (0, 1, 4, 7)
    assert status(pdb, pods_of(1, rs), {"rs-uid": 3}) == (0, 1, 2, 3)


def test_replica_set_percentage_min_available():
    """TestReplicaSet: minAvailable 20% of an RS of 10 with one pod -> (0, 1, 2, 10)."""
    pdb = PodDisruptionBudget("foobar", selector=FOO_BAR, min_available="20%")
    assert status(pdb, pods_of(1, Owner("ReplicaSet", "foobar", "rs")), {"rs": 10}) == (0, 1, 2, 10)


def test_replication_controller_34_percent_of_3_is_2_and_a_rogue_pod_only_adds_health():
    """TestReplicationController: 34% of 3 rounds up to 2; three ready pods allow 1; a ready pod without a controller makes it 2."""
    rc = Owner("ReplicationController", "foobar", "rc")
    pdb = PodDisruptionBudget("foobar", selector=FOO_BAR, min_available="34%")
    pods = pods_of(3, rc)
    assert status(pdb, pods[:2], {"rc": 3}) == (0, 2, 2, 3)
    assert status(pdb, pods, {"rc": 3}) == (1, 3, 2, 3)
    rogue = KubePod("rogue", labels={"foo": "bar"})
    assert status(pdb, [*pods, rogue], {"rc": 3})[0] == 2


def test_naked_pods_allow_no_disruption_under_a_percentage_or_max_unavailable():
    """TestNakedPod (28%) and TestIntegerMaxUnavailable (maxUnavailable 1): a pod without a controller -> 0 allowed."""
    assert status(PodDisruptionBudget("foobar", selector=FOO_BAR, min_available="28%"), pods_of(1))[0] == 0
    assert status(PodDisruptionBudget("foobar", selector=FOO_BAR, max_unavailable=1), pods_of(1))[0] == 0
    assert pdb_status(PodDisruptionBudget("foobar", selector=FOO_BAR, max_unavailable=1), pods_of(1), {}).unmanaged_pods == 1


def test_scale_resource_max_unavailable_5_of_10_with_4_pods():
    """TestScaleResource: replicas 10, 4 pods, maxUnavailable 5 -> (0, 4, 5, 10)."""
    owner = Owner("customresource", "x", "custom")
    assert status(PodDisruptionBudget("foobar", selector=FOO_BAR, max_unavailable=5), pods_of(4, owner), {"custom": 10}) == (0, 4, 5, 10)


def test_an_empty_selector_matches_every_pod_and_a_missing_one_none():
    """TestNoSelector: an empty selector with minAvailable 3 and one pod -> (0, 1, 3, 1); policy/v1 reads a nil selector as nothing."""
    assert status(PodDisruptionBudget("foobar", selector=LabelSelector(), min_available=3), pods_of(1, labels={"a": "b"})) == (0, 1, 3, 1)
    assert status(PodDisruptionBudget("foobar", selector=None, min_available=3), pods_of(1))[3] == 0


def test_two_controllers_28_percent():
    """TestTwoControllers: 28% of 11 is 4, of 22 is 7 (collectionSize 11, minimumOne 4, minimumTwo 7)."""
    assert scaled_value("28%", 11) == 4
    assert scaled_value("28%", 22) == 7


def test_unknown_replicas_are_approximated_by_the_controllers_pods_and_say_so():
    rs = Owner("ReplicaSet", "web", "rs")
    pods = pods_of(4, rs)
    unmatched = KubePod("web-other", labels={"foo": "baz"}, owner=rs)  # same controller, not selected: still one of its replicas
    result = pdb_status(PodDisruptionBudget("web", selector=FOO_BAR, max_unavailable="25%"), [*pods, unmatched], {})
    assert (result.expected_pods, result.desired_healthy, result.disruptions_allowed, result.expected_from) == (5, 3, 1, "pods per controller")


def test_match_expressions_in_notin_exists_doesnotexist():
    labels = {"app": "web", "tier": "front"}
    assert Requirement("app", "In", ("web", "api")).matches(labels)
    assert not Requirement("app", "NotIn", ("web",)).matches(labels)
    assert Requirement("zone", "NotIn", ("a",)).matches(labels)
    assert Requirement("tier", "Exists").matches(labels) and not Requirement("tier", "DoesNotExist").matches(labels)
    assert not LabelSelector((("app", "web"),), (Requirement("tier", "In", ("back",)),)).matches(labels)


@pytest.mark.parametrize("value, total, up, down", [(1, 7, 1, 1), ("30%", 7, 3, 2), ("50%", 5, 3, 2), ("0%", 9, 0, 0), ("100%", 3, 3, 3)])
def test_scaled_value_rounding(value, total, up, down):
    assert scaled_value(value, total) == up
    assert scaled_value(value, total, round_up=False) == down


@pytest.mark.parametrize("value", ["50", "x%", "%", "5.5%"])
def test_a_string_that_is_not_a_percentage_is_refused(value):
    with pytest.raises(InputError, match="neither an integer nor a percentage"):
        scaled_value(value, 10)


@given(st.integers(0, 200), st.integers(0, 100), st.integers(0, 200))
def test_disruptions_allowed_is_never_negative_and_never_more_than_the_healthy_pods(total, percent, ready):
    ready = min(ready, total)
    rs = Owner("ReplicaSet", "r", "r")
    result = pdb_status(PodDisruptionBudget("p", selector=FOO_BAR, max_unavailable=f"{percent}%"), pods_of(total, rs, ready), {})
    assert 0 <= result.disruptions_allowed <= result.current_healthy
    assert result.disruptions_allowed <= -(-percent * total // 100)


# Requests and placement rules ----------------------------------------------------------------------


def q(**amounts: str) -> dict[str, Fraction]:
    from hacalc.core.quantities import parse_quantity

    return {name: parse_quantity(text) for name, text in amounts.items()}


def test_init_containers_requests_are_the_larger_of_the_peak_init_and_the_app_sum():
    """Init-containers docs: the effective request is the higher of the sum of app containers and the largest init container."""
    assert pod_requests([q(cpu="100m", memory="64Mi"), q(cpu="200m", memory="64Mi")], [(q(cpu="500m", memory="32Mi"), False)]) == {
        "cpu": 500,
        "memory": 128 * 2**20,
    }


def test_sidecars_add_to_the_app_sum_and_to_the_init_containers_after_them():
    """Sidecar docs: a restartable init container runs beside the app containers and the init containers that follow it."""
    sidecar, later_init = (q(cpu="300m"), True), (q(cpu="1"), False)
    assert pod_requests([q(cpu="500m")], [sidecar, later_init]) == {"cpu": 1300}  # max(500 + 300, 1000 + 300)
    assert pod_requests([q(cpu="500m")], [later_init, sidecar]) == {"cpu": 1000}  # max(500 + 300, 1000)


def test_overhead_is_added_and_pod_level_requests_replace_the_containers():
    assert pod_requests([q(cpu="250m", memory="1Gi")], overhead=q(cpu="250m", memory="120Mi")) == {"cpu": 500, "memory": (1024 + 120) * 2**20}
    assert pod_requests([q(cpu="250m")], pod_level=q(cpu="2")) == {"cpu": 2000}


def test_requests_are_summed_exactly_before_rounding_up_to_millicores():
    # three containers of 0.3333 CPU: 999.9 m, one millicore after rounding (MilliValue), not 3 x 334
    assert pod_requests([q(cpu="0.3333")] * 3) == {"cpu": 1000}


def test_tolerations_as_in_the_taint_and_toleration_docs():
    taint = Taint("key1", "value1", "NoSchedule")
    assert Toleration("key1", "Equal", "value1", "NoSchedule").tolerates(taint)
    assert Toleration("key1", "Exists", effect="NoSchedule").tolerates(taint)
    assert Toleration(operator="Exists").tolerates(taint)  # empty key with Exists matches everything
    assert Toleration("key1", "Equal", "value1").tolerates(taint)  # empty effect matches all effects
    assert not Toleration("key1", "Equal", "value2", "NoSchedule").tolerates(taint)
    assert not Toleration("key1", "Exists", effect="NoExecute").tolerates(taint)


def test_eviction_delay_defaults_to_300_seconds_and_takes_the_shortest_matching_toleration():
    unreachable = Toleration("node.kubernetes.io/unreachable", "Exists", effect="NoExecute", seconds=3600)
    assert eviction_seconds(KubePod("a")) == 300
    assert eviction_seconds(KubePod("a", tolerations=(unreachable,))) == 3600
    assert eviction_seconds(KubePod("a", tolerations=(unreachable, Toleration(operator="Exists")))) == 3600  # forever only if all are
    assert eviction_seconds(KubePod("a", tolerations=(Toleration(operator="Exists"),))) is None
    assert eviction_seconds(KubePod("a", tolerations=(Toleration("node.kubernetes.io/unreachable", "Exists", effect="NoExecute", seconds=-5),))) == 0


def test_node_selector_affinity_and_taints_decide_where_a_pod_may_run():
    gpu = KubeNode("gpu-1", {}, {"gpu": "true", "zone": "a"}, (Taint("nvidia.com/gpu", "present", "NoSchedule"),))
    plain = KubeNode("w-1", {}, {"zone": "b"}, (Taint("soft", "", "PreferNoSchedule"),))
    tolerant = (Toleration("nvidia.com/gpu", "Exists"),)
    assert not can_run_on(KubePod("a"), gpu) and can_run_on(KubePod("a"), plain)  # PreferNoSchedule is only a preference
    assert can_run_on(KubePod("a", tolerations=tolerant, node_selector={"gpu": "true"}), gpu)
    assert not can_run_on(KubePod("a", node_selector={"gpu": "true"}), plain)
    zone_a = (NodeSelectorTerm((Requirement("zone", "In", ("a",)),)),)
    assert can_run_on(KubePod("a", tolerations=tolerant, node_affinity=zone_a), gpu) and not can_run_on(KubePod("a", node_affinity=zone_a), plain)
    by_name = (NodeSelectorTerm(match_fields=(Requirement("metadata.name", "In", ("w-1",)),)),)
    assert can_run_on(KubePod("a", node_affinity=by_name), plain)
    assert not can_run_on(KubePod("a", node_affinity=(NodeSelectorTerm(),)), plain)  # an empty term matches no node


# The check -----------------------------------------------------------------------------------------

RS = Owner("ReplicaSet", "app-5d4f9", "rs")


def node(name: str, cpu: int, memory: int, pods: int = 110, **options) -> KubeNode:
    return KubeNode(name, {"cpu": cpu, "memory": memory, "pods": pods}, **options)


def workload(name: str, where: str, cpu: int, memory: int, owner: Owner | None = RS, **options) -> KubePod:
    return KubePod(name, node=where, requests={"cpu": cpu, "memory": memory}, owner=owner, **options)


def test_tv13_the_mixin_ratio_alert():
    """EX-11 / TV-13: 4 nodes x 8 cores; requests of 25 cores -> 0.78125 > 0.75 fires; 24 -> 0.75 does not."""
    nodes = tuple(node(f"n{index}", 8000, 2**34) for index in range(4))
    for cores, fires in ((25, True), (24, False)):
        pods = tuple(workload(f"p{index}", f"n{index % 4}", 1000, 0) for index in range(cores))
        line = check_kubernetes(KubeInventory(nodes, pods), 1, milp=False).overcommit[0]
        assert (line.resource, line.ratio, line.threshold, line.fires) == ("cpu", Fraction(cores, 32), Fraction(3, 4), fires)


def test_a_single_gpu_node_fails_alone_and_only_recreated_pods_move():
    nodes = (node("w1", 4000, 8 << 30), node("w2", 4000, 8 << 30), node("gpu", 8000, 16 << 30, taints=(Taint("gpu", "", "NoSchedule"),)))
    pods = (
        workload("web-1", "w1", 1000, 1 << 30),
        workload("web-2", "w2", 1000, 1 << 30),
        workload("train", "gpu", 6000, 8 << 30, Owner("Job", "train", "job"), tolerations=(Toleration("gpu", "Exists"),)),
        workload("shell", "w1", 2000, 1 << 30, owner=None),  # not recreated: it does not move, but holds w1
        workload("proxy", "w2", 100, 1 << 20, Owner("DaemonSet", "proxy", "ds")),
    )
    report = check_kubernetes(KubeInventory(nodes, pods), 1)
    assert not report.passed and report.exact and report.failing_sets == 1
    [failing] = report.failing
    assert failing.nodes == ("gpu",) and [pod.name for pod in failing.unplaced] == ["train"]
    assert failing.proof == "a pod that fits no surviving node it may run on"
    assert {warning.kind for warning in report.warnings} >= {"pods-without-controller", "node-bound-pods"}
    assert report.movable_pods == 3 and report.eviction_delays == {"300": 3} and report.restart_delay_s == 300


def test_a_cordoned_node_can_fail_but_takes_no_pods_and_a_not_ready_node_is_not_counted():
    nodes = (node("a", 2000, 1 << 30), node("b", 2000, 1 << 30, unschedulable=True), node("c", 2000, 1 << 30, ready=False))
    pods = (workload("p1", "a", 1000, 1), workload("p2", "b", 1000, 1), workload("p3", "c", 1000, 1))
    report = check_kubernetes(KubeInventory(nodes, pods), 1)
    assert report.failure_sets == 2  # a and b can fail; c is already down
    assert [result.nodes for result in report.failing] == [("a",)]  # a's pod cannot go to the cordoned b; b's pod fits a
    assert any(warning.kind == "pod-on-node-not-ready" for warning in report.warnings)


def test_fragmentation_is_proven_by_the_large_pod_bound():
    """Two survivors with 3000 m each and three displaced 2000 m pods: 6000 m fits in total, but each node takes one pod."""
    nodes = (node("x", 3000, 1 << 40), node("y", 3000, 1 << 40), node("dead", 6000, 1 << 40))
    pods = tuple(workload(f"p{index}", "dead", 2000, 1) for index in range(3))
    report = check_kubernetes(KubeInventory(nodes, pods), 1)
    assert [result.nodes for result in report.failing] == [("dead",)]
    assert report.failing[0].proof == "large-pod bound" and len(report.failing[0].unplaced) == 1


def brute_force_failing(inventory: KubeInventory, tolerate: int) -> set[tuple[str, ...]]:
    """Every assignment of every displaced, recreated pod to every surviving schedulable node, checked resource by resource."""
    counted = [node for node in inventory.nodes if node.ready]
    failing = set()
    for failed in itertools.combinations(counted, tolerate):
        failed_names = {node.name for node in failed}
        survivors = [node for node in counted if node.name not in failed_names and not node.unschedulable]
        free = {node.name: {name: node.allocatable.get(name, 0) for name in ("cpu", "memory", "pods")} for node in survivors}
        moving = []
        for pod in inventory.pods:
            if pod.node in free:
                for name in ("cpu", "memory"):
                    free[pod.node][name] -= pod.requests.get(name, 0)
                free[pod.node]["pods"] -= 1
            elif pod.node in failed_names and pod.owner is not None:
                moving.append(pod)
        options = [[node for node in survivors if can_run_on(pod, node)] for pod in moving]
        if not any(_fits(moving, choice, free) for choice in itertools.product(*options)):
            failing.add(tuple(sorted(failed_names)))
    return failing


def _fits(pods, choice, free) -> bool:
    load = {name: dict(amounts) for name, amounts in free.items()}
    for pod, target in zip(pods, choice):
        for name in ("cpu", "memory"):
            load[target.name][name] -= pod.requests.get(name, 0)
        load[target.name]["pods"] -= 1
    used = {target.name for target in choice}  # a node that takes nothing may stay over (its own pods were placed before)
    return all(amount >= 0 for name in used for amount in load[name].values())


@st.composite
def small_clusters(draw):
    count = draw(st.integers(2, 4))
    nodes = []
    for index in range(count):
        taints = (Taint("dedicated", "db", "NoSchedule"),) if draw(st.booleans()) and index == 0 else ()
        nodes.append(node(f"n{index}", draw(st.integers(1, 8)) * 500, draw(st.integers(1, 8)) << 30, draw(st.integers(2, 5)), labels={"disk": draw(st.sampled_from(["ssd", "hdd"]))}, taints=taints))
    pods = []
    for index in range(draw(st.integers(0, 7))):
        where = draw(st.sampled_from(nodes)).name
        selector = {"disk": "ssd"} if draw(st.integers(0, 3)) == 0 else {}
        tolerations = (Toleration("dedicated", "Equal", "db"),) if draw(st.booleans()) else ()
        owner = None if draw(st.integers(0, 5)) == 0 else RS
        pods.append(workload(f"p{index}", where, draw(st.integers(0, 4)) * 250, draw(st.integers(0, 4)) << 29, owner, node_selector=selector, tolerations=tolerations))
    return KubeInventory(tuple(nodes), tuple(pods))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_clusters(), st.integers(1, 2))
def test_the_check_agrees_with_a_brute_force(inventory, tolerate):
    tolerate = min(tolerate, len(inventory.nodes) - 1)
    report = check_kubernetes(inventory, tolerate)
    assert report.exact and report.undecided_sets == 0
    assert {tuple(sorted(result.nodes)) for result in report.failing} == brute_force_failing(inventory, tolerate)
    assert report.passed == (report.failing_sets == 0)


@settings(max_examples=60, deadline=None)
@given(small_clusters())
def test_another_schedulable_node_never_turns_a_pass_into_a_failure(inventory):
    before = check_kubernetes(inventory, 1)
    grown = KubeInventory((*inventory.nodes, node("spare", 4000, 8 << 30, 110, labels={"disk": "ssd"})), inventory.pods)
    after = check_kubernetes(grown, 1)
    assert before.passed <= after.passed


@settings(max_examples=60, deadline=None)
@given(small_clusters())
def test_tolerating_more_failures_never_passes_where_fewer_fail(inventory):
    if len(inventory.nodes) < 3:
        return
    assert check_kubernetes(inventory, 2).passed <= check_kubernetes(inventory, 1).passed


def test_the_report_json_keys_are_stable():
    nodes = (node("a", 2000, 1 << 30), node("b", 2000, 1 << 30))
    pdb = PodDisruptionBudget("web", selector=LabelSelector((("app", "web"),)), max_unavailable=1)
    inventory = KubeInventory(nodes, (workload("p", "a", 500, 1, labels={"app": "web"}),), (pdb,))
    data = check_kubernetes(inventory, 1).as_dict()
    assert list(data) == [
        "platform", "passed", "exact", "tolerate", "verdict", "failure_sets", "checked_sets", "failing_sets", "undecided_sets",
        "worst_failure_set", "failing", "method", "movable_pods", "eviction_delays", "restart_delay_s", "nodes", "pdbs", "overcommit", "warnings",
    ]
    assert data["pdbs"] == [
        {"name": "web", "namespace": "default", "min_available": None, "max_unavailable": 1, "matched_pods": 1, "expected_pods": 1,
         "desired_healthy": 0, "current_healthy": 1, "disruptions_allowed": 1, "expected_from": "pods per controller", "unmanaged_pods": 0}
    ]


def test_a_node_over_its_allocatable_takes_no_pod_but_does_not_block_the_others():
    """Found by the brute force: n2's own pod requests more memory than it has. Losing n1, p0 fits only the tainted n0
    (it tolerates it) or n3, and p2 only n3: p0 on n0 and p2 on n3 is a placement (MILP decides it; n2's rows stay satisfiable)."""
    ssd = {"disk": "ssd"}
    nodes = (
        node("n0", 500, 2 << 30, 3, labels=ssd, taints=(Taint("dedicated", "db", "NoSchedule"),)),
        node("n1", 500, 1 << 30, 2, labels=ssd),
        node("n2", 500, 1 << 30, 2, labels=ssd),
        node("n3", 500, 2 << 30, 2, labels=ssd),
    )
    pods = (
        workload("p0", "n1", 0, 2 << 30, node_selector=ssd, tolerations=(Toleration("dedicated", "Equal", "db"),)),
        workload("p1", "n2", 0, 1610612736, None, node_selector=ssd),
        workload("p2", "n1", 0, 1 << 29, node_selector=ssd),
    )
    inventory = KubeInventory(nodes, pods)
    report = check_kubernetes(inventory, 1)
    assert report.passed and report.exact and brute_force_failing(inventory, 1) == set()
    assert [warning.kind for warning in report.warnings] == ["pods-without-controller", "node-over-allocatable"]
