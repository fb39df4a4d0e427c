"""hacalc in Simplified Chinese: what changes with the locale or --lang, and what never does."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from hacalc import i18n
from hacalc.cli.app import COMMAND_MODULES

ROOT = Path(__file__).resolve().parents[2]
CHINESE = {"LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
ENGLISH = {"LANG": "en_US.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
UNIT = ("availability", "--mttf", "50000h", "--mttr", "15m")

# Command modules define their help when imported: import them in English first, so the in-process
# Chinese runs below cannot leave Chinese help behind for other tests.
i18n.set_language("en")
for _module in COMMAND_MODULES.values():
    importlib.import_module(_module)
i18n.activate([], {})


@pytest.fixture(autouse=True)
def english_afterwards():
    """An in-process Chinese run leaves the language Chinese; later tests in this process read English messages."""
    yield
    i18n.activate([], {})


def run(*arguments: str, environ: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """hacalc as a person runs it, in its own process (help texts are translated as modules load)."""
    environment = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(environ or {})}
    return subprocess.run([sys.executable, "-m", "hacalc", *arguments], capture_output=True, text=True, env=environment, cwd=ROOT)


def test_a_chinese_locale_gives_a_chinese_table(hacalc) -> None:
    result = hacalc(*UNIT, env=CHINESE)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "可用性"
    assert "│ 可用性         │              99.9995% │" in lines
    assert "│ 等级           │ 5: PSTN和其他关键业务 │" in lines
    assert "│ 每年宕机时间   │                2m 38s │" in lines  # durations keep their format
    assert "输入：MTTF 50000h, MTTR 15m。" in lines


def test_lang_en_overrides_a_chinese_locale_and_lang_zh_an_english_one(hacalc) -> None:
    english = hacalc(*UNIT, env=ENGLISH)
    assert hacalc("--lang", "en", *UNIT, env=CHINESE).stdout == english.stdout
    assert hacalc(*UNIT, "--lang", "en", env=CHINESE).stdout == english.stdout
    assert hacalc("--lang", "zh", *UNIT, env=ENGLISH).stdout == hacalc(*UNIT, env=CHINESE).stdout
    assert english.stdout.splitlines()[0] == "Availability"


def test_lc_all_wins_over_lang(hacalc) -> None:
    assert hacalc(*UNIT, env={"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}).stdout.startswith("Availability\n")
    assert hacalc(*UNIT, env={"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}).stdout.startswith("可用性\n")
    assert hacalc(*UNIT, env={"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "C", "LC_ALL": ""}).stdout.startswith("可用性\n")


def test_traditional_chinese_locales_get_english(hacalc) -> None:
    assert hacalc(*UNIT, env={**CHINESE, "LANG": "zh_TW.UTF-8"}).stdout.startswith("Availability\n")


@pytest.mark.parametrize(
    "arguments",
    [
        (*UNIT, "--format", "json"),
        (*UNIT, "--format", "csv"),
        ("budget", "99.9", "--spent", "25m", "--elapsed", "10d", "--alerts", "--format", "json"),
        ("budget", "99.9", "--spent", "25m", "--elapsed", "10d", "--alerts", "--format", "csv"),
        ("compose", "series(lb=99.99%, db=parallel(99.95%, 99.95%))", "--format", "json"),
        ("compose", "series(lb=99.99%, db=parallel(99.95%, 99.95%))", "--format", "csv"),
        ("protect", "--host-mttf", "50000h", "--guest-mttf", "4000h", "--target", "99.95", "--cost", "ha=500", "--format", "json"),
        ("protect", "--host-mttf", "50000h", "--guest-mttf", "4000h", "--target", "99.95", "--cost", "ha=500", "--format", "csv"),
        ("nines", "--format", "json"),
        ("risk", "--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--credits", "99.9:10%,99:25%", "--format", "json"),
        ("risk", "--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--credits", "99.9:10%,99:25%", "--format", "csv"),
        ("spares", "scenarios/spares-database-pair.toml", "--sweep-spares", "0..2", "--format", "json"),
        ("spares", "scenarios/spares-database-pair.toml", "--sweep-spares", "0..2", "--format", "csv"),
        ("nines", "99.95", "4.5 nines", "--format", "csv"),
        ("incidents", "scenarios/incidents/outages.csv", "--calendar", "month", "--target", "99.9", "--format", "json"),
        ("incidents", "scenarios/incidents/outages.csv", "--calendar", "month", "--target", "99.9", "--format", "csv"),
        ("incidents", "scenarios/incidents/govc-events.json", "scenarios/incidents/hostd-seed.log", "--format", "json"),
        ("incidents", "scenarios/incidents/outages.csv", "--list", "--format", "csv"),
    ],
)
def test_json_and_csv_never_change_with_the_language(hacalc, arguments: tuple[str, ...]) -> None:
    english, chinese = hacalc(*arguments, env=ENGLISH), hacalc(*arguments, env=CHINESE)
    assert chinese.exit_code == english.exit_code == 0
    assert chinese.stdout == english.stdout
    assert chinese.stdout.isascii() or "λ" in chinese.stdout  # no translated word slipped into the data


def test_json_keeps_the_english_class_name(hacalc) -> None:
    data = json.loads(hacalc(*UNIT, "--format", "json", env=CHINESE).stdout)
    assert data["class"] == {"nines": 5, "typical": "PSTN and business-critical"}


def test_errors_are_translated_on_one_line_with_exit_2_and_nothing_on_stdout(hacalc) -> None:
    result = hacalc("availability", "--mttf", "5x", "--mttr", "1h", env=CHINESE)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "hacalc: error: 未知单位 'x', --mttf, 请使用 ms、s、m、h、d、w、mo、q 或 y\n"


def test_composed_errors_keep_their_values(hacalc) -> None:
    result = hacalc("compose", "kofn(3, 99%, 99%)", env=CHINESE)
    assert result.exit_code == 2
    assert result.stderr.startswith("hacalc: error: 第 1 列：kofn 需要 3 个部件运行，但只有 2 个, EXPR, ")


def test_warnings_are_translated(hacalc) -> None:
    result = hacalc("budget", "4", env=CHINESE)
    assert "hacalc: warning: '4' 被读作 4%；如要 99.99%，请写 '4 nines'" in result.stderr


def test_gate_failures_keep_the_fail_prefix_and_exit_status(hacalc) -> None:
    result = hacalc("budget", "99.9", "--spent", "50m", "--check", env=CHINESE)
    assert result.exit_code == 1
    assert result.stderr == "FAIL：错误预算已耗尽（已消耗 115.7%）\n"


def test_usage_errors_say_where_in_chinese(hacalc) -> None:
    result = hacalc("nines", "--bogus", env=CHINESE)
    assert result.exit_code == 2
    assert result.stderr.startswith("hacalc: error: ") and "，在 'hacalc nines' 中，参见 'hacalc nines --help'" in result.stderr


def test_tables_with_wide_characters_stay_aligned(hacalc) -> None:
    """Every line of a table is as wide on screen as its top border, Chinese cells or not."""
    for arguments in (UNIT, ("compose", "series(lb=99.99%, db=parallel(99.95%, 99.95%))"), ("nines",), ("spares", "scenarios/spares-database-pair.toml", "--sweep-spares", "0..2"),
                      ("protect", "--host-mttf", "50000h", "--guest-mttf", "4000h", "--target", "99.95", "--cost", "ha=500,ft=3000"),
                      ("incidents", "scenarios/incidents/outages.csv", "--calendar", "month", "--target", "99.9")):
        output = hacalc(*arguments, env=CHINESE).stdout
        assert any("\u4e00" <= character <= "\u9fff" for character in output)
        for table in tables(output):
            assert all(cell_len(line) == cell_len(table[0]) for line in table)
            columns = [cell_len(table[0][:position]) for position, character in enumerate(table[0]) if character == "┳"]
            for line in table[1:]:
                separators = [cell_len(line[:position]) for position, character in enumerate(line) if character in "┃│┡╇┩└┴┘"]
                assert separators[1:-1] == columns


def headers(line: str) -> list[str]:
    """The column headers of a table's header line."""
    return [cell.strip() for cell in line.split("┃")[1:-1]]


