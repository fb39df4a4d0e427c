"""Charts as text below the table: braille curves and block bars, sized to the terminal (or ``COLUMNS``).

Series differ by their mark (● ▲ ■ …) as well as their colour, so a chart without colour reads the same.
Its words are said in the language of the run (``figures`` builds them as ``Message``s) and measured in
terminal cells, so a Chinese label, two cells a character, lines up and wraps like an English one.
"""

from __future__ import annotations

import math
from itertools import groupby
from typing import TYPE_CHECKING

from rich.cells import cell_len, chop_cells

from hacalc.cli.charts import scales
from hacalc.cli.charts.model import Axis, BarChart, Chart, LineChart, Series
from hacalc.cli.env import PIPE_WIDTH
from hacalc.i18n import Message, _

if TYPE_CHECKING:
    from rich.text import Text

    from hacalc.cli.env import Environment

PIPED_WIDTH = 80  # piped without COLUMNS: a chart as wide as the 200-column tables reads no better
PLOT_ROWS = 14
MARKS = "●▲■◆▼○"
COLOURS = ("cyan", "magenta", "yellow", "green", "blue", "bright_red")
HIGHLIGHT = "★"
MOST_MARKS = 12
PART_BLOCKS = "█▓▒"
FREE = "░"
LIMIT = "┃"
CLOSING_PUNCTUATION = frozenset("，。、；：！？）」』》")
_BRAILLE_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [dot row][dot column]


def show(env: Environment, chart: Chart) -> None:
    from rich.text import Text

    console = env.console()
    width = PIPED_WIDTH if env.width == PIPE_WIDTH else console.width
    lines = draw_lines(chart, width) if isinstance(chart, LineChart) else draw_bars(chart, width)
    console.print(Text("\n").join(line.rstrip() or line for line in lines), no_wrap=True, crop=False)


def _said(text: str) -> str:
    """A chart's word in the language of the run; a name or a number (not a ``Message``) as it is."""
    return _(text) if isinstance(text, Message) else text


def _padded(text: str, width: int) -> str:
    """``text`` filled with spaces to ``width`` terminal cells (``str.ljust`` counts characters)."""
    return text + " " * max(0, width - cell_len(text))


def _heading(chart: Chart, width: int) -> list[Text]:
    return [*_wrapped("", "", width), *_wrapped(_said(chart.title), "bold", width), *_wrapped(_said(chart.subtitle), "dim", width)]


