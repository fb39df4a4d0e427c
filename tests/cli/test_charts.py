"""--plot: text charts below the table, SVG and PNG files, checked against the numbers the commands compute."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from contract import assert_bad_input

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
SPARES_SWEEP = ("spares", "scenarios/spares-database-pair.toml", "--sweep-spares", "0..3")
README_IMAGE = ROOT / "docs" / "images" / "spares-sweep.svg"


# --- reading an SVG back into numbers ---------------------------------------------------------------


def _texts(root: ElementTree.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def _group(root: ElementTree.Element, gid: str) -> ElementTree.Element:
    found = [element for element in root.iter(f"{SVG}g") if element.get("id") == gid]
    assert found, f"no element {gid!r}"
    return found[0]


def _marks(root: ElementTree.Element, gid: str) -> list[tuple[float, float]]:
    return [(float(use.get("x")), float(use.get("y"))) for use in _group(root, gid).iter(f"{SVG}use")]


def _ticks(root: ElementTree.Element, axis: str) -> dict[str, float]:
    """Tick label -> its pixel position along the axis (x for matplotlib.axis_1, y for axis_2)."""
    ticks = {}
    for tick in _group(root, f"matplotlib.axis_{axis}"):
        uses = list(tick.iter(f"{SVG}use"))
        texts = ["".join(text.itertext()) for text in tick.iter(f"{SVG}text")]
        if uses and texts:
            ticks[texts[0]] = float(uses[0].get("x" if axis == "1" else "y"))
    return ticks


def _value(pixel: float, ticks: dict[float, float], log: bool) -> float:
    """A pixel back to data, from two ticks whose values are known."""
    (low, low_pixel), (high, high_pixel) = sorted(ticks.items())[:1] + sorted(ticks.items())[-1:]
    scale = math.log10 if log else (lambda value: value)
    share = (pixel - low_pixel) / (high_pixel - low_pixel)
    shown = scale(low) + share * (scale(high) - scale(low))
    return 10**shown if log else shown


def _svg(path: Path) -> ElementTree.Element:
    return ElementTree.parse(path).getroot()


# --- files ------------------------------------------------------------------------------------------


def test_nines_svg_puts_each_target_where_its_yearly_downtime_is(hacalc, tmp_path):
    chart = tmp_path / "nines.svg"
    result = hacalc("nines", "99.9", "99.99", "99.999", "--plot", str(chart))
    assert result.exit_code == 0, result.stderr
    assert "99.9%" in result.stdout  # the table is still printed
    root = _svg(chart)
    texts = _texts(root)
    assert "Downtime allowed per year, by nines" in texts
    assert {"99.9", "99.99", "99.999", "downtime per year"} <= set(texts)
    assert any(text.startswith("Conventions: year = 365 d") for text in texts)
    y_ticks = {3600.0 if label == "1h" else 60.0 if label == "1m" else 600.0 if label == "10m" else 21600.0: pixel
               for label, pixel in _ticks(root, "2").items() if label in ("1m", "10m", "1h", "6h")}  # fmt: skip
    x_ticks = {float(label): pixel for label, pixel in _ticks(root, "1").items()}
    marks = _marks(root, "series-0")
    assert len(marks) == 3
    for (x, y), (nines, seconds) in zip(marks, [(3, 31536), (4, 3153.6), (5, 315.36)]):
        assert _value(x, x_ticks, log=False) == pytest.approx(nines, abs=0.01)
        assert _value(y, y_ticks, log=True) == pytest.approx(seconds, rel=0.01)


def test_spares_svg_marks_every_option_the_target_and_the_recommendation(hacalc, tmp_path):
    chart = tmp_path / "sweep.svg"
    table = json.loads(hacalc(*SPARES_SWEEP, "--format", "json").stdout)
    result = hacalc(*SPARES_SWEEP, "--plot", str(chart))
    assert result.exit_code == 0, result.stderr
    root = _svg(chart)
    texts = _texts(root)
    assert {"no spare", "hot (1, 2, 3 spares)", "warm (1, 2, 3 spares)", "cold (1, 2, 3 spares)"} <= set(texts)
    assert "recommended: warm spare" in texts and "target 99.95% (4h 22m 48s a year)" in texts
    assert "annual cost (spares + downtime, in the prices' unit)" in texts
    ticks = _ticks(root, "1")
    x_ticks = {float(label.replace(",", "")): pixel for label, pixel in ticks.items()}
    sweep = {(row["spare"], row["spares"]): row for row in table["sweep"]}
    for index, kind in enumerate(("none", "hot", "warm", "cold")):
        marks = _marks(root, f"series-{index}")
        counts = [0] if kind == "none" else [1, 2, 3]
        assert len(marks) == len(counts)
        for (x, _), count in zip(marks, counts):
            assert _value(x, x_ticks, log=False) == pytest.approx(sweep[(kind, count)]["annual_cost"], rel=0.01)
    # the target line: options that meet 99.95 % are drawn below it (SVG y grows downwards), the others above
    target_y = [float(y) for path in _group(root, "rule-0").iter(f"{SVG}path") for y in re.findall(r"[ML] [\d.]+ ([\d.]+)", path.get("d"))]
    assert len(set(target_y)) == 1
    for index, kind in enumerate(("none", "hot", "warm", "cold")):
        for (_, y), count in zip(_marks(root, f"series-{index}"), [0] if kind == "none" else [1, 2, 3]):
            meets = sweep[(kind, count)]["availability"] >= 0.9995
            assert (y > target_y[0]) == meets, (kind, count)
    assert _marks(root, "highlight") == [_marks(root, "series-2")[0]]  # warm, 1 spare: the table's recommendation
    assert table["recommended"] == "warm"


def test_risk_png_is_a_png_of_the_figure_size(hacalc, tmp_path):
    chart = tmp_path / "risk.png"
    result = hacalc("risk", "--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--plot", str(chart))
    assert result.exit_code == 0, result.stderr
    data = chart.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (900, 550)  # 9 x 5.5 inches at 100 dpi


def test_risk_svg_draws_the_distribution_through_the_breach_probability(hacalc, tmp_path):
    chart = tmp_path / "risk.svg"
    report = json.loads(hacalc("risk", "--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--format", "json").stdout)
    result = hacalc("risk", "--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--plot", str(chart), "--format", "json")
    assert json.loads(result.stdout) == report  # a file chart leaves JSON on stdout untouched
    texts = _texts(_svg(chart))
    assert f"budget 43m 12s: P(breach) {report['breach_probability']['value']:.3g}" in texts
    assert {"P50 0s", "P90 5h 16m 58s", "P99 16h 0m 57s", "P(downtime > x)"} <= set(texts)


def test_cluster_svg_has_a_bar_per_host_and_resource_with_the_failed_host_named(hacalc, tmp_path):
    chart = tmp_path / "cluster.svg"
    result = hacalc("cluster", "check", "scenarios/cluster-unbalanced.toml", "--plot", str(chart))
    assert result.exit_code == 0, result.stderr
    root = _svg(chart)
    texts = _texts(root)
    assert {"ESXi-01", "ESXi-02", "ESXi-03  (failed)", "memory (MB)", "CPU (MHz)", "restarted onto it", "capacity"} <= set(texts)
    widths = {gid: float(rect.get("width", 0)) for gid in [f"bar-0-{row}-{part}" for row in range(3) for part in range(2)]
              for rect in [_bar_path(root, gid)]}  # fmt: skip
    assert widths["bar-0-0-1"] == pytest.approx(widths["bar-0-2-0"] * 16384 / 20480, rel=0.01)  # ESXi-01 takes 16 GB of ESXi-03's 20


def _bar_path(root: ElementTree.Element, gid: str) -> ElementTree.Element:
    """A bar as a rectangle: its path's width in pixels, from the x coordinates of its corners."""
    path = next(_group(root, gid).iter(f"{SVG}path"))
    xs = [float(x) for x in re.findall(r"[ML] ([\d.]+) [\d.]+", path.get("d"))]
    return ElementTree.Element("rect", width=str(max(xs) - min(xs)))


