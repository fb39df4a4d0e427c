"""The zh_CN catalogue is complete, compiled from its .po, and every user-visible string of a converted module is marked.

Three checks keep translation from being forgotten:
- every string marked with ``_()``/``N_()`` anywhere in the package (Babel's own extractor, as
  ``pybabel extract -F babel.cfg`` runs it) has a Chinese translation in the .po;
- every help text of the converted commands (option help, panels, the command's own help, as Typer
  shows them) is a message of the catalogue;
- in the converted modules, no literal sits unmarked where people read it: error and warning
  messages, titles, captions, notes, help.
"""

from __future__ import annotations

import ast
import fnmatch
import io
import re
import string
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

babel = pytest.importorskip("babel", reason="the catalogue checks need Babel (pip install -e '.[test]')")
from babel.messages.extract import extract_from_file  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from hacalc import i18n  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "hacalc/locale/zh_CN/LC_MESSAGES/hacalc.po"
MO = PO.with_suffix(".mo")

# Modules whose user-visible strings are all marked; grows until it holds every module of hacalc/cli and what they show.
CONVERTED = (
    "hacalc/cli/app.py",
    "hacalc/cli/availability.py",
    "hacalc/cli/batch.py",
    "hacalc/cli/budget.py",
    "hacalc/cli/charts/figures.py",
    "hacalc/cli/charts/files.py",
    "hacalc/cli/charts/model.py",
    "hacalc/cli/charts/option.py",
    "hacalc/cli/charts/scales.py",
    "hacalc/cli/charts/terminal.py",
    "hacalc/cli/cluster.py",
    "hacalc/cli/compose.py",
    "hacalc/cli/env.py",
    "hacalc/cli/incidents.py",
    "hacalc/cli/launch.py",
    "hacalc/cli/nines.py",
    "hacalc/cli/options.py",
    "hacalc/cli/output.py",
    "hacalc/cli/planning.py",
    "hacalc/cli/platforms.py",
    "hacalc/cli/protect.py",
    "hacalc/cli/render.py",
    "hacalc/cli/risk.py",
    "hacalc/cli/spares.py",
    "hacalc/cli/status.py",
    "hacalc/cli/vcenter.py",
    "hacalc/core/availability.py",
    "hacalc/core/batch.py",
    "hacalc/core/budget.py",
    "hacalc/core/compose.py",
    "hacalc/core/errors.py",
    "hacalc/core/incident_report.py",
    "hacalc/core/incidents.py",
    "hacalc/core/observed.py",
    "hacalc/core/periods.py",
    "hacalc/core/platforms/common.py",
    "hacalc/core/platforms/compare.py",
    "hacalc/core/platforms/hyperv.py",
    "hacalc/core/platforms/kubernetes.py",
    "hacalc/core/platforms/nutanix.py",
    "hacalc/core/platforms/proxmox.py",
    "hacalc/core/platforms/report.py",
    "hacalc/core/platforms/xenserver.py",
    "hacalc/core/protection.py",
    "hacalc/core/risk.py",
    "hacalc/core/spares.py",
    "hacalc/core/units.py",
    "hacalc/core/vsphere/check.py",
    "hacalc/core/vsphere/options.py",
    "hacalc/core/vsphere/planning.py",
    "hacalc/core/vsphere/restart.py",
    "hacalc/core/vsphere/vm_availability.py",
    "hacalc/readers/cluster.py",
    "hacalc/readers/durations.py",
    "hacalc/readers/events.py",
    "hacalc/readers/files.py",
    "hacalc/readers/fleet.py",
    "hacalc/readers/hostlogs.py",
    "hacalc/readers/hyperv.py",
    "hacalc/readers/incident_list.py",
    "hacalc/readers/incidents.py",
    "hacalc/readers/kubectl.py",
    "hacalc/readers/platform_exports.py",
    "hacalc/readers/proxmox.py",
    "hacalc/readers/rvtools.py",
    "hacalc/readers/rvtools_tables.py",
    "hacalc/readers/safe_yaml.py",
    "hacalc/readers/inventory.py",
)
# Modules of hacalc/cli and hacalc/readers that are not in CONVERTED, each with the reason.
NOT_CONVERTED = {
    "hacalc/cli/__init__.py": "empty package marker",
    "hacalc/cli/charts/__init__.py": "package docstring only",
    "hacalc/readers/__init__.py": "empty package marker",
    "hacalc/cli/ci_reports.py": "JUnit and Markdown CI reports are English in every language (docs/language.md)",
    "hacalc/readers/bulk_csv.py": "shows people no text; binds _ as a throwaway name, which a translating module must not",
    "hacalc/readers/locate.py": "finds line numbers and shows people no text; binds _ as a throwaway name",
    "hacalc/readers/spares.py": "not converted yet: the spares scenario file's errors are English",
    "hacalc/readers/timestamps.py": "not converted yet: a time that cannot be read is said in English",
}
# Commands whose whole help is translated: name -> module.
CONVERTED_COMMANDS = {"availability": "hacalc.cli.availability", "budget": "hacalc.cli.budget", "cluster": "hacalc.cli.cluster",
                      "compose": "hacalc.cli.compose", "incidents": "hacalc.cli.incidents", "nines": "hacalc.cli.nines", "protect": "hacalc.cli.protect",
                      "risk": "hacalc.cli.risk", "spares": "hacalc.cli.spares"}

