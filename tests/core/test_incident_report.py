"""summarize(): what a window of incidents adds up to, against values worked out by hand.

F(2, 2) has the closed-form CDF x/(1+x), so its quantiles are exact: f_{0.95} = 19, f_{0.05} = 1/19
(Trivedi's n = 1 case, reliability-math.md §4.2); χ²(2) quantiles are -2 ln(1-p) (§4.1, r = 0).
"""

from __future__ import annotations

import math
from datetime import datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hacalc.core import incident_report
from hacalc.core.incident_report import Counting
from hacalc.core.incidents import Incident, IncidentTable
from hacalc.core.timeline import parse_weekly

UTC = ZoneInfo("UTC")
HOUR = 3600 * 10**6
DAY = 24 * HOUR


def at(text: str, zone: ZoneInfo = UTC) -> int:
    moment = datetime.fromisoformat(text).replace(tzinfo=zone)
    return int(moment.timestamp()) * 10**6


def summarize(incidents, counting):
    return incident_report.summarize(IncidentTable.from_incidents(incidents), counting)


def row(report, name: str, period: str = "window"):
    chosen = next(p for p in report.periods if p.label == period)
    return next(r for r in chosen.groups if r.name == name)


MARCH = Counting(at("2026-03-01T00:00"), at("2026-03-31T00:00"), UTC)  # 30 days


def test_one_incident_in_thirty_days_is_a_finite_mttr_and_a_wide_interval_not_zero_availability():
    # OpsKnight PR #323 (reference inventories.md §3.4): one incident must not read as 0 % availability.
    report = summarize([Incident("vm1", at("2026-03-10T10:00"), at("2026-03-10T12:00"))], MARCH)
    vm = row(report, "vm1")
    assert vm.tally.period == 30 * DAY and vm.tally.downtime == 2 * HOUR
    assert vm.availability.unavailability == Fraction(2, 30 * 24)
    assert vm.estimate.mttr == 7200 and vm.estimate.mtbf == 30 * 86400 - 7200
    lower, upper = vm.estimate.availability_bounds
    ratio = Fraction(7200, 30 * 86400 - 7200)
    assert float(lower.availability) == pytest.approx(float(1 / (1 + ratio * 19)), rel=1e-12)
    assert float(upper.availability) == pytest.approx(float(1 / (1 + ratio / 19)), rel=1e-12)
    assert 0.94 < float(lower.availability) < 0.95  # wide, as one cycle deserves


def test_overlapping_incidents_of_one_object_are_merged_and_are_one_failure():
    incidents = [
        Incident("db", at("2026-03-05T00:00"), at("2026-03-05T04:00")),
        Incident("db", at("2026-03-05T03:00"), at("2026-03-05T05:00")),
    ]
    db = row(summarize(incidents, MARCH), "db")
    assert db.tally.downtime == 5 * HOUR and db.tally.failures == 1 and db.tally.repairs == 1


def test_planned_time_leaves_the_period_unless_counted():
    incidents = [
        Incident("esx1", at("2026-03-02T10:00"), at("2026-03-02T12:00"), planned=True),
        Incident("esx1", at("2026-03-03T10:00"), at("2026-03-03T11:00")),
    ]
    excluded = row(summarize(incidents, MARCH), "esx1")
    assert excluded.tally.period == 30 * DAY - 2 * HOUR and excluded.tally.downtime == HOUR
    assert excluded.tally.planned == 2 * HOUR and excluded.tally.failures == 1
    counted = row(summarize(incidents, Counting(MARCH.start, MARCH.end, UTC, count_planned=True)), "esx1")
    assert counted.tally.period == 30 * DAY and counted.tally.downtime == 3 * HOUR and counted.tally.failures == 2