def test_readme_chart_is_the_commands_output(hacalc, tmp_path):
    """docs/images/spares-sweep.svg is what the command draws today (regenerate it with the command below)."""
    fresh = tmp_path / "spares-sweep.svg"
    assert hacalc(*SPARES_SWEEP, "--plot", str(fresh)).exit_code == 0
    assert _comparable(README_IMAGE.read_text()) == _comparable(fresh.read_text()), (
        "docs/images/spares-sweep.svg is out of date: run hacalc " + " ".join(SPARES_SWEEP) + " --plot docs/images/spares-sweep.svg"
    )


def _comparable(svg: str) -> str:
    """The drawing without what may vary between matplotlib releases and runs: metadata and generated ids."""
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    return re.sub(r"(id=\"|#)[mpc][0-9a-f]{8,}", r"\1ID", svg)


# --- text charts ------------------------------------------------------------------------------------


def test_nines_text_chart_follows_the_table_without_colour_when_piped(hacalc):
    result = hacalc("nines", "--plot")
    assert result.exit_code == 0
    table, chart = result.stdout.split("Downtime allowed per year, by nines\n")
    assert "99.9999%" in table and "Conventions:" in chart
    lines = chart.splitlines()
    assert "\x1b[" not in result.stdout
    assert max(len(line) for line in lines) <= 80  # piped without COLUMNS: 80 columns
    assert sum(line.count("●") for line in lines) == 7  # six targets and the legend
    assert [line.split("┤")[0].strip() for line in lines if "┤" in line] == ["30d", "1d", "1h", "1m"]
    assert "nines (−log10 of unavailability) →" in chart