ERRORS = {"InputError", "HacalcError", "ExpressionError", "OutOfRange", "OutputError", "FieldError"}
MESSAGE_CALLS = {"fail", "warn"}  # their first argument is read by people
VISIBLE_KEYWORDS = {"title", "caption", "help", "fix", "rich_help_panel"}
LISTS_OF_PROSE = {"notes", "warnings"}
NEVER_TRANSLATED = re.compile(r"hacalc: (error|warning): ")  # prefixes scripts and CI logs grep for
TYPER_OWN = ("--install-completion", "--show-completion")  # Typer adds these options and their help


def catalogue() -> dict[str, str]:
    """Messages without a context (``_()``, ``N_()``): English -> Chinese."""
    return {text: translation for (context, text), translation in catalogue_in_context().items() if context is None}


def catalogue_in_context() -> dict[tuple[str | None, str], str]:
    """Every message by (context, English): ``pgettext("das", "option")`` is ("das", "option")."""
    with PO.open("rb") as handle:
        return {(message.context, message.id): message.string for message in read_po(handle) if message.id}


def marked_messages() -> dict[tuple[str | None, str], str]:
    """Every ``_()``/``N_()``/``pgettext()`` string in the package by (context, English), with the first place it is marked."""
    found: dict[tuple[str | None, str], str] = {}
    for path in sorted((ROOT / "hacalc").rglob("*.py")):
        for line, message, _comments, context in extract_from_file("python", str(path)):
            found.setdefault((context, message if isinstance(message, str) else message[0]), f"{path.relative_to(ROOT)}:{line}")
    return found


def test_every_marked_string_is_translated() -> None:
    messages = catalogue_in_context()
    missing = {key: where for key, where in marked_messages().items() if not messages.get(key)}
    assert not missing, f"add these to {PO.relative_to(ROOT)} and compile it: {missing}"


def test_a_word_with_two_meanings_has_two_translations() -> None:
    """``option``: one way to build a system (spares' 方案), or a vSphere advanced option (选项), told apart by a context."""
    source_line = 'from hacalc.i18n import pgettext\nheader = pgettext("das", "option")\n'
    assert [(context, message) for _line, message, _comments, context in extract_from_python(source_line)] == [("das", "option")]
    assert catalogue_in_context()[("das", "option")] == "选项"
    try:
        i18n.set_language("zh")
        assert (i18n.gettext("option"), i18n.pgettext("das", "option")) == ("方案", "选项")
        assert i18n.pgettext("das", "a word the catalogue lacks") == "a word the catalogue lacks"
        i18n.set_language("en")
        assert i18n.pgettext("das", "option") == "option"
    finally:
        i18n.activate([], {})


def extract_from_python(source: str) -> list[tuple[int, str, list[str], str | None]]:
    from babel.messages.extract import extract

    return list(extract("python", io.BytesIO(source.encode())))


