"""Interval sets, weekly wall-clock windows and calendar periods.

Expected instants are written out in UTC by hand from the published rules, not derived from the code:
EU summer time (Directive 2000/84/EC) starts and ends at 01:00 UTC on the last Sunday of March and October,
so Berlin's 2026-03-29 has 23 h and 2026-10-25 has 25 h; the US (15 U.S.C. §260a) changes at 02:00 local on
the second Sunday of March and the first Sunday of November (2026-03-08, 2026-11-01); Lord Howe Island moves
its clocks by 30 minutes at 02:00 local on the first Sunday of April and October (2026-04-05, 2026-10-04),
which zoneinfo confirms. Local times in a gap or overlap follow RFC 5545 §3.3.5.
"""

from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hacalc.core.errors import InputError
from hacalc.core.observed import total_length
from hacalc.core.timeline import (
    Period,
    WeeklyWindow,
    calendar_periods,
    clip,
    intersect,
    parse_weekly,
    subtract,
    union,
    weekly_intervals,
)

SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
UTC = timezone.utc


def utc(*fields: int) -> int:
    """µs since the epoch of a UTC calendar time, by integer arithmetic only."""
    moment = datetime(*fields)
    days = (moment.date() - date(1970, 1, 1)).days
    return days * DAY + moment.hour * HOUR + moment.minute * MINUTE + moment.second * SECOND


def hours(intervals: list[tuple[int, int]]) -> float:
    return total_length(intervals) / HOUR


# --- interval sets ----------------------------------------------------------------------------------------


def test_intersect_and_subtract_by_hand():
    a = [(0, 10), (20, 30), (40, 50)]
    b = [(5, 25), (28, 45)]
    assert intersect(a, b) == [(5, 10), (20, 25), (28, 30), (40, 45)]
    assert subtract(a, b) == [(0, 5), (25, 28), (45, 50)]
    assert subtract(b, a) == [(10, 20), (30, 40)]
    assert union(a, b) == [(0, 50)]


def test_one_long_interval_against_many_short_ones():
    many = [(start, start + 1) for start in range(0, 100, 2)]
    assert intersect([(10, 20)], many) == [(10, 11), (12, 13), (14, 15), (16, 17), (18, 19)]
    assert subtract([(10, 20)], many) == [(11, 12), (13, 14), (15, 16), (17, 18), (19, 20)]
    assert subtract(many, [(-5, 1000)]) == []
    assert subtract(many, []) == many
    assert intersect(many, []) == []


def test_an_interval_of_b_spanning_several_of_a_is_removed_from_each():
    assert subtract([(0, 2), (3, 5), (6, 8), (9, 12)], [(1, 10)]) == [(0, 1), (10, 12)]


def test_results_join_touching_pieces_and_drop_empty_ones():
    assert subtract([(0, 10)], [(3, 3)]) == [(0, 10)]
    assert intersect([(0, 10)], [(0, 3), (3, 6)]) == [(0, 6)]
    assert union([(0, 3)], [(3, 6)], [(8, 8)]) == [(0, 6)]
    assert clip([(0, 3), (3, 6)], 1, 5) == [(1, 5)]


def test_clip():
    a = [(0, 10), (20, 30), (40, 50)]
    assert clip(a, 5, 45) == [(5, 10), (20, 30), (40, 45)]
    assert clip(a, 10, 20) == []
    assert clip(a, 25, 26) == [(25, 26)]
    assert clip(a, -100, 100) == a
    assert clip(a, 30, 30) == []
    assert clip(a, 45, 5) == []
    assert clip([], 0, 10) == []


def test_a_million_intervals():
    a = [(start, start + 5) for start in range(0, 10_000_000, 10)]
    b = [(start, start + 5) for start in range(3, 10_000_000, 10)]
    assert total_length(intersect(a, b)) == 2 * len(a)
    assert total_length(subtract(a, b)) == 3 * len(a)
    assert clip(a, 5_000_001, 5_000_014) == [(5_000_001, 5_000_005), (5_000_010, 5_000_014)]