def test_text_chart_takes_its_width_from_columns(hacalc):
    result = hacalc("nines", "--plot", env={"COLUMNS": "50"})
    chart = result.stdout.split("Downtime allowed per year, by nines\n")[1]
    assert max(len(line) for line in chart.splitlines()[:-1]) <= 50


def test_spares_text_chart_marks_the_recommended_option_and_the_target(hacalc):
    result = hacalc(*SPARES_SWEEP, "--plot")
    chart = result.stdout.split("how hot must the spare be?\n")[-1]
    assert "★" in chart and chart.count("★") == 2  # on the plot and in the legend
    legend = "   ".join(chart.splitlines()[-3:])
    entries = ["● no spare", "▲ hot (1, 2, 3 spares)", "■ warm (1, 2, 3 spares)", "◆ cold (1, 2, 3 spares)", "─ target 99.95% (4h 22m 48s a year)", "★ recommended: warm spare"]
    assert legend.endswith("   ".join(entries))


def test_incidents_text_chart_shows_each_month_against_its_budget(hacalc):
    result = hacalc("incidents", "scenarios/incidents/outages.csv", "--calendar", "month", "--target", "99.9", "--plot", "-q")
    chart = result.stdout.split("Downtime per month against the budget of 99.9%\n")[1].splitlines()
    rows = {line.split()[0]: line for line in chart if line.startswith("2026-")}
    assert rows["2026-01"].endswith("50m / 2h 55m 36s  99.9715%")
    assert rows["2026-02"].endswith("4h 45m 30s / 3h 21m 36s  99.858%, over budget")
    assert rows["2026-02"].index("┃") < rows["2026-02"].rindex("█")  # past its budget mark
    assert rows["2026-01"].rindex("█") < rows["2026-01"].index("┃")


def test_cluster_text_chart_shows_what_lands_on_each_survivor(hacalc):
    result = hacalc("cluster", "check", "scenarios/cluster-unbalanced.toml", "--plot")
    chart = result.stdout.split("each host after the worst 1-host failure")[1].splitlines()
    memory = chart[chart.index("memory (MB)") + 1 : chart.index("memory (MB)") + 4]
    assert memory[0].startswith("ESXi-01") and memory[0].endswith("0 + 16,384 / 16,384")
    assert memory[1].endswith("0 + 4,096 / 16,384")
    assert memory[2].endswith("20,480 + 0 / 32,768  failed")


def test_fleet_text_chart_has_one_bar_per_cluster(hacalc):
    result = hacalc("cluster", "check", "scenarios/fleet-two-clusters.toml", "--summary", "--plot", "-q")
    assert result.exit_code == 1
    chart = result.stdout.split("2 clusters in scenarios/fleet-two-clusters.toml:")[1].splitlines()
    memory = chart[chart.index("memory, share of capacity") + 1 : chart.index("memory, share of capacity") + 3]
    assert memory[0].startswith("prod ") and memory[0].endswith("33.74% / 100%  PASS")
    assert memory[1].startswith("dev ") and memory[1].endswith("75.69% / 100%  FAIL")


def test_risk_text_chart_marks_the_budget(hacalc):
    result = hacalc("risk", "--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--plot")
    legend = "   ".join(result.stdout.splitlines()[-2:])
    assert "│ budget 43m 12s: P(breach) 0.261" in legend and "┆ P99 16h 0m 57s" in legend