def _wrapped(text: str, style: str, width: int) -> list[Text]:
    """Prose lines at the chart's width, so no line of a chart runs past it."""
    from rich.text import Text

    return [Text(line, style=style) for line in wrap_cells(text, width)] or [Text("")]


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal cells. Narrow text is wrapped at spaces by ``textwrap``
    as it always was; Chinese, which has no spaces, may also break before or after any of its characters."""
    if cell_len(text) == len(text):
        import textwrap

        return textwrap.wrap(text, width)
    lines: list[str] = []
    for word in text.split():
        for index, piece in enumerate(_pieces(word)):
            joined = lines[-1] + (" " if index == 0 else "") + piece if lines else None
            if joined is not None and cell_len(joined) <= width:
                lines[-1] = joined
            else:
                lines.extend(chop_cells(piece, width))
    return lines


def _pieces(word: str) -> list[str]:
    """What of a word may not be broken: a run of narrow characters, or one wide character, with the closing
    punctuation after it (a line never starts with ）or ，)."""
    pieces: list[str] = []
    for wide, run in groupby(word, key=lambda character: cell_len(character) > 1):
        for piece in run if wide else ["".join(run)]:
            if pieces and piece in CLOSING_PUNCTUATION:
                pieces[-1] += piece
            else:
                pieces.append(piece)
    return pieces


# --- curves -------------------------------------------------------------------------------------------


class _Mapping:
    """Data values to braille dot positions along one axis (0 is left, or top for y)."""

    def __init__(self, axis: Axis, low: float, high: float, dots: int, upward: bool) -> None:
        self.axis, self.dots, self.upward = axis, dots, upward
        self.low, self.high = self._scaled(low), self._scaled(high)

    def _scaled(self, value: float) -> float:
        return math.log10(value) if self.axis.log else value

    def dot(self, value: float) -> int | None:
        if self.axis.log and value <= 0:
            return None
        share = (self._scaled(value) - self.low) / ((self.high - self.low) or 1.0)
        if not -1e-9 <= share <= 1 + 1e-9:
            return None
        position = round(min(max(share, 0.0), 1.0) * (self.dots - 1))
        return self.dots - 1 - position if self.upward else position


def draw_lines(chart: LineChart, width: int) -> list[Text]:
    from rich.text import Text

    xs = [x for series in chart.series for x, _ in series.points] + [rule.value for rule in chart.rules if rule.vertical]
    ys = [y for series in chart.series for _, y in series.points] + [rule.value for rule in chart.rules if not rule.vertical]
    x_low, x_high = scales.span(chart.x, xs)
    y_low, y_high = scales.span(chart.y, ys)
    y_ticks = scales.ticks(chart.y, y_low, y_high, PLOT_ROWS // 3)
    y_labels = {tick: scales.text(chart.y.scale, tick) for tick in y_ticks}
    margin = max(map(cell_len, y_labels.values()), default=0) + 1
    columns = max(20, width - margin - 2)
    x_map = _Mapping(chart.x, x_low, x_high, columns * 2, upward=False)
    y_map = _Mapping(chart.y, y_low, y_high, PLOT_ROWS * 4, upward=True)

    bits = [[0] * columns for _ in range(PLOT_ROWS)]
    owner: dict[tuple[int, int], str] = {}
    marks: dict[tuple[int, int], tuple[str, str]] = {}
    for rule in chart.rules:
        _rule(rule, x_map, y_map, columns, marks)
    for index, series in enumerate(chart.series):
        colour = COLOURS[index % len(COLOURS)]
        dots = [(x_map.dot(x), y_map.dot(y)) for x, y in series.points]
        dots = [(column, row) for column, row in dots if column is not None and row is not None]
        if series.joined:
            for start, end in zip(dots, dots[1:]):
                for column, row in _segment(start, end):
                    bits[row // 4][column // 2] |= _BRAILLE_BITS[row % 4][column % 2]
                    owner[(row // 4, column // 2)] = colour
        if _marked(series):
            for column, row in dots:
                marks[(row // 4, column // 2)] = (MARKS[index % len(MARKS)], colour)
    if chart.highlight is not None:
        _label, x, y = chart.highlight
        column, row = x_map.dot(x), y_map.dot(y)
        if column is not None and row is not None:
            marks[(row // 4, column // 2)] = (HIGHLIGHT, "bold bright_green")

    lines = _heading(chart, width)
    lines.append(Text(f"{_said(chart.y.label)} ↑", style="bold"))
    tick_rows = {}
    for tick, label in y_labels.items():
        row = y_map.dot(tick)
        if row is not None:
            tick_rows[row // 4] = label
    for row in range(PLOT_ROWS):
        label = tick_rows.get(row, "")
        line = Text(" " * (margin - 1 - cell_len(label)) + label + (" ┤" if row in tick_rows else " │"))
        for column in range(columns):
            if (row, column) in marks:
                glyph, style = marks[(row, column)]
                line.append(glyph, style=style)
            elif bits[row][column]:
                line.append(chr(0x2800 + bits[row][column]), style=owner.get((row, column), ""))
            else:
                line.append(" ")
        lines.append(line)
    lines.extend(_x_axis(chart.x, x_map, x_low, x_high, margin, columns))
    lines.extend(_legend(chart, width))
    lines.extend(line for note in chart.notes for line in _wrapped(_said(note), "", width))
    return lines


def _marked(series: Series) -> bool:
    """Options and targets get a mark each; a long curve (a distribution) is its line."""
    return not series.joined or len(series.points) <= MOST_MARKS


def _rule(rule, x_map: _Mapping, y_map: _Mapping, columns: int, marks: dict) -> None:
    style = "red" if rule.emphasis else "dim"
    if rule.vertical:
        column = x_map.dot(rule.value)
        if column is not None:
            for row in range(PLOT_ROWS):
                marks[(row, column // 2)] = ("│" if rule.emphasis else "┆", style)
    else:
        row = y_map.dot(rule.value)
        if row is not None:
            for column in range(columns):
                marks.setdefault((row // 4, column), ("─" if rule.emphasis else "┄", style))


def _segment(start: tuple[int, int], end: tuple[int, int]) -> list[tuple[int, int]]:
    """The dots of a straight line between two dots (Bresenham)."""
    (x0, y0), (x1, y1) = start, end
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    step_x, step_y = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    error = dx + dy
    dots = []
    while True:
        dots.append((x0, y0))
        if (x0, y0) == (x1, y1):
            return dots
        doubled = 2 * error
        if doubled >= dy:
            error += dy
            x0 += step_x
        if doubled <= dx:
            error += dx
            y0 += step_y


def _x_axis(axis: Axis, x_map: _Mapping, low: float, high: float, margin: int, columns: int) -> list[Text]:
    from rich.text import Text

    rule = ["─"] * columns
    labels = [" "] * (columns + margin + 12)  # one character a cell: tick labels are numbers and durations
    free_from = 0
    for tick in scales.ticks(axis, low, high, max(2, columns // 14)):
        dot = x_map.dot(tick)
        if dot is None:
            continue
        column = dot // 2
        rule[column] = "┬"
        label = scales.text(axis.scale, tick)
        start = max(margin + 1 + column - len(label) // 2, free_from)
        if start + len(label) <= len(labels):
            labels[start : start + len(label)] = label
            free_from = start + len(label) + 2
    return [
        Text(" " * (margin - 1) + " └" + "".join(rule)),
        Text("".join(labels).rstrip()),
        Text(" " * (margin + 1) + f"{_said(axis.label)} →", style="bold"),
    ]


def _legend(chart: LineChart, width: int) -> list[Text]:
    entries = []
    for index, series in enumerate(chart.series):
        entries.append(_entry(MARKS[index % len(MARKS)] if _marked(series) else "⠤⠤", COLOURS[index % len(COLOURS)], series.label))
    for rule in chart.rules:
        glyph = ("│" if rule.emphasis else "┆") if rule.vertical else ("─" if rule.emphasis else "┄")
        entries.append(_entry(glyph, "red" if rule.emphasis else "dim", rule.label))
    if chart.highlight is not None:
        entries.append(_entry(HIGHLIGHT, "bold bright_green", chart.highlight[0]))
    return _packed(entries, width)


def _entry(glyph: str, style: str, label: str) -> Text:
    from rich.text import Text

    entry = Text(glyph, style=style)
    entry.append(f" {_said(label)}")
    return entry


def _packed(entries: list[Text], width: int) -> list[Text]:
    """Legend entries side by side, as many as fit a line; an entry is never split."""
    from rich.text import Text

    lines: list[Text] = []
    for entry in entries:
        if lines and lines[-1].cell_len + 3 + entry.cell_len <= width:
            lines[-1].append("   ")
            lines[-1].append_text(entry)
        else:
            lines.append(entry.copy())
    return lines


# --- bars ---------------------------------------------------------------------------------------------


def draw_bars(chart: BarChart, width: int) -> list[Text]:
    from rich.text import Text

    lines = _heading(chart, width)
    label_width = max((cell_len(bar.label) for group in chart.groups for bar in group.bars), default=0)
    for group in chart.groups:
        values = [_value_text(group.axis, bar) for bar in group.bars]
        columns = max(10, width - label_width - max(map(cell_len, values), default=0) - 3)
        most = max((max(sum(bar.parts), bar.limit or 0.0) for bar in group.bars), default=0.0) or 1.0
        lines.append(Text(_said(group.axis.label), style="bold"))
        for bar, value in zip(group.bars, values):
            line = Text(_padded(bar.label, label_width) + " ", style="bold red" if bar.flagged else "")
            line.append_text(_bar(bar, columns, most))
            line.append(" " + value, style="red" if bar.flagged else "")
            lines.append(line)
    entries = [_entry(PART_BLOCKS[index % len(PART_BLOCKS)], COLOURS[index % len(COLOURS)], part) for index, part in enumerate(chart.parts)]
    entries.append(_entry(FREE, "dim", _("room left")))
    if chart.limit:
        entries.append(_entry(LIMIT, "bold", chart.limit))
    if chart.flagged:
        entries.append(Text(_("red: {meaning}").format(meaning=_said(chart.flagged)), style="red"))
    lines.extend(_packed(entries, width))
    lines.extend(line for note in chart.notes for line in _wrapped(_said(note), "", width))
    return lines


def _bar(bar, columns: int, most: float) -> Text:
    from rich.text import Text

    cells: list[tuple[str, str]] = []
    total = 0.0
    for index, part in enumerate(bar.parts):
        total += part
        end = round(total / most * columns)
        cells += [(PART_BLOCKS[index % len(PART_BLOCKS)], COLOURS[index % len(COLOURS)])] * (end - len(cells))
    if bar.limit is not None:
        limit = round(bar.limit / most * columns)
        cells += [(FREE, "dim")] * (limit - len(cells))
        cells.insert(limit, (LIMIT, "bold"))
    text = Text()
    for glyph, style in cells:
        text.append(glyph, style=style)
    text.append(" " * max(0, columns + 1 - len(cells)))
    return text


def _value_text(axis: Axis, bar) -> str:
    """The numbers behind the bar: its parts, and its limit after a slash (9,216 + 4,096 / 16,384)."""
    parts = " + ".join(scales.text(axis.scale, part) for part in bar.parts)
    limit = "" if bar.limit is None else f" / {scales.text(axis.scale, bar.limit)}"
    return f"{parts}{limit}" + (f"  {_said(bar.note)}" if bar.note else "")
