"""The hacalc command: one Typer app, errors mapped once to a one-line message and an exit status."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
from enum import Enum
from collections.abc import Sequence
from typing import Annotated, Any, Optional

import typer
from typer._click import exceptions as click_exceptions
from typer.core import TyperGroup, TyperOption

from hacalc import __version__, i18n
from hacalc.cli.charts.option import PLOT_OPTIONAL_VALUE
from hacalc.cli.env import Environment, GuardedOutput, OutputError
from hacalc.cli.status import ExitStatus
from hacalc.core.errors import HacalcError
from hacalc.i18n import N_, _


# Command name -> module with a ``register(app)`` function. Modules are imported only when their command
# runs (or help lists it), so a one-off command pays for its own imports and nothing else.
COMMAND_MODULES = {
    "availability": "hacalc.cli.availability",
    "nines": "hacalc.cli.nines",
    "budget": "hacalc.cli.budget",
    "compose": "hacalc.cli.compose",
    "cluster": "hacalc.cli.cluster",
    "spares": "hacalc.cli.spares",
    "incidents": "hacalc.cli.incidents",
    "risk": "hacalc.cli.risk",
    "protect": "hacalc.cli.protect",
}

# Options whose value may be left out (``--check`` alone, or ``--check demonstrated``): command -> option ->
# (value when left out, the values it takes). Typer's parser has no optional values, so the words are
# filled in before it runs; anything else after the option is left for the command's arguments.
OPTIONAL_VALUES = {"incidents": {"--check": ("observed", ("observed", "demonstrated")), **PLOT_OPTIONAL_VALUE}, **{name: PLOT_OPTIONAL_VALUE for name in ("nines", "spares", "risk", "cluster")}}

# Typer's own words in help pages (its module constants, read when help is drawn).
TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
}
GLOBAL_OPTIONS = N_("Global options")
GLOBAL_OPTIONS_WITH_VALUE = ("--lang",)  # before the command name, its value is not the command


class CommandGroup(TyperGroup):
    """A group whose bare invocation is a usage error: its help goes to stderr and the exit status is 2."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            with contextlib.redirect_stdout(sys.stderr or io.StringIO()):
                text = ctx.get_help()  # typer's rich help prints itself and returns ""
                if text:
                    print(text)
            raise _HelpShown()
        return super().parse_args(ctx, args)


class _HelpShown(Exception):
    """The help has been shown on stderr in place of an error message."""


