"""``hacalc cluster collect``, and the vCenter options ``cluster check --server`` shares with it.

Passwords come from an environment variable or a prompt without echo, never from the command line, and
appear in no message. TLS certificates are verified unless ``--insecure`` is given.
"""

from __future__ import annotations

import os
import re
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, TextIO

import typer

from hacalc import __version__
from hacalc.core.errors import InputError
from hacalc.i18n import _

if TYPE_CHECKING:
    from hacalc.cli.env import Environment
    from hacalc.collect.vcenter import Connection
    from hacalc.core.vsphere.inventory import Inventory
    from hacalc.core.warnings import DataWarning

DEFAULT_PASSWORD_ENV = "HACALC_VCENTER_PASSWORD"
USER_ENV = "HACALC_VCENTER_USER"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VCENTER = "vCenter"

ServerOption = Annotated[
    str,
    typer.Option("--server", metavar="HOST", help=_("vCenter: a host name, host:port or https://host/sdk."), show_default=False, rich_help_panel=_VCENTER),
]
UserOption = Annotated[
    Optional[str],
    typer.Option("--user", envvar=USER_ENV, help=_("vCenter user, e.g. readonly@vsphere.local (or {user_env}).").format(user_env=USER_ENV), show_default=False, rich_help_panel=_VCENTER),
]
PasswordEnvOption = Annotated[
    str,
    typer.Option(
        "--password-env",
        metavar="VAR",
        help=_("Environment variable holding the password; when unset at a terminal, hacalc asks without echo."),
        rich_help_panel=_VCENTER,
    ),
]
InsecureOption = Annotated[bool, typer.Option("--insecure", help=_("Skip TLS certificate verification (a self-signed certificate)."), rich_help_panel=_VCENTER)]
TimeoutOption = Annotated[float, typer.Option("--timeout", metavar="SECONDS", min=1, help=_("Give up on a silent vCenter after this long."), rich_help_panel=_VCENTER)]
ClusterOption = Annotated[
    Optional[list[str]],
    typer.Option("--cluster", "-c", metavar="GLOB", help=_("Only the clusters whose names match (repeatable; glob patterns such as 'prod-*')."), show_default=False),
]


class SnapshotFormat(str, Enum):
    toml = "toml"
    json = "json"


def connection_from_options(server: str, user: str | None, password_env: str, insecure: bool, timeout: float, stdin: TextIO) -> Connection:
    """The vCenter connection the options describe, with the password from the environment or a prompt."""
    from hacalc.collect.vcenter import Connection, parse_server

    endpoint = parse_server(server)  # a bad --server fails before anyone is asked for a password
    if not user or not user.strip():
        raise InputError(_("no vCenter user"), "--user", _("give --user NAME or set {variable}").format(variable=USER_ENV))
    password = read_password(password_env, user, endpoint.name, stdin)
    return Connection(server=server, user=user.strip(), password=password, insecure=insecure, timeout=timeout)


def read_password(variable: str, user: str, server: str, stdin: TextIO) -> str:
    """The password from ``variable``, else from a prompt at a terminal; its value is never shown."""
    if not _ENV_NAME.fullmatch(variable):
        raise InputError(_("--password-env takes the name of an environment variable, not a password"), "--password-env", _("export the password, e.g. as {variable}").format(variable=DEFAULT_PASSWORD_ENV))
    named = variable if variable == DEFAULT_PASSWORD_ENV else _("the variable --password-env names")
    value = os.environ.get(variable)
    if value:
        return value
    if value == "":
        raise InputError(_("{named} is empty").format(named=named), "--password-env", _("export the vCenter password in it"))
    if _isatty(stdin):
        try:
            import getpass  # only when a person is asked: cluster check's start-up does not pay for it

            prompted = getpass.getpass(_("Password for {user} on {server}: ").format(user=user, server=server))
        except EOFError:
            prompted = ""
        if prompted:
            return prompted
        raise InputError(_("no password was typed"), "--password-env", _("type the password, or export {variable}").format(variable=DEFAULT_PASSWORD_ENV))
    raise InputError(_("no vCenter password: {named} is not set").format(named=named), "--password-env", _("export {variable}, or run at a terminal to be asked").format(variable=DEFAULT_PASSWORD_ENV))


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def collect_from_options(
    env: Environment, server: str, user: str | None, password_env: str, insecure: bool, timeout: float, clusters: list[str] | None
) -> tuple[Inventory, dict[str, str]]:
    """Collect, warn about what the data lacked, and return the inventory with its snapshot table."""
    from hacalc.collect.vcenter import collect_inventory

    connection = connection_from_options(server, user, password_env, insecure, timeout, env.stdin)
    inventory = collect_inventory(connection, clusters or ())
    warn_inventory(env, inventory)
    return inventory, snapshot_table(inventory)


