"""Every `$ hacalc …` example in README.md and docs/*.md prints what the page says it prints.

A fenced block holds one or more examples: a `$ hacalc …` line (a trailing backslash continues it on the
next line), then its output, stdout followed by stderr, up to the next `$ ` line or the end of the block.
A `$ echo $?` right after an example shows its exit status, which is checked too. Examples run from the
repository root with NO_COLOR=1 and COLUMNS=200 (a wide terminal) unless the example sets an
environment variable itself (`$ COLUMNS=80 hacalc …`). Pipelines, redirections and files made up for the
example (such as a `hosts.csv` shown with `$ cat`) are shown, not run.

/tmp/regen_examples.py (kept outside the repository) imports this module to rewrite every example's
output from the real CLI with the same rules.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
COMMAND_PAGES = ("README.md", *(f"docs/{name}.md" for name in ("availability", "nines", "budget", "compose", "cluster", "cluster-collect", "spares", "incidents", "risk", "protect", "language", "platforms")))
EXAMPLE_ENVIRONMENT = {"NO_COLOR": "1", "COLUMNS": "200"}
FILE_SUFFIXES = (".toml", ".yaml", ".yml", ".json", ".csv", ".ndjson", ".jsonl")
PROMPT = re.compile(r"^\$ ((?:[A-Z_][A-Z0-9_]*=\S* )*)hacalc(?: |$)")
FENCE = re.compile(r"^(`{3,})")
STATUS_PROMPT = "$ echo $?"


@dataclass(frozen=True)
class Example:
    """One `$ hacalc …` example as a page shows it, with where its output sits in the page's text."""

    page: str
    line: int
    environment: dict[str, str]
    command: str
    output: str
    output_span: tuple[int, int]
    status: int | None
    status_span: tuple[int, int] | None
    shown_only_because: str | None

    @property
    def runnable(self) -> bool:
        return self.shown_only_because is None

    def run(self, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        arguments = [sys.executable, "-m", "hacalc", *shlex.split(self.command)[1:]]
        environment = {**os.environ, **EXAMPLE_ENVIRONMENT, **self.environment}
        return subprocess.run(
            arguments, capture_output=True, text=True, cwd=ROOT, env=environment, stdin=subprocess.DEVNULL, timeout=timeout
        )


def relative(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def fenced_blocks(text: str) -> list[list[tuple[int, int, str]]]:
    """The lines of every fenced code block, each as (line number, offset of the line in text, line)."""
    blocks: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] | None = None
    fence = ""
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        bare = line.rstrip("\n")
        opening = FENCE.match(bare)
        if current is None and opening:
            current, fence = [], opening.group(1)
        elif current is not None and bare.strip() == fence:
            blocks.append(current + [(number, offset, "")])  # the closing fence ends the last output
            current = None
        elif current is not None:
            current.append((number, offset, bare))
        offset += len(line)
    return blocks


def examples_in(page: Path) -> list[Example]:
    return examples_in_text(relative(page), page.read_text())


def examples_in_text(name: str, text: str) -> list[Example]:
    found = []
    for block in fenced_blocks(text):
        prompts = [index for index, (_, _, line) in enumerate(block) if line.startswith("$ ")] + [len(block) - 1]
        for position, index in enumerate(prompts[:-1]):
            number, _, line = block[index]
            if not PROMPT.match(line):
                continue
            command_lines = [line[2:]]
            while command_lines[-1].endswith("\\") and index + 1 < prompts[position + 1]:
                index += 1
                command_lines.append(block[index][2].strip())
            output_start, output_end = block[index + 1][1], block[prompts[position + 1]][1]
            status, status_span = _status_after(block, prompts, position + 1)
            command = " ".join(part.rstrip("\\").strip() for part in command_lines)
            environment, command = _environment_prefix(command)
            found.append(
                Example(
                    page=name,
                    line=number,
                    environment=environment,
                    command=command,
                    output=text[output_start:output_end].rstrip("\n"),
                    output_span=(output_start, output_end),
                    status=status,
                    status_span=status_span,
                    shown_only_because=_not_runnable(command),
                )
            )
    return found


def _status_after(block, prompts, position) -> tuple[int | None, tuple[int, int] | None]:
    """The exit status a `$ echo $?` right after the example shows, and where that number is."""
    if position >= len(prompts) - 1 or block[prompts[position]][2].strip() != STATUS_PROMPT:
        return None, None
    _, offset, line = block[prompts[position] + 1]
    if not line.strip().isdigit():
        return None, None
    return int(line), (offset, offset + len(line))


def _environment_prefix(command: str) -> tuple[dict[str, str], str]:
    environment = {}
    words = command.split(" ")
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
        name, _, value = words.pop(0).partition("=")
        environment[name] = value
    return environment, " ".join(words)


def _not_runnable(command: str) -> str | None:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    words = list(lexer)
    if any(set(word) <= set("|&;<>()") for word in words):
        return "a pipeline or redirection"
    for word in shlex.split(command):
        if word.endswith(FILE_SUFFIXES) and not (ROOT / word).exists():
            return f"{word} is made up for the example"
    return None


EXAMPLES = {page: examples_in(page) for page in PAGES}
RUNNABLE = [example for found in EXAMPLES.values() for example in found if example.runnable]


@pytest.mark.parametrize("example", RUNNABLE, ids=lambda example: f"{example.page}:{example.line} {example.command[:50]}")
def test_documented_example_output_is_real(example):
    result = example.run()
    assert (result.stdout + result.stderr).rstrip("\n") == example.output
    if example.status is not None:
        assert result.returncode == example.status


def _page_id(page: Path) -> str:
    found = EXAMPLES[page]
    run = sum(example.runnable for example in found)
    return f"{relative(page)}: {run} run, {len(found) - run} shown only"


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_every_prompt_on_a_page_is_an_example(page):
    """A `$ hacalc` line the parser misses (outside a fence, a mangled block) would go unchecked."""
    prompts = [line for line in page.read_text().splitlines() if PROMPT.match(line)]
    assert len(prompts) == len(EXAMPLES[page])


@pytest.mark.parametrize("name", COMMAND_PAGES, ids=lambda name: f"{name}: {sum(e.runnable for e in EXAMPLES.get(ROOT / name, []))} run")
def test_readme_and_every_command_page_run_examples(name):
    assert ROOT / name in EXAMPLES, f"{name} is missing"
    assert sum(example.runnable for example in EXAMPLES[ROOT / name]) >= 1


def test_examples_are_read_as_the_pages_show_them():
    """The parser on a made-up page: continuation lines, a checked exit status, and what is only shown."""
    text = (
        "```console\n"
        "$ hacalc nines 99.9 \\\n    --format csv\n"
        "target,availability\n0.999,0.999\n"
        "$ echo $?\n0\n"
        "$ COLUMNS=80 hacalc spares made-up.toml\n"
        "hacalc: error: …\n"
        "$ hacalc nines | head -1\n"
        "```\n"
    )
    first, second, third = examples_in_text("made-up.md", text)
    assert (first.command, first.output, first.status) == ("hacalc nines 99.9 --format csv", "target,availability\n0.999,0.999", 0)
    assert text[slice(*first.output_span)] == "target,availability\n0.999,0.999\n"
    assert text[slice(*first.status_span)] == "0"
    assert (second.environment, second.shown_only_because) == ({"COLUMNS": "80"}, "made-up.toml is made up for the example")
    assert third.shown_only_because == "a pipeline or redirection"