@st.composite
def interval_sets(draw, limit: int = 40):
    """Sorted, disjoint intervals on [0, limit]; touching and empty ones included, as callers may pass them."""
    bounds = sorted(draw(st.lists(st.integers(0, limit), max_size=12)))
    if len(bounds) % 2:
        bounds.pop()
    return [(bounds[index], bounds[index + 1]) for index in range(0, len(bounds), 2)]


def points(intervals: list[tuple[int, int]]) -> set[int]:
    return {point for start, end in intervals for point in range(start, end)}


def runs(covered: set[int]) -> list[tuple[int, int]]:
    """The canonical interval set of a set of integer points: maximal runs."""
    out: list[tuple[int, int]] = []
    for point in sorted(covered):
        if out and out[-1][1] == point:
            out[-1] = (out[-1][0], point + 1)
        else:
            out.append((point, point + 1))
    return out


@given(interval_sets(), interval_sets())
def test_set_operations_agree_with_sets_of_points(a, b):
    assert intersect(a, b) == runs(points(a) & points(b))
    assert subtract(a, b) == runs(points(a) - points(b))
    assert union(a, b) == runs(points(a) | points(b))


@given(interval_sets(), st.integers(-5, 45), st.integers(-5, 45))
def test_clip_agrees_with_sets_of_points(a, start, end):
    assert clip(a, start, end) == runs(points(a) & set(range(start, end)))


@given(interval_sets(), interval_sets())
def test_intersection_and_difference_split_a(a, b):
    whole = total_length(union(a))
    assert total_length(intersect(a, b)) + total_length(subtract(a, b)) == whole


# --- parsing weekly windows -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "start", "end"),
    [
        ("Mon-Fri 08:00-20:00", {0, 1, 2, 3, 4}, 480, 1200),
        ("sat 02:00-04:00", {5}, 120, 240),
        ("SUNDAY 9:30-10:15", {6}, 570, 615),
        ("Fri-Mon 22:00-02:00", {4, 5, 6, 0}, 1320, 120),
        ("Mon,Wed,Fri 12:00-13:00", {0, 2, 4}, 720, 780),
        ("Mon-Wed,Sat 00:00-24:00", {0, 1, 2, 5}, 0, 1440),
        ("Mon, Wed - Thu 01:00 - 02:00", {0, 2, 3}, 60, 120),
        ("daily 06:00-07:00", set(range(7)), 360, 420),
        ("Every Day 23:00-00:00", set(range(7)), 1380, 1440),
        ("Tuesday-Tuesday 10:00-11:00", {1}, 600, 660),
    ],
)
def test_parse_weekly(text, days, start, end):
    window = parse_weekly(text)
    assert (window.days, window.start, window.end) == (frozenset(days), start, end)
    assert window.text == " ".join(text.split())


def test_a_window_ending_at_or_before_its_start_crosses_midnight():
    overnight = parse_weekly("Sat 22:00-02:00")
    assert overnight.crosses_midnight and overnight.minutes == 240
    assert not parse_weekly("Sat 22:00-24:00").crosses_midnight
    assert parse_weekly("Sat 22:00-00:00") == WeeklyWindow(frozenset({5}), 1320, 1440, "Sat 22:00-00:00")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Mon 25:00-26:00", "25:00"),
        ("Mon 08:60-09:00", "08:60"),
        ("Mon 08:00-24:30", "24:30"),
        ("Mon 24:00-02:00", "starts at 24:00"),
        ("Funday 08:00-09:00", "unknown day 'funday'"),
        ("Mon-Fri", "no time range"),
        ("Mon 08:00", "no time range"),
        ("08:00-20:00", "names no days"),
        ("", "empty"),
        ("Mon-Wed-Fri 08:00-09:00", "more than two ends"),
        ("Mon,,Tue 08:00-09:00", "unknown day ''"),
        ("Mon 08:00-08:00", "no time or a whole day"),
        ("Mon ０８:00-09:00", "no time range"),  # fullwidth digits are not read as digits
    ],
)
def test_bad_weekly_windows_say_what_is_wrong_and_show_the_form(text, says):
    with pytest.raises(InputError) as raised:
        parse_weekly(text)
    assert says in str(raised.value)
    if "unknown day" in says:
        assert "Mon-Fri" in raised.value.fix
    elif "whole day" not in says:
        assert "Mon-Fri 08:00-20:00" in raised.value.fix


