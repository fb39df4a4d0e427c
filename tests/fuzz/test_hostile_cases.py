"""Issue 8 §1, items 1-21: each reproducer, as the issue gives it, holds hacalc to the contract.

Cases about the process run as real processes (``python -m hacalc``): closed or full streams, stdin,
environment and terminal, a signal, the memory of an endless input. Cases about what a file or an
argument says run through CliRunner in a forked child (fuzz_harness.invoke), which a hang cannot stop
either. The timeout of each run is a hang detector, not a speed goal: a correct answer takes well under
a second; items 10-13 get a minute.
The inputs of items 11-13 are built here, in temporary files.
"""

from __future__ import annotations

import json
import math
import os
import pty
import signal
import subprocess
import time
from pathlib import Path

import pytest
from fuzz_harness import CLOSED, DEV_FULL, PYTHON, Outcome, assert_no_raw_controls, assert_result, invoke, run_process, warm_up

from contract import ERROR_PREFIX, assert_bad_input
from hacalc.core.errors import InputError

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
HANG_GUARD = 30  # seconds; a correct answer takes well under one
SCALE_GUARD = 60  # items 11-13: big inputs built in the test

CLUSTER_JSON = (SCENARIOS / "cluster-vmware-percentage-example.json").read_text()
CLUSTER_TOML = (SCENARIOS / "cluster-vmware-slot-example.toml").read_text()
CLUSTER_YAML = (SCENARIOS / "cluster-seed-medium-3-hosts.yaml").read_text()
SPARES_TOML = (SCENARIOS / "spares-hot.toml").read_text()
HUGE_INTEGER = "1" + "0" * 5000  # over Python's 4,300-digit limit for int <-> str
PWNED = "\x1b]0;pwned\x07"  # an OSC sequence that retitles the terminal


@pytest.fixture(scope="module", autouse=True)
def _imports_done_once() -> None:
    warm_up()  # forked in-process runs inherit rich, numpy, scipy and PyYAML instead of importing them


