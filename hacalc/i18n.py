"""The language hacalc speaks to people: English, or Simplified Chinese from a compiled gettext catalogue.

The language comes from ``--lang en|zh`` when given, else from the first of ``LC_ALL``, ``LC_MESSAGES``
and ``LANG`` that is set (POSIX precedence): ``zh``, ``zh_CN.UTF-8``, ``zh_SG``, ``zh_Hans``… are
Chinese; anything else, Traditional Chinese (``zh_TW``, ``zh_Hant``) included, is English, since there is
no Traditional catalogue. Only what people read changes: JSON keys, CSV headers, option names and exit
statuses are the same in every language, so scripts never break with the locale.

English is the source text and costs one comparison: no catalogue is opened, not even ``gettext`` is
imported. Chinese opens the compiled ``.mo`` on the first translated string; the ``.po`` is never parsed
at run time.

The ``.mo`` is committed next to its ``.po`` rather than compiled by a setuptools build hook. CI and
developers install with ``pip install -e``, and an editable install runs no ``build_py`` into the source
tree, so a hook would leave a working copy without its catalogue (or with a stale one). A committed file
works the same installed, editable or from a checkout; tests/test_i18n.py recompiles the ``.po`` with
Babel and fails if the committed ``.mo`` differs, so it cannot go stale. After editing the ``.po``::

    pybabel compile -d hacalc/locale -D hacalc

and to see which marked strings are new: ``pybabel extract -F babel.cfg -o /tmp/hacalc.pot .``
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

DOMAIN = "hacalc"
ENGLISH = "en"
CHINESE = "zh_CN"
LANGUAGES = {"en": ENGLISH, "zh": CHINESE}  # what --lang takes
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
_TRADITIONAL = frozenset({"tw", "hk", "mo", "hant"})  # regions and the script that write Traditional Chinese

_language: str | None = None  # None: not decided yet, the first translated string decides from the environment
_catalogue: Any = None


def activate(arguments: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Decide the language of this run: ``--lang`` in ``arguments``, else the locale variables."""
    global _language
    chosen = lang_argument(arguments or ())
    _language = LANGUAGES[chosen] if chosen in LANGUAGES else language_of_environment(os.environ if environ is None else environ)
    return _language


def set_language(code: str) -> None:
    """Speak ``code`` (an ``--lang`` value: en or zh) from now on."""
    global _language
    _language = LANGUAGES[code]


@contextlib.contextmanager
def english() -> Iterator[None]:
    """English for a while, whatever the run speaks: texts drawn where no Chinese font can be assumed (chart files)."""
    global _language
    spoken = _language or activate()
    _language = ENGLISH
    try:
        yield
    finally:
        _language = spoken


def language() -> str:
    return _language or activate()


def lang_argument(arguments: Sequence[str]) -> str | None:
    """The value of ``--lang`` (``--lang zh`` or ``--lang=zh``) before any ``--``, as typed; None if absent."""
    for index, argument in enumerate(arguments):
        if argument == "--":
            return None
        if argument == "--lang" and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith("--lang="):
            return argument.removeprefix("--lang=")
    return None


def language_of_environment(environ: Mapping[str, str]) -> str:
    """The first locale variable set decides, as POSIX says; an empty one counts as unset."""
    for name in LOCALE_VARIABLES:
        value = environ.get(name)
        if value:
            return CHINESE if is_simplified_chinese(value) else ENGLISH
    return ENGLISH


def is_simplified_chinese(locale_name: str) -> bool:
    """``zh``, ``zh_CN.UTF-8``, ``zh-Hans-CN``, ``zh_SG@euro``: yes; ``zh_TW``, ``zh_Hant``, ``en_US``: no."""
    name = locale_name.split(".", 1)[0].split("@", 1)[0].replace("-", "_").lower()
    language_code, _, rest = name.partition("_")
    return language_code == "zh" and not set(rest.split("_")) & _TRADITIONAL


def gettext(message: str) -> str:
    """``message`` in the language of this run; English is the message itself. A ``Message`` is said again
    from its translated template."""
    if (_language or activate()) == ENGLISH:
        return message
    if isinstance(message, Message):
        return message.translated()
    return _translations().gettext(message)


_ = gettext