# --- weekly intervals -------------------------------------------------------------------------------------


def sundays(text: str, zone, first: int, last: int) -> list[tuple[int, int]]:
    return weekly_intervals([parse_weekly(text)], first, last, zone)


def test_a_berlin_day_is_23_hours_at_spring_forward_and_25_at_fall_back():
    march = sundays("Sun 00:00-24:00", BERLIN, utc(2026, 3, 20), utc(2026, 4, 3))
    assert march == [(utc(2026, 3, 21, 23), utc(2026, 3, 22, 23)), (utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))]
    october = sundays("Sun 00:00-24:00", BERLIN, utc(2026, 10, 20), utc(2026, 10, 30))
    assert october == [(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))]
    every_day = weekly_intervals([parse_weekly("Mon-Sun 00:00-24:00")], utc(2026, 1, 1), utc(2027, 1, 1), BERLIN)
    assert every_day == [(utc(2026, 1, 1), utc(2027, 1, 1))]


def test_new_york_dst_days():
    assert sundays("Sun 00:00-24:00", NEW_YORK, utc(2026, 3, 7), utc(2026, 3, 10)) == [
        (utc(2026, 3, 8, 5), utc(2026, 3, 9, 4))
    ]
    assert sundays("Sun 00:00-24:00", NEW_YORK, utc(2026, 10, 31), utc(2026, 11, 3)) == [
        (utc(2026, 11, 1, 4), utc(2026, 11, 2, 5))
    ]


def test_lord_howe_moves_its_clocks_by_half_an_hour():
    # UTC+11 in summer, UTC+10:30 in winter: 24.5 h on 2026-04-05, 23.5 h on 2026-10-04
    assert sundays("Sun 00:00-24:00", LORD_HOWE, utc(2026, 4, 3), utc(2026, 4, 7)) == [
        (utc(2026, 4, 4, 13), utc(2026, 4, 5, 13, 30))
    ]
    assert sundays("Sun 00:00-24:00", LORD_HOWE, utc(2026, 10, 2), utc(2026, 10, 6)) == [
        (utc(2026, 10, 3, 13, 30), utc(2026, 10, 4, 13))
    ]
    # 02:00-02:30 does not exist on 2026-10-04; from 01:00 to 03:00 local is 1.5 h
    assert hours(sundays("Sun 01:00-03:00", LORD_HOWE, utc(2026, 10, 2), utc(2026, 10, 6))) == 1.5


def test_a_service_window_over_the_spring_forward_night_is_shorter():
    # 01:00 CET is 00:00 UTC; 04:00 CEST is 02:00 UTC
    assert sundays("Sun 01:00-04:00", BERLIN, utc(2026, 3, 28), utc(2026, 3, 31)) == [
        (utc(2026, 3, 29, 0), utc(2026, 3, 29, 2))
    ]


def test_a_time_in_the_gap_uses_the_offset_before_it():
    # RFC 5545: 02:15 and 02:45 do not exist and are read with +01:00, so 01:15 and 01:45 UTC (03:15-03:45 CEST)
    assert sundays("Sun 02:15-02:45", BERLIN, utc(2026, 3, 28), utc(2026, 3, 31)) == [
        (utc(2026, 3, 29, 1, 15), utc(2026, 3, 29, 1, 45))
    ]
    # 02:30 is then 01:30 UTC, after 03:00 CEST (01:00 UTC): nothing is left
    assert sundays("Sun 02:30-03:00", BERLIN, utc(2026, 3, 28), utc(2026, 3, 31)) == []
    # 02:30 does not exist: RFC 5545 reads it with the offset before the gap, +01:00, so 01:30 UTC
    assert sundays("Sun 01:00-02:30", BERLIN, utc(2026, 3, 28), utc(2026, 3, 31)) == [
        (utc(2026, 3, 29, 0), utc(2026, 3, 29, 1, 30))
    ]


