"""A warm process per grading process: a fresh, isolated child per submission without paying
for Python and numpy each time (issue 13.5).

    server = WarmServer.start()              # once per batch worker process (one per core)
    Sandbox(path, limits, user=sandbox_user(), warm=server)   # as usual, for each submission
    server.close()

The server (warm_server.py, a new `python -I -B` process that imports numpy and nothing of
the grader's) forks one child per Sandbox start; the child sets up every isolation layer
itself, exactly as a freshly executed child does (namespaces and jail, per-grading uid,
limits, no new privileges, seccomp), then runs child.py. No student code ever runs in the
server, and no two submissions share a process. Seen from the Sandbox, the child is a
WarmProc: the parts of subprocess.Popen it uses (pid, pipes, poll, wait).

WarmServer.fork() makes the server by forking the calling process instead of starting an
interpreter: the Gradescope supervisor does so first thing, before it reads the rubric, the
reference answers or the submission (so that its fork, and every child forked from that,
holds nothing of the instructor's), and its grading process, forked later, uses it. One
Python start-up and one numpy import then serve the supervisor, the grader and the child.
"""
from __future__ import annotations

import dataclasses
import json
import os
import select
import socket
import subprocess
import time
from pathlib import Path

from .reaping import LIVE

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


class WarmServer:
    """The grader's end of one warm process (not thread-safe: one per grading process)."""

    def __init__(self, proc, sock: socket.socket, python: str, reachable: bool = True):
        self.proc, self.sock, self.python = proc, sock, python
        self.reachable = reachable   # can a sandbox uid import from this interpreter's folders?
        self.exits: dict = {}        # pid -> exit code, as the server reported it

    @classmethod
    def start(cls, python: str | None = None, timeout: float = 120.0) -> "WarmServer":
        """Start the server (it imports numpy: about a second); OSError if it does not answer."""
        import sys
        from .reach import runnable_python
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        python = python or sys.executable
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "AG_CTL": "warm", "PYTHONHASHSEED": "0",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "AG_TAG"):
            if key in os.environ:
                env[key] = os.environ[key]
        if os.geteuid() == 0:        # without namespaces the children may import lazily as their uid
            from .identity import fresh_identity
            who = fresh_identity()
            python, extra = runnable_python(python, who.uid, who.gid)
            env.update(extra)
        proc = subprocess.Popen([python, "-I", "-B", str(HERE / "warm_server.py"), str(REPO), str(theirs.fileno())],
                                pass_fds=(theirs.fileno(),), env=env, cwd="/", stdin=subprocess.DEVNULL,
                                start_new_session=True)
        theirs.close()
        LIVE.add(proc.pid)     # ours, not an orphan: a sandbox's sweep (no namespaces, no user switch) spares it
        server = cls(proc, ours, python)
        if server._next(timeout) != b"ready":
            server.close()
            raise OSError("the warm sandbox process did not start")
        return server

    @classmethod
    def fork(cls, timeout: float = 60.0) -> "WarmServer":
        """A server forked from this process (see the module's docstring): call it before this
        process reads anything student code must not see. It imports numpy and the sandbox's
        layers here first. OSError if it cannot. The caller reaps it (its pid: proc.pid)."""
        import sys
        from . import warm_server
        from .jail import python_binds
        from .reach import reachable
        python = sys.executable
        # without namespaces a child imports lazily as its uid from this interpreter's folders:
        # where it cannot (a Python under /root), spawn() refuses and the Sandbox starts a new
        # interpreter instead (a mirror the uid can run: reach.py)
        usable = os.geteuid() != 0 or all(reachable(p) for p in (python,) + python_binds(python))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        pid = os.fork()
        if pid == 0:
            try:
                ours.close()
                os.setsid()
                os.chdir("/")
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                os.close(null)
                warm_server.serve(theirs)
            finally:
                os._exit(1)
        theirs.close()
        LIVE.add(pid)
        server = cls(Forked(pid, ours), ours, python, usable)
        if server._next(timeout) != b"ready":
            server.close()
            raise OSError("the forked warm sandbox process did not start")
        return server

    def _next(self, timeout: float, exits: bool = False):
        """The next message that is not an exit report (those are filed), or None; exits=True:
        also return (b"exit") as soon as an exit report is filed."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            ready, _, _ = select.select([self.sock], [], [], max(0.0, left))
            if not ready:
                return None
            msg = self.sock.recv(256)
            if not msg:
                return None
            if msg.startswith(b"exit "):
                _, pid, code = msg.split()
                self.exits[int(pid)] = int(code)
                if exits:
                    return b"exit"
                continue
            return msg

    def drain(self) -> None:
        """File the exit reports that have arrived."""
        self._next(0)

    def spawn(self, script: str, env: dict, cwd: str | None, fds: tuple, limits, user, jail,
              seccomp: bool) -> int:
        """Fork a child that takes fds as its 0-4 and runs script isolated; its pid."""
        if jail is None and user is not None and not self.reachable:
            raise OSError("the sandbox user cannot import from %s" % self.python)
        spec = {"script": script, "env": env, "cwd": cwd, "limits": dataclasses.asdict(limits),
                "user": dataclasses.asdict(user) if user else None,
                "jail": dataclasses.asdict(jail) if jail else None, "seccomp": seccomp}
        socket.send_fds(self.sock, [json.dumps(spec).encode()], list(fds))
        msg = self._next(30.0)
        if not msg or not msg.startswith(b"spawned "):
            raise OSError("the warm sandbox process did not fork")
        return int(msg.split()[1])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        """The server kills what it started and exits when its socket closes."""
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        LIVE.discard(self.proc.pid)


class Forked:
    """A server made by WarmServer.fork, as its `proc`: alive while its socket is open (it never
    closes it but by exiting), seen from its parent or from a process forked after it (the
    Gradescope grading process), which cannot wait for it; its parent reaps it."""

    def __init__(self, pid: int, sock: socket.socket):
        self.pid, self.sock, self.parent = pid, sock, os.getpid()
        self.returncode = None

    def poll(self):
        if self.returncode is None and os.getpid() == self.parent:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status = self.pid, 9
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        if self.returncode is None:
            try:
                ready, _, _ = select.select([self.sock], [], [], 0)
                if ready and not self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT):
                    self.returncode = -9
            except BlockingIOError:
                pass
            except (OSError, ValueError):
                self.returncode = -9
        return self.returncode

    def wait(self, timeout: float | None = None):
        if os.getpid() != self.parent:
            return self.poll()          # not ours to reap
        from .reaping import wait_child
        code = wait_child(self.pid, timeout)
        if code is None:
            raise subprocess.TimeoutExpired("warm process %d" % self.pid, timeout)
        self.returncode = code
        return code

    def kill(self):
        try:
            os.kill(self.pid, 9)
        except OSError:
            pass


class WarmProc:
    """A child forked by the server, with the parts of subprocess.Popen that Sandbox uses."""

    def __init__(self, server: WarmServer, pid: int, stdin, stdout, stderr):
        self.server, self.pid = server, pid
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            self.server.drain()
            if self.pid in self.server.exits:
                self.returncode = self.server.exits.pop(self.pid)
            elif not self.server.alive():
                self.returncode = -9
        return self.returncode

    def wait(self, timeout: float | None = None):
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = 1.0 if end is None else end - time.monotonic()
            if left < 0:
                raise subprocess.TimeoutExpired("warm child %d" % self.pid, timeout)
            self.server._next(min(left, 1.0), exits=True)     # woken by the exit report, not a clock
        return self.returncode


def spawn(server: WarmServer, script: str, env: dict, cwd: str | None, ctl: tuple, limits, user, jail,
          seccomp: bool) -> WarmProc:
    """A WarmProc whose stdin/stdout/stderr are new pipes and whose fds 3 and 4 are ctl."""
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    try:
        pid = server.spawn(script, dict(env, AG_CTL="3,4"), cwd, (in_r, out_w, err_w) + tuple(ctl),
                           limits, user, jail, seccomp)
    except OSError:
        for fd in (in_r, in_w, out_r, out_w, err_r, err_w):
            os.close(fd)
        raise
    for fd in (in_r, out_w, err_w):
        os.close(fd)
    return WarmProc(server, pid, open(in_w, "wb", buffering=0), open(out_r, "rb", buffering=0),
                    open(err_r, "rb", buffering=0))
