"""This process's warm sandbox process (issue 13.5): one per grading worker process.

A process that grades many submissions (a batch worker, a worker of the mutation
analysis or of the tests' grading pools) calls start() once, in its pool initializer;
from then on grade_file forks each submission's sandboxed child from this warm process
(sandbox/warm.py: a fresh child per submission that sets up every isolation layer itself)
instead of starting a new interpreter and importing numpy. A process that never calls
start() (the CLI, the Gradescope flow, the tests' own process) is not changed.

AG_WARM=0 turns it off (a bench's comparison, a suspicion). If the warm process cannot start, or dies and cannot be started again, server() is None
and grading goes on exactly as without it (failure() says why). The warm process is
closed when this process exits (a multiprocessing finalizer: pool workers do not run
atexit handlers when forked); if this process is killed, it kills itself and its children
(PR_SET_PDEATHSIG). Not thread-safe: one grading thread per process, as the Sandbox.
"""
from __future__ import annotations

import os

MAX_LOST = 3            # failed starts and deaths: then grading goes on without a warm process

_state = {"pid": 0, "server": None, "lost": 0, "failure": "", "used": 0, "finalizer": False}


def _mine() -> dict:
    """The state of this process: a forked child does not own its parent's warm process."""
    if _state["pid"] != os.getpid():
        _state.update(pid=os.getpid(), server=None, lost=0, failure="", used=0, finalizer=False)
    return _state


def start() -> bool:
    """Start this process's warm process if it has none alive; False (see failure()) if it cannot."""
    from multiprocessing import util
    from .sandbox.warm import WarmServer
    st = _mine()
    if os.environ.get("AG_WARM", "1") in ("0", "no", "off"):     # asked for a new interpreter per child
        return False
    if st["server"] is not None:
        if st["server"].alive():
            return True
        st["lost"] += 1
        st["failure"] = "the warm process died"
        close()
    if st["lost"] >= MAX_LOST:
        return False
    if not st["finalizer"]:
        util.Finalize(None, close, exitpriority=10)
        st["finalizer"] = True
    try:
        st["server"] = WarmServer.start()
    except (OSError, ValueError) as exc:
        st["lost"] += 1
        st["failure"] = "%s: %s" % (type(exc).__name__, exc)
        return False
    st["failure"] = ""
    return True


def server():
    """This process's warm process, started again if it died, or None (never started here,
    or it cannot run): the `warm` argument of a Sandbox."""
    st = _mine()
    if st["server"] is None:
        return None
    if not st["server"].alive() and not start():
        return None
    st["used"] += 1
    return st["server"]


def current():
    """This process's warm process if it is alive (neither started again nor counted), or None."""
    srv = _mine()["server"]
    return srv if srv is not None and srv.alive() else None


def discard() -> None:
    """Close the warm process after a grading was interrupted inside the sandbox (a wall-clock
    limit, an internal error): its protocol may be mid-exchange. The next server() starts a
    fresh one."""
    st = _mine()
    if st["server"] is not None:
        close()
        start()


def close() -> None:
    st = _mine()
    srv, st["server"] = st["server"], None
    if srv is not None:
        srv.close()


def failure() -> str:
    """Why this process has no warm process ('' if it has one or never tried)."""
    return _mine()["failure"]


def used() -> int:
    """How many sandboxes of this process got their child from the warm process."""
    return _mine()["used"]