def test_an_ambiguous_time_is_its_first_occurrence():
    # 02:30 on 2026-10-25 happens at 00:30 UTC (CEST) and 01:30 UTC (CET); the first counts
    assert sundays("Sun 02:30-03:30", BERLIN, utc(2026, 10, 24), utc(2026, 10, 27)) == [
        (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 2, 30))
    ]
    assert sundays("Sun 01:00-02:30", BERLIN, utc(2026, 10, 24), utc(2026, 10, 27)) == [
        (utc(2026, 10, 24, 23), utc(2026, 10, 25, 0, 30))
    ]


def test_office_hours_make_60_hours_a_week():
    office = [parse_weekly("Mon-Fri 08:00-20:00")]
    week = weekly_intervals(office, utc(2026, 6, 1), utc(2026, 6, 8), UTC)  # Monday to Monday
    assert week == [(utc(2026, 6, day, 8), utc(2026, 6, day, 20)) for day in range(1, 6)]
    assert hours(weekly_intervals(office, utc(2026, 6, 1), utc(2026, 6, 8), BERLIN)) == 60
    assert weekly_intervals(office, utc(2026, 6, 1), utc(2026, 6, 8), BERLIN)[0] == (utc(2026, 6, 1, 6), utc(2026, 6, 1, 18))
    assert hours(weekly_intervals(office, utc(2026, 1, 5), utc(2027, 1, 4), UTC)) == 52 * 60


def test_a_window_crossing_midnight_belongs_to_the_day_it_starts():
    overnight = [parse_weekly("Sat 22:00-02:00")]
    assert weekly_intervals(overnight, utc(2026, 6, 1), utc(2026, 6, 15), UTC) == [
        (utc(2026, 6, 6, 22), utc(2026, 6, 7, 2)),
        (utc(2026, 6, 13, 22), utc(2026, 6, 14, 2)),
    ]
    # the Saturday before the window starts still reaches into it
    assert weekly_intervals(overnight, utc(2026, 6, 7), utc(2026, 6, 8), UTC) == [(utc(2026, 6, 7), utc(2026, 6, 7, 2))]
    # on the spring-forward night 02:00 does not exist and is read as +01:00: 21:00 to 01:00 UTC, 4 h
    assert sundays("Sat 22:00-02:00", BERLIN, utc(2026, 3, 27), utc(2026, 3, 30)) == [
        (utc(2026, 3, 28, 21), utc(2026, 3, 29, 1))
    ]
    # and on the fall-back night 02:00 is its first occurrence, 00:00 UTC: 21:00 CEST is 20:00 UTC, 4 h
    assert sundays("Sat 22:00-02:00", BERLIN, utc(2026, 10, 23), utc(2026, 10, 27)) == [
        (utc(2026, 10, 24, 20), utc(2026, 10, 25, 0))
    ]


def test_overlapping_windows_count_once_and_are_clipped():
    windows = [parse_weekly("Mon 08:00-12:00"), parse_weekly("Mon 10:00-14:00"), parse_weekly("Mon 14:00-15:00")]
    assert weekly_intervals(windows, utc(2026, 6, 1, 9), utc(2026, 6, 1, 14, 30), UTC) == [
        (utc(2026, 6, 1, 9), utc(2026, 6, 1, 14, 30))
    ]
    assert weekly_intervals(windows, utc(2026, 6, 1, 9), utc(2026, 6, 1, 9), UTC) == []
    assert weekly_intervals([], utc(2026, 6, 1), utc(2026, 6, 8), UTC) == []


