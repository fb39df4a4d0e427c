"""The promises every command shares, at their one shared root: the environment, the app and the table writer.

Issue 8 §1 items 6, 7, 17, 18, 19, 20 and §3; the per-command causes are tested beside each command.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from contract import assert_bad_input

from hacalc.cli.env import ClosedInput, ClosedOutput, Environment, GuardedOutput, OutputError
from hacalc.core.text import visible
from hacalc.core.errors import InputError

ESCAPE_TITLE = "\x1b]0;pwned\x07"


def run(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hacalc", *args], stdout=stdout, stderr=subprocess.PIPE, timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain", "plain"),
        (ESCAPE_TITLE, "\\x1b]0;pwned\\x07"),
        ("a\nb\tc\r", "a\\nb\\tc\\r"),
        ("\x9b31m", "\\x9b31m"),  # the C1 control sequence introducer
        ("abc\u202edcba", "abc\\u202edcba"),  # a right-to-left override reorders what the terminal shows
        ("中文 ∞ é", "中文 ∞ é"),
    ],
)
def test_control_characters_are_spelled_out(text, shown):
    assert visible(text) == shown


def test_a_full_or_failing_stdout_is_one_output_error():
    class Full(io.StringIO):
        def write(self, text):
            raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match=r"cannot write to stdout \(No space left on device\)"):
        GuardedOutput(Full()).write("x")
    with pytest.raises(OutputError, match="stdout is closed"):
        ClosedOutput().write("x")


def test_a_closed_stdin_is_bad_input_when_read():
    with pytest.raises(InputError, match="stdin is closed"):
        ClosedInput().read()


def test_piped_tables_take_their_width_from_columns(monkeypatch):
    monkeypatch.setattr("sys.stdout", io.StringIO())
    monkeypatch.setenv("COLUMNS", "72")
    assert Environment.from_os().width == 72
    monkeypatch.setenv("COLUMNS", "wide")
    assert Environment.from_os().width == 200


def test_error_details_are_for_a_person_at_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for stream, lines in ((io.StringIO(), 1), (Terminal(), 3)):
        Environment(io.StringIO(), io.StringIO(), stream, False, False).error("bad, EXPR", "  x(\n   ^")
        assert stream.getvalue().count("\n") == lines


@pytest.mark.parametrize("flags", [["-q"], ["--quiet"], ["--no-color"], ["-q", "--no-color"]])
def test_global_flags_work_after_the_command_too(hacalc, flags):
    result = hacalc("nines", "4", *flags)
    assert result.exit_code == 0
    assert ("warning" in result.stderr) is ("-q" not in flags and "--quiet" not in flags)
    cluster = hacalc("cluster", "check", "scenarios/cluster-c-esx35.toml", "-f", "json", *flags)
    assert cluster.exit_code in (0, 1)
    assert ("warning" in cluster.stderr) is ("-q" not in flags and "--quiet" not in flags)


def test_format_names_are_case_insensitive_everywhere(hacalc):
    for args in (("availability", "--mttf", "1h", "--mttr", "1m"), ("nines", "99.9"), ("budget", "99.9")):
        result = hacalc(*args, "--format", "JSON")
        assert result.exit_code == 0, result.stderr
        json.loads(result.stdout)


def test_bare_targets_below_ten_warn_that_they_are_percentages(hacalc):
    result = hacalc("nines", "4", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("4,0.04,")  # still 4 %: the rule is documented, the warning says so
    assert result.stderr == "hacalc: warning: '4' is read as 4%; for 99.99% write '4 nines'\n"


@pytest.mark.parametrize("severity", ["", "pa\nge", "\x1b[2J"])
def test_alert_severities_must_be_names(hacalc, severity):
    message = assert_bad_input(hacalc("budget", "99.9", "--alert", f"2%:1h:5m:{severity}"))
    assert "is not a name" in message and "\x1b" not in message


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_tables_fit_the_width_without_splitting_a_number(hacalc, columns):
    result = hacalc("nines", "99.98999", "99.9", env={"COLUMNS": str(columns)})
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    rows = [line for line in lines if line.startswith("│")]
    assert [row.split("│")[1].strip() for row in rows] == ["99.9899%", "99.9%"]  # whole, on one line each
    assert all("m " in row or "s" in row for row in rows)
    left_out = [line for line in lines if line.startswith("Left out")]
    assert bool(left_out) is (columns < 100)
    assert columns > 80 or "class" in left_out[0]


def test_a_table_shows_escapes_from_data_visibly(hacalc, tmp_path):
    scenario = tmp_path / "pwned.json"
    data = json.loads(open("scenarios/cluster-vmware-percentage-example.json").read())
    data["cluster"]["name"] = ESCAPE_TITLE
    scenario.write_text(json.dumps(data))
    for args in ((), ("--no-color",)):
        result = hacalc("cluster", "check", str(scenario), *args)
        assert result.exit_code in (0, 1)
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "\\x1b]0;pwned\\x07" in result.stdout


# Real processes: closed and failing streams, signals


def closed(stream: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """hacalc run by a shell with one of its standard streams closed (``<&-``, ``>&-`` or ``2>&-``)."""
    redirect = {"stdin": "<&-", "stdout": ">&-", "stderr": "2>&-"}[stream]
    return subprocess.run(
        ["sh", "-c", f'"$0" -m hacalc "$@" {redirect}', sys.executable, *args], text=True, timeout=60,
        env={**os.environ, "NO_COLOR": "1"}, **kwargs,
    )


@pytest.mark.parametrize("output", ["table", "json", "csv"])
def test_closed_stdout_is_an_error_for_tables_and_data(output):
    result = closed("stdout", "nines", "99.9", "--format", output, stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert result.stderr == "hacalc: error: cannot write to stdout (stdout is closed), send the output to a file or pipe that can take it\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [("nines",), ("nines", "-f", "json"), ("availability", "--mttf", "1h", "--mttr", "1m", "-f", "csv")])
def test_a_full_disk_is_one_line_and_exit_2(args):
    with open("/dev/full", "w") as full:
        result = run(*args, stdout=full)
    assert result.returncode == 2
    assert result.stderr.decode() == "hacalc: error: cannot write to stdout (No space left on device), send the output to a file or pipe that can take it\n"


@pytest.mark.parametrize("args", [("availability", "--input", "-"), ("cluster", "check", "-", "--input-format", "toml"), ("spares", "-", "--input-format", "toml")])
def test_closed_stdin_is_bad_input(args):
    result = closed("stdin", *args, capture_output=True)
    assert_bad_input(result)
    assert result.stderr == "hacalc: error: stdin is closed, pipe the data in, or give a file name instead of -\n"


@pytest.mark.parametrize(("args", "code"), [(("nines", "abc", "-f", "json"), 2), (("nines", "4", "-f", "json"), 0)])
def test_closed_stderr_never_puts_errors_or_warnings_on_stdout(args, code):
    result = closed("stderr", *args, stdout=subprocess.PIPE)
    assert result.returncode == code
    assert "hacalc:" not in result.stdout
    if code == 0:
        json.loads(result.stdout)


def test_ctrl_c_is_left_to_the_default_action_from_the_first_line_of_hacalc():
    # issue 8 §1.19: a SIGINT during the start-up imports printed a KeyboardInterrupt traceback. The entry point
    # hands SIGINT back to the system before importing anything, so it ends hacalc as it ends any filter.
    probe = (
        "import signal, hacalc.cli.app as app_module;"
        "app_module.app = lambda: print(signal.getsignal(signal.SIGINT) is signal.SIG_DFL);"
        "from hacalc.cli.launch import run; run()"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["True"]


def test_notes_keep_their_own_line_breaks_and_escape_the_rest():
    from hacalc.cli.output import write_table

    stdout = io.StringIO()
    env = Environment(io.StringIO(), stdout, io.StringIO(), False, False)
    write_table(env, ("a", "b"), [("x", "1")], title="t\x1b", caption="first line\nsecond\tline")
    lines = stdout.getvalue().splitlines()
    assert lines[0] == "t\\x1b" and lines[-2:] == ["first line", "second\\tline"]


WIDE_TABLES = [
    ("nines",),
    ("availability", "--mttf", "50000h", "--mttr", "15m"),
    ("budget", "99.9", "--alerts"),
    ("compose", "series(lb=99.99%, db=parallel(99.95%, 99.95%))"),
    ("spares", "--mttf", "1000h", "--mttr", "10h", "--failover", "hot=30s,warm=5m,cold=30m", "--spare-cost", "hot=1000,warm=500,cold=100", "--target", "99.99"),
    ("spares", "--mttf", "1000h", "--mttr", "10h", "--sweep-spares", "0..3", "--spare-cost", "hot=1000,warm=500,cold=100"),
    *(("cluster", "check", str(path)) for path in sorted(Path("scenarios").glob("cluster-*.*")) if path.suffix != ".py"),
]


@pytest.mark.parametrize("columns", [60, 80])
@pytest.mark.parametrize("args", WIDE_TABLES, ids=lambda args: " ".join(args)[:50])
def test_every_table_fits_the_width(hacalc, args, columns):
    # issue 8 §3: at 80 columns the main tables wrapped numbers across lines; now optional columns are left out and
    # only phrases wrap, at spaces
    result = hacalc(*args, env={"COLUMNS": str(columns)})
    assert result.exit_code in (0, 1), result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= columns


def test_a_table_too_wide_for_the_terminal_runs_long_rather_than_cropping_a_value():
    from hacalc.cli.output import write_table

    stdout = io.StringIO()
    env = Environment(io.StringIO(), stdout, io.StringIO(), False, False, width=30)
    write_table(env, ("name", "capacity MHz", "memory MB"), [("host-with-a-long-name", 123456789012, 987654321098)])
    assert "123456789012" in stdout.getvalue() and "987654321098" in stdout.getvalue()
    assert max(map(len, stdout.getvalue().splitlines())) > 30


def test_a_bad_year_length_names_its_option_once(hacalc):
    message = assert_bad_input(hacalc("nines", "99.9", "--year-days", "366"))
    assert message == "unsupported year length '366', --year-days, use one of 365, 365.25, 365.2425"
