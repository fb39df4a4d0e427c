"""Text from files and arguments made safe to show: one line, nothing that can drive a terminal."""

from __future__ import annotations


def visible(text: str) -> str:
    """``text`` with every unprintable character spelled out (``\\x1b``, ``\\n``, ``\\u202e``).

    Data then never reaches a terminal as an escape sequence or a reordering mark, and never breaks a
    one-line message; printable text, Chinese included, is left as it is.
    """
    if text.isprintable():
        return text
    return "".join(character if character.isprintable() else repr(character)[1:-1] for character in text)