def test_ten_years_of_maintenance_windows():
    maintenance = [parse_weekly("Sat 02:00-04:00")]
    found = weekly_intervals(maintenance, utc(2020, 1, 1), utc(2030, 1, 1), BERLIN)
    saturdays = sum(1 for day in range(date(2020, 1, 1).toordinal(), date(2030, 1, 1).toordinal()) if day % 7 == 6)
    assert len(found) == saturdays and hours(found) == 2 * saturdays


ZONES = [UTC, BERLIN, NEW_YORK, LORD_HOWE, ZoneInfo("America/Santiago"), ZoneInfo("America/Havana")]
windows = st.builds(
    lambda days, start, length: WeeklyWindow(frozenset(days), start, (start + length - 1) % 1440 + 1, "drawn"),
    st.sets(st.integers(0, 6), min_size=1),
    st.integers(0, 1439),
    st.integers(1, 1439),
)
instants = st.integers(utc(2025, 1, 1), utc(2028, 1, 1))


@settings(max_examples=60, deadline=None)
@given(st.lists(windows, min_size=1, max_size=3), instants, instants, instants, st.sampled_from(ZONES))
def test_weekly_intervals_split_anywhere_join_again(drawn, start, middle, end, zone):
    start, middle, end = sorted((start, middle, end))
    whole = weekly_intervals(drawn, start, end, zone)
    assert whole == union(weekly_intervals(drawn, start, middle, zone), weekly_intervals(drawn, middle, end, zone))
    assert all(start <= a < b <= end for a, b in whole)


def inside(window: WeeklyWindow, local: datetime) -> bool:
    """The plain wall-clock reading of a window, exact where the offset never changes."""
    minute = local.hour * 60 + local.minute
    today = local.weekday() in window.days and window.start <= minute < (window.end if not window.crosses_midnight else 1440)
    yesterday = window.crosses_midnight and (local.weekday() - 1) % 7 in window.days and minute < window.end
    return today or yesterday


