"""Every `$ hacalc …` example in README.md prints what the README says it prints."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```(?:console|sh)?\n(\$ hacalc [^\n]*)\n(.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    found = []
    for command, output in BLOCK.findall((ROOT / "README.md").read_text()):
        if any(symbol in command for symbol in "|<>\\") or any(
            word.endswith((".toml", ".yaml", ".json", ".csv")) and not (ROOT / word).exists()
            for word in shlex.split(command[2:])
        ):
            continue  # pipelines and files made up for the example are shown, not run
        expected = output.split("\n$ ")[0].rstrip("\n")  # a later prompt (e.g. `$ echo $?`) ends the output
        found.append((command[2:], expected))
    return found


@pytest.mark.parametrize(("command", "expected"), examples(), ids=lambda value: value[:60])
def test_readme_example_output_is_real(command, expected):
    arguments = [sys.executable, "-m", "hacalc", *shlex.split(command)[1:]]
    result = subprocess.run(arguments, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "NO_COLOR": "1"}, timeout=120)
    assert (result.stdout + result.stderr).rstrip("\n") == expected


def test_readme_examples_were_found():
    assert len(examples()) >= 8