def tables(output: str) -> list[list[str]]:
    """The lines of each table drawn in ``output``, from its top border to its bottom one."""
    found: list[list[str]] = []
    for line in output.splitlines():
        if line.startswith("┏"):
            found.append([])
        if found and line[:1] in "┏┃┡│└" and (len(found[-1]) == 0 or not found[-1][-1].startswith("└")):
            found[-1].append(line)
    assert found
    return found


def test_help_is_in_chinese_for_a_converted_command() -> None:
    result = run("availability", "--help", environ=CHINESE)
    assert result.returncode == 0
    assert "一个可修复单元的稳态可用性、几个9、等级及各周期的宕机时间。" in result.stdout
    assert "平均故障时间（MTTF），例如 50000h。" in result.stdout
    assert "─ 选项 ─" in result.stdout and "─ 全局选项 ─" in result.stdout and "─ 周期约定 ─" in result.stdout
    assert "--mttf" in result.stdout and "[默认：" in result.stdout  # option names never change


def test_top_level_help_follows_lang() -> None:
    chinese = run("--lang", "zh", "--help", environ=ENGLISH)
    assert "虚拟化集群及其上服务的可用性计算器。" in chinese.stdout and "─ 命令 ─" in chinese.stdout
    english = run("--lang", "en", "--help", environ=CHINESE)
    assert "Availability calculator for virtualized clusters" in english.stdout and "─ Commands ─" in english.stdout


def test_unknown_language_is_a_usage_error(hacalc) -> None:
    result = hacalc("--lang", "fr", "nines", env=ENGLISH)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "'fr' is not one of 'en', 'zh'" in result.stderr


# --- one command at a time: a real value in a Chinese table, a translated error ----------------------