def test_recurring_maintenance_windows_leave_every_object_s_period():
    # 2026-03-02 is a Monday: two weeks hold two Saturdays, 2 h each.
    counting = Counting(at("2026-03-02T00:00"), at("2026-03-16T00:00"), UTC, maintenance=(parse_weekly("Sat 02:00-04:00"),))
    incidents = [Incident("vm", at("2026-03-07T02:30"), at("2026-03-07T03:00")), Incident("vm", at("2026-03-09T09:00"), at("2026-03-09T09:10"))]
    vm = row(summarize(incidents, counting), "vm")
    assert vm.tally.period == 14 * DAY - 4 * HOUR
    assert vm.tally.downtime == 10 * 60 * 10**6 and vm.tally.failures == 1  # the Saturday one fell in maintenance


def test_service_hours_count_only_inside_them():
    # Mon-Fri 08:00-20:00 is 60 h a week; Saturday's outage is outside, Monday's 19:00-21:00 counts 1 h.
    counting = Counting(at("2026-03-02T00:00"), at("2026-03-09T00:00"), UTC, service_hours=(parse_weekly("Mon-Fri 08:00-20:00"),))
    incidents = [Incident("app", at("2026-03-07T10:00"), at("2026-03-07T11:00")), Incident("app", at("2026-03-02T19:00"), at("2026-03-02T21:00"))]
    app = row(summarize(incidents, counting), "app")
    assert app.tally.period == 60 * HOUR and app.tally.downtime == HOUR and app.tally.failures == 1


def test_service_hours_follow_daylight_saving_time():
    # Berlin springs forward on 2026-03-29 (EU rule: last Sunday of March, 01:00 UTC): that day has 23 h.
    berlin = ZoneInfo("Europe/Berlin")
    counting = Counting(at("2026-03-29T00:00", berlin), at("2026-03-30T00:00", berlin), berlin, service_hours=(parse_weekly("daily 00:00-24:00"),))
    assert row(summarize([Incident("x", counting.start, counting.start + HOUR)], counting), "x").tally.period == 23 * HOUR


def test_calendar_months_split_an_incident_and_its_repair_falls_in_the_second():
    counting = Counting(at("2026-03-01T00:00"), at("2026-05-01T00:00"), UTC, calendar="month")
    report = summarize([Incident("vm", at("2026-03-31T23:00"), at("2026-04-01T01:00"))], counting)
    march, april = row(report, "vm", "2026-03"), row(report, "vm", "2026-04")
    assert march.tally.downtime == april.tally.downtime == HOUR
    assert (march.tally.failures, march.tally.repairs) == (1, 0)
    assert (april.tally.failures, april.tally.repairs) == (1, 1)
    assert march.tally.period == 31 * DAY and april.tally.period == 30 * DAY


def test_an_open_incident_runs_to_the_end_of_the_window_and_is_not_a_repair():
    vm = row(summarize([Incident("vm", at("2026-03-30T00:00"), None)], MARCH), "vm")
    assert vm.tally.downtime == DAY and (vm.tally.failures, vm.tally.repairs) == (1, 0)
    assert vm.estimate.availability_bounds is None and vm.estimate.mttr_bounds.lower is None


def test_no_failure_gives_the_one_sided_mtbf_bound_and_nothing_to_demonstrate():
    # §4.1: r = 0 -> MTBF_L = T/(-ln α); α = 0.1 at the default 90 %.
    quiet = row(summarize([Incident("a", at("2026-03-10T00:00"), at("2026-03-10T01:00")), Incident("b", at("2026-04-10T00:00"), at("2026-04-10T01:00"))], MARCH), "b")
    assert quiet.tally.failures == 0 and quiet.availability.unavailability == 0
    assert quiet.estimate.mtbf_bounds.lower == pytest.approx(30 * 86400 / -math.log(0.1), rel=1e-12)
    assert quiet.estimate.mtbf is None and quiet.estimate.demonstrated is None


def test_an_object_down_the_whole_window_has_zero_availability_and_no_estimate():
    down = row(summarize([Incident("dead", at("2026-02-01T00:00"), None)], MARCH), "dead")
    assert down.availability.unavailability == 1 and down.estimate is None and down.tally.failures == 1


