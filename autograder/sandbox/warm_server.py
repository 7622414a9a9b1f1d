"""The warm process (see warm.py): it imports numpy once and never runs student code, never
reads a submission and never imports the grader (only the sandbox's own layers, to set up
each child). Started in one of two ways:

- `python -I -B warm_server.py REPO SOCKET_FD`, a new interpreter (batch: warm.WarmServer.start);
- forked by the Gradescope supervisor first thing, before it reads anything of the instructor's
  (the rubric, the reference answers, the submission): warm.WarmServer.fork, which calls serve().

For each request from its grader it forks; the fork takes the descriptors it was sent as 0-4,
closes every other one, sets up the same isolation as a freshly executed child
(limits.child_setup: namespaces and jail, limits, user switch, no new privileges,
seccomp), forgets the grader's modules and runs the child's script as __main__, as
`python -I -B _enfant.py` would. Each submission so gets a fresh process whose only
past is this one's numpy import. Orphans adopted here (it is a subreaper) are killed.
"""
import fcntl
import json
import os
import select
import signal
import socket
import sys

if __name__ == "__main__":          # a new interpreter: the sandbox's layers come from REPO
    sys.path.insert(0, sys.argv[1])

import numpy  # noqa: E402,F401 - the point of this process: imported once

import base64, importlib.machinery, importlib.util, io, numbers, traceback, types  # noqa: E401,E402,F401 - what the child imports

from autograder.sandbox import limits as _limits  # noqa: E402
from autograder.sandbox.identity import SandboxUser  # noqa: E402
from autograder.sandbox.jail import Jail  # noqa: E402
from autograder.sandbox.kernel import PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG, prctl  # noqa: E402
from autograder.sandbox.reaping import children  # noqa: E402

SECCOMP, _ = _limits.socket_filter()
GRADER = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # REPO


def _run_script(script: str) -> None:
    """Run script as __main__, as `python -I -B script` would (its own module, sys.argv), from
    the bytecode the grader put beside it when that is fresh (runner.py), else from source."""
    loader = importlib.machinery.SourceFileLoader("__main__", script)
    code = loader.get_code("__main__")         # checks the .pyc against the source; never writes one
    main = types.ModuleType("__main__")
    main.__file__, main.__loader__, main.__builtins__ = script, loader, __builtins__
    sys.modules["__main__"] = main
    exec(code, main.__dict__)


def _become_child(spec: dict, fds: list) -> None:
    """In the fork: the descriptors in place, the isolation, then the child's script."""
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGCHLD, signal.SIGPIPE, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in fds]     # out of the way of 0-4 first
    for target, fd in enumerate(high):
        os.dup2(fd, target)
    os.closerange(len(high), 1 << 16)
    if spec.get("cwd"):
        os.chdir(spec["cwd"])
    lim = _limits.Limits(**spec["limits"])
    user = SandboxUser(**spec["user"]) if spec.get("user") else None
    jail = Jail(**dict(spec["jail"], binds=tuple(spec["jail"]["binds"]))) if spec.get("jail") else None
    _limits.child_setup(lim, user, jail, SECCOMP if spec.get("seccomp") else None)()
    if user is None:      # no execve follows to drop what a user namespace granted: drop it here
        _limits.drop_capabilities()
    os.environ.clear()
    os.environ.update(spec["env"])
    for name in [m for m in sys.modules if m == "autograder" or m.startswith("autograder.")]:
        del sys.modules[name]
    # sys.path as `python -I` has it: neither the grader's source nor a current folder ('' when
    # forked from `python -m autograder`); the child adds its own folder
    sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) != GRADER]
    sys.path_importer_cache.clear()
    sys.dont_write_bytecode = True
    sys.argv = [spec["script"]]
    _run_script(spec["script"])


def serve(sock: socket.socket) -> None:
    """The loop: fork a child per request, report each exit, kill adopted orphans; exits (killing
    what it started) when the grader's end of sock closes, or when its parent dies."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    spawned: set = set()
    wake_r, wake_w = os.pipe()          # a child's exit wakes the loop (its report goes out at once)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sock.send(b"ready")
    while True:
        ready, _, _ = select.select([sock, wake_r], [], [], 1.0)
        if wake_r in ready:
            os.read(wake_r, 4096)
        ready = [fd for fd in ready if fd is sock]
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if pid in spawned:
                spawned.discard(pid)
                sock.send(b"exit %d %d" % (pid, os.waitstatus_to_exitcode(status)))
        for pid in children(os.getpid()):        # adopted: an orphan of a dead child (no namespaces)
            if pid not in spawned:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        if not ready:
            continue
        msg, fds, _, _ = socket.recv_fds(sock, 1 << 20, 8)
        if not msg:                      # the grader is gone: so is everything started for it
            for pid in spawned:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            os._exit(0)
        spec = json.loads(msg)
        pid = os.fork()
        if pid == 0:
            try:
                sock.close()
                _become_child(spec, fds)
            except SystemExit as exc:
                os._exit(exc.code if isinstance(exc.code, int) else 1)
            except BaseException:  # noqa: B036 - never back into the server's loop; no traceback
                os._exit(127)        # on fd 2: that is the student's log (the grader falls back)
            os._exit(0)
        for fd in fds:
            os.close(fd)
        spawned.add(pid)
        sock.send(b"spawned %d" % pid)


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[2])))
