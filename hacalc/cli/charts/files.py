"""Charts as SVG or PNG files, through matplotlib (the ``plot`` extra), imported only when a file is asked for.

Files are reproducible: no date, no matplotlib version, a fixed hash salt for the SVG's ids, text kept as
text (``svg.fonttype`` none), so a committed chart changes only when its numbers do.

Their words are English in every language: no CJK font is found where hacalc is built, and matplotlib would
draw each Chinese character as an empty box (docs/language.md). A chart's words are ``Message``s, which *are*
their English text; this module draws them as they are and never passes them through ``_()``, as the terminal
chart does. Only its errors, which people read on the terminal, are translated.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import Any

from hacalc.cli.charts import scales
from hacalc.cli.charts.model import Axis, BarChart, Chart, LineChart
from hacalc.cli.charts.terminal import _marked
from hacalc.core.errors import InputError
from hacalc.i18n import _

INSTALL = "pip install 'hacalc[plot]'"
MARKERS = "o^sDv*"
RC = {"svg.hashsalt": "hacalc", "svg.fonttype": "none", "font.size": 9}
METADATA = {".svg": {"Date": None, "Creator": None}, ".png": {"Software": None}}
WIDTH_INCHES = 9.0


def matplotlib_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


def require_matplotlib(name: str) -> None:
    """Refuse a file chart up front, before any output, when matplotlib is not installed."""
    if not matplotlib_installed():
        raise InputError(_("writing a chart file needs matplotlib, which is not installed"), f"--plot {name}", _("install it with {command}").format(command=INSTALL))


def save(chart: Chart, path: Path) -> None:
    """Draw ``chart`` and write it to ``path`` whole (SVG or PNG, by its suffix)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(WIDTH_INCHES, _height(chart)), layout="constrained")
        if isinstance(chart, LineChart):
            _draw_lines(figure, chart)
        else:
            _draw_bars(figure, chart)
        buffer = io.BytesIO()
        suffix = path.suffix.lower()
        figure.savefig(buffer, format=suffix[1:], metadata=METADATA[suffix], dpi=100)
    try:
        path.write_bytes(buffer.getvalue())
    except OSError as error:
        raise InputError(_("cannot write {name} ({reason})").format(name=path, reason=error.strerror or error), "--plot", _("give a file in a directory you can write")) from None


def _height(chart: Chart) -> float:
    if isinstance(chart, LineChart):
        return 5.5
    bars = sum(len(group.bars) for group in chart.groups)
    return 1.6 + 0.9 * len(chart.groups) + 0.32 * bars


def _title(chart: Chart) -> str:
    return "\n".join(textwrap.wrap(chart.title, 90))


def _subtitle(chart: Chart) -> str:
    return "\n".join(textwrap.wrap(" ".join((chart.subtitle, *chart.notes)), 120))


def _axis(axis: Axis, setter: Any, limits: Any, scale: Any, values: list[float]) -> None:
    """The same range, ticks and tick labels as the text chart."""
    if axis.log:
        scale("log")
    low, high = scales.span(axis, values)
    limits(low, high)
    ticks = scales.ticks(axis, low, high, 8)
    setter(ticks, [scales.text(axis.scale, tick) for tick in ticks])


def _draw_lines(figure: Any, chart: LineChart) -> None:
    ax = figure.subplots()
    figure.suptitle(_title(chart), fontweight="bold")
    ax.set_title(_subtitle(chart), fontsize=8, loc="left")
    for index, series in enumerate(chart.series):
        xs = [x for x, _ in series.points]
        ys = [y for _, y in series.points]
        (line,) = ax.plot(
            xs, ys, marker=MARKERS[index % len(MARKERS)] if _marked(series) else None, linestyle="-" if series.joined else "none", color=f"C{index}", label=series.label
        )
        line.set_gid(f"series-{index}")
        for label, x, y in zip(series.point_labels, xs, ys):
            ax.annotate(label, (x, y), textcoords="offset points", xytext=(5, 4), fontsize=7, color=f"C{index}").set_gid(f"label-{index}")
    for index, rule in enumerate(chart.rules):
        draw = ax.axvline if rule.vertical else ax.axhline
        draw(rule.value, linestyle="--" if rule.emphasis else ":", color="C3" if rule.emphasis else "0.5", linewidth=1.2, label=rule.label).set_gid(f"rule-{index}")
    if chart.highlight is not None:
        label, x, y = chart.highlight
        (ring,) = ax.plot([x], [y], marker="o", markersize=15, markerfacecolor="none", markeredgewidth=2, color="C2", linestyle="none", label=label)
        ring.set_gid("highlight")
    xs = [x for series in chart.series for x, _ in series.points] + [rule.value for rule in chart.rules if rule.vertical]
    ys = [y for series in chart.series for _, y in series.points] + [rule.value for rule in chart.rules if not rule.vertical]
    _axis(chart.x, ax.set_xticks, ax.set_xlim, ax.set_xscale, xs)
    _axis(chart.y, ax.set_yticks, ax.set_ylim, ax.set_yscale, ys)
    ax.minorticks_off()
    ax.set_xlabel(chart.x.label)
    ax.set_ylabel(chart.y.label)
    ax.grid(True, color="0.9")
    ax.legend(fontsize=8, loc="best")


def _draw_bars(figure: Any, chart: BarChart) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    figure.suptitle(_title(chart), fontweight="bold")
    axes = figure.subplots(len(chart.groups), 1, squeeze=False, height_ratios=[len(group.bars) + 1 for group in chart.groups])[:, 0]
    for number, (ax, group) in enumerate(zip(axes, chart.groups)):
        if number == 0:
            ax.set_title(_subtitle(chart), fontsize=8, loc="left")
        positions = list(range(len(group.bars)))[::-1]  # the first bar on top, as in the text chart
        left = [0.0] * len(group.bars)
        for index, part in enumerate(chart.parts):
            values = [bar.parts[index] for bar in group.bars]
            hatches = ["//" if bar.flagged else "" for bar in group.bars]
            container = ax.barh(positions, values, left=left, color=f"C{index}", hatch=hatches, edgecolor="white", label=part)
            for row, patch in enumerate(container):
                patch.set_gid(f"bar-{number}-{row}-{index}")  # group, bar, part: what the tests find
            left = [start + value for start, value in zip(left, values)]
        limits = [(position, bar.limit) for position, bar in zip(positions, group.bars) if bar.limit is not None]
        if limits:
            ax.vlines([limit for _, limit in limits], [p - 0.42 for p, _ in limits], [p + 0.42 for p, _ in limits], color="black", linewidth=2.5).set_gid(f"limits-{number}")
        ax.set_yticks(positions, [bar.label + (f"  ({bar.note})" if bar.note else "") for bar in group.bars])
        for tick, bar in zip(ax.get_yticklabels(), group.bars):
            if bar.flagged:
                tick.set_color("C3")
        values = [*left, *(limit for _, limit in limits)]
        _axis(group.axis, ax.set_xticks, ax.set_xlim, ax.set_xscale, [0.0, *values])
        ax.set_xlabel(group.axis.label)
        ax.grid(True, axis="x", color="0.9")
        ax.set_axisbelow(True)
    handles = [Patch(color=f"C{index}", label=part) for index, part in enumerate(chart.parts)]
    if chart.limit:
        handles.append(Line2D([], [], color="black", linewidth=2.5, label=chart.limit))
    if chart.flagged:
        handles.append(Patch(facecolor="white", edgecolor="C3", hatch="//", label=chart.flagged))
    figure.legend(handles=handles, fontsize=8, loc="outside lower center", ncols=len(handles))