def test_groups_sum_objects_by_service_by_type_and_in_total():
    incidents = [
        Incident("web1", at("2026-03-02T00:00"), at("2026-03-02T01:00"), service="web"),
        Incident("web2", at("2026-03-03T00:00"), at("2026-03-03T03:00"), service="web"),
        Incident("esx1", at("2026-03-04T00:00"), at("2026-03-04T02:00"), object_type="host"),
    ]
    report = summarize(incidents, MARCH)
    web, hosts, everything = row(report, "web"), row(report, "host"), row(report, "all objects")
    assert (web.group, web.tally.objects, web.tally.downtime, web.tally.period) == ("service", 2, 4 * HOUR, 60 * DAY)
    assert (hosts.group, hosts.tally.downtime) == ("type", 2 * HOUR)
    assert everything.tally.objects == 3 and everything.tally.downtime == 6 * HOUR and everything.tally.failures == 3
    assert everything.availability.unavailability == Fraction(6, 3 * 30 * 24)


def test_a_target_gate_uses_the_observed_value_or_its_lower_bound():
    from hacalc.core.availability import Availability

    report = summarize([Incident("vm", at("2026-03-10T10:00"), at("2026-03-10T10:20"))], MARCH)  # 99.954 % observed
    target = Availability(Fraction(1, 1000))  # 99.9 %
    assert report.below(target, demonstrated=False) == []
    assert {r.name for _, r in report.below(target, demonstrated=True)} == {"vm", "all objects"}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 50), st.booleans()), min_size=1, max_size=12), st.integers(1, 100), st.integers(101, 260))
def test_downtime_never_exceeds_counted_time_and_matches_a_minute_by_minute_model(spans, start, end):
    """Every counted minute is down at most once, whatever overlaps: compare with a set of minutes."""
    minute = 60 * 10**6
    incidents = [Incident("x", s * minute, (s + length) * minute, planned=planned) for s, length, planned in spans]
    tally = row(summarize(incidents, Counting(start * minute, end * minute, UTC)), "all objects").tally
    planned = {m for s, length, p in spans if p for m in range(s, s + length)}
    down = {m for s, length, p in spans if not p for m in range(s, s + length)}
    counted = set(range(start, end)) - planned
    assert tally.period == len(counted) * minute
    assert tally.downtime == len(down & counted) * minute <= tally.period


@pytest.mark.parametrize(
    ("start", "end", "length", "expected"),
    [
        (None, None, None, (100, 900)),  # the span of the data
        (200, None, None, (200, 900)),
        (None, 500, None, (100, 500)),
        (None, None, 300, (600, 900)),  # a window ending where the data ends
        (200, None, 300, (200, 500)),
        (None, 500, 300, (200, 500)),
        (0, 1000, None, (0, 1000)),
    ],
)
def test_the_window_comes_from_any_two_of_from_to_and_length(start, end, length, expected):
    from hacalc.core.incident_report import resolve_window

    assert resolve_window((100, 900), start, end, length) == expected


@pytest.mark.parametrize(("span", "start", "end", "length"), [((100, 900), 1, 2, 3), ((100, 900), 950, None, None), ((100, 900), None, 50, None), (None, 5, None, None)])
def test_a_window_that_cannot_be_is_an_error(span, start, end, length):
    from hacalc.core.errors import InputError
    from hacalc.core.incident_report import resolve_window

    with pytest.raises(InputError):
        resolve_window(span, start, end, length)


def test_a_demonstrated_check_falls_back_to_the_observed_value_where_nothing_is_bounded():
    from hacalc.core.availability import Availability

    # an outage still open: no repair finished, so no F bound; the observed 96.7 % must still fail a 99 % target
    report = summarize([Incident("web03", at("2026-03-30T00:00"), None)], MARCH)
    assert row(report, "web03").estimate.demonstrated is None
    assert {r.name for _, r in report.below(Availability(Fraction(1, 100)), demonstrated=True)} == {"web03", "all objects"}