def test_a_new_marked_string_is_caught(tmp_path: Path) -> None:
    """The check above is not vacuous: a freshly marked message is not in the catalogue."""
    source = tmp_path / "new.py"
    source.write_text('from hacalc.i18n import _\nraise ValueError(_("a message nobody translated yet"))\n')
    extracted = [message for _line, message, _comments, _context in extract_from_file("python", str(source))]
    assert extracted == ["a message nobody translated yet"]
    assert "a message nobody translated yet" not in catalogue()


def test_the_help_of_converted_commands_is_in_the_catalogue() -> None:
    """Run where the language is English, so Typer's help is the source text the catalogue must hold."""
    code = (
        "import json, typer\n"
        "from hacalc import i18n\n"
        "i18n.set_language('en')\n"
        "from hacalc.cli.app import app, HacalcGroup\n"
        "group = typer.main.get_command(app)\n"
        f"params = [p for p in group.params if p.opts[0] not in {TYPER_OWN!r}]\n"
        "texts = [group.help] + [p.help for p in params] + [getattr(p, 'rich_help_panel', None) for p in params]\n"
        f"for name in {sorted(CONVERTED_COMMANDS)!r}:\n"
        "    command = group.get_command(None, name)\n"
        "    texts.append(command.help)\n"
        "    texts += [p.help for p in command.params] + [getattr(p, 'rich_help_panel', None) for p in command.params]\n"
        "print(json.dumps([t for t in texts if t]))\n"
    )
    import json

    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    texts = json.loads(completed.stdout)
    assert "Mean time to failure, e.g. 50000h." in texts and len(texts) > 60
    messages = catalogue()
    missing = [text for text in texts if not messages.get(text) and not messages.get(percent_spelt_out(text))]
    assert not missing, f"help texts not in the catalogue: {missing}"


def percent_spelt_out(text: str) -> str:
    """The message as marked when a ``%`` sign would read as a printf placeholder (``99.95% or`` is ``% o``):
    ``_("… 99.95{percent} or …").format(percent="%")``."""
    return text.replace("%", "{percent}")


def test_the_committed_mo_is_the_compiled_po() -> None:
    """The .mo is committed (see hacalc/i18n.py); it must be exactly what ``pybabel compile`` makes of the .po."""
    with PO.open("rb") as handle:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(handle))
    assert MO.read_bytes() == compiled.getvalue(), "run: pybabel compile -d hacalc/locale -D hacalc"


def test_translations_keep_every_placeholder() -> None:
    """``{name}``, ``{count:,}`` and ``{text!r}`` must survive translation, or .format() fails or drops data."""
    formatter = string.Formatter()

    def fields(text: str) -> list[str]:
        return sorted(f"{name}!{conversion}:{spec}" for _literal, name, spec, conversion in formatter.parse(text) if name is not None)

    wrong = {source: target for source, target in catalogue().items() if target and fields(source) != fields(target)}
    assert not wrong


def test_no_catalogue_check_errors() -> None:
    """What ``pybabel compile`` would complain about (its exit status is 1 then)."""
    with PO.open("rb") as handle:
        problems = [(message.id, errors) for message, errors in read_po(handle).check()]
    assert problems == []


def test_the_mo_ships_in_the_wheel() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["hacalc"]
    shipped = str(MO.relative_to(ROOT / "hacalc"))
    assert any(fnmatch.fnmatch(shipped, pattern) for pattern in patterns)


def test_every_converted_cli_module_is_listed_and_exists() -> None:
    assert all((ROOT / module).is_file() for module in CONVERTED)
    assert all((ROOT / module).is_file() for module in NOT_CONVERTED)


def test_every_command_and_reader_module_is_converted() -> None:
    """A new command or reader is scanned for unmarked text from its first commit: it is in CONVERTED, or
    NOT_CONVERTED says why not."""
    modules = {str(path.relative_to(ROOT)) for folder in ("hacalc/cli", "hacalc/readers") for path in (ROOT / folder).rglob("*.py")}
    assert "hacalc/readers/rvtools.py" in modules and len(modules) > 40
    assert sorted(modules - set(CONVERTED) - set(NOT_CONVERTED)) == []
    assert not set(CONVERTED) & set(NOT_CONVERTED)