def snapshot_table(inventory: Inventory) -> dict[str, str]:
    """The fleet file's ``[snapshot]``: where and when, so a committed snapshot says what it shows."""
    facts = inventory.facts
    table = {
        "source": "vcenter",
        "server": facts.get("server", ""),
        "collected_at": _now_utc(),
        "hacalc_version": __version__,
    }
    table.update({key: facts[key] for key in ("vcenter_version", "vcenter_build") if key in facts})
    return table


def _now_utc() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def warn_inventory(env: Environment, inventory: Inventory) -> None:
    for warning in inventory.warnings:
        env.warn(describe_warning(warning))
    for item in inventory.clusters:
        for warning in item.warnings:
            env.warn(f"{item.name}: {describe_warning(warning)}")


def describe_warning(warning: DataWarning) -> str:
    """``message (3: a, b, c)``; ``, …`` when more than the examples are affected."""
    if not warning.examples:
        return warning.message if warning.count <= 1 else f"{warning.message} ({warning.count})"
    more = ", …" if warning.count > len(warning.examples) else ""
    return f"{warning.message} ({warning.count}: {', '.join(warning.examples)}{more})"


def collect(
    ctx: typer.Context,
    server: ServerOption,
    user: UserOption = None,
    password_env: PasswordEnvOption = DEFAULT_PASSWORD_ENV,
    insecure: InsecureOption = False,
    timeout: TimeoutOption = 30.0,
    clusters: ClusterOption = None,
    output: Annotated[
        Optional[str], typer.Option("--output", "-o", metavar="FILE", help=_("Write the snapshot here (default stdout); .json writes JSON."), show_default=False)
    ] = None,
    output_format: Annotated[
        Optional[SnapshotFormat],
        typer.Option("--format", "-f", case_sensitive=False, help=_("toml (default) or json; default from the -o extension."), show_default=False),
    ] = None,
) -> None:
    """Read clusters, hosts, VMs and HA settings from vCenter into a fleet scenario file.

    The snapshot is an ordinary scenario file: commit it, diff it, check it later with
    `hacalc cluster check FILE`. Warnings say what vCenter did not give (usable capacity, overhead).

    Example:

        HACALC_VCENTER_PASSWORD=... hacalc cluster collect --server vc.example.com --user readonly@vsphere.local -o prod.toml
    """
    from hacalc.readers.fleet import dump_fleet

    env = ctx.obj
    chosen = output_format or (SnapshotFormat.json if output and output.lower().endswith(".json") else SnapshotFormat.toml)
    inventory, snapshot = collect_from_options(env, server, user, password_env, insecure, timeout, clusters)
    text = dump_fleet(inventory, chosen.value, snapshot)
    if output is None or output == "-":
        env.stdout.write(text)
    else:
        write_file(output, text)


def write_file(name: str, text: str) -> None:
    """All or nothing: a failed write never leaves half a snapshot where the last good one was."""
    import tempfile

    path = Path(name)
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
            temporary = Path(handle.name)
            handle.write(text)
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise InputError(_("cannot write {name} ({reason})").format(name=name, reason=error.strerror or error), "-o", _("give a file in a directory you can write")) from None