@settings(max_examples=40, deadline=None)
@given(st.lists(windows, min_size=1, max_size=3), st.integers(-14 * 60, 14 * 60), st.integers(0, 7 * 24 * 4))
def test_weekly_intervals_match_a_wall_clock_in_a_fixed_offset_zone(drawn, offset_minutes, quarter_hours):
    zone = timezone(timedelta(minutes=offset_minutes))
    start = utc(2026, 6, 1) + quarter_hours * 15 * MINUTE
    end = start + 9 * DAY
    found = weekly_intervals(drawn, start, end, zone)
    expected = [
        (moment, moment + MINUTE)
        for moment in range(start, end, MINUTE)
        if any(inside(window, datetime.fromtimestamp(moment // SECOND, zone)) for window in drawn)
    ]
    assert found == union(expected)


# --- calendar periods -------------------------------------------------------------------------------------


def test_berlin_months_start_at_local_midnight():
    periods = calendar_periods(utc(2026, 1, 1), utc(2026, 12, 31, 23), "month", BERLIN)
    assert [period.label for period in periods] == [f"2026-{month:02d}" for month in range(1, 13)]
    assert periods[0] == Period("2026-01", utc(2026, 1, 1), utc(2026, 1, 31, 23))  # clipped: Berlin's January began 23:00 UTC
    assert periods[2] == Period("2026-03", utc(2026, 2, 28, 23), utc(2026, 3, 31, 22))
    assert periods[9] == Period("2026-10", utc(2026, 9, 30, 22), utc(2026, 10, 31, 23))
    assert periods[11] == Period("2026-12", utc(2026, 11, 30, 23), utc(2026, 12, 31, 23))
    assert calendar_periods(utc(2026, 1, 1), utc(2027, 1, 1), "month", BERLIN)[-1] == Period(
        "2027-01", utc(2026, 12, 31, 23), utc(2027, 1, 1)
    )


def test_a_window_across_a_month_boundary_is_clipped_on_both_sides():
    assert calendar_periods(utc(2026, 3, 30, 12), utc(2026, 4, 2, 6), "month", BERLIN) == [
        Period("2026-03", utc(2026, 3, 30, 12), utc(2026, 3, 31, 22)),
        Period("2026-04", utc(2026, 3, 31, 22), utc(2026, 4, 2, 6)),
    ]
    assert calendar_periods(utc(2026, 3, 31, 22), utc(2026, 3, 31, 23), "month", BERLIN) == [
        Period("2026-04", utc(2026, 3, 31, 22), utc(2026, 3, 31, 23))
    ]


def test_quarters_and_years():
    quarters = calendar_periods(utc(2025, 11, 15), utc(2026, 8, 1), "quarter", UTC)
    assert quarters == [
        Period("2025-Q4", utc(2025, 11, 15), utc(2026, 1, 1)),
        Period("2026-Q1", utc(2026, 1, 1), utc(2026, 4, 1)),
        Period("2026-Q2", utc(2026, 4, 1), utc(2026, 7, 1)),
        Period("2026-Q3", utc(2026, 7, 1), utc(2026, 8, 1)),
    ]
    assert calendar_periods(utc(2025, 6, 1), utc(2027, 2, 1), "Year", NEW_YORK) == [
        Period("2025", utc(2025, 6, 1), utc(2026, 1, 1, 5)),
        Period("2026", utc(2026, 1, 1, 5), utc(2027, 1, 1, 5)),
        Period("2027", utc(2027, 1, 1, 5), utc(2027, 2, 1)),
    ]


def test_february_of_a_leap_year_has_29_days():
    february = calendar_periods(utc(2028, 2, 10), utc(2028, 3, 10), "month", UTC)[0]
    assert february == Period("2028-02", utc(2028, 2, 10), utc(2028, 3, 1))
    whole = calendar_periods(utc(2028, 1, 1), utc(2028, 4, 1), "month", UTC)[1]
    assert (whole.label, whole.end - whole.start) == ("2028-02", 29 * DAY)
    assert [p.end - p.start for p in calendar_periods(utc(2027, 1, 1), utc(2027, 4, 1), "month", UTC)][1] == 28 * DAY


def test_iso_weeks_start_on_monday_and_take_the_iso_year():
    weeks = calendar_periods(utc(2026, 3, 29), utc(2026, 4, 6), "week", UTC)
    assert weeks == [
        Period("2026-W13", utc(2026, 3, 29), utc(2026, 3, 30)),
        Period("2026-W14", utc(2026, 3, 30), utc(2026, 4, 6)),
    ]
    # 2024-12-30 is the Monday of 2025's first ISO week; 2026 has 53 ISO weeks (it starts on a Thursday)
    assert calendar_periods(utc(2024, 12, 31), utc(2025, 1, 1), "week", UTC)[0].label == "2025-W01"
    assert calendar_periods(utc(2027, 1, 1), utc(2027, 1, 2), "week", UTC)[0].label == "2026-W53"
    berlin = calendar_periods(utc(2026, 3, 22), utc(2026, 4, 6), "week", BERLIN)
    assert berlin[1] == Period("2026-W13", utc(2026, 3, 22, 23), utc(2026, 3, 29, 22))  # 167 h


def test_days_follow_local_midnight():
    days = calendar_periods(utc(2026, 3, 28, 23), utc(2026, 3, 30, 22), "day", BERLIN)
    assert days == [
        Period("2026-03-29", utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)),
        Period("2026-03-30", utc(2026, 3, 29, 22), utc(2026, 3, 30, 22)),
    ]
    fall = calendar_periods(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), "day", BERLIN)
    assert fall == [Period("2026-10-25", utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))]


