import pytest
from typer.testing import CliRunner

from hacalc.cli.app import app


class Invoker:
    """Runs hacalc in-process; stdout and stderr stay separate so tests can check stream purity."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None):
        return self.runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)


@pytest.fixture
def hacalc() -> Invoker:
    return Invoker()
