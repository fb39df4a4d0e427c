"""hacalc's own .mo reader answers exactly as Python's gettext does, for every entry of the catalogue."""

from __future__ import annotations

import gettext
import io
import struct

from hacalc.i18n import Catalogue, catalogue_path


def test_every_entry_reads_as_gnu_gettext_reads_it():
    data = open(catalogue_path(), "rb").read()
    ours, standard = Catalogue(data), gettext.GNUTranslations(io.BytesIO(data))
    entries = [key for key in standard._catalog if isinstance(key, str) and key]  # the header ("") is not a message
    assert len(entries) > 1000
    for key in entries:
        context, separator, message = key.partition("\x04")
        if separator:
            assert ours.pgettext(context, message) == standard.pgettext(context, message), key
        else:
            assert ours.gettext(key) == standard.gettext(key), key
    assert ours.gettext("no such message") == "no such message" and ours.pgettext("das", "no such") == "no such"


def big_endian_mo(messages: dict[str, str]) -> bytes:
    """A .mo as GNU msgfmt writes it on a big-endian machine (the format of the GNU gettext manual, §10.3)."""
    keys = sorted(messages)
    originals = [key.encode("utf-8") for key in keys]
    translations = [messages[key].encode("utf-8") for key in keys]
    start = 28 + 16 * len(keys)
    tables, blob = [], b""
    for text in (*originals, *translations):
        tables.append(struct.pack(">2I", len(text), start + len(blob)))
        blob += text + b"\0"
    return struct.pack(">7I", Catalogue.MAGIC, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0) + b"".join(tables) + blob


def test_a_catalogue_in_the_other_byte_order_is_read_by_the_standard_reader():
    data = big_endian_mo({"": "Content-Type: text/plain; charset=UTF-8\n", "option": "选项"})
    assert Catalogue(data).gettext("option") == "选项" and Catalogue(data).gettext("value") == "value"
