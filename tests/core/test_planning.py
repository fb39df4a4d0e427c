"""Capacity planning (issue 13): shapes, what-if changes, headroom against brute force, time to exhaustion."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hacalc.core.errors import InputError
from hacalc.core.vsphere.check import check_cluster
from hacalc.core.vsphere.model import VM, Cluster, ClusterSettings, Host, HostState, Policy, RestartPriority
from hacalc.core.vsphere.planning import (
    PLAN_LIMIT,
    Headroom,
    PlanStep,
    add_hosts,
    add_vms,
    headroom,
    headroom_per_policy,
    maintenance,
    maintenance_plan,
    median_vm,
    months_to_failure,
    parse_host_shape,
    parse_vm_shape,
    remove_host,
    scale_vms,
)
from hacalc.readers.cluster import load_cluster

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def scenario(name: str) -> Cluster:
    return load_cluster(str(SCENARIOS / name))


def four_hosts(policy: Policy = Policy.slot, **settings: object) -> Cluster:
    """Four equal hosts, eight placed VMs of 2 GHz / 8 GB."""
    hosts = tuple(Host(f"esx-{i}", 20000, 65536) for i in range(1, 5))
    vms = tuple(VM(f"vm-{i}", 2000, 8192, 100, host=f"esx-{(i % 4) + 1}") for i in range(8))
    return Cluster(ClusterSettings("four", policy=policy, **settings), hosts, vms)  # type: ignore[arg-type]


def brute_force(cluster: Cluster, vm: VM, *, tolerate: int | None = None, policy: Policy | None = None, restart_check: bool = True, limit: int = 400) -> int | None:
    """Add one VM at a time (no host) until the exact check fails: the last passing count."""
    last = None
    for count in range(limit + 1):
        added = tuple(replace(vm, name=f"bf-{i}", host=None) for i in range(count))
        report = check_cluster(replace(cluster, vms=cluster.vms + added), tolerate=tolerate, policy=policy, restart_check=restart_check)
        if not report.passed:
            return last
        last = count
    raise AssertionError(f"still passing after {limit} VMs")


def shape_vm(shape: dict[str, object]) -> VM:
    fields = {key: value for key, value in shape.items() if key != "count"}
    return VM("template", **fields)  # type: ignore[arg-type]


# --- headroom is exact: brute force -------------------------------------------------------------------

CASES = [
    ("cluster-vmware-slot-example.toml", None, None),
    ("cluster-vmware-slot-example.toml", "cpu_reservation_mhz=500, memory_reservation_mb=512", None),
    ("cluster-vmware-slot-example.toml", "cpu_reservation_mhz=500, memory_reservation_mb=512", Policy.percentage),
    ("cluster-ha-deepdive-percentage.toml", "cpu_reservation_mhz=1000, memory_reservation_mb=4096, memory_overhead_mb=100", None),
    ("cluster-ha-deepdive-percentage.toml", "cpu_reservation_mhz=3000, memory_reservation_mb=512", None),
    ("cluster-failover-hosts.toml", "cpu_reservation_mhz=1000, memory_reservation_mb=16384, memory_overhead_mb=100", None),
]


@pytest.mark.parametrize(("file", "shape_text", "policy"), CASES)
def test_headroom_equals_brute_force(file: str, shape_text: str | None, policy: Policy | None) -> None:
    cluster = scenario(file)
    shape = parse_vm_shape(shape_text) if shape_text else None
    result = headroom(cluster, shape, policy=policy)
    template = median_vm(cluster) if shape is None else shape_vm(shape)
    assert result.count == brute_force(cluster, template, policy=policy)
    assert result.proven


def test_headroom_on_a_built_cluster_equals_brute_force_for_tolerate_2() -> None:
    cluster = four_hosts()
    shape = parse_vm_shape("cpu_reservation_mhz=3000, memory_reservation_mb=16384")
    result = headroom(cluster, shape, tolerate=2)
    assert result.count == brute_force(cluster, shape_vm(shape), tolerate=2)
    assert result.tolerate == 2


def test_headroom_is_proven_independently_with_add_vms() -> None:
    cluster = scenario("cluster-ha-deepdive-percentage.toml")
    shape = parse_vm_shape("cpu_reservation_mhz=1000, memory_reservation_mb=4096")
    result = headroom(cluster, shape)
    assert result.count is not None and result.count > 0
    assert check_cluster(add_vms(cluster, shape, result.count)[0]).passed
    assert not check_cluster(add_vms(cluster, shape, result.count + 1)[0]).passed
    assert result.at_count is not None and result.at_count.passed
    assert result.at_next is not None and not result.at_next.passed


def test_binding_limit_is_named() -> None:
    slot = headroom(scenario("cluster-vmware-slot-example.toml"))
    assert slot.binding == ("slots",)
    percentage = scenario("cluster-ha-deepdive-percentage.toml")
    memory_heavy = parse_vm_shape("cpu_reservation_mhz=100, memory_reservation_mb=8192")
    cpu_heavy = parse_vm_shape("cpu_reservation_mhz=3000, memory_reservation_mb=64")
    assert headroom(percentage, memory_heavy, restart_check=False).binding == ("memory %",)
    assert headroom(percentage, cpu_heavy, restart_check=False).binding == ("CPU %",)
    # No admission control: only restart placement can bind. 3 hosts of 32 GB, tolerate 1: two survivors.
    restart = headroom(percentage, parse_vm_shape("memory_reservation_mb=10000"), admission_control=False)
    assert restart.binding == ("restart placement",)
    assert restart.as_dict()["binding"] == "restart placement"
    failover = headroom(scenario("cluster-failover-hosts.toml"), parse_vm_shape("memory_reservation_mb=16384"))
    assert failover.binding == ("failover hosts",)


def test_restart_placement_headroom_by_hand() -> None:
    """Two hosts of 10,000 MB, tolerate 1, no admission control: the survivor holds 4 VMs of 2,400 MB (9,600)."""
    cluster = Cluster(ClusterSettings("pair", policy=Policy.none), (Host("a", 10000, 10000), Host("b", 10000, 10000)), ())
    result = headroom(cluster, parse_vm_shape("memory_reservation_mb=2400"))
    assert result.count == 4
    assert result.binding == ("restart placement",)
    assert result.proven


def test_gate_headroom_is_the_smaller_of_policy_and_restart() -> None:
    cluster = scenario("cluster-ha-deepdive-percentage.toml")
    shape = parse_vm_shape("cpu_reservation_mhz=1000, memory_reservation_mb=4096")
    per_policy = headroom_per_policy(cluster, shape)
    assert set(per_policy) == {"slot", "percentage", "restart"}  # no failover hosts in this file
    assert headroom(cluster, shape).count == min(per_policy["percentage"].count, per_policy["restart"].count)  # type: ignore[type-var]
    assert per_policy["percentage"].count == brute_force(cluster, shape_vm(shape), restart_check=False)


def test_default_shape_is_the_median_powered_on_vm() -> None:
    cluster = scenario("cluster-vmware-slot-example.toml")
    # memory + overhead, then CPU: VM4 (1000/1024), VM5, VM1 (2000/1024), VM2, VM3 (1000/2048): lower median VM1
    assert median_vm(cluster).name == "VM1"
    result = headroom(cluster)
    assert "VM1" in result.vm_source
    assert result.vm["cpu_reservation_mhz"] == 2000 and result.vm["memory_reservation_mb"] == 1024
    off = replace(cluster, vms=tuple(replace(vm, powered_on=vm.name != "VM1") for vm in cluster.vms))
    assert median_vm(off).name != "VM1"


def test_headroom_of_a_cluster_failing_today_is_none() -> None:
    cluster = scenario("cluster-vmware-slot-example.toml")
    result = headroom(cluster, tolerate=2)
    assert result.count is None
    assert result.binding == ("slots", "restart placement")  # 3 hosts, 2 failures: one 6 GB survivor
    assert result.at_next is not None and not result.at_next.passed


def test_percentage_headroom_in_mhz_and_mb() -> None:
    # 3 × 8,000 MHz and 3 × 32,768 MB, 25 % configured; required CPU 2000 + 1000 + 32 (minimum) + 4000.
    result = headroom(scenario("cluster-ha-deepdive-percentage.toml"), parse_vm_shape("memory_reservation_mb=1024"))
    report = check_cluster(scenario("cluster-ha-deepdive-percentage.toml")).percentage
    assert report is not None
    assert result.percentage_cpu_mhz == 24000 - report.required_cpu_mhz - 6000
    assert result.percentage_memory_mb == 98304 - report.required_memory_mb - 24576
    assert result.percentage_cpu_percent == report.cpu_failover_percent - 25


# --- what-if ------------------------------------------------------------------------------------------


def test_maintenance_evacuates_and_reduces_headroom() -> None:
    cluster = four_hosts()
    shape = parse_vm_shape("cpu_reservation_mhz=2000, memory_reservation_mb=8192")
    changed, change = maintenance(cluster, "esx-2")
    assert next(host for host in changed.hosts if host.name == "esx-2").state is HostState.maintenance
    assert all(vm.host != "esx-2" for vm in changed.vms) and all(vm.powered_on for vm in changed.vms)
    assert len(changed.vms) == len(cluster.vms)
    assert "esx-2" in change.sentence and "2 powered-on VMs" in change.sentence
    before, after = headroom(cluster, shape).count, headroom(changed, shape).count
    assert before is not None and after is not None and after < before
    assert after == brute_force(changed, shape_vm(shape))
    assert cluster.hosts[1].state is HostState.connected  # the original is untouched


def test_remove_host_drops_it_and_its_failover_role() -> None:
    cluster = scenario("cluster-failover-hosts.toml")
    changed, change = remove_host(cluster, "esx-1")
    assert [host.name for host in changed.hosts] == ["esx-2", "esx-3", "esx-4"]
    assert all(vm.host is None for vm in changed.vms if vm.name.startswith("web"))
    assert "esx-1" in change.sentence
    changed, _ = remove_host(scenario("cluster-failover-hosts.toml"), "esx-4")
    assert changed.settings.failover_hosts == ()


def test_add_hosts_increases_headroom_with_unique_names() -> None:
    cluster = four_hosts()
    shape = parse_vm_shape("cpu_reservation_mhz=2000, memory_reservation_mb=8192")
    host_shape = parse_host_shape("count=2, cpu_mhz=20000, memory_mb=65536")
    bigger, change = add_hosts(cluster, host_shape)
    assert [host.name for host in bigger.hosts[4:]] == ["new-1", "new-2"]
    assert "2 hosts" in change.sentence
    assert headroom(bigger, shape).count > headroom(cluster, shape).count  # type: ignore[operator]
    again, _ = add_hosts(bigger, host_shape, 1)
    assert again.hosts[-1].name == "new-3"
    with pytest.raises(InputError):
        add_hosts(cluster, host_shape, 0)


def test_add_vms_names_and_reduces_headroom() -> None:
    cluster = four_hosts()
    shape = parse_vm_shape("count=3, cpu_reservation_mhz=2000, memory_reservation_mb=8192")
    more, change = add_vms(cluster, shape)
    assert [vm.name for vm in more.vms[8:]] == ["new-vm-1", "new-vm-2", "new-vm-3"]
    assert all(vm.host is None for vm in more.vms[8:])
    assert "3 VMs" in change.sentence
    assert headroom(more, shape).count == headroom(cluster, shape).count - 3  # type: ignore[operator]
    with pytest.raises(InputError, match="did you mean 'esx-1'"):
        add_vms(cluster, parse_vm_shape("host=esx1, memory_reservation_mb=1"))


def test_scale_vms_rounds_up_and_reduces_headroom() -> None:
    cluster = Cluster(ClusterSettings("s"), (Host("a", 10000, 10000), Host("b", 10000, 10000)), (VM("v", 1001, 333, 7, memory_mb=1000),))
    scaled, change = scale_vms(cluster, Fraction(3, 2))
    vm = scaled.vms[0]
    assert (vm.cpu_reservation_mhz, vm.memory_reservation_mb, vm.memory_overhead_mb, vm.memory_mb) == (1502, 500, 7, 1500)
    assert "1.5" in change.sentence
    assert scale_vms(cluster, 1.2)[0].vms[0].cpu_reservation_mhz == 1202  # 1201.2 up
    for bad in (0, -1, Fraction(-1, 2)):
        with pytest.raises(InputError):
            scale_vms(cluster, bad)
    base = scenario("cluster-ha-deepdive-percentage.toml")
    shape = parse_vm_shape("cpu_reservation_mhz=1000, memory_reservation_mb=4096")
    doubled = scale_vms(base, 2)[0]
    assert headroom(doubled, shape).count < headroom(base, shape).count  # type: ignore[operator]
    assert headroom(doubled, shape).count == brute_force(doubled, shape_vm(shape))


def test_unknown_host_names_have_a_did_you_mean() -> None:
    cluster = four_hosts()
    with pytest.raises(InputError, match="did you mean 'esx-3'"):
        maintenance(cluster, "ESX-3")
    with pytest.raises(InputError, match="unknown host 'esx-9'"):
        remove_host(cluster, "esx-9")


# --- time to exhaustion -------------------------------------------------------------------------------


def test_months_to_failure_by_hand() -> None:
    """Two hosts of 10,000 MB, tolerate 1, no admission control, one 4,000 MB VM growing 25 % a month:
    4000, 5000, 6250, 7813, 9766, 12208 (rounded up) — month 5 no longer fits the survivor."""
    cluster = Cluster(ClusterSettings("pair", policy=Policy.none), (Host("a", 10000, 10000), Host("b", 10000, 10000)), (VM("v", 0, 4000),))
    month, fails, lines = months_to_failure(cluster, Fraction(1, 4), 6, tolerate=1)
    assert month == 5
    assert fails == "restart placement"
    assert [line.passed for line in lines] == [True] * 5 + [False] * 2
    assert lines[3].factor == Fraction(125, 64)
    assert months_to_failure(cluster, Fraction(1, 4), 4, tolerate=1)[:2] == (None, None)
    assert months_to_failure(cluster, Fraction(-1), 3, tolerate=1)[0] is None  # demand gone
    with pytest.raises(InputError, match="-100%"):
        months_to_failure(cluster, Fraction(-3, 2), 3, tolerate=1)


def test_months_to_failure_names_the_policy_that_fails_first() -> None:
    # Percentage 50 % CPU / 70 % memory on two hosts of 20,000 MB (40,000 in all): memory failover % =
    # floor((40000 - need) * 100 / 40000). One VM of 10,000 MB growing 20 % a month: 10000 (75 %),
    # 12000 (70 %), 14400 (64 % < 70: fails at month 2) while it still fits a surviving host (20,000 MB).
    settings = ClusterSettings("pair", policy=Policy.percentage, cpu_percent=50, memory_percent=70)
    cluster = Cluster(settings, (Host("a", 10000, 20000), Host("b", 10000, 20000)), (VM("v", 0, 10000),))
    month, fails, lines = months_to_failure(cluster, Fraction(1, 5), 4, tolerate=1)
    assert (month, fails) == (2, "memory %")
    assert lines[4].failing == ("memory %", "restart placement")  # 20,736 MB no longer fits a host


# --- shapes -------------------------------------------------------------------------------------------


def test_parse_vm_shape() -> None:
    assert parse_vm_shape("count=10, cpu_reservation_mhz=2000, memory_reservation_mb=8192") == {
        "count": 10,
        "cpu_reservation_mhz": 2000,
        "memory_reservation_mb": 8192,
    }
    shape = parse_vm_shape(" memory_mb = 16384 ,powered_on=false, restart_priority=high, host=esx-1")
    assert shape == {"memory_mb": 16384, "powered_on": False, "restart_priority": "high", "host": "esx-1"}


def test_parse_host_shape() -> None:
    assert parse_host_shape("count=2, cpu_mhz=48000, memory_mb=524288") == {"count": 2, "cpu_mhz": 48000, "memory_mb": 524288}
    assert parse_host_shape("cpu_mhz=1, memory_mb=2, state=maintenance")["state"] == "maintenance"


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_vm_shape, "4 vcpu, 16 XB", "is not key=value"),
        (parse_vm_shape, "cpu_reservation_mhz=4 vcpu", "not a whole number"),
        (parse_vm_shape, "memory_reservation_mb=16XB", "not a whole number"),
        (parse_vm_shape, "cpu_reservation=2000", "did you mean 'cpu_reservation_mhz'"),
        (parse_vm_shape, "memory_reservation_mb=-5", "negative"),
        (parse_vm_shape, "memory_reservation_mb=1.5", "not a whole number"),
        (parse_vm_shape, "powered_on=maybe", "true or false"),
        (parse_vm_shape, "restart_priority=hihg", "did you mean 'high'"),
        (parse_vm_shape, "memory_mb=10, memory_mb=20", "twice"),
        (parse_vm_shape, "memory_reservation_mb=100, memory_mb=50", "below memory_reservation_mb"),
        (parse_vm_shape, "", "empty"),
        (parse_vm_shape, "count=1,,memory_mb=1", "empty item"),
        (parse_host_shape, "count=0, cpu_mhz=48000, memory_mb=524288", "count = 0 is out of range"),
        (parse_host_shape, "cpu_mhz=48000", "no memory_mb"),
        (parse_host_shape, "cpu_mhz=48000, memory_mb=1, state=down", "not one of"),
        (parse_host_shape, "cpu_mhz=48000, memory_gb=512", "unknown field 'memory_gb'"),
    ],
)
def test_bad_shapes(parse: object, text: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        parse(text)  # type: ignore[operator]
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_malformed_shape_names_the_accepted_form() -> None:
    with pytest.raises(InputError) as error:
        parse_vm_shape("4 vcpu, 16 XB")
    assert "key=value pairs separated by commas" in str(error.value)
    assert "cpu_reservation_mhz=2000" in str(error.value)


# --- the maintenance plan equals each step checked on its own ----------------------------------------


def per_step_plan(cluster: Cluster, tolerate: int | None, parallel: int, limit: int) -> list[tuple[tuple[str, ...], Headroom]]:
    """The plan computed the straightforward way: every group put in maintenance and searched by ``headroom``."""

    def step(names: tuple[str, ...]) -> tuple[tuple[str, ...], Headroom]:
        changed = cluster
        for name in names:
            changed, _ = maintenance(changed, name)
        return names, headroom(changed, tolerate=tolerate, limit=limit)

    alone = sorted((step((host.name,)) for host in cluster.hosts if host.state is HostState.connected), key=lambda item: (-(-1 if item[1].count is None else item[1].count), item[0]))
    if parallel == 1:
        return alone
    order = [names[0] for names, _ in alone]
    return [step(tuple(order[index : index + parallel])) for index in range(0, len(order), parallel)]


def assert_plan_is_per_step(cluster: Cluster, *, tolerate: int | None = None, parallel: int = 1, limit: int = PLAN_LIMIT) -> list[PlanStep]:
    """Each step's verdict (``cluster check --maintenance``), headroom, proof and binding limit, in the same order."""
    plan = maintenance_plan(cluster, tolerate=tolerate, parallel=parallel, limit=limit)
    expected = per_step_plan(cluster, tolerate, parallel, limit)
    assert [step.hosts for step in plan] == [names for names, _ in expected]
    for step, (names, room) in zip(plan, expected):
        changed = cluster
        for name in names:
            changed, _ = maintenance(changed, name)
        assert step.passes == check_cluster(changed, tolerate=tolerate).passed, names
        assert (step.headroom.count, step.headroom.proven, step.headroom.binding) == (room.count, room.proven, room.binding), names
        assert step.headroom.as_dict() == room.as_dict(), names
    return plan