def test_the_modules_not_converted_yet_still_hold_unmarked_text() -> None:
    """Once one is converted, it moves to CONVERTED: the list of what is left stays true."""
    waiting = [module for module, reason in NOT_CONVERTED.items() if reason.startswith("not converted yet")]
    assert waiting and all(unmarked_literals((ROOT / module).read_text()) for module in waiting)


# --- unmarked literals in converted modules ------------------------------------------------------------


def unmarked_literals(source: str) -> list[tuple[int, str]]:
    """Literals people would read, not wrapped in ``_()``/``N_()``: (line, text)."""
    found: list[tuple[int, str]] = []

    def check(node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"[A-Za-z]{2}", node.value):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr) and not NEVER_TRANSLATED.match(ast.unparse(node)[2:]) and any(
            isinstance(part, ast.Constant) and re.search(r"[A-Za-z]{2}", part.value) for part in node.values
        ):
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.IfExp):
            check(node.body)
            check(node.orelse)
        elif isinstance(node, ast.BinOp):
            check(node.left)
            check(node.right)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                check(element)

    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr if isinstance(node.func, ast.Attribute) else ""
        if name in ERRORS:
            for index, argument in enumerate(node.args):
                if index != 1:  # where: an option name, a file, a line
                    check(argument)
        elif name in MESSAGE_CALLS and node.args:
            check(node.args[0])
        elif name == "append" and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id in LISTS_OF_PROSE and node.args:
            check(node.args[0])
        elif name == "write_table" and len(node.args) > 1:
            check(node.args[1])  # the column headers
        elif name == "print" and any(keyword.arg == "file" for keyword in node.keywords) and node.args:
            check(node.args[0])
        for keyword in node.keywords:
            if keyword.arg in VISIBLE_KEYWORDS:
                check(keyword.value)
    return found


def test_converted_modules_mark_every_visible_literal() -> None:
    unmarked = {module: lines for module in CONVERTED if (lines := unmarked_literals((ROOT / module).read_text()))}
    assert not unmarked, f"wrap these in _(): {unmarked}"


def test_the_scan_finds_unmarked_messages() -> None:
    source = (
        'raise InputError("bad value", "--x", "give a good one")\n'
        'raise InputError(f"bad {value!r}", "--x", fix=f"give {good}")\n'
        'raise InputError(_("bad value"), "--x", _("give a good one"))\n'
        'write_table(env, ("quantity", _("value")), rows, title="Availability", caption=_("ok"))\n'
        'env.warn("careful" if a else _("careful"))\n'
        'typer.Option("--x", help="Help text.")\n'
    )
    assert [line for line, _text in unmarked_literals(source)] == [1, 1, 2, 2, 4, 4, 5, 6]


def test_converted_modules_do_not_shadow_the_translation_function() -> None:
    """``whole, _, rest = text.partition(…)`` in a function that also translates is a TypeError waiting to happen
    (a comprehension's ``_`` lives in the comprehension alone, so it is harmless)."""
    shadowing = []
    for module in CONVERTED:
        tree = ast.parse((ROOT / module).read_text())
        in_comprehensions = {id(name) for node in ast.walk(tree) if isinstance(node, ast.comprehension) for name in ast.walk(node.target)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store) and id(node) not in in_comprehensions:
                shadowing.append(f"{module}:{node.lineno}")
    assert not shadowing


# --- choosing the language ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "chinese"),
    [
        ("zh_CN.UTF-8", True), ("zh_CN", True), ("zh", True), ("zh_Hans", True), ("zh-Hans-CN", True), ("zh_SG.GB2312", True),
        ("zh_CN@pinyin", True), ("zh_TW.UTF-8", False), ("zh_HK", False), ("zh_Hant_TW", False), ("en_US.UTF-8", False),
        ("C", False), ("C.UTF-8", False), ("POSIX", False), ("", False), ("zhx", False),
    ],
)
def test_which_locales_are_simplified_chinese(name: str, chinese: bool) -> None:
    assert i18n.is_simplified_chinese(name) is chinese


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "zh_CN.UTF-8"}, i18n.CHINESE),
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, i18n.CHINESE),
        ({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8"}, i18n.ENGLISH),
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, i18n.CHINESE),
        ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, i18n.CHINESE),  # empty counts as unset
        ({"LANGUAGE": "zh_CN"}, i18n.ENGLISH),  # GNU's list, not POSIX: not read
        ({}, i18n.ENGLISH),
    ],
)
def test_posix_precedence(environ: dict[str, str], language: str) -> None:
    assert i18n.language_of_environment(environ) == language