def edited(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced; the base scenario must still contain ``old``."""
    assert old in text, old
    return text.replace(old, new, 1)


def deep_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def run_hacalc(args: list[str], tmp_path: Path, files: dict[str, str | bytes] | None = None, **options) -> Outcome:
    """Write ``files`` into ``tmp_path``, run ``python -m hacalc`` with ``{dir}`` in ARGS replaced by it."""
    options.setdefault("timeout", HANG_GUARD)
    return run_process(_placed(args, tmp_path, files), **options)


def run_in_process(args: list[str], tmp_path: Path, files: dict[str, str | bytes] | None = None, *, timeout: float = HANG_GUARD) -> Outcome:
    """The same through CliRunner in a forked child: for inputs whose reading does not depend on the process."""
    return invoke(_placed(args, tmp_path, files), timeout=timeout)


def run_case(args: list[str], tmp_path: Path, files: dict[str, str | bytes]) -> Outcome:
    """A file or argument case in-process; one that sends stdin as a real process, where Python's own
    decoding of stdin (surrogateescape under a C locale) is part of the case."""
    files = dict(files)
    if "<stdin>" not in files:
        return run_in_process(args, tmp_path, files)
    stdin = files.pop("<stdin>")
    return run_hacalc(args, tmp_path, files, stdin=stdin.encode("utf-8", "surrogatepass") if isinstance(stdin, str) else stdin)


def _placed(args: list[str], tmp_path: Path, files: dict[str, str | bytes] | None) -> list[str]:
    for name, content in (files or {}).items():
        (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    return [arg.replace("{dir}", str(tmp_path)) for arg in args]


def assert_refused(outcome: Outcome) -> str:
    """Bad input: exit 2, one ``hacalc: error:`` line, empty stdout, within the hang guard."""
    assert not outcome.hung, f"hang\n{outcome}"
    try:
        return assert_bad_input(outcome)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{outcome}") from None


def assert_answered(outcome: Outcome, output_format: str) -> None:
    """A valid input: exit 0 with output of ``output_format`` a program can read, within the guard."""
    assert not outcome.hung, f"hang\n{outcome}"
    assert b"Traceback" not in outcome.stderr_bytes, f"a traceback\n{outcome}"
    assert outcome.exit_code == 0, f"exit {outcome.exit_code}\n{outcome}"
    assert_result(outcome, output_format)


def assert_answered_or_refused(outcome: Outcome, output_format: str) -> None:
    assert not outcome.hung, f"hang\n{outcome}"
    if outcome.exit_code == 2:
        assert_refused(outcome)
    else:
        assert_answered(outcome, output_format)


# Items 1-4, 8, 15, 16: bad input that must be refused in one line ---------------------------------------

REFUSED = [
    # 1. Exponents beyond any float, in every number parser
    pytest.param(["nines", "1e-9999999"], {}, id="01-nines-tiny-exponent"),
    pytest.param(["nines", "1e999999999 nines"], {}, id="01-nines-huge-nines"),
    pytest.param(["availability", "--mttf", "1e999999999h", "--mttr", "1h"], {}, id="01-mttf-huge-exponent"),
    pytest.param(["availability", "--mttf", "1000h", "--mttr", "1e-999999999h"], {}, id="01-mttr-tiny-exponent"),
    pytest.param(["availability", "--failure-rate", "1e999999999/h", "--repair-rate", "1/h"], {}, id="01-rate-huge-exponent"),
    pytest.param(["availability", "--input", "{dir}/rows.csv"], {"rows.csv": "mttf,mttr\n1e999999999h,1h\n"}, id="01-csv-cell"),
    pytest.param(["availability", "--input", "{dir}/rows.ndjson"], {"rows.ndjson": '{"mttf":"1e999999999h","mttr":"1h"}\n'}, id="01-ndjson-text"),
    pytest.param(["availability", "--input", "{dir}/rows.ndjson"], {"rows.ndjson": '{"mttf":1e999999999,"mttr":1}\n'}, id="01-ndjson-number"),
    pytest.param(["compose", "series(1e-999999999, 99%)"], {}, id="01-compose-leaf"),
    pytest.param(["compose", "unit(1e999999999h, 1h)"], {}, id="01-compose-unit"),
    pytest.param(["budget", "99.9", "--window", "1e999999999d"], {}, id="01-budget-window"),
    pytest.param(["spares", "--mttf", "1e999999999h", "--mttr", "10h"], {}, id="01-spares-flag"),
    pytest.param(["spares", "--mttf", "1000h", "--mttr", "10h", "--coverage", "1e-999999999"], {}, id="01-spares-coverage"),
    pytest.param(["spares", "{dir}/s.toml"], {"s.toml": edited(SPARES_TOML, 'mttf = "1000h"', 'mttf = "1e999999999h"')}, id="01-spares-file"),
    pytest.param(["spares", "{dir}/s.toml"], {"s.toml": edited(SPARES_TOML, "coverage = 0.99", "coverage = 1e999999999")}, id="01-spares-toml-float"),
    # 2. Negative nines
    pytest.param(["compose", "parallel(-1 nines, 99%)"], {}, id="02-compose"),
    pytest.param(["budget", "--", "-2 nines"], {}, id="02-budget"),
    pytest.param(["nines", "--", "-400.5 nines"], {}, id="02-nines-overflow"),
    pytest.param(["nines", "--", "-1 nines"], {}, id="02-nines"),
    # 3. Integers over 4,300 digits
    pytest.param(["cluster", "check", "{dir}/c.json"], {"c.json": edited(CLUSTER_JSON, '"cpu_mhz": 9000', f'"cpu_mhz": {HUGE_INTEGER}')}, id="03-json"),
    pytest.param(["cluster", "check", "{dir}/c.toml"], {"c.toml": edited(CLUSTER_TOML, "cpu_mhz = 9000", f"cpu_mhz = {HUGE_INTEGER}")}, id="03-toml"),
    pytest.param(["cluster", "check", "{dir}/c.yaml"], {"c.yaml": edited(CLUSTER_YAML, "cpu_mhz: 12000", f"cpu_mhz: {HUGE_INTEGER}")}, id="03-yaml"),
    pytest.param(["availability", "--input", "{dir}/rows.ndjson"], {"rows.ndjson": f'{{"mttf":{HUGE_INTEGER},"mttr":1}}\n'}, id="03-ndjson"),
    pytest.param(["compose", f"kofn({'9' * 5000}, 99%, 99%)"], {}, id="03-compose-kofn"),
    pytest.param(["spares", "{dir}/s.yaml"], {"s.yaml": f"mttf: 1000h\nmttr: 10h\nneeded: {HUGE_INTEGER}\n"}, id="03-spares-yaml"),
    # 4. Deep JSON: the documented 64-level limit (the message is checked below)
    pytest.param(["cluster", "check", "{dir}/c.json"], {"c.json": edited(CLUSTER_JSON, '"vms": [', f'"vms": [{deep_list(500)}, ')}, id="04-json-500-levels"),
    pytest.param(["cluster", "check", "{dir}/c.json"], {"c.json": edited(CLUSTER_JSON, '"vms": [', f'"vms": [{deep_list(70)}, ')}, id="04-json-70-levels"),
    pytest.param(["spares", "{dir}/s.json"], {"s.json": f'{{"mttf": "1000h", "mttr": "10h", "description": {deep_list(70)}}}'}, id="04-json-70-levels-ignored-key"),
    pytest.param(["cluster", "check", "{dir}/c.yaml"], {"c.yaml": CLUSTER_YAML + f"extra: {deep_list(500)}\n"}, id="04-yaml-500-levels"),
    pytest.param(["cluster", "check", "{dir}/c.toml"], {"c.toml": f"deep = {deep_list(500)}\n" + CLUSTER_TOML}, id="04-toml-500-levels"),
    pytest.param(
        ["availability", "--input", "{dir}/rows.ndjson"], {"rows.ndjson": f'{{"mttf":"1h","mttr":"1h","x":{deep_list(500)}}}\n'}, id="04-ndjson-500-levels"
    ),
    # 5. Non-UTF-8 on stdin
    pytest.param(["cluster", "check", "-", "--input-format", "yaml"], {"<stdin>": b"cluster:\n  name: caf\xe9\n"}, id="05-yaml-stdin-latin1"),
    # 8. A version number beyond a float
    pytest.param(["cluster", "check", "{dir}/c.toml"], {"c.toml": edited(CLUSTER_TOML, 'vsphere = "6.7"', "vsphere = 1" + "0" * 400)}, id="08-toml-version"),
    pytest.param(["cluster", "check", "{dir}/c.yaml"], {"c.yaml": edited(CLUSTER_YAML, 'vsphere: "2.5"', "vsphere: 1" + "0" * 400)}, id="08-yaml-version"),
    # 15. A newline in a key or a name: the message stays one line
    pytest.param(["cluster", "check", "{dir}/c.json"], {"c.json": edited(CLUSTER_JSON, '"cpu_mhz": 9000', '"cpu\\nmhz": 9000')}, id="15-json-key"),
    pytest.param(["cluster", "check", "{dir}/c.toml"], {"c.toml": edited(CLUSTER_TOML, "tolerate = 1", 'tolerate = 1\n"bad\\nkey" = 1')}, id="15-toml-key"),
    pytest.param(["spares", "{dir}/s.json"], {"s.json": '{"mttf": "1000h", "mttr": "10h", "mt\\ntf": 1}'}, id="15-spares-key"),
    pytest.param(["cluster", "check", "{dir}/c.json"], {"c.json": edited(CLUSTER_JSON, '"name": "VM1",', '"name": "VM1", "host": "no\\nsuch",')}, id="15-json-host-name"),
    # 16. Bad input that was accepted
    pytest.param(["availability", "--failure-rate", "1/", "--repair-rate", "1/h"], {}, id="16-rate-without-unit"),
    pytest.param(["availability", "--input", "{dir}/rows.ndjson"], {"rows.ndjson": '{"mttf":"1h","mttf":"2h","mttr":"1h"}\n'}, id="16-ndjson-duplicate-key"),
    pytest.param(["budget", "99.9", "--alert", "2%:1h:5m:"], {}, id="16-alert-empty-severity"),
    pytest.param(["budget", "99.9", "--alert", "2%:1h:5m:pa\nge"], {}, id="16-alert-newline-severity"),
    pytest.param(["spares", "{dir}/s.toml"], {"s.toml": edited(SPARES_TOML, 'hot = "30s"', '"hot=1s,cold" = "30s"')}, id="16-spares-failover-key"),
    pytest.param(["cluster", "check", "-", "--input-format", "toml"], {"<stdin>": CLUSTER_TOML.encode().replace(b"H1", b"H\xe91")}, id="16-toml-stdin-latin1"),
    pytest.param(["cluster", "check", "-", "--input-format", "json"], {"<stdin>": CLUSTER_JSON.encode().replace(b"H1", b"H\xe91")}, id="16-json-stdin-latin1"),
    pytest.param(["spares", "-", "--input-format", "toml"], {"<stdin>": SPARES_TOML.encode().replace(b"Hot", b"H\xf6t")}, id="16-spares-stdin-latin1"),
    pytest.param(["cluster", "check", "{dir}/c.yaml"], {"c.yaml": edited(CLUSTER_YAML, "cpu_mhz: 12000", "cpu_mhz: 1:30")}, id="16-yaml-sexagesimal"),
    pytest.param(["cluster", "check", "{dir}/c.yaml"], {"c.yaml": edited(CLUSTER_YAML, "cpu_mhz: 12000", "cpu_mhz: 0x10")}, id="16-yaml-hex"),
]


NAMES_THE_DEPTH_LIMIT = {"04-json-500-levels", "04-json-70-levels", "04-json-70-levels-ignored-key", "04-yaml-500-levels", "04-toml-500-levels"}


@pytest.mark.parametrize(("args", "files"), REFUSED)
def test_refused_in_one_line(args, files, tmp_path, request):
    message = assert_refused(run_case(args, tmp_path, files))
    if request.node.callspec.id in NAMES_THE_DEPTH_LIMIT:
        assert "64" in message, f"refused, but not by the documented 64-level limit: {message}"


# Items 5, 9, 10, 14: either answered or refused, never a traceback ---------------------------------------

ANSWERED_OR_REFUSED = [
    pytest.param(["cluster", "check", "{dir}/c.yaml"], {"c.yaml": "# \x1b\n" + CLUSTER_YAML}, "table", id="05-yaml-escape-in-comment"),
    pytest.param(["cluster", "check", "{dir}/c.yaml"], {"c.yaml": CLUSTER_YAML.replace("C-ESX35-MEDIUM", "C-\x1b-MEDIUM")}, "table", id="05-yaml-escape-in-value"),
    pytest.param(["cluster", "check", "{dir}/c.yaml"], {"c.yaml": CLUSTER_YAML + "# \x85 \x00\n"}, "json", id="05-yaml-nul-in-comment"),
    pytest.param(["availability", "--failure-rate", "1e308/ms", "--repair-rate", "1e-308/y"], {}, "table", id="09-rates-table"),
    pytest.param(["availability", "--failure-rate", "1e308/ms", "--repair-rate", "1e-308/y", "-f", "json"], {}, "json", id="09-rates-json"),
    pytest.param(["availability", "--failure-rate", "1e308/ms", "--repair-rate", "1e-308/y", "-f", "csv"], {}, "csv", id="09-rates-csv"),
    pytest.param(["availability", "--input", "{dir}/r.ndjson", "-f", "csv"], {"r.ndjson": '{"mttf":"1h","mttr":"1h","note":"\\ud800"}\n'}, "csv", id="14-surrogate-to-csv"),
    pytest.param(["availability", "--input", "-", "-f", "csv"], {"<stdin>": '{"mttf":"1h","mttr":"1h","note":"\\udc80x"}\n'}, "csv", id="14-surrogate-stdin-to-csv"),
    pytest.param(["availability", "--input", "{dir}/r.ndjson"], {"r.ndjson": '{"mttf":"1h","mttr":"1h","note":"\\ud800"}\n'}, "ndjson", id="14-surrogate-to-ndjson"),
]


@pytest.mark.parametrize(("args", "files", "output"), ANSWERED_OR_REFUSED)
def test_answered_or_refused(args, files, output, tmp_path):
    outcome = run_case(args, tmp_path, files)
    assert_answered_or_refused(outcome, output)
    assert_no_raw_controls(outcome.stderr_bytes, outcome, "stderr")


# Items 10-11: compose at scale answers, exactly ---------------------------------------------------------


def _parallel(count: int) -> str:
    return "parallel(" + ", ".join(["0.999999"] * count) + ")"


SERIES_OF_10000 = -math.expm1(10_000 * math.log1p(-1e-4))  # 1 - 0.9999**10000 = 0.63213895..., to ~1e-16


@pytest.mark.parametrize(
    ("expression", "output", "unavailability"),
    [
        pytest.param(_parallel(1000), "table", None, id="10-parallel-1000-table"),
        pytest.param(_parallel(1000), "json", None, id="10-parallel-1000-json"),
        pytest.param("series(" + ", ".join(["99.99%"] * 2000) + ")", "json", None, id="11-series-2000"),
        pytest.param("series(" + ", ".join(["99.99%"] * 10_000) + ")", "json", SERIES_OF_10000, id="11-series-10000"),
        pytest.param("kofn(150, " + ", ".join(["99%"] * 300) + ")", "json", None, id="11-kofn-150-of-300"),
        pytest.param("kofn(500, " + ", ".join(["99%"] * 1000) + ")", "table", None, id="11-kofn-500-of-1000"),
    ],
)
def test_compose_at_scale_answers(expression, output, unavailability, tmp_path):
    outcome = run_in_process(["compose", expression, "-f", output], tmp_path, timeout=SCALE_GUARD)
    assert_answered(outcome, output)
    if unavailability is not None:
        assert json.loads(outcome.stdout)["unavailability"] == pytest.approx(unavailability, rel=1e-12)


# Item 12: locating a TOML error is linear ----------------------------------------------------------------


@pytest.mark.parametrize("opening", ["[", "[["])
def test_toml_error_after_a_long_line_in_a_string_is_reported(opening, tmp_path):
    """A multi-line string holding a 60 KB line that starts like a table header, then an unknown field."""
    text = edited(CLUSTER_TOML, 'name = "VMware slot example"', 'name = """\n' + opening + " " * 60_000 + '\n"""\nbad = 1')
    message = assert_refused(run_in_process(["cluster", "check", "{dir}/c.toml"], tmp_path, {"c.toml": text}, timeout=SCALE_GUARD))
    assert "bad" in message


# Item 13: batch input without newlines: a line-length cap, flat memory ----------------------------------

BATCH_MEMORY_CAP = 2 << 30


@pytest.mark.parametrize("via", ["file", "stdin"])
def test_endless_line_is_refused_with_flat_memory(via, tmp_path):
    """/dev/zero never ends a line; with 2 GiB of address space the reader must still refuse it."""
    args = ["availability", "--input", "/dev/zero" if via == "file" else "-"]
    stdin = "/dev/zero" if via == "stdin" else b""
    assert_refused(run_hacalc(args, tmp_path, stdin=stdin, timeout=SCALE_GUARD, memory_cap=BATCH_MEMORY_CAP))


def test_unclosed_quote_over_60_mb_is_refused(tmp_path):
    rows = tmp_path / "rows.csv"
    with rows.open("wb") as stream:
        stream.write(b'mttf,mttr,note\n1000h,1h,"')
        stream.write(b"x" * (60 << 20))
    assert_refused(run_hacalc(["availability", "--input", str(rows)], tmp_path, timeout=SCALE_GUARD, memory_cap=BATCH_MEMORY_CAP))


# Item 6: closed stdin -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["availability", "--input", "-"], id="availability"),
        pytest.param(["cluster", "check", "-", "--input-format", "toml"], id="cluster"),
        pytest.param(["spares", "-", "--input-format", "toml"], id="spares"),
    ],
)
def test_06_closed_stdin_is_bad_input(args, tmp_path):
    assert_refused(run_hacalc(args, tmp_path, stdin=CLOSED))


# Item 7: output that cannot be written --------------------------------------------------------------------

WRITERS = [
    pytest.param(["nines"], id="nines-table"),
    pytest.param(["nines", "-f", "json"], id="nines-json"),
    pytest.param(["nines", "-f", "csv"], id="nines-csv"),
    pytest.param(["availability", "--mttf", "1000h", "--mttr", "1h", "-f", "json"], id="availability-json"),
    pytest.param(["availability", "--input", "{dir}/rows.csv"], id="batch-csv"),
    pytest.param(["availability", "--input", "{dir}/rows.csv", "-f", "ndjson"], id="batch-ndjson"),
    pytest.param(["cluster", "check", "{dir}/c.toml"], id="cluster-table"),
    pytest.param(["cluster", "check", "{dir}/c.toml", "-f", "csv"], id="cluster-csv"),
    pytest.param(["spares", "{dir}/s.toml", "-f", "json"], id="spares-json"),
]
WRITER_FILES = {"rows.csv": "mttf,mttr\n" + "1000h,1h\n" * 2000, "c.toml": CLUSTER_TOML, "s.toml": SPARES_TOML}


def assert_write_failure_reported(outcome: Outcome) -> None:
    """Non-zero exit and exactly one ``hacalc: error:`` line, no traceback, never a silent success."""
    assert not outcome.hung, f"hang\n{outcome}"
    assert outcome.exit_code not in (0, None), f"output lost, yet exit {outcome.exit_code}\n{outcome}"
    assert b"Traceback" not in outcome.stderr_bytes, f"a traceback\n{outcome}"
    assert outcome.stderr.startswith(ERROR_PREFIX) and outcome.stderr.count("\n") == 1 and outcome.stderr.endswith("\n"), f"not one error line\n{outcome}"


@pytest.mark.parametrize("args", WRITERS)
def test_07_closed_stdout_is_reported(args, tmp_path):
    assert_write_failure_reported(run_hacalc(args, tmp_path, WRITER_FILES, stdout=CLOSED))


@pytest.mark.parametrize("args", WRITERS)
def test_07_full_disk_is_reported(args, tmp_path):
    assert_write_failure_reported(run_hacalc(args, tmp_path, WRITER_FILES, stdout=DEV_FULL))


# Item 17: help shown because of a usage error goes to stderr ------------------------------------------------


@pytest.mark.parametrize("args", [pytest.param([], id="hacalc"), pytest.param(["cluster"], id="hacalc-cluster")])
def test_17_help_for_a_missing_command_goes_to_stderr(args, tmp_path):
    outcome = run_hacalc(args, tmp_path)
    assert outcome.exit_code == 2, outcome
    assert outcome.stdout == "", f"help on stdout although it is an error\n{outcome}"
    assert "Usage" in outcome.stderr and "Traceback" not in outcome.stderr, outcome


# Item 18: closed stderr never moves diagnostics onto stdout -------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [pytest.param(["nines", "bad"], id="error"), pytest.param(["nines", "--no-such-flag"], id="usage-error"), pytest.param(["budget", "abc"], id="budget")],
)
def test_18_closed_stderr_error_stays_off_stdout(args, tmp_path):
    outcome = run_hacalc(args, tmp_path, stderr=CLOSED)
    assert outcome.exit_code == 2, outcome
    assert outcome.stdout == "", f"the error went to stdout\n{outcome}"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param(["cluster", "check", str(SCENARIOS / "cluster-c-esx35.toml"), "-f", "json"], 0, id="cluster-warnings"),
        pytest.param(["budget", "99.9", "--spent", "50m", "--check", "-f", "json"], 1, id="budget-fail-line"),
    ],
)
def test_18_closed_stderr_keeps_json_pure(args, code, tmp_path):
    outcome = run_hacalc(args, tmp_path, stderr=CLOSED)
    assert outcome.exit_code == code, outcome
    json.loads(outcome.stdout)  # warnings and FAIL lines must not have been written into it


# Item 19: Ctrl-C at any moment ends quietly -----------------------------------------------------------------


# A launcher that tells the test when Python has finished its own start-up (site, .pth files, importing the
# hacalc package, which holds only its version) and then runs hacalc exactly as ``python -m hacalc`` would.
# A SIGINT before that is the interpreter's to handle; 10 ms after it, hacalc's own modules are loading and
# Ctrl-C is hacalc's to handle (the issue saw tracebacks in the first ~50 ms).
LAUNCH_AND_SIGNAL_READY = (
    "import os, runpy, sys; import hacalc; os.write(int(sys.argv.pop(1)), b'.');"
    " runpy.run_module('hacalc', run_name='__main__', alter_sys=True)"
)


@pytest.mark.parametrize("delay_ms", [10, 25, 50, 100, 200])
def test_19_interrupt_at_any_moment_prints_no_traceback(delay_ms):
    ready_read, ready_write = os.pipe()
    command = ["spares", str(SCENARIOS / "spares-database-pair.toml"), "--sweep-spares", "0..3"]
    process = subprocess.Popen(
        [PYTHON, "-c", LAUNCH_AND_SIGNAL_READY, str(ready_write), *command],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(ready_write,),
    )
    os.close(ready_write)
    try:
        assert os.read(ready_read, 1) == b".", "the launcher did not start"
    finally:
        os.close(ready_read)
    time.sleep(delay_ms / 1000)
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("SIGINT did not end hacalc") from None
    assert b"Traceback" not in stderr and b"KeyboardInterrupt" not in stderr, stderr.decode(errors="replace")
    assert stderr.count(b"\n") <= 1, stderr
    assert process.returncode in (0, 130, -signal.SIGINT), (process.returncode, stderr)


# Item 20: control characters from files are shown, not obeyed ------------------------------------------------

VISIBLE_ESCAPES = ("\\x1b", "\\u001b", "\\033", "\\e", "^[", "\u241b")
ESCAPED_CLUSTER = edited(CLUSTER_TOML, 'name = "VMware slot example"', 'name = "\\u001b]0;pwned\\u0007"')


def assert_shown_not_obeyed(data: bytes, outcome: Outcome) -> None:
    assert b"\x1b" not in data and b"\x07" not in data, f"a raw escape sequence reached the terminal\n{outcome}"
    assert any(form in data.decode("utf-8", "replace") for form in VISIBLE_ESCAPES), f"the escape is not shown\n{outcome}"


@pytest.mark.parametrize("environment", [pytest.param({}, id="colour"), pytest.param({"NO_COLOR": "1"}, id="no-color")])
@pytest.mark.parametrize(
    ("args", "files"),
    [
        pytest.param(["cluster", "check", "{dir}/c.toml"], {"c.toml": ESCAPED_CLUSTER}, id="cluster-name"),
    ],
)
def test_20_escapes_in_files_are_shown_in_tables(args, files, environment, tmp_path):
    outcome = run_hacalc(args, tmp_path, files, env=environment)
    assert outcome.exit_code in (0, 1), outcome
    assert_shown_not_obeyed(outcome.stdout_bytes, outcome)


@pytest.mark.parametrize(
    ("args", "files"),
    [
        pytest.param(["nines", PWNED], {}, id="nines-argument"),
        pytest.param(["compose", f"series({PWNED}=99%, x)"], {}, id="compose-argument"),
        pytest.param(["cluster", "check", "{dir}/c.json"], {"c.json": edited(CLUSTER_JSON, '"name": "VM1",', '"name": "VM1", "host": "\\u001b]0;pwned\\u0007",')}, id="cluster-host"),
        pytest.param(["cluster", "check", "{dir}/c.toml"], {"c.toml": edited(CLUSTER_TOML, "tolerate = 1", 'tolerate = 1\n"\\u001b]0;pwned\\u0007" = 1')}, id="cluster-key"),
        pytest.param(["availability", "--input", "{dir}/r.csv"], {"r.csv": "mttf,mttr\n1h,\x1b]0;pwned\x07\n"}, id="batch-cell"),
        pytest.param(["spares", "{dir}/s.toml"], {"s.toml": edited(SPARES_TOML, 'kind = "hot"', 'kind = "\\u001b]0;pwned\\u0007"')}, id="spares-kind"),
    ],
)
def test_20_escapes_in_error_messages_are_shown(args, files, tmp_path):
    outcome = run_in_process(args, tmp_path, files)
    assert_refused(outcome)
    assert_shown_not_obeyed(outcome.stderr_bytes, outcome)


def test_20_escapes_on_a_real_terminal(tmp_path):
    """On a pty, colour codes are allowed; the file's OSC sequence and its BEL are not."""
    (tmp_path / "c.toml").write_text(ESCAPED_CLUSTER)
    leader, follower = pty.openpty()
    process = subprocess.Popen([PYTHON, "-m", "hacalc", "cluster", "check", str(tmp_path / "c.toml")], stdin=subprocess.DEVNULL, stdout=follower, stderr=follower)
    os.close(follower)
    screen = b""
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the process has closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(leader)
    process.wait(timeout=HANG_GUARD)
    assert b"\x1b]" not in screen and b"\x07" not in screen, screen
    assert any(form.encode() in screen for form in VISIBLE_ESCAPES), screen


# Item 21: a NUL byte in a file name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["cluster", "check", "a\x00.toml"], id="cluster"),
        pytest.param(["spares", "a\x00.toml"], id="spares"),
        pytest.param(["availability", "--input", "a\x00.csv"], id="batch"),
    ],
)
def test_21_nul_in_a_file_name_is_bad_input(args, hacalc):
    assert_bad_input(hacalc(*args))


def test_21_nul_in_a_file_name_is_an_input_error_for_library_callers():
    from hacalc.readers.cluster import load_cluster
    from hacalc.readers.files import read_document
    from hacalc.readers.spares import read_scenario

    for read in (read_document, load_cluster, read_scenario):
        with pytest.raises(InputError):
            read("a\x00.toml")


# Found by the fuzz suite, beyond the list ------------------------------------------------------------


@pytest.mark.parametrize("content", [pytest.param("", id="empty"), pytest.param("\n\n", id="blank-lines")])
def test_ndjson_without_rows_written_as_csv_still_has_a_header(content, tmp_path):
    """CSV output always parses with a header; an NDJSON input with no object gave exit 0 and no bytes."""
    outcome = run_in_process(["availability", "--input", "{dir}/rows.ndjson", "-f", "csv"], tmp_path, {"rows.ndjson": content})
    assert_answered_or_refused(outcome, "csv")