def screened(plan: list[PlanStep]) -> int:
    """Steps the shared screen settled: they carry no report of their own."""
    return sum(step.headroom.at_count is None and step.headroom.at_next is None for step in plan)


@pytest.mark.parametrize("parallel", [1, 2])
@pytest.mark.parametrize(
    ("file", "tolerate", "limit"),
    [
        ("cluster-auto-percentage.toml", None, PLAN_LIMIT),
        ("cluster-auto-percentage.toml", None, 3),
        ("cluster-vmware-slot-example.toml", 1, 2),
        ("cluster-ha-deepdive-percentage.toml", 1, 4),
        ("cluster-failover-hosts.toml", 1, 3),
        ("cluster-seed-large-4-hosts.toml", 1, 5),
        ("cluster-unbalanced.toml", 1, 5),
    ],
)
def test_maintenance_plan_equals_each_step_checked_alone(file: str, tolerate: int | None, limit: int, parallel: int) -> None:
    cluster = scenario(file)
    if parallel > sum(host.state is HostState.connected for host in cluster.hosts):
        pytest.skip("fewer connected hosts than the group")
    assert_plan_is_per_step(cluster, tolerate=tolerate, parallel=parallel, limit=limit)


def test_the_shared_screen_settles_steps_and_leaves_the_rest_to_their_own_search() -> None:
    """Six hosts of 10 GB, one VM of 4 GB each, tolerate 1, no admission control. With a host out, its VM
    floats; up to two more 4 GB VMs still restart after any failure (five survivors, 6 GB free each:
    one 4 GB VM each), so a cap of 2 passes on every step and the screen settles them all. A cap of 3
    does not (the screen cannot prove it) and every step is searched: headroom 2."""
    hosts = tuple(Host(f"h{number}", 10000, 10240) for number in range(6))
    vms = tuple(VM(f"v{number}", 0, 4096, host=f"h{number}") for number in range(6))
    cluster = Cluster(ClusterSettings("six", policy=Policy.none), hosts, vms)
    plan = assert_plan_is_per_step(cluster, limit=2)
    assert [step.headroom.count for step in plan] == [2] * 6 and screened(plan) == 6
    assert sum(step.headroom.checks for step in plan) == 2  # the shared policy checks at the cap and at 0, counted once
    plan = assert_plan_is_per_step(cluster, limit=3)
    assert [(step.headroom.count, step.headroom.proven) for step in plan] == [(2, True)] * 6 and screened(plan) == 0