@pytest.mark.parametrize(
    ("arguments", "language"),
    [
        (["--lang", "zh", "nines"], i18n.CHINESE),
        (["nines", "--lang=zh"], i18n.CHINESE),
        (["--lang", "en", "nines"], i18n.ENGLISH),
        (["nines", "--", "--lang", "zh"], i18n.ENGLISH),  # after --, an argument, not the option
        (["--lang", "fr"], i18n.ENGLISH),  # Typer refuses it; until then the environment decides
    ],
)
def test_lang_argument_wins_over_the_environment(arguments: list[str], language: str) -> None:
    try:
        assert i18n.activate(arguments, {"LANG": "en_US.UTF-8"}) == language
        assert i18n.activate(arguments, {}) == language
    finally:
        i18n.activate([], {})


def test_translation_follows_the_language() -> None:
    try:
        i18n.set_language("zh")
        assert i18n.gettext("availability") == "可用性"
        assert i18n.gettext("downtime per {period}").format(period=i18n.gettext("year")) == "每年宕机时间"
        i18n.set_language("en")
        assert i18n.gettext("availability") == "availability"
    finally:
        i18n.activate([], {})


def test_english_opens_no_catalogue() -> None:
    """English costs nothing: a whole English command opens no catalogue; Chinese opens it once."""
    code = (
        "import sys\n"
        "sys.argv = ['hacalc', 'availability', '--mttf', '50000h', '--mttr', '15m']\n"
        "from hacalc.cli.launch import run\n"
        "try:\n"
        "    run()\n"
        "except SystemExit:\n"
        "    pass\n"
        "from hacalc import i18n\n"
        "print(i18n._catalogue is None, file=sys.stderr)\n"
    )
    english = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={"LANG": "en_US.UTF-8", "PATH": ""})
    chinese = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={"LANG": "zh_CN.UTF-8", "PATH": ""})
    assert english.stderr.split() == ["True"]
    assert chinese.stderr.split() == ["False"]
    assert "可用性" in chinese.stdout and "availability" in english.stdout


def test_a_message_is_its_english_sentence_and_is_said_again_in_chinese() -> None:
    """The core's sentences with numbers in them: English in JSON and pickles, translated where shown."""
    import json
    import pickle

    note = i18n.Message(i18n.N_("segment size {segment:,} MB (the largest HA VM, {vm})"), segment=49152, vm="ora01")
    proof = i18n.joined([i18n.Message(i18n.N_("capacity bound")), i18n.Message(i18n.N_("large-VM bound"))])
    assert note == "segment size 49,152 MB (the largest HA VM, ora01)"
    assert json.dumps([note, proof]) == '["segment size 49,152 MB (the largest HA VM, ora01)", "capacity bound, large-VM bound"]'
    copied = pickle.loads(pickle.dumps(note))
    assert (copied, copied.values) == (note, {"segment": 49152, "vm": "ora01"})
    try:
        i18n.set_language("zh")
        assert i18n.gettext(copied) == "分段大小 49,152 MB（最大的 HA 虚拟机，ora01）"
        assert i18n.gettext(proof) == "容量界限, 大虚拟机界限"
        assert i18n.gettext(i18n.plural(2, i18n.N_("{count} VM needs several slots; vCenter does not check that those slots are on one host"),
                                        i18n.N_("{count} VMs need several slots; vCenter does not check that those slots are on one host"))) == \
            "2 台虚拟机需要多个插槽；vCenter 不检查这些插槽是否在同一台主机上"
        i18n.set_language("en")
        assert i18n.gettext(note) is note
    finally:
        i18n.activate([], {})
