"""hacalc protect's levels against hand-derived values and an independent simulation.

Sources are independent alternating processes, so U = 1 − Π 1/(1+λᵢdᵢ) (alternating renewal theorem,
reliability-math.md §5.1); VM monitoring timing from vsphere-ha.md §2.2 (HA Deepdive, "Timing").
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hacalc.core.errors import InputError
from hacalc.core.observed import merge_intervals, total_length
from hacalc.core.protection import LEVELS, PRESETS, Monitoring, Workload, compare, solve_level

MINUTE = 1 / 60
SEED_WORKLOAD = dict(host_mttf=50000.0, host_mttr=8.0, guest_mttf=4000.0, app_mttf=2000.0)


def product_unavailability(*loads: float) -> float:
    return 1 - 1 / math.prod(1 + load for load in loads)


def test_no_protection_by_hand():
    # host: repair 8 h + boot 2 m; guest: respond 30 m + boot 2 m; application: respond 30 m + restart 1 m
    result = solve_level(Workload(**SEED_WORKLOAD), "none")
    expected = product_unavailability((8 + 2 * MINUTE) / 50000, 32 * MINUTE / 4000, 31 * MINUTE / 2000)
    assert result.unavailability == pytest.approx(expected, rel=1e-12)
    assert result.outage_hours == pytest.approx({"host": 8 + 2 * MINUTE, "guest": 32 * MINUTE, "application": 31 * MINUTE})
    assert result.downtime_per_year["total"] == pytest.approx(8760 * expected, rel=1e-12)
    assert sum(result.downtime_per_year[cause] for cause in ("host", "guest", "application")) == pytest.approx(result.downtime_per_year["total"], rel=1e-12)


def test_ha_turns_a_host_failure_from_hours_into_minutes_and_monitoring_a_blue_screen_into_minutes():
    none, ha = (solve_level(Workload(**SEED_WORKLOAD, monitoring=PRESETS["high"]), level) for level in ("none", "ha"))
    assert none.outage_hours["host"] > 8 and ha.outage_hours["host"] == pytest.approx((15 / 60 + 1 + 2) * MINUTE)
    # high: failure declared 75 s (HOSTD red, mean of 61-89 s) + 30 s after the last heartbeat, then a 2 m boot
    automatic = math.exp(-(120 / 3600) / 4000) * sum(math.exp(-1 / 4000) * (1 / 4000) ** k / math.factorial(k) for k in range(3))
    expected = automatic * (105 + 120) / 3600 + (1 - automatic) * 32 * MINUTE
    assert ha.outage_hours["guest"] == pytest.approx(expected, rel=1e-12)
    assert ha.outage_hours["application"] == none.outage_hours["application"]  # HA does not see application failures


def test_the_seed_s_vm_monitoring_with_no_reset_window():
    """C-ESX35: 90 s failure interval, 3 resets, no window: every fourth failure waits for a person."""
    monitoring = Monitoring(90 / 3600, 120 / 3600, 3, None)
    guest = solve_level(Workload(guest_mttf=4000.0, monitoring=monitoring), "ha").outage_hours["guest"]
    armed = math.exp(-(120 / 3600) / 4000)
    assert guest * 3600 == pytest.approx(armed * 0.75 * (75 + 90 + 120) + (1 - armed * 0.75) * 32 * 60, rel=1e-12)


def test_fault_tolerance_covers_host_failures_only():
    ft = solve_level(Workload(**SEED_WORKLOAD, monitoring=PRESETS["high"]), "ft")
    ha = solve_level(Workload(**SEED_WORKLOAD, monitoring=PRESETS["high"]), "ha")
    assert ft.outage_hours["host"] == pytest.approx(2 / 3600)
    assert (ft.outage_hours["guest"], ft.outage_hours["application"]) == (ha.outage_hours["guest"], ha.outage_hours["application"])


def test_a_guest_cluster_by_hand():
    """Failovers (45 s) for every active-node failure but the common-cause 5 % of guest and application ones,
    those at the HA recovery time, and both nodes down at once as U_node² entered 2·f_node·U_node times."""
    workload = Workload(**SEED_WORKLOAD)
    recovery = solve_level(workload, "ha").outage_hours
    rates = {"host": 1 / 50000, "guest": 1 / 4000, "application": 1 / 2000}
    node_down = product_unavailability(*(rates[cause] * recovery[cause] for cause in rates))
    both = node_down**2
    loads = [rates["host"] * 45 / 3600]
    loads += [rates[cause] * 0.95 * 45 / 3600 for cause in ("guest", "application")]
    loads += [rates[cause] * 0.05 * recovery[cause] for cause in ("guest", "application")]
    loads += [both / (1 - both)]
    assert solve_level(workload, "guest-cluster").unavailability == pytest.approx(product_unavailability(*loads), rel=1e-9)


def test_a_pool_by_hand():
    """3 instances under HA, 2 needed: P(fewer than 2 up) from the binomial, plus 5 s of lost sessions per instance failure."""
    workload = Workload(**SEED_WORKLOAD, pool=3, pool_needed=2)
    instance = solve_level(workload, "ha")
    down = instance.unavailability
    short = 3 * (1 - down) * down**2 + down**3
    sessions = [3 * rate * 5 / 3600 for rate in (1 / 50000, 1 / 4000, 1 / 2000)]  # three independent streams of session loss
    expected = product_unavailability(short / (1 - short), *sessions)
    assert solve_level(workload, "pool").unavailability == pytest.approx(expected, rel=1e-9)


def test_only_a_guest_cluster_or_a_pool_covers_application_failures():
    comparison = compare(Workload(**SEED_WORKLOAD, monitoring=PRESETS["high"]), LEVELS)
    application = {result.level: result.downtime_per_year["application"] for result in comparison.levels}
    assert application["ha"] == pytest.approx(application["none"], rel=1e-3) == pytest.approx(application["ft"], rel=1e-3)
    assert application["guest-cluster"] < application["ha"] / 10 and application["pool"] < application["ha"] / 10


def simulated_unavailability(rates_and_outages, horizon: float, seed: int) -> float:
    """Independent alternating processes with exponential up times and deterministic outages, their down
    intervals merged over a long horizon: the share of time any is down."""
    rng = np.random.default_rng(seed)
    intervals = []
    for rate, outage in rates_and_outages:
        clock = 0.0
        ups = rng.exponential(1 / rate, size=int(horizon * rate * 1.2) + 100)
        for up in ups:
            clock += up
            if clock >= horizon:
                break
            intervals.append((clock, min(clock + outage, horizon)))
            clock += outage
    return total_length(merge_intervals(intervals)) / horizon


def test_the_product_formula_against_a_simulation_with_deterministic_delays():
    workload = Workload(host_mttf=500.0, guest_mttf=100.0, app_mttf=50.0, host_mttr=8.0)
    result = solve_level(workload, "none")
    pairs = [(workload.rate(cause), result.outage_hours[cause]) for cause in ("host", "guest", "application")]
    simulated = simulated_unavailability(pairs, 2e6, 3)
    assert simulated == pytest.approx(result.unavailability, rel=0.02)


@pytest.mark.parametrize(
    "arguments",
    [
        dict(),
        dict(host_mttf=0.0),
        dict(host_mttf=1000.0, boot=-1.0),
        dict(host_mttf=1000.0, respond=9000.0),
        dict(host_mttf=1000.0, common_cause=1.5),
        dict(host_mttf=1000.0, pool=2, pool_needed=3),
        dict(host_mttf=1000.0, monitoring=Monitoring(120 / 3600, 0.0, 3, 60 / 3600)),
    ],
)
def test_impossible_workloads_are_refused(arguments):
    with pytest.raises(InputError):
        Workload(**arguments)