def test_disabled_vms_on_the_host_in_maintenance_take_no_capacity_after_evacuation() -> None:
    """Three hosts of 10 GB; a runs an 8 GB VM HA never restarts and a 2 GB one it does, b and c 1 GB each.
    With a out, its disabled VM has no host and takes no capacity, as when a fails: the survivors have 9 GB
    free each, so a's 2 GB VM, one of 1 GB and one added (the median, 1 GB) restart after any failure. With
    b out, c's failure leaves its VM and b's with only a, which is full: that step fails."""
    hosts = tuple(Host(name, 10000, 10240) for name in "abc")
    vms = (
        VM("never", 0, 8192, host="a", restart_priority=RestartPriority.disabled),
        VM("small", 0, 2048, host="a"),
        VM("b1", 0, 1024, host="b"),
        VM("c1", 0, 1024, host="c"),
        VM("off", 0, 9000, host="b", powered_on=False),
    )
    cluster = Cluster(ClusterSettings("three", policy=Policy.none), hosts, vms)
    plan = assert_plan_is_per_step(cluster, limit=1)
    assert {step.hosts[0]: (step.passes, step.headroom.count) for step in plan} == {"a": (True, 1), "b": (False, None), "c": (False, None)}
    assert screened(plan) == 1


def test_a_policy_that_binds_or_fails_is_settled_by_the_screen_too() -> None:
    """Six hosts of 10,000 MHz and 10 GB, each running one VM (five of 512 MB, one larger) and the slot policy.
    With a 4 GB VM the slot is 4 GB, 2 per host: with a host out, 10 slots, 8 after a failure, 6 used, so
    2 more median (512 MB) VMs pass and the third fails on slots, while the restart check, proven at 0, 2
    and 3, never binds. With an 8 GB VM the slot is 8 GB: 1 per host, 4 after a failure for 6 VMs, so every
    step fails today, on slots alone."""
    hosts = tuple(Host(f"h{number}", 10000, 10240) for number in range(6))
    for large, expected in ((4096, (2, True, ("slots",))), (8192, (None, True, ("slots",)))):
        vms = tuple(VM(f"v{number}", 500, large if number == 0 else 512, host=f"h{number}") for number in range(6))
        plan = assert_plan_is_per_step(Cluster(ClusterSettings("six"), hosts, vms), limit=10)
        assert {(step.headroom.count, step.headroom.proven, step.headroom.binding) for step in plan} == {expected}
        assert screened(plan) == 6


