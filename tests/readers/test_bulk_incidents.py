"""The bulk paths (numpy times, quote-free CSV columns) give exactly what the row-by-row readers give."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hacalc.core.errors import InputError
from hacalc.core.incidents import IncidentTable
from hacalc.readers.incident_list import read_incident_csv, read_incident_csv_table
from hacalc.readers.timestamps import parse_time, parse_times

UTC = ZoneInfo("UTC")
moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
fractions = st.sampled_from(["", ".1", ".123", ".123456", ".1234567", ".", ".12a"])
zones = st.sampled_from(["Z", "+00:00", "+05:30", "-08:00", "+0100", "", "z", " ", "+24:00", "-23:59"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(moments, st.sampled_from("T "), fractions, zones), min_size=1, max_size=20))
def test_every_time_the_bulk_parser_takes_equals_parse_time(parts):
    texts = [f"{moment:%Y-%m-%d}{separator}{moment:%H:%M:%S}{fraction}{zone}" for moment, separator, fraction, zone in parts]
    values, handled = parse_times(texts, UTC)
    for text, value, taken in zip(texts, values, handled):
        if taken:
            assert int(value) == parse_time(text, UTC), text


@pytest.mark.parametrize(
    "text",
    ["today", "now", "2026-03", "2026-02-30T00:00:00Z", "2026-03-03T24:00:00Z", "2026-03-03T14:28Z", "NaT", "", "２０２６-03-03T00:00:00Z"],
)
def test_what_numpy_would_misread_is_left_to_parse_time(text):
    _, handled = parse_times([text], UTC)
    assert not handled[0]


def test_naive_times_outside_utc_are_left_to_parse_time_for_its_dst_rule():
    _, handled = parse_times(["2026-03-29T02:30:00"], ZoneInfo("Europe/Berlin"))
    assert not handled[0]


names = st.sampled_from(["vm01", "vm02", " vm01", "db 1", "ümlaut", "esx02.lab.local", ""])
kinds = st.sampled_from(["", "planned", "unplanned", " Planned", "maybe"])
services = st.sampled_from(["", "web", "db", " web "])
quoted_notes = st.sampled_from(["", "ok", '"a, b"', '"say ""hi"""'])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(names, st.integers(0, 10**6), st.one_of(st.none(), st.integers(-10, 10**5)), kinds, services, quoted_notes),
        max_size=25,
    ),
    st.sampled_from(["\n", "\r\n"]),
)
def test_the_bulk_csv_table_is_the_row_reader_s_table(rows, newline):
    base = datetime(2026, 3, 1, tzinfo=timezone.utc)
    lines = ["object,start,end,kind,service,note"]
    for name, start, length, kind, service, note in rows:
        begin = base + timedelta(seconds=start)
        end = "" if length is None else (begin + timedelta(seconds=length)).isoformat().replace("+00:00", "Z")
        lines.append(f"{name},{begin.isoformat().replace('+00:00', 'Z')},{end},{kind},{service},{note}")
    text = newline.join(lines) + newline
    try:
        expected = read_incident_csv(io.StringIO(text, newline=""), "t.csv", UTC).incident_table()
    except InputError as error:
        with pytest.raises(InputError) as raised:
            read_incident_csv_table(text.encode(), text, "t.csv", UTC)
        assert str(raised.value) == str(error)
        return
    assert same_table(read_incident_csv_table(text.encode(), text, "t.csv", UTC).incident_table(), expected)


def same_table(one: IncidentTable, other: IncidentTable) -> bool:
    def rows(table: IncidentTable):
        return sorted(
            (table.objects[code], int(start), int(end), bool(planned), table.services[code], table.object_types[code])
            for code, start, end, planned in zip(table.code, table.start, table.end, table.planned)
        )

    return rows(one) == rows(other)


def test_a_million_row_file_shape_is_read_in_bulk():
    text = "object,start,end\n" + "".join(f"vm{index % 7},2026-03-01T00:00:{index % 60:02d}Z,2026-03-01T01:00:00Z\n" for index in range(2000))
    source = read_incident_csv_table(text.encode(), text, "big.csv", UTC)
    assert source.table is not None and source.incidents == [] and len(source.table) == 2000
    assert source.lines_read == 2001 and sorted(source.table.objects) == [f"vm{index}" for index in range(7)]
    assert np.all(source.table.end - source.table.start <= 3600 * 10**6)
