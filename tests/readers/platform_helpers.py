"""What the Proxmox and Hyper-V reader tests share: the CLI's rendering of an InputError, and JSON shapes to fuzz."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from hypothesis import strategies as st

from hacalc.core.errors import InputError
from hacalc.core.text import visible

FIXTURES = Path(__file__).parent.parent / "fixtures"


@dataclass
class Result:
    """What the CLI would show for a read: the app prints ``hacalc: error: <visible(str(error))>`` and exits 2."""

    exit_code: int
    stdout: str
    stderr: str


def as_cli(load: Callable[..., Any], *args: Any, **options: Any) -> Result:
    """What ``hacalc`` prints for the reader's InputError: one ``hacalc: error:`` line, exit 2."""
    try:
        load(*args, **options)
    except InputError as error:
        return Result(2, "", f"hacalc: error: {visible(str(error))}\n")
    return Result(0, "read", "")


def write_json(path: Path, data: Any, *, encoding: str = "utf-8") -> str:
    path.write_bytes(json.dumps(data, indent=1).encode(encoding))
    return str(path)


def json_like(keys: list[str]) -> st.SearchStrategy[Any]:
    """Arbitrary JSON built around the keys a reader looks for, so the fuzz reaches past the first check."""
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=8), st.sampled_from(["node", "qemu", "lxc", "storage", "running", "stopped", "online", "vm:100", "Up", "Running", "@{Name=x}", "1.5", ""]),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.sampled_from(keys), inner, max_size=8)),
        max_leaves=30,
    )
