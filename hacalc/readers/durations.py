"""A file of observed durations, one per line (``15m``, ``2h30m``, bare hours): ``--repair empirical:FILE``."""

from __future__ import annotations

from hacalc.core.errors import InputError
from hacalc.core.units import parse_duration
from hacalc.i18n import N_, _
from hacalc.readers.files import in_file, read_text

HOUR = 3600


def read_durations(path: str) -> tuple[float, ...]:
    """The durations in hours, in file order; ``#`` starts a comment. None positive is an error, as is a bad line."""
    if not path.strip():
        raise InputError(_("empirical needs a file"), fix=_("write empirical:FILE, a file of durations, one per line"))
    name = path.strip()
    values = []
    for number, line in enumerate(read_text(name, N_("a file of durations, one per line")).splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if text:
            try:
                values.append(float(parse_duration(text, default_unit="h") / HOUR))
            except InputError as error:
                raise error.located(in_file(name, number)) from None
    if not any(value > 0 for value in values):
        raise InputError(_("{name} holds no positive duration").format(name=name), fix=_("give observed times, one per line, e.g. 2h30m"))
    return tuple(values)