class HacalcGroup(CommandGroup):
    """Runs a command and turns every expected failure into ``hacalc: error: …`` and a documented exit status."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _with_optional_values(args))

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMAND_MODULES)

    def get_command(self, ctx: Any, name: str) -> Any:
        if name not in COMMAND_MODULES:
            return None
        holder = typer.Typer(add_completion=False)  # completion belongs to the top-level command
        importlib.import_module(COMMAND_MODULES[name]).register(holder)
        command = typer.main.get_command(holder)
        command = command.commands[name] if isinstance(command, TyperGroup) else command
        for leaf in command.commands.values() if isinstance(command, TyperGroup) else [command]:
            leaf.params.extend(_global_flags())
        return command

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None, standalone_mode: bool = True, **extra: Any) -> Any:
        arguments = sys.argv[1:] if args is None else list(args)
        i18n.activate(arguments)
        _translate_typer_words(arguments)
        code = int(self._run(arguments, prog_name or "hacalc", complete_var, **extra))
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(self, args: Any, prog_name: str, complete_var: Any, **extra: Any) -> int:
        try:
            status = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            if sys.stdout is not None:
                GuardedOutput(sys.stdout).flush()  # a full disk shows here, not at interpreter exit
        except HacalcError as error:
            Environment.from_os().error(str(error), error.detail)
            return ExitStatus.BAD_INPUT
        except OutputError as error:
            Environment.from_os().error(_("{error}, send the output to a file or pipe that can take it").format(error=error))
            _discard_unwritten_output()
            return ExitStatus.BAD_INPUT
        except _HelpShown:
            return ExitStatus.BAD_INPUT
        except click_exceptions.UsageError as error:
            Environment.from_os().error(_usage_message(error))
            return ExitStatus.BAD_INPUT
        except click_exceptions.ClickException as error:
            Environment.from_os().error(error.format_message())
            return ExitStatus.BAD_INPUT
        except (typer.Abort, KeyboardInterrupt):
            return ExitStatus.INTERRUPTED
        return status if isinstance(status, int) else ExitStatus.SUCCESS


def _with_optional_values(args: list[str]) -> list[str]:
    """``hacalc incidents a.csv --check`` as ``… --check observed``; ``--check demonstrated`` stays as typed."""
    options = OPTIONAL_VALUES.get(command_name(args) or "", {})
    if not options:
        return args
    filled: list[str] = []
    for index, arg in enumerate(args):
        if arg == "--":
            return filled + args[index:]
        filled.append(arg)
        if arg in options:
            default, values = options[arg]
            following = args[index + 1] if index + 1 < len(args) else None
            if following not in values:
                filled.append(default)
    return filled


def command_name(args: Sequence[str]) -> str | None:
    """The command the arguments run: the first word that is not a global option or its value
    (``hacalc --lang zh -q incidents …`` runs ``incidents``, not ``zh``); None before a ``--`` or without one."""
    taking_value = False
    for arg in args:
        if arg == "--":
            return None
        if taking_value:
            taking_value = False
        elif arg in GLOBAL_OPTIONS_WITH_VALUE:
            taking_value = True
        elif not arg.startswith("-"):
            return arg
    return None


def _discard_unwritten_output() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of what could not be written stays silent."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        pass


def _translate_typer_words(arguments: list[str]) -> None:
    """Typer's panel titles and ``[default: …]`` in this run's language; rich is imported only for help."""
    if "typer.rich_utils" not in sys.modules and (i18n.language() == i18n.ENGLISH or not _asks_for_help(arguments)):
        return
    from typer import rich_utils

    for name, text in TYPER_WORDS.items():
        setattr(rich_utils, name, _(text))


def _asks_for_help(arguments: list[str]) -> bool:
    """Whether help will be drawn: asked for, or a bare command group (which shows its help)."""
    return not arguments or "-h" in arguments or "--help" in arguments or arguments[-1] in ("cluster",)


def _global_flags() -> list[TyperOption]:
    """-q, --no-color and --lang after the command name too (``hacalc nines -q``), as people type them."""
    panel = _(GLOBAL_OPTIONS)
    return [
        TyperOption(param_decls=["--quiet", "-q"], is_flag=True, expose_value=False, callback=_quiet, help=_("No warnings on stderr."), rich_help_panel=panel),
        TyperOption(param_decls=["--no-color"], is_flag=True, expose_value=False, callback=_no_color, help=_("No colour, as with NO_COLOR=1."), rich_help_panel=panel),
        TyperOption(param_decls=["--lang"], type=Language, expose_value=False, callback=_lang, metavar="en|zh", help=_(LANG_HELP), rich_help_panel=panel),
    ]


def _quiet(ctx: Any, _param: Any, value: bool) -> None:
    if value and isinstance(ctx.obj, Environment):
        ctx.obj.quiet = True


def _no_color(ctx: Any, _param: Any, value: bool) -> None:
    if value and isinstance(ctx.obj, Environment):
        ctx.obj.color = False


def _lang(_ctx: Any, _param: Any, value: Language | None) -> None:
    if value is not None:
        i18n.set_language(value.value)


def _usage_message(error: click_exceptions.UsageError) -> str:
    message = error.format_message().rstrip(".").replace("\n", " ")
    command = error.ctx.command_path if error.ctx else "hacalc"
    return _("{message}, in '{command}', see '{command} --help'").format(message=message, command=command)


class Language(str, Enum):
    en = "en"
    zh = "zh"


LANG_HELP = N_("Language of tables, messages and help: en or zh (Simplified Chinese); default from LC_ALL, LC_MESSAGES or LANG.")

app = typer.Typer(
    cls=HacalcGroup,
    name="hacalc",
    help=_("Availability calculator for virtualized clusters and the services on them."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        Environment.from_os().stdout.write(f"hacalc {__version__}\n")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=_("No warnings on stderr (data and errors still appear)."))] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help=_("No colour, as with NO_COLOR=1."))] = False,
    lang: Annotated[Optional[Language], typer.Option("--lang", metavar="en|zh", help=_(LANG_HELP), show_default=False)] = None,
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_show_version, is_eager=True, help=_("Print the version and exit."))
    ] = None,
) -> None:
    """Availability calculator for virtualized clusters and the services on them.

    Exit status: 0 success or gate passed, 1 gate failed (--check), 2 bad usage or bad input.
    """
    ctx.obj = Environment.from_os(quiet=quiet, no_color=no_color)

