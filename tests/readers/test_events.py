"""vCenter events (govc events -l -json, PowerCLI Get-VIEvent | ConvertTo-Json) to incidents.

Message templates used below and where they come from:
- "{vm} on {host} in {dc} is powered on", "DRS powered On {vm} on {host} in {dc}", "Host {host} in {dc} has started
  to enter / has entered / has exited maintenance mode": govmomi simulator/esx/event_manager.go (a capture of
  EventManager.description.eventInfo), verbatim.
- "vSphere HA detected a possible host failure of host {host} in cluster {cluster} in datacenter {dc}": public
  syslog parsers and KB 324992; "vSphere HA restarted virtual machine {vm} on host {host} in cluster {cluster}":
  KB 2036555 and the PowerCLI scripts quoted in reference/inventories.md §3.1.
- "{vm} on host {host} in cluster {cluster} in {dc} is reset by vSphere HA. Reason: …", "Host {host} in {dc} is
  not responding", "Connected to {host} in {dc}": the vCenter English catalogue as given in the project brief.
- govc's record keys and the " (<ObjectId>)" it appends to an EventEx message: govmomi cli/events/command.go.
"""

import io
import json
from collections import Counter
from datetime import timezone
from pathlib import Path

import pytest

from hacalc.core.errors import InputError
from hacalc.readers.events import looks_like_events, read_govc_events, read_powercli_events

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios" / "incidents"
GOVC_FILE = SCENARIOS / "govc-events.json"
POWERCLI_FILE = SCENARIOS / "powercli-events.json"

# 2026-03-03T00:00:00Z: 2026-01-01 is day 56 * 365 + 14 leap days = 20454 since 1970-01-01, + 31 + 28 + 2 = 20515;
# 20515 * 86400 s = 1 772 496 000 s.
DAY = 1_772_496_000 * 1_000_000


def at(hours: int, minutes: int, seconds: int, micros: int) -> int:
    return DAY + ((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + micros


# The history both scenario files hold, as (object, type, start, end, planned).
EXPECTED = [
    # HA restart after esx02 failed: down from the host failure 14:27:40.118204 to the restart 14:28:02.447360
    # = 22.329156 s (the power-on 0.114 s later finds nothing open and is not used).
    ("app01", "vm", at(14, 27, 40, 118204), at(14, 28, 2, 447360), False),
    # VM monitoring reset 16:41:05.377441, powered on 16:43:09.052918: 2 min 3.675477 s = 123.675477 s.
    ("db03", "vm", at(16, 41, 5, 377441), at(16, 43, 9, 52918), False),
    # HA host failure 14:27:40.118204 (the "not responding" at 14:28:41 is a second down, already open), reconnected
    # 14:52:58.731590: 25 min 18.613386 s = 1518.613386 s.
    ("esx02.lab.local", "host", at(14, 27, 40, 118204), at(14, 52, 58, 731590), False),
    # Maintenance, planned: started to enter 10:15:02.331486, exited 11:02:09.415052: 47 min 7.083566 s = 2827.083566 s.
    ("esx04.lab.local", "host", at(10, 15, 2, 331486), at(11, 2, 9, 415052), True),
    # The second HA restart, on esx03: 14:27:40.118204 to 14:28:31.890015 = 51.771811 s.
    ("web front 01", "vm", at(14, 27, 40, 118204), at(14, 28, 31, 890015), False),
]
DURATIONS = {"app01": 22_329_156, "db03": 123_675_477, "esx02.lab.local": 1_518_613_386, "esx04.lab.local": 2_827_083_566, "web front 01": 51_771_811}
UNUSED = Counter(
    {
        "UserLoginSessionEvent": 2,
        "UserLogoutSessionEvent": 1,
        "TaskEvent": 2,
        "AlarmStatusChangedEvent": 2,
        "com.vmware.vc.HA.ClusterFailoverActionInitiatedEvent": 1,
    }
)


def summary(source):
    return [(i.object, i.object_type, i.start, i.end, i.planned) for i in source.incidents]


def read_file(path: Path, reader):
    with open(path, encoding="utf-8") as stream:
        return reader(stream, path.name, timezone.utc)


def govc(*records: dict) -> list[str]:
    return [json.dumps(record) + "\n" for record in records]


def event(time: str, event_type: str | None, message: str, **more) -> dict:
    record = {"createdTime": f"2026-03-03T{time}Z", "category": "info", "message": message, **more}
    if event_type is not None:
        record["type"] = event_type
    return record


HOST_FAILED = event("14:27:40.118204", "ExtendedEvent", "vSphere HA detected a possible host failure of host esx02 in cluster CL1 in datacenter DC1")
RESTARTED = "vSphere HA restarted virtual machine app01 on host esx01 in cluster CL1 in DC1"


def read_govc(lines, name="events.json"):
    return read_govc_events(lines, name, timezone.utc)


def read_powercli(text: str, name="events.json"):
    return read_powercli_events(io.StringIO(text), name, timezone.utc)


def error_of(reader, *args) -> str:
    with pytest.raises(InputError) as caught:
        reader(*args)
    return str(caught.value)


def kinds(source) -> list[str]:
    return [warning.kind for warning in source.warnings]


# The scenario files --------------------------------------------------------------------------------------


def test_govc_scenario_gives_the_exact_incidents():
    source = read_file(GOVC_FILE, read_govc_events)
    assert summary(source) == EXPECTED
    assert {i.object: i.end - i.start for i in source.incidents} == DURATIONS
    assert source.input_format == "govc-events"
    assert source.warnings == []


def test_powercli_scenario_gives_the_exact_incidents():
    source = read_file(POWERCLI_FILE, read_powercli_events)
    assert summary(source) == EXPECTED
    assert source.input_format == "powercli-events"
    assert source.warnings == []


def test_both_scenarios_give_the_same_incidents_and_counts():
    from_govc = read_file(GOVC_FILE, read_govc_events)
    from_powercli = read_file(POWERCLI_FILE, read_powercli_events)
    assert summary(from_govc) == summary(from_powercli)
    assert [i.note for i in from_govc.incidents] == [i.note for i in from_powercli.incidents]
    assert (from_govc.lines_read, from_govc.lines_used) == (from_powercli.lines_read, from_powercli.lines_used) == (19, 8)


@pytest.mark.parametrize("path, reader", [(GOVC_FILE, read_govc_events), (POWERCLI_FILE, read_powercli_events)])
def test_unrelated_events_are_counted_as_unused_by_type(path, reader):
    source = read_file(path, reader)
    assert source.unused_events == UNUSED
    # 19 events: 8 unused, 11 change a state; 3 of those open or close nothing: the power-on of app01 right after
    # its restart, esx02's "not responding" while its HA failure is open, esx04's "entered" after "entering" maintenance.
    assert source.lines_read - sum(source.unused_events.values()) - source.lines_used == 3


def test_incidents_say_where_they_came_from():
    source = read_file(GOVC_FILE, read_govc_events)
    origins = {i.object: i.origin for i in source.incidents}
    assert origins["esx02.lab.local"] == "govc-events.json line 8"
    assert origins["db03"] == "govc-events.json line 17"
    notes = {i.object: i.note for i in source.incidents}
    assert notes["esx02.lab.local"] == "com.vmware.vc.HA.DasHostFailedEvent"  # govc -l shows ExtendedEvent: read from the message


def test_powercli_scenario_lines_point_at_the_element_in_the_array():
    source = read_file(POWERCLI_FILE, read_powercli_events)
    lines = POWERCLI_FILE.read_text(encoding="utf-8-sig").splitlines()
    for incident in source.incidents:
        number = int(incident.origin.rsplit(" ", 1)[1])
        assert lines[number - 1].strip() == "{"
        assert '"Key":' in lines[number]


# Event ids and messages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event_type",
    ["com.vmware.vc.ha.VmRestartedByHAEvent", "com.vmware.vc.HA.vmRestartedByHAEvent", "COM.VMWARE.VC.HA.VMRESTARTEDBYHAEVENT", "vmrestartedonalternatehostevent"],
)
def test_event_ids_match_in_any_case(event_type):
    source = read_govc(govc(HOST_FAILED, event("14:28:02.447360", event_type, RESTARTED)))
    assert summary(source)[0] == ("app01", "vm", at(14, 27, 40, 118204), at(14, 28, 2, 447360), False)
    assert source.unused_events == Counter()


@pytest.mark.parametrize("event_type", ["com.vmware.vc.ha.dashostfailedevent", "DASHOSTFAILEDEVENT", "hostconnectionlostevent"])
def test_host_failure_ids_in_any_case(event_type):
    failed = dict(HOST_FAILED, type=event_type)
    connected = event("14:52:58.731590", "hostconnectedEVENT", "Connected to esx02 in DC1")
    assert summary(read_govc(govc(failed, connected))) == [("esx02", "host", at(14, 27, 40, 118204), at(14, 52, 58, 731590), False)]


def test_powercli_keys_in_any_case_and_a_single_object():
    # ConvertTo-Json of one event writes an object, not an array.
    one = '{"createdtime": "2026-03-03T16:41:05.3774410Z", "EVENTTYPEID": "VmDasBeingResetWithScreenshotEvent", "fullFormattedMessage": "x", "vm": "db03", "HOST": "esx03"}'
    source = read_powercli(one)
    assert summary(source) == [("db03", "vm", at(16, 41, 5, 377441), None, False)]


def test_powercli_vm_and_host_given_whole_and_dotnet_dates():
    """Rows converted without the Select-Object: Vm is a VmEventArgument object; PowerShell 5.1 writes /Date(ms)/."""
    rows = [
        {"CreatedTime": "\\/Date(1772556189052)\\/", "FullFormattedMessage": "x", "Vm": {"Vm": {"Value": "vm-9"}, "Name": "db03"}, "EventTypeId": "VmPoweredOnEvent"},
        {"CreatedTime": "/Date(1772556065377)/", "FullFormattedMessage": "x", "Vm": {"Name": "db03"}, "EventTypeId": "VmDasBeingResetEvent"},
    ]
    source = read_powercli(json.dumps(rows).replace("\\\\/", "\\/"))
    assert summary(source) == [("db03", "vm", at(16, 41, 5, 377000), at(16, 43, 9, 52000), False)]


def test_a_generic_govc_type_is_read_from_its_message_or_counted_under_that_type():
    """govc -l shows an ExtendedEvent's class, not its id (cli/events/command.go sets Type to EventTypeId only for EventEx)."""
    other = event("15:00:00.5", "ExtendedEvent", "vSphere HA agent on esx01 is healthy")
    restart = event("14:28:02.447360", "EventEx", RESTARTED + " (vm-1042)")
    source = read_govc(govc(HOST_FAILED, restart, other))
    assert [i.object for i in source.incidents] == ["app01", "esx02"]  # esx02 still down: no reconnect in the record
    assert source.unused_events == Counter({"ExtendedEvent": 1})


def test_this_host_is_not_a_host_name():
    """The host-side wording "… of this host" (KB 324992) names no host."""
    source = read_govc(govc(event("14:27:40.1", "ExtendedEvent", "vSphere HA detected a possible host failure of this host")))
    assert source.incidents == []
    assert source.unused_events == Counter({"ExtendedEvent": 1})


def test_a_known_id_whose_object_cannot_be_named_is_counted_in_a_warning():
    german = event("14:52:58.731590", "HostConnectedEvent", "Verbunden mit esx02 in DC1")
    source = read_govc(govc(HOST_FAILED, german, event("16:43:09.1", "VmPoweredOnEvent", "db03 wurde eingeschaltet")))
    warning = next(w for w in source.warnings if w.kind == "unnamed-object")
    assert warning.count == 2
    assert warning.examples == ("HostConnectedEvent at events.json line 2", "VmPoweredOnEvent at events.json line 3")
    assert summary(source) == [("esx02", "host", at(14, 27, 40, 118204), None, False)]  # still open: its end was unnamed


def test_powercli_prefers_its_vm_column_to_the_message():
    row = {"CreatedTime": "2026-03-03T16:41:05.377441Z", "EventTypeId": "VmDasBeingResetEvent", "FullFormattedMessage": "odd on host h in cluster C in D is reset by vSphere HA. Reason: x", "Vm": "db03", "Host": "esx03"}
    assert [i.object for i in read_powercli(json.dumps([row])).incidents] == ["db03"]


def test_without_event_types_events_are_recognised_by_message_and_a_warning_says_so():
    """govc events -json without -l: no "type"."""
    lines = []
    for line in GOVC_FILE.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        del record["type"]
        lines.append(json.dumps(record) + "\n")
    source = read_govc(lines)
    assert summary(source) == EXPECTED
    assert source.unused_events == Counter({"(no type)": 8})
    warning = next(w for w in source.warnings if w.kind == "no-event-types")
    assert warning.count == 19
    assert kinds(source) == ["no-event-types"]


def test_an_event_given_twice_is_counted_once():
    """govc with several paths (then "object" is set) repeats an event seen under both; the key tells."""
    down = dict(HOST_FAILED, key=412520, object="ClusterComputeResource:domain-c8")
    up = event("14:52:58.731590", "HostConnectedEvent", "Connected to esx02 in DC1", key=412604, object="HostSystem:host-22")
    source = read_govc(govc(down, dict(down, object="HostSystem:host-22"), up))
    assert source.lines_read == 3 and source.lines_used == 2
    assert len(source.incidents) == 1
    assert [(w.kind, w.count) for w in source.warnings] == [("duplicate-events", 1)]


def test_newest_first_with_equal_times_is_read_oldest_first():
    """Get-VIEvent lists the newest first; a reset and a power-on in the same microsecond keep their order by Key."""
    rows = [
        {"Key": 2, "CreatedTime": "2026-03-03T16:41:05.377441Z", "EventTypeId": "VmPoweredOnEvent", "Vm": "db03"},
        {"Key": 1, "CreatedTime": "2026-03-03T16:41:05.377441Z", "EventTypeId": "VmDasBeingResetEvent", "Vm": "db03"},
    ]
    source = read_powercli(json.dumps(rows))
    assert summary(source) == [("db03", "vm", at(16, 41, 5, 377441), at(16, 41, 5, 377441), False)]


def test_govc_array_and_bytes_lines():
    text = json.dumps([HOST_FAILED, event("14:52:58.731590", "HostConnectedEvent", "Connected to esx02 in DC1")], indent=1)
    source = read_govc([line.encode() for line in io.StringIO("\ufeff" + text)])
    assert summary(source) == [("esx02", "host", at(14, 27, 40, 118204), at(14, 52, 58, 731590), False)]


# Warnings instead of silent zeros ------------------------------------------------------------------------


def test_events_that_pair_into_nothing_give_a_warning():
    login = event("09:02:11.204118", "UserLoginSessionEvent", "User admin@10.0.0.5 logged in as VMware vSphere Client")
    alone = event("16:43:09.052918", "VmPoweredOnEvent", "db03 on esx03 in DC1 is powered on")
    source = read_govc(govc(login, alone))
    assert source.incidents == []
    warning = next(w for w in source.warnings if w.kind == "nothing-paired")
    assert warning.count == 2
    assert "2 events read" in warning.message


def test_an_empty_file_gives_the_same_warning():
    source = read_govc(["\n", "  \n"])
    assert (source.lines_read, kinds(source)) == (0, ["nothing-paired"])
    assert kinds(read_powercli("[]")) == ["nothing-paired"]


# Bad input -----------------------------------------------------------------------------------------------


def test_invalid_json_names_the_line():
    lines = govc(HOST_FAILED, HOST_FAILED) + ['{"createdTime": "2026-03-03T14:00:00Z", "message": \n']
    assert error_of(read_govc, lines) == (
        "invalid JSON: Expecting value (the file ends inside a record), in events.json line 3 column 51, give the JSON output of govc events -l -json, "
        "or of Get-VIEvent | ConvertTo-Json (not their text output)"
    )


def test_invalid_json_in_the_middle_names_its_line_and_column():
    lines = govc(HOST_FAILED) + ['{"createdTime": "2026-03-03T14:00:00Z" "message": "x"}\n'] + govc(HOST_FAILED)
    assert "invalid JSON: Expecting ',' delimiter, in events.json line 2 column 40," in error_of(read_govc, lines)


def test_govc_text_output_is_refused_with_the_right_hint():
    text = "[Tue Mar  3 14:28:05 2026] [warning] [412345] [com.vmware.vc.ha.VmRestartedByHAEvent] vSphere HA restarted virtual machine app01\n"
    assert "in events.json line 1" in error_of(read_govc, [text])


def test_an_unreadable_time_names_line_and_field():
    lines = govc(HOST_FAILED, dict(HOST_FAILED, createdTime="Tue Mar  3 14:28:05 2026"))
    message = error_of(read_govc, lines)
    assert message.startswith("cannot read time 'Tue Mar  3 14:28:05 2026', in events.json line 2 (createdTime)")


def test_an_unreadable_time_in_an_array_names_the_element_and_its_line():
    rows = [{"CreatedTime": "2026-03-03T14:00:00Z", "EventTypeId": "TaskEvent"}, {"CreatedTime": "yesterday", "EventTypeId": "TaskEvent"}]
    text = json.dumps(rows, indent=4)
    assert "in events.json line 6 ([1].CreatedTime)" in error_of(read_powercli, text)


@pytest.mark.parametrize(
    "record, field",
    [({"message": "x"}, "no createdTime"), ({"createdTime": 1772548060, "message": "x"}, "createdTime is 1772548060, not text"), ({"createdTime": "2026-03-03T14:00:00Z", "type": 7}, "type is 7")],
)
def test_missing_or_wrong_fields(record, field):
    message = error_of(read_govc, govc(HOST_FAILED, record))
    assert field in message and "in events.json line 2" in message


@pytest.mark.parametrize(
    "lines, where",
    [(['"just text"\n'], "the record is a string, not a JSON object, in events.json line 1,"), (["[\n", ' {"createdTime": "2026-03-03T14:00:00Z"},\n', " [1]\n", "]\n"], "the record is a list, not a JSON object, in events.json line 3 ([1]),")],
)
def test_a_record_that_is_not_an_object(lines, where):
    assert where in error_of(read_govc, lines)


def test_an_array_that_is_not_closed():
    assert "is not closed" in error_of(read_powercli, '[\n {"CreatedTime": "2026-03-03T14:00:00Z"}\n')


def test_text_that_is_not_utf8_names_the_line():
    lines = [line.encode() for line in govc(HOST_FAILED)] + ['{"createdTime": "2026-03-03T14:00:00Z", "message": "caf\xe9"}\n'.encode("latin-1")]
    assert error_of(read_govc, lines) == "the file is not UTF-8 text, in events.json line 2, save it as UTF-8 (PowerShell: Out-File -Encoding utf8)"
    surrogates = io.TextIOWrapper(io.BytesIO(b"\n\n\xff\n"), encoding="utf-8", errors="surrogateescape")
    assert "in events.json line 3" in error_of(read_govc, surrogates)


def test_utf16_from_powershell_out_file_is_named():
    raw = '[{"CreatedTime": "2026-03-03T14:00:00Z"}]'.encode("utf-16")
    stream = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="surrogateescape")
    assert error_of(read_powercli_events, stream, "events.json", timezone.utc).startswith("the file is UTF-16 text, not UTF-8, in events.json line 1")
    without_bom = '[{"CreatedTime": "2026-03-03T14:00:00Z"}]'.encode("utf-16-le").decode("utf-8")  # valid UTF-8, full of NULs
    assert error_of(read_powercli, without_bom).startswith("the file is UTF-16 text, not UTF-8, in events.json line 1")


# Telling the formats apart -------------------------------------------------------------------------------


def test_detection_on_both_scenarios():
    assert looks_like_events(GOVC_FILE.read_text(encoding="utf-8")[:4096]) == "govc-events"
    assert looks_like_events(POWERCLI_FILE.read_text(encoding="utf-8")[:4096]) == "powercli-events"


@pytest.mark.parametrize(
    "head, expected",
    [
        ('{"object": "app01", "start": "2026-03-03T14:27:40Z", "end": "2026-03-03T14:28:02Z", "note": "message"}\n', None),
        ("object,start,end,kind\napp01,2026-03-03T14:27:40Z,2026-03-03T14:28:02Z,unplanned\n", None),
        ('{"createdTime":"2026-03-03T14:27:40.118204Z","category":"error","message":"x"}\n', "govc-events"),
        ('\ufeff[\r\n    {\r\n        "Key":  1,\r\n        "CreatedTime":  "\\/Date(1772548060118)\\/",\r\n        "EventTypeId":  "x"', "powercli-events"),
        ('{"createdtime": "2026-03-03T14:27:40Z", "fullformattedmessage": "x"}', "powercli-events"),
        ('{"createdTime": "2026-03-03T14:27:40Z"}', None),
    ],
)
def test_detection(head, expected):
    assert looks_like_events(head) == expected
