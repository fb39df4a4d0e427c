"""hacalc incidents through the CLI: the seed's log, every input kind, gates, machine formats and bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from contract import assert_bad_input

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios" / "incidents"
SEED_LOG = str(SCENARIOS / "hostd-seed.log")
GOVC = str(SCENARIOS / "govc-events.json")
POWERCLI = str(SCENARIOS / "powercli-events.json")
OUTAGES = str(SCENARIOS / "outages.csv")


def rows(result) -> dict[str, dict]:
    return {row["name"]: row for row in json.loads(result.stdout)["groups"]}


def test_the_seed_handbook_s_hostd_lines_give_one_2_324_second_reset(hacalc):
    # Seed handbook lines 229-253: reset at 00:20:50.439, powered on at 00:20:52.763.
    result = hacalc("incidents", SEED_LOG, "--list", "-f", "json")
    assert result.exit_code == 0, result.stderr
    (incident,) = json.loads(result.stdout)["incidents"]
    assert incident["object"] == "VMWIN2K3-0001"
    assert (incident["start"], incident["end"]) == ("2008-01-17T00:20:50.439000Z", "2008-01-17T00:20:52.763000Z")
    assert incident["duration_seconds"] == pytest.approx(2.324, abs=1e-9)


def test_the_seed_s_reset_over_its_day_is_99_997_percent(hacalc):
    result = hacalc("incidents", SEED_LOG, "--from", "2008-01-17", "--to", "2008-01-17", "-f", "json")
    vm = rows(result)["VMWIN2K3-0001"]
    assert vm["downtime_seconds"] == pytest.approx(2.324) and vm["counted_seconds"] == 86400
    assert vm["unavailability"] == pytest.approx(2.324 / 86400, rel=1e-12)
    assert vm["failures"] == 1 and vm["mttr_seconds"] == pytest.approx(2.324)


def test_govc_and_powercli_exports_of_one_history_report_the_same(hacalc):
    govc, powercli = rows(hacalc("incidents", GOVC, "-f", "json")), rows(hacalc("incidents", POWERCLI, "-f", "json"))
    assert govc.keys() == powercli.keys()
    for name in govc:
        assert govc[name]["downtime_seconds"] == powercli[name]["downtime_seconds"], name
    assert govc["app01"]["downtime_seconds"] == pytest.approx(22.329156)
    assert govc["esx04.lab.local"]["planned_seconds"] == pytest.approx(2827.083566)


def test_an_incident_list_gives_per_object_service_and_total_rows(hacalc):
    data = json.loads(hacalc("incidents", OUTAGES, "--from", "2026-01-01", "--to", "2026-03-31", "-f", "json").stdout)
    by_group = {(row["group"], row["name"]): row for row in data["groups"]}
    assert ("service", "web") in by_group and ("all", "all objects") in by_group
    assert data["window"]["seconds"] == 90 * 86400 and data["window"]["from_data"] is False
    total = by_group[("all", "all objects")]
    assert total["downtime_seconds"] == sum(row["downtime_seconds"] for (group, _), row in by_group.items() if group == "object")


def test_calendar_months_and_the_gate(hacalc):
    args = ("incidents", OUTAGES, "--from", "2026-01-01", "--to", "2026-03-31", "--calendar", "month", "--target", "99.9")
    data = json.loads(hacalc(*args, "-f", "json").stdout)
    assert [period["label"] for period in data["periods"]] == ["2026-01", "2026-02", "2026-03"]
    observed = hacalc(*args, "--check")
    demonstrated = hacalc(*args, "--check", "demonstrated")
    assert observed.exit_code == 1 and "FAIL" in observed.stderr and "Incidents:" in observed.stdout
    assert demonstrated.exit_code == 1
    passing = hacalc("incidents", OUTAGES, "--from", "2026-01-01", "--to", "2026-03-31", "--target", "98", "--check")
    assert passing.exit_code == 0, passing.stderr


def test_check_before_the_file_still_reads_the_file(hacalc):
    result = hacalc("incidents", "--target", "90", "--check", OUTAGES, "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["check"] == "observed"


def test_csv_has_one_row_per_period_and_group(hacalc):
    result = hacalc("incidents", OUTAGES, "--from", "2026-01-01", "--to", "2026-03-31", "--calendar", "quarter", "-f", "csv")
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["period"] for row in table} == {"window", "2026-Q1"}
    assert table[0].keys() >= {"counted_seconds", "downtime_seconds", "mtbf_lower_seconds", "availability_lower", "demonstrated_nines"}


def test_the_list_in_csv_reads_back_to_the_same_report(hacalc, tmp_path):
    listed = tmp_path / "listed.csv"
    listed.write_text(hacalc("incidents", GOVC, "--list", "-f", "csv").stdout)
    window = ("--from", "2026-03-03T00:00Z", "--to", "2026-03-04T00:00Z", "-f", "json")
    again, original = rows(hacalc("incidents", str(listed), *window)), rows(hacalc("incidents", GOVC, *window))
    assert {name: row["downtime_seconds"] for name, row in again.items() if name in original} == {
        name: row["downtime_seconds"] for name, row in original.items()
    }


def test_stdin_with_an_input_format(hacalc):
    text = Path(OUTAGES).read_text()
    assert hacalc("incidents", "-", "--input-format", "csv", "-f", "json", input=text).exit_code == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("object,start,end\nvm1,2026-03-01T10:00:00Z,2026-03-01T09:00:00Z\n", "ends (2026-03-01T09:00:00Z) before it starts"),
        ("object,start,end\nvm1,yesterday,\n", "cannot read time 'yesterday'"),
        ("object,start,end\nvm1,10:15:00,\n", "has no date"),
        ("object,start,end,START\n", "appears twice"),
        ("object,begin,end\n", "no 'start' column"),
        ("object,start,end,kind\nvm1,2026-03-01T10:00:00Z,,maybe\n", "is not planned or unplanned"),
    ],
)
def test_bad_incident_lists_name_the_file_line_and_field(hacalc, tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    message = assert_bad_input(hacalc("incidents", str(path)))
    assert expected in message and "bad.csv line" in message


def test_a_non_utf8_line_is_named(hacalc, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"object,start,end\nvm1,2026-03-01T10:00:00Z,\nm\xe9nage,2026-03-01T10:00:00Z,\n")
    assert "line 3" in assert_bad_input(hacalc("incidents", str(path)))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--tz", "Mars/Olympus"), "unknown time zone"),
        (("--check",), "--check needs a target"),
        (("--target", "99.9", "--check", "strictly"), "no such file"),
        (("--service-hours", "Funday 08:00-09:00"), "--service-hours"),
        (("--from", "2026-04-01", "--to", "2026-03-01"), "ends before it starts"),
        (("--confidence", "150%"), "confidence"),
        (("--window", "30d", "--from", "2026-01-01", "--to", "2026-02-01"), "three times"),
    ],
)
def test_bad_options_are_one_line(hacalc, args, expected):
    assert expected in assert_bad_input(hacalc("incidents", OUTAGES, *args))


def test_an_event_file_with_nothing_to_pair_warns(hacalc, tmp_path):
    path = tmp_path / "quiet.json"
    path.write_text('{"createdTime":"2026-03-03T10:00:00.1Z","category":"info","message":"User root@127.0.0.1 logged in","type":"UserLoginSessionEvent","key":1}\n')
    result = hacalc("incidents", str(path), "--from", "2026-03-03", "--to", "2026-03-03", "-f", "json")
    assert result.exit_code == 0 and "hacalc: warning:" in result.stderr and "none of" in result.stderr


def test_a_real_process_reads_a_gzipped_log_from_a_pipe(tmp_path):
    import gzip

    compressed = gzip.compress(Path(SEED_LOG).read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "hacalc", "incidents", "-", "--list", "-f", "csv"],
        input=compressed, capture_output=True, timeout=60, env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert b"VMWIN2K3-0001" in result.stdout and b",2.324," in result.stdout


def test_a_host_log_without_a_window_counts_over_the_lines_it_covers(hacalc):
    # hostd-seed.log runs from 00:20:44.901 to 00:21:05.120: 20.219 s, of which 2.324 s down
    vm = rows(hacalc("incidents", SEED_LOG, "-f", "json"))["VMWIN2K3-0001"]
    assert vm["counted_seconds"] == pytest.approx(20.219) and vm["unavailability"] == pytest.approx(2.324 / 20.219)


def test_an_open_incident_at_the_end_of_the_data_is_a_warning(hacalc):
    result = hacalc("incidents", OUTAGES, "-f", "json")
    assert result.exit_code == 0 and "still open" in result.stderr and "--to now" in result.stderr
    assert "still open" not in hacalc("incidents", OUTAGES, "--to", "2026-03-31", "-f", "json").stderr


def test_the_list_keeps_extra_columns_and_follows_the_window(hacalc):
    listed = list(csv.DictReader(io.StringIO(hacalc("incidents", OUTAGES, "--list", "--from", "2026-02-01", "--to", "2026-02-28", "-f", "csv").stdout)))
    assert [row["ticket"] for row in listed] == ["INC-1102", "INC-1130", "INC-1131"]
    assert "--list" in assert_bad_input(hacalc("incidents", OUTAGES, "--list", "--target", "99", "--check"))


def test_from_with_a_window_length_is_that_window(hacalc):
    data = json.loads(hacalc("incidents", OUTAGES, "--from", "2026-02-01", "--window", "28d", "-f", "json").stdout)
    assert (data["window"]["start"], data["window"]["end"]) == ("2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z")


def test_the_ndjson_list_reports_what_the_csv_list_does(hacalc):
    window = ("--from", "2026-01-01", "--to", "2026-03-31", "-f", "json")
    from_csv, from_ndjson = rows(hacalc("incidents", OUTAGES, *window)), rows(hacalc("incidents", str(SCENARIOS / "outages.ndjson"), *window))
    assert from_csv == from_ndjson and from_csv["db01"]["downtime_seconds"] == 4.5 * 3600
