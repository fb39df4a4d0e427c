"""The hacalc command: one Typer app, errors mapped once to a one-line message and an exit status."""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any, Optional

import typer
from typer._click import exceptions as click_exceptions
from typer.core import TyperGroup

from hacalc import __version__
from hacalc.cli.env import Environment
from hacalc.cli.status import ExitStatus
from hacalc.core.errors import HacalcError


# Command name -> module with a ``register(app)`` function. Modules are imported only when their command
# runs (or help lists it), so a one-off command pays for its own imports and nothing else.
COMMAND_MODULES = {
    "availability": "hacalc.cli.availability",
    "nines": "hacalc.cli.nines",
    "budget": "hacalc.cli.budget",
    "compose": "hacalc.cli.compose",
    "cluster": "hacalc.cli.cluster",
    "spares": "hacalc.cli.spares",
}


class HacalcGroup(TyperGroup):
    """Runs a command and turns every expected failure into ``hacalc: error: …`` and a documented exit status."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMAND_MODULES)

    def get_command(self, ctx: Any, name: str) -> Any:
        if name not in COMMAND_MODULES:
            return None
        holder = typer.Typer()
        importlib.import_module(COMMAND_MODULES[name]).register(holder)
        command = typer.main.get_command(holder)
        return command.commands[name] if isinstance(command, TyperGroup) else command

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None, standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            status = super().main(args, prog_name or "hacalc", complete_var, standalone_mode=False, **extra)
        except HacalcError as error:
            Environment.from_os().error(str(error), error.detail)
            status = ExitStatus.BAD_INPUT
        except click_exceptions.NoArgsIsHelpError:
            status = ExitStatus.BAD_INPUT  # the help has been shown; no command is still a usage error
        except click_exceptions.UsageError as error:
            Environment.from_os().error(_usage_message(error))
            status = ExitStatus.BAD_INPUT
        except click_exceptions.ClickException as error:
            Environment.from_os().error(error.format_message())
            status = ExitStatus.BAD_INPUT
        except (typer.Abort, KeyboardInterrupt):
            status = ExitStatus.INTERRUPTED
        code = int(status) if isinstance(status, int) else ExitStatus.SUCCESS
        if standalone_mode:
            sys.exit(code)
        return code


def _usage_message(error: click_exceptions.UsageError) -> str:
    message = error.format_message().rstrip(".").replace("\n", " ")
    command = error.ctx.command_path if error.ctx else "hacalc"
    return f"{message}, in '{command}', see '{command} --help'"


app = typer.Typer(
    cls=HacalcGroup,
    name="hacalc",
    help="Availability calculator for virtualized clusters and the services on them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        print(f"hacalc {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No warnings on stderr (data and errors still appear).")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour, as with NO_COLOR=1.")] = False,
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit.")
    ] = None,
) -> None:
    """Availability calculator for virtualized clusters and the services on them.

    Exit status: 0 success or gate passed, 1 gate failed (--check), 2 bad usage or bad input.
    """
    ctx.obj = Environment.from_os(quiet=quiet, no_color=no_color)