def test_a_real_terminal_gets_the_chart_in_colour_at_its_width():
    """One run in tmux: a real TTY, so the width comes from the terminal and colour is on."""
    tmux = shutil.which("tmux")
    if tmux is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is needed for the terminal chart test (CI installs it from .ci/run)")
        pytest.skip("tmux is not installed")
    socket, session = f"hacalc-{uuid.uuid4().hex[:8]}", "charts"
    command = f"cd {ROOT} && {sys.executable} -m hacalc nines 99.9 99.99 99.999 --plot; {tmux} -L {socket} wait-for -S done; sleep 30"
    environment = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "COLUMNS", "TMUX")}
    run = [tmux, "-L", socket, "-f", "/dev/null"]
    subprocess.run([*run, "new-session", "-d", "-s", session, "-x", "100", "-y", "40", command], env=environment, check=True)
    try:
        subprocess.run([*run, "wait-for", "done"], check=True, timeout=60)
        plain = subprocess.run([*run, "capture-pane", "-p", "-t", session], capture_output=True, text=True, check=True).stdout
        coloured = subprocess.run([*run, "capture-pane", "-p", "-e", "-t", session], capture_output=True, text=True, check=True).stdout
    finally:
        subprocess.run([*run, "kill-server"], check=False)
    lines = plain.splitlines()
    assert "Downtime allowed per year, by nines" in lines
    assert max(len(line.rstrip()) for line in lines) <= 100
    assert max(len(line.rstrip()) for line in lines if "┤" in line or "│" in line) > 80  # the chart uses the terminal's width
    assert plain.count("●") == 4  # three targets and the legend
    assert "\x1b[" in coloured and "\x1b[" not in plain


# --- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, words",
    [
        (("nines", "--plot", "chart.pdf"), "--plot writes .svg or .png files, not .pdf"),
        (("nines", "--plot", "--format", "json"), "a text chart is drawn below the table, not with --format json"),
        (("risk", "--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--format", "csv", "--plot"), "not with --format csv"),
        (("cluster", "check", "scenarios/cluster-unbalanced.toml", "--no-restart-check", "--plot"), "the chart draws the restart check"),
        (("incidents", "scenarios/incidents/outages.csv", "--list", "--plot"), "--plot charts the report, not --list"),
        (("nines", "--plot", "/no/such/directory/chart.svg"), "cannot write /no/such/directory/chart.svg"),
    ],
)
def test_plots_that_cannot_be_drawn_are_one_line_errors(hacalc, args, words):
    assert words in assert_bad_input(hacalc(*args))


def test_a_file_chart_without_matplotlib_says_how_to_install_it(hacalc, monkeypatch, tmp_path):
    from hacalc.cli.charts import files

    monkeypatch.setattr(files, "matplotlib_installed", lambda: False)
    message = assert_bad_input(hacalc("nines", "--plot", str(tmp_path / "chart.svg")))
    assert message.endswith("install it with pip install 'hacalc[plot]'")
    assert not (tmp_path / "chart.svg").exists()


def test_a_number_after_a_bare_plot_is_still_a_target(hacalc):
    result = hacalc("nines", "--plot", "99.95")
    assert result.exit_code == 0
    assert "99.95%" in result.stdout and "Downtime allowed per year, by nines" in result.stdout


# --- in Chinese: the text chart is translated and measured in terminal cells, chart files stay English --------

