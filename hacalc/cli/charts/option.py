"""The ``--plot`` option: its value, what it asks for, and the one place a chart is drawn from a command.

Imported by every charted command at start-up, so it imports nothing heavy: the chart modules are loaded
only when a chart is asked for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from hacalc.core.errors import InputError
from hacalc.i18n import _

if TYPE_CHECKING:
    from hacalc.cli.env import Environment

TERMINAL = "terminal"  # what a bare --plot stands for
FILE_SUFFIXES = (".svg", ".png")


class PlotValues:
    """The words ``--plot`` takes as its value (for ``app.OPTIONAL_VALUES``): ``terminal`` or a file name with a
    suffix. Anything else after ``--plot`` (a target such as 99.95, a bare word) is left to the command."""

    def __contains__(self, text: object) -> bool:
        if not isinstance(text, str) or text.startswith("-"):
            return False
        stem, dot, suffix = text.rpartition(".")
        return text == TERMINAL or bool(stem and dot and suffix[:1].isalpha() and suffix.isalnum())


PLOT_OPTIONAL_VALUE = {"--plot": (TERMINAL, PlotValues())}

PlotOption = Annotated[
    Optional[str],
    typer.Option(
        "--plot",
        metavar="[FILE.svg|FILE.png]",
        help=_("Draw a chart: alone, as text below the table; with a file name, into that SVG or PNG file (needs pip install 'hacalc[plot]')."),
        show_default=False,
    ),
]


class PlotRequest:
    """A chart asked for: into ``path``, or (``None``) as text below the table. A plain class: a dataclass
    costs a measurable part of a millisecond at start-up, for every command, plotting or not."""

    __slots__ = ("path",)

    def __init__(self, path: Path | None) -> None:
        self.path = path


def plot_request(value: str | None, output_format: str) -> PlotRequest | None:
    """What ``--plot`` asks for, refused before anything is computed or written when it cannot be done.

    Machine formats keep stdout pure: a text chart goes with the table only; a file goes with any format.
    """
    if value is None:
        return None
    if value == TERMINAL:
        if output_format != "table":
            raise InputError(
                _("a text chart is drawn below the table, not with --format {format}").format(format=output_format),
                "--plot",
                _("write the chart to a file instead, e.g. --plot chart.svg"),
            )
        return PlotRequest(None)
    suffix = Path(value).suffix.lower()
    if suffix not in FILE_SUFFIXES:
        raise InputError(
            _("--plot writes .svg or .png files, not {suffix}").format(suffix=suffix or _("a name without a suffix")),
            f"--plot {value}",
            _("name the file e.g. chart.svg or chart.png"),
        )
    from hacalc.cli.charts.files import require_matplotlib

    require_matplotlib(value)
    return PlotRequest(Path(value))


@contextlib.contextmanager
def plotting(env: Environment, request: PlotRequest | None, figure: str, *report: Any, texts: Callable[[], tuple[Any, ...]] = tuple) -> Iterator[None]:
    """Around a command's output: the chart is made from ``report`` and the command's ``texts()`` (its title,
    caption…) by ``figures.<figure>`` first (so a chart that cannot be drawn fails before any output), a file
    is written before the tables, text drawn after them. A file is drawn in English whatever the run speaks
    (no Chinese font can be assumed), so its texts are made in English. Nothing of the chart modules is
    imported without a request."""
    if request is None:
        yield
        return
    from hacalc.cli.charts import figures

    if request.path is not None:
        from hacalc.cli.charts.files import save
        from hacalc.i18n import english

        with english():
            chart = getattr(figures, figure)(*report, *texts())
        save(chart, request.path)
        yield
        return
    chart = getattr(figures, figure)(*report, *texts())
    yield
    from hacalc.cli.charts.terminal import show

    show(env, chart)
