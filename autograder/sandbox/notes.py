"""Notes about the isolation, said once per process on stderr (never in results)."""
from __future__ import annotations

import sys

_SAID: set = set()


def note_once(text: str) -> None:
    """Say something about the isolation once per process, on stderr (never in results)."""
    if text not in _SAID:
        _SAID.add(text)
        try:
            sys.stderr.write("ag: sandbox: %s\n" % text)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass

