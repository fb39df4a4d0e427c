"""ESXi host logs (hostd.log, fdm.log) to incidents.

Where the log lines come from:
- ESX 3.5 hostd-2.log lines of an HA reset of VMWIN2K3-0001: the seed handbook,
  /work/shared/reference/seed-vmware-ha-handbook.txt lines 227-253 (the book wrapped each entry over several lines
  and lost the first '['); scenarios/incidents/hostd-seed.log has them one entry a line, as hostd writes them,
  among TaskManager lines in the form of the book's line 227-229.
- fdm.log 7.x/8.x lines ("Host host-<ID> changed state: Dead", "New event: EventEx=com.vmware.vc.ha.
  VmRestartedByHAEvent vm=… host=host-<ID>", the master's "hostId=host-22 state=Master …" line) and the 5.x
  prefix: reference/inventories.md §3.2; scenarios/incidents/fdm-host-failure.log is built from them.
- The ESXi 6.x-8.x hostd prefix "… info hostd[2110701] [Originator@6876 sub=Vimsvc.ha-eventmgr opID=…] Event 123 :
  vm01 on host01 in ha-datacenter is reset": the project brief, with the prefix of inventories.md §3.2.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hacalc.core.errors import InputError
from hacalc.readers.hostlogs import looks_like_host_log, read_host_log

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios" / "incidents"
SEED_LOG = SCENARIOS / "hostd-seed.log"
FDM_LOG = SCENARIOS / "fdm-host-failure.log"

# The seed handbook's lines 229-253, verbatim (trailing spaces, code fences and the Chinese sentence between the
# two listings included): the reset's entries wrapped over several lines, as the book printed them.
BOOK_TEXT = (
    " Task Created : haTask-64-vim.VirtualMachine.reset-8728  \n"
    "  \n"
    "[2008-01-17 00:20:50.439 'ha-eventmgr' 35957680 info]  \n"
    " Event 81 : VMWIN2K3-0001 on ESX35DEV0001.AMCS.TLD  \n"
    " in ha-datacenter is reset  \n"
    "  \n"
    "[2008-01-17 00:20:50.440 'vm:/vmfs/volumes/  \n"
    " 478bd6c8-3f8f2109-7d9e-00188b36fd47/VMWIN2K3-0001/VMWIN2K3-  \n"
    " 0001.vmx'  \n"
    " 35957680 info] State Transition  \n"
    "(VM_STATE_ON -> VM_STATE_RESETTING)\n"
    "```\n"
    "\n"
    "按顺序，日志中的两个中等重要事件：\n"
    "\n"
    "```\n"
    "[2008-01-17 00:20:52.763 'ha-eventmgr' 128564144 info] Event 83 :  \n"
    " VMWIN2K3-0001 on esx35dev0001.amcs.tld in ha-datacenter  \n"
    " is powered on  \n"
    "  \n"
    "[2008-01-17 00:20:52.763 'vm:/vmfs/volumes/478bd6c8-3f8f2109-  \n"
    " 7d9e-00188b36fd47/VMWIN2K3-0001/VMWIN2K3-0001.vmx'\n"
    "```\n"
    "\n"
    "128564144 info] State Transition (VM_STATE_RESETTING -> VM_STATE_ON)\n"
)

# The seed's reset, one entry a line (seed handbook lines 231-233 and 245-247, '[' restored)
RESET_LINE = "[2008-01-17 00:20:50.439 'ha-eventmgr' 35957680 info] Event 81 : VMWIN2K3-0001 on ESX35DEV0001.AMCS.TLD in ha-datacenter is reset\n"
POWERED_ON_LINE = "[2008-01-17 00:20:52.763 'ha-eventmgr' 128564144 info] Event 83 : VMWIN2K3-0001 on esx35dev0001.amcs.tld in ha-datacenter is powered on\n"
# seed handbook line 227-229, '[' restored: an ordinary line, not an event
TASK_LINE = "[2008-01-17 00:20:50.439 'TaskManager' 35957680 info] Task Created : haTask-64-vim.VirtualMachine.reset-8728\n"


def micros(text: str, zone=timezone.utc) -> int:
    moment = datetime.fromisoformat(text).replace(tzinfo=zone)
    return (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // (datetime.resolution)


RESET_START = micros("2008-01-17 00:20:50.439")
RESET_END = micros("2008-01-17 00:20:52.763")


def read(text: str | bytes, zone=timezone.utc, input_format=None, **options):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_host_log(io.BytesIO(data), "hostd.log", zone, input_format, **options)


def read_file(path: Path, **options):
    with open(path, "rb") as stream:
        return read_host_log(stream, path.name, timezone.utc, **options)


# The seed's reset ---------------------------------------------------------------------------------


def test_seed_log_gives_one_reset_of_exactly_2_324_seconds():
    source = read_file(SEED_LOG)
    assert len(source.incidents) == 1
    incident = source.incidents[0]
    assert (incident.object, incident.object_type) == ("VMWIN2K3-0001", "vm")
    assert incident.start == RESET_START == 1_200_529_250_439_000
    assert incident.end - incident.start == 2_324_000
    assert incident.note == "hostd: is reset"
    assert incident.origin == "hostd-seed.log line 4"
    assert source.input_format == "hostd-log"
    assert source.warnings == []


def test_seed_log_counts_every_line_and_the_lines_pairing_used():
    source = read_file(SEED_LOG)
    assert source.lines_read == 10
    # pair() counts the lines that opened or closed the incident: the reset event and the powered-on event; the
    # State Transitions beside them (ON -> RESETTING, RESETTING -> ON) repeat what is already open or closed
    assert source.lines_used == 2


def test_book_text_wrapped_over_lines_gives_the_same_incident():
    one_line = read_file(SEED_LOG).incidents
    book = read(BOOK_TEXT)
    assert [(i.object, i.start, i.end) for i in book.incidents] == [(i.object, i.start, i.end) for i in one_line]
    assert book.lines_read == 25
    assert [warning.kind for warning in book.warnings] == ["wrapped-lines"]
    assert book.warnings[0].examples[0] == "hostd.log line 3"


def test_wrapped_vmx_path_is_joined_without_a_space():
    # book lines 235-239 alone: the .vmx path is cut after "VMWIN2K3-"; the VM must not become "VMWIN2K3- 0001"
    source = read("\n".join(BOOK_TEXT.split("\n")[6:11]) + "\n")
    assert [(i.object, i.start, i.end) for i in source.incidents] == [("VMWIN2K3-0001", micros("2008-01-17 00:20:50.440"), None)]


def test_host_names_compare_case_insensitively_and_vm_names_keep_their_first_spelling():
    # the seed writes ESX35DEV0001.AMCS.TLD at the reset and esx35dev0001.amcs.tld at the power-on (lines 232, 246)
    source = read(RESET_LINE + POWERED_ON_LINE.replace("VMWIN2K3-0001 on", "vmwin2k3-0001 on"))
    assert [(i.object, i.start, i.end) for i in source.incidents] == [("VMWIN2K3-0001", RESET_START, RESET_END)]


def test_other_hostd_events_are_counted_as_unused():
    powered_off = RESET_LINE.replace("Event 81", "Event 84").replace("is reset", "is powered off").replace("00:20:50.439", "00:30:00.000")
    source = read(RESET_LINE + POWERED_ON_LINE + powered_off)
    assert len(source.incidents) == 1
    assert source.unused_events == {"hostd: is powered off": 1}


def test_esxi_6_to_8_hostd_prefix():
    # the brief's 6.x-8.x line, and its power-on counterpart
    reset = "2023-07-04T06:06:02.154Z info hostd[2110701] [Originator@6876 sub=Vimsvc.ha-eventmgr opID=abc] Event 123 : vm01 on host01 in ha-datacenter is reset\n"
    on = reset.replace("06:06:02.154Z", "06:06:04.000Z").replace("Event 123", "Event 124").replace("is reset", "is powered on")
    source = read(reset + on)
    assert [(i.object, i.end - i.start) for i in source.incidents] == [("vm01", 1_846_000)]


def test_esxi_5_hostd_prefix_and_state_transitions():
    # the 5.x prefix of inventories.md §3.2 with the State Transition text of the seed (lines 235-239, 249-253)
    down = "2014-04-04T11:41:54.882Z [688C2B70 info 'vm:/vmfs/volumes/4ece24c4-3f1ca80e-9cd8-984be1047b14/New Virtual Machine/New Virtual Machine.vmx' opID=SWI-24c018b] State Transition (VM_STATE_ON -> VM_STATE_RESETTING)\n"
    up = down.replace("11:41:54.882Z", "11:41:57.000Z").replace("(VM_STATE_ON -> VM_STATE_RESETTING)", "(VM_STATE_RESETTING -> VM_STATE_ON)")
    other = down.replace("(VM_STATE_ON -> VM_STATE_RESETTING)", "(VM_STATE_ON -> VM_STATE_OFF)").replace("11:41:54", "11:50:00")
    source = read(down + up + other)
    assert [(i.object, i.end - i.start) for i in source.incidents] == [("New Virtual Machine", 2_118_000)]
    assert source.unused_events == {"hostd: State Transition (VM_STATE_ON -> VM_STATE_OFF)": 1}


# fdm ----------------------------------------------------------------------------------------------


def test_fdm_vms_are_down_from_their_hosts_death_to_their_restart():
    source = read_file(FDM_LOG)
    dead = micros("2023-07-04T06:12:05.517")
    assert [(i.object, i.object_type, i.start, i.end) for i in source.incidents] == [
        ("app01", "vm", dead, micros("2023-07-04T06:12:37.208")),
        ("db01", "vm", dead, micros("2023-07-04T06:12:41.950")),
        ("host-25", "host", dead, micros("2023-07-04T06:31:10.004")),
    ]
    assert (source.lines_read, source.lines_used) == (11, 4)
    assert source.input_format == "fdm-log"
    assert source.warnings == []


def test_fdm_ids_states_and_host_ids_match_case_insensitively():
    # inventories.md §3.2 lines with the event id, the state and the host id in other cases
    text = (
        "2023-07-04T06:12:05.517Z info fdm[2110701] [Originator@6876 sub=Invt] Host host-25 changed state: DEAD\n"
        "2023-07-04T06:12:37.208Z verbose fdm[2110701] [Originator@6876 sub=FDM] New event: "
        "EventEx=COM.VMWARE.VC.HA.VMRESTARTEDBYHAEVENT vm=/vmfs/volumes/64a1f0c2/app01/app01.vmx host=host-22\n"
        "2023-07-04T06:31:10.004Z info fdm[2110701] [Originator@6876 sub=Invt] Host HOST-25 changed state: live\n"
    )
    source = read(text)
    assert [(i.object, i.end - i.start) for i in source.incidents] == [("app01", 31_691_000), ("host-25", 1_144_487_000)]


def test_a_restart_with_no_failure_before_it_is_warned_about():
    restart = FDM_LOG.read_text().splitlines()[6] + "\n"  # the app01 restart alone
    source = read(restart)
    assert source.incidents == []
    assert [warning.kind for warning in source.warnings] == ["restart-without-failure", "nothing-paired"]


def test_a_given_format_looks_for_its_own_events_only():
    source = read(FDM_LOG.read_bytes(), input_format="hostd-log")
    assert source.incidents == []
    assert [warning.kind for warning in source.warnings] == ["nothing-paired"]
    assert len(read(FDM_LOG.read_bytes(), input_format="fdm-log").incidents) == 3


# Chunks -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [1, 2, 7, 64, 200, 333, 400, 1000])
def test_a_chunk_boundary_inside_an_event_line_changes_nothing(chunk_size):
    whole = read_file(SEED_LOG)
    chunked = read_file(SEED_LOG, chunk_size=chunk_size)
    assert chunked.incidents == whole.incidents
    assert (chunked.lines_read, chunked.lines_used) == (whole.lines_read, whole.lines_used)


def test_a_chunk_boundary_in_the_middle_of_the_reset_line():
    data = SEED_LOG.read_bytes()
    middle = data.index(b"is reset") + 3  # the first chunk ends inside "is reset"
    source = read_host_log(io.BytesIO(data), "hostd-seed.log", timezone.utc, chunk_size=middle)
    assert [(i.object, i.start, i.end) for i in source.incidents] == [("VMWIN2K3-0001", RESET_START, RESET_END)]
    assert source.incidents[0].origin == "hostd-seed.log line 4"


@pytest.mark.parametrize("chunk_size", [1, 5, 64, 300])
def test_wrapped_book_text_read_in_small_chunks(chunk_size):
    assert [(i.object, i.start, i.end) for i in read(BOOK_TEXT, chunk_size=chunk_size).incidents] == [("VMWIN2K3-0001", RESET_START, RESET_END)]


def test_line_numbers_count_across_chunks():
    filler = TASK_LINE * 5000
    source = read(filler + RESET_LINE + filler + POWERED_ON_LINE + "last line without a newline", chunk_size=4096)
    assert source.lines_read == 10_003
    assert source.incidents[0].origin == "hostd.log line 5001"


# Bad bytes and times ------------------------------------------------------------------------------


def test_a_byte_that_is_not_utf8_in_an_event_line_is_an_error_with_its_line():
    data = (TASK_LINE + RESET_LINE.replace("VMWIN2K3-0001", "VMWIN2K3-\udcff0001") + POWERED_ON_LINE).encode("utf-8", "surrogateescape")
    with pytest.raises(InputError) as caught:
        read(data)
    assert "in hostd.log line 2" in str(caught.value)
    assert "UTF-8" in str(caught.value) and caught.value.fix


def test_a_bad_byte_in_a_wrapped_event_names_its_own_line():
    data = BOOK_TEXT.replace("in ha-datacenter is reset", "in ha-datacenter\udcfe is reset").encode("utf-8", "surrogateescape")
    with pytest.raises(InputError, match="line 5,"):
        read(data)


def test_a_byte_that_is_not_utf8_in_a_skipped_line_does_not_matter():
    data = (TASK_LINE.replace("Task Created", "Task \udcff Created") + RESET_LINE + POWERED_ON_LINE).encode("utf-8", "surrogateescape")
    source = read(data)
    assert [(i.object, i.start, i.end) for i in source.incidents] == [("VMWIN2K3-0001", RESET_START, RESET_END)]
    assert source.lines_read == 3


@pytest.mark.parametrize("time_text", ["2008-01-17 25:20:50.439", "2008-02-30 00:20:50.439", "00:20:50.439"])
def test_an_unreadable_time_on_an_event_line_is_an_error_with_its_line(time_text):
    # "00:20:50.439" alone: the form of the 5.x election lines quoted in inventories.md §3.2 (no date)
    text = TASK_LINE + POWERED_ON_LINE.replace("2008-01-17 00:20:52.763", time_text)
    with pytest.raises(InputError) as caught:
        read(text)
    assert "in hostd.log line 2" in str(caught.value)
    assert time_text[:10] in str(caught.value)


def test_an_unreadable_time_on_a_skipped_line_does_not_matter():
    source = read(TASK_LINE.replace("2008-01-17", "2008-13-45") + RESET_LINE + POWERED_ON_LINE)
    assert len(source.incidents) == 1


# Warnings and zones -------------------------------------------------------------------------------


def test_a_log_with_no_ha_events_warns_that_nothing_was_paired():
    source = read(TASK_LINE * 3)
    assert source.incidents == [] and source.lines_read == 3 and source.lines_used == 0
    assert [warning.kind for warning in source.warnings] == ["nothing-paired"]
    assert "3 lines" in source.warnings[0].message


def test_a_log_with_only_power_ons_warns_that_nothing_was_paired():
    source = read(TASK_LINE + POWERED_ON_LINE)
    assert [warning.kind for warning in source.warnings] == ["nothing-paired"]
    assert "1 HA state change" in source.warnings[0].message


def test_an_empty_log_reads_nothing_and_does_not_warn():
    source = read(b"")
    assert (source.lines_read, source.incidents, source.warnings) == (0, [], [])


def test_naive_esx_3_5_times_are_in_the_zone_given():
    berlin = ZoneInfo("Europe/Berlin")  # UTC+1 in January
    source = read_file_in(SEED_LOG, berlin)
    assert source.incidents[0].start == RESET_START - 3600 * 1_000_000 == micros("2008-01-17 00:20:50.439", berlin)
    assert source.incidents[0].end - source.incidents[0].start == 2_324_000
    # a time with its own offset (ESXi 5.x and later write Z) is not moved
    spans = lambda source: [(i.object, i.start, i.end) for i in source.incidents]  # noqa: E731
    assert spans(read(FDM_LOG.read_bytes(), berlin)) == spans(read_file(FDM_LOG))


def read_file_in(path: Path, zone):
    with open(path, "rb") as stream:
        return read_host_log(stream, path.name, zone)


# Detection ----------------------------------------------------------------------------------------


def test_looks_like_host_log():
    assert looks_like_host_log(SEED_LOG.read_bytes()) == "hostd-log"
    assert looks_like_host_log(FDM_LOG.read_bytes()) == "fdm-log"
    sixty = b"2023-07-04T06:06:02.154Z info hostd[2110701] [Originator@6876 sub=Vimsvc.ha-eventmgr opID=x] Event 123 : vm01 on host01 in ha-datacenter is reset\n"
    assert looks_like_host_log(sixty) == "hostd-log"
    # inventories.md §3.2, the 5.x fdm line
    five = b"2014-04-04T11:41:54.882Z [688C2B70 info 'Invt' opID=SWI-24c018b] [VmStateChange::SavePowerChange] vm /vmfs/volumes/x/y.vmx curPwrState=unknown\n"
    assert looks_like_host_log(five) == "fdm-log"
    assert looks_like_host_log(b"object,start,end\nvm01,2026-03-03T10:00:00Z,2026-03-03T11:00:00Z\n") is None
    assert looks_like_host_log(b'{"type":"VmPoweredOnEvent","createdTime":"2026-03-03T09:02:11Z"}\n') is None
    assert looks_like_host_log(b"") is None