def test_nines_in_chinese(hacalc) -> None:
    result = hacalc("nines", "99.95", env={**CHINESE, "COLUMNS": "120"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "各周期允许的宕机时间"
    assert headers(lines[2]) == ["可用性", "几个9", "天", "周", "月", "季度", "年", "等级"]
    assert "│ 99.95% │  3.30 │ 43.2s │ 5m 2s │ 21m 54s │ 1h 5m 42s │ 4h 22m 48s │ 3: 多数IT架构 │" in lines


def test_nines_drops_its_chinese_optional_columns_first(hacalc) -> None:
    lines = hacalc("nines", env={**CHINESE, "COLUMNS": "60"}).stdout.splitlines()
    assert headers(lines[2]) == ["可用性", "几个9", "月", "年"]
    assert "为适应 60 列宽度而省略：天, 周, 季度, 等级" in "".join(lines)


def test_nines_errors_in_chinese(hacalc) -> None:
    result = hacalc("nines", "99.95", "--plot", "chart.pdf", env=CHINESE)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "hacalc: error: --plot 只写 .svg 或 .png 文件，不写 .pdf, --plot chart.pdf, 文件名请用例如 chart.svg 或 chart.png\n"
    assert hacalc("nines", "--plot", "--format", "json", env=CHINESE).stderr.startswith("hacalc: error: 文本图画在表格下方，不能与 --format json 同用, --plot, ")


def test_nines_help_in_chinese() -> None:
    result = run("nines", "--help", environ=CHINESE)
    assert "每个可用性目标在每天、每周、每月、每季度和每年允许的宕机时间。" in result.stdout
    assert "目标，例如 99.95、99.95% 或 '4.5 nines'。" in result.stdout
    assert "画一张图" in result.stdout


ROWS = "host,mttf,mttr\nesx-01,50000h,15m\nesx-02,2000h,4h\n"


@pytest.mark.parametrize("output", ["csv", "ndjson"])
def test_batch_rows_never_change_with_the_language(hacalc, output: str) -> None:
    english = hacalc("availability", "--input", "-", "--format", output, input=ROWS, env=ENGLISH)
    chinese = hacalc("availability", "--input", "-", "--format", output, input=ROWS, env=CHINESE)
    assert chinese.exit_code == english.exit_code == 0
    assert chinese.stdout == english.stdout
    last = chinese.stdout.splitlines()[-1]  # 4h / (2000h + 4h) unavailable
    assert last in ("esx-02,2000h,4h,0.998003992015968,0.001996007984031936,2.6998377258672459,62946.107784431129",
                    '{"host":"esx-02","mttf":"2000h","mttr":"4h","availability":0.998003992015968,"unavailability":0.001996007984031936,'
                    '"nines":2.6998377258672459,"downtime_year_seconds":62946.107784431129}')


def test_batch_errors_in_chinese_name_the_line_and_column(hacalc) -> None:
    result = hacalc("availability", "--input", "-", input="mttf,mttr\n50000h,15x\n", env=CHINESE)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "hacalc: error: 未知单位 'x', 第 2 行 mttr 列, 请使用 ms、s、m、h、d、w、mo、q 或 y\n"
    ragged = hacalc("availability", "--input", "-", input="mttf,mttr\n50000h,15m,3\n", env=CHINESE)
    assert ragged.stderr == "hacalc: error: 3 个字段，而表头有 2 列, 第 2 行, 每一行请给出表头的各列；含逗号的值请加引号\n"
    no_key = hacalc("availability", "--input", "-", "--format", "ndjson", input='{"mttf": "50000h"}\n', env=CHINESE)
    assert no_key.stderr == 'hacalc: error: 没有 \'mttr\' 键, 第 1 行, 请给出这样的对象：{"mttf": "50000h", "mttr": "15m"}\n'


SPARES = ("spares", "--mttf", "1000h", "--mttr", "10h", "--coverage", "0.99", "--manual-recovery", "30m", "--failover", "hot=30s,warm=5m,cold=30m",
          "--spare-cost", "hot=9000,warm=5000,cold=1000", "--downtime-cost", "100", "--target", "99.97")


def test_spares_in_chinese(hacalc) -> None:
    result = hacalc(*SPARES, env={**CHINESE, "COLUMNS": "150"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "需要 1 个 + 1 个备份，1 个修复班组：备份要多热？"
    assert headers(lines[2]) == ["方案", "可用性", "不可用性", "几个9", "年宕机时间", "年中断次数", "平均中断时长", "MTTF", "年成本", "达到 99.97%"]
    # the option column keeps the --kind values people type; the verdict speaks the handbook's 热备份/暖备份/冷备份
    assert "│ warm（推荐） │ 99.9765% │ 0.000234 │  3.63 │      2h 3m 11s │       8.76 │       14m 4s │ 40,932 h │  5,205 │          是 │" in lines
    assert lines[-1] == "暖备份达到 99.97%，每年 5,205；冷备份每年 312 分钟宕机时间中有 257 分钟花在 30 分钟的启用上。"


def test_spares_sweep_headers_in_chinese(hacalc) -> None:
    lines = hacalc("spares", "scenarios/spares-database-pair.toml", "--sweep-spares", "0..2", env={**CHINESE, "COLUMNS": "150"}).stdout.splitlines()
    sweep = lines.index("按备份数列出的可用性和成本")
    assert headers(lines[sweep + 2]) == ["备份数", "热备份可用性", "热备份成本", "暖备份可用性", "暖备份成本", "冷备份可用性", "冷备份成本"]
    assert "│ 2      │    99.99891% │     24,190 │    99.99184% │     17,428 │     99.9098% │     20,786 │" in lines


def test_spares_errors_and_warnings_in_chinese(hacalc) -> None:
    refused = hacalc("spares", "--mttf", "1000h", "--mttr", "10h", "--needed", "0", env=CHINESE)
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert refused.stderr == "hacalc: error: needed 必须至少为 1, --needed\n"
    warned = hacalc("spares", "--mttf", "1000h", "--mttr", "1h", "--failover", "40m", "--kind", "hot", env=CHINESE)
    assert warned.exit_code == 0
    assert warned.stderr == "hacalc: warning: hot 故障转移 40m 0s 并不比 MTTR 1h 0m 0s 短很多：模型忽略切换期间的修复，因此该方案的数字只能作为粗略估计\n"
    gate = hacalc(*SPARES[:5], "--target", "99.999", "--check", env=CHINESE)
    assert gate.exit_code == 1
    assert gate.stdout.splitlines()[-1] == "没有方案达到 99.999%；最好的是冷备份，达到 99.99009%。"


RISK = ("risk", "--mttf", "2000h", "--mttr", "4h", "--window", "30d", "--target", "99.9", "--credits", "99.9:10%,99:25%")


def test_risk_in_chinese(hacalc) -> None:
    result = hacalc(*RISK, env=CHINESE)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "一个 30d 窗口内的宕机时间，预算 43m 12s"
    assert "│ P(违约)：宕机时间 > 预算 │        0.2613 │" in lines
    assert "│ 宕机时间 P99             │    16h 0m 57s │" in lines
    assert "│ P(赔偿 10%：低于 99.9%)  │        0.1948 │" in lines
    # the model is the JSON's "model" value, in English in every language; the rest of the caption is translated
    assert lines[-1] == "模型：exponential up and down times (alternating Markov process)；开始方式 steady；精确。门限：P(违约) ≤ 0.05。"


def test_risk_gate_and_errors_in_chinese(hacalc) -> None:
    gate = hacalc(*RISK, "--check", "--max-breach-probability", "0.01", env=CHINESE)
    assert gate.exit_code == 1
    assert gate.stderr == "FAIL：P(违约) 0.2613 高于 0.01\n"
    refused = hacalc("risk", "--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--budget", "1h", env=CHINESE)
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert refused.stderr == "hacalc: error: 请用 --target 或 --budget（二者之一）给出 SLA, --target/--budget, 例如 --target 99.9 或 --budget 43m12s\n"
    credits = hacalc("risk", "--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--credits", "99.9:150%", env=CHINESE)
    assert credits.stderr.startswith("hacalc: error: 赔偿 150% 不在 0 到 100 % 之间, --credits")
    assert credits.stderr.endswith(", 请给出账单的比例，例如 10%\n")


INCIDENTS = ("incidents", "scenarios/incidents/outages.csv", "--target", "99.9")


def test_incidents_in_chinese(hacalc) -> None:
    result = hacalc(*INCIDENTS, "--calendar", "month", env={**CHINESE, "COLUMNS": "200"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "事件：2026-01-07 14:28:05.123 → 2026-03-30 23:50:00 UTC (82d 9h 21m 55s)，即数据覆盖的时间"
    assert headers(lines[2]) == ["对象或分组", "计入时间", "宕机时间", "可用性", "几个9", "故障次数", "MTBF", "MTTR",
                                 "MTBF 90%", "MTTR 90%", "可用性 90%", "证实的几个9", "目标"]
    # db01: one 4h 30m outage in 82d 9h 21m 55s counted
    assert "│ db01       │   82d 9h 21m 55s │     4h 30m │    99.772% │  2.64 │        1 │ 82d 5h │  4h 30m │ 17d 8h – 1602d 14h │  1h 30m – 3d 16h │      95.84% – 99.9879% │        1.38 │ 低于 │" in lines
    assert any(line.startswith("│ 服务 web   │") and line.endswith("│ 达到 │") for line in lines)
    assert "已读取 scenarios/incidents/outages.csv（incidents-csv）：10 行，使用 9 行，9 个事件。" in lines
    assert "按月（UTC）" in lines
    assert result.stderr.startswith("hacalc: warning: 1 个事件仍未结束；")


def test_incidents_gate_and_errors_in_chinese(hacalc) -> None:
    gate = hacalc(*INCIDENTS, "--check", env=CHINESE)
    assert gate.exit_code == 1
    assert gate.stderr.splitlines()[-1] == "FAIL：2 行低于目标；第一行：窗口中的 db01，观测可用性 99.772%"
    zone = hacalc(*INCIDENTS, "--tz", "Mars/Base", env=CHINESE)
    assert zone.exit_code == 2
    assert zone.stdout == ""
    assert zone.stderr == "hacalc: error: 未知时区 'Mars/Base', --tz, 请给出 IANA 名称，例如 UTC、Europe/Berlin 或 Asia/Shanghai\n"
    unreadable = hacalc("incidents", "-", input="object,start\nvm1,2026-01-01\n", env=CHINESE)
    assert unreadable.exit_code == 2
    assert unreadable.stderr.startswith("hacalc: error: 没有 'end' 列（找到的是 'object', 'start'）, ")


def test_incidents_list_in_chinese_keeps_the_data(hacalc) -> None:
    lines = hacalc("incidents", "scenarios/incidents/outages.csv", "--list", env={**CHINESE, "COLUMNS": "200"}).stdout.splitlines()
    assert lines[0] == "9 个事件（UTC）"
    assert headers(lines[2]) == ["对象", "开始", "结束", "宕机时间", "类型", "备注", "来源"]
    assert lines[4].startswith("│ web01 │ 2026-01-07 14:28:05.123 │ 2026-01-07 14:58:05.123 │      30m │ 计划外 │ kernel panic after a driver update ")


def test_cluster_check_in_chinese(hacalc) -> None:
    result = hacalc("cluster", "check", "scenarios/cluster-unbalanced.toml", "-F", "2", env={**CHINESE, "COLUMNS": "200"})
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "集群 HA Deepdive unbalanced cluster"
    assert "│ 插槽总数" in result.stdout and "│ 当前故障转移级别" in result.stdout
    # two of the four hosts out strand four VMs; the slot policy's failover level is 1
    assert lines[-3] == "FAIL HA Deepdive unbalanced cluster：插槽策略：当前故障转移级别 1 < 2；ESXi-01 和 ESXi-03 故障时 4 台虚拟机无法重新启动。"
    assert lines[-2:] == ["  - 所列虚拟机找不到有足够空闲容量的主机：请降低它们的预留或增加容量", "  - 增加主机，或用 --tolerate 1 检查较小的目标"]


def test_cluster_errors_in_chinese(hacalc) -> None:
    result = hacalc("cluster", "check", "scenarios/cluster-c-esx35.toml", "--cluster", "nope", env=CHINESE)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "hacalc: error: 没有集群匹配 'nope', in --cluster, 集群有 C-ESX35（模式区分大小写；在 shell 中请加引号）\n"
    plan = hacalc("cluster", "maintenance-plan", "scenarios/cluster-seed-large-4-hosts.toml", "--tolerate", "1", env={**CHINESE, "COLUMNS": "200"})
    assert plan.exit_code == 1
    assert plan.stdout.splitlines()[0] == "C-ESX35-LARGE 的滚动维护，每次 1 台主机（容忍 1）"
    assert plan.stderr == "FAIL：4 个步骤使检查不通过\n"


@pytest.mark.parametrize("output", ["json", "csv", "junit", "markdown"])
def test_cluster_machine_formats_never_change_with_the_language(hacalc, output: str) -> None:
    """JSON and CSV for scripts, JUnit and Markdown for CI: the same bytes in every language."""
    for arguments in (("cluster", "check", "scenarios/cluster-unbalanced.toml", "-F", "2"), ("cluster", "check", "scenarios/cluster-c-esx35.toml")):
        english, chinese = hacalc(*arguments, "--format", output, env=ENGLISH), hacalc(*arguments, "--format", output, env=CHINESE)
        assert chinese.exit_code == english.exit_code
        assert chinese.stdout == english.stdout
        assert chinese.stdout.isascii()


def test_cluster_compare_in_chinese(hacalc) -> None:
    lines = hacalc("cluster", "compare", "scenarios/hyperv-scvmm-4-nodes.toml", env={**CHINESE, "COLUMNS": "200"}).stdout.splitlines()
    assert lines[0] == "HV-PROD 上的故障转移规则（hyperv 清单）"
    # the rule, method and note are the core's, translated where shown; the numbers and the JSON stay as they are
    assert "│ vSphere HA slot 策略          │    1 │           0 │        76800 │ PASS │ 精确             │ 是                     │ 准入控制计入预留和开销，而不是配置内存 │" in lines
    json_english = hacalc("cluster", "compare", "scenarios/hyperv-scvmm-4-nodes.toml", "--format", "json", env=ENGLISH).stdout
    assert hacalc("cluster", "compare", "scenarios/hyperv-scvmm-4-nodes.toml", "--format", "json", env=CHINESE).stdout == json_english


def test_what_the_core_of_cluster_check_says_is_in_chinese(hacalc) -> None:
    """Rule names, notes, the restart check's placement and proof: made in core, translated where shown."""
    nutanix = hacalc("cluster", "check", "scenarios/nutanix-segments-rf2.toml", env={**CHINESE, "COLUMNS": "200"}).stdout.splitlines()
    assert "│ 规则   │ Nutanix AHV HA 保证，预留分段       │" in nutanix
    assert "│ 备注        │ 分段大小 49,152 MB（最大的 HA 虚拟机，ora01） │" in nutanix
    assert "Nutanix AHV HA 保证，预留分段：各故障组合" in nutanix
    vsphere = hacalc("cluster", "check", "scenarios/cluster-unbalanced.toml", env={**CHINESE, "COLUMNS": "200"}).stdout.splitlines()
    assert any(line.startswith("│ 放置         │ 已放置 ") for line in vsphere)
    assert any(line.startswith("│ 证明         │ 精确（界限与最佳适配放置） ") for line in vsphere)


def test_the_core_keeps_its_json_values_english(hacalc) -> None:
    arguments = ("cluster", "check", "scenarios/nutanix-segments-rf2.toml", "--format", "json")
    english, chinese = hacalc(*arguments, env=ENGLISH).stdout, hacalc(*arguments, env=CHINESE).stdout
    assert chinese == english
    rule = json.loads(chinese)["platform_rule"]
    assert rule["rule"] == "Nutanix AHV HA guarantee, reserved segments"
    assert rule["notes"] == ["segment size 49,152 MB (the largest HA VM, ora01)"]


def test_a_cluster_file_error_from_the_core_is_in_chinese(hacalc, tmp_path: Path) -> None:
    scenario = tmp_path / "options.toml"
    scenario.write_text('[cluster]\nname = "c"\n[cluster.options]\n"das.slotCpuInMhz" = "x"\n[[hosts]]\nname = "esx-1"\ncpu_mhz = 1000\nmemory_mb = 1000\n')
    result = hacalc("cluster", "check", str(scenario), env=CHINESE)
    assert result.exit_code == 2
    assert result.stderr.startswith("hacalc: error: 选项 das.slotCpuInMHz = 'x' 不是整数, ")
    assert result.stderr.endswith(', 请把数字写在引号中，例如 "32"\n')


@pytest.mark.parametrize(
    "arguments",
    [
        ("--lang", "zh", "incidents", "scenarios/incidents/outages.csv", "--target", "99.9", "--check"),
        ("incidents", "scenarios/incidents/outages.csv", "--target", "99.9", "--lang", "zh", "--check"),
        ("--lang=zh", "-q", "incidents", "scenarios/incidents/outages.csv", "--target", "99.9", "--check"),
    ],
)
def test_an_option_left_without_its_value_after_lang_zh(hacalc, arguments: tuple[str, ...]) -> None:
    """--check last takes its default (observed) wherever --lang zh stands: its value is not the command name."""
    result = hacalc(*arguments, env=ENGLISH)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "FAIL：2 行低于目标；第一行：窗口中的 db01，观测可用性 99.772%"


def test_quiet_before_the_command_keeps_the_optional_value(hacalc) -> None:
    result = hacalc("-q", "incidents", "scenarios/incidents/outages.csv", "--target", "99.9", "--check", env=ENGLISH)
    assert result.exit_code == 1
    assert result.stderr == "FAIL: 2 row(s) below the target; first: db01 in window, observed availability 99.772%\n"


@pytest.mark.parametrize(
    ("arguments", "command"),
    [
        (["--lang", "zh", "incidents", "a.csv"], "incidents"),
        (["-q", "--lang", "en", "nines", "--plot"], "nines"),
        (["--lang=zh", "cluster", "check"], "cluster"),
        (["--lang", "zh"], None),
        (["--", "incidents"], None),
    ],
)
def test_the_command_name_skips_global_options_and_their_values(arguments: list[str], command: str | None) -> None:
    from hacalc.cli.app import command_name

    assert command_name(arguments) == command


def test_headroom_and_what_if_in_chinese(hacalc) -> None:
    """The binding names, notes and change sentences are the core's, English in JSON and translated in the table."""
    arguments = ("cluster", "headroom", "scenarios/cluster-seed-large-4-hosts.toml", "--maintenance", "ESX35PRD-1", "--add-vm", "count=2, memory_reservation_mb=2048")
    result = hacalc(*arguments, env={**CHINESE, "COLUMNS": "200"})
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "C-ESX35-LARGE 的余量（容忍 1）"
    assert "│ 检查（策略和重新启动检查） │   现在就不通过 │ 插槽             │" in lines
    assert "│ 仅 slot                    │   现在就不通过 │ 插槽             │" in lines
    assert "虚拟机规格：中位数的已开机虚拟机 'APP-10'（按内存预留 + 开销，其次按 CPU）。" in lines
    assert "修改：主机 ESX35PRD-1 进入维护模式；12 台已开机的虚拟机迁出到其他主机" in lines
    assert "修改：增加 2 台虚拟机（new-vm-1 … new-vm-2），每台 0 MHz，预留 2048 MB + 开销 0 MB，没有所在主机（由重新启动检查放置）" in lines
    assert result.stderr == "FAIL：C-ESX35-LARGE 现在就不通过检查：插槽\n"
    data = json.loads(hacalc(*arguments, "--format", "json", env=CHINESE).stdout)
    assert (data["binding"], data["per_policy"]["slot"]["binding"]) == ("slots", "slots")
    assert data["changes"][0]["change"] == "host ESX35PRD-1 enters maintenance mode; 12 powered-on VMs evacuated to the other hosts"
    for output in ("json", "csv", "junit", "markdown"):
        assert hacalc(*arguments, "--format", output, env=CHINESE).stdout == hacalc(*arguments, "--format", output, env=ENGLISH).stdout


def test_headroom_counts_and_growth_in_chinese(hacalc) -> None:
    """A cluster that passes: each policy alone is searched (the percentage policy's error is language-free), and the growth verdict."""
    result = hacalc("cluster", "headroom", "scenarios/cluster-seed-large-4-hosts.toml", "--growth", "3%/month", "--horizon", "3", env={**CHINESE, "COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "│ 检查（策略和重新启动检查） │             11 │ 插槽             │" in lines
    assert "每月增长 3%：全部 4 个月都通过" in lines
    growing = hacalc("cluster", "headroom", "scenarios/cluster-ha-deepdive-percentage.toml", "--growth", "40%/month", "--horizon", "6", env={**CHINESE, "COLUMNS": "200"})
    assert "每月增长 40%：第 3 个月不通过：CPU % 和 重新启动放置" in growing.stdout.splitlines()
    assert growing.stdout.count("│ 否   │ CPU %, 重新启动放置 │") == 4


def test_a_shape_error_in_chinese(hacalc) -> None:
    result = hacalc("cluster", "headroom", "scenarios/cluster-seed-large-4-hosts.toml", "--vm", "count=x", env=CHINESE)
    assert result.exit_code == 2
    assert result.stderr == ('hacalc: error: count = x 不是整数, --vm: 在虚拟机规格 \'count=x\' 中, 请写成以逗号分隔的 key=value 对，例如 '
                             '"count=10, cpu_reservation_mhz=2000, memory_reservation_mb=8192"（整数 MHz 和 MB，不带单位）\n')


KUBERNETES = ("cluster", "check", "scenarios/kubernetes/nodes.json", "scenarios/kubernetes/pods.json", "scenarios/kubernetes/pdbs.json", "-F", "2")


def test_kubernetes_in_chinese(hacalc) -> None:
    result = hacalc(*KUBERNETES, env={**CHINESE, "COLUMNS": "200"})
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "│ 方法         │ 有 pod 放不进任何可运行它的幸存节点, 容量界限          │" in lines
    assert "│ 结果         │ 2 个节点的故障组合中有 7 个使 pod 无法调度             │" in lines
    assert "cp-1, gpu-1 故障时找不到节点的 pod（有 pod 放不进任何可运行它的幸存节点）" in lines
    assert "hacalc: warning: 1 个 pod 没有控制器：节点故障时没有谁重新创建它们，因此它们会丢失，而不是被重新调度" in result.stderr.splitlines()
    english = hacalc(*KUBERNETES, "--format", "json", env=ENGLISH).stdout
    assert hacalc(*KUBERNETES, "--format", "json", env=CHINESE).stdout == english
    report = json.loads(english)
    assert report["verdict"] == "7 failure sets of 2 nodes leave pods unscheduled"
    assert report["method"] == "a pod that fits no surviving node it may run on, capacity bound"


def test_a_file_error_says_where_in_chinese(hacalc, tmp_path: Path) -> None:
    """``in FILE line N (path)`` reads ``在 FILE 第 N 行（path）`` (the glossary's form), in every reader that says where."""
    duplicate = tmp_path / "duplicate.json"
    duplicate.write_text('{"cluster": {"name": "c"},\n "hosts": [{"name": "a", "name": "b"}]}')
    result = hacalc("cluster", "check", str(duplicate), env=CHINESE)
    assert result.exit_code == 2
    assert result.stderr == f"hacalc: error: 重复的键 'name', 在 {duplicate} 第 2 行（hosts[0].name）, 每个键只给一次\n"
    assert hacalc("cluster", "check", str(tmp_path / "none.toml"), env=CHINESE).stderr == f"hacalc: error: 没有文件 '{tmp_path / 'none.toml'}', 请检查路径\n"
    durations = tmp_path / "repairs.txt"
    durations.write_text("15m\nsoon\n")
    located = hacalc("risk", "--mttf", "2000h", "--mttr", "4h", "--target", "99.9", "--repair", f"empirical:{durations}", env=CHINESE)
    assert located.exit_code == 2
    assert f", --repair: 在 {durations} 第 2 行, " in located.stderr


def test_the_cluster_file_s_field_errors_in_chinese(hacalc, tmp_path: Path) -> None:
    """A wrong field of a cluster file: what it holds instead (数字 1.5), the unit, where, and a did-you-mean, in Chinese."""
    scenario = tmp_path / "cluster.toml"
    scenario.write_text('[cluster]\nname = "c"\ntolerate = 1.5\n[[hosts]]\nname = "esx01"\ncpu_mhz = 1000\nmemory_mb = 1000\n')
    result = hacalc("cluster", "check", str(scenario), env=CHINESE)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"hacalc: error: tolerate 必须是整数（单位：主机），却是数字 1.5, 在 {scenario} 第 3 行（cluster.tolerate）, 请写整数，不加引号，不带小数\n"
    scenario.write_text('[cluster]\nname = "c"\n[[hosts]]\nname = "esx01"\ncpu_mhz = 1000\nmemory_mb = 1000\n[[vms]]\nname = "v"\nhost = "ESX01"\n')
    assert hacalc("cluster", "check", str(scenario), env=CHINESE).stderr == f"hacalc: error: 未知主机 'ESX01', 在 {scenario} 第 9 行（vms[0].host）, 您是指 'esx01' 吗？\n"
    assert hacalc("cluster", "check", str(scenario), env=ENGLISH).stderr == f"hacalc: error: unknown host 'ESX01', in {scenario} line 9 (vms[0].host), did you mean 'esx01'?\n"
    scenario.write_text('[cluster]\nname = "c"\nplatform = "vsphere"\nreplication_factor = 2\n[[hosts]]\nname = "a"\ncpu_mhz = 1\nmemory_mb = 1\n')
    assert hacalc("cluster", "check", str(scenario), env=CHINESE).stderr.startswith(
        "hacalc: error: replication_factor 是 nutanix 的设置，而该集群的平台是 vsphere, 在 ")


def test_cluster_check_s_what_if_facts_and_failure_sets_in_chinese(hacalc) -> None:
    """The what-if changes, an export's facts and another platform's failure-set columns: translated in the tables, English in JSON."""
    maintenance = ("cluster", "check", "scenarios/cluster-unbalanced.toml", "--maintenance", "ESXi-01")
    lines = hacalc(*maintenance, env={**CHINESE, "COLUMNS": "200"}).stdout.splitlines()
    assert "│ 修改 1 │ 主机 ESXi-01 进入维护模式；0 台已开机的虚拟机迁出到其他主机 │" in lines
    english = json.loads(hacalc(*maintenance, "--format", "json", env=CHINESE).stdout)
    assert [change["change"] for change in english["changes"]] == ["host ESXi-01 enters maintenance mode; 0 powered-on VMs evacuated to the other hosts"]
    hyperv = hacalc("cluster", "check", "scenarios/hyperv-scvmm-4-nodes.toml", env={**CHINESE, "COLUMNS": "200"}).stdout.splitlines()
    assert headers(hyperv[hyperv.index("SCVMM 集群预留：各故障组合") + 2]) == ["故障主机", "通过", "最大虚拟机", "最大 M MB", "其余 M MB", "额外总量 MB", "余量 MB"]
    assert "│ hv04     │   是 │   hv-sql01 │    196608 │         0 │           0 │       0 │" in hyperv
    overlay = hacalc("cluster", "check", "scenarios/rvtools/overlay.toml", env={**CHINESE, "COLUMNS": "200"}).stdout.splitlines()
    assert any(line.startswith("│ 准入控制已启用           │ False ") for line in overlay)
    assert any(line.startswith("│ 看到的 vSphere 版本      │ vCenter 8.0.3 ") for line in overlay)


def test_inventory_errors_in_chinese(hacalc, tmp_path: Path) -> None:
    """Which inputs go together, and an overlay naming a cluster its inventory lacks: Chinese, with the did-you-mean."""
    together = hacalc("cluster", "check", "scenarios/cluster-c-esx35.toml", "scenarios/cluster-unbalanced.toml", env=CHINESE)
    assert together.exit_code == 2
    assert together.stderr == ("hacalc: error: 给出了 2 个文件，而它们不是 Proxmox VE 导出, 在命令行中, "
                               "请给出一个场景文件或导出；只有 pvesh（Proxmox VE）和 kubectl（Kubernetes）导出才会把多个文件一起读取\n")
    overlay = tmp_path / "overlay.toml"
    overlay.write_text(f'inventory = "{ROOT / "scenarios/rvtools/rvtools-two-clusters.xlsx"}"\n[clusters."prd"]\ntolerate = 1\n')
    assert hacalc("cluster", "check", str(overlay), env=CHINESE).stderr == f"hacalc: error: 清单中没有集群 'prd', 在 {overlay} 第 2 行（clusters.prd）, 您是指 'prod' 吗？\n"
    assert hacalc("cluster", "check", str(overlay), env=ENGLISH).stderr == f"hacalc: error: the inventory has no cluster 'prd', in {overlay} line 2 (clusters.prd), did you mean 'prod'?\n"


def test_yaml_errors_in_chinese(hacalc, tmp_path: Path) -> None:
    """A YAML file's key given twice and its aliases to itself: said in Chinese where the file and line are."""
    twice = tmp_path / "twice.yaml"
    twice.write_text("cluster:\n  name: c\n  name: d\n")
    result = hacalc("cluster", "check", str(twice), env=CHINESE)
    assert result.exit_code == 2
    assert result.stderr == f"hacalc: error: 重复的键 'name', 在 {twice} 第 3 行, 每个键只给一次\n"
    looped = tmp_path / "looped.yaml"
    looped.write_text("a: &x\n  b: *x\n")
    assert hacalc("cluster", "check", str(looped), env=CHINESE).stderr == f"hacalc: error: 别名 *x 引用了它自己, 在 {looped} 第 2 行, 请把数据直接写出，不用锚点、别名或深层嵌套\n"
    assert hacalc("cluster", "check", str(looped), env=ENGLISH).stderr == f"hacalc: error: alias *x refers to itself, in {looped} line 2, write the data out without anchors, aliases or deep nesting\n"


def test_hyperv_and_proxmox_warnings_in_chinese_and_english_in_json(hacalc) -> None:
    """An export's counted warnings: said in Chinese on stderr, English in the JSON, which is the same in both languages."""
    hyperv = hacalc("cluster", "check", "tests/fixtures/hyperv/hyperv.json", env=CHINESE)
    assert hyperv.stderr.splitlines() == [
        "hacalc: warning: HVCLU01: 1 个节点没有 TotalPhysicalMemory（已宕机，或 CIM 不可达），未计入",
        "hacalc: warning: HVCLU01: 2 台虚拟机未加入集群：它们占用所在节点的内存，但不会故障转移",
        "hacalc: warning: HVCLU01: 1 台动态内存虚拟机当前高于其启动内存（MemoryAssigned）；计入的需求是启动内存",
    ]
    proxmox = ("cluster", "check", "tests/fixtures/proxmox/resources.json", "tests/fixtures/proxmox/ha-resources.json", "tests/fixtures/proxmox/status.json")
    assert "hacalc: warning: pve-prod: 1 个模板已跳过：模板从不运行\n" in hacalc(*proxmox, env=CHINESE).stderr
    for arguments in (("cluster", "check", "tests/fixtures/hyperv/hyperv.json"), proxmox):
        chinese, english = (json.loads(hacalc(*arguments, "--format", "json", env=environ).stdout) for environ in (CHINESE, ENGLISH))
        assert chinese == english
    warnings = json.loads(hacalc(*proxmox, "--format", "json", env=CHINESE).stdout)["clusters"][0]["input"]["warnings"]
    assert {"kind": "templates-skipped", "message": "1 template skipped: a template never runs", "count": 1, "examples": ["debian-12-template"]} in warnings


def test_hyperv_and_proxmox_errors_in_chinese(hacalc, tmp_path: Path) -> None:
    """What the readers refuse: the value, where it is and the fix, in Chinese; English unchanged."""
    nodes = tmp_path / "hyperv.json"
    nodes.write_text('[{"Kind": "Node", "Name": "hv01", "TotalPhysicalMemory": 1048576},\n {"Kind": "Node", "Name": "HV01", "TotalPhysicalMemory": 1048576}]\n')
    assert hacalc("cluster", "check", str(nodes), env=CHINESE).stderr == f"hacalc: error: 节点 'HV01' 被列出了两次, 在 {nodes} 第 2 行（[1].Name）, 请把一个集群只导出一次\n"
    assert hacalc("cluster", "check", str(nodes), env=ENGLISH).stderr == f"hacalc: error: node 'HV01' is listed twice, in {nodes} line 2 ([1].Name), export one cluster once\n"
    resources = tmp_path / "resources.json"
    resources.write_text('[{"type": "node", "id": "node/pve1", "node": "pve1", "maxmem": "lots", "maxcpu": 8}]\n')
    result = hacalc("cluster", "check", str(resources), env=CHINESE)
    assert result.exit_code == 2
    assert result.stderr == f"hacalc: error: 'lots' 不是整数, 在 {resources} 第 1 行（[0].maxmem）, 请用 pvesh get … --output-format json 重新导出\n"
    resources.write_text('[{"type": "node", "id": "node/pve1", "node": "pve1"}, "qemu/100"]\n')
    assert hacalc("cluster", "check", str(resources), env=CHINESE).stderr.startswith("hacalc: error: resources 导出的第 1 项是文本 'qemu/100'，而不是对象, 在 ")


def test_kubectl_reader_in_chinese(hacalc, tmp_path: Path) -> None:
    """The kubectl reader's warnings and errors in Chinese; its warnings stay English in JSON."""
    nodes_only = ("cluster", "check", "tests/fixtures/kubernetes/nodes.json")
    assert hacalc(*nodes_only, env=CHINESE).stderr == "hacalc: warning: 输入中没有 pod：请加上 kubectl get pods -A -o json 的输出\n"
    assert "hacalc: warning: 已跳过 hacalc 不读取的类型的条目：1 Service\n" in hacalc("cluster", "check", "tests/fixtures/kubernetes/all-in-one.json", env=CHINESE).stderr
    chinese = json.loads(hacalc(*nodes_only, "--format", "json", env=CHINESE).stdout)
    assert chinese == json.loads(hacalc(*nodes_only, "--format", "json", env=ENGLISH).stdout)
    assert {"kind": "no-pods", "message": "no pods in the input: add the output of kubectl get pods -A -o json", "count": 1, "examples": []} in chinese["warnings"]
    pods = tmp_path / "pods.json"
    pods.write_text('{"kind": "PodList", "items": [{"metadata": {"name": "p", "namespace": "a"},\n "spec": {"tolerations": [{"operator": "Near"}]}}]}\n')
    result = hacalc("cluster", "check", "tests/fixtures/kubernetes/nodes.json", str(pods), env=CHINESE)
    assert result.exit_code == 2
    assert result.stderr == f"hacalc: error: 未知的容忍运算符 'Near', 在 {pods} 第 2 行（items[0].spec.tolerations[0].operator）, 请使用 Equal 或 Exists\n"
    pods.write_text('{"kind": "PodList", "items": [{"metadata": {"name": 5}}]}\n')
    assert hacalc("cluster", "check", "tests/fixtures/kubernetes/nodes.json", str(pods), env=CHINESE).stderr == (
        f"hacalc: error: 此处应为字符串，却是 5, 在 {pods} 第 1 行（items[0].metadata.name）, 请检查文件是否为未经编辑的 kubectl 输出\n")
    assert hacalc("cluster", "check", "tests/fixtures/kubernetes/nodes.json", str(pods), env=ENGLISH).stderr == (
        f"hacalc: error: expected a string, found 5, in {pods} line 1 (items[0].metadata.name), check the file is unedited kubectl output\n")


def test_rvtools_reader_in_chinese(hacalc, tmp_path: Path) -> None:
    """RVTools' counted warnings in Chinese on stderr (English in JSON, the same in both languages), and where a bad cell is."""
    export = ("cluster", "check", "scenarios/rvtools/rvtools-two-clusters.xlsx")
    assert hacalc(*export, env=CHINESE).stderr.splitlines()[:2] == [
        "hacalc: warning: prod: 12 台已开机的虚拟机的 Overhead 为 0（ESXi 6.7 及以后报告 0）；改用 Consumed Overhead",
        "hacalc: warning: dev: 2 台已开机的虚拟机的 Overhead 为 0（ESXi 6.7 及以后报告 0）；改用 Consumed Overhead",
    ]
    chinese = json.loads(hacalc(*export, "--format", "json", env=CHINESE).stdout)
    assert chinese == json.loads(hacalc(*export, "--format", "json", env=ENGLISH).stdout)
    assert chinese["clusters"][0]["input"]["warnings"][0]["message"] == "Overhead is 0 for 12 powered-on VMs (ESXi 6.7 and later report 0); Consumed Overhead is used instead"
    planner = hacalc("cluster", "check", "tests/fixtures/rvtools/kubev2v-migration-planner_example1.xlsx", env=CHINESE).stderr.splitlines()
    assert planner[0] == "hacalc: warning: 导出中没有 vCluster 标签页：HA 设置取默认值（请用选项或覆盖文件给出）"
    assert planner[1].startswith("hacalc: warning: Cluster: 9 台虚拟机的主机中有 0 台与集群在 vHost 中的主机对应；其余的不放置在任何主机上（未对应：10.185.26.9, ")
    folder = tmp_path / "export"
    folder.mkdir()
    for source in (ROOT / "scenarios/rvtools/rvtools-two-clusters").iterdir():
        (folder / source.name).write_text(source.read_text().replace(",262144,memory1,", ",lots,memory1,"))
    result = hacalc("cluster", "check", str(folder), env=CHINESE)
    assert result.exit_code == 2
    assert result.stderr == f"hacalc: error: 'lots' 不是整数, 在 {folder / 'RVTools_tabvHost.csv'} 第 3 行（列 '# Memory'）, 请只写数字，与 RVTools 的写法一致\n"
    assert hacalc("cluster", "check", str(tmp_path), env=CHINESE).stderr.startswith(
        "hacalc: error: 不是 RVTools 导出：没有 RVTools_tabvInfo.csv 或 RVTools_tabvHost.csv 文件（它有 ")


def test_kubectl_s_expected_kinds_in_chinese(hacalc, tmp_path: Path) -> None:
    """A value of neither kind a field takes names both, joined by 或 without spaces between Chinese words."""
    pdbs = tmp_path / "pdbs.json"
    pdbs.write_text('{"kind": "PodDisruptionBudgetList", "items": [{"metadata": {"name": "b", "namespace": "a"}, "spec": {"minAvailable": true}}]}\n')
    chinese = hacalc("cluster", "check", "tests/fixtures/kubernetes/nodes.json", str(pdbs), env=CHINESE).stderr
    assert chinese == f"hacalc: error: 此处应为整数或字符串，却是 True, 在 {pdbs} 第 1 行（items[0].spec.minAvailable）, 请检查文件是否为未经编辑的 kubectl 输出\n"
    english = hacalc("cluster", "check", "tests/fixtures/kubernetes/nodes.json", str(pdbs), env=ENGLISH).stderr
    assert english == f"hacalc: error: expected an integer or a string, found True, in {pdbs} line 1 (items[0].spec.minAvailable), check the file is unedited kubectl output\n"
