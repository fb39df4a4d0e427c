"""The console-script entry point, kept apart from the app so it runs before typer and rich are imported."""

from __future__ import annotations

import gc
import signal


def run() -> None:
    """Start hacalc the way a one-off command should: quickly, and quietly on a closed pipe.

    Start-up imports create tens of thousands of long-lived objects and no garbage. Letting the cyclic
    collector rescan them during the imports, and once more at interpreter exit, costs about a fifth of a
    one-off command's time; so collection pauses for the imports and the survivors are frozen out of it.
    Collection is back on while the command computes.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends hacalc as it does any filter, even mid-import
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    gc.disable()
    import sys

    from hacalc import i18n

    i18n.activate(sys.argv[1:])  # before the app is imported: its help texts are translated as they are defined
    from hacalc.cli.app import app

    gc.freeze()
    gc.enable()
    try:
        app()
    finally:
        gc.freeze()