POLICIES = st.sampled_from([Policy.slot, Policy.percentage, Policy.failover_hosts, Policy.none])


@st.composite
def small_clusters(draw: st.DrawFn) -> Cluster:
    """Two to six hosts (some alike, one maybe in maintenance or a failover host), up to ten VMs: placed or
    not, some powered off, some never restarted."""
    sizes = st.sampled_from([(8000, 8192), (8000, 16384), (16000, 16384), (4000, 12288), (16000, 32768)])
    hosts = tuple(Host(f"h{number}", *draw(sizes)) for number in range(draw(st.integers(2, 6))))
    if draw(st.booleans()):
        hosts = (*hosts[:-1], replace(hosts[-1], state=HostState.maintenance))
    names = [host.name for host in hosts]
    vm = st.builds(
        VM,
        name=st.just(""),
        cpu_reservation_mhz=st.sampled_from([0, 500, 1500, 3000]),
        memory_reservation_mb=st.sampled_from([0, 512, 1024, 2048, 5120]),
        memory_overhead_mb=st.sampled_from([0, 100]),
        powered_on=st.sampled_from([True, True, True, False]),
        host=st.sampled_from([None, *names]),
        restart_priority=st.sampled_from(list(RestartPriority)),
    )
    vms = tuple(replace(item, name=f"vm{number}") for number, item in enumerate(draw(st.lists(vm, min_size=1, max_size=10))))
    policy = draw(POLICIES)
    failover = (names[0],) if policy is Policy.failover_hosts else ()
    settings = ClusterSettings("drawn", policy=policy, tolerate=draw(st.sampled_from([1, 1, 2])), cpu_percent=25, memory_percent=25, failover_hosts=failover)
    return Cluster(settings, hosts, vms)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(small_clusters(), st.integers(1, 2), st.integers(1, 6))
