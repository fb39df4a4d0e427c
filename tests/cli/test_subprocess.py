"""Real processes: exit codes, clean pipes and the import budget that CliRunner cannot show."""

import json
import os
import signal
import subprocess
import sys

import pytest


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], input=input, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=60
    )


def test_json_on_a_pipe_is_pure_and_parses():
    result = run("-m", "hacalc", "availability", "--mttf", "50000h", "--mttr", "15m", "--format", "json")
    assert result.returncode == 0
    assert result.stderr == ""
    assert json.loads(result.stdout)["nines"] == pytest.approx(5.30103, abs=1e-5)


def test_table_on_a_pipe_has_no_colour_codes():
    result = run("-m", "hacalc", "nines", env={"FORCE_COLOR": "", "NO_COLOR": "1"})
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["budget", "99.9", "--spent", "1m", "--check"], 0),
        (["budget", "99.9", "--spent", "1h", "--check"], 1),
        (["budget", "abc"], 2),
        (["no-such-command"], 2),
        (["nines", "--no-such-flag"], 2),
    ],
)
def test_exit_statuses(args, code):
    result = run("-m", "hacalc", *args)
    assert result.returncode == code
    if code == 2:
        assert result.stdout == ""
        assert result.stderr.startswith("hacalc: error: ")
        assert "Traceback" not in result.stderr


def test_one_off_commands_load_neither_numpy_nor_scipy():
    result = run("-X", "importtime", "-m", "hacalc", "availability", "--mttf", "1000h", "--mttr", "1h", "-f", "json")
    assert result.returncode == 0
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    heavy = {name for name in imported if name.split(".")[0] in {"numpy", "scipy", "pydantic"}}
    assert heavy == set()
    assert "rich" not in {name.split(".")[0] for name in imported}  # JSON output never draws a table


def test_version():
    result = run("-m", "hacalc", "--version")
    assert result.returncode == 0
    assert result.stdout.startswith("hacalc ")


def test_commands_run_with_the_collector_on_and_start_up_objects_frozen_out_of_it():
    probe = (
        "import gc, hacalc.cli.app as app_module;"
        "app_module.app = lambda: print(gc.isenabled(), gc.get_freeze_count() > 1000);"
        "from hacalc.cli.launch import run; run()"
    )
    result = run("-c", probe)
    assert result.returncode == 0
    assert result.stdout.split() == ["True", "True"]


def test_a_closed_pipe_ends_the_command_quietly():
    reader = subprocess.Popen([sys.executable, "-m", "hacalc", "nines", "0.9999999999"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.close()
    assert reader.wait(timeout=60) == -signal.SIGPIPE  # as `yes | head -1` leaves `yes`
    assert b"Traceback" not in reader.stderr.read()