def test_zones_that_change_their_clocks_at_midnight():
    # Havana: 2026-03-08 00:00 -05 jumps to 01:00 -04, so the day begins at the jump (05:00 UTC) and has 23 h
    havana = ZoneInfo("America/Havana")
    assert calendar_periods(utc(2026, 3, 7, 12), utc(2026, 3, 9, 12), "day", havana) == [
        Period("2026-03-07", utc(2026, 3, 7, 12), utc(2026, 3, 8, 5)),
        Period("2026-03-08", utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)),
        Period("2026-03-09", utc(2026, 3, 9, 4), utc(2026, 3, 9, 12)),
    ]
    # Santiago: at 2026-04-05 00:00 -03 the clock falls back to 2026-04-04 23:00 -04; the hour before midnight
    # repeats, midnight itself happens once (04:00 UTC), so April 4 has 25 h
    santiago = ZoneInfo("America/Santiago")
    assert calendar_periods(utc(2026, 4, 4, 12), utc(2026, 4, 6, 12), "day", santiago) == [
        Period("2026-04-04", utc(2026, 4, 4, 12), utc(2026, 4, 5, 4)),
        Period("2026-04-05", utc(2026, 4, 5, 4), utc(2026, 4, 6, 4)),
        Period("2026-04-06", utc(2026, 4, 6, 4), utc(2026, 4, 6, 12)),
    ]


class BackAcrossMidnight(tzinfo):
    """+01:00 until 2026-01-01 23:30 UTC, then +00:00: the clock goes from 00:30 back to 23:30 the day before."""

    change = datetime(2026, 1, 1, 23, 30)
    repeated = (datetime(2026, 1, 1, 23, 30), datetime(2026, 1, 2, 0, 30))

    def utcoffset(self, moment):
        wall = moment.replace(tzinfo=None, fold=0)
        before = wall < self.repeated[0] or (wall < self.repeated[1] and not moment.fold)
        return timedelta(hours=1 if before else 0)

    def dst(self, moment):
        return None

    def fromutc(self, moment):
        instant = moment.replace(tzinfo=None)
        if instant < self.change:
            return (instant + timedelta(hours=1)).replace(tzinfo=self)
        return instant.replace(tzinfo=self, fold=int(self.repeated[0] <= instant < self.repeated[1]))


def test_a_moment_whose_clock_shows_yesterday_after_the_first_midnight_belongs_to_today():
    # 23:45 UTC reads 2026-01-01 23:45 (the second time), but January 2 began at its first midnight, 23:00 UTC
    zone = BackAcrossMidnight()
    assert calendar_periods(utc(2026, 1, 1, 23, 45), utc(2026, 1, 2, 1), "day", zone) == [
        Period("2026-01-02", utc(2026, 1, 1, 23, 45), utc(2026, 1, 2, 1))
    ]
    assert calendar_periods(utc(2026, 1, 1, 12), utc(2026, 1, 3), "day", zone) == [
        Period("2026-01-01", utc(2026, 1, 1, 12), utc(2026, 1, 1, 23)),
        Period("2026-01-02", utc(2026, 1, 1, 23), utc(2026, 1, 3)),
    ]


def test_an_unknown_calendar_unit_lists_the_choices():
    with pytest.raises(InputError) as raised:
        calendar_periods(utc(2026, 1, 1), utc(2026, 2, 1), "fortnight", UTC)
    assert "fortnight" in str(raised.value) and "day, week, month, quarter, year" in raised.value.fix


def test_an_empty_window_has_no_periods():
    assert calendar_periods(utc(2026, 1, 1), utc(2026, 1, 1), "month", UTC) == []


@settings(max_examples=80, deadline=None)
@given(
    st.integers(utc(2000, 1, 1), utc(2040, 1, 1)),
    st.integers(1, 400 * DAY),
    st.sampled_from(["day", "week", "month", "quarter", "year"]),
    st.sampled_from(ZONES),
)
def test_calendar_periods_tile_the_window(start, length, unit, zone):
    end = start + length
    assume(unit != "day" or length < 60 * DAY)
    periods = calendar_periods(start, end, unit, zone)
    assert periods[0].start == start and periods[-1].end == end
    assert all(period.start < period.end for period in periods)
    assert all(before.end == after.start for before, after in zip(periods, periods[1:]))
    assert len({period.label for period in periods}) == len(periods)
    assert [period.label for period in periods] == sorted(period.label for period in periods)