def test_maintenance_plan_equals_each_step_checked_alone_on_drawn_clusters(cluster: Cluster, parallel: int, limit: int) -> None:
    if not any(vm.powered_on for vm in cluster.vms) or parallel > sum(host.state is HostState.connected for host in cluster.hosts):
        return
    assert_plan_is_per_step(cluster, parallel=parallel, limit=limit)


@pytest.mark.parametrize("scenario, rule", [("xenserver-pool-3-hosts.toml", "XenServer HA planner"), ("hyperv-scvmm-4-nodes.toml", "SCVMM cluster reserve")])
def test_headroom_of_another_platform_is_its_rule_and_the_restart_check(scenario, rule):
    """The gate of a non-vSphere cluster is its own rule beside the restart check; the count is held to a
    brute force (one more median VM at a time until cluster check fails), and the comparison row is the rule."""
    from hacalc.core.vsphere.planning import add_vms, headroom_per_policy, median_vm, shape_of

    cluster = load_cluster(str(SCENARIOS / scenario))
    shape = shape_of(median_vm(cluster))
    count = 0
    while count < 50 and check_cluster(add_vms(cluster, shape, count + 1)[0]).passed:
        count += 1
    room = headroom(cluster)
    expected = None if not check_cluster(cluster).passed else count
    assert room.count == expected and room.vm == shape
    assert list(headroom_per_policy(cluster, restart=False)) == [rule]