CHINESE = {"LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}


@pytest.fixture
def english_afterwards():
    """An in-process Chinese run leaves the language Chinese; the tests after it read English."""
    from hacalc import i18n

    yield
    i18n.activate([], {})


def test_chinese_text_chart_is_translated_and_fits_its_width_in_cells(hacalc, english_afterwards):
    from rich.cells import cell_len

    result = hacalc("cluster", "check", "scenarios/cluster-unbalanced.toml", "-F", "2", "--plot", env={**CHINESE, "COLUMNS": "70"})
    chart = result.stdout.split("\n\n")[-1].splitlines()
    assert chart[:2] == ["HA Deepdive unbalanced cluster：最坏的 2 台主机故障（ESXi-01,", "ESXi-03）后的各主机"]  # never a line starting with ）
    assert chart[4] == "内存（MB）"
    # "故障" is 4 cells, not 2 characters: the bars are as long as the widest value text leaves room for
    assert chart[5:8] == [
        "ESXi-01 ░░░░░░░░░░░░░░░░░░┃                  0 + 0 / 16,384  故障",
        "ESXi-02 ▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓┃                  0 + 16,384 / 16,384",
        "ESXi-03 ██████████████████████░░░░░░░░░░░░░┃ 20,480 + 0 / 32,768  故障",
    ]
    assert "█ 故障前已用   ▓ 重新启动到其上   ░ 剩余空间   ┃ 容量" in chart
    assert "红色：在最坏故障组合中故障" in chart and "仍宕机：VM-17" in chart
    assert all(cell_len(line) <= 70 for line in chart)
    assert chart[2:4] == ["重新启动检查 FAIL；需求：reservation；重新启动的虚拟机按 HA 的重新启动", "顺序放置（优先级最高的先放，最佳适配）。"]


def test_bar_labels_are_padded_to_terminal_cells():
    from hacalc.cli.charts.model import Axis, Bar, BarChart, BarGroup
    from hacalc.cli.charts.terminal import draw_bars

    chart = BarChart("t", "", ("used",), "capacity", (BarGroup(Axis("memory"), (Bar("数据库", (4.0,), 8.0), Bar("web01", (2.0,), 8.0))),))
    from rich.cells import cell_len

    database, web = (line.plain for line in draw_bars(chart, 40)[4:6])
    assert database == "数据库 █████████████░░░░░░░░░░░░░┃ 4 / 8"
    assert web == "web01  ██████░░░░░░░░░░░░░░░░░░░░┃ 2 / 8"
    assert cell_len(database) == cell_len(web) == 40  # 数据库 is six cells: padded by one space, where ljust would add two


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("约定：year = 365 d (8760 h), month = year/12", 20, ["约定：year = 365 d", "(8760 h), month =", "year/12"]),
        ("重新启动的虚拟机按顺序放置（优先级最高的先放）", 12, ["重新启动的虚", "拟机按顺序放", "置（优先级最", "高的先放）"]),
        ("best-fit placement, restart-order by priority", 12, ["best-fit", "placement,", "restart-", "order by", "priority"]),
    ],
)
def test_wrapping_counts_cells_and_keeps_english_as_textwrap_has_it(text, width, lines):
    import textwrap

    from rich.cells import cell_len

    from hacalc.cli.charts.terminal import wrap_cells

    assert wrap_cells(text, width) == lines
    assert all(cell_len(line) <= width for line in lines)
    if text.isascii():
        assert lines == textwrap.wrap(text, width)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (("nines", "99.9", "99.99"), {"Downtime allowed per year, by nines", "downtime per year", "nines (−log10 of unavailability)"}),
        (("cluster", "check", "scenarios/cluster-unbalanced.toml"), {"memory (MB)", "restarted onto it", "capacity", "ESXi-03  (failed)"}),
        (("incidents", "scenarios/incidents/outages.csv", "--calendar", "month", "--target", "99.9"), {"Downtime per month against the budget of 99.9%", "budget"}),
        (("risk", "--mttf", "7996h", "--mttr", "4h", "--target", "99.9"), {"Downtime in one 30d window, budget 43m 12s"}),
        (("spares", "scenarios/spares-database-pair.toml", "--sweep-spares", "0..2"), {"1 needed + 1 spare, 1 repair crew: how hot must the spare be?"}),
    ],
)
def test_chart_files_are_english_in_a_chinese_run(hacalc, tmp_path, english_afterwards, arguments, words):
    """No CJK font is found where hacalc is built, so a chart file says its words in English in every language (docs/language.md)."""
    english, chinese = tmp_path / "english.svg", tmp_path / "chinese.svg"
    assert hacalc(*arguments, "--plot", str(english), env={"LANG": "en_US.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}).exit_code in (0, 1)
    result = hacalc(*arguments, "--plot", str(chinese), env=CHINESE)
    assert result.exit_code in (0, 1)
    assert any("\u4e00" <= character <= "\u9fff" for character in result.stdout)  # the tables are Chinese
    texts = _texts(_svg(chinese))
    assert words <= set(texts)
    assert texts == _texts(_svg(english))
    assert not any("\u4e00" <= character <= "\u9fff" for text in texts for character in text)  # no Chinese glyph to draw as a box
