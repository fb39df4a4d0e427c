"""Colour and quiet decisions come from one Environment object, so they can be tested without a terminal."""

import io

import pytest

from hacalc.cli.env import Environment


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("variables", "color"),
    [({}, True), ({"NO_COLOR": "1"}, False), ({"NO_COLOR": ""}, True), ({"TERM": "dumb"}, False)],
)
def test_colour_follows_no_color_and_term_on_a_terminal(monkeypatch, variables, color):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdout", FakeTerminal())
    assert Environment.from_os().color is color


def test_no_colour_on_a_pipe_or_when_asked(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert Environment.from_os().color is False
    monkeypatch.setattr("sys.stdout", FakeTerminal())
    assert Environment.from_os(no_color=True).color is False


def test_quiet_silences_warnings_but_not_errors():
    stderr = io.StringIO()
    env = Environment(io.StringIO(), io.StringIO(), stderr, False, False, quiet=True)
    env.warn("a warning")
    env.error("an error")
    assert stderr.getvalue() == "hacalc: error: an error\n"