def pgettext(context: str, message: str) -> str:
    """``message`` where one English word has two meanings: ``pgettext("das", "option")`` is a vSphere
    advanced option, plain ``_("option")`` one way to build a system. English is the message itself."""
    if (_language or activate()) == ENGLISH:
        return message
    return _translations().pgettext(context, message)


class Message(str):
    """A sentence the core makes from an ``N_``-marked template and its values.

    It is the English sentence (a ``str``: JSON, CSV and the CI reports hold it as it is), and it keeps its
    template, so ``gettext`` can say it in the language of the run: the template translated, then filled
    with the same values, themselves translated when they are Messages too. Core modules build it where a
    plain ``N_`` cannot mark a text because numbers or names go into it::

        Message(N_("{count} hosts cannot reserve for {failures} host failures"), count=4, failures=2)
    """

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, /, **values: Any) -> "Message":
        sentence = super().__new__(cls, template.format(**values))
        sentence.template = template
        sentence.values = values
        return sentence

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:
        """Pickled (a worker process's report) as template and values, not as the finished sentence."""
        return (self.template,), self.values

    def translated(self) -> str:
        values = {name: gettext(value) if isinstance(value, Message) else value for name, value in self.values.items()}
        return _translations().gettext(self.template).format(**values)


def joined(parts: Sequence[str], separator: str = ", ") -> Message:
    """Texts listed on one line (``exact, capacity bound``), each said in the language of the run when it is a Message."""
    values = {f"part{index}": part for index, part in enumerate(parts)}
    return Message(separator.join(f"{{{name}}}" for name in values), **values)


def plural(count: int, one: str, many: str, **values: Any) -> Message:
    """``1 failure set``, ``3 failure sets``: ``one`` and ``many`` are ``N_``-marked templates with a ``{count}``."""
    return Message(one if count == 1 else many, count=count, **values)


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is defined; ``_()`` translates it where it is shown."""
    return message


def command_help(command: Callable[..., Any]) -> str:
    """A command's docstring as its help, translated: Typer would show the English docstring."""
    import inspect

    return gettext(inspect.cleandoc(command.__doc__ or ""))


def catalogue_path(language_name: str = CHINESE) -> str:
    return os.path.join(os.path.dirname(__file__), "locale", language_name, "LC_MESSAGES", f"{DOMAIN}.mo")


def _translations() -> Any:
    """The compiled catalogue of the current language, opened once; English text if it is missing."""
    global _catalogue
    if _catalogue is None:
        try:
            with open(catalogue_path(), "rb") as handle:
                _catalogue = Catalogue(handle.read())
        except OSError:
            import gettext as gnu

            _catalogue = gnu.NullTranslations()
    return _catalogue


class Catalogue:
    """A compiled ``.mo`` read as it is used: its message ids indexed once, a translation decoded when asked for.

    ``gettext.GNUTranslations`` decodes every one of some 1,400 entries when it opens (4 ms of a 120 ms
    command); a command shows a few dozen. Babel writes no hash table, so the ids are indexed here. Plural
    entries are not used by hacalc; a catalogue in the other byte order falls back to the standard reader.
    """

    MAGIC = 0x950412DE

    def __init__(self, data: bytes) -> None:
        self._data = data
        magic, _revision, count, originals, translations = _header(data)
        if magic != self.MAGIC:
            import gettext as gnu
            import io

            self._standard: Any = gnu.GNUTranslations(io.BytesIO(data))
            return
        self._standard = None
        table = memoryview(data)[originals : originals + 8 * count].cast("I")
        self._index = {data[offset : offset + length]: number for number, (length, offset) in enumerate(zip(table[0::2], table[1::2]))}
        self._translations = memoryview(data)[translations : translations + 8 * count].cast("I")

    def gettext(self, message: str) -> str:
        if self._standard is not None:
            return self._standard.gettext(message)
        number = self._index.get(message.encode("utf-8"))
        if number is None:
            return message
        length, offset = self._translations[2 * number], self._translations[2 * number + 1]
        return self._data[offset : offset + length].decode("utf-8")

    def pgettext(self, context: str, message: str) -> str:
        if self._standard is not None:
            return self._standard.pgettext(context, message)
        found = self.gettext(f"{context}\x04{message}")
        return message if found == f"{context}\x04{message}" else found


def _header(data: bytes) -> tuple[int, int, int, int, int]:
    import struct

    return struct.unpack_from("<5I", data) if len(data) >= 20 else (0, 0, 0, 0, 0)
